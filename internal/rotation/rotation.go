// Package rotation rotates a secret as a transaction that reaches its consumer: the new value is
// generated and encrypted (internal/secrets), its consumer is prepared for it, the .age file is
// replaced atomically, the hosts that use it get it by a deploy, the consumer takes it and is
// verified, and only then is the old value let go and rotation.toml updated. A failure at any
// step puts the old .age file back, deploys it again and undoes the consumer's step, and the
// result says exactly what could not be undone (a host that stayed unreachable).
//
// The consumers are rotation.toml's: restic (a key for the new password is added to every
// repository of every host using the secret before the deploy, the old key removed only after
// each repository opens with the deployed file: some key opens every repository at every
// moment), restart (units restarted on each host after the deploy, checked active) and manual
// (instructions printed after the deploy).
//
// Entry points: [Rotate] runs one rotation with its [Options] (a [Deliverer] such as [Deploy],
// with [LocalFleetStage] on the local fleet) and [Report] prints the [Result]s.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/secrets"
)

// Deliverer brings the .age files as the repository now has them to hosts, so that each host's
// /run/agenix holds their values afterwards: a deploy (agenix decrypts at activation). It
// returns the hosts it could not deliver to, with why.
type Deliverer interface {
	Deliver(ctx context.Context, hosts []*inventory.Host) map[string]error
}

// delivererFunc is a function as a Deliverer.
type delivererFunc func(ctx context.Context, hosts []*inventory.Host) map[string]error

// Deliver calls f.
func (f delivererFunc) Deliver(ctx context.Context, hosts []*inventory.Host) map[string]error {
	return f(ctx, hosts)
}

// Options are what a rotation works with.
type Options struct {
	Rules    *secrets.Rules
	Rotation *secrets.Rotation
	Fleet    *inventory.Fleet
	Executor *command.Executor
	Deliver  Deliverer
	Now      time.Time
	Rand     io.Reader
	Out      io.Writer // one line per step
}

// Outcomes of a rotation.
const (
	rotated    = "rotated"     // the new value is in use and verified, the old one gone
	rolledBack = "rolled back" // a step failed; the old value is back everywhere
	incomplete = "INCOMPLETE"  // a step failed and the rollback could not finish: see LeftToDo
	failed     = "failed"      // it failed before anything changed
)

// Result is one secret's rotation.
type Result struct {
	Secret   string
	Consumer string
	Hosts    []string // the hosts that use it (its recipients in secrets.nix)
	Outcome  string
	Err      error    // the step that failed
	LeftToDo []string // what a person still has to do, exactly
	// Instructions are a manual consumer's, printed after its deploy.
	Instructions string
}

// consumer is how the service using a secret takes part in its rotation, one method per step.
type consumer interface {
	// prepare readies the consumer for the new value before anything is deployed.
	prepare(ctx context.Context, nv *secrets.NewValue) error
	// apply makes the consumer take the deployed value and verifies it does.
	apply(ctx context.Context) error
	// commit lets the old value go; what it cannot do is left to do (never a rollback: the new
	// value works by then).
	commit(ctx context.Context) []string
	// undo reverses prepare (and apply) after the old value is deployed again; unreached lists
	// the hosts that may still hold the new value. It returns what is left to do.
	undo(ctx context.Context, unreached map[string]error) []string
}

