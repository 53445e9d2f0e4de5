package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

const (
	sysA = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-p620-24.11.20250101"
	sysB = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-p620-24.11.20250201"
)

func TestParseState(t *testing.T) {
	tests := []struct {
		name          string
		out           string
		want          State
		rebootNeeded  bool
		newRebootPart []string
	}{
		{
			name: "current is booted",
			out: "current=" + sysA + "\nbooted=" + sysA + "\nprofile=system-7-link\nprofile_path=" + sysA + "\nsystemd=1\nlast=\n" +
				"booted_kernel=/k1\ncurrent_kernel=/k1\nbooted_initrd=/i1\ncurrent_initrd=/i1\n",
			want: State{Current: sysA, Booted: sysA, Profile: sysA, Generation: 7, Systemd: true},
		},
		{
			name: "kernel changed since boot, new system changes systemd",
			out: "current=" + sysB + "\nbooted=" + sysA + "\nprofile=system-8-link\nprofile_path=" + sysB + "\nsystemd=0\nlast=2025-02-01T10:00:00Z root@hub switch " + sysB + "\n" +
				"booted_kernel=/k1\ncurrent_kernel=/k2\nnew_kernel=/k1\nbooted_systemd=/s1\ncurrent_systemd=/s1\nnew_systemd=/s2\n",
			want: State{Current: sysB, Booted: sysA, Profile: sysB, Generation: 8, LastDeploy: "2025-02-01T10:00:00Z root@hub switch " + sysB,
				RebootParts: []string{"kernel"}, NewRebootParts: []string{"systemd"}},
			rebootNeeded: true,
		},
		{
			name: "fresh machine without a profile",
			out:  "current=\nbooted=\nprofile=\nprofile_path=\nsystemd=0\n",
			want: State{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseState(tt.out)
			if got.Current != tt.want.Current || got.Booted != tt.want.Booted || got.Profile != tt.want.Profile ||
				got.Generation != tt.want.Generation || got.Systemd != tt.want.Systemd || got.LastDeploy != tt.want.LastDeploy ||
				!slices.Equal(got.RebootParts, tt.want.RebootParts) || !slices.Equal(got.NewRebootParts, tt.want.NewRebootParts) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.RebootNeeded() != tt.rebootNeeded {
				t.Errorf("RebootNeeded = %t, want %t", got.RebootNeeded(), tt.rebootNeeded)
			}
		})
	}
}

func TestCurrent(t *testing.T) {
	tests := []struct {
		action Action
		st     State
		want   bool
	}{
		{Switch, State{Current: sysA, Profile: sysA}, true},
		{Switch, State{Current: sysA, Profile: sysB}, false}, // a test deploy left the profile behind
		{Boot, State{Current: sysB, Profile: sysA}, true},
		{Test, State{Current: sysA, Profile: sysB}, true},
		{DryActivate, State{Current: sysA, Profile: sysA}, false},
	}
	for _, tt := range tests {
		if got := current(tt.action, tt.st, sysA); got != tt.want {
			t.Errorf("current(%s, %+v) = %t, want %t", tt.action, tt.st, got, tt.want)
		}
	}
}

