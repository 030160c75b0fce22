package app

import (
	"context"
	"fmt"
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

// reorderTab says what to order now, grouped by the supplier it would be ordered from, and turns the
// suggestions into draft purchase orders. "Show all SKUs" lists the whole plan instead, so the owner can
// see why a SKU is not suggested. Money shows only to roles that may see costs; drafting and the
// planning settings only to the owner.
type reorderTab struct {
	sc    *suppliersScreen
	a     *App
	query latest

	settingsLine *widget.RichText
	settingsEdit *widget.Button
	summary      *widget.Label
	showAll      *widget.Check
	search       *widget.Entry
	searches     latest
	draftAll     *widget.Button

	// The suggestions: suppliers above, the chosen supplier's lines below.
	suppliers   *pagedTable[data.SupplierSuggestion]
	lines       *pagedTable[data.ReorderLine]
	chosenHead  *widget.Label
	chosenNote  *widget.Label // the minimum-order warning, or why nothing can be drafted
	draftChosen *widget.Button
	bottom      *fyne.Container // the chosen supplier's part, laid out again when its warning shows or hides
	grouped     fyne.CanvasObject

	// The whole plan, behind "Show all SKUs".
	plan     *pagedTable[data.ReorderLine]
	planAll  []data.ReorderLine
	planView fyne.CanvasObject
	body     *fyne.Container

	now         time.Time
	settings    data.PlanningSettings
	suggestions []data.SupplierSuggestion
	chosen      string // supplier id of the chosen group; "" is the group without a supplier
	hasChosen   bool

	// Dialogs, kept for tests.
	draftDialog    *dialog.CustomDialog
	draftMessage   *widget.Label
	settingsDialog *dialog.CustomDialog
	velocityDays   *widget.Entry
	serviceLevel   *widget.Entry
	coverDays      *widget.Entry
	settingsSave   *widget.Button
	settingsError  *widget.Label
}

// reorderData is what one load of the tab reads.
type reorderData struct {
	now         time.Time
	settings    data.PlanningSettings
	suggestions []data.SupplierSuggestion
	plan        []data.ReorderLine // only when "Show all SKUs" is on
}

func newReorderTab(sc *suppliersScreen) supplierTab {
	t := &reorderTab{sc: sc, a: sc.a}
	costs := t.a.store.Can(data.PermViewCosts)
	t.settingsLine = mutedText("")
	t.settingsEdit = widget.NewButtonWithIcon("Planning settings…", theme.SettingsIcon(), t.onSettings)
	t.settingsEdit.Importance = widget.LowImportance
	t.summary = widget.NewLabel("")
	t.summary.TextStyle.Bold = true
	t.summary.Truncation = fyne.TextTruncateEllipsis
	t.showAll = widget.NewCheck("Show all SKUs", func(bool) { t.onShowAll() })
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder("Search SKU, name or supplier")
	t.search.OnChanged = func(string) { debounce(t.a.bg, &t.searches, 250*time.Millisecond, t.filterPlan) }
	t.search.Hide()
	t.draftAll = widget.NewButtonWithIcon("Draft purchase orders", theme.DocumentCreateIcon(), func() { t.onDraft(nil) })
	t.draftAll.Importance = widget.HighImportance
	t.draftChosen = widget.NewButtonWithIcon("Draft this order", theme.DocumentCreateIcon(), func() {
		if t.hasChosen && t.chosen != "" {
			t.onDraft([]string{t.chosen})
		}
	})
	if !t.a.store.Can(data.PermManageSuppliers) {
		t.draftAll.Hide()
		t.draftChosen.Hide()
	}

	scols := []column[data.SupplierSuggestion]{
		{title: "Supplier", width: 170, grow: 2, text: func(g data.SupplierSuggestion) string {
			if g.SupplierID == "" {
				return "No supplier available"
			}
			return g.SupplierName
		}},
		{title: "SKUs to order", width: 124, align: fyne.TextAlignTrailing, text: func(g data.SupplierSuggestion) string {
			return strconv.Itoa(len(g.Lines))
		}},
		{title: "Units", width: 80, align: fyne.TextAlignTrailing, text: func(g data.SupplierSuggestion) string {
			var n int64
			for _, l := range g.Lines {
				n += l.SuggestQty
			}
			return groupDigits(n)
		}},
	}
	if costs {
		scols = append(scols,
			column[data.SupplierSuggestion]{title: "Total", width: 100, align: fyne.TextAlignTrailing, text: func(g data.SupplierSuggestion) string {
				if g.SupplierID == "" {
					return "–"
				}
				return data.FormatMoney(g.Total, g.Currency)
			}},
			column[data.SupplierSuggestion]{title: "Minimum order", width: 128, align: fyne.TextAlignTrailing, drop: 2,
				text: func(g data.SupplierSuggestion) string {
					if g.SupplierID == "" || g.MinOrderValue == 0 {
						return "–"
					}
					return data.FormatMoney(g.MinOrderValue, g.Currency)
				}},
			column[data.SupplierSuggestion]{title: "", width: 170, grow: 1, drop: 1, text: suggestionNote, style: suggestionStyle},
		)
	} else {
		scols = append(scols, column[data.SupplierSuggestion]{title: "", width: 150, grow: 1, drop: 1, text: suggestionNote, style: suggestionStyle})
	}
	t.suppliers = newPagedTable(t.a, "suppliers", scols, suggestionKey)
	t.suppliers.emptyText = "Nothing needs ordering: every SKU's stock and what is on order last beyond its reorder point."
	t.suppliers.onSelected = func(g data.SupplierSuggestion) { t.choose(g) }

	t.lines = newPagedTable(t.a, "SKUs", reorderColumns(false, t.nowOf), func(l data.ReorderLine) string { return l.SKU })
	t.lines.emptyText = "Choose a supplier above to see what to order from it."
	t.chosenHead = detailHeading("")
	t.chosenNote = widget.NewLabel("")
	t.chosenNote.Wrapping = fyne.TextWrapWord
	t.chosenNote.Hide()

	t.plan = newPagedTable(t.a, "SKUs", reorderColumns(true, t.nowOf), func(l data.ReorderLine) string { return l.SKU })
	t.plan.emptyText = "No SKUs to plan yet: planning covers active SKUs that sell or have a supplier."
	return t
}

func suggestionKey(g data.SupplierSuggestion) string {
	if g.SupplierID == "" {
		return "-"
	}
	return g.SupplierID
}

// suggestionNote says what stands in the way of sending a supplier's order.
func suggestionNote(g data.SupplierSuggestion) string {
	switch {
	case g.SupplierID == "":
		return "add a supplier to order these"
	case g.BelowMinimum:
		return "below its minimum order"
	}
	return ""
}

func suggestionStyle(g data.SupplierSuggestion) widget.Importance {
	if g.SupplierID == "" || g.BelowMinimum {
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// nowOf is when the plan on display was made.
func (t *reorderTab) nowOf() time.Time { return t.now }

// reorderColumns are the columns of a plan table; the whole plan also names the supplier. now is when
// the plan on display was made.
func reorderColumns(all bool, now func() time.Time) []column[data.ReorderLine] {
	cols := []column[data.ReorderLine]{
		{title: "SKU", width: 90, text: func(l data.ReorderLine) string { return l.SKU }},
		{title: "Name", width: 100, grow: 3, drop: 1, text: func(l data.ReorderLine) string { return l.Name }},
	}
	if all {
		cols = append(cols, column[data.ReorderLine]{title: "Supplier", width: 120, grow: 1, drop: 2, text: func(l data.ReorderLine) string {
			if l.Supplier == nil {
				return "–"
			}
			return l.Supplier.SupplierName
		}})
	}
	cols = append(cols,
		column[data.ReorderLine]{title: "Sellable", width: 72, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string { return groupDigits(l.Sellable) },
			style: func(l data.ReorderLine) widget.Importance {
				if l.Sellable < 0 {
					return widget.DangerImportance
				}
				return widget.MediumImportance
			}},
		column[data.ReorderLine]{title: "On order", width: 80, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string { return groupDigits(l.OnOrder) }},
		column[data.ReorderLine]{title: "Per day", width: 76, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string { return perDayText(l.Velocity.PerDay) }},
		column[data.ReorderLine]{title: "Lead", width: 56, align: fyne.TextAlignTrailing, drop: 3,
			text: func(l data.ReorderLine) string { return daysText(l.LeadDays) }},
		column[data.ReorderLine]{title: "Reorder at", width: 96, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string { return groupDigits(l.ReorderPoint) }},
		column[data.ReorderLine]{title: "Cover", width: 62, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string { return coverText(l.DaysOfCover) }},
		column[data.ReorderLine]{title: "Runs out", width: 96,
			text: func(l data.ReorderLine) string { return runsOutText(l.StockOutAt, now()) },
			style: func(l data.ReorderLine) widget.Importance {
				if l.StockOutAt != nil && (l.NextReceiptAt == nil || l.StockOutAt.Before(*l.NextReceiptAt)) &&
					l.DaysOfCover < l.LeadDays {
					return widget.DangerImportance
				}
				return widget.MediumImportance
			}},
		column[data.ReorderLine]{title: "Order", width: 62, align: fyne.TextAlignTrailing,
			text: func(l data.ReorderLine) string {
				if !l.NeedsOrder {
					return "–"
				}
				return groupDigits(l.SuggestQty)
			},
			style: func(l data.ReorderLine) widget.Importance {
				if l.NeedsOrder {
					return widget.HighImportance
				}
				return widget.MediumImportance
			}},
	)
	return cols
}

// perDayText writes a daily demand: tenths below 10 a day, where they matter.
func perDayText(d float64) string {
	switch {
	case d == 0:
		return "0"
	case d < 10:
		return strconv.FormatFloat(d, 'f', 1, 64)
	}
	return strconv.FormatFloat(d, 'f', 0, 64)
}

// daysText writes a number of days to a tenth, without a trailing ".0": "7 d", "6.5 d".
func daysText(d float64) string {
	return strconv.FormatFloat(float64(int64(d*10+0.5))/10, 'f', -1, 64) + " d"
}

// coverText writes days of cover; −1 means nothing sells, so stock lasts.
func coverText(d float64) string {
	if d < 0 {
		return "no sales"
	}
	return strconv.FormatFloat(float64(int64(d+0.5)), 'f', 0, 64) + " d"
}

// runsOutText is when sellable stock runs out at the current rate of sales: "–" when nothing sells,
// "already" when nothing is left to sell.
func runsOutText(at *time.Time, now time.Time) string {
	switch {
	case at == nil:
		return "–"
	case !at.After(now):
		return "already"
	}
	return planDay(*at)
}

// planDay writes a day as the owner reads it, with the year only when it is not this one.
func planDay(t time.Time) string {
	l := t.In(time.Local)
	if l.Year() != time.Now().Year() {
		return l.Format("2 Jan 2006")
	}
	return l.Format("Mon 2 Jan")
}

func (t *reorderTab) view() fyne.CanvasObject {
	top := container.NewBorder(nil, nil, nil, t.settingsEdit, t.settingsLine)
	bar := container.NewBorder(nil, nil, container.NewHBox(t.showAll), t.draftAll, container.NewStack(t.search, t.summary))
	chosenBar := container.NewBorder(nil, nil, nil, container.NewCenter(t.draftChosen), t.chosenHead)
	t.bottom = container.NewBorder(container.NewVBox(widget.NewSeparator(), chosenBar, t.chosenNote), nil, nil, nil, t.lines.view())
	split := container.NewVSplit(t.suppliers.view(), t.bottom)
	split.Offset = 0.3
	t.grouped = split
	t.planView = t.plan.view()
	t.planView.Hide()
	t.body = container.NewStack(t.grouped, t.planView)
	return container.NewBorder(container.NewVBox(top, bar), nil, nil, nil, t.body)
}

// refresh plans again from the store: suggestions, and the whole plan when it is on display.
func (t *reorderTab) refresh() {
	store := t.a.store
	all := t.showAll.Checked
	t.draftAll.Disable()
	load(t.a.bg, t.a.win, &t.query, func(ctx context.Context) (reorderData, error) {
		d := reorderData{now: store.Now()}
		var err error
		if d.settings, err = store.PlanningSettings(ctx); err != nil {
			return d, err
		}
		if d.suggestions, err = store.ReorderSuggestions(ctx, d.now); err != nil {
			return d, err
		}
		if all {
			d.plan, err = store.ReorderPlan(ctx, d.now)
		}
		return d, err
	}, t.show)
}

func (t *reorderTab) show(d reorderData) {
	t.now, t.settings, t.suggestions = d.now, d.settings, d.suggestions
	setMutedText(t.settingsLine, fmt.Sprintf("Planned from sales over the last %s, a %s%% chance of not running out before a delivery and %s of cover.",
		plural(d.settings.VelocityDays, "day", "days"), strconv.FormatFloat(d.settings.ServiceLevel, 'f', -1, 64),
		plural(d.settings.CoverDays, "day", "days")))
	skus, suppliers := 0, 0
	for _, g := range d.suggestions {
		skus += len(g.Lines)
		if g.SupplierID != "" {
			suppliers++
		}
	}
	switch {
	case skus == 0:
		t.summary.SetText("Nothing needs ordering today")
	case suppliers == 0:
		t.summary.SetText(plural(skus, "SKU needs", "SKUs need") + " ordering, but none has a supplier")
	default:
		t.summary.SetText(fmt.Sprintf("%s to order from %s", plural(skus, "SKU", "SKUs"), plural(suppliers, "supplier", "suppliers")))
	}
	setEnabled(t.draftAll, suppliers > 0)
	rows := d.suggestions
	t.suppliers.setSource(listSource(func(context.Context) ([]data.SupplierSuggestion, error) { return rows, nil }))
	// Keep the chosen supplier when it still has suggestions, else choose the first.
	var chosen *data.SupplierSuggestion
	for i := range rows {
		if t.hasChosen && rows[i].SupplierID == t.chosen {
			chosen = &rows[i]
		}
	}
	if chosen == nil && len(rows) > 0 {
		chosen = &rows[0]
	}
	if chosen != nil {
		t.suppliers.markSelected(suggestionKey(*chosen))
		t.choose(*chosen)
	} else {
		t.hasChosen = false
		t.chosenHead.SetText("")
		t.chosenNote.Hide()
		t.draftChosen.Disable()
		t.lines.setSource(listSource(func(context.Context) ([]data.ReorderLine, error) { return nil, nil }))
	}
	if d.plan != nil {
		t.planAll = d.plan
		t.filterPlan()
	}
}

// choose shows one supplier's suggested lines below the suppliers.
func (t *reorderTab) choose(g data.SupplierSuggestion) {
	t.chosen, t.hasChosen = g.SupplierID, true
	costs := t.a.store.Can(data.PermViewCosts)
	head := "Without a supplier"
	if g.SupplierID != "" {
		head = "From " + g.SupplierName
		if costs {
			head += " · " + data.FormatMoney(g.Total, g.Currency)
		}
	}
	t.chosenHead.SetText(head)
	switch {
	case g.SupplierID == "":
		t.chosenNote.SetText("These SKUs need ordering but no available supplier sells them. Add a supplier for them " +
			"on the Suppliers tab, or mark theirs available again.")
		t.chosenNote.Importance = widget.WarningImportance
		t.chosenNote.Show()
	case g.BelowMinimum && costs:
		t.chosenNote.SetText(fmt.Sprintf("Below %s's minimum order of %s: add to the order or wait until more is needed.",
			g.SupplierName, data.FormatMoney(g.MinOrderValue, g.Currency)))
		t.chosenNote.Importance = widget.WarningImportance
		t.chosenNote.Show()
	default:
		t.chosenNote.Hide()
	}
	if t.bottom != nil {
		t.bottom.Refresh()
	}
	t.draftChosen.SetText("Draft this order")
	setEnabled(t.draftChosen, g.SupplierID != "")
	lines := g.Lines
	t.lines.setSource(listSource(func(context.Context) ([]data.ReorderLine, error) { return lines, nil }))
}

// onShowAll switches between the suggestions and the whole plan.
func (t *reorderTab) onShowAll() {
	if t.showAll.Checked {
		t.grouped.Hide()
		t.summary.Hide()
		t.search.Show()
		t.planView.Show()
	} else {
		t.planView.Hide()
		t.search.Hide()
		t.summary.Show()
		t.grouped.Show()
	}
	t.body.Refresh()
	t.refresh()
}

// filterPlan shows the plan lines matching the search.
func (t *reorderTab) filterPlan() {
	q := strings.ToLower(strings.TrimSpace(t.search.Text))
	var rows []data.ReorderLine
	for _, l := range t.planAll {
		if q == "" || strings.Contains(strings.ToLower(l.SKU), q) || strings.Contains(strings.ToLower(l.Name), q) ||
			l.Supplier != nil && strings.Contains(strings.ToLower(l.Supplier.SupplierName), q) {
			rows = append(rows, l)
		}
	}
	if q != "" {
		t.plan.emptyText = fmt.Sprintf("No SKU matches %q.", t.search.Text)
	} else {
		t.plan.emptyText = "No SKUs to plan yet: planning covers active SKUs that sell or have a supplier."
	}
	t.plan.setSource(listSource(func(context.Context) ([]data.ReorderLine, error) { return rows, nil }))
}

// draftResult is what drafting wrote and what it left out.
type draftResult struct {
	pos     []data.PurchaseOrder
	skipped []data.SkippedReorder
}

// onDraft turns the suggestions of the given suppliers (nil for all) into draft purchase orders, then
// says what was drafted and what was left out, with a way to open each draft.
func (t *reorderTab) onDraft(supplierIDs []string) {
	store := t.a.store
	t.draftAll.Disable()
	t.draftChosen.Disable()
	run(t.a.bg, func(ctx context.Context) (draftResult, error) {
		var r draftResult
		var err error
		r.pos, r.skipped, err = store.DraftPOsFromSuggestions(ctx, store.Now(), supplierIDs)
		return r, err
	}, func(r draftResult, err error) {
		t.refresh()
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.a.contingenciesChanged()
		t.showDrafted(r)
	})
}

func (t *reorderTab) showDrafted(r draftResult) {
	names := map[string]string{}
	for _, g := range t.suggestions {
		names[g.SupplierID] = g.SupplierName
	}
	box := container.NewVBox()
	var intro string
	switch len(r.pos) {
	case 0:
		intro = "Nothing was drafted: every suggested SKU is already on a purchase order."
	case 1:
		intro = "1 purchase order was drafted. Check it, then send it from the Purchase orders tab."
	default:
		intro = fmt.Sprintf("%d purchase orders were drafted. Check them, then send them from the Purchase orders tab.", len(r.pos))
	}
	t.draftMessage = widget.NewLabel(intro)
	t.draftMessage.Wrapping = fyne.TextWrapWord
	box.Add(t.draftMessage)
	for _, po := range r.pos {
		id := po.ID
		what := fmt.Sprintf("%s · %s", po.SupplierName, plural(len(po.Lines), "line", "lines"))
		if !po.CostsHidden {
			what += " · " + data.FormatMoney(po.Total, po.Currency)
		}
		open := widget.NewButtonWithIcon("Open "+po.Number, theme.NavigateNextIcon(), func() {
			t.draftDialog.Hide()
			t.sc.openPO(id)
		})
		open.Importance = widget.LowImportance
		box.Add(container.NewBorder(nil, nil, nil, open, widget.NewLabel(what)))
	}
	if len(r.skipped) > 0 {
		var parts []string
		for _, s := range r.skipped {
			parts = append(parts, fmt.Sprintf("%s (on %s)", s.SKU, s.PO))
		}
		skipped := widget.NewLabel("Left out, already on a purchase order: " + strings.Join(parts, ", ") + ".")
		skipped.Wrapping = fyne.TextWrapWord
		skipped.Importance = widget.WarningImportance
		box.Add(skipped)
	}
	closeBtn := widget.NewButton("Close", func() { t.draftDialog.Hide() })
	t.draftDialog = dialog.NewCustomWithoutButtons("Draft purchase orders", fixedWidth(box, 460), t.a.win)
	t.draftDialog.SetButtons([]fyne.CanvasObject{closeBtn})
	t.draftDialog.Show()
}

// The planning settings, as the form shows and explains them.
var planningFields = []struct {
	key          data.Setting
	label, help  string
	unit         string
	defaultValue string
}{
	{data.SettingVelocityDays, "Sales window", "How far back sales are averaged. Days a SKU was out of stock and sold nothing are left out. " +
		"Longer is steadier; shorter follows a trend sooner. 7 to 365 days.", "days", "56"},
	{data.SettingServiceLevel, "Service level", "The chance of not running out while a delivery is on its way. Higher keeps more " +
		"safety stock for the same sales. 50 to 99.9 %.", "%", "95"},
	{data.SettingCoverDays, "Cover", "Days of sales each order covers on top of the lead time. More means fewer, larger orders. " +
		"0 to 365 days.", "days", "30"},
}

// onSettings opens the planning settings; only the owner may change them, others see them read-only.
func (t *reorderTab) onSettings() {
	owner := t.a.store.Can(data.PermManageUsers)
	values := []string{strconv.Itoa(t.settings.VelocityDays), strconv.FormatFloat(t.settings.ServiceLevel, 'f', -1, 64),
		strconv.Itoa(t.settings.CoverDays)}
	t.velocityDays, t.serviceLevel, t.coverDays = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	entries := []*widget.Entry{t.velocityDays, t.serviceLevel, t.coverDays}
	form := container.NewVBox()
	for i, f := range planningFields {
		e := entries[i]
		e.SetText(values[i])
		e.SetPlaceHolder(f.defaultValue)
		if !owner {
			e.Disable()
		}
		label := widget.NewLabelWithStyle(f.label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		row := container.NewBorder(nil, nil, nil, container.NewHBox(fixedWidth(e, 90), fixedWidth(widget.NewLabel(f.unit), 56)), label)
		form.Add(row)
		form.Add(mutedText(f.help))
		if i < len(planningFields)-1 {
			form.Add(layout.NewSpacer())
		}
	}
	t.settingsError = widget.NewLabel("")
	t.settingsError.Importance = widget.DangerImportance
	t.settingsError.Wrapping = fyne.TextWrapWord
	t.settingsError.Hide()
	form.Add(t.settingsError)
	closeBtn := widget.NewButton("Close", func() { t.settingsDialog.Hide() })
	buttons := []fyne.CanvasObject{closeBtn}
	if owner {
		closeBtn.SetText("Cancel")
		t.settingsSave = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), t.onSettingsSave)
		t.settingsSave.Importance = widget.HighImportance
		buttons = append(buttons, t.settingsSave)
	} else {
		form.Add(mutedText("Only the owner can change these."))
	}
	t.settingsDialog = dialog.NewCustomWithoutButtons("Planning settings", fixedWidth(form, 480), t.a.win)
	t.settingsDialog.SetButtons(buttons)
	t.settingsDialog.Show()
}

func (t *reorderTab) onSettingsSave() {
	store := t.a.store
	values := map[data.Setting]string{
		data.SettingVelocityDays: strings.TrimSpace(t.velocityDays.Text),
		data.SettingServiceLevel: strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t.serviceLevel.Text), "%")),
		data.SettingCoverDays:    strings.TrimSpace(t.coverDays.Text),
	}
	before := map[data.Setting]string{
		data.SettingVelocityDays: strconv.Itoa(t.settings.VelocityDays),
		data.SettingServiceLevel: strconv.FormatFloat(t.settings.ServiceLevel, 'f', -1, 64),
		data.SettingCoverDays:    strconv.Itoa(t.settings.CoverDays),
	}
	t.settingsSave.Disable()
	run(t.a.bg, func(ctx context.Context) (struct{}, error) {
		for _, f := range planningFields {
			if values[f.key] == before[f.key] {
				continue // unchanged: no write, no audit entry
			}
			if err := store.SetSetting(ctx, f.key, values[f.key]); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		t.settingsSave.Enable()
		if err != nil {
			showFormProblem(t.a.win, t.settingsDialog, t.settingsError, 480, planningProblem(err), nil)
			return
		}
		t.settingsDialog.Hide()
		t.a.contingenciesChanged()
		t.refresh()
	})
}

// planningProblem words a refused setting for the form, by the name the form gives it.
func planningProblem(err error) string {
	msg := data.UserMessage(err)
	for _, f := range planningFields {
		msg = strings.Replace(msg, "setting "+string(f.key), f.label, 1)
	}
	return msg
}
