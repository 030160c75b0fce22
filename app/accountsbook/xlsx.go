package accountsbook

import (
	"archive/zip"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// WriteXLSX writes the period's workbook to w: the Summary, then Sales, Refunds and returns, Cost of
// goods sold, Stock valuation at the period's end and Purchases. The rows are read and written to
// temporary files first; w receives bytes only once every row has been read, so a failed read leaves w
// untouched. Result.SHA256 is of exactly the bytes written to w.
//
// Memory: excelize keeps each sheet's last stretch of XML in memory until the file is written, up to
// about 20 MB a sheet, some 75 MB for a year of 100,000 orders and no more for longer periods. Go's
// collector lets the heap grow to twice that before collecting; a program that must stay small sets a
// soft memory limit (debug.SetMemoryLimit, or GOMEMLIMIT): see BENCHMARKS.md.
func WriteXLSX(ctx context.Context, w io.Writer, src Source, opt Options) (Result, error) {
	b := newBook(opt)
	if err := b.start(ctx, src); err != nil {
		return Result{}, err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", summaryName); err != nil {
		return Result{}, fmt.Errorf("write workbook: %w", err)
	}
	for _, sh := range b.detailSheets() {
		if _, err := f.NewSheet(sh.name); err != nil {
			return Result{}, fmt.Errorf("write sheet %s: %w", sh.name, err)
		}
	}
	x := &xlsxSink{f: f, loc: periodLoc(opt.Period), styles: map[styleKey]int{}}
	p := startPipe(x)
	if err := p.finish(b.writeDetails(ctx, src, p)); err != nil {
		return Result{}, err
	}
	created := opt.Created
	if created.IsZero() {
		created = time.Now()
	}
	if err := x.writeSummary(b.summary(created)); err != nil {
		return Result{}, fmt.Errorf("write sheet %s: %w", summaryName, err)
	}
	// The Summary is the first sheet and so the active one. (SetActiveSheet would read every sheet back
	// in to mark it, parsing the streamed rows again.)
	if err := setProperties(f, opt, created); err != nil {
		return Result{}, fmt.Errorf("write workbook properties: %w", err)
	}

	// excelize's WriteTo assembles the whole zip in memory before copying it out: for a year of a busy
	// shop that is tens of megabytes held twice. Its zip writer hook is handed that buffer; ours ignores
	// it and writes straight to w, so the buffer stays empty. Deflate at its fastest level: on the
	// benchmark's year the sheets' 229 MB of XML still shrink to 35 MB; the default level's 27 MB made
	// the export take 12–14 s instead of 8.6.
	out := &hashWriter{w: w, h: sha256.New()}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(out)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		return zw
	})
	if _, err := f.WriteTo(io.Discard); err != nil {
		return Result{}, fmt.Errorf("write workbook: %w", err)
	}
	if out.err != nil {
		return Result{}, fmt.Errorf("write workbook: %w", out.err)
	}
	return Result{Totals: b.totals(), Rows: b.rows, SHA256: hex.EncodeToString(out.h.Sum(nil)), Bytes: out.n}, nil
}

func periodLoc(p data.AccountsPeriod) *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

func setProperties(f *excelize.File, opt Options, created time.Time) error {
	shop := opt.Shop
	if shop == "" {
		shop = "Backroom"
	}
	p := opt.Period
	stamp := created.UTC().Format(time.RFC3339)
	desc := fmt.Sprintf("Sales, refunds and returns, cost of goods sold, stock valuation at %s and purchases of %s for %s (%s).",
		p.To.Format(time.DateOnly), shop, p.String(), periodLoc(p))
	if opt.Author != "" {
		desc += " Exported by " + opt.Author + "."
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          shop + " accounts " + PeriodLabel(p),
		Subject:        p.String(),
		Creator:        "Backroom",
		LastModifiedBy: opt.Author,
		Description:    desc,
		Category:       "Accounts",
		Created:        stamp,
		Modified:       stamp,
		Language:       "en",
	}); err != nil {
		return err
	}
	return f.SetAppProps(&excelize.AppProperties{Application: "Backroom", Company: opt.Shop})
}

// hashWriter counts and hashes what it passes on to w, and keeps the first error, as the zip writer
// may not report it.
type hashWriter struct {
	w   io.Writer
	h   hash.Hash
	n   int64
	err error
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	if hw.err != nil {
		return 0, hw.err
	}
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	if err != nil {
		hw.err = err
	}
	return n, err
}

