package data

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in a currency's minor units (cents, pence) with its ISO 4217 code. Amounts are
// integers so that sums of thousands of order lines never drift by a cent.
type Money struct {
	Amount   int64
	Currency string
}

// currencyDigits lists currencies whose minor unit is not two digits.
var currencyDigits = map[string]int{
	"JPY": 0, "KRW": 0, "HUF": 2, "ISK": 0, "CLP": 0, "VND": 0, "TWD": 2,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}

var currencySymbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "INR": "₹",
}

// MinorDigits is how many decimal digits the currency's minor unit has.
func MinorDigits(currency string) int {
	if d, ok := currencyDigits[strings.ToUpper(currency)]; ok {
		return d
	}
	return 2
}

// ValidCurrency reports whether code looks like an ISO 4217 code: three ASCII letters.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// String formats the amount for people: "£12.50", "-€3.00", "1,234 JPY" style thousands grouping.
func (m Money) String() string {
	return FormatMoney(m.Amount, m.Currency)
}

// FormatMoney formats minor units of currency with its symbol where it has a well-known one.
func FormatMoney(amount int64, currency string) string {
	digits := MinorDigits(currency)
	neg := amount < 0
	if neg {
		amount = -amount
	}
	s := strconv.FormatInt(amount, 10)
	for len(s) <= digits {
		s = "0" + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	num := b.String()
	if digits > 0 {
		num += "." + frac
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if sym, ok := currencySymbols[strings.ToUpper(currency)]; ok {
		return sign + sym + num
	}
	return sign + num + " " + currency
}

// FormatDecimal writes minor units as a plain decimal number, "-1234.50": no symbol and no grouping,
// the form spreadsheets read as a number and ParseMoney reads back.
func FormatDecimal(amount int64, currency string) string {
	digits := MinorDigits(currency)
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	s := strconv.FormatInt(amount, 10)
	if digits == 0 {
		return sign + s
	}
	for len(s) <= digits {
		s = "0" + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// ParseMoney reads a decimal amount typed by a person ("12.5", "1,234.56", "-3") into minor units of
// currency. It refuses more decimals than the currency has rather than rounding them away.
func ParseMoney(s, currency string) (int64, error) {
	in := s
	s = strings.TrimSpace(s)
	if sym, ok := currencySymbols[strings.ToUpper(currency)]; ok {
		s = strings.Replace(s, sym, "", 1)
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), strings.ToUpper(currency)))
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("%q is not an amount of money", in)
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	digits := MinorDigits(currency)
	if hasFrac && (len(frac) == 0 || len(frac) > digits) {
		if len(frac) == 0 {
			return 0, fmt.Errorf("%q is not an amount of money", in)
		}
		return 0, fmt.Errorf("%q has more than %d decimals for %s", in, digits, currency)
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, fmt.Errorf("%q is not an amount of money: misplaced thousands separator", in)
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	for len(frac) < digits {
		frac += "0"
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not an amount of money", in)
		}
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || len(whole) > 15 {
		return 0, fmt.Errorf("%q is too large an amount", in)
	}
	if neg {
		v = -v
	}
	return v, nil
}
