package data

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// novemberOrder is shopOrder placed on 18 November 2026 (testNow less two days), in the locked month.
func novemberOrder(id string, status Status, qty int64) Order {
	return shopOrder(id, status, "MUG", qty)
}

func octoberOrder(id string, status Status, qty int64) Order {
	o := shopOrder(id, status, "MUG", qty)
	o.PlacedAt = time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)
	return o
}

func mustImport(t *testing.T, s *Store, name string, orders ...Order) ImportResult {
	t.Helper()
	var items []ImportItem
	for i, o := range orders {
		items = append(items, orderItem(i+2, o))
	}
	res, err := s.Import(context.Background(), importFile(name), itemsOf(items...), ImportOptions{})
	if err != nil || !res.Committed {
		t.Fatalf("import %s: %+v (%v)", name, res, err)
	}
	return res
}

func mustOrder(t *testing.T, s *Store, id string) Order {
	t.Helper()
	o, err := s.OrderByKey(context.Background(), "shopify", id)
	if err != nil {
		t.Fatalf("order %s: %v", id, err)
	}
	return o
}

// heldByOrder lists the waiting held changes by order id.
func heldByOrder(t *testing.T, s *Store) map[string]HeldChange {
	t.Helper()
	held, err := s.HeldChanges(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]HeldChange{}
	for _, h := range held {
		if _, dup := out[h.OrderID]; dup {
			t.Errorf("order %s has two waiting held changes", h.OrderID)
		}
		out[h.OrderID] = h
	}
	return out
}

