package documents

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// The tests read the PDFs back with the tools a reviewer would use: poppler's pdftotext, pdfinfo and
// pdftoppm, and zbar's zbarimg for the barcodes. Without them the tests skip, except in CI, where a
// missing tool is a broken machine.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (Debian: poppler-utils, zbar-tools)", tool)
			}
			t.Skipf("%s is not installed (Debian: poppler-utils, zbar-tools)", tool)
		}
	}
}

// writePDF saves b in the test's folder and returns its path.
func writePDF(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pdfText is the text of pages first to last (0 for the last page) as pdftotext reads it.
func pdfText(t *testing.T, path string, first, last int) string {
	t.Helper()
	args := []string{"-layout", "-f", strconv.Itoa(first)}
	if last > 0 {
		args = append(args, "-l", strconv.Itoa(last))
	}
	out, err := exec.Command("pdftotext", append(args, path, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// pageCount and pageSize come from pdfinfo.
func pdfInfo(t *testing.T, path string) (pages int, size string) {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s", path, err, out)
	}
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out)); m != nil {
		pages, _ = strconv.Atoi(m[1])
	}
	if m := regexp.MustCompile(`(?m)^Page size:\s+(.*)$`).FindStringSubmatch(string(out)); m != nil {
		size = m[1]
	}
	return pages, size
}

// render draws page n at dpi into a PNG in dir and returns its path. When BACKROOM_DOCS_PNG names a
// prefix (such as /tmp/docs-), a copy is kept there for a person to look at.
func render(t *testing.T, pdf string, page, dpi int, keepAs string) string {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-f", strconv.Itoa(page), "-l", strconv.Itoa(page),
		"-png", "-singlefile", pdf, prefix).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm %s: %v\n%s", pdf, err, out)
	}
	png := prefix + ".png"
	if keep := os.Getenv("BACKROOM_DOCS_PNG"); keep != "" && keepAs != "" {
		b, _ := os.ReadFile(png)
		_ = os.WriteFile(keep+keepAs+".png", b, 0o644)
	}
	return png
}

// barcodes are the codes zbarimg finds in a picture, as "EAN-13:5012345678900", sorted.
func barcodes(t *testing.T, png string) []string {
	t.Helper()
	out, err := exec.Command("zbarimg", "--quiet", png).Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("zbarimg %s found no barcode: %v", png, err)
	}
	var codes []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			codes = append(codes, l)
		}
	}
	sort.Strings(codes)
	return codes
}

var testAt = time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)

// testOrders is a batch with the names that break naive PDF code: accents, an en dash, curly quotes.
func testOrders(n int) []data.Order {
	orders := []data.Order{
		{ID: 1, Channel: "etsy", ExternalID: "1001", Status: data.StatusPaid, PlacedAt: testAt.Add(-48 * time.Hour),
			ShipBy: testAt.Add(24 * time.Hour), CustomerName: "Zoë Brontë",
			ShipTo: data.Address{Name: "Zoë Brontë", Line1: "12 Rue de l’Église", City: "Montréal", Region: "QC", Postcode: "H2X 1Y4", Country: "Canada"},
			Lines: []data.OrderLine{
				{SKU: "APRON-SAGE", Name: "Linen apron – Sage", Quantity: 2, Pack: 1},
				{SKU: "CREME-01", Name: "Crème brûlée kit", Quantity: 1, Pack: 1},
			}},
		{ID: 2, Channel: "amazon", ExternalID: "113-1234567-1234567", Status: data.StatusNew, PlacedAt: testAt.Add(-3 * time.Hour),
			CustomerName: "Ada Lovelace",
			ShipTo:       data.Address{Name: "Ada Lovelace", Line1: "12 St James’s Square", City: "London", Postcode: "SW1Y 4JH", Country: "United Kingdom"},
			Lines:        []data.OrderLine{{SKU: "MUG-BLUE", Name: "Stoneware mug – Blue", Quantity: 3, Pack: 1}}},
		{ID: 3, Channel: "shopify", ExternalID: "#2001", Status: data.StatusPaid, PlacedAt: testAt.Add(-time.Hour),
			CustomerName: "Grace Hopper",
			Lines:        []data.OrderLine{{ChannelSKU: "SHOP-CANDLE", Name: "Soy candle “Fig”", Quantity: 1, Pack: 1}}},
	}
	for i := len(orders); i < n; i++ {
		orders = append(orders, data.Order{ID: int64(i + 1), Channel: "etsy", ExternalID: fmt.Sprintf("%d", 5000+i), Status: data.StatusPaid,
			PlacedAt: testAt.Add(-time.Duration(i) * time.Hour), CustomerName: fmt.Sprintf("Customer %d", i),
			Lines: []data.OrderLine{{SKU: fmt.Sprintf("SKU-%02d", i), Name: fmt.Sprintf("Item number %d", i), Quantity: 1, Pack: 1}}})
	}
	return orders
}

