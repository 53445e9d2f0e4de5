// Package nix is the hub's one statement of how Nix is called: the settings every invocation
// carries, for the real fleet (Real) and for the local fleet and the tests (Local); the layer
// over internal/command that writes every nix command line (Nix: Toplevels, Realise, Invalid,
// CopyClosure, DeleteGenerations, CollectGarbage, HashPath, and Cmd for the rest); and the
// probe that proves a machine can build before anything depends on it.
//
// The settings travel two ways, because not every nix process is started by the hub: Args for
// the argv the hub builds (visible in dry runs), Env (NIX_CONFIG) for the children nix starts
// itself, and Conf for a NIX_CONF_DIR where only a directory can be handed on (the local
// fleet's ssh sessions). NIX_CONFIG is applied after every nix.conf, so what is set here wins
// whatever the machine's /etc/nix/nix.conf says, or when it is absent.
package nix

import (
	"strings"
)

// Option is one nix.conf setting.
type Option struct {
	Name, Value string
}

// Settings are the options one kind of fleet needs on every nix call.
type Settings struct {
	// Kind is "real" or "local", for messages.
	Kind    string
	Options []Option
}

// experimental is what the flake CLI needs: it is still experimental in the Nix that
// Debian ships (2.8) and in every release since.
var experimental = Option{"extra-experimental-features", "nix-command flakes"}

// Real is what a deploy to real hosts needs: the flake CLI, and otherwise the user's own
// configuration (binary caches, build users, sandbox, remote builders) untouched.
func Real() Settings {
	return Settings{Kind: "real", Options: []Option{experimental}}
}

// Local is what the local fleet and the tests need on any machine, including one with no
// nix.conf at all (a fresh Debian machine with nix-bin) and one with a daemon-style
// configuration (build users, sandbox on):
//   - build-users-group empty: as root without a nix-daemon, nix otherwise builds as the
//     nixbld users, and Debian's nix-bin creates no such group ("the group 'nixbld' specified
//     in 'build-users-group' does not exist");
//   - sandbox off: the local fleet's builders are /bin/sh scripts, and the sandbox has no
//     /bin/sh ("executing '/bin/sh': No such file or directory");
//   - no substituters and no remote builders: everything is built here, offline, and an
//     unreachable cache costs seconds per build;
//   - max-jobs above 0: a machine configured to build only remotely would refuse.
//
// None of this is right for a real host, which is why the real fleet never gets it.
func Local() Settings {
	return Settings{Kind: "local", Options: []Option{
		experimental,
		{"build-users-group", ""},
		{"sandbox", "false"},
		{"substituters", ""},
		{"builders", ""},
		{"max-jobs", "auto"},
	}}
}

// Args are the settings as command-line options, accepted by nix and by the nix-* commands.
func (s Settings) Args() []string {
	var args []string
	for _, o := range s.Options {
		if o.Name == experimental.Name {
			// The dedicated flag reads better in dry runs and is what users type.
			args = append(args, "--"+o.Name, o.Value)
			continue
		}
		args = append(args, "--option", o.Name, o.Value)
	}
	return args
}

// Conf is the settings as nix.conf text.
func (s Settings) Conf() string {
	var b strings.Builder
	for _, o := range s.Options {
		b.WriteString(o.Name)
		b.WriteString(" =")
		if o.Value != "" {
			b.WriteString(" ")
			b.WriteString(o.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Env is the settings as the environment of a nix process and of every nix process it starts.
func (s Settings) Env() []string {
	return []string{"NIX_CONFIG=" + s.Conf()}
}

// EvalArgs are for evaluations that build nothing and read no store path (parsing, secrets.nix,
// the feature registry): the dummy store keeps them off the machine's store entirely, so they
// work, and print no store warnings, whatever that store's state.
func EvalArgs() []string {
	return []string{"--store", "dummy://"}
}