// users are the inventory hosts that can decrypt the secret: its recipients in secrets.nix
// labelled with a host's name, the hosts a deploy brings it to.
func users(r *secrets.Rules, e *secrets.Entry, f *inventory.Fleet) []*inventory.Host {
	var hosts []*inventory.Host
	for _, h := range f.Hosts {
		if slices.ContainsFunc(e.Recipients, func(rc secrets.Recipient) bool { return r.Label(rc) == h.Name }) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// Rotate rotates the secret name as a transaction (see the package comment).
func Rotate(ctx context.Context, o Options, name string) *Result {
	res := &Result{Secret: name}
	if e, err := o.Rules.Entry(name); err == nil {
		res.Secret = e.Name // as secrets.nix names it, in every message
	}
	logf := func(format string, args ...any) {
		if o.Out != nil {
			fmt.Fprintf(o.Out, "%s: %s\n", res.Secret, fmt.Sprintf(format, args...))
		}
	}
	fail := func(step string, err error) *Result {
		res.Outcome, res.Err = failed, fmt.Errorf("%s: %s: %w", res.Secret, step, err)
		return res
	}
	nv, err := o.Rotation.NewValue(o.Rules, name, o.Rand)
	if err != nil {
		return fail("generate", err)
	}
	res.Secret, res.Consumer, res.Instructions = nv.Entry.Name, nv.Spec.ConsumerOf(), nv.Spec.Instructions
	hosts := users(o.Rules, nv.Entry, o.Fleet)
	for _, h := range hosts {
		res.Hosts = append(res.Hosts, h.Name)
	}
	if len(hosts) == 0 {
		return fail("hosts", fmt.Errorf("no host of the inventory is among its recipients in %s (bind each host key to a variable named like the host)", o.Rules.Path))
	}
	old, err := os.ReadFile(nv.Entry.Path)
	if err != nil {
		return fail("read the old value", err)
	}
	var c consumer
	switch res.Consumer {
	case secrets.ConsumerRestic:
		rc, err := newResticConsumer(o, nv.Entry, hosts, logf)
		if err != nil {
			return fail("restic", err)
		}
		c = rc
	case secrets.ConsumerRestart:
		c = &restartConsumer{o: o, hosts: hosts, units: nv.Spec.Units, logf: logf}
	default:
		c = manualConsumer{}
	}

	logf("new %s value for %s (consumer %s)", nv.Spec.Generator, strings.Join(res.Hosts, ", "), res.Consumer)
	if err := c.prepare(ctx, nv); err != nil {
		res.Err = fmt.Errorf("%s: prepare %s: %w", res.Secret, res.Consumer, err)
		// Undone even after a Ctrl-C: the keys it added must not outlive the run.
		res.LeftToDo = c.undo(context.WithoutCancel(ctx), nil)
		return res.settle()
	}
	// From here on the repository holds the new value until a rollback puts the old one back.
	if err := durablefile.Write(nv.Entry.Path, nv.Ciphertext, 0o644); err != nil {
		res.Err = fmt.Errorf("%s: write: %w", res.Secret, err)
		res.LeftToDo = c.undo(context.WithoutCancel(ctx), nil)
		return res.settle()
	}
	logf("deploy to %s", strings.Join(res.Hosts, ", "))
	if failed := o.Deliver.Deliver(ctx, hosts); len(failed) > 0 {
		res.Err = fmt.Errorf("%s: deploy: %w", res.Secret, hostErrors(failed))
		return res.rollback(ctx, o, c, hosts, nv.Entry.Path, old, logf)
	}
	if err := c.apply(ctx); err != nil {
		res.Err = fmt.Errorf("%s: %s: %w", res.Secret, res.Consumer, err)
		return res.rollback(ctx, o, c, hosts, nv.Entry.Path, old, logf)
	}
	res.LeftToDo = c.commit(ctx)
	if err := o.Rotation.Record(nv.Entry.Name, o.Now, nv.Public); err != nil {
		res.LeftToDo = append(res.LeftToDo, fmt.Sprintf("record the rotation in %s (rotated = %s): %v", o.Rotation.Path, o.Now.UTC().Format(time.RFC3339), err))
	}
	res.Outcome = rotated
	logf("rotated")
	return res
}

// rollback puts the old .age file (old, at path) back, deploys it to every user again and undoes
// the consumer's steps.
func (res *Result) rollback(ctx context.Context, o Options, c consumer, hosts []*inventory.Host, path string, old []byte, logf func(string, ...any)) *Result {
	logf("rolling back: %v", res.Err)
	// The rollback runs even when the run was interrupted: it is what keeps the fleet whole.
	ctx = context.WithoutCancel(ctx)
	if err := durablefile.Write(path, old, 0o644); err != nil {
		res.LeftToDo = append(res.LeftToDo, fmt.Sprintf("restore %s from git (git checkout -- %s), deploy %s, then run secrets:rotate again: %v",
			res.Secret, path, strings.Join(res.Hosts, ", "), err))
		res.Outcome = incomplete
		return res
	}
	logf("old value restored; deploy to %s", strings.Join(res.Hosts, ", "))
	unreached := o.Deliver.Deliver(ctx, hosts)
	for _, h := range hosts {
		if err, ok := unreached[h.Name]; ok {
			res.LeftToDo = append(res.LeftToDo, fmt.Sprintf("host %s: deploy it again once it answers and the error is fixed (it may hold the new value; the repository has the old one again): %v", h.Name, err))
		}
	}
	res.LeftToDo = append(res.LeftToDo, c.undo(ctx, unreached)...)
	return res.settle()
}

// settle sets the outcome of a failed rotation from what is left to do.
func (res *Result) settle() *Result {
	res.Outcome = rolledBack
	if len(res.LeftToDo) > 0 {
		res.Outcome = incomplete
	}
	return res
}

// hostErrors is one error naming each failed host, in name order.
func hostErrors(failed map[string]error) error {
	names := make([]string, 0, len(failed))
	for n := range failed {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, fmt.Errorf("host %s: %w", n, failed[n]))
	}
	return errors.Join(errs...)
}

// manualConsumer is a consumer the hub cannot update: the deploy is all it does.
type manualConsumer struct{}

func (manualConsumer) prepare(context.Context, *secrets.NewValue) error { return nil }
func (manualConsumer) apply(context.Context) error                      { return nil }
func (manualConsumer) commit(context.Context) []string                  { return nil }
func (manualConsumer) undo(context.Context, map[string]error) []string  { return nil }

// Report prints a table of the rotations, then each one's error, what is left to do and a
// manual consumer's instructions; it returns an error unless every secret was rotated.
func Report(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSECRET\tCONSUMER\tHOSTS\tOUTCOME")
	bad := 0
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Secret, r.Consumer, strings.Join(r.Hosts, ","), r.Outcome)
		if r.Outcome != rotated {
			bad++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(w, "\n%v\n", r.Err) // it names the secret and the step
		}
		if r.Outcome == rotated && r.Consumer == secrets.ConsumerManual {
			instr := r.Instructions
			if instr == "" {
				instr = "rotation.toml names no consumer: make whatever reads it take the new value (consumer = \"restart\" with units, or instructions)"
			}
			fmt.Fprintf(w, "\n%s: deployed; now by hand: %s\n", r.Secret, instr)
		}
		for _, l := range r.LeftToDo {
			fmt.Fprintf(w, "%s: left to do: %s\n", r.Secret, l)
		}
	}
	if bad < len(results) {
		// The deploy built the working tree; another checkout still has the old values, and a
		// deploy from it would bring back e.g. a restic password no repository opens any more.
		fmt.Fprintln(w, "\ncommit the rotated .age files and rotation.toml now: a deploy from a checkout without them brings the old values back")
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d secret(s) not rotated: see above", bad, len(results))
	}
	return nil
}
