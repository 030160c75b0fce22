package dovecottest

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/backroom-app/backroom/importers/ordermail"
)

// TestTemplates checks that every fixture turns into variants the parser reads as distinct messages:
// a mailbox made from them has as many orders as order notifications.
func TestTemplates(t *testing.T) {
	templates, err := Templates(filepath.Join("..", "..", "..", "testdata", "mail"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[ordermail.Kind]int{}
	for _, tp := range templates {
		kinds[tp.Kind]++
		t.Logf("%-30s %-13s %-11s %-20s → %s", tp.Name, tp.Kind, tp.Channel, tp.OrderID, tp.VariantOrderID(123))
	}
	if kinds[ordermail.Order] < 5 || kinds[ordermail.NotOrder] == 0 || kinds[ordermail.UnknownOrder] == 0 {
		t.Errorf("template kinds = %v, want orders of every channel, not-orders and unknown orders", kinds)
	}

	msgs, counts := Mailbox(templates, 1, 3*len(templates))
	ids, orders := map[string]bool{}, map[string]bool{}
	got := Counts{}
	for i, raw := range msgs {
		m, err := ordermail.Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if ids[m.MessageID] {
			t.Errorf("message %d: Message-ID %q twice", i, m.MessageID)
		}
		ids[m.MessageID] = true
		got.add(m.Kind)
		if m.Kind == ordermail.Order {
			key := m.Channel + " " + m.Order.ExternalID
			if orders[key] {
				t.Errorf("message %d: order %s twice", i, key)
			}
			orders[key] = true
		}
	}
	if got != counts {
		t.Errorf("parsed kinds = %+v, want %+v", got, counts)
	}
}
