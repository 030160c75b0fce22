package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

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

// printTools are the pick list's paper: the pick list and the packing slips of the ticked orders, saved
// as PDF for the printer. The PDF is made in the background from fresh store data, not from what the
// screen shows, so a list printed after a sync is not stale.
type printTools struct {
	sc       *fulfillmentScreen
	pickPDF  *widget.Button
	slipsPDF *widget.Button

	// saveAs asks where to save a file called name and hands the open file to done (nil when the person
	// closed the dialog). Tests replace it, because a file dialog cannot be driven headless.
	saveAs func(name string, done func(fyne.URIWriteCloser, error))
}

func newPrintTools(sc *fulfillmentScreen) *printTools {
	p := &printTools{sc: sc}
	p.pickPDF = widget.NewButtonWithIcon("Save pick list as PDF…", theme.DocumentPrintIcon(), p.onSavePickList)
	p.slipsPDF = widget.NewButtonWithIcon("Packing slips PDF…", theme.DocumentPrintIcon(), p.onSavePackingSlips)
	p.saveAs = p.showSaveDialog
	p.update(0)
	return p
}

// view is the row of print buttons under the pick list's title.
func (p *printTools) view() fyne.CanvasObject {
	return container.NewHBox(p.pickPDF, p.slipsPDF)
}

// update enables the buttons while orders are ticked.
func (p *printTools) update(ticked int) {
	setEnabled(p.pickPDF, ticked > 0)
	setEnabled(p.slipsPDF, ticked > 0)
}

func (p *printTools) onSavePickList() {
	orders := p.sc.selectedOrders()
	if len(orders) == 0 {
		return
	}
	store := p.sc.a.store
	name := fmt.Sprintf("pick-list-%s.pdf", store.Now().In(time.Local).Format("2006-01-02-1504"))
	p.save(name, "pick list", func(ctx context.Context, w io.Writer) error {
		return writePickListPDF(ctx, store, orders, paperForLocale(lang.SystemLocale().String()), w)
	})
}

func (p *printTools) onSavePackingSlips() {
	orders := p.sc.selectedOrders()
	if len(orders) == 0 {
		return
	}
	store := p.sc.a.store
	name := fmt.Sprintf("packing-slips-%s.pdf", store.Now().In(time.Local).Format("2006-01-02-1504"))
	p.save(name, "packing slips", func(ctx context.Context, w io.Writer) error {
		return writePackingSlipsPDF(ctx, store, orders, paperForLocale(lang.SystemLocale().String()), w)
	})
}

// save asks where to save, makes the document in the background and writes it there, then says where
// it went. A document that failed is not left half-written.
func (p *printTools) save(name, what string, write func(ctx context.Context, w io.Writer) error) {
	p.saveAs(name, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(p.sc.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		p.sc.say("Making the " + what + "…")
		run(p.sc.a.bg, func(ctx context.Context) (string, error) {
			// The whole PDF is made before the file is touched, so a failure leaves no broken file.
			var buf bytes.Buffer
			err := write(ctx, &buf)
			if err == nil {
				_, err = wc.Write(buf.Bytes())
			}
			if cerr := wc.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("close %s: %w", wc.URI().Name(), cerr)
			}
			if err != nil {
				_ = storage.Delete(wc.URI())
			}
			return wc.URI().Path(), err
		}, func(path string, err error) {
			if err != nil {
				p.sc.say("")
				showError(p.sc.a.win, err)
				return
			}
			p.sc.say("Saved to " + path)
		})
	})
}

func (p *printTools) showSaveDialog(name string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(done, p.sc.a.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Resize(fyne.NewSize(860, 560))
	d.Show()
}

// writePickListPDF writes the pick list of orders, read afresh from the store.
func writePickListPDF(ctx context.Context, store *data.Store, orders []data.Order, paper documents.Paper, w io.Writer) error {
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	items, err := store.PickList(ctx, ids)
	if err != nil {
		return err
	}
	shop, err := documents.ShopName(ctx, store)
	if err != nil {
		return err
	}
	return documents.PickList(w, shop, items, orders, store.Now().In(time.Local), paper)
}

// writePackingSlipsPDF writes one packing slip per order, lines read from the store.
func writePackingSlipsPDF(ctx context.Context, store *data.Store, orders []data.Order, paper documents.Paper, w io.Writer) error {
	full, err := documents.WithLines(ctx, store, orders)
	if err != nil {
		return err
	}
	shop, err := documents.ShopName(ctx, store)
	if err != nil {
		return err
	}
	return documents.PackingSlips(w, documents.ShopInfo{Name: shop, Paper: paper}, full)
}

// paperForLocale is Letter where Letter is the office paper (the US, Canada, Mexico and a few more),
// A4 everywhere else. locale is a language tag such as "en-US".
func paperForLocale(locale string) documents.Paper {
	_, region, _ := strings.Cut(strings.ReplaceAll(locale, "_", "-"), "-")
	region, _, _ = strings.Cut(region, "-")
	switch strings.ToUpper(region) {
	case "US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR":
		return documents.Letter
	}
	return documents.A4
}
