package cli

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/backroom-app/backroom/data"
)

// product is the JSON shape of one SKU in "products list --json" and "products add --json".
type product struct {
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Barcodes []string `json:"barcodes"`
	Price    int64    `json:"price"`
	Cost     *int64   `json:"cost,omitempty"` // left out for users who may not see costs
	Currency string   `json:"currency"`
	Active   bool     `json:"active"`
}

func productOf(v data.Variant) product {
	p := product{SKU: v.SKU, Name: v.Name(), Barcodes: v.Barcodes, Price: v.Price, Cost: v.Cost, Currency: v.Currency, Active: v.Active}
	if p.Barcodes == nil {
		p.Barcodes = []string{}
	}
	return p
}

// pageSize is how many rows a list reads from the database at a time.
const pageSize = 500

type productsListOptions struct {
	json   *bool
	search *string
	all    *bool
}

func productsListCommand() *command {
	return &command{
		name: "products list", args: "[--json] [--search TEXT] [--all]", summary: "list products (SKUs) with prices",
		help: `Lists the shop's SKUs by SKU: name, price, cost (for those who may see costs) and barcodes.
Discontinued SKUs are left out unless --all is given.

With --json, prints an array of {"sku","name","barcodes","price","cost","currency","active"}; money is
in minor units (pence, cents), and "cost" is left out for users who may not see costs.`,
		flags: func(fs *flag.FlagSet) any {
			return &productsListOptions{
				json:   fs.Bool("json", false, "print JSON instead of a table"),
				search: fs.String("search", "", "only SKUs whose SKU, name or option contains `text`, or with this barcode"),
				all:    fs.Bool("all", false, "include discontinued SKUs"),
			}
		},
		run: runProductsList,
	}
}

