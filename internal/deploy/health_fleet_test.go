package deploy

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
)

// A check that passes only where it runs on the target, on the local fleet.
//
// The local fleet's hosts share the machine's network namespace (internal/localfleet unshares the
// mount, UTS and pid namespaces only): no TCP port is private to a host, and a loopback address
// reaches the same listeners from the hub and from every host, which is what hid checks run on
// the wrong machine. What a host does have of its own is its mount namespace, and with it its
// /etc/hosts. The test gives p510 a localhost of its own, its fleet address (as a real host's
// localhost is its own loopback), and listens there on ports where nothing listens on
// 127.0.0.1. Then localhost:PORT is p510's service from p510, and from the hub, whose localhost
// is 127.0.0.1, it is a closed port: the same check passes on the target and fails from the
// hub, as 127.0.0.1:32400 does for the real p510 deployed from p620.
func TestLocalFleetHealthChecksRunWhereTheySay(t *testing.T) {
	f := startFleet(t, []string{"p510"})
	ctx := context.Background()
	inv := f.inv(t)
	h, _ := inv.Host("p510")
	lh, err := f.lf.Host("p510")
	if err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	remote := e.SSH(h.Name, h.SSH)

	// p510's own localhost, in its mount namespace only (private propagation: the machine's
	// /etc/hosts is untouched, and the mount ends with the fleet).
	out, err := remote.Output(ctx, "sh", "-c", `printf '%s localhost\n' "$1" > /run/hub-test-hosts && mount --bind /run/hub-test-hosts /etc/hosts && getent hosts localhost`, "sh", lh.Address)
	if err != nil {
		t.Fatalf("p510: giving it a localhost of its own: %v", err)
	}
	if f := strings.Fields(out); len(f) == 0 || f[0] != lh.Address {
		t.Skipf("p510 resolves localhost to %q despite its /etc/hosts: this machine's nsswitch.conf does not consult files first", out)
	}

	tcpPort := hostOnlyPort(t, lh.Address)
	httpL := hostOnlyListener(t, lh.Address)
	_, httpPort, _ := net.SplitHostPort(httpL.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(httpL)
	defer srv.Close()

	checks := func(from string) []inventory.HealthCheck {
		return []inventory.HealthCheck{
			{TCP: "localhost:" + tcpPort, From: from, Timeout: 5 * time.Second, Retries: 1},
			{HTTP: "http://localhost:" + httpPort + "/healthz", Status: http.StatusNoContent, From: from, Timeout: 5 * time.Second, Retries: 1},
		}
	}

	t.Run("each check passes on the target and fails from the hub", func(t *testing.T) {
		for i, c := range checks(inventory.FromTarget) {
			if err := runCheck(ctx, c, h, remote, State{}); err != nil {
				t.Errorf("%s: %v", checkName(c, h), err)
			}
			hub := checks(inventory.FromHub)[i]
			if err := runCheck(ctx, hub, h, remote, State{}); err == nil {
				t.Errorf("%s passed: the hub reached p510's own localhost, the test proves nothing", checkName(hub, h))
			}
		}
	})

	t.Run("a deploy checked on the target commits", func(t *testing.T) {
		gen := f.next(t, localfleet.Variant{}, "p510")
		res, out := f.deploy(t, ctx, "p510", func(o *Options, hs []*inventory.Host) {
			hs[0].Health = append(hs[0].Health, checks(inventory.FromTarget)...)
		})
		if r := hostResult(t, res.Report, "p510"); r.Status != parallel.StatusOK {
			t.Fatalf("p510: %s in %s (%v), want ok\n%s", r.Status, r.FailedPhase, r.Err, out)
		}
		if got := generationOf(f.consistent(t, "p510")); got != itoa(gen) {
			t.Errorf("p510 runs g%s, want g%d", got, gen)
		}
		for _, c := range checks(inventory.FromTarget) {
			if !strings.Contains(out, "health: "+checkName(c, h)+" ok") {
				t.Errorf("no %q in the deploy output\n%s", "health: "+checkName(c, h)+" ok", out)
			}
		}
	})

	t.Run("the same checks from the hub roll p510 back", func(t *testing.T) {
		before := f.link(t, "p510", "run/current-system")
		f.next(t, localfleet.Variant{}, "p510")
		res, out := f.deploy(t, ctx, "p510", func(o *Options, hs []*inventory.Host) {
			hs[0].Health = append(hs[0].Health, checks(inventory.FromHub)...)
		})
		r := hostResult(t, res.Report, "p510")
		want := "health check tcp localhost:" + tcpPort + " from the hub failed"
		if r.Status != parallel.StatusFailed || r.FailedPhase != "health" || !strings.Contains(r.Err.Error(), want) || !strings.Contains(r.Err.Error(), "rolled back") {
			t.Fatalf("p510: %s in %s (%v), want failed in health with %q and a rollback\n%s", r.Status, r.FailedPhase, r.Err, want, out)
		}
		if got := f.consistent(t, "p510"); got != before {
			t.Errorf("p510 runs %s after the rollback, want %s", got, before)
		}
	})
}

// hostOnlyListener listens on addr (a local-fleet host's address) on a port where nothing
// listens on 127.0.0.1 or ::1, so that only a name resolving to addr reaches it.
func hostOnlyListener(t *testing.T, addr string) net.Listener {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(l.Addr().String())
		if !answers("127.0.0.1:"+port) && !answers("[::1]:"+port) {
			t.Cleanup(func() { l.Close() })
			return l
		}
		l.Close()
	}
	t.Fatalf("no port on %s that is closed on 127.0.0.1", addr)
	return nil
}

// hostOnlyPort is hostOnlyListener's port, with connections accepted and closed.
func hostOnlyPort(t *testing.T, addr string) string {
	t.Helper()
	l := hostOnlyListener(t, addr)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
