package app

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// enterOrderForm is the dialog in which the owner types in the order of an e-mail no parser read. The
// order is recorded like one from any other source: stock is reserved, and a spreadsheet that brings
// the same order later merges into it.
type enterOrderForm struct {
	sc       *mailScreen
	msg      data.MailMessage
	d        *dialog.CustomDialog
	channel  *widget.SelectEntry
	number   *widget.Entry
	placed   *widget.Entry
	customer *widget.Entry
	currency *widget.Entry
	shipping *widget.Entry
	lines    *fyne.Container
	rows     []orderLineRow
	total    *widget.Label
	message  *widget.Label
	save     *widget.Button
}

// orderLineRow is one line of the order being typed.
type orderLineRow struct {
	box   *fyne.Container
	item  *widget.Entry
	qty   *widget.Entry
	price *widget.Entry
}

const (
	enterOrderWidth = 600
	mailTextWidth   = 340
)

// placedLayout is how the form shows and reads the order's date and time, in the computer's zone.
const placedLayout = "2006-01-02 15:04"

func (sc *mailScreen) showEnterOrder(m data.MailMessage) {
	if m.ID == 0 {
		return
	}
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (string, error) {
		return store.Setting(ctx, data.SettingCurrency)
	}, func(currency string, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.openEnterOrder(m, currency, sc.reviewText.Text)
	})
}

// orderNumberInSubject finds the order number most notifications put in their subject.
var orderNumberInSubject = regexp.MustCompile(`(?i)\border\s*(?:number|no\.?|nr\.?)?\s*[:#]?\s*#?([A-Z0-9][A-Z0-9-]{2,})`)

// openEnterOrder shows the form beside the message's text, so the owner can copy from one to the other.
func (sc *mailScreen) openEnterOrder(m data.MailMessage, currency, text string) {
	f := &enterOrderForm{sc: sc, msg: m}
	sc.entering = f
	f.channel = widget.NewSelectEntry([]string{"shopify", "etsy", "woocommerce", "ebay", "amazon", "tiktok", "website"})
	f.channel.SetText(m.Channel)
	f.channel.SetPlaceHolder("where the order was placed")
	f.number = widget.NewEntry()
	f.number.SetPlaceHolder("the order number in the e-mail")
	if found := orderNumberInSubject.FindStringSubmatch(m.Subject); found != nil {
		f.number.SetText(found[1])
	}
	f.placed = widget.NewEntry()
	when := m.Date
	if when.IsZero() {
		when = m.Received
	}
	if !when.IsZero() {
		f.placed.SetText(when.In(time.Local).Format(placedLayout))
	}
	f.placed.SetPlaceHolder("YYYY-MM-DD HH:MM")
	f.customer = widget.NewEntry()
	f.customer.SetPlaceHolder("buyer's name")
	f.currency = widget.NewEntry()
	f.currency.SetText(currency)
	f.shipping = widget.NewEntry()
	f.shipping.SetPlaceHolder("0.00")
	f.shipping.OnChanged = func(string) { f.updateTotal() }
	f.total = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	f.lines = container.NewVBox()
	f.addLine()
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	f.message.Hide()

	header := container.NewBorder(nil, nil, nil,
		container.NewHBox(fixedWidth(factKey("Quantity"), 80), fixedWidth(factKey("Unit price"), 110), fixedWidth(widget.NewLabel(""), 40)),
		factKey("SKU or item name"))
	addLine := widget.NewButtonWithIcon("Add a line", theme.ContentAddIcon(), f.addLine)
	form := widget.NewForm(
		widget.NewFormItem("Channel", f.channel),
		widget.NewFormItem("Order number", f.number),
		widget.NewFormItem("Placed", f.placed),
		widget.NewFormItem("Customer", f.customer),
		widget.NewFormItem("Currency", fixedWidth(f.currency, 90)),
	)
	totals := container.NewBorder(nil, nil, container.NewHBox(addLine), nil,
		container.NewHBox(layout.NewSpacer(), widget.NewLabel("Shipping"), fixedWidth(f.shipping, 110), f.total))
	f.save = widget.NewButtonWithIcon("Record the order", theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { f.d.Hide() })
	note := mutedText("From “" + m.Subject + "”. The order is recorded as paid and its stock reserved; a marketplace file with the same order later adds what is missing here.")
	body := container.NewVBox(note, form, sectionTitle("Items"), header, f.lines, totals, f.message)
	mail := selectableLabel(text)
	mail.Wrapping = fyne.TextWrapWord
	mailBox := container.NewBorder(detailHeading("The e-mail"), nil, nil, nil, container.NewVScroll(mail))
	f.d = dialog.NewCustomWithoutButtons("Enter the order", container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewSeparator(), fixedWidth(mailBox, mailTextWidth)), fixedWidth(body, enterOrderWidth)), sc.a.win)
	f.d.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.d.Show()
	f.updateTotal()
	sc.a.win.Canvas().Focus(f.number)
}

