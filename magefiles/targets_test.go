package main

// Tests of targets through a real `go tool mage` process (the compiled magefiles, as a user runs
// them) against a local fleet: what the target adds to the packages it calls (arguments, the
// fan-out, the summary, the exit status). This file has no mage build tag, so mage itself never
// compiles it.

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/syncbuffer"
)

// runTarget runs the compiled mage binary with args on the local fleet lf and returns its
// combined output and exit status.
func runTarget(t *testing.T, bin, root string, lf *localfleet.Fleet, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HUB_FLEET=local", localfleet.EnvDir+"="+lf.Dir())
	out, err := cmd.CombinedOutput()
	var xe *exec.ExitError
	if err != nil && !errors.As(err, &xe) {
		t.Fatalf("%s: %v", args, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// hosts:exec, hosts:status and secrets:status through the compiled magefiles on a local fleet.
func TestHostsExecAndStatusTargets(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "hosts:exec", "*", "echo out-$((40+2)); echo err-line >&2")
	if code != 0 {
		t.Fatalf("hosts:exec exit %d:\n%s", code, out)
	}
	for _, h := range []string{"p620", "razer"} {
		for _, line := range []string{"out-42", "err-line"} {
			if !containsLine(out, h, line) {
				t.Errorf("hosts:exec output has no %q line for %s:\n%s", line, h, out)
			}
		}
	}

	out, code = runTarget(t, bin, root, lf, "hosts:exec", "razer", "exit 3", "-json")
	if code == 0 {
		t.Fatalf("a failing command exited 0:\n%s", out)
	}
	var rep struct {
		Hosts []struct {
			Host   string            `json:"host"`
			Status string            `json:"status"`
			Fields map[string]string `json:"fields"`
		} `json:"hosts"`
	}
	if i, j := strings.Index(out, "{"), strings.LastIndex(out, "}"); i < 0 || j < i {
		t.Fatalf("hosts:exec -json printed no JSON:\n%s", out)
	} else if err := json.Unmarshal([]byte(out[i:j+1]), &rep); err != nil {
		t.Fatalf("hosts:exec -json: %v\n%s", err, out)
	}
	if len(rep.Hosts) != 1 || rep.Hosts[0].Status != "failed" || rep.Hosts[0].Fields["exit"] != "3" {
		t.Errorf("hosts:exec -json razer 'exit 3' = %+v", rep.Hosts)
	}

	out, code = runTarget(t, bin, root, lf, "hosts:status", "*")
	if code != 0 {
		t.Fatalf("hosts:status exit %d:\n%s", code, out)
	}
	for _, col := range []string{"UPTIME", "MEMORY", "STORE", "GENERATION", "FAILED-UNITS"} {
		if !strings.Contains(strings.ToUpper(out), col) {
			t.Errorf("hosts:status summary lacks a %s column:\n%s", col, out)
		}
	}
	t.Logf("hosts:status:\n%s", out)
	if !strings.Contains(out, "1 of 1") || !strings.Contains(out, "no systemd") {
		t.Errorf("hosts:status does not show the hosts' generation and units:\n%s", out)
	}

	// secrets:status through internal/secrets' job: the agenix and secrets columns per host.
	out, code = runTarget(t, bin, root, lf, "secrets:status", "*")
	if code != 0 || !strings.Contains(out, "AGENIX") || !containsLine(out, "p620", "agenix unit: no systemd") || !containsLine(out, "razer", "agenix unit: no systemd") {
		t.Errorf("secrets:status: exit %d:\n%s", code, out)
	}
}

// A rehearsal: fleet:stage changes a local host's next system, deploy:plan shows it (it was
// always "unchanged" before: nothing but a hand edit of variants.json could change a local host),
// and deploy:hosts rolls it out.
func TestStageAndRehearseOnTheLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "fleet:stage", "p620", "-sshd=sideways")
	if code == 0 || !strings.Contains(out, `sshd variant "sideways": want ok, deny or port`) {
		t.Errorf("a bad -sshd: exit %d:\n%s", code, out)
	}
	out, code = runTarget(t, bin, root, lf, "fleet:stage", "p620", "-kernel=6.12.1")
	if code != 0 || !strings.Contains(out, "p620: staged generation 2: kernel 6.12.1") {
		t.Fatalf("fleet:stage: exit %d:\n%s", code, out)
	}
	out, code = runTarget(t, bin, root, lf, "deploy:plan", "*")
	if code != 0 {
		t.Fatalf("deploy:plan: exit %d:\n%s", code, out)
	}
	var p620, razer string
	for _, l := range strings.Split(out, "\n") {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "p620":
			p620 += l + "\n"
		case len(f) > 0 && f[0] == "razer":
			razer += l + "\n"
		}
	}
	if !strings.Contains(p620, "-g2") || !strings.Contains(p620, "kernel") || strings.Contains(p620, "unchanged") {
		t.Errorf("deploy:plan does not show p620's staged kernel:\n%s", out)
	}
	if !strings.Contains(razer, "unchanged") {
		t.Errorf("deploy:plan shows a change on razer, which nothing staged:\n%s", out)
	}
	out, code = runTarget(t, bin, root, lf, "deploy:hosts", "p620")
	if code != 0 {
		t.Fatalf("deploy:hosts p620: exit %d:\n%s", code, out)
	}
	h, _ := lf.Host("p620")
	if cur, _ := os.Readlink(filepath.Join(h.RunDir(), "current-system")); !strings.HasSuffix(cur, "-g2") {
		t.Errorf("p620 runs %s after the rehearsal, want generation 2", cur)
	}

	// A change deployed without deploy:plan first is built by the deploy: its build view shows
	// p620's progress from nix's internal-json log, and the builders' own lines go to the run's
	// logs only.
	if out, code = runTarget(t, bin, root, lf, "fleet:stage", "p620", "-kernel=6.12.2"); code != 0 {
		t.Fatalf("fleet:stage: exit %d:\n%s", code, out)
	}
	out, code = runTarget(t, bin, root, lf, "deploy:hosts", "p620")
	if code != 0 {
		t.Fatalf("deploy:hosts p620: exit %d:\n%s", code, out)
	}
	var last string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "p620 | build: ") {
			last = l
		}
		if strings.Contains(l, "@nix {") {
			t.Errorf("nix's JSON events reached the console: %s", l)
		}
	}
	if !strings.Contains(last, " built, ") || !strings.Contains(last, " 0 remaining") {
		t.Errorf("no final build progress line for p620 (last %q):\n%s", last, out)
	}
	runDir := ""
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "logs in "); ok && runDir == "" {
			runDir = filepath.Join(root, strings.TrimSpace(rest))
		}
	}
	if log, err := os.ReadFile(filepath.Join(runDir, "p620", "build.log")); err != nil || !strings.Contains(string(log), "build: ") || !strings.Contains(string(log), " will be built:") {
		t.Errorf("p620/build.log in %s lacks the build view and nix's messages (%v):\n%s", runDir, err, log)
	}

	// The deploy's phase times are kept with its run: deploy:times reads them back.
	out, code = runTarget(t, bin, root, lf, "deploy:times", "p620", "-last=1", "-json")
	if code != 0 {
		t.Fatalf("deploy:times: exit %d:\n%s", code, out)
	}
	var times struct {
		Runs []struct {
			Name  string `json:"name"`
			Hosts []struct {
				Host   string `json:"host"`
				Phases []struct {
					Name    string  `json:"name"`
					Seconds float64 `json:"duration_seconds"`
				} `json:"phases"`
			} `json:"hosts"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &times); err != nil {
		t.Fatalf("deploy:times -json: %v\n%s", err, out)
	}
	var phases []string
	if len(times.Runs) == 1 && len(times.Runs[0].Hosts) == 1 {
		for _, p := range times.Runs[0].Hosts[0].Phases {
			phases = append(phases, p.Name)
		}
	}
	for _, want := range []string{"eval", "build", "copy", "activate", "health"} {
		if !slices.Contains(phases, want) {
			t.Errorf("deploy:times p620 has no %s phase (phases %v):\n%s", want, phases, out)
		}
	}
	out, code = runTarget(t, bin, root, lf, "deploy:times", "p620", "-last=1")
	if code != 0 || !strings.Contains(out, "BUILD") || !strings.Contains(out, "median / slowest / latest") {
		t.Errorf("deploy:times p620: exit %d:\n%s", code, out)
	}
}

// containsLine reports whether out has a line naming host that ends with text.
func containsLine(out, host, text string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, host) && strings.HasSuffix(strings.TrimSpace(l), text) {
			return true
		}
	}
	return false
}

// TestUnknownHostNamed: every target that takes one HOST answers a typo with the same line,
// naming the inventory and its hosts, and exits nonzero before doing anything.
func TestUnknownHostNamed(t *testing.T) {
	bin, root := fleettest.Mage(t)
	f, err := inventory.Load(filepath.Join(root, "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	want := `no host "nosuch" in ` + f.Dir + ` (hosts: ` + strings.Join(f.Names(), ", ") + ")"
	for _, args := range [][]string{
		{"hosts:show", "nosuch"},
		{"backup:restore", "nosuch", "latest", "-target=/tmp/x"},
		{"deploy:generations", "nosuch"},
		{"perf:compare", "nosuch", "1", "2"},
		{"recovery:host", "nosuch", "-yes"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "HUB_FLEET=")
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() == 0 || !strings.Contains(string(out), want) {
			t.Errorf("%s: exit %d, output lacks %q:\n%s", args, cmd.ProcessState.ExitCode(), want, out)
		}
	}
}

// TestArgumentErrors runs `go tool mage` itself (internal/magerun, what a person types) with the
// mistakes people make: each gets one line naming the argument or the closest target, exit 2,
// before any compile.
func TestArgumentErrors(t *testing.T) {
	root, err := localfleet.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"hosts:lst"}, `Error: no target "hosts:lst": did you mean hosts:list? (go tool mage -l lists them all)`},
		{[]string{"hosts:exec"}, "Error: hosts:exec needs 2 arguments (missing SELECTION CMDLINE): go tool mage hosts:exec SELECTION CMDLINE [-timeout] [-limit] [-json]"},
		{[]string{"hosts:exec", "-json", "razer", "uptime"}, "Error: hosts:exec: flag -json comes before SELECTION; flags go after the positional arguments: go tool mage hosts:exec SELECTION CMDLINE [-timeout] [-limit] [-json]"},
		{[]string{"hosts:list", "--json"}, "Error: hosts:list: --json has two dashes; mage flags take one: -json"},
		{[]string{"hosts:list", "razer"}, `Error: extra argument "razer": hosts:list takes [-json], and no target "razer" (go tool mage -l lists them all)`},
		{[]string{"hosts:list", "-jsn"}, "Error: hosts:list has no flag -jsn: did you mean -json? (its flags: -json)"},
	} {
		cmd := exec.Command("go", append([]string{"tool", "mage"}, tc.args...)...)
		cmd.Dir = root
		out, _ := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); got != tc.want || cmd.ProcessState.ExitCode() != 2 {
			t.Errorf("go tool mage %q: exit %d\n got %q\nwant %q", tc.args, cmd.ProcessState.ExitCode(), got, tc.want)
		}
	}
}

// test:parallel as a CI job narrows it: -only runs the named suites and no other, -jobs and
// -timeout are accepted, a misspelt suite fails in one line before anything runs.
func TestParallelOnlyJobsTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the magefiles")
	}
	bin, root := fleettest.Mage(t)
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	out, code := run("test:parallel", "-only=hosts,vet", "-jobs=1", "-timeout=10m")
	if code != 0 {
		t.Fatalf("test:parallel -only=hosts,vet: exit %d\n%s", code, out)
	}
	for _, want := range []string{"hosts: PASS", "vet: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q line:\n%s", want, out)
		}
	}
	if strings.Contains(out, "unit: started") || strings.Contains(out, "race: started") {
		t.Errorf("-only=hosts,vet ran other suites:\n%s", out)
	}
	out, code = run("test:parallel", "-only=hosts,vte")
	if code == 0 || !strings.Contains(out, `-only: no suite "vte" (the suites: unit,race,vet,`) {
		t.Errorf("-only=hosts,vte: exit %d\n%s", code, out)
	}
}

// A host whose sudo asks a password, through a real `go tool mage` run on a terminal (script's
// pty) with HUB_VERBOSE=1: the password is asked once on the terminal, real sudo gets it, and
// it shows nowhere: not in the output (commands echoed), not in the run's logs.
func TestSudoPasswordTarget(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}}, "sudo", "useradd", "userdel", "chpasswd", "script")
	user, password := fleettest.SudoUser(t, lf)
	file := filepath.Join(lf.InventoryDir(), "p620", "host.toml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	toml := strings.Replace(strings.Replace(string(b), `user = "root"`, `user = "`+user+`"`, 1), "sudo = false", "sudo = true\nsudo_password = true", 1)
	if err := os.WriteFile(file, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, root := fleettest.Mage(t)
	cmd := exec.Command("script", "-qefc", command.Quote([]string{bin, "hosts:exec", "p620", "id -un; id -un"}), "/dev/null")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HUB_FLEET=local", localfleet.EnvDir+"="+lf.Dir(), "HUB_VERBOSE=1", "TERM=dumb")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncbuffer.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Type the password once the prompt is up (and the terminal's echo off), as a person does.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "sudo password for p620") {
		if time.Now().After(deadline) {
			t.Fatalf("no sudo prompt within a minute:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	io.WriteString(stdin, password+"\n")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("hosts:exec did not end:\n%s", out.String())
	}
	got := out.String()
	if err != nil || !containsLine(strings.ReplaceAll(got, "\r", ""), "p620", "root") {
		t.Fatalf("hosts:exec through sudo: %v\n%s", err, got)
	}
	if strings.Count(got, "sudo password for") != 1 {
		t.Errorf("asked more than once:\n%s", got)
	}
	if !strings.Contains(got, "sudo -A -k") {
		t.Errorf("HUB_VERBOSE did not echo the commands:\n%s", got)
	}
	if strings.Contains(got, password) {
		t.Errorf("the password shows in the output:\n%s", got)
	}
	logs, _ := filepath.Glob(filepath.Join(root, ".hub", "runs", "*-hosts-exec", "*"))
	for _, l := range logs {
		if b, err := os.ReadFile(l); err == nil && strings.Contains(string(b), password) {
			t.Errorf("the password is in %s", l)
		}
	}
}
