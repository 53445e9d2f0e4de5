package netdoctor

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/probeout"
)

// facts is everything the probe read on a host, before any judgement.
type facts struct {
	ResolvConf ResolvConf
	// HostDeclared is the host's /etc/hub/dns.json (feature dns): what its running system
	// declares; nil when absent (a system built before feature dns, or not NixOS).
	HostDeclared *Declared
	// Upstreams are systemd-resolved's servers (/run/systemd/resolve/resolv.conf).
	Upstreams []string
	System    map[string][]string // name -> IPv4 addresses through the system resolver (getent)
	Dig       bool                // dig is installed
	Queries   []Query
	Tailscale *Tailscale // nil: no tailscale command on the host
	RPFilter  map[string]int
	MTU       map[string]int
	Route     string // the interface of the IPv4 default route, "" without one
}

// Query is one name asked of one server with dig.
type Query struct {
	Server  string   `json:"server"`
	Name    string   `json:"name"`
	Status  string   `json:"status"` // NOERROR, NXDOMAIN, SERVFAIL, ... or "no reply"
	Answers []string `json:"answers,omitempty"`
	Detail  string   `json:"detail,omitempty"` // dig's error line when there was no reply
}

// ok reports whether the server answered with at least one address.
func (q Query) ok() bool { return q.Status == "NOERROR" && len(q.Answers) > 0 }

// script is the probe: one ssh round trip printing "@@ <section>" headers, each followed by its
// raw output. dig runs once per server in parallel (each query is bounded by +time=2 +tries=1).
func script(names []string) string {
	var quoted []string
	for _, n := range names {
		quoted = append(quoted, command.Quote([]string{n}))
	}
	return `names=` + command.Quote([]string{strings.Join(quoted, " ")}) + `
echo "@@ resolv-link"; readlink /etc/resolv.conf
echo "@@ resolv-real"; readlink -m /etc/resolv.conf
if [ -e /etc/resolv.conf ]; then echo "@@ resolv-conf"; cat /etc/resolv.conf; else echo "@@ resolv-missing"; fi
echo "@@ resolved-upstream"; cat /run/systemd/resolve/resolv.conf 2>/dev/null
if [ -e /run/NetworkManager/resolv.conf ]; then echo "@@ nm-running"; fi
if [ -e /etc/hub/dns.json ]; then echo "@@ hub-dns"; cat /etc/hub/dns.json; echo; fi
eval "set -- $names"
for n in "$@"; do echo "@@ getent $n"; getent ahostsv4 "$n" 2>/dev/null | awk '{print $1}' | sort -u; done
servers=$( { awk '$1=="nameserver"{print $2}' /etc/resolv.conf; awk '$1=="nameserver"{print $2}' /run/systemd/resolve/resolv.conf; } 2>/dev/null | awk '!seen[$0]++')
if command -v dig >/dev/null 2>&1; then
  echo "@@ dig-installed"
  tmp=$(mktemp -d)
  i=0
  for s in $servers; do
    i=$((i+1))
    ( for n in "$@"; do
        echo "@@ dig $s $n"
        dig +time=2 +tries=1 +search +nocmd +noall +comments +answer @"$s" "$n" A 2>&1
        echo "@@ dig-exit $?"
      done ) >"$tmp/$i" &
  done
  wait
  for f in "$tmp"/*; do [ -e "$f" ] && cat "$f"; done
  rm -rf "$tmp"
fi
if command -v tailscale >/dev/null 2>&1; then
  echo "@@ tailscale"; tailscale status --json 2>&1; echo; echo "@@ tailscale-exit $?"
fi
echo "@@ rp-filter"
for f in /proc/sys/net/ipv4/conf/*/rp_filter; do d=${f%/rp_filter}; echo "${d##*/} $(cat "$f")"; done
echo "@@ route"; awk 'NR>1 && $2=="00000000" {print $1; exit}' /proc/net/route
echo "@@ mtu"
for d in /sys/class/net/*; do echo "${d##*/} $(cat "$d/mtu" 2>/dev/null)"; done
`
}

// probe runs the probe on h, resolving names (fleet host names and the external name) through
// each configured server; timeout bounds the round trip.
func probe(ctx context.Context, h *command.Host, names []string, timeout time.Duration) (facts, error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script(names)}, Timeout: timeout})
	if err != nil {
		return facts{}, fmt.Errorf("probe: %w", err)
	}
	return parseProbe(string(res.Stdout))
}

