package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

const (
	shopifyProductsHeader  = "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,Status,SKU,Barcode,Option1 name,Option1 value,Option1 Linked To,Option2 name,Option2 value,Option2 Linked To,Option3 name,Option3 value,Option3 Linked To,Price,Compare-at price,Cost per item,Charge tax,Tax code,Unit price total measure,Unit price total measure unit,Unit price base measure,Unit price base measure unit,Inventory tracker,Inventory quantity,Continue selling when out of stock,Weight value (grams),Weight unit for display,Requires shipping,Fulfillment service,Product image URL,Image position,Image alt text,Variant image URL,Gift card,SEO title,SEO description,Color (product.metafields.shopify.color-pattern),Google Shopping / Google product category,Google Shopping / Gender,Google Shopping / Age group,Google Shopping / Manufacturer part number (MPN),Google Shopping / Ad group name,Google Shopping / Ads labels,Google Shopping / Condition,Google Shopping / Custom product,Google Shopping / Custom label 0,Google Shopping / Custom label 1,Google Shopping / Custom label 2,Google Shopping / Custom label 3,Google Shopping / Custom label 4"
	shopifyInventoryHeader = "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)"
)

// catalogRow is what one item of a product or stock file says, for comparing.
type catalogRow struct {
	Row     int
	Product *data.ProductRecord
	Count   *data.StockCount
}

func (c catalogRow) String() string {
	s := fmt.Sprintf("row %d", c.Row)
	if p := c.Product; p != nil {
		s += fmt.Sprintf(" product{%q %q %q barcodes=%q price=%s cost=%s %s active=%s}", p.SKU, p.ProductName, p.Title, p.Barcodes,
			showCatalogPtr(p.Price), showCatalogPtr(p.Cost), p.Currency, showCatalogPtr(p.Active))
	}
	if c.Count != nil {
		s += fmt.Sprintf(" count%+v", *c.Count)
	}
	return s
}

func showCatalogPtr[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func refTo[T any](v T) *T { return &v }

// catalogRows keeps the items that carry a record or a count.
func catalogRows(items []data.ImportItem) []catalogRow {
	var out []catalogRow
	for _, it := range items {
		if it.Product != nil || it.Count != nil {
			out = append(out, catalogRow{Row: it.FirstRow, Product: it.Product, Count: it.Count})
		}
	}
	return out
}

func shopifyRecord(sku, name, title string, price, cost *int64, active *bool, barcodes ...string) *data.ProductRecord {
	return &data.ProductRecord{SKU: sku, ProductName: name, Title: title, Barcodes: barcodes, Price: price, Cost: cost, Currency: "USD", Active: active}
}

// inventoryRecord is what an inventory row says of its product: names only.
func inventoryRecord(sku, name, title string) *data.ProductRecord {
	return &data.ProductRecord{SKU: sku, ProductName: name, Title: title}
}

func shopifyCount(sku, location string, onHand int64) *data.StockCount {
	return &data.StockCount{SKU: sku, Location: location, OnHand: onHand}
}

func compareCatalogRows(t *testing.T, got, want []catalogRow) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records differ\n got: %s\nwant: %s", strings.Join(catalogStrings(got), "\n      "), strings.Join(catalogStrings(want), "\n      "))
	}
}

func catalogStrings[T fmt.Stringer](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.String())
	}
	return out
}

func compareCatalogProblems(t *testing.T, items []data.ImportItem, want []string) {
	t.Helper()
	if got := problems(items); !slices.Equal(got, want) {
		t.Errorf("problems differ\n got: %q\nwant: %q", got, want)
	}
}

const scientificBarcode = "a spreadsheet program turned this number into scientific notation and its last digits are lost; " +
	"export the file again and open it without Excel, or format the column as Text before saving"

func TestShopifyCatalog_Detect(t *testing.T) {
	for _, tc := range []struct{ file, format string }{
		{"shopify_products_2025.csv", "shopify-products"},
		{"shopify_products_legacy.csv", "shopify-products"},
		{"shopify_products_2024_linked.csv", "shopify-products"},
		{"shopify_products_excel_damaged.csv", "shopify-products"},
		{"shopify_inventory_current.csv", "shopify-inventory"},
		{"shopify_inventory_2023.csv", "shopify-inventory"},
		{"shopify_inventory_pivoted.csv", "shopify-inventory-pivoted"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if got := openFixture(t, tc.file).FormatID(); got != tc.format {
				t.Errorf("FormatID() = %s, want %s", got, tc.format)
			}
		})
	}
	t.Run("ReorderedAndTrimmed", func(t *testing.T) {
		// Columns are found by name: a sheet someone cut down and reordered is still a products file.
		f := openBytes(t, "products.csv", []byte("Variant Price,Variant SKU,Title,Handle\n12.00,A-1,Apron,apron\n"))
		if got := f.FormatID(); got != "shopify-products" {
			t.Fatalf("FormatID() = %s, want shopify-products", got)
		}
		compareCatalogRows(t, catalogRows(collect(t, f)), []catalogRow{{Row: 2, Product: shopifyRecord("A-1", "Apron", "", refTo[int64](1200), nil, nil)}})
	})
}