// xlsxSink streams detail sheets into the workbook, one stream writer at a time.
type xlsxSink struct {
	f      *excelize.File
	loc    *time.Location
	styles map[styleKey]int

	sh     *sheet
	sw     *excelize.StreamWriter
	cells  []any
	styled []excelize.Cell // the styled cells of the row being written, which cells points into
	n      int             // rows written, the header included
}

// frozenHeader keeps row 1 in view as the sheet scrolls.
func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

func (x *xlsxSink) begin(sh *sheet) error {
	sw, err := x.f.NewStreamWriter(sh.name)
	if err != nil {
		return err
	}
	x.sh, x.sw, x.n = sh, sw, 1
	// Widths and panes must come before the first row: the stream writer writes them ahead of the data.
	for i, c := range sh.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	head, err := x.style(styleKey{name: "header"})
	if err != nil {
		return err
	}
	x.cells, x.styled = make([]any, len(sh.cols)), make([]excelize.Cell, len(sh.cols))
	for i, c := range sh.cols {
		x.cells[i] = excelize.Cell{StyleID: head, Value: c.title}
	}
	return sw.SetRow("A1", x.cells)
}

func (x *xlsxSink) row(vals []value, currency string) error {
	for i, v := range vals {
		c, err := x.cell(x.sh.cols[i].kind, v, currency, false)
		if err != nil {
			return err
		}
		// A styled cell goes in by pointer to a cell kept for its column: boxing an excelize.Cell into
		// an interface for each of a year's millions of cells was a tenth of the export's garbage.
		if c.StyleID == 0 {
			x.cells[i] = c.Value
		} else {
			x.styled[i] = c
			x.cells[i] = &x.styled[i]
		}
	}
	x.n++
	return x.sw.SetRow("A"+strconv.Itoa(x.n), x.cells)
}

// end adds the auto filter over the rows written (the stream writer writes it out on Flush) and
// finishes the sheet.
func (x *xlsxSink) end(rows int) error {
	last, err := excelize.CoordinatesToCellName(len(x.sh.cols), rows+1)
	if err != nil {
		return err
	}
	if err := x.f.AutoFilter(x.sh.name, "A1:"+last, nil); err != nil {
		return err
	}
	return x.sw.Flush()
}

// cell makes a spreadsheet cell of v: text as text, never a formula; dates, times, counts and money
// as numbers with their formats.
func (x *xlsxSink) cell(k kind, v value, currency string, bold bool) (excelize.Cell, error) {
	if v.empty {
		return excelize.Cell{}, nil
	}
	var val any
	st := styleKey{bold: bold}
	switch k {
	case text:
		// Strings go into the sheet as inline strings (t="inlineStr"), which no reader evaluates. Those
		// that look like formulas also get the quote-prefix style, Excel's record of a typed leading
		// apostrophe, so editing the cell later keeps it text too.
		switch {
		case sheetcell.Risky(v.s):
			st.name = "quoted"
		case bold:
			st.name = "bold"
		default:
			return excelize.Cell{Value: v.s}, nil
		}
		val = v.s
	case date:
		st.name, val = "date", dateSerial(v.t.In(x.loc))
	case clock:
		st.name, val = "clock", clockSerial(v.t.In(x.loc))
	case datetime:
		st.name, val = "datetime", dateTimeSerial(v.t.In(x.loc))
	case count:
		st.name, val = "count", v.n
	case money:
		st.name, st.currency, val = "money", currency, majorUnits(v.n, currency)
	default:
		return excelize.Cell{}, fmt.Errorf("no cell format for a value of kind %d", k)
	}
	id, err := x.style(st)
	return excelize.Cell{StyleID: id, Value: val}, err
}

