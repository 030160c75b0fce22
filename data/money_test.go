package data

import (
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in, currency string
		want         int64
		wantErr      bool
	}{
		{"12.50", "GBP", 1250, false},
		{"12.5", "GBP", 1250, false},
		{"12", "EUR", 1200, false},
		{"£1,234.56", "GBP", 123456, false},
		{"-3.10", "USD", -310, false},
		{"1500", "JPY", 1500, false},
		{"1.250", "KWD", 1250, false},
		{"0.05", "EUR", 5, false},
		{".5", "EUR", 50, false},
		{"12.345", "GBP", 0, true},
		{"12,34", "EUR", 0, true},
		{"1,23,456", "USD", 0, true},
		{"abc", "GBP", 0, true},
		{"", "GBP", 0, true},
		{"-", "GBP", 0, true},
		{"12.", "GBP", 0, true},
		{"1e5", "GBP", 0, true},
		{"99999999999999999999", "GBP", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in, tt.currency)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d, error %v", tt.in, tt.currency, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{1250, "GBP", "£12.50"},
		{-5, "EUR", "-€0.05"},
		{123456789, "USD", "$1,234,567.89"},
		{1500, "JPY", "¥1,500"},
		{1250, "SEK", "12.50 SEK"},
		{0, "GBP", "£0.00"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.amount, tt.currency); got != tt.want {
			t.Errorf("FormatMoney(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

// FuzzParseMoney checks that parsing never panics and that whatever it accepts formats back to the same
// amount, so a price typed by a person round-trips exactly through the store.
func FuzzParseMoney(f *testing.F) {
	for _, seed := range []string{"12.50", "£1,234.56", "-3", ".5", "1,2", "9223372036854775807", "1e5", "€-0.01", "  7  "} {
		f.Add(seed, "GBP")
		f.Add(seed, "JPY")
	}
	f.Fuzz(func(t *testing.T, in, currency string) {
		if !ValidCurrency(currency) {
			currency = "GBP"
		}
		v, err := ParseMoney(in, currency)
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "amount") && !strings.Contains(msg, "decimals") && !strings.Contains(msg, "separator") {
				t.Errorf("ParseMoney(%q) error %q does not say what is wrong", in, msg)
			}
			return
		}
		back, err := ParseMoney(FormatMoney(v, currency), currency)
		if err != nil || back != v {
			t.Errorf("ParseMoney(FormatMoney(%d)) = %d, %v; want %d", v, back, err, v)
		}
	})
}

func TestFormatDecimal(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{123450, "GBP", "1234.50"},
		{-5, "EUR", "-0.05"},
		{1500, "JPY", "1500"},
		{1, "KWD", "0.001"},
	}
	for _, tt := range tests {
		got := FormatDecimal(tt.amount, tt.currency)
		if got != tt.want {
			t.Errorf("FormatDecimal(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
		if back, err := ParseMoney(got, tt.currency); err != nil || back != tt.amount {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", got, back, err, tt.amount)
		}
	}
}
