// Package netdoctortest sets up what net:doctor's tests look at on local-fleet hosts
// (internal/localfleet): a DNS server on a loopback address of the fleet's own block, and per host a
// private /etc (an overlay inside the host's mount namespace, so the machine's files are never
// touched) holding the resolv.conf a scenario needs, resolved's and NetworkManager's run-time
// files in the host's own /run, a stand-in `tailscale` that prints a recorded
// `tailscale status --json`, and kernel settings planted over their /proc and /sys files in the
// host's mount namespace only.
//
// Entry points: [ServeDNS] starts the DNS server and [Stage] sets one [Host] scenario up.
package netdoctortest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// DNS is a minimal authoritative DNS server over UDP: A records for its names (matched
// case-insensitively, with or without the trailing dot), NODATA for other types of a known
// name, NXDOMAIN for the rest. It answers what dig and glibc ask in the tests and nothing more.
type DNS struct {
	conn    *net.UDPConn
	records map[string]netip.Addr
	mu      sync.Mutex
	asked   []string
}

// ServeDNS starts a server on addr (an IPv4 loopback address, port 53) until t ends.
func ServeDNS(t testing.TB, addr string, records map[string]string) *DNS {
	t.Helper()
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.IsLoopback() {
		t.Fatalf("netdoctortest: DNS server address %q: want a loopback IPv4 address", addr)
	}
	d := &DNS{records: map[string]netip.Addr{}}
	for name, a := range records {
		d.records[canonical(name)] = netip.MustParseAddr(a)
	}
	d.conn, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 53)))
	if err != nil {
		t.Fatalf("netdoctortest: DNS server: %v", err)
	}
	done := make(chan struct{})
	go d.serve(done)
	t.Cleanup(func() { d.conn.Close(); <-done })
	return d
}

// Asked lists the names queried so far, in order.
func (d *DNS) Asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.asked...)
}

func canonical(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

func (d *DNS) serve(done chan struct{}) {
	defer close(done)
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		if resp, err := d.answer(buf[:n]); err == nil {
			d.conn.WriteToUDP(resp, from)
		}
	}
}

// answer builds the reply to one query (RFC 1035 section 4): the header with QR, AA and RA set,
// the question copied, and at most one A record whose name points back at the question.
func (d *DNS) answer(q []byte) ([]byte, error) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil, errors.New("not a single-question query")
	}
	var labels []string
	i := 12
	for {
		if i >= len(q) {
			return nil, errors.New("truncated name")
		}
		l := int(q[i])
		i++
		if l == 0 {
			break
		}
		if l > 63 || i+l > len(q) {
			return nil, errors.New("bad label")
		}
		labels = append(labels, string(q[i:i+l]))
		i += l
	}
	if i+4 > len(q) {
		return nil, errors.New("truncated question")
	}
	qtype := binary.BigEndian.Uint16(q[i : i+2])
	question := q[12 : i+4]
	name := canonical(strings.Join(labels, "."))
	d.mu.Lock()
	d.asked = append(d.asked, name)
	d.mu.Unlock()

	addr, known := d.records[name]
	rcode := uint16(0)
	if !known {
		rcode = 3 // NXDOMAIN
	}
	answers := uint16(0)
	if known && qtype == 1 {
		answers = 1
	}
	resp := make([]byte, 12, 12+len(question)+16)
	copy(resp[0:2], q[0:2])
	flags := binary.BigEndian.Uint16(q[2:4])&0x7900 | 0x8000 | 0x0400 | 0x0080 | rcode // QR, opcode, AA, RD, RA
	binary.BigEndian.PutUint16(resp[2:4], flags)
	binary.BigEndian.PutUint16(resp[4:6], 1)
	binary.BigEndian.PutUint16(resp[6:8], answers)
	resp = append(resp, question...)
	if answers == 1 {
		a := addr.As4()
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		resp = append(resp, a[:]...)
	}
	return resp, nil
}

// Host is one host's scenario. Empty fields leave that part of the host as it is.
type Host struct {
	// ResolvConfLink makes /etc/resolv.conf a symlink to it; else ResolvConf is its content.
	ResolvConfLink string
	ResolvConf     string
	// Run files are written into the host's own /run (path relative to /run: content).
	Run map[string]string
	// HubDNS is /etc/hub/dns.json (what feature dns installs).
	HubDNS string
	// TailscaleStatus is the path of a recorded `tailscale status --json` the stand-in prints.
	TailscaleStatus string
	// Files planted over kernel files in the host's mount namespace (absolute path: content),
	// e.g. /proc/sys/net/ipv4/conf/all/rp_filter.
	Plant map[string]string
}

// Stage sets h up on the inventory host over ssh (as root, inside the host's namespaces).
func Stage(ctx context.Context, t testing.TB, e *command.Executor, inv *inventory.Host, h Host) {
	t.Helper()
	q := func(s string) string { return command.Quote([]string{s}) }
	var b strings.Builder
	b.WriteString(`set -eu
d=/run/netdoctortest
if ! grep -q " /etc overlay " /proc/self/mounts; then
  mkdir -p $d && mount -t tmpfs netdoctortest $d && mkdir -p $d/upper $d/work
  mount -t overlay netdoctortest -o lowerdir=/etc,upperdir=$d/upper,workdir=$d/work /etc
fi
rm -f /etc/resolv.conf
`)
	if h.ResolvConfLink != "" {
		fmt.Fprintf(&b, "ln -s %s /etc/resolv.conf\n", q(h.ResolvConfLink))
	} else if h.ResolvConf != "" {
		fmt.Fprintf(&b, "printf '%%s' %s > /etc/resolv.conf\n", q(h.ResolvConf))
	}
	for p, content := range h.Run {
		full := "/run/" + strings.TrimPrefix(p, "/")
		fmt.Fprintf(&b, "mkdir -p \"$(dirname %s)\" && printf '%%s' %s > %s\n", q(full), q(content), q(full))
	}
	if h.HubDNS != "" {
		fmt.Fprintf(&b, "mkdir -p /etc/hub && printf '%%s' %s > /etc/hub/dns.json\n", q(h.HubDNS))
	}
	if h.TailscaleStatus != "" {
		// Only what the doctor runs; anything else is an error, so a test cannot lean on more.
		stand := fmt.Sprintf("#!/bin/sh\n# stand-in: prints a recorded real output (internal/netdoctor/testdata/tailscale)\n"+
			"if [ \"$*\" = \"status --json\" ]; then exec cat %s; fi\necho \"tailscale stand-in: only 'status --json'\" >&2\nexit 2\n", q(h.TailscaleStatus))
		fmt.Fprintf(&b, "printf '%%s' %s > /run/localfleet/bin/tailscale && chmod 755 /run/localfleet/bin/tailscale\n", q(stand))
	}
	i := 0
	for p, content := range h.Plant {
		i++
		fmt.Fprintf(&b, "printf '%%s' %s > $d/plant%d && mount --bind $d/plant%d %s\n", q(content), i, i, q(p))
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := e.SSH(inv.Name, inv.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", b.String()}}); err != nil {
		t.Fatalf("netdoctortest: staging %s: %v", inv.Name, err)
	}
}
