package features

import (
	"reflect"
	"testing"

	"github.com/nixos-hub/hub/internal/inventory"
)

// A [[microvm]] guest is resolved as modules/lib/microvm-guests.nix builds it: a server with
// hardware profile microvm-guest and its table's features, named HOST/GUEST.
func TestGuests(t *testing.T) {
	fleet := &inventory.Fleet{Hosts: []*inventory.Host{
		{Name: "p620", MicroVMs: []inventory.MicroVM{{Name: "dev", Features: []string{"tmux"}}}},
		{Name: "hp"},
	}}
	got := Guests(fleet)
	want := []Host{{Name: "p620/dev", Class: "server", Hardware: GuestHardware, Features: []string{"tmux"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Guests = %+v, want %+v", got, want)
	}
}
