package deploy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// testFleet is one local fleet shared by the integration subtests, which run in order: each
// starts from the state the previous one left.
type testFleet struct {
	lf  *localfleet.Fleet
	gen int // the last generation number handed out
}

func startFleet(t testing.TB, hosts []string) *testFleet {
	t.Helper()
	return startFleetWith(t, localfleet.Config{Hosts: hosts})
}

// startFleetWith is startFleet with a config (fleettest.Start chooses its Dir and skips where
// a fleet cannot run).
func startFleetWith(t testing.TB, cfg localfleet.Config) *testFleet {
	t.Helper()
	return &testFleet{lf: fleettest.Start(t, cfg), gen: 1}
}

// inv loads the fleet's generated inventory.
func (f *testFleet) inv(t testing.TB) *inventory.Fleet {
	t.Helper()
	inv, err := inventory.Load(f.lf.InventoryDir())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// next gives the named hosts (all when none) a new generation with variant v.
func (f *testFleet) next(t testing.TB, v localfleet.Variant, names ...string) int {
	t.Helper()
	f.gen++
	if len(names) == 0 {
		for _, h := range f.lf.Hosts() {
			names = append(names, h.Name)
		}
	}
	v.Generation = f.gen
	for _, n := range names {
		if err := f.lf.SetVariant(n, v); err != nil {
			t.Fatal(err)
		}
	}
	return f.gen
}

func testOptions(out *bytes.Buffer) Options {
	return Options{
		KeepGoing: true, Out: out, Progress: parallel.ProgressPlain,
		ConfirmTimeout: 5 * time.Second, ProbeTimeout: 10 * time.Second,
		CopyBackoff: 200 * time.Millisecond, HealthPause: 200 * time.Millisecond,
		Nix: nix.Local(),
		// The hosts' own /run: the lightweight hosts share this machine's /var, whose
		// node_exporter textfile directory (if it has one) is not the tests' to write.
		TextfileDir: "/run/hub-textfile",
	}
}

// trace is the deploy trace host got in its /run/hub-textfile, "" when there is none.
func (f *testFleet) trace(t testing.TB, host string) string {
	t.Helper()
	h, err := f.lf.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(h.RunDir(), "hub-textfile", TextfileName))
	return string(b)
}

// deploy runs a deploy of selection with opts adjusted by tweak.
func (f *testFleet) deploy(t testing.TB, ctx context.Context, selection string, tweak func(*Options, []*inventory.Host)) (*Result, string) {
	t.Helper()
	inv := f.inv(t)
	hosts, err := inv.Select(selection)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts := testOptions(&out)
	if tweak != nil {
		tweak(&opts, hosts)
	}
	e := &command.Executor{}
	defer e.Close()
	res, err := Run(ctx, inv, e, hosts, opts)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	return res, out.String()
}

// deployRebooting deploys host with -reboot through the local fleet's own reboot and requires
// that the host deployed and rebooted.
func (f *testFleet) deployRebooting(t testing.TB, ctx context.Context, host string) {
	t.Helper()
	res, out := f.deploy(t, ctx, host, func(o *Options, _ []*inventory.Host) {
		o.Reboot = true
		o.Rebooter = RebooterFunc(func(ctx context.Context, h *inventory.Host, _ *command.Host, _ time.Duration) error {
			return f.lf.Reboot(ctx, h.Name)
		})
	})
	if h := hostResult(t, res.Report, host); h.Status != parallel.StatusOK || h.Fields["reboot"] != "done" {
		t.Fatalf("%s: %s reboot=%q (%v)\n%s", host, h.Status, h.Fields["reboot"], h.Err, out)
	}
}

// supervising reports whether a deploy supervisor has started on host (it writes its pid first).
func (f *testFleet) supervising(host string) bool {
	h, err := f.lf.Host(host)
	if err != nil {
		return false
	}
	m, _ := filepath.Glob(filepath.Join(h.RunDir(), "hub-deploy", "*", "pid"))
	return len(m) > 0
}

func hostResult(t testing.TB, rep *parallel.Report, host string) parallel.HostResult {
	t.Helper()
	for _, h := range rep.Hosts {
		if h.Host == host {
			return h
		}
	}
	t.Fatalf("no result for %s", host)
	return parallel.HostResult{}
}

