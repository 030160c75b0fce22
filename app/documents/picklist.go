package documents

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/backroom-app/backroom/data"
)

// Page geometry of lists (pick list, packing slips), in mm.
const (
	listMargin    = 12.0
	listTop       = 12.0
	listFooter    = 14.0 // space kept free at the bottom for the page number
	rowPad        = 1.6  // space above and below a row's text
	checkboxSide  = 5.0
	tableHeadText = 8.0 // pt
)

// pickColumns is where each column of the pick list sits on the page.
type pickColumns struct {
	check, bin, sku, item, qty, orders column
}

type column struct{ x, w float64 }

func (c column) end() float64 { return c.x + c.w }

func newPickColumns(pageW float64) pickColumns {
	x := listMargin
	next := func(w float64) column {
		c := column{x, w}
		x += w
		return c
	}
	fixed := 8.0 + 28 + 34 + 16 + 34
	var c pickColumns
	c.check = next(8)
	c.bin = next(28)
	c.sku = next(34)
	c.item = next(pageW - 2*listMargin - fixed) // the name takes whatever the paper gives
	c.qty = next(16)
	c.orders = next(34)
	return c
}

// pickPage draws the pick list page by page: the header on every page, rows until the page is full.
type pickPage struct {
	pdf    *fpdf.Fpdf
	cols   pickColumns
	pageW  float64
	pageH  float64
	y      float64
	shop   string
	at     time.Time
	orders int
	units  int64
	lines  int
}

// PickList writes the pick list for a batch of orders as PDF: what to take from which bin, in the order
// the shelves are walked, with a box per row to tick. items come from data.Store.PickList and keep its
// order; orders are the batch, counted in the title and listed at the end so the picker can check the
// batch is whole. Lines that matched no SKU come after every shelf, set apart in red, because they must
// be found by their listing name. Every page repeats the title and column heads and says "Page 2 of 3".
func PickList(w io.Writer, shop string, items []data.PickItem, orders []data.Order, at time.Time, paper Paper) error {
	pdf := newPDF(paper.fpdfSize(), 0, 0, "Pick list · "+shop, at)
	pageW, pageH := pdf.GetPageSize()
	p := &pickPage{pdf: pdf, cols: newPickColumns(pageW), pageW: pageW, pageH: pageH, shop: shop, at: at, orders: len(orders)}
	var matched, unmatched []data.PickItem
	for _, it := range items {
		p.units += it.Quantity
		if it.Unmatched {
			unmatched = append(unmatched, it)
		} else {
			matched = append(matched, it)
		}
	}
	p.lines = len(items)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(p.footer)
	p.newPage()
	if len(items) == 0 {
		setFont(pdf, false, 11)
		textColor(pdf, muted)
		text(pdf, listMargin, p.y+4, pageW-2*listMargin, "Nothing to pick: the chosen orders have no lines.", "L")
		p.y += 12
	}

	location := ""
	for i, it := range matched {
		if i == 0 || !strings.EqualFold(it.Location, location) {
			location = it.Location
			name := it.Location
			if name == "" {
				name = "No location"
			}
			p.band(name, band, ink)
		}
		p.row(it, i%2 == 1)
	}
	if len(unmatched) > 0 {
		p.y += 3
		p.band("Not matched to a SKU: pick these by their listing name", alertBand, alertInk)
		for i, it := range unmatched {
			p.row(it, i%2 == 1)
		}
	}
	if len(orders) > 0 {
		p.orderList(orders)
	}
	return finish(pdf, w, "pick list")
}

