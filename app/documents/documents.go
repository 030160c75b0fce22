// Package documents makes the shop's paper: for the packing floor, pick lists, packing slips and product
// and bin labels as PDF; for suppliers, purchase orders as PDF and as a workbook. It draws from values the caller has read from the store, so the same code
// serves the window and the command line, and tests need no database.
//
// Text is set in Noto Sans, the font Fyne ships, embedded in every file: names such as "Crème brûlée"
// print right on any computer, with or without fonts installed. Barcodes are drawn as vector bars, not
// pictures, so they stay sharp at any printer resolution.
package documents

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"fyne.io/fyne/v2/theme"
)

// Paper is the sheet size of a pick list or packing slips.
type Paper string

// The paper sizes a shop prints on. The zero value is A4.
const (
	A4     Paper = "a4"
	Letter Paper = "letter"
)

// ParsePaper reads "a4" or "letter" in any case; empty means A4.
func ParsePaper(s string) (Paper, error) {
	switch p := Paper(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return A4, nil
	case A4, Letter:
		return p, nil
	}
	return "", fmt.Errorf("paper %q is neither a4 nor letter", s)
}

// fpdfSize is the paper's name as fpdf knows it.
func (p Paper) fpdfSize() string {
	if p == Letter {
		return "Letter"
	}
	return "A4"
}

// Font family and the line height factor used throughout: fpdf sizes fonts in points, pages in mm.
const (
	family  = "noto"
	ptToMM  = 25.4 / 72
	leading = 1.25
)

// lineHeight is the height in mm of one line of text set at size points.
func lineHeight(size float64) float64 { return size * ptToMM * leading }

// Colours, as RGB.
type rgb struct{ r, g, b int }

var (
	ink       = rgb{0x1f, 0x23, 0x28}
	muted     = rgb{0x5f, 0x66, 0x70}
	rule      = rgb{0xb8, 0xbe, 0xc6}
	band      = rgb{0xee, 0xf0, 0xf3}
	stripe    = rgb{0xf7, 0xf8, 0xfa}
	alertInk  = rgb{0x9b, 0x1c, 0x1c}
	alertBand = rgb{0xfc, 0xe4, 0xe4}
)

func textColor(pdf *fpdf.Fpdf, c rgb) { pdf.SetTextColor(c.r, c.g, c.b) }
func fillColor(pdf *fpdf.Fpdf, c rgb) { pdf.SetFillColor(c.r, c.g, c.b) }
func drawColor(pdf *fpdf.Fpdf, c rgb) { pdf.SetDrawColor(c.r, c.g, c.b) }

// newPDF starts a document with the embedded fonts registered, pages sized w×h mm (or a named paper size
// when name is set), no automatic page breaks (each document lays out its own pages), and fixed metadata
// so the same data gives the same file.
func newPDF(name string, w, h float64, title string, at time.Time) *fpdf.Fpdf {
	init := &fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: name}
	if name == "" {
		// "P" keeps the size as given: fpdf's "L" would swap width and height of a roll label.
		init.Size = fpdf.SizeType{Wd: w, Ht: h}
	}
	pdf := fpdf.NewCustom(init)
	pdf.AddUTF8FontFromBytes(family, "", theme.DefaultTextFont().Content())
	pdf.AddUTF8FontFromBytes(family, "B", theme.DefaultTextBoldFont().Content())
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCellMargin(0)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Backroom", true)
	if at.IsZero() {
		at = time.Unix(0, 0)
	}
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCompression(true)
	return pdf
}

// finish writes the document, reporting the first drawing error fpdf kept, if any. A panic inside fpdf
// becomes an error too: a document that cannot be made must not take the window down with it.
func finish(pdf *fpdf.Fpdf, w io.Writer, what string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write %s: %v", what, p)
		}
	}()
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// setFont sets the font, bold or not, at size points.
func setFont(pdf *fpdf.Fpdf, bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	pdf.SetFont(family, style, size)
}

