package app

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// showPOTab opens the Purchase orders tab of the Suppliers section.
func showPOTab(t *testing.T, a *App) (*suppliersScreen, *poTab) {
	t.Helper()
	sc := showScreen[*suppliersScreen](t, a, sectionSuppliers)
	sc.tabs.Select(sc.ordersT)
	settle(a)
	return sc, sc.orders
}

// stockOnHand is a SKU's stock as the store counts it.
func stockOnHand(t *testing.T, s *data.Store, sku string) int64 {
	t.Helper()
	lv, err := s.StockLevel(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return lv.OnHand
}

// scanInto sends a code to the Receive dialog's scanner entry as a scanner does: the code, then Enter.
func scanInto(a *App, r *poReceiver, code string) {
	r.scan.SetText(code)
	r.scan.OnSubmitted(r.scan.Text)
	settle(a)
}

// TestPurchaseOrders_Lifecycle: a draft written in the editor (by SKU and by barcode, costs from the
// supplier), edited, sent with its PDF, spreadsheet and e-mail, received in part by typing and the rest by
// scanning with one unit too many, checked in the ledger, on hand, cost and the order's state.
func TestPurchaseOrders_Lifecycle(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	sp, _ := seedPO(t, a.store) // a supplier with items, and a draft the test leaves alone
	holdUI(t, a)
	_, pt := showPOTab(t, a)
	if pt.filter.selected != poFilterOpen || len(pt.list.rows) != 0 {
		t.Fatalf("the tab opens on %q with %d orders, want Open with none", pt.filter.selected, len(pt.list.rows))
	}
	test.Tap(pt.filter.buttons[poFilterDrafts])
	settle(a)
	if len(pt.list.rows) != 1 || pt.list.cellText(0, 2) != "Draft" {
		t.Fatalf("Drafts lists %d orders", len(pt.list.rows))
	}

	// A new order: pick the supplier, add the mug by SKU and the apron by its barcode.
	test.Tap(pt.newPO)
	test.Tap(overlayButton(t, a, "Start draft"))
	settle(a)
	e := pt.editor
	if e == nil || e.sp.ID != sp.ID {
		t.Fatalf("Start draft opened %+v", e)
	}
	e.add.SetText("MUG-BLUE")
	test.Tap(e.addLine)
	e.add.SetText("5012345678900")
	test.Tap(e.addLine)
	settle(a)
	if len(e.lines) != 2 || e.lines[1].sku != "APRON-SAGE" {
		t.Fatalf("the editor has %d lines", len(e.lines))
	}
	// The mug's least order is 12 (two packs of 6); its price and the apron's come from the supplier.
	if l := e.lines[0]; l.qty.Text != "12" || l.cost.Text != "3.00" || e.lines[1].cost.Text != "8.00" {
		t.Errorf("the mug's line is %s × %s, the apron's cost %s", l.qty.Text, l.cost.Text, e.lines[1].cost.Text)
	}
	e.lines[1].qty.SetText("10")
	if got := e.total.Text; got != "2 lines · Total £116.00" { // 12 × 3.00 + 10 × 8.00
		t.Errorf("the editor's total = %q", got)
	}
	e.add.SetText("MUG-BLUE")
	test.Tap(e.addLine)
	if len(e.lines) != 2 || e.message.Text != "MUG-BLUE is already on line 1: change its quantity there." {
		t.Errorf("adding the mug twice said %q", e.message.Text)
	}
	e.lines[0].qty.SetText("0")
	test.Tap(e.save)
	settle(a)
	if pt.editor == nil || e.message.Text != `Line 1 (MUG-BLUE): the quantity "0" is not a whole number of at least 1.` {
		t.Errorf("a quantity of 0 said %q", e.message.Text)
	}
	e.lines[0].qty.SetText("12")
	test.Tap(e.save)
	settle(a)
	if pt.editor != nil {
		t.Fatalf("saving the draft said %q", e.message.Text)
	}
	if pt.shown == nil {
		t.Fatal("the saved draft did not open")
	}
	po := pt.shown.po
	if po.Number != "PO-00002" || po.Status != data.POStatusDraft || po.Total != 11600 || len(po.Lines) != 2 {
		t.Fatalf("the draft is %s, %s, total %d, %d lines", po.Number, po.Status, po.Total, len(po.Lines))
	}
	if pt.badge.Text != "Draft" || !pt.edit.Visible() || !pt.send.Visible() || pt.receive.Visible() {
		t.Errorf("a draft shows %q; edit %v send %v receive %v", pt.badge.Text, pt.edit.Visible(), pt.send.Visible(), pt.receive.Visible())
	}

	t.Run("Edit", func(t *testing.T) {
		test.Tap(pt.edit)
		settle(a)
		e := pt.editor
		if e == nil || len(e.lines) != 2 || e.lines[1].qty.Text != "10" {
			t.Fatalf("Edit… opened %+v", e)
		}
		e.lines[1].qty.SetText("8")
		e.notes.SetText("Two boxes, please.")
		test.Tap(e.save)
		settle(a)
		got, err := a.store.PurchaseOrder(ctx, po.ID)
		if err != nil || got.Total != 10000 || got.Lines[1].Quantity != 8 || got.Notes != "Two boxes, please." { // 36.00 + 64.00
			t.Errorf("after Edit: %+v, %v", got, err)
		}
	})

	// Send: the expected day, then the PDF, the spreadsheet and the e-mail.
	test.Tap(pt.send)
	s := pt.sender
	if s == nil {
		t.Fatal("Send… opened no dialog")
	}
	y, m, d := time.Now().Date()
	due := time.Date(y, m, d+10, 0, 0, 0, 0, time.UTC)
	s.expected.SetDate(&due)
	test.Tap(s.confirm)
	settle(a)
	sent, err := a.store.PurchaseOrder(ctx, po.ID)
	if err != nil || sent.Status != data.POStatusSent || sent.ExpectedAt == nil || !sent.ExpectedAt.Equal(due) {
		t.Fatalf("after Send: %+v, %v", sent, err)
	}
	if s.pdf == nil {
		t.Fatalf("the Send dialog did not move on: %q", s.message.Text)
	}
	dir := t.TempDir()
	pdf, xlsx := filepath.Join(dir, "po.pdf"), filepath.Join(dir, "po.xlsx")
	var offered []string
	pt.saveAs = func(name string, done func(fyne.URIWriteCloser, error)) {
		offered = append(offered, name)
		path := pdf
		if strings.HasSuffix(name, ".xlsx") {
			path = xlsx
		}
		saveTo(t, path)(name, done)
	}
	test.Tap(s.pdf)
	settle(a)
	test.Tap(s.xlsx)
	settle(a)
	if strings.Join(offered, ",") != "PO-00002.pdf,PO-00002.xlsx" {
		t.Errorf("the save dialogs offered %v", offered)
	}
	if text := printedText(t, pdf); text != "" {
		for _, want := range []string{"PO-00002", "Hollow Pottery", "HP-MUG", "Total £100.00", "Two boxes, please."} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF has no %q", want)
			}
		}
		if strings.Contains(text, "DRAFT") {
			t.Error("the PDF of a sent order says DRAFT")
		}
	}
	if b, err := os.ReadFile(xlsx); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("the spreadsheet is not an xlsx file: %v", err)
	}
	if !strings.Contains(s.status.Text, "po.xlsx") {
		t.Errorf("after saving, the dialog says %q", s.status.Text)
	}
	var mailed *url.URL
	pt.openURL = func(u *url.URL) error { mailed = u; return nil }
	test.Tap(s.email)
	settle(a)
	if mailed == nil {
		t.Fatalf("Write e-mail opened nothing: %q", s.status.Text)
	}
	q, _ := url.ParseQuery(mailed.RawQuery)
	if mailed.Scheme != "mailto" || mailed.Opaque != "orders@hollow.example" || q.Get("subject") != "Purchase order PO-00002" {
		t.Errorf("the mail link is %s", mailed)
	}
	for _, want := range []string{"Hello Mara,", "12 × HP-MUG (our MUG-BLUE)", "8 × HP-APR (our APRON-SAGE)", "Please quote PO-00002"} {
		if !strings.Contains(q.Get("body"), want) {
			t.Errorf("the mail body has no %q:\n%s", want, q.Get("body"))
		}
	}
	if strings.Contains(mailed.String(), "+") {
		t.Errorf("the mail link writes spaces as +: %s", mailed)
	}
	if !strings.Contains(s.status.Text, "Attach the PDF yourself") {
		t.Errorf("after Write e-mail the dialog says %q", s.status.Text)
	}
	test.Tap(s.done)
	settle(a)
	if pt.badge.Text != "Sent" || !pt.receive.Visible() || pt.send.Visible() || pt.edit.Visible() || pt.closeShort.Visible() {
		t.Errorf("a sent order shows %q; receive %v send %v", pt.badge.Text, pt.receive.Visible(), pt.send.Visible())
	}

	// The first delivery: 6 mugs, typed.
	mugs, aprons := stockOnHand(t, a.store, "MUG-BLUE"), stockOnHand(t, a.store, "APRON-SAGE")
	if mugs != 18 || aprons != 10 {
		t.Fatalf("the test shop has %d mugs and %d aprons, want 18 and 10", mugs, aprons)
	}
	test.Tap(pt.receive)
	r := pt.receiver
	if r == nil || r.rows[0].qty.Text != "12" || r.rows[1].qty.Text != "8" {
		t.Fatalf("Receive… starts at %v", r)
	}
	r.rows[0].qty.SetText("6")
	r.rows[1].qty.SetText("")
	test.Tap(r.confirm)
	settle(a)
	if r.result == nil {
		t.Fatalf("receiving said %q", r.message.Text)
	}
	if got := stockOnHand(t, a.store, "MUG-BLUE"); got != 24 {
		t.Errorf("mugs on hand after 6 arrived = %d, want 24", got)
	}
	if got := stockOnHand(t, a.store, "APRON-SAGE"); got != 10 {
		t.Errorf("aprons on hand after none arrived = %d, want 10", got)
	}
	// 18 mugs at £4.00 and 6 at £3.00: (72.00 + 18.00) / 24 = £3.75.
	if v, _ := a.store.Variant(ctx, "MUG-BLUE"); v.Cost == nil || *v.Cost != 375 {
		t.Errorf("the mug's cost after the delivery = %v, want 375", v.Cost)
	}
	moves, err := a.store.Movements(ctx, "MUG-BLUE", 1, 0)
	if err != nil || len(moves) != 1 || moves[0].Quantity != 6 || moves[0].Reason != data.ReasonReceipt || moves[0].RefType != "purchase_order" {
		t.Errorf("the mug's newest movement = %+v, %v", moves, err)
	}
	test.Tap(r.done)
	settle(a)
	if pt.badge.Text != "Partly received" || !pt.closeShort.Visible() || pt.cancel.Visible() {
		t.Errorf("a partly received order shows %q; close short %v cancel %v", pt.badge.Text, pt.closeShort.Visible(), pt.cancel.Visible())
	}
	if len(pt.shown.receipts) != 1 || pt.shown.receipts[0].Quantity != 6 {
		t.Errorf("the order lists deliveries %+v", pt.shown.receipts)
	}

	// The rest, scanned: the first scan starts every line from 0; a barcode counts for its SKU.
	test.Tap(pt.receive)
	r = pt.receiver
	if r.rows[0].qty.Text != "6" || r.rows[1].qty.Text != "8" {
		t.Fatalf("the second delivery starts at %s and %s", r.rows[0].qty.Text, r.rows[1].qty.Text)
	}
	scanInto(a, r, "mug-blue")
	if r.rows[0].qty.Text != "1" || r.rows[1].qty.Text != "0" {
		t.Errorf("after the first scan the lines are %s and %s, want 1 and 0", r.rows[0].qty.Text, r.rows[1].qty.Text)
	}
	for range 6 {
		scanInto(a, r, "MUG-BLUE")
	}
	for range 8 {
		scanInto(a, r, "5012345678900")
	}
	if r.rows[0].qty.Text != "7" || r.rows[1].qty.Text != "8" {
		t.Errorf("after scanning, the lines are %s and %s, want 7 and 8", r.rows[0].qty.Text, r.rows[1].qty.Text)
	}
	if !strings.Contains(r.heard.Text, "APRON-SAGE: 8 counted, the line is complete") {
		t.Errorf("the last scan said %q", r.heard.Text)
	}
	scanInto(a, r, "TOWEL")
	if r.heard.Text != "TOWEL (Tea towel) is not on PO-00002: put it aside, or book it with Adjust stock in Inventory." {
		t.Errorf("a SKU not on the order said %q", r.heard.Text)
	}
	scanInto(a, r, "NOPE-99")
	if r.heard.Importance != widget.DangerImportance || !strings.HasPrefix(r.heard.Text, "Unknown code NOPE-99") {
		t.Errorf("an unknown code said %q", r.heard.Text)
	}
	// 7 mugs where 6 were to come: asked first; going back books nothing.
	test.Tap(r.confirm)
	test.Tap(overlayButton(t, a, "Go back"))
	settle(a)
	if got := stockOnHand(t, a.store, "MUG-BLUE"); got != 24 || r.result != nil {
		t.Errorf("going back booked stock: %d mugs", got)
	}
	test.Tap(r.confirm)
	test.Tap(overlayButton(t, a, "Book them all"))
	settle(a)
	if r.result == nil {
		t.Fatalf("the second delivery said %q", r.message.Text)
	}
	if got := stockOnHand(t, a.store, "MUG-BLUE"); got != 31 {
		t.Errorf("mugs on hand = %d, want 24 + 7 = 31", got)
	}
	if got := stockOnHand(t, a.store, "APRON-SAGE"); got != 18 {
		t.Errorf("aprons on hand = %d, want 10 + 8 = 18", got)
	}
	done, _ := a.store.PurchaseOrder(ctx, po.ID)
	if done.Status != data.POStatusReceived || done.Lines[0].Received != 13 || done.Lines[1].Received != 8 {
		t.Errorf("after the rest arrived: %s, lines %+v", done.Status, done.Lines)
	}
	test.Tap(r.done)
	settle(a)
	if pt.badge.Text != "Received" || pt.receive.Visible() || pt.closeShort.Visible() {
		t.Errorf("a received order shows %q; receive %v", pt.badge.Text, pt.receive.Visible())
	}

	test.Tap(pt.back)
	test.Tap(pt.filter.buttons[poFilterReceived])
	settle(a)
	if len(pt.list.rows) != 1 || pt.list.rows[0].Number != "PO-00002" || pt.list.cellText(0, 2) != "Received" {
		t.Errorf("Received lists %d orders", len(pt.list.rows))
	}
}

