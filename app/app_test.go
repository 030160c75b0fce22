package app

import (
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

func TestAutoSignIn(t *testing.T) {
	owner := data.User{ID: "o", Name: "Alex", Role: data.RoleOwner, Active: true}
	lockedOwner := data.User{ID: "o2", Name: "Sam", Role: data.RoleOwner, HasPIN: true, Active: true}
	packer := data.User{ID: "p", Name: "Jamie", Role: data.RolePacker, HasPIN: true, Active: true}
	tests := []struct {
		name   string
		users  []data.User
		last   string
		wantOK bool
		wantID string
	}{
		{"OwnerAloneFirstRun", []data.User{owner}, "", true, "o"},
		{"OwnerWithPackerFirstRun", []data.User{owner, packer}, "", true, "o"},
		{"LastUserHasPIN", []data.User{owner, packer}, "p", false, ""},
		{"LastUserNoPIN", []data.User{owner, packer}, "o", true, "o"},
		{"OwnerHasPIN", []data.User{lockedOwner, packer}, "", false, ""},
		{"TwoOwnersWithoutPIN", []data.User{owner, {ID: "o3", Role: data.RoleOwner, Active: true}}, "", false, ""},
		{"LastUserSwitchedOff", []data.User{owner, {ID: "x", Role: data.RoleOwner}}, "x", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, ok := autoSignIn(tt.users, tt.last)
			if ok != tt.wantOK || u.ID != tt.wantID {
				t.Errorf("autoSignIn = %q, %v; want %q, %v", u.ID, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

func TestSections_ByRole(t *testing.T) {
	visible := func(r data.Role) []string {
		var names []string
		for _, sec := range sections() {
			if sec.visible(r) {
				names = append(names, sec.name)
			}
		}
		return names
	}
	tests := []struct {
		role data.Role
		want string
	}{
		{data.RoleOwner, "Dashboard Orders Inventory Fulfillment Stock count Channel stock Suppliers Imports Mail Outbox Tickets Exports Settings"},
		{data.RolePacker, "Dashboard Orders Inventory Fulfillment Stock count Settings"},
		{data.RoleAccountant, "Dashboard Orders Inventory Suppliers Exports Settings"},
	}
	for _, tt := range tests {
		if got := strings.Join(visible(tt.role), " "); got != tt.want {
			t.Errorf("%s sees %q, want %q", tt.role, got, tt.want)
		}
	}
}