func (f *enterOrderForm) addLine() {
	r := orderLineRow{item: widget.NewEntry(), qty: widget.NewEntry(), price: widget.NewEntry()}
	r.item.SetPlaceHolder("MUG-BLUE or Blue stoneware mug")
	r.qty.SetText("1")
	r.price.SetPlaceHolder("0.00")
	r.qty.OnChanged = func(string) { f.updateTotal() }
	r.price.OnChanged = func(string) { f.updateTotal() }
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		for i, row := range f.rows {
			if row.box == r.box && len(f.rows) > 1 {
				f.rows = append(f.rows[:i], f.rows[i+1:]...)
				f.lines.Remove(r.box)
				f.updateTotal()
				f.resize()
				return
			}
		}
	})
	r.box = container.NewBorder(nil, nil, nil,
		container.NewHBox(fixedWidth(r.qty, 80), fixedWidth(r.price, 110), remove), r.item)
	f.rows = append(f.rows, r)
	f.lines.Add(r.box)
	f.resize()
	if f.d != nil {
		f.sc.a.win.Canvas().Focus(r.item)
	}
}

func (f *enterOrderForm) resize() {
	if f.d != nil {
		f.d.Resize(fyne.NewSize(enterOrderWidth+mailTextWidth+60, f.d.MinSize().Height))
	}
}

// order reads the form; the error names the field to fix.
func (f *enterOrderForm) order() (data.Order, fyne.Focusable, error) {
	cur := strings.ToUpper(strings.TrimSpace(f.currency.Text))
	o := data.Order{
		Channel:      strings.ToLower(strings.TrimSpace(f.channel.Text)),
		ExternalID:   strings.TrimSpace(f.number.Text),
		Status:       data.StatusPaid,
		CustomerName: strings.TrimSpace(f.customer.Text),
		Currency:     cur,
	}
	o.ShipTo.Name = o.CustomerName
	switch {
	case o.Channel == "":
		return o, f.channel, fmt.Errorf("say where the order was placed (the channel)")
	case o.ExternalID == "":
		return o, f.number, fmt.Errorf("type the order number from the e-mail")
	case !data.ValidCurrency(cur):
		return o, f.currency, fmt.Errorf("%q is not a currency code such as GBP, EUR or USD", f.currency.Text)
	}
	placed, err := time.ParseInLocation(placedLayout, strings.TrimSpace(f.placed.Text), time.Local)
	if err != nil {
		return o, f.placed, fmt.Errorf("the date %q is not written as YYYY-MM-DD HH:MM", f.placed.Text)
	}
	o.PlacedAt = placed
	for i, r := range f.rows {
		item := strings.TrimSpace(r.item.Text)
		if item == "" {
			continue
		}
		qty, err := strconv.ParseInt(strings.TrimSpace(r.qty.Text), 10, 64)
		if err != nil || qty <= 0 {
			return o, r.qty, fmt.Errorf("line %d: the quantity %q is not a whole number above 0", i+1, r.qty.Text)
		}
		var price int64
		if strings.TrimSpace(r.price.Text) != "" {
			if price, err = data.ParseMoney(r.price.Text, cur); err != nil || price < 0 {
				return o, r.price, fmt.Errorf("line %d: the unit price %q is not an amount", i+1, r.price.Text)
			}
		}
		o.Lines = append(o.Lines, data.OrderLine{LineNo: len(o.Lines) + 1, SKU: item, Name: item, Quantity: qty, UnitPrice: price})
		o.Subtotal += qty * price
	}
	if len(o.Lines) == 0 {
		return o, f.rows[0].item, fmt.Errorf("add at least one item: its SKU or its name as the e-mail gives it")
	}
	if strings.TrimSpace(f.shipping.Text) != "" {
		if o.Shipping, err = data.ParseMoney(f.shipping.Text, cur); err != nil || o.Shipping < 0 {
			return o, f.shipping, fmt.Errorf("the shipping %q is not an amount", f.shipping.Text)
		}
	}
	o.Total = o.Subtotal + o.Shipping
	return o, nil, nil
}

// updateTotal shows what the lines and shipping add up to while they are typed; fields not yet readable
// count as nothing.
func (f *enterOrderForm) updateTotal() {
	cur := strings.ToUpper(strings.TrimSpace(f.currency.Text))
	if !data.ValidCurrency(cur) {
		f.total.SetText("")
		return
	}
	var total int64
	for _, r := range f.rows {
		qty, err := strconv.ParseInt(strings.TrimSpace(r.qty.Text), 10, 64)
		price, err2 := data.ParseMoney(r.price.Text, cur)
		if err == nil && err2 == nil && qty > 0 {
			total += qty * price
		}
	}
	if ship, err := data.ParseMoney(f.shipping.Text, cur); err == nil {
		total += ship
	}
	if total <= 0 {
		f.total.SetText("")
		return
	}
	f.total.SetText("Total " + data.FormatMoney(total, cur))
}

func (f *enterOrderForm) onSave() {
	o, field, err := f.order()
	if err != nil {
		showFormProblem(f.sc.a.win, f.d, f.message, enterOrderWidth+mailTextWidth+60, err.Error(), field)
		return
	}
	store, id := f.sc.a.store, f.msg.ID
	f.save.Disable()
	run(f.sc.a.bg, func(ctx context.Context) (data.Order, error) {
		return store.EnterMailOrder(ctx, id, o)
	}, func(saved data.Order, err error) {
		f.save.Enable()
		if err != nil {
			showFormProblem(f.sc.a.win, f.d, f.message, enterOrderWidth+mailTextWidth+60, data.UserMessage(err), nil)
			return
		}
		f.d.Hide()
		f.sc.refresh()
		f.sc.a.changed()
		dialog.ShowInformation("Order recorded", fmt.Sprintf("%s order %s is recorded with %s; its stock is reserved.",
			saved.Channel, saved.ExternalID, plural(len(saved.Lines), "line", "lines")), f.sc.a.win)
	})
}
