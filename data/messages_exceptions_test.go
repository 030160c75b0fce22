package data

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// openExceptions renders the open exceptions as "kind ref opened" lines, sorted.
func openExceptions(t *testing.T, s *Store) (string, map[string]Exception) {
	t.Helper()
	es, err := s.Exceptions(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	byRef := map[string]Exception{}
	for _, e := range es {
		lines = append(lines, fmt.Sprintf("%s %s %s", e.Kind, e.Ref, e.Opened.Format(time.RFC3339)))
		byRef[string(e.Kind)+" "+e.Ref] = e
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), byRef
}

func TestExceptions_OpenHandleClose(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	t0 := testNow
	late := msgOrder("shopify", "L", StatusPaid, "MUG", 1, "l@example.com", "GB", t0.Add(-2*time.Hour))
	unmatched := msgOrder("shopify", "U", StatusPaid, "", 1, "u@example.com", "GB", time.Time{})
	unmatched.Lines[0].ChannelSKU = "WIDGET-9"
	ret := msgOrder("shopify", "R", StatusPaid, "MUG", 1, "r@example.com", "GB", time.Time{})
	cancelled := msgOrder("shopify", "X", StatusCancelled, "MUG", 1, "x@example.com", "GB", t0.Add(-5*time.Hour))
	oversold := msgOrder("shopify", "J", StatusPaid, "JUG", 1, "j@example.com", "GB", time.Time{}) // no JUG on hand
	mustApply(t, s, late, unmatched, ret, cancelled, oversold)
	r := mustOrder(t, s, "R")
	if _, err := s.ShipOrder(ctx, r.ID, Shipment{Carrier: "DPD", Tracking: "1", ShippedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordReturn(ctx, Return{OrderID: r.ID, SKU: "MUG", Units: 1, Reason: ReturnDamaged, Condition: ConditionDamaged, Disposition: WriteOff}); err != nil {
		t.Fatal(err)
	}
	c.now = t0.Add(-5 * 24 * time.Hour) // the PO went out five days ago, due two days ago
	sup := mustSupplier(t, s, "Alder Clay", 10)
	expected := t0.Add(-48 * time.Hour)
	po, err := s.CreatePO(ctx, NewPO{SupplierID: sup.ID, Lines: []NewPOLine{{SKU: "JUG", Quantity: 6}}})
	if err != nil {
		t.Fatal(err)
	}
	if po, err = s.SendPO(ctx, po.ID, &expected); err != nil || po.ExpectedAt == nil {
		t.Fatalf("SendPO: %+v, %v", po, err)
	}
	c.now = t0
	if err := s.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	got, byRef := openExceptions(t, s)
	want := strings.Join([]string{
		"at_risk_sku JUG 2026-11-20T09:30:00Z",
		"late_order shopify L 2026-11-20T07:30:00Z",
		"po_overdue " + po.Number + " " + po.ExpectedAt.UTC().Format(time.RFC3339),
		"return_opened shopify R 2026-11-20T09:30:00Z",
		"unmatched_sku shopify U 2026-11-20T09:30:00Z",
	}, "\n")
	if got != want {
		t.Fatalf("open exceptions:\n%s\nwant:\n%s", got, want)
	}
	if err := s.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := openExceptions(t, s); again != want {
		t.Fatalf("a second refresh changed the exceptions:\n%s", again)
	}

	// The late order is 2h old at t0: overdue past the 4h default, or at once with a 1h limit. The PO,
	// due 48h before t0, is past its 48h default from just after t0.
	overdue := func(at time.Time) string {
		t.Helper()
		es, err := s.OverdueExceptions(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, e := range es {
			refs = append(refs, string(e.Kind)+" "+e.Ref)
		}
		return strings.Join(refs, ", ")
	}
	if got, want := overdue(t0.Add(2*time.Hour)), "po_overdue "+po.Number; got != want {
		t.Errorf("overdue at 4h exactly: %q, want %q", got, want)
	}
	if got, want := overdue(t0.Add(2*time.Hour+time.Second)), "po_overdue "+po.Number+", late_order shopify L"; got != want {
		t.Errorf("overdue just past 4h: %q, want %q", got, want)
	}
	if err := s.SetExceptionLimit(ctx, ExceptionLateOrder, time.Hour); err != nil {
		t.Fatal(err)
	}
	// At t0 itself the PO is exactly 48h past due: not yet over its limit.
	if got, want := overdue(t0), "late_order shopify L"; got != want {
		t.Errorf("overdue with a 1h limit: %q, want %q", got, want)
	}
	if err := s.SetExceptionLimit(ctx, ExceptionLateOrder, time.Second); !errors.Is(err, ErrInvalid) {
		t.Errorf("a 1s limit: %v, want ErrInvalid", err)
	}

	// A person handles U while it is still unmatched: it stays handled through refreshes.
	packer := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
	if err := packer.HandleException(ctx, byRef["unmatched_sku shopify U"].ID, "asked the owner to map it"); err != nil {
		t.Fatal(err)
	}
	accountant := s.As(User{Name: "Pat", Role: RoleAccountant, Active: true})
	if err := accountant.HandleException(ctx, byRef["late_order shopify L"].ID, "x"); !errors.Is(err, ErrPermission) {
		t.Errorf("HandleException as an accountant: %v, want ErrPermission", err)
	}
	if err := s.HandleException(ctx, byRef["unmatched_sku shopify U"].ID, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("handling twice: %v, want ErrConflict", err)
	}

	// L ships: its exception closes as resolved. Eight days on, R's return is no longer news.
	c.now = t0.Add(time.Hour)
	l := mustOrder(t, s, "L")
	if _, err := s.ShipOrder(ctx, l.ID, Shipment{Carrier: "DPD", Tracking: "2", ShippedAt: c.now}); err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := func() string { g, _ := openExceptions(t, s); return g }(), "at_risk_sku JUG 2026-11-20T09:30:00Z\n"+
		"po_overdue "+po.Number+" "+po.ExpectedAt.UTC().Format(time.RFC3339)+
		"\nreturn_opened shopify R 2026-11-20T09:30:00Z"; got != want {
		t.Errorf("open after L shipped:\n%s\nwant:\n%s", got, want)
	}
	c.now = t0.Add(8 * 24 * time.Hour)
	if _, err := s.ReceivePO(ctx, po.ID, []POReceipt{{LineNo: 1, Quantity: 6}}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	handled, err := s.Exceptions(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range handled {
		lines = append(lines, fmt.Sprintf("%s %s by %s: %s at %s", e.Kind, e.Ref, e.HandledBy, e.How, e.Handled.Format(time.RFC3339)))
	}
	if got, want := strings.Join(lines, "\n"), strings.Join([]string{
		"po_overdue " + po.Number + " by Backroom: resolved at 2026-11-28T09:30:00Z",
		"return_opened shopify R by Backroom: resolved at 2026-11-28T09:30:00Z",
		"at_risk_sku JUG by Backroom: resolved at 2026-11-28T09:30:00Z",
		"late_order shopify L by Backroom: resolved at 2026-11-20T10:30:00Z",
		"unmatched_sku shopify U by Jamie: asked the owner to map it at 2026-11-20T09:30:00Z",
	}, "\n"); got != want {
		t.Errorf("handled exceptions:\n%s\nwant:\n%s", got, want)
	}
	if got, _ := openExceptions(t, s); got != "" {
		t.Errorf("still open: %s", got)
	}
}

func TestNotifications_Shown(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	mustMessageRule(t, s, MessageRule{Name: "Big order", Trigger: TriggerOrderImported, MinTotal: 5000, Action: ActionNotify})
	c.now = testNow.Add(time.Minute)
	mustApply(t, s, msgOrder("etsy", "E1", StatusPaid, "MUG", 3, "e@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false, "Big order E1 notified")
	ns, err := s.PendingNotifications(ctx)
	if err != nil || len(ns) != 1 {
		t.Fatalf("PendingNotifications = %+v, %v", ns, err)
	}
	if want := (Notification{ID: ns[0].ID, Title: "Big order", Body: "etsy order E1: order imported", At: c.now}); ns[0] != want {
		t.Errorf("notification = %+v, want %+v", ns[0], want)
	}
	if err := s.MarkNotified(ctx, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotified(ctx, ns[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkNotified twice: %v, want ErrNotFound", err)
	}
	if ns, _ := s.PendingNotifications(ctx); len(ns) != 0 {
		t.Errorf("still pending: %+v", ns)
	}
}
