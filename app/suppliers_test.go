package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// supplierRow finds a supplier's row on the list's page.
func supplierRow(t *testing.T, lt *supplierListTab, name string) int {
	t.Helper()
	for i, s := range lt.list.rows {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("the supplier list has no %q; it shows %d rows", name, len(lt.list.rows))
	return -1
}

// itemRow finds a SKU's row in the chosen supplier's items.
func itemRow(t *testing.T, it *supplierItems, sku string) int {
	t.Helper()
	for i, r := range it.table.rows {
		if r.SKU == sku {
			return i
		}
	}
	t.Fatalf("the items table has no %s", sku)
	return -1
}

// rankOrder is who sells sku, primary first, as the store has it.
func rankOrder(t *testing.T, s *data.Store, sku string) string {
	t.Helper()
	srcs, err := s.SKUSuppliers(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range srcs {
		names = append(names, x.SupplierName)
	}
	return strings.Join(names, ", ")
}

// addSupplierViaForm fills in and saves the Add supplier dialog.
func addSupplierViaForm(t *testing.T, a *App, lt *supplierListTab, name, email, lead, minOrder string) {
	t.Helper()
	test.Tap(lt.add)
	settle(a) // the shop's currency fills in
	f := lt.form
	if f == nil {
		t.Fatal("Add supplier… opened no dialog")
	}
	if f.currency.Text != "GBP" {
		t.Errorf("a new supplier's currency = %q, want the shop's GBP", f.currency.Text)
	}
	f.name.SetText(name)
	f.email.SetText(email)
	f.lead.SetText(lead)
	f.minOrder.SetText(minOrder)
	test.Tap(f.save)
	settle(a)
	if lt.form != nil {
		t.Fatalf("adding %s left the dialog open saying %q", name, f.message.Text)
	}
}

// TestSuppliers_AddAndRank: suppliers are added and edited through their dialog, items through theirs,
// and a SKU's ranking changes with Make primary, Down and Remove, as the store then has it.
func TestSuppliers_AddAndRank(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*suppliersScreen](t, a, sectionSuppliers)
	lt := sc.list
	if got := lt.list.rows; len(got) != 0 {
		t.Fatalf("the test shop has suppliers: %+v", got)
	}

	t.Run("ErrEmail", func(t *testing.T) {
		test.Tap(lt.add)
		settle(a)
		f := lt.form
		f.name.SetText("Hollow Pottery")
		f.email.SetText("orders at hollow")
		test.Tap(f.save)
		settle(a)
		if lt.form == nil || !f.message.Visible() || f.message.Text != `E-mail: "orders at hollow" does not look like an e-mail address.` {
			t.Errorf("a bad e-mail said %q (dialog open: %v)", f.message.Text, lt.form != nil)
		}
		f.email.SetText("orders@hollow.example")
		f.minOrder.SetText("lots")
		test.Tap(f.save)
		settle(a)
		if !strings.HasPrefix(f.message.Text, "Minimum order:") || f.name.Text != "Hollow Pottery" {
			t.Errorf("a bad minimum said %q and kept the name %q", f.message.Text, f.name.Text)
		}
		if sps, _ := a.store.Suppliers(ctx); len(sps) != 0 {
			t.Errorf("refused forms added %+v", sps)
		}
		f.dialog.Hide()
	})

	addSupplierViaForm(t, a, lt, "Hollow Pottery", "orders@hollow.example", "14", "150.00")
	addSupplierViaForm(t, a, lt, "Kiln & Co", "", "7", "")
	sps, err := a.store.Suppliers(ctx)
	if err != nil || len(sps) != 2 {
		t.Fatalf("Suppliers() = %+v, %v", sps, err)
	}
	hollow := sps[0]
	if hollow.Name != "Hollow Pottery" || hollow.MinOrderValue != 15000 || hollow.LeadTimeDays != 14 || hollow.Currency != "GBP" || hollow.Email != "orders@hollow.example" {
		t.Errorf("Hollow Pottery was stored as %+v", hollow)
	}
	row := supplierRow(t, lt, "Hollow Pottery")
	if got := []string{lt.list.cellText(row, 3), lt.list.cellText(row, 4), lt.list.cellText(row, 6)}; strings.Join(got, "|") != "14 days|£150.00|Available" {
		t.Errorf("Hollow's row shows %q", got)
	}
	if got := lt.list.cellText(supplierRow(t, lt, "Kiln & Co"), 4); got != "—" {
		t.Errorf("Kiln's minimum order shows %q, want —", got)
	}

	// Items: Hollow sells the sage apron first, so it is its primary.
	lt.list.choose(supplierRow(t, lt, "Hollow Pottery"))
	settle(a)
	if !lt.panel.Visible() || lt.head.Text != "Hollow Pottery" {
		t.Fatalf("choosing Hollow shows %q", lt.head.Text)
	}
	it := lt.items
	addItem := func(sku, cost, pack, moq, rank string) *itemForm {
		t.Helper()
		test.Tap(it.add)
		f := it.form
		if f == nil {
			t.Fatal("Add item… opened no dialog")
		}
		f.sku.SetText(sku)
		f.cost.SetText(cost)
		f.pack.SetText(pack)
		f.moq.SetText(moq)
		if rank != "" {
			f.rank.SetSelected(rank)
		}
		test.Tap(f.save)
		settle(a)
		return f
	}
	t.Run("ErrSKU", func(t *testing.T) {
		f := addItem("NOPE-1", "1.00", "1", "1", "")
		if it.form == nil || f.message.Text != "there is no SKU NOPE-1" {
			t.Errorf("an unknown SKU said %q", f.message.Text)
		}
		f.sku.SetText("APRON-SAGE")
		f.pack.SetText("0")
		test.Tap(f.save)
		settle(a)
		if f.message.Text != `Pack size: "0" is not a whole number of at least 1.` {
			t.Errorf("a pack of 0 said %q", f.message.Text)
		}
		f.dialog.Hide()
	})
	// The barcode of APRON-SAGE works as well as its SKU.
	if f := addItem("5012345678900", "9.00", "6", "12", ""); it.form != nil {
		t.Fatalf("adding the apron by barcode said %q", f.message.Text)
	}
	items, err := a.store.SupplierItems(ctx, hollow.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("SupplierItems(Hollow) = %+v, %v", items, err)
	}
	if got := items[0]; got.SKU != "APRON-SAGE" || *got.UnitCost != 900 || got.PackSize != 6 || got.MinOrderQty != 12 || got.Rank != 1 {
		t.Errorf("Hollow's apron = %+v", got)
	}
	if r := itemRow(t, it, "APRON-SAGE"); it.table.cellText(r, 2) != "Primary" || it.table.cellText(r, 6) != "£9.00" {
		t.Errorf("the apron's row shows rank %q, cost %q", it.table.cellText(r, 2), it.table.cellText(r, 6))
	}

	// Kiln joins as the primary: Hollow becomes the first backup.
	lt.list.choose(supplierRow(t, lt, "Kiln & Co"))
	settle(a)
	if f := addItem("APRON-SAGE", "8.50", "1", "1", "Primary"); it.form != nil {
		t.Fatalf("adding Kiln's apron said %q", f.message.Text)
	}
	if got := rankOrder(t, a.store, "APRON-SAGE"); got != "Kiln & Co, Hollow Pottery" {
		t.Errorf("after Kiln joined as primary: %s", got)
	}

	// Back on Hollow: its apron is Backup 1; Make primary, then Down, then Remove.
	lt.list.choose(supplierRow(t, lt, "Hollow Pottery"))
	settle(a)
	it.table.choose(itemRow(t, it, "APRON-SAGE"))
	settle(a)
	if !it.rankPanel.Visible() || len(it.ranks.rows) != 2 || it.ranks.rows[1][1] != "Hollow Pottery" || it.ranks.rows[1][0] != "Backup 1" {
		t.Fatalf("the apron's ranking shows %v", it.ranks.rows)
	}
	if it.primary.Disabled() || !it.down.Disabled() {
		t.Errorf("for a backup, Make primary is disabled %v and Down %v", it.primary.Disabled(), it.down.Disabled())
	}
	test.Tap(it.primary)
	settle(a)
	if got := rankOrder(t, a.store, "APRON-SAGE"); got != "Hollow Pottery, Kiln & Co" {
		t.Errorf("after Make primary: %s", got)
	}
	if it.ranks.rows[0][1] != "Hollow Pottery" || it.ranks.rows[0][0] != "Primary" || !it.primary.Disabled() {
		t.Errorf("the ranking shows %v after Make primary", it.ranks.rows)
	}
	test.Tap(it.down)
	settle(a)
	if got := rankOrder(t, a.store, "APRON-SAGE"); got != "Kiln & Co, Hollow Pottery" {
		t.Errorf("after Down: %s", got)
	}
	test.Tap(it.remove)
	test.Tap(overlayButton(t, a, "Remove"))
	settle(a)
	if got := rankOrder(t, a.store, "APRON-SAGE"); got != "Kiln & Co" {
		t.Errorf("after Remove: %s", got)
	}
	if len(it.table.rows) != 0 || it.rankPanel.Visible() {
		t.Errorf("after Remove, Hollow lists %d items and the ranking shows: %v", len(it.table.rows), it.rankPanel.Visible())
	}

	t.Run("Availability", func(t *testing.T) {
		test.Tap(lt.availability)
		f := lt.unavailable
		if f == nil {
			t.Fatal("Mark unavailable… opened no dialog")
		}
		f.note.SetText("kiln broken until March")
		test.Tap(f.save)
		settle(a)
		got, err := a.store.Supplier(ctx, hollow.ID)
		if err != nil || got.Available() || got.UnavailableNote != "kiln broken until March" {
			t.Fatalf("after Mark unavailable: %+v, %v", got, err)
		}
		if cell := lt.list.cellText(supplierRow(t, lt, "Hollow Pottery"), 6); cell != "Unavailable" {
			t.Errorf("the status cell shows %q", cell)
		}
		if lt.availability.Text != "Mark available" || !lt.away.Visible() || !strings.Contains(lt.away.Text, "kiln broken until March") {
			t.Errorf("the panel shows %q and the button %q", lt.away.Text, lt.availability.Text)
		}
		test.Tap(lt.availability)
		settle(a)
		if got, _ := a.store.Supplier(ctx, hollow.ID); !got.Available() {
			t.Errorf("Mark available left %+v", got)
		}
	})

	t.Run("Edit", func(t *testing.T) {
		test.Tap(lt.edit)
		f := lt.form
		if f == nil || f.lead.Text != "14" || f.minOrder.Text != "150.00" {
			t.Fatalf("Edit… shows lead %q, minimum %q", f.lead.Text, f.minOrder.Text)
		}
		f.lead.SetText("10")
		f.minOrder.SetText("")
		test.Tap(f.save)
		settle(a)
		got, _ := a.store.Supplier(ctx, hollow.ID)
		if got.LeadTimeDays != 10 || got.MinOrderValue != 0 || got.Email != "orders@hollow.example" {
			t.Errorf("after Edit: %+v", got)
		}
		if !strings.Contains(lt.facts.String(), "promises 10 days") {
			t.Errorf("the panel still shows %q", lt.facts.String())
		}
	})
}

// TestSuppliers_Roles: the packer has no Suppliers section; the accountant sees suppliers, costs and
// orders but no button that changes them.
func TestSuppliers_Roles(t *testing.T) {
	t.Run("Packer", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		if a.canShow(sectionSuppliers) || a.show(sectionSuppliers) != nil {
			t.Error("the packer can open Suppliers")
		}
	})
	t.Run("Accountant", func(t *testing.T) {
		ctx := context.Background()
		a := newTestAppAs(t, testAccountant)
		sp, po := seedPO(t, a.base)
		holdUI(t, a)
		sc := showScreen[*suppliersScreen](t, a, sectionSuppliers)
		lt := sc.list
		lt.list.choose(supplierRow(t, lt, sp.Name))
		settle(a)
		lt.items.table.choose(itemRow(t, lt.items, "MUG-BLUE"))
		settle(a)
		for name, b := range map[string]*widget.Button{"Add supplier": lt.add, "Edit": lt.edit, "Mark unavailable": lt.availability,
			"Add item": lt.items.add, "Make primary": lt.items.primary, "Down": lt.items.down, "Remove": lt.items.remove} {
			if b.Visible() {
				t.Errorf("the accountant sees %s", name)
			}
		}
		if got := lt.items.table.cellText(itemRow(t, lt.items, "MUG-BLUE"), 6); got != "£3.00" {
			t.Errorf("the accountant sees the mug's cost as %q, want £3.00", got)
		}

		sc.openPO(po.ID)
		settle(a)
		pt := sc.orders
		if pt.shown == nil || pt.shown.po.Number != po.Number {
			t.Fatalf("openPO(%d) shows %+v", po.ID, pt.shown)
		}
		for name, b := range map[string]*widget.Button{"New purchase order": pt.newPO, "Edit": pt.edit, "Send": pt.send,
			"Cancel": pt.cancel, "Receive": pt.receive, "Close short": pt.closeShort, "Write e-mail": pt.email} {
			if b.Visible() {
				t.Errorf("the accountant sees %s on a draft", name)
			}
		}
		if !pt.savePDF.Visible() || !pt.saveXLSX.Visible() {
			t.Error("the accountant cannot save the order as PDF or spreadsheet")
		}
		if _, err := a.store.SendPO(ctx, po.ID, nil); err == nil {
			t.Error("the store let the accountant send an order")
		}
	})
}

