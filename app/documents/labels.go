package documents

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Label is one sticker: a barcode of Code with a title and a smaller line under it. Code is printed as
// EAN-13 when it is a valid EAN-13, else as Code 128.
type Label struct {
	Code  string
	Title string
	Sub   string
}

// LabelLayout is a label stock: a sheet of labels for an office printer, or a roll for a label printer,
// where each label is a page of its own. Sizes in mm.
type LabelLayout struct {
	Name        string // as typed on the command line: "a4-3x8"
	Description string
	PageW       float64
	PageH       float64
	Cols, Rows  int
	LabelW      float64
	LabelH      float64
	Left, Top   float64 // from the sheet's edge to the first label
	PitchX      float64 // from one label's left edge to the next one's
	PitchY      float64
}

// PerPage is how many labels fit a sheet, or 1 on a roll.
func (l LabelLayout) PerPage() int { return l.Cols * l.Rows }

// Pages is how many sheets n labels take.
func (l LabelLayout) Pages(n int) int { return (n + l.PerPage() - 1) / l.PerPage() }

const inch = 25.4

// LabelLayouts lists the label stocks Backroom prints on, the default first.
func LabelLayouts() []LabelLayout {
	return []LabelLayout{
		{Name: "a4-3x8", Description: "A4 sheet, 3 × 8 labels of 70 × 37 mm",
			PageW: 210, PageH: 297, Cols: 3, Rows: 8, LabelW: 70, LabelH: 37, Left: 0, Top: 0.5, PitchX: 70, PitchY: 37},
		{Name: "letter-3x10", Description: "US Letter sheet, 3 × 10 labels of 2⅝ × 1 in (Avery 5160)",
			PageW: 8.5 * inch, PageH: 11 * inch, Cols: 3, Rows: 10, LabelW: 2.625 * inch, LabelH: 1 * inch,
			Left: 0.1875 * inch, Top: 0.5 * inch, PitchX: 2.75 * inch, PitchY: 1 * inch},
		{Name: "roll-62x29", Description: "roll, 62 × 29 mm (Brother DK-11209)",
			PageW: 62, PageH: 29, Cols: 1, Rows: 1, LabelW: 62, LabelH: 29, PitchX: 62, PitchY: 29},
		{Name: "roll-57x32", Description: "roll, 2.25 × 1.25 in (57 × 32 mm)",
			PageW: 2.25 * inch, PageH: 1.25 * inch, Cols: 1, Rows: 1, LabelW: 2.25 * inch, LabelH: 1.25 * inch,
			PitchX: 2.25 * inch, PitchY: 1.25 * inch},
	}
}

// LabelLayoutNamed finds a layout by its name, in any case; empty is the first.
func LabelLayoutNamed(name string) (LabelLayout, error) {
	all := LabelLayouts()
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return all[0], nil
	}
	var names []string
	for _, l := range all {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	return LabelLayout{}, fmt.Errorf("there is no label layout %q; use one of %s", name, strings.Join(names, ", "))
}

// Labels writes labels onto the layout's sheets, left to right and top to bottom, as PDF. The barcode
// takes whatever room the title leaves, as wide as the label allows, so it scans from arm's length.
func Labels(w io.Writer, layout LabelLayout, labels []Label) error {
	if layout.PerPage() == 0 {
		return fmt.Errorf("make labels: layout %q holds no labels", layout.Name)
	}
	if len(labels) == 0 {
		return fmt.Errorf("make labels: no labels given")
	}
	encoded := make([]bars, len(labels))
	for i, l := range labels {
		b, err := encode(l.Code, SymbologyFor(l.Code))
		if err != nil {
			return fmt.Errorf("make label %d: %w", i+1, err)
		}
		encoded[i] = b
	}
	pdf := newPDF("", layout.PageW, layout.PageH, "Labels", time.Time{})
	for i, l := range labels {
		slot := i % layout.PerPage()
		if slot == 0 {
			pdf.AddPage()
		}
		col, row := slot%layout.Cols, slot/layout.Cols
		x := layout.Left + float64(col)*layout.PitchX
		y := layout.Top + float64(row)*layout.PitchY
		drawLabel(pdf, x, y, layout.LabelW, layout.LabelH, l, encoded[i])
	}
	return finish(pdf, w, "labels")
}

// drawLabel lays out one label in its w×h box: title, sub line, barcode, the code in digits.
func drawLabel(pdf *fpdf.Fpdf, x, y, w, h float64, l Label, b bars) {
	// Printers cannot print to a label's very edge (an office printer leaves 4 to 5 mm at the sheet's
	// sides, where the outer labels of an A4 sheet begin), and die-cut labels shift a little: keep clear.
	padX, padY := clamp(w*0.07, 2.5, 5), min(3.0, h*0.1)
	ix, iy, iw, ih := x+padX, y+padY, w-2*padX, h-2*padY

	// Type sizes follow the label's height: 37 mm labels get 9 pt titles, 25 mm ones 7.5 pt.
	titleSize := clamp(h*0.25, 7, 10)
	subSize := clamp(h*0.19, 6, 7.5)
	codeSize := clamp(h*0.2, 6, 8)
	titleLines := 1
	if h >= 35 {
		titleLines = 2
	}

	ty := iy
	if l.Title != "" {
		setFont(pdf, true, titleSize)
		textColor(pdf, ink)
		for _, line := range wrap(pdf, l.Title, iw, titleLines) {
			text(pdf, ix, ty, iw, line, "L")
			ty += lineHeight(titleSize) * 0.92
		}
	}
	if l.Sub != "" {
		setFont(pdf, false, subSize)
		textColor(pdf, muted)
		text(pdf, ix, ty, iw, l.Sub, "L")
		ty += lineHeight(subSize) * 0.92
	}
	// The code in digits sits under the bars with a clear gap: a digit touching the bars can make a
	// scanner misread the last bar.
	ty += 0.8
	const gap = 0.6
	codeH := lineHeight(codeSize)
	barH := iy + ih - ty - codeH - gap
	b.draw(pdf, ix, ty, iw, barH, 0.5)
	setFont(pdf, false, codeSize)
	textColor(pdf, ink)
	text(pdf, ix, ty+barH+gap, iw, l.Code, "C")
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }
