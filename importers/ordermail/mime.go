package ordermail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

const (
	// maxMessage bounds what Parse reads: notifications are tens of kilobytes, and a mailbox can hold a
	// huge message that only looks like one.
	maxMessage = 16 << 20
	// maxDepth bounds nested multiparts and attached messages, which a hostile message can nest forever.
	maxDepth = 8
)

// bodies are the readable parts of a message, decoded to UTF-8.
type bodies struct {
	plain, html string
	// inner is a message attached as message/rfc822: an owner's "forward as attachment".
	inner *mail.Message
}

// readBodies walks a message's MIME tree and keeps the first text/plain and the first text/html part
// that is not an attachment.
func readBodies(h textproto.MIMEHeader, body io.Reader, depth int, b *bodies) error {
	if depth > maxDepth {
		return fmt.Errorf("parts nested more than %d deep", maxDepth)
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// A broken Content-Type is read as plain text, as mail clients do.
		mediaType, params = "text/plain", map[string]string{}
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%s without a boundary", mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				if b.plain != "" || b.html != "" {
					return nil // a cut-off last part loses nothing we read
				}
				return fmt.Errorf("read %s: %w", mediaType, err)
			}
			if err := readBodies(p.Header, decodeTransfer(p.Header.Get("Content-Transfer-Encoding"), p), depth+1, b); err != nil {
				return err
			}
		}
	case mediaType == "message/rfc822":
		if b.inner != nil {
			return nil
		}
		m, err := mail.ReadMessage(body)
		if err != nil {
			return nil // an attachment we cannot read is not the notification
		}
		b.inner = m
		return nil
	case mediaType != "text/plain" && mediaType != "text/html":
		return nil
	}
	if disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition")); disp == "attachment" {
		return nil
	}
	raw, err := io.ReadAll(body)
	if err != nil && len(raw) == 0 {
		return fmt.Errorf("read %s part: %w", mediaType, err)
	}
	text, err := decodeCharset(raw, params["charset"])
	if err != nil {
		return err
	}
	switch {
	case mediaType == "text/plain" && b.plain == "":
		b.plain = text
	case mediaType == "text/html" && b.html == "":
		b.html = text
	}
	return nil
}

// decodeTransfer undoes a part's Content-Transfer-Encoding.
func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		// Some senders wrap base64 with spaces or tabs, which the decoder refuses; only newlines are
		// skipped by it.
		return base64.NewDecoder(base64.StdEncoding, &spaceSkipper{r: r})
	}
	return r
}

// spaceSkipper drops the whitespace base64.NewDecoder does not skip itself.
type spaceSkipper struct{ r io.Reader }

func (s *spaceSkipper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// decodeCharset turns raw text in charset into UTF-8. US-ASCII and a missing charset are read as
// UTF-8, since real senders often leave it out on UTF-8 text; ISO-8859-1 is read as Windows-1252 as
// browsers do, because mail labelled Latin-1 often has Windows quotes and euro signs.
func decodeCharset(raw []byte, charset string) (string, error) {
	cs := strings.ToLower(strings.Trim(strings.TrimSpace(charset), `"`))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return strings.ToValidUTF8(string(raw), "\uFFFD"), nil
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		// An unknown charset still gives the ASCII labels and numbers the parsers need.
		return strings.ToValidUTF8(string(raw), "\uFFFD"), nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), raw)
	if err != nil {
		return "", fmt.Errorf("decode %s text: %w", charset, err)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

// wordDecoder decodes RFC 2047 headers in any charset htmlindex knows.
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(strings.ToLower(charset))
		if err != nil {
			return nil, fmt.Errorf("unknown charset %s: %w", charset, err)
		}
		return transform.NewReader(input, enc.NewDecoder()), nil
	}}
}

// decodeHeader decodes a header's encoded words; a word that cannot be decoded is left as written.
func decodeHeader(d *mime.WordDecoder, s string) string {
	if out, err := d.DecodeHeader(s); err == nil {
		s = out
	}
	return strings.Join(strings.Fields(s), " ")
}

// readMessage reads a message's headers and readable bodies.
func readMessage(m *mail.Message, depth int) (bodies, error) {
	var b bodies
	h := textproto.MIMEHeader(m.Header)
	err := readBodies(h, decodeTransfer(h.Get("Content-Transfer-Encoding"), m.Body), depth, &b)
	return b, err
}

// readLimited reads a whole message of at most maxMessage bytes.
func readLimited(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxMessage+1))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if len(raw) > maxMessage {
		return nil, fmt.Errorf("message is larger than %d MiB; order notifications are far smaller", maxMessage>>20)
	}
	// Messages saved on Windows or by some servers end lines with a bare LF; net/mail reads both, but
	// a leading blank line or BOM would make the headers empty.
	raw = bytes.TrimLeft(raw, "\ufeff\r\n")
	return raw, nil
}
