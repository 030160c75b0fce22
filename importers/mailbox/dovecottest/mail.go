package dovecottest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/backroom-app/backroom/importers/ordermail"
)

// Template is one fixture e-mail (testdata/mail/*.eml) from which any number of distinct messages are
// made: each variant has its own Message-ID and, for an order notification, its own order number, so a
// big mailbox is many orders rather than one order many times.
type Template struct {
	Name    string         // the fixture's file name
	Kind    ordermail.Kind // what the parser makes of it and of every variant
	Channel string
	// OrderID is the fixture's own order id as the parser reads it ("" unless Kind is an order).
	OrderID string

	raw   []byte
	token string // OrderID without a leading '#': what is rewritten in the mail
}

// Templates reads every .eml file in dir, skipping copies of an earlier file's Message-ID (a variant
// of either would be the same kind of message). Each template is checked: its first variant must parse
// to the same kind with the new order id, so a fixture the rewriting does not reach fails here rather
// than skewing a test's counts.
func Templates(dir string) ([]Template, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	seen := map[string]bool{}
	var out []Template
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m, err := ordermail.Parse(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		if seen[m.MessageID] {
			continue
		}
		seen[m.MessageID] = true
		t := Template{Name: filepath.Base(f), Kind: m.Kind, Channel: m.Channel, raw: raw}
		if m.Kind == ordermail.Order {
			t.OrderID = m.Order.ExternalID
			t.token = strings.TrimPrefix(t.OrderID, "#")
		}
		if err := t.check(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no .eml files in %s", dir)
	}
	return out, nil
}

func (t Template) check() error {
	const n = 7
	m, err := ordermail.Parse(bytes.NewReader(t.Variant(n)))
	if err != nil {
		return fmt.Errorf("%s, variant %d: %w", t.Name, n, err)
	}
	if prefix := fmt.Sprintf("v%d.", n); m.Kind != t.Kind || !strings.HasPrefix(m.MessageID, prefix) {
		return fmt.Errorf("%s, variant %d: kind %s, Message-ID %q, want %s, %s…", t.Name, n, m.Kind, m.MessageID, t.Kind, prefix)
	}
	if t.Kind == ordermail.Order && m.Order.ExternalID != t.VariantOrderID(n) {
		return fmt.Errorf("%s, variant %d: order id %q, want %q", t.Name, n, m.Order.ExternalID, t.VariantOrderID(n))
	}
	return nil
}

// VariantOrderID is the order id of variant n ("" unless the template is an order). Ids keep the
// fixture's shape: the last run of digits becomes a number made from n, at least six digits long for
// plain numbers (#1080 → #100007) and as long as before in structured ids (114-3941689-8772232 →
// 114-3941689-1000007). Distinct n give distinct ids, whatever the template.
func (t Template) VariantOrderID(n int) string {
	if t.token == "" {
		return ""
	}
	return strings.Replace(t.OrderID, t.token, variantToken(t.token, n), 1)
}

var lastDigits = regexp.MustCompile(`\d+$`)

func variantToken(token string, n int) string {
	loc := lastDigits.FindStringIndex(token)
	if loc == nil {
		return token + strconv.Itoa(n)
	}
	width := loc[1] - loc[0]
	if loc[0] == 0 {
		width = max(width, 6)
	}
	digits := strconv.Itoa(n)
	if len(digits) < width {
		// A leading 1 rather than zeros: some parsers and shops drop leading zeros.
		digits = "1" + strings.Repeat("0", width-1-len(digits)) + digits
	}
	return token[:loc[0]] + digits
}

// Variant is message n made from the template: the top-level Message-ID gets a "v<n>." prefix and
// every occurrence of the order id (in headers, and in bodies after undoing base64 or quoted-printable
// and encoding again) becomes VariantOrderID(n).
func (t Template) Variant(n int) []byte {
	repl := func(b []byte) []byte { return b }
	if t.token != "" {
		old, with := []byte(t.token), []byte(variantToken(t.token, n))
		repl = func(b []byte) []byte { return replaceWord(b, old, with) }
	}
	head, sep, body := splitEntity(t.raw)
	head = messageIDLine.ReplaceAll(head, []byte(fmt.Sprintf("${1}<v%d.", n)))
	return rewriteEntity(head, sep, body, repl)
}

// replaceWord replaces old in b where it stands alone: not inside a longer run of letters and digits
// (order 1080 is rewritten, a price of 10.80 or an id 61080 is not).
func replaceWord(b, old, with []byte) []byte {
	var out []byte
	rest := b
	for {
		i := bytes.Index(rest, old)
		if i < 0 {
			break
		}
		end := i + len(old)
		before := len(b) - len(rest) + i
		if (before == 0 || !isWordByte(b[before-1])) && (end == len(rest) || !isWordByte(rest[end])) {
			out = append(out, rest[:i]...)
			out = append(out, with...)
		} else {
			out = append(out, rest[:end]...)
		}
		rest = rest[end:]
	}
	if out == nil {
		return b
	}
	return append(out, rest...)
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var messageIDLine = regexp.MustCompile(`(?im)^(message-id:\s*)<`)

// splitEntity splits a MIME entity into its header, the blank line and the body.
func splitEntity(raw []byte) (head, sep, body []byte) {
	for _, s := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(s)); i >= 0 {
			return raw[:i+len(s)/2], raw[i+len(s)/2 : i+len(s)], raw[i+len(s):]
		}
	}
	return raw, nil, nil
}