func runProductsList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*productsListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (to search, use --search)", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	costs := store.Can(data.PermViewCosts)
	var list *jsonList
	var tw *tabwriter.Writer
	if *opts.json {
		list = newJSONList(r.out)
	} else {
		tw = tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
		header := "SKU\tNAME\tPRICE"
		if costs {
			header += "\tCOST"
		}
		header += "\tBARCODES"
		if *opts.all {
			header += "\tACTIVE"
		}
		fmt.Fprintln(tw, header)
	}
	for offset := 0; ; offset += pageSize {
		page, err := store.Variants(ctx, data.VariantFilter{Search: *opts.search, IncludeInactive: *opts.all, Limit: pageSize, Offset: offset})
		if err != nil {
			return err
		}
		for _, v := range page {
			if list != nil {
				if err := list.add(productOf(v)); err != nil {
					return err
				}
				continue
			}
			row := []string{v.SKU, v.Name(), data.FormatMoney(v.Price, v.Currency)}
			if costs && v.Cost != nil {
				row = append(row, data.FormatMoney(*v.Cost, v.Currency))
			}
			row = append(row, strings.Join(v.Barcodes, " "))
			if *opts.all {
				row = append(row, yesNo(v.Active))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if len(page) < pageSize {
			break
		}
	}
	if list != nil {
		return list.close()
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type productsAddOptions struct {
	sku, name, variant, price, cost, currency, bin, location *string
	barcodes                                                 *listFlag
	json                                                     *bool
}

func productsAddCommand() *command {
	return &command{
		name: "products add", args: "--sku SKU --name NAME [--variant TITLE] [--price 12.50] [--cost 4.20] [--currency GBP] [--barcode CODE]... [--bin A-01] [--location NAME] [--json]",
		summary: "add a product (SKU)",
		help: `Adds one SKU. With --variant, the SKU becomes an option of the existing product called NAME (a new
colour of a mug, say), or of a new product when there is none.

Prices and costs are typed as decimals (12.50). The currency defaults to the shop's currency setting,
else the one most of the catalogue is priced in; the first product of a new shop needs --currency.
Prints the new product; with --json, the same object "products list --json" prints.`,
		flags: func(fs *flag.FlagSet) any {
			o := &productsAddOptions{
				sku:      fs.String("sku", "", "the new `SKU` (required); case and leading zeros are kept"),
				name:     fs.String("name", "", "the product `name` (required)"),
				variant:  fs.String("variant", "", "the option that tells this SKU apart, e.g. `Sage / M`"),
				price:    fs.String("price", "0", "selling `price`, e.g. 12.50"),
				cost:     fs.String("cost", "0", "unit `cost`, e.g. 4.20"),
				currency: fs.String("currency", "", "ISO `code` of the price and cost, e.g. GBP"),
				bin:      fs.String("bin", "", "the `bin` or shelf it is kept in, e.g. A-01-3"),
				location: fs.String("location", "", "the location `name` it is kept in (default: the default location)"),
				barcodes: &listFlag{},
				json:     fs.Bool("json", false, "print the product as JSON"),
			}
			fs.Var(o.barcodes, "barcode", "a barcode (EAN, UPC or your own `code`); repeat for several")
			return o
		},
		run: runProductsAdd,
	}
}

func runProductsAdd(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*productsAddOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if strings.TrimSpace(*opts.sku) == "" || strings.TrimSpace(*opts.name) == "" {
		return usagef("--sku and --name are required")
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	currency := strings.ToUpper(strings.TrimSpace(*opts.currency))
	if currency == "" {
		if currency, err = shopCurrency(ctx, store); err != nil {
			return err
		}
		if currency == "" {
			return usagef("this shop has no products yet, so say which currency prices are in, e.g. --currency GBP")
		}
	}
	if !data.ValidCurrency(currency) {
		return usagef("--currency %q is not a three-letter ISO code such as GBP, EUR or USD", *opts.currency)
	}
	price, err := data.ParseMoney(*opts.price, currency)
	if err != nil {
		return usagef("--price: %s", err)
	}
	cost, err := data.ParseMoney(*opts.cost, currency)
	if err != nil {
		return usagef("--cost: %s", err)
	}
	n := data.NewVariant{
		SKU: *opts.sku, ProductName: strings.TrimSpace(*opts.name), Title: strings.TrimSpace(*opts.variant),
		Barcodes: *opts.barcodes, Price: price, Cost: cost, Currency: currency, Location: *opts.location, Bin: strings.TrimSpace(*opts.bin),
	}
	if n.Title != "" {
		if n.ProductID, err = productNamed(ctx, store, n.ProductName); err != nil {
			return err
		}
	}
	v, err := store.AddVariant(ctx, n)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, productOf(v))
	}
	fmt.Fprintf(r.out, "Added %s  %s  %s\n", v.SKU, v.Name(), data.FormatMoney(v.Price, v.Currency))
	return nil
}

// shopCurrency is the currency a new product gets: the shop's setting, else what most of the catalogue is
// priced in, else "" for a shop with no products.
func shopCurrency(ctx context.Context, store *data.Store) (string, error) {
	if c, err := store.Setting(ctx, data.SettingCurrency); err != nil || c != "" {
		return c, err
	}
	counts := map[string]int{}
	for offset := 0; ; offset += pageSize {
		page, err := store.Variants(ctx, data.VariantFilter{IncludeInactive: true, Limit: pageSize, Offset: offset})
		if err != nil {
			return "", err
		}
		for _, v := range page {
			counts[v.Currency]++
		}
		if len(page) < pageSize {
			break
		}
	}
	best := ""
	for _, c := range slices.Sorted(maps.Keys(counts)) {
		if best == "" || counts[c] > counts[best] {
			best = c
		}
	}
	return best, nil
}

// productNamed finds the one product called name, ignoring case, so a new option joins it; "" when there
// is none, or more than one and the choice would be a guess.
func productNamed(ctx context.Context, store *data.Store, name string) (string, error) {
	ids := map[string]bool{}
	for offset := 0; ; offset += pageSize {
		page, err := store.Variants(ctx, data.VariantFilter{Search: name, IncludeInactive: true, Limit: pageSize, Offset: offset})
		if err != nil {
			return "", err
		}
		for _, v := range page {
			if strings.EqualFold(v.ProductName, name) {
				ids[v.ProductID] = true
			}
		}
		if len(page) < pageSize {
			break
		}
	}
	if len(ids) != 1 {
		return "", nil
	}
	for id := range ids {
		return id, nil
	}
	return "", nil
}
