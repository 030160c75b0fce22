package accountsbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// recordingSink keeps what reaches it, and fails at row failAt of sheet failIn.
type recordingSink struct {
	log            []string
	rows           int
	failIn         string
	failAt         int
	sheet          string
	sheetRows      int
	lastOrderIDCol string
}

var errSink = errors.New("disk full")

func (s *recordingSink) begin(sh *sheet) error {
	s.sheet, s.sheetRows = sh.name, 0
	s.log = append(s.log, "begin "+sh.name)
	return nil
}

func (s *recordingSink) row(vals []value, currency string) error {
	s.sheetRows++
	s.rows++
	if s.sheet == s.failIn && s.sheetRows == s.failAt {
		return errSink
	}
	if s.sheet == "Sales" {
		s.lastOrderIDCol = vals[3].s
	}
	return nil
}

func (s *recordingSink) end(rows int) error {
	s.log = append(s.log, fmt.Sprintf("end %s %d/%d", s.sheet, rows, s.sheetRows))
	return nil
}

func manySales(n int) []data.SaleLine {
	out := make([]data.SaleLine, n)
	for i := range out {
		out[i] = data.SaleLine{OrderRef: int64(i), Placed: utc("2026-10-02T10:00:00Z"), Channel: "etsy", OrderID: fmt.Sprint(i),
			LineNo: 1, Quantity: 1, UnitPrice: 100, Total: 100, Currency: "GBP"}
	}
	return out
}

// countingSource counts the sales rows it handed out.
type countingSource struct {
	*fakeSource
	handed int
}

func (c *countingSource) AccountsSales(ctx context.Context, p data.AccountsPeriod, fn func(data.SaleLine) error) error {
	return c.fakeSource.AccountsSales(ctx, p, func(l data.SaleLine) error {
		c.handed++
		return fn(l)
	})
}

func TestPipe_DeliversInOrder(t *testing.T) {
	src, opt := fixture(t)
	src.sales = manySales(1000)
	out := &recordingSink{}
	b := newBook(opt)
	p := startPipe(out)
	if err := p.finish(b.writeDetails(context.Background(), src, p)); err != nil {
		t.Fatal(err)
	}
	want := []string{"begin Sales", "end Sales 1000/1000", "begin Refunds and returns", "end Refunds and returns 3/3",
		"begin Cost of goods sold", "end Cost of goods sold 7/7", "begin Stock valuation at 2026-10-31", "end Stock valuation at 2026-10-31 3/3",
		"begin Purchases", "end Purchases 2/2"}
	if strings.Join(out.log, "\n") != strings.Join(want, "\n") {
		t.Errorf("the sink saw\n%s\nwant\n%s", strings.Join(out.log, "\n"), strings.Join(want, "\n"))
	}
	if out.lastOrderIDCol != "999" {
		t.Errorf("the last sales row written was order %q, want 999", out.lastOrderIDCol)
	}
}

// TestPipe_WriterFails: when writing fails, the export returns the writer's error naming the sheet,
// and the reading stops soon after instead of reading the rest of the period.
func TestPipe_WriterFails(t *testing.T) {
	fs, opt := fixture(t)
	fs.sales = manySales(100_000)
	src := &countingSource{fakeSource: fs}
	out := &recordingSink{failIn: "Sales", failAt: 300}
	b := newBook(opt)
	p := startPipe(out)
	err := p.finish(b.writeDetails(context.Background(), src, p))
	if !errors.Is(err, errSink) || !strings.Contains(err.Error(), "write sheet Sales") {
		t.Fatalf("error = %v, want the sink's, naming the sheet", err)
	}
	if limit := 300 + (pipeBatches+2)*pipeBatchRows; src.handed > limit {
		t.Errorf("the source handed out %d rows after the writer failed at row 300, want at most %d", src.handed, limit)
	}
	if len(out.log) != 1 {
		t.Errorf("the sink saw %q after failing, want nothing more", out.log)
	}
}
