package app

import (
	"context"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// contingencyTabTitle names the tab, so the alert banner can open it.
const contingencyTabTitle = "Contingency"

// closedAlertsShown is how many cleared or dismissed alerts the tab keeps below the live ones: enough
// to see what happened lately without the list growing for ever.
const closedAlertsShown = 20

// The words the rule dialog uses for scopes, triggers and actions, in the order it offers them.
var (
	ruleScopes   = []string{"Every supplier and product", "One supplier", "One product (SKU)"}
	ruleTriggers = []struct{ kind, label string }{
		{data.TriggerPOLate, "A purchase order is late"},
		{data.TriggerOnTimeBelow, "The supplier's on-time rate drops"},
		{data.TriggerSupplierUnavailable, "The supplier is marked unavailable"},
		{data.TriggerStockoutBeforeReceipt, "Stock will run out before the next delivery"},
	}
	ruleActions = []struct{ kind, label string }{
		{data.ActionAlert, "Alert me"},
		{data.ActionDraftBackupPO, "Draft a PO with the next backup supplier"},
		{data.ActionListHeldOrders, "List the customer orders it holds up"},
	}
)

// contingencyTab is where the owner plans for a supplier failing: the rules (a trigger and an action,
// each said in one sentence) and the alerts they raised, live ones first, each leading to the PO the
// rule drafted and the customer orders the shortage holds up. The accountant sees it read-only.
type contingencyTab struct {
	sc    *suppliersScreen
	a     *App
	query latest

	addRule     *widget.Button
	rulesBox    *fyne.Container
	rulesEmpty  *widget.Label
	alertsBox   *fyne.Container
	alertsEmpty *widget.Label
	alertsHead  *widget.Label

	rules     []data.ContingencyRule
	alerts    []data.ContingencyAlert
	poNumbers map[int64]string

	// The rule dialog, kept for tests.
	ruleDialog    *dialog.CustomDialog
	ruleScope     *widget.RadioGroup
	ruleSupplier  *widget.Select
	ruleSKU       *widget.Entry
	ruleTrigger   *widget.Select
	ruleLateDays  *widget.Entry
	ruleMinOnTime *widget.Entry
	ruleLastPOs   *widget.Entry
	ruleAction    *widget.RadioGroup
	rulePreview   *widget.Label
	ruleSave      *widget.Button
	ruleError     *widget.Label
	lateRow       fyne.CanvasObject
	onTimeRow     fyne.CanvasObject
	editing       *data.ContingencyRule
	suppliers     []data.Supplier

	heldDialog *dialog.CustomDialog
	heldTable  *gridTable
}

// contingencyData is what one load of the tab reads.
type contingencyData struct {
	rules     []data.ContingencyRule
	alerts    []data.ContingencyAlert // live first, then the latest closed ones
	poNumbers map[int64]string
}

func newContingencyTab(sc *suppliersScreen) supplierTab {
	t := &contingencyTab{sc: sc, a: sc.a, poNumbers: map[int64]string{}}
	t.addRule = widget.NewButtonWithIcon("Add rule…", theme.ContentAddIcon(), func() { t.onRule(nil) })
	t.addRule.Importance = widget.HighImportance
	if !t.canManage() {
		t.addRule.Hide()
	}
	t.rulesBox = container.NewVBox()
	t.rulesEmpty = widget.NewLabel("No rules yet. A rule watches for a supplier letting you down (a late PO, a falling " +
		"on-time rate, being marked unavailable, stock running out before the next delivery) and alerts you, drafts a " +
		"PO with the backup supplier or lists the customer orders that will wait.")
	t.rulesEmpty.Wrapping = fyne.TextWrapWord
	t.rulesEmpty.Importance = widget.LowImportance
	t.alertsBox = container.NewVBox()
	t.alertsHead = widget.NewLabelWithStyle("Alerts", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.alertsHead.SizeName = theme.SizeNameSubHeadingText
	t.alertsEmpty = widget.NewLabel("No alerts. Rules are checked when Backroom starts, when the day changes and " +
		"whenever stock, orders or suppliers change.")
	t.alertsEmpty.Wrapping = fyne.TextWrapWord
	t.alertsEmpty.Importance = widget.LowImportance
	if t.a.contingency != nil {
		t.a.contingency.listen("contingency-tab", func() {
			if t.a.showing(t.sc) && t.sc.tabs.Selected() != nil && t.sc.tabs.Selected().Text == contingencyTabTitle {
				t.refresh()
			}
		})
	}
	return t
}

func (t *contingencyTab) canManage() bool { return t.a.store.Can(data.PermManageSuppliers) }

func (t *contingencyTab) view() fyne.CanvasObject {
	rulesHead := cardHeading("Rules", "What to watch for and what to do when it happens.", t.addRule)
	rules := container.NewBorder(rulesHead, nil, nil, nil, container.NewVScroll(container.NewVBox(t.rulesBox, t.rulesEmpty)))
	alertsHead := container.NewVBox(widget.NewSeparator(), t.alertsHead,
		mutedText("Live alerts first: each stays until its cause is gone (the PO arrives, the supplier is back). Dismiss one you have dealt with."))
	alerts := container.NewBorder(alertsHead, nil, nil, nil, container.NewVScroll(container.NewVBox(t.alertsBox, t.alertsEmpty)))
	split := container.NewVSplit(rules, alerts)
	split.Offset = 0.4
	return split
}

func (t *contingencyTab) refresh() {
	store := t.a.store
	load(t.a.bg, t.a.win, &t.query, func(ctx context.Context) (contingencyData, error) {
		var d contingencyData
		var err error
		if d.rules, err = store.ContingencyRules(ctx); err != nil {
			return d, err
		}
		all, err := store.ContingencyAlerts(ctx, true)
		if err != nil {
			return d, err
		}
		var closed []data.ContingencyAlert
		for _, a := range all {
			if a.Cleared || a.Dismissed {
				if len(closed) < closedAlertsShown {
					closed = append(closed, a)
				}
				continue
			}
			d.alerts = append(d.alerts, a)
		}
		d.alerts = append(d.alerts, closed...)
		d.poNumbers = map[int64]string{}
		for _, a := range d.alerts {
			if a.PO == nil {
				continue
			}
			po, err := store.PurchaseOrder(ctx, *a.PO)
			if err != nil {
				continue // cancelled and gone, or never synced here: the alert still reads well without it
			}
			d.poNumbers[po.ID] = fmt.Sprintf("%s (%s)", po.Number, strings.ToLower(po.Status.Label()))
		}
		return d, nil
	}, t.show)
}

func (t *contingencyTab) show(d contingencyData) {
	t.rules, t.alerts, t.poNumbers = d.rules, d.alerts, d.poNumbers
	t.rulesBox.RemoveAll()
	for _, r := range d.rules {
		t.rulesBox.Add(t.ruleRow(r))
	}
	if len(d.rules) == 0 {
		t.rulesEmpty.Show()
	} else {
		t.rulesEmpty.Hide()
	}
	t.alertsBox.RemoveAll()
	live := 0
	for i, a := range d.alerts {
		if !a.Cleared && !a.Dismissed {
			live++
		}
		if i > 0 {
			t.alertsBox.Add(widget.NewSeparator())
		}
		t.alertsBox.Add(t.alertRow(a))
	}
	switch live {
	case 0:
		t.alertsHead.SetText("Alerts")
	default:
		t.alertsHead.SetText(fmt.Sprintf("Alerts · %d live", live))
	}
	if len(d.alerts) == 0 {
		t.alertsEmpty.Show()
	} else {
		t.alertsEmpty.Hide()
	}
	t.rulesBox.Refresh()
	t.alertsBox.Refresh()
}

// ruleRow is one rule: a switch, its sentence, and edit and remove.
func (t *contingencyTab) ruleRow(r data.ContingencyRule) fyne.CanvasObject {
	active := widget.NewCheck("", nil)
	active.SetChecked(r.Active)
	active.OnChanged = func(on bool) { t.onActive(r, on) }
	text := widget.NewLabel(r.Describe() + ".")
	text.Wrapping = fyne.TextWrapWord
	if !r.Active {
		text.Importance = widget.LowImportance
	}
	edit := widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), func() { t.onRule(&r) })
	edit.Importance = widget.LowImportance
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { t.onRemove(r) })
	remove.Importance = widget.LowImportance
	if !t.canManage() {
		active.Disable()
		edit.Hide()
		remove.Hide()
	}
	return container.NewBorder(nil, nil, active, container.NewHBox(edit, remove), text)
}