// writeSummary writes the Summary sheet, formulas with their cached values.
func (x *xlsxSink) writeSummary(rows [][]sumCell) error {
	sw, err := x.f.NewStreamWriter(summaryName)
	if err != nil {
		return err
	}
	for i, w := range summaryWidths() {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	for r, row := range rows {
		cells := make([]any, len(row))
		for i, sc := range row {
			v := value{s: sc.s, n: sc.n, t: sc.t, empty: sc.kind == text && sc.s == ""}
			c, err := x.cell(sc.kind, v, sc.currency, sc.bold)
			if err != nil {
				return err
			}
			if r == 0 && i == 0 && !sheetcell.Risky(sc.s) {
				if c.StyleID, err = x.style(styleKey{name: "title"}); err != nil {
					return err
				}
			}
			c.Formula = sc.formula
			if c.Value == nil && c.Formula == "" {
				continue // an empty cell
			}
			cells[i] = c
		}
		if err := sw.SetRow("A"+strconv.Itoa(r+1), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// styleKey names a cell style: a format (or "header", "title", "bold", "quoted"), bold or not, and for
// money the currency.
type styleKey struct {
	name     string
	bold     bool
	currency string
}

// style makes each cell style once.
func (x *xlsxSink) style(k styleKey) (int, error) {
	if id, ok := x.styles[k]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if k.bold {
		st.Font = &excelize.Font{Bold: true}
	}
	format := func(code string) { st.CustomNumFmt = &code }
	switch k.name {
	case "header":
		st.Font = &excelize.Font{Bold: true}
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF0F3"}}
		st.Border = []excelize.Border{{Type: "bottom", Color: "5F6670", Style: 1}}
	case "title":
		st.Font = &excelize.Font{Bold: true, Size: 14}
	case "bold":
		st.Font = &excelize.Font{Bold: true}
	case "quoted":
		// A left alignment (text's own) keeps this style apart from plain text's, which excelize would
		// otherwise hand out again for an identical style, quote prefix and all.
		st.Alignment = &excelize.Alignment{Horizontal: "left"}
	case "date":
		format("yyyy-mm-dd")
	case "clock":
		format("hh:mm")
	case "datetime":
		format("yyyy-mm-dd hh:mm")
	case "count":
		st.NumFmt = 3 // #,##0
	case "money":
		format(moneyFormat(k.currency))
	default:
		return 0, fmt.Errorf("no cell style %q", k.name)
	}
	id, err := x.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	if k.name == "quoted" {
		// excelize has no option for quotePrefix; its style sheet, loaded by NewStyle, has the attribute.
		if x.f.Styles == nil || x.f.Styles.CellXfs == nil || id >= len(x.f.Styles.CellXfs.Xf) {
			return 0, fmt.Errorf("mark cell style %d as text", id)
		}
		yes := true
		x.f.Styles.CellXfs.Xf[id].QuotePrefix = &yes
	}
	x.styles[k] = id
	return id, nil
}

// moneyFormat shows amounts of currency with its ISO code and as many decimals as its minor unit has:
// `#,##0.00 "GBP"`, `#,##0 "JPY"`, `#,##0.000 "KWD"`. The code, not a symbol: an accountant's workbook
// may hold dollars of three countries.
func moneyFormat(currency string) string {
	number := "#,##0"
	if d := data.MinorDigits(currency); d > 0 {
		number += "." + strings.Repeat("0", d)
	}
	if !data.ValidCurrency(currency) {
		return number
	}
	return number + ` "` + currency + `"`
}

// majorUnits is an amount in minor units as a number of major units: 1250 pence is 12.5 pounds. The
// shortest decimal that reads back as the float is the exact amount, which is what the sheet stores.
func majorUnits(minor int64, currency string) float64 {
	d := data.MinorDigits(currency)
	p := 1.0
	for range d {
		p *= 10
	}
	return float64(minor) / p
}

// dateSerial is t's calendar day, as its own zone counts it, as a spreadsheet serial number (days since
// 30 December 1899). The wall clock, not the instant, so a sale at 00:30 in London stays on its day
// whatever zone the spreadsheet is opened in.
func dateSerial(t time.Time) float64 {
	y, m, d := t.Date()
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epoch) / (24 * time.Hour))
}

// dateTimeSerial is t's wall-clock date and time as one serial number. excelize writes numbers cut (not
// rounded) to 15 significant digits, which for a date and time leaves ten decimals of a day and can land
// a few microseconds before the second, which LibreOffice then shows: 09:14:59 for 09:15. Rounding up
// to ten decimals first puts the value just after the second instead.
func dateTimeSerial(t time.Time) float64 {
	return math.Ceil((dateSerial(t)+clockSerial(t))*1e10) / 1e10
}

// clockSerial is t's time of day as a fraction of a day, to the second.
func clockSerial(t time.Time) float64 {
	return float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400
}
