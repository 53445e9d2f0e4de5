package demo

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/sysdeps"
)

// TestRun plays the README's first command on a real local fleet and checks its story: six hosts
// deployed, p620's bad generation rolled back, the fleet gone afterwards.
func TestRun(t *testing.T) {
	if os.Geteuid() != 0 || testing.Short() {
		t.Skip("integration test: the local fleet needs root")
	}
	for _, tool := range []string{"nix", "unshare", "ssh", "qemu-system-x86_64", "busybox", "dropbear", "dropbearkey", "/vmlinuz"} {
		if _, err := sysdeps.Find(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	dir, err := os.MkdirTemp("/tmp", "hdm")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	story, err := Run(ctx, Options{Dir: dir, ConfirmTimeout: 5 * time.Second, Out: &out})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	t.Logf("story: %q", story)
	if len(story) != 3 || !strings.HasPrefix(story[0], "deployed 6 hosts in parallel") ||
		!strings.Contains(story[1], "rolled back by the watchdog") || !strings.Contains(story[2], "answered over SSH: dev@dev-vm: 2 cpus") {
		t.Errorf("story = %q", story)
	}
	for _, want := range []string{"== 2. fleet status", "failed  confirm", "== tearing the local fleet down"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("fleet directory %s still exists after the demo (%v)", dir, err)
	}
}
