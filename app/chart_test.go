package app

import (
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ raw, want float64 }{
		{0.3, 0.5}, {1, 1}, {1.2, 2}, {2.2, 2.5}, {7, 10}, {12, 20}, {25, 25}, {26, 50}, {3100, 5000},
	} {
		if got := niceStep(tc.raw); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("niceStep(%g) = %g, want %g", tc.raw, got, tc.want)
		}
	}
}

func TestChartAxis(t *testing.T) {
	for name, tc := range map[string]struct {
		d                chartData
		lo, hi, stepWant float64
	}{
		// 60 ÷ 4 = 15, rounded up to 20: 0, 20, 40, 60.
		"Positive": {chartData{bars: []float64{0, 60, 12}}, 0, 60, 20},
		// A loss pulls the axis below zero: (60 + 5) ÷ 4 = 16.25 → 20, from −20.
		"Loss": {chartData{bars: []float64{60}, line: []float64{-5}}, -20, 60, 20},
		// Nothing sold: a unit axis rather than a division by zero.
		"Empty": {chartData{bars: []float64{0, 0}}, 0, 1, 0.25},
	} {
		lo, hi, step := chartAxis(tc.d)
		if lo != tc.lo || hi != tc.hi || step != tc.stepWant {
			t.Errorf("%s: chartAxis() = %g, %g, step %g; want %g, %g, step %g", name, lo, hi, step, tc.lo, tc.hi, tc.stepWant)
		}
	}
}

// near reports whether two lengths in pixels agree to within half a pixel.
func near(a, b float32) bool { return math.Abs(float64(a-b)) <= 0.5 }

func TestBarChart_Columns(t *testing.T) {
	test.NewTempApp(t)
	c := newBarChart()
	c.set(chartData{labels: []string{"Mon", "Tue", "Wed", "Thu"}, bars: []float64{10, 20, 0, 40}, line: []float64{5, -5, 0, 10},
		notes: []string{"£10", "£20", "", "£40"}, barName: "Revenue", lineName: "Gross margin"})
	c.Resize(fyne.NewSize(400, 300))
	r := test.WidgetRenderer(c).(*barChartRenderer)
	if got := len(r.bars); got != 4 {
		t.Fatalf("%d bars, want 4", got)
	}
	unit := r.bars[0].Size().Height / 10 // pixels per pound
	if unit <= 0 {
		t.Fatalf("the first bar is %v high", r.bars[0].Size())
	}
	zero := r.zero.Position1.Y
	for i, v := range []float32{10, 20, 0, 40} {
		b := r.bars[i]
		if !near(b.Size().Height, v*unit) {
			t.Errorf("bar %d is %.1f px high, want %.1f (value %g at %.2f px each)", i, b.Size().Height, v*unit, v, unit)
		}
		if !near(b.Position().Y+b.Size().Height, zero) {
			t.Errorf("bar %d ends at y %.1f, want it to stand on the zero line at %.1f", i, b.Position().Y+b.Size().Height, zero)
		}
	}
	// The line's points sit at their values on the same axis: −5 below the zero line, 10 as high as the first bar.
	if y := r.dots[1].Position1.Y + chartDot; !near(y, zero+5*unit) {
		t.Errorf("the −5 point is at y %.1f, want %.1f", y, zero+5*unit)
	}
	if y := r.dots[3].Position1.Y + chartDot; !near(y, r.bars[0].Position().Y) {
		t.Errorf("the 10 point is at y %.1f, want the top of the 10 bar at %.1f", y, r.bars[0].Position().Y)
	}
	if got := len(r.segments); got != 3 {
		t.Errorf("%d line segments, want 3", got)
	}
	// The axis runs from −5 to 40, so (45 ÷ 4 = 11.25, rounded to 20) from −20 to 40 in steps of 20.
	var ticks []string
	for _, tk := range r.ticks {
		ticks = append(ticks, tk.Text)
	}
	if got, want := strings.Join(ticks, " "), "-20 0 20 40"; got != want {
		t.Errorf("axis labels %q, want %q", got, want)
	}
	if r.notes[2].Visible() || !r.notes[3].Visible() {
		t.Errorf("empty note shown %v, £40 note shown %v; want hidden and shown", r.notes[2].Visible(), r.notes[3].Visible())
	}

	// New data makes new bars.
	c.set(chartData{bars: []float64{1, 2}})
	if got := len(test.WidgetRenderer(c).(*barChartRenderer).bars); got != 2 {
		t.Errorf("after set: %d bars, want 2", got)
	}
}

