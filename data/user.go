package data

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Role is what a user may do. The set is fixed: a shop of one to ten people needs these three.
type Role string

// The roles.
const (
	// RoleOwner may do everything.
	RoleOwner Role = "owner"
	// RolePacker works the packing desk: orders, stock and bins, never costs, margins or credentials.
	RolePacker Role = "packer"
	// RoleAccountant reads everything, money included, and changes nothing.
	RoleAccountant Role = "accountant"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == RoleOwner || r == RolePacker || r == RoleAccountant }

// Permission is one thing a role may or may not do.
type Permission int

// The permissions the store checks.
const (
	// PermViewCosts covers unit costs, supplier prices and margins.
	PermViewCosts Permission = iota
	// PermEditCatalog covers adding and changing products, prices, kits and aliases.
	PermEditCatalog
	// PermMoveStock covers recording stock movements (adjustments, counts, receipts).
	PermMoveStock
	// PermWorkOrders covers changing order status and recording orders.
	PermWorkOrders
	// PermManageUsers covers adding users and setting PINs.
	PermManageUsers
	// PermViewAudit covers reading the audit log.
	PermViewAudit
	// PermManageSuppliers covers adding and changing suppliers.
	PermManageSuppliers
	// PermImport covers importing marketplace files and mapping their columns: one file can add
	// hundreds of orders and change the catalogue, so it is the owner's.
	PermImport
	// PermManageMail covers the mailbox account orders are read from: its server, user name and folders
	// are credentials in all but the password, so they are the owner's.
	PermManageMail
	// PermApproveCounts covers turning a stock count into ledger movements: anyone who moves stock may
	// count, but what the count changes is the owner's call.
	PermApproveCounts
	// PermExport covers the files that leave the shop for its books and reports: the accounts workbook
	// and its sales and refund lines, the figures, and the order, stock and shipment lists. The owner and
	// the accountant have it; a packer does not, because those files carry money. Recording that an
	// export was made (LogAccountsExport without a lock) is the one write an accountant makes: it is the
	// export's own trail, not a change to the shop.
	PermExport
	// PermSettings covers changing shop settings (name, address, currency, planning figures, the override
	// rule). Reading a setting needs nothing: the window title and documents show the shop's name to
	// everyone, and the planning figures are no secret.
	PermSettings
)

func (p Permission) String() string {
	switch p {
	case PermViewCosts:
		return "see costs and margins"
	case PermEditCatalog:
		return "change products and prices"
	case PermMoveStock:
		return "change stock"
	case PermWorkOrders:
		return "change orders"
	case PermManageUsers:
		return "manage users"
	case PermViewAudit:
		return "read the audit log"
	case PermManageSuppliers:
		return "change suppliers"
	case PermImport:
		return "import files"
	case PermManageMail:
		return "manage the order mailbox"
	case PermApproveCounts:
		return "approve stock counts"
	case PermExport:
		return "export accounts, figures and lists"
	case PermSettings:
		return "change settings"
	}
	return fmt.Sprintf("permission %d", int(p))
}

// Can reports whether the role has the permission.
//
// The store enforces these, not the screens: every exported Store method that writes requires a
// permission only the owner and, for packing and stock, the packer have, so an accountant's every write
// is refused with ErrPermission. Reads that are all money (accounts, sales reports, cost history) or
// credentials (mail and SMTP accounts) are refused too; reads a packer's screens need (products,
// stock, suppliers, purchase orders, reorder plans) come back with their cost fields left empty
// instead, because refusing them would take the packing desk's catalogue away with the costs.
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleOwner:
		return true
	case RolePacker:
		return p == PermMoveStock || p == PermWorkOrders
	case RoleAccountant:
		return p == PermViewCosts || p == PermViewAudit || p == PermExport
	}
	return false
}

// User is a person who signs in on a device.
type User struct {
	ID     string
	Name   string
	Role   Role
	HasPIN bool
	Active bool
}

// systemUser is who an unauthenticated Open acts as: the command line and first-run setup on the
// owner's own machine. It has no id, so audit entries show it as "system".
var systemUser = User{Name: "system", Role: RoleOwner, Active: true}

// User is who this store acts for.
func (s *Store) User() User { return s.user }

// As returns a view of the same database acting for u. It does not check a PIN: use Login for people.
func (s *Store) As(u User) *Store { return &Store{db: s.db, user: u} }

// Can reports whether the acting user has the permission.
func (s *Store) Can(p Permission) bool { return s.user.Role.Can(p) }

func (s *Store) require(p Permission) error {
	if !s.Can(p) {
		return errorf(ErrPermission, "%s (%s) may not %s", s.user.Name, s.user.Role, p)
	}
	return nil
}

// Users lists every user, active ones first, by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, role, pin_hash <> '', active FROM users ORDER BY active DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &u.HasPIN, &u.Active); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserByName finds a user by name, ignoring case.
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := s.read.QueryRowContext(ctx, `SELECT id, name, role, pin_hash <> '', active FROM users WHERE name = ?`,
		strings.TrimSpace(name)).Scan(&u.ID, &u.Name, &u.Role, &u.HasPIN, &u.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errorf(ErrNotFound, "there is no user called %q", name)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %q: %w", name, err)
	}
	return u, nil
}