func TestLockPeriod_ImportHoldsNewOrdersAndFigures(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 20)
	mustImport(t, s, "before.csv",
		novemberOrder("#1", StatusPaid, 2), novemberOrder("#4", StatusPaid, 1), octoberOrder("#5", StatusPaid, 1),
		novemberOrder("#7", StatusPaid, 1), novemberOrder("#8", StatusPaid, 1), novemberOrder("#9", StatusPaid, 1))

	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := s.LockPeriod(ctx, MonthPeriod(2026, time.November, london))
	if err != nil {
		t.Fatal(err)
	}
	if lock.ID == 0 || lock.Period.String() != "2026-11-01 to 2026-11-30" || lock.Period.Location.String() != "Europe/London" ||
		lock.User != "system" || !lock.At.Equal(testNow) || lock.ExportID != 0 {
		t.Fatalf("lock = %+v", lock)
	}
	if again, err := s.LockPeriod(ctx, MonthPeriod(2026, time.November, london)); err != nil || again.ID != lock.ID {
		t.Fatalf("locking November again = %+v (%v), want lock %d", again, err, lock.ID)
	}

	shipped := novemberOrder("#1", StatusShipped, 2) // a status step: no figure changes
	more := novemberOrder("#4", StatusPacked, 3)     // more mugs, packed, another name: the figures wait
	more.CustomerName = "Ada King"
	newNov := novemberOrder("#2", StatusPaid, 2)
	newOct := octoberOrder("#3", StatusPaid, 1)
	cancelOct := octoberOrder("#5", StatusCancelled, 1)
	shipMore := novemberOrder("#7", StatusShipped, 2) // shipping would freeze the held lines: it waits too
	moved := novemberOrder("#8", StatusPaid, 1)       // moved out of the locked month
	moved.PlacedAt = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	cancelNov := novemberOrder("#9", StatusCancelled, 1)
	res := mustImport(t, s, "after.csv", shipped, more, newNov, newOct, cancelOct, shipMore, moved, cancelNov)
	if res.OrdersNew != 1 || res.OrdersUpdated != 2 || res.Held != 5 || res.OrdersUnchanged != 0 || res.Unmatched != 0 {
		t.Fatalf("import into a locked month = %+v, want 1 new (#3), 2 updated (#1, #5), 5 held", res)
	}
	if log, err := s.ImportLog(ctx, 1); err != nil || len(log) != 1 || log[0].Held != 5 || log[0].OrdersNew != 1 {
		t.Errorf("import log = %+v (%v), want 5 held", log, err)
	}

	if _, err := s.OrderByKey(ctx, "shopify", "#2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("held new order #2 was stored: %v", err)
	}
	if o := mustOrder(t, s, "#1"); o.Status != StatusShipped {
		t.Errorf("#1 = %s, want shipped: a status step is no accounting change", o.Status)
	}
	if o := mustOrder(t, s, "#4"); o.Status != StatusPacked || o.CustomerName != "Ada King" || o.Lines[0].Quantity != 1 || o.Total != 1800 {
		t.Errorf("#4 = %s %q qty %d total %d, want packed, renamed, still 1 mug for 1800", o.Status, o.CustomerName, o.Lines[0].Quantity, o.Total)
	}
	if o := mustOrder(t, s, "#5"); o.Status != StatusCancelled {
		t.Errorf("#5 (October) = %s, want cancelled", o.Status)
	}
	if o := mustOrder(t, s, "#7"); o.Status != StatusPaid || o.Lines[0].Quantity != 1 {
		t.Errorf("#7 = %s qty %d, want still paid with 1", o.Status, o.Lines[0].Quantity)
	}
	if o := mustOrder(t, s, "#8"); !o.PlacedAt.Equal(testNow.Add(-48 * time.Hour)) {
		t.Errorf("#8 placed %s, want still in November", o.PlacedAt)
	}
	if o := mustOrder(t, s, "#9"); o.Status != StatusPaid {
		t.Errorf("#9 = %s, want still paid", o.Status)
	}
	// 20 received, #1 shipped 2. Reserved: #4 1, #7 1, #8 1, #9 1 and #3 1 (#5 cancelled).
	if l := mustLevel(t, s, "MUG"); l.OnHand != 18 || l.Reserved != 5 {
		t.Errorf("MUG = %d on hand, %d reserved; want 18 and 5", l.OnHand, l.Reserved)
	}

	held := heldByOrder(t, s)
	want := map[string]struct {
		kind, what    string
		before, after int64
	}{
		"#2": {"new", "new order", 0, 3600},
		"#4": {"update", "lines, subtotal, total", 1800, 5400},
		"#7": {"update", "lines, subtotal, total", 1800, 3600},
		"#8": {"update", "placed", 1800, 1800},
		"#9": {"update", "cancelled", 1800, 0},
	}
	if len(held) != len(want) {
		t.Fatalf("held changes = %+v, want %d", held, len(want))
	}
	for id, w := range want {
		h := held[id]
		if h.Kind != w.kind || h.What != w.what || h.Before != w.before || h.After != w.after || h.Currency != "GBP" ||
			h.Source != "after.csv" || h.Lock.ID != lock.ID || h.Lock.Period.Key() != lock.Period.Key() || !h.At.Equal(testNow) ||
			h.Order.ExternalID != id || h.Resolved != "" {
			t.Errorf("held %s = %+v, want %+v", id, h, w)
		}
	}
	if !held["#8"].Placed.Equal(moved.PlacedAt) || held["#4"].Order.Lines[0].Quantity != 3 || held["#4"].Order.Lines[0].SKU != "MUG" {
		t.Errorf("held #8 placed %s, #4 order %+v", held["#8"].Placed, held["#4"].Order)
	}

	// The file again: the same changes wait, each once, and nothing else moves.
	res = mustImport(t, s, "after-again.csv", shipped, more, newNov, newOct, cancelOct, shipMore, moved, cancelNov)
	if res.Held != 5 || res.OrdersUnchanged != 3 || res.OrdersNew+res.OrdersUpdated != 0 {
		t.Errorf("the same file again = %+v, want 5 held, 3 unchanged", res)
	}
	again := heldByOrder(t, s)
	if len(again) != 5 || again["#4"].Source != "after-again.csv" || again["#4"].ID != held["#4"].ID {
		t.Errorf("held after the same file again = %+v, want the 5 changes, now from after-again.csv", again)
	}
	// Data as stored holds nothing.
	res = mustImport(t, s, "as-stored.csv", shipped, octoberOrder("#3", StatusPaid, 1), cancelOct, novemberOrder("#9", StatusPaid, 1))
	if res.Held != 0 || res.OrdersUnchanged != 4 {
		t.Errorf("orders as stored = %+v, want 4 unchanged", res)
	}
	// A later change to a held order replaces the one waiting.
	fewer := novemberOrder("#2", StatusPaid, 1)
	if res := mustImport(t, s, "fix.csv", fewer); res.Held != 1 {
		t.Errorf("a second change to #2 = %+v, want held", res)
	}
	if h := heldByOrder(t, s)["#2"]; h.After != 1800 || h.Order.Lines[0].Quantity != 1 || h.Source != "fix.csv" {
		t.Errorf("held #2 = %+v, want the latest change (1 mug, from fix.csv)", h)
	}
	// A dry run counts what would be held and keeps nothing.
	dry, err := s.Import(ctx, importFile("dry.csv"), itemsOf(orderItem(2, novemberOrder("#6", StatusPaid, 1))), ImportOptions{DryRun: true})
	if err != nil || dry.Held != 1 {
		t.Errorf("dry run = %+v (%v), want 1 held", dry, err)
	}
	if _, ok := heldByOrder(t, s)["#6"]; ok {
		t.Error("a dry run left a held change")
	}
}