func TestShopifyProducts_Read(t *testing.T) {
	for _, tc := range []struct {
		file     string
		want     []catalogRow
		problems []string
	}{
		{
			file: "shopify_products_2025.csv",
			want: []catalogRow{
				{Row: 2, Product: shopifyRecord("SHR-6", "Premium Neocaridina Community Pack", "6", refTo[int64](3800), refTo[int64](1250), refTo(true), "4006381333931"),
					Count: shopifyCount("SHR-6", "", 14)},
				{Row: 3, Product: shopifyRecord("SHR-12", "Premium Neocaridina Community Pack", "12", refTo[int64](6900), refTo[int64](2200), refTo(true)),
					Count: shopifyCount("SHR-12", "", 3)},
				// Row 4 holds only a second image.
				{Row: 5, Product: shopifyRecord("0986435621", "Vesicularia dubyana 'Christmas Moss' 1-2-Grow", "", refTo[int64](1449), nil, refTo(false)),
					Count: shopifyCount("0986435621", "", 25)},
				{Row: 6, Product: shopifyRecord("DRIFT-S-NAT", "Driftwood Branch", "S / Natural", refTo[int64](999), refTo[int64](310), refTo(false)),
					Count: shopifyCount("DRIFT-S-NAT", "", 0)},
				// Not tracked by Shopify: its 0 is no count.
				{Row: 7, Product: shopifyRecord("DRIFT-M-NAT", "Driftwood Branch", "M / Natural", refTo[int64](124900), refTo[int64](420), refTo(false))},
			},
			problems: []string{"row 8, SKU: Driftwood Branch – L / Natural has no SKU, so Backroom cannot track it; give the variant a SKU in Shopify and export again"},
		},
		{
			file: "shopify_products_legacy.csv",
			want: []catalogRow{
				{Row: 2, Product: shopifyRecord("TOTE-GRN", "Cotton Tote Bag", "Green", refTo[int64](1800), refTo[int64](640), refTo(true), "012345678905"),
					Count: shopifyCount("TOTE-GRN", "", 7)},
				{Row: 3, Product: shopifyRecord("TOTE-BLU", "Cotton Tote Bag", "Blue", refTo[int64](1800), refTo[int64](640), refTo(true)),
					Count: shopifyCount("TOTE-BLU", "", 0)},
				{Row: 5, Product: shopifyRecord("WRAP-1", "Gift Wrap", "", refTo[int64](250), nil, refTo(true))},
			},
		},
		{
			file: "shopify_products_2024_linked.csv",
			want: []catalogRow{
				{Row: 2, Product: shopifyRecord("APR-SAGE", "Linen Apron", "Sage", refTo[int64](3400), refTo[int64](1100), refTo(true), "012345678905"),
					Count: shopifyCount("APR-SAGE", "", 4)},
				// The apostrophe guarding a SKU that starts with - comes off; an oversold variant counts negative.
				{Row: 3, Product: shopifyRecord("-APR-RUST", "Linen Apron", "Rust", refTo[int64](3400), refTo[int64](1100), refTo(true), "4006381333931"),
					Count: shopifyCount("-APR-RUST", "", -1)},
			},
			problems: []string{`row 2, Variant Barcode "12345678905": a 12-digit barcode lost its leading zero in a spreadsheet program; it was read as 012345678905`},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			items := collect(t, openFixture(t, tc.file))
			compareCatalogRows(t, catalogRows(items), tc.want)
			compareCatalogProblems(t, items, tc.problems)
			for _, it := range items {
				for _, p := range it.Problems {
					if !p.Warning {
						t.Errorf("unexpected error %s", p)
					}
				}
			}
		})
	}
}

