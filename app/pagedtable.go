package app

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pagedTable shows a list far too long to load at once (100,000 orders, 20,000 SKUs) one page at a
// time: the store counts the matching rows and returns only the page on display, in the background.
// Paging also keeps widget.Table short, clear of its float32 offset drift on very long tables.
//
// A row is selected as a whole (the table's own selection marks one cell), and the selection follows
// the row's key across reloads, so a refreshed page keeps the same order highlighted.
type pagedTable[T any] struct {
	bg       *background
	win      fyne.Window
	cols     []column[T]
	key      func(T) string
	pageSize int
	noun     string // "orders", for the pager

	// emptyText is shown instead of a blank table when nothing matches.
	emptyText string
	// onSelected is called on the UI goroutine when a row is chosen.
	onSelected func(T)

	src      *pageSource[T]
	rows     []T
	total    int
	offset   int // the page asked for
	shownAt  int // the offset of rows, the page on display
	sortKey  string
	desc     bool
	loading  bool
	loaded   bool
	selected string // key of the chosen row, "" for none
	fetches  latest
	shown    []int // indexes of the columns on display, in order

	table   *widget.Table
	status  *widget.Label
	busy    *widget.Activity  // turns while a page loads
	overlay *widget.Label     // "Loading…" or the empty message
	cover   fyne.CanvasObject // the panel that holds overlay over the table's body
	coverBg *canvas.Rectangle
	first   *widget.Button
	prev    *widget.Button
	next    *widget.Button
	last    *widget.Button
	content fyne.CanvasObject
}

// column describes one column of a pagedTable.
type column[T any] struct {
	title string
	width float32 // narrowest width; spare width goes to columns with grow
	grow  float32 // share of the spare width
	align fyne.TextAlign
	// sort is the key handed to the loader when the column is sorted; empty when it cannot sort.
	sort string
	// descFirst makes the first tap sort largest first, as people want for quantities.
	descFirst bool
	text      func(T) string
	// style colours a cell (danger for oversold); nil is the normal colour.
	style func(T) widget.Importance
	// drop hides the column when the table is too narrow for all of them, highest first (a list beside
	// a detail panel); 0 never hides.
	drop int
}

// pageQuery is what a loader is asked for.
type pageQuery struct {
	offset, limit int
	total         int // rows the count found, so a loader can page from the other end
	sort          string
	desc          bool
}

// pageSource loads a list. Both functions run off the UI goroutine, so they must only use values
// captured when the source was made, never read widgets.
type pageSource[T any] struct {
	count func(ctx context.Context) (int, error)
	page  func(ctx context.Context, q pageQuery) ([]T, error)
}

type pageResult[T any] struct {
	rows          []T
	total, offset int
}

func newPagedTable[T any](a *App, noun string, cols []column[T], key func(T) string) *pagedTable[T] {
	pt := &pagedTable[T]{bg: a.bg, win: a.win, cols: cols, key: key, pageSize: 200, noun: noun}
	for i := range cols {
		pt.shown = append(pt.shown, i)
	}
	pt.table = &widget.Table{
		Length:        func() (int, int) { return len(pt.rows), len(pt.shown) },
		CreateCell:    pt.createCell,
		UpdateCell:    pt.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  pt.createHeader,
		UpdateHeader:  pt.updateHeader,
	}
	pt.table.OnSelected = func(id widget.TableCellID) {
		pt.table.UnselectAll()
		pt.choose(id.Row)
	}
	pt.table.ExtendBaseWidget(pt.table)

	pt.status = widget.NewLabel("")
	pt.busy = widget.NewActivity()
	pt.busy.Hide()
	pt.overlay = widget.NewLabel("Loading…")
	pt.overlay.Alignment = fyne.TextAlignCenter
	pt.overlay.Wrapping = fyne.TextWrapWord
	pt.first = widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), func() { pt.goTo(0) })
	pt.prev = widget.NewButtonWithIcon("Previous", theme.NavigateBackIcon(), func() { pt.goTo(pt.offset - pt.pageSize) })
	pt.next = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() { pt.goTo(pt.offset + pt.pageSize) })
	pt.next.IconPlacement = widget.ButtonIconTrailingText
	pt.last = widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), func() { pt.goTo(lastPageOffset(pt.total, pt.pageSize)) })
	for _, b := range []*widget.Button{pt.first, pt.prev, pt.next, pt.last} {
		b.Importance = widget.LowImportance
	}

	// The message covers the body below the header, so the column lines don't run through it.
	header := canvas.NewRectangle(color.Transparent)
	header.SetMinSize(fyne.NewSize(0, pt.createHeader().MinSize().Height+theme.Padding()))
	pt.coverBg = canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	pt.cover = container.NewBorder(header, nil, nil, nil, container.NewStack(
		pt.coverBg,
		container.NewCenter(fixedWidth(pt.overlay, 320))))
	body := container.NewStack(pt.table, pt.cover)
	pager := container.NewBorder(widget.NewSeparator(), nil, nil,
		container.NewHBox(pt.first, pt.prev, pt.next, pt.last), container.NewHBox(pt.busy, pt.status))
	pt.content = container.NewBorder(nil, pager, nil, nil, container.New(&fillColumns{fit: pt.fitColumns}, body))
	pt.updatePager()
	return pt
}