// link reads a symlink of the host (its /run or /nix seen from this machine).
func (f *testFleet) link(t testing.TB, host, p string) string {
	t.Helper()
	h, err := f.lf.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(h.Dir, p)
	if rest, ok := strings.CutPrefix(p, "run/"); ok {
		path = filepath.Join(h.RunDir(), rest)
	}
	s, _ := os.Readlink(path)
	return s
}

// generationOf parses the "-g<N>" suffix the local fleet's systems carry.
func generationOf(system string) string {
	i := strings.LastIndex(system, "-g")
	if i < 0 {
		return ""
	}
	return system[i+2:]
}

// consistent checks the invariant every deploy must leave behind, however it ended: the profile's
// current generation exists in the host's store, and the running system is that generation.
func (f *testFleet) consistent(t testing.TB, host string) (running string) {
	t.Helper()
	h, _ := f.lf.Host(host)
	gen := f.link(t, host, "nix/var/nix/profiles/system")
	target := f.link(t, host, "nix/var/nix/profiles/"+gen)
	if _, err := os.Stat(filepath.Join(h.Dir, target)); err != nil || target == "" {
		t.Errorf("%s: the profile's generation %s (%s) is not in the host's store: %v", host, gen, target, err)
	}
	running = f.link(t, host, "run/current-system")
	if running != target {
		t.Errorf("%s: runs %s but the profile (the next boot) is %s", host, running, target)
	}
	return running
}

// reachable proves a NEW ssh connection works.
func reachable(t testing.TB, inv *inventory.Fleet, host string) {
	t.Helper()
	h, _ := inv.Host(host)
	e := &command.Executor{}
	defer e.Close()
	if _, err := e.SSH(h.Name, h.SSH).Ping(context.Background(), 10*time.Second); err != nil {
		t.Errorf("%s is not reachable over ssh: %v", host, err)
	}
}

