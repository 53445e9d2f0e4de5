package update

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

// sampleResult is an update of two inputs over three hosts: one with changes, a new warning and
// a kernel, one already on the new system, one unreachable.
func sampleResult() *Result {
	at := func(d string) time.Time { v, _ := time.Parse(time.DateOnly, d); return v }
	return &Result{
		Repo: "/src/hub", Base: "0123456789abcdef0123456789abcdef01234567",
		Inputs: []InputChange{
			{Name: "agenix", From: "fcdea2233974", FromDate: at("2025-11-08"), To: "9a1b2c3d4e5f", ToDate: at("2026-11-20")},
			{Name: "nixpkgs", From: "0123456789ab", FromDate: at("2025-11-24"), To: "ba9876543210", ToDate: at("2026-11-30")},
		},
		Hosts: []HostPreview{
			{HostPlan: deploy.HostPlan{Host: "dex5550", Running: "/nix/store/aaaa-nixos-system-dex5550-25.11.1", New: "/nix/store/bbbb-nixos-system-dex5550-25.11.2",
				RunningSize: 3 << 30, NewSize: 3<<30 + 5<<20, RebootParts: []string{"kernel", "initrd"},
				Changes: []deploy.Change{{Name: "grafana", From: []string{"12.0.1"}, To: []string{"12.0.2"}}, {Name: "linux", From: []string{"6.12.40"}, To: []string{"6.12.41"}},
					{Name: "oldtool", From: []string{"1.0"}}, {Name: "zstd", To: []string{"1.5.7"}}}},
				NewWarnings: []string{"services.grafana.settings.security.secret_key is unset"}},
			{HostPlan: deploy.HostPlan{Host: "hp", Running: "/nix/store/cccc-nixos-system-hp-25.11.2", New: "/nix/store/cccc-nixos-system-hp-25.11.2",
				RunningSize: 2 << 30, NewSize: 2 << 30, AlreadyThere: true}},
			{HostPlan: deploy.HostPlan{Host: "razer", New: "/nix/store/dddd-nixos-system-razer-25.11.2", RunningSize: -1, NewSize: 4 << 30,
				Err: errors.New("razer: ssh: connect to host razer port 22: No route to host\nmore")}},
		},
		Branch: "update/2026-12-01", Commit: "fedcba9876543210fedcba9876543210fedcba98",
	}
}

// pr.md is whole or absent: cut short midway (the disk full after 64 bytes) there is none,
// where one written in place would be the commit message's first line without the failed
// hosts listed at its end.
func TestDescriptionWholeOrAbsent(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	text := describe(&FlowResult{Update: sampleResult()}, []string{"p620 failed in switch: exit status 1"}, nil)
	if !strings.HasSuffix(text, "  - p620 failed in switch: exit status 1\n") {
		t.Fatalf("description:\n%s", text)
	}
	dir := t.TempDir()
	var err error
	durabletest.FailWritesPast(t, 64, func() { err = writeDescription(dir, text) })
	if err == nil || !strings.Contains(err.Error(), "pr.md") {
		t.Fatalf("writeDescription cut short: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a description cut short left %v", ents)
	}
	if err := writeDescription(dir, text); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pr.md")
	if b, _ := os.ReadFile(path); string(b) != text {
		t.Errorf("pr.md:\n%s\nwant\n%s", b, text)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("pr.md mode %v, want 0644", st.Mode().Perm())
	}
}

func TestCommitMessage(t *testing.T) {
	goldenfile.Check(t, "testdata/commit-message.golden", []byte(commitMessage(sampleResult())))
}

func TestWritePreview(t *testing.T) {
	var b bytes.Buffer
	if err := WritePreview(&b, sampleResult()); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/preview.golden", b.Bytes())
	b.Reset()
	if err := WritePreviewJSON(&b, sampleResult()); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/preview.json.golden", b.Bytes())
	b.Reset()
	if err := WritePreview(&b, &Result{Repo: "/src/hub", Base: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/preview-up-to-date.golden", b.Bytes())
}
