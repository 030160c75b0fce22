package data

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// CarrierFigures sums each spelling of a carrier and service on its own and adds up those that differ
// only in case. On the demo shop with carriers and services typed in several cases, it must give what
// grouping every parcel of the period by lower-case carrier and service gives.
func TestStore_CarrierFiguresAddUpSpellings(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	if _, err := s.write.ExecContext(ctx, `UPDATE shipments SET carrier = upper(carrier) WHERE order_id % 3 = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE shipments SET service = lower(service) WHERE order_id % 5 = 0`); err != nil {
		t.Fatal(err)
	}
	for _, period := range [][2]time.Time{
		{demoNow.AddDate(0, 0, -100), demoNow.AddDate(0, 0, 2)},
		{demoNow.AddDate(0, 0, -30), demoNow},
		{demoNow.AddDate(0, 0, -2), demoNow.AddDate(0, 0, -1)},
	} {
		got, err := s.CarrierFigures(ctx, period[0], period[1])
		if err != nil {
			t.Fatal(err)
		}
		want := carrierFiguresGrouped(t, s, period[0], period[1])
		if len(want) < 3 && period[1].Sub(period[0]) > 24*time.Hour {
			t.Fatalf("the demo has %d carrier services in %v, want several", len(want), period)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CarrierFigures(%v) =\n%+v\nwant\n%+v", period, got, want)
		}
	}
}

// carrierFiguresGrouped is CarrierFigures as it was: the period's parcels grouped by lower-case carrier
// and service, each group under the spelling of its first parcel.
func carrierFiguresGrouped(t *testing.T, s *Store, from, to time.Time) []CarrierFigures {
	t.Helper()
	var out []CarrierFigures
	err := scanRows(context.Background(), s.read, `SELECT sh.carrier, sh.service, MIN(sh.shipped_at), COUNT(*),
			COUNT(o.ship_by), COUNT(CASE WHEN sh.shipped_at <= o.ship_by THEN 1 END),
			COUNT(o.delivered_at), COUNT(CASE WHEN o.delivered_at >= sh.shipped_at THEN 1 END),
			COALESCE(SUM(CASE WHEN o.delivered_at >= sh.shipped_at
				THEN ROUND((unixepoch(o.delivered_at, 'subsec') - unixepoch(sh.shipped_at, 'subsec')) * 1000) END), 0)
		FROM shipments sh JOIN orders o ON o.id = sh.order_id
		WHERE sh.shipped_at >= ? AND sh.shipped_at < ? GROUP BY lower(sh.carrier), lower(sh.service)`, func(r *sql.Rows) error {
		var c CarrierFigures
		var first string
		var measured int
		var transitMS float64
		if err := r.Scan(&c.Carrier, &c.Service, &first, &c.Shipped, &c.WithShipBy, &c.OnTime, &c.Delivered, &measured, &transitMS); err != nil {
			return err
		}
		if measured > 0 {
			c.AverageTransit = time.Duration(transitMS/float64(measured)) * time.Millisecond
		}
		out = append(out, c)
		return nil
	}, formatTime(from), formatTime(to))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b CarrierFigures) int {
		if c := strings.Compare(strings.ToLower(a.Carrier), strings.ToLower(b.Carrier)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Service), strings.ToLower(b.Service))
	})
	return out
}
