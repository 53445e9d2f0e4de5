package assist

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

var facts = []HostFacts{
	{Name: "p620", Class: "workstation", System: "x86_64-linux", Hardware: "amd-gpu", Tags: []string{"dev", "ai"}, Roles: []string{"build-host", "ai"}, Features: []string{"ollama", "ai-providers", "tailscale"}},
	{Name: "dex5550", Class: "server", System: "x86_64-linux", Roles: []string{"monitoring"}, Features: []string{"prometheus", "grafana"}},
}

func TestFactsLeaveOutAddresses(t *testing.T) {
	f := &inventory.Fleet{Hosts: []*inventory.Host{{Name: "p620", Class: "workstation", System: "x86_64-linux", Hardware: "amd-gpu",
		Features: []string{"ollama"}, SSH: inventory.SSH{Destination: "admin@10.1.2.3", User: "root"}}}}
	got := Facts(f, nil)
	req := Ask("what runs on p620?", got, "")
	text := req.Messages[0].Text
	if !strings.Contains(text, "p620: workstation") || !strings.Contains(text, "ollama") {
		t.Errorf("facts missing: %s", text)
	}
	for _, private := range []string{"10.1.2.3", "admin@"} {
		if strings.Contains(text, private) {
			t.Errorf("the question carries %q: %s", private, text)
		}
	}
}

func TestAskGolden(t *testing.T) {
	req := Ask("Which host should I deploy first?", facts, "last deploy run 20261201T101500Z-deploy (2026-12-01T10:15:00Z), 1 failed:\n- p620: ok\n- dex5550: failed in activate: exit status 4\n")
	goldenfile.Check(t, "testdata/ask.golden", []byte(req.System+"\n---\n"+req.Messages[0].Text+"\n"))
}

// makeRun writes a real run directory with internal/parallel, the way a deploy writes one.
func makeRun(t *testing.T, runsDir, name string, fail map[string]int) string {
	t.Helper()
	var hosts []string
	for h := range fail {
		hosts = append(hosts, h)
	}
	rep, _ := parallel.Run(context.Background(), hosts, func(ctx context.Context, task *parallel.Task) error {
		task.Phase("build")
		fmt.Fprintln(task, "building the system closure")
		task.Phase("activate")
		for i := range fail[task.Host()] {
			fmt.Fprintf(task, "line %03d of activation output\n", i)
		}
		if fail[task.Host()] > 0 {
			fmt.Fprintln(task, "error: unit sshd.service failed to start")
			return errors.New("switch-to-configuration exited 4")
		}
		return nil
	}, parallel.Options{Name: name, KeepGoing: true, Out: &strings.Builder{}, RunDir: runsDir, Progress: parallel.ProgressPlain})
	if rep == nil || rep.RunDir == "" {
		t.Fatal("no run directory written")
	}
	return rep.RunDir
}

func TestExplainReadsTheLastFailedRun(t *testing.T) {
	runsDir := t.TempDir()
	failed := makeRun(t, runsDir, "deploy", map[string]int{"razer": 400, "p620": 0, "hp": 3})
	time.Sleep(1100 * time.Millisecond) // run names carry the second
	makeRun(t, runsDir, "hosts-ping", map[string]int{"p620": 0})

	dir, err := FailedRun(runsDir, "")
	if err != nil || dir != failed {
		t.Fatalf("FailedRun = %s, %v; want the failed deploy %s (the newer ping run succeeded)", dir, err, failed)
	}
	run, err := ReadRun(dir, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Failed) != 2 || run.Failed[0].Host != "hp" || run.Failed[1].Host != "razer" {
		t.Fatalf("failed hosts %+v", run.Failed)
	}
	razer := run.Failed[1]
	if razer.Phase != "activate" || razer.LogFile != filepath.Join("razer", "activate.log") || !razer.Trimmed {
		t.Errorf("razer: %+v", razer)
	}
	if len(razer.Log) > 1000 || !strings.Contains(razer.Log, "sshd.service failed") || strings.Contains(razer.Log, "line 000") {
		t.Errorf("razer's log is not its trimmed tail (%d bytes): %q", len(razer.Log), razer.Log[:80])
	}
	if run.Failed[0].Trimmed || !strings.Contains(run.Failed[0].Log, "line 000") {
		t.Errorf("hp's short log was trimmed: %+v", run.Failed[0])
	}
	text := Explain(run).Messages[0].Text
	for _, want := range []string{"host razer: failed in phase activate", "switch-to-configuration exited 4", "next: "} {
		if !strings.Contains(text, want) {
			t.Errorf("explain question lacks %q", want)
		}
	}
	if strings.Contains(text, "p620") {
		t.Error("the host that succeeded is in the question")
	}

	if _, err := FailedRun(runsDir, filepath.Base(failed)); err != nil {
		t.Errorf("a run named by its directory name: %v", err)
	}
	if _, err := FailedRun(runsDir, "nonesuch"); err == nil || !strings.Contains(err.Error(), "no report.json") {
		t.Errorf("a missing run: %v", err)
	}
	if _, err := FailedRun(t.TempDir(), ""); err == nil || !strings.Contains(err.Error(), "no failed run") {
		t.Errorf("no failed run: %v", err)
	}
	if got := LastDeploy(runsDir); !strings.Contains(got, "razer: failed in activate") || !strings.Contains(got, "p620: ok") {
		t.Errorf("LastDeploy = %q", got)
	}
}

