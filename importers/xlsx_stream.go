package importers

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xlsxStream reads the rows of a workbook's first sheet that has any straight from the zip entry, with
// a hand-written XML scanner: excelize decodes every cell through encoding/xml's reflection, about
// 9 MB/s, which made reading a 100,000-row export take longer than converting it to CSV in LibreOffice.
// It gives the same rows as xlsxTable; what it cannot make sense of at open (an unusual package layout,
// a damaged part) is left to xlsxTable, so no workbook reads worse than before.
//
// Three things differ on purpose. A date is found from the cell's own number format, which the styles
// part says, rather than guessed for its column from how the first rows look formatted; a workbook
// using the 1904 date system gets its dates from 1904; and a TRUE/FALSE cell reads as "TRUE"/"FALSE",
// as Excel shows and exports it, where xlsxTable saw a 1 or 0, and in its first rows took the column
// for dates.
type xlsxStream struct {
	pkg      *xlsxPackage
	sheet    string
	rc       io.ReadCloser
	sc       *xmlScanner
	sst      []string
	dateXF   []bool // by cell style index: the style's number format shows a date or time
	date1904 bool

	// The sheet is read in a goroutine of its own, a batch of rows ahead of the import, so that reading
	// it costs the import next to no time on a machine with a second core.
	batches  chan rowBatch
	stop     chan struct{}
	exited   chan struct{}
	batch    []Row
	batchErr error

	// Read by the goroutine: the scanner, the scratch below, and these.
	last int // the number of the last row read
	done bool

	// Handed out by next.
	num    int  // the last row number handed out
	ahead  bool // row was read but gap rows before it are still to be handed out
	row    Row
	err    error // sticky: the scanner's position is lost after an error
	closed bool

	text  []byte // the current row's cell text, turned into one string per row as encoding/csv does
	cells []streamCell
	runs  []byte // rich-text runs of the cell being read
}

// streamCell is one cell of the row being read: text[start:end], or str when it came from the shared
// strings.
type streamCell struct {
	start, end int
	size       int // the decoded length, which may exceed what was kept
	str        string
	fromStr    bool
	date       bool
}

// Sheet limits as Excel has them; a row or column number past them is damage, and following it would
// hand out a million blank rows.
const (
	xlsxMaxRows = 1048576
	xlsxMaxCols = 16384
)

// inMemoryPackage is the largest workbook kept in memory; a bigger one is spooled to a temporary file
// so that only the sheet being read costs memory, and that only a window of it. Writing a file is a few
// milliseconds against the seconds its rows take to import.
const inMemoryPackage = 4 << 20

// maxSharedStrings bounds the shared strings kept in memory: a real export's are a fraction of it, and
// a damaged or hostile count would otherwise take all memory before the first row.
const maxSharedStrings = 256 << 20

// errFallback marks a package the fast reader does not understand; excelize gets to try it.
var errFallback = errors.New("not a layout the fast reader knows")

// xlsxPackage is the workbook's zip, in memory or in a temporary file.
type xlsxPackage struct {
	ra    io.ReaderAt
	size  int64
	spool *os.File
	zr    *zip.Reader
	files map[string]*zip.File
}

// spoolPackage takes the whole workbook from r, as a zip is read from its end: in memory up to
// inMemory bytes, else in a temporary file.
func spoolPackage(r io.Reader, inMemory int64) (*xlsxPackage, error) {
	var head bytes.Buffer
	n, err := head.ReadFrom(io.LimitReader(r, inMemory+1))
	if err != nil {
		return nil, fmt.Errorf("reading the workbook: %w", err)
	}
	if n <= inMemory {
		b := head.Bytes()
		return &xlsxPackage{ra: bytes.NewReader(b), size: int64(len(b))}, nil
	}
	f, err := os.CreateTemp("", "backroom-*.xlsx")
	if err != nil {
		return nil, fmt.Errorf("making room for the workbook: %w", err)
	}
	p := &xlsxPackage{ra: f, spool: f}
	if _, err := head.WriteTo(f); err != nil {
		p.close()
		return nil, fmt.Errorf("copying the workbook to a temporary file: %w", err)
	}
	rest, err := io.Copy(f, r)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("copying the workbook to a temporary file: %w", err)
	}
	p.size = n + rest
	return p, nil
}

func (p *xlsxPackage) close() error {
	if p.spool == nil {
		return nil
	}
	err := p.spool.Close()
	if rerr := os.Remove(p.spool.Name()); err == nil {
		err = rerr
	}
	p.spool = nil
	return err
}

// file finds a part by the name excelize would: backslashes as slashes, no leading slash.
func (p *xlsxPackage) file(name string) *zip.File {
	return p.files[strings.TrimPrefix(name, "/")]
}

