package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/backroom-app/backroom/app/documents"
)

// layoutTitled is the dialog's name of the layout called name.
func layoutTitled(t *testing.T, name string) string {
	t.Helper()
	l, err := documents.LabelLayoutNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	return labelLayoutTitle(l)
}

// saveLabels fills in the open Labels dialog, saves to a new file and returns its path and text
// ("" without pdftotext, outside CI).
func saveLabels(t *testing.T, a *App, sc *inventoryScreen, layout, copies string) (path, text string) {
	t.Helper()
	f := sc.labelsForm
	if f == nil {
		t.Fatal("the Labels dialog is not open")
	}
	f.layout.SetSelected(layoutTitled(t, layout))
	f.copies.SetText(copies)
	path = filepath.Join(t.TempDir(), "labels.pdf")
	f.saveAs = saveTo(t, path)
	test.Tap(f.save)
	waitUI(a)
	if f.message.Text == "" || !strings.HasSuffix(f.message.Text, " to "+path) {
		t.Fatalf("message = %q, want one saying the labels went to %s", f.message.Text, path)
	}
	return path, printedText(t, path)
}

// pages counts the pages of pdftotext's output, which ends every page with a form feed.
func pages(text string) int { return strings.Count(text, "\f") }

func TestInventoryLabels_SKU(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	sc.showSKU("APRON-SAGE")
	waitUI(a)
	test.Tap(sc.skuLabels)
	if sc.labelsForm == nil {
		t.Fatal("Labels… opened no dialog")
	}
	if got, want := sc.labelsForm.copies.Text, "1"; got != want {
		t.Errorf("copies = %q, want %q", got, want)
	}

	for _, tc := range []struct {
		layout, copies string
		labels, pages  int
	}{
		{"a4-3x8", "3", 3, 1},
		{"roll-62x29", "3", 3, 3},
		{"letter-3x10", "31", 31, 2},
	} {
		t.Run(tc.layout, func(t *testing.T) {
			path, text := saveLabels(t, a, sc, tc.layout, tc.copies)
			if got, want := sc.labelsForm.message.Text, "Saved "+plural(tc.labels, "label", "labels")+" to "+path; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
			if got, want := sc.labelsForm.summary.String(), labelsAndPages(tc.labels, sc.labelsForm.chosenLayout()); got != want {
				t.Errorf("summary = %q, want %q", got, want)
			}
			if text == "" {
				return
			}
			if got := pages(text); got != tc.pages {
				t.Errorf("%d pages, want %d", got, tc.pages)
			}
			// The EAN-13 is the barcode; the SKU is written under the name.
			if got := strings.Count(text, "APRON-SAGE"); got != tc.labels {
				t.Errorf("APRON-SAGE printed %d times, want %d:\n%s", got, tc.labels, text)
			}
			if !strings.Contains(text, "5012345678900") {
				t.Errorf("no EAN-13 under the bars:\n%s", text)
			}
		})
	}
	if got, want := a.fyne.Preferences().String(prefLabelLayout), "letter-3x10"; got != want {
		t.Errorf("remembered layout = %q, want %q", got, want)
	}

	t.Run("Remembered", func(t *testing.T) {
		sc.labelsForm.dialog.Hide()
		test.Tap(sc.skuLabels)
		if got, want := sc.labelsForm.layout.Selected, layoutTitled(t, "letter-3x10"); got != want {
			t.Errorf("layout = %q, want the last one used, %q", got, want)
		}
	})
	t.Run("BadCopies", func(t *testing.T) {
		f := sc.labelsForm
		f.copies.SetText("0")
		saved := false
		f.saveAs = func(string, func(fyne.URIWriteCloser, error)) { saved = true }
		test.Tap(f.save)
		if saved || !f.message.Visible() || !strings.Contains(f.message.Text, "from 1 to 1000") {
			t.Errorf("0 copies: saved %v, message %q", saved, f.message.Text)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		f := sc.labelsForm
		f.copies.SetText("1")
		f.message.Hide()
		f.saveAs = func(_ string, done func(fyne.URIWriteCloser, error)) { done(nil, nil) }
		test.Tap(f.save)
		waitUI(a)
		if f.message.Visible() {
			t.Errorf("closing the file dialog said %q, want nothing", f.message.Text)
		}
	})
}

// TestInventoryLabels_List prints from the header, as the packer: the products the search leaves in
// the list, and the bins of one location. No cost may reach a label.
func TestInventoryLabels_List(t *testing.T) {
	a := newTestAppAs(t, testPacker)
	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	if !sc.listLabels.Visible() {
		t.Fatal("the packer has no Labels… button")
	}
	sc.search.SetText("APRON")
	waitUI(a)
	if got := skus(sc); len(got) != 2 {
		t.Fatalf("list = %v, want the two aprons", got)
	}
	test.Tap(sc.listLabels)
	waitUI(a) // the bins load
	f := sc.labelsForm
	if f == nil {
		t.Fatal("Labels… opened no dialog")
	}
	if got, want := f.what.Options, []string{choiceListProducts, "Bins of Shop", "Bins of Garage"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("options = %q, want %q", got, want)
	}

	t.Run("Products", func(t *testing.T) {
		f.what.SetSelected(choiceListProducts)
		path, text := saveLabels(t, a, sc, "a4-3x8", "2")
		if got, want := f.message.Text, "Saved 4 labels to "+path; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if text == "" {
			return
		}
		if got := pages(text); got != 1 {
			t.Errorf("%d pages, want 1", got)
		}
		// APRON-RUST has no barcode: its SKU is also the code under the bars.
		for sku, want := range map[string]int{"APRON-SAGE": 2, "APRON-RUST": 4, "MUG-BLUE": 0, "TOWEL": 0} {
			if got := strings.Count(text, sku); got != want {
				t.Errorf("%s printed %d times, want %d:\n%s", sku, got, want, text)
			}
		}
		for _, cost := range []string{"£", "9.50", "24.00"} {
			if strings.Contains(text, cost) {
				t.Errorf("a label shows money (%q):\n%s", cost, text)
			}
		}
	})
	t.Run("BinsOfShop", func(t *testing.T) {
		f.what.SetSelected("Bins of Shop")
		if got, want := f.summary.String(), "6 labels on 1 sheet"; got != want {
			// 3 bins × 2 copies, from the count the dialog loaded.
			t.Errorf("summary = %q, want %q", got, want)
		}
		path, text := saveLabels(t, a, sc, "roll-57x32", "1")
		if got, want := f.message.Text, "Saved 3 labels to "+path; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if text == "" {
			return
		}
		if got := pages(text); got != 3 {
			t.Errorf("%d pages, want 3", got)
		}
		for _, want := range []string{"Bin A-01", "Bin A-02", "Bin B-01", "Shop"} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q on the bin labels:\n%s", want, text)
			}
		}
		if strings.Contains(text, "G-1") {
			t.Errorf("a Garage bin is among the Shop's:\n%s", text)
		}
	})
	t.Run("EmptyList", func(t *testing.T) {
		f.dialog.Hide()
		sc.search.SetText("NO-SUCH-THING")
		waitUI(a)
		test.Tap(sc.listLabels)
		waitUI(a)
		f := sc.labelsForm
		if got, want := f.summary.String(), "The list is empty: nothing to label."; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
		path := filepath.Join(t.TempDir(), "empty.pdf")
		f.saveAs = saveTo(t, path)
		test.Tap(f.save)
		waitUI(a)
		if !strings.Contains(f.message.Text, "The list is empty") {
			t.Errorf("message = %q, want it to say the list is empty", f.message.Text)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("an empty list left a file behind (stat: %v)", err)
		}
	})
}

func TestInventoryLabels_Screenshot(t *testing.T) {
	shot := screenshots(t, "labels")
	a := newTestApp(t)
	holdUI(t, a)
	a.win.Resize(fyne.NewSize(1200, 780))
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	sc.showSKU("APRON-SAGE")
	waitUI(a)
	test.Tap(sc.skuLabels)
	shot(a, "sku")
	sc.labelsForm.copies.SetText("3")
	sc.labelsForm.saveAs = saveTo(t, filepath.Join(t.TempDir(), "labels-APRON-SAGE.pdf"))
	test.Tap(sc.labelsForm.save)
	waitUI(a)
	shot(a, "sku-saved")
	sc.labelsForm.dialog.Hide()
	test.Tap(sc.listLabels)
	waitUI(a)
	shot(a, "list")
}
