package netdoctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/inventory"
)

// FleetHost is one host of the fleet as the doctor needs it: its name (what must resolve),
// the address it must resolve to when the inventory's ssh destination is an IP address, and
// whether it is a tailnet peer (it enables feature tailscale).
type FleetHost struct {
	Name      string
	Address   string // "" when the destination is a name
	Tailscale bool
}

// Input is what one host's check needs besides the probe.
type Input struct {
	Host     string
	Declared Declared
	Fleet    []FleetHost
	External string // a name outside the fleet that every server must resolve
}

// Problem is one thing wrong, with what to do about it.
type Problem struct {
	Check string `json:"check"` // owner, dns, tailscale, rp_filter, mtu
	What  string `json:"what"`
	Fix   string `json:"fix"`
}

func (p Problem) String() string { return p.What + ": " + p.Fix }

// Summary is what the problem is, without the fix: a summary line's worth.
func (p Problem) Summary() string { return p.What }

// Report is one host's result.
type Report struct {
	Host         string              `json:"host"`
	Declared     Declared            `json:"declared"`
	HostDeclared *Declared           `json:"host_declared,omitempty"`
	Owner        string              `json:"owner"` // observed
	ResolvConf   ResolvConf          `json:"resolv_conf"`
	Upstreams    []string            `json:"resolved_upstreams,omitempty"`
	Servers      []string            `json:"servers"`
	Queries      []Query             `json:"queries"`
	System       map[string][]string `json:"system_resolver"`
	Tailscale    *Tailscale          `json:"tailscale,omitempty"`
	RPFilter     map[string]int      `json:"rp_filter"`
	MTU          map[string]int      `json:"mtu"`
	Route        string              `json:"default_route,omitempty"`
	Problems     []Problem           `json:"problems"`
}

// Check probes the host over h and diagnoses it.
func Check(ctx context.Context, h *command.Host, in Input, timeout time.Duration) (Report, error) {
	names := make([]string, 0, len(in.Fleet)+1)
	for _, fh := range in.Fleet {
		names = append(names, fh.Name)
	}
	names = append(names, in.External)
	f, err := probe(ctx, h, names, timeout)
	if err != nil {
		return Report{Host: in.Host, Declared: in.Declared}, fmt.Errorf("host %s: %w", in.Host, err)
	}
	return diagnose(in, f), nil
}

func parseHostDeclared(s string) (Declared, error) {
	var d struct {
		Owner    string `json:"owner"`
		MagicDNS bool   `json:"magicDNS"`
	}
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Declared{}, fmt.Errorf("/etc/hub/dns.json: %w", err)
	}
	return Declared{Owner: d.Owner, MagicDNS: d.MagicDNS}, nil
}

// tailscaleMTU is tailscale's default TUN MTU and wireGuardOverhead what WireGuard adds over
// IPv6, the worst case (tailscale's net/tstun/mtu.go: safeTUNMTU, wgHeaderLen = 40+8+4+4+8+16).
const (
	tailscaleMTU      = 1280
	wireGuardOverhead = 80
)

// diagnose judges the facts of one host.
func diagnose(in Input, f facts) Report {
	r := Report{Host: in.Host, Declared: in.Declared, HostDeclared: f.HostDeclared, ResolvConf: f.ResolvConf,
		Owner: f.ResolvConf.owner(), Upstreams: f.Upstreams, Queries: f.Queries, System: f.System,
		Tailscale: f.Tailscale, RPFilter: f.RPFilter, MTU: f.MTU, Route: f.Route, Problems: []Problem{}}
	add := func(check, what, fix string, args ...any) {
		r.Problems = append(r.Problems, Problem{Check: check, What: what, Fix: fmt.Sprintf(fix, args...)})
	}
	decl := in.Declared
	magicDNS := decl.MagicDNS
	if f.HostDeclared != nil {
		magicDNS = f.HostDeclared.MagicDNS
		if f.HostDeclared.Owner != decl.Owner {
			add("owner", fmt.Sprintf("the running system declares owner %s, the repository %s", f.HostDeclared.Owner, decl.Owner),
				"deploy the host (go tool mage deploy:hosts %s) so it runs what the repository says", in.Host)
		}
	}
	ownerProblems(in, r.Owner, f.ResolvConf, add)

	r.Servers = serversOf(f)
	dnsProblems(in, f, r.Servers, add)
	tailscaleProblems(in, f, magicDNS, add)
	kernelProblems(in, f, add)
	return r
}