// alertRow is one alert: what happened and when, what the rule did, and what is left to do.
func (t *contingencyTab) alertRow(a data.ContingencyAlert) fyne.CanvasObject {
	live := !a.Cleared && !a.Dismissed
	icon := widget.NewIcon(theme.WarningIcon())
	when := a.FiredAt.In(time.Local).Format("Mon 2 Jan 15:04")
	switch {
	case a.Dismissed:
		when += " · dismissed"
		icon.SetResource(theme.ConfirmIcon())
	case a.Cleared:
		when += " · resolved"
		icon.SetResource(theme.ConfirmIcon())
	}
	links := container.NewHBox()
	if a.PO != nil {
		id := *a.PO
		label := t.poNumbers[id]
		if label == "" {
			label = "the drafted PO"
		}
		link := widget.NewHyperlink("Open "+label, nil)
		link.OnTapped = func() { t.sc.openPO(id) }
		links.Add(link)
	}
	if n := len(a.HeldOrders); n > 0 {
		held := widget.NewHyperlink(plural(n, "customer order waits", "customer orders wait"), nil)
		held.OnTapped = func() { t.onHeld(a) }
		links.Add(held)
	}
	text := container.NewVBox(alertText(a.Message, when+" · "+a.Rule, live))
	if len(links.Objects) > 0 {
		text.Add(links)
	}
	var right fyne.CanvasObject
	if live && t.canManage() {
		dismiss := widget.NewButton("Dismiss", func() { t.onDismiss(a) })
		right = container.NewVBox(dismiss)
	}
	return container.NewBorder(nil, nil, container.NewVBox(icon), right, text)
}

