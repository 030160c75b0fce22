package cli

import (
	"bytes"
	"encoding/json"
	"io"
)

// jsonList writes a JSON array one element per line as the elements come, so a list of 100,000
// orders streams out instead of being built in memory first.
type jsonList struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONList(w io.Writer) *jsonList {
	l := &jsonList{w: w}
	l.enc = json.NewEncoder(&l.buf)
	l.enc.SetEscapeHTML(false) // "Fern & Kettle", not "Fern \u0026 Kettle"
	return l
}

func (l *jsonList) add(v any) error {
	l.buf.Reset()
	if l.n == 0 {
		l.buf.WriteString("[\n")
	} else {
		l.buf.WriteString(",\n")
	}
	if err := l.enc.Encode(v); err != nil {
		return err
	}
	l.buf.Truncate(l.buf.Len() - 1) // Encode ends with a newline; the separator adds it
	l.n++
	_, err := l.w.Write(l.buf.Bytes())
	return err
}

// writeJSONList writes items as a JSON array, each as conv makes it: the common case of a list
// command's --json.
func writeJSONList[T any](w io.Writer, items []T, conv func(T) any) error {
	l := newJSONList(w)
	for _, it := range items {
		if err := l.add(conv(it)); err != nil {
			return err
		}
	}
	return l.close()
}

func (l *jsonList) close() error {
	end := "\n]\n"
	if l.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(l.w, end)
	return err
}

// writeJSON writes one JSON value on its own line.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
