package inventory

import (
	"strings"
	"testing"
)

// Where each check runs, and the checks that would probe the wrong machine. goodHost's ssh
// destination is "a" (its name): a remote host, so a loopback address seen from the hub is the
// hub itself.
func TestHealthFrom(t *testing.T) {
	const fix = `add from = "target" to probe it on a over ssh, or use $HOST (a's ssh destination) to check it from the hub`
	tests := []struct {
		name   string
		health string // [[health]] tables appended to goodHost (which ends on line 6)
		ssh    string // an [ssh] table, before the health tables
		want   string // the error, "" when the file is valid
		from   []string
	}{
		{name: "loopback tcp without from", health: "[[health]]\ntcp = \"127.0.0.1:32400\"\n",
			want: `DIR/a/host.toml:8: health[0].tcp: "127.0.0.1:32400" is checked from the hub (tcp and http checks run from the hub unless from = "target"), where 127.0.0.1 is the hub itself, not a: ` + fix},
		{name: "localhost http explicitly from the hub", health: "[[health]]\nunit = \"sshd.service\"\n[[health]]\nfrom = \"hub\"\nhttp = \"http://localhost:9090/-/ready\"\n",
			want: `DIR/a/host.toml:11: health[1].http: "http://localhost:9090/-/ready" is checked from the hub (from = "hub"), where localhost is the hub itself, not a: ` + fix},
		{name: "ipv6 loopback", health: "[[health]]\ntcp = \"[::1]:22\"\n",
			want: `DIR/a/host.toml:8: health[0].tcp: "[::1]:22" is checked from the hub (tcp and http checks run from the hub unless from = "target"), where ::1 is the hub itself, not a: ` + fix},
		{name: "unspecified address", health: "[[health]]\nhttp = \"http://0.0.0.0:8096/health\"\n",
			want: `DIR/a/host.toml:8: health[0].http: "http://0.0.0.0:8096/health" is checked from the hub (tcp and http checks run from the hub unless from = "target"), where 0.0.0.0 is the hub itself, not a: ` + fix},
		{name: "a .localhost name", health: "[[health]]\ntcp = \"grafana.localhost:3001\"\n",
			want: `DIR/a/host.toml:8: health[0].tcp: "grafana.localhost:3001" is checked from the hub (tcp and http checks run from the hub unless from = "target"), where grafana.localhost is the hub itself, not a: ` + fix},
		{name: "$HOST on the target", health: "[[health]]\ntcp = \"$HOST:22\"\nfrom = \"target\"\n",
			want: `DIR/a/host.toml:8: health[0].tcp: "$HOST:22" runs on a itself (from = "target"), where $HOST (the hub's ssh destination, possibly an ssh_config alias only the hub knows) means nothing: use localhost or 127.0.0.1`},
		{name: "https on the target", health: "[[health]]\nhttp = \"https://127.0.0.1:8443/\"\nfrom = \"target\"\n",
			want: `DIR/a/host.toml:8: health[0].http: "https://127.0.0.1:8443/" cannot be checked from the target: the probe on the host is bash's /dev/tcp, which speaks plain HTTP only; check the service's plain http port, or from = "hub" with $HOST`},
		{name: "unknown from", health: "[[health]]\ntcp = \"127.0.0.1:22\"\nfrom = \"remote\"\n",
			want: `DIR/a/host.toml:9: health[0].from: "remote" is not one of target, hub`},
		{name: "a unit from the hub", health: "[[health]]\nunit = \"sshd.service\"\nfrom = \"hub\"\n",
			want: `DIR/a/host.toml:9: health[0].from: a unit check always runs on the target (over ssh); from = "hub" applies to tcp and http checks`},
		{name: "tcp without a port", health: "[[health]]\ntcp = \"127.0.0.1\"\nfrom = \"target\"\n",
			want: `DIR/a/host.toml:8: health[0].tcp: "127.0.0.1" is not host:port`},

		{name: "loopback on the target", health: "[[health]]\ntcp = \"127.0.0.1:32400\"\nfrom = \"target\"\n[[health]]\nhttp = \"http://localhost:8096/health\"\nfrom = \"target\"\n",
			from: []string{FromTarget, FromTarget}},
		{name: "the host's address from the hub", health: "[[health]]\ntcp = \"$HOST:22\"\n[[health]]\nhttp = \"http://$HOST:9090/-/ready\"\nfrom = \"hub\"\n[[health]]\nhttp = \"https://grafana.example.net/api/health\"\n",
			from: []string{FromHub, FromHub, FromHub}},
		{name: "units and commands run on the target", health: "[[health]]\nunit = \"sshd.service\"\n[[health]]\ncommand = \"true\"\nfrom = \"target\"\n",
			from: []string{FromTarget, FromTarget}},
		// The hub reaches this host through its own loopback (the local fleet, or a tunnel
		// whose ssh destination is 127.0.0.x): a loopback address from the hub is the host.
		{name: "loopback from the hub to a loopback host", ssh: "[ssh]\ndestination = \"127.0.3.2\"\n", health: "[[health]]\ntcp = \"127.0.3.2:22\"\n",
			from: []string{FromHub}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFleet(t, map[string]string{"a/host.toml": goodHost + tt.ssh + tt.health})
			f, err := Load(dir)
			if tt.want != "" {
				if err == nil {
					t.Fatalf("Load succeeded, want %s", tt.want)
				}
				if got := strings.ReplaceAll(err.Error(), dir, "DIR"); got != tt.want {
					t.Fatalf("error:\n%s\nwant:\n%s", got, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h, _ := f.Host("a")
			var from []string
			for _, c := range h.Health {
				from = append(from, c.From)
				if c.From != c.RunsOn() {
					t.Errorf("%s %s: From %q, RunsOn %q", c.Kind(), c.Target(), c.From, c.RunsOn())
				}
			}
			if strings.Join(from, ",") != strings.Join(tt.from, ",") {
				t.Errorf("from = %v, want %v", from, tt.from)
			}
		})
	}
}

// The repository's hosts: every check whose address names the loopback runs on the host it
// is about (p510's Plex and Jellyfin, dex5550's monitoring stack, p620's Ollama), not on the
// machine that runs the hub.
func TestRepositoryHealthChecksRunOnTheirHost(t *testing.T) {
	f, err := Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	onTarget := 0
	for _, h := range f.Hosts {
		for i, c := range h.Health {
			host, ok := checkHost(c)
			if ok && loopback(host) {
				if c.RunsOn() != FromTarget {
					t.Errorf("%s: health[%d] %s %s runs %s", h.File, i, c.Kind(), c.Target(), c.RunsOn())
				}
				onTarget++
			}
		}
	}
	// p510: 3, dex5550: 4, p620: 1.
	if onTarget != 8 {
		t.Errorf("%d loopback tcp/http checks in hosts/, want the 8 of p510, dex5550 and p620", onTarget)
	}
}
