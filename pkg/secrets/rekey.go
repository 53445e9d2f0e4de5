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
	"golang.org/x/sync/errgroup"
)

// PlanItem is one file rekey would rewrite, and why.
type PlanItem struct {
	Entry   *Entry
	Reasons []string
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
		if _, err := os.Stat(e.Path); errors.Is(err, os.ErrNotExist) {
			continue // nothing to rekey; Consistency reports it
		}
		a := AuditFile(e)
		if hostKey != nil && !touches(e, a, *hostKey) {
			continue
		}
		reasons := a.Problems(r)
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
	if a.Header == nil || k.Kind == KindX25519 {
		return false
	}
	return a.Header.Access().SSHTags[k.Kind+" "+k.Tag] > 0
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

// Err is non-nil when any file failed, listing them all.
func (r *RekeyResult) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	msgs := make([]string, len(r.Failed))
	for i, f := range r.Failed {
		msgs[i] = fmt.Sprintf("  %s: %v", f.Name, f.Err)
	}
	return fmt.Errorf("%d file(s) not rekeyed:\n%s", len(r.Failed), strings.Join(msgs, "\n"))
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
			if err == nil {
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
	if err := WriteFileAtomic(e.Path, ct, 0o644); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