// parseProbe splits the probe's output into its sections.
func parseProbe(out string) (facts, error) {
	f := facts{System: map[string][]string{}, RPFilter: map[string]int{}, MTU: map[string]int{}}
	secs, err := probeout.Split(out)
	if err != nil {
		return f, err
	}
	first := func(body []string) string {
		for _, l := range body {
			if l = strings.TrimSpace(l); l != "" {
				return l
			}
		}
		return ""
	}
	var tsOut []string
	for i, s := range secs {
		switch s.Name {
		case "resolv-link":
			f.ResolvConf.Link = first(s.Body)
		case "resolv-real":
			f.ResolvConf.Real = first(s.Body)
		case "resolv-missing":
			f.ResolvConf.Missing = true
		case "resolv-conf":
			f.ResolvConf.Header, f.ResolvConf.Nameservers, f.ResolvConf.Search = parseResolvConf(strings.Join(s.Body, "\n"))
		case "resolved-upstream":
			_, f.Upstreams, _ = parseResolvConf(strings.Join(s.Body, "\n"))
		case "nm-running":
			f.ResolvConf.NetworkManagerRunning = true
		case "hub-dns":
			d, err := parseHostDeclared(strings.Join(s.Body, "\n"))
			if err != nil {
				return f, err
			}
			f.HostDeclared = &d
		case "getent":
			if len(s.Args) == 1 {
				var addrs []string
				for _, l := range s.Body {
					if l = strings.TrimSpace(l); l != "" {
						addrs = append(addrs, l)
					}
				}
				f.System[s.Args[0]] = addrs
			}
		case "dig-installed":
			f.Dig = true
		case "dig":
			if len(s.Args) == 2 {
				exit := -1
				if i+1 < len(secs) && secs[i+1].Name == "dig-exit" && len(secs[i+1].Args) == 1 {
					exit, _ = strconv.Atoi(secs[i+1].Args[0])
				}
				f.Queries = append(f.Queries, parseDig(s.Args[0], s.Args[1], s.Body, exit))
			}
		case "tailscale":
			tsOut = s.Body
			f.Tailscale = &Tailscale{Installed: true}
		case "tailscale-exit":
			ts, err := parseTailscale([]byte(strings.Join(tsOut, "\n")))
			if len(s.Args) == 1 && s.Args[0] != "0" {
				ts.Error = fmt.Sprintf("tailscale status --json: exit status %s: %s", s.Args[0], lastLine(tsOut))
			} else if err != nil {
				ts.Error = err.Error()
			}
			f.Tailscale = &ts
		case "rp-filter":
			for _, l := range s.Body {
				if k, v, ok := strings.Cut(strings.TrimSpace(l), " "); ok {
					if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
						f.RPFilter[k] = n
					}
				}
			}
		case "route":
			f.Route = first(s.Body)
		case "mtu":
			for _, l := range s.Body {
				if k, v, ok := strings.Cut(strings.TrimSpace(l), " "); ok {
					if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
						f.MTU[k] = n
					}
				}
			}
		}
	}
	return f, nil
}

func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

// parseDig reads `dig +nocmd +noall +comments +answer`: the status from the ->>HEADER<<- line,
// the A (and CNAME-followed A) records of the answer section; without a reply dig prints a
// ";; ..." error line and exits 9.
func parseDig(server, name string, body []string, exit int) Query {
	q := Query{Server: server, Name: name}
	var errLine string
	for _, l := range body {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, ";") {
			if _, st, ok := strings.Cut(l, "status: "); ok && strings.Contains(l, "->>HEADER<<-") {
				q.Status, _, _ = strings.Cut(st, ",")
			} else if strings.Contains(l, "timed out") || strings.Contains(l, "error") ||
				strings.Contains(l, "refused") || strings.Contains(l, "no servers") {
				errLine = strings.TrimSpace(strings.TrimLeft(l, ";"))
			}
			continue
		}
		fs := strings.Fields(l)
		if len(fs) >= 5 && fs[2] == "IN" && fs[3] == "A" {
			q.Answers = append(q.Answers, fs[4])
		}
	}
	if q.Status == "" {
		q.Status = "no reply"
		q.Detail = errLine
		if q.Detail == "" && exit > 0 {
			q.Detail = fmt.Sprintf("dig exit status %d", exit)
		}
	}
	return q
}
