package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pdfTextOf is the text pdftotext reads from a PDF, or "" when poppler is not installed (outside CI the
// tests then check only that a PDF was written).
func pdfTextOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("%s is not a PDF: starts %q", path, b[:min(len(b), 16)])
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (Debian: poppler-utils)")
		}
		return ""
	}
	out, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// openOrderIDs are the ids of up to n paid demo orders.
func openOrderIDs(t *testing.T, env map[string]string, n string) []string {
	t.Helper()
	var ids []string
	for _, o := range decodeList(t, mustRun(t, env, "orders", "list", "--json", "--status", "paid", "--limit", n)) {
		ids = append(ids, o["external_id"].(string))
	}
	if len(ids) == 0 {
		t.Fatal("the demo shop has no paid orders")
	}
	return ids
}

func TestRun_PickList(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	dir := t.TempDir()
	ids := openOrderIDs(t, env, "3")

	t.Run("Orders", func(t *testing.T) {
		out := filepath.Join(dir, "some.pdf")
		var sum pickSummary
		if err := json.Unmarshal([]byte(mustRun(t, env, "picklist", "--out", out, "--orders", strings.Join(ids, ","), "--paper", "letter", "--json")), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.File != out || sum.Orders != len(ids) || sum.Units == 0 || sum.Lines == 0 {
			t.Errorf("summary = %+v, want %d orders with lines", sum, len(ids))
		}
		if text := pdfTextOf(t, out); text != "" {
			for _, id := range ids {
				if !strings.Contains(text, id) {
					t.Errorf("the pick list has no order %s:\n%s", id, text)
				}
			}
		}
		if _, err := os.Stat(out + ".part"); err == nil {
			t.Error("the .part file was left behind")
		}
	})
	t.Run("AllOpen", func(t *testing.T) {
		out := filepath.Join(dir, "all.pdf")
		got := mustRun(t, env, "picklist", "--out", out)
		if !regexp.MustCompile(`^Pick list for \d+ orders?, \d+ units? in \d+ lines? written to `).MatchString(got) || !strings.Contains(got, out) {
			t.Errorf("output = %q, want a summary line naming the file", got)
		}
		pdfTextOf(t, out)
	})
	t.Run("ErrUnknownOrder", func(t *testing.T) {
		r := runCLI(t, env, "picklist", "--out", filepath.Join(dir, "x.pdf"), "--orders", ids[0]+",NO-SUCH-9")
		if r.code != exitError || !strings.Contains(r.stderr, "NO-SUCH-9") {
			t.Errorf("exit %d, stderr %q; want 1 naming NO-SUCH-9", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.pdf")); err == nil {
			t.Error("a PDF was written for a refused command")
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"picklist"},
			{"picklist", "--out", filepath.Join(dir, "y.pdf"), "--paper", "legal"},
			{"picklist", "--out", filepath.Join(dir, "y.pdf"), "1001"},
		} {
			if r := runCLI(t, env, args...); r.code != exitUsage {
				t.Errorf("%v: exit %d, want 2; stderr %q", args, r.code, r.stderr)
			}
		}
	})
}

func TestRun_PackingSlips(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	dir := t.TempDir()
	ids := openOrderIDs(t, env, "2")

	out := filepath.Join(dir, "slips.pdf")
	var sum slipsSummary
	if err := json.Unmarshal([]byte(mustRun(t, env, "packing-slips", "--out", out, "--orders", strings.Join(ids, ","), "--json")), &sum); err != nil {
		t.Fatal(err)
	}
	if strings.Join(sum.Orders, ",") != strings.Join(ids, ",") {
		t.Errorf("orders = %v, want %v", sum.Orders, ids)
	}
	if text := pdfTextOf(t, out); text != "" {
		if n := strings.Count(text, "Packing slip"); n != len(ids) {
			t.Errorf("%d packing slips, want %d", n, len(ids))
		}
		for _, id := range ids {
			if !strings.Contains(text, id) {
				t.Errorf("the slips have no order %s", id)
			}
		}
	}
	if got := mustRun(t, env, "packing-slips", "--out", filepath.Join(dir, "all.pdf")); !regexp.MustCompile(`^Packing slips for \d+ orders? written to `).MatchString(got) {
		t.Errorf("output = %q, want a summary line", got)
	}
	r := runCLI(t, env, "packing-slips", "--out", filepath.Join(dir, "x.pdf"), "--orders", "NO-SUCH-9")
	if r.code != exitError || !strings.Contains(r.stderr, "NO-SUCH-9") {
		t.Errorf("unknown order: exit %d, stderr %q; want 1 naming it", r.code, r.stderr)
	}
	r = runCLI(t, env, "packing-slips", "--out", filepath.Join(dir, "x.pdf"), "--orders", ids[0], "--channel", "nosuchchannel")
	if r.code != exitError || !strings.Contains(r.stderr, ids[0]) {
		t.Errorf("wrong channel: exit %d, stderr %q; want 1 naming the order", r.code, r.stderr)
	}
	if r := runCLI(t, env, "packing-slips", "--orders", ids[0]); r.code != exitUsage {
		t.Errorf("no --out: exit %d, want 2", r.code)
	}
}

func TestRun_Labels(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	dir := t.TempDir()
	var skus []string
	for _, p := range decodeList(t, mustRun(t, env, "products", "list", "--json")) {
		if len(skus) < 3 {
			skus = append(skus, p["sku"].(string))
		}
	}

	t.Run("SKUs", func(t *testing.T) {
		out := filepath.Join(dir, "skus.pdf")
		var sum labelsSummary
		if err := json.Unmarshal([]byte(mustRun(t, env, "labels", "--skus", strings.Join(skus, ","), "--copies", "2",
			"--layout", "roll-62x29", "--out", out, "--json")), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Labels != 2*len(skus) || sum.Pages != 2*len(skus) || sum.Layout != "roll-62x29" {
			t.Errorf("summary = %+v, want %d labels on as many pages", sum, 2*len(skus))
		}
		if text := pdfTextOf(t, out); text != "" {
			for _, s := range skus {
				if strings.Count(text, s) < 2 {
					t.Errorf("the labels name %s fewer than twice:\n%s", s, text)
				}
			}
		}
	})
	t.Run("Bins", func(t *testing.T) {
		out := filepath.Join(dir, "bins.pdf")
		got := mustRun(t, env, "labels", "--bins", "--out", out, "--layout", "letter-3x10")
		if !regexp.MustCompile(`^\d+ labels? on \d+ sheets? \(letter-3x10\) written to `).MatchString(got) {
			t.Errorf("output = %q, want a summary line", got)
		}
		pdfTextOf(t, out)
		r := runCLI(t, env, "labels", "--bins", "--location", "Nowhere Shed", "--out", out)
		if r.code != exitError || !strings.Contains(r.stderr, "Nowhere Shed") {
			t.Errorf("unknown location: exit %d, stderr %q; want 1 naming it", r.code, r.stderr)
		}
	})
	t.Run("ErrUnknownSKU", func(t *testing.T) {
		r := runCLI(t, env, "labels", "--skus", skus[0]+",NO-SUCH-SKU", "--out", filepath.Join(dir, "x.pdf"))
		if r.code != exitError || !strings.Contains(r.stderr, "NO-SUCH-SKU") {
			t.Errorf("exit %d, stderr %q; want 1 naming NO-SUCH-SKU", r.code, r.stderr)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		out := filepath.Join(dir, "y.pdf")
		for _, args := range [][]string{
			{"labels", "--out", out},
			{"labels", "--skus", skus[0], "--bins", "--out", out},
			{"labels", "--skus", skus[0], "--location", "Shop", "--out", out},
			{"labels", "--skus", skus[0]},
			{"labels", "--skus", skus[0], "--out", out, "--layout", "a5"},
			{"labels", "--skus", skus[0], "--out", out, "--copies", "0"},
		} {
			if r := runCLI(t, env, args...); r.code != exitUsage {
				t.Errorf("%v: exit %d, want 2; stderr %q", args, r.code, r.stderr)
			}
		}
	})
}
