package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/accountsbook"
	"github.com/backroom-app/backroom/app/locale"
	"github.com/backroom-app/backroom/data"
)

// The kinds of period the accountant's export offers, in the order of its switch.
const (
	accountsMonth   = "Month"
	accountsQuarter = "Quarter"
	accountsYear    = "Year"
	accountsCustom  = "Custom"
)

// How far back the period menus reach.
const (
	accountsMonths   = 24
	accountsQuarters = 8
	accountsYears    = 6
	// accountsLogLimit is how many exports the log tab lists.
	accountsLogLimit = 100
)

// accountsExport is the accountant's part of the Exports screen: a period, its totals as the workbook
// will have them, what changed since the period was last exported, and the export itself; on a second
// tab the export log, the locked periods and the imports they hold back. Owners and accountants use it;
// only the owner locks, unlocks, applies and discards.
type accountsExport struct {
	a     *App
	saver *xlsxSaver // its choose asks where to save; tests replace it
	zone  *time.Location
	query latest // the preview on its way
	lists latest // the log, locks and held changes on their way

	kind     *segmented // Month, Quarter, Year or Custom
	pick     *widget.Select
	pickBox  fyne.CanvasObject     // pick at its width; hidden for Custom
	picks    []data.AccountsPeriod // the periods of pick's options, in order
	from, to *widget.DateEntry
	show     *widget.Button
	custom   *fyne.Container
	span     *widget.Label
	busy     *widget.Activity

	alsoCSV *widget.Check
	lock    *widget.Check // nil unless the owner
	export  *widget.Button
	result  *widget.Label

	totals     *gridTable
	noSales    *widget.Label
	rows       *widget.Label // rows per sheet
	extra      *widget.Label // stock value, purchases, unknown costs
	changes    *widget.Label // the differences to the previous export, in a sentence
	changeList *gridTable
	changeCard *widget.Card
	heldNote   *widget.Label // imports held back, seen from the workbook tab
	heldBox    *fyne.Container
	tabs       *container.AppTabs // the Exports screen's, which holds workTab and logTab

	log      *gridTable
	logEmpty *widget.Label
	locks    *fyne.Container
	held     *fyne.Container
	applyAll *widget.Button
	dropAll  *widget.Button
	heldHint *widget.Label

	period   data.AccountsPeriod // the period on display
	shown    *accountsPreview    // its figures; nil until they arrive
	locked   []data.PeriodLock   // as last loaded, to tell whether the period on display is locked
	holding  []data.HeldChange   // as last loaded, for Apply all and Discard all
	workTab  *container.TabItem  // set by the Exports screen
	logTab   *container.TabItem
	lastFile string // where the last export went
	resultOf string // the Key of the period result speaks of
}

// accountsPreview is a period's figures as the workbook will have them, and its differences to the
// previous export of the period.
type accountsPreview struct {
	period data.AccountsPeriod
	totals data.AccountsTotals
	diff   data.AccountsDiff
	shop   string
}

// accountsLists is the log tab's content.
type accountsLists struct {
	exports []data.AccountsExport
	locks   []data.PeriodLock
	held    []data.HeldChange
}

