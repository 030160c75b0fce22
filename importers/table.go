package importers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Row is one row of a spreadsheet.
type Row struct {
	Num   int      // as a spreadsheet program numbers it, from 1
	Cells []string // text of each cell, trimmed of nothing; the row's own length
	// Numeric marks cells an xlsx stored as numbers; their text is the exact stored value. Nil for CSV.
	Numeric []bool
}

// Cell returns cell i, or "" when the row is shorter: exports drop trailing empty cells.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// IsNumeric reports whether cell i was stored as a number by a spreadsheet program.
func (r Row) IsNumeric(i int) bool { return i >= 0 && i < len(r.Numeric) && r.Numeric[i] }

// Blank reports whether every cell is empty or only spaces: padding rows and separators.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// table yields the rows of a file in order; io.EOF ends it.
type table interface {
	next() (Row, error)
	describe() string // "CSV, comma-separated, UTF-8" for the owner
	close() error
}

// maxCell bounds one cell. Real exports stay far below it (a long product description is a few KB); a
// file that goes beyond is not an export, and reading on would let one cell take all memory.
const maxCell = 1 << 20

// sniffSize is how much of a text file is looked at to decide its delimiter.
const sniffSize = 64 << 10

var errNotSpreadsheet = errors.New("not a spreadsheet")

// openText reads CSV or TSV: it strips a byte-order mark (decoding UTF-16 when the mark says so), picks
// the delimiter from the first lines, and decodes cells that are not valid UTF-8 as Windows-1252, which
// is what Excel and Amazon write on Western systems.
func openText(r io.Reader) (table, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text" is UTF-16 with a mark; decode it and look again.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		return openText(transform.NewReader(br, unicode.BOMOverride(dec)))
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("the file is empty")
	}
	if looksBinary(head) {
		return nil, errNotSpreadsheet
	}
	delim := sniffDelimiter(head)
	t := &textTable{delim: delim}
	if delim == '\t' && unquotedTSV(head) {
		// Amazon's flat files never quote: a product name like `12" ruler` is plain text there, and a
		// CSV reader would run on past the tab looking for the closing quote.
		t.lines = bufio.NewReaderSize(src, 64<<10)
		t.raw = true
		return t, nil
	}
	cr := csv.NewReader(src)
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	t.csv = cr
	return t, nil
}

func looksBinary(head []byte) bool {
	n := min(len(head), 4096)
	return bytes.IndexByte(head[:n], 0) >= 0
}

// sniffDelimiter counts commas, semicolons and tabs outside quotes on the first lines and takes the one
// a line has most of. eBay starts with a line of bare commas and German exports use semicolons, so the
// busiest line decides, not the first one.
func sniffDelimiter(head []byte) rune {
	best, bestN := ',', 0
	counts := map[rune]int{}
	quoted := false
	lines := 0
	flush := func() {
		for _, d := range []rune{'\t', ';', ','} {
			if counts[d] > bestN {
				best, bestN = d, counts[d]
			}
		}
		clear(counts)
		lines++
	}
	for _, c := range string(head) {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			flush()
			if lines >= 10 {
				return best
			}
		case c == ',' || c == ';' || c == '\t':
			counts[c]++
		}
	}
	flush()
	return best
}

var kebabHeader = regexp.MustCompile(`^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)+$`)

// unquotedTSV recognises Amazon's header style (order-id, purchase-date, …) on the first non-empty
// line; Excel's tab-delimited saves of other exports have ordinary headers and keep CSV quoting.
func unquotedTSV(head []byte) bool {
	for line := range strings.SplitSeq(string(head), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "TemplateType=") {
			return true
		}
		cells := strings.Split(line, "\t")
		kebab := 0
		for _, c := range cells {
			if kebabHeader.MatchString(c) {
				kebab++
			}
		}
		return kebab*2 >= len(cells) && kebab > 0
	}
	return false
}

type textTable struct {
	delim rune
	raw   bool
	csv   *csv.Reader
	lines *bufio.Reader

	row      int // rows handed out or skipped, as a spreadsheet counts them
	lastLine int // the line the previous record ended on
	decoded  bool
}

func (t *textTable) describe() string {
	var kind string
	switch t.delim {
	case '\t':
		kind = "tab-separated text"
	case ';':
		kind = "CSV, semicolon-separated"
	default:
		kind = "CSV"
	}
	if t.decoded {
		kind += ", Windows-1252 text"
	}
	return kind
}

func (t *textTable) close() error { return nil }

func (t *textTable) next() (Row, error) {
	var cells []string
	if t.raw {
		line, err := t.readLine()
		if err != nil {
			return Row{}, err
		}
		t.row++
		cells = strings.Split(line, "\t")
	} else {
		rec, err := t.csv.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Row{}, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
			}
			return Row{}, err
		}
		// encoding/csv skips empty lines; a spreadsheet shows them as rows, and row numbers in error
		// messages must match what the owner sees.
		start, _ := t.csv.FieldPos(0)
		if t.lastLine > 0 && start > t.lastLine+1 {
			t.row += start - t.lastLine - 1
		} else if t.lastLine == 0 && start > 1 {
			t.row += start - 1
		}
		last, _ := t.csv.FieldPos(len(rec) - 1)
		t.lastLine = last + strings.Count(rec[len(rec)-1], "\n")
		t.row++
		cells = rec
	}
	for i, c := range cells {
		if len(c) > maxCell {
			return Row{}, fmt.Errorf("row %d, column %d: a cell of %d MB; no export has cells that large, so this is not a marketplace file",
				t.row, i+1, len(c)>>20)
		}
		if !utf8.ValidString(c) {
			cells[i] = decodeWindows1252(c)
			t.decoded = true
		}
	}
	return Row{Num: t.row, Cells: cells}, nil
}

// readLine reads one line of an unquoted file, refusing lines beyond maxCell.
func (t *textTable) readLine() (string, error) {
	var b []byte
	for {
		chunk, err := t.lines.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxCell {
			return "", fmt.Errorf("row %d: a line of more than %d MB; no export has lines that long, so this is not a marketplace file",
				t.row+1, maxCell>>20)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (len(b) == 0 || !errors.Is(err, io.EOF)) {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
}

func decodeWindows1252(s string) string {
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}
