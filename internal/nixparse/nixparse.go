// Package nixparse checks that every .nix file of a tree parses, with nix-instantiate --parse, in
// parallel. It is the check that runs everywhere: no nixpkgs, no evaluation, just syntax, so a
// typo in a module is caught on a laptop or in CI before any host evaluates it.
//
// Entry points: [Check] parses the tree (one error per broken file, at file:line:col); [Files]
// lists what it parses.
package nixparse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// fileError is one file that does not parse, located as file:line:col.
type fileError struct {
	File      string // relative to the root
	Line, Col int
	Msg       string
}

func (e *fileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// skipDirs are never searched: VCS data, the hub's run state, Go's module cache.
var skipDirs = map[string]bool{".git": true, ".hub": true, "node_modules": true, "result": true}

// Files lists the .nix files under root, relative to it, sorted.
func Files(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".nix") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Check parses every .nix file under root and returns the files checked and one error per file
// that does not parse (joined). Files are checked concurrently, one nix-instantiate per core.
func Check(ctx context.Context, root string) (int, error) {
	files, err := Files(root)
	if err != nil {
		return 0, fmt.Errorf("listing .nix files under %s: %w", root, err)
	}
	local := (&command.Executor{}).Local()
	var (
		mu   sync.Mutex
		errs []error
	)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for _, f := range files {
		g.Go(func() error {
			_, err := nix.On(local, nix.Settings{}).Instantiate(ctx, nil, "--parse", filepath.Join(root, f))
			var xe *command.ExitError
			if errors.As(err, &xe) {
				mu.Lock()
				errs = append(errs, parseError(f, filepath.Join(root, f), xe.Stderr))
				mu.Unlock()
				return nil
			}
			return err // nix-instantiate itself missing, or cancelled
		})
	}
	if err := g.Wait(); err != nil {
		return len(files), err
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return len(files), errors.Join(errs...)
}

var atRe = regexp.MustCompile(`at (?:«[^»]*»|(\S+)):(\d+):(\d+)`)

// parseError turns nix's multi-line diagnostic into one file:line:col line.
func parseError(rel, abs, stderr string) *fileError {
	e := &fileError{File: rel}
	var msgs []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		loc := atRe.FindStringSubmatchIndex(line)
		if loc != nil && e.Line == 0 {
			fmt.Sscan(line[loc[4]:loc[5]], &e.Line)
			fmt.Sscan(line[loc[6]:loc[7]], &e.Col)
		}
		if msg, ok := strings.CutPrefix(line, "error:"); ok {
			if loc != nil { // older nix puts the location on the error line itself
				msg = strings.TrimRight(strings.TrimSpace(line[len("error:"):loc[0]]), ",")
			}
			msgs = append(msgs, strings.TrimSpace(msg))
		}
	}
	e.Msg = strings.Join(msgs, "; ")
	if e.Msg == "" {
		e.Msg = strings.TrimSpace(strings.ReplaceAll(stderr, abs, rel))
	}
	return e
}