func newAccountsExport(a *App) *accountsExport {
	ae := &accountsExport{a: a, saver: newXLSXSaver(a), zone: locale.Zone(os.Getenv)}
	ae.kind = newSegmented([]string{accountsMonth, accountsQuarter, accountsYear, accountsCustom}, ae.onKind)
	ae.pick = widget.NewSelect(nil, nil)
	ae.pickBox = fixedWidth(ae.pick, 220)
	ae.from, ae.to = widget.NewDateEntry(), widget.NewDateEntry()
	ae.show = widget.NewButton("Show", ae.onCustom)
	ae.custom = container.NewHBox(widget.NewLabel("From"), fixedWidth(ae.from, 150), widget.NewLabel("to"), fixedWidth(ae.to, 150), ae.show)
	ae.custom.Hide()
	ae.span = widget.NewLabel("")
	ae.busy = widget.NewActivity()
	ae.busy.Hide()

	ae.alsoCSV = widget.NewCheck("Also save each sheet as a CSV file (a folder beside the workbook)", nil)
	if a.store.Can(data.PermImport) {
		ae.lock = widget.NewCheck(lockText, nil)
	}
	ae.export = widget.NewButtonWithIcon("Export workbook…", theme.DocumentSaveIcon(), ae.onExport)
	ae.export.Importance = widget.HighImportance
	ae.export.Disable() // until the period's figures are in
	ae.result = widget.NewLabel("")
	ae.result.Wrapping = fyne.TextWrapWord
	ae.result.Hide()

	ae.totals = newGridTable(0,
		gridColumn{title: "Channel", width: 130}, gridColumn{title: "Currency", width: 80},
		gridColumn{title: "Orders", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Total", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "Tax", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "Refunds", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "Cost of goods", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "Margin", width: 120, align: fyne.TextAlignTrailing})
	ae.noSales = widget.NewLabel("No orders were placed in this period.")
	ae.noSales.Hide()
	ae.rows = widget.NewLabel("")
	ae.rows.Wrapping = fyne.TextWrapWord
	ae.extra = widget.NewLabel("")
	ae.extra.Wrapping = fyne.TextWrapWord
	ae.extra.Hide()
	ae.changes = widget.NewLabel("Working out the figures…")
	ae.changes.Wrapping = fyne.TextWrapWord
	ae.changeList = newGridTable(6,
		gridColumn{title: "Change", width: 80}, gridColumn{title: "Channel", width: 100}, gridColumn{title: "Order", width: 190},
		gridColumn{title: "Placed", width: 150}, gridColumn{title: "Before", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "Now", width: 100, align: fyne.TextAlignTrailing}, gridColumn{title: "What", width: 110})
	ae.changeList.box.Hide()
	ae.heldNote = widget.NewLabel("")
	ae.heldNote.Wrapping = fyne.TextWrapWord
	ae.heldNote.Importance = widget.WarningImportance
	review := widget.NewButtonWithIcon("Review", theme.NavigateNextIcon(), func() {
		if ae.tabs != nil {
			ae.tabs.Select(ae.logTab)
		}
	})
	ae.heldBox = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), container.NewCenter(review), ae.heldNote)
	ae.heldBox.Hide()

	// The widths add up to what the narrowest window has beside the navigation: a wider table would
	// widen the window, since tabs take the widest tab's size.
	ae.log = newGridTable(1,
		gridColumn{title: "Period", width: 140}, gridColumn{title: "File", width: 160}, gridColumn{title: "When", width: 140},
		gridColumn{title: "Who", width: 100}, gridColumn{title: "Orders", width: 65, align: fyne.TextAlignTrailing},
		gridColumn{title: "Lines", width: 55, align: fyne.TextAlignTrailing}, gridColumn{title: "SHA-256", width: 120},
		gridColumn{title: "Locked", width: 70})
	ae.logEmpty = widget.NewLabel("No accountant export yet.")
	ae.locks = container.NewVBox()
	ae.held = container.NewVBox()
	ae.heldHint = widget.NewLabel("")
	ae.heldHint.Wrapping = fyne.TextWrapWord
	if a.store.Can(data.PermImport) {
		ae.applyAll = widget.NewButton("Apply all", func() { ae.onResolveAll(false) })
		ae.dropAll = widget.NewButton("Discard all", func() { ae.onResolveAll(true) })
		ae.applyAll.Hide()
		ae.dropAll.Hide()
	}

	// The accountant usually asks for the month just gone, so it is what the screen opens on.
	ae.kind.set(accountsMonth)
	ae.fillPicks(accountsMonth)
	ae.period = ae.picks[1]
	ae.pick.SetSelectedIndex(1)
	ae.pick.OnChanged = func(string) { ae.onPick() }
	return ae
}

// workbookView is the tab to choose a period, check its figures and export it.
func (ae *accountsExport) workbookView() fyne.CanvasObject {
	periodRow := container.NewHBox(widget.NewLabel("Period"), ae.kind.box, ae.pickBox, ae.custom, ae.busy)
	optionsBox := container.NewVBox(ae.alsoCSV)
	if ae.lock != nil {
		optionsBox.Add(ae.lock)
	}
	choose := widget.NewCard("", "", container.NewVBox(
		sectionHeading("Accountant's workbook",
			"One Excel file for the period: a Summary whose totals are formulas over the other sheets, Sales by order line, "+
				"Refunds and returns, Cost of goods sold, Stock valuation at the period's end and Purchases received. "+
				"Cancelled orders are left out."),
		periodRow, ae.span, ae.changes, optionsBox, container.NewHBox(ae.export), ae.result))
	preview := widget.NewCard("", "", container.NewVBox(
		sectionHeading("What the workbook will add up to", "Per channel and currency: Backroom keeps no exchange rates, so currencies are never added together. Margin is the total less tax, refunds and the cost of goods, as on the workbook's Summary."),
		ae.totals.box, ae.noSales, ae.extra, ae.rows))
	ae.changeCard = widget.NewCard("", "", container.NewVBox(
		sectionHeading("Orders changed since the last export", "What the accountant's copy of this period does not have yet; totals as they were and as they are now."),
		ae.changeList.box))
	ae.changeCard.Hidden = ae.changeList.box.Hidden
	return container.NewVScroll(container.NewPadded(container.NewVBox(choose, ae.heldBox, ae.changeCard, preview)))
}