// seedPO gives the shop a supplier, Hollow Pottery (GBP, 14 days), selling MUG-BLUE at £3.00 in packs of
// 6 with at least 12 and APRON-SAGE at £8.00, and a draft order of 12 mugs and 10 aprons (£116.00).
func seedPO(t *testing.T, s *data.Store) (data.Supplier, data.PurchaseOrder) {
	t.Helper()
	ctx := context.Background()
	sp, err := s.AddSupplier(ctx, data.Supplier{Name: "Hollow Pottery", Contact: "Mara", Email: "orders@hollow.example",
		Currency: "GBP", LeadTimeDays: 14})
	if err != nil {
		t.Fatal(err)
	}
	mug, apron := int64(300), int64(800)
	for _, it := range []data.SupplierItem{
		{SupplierID: sp.ID, SKU: "MUG-BLUE", SupplierSKU: "HP-MUG", UnitCost: &mug, PackSize: 6, MinOrderQty: 12},
		{SupplierID: sp.ID, SKU: "APRON-SAGE", SupplierSKU: "HP-APR", UnitCost: &apron, PackSize: 1, MinOrderQty: 1},
	} {
		if err := s.SetSupplierItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	po, err := s.CreatePO(ctx, data.NewPO{SupplierID: sp.ID, Lines: []data.NewPOLine{{SKU: "MUG-BLUE", Quantity: 12}, {SKU: "APRON-SAGE", Quantity: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	return sp, po
}

// TestSuppliers_Screenshots saves the Suppliers tab, the purchase order list and page and the order
// dialogs at the window's size and at 1024×700, for a person to look at.
func TestSuppliers_Screenshots(t *testing.T) {
	shot := screenshots(t, "suppliers")
	ctx := context.Background()
	a := newTestApp(t)
	sp, draft := seedPO(t, a.store)
	kiln, err := a.store.AddSupplier(ctx, data.Supplier{Name: "Kiln & Co", Contact: "Sam Ortiz", Email: "sam@kiln.example",
		Currency: "GBP", LeadTimeDays: 7, MinOrderValue: 20000})
	if err != nil {
		t.Fatal(err)
	}
	linen, err := a.store.AddSupplier(ctx, data.Supplier{Name: "Linen Loft Textiles", Contact: "Ada Brandt", Email: "ada@linenloft.example",
		Currency: "EUR", LeadTimeDays: 21})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetSupplierAvailable(ctx, linen.ID, false, "closed for the holidays until 6 January"); err != nil {
		t.Fatal(err)
	}
	cost := func(c int64) *int64 { return &c }
	for _, it := range []data.SupplierItem{
		{SupplierID: kiln.ID, SKU: "MUG-BLUE", SupplierSKU: "K-204", UnitCost: cost(340), PackSize: 12, MinOrderQty: 24},
		{SupplierID: kiln.ID, SKU: "APRON-RUST", SupplierSKU: "K-APR-R", UnitCost: cost(880)},
		{SupplierID: linen.ID, SKU: "APRON-SAGE", SupplierSKU: "LL-77-SG", UnitCost: cost(1020), PackSize: 5, MinOrderQty: 10},
		{SupplierID: linen.ID, SKU: "TOWEL", SupplierSKU: "LL-TT", UnitCost: cost(190), PackSize: 10, MinOrderQty: 20},
		{SupplierID: sp.ID, SKU: "TOWEL", SupplierSKU: "HP-TT", UnitCost: cost(240)},
	} {
		if err := a.store.SetSupplierItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	sent, err := a.store.CreatePO(ctx, data.NewPO{SupplierID: kiln.ID, Notes: "Please pack the mugs in tens.",
		Lines: []data.NewPOLine{{SKU: "MUG-BLUE", Quantity: 48}, {SKU: "APRON-RUST", Quantity: 12}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SendPO(ctx, sent.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.ReceivePO(ctx, sent.ID, []data.POReceipt{{LineNo: 1, Quantity: 24}}, "first half"); err != nil {
		t.Fatal(err)
	}
	other, err := a.store.CreatePO(ctx, data.NewPO{SupplierID: sp.ID, Lines: []data.NewPOLine{{SKU: "TOWEL", Quantity: 30}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.SendPO(ctx, other.ID, nil); err != nil {
		t.Fatal(err)
	}
	holdUI(t, a)
	sc := showScreen[*suppliersScreen](t, a, sectionSuppliers)
	sizes := []struct {
		name string
		size fyne.Size
	}{{"", a.win.Canvas().Size()}, {"-1024", fyne.NewSize(1024, 700)}}
	// each takes a shot per size; a dialog prepare opened is closed after each, so none piles up.
	each := func(name string, prepare func()) {
		for _, s := range sizes {
			a.win.Resize(s.size)
			prepare()
			settle(a)
			shot(a, name+s.name)
			for top := a.win.Canvas().Overlays().Top(); top != nil; top = a.win.Canvas().Overlays().Top() {
				a.win.Canvas().Overlays().Remove(top)
			}
		}
	}
	lt := sc.list
	each("list", func() {
		lt.list.choose(supplierRow(t, lt, "Hollow Pottery"))
		settle(a)
		lt.items.table.choose(itemRow(t, lt.items, "MUG-BLUE"))
	})
	each("supplier-form", func() { lt.openForm(lt.chosen) })
	each("item-form", func() { lt.items.openForm(nil); lt.items.form.sku.SetText("APRON-RUST") })
	each("unavailable", func() { lt.list.choose(supplierRow(t, lt, "Linen Loft Textiles")) })

	pt := sc.orders
	each("po-list", func() {
		sc.tabs.Select(sc.ordersT)
		settle(a)
		pt.closeDetail()
		test.Tap(pt.filter.buttons[poFilterAll])
	})
	each("po-partly", func() { sc.openPO(sent.ID) })
	each("po-draft", func() { sc.openPO(draft.ID) })
	each("po-editor", func() { test.Tap(pt.edit) })
	each("po-send", func() { sc.openPO(draft.ID); settle(a); test.Tap(pt.send) })
	each("po-sent", func() {
		sc.openPO(draft.ID)
		settle(a)
		test.Tap(pt.send)
		if pt.sender.pdf == nil {
			test.Tap(pt.sender.confirm)
		} else {
			pt.sender.dialog.Show()
		}
	})
	each("po-receive", func() { sc.openPO(sent.ID); settle(a); test.Tap(pt.receive) })
}