func TestRolloutBatches(t *testing.T) {
	hosts := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		name string
		opts Options
		want [][]string
		err  string
	}{
		{"all at once", Options{}, [][]string{{"a", "b", "c", "d", "e"}}, ""},
		{"canary then the rest", Options{Canary: "c"}, [][]string{{"c"}, {"a", "b", "d", "e"}}, ""},
		{"canary then batches of 2", Options{Canary: "a", Batch: 2}, [][]string{{"a"}, {"b", "c"}, {"d", "e"}}, ""},
		{"batches of 3", Options{Batch: 3}, [][]string{{"a", "b", "c"}, {"d", "e"}}, ""},
		{"canary with max unavailable", Options{Canary: "e", MaxUnavailable: 3}, [][]string{{"e"}, {"a", "b", "c"}, {"d"}}, ""},
		{"unknown canary", Options{Canary: "z"}, nil, `canary "z" is not among the selected hosts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newRollout(hosts, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(r.Batches(), tt.want, slices.Equal) {
				t.Errorf("batches %v, want %v", r.Batches(), tt.want)
			}
		})
	}
}

func TestRolloutStopsAfterFailedBatch(t *testing.T) {
	r, err := newRollout([]string{"a", "b", "c", "d"}, Options{Canary: "a", Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	r.finished("a", nil)
	if err := r.wait(t.Context(), "b"); err != nil {
		t.Fatalf("batch 2 blocked after a good canary: %v", err)
	}
	r.finished("b", errors.New("boom"))
	r.finished("c", parallel.Skip("current"))
	err = r.wait(t.Context(), "d")
	var se *parallel.StatusError
	if !errors.As(err, &se) || se.Status != parallel.StatusNotRun || !strings.Contains(err.Error(), "batch 2 failed (b)") {
		t.Errorf("batch 3 after a failed batch 2: %v, want not-run naming b", err)
	}
	if r.stoppedReason() != "rollout stopped: batch 2 failed (b)" {
		t.Errorf("stopped %q", r.stoppedReason())
	}
}

func TestParsePackage(t *testing.T) {
	tests := []struct{ path, name, version string }{
		{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-openssh-9.6p1", "openssh", "9.6p1"},
		{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-p620-25.11.localfleet-g3", "nixos-system-p620", "25.11.localfleet-g3"},
		{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-linux-6.6.0-modules", "linux", "6.6.0-modules"},
		{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-etc", "etc", ""},
		{"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-python3.11-requests-2.31.0", "python3.11-requests", "2.31.0"},
	}
	for _, tt := range tests {
		if got := ParsePackage(tt.path); got.Name != tt.name || got.Version != tt.version {
			t.Errorf("ParsePackage(%s) = %+v, want {%s %s}", tt.path, got, tt.name, tt.version)
		}
	}
}

func store(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, "/nix/store/"+strings.Repeat("x", 32)+"-"+n)
	}
	return out
}

func TestPlanRendering(t *testing.T) {
	before := store("openssh-9.6p1", "nginx-1.24.0", "etc", "linux-6.6.0", "old-tool-1.0")
	after := store("openssh-9.7p1", "nginx-1.24.0", "etc", "linux-6.12.1", "grafana-10.4.1")
	plans := []HostPlan{
		{Host: "p620", Running: sysA, New: sysB, RunningSize: 3 << 30, NewSize: 3<<30 + 200<<20,
			Changes: DiffClosures(before, after), RebootParts: []string{"kernel", "initrd", "kernel-modules"}},
		{Host: "p510", Running: sysA, New: sysA, RunningSize: 2 << 30, NewSize: 2 << 30, AlreadyThere: true},
		{Host: "razer", Err: errors.New("razer: ssh: connect to host razer port 22: No route to host\nmore")},
	}
	var b bytes.Buffer
	if err := WritePlan(&b, plans); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.golden", b.Bytes())
}

func TestStatusRendering(t *testing.T) {
	rows := []HostStatus{
		{Host: "dex5550", Generation: 41, State: State{Current: sysB, Booted: sysB, Profile: sysB, LastDeploy: "2025-02-01T10:00:00Z root@hub switch " + sysB}},
		{Host: "p620", Generation: 12, State: State{Current: sysB, Booted: sysA, Profile: sysB, RebootParts: []string{"kernel", "initrd"}}},
		{Host: "razer", Generation: 7, State: State{Current: sysA, Booted: sysA, Profile: sysB, LastDeploy: "2025-01-03T08:00:00Z ops@laptop boot " + sysB}},
		{Host: "samsung", Err: errors.New("samsung: ssh: exit status 255: Connection refused")},
	}
	var b bytes.Buffer
	if err := WriteStatus(&b, rows); err != nil {
		t.Fatal(err)
	}
	golden(t, "status.golden", b.Bytes())
}

func TestGenerations(t *testing.T) {
	out := "gen\tsystem-2-link\t1735725600\t" + sysA + "\n" +
		"gen\tsystem-10-link\t1738404000\t" + sysB + "\n" +
		"gen\tsystem-3-link\t1736000000\t/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-p620-24.11.20250105\n" +
		"profile\tsystem-10-link\ncurrent\t" + sysB + "\nbooted\t" + sysA + "\n"
	gens := parseGenerations(out)
	if got := []int{gens[0].Number, gens[1].Number, gens[2].Number}; !slices.Equal(got, []int{2, 3, 10}) {
		t.Fatalf("generations %v, want sorted 2 3 10", got)
	}
	var b bytes.Buffer
	if err := WriteGenerations(&b, gens); err != nil {
		t.Fatal(err)
	}
	golden(t, "generations.golden", b.Bytes())
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&command.ExitError{ExitCode: 255}, true},
		{&command.ExitError{ExitCode: 1, Stderr: "error: cannot connect to 'root@h'"}, true},
		{&command.ExitError{ExitCode: 1, Stderr: "Connection reset by peer"}, true},
		{&command.ExitError{ExitCode: 1, Stderr: "error: path '/nix/store/x' is not valid"}, false},
		{&command.ExitError{ExitCode: 1, Stderr: "error: writing to file: No space left on device"}, false},
		{errors.New("exec: nix: not found"), false},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%v) = %t, want %t", tt.err, got, tt.want)
		}
	}
}

func TestHealthBudget(t *testing.T) {
	h := &inventory.Host{Deploy: inventory.Deploy{SystemRunning: inventory.SystemIgnore},
		Health: []inventory.HealthCheck{{TCP: "x:1", Retries: 3, Timeout: 5 * time.Second}, {Command: "true"}}}
	o := Options{HealthPause: time.Second}
	// 30s margin + 3*(5s+1s)+1s + 1*(10s+1s)+1s
	if got, want := healthBudget(h, o), 61*time.Second; got != want {
		t.Errorf("budget %s, want %s", got, want)
	}
	o.Emergency = true
	if got := healthBudget(h, o); got != 30*time.Second {
		t.Errorf("emergency budget %s, want the 30s margin", got)
	}
}

func TestConfirmGuarded(t *testing.T) {
	hosts := []*inventory.Host{{Name: "p620"}, {Name: "p510", Guarded: true}}
	tests := []struct {
		name        string
		hosts       []*inventory.Host
		yes, tty    bool
		input       string
		err         string
		skip        string // the hosts skipped
		out         string // a line the output must have
		wantPrompts int
	}{
		{"yes confirms, and says so", hosts, true, false, "", "", "", "p510 is guarded (guarded = true in host.toml): confirmed by -yes", 0},
		{"typed name confirms", hosts, false, true, "p510\n", "", "", "", 1},
		{"wrong name refuses", hosts, false, true, "p620\n", `confirmation "p620" does not match`, "", "", 1},
		{"end of input refuses", hosts, false, true, "", "no confirmation", "", "", 1},
		{"no terminal skips the guarded host, the rest go on", hosts, false, false, "p510\n", "", "p510",
			"p510 is guarded (guarded = true in host.toml) and there is no terminal to confirm on: skipped (run interactively, or pass -yes)", 0},
		{"no terminal and only guarded hosts refuses", hosts[1:], false, false, "", "no terminal to confirm on", "", "", 0},
		{"unguarded hosts need no confirmation", hosts[:1], false, false, "", "", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			skip, err := ConfirmGuarded(tt.hosts, tt.yes, tt.tty, strings.NewReader(tt.input), &out, "deploy")
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("err %v, want %q", err, tt.err)
			}
			if got := strings.Join(slices.Sorted(maps.Keys(skip)), ","); got != tt.skip {
				t.Errorf("skipped %q, want %q", got, tt.skip)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output %q lacks %q", out.String(), tt.out)
			}
			if n := strings.Count(out.String(), "Type its name"); n != tt.wantPrompts {
				t.Errorf("%d prompts, want %d", n, tt.wantPrompts)
			}
		})
	}
}

// A host in Options.Skip is neither evaluated nor touched, and ends "skipped" with its reason.
func TestSkippedHostIsNotTouched(t *testing.T) {
	var out, cmds bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &cmds, ControlDir: "/tmp/ctl"}
	mk := func(name string) *inventory.Host {
		return &inventory.Host{Name: name, SSH: inventory.SSH{Destination: name + ".example", User: "root"},
			Build: inventory.Build{On: inventory.BuildLocal}, Deploy: inventory.Deploy{ConfirmTimeout: time.Second, SystemRunning: inventory.SystemIgnore}}
	}
	fleet := &inventory.Fleet{Flake: "/src/hub", Hosts: []*inventory.Host{mk("web1"), mk("db1")}}
	res, err := Run(t.Context(), fleet, e, fleet.Hosts, Options{Out: &out, Progress: parallel.ProgressPlain,
		Skip: map[string]string{"db1": "guarded, no terminal to confirm on: run interactively or pass -yes"}})
	if err != nil {
		t.Fatal(err)
	}
	if h := hostResult(t, res.Report, "db1"); h.Status != parallel.StatusSkipped || h.Err == nil || !strings.Contains(h.Err.Error(), "guarded") {
		t.Errorf("db1: %s (%v), want skipped, guarded", h.Status, h.Err)
	}
	if h := hostResult(t, res.Report, "web1"); h.Status != parallel.StatusOK {
		t.Errorf("web1: %s (%v)", h.Status, h.Err)
	}
	// Its address in an ssh or copy line, or its name in the evaluation's host list: not "db1"
	// anywhere, which a random deploy id (de0db1...) can contain.
	if c := cmds.String(); strings.Contains(c, "db1.example") || strings.Contains(c, `"db1"`) {
		t.Errorf("the skipped host was evaluated or reached:\n%s", c)
	}
	if _, err := Run(t.Context(), fleet, e, fleet.Hosts[1:], Options{Out: &out, Skip: map[string]string{"db1": "guarded"}}); err == nil {
		t.Error("a run with every host skipped must fail, not report success")
	}
}

// TestDryRunCommands walks the whole pipeline with nothing run, and checks the commands it would
// run, in order, for each kind of build placement.
func TestDryRunCommands(t *testing.T) {
	tests := []struct {
		name    string
		buildOn string
		want    []string // substrings, in order, of the dry-run lines
		// sessions are the host's ssh sessions in order, each named by its script's $0 (and
		// what it sends first or waits for; "end" releases the lock and writes the trace);
		// "fresh" is a new connection instead of the shared master. Each costs an ssh client here and an sshd session, a login shell and
		// sh on the host: merging them is what keeps a deploy's CPU per host down.
		sessions []string
	}{
		{"local build", inventory.BuildLocal, []string{
			"local: nix eval", "#nixosConfigurations", "--apply",
			"web1: ssh", "current=/run/current-system",
			"local: nix-store --check-validity",
			"local: nix copy", "--to ssh://root@web1.example",
			"web1: ssh", "mkdir \"$l\"",
			"web1: ssh", "supervise.sh", "switch",
			"web1: ssh -o BatchMode=yes -o ControlMaster=no -o ControlPath=none", "printf '",
			"confirm '", "confirmed done",
			"web1: ssh", "commit root@", "done",
		}, []string{"probe", "lock with boot space", "start and wait status done", "fresh wait confirm: confirmed done",
			"wait commit: done", "probe with record", "end"}},
		{"build on target", inventory.BuildTarget, []string{
			"local: nix eval",
			"local: nix copy", "--derivation --to ssh://root@web1.example",
			"web1: ssh", "nix-store --realise",
			"web1: ssh", "supervise.sh",
		}, []string{"probe", "realise", "lock with boot space", "start and wait status done", "fresh wait confirm: confirmed done",
			"wait commit: done", "probe with record", "end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, cmds bytes.Buffer
			e := &command.Executor{DryRun: true, Out: &cmds, ControlDir: "/tmp/ctl"}
			h := &inventory.Host{Name: "web1", SSH: inventory.SSH{Destination: "web1.example", User: "root"},
				Build:  inventory.Build{On: tt.buildOn},
				Deploy: inventory.Deploy{BootMinFreeMiB: 200, ConfirmTimeout: time.Second, SystemRunning: inventory.SystemIgnore},
				Health: []inventory.HealthCheck{{TCP: "$HOST:22"}}}
			fleet := &inventory.Fleet{Flake: "/src/hub", Hosts: []*inventory.Host{h}}
			res, err := Run(t.Context(), fleet, e, fleet.Hosts, Options{Out: &out, Progress: parallel.ProgressPlain})
			if err != nil {
				t.Fatal(err)
			}
			if r := res.Report.Hosts[0]; r.Status != parallel.StatusOK {
				t.Fatalf("dry run ended %s: %v\n%s", r.Status, r.Err, out.String())
			}
			rest := cmds.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("dry-run commands lack %q (in order) after:\n%s\n\nall:\n%s", w, rest, cmds.String())
				}
				rest = rest[i+len(w):]
			}
			if got := sessions(cmds.String(), "web1"); !slices.Equal(got, tt.sessions) {
				t.Errorf("ssh sessions with the host:\n got %q\nwant %q", got, tt.sessions)
			}
			// The real fleet's commands never carry the local fleet's offline settings.
			for _, o := range nix.Local().Options {
				if !slices.Contains(nix.Real().Options, o) && strings.Contains(cmds.String(), o.Name) {
					t.Errorf("a real deploy passes the local fleet's %s:\n%s", o.Name, cmds.String())
				}
			}
			if !strings.Contains(out.String(), "dry run: health checks not run") {
				t.Errorf("no note that health checks were skipped:\n%s", out.String())
			}
		})
	}
}

// sessions names the dry-run ssh commands to host in order (TestDryRunCommands).
func sessions(dry, host string) []string {
	var out []string
	for _, c := range strings.Split("\n"+dry, "\n[dry-run] ")[1:] {
		if !strings.HasPrefix(c, host+": ssh ") {
			continue
		}
		name := "?"
		// A script's $0 follows its closing quote: sh -c '...' NAME ARGS.
		if m := scriptName.FindAllStringSubmatch(c, -1); m != nil {
			last := m[len(m)-1]
			name = last[1]
			switch name {
			case "wait": // id, what it sends first ("-": nothing), its content, the files it waits for
				args := strings.Fields(strings.TrimRight(last[2], "'\n"))
				name = "wait " + strings.Join(args[3:], " ")
				if args[1] != "-" {
					name = "wait " + args[1] + ": " + strings.Join(args[3:], " ")
				}
			case "start": // id action system profile magic confirm health, then the files it waits for
				if args := strings.Fields(strings.TrimRight(last[2], "'\n")); len(args) > 7 {
					name = "start and wait " + strings.Join(args[7:], " ")
				}
			case "probe": // new system, and the deploy's record (time owner action system)
				if recordTime.MatchString(last[2]) {
					name = "probe with record"
				}
			}
		}
		switch {
		case name == "lock" && strings.HasSuffix(strings.TrimRight(c, "'\n"), " 200"):
			name = "lock with boot space" // deploy.boot_min_free_mib, the script's last argument
		case strings.Contains(c, "nix-store --realise"):
			name = "realise"
		}
		if strings.Contains(c, "ControlPath=none") {
			name = "fresh " + name
		}
		out = append(out, name)
	}
	return out
}

var (
	scriptName = regexp.MustCompile(`'\\'' ([a-z]+)([^\n]*)`)
	recordTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ `)
)

func TestRunRejectsBadBuildOptions(t *testing.T) {
	h := &inventory.Host{Name: "web1", File: "hosts/web1/host.toml", SSH: inventory.SSH{Destination: "web1"}, Build: inventory.Build{On: inventory.BuildLocal}}
	fleet := &inventory.Fleet{Flake: "/src/hub", Hosts: []*inventory.Host{h}}
	tests := []struct {
		name string
		opts Options
		err  string
	}{
		{"unknown placement", Options{BuildOn: "cloud"}, `-buildOn "cloud": want local, target or host`},
		{"unknown build host", Options{BuildHost: "nope"}, `build host "nope" is not in the inventory (hosts: web1)`},
		{"build host placement without a host", Options{BuildOn: inventory.BuildHost}, "web1 has no build.host in hosts/web1/host.toml; name one with -buildHost NAME"},
		{"unknown canary", Options{Canary: "db1"}, `canary "db1" is not among the selected hosts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &command.Executor{DryRun: true, Out: io.Discard}
			_, err := Run(t.Context(), fleet, e, fleet.Hosts, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err %v, want %q", err, tt.err)
			}
		})
	}
}

