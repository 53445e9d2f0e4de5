package netdoctor

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// tsStatus is the part of `tailscale status --json` net:doctor reads. The field names are
// tailscale's ipn/ipnstate.Status and PeerStatus (encoded with Go's default field names; read
// at tailscale v1.103.0-pre, commit de9ec7ee); testdata/tailscale holds recorded outputs.
type tsStatus struct {
	Version        string
	BackendState   string
	TailscaleIPs   []string
	Self           *tsPeer
	ExitNodeStatus *struct {
		ID           string
		Online       bool
		TailscaleIPs []string
	}
	Health         []string
	MagicDNSSuffix string // the legacy name of CurrentTailnet.MagicDNSSuffix
	CurrentTailnet *struct {
		Name            string
		MagicDNSSuffix  string
		MagicDNSEnabled bool
	}
	Peer map[string]*tsPeer
}

type tsPeer struct {
	ID           string
	HostName     string
	DNSName      string
	OS           string
	TailscaleIPs []string
	Online       bool
	ExitNode     bool
	LastSeen     time.Time
}

// Tailscale is what net:doctor reports of a host's tailscale.
type Tailscale struct {
	Installed    bool     `json:"installed"`
	Version      string   `json:"version,omitempty"`
	BackendState string   `json:"backend_state,omitempty"`
	Tailnet      string   `json:"tailnet,omitempty"`
	MagicDNS     string   `json:"magic_dns_suffix,omitempty"`
	MagicDNSOn   bool     `json:"magic_dns_enabled"`
	PeersOnline  int      `json:"peers_online"`
	Peers        int      `json:"peers"`
	Offline      []Peer   `json:"offline,omitempty"` // offline peers, by name
	ExitNode     string   `json:"exit_node,omitempty"`
	ExitOnline   bool     `json:"exit_node_online,omitempty"`
	Health       []string `json:"health,omitempty"`
	Error        string   `json:"error,omitempty"` // the command failed or printed no status
	peerNames    map[string]bool
}

// Peer is one peer in the report.
type Peer struct {
	Name     string    `json:"name"`
	LastSeen time.Time `json:"last_seen,omitzero"`
}

// peerName is the short name of a peer: the first label of its MagicDNS name (unique in the
// tailnet), else its OS host name.
func peerName(p *tsPeer) string {
	if n, _, _ := strings.Cut(p.DNSName, "."); n != "" {
		return strings.ToLower(n)
	}
	return strings.ToLower(p.HostName)
}

// parseTailscale reads a `tailscale status --json` output.
func parseTailscale(out []byte) (Tailscale, error) {
	var st tsStatus
	if err := json.Unmarshal(out, &st); err != nil {
		return Tailscale{Installed: true}, fmt.Errorf("tailscale status --json: %w", err)
	}
	ts := Tailscale{Installed: true, Version: st.Version, BackendState: st.BackendState, Health: st.Health,
		MagicDNS: st.MagicDNSSuffix, peerNames: map[string]bool{}}
	if st.CurrentTailnet != nil {
		ts.Tailnet, ts.MagicDNSOn = st.CurrentTailnet.Name, st.CurrentTailnet.MagicDNSEnabled
		if st.CurrentTailnet.MagicDNSSuffix != "" {
			ts.MagicDNS = st.CurrentTailnet.MagicDNSSuffix
		}
	}
	for _, p := range st.Peer {
		if p == nil {
			continue
		}
		ts.Peers++
		name := peerName(p)
		ts.peerNames[name] = true
		if p.Online {
			ts.PeersOnline++
		} else {
			ts.Offline = append(ts.Offline, Peer{Name: name, LastSeen: p.LastSeen})
		}
		if st.ExitNodeStatus != nil && p.ID == st.ExitNodeStatus.ID {
			ts.ExitNode = name
		}
	}
	if st.ExitNodeStatus != nil {
		if ts.ExitNode == "" {
			ts.ExitNode = st.ExitNodeStatus.ID
		}
		ts.ExitOnline = st.ExitNodeStatus.Online
	}
	sort.Slice(ts.Offline, func(i, j int) bool { return ts.Offline[i].Name < ts.Offline[j].Name })
	return ts, nil
}
