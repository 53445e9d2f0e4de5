package secrets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// agenixUnit is the unit agenix's NixOS module decrypts in when systemd-sysusers or userborn
// make the users (its modules/age.nix: systemd.services.agenix-install-secrets, a oneshot wanted
// by sysinit.target). Otherwise, NixOS's default, it has no unit at all: its activation snippets
// (agenixNewGeneration, agenixInstall, agenixChown) decrypt during the activation script, at
// boot and at every switch. Either way each run makes a new generation /run/agenix.d/<n> and
// points /run/agenix at it. There is no system unit named agenix.service (only home-manager's
// user unit is).
const agenixUnit = "agenix-install-secrets.service"

// agenixMode prints "unit <state>" for a host whose agenix runs as AgenixUnit, "unit activation"
// for one whose agenix runs in the activation script, "unit no-systemd" without systemd.
const agenixMode = `if [ ! -d /run/systemd/system ]; then echo "unit no-systemd"
elif [ "$(systemctl show -p LoadState --value ` + agenixUnit + ` 2>/dev/null)" = loaded ]; then echo "unit $(systemctl is-active ` + agenixUnit + ` 2>/dev/null || true)"
else echo "unit activation"; fi`

// statusScript runs on a host and reports how agenix runs there, the generation /run/agenix
// points at and what it decrypted, one record per line, so one ssh round trip answers all.
const statusScript = agenixMode + `
if [ -L /run/agenix ]; then echo "link $(readlink /run/agenix)"; fi
if [ -d /run/agenix ]; then find -L /run/agenix -mindepth 1 -maxdepth 2 -type f -printf 'file %m %u %g %P\n' 2>/dev/null; else echo nodir; fi`

// fixScript decrypts the host's secrets again, the way its agenix runs: it clears a failed
// AgenixUnit and restarts it, or, where agenix is part of the activation script, runs the
// running system's activation again (what switch-to-configuration does before it touches any
// unit, and idempotent by NixOS's design). Then it reports as statusScript does.
const fixScript = `[ -d /run/systemd/system ] || { echo "no systemd" >&2; exit 3; }
if [ "$(systemctl show -p LoadState --value ` + agenixUnit + ` 2>/dev/null)" = loaded ]; then
  systemctl reset-failed ` + agenixUnit + ` 2>/dev/null || true
  systemctl restart ` + agenixUnit + ` || { systemctl status --no-pager ` + agenixUnit + ` >&2; exit 1; }
else
  /run/current-system/activate >&2 || { echo "the activation of /run/current-system failed" >&2; exit 1; }
fi
` + statusScript

// remoteFile is one decrypted secret on a host.
type remoteFile struct {
	Name, Mode, Owner, Group string
}

// remoteStatus is a host's agenix state.
type remoteStatus struct {
	// Unit is AgenixUnit's state (systemctl is-active's answer), "activation" when agenix runs
	// in the activation script, or "no systemd".
	Unit string
	// Link is where /run/agenix points (/run/agenix.d/<generation>), empty when it is no link.
	Link  string
	NoDir bool
	Files []remoteFile
}

// parseStatus reads statusScript's output.
func parseStatus(out []byte) (*remoteStatus, error) {
	st := &remoteStatus{}
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
		case len(f) == 2 && f[0] == "link":
			st.Link = f[1]
		case len(f) == 1 && f[0] == "nodir":
			st.NoDir = true
		case len(f) == 5 && f[0] == "file":
			st.Files = append(st.Files, remoteFile{Name: f[4], Mode: f[1], Owner: f[2], Group: f[3]})
		default:
			return nil, fmt.Errorf("status line %d: unexpected %q", n, sc.Text())
		}
	}
	if st.Unit == "" {
		return nil, fmt.Errorf("status: no unit line in output")
	}
	return st, nil
}

// render prints the status as a table of files under a unit line.
func (st *remoteStatus) render(w io.Writer) error {
	if st.Unit == "activation" {
		fmt.Fprintln(w, "agenix: decrypts in the activation script (no unit)")
	} else {
		fmt.Fprintf(w, "agenix unit: %s\n", st.Unit)
	}
	if st.Link != "" {
		fmt.Fprintf(w, "/run/agenix -> %s\n", st.Link)
	}
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

// hostKeyDrift compares ssh-keyscan output for host with the keys secrets.nix names after it
// (let-binding or comment). It returns the drift, one line each, and the lines to paste.
func hostKeyDrift(r *Rules, host string, keyscan []byte) (drift []string, err error) {
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

// scanHostKeys runs ssh-keyscan against the host's ssh destination and port from this machine and
// compares what it presents with the keys secrets.nix names after it (see hostKeyDrift).
func scanHostKeys(ctx context.Context, local *command.Host, r *Rules, h *inventory.Host) ([]string, error) {
	out, err := keyscan(ctx, local, h)
	if err != nil {
		return nil, err
	}
	return hostKeyDrift(r, h.Name, out)
}

// hostStatus runs statusScript on the host over ssh (secrets:status).
func hostStatus(ctx context.Context, e *command.Executor, h *inventory.Host) (*remoteStatus, error) {
	return remote(ctx, e, h, "status", statusScript)
}

// fix runs fixScript on the host over ssh (secrets:fix) and returns the state it leaves.
func fix(ctx context.Context, e *command.Executor, h *inventory.Host) (*remoteStatus, error) {
	return remote(ctx, e, h, "fix", fixScript)
}

func remote(ctx context.Context, e *command.Executor, h *inventory.Host, step, script string) (*remoteStatus, error) {
	res, err := e.SSH(h.Name, h.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", script}})
	if err != nil {
		return nil, fmt.Errorf("host %s: secrets %s: %w", h.Name, step, err)
	}
	st, err := parseStatus(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("host %s: secrets %s: %w", h.Name, step, err)
	}
	return st, nil
}
