// Package sheetcell keeps text from outside (customer names, SKUs, order numbers, product titles) from
// turning into formulas when a file Backroom writes is opened in a spreadsheet: CSV/TSV injection.
//
// A spreadsheet reads a cell that begins with =, +, -, @, a tab or a carriage return as a formula
// (OWASP's list); a customer named =HYPERLINK("http://evil","Refund") would become a live link, and
// older Excel versions ran commands through DDE. Such text gets a leading apostrophe, which every
// spreadsheet reads as "this is text" and does not show.
//
// Text columns (names, SKUs, order numbers) go through Text, which escapes every such cell, so an order
// number "-2" stays the text "-2". Rows that mix outside text with figures Backroom formats itself go
// through Row (or Cell), which leaves a plain decimal number alone (an optional sign, digits, optionally
// a point and more digits: -12.50, +3, -7): a spreadsheet reads it as that number and nothing else, and
// refunds and stock corrections are written that way. Anything more (-2+3, -1e5, -12,50, -A1) counts as
// a possible formula there too.
//
// Marketplace upload files (stock and shipment files) are different: the marketplace matches SKUs,
// order numbers and tracking numbers byte for byte, and WooCommerce's importer, for one, does not take
// an apostrophe off a SKU, so a SKU "-A1" with an apostrophe would not be found and its stock not
// updated. Those files go through Key (KeyRow), which escapes a cell only when, read as a formula, it
// could call a function or reach outside the sheet: when it also holds "(", "|" or "!", which
// =HYPERLINK(…), @SUM(…), DDE (=cmd|' /C calc'!A0) and links to other workbooks all need. What it leaves
// alone can at most be arithmetic on cells of the same sheet ("-A1"), and those values come from the
// shop's own catalogue and the marketplaces, not from customers.
//
// In xlsx files text is written as string cells (never formulas) and needs no apostrophe; Risky tells
// an xlsx writer which cells to give the quote-prefix style so editing them keeps them text.
package sheetcell

import "strings"

// Risky reports whether a spreadsheet might read s as a formula, or, for a signed number, as a number
// rather than the text it is.
func Risky(s string) bool {
	return s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
}

// Text returns text as a spreadsheet will show it as text: with a leading apostrophe when it is Risky.
func Text(s string) string {
	if Risky(s) {
		return "'" + s
	}
	return s
}

// Cell is Text for a cell that may hold a figure: a plain decimal number is left as it is.
func Cell(s string) string {
	if Risky(s) && (s[0] != '+' && s[0] != '-' || !plainNumber(s[1:])) {
		return "'" + s
	}
	return s
}

// Row applies Cell to every cell of rec, in place, and returns rec, so a writer can say
// w.Write(sheetcell.Row(rec)).
func Row(rec []string) []string {
	for i, s := range rec {
		rec[i] = Cell(s)
	}
	return rec
}

// Key is Text for a cell a marketplace matches as written: the apostrophe only when s could call a
// function or reach outside the sheet (see the package comment).
func Key(s string) string {
	if Risky(s) && strings.ContainsAny(s, "(|!") {
		return "'" + s
	}
	return s
}

// KeyRow applies Key to every cell of rec, in place, and returns rec.
func KeyRow(rec []string) []string {
	for i, s := range rec {
		rec[i] = Key(s)
	}
	return rec
}

// plainNumber reports whether s is digits, optionally followed by a point and more digits.
func plainNumber(s string) bool {
	digits, point, after := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if point {
				after++
			} else {
				digits++
			}
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0 && (!point || after > 0)
}
