package app

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// tapHeader taps the header of the column with this title, as a person would.
func tapHeader(t *testing.T, table *widget.Table, title string) {
	t.Helper()
	var button *widget.Button
	walk(table, func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok || len(c.Objects) != 2 || button != nil {
			return
		}
		b, isButton := c.Objects[0].(*widget.Button)
		inner, isContainer := c.Objects[1].(*fyne.Container)
		if !isButton || !isContainer || len(inner.Objects) == 0 {
			return
		}
		if l, ok := inner.Objects[0].(*widget.Label); ok && l.Text == title {
			button = b
		}
	})
	if button == nil {
		t.Fatalf("no header %q in the table", title)
	}
	test.Tap(button)
}

// numbers is a list of the integers 0…n-1 served a page at a time, recording what it was asked.
type numbers struct {
	n       int
	release chan struct{} // when not nil, count waits for it
	asked   []pageQuery   // read only after bg.wait()
}

func (s *numbers) source() pageSource[int] {
	return pageSource[int]{
		count: func(ctx context.Context) (int, error) {
			if s.release != nil {
				<-s.release
			}
			return s.n, nil
		},
		page: func(ctx context.Context, q pageQuery) ([]int, error) {
			s.asked = append(s.asked, q)
			var out []int
			for i := q.offset; i < min(q.offset+q.limit, s.n); i++ {
				if q.desc {
					out = append(out, s.n-1-i)
				} else {
					out = append(out, i)
				}
			}
			return out, nil
		},
	}
}

func newNumbersTable(t *testing.T) (*App, *pagedTable[int]) {
	t.Helper()
	a := New(context.Background(), newUIApp(t), nil)
	t.Cleanup(a.Stop)
	holdUI(t, a)
	pt := newPagedTable(a, "numbers", []column[int]{
		{title: "Number", width: 80, align: fyne.TextAlignTrailing, sort: "n", descFirst: true, text: func(i int) string { return groupDigits(int64(i)) }},
		{title: "Words", width: 120, grow: 1, text: func(i int) string { return fmt.Sprintf("number %d", i) }},
	}, func(i int) string { return fmt.Sprint(i) })
	pt.sortBy("n", false)
	pt.emptyText = "Nothing to count"
	a.win.SetContent(container.NewStack(pt.view()))
	a.win.Resize(fyne.NewSize(600, 500))
	return a, pt
}

func TestPagedTable_Paging(t *testing.T) {
	a, pt := newNumbersTable(t)
	src := &numbers{n: 450}
	pt.setSource(src.source())
	settle(a)

	if got, want := pt.status.Text, "1–200 of 450 numbers"; got != want {
		t.Errorf("pager = %q, want %q", got, want)
	}
	if !pt.first.Disabled() || !pt.prev.Disabled() || pt.next.Disabled() || pt.last.Disabled() {
		t.Error("on the first page, want First and Previous off, Next and Last on")
	}
	test.Tap(pt.next)
	settle(a)
	if got, want := pt.status.Text, "201–400 of 450 numbers"; got != want {
		t.Errorf("pager after Next = %q, want %q", got, want)
	}
	if got, want := pt.cellText(0, 0), "200"; got != want {
		t.Errorf("first cell after Next = %q, want %q", got, want)
	}
	test.Tap(pt.last)
	settle(a)
	if got, want := pt.status.Text, "401–450 of 450 numbers"; got != want {
		t.Errorf("pager after Last = %q, want %q", got, want)
	}
	if !pt.next.Disabled() || !pt.last.Disabled() {
		t.Error("on the last page, want Next and Last off")
	}
	if got, want := len(pt.rows), 50; got != want {
		t.Errorf("rows on last page = %d, want %d", got, want)
	}

	// The list shrinks under the last page: the table moves to the new last page.
	src.n = 150
	pt.reload()
	settle(a)
	if got, want := pt.status.Text, "1–150 of 150 numbers"; got != want {
		t.Errorf("pager after shrinking = %q, want %q", got, want)
	}
	test.Tap(pt.first)
	settle(a)
	if got := src.asked[len(src.asked)-1].offset; got != 0 {
		t.Errorf("offset asked after First = %d, want 0", got)
	}
	src.n = 1
	pt.reload()
	settle(a)
	if got, want := pt.status.Text, "1–1 of 1 number"; got != want {
		t.Errorf("pager of one = %q, want %q", got, want)
	}
	if got, want := singular("aliases"), "alias"; got != want {
		t.Errorf("singular(aliases) = %q, want %q", got, want)
	}
	if got, want := groupDigits(100000), "100,000"; got != want {
		t.Errorf("groupDigits(100000) = %q, want %q", got, want)
	}
	if got, want := groupDigits(-1234), "-1,234"; got != want {
		t.Errorf("groupDigits(-1234) = %q, want %q", got, want)
	}
}