// view is the table with its pager.
func (pt *pagedTable[T]) view() fyne.CanvasObject { return pt.content }

// sortBy sets the initial sort, before the first load.
func (pt *pagedTable[T]) sortBy(key string, desc bool) { pt.sortKey, pt.desc = key, desc }

// setSource shows a new list (the filters changed) from its first page.
func (pt *pagedTable[T]) setSource(src pageSource[T]) {
	pt.src = &src
	pt.offset = 0
	pt.fetch(true)
}

// reload fetches the page on display again, after the data changed.
func (pt *pagedTable[T]) reload() {
	if pt.src == nil {
		return
	}
	pt.fetch(false)
}

func (pt *pagedTable[T]) goTo(offset int) {
	offset = max(0, min(offset, lastPageOffset(pt.total, pt.pageSize)))
	if offset == pt.offset {
		return
	}
	pt.offset = offset
	pt.fetch(true)
}

// onHeaderTapped sorts by a column; a second tap reverses the order.
func (pt *pagedTable[T]) onHeaderTapped(col int) {
	c := pt.cols[col]
	if c.sort == "" {
		return
	}
	if pt.sortKey == c.sort {
		pt.desc = !pt.desc
	} else {
		pt.sortKey, pt.desc = c.sort, c.descFirst
	}
	pt.offset = 0
	pt.table.Refresh()
	pt.fetch(true)
}

func (pt *pagedTable[T]) fetch(toTop bool) {
	if pt.src == nil {
		return
	}
	src := *pt.src
	q := pageQuery{offset: pt.offset, limit: pt.pageSize, sort: pt.sortKey, desc: pt.desc}
	current := pt.fetches.next()
	pt.loading = true
	pt.updatePager()
	run(pt.bg, func(ctx context.Context) (pageResult[T], error) {
		n, err := src.count(ctx)
		if err != nil {
			return pageResult[T]{}, err
		}
		if q.offset >= n {
			q.offset = lastPageOffset(n, q.limit)
		}
		q.total = n
		rows, err := src.page(ctx, q)
		return pageResult[T]{rows: rows, total: n, offset: q.offset}, err
	}, func(r pageResult[T], err error) {
		if !current() {
			return
		}
		pt.loading = false
		if err != nil {
			pt.updatePager()
			showError(pt.win, err)
			return
		}
		pt.rows, pt.total, pt.offset, pt.shownAt, pt.loaded = r.rows, r.total, r.offset, r.offset, true
		pt.table.Refresh()
		if toTop {
			pt.table.ScrollToTop()
		}
		pt.updatePager()
	})
}

// choose selects the row at index i of the page.
func (pt *pagedTable[T]) choose(i int) {
	if i < 0 || i >= len(pt.rows) {
		return
	}
	r := pt.rows[i]
	pt.selected = pt.key(r)
	pt.table.Refresh()
	if pt.onSelected != nil {
		pt.onSelected(r)
	}
}

