package rotation

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/secrets"
)

// LocalFleetStage is Deploy's Stage for the local fleet, whose systems are built from its own
// flake rather than the checkout: it points each host's next system at the checkout's .age
// files the host is a recipient of (all of them, as agenix decrypts every declared secret),
// decrypted with its host key in the activation script, agenix's default mode on NixOS.
func LocalFleetStage(lf *localfleet.Fleet, r *secrets.Rules, f *inventory.Fleet) func(context.Context, *inventory.Host) error {
	return func(_ context.Context, h *inventory.Host) error {
		lh, err := lf.Host(h.Name)
		if err != nil {
			return err
		}
		files := map[string]string{}
		for _, e := range r.Entries {
			if slices.ContainsFunc(users(r, e, f), func(u *inventory.Host) bool { return u.Name == h.Name }) {
				files[strings.TrimSuffix(filepath.Base(e.Name), ".age")] = e.Path
			}
		}
		_, err = lf.Stage(h.Name, func(v *localfleet.Variant) {
			v.Agenix = &localfleet.Agenix{Mode: localfleet.AgenixActivation, Identity: filepath.Join(lh.Dir, "ssh_host_ed25519_key"), Secrets: files}
		})
		return err
	}
}