func (t *contingencyTab) onActive(r data.ContingencyRule, on bool) {
	if r.Active == on {
		return
	}
	r.Active = on
	t.save(r, nil)
}

// save writes a rule (new when its ID is empty), then evaluates the rules again; done, when not nil,
// gets the outcome on the UI goroutine instead of a dialog.
func (t *contingencyTab) save(r data.ContingencyRule, done func(error)) {
	store := t.a.store
	run(t.a.bg, func(ctx context.Context) (data.ContingencyRule, error) {
		if r.ID == "" {
			return store.AddContingencyRule(ctx, r)
		}
		return store.UpdateContingencyRule(ctx, r)
	}, func(_ data.ContingencyRule, err error) {
		if err == nil {
			t.a.contingenciesChanged()
		}
		t.refresh()
		if done != nil {
			done(err)
			return
		}
		showError(t.a.win, err)
	})
}

func (t *contingencyTab) onRemove(r data.ContingencyRule) {
	msg := widget.NewLabel(fmt.Sprintf("Remove the rule \u201c%s\u201d?\n\nA rule that has already fired is switched off instead, "+
		"so its alerts stay on record.", r.Describe()))
	msg.Wrapping = fyne.TextWrapWord
	dialog.ShowCustomConfirm("Remove rule", "Remove", "Keep", fixedWidth(msg, 420), func(ok bool) {
		if !ok {
			return
		}
		store := t.a.store
		run(t.a.bg, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.RemoveContingencyRule(ctx, r.ID)
		}, func(_ struct{}, err error) {
			t.refresh()
			if err != nil {
				showError(t.a.win, err)
				return
			}
			t.a.contingenciesChanged()
		})
	}, t.a.win)
}

func (t *contingencyTab) onDismiss(a data.ContingencyAlert) {
	store := t.a.store
	run(t.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.DismissAlert(ctx, a.ID)
	}, func(_ struct{}, err error) {
		showError(t.a.win, err)
		t.a.contingencyAlertsChanged() // the dashboard's card, and this tab
		t.refresh()
	})
}