func TestShopifyProducts_Rows(t *testing.T) {
	t.Run("ContinuationWithoutFirstRow", func(t *testing.T) {
		b := csvFile(shopifyProductsHeader,
			map[string]string{"URL handle": "lost-product", "SKU": "LOST-1", "Option1 value": "Red", "Price": "5.00"})
		items := collect(t, openBytes(t, "products_export.csv", b))
		compareCatalogRows(t, catalogRows(items), []catalogRow{{Row: 2, Product: shopifyRecord("LOST-1", "", "Red", refTo[int64](500), nil, nil)}})
		compareCatalogProblems(t, items, []string{`row 2, URL handle "lost-product": the first row of this product, with its title, is not in the file; the variant is read without a product name`})
	})
	t.Run("TemplateWithoutHandles", func(t *testing.T) {
		// A template filled in by hand may leave the handle to Shopify; variant rows follow their product.
		b := csvFile(shopifyProductsHeader,
			map[string]string{"Title": "Felt Coaster", "Status": "Active", "SKU": "FELT-GRY", "Option1 name": "Color", "Option1 value": "Grey", "Price": "4.00"},
			map[string]string{"SKU": "FELT-RED", "Option1 value": "Red", "Price": "4.50"})
		items := collect(t, openBytes(t, "product_template.csv", b))
		compareCatalogRows(t, catalogRows(items), []catalogRow{
			{Row: 2, Product: shopifyRecord("FELT-GRY", "Felt Coaster", "Grey", refTo[int64](400), nil, refTo(true))},
			{Row: 3, Product: shopifyRecord("FELT-RED", "Felt Coaster", "Red", refTo[int64](450), nil, refTo(true))},
		})
		compareCatalogProblems(t, items, nil)
	})
	t.Run("ShopCurrency", func(t *testing.T) {
		b := csvFile(shopifyProductsHeader, map[string]string{"Title": "Mug", "URL handle": "mug", "SKU": "MUG", "Price": "1200"})
		f, err := Open(bytes.NewReader(b), "products_export.csv", Options{Currency: "jpy"})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows := catalogRows(collect(t, f))
		if len(rows) != 1 || rows[0].Product.Currency != "JPY" || *rows[0].Product.Price != 1200 {
			t.Fatalf("records = %v, want MUG at 1200 JPY", rows)
		}
	})
	t.Run("ThreeOptions", func(t *testing.T) {
		b := csvFile(shopifyProductsHeader, map[string]string{"Title": "Hoodie", "URL handle": "hoodie", "SKU": "HD-1",
			"Option1 name": "Color", "Option1 value": "Black", "Option2 name": "Size", "Option2 value": "XL", "Option3 name": "Fit", "Option3 value": "Slim"})
		rows := catalogRows(collect(t, openBytes(t, "products_export.csv", b)))
		if len(rows) != 1 || rows[0].Product.Title != "Black / XL / Slim" || rows[0].Product.Price != nil {
			t.Fatalf("records = %v, want HD-1 titled Black / XL / Slim with no price", rows)
		}
	})
}

func TestShopifyProducts_Workbook(t *testing.T) {
	// The same exports saved from Excel as .xlsx: number-looking cells became numbers.
	t.Run("SKULosesZero", func(t *testing.T) {
		x := shopifyWorkbook(t, readFixture(t, "shopify_products_2025.csv"), nil)
		items := collect(t, openBytes(t, "products_export.xlsx", x))
		var skus []string
		for _, r := range catalogRows(items) {
			skus = append(skus, r.Product.SKU)
		}
		if want := []string{"SHR-6", "SHR-12", "986435621", "DRIFT-S-NAT", "DRIFT-M-NAT"}; !slices.Equal(skus, want) {
			t.Errorf("SKUs = %q, want %q", skus, want)
		}
		compareCatalogProblems(t, items, []string{
			`row 5, SKU "986435621": a spreadsheet program stored this SKU as a number, which drops leading zeros; ` +
				"if the SKU in Shopify starts with 0, format the column as Text and save the file again",
			"row 8, SKU: Driftwood Branch – L / Natural has no SKU, so Backroom cannot track it; give the variant a SKU in Shopify and export again",
		})
	})
	t.Run("BarcodeLosesZero", func(t *testing.T) {
		x := shopifyWorkbook(t, readFixture(t, "shopify_products_legacy.csv"), nil)
		items := collect(t, openBytes(t, "products_export.xlsx", x))
		rows := catalogRows(items)
		if len(rows) != 3 || !slices.Equal(rows[0].Product.Barcodes, []string{"012345678905"}) || *rows[0].Product.Price != 1800 || rows[0].Count.OnHand != 7 {
			t.Errorf("records = %v, want TOTE-GRN with its UPC restored", rows)
		}
		compareCatalogProblems(t, items, []string{`row 2, Variant Barcode "12345678905": a 12-digit barcode lost its leading zero in a spreadsheet program; it was read as 012345678905`})
	})
}