// openXLSXStream opens the package's first sheet that has a row. Any error means the caller should let
// excelize try; the package is the stream's to close only on success.
func openXLSXStream(p *xlsxPackage) (*xlsxStream, error) {
	zr, err := zip.NewReader(p.ra, p.size)
	if err != nil {
		return nil, fmt.Errorf("opening the zip: %w", err)
	}
	p.zr = zr
	p.files = make(map[string]*zip.File, len(zr.File))
	var sstFile *zip.File
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		p.files[name] = f
		// excelize finds the shared strings whatever their case.
		if strings.EqualFold(name, "xl/sharedStrings.xml") {
			sstFile = f
		}
	}

	wbPath, err := workbookPath(p)
	if err != nil {
		return nil, err
	}
	wb, err := readWorkbook(p.file(wbPath))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", wbPath, err)
	}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	rels, err := readRels(p.file(relsPath))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", relsPath, err)
	}
	t := &xlsxStream{pkg: p, date1904: wb.date1904}
	if f := p.file("xl/styles.xml"); f != nil {
		if t.dateXF, err = readStyles(f); err != nil {
			return nil, fmt.Errorf("xl/styles.xml: %w", err)
		}
	}
	if sstFile != nil {
		if t.sst, err = readSharedStrings(sstFile); err != nil {
			return nil, fmt.Errorf("xl/sharedStrings.xml: %w", err)
		}
	}
	for _, s := range wb.sheets {
		target, ok := rels[s.rid]
		if !ok {
			return nil, fmt.Errorf("sheet %q has no part: %w", s.name, errFallback)
		}
		// As excelize resolves it: relative to the workbook's folder unless absolute.
		part := path.Clean(path.Dir(wbPath) + "/" + strings.ReplaceAll(target, `\`, "/"))
		if strings.HasPrefix(target, "/") {
			part = path.Clean(strings.ReplaceAll(target, `\`, "/"))
		}
		f := p.file(part)
		if f == nil {
			return nil, fmt.Errorf("sheet %q: no part %s: %w", s.name, part, errFallback)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", s.name, err)
		}
		t.sheet, t.rc, t.sc = s.name, rc, newXMLScanner(rc)
		if err := t.sc.checkEncoding(); err != nil {
			rc.Close()
			return nil, fmt.Errorf("sheet %q: %w", s.name, err)
		}
		t.last, t.done = 0, false
		row, err := t.readRow()
		if err == nil {
			// Kept back so that next hands out the gap rows above it first, if there are any.
			t.row, t.ahead = row, true
			t.batches, t.stop, t.exited = make(chan rowBatch, 2), make(chan struct{}), make(chan struct{})
			go t.produce()
			return t, nil
		}
		rc.Close()
		if !errors.Is(err, io.EOF) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no sheet has rows: %w", errFallback)
}

func (t *xlsxStream) describe() string { return fmt.Sprintf("Excel workbook, sheet %q", t.sheet) }

func (t *xlsxStream) close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	close(t.stop)
	<-t.exited
	err := t.rc.Close()
	if perr := t.pkg.close(); err == nil {
		err = perr
	}
	return err
}

func (t *xlsxStream) next() (Row, error) {
	if t.ahead {
		if t.num+1 < t.row.Num {
			// The sheet skips rows that have nothing in them; they are rows all the same, and keeping
			// them keeps every row's number the one Excel shows.
			t.num++
			return Row{Num: t.num}, nil
		}
		t.ahead = false
		t.num = t.row.Num
		return t.row, nil
	}
	if t.err != nil {
		return Row{}, t.err
	}
	row, err := t.pull()
	if err != nil {
		t.err = err
		return Row{}, err
	}
	if row.Num > t.num+1 {
		t.row, t.ahead = row, true
		return t.next()
	}
	t.num = row.Num
	return row, nil
}

// batchRows is how many rows go to the import at a time: enough that handing them over costs nothing,
// few enough that the first arrive at once.
const batchRows = 128

type rowBatch struct {
	rows []Row
	err  error // after the rows; io.EOF at the end of the sheet
}

// produce reads the rows after the first, which openXLSXStream read, until the end, an error or close.
func (t *xlsxStream) produce() {
	defer close(t.exited)
	rows := make([]Row, 0, batchRows)
	for {
		select {
		case <-t.stop:
			return // closed before the end of the sheet
		default:
		}
		row, err := t.readRow()
		if err == nil {
			rows = append(rows, row)
			if len(rows) < batchRows {
				continue
			}
		}
		select {
		case t.batches <- rowBatch{rows, err}:
		case <-t.stop:
			return
		}
		if err != nil {
			return
		}
		rows = make([]Row, 0, batchRows)
	}
}

// pull takes the next row the goroutine read.
func (t *xlsxStream) pull() (Row, error) {
	for len(t.batch) == 0 {
		if t.batchErr != nil {
			return Row{}, t.batchErr
		}
		b := <-t.batches
		t.batch, t.batchErr = b.rows, b.err
	}
	r := t.batch[0]
	t.batch = t.batch[1:]
	return r, nil
}

// readRow reads up to and through the next <row>, or returns io.EOF at the end of the sheet data.
func (t *xlsxStream) readRow() (Row, error) {
	sc := t.sc
	if t.done {
		return Row{}, io.EOF
	}
	for {
		kind, err := sc.next()
		if err != nil {
			return Row{}, fmt.Errorf("sheet %q, after row %d: %w", t.sheet, t.last, err)
		}
		if kind == tokEOF || kind == tokEnd && string(sc.name) == "sheetData" {
			t.done = true
			return Row{}, io.EOF
		}
		if kind == tokStart && string(sc.name) == "row" {
			break
		}
	}
	num := t.last + 1
	if r, ok := sc.attr("r"); ok {
		n, ok := atoi(r)
		switch {
		case !ok || n < 0:
			return Row{}, fmt.Errorf("sheet %q, after row %d: a row numbered %q", t.sheet, t.last, r)
		case n > xlsxMaxRows:
			return Row{}, fmt.Errorf("sheet %q, after row %d: a row numbered %d, past Excel's last row", t.sheet, t.last, n)
		case n > t.last:
			num = n
		}
		// Rows out of order or numbered 0 are taken as the next row, as excelize counts them.
	}
	if num > xlsxMaxRows {
		return Row{}, fmt.Errorf("sheet %q: more rows than Excel's %d", t.sheet, xlsxMaxRows)
	}
	t.text, t.cells = t.text[:0], t.cells[:0]
	if !sc.empty {
		if err := t.readCells(); err != nil {
			return Row{}, fmt.Errorf("sheet %q, row %d: %w", t.sheet, num, err)
		}
	}
	row, err := t.finishRow(num)
	if err == nil {
		t.last = num
	}
	return row, err
}

// readCells reads the cells of a row whose start tag was just read, through its end tag.
func (t *xlsxStream) readCells() error {
	sc := t.sc
	col := 0
	for {
		kind, err := sc.next()
		if err != nil {
			return err
		}
		switch {
		case kind == tokEOF:
			return fmt.Errorf("the sheet ends inside a row: %w", io.ErrUnexpectedEOF)
		case kind == tokEnd:
			switch string(sc.name) {
			case "row":
				return nil
			case "sheetData":
				t.done = true
				return nil
			}
		case string(sc.name) == "c":
			if err := t.readCell(&col); err != nil {
				return fmt.Errorf("column %d: %w", col, err)
			}
		case !sc.empty:
			if err := sc.skipElement(); err != nil {
				return err
			}
		}
	}
}

// Cell types, from the t attribute.
const (
	cellNumber = iota
	cellShared
	cellInline
	cellBool
	cellOther // str, e, d and whatever else: the value as written
)

// readCell reads one <c> whose start tag was just read. col is the previous cell's column.
func (t *xlsxStream) readCell(col *int) error {
	sc := t.sc
	typ, style := cellNumber, -1
	*col++
	for _, a := range sc.attrs {
		switch string(a.name) {
		case "r":
			c, err := cellColumn(a.value)
			if err != nil {
				return err
			}
			*col = c
		case "s":
			n, ok := atoi(a.value)
			if !ok {
				return fmt.Errorf("a cell style %q", a.value)
			}
			style = n
		case "t":
			switch string(a.value) {
			case "s":
				typ = cellShared
			case "inlineStr":
				typ = cellInline
			case "b":
				typ = cellBool
			case "n", "":
				typ = cellNumber
			default:
				typ = cellOther
			}
		}
	}
	if sc.empty {
		return nil // no value, no formula: nothing excelize would show
	}
	var (
		v, is        streamCell
		hasV, hasIS  bool
		hasF         bool
		limit        = len(t.text) + maxCell + 1
		cellTextFrom = len(t.text)
	)
	for {
		kind, err := sc.next()
		if err != nil {
			return err
		}
		if kind == tokEOF {
			return fmt.Errorf("the sheet ends inside a cell: %w", io.ErrUnexpectedEOF)
		}
		if kind == tokEnd {
			break
		}
		switch string(sc.name) {
		case "v":
			// A second <v> replaces the first, as in excelize.
			hasV = true
			v = streamCell{start: len(t.text)}
			if !sc.empty {
				var over int
				if t.text, over, err = sc.elementText(t.text, limit); err != nil {
					return err
				}
				v.end, v.size = len(t.text), len(t.text)-v.start+over
			} else {
				v.end = v.start
			}
		case "f":
			hasF = true
			if !sc.empty {
				if err := sc.skipElement(); err != nil {
					return err
				}
			}
		case "is":
			hasIS = true
			if is, err = t.readRich(limit); err != nil {
				return err
			}
		default:
			if !sc.empty {
				if err := sc.skipElement(); err != nil {
					return err
				}
			}
		}
	}
	if !hasV {
		v = streamCell{start: cellTextFrom, end: cellTextFrom}
	}
	var c streamCell
	switch {
	case typ == cellShared:
		c.fromStr = true
		if v.end > v.start {
			i, err := strconv.Atoi(strings.TrimSpace(string(t.text[v.start:v.end])))
			if err != nil {
				i = 0 // what excelize makes of an index that is not a number
			}
			if i >= 0 && i < len(t.sst) {
				c.str = t.sst[i]
			}
			c.size = len(c.str)
		}
	case typ == cellInline && hasIS:
		c = is
	case typ == cellBool && v.end-v.start == 1 && (t.text[v.start] == '1' || t.text[v.start] == '0'):
		c.fromStr, c.str = true, "FALSE"
		if t.text[v.start] == '1' {
			c.str = "TRUE"
		}
		c.size = len(c.str)
	default:
		c = v
		c.date = typ == cellNumber && style >= 0 && style < len(t.dateXF) && t.dateXF[style]
	}
	if !c.fromStr && !utf8.Valid(t.text[c.start:c.end]) {
		return errors.New("text that is not UTF-8")
	}
	if c.size == 0 && !hasF {
		return nil
	}
	for len(t.cells) < *col-1 {
		t.cells = append(t.cells, streamCell{fromStr: true})
	}
	t.cells = append(t.cells, c)
	return nil
}

// readRich reads an <is> or <si> whose start tag was just read: a plain <t>, or runs <r><t>, or both;
// phonetic guides are not part of the text. It appends the text to t.text.
func (t *xlsxStream) readRich(limit int) (streamCell, error) {
	sc := t.sc
	c := streamCell{start: len(t.text), end: len(t.text)}
	if sc.empty {
		return c, nil
	}
	t.runs = t.runs[:0]
	runsOver, plainOver := 0, 0
	for {
		kind, err := sc.next()
		if err != nil {
			return c, err
		}
		if kind == tokEOF {
			return c, fmt.Errorf("the part ends inside a string: %w", io.ErrUnexpectedEOF)
		}
		if kind == tokEnd {
			break
		}
		switch string(sc.name) {
		case "t":
			// excelize keeps the last plain <t>.
			c = streamCell{start: len(t.text), end: len(t.text)}
			if !sc.empty {
				if t.text, plainOver, err = sc.elementText(t.text, limit); err != nil {
					return c, err
				}
				c.end = len(t.text)
			}
		case "r":
			if sc.empty {
				continue
			}
			runStart := len(t.runs)
			for {
				kind, err := sc.next()
				if err != nil {
					return c, err
				}
				if kind == tokEOF {
					return c, fmt.Errorf("the part ends inside a string: %w", io.ErrUnexpectedEOF)
				}
				if kind == tokEnd {
					break
				}
				if string(sc.name) == "t" {
					t.runs = t.runs[:runStart]
					if !sc.empty {
						var over int
						if t.runs, over, err = sc.elementText(t.runs, maxCell+1); err != nil {
							return c, err
						}
						runsOver += over
					}
				} else if !sc.empty {
					if err := sc.skipElement(); err != nil {
						return c, err
					}
				}
			}
		default:
			if !sc.empty {
				if err := sc.skipElement(); err != nil {
					return c, err
				}
			}
		}
	}
	if len(t.runs) > 0 || runsOver > 0 {
		plain := t.text[c.start:c.end]
		c.start = len(t.text)
		t.text = append(t.text, plain...)
		t.text = append(t.text, t.runs[:min(len(t.runs), max(0, limit-len(t.text)))]...)
		c.end = len(t.text)
	}
	c.size = c.end - c.start + plainOver + runsOver
	if bytes.Contains(t.text[c.start:c.end], []byte("_x")) {
		s := unescapeOOXML(string(t.text[c.start:c.end]))
		c.start = len(t.text)
		t.text = append(t.text, s...)
		c.end = len(t.text)
		c.size = c.end - c.start + plainOver + runsOver
	}
	return c, nil
}

// finishRow turns the cells read into a Row: one string holds the row's text, as encoding/csv does it,
// so a row costs three allocations whatever its width.
func (t *xlsxStream) finishRow(num int) (Row, error) {
	text := string(t.text)
	row := Row{Num: num, Cells: make([]string, len(t.cells)), Numeric: make([]bool, len(t.cells))}
	for i, c := range t.cells {
		if c.size > maxCell {
			return Row{}, fmt.Errorf("sheet %q, row %d, column %d: a cell of %d MB; no export has cells that large", t.sheet, num, i+1, c.size>>20)
		}
		v := c.str
		if !c.fromStr {
			v = text[c.start:c.end]
		}
		row.Cells[i] = v
		if v == "" || !maybeNumber(v) {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || strings.ContainsAny(v, "eE") {
			// As xlsxTable: scientific notation is an id a spreadsheet damaged, and must be seen as written.
			continue
		}
		if c.date {
			if text, ok := dateCellText(f, t.date1904); ok {
				row.Cells[i] = text
				continue
			}
		}
		row.Numeric[i] = true
	}
	return row, nil
}

// maybeNumber rules out most text before strconv.ParseFloat, which is costly on the names and
// addresses that fill an export. It lets through everything ParseFloat accepts: digits, signs, dots,
// "Inf", "NaN" and hexadecimal.
func maybeNumber(v string) bool {
	switch c := v[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.', c == 'i', c == 'I', c == 'n', c == 'N':
		return true
	}
	return false
}

// cellColumn reads the column of a cell reference such as "B3" or "$AA$10", as excelize checks it.
func cellColumn(ref []byte) (int, error) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		case c == '$':
			continue
		default:
			goto digits
		}
		if col > xlsxMaxCols {
			return 0, fmt.Errorf("a cell %q past Excel's last column", ref)
		}
	}
digits:
	if col == 0 || i == len(ref) {
		return 0, fmt.Errorf("a cell named %q", ref)
	}
	row, ok := atoi(ref[i:])
	if !ok || row <= 0 || row > xlsxMaxRows {
		return 0, fmt.Errorf("a cell named %q", ref)
	}
	return col, nil
}

// atoi reads a decimal integer with an optional sign, as strconv.Atoi does, without making a string of
// it: it runs for every cell.
func atoi(b []byte) (int, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, b = b[0] == '-', b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// unescapeOOXML undoes Excel's escaping of characters XML cannot carry, "_x000D_" for a carriage
// return and "_x005F_" for the underscore itself, as excelize does for shared and inline strings.
func unescapeOOXML(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i+7 <= len(s); {
		if s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
			i++
			continue
		}
		n, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if err != nil {
			i++
			continue
		}
		b.WriteString(s[last:i])
		if r := rune(n); utf8.ValidRune(r) {
			b.WriteRune(r) // "_x005F_" is '_'; a lone surrogate is dropped, as excelize drops it
		}
		i += 7
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// workbookPath finds the workbook part from the package relationships, as excelize does.
func workbookPath(p *xlsxPackage) (string, error) {
	rels, err := readRelsTyped(p.file("_rels/.rels"))
	if err != nil {
		return "", fmt.Errorf("_rels/.rels: %w", err)
	}
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			name := strings.TrimPrefix(r.target, "/")
			if p.file(name) == nil {
				return "", fmt.Errorf("no workbook part %s: %w", name, errFallback)
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("no workbook in the package: %w", errFallback)
}

type workbookInfo struct {
	date1904 bool
	sheets   []struct{ name, rid string }
}

func readWorkbook(f *zip.File) (workbookInfo, error) {
	var wb workbookInfo
	err := scanPart(f, func(sc *xmlScanner) error {
		switch string(sc.name) {
		case "workbookPr":
			if v, ok := sc.attr("date1904"); ok {
				b, err := strconv.ParseBool(strings.TrimSpace(decodeAttr(v)))
				if err != nil {
					return fmt.Errorf("date1904=%q: %w", v, errFallback)
				}
				wb.date1904 = b
			}
		case "sheet":
			name, _ := sc.attr("name")
			id, _ := sc.attr("id")
			if len(wb.sheets) > 1<<16 {
				return fmt.Errorf("too many sheets: %w", errFallback)
			}
			wb.sheets = append(wb.sheets, struct{ name, rid string }{decodeAttr(name), decodeAttr(id)})
		}
		return nil
	})
	return wb, err
}

type relationship struct{ id, typ, target string }

func readRelsTyped(f *zip.File) ([]relationship, error) {
	var rels []relationship
	err := scanPart(f, func(sc *xmlScanner) error {
		if string(sc.name) == "Relationship" {
			id, _ := sc.attr("Id")
			typ, _ := sc.attr("Type")
			target, _ := sc.attr("Target")
			if len(rels) > 1<<16 {
				return fmt.Errorf("too many relationships: %w", errFallback)
			}
			rels = append(rels, relationship{decodeAttr(id), decodeAttr(typ), decodeAttr(target)})
		}
		return nil
	})
	return rels, err
}

// readRels maps the workbook's relationship ids to their targets; the first of a repeated id wins, as
// excelize's loop finds it first.
func readRels(f *zip.File) (map[string]string, error) {
	rels, err := readRelsTyped(f)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(rels))
	for _, r := range rels {
		if _, ok := m[r.id]; !ok {
			m[r.id] = r.target
		}
	}
	return m, nil
}

// scanPart calls fn for every start tag of a small part, with its attributes.
func scanPart(f *zip.File, fn func(sc *xmlScanner) error) error {
	if f == nil {
		return fmt.Errorf("missing: %w", errFallback)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	if err := sc.checkEncoding(); err != nil {
		return err
	}
	for {
		kind, err := sc.next()
		if err != nil {
			return err
		}
		if kind == tokEOF {
			return nil
		}
		if kind == tokStart {
			if err := fn(sc); err != nil {
				return err
			}
		}
	}
}

// readStyles tells, for each cell style, whether its number format shows a date or time.
func readStyles(f *zip.File) ([]bool, error) {
	custom := map[int]string{}
	var xfs []int
	inNumFmts, inCellXfs := false, false
	err := scanPart(f, func(sc *xmlScanner) error {
		switch string(sc.name) {
		case "numFmts":
			inNumFmts = !sc.empty
		case "cellXfs":
			inCellXfs = !sc.empty
		case "cellStyleXfs", "dxfs", "cellStyles":
			// <xf> and <numFmt> under these are not the cell formats.
			inNumFmts, inCellXfs = false, false
		case "numFmt":
			if !inNumFmts {
				return nil
			}
			idv, _ := sc.attr("numFmtId")
			id, err := strconv.Atoi(strings.TrimSpace(decodeAttr(idv)))
			if err != nil {
				return fmt.Errorf("numFmtId %q: %w", idv, errFallback)
			}
			code, _ := sc.attr("formatCode")
			if c16, ok := sc.attr("formatCode16"); ok && len(c16) > 0 {
				code = c16 // excelize prefers the newer attribute
			}
			if _, seen := custom[id]; !seen {
				custom[id] = decodeAttr(code)
			}
		case "xf":
			if !inCellXfs {
				return nil
			}
			id := 0
			if v, ok := sc.attr("numFmtId"); ok {
				n, err := strconv.Atoi(strings.TrimSpace(decodeAttr(v)))
				if err != nil {
					return fmt.Errorf("numFmtId %q: %w", v, errFallback)
				}
				id = n
			}
			if len(xfs) > 1<<20 {
				return fmt.Errorf("too many cell styles: %w", errFallback)
			}
			xfs = append(xfs, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	dates := make([]bool, len(xfs))
	for i, id := range xfs {
		if code, ok := custom[id]; ok {
			dates[i] = isDateFormat(code)
		} else {
			dates[i] = isBuiltInDateFormat(id)
		}
	}
	return dates, nil
}

// isBuiltInDateFormat reports whether a number format Excel defines without writing it down shows a
// date or time; 27–36 and 50–58 are the East Asian date formats.
func isBuiltInDateFormat(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat reports whether a number format code shows a date or time: a d, m, y, h or s that is
// not quoted text, an escaped character, or inside brackets ([Red], [$€-407], [h] elapsed hours, which
// come with a :mm anyway).
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				i += j + 1
			} else {
				return false
			}
		case '\\', '_', '*':
			i++ // the next character is literal, or padding
		case 'd', 'D', 'm', 'M', 'y', 'Y', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}

// readSharedStrings reads the workbook's string table.
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// A stream's cell reading serves the <si> items as it does <is>.
	t := &xlsxStream{sc: newXMLScanner(rc)}
	if err := t.sc.checkEncoding(); err != nil {
		return nil, err
	}
	var out []string
	total := 0
	for {
		kind, err := t.sc.next()
		if err != nil {
			return nil, fmt.Errorf("string %d: %w", len(out), err)
		}
		if kind == tokEOF {
			return out, nil
		}
		if kind != tokStart || string(t.sc.name) != "si" {
			continue
		}
		t.text = t.text[:0]
		c, err := t.readRich(maxCell + 1)
		if err != nil {
			return nil, fmt.Errorf("string %d: %w", len(out), err)
		}
		if !utf8.Valid(t.text[c.start:c.end]) {
			return nil, fmt.Errorf("string %d is not UTF-8", len(out))
		}
		total += c.end - c.start + 16
		if total > maxSharedStrings {
			return nil, fmt.Errorf("more than %d MB of strings: %w", maxSharedStrings>>20, errFallback)
		}
		out = append(out, string(t.text[c.start:c.end]))
	}
}

// decodeAttr decodes an attribute value's entities; a value that cannot be decoded is kept as written,
// for names and ids only.
func decodeAttr(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return string(v)
	}
	sc := newXMLScanner(bytes.NewReader(append(append([]byte(nil), v...), '<')))
	out, _, err := sc.appendText(nil, len(v)+1)
	if err != nil {
		return string(v)
	}
	return string(out)
}

// xmlScanner is a pull tokenizer for the XML Excel and LibreOffice write. It keeps a window of the
// stream, hands out start and end tags with their local names, and decodes character data only where
// the caller asks for it. It does not check that tags nest; the readers above only follow the
// elements they know.
type xmlScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	rerr     error // from r; io.EOF at its end

	// Set by next for the tag it returns; valid until the next call.
	name  []byte // local name, without a namespace prefix
	attrs []xmlAttr
	empty bool // a self-closing start tag
}

type xmlAttr struct{ name, value []byte }

// Kinds of token next returns.
const (
	tokEOF = iota
	tokStart
	tokEnd
)

// maxToken bounds a tag, comment or other construct that must be seen whole; no sheet has one near it.
const maxToken = 4 << 20

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 64<<10), attrs: make([]xmlAttr, 0, 8)}
}

// fill reads more of the stream behind the unread bytes, moving them to the front; it reports whether
// anything was added. Slices into the buffer are invalid after it.
func (s *xmlScanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.end -= s.pos
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxToken {
			s.rerr = fmt.Errorf("an XML construct longer than %d MB", maxToken>>20)
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// failed is the error for a construct the stream ended inside of.
func (s *xmlScanner) failed() error {
	if s.rerr == nil || errors.Is(s.rerr, io.EOF) {
		return fmt.Errorf("the XML is cut off: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading the XML (damaged or cut off?): %w", s.rerr)
}

// ensure makes n unread bytes available, if the stream has them.
func (s *xmlScanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// checkEncoding refuses a part that is not UTF-8, which excelize decodes and this scanner does not.
func (s *xmlScanner) checkEncoding() error {
	s.ensure(512)
	b := bytes.TrimPrefix(s.buf[s.pos:s.end], []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return fmt.Errorf("UTF-16 XML: %w", errFallback)
	}
	end := bytes.Index(b, []byte("?>"))
	if !bytes.HasPrefix(b, []byte("<?xml")) || end < 0 {
		return nil
	}
	decl := b[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return nil
	}
	v := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		if j := bytes.IndexByte(v[1:], v[0]); j >= 0 {
			v = v[1 : j+1]
		}
	}
	switch strings.ToLower(string(v)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil
	}
	return fmt.Errorf("XML in %q: %w", v, errFallback)
}

// next skips character data, comments, processing instructions, CDATA and DOCTYPE, and returns the
// next start or end tag, or tokEOF at the end of the stream.
func (s *xmlScanner) next() (int, error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.pos = s.end
			if !s.fill() {
				if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
					return 0, s.failed()
				}
				return tokEOF, nil
			}
			continue
		}
		s.pos += i
		if s.end-s.pos < 2 && !s.ensure(2) {
			return 0, s.failed()
		}
		switch s.buf[s.pos+1] {
		case '/':
			return s.endTag()
		case '?', '!':
			if err := s.skipMarkup(); err != nil {
				return 0, err
			}
		default:
			return s.startTag()
		}
	}
}

// skipMarkup skips the comment, processing instruction, CDATA section or DOCTYPE at pos.
func (s *xmlScanner) skipMarkup() error {
	s.ensure(9)
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, []byte("<?")):
		return s.skipPast("?>", 2)
	case bytes.HasPrefix(b, []byte("<!--")):
		return s.skipPast("-->", 4)
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		return s.skipPast("]]>", 9)
	default:
		// <!DOCTYPE …> with an internal subset in brackets, which may hold '>'.
		depth := 0
		for i := s.pos + 2; ; i++ {
			if i >= s.end {
				i -= s.pos
				if !s.fill() {
					return s.failed()
				}
				i += s.pos
			}
			switch s.buf[i] {
			case '[':
				depth++
			case ']':
				depth--
			case '>':
				if depth <= 0 {
					s.pos = i + 1
					return nil
				}
			}
		}
	}
}

// skipPast moves past the first end after skip bytes from pos.
func (s *xmlScanner) skipPast(end string, skip int) error {
	s.pos += skip
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], []byte(end)); i >= 0 {
			s.pos += i + len(end)
			return nil
		}
		// Keep a possible start of end for the next round.
		s.pos = max(s.pos, s.end-len(end)+1)
		if !s.fill() {
			return s.failed()
		}
	}
}

func (s *xmlScanner) endTag() (int, error) {
	for {
		b := s.buf[s.pos:s.end]
		if i := bytes.IndexByte(b, '>'); i >= 0 {
			n := b[2:i]
			for len(n) > 0 && isSpace(n[len(n)-1]) {
				n = n[:len(n)-1]
			}
			s.name = localName(n)
			s.pos += i + 1
			return tokEnd, nil
		}
		if s.end-s.pos >= maxToken || !s.fill() {
			return 0, s.failed()
		}
	}
}

// startTag reads the start tag at pos with its attributes. A tag cut by the end of the window is read
// again from its start once more of the stream is in.
func (s *xmlScanner) startTag() (int, error) {
	for {
		if ok, err := s.parseStartTag(); ok || err != nil {
			return tokStart, err
		}
		if !s.fill() {
			return 0, s.failed()
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// parseStartTag parses the tag at pos if it is whole in the window; false means it is not.
func (s *xmlScanner) parseStartTag() (bool, error) {
	b := s.buf[s.pos:s.end]
	i := 1
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i == len(b) {
		return false, nil
	}
	if i == 1 {
		return false, errors.New("the XML is damaged: a tag without a name")
	}
	s.name = localName(b[1:i])
	s.attrs = s.attrs[:0]
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		switch b[i] {
		case '>':
			s.empty = false
			s.pos += i + 1
			return true, nil
		case '/':
			if i+1 == len(b) {
				return false, nil
			}
			if b[i+1] != '>' {
				return false, errors.New("the XML is damaged: a '/' inside a tag")
			}
			s.empty = true
			s.pos += i + 2
			return true, nil
		}
		n := i
		for i < len(b) && b[i] != '=' && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
			i++
		}
		name := b[n:i]
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		if b[i] != '=' || len(name) == 0 {
			return false, fmt.Errorf("the XML is damaged: an attribute %q without a value", name)
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return false, fmt.Errorf("the XML is damaged: attribute %q is not quoted", name)
		}
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			return false, nil
		}
		s.attrs = append(s.attrs, xmlAttr{name: localName(name), value: b[i+1 : i+1+j]})
		i += j + 2
	}
}

// localName drops a namespace prefix: <x:row> is a row, as excelize takes it.
func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// attr returns the raw value of the last tag's attribute with this local name.
func (s *xmlScanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

// skipElement skips the content and end tag of the element whose start tag was just read.
func (s *xmlScanner) skipElement() error {
	depth := 1
	for depth > 0 {
		kind, err := s.next()
		if err != nil {
			return err
		}
		switch {
		case kind == tokEOF:
			return s.failed()
		case kind == tokEnd:
			depth--
		case !s.empty:
			depth++
		}
	}
	return nil
}

// elementText appends the character data directly inside the element whose start tag was just read,
// and reads through its end tag; text in nested elements is not its own, as encoding/xml has it.
func (s *xmlScanner) elementText(dst []byte, limit int) ([]byte, int, error) {
	over := 0
	for {
		var o int
		var err error
		if dst, o, err = s.appendText(dst, limit); err != nil {
			return dst, over, err
		}
		over += o
		kind, err := s.next()
		if err != nil {
			return dst, over, err
		}
		switch {
		case kind == tokEOF:
			return dst, over, s.failed()
		case kind == tokEnd:
			return dst, over, nil
		case !s.empty:
			if err := s.skipElement(); err != nil {
				return dst, over, err
			}
		}
	}
}

// appendText decodes character data up to the next tag into dst: entities, CDATA sections, line ends
// as XML normalises them (CR LF and lone CR become LF); comments and processing instructions are
// skipped. Past limit, bytes are only counted, in the second result, so that an enormous cell costs no
// memory but is still reported with its size.
func (s *xmlScanner) appendText(dst []byte, limit int) ([]byte, int, error) {
	over := 0
	put := func(b []byte) {
		if room := limit - len(dst); room >= len(b) {
			dst = append(dst, b...)
		} else {
			room = max(room, 0)
			dst = append(dst, b[:room]...)
			over += len(b) - room
		}
	}
	for {
		b := s.buf[s.pos:s.end]
		lt := bytes.IndexByte(b, '<')
		seg := b
		if lt >= 0 {
			seg = b[:lt]
		}
		from, k := 0, 0
		for k < len(seg) {
			c := seg[k]
			if c != '&' && c != '\r' {
				k++
				continue
			}
			put(seg[from:k])
			from = k
			if c == '\r' {
				if k+1 == len(seg) && lt < 0 {
					break // whether an LF follows is in the next read
				}
				put([]byte{'\n'})
				k++
				if k < len(seg) && seg[k] == '\n' {
					k++
				}
				from = k
				continue
			}
			semi := bytes.IndexByte(seg[k:min(len(seg), k+16)], ';')
			if semi < 0 {
				if lt < 0 && len(seg)-k < 16 {
					break // the entity goes on in the next read
				}
				return dst, over, fmt.Errorf("the XML is damaged: a bare '&' in %q", seg[k:min(len(seg), k+16)])
			}
			r, ok := entity(seg[k+1 : k+semi])
			if !ok {
				return dst, over, fmt.Errorf("the XML is damaged: an unknown entity %q", seg[k:k+semi+1])
			}
			var enc [utf8.UTFMax]byte
			put(utf8.AppendRune(enc[:0], r))
			k += semi + 1
			from = k
		}
		if k == len(seg) {
			put(seg[from:k])
			from = k
		}
		s.pos += from
		if lt < 0 || from < len(seg) {
			if !s.fill() {
				return dst, over, s.failed()
			}
			continue
		}
		// At a '<': CDATA is text, comments and processing instructions are nothing, a tag ends the text.
		if s.pos+1 < s.end && s.buf[s.pos+1] != '!' && s.buf[s.pos+1] != '?' {
			return dst, over, nil
		}
		s.ensure(9)
		b = s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			var err error
			if dst, over, err = s.appendCDATA(dst, limit, over); err != nil {
				return dst, over, err
			}
		case bytes.HasPrefix(b, []byte("<!--")), bytes.HasPrefix(b, []byte("<?")):
			if err := s.skipMarkup(); err != nil {
				return dst, over, err
			}
		default:
			return dst, over, nil
		}
	}
}

// appendCDATA copies the CDATA section at pos, normalising line ends as encoding/xml does.
func (s *xmlScanner) appendCDATA(dst []byte, limit, over int) ([]byte, int, error) {
	s.pos += len("<![CDATA[")
	pendingCR := false
	for {
		b := s.buf[s.pos:s.end]
		stop := bytes.Index(b, []byte("]]>"))
		seg := b
		if stop >= 0 {
			seg = b[:stop]
		} else if len(seg) >= 2 {
			seg = seg[:len(seg)-2] // a "]]" at the end may begin the terminator
		} else {
			seg = nil
		}
		for _, c := range seg {
			if pendingCR {
				pendingCR = false
				if c == '\n' {
					continue
				}
			}
			if c == '\r' {
				c, pendingCR = '\n', true
			}
			if len(dst) < limit {
				dst = append(dst, c)
			} else {
				over++
			}
		}
		s.pos += len(seg)
		if stop >= 0 {
			s.pos += 3
			return dst, over, nil
		}
		if !s.fill() {
			return dst, over, s.failed()
		}
	}
}

// entity decodes the name between '&' and ';'.
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	r := rune(n)
	// The characters XML allows, as encoding/xml checks them.
	ok := err == nil && (r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF)
	return r, ok
}