// onRule opens the rule dialog: a new rule, or r to edit. Parameters show only for the trigger that
// uses them, and the sentence below says what the rule will do as it is being written.
func (t *contingencyTab) onRule(r *data.ContingencyRule) {
	t.editing, t.ruleDialog = r, nil
	t.ruleScope = widget.NewRadioGroup(ruleScopes, func(string) { t.ruleChanged() })
	t.ruleScope.Horizontal = true
	t.ruleSupplier = widget.NewSelect(nil, func(string) { t.ruleChanged() })
	t.ruleSupplier.PlaceHolder = "Choose a supplier"
	t.ruleSKU = widget.NewEntry()
	t.ruleSKU.SetPlaceHolder("SKU, as in Inventory")
	t.ruleSKU.OnChanged = func(string) { t.ruleChanged() }
	var triggers []string
	for _, tr := range ruleTriggers {
		triggers = append(triggers, tr.label)
	}
	t.ruleTrigger = widget.NewSelect(triggers, func(string) { t.ruleChanged() })
	t.ruleTrigger.PlaceHolder = "Choose what to watch for"
	t.ruleLateDays = widget.NewEntry()
	t.ruleLateDays.OnChanged = func(string) { t.ruleChanged() }
	t.ruleMinOnTime = widget.NewEntry()
	t.ruleMinOnTime.OnChanged = func(string) { t.ruleChanged() }
	t.ruleLastPOs = widget.NewEntry()
	t.ruleLastPOs.OnChanged = func(string) { t.ruleChanged() }
	var actions []string
	for _, ac := range ruleActions {
		actions = append(actions, ac.label)
	}
	t.ruleAction = widget.NewRadioGroup(actions, func(string) { t.ruleChanged() })
	t.rulePreview = widget.NewLabel("")
	t.rulePreview.Wrapping = fyne.TextWrapWord
	t.rulePreview.TextStyle.Italic = true
	t.ruleError = widget.NewLabel("")
	t.ruleError.Importance = widget.DangerImportance
	t.ruleError.Wrapping = fyne.TextWrapWord
	t.ruleError.Hide()

	t.lateRow = container.NewHBox(widget.NewLabel("Late by more than"), fixedWidth(t.ruleLateDays, 70), widget.NewLabel("days"))
	t.onTimeRow = container.NewHBox(widget.NewLabel("On time less than"), fixedWidth(t.ruleMinOnTime, 70),
		widget.NewLabel("% of its last"), fixedWidth(t.ruleLastPOs, 60), widget.NewLabel("POs"))

	form := widget.NewForm(
		widget.NewFormItem("Watch", container.NewVBox(t.ruleScope, t.ruleSupplier, t.ruleSKU)),
		widget.NewFormItem("When", container.NewVBox(t.ruleTrigger, t.lateRow, t.onTimeRow)),
		widget.NewFormItem("Then", t.ruleAction),
	)
	title := "Add a contingency rule"
	saveText := "Add rule"
	// Defaults that make a sensible rule as soon as a trigger is chosen.
	t.ruleLateDays.SetText("3")
	t.ruleMinOnTime.SetText("80")
	t.ruleLastPOs.SetText("5")
	t.ruleScope.SetSelected(ruleScopes[1])
	t.ruleAction.SetSelected(ruleActions[0].label)
	if r != nil {
		title, saveText = "Edit rule", "Save"
		switch {
		case r.SKU != "":
			t.ruleScope.SetSelected(ruleScopes[2])
			t.ruleSKU.SetText(r.SKU)
		case r.SupplierID != "":
			t.ruleScope.SetSelected(ruleScopes[1])
		default:
			t.ruleScope.SetSelected(ruleScopes[0])
		}
		for _, tr := range ruleTriggers {
			if tr.kind == r.Trigger {
				t.ruleTrigger.SetSelected(tr.label)
			}
		}
		for _, ac := range ruleActions {
			if ac.kind == r.Action {
				t.ruleAction.SetSelected(ac.label)
			}
		}
		if r.Trigger == data.TriggerPOLate {
			t.ruleLateDays.SetText(strconv.Itoa(r.LateDays))
		}
		if r.Trigger == data.TriggerOnTimeBelow {
			t.ruleMinOnTime.SetText(strconv.Itoa(r.MinOnTime))
			t.ruleLastPOs.SetText(strconv.Itoa(r.LastPOs))
		}
	}
	t.ruleSave = widget.NewButtonWithIcon(saveText, theme.ConfirmIcon(), t.onRuleSave)
	t.ruleSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { t.ruleDialog.Hide() })
	content := container.NewVBox(form, widget.NewSeparator(), t.rulePreview, t.ruleError)
	t.ruleDialog = dialog.NewCustomWithoutButtons(title, fixedWidth(content, 620), t.a.win)
	t.ruleDialog.SetButtons([]fyne.CanvasObject{cancel, t.ruleSave})
	t.ruleChanged()
	t.ruleDialog.Show()

	store := t.a.store
	run(t.a.bg, func(ctx context.Context) ([]data.Supplier, error) {
		return store.Suppliers(ctx)
	}, func(sps []data.Supplier, err error) {
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.suppliers = sps
		var names []string
		for _, sp := range sps {
			names = append(names, sp.Name)
		}
		t.ruleSupplier.SetOptions(names)
		if r != nil && r.SupplierID != "" {
			for _, sp := range sps {
				if sp.ID == r.SupplierID {
					t.ruleSupplier.SetSelected(sp.Name)
				}
			}
		}
		t.ruleChanged()
	})
}

