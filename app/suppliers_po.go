package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/documents"
	"github.com/backroom-app/backroom/data"
)

// The groups the purchase order list can show.
const (
	poFilterOpen      = "Open"
	poFilterLate      = "Late"
	poFilterDrafts    = "Drafts"
	poFilterReceived  = "Received"
	poFilterCancelled = "Cancelled"
	poFilterAll       = "All"

	allSuppliers = "All suppliers"
)

func poFilters() []string {
	return []string{poFilterOpen, poFilterLate, poFilterDrafts, poFilterReceived, poFilterCancelled, poFilterAll}
}

// poStatusesFor is what a list filter means in order states; nil for all (and for Late, which the
// store works out from the expected days).
func poStatusesFor(filter string) []data.POStatus {
	switch filter {
	case poFilterOpen:
		return []data.POStatus{data.POStatusSent, data.POStatusPartlyReceived}
	case poFilterDrafts:
		return []data.POStatus{data.POStatusDraft}
	case poFilterReceived:
		return []data.POStatus{data.POStatusReceived}
	case poFilterCancelled:
		return []data.POStatus{data.POStatusCancelled}
	}
	return nil
}

// poTab is the Purchase orders tab: the orders placed with suppliers, by state and supplier, and one
// order at a time with what can be done to it in its state: a draft is edited and sent, a sent order is
// received or given up, and any order can be saved again as PDF or spreadsheet for the supplier.
type poTab struct {
	sc *suppliersScreen
	a  *App

	filter    *segmented
	supplier  *widget.Select
	newPO     *widget.Button
	list      *pagedTable[data.PurchaseOrder]
	message   *widget.Label
	suppliers []data.Supplier
	quiet     bool

	listPage   fyne.CanvasObject
	detailPage *fyne.Container
	shown      *poView // the order on display; nil while the list is
	loads      latest

	// The open order's widgets; the buttons are kept and shown by the order's state.
	back       *widget.Button
	title      *widget.Label
	badge      *widget.Label
	edit       *widget.Button
	send       *widget.Button
	cancel     *widget.Button
	receive    *widget.Button
	closeShort *widget.Button
	savePDF    *widget.Button
	saveXLSX   *widget.Button
	email      *widget.Button
	said       *widget.Label // what the last action did
	lines      *gridTable

	// saveAs asks where to save a file called name and hands the open file to done (nil when the person
	// closed the dialog); openURL hands a mailto: link to the mail program. Tests replace both.
	saveAs  func(name string, done func(fyne.URIWriteCloser, error))
	openURL func(*url.URL) error

	// The dialogs, while open.
	editor   *poEditor
	sender   *poSender
	receiver *poReceiver
	closer   *poCloser
}

// poView is one order with what its page shows beside it.
type poView struct {
	po       data.PurchaseOrder
	supplier data.Supplier
	receipts []data.POReceipt
}

func newPOTab(sc *suppliersScreen) *poTab {
	a := sc.a
	t := &poTab{sc: sc, a: a}
	t.filter = newSegmented(poFilters(), func(string) { t.reloadList(true) })
	t.filter.set(poFilterOpen)
	t.supplier = widget.NewSelect([]string{allSuppliers}, func(string) {
		if !t.quiet {
			t.reloadList(true)
		}
	})
	t.supplier.Selected = allSuppliers // set before the first load, which the tab's refresh starts
	t.newPO = widget.NewButtonWithIcon("New purchase order…", theme.ContentAddIcon(), func() { t.openEditor(nil) })
	t.newPO.Importance = widget.HighImportance
	t.message = widget.NewLabel("")
	t.message.Wrapping = fyne.TextWrapWord
	t.message.Hide()

	now := a.store.Now
	cols := []column[data.PurchaseOrder]{
		{title: "Number", width: 96, sort: "number", text: func(p data.PurchaseOrder) string { return p.Number }},
		{title: "Supplier", width: 130, grow: 2, sort: "supplier", text: func(p data.PurchaseOrder) string { return p.SupplierName }},
		{title: "Status", width: 120, text: func(p data.PurchaseOrder) string { return p.Status.Label() }, style: poStatusStyle},
		{title: "Created / sent", width: 120, drop: 2, sort: "sent", descFirst: true, text: func(p data.PurchaseOrder) string { return poSentText(p, now()) }},
		{title: "Expected", width: 150, grow: 1, sort: "expected", text: func(p data.PurchaseOrder) string { return poExpectedText(p, now()) },
			style: func(p data.PurchaseOrder) widget.Importance {
				if p.Late(now()) {
					return widget.DangerImportance
				}
				return widget.MediumImportance
			}},
		{title: "Lines", width: 60, align: fyne.TextAlignTrailing, drop: 1, text: func(p data.PurchaseOrder) string { return groupDigits(int64(len(p.Lines))) }},
	}
	if a.store.Can(data.PermViewCosts) {
		cols = append(cols, column[data.PurchaseOrder]{title: "Total", width: 96, align: fyne.TextAlignTrailing, sort: "total", descFirst: true,
			text: func(p data.PurchaseOrder) string {
				if p.CostsHidden {
					return ""
				}
				return data.FormatMoney(p.Total, p.Currency)
			}})
	}
	t.list = newPagedTable(a, "purchase orders", cols, func(p data.PurchaseOrder) string { return fmt.Sprint(p.ID) })
	t.list.onSelected = func(p data.PurchaseOrder) { t.open(p.ID) }

	t.back = widget.NewButtonWithIcon("Purchase orders", theme.NavigateBackIcon(), t.closeDetail)
	t.back.Importance = widget.LowImportance
	t.title = detailHeading("")
	t.badge = widget.NewLabel("")
	t.badge.TextStyle.Bold = true
	t.edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() {
		if t.shown != nil {
			t.openEditor(t.shown)
		}
	})
	t.send = widget.NewButtonWithIcon("Send…", theme.MailSendIcon(), t.onSend)
	t.send.Importance = widget.HighImportance
	t.cancel = widget.NewButtonWithIcon("Cancel order…", theme.CancelIcon(), func() { t.openCloser(false) })
	t.receive = widget.NewButtonWithIcon("Receive…", theme.DownloadIcon(), t.onReceive)
	t.receive.Importance = widget.HighImportance
	t.closeShort = widget.NewButtonWithIcon("Close short…", theme.ContentRemoveIcon(), func() { t.openCloser(true) })
	t.savePDF = widget.NewButtonWithIcon("Save PDF…", theme.DocumentPrintIcon(), func() { t.onSave("pdf", t.say) })
	t.saveXLSX = widget.NewButtonWithIcon("Save spreadsheet…", theme.DocumentSaveIcon(), func() { t.onSave("xlsx", t.say) })
	t.email = widget.NewButtonWithIcon("Write e-mail", theme.MailComposeIcon(), func() { t.onEmail(t.say) })
	t.said = widget.NewLabel("")
	t.said.Wrapping = fyne.TextWrapWord
	t.said.Hide()

	t.saveAs = t.showSaveDialog
	t.openURL = a.fyne.OpenURL
	if !a.store.Can(data.PermManageSuppliers) {
		t.newPO.Hide()
	}
	return t
}