// newPage starts a page with the title block and the column heads.
func (p *pickPage) newPage() {
	pdf := p.pdf
	pdf.AddPage()
	x, w := listMargin, p.pageW-2*listMargin
	y := listTop
	setFont(pdf, true, 10)
	textColor(pdf, muted)
	text(pdf, x, y, w*0.6, p.shop, "L")
	setFont(pdf, false, 9)
	text(pdf, x+w*0.6, y, w*0.4, p.at.Format("Mon 2 Jan 2006, 15:04"), "R")
	y += lineHeight(10)
	setFont(pdf, true, 20)
	textColor(pdf, ink)
	title := "Pick list"
	if pdf.PageNo() > 1 {
		title += " (continued)"
	}
	text(pdf, x, y, w*0.5, title, "L")
	setFont(pdf, false, 11)
	summary := fmt.Sprintf("%s · %s · %s", plural(int64(p.orders), "order", "orders"), plural(p.units, "unit", "units"),
		plural(int64(p.lines), "line", "lines"))
	text(pdf, x+w*0.5, y+lineHeight(20)-lineHeight(11)-0.6, w*0.5, summary, "R")
	y += lineHeight(20) + 2
	hline(pdf, x, x+w, y, ink, 0.5)
	y += 1.5

	setFont(pdf, true, tableHeadText)
	textColor(pdf, muted)
	c := p.cols
	text(pdf, c.bin.x, y, c.bin.w, "BIN", "L")
	text(pdf, c.sku.x, y, c.sku.w, "SKU", "L")
	text(pdf, c.item.x, y, c.item.w, "ITEM", "L")
	text(pdf, c.qty.x, y, c.qty.w-2, "QTY", "R")
	text(pdf, c.orders.x+1, y, c.orders.w-1, "ORDERS", "L")
	y += lineHeight(tableHeadText) + 0.5
	hline(pdf, x, x+w, y, rule, 0.25)
	p.y = y
}

// footer prints the page number, with the shop and date so a loose page finds its batch.
func (p *pickPage) footer() {
	pdf := p.pdf
	y := p.pageH - listFooter + 5
	hline(pdf, listMargin, p.pageW-listMargin, y-1.5, rule, 0.25)
	setFont(pdf, false, 8)
	textColor(pdf, muted)
	w := p.pageW - 2*listMargin
	text(pdf, listMargin, y, w*0.7, "Pick list · "+p.shop+" · "+p.at.Format("2 Jan 2006 15:04"), "L")
	text(pdf, listMargin+w*0.7, y, w*0.3, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "R")
}

// room makes sure h mm fit above the footer, starting a new page if not.
func (p *pickPage) room(h float64) {
	if p.y+h > p.pageH-listFooter {
		p.newPage()
	}
}

// band is a full-width heading strip: a location, or the unmatched lines.
func (p *pickPage) band(label string, fill, fg rgb) {
	const h = 7.0
	p.room(h + 14) // never a heading alone at the foot of a page
	pdf := p.pdf
	fillColor(pdf, fill)
	pdf.Rect(listMargin, p.y+1, p.pageW-2*listMargin, h-1, "F")
	setFont(pdf, true, 10)
	textColor(pdf, fg)
	text(pdf, listMargin+2, p.y+1+(h-1-lineHeight(10))/2, p.pageW-2*listMargin-4, label, "L")
	p.y += h
}

