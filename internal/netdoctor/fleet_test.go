package netdoctor_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/netdoctor"
	"github.com/nixos-hub/hub/internal/netdoctor/netdoctortest"
)

func testdata(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(testdata(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// defaultRouteIface is the machine's IPv4 default route interface (the hosts share its
// network namespace, so it is theirs too).
func defaultRouteIface(t *testing.T) string {
	b, err := os.ReadFile("/proc/net/route")
	if err != nil {
		t.Skipf("no /proc/net/route: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 2 && f[1] == "00000000" {
			return f[0]
		}
	}
	t.Skip("no IPv4 default route: nothing to plant an MTU on")
	return ""
}

// Five hosts whose resolv.conf and resolvers differ, each in its own mount namespace, checked
// over real ssh with real dig and getent against a DNS server of the test's on the fleet's
// loopback block. Every problem the doctor reports is compared with a golden file.
func TestDoctorOnLocalFleet(t *testing.T) {
	iface := defaultRouteIface(t)
	names := []string{"dex5550", "hp", "p620", "razer", "samsung"}
	lf := fleettest.Start(t, localfleet.Config{Hosts: names, RepoHosts: testdata(t, "hosts")}, "dig", "getent")
	inv := fleettest.Inventory(t, lf)
	first, _ := inv.Host("p620")
	block := fleettest.LoopbackBlock(t, first)
	good, dead := block+".250", block+".251" // in the fleet's claimed /24; nothing listens on .251
	records := map[string]string{"nixos.org": good}
	for _, n := range names {
		h, _ := inv.Host(n)
		records[n] = h.SSH.Destination
		records[n+".tail4f3a9c.ts.net"] = h.SSH.Destination
	}
	dns := netdoctortest.ServeDNS(t, good, records)
	servers := func(s string) string {
		return strings.NewReplacer("nameserver 127.0.0.53", "nameserver "+good,
			"nameserver 192.168.1.1", "nameserver "+good, "nameserver 100.100.100.100", "nameserver "+dead).Replace(s)
	}
	onlyGood := func(s string) string {
		return strings.NewReplacer("nameserver 192.168.1.1", "nameserver "+good, "nameserver 100.100.100.100", "nameserver "+good).Replace(s)
	}

	ctx := context.Background()
	e := &command.Executor{}
	defer e.Close()
	stage := map[string]netdoctortest.Host{
		// systemd-resolved's stub, MagicDNS's suffix as search domain, two upstreams, one dead.
		"p620": {
			ResolvConfLink:  "/run/systemd/resolve/stub-resolv.conf",
			Run:             map[string]string{"systemd/resolve/stub-resolv.conf": servers(read(t, "resolv/stub-resolv.conf")), "systemd/resolve/resolv.conf": servers(read(t, "resolv/resolved-resolv.conf"))},
			HubDNS:          `{"magicDNS":true,"owner":"systemd-resolved"}`,
			TailscaleStatus: testdata(t, "tailscale/running-p620.json"),
		},
		// Declared resolved, found a hand-written file; tailscale logged out; strict rp_filter
		// and a small MTU on the default route.
		"hp": {
			ResolvConf:      "nameserver " + good + "\n",
			TailscaleStatus: testdata(t, "tailscale/needslogin.json"),
			Plant: map[string]string{
				"/proc/sys/net/ipv4/conf/all/rp_filter": "1\n",
				"/sys/class/net/" + iface + "/mtu":      "1300\n",
			},
		},
		// static-dns with acceptDns off (its dns.json), but tailscale's direct mode rewrote it.
		"dex5550": {
			ResolvConf: onlyGood(read(t, "resolv/tailscale.conf")),
			HubDNS:     `{"magicDNS":false,"owner":"static"}`,
		},
		// NetworkManager through openresolv, as NixOS's dns=default writes it; exit node offline.
		"razer": {
			ResolvConf:      onlyGood(read(t, "resolv/openresolv.conf")),
			Run:             map[string]string{"NetworkManager/resolv.conf": onlyGood(read(t, "resolv/networkmanager.conf"))},
			HubDNS:          `{"magicDNS":false,"owner":"networkmanager"}`,
			TailscaleStatus: testdata(t, "tailscale/exitnode-offline-razer.json"),
		},
		// resolved declared and linked, but not running: the link dangles.
		"samsung": {ResolvConfLink: "/run/systemd/resolve/stub-resolv.conf"},
	}
	for n, s := range stage {
		h, _ := inv.Host(n)
		netdoctortest.Stage(ctx, t, e, h, s)
	}

	reg, err := features.Load(features.RegistryPath("../.."))
	if err != nil {
		t.Fatal(err)
	}
	inputs := netdoctor.Inputs(inv, reg, "nixos.org")
	var reports []netdoctor.Report
	start := time.Now()
	for _, n := range names {
		h, _ := inv.Host(n)
		r, err := netdoctor.Check(ctx, e.SSH(n, h.SSH), inputs[n], 60*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	t.Logf("checked %d hosts in %s", len(names), time.Since(start).Round(time.Millisecond))

	var buf bytes.Buffer
	if err := netdoctor.WriteProblems(&buf, reports); err != nil {
		t.Fatal(err)
	}
	// The fleet's block and the machine's interface differ from run to run.
	got := strings.NewReplacer(block+".", "127.0.B.", iface, "IFACE").Replace(buf.String())
	goldenfile.Check(t, "testdata/golden/fleet-problems.txt", []byte(got))

	for _, r := range reports {
		for _, p := range r.Problems {
			if p.Fix == "" || p.What == "" {
				t.Errorf("%s: problem without what or fix: %+v", r.Host, p)
			}
		}
	}
	// p620's names went through the DNS server (getent via resolv.conf, and dig per server).
	if len(dns.Asked()) == 0 {
		t.Error("the DNS server was never asked: the probe resolved nothing through it")
	}
	for _, r := range reports {
		if r.Host == "p620" && (r.Owner != netdoctor.OwnerResolved || r.Tailscale == nil || r.Tailscale.PeersOnline != 4 || r.Tailscale.Peers != 5) {
			t.Errorf("p620: owner %s, tailscale %+v", r.Owner, r.Tailscale)
		}
	}
}