func TestPagedTable_Sort(t *testing.T) {
	a, pt := newNumbersTable(t)
	src := &numbers{n: 450}
	pt.setSource(src.source())
	settle(a)
	test.Tap(pt.next)
	settle(a)

	tapHeader(t, pt.table, "Number")
	settle(a)
	if got, want := pt.sortArrow(0), "▼"; got != want {
		t.Errorf("arrow after tapping the sorted column = %q, want %q", got, want)
	}
	q := src.asked[len(src.asked)-1]
	if q.sort != "n" || !q.desc || q.offset != 0 {
		t.Errorf("loader asked %+v, want sort n descending from offset 0", q)
	}
	if got, want := pt.cellText(0, 0), "449"; got != want {
		t.Errorf("first cell = %q, want %q", got, want)
	}
	tapHeader(t, pt.table, "Words") // not sortable: nothing happens
	settle(a)
	if got, want := pt.sortArrow(0), "▼"; got != want {
		t.Errorf("arrow after tapping an unsortable column = %q, want %q", got, want)
	}
	if got, want := pt.sortArrow(1), ""; got != want {
		t.Errorf("arrow of the unsortable column = %q, want %q", got, want)
	}
}

func TestPagedTable_States(t *testing.T) {
	a, pt := newNumbersTable(t)
	if !pt.overlay.Visible() || pt.overlay.Text != "Loading…" {
		t.Errorf("before loading, overlay = %q (visible %v), want Loading…", pt.overlay.Text, pt.overlay.Visible())
	}
	src := &numbers{n: 0, release: make(chan struct{})}
	pt.setSource(src.source())
	if got, want := pt.status.Text, "Loading…"; got != want {
		t.Errorf("while loading, pager = %q, want %q", got, want)
	}
	close(src.release)
	settle(a)
	if !pt.overlay.Visible() || pt.overlay.Text != "Nothing to count" {
		t.Errorf("empty overlay = %q (visible %v), want the empty message", pt.overlay.Text, pt.overlay.Visible())
	}
	if got, want := pt.status.Text, "No numbers"; got != want {
		t.Errorf("empty pager = %q, want %q", got, want)
	}

	src2 := &numbers{n: 3}
	pt.setSource(src2.source())
	settle(a)
	if pt.overlay.Visible() {
		t.Errorf("overlay %q still shown over rows", pt.overlay.Text)
	}
}

func TestPagedTable_Select(t *testing.T) {
	a, pt := newNumbersTable(t)
	var chosen []int
	pt.onSelected = func(i int) { chosen = append(chosen, i) }
	src := &numbers{n: 10}
	pt.setSource(src.source())
	settle(a)

	pt.table.Select(widget.TableCellID{Row: 3, Col: 1})
	if got, want := chosen, []int{3}; !slices.Equal(got, want) {
		t.Errorf("chosen = %v, want %v", got, want)
	}
	if got, want := pt.selected, "3"; got != want {
		t.Errorf("selected key = %q, want %q", got, want)
	}
	// The highlight follows the row, not the position, when the order changes.
	pt.onHeaderTapped(0)
	settle(a)
	if got, want := pt.selected, "3"; got != want {
		t.Errorf("selected key after sorting = %q, want %q", got, want)
	}
	if got, want := pt.cellText(6, 0), "3"; got != want {
		t.Errorf("row 6 after sorting descending = %q, want %q", got, want)
	}
}

func TestPagedTable_FitColumns(t *testing.T) {
	_, pt := newNumbersTable(t)
	shown, widths := pt.columnWidths(1000)
	if !slices.Equal(shown, []int{0, 1}) || widths[0] != 80 {
		t.Errorf("columns, widths = %v, %v; want both, the fixed one 80 wide", shown, widths)
	}
	if widths[1] < 800 || widths[0]+widths[1] > 1000 {
		t.Errorf("width of the growing column = %v, want the rest of 1000", widths[1])
	}
	if _, widths := pt.columnWidths(100); !slices.Equal(widths, []float32{80, 120}) {
		t.Errorf("widths in a narrow area = %v, want the minimums [80 120]", widths)
	}

	// Droppable columns go, most droppable first, when the others would not fit.
	pt.cols = append(pt.cols,
		column[int]{title: "Square", width: 100, drop: 1, text: func(i int) string { return fmt.Sprint(i * i) }},
		column[int]{title: "Cube", width: 100, drop: 2, text: func(i int) string { return fmt.Sprint(i * i * i) }})
	pt.shown = []int{0, 1, 2, 3}
	for _, tt := range []struct {
		width float32
		want  []int
	}{{1000, []int{0, 1, 2, 3}}, {380, []int{0, 1, 2}}, {300, []int{0, 1}}, {100, []int{0, 1}}} {
		if got, _ := pt.columnWidths(tt.width); !slices.Equal(got, tt.want) {
			t.Errorf("columns shown in %v = %v, want %v", tt.width, got, tt.want)
		}
	}
	pt.setSource((&numbers{n: 3}).source())
	pt.fitColumns(300)
	if _, cols := pt.table.Length(); cols != 2 {
		t.Errorf("table columns in 300 = %d, want 2", cols)
	}
}