func TestShopifyProducts_Bad(t *testing.T) {
	t.Run("ExcelDamaged", func(t *testing.T) {
		items := collect(t, openFixture(t, "shopify_products_excel_damaged.csv"))
		var errs []string
		for _, it := range items {
			for _, p := range it.Problems {
				if !p.Warning {
					errs = append(errs, p.String())
				}
			}
		}
		// Every variant row has a barcode Excel wrote as 3.65275E+11; the image-only row 17 has none.
		if len(errs) != 16 {
			t.Fatalf("%d errors, want 16: %q", len(errs), errs)
		}
		if want := `row 2, Variant Barcode "3.65275E+11": ` + scientificBarcode; errs[0] != want {
			t.Errorf("first error = %q, want %q", errs[0], want)
		}
		if want := `row 18, Variant Barcode "1.22328E+11": ` + scientificBarcode; errs[15] != want {
			t.Errorf("last error = %q, want %q", errs[15], want)
		}

		s := testStore(t)
		res := importInto(t, s, openFixture(t, "shopify_products_excel_damaged.csv"), data.ImportOptions{})
		if !res.Rejected() || res.ProductsNew != 0 || res.StockCounted != 0 {
			t.Errorf("Import = %+v, want it rejected with nothing written", res)
		}
		assertNoSKUs(t, s, "SRT_COT_111", "PNT_DEN_285", "HAT_GRY_275")
	})
	t.Run("Values", func(t *testing.T) {
		items := collect(t, openFixture(t, "shopify_products_bad.csv"))
		compareCatalogProblems(t, items, []string{
			`row 2, Price "twelve": is not an amount of money`,
			`row 3, Cost per item "-4.00": a cost cannot be negative`,
			`row 3, Inventory quantity "2.5": the inventory quantity is not a whole number`,
			`row 4, SKU "lily-13": SKU lily-13 is also on row 2; Backroom keeps one record per SKU, so give each variant its own SKU in Shopify`,
			`row 4, Status "hidden": is not a Shopify product status (active, draft or archived); the product's active flag was left as it is`,
		})
		s := testStore(t)
		res := importInto(t, s, openFixture(t, "shopify_products_bad.csv"), data.ImportOptions{})
		if !res.Rejected() || len(res.Errors) != 4 || len(res.Warnings) != 1 || res.ProductsNew != 0 {
			t.Errorf("Import = %+v, want it rejected with 4 errors and 1 warning", res)
		}
		assertNoSKUs(t, s, "LILY-13", "LILY-17")
	})
}

func assertNoSKUs(t *testing.T, s *data.Store, skus ...string) {
	t.Helper()
	for _, sku := range skus {
		if _, err := s.Variant(context.Background(), sku); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Variant(%s) error = %v, want not found", sku, err)
		}
	}
}

func onHandOf(t *testing.T, s *data.Store, sku string) int64 {
	t.Helper()
	l, err := s.StockLevel(context.Background(), sku)
	if err != nil {
		t.Fatalf("StockLevel(%s): %v", sku, err)
	}
	return l.OnHand
}