// AddUser creates a user. A PIN is required for every role but the owner, because the shared desk is
// where other people sit; an owner without a PIN can open the app straight away on their own laptop.
func (s *Store) AddUser(ctx context.Context, name string, role Role, pin string) (User, error) {
	if err := s.require(PermManageUsers); err != nil {
		return User{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return User{}, errorf(ErrInvalid, "a user needs a name")
	}
	if !role.Valid() {
		return User{}, errorf(ErrInvalid, "role %q is not one of owner, packer, accountant", role)
	}
	if pin == "" && role != RoleOwner {
		return User{}, errorf(ErrInvalid, "a %s needs a PIN of 4 to 12 digits", role)
	}
	hash, err := hashPIN(pin)
	if err != nil {
		return User{}, err
	}
	u := User{ID: newID(), Name: name, Role: role, HasPIN: pin != "", Active: true}
	err = s.update(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `INSERT INTO users(id, name, role, pin_hash, active, created_at, hlc, device_id)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?)`, u.ID, u.Name, u.Role, hash, t.nowText(), t.hlc, s.device)
		if isConstraint(err, 2067) { // SQLITE_CONSTRAINT_UNIQUE
			return errorf(ErrConflict, "there is already a user called %q", name)
		}
		if err != nil {
			return fmt.Errorf("add user %q: %w", name, err)
		}
		return t.audit(ctx, "create", "user", u.ID, nil, u)
	})
	return u, err
}

// SetPIN changes a user's PIN; an empty PIN removes it, which only an owner account may have.
func (s *Store) SetPIN(ctx context.Context, userID, pin string) error {
	if s.user.ID != userID || userID == "" {
		if err := s.require(PermManageUsers); err != nil {
			return err
		}
	}
	hash, err := hashPIN(pin)
	if err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		var role Role
		var name string
		err := t.QueryRowContext(ctx, `SELECT role, name FROM users WHERE id = ?`, userID).Scan(&role, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "no such user")
		}
		if err != nil {
			return fmt.Errorf("set PIN: %w", err)
		}
		if pin == "" && role != RoleOwner {
			return errorf(ErrInvalid, "a %s must keep a PIN", role)
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET pin_hash = ?, hlc = ?, device_id = ? WHERE id = ?`,
			hash, t.hlc, s.device, userID); err != nil {
			return fmt.Errorf("set PIN of %s: %w", name, err)
		}
		// The hash itself never goes into the audit log.
		return t.audit(ctx, "set_pin", "user", userID, nil, map[string]any{"name": name, "has_pin": pin != ""})
	})
}

// Login checks a user's PIN and returns a store acting for them. A wrong PIN and an unknown name give the
// same answer, in about the same time, so the shared desk does not reveal who has an account.
//
// Five wrong PINs for one name lock it (see loginLock); a locked name is refused without its PIN being
// checked, with an ErrPermission whose message says how long to wait. Every attempt goes into the audit
// log as sign_in, sign_in_failed or locked_out, with the name typed and never the PIN.
func (s *Store) Login(ctx context.Context, name, pin string) (*Store, error) {
	name = strings.TrimSpace(name)
	if wait, err := s.lockedFor(ctx, name); err != nil {
		return nil, err
	} else if wait > 0 {
		if err := s.recordSignIn(ctx, User{}, "locked_out", name, map[string]any{"retry_in_s": waitSeconds(wait)}); err != nil {
			return nil, err
		}
		return nil, lockedOutError(name, wait)
	}
	var u User
	var hash string
	err := s.read.QueryRowContext(ctx, `SELECT id, name, role, pin_hash, active FROM users WHERE name = ?`,
		name).Scan(&u.ID, &u.Name, &u.Role, &hash, &u.Active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sign in %q: %w", name, err)
	}
	known := err == nil
	u.HasPIN = hash != ""
	var ok bool
	switch {
	case !known:
		// Hash anyway: an answer that came back at once would say the name is unknown.
		checkPIN(decoyHash, pin)
	case hash == "":
		ok = pin == ""
	default:
		ok = checkPIN(hash, pin)
	}
	if !ok {
		return nil, s.signInFailed(ctx, u, name)
	}
	if err := s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM login_guard WHERE name = ?`, name); err != nil {
			return fmt.Errorf("sign in %s: %w", u.Name, err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if !u.Active {
		if err := s.recordSignIn(ctx, u, "sign_in_failed", name, map[string]any{"switched_off": true}); err != nil {
			return nil, err
		}
		return nil, errorf(ErrPermission, "%s's account is switched off", u.Name)
	}
	if err := s.As(u).recordSignIn(ctx, u, "sign_in", name, nil); err != nil {
		return nil, err
	}
	return s.As(u), nil
}

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes). A 4-digit PIN has little entropy whatever the
// hash, so the point is to make each guess against a stolen file cost real time.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// ValidPIN reports whether pin is 4 to 12 digits, the only PINs the store accepts; forms check it
// while the person types.
func ValidPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 12 {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func hashPIN(pin string) (string, error) {
	if pin == "" {
		return "", nil
	}
	if !ValidPIN(pin) {
		return "", errorf(ErrInvalid, "a PIN is 4 to 12 digits")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("make salt: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

func checkPIN(encoded, pin string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
