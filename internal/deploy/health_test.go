package deploy

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

func TestProbeCommand(t *testing.T) {
	tests := []struct {
		name  string
		check inventory.HealthCheck
		want  []string // the arguments after the script
		err   string
	}{
		{"tcp", inventory.HealthCheck{TCP: "127.0.0.1:32400"}, []string{"127.0.0.1", "32400"}, ""},
		{"tcp ipv6", inventory.HealthCheck{TCP: "[::1]:22", Timeout: 2500 * time.Millisecond}, []string{"::1", "22"}, ""},
		{"http default port", inventory.HealthCheck{HTTP: "http://localhost/status"}, []string{"localhost", "80", "/status", "localhost"}, ""},
		{"http port, query", inventory.HealthCheck{HTTP: "http://127.0.0.1:8096/health?x=1&y=2"}, []string{"127.0.0.1", "8096", "/health?x=1&y=2", "127.0.0.1:8096"}, ""},
		{"http no path", inventory.HealthCheck{HTTP: "http://[::1]:9090"}, []string{"::1", "9090", "/", "[::1]:9090"}, ""},
		{"https", inventory.HealthCheck{HTTP: "https://127.0.0.1/"}, nil, `only http:// can be checked on the target`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := probeCommand(tt.check)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			timeout := strconv.FormatFloat(checkTimeout(tt.check).Seconds(), 'f', -1, 64)
			if len(args) < 6 || strings.Join(args[:3], " ") != "timeout "+timeout+" bash" || args[3] != "-c" || args[5] != "hub-health" {
				t.Fatalf("args %q: want timeout %s bash -c SCRIPT hub-health ...", args, timeout)
			}
			if got := strings.Join(args[6:], " "); got != strings.Join(tt.want, " ") {
				t.Errorf("arguments %q, want %q", got, strings.Join(tt.want, " "))
			}
		})
	}
}

// The exact command line a deploy of the real p510 sends for its target-side checks, as
// HUB_DRY_RUN=1 prints it: the Plex port and the Jellyfin and Tautulli URLs are probed on
// p510 itself (its 127.0.0.1), over the deploy's shared ssh connection.
func TestTargetCheckDryRun(t *testing.T) {
	inv, err := inventory.Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := inv.Host("p510")
	var out bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &out, ControlDir: "/run/hub-ctl"}
	remote := e.SSH(h.Name, h.SSH)
	const ssh = `[dry-run] p510: ssh -o BatchMode=yes -o ControlMaster=auto -o ControlPath=/run/hub-ctl/%C -o ControlPersist=120s -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o ConnectTimeout=20 -p 22 root@p510 -- 'echo hub-remote-pid=$$ >&2; exec `
	const http = `timeout 10 bash -c '\''exec 3<>"/dev/tcp/$1/$2" || exit 3; printf "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hub-health\r\nAccept: */*\r\nConnection: close\r\n\r\n" "$3" "$4" >&3; IFS= read -r line <&3 || [ -n "$line" ] || { echo "$1:$2 closed the connection without an HTTP response" >&2; exit 4; }; printf "%s\n" "$line"'\'' hub-health `
	want := []string{
		ssh + `timeout 10 bash -c '\''exec 3<>"/dev/tcp/$1/$2"'\'' hub-health 127.0.0.1 32400'`,
		ssh + http + `127.0.0.1 8096 /health 127.0.0.1:8096'`,
		ssh + http + `127.0.0.1 8181 /status 127.0.0.1:8181'`,
	}
	var names []string
	for _, c := range h.Health {
		if c.Kind() != "tcp" && c.Kind() != "http" {
			continue
		}
		names = append(names, checkName(c, h))
		if err := runCheck(t.Context(), c, h, remote, State{Systemd: true}); err != nil {
			t.Errorf("%s: %v", checkName(c, h), err)
		}
	}
	if got := strings.Join(names, ", "); got != "tcp 127.0.0.1:32400 on the target, http http://127.0.0.1:8096/health on the target, http http://127.0.0.1:8181/status on the target" {
		t.Errorf("checks %s", got)
	}
	if got := strings.TrimSuffix(out.String(), "\n"); got != strings.Join(want, "\n") {
		t.Errorf("dry run printed:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// The command line the target receives, run by a POSIX shell here (dash on Debian, as ssh runs
// it with the remote user's shell) against listeners on this machine: the quoting survives, a
// closed port fails in bash's words, and the status line comes back to the hub.
func TestTargetProbeThroughAShell(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "" || r.Header.Get("User-Agent") != "hub-health" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		switch r.URL.RequestURI() {
		case "/health?deep=1":
			w.WriteHeader(http.StatusNoContent)
		case "/old":
			http.Redirect(w, r, "/health?deep=1", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	closed := closedPort(t)
	tests := []struct {
		name  string
		check inventory.HealthCheck
		err   string // "" for healthy
	}{
		{"open port", inventory.HealthCheck{TCP: srv.Listener.Addr().String()}, ""},
		{"closed port", inventory.HealthCheck{TCP: closed}, "on the target: hub-health: connect: Connection refused"},
		{"status", inventory.HealthCheck{HTTP: srv.URL + "/health?deep=1", Status: 204}, ""},
		{"wrong status", inventory.HealthCheck{HTTP: srv.URL + "/missing"}, "HTTP status 404, want 200"},
		{"redirect not followed", inventory.HealthCheck{HTTP: srv.URL + "/old"}, "HTTP status 302, want 200"},
		{"http to a closed port", inventory.HealthCheck{HTTP: "http://" + closed + "/"}, "connect: Connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check.From, tt.check.Timeout = inventory.FromTarget, 5*time.Second
			local := (&command.Executor{}).Local()
			// What ssh hands the remote shell: the quoted command line, run by sh -c there.
			viaShell := func(ctx context.Context, c command.Cmd) (command.Result, error) {
				return local.Run(ctx, command.Cmd{Args: []string{"sh", "-c", command.Quote(c.Args)}})
			}
			err := probeWith(t.Context(), tt.check, viaShell)
			if tt.err == "" && err != nil {
				t.Fatalf("healthy check failed: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestHubProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	h := &inventory.Host{Name: "web1", SSH: inventory.SSH{Destination: "127.0.0.1"}}
	tests := []struct {
		name  string
		check inventory.HealthCheck
		err   string
	}{
		{"tcp to $HOST", inventory.HealthCheck{TCP: "$HOST:" + port}, ""},
		{"tcp closed", inventory.HealthCheck{TCP: closedPort(t)}, "connection refused"},
		{"http to $HOST", inventory.HealthCheck{HTTP: "http://$HOST:" + port + "/"}, ""},
		{"redirect is the answer", inventory.HealthCheck{HTTP: srv.URL + "/old", Status: 302}, ""},
		{"redirect is not a 200", inventory.HealthCheck{HTTP: srv.URL + "/old"}, "HTTP status 302, want 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.check.RunsOn() != inventory.FromHub {
				t.Fatalf("%+v does not run from the hub", tt.check)
			}
			err := runCheck(t.Context(), tt.check, h, nil, State{})
			if tt.err == "" && err != nil {
				t.Fatalf("healthy check failed: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestStatusCode(t *testing.T) {
	for line, want := range map[string]int{
		"HTTP/1.1 200 OK": 200, "HTTP/1.0 404 File not found": 404, "HTTP/2 204": 204,
		"SSH-2.0-OpenSSH_9.2": 0, "": 0, "HTTP/1.1 abc": 0,
	} {
		if got := statusCode(line); got != want {
			t.Errorf("statusCode(%q) = %d, want %d", line, got, want)
		}
	}
}
