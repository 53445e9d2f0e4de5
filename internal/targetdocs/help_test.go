package targetdocs

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

// Defaults come from the code: a flag read in the target itself (flag(limit, 32)) and one a
// target hands to a shared helper (flag(fl.keepGoing, true)).
func TestHelpDefaultsFromTheCode(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), []byte(`//go:build mage

package main

import (
	"context"
	"time"

	"github.com/magefile/mage/mg"
)

type Hosts mg.Namespace

type opts struct{ keepGoing *bool }

// Exec runs CMDLINE on the SELECTION: -limit N hosts at once, -timeout D per host, -keepGoing after a failure, -json.
func (Hosts) Exec(ctx context.Context, selection, cmdline string, limit *int, timeout *time.Duration, keepGoing, json *bool) error {
	_ = flag(limit, 32)
	return run(opts{keepGoing: keepGoing})
}

func run(fl opts) error { _ = flag(fl.keepGoing, true); return nil }

func flag[T any](p *T, def T) T { return def }
`), 0o644)
	ts, err := Targets(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Help(&out, ts[0]); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, filepath.Join("testdata", "help-exec.txt"), out.Bytes())
}

func TestFindSuggestsTheClosest(t *testing.T) {
	ts := []Target{{Name: "deploy:hosts"}, {Name: "deploy:all"}, {Name: "hosts:status"}}
	if got, err := Find(ts, "Deploy:Hosts"); err != nil || got.Name != "deploy:hosts" {
		t.Errorf("Find(Deploy:Hosts) = %v, %v", got.Name, err)
	}
	for name, want := range map[string]string{
		"deploy:host":  `no target "deploy:host": did you mean deploy:hosts? (go tool mage -l lists them all)`,
		"hosts:stats":  `no target "hosts:stats": did you mean hosts:status? (go tool mage -l lists them all)`,
		"coffee:brew!": `no target "coffee:brew!" (go tool mage -l lists them all)`,
	} {
		if _, err := Find(ts, name); err == nil || err.Error() != want {
			t.Errorf("Find(%s) = %v, want %s", name, err, want)
		}
	}
}

// Every target of the real magefiles gets a help page naming each of its arguments, and the
// defaults come from the code: a flag read in the target (hosts:exec -limit 32) and one read by
// a shared helper (deploy:hosts -keepGoing true, through runDeploy's flag(fl.keepGoing, true)).
func TestHelpOfEveryTarget(t *testing.T) {
	ts, err := Targets("../../magefiles")
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, tg := range ts {
		var out bytes.Buffer
		if err := Help(&out, tg); err != nil {
			t.Fatalf("%s: %v", tg.Name, err)
		}
		for _, p := range tg.Params {
			if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(p.Name) + ` +` + regexp.QuoteMeta(p.Type) + ` `).MatchString(out.String()) {
				t.Errorf("%s: the help has no row for %s (%s):\n%s", tg.Name, p.Name, p.Type, out.String())
			}
		}
		pages[tg.Name] = out.String()
	}
	for target, row := range map[string]string{"hosts:exec": `(?m)^  -limit +int +32$`, "deploy:hosts": `(?m)^  -keepGoing +bool +true$`} {
		if !regexp.MustCompile(row).MatchString(pages[target]) {
			t.Errorf("%s: no row matching %s:\n%s", target, row, pages[target])
		}
	}
}