// logView is the tab with the export log, the locked periods and the held changes.
func (ae *accountsExport) logView() fyne.CanvasObject {
	heldTools := container.NewHBox()
	if ae.applyAll != nil {
		heldTools.Add(ae.applyAll)
		heldTools.Add(ae.dropAll)
	}
	lockNote := "While a period is locked, imports and order e-mails that would add an order to it or change one's figures wait below instead of being applied."
	heldNote := "Orders imports would have added to a locked period or changed there. Applying one changes the books the accountant has: export the period again afterwards."
	if !ae.a.store.Can(data.PermImport) {
		heldNote += " Only the owner may apply or discard them."
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		sectionHeading("Export log", "Every accountant export, newest first. The SHA-256 identifies the file: the accountant's copy has the same one if it is unchanged."),
		ae.log.box, ae.logEmpty,
		sectionHeading("Locked periods", lockNote), ae.locks,
		container.NewBorder(nil, nil, nil, container.NewCenter(heldTools), sectionHeading("Held changes", heldNote)),
		ae.heldHint, ae.held)))
}

// refresh reloads the figures of the period on display and the log tab.
func (ae *accountsExport) refresh() {
	ae.load()
	ae.loadLists()
}

// fillPicks fills the period menu for kind: the months, quarters or years up to the current one.
func (ae *accountsExport) fillPicks(kind string) {
	now := ae.a.store.Now().In(ae.zone)
	y, m := now.Year(), now.Month()
	var labels []string
	ae.picks = nil
	switch kind {
	case accountsMonth:
		for i := 0; i < accountsMonths; i++ {
			first := time.Date(y, m-time.Month(i), 1, 0, 0, 0, 0, ae.zone)
			ae.picks = append(ae.picks, data.MonthPeriod(first.Year(), first.Month(), ae.zone))
			labels = append(labels, first.Format("January 2006"))
		}
	case accountsQuarter:
		q := (int(m)-1)/3 + 1
		for i := 0; i < accountsQuarters; i++ {
			qy, qq := y, q-i
			for qq < 1 {
				qq += 4
				qy--
			}
			p := data.QuarterPeriod(qy, qq, ae.zone)
			ae.picks = append(ae.picks, p)
			labels = append(labels, fmt.Sprintf("Q%d %d (%s – %s)", qq, qy, p.From.Format("Jan"), p.To.Format("Jan")))
		}
	case accountsYear:
		for i := 0; i < accountsYears; i++ {
			ae.picks = append(ae.picks, data.YearPeriod(y-i, ae.zone))
			labels = append(labels, fmt.Sprint(y-i))
		}
	}
	if len(labels) > 0 {
		labels[0] += " (so far)"
	}
	ae.pick.Options = labels
}

// onKind switches between months, quarters, years and a range of days; each opens on its last
// complete one.
func (ae *accountsExport) onKind(kind string) {
	if kind == accountsCustom {
		from, to := ae.period.From, ae.period.To
		ae.from.SetDate(&from)
		ae.to.SetDate(&to)
		ae.pickBox.Hide()
		ae.custom.Show()
		return
	}
	ae.custom.Hide()
	ae.pickBox.Show()
	ae.fillPicks(kind)
	ae.pick.OnChanged = nil
	ae.pick.SetSelectedIndex(1)
	ae.pick.OnChanged = func(string) { ae.onPick() }
	ae.onPick()
}

func (ae *accountsExport) onPick() {
	i := ae.pick.SelectedIndex()
	if i < 0 || i >= len(ae.picks) {
		return
	}
	ae.period = ae.picks[i]
	ae.load()
}

// onCustom shows the days chosen, both included.
func (ae *accountsExport) onCustom() {
	if ae.from.Date == nil || ae.to.Date == nil {
		dialog.ShowInformation("Choose the dates", "Type or pick both the first and the last day of the period.", ae.a.win)
		return
	}
	p, err := data.NewAccountsPeriod(*ae.from.Date, *ae.to.Date, ae.zone)
	if err != nil {
		dialog.ShowInformation("Check the dates", "The last day comes before the first.", ae.a.win)
		return
	}
	ae.period = p
	ae.load()
}

