package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/netdoctor/netdoctortest"
)

// net:doctor through the compiled magefiles: a healthy host exits 0 with "no problems found",
// a host whose resolv.conf nobody declared makes the run exit non-zero with the problem in the
// -json document and as a line of its own in the table output. internal/netdoctor's tests cover the
// checks themselves.
func TestNetDoctorTarget(t *testing.T) {
	repoHosts, err := filepath.Abs(filepath.Join("testdata", "net-hosts"))
	if err != nil {
		t.Fatal(err)
	}
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "hp"}, RepoHosts: repoHosts}, "dig", "getent")
	inv := fleettest.Inventory(t, lf)
	p620, _ := inv.Host("p620")
	hp, _ := inv.Host("hp")
	block := fleettest.LoopbackBlock(t, p620)
	server := block + ".250"
	netdoctortest.ServeDNS(t, server, map[string]string{"nixos.org": server, "p620": p620.SSH.Destination, "hp": hp.SSH.Destination})
	stub, err := os.ReadFile(filepath.Join("..", "internal", "netdoctor", "testdata", "resolv", "stub-resolv.conf"))
	if err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	netdoctortest.Stage(context.Background(), t, e, p620, netdoctortest.Host{
		ResolvConfLink: "/run/systemd/resolve/stub-resolv.conf",
		Run:            map[string]string{"systemd/resolve/stub-resolv.conf": strings.Replace(string(stub), "127.0.0.53", server, 1)},
	})
	netdoctortest.Stage(context.Background(), t, e, hp, netdoctortest.Host{ResolvConf: "nameserver " + server + "\n"})
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "net:doctor", "p620")
	if code != 0 || !strings.Contains(out, "no problems found") || !strings.Contains(out, "OWNER") {
		t.Errorf("net:doctor p620: exit %d, want 0 with an OWNER column and no problems:\n%s", code, out)
	}

	out, code = runTarget(t, bin, root, lf, "net:doctor", "*", "-details")
	if code == 0 || !containsLine(out, "hp", "/etc/resolv.conf is a file no known manager wrote, declared systemd-resolved") ||
		!strings.Contains(out, "dig @"+server+" nixos.org  NOERROR "+server) {
		t.Errorf("net:doctor *: exit %d, want non-zero, hp's owner problem on its own line and -details' queries:\n%s", code, out)
	}

	out, code = runTarget(t, bin, root, lf, "net:doctor", "*", "-json")
	var doc struct {
		Hosts []struct {
			Host     string `json:"host"`
			Status   string `json:"status"`
			Owner    string `json:"owner"`
			Problems []struct {
				Check, What, Fix string
			} `json:"problems"`
		} `json:"hosts"`
	}
	i, j := strings.Index(out, "{"), strings.LastIndex(out, "}")
	if i < 0 || j < i {
		t.Fatalf("net:doctor -json printed no JSON (exit %d):\n%s", code, out)
	}
	if err := json.Unmarshal([]byte(out[i:j+1]), &doc); err != nil {
		t.Fatalf("net:doctor -json: %v\n%s", err, out)
	}
	if code == 0 || len(doc.Hosts) != 2 {
		t.Fatalf("net:doctor -json: exit %d, %d hosts, want non-zero and 2:\n%s", code, len(doc.Hosts), out)
	}
	for _, h := range doc.Hosts {
		switch h.Host {
		case "p620":
			if h.Owner != "systemd-resolved" || len(h.Problems) != 0 || h.Status != "ok" {
				t.Errorf("p620 = %+v, want systemd-resolved, no problems, ok", h)
			}
		case "hp":
			if h.Owner != "unknown" || len(h.Problems) != 1 || h.Problems[0].Check != "owner" || h.Problems[0].Fix == "" || h.Status != "problems" {
				t.Errorf("hp = %+v, want one owner problem with a fix, status problems", h)
			}
		}
	}
}
