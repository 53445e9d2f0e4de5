package update

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// A lock as nix writes it for the hub's own flake: github inputs (a branch, a tag), inputs of
// inputs, follows, a git+https input, a path, a pinned revision and a tarball.
const sampleLock = `{
  "nodes": {
    "agenix": {
      "inputs": { "darwin": [], "home-manager": [], "nixpkgs": ["nixpkgs"], "systems": "systems" },
      "locked": { "lastModified": 1762618334, "narHash": "sha256-a", "owner": "ryantm", "repo": "agenix", "rev": "fcdea223397448d35d9b31f798479227e80183f6", "type": "github" },
      "original": { "owner": "ryantm", "repo": "agenix", "type": "github" }
    },
    "lanzaboote": {
      "locked": { "lastModified": 1737639419, "narHash": "sha256-b", "owner": "nix-community", "repo": "lanzaboote", "rev": "a65905a09e2c43ff63be8c0e86a93712361f871e", "type": "github" },
      "original": { "owner": "nix-community", "ref": "v0.4.3", "repo": "lanzaboote", "type": "github" }
    },
    "nixpkgs": {
      "locked": { "lastModified": 1764000000, "narHash": "sha256-c", "owner": "NixOS", "repo": "nixpkgs", "rev": "0123456789abcdef0123456789abcdef01234567", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-25.11", "repo": "nixpkgs", "type": "github" }
    },
    "tools": {
      "locked": { "lastModified": 1760000000, "narHash": "sha256-d", "ref": "main", "rev": "89abcdef0123456789abcdef0123456789abcdef", "revCount": 12, "type": "git", "url": "https://git.example.org/tools" },
      "original": { "type": "git", "url": "https://git.example.org/tools" }
    },
    "local": {
      "locked": { "lastModified": 1760000000, "narHash": "sha256-e", "path": "/srv/local", "type": "path" },
      "original": { "path": "/srv/local", "type": "path" }
    },
    "pinned": {
      "locked": { "lastModified": 1760000000, "narHash": "sha256-f", "ref": "main", "rev": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "type": "git", "url": "https://git.example.org/pinned" },
      "original": { "rev": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "type": "git", "url": "https://git.example.org/pinned" }
    },
    "blob": {
      "locked": { "narHash": "sha256-g", "type": "tarball", "url": "https://example.org/x.tar.gz" },
      "original": { "type": "tarball", "url": "https://example.org/x.tar.gz" }
    },
    "systems": {
      "locked": { "lastModified": 1681028828, "narHash": "sha256-h", "owner": "nix-systems", "repo": "default", "rev": "da67096a3b9bf56a91d16901293e51ba5b49a27e", "type": "github" },
      "original": { "owner": "nix-systems", "repo": "default", "type": "github" }
    },
    "root": {
      "inputs": { "agenix": "agenix", "blob": "blob", "lanzaboote": "lanzaboote", "local": "local", "nixpkgs": "nixpkgs", "pinned": "pinned", "tools": "tools" }
    }
  },
  "root": "root",
  "version": 7
}`

func TestParseLockRemotes(t *testing.T) {
	l, err := parseLock([]byte(sampleLock))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input, typ, url, ref string
		ok, pinned           bool
	}{
		{"agenix", "github", "https://github.com/ryantm/agenix", "HEAD", true, false},
		{"agenix/systems", "github", "https://github.com/nix-systems/default", "HEAD", true, false},
		{"blob", "tarball", "", "", false, false},
		{"lanzaboote", "github", "https://github.com/nix-community/lanzaboote", "v0.4.3", true, false},
		{"local", "path", "", "", false, false},
		{"nixpkgs", "github", "https://github.com/NixOS/nixpkgs", "nixos-25.11", true, false},
		{"pinned", "git", "https://git.example.org/pinned", "HEAD", true, true},
		{"tools", "git", "https://git.example.org/tools", "HEAD", true, false},
	}
	var names []string
	for _, in := range l.Inputs {
		names = append(names, in.Name)
	}
	if len(l.Inputs) != len(tests) {
		t.Fatalf("inputs %v, want %d (follows are not nodes)", names, len(tests))
	}
	for i, tt := range tests {
		in := l.Inputs[i]
		if in.Name != tt.input || in.Type != tt.typ {
			t.Errorf("input %d = %s (%s), want %s (%s)", i, in.Name, in.Type, tt.input, tt.typ)
			continue
		}
		url, ref, ok := in.remote()
		if url != tt.url || ref != tt.ref || ok != tt.ok {
			t.Errorf("%s: Remote() = %q %q %v, want %q %q %v", tt.input, url, ref, ok, tt.url, tt.ref, tt.ok)
		}
		if in.pinned() != tt.pinned {
			t.Errorf("%s: Pinned() = %v", tt.input, in.pinned())
		}
	}
	if got := l.Inputs[5].lastModified(); !got.Equal(time.Unix(1764000000, 0)) {
		t.Errorf("nixpkgs LastModified = %v", got)
	}
}