// pickItems is what Store.PickList would make of testOrders(n).
func pickItems(n int) []data.PickItem {
	items := []data.PickItem{
		{SKU: "APRON-SAGE", Name: "Linen apron – Sage", Location: "Shop", Bin: "A-01", Quantity: 2, Orders: []string{"1001"}},
		{SKU: "CREME-01", Name: "Crème brûlée kit", Location: "Shop", Bin: "A-02", Quantity: 1, Orders: []string{"1001"}, Kits: []string{"DESSERT-BOX"}},
		{SKU: "MUG-BLUE", Name: "Stoneware mug – Blue", Location: "Shop", Bin: "B-01", Quantity: 3, Orders: []string{"113-1234567-1234567"}},
		// A long SKU must show whole: a SKU cut short cannot be found on the shelf.
		{SKU: "FK-TEA250-BREAKFAST", Name: "Loose leaf tea 250 g refill – English Breakfast", Location: "Shop", Bin: "B-02-10",
			Quantity: 1, Orders: []string{"1001"}},
	}
	for i := 3; i < n; i++ {
		items = append(items, data.PickItem{SKU: fmt.Sprintf("SKU-%02d", i), Name: fmt.Sprintf("Item number %d", i), Location: "Garage",
			Bin: fmt.Sprintf("G-%d", i), Quantity: 1, Orders: []string{fmt.Sprintf("%d", 5000+i)}})
	}
	return append(items, data.PickItem{Name: "Soy candle “Fig”", Unmatched: true, Channel: "shopify", ChannelSKU: "SHOP-CANDLE",
		Quantity: 1, Orders: []string{"#2001"}})
}

func TestPickList(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo", "pdftoppm")
	t.Run("OK", func(t *testing.T) {
		var buf bytes.Buffer
		if err := PickList(&buf, "Fern & Kettle Crème", pickItems(5), testOrders(5), testAt, A4); err != nil {
			t.Fatal(err)
		}
		path := writePDF(t, "pick.pdf", buf.Bytes())
		render(t, path, 1, 100, "picklist")
		pages, size := pdfInfo(t, path)
		if pages != 1 || !strings.Contains(size, "595.") {
			t.Errorf("pages, size = %d, %q, want 1 A4 page", pages, size)
		}
		text := pdfText(t, path, 1, 0)
		for _, want := range []string{"Fern & Kettle Crème", "Pick list", "5 orders", "10 units", "26 Nov 2026",
			"APRON-SAGE", "CREME-01", "MUG-BLUE", "FK-TEA250-BREAKFAST", "B-02-10", "SKU-03", "SKU-04", "SHOP-CANDLE",
			"Linen apron – Sage", "Crème brûlée kit", "Soy candle “Fig”", "for kit DESSERT-BOX",
			"1001", "113-1234567-1234567", "#2001", "5003", "5004", "A-01", "Not matched to a SKU", "Page 1 of 1"} {
			if !strings.Contains(text, want) {
				t.Errorf("pick list text has no %q:\n%s", want, text)
			}
		}
		// The unmatched line comes after every shelf.
		if strings.Index(text, "SHOP-CANDLE") < strings.Index(text, "SKU-04") {
			t.Errorf("the unmatched line is not after the matched ones:\n%s", text)
		}
	})
	t.Run("PageBreak", func(t *testing.T) {
		var buf bytes.Buffer
		if err := PickList(&buf, "Fern & Kettle", pickItems(30), testOrders(30), testAt, Letter); err != nil {
			t.Fatal(err)
		}
		path := writePDF(t, "pick30.pdf", buf.Bytes())
		render(t, path, 2, 100, "picklist-page2")
		pages, size := pdfInfo(t, path)
		if pages < 2 || !strings.Contains(size, "612 x 792") {
			t.Fatalf("pages, size = %d, %q, want 2 or more Letter pages", pages, size)
		}
		page2 := pdfText(t, path, 2, 2)
		for _, want := range []string{"Fern & Kettle", "Pick list (continued)", "BIN", "SKU", "QTY", "ORDERS", fmt.Sprintf("Page 2 of %d", pages)} {
			if !strings.Contains(page2, want) {
				t.Errorf("page 2 has no %q:\n%s", want, page2)
			}
		}
		all := pdfText(t, path, 1, 0)
		for _, o := range testOrders(30) {
			if !strings.Contains(all, o.ExternalID) {
				t.Errorf("the pick list has no order %s", o.ExternalID)
			}
		}
	})
	t.Run("GlyphsNotInFont", func(t *testing.T) {
		// Noto Sans has no CJK or emoji: such names print as empty boxes, never as a failed document.
		items := []data.PickItem{{SKU: "TEA-JP", Name: "抹茶 matcha 🍵", Location: "Shop", Bin: "A-1", Quantity: 1, Orders: []string{"1001"}}}
		var buf bytes.Buffer
		if err := PickList(&buf, "茶屋", items, testOrders(1), testAt, A4); err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, writePDF(t, "cjk.pdf", buf.Bytes()), 1, 0); !strings.Contains(text, "TEA-JP") || !strings.Contains(text, "matcha") {
			t.Errorf("pick list text:\n%s", text)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		var buf bytes.Buffer
		if err := PickList(&buf, "Fern & Kettle", nil, nil, testAt, A4); err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, writePDF(t, "empty.pdf", buf.Bytes()), 1, 0)
		if !strings.Contains(text, "Nothing to pick") {
			t.Errorf("empty pick list says:\n%s", text)
		}
	})
}

