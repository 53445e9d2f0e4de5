package nixprogress

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// feed writes a recorded stream in uneven chunks, as a pipe delivers it.
func feed(t *testing.T, tr *Tracker, file string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	for len(b) > 0 {
		n := min(len(b), 137)
		tr.Write(b[:n])
		b = b[n:]
	}
	tr.Close()
}

// Recorded from nix 2.8: nix-store --realise --log-format internal-json --keep-going of two
// systems that share a library (internal/nixprogress/testdata, the local fleet's offline settings).
func TestTwoSystemsShareALibrary(t *testing.T) {
	tr := NewTracker(map[string]Plan{
		"alpha": {Build: []string{
			"/nix/store/sdk1qy47lbjycr2bh3vff68cib7280jh-shared-lib.drv",
			"/nix/store/x2g7clrs5cbhj4gsjxhajisn4mbqmcz8-a-only.drv",
			"/nix/store/x1wpvad12nnmn1xwxpb2fa1nniw9ccvk-nixos-system-alpha.drv"}},
		"beta": {Build: []string{
			"/nix/store/sdk1qy47lbjycr2bh3vff68cib7280jh-shared-lib.drv",
			"/nix/store/w1apfhkfwv5j2px04yyjr7glq7aaz15g-b-only.drv",
			"/nix/store/vp81gyaz3y5418b3f44k2iiq8pgfq8pr-nixos-system-beta.drv"}},
	})
	var seen, ended []string
	lines := map[string][]string{}
	tr.OnProgress = func(target string, p Progress) { seen = append(seen, target+": "+p.String()) }
	tr.OnLine = func(target, line string) { lines[target] = append(lines[target], line) }
	tr.OnDone = func(path string) { ended = append(ended, name(path)) }
	feed(t, tr, "realise-two-systems.jsonl")
	// Every build's end, each system's after the builds it needs: the builder looks at a
	// system's output when its own build ends.
	at := func(n string) int { return slices.Index(ended, n) }
	if len(ended) != 5 || at("shared-lib") < 0 || at("a-only") < 0 || at("b-only") < 0 ||
		at("nixos-system-alpha") < max(at("shared-lib"), at("a-only")) || at("nixos-system-beta") < max(at("shared-lib"), at("b-only")) {
		t.Errorf("builds that ended, in order: %q", ended)
	}

	for target, want := range map[string]string{"alpha": "3/3 built, 0/0 fetched, 0 remaining", "beta": "3/3 built, 0/0 fetched, 0 remaining"} {
		if got := tr.Progress(target).String(); got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
	}
	for _, want := range []string{
		"alpha: 0/3 built, 0/0 fetched, 3 remaining; building shared-lib",
		"beta: 0/3 built, 0/0 fetched, 3 remaining; building shared-lib", // one build, both hosts
		"alpha: 1/3 built, 0/0 fetched, 2 remaining; building a-only",
		"beta: 1/3 built, 0/0 fetched, 2 remaining; building b-only",
	} {
		if !slices.Contains(seen, want) {
			t.Errorf("no progress %q in:\n%s", want, strings.Join(seen, "\n"))
		}
	}
	if !slices.Contains(lines["alpha"], "a-only> building a-only 1796133926") || slices.Contains(lines["beta"], "a-only> building a-only 1796133926") {
		t.Errorf("a-only's log belongs to alpha only:\nalpha %q\nbeta %q", lines["alpha"], lines["beta"])
	}
	if !slices.Contains(lines["beta"], "warning: you did not specify '--add-root'; the result might be removed by the garbage collector") {
		t.Errorf("nix's messages go to every target, as plain text: %q", lines["beta"])
	}
}

// One host's system fails (a module's builder exits 3): its progress says so, the error is
// plain text, and the other host, which shares a library with it, is not touched.
func TestOneSystemFails(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dry-run-beta.txt"))
	if err != nil {
		t.Fatal(err)
	}
	beta := ParseDryRun(string(b))
	if len(beta.Build) != 3 || len(beta.Fetch) != 0 || !strings.HasSuffix(beta.Build[1], "-broken-module.drv") {
		t.Fatalf("ParseDryRun = %+v", beta)
	}
	tr := NewTracker(map[string]Plan{"beta": beta, "alpha": {Build: []string{
		"/nix/store/m6n4c9m970s419rxdinr9n867d2v948y-shared-lib.drv",
		"/nix/store/dqlrwsy9qpaic3i18k9pw2gyr98rin4g-nixos-system-alpha.drv"}}})
	feed(t, tr, "realise-one-fails.jsonl")
	if got, want := tr.Progress("alpha").String(), "2/2 built, 0/0 fetched, 0 remaining"; got != want {
		t.Errorf("alpha: %q, want %q", got, want)
	}
	if got, want := tr.Progress("beta").String(), "1/3 built, 0/0 fetched, 0 remaining, 2 failed"; got != want {
		t.Errorf("beta: %q, want %q", got, want)
	}
	if errs := tr.Errors(); len(errs) != 2 || errs[0] != "error: builder for '/nix/store/zixvlhbrg9f9mcs3nhb2k4imia8qv9pk-broken-module.drv' failed with exit code 3" {
		t.Errorf("Errors = %q", errs)
	}
}

func TestParseDryRunFetch(t *testing.T) {
	// nix 2.8's wording for substitutes, ANSI colours as on a terminal.
	p := ParseDryRun("this derivation will be built:\n  /nix/store/aaa-x.drv\nthese 2 paths will be fetched (1.20 MiB download, 5.00 MiB unpacked):\n  /nix/store/bbb-y\n  \x1b[1m/nix/store/ccc-z\x1b[0m\nwarning: something\n")
	if !slices.Equal(p.Build, []string{"/nix/store/aaa-x.drv"}) || !slices.Equal(p.Fetch, []string{"/nix/store/bbb-y", "/nix/store/ccc-z"}) {
		t.Errorf("ParseDryRun = %+v", p)
	}
}

// Recorded from nix 2.8 against a file:// binary cache: the system's one dependency is fetched
// (an actSubstitute with its inner copy), the system itself built.
func TestFetchAndBuild(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dry-run-gamma.txt"))
	if err != nil {
		t.Fatal(err)
	}
	plan := ParseDryRun(string(b))
	if len(plan.Build) != 1 || len(plan.Fetch) != 1 {
		t.Fatalf("ParseDryRun = %+v", plan)
	}
	tr := NewTracker(map[string]Plan{"gamma": plan})
	var seen []string
	tr.OnProgress = func(target string, p Progress) { seen = append(seen, p.String()) }
	feed(t, tr, "realise-substitute.jsonl")
	if got, want := tr.Progress("gamma").String(), "1/1 built, 1/1 fetched, 0 remaining"; got != want {
		t.Errorf("gamma: %q, want %q", got, want)
	}
	if !slices.Contains(seen, "0/1 built, 0/1 fetched, 2 remaining; fetching cached-tool") {
		t.Errorf("no fetching progress in %q", seen)
	}
}