// An interrupted start must not be reported as "nothing changed" when the supervisor runs.
func TestLaunched(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("writes under " + stateRoot)
	}
	local := (&command.Executor{}).Local()
	ctx := context.Background()
	id := fmt.Sprintf("launched-test-%d", os.Getpid())
	dir := filepath.Join(stateRoot, id)
	t.Cleanup(func() { os.RemoveAll(dir) })
	a := activation{id: id}
	if a.launched(ctx, local) {
		t.Error("no supervisor directory: launched = true, want false")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(500 * time.Millisecond) // the supervisor writes its pid a moment after setsid -f
		os.WriteFile(filepath.Join(dir, "pid"), []byte("1\n"), 0o600)
	}()
	if !a.launched(ctx, local) {
		t.Error("pid written after 0.5 s: launched = false, want true")
	}
	unreachable := (&command.Executor{}).SSH("gone", inventory.SSH{Destination: "127.0.0.1", Port: 1})
	if !a.launched(ctx, unreachable) {
		t.Error("unreachable host: launched = false, want true (the hub cannot know)")
	}
}

func TestConfirmPlan(t *testing.T) {
	changed := []HostPlan{{Host: "p620", Running: "/nix/store/aaa-nixos-system-p620-g1", New: "/nix/store/bbb-nixos-system-p620-g2", RunningSize: -1, NewSize: -1},
		{Host: "razer", Running: "/nix/store/ccc-nixos-system-razer-g1", New: "/nix/store/ccc-nixos-system-razer-g1", RunningSize: -1, NewSize: -1}}
	same := changed[1:]
	tests := []struct {
		name, input string
		plans       []HostPlan
		err, out    string
	}{
		{"yes goes on", "yes\n", changed, "", "Deploy to 1 host(s) as shown? Type yes to go on: "},
		{"anything else stops", "y\n", changed, `answer "y" is not yes: nothing was deployed`, "p620"},
		{"end of input stops", "", changed, "no answer (EOF): nothing was deployed", ""},
		{"nothing to change asks nothing", "", same, "", "nothing changes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := ConfirmPlan(strings.NewReader(tt.input), &out, tt.plans)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output %q lacks %q", out.String(), tt.out)
			}
		})
	}
}