func TestPackingSlips(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo", "pdftoppm", "zbarimg")
	orders := testOrders(3)
	var buf bytes.Buffer
	if err := PackingSlips(&buf, ShopInfo{Name: "Fern & Kettle Crème"}, orders); err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, "slips.pdf", buf.Bytes())
	if pages, _ := pdfInfo(t, path); pages != len(orders) {
		t.Fatalf("pages = %d, want one per order: %d", pages, len(orders))
	}
	for i, o := range orders {
		text := pdfText(t, path, i+1, i+1)
		for _, want := range []string{"Fern & Kettle Crème", "Packing slip", o.ExternalID, channelName(o.Channel), o.CustomerName} {
			if !strings.Contains(text, want) {
				t.Errorf("slip %d has no %q:\n%s", i+1, want, text)
			}
		}
		for _, l := range o.Lines {
			for _, want := range []string{l.Name, l.SKU + l.ChannelSKU} {
				if !strings.Contains(text, want) {
					t.Errorf("slip %d has no %q:\n%s", i+1, want, text)
				}
			}
		}
		if o.ShipTo.Line1 != "" && !strings.Contains(text, o.ShipTo.Line1) {
			t.Errorf("slip %d has no address line %q:\n%s", i+1, o.ShipTo.Line1, text)
		}
		if strings.Contains(text, "£") || strings.Contains(text, "Total") {
			t.Errorf("slip %d shows money:\n%s", i+1, text)
		}
		keep := ""
		if i == 0 {
			keep = "packingslip"
		}
		got := barcodes(t, render(t, path, i+1, 200, keep))
		if want := []string{"CODE-128:" + o.ExternalID}; !slices.Equal(got, want) {
			t.Errorf("slip %d barcodes = %v, want %v", i+1, got, want)
		}
	}
	first := pdfText(t, path, 1, 1)
	for _, want := range []string{"Montréal, QC H2X 1Y4", "3 items in this parcel"} {
		if !strings.Contains(first, want) {
			t.Errorf("slip 1 has no %q:\n%s", want, first)
		}
	}

	t.Run("LongOrder", func(t *testing.T) {
		long := orders[0]
		long.Lines = nil
		for i := 0; i < 40; i++ {
			long.Lines = append(long.Lines, data.OrderLine{SKU: fmt.Sprintf("LONG-%02d", i), Name: fmt.Sprintf("Thing %d", i), Quantity: 1, Pack: 1})
		}
		var buf bytes.Buffer
		if err := PackingSlips(&buf, ShopInfo{Name: "Fern & Kettle", Paper: Letter}, []data.Order{long}); err != nil {
			t.Fatal(err)
		}
		path := writePDF(t, "long.pdf", buf.Bytes())
		pages, _ := pdfInfo(t, path)
		if pages != 2 {
			t.Fatalf("pages = %d, want 2", pages)
		}
		second := pdfText(t, path, 2, 2)
		for _, want := range []string{"order 1001 (continued)", "SKU", "QTY", "LONG-39", "40 items in this parcel"} {
			if !strings.Contains(second, want) {
				t.Errorf("page 2 has no %q:\n%s", want, second)
			}
		}
	})
	t.Run("NoOrders", func(t *testing.T) {
		if err := PackingSlips(&bytes.Buffer{}, ShopInfo{Name: "x"}, nil); err == nil {
			t.Error("PackingSlips(no orders) = nil error")
		}
	})
	t.Run("BadLogo", func(t *testing.T) {
		if err := PackingSlips(&bytes.Buffer{}, ShopInfo{Name: "x", Logo: []byte("not a png")}, orders); err == nil {
			t.Error("PackingSlips(bad logo) = nil error")
		}
	})
}

