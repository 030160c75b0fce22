package stockexport

import (
	"io"
	"strings"
	"unicode"

	"github.com/backroom-app/backroom/data"
)

// shopifyColumns is the header of Shopify's inventory CSV (Products › Inventory › Export,
// inventory_export.csv) in its current 19-column form, as a real export writes it.
func shopifyColumns() []string {
	return []string{"Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name",
		"Option3 Value", "SKU", "HS Code", "COO", "Location", "Bin name", "Incoming (not editable)",
		"Unavailable (not editable)", "Committed (not editable)", "Available (not editable)", "On hand (current)", "On hand (new)"}
}

// Shopify writes Shopify's inventory CSV for import at Products › Inventory › Import: UTF-8 without a
// BOM and LF line ends as Shopify's own export, one row per SKU and location, the location by its name.
//
// Shopify applies only On hand (new), so that is where the quantity to list goes; On hand (current), the
// not-editable quantities, Bin name, HS Code and COO are left empty, which Shopify reads as "keep". Shopify
// subtracts the units its own open orders hold (Committed) from On hand, and Backroom's sellable
// quantity has already taken those orders off, so until they are fulfilled Shopify shows that many fewer
// for sale than Backroom listed: the safe side, as this file exists to stop overselling.
//
// Backroom keeps no Shopify handles, so Handle is the one Shopify makes from the product name
// ("Women's Snowboard" → womens-snowboard), Title the product name and the option values the variant
// title split at " / ", as Shopify writes variant titles; a product without variants is Title / Default
// Title, as in Shopify's export. Option names are not known and stay empty. A row listed under a
// channel alias (a multipack or another SKU on Shopify) is a Shopify variant of its own whose product
// Backroom does not know, so it carries only its SKU, location and quantity.
func Shopify(w io.Writer, listings []data.ChannelListing) (Result, error) {
	records := [][]string{shopifyColumns()}
	for _, l := range listings {
		row := make([]string, 19)
		if l.ChannelSKU == l.SKU && l.Pack <= 1 {
			row[0], row[1] = shopifyHandle(l.Name), l.Name
			opts := shopifyOptions(l.Option)
			if len(opts) == 0 {
				row[2], row[3] = "Title", "Default Title"
			}
			for i, v := range opts {
				row[3+2*i] = v
			}
		}
		row[8], row[11], row[18] = l.ChannelSKU, l.Location, itoa(quantity(l))
		records = append(records, row)
	}
	if err := writeCSV(w, records, false); err != nil {
		return Result{}, err
	}
	return result(listings), nil
}

// shopifyHandle is the handle Shopify gives a product named name: lower case, apostrophes dropped,
// every other run of characters that are not letters or digits one hyphen, none at either end.
func shopifyHandle(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			sep = false
			b.WriteRune(r)
		default:
			sep = true
		}
	}
	return b.String()
}

// shopifyOptions splits a variant title into at most three option values ("Blue / Large").
func shopifyOptions(title string) []string {
	title = strings.TrimSpace(title)
	if title == "" || strings.EqualFold(title, "Default Title") {
		return nil
	}
	parts := strings.Split(title, " / ")
	if len(parts) > 3 {
		parts = append(parts[:2], strings.Join(parts[2:], " / "))
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