func (t *poTab) view() fyne.CanvasObject {
	filters := container.NewBorder(nil, nil, t.filter.box, container.NewHBox(fixedWidth(t.supplier, 180), t.newPO))
	t.listPage = container.NewBorder(container.NewVBox(filters, t.message), nil, nil, nil, t.list.view())
	t.detailPage = container.NewStack()
	t.detailPage.Hide()
	return container.NewStack(t.listPage, t.detailPage)
}

func (t *poTab) refresh() {
	store := t.a.store
	run(t.a.bg, func(ctx context.Context) ([]data.Supplier, error) {
		return store.Suppliers(ctx)
	}, func(sps []data.Supplier, err error) {
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.suppliers = sps
		opts := []string{allSuppliers}
		for _, s := range sps {
			opts = append(opts, s.Name)
		}
		t.quiet = true
		t.supplier.SetOptions(opts)
		if t.supplierID() == "" && t.supplier.Selected != allSuppliers {
			t.supplier.SetSelected(allSuppliers)
		}
		t.quiet = false
	})
	t.reloadList(t.list.src == nil)
	if t.shown != nil {
		t.open(t.shown.po.ID)
	}
}

// setFilter shows one group of orders, such as the late ones, from the list.
func (t *poTab) setFilter(filter string) {
	t.filter.set(filter)
	t.closeDetail()
}

func (t *poTab) supplierID() string {
	for _, s := range t.suppliers {
		if s.Name == t.supplier.Selected {
			return s.ID
		}
	}
	return ""
}

