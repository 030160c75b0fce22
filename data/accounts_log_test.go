package data

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// someSHA is the SHA-256 of an empty file, standing in for a workbook's.
const someSHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// exportMarch logs an export of March as a workbook writer would, with the preview's totals.
func exportMarch(t *testing.T, s *Store, file string, lock bool) AccountsExport {
	t.Helper()
	ctx := context.Background()
	p := march(t)
	totals, err := s.AccountsPreview(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.LogAccountsExport(ctx, p, AccountsExport{Format: "xlsx", File: file, SHA256: strings.ToUpper(someSHA), Rows: totals.Rows,
		Totals: totals}, lock)
	if err != nil {
		t.Fatalf("LogAccountsExport(%s): %v", file, err)
	}
	return e
}

func changesOf(t *testing.T, s *Store, p AccountsPeriod) AccountsDiff {
	t.Helper()
	d, err := s.AccountsChanges(context.Background(), p)
	if err != nil {
		t.Fatalf("AccountsChanges(%s): %v", p, err)
	}
	return d
}

func TestStore_LogAccountsExport(t *testing.T) {
	ctx := context.Background()
	s, clock := accountsShop(t)
	p := march(t)
	if d := changesOf(t, s, p); d.Previous != nil || d.Changes != nil {
		t.Fatalf("AccountsChanges before any export = %+v, want nothing", d)
	}

	*clock = utc(time.April, 11, 8, 15)
	totals, err := s.AccountsPreview(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	e := exportMarch(t, s, "accounts-2026-03.xlsx", false)
	// S-2, E-3, A-9, S-4, A-8 and E-6: the cancelled S-5 is not on the workbook.
	if e.ID == 0 || e.Orders != 6 || e.User != "system" || !e.At.Equal(*clock) || e.Locked || e.SHA256 != someSHA ||
		e.Period.Key() != "2026-03-01 to 2026-03-31 Europe/London" {
		t.Errorf("LogAccountsExport = %+v", e)
	}

	t.Run("RoundTrip", func(t *testing.T) {
		log, err := s.AccountsExports(ctx, 0)
		if err != nil || len(log) != 1 {
			t.Fatalf("AccountsExports = %+v, %v; want 1 entry", log, err)
		}
		got := log[0]
		if got.Period.Key() != p.Key() || !got.Period.From.Equal(p.From) || !got.Period.To.Equal(p.To) {
			t.Errorf("period read back = %s in %s, want %s", got.Period, got.Period.Location, p.Key())
		}
		got.Period, e.Period = AccountsPeriod{}, AccountsPeriod{}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("AccountsExports()[0] = %+v\nwant %+v", got, e)
		}
		if !reflect.DeepEqual(got.Totals, totals) || got.Rows != totals.Rows {
			t.Errorf("totals read back = %+v\nwant %+v", got.Totals, totals)
		}
	})

	t.Run("AppendOnly", func(t *testing.T) {
		if _, err := s.write.ExecContext(ctx, `UPDATE accounts_exports SET file = 'other.xlsx'`); err == nil {
			t.Error("the export log took an UPDATE")
		}
		if _, err := s.write.ExecContext(ctx, `DELETE FROM accounts_exports`); err == nil {
			t.Error("the export log took a DELETE")
		}
	})

	t.Run("Refused", func(t *testing.T) {
		for _, c := range []struct {
			name string
			e    AccountsExport
		}{
			{"format", AccountsExport{Format: "pdf", File: "a.pdf", SHA256: someSHA}},
			{"file", AccountsExport{Format: "csv", File: "  ", SHA256: someSHA}},
			{"sha256", AccountsExport{Format: "csv", File: "accounts", SHA256: "abc"}},
		} {
			if _, err := s.LogAccountsExport(ctx, p, c.e, false); !errors.Is(err, ErrInvalid) {
				t.Errorf("LogAccountsExport with a bad %s: err = %v, want ErrInvalid", c.name, err)
			}
		}
	})

	if d := changesOf(t, s, p); d.Previous == nil || d.Previous.ID != e.ID || len(d.Changes) != 0 {
		t.Fatalf("AccountsChanges right after the export = %+v, want the export and no changes", d)
	}
	if d := changesOf(t, s, MonthPeriod(2026, time.March, time.UTC)); d.Previous != nil {
		t.Errorf("March in UTC is another period, yet AccountsChanges found export %d", d.Previous.ID)
	}

	// After the export: E-10 is new; S-4 gets a second TAG; E-3 is cancelled; A-9 turns out to be of
	// April; S-2 (shipped, so its lines stay) gets 50 shipping and 50 off, its total the same.
	// None of these change what the workbook shows: E-6 moving on, A-8's customer, S-5 (cancelled when
	// exported) and E-11, placed in March and cancelled since.
	*clock = utc(time.April, 12, 9, 0)
	byKey := func(channel, id string) Order {
		t.Helper()
		o, err := s.OrderByKey(ctx, channel, id)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	s4, e3, a9, s2 := byKey("shopify", "S-4"), byKey("etsy", "E-3"), byKey("amazon", "A-9"), byKey("shopify", "S-2")
	s4.Lines[2].Quantity, s4.Subtotal, s4.Total = 2, 400, 500
	a9.PlacedAt = utc(time.April, 2, 10, 0)
	s2.Shipping, s2.Discount = 50, 50
	a8 := byKey("amazon", "A-8")
	a8.CustomerName = "Ada Lovelace"
	res, err := s.ApplyOrders(ctx, []Order{
		periodOrder("etsy", "E-10", utc(time.March, 25, 10, 0), StatusPaid, "GBP", 0, 0, 0, accountsLineOf("CARD", 1, 550)),
		periodOrder("etsy", "E-11", utc(time.March, 26, 10, 0), StatusCancelled, "GBP", 0, 0, 0, accountsLineOf("CARD", 1, 550)),
		s4, a9, s2, a8,
	})
	if err != nil || res.New != 2 || res.Updated != 4 {
		t.Fatalf("ApplyOrders = %+v, %v; want 2 new, 4 updated", res, err)
	}
	if _, err := s.SetOrderStatus(ctx, e3.ID, StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOrderStatus(ctx, byKey("etsy", "E-6").ID, StatusPacked); err != nil {
		t.Fatal(err)
	}

	d := changesOf(t, s, p)
	if d.Previous == nil || d.Previous.ID != e.ID {
		t.Fatalf("AccountsChanges compared with %+v, want export %d", d.Previous, e.ID)
	}
	e10 := byKey("etsy", "E-10")
	want := []OrderChange{
		{OrderRef: s2.ID, Channel: "shopify", OrderID: "S-2", Placed: utc(time.March, 1, 0, 0), Kind: "changed", Before: 600, After: 600,
			Currency: "GBP", What: "discount, shipping or tax"},
		{OrderRef: e3.ID, Channel: "etsy", OrderID: "E-3", Placed: utc(time.March, 10, 12, 0), Kind: "changed", Before: 3399, After: 0,
			Currency: "GBP", What: "cancelled"},
		{OrderRef: a9.ID, Channel: "amazon", OrderID: "A-9", Placed: utc(time.March, 15, 10, 0), Kind: "removed", Before: 1500, After: 0,
			Currency: "GBP"},
		{OrderRef: s4.ID, Channel: "shopify", OrderID: "S-4", Placed: utc(time.March, 20, 12, 0), Kind: "changed", Before: 400, After: 500,
			Currency: "GBP", What: "lines, total"},
		{OrderRef: e10.ID, Channel: "etsy", OrderID: "E-10", Placed: utc(time.March, 25, 10, 0), Kind: "added", Before: 0, After: 550,
			Currency: "GBP"},
	}
	if !reflect.DeepEqual(d.Changes, want) {
		t.Errorf("AccountsChanges =")
		for _, c := range d.Changes {
			t.Errorf("  %+v", c)
		}
		t.Errorf("want")
		for _, c := range want {
			t.Errorf("  %+v", c)
		}
	}

	t.Run("AgainstTheLatestExport", func(t *testing.T) {
		*clock = utc(time.April, 13, 9, 0)
		second := exportMarch(t, s, "accounts-2026-03-corrected.xlsx", false)
		if second.Orders != 5 { // S-2, S-4, A-8, E-6, E-10
			t.Errorf("second export counted %d orders, want 5", second.Orders)
		}
		if d := changesOf(t, s, p); d.Previous == nil || d.Previous.ID != second.ID || len(d.Changes) != 0 {
			t.Errorf("AccountsChanges after exporting again = %+v, want the second export and no changes", d)
		}
		log, err := s.AccountsExports(ctx, 0)
		if err != nil || len(log) != 2 || log[0].ID != second.ID || log[1].ID != e.ID {
			t.Errorf("AccountsExports(0) = %+v, %v; want the second export, then the first", log, err)
		}
		if log, err := s.AccountsExports(ctx, 1); err != nil || len(log) != 1 || log[0].ID != second.ID {
			t.Errorf("AccountsExports(1) = %+v, %v; want the second export alone", log, err)
		}
	})
}

func TestStore_LogAccountsExportLock(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	p := march(t)
	packer := s.As(User{Name: "Jamie Lee", Role: RolePacker, Active: true})
	accountant := s.As(User{Name: "Priya Shah", Role: RoleAccountant, Active: true})
	e := AccountsExport{Format: "csv", File: "accounts-2026-03", SHA256: someSHA}

	if _, err := packer.LogAccountsExport(ctx, p, e, false); !errors.Is(err, ErrPermission) {
		t.Errorf("LogAccountsExport as a packer: err = %v, want ErrPermission", err)
	}
	if _, err := packer.AccountsExports(ctx, 0); !errors.Is(err, ErrPermission) {
		t.Errorf("AccountsExports as a packer: err = %v, want ErrPermission", err)
	}
	if _, err := packer.AccountsChanges(ctx, p); !errors.Is(err, ErrPermission) {
		t.Errorf("AccountsChanges as a packer: err = %v, want ErrPermission", err)
	}
	if _, err := accountant.LogAccountsExport(ctx, p, e, true); !errors.Is(err, ErrPermission) {
		t.Errorf("LogAccountsExport with a lock as the accountant: err = %v, want ErrPermission", err)
	}
	if log, err := s.AccountsExports(ctx, 0); err != nil || len(log) != 0 {
		t.Fatalf("refused exports were logged: %+v, %v", log, err)
	}
	sent, err := accountant.LogAccountsExport(ctx, p, e, false)
	if err != nil || sent.User != "Priya Shah" || sent.Locked {
		t.Fatalf("LogAccountsExport as the accountant = %+v, %v", sent, err)
	}

	locked, err := s.LogAccountsExport(ctx, p, e, true)
	if err != nil || !locked.Locked {
		t.Fatalf("LogAccountsExport with a lock = %+v, %v", locked, err)
	}
	locks, err := s.PeriodLocks(ctx)
	if err != nil || len(locks) != 1 || locks[0].ExportID != locked.ID || locks[0].Period.Key() != p.Key() {
		t.Fatalf("PeriodLocks after a locking export = %+v, %v; want March locked with export %d", locks, err, locked.ID)
	}
	log, err := s.AccountsExports(ctx, 0)
	if err != nil || len(log) != 2 || !log[0].Locked || log[1].Locked {
		t.Errorf("AccountsExports = %+v, %v; want the locking export marked locked, the other not", log, err)
	}
}

// TestStore_AccountsChangesManyOrders fingerprints more orders than one insert statement takes (100), so
// the log is written in full batches and a last short one.
func TestStore_AccountsChangesManyOrders(t *testing.T) {
	ctx := context.Background()
	clock := utc(time.April, 1, 9, 0)
	s := mustOpenAt(t, &clock)
	mustVariant(t, s, "MUG", "Stoneware mug", 1000, 500)
	var orders []Order
	for i := range 250 {
		placed := utc(time.March, 1+i%31, i%24, 0)
		orders = append(orders, periodOrder("shopify", fmt.Sprintf("S-%03d", i), placed, StatusPaid, "GBP", 0, 0, 0, accountsLineOf("MUG", 1, 1000+int64(i))))
	}
	if _, err := s.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	p := MonthPeriod(2026, time.March, time.UTC)
	e, err := s.LogAccountsExport(ctx, p, AccountsExport{Format: "csv", File: "march", SHA256: someSHA}, false)
	if err != nil || e.Orders != 250 {
		t.Fatalf("LogAccountsExport = %+v, %v; want 250 orders", e, err)
	}
	var logged int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM accounts_export_orders WHERE export_id = ?`, e.ID).Scan(&logged); err != nil || logged != 250 {
		t.Fatalf("the log holds %d orders (%v), want 250", logged, err)
	}
	if d := changesOf(t, s, p); len(d.Changes) != 0 {
		t.Fatalf("AccountsChanges right after the export = %+v", d.Changes)
	}
	o := orders[199]
	o.Lines[0].UnitPrice, o.Subtotal, o.Total = 2000, 2000, 2000
	if _, err := s.ApplyOrders(ctx, []Order{o}); err != nil {
		t.Fatal(err)
	}
	d := changesOf(t, s, p)
	if len(d.Changes) != 1 || d.Changes[0].OrderID != "S-199" || d.Changes[0].What != "lines, total" || d.Changes[0].Before != 1199 ||
		d.Changes[0].After != 2000 {
		t.Errorf("AccountsChanges after repricing S-199 = %+v", d.Changes)
	}
}
