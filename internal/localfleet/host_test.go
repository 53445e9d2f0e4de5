package localfleet

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nsHost starts a process as pid 1 of new pid and mount namespaces, like a host's init.
func nsHost(t *testing.T) Host {
	t.Helper()
	cmd := exec.Command("unshare", "--mount", "--pid", "--fork", "--", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var h Host
	err := waitFor(t.Context(), 5*time.Second, "init", func() (bool, error) {
		p, ok := findInit(cmd.Process.Pid)
		if ok {
			h = Host{Name: "ns", Init: p.pid, InitStart: p.start, PidNS: nsOf(p.pid, "pid"), MntNS: nsOf(p.pid, "mnt")}
		}
		return ok, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newMountNamespaceID makes a mount namespace and returns its id.
func newMountNamespaceID(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("unshare", "--mount", "readlink", "/proc/self/ns/mnt").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestPinNamespaces(t *testing.T) {
	requireRoot(t)
	live := nsHost(t)
	tests := []struct {
		name string
		h    func() Host
		ok   bool
	}{
		{"the recorded namespaces of a live init", func() Host { return live }, true},
		{"another mount namespace than recorded", func() Host { h := live; h.MntNS = "mnt:[1]"; return h }, false},
		{"a pid reused by another process", func() Host { h := live; h.InitStart++; return h }, false},
		{"nothing recorded", func() Host { h := live; h.PidNS = ""; return h }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pins, ok := pinNamespaces(tt.h())
			for _, p := range pins {
				p.Close()
			}
			if ok != tt.ok || ok != (len(pins) == 2) {
				t.Errorf("pinned %d, ok %t, want %t", len(pins), ok, tt.ok)
			}
		})
	}

	// While pinned, a dead host's namespace ids go to no new namespace; once let go, the kernel
	// hands them to the next namespaces made (every nix process makes one), which is why kill
	// sweeps by id only through pins.
	h := nsHost(t)
	pins, ok := pinNamespaces(h)
	if !ok {
		t.Fatal("could not pin a live host's namespaces")
	}
	syscall.Kill(h.Init, syscall.SIGKILL)
	waitFor(t.Context(), 5*time.Second, "init exit", func() (bool, error) { return !alive(h.Init, h.InitStart), nil })
	for range 20 {
		if id := newMountNamespaceID(t); id == h.MntNS {
			t.Fatalf("a new mount namespace got the pinned id %s", id)
		}
	}
	for _, p := range pins {
		p.Close()
	}
	reused := false
	for range 20 {
		reused = reused || newMountNamespaceID(t) == h.MntNS
	}
	t.Logf("after the pins closed, a new namespace reused %s: %t", h.MntNS, reused)
}
