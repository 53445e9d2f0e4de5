//go:build deploybench

// Deploy wall time on the local fleet: deploy:all of N hosts at once against the slowest of the
// same hosts deployed one at a time, and against the sum of those single-host deploys (what a
// serial tool such as deploy-rs does).
//
//	go test -tags deploybench -run TestDeployWallTime -v -timeout 30m ./benchmarks/
package benchmarks

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/deploy"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/nix"
	"github.com/nixos-hub/hub/pkg/parallel"
)

func TestDeployWallTime(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the local fleet needs root")
	}
	for _, n := range []int{6, 12} {
		names, err := localfleet.HostNames(n)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := os.MkdirTemp("/tmp", "hb")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		lf, err := localfleet.Up(ctx, localfleet.Config{Dir: dir, Hosts: names})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.Load(lf.InventoryDir())
		if err != nil {
			lf.Down(ctx)
			t.Fatal(err)
		}
		e := &command.Executor{}
		gen := 1
		run := func(hosts []*inventory.Host) time.Duration {
			gen++
			for _, h := range hosts {
				if err := lf.SetVariant(h.Name, localfleet.Variant{Generation: gen}); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			start := time.Now()
			res, err := deploy.Run(ctx, inv, e, hosts, deploy.Options{KeepGoing: true, NixArgs: nix.Local().Args(),
				ConfirmTimeout: 10 * time.Second, Out: &out, Progress: parallel.ProgressPlain})
			d := time.Since(start)
			if err != nil || res.Report.Failed() > 0 {
				t.Fatalf("deploy %d hosts: %v %v\n%s", len(hosts), err, res.Report.Err(), out.String())
			}
			return d
		}
		all := run(inv.Hosts)
		var slowest, serial time.Duration
		for _, h := range inv.Hosts {
			d := run([]*inventory.Host{h})
			slowest = max(slowest, d)
			serial += d
		}
		t.Logf("%d hosts: deploy all %.2fs; slowest single-host deploy %.2fs (ratio %.2f); sequential loop %.2fs (%.1fx the parallel deploy)",
			n, all.Seconds(), slowest.Seconds(), all.Seconds()/slowest.Seconds(), serial.Seconds(), serial.Seconds()/all.Seconds())
		e.Close()
		if err := lf.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