// byLocation is a SKU's stock as "location=n" in the store's order, for comparing.
func stockAt(t *testing.T, s *data.Store, sku string) []string {
	t.Helper()
	ls, err := s.StockByLocation(context.Background(), sku)
	if err != nil {
		t.Fatalf("StockByLocation(%s): %v", sku, err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%s=%d", l.Location, l.OnHand))
	}
	return out
}

func TestShopifyProducts_Import(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	res := importInto(t, s, openFixture(t, "shopify_products_2025.csv"), data.ImportOptions{})
	if !res.Committed || res.ProductsNew != 5 || res.ProductsUpdated != 0 || res.StockCounted != 3 || len(res.Errors) != 0 || len(res.Warnings) != 1 {
		t.Fatalf("first import = %+v, want 5 new products, 3 counts and the missing-SKU warning", res)
	}
	v, err := s.Variant(ctx, "SHR-12")
	if err != nil {
		t.Fatal(err)
	}
	if v.ProductName != "Premium Neocaridina Community Pack" || v.Title != "12" || v.Price != 6900 || v.Cost == nil || *v.Cost != 2200 ||
		v.Currency != "USD" || !v.Active {
		t.Errorf("SHR-12 = %+v", v)
	}
	if v, err := s.Variant(ctx, "0986435621"); err != nil || v.Active || v.Title != "" || !slices.Equal(v.Barcodes, nil) {
		t.Errorf("draft moss = %+v, %v; want inactive, no title, no barcodes", v, err)
	}
	if v, err := s.Variant(ctx, "SHR-6"); err != nil || !slices.Equal(v.Barcodes, []string{"4006381333931"}) {
		t.Errorf("SHR-6 barcodes = %q, %v", v.Barcodes, err)
	}
	for sku, want := range map[string]int64{"SHR-6": 14, "SHR-12": 3, "0986435621": 25, "DRIFT-S-NAT": 0, "DRIFT-M-NAT": 0} {
		if got := onHandOf(t, s, sku); got != want {
			t.Errorf("on hand of %s = %d, want %d", sku, got, want)
		}
	}

	res = importInto(t, s, openFixture(t, "shopify_products_2025.csv"), data.ImportOptions{})
	if res.ProductsUnchanged != 5 || res.ProductsNew != 0 || res.ProductsUpdated != 0 || res.StockCounted != 0 {
		t.Fatalf("second import = %+v, want 5 unchanged and no counts", res)
	}

	// A later export: SHR-6 got cheaper and three sold.
	b := readFixture(t, "shopify_products_2025.csv")
	later := bytes.Replace(b, []byte(",38.00,42.00,12.50,TRUE,,,,,,shopify,14,"), []byte(",36.00,42.00,12.50,TRUE,,,,,,shopify,11,"), 1)
	if bytes.Equal(b, later) {
		t.Fatal("the fixture's SHR-6 row changed; update the test")
	}
	res = importInto(t, s, openBytes(t, "products_export.csv", later), data.ImportOptions{})
	if res.ProductsUpdated != 1 || res.ProductsUnchanged != 4 || res.StockCounted != 1 {
		t.Fatalf("later import = %+v, want 1 updated, 4 unchanged, 1 count", res)
	}
	if v, _ := s.Variant(ctx, "SHR-6"); v.Price != 3600 {
		t.Errorf("SHR-6 price = %d, want 3600", v.Price)
	}
	if got := onHandOf(t, s, "SHR-6"); got != 11 {
		t.Errorf("SHR-6 on hand = %d, want 11", got)
	}
	ms, err := s.Movements(ctx, "SHR-6", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var quantities []int64
	for _, m := range ms {
		if m.Reason != data.ReasonCount {
			t.Errorf("movement %+v, want reason count", m)
		}
		quantities = append(quantities, m.Quantity)
	}
	slices.Sort(quantities)
	if !slices.Equal(quantities, []int64{-3, 14}) {
		t.Errorf("SHR-6 movements = %v, want the counts 14 and -3", quantities)
	}

	// The legacy header generation updates the same SKUs the same way.
	res = importInto(t, s, openFixture(t, "shopify_products_legacy.csv"), data.ImportOptions{})
	if res.ProductsNew != 3 || res.StockCounted != 1 {
		t.Errorf("legacy import = %+v, want 3 new and 1 count (TOTE-BLU counts 0 on an empty ledger)", res)
	}
}

func TestShopifyProducts_KeepsBarcodeOnBlankCell(t *testing.T) {
	// A barcode added in Backroom survives an export from a shop that never had one.
	ctx := context.Background()
	s := testStore(t)
	if _, err := s.AddVariant(ctx, data.NewVariant{SKU: "MUG", ProductName: "Mug", Barcodes: []string{"4006381333931"}, Price: 1200, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	b := csvFile(shopifyProductsHeader, map[string]string{"Title": "Mug", "URL handle": "mug", "SKU": "MUG", "Barcode": "", "Price": "12.00"})
	res := importInto(t, s, openBytes(t, "products_export.csv", b), data.ImportOptions{})
	if res.ProductsUnchanged != 1 {
		t.Errorf("Import = %+v, want the mug unchanged", res)
	}
	if v, _ := s.Variant(ctx, "MUG"); !slices.Equal(v.Barcodes, []string{"4006381333931"}) {
		t.Errorf("barcodes = %q, want the one Backroom had", v.Barcodes)
	}
}

func TestShopifyInventory_Read(t *testing.T) {
	for _, tc := range []struct {
		file     string
		want     []catalogRow
		problems []string
	}{
		{
			file: "shopify_inventory_current.csv",
			want: []catalogRow{
				{Row: 2, Product: inventoryRecord("SHR-6", "Premium Neocaridina Community Pack", "6"), Count: shopifyCount("SHR-6", "1 Example Street", 14)},
				// Row 3: not stocked at the garage, which is no count.
				{Row: 4, Product: inventoryRecord("SHR-12", "Premium Neocaridina Community Pack", "12"), Count: shopifyCount("SHR-12", "1 Example Street", 5)}, // On hand (new) wins over On hand (current)
				{Row: 5, Count: shopifyCount("SHR-12", "Garage Stock, Unit 4", 4)},
				{Row: 6, Product: inventoryRecord("0986435621", "Vesicularia dubyana 'Christmas Moss' 1-2-Grow", ""), Count: shopifyCount("0986435621", "1 Example Street", 0)},
			},
			problems: []string{"row 7, SKU: 20 ct Swiss Blue Topaz - Sterling Silver Ring has no SKU in Shopify, so Backroom cannot tell which of its items this is; give the variant a SKU in Shopify and export again"},
		},
		{
			file: "shopify_inventory_2023.csv",
			want: []catalogRow{
				{Row: 2, Product: inventoryRecord("TOTE-GRN", "Cotton Tote Bag", "Green"), Count: shopifyCount("TOTE-GRN", "1 Example Street", 7)},
				{Row: 3, Product: inventoryRecord("TOTE-BLU", "Cotton Tote Bag", "Blue"), Count: shopifyCount("TOTE-BLU", "1 Example Street", 2)},
			},
		},
		{
			file: "shopify_inventory_pivoted.csv",
			want: []catalogRow{
				{Row: 2, Product: inventoryRecord("TOTE-GRN", "Cotton Tote Bag", "Green"), Count: shopifyCount("TOTE-GRN", "1 Example Street", 6)},
				{Row: 3, Product: inventoryRecord("TOTE-BLU", "Cotton Tote Bag", "Blue"), Count: shopifyCount("TOTE-BLU", "1 Example Street", 2)},
				{Row: 3, Count: shopifyCount("TOTE-BLU", "1 EXAMPLE STREET, EXAMPLE VILLAGE,", 11)},
				{Row: 4, Product: inventoryRecord("WRAP-1", "Gift Wrap", ""), Count: shopifyCount("WRAP-1", "1 EXAMPLE STREET, EXAMPLE VILLAGE,", 0)},
			},
			problems: []string{
				"row 1, 1 Example Street: this layout gives Shopify's available quantity, which leaves out units committed to open orders; " +
					"Backroom's stock is set to it, so export the current inventory layout (with On hand) for exact counts",
				"row 5, SKU: Gift Card – $25.00 has no SKU in Shopify, so Backroom cannot tell which of its items this is; give the variant a SKU in Shopify and export again",
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			items := collect(t, openFixture(t, tc.file))
			compareCatalogRows(t, catalogRows(items), tc.want)
			compareCatalogProblems(t, items, tc.problems)
		})
	}
	t.Run("AvailableOnly", func(t *testing.T) {
		b := []byte("Handle,Title,SKU,Location,Available\nmug,Mug,MUG,Back room,3\n")
		f := openBytes(t, "inventory_export.csv", b)
		items := collect(t, f)
		compareCatalogRows(t, catalogRows(items), []catalogRow{{Row: 2, Product: inventoryRecord("MUG", "Mug", ""), Count: shopifyCount("MUG", "Back room", 3)}})
		compareCatalogProblems(t, items, []string{"row 1, Available: this layout gives Shopify's available quantity, which leaves out units committed to open orders; " +
			"Backroom's stock is set to it, so export the current inventory layout (with On hand) for exact counts"})
	})
	t.Run("PivotedWithoutLocations", func(t *testing.T) {
		b := []byte("Handle,Title,Option1 Name,Option1 Value,SKU,HS Code,COO\nmug,Mug,Title,Default Title,MUG,,\n")
		f := openBytes(t, "inventory_export.csv", b)
		if f.FormatID() != "shopify-inventory-pivoted" {
			t.Fatalf("FormatID() = %s", f.FormatID())
		}
		compareCatalogProblems(t, collect(t, f), []string{"row 1: the file has no location columns: after COO, this layout has one column per location holding its quantity"})
	})
}

func TestShopifyInventory_Bad(t *testing.T) {
	items := collect(t, openFixture(t, "shopify_inventory_bad.csv"))
	compareCatalogProblems(t, items, []string{
		`row 2, On hand (current) "two": is neither a whole number of units nor "not stocked"`,
		`row 3, On hand (new) "1.5": is neither a whole number of units nor "not stocked"`,
		`row 4, SKU "9.86436E+08": ` + scientificBarcode,
		`row 5, Location: is empty; every row needs it`,
	})
	if rows := catalogRows(items); len(rows) != 0 {
		t.Errorf("records = %v, want none", rows)
	}

	s := testStore(t)
	importInto(t, s, openFixture(t, "shopify_products_2025.csv"), data.ImportOptions{})
	res := importInto(t, s, openFixture(t, "shopify_inventory_bad.csv"), data.ImportOptions{})
	if !res.Rejected() || len(res.Errors) != 4 || res.StockCounted != 0 || res.LocationsAdded != nil {
		t.Errorf("Import = %+v, want it rejected with 4 errors", res)
	}
	if got, want := stockAt(t, s, "SHR-6"), []string{"Shop=14"}; !slices.Equal(got, want) {
		t.Errorf("SHR-6 stock = %v, want %v (unchanged)", got, want)
	}
}

func TestShopifyInventory_Duplicates(t *testing.T) {
	t.Run("PerLocation", func(t *testing.T) {
		row := map[string]string{"Handle": "mug", "Title": "Mug", "SKU": "MUG", "Location": "Shop", "On hand (current)": "2"}
		other := map[string]string{"Handle": "mug", "Title": "Mug", "SKU": "MUG", "Location": "Garage", "On hand (current)": "1"}
		items := collect(t, openBytes(t, "inventory_export.csv", csvFile(shopifyInventoryHeader, row, other, row)))
		compareCatalogProblems(t, items, []string{`row 4, SKU "MUG": SKU MUG at Shop is also on row 2; keep one row per SKU and location, so the count is clear`})
	})
	t.Run("Pivoted", func(t *testing.T) {
		b := []byte("Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Shop\n" +
			"mug,Mug,Title,Default Title,,,,,MUG,,,2\nmug,Mug,Title,Default Title,,,,,mug,,,3\n")
		items := collect(t, openBytes(t, "inventory_export.csv", b))
		compareCatalogRows(t, catalogRows(items), []catalogRow{{Row: 2, Product: inventoryRecord("MUG", "Mug", ""), Count: shopifyCount("MUG", "Shop", 2)}})
		if got := problems(items); len(got) != 2 || got[1] != `row 3, SKU "mug": SKU mug is also on row 2; keep one row per SKU, so the counts are clear` {
			t.Errorf("problems = %q, want the available warning and the duplicate", got)
		}
	})
}

func TestShopifyInventory_NewSKUsStartTheCatalogue(t *testing.T) {
	// An inventory export names each variant's product and options, so a SKU Backroom lacks is added
	// with them, and its count is the stock it starts with.
	ctx := context.Background()
	s := testStore(t)
	b := csvFile(shopifyInventoryHeader, map[string]string{"Handle": "tote", "Title": "Cotton Tote Bag", "Option1 Name": "Color",
		"Option1 Value": "Green", "SKU": "TOTE-GRN", "Location": "Shop", "On hand (current)": "7"})
	res := importInto(t, s, openBytes(t, "inventory_export.csv", b), data.ImportOptions{})
	if !res.Committed || res.ProductsNew != 1 || res.StockCounted != 1 {
		t.Fatalf("Import = %+v, want the SKU added and counted", res)
	}
	v, err := s.Variant(ctx, "TOTE-GRN")
	if err != nil || v.Name() != "Cotton Tote Bag – Green" {
		t.Fatalf("TOTE-GRN = %+v (%v)", v, err)
	}
	if l, err := s.StockLevel(ctx, "TOTE-GRN"); err != nil || l.OnHand != 7 {
		t.Fatalf("TOTE-GRN stock = %+v (%v), want 7 on hand", l, err)
	}
}

func TestShopifyInventory_Import(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	// The shop's main location is the one Shopify calls 1 Example Street; the garage is new to Backroom.
	if _, err := s.AddLocation(ctx, "1 Example Street", "shop"); err != nil {
		t.Fatal(err)
	}
	importInto(t, s, openFixture(t, "shopify_products_2025.csv"), data.ImportOptions{})

	res := importInto(t, s, openFixture(t, "shopify_inventory_current.csv"), data.ImportOptions{})
	// SHR-6 already has 14; SHR-12 goes 3 → 5 here and 0 → 4 in the garage; the moss 25 → 0.
	if !res.Committed || res.StockCounted != 3 || !slices.Equal(res.LocationsAdded, []string{"Garage Stock, Unit 4"}) || len(res.Errors) != 0 {
		t.Fatalf("first import = %+v, want 3 counts and the garage added", res)
	}
	var warnings []string
	for _, w := range res.Warnings {
		warnings = append(warnings, w.String())
	}
	wantWarnings := []string{
		"row 5, Location \"Garage Stock, Unit 4\": a location Backroom did not have, added as a new one; if it is one of yours under another name, say which before importing: Check file on the Imports screen asks, and the command line takes --location \"NAME=YOURS\"",
		"row 7, SKU: 20 ct Swiss Blue Topaz - Sterling Silver Ring has no SKU in Shopify, so Backroom cannot tell which of its items this is; give the variant a SKU in Shopify and export again",
	}
	slices.Sort(warnings)
	if !slices.Equal(warnings, wantWarnings) {
		t.Errorf("warnings = %q, want %q", warnings, wantWarnings)
	}
	for sku, want := range map[string][]string{
		"SHR-6":      {"1 Example Street=14"},
		"SHR-12":     {"1 Example Street=5", "Garage Stock, Unit 4=4"},
		"0986435621": {"1 Example Street=0"},
	} {
		if got := stockAt(t, s, sku); !slices.Equal(got, want) {
			t.Errorf("stock of %s = %v, want %v", sku, got, want)
		}
	}
	if got := onHandOf(t, s, "SHR-12"); got != 9 {
		t.Errorf("SHR-12 on hand = %d, want 9", got)
	}

	res = importInto(t, s, openFixture(t, "shopify_inventory_current.csv"), data.ImportOptions{})
	if !res.Committed || res.StockCounted != 0 || res.LocationsAdded != nil {
		t.Fatalf("second import = %+v, want nothing moved", res)
	}

	// The owner types a new count for SHR-6 into the sheet.
	b := csvFile(shopifyInventoryHeader, map[string]string{"Handle": "shrimp-pack", "Title": "Premium Neocaridina Community Pack",
		"Option1 Name": "Size", "Option1 Value": "6", "SKU": "SHR-6", "Location": "1 Example Street", "On hand (current)": "14", "On hand (new)": "20"})
	res = importInto(t, s, openBytes(t, "inventory_export.csv", b), data.ImportOptions{})
	if res.StockCounted != 1 {
		t.Fatalf("count import = %+v, want 1 count", res)
	}
	if got := onHandOf(t, s, "SHR-6"); got != 20 {
		t.Errorf("SHR-6 on hand = %d, want 20", got)
	}
	ms, err := s.Movements(ctx, "SHR-6", 1, 0)
	if err != nil || len(ms) != 1 || ms[0].Quantity != 6 || ms[0].Reason != data.ReasonCount {
		t.Errorf("last movement = %+v, %v; want a count of +6", ms, err)
	}
}

func TestShopifyInventory_ImportPivoted(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if _, err := s.AddLocation(ctx, "1 Example Street", "shop"); err != nil {
		t.Fatal(err)
	}
	importInto(t, s, openFixture(t, "shopify_products_legacy.csv"), data.ImportOptions{})

	res := importInto(t, s, openFixture(t, "shopify_inventory_pivoted.csv"), data.ImportOptions{})
	// TOTE-GRN 7 → 6, TOTE-BLU 0 → 2 and 0 → 11 in the village; WRAP-1's 0 there moves nothing.
	if !res.Committed || res.StockCounted != 3 || !slices.Equal(res.LocationsAdded, []string{"1 EXAMPLE STREET, EXAMPLE VILLAGE,"}) {
		t.Fatalf("first import = %+v, want 3 counts and the village added", res)
	}
	if len(res.Warnings) != 3 {
		t.Errorf("warnings = %v, want the available-quantity, missing-SKU and new-location ones", res.Warnings)
	}
	for sku, want := range map[string]int64{"TOTE-GRN": 6, "TOTE-BLU": 13, "WRAP-1": 0} {
		if got := onHandOf(t, s, sku); got != want {
			t.Errorf("on hand of %s = %d, want %d", sku, got, want)
		}
	}
	res = importInto(t, s, openFixture(t, "shopify_inventory_pivoted.csv"), data.ImportOptions{})
	if res.StockCounted != 0 || res.LocationsAdded != nil {
		t.Errorf("second import = %+v, want nothing moved", res)
	}
}

func FuzzShopifyProducts(f *testing.F) {
	for _, name := range []string{"shopify_products_2025.csv", "shopify_products_legacy.csv", "shopify_products_2024_linked.csv",
		"shopify_products_bad.csv", "shopify_products_excel_damaged.csv"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(fuzzCatalog)
}

func FuzzShopifyInventory(f *testing.F) {
	for _, name := range []string{"shopify_inventory_current.csv", "shopify_inventory_2023.csv", "shopify_inventory_pivoted.csv", "shopify_inventory_bad.csv"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(fuzzCatalog)
}

// fuzzCatalog reads any bytes without panicking; the records the Shopify catalog formats read carry a SKU.
func fuzzCatalog(t *testing.T, b []byte) {
	file, err := Open(bytes.NewReader(b), "fuzz.csv", Options{Currency: "USD"})
	if err != nil {
		return
	}
	defer file.Close()
	ours := file.Format != nil && strings.HasPrefix(file.Format.ID, "shopify-") && file.Format.Kind != KindOrders
	for it := range file.Items(context.Background()) {
		if !ours {
			continue
		}
		if it.Product != nil && it.Product.SKU == "" {
			t.Errorf("rows %d–%d: a product record without a SKU", it.FirstRow, it.LastRow)
		}
		if it.Count != nil && it.Count.SKU == "" {
			t.Errorf("rows %d–%d: a count without a SKU", it.FirstRow, it.LastRow)
		}
	}
}
