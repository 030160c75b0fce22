package accountsbook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

var csvNames = []string{"summary.csv", "sales.csv", "refunds-and-returns.csv", "cost-of-goods-sold.csv", "stock-valuation.csv", "purchases.csv"}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestWriteCSV(t *testing.T) {
	src, opt := fixture(t)
	dir := filepath.Join(t.TempDir(), "October") // made by WriteCSV
	res, err := WriteCSV(context.Background(), dir, src, opt)
	if err != nil {
		t.Fatalf("WriteCSV() error = %v", err)
	}
	if got, want := res.Totals, wantTotals(); !reflect.DeepEqual(got, want) {
		t.Errorf("Totals =\n%+v\nwant\n%+v", got, want)
	}
	if res.Rows != wantTotals().Rows {
		t.Errorf("Rows = %+v, want %+v", res.Rows, wantTotals().Rows)
	}
	var wantFiles []string
	for _, n := range csvNames {
		wantFiles = append(wantFiles, filepath.Join(dir, n))
	}
	if !reflect.DeepEqual(res.Files, wantFiles) {
		t.Errorf("Files = %q, want %q", res.Files, wantFiles)
	}
	sorted := append([]string(nil), csvNames...)
	sort.Strings(sorted)
	if got := dirNames(t, dir); !reflect.DeepEqual(got, sorted) {
		t.Errorf("the folder holds %q, want exactly %q (no temporary files)", got, sorted)
	}

	// The hash is what `sha256sum` lists for the files in sheet order.
	var listing strings.Builder
	var size int64
	content := map[string]string{}
	for _, n := range csvNames {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		content[n] = string(b)
		size += int64(len(b))
		fmt.Fprintf(&listing, "%x  %s\n", sha256.Sum256(b), n)
		if !strings.HasPrefix(string(b), "\ufeff") {
			t.Errorf("%s does not start with a UTF-8 byte order mark", n)
		}
	}
	sum := sha256.Sum256([]byte(listing.String()))
	if got, want := res.SHA256, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("SHA256 = %s, want %s, the hash of\n%s", got, want, listing.String())
	}
	if res.Bytes != size {
		t.Errorf("Bytes = %d, want %d", res.Bytes, size)
	}

	// Money in major units with the currency's decimals, London's dates and times, SKUs and order numbers
	// as they are, formula-like text behind an apostrophe (and quoted where CSV needs it).
	wantSales := "\ufeff" + strings.Join([]string{
		"Date,Time,Channel,Order ID,Line,SKU,Product,Quantity,Unit price,Goods,Discount,Shipping,Tax,Total,Currency",
		"2026-10-01,00:30,etsy,E-001,1,007,Stoneware mug,2,12.00,24.00,1.00,2.00,0.00,25.00,GBP",
		"2026-10-01,00:30,etsy,E-001,2,APRON,Linen apron,1,24.00,24.00,1.00,1.95,0.00,24.95,GBP",
		`2026-10-10,13:05,shopify,00123,1,0042,"'=HYPERLINK(""http://x"",""y"")",1,9.99,9.99,0.00,0.00,2.00,11.99,GBP`,
		"2026-10-26,10:00,shopify,S-2,1,DISH,'+1,3,12.50,37.50,0.00,0.00,7.50,45.00,EUR",
		"2026-10-27,08:00,amazon,'-2,1,,'@SUM(A1),1,9.00,9.00,0.00,0.00,0.00,9.00,GBP",
		"2026-10-28,09:00,etsy,E-JP,1,KOI,Koi tea towel,2,1500,3000,0,0,300,3300,JPY",
		`2026-10-31,23:59,shopify,S-K,1,DATES,"Dates, 1 kg",1,12.345,12.345,0.000,0.000,0.000,12.345,KWD`,
	}, "\r\n") + "\r\n"
	if got := content["sales.csv"]; got != wantSales {
		t.Errorf("sales.csv =\n%q\nwant\n%q", got, wantSales)
	}
	wantCosts := "\ufeff" + strings.Join([]string{
		"Date,Channel,Order ID,SKU,Product,Units,Unit cost,Cost,Currency,Note",
		"2026-10-01,etsy,E-001,007,Stoneware mug,2,4.00,8.00,GBP,",
		"2026-10-01,etsy,E-001,APRON,Linen apron,1,9.50,9.50,GBP,",
		`2026-10-10,shopify,00123,0042,"'=HYPERLINK(""http://x"",""y"")",1,3.00,3.00,GBP,`,
		"2026-10-26,shopify,S-2,DISH,'+1,3,4.05,12.15,EUR,",
		"2026-10-27,amazon,'-2,,'@SUM(A1),1,,,GBP,cost unknown",
		"2026-10-28,etsy,E-JP,KOI,Koi tea towel,2,500,1000,JPY,",
		"2026-10-31,shopify,S-K,DATES,\"Dates, 1 kg\",1,5.000,5.000,KWD,",
	}, "\r\n") + "\r\n"
	if got := content["cost-of-goods-sold.csv"]; got != wantCosts {
		t.Errorf("cost-of-goods-sold.csv =\n%q\nwant\n%q", got, wantCosts)
	}
	if got, want := content["purchases.csv"], "2026-10-06,PO-0002,'\tTabby ceramics,DISH,'+1,6,4.05,24.30,EUR\r\n"; !strings.HasSuffix(got, want) {
		t.Errorf("purchases.csv =\n%q\nwant it to end %q", got, want)
	}
	if got, want := content["refunds-and-returns.csv"], "2026-10-15,10:00,etsy,E-001,2026-10-01,007,Stoneware mug,1,damaged,damaged,write-off,12.00,GBP\r\n"; !strings.Contains(got, want) {
		t.Errorf("refunds-and-returns.csv =\n%q\nwant a line %q", got, want)
	}
	for _, line := range []string{
		"Hattie's Homewares accounts 2026-10\r\n",
		"From,2026-10-01\r\n", "To,2026-10-31\r\n", "Time zone,Europe/London\r\n", "Created,2026-11-02 09:15\r\n",
		"Channel,Currency,Orders,Lines,Goods,Discount,Shipping,Tax,Total,Refunds,Cost of goods,Gross margin\r\n",
		"etsy,GBP,1,2,48.00,2.00,3.95,0.00,49.95,12.00,17.50,20.45\r\n",
		"ebay,GBP,0,0,0.00,0.00,0.00,0.00,0.00,3.00,0.00,-3.00\r\n",
		"All channels,GBP,3,4,66.99,2.00,3.95,2.00,70.94,20.00,20.50,28.44\r\n",
		"All channels,JPY,1,1,3000,0,0,300,3300,0,1000,2000\r\n",
		"All channels,KWD,1,1,12.345,0.000,0.000,0.000,12.345,0.000,5.000,7.345\r\n",
		"Stock value at 2026-10-31,GBP,68.50\r\n", "Purchases received,EUR,24.30\r\n",
		"\r\n",
	} {
		if !strings.Contains(content["summary.csv"], line) {
			t.Errorf("summary.csv has no line %q:\n%s", line, content["summary.csv"])
		}
	}
}

