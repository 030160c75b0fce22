package app

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// figuresSample is a sheet with a cell of every kind a figureSheet takes, and a totals row.
func figuresSample() workbook {
	return workbook{sheets: []figureSheet{{
		name:    "Figures",
		columns: []string{"Name", "Count", "Amount", "Share", "Day", "When", "Wait", "Rate", "Empty"},
		rows: [][]any{
			{"=SUM(1)", 3, data.Money{Amount: 123450, Currency: "GBP"}, ratio(0.375), dateCell{time.Date(2026, 11, 26, 0, 0, 0, 0, time.Local), xlsxDate},
				time.Date(2026, 11, 24, 10, 30, 0, 0, time.Local), 3*time.Hour + 20*time.Minute, 2.5, nil},
			{"Crème brûlée", int64(-2), data.Money{Amount: -500, Currency: "JPY"}, ratio(1), dateCell{time.Date(2025, 12, 1, 0, 0, 0, 0, time.Local), xlsxMonth},
				time.Time{}, time.Duration(0), 0.0, nil},
			{"Total", 1, data.Money{Amount: 122950, Currency: "GBP"}, nil, nil, nil, nil, nil, nil},
		},
		totals: 2,
	}}, about: [][2]string{{"Report", "A sample"}}}
}

// openWorkbook writes b and opens the result with excelize.
func openWorkbook(t *testing.T, b workbook) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := writeWorkbook(&buf, b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot open the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// raw is a cell's stored value, not as formatted.
func raw(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// number is a cell's stored number.
func number(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s is of type %v, want a number", sheet, cell, typ)
	}
	v := raw(t, f, sheet, cell)
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q, want a number", sheet, cell, v)
	}
	return n
}

// style is a cell's number format and boldness.
func style(t *testing.T, f *excelize.File, sheet, cell string) (format string, bold bool) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		format = *st.CustomNumFmt
	} else if st.NumFmt != 0 {
		format = strconv.Itoa(st.NumFmt)
	}
	return format, st.Font != nil && st.Font.Bold
}

func TestWriteWorkbook(t *testing.T) {
	f, _ := openWorkbook(t, figuresSample())
	if got, want := strings.Join(f.GetSheetList(), ","), "Figures,About"; got != want {
		t.Errorf("sheets %s, want %s", got, want)
	}
	const sh = "Figures"
	for cell, want := range map[string]string{"A1": "Name", "I1": "Empty", "A2": "=SUM(1)", "A3": "Crème brûlée", "A4": "Total", "I2": "", "F3": ""} {
		if got := raw(t, f, sh, cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	if formula, _ := f.GetCellFormula(sh, "A2"); formula != "" {
		t.Errorf("A2 holds the formula %q, want the text", formula)
	}
	// Numbers as numbers: money in major units, shares as fractions, dates and times as day serials
	// (26 Nov 2026 is day 46352; 10:30 is 0.4375 of a day), waits as fractions of a day.
	for cell, want := range map[string]float64{
		"B2": 3, "B3": -2, "C2": 1234.50, "C3": -500, "D2": 0.375, "E2": 46352, "E3": 45992,
		"F2": 46350 + 10.5/24, "G2": (3 + 20.0/60) / 24, "H2": 2.5, "C4": 1229.50,
	} {
		if got := number(t, f, sh, cell); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", cell, got, want)
		}
	}
	for cell, want := range map[string]string{
		"C2": `"£"#,##0.00;-"£"#,##0.00`, "C3": `"¥"#,##0;-"¥"#,##0`, "D2": "0.0%", "E2": "yyyy-mm-dd", "E3": "mmmm yyyy",
		"F2": "yyyy-mm-dd hh:mm", "G2": "[h]:mm", "B2": "3",
	} {
		if got, _ := style(t, f, sh, cell); got != want {
			t.Errorf("%s number format %q, want %q", cell, got, want)
		}
	}
	for cell, want := range map[string]bool{"A1": true, "E1": true, "A2": false, "C3": false, "A4": true, "C4": true} {
		if _, got := style(t, f, sh, cell); got != want {
			t.Errorf("%s bold = %v, want %v", cell, got, want)
		}
	}
	panes, err := f.GetPanes(sh)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
	for col, least := range map[string]float64{"A": 14, "C": 11, "E": 10, "I": 8} {
		w, err := f.GetColWidth(sh, col)
		if err != nil {
			t.Fatal(err)
		}
		if w < least || w > 60 {
			t.Errorf("column %s is %v wide, want at least %v (and at most 60)", col, w, least)
		}
	}
	if got := raw(t, f, "About", "B1"); got != "A sample" {
		t.Errorf("About!B1 = %q, want the report's description", got)
	}
}

func TestMoneyFormat(t *testing.T) {
	for cur, want := range map[string]string{
		"GBP": `"£"#,##0.00;-"£"#,##0.00`,
		"JPY": `"¥"#,##0;-"¥"#,##0`,
		"KWD": `#,##0.000 "KWD";-#,##0.000 "KWD"`,
		"SEK": `#,##0.00 "SEK";-#,##0.00 "SEK"`,
	} {
		if got := moneyFormat(cur); got != want {
			t.Errorf("moneyFormat(%s) = %s, want %s", cur, got, want)
		}
	}
}

// libreOfficeCSV converts a workbook's first sheet to CSV with LibreOffice, cells as LibreOffice shows
// them, and reads it. It skips the test when LibreOffice is not installed.
func libreOfficeCSV(t *testing.T, workbook []byte) [][]string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice is not installed")
	}
	if testing.Short() {
		t.Skip("LibreOffice takes seconds")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "figures.xlsx")
	if err := os.WriteFile(in, workbook, 0o600); err != nil {
		t.Fatal(err)
	}
	// CSV options: comma, double quotes, UTF-8, from line 1, no column formats, US English, quote all
	// text, detect numbers, and "save cell contents as shown", so the formats are tested too.
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", `csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true`, "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "figures.csv"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no CSV: %v", err)
	}
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("LibreOffice's CSV: %v\n%s", err, b)
	}
	return records
}

