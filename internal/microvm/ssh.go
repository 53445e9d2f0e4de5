package microvm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// KnownHostsLine is the guest's known_hosts entry: its sshd is reached at the host's address on
// the forwarded port.
func KnownHostsLine(g Guest, key string) string {
	return fmt.Sprintf("[%s]:%d %s", g.Host.SSH.Destination, g.VM.SSHPort, key)
}

// RecordHostKey puts the guest's key into the known_hosts file, replacing an older line for the
// same address and port, atomically (internal/durablefile) so a concurrent reader sees one or the
// other.
func RecordHostKey(file string, g Guest, key string) error {
	prefix := KnownHostsLine(g, "")
	var keep []string
	if data, err := os.ReadFile(file); err == nil {
		for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			if l != "" && !strings.HasPrefix(l, prefix) {
				keep = append(keep, l)
			}
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("%s: known hosts: %w", g.ID(), err)
	}
	keep = append(keep, KnownHostsLine(g, key))
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("%s: known hosts: %w", g.ID(), err)
	}
	if err := durablefile.Write(file, []byte(strings.Join(keep, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("%s: known hosts: %w", g.ID(), err)
	}
	return nil
}

// SSHArgs is the ssh command line (without a remote command) that logs in to the guest as its
// user: the host's own ssh options (identity, jump hosts) with the guests' known_hosts file.
// strict is for a file the hub filled from the guest's start (the local fleet); otherwise the
// first connection records the key (accept-new) and later ones hold the guest to it.
func SSHArgs(g Guest, knownHosts string, strict bool) []string {
	args := []string{"ssh", "-p", strconv.Itoa(g.VM.SSHPort)}
	for _, o := range g.Host.SSH.Options {
		k, _, _ := strings.Cut(o, "=")
		if slices.Contains([]string{"userknownhostsfile", "stricthostkeychecking", "hostkeyalias", "port", "user"}, strings.ToLower(k)) {
			continue
		}
		args = append(args, "-o", o)
	}
	check := "accept-new"
	if strict {
		check = "yes"
	}
	return append(args, "-o", "UserKnownHostsFile="+knownHosts, "-o", "StrictHostKeyChecking="+check,
		"-o", "ConnectTimeout=10", g.VM.User+"@"+g.Host.SSH.Destination)
}