// markSelected highlights the row with this key, if it is on the page, without calling onSelected.
func (pt *pagedTable[T]) markSelected(key string) {
	if pt.selected != key {
		pt.selected = key
		pt.table.Refresh()
	}
}

// cellText is what the cell at row, col of the page shows.
func (pt *pagedTable[T]) cellText(row, col int) string { return pt.cols[col].text(pt.rows[row]) }

// rangeText is the pager's "1–200 of 100,000 orders".
func (pt *pagedTable[T]) rangeText() string {
	if pt.total == 0 {
		return "No " + pt.noun
	}
	noun := pt.noun
	if pt.total == 1 {
		noun = singular(noun)
	}
	return fmt.Sprintf("%s–%s of %s %s", groupDigits(int64(pt.shownAt+1)),
		groupDigits(int64(pt.shownAt+len(pt.rows))), groupDigits(int64(pt.total)), noun)
}

// singular turns the pager's plural noun into one: orders, SKUs, aliases → order, SKU, alias.
func singular(noun string) string {
	if strings.HasSuffix(noun, "ses") {
		return strings.TrimSuffix(noun, "es")
	}
	return strings.TrimSuffix(noun, "s")
}

func (pt *pagedTable[T]) updatePager() {
	switch {
	case !pt.loaded, pt.loading && len(pt.rows) == 0:
		pt.status.SetText("Loading…")
		pt.showOverlay("Loading…")
	case pt.loading:
		pt.status.SetText(pt.rangeText() + " · loading…")
		pt.showOverlay("")
	case len(pt.rows) == 0:
		pt.status.SetText(pt.rangeText())
		pt.showOverlay(pt.emptyText)
	default:
		pt.status.SetText(pt.rangeText())
		pt.showOverlay("")
	}
	if pt.loading && pt.busy.Hidden {
		pt.busy.Show()
		pt.busy.Start()
	} else if !pt.loading && !pt.busy.Hidden {
		pt.busy.Stop()
		pt.busy.Hide()
	}
	atStart := pt.offset == 0
	atEnd := pt.offset+pt.pageSize >= pt.total
	setEnabled(pt.first, !atStart)
	setEnabled(pt.prev, !atStart)
	setEnabled(pt.next, !atEnd)
	setEnabled(pt.last, !atEnd)
}

// showOverlay covers the table's body with a message, or uncovers it when text is empty.
func (pt *pagedTable[T]) showOverlay(text string) {
	if text == "" {
		pt.overlay.Hide()
		pt.cover.Hide()
		return
	}
	pt.overlay.SetText(text)
	pt.overlay.Show()
	pt.coverBg.FillColor = theme.Color(theme.ColorNameBackground) // follows a light/dark switch
	pt.cover.Show()
	pt.cover.Refresh()
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

func lastPageOffset(total, size int) int {
	if total <= 0 {
		return 0
	}
	return (total - 1) / size * size
}

func (pt *pagedTable[T]) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewStack(canvas.NewRectangle(color.Transparent), l)
}

func (pt *pagedTable[T]) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	bg, l := c.Objects[0].(*canvas.Rectangle), c.Objects[1].(*widget.Label)
	if id.Row >= len(pt.rows) || id.Col >= len(pt.shown) {
		l.SetText("")
		return
	}
	r, col := pt.rows[id.Row], pt.cols[pt.shown[id.Col]]
	var fill color.Color = color.Transparent
	if pt.selected != "" && pt.key(r) == pt.selected {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
	imp := widget.MediumImportance
	if col.style != nil {
		imp = col.style(r)
	}
	text := col.text(r)
	if l.Text != text || l.Alignment != col.align || l.Importance != imp {
		l.Text, l.Alignment, l.Importance = text, col.align, imp
		l.Refresh()
	}
}

