package exporter

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestEnvName(t *testing.T) {
	a := NewApp("hub-nixos-exporter", "test", ":9101")
	for flag, want := range map[string]string{
		"nixos.root":          "HUB_NIXOS_ROOT",
		"nixos.scan-interval": "HUB_NIXOS_SCAN_INTERVAL",
		"web.listen-address":  "HUB_NIXOS_WEB_LISTEN_ADDRESS",
		"log.level":           "HUB_NIXOS_LOG_LEVEL",
	} {
		if got := a.envName(flag); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, want)
		}
	}
}

func TestFlagsFallBackToEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name, env, args, want string
	}{
		{"default", "", "", "/"},
		{"env", "/mnt/sysroot", "", "/mnt/sysroot"},
		{"flag beats env", "/mnt/sysroot", "--nixos.root=/other", "/other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HUB_NIXOS_ROOT", tc.env)
			if tc.env == "" {
				os.Unsetenv("HUB_NIXOS_ROOT")
			}
			a := NewApp("hub-nixos-exporter", "test", ":9101")
			root := a.Flag("nixos.root", "root").Default("/").String()
			var args []string
			if tc.args != "" {
				args = []string{tc.args}
			}
			if err := a.Parse(args); err != nil {
				t.Fatal(err)
			}
			if *root != tc.want {
				t.Errorf("root = %q, want %q", *root, tc.want)
			}
			if got := *a.Web().WebListenAddresses; len(got) != 1 || got[0] != ":9101" {
				t.Errorf("listen = %v, want [:9101]", got)
			}
		})
	}
}

func TestParseRejectsUnknownFlag(t *testing.T) {
	a := NewApp("hub-nixos-exporter", "test", ":9101")
	if err := a.Parse([]string{"--no.such-flag"}); err == nil {
		t.Error("unknown flag accepted")
	}
}

// TestServeBasicAuthAndShutdown drives the real exporter-toolkit listener with a web config that
// demands basic auth, and checks that cancelling the context stops the server.
func TestServeBasicAuthAndShutdown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "web.yml")
	hash, err := bcrypt.GenerateFromPassword([]byte("hunter2"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("basic_auth_users:\n  prom: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := NewApp("hub-test-exporter", "test", addr)
	if err := a.Parse([]string{"--web.config.file=" + cfg}); err != nil {
		t.Fatal(err)
	}
	e := newTest(t, map[string]Collector{"fine": things("fine", 2, nil)})
	mux, err := e.Mux(webLanding())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, a.Web(), mux, a.Logger()) }()
	url := "http://" + addr + "/metrics"
	var resp *http.Response
	for i := 0; i < 50; i++ {
		if resp, err = http.Get(url); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without credentials: status %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("prom", "hunter2")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "hub_test_things") {
		t.Errorf("with credentials: status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
