package update

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/deploy"
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
