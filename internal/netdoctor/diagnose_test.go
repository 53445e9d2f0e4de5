package netdoctor

import (
	"strings"
	"testing"
)

// Diagnose's judgements that the local-fleet test does not stage, each from a healthy p620
// (resolved's stub, MagicDNS suffix searched, tailscale Running) changed in one way.
func TestDiagnose(t *testing.T) {
	healthy := func(t *testing.T) (Input, facts) {
		ts, err := parseTailscale([]byte(readTestdata(t, "tailscale/running-p620.json")))
		if err != nil {
			t.Fatal(err)
		}
		ts.Health, ts.Offline = nil, nil
		rc := ResolvConf{Link: "/etc/static/resolv.conf", Real: "/run/systemd/resolve/stub-resolv.conf"}
		rc.Header, rc.Nameservers, rc.Search = parseResolvConf(readTestdata(t, "resolv/stub-resolv.conf"))
		in := Input{Host: "p620", Declared: Declared{Owner: OwnerResolved, MagicDNS: true, Tailscale: true}, External: "nixos.org",
			Fleet: []FleetHost{{Name: "p620", Address: "127.0.9.1", Tailscale: true}, {Name: "hp", Address: "127.0.9.2", Tailscale: true}}}
		f := facts{ResolvConf: rc, Dig: true, Tailscale: &ts, Route: "eth0",
			System:   map[string][]string{"p620": {"127.0.9.1"}, "hp": {"127.0.9.2"}, "nixos.org": {"127.0.9.250"}},
			Queries:  []Query{{Server: "127.0.0.53", Name: "nixos.org", Status: "NOERROR", Answers: []string{"127.0.9.250"}}},
			RPFilter: map[string]int{"all": 0, "eth0": 2}, MTU: map[string]int{"eth0": 1500, "lo": 65536, "tailscale0": 1280}}
		return in, f
	}
	for _, tt := range []struct {
		name   string
		change func(*Input, *facts)
		want   []string // a phrase of each problem, in order
	}{
		{"healthy", func(*Input, *facts) {}, nil},
		{"MagicDNS suffix not searched", func(_ *Input, f *facts) { f.ResolvConf.Search = []string{"lan"} },
			[]string{"MagicDNS suffix tail4f3a9c.ts.net is not a search domain"}},
		{"MagicDNS off in the tailnet", func(_ *Input, f *facts) { f.Tailscale.MagicDNSOn = false },
			[]string{"MagicDNS is off in tailnet example.github"}},
		{"accept-dns off on the host: no MagicDNS check", func(_ *Input, f *facts) {
			f.ResolvConf.Search = nil
			f.HostDeclared = &Declared{Owner: OwnerResolved, MagicDNS: false}
		}, nil},
		{"running system declares another owner", func(_ *Input, f *facts) { f.HostDeclared = &Declared{Owner: ownerStatic} },
			[]string{"the running system declares owner static, the repository systemd-resolved"}},
		{"fleet name resolves elsewhere", func(_ *Input, f *facts) { f.System["hp"] = []string{"192.168.1.7"} },
			[]string{"fleet host hp resolves to 192.168.1.7, the inventory says 127.0.9.2"}},
		{"a fleet peer is missing from the tailnet", func(in *Input, _ *facts) {
			in.Fleet = append(in.Fleet, FleetHost{Name: "nuc", Tailscale: true})
			// nuc is not asked through getent in these facts: only the tailnet check sees it.
		}, []string{"fleet host nuc is not a peer of this host's tailnet"}},
		{"tailscale0 MTU too small", func(_ *Input, f *facts) { f.MTU["tailscale0"] = 1200 },
			[]string{"tailscale0 MTU 1200 is below 1280"}},
		{"strict rp_filter on tailscale0 only", func(_ *Input, f *facts) { f.RPFilter["tailscale0"] = 1 },
			[]string{"strict reverse-path filtering on tailscale0"}},
		{"no tailscale feature: no tailnet or kernel checks", func(in *Input, f *facts) {
			in.Declared.Tailscale, in.Declared.MagicDNS = false, false
			f.Tailscale, f.MTU["eth0"], f.RPFilter["all"] = nil, 1200, 1
		}, nil},
		{"dig missing", func(_ *Input, f *facts) { f.Dig, f.Queries = false, nil }, []string{"dig is not installed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, f := healthy(t)
			tt.change(&in, &f)
			r := diagnose(in, f)
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n  %s\nwant %d: %q", strings.Join(got, "\n  "), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