// row draws one item: tick box, bin (and location), SKU, name, quantity in large type, order numbers.
func (p *pickPage) row(it data.PickItem, shaded bool) {
	pdf := p.pdf
	c := p.cols
	const nameSize, noteSize, orderSize, binSize, skuSize, qtySize = 10.5, 7.5, 8.5, 12, 9, 18

	setFont(pdf, false, nameSize)
	nameLines := wrap(pdf, it.Name, c.item.w-3, 3)
	var notes []string
	setFont(pdf, false, noteSize)
	if len(it.Kits) > 0 {
		notes = wrap(pdf, "for kit "+strings.Join(it.Kits, ", "), c.item.w-3, 2)
	}
	setFont(pdf, false, orderSize)
	orderLines := wrap(pdf, strings.Join(it.Orders, ", "), c.orders.w-2, 0)
	binText, binNote, skuText := it.Bin, "", it.SKU
	if it.Unmatched {
		binText, skuText = channelName(it.Channel), it.ChannelSKU
		if skuText == "" {
			skuText = "(no SKU)"
		}
	} else if binText == "" {
		binText, binNote = "—", "no bin"
	}
	binLines, binFont := codeLines(pdf, binText, c.bin.w-2, true, binSize, 9)
	skuLines, skuFont := codeLines(pdf, skuText, c.sku.w-3, false, skuSize, 7.5)

	h := max(
		float64(len(nameLines))*lineHeight(nameSize)+float64(len(notes))*lineHeight(noteSize),
		float64(len(orderLines))*lineHeight(orderSize),
		float64(len(binLines))*lineHeight(binFont)+boolMM(binNote != "", lineHeight(noteSize)),
		float64(len(skuLines))*lineHeight(skuFont)+(lineHeight(binSize)-lineHeight(skuSize))/2,
		lineHeight(qtySize),
		checkboxSide,
	) + 2*rowPad
	p.room(h)
	y := p.y
	if shaded {
		fillColor(pdf, stripe)
		pdf.Rect(listMargin, y, p.pageW-2*listMargin, h, "F")
	}
	checkbox(pdf, c.check.x+0.5, y+rowPad+0.6, checkboxSide)

	textColor(pdf, ink)
	if it.Unmatched {
		textColor(pdf, alertInk)
	}
	setFont(pdf, true, binFont)
	ty := y + rowPad
	for _, l := range binLines {
		text(pdf, c.bin.x, ty, c.bin.w-2, l, "L")
		ty += lineHeight(binFont)
	}
	if binNote != "" {
		setFont(pdf, false, noteSize)
		textColor(pdf, muted)
		text(pdf, c.bin.x, ty, c.bin.w-2, binNote, "L")
	}

	setFont(pdf, false, skuFont)
	textColor(pdf, ink)
	ty = y + rowPad + (lineHeight(binSize)-lineHeight(skuSize))/2
	for _, l := range skuLines {
		text(pdf, c.sku.x, ty, c.sku.w-3, l, "L")
		ty += lineHeight(skuFont)
	}

	setFont(pdf, false, nameSize)
	ty = y + rowPad
	for _, l := range nameLines {
		text(pdf, c.item.x, ty, c.item.w-3, l, "L")
		ty += lineHeight(nameSize)
	}
	setFont(pdf, false, noteSize)
	textColor(pdf, muted)
	for _, l := range notes {
		text(pdf, c.item.x, ty, c.item.w-3, l, "L")
		ty += lineHeight(noteSize)
	}

	setFont(pdf, true, qtySize)
	textColor(pdf, ink)
	text(pdf, c.qty.x, y+rowPad-0.3, c.qty.w-2, fmt.Sprint(it.Quantity), "R")

	setFont(pdf, false, orderSize)
	ty = y + rowPad + 0.5
	for _, l := range orderLines {
		text(pdf, c.orders.x+1, ty, c.orders.w-1, l, "L")
		ty += lineHeight(orderSize)
	}
	hline(pdf, listMargin, p.pageW-listMargin, y+h, rule, 0.15)
	p.y = y + h
}

// orderList closes the pick list with the batch's orders, so the picker can see none is missing.
func (p *pickPage) orderList(orders []data.Order) {
	pdf := p.pdf
	p.y += 4
	p.band(fmt.Sprintf("Orders in this batch (%d)", len(orders)), band, ink)
	sorted := append([]data.Order(nil), orders...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Channel != sorted[j].Channel {
			return sorted[i].Channel < sorted[j].Channel
		}
		return sorted[i].ExternalID < sorted[j].ExternalID
	})
	// Three orders a line: number and channel in the first two thirds, the customer after.
	const perLine, size = 3, 8.5
	colW := (p.pageW - 2*listMargin) / perLine
	h := lineHeight(size) + 1.2
	for i, o := range sorted {
		if i%perLine == 0 {
			p.room(h)
			if i > 0 {
				p.y += h
			}
		}
		x := listMargin + float64(i%perLine)*colW
		setFont(pdf, true, size)
		textColor(pdf, ink)
		number := o.ExternalID
		nw := min(pdf.GetStringWidth(number)+2, colW*0.6)
		text(pdf, x+1, p.y+0.6, nw, number, "L")
		setFont(pdf, false, size)
		textColor(pdf, muted)
		who := channelName(o.Channel)
		if o.CustomerName != "" {
			who += " · " + o.CustomerName
		}
		text(pdf, x+1+nw, p.y+0.6, colW-nw-3, who, "L")
	}
	p.y += h
}

// channelName writes a channel as people say it: "etsy" becomes "Etsy".
func channelName(ch string) string {
	switch strings.ToLower(ch) {
	case "":
		return ""
	case "ebay":
		return "eBay"
	case "woocommerce":
		return "WooCommerce"
	}
	return strings.ToUpper(ch[:1]) + ch[1:]
}

func boolMM(b bool, mm float64) float64 {
	if b {
		return mm
	}
	return 0
}