// TestWriteWorkbook_LibreOffice: a real spreadsheet program opens the workbook and shows each value in
// its format.
func TestWriteWorkbook_LibreOffice(t *testing.T) {
	_, b := openWorkbook(t, figuresSample())
	got := libreOfficeCSV(t, b)
	want := [][]string{
		{"Name", "Count", "Amount", "Share", "Day", "When", "Wait", "Rate", "Empty"},
		{"=SUM(1)", "3", "£1,234.50", "37.5%", "2026-11-26", "2026-11-24 10:30", "3:20", "2.5", ""},
		{"Crème brûlée", "-2", "-¥500", "100.0%", "December 2025", "", "0:00", "0.0", ""},
		{"Total", "1", "£1,229.50", "", "", "", "", "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("LibreOffice reads %d rows, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d as LibreOffice shows it:\n%q\nwant\n%q", i+1, got[i], want[i])
		}
	}
}

// TestPackingWorkbook: the packing figures save a row per person and day, rates as numbers.
func TestPackingWorkbook(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	pf := newPackingFigures(a)
	pf.view()
	if _, ok := pf.workbook(); ok || !pf.exportButton.Disabled() {
		t.Error("the packing figures offer a workbook before they are in")
	}
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.Local)
	pf.show([]data.PackerDay{{UserName: "Pat", Day: day, Orders: 12, Items: 30, Scans: 40, BadScans: 2, Overrides: 1,
		First: day.Add(9 * time.Hour), Last: day.Add(13 * time.Hour)}})
	wb, ok := pf.workbook()
	if !ok || pf.exportButton.Disabled() {
		t.Fatal("no workbook with a day of figures")
	}
	f, _ := openWorkbook(t, wb)
	// 12 orders and 30 items in the 4 hours from 9:00 to 13:00; 38 of 40 scans accepted.
	for cell, want := range map[string]float64{"A2": 46350, "C2": 12, "D2": 30, "E2": 3, "F2": 7.5, "G2": 0.95, "H2": 40, "I2": 2, "J2": 1,
		"K2": 46350 + 9.0/24, "L2": 46350 + 13.0/24} {
		if got := number(t, f, "Packing", cell); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", cell, got, want)
		}
	}
	if got := raw(t, f, "Packing", "B2"); got != "Pat" {
		t.Errorf("B2 = %q, want Pat", got)
	}
}
