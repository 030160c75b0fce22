package data

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies every embedded migration the file has not seen. Each runs in its own immediate
// transaction together with its user_version bump, so a crash leaves the file at one version or the
// next, never half-way. The version is re-read inside the transaction in case another process migrated
// first.
func (d *db) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)

	conn, err := d.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", d.path, err)
	}
	defer conn.Close()

	var appID, version int
	if err := conn.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("read %s: %w (%w)", d.path, err, ErrNotBackroom)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version of %s: %w", d.path, err)
	}
	if appID != applicationID {
		var tables int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
			return fmt.Errorf("read %s: %w", d.path, err)
		}
		if appID != 0 || tables > 0 {
			return fmt.Errorf("%s belongs to another program (%w)", d.path, ErrNotBackroom)
		}
	}
	if version > len(names) {
		return fmt.Errorf("%s has schema version %d, this Backroom knows %d (%w)", d.path, version, len(names), ErrTooNew)
	}
	for i := version; i < len(names); i++ {
		script, err := migrationFiles.ReadFile(names[i])
		if err != nil {
			return fmt.Errorf("read %s: %w", names[i], err)
		}
		if err := applyMigration(ctx, conn, i, string(script)); err != nil {
			return fmt.Errorf("migrate %s to version %d (%s): %w", d.path, i+1, strings.TrimPrefix(names[i], "migrations/"), err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, from int, script string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version != from {
		return nil // another process got there first
	}
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", from+1)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return err
	}
	return tx.Commit()
}