// The header is a flat button under a bold label and a sort arrow, so a tap anywhere sorts and the
// title still truncates in a narrow column.
func (pt *pagedTable[T]) createHeader() fyne.CanvasObject {
	b := widget.NewButton("", nil)
	b.Importance = widget.LowImportance
	l := widget.NewLabel("")
	l.TextStyle.Bold = true
	l.Truncation = fyne.TextTruncateEllipsis
	before, after := widget.NewIcon(nil), widget.NewIcon(nil)
	return container.NewStack(b, container.NewBorder(nil, nil, before, after, l))
}

func (pt *pagedTable[T]) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Col < 0 || id.Col >= len(pt.shown) {
		return
	}
	n := pt.shown[id.Col]
	col := pt.cols[n]
	c := o.(*fyne.Container)
	b := c.Objects[0].(*widget.Button)
	inner := c.Objects[1].(*fyne.Container)
	l := inner.Objects[0].(*widget.Label)
	before, after := inner.Objects[1].(*widget.Icon), inner.Objects[2].(*widget.Icon)

	l.Text, l.Alignment = col.title, col.align
	l.Refresh()
	b.OnTapped = func() { pt.onHeaderTapped(n) }
	setEnabled(b, col.sort != "")

	var arrow fyne.Resource
	if col.sort != "" && col.sort == pt.sortKey {
		arrow = theme.MenuDropUpIcon()
		if pt.desc {
			arrow = theme.MenuDropDownIcon()
		}
	}
	// Right-aligned (number) columns carry the arrow on the left, so the title stays over the digits.
	show, hide := after, before
	if col.align == fyne.TextAlignTrailing {
		show, hide = before, after
	}
	hide.SetResource(nil)
	hide.Hide()
	if arrow == nil {
		show.Hide()
	} else {
		show.SetResource(arrow)
		show.Show()
	}
	inner.Refresh()
}

// sortArrow is the header's marker for a column, for tests and screen readers: ▲, ▼ or "".
func (pt *pagedTable[T]) sortArrow(col int) string {
	if pt.cols[col].sort == "" || pt.cols[col].sort != pt.sortKey {
		return ""
	}
	if pt.desc {
		return "▼"
	}
	return "▲"
}

// fitColumns shows the columns that fit the table's width and gives the spare width to the growing
// ones, so the table fills its area without scrolling sideways.
func (pt *pagedTable[T]) fitColumns(width float32) {
	shown, widths := pt.columnWidths(width)
	changed := !slices.Equal(shown, pt.shown)
	pt.shown = shown
	for i, w := range widths {
		pt.table.SetColumnWidth(i, w)
	}
	if changed {
		pt.table.Refresh()
	}
}

// columnWidths picks the columns to show in width, dropping the most droppable first while they do
// not fit, and shares the width between them: each gets its own width, and the growing ones share
// what is left, less room for the scroll bar.
func (pt *pagedTable[T]) columnWidths(width float32) (shown []int, widths []float32) {
	th := pt.table.Theme()
	pad := th.Size(theme.SizeNamePadding)
	for i := range pt.cols {
		shown = append(shown, i)
	}
	need := func() (used, grow float32) {
		used = th.Size(theme.SizeNameScrollBar)
		for _, i := range shown {
			used += pt.cols[i].width + pad
			grow += pt.cols[i].grow
		}
		return used, grow
	}
	for {
		used, _ := need()
		drop := -1
		for j, i := range shown {
			if d := pt.cols[i].drop; d > 0 && (drop < 0 || d >= pt.cols[shown[drop]].drop) {
				drop = j
			}
		}
		if used <= width || drop < 0 {
			break
		}
		shown = slices.Delete(shown, drop, drop+1)
	}
	used, grow := need()
	spare := max(0, width-used)
	for _, i := range shown {
		c := pt.cols[i]
		w := c.width
		if grow > 0 {
			w += spare * c.grow / grow
		}
		widths = append(widths, float32(int(w)))
	}
	return shown, widths
}

// fillColumns lays its content over the whole area and reports the width to fit, so a table's columns
// can follow the window's size.
type fillColumns struct {
	fit   func(width float32)
	width float32
}

