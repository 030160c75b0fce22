package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/backroom-app/backroom/data"
)

// user is the JSON shape of one user in "users list --json".
type user struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	HasPIN bool   `json:"has_pin"`
	Active bool   `json:"active"`
}

type usersListOptions struct{ json *bool }

func usersListCommand() *command {
	return &command{
		name: "users list", args: "[--json]", summary: "list the people who use this shop's Backroom",
		help: `Lists the users with their roles: owner (everything), packer (orders and stock, never costs) and
accountant (reads everything and exports the accounts, changes nothing else). With --json, prints an array of
{"name","role","has_pin","active"}.`,
		flags: func(fs *flag.FlagSet) any {
			return &usersListOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: func(ctx context.Context, r *runner, o any, args []string) error {
			opts := o.(*usersListOptions)
			if len(args) > 0 {
				return usagef("unexpected argument %q", args[0])
			}
			store, err := r.open(ctx, existing)
			if err != nil {
				return err
			}
			users, err := store.Users(ctx)
			if err != nil {
				return err
			}
			if *opts.json {
				list := newJSONList(r.out)
				for _, u := range users {
					if err := list.add(user{Name: u.Name, Role: string(u.Role), HasPIN: u.HasPIN, Active: u.Active}); err != nil {
						return err
					}
				}
				return list.close()
			}
			tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tPIN\tACTIVE")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, yesNo(u.HasPIN), yesNo(u.Active))
			}
			return tw.Flush()
		},
	}
}

type usersAddOptions struct{ name, role *string }

func usersAddCommand() *command {
	return &command{
		name: "users add", args: "--name NAME --role owner|packer|accountant", summary: "add a user for the shared desk",
		help: `Adds a user. Packers and accountants need a PIN of 4 to 12 digits; an owner may have none. The PIN is
never a flag (it would show in ps): it is read from $BACKROOM_NEW_PIN, else from $BACKROOM_PIN when that
was not used to sign in with --user, else asked for twice when run in a terminal.`,
		flags: func(fs *flag.FlagSet) any {
			return &usersAddOptions{
				name: fs.String("name", "", "the person's `name` (required)"),
				role: fs.String("role", "", "their `role`: owner, packer or accountant (required)"),
			}
		},
		run: runUsersAdd,
	}
}

func runUsersAdd(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*usersAddOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	name, role := strings.TrimSpace(*opts.name), data.Role(strings.ToLower(strings.TrimSpace(*opts.role)))
	if name == "" || *opts.role == "" {
		return usagef("--name and --role are required")
	}
	if !role.Valid() {
		return usagef("--role %q is not one of owner, packer, accountant", *opts.role)
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	pin, err := r.newPIN(name, role)
	if err != nil {
		return err
	}
	u, err := store.AddUser(ctx, name, role, pin)
	if err != nil {
		return err
	}
	pinNote := "no PIN"
	if u.HasPIN {
		pinNote = "with a PIN"
	}
	fmt.Fprintf(r.out, "Added %s (%s, %s)\n", u.Name, u.Role, pinNote)
	return nil
}

// newPIN finds the new user's PIN. BACKROOM_PIN only counts when it was not just used to sign in, or the
// new user would silently get the signed-in user's PIN.
func (r *runner) newPIN(name string, role data.Role) (string, error) {
	if pin := r.env.Getenv("BACKROOM_NEW_PIN"); pin != "" {
		return pin, nil
	}
	if pin := r.env.Getenv("BACKROOM_PIN"); pin != "" && r.pinFor == "" {
		return pin, nil
	}
	pin, err := r.askPIN("New PIN for " + name + " (4 to 12 digits): ")
	if err != nil {
		if role == data.RoleOwner {
			return "", nil // an owner may work without a PIN on their own machine
		}
		return "", fmt.Errorf("a %s needs a PIN: set BACKROOM_NEW_PIN, or run the command in a terminal to be asked", role)
	}
	again, err := r.askPIN("The same PIN again: ")
	if err != nil {
		return "", err
	}
	if pin != again {
		return "", errors.New("the two PINs differ; nothing was changed")
	}
	return pin, nil
}
