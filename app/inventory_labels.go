package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/documents"
	"github.com/backroom-app/backroom/data"
)

// prefLabelLayout remembers the label stock last printed on: a desk keeps one kind of label in its printer.
const prefLabelLayout = "labels_layout"

// maxLabelCopies matches the command line's limit: more is a typing slip, not a print run.
const maxLabelCopies = 1000

// choiceListProducts is the header dialog's option for labels of the SKUs the list shows.
const choiceListProducts = "Products in the list"

// labelLayoutTitle is a layout as a person finds it on the box of labels.
func labelLayoutTitle(l documents.LabelLayout) string {
	switch l.Name {
	case "a4-3x8":
		return "A4 sheet, 3 × 8 (70 × 37 mm)"
	case "letter-3x10":
		return "US Letter sheet, 3 × 10 (Avery 5160)"
	case "roll-62x29":
		return "Label roll, 62 × 29 mm (Brother DK-11209)"
	case "roll-57x32":
		return "Label roll, 57 × 32 mm (2¼ × 1¼ in)"
	}
	return l.Description
}

// labelsForm is the Labels dialog: what to label (one SKU, the products in the list, or the bins of a
// location), on which stock, how many of each. The PDF is made in the background from fresh store
// data. The dialog stays open and says where the file went, so a second stock can follow at once.
type labelsForm struct {
	sc *inventoryScreen

	// What is labelled: sku for the detail panel's dialog; else products (the list's SKUs, read in its
	// order) or the bins of one location, as chosen in what.
	sku      string
	products func(ctx context.Context) ([]string, error)
	listed   int            // SKUs in the list when the dialog opened
	binsOf   map[string]int // bins in use per location name, once loaded
	what     *widget.RadioGroup

	layout  *widget.Select
	copies  *widget.Entry
	summary *widget.RichText
	message *widget.Label
	save    *widget.Button
	close   *widget.Button
	dialog  *dialog.CustomDialog

	// saveAs asks where to save a file called name and hands the open file to done (nil when the person
	// closed the dialog). Tests replace it, because a file dialog cannot be driven headless.
	saveAs func(name string, done func(fyne.URIWriteCloser, error))
}

// labelsWidth is the dialog's width: room for the longest layout name without truncation.
const labelsWidth = 540

// onSKULabels opens the Labels dialog for the SKU on display.
func (sc *inventoryScreen) onSKULabels() {
	if sc.shown == nil {
		return
	}
	f := sc.newLabelsForm()
	f.sku = sc.shown.variant.SKU
	f.open("Labels for " + f.sku)
}

// onListLabels opens the Labels dialog for the products in the list or the bins of a location.
func (sc *inventoryScreen) onListLabels() {
	f := sc.newLabelsForm()
	if sc.list.src != nil {
		// The list's own loader, with the list's sort, asked for every row: the labels are what the
		// list shows, in the order it shows them.
		src, q := *sc.list.src, pageQuery{sort: sc.list.sortKey, desc: sc.list.desc}
		f.products = func(ctx context.Context) ([]string, error) {
			rows, err := src.page(ctx, q)
			skus := make([]string, len(rows))
			for i, r := range rows {
				skus[i] = r.SKU
			}
			return skus, err
		}
		f.listed = sc.list.total
	}
	options := []string{choiceListProducts}
	for _, l := range sc.locations {
		options = append(options, binsChoice(l.Name))
	}
	f.what = widget.NewRadioGroup(options, func(string) { f.update() })
	f.what.Required = true
	if sc.locationID() != "" && f.listed == 0 {
		f.what.SetSelected(binsChoice(sc.location.Selected))
	} else {
		f.what.SetSelected(choiceListProducts)
	}
	f.open("Labels")

	st := sc.a.store
	run(sc.a.bg, func(ctx context.Context) ([]data.Bin, error) {
		return st.Bins(ctx, "")
	}, func(bins []data.Bin, err error) {
		if err != nil {
			log.Printf("backroom: count bins for labels: %v", err)
			return // the summary then leaves the count out; saving still works
		}
		f.binsOf = map[string]int{}
		for _, b := range bins {
			f.binsOf[b.Location]++
		}
		f.update()
	})
}

func binsChoice(location string) string { return "Bins of " + location }

func (sc *inventoryScreen) newLabelsForm() *labelsForm {
	f := &labelsForm{sc: sc}
	f.saveAs = f.showSaveDialog
	return f
}

