package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// skus lists the SKUs on the inventory list's page, in order.
func skus(sc *inventoryScreen) []string {
	var out []string
	for _, l := range sc.list.rows {
		out = append(out, l.SKU)
	}
	return out
}

// gridCol is the index of a detail table's column.
func gridCol(t *testing.T, g *gridTable, title string) int {
	t.Helper()
	for i, c := range g.cols {
		if c.title == title {
			return i
		}
	}
	t.Fatalf("no column %q", title)
	return -1
}

// selectSKU taps the list row of a SKU and waits for its detail.
func selectSKU(t *testing.T, a *App, sc *inventoryScreen, sku string) {
	t.Helper()
	i := slices.Index(skus(sc), sku)
	if i < 0 {
		t.Fatalf("%s is not on the list %v", sku, skus(sc))
	}
	sc.list.table.Select(widget.TableCellID{Row: i, Col: 1})
	settle(a)
	if sc.shown == nil || sc.shown.variant.SKU != sku {
		t.Fatalf("detail after selecting %s shows %+v", sku, sc.shown)
	}
}

// TestInventoryScreen covers what reads stock without changing it, on one shop.
func TestInventoryScreen(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	// reset puts the search, the sort and the detail back as a person finds them.
	reset := func() {
		sc.list.sortBy(string(data.SortSKU), false)
		sc.quiet = true
		sc.search.SetText("")
		sc.quiet = false
		sc.apply()
		sc.closeDetail()
		settle(a)
	}

	t.Run("List", func(t *testing.T) {
		reset()

		if got, want := skus(sc), []string{"APRON-RUST", "APRON-SAGE", "MUG-BLUE", "TOWEL"}; !slices.Equal(got, want) {
			t.Fatalf("rows = %v, want %v", got, want)
		}
		if got, want := sc.list.status.Text, "1–4 of 4 products"; got != want {
			t.Errorf("pager = %q, want %q", got, want)
		}
		rust := slices.Index(skus(sc), "APRON-RUST")
		if got, want := sc.list.cellText(rust, 5), "-1"; got != want {
			t.Errorf("available of APRON-RUST = %q, want %q", got, want)
		}
		if got, want := sc.list.cols[5].style(sc.list.rows[rust]), widget.DangerImportance; got != want {
			t.Errorf("oversold available importance = %v, want danger (%v)", got, want)
		}
		if got, want := sc.list.cellText(rust, 6), "£24.00"; got != want {
			t.Errorf("price of APRON-RUST = %q, want %q", got, want)
		}
	})

	t.Run("Search", func(t *testing.T) {
		reset()

		t.Run("Name", func(t *testing.T) {
			test.Type(sc.search, "apron")
			settle(a)
			if got, want := skus(sc), []string{"APRON-RUST", "APRON-SAGE"}; !slices.Equal(got, want) {
				t.Errorf("rows for %q = %v, want %v", sc.search.Text, got, want)
			}
		})
		t.Run("Barcode", func(t *testing.T) {
			sc.search.SetText("")
			test.Type(sc.search, "5012345678900")
			settle(a)
			if got, want := skus(sc), []string{"APRON-SAGE"}; !slices.Equal(got, want) {
				t.Errorf("rows for scanned barcode = %v, want %v", got, want)
			}
			// The scanner ends with Enter, which opens the item.
			sc.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			settle(a)
			if sc.shown == nil || sc.shown.variant.SKU != "APRON-SAGE" {
				t.Errorf("detail after scanning = %+v, want APRON-SAGE", sc.shown)
			}
		})
		t.Run("NoMatch", func(t *testing.T) {
			sc.search.SetText("")
			test.Type(sc.search, "zebra")
			settle(a)
			if got := len(sc.list.rows); got != 0 {
				t.Errorf("rows = %d, want 0", got)
			}
			if !sc.list.overlay.Visible() || !strings.Contains(sc.list.overlay.Text, "No products match") {
				t.Errorf("empty state = %q (visible %v), want a no-match message", sc.list.overlay.Text, sc.list.overlay.Visible())
			}
		})
	})

	t.Run("Sort", func(t *testing.T) {
		reset()
		available := slices.IndexFunc(sc.list.cols, func(c column[data.StockLevel]) bool { return c.title == "Available" })

		tapHeader(t, sc.list.table, "Available")
		settle(a)
		if got, want := skus(sc), []string{"APRON-RUST", "TOWEL", "APRON-SAGE", "MUG-BLUE"}; !slices.Equal(got, want) {
			t.Errorf("rows by available = %v, want %v", got, want)
		}
		if got, want := sc.list.sortArrow(available), "▲"; got != want {
			t.Errorf("sort arrow = %q, want %q", got, want)
		}

		sc.list.onHeaderTapped(available)
		settle(a)
		if got, want := skus(sc), []string{"MUG-BLUE", "APRON-SAGE", "TOWEL", "APRON-RUST"}; !slices.Equal(got, want) {
			t.Errorf("rows by available, descending = %v, want %v", got, want)
		}
		if got, want := sc.list.sortArrow(available), "▼"; got != want {
			t.Errorf("sort arrow = %q, want %q", got, want)
		}
	})

	t.Run("Detail", func(t *testing.T) {
		reset()
		selectSKU(t, a, sc, "MUG-BLUE")

		if got, want := sc.title.Text, "Stoneware mug – Blue"; got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		// Newest first: the sale of amazon order 3001, then the receipt.
		want := [][]string{
			{"-2", "Sale", "Amazon order 3001", "system"},
			{"+20", "Receipt", "first delivery", "system"},
		}
		if got := len(sc.movements.rows); got != len(want) {
			t.Fatalf("movements = %v, want %d rows", sc.movements.rows, len(want))
		}
		for i, w := range want {
			r := sc.movements.rows[i]
			got := []string{r[gridCol(t, sc.movements, "Change")], r[gridCol(t, sc.movements, "Reason")],
				r[gridCol(t, sc.movements, "Note")], r[gridCol(t, sc.movements, "Who")]}
			if !slices.Equal(got, w) {
				t.Errorf("movement %d = %v, want %v", i, got, w)
			}
		}
		if got, want := sc.list.selected, "mug-blue"; got != want {
			t.Errorf("highlighted row = %q, want %q", got, want)
		}
		if !hasText(sc.detail, "Cost") || !hasText(sc.detail, "£4.00") {
			t.Errorf("owner's detail = %q, want the cost £4.00", texts(sc.detail))
		}
		if !hasText(sc.detail, "Shop · bin B-01") {
			t.Errorf("detail = %q, want where it is stored", texts(sc.detail))
		}
	})

	t.Run("ShowSKU", func(t *testing.T) {
		reset()
		a.showSKU("TOWEL")
		settle(a)
		if sc.shown == nil || sc.shown.variant.SKU != "TOWEL" {
			t.Fatalf("detail = %+v, want TOWEL", sc.shown)
		}
		if got, want := skus(sc), []string{"TOWEL"}; !slices.Equal(got, want) {
			t.Errorf("rows = %v, want %v", got, want)
		}
		if got, want := sc.byLocation.rows, [][]string{{"Garage", "4"}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("stock by location = %v, want %v", got, want)
		}
	})
}

