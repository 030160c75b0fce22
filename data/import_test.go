package data

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// itemsOf turns records into what an importer yields.
func itemsOf(items ...ImportItem) iter.Seq[ImportItem] { return slices.Values(items) }

func orderItem(row int, o Order) ImportItem {
	return ImportItem{FirstRow: row, LastRow: row, Order: &o}
}

func importFile(name string) ImportFile {
	return ImportFile{Name: name, Size: 123, SHA256: strings.Repeat("ab", 32), Format: "test-orders"}
}

func countOrders(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.CountOrders(context.Background(), OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport_AllOrNothing(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	mustVariant(t, s, "MUG", "Mug", 1200, 400)
	mustAdjust(t, s, "MUG", 10)
	good := shopOrder("#1", StatusShipped, "MUG", 2)
	bad := ImportItem{FirstRow: 3, LastRow: 3, Problems: []Problem{{Row: 3, Column: "Lineitem quantity", Value: "two", Reason: "not a whole number"}}}
	warn := Problem{Row: 2, Column: "Shipping Zip", Value: "2155", Reason: "leading zero restored", Warning: true}
	first := orderItem(2, good)
	first.Problems = []Problem{warn}

	res, err := s.Import(ctx, importFile("orders.csv"), itemsOf(first, bad), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Committed || !res.Rejected() || len(res.Errors) != 1 || len(res.Warnings) != 1 || res.OrdersNew != 0 || res.LogID == 0 {
		t.Fatalf("a file with an error: %+v", res)
	}
	if n := countOrders(t, s); n != 0 {
		t.Fatalf("%d orders written by a refused file", n)
	}
	if l := mustLevel(t, s, "MUG"); l.OnHand != 10 {
		t.Fatalf("stock moved by a refused file: %+v", l)
	}
	log, err := s.ImportLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Outcome != "rejected" || log[0].Errors != 1 || len(log[0].Problems) != 2 ||
		log[0].Problems[0].Reason != "not a whole number" || log[0].File.Name != "orders.csv" || log[0].UserName != "system" {
		t.Fatalf("import log after a refusal: %+v (%v)", log, err)
	}
	if _, err := s.ImportedBefore(ctx, importFile("").SHA256); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused file counts as imported: %v", err)
	}

	res, err = s.Import(ctx, importFile("orders.csv"), itemsOf(first, bad), ImportOptions{DryRun: true, SkipInvalid: true})
	if err != nil || res.Committed || res.OrdersNew != 1 || res.Skipped != 1 || res.LogID != 0 {
		t.Fatalf("dry run: %+v (%v)", res, err)
	}
	if n := countOrders(t, s); n != 0 {
		t.Fatalf("a dry run wrote %d orders", n)
	}

	res, err = s.Import(ctx, importFile("orders.csv"), itemsOf(first, bad), ImportOptions{SkipInvalid: true})
	if err != nil || !res.Committed || res.OrdersNew != 1 || res.Skipped != 1 || res.Lines != 1 {
		t.Fatalf("skipping the invalid: %+v (%v)", res, err)
	}
	if l := mustLevel(t, s, "MUG"); l.OnHand != 8 {
		t.Fatalf("MUG after the shipped order: %+v", l)
	}
	earlier, err := s.ImportedBefore(ctx, strings.ToUpper(importFile("").SHA256))
	if err != nil || earlier.Outcome != "partial" || earlier.OrdersNew != 1 || earlier.Skipped != 1 {
		t.Fatalf("ImportedBefore = %+v, %v", earlier, err)
	}
}

func TestImport_StopsWholeOnAReadErrorOrCancel(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	broken := ImportItem{Err: errors.New("orders.xlsx: zip: not a valid zip file")}
	_, err := s.Import(ctx, importFile("orders.xlsx"), itemsOf(orderItem(2, shopOrder("#1", StatusPaid, "X", 1)), broken), ImportOptions{SkipInvalid: true})
	if err == nil || !strings.Contains(err.Error(), "not a valid zip") {
		t.Fatalf("a file that breaks off must fail the import: %v", err)
	}
	if n := countOrders(t, s); n != 0 {
		t.Fatalf("%d orders kept from a file that broke off", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	endless := func(yield func(ImportItem) bool) {
		for i := 1; ; i++ {
			if i == 50 {
				cancel()
			}
			if !yield(orderItem(i+1, shopOrder("#"+time.Duration(i).String(), StatusPaid, "X", 1))) {
				return
			}
		}
	}
	if _, err := s.Import(cctx, importFile("big.csv"), endless, ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if n := countOrders(t, s); n != 0 {
		t.Fatalf("%d orders kept from a cancelled import", n)
	}
}

func TestImport_OrdersSplitAcrossTheFile(t *testing.T) {
	s := mustOpen(t)
	a, b := shopOrder("#1", StatusPaid, "X", 1), shopOrder("#2", StatusPaid, "X", 1)
	res, err := s.Import(context.Background(), importFile("sorted.csv"), itemsOf(orderItem(2, a), orderItem(3, b), orderItem(4, a)), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "row 4 \"#1\": order #1 already had rows from row 2, with other orders in between; sort the sheet by order number so each order's rows are together, and import it again"
	if res.Committed || len(res.Errors) != 1 || res.Errors[0].String() != want {
		t.Fatalf("split order: %+v", res.Errors)
	}
}

func TestImport_InvalidOrderIsARowError(t *testing.T) {
	s := mustOpen(t)
	o := shopOrder("#1", StatusPaid, "X", 1)
	o.Currency = "dollars"
	res, err := s.Import(context.Background(), importFile("x.csv"), itemsOf(orderItem(7, o)), ImportOptions{})
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Row != 7 || !strings.Contains(res.Errors[0].Reason, `currency "DOLLARS"`) {
		t.Fatalf("an order the store refuses: %+v (%v)", res, err)
	}
}

func TestImport_ProductsAndCounts(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	price := int64(1500)
	yes := true
	products := func(price int64) iter.Seq[ImportItem] {
		return itemsOf(
			ImportItem{FirstRow: 2, Product: &ProductRecord{SKU: "APR-SAGE", ProductName: "Linen apron", Title: "Sage", Price: &price, Barcodes: []string{"4006381333931"}, Active: &yes},
				Count: &StockCount{SKU: "APR-SAGE", OnHand: 7}},
			ImportItem{FirstRow: 3, Product: &ProductRecord{SKU: "APR-RUST", ProductName: "Linen apron", Title: "Rust"},
				Count: &StockCount{SKU: "APR-RUST", Location: "Garage", OnHand: 3}},
		)
	}
	res, err := s.Import(ctx, importFile("products.csv"), products(price), ImportOptions{})
	if err != nil || res.ProductsNew != 2 || res.StockCounted != 2 || len(res.LocationsAdded) != 1 || len(res.Warnings) != 1 {
		t.Fatalf("first product import: %+v (%v)", res, err)
	}
	v, err := s.Variant(ctx, "APR-SAGE")
	if err != nil || v.Price != 1500 || v.Currency != "USD" || v.Name() != "Linen apron – Sage" || len(v.Barcodes) != 1 {
		t.Fatalf("APR-SAGE = %+v (%v)", v, err)
	}
	if l := mustLevel(t, s, "APR-SAGE"); l.OnHand != 7 {
		t.Fatalf("APR-SAGE on hand %d, want the counted 7", l.OnHand)
	}
	res, err = s.Import(ctx, importFile("products.csv"), products(price), ImportOptions{})
	if err != nil || res.ProductsUnchanged != 2 || res.ProductsUpdated != 0 || res.StockCounted != 0 {
		t.Fatalf("the same file again: %+v (%v)", res, err)
	}
	mustAdjust(t, s, "APR-SAGE", -2) // sold two since
	res, err = s.Import(ctx, importFile("products.csv"), products(1600), ImportOptions{})
	if err != nil || res.ProductsUpdated != 1 || res.ProductsUnchanged != 1 || res.StockCounted != 1 {
		t.Fatalf("a new price and a recount: %+v (%v)", res, err)
	}
	if l := mustLevel(t, s, "APR-SAGE"); l.OnHand != 7 {
		t.Fatalf("APR-SAGE on hand %d after the recount, want 7", l.OnHand)
	}
	moves, err := s.Movements(ctx, "APR-SAGE", 10, 0)
	if err != nil || len(moves) != 3 || moves[0].Reason != ReasonCount || moves[0].Quantity != 2 {
		t.Fatalf("the recount must add the difference as a count, not overwrite: %+v (%v)", moves, err)
	}
	res, err = s.Import(ctx, importFile("counts.csv"), itemsOf(ImportItem{FirstRow: 4, Count: &StockCount{SKU: "GHOST", OnHand: 1}}), ImportOptions{})
	want := `row 4, SKU "GHOST": Backroom has no such SKU; import the products file first, or add the product`
	if err != nil || !res.Rejected() || len(res.Errors) != 1 || res.Errors[0].String() != want {
		t.Fatalf("a count of a SKU the store lacks: %+v (%v)", res.Errors, err)
	}
}

func TestImport_OnlyTheOwner(t *testing.T) {
	s := mustOpen(t)
	packer := s.As(User{ID: "p", Name: "Pat", Role: RolePacker, Active: true})
	_, err := packer.Import(context.Background(), importFile("x.csv"), itemsOf(), ImportOptions{})
	if !errors.Is(err, ErrPermission) {
		t.Fatalf("a packer imported a file: %v", err)
	}
	if err := packer.SaveColumnMapping(context.Background(), ColumnMapping{Signature: "x", Name: "x", Kind: "stock", Columns: map[string]string{"sku": "A"}}); !errors.Is(err, ErrPermission) {
		t.Fatalf("a packer saved a column mapping: %v", err)
	}
}

func TestColumnMappings(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	m := ColumnMapping{Signature: "sig1", Name: "Faire orders", Header: []string{"Order", "SKU"}, Channel: "Faire", Kind: "orders",
		Columns: map[string]string{"order_id": "Order", "sku": "SKU"}, Options: map[string]string{"date_order": "DMY"}}
	if err := s.SaveColumnMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := s.ColumnMapping(ctx, "sig1")
	if err != nil || got.Channel != "faire" || got.Columns["sku"] != "SKU" || got.Options["date_order"] != "DMY" || len(got.Header) != 2 {
		t.Fatalf("ColumnMapping = %+v (%v)", got, err)
	}
	m.Name = "Faire"
	if err := s.SaveColumnMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if all, err := s.ColumnMappings(ctx); err != nil || len(all) != 1 || all[0].Name != "Faire" {
		t.Fatalf("saving again must replace: %+v (%v)", all, err)
	}
	if err := s.SaveColumnMapping(ctx, ColumnMapping{Signature: "s", Name: "x", Kind: "orders", Columns: map[string]string{"a": "b"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("orders without a channel: %v", err)
	}
	if err := s.DeleteColumnMapping(ctx, "sig1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ColumnMapping(ctx, "sig1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestMergeOrder_SourcesFillEachOther(t *testing.T) {
	full := shopOrder("#1", StatusPaid, "X", 1)
	full.CustomerName, full.CustomerEmail, full.Total = "Jane Example", "jane@example.com", 1200
	full.ShipTo = Address{Name: "Jane", City: "Leeds"}
	partial := shopOrder("#1", StatusShipped, "X", 1)
	partial.Lines, partial.CustomerName, partial.Subtotal, partial.Total = nil, "", 0, 0
	m := mergeOrder(full, partial)
	if m.CustomerName != "Jane Example" || m.CustomerEmail != "jane@example.com" || m.Total != 1200 || m.ShipTo.City != "Leeds" ||
		len(m.Lines) != 1 || m.Status != StatusShipped {
		t.Fatalf("merge = %+v", m)
	}
	// A shipped order that had no lines yet takes them from a later file.
	noLines := full
	noLines.Status, noLines.Lines = StatusShipped, nil
	if m := mergeOrder(noLines, full); len(m.Lines) != 1 || m.Status != StatusShipped {
		t.Fatalf("lines for a shipped order without any: %+v", m)
	}
}

func TestImport_LocationAliases(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	mustVariant(t, s, "TOTE", "Tote", 1500, 500)
	shop, err := s.AddLocation(ctx, "Shop", "shop")
	if err != nil {
		t.Fatal(err)
	}
	count := func(n int64) iter.Seq[ImportItem] {
		return itemsOf(ImportItem{FirstRow: 2, Count: &StockCount{SKU: "TOTE", Location: "1 Example Street", OnHand: n}})
	}
	// Told once that Shopify's "1 Example Street" is the Shop, the count lands there, no location is added,
	// and later files are counted there without being told again.
	res, err := s.Import(ctx, importFile("inventory.csv"), count(5), ImportOptions{Locations: map[string]string{"1 Example Street": "Shop"}})
	if err != nil || !res.Committed || len(res.LocationsAdded) != 0 || res.StockCounted != 1 {
		t.Fatalf("first import: %+v (%v)", res, err)
	}
	res, err = s.Import(ctx, importFile("inventory.csv"), count(8), ImportOptions{})
	if err != nil || len(res.LocationsAdded) != 0 || res.StockCounted != 1 {
		t.Fatalf("second import: %+v (%v)", res, err)
	}
	byLoc, err := s.StockByLocation(ctx, "TOTE")
	if err != nil || len(byLoc) != 1 || byLoc[0].LocationID != shop.ID || byLoc[0].OnHand != 8 {
		t.Fatalf("stock by location = %+v (%v), want 8 at the Shop only", byLoc, err)
	}
	aliases, err := s.LocationAliases(ctx)
	if err != nil || len(aliases) != 1 || aliases[0].Name != "1 Example Street" || aliases[0].Location.Name != "Shop" {
		t.Fatalf("aliases = %+v (%v)", aliases, err)
	}
	if _, err := s.AddLocation(ctx, "Garage", "garage"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLocationAlias(ctx, "Garage", "Shop"); !errors.Is(err, ErrConflict) {
		t.Fatalf("aliasing a name that is a location of its own: %v", err)
	}
	if err := s.SetLocationAlias(ctx, "Lock-up", "Nowhere"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("aliasing to a location that does not exist: %v", err)
	}
}
