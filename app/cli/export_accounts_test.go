package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// accountsWindow is the last 60 days up to today in UTC, as --from and --to: the demo's orders are
// spread over the months before today.
func accountsWindow() (from, to string) {
	now := time.Now().UTC()
	return now.AddDate(0, 0, -60).Format(time.DateOnly), now.Format(time.DateOnly)
}

// exportJSON runs "export accounts --json" and decodes its summary.
func exportJSON(t *testing.T, env map[string]string, args ...string) map[string]any {
	t.Helper()
	out := mustRun(t, env, append(append([]string{"export", "accounts"}, args...), "--json")...)
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return sum
}

func TestExportAccounts(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	from, to := accountsWindow()
	period := []string{"--db", db, "--from", from, "--to", to, "--tz", "UTC"}

	t.Run("Workbook", func(t *testing.T) {
		out := filepath.Join(dir, "first.xlsx")
		got := mustRun(t, nil, append([]string{"export", "accounts", "--out", out}, period...)...)
		for _, want := range []string{"Wrote " + out + " for " + from + " to " + to + " (UTC)", "SHA-256 ",
			"CHANNEL", "First export of this period"} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%s", want, got)
			}
		}
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		for _, want := range []string{"Summary", "Sales"} {
			if !slices.Contains(sheets, want) {
				t.Errorf("sheets = %v, want a %s sheet", sheets, want)
			}
		}
		rows, err := f.GetRows("Sales")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 || len(rows[0]) == 0 || rows[0][0] == "" {
			t.Errorf("Sales sheet = %d rows, first %q; want a header and the demo's lines", len(rows), rows)
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, ".*part"))
		if len(leftovers) > 0 {
			t.Errorf("temporary files left behind: %v", leftovers)
		}
	})

	var first map[string]any
	t.Run("JSON", func(t *testing.T) {
		out := filepath.Join(dir, "second.xlsx")
		csvDir := filepath.Join(dir, "csv")
		first = exportJSON(t, nil, append([]string{"--out", out, "--csv-dir", csvDir}, period...)...)
		checkKeys(t, "summary", first, sorted("file", "sha256", "period", "rows", "totals", "stock_value", "purchases",
			"unknown_costs", "changes", "locked", "csv_files"))
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got, want := first["sha256"], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("sha256 = %v, want %s, the file's", got, want)
		}
		if got, want := first["period"], (map[string]any{"from": from, "to": to, "zone": "UTC"}); !mapsEqual(got, want) {
			t.Errorf("period = %v, want %v", got, want)
		}
		rows := first["rows"].(map[string]any)
		checkKeys(t, "rows", rows, sorted("sales", "refunds", "costs", "stock", "purchases"))
		if n, _ := rows["sales"].(float64); n < 1 {
			t.Errorf("rows = %v, want the demo's sales lines", rows)
		}
		totals := first["totals"].([]any)
		if len(totals) == 0 {
			t.Fatal("no totals")
		}
		var lines float64
		for _, tt := range totals {
			tot := tt.(map[string]any)
			checkKeys(t, "total", tot, sorted("channel", "currency", "orders", "lines", "goods", "discount", "shipping", "tax",
				"total", "refunds", "cost", "margin"))
			if got, want := tot["margin"], tot["total"].(float64)-tot["tax"].(float64)-tot["refunds"].(float64)-tot["cost"].(float64); got != want {
				t.Errorf("%v margin = %v, want total − tax − refunds − cost = %v", tot["channel"], got, want)
			}
			lines += tot["lines"].(float64)
		}
		if lines != rows["sales"] {
			t.Errorf("the channels have %v lines, the Sales sheet %v rows", lines, rows["sales"])
		}
		// The first export (Workbook above) is the previous one; nothing changed since.
		changes := first["changes"].(map[string]any)
		checkKeys(t, "changes", changes, sorted("previous", "added", "changed", "removed", "orders"))
		prev, ok := changes["previous"].(map[string]any)
		if !ok {
			t.Fatalf("changes.previous = %v, want the first export", changes["previous"])
		}
		checkKeys(t, "previous", prev, sorted("id", "at", "sha256", "file", "user"))
		if prev["file"] != "first.xlsx" || changes["added"] != 0.0 || changes["changed"] != 0.0 || changes["removed"] != 0.0 ||
			len(changes["orders"].([]any)) != 0 {
			t.Errorf("changes = %v, want none since first.xlsx", changes)
		}
		if first["locked"] != false {
			t.Errorf("locked = %v without --lock", first["locked"])
		}
		files := first["csv_files"].([]any)
		if len(files) < 5 {
			t.Errorf("csv_files = %v, want one per sheet", files)
		}
		for _, f := range files {
			if _, err := os.Stat(f.(string)); err != nil {
				t.Errorf("CSV file %v: %v", f, err)
			}
		}
	})

	t.Run("Changes", func(t *testing.T) {
		ctx := context.Background()
		s, err := data.Open(ctx, db, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().UTC().AddDate(0, 0, -60)
		list, err := s.Orders(ctx, data.OrderFilter{Statuses: []data.Status{data.StatusDelivered}, From: start.AddDate(0, 0, 1), Limit: 1})
		if err != nil || len(list) == 0 {
			t.Fatalf("no delivered order in the window: %v", err)
		}
		changed := list[0]
		changed.Shipping += 100
		changed.Total += 100
		placed := time.Now().UTC().Add(-2 * time.Hour)
		if _, err := s.ApplyOrders(ctx, []data.Order{changed, {Channel: "etsy", ExternalID: "9990001", Status: data.StatusPaid,
			Currency: "GBP", PlacedAt: placed, Subtotal: 1500, Total: 1500,
			Lines: []data.OrderLine{{Name: "Gift card", Quantity: 1, UnitPrice: 1500}}}}); err != nil {
			t.Fatal(err)
		}
		s.Close()

		sum := exportJSON(t, nil, append([]string{"--out", filepath.Join(dir, "third.xlsx")}, period...)...)
		changes := sum["changes"].(map[string]any)
		if prev := changes["previous"].(map[string]any); prev["file"] != "second.xlsx" {
			t.Errorf("previous = %v, want second.xlsx, the latest xlsx export", prev)
		}
		if changes["added"] != 1.0 || changes["changed"] != 1.0 || changes["removed"] != 0.0 {
			t.Errorf("changes = %v, want 1 added and 1 changed", changes)
		}
		byOrder := map[string]map[string]any{}
		for _, o := range changes["orders"].([]any) {
			c := o.(map[string]any)
			byOrder[c["order_id"].(string)] = c
		}
		if c := byOrder["9990001"]; c == nil || c["kind"] != "added" || c["after"] != 1500.0 || c["before"] != 0.0 || c["channel"] != "etsy" {
			t.Errorf("added order = %v, want etsy 9990001 at 1500", c)
		}
		if c := byOrder[changed.ExternalID]; c == nil || c["kind"] != "changed" || c["after"].(float64)-c["before"].(float64) != 100 {
			t.Errorf("changed order = %v, want %s 100 more than before", c, changed.ExternalID)
		}
		if got, want := sum["sha256"], first["sha256"]; got == want {
			t.Error("the workbook's SHA-256 did not change with the data")
		}

		text := mustRun(t, nil, append([]string{"export", "accounts", "--out", filepath.Join(dir, "fourth.xlsx")}, period...)...)
		if !strings.Contains(text, "Nothing changed since") {
			t.Errorf("a repeat export right after says:\n%s", text)
		}
	})

	t.Run("Log", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "accounts", "log", "--json"))
		var files []string
		for _, e := range list {
			checkKeys(t, "log entry", e, sorted("id", "period", "format", "file", "sha256", "rows", "orders", "totals", "user", "at", "locked"))
			files = append(files, e["file"].(string))
		}
		if want := []string{"fourth.xlsx", "third.xlsx", "second.xlsx", "csv", "first.xlsx"}; !slices.Equal(files, want) {
			t.Errorf("log files = %v, want %v (newest first, the CSV folder logged too)", files, want)
		}
		if list[1]["sha256"] == list[2]["sha256"] {
			t.Error("third and second exports logged with the same hash")
		}
		text := mustRun(t, nil, "--db", db, "accounts", "log", "--limit", "2")
		if !strings.Contains(text, "fourth.xlsx") || !strings.Contains(text, "third.xlsx") || strings.Contains(text, "second.xlsx") {
			t.Errorf("accounts log --limit 2:\n%s", text)
		}
	})

	t.Run("Month", func(t *testing.T) {
		sum := exportJSON(t, nil, "--db", db, "--month", "2026-02", "--tz", "Europe/London", "--out", filepath.Join(dir, "feb.xlsx"))
		if got, want := sum["period"], (map[string]any{"from": "2026-02-01", "to": "2026-02-28", "zone": "Europe/London"}); !mapsEqual(got, want) {
			t.Errorf("--month 2026-02: period = %v, want %v", got, want)
		}
		sum = exportJSON(t, nil, "--db", db, "--quarter", "2026-q3", "--tz", "UTC", "--out", filepath.Join(dir, "q3.xlsx"))
		if got, want := sum["period"], (map[string]any{"from": "2026-07-01", "to": "2026-09-30", "zone": "UTC"}); !mapsEqual(got, want) {
			t.Errorf("--quarter 2026-q3: period = %v, want %v", got, want)
		}
		sum = exportJSON(t, nil, "--db", db, "--year", "2025", "--tz", "UTC", "--out", filepath.Join(dir, "2025.xlsx"))
		if got, want := sum["period"], (map[string]any{"from": "2025-01-01", "to": "2025-12-31", "zone": "UTC"}); !mapsEqual(got, want) {
			t.Errorf("--year 2025: period = %v, want %v", got, want)
		}
		// Without --tz the zone is this computer's, by name.
		sum = exportJSON(t, map[string]string{"TZ": "Asia/Tokyo"}, "--db", db, "--month", "2026-03", "--out", filepath.Join(dir, "mar.xlsx"))
		if zone := sum["period"].(map[string]any)["zone"]; zone != "Asia/Tokyo" {
			t.Errorf("with TZ=Asia/Tokyo, zone = %v", zone)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		out := filepath.Join(dir, "x.xlsx")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--from", "2026-10-01", "--to", "31/10/2026", "--out", out}, `--to "31/10/2026" is not a day written YYYY-MM-DD`},
			{[]string{"--from", "2026-13-01", "--to", "2026-10-31", "--out", out}, `--from "2026-13-01" is not a day`},
			{[]string{"--from", "2026-10-31", "--to", "2026-10-01", "--out", out}, "--to 2026-10-01 is before --from 2026-10-31"},
			{[]string{"--from", "2026-10-01", "--to", "2026-10-31"}, "--out FILE.xlsx"},
			{[]string{"--from", "2026-10-01", "--to", "2026-10-31", "--out", filepath.Join(dir, "x.csv")}, "must end .xlsx"},
			{[]string{"--from", "2026-10-01", "--to", "2026-10-31", "--out", out, "--tz", "Mars/Olympus"}, `--tz "Mars/Olympus" is not a time zone`},
			{[]string{"--from", "2026-10-01", "--out", out}, "--from 2026-10-01 needs --to"},
			{[]string{"--out", out}, "say which period"},
			{[]string{"--month", "2026-10", "--year", "2026", "--out", out}, "--month and --year both name a period"},
			{[]string{"--month", "2026-13", "--out", out}, `--month "2026-13" is not a month`},
			{[]string{"--quarter", "2026-Q5", "--out", out}, `--quarter "2026-Q5" is not a quarter`},
			{[]string{"--year", "26", "--out", out}, `--year "26" is not a year`},
			{[]string{"--month", "2026-10", "--out", out, "extra"}, `unexpected argument "extra"`},
		} {
			r := runCLI(t, nil, append([]string{"--db", db, "export", "accounts"}, c.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
				t.Errorf("export accounts %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), r.code, r.stderr, exitUsage, c.want)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a refused export left %s: %v", out, err)
		}
		missing := filepath.Join(dir, "no such folder", "x.xlsx")
		r := runCLI(t, nil, "--db", db, "export", "accounts", "--month", "2026-10", "--out", missing)
		if r.code != exitError || !strings.Contains(r.stderr, "the folder "+filepath.Dir(missing)+" does not exist") {
			t.Errorf("export accounts --out %s: exit %d, stderr %q; want %d naming the missing folder", missing, r.code, r.stderr, exitError)
		}
	})

	t.Run("Roles", func(t *testing.T) {
		packer := map[string]string{"BACKROOM_USER": "Jamie Lee", "BACKROOM_PIN": "1234"}
		out := filepath.Join(dir, "packer.xlsx")
		r := runCLI(t, packer, "--db", db, "export", "accounts", "--month", "2026-10", "--out", out)
		if r.code != exitError || !strings.Contains(r.stderr, "may not") {
			t.Errorf("packer: exit %d, stderr %q; want refused", r.code, r.stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a packer's refused export left %s", out)
		}
		accountant := map[string]string{"BACKROOM_USER": "Priya Shah", "BACKROOM_PIN": "2468"}
		sum := exportJSON(t, accountant, "--db", db, "--month", "2026-10", "--tz", "UTC", "--out", filepath.Join(dir, "accountant.xlsx"))
		if sum["locked"] != false {
			t.Errorf("accountant's export: %v", sum)
		}
		list := decodeList(t, mustRun(t, nil, "--db", db, "accounts", "log", "--json", "--limit", "1"))
		if len(list) != 1 || list[0]["user"] != "Priya Shah" || list[0]["file"] != "accountant.xlsx" {
			t.Errorf("log = %v, want the accountant's export on top", list)
		}
		r = runCLI(t, accountant, "--db", db, "export", "accounts", "--month", "2026-10", "--out", filepath.Join(dir, "locked.xlsx"), "--lock")
		if r.code != exitError || !strings.Contains(r.stderr, "may not lock") {
			t.Errorf("accountant --lock: exit %d, stderr %q; want refused", r.code, r.stderr)
		}
	})
}

// mapsEqual compares a decoded JSON value with want.
func mapsEqual(got any, want map[string]any) bool {
	m, ok := got.(map[string]any)
	if !ok || len(m) != len(want) {
		return false
	}
	for k, v := range want {
		if m[k] != v {
			return false
		}
	}
	return true
}