// load works out the period's totals and differences in the background; only the newest answer shows.
func (ae *accountsExport) load() {
	p := ae.period
	store := ae.a.store
	ae.showLockState()
	if ae.resultOf != p.Key() {
		ae.result.Hide() // it speaks of another period's export
	}
	ae.busy.Show()
	ae.busy.Start()
	ae.export.Disable()
	current := ae.query.next()
	run(ae.a.bg, func(ctx context.Context) (accountsPreview, error) {
		pv := accountsPreview{period: p}
		var err error
		if pv.totals, err = store.AccountsPreview(ctx, p); err != nil {
			return pv, err
		}
		if pv.diff, err = store.AccountsChanges(ctx, p); err != nil {
			return pv, err
		}
		pv.shop, err = store.Setting(ctx, data.SettingShopName)
		return pv, err
	}, func(pv accountsPreview, err error) {
		if !current() {
			return
		}
		ae.busy.Stop()
		ae.busy.Hide()
		if err != nil {
			ae.changes.SetText("The figures could not be worked out: " + data.UserMessage(err))
			ae.changes.Importance = widget.DangerImportance
			ae.changes.Refresh()
			showError(ae.a.win, err)
			return
		}
		ae.showPreview(pv)
	})
}

// logTabText is the log tab's title, followed by the number of held changes when there are any.
const logTabText = "Export log and locks"

// lockText is the default text of the lock check.
const lockText = "Lock the period after export: later imports that would change it wait for you"

// showLockState says whether the period on display is locked; a locked period cannot be locked again.
func (ae *accountsExport) showLockState() {
	var lock *data.PeriodLock
	for i := range ae.locked {
		if ae.locked[i].Period.Key() == ae.period.Key() {
			lock = &ae.locked[i]
		}
	}
	span := accountsSpan(ae.period)
	if lock != nil {
		span += fmt.Sprintf(" · locked by %s on %s", lock.User, lock.At.In(ae.zone).Format("2 Jan 2006"))
	}
	ae.span.SetText(span)
	if ae.lock == nil {
		return
	}
	if lock != nil {
		ae.lock.SetChecked(false)
		ae.lock.Text = "The period is locked; unlock it under Export log and locks"
		ae.lock.Disable()
	} else {
		ae.lock.Text = lockText
		ae.lock.Enable()
	}
	ae.lock.Refresh()
}

// accountsSpan writes a period for the screen: "1 Oct – 31 Oct 2026 · days counted in Europe/London".
func accountsSpan(p data.AccountsPeriod) string {
	return spanText(p.From, p.To.AddDate(0, 0, 1)) + " · days counted in " + zoneName(p)
}

// periodText names a period briefly, as people say it: "October 2026", "Q4 2026", "2026" or
// "3 Oct – 9 Oct 2026", with its zone when it is not this computer's.
func (ae *accountsExport) periodText(p data.AccountsPeriod) string {
	f, t := p.From, p.To
	lastDay := func(months int) bool {
		end := time.Date(f.Year(), f.Month()+time.Month(months), 0, 0, 0, 0, 0, time.UTC)
		return t.Year() == end.Year() && t.Month() == end.Month() && t.Day() == end.Day()
	}
	var s string
	switch {
	case f.Day() == 1 && f.Month() == time.January && lastDay(12):
		s = fmt.Sprint(f.Year())
	case f.Day() == 1 && (f.Month()-1)%3 == 0 && lastDay(3):
		s = fmt.Sprintf("Q%d %d", (int(f.Month())-1)/3+1, f.Year())
	case f.Day() == 1 && lastDay(1):
		s = f.Format("January 2006")
	default:
		s = spanText(f, t.AddDate(0, 0, 1))
	}
	if z := zoneName(p); z != ae.zone.String() {
		s += " (" + z + ")"
	}
	return s
}

func zoneName(p data.AccountsPeriod) string {
	if p.Location == nil {
		return "UTC"
	}
	if name := p.Location.String(); name != "Local" {
		return name
	}
	return "this computer's time zone"
}

