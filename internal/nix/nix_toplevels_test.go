package nix

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

// Toplevels against a builtins-only flake (testdata/toplevels: alpha and beta evaluate, broken
// throws) with the real nix: one eval per chunk, and after a failing chunk one eval per host,
// so the error names the broken host and not its chunk.
func TestToplevels(t *testing.T) {
	needNix(t)
	dir, err := filepath.Abs("testdata/toplevels")
	if err != nil {
		t.Fatal(err)
	}
	flake := "path:" + dir
	for _, tc := range []struct {
		name      string
		hosts     []string
		chunk     int
		evals     int    // nix eval calls
		wantErr   string // substring of the error; "" for success
		notInErr  string
		wantHosts []string
	}{
		{name: "all in one", hosts: []string{"alpha", "beta"}, evals: 1, wantHosts: []string{"alpha", "beta"}},
		{name: "one per chunk", hosts: []string{"alpha", "beta"}, chunk: 1, evals: 2, wantHosts: []string{"alpha", "beta"}},
		{name: "broken named after its chunk failed", hosts: []string{"alpha", "broken", "beta"}, evals: 4,
			wantErr: "evaluate broken: ", notInErr: "evaluate alpha"},
		{name: "broken alone in its chunk", hosts: []string{"alpha", "broken", "beta"}, chunk: 1, evals: 3,
			wantErr: "evaluate broken: ", notInErr: "evaluate alpha"},
		{name: "chunks of two", hosts: []string{"alpha", "beta", "broken"}, chunk: 2, evals: 2, wantErr: "evaluate broken: ", notInErr: "alpha"},
		{name: "host not in the flake", hosts: []string{"alpha", "gamma"}, evals: 1, wantErr: "has no gamma: add the host to the flake"},
		{name: "not an attribute name", hosts: []string{"a b"}, evals: 0, wantErr: `host name "a b" cannot be a Nix attribute name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var echo bytes.Buffer
			n := On((&command.Executor{Echo: &echo}).Local(), Local())
			got, err := n.Toplevels(t.Context(), flake, tc.hosts, EvalOptions{Chunk: tc.chunk})
			if evals := strings.Count(echo.String(), "+ local: nix eval "); evals != tc.evals {
				t.Errorf("%d nix evals, want %d:\n%s", evals, tc.evals, echo.String())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || (tc.notInErr != "" && strings.Contains(err.Error(), tc.notInErr)) {
					t.Fatalf("error %v, want one with %q and without %q", err, tc.wantErr, tc.notInErr)
				}
				if got != nil {
					t.Errorf("a failed evaluation returned systems %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tc.wantHosts {
				s := got[h]
				if !strings.HasSuffix(s.Drv, "-"+h+".drv") || !strings.HasSuffix(s.Out, "-"+h) || len(s.Warnings) != 1 || s.Warnings[0] != h+" warns" {
					t.Errorf("%s: %+v", h, s)
				}
			}
			if len(got) != len(tc.wantHosts) {
				t.Errorf("systems %v, want %v", got, tc.wantHosts)
			}
		})
	}
}

// A dry run evaluates nothing and gives each host a stand-in system path, so the rest of a dry
// deploy can print its commands.
func TestToplevelsDryRun(t *testing.T) {
	var out bytes.Buffer
	n := On((&command.Executor{DryRun: true, Out: &out}).Local(), Real())
	got, err := n.Toplevels(t.Context(), "/src/hub", []string{"p620", "razer"}, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got["p620"].Drv != "/nix/store/<dry-run>-p620.drv" || got["razer"].Out != "/nix/store/<dry-run>-razer" {
		t.Errorf("dry-run systems %v", got)
	}
	if !strings.HasPrefix(out.String(), "[dry-run] local: nix eval --extra-experimental-features 'nix-command flakes' --json '/src/hub#nixosConfigurations' --apply ") {
		t.Errorf("dry run printed %q", out.String())
	}
}

// Every command line is program, operation, settings, arguments; a remote host's nix gets none
// of this machine's settings.
func TestCmd(t *testing.T) {
	local := (&command.Executor{}).Local()
	for _, tc := range []struct {
		n    Nix
		prog string
		op   []string
		args []string
		want string
	}{
		{On(local, Real()), "nix", []string{"copy"}, []string{"--to", "ssh://h", "/nix/store/x"},
			"nix copy --extra-experimental-features 'nix-command flakes' --to ssh://h /nix/store/x"},
		{On(local, Local()), "nix-store", []string{"--realise"}, []string{"/nix/store/x.drv"},
			"nix-store --realise --extra-experimental-features 'nix-command flakes' --option build-users-group '' --option sandbox false --option substituters '' --option builders '' --option max-jobs auto /nix/store/x.drv"},
		{On(local, Settings{}), "nix-store", []string{"--gc"}, nil, "nix-store --gc"},
	} {
		if got := command.Quote(tc.n.Cmd(tc.prog, tc.op, tc.args...).Args); got != tc.want {
			t.Errorf("Cmd:\n got %s\nwant %s", got, tc.want)
		}
	}
}
