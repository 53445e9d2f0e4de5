package inventory

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes one line per host: name, address, tags, roles and feature count.
func WriteTable(w io.Writer, hosts []*Host) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tADDRESS\tSYSTEM\tTAGS\tROLES\tFEATURES\tGUARDED")
	for _, h := range hosts {
		guarded := ""
		if h.Guarded {
			guarded = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", h.Name, h.Address(), h.System,
			orDash(strings.Join(h.Tags, ",")), orDash(strings.Join(h.Roles, ",")), len(h.Features), guarded)
	}
	return tw.Flush()
}

// Address is user@destination:port as ssh will be asked to reach it.
func (h *Host) Address() string {
	s := h.SSH.Destination
	if h.SSH.User != "" {
		s = h.SSH.User + "@" + s
	}
	if h.SSH.Port != 0 {
		s = fmt.Sprintf("%s:%d", s, h.SSH.Port)
	}
	return s
}

// WriteHost writes everything the inventory says about one host, defaults applied.
func WriteHost(w io.Writer, h *Host) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, orDash(v)) }
	row("host", h.Name)
	row("description", h.Description)
	row("file", h.File)
	row("class", h.Class)
	row("system", h.System)
	row("hardware", h.Hardware)
	row("tags", strings.Join(h.Tags, ", "))
	row("roles", strings.Join(h.Roles, ", "))
	row("features", strings.Join(h.Features, ", "))
	row("guarded", fmt.Sprint(h.Guarded))
	row("ssh", h.Address())
	row("ssh options", strings.Join(h.SSH.Options, " "))
	sudo := fmt.Sprint(h.SSH.Sudo)
	if h.SSH.SudoPass {
		sudo += " (asks a password: asked once per run)"
	}
	row("ssh sudo", sudo)
	build := h.Build.On
	if h.Build.On == BuildHost {
		build += " " + h.Build.Host
	}
	if h.Build.SubstituteOnDestination {
		build += " (substitutes on destination)"
	}
	row("build", build)
	row("boot min free", fmt.Sprintf("%d MiB", h.Deploy.BootMinFreeMiB))
	row("confirm timeout", h.Deploy.ConfirmTimeout.String())
	row("system running", h.Deploy.SystemRunning)
	row("deadlines", fmt.Sprintf("step %s, copy %s, activation %s, reboot %s", h.Deploy.StepTimeout, h.Deploy.CopyTimeout, h.Deploy.ActivationTimeout, h.Deploy.RebootTimeout))
	for i, c := range h.Health {
		extra := ""
		if c.Kind() == "http" {
			extra = fmt.Sprintf(" (status %d)", c.Status)
		}
		row(fmt.Sprintf("health[%d]", i), fmt.Sprintf("%s %s%s %s, timeout %s, %d tries", c.Kind(), c.Target(), extra, where(c), c.Timeout, c.Retries))
	}
	for _, v := range h.MicroVMs {
		start := "manual start"
		if v.Autostart {
			start = "autostart"
		}
		row("microvm "+v.Name, fmt.Sprintf("%d vcpu, %d MiB, ssh port %d as %s, %s", v.VCPU, v.MemoryMiB, v.SSHPort, v.User, start))
	}
	return tw.Flush()
}

// jsonHost is the stable -json shape of a host.
type jsonHost struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	File        string       `json:"file"`
	Class       string       `json:"class"`
	System      string       `json:"system"`
	Hardware    string       `json:"hardware"`
	Tags        []string     `json:"tags"`
	Roles       []string     `json:"roles"`
	Features    []string     `json:"features"`
	Guarded     bool         `json:"guarded"`
	SSH         jsonSSH      `json:"ssh"`
	Build       jsonBuild    `json:"build"`
	Deploy      jsonDeploy   `json:"deploy"`
	Health      []jsonHealth `json:"health"`
}

type jsonSSH struct {
	Destination string   `json:"destination"`
	User        string   `json:"user,omitempty"`
	Port        int      `json:"port,omitempty"`
	Options     []string `json:"options"`
	Sudo        bool     `json:"sudo"`
	SudoPass    bool     `json:"sudo_password"`
}

type jsonBuild struct {
	On                      string `json:"on"`
	Host                    string `json:"host,omitempty"`
	SubstituteOnDestination bool   `json:"substitute_on_destination"`
}

type jsonDeploy struct {
	BootMinFreeMiB           int     `json:"boot_min_free_mib"`
	ConfirmTimeoutSeconds    float64 `json:"confirm_timeout_seconds"`
	SystemRunning            string  `json:"system_running"`
	StepTimeoutSeconds       float64 `json:"step_timeout_seconds"`
	CopyTimeoutSeconds       float64 `json:"copy_timeout_seconds"`
	ActivationTimeoutSeconds float64 `json:"activation_timeout_seconds"`
	RebootTimeoutSeconds     float64 `json:"reboot_timeout_seconds"`
}

type jsonHealth struct {
	Kind           string  `json:"kind"`
	Target         string  `json:"target"`
	From           string  `json:"from"` // "target" or "hub": where the check runs
	Status         int     `json:"status,omitempty"`
	TimeoutSeconds float64 `json:"timeout_seconds"`
	Retries        int     `json:"retries"`
}

// WriteJSON writes the hosts as a JSON array.
func WriteJSON(w io.Writer, hosts []*Host) error {
	out := make([]jsonHost, 0, len(hosts))
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	for _, h := range hosts {
		jh := jsonHost{Name: h.Name, Description: h.Description, File: h.File, Class: h.Class, System: h.System,
			Hardware: h.Hardware, Tags: nonNil(h.Tags), Roles: nonNil(h.Roles), Features: nonNil(h.Features), Guarded: h.Guarded,
			SSH:   jsonSSH{h.SSH.Destination, h.SSH.User, h.SSH.Port, nonNil(h.SSH.Options), h.SSH.Sudo, h.SSH.SudoPass},
			Build: jsonBuild{h.Build.On, h.Build.Host, h.Build.SubstituteOnDestination},
			Deploy: jsonDeploy{h.Deploy.BootMinFreeMiB, h.Deploy.ConfirmTimeout.Seconds(), h.Deploy.SystemRunning,
				h.Deploy.StepTimeout.Seconds(), h.Deploy.CopyTimeout.Seconds(), h.Deploy.ActivationTimeout.Seconds(), h.Deploy.RebootTimeout.Seconds()},
			Health: []jsonHealth{}}
		for _, c := range h.Health {
			jh.Health = append(jh.Health, jsonHealth{c.Kind(), c.Target(), c.RunsOn(), c.Status, c.Timeout.Seconds(), c.Retries})
		}
		out = append(out, jh)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// where says in words where a check runs, for hosts:show.
func where(c HealthCheck) string {
	if c.RunsOn() == FromTarget {
		return "on the target"
	}
	return "from the hub"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
