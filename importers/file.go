package importers

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// Kind is what a file holds.
type Kind string

// The kinds of file Backroom imports.
const (
	KindOrders   Kind = "orders"
	KindProducts Kind = "products"
	KindStock    Kind = "stock"
)

// Format is one layout of export Backroom knows.
type Format struct {
	ID      string // stable, in the import log and --json output: "shopify-orders"
	Name    string // for people: "Shopify orders"
	Channel string // the channel orders are recorded under; empty for product and stock files
	Kind    Kind
	// required are the columns that identify the layout; the format whose required columns are all
	// present, and most of them, wins.
	required []string
	// match, when set, decides instead of required (for layouts told apart by something other than
	// their columns).
	match func(h *header) bool
	parse func(p *parser) iter.Seq[data.ImportItem]
}

// Options are what an import needs to know about the shop.
type Options struct {
	// Currency is the shop's currency, for files that do not say theirs.
	Currency string
	// Location is the shop's time zone, for dates written without an offset by sources that write
	// local time. Nil is UTC.
	Location *time.Location
}

// File is a spreadsheet opened for import: its layout has been recognised (or not) and its first rows
// can be shown before anything is imported.
type File struct {
	Name     string
	Format   *Format // nil when the layout is unknown: map its columns with UseMapping
	Mapping  *data.ColumnMapping
	Header   []string
	HeaderAt int    // the row the header is on
	Layout   string // how the file is written: "CSV, semicolon-separated", "Excel workbook, sheet …"
	// Preview holds the first rows after the header, as read.
	Preview []Row

	table   table
	header  *header
	pending []Row // rows read while looking for the header and for the preview
	opts    Options
	used    bool
	readErr error // met while reading ahead for the preview
}

// previewRows is how many rows after the header a File reads ahead to show.
const previewRows = 20

// headerSearch is how far down a file the header may be: eBay puts a blank line above it, Amazon
// templates two lines of instructions.
const headerSearch = 12

// Open reads the start of a spreadsheet (CSV, TSV or xlsx, told apart by their bytes, not the name)
// and recognises its layout from the header. name is only for messages and the import log. The File
// must be closed.
func Open(r io.Reader, name string, opts Options) (*File, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	magic, _ := br.Peek(8)
	var t table
	var err error
	switch {
	case len(magic) == 0:
		return nil, fmt.Errorf("%s is empty", name)
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		t, err = openXLSX(br)
	case bytes.HasPrefix(magic, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fmt.Errorf("%s is an old Excel 97–2003 workbook (.xls); open it and save it as .xlsx or CSV, then import that", name)
	case bytes.HasPrefix(magic, []byte("%PDF")):
		return nil, fmt.Errorf("%s is a PDF document, not a spreadsheet; download the report as CSV or Excel", name)
	default:
		t, err = openText(br)
	}
	if errors.Is(err, errNotSpreadsheet) {
		return nil, fmt.Errorf("%s is not a spreadsheet: it holds binary data, not text", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name, table: t, opts: opts, Layout: t.describe()}
	if err := f.findHeader(); err != nil {
		t.close()
		return nil, err
	}
	return f, nil
}

// Close releases the file; an xlsx may hold a temporary copy of a large sheet.
func (f *File) Close() error { return f.table.close() }

// findHeader reads until it finds a row that some format recognises as its header. When none does, the
// header is the first row with two or more filled cells, and the format is left for a mapping.
func (f *File) findHeader() error {
	var fallback = -1
	for len(f.pending) < headerSearch {
		row, err := f.table.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		f.pending = append(f.pending, row)
		h := newHeader(row.Cells)
		if format := detect(h); format != nil {
			f.setHeader(len(f.pending)-1, h)
			f.Format = format
			return f.readPreview()
		}
		if fallback < 0 && filled(row) >= 2 && !instructions(row) {
			fallback = len(f.pending) - 1
		}
	}
	if fallback < 0 {
		if len(f.pending) == 0 {
			return fmt.Errorf("%s has no rows with anything in them", f.Name)
		}
		return fmt.Errorf("%s has no header row: none of its first rows has column names", f.Name)
	}
	f.setHeader(fallback, newHeader(f.pending[fallback].Cells))
	return f.readPreview()
}

// instructions reports whether a row is a template's note to people rather than its header: eBay's
// upload templates begin with "#INFO" lines, which have several filled cells.
func instructions(r Row) bool {
	return len(r.Cells) > 0 && strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(r.Cells[0], "\ufeff")), "#INFO")
}

func filled(r Row) int {
	n := 0
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

func (f *File) setHeader(at int, h *header) {
	f.header = h
	f.Header = h.names
	f.HeaderAt = f.pending[at].Num
	f.pending = f.pending[at+1:]
	f.Layout = f.table.describe()
}

func (f *File) readPreview() error {
	for len(f.pending) < previewRows {
		row, err := f.table.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A file broken further down still previews; reading its rows reports the break.
			f.readErr = fmt.Errorf("%s: %w", f.Name, err)
			break
		}
		f.pending = append(f.pending, row)
	}
	f.Preview = f.pending
	f.Layout = f.table.describe()
	return nil
}