func TestLabels(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo", "pdftoppm", "zbarimg")
	products := []Label{
		{Code: "5012345678900", Title: "Linen apron", Sub: "Sage · APRON-SAGE · bin A-01"},
		{Code: "CREME-01", Title: "Crème brûlée kit with a very long name that will not fit", Sub: "CREME-01"},
		{Code: "A-01", Title: "Bin A-01", Sub: "Shop · 3 SKUs"},
		{Code: "4006381333931", Title: "Stoneware mug", Sub: "Blue · MUG-BLUE"},
		{Code: "5012345678901", Title: "Not an EAN: wrong check digit", Sub: "prints as Code 128"},
	}
	want := []string{"CODE-128:5012345678901", "CODE-128:A-01", "CODE-128:CREME-01", "EAN-13:4006381333931", "EAN-13:5012345678900"}
	for _, layout := range LabelLayouts() {
		t.Run(layout.Name, func(t *testing.T) {
			var labels []Label
			n := layout.PerPage() + 1 // one more than a sheet: the last goes on a page of its own
			if layout.PerPage() == 1 {
				n = len(products)
			}
			for i := 0; i < n; i++ {
				labels = append(labels, products[i%len(products)])
			}
			var buf bytes.Buffer
			if err := Labels(&buf, layout, labels); err != nil {
				t.Fatal(err)
			}
			path := writePDF(t, layout.Name+".pdf", buf.Bytes())
			pages, size := pdfInfo(t, path)
			if pages != layout.Pages(n) {
				t.Errorf("pages = %d, want %d", pages, layout.Pages(n))
			}
			w, h := layout.PageW/ptToMM, layout.PageH/ptToMM
			var gotW, gotH float64
			if _, err := fmt.Sscanf(size, "%g x %g", &gotW, &gotH); err != nil || math.Abs(gotW-w) > 0.5 || math.Abs(gotH-h) > 0.5 {
				t.Errorf("page size = %q, want %.1f x %.1f pt", size, w, h)
			}
			// Every label has one of five titles: counting them counts the labels on a page.
			countLabels := func(page int) int {
				text := pdfText(t, path, page, page)
				n := 0
				for _, title := range []string{"Linen apron", "Crème brûlée", "Bin A-01", "Stoneware mug", "Not an EAN"} {
					n += strings.Count(text, title)
				}
				return n
			}
			if got := countLabels(1); got != min(n, layout.PerPage()) {
				t.Errorf("first page has %d labels, want %d", got, min(n, layout.PerPage()))
			}
			if got, want := countLabels(pages), n-layout.PerPage()*(pages-1); got != want {
				t.Errorf("last page has %d labels, want %d", got, want)
			}
			if layout.PerPage() > 1 {
				got := dedupe(barcodes(t, render(t, path, 1, 200, "labels-"+layout.Name)))
				if !slices.Equal(got, want) {
					t.Errorf("barcodes = %v, want %v", got, want)
				}
				return
			}
			var got []string
			for p := 1; p <= pages; p++ {
				keep := ""
				if p == 1 {
					keep = "labels-" + layout.Name
				}
				got = append(got, barcodes(t, render(t, path, p, 200, keep))...)
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("barcodes = %v, want %v", got, want)
			}
		})
	}
	t.Run("BadCode", func(t *testing.T) {
		err := Labels(&bytes.Buffer{}, LabelLayouts()[0], []Label{{Code: "Crème", Title: "x"}})
		if err == nil || !strings.Contains(err.Error(), "Crème") {
			t.Errorf("Labels(non-ASCII code) = %v, want an error naming the code", err)
		}
	})
}

func dedupe(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

func TestValidEAN13(t *testing.T) {
	for code, want := range map[string]bool{
		"5012345678900": true, "4006381333931": true, "5012345678901": false,
		"501234567890": false, "50123456789000": false, "501234567890A": false, "": false,
	} {
		if got := ValidEAN13(code); got != want {
			t.Errorf("ValidEAN13(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestParsePaper(t *testing.T) {
	for in, want := range map[string]Paper{"": A4, "A4": A4, " letter ": Letter} {
		if got, err := ParsePaper(in); err != nil || got != want {
			t.Errorf("ParsePaper(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParsePaper("legal"); err == nil {
		t.Error("ParsePaper(legal) = nil error")
	}
	if _, err := LabelLayoutNamed("a5-2x4"); err == nil || !strings.Contains(err.Error(), "a4-3x8") {
		t.Errorf("LabelLayoutNamed(a5-2x4) = %v, want an error listing the layouts", err)
	}
}
