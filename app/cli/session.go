package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// dbPath is the database this run uses: --db, else $BACKROOM_DB, else the per-user default.
func (r *runner) dbPath() (string, error) {
	if r.db != "" {
		return r.db, nil
	}
	return DefaultDBPath(r.env.Getenv)
}

// How a command treats a database file that does not exist yet.
const (
	existing = false // reading needs a shop: say so rather than make an empty file
	create   = true  // writing may start one
)

// open opens the database and signs in the user the command acts for.
func (r *runner) open(ctx context.Context, mayCreate bool) (*data.Store, error) {
	path, err := r.dbPath()
	if err != nil {
		return nil, err
	}
	if !mayCreate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no Backroom database at %s; run 'backroom demo' for a demo shop, "+
				"start Backroom to set up yours, or say which file with --db", path)
		}
	}
	if err := makeParent(path); err != nil {
		return nil, err
	}
	base, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		return nil, err
	}
	r.store = base
	return r.signIn(ctx, base)
}

// signIn picks who the command acts for. Without --user it is the shop's owner, as on the owner's own
// laptop, unless an owner has set a PIN: then the database is protected and the caller must say who they
// are. With --user the PIN comes from $BACKROOM_PIN, or is asked for on a terminal.
func (r *runner) signIn(ctx context.Context, base *data.Store) (*data.Store, error) {
	name := r.user
	if name == "" {
		name = r.env.Getenv("BACKROOM_USER")
	}
	if name == "" {
		users, err := base.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Active && u.Role == data.RoleOwner && u.HasPIN {
				return nil, errors.New("this shop's owner has a PIN, so say who you are: --user NAME " +
					"(or BACKROOM_USER), with the PIN in BACKROOM_PIN")
			}
		}
		return base, nil
	}
	pin := r.env.Getenv("BACKROOM_PIN")
	if pin == "" {
		if u, err := base.UserByName(ctx, name); err == nil && u.HasPIN {
			if pin, err = r.askPIN("PIN for " + u.Name + ": "); err != nil {
				return nil, err
			}
		}
	} else {
		r.pinFor = name
	}
	return base.Login(ctx, name, pin)
}

// askPIN asks for a PIN on the terminal without echoing it. Without a terminal there is nobody to ask.
func (r *runner) askPIN(prompt string) (string, error) {
	f, ok := r.env.Stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return "", errors.New("a PIN is needed: set BACKROOM_PIN, or run the command in a terminal to be asked")
	}
	fmt.Fprint(r.env.Stderr, prompt)
	pin, err := readSecret(f)
	fmt.Fprintln(r.env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read PIN: %w", err)
	}
	return pin, nil
}

// readLine reads up to the end of the line a byte at a time, so nothing after it is consumed.
func readLine(rd io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := rd.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}
