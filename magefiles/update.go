//go:build mage

package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/pkg/update"
)

// Update is the update workflow: what the flake's inputs are locked to and how far upstream moved, what a new lock changes per host, and committing it (docs/update.md).
type Update mg.Namespace

// Check lists every flake.lock input with its locked revision and date, the newest upstream revision (git ls-remote of the branch or tag it follows, all inputs at once), the commits behind and a state; exits non-zero when an input is stale or upstream cannot be asked. -maxAge AGE: how old a locked revision may be while upstream has newer ones (default 30d; also 2w, 36h). -timeout D: per input's git calls (default 1m). -json: the report as JSON on stdout (progress on stderr).
func (Update) Check(ctx context.Context, maxAge *string, timeout *time.Duration, json *bool) error {
	age, err := update.ParseAge(flag(maxAge, "30d"))
	if err != nil {
		return err
	}
	f, err := loadFleet()
	if err != nil {
		return err
	}
	dir, err := update.FlakeDir(f.Flake)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := newExecutor(nil)
	defer e.Close()
	settings := nixSettings()
	rep, err := update.Check(ctx, e, filepath.Join(dir, "flake.lock"), update.CheckOptions{
		MaxAge: age, Timeout: flag(timeout, time.Minute), NixSettings: &settings, Out: progressOut(json), RunDir: runsDir,
	})
	if err != nil {
		return err
	}
	if flag(json, false) {
		err = update.WriteCheckJSON(os.Stdout, rep)
	} else {
		err = update.WriteCheck(os.Stdout, rep)
	}
	if err != nil {
		return err
	}
	return rep.Err()
}
