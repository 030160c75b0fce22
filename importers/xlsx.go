package importers

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxTable streams the rows of a workbook's first sheet that has any, with excelize's row iterator,
// reading raw values: an order id's digits exactly (6295486857475, not 6.29549E+12) and a date as its
// serial number. Which columns hold dates only the formatted values tell ("3/29/25 14:49"), and
// formatting every cell doubles the cost of reading, so a second, formatted iterator runs beside the
// first only for the first rows, long enough to learn the date columns, which in an export are the
// same on every row.
type xlsxTable struct {
	file       *excelize.File
	raw, shown *excelize.Rows
	sheet      string
	num        int
	dateCols   map[int]bool
}

// learnRows is how many rows are read formatted as well as raw to find the date columns.
const learnRows = 50

// openXLSX reads a workbook with the fast streaming reader (xlsx_stream.go), and with excelize when
// the package is laid out in a way that reader does not know or is damaged where it looks first, so
// that such a file reads, or fails, as it always did.
func openXLSX(r io.Reader) (table, error) {
	pkg, err := spoolPackage(r, inMemoryPackage)
	if err != nil {
		return nil, fmt.Errorf("the workbook cannot be opened (damaged or cut off?): %w", err)
	}
	if err := checkZipLimits(pkg.ra, pkg.size); err != nil {
		pkg.close()
		return nil, err
	}
	if t, err := openXLSXStream(pkg); err == nil {
		return t, nil
	}
	defer pkg.close()
	return openExcelize(io.NewSectionReader(pkg.ra, 0, pkg.size))
}

// openExcelize reads a workbook with excelize's row iterator: slower, but it knows every layout.
func openExcelize(r io.Reader) (table, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzippedSize, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("the workbook cannot be opened (damaged or cut off?): %w", err)
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sheet %q cannot be read: %w", sheet, err)
		}
		if rows.Next() {
			// Re-open so the first row is not lost; Rows cannot rewind.
			rows.Close()
			t := &xlsxTable{file: f, sheet: sheet, dateCols: map[int]bool{}}
			if t.raw, err = f.Rows(sheet); err == nil {
				t.shown, err = f.Rows(sheet)
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("sheet %q cannot be read: %w", sheet, err)
			}
			return t, nil
		}
		if err := rows.Error(); err != nil {
			f.Close()
			return nil, fmt.Errorf("sheet %q cannot be read: %w", sheet, err)
		}
		rows.Close()
	}
	f.Close()
	return nil, fmt.Errorf("the workbook has no rows in any sheet")
}

func (t *xlsxTable) describe() string { return fmt.Sprintf("Excel workbook, sheet %q", t.sheet) }

func (t *xlsxTable) close() error {
	t.raw.Close()
	if t.shown != nil {
		t.shown.Close()
	}
	return t.file.Close()
}

func (t *xlsxTable) next() (Row, error) {
	if t.shown != nil && t.num >= learnRows {
		t.shown.Close()
		t.shown = nil
	}
	if !t.raw.Next() || t.shown != nil && !t.shown.Next() {
		err := t.raw.Error()
		if t.shown != nil {
			err = errors.Join(err, t.shown.Error())
		}
		if err != nil {
			return Row{}, fmt.Errorf("sheet %q, after row %d: %w", t.sheet, t.num, err)
		}
		return Row{}, io.EOF
	}
	t.num++
	raw, err := t.raw.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return Row{}, fmt.Errorf("sheet %q, row %d: %w", t.sheet, t.num, err)
	}
	var shown []string
	if t.shown != nil {
		if shown, err = t.shown.Columns(); err != nil {
			return Row{}, fmt.Errorf("sheet %q, row %d: %w", t.sheet, t.num, err)
		}
	}
	row := Row{Num: t.num, Cells: make([]string, len(raw)), Numeric: make([]bool, len(raw))}
	for i, v := range raw {
		if len(v) > maxCell {
			return Row{}, fmt.Errorf("sheet %q, row %d, column %d: a cell of %d MB; no export has cells that large", t.sheet, t.num, i+1, len(v)>>20)
		}
		row.Cells[i] = v
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || v == "" || strings.ContainsAny(v, "eE") {
			// Not a number; or one in scientific notation, which as text is an id a spreadsheet
			// damaged and as a number one too large to be exact: the id checks must see it as it is.
			continue
		}
		if i < len(shown) && shown[i] != v && isDateText(shown[i]) {
			t.dateCols[i] = true
		}
		if t.dateCols[i] {
			if text, ok := dateCellText(f, false); ok {
				row.Cells[i] = text
				continue
			}
		}
		// Text cells holding digits look the same here as number cells; both are marked, and id checks
		// only distrust what a double cannot hold.
		row.Numeric[i] = true
	}
	return row, nil
}

// dateCellText writes a date cell's serial number as a parser reads it: a date, or a date and time to
// the second. A date cell carries no time zone; the formats read this as wall time.
func dateCellText(serial float64, date1904 bool) (string, bool) {
	tm, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return "", false
	}
	if serial == math.Trunc(serial) {
		return tm.Format("2006-01-02"), true
	}
	return tm.Round(1e9).Format("2006-01-02 15:04:05"), true
}

// isDateText reports whether a formatted cell reads like a date or time rather than a number.
func isDateText(s string) bool {
	return strings.ContainsAny(s, "/:") || strings.Count(s, "-") >= 2 || strings.ContainsFunc(s, func(r rune) bool {
		return r >= 'A' && r <= 'z' && r != 'E' && r != 'e'
	})
}