// reloadList lists the orders the filters pick; fresh starts from the first page.
func (t *poTab) reloadList(fresh bool) {
	store := t.a.store
	filter, supplier := t.filter.selected, t.supplierID()
	statuses := poStatusesFor(filter)
	t.list.emptyText = poEmptyText(filter, t.supplier.Selected, store.Can(data.PermManageSuppliers))
	var all []data.PurchaseOrder
	src := pageSource[data.PurchaseOrder]{
		count: func(ctx context.Context) (int, error) {
			var err error
			if filter == poFilterLate {
				var late []data.PurchaseOrder
				late, err = store.OverduePOs(ctx, store.Now())
				all = all[:0]
				for _, p := range late {
					if supplier == "" || p.SupplierID == supplier {
						all = append(all, p)
					}
				}
			} else {
				all, err = store.PurchaseOrders(ctx, data.POFilter{SupplierID: supplier, Statuses: statuses})
			}
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.PurchaseOrder, error) {
			sortPOs(all, q.sort, q.desc)
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	}
	if fresh {
		t.list.setSource(src)
		return
	}
	t.list.src = &src
	t.list.reload()
}

func poEmptyText(filter, supplier string, manage bool) string {
	of := ""
	if supplier != allSuppliers && supplier != "" {
		of = " with " + supplier
	}
	var s string
	switch filter {
	case poFilterOpen:
		s = "No orders" + of + " are on their way. Drafts wait under Drafts until they are sent."
	case poFilterLate:
		s = "No order" + of + " is past its expected day."
	case poFilterDrafts:
		s = "No drafts" + of + "."
	case poFilterReceived:
		s = "Nothing has been received" + of + " yet."
	case poFilterCancelled:
		s = "No cancelled orders" + of + "."
	default:
		s = "No purchase orders" + of + " yet."
	}
	if manage && filter != poFilterReceived && filter != poFilterCancelled && filter != poFilterLate {
		s += " Start one with New purchase order…."
	}
	return s
}

func sortPOs(all []data.PurchaseOrder, key string, desc bool) {
	if key == "" {
		return // the store's order: newest first
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if desc {
			a, b = b, a
		}
		switch key {
		case "supplier":
			if !strings.EqualFold(a.SupplierName, b.SupplierName) {
				return strings.ToLower(a.SupplierName) < strings.ToLower(b.SupplierName)
			}
		case "sent":
			if x, y := poDated(a), poDated(b); !x.Equal(y) {
				return x.Before(y)
			}
		case "expected":
			switch {
			case a.ExpectedAt == nil && b.ExpectedAt != nil:
				return false
			case a.ExpectedAt != nil && b.ExpectedAt == nil:
				return true
			case a.ExpectedAt != nil && !a.ExpectedAt.Equal(*b.ExpectedAt):
				return a.ExpectedAt.Before(*b.ExpectedAt)
			}
		case "total":
			if a.Total != b.Total {
				return a.Total < b.Total
			}
		}
		return a.Number < b.Number
	})
}

// poDated is when an order went out, or was written while it is a draft.
func poDated(p data.PurchaseOrder) time.Time {
	if p.SentAt != nil {
		return *p.SentAt
	}
	return p.CreatedAt
}

func poStatusStyle(p data.PurchaseOrder) widget.Importance {
	switch p.Status {
	case data.POStatusSent:
		return widget.HighImportance
	case data.POStatusPartlyReceived:
		return widget.WarningImportance
	case data.POStatusReceived:
		return widget.SuccessImportance
	case data.POStatusDraft, data.POStatusCancelled:
		return widget.LowImportance
	}
	return widget.MediumImportance
}

// poSentText is "Sent 2 Nov", or "Created 2 Nov" for a draft, in local time.
func poSentText(p data.PurchaseOrder, now time.Time) string {
	if p.SentAt != nil {
		return "Sent " + shortDay(p.SentAt.Local(), now.Local())
	}
	return "Created " + shortDay(p.CreatedAt.Local(), now.Local())
}

// expectedDay writes an expected delivery day. Those are calendar days, kept as midnight UTC, so they
// are read in UTC: in local time a shop west of Greenwich would see the day before.
func expectedDay(t time.Time, now time.Time) string {
	return shortDay(t.UTC(), now.UTC())
}