func readHeader(head []byte) (textproto.MIMEHeader, error) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.Clone(head), "\r\n\r\n"...))))
	h, err := r.ReadMIMEHeader()
	if err == io.EOF {
		err = nil
	}
	return h, err
}

// rewriteEntity applies repl to the header and the decoded text of every leaf part, walking into
// multiparts and attached messages, and encodes each changed part as it was encoded before.
func rewriteEntity(head, sep, body []byte, repl func([]byte) []byte) []byte {
	h, _ := readHeader(head)
	out := append(bytes.Clone(repl(head)), sep...)
	mediaType, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mediaType, "multipart/") && params["boundary"] != "":
		return append(out, rewriteMultipart(body, params["boundary"], repl)...)
	case mediaType == "message/rfc822":
		ih, isep, ib := splitEntity(body)
		return append(out, rewriteEntity(ih, isep, ib, repl)...)
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(stripSpace(body))))
		if err != nil {
			return append(out, body...)
		}
		changed := repl(dec)
		if bytes.Equal(changed, dec) {
			return append(out, body...)
		}
		return append(out, encodeBase64(changed, lineBreak(body))...)
	case "quoted-printable":
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return append(out, body...)
		}
		changed := repl(dec)
		if bytes.Equal(changed, dec) {
			return append(out, body...)
		}
		var enc bytes.Buffer
		w := quotedprintable.NewWriter(&enc)
		w.Write(changed)
		w.Close()
		b := enc.Bytes()
		if lineBreak(body) == "\n" {
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		}
		return append(out, b...)
	}
	return append(out, repl(body)...)
}

func rewriteMultipart(body []byte, boundary string, repl func([]byte) []byte) []byte {
	delim := []byte("--" + boundary)
	// Split into lines, keeping line endings, and cut at every delimiter line.
	var out []byte
	var part []byte
	inPart := false
	flush := func() {
		if !inPart {
			out = append(out, part...)
		} else {
			// The line break before a delimiter belongs to the delimiter.
			content, tail := part, []byte(nil)
			if bytes.HasSuffix(content, []byte("\r\n")) {
				content, tail = content[:len(content)-2], []byte("\r\n")
			} else if bytes.HasSuffix(content, []byte("\n")) {
				content, tail = content[:len(content)-1], []byte("\n")
			}
			ph, psep, pb := splitEntity(content)
			out = append(out, rewriteEntity(ph, psep, pb, repl)...)
			out = append(out, tail...)
		}
		part = nil
	}
	rest := body
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		line := rest
		if i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		trimmed := bytes.TrimRight(line, " \t\r\n")
		if bytes.Equal(trimmed, delim) || bytes.Equal(trimmed, append(bytes.Clone(delim), '-', '-')) {
			flush()
			out = append(out, line...)
			inPart = bytes.Equal(trimmed, delim)
			continue
		}
		part = append(part, line...)
	}
	if inPart {
		// No closing delimiter: keep what is there untouched.
		out = append(out, part...)
	} else {
		out = append(out, part...)
	}
	return out
}

func stripSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)
}

func lineBreak(b []byte) string {
	if bytes.Contains(b, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

func encodeBase64(b []byte, nl string) []byte {
	s := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(s) > 76 {
		out.WriteString(s[:76])
		out.WriteString(nl)
		s = s[76:]
	}
	out.WriteString(s)
	out.WriteString(nl)
	return out.Bytes()
}

// Mailbox is n messages made from the templates in turn, variants first through first+n-1, and what
// a sync of them must count.
func Mailbox(templates []Template, first, n int) ([][]byte, Counts) {
	msgs := make([][]byte, 0, n)
	var c Counts
	for i := range n {
		t := templates[i%len(templates)]
		msgs = append(msgs, t.Variant(first+i))
		c.add(t.Kind)
	}
	return msgs, c
}

// Counts is how many messages of each kind a mailbox holds.
type Counts struct {
	Orders, NotOrders, Unknown int
}

func (c *Counts) add(k ordermail.Kind) {
	switch k {
	case ordermail.Order:
		c.Orders++
	case ordermail.NotOrder:
		c.NotOrders++
	default:
		c.Unknown++
	}
}

// Total is the number of messages.
func (c Counts) Total() int { return c.Orders + c.NotOrders + c.Unknown }
