package documents

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// ShopInfo is what a packing slip or purchase order says about the shop.
type ShopInfo struct {
	Name    string
	Address string // where suppliers deliver, one part per line; may be empty
	Logo    []byte // PNG; nil prints Backroom's icon, empty (non-nil, zero length) prints none
	Paper   Paper
}

// slipColumns is where each column of a packing slip's lines sits.
type slipColumns struct{ check, sku, item, qty column }

// PackingSlips writes one packing slip per order as PDF, for the parcel: the shop's name and logo, the
// order number as a Code 128 barcode that the pack station scans, the channel and date, where it goes,
// and the lines with SKU, name and quantity. A packing slip shows no prices: the parcel may be a gift.
// orders must carry their Lines; a line's Name is what is printed, so fill it for lines that came without
// one. An order too long for one page goes on over more, each saying which order it belongs to.
func PackingSlips(w io.Writer, shop ShopInfo, orders []data.Order) error {
	if len(orders) == 0 {
		return fmt.Errorf("make packing slips: no orders given")
	}
	pdf := newPDF(shop.Paper.fpdfSize(), 0, 0, "Packing slips · "+shop.Name, orders[0].PlacedAt)
	logo := shop.Logo
	if logo == nil {
		logo = assets.Icon().Content()
	}
	hasLogo := false
	if len(logo) > 0 {
		if err := registerPNG(pdf, "logo", logo); err != nil {
			return err
		}
		hasLogo = true
	}
	for _, o := range orders {
		if err := packingSlip(pdf, shop.Name, hasLogo, o); err != nil {
			return err
		}
	}
	return finish(pdf, w, "packing slips")
}