// ruleFromForm reads the dialog into a rule. Numbers that do not parse are left at -1 so Validate
// names the field.
func (t *contingencyTab) ruleFromForm() data.ContingencyRule {
	var r data.ContingencyRule
	if t.editing != nil {
		r = data.ContingencyRule{ID: t.editing.ID, Active: t.editing.Active}
	}
	switch t.ruleScope.Selected {
	case ruleScopes[1]:
		for _, sp := range t.suppliers {
			if sp.Name == t.ruleSupplier.Selected {
				r.SupplierID, r.SupplierName = sp.ID, sp.Name
			}
		}
	case ruleScopes[2]:
		r.SKU = strings.TrimSpace(t.ruleSKU.Text)
	}
	for _, tr := range ruleTriggers {
		if tr.label == t.ruleTrigger.Selected {
			r.Trigger = tr.kind
		}
	}
	for _, ac := range ruleActions {
		if ac.label == t.ruleAction.Selected {
			r.Action = ac.kind
		}
	}
	number := func(e *widget.Entry) int {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(e.Text), "%")))
		if err != nil {
			return -1
		}
		return n
	}
	switch r.Trigger {
	case data.TriggerPOLate:
		r.LateDays = number(t.ruleLateDays)
	case data.TriggerOnTimeBelow:
		r.MinOnTime, r.LastPOs = number(t.ruleMinOnTime), number(t.ruleLastPOs)
	}
	return r
}

// ruleChanged shows the fields the chosen scope and trigger use, and the rule in words.
func (t *contingencyTab) ruleChanged() {
	if t.ruleAction == nil || t.rulePreview == nil {
		return // still being built
	}
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(t.ruleSupplier, t.ruleScope.Selected == ruleScopes[1])
	show(t.ruleSKU, t.ruleScope.Selected == ruleScopes[2])
	r := t.ruleFromForm()
	show(t.lateRow, r.Trigger == data.TriggerPOLate)
	show(t.onTimeRow, r.Trigger == data.TriggerOnTimeBelow)
	switch {
	case r.Trigger == "":
		t.rulePreview.SetText("Choose what to watch for.")
	case t.ruleScope.Selected == ruleScopes[1] && r.SupplierID == "":
		t.rulePreview.SetText("Choose the supplier to watch.")
	case t.ruleScope.Selected == ruleScopes[2] && r.SKU == "":
		t.rulePreview.SetText("Type the SKU to watch.")
	case r.Validate() != nil:
		t.rulePreview.SetText(data.UserMessage(r.Validate()))
	default:
		t.rulePreview.SetText(r.Describe() + ".")
	}
	if t.ruleDialog != nil {
		t.ruleDialog.Resize(fyne.NewSize(t.ruleDialog.MinSize().Width, t.ruleDialog.MinSize().Height))
	}
}

func (t *contingencyTab) onRuleSave() {
	r := t.ruleFromForm()
	var problem string
	var field fyne.Focusable
	switch {
	case r.Trigger == "":
		problem = "Choose what the rule watches for."
	case t.ruleScope.Selected == ruleScopes[1] && r.SupplierID == "":
		problem = "Choose the supplier to watch."
	case t.ruleScope.Selected == ruleScopes[2] && r.SKU == "":
		problem, field = "Type the SKU to watch.", t.ruleSKU
	case r.Validate() != nil:
		problem = data.UserMessage(r.Validate())
	}
	if problem != "" {
		showFormProblem(t.a.win, t.ruleDialog, t.ruleError, 620, problem, field)
		return
	}
	t.ruleSave.Disable()
	t.save(r, func(err error) {
		t.ruleSave.Enable()
		if err != nil {
			showFormProblem(t.a.win, t.ruleDialog, t.ruleError, 620, data.UserMessage(err), nil)
			return
		}
		t.ruleDialog.Hide()
	})
}