// TestWriteCSV_FailureLeavesNothing: a failed export leaves neither new files nor temporary ones, and an
// earlier export's files as they were.
func TestWriteCSV_FailureLeavesNothing(t *testing.T) {
	for _, at := range []string{"sales", "costs", "purchases"} {
		t.Run(at, func(t *testing.T) {
			dir := t.TempDir()
			old := filepath.Join(dir, "summary.csv")
			if err := os.WriteFile(old, []byte("the export of last week"), 0o644); err != nil {
				t.Fatal(err)
			}
			src, opt := fixture(t)
			src.failAt = at
			if _, err := WriteCSV(context.Background(), dir, src, opt); !errors.Is(err, errFake) {
				t.Fatalf("WriteCSV() error = %v, want the source's", err)
			}
			if got := dirNames(t, dir); !reflect.DeepEqual(got, []string{"summary.csv"}) {
				t.Errorf("after the failure the folder holds %q, want only the old summary.csv", got)
			}
			if b, _ := os.ReadFile(old); string(b) != "the export of last week" {
				t.Errorf("the old summary.csv now holds %q", b)
			}
		})
	}
}

// TestWriteCSV_LibreOfficeKeepsText opens sales.csv in LibreOffice, which evaluates CSV fields starting
// with = as formulas (a control file shows it does), and checks the formula-like product names stay text.
func TestWriteCSV_LibreOfficeKeepsText(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("skipped: LibreOffice (soffice) is not installed")
	}
	src, opt := fixture(t)
	dir := t.TempDir()
	if _, err := WriteCSV(context.Background(), dir, src, opt); err != nil {
		t.Fatal(err)
	}
	control := filepath.Join(dir, "control.csv")
	if err := os.WriteFile(control, []byte("a\r\n=1+1\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, f := range []string{filepath.Join(dir, "sales.csv"), control} {
		cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(out, "profile"), "--headless", "--norestore",
			"--infilter=Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true", "--convert-to", "xlsx", "--outdir", out, f)
		cmd.Env = append(os.Environ(), "HOME="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
	}
	if c := openpyxl(t, filepath.Join(out, "control.xlsx")).Sheets[0].cell(t, "A2"); c.Type != "f" {
		t.Fatalf("LibreOffice read the control's =1+1 as %q %v, not as a formula: the test proves nothing", c.Type, c.V)
	}
	sales := openpyxl(t, filepath.Join(out, "sales.xlsx")).Sheets[0]
	// (Leading zeros, "007", are in the file, but a spreadsheet opening a CSV guesses "007" is the number
	// 7: keeping them is what the xlsx is for.)
	for ref, want := range map[string]string{"G4": "'" + injection, "G5": "'+1", "D6": "'-2", "G6": "'@SUM(A1)", "G2": "Stoneware mug"} {
		if c := sales.cell(t, ref); c.Type != "s" || c.V != want {
			t.Errorf("LibreOffice read sales.csv %s as %q %v, want the text %q", ref, c.Type, c.V, want)
		}
	}
}