func ownerProblems(in Input, observed string, rc ResolvConf, add func(check, what, fix string, args ...any)) {
	want := in.Declared.Owner
	if want == ownerNone {
		add("owner", "the host's features name no single owner of /etc/resolv.conf",
			"keep feature resolved, or list exactly one of static-dns, networkmanager-dns (go tool mage features:host %s)", in.Host)
		return
	}
	if observed == want {
		return
	}
	what := fmt.Sprintf("/etc/resolv.conf is %s, declared %s", describeOwner(observed), want)
	redeploy := fmt.Sprintf("redeploy (go tool mage deploy:hosts %s), which restores /etc/resolv.conf", in.Host)
	switch {
	case observed == observedMissing && strings.HasPrefix(rc.Real, "/run/systemd/resolve/"):
		add("owner", fmt.Sprintf("/etc/resolv.conf points at %s, which does not exist", rc.Real),
			"systemd-resolved is not running: systemctl restart systemd-resolved (journalctl -u systemd-resolved says why it stopped)")
	case observed == observedMissing:
		add("owner", "/etc/resolv.conf does not exist", "nothing resolves: %s", redeploy)
	case observed == observedTailscale && want == OwnerResolved:
		add("owner", what+" (tailscale's direct mode: it found no systemd-resolved)",
			"systemctl restart systemd-resolved, then %s and systemctl restart tailscaled so MagicDNS goes through resolved", redeploy)
	case observed == observedTailscale:
		add("owner", what+" (tailscale --accept-dns rewrote it)",
			"tailscale set --accept-dns=false (hub.features.tailscale.acceptDns = false in hosts/%s/default.nix), then %s", in.Host, redeploy)
	case want == OwnerResolved:
		add("owner", what, "ln -sfn /run/systemd/resolve/stub-resolv.conf /etc/resolv.conf or %s; then find what wrote it", redeploy)
	case want == ownerNetworkManager:
		add("owner", what, "systemctl restart NetworkManager (it rewrites the file through resolvconf), or %s", redeploy)
	default:
		add("owner", what, "%s: the static file is a link into /nix/store via /etc/static; something replaced it", redeploy)
	}
}

// describeOwner says who wrote /etc/resolv.conf in words.
func describeOwner(o string) string {
	switch o {
	case observedUnknown:
		return "a file no known manager wrote"
	case observedResolvconf:
		return "written by resolvconf without NetworkManager"
	case observedTailscale:
		return "written by tailscale"
	}
	return "owned by " + o
}