// open builds the dialog around what was set up and shows it.
func (f *labelsForm) open(title string) {
	sc := f.sc
	layouts := documents.LabelLayouts()
	var names []string
	for _, l := range layouts {
		names = append(names, labelLayoutTitle(l))
	}
	f.layout = widget.NewSelect(names, func(string) { f.update() })
	f.layout.SetSelected(labelLayoutTitle(defaultLabelLayout(sc.a.fyne.Preferences().String(prefLabelLayout))))
	f.copies = widget.NewEntry()
	f.copies.SetText("1")
	f.copies.OnChanged = func(string) { f.update() }
	f.copies.OnSubmitted = func(string) { f.onSave() }
	f.summary = mutedLine("")
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	form := widget.NewForm()
	if f.what != nil {
		form.Append("Print", f.what)
	}
	form.Append("Layout", f.layout)
	// A short field for a short number; the form would otherwise stretch it across the dialog.
	copies := container.NewBorder(nil, nil, fixedWidth(f.copies, 100), nil)
	form.AppendItem(&widget.FormItem{Text: "Copies", Widget: copies, HintText: "How many of each label"})

	f.close = widget.NewButton("Cancel", func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon("Save PDF…", theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, f.summary, f.message), sc.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{f.close, f.save})
	f.dialog.SetOnClosed(func() {
		if sc.labelsForm == f {
			sc.labelsForm = nil
		}
	})
	f.update()
	f.dialog.Resize(fyne.NewSize(labelsWidth, f.dialog.MinSize().Height))
	sc.labelsForm = f
	f.dialog.Show()
	if c := sc.a.win.Canvas(); c != nil {
		c.Focus(f.copies)
	}
}

// defaultLabelLayout is the layout remembered, else the office sheet of the computer's region.
func defaultLabelLayout(remembered string) documents.LabelLayout {
	if l, err := documents.LabelLayoutNamed(remembered); err == nil && remembered != "" {
		return l
	}
	name := "a4-3x8"
	if paperForLocale(lang.SystemLocale().String()) == documents.Letter {
		name = "letter-3x10"
	}
	l, _ := documents.LabelLayoutNamed(name)
	return l
}

// chosenLayout is the layout selected in the dialog.
func (f *labelsForm) chosenLayout() documents.LabelLayout {
	for _, l := range documents.LabelLayouts() {
		if labelLayoutTitle(l) == f.layout.Selected {
			return l
		}
	}
	return documents.LabelLayouts()[0]
}

// chosenCopies reads the copies field; ok is false unless it is a whole number in range.
func (f *labelsForm) chosenCopies() (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(f.copies.Text))
	return n, err == nil && n >= 1 && n <= maxLabelCopies
}

// binsLocation is the location whose bins are chosen, "" when products are.
func (f *labelsForm) binsLocation() string {
	if f.what == nil {
		return ""
	}
	loc, ok := strings.CutPrefix(f.what.Selected, "Bins of ")
	if !ok {
		return ""
	}
	return loc
}

// distinct is how many different labels the choice makes, or -1 while that is not known yet.
func (f *labelsForm) distinct() int {
	switch loc := f.binsLocation(); {
	case f.sku != "":
		return 1
	case loc != "":
		if f.binsOf == nil {
			return -1
		}
		return f.binsOf[loc]
	}
	return f.listed
}

// update says how many labels and sheets the choice makes, so a person sees it before printing.
func (f *labelsForm) update() {
	if f.summary == nil {
		return // still being built
	}
	copies, ok := f.chosenCopies()
	n := f.distinct()
	switch {
	case !ok:
		setMutedText(f.summary, fmt.Sprintf("Copies is a whole number from 1 to %d.", maxLabelCopies))
	case n < 0:
		setMutedText(f.summary, "")
	case n == 0 && f.binsLocation() != "":
		setMutedText(f.summary, "No SKU at "+f.binsLocation()+" has a bin yet.")
	case n == 0:
		setMutedText(f.summary, "The list is empty: nothing to label.")
	default:
		setMutedText(f.summary, labelsAndPages(n*copies, f.chosenLayout()))
	}
}

// labelsAndPages says how much paper n labels take: "30 labels on 2 sheets".
func labelsAndPages(n int, l documents.LabelLayout) string {
	if l.PerPage() == 1 {
		return plural(n, "label", "labels") + " off the roll"
	}
	return plural(n, "label", "labels") + " on " + plural(l.Pages(n), "sheet", "sheets")
}

