package localfleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
)

// writeKeys generates the fleet's client key and one host key per host, the authorized_keys
// every host's sshd reads and the known_hosts the inventory points ssh at. Keys never enter a
// Nix store: the systems refer to them by path.
func (f *Fleet) writeKeys(ctx context.Context) error {
	hosts := f.Hosts()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return keygen(gctx, f.IdentityFile(), "hub@localfleet") })
	for _, h := range hosts {
		g.Go(func() error { return keygen(gctx, filepath.Join(h.Dir, "ssh_host_ed25519_key"), "root@"+h.Name) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("localfleet %s: keys: %w", f.dir, err)
	}
	pub, err := os.ReadFile(f.IdentityFile() + ".pub")
	if err != nil {
		return fmt.Errorf("localfleet %s: keys: %w", f.dir, err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "authorized_keys"), pub, 0o600); err != nil {
		return fmt.Errorf("localfleet %s: keys: %w", f.dir, err)
	}
	return f.writeKnownHosts(hosts)
}

// writeKnownHosts lists every host's current key at its exact address and port.
func (f *Fleet) writeKnownHosts(hosts []Host) error {
	var kh strings.Builder
	for _, h := range hosts {
		b, err := os.ReadFile(filepath.Join(h.Dir, "ssh_host_ed25519_key.pub"))
		if err != nil {
			return fmt.Errorf("host %s: keys: %w", h.Name, err)
		}
		typ, key, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
		key, _, _ = strings.Cut(key, " ")
		fmt.Fprintf(&kh, "%s %s %s\n", knownHostsName(h.Address, h.Port), typ, key)
	}
	if err := os.WriteFile(f.KnownHosts(), []byte(kh.String()), 0o644); err != nil {
		return fmt.Errorf("localfleet %s: keys: %w", f.dir, err)
	}
	return nil
}

// knownHostsName is how ssh looks the host up in known_hosts: bare for port 22, [addr]:port
// otherwise.
func knownHostsName(addr string, port int) string {
	if port == 22 {
		return addr
	}
	return fmt.Sprintf("[%s]:%d", addr, port)
}

func keygen(ctx context.Context, path, comment string) error {
	if _, err := run(ctx, "", nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path); err != nil {
		return err
	}
	return nil
}
