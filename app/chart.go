package app

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartData is what a barChart draws: one bar per category, and optionally an inner bar drawn over each
// bar from zero (a part of the whole, such as the margin within the revenue) and a line through the
// categories on the same axis (such as the margin from day to day). Values are in display units (pounds,
// not pence), as the axis shows them.
type chartData struct {
	// horizontal lays the bars out as rows, for rankings, where long names need room to be read;
	// otherwise bars stand left to right, for periods, where time runs along the axis.
	horizontal bool
	labels     []string  // one per category, in drawing order
	bars       []float64 // one per category
	inner      []float64 // nil, or one per category
	line       []float64 // nil, or one per category
	notes      []string  // nil, or the value label beside each bar ("" for none)
	// lastIsRest marks the last category as everything the others leave out ("Other"): its bar is
	// drawn muted, as it is a sum and not one of the ranked.
	lastIsRest bool
	// barName, innerName and lineName are the legend's words for each series; the legend leaves out a
	// series without a name.
	barName, innerName, lineName string
	tick                         func(float64) string // writes an axis value; nil writes it plainly
}

// barChart draws bars, a line, axis labels and value labels with Fyne's canvas primitives, so charts
// follow the theme and cost no plotting library. A note or category label that would overlap its
// neighbours is left out rather than drawn over them.
type barChart struct {
	widget.BaseWidget
	data    chartData
	version int // counts set calls, so the renderer rebuilds its objects only when the data changed
}

func newBarChart() *barChart {
	c := &barChart{}
	c.ExtendBaseWidget(c)
	return c
}

// set replaces what the chart draws.
func (c *barChart) set(d chartData) {
	c.data = d
	c.version++
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barChartRenderer{c: c, built: -1}
	r.rebuild()
	return r
}

// barChartRenderer keeps one canvas object per drawn thing; Layout places them for the widget's size.
type barChartRenderer struct {
	c     *barChart
	built int // the chart version the objects were made for

	lo, hi, step float64 // the value axis: its ends and the distance between grid lines

	grid     []*canvas.Line
	ticks    []*canvas.Text
	zero     *canvas.Line
	bars     []*canvas.Rectangle
	inner    []*canvas.Rectangle
	segments []*canvas.Line // the line between category i and i+1
	dots     []*canvas.Circle
	labels   []*canvas.Text
	notes    []*canvas.Text
	legend   []fyne.CanvasObject // swatch, name, swatch, name…
	objects  []fyne.CanvasObject
}

const (
	chartBarShare   = 0.7 // of a category's slot taken by its bar; the rest is the gap between bars
	chartInnerShare = 0.5 // of a bar's thickness taken by its inner bar
	chartMaxBar     = 56  // thickest bar: a few periods should not look like walls
	chartRow        = 19  // a horizontal chart's least height per bar, so its names stay readable
	chartDot        = 3   // radius of the line's points
)

func (r *barChartRenderer) rebuild() {
	d := r.c.data
	r.built = r.c.version
	r.lo, r.hi, r.step = chartAxis(d)
	r.grid, r.ticks, r.bars, r.inner, r.segments, r.dots, r.labels, r.notes, r.legend = nil, nil, nil, nil, nil, nil, nil, nil, nil
	r.objects = nil
	small := theme.CaptionTextSize()
	for i := range int(math.Round((r.hi-r.lo)/r.step)) + 1 {
		r.grid = append(r.grid, canvas.NewLine(color.Transparent))
		t := canvas.NewText(chartTick(d, r.lo+float64(i)*r.step), color.Transparent)
		t.TextSize = small
		r.ticks = append(r.ticks, t)
	}
	r.zero = canvas.NewLine(color.Transparent)
	for range d.bars {
		r.bars = append(r.bars, canvas.NewRectangle(color.Transparent))
	}
	for range d.inner {
		r.inner = append(r.inner, canvas.NewRectangle(color.Transparent))
	}
	for i := range d.line {
		if i > 0 {
			r.segments = append(r.segments, canvas.NewLine(color.Transparent))
		}
		r.dots = append(r.dots, canvas.NewCircle(color.Transparent))
	}
	for _, l := range d.labels {
		t := canvas.NewText(l, color.Transparent)
		t.TextSize = small
		r.labels = append(r.labels, t)
	}
	for _, n := range d.notes {
		t := canvas.NewText(n, color.Transparent)
		t.TextSize = small
		r.notes = append(r.notes, t)
	}
	for _, name := range []string{d.barName, d.innerName, d.lineName} {
		if name == "" {
			continue
		}
		swatch := canvas.NewRectangle(color.Transparent)
		t := canvas.NewText(name, color.Transparent)
		t.TextSize = small
		r.legend = append(r.legend, swatch, t)
	}

	// Drawn in this order: grid and ticks behind, bars, the zero line, the margin line, labels on top.
	r.objects = appendObjects(r.objects, r.grid)
	r.objects = appendObjects(r.objects, r.ticks)
	r.objects = appendObjects(r.objects, r.bars)
	r.objects = appendObjects(r.objects, r.inner)
	r.objects = append(r.objects, r.zero)
	r.objects = appendObjects(r.objects, r.segments)
	r.objects = appendObjects(r.objects, r.dots)
	r.objects = appendObjects(r.objects, r.labels)
	r.objects = appendObjects(r.objects, r.notes)
	r.objects = append(r.objects, r.legend...)
	r.colour()
}