func TestTrim(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		head     string
		tail     string
		cut      bool
	}{
		{"fits", "a\nb\n", 10, "a\nb\n", "a\nb\n", false},
		{"cut at lines", "one\ntwo\nthree\n", 9, "one\ntwo", "three\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, hc := head(tt.in, tt.max)
			tl, tc := tail(tt.in, tt.max)
			if h != tt.head || tl != tt.tail || hc != tt.cut || tc != tt.cut {
				t.Errorf("head %q %v, tail %q %v", h, hc, tl, tc)
			}
		})
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestReviewDiffAndTuneDiff(t *testing.T) {
	repo := t.TempDir()
	git(t, repo, "init", "-q")
	os.MkdirAll(filepath.Join(repo, "hosts", "p620"), 0o755)
	os.MkdirAll(filepath.Join(repo, "secrets"), 0o755)
	nixFile := filepath.Join(repo, "hosts", "p620", "default.nix")
	os.WriteFile(nixFile, []byte("{ ... }:\n{\n  networking.hostName = \"p620\";\n}\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "secrets", "x.age"), []byte("age-encrypted\n"), 0o644)
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-qm", "one")
	running := git(t, repo, "rev-parse", "HEAD")
	os.WriteFile(nixFile, []byte("{ ... }:\n{\n  networking.hostName = \"p620\";\n  zramSwap.enable = true;\n}\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "secrets", "x.age"), []byte("changed ciphertext\n"), 0o644)

	diff, err := NixDiff(context.Background(), (&command.Executor{}).Local(), repo, map[string]string{"p620": running, "hp": running, "razer": "", "dex5550": "0123456789abcdef0123456789abcdef01234567"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# hp p620 run " + running, "+  zramSwap.enable = true;", "# razer: running revision unknown", "# dex5550: revision 0123456789abcdef0123456789abcdef01234567 is not in this repository"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "ciphertext") {
		t.Errorf("secrets/ is in the review diff:\n%s", diff)
	}
	req := Review("p620: 2 packages upgraded", diff, 64)
	if !strings.Contains(req.Messages[0].Text, "cut to the first 64 bytes") {
		t.Errorf("a diff over budget is not marked cut")
	}

	// A proposal is checked against the work tree and never applied.
	good := "diff --git a/hosts/p620/default.nix b/hosts/p620/default.nix\n--- a/hosts/p620/default.nix\n+++ b/hosts/p620/default.nix\n@@ -2,4 +2,5 @@\n {\n   networking.hostName = \"p620\";\n   zramSwap.enable = true;\n+  boot.kernel.sysctl.\"vm.swappiness\" = 100;\n }\n"
	before, _ := os.ReadFile(nixFile)
	if err := CheckDiff(context.Background(), (&command.Executor{}).Local(), repo, good); err != nil {
		t.Errorf("a diff that applies: %v", err)
	}
	if after, _ := os.ReadFile(nixFile); string(after) != string(before) {
		t.Error("CheckDiff changed the file")
	}
	bad := strings.Replace(good, "   zramSwap.enable = true;\n", "   services.nonesuch = 1;\n", 1)
	if err := CheckDiff(context.Background(), (&command.Executor{}).Local(), repo, bad); err == nil || !strings.Contains(err.Error(), "does not apply") {
		t.Errorf("a diff that does not apply: %v", err)
	}
	p, err := WriteProposal(filepath.Join(repo, ".hub", "ai"), "p620", good, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	if err != nil || filepath.Base(p) != "tune-p620-20261201T120000Z.diff" {
		t.Errorf("proposal %s: %v", p, err)
	}
}

// A proposal is whole or absent: cut short midway (the disk full) it leaves no file, where a
// diff written in place would leave its first hunks, which git apply could still apply.
func TestWriteProposalWholeOrAbsent(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	dir := filepath.Join(t.TempDir(), "ai")
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	diff := "--- a/hosts/p620/default.nix\n+++ b/hosts/p620/default.nix\n@@ -1 +1,2 @@\n {\n+  zramSwap.enable = true;\n"
	var err error
	durabletest.FailWritesPast(t, 20, func() { _, err = WriteProposal(dir, "p620", diff, at) })
	if err == nil || !strings.HasPrefix(err.Error(), "tune: ") {
		t.Fatalf("WriteProposal cut short: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a proposal cut short left %v", ents)
	}
	p, err := WriteProposal(dir, "p620", diff, at)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != diff {
		t.Errorf("proposal %q, want %q", b, diff)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("proposal mode %v, want 0644", st.Mode().Perm())
	}
	durabletest.NoTempFiles(t, dir)
}

func TestParseTune(t *testing.T) {
	tests := []struct {
		name, text string
		ok         bool
	}{
		{"json", `{"summary":"cpu high","changes":[{"setting":"zramSwap.enable","reason":"memory","risk":"low"}],"diff":"diff --git a/x b/x"}`, true},
		{"fenced", "```json\n{\"summary\":\"s\",\"changes\":[],\"diff\":\"\"}\n```", true},
		{"prose", "I would enable zram.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseTune(tt.text)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
			if tt.ok && p.Diff != "" && !strings.HasSuffix(p.Diff, "\n") {
				t.Error("diff without its final newline: git apply rejects it")
			}
		})
	}
}

func TestScrapeBaseline(t *testing.T) {
	prom, err := os.ReadFile("../baseline/testdata/host.prom") // the baseline exporter's real output
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("# HELP go_goroutines x\ngo_goroutines 7\n"))
		w.Write(prom)
	}))
	defer srv.Close()
	got, err := ScrapeBaseline(context.Background(), srv.Client(), srv.URL+"/metrics", 4096)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `hub_baseline_regression{metric="cpu_utilisation_ratio"} 1`) || strings.Contains(got, "# HELP") || strings.Contains(got, "go_goroutines") {
		t.Errorf("scraped:\n%s", got)
	}
	if small, _ := ScrapeBaseline(context.Background(), srv.Client(), srv.URL, 200); len(small) > 200 {
		t.Errorf("budget 200, got %d bytes", len(small))
	}
}
