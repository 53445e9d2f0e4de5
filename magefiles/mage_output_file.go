//go:build ignore
// +build ignore

package main

import (
	_context "context"
	_flag "flag"
	_fmt "fmt"
	_io "io"
	_log "log"
	_os "os"
	_signal "os/signal"
	_filepath "path/filepath"
	_sort "sort"
	_strconv "strconv"
	_strings "strings"
	_syscall "syscall"
	_tabwriter "text/tabwriter"
	_time "time"
	
)

func main() {
	// Use local types and functions in order to avoid name conflicts with additional magefiles.
	type arguments struct {
		Verbose       bool          // print out log statements
		List          bool          // print out a list of targets
		Help          bool          // print out help for a specific target
		Timeout       _time.Duration // set a timeout to running the targets
		Args          []string      // args contain the non-flag command-line arguments
	}

	parseBool := func(env string) bool {
		val := _os.Getenv(env)
		if val == "" {
			return false
		}		
		b, err := _strconv.ParseBool(val)
		if err != nil {
			_log.Printf("warning: environment variable %s is not a valid bool value: %v", env, val)
			return false
		}
		return b
	}

	parseDuration := func(env string) _time.Duration {
		val := _os.Getenv(env)
		if val == "" {
			return 0
		}		
		d, err := _time.ParseDuration(val)
		if err != nil {
			_log.Printf("warning: environment variable %s is not a valid duration value: %v", env, val)
			return 0
		}
		return d
	}
	args := arguments{}
	fs := _flag.FlagSet{}
	fs.SetOutput(_os.Stdout)

	// default flag set with ExitOnError and auto generated PrintDefaults should be sufficient
	fs.BoolVar(&args.Verbose, "v", parseBool("MAGEFILE_VERBOSE"), "show verbose output when running targets")
	fs.BoolVar(&args.List, "l", parseBool("MAGEFILE_LIST"), "list targets for this binary")
	fs.BoolVar(&args.Help, "h", parseBool("MAGEFILE_HELP"), "print out help for a specific target")
	fs.DurationVar(&args.Timeout, "t", parseDuration("MAGEFILE_TIMEOUT"), "timeout in duration parsable format (e.g. 5m30s)")
	fs.Usage = func() {
		_fmt.Fprintf(_os.Stdout, `
%s [options] [target]

Commands:
  -l    list targets in this binary
  -h    show this help

Options:
  -h    show description of a target
  -t <string>
        timeout in duration parsable format (e.g. 5m30s)
  -v    show verbose output when running targets
 `[1:], _filepath.Base(_os.Args[0]))
	}
	if err := fs.Parse(_os.Args[1:]); err != nil {
		// flag will have printed out an error already.
		return
	}
	args.Args = fs.Args()
	if args.Help && len(args.Args) == 0 {
		fs.Usage()
		return
	}
		
	var printName = func(str string) string {
	// color is ANSI color type
	type color int

	// If you add/change/remove any items in this constant,
	// you will need to run "stringer -type=color" in this directory again.
	// NOTE: Please keep the list in an alphabetical order.
	const (
		black color = iota
		red
		green
		yellow
		blue
		magenta
		cyan
		white
		brightblack
		brightred
		brightgreen
		brightyellow
		brightblue
		brightmagenta
		brightcyan
		brightwhite
	)

	// AnsiColor are ANSI color codes for supported terminal colors.
	var ansiColor = map[color]string{
		black:         "\u001b[30m",
		red:           "\u001b[31m",
		green:         "\u001b[32m",
		yellow:        "\u001b[33m",
		blue:          "\u001b[34m",
		magenta:       "\u001b[35m",
		cyan:          "\u001b[36m",
		white:         "\u001b[37m",
		brightblack:   "\u001b[30;1m",
		brightred:     "\u001b[31;1m",
		brightgreen:   "\u001b[32;1m",
		brightyellow:  "\u001b[33;1m",
		brightblue:    "\u001b[34;1m",
		brightmagenta: "\u001b[35;1m",
		brightcyan:    "\u001b[36;1m",
		brightwhite:   "\u001b[37;1m",
	}

	const colorName = "blackredgreenyellowbluemagentacyanwhitebrightblackbrightredbrightgreenbrightyellowbrightbluebrightmagentabrightcyanbrightwhite"

	var colorIndex = [...]uint8{0, 5, 8, 13, 19, 23, 30, 34, 39, 50, 59, 70, 82, 92, 105, 115, 126}

	colorToLowerString := func(i color) string {
		if i < 0 || i >= color(len(colorIndex)-1) {
			return "color(" + _strconv.FormatInt(int64(i), 10) + ")"
		}
		return colorName[colorIndex[i]:colorIndex[i+1]]
	}

	// ansiColorReset is an ANSI color code to reset the terminal color.
	const ansiColorReset = "\033[0m"

	// defaultTargetAnsiColor is a default ANSI color for colorizing targets.
	// It is set to Cyan as an arbitrary color, because it has a neutral meaning
	var defaultTargetAnsiColor = ansiColor[cyan]

	getAnsiColor := func(color string) (string, bool) {
		colorLower := _strings.ToLower(color)
		for k, v := range ansiColor {
			colorConstLower := colorToLowerString(k)
			if colorConstLower == colorLower {
				return v, true
			}
		}
		return "", false
	}

	// Terminals which  don't support color:
	//
	//	TERM=vt100
	//	TERM=cygwin
	//	TERM=xterm-mono
	var noColorTerms = map[string]bool{
		"vt100":      false,
		"cygwin":     false,
		"xterm-mono": false,
	}

	// terminalSupportsColor checks if the current console supports color output
	//
	// Supported:
	//
	//	linux, mac, or windows's ConEmu, Cmder, putty, git-bash.exe, pwsh.exe
	//
	// Not supported:
	//
	//	windows cmd.exe, powerShell.exe
	terminalSupportsColor := func() bool {
		envTerm := _os.Getenv("TERM")
		if _, ok := noColorTerms[envTerm]; ok {
			return false
		}
		return true
	}

	// enableColor reports whether the user has requested to enable a color output.
	enableColor := func() bool {
		b, _ := _strconv.ParseBool(_os.Getenv("MAGEFILE_ENABLE_COLOR"))
		return b
	}

	// targetColor returns the ANSI color which should be used to colorize targets.
	targetColor := func() string {
		s, exists := _os.LookupEnv("MAGEFILE_TARGET_COLOR")
		if exists {
			if c, ok := getAnsiColor(s); ok {
				return c
			}
		}
		return defaultTargetAnsiColor
	}

	// store the color terminal variables, so that the detection isn't repeated for each target
	var enableColorValue = enableColor() && terminalSupportsColor()
	var targetColorValue = targetColor()

	if enableColorValue {
		return _fmt.Sprintf("%s%s%s", targetColorValue, str, ansiColorReset)
	}

	return str
}


	list := func() error {
		_fmt.Println(`The hub's Mage targets. Targets are thin: they parse typed arguments, call internal/, and print. Every target has a doc comment, so 'go tool mage -l' is the help screen.
`)
		targets := map[string]string{
			"ai:ask": "answers QUESTION with the fleet as context (hosts, roles, resolved features, the last deploy), streamed as it arrives, then the attempts and tokens and cost; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).",
			"ai:explain": "reads a run under .hub/runs (-run NAME or DIR; default the newest run with a failed host), sends the failed hosts' phase logs (their last -budget bytes in all, default 24576) and streams an explanation ending in a suggested next command; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).",
			"ai:providers": "shows which providers hosts/ai.toml configures, in fallback order, where each key comes from, and whether each answers and how fast (all in parallel); -provider NAMES (comma list, default $HUB_AI_PROVIDERS or all), -json.",
			"ai:review": "builds what a deploy of SELECTION would change (deploy:plan) and the git diff of the Nix since each host's running revision, and streams the risks it sees with a go/hold verdict; changes nothing; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).",
			"ai:tune": "reads HOST's baseline-exporter metrics (-metrics URL, default http://HOST:9103/metrics) and feature set and proposes tuning as a Nix diff, checked with git apply --check and written to .hub/ai/tune-HOST-TIME.diff for review: never applied; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).",
			"backup:copy": "copies the SELECTION's snapshots of each set with a copy repository (host.toml copy) that it lacks, with restic copy; -init creates a missing copy repository.",
			"backup:prune": "forgets the SELECTION's snapshots beyond each set's keep_* policy and prunes the data only they used.",
			"backup:repo": "writes a git bundle of this repository (every ref) into -out DIR (default .hub/backups), verified with git bundle verify; restore with git clone FILE.",
			"backup:restore": "restores SNAPSHOT (an ID or \"latest\") of HOST's -set (needed when it has several) into -target DIR on the host, only -path P when given; refuses a non-empty target unless -force.",
			"backup:run": "backs up the SELECTION's sets (-set NAME for one) with restic on each host, in parallel: SQLite copies first, live progress, a summary per host; -init creates missing repositories, -textfile DIR overrides the metric directory (\"-\" for none).",
			"backup:snapshots": "lists the snapshots of the SELECTION's sets (-set NAME for one).",
			"backup:status": "shows the age of the last snapshot of every set of the SELECTION (-json: an array with each set's state and exit code); exits with the worst state's code: 2 stale (older than max_age), 3 future, 4 never, 5 locked, 6 no-disk, 7 unreadable, 8 missing (a snapshot the retention keeps was deleted; -accept after a deliberate forget).",
			"backup:unlock": "removes the stale restic locks (a killed run's) of the SELECTION's repositories and keeps every live run's, listing both.",
			"backup:verify": "proves the SELECTION's sets restorable: restic check reading the next 1/20 of the pack files in turn (every pack within 20 runs; -subset S reads S instead), then -sample N files (default 20) of the latest snapshot restored and compared by SHA-256 with their source; a locked repository is reported as locked, not damaged.",
			"demo": "runs the main job on the embedded local fleet: six hosts deployed in parallel, their status, a generation that locks SSH out rolled back automatically, and p620's development VM booted with QEMU and reached over SSH (needs root; the fleet is torn down at the end).",
			"deploy:all": "deploys (switch) every host in parallel; flags as for deploy:hosts.",
			"deploy:analyze": "shows where HOST's system spends its space (the old analyze): the -top N largest store paths of its closure (default 10) with their own and closure sizes, and what grew, appeared or went since the generation before it, by package; read on the host over ssh.",
			"deploy:boot": "makes the SELECTION's new systems the boot default without activating them (-reboot to boot them).",
			"deploy:diff": "lists the packages added, removed and upgraded between HOST's running system and its new one.",
			"deploy:dryActivate": "shows what activating the SELECTION's new systems would restart, changing nothing.",
			"deploy:emergency": "deploys HOST skipping the boot space and health checks, after its name is typed (lock and magic rollback stay).",
			"deploy:generations": "lists HOST's system profile generations with the running, booted and default one marked.",
			"deploy:history": "diffs two generations of HOST's system profile (the old system-diff): kernel, closure size, systemd units added/removed/changed, packages added/removed/upgraded with versions.",
			"deploy:hosts": "deploys (switch) the SELECTION: one eval and build, then per host copy, lock, activation with magic rollback and health gates.",
			"deploy:plan": "shows per host what a deploy of the SELECTION would change: store paths, closure size, packages, reboot.",
			"deploy:prune": "frees /boot and the store on HOST (the old boot-space-clean): under the deploy lock it deletes the system generations but the newest -keep N (default 3; the running and the booted one are always kept), collects garbage, and rewrites the boot entries with the current generation's switch-to-configuration boot.",
			"deploy:rollback": "switches HOST back to its previous system generation, or to -generation N.",
			"deploy:showBuild": "shows, for each host of the SELECTION, what deploying it would build and what it would fetch from the binary caches (with nix's download and unpacked sizes), building and fetching nothing (one evaluation, then nix-store --realise --dry-run per host); -verbose lists every derivation and path.",
			"deploy:status": "shows the SELECTION's running and booted systems, profile generation, reboot needed and last deploy.",
			"deploy:test": "activates the SELECTION's new systems without changing the boot default (magic rollback applies).",
			"deploy:times": "shows how long each phase of past deploys took on the SELECTION's hosts (eval, build, copy, activate, health; the old perf-build-times and test-build-all's timing summary): one row per host and run from the run reports in .hub/runs, newest first, then per host and phase the median, slowest and latest.",
			"dev:languages": "lists the languages dev:shell accepts, with their packages (the same as lang-NAME's).",
			"dev:shell": "enters devShells.<system>.LANG of this flake with 'nix develop': the toolchain, language server and formatters the host feature lang-LANG installs (nix/languages.nix).",
			"docs:features": "regenerates docs/feature-catalogue.md (every feature with its classes, requirements, conflicts, declared cost, hosts and options) from modules/features.toml and the modules; needs nix-instantiate to read the options.",
			"docs:options": "regenerates docs/options.md, the reference of the options the hub's own modules declare (hub.*, every feature's, the exporters'): type, default, description and where each is declared, read from the declarations by the offline option check (no nixpkgs needed).",
			"docs:targets": "regenerates the README's table of targets from the magefiles' doc comments.",
			"exporters:build": "compiles every exporter statically (CGO_ENABLED=0) for linux/amd64 and linux/arm64 into .hub/bin/<os>_<arch>/hub-<name>-exporter.",
			"exporters:run": "runs one exporter (nixos, baseline, media) from source on loopback with its default flags; extra space-separated arguments are passed through, e.g.",
			"features:check": "validates the registry graph and module files, every host's feature set, and, when nix-instantiate is installed, that nix/features.nix resolves every host exactly as Go does.",
			"features:graph": "prints the requires/conflicts graph by category: -format=dot (default, Graphviz) or -format=mermaid.",
			"features:host": "prints HOST's resolved feature set with the reason each feature is on, and fails on its errors.",
			"features:list": "shows every feature by category with its classes, declared closure cost and description; -options (default false) adds each feature's options (name, type, default, description), read from the modules with nix-instantiate.",
			"features:show": "prints what NAME requires (directly and in all), what requires it, what it conflicts with, which hosts end up with it enabled, its declared cost and its options (read with nix-instantiate; said to be skipped without it).",
			"fleet:down": "tears the local fleet down: no process, mount or state directory is left, even after a crashed fleet:up.",
			"fleet:image": "builds the root file system of the local fleet's systemd hosts (debootstrap, about a minute and 340 MB from the Debian mirror, once per machine; needs root) and prints where it is cached.",
			"fleet:reboot": "reboots one local host: it boots the generation its last switch or boot installed.",
			"fleet:stage": "prepares a change on the local fleet's SELECTION for a rehearsal: each host's next system gets a new generation and, where given, -kernel=VERSION (a change needs a reboot), -sshd=ok|deny|port (deny: logins fail; port: sshd moves, new connections refused: both rolled back by the magic rollback), -failingUnit[=false] (switch exits 4), -activationDelay=D (a slow activation), -systemd=VERSION (a switch inhibitor); a flag not given keeps the host's staged value, -reset returns all to the defaults first.",
			"fleet:status": "shows each local host: address, sshd pid and state, running system, generation, profile generation and whether a reboot is needed.",
			"fleet:up": "starts the local fleet (-n=N hosts, default 6: p620 p510 razer dex5550 samsung hp; -systemd makes them systemd hosts, building their image first when it is not cached) and prints how to point the other targets at it.",
			"fmt": "formats the sources in place: Go with gofmt, Nix with nixfmt or nixpkgs-fmt (whichever is on PATH; Debian has neither, so Nix is SKIPPED, an error, until one is installed), shell scripts with shfmt (installed when missing, as root).",
			"help": "explains TARGET (e.g.",
			"hosts:check": "validates the inventory and reports every problem with file, line and field.",
			"hosts:checkHardware": "compares HOST's committed hardware file (hosts/HOST/hardware-configuration.nix) with what nixos-generate-config --show-hardware-config detects on the host now, run over ssh (the old test-hw-config): file systems (device, type, options; names of one block device count as equal), swap, LUKS devices, the initrd's and kernel's modules, the CPU microcode and the platform.",
			"hosts:diff": "shows how hosts A and B differ (the old diff-hosts): at feature level (class, hardware, the features only one enables, with the reason each is on) and at option level from both evaluated configurations (the hub's features.* options, kernel, boot loader, file systems, enabled services and units, packages, normal users, firewall, nix substituters, state version; -paths P,Q adds option paths).",
			"hosts:exec": "runs CMDLINE (one shell command line, run by sh -c as the ssh user, with sudo when host.toml says so) on every host of the SELECTION in parallel: each output line prefixed with its host and kept in the run's per-host logs, the exit status per host in the summary; exits non-zero if any host's command failed.",
			"hosts:list": "shows every host: name, address, tags, roles and feature count (-json for machines).",
			"hosts:new": "scaffolds hosts/NAME: host.toml, default.nix and a hardware file (from nixos-generate-config output with -hardwareConfig FILE).",
			"hosts:ping": "checks SSH reachability (BatchMode) of the SELECTION in parallel and shows each latency.",
			"hosts:show": "prints everything the inventory says about HOST, with fleet defaults applied.",
			"hosts:status": "shows, for each host of the SELECTION in parallel (over ssh, two round trips): uptime, load, memory used/total, disk use of / (and /nix, /boot when separate), Nix store size, system generation, last hub deploy, failed units and a pending reboot; -timeout D bounds each round trip (default 30s), -json for machines.",
			"iso:build": "builds HOST's installer image (-flake REF, default the inventory's flake, built with the machine's nix configuration and binary caches; -flake=nix/installer-demo builds an offline demo image) and prints its path, size and sha256.",
			"iso:buildAll": "builds the installer image of every host of the SELECTION (the old build-all-live), -limit N at once (default 2: each build is a whole system), keeping going past a failed host, and ends with a table of each host's size, sha256 and image path; -flake REF as for iso:build (-flake=nix/installer-demo: offline demo images); -json for machines.",
			"iso:clean": "drops the built installers' GC roots; the next nix-collect-garbage frees their space.",
			"iso:devices": "lists the removable disks an installer can be written to, with size, model and transport (-all for every disk).",
			"iso:list": "shows the installers built so far: host, size, sha256 and image path.",
			"iso:verify": "compares DEVICE's first bytes with IMAGE (a file or a host name) by sha256.",
			"iso:write": "writes IMAGE (a file, or a host name for its built installer) to DEVICE after typing its name (-yes without a terminal); refuses the system disk, mounted or too small devices and, without -force, non-removable disks; verifies by reading back.",
			"monitor:config": "writes monitoring/prometheus.yml, scrape-configs.json, rules/*.rules.yml, alertmanager.yml and textfile/ from the inventory and secrets/rotation.toml.",
			"monitor:dashboards": "writes the Grafana dashboards to monitoring/dashboards/*.json.",
			"monitor:rules": "regenerates the configuration, then runs promtool check config, check rules and test rules, and amtool check-config on it.",
			"monitor:scrape": "fetches every exporter of the SELECTION over HTTP and lints what it serves (promlint).",
			"net:doctor": "checks, on each host of the SELECTION in parallel over ssh: who owns /etc/resolv.conf against the owner its features declare (feature dns), whether every fleet host name and an external name (-external, default nixos.org) resolve through each configured server, tailscale status (peers online, MagicDNS, exit node, health) and the MTU and rp_filter settings that break tailscale; one line per problem saying how to fix it, a summary table, -json for machines; -timeout D bounds each host's probe (default 60s), -details prints every query and answer per host.",
			"nix:optionsManifest": "regenerates nix/options-25.11.json with nix eval over a real nixosSystem's options where the flake's inputs can be fetched, and says so in one line where they cannot.",
			"nix:optionsUsed": "lists every option path the hub's Nix sets (as evaluated) and reads (a source scan), the collect mode of the option check.",
			"nix:vendorHash": "recomputes the flake's buildGoModule vendorHash (nix/vendor-hash.nix) from go.mod and go.sum.",
			"perf:compare": "puts HOST's system generations GEN_A and GEN_B side by side: the median of each boot phase over the boots recorded for each (hub-baseline-exporter's boots.jsonl, -boots FILE to read another) and what GEN_B's closure changed (nix store diff-closures); -json for machines, -timeout D (default 60s).",
			"perf:report": "shows, for each host of the SELECTION in parallel over ssh: boot phases (systemd-analyze time), the slowest units (-slowest N, default 5), memory, CPU and I/O pressure (PSI), swap use, the generation, and the baselines hub-baseline-exporter flags as regressed (-baselines URL, default its metrics on the host), with one line per problem saying what to do; -json for machines, -timeout D per host (default 30s).",
			"recovery:generations": "lists HOST's system generations, marking the current, running and booted ones (same as deploy:generations).",
			"recovery:host": "brings a reinstalled HOST back after its name is typed (-yes without a terminal): re-keys its secrets to its new host key with the admin -identity, deploys it, restores every backup set in place with the passwords the identity decrypts, puts the SQLite databases back, reboots it and verifies each set.",
			"recovery:rollback": "makes HOST's -generation=N (default: the one before the current) current and activates it, through the deploy supervisor and lock (same as deploy:rollback).",
			"secrets:audit": "shows which host and user keys can decrypt each secret, read from file headers without any private key.",
			"secrets:cat": "decrypts NAME to stdout.",
			"secrets:check": "fails if any file is missing, unlisted, or encrypted to other keys than secrets.nix says, or if the NixOS configuration uses a secret secrets.nix lacks or a host's modules do not declare (for CI: no private key needed).",
			"secrets:due": "lists the secrets past their rotation period (-all: the whole schedule); exits non-zero if any is due.",
			"secrets:edit": "decrypts NAME into a memory-backed temp file, opens $EDITOR, and re-encrypts if it changed (-force allows a disk-backed temp dir).",
			"secrets:fix": "decrypts the secrets again on the SELECTION: it clears a failed agenix-install-secrets.service and restarts it, or re-runs the running system's activation where agenix is part of it.",
			"secrets:hostKeys": "ssh-keyscans the SELECTION and shows where their host keys drift from secrets.nix.",
			"secrets:new": "creates NAME (already listed in secrets.nix) by opening $EDITOR on an empty memory-backed file.",
			"secrets:rekey": "re-encrypts the files whose recipients differ from secrets.nix (-force: all; -host: only files a key named HOST can read), after showing the plan.",
			"secrets:rotate": "regenerates NAMES (comma-separated; default: every secret past due) with secrets/rotation.toml's generators, each a transaction through to its consumer: prepare it (restic: a key for the new password), write and deploy the .age file to its hosts, update and verify the consumer, drop the old value; a failure rolls back and prints what is left to do.",
			"secrets:status": "shows, over SSH, how agenix runs (agenix-install-secrets.service's state, or the activation script), where /run/agenix points and the decrypted files (names, modes, owners) on the SELECTION.",
			"security:scan": "looks through the committed tree (the old security-scan): secrets in clear (private keys, age identities, API tokens by their formats), files under secrets/ that are not age-encrypted, permittedInsecurePackages and unfree allowances, agenix secrets with a world-readable mode, and each host's open firewall ports (from the modules its features enable; -eval evaluates every host's networking.firewall instead, which needs nixpkgs).",
			"test:deprecated": "collects every host's evaluation warnings (the old check-deprecated): the configuration's warnings (renamed and removed options) and the warnings nix prints while forcing the host's toplevel, one line each, then a count per host.",
			"test:eval": "evaluates every host's toplevel drvPath offline against flake.lock's inputs; exits non-zero, saying SKIPPED and why, when the lock or its inputs are not on this machine.",
			"test:features": "checks the feature registry and every host's feature set, in Go and against nix/features.nix.",
			"test:hosts": "validates the repository's inventory (hosts/fleet.toml and every host.toml).",
			"test:markdownLinks": "checks that every relative link and #anchor of the Markdown files (README, docs/ and the rest) leads to a file, directory or heading that exists; links with a scheme are counted, not fetched.",
			"test:monitoring": "checks that monitoring/ matches the inventory and that promtool accepts it and passes the rule tests.",
			"test:nixLint": "lints every .nix file offline (dead let bindings, unused arguments of argument sets that end in an ellipsis, empty let, comparisons with true/false, a = a;, a top-level with, deprecated builtins), reporting file:line and the rule; '# nixlint: allow RULE' on the line or the one above keeps an intended one.",
			"test:nixOptions": "checks offline that the hub's Nix sets and reads only nixos-25.11 options, with values of the right kind (nix/options-25.11.json), reporting file:line.",
			"test:nixSyntax": "parses every .nix file with nix-instantiate --parse, in parallel, reporting file:line:col.",
			"test:packages": "builds every packages.<system> output of the flake through nix build (the hub, the exporters, the installers; where a stale vendorHash shows) and prints one row per package; -only a,b builds those (default: all), -limit N builds at once (default 2), -probeTimeout D bounds fetching the inputs (default 2m).",
			"test:parallel": "runs every check suite concurrently (installing missing tools first) and writes JUnit XML with -junit FILE; -jobs N suites at once (default the number of CPUs), -timeout D per suite (default 1h; a suite still running then is killed and fails), -only NAMES (comma list of suites, e.g.",
			"test:race": "runs the concurrency-heavy packages' tests under the race detector.",
			"test:secretsCheck": "checks every secret's header against secrets/secrets.nix, without any private key.",
			"test:shellLint": "runs shellcheck on every shell script the hub ships (the deploy supervisor, the installer wizard, the local fleet's init, launcher and Nix templates), as sh where dash runs them, reporting file:line:col.",
			"test:unit": "runs the Go tests of every package.",
			"test:vendorHash": "checks that nix/vendor-hash.nix matches what go.mod and go.sum vendor to.",
			"test:vet": "runs go vet (packages and magefiles) and gofmt.",
			"update:apply": "runs update:preview for every host, then commits the new flake.lock on top of HEAD on a new branch (default update/<UTC date>) whose message lists every input change and each host's package changes; your working tree, index and current branch stay as they are.",
			"update:check": "lists every flake.lock input with its locked revision and date, the newest upstream revision (git ls-remote of the branch or tag it follows, all inputs at once), the commits behind and a state; exits non-zero when an input is stale or upstream cannot be asked.",
			"update:deploy": "runs the production update: update:apply on a branch (default update/<UTC date>; an existing unmerged one is resumed instead), then the branch's commit deployed to the SELECTION through the deploy engine, canary first, then batches, each host health-gated with magic rollback; when every host runs it, -main (default main) is fast-forwarded to it and pushed to its remote if it has one.",
			"update:preview": "shows what updating the lock would change on each host, changing nothing: the lock is updated in a scratch worktree of HEAD (never your tree, index or branch), the SELECTION's systems are evaluated and built once, and each is compared with what the host runs: packages added/removed/upgraded with versions, closure size, reboot needed, NixOS warnings new since the old lock.",
			"vm:create": "makes the SELECTION's declared guests exist on their hosts without starting them (NixOS: their install-microvm unit links the runner into /var/lib/microvms/NAME); -json for machines, -dry to print the commands.",
			"vm:destroy": "stops the SELECTION's guests and deletes their state directories, volumes included (the guests stay declared: create or start brings them back empty); needs -yes, -dry prints the commands; -json for machines.",
			"vm:list": "prints every declared guest of the SELECTION (\"*\" for all) with its host, state, vcpu/mem, ssh port and uptime, asking the hosts in parallel; -json for machines.",
			"vm:logs": "prints the last -lines N (default 100) lines of GUEST's (HOST/VM) console (local fleet) or of its microvm@ unit's journal (NixOS hosts).",
			"vm:restart": "stops and starts the SELECTION's guests in parallel on the build they have (-timeout D for the boot, default 90s); -json for machines, -dry to print the commands.",
			"vm:ssh": "logs in to GUEST (HOST/VM) as its user through the port its host forwards, with the guest's host key the hub recorded at its start (strict checking on the local fleet, accept-new on first use elsewhere); -command CMD runs one command instead of a shell, -print prints the ssh command line instead of running it.",
			"vm:start": "boots the SELECTION's guests in parallel and waits for each to answer (QEMU: its sshd up, within -timeout D, default 90s; a guest that does not boot fails with the tail of its console); prints state, accel (kvm or tcg), generation, vcpu, mem and ssh per guest; -json for machines, -dry to print the commands.",
			"vm:status": "shows each guest of the SELECTION as its host reports it: state, accel, generation, uptime, vcpu, mem and ssh; an autostart guest that is not running is a warning; -json for machines.",
			"vm:stop": "ends the SELECTION's guests in parallel (QEMU: SIGTERM, then SIGKILL after 5 s; returns once no process is left); -json for machines, -dry to print the commands.",
			"vm:update": "rebuilds the SELECTION's guests and boots the new build, like 'microvm -u NAME -R': on the local fleet a new generation of the guest's initramfs and a restart (-timeout D for the boot, default 90s); a NixOS host's declared guests are rebuilt by deploying the host, which this says; -json for machines.",
		}

		keys := make([]string, 0, len(targets))
		for name := range targets {
			keys = append(keys, name)
		}
		_sort.Strings(keys)

		_fmt.Println("Targets:")
		w := _tabwriter.NewWriter(_os.Stdout, 0, 4, 4, ' ', 0)
		for _, name := range keys {
			_fmt.Fprintf(w, "  %v\t%v\n", printName(name), targets[name])
		}
		err := w.Flush()
		return err
	}

	var ctx _context.Context
	ctxCancel := func(){}

	// by deferring in a closure, we let the cancel function get replaced
	// by the getContext function.
	defer func() {
		ctxCancel()
	}()

	getContext := func() (_context.Context, func()) {
		if ctx == nil {
			if args.Timeout != 0 {
				ctx, ctxCancel = _context.WithTimeout(_context.Background(), args.Timeout)
			} else {
				ctx, ctxCancel = _context.WithCancel(_context.Background())
			}
		}

		return ctx, ctxCancel
	}

	runTarget := func(logger *_log.Logger, fn func(_context.Context) error) interface{} {
		var err interface{}
		ctx, cancel := getContext()
		d := make(chan interface{})
		go func() {
			defer func() {
				err := recover()
				d <- err
			}()
			err := fn(ctx)
			d <- err
		}()
		sigCh := make(chan _os.Signal, 1)
		_signal.Notify(sigCh, _syscall.SIGINT)
		select {
		case <-sigCh:
			logger.Println("cancelling mage targets, waiting up to 5 seconds for cleanup...")
			cancel()
			cleanupCh := _time.After(5 * _time.Second)

			select {
			// target exited by itself
			case err = <-d:
				return err
			// cleanup timeout exceeded
			case <-cleanupCh:
				return _fmt.Errorf("cleanup timeout exceeded")
			// second SIGINT received
			case <-sigCh:
				logger.Println("exiting mage")
				return _fmt.Errorf("exit forced")
			}
		case <-ctx.Done():
			cancel()
			e := ctx.Err()
			_fmt.Printf("ctx err: %v\n", e)
			return e
		case err = <-d:
			// we intentionally don't cancel the context here, because
			// the next target will need to run with the same _context.
			return err
		}
	}
	// This is necessary in case there aren't any targets, to avoid an unused
	// variable error.
	_ = runTarget

	handleError := func(logger *_log.Logger, err interface{}) {
		if err != nil {
			logger.Printf("Error: %+v\n", err)
			type code interface {
				ExitStatus() int
			}
			if c, ok := err.(code); ok {
				_os.Exit(c.ExitStatus())
			}
			_os.Exit(1)
		}
	}
	_ = handleError

	// Set MAGEFILE_VERBOSE so mg.Verbose() reflects the flag value.
	if args.Verbose {
		_os.Setenv("MAGEFILE_VERBOSE", "1")
	} else {
		_os.Setenv("MAGEFILE_VERBOSE", "0")
	}

	_log.SetFlags(0)
	if !args.Verbose {
		_log.SetOutput(_io.Discard)
	}
	logger := _log.New(_os.Stderr, "", 0)
	if args.List {
		if err := list(); err != nil {
			_log.Println(err)
			_os.Exit(1)
		}
		return
	}

	if args.Help {
		if len(args.Args) < 1 {
			logger.Println("no target specified")
			_os.Exit(2)
		}
		switch _strings.ToLower(args.Args[0]) {
			case "ai:ask":
				_fmt.Println("Ask answers QUESTION with the fleet as context (hosts, roles, resolved features, the last deploy), streamed as it arrives, then the attempts and tokens and cost; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage ai:ask <question> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-provider=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "ai:explain":
				_fmt.Println("Explain reads a run under .hub/runs (-run NAME or DIR; default the newest run with a failed host), sends the failed hosts' phase logs (their last -budget bytes in all, default 24576) and streams an explanation ending in a suggested next command; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage ai:explain [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-run=<string>\n\t-budget=<int>\n\t-provider=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "ai:providers":
				_fmt.Println("Providers shows which providers hosts/ai.toml configures, in fallback order, where each key comes from, and whether each answers and how fast (all in parallel); -provider NAMES (comma list, default $HUB_AI_PROVIDERS or all), -json.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage ai:providers [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-provider=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "ai:review":
				_fmt.Println("Review builds what a deploy of SELECTION would change (deploy:plan) and the git diff of the Nix since each host's running revision, and streams the risks it sees with a go/hold verdict; changes nothing; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage ai:review <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-provider=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "ai:tune":
				_fmt.Println("Tune reads HOST's baseline-exporter metrics (-metrics URL, default http://HOST:9103/metrics) and feature set and proposes tuning as a Nix diff, checked with git apply --check and written to .hub/ai/tune-HOST-TIME.diff for review: never applied; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage ai:tune <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-metrics=<string>\n\t-provider=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:copy":
				_fmt.Println("Copy copies the SELECTION's snapshots of each set with a copy repository (host.toml copy) that it lacks, with restic copy; -init creates a missing copy repository.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:copy <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-set=<string>\n\t-init=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:prune":
				_fmt.Println("Prune forgets the SELECTION's snapshots beyond each set's keep_* policy and prunes the data only they used.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:prune <selection> [-set=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:repo":
				_fmt.Println("Repo writes a git bundle of this repository (every ref) into -out DIR (default .hub/backups), verified with git bundle verify; restore with git clone FILE.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:repo [-out=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:restore":
				_fmt.Println("Restore restores SNAPSHOT (an ID or \"latest\") of HOST's -set (needed when it has several) into -target DIR on the host, only -path P when given; refuses a non-empty target unless -force.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:restore <host> <snapshot> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-set=<string>\n\t-path=<string>\n\t-target=<string>\n\t-force=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:run":
				_fmt.Println("Run backs up the SELECTION's sets (-set NAME for one) with restic on each host, in parallel: SQLite copies first, live progress, a summary per host; -init creates missing repositories, -textfile DIR overrides the metric directory (\"-\" for none).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:run <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-set=<string>\n\t-init=<bool>\n\t-textfile=<string>\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:snapshots":
				_fmt.Println("Snapshots lists the snapshots of the SELECTION's sets (-set NAME for one).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:snapshots <selection> [-set=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:status":
				_fmt.Println("Status shows the age of the last snapshot of every set of the SELECTION (-json: an array with each set's state and exit code); exits with the worst state's code: 2 stale (older than max_age), 3 future, 4 never, 5 locked, 6 no-disk, 7 unreadable, 8 missing (a snapshot the retention keeps was deleted; -accept after a deliberate forget).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:status <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-set=<string>\n\t-json=<bool>\n\t-accept=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:unlock":
				_fmt.Println("Unlock removes the stale restic locks (a killed run's) of the SELECTION's repositories and keeps every live run's, listing both.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:unlock <selection> [-set=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "backup:verify":
				_fmt.Println("Verify proves the SELECTION's sets restorable: restic check reading the next 1/20 of the pack files in turn (every pack within 20 runs; -subset S reads S instead), then -sample N files (default 20) of the latest snapshot restored and compared by SHA-256 with their source; a locked repository is reported as locked, not damaged.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage backup:verify <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-set=<string>\n\t-subset=<string>\n\t-sample=<int>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "demo":
				_fmt.Println("Demo runs the main job on the embedded local fleet: six hosts deployed in parallel, their status, a generation that locks SSH out rolled back automatically, and p620's development VM booted with QEMU and reached over SSH (needs root; the fleet is torn down at the end).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage demo\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:all":
				_fmt.Println("All deploys (switch) every host in parallel; flags as for deploy:hosts.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:all [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-dry=<bool>\n\t-json=<bool>\n\t-limit=<int>\n\t-keepGoing=<bool>\n\t-canary=<string>\n\t-batch=<int>\n\t-maxUnavailable=<int>\n\t-reboot=<bool>\n\t-yes=<bool>\n\t-confirmTimeout=<time.Duration>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-substitute=<bool>\n\t-force=<bool>\n\t-rollbackDone=<bool>\n\t-confirm=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:analyze":
				_fmt.Println("Analyze shows where HOST's system spends its space (the old analyze): the -top N largest store paths of its closure (default 10) with their own and closure sizes, and what grew, appeared or went since the generation before it, by package; read on the host over ssh. -next evaluates and builds HOST's next system here and compares it with the running one instead. -json for machines (every change, not only the top).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:analyze <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-top=<int>\n\t-next=<bool>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:boot":
				_fmt.Println("Boot makes the SELECTION's new systems the boot default without activating them (-reboot to boot them).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:boot <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-dry=<bool>\n\t-json=<bool>\n\t-limit=<int>\n\t-keepGoing=<bool>\n\t-canary=<string>\n\t-batch=<int>\n\t-maxUnavailable=<int>\n\t-reboot=<bool>\n\t-yes=<bool>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-substitute=<bool>\n\t-force=<bool>\n\t-confirm=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:diff":
				_fmt.Println("Diff lists the packages added, removed and upgraded between HOST's running system and its new one.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:diff <host>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:dryactivate":
				_fmt.Println("DryActivate shows what activating the SELECTION's new systems would restart, changing nothing.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:dryactivate <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-json=<bool>\n\t-limit=<int>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:emergency":
				_fmt.Println("Emergency deploys HOST skipping the boot space and health checks, after its name is typed (lock and magic rollback stay).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:emergency <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-confirmTimeout=<time.Duration>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-force=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:generations":
				_fmt.Println("Generations lists HOST's system profile generations with the running, booted and default one marked.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:generations <host>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:history":
				_fmt.Println("History diffs two generations of HOST's system profile (the old system-diff): kernel, closure size, systemd units added/removed/changed, packages added/removed/upgraded with versions. -from N -to M: generation numbers (see deploy:generations); by default the profile's current generation and the one before it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:history <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-from=<int>\n\t-to=<int>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:hosts":
				_fmt.Println("Hosts deploys (switch) the SELECTION: one eval and build, then per host copy, lock, activation with magic rollback and health gates. -canary HOST|first deploys that host alone first; -batch N then deploys N at a time, a failed batch stopping the rollout (-rollbackDone also rolls back the hosts already done); -maxUnavailable N hosts reboot at once with -reboot, which reboots hosts whose kernel, initrd, modules or systemd changed; -buildOn local|target|host and -buildHost NAME override host.toml's build place; -substitute lets targets fetch from their caches during the copy; -limit N hosts at once (0: all); -keepGoing=false makes one failure cancel the rest; -confirmTimeout D overrides deploy.confirm_timeout; -yes confirms guarded hosts (without a terminal they are skipped otherwise); -force breaks a stale deploy lock; -confirm shows deploy:plan's table first and deploys only when \"yes\" is typed; -dry prints the commands and runs nothing; -json writes the report as JSON.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:hosts <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-dry=<bool>\n\t-json=<bool>\n\t-limit=<int>\n\t-keepGoing=<bool>\n\t-canary=<string>\n\t-batch=<int>\n\t-maxUnavailable=<int>\n\t-reboot=<bool>\n\t-yes=<bool>\n\t-confirmTimeout=<time.Duration>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-substitute=<bool>\n\t-force=<bool>\n\t-rollbackDone=<bool>\n\t-confirm=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:plan":
				_fmt.Println("Plan shows per host what a deploy of the SELECTION would change: store paths, closure size, packages, reboot.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:plan <selection>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:prune":
				_fmt.Println("Prune frees /boot and the store on HOST (the old boot-space-clean): under the deploy lock it deletes the system generations but the newest -keep N (default 3; the running and the booted one are always kept), collects garbage, and rewrites the boot entries with the current generation's switch-to-configuration boot. Deleted generations are gone for deploy:rollback and the boot menu. -force breaks a stale deploy lock; -yes for a guarded host without a terminal.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:prune <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-keep=<int>\n\t-force=<bool>\n\t-yes=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:rollback":
				_fmt.Println("Rollback switches HOST back to its previous system generation, or to -generation N.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:rollback <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-generation=<int>\n\t-yes=<bool>\n\t-force=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:showbuild":
				_fmt.Println("ShowBuild shows, for each host of the SELECTION, what deploying it would build and what it would fetch from the binary caches (with nix's download and unpacked sizes), building and fetching nothing (one evaluation, then nix-store --realise --dry-run per host); -verbose lists every derivation and path.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:showbuild <selection> [-verbose=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:status":
				_fmt.Println("Status shows the SELECTION's running and booted systems, profile generation, reboot needed and last deploy.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:status <selection>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:test":
				_fmt.Println("Test activates the SELECTION's new systems without changing the boot default (magic rollback applies).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:test <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-dry=<bool>\n\t-json=<bool>\n\t-limit=<int>\n\t-keepGoing=<bool>\n\t-canary=<string>\n\t-batch=<int>\n\t-yes=<bool>\n\t-confirmTimeout=<time.Duration>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-substitute=<bool>\n\t-force=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "deploy:times":
				_fmt.Println("Times shows how long each phase of past deploys took on the SELECTION's hosts (eval, build, copy, activate, health; the old perf-build-times and test-build-all's timing summary): one row per host and run from the run reports in .hub/runs, newest first, then per host and phase the median, slowest and latest. -last N runs (default 10; 0: all); -json writes the runs as JSON. The last deploy's phase times are also on each host as hub_deploy_last_phase_duration_seconds (docs/monitoring.md).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage deploy:times <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-last=<int>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "dev:languages":
				_fmt.Println("Languages lists the languages dev:shell accepts, with their packages (the same as lang-NAME's).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage dev:languages\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "dev:shell":
				_fmt.Println("Shell enters devShells.<system>.LANG of this flake with 'nix develop': the toolchain, language server and formatters the host feature lang-LANG installs (nix/languages.nix). -command=\"CMD ARGS\" runs CMD inside the shell instead of an interactive one (default: interactive). Exits non-zero saying SKIPPED when nixpkgs cannot be fetched.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage dev:shell <lang> [-command=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "docs:features":
				_fmt.Println("Features regenerates docs/feature-catalogue.md (every feature with its classes, requirements, conflicts, declared cost, hosts and options) from modules/features.toml and the modules; needs nix-instantiate to read the options.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage docs:features\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "docs:options":
				_fmt.Println("Options regenerates docs/options.md, the reference of the options the hub's own modules declare (hub.*, every feature's, the exporters'): type, default, description and where each is declared, read from the declarations by the offline option check (no nixpkgs needed). -check fails instead of writing when the file is out of date (default false).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage docs:options [-check=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "docs:targets":
				_fmt.Println("Targets regenerates the README's table of targets from the magefiles' doc comments.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage docs:targets\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "exporters:build":
				_fmt.Println("Build compiles every exporter statically (CGO_ENABLED=0) for linux/amd64 and linux/arm64 into .hub/bin/<os>_<arch>/hub-<name>-exporter.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage exporters:build\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "exporters:run":
				_fmt.Println("Run runs one exporter (nixos, baseline, media) from source on loopback with its default flags; extra space-separated arguments are passed through, e.g. 'exporters:run baseline \"--baseline.state-dir=/tmp/b\"'.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage exporters:run <name> <args>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "features:check":
				_fmt.Println("Check validates the registry graph and module files, every host's feature set, and, when nix-instantiate is installed, that nix/features.nix resolves every host exactly as Go does.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage features:check\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "features:graph":
				_fmt.Println("Graph prints the requires/conflicts graph by category: -format=dot (default, Graphviz) or -format=mermaid.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage features:graph [-format=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "features:host":
				_fmt.Println("Host prints HOST's resolved feature set with the reason each feature is on, and fails on its errors.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage features:host <host>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "features:list":
				_fmt.Println("List shows every feature by category with its classes, declared closure cost and description; -options (default false) adds each feature's options (name, type, default, description), read from the modules with nix-instantiate.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage features:list [-options=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "features:show":
				_fmt.Println("Show prints what NAME requires (directly and in all), what requires it, what it conflicts with, which hosts end up with it enabled, its declared cost and its options (read with nix-instantiate; said to be skipped without it).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage features:show <name>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:down":
				_fmt.Println("Down tears the local fleet down: no process, mount or state directory is left, even after a crashed fleet:up.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:down\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:image":
				_fmt.Println("Image builds the root file system of the local fleet's systemd hosts (debootstrap, about a minute and 340 MB from the Debian mirror, once per machine; needs root) and prints where it is cached.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:image\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:reboot":
				_fmt.Println("Reboot reboots one local host: it boots the generation its last switch or boot installed.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:reboot <host>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:stage":
				_fmt.Println("Stage prepares a change on the local fleet's SELECTION for a rehearsal: each host's next system gets a new generation and, where given, -kernel=VERSION (a change needs a reboot), -sshd=ok|deny|port (deny: logins fail; port: sshd moves, new connections refused: both rolled back by the magic rollback), -failingUnit[=false] (switch exits 4), -activationDelay=D (a slow activation), -systemd=VERSION (a switch inhibitor); a flag not given keeps the host's staged value, -reset returns all to the defaults first. Then deploy:plan shows the change and deploy:hosts rolls it out (with HUB_FLEET=local).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:stage <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-kernel=<string>\n\t-sshd=<string>\n\t-failingUnit=<bool>\n\t-activationDelay=<time.Duration>\n\t-systemd=<string>\n\t-reset=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:status":
				_fmt.Println("Status shows each local host: address, sshd pid and state, running system, generation, profile generation and whether a reboot is needed.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:status\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fleet:up":
				_fmt.Println("Up starts the local fleet (-n=N hosts, default 6: p620 p510 razer dex5550 samsung hp; -systemd makes them systemd hosts, building their image first when it is not cached) and prints how to point the other targets at it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fleet:up [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-n=<int>\n\t-systemd=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "fmt":
				_fmt.Println("Fmt formats the sources in place: Go with gofmt, Nix with nixfmt or nixpkgs-fmt (whichever is on PATH; Debian has neither, so Nix is SKIPPED, an error, until one is installed), shell scripts with shfmt (installed when missing, as root). -paths P,Q files or directories (default: the whole tree, without testdata and dot directories); -only go,nix,shell languages (default: all three); -check lists the files not formatted, writes nothing and exits non-zero when there are any.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage fmt [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-paths=<string>\n\t-only=<string>\n\t-check=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "help":
				_fmt.Println("Help explains TARGET (e.g. help deploy:hosts): its usage, its whole description, and every argument with its type and the default the target uses when a flag is not given (mage -h shows names and types only).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage help <target>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:check":
				_fmt.Println("Check validates the inventory and reports every problem with file, line and field.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:check\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:checkhardware":
				_fmt.Println("CheckHardware compares HOST's committed hardware file (hosts/HOST/hardware-configuration.nix) with what nixos-generate-config --show-hardware-config detects on the host now, run over ssh (the old test-hw-config): file systems (device, type, options; names of one block device count as equal), swap, LUKS devices, the initrd's and kernel's modules, the CPU microcode and the platform. Exits non-zero when they differ; -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:checkhardware <host> [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:diff":
				_fmt.Println("Diff shows how hosts A and B differ (the old diff-hosts): at feature level (class, hardware, the features only one enables, with the reason each is on) and at option level from both evaluated configurations (the hub's features.* options, kernel, boot loader, file systems, enabled services and units, packages, normal users, firewall, nix substituters, state version; -paths P,Q adds option paths). The option level needs the flake's inputs: without them it says SKIPPED and why, and the feature level stands alone. -probeTimeout D bounds fetching the inputs (default 2m); -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:diff <a> <b> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-paths=<string>\n\t-probeTimeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:exec":
				_fmt.Println("Exec runs CMDLINE (one shell command line, run by sh -c as the ssh user, with sudo when host.toml says so) on every host of the SELECTION in parallel: each output line prefixed with its host and kept in the run's per-host logs, the exit status per host in the summary; exits non-zero if any host's command failed. -timeout D bounds each host's command (default: none), -limit N hosts at once (default 32), -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:exec <selection> <cmdline> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-limit=<int>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:list":
				_fmt.Println("List shows every host: name, address, tags, roles and feature count (-json for machines).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:list [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:new":
				_fmt.Println("New scaffolds hosts/NAME: host.toml, default.nix and a hardware file (from nixos-generate-config output with -hardwareConfig FILE).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:new <name> <class> <hardware> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-features=<string>\n\t-tags=<string>\n\t-hardwareConfig=<string>\n\t-description=<string>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:ping":
				_fmt.Println("Ping checks SSH reachability (BatchMode) of the SELECTION in parallel and shows each latency.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:ping <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:show":
				_fmt.Println("Show prints everything the inventory says about HOST, with fleet defaults applied.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:show <host> [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "hosts:status":
				_fmt.Println("Status shows, for each host of the SELECTION in parallel (over ssh, two round trips): uptime, load, memory used/total, disk use of / (and /nix, /boot when separate), Nix store size, system generation, last hub deploy, failed units and a pending reboot; -timeout D bounds each round trip (default 30s), -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage hosts:status <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:build":
				_fmt.Println("Build builds HOST's installer image (-flake REF, default the inventory's flake, built with the machine's nix configuration and binary caches; -flake=nix/installer-demo builds an offline demo image) and prints its path, size and sha256.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:build <host> [-flake=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:buildall":
				_fmt.Println("BuildAll builds the installer image of every host of the SELECTION (the old build-all-live), -limit N at once (default 2: each build is a whole system), keeping going past a failed host, and ends with a table of each host's size, sha256 and image path; -flake REF as for iso:build (-flake=nix/installer-demo: offline demo images); -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:buildall <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-flake=<string>\n\t-limit=<int>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:clean":
				_fmt.Println("Clean drops the built installers' GC roots; the next nix-collect-garbage frees their space.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:clean\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:devices":
				_fmt.Println("Devices lists the removable disks an installer can be written to, with size, model and transport (-all for every disk).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:devices [-all=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:list":
				_fmt.Println("List shows the installers built so far: host, size, sha256 and image path.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:list\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:verify":
				_fmt.Println("Verify compares DEVICE's first bytes with IMAGE (a file or a host name) by sha256.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:verify <image> <device>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "iso:write":
				_fmt.Println("Write writes IMAGE (a file, or a host name for its built installer) to DEVICE after typing its name (-yes without a terminal); refuses the system disk, mounted or too small devices and, without -force, non-removable disks; verifies by reading back.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage iso:write <image> <device> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-force=<bool>\n\t-yes=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "monitor:config":
				_fmt.Println("Config writes monitoring/prometheus.yml, scrape-configs.json, rules/*.rules.yml, alertmanager.yml and textfile/ from the inventory and secrets/rotation.toml.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage monitor:config\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "monitor:dashboards":
				_fmt.Println("Dashboards writes the Grafana dashboards to monitoring/dashboards/*.json.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage monitor:dashboards\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "monitor:rules":
				_fmt.Println("Rules regenerates the configuration, then runs promtool check config, check rules and test rules, and amtool check-config on it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage monitor:rules\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "monitor:scrape":
				_fmt.Println("Scrape fetches every exporter of the SELECTION over HTTP and lints what it serves (promlint).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage monitor:scrape <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "net:doctor":
				_fmt.Println("Doctor checks, on each host of the SELECTION in parallel over ssh: who owns /etc/resolv.conf against the owner its features declare (feature dns), whether every fleet host name and an external name (-external, default nixos.org) resolve through each configured server, tailscale status (peers online, MagicDNS, exit node, health) and the MTU and rp_filter settings that break tailscale; one line per problem saying how to fix it, a summary table, -json for machines; -timeout D bounds each host's probe (default 60s), -details prints every query and answer per host. Exits non-zero when a problem is found.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage net:doctor <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-external=<string>\n\t-timeout=<time.Duration>\n\t-details=<bool>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "nix:optionsmanifest":
				_fmt.Println("OptionsManifest regenerates nix/options-25.11.json with nix eval over a real nixosSystem's options where the flake's inputs can be fetched, and says so in one line where they cannot.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage nix:optionsmanifest\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "nix:optionsused":
				_fmt.Println("OptionsUsed lists every option path the hub's Nix sets (as evaluated) and reads (a source scan), the collect mode of the option check.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage nix:optionsused\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "nix:vendorhash":
				_fmt.Println("VendorHash recomputes the flake's buildGoModule vendorHash (nix/vendor-hash.nix) from go.mod and go.sum.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage nix:vendorhash\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "perf:compare":
				_fmt.Println("Compare puts HOST's system generations GEN_A and GEN_B side by side: the median of each boot phase over the boots recorded for each (hub-baseline-exporter's boots.jsonl, -boots FILE to read another) and what GEN_B's closure changed (nix store diff-closures); -json for machines, -timeout D (default 60s).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage perf:compare <host> <genA> <genB> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-boots=<string>\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "perf:report":
				_fmt.Println("Report shows, for each host of the SELECTION in parallel over ssh: boot phases (systemd-analyze time), the slowest units (-slowest N, default 5), memory, CPU and I/O pressure (PSI), swap use, the generation, and the baselines hub-baseline-exporter flags as regressed (-baselines URL, default its metrics on the host), with one line per problem saying what to do; -json for machines, -timeout D per host (default 30s). Exits non-zero when a problem is found.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage perf:report <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-slowest=<int>\n\t-baselines=<string>\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "recovery:generations":
				_fmt.Println("Generations lists HOST's system generations, marking the current, running and booted ones (same as deploy:generations).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage recovery:generations <host>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "recovery:host":
				_fmt.Println("Host brings a reinstalled HOST back after its name is typed (-yes without a terminal): re-keys its secrets to its new host key with the admin -identity, deploys it, restores every backup set in place with the passwords the identity decrypts, puts the SQLite databases back, reboots it and verifies each set.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage recovery:host <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-identity=<string>\n\t-yes=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "recovery:rollback":
				_fmt.Println("Rollback makes HOST's -generation=N (default: the one before the current) current and activates it, through the deploy supervisor and lock (same as deploy:rollback).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage recovery:rollback <host> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-generation=<int>\n\t-yes=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:audit":
				_fmt.Println("Audit shows which host and user keys can decrypt each secret, read from file headers without any private key.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:audit\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:cat":
				_fmt.Println("Cat decrypts NAME to stdout.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:cat <name> [-identity=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:check":
				_fmt.Println("Check fails if any file is missing, unlisted, or encrypted to other keys than secrets.nix says, or if the NixOS configuration uses a secret secrets.nix lacks or a host's modules do not declare (for CI: no private key needed).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:check\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:due":
				_fmt.Println("Due lists the secrets past their rotation period (-all: the whole schedule); exits non-zero if any is due.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:due [-all=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:edit":
				_fmt.Println("Edit decrypts NAME into a memory-backed temp file, opens $EDITOR, and re-encrypts if it changed (-force allows a disk-backed temp dir).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:edit <name> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-identity=<string>\n\t-force=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:fix":
				_fmt.Println("Fix decrypts the secrets again on the SELECTION: it clears a failed agenix-install-secrets.service and restarts it, or re-runs the running system's activation where agenix is part of it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:fix <selection>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:hostkeys":
				_fmt.Println("HostKeys ssh-keyscans the SELECTION and shows where their host keys drift from secrets.nix.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:hostkeys <selection>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:new":
				_fmt.Println("New creates NAME (already listed in secrets.nix) by opening $EDITOR on an empty memory-backed file.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:new <name> [-force=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:rekey":
				_fmt.Println("Rekey re-encrypts the files whose recipients differ from secrets.nix (-force: all; -host: only files a key named HOST can read), after showing the plan.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:rekey [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-identity=<string>\n\t-force=<bool>\n\t-host=<string>\n\t-parallelism=<int>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:rotate":
				_fmt.Println("Rotate regenerates NAMES (comma-separated; default: every secret past due) with secrets/rotation.toml's generators, each a transaction through to its consumer: prepare it (restic: a key for the new password), write and deploy the .age file to its hosts, update and verify the consumer, drop the old value; a failure rolls back and prints what is left to do.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:rotate [-names=<string>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "secrets:status":
				_fmt.Println("Status shows, over SSH, how agenix runs (agenix-install-secrets.service's state, or the activation script), where /run/agenix points and the decrypted files (names, modes, owners) on the SELECTION.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage secrets:status <selection>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "security:scan":
				_fmt.Println("Scan looks through the committed tree (the old security-scan): secrets in clear (private keys, age identities, API tokens by their formats), files under secrets/ that are not age-encrypted, permittedInsecurePackages and unfree allowances, agenix secrets with a world-readable mode, and each host's open firewall ports (from the modules its features enable; -eval evaluates every host's networking.firewall instead, which needs nixpkgs). One line per finding with its severity (high, warn, info); intended ones are listed with their reason in secrets/scan-allow.toml. Exits non-zero on a finding at -failOn or above (default warn; info fails on open ports too). -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage security:scan [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-failOn=<string>\n\t-eval=<bool>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:deprecated":
				_fmt.Println("Deprecated collects every host's evaluation warnings (the old check-deprecated): the configuration's warnings (renamed and removed options) and the warnings nix prints while forcing the host's toplevel, one line each, then a count per host. -hosts SELECTION (default @all), -limit N evaluations at once (default 2), -probeTimeout D bounds fetching the inputs (default 2m), -json for machines. Exits non-zero, saying SKIPPED and why, when the flake has no lock or nixpkgs cannot be fetched; and when a host fails to evaluate. Warnings alone do not fail it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:deprecated [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-hosts=<string>\n\t-limit=<int>\n\t-probeTimeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:eval":
				_fmt.Println("Eval evaluates every host's toplevel drvPath offline against flake.lock's inputs; exits non-zero, saying SKIPPED and why, when the lock or its inputs are not on this machine.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:eval\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:features":
				_fmt.Println("Features checks the feature registry and every host's feature set, in Go and against nix/features.nix.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:features\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:hosts":
				_fmt.Println("Hosts validates the repository's inventory (hosts/fleet.toml and every host.toml).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:hosts\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:markdownlinks":
				_fmt.Println("MarkdownLinks checks that every relative link and #anchor of the Markdown files (README, docs/ and the rest) leads to a file, directory or heading that exists; links with a scheme are counted, not fetched.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:markdownlinks\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:monitoring":
				_fmt.Println("Monitoring checks that monitoring/ matches the inventory and that promtool accepts it and passes the rule tests.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:monitoring\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:nixlint":
				_fmt.Println("NixLint lints every .nix file offline (dead let bindings, unused arguments of argument sets that end in an ellipsis, empty let, comparisons with true/false, a = a;, a top-level with, deprecated builtins), reporting file:line and the rule; '# nixlint: allow RULE' on the line or the one above keeps an intended one.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:nixlint\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:nixoptions":
				_fmt.Println("NixOptions checks offline that the hub's Nix sets and reads only nixos-25.11 options, with values of the right kind (nix/options-25.11.json), reporting file:line.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:nixoptions\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:nixsyntax":
				_fmt.Println("NixSyntax parses every .nix file with nix-instantiate --parse, in parallel, reporting file:line:col.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:nixsyntax\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:packages":
				_fmt.Println("Packages builds every packages.<system> output of the flake through nix build (the hub, the exporters, the installers; where a stale vendorHash shows) and prints one row per package; -only a,b builds those (default: all), -limit N builds at once (default 2), -probeTimeout D bounds fetching the inputs (default 2m). Exits non-zero, saying SKIPPED and why, when the flake has no lock or its inputs (nixpkgs) cannot be fetched: nothing was built.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:packages [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-only=<string>\n\t-limit=<int>\n\t-probeTimeout=<time.Duration>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:parallel":
				_fmt.Println("Parallel runs every check suite concurrently (installing missing tools first) and writes JUnit XML with -junit FILE; -jobs N suites at once (default the number of CPUs), -timeout D per suite (default 1h; a suite still running then is killed and fails), -only NAMES (comma list of suites, e.g. unit,vet; default all).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:parallel [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-junit=<string>\n\t-jobs=<int>\n\t-timeout=<time.Duration>\n\t-only=<string>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:race":
				_fmt.Println("Race runs the concurrency-heavy packages' tests under the race detector.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:race\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:secretscheck":
				_fmt.Println("SecretsCheck checks every secret's header against secrets/secrets.nix, without any private key.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:secretscheck\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:shelllint":
				_fmt.Println("ShellLint runs shellcheck on every shell script the hub ships (the deploy supervisor, the installer wizard, the local fleet's init, launcher and Nix templates), as sh where dash runs them, reporting file:line:col.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:shelllint\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:unit":
				_fmt.Println("Unit runs the Go tests of every package.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:unit\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:vendorhash":
				_fmt.Println("VendorHash checks that nix/vendor-hash.nix matches what go.mod and go.sum vendor to.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:vendorhash\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "test:vet":
				_fmt.Println("Vet runs go vet (packages and magefiles) and gofmt.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage test:vet\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "update:apply":
				_fmt.Println("Apply runs update:preview for every host, then commits the new flake.lock on top of HEAD on a new branch (default update/<UTC date>) whose message lists every input change and each host's package changes; your working tree, index and current branch stay as they are. Refuses uncommitted changes to tracked files and an existing branch; a failure or Ctrl-C leaves no branch. INPUTS: as for update:preview. -branch NAME: the branch to create. -json: the result as JSON on stdout.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage update:apply <inputs> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-branch=<string>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "update:check":
				_fmt.Println("Check lists every flake.lock input with its locked revision and date, the newest upstream revision (git ls-remote of the branch or tag it follows, all inputs at once), the commits behind and a state; exits non-zero when an input is stale or upstream cannot be asked. -maxAge AGE: how old a locked revision may be while upstream has newer ones (default 30d; also 2w, 36h). -timeout D: per input's git calls (default 1m). -json: the report as JSON on stdout (progress on stderr).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage update:check [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-maxAge=<string>\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "update:deploy":
				_fmt.Println("Deploy runs the production update: update:apply on a branch (default update/<UTC date>; an existing unmerged one is resumed instead), then the branch's commit deployed to the SELECTION through the deploy engine, canary first, then batches, each host health-gated with magic rollback; when every host runs it, -main (default main) is fast-forwarded to it and pushed to its remote if it has one. On any failure the failed hosts are rolled back, main is left alone, the branch kept, and the error names each host, phase and reason: fix it and run the same command again, hosts already on the new systems are skipped. A PR-ready description goes to the run directory (pr.md). Needs a clean tree on the tip of main. INPUTS: as for update:preview. Flags as for deploy:hosts: -canary HOST|first (default first), -batch N, -maxUnavailable N, -reboot, -limit N, -confirmTimeout D, -buildOn, -buildHost, -substitute, -force, -rollbackDone, -yes (guarded hosts without a terminal); -branch NAME, -main NAME, -json.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage update:deploy <inputs> <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-json=<bool>\n\t-limit=<int>\n\t-canary=<string>\n\t-batch=<int>\n\t-maxUnavailable=<int>\n\t-reboot=<bool>\n\t-yes=<bool>\n\t-confirmTimeout=<time.Duration>\n\t-buildOn=<string>\n\t-buildHost=<string>\n\t-substitute=<bool>\n\t-force=<bool>\n\t-rollbackDone=<bool>\n\t-branch=<string>\n\t-main=<string>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "update:preview":
				_fmt.Println("Preview shows what updating the lock would change on each host, changing nothing: the lock is updated in a scratch worktree of HEAD (never your tree, index or branch), the SELECTION's systems are evaluated and built once, and each is compared with what the host runs: packages added/removed/upgraded with versions, closure size, reboot needed, NixOS warnings new since the old lock. INPUTS: comma-separated flake.lock inputs to update (\"nixpkgs,agenix\"; \"agenix/systems\" for an input's input), \"\" or \"all\" for every input. SELECTION: hosts as for deploy:hosts ('*' for all). -json: the result as JSON on stdout (steps on stderr).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage update:preview <inputs> <selection> [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:create":
				_fmt.Println("Create makes the SELECTION's declared guests exist on their hosts without starting them (NixOS: their install-microvm unit links the runner into /var/lib/microvms/NAME); -json for machines, -dry to print the commands.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:create <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:destroy":
				_fmt.Println("Destroy stops the SELECTION's guests and deletes their state directories, volumes included (the guests stay declared: create or start brings them back empty); needs -yes, -dry prints the commands; -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:destroy <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-yes=<bool>\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:list":
				_fmt.Println("List prints every declared guest of the SELECTION (\"*\" for all) with its host, state, vcpu/mem, ssh port and uptime, asking the hosts in parallel; -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:list <selection> [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:logs":
				_fmt.Println("Logs prints the last -lines N (default 100) lines of GUEST's (HOST/VM) console (local fleet) or of its microvm@ unit's journal (NixOS hosts).")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:logs <guest> [-lines=<int>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:restart":
				_fmt.Println("Restart stops and starts the SELECTION's guests in parallel on the build they have (-timeout D for the boot, default 90s); -json for machines, -dry to print the commands.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:restart <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:ssh":
				_fmt.Println("SSH logs in to GUEST (HOST/VM) as its user through the port its host forwards, with the guest's host key the hub recorded at its start (strict checking on the local fleet, accept-new on first use elsewhere); -command CMD runs one command instead of a shell, -print prints the ssh command line instead of running it.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:ssh <guest> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-command=<string>\n\t-print=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:start":
				_fmt.Println("Start boots the SELECTION's guests in parallel and waits for each to answer (QEMU: its sshd up, within -timeout D, default 90s; a guest that does not boot fails with the tail of its console); prints state, accel (kvm or tcg), generation, vcpu, mem and ssh per guest; -json for machines, -dry to print the commands.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:start <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:status":
				_fmt.Println("Status shows each guest of the SELECTION as its host reports it: state, accel, generation, uptime, vcpu, mem and ssh; an autostart guest that is not running is a warning; -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:status <selection> [-json=<bool>]\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:stop":
				_fmt.Println("Stop ends the SELECTION's guests in parallel (QEMU: SIGTERM, then SIGKILL after 5 s; returns once no process is left); -json for machines, -dry to print the commands.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:stop <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-json=<bool>\n\t-dry=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			case "vm:update":
				_fmt.Println("Update rebuilds the SELECTION's guests and boots the new build, like 'microvm -u NAME -R': on the local fleet a new generation of the guest's initramfs and a restart (-timeout D for the boot, default 90s); a NixOS host's declared guests are rebuilt by deploying the host, which this says; -json for machines.")
				_fmt.Println()
				
				_fmt.Print("Usage:\n\n\thub-mage vm:update <selection> [<flags>]\n\n")
				_fmt.Print("Flags:\n\n\t-timeout=<time.Duration>\n\t-json=<bool>\n\n")
				var aliases []string
				if len(aliases) > 0 {
					_sort.Strings(aliases)
					_fmt.Printf("Aliases: %s\n\n", _strings.Join(aliases, ", "))
				}
				return
			default:
				logger.Printf("Unknown target: %q\n", args.Args[0])
				_os.Exit(2)
		}
	}
	if len(args.Args) < 1 {
		if err := list(); err != nil {
			logger.Println("Error:", err)
			_os.Exit(1)
		}
		return
	}
	for x := 0; x < len(args.Args); {
		target := args.Args[x]
		x++

		// resolve aliases
		switch _strings.ToLower(target) {
		
		}

		switch _strings.ToLower(target) {
		
			case "ai:ask":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Ai:Ask\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Ai:Ask")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Ai:Ask\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "provider":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Ai:Ask\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Ai{}.Ask(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "ai:explain":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Ai:Explain\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Ai:Explain")
				}
				
				var arg0 *string
				var arg1 *int
				var arg2 *string
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Ai:Explain\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "run":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "budget":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "provider":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "json":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Ai:Explain\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Ai{}.Explain(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "ai:providers":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Ai:Providers\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Ai:Providers")
				}
				
				var arg0 *string
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Ai:Providers\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "provider":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Ai:Providers\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Ai{}.Providers(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "ai:review":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Ai:Review\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Ai:Review")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Ai:Review\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "provider":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Ai:Review\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Ai{}.Review(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "ai:tune":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Ai:Tune\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Ai:Tune")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *string
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Ai:Tune\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "metrics":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "provider":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "json":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Ai:Tune\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Ai{}.Tune(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:copy":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Copy\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Copy")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "init":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Backup:Copy\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "init":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Backup:Copy\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Copy(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:prune":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Prune\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Prune")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Backup:Prune\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Backup:Prune\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Prune(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:repo":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Repo\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Repo")
				}
				
				var arg0 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Backup:Repo\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "out":
						_tmp0 := _optVal
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Backup:Repo\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Repo(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:restore":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Restore\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Restore")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *string
				var arg3 *string
				var arg4 *string
				var arg5 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Backup:Restore\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "path":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "target":
						_tmp4 := _optVal
						arg4 = &_tmp4
					case "force":
						_tmp5, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg5 = &_tmp5
					default:
						logger.Printf("unknown option %q for target \"Backup:Restore\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Restore(ctx, arg0, arg1, arg2, arg3, arg4, arg5)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:run":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Run\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Run")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				var arg3 *string
				var arg4 *bool
				var arg5 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "init":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Backup:Run\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "init":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "textfile":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "json":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "dry":
						_tmp5, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg5 = &_tmp5
					default:
						logger.Printf("unknown option %q for target \"Backup:Run\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Run(ctx, arg0, arg1, arg2, arg3, arg4, arg5)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:snapshots":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Snapshots\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Snapshots")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Backup:Snapshots\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Backup:Snapshots\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Snapshots(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:status":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Status")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "accept":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Backup:Status\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "accept":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Backup:Status\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Status(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:unlock":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Unlock\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Unlock")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Backup:Unlock\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Backup:Unlock\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Unlock(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "backup:verify":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Backup:Verify\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Backup:Verify")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *string
				var arg3 *int
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Backup:Verify\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "set":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "subset":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "sample":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Backup:Verify\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Backup{}.Verify(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "demo":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Demo\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Demo")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Demo(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:all":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:All\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:All")
				}
				
				var arg0 *bool
				var arg1 *bool
				var arg2 *int
				var arg3 *bool
				var arg4 *string
				var arg5 *int
				var arg6 *int
				var arg7 *bool
				var arg8 *bool
				var arg9 *_time.Duration
				var arg10 *string
				var arg11 *string
				var arg12 *bool
				var arg13 *bool
				var arg14 *bool
				var arg15 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "dry":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "keepgoing":
							_optVal = "true"
						case "reboot":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						case "substitute":
							_optVal = "true"
						case "force":
							_optVal = "true"
						case "rollbackdone":
							_optVal = "true"
						case "confirm":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:All\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "dry":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "limit":
						_tmp2, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "keepgoing":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "canary":
						_tmp4 := _optVal
						arg4 = &_tmp4
					case "batch":
						_tmp5, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg5 = &_tmp5
					case "maxunavailable":
						_tmp6, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					case "reboot":
						_tmp7, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg7 = &_tmp7
					case "yes":
						_tmp8, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg8 = &_tmp8
					case "confirmtimeout":
						_tmp9, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg9 = &_tmp9
					case "buildon":
						_tmp10 := _optVal
						arg10 = &_tmp10
					case "buildhost":
						_tmp11 := _optVal
						arg11 = &_tmp11
					case "substitute":
						_tmp12, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg12 = &_tmp12
					case "force":
						_tmp13, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg13 = &_tmp13
					case "rollbackdone":
						_tmp14, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg14 = &_tmp14
					case "confirm":
						_tmp15, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg15 = &_tmp15
					default:
						logger.Printf("unknown option %q for target \"Deploy:All\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.All(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:analyze":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Analyze\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Analyze")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "next":
							_optVal = "true"
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Analyze\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "top":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "next":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "json":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Deploy:Analyze\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Analyze(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:boot":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Boot\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Boot")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				var arg3 *int
				var arg4 *bool
				var arg5 *string
				var arg6 *int
				var arg7 *int
				var arg8 *bool
				var arg9 *bool
				var arg10 *string
				var arg11 *string
				var arg12 *bool
				var arg13 *bool
				var arg14 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "dry":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "keepgoing":
							_optVal = "true"
						case "reboot":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						case "substitute":
							_optVal = "true"
						case "force":
							_optVal = "true"
						case "confirm":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Boot\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "dry":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "limit":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "keepgoing":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "canary":
						_tmp5 := _optVal
						arg5 = &_tmp5
					case "batch":
						_tmp6, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					case "maxunavailable":
						_tmp7, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg7 = &_tmp7
					case "reboot":
						_tmp8, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg8 = &_tmp8
					case "yes":
						_tmp9, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg9 = &_tmp9
					case "buildon":
						_tmp10 := _optVal
						arg10 = &_tmp10
					case "buildhost":
						_tmp11 := _optVal
						arg11 = &_tmp11
					case "substitute":
						_tmp12, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg12 = &_tmp12
					case "force":
						_tmp13, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg13 = &_tmp13
					case "confirm":
						_tmp14, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg14 = &_tmp14
					default:
						logger.Printf("unknown option %q for target \"Deploy:Boot\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Boot(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:diff":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Diff\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Diff")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Diff(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:dryactivate":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:DryActivate\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:DryActivate")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *int
				var arg3 *string
				var arg4 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:DryActivate\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "limit":
						_tmp2, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "buildon":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "buildhost":
						_tmp4 := _optVal
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Deploy:DryActivate\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.DryActivate(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:emergency":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Emergency\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Emergency")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *string
				var arg3 *string
				var arg4 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Emergency\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "confirmtimeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "buildon":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "buildhost":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "force":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Deploy:Emergency\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Emergency(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:generations":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Generations\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Generations")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Generations(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:history":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:History\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:History")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *int
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Deploy:History\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "from":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "to":
						_tmp2, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Deploy:History\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.History(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:hosts":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Hosts\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Hosts")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				var arg3 *int
				var arg4 *bool
				var arg5 *string
				var arg6 *int
				var arg7 *int
				var arg8 *bool
				var arg9 *bool
				var arg10 *_time.Duration
				var arg11 *string
				var arg12 *string
				var arg13 *bool
				var arg14 *bool
				var arg15 *bool
				var arg16 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "dry":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "keepgoing":
							_optVal = "true"
						case "reboot":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						case "substitute":
							_optVal = "true"
						case "force":
							_optVal = "true"
						case "rollbackdone":
							_optVal = "true"
						case "confirm":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Hosts\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "dry":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "limit":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "keepgoing":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "canary":
						_tmp5 := _optVal
						arg5 = &_tmp5
					case "batch":
						_tmp6, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					case "maxunavailable":
						_tmp7, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg7 = &_tmp7
					case "reboot":
						_tmp8, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg8 = &_tmp8
					case "yes":
						_tmp9, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg9 = &_tmp9
					case "confirmtimeout":
						_tmp10, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg10 = &_tmp10
					case "buildon":
						_tmp11 := _optVal
						arg11 = &_tmp11
					case "buildhost":
						_tmp12 := _optVal
						arg12 = &_tmp12
					case "substitute":
						_tmp13, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg13 = &_tmp13
					case "force":
						_tmp14, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg14 = &_tmp14
					case "rollbackdone":
						_tmp15, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg15 = &_tmp15
					case "confirm":
						_tmp16, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg16 = &_tmp16
					default:
						logger.Printf("unknown option %q for target \"Deploy:Hosts\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Hosts(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15, arg16)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:plan":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Plan\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Plan")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Plan(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:prune":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Prune\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Prune")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Prune\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "keep":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "force":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "yes":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Deploy:Prune\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Prune(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:rollback":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Rollback\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Rollback")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "yes":
							_optVal = "true"
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Rollback\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "generation":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "yes":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "force":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Deploy:Rollback\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Rollback(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:showbuild":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:ShowBuild\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:ShowBuild")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "verbose":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:ShowBuild\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "verbose":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Deploy:ShowBuild\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.ShowBuild(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:status":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Status")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Status(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:test":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Test\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Test")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				var arg3 *int
				var arg4 *bool
				var arg5 *string
				var arg6 *int
				var arg7 *bool
				var arg8 *_time.Duration
				var arg9 *string
				var arg10 *string
				var arg11 *bool
				var arg12 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "dry":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "keepgoing":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						case "substitute":
							_optVal = "true"
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Test\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "dry":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "limit":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "keepgoing":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "canary":
						_tmp5 := _optVal
						arg5 = &_tmp5
					case "batch":
						_tmp6, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					case "yes":
						_tmp7, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg7 = &_tmp7
					case "confirmtimeout":
						_tmp8, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg8 = &_tmp8
					case "buildon":
						_tmp9 := _optVal
						arg9 = &_tmp9
					case "buildhost":
						_tmp10 := _optVal
						arg10 = &_tmp10
					case "substitute":
						_tmp11, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg11 = &_tmp11
					case "force":
						_tmp12, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg12 = &_tmp12
					default:
						logger.Printf("unknown option %q for target \"Deploy:Test\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Test(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "deploy:times":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Deploy:Times\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Deploy:Times")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Deploy:Times\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "last":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Deploy:Times\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Deploy{}.Times(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "dev:languages":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Dev:Languages\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Dev:Languages")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Dev{}.Languages(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "dev:shell":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Dev:Shell\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Dev:Shell")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Dev:Shell\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "command":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Dev:Shell\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Dev{}.Shell(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "docs:features":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Docs:Features\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Docs:Features")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Docs{}.Features(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "docs:options":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Docs:Options\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Docs:Options")
				}
				
				var arg0 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "check":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Docs:Options\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "check":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Docs:Options\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Docs{}.Options(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "docs:targets":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Docs:Targets\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Docs:Targets")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Docs{}.Targets(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "exporters:build":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Exporters:Build\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Exporters:Build")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Exporters{}.Build(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "exporters:run":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Exporters:Run\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Exporters:Run")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Exporters{}.Run(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "features:check":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Features:Check\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Features:Check")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Features{}.Check(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "features:graph":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Features:Graph\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Features:Graph")
				}
				
				var arg0 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Features:Graph\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "format":
						_tmp0 := _optVal
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Features:Graph\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Features{}.Graph(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "features:host":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Features:Host\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Features:Host")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Features{}.Host(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "features:list":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Features:List\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Features:List")
				}
				
				var arg0 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "options":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Features:List\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "options":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Features:List\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Features{}.List(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "features:show":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Features:Show\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Features:Show")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Features{}.Show(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:down":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Down\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Down")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Down(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:image":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Image\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Image")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Image(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:reboot":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Reboot\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Reboot")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Reboot(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:stage":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Stage\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Stage")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *string
				var arg3 *bool
				var arg4 *_time.Duration
				var arg5 *string
				var arg6 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "failingunit":
							_optVal = "true"
						case "reset":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Fleet:Stage\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "kernel":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "sshd":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "failingunit":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "activationdelay":
						_tmp4, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "systemd":
						_tmp5 := _optVal
						arg5 = &_tmp5
					case "reset":
						_tmp6, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					default:
						logger.Printf("unknown option %q for target \"Fleet:Stage\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Stage(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:status":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Status")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Status(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fleet:up":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fleet:Up\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fleet:Up")
				}
				
				var arg0 *int
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "systemd":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Fleet:Up\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "n":
						_tmp0, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					case "systemd":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Fleet:Up\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Fleet{}.Up(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "fmt":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Fmt\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Fmt")
				}
				
				var arg0 *string
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "check":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Fmt\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "paths":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "only":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "check":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Fmt\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Fmt(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "help":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Help\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Help")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Help(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:check":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Check\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Check")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Check(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:checkhardware":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:CheckHardware\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:CheckHardware")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:CheckHardware\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Hosts:CheckHardware\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.CheckHardware(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:diff":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Diff\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Diff")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *string
				var arg3 *_time.Duration
				var arg4 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:Diff\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "paths":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "probetimeout":
						_tmp3, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "json":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Hosts:Diff\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Diff(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:exec":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Exec\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Exec")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *_time.Duration
				var arg3 *int
				var arg4 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:Exec\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp2, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "limit":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "json":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Hosts:Exec\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Exec(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:list":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:List\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:List")
				}
				
				var arg0 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:List\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Hosts:List\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.List(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:new":
				expected := x + 3
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:New\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:New")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
			arg2 := args.Args[x]
			x++
				var arg3 *string
				var arg4 *string
				var arg5 *string
				var arg6 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Hosts:New\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "features":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "tags":
						_tmp4 := _optVal
						arg4 = &_tmp4
					case "hardwareconfig":
						_tmp5 := _optVal
						arg5 = &_tmp5
					case "description":
						_tmp6 := _optVal
						arg6 = &_tmp6
					default:
						logger.Printf("unknown option %q for target \"Hosts:New\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.New(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:ping":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Ping\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Ping")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:Ping\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Hosts:Ping\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Ping(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:show":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Show\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Show")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:Show\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Hosts:Show\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Show(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "hosts:status":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Hosts:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Hosts:Status")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Hosts:Status\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Hosts:Status\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Hosts{}.Status(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:build":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:Build\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:Build")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Iso:Build\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "flake":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Iso:Build\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.Build(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:buildall":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:BuildAll\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:BuildAll")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *int
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Iso:BuildAll\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "flake":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "limit":
						_tmp2, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "json":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Iso:BuildAll\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.BuildAll(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:clean":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:Clean\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:Clean")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.Clean(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:devices":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:Devices\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:Devices")
				}
				
				var arg0 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "all":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Iso:Devices\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "all":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Iso:Devices\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.Devices(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:list":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:List\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:List")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.List(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:verify":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:Verify\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:Verify")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.Verify(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "iso:write":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Iso:Write\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Iso:Write")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Iso:Write\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "force":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "yes":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Iso:Write\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Iso{}.Write(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "monitor:config":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Monitor:Config\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Monitor:Config")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Monitor{}.Config(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "monitor:dashboards":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Monitor:Dashboards\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Monitor:Dashboards")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Monitor{}.Dashboards(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "monitor:rules":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Monitor:Rules\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Monitor:Rules")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Monitor{}.Rules(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "monitor:scrape":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Monitor:Scrape\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Monitor:Scrape")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Monitor:Scrape\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Monitor:Scrape\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Monitor{}.Scrape(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "net:doctor":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Net:Doctor\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Net:Doctor")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *_time.Duration
				var arg3 *bool
				var arg4 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "details":
							_optVal = "true"
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Net:Doctor\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "external":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "timeout":
						_tmp2, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "details":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "json":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Net:Doctor\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Net{}.Doctor(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "nix:optionsmanifest":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Nix:OptionsManifest\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Nix:OptionsManifest")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Nix{}.OptionsManifest(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "nix:optionsused":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Nix:OptionsUsed\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Nix:OptionsUsed")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Nix{}.OptionsUsed(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "nix:vendorhash":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Nix:VendorHash\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Nix:VendorHash")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Nix{}.VendorHash(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "perf:compare":
				expected := x + 3
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Perf:Compare\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Perf:Compare")
				}
				
			arg0 := args.Args[x]
			x++
				arg1, err := _strconv.Atoi(args.Args[x])
				if err != nil {
					logger.Printf("can't convert argument %q to int\n", args.Args[x])
					_os.Exit(2)
				}
				x++
				arg2, err := _strconv.Atoi(args.Args[x])
				if err != nil {
					logger.Printf("can't convert argument %q to int\n", args.Args[x])
					_os.Exit(2)
				}
				x++
				var arg3 *string
				var arg4 *_time.Duration
				var arg5 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Perf:Compare\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "boots":
						_tmp3 := _optVal
						arg3 = &_tmp3
					case "timeout":
						_tmp4, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					case "json":
						_tmp5, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg5 = &_tmp5
					default:
						logger.Printf("unknown option %q for target \"Perf:Compare\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Perf{}.Compare(ctx, arg0, arg1, arg2, arg3, arg4, arg5)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "perf:report":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Perf:Report\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Perf:Report")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *string
				var arg3 *_time.Duration
				var arg4 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Perf:Report\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "slowest":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "baselines":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "timeout":
						_tmp3, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "json":
						_tmp4, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg4 = &_tmp4
					default:
						logger.Printf("unknown option %q for target \"Perf:Report\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Perf{}.Report(ctx, arg0, arg1, arg2, arg3, arg4)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "recovery:generations":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Recovery:Generations\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Recovery:Generations")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Recovery{}.Generations(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "recovery:host":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Recovery:Host\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Recovery:Host")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "yes":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Recovery:Host\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "identity":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "yes":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Recovery:Host\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Recovery{}.Host(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "recovery:rollback":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Recovery:Rollback\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Recovery:Rollback")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "yes":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Recovery:Rollback\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "generation":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "yes":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Recovery:Rollback\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Recovery{}.Rollback(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:audit":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Audit\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Audit")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Audit(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:cat":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Cat\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Cat")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Secrets:Cat\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "identity":
						_tmp1 := _optVal
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Secrets:Cat\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Cat(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:check":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Check\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Check")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Check(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:due":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Due\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Due")
				}
				
				var arg0 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "all":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Secrets:Due\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "all":
						_tmp0, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Secrets:Due\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Due(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:edit":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Edit\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Edit")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Secrets:Edit\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "identity":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "force":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Secrets:Edit\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Edit(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:fix":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Fix\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Fix")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Fix(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:hostkeys":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:HostKeys\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:HostKeys")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.HostKeys(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:new":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:New\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:New")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Secrets:New\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "force":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Secrets:New\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.New(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:rekey":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Rekey\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Rekey")
				}
				
				var arg0 *string
				var arg1 *bool
				var arg2 *string
				var arg3 *int
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "force":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Secrets:Rekey\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "identity":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "force":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "host":
						_tmp2 := _optVal
						arg2 = &_tmp2
					case "parallelism":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Secrets:Rekey\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Rekey(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:rotate":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Rotate\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Rotate")
				}
				
				var arg0 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Secrets:Rotate\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "names":
						_tmp0 := _optVal
						arg0 = &_tmp0
					default:
						logger.Printf("unknown option %q for target \"Secrets:Rotate\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Rotate(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "secrets:status":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Secrets:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Secrets:Status")
				}
				
			arg0 := args.Args[x]
			x++
				wrapFn := func(ctx _context.Context) error {
					return Secrets{}.Status(ctx, arg0)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "security:scan":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Security:Scan\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Security:Scan")
				}
				
				var arg0 *string
				var arg1 *bool
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "eval":
							_optVal = "true"
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Security:Scan\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "failon":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "eval":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Security:Scan\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Security{}.Scan(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:deprecated":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Deprecated\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Deprecated")
				}
				
				var arg0 *string
				var arg1 *int
				var arg2 *_time.Duration
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Test:Deprecated\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "hosts":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "limit":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "probetimeout":
						_tmp2, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "json":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Test:Deprecated\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Deprecated(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:eval":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Eval\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Eval")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Eval(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:features":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Features\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Features")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Features(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:hosts":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Hosts\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Hosts")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Hosts(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:markdownlinks":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:MarkdownLinks\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:MarkdownLinks")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.MarkdownLinks(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:monitoring":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Monitoring\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Monitoring")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Monitoring(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:nixlint":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:NixLint\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:NixLint")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.NixLint(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:nixoptions":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:NixOptions\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:NixOptions")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.NixOptions(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:nixsyntax":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:NixSyntax\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:NixSyntax")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.NixSyntax(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:packages":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Packages\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Packages")
				}
				
				var arg0 *string
				var arg1 *int
				var arg2 *_time.Duration
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Test:Packages\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "only":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "limit":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "probetimeout":
						_tmp2, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Test:Packages\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Packages(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:parallel":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Parallel\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Parallel")
				}
				
				var arg0 *string
				var arg1 *int
				var arg2 *_time.Duration
				var arg3 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Test:Parallel\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "junit":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "jobs":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "timeout":
						_tmp2, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "only":
						_tmp3 := _optVal
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Test:Parallel\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Parallel(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:race":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Race\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Race")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Race(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:secretscheck":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:SecretsCheck\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:SecretsCheck")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.SecretsCheck(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:shelllint":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:ShellLint\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:ShellLint")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.ShellLint(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:unit":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Unit\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Unit")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Unit(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:vendorhash":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:VendorHash\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:VendorHash")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.VendorHash(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "test:vet":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Test:Vet\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Test:Vet")
				}
				
				wrapFn := func(ctx _context.Context) error {
					return Test{}.Vet(ctx)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "update:apply":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Update:Apply\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Update:Apply")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Update:Apply\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "branch":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Update:Apply\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Update{}.Apply(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "update:check":
				expected := x + 0
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Update:Check\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Update:Check")
				}
				
				var arg0 *string
				var arg1 *_time.Duration
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Update:Check\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "maxage":
						_tmp0 := _optVal
						arg0 = &_tmp0
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Update:Check\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Update{}.Check(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "update:deploy":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Update:Deploy\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Update:Deploy")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *bool
				var arg3 *int
				var arg4 *string
				var arg5 *int
				var arg6 *int
				var arg7 *bool
				var arg8 *bool
				var arg9 *_time.Duration
				var arg10 *string
				var arg11 *string
				var arg12 *bool
				var arg13 *bool
				var arg14 *bool
				var arg15 *string
				var arg16 *string
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "reboot":
							_optVal = "true"
						case "yes":
							_optVal = "true"
						case "substitute":
							_optVal = "true"
						case "force":
							_optVal = "true"
						case "rollbackdone":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Update:Deploy\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "limit":
						_tmp3, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					case "canary":
						_tmp4 := _optVal
						arg4 = &_tmp4
					case "batch":
						_tmp5, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg5 = &_tmp5
					case "maxunavailable":
						_tmp6, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg6 = &_tmp6
					case "reboot":
						_tmp7, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg7 = &_tmp7
					case "yes":
						_tmp8, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg8 = &_tmp8
					case "confirmtimeout":
						_tmp9, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg9 = &_tmp9
					case "buildon":
						_tmp10 := _optVal
						arg10 = &_tmp10
					case "buildhost":
						_tmp11 := _optVal
						arg11 = &_tmp11
					case "substitute":
						_tmp12, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg12 = &_tmp12
					case "force":
						_tmp13, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg13 = &_tmp13
					case "rollbackdone":
						_tmp14, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg14 = &_tmp14
					case "branch":
						_tmp15 := _optVal
						arg15 = &_tmp15
					case "main":
						_tmp16 := _optVal
						arg16 = &_tmp16
					default:
						logger.Printf("unknown option %q for target \"Update:Deploy\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Update{}.Deploy(ctx, arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15, arg16)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "update:preview":
				expected := x + 2
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Update:Preview\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Update:Preview")
				}
				
			arg0 := args.Args[x]
			x++
			arg1 := args.Args[x]
			x++
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Update:Preview\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Update:Preview\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Update{}.Preview(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:create":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Create\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Create")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Create\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "dry":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Vm:Create\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Create(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:destroy":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Destroy\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Destroy")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "yes":
							_optVal = "true"
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Destroy\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "yes":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "dry":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Vm:Destroy\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Destroy(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:list":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:List\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:List")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:List\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Vm:List\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.List(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:logs":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Logs\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Logs")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *int
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						default:
							logger.Printf("invalid option %q for target \"Vm:Logs\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "lines":
						_tmp1, err := _strconv.Atoi(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to int\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Vm:Logs\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Logs(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:restart":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Restart\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Restart")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Restart\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "dry":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Vm:Restart\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Restart(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:ssh":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:SSH\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:SSH")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *string
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "print":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:SSH\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "command":
						_tmp1 := _optVal
						arg1 = &_tmp1
					case "print":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Vm:SSH\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.SSH(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:start":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Start\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Start")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				var arg3 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Start\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					case "dry":
						_tmp3, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg3 = &_tmp3
					default:
						logger.Printf("unknown option %q for target \"Vm:Start\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Start(ctx, arg0, arg1, arg2, arg3)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:status":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Status\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Status")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Status\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					default:
						logger.Printf("unknown option %q for target \"Vm:Status\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Status(ctx, arg0, arg1)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:stop":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Stop\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Stop")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *bool
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						case "dry":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Stop\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "json":
						_tmp1, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "dry":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Vm:Stop\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Stop(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
			case "vm:update":
				expected := x + 1
				if expected > len(args.Args) {
					// note that expected and args at this point include the arg for the target itself
					// so we subtract 1 here to show the number of args without the target.
					logger.Printf("not enough arguments for target \"Vm:Update\", expected %v, got %v\n", expected-1, len(args.Args)-1)
					_os.Exit(2)
				}
				if args.Verbose {
					logger.Println("Running target:", "Vm:Update")
				}
				
			arg0 := args.Args[x]
			x++
				var arg1 *_time.Duration
				var arg2 *bool
				for x < len(args.Args) && _strings.HasPrefix(args.Args[x], "-") {
					_optArg := args.Args[x]
					_eqIdx := _strings.Index(_optArg, "=")
					var _optName, _optVal string
					if _eqIdx < 0 {
						_optName = _strings.ToLower(_optArg[1:])
						switch _optName {
						case "json":
							_optVal = "true"
						default:
							logger.Printf("invalid option %q for target \"Vm:Update\", expected -name=value format\n", _optArg)
							_os.Exit(2)
						}
					} else {
						_optName = _strings.ToLower(_optArg[1:_eqIdx])
						_optVal = _optArg[_eqIdx+1:]
					}
					switch _optName {
					case "timeout":
						_tmp1, err := _time.ParseDuration(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to time.Duration\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg1 = &_tmp1
					case "json":
						_tmp2, err := _strconv.ParseBool(_optVal)
						if err != nil {
							logger.Printf("can't convert option %q value %q to bool\n", _optName, _optVal)
							_os.Exit(2)
						}
						arg2 = &_tmp2
					default:
						logger.Printf("unknown option %q for target \"Vm:Update\"\n", _optName)
						_os.Exit(2)
					}
					x++
				}
				wrapFn := func(ctx _context.Context) error {
					return Vm{}.Update(ctx, arg0, arg1, arg2)
				}
				ret := runTarget(logger, wrapFn)
				handleError(logger, ret)
		
		default:
			logger.Printf("Unknown target specified: %q\n", target)
			_os.Exit(2)
		}
	}
}




