package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damageFile overwrites three pages in the middle of a closed database file.
func damageFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mid := len(b) / 4096 / 2
	for i := (mid - 1) * 4096; i < (mid+2)*4096; i++ {
		b[i] = byte(0x5A ^ i)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRun_Backup(t *testing.T) {
	db := demoDB(t)
	env := map[string]string{"BACKROOM_DB": db}
	folder := filepath.Join(filepath.Dir(db), "Backups")
	backupKeys := sorted("file", "path", "time", "size", "orders", "problem")

	if out := mustRun(t, env, "backup", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("backup list before any backup = %q, want []", out)
	}
	if out := mustRun(t, env, "backup", "list"); !strings.Contains(out, "No backups in "+folder) {
		t.Errorf("backup list text = %q", out)
	}

	now := decodeObject(t, mustRun(t, env, "backup", "now", "--json"))
	checkKeys(t, "backup now", now, sorted("folder", "backup", "removed"))
	b := now["backup"].(map[string]any)
	checkKeys(t, "backup", b, backupKeys)
	name := b["file"].(string)
	if now["folder"] != folder || filepath.Dir(b["path"].(string)) != folder || !strings.HasPrefix(name, "backroom-") ||
		b["problem"] != "" || b["orders"].(float64) < 100 || b["size"].(float64) <= 0 {
		t.Errorf("backup now = %v", now)
	}
	if removed, ok := now["removed"].([]any); !ok || len(removed) != 0 {
		t.Errorf("removed = %v, want []", now["removed"])
	}
	list := decodeList(t, mustRun(t, env, "backup", "list", "--json"))
	if len(list) != 1 || list[0]["file"] != name || list[0]["orders"] != b["orders"] {
		t.Fatalf("backup list = %v, want the one backup", list)
	}
	checkKeys(t, "backup list", list[0], backupKeys)
	if out := mustRun(t, env, "backup", "list"); !strings.Contains(out, name) || !strings.Contains(out, "ORDERS") {
		t.Errorf("backup list text = %q", out)
	}

	before := onHand(t, env, "FK-TEA-SENCHA")
	mustRun(t, env, "stock", "adjust", "FK-TEA-SENCHA", "-3", "--reason", "after the backup")

	t.Run("Packer", func(t *testing.T) {
		packer := map[string]string{"BACKROOM_DB": db, "BACKROOM_USER": "Jamie Lee", "BACKROOM_PIN": "1234"}
		if r := runCLI(t, packer, "backup", "now"); r.code != exitError || !strings.Contains(r.stderr, "may not") {
			t.Errorf("packer backup now: exit %d, %s", r.code, r.stderr)
		}
		if r := runCLI(t, packer, "backup", "restore", "--yes", name); r.code != exitError || !strings.Contains(r.stderr, "only an owner") {
			t.Errorf("packer backup restore: exit %d, %s", r.code, r.stderr)
		}
	})

	// Without a terminal and without --yes nothing is replaced.
	if r := runCLI(t, env, "backup", "restore", name); r.code != exitError || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("restore without --yes: exit %d, %s", r.code, r.stderr)
	}
	if got := onHand(t, env, "FK-TEA-SENCHA"); got != before-3 {
		t.Fatalf("on hand after a refused restore = %v, want %v", got, before-3)
	}
	if r := runCLI(t, env, "backup", "restore"); r.code != exitUsage {
		t.Errorf("restore without a file: exit %d, want %d", r.code, exitUsage)
	}

	res := decodeObject(t, mustRun(t, env, "backup", "restore", "--yes", "--json", name))
	checkKeys(t, "restore", res, sorted("database", "backup", "moved_aside"))
	checkKeys(t, "restore backup", res["backup"].(map[string]any), backupKeys)
	aside := res["moved_aside"].(string)
	if res["database"] != db || !strings.HasPrefix(aside, db+".replaced-") {
		t.Errorf("restore = %v", res)
	}
	if _, err := os.Stat(aside); err != nil {
		t.Errorf("the replaced file is not kept: %v", err)
	}
	if got := onHand(t, env, "FK-TEA-SENCHA"); got != before {
		t.Errorf("on hand after restore = %v, want %v as backed up", got, before)
	}

	t.Run("Damaged", func(t *testing.T) {
		// Closed cleanly by the last command, so the whole database is in the main file.
		damageFile(t, db)
		r := runCLI(t, env, "stock", "list")
		if r.code != exitError || !strings.Contains(r.stderr, "damaged") || !strings.Contains(r.stderr, "backup restore") {
			t.Fatalf("stock list on a damaged file: exit %d, %s", r.code, r.stderr)
		}
		if l := decodeList(t, mustRun(t, env, "backup", "list", "--json")); len(l) != 1 {
			t.Errorf("backup list on a damaged database = %v", l)
		}
		res := decodeObject(t, mustRun(t, env, "backup", "restore", "--yes", "--json", name))
		if aside := res["moved_aside"].(string); !strings.HasPrefix(aside, db+".damaged-") {
			t.Errorf("damaged file moved to %s, want %s.damaged-<time>", aside, db)
		}
		if got := onHand(t, env, "FK-TEA-SENCHA"); got != before {
			t.Errorf("on hand after restoring a damaged database = %v, want %v", got, before)
		}
	})

	t.Run("BadBackup", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "backroom-2026-01-01T000000Z.db")
		os.WriteFile(bad, []byte("not a database"), 0o600)
		r := runCLI(t, env, "backup", "restore", "--yes", bad)
		if r.code != exitError || !strings.Contains(r.stderr, "not a Backroom backup") {
			t.Errorf("restore of a text file: exit %d, %s", r.code, r.stderr)
		}
	})
}

func TestRun_ImportBacksUp(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	r := runCLI(t, nil, "--db", db, "import", "--json", fixture("shopify_orders_2025.csv"))
	if r.code != exitOK {
		t.Fatalf("import: exit %d, %s", r.code, r.stderr)
	}
	decodeReports(t, r.stdout) // stdout stays JSON
	entries, _ := os.ReadDir(filepath.Join(filepath.Dir(db), "Backups"))
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "backroom-") || !strings.Contains(r.stderr, "Backed up to") {
		t.Errorf("after an import the backup folder holds %v; stderr %q", entries, r.stderr)
	}
	// A dry run writes nothing, so nothing new is backed up.
	os.RemoveAll(filepath.Join(filepath.Dir(db), "Backups"))
	mustRun(t, nil, "--db", db, "import", "--dry-run", fixture("shopify_orders_2025.csv"))
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "Backups")); err == nil {
		t.Errorf("a dry run made a backup")
	}
}
