package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// streamTable opens b with the fast reader only, failing when it would fall back to excelize.
func streamTable(tb testing.TB, b []byte) *xlsxStream {
	tb.Helper()
	pkg, err := spoolPackage(bytes.NewReader(b), inMemoryPackage)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := openXLSXStream(pkg)
	if err != nil {
		pkg.close()
		tb.Fatalf("the fast reader does not take the workbook: %v", err)
	}
	return t
}

func allRows(tb testing.TB, t table) []Row {
	tb.Helper()
	defer t.close()
	var rows []Row
	for {
		r, err := t.next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			tb.Fatalf("%s: %v", t.describe(), err)
		}
		rows = append(rows, r)
	}
}

// sameAsExcelize reads the workbook with both readers and wants the same rows. The one difference
// allowed is a TRUE/FALSE cell, which xlsxTable reads as 1/0 (or, in a column it took for dates, as a
// date) and the fast reader as Excel shows it.
func sameAsExcelize(t *testing.T, b []byte) []Row {
	t.Helper()
	ref, err := openExcelize(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	want := allRows(t, ref)
	fast := streamTable(t, b)
	if d := ref.describe(); d != fast.describe() {
		t.Errorf("describe %q, excelize %q", fast.describe(), d)
	}
	got := allRows(t, fast)
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if len(got) != len(want) {
		t.Fatalf("%d rows, excelize %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Num != w.Num || len(g.Cells) != len(w.Cells) || len(g.Numeric) != len(w.Numeric) {
			t.Fatalf("row %d: %d %q %v\nexcelize: %d %q %v", i, g.Num, g.Cells, g.Numeric, w.Num, w.Cells, w.Numeric)
		}
		for j := range w.Cells {
			if g.Cells[j] == w.Cells[j] && g.Numeric[j] == w.Numeric[j] {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, g.Num)
			typ, _ := x.GetCellType(fast.sheet, cell)
			if typ == excelize.CellTypeBool && (g.Cells[j] == "TRUE" || g.Cells[j] == "FALSE") && !g.Numeric[j] {
				continue
			}
			t.Errorf("%s: %q numeric %v, excelize %q numeric %v", cell, g.Cells[j], g.Numeric[j], w.Cells[j], w.Numeric[j])
		}
	}
	return got
}

func workbookBytes(t testing.TB, x *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXStream_SameAsExcelize(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	// The first sheet has no rows: the reader goes on to the one that has.
	if _, err := x.NewSheet("Orders"); err != nil {
		t.Fatal(err)
	}
	dateID, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	stampID, _ := x.NewStyle(&excelize.Style{NumFmt: 22})
	custom := "dd/mm/yyyy hh:mm"
	customID, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	money := `"$"#,##0.00;[Red]"-$"#,##0.00`
	moneyID, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &money})
	s := "Orders"
	_ = x.SetSheetRow(s, "A1", &[]any{"Name", "Created at", "Paid at", "Shipped", "Total", "Id", "Big id", "Paid", "Note", "Formula"})
	for r := 2; r <= 70; r++ {
		cell := func(col string) string { return fmt.Sprintf("%s%d", col, r) }
		_ = x.SetCellStr(s, cell("A"), fmt.Sprintf("#%d", 1000+r%7)) // repeats: shared strings
		_ = x.SetCellValue(s, cell("B"), time.Date(2025, 3, r%28+1, 0, 0, 0, 0, time.UTC))
		_ = x.SetCellStyle(s, cell("B"), cell("B"), dateID)
		_ = x.SetCellValue(s, cell("C"), time.Date(2025, 3, 29, 14, 49, r%60, 0, time.UTC))
		_ = x.SetCellStyle(s, cell("C"), cell("C"), stampID)
		_ = x.SetCellValue(s, cell("D"), time.Date(2024, 12, 31, 23, r%60, 0, 0, time.UTC))
		_ = x.SetCellStyle(s, cell("D"), cell("D"), customID)
		_ = x.SetCellValue(s, cell("E"), float64(r)*1.25)
		_ = x.SetCellStyle(s, cell("E"), cell("E"), moneyID)
		_ = x.SetCellValue(s, cell("F"), 6295486857475+r)
		_ = x.SetCellValue(s, cell("G"), float64(583870900000000001))
		if r%9 == 0 {
			continue // a row with only some cells
		}
		_ = x.SetCellValue(s, cell("H"), r%2 == 0)
		_ = x.SetCellStr(s, cell("I"), []string{"  spaced  ", "a & b < c > \"d\" 'e'", "line 1\nline 2", "6.29549E+12", "Ünïcødé ✓", "_x000D_ kept?", "tab\there", ""}[r%8])
		_ = x.SetCellValue(s, cell("J"), r*2)
		_ = x.SetCellFormula(s, cell("J"), fmt.Sprintf("=F%d*0+%d", r, r*2))
	}
	_ = x.SetCellRichText(s, "K3", []excelize.RichTextRun{{Text: "bold "}, {Text: "and plain", Font: &excelize.Font{Italic: true}}})
	_ = x.SetCellStr(s, "M80", "after a gap")
	_ = x.SetCellFormula(s, "N81", "=1/0")
	rows := sameAsExcelize(t, workbookBytes(t, x))
	if len(rows) != 81 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[1]
	if r.Num != 2 || r.Cells[1] != "2025-03-03" || r.Cells[2] != "2025-03-29 14:49:02" || r.Cells[3] != "2024-12-31 23:02:00" || r.Cells[4] != "2.5" || !r.Numeric[4] ||
		r.Cells[5] != "6295486857477" || !r.Numeric[5] || r.Cells[7] != "TRUE" || r.Numeric[7] || r.Cells[9] != "4" {
		t.Errorf("row 2: %q %v", r.Cells, r.Numeric)
	}
	if c := rows[2].Cells[10]; c != "bold and plain" {
		t.Errorf("rich text %q", c)
	}
	if r := rows[78]; r.Num != 79 || len(r.Cells) != 0 {
		t.Errorf("gap row: %+v", r)
	}
}