func TestHeldChange_ApplyAndDiscard(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 20)
	mustImport(t, s, "before.csv", novemberOrder("#7", StatusPaid, 1), novemberOrder("#9", StatusPaid, 1))
	lock, err := s.LockPeriod(ctx, MonthPeriod(2026, time.November, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, s, "after.csv", novemberOrder("#2", StatusPaid, 2), novemberOrder("#7", StatusShipped, 2),
		novemberOrder("#9", StatusCancelled, 1))
	if res.Held != 3 {
		t.Fatalf("import = %+v, want 3 held", res)
	}
	held := heldByOrder(t, s)

	if err := s.ApplyHeldChange(ctx, held["#2"].ID); err != nil {
		t.Fatalf("apply #2: %v", err)
	}
	if o := mustOrder(t, s, "#2"); o.Status != StatusPaid || o.Lines[0].Quantity != 2 || o.Total != 3600 {
		t.Errorf("#2 after applying = %s qty %d total %d", o.Status, o.Lines[0].Quantity, o.Total)
	}
	if err := s.ApplyHeldChange(ctx, held["#7"].ID); err != nil {
		t.Fatalf("apply #7: %v", err)
	}
	if o := mustOrder(t, s, "#7"); o.Status != StatusShipped || o.Lines[0].Quantity != 2 || o.Total != 3600 {
		t.Errorf("#7 after applying = %s qty %d total %d, want shipped, 2 for 3600", o.Status, o.Lines[0].Quantity, o.Total)
	}
	// 20 received, #7 shipped 2; #2's 2 and #9's 1 reserved.
	if l := mustLevel(t, s, "MUG"); l.OnHand != 18 || l.Reserved != 3 {
		t.Errorf("MUG = %d on hand, %d reserved; want 18 and 3", l.OnHand, l.Reserved)
	}
	if err := s.DiscardHeldChange(ctx, held["#9"].ID); err != nil {
		t.Fatalf("discard #9: %v", err)
	}
	if o := mustOrder(t, s, "#9"); o.Status != StatusPaid {
		t.Errorf("#9 after discarding = %s, want paid", o.Status)
	}
	if left := heldByOrder(t, s); len(left) != 0 {
		t.Errorf("held after settling all = %+v", left)
	}
	for _, id := range []int64{held["#2"].ID, held["#9"].ID} {
		if err := s.ApplyHeldChange(ctx, id); !errors.Is(err, ErrConflict) {
			t.Errorf("applying settled change %d again: %v, want a conflict", id, err)
		}
		if err := s.DiscardHeldChange(ctx, id); !errors.Is(err, ErrConflict) {
			t.Errorf("discarding settled change %d: %v, want a conflict", id, err)
		}
	}
	if err := s.ApplyHeldChange(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("applying change 999: %v, want not found", err)
	}

	audit, err := s.AuditLog(ctx, "held_change", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action+" "+e.EntityID)
	}
	if got, want := strings.Join(actions, ", "), "discarded 3, applied 2, applied 1"; got != want {
		t.Errorf("held change audit = %s, want %s", got, want)
	}
	// Holding and then applying are both in the order's audit trail; applying writes the order as any write does.
	if entries, err := s.AuditLog(ctx, "order", "shopify:#2", 10); err != nil || len(entries) != 2 || entries[0].Action != "create" ||
		entries[1].Action != "hold" || !strings.Contains(entries[1].After, `"source":"after.csv"`) || !strings.Contains(entries[0].After, `"Total":3600`) {
		t.Errorf("order #2 audit = %+v (%v)", entries, err)
	}

	// Unlocked, the month takes changes again; the lock stays on record for what it held.
	if err := s.UnlockPeriod(ctx, lock.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlockPeriod(ctx, lock.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("unlocking twice: %v, want a conflict", err)
	}
	if locks, err := s.PeriodLocks(ctx); err != nil || len(locks) != 0 {
		t.Errorf("locks after unlocking = %+v (%v)", locks, err)
	}
	res = mustImport(t, s, "later.csv", novemberOrder("#9", StatusCancelled, 1), novemberOrder("#10", StatusPaid, 1))
	if res.Held != 0 || res.OrdersNew != 1 || res.OrdersUpdated != 1 {
		t.Errorf("import into the unlocked month = %+v, want 1 new, 1 updated", res)
	}
}