// colour paints everything in the theme's colours: bars light, the inner bar and the line strong,
// and whatever is below zero (a loss) in the error colour.
func (r *barChartRenderer) colour() {
	d := r.c.data
	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	grid := theme.Color(theme.ColorNameSeparator)
	bar := chartBarColour()
	strong := theme.Color(theme.ColorNameSuccess)
	loss := theme.Color(theme.ColorNameError)
	for _, l := range r.grid {
		l.StrokeColor, l.StrokeWidth = grid, 1
	}
	for _, t := range r.ticks {
		t.Color = muted
	}
	r.zero.StrokeColor, r.zero.StrokeWidth = muted, 1
	rest := len(d.bars) - 1
	if !d.lastIsRest {
		rest = -1
	}
	for i, b := range r.bars {
		b.FillColor = bar
		switch {
		case d.bars[i] < 0:
			b.FillColor = loss
		case i == rest:
			b.FillColor = theme.Color(theme.ColorNameDisabled)
		}
	}
	for i, b := range r.inner {
		b.FillColor = strong
		switch {
		case d.inner[i] < 0:
			b.FillColor = loss
		case i == rest:
			b.FillColor = theme.Color(theme.ColorNamePlaceHolder)
		}
	}
	for i, s := range r.segments {
		s.StrokeColor, s.StrokeWidth = strong, 2
		if d.line[i] < 0 || d.line[i+1] < 0 {
			s.StrokeColor = loss
		}
	}
	for i, dot := range r.dots {
		dot.FillColor = strong
		if d.line[i] < 0 {
			dot.FillColor = loss
		}
	}
	for _, t := range r.labels {
		t.Color = muted
	}
	for _, t := range r.notes {
		t.Color = fg
	}
	colours := []color.Color{bar, strong, strong}
	i := 0
	for k, name := range []string{d.barName, d.innerName, d.lineName} {
		if name == "" {
			continue
		}
		swatch := r.legend[i].(*canvas.Rectangle)
		swatch.FillColor = colours[k]
		swatch.CornerRadius = 0
		if k == 2 { // the line's swatch is a round point, as drawn
			swatch.CornerRadius = chartDot + 1
		}
		r.legend[i+1].(*canvas.Text).Color = fg
		i += 2
	}
}

// chartBarColour is the primary colour, lightened so an inner bar or a line drawn over it stands out.
func chartBarColour() color.Color {
	c := color.NRGBAModel.Convert(theme.Color(theme.ColorNamePrimary)).(color.NRGBA)
	c.A = 0x80
	return c
}

func (r *barChartRenderer) Destroy() {}