// Signature identifies the header's layout for a saved column mapping: the column names, normalised,
// in order.
func (f *File) Signature() string {
	h := sha256.New()
	for _, c := range f.Header {
		h.Write([]byte(normalizeHeader(c)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// FormatID is the layout's id for logs and --json: the format's, or "mapped:<name>" for a mapping.
func (f *File) FormatID() string {
	switch {
	case f.Format != nil:
		return f.Format.ID
	case f.Mapping != nil:
		return "mapped:" + f.Mapping.Name
	}
	return "unknown"
}

// FormatName is the layout for people.
func (f *File) FormatName() string {
	switch {
	case f.Format != nil:
		return f.Format.Name
	case f.Mapping != nil:
		return f.Mapping.Name + " (your column mapping)"
	}
	return "unknown layout"
}

// ErrUnknownLayout means no format recognised the file's header and no mapping was given.
var ErrUnknownLayout = errors.New("unknown layout")

// Items reads the file's records. It can be called once; every problem is reported on the items, and
// a file that cannot be read on ends with an item whose Err is set.
func (f *File) Items(ctx context.Context) iter.Seq[data.ImportItem] {
	return func(yield func(data.ImportItem) bool) {
		if f.used {
			yield(data.ImportItem{Err: fmt.Errorf("%s was already read", f.Name)})
			return
		}
		f.used = true
		p := &parser{ctx: ctx, file: f, h: f.header, opts: f.opts, decimalComma: strings.Contains(f.Layout, "semicolon")}
		var parse func(*parser) iter.Seq[data.ImportItem]
		switch {
		case f.Format != nil:
			parse = f.Format.parse
		case f.Mapping != nil:
			parse = parseMapped
		default:
			yield(data.ImportItem{Err: fmt.Errorf("%s: %w: no known export has this header, so its columns need mapping once", f.Name, ErrUnknownLayout)})
			return
		}
		for it := range parse(p) {
			if !yield(it) {
				return
			}
		}
		if p.err != nil {
			yield(data.ImportItem{Err: p.err})
		}
	}
}

// UseMapping reads the file with a column mapping the owner made.
func (f *File) UseMapping(m data.ColumnMapping) error {
	for field, col := range m.Columns {
		if col != "" && f.header.col(col) < 0 {
			return fmt.Errorf("%s has no column %q, which the mapping %s uses for %s", f.Name, col, m.Name, field)
		}
	}
	f.Format, f.Mapping = nil, &m
	return nil
}

// parser is what a format's parse function reads from.
type parser struct {
	ctx          context.Context
	file         *File
	h            *header
	opts         Options
	decimalComma bool
	err          error // why reading stopped early
}

// rows yields the data rows after the header; blank rows are skipped. Reading stops at the first
// error, which Items reports.
func (p *parser) rows() iter.Seq[Row] {
	return func(yield func(Row) bool) {
		for {
			if err := p.ctx.Err(); err != nil {
				p.err = err
				return
			}
			var row Row
			if len(p.file.pending) > 0 {
				row, p.file.pending = p.file.pending[0], p.file.pending[1:]
			} else if p.file.readErr != nil {
				p.err = p.file.readErr
				return
			} else {
				var err error
				row, err = p.file.table.next()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					p.err = fmt.Errorf("%s: %w", p.file.Name, err)
					return
				}
			}
			if row.Blank() {
				continue
			}
			if !yield(row) {
				return
			}
		}
	}
}

func (p *parser) reader(row Row) *rowReader {
	return &rowReader{h: p.h, row: row, decimalComma: p.decimalComma}
}

// location is the shop's zone for sources that write local time.
func (p *parser) location() *time.Location {
	if p.opts.Location == nil {
		return time.UTC
	}
	return p.opts.Location
}

// currency is the shop's currency, for files that do not name theirs.
func (p *parser) currency() string {
	if p.opts.Currency == "" {
		return "USD"
	}
	return strings.ToUpper(p.opts.Currency)
}

// groupOrders gathers consecutive rows that share an order key into one order: marketplaces write one
// row per item and repeat the order's key on each. build turns one order's rows into an item.
func (p *parser) groupOrders(key func(Row) string, build func(rows []Row) data.ImportItem) iter.Seq[data.ImportItem] {
	return func(yield func(data.ImportItem) bool) {
		var group []Row
		current := ""
		flush := func() bool {
			if len(group) == 0 {
				return true
			}
			it := build(group)
			if it.FirstRow == 0 {
				it.FirstRow, it.LastRow = group[0].Num, group[len(group)-1].Num
			}
			group = group[:0]
			return yield(it)
		}
		for row := range p.rows() {
			k := key(row)
			if k != current || k == "" {
				if !flush() {
					return
				}
				current = k
			}
			group = append(group, row)
		}
		flush()
	}
}

// formats is every layout Backroom recognises. Detection takes the format with all its required
// columns present and the most of them, so a layout that extends another is preferred.
func formats() []*Format {
	all := []*Format{shopifyOrders()}
	for _, more := range [][]*Format{shopifyCatalogFormats(), etsyFormats(), amazonFormats(), ebayFormats(), wooFormats(), tiktokFormats()} {
		all = append(all, more...)
	}
	return all
}

// Formats lists the layouts Backroom recognises, for help text.
func Formats() []Format {
	var out []Format
	for _, f := range formats() {
		out = append(out, *f)
	}
	return out
}

func detect(h *header) *Format {
	var best *Format
	bestN := 0
	for _, f := range formats() {
		if f.match != nil {
			if f.match(h) && len(f.required)+100 > bestN {
				best, bestN = f, len(f.required)+100
			}
			continue
		}
		if len(f.required) > bestN && h.has(f.required...) {
			best, bestN = f, len(f.required)
		}
	}
	return best
}