// TestPurchaseOrders_CancelClose: a draft is cancelled and a partly received order closed short through
// their dialogs, with the reason kept in the notes; closing short is refused in words for a sent order.
func TestPurchaseOrders_CancelClose(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	_, draft := seedPO(t, a.store)
	sp, _ := a.store.Supplier(ctx, draft.SupplierID)
	partly, err := a.store.CreatePO(ctx, data.NewPO{SupplierID: sp.ID, Lines: []data.NewPOLine{{SKU: "MUG-BLUE", Quantity: 12}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SendPO(ctx, partly.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.ReceivePO(ctx, partly.ID, []data.POReceipt{{LineNo: 1, Quantity: 5}}, ""); err != nil {
		t.Fatal(err)
	}
	holdUI(t, a)
	sc, pt := showPOTab(t, a)

	sc.openPO(draft.ID)
	settle(a)
	test.Tap(pt.cancel)
	c := pt.closer
	c.reason.SetText("ordered twice")
	test.Tap(c.confirm)
	settle(a)
	got, _ := a.store.PurchaseOrder(ctx, draft.ID)
	if got.Status != data.POStatusCancelled || got.Notes != "Cancelled: ordered twice" {
		t.Errorf("after Cancel order: %s, notes %q", got.Status, got.Notes)
	}
	if pt.badge.Text != "Cancelled" || pt.said.Text != draft.Number+" is cancelled." {
		t.Errorf("the page shows %q and says %q", pt.badge.Text, pt.said.Text)
	}

	sc.openPO(partly.ID)
	settle(a)
	if pt.cancel.Visible() || !pt.closeShort.Visible() {
		t.Errorf("a partly received order offers cancel %v, close short %v", pt.cancel.Visible(), pt.closeShort.Visible())
	}
	test.Tap(pt.closeShort)
	c = pt.closer
	if c == nil {
		t.Fatal("Close short… opened no dialog")
	}
	c.reason.SetText("the rest is discontinued")
	test.Tap(c.confirm)
	settle(a)
	got, _ = a.store.PurchaseOrder(ctx, partly.ID)
	if got.Status != data.POStatusReceived || got.Lines[0].Received != 5 || got.Notes != "Closed short: the rest is discontinued" {
		t.Errorf("after Close short: %s, received %d, notes %q", got.Status, got.Lines[0].Received, got.Notes)
	}
	if got := richTexts(pt.detailPage); !strings.Contains(got, "closed with 7 units never delivered") {
		t.Errorf("the page does not say what never came: %q", got)
	}
}

// richTexts is the text of every visible rich text inside o, one per line.
func richTexts(o fyne.CanvasObject) string {
	var out []string
	walk(o, func(obj fyne.CanvasObject) {
		if rt, ok := obj.(*widget.RichText); ok {
			out = append(out, rt.String())
		}
	})
	return strings.Join(out, "\n")
}

// TestPurchaseOrders_Expected: the Expected column's words for late, due and finished orders. Expected
// days are calendar days kept at midnight UTC.
func TestPurchaseOrders_Expected(t *testing.T) {
	day := func(d int) *time.Time { x := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC); return &x }
	now := time.Date(2026, 11, 13, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		po   data.PurchaseOrder
		want string
		late int
	}{
		{"Late", data.PurchaseOrder{Status: data.POStatusSent, ExpectedAt: day(10)}, "10 Nov · 3 days late", 3},
		{"PartlyLate", data.PurchaseOrder{Status: data.POStatusPartlyReceived, ExpectedAt: day(12)}, "12 Nov · 1 day late", 1},
		{"DueToday", data.PurchaseOrder{Status: data.POStatusSent, ExpectedAt: day(13)}, "13 Nov · today", 0},
		{"Future", data.PurchaseOrder{Status: data.POStatusSent, ExpectedAt: day(20)}, "20 Nov", 0},
		{"DraftPast", data.PurchaseOrder{Status: data.POStatusDraft, ExpectedAt: day(1)}, "1 Nov", 0},
		{"NoDay", data.PurchaseOrder{Status: data.POStatusSent}, "—", 0},
		{"Cancelled", data.PurchaseOrder{Status: data.POStatusCancelled, ExpectedAt: day(10)}, "—", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := poExpectedText(c.po, now); got != c.want {
				t.Errorf("poExpectedText() = %q, want %q", got, c.want)
			}
			if got := poDaysLate(c.po, now); got != c.late {
				t.Errorf("poDaysLate() = %d, want %d", got, c.late)
			}
		})
	}
}