func TestParseLockErrors(t *testing.T) {
	for _, tt := range []struct{ name, lock, want string }{
		{"not json", "{", "not a flake.lock"},
		{"old version", `{"nodes":{"root":{}},"root":"root","version":4}`, "version 4"},
		{"no root", `{"nodes":{},"root":"root","version":7}`, "no root node"},
		{"dangling", `{"nodes":{"root":{"inputs":{"a":"gone"}}},"root":"root","version":7}`, `names node "gone"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLock([]byte(tt.lock))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPickRef(t *testing.T) {
	out := "1111\tHEAD\n2222\trefs/heads/main\n3333\trefs/tags/v1\n4444\trefs/tags/v1^{}\n5555\trefs/heads/feature/v1\n"
	for _, tt := range []struct{ ref, full, rev string }{
		{"HEAD", "HEAD", "1111"},
		{"main", "refs/heads/main", "2222"},
		{"v1", "refs/tags/v1", "4444"}, // the annotated tag's commit, not the tag object
		{"gone", "", ""},
	} {
		full, rev := pickRef(out, tt.ref)
		if full != tt.full || rev != tt.rev {
			t.Errorf("pickRef(%s) = %s %s, want %s %s", tt.ref, full, rev, tt.full, tt.rev)
		}
	}
}

func TestParseAge(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30d", 30 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"1.5d", 36 * time.Hour, false},
		{"soon", 0, true},
		{"-1d", 0, true},
	} {
		got, err := ParseAge(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseAge(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestWriteCheck(t *testing.T) {
	at := func(d string) time.Time { v, _ := time.Parse(time.DateOnly, d); return v }
	rep := &CheckReport{Lock: "flake.lock", MaxAge: 30 * 24 * time.Hour, Inputs: []InputStatus{
		{Name: "agenix", Type: "github", Locked: "fcdea2233974", LockedDate: at("2025-11-08"), Upstream: "fcdea2233974", UpstreamDate: at("2025-11-08"), Behind: 0, State: stateCurrent},
		{Name: "local", Type: "path", Locked: "Kz7d0+VY3MRw", LockedDate: at("2026-11-30"), Upstream: "changed", Behind: -1, State: stateBehind, Note: "the directory's content differs from the lock"},
		{Name: "nixpkgs", Type: "github", Locked: "0123456789ab", LockedDate: at("2025-11-24"), Upstream: "ba9876543210", UpstreamDate: at("2026-11-30"), Behind: 1204, State: stateStale},
		{Name: "pinned", Type: "git", Locked: "aaaaaaaaaaaa", LockedDate: at("2025-10-09"), Behind: -1, State: statePinned, Note: "the flake pins revision aaaaaaaaaaaa"},
		{Name: "tools", Type: "git", Locked: "89abcdef0123", LockedDate: at("2025-10-09"), Behind: -1, State: stateError, Note: "local: git ls-remote: exit status 128"},
	}}
	var b bytes.Buffer
	if err := WriteCheck(&b, rep); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/check.golden", b.Bytes())
	err := rep.Err()
	if err == nil || !strings.Contains(err.Error(), "nixpkgs locked more than 30d ago") || !strings.Contains(err.Error(), "upstream of tools (local: git ls-remote") {
		t.Errorf("Err() = %v", err)
	}
}

// TestCheckAgainstLocalRepositories locks a flake with real nix against git repositories and a
// directory made here, moves some of them on, and checks each verdict: the distance in commits
// comes from a real ls-remote and a commits-only fetch.
func TestCheckAgainstLocalRepositories(t *testing.T) {
	offlineNix(t)
	base := t.TempDir()
	now := time.Now().UTC().Truncate(time.Second)
	longAgo := now.AddDate(0, -3, 0)

	stale := newRepo(t, filepath.Join(base, "stale"))
	pin := stale.commit(longAgo, "one", map[string]string{"v": "1"})
	fresh := newRepo(t, filepath.Join(base, "fresh"))
	fresh.commit(now.Add(-48*time.Hour), "one", map[string]string{"v": "1"})
	same := newRepo(t, filepath.Join(base, "same"))
	same.commit(longAgo, "one", map[string]string{"v": "1"})
	tagged := newRepo(t, filepath.Join(base, "tagged"))
	tagged.commit(longAgo, "one", map[string]string{"v": "1"})
	tagged.git("tag", "-a", "-m", "release", "v1")
	gone := newRepo(t, filepath.Join(base, "gone"))
	gone.commit(time.Time{}, "one", map[string]string{"v": "1"})
	dir := filepath.Join(base, "dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "v"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}

	hub := newRepo(t, filepath.Join(base, "hub"))
	hub.commit(time.Time{}, "flake", map[string]string{"flake.nix": `{
  inputs = {
    stale = { url = "git+` + stale.url() + `"; flake = false; };
    fresh = { url = "git+` + fresh.url() + `"; flake = false; };
    same = { url = "git+` + same.url() + `"; flake = false; };
    tagged = { url = "git+` + tagged.url() + `?ref=refs/tags/v1"; flake = false; };
    pinned = { url = "git+` + stale.url() + `?rev=` + pin + `"; flake = false; };
    gone = { url = "git+` + gone.url() + `"; flake = false; };
    dir = { url = "path:` + dir + `"; flake = false; };
  };
  outputs = inputs: { };
}
`})
	runNix(t, hub.dir, "flake", "lock")

	// Upstream moves on: three commits on stale, one on fresh, the directory changes, gone goes.
	for i := range 3 {
		stale.commit(now.Add(time.Duration(i-3)*time.Hour), "more", map[string]string{"v": string(rune('2' + i))})
	}
	fresh.commit(now.Add(-time.Hour), "two", map[string]string{"v": "2"})
	if err := os.WriteFile(filepath.Join(dir, "v"), []byte("2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(gone.dir); err != nil {
		t.Fatal(err)
	}

	e := &command.Executor{}
	defer e.Close()
	local := nix.Local()
	var out bytes.Buffer
	rep, err := Check(context.Background(), e, filepath.Join(hub.dir, "flake.lock"), CheckOptions{
		MaxAge: 30 * 24 * time.Hour, NixSettings: &local, Out: &out, Progress: parallel.ProgressPlain,
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		state  string
		behind int
	}{
		"stale":  {stateStale, 3},
		"fresh":  {stateBehind, 1},
		"same":   {stateCurrent, 0},
		"tagged": {stateCurrent, 0},
		"pinned": {statePinned, -1},
		"gone":   {stateError, -1},
		"dir":    {stateBehind, -1},
	}
	var table bytes.Buffer
	if err := WriteCheck(&table, rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Inputs) != len(want) {
		t.Fatalf("%d inputs, want %d:\n%s", len(rep.Inputs), len(want), table.String())
	}
	for _, in := range rep.Inputs {
		w := want[in.Name]
		if in.State != w.state || in.Behind != w.behind {
			t.Errorf("%s: %s, %d behind; want %s, %d behind (%s)", in.Name, in.State, in.Behind, w.state, w.behind, in.Note)
		}
	}
	st, _ := findInput(rep, "stale")
	if st.Upstream != shortRev(stale.git("rev-parse", "HEAD")) || !st.UpstreamDate.Equal(now.Add(-time.Hour)) || !st.LockedDate.Equal(longAgo) {
		t.Errorf("stale: upstream %s at %v, locked at %v; want %s at %v, locked at %v", st.Upstream, st.UpstreamDate, st.LockedDate,
			shortRev(stale.git("rev-parse", "HEAD")), now.Add(-time.Hour), longAgo)
	}
	err = rep.Err()
	if err == nil || !strings.Contains(err.Error(), "stale locked more than 30d ago") || !strings.Contains(err.Error(), "upstream of gone") || strings.Contains(err.Error(), "fresh") {
		t.Errorf("Err() = %v\n%s", err, table.String())
	}
}

func findInput(r *CheckReport, name string) (InputStatus, bool) {
	for _, in := range r.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return InputStatus{}, false
}

// TestNoDryRun: a dry run of the workflow would print commands whose output the next step needs,
// and then fail in confusing ways; it is refused in one line instead.
func TestNoDryRun(t *testing.T) {
	e := &command.Executor{DryRun: true}
	inv := &inventory.Fleet{Flake: t.TempDir()}
	if _, err := Preview(context.Background(), e, inv, nil, Options{}); !errors.Is(err, errNoDryRun) {
		t.Errorf("Preview: %v", err)
	}
	if _, err := Apply(context.Background(), e, inv, nil, ApplyOptions{}); !errors.Is(err, errNoDryRun) {
		t.Errorf("Apply: %v", err)
	}
	if _, err := Deploy(context.Background(), e, inv, nil, DeployOptions{}); !errors.Is(err, errNoDryRun) {
		t.Errorf("Deploy: %v", err)
	}
}

func TestWriteCheckJSON(t *testing.T) {
	var b bytes.Buffer
	rep := &CheckReport{Lock: "flake.lock", MaxAge: 30 * 24 * time.Hour, Inputs: []InputStatus{
		{Name: "nixpkgs", Type: "github", Locked: "0123456789ab", LockedDate: time.Unix(1764000000, 0).UTC(), Upstream: "ba9876543210",
			UpstreamDate: time.Unix(1764800000, 0).UTC(), Behind: 12, State: stateBehind, Source: "https://github.com/NixOS/nixpkgs nixos-25.11"},
	}}
	if err := WriteCheckJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/check.json.golden", b.Bytes())
}

// TestScratchSweepsKilledRuns: a run killed during git worktree add leaves its entry locked
// ("initializing"), which git worktree prune never removes; the next scratch worktree sweeps
// the hub's own stale entries, and leaves alone one that may be another run's add in progress.
func TestScratchSweepsKilledRuns(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	repo := newRepo(t, filepath.Join(t.TempDir(), "hub"))
	repo.commit(time.Time{}, "one", map[string]string{"flake.nix": "{ outputs = _: { }; }"})
	admin := filepath.Join(repo.dir, ".git", "worktrees")

	// Killed after git wrote gitdir: its directory is gone, the entry locked.
	killed := filepath.Join(t.TempDir(), "hub-update-killed")
	repo.git("worktree", "add", "--detach", "-q", filepath.Join(killed, "hub-update-killed"))
	repo.git("worktree", "lock", "--reason", "initializing", filepath.Join(killed, "hub-update-killed"))
	if err := os.RemoveAll(killed); err != nil {
		t.Fatal(err)
	}
	// Killed before gitdir, long ago; and one just starting, maybe another run's.
	for name, age := range map[string]time.Duration{"hub-update-old": 2 * time.Minute, "hub-update-new": 0} {
		d := filepath.Join(admin, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "locked"), []byte("initializing\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		then := time.Now().Add(-age)
		if err := os.Chtimes(d, then, then); err != nil {
			t.Fatal(err)
		}
	}
	// The checkout of a run killed outright (its pid is gone) and one of a live run.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	deadDir := filepath.Join(tmp, scratchPrefix+strconv.Itoa(c.Process.Pid)+"-1")
	liveDir := filepath.Join(tmp, scratchPrefix+"1-1") // pid 1 always runs
	for _, d := range []string{deadDir, liveDir} {
		if err := os.MkdirAll(filepath.Join(d, "tree"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e := &command.Executor{}
	s, err := newScratch(context.Background(), e.Local(), repo.dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(s.dir), scratchPrefix+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("scratch dir %s does not carry this run's pid", s.dir)
	}
	if err := s.remove(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(deadDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed run's checkout %s is still there (%v)", deadDir, err)
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("a live run's checkout was removed: %v", err)
	}
	entries, _ := os.ReadDir(admin)
	var left []string
	for _, en := range entries {
		left = append(left, en.Name())
	}
	if len(left) != 1 || left[0] != "hub-update-new" {
		t.Errorf("worktree entries left: %v, want only hub-update-new (an add that may be in progress)", left)
	}
}
