package stockexport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "amazon-stock.txt")
	if err := os.WriteFile(path, []byte("an older file"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := WriteFile(path, "amazon", listings())
	if err != nil {
		t.Fatalf("WriteFile() error = %v", err)
	}
	if got, want := res, (Result{Listings: 4, Zero: 2}); got != want {
		t.Errorf("WriteFile() = %+v, want %+v", got, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "exports", "stock_amazon.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("the file is\n%q\nwant\n%q", b, want)
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}

	t.Run("ErrNoStockFile", func(t *testing.T) {
		p := filepath.Join(dir, "tiktok.csv")
		if _, err := WriteFile(p, "tiktok", listings()); err == nil {
			t.Fatal("WriteFile(tiktok) error = nil")
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("a refused file was written: %v", err)
		}
	})
	t.Run("ErrNoFolder", func(t *testing.T) {
		p := filepath.Join(dir, "missing", "ebay.csv")
		if _, err := WriteFile(p, "ebay", listings()); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("WriteFile() error = %v, want one naming %s", err, p)
		}
	})
}

func TestFileName(t *testing.T) {
	day := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	for channel, want := range map[string]string{
		"shopify": "shopify-stock-2026-11-26.csv",
		"Amazon":  "amazon-stock-2026-11-26.txt",
		"ebay":    "ebay-stock-2026-11-26.csv",
	} {
		if got := FileName(channel, day); got != want {
			t.Errorf("FileName(%q) = %q, want %q", channel, got, want)
		}
	}
}
