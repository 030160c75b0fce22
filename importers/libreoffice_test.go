package importers

import (
	"strings"
	"testing"
)

// TestWorkbooksSavedByLibreOffice reads exports a user opened in LibreOffice Calc and saved as .xlsx
// (testdata/imports/*_libreoffice.xlsx, made with `soffice --convert-to xlsx` from the CSV fixtures):
// shared strings, numbers and dates as Calc stores them, and the damage it does on the way. Calc read
// the Etsy file as Windows-1252, so names and emoji arrive garbled (repaired, with a warning); it turned
// eBay's 22-digit tracking number into 9.4001118992232E+021 (an error: its digits are gone) and ZIP
// codes into numbers without their leading zero (restored, with a warning). Apart from that each must
// give the same orders as the CSV.
func TestWorkbooksSavedByLibreOffice(t *testing.T) {
	items := collect(t, openFixture(t, "ebay_orders_us_libreoffice.xlsx"))
	want := []string{
		`row 4, Ship To Zip "2134": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 02134`,
		`row 5, Tracking Number "9.4001118992232E+021": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		`row 8, Ship To Zip "6103": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 06103`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("eBay workbook problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	items = collect(t, openFixture(t, "etsy_order_items_libreoffice.xlsx"))
	if got := strings.Join(problems(items), "\n"); !strings.Contains(got, `Ship Name "Ã…sa Example": the text was garbled by a wrong character set and was repaired to "Åsa Example"`) ||
		!strings.Contains(got, `was repaired to "veno ☁️🧸🍄🌱🧺"`) {
		t.Errorf("Etsy workbook problems:\n%s\nwant the buyers' names repaired", got)
	}
	for _, name := range []string{"shopify_orders_2025", "etsy_order_items"} {
		t.Run(name, func(t *testing.T) {
			want := orders(t, collect(t, openFixture(t, name+".csv")))
			f := openFixture(t, name+"_libreoffice.xlsx")
			got := orders(t, collect(t, f))
			if len(got) != len(want) {
				t.Fatalf("%d orders from the workbook, %d from the CSV", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.ExternalID != w.ExternalID || g.Status != w.Status || g.Total != w.Total || g.Subtotal != w.Subtotal ||
					!g.PlacedAt.Equal(w.PlacedAt) || g.ShipTo != w.ShipTo || g.CustomerName != w.CustomerName || len(g.Lines) != len(w.Lines) {
					t.Errorf("order %d from the workbook:\n%+v\nfrom the CSV:\n%+v", i, g, w)
					continue
				}
				for j := range w.Lines {
					if g.Lines[j] != w.Lines[j] {
						t.Errorf("%s line %d: workbook %+v, CSV %+v", g.ExternalID, j+1, g.Lines[j], w.Lines[j])
					}
				}
			}
		})
	}
}