func TestFileName(t *testing.T) {
	loc := london(t)
	day := func(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }
	period := func(from, to string) dataPeriod { return dataPeriod{from, to} }
	for _, c := range []struct {
		p    dataPeriod
		shop string
		want string
	}{
		{period(day(2026, 10, 1), day(2026, 10, 31)), "", "Backroom accounts 2026-10.xlsx"},
		{period(day(2026, 2, 1), day(2026, 2, 28)), "Hattie's Homewares", "Hattie's Homewares accounts 2026-02.xlsx"},
		{period(day(2026, 7, 1), day(2026, 9, 30)), "", "Backroom accounts 2026-Q3.xlsx"},
		{period(day(2026, 1, 1), day(2026, 3, 31)), "", "Backroom accounts 2026-Q1.xlsx"},
		{period(day(2026, 1, 1), day(2026, 12, 31)), "", "Backroom accounts 2026.xlsx"},
		{period(day(2026, 10, 5), day(2026, 11, 4)), "", "Backroom accounts 2026-10-05 to 2026-11-04.xlsx"},
		{period(day(2026, 10, 2), day(2026, 10, 31)), "", "Backroom accounts 2026-10-02 to 2026-10-31.xlsx"},
		{period(day(2026, 2, 1), day(2026, 4, 30)), "", "Backroom accounts 2026-02-01 to 2026-04-30.xlsx"}, // three months, not a quarter
		{period(day(2026, 10, 5), day(2026, 10, 5)), "", "Backroom accounts 2026-10-05.xlsx"},
		{period(day(2026, 10, 1), day(2026, 10, 31)), ` A/B: "shop"?* `, "AB shop accounts 2026-10.xlsx"},
		{period(day(2026, 10, 1), day(2026, 10, 31)), "../..", "Backroom accounts 2026-10.xlsx"},
	} {
		p := c.p.period(t, loc)
		if got := FileName(p, c.shop); got != c.want {
			t.Errorf("FileName(%s, %q) = %q, want %q", p, c.shop, got, c.want)
		}
	}
}

type dataPeriod struct{ from, to string }

func (d dataPeriod) period(t *testing.T, loc *time.Location) data.AccountsPeriod {
	t.Helper()
	from, err1 := time.Parse(time.DateOnly, d.from)
	to, err2 := time.Parse(time.DateOnly, d.to)
	p, err3 := data.NewAccountsPeriod(from, to, loc)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	return p
}
