package data

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Makefile builds SQLite with its query planner stability guarantee (see the comment on CGO_CFLAGS
// there): without it an import re-prepares a statement for every order line. A cgo flag is easy to lose
// on the way (a cached build, an overriding CGO_CFLAGS), so when the build asked for it, check that the
// SQLite inside this binary has it.
func TestBuiltWithStablePlans(t *testing.T) {
	if !strings.Contains(os.Getenv("CGO_CFLAGS"), "-DSQLITE_ENABLE_QPSG") {
		t.Skip("CGO_CFLAGS does not ask for SQLITE_ENABLE_QPSG; make build and make test do")
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var found bool
	err = scanRows(ctx, s.read, `PRAGMA compile_options`, func(r *sql.Rows) error {
		var opt string
		if err := r.Scan(&opt); err != nil {
			return err
		}
		found = found || opt == "ENABLE_QPSG"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("CGO_CFLAGS asks for -DSQLITE_ENABLE_QPSG, but PRAGMA compile_options of the linked SQLite lacks ENABLE_QPSG")
	}
}
