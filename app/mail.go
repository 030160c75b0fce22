package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// mailScreen will connect the mailbox the shop's order notifications arrive in. Nothing is connected
// yet, and the screen says so plainly rather than showing a form that does nothing.
type mailScreen struct {
	a          *App
	openOrders *widget.Button
	openImport *widget.Button
}

func newMailScreen(a *App) *mailScreen {
	sc := &mailScreen{a: a}
	sc.openOrders = widget.NewButtonWithIcon("Open Orders", theme.ListIcon(), func() { a.show(sectionOrders) })
	sc.openOrders.Importance = widget.HighImportance
	sc.openImport = widget.NewButtonWithIcon("Open Imports", theme.DownloadIcon(), func() { a.show(sectionImports) })
	return sc
}

func (sc *mailScreen) view() fyne.CanvasObject {
	icon := widget.NewIcon(theme.MailComposeIcon())
	title := canvas.NewText("Order e-mails", theme.Color(theme.ColorNameForeground))
	title.TextSize = 26
	title.TextStyle.Bold = true
	status := widget.NewLabelWithStyle("No mailbox is connected yet.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	status.Importance = widget.WarningImportance

	para := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	body := container.NewVBox(
		container.NewHBox(container.NewGridWrap(fyne.NewSize(56, 56), icon), container.NewCenter(title)),
		status,
		para("This is where Backroom will read the order notifications your shops e-mail you, over IMAP, "+
			"from the mailbox you choose: Gmail, Outlook, Fastmail or your own mail server. "+
			"It reads the mailbox, never changes or deletes a message, and picks up where it stopped, "+
			"so each e-mail becomes an order once."),
		sectionHeading("E-mails it will recognise", ""),
		para("• Etsy: “You made a sale on Etsy”\n"+
			"• Shopify: “Order #… placed by …”\n"+
			"• WooCommerce: “New order #…”\n"+
			"• eBay: “You made the sale for …”\n"+
			"• Amazon: “Sold, ship now”"),
		para("Orders found this way appear in Orders with the others, ready to pick and pack. "+
			"Items whose name matches none of your SKUs wait in Imports until you map them."),
		widget.NewSeparator(),
		container.NewHBox(sc.openOrders, sc.openImport),
	)
	return container.NewVScroll(container.NewCenter(container.NewGridWrap(fyne.NewSize(640, 520), container.NewPadded(body))))
}

func (sc *mailScreen) refresh() {}