// shortDay writes a day without its year when it is this year's: "16 Nov", "16 Nov 2025".
func shortDay(t, now time.Time) string {
	if t.Year() == now.Year() {
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// poDaysLate counts the whole days an open order is past its expected day; 0 when it is not late.
func poDaysLate(p data.PurchaseOrder, now time.Time) int {
	if !p.Late(now) {
		return 0
	}
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = p.ExpectedAt.UTC().Date()
	due := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int(today.Sub(due).Hours() / 24)
}

// poExpectedText is the list's Expected cell: the day, how late an open order is, or when it came.
func poExpectedText(p data.PurchaseOrder, now time.Time) string {
	switch {
	case p.Status == data.POStatusReceived && p.ReceivedAt != nil:
		return "came " + shortDay(p.ReceivedAt.Local(), now.Local())
	case p.Status == data.POStatusCancelled, p.ExpectedAt == nil:
		return "—"
	}
	day := expectedDay(*p.ExpectedAt, now)
	if n := poDaysLate(p, now); n > 0 {
		return day + " · " + plural(n, "day", "days") + " late"
	}
	if p.Status.Open() && expectedDay(now, now) == day {
		return day + " · today"
	}
	return day
}

// open shows one order in place of the list.
func (t *poTab) open(id int64) {
	store := t.a.store
	load(t.a.bg, t.a.win, &t.loads, func(ctx context.Context) (poView, error) {
		var v poView
		var err error
		if v.po, err = store.PurchaseOrder(ctx, id); err != nil {
			return v, err
		}
		if v.supplier, err = store.Supplier(ctx, v.po.SupplierID); err != nil {
			return v, err
		}
		v.receipts, err = store.POReceipts(ctx, id)
		return v, err
	}, t.showDetail)
}

// closeDetail goes back to the list.
func (t *poTab) closeDetail() {
	t.loads.next()
	t.shown = nil
	t.list.markSelected("")
	if t.detailPage != nil {
		t.detailPage.Hide()
		t.listPage.Show()
	}
}

// say reports on the open order's page what an action did.
func (t *poTab) say(msg string, imp widget.Importance) {
	t.said.Importance = imp
	t.said.SetText(msg)
	t.said.Show()
}

// showDetail fills the page of one order: what it is, what can be done to it, its lines and deliveries.
func (t *poTab) showDetail(v poView) {
	again := t.shown != nil && t.shown.po.ID == v.po.ID
	t.shown = &v
	if !again {
		t.said.Hide()
	}
	po, sp := v.po, v.supplier
	now := t.a.store.Now()
	t.list.markSelected(fmt.Sprint(po.ID))
	t.title.SetText(po.Number + " · " + po.SupplierName)
	badge := po.Status.Label()
	if n := poDaysLate(po, now); n > 0 {
		badge += " · " + plural(n, "day", "days") + " late"
	}
	t.badge.SetText(badge)
	t.badge.Importance = poStatusStyle(po)
	if po.Late(now) {
		t.badge.Importance = widget.DangerImportance
	}
	t.badge.Refresh()

	manage, receive := t.a.store.Can(data.PermManageSuppliers), t.a.store.Can(data.PermMoveStock)
	show := func(b *widget.Button, on bool) {
		if on {
			b.Show()
		} else {
			b.Hide()
		}
	}
	draft := po.Status == data.POStatusDraft
	show(t.edit, manage && draft)
	show(t.send, manage && draft)
	show(t.cancel, manage && (draft || po.Status == data.POStatusSent))
	show(t.receive, receive && po.Status.Open())
	show(t.closeShort, manage && po.Status == data.POStatusPartlyReceived)
	show(t.email, manage && po.Status.Open())
	setEnabled(t.email, sp.Email != "")
	actions := container.NewHBox(t.edit, t.send, t.receive, t.closeShort, t.cancel, widget.NewSeparator(), t.savePDF, t.saveXLSX, t.email)

	left, right := factsForm(), factsForm()
	fact := func(f *fyne.Container, k, val string, imp widget.Importance) {
		f.Add(factKey(k))
		l := factValue(val)
		l.Importance = imp
		f.Add(l)
	}
	contact := sp.Name
	if sp.Email != "" {
		contact += " · " + sp.Email
	}
	fact(left, "Supplier", contact, widget.MediumImportance)
	if !sp.Available() {
		fact(left, "", "Marked unavailable since "+sp.UnavailableSince.Local().Format("2 Jan 2006"), widget.DangerImportance)
	}
	fact(left, "Deliver to", po.Location, widget.MediumImportance)
	origin := "by hand"
	switch po.Origin {
	case data.POOriginReorder:
		origin = "from the reorder suggestions"
	case data.POOriginContingency:
		origin = "by a contingency plan"
	}
	fact(left, "Written", origin+", "+po.CreatedAt.Local().Format("2 Jan 2006 15:04"), widget.MediumImportance)
	if po.SentAt != nil {
		fact(right, "Sent", po.SentAt.Local().Format("2 Jan 2006 15:04"), widget.MediumImportance)
	}
	expected, imp := "—", widget.MediumImportance
	if po.ExpectedAt != nil {
		expected = po.ExpectedAt.UTC().Format("Mon 2 Jan 2006")
		if n := poDaysLate(po, now); n > 0 {
			expected += " · " + plural(n, "day", "days") + " late"
			imp = widget.DangerImportance
		}
	}
	fact(right, "Expected", expected, imp)
	switch {
	case po.Status == data.POStatusReceived && po.ReceivedAt != nil:
		fact(right, "Received", po.ReceivedAt.Local().Format("2 Jan 2006 15:04"), widget.SuccessImportance)
	case po.Status == data.POStatusCancelled && po.CancelledAt != nil:
		fact(right, "Cancelled", po.CancelledAt.Local().Format("2 Jan 2006 15:04"), widget.MediumImportance)
	}

	costs := !po.CostsHidden
	cols := []gridColumn{
		{title: "#", width: 28},
		{title: "SKU", width: 112},
		{title: "Item", width: 120},
		{title: "Their SKU", width: 84},
		{title: "Ordered", width: 84, align: fyne.TextAlignTrailing},
		{title: "Received", width: 88, align: fyne.TextAlignTrailing},
		{title: "To come", width: 80, align: fyne.TextAlignTrailing},
	}
	if costs {
		cols = append(cols, gridColumn{title: "Unit cost", width: 80, align: fyne.TextAlignTrailing},
			gridColumn{title: "Line total", width: 86, align: fyne.TextAlignTrailing})
	}
	t.lines = newGridTable(2, cols...)
	var rows [][]string
	var units, toCome int64
	for _, l := range po.Lines {
		row := []string{fmt.Sprint(l.LineNo), l.SKU, l.Name, l.SupplierSKU, groupDigits(l.Quantity), groupDigits(l.Received), groupDigits(l.Outstanding())}
		if costs {
			row = append(row, data.FormatMoney(l.UnitCost, po.Currency), data.FormatMoney(l.UnitCost*l.Quantity, po.Currency))
		}
		rows = append(rows, row)
		units += l.Quantity
		toCome += l.Outstanding()
	}
	open := po.Status.Open() || draft
	t.lines.setRows(rows, func(row, col int) widget.Importance {
		l := po.Lines[row]
		switch {
		case col == 5 && l.Received > l.Quantity:
			return widget.WarningImportance
		case col == 5 && l.Received == l.Quantity:
			return widget.SuccessImportance
		case col == 6 && l.Outstanding() > 0 && open:
			return widget.HighImportance
		}
		return widget.MediumImportance
	})
	summary := plural(len(po.Lines), "line", "lines") + ", " + plural(int(units), "unit", "units")
	if po.Status.Open() {
		summary += ", " + plural(int(toCome), "unit", "units") + " still to come"
	} else if po.Status == data.POStatusReceived && toCome > 0 {
		summary += "; closed with " + plural(int(toCome), "unit", "units") + " never delivered"
	}
	totals := container.NewBorder(nil, nil, nil, nil, mutedLine(summary))
	if costs {
		total := widget.NewLabel("Total " + data.FormatMoney(po.Total, po.Currency))
		total.TextStyle.Bold = true
		totals = container.NewBorder(nil, nil, nil, total, mutedLine(summary))
		if sp.MinOrderValue > 0 && po.Total < sp.MinOrderValue && sp.Currency == po.Currency && draft {
			warn := widget.NewLabel(fmt.Sprintf("Below %s's minimum order of %s.", sp.Name, data.FormatMoney(sp.MinOrderValue, sp.Currency)))
			warn.Importance = widget.WarningImportance
			totals = container.NewVBox(totals, warn)
		}
	}

	body := container.NewVBox(container.NewGridWithColumns(2, left, right))
	if po.Notes != "" {
		notes := widget.NewLabel(po.Notes)
		notes.Wrapping = fyne.TextWrapWord
		body.Add(sectionTitle("Notes"))
		body.Add(notes)
	}
	body.Add(sectionTitle("Lines"))
	body.Add(t.lines.box)
	body.Add(totals)
	body.Add(sectionTitle("Deliveries"))
	if len(v.receipts) == 0 {
		msg := "Nothing has arrived yet."
		if draft {
			msg = "Nothing can arrive before the order is sent."
		} else if po.Status == data.POStatusCancelled {
			msg = "The order was cancelled before anything arrived."
		}
		body.Add(mutedText(msg))
	} else {
		names := map[int]string{}
		for _, l := range po.Lines {
			names[l.LineNo] = l.SKU
		}
		got := newGridTable(3, gridColumn{title: "When", width: 160}, gridColumn{title: "SKU", width: 120},
			gridColumn{title: "Quantity", width: 80, align: fyne.TextAlignTrailing}, gridColumn{title: "Booked by", width: 120})
		var rs [][]string
		for _, r := range v.receipts {
			rs = append(rs, []string{r.At.Local().Format("2 Jan 2006 15:04"), r.SKU, groupDigits(r.Quantity), r.UserName})
		}
		got.setRows(rs, nil)
		body.Add(got.box)
	}

	head := container.NewVBox(
		container.NewHBox(t.back),
		container.NewBorder(nil, nil, nil, t.badge, t.title),
		container.NewHScroll(actions),
		t.said,
		widget.NewSeparator())
	t.detailPage.Objects = []fyne.CanvasObject{container.NewBorder(head, nil, nil, nil, container.NewVScroll(body))}
	t.detailPage.Refresh()
	if !t.detailPage.Visible() {
		t.listPage.Hide()
		t.detailPage.Show()
	}
}

// afterChange reloads the list and the open order after an action on it.
func (t *poTab) afterChange() {
	t.reloadList(false)
	if t.shown != nil {
		t.open(t.shown.po.ID)
	}
	t.sc.afterChange()
}

// onSave saves the open order as PDF or spreadsheet; say reports where it went.
func (t *poTab) onSave(kind string, say func(string, widget.Importance)) {
	if t.shown == nil {
		return
	}
	t.saveDocument(t.shown.po.ID, t.shown.po.Number, kind, say)
}

// saveDocument asks where to save order id as kind ("pdf" or "xlsx"), makes it in the background from
// fresh store data and writes it there. A document that failed is not left half-written.
func (t *poTab) saveDocument(id int64, number, kind string, say func(string, widget.Importance)) {
	store := t.a.store
	paper := paperForLocale(lang.SystemLocale().String())
	t.saveAs(number+"."+kind, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(t.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		say("Making "+number+"."+kind+"…", widget.MediumImportance)
		run(t.a.bg, func(ctx context.Context) (string, error) {
			var buf bytes.Buffer
			err := writePODocument(ctx, store, id, kind, paper, &buf)
			if err == nil {
				_, err = wc.Write(buf.Bytes())
			}
			if cerr := wc.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("close %s: %w", wc.URI().Name(), cerr)
			}
			if err != nil {
				_ = storage.Delete(wc.URI())
			}
			return wc.URI().Path(), err
		}, func(path string, err error) {
			if err != nil {
				say(problemText(err), widget.DangerImportance)
				return
			}
			say("Saved "+path, widget.SuccessImportance)
		})
	})
}

// writePODocument writes purchase order id as PDF or workbook, read afresh from the store.
func writePODocument(ctx context.Context, store *data.Store, id int64, kind string, paper documents.Paper, w io.Writer) error {
	po, err := store.PurchaseOrder(ctx, id)
	if err != nil {
		return err
	}
	sp, err := store.Supplier(ctx, po.SupplierID)
	if err != nil {
		return err
	}
	info, err := documents.Shop(ctx, store, paper)
	if err != nil {
		return err
	}
	if kind == "xlsx" {
		return documents.PurchaseOrderXLSX(w, info, sp, po)
	}
	return documents.PurchaseOrderPDF(w, info, sp, po)
}

func (t *poTab) showSaveDialog(name string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, t.a.win)
	d.SetFileName(name)
	ext := name[strings.LastIndex(name, "."):]
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}

