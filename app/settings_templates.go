package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// previewOrders is how many recent orders the template preview offers to fill a template with.
const previewOrders = 40

// previewDelay lets typing pause before the preview renders again, so each keystroke costs nothing.
const previewDelay = 250 * time.Millisecond

// templatesEditor is Settings › Messages › Templates: the customer message templates, each edited
// beside a live preview filled in from a real order, so a misspelt field shows before a customer sees it.
type templatesEditor struct {
	a *App

	all    []data.MessageTemplate
	chosen int // index in all; -1 for a new template not yet saved
	list   *widget.List

	name    *widget.Entry
	subject *widget.Entry
	body    *widget.Entry
	html    *widget.Check
	save    *widget.Button
	remove  *widget.Button
	note    *widget.Label

	orders      []data.Order
	order       *widget.Select
	previewSubj *widget.Label
	previewBody *widget.Label
	previewErr  *widget.Label
	previews    latest
	typing      latest
	loading     bool // fields are being filled from a saved template: no preview per field
}

func newTemplatesEditor(a *App) *templatesEditor {
	e := &templatesEditor{a: a, chosen: -1}
	e.list = widget.NewList(func() int { return len(e.all) },
		func() fyne.CanvasObject { return widget.NewLabel("Shipped: your parcel is on its way") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(e.all[id].Name) })
	e.list.OnSelected = func(id widget.ListItemID) { e.choose(id) }

	e.name = widget.NewEntry()
	e.name.SetPlaceHolder("Shipped with tracking")
	e.subject = widget.NewEntry()
	e.subject.SetPlaceHolder("Your order {{.OrderID}} is on its way")
	e.body = widget.NewMultiLineEntry()
	e.body.SetPlaceHolder("Hello {{.CustomerName}},\n\nyour parcel left today with {{.Carrier}}: {{.TrackingURL}}")
	e.body.SetMinRowsVisible(10)
	e.body.Wrapping = fyne.TextWrapWord
	e.html = widget.NewCheck("Simple HTML (the body is HTML; a plain text copy is sent with it)", func(bool) { e.edited() })
	e.name.OnChanged = func(string) { e.edited() }
	e.subject.OnChanged = func(string) { e.edited() }
	e.body.OnChanged = func(string) { e.edited() }

	e.save = widget.NewButtonWithIcon("Save template", theme.DocumentSaveIcon(), e.onSave)
	e.save.Importance = widget.HighImportance
	e.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), e.onDelete)
	e.remove.Disable()
	e.note = widget.NewLabel("")
	e.note.Wrapping = fyne.TextWrapWord
	e.note.Hide()

	e.order = widget.NewSelect(nil, func(string) { e.renderPreview() })
	e.order.PlaceHolder = "Choose an order"
	e.previewSubj = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.previewSubj.Wrapping = fyne.TextWrapWord
	e.previewBody = widget.NewLabel("")
	e.previewBody.Wrapping = fyne.TextWrapWord
	e.previewErr = widget.NewLabel("")
	e.previewErr.Importance = widget.DangerImportance
	e.previewErr.Wrapping = fyne.TextWrapWord
	e.previewErr.Hide()
	return e
}

func (e *templatesEditor) view() fyne.CanvasObject {
	newBtn := widget.NewButtonWithIcon("New template", theme.ContentAddIcon(), e.startNew)
	left := container.NewBorder(container.NewVBox(newBtn), nil, nil, nil, e.list)

	fields := mutedText(fieldsHint())
	form := widget.NewForm(
		widget.NewFormItem("Name", e.name),
		widget.NewFormItem("Subject", e.subject),
	)
	editor := container.NewBorder(
		container.NewVBox(form, e.html),
		container.NewVBox(fields, container.NewHBox(e.save, e.remove), e.note),
		nil, nil, e.body)

	preview := container.NewBorder(
		container.NewVBox(sectionHeading("Preview", "Filled in from a real order; nothing is sent."),
			widget.NewForm(widget.NewFormItem("Order", e.order)), e.previewErr, e.previewSubj, widget.NewSeparator()),
		nil, nil, nil, container.NewVScroll(e.previewBody))

	right := container.NewHSplit(editor, preview)
	right.Offset = 0.52
	split := container.NewHSplit(left, right)
	split.Offset = 0.18
	return split
}

