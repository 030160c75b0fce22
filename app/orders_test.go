package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// orderIDs lists the channel order ids on the orders list's page, in order.
func orderIDs(sc *ordersScreen) []string {
	var out []string
	for _, o := range sc.list.rows {
		out = append(out, o.ExternalID)
	}
	return out
}

// selectOrder taps the list row of an order and waits for its detail.
func selectOrder(t *testing.T, a *App, sc *ordersScreen, id string) {
	t.Helper()
	i := slices.Index(orderIDs(sc), id)
	if i < 0 {
		t.Fatalf("order %s is not on the list %v", id, orderIDs(sc))
	}
	sc.list.table.Select(widget.TableCellID{Row: i, Col: 3})
	settle(a)
	if sc.order == nil || sc.order.ExternalID != id {
		t.Fatalf("detail after selecting %s shows %+v", id, sc.order)
	}
}

// saleMovements returns the sale movements of a SKU.
func saleMovements(t *testing.T, a *App, sku string) []data.Movement {
	t.Helper()
	ms, err := a.base.Movements(context.Background(), sku, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []data.Movement
	for _, m := range ms {
		if m.Reason == data.ReasonSale {
			out = append(out, m)
		}
	}
	return out
}

// TestOrdersScreen covers what reads orders without changing them, on one shop.
func TestOrdersScreen(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*ordersScreen](t, a, sectionOrders)
	// reset puts the filters, the sort and the detail back as a person finds them.
	reset := func() {
		sc.list.sortBy("placed", true)
		sc.showFilter(data.OrderFilter{})
		settle(a)
	}

	t.Run("List", func(t *testing.T) {
		reset()

		// Newest first.
		if got, want := orderIDs(sc), []string{"2002", "1002", "1001", "2001", "1003", "3001"}; !slices.Equal(got, want) {
			t.Fatalf("rows = %v, want %v", got, want)
		}
		if got, want := sc.list.status.Text, "1–6 of 6 orders"; got != want {
			t.Errorf("pager = %q, want %q", got, want)
		}
		late := slices.Index(orderIDs(sc), "1001")
		for col, want := range map[int]string{1: "Etsy", 3: "Ada Lovelace", 4: "2", 5: "£51.95", 6: "Paid · late"} {
			if got := sc.list.cellText(late, col); got != want {
				t.Errorf("order 1001 column %s = %q, want %q", sc.list.cols[col].title, got, want)
			}
		}
		if got, want := sc.list.cols[6].style(sc.list.rows[late]), widget.DangerImportance; got != want {
			t.Errorf("late order's status importance = %v, want danger (%v)", got, want)
		}
		placed := sc.list.rows[late].PlacedAt.Local().Format("2 Jan 2006 15:04")
		if got := sc.list.cellText(late, 0); got != placed {
			t.Errorf("placed = %q, want %q", got, placed)
		}

		// Oldest first is the same list from the other end.
		tapHeader(t, sc.list.table, "Placed")
		settle(a)
		if got, want := orderIDs(sc), []string{"3001", "1003", "2001", "1001", "1002", "2002"}; !slices.Equal(got, want) {
			t.Errorf("rows oldest first = %v, want %v", got, want)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		reset()

		sc.status.SetSelected(choiceOpen)
		settle(a)
		if got, want := orderIDs(sc), []string{"2002", "1002", "1001"}; !slices.Equal(got, want) {
			t.Errorf("open orders = %v, want %v", got, want)
		}
		if !slices.Contains(sc.channel.Options, "Etsy") {
			t.Fatalf("channel choices = %v, want Etsy among them", sc.channel.Options)
		}
		sc.channel.SetSelected("Etsy")
		settle(a)
		if got, want := orderIDs(sc), []string{"1002", "1001"}; !slices.Equal(got, want) {
			t.Errorf("open Etsy orders = %v, want %v", got, want)
		}
		sc.status.SetSelected(choiceLate)
		settle(a)
		if got, want := orderIDs(sc), []string{"1001"}; !slices.Equal(got, want) {
			t.Errorf("late Etsy orders = %v, want %v", got, want)
		}
		sc.status.SetSelected("Cancelled")
		settle(a)
		if got, want := orderIDs(sc), []string{"1003"}; !slices.Equal(got, want) {
			t.Errorf("cancelled Etsy orders = %v, want %v", got, want)
		}
		sc.status.SetSelected(choiceAllStatuses)
		sc.channel.SetSelected(choiceAllChannels)
		settle(a)

		t.Run("Period", func(t *testing.T) {
			sc.period.SetSelected(period7Days)
			settle(a)
			if got, want := sc.from.Text, time.Now().AddDate(0, 0, -6).Format(dateLayout); got != want {
				t.Errorf("From = %q, want %q", got, want)
			}
			if got, want := orderIDs(sc), []string{"2002", "1002", "1001", "2001"}; !slices.Equal(got, want) {
				t.Errorf("orders of the last 7 days = %v, want %v", got, want)
			}
			sc.period.SetSelected(periodAllTime)
			settle(a)
			if got, want := len(sc.list.rows), 6; got != want {
				t.Errorf("orders of all time = %d, want %d", got, want)
			}
		})
		t.Run("ErrDate", func(t *testing.T) {
			test.Type(sc.from, "2026-13-01")
			settle(a)
			if !sc.problem.Visible() || !strings.Contains(sc.problem.Text, "YYYY-MM-DD") {
				t.Errorf("problem = %q (visible %v), want the date format explained", sc.problem.Text, sc.problem.Visible())
			}
			if got, want := sc.period.Selected, periodCustom; got != want {
				t.Errorf("period = %q, want %q", got, want)
			}
			sc.from.SetText("")
			settle(a)
			if sc.problem.Visible() {
				t.Errorf("problem %q still shown after clearing the date", sc.problem.Text)
			}
		})
		t.Run("ErrDatesReversed", func(t *testing.T) {
			sc.from.SetText("2026-03-10")
			sc.to.SetText("2026-03-01")
			settle(a)
			if got, want := sc.problem.Text, "The From date is after the To date."; got != want || !sc.problem.Visible() {
				t.Errorf("problem = %q (visible %v), want %q", got, sc.problem.Visible(), want)
			}
			sc.period.SetSelected(periodAllTime)
			settle(a)
		})
	})

	t.Run("Search", func(t *testing.T) {
		reset()

		for _, tt := range []struct {
			name, search string
			want         []string
		}{
			{"OrderID", "1002", []string{"1002"}},
			{"HashOrderID", "#2001", []string{"2001"}},
			{"Customer", "lovelace", []string{"1001"}},
			{"SKU", "APRON-RUST", []string{"2002"}},
			{"ChannelSKU", "ETSY-CANDLE", []string{"1002"}},
			{"NoMatch", "zebra", nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				sc.search.SetText("")
				test.Type(sc.search, tt.search)
				settle(a)
				if got := orderIDs(sc); !slices.Equal(got, tt.want) {
					t.Errorf("rows for %q = %v, want %v", tt.search, got, tt.want)
				}
			})
		}
		if got, want := sc.list.overlay.Text, "No orders match these filters"; got != want || !sc.list.overlay.Visible() {
			t.Errorf("empty state = %q (visible %v), want %q", got, sc.list.overlay.Visible(), want)
		}
	})

	t.Run("Detail", func(t *testing.T) {
		reset()
		selectOrder(t, a, sc, "2002")

		if got, want := sc.title.Text, "Shopify order 2002"; got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
		if got, want := sc.lines.rows, [][]string{{"APRON-RUST", "Linen apron, rust", "4", "£24.00", "£96.00"}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("lines = %v, want %v", got, want)
		}
		totals := texts(sc.totals)
		for _, want := range []string{"£96.00", "£5.00", "£16.00", "-£9.60", "£107.40"} {
			if !slices.Contains(totals, want) {
				t.Errorf("totals = %q, want %s among them", totals, want)
			}
		}
		if got, want := sc.list.selected, sc.list.key(*sc.order); got != want {
			t.Errorf("highlighted row = %q, want %q", got, want)
		}
		var actions []string
		for _, s := range []data.Status{data.StatusShipped, data.StatusDelivered, data.StatusCancelled} {
			if b := sc.actions[s]; b != nil {
				actions = append(actions, b.Text)
			}
		}
		if got, want := actions, []string{"Mark shipped", "Mark delivered", "Cancel order"}; !slices.Equal(got, want) || len(sc.actions) != 3 {
			t.Errorf("actions = %v (%d), want %v", got, len(sc.actions), want)
		}

		selectOrder(t, a, sc, "1002")
		if got, want := sc.lines.rows[1][0], "unmatched: ETSY-CANDLE"; got != want {
			t.Errorf("unmatched line's SKU = %q, want %q", got, want)
		}
		if !hasText(sc.detail, "Grace Hopper") {
			t.Errorf("detail = %q, want the customer", texts(sc.detail))
		}
	})

	t.Run("ShowFilter", func(t *testing.T) {
		reset()
		a.showOrders(data.OrderFilter{Statuses: data.OpenStatuses(), ShipByBefore: time.Now()})
		settle(a)
		if got, want := sc.status.Selected, choiceLate; got != want {
			t.Errorf("status choice = %q, want %q", got, want)
		}
		if got, want := orderIDs(sc), []string{"1001"}; !slices.Equal(got, want) {
			t.Errorf("late orders = %v, want %v", got, want)
		}

		a.showOrders(data.OrderFilter{Statuses: []data.Status{data.StatusPaid, data.StatusPacked}, Channel: "shopify"})
		settle(a)
		if got, want := sc.status.Selected, "Paid + Packed"; got != want {
			t.Errorf("status choice = %q, want %q", got, want)
		}
		if got, want := sc.channel.Selected, "Shopify"; got != want {
			t.Errorf("channel choice = %q, want %q", got, want)
		}
		if got, want := orderIDs(sc), []string{"2002"}; !slices.Equal(got, want) {
			t.Errorf("paid or packed Shopify orders = %v, want %v", got, want)
		}
	})
}