// onEmail opens the mail program on a message to the supplier with the open order in it.
func (t *poTab) onEmail(say func(string, widget.Importance)) {
	if t.shown == nil {
		return
	}
	t.writeEmail(t.shown.po.ID, say)
}

// writeEmail reads order id afresh and opens a mailto: link for it. A link cannot carry an attachment,
// so the message says to attach the saved PDF by hand.
func (t *poTab) writeEmail(id int64, say func(string, widget.Importance)) {
	store := t.a.store
	type mail struct {
		u            *url.URL
		to, supplier string
	}
	run(t.a.bg, func(ctx context.Context) (mail, error) {
		po, err := store.PurchaseOrder(ctx, id)
		if err != nil {
			return mail{}, err
		}
		sp, err := store.Supplier(ctx, po.SupplierID)
		if err != nil || sp.Email == "" {
			return mail{supplier: sp.Name}, err
		}
		shop, err := documents.ShopName(ctx, store)
		if err != nil {
			return mail{}, err
		}
		return mail{poMailto(po, sp, shop), sp.Email, sp.Name}, nil
	}, func(m mail, err error) {
		switch {
		case err != nil:
			say(problemText(err), widget.DangerImportance)
		case m.to == "":
			say(m.supplier+" has no e-mail address: add one with Edit… on the Suppliers tab.", widget.DangerImportance)
		default:
			if err := t.openURL(m.u); err != nil {
				say("Your mail program did not open ("+err.Error()+"). Write to "+m.to+" yourself.", widget.DangerImportance)
				return
			}
			say("Your mail program has a message to "+m.to+" with the order in it. Attach the PDF yourself: an e-mail link cannot carry the file.",
				widget.MediumImportance)
		}
	})
}