// TestBarChart_CrowdedLabels: a year of days names only every few days, and no two names overlap.
func TestBarChart_CrowdedLabels(t *testing.T) {
	test.NewTempApp(t)
	d := chartData{}
	for i := range 365 {
		d.labels = append(d.labels, "30 Nov")
		d.bars = append(d.bars, float64(i%7))
	}
	c := newBarChart()
	c.set(d)
	c.Resize(fyne.NewSize(800, 300))
	r := test.WidgetRenderer(c).(*barChartRenderer)
	shown := 0
	right := float32(-1)
	for i, l := range r.labels {
		if !l.Visible() {
			continue
		}
		shown++
		if l.Position().X < right {
			t.Errorf("label %d starts at %.1f, before the previous one ends at %.1f", i, l.Position().X, right)
		}
		right = l.Position().X + l.Size().Width
	}
	if shown < 5 || shown > 30 {
		t.Errorf("%d of 365 day labels shown, want a readable handful", shown)
	}
}

func TestBarChart_Rows(t *testing.T) {
	test.NewTempApp(t)
	c := newBarChart()
	c.set(chartData{horizontal: true, labels: []string{"Stoneware mug", "A linen apron with a very long name indeed, longer than any column", "Other (3 products)"},
		bars: []float64{60, 24, 9}, inner: []float64{40, -6, 9}, notes: []string{"£60.00", "£24.00", "£9.00"}, lastIsRest: true})
	c.Resize(fyne.NewSize(600, 300))
	r := test.WidgetRenderer(c).(*barChartRenderer)
	unit := r.bars[0].Size().Width / 60
	zero := r.zero.Position1.X
	for i, v := range []float32{60, 24, 9} {
		if b := r.bars[i]; !near(b.Size().Width, v*unit) || !near(b.Position().X, zero) {
			t.Errorf("bar %d: x %.1f width %.1f, want from the zero line %.1f and %.1f wide", i, b.Position().X, b.Size().Width, zero, v*unit)
		}
	}
	// The margin inside: 40 of 60 to the right of zero; a loss of 6 to the left of it.
	if b := r.inner[0]; !near(b.Size().Width, 40*unit) || !near(b.Position().X, zero) {
		t.Errorf("inner bar 0: x %.1f width %.1f, want %.1f from %.1f", b.Position().X, b.Size().Width, 40*unit, zero)
	}
	if b := r.inner[1]; !near(b.Size().Width, 6*unit) || !near(b.Position().X+b.Size().Width, zero) {
		t.Errorf("inner bar 1 (a loss): x %.1f width %.1f, want %.1f wide ending at %.1f", b.Position().X, b.Size().Width, 6*unit, zero)
	}
	if b := r.bars[1]; b.Position().Y <= r.bars[0].Position().Y {
		t.Error("the second bar is not below the first: a ranking reads top down")
	}
	long := r.labels[1]
	if long.Text == c.data.labels[1] || long.Position().X < 0 {
		t.Errorf("long name drawn as %q at x %.1f, want it cut short with an ellipsis and inside the chart", long.Text, long.Position().X)
	}
	if r.bars[2].FillColor == r.bars[0].FillColor {
		t.Error("the Other bar looks like a ranked one, want it muted")
	}
	if n := r.notes[0]; !n.Visible() || n.Position().X < r.bars[0].Position().X+r.bars[0].Size().Width {
		t.Errorf("the first note is at x %.1f, want it after its bar", n.Position().X)
	}
}