func TestXLSXStream_StreamWriter(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	dateID, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	_ = sw.SetRow("A1", []any{"Name", "Placed", "Qty", "Note"})
	for r := 2; r <= 200; r++ {
		if r%50 == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		_ = sw.SetRow(cell, []any{
			fmt.Sprintf("#%d", r),
			excelize.Cell{StyleID: dateID, Value: time.Date(2026, 1, r%28+1, 0, 0, 0, 0, time.UTC)},
			r % 5,
			[]string{"", "plain", "x <&> y", " lead"}[r%4],
		})
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows := sameAsExcelize(t, workbookBytes(t, x))
	if len(rows) != 199 || rows[1].Cells[1] != "2026-01-03" || rows[49].Num != 50 || len(rows[49].Cells) != 0 {
		t.Fatalf("%d rows; %q; %+v", len(rows), rows[1].Cells, rows[49])
	}
}

// Every fixture, saved as Excel would save it, reads the same with both readers.
func TestXLSXStream_Fixtures(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "imports", "*.csv"))
	if len(paths) == 0 {
		t.Fatal("no fixtures")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sameAsExcelize(t, csvWorkbook(t, b))
		})
	}
}

// csvWorkbook saves a CSV as Excel would, as shopifyWorkbook does, for files whose rows are wider than
// their header too.
func csvWorkbook(t testing.TB, csvBytes []byte) []byte {
	t.Helper()
	tb, err := openText(bytes.NewReader(csvBytes))
	if err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	for r := 1; ; r++ {
		row, err := tb.next()
		if err != nil {
			break
		}
		for c, v := range row.Cells {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			if n, ok := numberCell(v); ok && r > 1 {
				_ = x.SetCellValue("Sheet1", cell, n)
			} else {
				_ = x.SetCellStr("Sheet1", cell, v)
			}
		}
	}
	return workbookBytes(t, x)
}