func (r *barChartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *barChartRenderer) Refresh() {
	if r.built != r.c.version {
		r.rebuild()
	} else {
		r.colour()
	}
	r.Layout(r.c.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

func (r *barChartRenderer) MinSize() fyne.Size {
	text := chartTextHeight()
	pad := theme.Padding()
	if r.c.data.horizontal {
		return fyne.NewSize(280, r.legendHeight()+float32(len(r.c.data.bars))*chartRow+text+3*pad)
	}
	return fyne.NewSize(240, 180)
}

func chartTextHeight() float32 {
	return fyne.MeasureText("0", theme.CaptionTextSize(), fyne.TextStyle{}).Height
}

func (r *barChartRenderer) legendHeight() float32 {
	if len(r.legend) == 0 {
		return 0
	}
	return chartTextHeight() + theme.Padding()
}

// plotArea is the rectangle the bars are drawn in.
type plotArea struct{ x, y, w, h float32 }

func (r *barChartRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	r.layoutLegend(pad)
	if r.c.data.horizontal {
		r.layoutRows(size, pad)
	} else {
		r.layoutColumns(size, pad)
	}
}

// layoutLegend puts the legend in a line at the top left.
func (r *barChartRenderer) layoutLegend(pad float32) {
	x := float32(0)
	h := chartTextHeight()
	for i := 0; i < len(r.legend); i += 2 {
		swatch, name := r.legend[i], r.legend[i+1].(*canvas.Text)
		side := h * 0.6
		swatch.Resize(fyne.NewSize(side, side))
		swatch.Move(fyne.NewPos(x, (h-side)/2))
		x += side + pad
		w := name.MinSize().Width
		name.Move(fyne.NewPos(x, 0))
		name.Resize(fyne.NewSize(w, h))
		x += w + 3*pad
	}
}

// layoutColumns lays out a vertical chart: value axis on the left, categories along the bottom.
func (r *barChartRenderer) layoutColumns(size fyne.Size, pad float32) {
	d := r.c.data
	text := chartTextHeight()
	tickW := float32(0)
	for _, t := range r.ticks {
		tickW = max(tickW, t.MinSize().Width)
	}
	top := r.legendHeight() + pad
	if len(r.notes) > 0 {
		top += text // room for the tallest bar's note
	}
	p := plotArea{x: tickW + 2*pad, y: top}
	p.w = max(size.Width-p.x-pad, 1)
	p.h = max(size.Height-p.y-text-2*pad, 1)
	yOf := func(v float64) float32 { return p.y + p.h*float32((r.hi-v)/(r.hi-r.lo)) }

	for i, l := range r.grid {
		y := yOf(r.lo + float64(i)*r.step)
		l.Position1, l.Position2 = fyne.NewPos(p.x, y), fyne.NewPos(p.x+p.w, y)
		t := r.ticks[i]
		w := t.MinSize().Width
		t.Move(fyne.NewPos(p.x-pad-w, y-text/2))
		t.Resize(fyne.NewSize(w, text))
	}
	y0 := yOf(0)
	r.zero.Position1, r.zero.Position2 = fyne.NewPos(p.x, y0), fyne.NewPos(p.x+p.w, y0)

	n := len(d.bars)
	if n == 0 {
		return
	}
	slot := p.w / float32(n)
	bw := max(min(slot*chartBarShare, chartMaxBar), 1)
	centre := func(i int) float32 { return p.x + slot*(float32(i)+0.5) }
	span := func(v float64) (float32, float32) { // top and bottom of a bar from zero to v
		return yOf(max(v, 0)), yOf(min(v, 0))
	}
	for i, b := range r.bars {
		top, bottom := span(d.bars[i])
		b.Move(fyne.NewPos(centre(i)-bw/2, top))
		b.Resize(fyne.NewSize(bw, bottom-top))
	}
	iw := max(bw*chartInnerShare, 1)
	for i, b := range r.inner {
		top, bottom := span(d.inner[i])
		b.Move(fyne.NewPos(centre(i)-iw/2, top))
		b.Resize(fyne.NewSize(iw, bottom-top))
	}
	for i, dot := range r.dots {
		y := yOf(d.line[i])
		dot.Position1 = fyne.NewPos(centre(i)-chartDot, y-chartDot)
		dot.Position2 = fyne.NewPos(centre(i)+chartDot, y+chartDot)
		if slot < 3*chartDot {
			dot.Hide() // points closer than their size only blot the line
		} else {
			dot.Show()
		}
		if i > 0 {
			s := r.segments[i-1]
			s.Position1, s.Position2 = fyne.NewPos(centre(i-1), yOf(d.line[i-1])), fyne.NewPos(centre(i), y)
		}
	}
	for i, t := range r.notes {
		w := t.MinSize().Width
		if w > slot-2 || t.Text == "" {
			t.Hide()
			continue
		}
		t.Show()
		top, bottom := span(d.bars[i])
		y := top - text
		if d.bars[i] < 0 {
			y = bottom
		}
		t.Move(fyne.NewPos(centre(i)-w/2, y))
		t.Resize(fyne.NewSize(w, text))
	}
	// Every k-th category is named, so the names never run into each other.
	widest := float32(0)
	for _, t := range r.labels {
		widest = max(widest, t.MinSize().Width)
	}
	k := max(int(math.Ceil(float64((widest+2*pad)/slot))), 1)
	for i, t := range r.labels {
		w := t.MinSize().Width
		x := centre(i) - w/2
		if i%k != 0 || x < 0 || x+w > size.Width {
			t.Hide()
			continue
		}
		t.Show()
		t.Move(fyne.NewPos(x, p.y+p.h+pad))
		t.Resize(fyne.NewSize(w, text))
	}
}

// layoutRows lays out a horizontal chart: category names on the left, bars to the right with their
// notes after them, the value axis along the bottom.
func (r *barChartRenderer) layoutRows(size fyne.Size, pad float32) {
	d := r.c.data
	text := chartTextHeight()
	labelW := float32(0)
	for i, t := range r.labels {
		t.Text = d.labels[i]
		labelW = max(labelW, t.MinSize().Width)
	}
	labelW = min(labelW, size.Width*0.35)
	noteW := float32(0)
	for _, t := range r.notes {
		noteW = max(noteW, t.MinSize().Width)
	}
	noteW = min(noteW, size.Width*0.3)
	p := plotArea{x: labelW + 2*pad, y: r.legendHeight() + pad}
	p.w = max(size.Width-p.x-noteW-2*pad, 1)
	p.h = max(size.Height-p.y-text-2*pad, 1)
	n := len(d.bars)
	// Rows keep their height when there are few, so a short ranking stays together at the top.
	row := min(p.h/float32(max(n, 1)), chartRow*1.6)
	p.h = row * float32(max(n, 1))
	xOf := func(v float64) float32 { return p.x + p.w*float32((v-r.lo)/(r.hi-r.lo)) }

	for i, l := range r.grid {
		x := xOf(r.lo + float64(i)*r.step)
		l.Position1, l.Position2 = fyne.NewPos(x, p.y), fyne.NewPos(x, p.y+p.h)
		t := r.ticks[i]
		w := t.MinSize().Width
		t.Move(fyne.NewPos(x-w/2, p.y+p.h+pad))
		t.Resize(fyne.NewSize(w, text))
	}
	x0 := xOf(0)
	r.zero.Position1, r.zero.Position2 = fyne.NewPos(x0, p.y), fyne.NewPos(x0, p.y+p.h)

	if n == 0 {
		return
	}
	bh := max(row*chartBarShare, 1)
	middle := func(i int) float32 { return p.y + row*(float32(i)+0.5) }
	span := func(v float64) (float32, float32) { return xOf(min(v, 0)), xOf(max(v, 0)) }
	for i, b := range r.bars {
		left, right := span(d.bars[i])
		b.Move(fyne.NewPos(left, middle(i)-bh/2))
		b.Resize(fyne.NewSize(right-left, bh))
	}
	ih := max(bh*chartInnerShare, 1)
	for i, b := range r.inner {
		left, right := span(d.inner[i])
		b.Move(fyne.NewPos(left, middle(i)-ih/2))
		b.Resize(fyne.NewSize(right-left, ih))
	}
	for i, dot := range r.dots {
		x := xOf(d.line[i])
		dot.Position1 = fyne.NewPos(x-chartDot, middle(i)-chartDot)
		dot.Position2 = fyne.NewPos(x+chartDot, middle(i)+chartDot)
		if i > 0 {
			s := r.segments[i-1]
			s.Position1, s.Position2 = fyne.NewPos(xOf(d.line[i-1]), middle(i-1)), fyne.NewPos(x, middle(i))
		}
	}
	for i, t := range r.labels {
		t.Text = fitText(d.labels[i], labelW, t.TextSize)
		w := t.MinSize().Width
		t.Show()
		t.Move(fyne.NewPos(p.x-pad-w, middle(i)-text/2))
		t.Resize(fyne.NewSize(w, text))
	}
	for i, t := range r.notes {
		if t.Text == "" || row < text {
			t.Hide()
			continue
		}
		t.Show()
		w := t.MinSize().Width
		_, right := span(max(d.bars[i], 0))
		t.Move(fyne.NewPos(right+pad, middle(i)-text/2))
		t.Resize(fyne.NewSize(w, text))
	}
}

// fitText cuts s to fit width at text size, ending it with an ellipsis when cut.
func fitText(s string, width, size float32) string {
	if fyne.MeasureText(s, size, fyne.TextStyle{}).Width <= width {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		cut := string(runes[:n]) + "…"
		if fyne.MeasureText(cut, size, fyne.TextStyle{}).Width <= width {
			return cut
		}
	}
	return "…"
}

// chartAxis picks the value axis: it always includes zero, and runs between round values a round
// step apart, with about four steps.
func chartAxis(d chartData) (lo, hi, step float64) {
	for _, series := range [][]float64{d.bars, d.inner, d.line} {
		for _, v := range series {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi == lo {
		hi = 1
	}
	step = niceStep((hi - lo) / 4)
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten, the steps people read at a glance.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func chartTick(d chartData, v float64) string {
	if math.Abs(v) < 1e-9 {
		v = 0 // a sum of steps can land a hair off zero
	}
	if d.tick != nil {
		return d.tick(v)
	}
	return fmt.Sprintf("%g", v)
}

// appendObjects adds typed canvas objects (lines, rectangles, texts) to a renderer's object list.
func appendObjects[T fyne.CanvasObject](dst []fyne.CanvasObject, src []T) []fyne.CanvasObject {
	for _, o := range src {
		dst = append(dst, o)
	}
	return dst
}
