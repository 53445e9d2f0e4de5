// Package runenv is the environment one run of a target works in, read once when the target
// starts: which fleet (the real one, its inventory directory and nix settings, or the local
// fleet), dry run, verbose echo, and the output mode (JSON or text, with its writers). Every
// target and helper reads it from the one Env value instead of the process environment, so
// HUB_FLEET=local is decided in one place and a dry run reaches every executor.
//
// Entry point: [Read] builds the [Env] from the process environment and the target's [Options];
// [LocalFleetDir] is where the local fleet lives.
package runenv

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// The environment switches every target honours.
const (
	fleet   = "HUB_FLEET"   // "local" for the local fleet, or a hosts/ directory; default ./hosts
	dryRun  = "HUB_DRY_RUN" // 1: print the exact commands, run nothing
	verbose = "HUB_VERBOSE" // 1: echo every command
)

// Env is one run's environment.
type Env struct {
	// LocalFleet: HUB_FLEET=local, the fleet of internal/localfleet on this machine.
	LocalFleet bool
	// RepoHosts: HUB_FLEET unset, the repository's own hosts/ (not the local fleet's generated
	// inventory, nor another directory), whose checks also cover the flake's lock and sets.
	RepoHosts bool
	// Inventory is the inventory directory the run acts on.
	Inventory string
	// Nix are the selected fleet's nix settings: the local fleet's offline ones only for the
	// local fleet, so nothing of it reaches a real host.
	Nix nix.Settings
	// DryRun: print the exact commands, run none (HUB_DRY_RUN or the target's -dry).
	DryRun bool
	// Echo, when set, receives every command before it runs (HUB_VERBOSE).
	Echo io.Writer
	Out  Output
}

// Options are what a target adds to the process environment: its -json and -dry flags, and the
// writers of the process.
type Options struct {
	JSON, DryRun   bool
	Stdout, Stderr io.Writer
}

// Read reads the environment through getenv (os.Getenv) and the target's flags.
func Read(getenv func(string) string, o Options) Env {
	e := Env{Inventory: "hosts", Nix: nix.Real(), DryRun: o.DryRun || isTrue(getenv(dryRun)),
		Out: Output{JSON: o.JSON, Stdout: o.Stdout, Stderr: o.Stderr}}
	switch v := getenv(fleet); v {
	case "":
		e.RepoHosts = true
	case "local":
		e.LocalFleet, e.Inventory, e.Nix = true, localInventory(), nix.Local()
	default:
		e.Inventory = v
	}
	if isTrue(getenv(verbose)) {
		e.Echo = o.Stderr
	}
	return e
}

func isTrue(s string) bool {
	b, _ := strconv.ParseBool(s)
	return b
}

// LocalFleetDir is the local fleet's directory (see fleet:up).
func LocalFleetDir() string {
	dir, err := localfleet.DefaultDir()
	if err != nil {
		return filepath.Join(".hub", "localfleet")
	}
	return dir
}

// localInventory is the generated inventory of the local fleet.
func localInventory() string { return localfleet.InventoryDir(LocalFleetDir()) }

// LoadFleet loads the inventory the run acts on.
func (e Env) LoadFleet() (*inventory.Fleet, error) {
	f, err := inventory.Load(e.Inventory)
	if err != nil {
		return nil, fmt.Errorf("%w\n(run `go tool mage hosts:check` after fixing; docs/inventory.md has the schema)", err)
	}
	return f, nil
}

// Select loads the inventory and resolves a selection.
func (e Env) Select(selection string) (*inventory.Fleet, []*inventory.Host, error) {
	f, err := e.LoadFleet()
	if err != nil {
		return nil, nil, err
	}
	hosts, err := f.Select(selection)
	return f, hosts, err
}

// Host loads the inventory and finds the one host a target names.
func (e Env) Host(name string) (*inventory.Fleet, *inventory.Host, error) {
	f, err := e.LoadFleet()
	if err != nil {
		return nil, nil, err
	}
	h, err := f.Lookup(name)
	return f, h, err
}

// Executor is a new executor with the run's dry run and echo. Hosts with ssh.sudo_password
// have it asked once on the terminal, when first needed. The caller closes it.
func (e Env) Executor() *command.Executor {
	return &command.Executor{DryRun: e.DryRun, Echo: e.Echo, Sudo: &command.SudoPassword{Ask: command.AskOnTerminal}}
}

// LocalNix is nix on x's local host (this machine) with the selected fleet's settings.
func (e Env) LocalNix(x *command.Executor) nix.Nix { return nix.On(x.Local(), e.Nix) }

// Output is where a run's results and progress go.
type Output struct {
	JSON           bool // -json: stdout carries one JSON document, progress goes to stderr
	Stdout, Stderr io.Writer
}

// Progress is where live progress goes: stderr with -json, so stdout stays the JSON report.
func (o Output) Progress() io.Writer {
	if o.JSON {
		return o.Stderr
	}
	return o.Stdout
}

// WriteJSON writes v as indented JSON on stdout.
func (o Output) WriteJSON(v any) error {
	enc := json.NewEncoder(o.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Report prints a fleet run's summary table (or its JSON report) and turns failed hosts into the
// run's error, naming them and where their logs are. runErr is the run's own error; a nil rep
// (the run could not start) prints nothing.
func (o Output) Report(rep *parallel.Report, runErr error) error {
	if rep == nil {
		return runErr
	}
	if o.JSON {
		if err := rep.WriteJSON(o.Stdout); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(o.Stdout)
		if err := rep.WriteTable(o.Stdout); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if n := rep.Failed(); n > 0 {
		var failed []string
		for _, h := range rep.Hosts {
			if h.Status.Failed() {
				failed = append(failed, h.Host)
			}
		}
		where := ""
		if rep.RunDir != "" {
			where = "; logs in " + rep.RunDir
		}
		return fmt.Errorf("%d of %d hosts failed (%s): see the table above%s", n, len(rep.Hosts), strings.Join(failed, ", "), where)
	}
	return nil
}