func TestLocalFleet(t *testing.T) {
	f := startFleet(t, nil)
	ctx := context.Background()
	all := "*"

	t.Run("six hosts deploy in parallel", func(t *testing.T) {
		gen := f.next(t, localfleet.Variant{})
		// Five hosts have node_exporter's textfile directory, one has none.
		for _, name := range f.inv(t).Names() {
			h, err := f.lf.Host(name)
			if err != nil {
				t.Fatal(err)
			}
			if name != "hp" {
				if err := os.MkdirAll(filepath.Join(h.RunDir(), "hub-textfile"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
		res, out := f.deploy(t, ctx, all, nil)
		if res.Report.Failed() > 0 {
			t.Fatalf("failed hosts: %v\n%s", res.Report.Err(), out)
		}
		var total time.Duration
		for _, h := range res.Report.Hosts {
			if h.Status != parallel.StatusOK {
				t.Errorf("%s: %s, want ok", h.Host, h.Status)
			}
			if h.Fields["generation"] != "2" {
				t.Errorf("%s: generation %q, want 2", h.Host, h.Fields["generation"])
			}
			if got := generationOf(f.consistent(t, h.Host)); got != itoa(gen) {
				t.Errorf("%s runs generation g%s, want g%d", h.Host, got, gen)
			}
			// The deploy's trace for node_exporter, where the host has its directory.
			want := `hub_deploy_last_generation{action="switch",result="success",phase=""} 2` + "\n"
			if tr := f.trace(t, h.Host); (h.Host == "hp") != (tr == "") || (tr != "" && !strings.Contains(tr, want)) {
				t.Errorf("%s: deploy trace %q, want %q (none on hp, which has no textfile directory)", h.Host, tr, want)
			}
			total += h.Duration
		}
		// Parallel, not one after another: one after another the run would last the sum of the
		// hosts' durations; in parallel about the longest. Load stretches both alike, so the
		// check holds on a busy machine (speed goals are the deploy benchmark's).
		if res.Report.Duration > total/2 {
			t.Errorf("deploy took %s for hosts that took %s together: they did not run in parallel", res.Report.Duration, total)
		}
		if !strings.Contains(out, "phase build") && !strings.Contains(out, "build") {
			t.Errorf("no build phase in the output:\n%s", out)
		}
	})

	t.Run("unchanged redeploy is a no-op on every host", func(t *testing.T) {
		res, out := f.deploy(t, ctx, all, nil)
		for _, h := range res.Report.Hosts {
			if h.Status != parallel.StatusSkipped || h.Phase != "eval" {
				t.Errorf("%s: %s in phase %s, want skipped in eval\n%s", h.Host, h.Status, h.Phase, out)
			}
		}
	})

	t.Run("build on the target and on a build host", func(t *testing.T) {
		for _, tc := range []struct{ buildOn, buildHost string }{
			{inventory.BuildTarget, ""},
			{inventory.BuildHost, "p620"},
		} {
			gen := f.next(t, localfleet.Variant{}, "razer")
			res, out := f.deploy(t, ctx, "razer", func(o *Options, _ []*inventory.Host) { o.BuildOn, o.BuildHost = tc.buildOn, tc.buildHost })
			if h := hostResult(t, res.Report, "razer"); h.Status != parallel.StatusOK {
				t.Errorf("build on %s %s: %s (%v)\n%s", tc.buildOn, tc.buildHost, h.Status, h.Err, out)
			}
			if got := generationOf(f.consistent(t, "razer")); got != itoa(gen) {
				t.Errorf("build on %s %s: razer runs g%s, want g%d", tc.buildOn, tc.buildHost, got, gen)
			}
		}
	})

	t.Run("a generation that breaks ssh is rolled back by the watchdog", func(t *testing.T) {
		before := f.link(t, "p620", "run/current-system")
		f.next(t, localfleet.Variant{SSHD: localfleet.SSHDDeny}, "p620")
		res, out := f.deploy(t, ctx, "p620", nil)
		h := hostResult(t, res.Report, "p620")
		if h.Status != parallel.StatusFailed || h.FailedPhase != "confirm" || !strings.Contains(h.Err.Error(), "rolled back") {
			t.Fatalf("p620: %s in %s (%v), want failed in confirm with a rollback\n%s", h.Status, h.FailedPhase, h.Err, out)
		}
		// The host's log has the activation's output and the rollback's own.
		for _, want := range []string{"p620 | Checking switch inhibitors... done", "p620 | == rolling back: new ssh connections fail"} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
		if got := f.consistent(t, "p620"); got != before {
			t.Errorf("p620 runs %s after the rollback, want %s", got, before)
		}
		// The trace says the deploy failed, where, and that the host is back on its generation.
		if tr, want := f.trace(t, "p620"), `hub_deploy_last_generation{action="switch",result="failed",phase="confirm"} `; !strings.Contains(tr, want) {
			t.Errorf("p620's deploy trace after the rollback = %q, want %q", tr, want)
		}
		reachable(t, f.inv(t), "p620")
		f.next(t, localfleet.Variant{}, "p620") // later subtests deploy a healthy p620
	})

	t.Run("a failing health check rolls back", func(t *testing.T) {
		before := f.link(t, "razer", "run/current-system")
		f.next(t, localfleet.Variant{}, "razer")
		res, out := f.deploy(t, ctx, "razer", func(o *Options, hs []*inventory.Host) {
			hs[0].Health = append(hs[0].Health, inventory.HealthCheck{Command: "test -e /run/no-such-service", Retries: 2, Timeout: 2 * time.Second})
		})
		h := hostResult(t, res.Report, "razer")
		if h.Status != parallel.StatusFailed || h.FailedPhase != "health" ||
			!strings.Contains(h.Err.Error(), "command test -e /run/no-such-service") || !strings.Contains(h.Err.Error(), "rolled back") {
			t.Fatalf("razer: %s in %s (%v), want failed in health naming the check\n%s", h.Status, h.FailedPhase, h.Err, out)
		}
		if got := f.consistent(t, "razer"); got != before {
			t.Errorf("razer runs %s after the rollback, want %s", got, before)
		}
	})

	t.Run("a down host fails alone", func(t *testing.T) {
		if err := f.lf.Stop(ctx, "dex5550"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := f.lf.Start(ctx, "dex5550"); err != nil {
				t.Fatal(err)
			}
		}()
		gen := f.next(t, localfleet.Variant{})
		res, out := f.deploy(t, ctx, all, nil)
		for _, h := range res.Report.Hosts {
			want := parallel.StatusOK
			if h.Host == "dex5550" {
				want = parallel.StatusFailed
			}
			if h.Status != want {
				t.Errorf("%s: %s (%v), want %s\n%s", h.Host, h.Status, h.Err, want, out)
			}
			if want == parallel.StatusOK && generationOf(f.link(t, h.Host, "run/current-system")) != itoa(gen) {
				t.Errorf("%s did not get generation %d", h.Host, gen)
			}
		}
		if h := hostResult(t, res.Report, "dex5550"); h.FailedPhase != "eval" || !strings.Contains(h.Err.Error(), "hosts:ping") {
			t.Errorf("dex5550 failed in %q with %v, want the eval phase's reachability error", h.FailedPhase, h.Err)
		}
	})

	t.Run("canary mode stops after a failed canary", func(t *testing.T) {
		f.next(t, localfleet.Variant{})
		if err := f.lf.FailNextActivation("hp"); err != nil {
			t.Fatal(err)
		}
		before := map[string]string{}
		for _, h := range f.lf.Hosts() {
			before[h.Name] = f.link(t, h.Name, "run/current-system")
		}
		res, out := f.deploy(t, ctx, all, func(o *Options, _ []*inventory.Host) { o.Canary = "hp" })
		if !strings.Contains(res.Stopped, "the canary failed (hp)") {
			t.Errorf("stopped %q, want the canary named\n%s", res.Stopped, out)
		}
		for _, h := range res.Report.Hosts {
			want := parallel.StatusNotRun
			if h.Host == "hp" {
				want = parallel.StatusFailed
			}
			if h.Status != want {
				t.Errorf("%s: %s (%v), want %s", h.Host, h.Status, h.Err, want)
			}
			if got := f.consistent(t, h.Host); got != before[h.Host] {
				t.Errorf("%s runs %s, want it untouched on %s", h.Host, got, before[h.Host])
			}
		}
	})

	t.Run("a failed batch stops the rollout and -rollbackDone rolls the done hosts back", func(t *testing.T) {
		before := map[string]string{}
		for _, h := range f.lf.Hosts() {
			before[h.Name] = f.link(t, h.Name, "run/current-system")
		}
		f.next(t, localfleet.Variant{})
		if err := f.lf.FailNextActivation("hp"); err != nil {
			t.Fatal(err)
		}
		// Batches: [p620] [dex5550 hp] [p510 razer] [samsung].
		res, out := f.deploy(t, ctx, all, func(o *Options, _ []*inventory.Host) {
			o.Canary, o.Batch, o.RollbackDone = "p620", 2, true
		})
		if !strings.Contains(res.Stopped, "batch 2 failed (hp)") {
			t.Errorf("stopped %q, want batch 2 naming hp\n%s", res.Stopped, out)
		}
		want := map[string]parallel.Status{"p620": parallel.StatusOK, "dex5550": parallel.StatusOK, "hp": parallel.StatusFailed,
			"p510": parallel.StatusNotRun, "razer": parallel.StatusNotRun, "samsung": parallel.StatusNotRun}
		for _, h := range res.Report.Hosts {
			if h.Status != want[h.Host] {
				t.Errorf("%s: %s (%v), want %s", h.Host, h.Status, h.Err, want[h.Host])
			}
			if got := f.consistent(t, h.Host); got != before[h.Host] {
				t.Errorf("%s runs %s, want its system from before the rollout %s", h.Host, got, before[h.Host])
			}
		}
		if res.Rollback == nil || len(res.Rollback.Hosts) != 2 || res.Rollback.Failed() > 0 {
			t.Errorf("rollback of the done hosts: %+v, want p620 and dex5550 rolled back", res.Rollback)
		}
	})

	t.Run("two concurrent deploys to one host: the second is refused", func(t *testing.T) {
		f.next(t, localfleet.Variant{ActivationDelay: 3 * time.Second}, "p510")
		h, _ := f.lf.Host("p510")
		first := make(chan *Result, 1)
		go func() {
			res, _ := f.deploy(t, ctx, "p510", nil)
			first <- res
		}()
		lock := filepath.Join(h.Dir, "run", "hub-deploy.lock")
		waitUntil(t, 60*time.Second, func() bool { _, err := os.Stat(lock); return err == nil })
		res, out := f.deploy(t, ctx, "p510", nil)
		second := hostResult(t, res.Report, "p510")
		if second.Status != parallel.StatusFailed || !errors.Is(second.Err, ErrLocked) || !strings.Contains(second.Err.Error(), Owner()) {
			t.Errorf("second deploy: %s (%v), want refused naming the holder\n%s", second.Status, second.Err, out)
		}
		if r := hostResult(t, (<-first).Report, "p510"); r.Status != parallel.StatusOK {
			t.Errorf("first deploy: %s (%v), want ok", r.Status, r.Err)
		}
		if _, err := os.Stat(lock); err == nil {
			t.Errorf("the lock is still there after both deploys")
		}
	})

	t.Run("ctrl-c mid-deploy leaves every host consistent", func(t *testing.T) {
		before := map[string]string{}
		for _, h := range f.lf.Hosts() {
			before[h.Name] = f.link(t, h.Name, "run/current-system")
		}
		f.next(t, localfleet.Variant{ActivationDelay: 2 * time.Second})
		cctx, cancel := context.WithCancel(ctx)
		h, _ := f.lf.Host("p620")
		pids := filepath.Join(h.Dir, "run", "hub-deploy", "*", "pid")
		old, _ := filepath.Glob(pids)
		go func() {
			// Cancel once p620's supervisor runs: the hosts are mid-activation then.
			waitUntil(t, 60*time.Second, func() bool {
				m, _ := filepath.Glob(pids)
				return len(m) > len(old)
			})
			time.Sleep(500 * time.Millisecond)
			cancel()
		}()
		res, out := f.deploy(t, cctx, all, nil)
		for _, h := range res.Report.Hosts {
			got := f.consistent(t, h.Host)
			if got != before[h.Host] && generationOf(got) != itoa(f.gen) {
				t.Errorf("%s runs %s: neither the old nor the new system", h.Host, got)
			}
			if h.Status == parallel.StatusOK && got == before[h.Host] {
				t.Errorf("%s reported ok but runs its old system", h.Host)
			}
			if h.Status == parallel.StatusCancelled && got != before[h.Host] {
				t.Errorf("%s cancelled but runs the new system", h.Host)
			}
			if _, err := os.Stat(filepath.Join(f.lf.Hosts()[0].Dir, "..", h.Host, "run", "hub-deploy.lock")); err == nil {
				t.Errorf("%s: the deploy lock was left behind", h.Host)
			}
		}
		if hostResult(t, res.Report, "p620").Phase != "activate" {
			t.Errorf("p620 ended in phase %s: the cancel did not come mid-activation", hostResult(t, res.Report, "p620").Phase)
		}
		if res.Report.Failed() == 0 {
			t.Errorf("no host was cancelled: the cancel came too late to test anything\n%s", out)
		}
	})

	t.Run("plan shows the kernel upgrade and the reboot it needs", func(t *testing.T) {
		f.next(t, localfleet.Variant{Kernel: "6.12.1"}, "samsung")
		inv := f.inv(t)
		hosts, _ := inv.Select("samsung")
		e := &command.Executor{}
		defer e.Close()
		plans, err := Plan(ctx, inv, e, hosts, nix.Local(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		p := plans[0]
		if p.Err != nil || p.AlreadyThere || p.Running == p.New || p.NewSize <= 0 || p.RunningSize <= 0 {
			t.Fatalf("plan %+v", p)
		}
		var kinds []string
		for _, c := range p.Changes {
			kinds = append(kinds, c.Kind()+" "+c.Name+" "+versionChange(c))
		}
		for _, want := range []string{"upgraded linux 6.6.0, 6.6.0-modules -> 6.12.1, 6.12.1-modules", "upgraded initrd-linux 6.6.0 -> 6.12.1"} {
			if !slices.Contains(kinds, want) {
				t.Errorf("changes %q lack %q", kinds, want)
			}
		}
		if !slices.Contains(p.RebootParts, "kernel") || slices.Contains(p.RebootParts, "systemd") {
			t.Errorf("reboot parts %v, want kernel but not systemd", p.RebootParts)
		}
	})

	t.Run("reboot when the kernel changed", func(t *testing.T) {
		gen := f.gen
		f.deployRebooting(t, ctx, "samsung")
		if b := f.link(t, "samsung", "run/booted-system"); generationOf(b) != itoa(gen) {
			t.Errorf("samsung booted %s, want generation %d", b, gen)
		}
	})

	t.Run("status, generations and rollback", func(t *testing.T) {
		inv := f.inv(t)
		e := &command.Executor{}
		defer e.Close()
		rows := Status(ctx, e, inv.Hosts, 10*time.Second)
		for _, r := range rows {
			if r.Err != nil || r.State.Current == "" || r.Generation == 0 || r.State.LastDeploy == "" {
				t.Errorf("%s: status %+v (%v), want a running system, a generation and a last deploy", r.Host, r.State, r.Err)
			}
		}
		h, _ := inv.Host("samsung")
		remote := e.SSH(h.Name, h.SSH)
		gens, err := Generations(ctx, remote)
		if err != nil {
			t.Fatal(err)
		}
		last := gens[len(gens)-1]
		if !last.Current || !last.Running || !last.Booted {
			t.Fatalf("newest generation %+v: want it the profile's, running and booted", last)
		}
		prev := gens[len(gens)-2]
		got, err := Rollback(ctx, remote, RollbackOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Number != prev.Number {
			t.Errorf("rolled back to %d, want the previous generation %d", got.Number, prev.Number)
		}
		if running := f.consistent(t, "samsung"); running != prev.Path {
			t.Errorf("samsung runs %s after the rollback, want %s", running, prev.Path)
		}
		gens, _ = Generations(ctx, remote)
		if i := slices.IndexFunc(gens, func(g Generation) bool { return g.Current }); i < 0 || gens[i].Number != prev.Number || !gens[i].Running {
			t.Errorf("after the rollback: %+v, want generation %d current and running", gens, prev.Number)
		}
	})
}

func TestLocalFleetSwitchInhibitors(t *testing.T) {
	f := startFleet(t, []string{"hp"})
	ctx := context.Background()
	before := f.link(t, "hp", "run/current-system")
	gen := f.next(t, localfleet.Variant{Systemd: "256"}, "hp")
	res, out := f.deploy(t, ctx, "hp", nil)
	h := hostResult(t, res.Report, "hp")
	if h.Status != StatusBootOnly || h.Status.Failed() {
		t.Fatalf("hp: %s (%v), want %s\n%s", h.Status, h.Err, StatusBootOnly, out)
	}
	// The new system is the next boot; the running one is untouched until the reboot.
	if got := f.link(t, "hp", "run/current-system"); got != before {
		t.Errorf("hp runs %s after an inhibited switch, want the old %s", got, before)
	}
	profile := f.link(t, "hp", "nix/var/nix/profiles/"+f.link(t, "hp", "nix/var/nix/profiles/system"))
	if generationOf(profile) != itoa(gen) {
		t.Errorf("hp's profile is %s, want generation %d as the next boot", profile, gen)
	}
	if err := f.lf.Reboot(ctx, "hp"); err != nil {
		t.Fatal(err)
	}
	if got := generationOf(f.consistent(t, "hp")); got != itoa(gen) {
		t.Errorf("after the reboot hp runs g%s, want g%d", got, gen)
	}

	// With -reboot, an inhibited switch ends running the new system after a reboot.
	gen = f.next(t, localfleet.Variant{Systemd: "257"}, "hp")
	res, out = f.deploy(t, ctx, "hp", func(o *Options, _ []*inventory.Host) {
		o.Reboot = true
		o.Rebooter = RebooterFunc(func(ctx context.Context, h *inventory.Host, _ *command.Host, _ time.Duration) error {
			return f.lf.Reboot(ctx, h.Name)
		})
	})
	h = hostResult(t, res.Report, "hp")
	if h.Status != parallel.StatusOK || h.Fields["reboot"] != "done" {
		t.Fatalf("hp with -reboot: %s reboot=%q (%v)\n%s", h.Status, h.Fields["reboot"], h.Err, out)
	}
	if got := generationOf(f.consistent(t, "hp")); got != itoa(gen) {
		t.Errorf("after the inhibited switch and reboot hp runs g%s, want g%d", got, gen)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func waitUntil(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