// mailLines is how many order lines an e-mail lists; the rest are in the attached PDF. Mail programs
// cut mailto: links somewhere past 2,000 characters.
const mailLines = 30

// poMailto is a mailto: link to the supplier with the order's number as subject and its lines in the
// body.
func poMailto(po data.PurchaseOrder, sp data.Supplier, shop string) *url.URL {
	var b strings.Builder
	hello := "Hello"
	if sp.Contact != "" {
		hello += " " + sp.Contact
	}
	b.WriteString(hello + ",\r\n\r\n")
	fmt.Fprintf(&b, "Please find our purchase order %s attached.", po.Number)
	if po.ExpectedAt != nil {
		fmt.Fprintf(&b, " We expect delivery by %s.", po.ExpectedAt.UTC().Format("Monday 2 January 2006"))
	}
	b.WriteString("\r\n\r\n")
	for i, l := range po.Lines {
		if i == mailLines {
			fmt.Fprintf(&b, "… and %d more lines: see the attached order.\r\n", len(po.Lines)-i)
			break
		}
		code := l.SKU
		if l.SupplierSKU != "" {
			code = l.SupplierSKU + " (our " + l.SKU + ")"
		}
		fmt.Fprintf(&b, "%s × %s %s", groupDigits(l.Quantity), code, l.Name)
		if !po.CostsHidden && l.UnitCost > 0 {
			fmt.Fprintf(&b, " at %s", data.FormatMoney(l.UnitCost, po.Currency))
		}
		b.WriteString("\r\n")
	}
	if !po.CostsHidden {
		fmt.Fprintf(&b, "\r\nTotal %s\r\n", data.FormatMoney(po.Total, po.Currency))
	}
	fmt.Fprintf(&b, "\r\nPlease quote %s on your delivery note and invoice.\r\n\r\nThank you,\r\n%s\r\n", po.Number, shop)
	// QueryEscape writes spaces as "+", which some mail programs keep as a plus: write them as %20.
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return &url.URL{Scheme: "mailto", Opaque: sp.Email,
		RawQuery: "subject=" + esc("Purchase order "+po.Number) + "&body=" + esc(b.String())}
}

// onSend opens the Send dialog for the open draft.
func (t *poTab) onSend() {
	if t.shown != nil && t.shown.po.Status == data.POStatusDraft {
		t.openSender(*t.shown)
	}
}

