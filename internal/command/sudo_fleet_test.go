package command_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// A host whose sudo needs a password: the password is asked once for the run, sudo gets it,
// the command's own stdin arrives intact, and the password is in no argv, no environment, no
// echoed command line (HUB_VERBOSE), no output; a wrong one fails at once with sudo's words.
func TestSudoPasswordOnALocalHost(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}}, "sudo", "useradd", "userdel", "chpasswd")
	user, password := fleettest.SudoUser(t, lf)
	inv := fleettest.Inventory(t, lf)
	h, _ := inv.Host("p620")
	ssh := h.SSH
	ssh.User, ssh.Sudo, ssh.SudoPass = user, true, true

	var asked atomic.Int32
	var echo bytes.Buffer
	e := &command.Executor{Echo: &echo, Sudo: &command.SudoPassword{Ask: func(host string) ([]byte, error) {
		asked.Add(1)
		return []byte(password), nil
	}}}
	defer e.Close()
	host := e.SSH("p620", ssh)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var outputs []string
	res, err := host.Run(ctx, command.Cmd{Args: []string{"id", "-un"}})
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "root" {
		t.Fatalf("id -un through sudo: %q, %v", res.Stdout, err)
	}
	outputs = append(outputs, string(res.Stdout), string(res.Stderr))
	res, err = host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", "cat; id -u"}, Stdin: strings.NewReader("payload line\n")})
	if err != nil || string(res.Stdout) != "payload line\n0\n" {
		t.Fatalf("stdin through sudo: %q, %v", res.Stdout, err)
	}
	outputs = append(outputs, string(res.Stdout), string(res.Stderr))

	// While a command runs under sudo, no process on the machine (the hosts share its kernel)
	// has the password in its argv or environment.
	done := make(chan error, 1)
	go func() {
		_, err := host.Run(ctx, command.Cmd{Args: []string{"sleep", "3"}})
		done <- err
	}()
	// The scan finds a password that is in an argv (as `echo PW | sudo -S` would put it).
	planted := exec.Command("sh", "-c", "sleep 2", password)
	if err := planted.Start(); err != nil {
		t.Fatal(err)
	}
	if len(scanProcs(t, password)) == 0 {
		t.Error("the /proc scan does not see a password in an argv")
	}
	planted.Process.Kill()
	planted.Wait()
	deadline := time.Now().Add(2 * time.Second)
	scanned := 0
	for time.Now().Before(deadline) {
		for _, leak := range scanProcs(t, password) {
			t.Errorf("the password is in %s", leak)
		}
		scanned++
		time.Sleep(200 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatalf("sleep through sudo: %v", err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("asked %d times, want once for the run", n)
	}
	for _, s := range append(outputs, echo.String()) {
		if strings.Contains(s, password) {
			t.Errorf("the password shows in %q", s)
		}
	}
	if !strings.Contains(echo.String(), "sudo -A -k") {
		t.Errorf("the echoed command lines do not show the askpass sudo:\n%s", echo.String())
	}
	t.Logf("scanned /proc %d times while sudo ran", scanned)

	wrong := &command.Executor{Sudo: &command.SudoPassword{Ask: func(string) ([]byte, error) { return []byte("not-it"), nil }}}
	defer wrong.Close()
	_, err = wrong.SSH("p620", ssh).Run(ctx, command.Cmd{Args: []string{"true"}, Timeout: 30 * time.Second})
	var xe *command.ExitError
	if !errors.As(err, &xe) || xe.TimedOut || !strings.Contains(xe.Stderr, "incorrect password") {
		t.Errorf("a wrong password: %v", err)
	}

	none := &command.Executor{}
	defer none.Close()
	if _, err := none.SSH("p620", ssh).Run(ctx, command.Cmd{Args: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "sudo needs a password there (ssh.sudo_password)") {
		t.Errorf("no way to ask: %v", err)
	}
}

// scanProcs lists the processes whose argv or environment hold secret.
func scanProcs(t *testing.T, secret string) []string {
	t.Helper()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var leaks []string
	for _, d := range dirs {
		for _, f := range []string{"cmdline", "environ"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err == nil && bytes.Contains(b, []byte(secret)) {
				leaks = append(leaks, filepath.Join(d, f)+": "+strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
	}
	return leaks
}