func TestInventoryScreen_PackerSeesNoCost(t *testing.T) {
	a := newTestAppAs(t, testPacker)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	selectSKU(t, a, sc, "APRON-SAGE")

	got := texts(sc.detail)
	if !slices.Contains(got, "£24.00") {
		t.Fatalf("packer's detail = %q, want the price £24.00", got)
	}
	for _, txt := range got {
		if strings.Contains(txt, "Cost") || strings.Contains(txt, "£9.50") || strings.Contains(txt, "margin") {
			t.Errorf("packer's detail shows %q; a packer never sees costs", txt)
		}
	}
	if sc.add.Visible() {
		t.Error("Add product is visible to a packer")
	}
	if slices.Contains(got, "Edit") {
		t.Error("Edit is offered to a packer")
	}
	if !slices.Contains(got, "Adjust stock") {
		t.Errorf("packer's detail = %q, want Adjust stock", got)
	}
}

func TestInventoryScreen_AdjustStock(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	selectSKU(t, a, sc, "APRON-SAGE")

	t.Run("ErrNotANumber", func(t *testing.T) {
		test.Tap(sc.adjust)
		f := sc.adjustment
		if f == nil {
			t.Fatal("Adjust stock opened no dialog")
		}
		defer f.dialog.Hide()
		f.delta.SetText("two")
		f.note.SetText("dropped")
		test.Tap(f.save)
		settle(a)
		if !f.message.Visible() || !strings.Contains(f.message.Text, "whole number") {
			t.Errorf("message = %q (visible %v), want a whole-number hint", f.message.Text, f.message.Visible())
		}
	})
	t.Run("ErrNoReason", func(t *testing.T) {
		test.Tap(sc.adjust)
		f := sc.adjustment
		defer f.dialog.Hide()
		f.delta.SetText("-2")
		test.Tap(f.save)
		settle(a)
		if !strings.Contains(f.message.Text, "Say why") {
			t.Errorf("message = %q, want a reason to be asked for", f.message.Text)
		}
	})
	if got, want := len(sc.shown.movements), 1; got != want {
		t.Fatalf("movements after refused adjustments = %d, want %d", got, want)
	}

	t.Run("OK", func(t *testing.T) {
		test.Tap(sc.adjust)
		f := sc.adjustment
		test.Type(f.delta, "-2")
		f.kind.SetSelected(adjustKinds[0].title)
		test.Type(f.note, "two dropped in the stockroom")
		test.Tap(f.save)
		settle(a)

		if sc.adjustment != nil {
			t.Error("the dialog is still open after recording")
		}
		if got, want := sc.shown.level.OnHand, int64(8); got != want {
			t.Errorf("on hand in detail = %d, want %d", got, want)
		}
		m := sc.movements.rows[0]
		got := []string{m[gridCol(t, sc.movements, "Change")], m[gridCol(t, sc.movements, "Reason")],
			m[gridCol(t, sc.movements, "Note")], m[gridCol(t, sc.movements, "Who")]}
		if want := []string{"-2", "Adjustment", "two dropped in the stockroom", testOwner}; !slices.Equal(got, want) {
			t.Errorf("newest movement = %v, want %v", got, want)
		}
		row := slices.Index(skus(sc), "APRON-SAGE")
		if got, want := sc.list.cellText(row, 3), "8"; got != want {
			t.Errorf("on hand in list = %q, want %q", got, want)
		}
		lv, err := a.base.StockLevel(context.Background(), "APRON-SAGE")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lv.OnHand, int64(8); got != want {
			t.Errorf("stored on hand = %d, want %d", got, want)
		}
	})
}