// showPreview puts a period's figures on the screen.
func (ae *accountsExport) showPreview(pv accountsPreview) {
	ae.shown = &pv
	t := pv.totals
	var rows [][]string
	var negative []bool
	type sum struct{ orders, total, tax, refunds, cost int64 }
	totals := map[string]*sum{}
	var currencies []string
	for _, c := range t.Channels {
		m := accountsMargin(c)
		rows = append(rows, []string{channelLabel(c.Channel), c.Currency, groupDigits(int64(c.Orders)),
			data.FormatMoney(c.Total, c.Currency), data.FormatMoney(c.Tax, c.Currency), data.FormatMoney(c.Refunds, c.Currency),
			data.FormatMoney(c.Cost, c.Currency), data.FormatMoney(m, c.Currency)})
		negative = append(negative, m < 0)
		s := totals[c.Currency]
		if s == nil {
			s = &sum{}
			totals[c.Currency] = s
			currencies = append(currencies, c.Currency)
		}
		s.orders += int64(c.Orders)
		s.total += c.Total
		s.tax += c.Tax
		s.refunds += c.Refunds
		s.cost += c.Cost
	}
	firstTotal := len(rows)
	if len(t.Channels) > 1 {
		for _, cur := range currencies {
			s := totals[cur]
			m := accountsMargin(data.AccountsChannelTotal{Total: s.total, Tax: s.tax, Refunds: s.refunds, Cost: s.cost})
			rows = append(rows, []string{"Total", cur, groupDigits(s.orders), data.FormatMoney(s.total, cur), data.FormatMoney(s.tax, cur),
				data.FormatMoney(s.refunds, cur), data.FormatMoney(s.cost, cur), data.FormatMoney(m, cur)})
			negative = append(negative, m < 0)
		}
	}
	ae.totals.setRows(rows, func(row, col int) widget.Importance {
		switch {
		case col == 7 && negative[row]:
			return widget.DangerImportance
		case row >= firstTotal:
			return widget.HighImportance
		}
		return widget.MediumImportance
	})
	if len(rows) == 0 {
		ae.totals.box.Hide()
		ae.noSales.Show()
	} else {
		ae.noSales.Hide()
		ae.totals.box.Show()
	}
	var extra []string
	if len(t.StockValue) > 0 {
		extra = append(extra, "Stock at the period's end: "+amountsText(t.StockValue)+".")
	}
	if len(t.Purchases) > 0 {
		extra = append(extra, "Purchases received: "+amountsText(t.Purchases)+".")
	}
	if t.UnknownCosts > 0 {
		extra = append(extra, plural(t.UnknownCosts, "sold line has", "sold lines have")+
			" no known cost (no SKU, no cost, or a cost in another currency), so the cost of goods leaves it out.")
	}
	ae.extra.SetText(strings.Join(extra, " "))
	ae.extra.Importance = widget.MediumImportance
	if t.UnknownCosts > 0 {
		ae.extra.Importance = widget.WarningImportance
	}
	ae.extra.Hidden = len(extra) == 0
	ae.extra.Refresh()
	r := t.Rows
	ae.rows.SetText(fmt.Sprintf("Rows per sheet: Sales %s · Refunds and returns %s · Cost of goods sold %s · Stock valuation %s · Purchases %s",
		groupDigits(int64(r.Sales)), groupDigits(int64(r.Refunds)), groupDigits(int64(r.Costs)), groupDigits(int64(r.Stock)),
		groupDigits(int64(r.Purchases))))
	ae.showChanges(pv.diff)
	ae.export.Enable()
}

// accountsMargin is the gross margin as the workbook's Summary has it: what customers paid less tax,
// refunds and the known cost of the goods.
func accountsMargin(c data.AccountsChannelTotal) int64 { return c.Total - c.Tax - c.Refunds - c.Cost }

func amountsText(as []data.CurrencyAmount) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, data.FormatMoney(a.Amount, a.Currency))
	}
	return strings.Join(parts, ", ")
}

// showChanges says how the period differs from its previous export, and lists the orders.
func (ae *accountsExport) showChanges(d data.AccountsDiff) {
	ae.changes.SetText(changesText(d, ae.zone))
	ae.changes.Importance = widget.MediumImportance
	if d.Previous != nil && len(d.Changes) > 0 {
		ae.changes.Importance = widget.WarningImportance
	}
	ae.changes.Refresh()
	if len(d.Changes) == 0 {
		ae.changeList.setRows(nil, nil)
		ae.changeList.box.Hide()
		if ae.changeCard != nil {
			ae.changeCard.Hide()
		}
		return
	}
	rows := make([][]string, 0, len(d.Changes))
	for _, c := range d.Changes {
		before, after := data.FormatMoney(c.Before, c.Currency), data.FormatMoney(c.After, c.Currency)
		if c.Kind == "added" {
			before = "–"
		}
		if c.Kind == "removed" {
			after = "–"
		}
		rows = append(rows, []string{capitalized(c.Kind), channelLabel(c.Channel), c.OrderID,
			c.Placed.In(ae.zone).Format("2 Jan 2006 15:04"), before, after, c.What})
	}
	ae.changeList.setRows(rows, nil)
	ae.changeList.box.Show()
	if ae.changeCard != nil {
		ae.changeCard.Show()
	}
}

