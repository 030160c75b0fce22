package accountsbook

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// WriteCSV writes the workbook as one CSV file per sheet into dir (made if missing): summary.csv,
// sales.csv, refunds-and-returns.csv, cost-of-goods-sold.csv, stock-valuation.csv and purchases.csv.
// Each is UTF-8 with a byte order mark, which Excel needs to read it as UTF-8, and CRLF line ends.
// Dates are written 2026-10-31, times 14:05, money as plain decimals in major units beside a Currency
// column, and text that a spreadsheet would run as a formula gets a leading apostrophe.
//
// The files are written under temporary names and renamed only once all are complete, so a failed
// export leaves no half-written file behind (and an earlier export's files as they were).
func WriteCSV(ctx context.Context, dir string, src Source, opt Options) (res Result, err error) {
	b := newBook(opt)
	if err := b.start(ctx, src); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("make folder %s: %w", dir, err)
	}
	c := &csvSink{dir: dir, loc: periodLoc(opt.Period), files: map[string]*csvFile{}}
	defer func() {
		if err != nil {
			c.discard()
		}
	}()
	p := startPipe(c)
	if err := p.finish(b.writeDetails(ctx, src, p)); err != nil {
		return Result{}, err
	}
	created := opt.Created
	if created.IsZero() {
		created = time.Now()
	}
	if err := c.writeSummary(b.summary(created)); err != nil {
		return Result{}, fmt.Errorf("write %s: %w", summaryFile, err)
	}

	names := []string{summaryFile}
	for _, sh := range b.detailSheets() {
		names = append(names, sh.file)
	}
	list := sha256.New()
	res = Result{Totals: b.totals(), Rows: b.rows}
	for _, name := range names {
		f := c.files[name]
		fmt.Fprintf(list, "%s  %s\n", hex.EncodeToString(f.hash.Sum(nil)), name)
		res.Bytes += f.n
	}
	for _, name := range names {
		f := c.files[name]
		final := filepath.Join(dir, name)
		if err := os.Rename(f.tmp, final); err != nil {
			return Result{}, fmt.Errorf("write %s: %w", final, err)
		}
		f.tmp = ""
		res.Files = append(res.Files, final)
	}
	res.SHA256 = hex.EncodeToString(list.Sum(nil))
	return res, nil
}

// csvFile is one sheet's file while it is written: a temporary file, and the hash and size of what
// went into it.
type csvFile struct {
	tmp  string
	file *os.File
	buf  *bufio.Writer
	w    *csv.Writer
	hash interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	n int64
}

type csvSink struct {
	dir   string
	loc   *time.Location
	files map[string]*csvFile // by final name
	cur   *csvFile
	sh    *sheet
	rec   []string
}

// create opens the temporary file for name, starting with the byte order mark.
func (c *csvSink) create(name string) (*csvFile, error) {
	f, err := os.CreateTemp(c.dir, "."+name+".*.tmp")
	if err != nil {
		return nil, err
	}
	// CreateTemp makes files only their owner may read; these are for sending on.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	cf := &csvFile{tmp: f.Name(), file: f, hash: sha256.New()}
	c.files[name] = cf
	cf.buf = bufio.NewWriterSize(&countingFile{f: cf}, 64<<10)
	cf.w = csv.NewWriter(cf.buf)
	cf.w.UseCRLF = true
	if _, err := cf.buf.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	return cf, nil
}

// countingFile writes to the file and feeds the hash and count with what was written.
type countingFile struct{ f *csvFile }

func (w *countingFile) Write(p []byte) (int, error) {
	n, err := w.f.file.Write(p)
	w.f.hash.Write(p[:n])
	w.f.n += int64(n)
	return n, err
}

// close flushes and closes the file, keeping it under its temporary name.
func (cf *csvFile) close() error {
	cf.w.Flush()
	err := cf.w.Error()
	if err == nil {
		err = cf.buf.Flush()
	}
	if err == nil {
		err = cf.file.Sync()
	}
	if cerr := cf.file.Close(); err == nil {
		err = cerr
	}
	cf.file = nil
	return err
}

// discard removes every temporary file left.
func (c *csvSink) discard() {
	for _, f := range c.files {
		if f.file != nil {
			f.file.Close()
		}
		if f.tmp != "" {
			os.Remove(f.tmp)
		}
	}
}

func (c *csvSink) begin(sh *sheet) error {
	f, err := c.create(sh.file)
	if err != nil {
		return err
	}
	c.cur, c.sh = f, sh
	c.rec = make([]string, len(sh.cols))
	for i, col := range sh.cols {
		c.rec[i] = col.title
	}
	return f.w.Write(c.rec)
}

func (c *csvSink) row(vals []value, currency string) error {
	for i, v := range vals {
		c.rec[i] = c.field(c.sh.cols[i].kind, v, currency)
	}
	return c.cur.w.Write(c.rec)
}

func (c *csvSink) end(int) error {
	return c.cur.close()
}

// field writes v as text a spreadsheet reads back as the same value.
func (c *csvSink) field(k kind, v value, currency string) string {
	if v.empty {
		return ""
	}
	switch k {
	case text:
		if sheetcell.Risky(v.s) {
			// OWASP's advice for CSV injection: a leading apostrophe, which spreadsheets take as "text".
			return "'" + v.s
		}
		return v.s
	case date:
		return v.t.In(c.loc).Format(time.DateOnly)
	case clock:
		return v.t.In(c.loc).Format("15:04")
	case datetime:
		return v.t.In(c.loc).Format("2006-01-02 15:04")
	case count:
		return strconv.FormatInt(v.n, 10)
	case money:
		return data.FormatDecimal(v.n, currency)
	}
	return ""
}

// writeSummary writes the Summary's values; a flat file has no formulas.
func (c *csvSink) writeSummary(rows [][]sumCell) error {
	f, err := c.create(summaryFile)
	if err != nil {
		return err
	}
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, sc := range row {
			rec[i] = c.field(sc.kind, value{s: sc.s, n: sc.n, t: sc.t, empty: sc.kind == text && sc.s == ""}, sc.currency)
		}
		if len(rec) == 0 {
			rec = []string{""} // a blank line
		}
		if err := f.w.Write(rec); err != nil {
			return err
		}
	}
	return f.close()
}