func TestInventoryScreen_AddProduct(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)

	t.Run("ErrDuplicateSKU", func(t *testing.T) {
		test.Tap(sc.add)
		f := sc.form
		defer f.dialog.Hide()
		f.sku.SetText("APRON-SAGE")
		f.name.SetText("Another apron")
		f.price.SetText("10")
		test.Tap(f.save)
		settle(a)
		if got, want := f.message.Text, "SKU APRON-SAGE already exists"; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	})
	t.Run("ErrPrice", func(t *testing.T) {
		test.Tap(sc.add)
		f := sc.form
		defer f.dialog.Hide()
		f.sku.SetText("CANDLE")
		f.name.SetText("Soy candle")
		f.price.SetText("12.345")
		test.Tap(f.save)
		settle(a)
		if !strings.HasPrefix(f.message.Text, "Price:") {
			t.Errorf("message = %q, want a price problem", f.message.Text)
		}
	})
	t.Run("OK", func(t *testing.T) {
		test.Tap(sc.add)
		f := sc.form
		if got, want := f.currency.Text, "GBP"; got != want {
			t.Errorf("currency = %q, want the shop's %q", got, want)
		}
		test.Type(f.sku, "CANDLE")
		test.Type(f.name, "Soy candle")
		test.Type(f.price, "12.50")
		test.Type(f.cost, "3.10")
		test.Type(f.barcodes, "111, 222")
		test.Type(f.bin, "C-2")
		f.location.SetSelected("Garage")
		test.Tap(f.save)
		settle(a)

		v, err := a.base.Variant(context.Background(), "CANDLE")
		if err != nil {
			t.Fatalf("Variant(CANDLE) error = %v, message %q", err, f.message.Text)
		}
		if got, want := v.Price, int64(1250); got != want {
			t.Errorf("price = %d, want %d", got, want)
		}
		if got, want := *v.Cost, int64(310); got != want {
			t.Errorf("cost = %d, want %d", got, want)
		}
		if got, want := v.Barcodes, []string{"111", "222"}; !slices.Equal(got, want) {
			t.Errorf("barcodes = %v, want %v", got, want)
		}
		if sc.shown == nil || sc.shown.variant.SKU != "CANDLE" {
			t.Errorf("detail = %+v, want the new SKU", sc.shown)
		}
		if !slices.Contains(skus(sc), "CANDLE") {
			t.Errorf("list = %v, want CANDLE on it", skus(sc))
		}
	})
	t.Run("Edit", func(t *testing.T) {
		test.Tap(sc.edit)
		f := sc.form
		if f.sku.Disabled() == false {
			t.Error("the SKU can be edited")
		}
		if got, want := f.price.Text, "12.50"; got != want {
			t.Errorf("price in form = %q, want %q", got, want)
		}
		f.price.SetText("14")
		f.active.SetChecked(false)
		test.Tap(f.save)
		settle(a)
		v, err := a.base.Variant(context.Background(), "CANDLE")
		if err != nil {
			t.Fatal(err)
		}
		if v.Price != 1400 || v.Active {
			t.Errorf("after edit price, active = %d, %v; want 1400, false", v.Price, v.Active)
		}
		if slices.Contains(skus(sc), "CANDLE") {
			t.Errorf("list = %v, want the inactive CANDLE hidden", skus(sc))
		}
		sc.inactive.SetChecked(true)
		settle(a)
		if !slices.Contains(skus(sc), "CANDLE") {
			t.Errorf("list with inactive = %v, want CANDLE", skus(sc))
		}
	})
}