func TestOrdersScreen_MoveStatus(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*ordersScreen](t, a, sectionOrders)
	selectOrder(t, a, sc, "1001")
	if got, want := len(sc.history.rows), 1; got != want {
		t.Fatalf("history = %v, want %d entry", sc.history.rows, want)
	}

	test.Tap(sc.actions[data.StatusPacked])
	settle(a)
	if got, want := sc.order.Status, data.StatusPacked; got != want {
		t.Fatalf("status after Mark packed = %q, want %q", got, want)
	}
	if got, want := sc.history.rows[0][0], "Packed"; got != want || len(sc.history.rows) != 2 {
		t.Errorf("history = %v, want Packed on top of 2 entries", sc.history.rows)
	}
	if got, want := sc.history.rows[0][2], testOwner; got != want {
		t.Errorf("packed by %q, want %q", got, want)
	}
	if got := saleMovements(t, a, "APRON-SAGE"); len(got) != 0 {
		t.Errorf("sale movements before shipping = %v, want none", got)
	}

	test.Tap(sc.actions[data.StatusShipped])
	settle(a)
	if got, want := sc.order.Status, data.StatusShipped; got != want {
		t.Fatalf("status after Mark shipped = %q, want %q", got, want)
	}
	if got, want := len(sc.history.rows), 3; got != want {
		t.Errorf("history = %v, want %d entries", sc.history.rows, want)
	}
	row := slices.Index(orderIDs(sc), "1001")
	if got, want := sc.list.cellText(row, 6), "Shipped"; got != want {
		t.Errorf("status in list = %q, want %q", got, want)
	}
	if _, ok := sc.actions[data.StatusCancelled]; ok {
		t.Error("a shipped order can still be cancelled")
	}

	test.Tap(sc.actions[data.StatusDelivered])
	settle(a)
	sales := saleMovements(t, a, "APRON-SAGE")
	if len(sales) != 1 || sales[0].Quantity != -2 {
		t.Errorf("sale movements of APRON-SAGE = %+v, want exactly one of -2", sales)
	}
	if got, want := len(sc.actions), 1; got != want || sc.actions[data.StatusReturned] == nil {
		t.Errorf("actions of a delivered order = %v, want only Mark returned", sc.actions)
	}
}