// poSender is the Send dialog: first the expected delivery day, which marks the order sent; then the
// ways to get it to the supplier (PDF, spreadsheet, e-mail).
type poSender struct {
	t        *poTab
	view     poView
	content  *fyne.Container
	expected *widget.DateEntry
	day      *widget.Label // the expected day in words
	message  *widget.Label
	confirm  *widget.Button
	dialog   *dialog.CustomDialog

	// After sending.
	sent   data.PurchaseOrder
	pdf    *widget.Button
	xlsx   *widget.Button
	email  *widget.Button
	done   *widget.Button
	status *widget.Label
}

const senderWidth = 560

func (t *poTab) openSender(v poView) {
	s := &poSender{t: t, view: v}
	sp, po := v.supplier, v.po
	now := t.a.store.Now()
	s.expected = widget.NewDateEntry()
	due := po.ExpectedAt
	if due == nil || due.Before(now.Truncate(24*time.Hour)) {
		y, m, d := now.Local().Date()
		day := time.Date(y, m, d+sp.LeadTimeDays, 0, 0, 0, 0, time.UTC)
		due = &day
	}
	s.expected.SetDate(due)
	// The entry writes the day in the computer's short format (10/12/2026); the day in words beside it
	// leaves no doubt which is the month.
	s.day = widget.NewLabel("")
	s.day.TextStyle.Bold = true
	showDay := func(d *time.Time) {
		if d == nil {
			s.day.SetText("No day: " + plural(sp.LeadTimeDays, "day", "days") + " from today")
			return
		}
		s.day.SetText(d.Format("Monday 2 January 2006"))
	}
	showDay(due)
	s.expected.OnChanged = showDay
	s.message = widget.NewLabel("")
	s.message.Importance = widget.DangerImportance
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Hide()
	intro := fmt.Sprintf("Marking %s sent dates it today and starts the clock on %s's lead time: learned lead times and "+
		"late warnings are measured from now. It can no longer be edited afterwards.", po.Number, sp.Name)
	hint := fmt.Sprintf("%s promises %s", sp.Name, plural(sp.LeadTimeDays, "day", "days"))
	form := widget.NewForm(&widget.FormItem{Text: "Expected", Widget: container.NewGridWithColumns(2, s.expected, s.day), HintText: hint})
	first := container.NewVBox(mutedText(intro), form)
	if !sp.Available() {
		warn := widget.NewLabel(sp.Name + " is marked unavailable: mark it available on the Suppliers tab before sending, or order from a backup.")
		warn.Importance = widget.WarningImportance
		warn.Wrapping = fyne.TextWrapWord
		first.Add(warn)
	}
	first.Add(s.message)
	s.content = container.NewStack(first)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { s.dialog.Hide() })
	s.confirm = widget.NewButtonWithIcon("Mark sent", theme.MailSendIcon(), s.onConfirm)
	s.confirm.Importance = widget.HighImportance
	s.dialog = dialog.NewCustomWithoutButtons("Send "+po.Number+" to "+sp.Name, s.content, t.a.win)
	s.dialog.SetButtons([]fyne.CanvasObject{cancel, s.confirm})
	s.dialog.SetOnClosed(func() {
		if t.sender == s {
			t.sender = nil
		}
	})
	s.dialog.Resize(fyne.NewSize(senderWidth, s.dialog.MinSize().Height))
	t.sender = s
	s.dialog.Show()
}

func (s *poSender) problem(msg string, field fyne.Focusable) {
	showFormProblem(s.t.a.win, s.dialog, s.message, senderWidth, msg, field)
}

// onConfirm marks the order sent in the background, then shows the ways to send it.
func (s *poSender) onConfirm() {
	var expected *time.Time
	if strings.TrimSpace(s.expected.Text) != "" {
		if err := s.expected.Validate(); err != nil || s.expected.Date == nil {
			s.problem(fmt.Sprintf("Expected: %q is not a day; pick one from the calendar.", s.expected.Text), s.expected)
			return
		}
		y, m, d := s.expected.Date.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		expected = &day
	}
	store := s.t.a.store
	id := s.view.po.ID
	s.confirm.Disable()
	run(s.t.a.bg, func(ctx context.Context) (data.PurchaseOrder, error) {
		return store.SendPO(ctx, id, expected)
	}, func(po data.PurchaseOrder, err error) {
		s.confirm.Enable()
		if err != nil {
			s.problem(problemText(err), s.expected)
			return
		}
		s.sent = po
		s.showWays()
		s.t.afterChange()
	})
}

