package importers

import (
	"iter"
	"regexp"
	"strconv"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// tiktokFormats lists the layouts this file reads.
func tiktokFormats() []*Format {
	return []*Format{{
		// Seller Center › Orders › Export ("All order-<date>.csv", "To ship order-<date>.csv"). The address
		// columns differ by region, so none of them identifies the layout.
		ID: "tiktok-orders", Name: "TikTok Shop orders", Channel: "tiktok", Kind: KindOrders,
		required: []string{"Order ID", "Order Status", "SKU ID", "Seller SKU", "Product Name", "Quantity", "SKU Unit Original Price", "Order Amount", "Created Time"},
		parse:    parseTikTokOrders,
	}}
}

// tiktokDateColumns are the columns holding times; all of them decide the file's date order.
var tiktokDateColumns = []string{"Created Time", "Paid Time", "RTS Time", "Shipped Time", "Delivered Time", "Cancelled Time"}

// tiktokSlashDate is a date as TikTok writes it, day and month in the order of the shop's region.
var tiktokSlashDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/\d{4}(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*([AaPp][Mm])?$`)

// tiktokDates is how one file writes its times.
type tiktokDates struct {
	layouts []string
	// ambiguous is set when nothing in the file tells day/month from month/day; it holds a date to show.
	ambiguous string
}

var (
	tiktokDayFirst   = []string{"2/1/2006 15:04:05", "2/1/2006 15:04"}
	tiktokMonthFirst = []string{"1/2/2006 15:04:05", "1/2/2006 15:04"}
	tiktokUS         = []string{"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM"}
)

// tiktokDateOrder decides, for the whole file, whether 05/03/2026 is the 5th of March (MY, TH, VN and
// most regions) or the 3rd of May (US). A time with AM/PM is the US export; a first number above 12 can
// only be a day, a second one only a day too. When nothing tells, the file is read day first, the way
// every region but the US writes, and the owner is warned.
func tiktokDateOrder(h *header, rows []Row) tiktokDates {
	var dayFirst, monthFirst, clock bool
	sample := ""
	for _, row := range rows {
		for _, name := range tiktokDateColumns {
			m := tiktokSlashDate.FindStringSubmatch(strings.TrimSpace(row.Cell(h.col(name))))
			if m == nil {
				continue
			}
			if sample == "" {
				sample = m[0]
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			dayFirst = dayFirst || a > 12
			monthFirst = monthFirst || b > 12
			clock = clock || m[5] != ""
		}
	}
	switch {
	case clock:
		return tiktokDates{layouts: tiktokUS}
	case monthFirst && !dayFirst:
		return tiktokDates{layouts: tiktokMonthFirst}
	case dayFirst:
		return tiktokDates{layouts: tiktokDayFirst}
	}
	return tiktokDates{layouts: tiktokDayFirst, ambiguous: sample}
}

func parseTikTokOrders(p *parser) iter.Seq[data.ImportItem] {
	return func(yield func(data.ImportItem) bool) {
		// The date order is a property of the file, so the whole file is read before the first order; an
		// export holds at most some thousands of rows.
		var rows []Row
		for row := range p.rows() {
			rows = append(rows, row)
		}
		dates := tiktokDateOrder(p.h, rows)
		idCol := p.h.col("Order ID")
		first := true
		for len(rows) > 0 {
			key := strings.TrimSpace(rows[0].Cell(idCol))
			n := 1
			for n < len(rows) && key != "" && strings.TrimSpace(rows[n].Cell(idCol)) == key {
				n++
			}
			it := tiktokOrder(p, dates, idCol, rows[:n])
			it.FirstRow, it.LastRow = rows[0].Num, rows[n-1].Num
			if first && dates.ambiguous != "" {
				it.Problems = append(it.Problems, data.Problem{Column: "Created Time", Value: dates.ambiguous, Warning: true,
					Reason: "no date in the file shows whether it is day/month or month/day (none has a day above 12 or AM/PM), " +
						"so all were read as day/month (DD/MM/YYYY), as TikTok writes them outside the US; if the shop is in the US, check the order dates"})
			}
			first = false
			if !yield(it) {
				return
			}
			rows = rows[n:]
		}
	}
}

// tiktokOrder builds one order from its SKU rows. TikTok repeats the order's amounts (Order Amount,
// shipping, taxes, refund) on every row of the order, so they are read once from its first row; the
// SKU amounts belong to their rows and are summed.
func tiktokOrder(p *parser, dates tiktokDates, idCol int, rows []Row) data.ImportItem {
	r := p.reader(rows[0])
	id := r.id("Order ID")
	if id == "" {
		if !r.failed() {
			r.errorf(idCol, "", "the order id is empty")
		}
		return data.ImportItem{Problems: r.problems}
	}
	if lostDigits(id) && !strings.HasSuffix(rows[0].Cell(idCol), "\t") {
		// TikTok guards its 18-digit ids with a trailing tab; without it, and with zeros after the 15th
		// digit, the id has most likely been through Excel, which keeps 15 digits.
		r.warnf(idCol, id, "ends in zeros after its 15th digit and lacks the tab TikTok puts after ids; a spreadsheet program may have cut it to 15 digits. "+
			"Compare it with the order in TikTok Seller Center")
	}

	o := data.Order{Channel: "tiktok", ExternalID: id, Currency: tiktokCurrency(p, rows[0])}
	loc := p.location()
	o.PlacedAt = r.requiredDate(loc, dates.layouts, "Created Time")
	o.PaidAt = r.date(loc, dates.layouts, "Paid Time")
	o.ShippedAt = r.date(loc, dates.layouts, "Shipped Time")
	o.DeliveredAt = r.date(loc, dates.layouts, "Delivered Time")
	cancelledAt := r.date(loc, dates.layouts, "Cancelled Time")

	status, substatus := r.text("Order Status"), r.text("Order Substatus")
	var known bool
	o.Status, known = tiktokStatus(status)
	if !known {
		o.Status, known = tiktokStatus(substatus)
	}
	if !known {
		// What happened to the order is still told by its times.
		o.Status = data.StatusPaid
		switch {
		case !cancelledAt.IsZero():
			o.Status = data.StatusCancelled
		case !o.DeliveredAt.IsZero():
			o.Status = data.StatusDelivered
		case !o.ShippedAt.IsZero():
			o.Status = data.StatusShipped
		case o.PaidAt.IsZero():
			o.Status = data.StatusNew
		}
		r.warnf(p.h.col("Order Status"), status, "is not an order status Backroom knows; the order was read as %s from its times", o.Status)
	}

	// Recipient names and phones are masked by TikTok (J******* e********); they are kept as given.
	o.CustomerName = r.text("Recipient")
	if o.CustomerName == "" {
		o.CustomerName = r.text("Buyer Username")
	}
	o.CustomerEmail = r.text("Buyer Email", "Email")
	country := r.text("Country")
	city, district := r.text("City"), r.text("District", "Districts")
	if city == "" {
		// Vietnam's export has no City: its District is the town level, Province the region.
		city, district = district, ""
	}
	o.ShipTo = data.Address{
		Name:  r.text("Recipient"),
		Line1: r.text("Detail Address", "Address Line 1", "Street Address"),
		Line2: joinFilled(", ", r.text("Address Line 2"), r.text("Additional address information"), r.text("Commune", "Villages"), district),
		City:  city, Region: r.text("State", "Province", "Region"),
		Postcode: r.postcode(country, "Zipcode", "Zip Code", "Postcode", "Postal Code"), Country: country,
	}

	cur := o.Currency
	o.Total = r.money(cur, "Order Amount")
	o.Shipping = r.money(cur, "Shipping Fee After Discount")
	o.Tax = r.money(cur, "Taxes")
	if refund := r.money(cur, "Order Refund Amount"); refund != 0 {
		r.warnf(p.h.col("Order Refund Amount"), r.text("Order Refund Amount"), "the buyer was refunded %s; the order keeps the total that was charged",
			data.FormatMoney(refund, cur))
	}
	problems := r.problems

	totalCol := p.h.col("Order Amount")
	for i, row := range rows {
		lr := p.reader(row)
		if i > 0 {
			if v, _, err := parseAmount(row.Cell(totalCol), cur, p.decimalComma); err == nil && v != o.Total && strings.TrimSpace(row.Cell(totalCol)) != "" {
				lr.warnf(totalCol, row.Cell(totalCol), "this row of order %s has a different Order Amount than its first row; the first row's %s is taken as the order's total",
					id, data.FormatMoney(o.Total, cur))
			}
		}
		l := data.OrderLine{
			SKU:       lr.text("Seller SKU"),
			Name:      joinFilled(" - ", lr.text("Product Name"), lr.text("Variation")),
			Quantity:  lr.quantity("Quantity"),
			UnitPrice: lr.money(cur, "SKU Unit Original Price"),
		}
		if l.SKU == "" {
			// Without a seller SKU, TikTok's own SKU ID is what an alias can match.
			l.ChannelSKU = lr.id("SKU ID")
		}
		if l.Quantity < 1 && !lr.failed() {
			lr.errorf(p.h.col("Quantity"), lr.text("Quantity"), "the quantity must be at least 1")
		}
		if l.SKU == "" && l.ChannelSKU == "" && l.Name == "" {
			lr.errorf(p.h.col("Seller SKU"), "", "the item has neither a SKU nor a product name")
		}
		before := lr.money(cur, "SKU Subtotal Before Discount")
		if p.h.col("SKU Subtotal Before Discount") < 0 || strings.TrimSpace(lr.text("SKU Subtotal Before Discount")) == "" {
			before = l.UnitPrice * l.Quantity
		}
		o.Subtotal += before
		o.Discount += absAmount(lr.money(cur, "SKU Platform Discount")) + absAmount(lr.money(cur, "SKU Seller Discount"))
		problems = append(problems, lr.problems...)
		o.Lines = append(o.Lines, l)
	}
	return data.ImportItem{Order: &o, Problems: problems}
}

// tiktokCurrency is the order's currency. TikTok's export has no currency column and writes plain
// amounts, so it is the shop's, unless an amount carries a symbol or code that says otherwise.
func tiktokCurrency(p *parser, row Row) string {
	for _, name := range []string{"Order Amount", "SKU Unit Original Price", "SKU Subtotal After Discount"} {
		raw := row.Cell(p.h.col(name))
		if strings.TrimSpace(raw) == "" {
			continue
		}
		// The shop's currency is passed so a bare $ is read as the shop's own dollar.
		if _, stated, err := parseAmount(raw, p.currency(), p.decimalComma); err == nil && stated != "" {
			return stated
		}
	}
	return p.currency()
}

// tiktokStatuses maps TikTok's status and substatus values, in the languages of the exports seen, to
// ours. Keys are lower case with _ and - read as spaces, so the API's AWAITING_SHIPMENT matches too.
var tiktokStatuses = map[string]data.Status{
	// English
	"unpaid": data.StatusNew, "on hold": data.StatusPaid, "to ship": data.StatusPaid, "awaiting shipment": data.StatusPaid,
	"awaiting collection": data.StatusPaid, "ready to ship": data.StatusPaid, "partially shipping": data.StatusPaid,
	"shipped": data.StatusShipped, "in transit": data.StatusShipped, "delivered": data.StatusDelivered,
	"completed": data.StatusDelivered, "cancelled": data.StatusCancelled, "canceled": data.StatusCancelled,
	// Thai
	"ยังไม่ชำระเงิน": data.StatusNew, "ที่จะจัดส่ง": data.StatusPaid, "รอจัดส่ง": data.StatusPaid, "จัดส่งแล้ว": data.StatusShipped,
	"กำลังจัดส่ง": data.StatusShipped, "จัดส่งสำเร็จ": data.StatusDelivered, "สำเร็จแล้ว": data.StatusDelivered, "เสร็จสมบูรณ์": data.StatusDelivered,
	"ยกเลิกแล้ว": data.StatusCancelled, "ยกเลิก": data.StatusCancelled,
	// Vietnamese
	"chưa thanh toán": data.StatusNew, "chờ giao hàng": data.StatusPaid, "chờ lấy hàng": data.StatusPaid, "đang giao": data.StatusShipped,
	"đang vận chuyển": data.StatusShipped, "đã vận chuyển": data.StatusShipped, "đã giao": data.StatusDelivered, "đã giao hàng": data.StatusDelivered,
	"hoàn thành": data.StatusDelivered, "đã hoàn thành": data.StatusDelivered, "đã hủy": data.StatusCancelled,
	// Malay and Indonesian
	"belum dibayar": data.StatusNew, "untuk dihantar": data.StatusPaid, "perlu dikirim": data.StatusPaid, "dihantar": data.StatusShipped,
	"dikirim": data.StatusShipped, "selesai": data.StatusDelivered, "dibatalkan": data.StatusCancelled,
	// Spanish
	"no pagado": data.StatusNew, "por enviar": data.StatusPaid, "enviado": data.StatusShipped, "entregado": data.StatusDelivered,
	"completado": data.StatusDelivered, "cancelado": data.StatusCancelled,
}

// tiktokStatus maps a status value; known is false for one not in tiktokStatuses.
func tiktokStatus(s string) (status data.Status, known bool) {
	key := strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(s))), " ")
	status, known = tiktokStatuses[key]
	return status, known
}