// changesText is the differences in a sentence: "Exported on 3 Nov 2026 by Sam (file.xlsx); since then
// 2 orders added, 1 changed."
func changesText(d data.AccountsDiff, loc *time.Location) string {
	if d.Previous == nil {
		return "This period has not been exported yet: this will be its first workbook."
	}
	p := d.Previous
	s := fmt.Sprintf("Exported on %s by %s (%s)", p.At.In(loc).Format("2 Jan 2006 at 15:04"), p.User, p.File)
	if len(d.Changes) == 0 {
		return s + "; nothing has changed since, so the accountant has these figures."
	}
	var added, changed, removed int
	for _, c := range d.Changes {
		switch c.Kind {
		case "added":
			added++
		case "changed":
			changed++
		case "removed":
			removed++
		}
	}
	var parts []string
	if added > 0 {
		parts = append(parts, plural(added, "order added", "orders added"))
	}
	if changed > 0 {
		parts = append(parts, plural(changed, "order changed", "orders changed"))
	}
	if removed > 0 {
		parts = append(parts, plural(removed, "order removed", "orders removed"))
	}
	return s + "; since then " + strings.Join(parts, ", ") + ". Export it again and send the accountant the new workbook."
}

// onExport asks where to save the workbook, then writes it (and the CSV files) behind a progress bar,
// logs the export and, when asked, locks the period.
func (ae *accountsExport) onExport() {
	pv := ae.shown
	if pv == nil || pv.period.Key() != ae.period.Key() {
		return // the figures of the chosen period are still on their way
	}
	p := pv.period
	job := accountsJob{store: ae.a.store, withCSV: ae.alsoCSV.Checked, lock: ae.lock != nil && ae.lock.Checked,
		opts: accountsbook.Options{Period: p, Shop: pv.shop, Author: ae.a.store.User().Name, Created: ae.a.store.Now()}}
	ae.saver.choose(accountsbook.FileName(p, pv.shop), func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(ae.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		job.wc = wc
		path := wc.URI().Path()
		job.csvDir = strings.TrimSuffix(path, filepath.Ext(path)) + " (CSV)"
		runWithProgress(ae.a.bg, ae.a.win, "Exporting the accounts", "Writing "+wc.URI().Name()+"…",
			job.run, func(err error) {
				switch {
				case isCancelled(err):
					ae.result.SetText("Export cancelled; no file was kept.")
					ae.result.Importance = widget.MediumImportance
				case err != nil:
					showError(ae.a.win, err)
					ae.refresh()
					return
				default:
					ae.lastFile = path
					ae.result.SetText(exportedText(path, job))
					ae.result.Importance = widget.SuccessImportance
				}
				ae.resultOf = p.Key()
				ae.result.Show()
				ae.result.Refresh()
				ae.refresh()
			})
	})
}

// accountsJob is one export from the window: the workbook to wc, the CSV files to csvDir when asked,
// then the log entry. It runs off the UI goroutine; its results are read once it is done.
type accountsJob struct {
	store   *data.Store
	opts    accountsbook.Options
	wc      fyne.URIWriteCloser
	csvDir  string
	withCSV bool
	lock    bool

	res, csvRes accountsbook.Result
	logged      data.AccountsExport
}

// run writes and logs the export. A failure or Cancel while writing removes what was written, so a
// workbook or folder under the chosen name is always whole; the files stay if only the log fails.
func (j *accountsJob) run(ctx context.Context, progress func(float64)) (err error) {
	name := j.wc.URI().Name()
	share := 1.0
	if j.withCSV {
		share = 0.5
	}
	j.opts.Progress = func(done, total int) {
		if total > 0 {
			progress(share * float64(done) / float64(total))
		}
	}
	j.res, err = accountsbook.WriteXLSX(ctx, j.wc, j.store, j.opts)
	if err == nil {
		err = ctx.Err() // Cancel pressed as the last rows went out still means no file
	}
	if cerr := j.wc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", name, cerr)
	}
	madeDir, logging := false, false
	defer func() {
		if err != nil && !logging {
			_ = storage.Delete(j.wc.URI())
			if madeDir {
				_ = os.RemoveAll(j.csvDir)
			}
		}
	}()
	if err != nil {
		return err
	}
	if j.withCSV {
		if j.wc.URI().Scheme() != "file" {
			return fmt.Errorf("CSV files can only be written to a folder on this computer; save %s there, or leave the CSV files out", name)
		}
		if _, serr := os.Stat(j.csvDir); os.IsNotExist(serr) {
			madeDir = true
		}
		if err := os.MkdirAll(j.csvDir, 0o755); err != nil {
			return fmt.Errorf("make the folder for the CSV files: %w", err)
		}
		j.opts.Progress = func(done, total int) {
			if total > 0 {
				progress(0.5 + 0.5*float64(done)/float64(total))
			}
		}
		if j.csvRes, err = accountsbook.WriteCSV(ctx, j.csvDir, j.store, j.opts); err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return err
		}
	}
	// Logged once the files exist, as the log says what the accountant was sent; past this point the
	// export is not cancelled. The CSV files go first so the workbook is the period's latest export, the
	// one the next export is compared with and the one a lock names.
	ctx = context.WithoutCancel(ctx)
	logging = true
	p := j.opts.Period
	if j.withCSV {
		entry := data.AccountsExport{Format: "csv", File: filepath.Base(j.csvDir), SHA256: j.csvRes.SHA256, Rows: j.csvRes.Rows,
			Totals: j.csvRes.Totals, Orders: accountsOrders(j.csvRes.Totals)}
		if _, err := j.store.LogAccountsExport(ctx, p, entry, false); err != nil {
			return fmt.Errorf("log the export: %w", err)
		}
	}
	entry := data.AccountsExport{Format: "xlsx", File: name, SHA256: j.res.SHA256, Rows: j.res.Rows,
		Totals: j.res.Totals, Orders: accountsOrders(j.res.Totals)}
	if j.logged, err = j.store.LogAccountsExport(ctx, p, entry, j.lock); err != nil {
		return fmt.Errorf("%s is saved, but the export was not logged, so a later export cannot say what changed: %w", name, err)
	}
	progress(1)
	return nil
}