func TestOrdersScreen_Cancel(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*ordersScreen](t, a, sectionOrders)
	selectOrder(t, a, sc, "1002")

	test.Tap(sc.actions[data.StatusCancelled])
	test.Tap(overlayButton(t, a, "Keep order"))
	settle(a)
	if got, want := sc.order.Status, data.StatusNew; got != want {
		t.Fatalf("status after Keep order = %q, want %q", got, want)
	}

	test.Tap(sc.actions[data.StatusCancelled])
	test.Tap(overlayButton(t, a, "Cancel order"))
	settle(a)
	if got, want := sc.order.Status, data.StatusCancelled; got != want {
		t.Fatalf("status after confirming = %q, want %q", got, want)
	}
	if len(sc.actions) != 0 {
		t.Errorf("actions of a cancelled order = %v, want none", sc.actions)
	}
}

func TestOrdersScreen_AccountantCannotMove(t *testing.T) {
	a := newTestAppAs(t, testAccountant)
	holdUI(t, a)
	sc := showScreen[*ordersScreen](t, a, sectionOrders)
	selectOrder(t, a, sc, "1001")
	if len(sc.actions) != 0 {
		t.Errorf("accountant's actions = %v, want none", sc.actions)
	}
	if hasText(sc.detail, "Mark packed") {
		t.Error("accountant's detail offers Mark packed")
	}
}
