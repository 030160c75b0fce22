package importers

// ParseAmount reads money as marketplaces write it in exports and e-mails ("$1,234.50", "116,99 €",
// "CA$12.00", "-£3.60") into minor units of currency, and returns the currency the text states ("" when
// it states none). With currency empty the stated currency decides the minor units. It is exported for
// the e-mail parsers, which read the same amounts outside a spreadsheet.
func ParseAmount(s, currency string) (int64, string, error) {
	return parseAmount(s, currency, false)
}