func accountsOrders(t data.AccountsTotals) int {
	n := 0
	for _, c := range t.Channels {
		n += c.Orders
	}
	return n
}

// exportedText is the message after an export: where it went, what it holds, its fingerprint.
func exportedText(path string, j accountsJob) string {
	s := fmt.Sprintf("Saved %s: %s, SHA-256 %s…", path, plural(j.res.Rows.Sales, "sales row", "sales rows"), shortHash(j.res.SHA256))
	if j.withCSV {
		s += " The CSV files are in " + j.csvDir + "."
	}
	if j.logged.Locked {
		s += " The period is locked: imports that would change it now wait for you under Export log and locks."
	}
	return s
}

// shortHash is the start of a SHA-256: enough to tell two files apart by eye.
func shortHash(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// loadLists reads the export log, the locks and the held changes.
func (ae *accountsExport) loadLists() {
	store := ae.a.store
	load(ae.a.bg, ae.a.win, &ae.lists, func(ctx context.Context) (accountsLists, error) {
		var l accountsLists
		var err error
		if l.exports, err = store.AccountsExports(ctx, accountsLogLimit); err != nil {
			return l, err
		}
		if l.locks, err = store.PeriodLocks(ctx); err != nil {
			return l, err
		}
		l.held, err = store.HeldChanges(ctx)
		return l, err
	}, ae.showLists)
}

func (ae *accountsExport) showLists(l accountsLists) {
	ae.locked, ae.holding = l.locks, l.held
	ae.showLockState()
	rows := make([][]string, 0, len(l.exports))
	for _, e := range l.exports {
		file := e.File
		if e.Format == "csv" {
			file += string(filepath.Separator) // a folder of CSV files
		}
		rows = append(rows, []string{ae.periodText(e.Period), file, e.At.In(ae.zone).Format("2 Jan 2006 15:04"), e.User,
			groupDigits(int64(e.Orders)), groupDigits(int64(e.Rows.Sales)), shortHash(e.SHA256), yesNo(e.Locked)})
	}
	ae.log.setRows(rows, nil)
	ae.log.box.Hidden = len(rows) == 0
	ae.logEmpty.Hidden = len(rows) > 0
	ae.log.box.Refresh()
	ae.logEmpty.Refresh()

	owner := ae.a.store.Can(data.PermImport)
	ae.locks.RemoveAll()
	if len(l.locks) == 0 {
		ae.locks.Add(widget.NewLabel("No period is locked."))
	}
	for _, lk := range l.locks {
		text := fmt.Sprintf("%s, locked by %s on %s", ae.periodText(lk.Period), lk.User, lk.At.In(ae.zone).Format("2 Jan 2006"))
		if lk.ExportID != 0 {
			text += fmt.Sprintf(" with export %d", lk.ExportID)
		}
		label := widget.NewLabel(text)
		label.Truncation = fyne.TextTruncateEllipsis
		var right fyne.CanvasObject
		if owner {
			lk := lk
			right = widget.NewButtonWithIcon("Unlock", theme.VisibilityIcon(), func() { ae.onUnlock(lk) })
		}
		ae.locks.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), right, label))
	}

	ae.held.RemoveAll()
	switch n := len(l.held); {
	case n == 0:
		ae.heldHint.SetText("Nothing is held.")
		ae.heldBox.Hide()
	default:
		ae.heldHint.SetText(plural(n, "change is", "changes are") + " waiting.")
		ae.heldNote.SetText(plural(n, "import is", "imports are") + " held back by a locked period, waiting for the owner under Export log and locks.")
		ae.heldBox.Show()
	}
	for _, h := range l.held {
		ae.held.Add(ae.heldRow(h, owner))
	}
	if ae.tabs != nil {
		ae.logTab.Text = logTabText
		if len(l.held) > 0 {
			ae.logTab.Text += fmt.Sprintf(" (%d held)", len(l.held))
		}
		ae.tabs.Refresh()
	}
	if ae.applyAll != nil {
		ae.applyAll.Hidden = len(l.held) < 2
		ae.dropAll.Hidden = len(l.held) < 2
		ae.applyAll.Refresh()
		ae.dropAll.Refresh()
	}
}

