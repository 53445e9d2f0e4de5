package netdoctor

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

func readTestdata(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestResolvConfOwner(t *testing.T) {
	for _, tt := range []struct {
		name, file, link, real string
		nm, missing            bool
		want                   string
	}{
		{name: "resolved's stub through /etc/static", file: "stub-resolv.conf", link: "/etc/static/resolv.conf", real: "/run/systemd/resolve/stub-resolv.conf", want: OwnerResolved},
		{name: "resolved's stub copied into a plain file", file: "stub-resolv.conf", want: OwnerResolved},
		{name: "resolved's upstream file linked", file: "resolved-resolv.conf", link: "/run/systemd/resolve/resolv.conf", real: "/run/systemd/resolve/resolv.conf", want: OwnerResolved},
		{name: "tailscale's direct mode", file: "tailscale.conf", want: observedTailscale},
		{name: "NetworkManager's own file", file: "networkmanager.conf", want: ownerNetworkManager},
		{name: "openresolv fed by NetworkManager", file: "openresolv.conf", nm: true, want: ownerNetworkManager},
		{name: "openresolv alone", file: "openresolv.conf", want: observedResolvconf},
		{name: "static-dns's store file", link: "/etc/static/resolv.conf", real: "/nix/store/0a1b2c3d-etc-resolv.conf", want: ownerStatic},
		{name: "hand-written", want: observedUnknown},
		{name: "dangling link", link: "/run/systemd/resolve/stub-resolv.conf", real: "/run/systemd/resolve/stub-resolv.conf", missing: true, want: observedMissing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			content := "nameserver 192.168.1.1\n"
			if tt.file != "" {
				content = readTestdata(t, filepath.Join("resolv", tt.file))
			}
			rc := ResolvConf{Link: tt.link, Real: tt.real, Missing: tt.missing, NetworkManagerRunning: tt.nm}
			rc.Header, rc.Nameservers, rc.Search = parseResolvConf(content)
			if got := rc.owner(); got != tt.want {
				t.Errorf("Owner = %s, want %s (header %q)", got, tt.want, rc.Header)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	header, ns, search := parseResolvConf(readTestdata(t, "resolv/stub-resolv.conf"))
	if len(header) != 19 || !slices.Equal(ns, []string{"127.0.0.53"}) || !slices.Equal(search, []string{"tail4f3a9c.ts.net"}) {
		t.Errorf("stub-resolv.conf: %d header lines, nameservers %v, search %v", len(header), ns, search)
	}
}

func TestParseDig(t *testing.T) {
	for _, tt := range []struct {
		file string
		exit int
		want Query
	}{
		{"noerror.txt", 0, Query{Server: "s", Name: "n", Status: "NOERROR", Answers: []string{"127.0.200.250"}}},
		{"nxdomain.txt", 0, Query{Server: "s", Name: "n", Status: "NXDOMAIN"}},
		{"refused.txt", 9, Query{Server: "s", Name: "n", Status: "no reply", Detail: "no servers could be reached"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got := parseDig("s", "n", strings.Split(readTestdata(t, "dig/"+tt.file), "\n"), tt.exit)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseDig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseTailscale(t *testing.T) {
	for _, tt := range []struct {
		file string
		want Tailscale
	}{
		{"running-p620.json", Tailscale{Installed: true, Version: "1.102.1-t8b3f24c1e-g2a5d9e6c1", BackendState: "Running",
			Tailnet: "example.github", MagicDNS: "tail4f3a9c.ts.net", MagicDNSOn: true, PeersOnline: 4, Peers: 5,
			Offline: []Peer{{Name: "samsung", LastSeen: time.Date(2026, 11, 30, 22, 14, 9, 0, time.UTC)}},
			Health:  []string{"Some peers are advertising routes but --accept-routes is false"}}},
		{"exitnode-offline-razer.json", Tailscale{Installed: true, Version: "1.102.1-t8b3f24c1e-g2a5d9e6c1", BackendState: "Running",
			Tailnet: "example.github", MagicDNS: "tail4f3a9c.ts.net", MagicDNSOn: true, PeersOnline: 3, Peers: 5,
			Offline:  []Peer{{Name: "p510", LastSeen: time.Date(2026, 12, 1, 10, 2, 51, 0, time.UTC)}, {Name: "samsung", LastSeen: time.Date(2026, 11, 30, 22, 14, 9, 0, time.UTC)}},
			ExitNode: "p510", Health: []string{}}},
		{"needslogin.json", Tailscale{Installed: true, Version: "1.102.1-t8b3f24c1e-g2a5d9e6c1", BackendState: "NeedsLogin",
			Health: []string{"You are logged out."}}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseTailscale([]byte(readTestdata(t, "tailscale/"+tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			got.peerNames = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseTailscale =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
}

// dnsCase is one combination of what modules/networking/dns.nix reads.
type dnsCase struct {
	name       string
	enabled    []string // features on
	acceptDns  bool
	nmDns      string   // networking.networkmanager.dns as a default.nix might force it
	resolvedOn bool     // services.resolved.enable
	nameserver bool     // hub.features.static-dns.nameservers set
	want       string   // owner
	failing    []string // a phrase of each failing assertion, in order
}

var dnsCases = []dnsCase{
	{name: "resolved alone", enabled: []string{"dns", "resolved"}, resolvedOn: true, want: OwnerResolved},
	{name: "resolved with NetworkManager and MagicDNS", enabled: []string{"dns", "resolved", "networkmanager", "tailscale"}, acceptDns: true,
		nmDns: "systemd-resolved", resolvedOn: true, want: OwnerResolved},
	{name: "NetworkManager dns=default forced next to resolved", enabled: []string{"dns", "resolved", "networkmanager"}, nmDns: "default", resolvedOn: true,
		want: OwnerResolved, failing: []string{`NetworkManager dns = "default" next to owner systemd-resolved`}},
	{name: "static with tailscale --accept-dns", enabled: []string{"dns", "static-dns", "tailscale"}, acceptDns: true, nameserver: true,
		want: ownerStatic, failing: []string{"drop feature static-dns (MagicDNS then goes through systemd-resolved), or set hub.features.tailscale.acceptDns = false"}},
	{name: "static with tailscale, accept-dns off", enabled: []string{"dns", "static-dns", "tailscale"}, nameserver: true, want: ownerStatic},
	{name: "static without servers", enabled: []string{"dns", "static-dns"}, want: ownerStatic,
		failing: []string{"feature static-dns has no resolver"}},
	{name: "two owners", enabled: []string{"dns", "resolved", "static-dns"}, resolvedOn: true, nameserver: true, want: ownerNone,
		failing: []string{"features resolved and static-dns would all write /etc/resolv.conf"}},
	{name: "no owner", enabled: []string{"dns"}, want: ownerNone, failing: []string{"nothing owns /etc/resolv.conf"}},
	{name: "NetworkManager owns it", enabled: []string{"dns", "networkmanager", "networkmanager-dns"}, nmDns: "default", want: ownerNetworkManager},
	{name: "NetworkManager owns it, tailscale --accept-dns", enabled: []string{"dns", "networkmanager", "networkmanager-dns", "tailscale"}, acceptDns: true,
		nmDns: "default", want: ownerNetworkManager, failing: []string{"drop feature networkmanager-dns (MagicDNS then goes through systemd-resolved)"}},
	{name: "resolved forced on next to NetworkManager's ownership", enabled: []string{"dns", "networkmanager", "networkmanager-dns"}, nmDns: "default",
		resolvedOn: true, want: ownerNetworkManager, failing: []string{"systemd-resolved is enabled although networkmanager owns /etc/resolv.conf"}},
}

// dnsNixExpr evaluates modules/networking/dns.nix and static-dns.nix with nix/options-lib.nix
// (the offline option check's lib: mkIf and friends are inert markers) and a config holding
// the values a case sets; it returns the owner dns.nix decided and the messages of its failing
// assertions.
const dnsNixExpr = `{ root, caseJSON }:
let
  c = builtins.fromJSON caseJSON;
  lib = import (root + "/nix/options-lib.nix");
  on = n: builtins.elem n c.enabled;
  config = {
    hub.features = builtins.listToAttrs (map (n: { name = n; value = { enable = on n; }; })
      [ "dns" "resolved" "networkmanager" "networkmanager-dns" "static-dns" "tailscale" ]) // {
      tailscale = { enable = on "tailscale"; acceptDns = c.acceptDns; };
      static-dns = { enable = on "static-dns"; nameservers = if c.nameserver then [ "192.168.1.1" ] else [ ]; search = [ ]; };
      dns = { enable = true; doctorTools = true; };
    };
    networking = { hostName = "h"; networkmanager = { enable = on "networkmanager"; dns = c.nmDns; }; };
    services = {
      resolved.enable = c.resolvedOn;
      dnsmasq = { enable = false; resolveLocalQueries = false; };
      unbound = { enable = false; resolveLocalQueries = false; };
    };
  };
  args = { inherit config lib; pkgs = throw "no pkgs offline"; };
  dns = import (root + "/modules/networking/dns.nix") args;
  static = import (root + "/modules/networking/static-dns.nix") args;
  failing = m: if m.config.condition then map (a: a.message) (builtins.filter (a: !a.assertion) m.config.content.assertions) else [ ];
in
{ owner = dns.options.hub.features.dns.owner.default; failing = failing dns ++ failing static; }`

func TestDeclaredOwnerMatchesNix(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed: cannot evaluate modules/networking/dns.nix")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	for _, tt := range dnsCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := declaredOwner(tt.enabled).Owner; got != tt.want {
				t.Errorf("DeclaredOwner(%v) = %s, want %s", tt.enabled, got, tt.want)
			}
			cj, _ := json.Marshal(map[string]any{"enabled": tt.enabled, "acceptDns": tt.acceptDns, "nmDns": cmp(tt.nmDns, "default"),
				"resolvedOn": tt.resolvedOn, "nameserver": tt.nameserver})
			args := append(nix.EvalArgs(), "--eval", "--strict", "--json", "--argstr", "root", root, "--argstr", "caseJSON", string(cj), "--expr", dnsNixExpr)
			res, err := e.Local().Run(context.Background(), command.Cmd{Args: append([]string{"nix-instantiate"}, args...)})
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Owner   string   `json:"owner"`
				Failing []string `json:"failing"`
			}
			if err := json.Unmarshal(bytes.TrimSpace(res.Stdout), &got); err != nil {
				t.Fatalf("%v: %s", err, res.Stdout)
			}
			if got.Owner != tt.want {
				t.Errorf("dns.nix owner = %s, want %s (Go's DeclaredOwner must agree)", got.Owner, tt.want)
			}
			if len(got.Failing) != len(tt.failing) {
				t.Fatalf("failing assertions:\n  %s\nwant %d containing %q", strings.Join(got.Failing, "\n  "), len(tt.failing), tt.failing)
			}
			for i, phrase := range tt.failing {
				if !strings.Contains(got.Failing[i], phrase) {
					t.Errorf("assertion %d = %q, want it to contain %q", i, got.Failing[i], phrase)
				}
			}
		})
	}
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
