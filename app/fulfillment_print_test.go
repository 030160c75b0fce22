package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/backroom-app/backroom/app/documents"
)

// saveTo stands in for the file dialog: it "chooses" path.
func saveTo(t *testing.T, path string) func(string, func(fyne.URIWriteCloser, error)) {
	return func(_ string, done func(fyne.URIWriteCloser, error)) {
		wc, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Fatal(err)
		}
		done(wc, nil)
	}
}

// printedText is the text of a PDF the screen saved, as pdftotext reads it ("" without poppler, outside
// CI: the test then checks only that a PDF was written).
func printedText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("%s is not a PDF", path)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (Debian: poppler-utils)")
		}
		return ""
	}
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestFulfillmentPrint(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
	if !sc.printing.pickPDF.Disabled() || !sc.printing.slipsPDF.Disabled() {
		t.Error("print buttons are enabled with no order ticked")
	}
	scan(sc, "1001")
	scan(sc, "1002")
	waitUI(a)
	if sc.printing.pickPDF.Disabled() || sc.printing.slipsPDF.Disabled() {
		t.Fatal("print buttons are disabled with orders ticked")
	}
	dir := t.TempDir()

	t.Run("PickList", func(t *testing.T) {
		path := filepath.Join(dir, "pick.pdf")
		sc.printing.saveAs = saveTo(t, path)
		test.Tap(sc.printing.pickPDF)
		waitUI(a)
		if got, want := sc.message.Text, "Saved to "+path; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if text := printedText(t, path); text != "" {
			for _, want := range []string{"Pick list", "1001", "1002", "APRON-SAGE", "MUG-BLUE", "Soy candle", "Linen apron – Sage"} {
				if !strings.Contains(text, want) {
					t.Errorf("the pick list has no %q:\n%s", want, text)
				}
			}
		}
	})
	t.Run("PackingSlips", func(t *testing.T) {
		path := filepath.Join(dir, "slips.pdf")
		sc.printing.saveAs = saveTo(t, path)
		test.Tap(sc.printing.slipsPDF)
		waitUI(a)
		if got, want := sc.message.Text, "Saved to "+path; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if text := printedText(t, path); text != "" {
			if n := strings.Count(text, "Packing slip"); n != 2 {
				t.Errorf("%d packing slips, want 2", n)
			}
			for _, want := range []string{"1001", "1002", "Ada Lovelace", "12 St James's Square", "APRON-SAGE", "ETSY-CANDLE"} {
				if !strings.Contains(text, want) {
					t.Errorf("the packing slips have no %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "£") {
				t.Errorf("a packing slip shows a price:\n%s", text)
			}
		}
	})
	t.Run("Closed", func(t *testing.T) {
		sc.say("")
		sc.printing.saveAs = func(_ string, done func(fyne.URIWriteCloser, error)) { done(nil, nil) }
		test.Tap(sc.printing.pickPDF)
		waitUI(a)
		if sc.message.Visible() {
			t.Errorf("closing the dialog said %q, want nothing", sc.message.Text)
		}
	})
}

func TestPaperForLocale(t *testing.T) {
	for locale, want := range map[string]documents.Paper{
		"en-US": documents.Letter, "en_CA": documents.Letter, "es-MX": documents.Letter,
		"en-GB": documents.A4, "de-DE": documents.A4, "fr": documents.A4, "": documents.A4, "zh-Hans-CN": documents.A4,
	} {
		if got := paperForLocale(locale); got != want {
			t.Errorf("paperForLocale(%q) = %q, want %q", locale, got, want)
		}
	}
}