// heldRow is one held change: what it is, and Apply and Discard for the owner.
func (ae *accountsExport) heldRow(h data.HeldChange, owner bool) fyne.CanvasObject {
	what := data.FormatMoney(h.After, h.Currency)
	if h.Kind != "new" {
		what = data.FormatMoney(h.Before, h.Currency) + " → " + what
	}
	if h.What != "" && h.Kind != "new" {
		what += " (" + h.What + ")"
	}
	kind := "New order"
	if h.Kind != "new" {
		kind = "Change to order"
	}
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s %s %s, placed %s: %s", kind, channelLabel(h.Channel), h.OrderID,
		h.Placed.In(ae.zone).Format("2 Jan 2006"), what), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	note := mutedLine(fmt.Sprintf("From %s on %s · locked period %s", h.Source, h.At.In(ae.zone).Format("2 Jan 2006 15:04"), ae.periodText(h.Lock.Period)))
	var right fyne.CanvasObject
	if owner {
		apply := widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), func() { ae.onResolve(h, false) })
		apply.Importance = widget.HighImportance
		discard := widget.NewButtonWithIcon("Discard", theme.DeleteIcon(), func() { ae.onResolve(h, true) })
		right = container.NewCenter(container.NewHBox(apply, discard))
	}
	return container.NewBorder(nil, widget.NewSeparator(), nil, right, container.NewVBox(title, note))
}

// onUnlock opens a locked period again, once the owner confirms.
func (ae *accountsExport) onUnlock(lk data.PeriodLock) {
	d := dialog.NewConfirm("Unlock "+ae.periodText(lk.Period)+"?",
		"Imports will change this period's orders again without asking. Changes held so far stay held.",
		func(yes bool) {
			if !yes {
				return
			}
			store := ae.a.store
			run(ae.a.bg, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, store.UnlockPeriod(ctx, lk.ID)
			}, func(_ struct{}, err error) {
				if err != nil {
					showError(ae.a.win, err)
				}
				ae.loadLists()
			})
		}, ae.a.win)
	d.SetConfirmText("Unlock")
	d.Show()
}

// onResolve applies or discards one held change; discarding asks first, since the import is lost.
func (ae *accountsExport) onResolve(h data.HeldChange, discard bool) {
	if !discard {
		ae.resolve([]data.HeldChange{h}, false)
		return
	}
	d := dialog.NewConfirm("Discard this change?",
		fmt.Sprintf("%s order %s stays as the accountant has it; the import's version is dropped.", channelLabel(h.Channel), h.OrderID),
		func(yes bool) {
			if yes {
				ae.resolve([]data.HeldChange{h}, true)
			}
		}, ae.a.win)
	d.SetConfirmText("Discard")
	d.Show()
}

// onResolveAll applies or discards every held change, after asking.
func (ae *accountsExport) onResolveAll(discard bool) {
	all := append([]data.HeldChange(nil), ae.holding...)
	verb, text := "Apply", "Every held order is added or changed as its import would have; the periods' next exports list them."
	if discard {
		verb, text = "Discard", "Every held import is dropped; the stored orders stay as the accountant has them."
	}
	d := dialog.NewConfirm(fmt.Sprintf("%s %s?", verb, plural(len(all), "held change", "held changes")), text, func(yes bool) {
		if yes {
			ae.resolve(all, discard)
		}
	}, ae.a.win)
	d.SetConfirmText(verb + " all")
	d.Show()
}

func (ae *accountsExport) resolve(list []data.HeldChange, discard bool) {
	store := ae.a.store
	run(ae.a.bg, func(ctx context.Context) (struct{}, error) {
		for _, h := range list {
			var err error
			if discard {
				err = store.DiscardHeldChange(ctx, h.ID)
			} else {
				err = store.ApplyHeldChange(ctx, h.ID)
			}
			if err != nil {
				return struct{}{}, fmt.Errorf("%s order %s: %w", channelLabel(h.Channel), h.OrderID, err)
			}
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		if err != nil {
			showError(ae.a.win, err)
		}
		if !discard {
			ae.a.changed() // orders changed: the screen reloads, this period's differences included
			return
		}
		ae.loadLists()
	})
}