// Workbooks LibreOffice writes: shared strings, its own number formats, a cell style on every cell.
func TestXLSXStream_LibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice is not installed")
	}
	if testing.Short() {
		t.Skip("LibreOffice takes seconds")
	}
	dir := t.TempDir()
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "imports", "*.csv"))
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "xlsx", "--outdir", dir}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, dst)
	}
	extra := filepath.Join(dir, "dates.csv")
	_ = os.WriteFile(extra, []byte("Name,Date,Flag,Qty,Id,Note\n#1,2025-03-29,TRUE,2,6295486857475,\"a, b\"\n#2,2025-03-30,FALSE,1.5,4006381333931,\n,,,,,\n#3,2025-04-01,TRUE,-3,1,x & y\n"), 0o600)
	args = append(args, extra)
	if out, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, p := range append(paths, extra) {
		name := strings.TrimSuffix(filepath.Base(p), ".csv") + ".xlsx"
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			rows := sameAsExcelize(t, b)
			if name == "dates.xlsx" && (rows[1].Cells[1] != "2025-03-29" || rows[1].Cells[4] != "6295486857475" || !rows[1].Numeric[4]) {
				t.Errorf("LibreOffice row 2: %q %v", rows[1].Cells, rows[1].Numeric)
			}
		})
	}
}

// handWorkbook packs a sheet's XML as a minimal package, for what the writers above never write.
func handWorkbook(t testing.TB, sheet string, parts map[string]string) []byte {
	t.Helper()
	files := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data &amp; more" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml":              `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/><numFmt numFmtId="165" formatCode="[Red]0.00"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs><dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="yyyy"/></dxf></dxfs></styleSheet>`,
		"xl/worksheets/sheet1.xml":   sheet,
	}
	for k, v := range parts {
		if v == "" {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(content))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const handSheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- written by hand -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:E9"/><x:sheetData>
<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t xml:space="preserve"> Name </x:t></x:is></x:c><x:c r="C2" t="str"><x:f>"Qty"</x:f><x:v>Qty</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:rPr><x:b/></x:rPr><x:t>Ri</x:t></x:r><x:r><x:t>ch</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ふりがな</x:t></x:rPh></x:is></x:c></x:row>
<x:row><x:c r="A3" s="1"/><x:c r="B3" s="1"><x:v>45745</x:v></x:c><x:c s="2"><x:v>45745.5</x:v></x:c><x:c s="3"><x:v>12.5</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="5" spans="1:3"><x:c r="A5" t="inlineStr"><x:is><x:t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#xE9; <![CDATA[<raw> & ]]>done</x:t></x:is></x:c><x:c r="B5" t="inlineStr"><x:is><x:t>crlf` + "\r\n" + `and cr` + "\r" + `end</x:t></x:is></x:c><x:c r="C5"><x:v>1.5E+3</x:v></x:c><x:c r="D5" t="d"><x:v>2025-03-29T14:49:00</x:v></x:c><?pi here?></x:row>
<x:row r="6"/>
<x:row r="7"><x:c r="$B$7" t="inlineStr"><x:v>inline with v</x:v></x:c><x:c r="D7"><x:f>A1</x:f></x:c><x:c r="E7" t="inlineStr"><x:is><x:t>esc_x000D_aped_x005F_x0041_</x:t></x:is></x:c></x:row>
</x:sheetData></x:worksheet>`

func TestXLSXStream_HandWrittenXML(t *testing.T) {
	rows := sameAsExcelize(t, handWorkbook(t, handSheet, nil))
	want := []struct {
		num   int
		cells string
	}{
		{1, ""},
		{2, " Name ||Qty|Rich"},
		{3, "|2025-03-29|2025-03-29 12:00:00|12.5|#N/A|TRUE"},
		{4, ""},
		{5, `a & b <c> "d" 'e' éé <raw> & done|crlf` + "\n" + "and cr\nend|1.5E+3|2025-03-29T14:49:00"},
		{6, ""},
		{7, "|inline with v|||esc\raped_x0041_"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for i, w := range want {
		if got := strings.Join(rows[i].Cells, "|"); rows[i].Num != w.num || got != w.cells {
			t.Errorf("row %d = %d %q, want %d %q", i, rows[i].Num, got, w.num, w.cells)
		}
	}
}

func TestXLSXStream_Date1904(t *testing.T) {
	sheet := `<worksheet><sheetData><row r="1"><c s="1"><v>0</v></c><c s="2"><v>1.25</v></c></row></sheetData></worksheet>`
	b := handWorkbook(t, sheet, map[string]string{"xl/workbook.xml": `<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`})
	rows := allRows(t, streamTable(t, b))
	if got := strings.Join(rows[0].Cells, "|"); got != "1904-01-01|1904-01-02 06:00:00" {
		t.Errorf("1904 dates: %q", got)
	}
}

func TestXLSXStream_DateFormats(t *testing.T) {
	for code, want := range map[string]bool{
		"General": false, "0.00": false, "[Red]0.00": false, "#,##0": false, `"$"#,##0.00`: false, "@": false,
		`0" days"`: false, `0\d`: false, "0.00E+00": false, "[$€-407] #,##0.00": false, `0_s`: false,
		"dd/mm/yyyy hh:mm": true, "mm": true, "yyyy\\-mm\\-dd": true, "[h]:mm:ss": true, "[$-409]m/d/yy h:mm AM/PM": true,
		"h": true, "ss": true, "MMM D, YYYY": true,
	} {
		if isDateFormat(code) != want {
			t.Errorf("isDateFormat(%q) = %v", code, !want)
		}
	}
}

