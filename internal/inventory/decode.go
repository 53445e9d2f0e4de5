package inventory

import (
	"fmt"
	"github.com/nixos-hub/hub/internal/tomlfile"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The raw types mirror the files. Pointers tell "absent" from "zero" so host values override fleet
// defaults field by field.
type rawFleet struct {
	Flake    string      `toml:"flake"`
	Defaults rawDefaults `toml:"defaults"`
	Alerts   rawAlerts   `toml:"alerts"`
}

type rawDefaults struct {
	SSH    rawSSH    `toml:"ssh"`
	Build  rawBuild  `toml:"build"`
	Deploy rawDeploy `toml:"deploy"`
	Users  rawUsers  `toml:"users"`
}

type rawHost struct {
	Description string       `toml:"description"`
	Class       string       `toml:"class"`
	System      string       `toml:"system"`
	Hardware    string       `toml:"hardware"`
	Tags        []string     `toml:"tags"`
	Roles       []string     `toml:"roles"`
	Features    []string     `toml:"features"`
	Guarded     bool         `toml:"guarded"`
	SSH         rawSSH       `toml:"ssh"`
	Build       rawBuild     `toml:"build"`
	Deploy      rawDeploy    `toml:"deploy"`
	Health      []rawHealth  `toml:"health"`
	Backup      []rawBackup  `toml:"backup"`
	Users       rawUsers     `toml:"users"`
	MicroVM     []rawMicroVM `toml:"microvm"`
}

type rawSSH struct {
	Destination *string  `toml:"destination"`
	User        *string  `toml:"user"`
	Port        *int     `toml:"port"`
	Options     []string `toml:"options"`
	Sudo        *bool    `toml:"sudo"`
	SudoPass    *bool    `toml:"sudo_password"`
}

type rawBuild struct {
	On                      *string `toml:"on"`
	Host                    *string `toml:"host"`
	SubstituteOnDestination *bool   `toml:"substitute_on_destination"`
}

type rawDeploy struct {
	BootMinFreeMiB *int      `toml:"boot_min_free_mib"`
	ConfirmTimeout *duration `toml:"confirm_timeout"`
	SystemRunning  *string   `toml:"system_running"`

	StepTimeout       *duration `toml:"step_timeout"`
	CopyTimeout       *duration `toml:"copy_timeout"`
	ActivationTimeout *duration `toml:"activation_timeout"`
	RebootTimeout     *duration `toml:"reboot_timeout"`
}

type rawHealth struct {
	Unit    string    `toml:"unit"`
	HTTP    string    `toml:"http"`
	TCP     string    `toml:"tcp"`
	Command string    `toml:"command"`
	From    string    `toml:"from"`
	Status  int       `toml:"status"`
	Timeout *duration `toml:"timeout"`
	Retries *int      `toml:"retries"`
}

// duration is a positive duration in host.toml and fleet.toml ("30s", "2m").
type duration = tomlfile.Duration

var (
	nameRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	systems = []string{"x86_64-linux", "aarch64-linux"}
	classes = []string{"workstation", "server", "laptop"}
	hwProfs = []string{"amd-gpu", "nvidia-gpu", "intel-integrated"}
)

// decodeStrict decodes file into v and turns TOML errors and unknown keys into located Errors.
func decodeStrict(file string, v any) []error {
	data, err := os.ReadFile(file)
	if err != nil {
		return []error{&Error{File: file, Msg: err.Error()}}
	}
	return tomlfile.Decode(file, data, v)
}

func decodeFleet(file string) (rawFleet, []error) {
	var fr rawFleet
	errs := decodeStrict(file, &fr)
	if len(errs) > 0 {
		return rawFleet{}, errs
	}
	return fr, validateKeys(file, []string{"defaults", "users"}, fr.Defaults.Users.AuthorizedKeys)
}

func decodeHost(file, name string, def rawDefaults) (*Host, []error) {
	var rh rawHost
	if errs := decodeStrict(file, &rh); len(errs) > 0 {
		return nil, errs
	}
	h := &Host{
		Name: name, File: file, Description: rh.Description, Class: rh.Class, System: rh.System,
		Hardware: rh.Hardware, Tags: rh.Tags, Roles: rh.Roles, Features: rh.Features, Guarded: rh.Guarded,
		SSH: SSH{
			Destination: pick(rh.SSH.Destination, def.SSH.Destination, name),
			User:        pick(rh.SSH.User, def.SSH.User, ""),
			Port:        pick(rh.SSH.Port, def.SSH.Port, 0),
			Options:     append(append([]string{}, def.SSH.Options...), rh.SSH.Options...),
			Sudo:        pick(rh.SSH.Sudo, def.SSH.Sudo, false),
			SudoPass:    pick(rh.SSH.SudoPass, def.SSH.SudoPass, false),
		},
		Build: Build{
			On:                      pick(rh.Build.On, def.Build.On, BuildLocal),
			Host:                    pick(rh.Build.Host, def.Build.Host, ""),
			SubstituteOnDestination: pick(rh.Build.SubstituteOnDestination, def.Build.SubstituteOnDestination, false),
		},
		Deploy: Deploy{
			BootMinFreeMiB: pick(rh.Deploy.BootMinFreeMiB, def.Deploy.BootMinFreeMiB, 200),
			ConfirmTimeout: pick(rh.Deploy.ConfirmTimeout, def.Deploy.ConfirmTimeout, duration{Duration: 30 * time.Second}).Duration,
			SystemRunning:  pick(rh.Deploy.SystemRunning, def.Deploy.SystemRunning, SystemDegraded),

			StepTimeout:       pick(rh.Deploy.StepTimeout, def.Deploy.StepTimeout, duration{Duration: time.Minute}).Duration,
			CopyTimeout:       pick(rh.Deploy.CopyTimeout, def.Deploy.CopyTimeout, duration{Duration: time.Hour}).Duration,
			ActivationTimeout: pick(rh.Deploy.ActivationTimeout, def.Deploy.ActivationTimeout, duration{Duration: 30 * time.Minute}).Duration,
			RebootTimeout:     pick(rh.Deploy.RebootTimeout, def.Deploy.RebootTimeout, duration{Duration: 10 * time.Minute}).Duration,
		},
	}
	if h.Build.On != BuildHost && rh.Build.On != nil {
		h.Build.Host = "" // a default build host does not apply to a host that builds elsewhere
	}
	for _, c := range rh.Health {
		hc := HealthCheck{Unit: c.Unit, HTTP: c.HTTP, TCP: c.TCP, Command: c.Command, From: c.From, Status: c.Status,
			Timeout: 10 * time.Second, Retries: 3}
		if c.Timeout != nil {
			hc.Timeout = c.Timeout.Duration
		}
		if c.Retries != nil {
			hc.Retries = *c.Retries
		}
		if hc.HTTP != "" && hc.Status == 0 {
			hc.Status = 200
		}
		h.Health = append(h.Health, hc)
	}
	h.Backups = backupSets(rh.Backup)
	h.Users = mergeUsers(def.Users, rh.Users)
	h.MicroVMs = microVMs(rh.MicroVM)
	errs := append(h.validate(rh), h.validateBackups()...)
	errs = append(errs, h.validateMicroVMs()...)
	errs = append(errs, h.validateUsers(rh.Users)...)
	if len(errs) > 0 {
		return nil, errs
	}
	// Validation needed to tell an absent from from an explicit one; everything after it
	// (deploys, hosts:show, -json) sees where each check runs.
	for i := range h.Health {
		h.Health[i].From = h.Health[i].RunsOn()
	}
	return h, nil
}

func pick[T any](host, fleet *T, fallback T) T {
	switch {
	case host != nil:
		return *host
	case fleet != nil:
		return *fleet
	default:
		return fallback
	}
}

func (h *Host) validate(rh rawHost) []error {
	var errs []error
	bad := func(key []string, format string, args ...any) {
		errs = append(errs, &Error{File: h.File, Line: findLine(h.File, key), Field: strings.Join(key, "."), Msg: fmt.Sprintf(format, args...)})
	}
	if !nameRe.MatchString(h.Name) {
		errs = append(errs, &Error{File: h.File, Msg: fmt.Sprintf("host name %q (the directory name) must match %s", h.Name, nameRe)})
	}
	oneOf := func(key, val string, allowed []string) {
		switch {
		case val == "":
			errs = append(errs, &Error{File: h.File, Field: key, Msg: fmt.Sprintf("missing (one of %s)", strings.Join(allowed, ", "))})
		case !slices.Contains(allowed, val):
			bad([]string{key}, "%q is not one of %s", val, strings.Join(allowed, ", "))
		}
	}
	if h.SSH.SudoPass && !h.SSH.Sudo {
		bad([]string{"ssh", "sudo_password"}, "sudo_password = true needs sudo = true (the password is for sudo)")
	}
	oneOf("system", h.System, systems)
	oneOf("class", h.Class, classes)
	oneOf("hardware", h.Hardware, hwProfs)
	for _, list := range []struct {
		key  string
		vals []string
	}{{"tags", h.Tags}, {"roles", h.Roles}, {"features", h.Features}} {
		seen := map[string]bool{}
		for i, v := range list.vals {
			if !nameRe.MatchString(v) {
				bad([]string{list.key}, "%s[%d] %q must match %s", list.key, i, v, nameRe)
			}
			if seen[v] {
				bad([]string{list.key}, "%q listed twice", v)
			}
			seen[v] = true
		}
	}
	if h.SSH.Destination == "" || strings.ContainsAny(h.SSH.Destination, " \t@") {
		bad([]string{"ssh", "destination"}, "%q must be an address or ssh_config alias without spaces or user@", h.SSH.Destination)
	}
	if h.SSH.Port < 0 || h.SSH.Port > 65535 {
		bad([]string{"ssh", "port"}, "%d is not a port (1-65535)", h.SSH.Port)
	}
	for i, o := range h.SSH.Options {
		if k, _, ok := strings.Cut(o, "="); !ok || k == "" || strings.ContainsAny(k, " \t") {
			bad([]string{"ssh", "options"}, "options[%d] %q must be Key=Value", i, o)
		}
	}
	switch h.Build.On {
	case BuildLocal, BuildTarget:
	case BuildHost:
		if h.Build.Host == "" {
			bad([]string{"build", "on"}, "\"host\" needs build.host naming the build host")
		}
	default:
		bad([]string{"build", "on"}, "%q is not one of local, target, host", h.Build.On)
	}
	if h.Deploy.BootMinFreeMiB < 0 {
		bad([]string{"deploy", "boot_min_free_mib"}, "must not be negative")
	}
	if !slices.Contains([]string{SystemRunning, SystemDegraded, SystemIgnore}, h.Deploy.SystemRunning) {
		bad([]string{"deploy", "system_running"}, "%q is not one of running, degraded, ignore", h.Deploy.SystemRunning)
	}
	errs = append(errs, h.validateHealth()...)
	return errs
}

// findLine is the line of key in file (tomlfile.KeyLine), 0 when it cannot be read or found.
func findLine(file string, key []string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	return tomlfile.KeyLine(data, key)
}

// findNthTable returns the line of the n-th [[name]] header.
func findNthTable(file, name string, n int) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	count := 0
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "[["+name+"]]" {
			if count == n {
				return i + 1
			}
			count++
		}
	}
	return 0
}
