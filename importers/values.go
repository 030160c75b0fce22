package importers

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/backroom-app/backroom/data"
)

// header finds columns by name. Names are compared trimmed, case-folded and with runs of spaces made
// one, because marketplaces change capitalisation between versions ("Variant Compare At Price" and
// "Variant Compare-at Price" are treated as different names, and listed as aliases where both exist).
type header struct {
	names []string       // as in the file
	index map[string]int // normalised name → first column with it
	// looked remembers lookups: parsers ask for the same few names on every row, and normalising a
	// name each time was a measurable part of reading a large file.
	looked map[string]int
}

func normalizeHeader(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")
	s = strings.TrimPrefix(s, "*")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func newHeader(cells []string) *header {
	h := &header{names: make([]string, len(cells)), index: map[string]int{}}
	for i, c := range cells {
		h.names[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
		n := normalizeHeader(c)
		if _, dup := h.index[n]; !dup && n != "" {
			h.index[n] = i
		}
	}
	return h
}

// col returns the first of names the header has, or -1.
func (h *header) col(names ...string) int {
	if len(names) == 1 {
		if i, ok := h.looked[names[0]]; ok {
			return i
		}
		i := h.lookup(names)
		if h.looked == nil {
			h.looked = map[string]int{}
		}
		h.looked[names[0]] = i
		return i
	}
	key := strings.Join(names, "\x00")
	if i, ok := h.looked[key]; ok {
		return i
	}
	i := h.lookup(names)
	if h.looked == nil {
		h.looked = map[string]int{}
	}
	h.looked[key] = i
	return i
}

func (h *header) lookup(names []string) int {
	for _, n := range names {
		if i, ok := h.index[normalizeHeader(n)]; ok {
			return i
		}
	}
	return -1
}

// has reports whether every name is a column.
func (h *header) has(names ...string) bool {
	for _, n := range names {
		if h.col(n) < 0 {
			return false
		}
	}
	return true
}

// name is column i's header as the file writes it, for messages.
func (h *header) name(i int) string {
	if i >= 0 && i < len(h.names) {
		return h.names[i]
	}
	return ""
}

// rowReader reads the cells of one row by column name and collects what is wrong with them, so a
// parser reads as a list of fields and every problem names its row, column and value.
type rowReader struct {
	h        *header
	row      Row
	problems []data.Problem
	// decimalComma says the file writes 12,50 for twelve and a half (German eBay, European Excel saves).
	decimalComma bool
}

func (r *rowReader) errorf(col int, value, format string, args ...any) {
	r.problems = append(r.problems, data.Problem{Row: r.row.Num, Column: r.h.name(col), Value: value, Reason: fmt.Sprintf(format, args...)})
}

func (r *rowReader) warnf(col int, value, format string, args ...any) {
	r.problems = append(r.problems, data.Problem{Row: r.row.Num, Column: r.h.name(col), Value: value, Reason: fmt.Sprintf(format, args...), Warning: true})
}

func (r *rowReader) failed() bool {
	for _, p := range r.problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// text is the trimmed value of the first of names the file has; a trailing tab (TikTok guards ids with
// one) goes too. Double-encoded UTF-8 (JÃ¼rgen, from a file opened and saved in the wrong code page) is
// repaired, with a warning.
func (r *rowReader) text(names ...string) string {
	i := r.h.col(names...)
	if i < 0 {
		return ""
	}
	s := strings.TrimSpace(r.row.Cell(i))
	if fixed, ok := repairMojibake(s); ok {
		r.warnf(i, s, "the text was garbled by a wrong character set and was repaired to %q", fixed)
		s = fixed
	}
	return s
}

// required is text that must not be empty.
func (r *rowReader) required(names ...string) string {
	s := r.text(names...)
	if s == "" {
		i := r.h.col(names...)
		r.errorf(i, "", "is empty; every row needs it")
	}
	return s
}

var scientific = regexp.MustCompile(`^[+-]?\d(\.\d+)?[eE][+-]?\d+$`)

// id reads an identifier (order number, barcode, tracking number) and refuses one a spreadsheet program
// has damaged: written in scientific notation, or stored as a number with more digits than a double
// keeps. A leading apostrophe or an Excel ="…" guard is taken off.
func (r *rowReader) id(names ...string) string {
	i := r.h.col(names...)
	if i < 0 {
		return ""
	}
	raw := r.row.Cell(i)
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(s, "'")
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = s[2 : len(s)-1]
	}
	switch {
	case scientific.MatchString(s):
		r.errorf(i, raw, "a spreadsheet program turned this number into scientific notation and its last digits are lost; "+
			"export the file again and open it without Excel, or format the column as Text before saving")
		return ""
	case r.row.IsNumeric(i) && lostDigits(s):
		r.errorf(i, raw, "this id was stored as a number, which keeps only 15 digits, so its last digits may be wrong; "+
			"format the column as Text and export again")
		return ""
	}
	return s
}

// lostDigits reports whether a number a spreadsheet stored is an id cut to the 15 significant digits a
// double keeps: more than 15 digits, all zero after the fifteenth (583870900000000001 comes back as
// 583870900000000000).
func lostDigits(s string) bool {
	if digitCount(s) <= 15 || digitCount(s) != len(s) {
		return false
	}
	return strings.Trim(s[15:], "0") == ""
}

func digitCount(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

// quantity reads a whole number of units; 2.0 is 2, "two" and 1.5 are errors.
func (r *rowReader) quantity(names ...string) int64 {
	i := r.h.col(names...)
	raw := r.row.Cell(i)
	s := strings.TrimSpace(raw)
	if i < 0 || s == "" {
		r.errorf(i, "", "the quantity is empty")
		return 0
	}
	q, ok := parseWhole(s)
	if !ok {
		r.errorf(i, raw, "the quantity is not a whole number")
		return 0
	}
	return q
}

func parseWhole(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e12 {
		return 0, false
	}
	return int64(f), true
}

// money reads an amount in currency; an empty cell is 0. The currency a cell states ($, AU $, EUR,
// 116,99 €) must agree with currency when currency is known.
func (r *rowReader) money(currency string, names ...string) int64 {
	i := r.h.col(names...)
	if i < 0 {
		return 0
	}
	raw := r.row.Cell(i)
	if strings.TrimSpace(raw) == "" {
		return 0
	}
	v, stated, err := parseAmount(raw, currency, r.decimalComma)
	if err != nil {
		r.errorf(i, raw, "%v", err)
		return 0
	}
	if stated != "" && currency != "" && stated != currency {
		r.errorf(i, raw, "the amount is in %s but the order is in %s", stated, currency)
		return 0
	}
	return v
}

// currencyOf finds the currency an amount states, such as AUD for "AU $3,000.00"; "" when it states none.
func currencyOf(s string) string {
	_, c, _ := parseAmount(s, "", false)
	return c
}

// moneyPrefixes are the currency marks seen in exports, longest first so "AU $" wins over "$".
var moneyPrefixes = []struct{ mark, code string }{
	{"AU $", "AUD"}, {"AU$", "AUD"}, {"A $", "AUD"}, {"A$", "AUD"}, {"C $", "CAD"}, {"CA$", "CAD"}, {"C$", "CAD"},
	{"US $", "USD"}, {"US$", "USD"}, {"NZ$", "NZD"}, {"HK$", "HKD"}, {"S$", "SGD"}, {"R$", "BRL"}, {"MX$", "MXN"},
	{"$", "USD"}, {"€", "EUR"}, {"£", "GBP"}, {"¥", "JPY"}, {"₹", "INR"}, {"zł", "PLN"}, {"kr", "SEK"}, {"CHF", "CHF"},
}

// parseAmount reads money as exports write it into minor units of currency (the stated currency when
// currency is empty), and returns the currency the text states. It takes thousands separators
// (1,234.50, 1.234,50, 1 234,50, 1'234.50), a decimal comma, symbols and ISO codes before or after, and
// negatives written -12.00, -$12.00 or (12.00). Decimals beyond the currency's are refused unless they
// are zeros, rather than rounded away.
func parseAmount(s, currency string, decimalComma bool) (int64, string, error) {
	if v, ok := plainAmount(s, currency); ok {
		return v, "", nil
	}
	in := s
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		neg = true
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−"))
	}
	stated := ""
	for _, p := range moneyPrefixes {
		if strings.HasPrefix(s, p.mark) {
			stated, s = p.code, strings.TrimSpace(s[len(p.mark):])
			break
		}
		if strings.HasSuffix(s, p.mark) {
			stated, s = p.code, strings.TrimSpace(s[:len(s)-len(p.mark)])
			break
		}
	}
	if stated == "" && len(s) > 4 {
		if code := s[:3]; isUpperCode(code) && s[3] == ' ' || isUpperCode(code) && unicode.IsDigit(rune(s[3])) {
			stated, s = code, strings.TrimSpace(s[3:])
		} else if code := s[len(s)-3:]; isUpperCode(code) {
			stated, s = code, strings.TrimSpace(s[:len(s)-3])
		}
	}
	if stated == "USD" && dollars[currency] && strings.Contains(in, "$") && !strings.Contains(in, "US") {
		// A bare $ is the shop's own dollar in Canada or Australia.
		stated = currency
	}
	if strings.HasPrefix(s, "-") && !neg {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	if currency == "" {
		currency = stated
	}
	if currency == "" {
		currency = "USD"
	}
	s = digitGrouping.Replace(s)
	if s == "" {
		return 0, stated, fmt.Errorf("is not an amount of money")
	}
	lastDot, lastComma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	dec := -1
	switch {
	case lastDot >= 0 && lastComma >= 0:
		dec = max(lastDot, lastComma)
	case lastComma >= 0:
		after := len(s) - lastComma - 1
		if decimalComma || after != 3 || strings.Count(s, ",") == 1 && after == 3 && strings.HasPrefix(s, "0,") {
			dec = lastComma
		}
		if decimalComma && strings.Count(s, ",") > 1 {
			return 0, stated, fmt.Errorf("is not an amount of money")
		}
	case lastDot >= 0:
		after := len(s) - lastDot - 1
		if !decimalComma || after != 3 || strings.Count(s, ".") == 1 && strings.HasPrefix(s, "0.") {
			dec = lastDot
		}
	}
	whole, frac := s, ""
	if dec >= 0 {
		whole, frac = s[:dec], s[dec+1:]
	}
	sep := "."
	if dec >= 0 && s[dec] == '.' {
		sep = ","
	} else if dec < 0 && strings.Contains(s, ",") {
		sep = ","
	}
	if strings.Contains(whole, sep) {
		groups := strings.Split(whole, sep)
		for i, g := range groups {
			if i == 0 && (g == "" || len(g) > 3) || i > 0 && len(g) != 3 {
				return 0, stated, fmt.Errorf("is not an amount of money: misplaced thousands separator")
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	digits := data.MinorDigits(currency)
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" {
			return 0, stated, fmt.Errorf("has more decimals than %s has", currency)
		}
		frac = frac[:digits]
	}
	for len(frac) < digits {
		frac += "0"
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, stated, fmt.Errorf("is not an amount of money")
		}
	}
	if len(whole) > 13 {
		return 0, stated, fmt.Errorf("is too large an amount")
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, stated, fmt.Errorf("is not an amount of money")
	}
	if neg {
		v = -v
	}
	return v, stated, nil
}

// plainAmount reads the common case fast: digits with at most one '.' and no more decimals than the
// currency has (12.50, 7000.00, 6.6), which is how Shopify, Etsy and Amazon write every amount.
func plainAmount(s, currency string) (int64, bool) {
	digits := 2
	if currency != "" {
		digits = data.MinorDigits(currency)
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || len(frac) > digits {
		return 0, false
	}
	var v int64
	for i := 0; i < len(whole); i++ {
		c := whole[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for i := 0; i < digits; i++ {
		v *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v += int64(c - '0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// dollars are the currencies whose own exports write a bare $.
var dollars = map[string]bool{"CAD": true, "AUD": true, "NZD": true, "SGD": true, "HKD": true, "MXN": true, "TWD": true}

func isUpperCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// isoLayouts are how an xlsx date cell reaches a parser (see xlsxTable), and what people type.
var isoLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04", "2006-01-02"}

// digitGrouping removes the spaces and apostrophes some locales group thousands with (1 234,50,
// 1'234.50). Built once: building a Replacer was most of the cost of reading an amount.
var digitGrouping = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "", "’", "")

// localMonths maps month abbreviations of German and French exports (eBay writes 10-Dez-25) to English.
var localMonths = strings.NewReplacer(
	"Jän", "Jan", "Mär", "Mar", "Mrz", "Mar", "Mai", "May", "Okt", "Oct", "Dez", "Dec",
	"janv.", "Jan", "févr.", "Feb", "mars", "Mar", "avr.", "Apr", "juin", "Jun", "juil.", "Jul", "août", "Aug",
	"sept.", "Sep", "oct.", "Oct", "nov.", "Nov", "déc.", "Dec", "janv", "Jan", "févr", "Feb", "avr", "Apr", "juil", "Jul",
	"déc", "Dec",
)

// date reads a date in one of the source's layouts, then as ISO. Layouts without a zone are read in loc,
// the time zone the source writes in; ones with an offset keep it, so the order's local time survives.
func (r *rowReader) date(loc *time.Location, layouts []string, names ...string) time.Time {
	i := r.h.col(names...)
	if i < 0 {
		return time.Time{}
	}
	raw := r.row.Cell(i)
	s := strings.TrimSpace(raw)
	if s == "" {
		return time.Time{}
	}
	t, ok := parseDate(s, loc, layouts)
	if !ok {
		if _, excel := parseDate(s, loc, spreadsheetLayouts); excel {
			r.errorf(i, raw, "a spreadsheet program rewrote this date in its own format (the export writes it like %s), "+
				"so its day, month or time zone cannot be trusted; export the file again and import it without saving it in Excel",
				dateExamples(layouts))
			return time.Time{}
		}
		r.errorf(i, raw, "is not a date like %s", dateExamples(layouts))
	}
	return t
}

// spreadsheetLayouts are how Excel and LibreOffice show a date cell after they have parsed a text date:
// in the computer's locale, without seconds or offset.
var spreadsheetLayouts = []string{"1/2/2006 15:04", "1/2/2006 3:04 PM", "1/2/06 15:04", "1/2/06",
	"1/2/2006", "2.1.2006 15:04", "2.1.2006", "02.01.2006 15:04", "02.01.2006", "2006/01/02 15:04"}

// dateExamples shows people the layouts a source writes dates in, as the source would write one day
// (the 29th, so day and month cannot be mixed up), rather than as Go's layout strings.
func dateExamples(layouts []string) string {
	day := time.Date(2025, 3, 29, 14, 49, 50, 0, time.FixedZone("", -7*3600))
	var seen []string
	for _, l := range layouts {
		if ex := day.Format(l); !slices.Contains(seen, ex) {
			seen = append(seen, ex)
		}
		if len(seen) == 3 {
			break
		}
	}
	switch len(seen) {
	case 0:
		return "the source writes them"
	case 1:
		return seen[0]
	}
	return strings.Join(seen[:len(seen)-1], ", ") + " or " + seen[len(seen)-1]
}

// requiredDate is a date that must be there.
func (r *rowReader) requiredDate(loc *time.Location, layouts []string, names ...string) time.Time {
	if r.text(names...) == "" {
		r.errorf(r.h.col(names...), "", "the date is empty")
		return time.Time{}
	}
	return r.date(loc, layouts, names...)
}

func parseDate(s string, loc *time.Location, layouts []string) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if strings.Contains(s, "  ") || strings.ContainsAny(s, "\t\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	try := func(s string) (time.Time, bool) {
		for _, group := range [][]string{layouts, isoLayouts} {
			for _, l := range group {
				if t, err := time.ParseInLocation(l, s, loc); err == nil {
					return t, true
				}
			}
		}
		return time.Time{}, false
	}
	if t, ok := try(s); ok {
		return t, true
	}
	if local := localMonths.Replace(s); local != s {
		return try(local)
	}
	return time.Time{}, false
}

// postcode reads a postal code: Shopify's guarding apostrophe comes off, and a US ZIP a spreadsheet cut
// to four digits gets its leading zero back, with a warning saying so.
func (r *rowReader) postcode(country string, names ...string) string {
	i := r.h.col(names...)
	if i < 0 {
		return ""
	}
	raw := r.row.Cell(i)
	s := strings.TrimPrefix(strings.TrimSpace(raw), "'")
	if scientific.MatchString(s) {
		r.errorf(i, raw, "a spreadsheet program turned this postcode into scientific notation")
		return ""
	}
	if isUS(country) {
		zip, plus4, hasPlus := strings.Cut(s, "-")
		if len(zip) < 5 && len(zip) >= 3 && digitCount(zip) == len(zip) {
			fixed := strings.Repeat("0", 5-len(zip)) + zip
			if hasPlus {
				fixed += "-" + plus4
			}
			r.warnf(i, raw, "a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as %s", fixed)
			return fixed
		}
	}
	return s
}

func isUS(country string) bool {
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA":
		return true
	}
	return false
}

// repairMojibake undoes UTF-8 text that was read as Windows-1252 and saved again (MontrÃ©al for
// Montréal, â˜ï¸ for ☁️), and reports whether it did. Only text that turns back into valid UTF-8 is
// changed.
func repairMojibake(s string) (string, bool) {
	// The lead byte of every UTF-8 sequence, read as Windows-1252, is one of Â…ô, and those all
	// start with the byte 0xC3 in UTF-8.
	if strings.IndexByte(s, 0xC3) < 0 {
		return s, false
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch c, ok := windows1252Byte(r); {
		case ok:
			b = append(b, c)
		default:
			return s, false
		}
	}
	if !utf8.Valid(b) {
		return s, false
	}
	fixed := string(b)
	if fixed == s || !strings.ContainsFunc(fixed, func(r rune) bool { return r > 0x7f }) {
		return s, false
	}
	return fixed, true
}

// windows1252Byte is the byte Windows-1252 writes r as. The five bytes it leaves undefined (0x81,
// 0x8D, 0x8F, 0x90, 0x9D) come back as the control characters of the same number from most programs,
// and as U+F181 and so on, in the private use area, from LibreOffice; both map back to the byte.
func windows1252Byte(r rune) (byte, bool) {
	switch {
	case r < 0x80:
		return byte(r), true
	case r >= 0xF180 && r <= 0xF1FF:
		return byte(r - 0xF100), true
	}
	if b, ok := charmap.Windows1252.EncodeRune(r); ok {
		return b, true
	}
	if r <= 0xFF {
		return byte(r), true
	}
	return 0, false
}

// stripGuard takes off the apostrophe WooCommerce and Shopify put before values a spreadsheet would
// otherwise read as a formula or a number ('-A1, '12345).
func stripGuard(s string) string {
	if len(s) > 1 && s[0] == '\'' {
		return s[1:]
	}
	return s
}

// cleanName takes the username off Etsy-style buyers, "Jane Example (jexample29)".
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return strings.TrimSpace(s[:i])
	}
	return s
}
