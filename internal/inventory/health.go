package inventory

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// validateHealth checks every [[health]] table: exactly one kind, a well-formed address, and a
// place to run that can see what the check names. The last is the point: a tcp or http check
// runs from the hub unless it says from = "target", and "127.0.0.1" seen from the hub is the hub
// itself, so a check written as if it ran on the host probes the wrong machine (and rolls the
// host back when the hub's own port is closed). Such a check is rejected here, naming the file,
// line and field, instead of failing every deploy.
func (h *Host) validateHealth() []error {
	var errs []error
	for i, c := range h.Health {
		field := fmt.Sprintf("health[%d]", i)
		bad := func(key, format string, args ...any) {
			f, line := field, findNthTable(h.File, "health", i)
			if key != "" {
				f += "." + key
				if l := findKeyInNthTable(h.File, "health", i, key); l > 0 {
					line = l
				}
			}
			errs = append(errs, &Error{File: h.File, Line: line, Field: f, Msg: fmt.Sprintf(format, args...)})
		}
		n := 0
		for _, s := range []string{c.Unit, c.HTTP, c.TCP, c.Command} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			bad("", "needs exactly one of unit, http, tcp, command (has %d)", n)
			continue
		}
		if c.Retries < 1 {
			bad("retries", "must be at least 1")
		}
		switch c.From {
		case "", FromTarget, FromHub:
		default:
			bad("from", "%q is not one of %s, %s", c.From, FromTarget, FromHub)
			continue
		}
		kind := c.Kind()
		if kind == "unit" || kind == "command" {
			if c.From == FromHub {
				bad("from", "a %s check always runs on the target (over ssh); from = %q applies to tcp and http checks", kind, FromHub)
			}
			continue
		}
		host, ok := checkHost(c)
		if !ok {
			if kind == "http" {
				bad(kind, "%q is not an http(s) URL", c.HTTP)
			} else {
				bad(kind, "%q is not host:port", c.TCP)
			}
			continue
		}
		addr := c.Target()
		switch {
		case c.RunsOn() == FromTarget && strings.Contains(addr, "$HOST"):
			bad(kind, "%q runs on %s itself (from = %q), where $HOST (the hub's ssh destination, possibly an ssh_config alias only the hub knows) means nothing: use localhost or 127.0.0.1", addr, h.Name, FromTarget)
		case c.RunsOn() == FromTarget && strings.HasPrefix(c.HTTP, "https://"):
			bad(kind, "%q cannot be checked from the target: the probe on the host is bash's /dev/tcp, which speaks plain HTTP only; check the service's plain http port, or from = %q with $HOST", addr, FromHub)
		case c.RunsOn() == FromHub && loopback(host) && !loopback(h.SSH.Destination):
			why := fmt.Sprintf("tcp and http checks run from the hub unless from = %q", FromTarget)
			if c.From == FromHub {
				why = fmt.Sprintf("from = %q", FromHub)
			}
			bad(kind, "%q is checked from the hub (%s), where %s is the hub itself, not %s: add from = %q to probe it on %s over ssh, or use $HOST (%s's ssh destination) to check it from the hub",
				addr, why, host, h.Name, FromTarget, h.Name, h.Name)
		}
	}
	return errs
}

// checkHost is the host part of a tcp or http check's address.
func checkHost(c HealthCheck) (string, bool) {
	if c.HTTP != "" {
		if !strings.HasPrefix(c.HTTP, "http://") && !strings.HasPrefix(c.HTTP, "https://") {
			return "", false
		}
		u, err := url.Parse(strings.ReplaceAll(c.HTTP, "$HOST", "hub-host")) // $ is not a host character
		if err != nil || u.Hostname() == "" {
			return "", false
		}
		if strings.Contains(c.HTTP, "$HOST") && u.Hostname() == "hub-host" {
			return "$HOST", true
		}
		return u.Hostname(), true
	}
	host, port, err := net.SplitHostPort(c.TCP)
	if err != nil || host == "" || port == "" {
		return "", false
	}
	return host, true
}

// loopback reports whether host names the machine the check runs on, wherever that is:
// localhost, a 127.0.0.0/8 or ::1 address, or an unspecified address (0.0.0.0 and :: connect
// to the local machine on Linux).
func loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}