// refresh loads the templates and the orders the preview can use.
func (e *templatesEditor) refresh() {
	store := e.a.store
	type loaded struct {
		templates []data.MessageTemplate
		orders    []data.Order
	}
	run(e.a.bg, func(ctx context.Context) (loaded, error) {
		var l loaded
		err := inParallel(ctx,
			func(ctx context.Context) (err error) { l.templates, err = store.MessageTemplates(ctx); return err },
			func(ctx context.Context) (err error) {
				l.orders, err = store.Orders(ctx, data.OrderFilter{Limit: previewOrders})
				return err
			})
		return l, err
	}, func(l loaded, err error) {
		if err != nil {
			showError(e.a.win, err)
			return
		}
		e.all = l.templates
		e.list.Refresh()
		e.setOrders(l.orders)
		switch {
		case e.chosen >= 0 && e.chosen < len(e.all):
			e.list.Select(e.chosen)
		case len(e.all) > 0 && e.chosen >= 0:
			e.list.Select(0)
		case len(e.all) > 0 && e.name.Text == "" && e.body.Text == "":
			e.list.Select(0)
		}
	})
}

// setOrders fills the preview's order choice, keeping the order already chosen, else the latest shipped
// one: the order a template is most often written for.
func (e *templatesEditor) setOrders(orders []data.Order) {
	keep := e.order.Selected
	e.orders = orders
	opts := make([]string, len(orders))
	pick := ""
	for i, o := range orders {
		opts[i] = previewChoice(o)
		if pick == "" && (o.Status == data.StatusShipped || o.Status == data.StatusDelivered) {
			pick = opts[i]
		}
	}
	if pick == "" && len(opts) > 0 {
		pick = opts[0]
	}
	e.order.Options = opts
	e.order.Refresh()
	for _, o := range opts {
		if o == keep {
			pick = keep
		}
	}
	if pick != "" && pick != e.order.Selected {
		e.order.SetSelected(pick) // renders the preview
		return
	}
	e.renderPreview()
}

// previewChoice names an order in the preview's list.
func previewChoice(o data.Order) string {
	return fmt.Sprintf("%s %s · %s · %s", channelLabel(o.Channel), o.ExternalID, o.CustomerName, statusLabel(o.Status))
}

func (e *templatesEditor) previewOrder() (data.Order, bool) {
	for _, o := range e.orders {
		if previewChoice(o) == e.order.Selected {
			return o, true
		}
	}
	return data.Order{}, false
}

func (e *templatesEditor) choose(i int) {
	if i < 0 || i >= len(e.all) {
		return
	}
	e.chosen = i
	t := e.all[i]
	e.loading = true
	e.name.SetText(t.Name)
	e.subject.SetText(t.Subject)
	e.body.SetText(t.Body)
	e.html.SetChecked(t.HTML)
	e.loading = false
	e.remove.Enable()
	e.note.Hide()
	e.renderPreview()
}

func (e *templatesEditor) startNew() {
	e.list.UnselectAll()
	e.chosen = -1
	e.loading = true
	e.name.SetText("")
	e.subject.SetText("")
	e.body.SetText("")
	e.html.SetChecked(false)
	e.loading = false
	e.remove.Disable()
	e.note.Hide()
	e.a.win.Canvas().Focus(e.name)
	e.renderPreview()
}

func (e *templatesEditor) current() data.MessageTemplate {
	t := data.MessageTemplate{Name: strings.TrimSpace(e.name.Text), Subject: e.subject.Text, Body: e.body.Text, HTML: e.html.Checked}
	if e.chosen >= 0 && e.chosen < len(e.all) {
		t.ID = e.all[e.chosen].ID
	}
	return t
}

// edited renders the preview again once typing pauses.
func (e *templatesEditor) edited() {
	if e.loading {
		return
	}
	debounce(e.a.bg, &e.typing, previewDelay, e.renderPreview)
}

