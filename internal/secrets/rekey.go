package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"filippo.io/age"
	"github.com/nixos-hub/hub/internal/durablefile"
	"golang.org/x/sync/errgroup"
)

// PlanItem is one file rekey would rewrite, and why.
type PlanItem struct {
	Entry   *Entry
	Reasons []string
	// Missing: secrets.nix lists the file but it does not exist. Rekey cannot make it and
	// reports it as failed, so that a missing file never passes as "nothing to rekey".
	Missing bool
}

// NeedsKey reports whether any item must be decrypted (every one that exists).
func NeedsKey(plan []PlanItem) bool {
	for _, p := range plan {
		if !p.Missing {
			return true
		}
	}
	return false
}

// PlanOptions select what rekey touches.
type PlanOptions struct {
	// Force rewrites every file, whether or not its recipients changed: the only way to drop
	// access that anonymous X25519 stanzas hide (one age key swapped for another).
	Force bool
	// Host, if set, restricts the plan to files whose recipients (in secrets.nix or in the file)
	// include the key labelled Host.
	Host string
}

// PlanRekey lists the files whose header disagrees with secrets.nix, from headers alone.
func PlanRekey(r *Rules, opt PlanOptions) ([]PlanItem, error) {
	var hostKey *Recipient
	if opt.Host != "" {
		var labels []string
		for _, k := range r.Keys() {
			labels = append(labels, r.Label(k))
			if r.Label(k) == opt.Host || k.Comment == opt.Host {
				k := k
				hostKey = &k
			}
		}
		if hostKey == nil {
			return nil, fmt.Errorf("%s: no key named %q (keys: %s)", r.Path, opt.Host, strings.Join(labels, ", "))
		}
	}
	var plan []PlanItem
	for _, e := range r.Entries {
		a := auditFile(e)
		if hostKey != nil && !touches(e, a, *hostKey) {
			continue
		}
		if _, err := os.Stat(e.Path); errors.Is(err, os.ErrNotExist) {
			plan = append(plan, PlanItem{Entry: e, Missing: true,
				Reasons: []string{e.Name + ": listed in secrets.nix but " + e.Path + " does not exist (create it: secrets:new " + e.Name + ")"}})
			continue
		}
		reasons := a.problems(r)
		if len(reasons) == 0 && !opt.Force {
			continue
		}
		if len(reasons) == 0 {
			reasons = []string{e.Name + ": forced"}
		}
		plan = append(plan, PlanItem{Entry: e, Reasons: reasons})
	}
	return plan, nil
}

func touches(e *Entry, a *FileAudit, k Recipient) bool {
	for _, rc := range e.Recipients {
		if rc.Key == k.Key {
			return true
		}
	}
	if a.Access == nil || k.Kind == KindX25519 {
		return false
	}
	return a.Access.SSHTags[k.Kind+" "+k.Tag] > 0
}

// RenderPlan shows what rekey is about to do before it does it.
func RenderPlan(w io.Writer, plan []PlanItem) {
	if len(plan) == 0 {
		fmt.Fprintln(w, "nothing to rekey: every file matches secrets.nix")
		return
	}
	fmt.Fprintf(w, "%d file(s) to rekey:\n", len(plan))
	for _, p := range plan {
		fmt.Fprintf(w, "  %s\n", p.Entry.Name)
		for _, why := range p.Reasons {
			fmt.Fprintf(w, "    - %s\n", strings.TrimPrefix(why, p.Entry.Name+": "))
		}
	}
}

// FileError is a file an operation could not process.
type FileError struct {
	Name string
	Err  error
}

// RekeyResult lists what was rewritten and what could not be.
type RekeyResult struct {
	Rekeyed []string
	Failed  []FileError
}

// Err is non-nil when any file failed, listing every real failure; files an interrupt kept from
// starting are counted in one line, not listed one "context canceled" each.
func (r *RekeyResult) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	var msgs []string
	interrupted := 0
	for _, f := range r.Failed {
		if errors.Is(f.Err, context.Canceled) {
			interrupted++
			continue
		}
		msgs = append(msgs, fmt.Sprintf("  %s: %v", f.Name, f.Err))
	}
	head := fmt.Sprintf("%d file(s) not rekeyed", len(r.Failed))
	if interrupted > 0 {
		head += fmt.Sprintf(" (%d interrupted, left as they were: run secrets:rekey again)", interrupted)
	}
	if len(msgs) == 0 {
		return errors.New(head)
	}
	return fmt.Errorf("%s:\n%s", head, strings.Join(msgs, "\n"))
}

// Rekey decrypts each planned file with the identities and re-encrypts it to its secrets.nix
// recipients, at most parallel at a time. A file it cannot decrypt is recorded and skipped: one
// missing key must not block the rest of the fleet's secrets. Each write is atomic.
func Rekey(ctx context.Context, plan []PlanItem, ids []age.Identity, parallel int) *RekeyResult {
	res := &RekeyResult{}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(parallel, 1))
	for _, p := range plan {
		g.Go(func() error {
			err := ctx.Err()
			switch {
			case err != nil:
			case p.Missing:
				err = fmt.Errorf("does not exist (create it: secrets:new %s)", p.Entry.Name)
			default:
				err = rekeyOne(p.Entry, ids)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed = append(res.Failed, FileError{p.Entry.Name, err})
			} else {
				res.Rekeyed = append(res.Rekeyed, p.Entry.Name)
			}
			return nil
		})
	}
	_ = g.Wait() // workers never return errors: failures are collected per file
	sort.Strings(res.Rekeyed)
	sort.Slice(res.Failed, func(i, j int) bool { return res.Failed[i].Name < res.Failed[j].Name })
	return res
}

func rekeyOne(e *Entry, ids []age.Identity) error {
	pt, err := DecryptFile(e.Path, ids)
	if err != nil {
		return err
	}
	ct, err := Encrypt(pt, e.Recipients, e.Armor)
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	if err := durablefile.Write(e.Path, ct, 0o644); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