func (l *fillColumns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		l.fit(size.Width)
	}
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *fillColumns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// gridTable is a small, fully drawn table for detail panels (order lines, stock movements): rows of
// truncating labels in fixed columns, one of which takes the spare width.
type gridTable struct {
	cols   []gridColumn
	layout *gridColumnsLayout
	box    *fyne.Container
	rows   [][]string
}

type gridColumn struct {
	title string
	width float32
	align fyne.TextAlign
}

// newGridTable makes a table whose column grow takes the spare width (-1 for none).
func newGridTable(grow int, cols ...gridColumn) *gridTable {
	widths := make([]float32, len(cols))
	for i, c := range cols {
		widths[i] = c.width
	}
	g := &gridTable{cols: cols, layout: &gridColumnsLayout{widths: widths, grow: grow}, box: container.NewVBox()}
	return g
}

// setRows replaces the rows; style, when not nil, colours single cells.
func (g *gridTable) setRows(rows [][]string, style func(row, col int) widget.Importance) {
	g.rows = rows
	objs := []fyne.CanvasObject{g.row(nil, -1, nil)}
	for i, r := range rows {
		objs = append(objs, g.row(r, i, style))
	}
	g.box.Objects = objs
	g.box.Refresh()
}

func (g *gridTable) row(cells []string, i int, style func(row, col int) widget.Importance) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(g.cols))
	for c, col := range g.cols {
		l := widget.NewLabel(col.title)
		l.Alignment = col.align
		l.Truncation = fyne.TextTruncateEllipsis
		if cells == nil {
			l.TextStyle.Bold = true
		} else {
			l.Text = cells[c]
			if style != nil {
				l.Importance = style(i, c)
			}
		}
		objs[c] = l
	}
	return container.New(g.layout, objs...)
}

// gridColumnsLayout places a row's cells in the table's columns; all rows share one, so columns line up.
type gridColumnsLayout struct {
	widths []float32
	grow   int
}

func (l *gridColumnsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var s fyne.Size
	for i, o := range objects {
		if i > 0 {
			s.Width += pad
		}
		s.Width += l.widths[i]
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}

func (l *gridColumnsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	spare := size.Width - l.MinSize(objects).Width
	x := float32(0)
	for i, o := range objects {
		w := l.widths[i]
		if i == l.grow && spare > 0 {
			w += spare
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// fixedWidth gives o at least width w, for entries and selects in a tool bar.
func fixedWidth(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.New(&atLeastWidth{w: w}, o)
}

type atLeastWidth struct{ w float32 }

func (l *atLeastWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *atLeastWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.w, 0)
	for _, o := range objects {
		m := o.MinSize()
		s = fyne.NewSize(max(s.Width, m.Width), max(s.Height, m.Height))
	}
	return s
}

// showPanel shows the detail side of a split after its content changed, laying the split out again
// only when the panel was hidden.
func showPanel(split *container.Split, panel *fyne.Container) {
	if panel.Visible() {
		panel.Refresh()
		return
	}
	panel.Show()
	split.Refresh()
}

// detailHeading is a panel's title: bold, larger, truncated rather than pushing the panel wider.
func detailHeading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameSubHeadingText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// sectionTitle names a part of a detail panel.
func sectionTitle(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return container.NewVBox(widget.NewSeparator(), l)
}

// factsForm lays out label/value pairs; values truncate and may carry an importance.
func factsForm(pairs ...fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewFormLayout(), pairs...)
}

func factKey(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	return l
}

func factValue(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// debounce runs fn on the UI goroutine after d, unless debounce was called again with the same latest
// in the meantime: search as you type without a query per keystroke.
func debounce(b *background, l *latest, d time.Duration, fn func()) {
	current := l.next()
	run(b, func(ctx context.Context) (struct{}, error) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return struct{}{}, nil
		case <-ctx.Done():
			return struct{}{}, ctx.Err()
		}
	}, func(_ struct{}, err error) {
		if err == nil && current() {
			fn()
		}
	})
}

// groupDigits writes n with thousands separators: 100,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return sign + string(out)
}
