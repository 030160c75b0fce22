package documents

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// poColumns is where each column of a purchase order's lines sits.
type poColumns struct{ no, sku, supplierSKU, item, qty, unit, total column }

func newPOColumns(x, w float64, costs bool) poColumns {
	next := func(cw float64) column {
		c := column{x, cw}
		x += cw
		return c
	}
	var c poColumns
	money := 0.0
	if costs {
		money = 26 + 28
	}
	c.no = next(8)
	c.sku = next(32)
	c.supplierSKU = next(30)
	c.item = next(w - 8 - 32 - 30 - 16 - money) // the name takes whatever the paper gives
	c.qty = next(16)
	if costs {
		c.unit = next(26)
		c.total = next(28)
	}
	return c
}

// PurchaseOrderPDF writes a purchase order as the supplier receives it: who orders, the order's number
// to quote back, when it was sent and when it is expected, where to deliver, and every line with our SKU,
// the supplier's SKU, the quantity and, unless the acting user may not see costs, the agreed unit cost
// and totals. A long order goes on over more pages, each with the number and a page count.
func PurchaseOrderPDF(w io.Writer, shop ShopInfo, sp data.Supplier, po data.PurchaseOrder) error {
	if len(po.Lines) == 0 {
		return fmt.Errorf("make purchase order %s: it has no lines", po.Number)
	}
	pdf := newPDF(shop.Paper.fpdfSize(), 0, 0, "Purchase order "+po.Number+" · "+shop.Name, po.CreatedAt)
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
	pageW, pageH := pdf.GetPageSize()
	x, width := listMargin+3, pageW-2*listMargin-6
	costs := !po.CostsHidden
	cols := newPOColumns(x, width, costs)
	bottom := pageH - listFooter - 4

	y := poFirstPageHead(pdf, shop, hasLogo, sp, po, x, width)
	y = poTableHead(pdf, cols, costs, x, width, y)
	for i, l := range po.Lines {
		setFont(pdf, false, 9.5)
		name := wrap(pdf, l.Name, cols.item.w-2, 2)
		if len(name) == 0 {
			name = []string{""}
		}
		rowH := float64(len(name))*lineHeight(9.5) + 2*rowPad
		if y+rowH > bottom {
			pdf.AddPage()
			y = listTop + 3
			setFont(pdf, true, 10)
			textColor(pdf, ink)
			text(pdf, x, y, width, shop.Name+" · purchase order "+po.Number+" (continued)", "L")
			y = poTableHead(pdf, cols, costs, x, width, y+lineHeight(10)+3)
		}
		if i%2 == 1 {
			fillColor(pdf, stripe)
			pdf.Rect(x, y, width, rowH, "F")
		}
		ty := y + rowPad
		textColor(pdf, muted)
		setFont(pdf, false, 9)
		text(pdf, cols.no.x, ty, cols.no.w-1, fmt.Sprint(l.LineNo), "L")
		textColor(pdf, ink)
		setFont(pdf, true, 9.5)
		text(pdf, cols.sku.x, ty, cols.sku.w-2, l.SKU, "L")
		setFont(pdf, false, 9.5)
		text(pdf, cols.supplierSKU.x, ty, cols.supplierSKU.w-2, l.SupplierSKU, "L")
		for j, n := range name {
			text(pdf, cols.item.x, ty+float64(j)*lineHeight(9.5), cols.item.w-2, n, "L")
		}
		setFont(pdf, true, 9.5)
		text(pdf, cols.qty.x, ty, cols.qty.w, fmt.Sprint(l.Quantity), "R")
		if costs {
			setFont(pdf, false, 9.5)
			text(pdf, cols.unit.x, ty, cols.unit.w, data.FormatMoney(l.UnitCost, po.Currency), "R")
			text(pdf, cols.total.x, ty, cols.total.w, data.FormatMoney(l.UnitCost*l.Quantity, po.Currency), "R")
		}
		y += rowH
		hline(pdf, x, x+width, y, rule, 0.15)
	}

	// Totals and notes stay together: move to a new page rather than split them.
	var units int64
	for _, l := range po.Lines {
		units += l.Quantity
	}
	setFont(pdf, false, 9.5)
	notes := wrap(pdf, po.Notes, width, 0)
	need := 14 + float64(len(notes))*lineHeight(9.5) + 20
	if y+need > bottom {
		pdf.AddPage()
		y = listTop + 3
	}
	y += 3
	setFont(pdf, false, 10)
	textColor(pdf, muted)
	text(pdf, x, y+1, width/2, plural(int64(len(po.Lines)), "line", "lines")+", "+plural(units, "unit", "units"), "L")
	if costs {
		setFont(pdf, true, 12)
		textColor(pdf, ink)
		text(pdf, x+width/2, y, width/2, "Total "+data.FormatMoney(po.Total, po.Currency), "R")
	}
	y += lineHeight(12) + 4
	if len(notes) > 0 {
		setFont(pdf, true, 8)
		textColor(pdf, muted)
		text(pdf, x, y, width, "NOTES", "L")
		y += lineHeight(8) + 0.5
		setFont(pdf, false, 9.5)
		textColor(pdf, ink)
		for _, n := range notes {
			text(pdf, x, y, width, n, "L")
			y += lineHeight(9.5)
		}
		y += 3
	}
	setFont(pdf, false, 9.5)
	textColor(pdf, ink)
	text(pdf, x, y, width, "Please quote "+po.Number+" on your delivery note and invoice.", "L")

	pages := pdf.PageCount()
	for p := 1; p <= pages; p++ {
		pdf.SetPage(p)
		setFont(pdf, false, 8)
		textColor(pdf, muted)
		text(pdf, x, pageH-listFooter+2, width, fmt.Sprintf("%s · %s · page %d of %d", shop.Name, po.Number, p, pages), "C")
	}
	return finish(pdf, w, "purchase order "+po.Number)
}

