package localfleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Fleets on one machine (other packages' tests run concurrently) must not pick the same
// addresses. Up holds an exclusive lock from choosing addresses until its sshds listen, and
// claims a 127.0.X.0/24 block in a claim file so that a host that is briefly down (rebooting,
// stopped by a fault) does not lose its address to another fleet.
const (
	firstBlock = 10
	lastBlock  = 250
)

func coordDir() string { return filepath.Join(os.TempDir(), "hub-localfleet") }

type endpoint struct {
	address string
	port    int
}

// lockMachine takes the machine-wide allocation lock; the returned func releases it.
func lockMachine() (func(), error) {
	if err := os.MkdirAll(filepath.Join(coordDir(), "claims"), 0o755); err != nil {
		return nil, fmt.Errorf("localfleet: %w", err)
	}
	lf, err := os.OpenFile(filepath.Join(coordDir(), "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localfleet: %w", err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		lf.Close()
		return nil, fmt.Errorf("localfleet: lock %s: %w", lf.Name(), err)
	}
	return func() { lf.Close() }, nil
}

// allocate chooses one endpoint per host for the fleet in dir: 127.0.X.(i+1) port 22 in the
// first free block X, or 127.0.0.1 with distinct free ports when such addresses cannot be bound.
// Port+1 must be free too: the broken-sshd variant listens there. Call with the lock held.
func allocate(dir string, n int) (block int, eps []endpoint, err error) {
	if n < 1 || n > 254 {
		return 0, nil, fmt.Errorf("localfleet: %d hosts: want 1..254", n)
	}
	for b := firstBlock; b <= lastBlock; b++ {
		if claimedByLiveFleet(b, dir) {
			continue
		}
		eps = eps[:0]
		free := true
		for i := 1; i <= n && free; i++ {
			addr := fmt.Sprintf("127.0.%d.%d", b, i)
			for _, port := range []int{22, 23} {
				if err := probe(addr, port); err != nil {
					if errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EACCES) {
						return fallback(n)
					}
					free = false
					break
				}
			}
			eps = append(eps, endpoint{addr, 22})
		}
		if free {
			if err := os.WriteFile(claimPath(b), []byte(dir), 0o644); err != nil {
				return 0, nil, fmt.Errorf("localfleet: claim 127.0.%d.0/24: %w", b, err)
			}
			return b, eps, nil
		}
	}
	return fallback(n)
}

func fallback(n int) (int, []endpoint, error) {
	var eps []endpoint
	for len(eps) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, nil, fmt.Errorf("localfleet: no loopback port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		err = probe("127.0.0.1", port+1)
		l.Close()
		if err == nil && port+1 <= 65535 {
			eps = append(eps, endpoint{"127.0.0.1", port})
		}
	}
	return 0, eps, nil
}

func probe(addr string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

func claimPath(block int) string {
	return filepath.Join(coordDir(), "claims", strconv.Itoa(block))
}

// claimedByLiveFleet reports whether block belongs to another fleet that still has a live host.
// Claims of crashed or torn-down fleets are stale and reused.
func claimedByLiveFleet(block int, self string) bool {
	b, err := os.ReadFile(claimPath(block))
	if err != nil {
		return false
	}
	owner := string(b)
	if owner == self {
		return false
	}
	sb, err := os.ReadFile(statePath(owner))
	if err != nil {
		// No state file yet: the owner may be inside Up, but Up holds the lock we hold now,
		// so this is a crashed Up.
		return false
	}
	var st state
	if json.Unmarshal(sb, &st) != nil || st.Block != block {
		return false
	}
	for _, h := range st.Hosts {
		// A systemd host's launcher outlives its reboots: the block stays claimed while it
		// boots again, without holding the machine lock for the whole reboot.
		if alive(h.Init, h.InitStart) || h.Systemd && alive(h.Launcher, h.LauncherStart) {
			return true
		}
	}
	return false
}

// release drops the claim on block if dir still holds it.
func release(block int, dir string) {
	if block == 0 {
		return
	}
	if b, err := os.ReadFile(claimPath(block)); err == nil && string(b) == dir {
		os.Remove(claimPath(block))
	}
}
