package localfleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Reinstall wipes the host and installs it afresh, as replacing its disk and running the
// installer would: every process ends, its store, /root, /run and everything else of the host
// are deleted, it gets a new host key (a fresh installation generates its own), and it boots its
// current variant's system as generation 1 of an empty profile. known_hosts gets the new key, as
// an operator who checked its fingerprint at the console would add it. What a recovery must
// bring back (data, secrets encrypted to the old key) is gone with it; a backup disk bound from
// outside the host's directory survives, as a separate disk does.
func (f *Fleet) Reinstall(ctx context.Context, name string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	unlock, err := lockMachine()
	if err != nil {
		return err
	}
	defer unlock()
	if err := kill(h); err != nil {
		return fmt.Errorf("host %s: reinstall: %w", name, err)
	}
	if m, err := mountsUnder(h.Dir); err != nil || len(m) > 0 {
		return fmt.Errorf("host %s: reinstall: mounts left under %s: %v %v", name, h.Dir, m, err)
	}
	if err := os.RemoveAll(h.Dir); err != nil {
		return fmt.Errorf("host %s: reinstall: wipe: %w", name, err)
	}
	dirs := []string{h.nixDir()}
	if !h.Systemd {
		dirs = append(dirs, h.runDir(), filepath.Join(h.Dir, "root"))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("host %s: reinstall: %w", name, err)
		}
	}
	if err := keygen(ctx, filepath.Join(h.Dir, "ssh_host_ed25519_key"), "root@"+name); err != nil {
		return fmt.Errorf("host %s: reinstall: host key: %w", name, err)
	}
	f.mu.Lock()
	err = f.writeKnownHosts(f.st.Hosts)
	f.mu.Unlock()
	if err != nil {
		return fmt.Errorf("host %s: reinstall: %w", name, err)
	}
	systems, err := f.Build(ctx, name)
	if err != nil {
		return fmt.Errorf("host %s: reinstall: %w", name, err)
	}
	if err := copyToHostStore(ctx, h.Dir, systems[name]); err != nil {
		return fmt.Errorf("host %s: reinstall: install: %w", name, err)
	}
	booted, berr := boot(ctx, h, systems[name], f.record)
	if err := f.record(booted); err != nil {
		return errors.Join(berr, err)
	}
	if berr != nil {
		return fmt.Errorf("host %s: reinstall: %w", name, berr)
	}
	return nil
}
