package secrets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/inventory"
)

// StatusScript runs on a host and reports the agenix unit and what agenix decrypted into
// /run/agenix, one record per line, so one ssh round trip answers both questions.
const StatusScript = `if [ -d /run/systemd/system ]; then echo "unit $(systemctl is-active agenix.service 2>/dev/null || true)"; else echo "unit no-systemd"; fi
if [ -d /run/agenix ]; then find -L /run/agenix -mindepth 1 -maxdepth 2 -type f -printf 'file %m %u %g %P\n' 2>/dev/null; else echo nodir; fi`

// FixScript restarts the agenix unit after clearing a failed state, then reports the new state.
const FixScript = `[ -d /run/systemd/system ] || { echo "no systemd" >&2; exit 3; }
systemctl reset-failed agenix.service 2>/dev/null || true
systemctl restart agenix.service && systemctl is-active agenix.service`

// RemoteFile is one decrypted secret on a host.
type RemoteFile struct {
	Name, Mode, Owner, Group string
}

// RemoteStatus is a host's agenix state.
type RemoteStatus struct {
	// Unit is systemctl is-active's answer, or "no systemd".
	Unit  string
	NoDir bool
	Files []RemoteFile
}

// ParseStatus reads StatusScript's output.
func ParseStatus(out []byte) (*RemoteStatus, error) {
	st := &RemoteStatus{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "unit":
			st.Unit = f[1]
			if f[1] == "no-systemd" {
				st.Unit = "no systemd"
			}
		case len(f) == 1 && f[0] == "unit":
			st.Unit = "unknown"
		case len(f) == 1 && f[0] == "nodir":
			st.NoDir = true
		case len(f) == 5 && f[0] == "file":
			st.Files = append(st.Files, RemoteFile{Name: f[4], Mode: f[1], Owner: f[2], Group: f[3]})
		default:
			return nil, fmt.Errorf("status line %d: unexpected %q", n, sc.Text())
		}
	}
	if st.Unit == "" {
		return nil, fmt.Errorf("status: no unit line in output")
	}
	return st, nil
}

// Render prints the status as a table of files under a unit line.
func (st *RemoteStatus) Render(w io.Writer) error {
	fmt.Fprintf(w, "agenix unit: %s\n", st.Unit)
	if st.NoDir {
		fmt.Fprintln(w, "/run/agenix: absent")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRET\tMODE\tOWNER\tGROUP")
	for _, f := range st.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Mode, f.Owner, f.Group)
	}
	return tw.Flush()
}

// HostKeyDrift compares ssh-keyscan output for host with the keys secrets.nix names after it
// (let-binding or comment). It returns the drift, one line each, and the lines to paste.
func HostKeyDrift(r *Rules, host string, keyscan []byte) (drift []string, err error) {
	var scanned []Recipient
	sc := bufio.NewScanner(bytes.NewReader(keyscan))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s: keyscan: malformed line %q", host, line)
		}
		rc, err := ParseRecipient(f[1] + " " + f[2])
		if err != nil {
			continue // ecdsa and other types cannot be age recipients
		}
		scanned = append(scanned, rc)
	}
	if len(scanned) == 0 {
		return nil, fmt.Errorf("%s: keyscan returned no ssh-ed25519 or ssh-rsa key", host)
	}
	var known []Recipient
	for _, k := range r.Keys() {
		if r.Label(k) == host || k.Comment == host || strings.HasSuffix(k.Comment, "@"+host) {
			known = append(known, k)
		}
	}
	has := func(set []Recipient, k Recipient) bool {
		for _, s := range set {
			if s.Key == k.Key {
				return true
			}
		}
		return false
	}
	if len(known) == 0 {
		for _, s := range scanned {
			drift = append(drift, fmt.Sprintf("%s: not in secrets.nix; add  %s = %q;", host, host, s.Key))
		}
		return drift, nil
	}
	for _, k := range known {
		if !has(scanned, k) {
			drift = append(drift, fmt.Sprintf("%s: secrets.nix has %s, which the host does not present", host, k.ShortID()))
		}
	}
	if len(drift) > 0 {
		for _, s := range scanned {
			if s.Kind == KindEd25519 {
				drift = append(drift, fmt.Sprintf("%s: host presents %s; replace with  %s = %q;  then rekey", host, s.ShortID(), host, s.Key))
			}
		}
	}
	return drift, nil
}

// ScanHostKeys runs ssh-keyscan against the host's ssh destination and port from this machine and
// compares what it presents with the keys secrets.nix names after it (see HostKeyDrift).
func ScanHostKeys(ctx context.Context, local *command.Host, r *Rules, h *inventory.Host) ([]string, error) {
	out, err := keyscan(ctx, local, h)
	if err != nil {
		return nil, err
	}
	return HostKeyDrift(r, h.Name, out)
}