// showWays is the dialog's second step: the order is sent; now it has to reach the supplier.
func (s *poSender) showWays() {
	po, sp := s.sent, s.view.supplier
	say := func(msg string, imp widget.Importance) {
		s.status.Importance = imp
		s.status.SetText(msg)
		s.status.Show()
		s.dialog.Resize(fyne.NewSize(senderWidth, s.dialog.MinSize().Height))
	}
	s.pdf = widget.NewButtonWithIcon("Save PDF…", theme.DocumentPrintIcon(), func() { s.t.saveDocument(po.ID, po.Number, "pdf", say) })
	s.pdf.Importance = widget.HighImportance
	s.xlsx = widget.NewButtonWithIcon("Save spreadsheet…", theme.DocumentSaveIcon(), func() { s.t.saveDocument(po.ID, po.Number, "xlsx", say) })
	s.email = widget.NewButtonWithIcon("Write e-mail", theme.MailComposeIcon(), func() { s.t.writeEmail(po.ID, say) })
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Hide()
	expected := "no expected day"
	if po.ExpectedAt != nil {
		expected = "expected " + po.ExpectedAt.UTC().Format("Mon 2 Jan 2006")
	}
	head := widget.NewLabel(fmt.Sprintf("%s is marked sent to %s, %s.", po.Number, sp.Name, expected))
	head.Importance = widget.SuccessImportance
	head.Wrapping = fyne.TextWrapWord
	mailNote := "Write e-mail opens your mail program with a message to " + sp.Email + " listing the order. " +
		"Attach the PDF you saved yourself: an e-mail link cannot carry the file."
	if sp.Email == "" {
		s.email.Disable()
		mailNote = sp.Name + " has no e-mail address; add one with Edit… on the Suppliers tab to write to it from here."
	}
	s.content.Objects = []fyne.CanvasObject{container.NewVBox(head,
		widget.NewLabel("Now get it to the supplier:"),
		container.NewHBox(s.pdf, s.xlsx, s.email),
		mutedText(mailNote), s.status)}
	s.content.Refresh()
	s.done = widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), func() { s.dialog.Hide() })
	s.dialog.SetButtons([]fyne.CanvasObject{s.done})
	s.dialog.Resize(fyne.NewSize(senderWidth, s.dialog.MinSize().Height))
}

// poCloser is the Cancel order and Close short dialog: both give up what has not come, with a reason
// kept in the order's notes.
type poCloser struct {
	t       *poTab
	short   bool
	reason  *widget.Entry
	message *widget.Label
	confirm *widget.Button
	dialog  *dialog.CustomDialog
}

func (t *poTab) openCloser(short bool) {
	if t.shown == nil {
		return
	}
	po := t.shown.po
	c := &poCloser{t: t, short: short}
	c.reason = widget.NewEntry()
	c.reason.SetPlaceHolder("e.g. the supplier ran out")
	c.reason.OnSubmitted = func(string) { c.onConfirm() }
	c.message = widget.NewLabel("")
	c.message.Importance = widget.DangerImportance
	c.message.Wrapping = fyne.TextWrapWord
	c.message.Hide()
	var toCome int64
	for _, l := range po.Lines {
		toCome += l.Outstanding()
	}
	title, action := "Cancel "+po.Number, "Cancel order"
	explain := po.Number + " is withdrawn: nothing more is expected from it and it no longer counts as on order."
	if po.Status == data.POStatusDraft {
		explain = "The draft is kept, marked cancelled, so its number is not used again."
	}
	if short {
		title, action = "Close "+po.Number+" short", "Close short"
		explain = fmt.Sprintf("%s is closed as received with what came: the %s still to come are no longer expected. "+
			"Its lead time is not learned from, since it never arrived in full.", po.Number, plural(int(toCome), "unit", "units"))
	}
	form := widget.NewForm(&widget.FormItem{Text: "Why", Widget: c.reason, HintText: "Kept in the order's notes"})
	back := widget.NewButton("Keep it", func() { c.dialog.Hide() })
	c.confirm = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), c.onConfirm)
	c.confirm.Importance = widget.DangerImportance
	c.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(mutedText(explain), form, c.message), t.a.win)
	c.dialog.SetButtons([]fyne.CanvasObject{back, c.confirm})
	c.dialog.SetOnClosed(func() {
		if t.closer == c {
			t.closer = nil
		}
	})
	c.dialog.Resize(fyne.NewSize(500, c.dialog.MinSize().Height))
	t.closer = c
	c.dialog.Show()
	if cv := t.a.win.Canvas(); cv != nil {
		cv.Focus(c.reason)
	}
}

func (c *poCloser) onConfirm() {
	if c.t.shown == nil {
		return
	}
	id, number := c.t.shown.po.ID, c.t.shown.po.Number
	reason := strings.TrimSpace(c.reason.Text)
	store := c.t.a.store
	short := c.short
	c.confirm.Disable()
	run(c.t.a.bg, func(ctx context.Context) (data.PurchaseOrder, error) {
		if short {
			return store.ClosePO(ctx, id, reason)
		}
		return store.CancelPO(ctx, id, reason)
	}, func(_ data.PurchaseOrder, err error) {
		c.confirm.Enable()
		if err != nil {
			showFormProblem(c.t.a.win, c.dialog, c.message, 500, problemText(err), nil)
			return
		}
		c.dialog.Hide()
		if short {
			c.t.say(number+" is closed short.", widget.SuccessImportance)
		} else {
			c.t.say(number+" is cancelled.", widget.SuccessImportance)
		}
		c.t.afterChange()
	})
}
