package netdoctor

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteProblems prints one line per problem, host by host: what is wrong, then what to do.
func WriteProblems(w io.Writer, reports []Report) error {
	sorted := append([]Report(nil), reports...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Host < sorted[j].Host })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	n := 0
	for _, r := range sorted {
		for _, p := range r.Problems {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Host, p.Check, p)
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(tw, "no problems found")
	}
	return tw.Flush()
}

// WriteDetails prints what the doctor asked and heard on one host: the owner, every query
// and the tailnet, for the log of a run (and for a person reading one host's problems).
func WriteDetails(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "resolv.conf\t%s (declared %s; link %q, real %q)\n", r.Owner, r.Declared.Owner, r.ResolvConf.Link, r.ResolvConf.Real)
	fmt.Fprintf(tw, "nameservers\t%s\n", strings.Join(r.ResolvConf.Nameservers, " "))
	fmt.Fprintf(tw, "search\t%s\n", strings.Join(r.ResolvConf.Search, " "))
	if len(r.Upstreams) > 0 {
		fmt.Fprintf(tw, "resolved upstreams\t%s\n", strings.Join(r.Upstreams, " "))
	}
	names := make([]string, 0, len(r.System))
	for n := range r.System {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := strings.Join(r.System[n], " ")
		if a == "" {
			a = "(does not resolve)"
		}
		fmt.Fprintf(tw, "getent %s\t%s\n", n, a)
	}
	for _, q := range r.sortedQueries() {
		a := strings.Join(q.Answers, " ")
		if q.Detail != "" {
			a = q.Detail
		}
		fmt.Fprintf(tw, "dig @%s %s\t%s %s\n", q.Server, q.Name, q.Status, a)
	}
	if t := r.Tailscale; t != nil {
		if t.Error != "" {
			fmt.Fprintf(tw, "tailscale\t%s\n", t.Error)
		} else {
			fmt.Fprintf(tw, "tailscale\t%s %s, tailnet %s, MagicDNS %s (enabled %t), peers %d/%d online\n",
				t.Version, t.BackendState, t.Tailnet, t.MagicDNS, t.MagicDNSOn, t.PeersOnline, t.Peers)
		}
	}
	return tw.Flush()
}

// Result is one host's entry in net:doctor -json: the report, or why there is none.
type Result struct {
	Report
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// WriteJSON writes the results as one JSON document.
func WriteJSON(w io.Writer, results []Result) error {
	sort.Slice(results, func(i, j int) bool { return results[i].Host < results[j].Host })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Hosts []Result `json:"hosts"`
	}{results})
}
