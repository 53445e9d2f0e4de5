package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// A tcp or http check runs where the inventory says (inventory.HealthCheck.RunsOn):
//
//   - from the hub: this process dials the host's address ($HOST is its ssh destination), so the
//     check also proves the service is reachable over the network, firewall included;
//   - on the target: the probe runs on the host over the deploy's ssh connection, so 127.0.0.1
//     is the host's own loopback, as a service bound to localhost needs.
//
// The probe on the target is bash's /dev/tcp under coreutils' timeout. Both are on every
// NixOS host: bash is NixOS's /bin/sh (shells-environment.nix: system.build.binsh =
// pkgs.bashInteractive) and in environment.corePackages, nixpkgs builds it without
// --disable-net-redirections, and coreutils-full is in corePackages. curl is in corePackages
// too, but that list may be emptied; the probe does not need it. The address travels as
// positional arguments ($1...), never inside the script, so no quoting of it reaches the
// remote shell.

// tcpProbe connects to $1 port $2 and closes: exit 0 means the port accepted a connection.
const tcpProbe = `exec 3<>"/dev/tcp/$1/$2"`

// httpProbe sends one GET for $3 with Host $4 to $1 port $2 and prints the status line (bash
// goes on after a failed exec redirection, hence the exit). No TLS
// (the inventory refuses https from the target) and no redirects: the status is the URL's own,
// as on the hub, which does not follow redirects either.
const httpProbe = `exec 3<>"/dev/tcp/$1/$2" || exit 3; ` +
	`printf "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hub-health\r\nAccept: */*\r\nConnection: close\r\n\r\n" "$3" "$4" >&3; ` +
	`IFS= read -r line <&3 || [ -n "$line" ] || { echo "$1:$2 closed the connection without an HTTP response" >&2; exit 4; }; ` +
	`printf "%s\n" "$line"`

// probeCommand is the command a tcp or http check runs on the target. The remote timeout is
// the attempt's own, so a port that never answers ends on the host too, not only in the hub.
func probeCommand(c inventory.HealthCheck) ([]string, error) {
	timeout := strconv.FormatFloat(checkTimeout(c).Seconds(), 'f', -1, 64)
	if c.Kind() == "tcp" {
		host, port, err := net.SplitHostPort(c.TCP)
		if err != nil {
			return nil, fmt.Errorf("tcp check %q: %w", c.TCP, err)
		}
		return []string{"timeout", timeout, "bash", "-c", tcpProbe, "hub-health", host, port}, nil
	}
	u, err := url.Parse(c.HTTP)
	if err != nil {
		return nil, fmt.Errorf("http check %q: %w", c.HTTP, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("http check %q: only http:// can be checked on the target (bash's /dev/tcp speaks no TLS)", c.HTTP)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return []string{"timeout", timeout, "bash", "-c", httpProbe, "hub-health", u.Hostname(), port, u.RequestURI(), u.Host}, nil
}

// targetProbe runs a tcp or http check on the host over ssh.
func targetProbe(ctx context.Context, c inventory.HealthCheck, remote *command.Host) error {
	return probeWith(ctx, c, remote.Run)
}

// probeWith runs the probe with run (the host's Run; tests hand it a local shell) and judges
// what came back.
func probeWith(ctx context.Context, c inventory.HealthCheck, run func(context.Context, command.Cmd) (command.Result, error)) error {
	args, err := probeCommand(c)
	if err != nil {
		return &permanent{err.Error()}
	}
	res, err := run(ctx, command.Cmd{Args: args})
	if res.DryRun {
		return nil // printed, not run: nothing to judge
	}
	if err != nil {
		return probeError(err, c)
	}
	if c.Kind() == "tcp" {
		return nil
	}
	line, _, _ := strings.Cut(string(bytes.TrimSpace(res.Stdout)), "\n")
	return wantStatus(c, statusCode(strings.TrimSpace(line)))
}

// probeError says what went wrong on the target in the host's words (bash's "connect:
// Connection refused"), without the probe script, which the dry run and the logs show.
func probeError(err error, c inventory.HealthCheck) error {
	var xe *command.ExitError
	if !errors.As(err, &xe) || xe.Unreachable() {
		return err // ssh itself failed: retried like any other attempt
	}
	msg := strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(xe.Stderr), "\n", " | ")), " ")
	switch {
	case xe.TimedOut || xe.ExitCode == 124:
		return fmt.Errorf("no answer within %s on the target", checkTimeout(c))
	case xe.ExitCode == 126 || xe.ExitCode == 127:
		return &permanent{fmt.Sprintf("the target cannot run the probe (bash and coreutils' timeout on its PATH): exit %d: %s", xe.ExitCode, msg)}
	case msg == "":
		return fmt.Errorf("on the target: exit status %d", xe.ExitCode)
	}
	return fmt.Errorf("on the target: %s", msg)
}

// hubProbe runs a tcp or http check from this machine against the host's address.
func hubProbe(ctx context.Context, c inventory.HealthCheck, h *inventory.Host) error {
	addr := CheckTarget(c, h)
	if c.Kind() == "tcp" {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return &permanent{fmt.Sprintf("bad URL %q: %v", addr, err)}
	}
	// The status of the URL itself, as the probe on the target reports it: a redirect to a
	// login page is not the service being healthy.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return wantStatus(c, resp.StatusCode)
}

// statusCode parses an HTTP status line ("HTTP/1.1 200 OK"); 0 when it is not one.
func statusCode(line string) int {
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

func wantStatus(c inventory.HealthCheck, got int) error {
	want := c.Status
	if want == 0 {
		want = http.StatusOK
	}
	switch {
	case got == 0:
		return errors.New("the answer is not an HTTP status line")
	case got != want:
		return fmt.Errorf("HTTP status %d, want %d", got, want)
	}
	return nil
}