func packingSlip(pdf *fpdf.Fpdf, shop string, hasLogo bool, o data.Order) error {
	pageW, pageH := pdf.GetPageSize()
	x, w := listMargin+3, pageW-2*listMargin-6
	pdf.AddPage()
	y := listTop + 3

	// Shop, top left; the order's barcode, top right, where a scanner finds it first.
	const logoSide = 20.0
	nameX := x
	if hasLogo {
		pdf.ImageOptions("logo", x, y, logoSide, logoSide, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		nameX += logoSide + 4
	}
	const barcodeW = 78.0
	setFont(pdf, true, 18)
	textColor(pdf, ink)
	nameW := x + w - barcodeW - 6 - nameX
	nameLines := wrap(pdf, shop, nameW, 2)
	ty := y + 1
	if len(nameLines) == 1 {
		ty = y + 3
	}
	for _, l := range nameLines {
		text(pdf, nameX, ty, nameW, l, "L")
		ty += lineHeight(18)
	}
	setFont(pdf, false, 11)
	textColor(pdf, muted)
	text(pdf, nameX, ty, nameW, "Packing slip", "L")

	number := o.ExternalID
	bx := x + w - barcodeW
	if b, err := encode(number, Code128); err == nil {
		b.draw(pdf, bx, y, barcodeW, 14, 0.42)
	} else {
		setFont(pdf, false, 8)
		textColor(pdf, alertInk)
		text(pdf, bx, y+5, barcodeW, "(no barcode: the number has special characters)", "C")
	}
	setFont(pdf, true, 13)
	textColor(pdf, ink)
	text(pdf, bx, y+15, barcodeW, number, "C")
	y += max(logoSide, ty-y+lineHeight(11)) + 6
	hline(pdf, x, x+w, y, ink, 0.5)
	y += 5

	// Ship to on the left, the order's particulars on the right.
	top := y
	setFont(pdf, true, 8)
	textColor(pdf, muted)
	text(pdf, x, y, w/2, "SHIP TO", "L")
	y += lineHeight(8) + 0.5
	address := addressLines(o)
	for i, l := range address {
		setFont(pdf, i == 0, 12)
		textColor(pdf, ink)
		text(pdf, x, y, w*0.55, l, "L")
		y += lineHeight(12)
	}
	left := y

	dx, dw := x+w*0.6, w*0.4
	y = top
	setFont(pdf, true, 8)
	textColor(pdf, muted)
	text(pdf, dx, y, dw, "ORDER", "L")
	y += lineHeight(8) + 0.5
	var items int64
	for _, l := range o.Lines {
		items += l.Quantity * max(l.Pack, 1)
	}
	details := [][2]string{
		{"Order", number},
		{"Channel", channelName(o.Channel)},
		{"Date", formatDay(o.PlacedAt)},
		{"Items", fmt.Sprint(items)},
	}
	if !o.ShipBy.IsZero() {
		details = append(details, [2]string{"Ship by", formatDay(o.ShipBy)})
	}
	for _, d := range details {
		setFont(pdf, false, 10)
		textColor(pdf, muted)
		text(pdf, dx, y, 22, d[0], "L")
		setFont(pdf, true, 10)
		textColor(pdf, ink)
		text(pdf, dx+22, y, dw-22, d[1], "L")
		y += lineHeight(10) + 0.4
	}
	y = max(y, left) + 7

	cols := slipColumns{check: column{x, 9}, sku: column{x + 9, 42}}
	cols.qty = column{x + w - 18, 18}
	cols.item = column{cols.sku.end(), cols.qty.x - cols.sku.end()}
	head := func(y float64) float64 {
		setFont(pdf, true, tableHeadText)
		textColor(pdf, muted)
		text(pdf, cols.sku.x, y, cols.sku.w, "SKU", "L")
		text(pdf, cols.item.x, y, cols.item.w, "ITEM", "L")
		text(pdf, cols.qty.x, y, cols.qty.w, "QTY", "R")
		y += lineHeight(tableHeadText) + 0.5
		hline(pdf, x, x+w, y, ink, 0.35)
		return y
	}
	y = head(y)
	const nameSize, skuSize, qtySize = 11, 10, 14
	for i, l := range o.Lines {
		name := l.Name
		sku := l.SKU
		if sku == "" {
			sku = l.ChannelSKU
		}
		skuLines, skuFont := codeLines(pdf, sku, cols.sku.w-3, false, skuSize, 8)
		setFont(pdf, false, nameSize)
		nameLines := wrap(pdf, name, cols.item.w-3, 3)
		qty := l.Quantity * max(l.Pack, 1)
		var note string
		if l.Pack > 1 {
			note = fmt.Sprintf("%d × pack of %d", l.Quantity, l.Pack)
		}
		h := max(float64(len(nameLines))*lineHeight(nameSize)+boolMM(note != "", lineHeight(8))+0.6,
			float64(len(skuLines))*lineHeight(skuFont)+0.9, lineHeight(qtySize), checkboxSide+1) + 2*rowPad
		if y+h > pageH-listFooter-12 {
			pdf.AddPage()
			y = listTop + 3
			setFont(pdf, true, 12)
			textColor(pdf, ink)
			text(pdf, x, y, w, fmt.Sprintf("%s · order %s (continued)", shop, number), "L")
			y = head(y + lineHeight(12) + 3)
		}
		if i%2 == 1 {
			fillColor(pdf, stripe)
			pdf.Rect(x, y, w, h, "F")
		}
		checkbox(pdf, cols.check.x+1, y+rowPad+0.6, checkboxSide)
		setFont(pdf, false, skuFont)
		textColor(pdf, ink)
		for k, sl := range skuLines {
			text(pdf, cols.sku.x, y+rowPad+0.9+float64(k)*lineHeight(skuFont), cols.sku.w-3, sl, "L")
		}
		setFont(pdf, false, nameSize)
		ty := y + rowPad + 0.6
		for _, nl := range nameLines {
			text(pdf, cols.item.x, ty, cols.item.w-3, nl, "L")
			ty += lineHeight(nameSize)
		}
		if note != "" {
			setFont(pdf, false, 8)
			textColor(pdf, muted)
			text(pdf, cols.item.x, ty, cols.item.w-3, note, "L")
		}
		setFont(pdf, true, qtySize)
		textColor(pdf, ink)
		text(pdf, cols.qty.x, y+rowPad+0.2, cols.qty.w, fmt.Sprint(qty), "R")
		y += h
		hline(pdf, x, x+w, y, rule, 0.15)
	}
	y += 2
	setFont(pdf, true, 11)
	textColor(pdf, ink)
	text(pdf, x, y, w, plural(items, "item", "items")+" in this parcel", "R")

	setFont(pdf, false, 9)
	textColor(pdf, muted)
	text(pdf, x, pageH-listFooter, w, "Thank you for your order from "+shop+".", "C")
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("draw packing slip for order %s: %w", number, err)
	}
	return nil
}

// addressLines is the ship-to block: name first, then street, town and country, skipping empty parts.
// An order without an address (a pickup, a digital item) says so rather than leaving a blank box.
func addressLines(o data.Order) []string {
	a := o.ShipTo
	if a.Name == "" {
		a.Name = o.CustomerName
	}
	// "Portland, OR 97201", "London SW1A 1AA": town, region and postcode share a line, as carriers read it.
	town := strings.Join(nonEmpty(a.City, a.Region), ", ")
	town = strings.Join(nonEmpty(town, a.Postcode), " ")
	var out []string
	for _, l := range []string{a.Name, a.Line1, a.Line2, town, a.Country} {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{"(no address on the order)"}
	}
	return out
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}