// TestLaunch: the supervisor's start and the wait for its first answer are one session (launch).
// Cut short after the start (Ctrl-C here), it reports the supervisor as started and, with
// keepWaiting, goes on waiting for its end over a new session; a start the host refused is not
// started, without asking the host again.
func TestLaunch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("writes under " + stateRoot)
	}
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		t.Skip("this machine runs systemd: the start would make a transient unit of it")
	}
	sys := t.TempDir()
	if err := os.MkdirAll(filepath.Join(sys, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, "bin", "switch-to-configuration"), []byte("#!/bin/sh\nsleep 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	local := (&command.Executor{}).Local()
	for i, tc := range []struct {
		name        string
		cancel      bool
		keepWaiting bool
		refuse      bool
		started     bool
		err         error
		result      string
	}{
		{name: "uninterrupted", started: true, result: "activated"},
		{name: "Ctrl-C after the start, kept waiting", cancel: true, keepWaiting: true, started: true, result: "activated"},
		{name: "Ctrl-C after the start", cancel: true, started: true, err: context.Canceled},
		{name: "the start refused", refuse: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := fmt.Sprintf("launch-test-%d-%d", os.Getpid(), i)
			dir := filepath.Join(stateRoot, id)
			t.Cleanup(func() { os.RemoveAll(dir) })
			if tc.refuse {
				// mkdir -p of the supervisor's directory fails on a file of that name.
				if err := os.MkdirAll(stateRoot, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(dir, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			a := activation{id: id, action: Test, out: sys, profileOp: "none", confirm: time.Second, health: time.Second}
			files, started, err := a.launch(ctx, local, time.Now().Add(30*time.Second), tc.keepWaiting, "done")
			if started != tc.started || (tc.err != nil && !errors.Is(err, tc.err)) || (tc.err == nil && tc.started && err != nil) || (!tc.started && err == nil) {
				t.Fatalf("launch: started %t, err %v; want started %t, err %v", started, err, tc.started, tc.err)
			}
			if files["result"] != tc.result {
				t.Errorf("result %q, want %q (files %v)", files["result"], tc.result, files)
			}
			if tc.cancel && !tc.keepWaiting {
				// The supervisor goes on by itself: let it end before its directory goes.
				if _, err := a.wait(context.Background(), local, time.Now().Add(30*time.Second), "done"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