// serversOf lists the servers the host uses: /etc/resolv.conf's, then resolved's upstreams.
func serversOf(f facts) []string {
	var out []string
	for _, s := range append(slices.Clone(f.ResolvConf.Nameservers), f.Upstreams...) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func dnsProblems(in Input, f facts, servers []string, add func(check, what, fix string, args ...any)) {
	if len(servers) == 0 && !f.ResolvConf.Missing {
		add("dns", "no DNS server is configured", "nothing resolves: check the owner of /etc/resolv.conf (%s)", in.Declared.Owner)
	}
	if !f.Dig && len(servers) > 0 {
		add("dns", "dig is not installed: servers were not asked one by one",
			"deploy feature dns (hub.features.dns.doctorTools installs dig), or nix shell nixpkgs#dig")
	}
	source := map[string]string{
		OwnerResolved:       "systemd-resolved's link or fallback servers (resolvectl status)",
		ownerNetworkManager: "NetworkManager's connection (nmcli dev show)",
		ownerStatic:         fmt.Sprintf("hub.features.static-dns.nameservers in hosts/%s/default.nix", in.Host),
	}[in.Declared.Owner]
	if source == "" {
		source = "/etc/resolv.conf"
	}
	for _, s := range servers {
		for _, q := range f.Queries {
			if q.Server != s || q.Name != in.External || q.ok() {
				continue
			}
			detail := q.Status
			if q.Detail != "" {
				detail += " (" + q.Detail + ")"
			}
			add("dns", fmt.Sprintf("server %s does not resolve %s: %s", s, in.External, detail),
				"fix the server or remove it from %s", source)
		}
	}
	var unresolved []string
	asked := 0
	for _, fh := range in.Fleet {
		if addrs, ok := f.System[fh.Name]; ok {
			asked++
			if len(addrs) == 0 {
				unresolved = append(unresolved, fh.Name)
			}
		}
	}
	// When nothing resolves the cause is the resolver, not the names: one line, not one per host.
	if asked > 1 && len(unresolved) == asked {
		add("dns", fmt.Sprintf("no fleet host name resolves (getent ahostsv4 %s)", strings.Join(unresolved, ", ")),
			"the host's resolver answers nothing: fix /etc/resolv.conf (owner %s) first, then run net:doctor again", in.Declared.Owner)
		return
	}
	for _, fh := range in.Fleet {
		addrs, ok := f.System[fh.Name]
		if !ok {
			continue
		}
		fix := "add it to the tailnet's MagicDNS (tailscale up on " + fh.Name + ") or to DNS; tailscale status shows its peers"
		if len(addrs) == 0 {
			add("dns", fmt.Sprintf("fleet host %s does not resolve (getent ahostsv4)", fh.Name), "%s", fix)
			continue
		}
		if fh.Address != "" && !slices.Contains(addrs, fh.Address) {
			add("dns", fmt.Sprintf("fleet host %s resolves to %s, the inventory says %s", fh.Name, strings.Join(addrs, ", "), fh.Address),
				"correct the record (or networking.hosts) that says %s", strings.Join(addrs, ", "))
		}
	}
}

func tailscaleProblems(in Input, f facts, magicDNS bool, add func(check, what, fix string, args ...any)) {
	if !in.Declared.Tailscale {
		return
	}
	ts := f.Tailscale
	if ts == nil {
		add("tailscale", "feature tailscale is on but there is no tailscale command", "redeploy (go tool mage deploy:hosts %s)", in.Host)
		return
	}
	if ts.Error != "" {
		add("tailscale", ts.Error, "systemctl status tailscaled; journalctl -u tailscaled")
		return
	}
	if ts.BackendState != "Running" {
		add("tailscale", fmt.Sprintf("tailscale is %s, not Running", ts.BackendState),
			"tailscale up (or set hub.features.tailscale.authKeyFile so it logs in by itself)")
		return
	}
	for _, h := range ts.Health {
		add("tailscale", "tailscale health: "+h, "act on the message; tailscale netcheck shows connectivity")
	}
	offline := map[string]time.Time{}
	for _, p := range ts.Offline {
		offline[p.Name] = p.LastSeen
	}
	for _, fh := range in.Fleet {
		if !fh.Tailscale || fh.Name == in.Host {
			continue
		}
		if seen, off := offline[fh.Name]; off {
			last := "never seen"
			if !seen.IsZero() {
				last = "last seen " + seen.UTC().Format(time.RFC3339)
			}
			add("tailscale", fmt.Sprintf("peer %s is offline (%s)", fh.Name, last),
				"check tailscaled on %s (go tool mage hosts:exec %s 'systemctl status tailscaled')", fh.Name, fh.Name)
		} else if !ts.peerNames[fh.Name] {
			add("tailscale", fmt.Sprintf("fleet host %s is not a peer of this host's tailnet", fh.Name),
				"log %s in to the same tailnet (tailscale up), or check the tailnet's ACLs", fh.Name)
		}
	}
	if ts.ExitNode != "" && !ts.ExitOnline {
		add("tailscale", fmt.Sprintf("exit node %s is offline: traffic to the internet is dropped", ts.ExitNode),
			"tailscale set --exit-node= (none), or pick an online one: tailscale exit-node list")
	}
	if magicDNS {
		if !ts.MagicDNSOn {
			add("tailscale", fmt.Sprintf("MagicDNS is off in tailnet %s", ts.Tailnet),
				"turn it on in the admin console (DNS page), or set hub.features.tailscale.acceptDns = false")
		} else if ts.MagicDNS != "" && !slices.Contains(f.ResolvConf.Search, ts.MagicDNS) {
			add("tailscale", fmt.Sprintf("MagicDNS suffix %s is not a search domain of /etc/resolv.conf", ts.MagicDNS),
				"tailscale is not programming systemd-resolved: tailscale set --accept-dns=true, then resolvectl status %s", "tailscale0")
		}
	}
}

func kernelProblems(in Input, f facts, add func(check, what, fix string, args ...any)) {
	if !in.Declared.Tailscale {
		return
	}
	// The kernel applies the larger of all and the interface's value (ip-sysctl.rst).
	var ifaces []string
	if f.Route != "" {
		ifaces = append(ifaces, f.Route)
	}
	if _, ok := f.MTU["tailscale0"]; ok {
		ifaces = append(ifaces, "tailscale0")
	}
	for _, ifc := range ifaces {
		eff := max(f.RPFilter["all"], f.RPFilter[ifc])
		if eff == 1 {
			add("rp_filter", fmt.Sprintf("strict reverse-path filtering on %s (net.ipv4.conf.all.rp_filter=%d, %s=%d): replies through exit nodes and subnet routes are dropped",
				ifc, f.RPFilter["all"], ifc, f.RPFilter[ifc]),
				"sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2 now; keep it with boot.kernel.sysctl.\"net.ipv4.conf.all.rp_filter\" = 2 in hosts/%s/default.nix", ifc, in.Host)
		}
	}
	if m, ok := f.MTU["tailscale0"]; ok && m < tailscaleMTU {
		add("mtu", fmt.Sprintf("tailscale0 MTU %d is below %d, the IPv6 minimum tailscale needs", m, tailscaleMTU),
			"unset TS_DEBUG_MTU in tailscaled's environment and systemctl restart tailscaled")
	}
	if m, ok := f.MTU[f.Route]; ok && f.Route != "" && m < tailscaleMTU+wireGuardOverhead {
		add("mtu", fmt.Sprintf("%s MTU %d is below %d (tailscale0's %d plus %d of WireGuard headers): tailnet packets are fragmented or dropped",
			f.Route, m, tailscaleMTU+wireGuardOverhead, tailscaleMTU, wireGuardOverhead),
			"raise the MTU of %s (networking.interfaces.%s.mtu, or the router/DHCP that sets it)", f.Route, f.Route)
	}
}

// isIP reports whether s is an IP address literal (an inventory destination that is one must
// be what the host name resolves to).
func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// Fields are the summary columns of a report.
func (r Report) Fields() [][2]string {
	owner := r.Owner
	if owner != r.Declared.Owner {
		owner += " (declared " + r.Declared.Owner + ")"
	}
	ok, total := 0, 0
	for _, q := range r.Queries {
		total++
		if q.ok() {
			ok++
		}
	}
	resolved := 0
	for _, a := range r.System {
		if len(a) > 0 {
			resolved++
		}
	}
	out := [][2]string{
		{"owner", owner},
		{"servers", strings.Join(r.Servers, ",")},
		{"names", fmt.Sprintf("%d/%d", resolved, len(r.System))},
		{"queries", fmt.Sprintf("%d/%d", ok, total)},
	}
	if t := r.Tailscale; t != nil && t.Error == "" {
		out = append(out, [2]string{"tailscale", t.BackendState}, [2]string{"peers", fmt.Sprintf("%d/%d", t.PeersOnline, t.Peers)})
		if t.MagicDNS != "" {
			out = append(out, [2]string{"magicdns", t.MagicDNS})
		}
		if t.ExitNode != "" {
			out = append(out, [2]string{"exit", t.ExitNode})
		}
	}
	out = append(out, [2]string{"problems", fmt.Sprint(len(r.Problems))})
	return out
}

// sortedQueries is the queries by server, then name, for stable rendering.
func (r Report) sortedQueries() []Query {
	q := slices.Clone(r.Queries)
	sort.SliceStable(q, func(i, j int) bool {
		if q[i].Server != q[j].Server {
			return q[i].Server < q[j].Server
		}
		return q[i].Name < q[j].Name
	})
	return q
}

// Inputs derives every host's Input from the inventory and the feature registry: the owner
// its features declare, and the fleet's names with the addresses they must resolve to.
func Inputs(fleet *inventory.Fleet, reg *features.Registry, external string) map[string]Input {
	declared := map[string]Declared{}
	var hosts []FleetHost
	for _, name := range fleet.Names() {
		h, _ := fleet.Host(name)
		res := reg.Resolve(features.Host{Name: name, Class: h.Class, Hardware: h.Hardware, Features: h.Features})
		d := declaredOwner(res.Enabled)
		declared[name] = d
		fh := FleetHost{Name: name, Tailscale: d.Tailscale}
		if isIP(h.SSH.Destination) {
			fh.Address = h.SSH.Destination
		}
		hosts = append(hosts, fh)
	}
	out := make(map[string]Input, len(hosts))
	for _, fh := range hosts {
		out[fh.Name] = Input{Host: fh.Name, Declared: declared[fh.Name], Fleet: hosts, External: external}
	}
	return out
}