// onSave checks the copies, asks where to save and makes the PDF in the background.
func (f *labelsForm) onSave() {
	copies, ok := f.chosenCopies()
	if !ok {
		f.problem(fmt.Sprintf("Type how many of each label, from 1 to %d.", maxLabelCopies), f.copies)
		return
	}
	layout := f.chosenLayout()
	st := f.sc.a.store
	var name string
	var read func(ctx context.Context) ([]documents.Label, error)
	switch loc := f.binsLocation(); {
	case f.sku != "":
		sku := f.sku
		name = "labels-" + fileSafe(sku) + ".pdf"
		read = func(ctx context.Context) ([]documents.Label, error) {
			return documents.ProductLabels(ctx, st, []string{sku})
		}
	case loc != "":
		name = "bin-labels-" + fileSafe(loc) + ".pdf"
		read = func(ctx context.Context) ([]documents.Label, error) {
			labels, err := documents.BinLabels(ctx, st, loc)
			if err == nil && len(labels) == 0 {
				err = &data.Error{Kind: data.ErrInvalid, Message: "No SKU at " + loc + " has a bin yet: give SKUs their bins first."}
			}
			return labels, err
		}
	default:
		if f.products == nil {
			return // the list has not loaded yet
		}
		products := f.products
		name = "labels-products.pdf"
		read = func(ctx context.Context) ([]documents.Label, error) {
			skus, err := products(ctx)
			if err != nil {
				return nil, err
			}
			if len(skus) == 0 {
				return nil, &data.Error{Kind: data.ErrInvalid, Message: "The list is empty: search for the products to label first."}
			}
			return documents.ProductLabels(ctx, st, skus)
		}
	}
	f.saveAs(name, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			f.problem(data.UserMessage(err), nil)
			return
		}
		if wc == nil {
			return // the person closed the file dialog
		}
		f.sc.a.fyne.Preferences().SetString(prefLabelLayout, layout.Name)
		f.save.Disable()
		f.say("Making the labels…", widget.MediumImportance)
		run(f.sc.a.bg, func(ctx context.Context) (int, error) {
			labels, err := read(ctx)
			if err != nil {
				return 0, discard(wc, err)
			}
			labels = repeatLabels(labels, copies)
			return len(labels), writeWhole(wc, func(w io.Writer) error { return documents.Labels(w, layout, labels) })
		}, func(n int, err error) {
			f.save.Enable()
			if err != nil {
				log.Printf("backroom: labels: %v", err)
				f.problem(data.UserMessage(err), nil)
				return
			}
			f.say(fmt.Sprintf("Saved %s to %s", plural(n, "label", "labels"), wc.URI().Path()), widget.SuccessImportance)
			f.close.SetText("Close")
		})
	})
}

// repeatLabels prints each label copies times in a row, so the copies of one item sit together.
func repeatLabels(labels []documents.Label, copies int) []documents.Label {
	out := make([]documents.Label, 0, len(labels)*copies)
	for _, l := range labels {
		for range copies {
			out = append(out, l)
		}
	}
	return out
}

// writeWhole makes the whole document before the file is touched, writes it and closes the file; a
// document that failed leaves no broken file behind.
func writeWhole(wc fyne.URIWriteCloser, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return discard(wc, err)
	}
	if _, err := wc.Write(buf.Bytes()); err != nil {
		return discard(wc, fmt.Errorf("write %s: %w", wc.URI().Name(), err))
	}
	if err := wc.Close(); err != nil {
		_ = storage.Delete(wc.URI())
		return fmt.Errorf("close %s: %w", wc.URI().Name(), err)
	}
	return nil
}

// discard closes and removes a file the save dialog created but that gets no document, and passes err on.
func discard(wc fyne.URIWriteCloser, err error) error {
	_ = wc.Close()
	_ = storage.Delete(wc.URI())
	return err
}

// fileSafe turns a SKU or location into part of a file name: letters, digits, dots, dashes and
// underscores stay, anything else (a slash in "MUG/BLUE") becomes a dash.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '-'
	}, strings.TrimSpace(s))
}

// say shows a line under the form: progress, or where the file went.
func (f *labelsForm) say(msg string, imp widget.Importance) {
	f.message.Importance = imp
	f.message.SetText(msg)
	f.message.Show()
	f.dialog.Resize(fyne.NewSize(labelsWidth, f.dialog.MinSize().Height))
}

// problem shows what is wrong and puts the cursor where it can be put right.
func (f *labelsForm) problem(msg string, field fyne.Focusable) {
	f.message.Importance = widget.DangerImportance
	showFormProblem(f.sc.a.win, f.dialog, f.message, labelsWidth, msg, field)
}

func (f *labelsForm) showSaveDialog(name string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, f.sc.a.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}