// alertText is an alert's message over a muted line saying when it fired and by which rule, in one
// text so the two read as one item. A closed alert's message is muted too.
func alertText(message, detail string, live bool) *widget.RichText {
	colour := theme.ColorNameForeground
	if !live {
		colour = theme.ColorNamePlaceHolder
	}
	rt := widget.NewRichText(
		&widget.TextSegment{Text: message, Style: widget.RichTextStyle{ColorName: colour, SizeName: theme.SizeNameText}},
		&widget.TextSegment{Text: detail, Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText}},
	)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// heldOrder is one customer order an alert holds up, as the dialog lists it.
type heldOrder struct {
	order    data.Order
	waitsFor string
}

// onHeld lists the customer orders an alert holds up: who is waiting and for what, so the owner can
// tell them.
func (t *contingencyTab) onHeld(a data.ContingencyAlert) {
	store := t.a.store
	run(t.a.bg, func(ctx context.Context) ([]heldOrder, error) {
		atRisk, err := alertSKUs(ctx, store, a.Subject)
		if err != nil {
			return nil, err
		}
		var out []heldOrder
		for _, id := range a.HeldOrders {
			o, err := store.Order(ctx, id)
			if err != nil {
				return nil, err
			}
			var waits, all []string
			for _, l := range o.Lines {
				if l.SKU == "" {
					continue
				}
				what := fmt.Sprintf("%d × %s", l.Quantity, l.SKU)
				all = append(all, what)
				if atRisk[strings.ToLower(l.SKU)] {
					waits = append(waits, what)
				}
			}
			if len(waits) == 0 {
				waits = all // a kit held by one of its parts: the kit is what the customer waits for
			}
			out = append(out, heldOrder{order: o, waitsFor: strings.Join(waits, ", ")})
		}
		return out, nil
	}, func(held []heldOrder, err error) {
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.showHeld(a, held)
	})
}

func (t *contingencyTab) showHeld(a data.ContingencyAlert, held []heldOrder) {
	t.heldTable = newGridTable(3,
		gridColumn{title: "Order", width: 120},
		gridColumn{title: "Customer", width: 150},
		gridColumn{title: "Placed", width: 90},
		gridColumn{title: "Waits for", width: 170})
	var rows [][]string
	for _, h := range held {
		rows = append(rows, []string{channelLabel(h.order.Channel) + " " + h.order.ExternalID, h.order.CustomerName,
			h.order.PlacedAt.In(time.Local).Format("2 Jan"), h.waitsFor})
	}
	t.heldTable.setRows(rows, nil)
	what := "this open order"
	if len(held) != 1 {
		what = fmt.Sprintf("these %d open orders", len(held))
	}
	intro := widget.NewLabel(fmt.Sprintf("When the alert fired, the stock on hand did not cover %s, oldest first as packing takes them. "+
		"You may want to tell the customers.", what))
	intro.Wrapping = fyne.TextWrapWord
	// The list scrolls past ten orders; up to then the dialog simply grows.
	var list fyne.CanvasObject = t.heldTable.box
	if len(rows) > 10 {
		room := canvas.NewRectangle(color.Transparent)
		room.SetMinSize(fyne.NewSize(0, 400))
		list = container.NewStack(room, container.NewVScroll(t.heldTable.box))
	}
	t.heldDialog = dialog.NewCustom("Customer orders held up", "Close", fixedWidth(container.NewVBox(intro, list), 600), t.a.win)
	t.heldDialog.Show()
	// The intro wraps only once it has a width: size the dialog again now that it has one.
	t.heldDialog.Resize(t.heldDialog.MinSize())
}

// alertSKUs are the SKUs an alert is about, lower case, read from its subject: the SKU itself, the late
// PO's outstanding lines, or the products the failing supplier is primary for.
func alertSKUs(ctx context.Context, s *data.Store, subject string) (map[string]bool, error) {
	out := map[string]bool{}
	kind, ref, _ := strings.Cut(subject, ":")
	switch kind {
	case "sku":
		out[strings.ToLower(ref)] = true
	case "po":
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			return out, nil
		}
		po, err := s.PurchaseOrder(ctx, id)
		if err != nil {
			return out, nil // the PO is gone; the dialog falls back to whole orders
		}
		for _, l := range po.Lines {
			if l.Outstanding() > 0 {
				out[strings.ToLower(l.SKU)] = true
			}
		}
	case "supplier":
		items, err := s.SupplierItems(ctx, ref)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Rank == 1 {
				out[strings.ToLower(it.SKU)] = true
			}
		}
	}
	return out, nil
}