// poFirstPageHead draws the shop, the order's number and dates, the supplier and the delivery address,
// and returns where the lines start.
func poFirstPageHead(pdf *fpdf.Fpdf, shop ShopInfo, hasLogo bool, sp data.Supplier, po data.PurchaseOrder, x, width float64) float64 {
	pdf.AddPage()
	y := listTop + 3
	const logoSide = 18.0
	nameX := x
	if hasLogo {
		pdf.ImageOptions("logo", x, y, logoSide, logoSide, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		nameX += logoSide + 4
	}
	const numberW = 70.0
	nameW := x + width - numberW - 6 - nameX
	setFont(pdf, true, 18)
	textColor(pdf, ink)
	text(pdf, nameX, y+1, nameW, shop.Name, "L")
	setFont(pdf, false, 11)
	textColor(pdf, muted)
	text(pdf, nameX, y+1+lineHeight(18), nameW, "Purchase order", "L")

	nx := x + width - numberW
	setFont(pdf, true, 16)
	textColor(pdf, ink)
	text(pdf, nx, y+1, numberW, po.Number, "R")
	setFont(pdf, false, 9.5)
	ty := y + 1 + lineHeight(16) + 1
	dated := po.CreatedAt
	if po.SentAt != nil {
		dated = *po.SentAt
	}
	for _, l := range [][2]string{{"Date", formatDay(dated)}, {"Delivery by", dayOrDash(po.ExpectedAt)}, {"Currency", po.Currency}} {
		textColor(pdf, muted)
		text(pdf, nx, ty, numberW-30, l[0], "R")
		textColor(pdf, ink)
		text(pdf, nx+numberW-28, ty, 28, l[1], "R")
		ty += lineHeight(9.5)
	}
	if po.Status == data.POStatusDraft {
		setFont(pdf, true, 9)
		textColor(pdf, alertInk)
		text(pdf, nx, ty, numberW, "DRAFT – not yet sent", "R")
		ty += lineHeight(9)
	}
	y = max(y+logoSide, ty) + 5
	hline(pdf, x, x+width, y, ink, 0.5)
	y += 5

	block := func(bx, bw float64, title string, lines []string) float64 {
		by := y
		setFont(pdf, true, 8)
		textColor(pdf, muted)
		text(pdf, bx, by, bw, title, "L")
		by += lineHeight(8) + 0.5
		for i, l := range lines {
			if strings.TrimSpace(l) == "" {
				continue
			}
			setFont(pdf, i == 0, 11)
			textColor(pdf, ink)
			text(pdf, bx, by, bw, l, "L")
			by += lineHeight(11)
		}
		return by
	}
	left := block(x, width*0.48, "SUPPLIER", []string{sp.Name, sp.Contact, sp.Email, sp.Phone})
	deliver := []string{shop.Name}
	deliver = append(deliver, strings.Split(strings.TrimSpace(shop.Address), "\n")...)
	right := block(x+width*0.52, width*0.48, "DELIVER TO", deliver)
	return max(left, right) + 6
}

// poTableHead draws the column titles of the lines at y and returns where the first row starts.
func poTableHead(pdf *fpdf.Fpdf, c poColumns, costs bool, x, width, y float64) float64 {
	h := lineHeight(tableHeadText) + 2*rowPad
	fillColor(pdf, band)
	pdf.Rect(x, y, width, h, "F")
	setFont(pdf, true, tableHeadText)
	textColor(pdf, muted)
	ty := y + rowPad
	text(pdf, c.no.x, ty, c.no.w, "#", "L")
	text(pdf, c.sku.x, ty, c.sku.w, "OUR SKU", "L")
	text(pdf, c.supplierSKU.x, ty, c.supplierSKU.w, "YOUR SKU", "L")
	text(pdf, c.item.x, ty, c.item.w, "ITEM", "L")
	text(pdf, c.qty.x, ty, c.qty.w, "QTY", "R")
	if costs {
		text(pdf, c.unit.x, ty, c.unit.w, "UNIT COST", "R")
		text(pdf, c.total.x, ty, c.total.w, "LINE TOTAL", "R")
	}
	return y + h
}

func dayOrDash(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return formatDay(*t)
}

// PurchaseOrderXLSX writes a purchase order as a workbook, for suppliers who key orders into their own
// system: the header facts in the first rows, then one row per line with numbers as numbers, money in the
// order's currency format, and the column titles frozen. Costs are left out when the acting user may not
// see them.
func PurchaseOrderXLSX(w io.Writer, shop ShopInfo, sp data.Supplier, po data.PurchaseOrder) error {
	if len(po.Lines) == 0 {
		return fmt.Errorf("make purchase order %s: it has no lines", po.Number)
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Purchase order"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF0F3"}},
		Border: []excelize.Border{{Type: "bottom", Color: "5F6670", Style: 1}}})
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	dateFmt := "d mmm yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	moneyFmt := xlsxMoneyFormat(po.Currency)
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	moneyBold, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}

	set := func(cell string, v any, style int) {
		if err == nil {
			err = f.SetCellValue(sheet, cell, v)
		}
		if err == nil && style != 0 {
			err = f.SetCellStyle(sheet, cell, cell, style)
		}
	}
	set("A1", "Purchase order", bold)
	set("B1", po.Number, bold)
	set("A2", "From", bold)
	set("B2", shop.Name, 0)
	set("A3", "Supplier", bold)
	set("B3", sp.Name, 0)
	set("A4", "Date", bold)
	dated := po.CreatedAt
	if po.SentAt != nil {
		dated = *po.SentAt
	}
	set("B4", dated.UTC().Truncate(24*time.Hour), date)
	set("A5", "Delivery by", bold)
	if po.ExpectedAt != nil {
		set("B5", po.ExpectedAt.UTC().Truncate(24*time.Hour), date)
	}
	set("A6", "Deliver to", bold)
	deliverTo := shop.Name
	for _, l := range strings.Split(shop.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			deliverTo += ", " + l
		}
	}
	set("B6", deliverTo, 0)
	set("A7", "Currency", bold)
	set("B7", po.Currency, 0)

	const first = 9
	titles := []string{"Line", "Our SKU", "Your SKU", "Item", "Quantity"}
	if !po.CostsHidden {
		titles = append(titles, "Unit cost", "Line total")
	}
	for i, t := range titles {
		cell, _ := excelize.CoordinatesToCellName(i+1, first)
		set(cell, t, head)
	}
	for i, l := range po.Lines {
		r := first + 1 + i
		row := []any{l.LineNo, l.SKU, l.SupplierSKU, l.Name, l.Quantity}
		if !po.CostsHidden {
			row = append(row, moneyNumber(l.UnitCost, po.Currency), moneyNumber(l.UnitCost*l.Quantity, po.Currency))
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err == nil {
			err = f.SetSheetRow(sheet, cell, &row)
		}
		if !po.CostsHidden {
			f6, _ := excelize.CoordinatesToCellName(6, r)
			f7, _ := excelize.CoordinatesToCellName(7, r)
			if err == nil {
				err = f.SetCellStyle(sheet, f6, f7, money)
			}
		}
	}
	if !po.CostsHidden {
		r := first + 1 + len(po.Lines)
		label, _ := excelize.CoordinatesToCellName(6, r)
		total, _ := excelize.CoordinatesToCellName(7, r)
		set(label, "Total", bold)
		from, _ := excelize.CoordinatesToCellName(7, first+1)
		to, _ := excelize.CoordinatesToCellName(7, r-1)
		// The value first, kept as the formula's cached result, lets readers that do not recalculate see
		// the total; the formula keeps it right when the supplier edits a quantity.
		if err == nil {
			err = f.SetCellValue(sheet, total, moneyNumber(po.Total, po.Currency))
		}
		if err == nil {
			err = f.SetCellFormula(sheet, total, "SUM("+from+":"+to+")")
		}
		if err == nil {
			err = f.SetCellStyle(sheet, total, total, moneyBold)
		}
	}
	if strings.TrimSpace(po.Notes) != "" {
		r := first + 3 + len(po.Lines)
		a, _ := excelize.CoordinatesToCellName(1, r)
		b, _ := excelize.CoordinatesToCellName(2, r)
		set(a, "Notes", bold)
		set(b, po.Notes, 0)
	}
	for col, width := range map[string]float64{"A": 13, "B": 18, "C": 16, "D": 44, "E": 10, "F": 12, "G": 13} {
		if err == nil {
			err = f.SetColWidth(sheet, col, col, width)
		}
	}
	if err == nil {
		err = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: first, TopLeftCell: fmt.Sprintf("A%d", first+1), ActivePane: "bottomLeft"})
	}
	if err != nil {
		return fmt.Errorf("make purchase order %s: %w", po.Number, err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write purchase order %s: %w", po.Number, err)
	}
	return nil
}

// xlsxMoneyFormat is a number format showing amounts in currency with its symbol where it has a common
// one, and its code otherwise, always with the currency's minor digits.
func xlsxMoneyFormat(currency string) string {
	digits := data.MinorDigits(currency)
	num := "#,##0"
	if digits > 0 {
		num += "." + strings.Repeat("0", digits)
	}
	switch currency {
	case "GBP":
		return `"£"` + num
	case "EUR":
		return `"€"` + num
	case "USD":
		return `"$"` + num
	}
	return num + ` "` + currency + `"`
}

// moneyNumber is an amount in minor units as the number a spreadsheet sums: 1250 GBP is 12.5.
func moneyNumber(amount int64, currency string) float64 {
	return float64(amount) / math.Pow10(data.MinorDigits(currency))
}
