package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"strings"
	"time"
)

// ImportFile names a file being imported, for the import log.
type ImportFile struct {
	Name   string // the file's base name, as the owner knows it
	Size   int64
	SHA256 string // hex digest of the bytes, to recognise a file imported before
	Format string // the detected layout, e.g. "shopify-orders"
}

// Problem is something wrong at one place in a file: an error rejects the record it belongs to, a
// warning is reported and the record still imports.
type Problem struct {
	Row     int    `json:"row"`    // as a spreadsheet numbers it, header included; 0 for the whole file
	Column  string `json:"column"` // the header of the column, empty when the whole row is meant
	Value   string `json:"value"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning,omitempty"`
}

// String reads like "row 7, Lineitem quantity "two": not a whole number".
func (p Problem) String() string {
	var b strings.Builder
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d", p.Row)
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Column)
	}
	if p.Value != "" {
		v := p.Value
		if r := []rune(v); len(r) > 60 {
			v = string(r[:57]) + "…"
		}
		fmt.Fprintf(&b, " %q", v)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ProductRecord is what a product or inventory file says about one SKU. Nil and empty fields were not
// in the file and leave the SKU as it is.
type ProductRecord struct {
	SKU         string
	ProductName string
	Title       string
	Barcodes    []string // nil when the file has no barcode column
	Price       *int64   // minor units of Currency
	Cost        *int64
	Currency    string
	Active      *bool
}

// StockCount is a file's count of one SKU at one location. Importing it records the difference to the
// ledger as a count movement; the ledger is never overwritten.
type StockCount struct {
	SKU      string
	Location string // a location's name; empty for where the SKU is kept
	OnHand   int64
}

// ImportItem is one record an importer read, with the rows of the file it came from.
type ImportItem struct {
	FirstRow, LastRow int
	Order             *Order
	Product           *ProductRecord
	Count             *StockCount
	// Problems found in the record's rows. Any error leaves the record out.
	Problems []Problem
	// Err means the file cannot be read any further (cut off, not a spreadsheet): the import stops and
	// nothing is written.
	Err error
}

func (it ImportItem) hasErrors() bool {
	for _, p := range it.Problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// ImportOptions choose how an import treats a file with problems.
type ImportOptions struct {
	// DryRun applies the file inside a transaction that is then rolled back: the counts are exactly what
	// importing would do, and nothing is written.
	DryRun bool
	// SkipInvalid imports the records without errors and leaves out the ones listed. Without it a file
	// with any error writes nothing.
	SkipInvalid bool
	// Locations says which of the shop's locations (by name or id) a location named in the file is,
	// such as Shopify's "1 Example Street" for the shop's "Shop". Each is remembered for later files.
	// A name neither here nor known becomes a new location.
	Locations map[string]string
}

// ImportResult says what an import did, or would have done.
type ImportResult struct {
	LogID     int64 // the import log entry; 0 for a dry run
	Committed bool

	OrdersNew, OrdersUpdated, OrdersUnchanged int
	Held                                      int // new orders or changes to figures in a locked period, kept for the owner
	Lines                                     int // order lines in the file's orders
	Unmatched                                 int // lines whose item matched none of the shop's SKUs

	ProductsNew, ProductsUpdated, ProductsUnchanged int
	StockCounted                                    int // counts that differed from the ledger and moved stock
	LocationsAdded                                  []string

	Skipped  int // records left out for their errors
	Errors   []Problem
	Warnings []Problem
}

// Rejected reports whether the file was refused: it had errors and nothing of it was written.
func (r ImportResult) Rejected() bool { return len(r.Errors) > 0 && r.Skipped == 0 }

// maxLoggedProblems bounds what the import log keeps of a file's problems; a file with a broken column
// can have one per row.
const maxLoggedProblems = 200

var (
	errRollback = errors.New("roll back")
)

// Import applies what an importer read from one file, in one transaction: every record, or with
// SkipInvalid every record without errors, or nothing. Orders merge with what the store has by
// (channel, order id) exactly as ApplyOrders does, so importing the same file again changes nothing;
// products are created or updated; stock counts move the ledger by their difference. Each import,
// refused ones included, is written to the import log.
func (s *Store) Import(ctx context.Context, file ImportFile, items iter.Seq[ImportItem], opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if err := s.require(PermImport); err != nil {
		return res, err
	}
	seen := newOrderKeys() // order key → first row, to spot an order whose rows are split up
	// Statements run without ctx's cancel: go-sqlite3 watches a cancellable context with a goroutine per
	// statement, which was a fifth of an import's time. The loop checks ctx between records instead, so
	// a cancel still stops the import within one record and rolls it back.
	dbctx := context.WithoutCancel(ctx)
	err := s.update(ctx, func(t *tx) error {
		t.importing = file.Name
		// A big file dirties pages faster than any cache can hold them; a smaller page cache during the
		// import keeps memory flat without slowing it, since the pages go to the WAL either way.
		if _, err := t.Tx.ExecContext(dbctx, `PRAGMA cache_size = -16384`); err != nil {
			return fmt.Errorf("prepare import: %w", err)
		}
		defer t.Tx.ExecContext(dbctx, fmt.Sprintf(`PRAGMA cache_size = %d`, writerCacheSize))
		for name, loc := range opt.Locations {
			if err := t.setLocationAlias(dbctx, name, loc); err != nil {
				return err
			}
		}
		for it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			if it.Err != nil {
				return it.Err
			}
			for _, p := range it.Problems {
				if p.Warning {
					res.Warnings = append(res.Warnings, p)
				} else {
					res.Errors = append(res.Errors, p)
				}
			}
			if it.hasErrors() {
				res.Skipped++
				continue
			}
			problem, err := t.importItem(dbctx, &res, it, seen)
			if err != nil {
				return err
			}
			if problem != nil {
				res.Errors = append(res.Errors, *problem)
				res.Skipped++
			}
		}
		if len(res.Errors) > 0 && !opt.SkipInvalid || opt.DryRun {
			return errRollback
		}
		res.Committed = true
		return t.logImport(dbctx, file, &res)
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err != nil && ctx.Err() != nil {
		// database/sql rolls the write back itself when ctx ends, and the statement that met it may
		// report that instead of the cancel.
		err = ctx.Err()
	}
	if err != nil {
		return ImportResult{Errors: res.Errors, Warnings: res.Warnings}, err
	}
	if !res.Committed {
		if !opt.DryRun {
			// Nothing of the file was written; say so in the log with the reasons, in a write of its own.
			rejected := ImportResult{Errors: res.Errors, Warnings: res.Warnings}
			if err := s.update(ctx, func(t *tx) error { return t.logImport(ctx, file, &rejected) }); err != nil {
				return res, err
			}
			res.LogID = rejected.LogID
		}
		// The counts describe what would have been written; a refused file wrote none of it.
		if !opt.DryRun {
			res.OrdersNew, res.OrdersUpdated, res.OrdersUnchanged, res.Held, res.Lines, res.Unmatched = 0, 0, 0, 0, 0, 0
			res.ProductsNew, res.ProductsUpdated, res.ProductsUnchanged, res.StockCounted = 0, 0, 0, 0
			res.LocationsAdded, res.Skipped = nil, 0
		}
	}
	return res, nil
}

// orderKeys remembers the orders a file has had, and the row each began on, by a 64-bit hash of
// (channel, order id) rather than the key itself: a 1,000,000-line file has over half a million orders,
// and fixed-size entries keep the set small and free of pointers for the collector to scan. Two orders
// of one file sharing a hash is a chance of about one in ten million even then.
type orderKeys struct {
	seed  maphash.Seed
	first map[uint64]int32
}

func newOrderKeys() orderKeys {
	return orderKeys{seed: maphash.MakeSeed(), first: map[uint64]int32{}}
}

func (k orderKeys) hash(channel, externalID string) uint64 {
	var h maphash.Hash
	h.SetSeed(k.seed)
	h.WriteString(channel)
	h.WriteByte(0)
	h.WriteString(externalID)
	return h.Sum64()
}

// importItem applies one record. A problem the store finds in it (an invalid order, a SKU clash) comes
// back as a Problem for its rows; only failures of the database itself are errors.
func (t *tx) importItem(ctx context.Context, res *ImportResult, it ImportItem, seen orderKeys) (*Problem, error) {
	asProblem := func(err error) (*Problem, error) {
		var de *Error
		if errors.As(err, &de) && de.Kind != nil {
			return &Problem{Row: it.FirstRow, Reason: de.Message}, nil
		}
		return nil, err
	}
	switch {
	case it.Order != nil:
		o := it.Order
		o.Channel = strings.ToLower(strings.TrimSpace(o.Channel))
		o.ExternalID = strings.TrimSpace(o.ExternalID)
		o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
		if err := o.Validate(); err != nil {
			return asProblem(err)
		}
		key := seen.hash(o.Channel, o.ExternalID)
		if first, ok := seen.first[key]; ok {
			return &Problem{Row: it.FirstRow, Value: o.ExternalID, Reason: fmt.Sprintf(
				"order %s already had rows from row %d, with other orders in between; sort the sheet by order number so each order's rows are together, and import it again",
				o.ExternalID, first)}, nil
		}
		seen.first[key] = int32(min(it.FirstRow, math.MaxInt32))
		outcome, unmatched, err := t.applyOrder(ctx, o)
		if err != nil {
			return asProblem(err)
		}
		res.Lines += len(o.Lines)
		res.Unmatched += unmatched
		switch outcome {
		case "new":
			res.OrdersNew++
		case "updated":
			res.OrdersUpdated++
		case "held":
			res.Held++
		default:
			res.OrdersUnchanged++
		}
	case it.Product != nil:
		if err := t.s.require(PermEditCatalog); err != nil {
			return nil, err
		}
		outcome, err := t.importProduct(ctx, *it.Product)
		if err != nil {
			return asProblem(err)
		}
		switch outcome {
		case "new":
			res.ProductsNew++
		case "updated":
			res.ProductsUpdated++
		default:
			res.ProductsUnchanged++
		}
	}
	if it.Count != nil {
		if err := t.s.require(PermMoveStock); err != nil {
			return nil, err
		}
		moved, added, err := t.importCount(ctx, *it.Count)
		if errors.Is(err, ErrNotFound) && it.Product == nil {
			return &Problem{Row: it.FirstRow, Column: "SKU", Value: it.Count.SKU,
				Reason: "Backroom has no such SKU; import the products file first, or add the product"}, nil
		}
		if err != nil {
			return asProblem(err)
		}
		if moved {
			res.StockCounted++
		}
		if added != "" {
			res.LocationsAdded = append(res.LocationsAdded, added)
			res.Warnings = append(res.Warnings, Problem{Row: it.FirstRow, Column: "Location", Value: added, Warning: true,
				Reason: "a location Backroom did not have, added as a new one; if it is one of yours under another name, say which " +
					"before importing: Check file on the Imports screen asks, and the command line takes --location \"NAME=YOURS\""})
		}
	}
	return nil, nil
}

// importProduct creates a SKU the store does not know, or updates the fields the file gives.
func (t *tx) importProduct(ctx context.Context, p ProductRecord) (string, error) {
	p.SKU = strings.TrimSpace(p.SKU)
	if err := ValidateSKU(p.SKU); err != nil {
		return "", err
	}
	var existing string
	err := t.QueryRowContext(ctx, `SELECT sku FROM variants WHERE sku = ?`, p.SKU).Scan(&existing)
	if errors.Is(err, sql.ErrNoRows) {
		n := NewVariant{SKU: p.SKU, ProductName: strings.TrimSpace(p.ProductName), Title: strings.TrimSpace(p.Title),
			Barcodes: p.Barcodes, Currency: strings.ToUpper(strings.TrimSpace(p.Currency))}
		if n.ProductName == "" {
			n.ProductName = p.SKU
		}
		// Variants of one product come as rows of their own; the ones named alike belong together
		// ("Linen apron" in Sage and in Rust), so a new SKU joins the product of that name.
		var productID string
		err := t.QueryRowContext(ctx, `SELECT id FROM products WHERE name = ? ORDER BY rowid LIMIT 1`, n.ProductName).Scan(&productID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("find product %q: %w", n.ProductName, err)
		}
		n.ProductID = productID
		if n.Currency == "" {
			n.Currency = t.shopCurrency(ctx)
		}
		if p.Price != nil {
			n.Price = *p.Price
		}
		if p.Cost != nil {
			n.Cost = *p.Cost
		}
		if err := n.Validate(); err != nil {
			return "", err
		}
		if err := t.addVariant(ctx, n); err != nil {
			return "", err
		}
		if p.Active != nil && !*p.Active {
			if _, err := t.updateVariant(ctx, p.SKU, VariantUpdate{Active: p.Active}); err != nil {
				return "", err
			}
		}
		return "new", nil
	}
	if err != nil {
		return "", fmt.Errorf("find SKU %s: %w", p.SKU, err)
	}
	u := VariantUpdate{Price: p.Price, Cost: p.Cost, Active: p.Active}
	if name := strings.TrimSpace(p.ProductName); name != "" {
		u.ProductName = &name
	}
	// An empty title is no title in the file, not an instruction to clear the one the owner set.
	if title := strings.TrimSpace(p.Title); title != "" {
		u.Title = &title
	}
	if c := strings.TrimSpace(p.Currency); c != "" {
		u.Currency = &c
	}
	if p.Barcodes != nil {
		u.Barcodes = &p.Barcodes
	}
	changed, err := t.updateVariant(ctx, existing, u)
	if err != nil {
		return "", err
	}
	if changed {
		return "updated", nil
	}
	return "unchanged", nil
}

func (t *tx) shopCurrency(ctx context.Context) string {
	var c string
	if err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, SettingCurrency.metaKey()).Scan(&c); err != nil || !ValidCurrency(c) {
		return "USD"
	}
	return c
}

// importCount moves the ledger to the counted quantity at the count's location, adding a location the
// store has not heard of; it reports whether stock moved and the name of a location it added.
func (t *tx) importCount(ctx context.Context, c StockCount) (moved bool, added string, err error) {
	v, err := t.s.variant(ctx, t, strings.TrimSpace(c.SKU))
	if err != nil {
		return false, "", err
	}
	if len(v.Kit) > 0 {
		return false, "", errorf(ErrInvalid, "%s is a kit and holds no stock itself; count its parts", v.SKU)
	}
	var loc string
	if strings.TrimSpace(c.Location) == "" {
		loc, err = t.stockLocation(ctx, v.SKU)
	} else {
		loc, err = t.countLocation(ctx, c.Location)
		if errors.Is(err, ErrNotFound) {
			var l Location
			l, err = t.addLocation(ctx, strings.TrimSpace(c.Location), "warehouse")
			loc, added = l.ID, l.Name
		}
	}
	if err != nil {
		return false, "", err
	}
	var onHand int64
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(SUM(on_hand), 0) FROM stock_levels WHERE sku = ? AND location_id = ?`,
		v.SKU, loc).Scan(&onHand); err != nil {
		return false, "", fmt.Errorf("read stock of %s: %w", v.SKU, err)
	}
	if onHand == c.OnHand {
		return false, added, nil
	}
	m := Movement{ID: newID(), SKU: v.SKU, LocationID: loc, Quantity: c.OnHand - onHand, Reason: ReasonCount, RefType: "count",
		Note: fmt.Sprintf("imported count: %d on hand", c.OnHand)}
	if _, err := t.insertMovement(ctx, m); err != nil {
		return false, "", err
	}
	return true, added, nil
}

// countLocation finds the location a count names: one of the shop's by name or id, else one an alias
// says it is.
func (t *tx) countLocation(ctx context.Context, name string) (string, error) {
	id, err := t.locationID(ctx, name)
	if !errors.Is(err, ErrNotFound) {
		return id, err
	}
	err = t.QueryRowContext(ctx, `SELECT location_id FROM location_aliases WHERE name = ?`, strings.TrimSpace(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errorf(ErrNotFound, "there is no location %q", name)
	}
	if err != nil {
		return "", fmt.Errorf("find location %q: %w", name, err)
	}
	return id, nil
}

// LocationAlias is a marketplace's name for one of the shop's locations.
type LocationAlias struct {
	Name     string // as the file writes it
	Location Location
}

// SetLocationAlias records that files naming name mean the shop's location loc (a name or id).
func (s *Store) SetLocationAlias(ctx context.Context, name, loc string) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error { return t.setLocationAlias(ctx, name, loc) })
}

func (t *tx) setLocationAlias(ctx context.Context, name, loc string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errorf(ErrInvalid, "say which name in the file is location %s", loc)
	}
	id, err := t.locationID(ctx, strings.TrimSpace(loc))
	if err != nil {
		return err
	}
	if other, err := t.locationID(ctx, name); err == nil {
		if other != id {
			return errorf(ErrConflict, "%q is already a location of its own, so files naming it count there, not at %s", name, loc)
		}
		return nil
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO location_aliases(name, location_id, hlc, device_id) VALUES (?, ?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET location_id = excluded.location_id, hlc = excluded.hlc, device_id = excluded.device_id`,
		name, id, t.hlc, t.s.device); err != nil {
		return fmt.Errorf("remember location %q: %w", name, err)
	}
	return t.audit(ctx, "set", "location_alias", name, nil, map[string]string{"location": id})
}

// LocationAliases lists the marketplace names given to the shop's locations.
func (s *Store) LocationAliases(ctx context.Context) ([]LocationAlias, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.name, l.id, l.name, l.kind, l.is_default FROM location_aliases a
		JOIN locations l ON l.id = a.location_id ORDER BY a.name`)
	if err != nil {
		return nil, fmt.Errorf("list location aliases: %w", err)
	}
	defer rows.Close()
	var out []LocationAlias
	for rows.Next() {
		var a LocationAlias
		if err := rows.Scan(&a.Name, &a.Location.ID, &a.Location.Name, &a.Location.Kind, &a.Location.IsDefault); err != nil {
			return nil, fmt.Errorf("list location aliases: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *tx) logImport(ctx context.Context, f ImportFile, res *ImportResult) error {
	outcome := "imported"
	switch {
	case !res.Committed:
		outcome = "rejected"
	case res.Skipped > 0:
		outcome = "partial"
	}
	problems := append(append([]Problem{}, res.Errors...), res.Warnings...)
	if len(problems) > maxLoggedProblems {
		problems = problems[:maxLoggedProblems]
	}
	js, err := json.Marshal(problems)
	if err != nil {
		return fmt.Errorf("log import of %s: %w", f.Name, err)
	}
	r, err := t.ExecContext(ctx, `INSERT INTO import_log(at, user_id, user_name, device_id, file_name, file_size, sha256, format, outcome,
		orders_new, orders_updated, orders_unchanged, lines, unmatched, products_new, products_updated, products_unchanged, stock_counted,
		skipped, errors, warnings, problems, orders_held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.nowText(), t.s.user.ID, t.s.user.Name, t.s.device, f.Name, f.Size, strings.ToLower(f.SHA256), f.Format, outcome,
		res.OrdersNew, res.OrdersUpdated, res.OrdersUnchanged, res.Lines, res.Unmatched, res.ProductsNew, res.ProductsUpdated,
		res.ProductsUnchanged, res.StockCounted, res.Skipped, len(res.Errors), len(res.Warnings), string(js), res.Held)
	if err != nil {
		return fmt.Errorf("log import of %s: %w", f.Name, err)
	}
	res.LogID, err = r.LastInsertId()
	return err
}

// ImportLogEntry is one line of the import log.
type ImportLogEntry struct {
	ID       int64
	At       time.Time
	UserName string
	File     ImportFile
	Outcome  string // imported, partial or rejected

	OrdersNew, OrdersUpdated, OrdersUnchanged, Lines, Unmatched   int
	ProductsNew, ProductsUpdated, ProductsUnchanged, StockCounted int
	Skipped, Errors, Warnings                                     int
	Held                                                          int       // orders a period lock kept for the owner
	Problems                                                      []Problem // the first ones found
}

const importLogColumns = `id, at, user_name, file_name, file_size, sha256, format, outcome, orders_new, orders_updated, orders_unchanged,
	lines, unmatched, products_new, products_updated, products_unchanged, stock_counted, skipped, errors, warnings, problems, orders_held`

func scanImportLog(row scanner) (ImportLogEntry, error) {
	var e ImportLogEntry
	var at, problems string
	err := row.Scan(&e.ID, &at, &e.UserName, &e.File.Name, &e.File.Size, &e.File.SHA256, &e.File.Format, &e.Outcome,
		&e.OrdersNew, &e.OrdersUpdated, &e.OrdersUnchanged, &e.Lines, &e.Unmatched, &e.ProductsNew, &e.ProductsUpdated,
		&e.ProductsUnchanged, &e.StockCounted, &e.Skipped, &e.Errors, &e.Warnings, &problems, &e.Held)
	if err != nil {
		return e, err
	}
	e.At = parseTime(at)
	if err := json.Unmarshal([]byte(problems), &e.Problems); err != nil {
		return e, fmt.Errorf("read problems of import %d: %w", e.ID, err)
	}
	return e, nil
}

// ImportLog lists imports, newest first.
func (s *Store) ImportLog(ctx context.Context, limit int) ([]ImportLogEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+importLogColumns+` FROM import_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read import log: %w", err)
	}
	defer rows.Close()
	var out []ImportLogEntry
	for rows.Next() {
		e, err := scanImportLog(rows)
		if err != nil {
			return nil, fmt.Errorf("read import log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ImportedBefore finds the last time a file with these bytes was imported and written, or ErrNotFound.
// A refused attempt does not count: the file's data is not in the store.
func (s *Store) ImportedBefore(ctx context.Context, sha256 string) (ImportLogEntry, error) {
	e, err := scanImportLog(s.read.QueryRowContext(ctx, `SELECT `+importLogColumns+` FROM import_log
		WHERE sha256 = ? AND outcome <> 'rejected' ORDER BY id DESC LIMIT 1`, strings.ToLower(sha256)))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errorf(ErrNotFound, "this file was not imported before")
	}
	if err != nil {
		return e, fmt.Errorf("look up earlier imports: %w", err)
	}
	return e, nil
}