func TestLockPeriod_ApplyOrdersAndMail(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 20)
	// Berlin's November starts at 23:00 UTC on 31 October and ends at 23:00 UTC on 30 November.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockPeriod(ctx, MonthPeriod(2026, time.November, berlin)); err != nil {
		t.Fatal(err)
	}
	first := novemberOrder("#1", StatusPaid, 1)
	first.PlacedAt = time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC)
	last := novemberOrder("#2", StatusPaid, 1)
	last.PlacedAt = time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	before := novemberOrder("#3", StatusPaid, 1)
	before.PlacedAt = time.Date(2026, 10, 31, 22, 59, 0, 0, time.UTC)
	res, err := s.ApplyOrders(ctx, []Order{first, last, before})
	if err != nil {
		t.Fatal(err)
	}
	if res.Held != 1 || res.New != 2 {
		t.Fatalf("ApplyOrders = %+v, want #1 (1 November in Berlin) held, #2 (1 December) and #3 (31 October) new", res)
	}
	held := heldByOrder(t, s)
	if h, ok := held["#1"]; !ok || h.Source != "orders recorded by system" {
		t.Errorf("held = %+v", held)
	}

	mail := orderMail("#4", "MUG", 1)
	mres, err := s.ApplyMail(ctx, MailBatch{Messages: []MailMessage{mail}})
	if err != nil {
		t.Fatal(err)
	}
	if mres.Held != 1 || mres.OrdersNew != 0 {
		t.Fatalf("ApplyMail = %+v, want the order held", mres)
	}
	if h := heldByOrder(t, s)["#4"]; h.Source != "mail: [Shop] Order #4 placed by Ada Lovelace" || h.Kind != "new" {
		t.Errorf("held mail order = %+v", h)
	}
	if _, err := s.OrderByKey(ctx, "shopify", "#4"); !errors.Is(err, ErrNotFound) {
		t.Errorf("held mail order was stored: %v", err)
	}
}

func TestLockPeriod_OnlyTheOwner(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	lock, err := s.LockPeriod(ctx, MonthPeriod(2026, time.November, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyOrders(ctx, []Order{novemberOrder("#1", StatusPaid, 1)}); err != nil {
		t.Fatal(err)
	}
	id := heldByOrder(t, s)["#1"].ID
	for _, u := range []struct {
		name string
		role Role
	}{{"Jamie", RolePacker}, {"Priya", RoleAccountant}} {
		if _, err := s.AddUser(ctx, u.name, u.role, "1234"); err != nil {
			t.Fatal(err)
		}
	}
	packer, err := s.Login(ctx, "Jamie", "1234")
	if err != nil {
		t.Fatal(err)
	}
	accountant, err := s.Login(ctx, "Priya", "1234")
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*Store{"packer": packer, "accountant": accountant} {
		if _, err := st.LockPeriod(ctx, MonthPeriod(2026, time.October, time.UTC)); !errors.Is(err, ErrPermission) {
			t.Errorf("%s locks: %v", name, err)
		}
		if err := st.UnlockPeriod(ctx, lock.ID); !errors.Is(err, ErrPermission) {
			t.Errorf("%s unlocks: %v", name, err)
		}
		if err := st.ApplyHeldChange(ctx, id); !errors.Is(err, ErrPermission) {
			t.Errorf("%s applies: %v", name, err)
		}
		if err := st.DiscardHeldChange(ctx, id); !errors.Is(err, ErrPermission) {
			t.Errorf("%s discards: %v", name, err)
		}
	}
	if _, err := packer.HeldChanges(ctx); !errors.Is(err, ErrPermission) {
		t.Errorf("packer reads held changes: %v", err)
	}
	if _, err := packer.PeriodLocks(ctx); !errors.Is(err, ErrPermission) {
		t.Errorf("packer reads locks: %v", err)
	}
	if held, err := accountant.HeldChanges(ctx); err != nil || len(held) != 1 {
		t.Errorf("accountant reads held changes: %+v (%v)", held, err)
	}
	if locks, err := accountant.PeriodLocks(ctx); err != nil || len(locks) != 1 || locks[0].ID != lock.ID {
		t.Errorf("accountant reads locks: %+v (%v)", locks, err)
	}
}