// text writes s with its top-left corner at (x, y) in the current font, in a box w wide and one line
// high, aligned "L", "C" or "R". Text too wide for the box is cut short with an ellipsis, so a long name
// never runs over the next column.
func text(pdf *fpdf.Fpdf, x, y, w float64, s, align string) {
	size, _ := pdf.GetFontSize() // points; lineHeight converts
	s = fit(pdf, printable(s), w)
	pdf.SetXY(x, y)
	pdf.CellFormat(w, lineHeight(size), s, "", 0, align, false, 0, "")
}

// printable replaces the characters fpdf cannot embed, those beyond Unicode's first 65,536 (emoji,
// mostly), with U+FFFD: fpdf's font subsetting panics on them. Names come from marketplaces, where
// sellers do put emoji in listing titles.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, s)
}

// fit shortens s with an ellipsis until it is at most w mm wide in the current font.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	s = printable(s)
	if w <= 0 || pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ") + "…"
}

// wrap splits s into lines at most w mm wide in the current font, keeping at most max lines (the last
// one cut short with an ellipsis when more would follow); maxLines 0 keeps every line.
func wrap(pdf *fpdf.Fpdf, s string, w float64, maxLines int) []string {
	s = strings.TrimSpace(printable(s))
	if s == "" {
		return nil
	}
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		line := ""
		for _, word := range words {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if pdf.GetStringWidth(try) <= w || line == "" {
				line = try
				continue
			}
			lines = append(lines, line)
			line = word
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	for i, l := range lines {
		lines[i] = fit(pdf, l, w) // a single word wider than the column
	}
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = fit(pdf, lines[maxLines-1]+" …", w)
	}
	return lines
}

// checkbox draws an empty square of side s mm with its top-left corner at (x, y), for a tick in pen.
func checkbox(pdf *fpdf.Fpdf, x, y, s float64) {
	drawColor(pdf, ink)
	pdf.SetLineWidth(0.35)
	pdf.Rect(x, y, s, s, "D")
}

// hline draws a thin rule from x1 to x2 at y.
func hline(pdf *fpdf.Fpdf, x1, x2, y float64, c rgb, width float64) {
	drawColor(pdf, c)
	pdf.SetLineWidth(width)
	pdf.Line(x1, y, x2, y)
}

// registerPNG makes a PNG usable as an image named name. The picture is decoded and written again as
// plain 8-bit RGBA first: fpdf reads only some PNG forms (no interlacing, no 16-bit), and a logo comes
// from whatever program the shop made it with.
func registerPNG(pdf *fpdf.Fpdf, name string, data []byte) error {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("read logo: %w", err)
	}
	b := img.Bounds()
	rgba := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Over)
	var buf bytes.Buffer
	if err := png.Encode(&buf, rgba); err != nil {
		return fmt.Errorf("convert logo: %w", err)
	}
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("embed logo: %w", err)
	}
	return nil
}

// formatDay is how documents write a date: unambiguous in every country the shops sell to.
func formatDay(t time.Time) string { return t.Format("2 Jan 2006") }

// plural writes "1 order" or "3 orders".
func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// codeLines sets a code (a SKU, a channel's SKU) so that all of it shows: at size points when it fits,
// else smaller down to minSize, else broken over lines, after a dash where there is one. Unlike a name, a
// code cut short with an ellipsis is useless to the person reading it. It leaves the font at the size it
// returns.
func codeLines(pdf *fpdf.Fpdf, s string, w float64, bold bool, size, minSize float64) ([]string, float64) {
	s = printable(s)
	setFont(pdf, bold, size)
	for pdf.GetStringWidth(s) > w && size > minSize {
		size = max(minSize, size-0.5)
		setFont(pdf, bold, size)
	}
	if pdf.GetStringWidth(s) <= w {
		return []string{s}, size
	}
	var lines []string
	r := []rune(s)
	for len(r) > 0 {
		n := 1
		for n < len(r) && pdf.GetStringWidth(string(r[:n+1])) <= w {
			n++
		}
		if n < len(r) {
			if i := strings.LastIndexAny(string(r[:n]), "-_/. "); i > 0 {
				n = len([]rune(string(r[:n])[:i+1]))
			}
		}
		lines = append(lines, strings.TrimSpace(string(r[:n])))
		r = r[n:]
	}
	return lines, size
}