func TestXLSXStream_Errors(t *testing.T) {
	big := strings.Repeat("x", maxCell+5)
	for _, tc := range []struct {
		name, sheet, want string
	}{
		{"huge cell", `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c/><c t="inlineStr"><is><t>` + big + `</t></is></c></row></sheetData></worksheet>`,
			`sheet "Data & more", row 2, column 2: a cell of 1 MB; no export has cells that large`},
		{"cut off", `<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c><v>2`,
			`sheet "Data & more", row 2: column 1: the XML is cut off`},
		{"bad entity", `<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c t="inlineStr"><is><t>a &nbsp; b</t></is></c></row></sheetData></worksheet>`,
			`sheet "Data & more", row 2: column 1: the XML is damaged: an unknown entity "&nbsp;"`},
		{"bad cell name", `<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="2"><c r="2B"><v>2</v></c></row></sheetData></worksheet>`,
			`sheet "Data & more", row 2: column 1: a cell named "2B"`},
		{"past the last row", `<worksheet><sheetData><row r="1"><c><v>1</v></c></row><row r="1048577"/></sheetData></worksheet>`,
			`sheet "Data & more", after row 1: a row numbered 1048577, past Excel's last row`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := streamTable(t, handWorkbook(t, tc.sheet, nil))
			defer tb.close()
			var err error
			for err == nil {
				_, err = tb.next()
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// A deflate stream damaged in the middle of the sheet is an error of the row it is in, not a short file.
func TestXLSXStream_DamagedSheet(t *testing.T) {
	var sheet strings.Builder
	sheet.WriteString(`<worksheet><sheetData>`)
	for r := 1; r <= 20000; r++ {
		fmt.Fprintf(&sheet, `<row r="%d"><c t="inlineStr"><is><t>order %d %x</t></is></c><c><v>%d</v></c></row>`, r, r, r*7919, r)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	b := handWorkbook(t, sheet.String(), nil)
	i := bytes.Index(b, []byte("xl/worksheets/sheet1.xml"))
	for j := i + 2000; j < i+2100; j++ {
		b[j] ^= 0x55
	}
	tb := streamTable(t, b)
	defer tb.close()
	var err error
	for err == nil {
		_, err = tb.next()
	}
	t.Log(err)
	if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), `sheet "Data & more"`) {
		t.Errorf("damaged sheet: %v", err)
	}
}

// Packages the fast reader does not know go to excelize, which reads them as before.
func TestXLSXStream_FallsBack(t *testing.T) {
	sheet := `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Name</t></is></c></row></sheetData></worksheet>`
	b := handWorkbook(t, sheet, map[string]string{"_rels/.rels": ""})
	pkg, err := spoolPackage(bytes.NewReader(b), inMemoryPackage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openXLSXStream(pkg); err == nil {
		t.Fatal("the fast reader took a package without relationships")
	}
	tb, err := openXLSX(bytes.NewReader(b))
	if err == nil {
		tb.close()
	}
	_, ref := openExcelize(bytes.NewReader(b))
	if fmt.Sprint(err) != fmt.Sprint(ref) {
		t.Errorf("fallback: %v, excelize: %v", err, ref)
	}
}

// A sheet in another character set than UTF-8 is excelize's to decode.
func TestXLSXStream_OtherEncoding(t *testing.T) {
	sheet := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>K\xf6ln</t></is></c></row></sheetData></worksheet>"
	b := handWorkbook(t, sheet, nil)
	pkg, err := spoolPackage(bytes.NewReader(b), inMemoryPackage)
	if err != nil {
		t.Fatal(err)
	}
	defer pkg.close()
	if _, err := openXLSXStream(pkg); !errors.Is(err, errFallback) {
		t.Fatalf("the fast reader took a Latin-1 sheet: %v", err)
	}
	tb, err := openXLSX(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := openExcelize(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(allRows(t, tb)), fmt.Sprint(allRows(t, ref)); got != want {
		t.Errorf("rows %s, excelize %s", got, want)
	}
}

// A workbook too big to keep in memory is spooled to a temporary file, removed on close.
func TestXLSXStream_Spooled(t *testing.T) {
	b := handWorkbook(t, handSheet, nil)
	pkg, err := spoolPackage(bytes.NewReader(b), 100)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.spool == nil {
		t.Fatal("not spooled")
	}
	name := pkg.spool.Name()
	tb, err := openXLSXStream(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if rows := allRows(t, tb); len(rows) != 7 || rows[1].Cells[0] != " Name " {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
}

func FuzzXLSXStream(f *testing.F) {
	f.Add(handWorkbook(f, handSheet, nil))
	f.Add(handWorkbook(f, `<worksheet><sheetData><row><c t="s"><v>0</v></c></row></sheetData></worksheet>`,
		map[string]string{"xl/sharedStrings.xml": `<sst><si><t>a</t></si><si><r><t>b</t></r></si></sst>`}))
	x := excelize.NewFile()
	_ = x.SetSheetRow("Sheet1", "B2", &[]any{"a", 1, 2.5, true, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
	f.Add(workbookBytes(f, x))
	x.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		pkg, err := spoolPackage(bytes.NewReader(b), inMemoryPackage)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := openXLSXStream(pkg)
		if err != nil {
			pkg.close()
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		defer tb.close()
		for n := 0; n < 5000; n++ {
			r, err := tb.next()
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty error")
				}
				return
			}
			if r.Num != n+1 || len(r.Cells) != len(r.Numeric) && r.Numeric != nil {
				t.Fatalf("row %d: %+v", n+1, r)
			}
		}
	})
}

// BenchmarkReadXLSX reads every row of the 100,000-row benchmark workbook (bench/import.sh makes it)
// with each reader.
func BenchmarkReadXLSX(b *testing.B) {
	body, err := os.ReadFile("/tmp/backroom-bench/imports/shopify_100000.xlsx")
	if err != nil {
		b.Skip("no benchmark workbook:", err)
	}
	for _, r := range []struct {
		name string
		open func(io.Reader) (table, error)
	}{
		{"stream", func(r io.Reader) (table, error) {
			pkg, err := spoolPackage(r, inMemoryPackage)
			if err != nil {
				return nil, err
			}
			return openXLSXStream(pkg)
		}},
		{"excelize", openExcelize},
	} {
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for range b.N {
				tb, err := r.open(bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := tb.next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				tb.close()
				if n != 100001 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}

// TestXLSXStream_BenchmarkWorkbook compares the readers on every row of the benchmark workbook; excelize
// takes half a minute over it, so it runs only when asked: BACKROOM_XLSX_BENCH=1.
func TestXLSXStream_BenchmarkWorkbook(t *testing.T) {
	if os.Getenv("BACKROOM_XLSX_BENCH") == "" {
		t.Skip("set BACKROOM_XLSX_BENCH=1 to compare the readers on the benchmark workbook")
	}
	body, err := os.ReadFile("/tmp/backroom-bench/imports/shopify_100000.xlsx")
	if err != nil {
		t.Skip("no benchmark workbook:", err)
	}
	rows := sameAsExcelize(t, body)
	if len(rows) != 100001 {
		t.Errorf("%d rows", len(rows))
	}
}