// renderPreview fills the template being edited for the chosen order, with the store's own renderer,
// so the preview is exactly what the outbox would send. A template error shows in place of the preview.
func (e *templatesEditor) renderPreview() {
	o, ok := e.previewOrder()
	if !ok {
		e.previewSubj.SetText("")
		e.previewBody.SetText("Import or add an order to see the template filled in.")
		return
	}
	t := e.current()
	store := e.a.store
	load(e.a.bg, e.a.win, &e.previews, func(ctx context.Context) (previewResult, error) {
		msg, err := store.RenderTemplate(ctx, t, o.ID)
		if err != nil && !errors.Is(err, context.Canceled) {
			return previewResult{err: err}, nil // a template error is shown inline, not in a dialog
		}
		return previewResult{msg: msg}, err
	}, func(r previewResult) {
		if r.err != nil {
			e.previewErr.SetText(data.UserMessage(r.err))
			e.previewErr.Show()
			return
		}
		e.previewErr.Hide()
		e.previewSubj.SetText("Subject: " + r.msg.Subject)
		e.previewBody.SetText(r.msg.Text)
	})
}

type previewResult struct {
	msg data.RenderedMessage
	err error
}

func (e *templatesEditor) showNote(msg string, imp widget.Importance) {
	e.note.Importance = imp
	e.note.SetText(msg)
	e.note.Show()
}

func (e *templatesEditor) onSave() {
	t := e.current()
	switch {
	case t.Name == "":
		e.showNote("Give the template a name, such as “Shipped with tracking”.", widget.DangerImportance)
		e.a.win.Canvas().Focus(e.name)
		return
	case strings.TrimSpace(t.Body) == "":
		e.showNote("The body is empty: write the message the customer gets.", widget.DangerImportance)
		e.a.win.Canvas().Focus(e.body)
		return
	}
	store := e.a.store
	e.save.Disable()
	run(e.a.bg, func(ctx context.Context) (data.MessageTemplate, error) {
		return store.SaveMessageTemplate(ctx, t)
	}, func(saved data.MessageTemplate, err error) {
		e.save.Enable()
		if err != nil {
			e.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		e.showNote(fmt.Sprintf("Saved “%s”.", saved.Name), widget.SuccessImportance)
		e.rememberSaved(saved)
	})
}

// rememberSaved puts a saved template into the list and keeps it chosen.
func (e *templatesEditor) rememberSaved(saved data.MessageTemplate) {
	for i, t := range e.all {
		if t.ID == saved.ID {
			e.all[i] = saved
			e.chosen = i
			e.list.Refresh()
			e.remove.Enable()
			return
		}
	}
	e.all = append(e.all, saved)
	e.chosen = len(e.all) - 1
	e.list.Refresh()
	e.list.Select(e.chosen)
	e.remove.Enable()
}

func (e *templatesEditor) onDelete() {
	if e.chosen < 0 || e.chosen >= len(e.all) {
		return
	}
	t := e.all[e.chosen]
	dialog.ShowConfirm("Delete template", fmt.Sprintf("Delete “%s”? Rules that send it stop sending until they get another template.", t.Name),
		func(ok bool) {
			if !ok {
				return
			}
			store := e.a.store
			run(e.a.bg, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, store.DeleteMessageTemplate(ctx, t.ID)
			}, func(_ struct{}, err error) {
				if err != nil {
					e.showNote(data.UserMessage(err), widget.DangerImportance)
					return
				}
				e.startNew()
				e.refresh()
			})
		}, e.a.win)
}

// fieldsHint lists the fields a template can use, as the store names them, with the loop over the
// order's lines written out, since that one is not obvious.
func fieldsHint() string {
	var plain []string
	for _, f := range data.MessageFields() {
		if !strings.Contains(f, " ") {
			plain = append(plain, "{{"+f+"}}")
		}
	}
	return "Fields: " + strings.Join(plain, " ") + ". The lines: {{range .Lines}}{{.Quantity}} × {{.Name}}{{end}}"
}

// templateName finds a template's name for the rules list.
func templateName(all []data.MessageTemplate, id int64) string {
	for _, t := range all {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// portText writes a port for an entry, empty for none.
func portText(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}
