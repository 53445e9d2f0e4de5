// Package secscan looks through the repository for what should not be in it, or should be
// looked at before it ships: secrets committed in clear (private keys, age identities, API
// tokens by their published formats), files under secrets/ that are not age-encrypted,
// allowances of insecure and unfree packages, agenix secrets installed world-readable, and the
// firewall ports each host opens.
//
// It reads the committed tree (git ls-files) and the feature registry; the firewall ports come
// from the evaluated configurations when the caller has them (EvalFirewall) and otherwise from
// the modules each host enables, with the port's declared default.
//
// An intended finding (a test fixture's key) is kept with an entry in secrets/scan-allow.toml
// naming its rule, its file and why.
//
// Entry points: [Scan] runs the rules (over [TrackedFiles], with the ports of [EvalFirewall] when
// given), [Failing] keeps what fails a threshold and [Write] prints the [Finding]s.
package secscan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/tomlfile"
)

// Severities, highest first. A run fails on findings at or above its threshold.
const (
	high = "high" // a secret exposed
	Warn = "warn" // a weakening to review: insecure packages, readable secrets, every unfree package
	info = "info" // an inventory line: each open port, each named unfree package
)

// Levels are the severities in order, highest first.
var Levels = []string{high, Warn, info}

// Rules.
const (
	ruleSecret      = "secret-in-clear"
	ruleUnencrypted = "unencrypted-secret"
	ruleInsecure    = "insecure-package"
	ruleUnfree      = "unfree-package"
	ruleReadable    = "world-readable-secret"
	rulePort        = "open-port"
)

// Finding is one thing the scan found.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"` // relative to the root
	Line     int    `json:"line,omitempty"`
	Host     string `json:"host,omitempty"`
	Msg      string `json:"message"`
	Allowed  string `json:"allowed,omitempty"` // the reason of the scan-allow.toml entry that keeps it
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	if f.Host != "" {
		loc = strings.TrimSpace("host " + f.Host + " " + loc)
	}
	s := fmt.Sprintf("%-4s %s %s: %s", f.Severity, f.Rule, loc, f.Msg)
	if f.Allowed != "" {
		s += " (allowed: " + f.Allowed + ")"
	}
	return s
}

// allowFile is where intended findings are listed, relative to the root.
const allowFile = "secrets/scan-allow.toml"

type allowList struct {
	Allow []allowEntry `toml:"allow"`
}

type allowEntry struct {
	Rule   string `toml:"rule"`
	File   string `toml:"file"`
	Host   string `toml:"host"`
	Reason string `toml:"reason"`
}

func loadAllow(root string) ([]allowEntry, error) {
	path := filepath.Join(root, allowFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l allowList
	if errs := tomlfile.Decode(allowFile, b, &l); len(errs) > 0 {
		return nil, errs[0]
	}
	rules := []string{ruleSecret, ruleUnencrypted, ruleInsecure, ruleUnfree, ruleReadable, rulePort}
	for i, a := range l.Allow {
		switch {
		case !slices.Contains(rules, a.Rule):
			return nil, fmt.Errorf("%s: allow entry %d: rule %q is not one of %s", allowFile, i+1, a.Rule, strings.Join(rules, ", "))
		case a.File == "" && a.Host == "":
			return nil, fmt.Errorf("%s: allow entry %d (rule %s): give the file or the host it applies to", allowFile, i+1, a.Rule)
		case strings.TrimSpace(a.Reason) == "":
			return nil, fmt.Errorf("%s: allow entry %d (rule %s, %s%s): give the reason", allowFile, i+1, a.Rule, a.File, a.Host)
		}
	}
	return l.Allow, nil
}

// Options say what Scan looks at.
type Options struct {
	Root string
	// Files are the committed files, relative to Root (TrackedFiles).
	Files []string
	// Registry and Hosts give each host's features, for the ports when Firewall is nil.
	Registry *features.Registry
	Hosts    []features.Host
	// Firewall, when set, is each host's evaluated networking.firewall (EvalFirewall).
	Firewall map[string]Firewall
}

// TrackedFiles lists the files git has for root: what is committed (or staged), which is what
// a clone gets.
func TrackedFiles(ctx context.Context, local *command.Host, root string) ([]string, error) {
	res, err := local.Run(ctx, command.Cmd{Args: []string{"git", "-C", root, "ls-files", "-z"}})
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var out []string
	for _, f := range strings.Split(string(res.Stdout), "\x00") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

// tokens are credentials by the formats their issuers publish, so that a match is a key and
// not a word: prefixes and lengths.
var tokens = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a private key", regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----`)},
	{"an age identity", regexp.MustCompile(`AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}`)},
	{"an age plugin identity", regexp.MustCompile(`AGE-PLUGIN-[A-Z0-9]+-1[02-9AC-HJ-NP-Z]{20,}`)},
	{"a GitHub token", regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})\b`)},
	{"a GitLab token", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20}\b`)},
	{"an AWS access key id", regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a Slack token", regexp.MustCompile(`\bxox[abposr]-[0-9A-Za-z-]{10,}\b`)},
	{"an Anthropic API key", regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`)},
	{"an OpenAI API key", regexp.MustCompile(`\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{20,}`)},
	{"a Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"a Tailscale auth key", regexp.MustCompile(`\btskey-(?:auth|client|api)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}`)},
	{"a WireGuard private key", regexp.MustCompile(`(?i)PrivateKey\s*=\s*[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=`)},
}

// ageHeader is how every age file starts, binary or armored.
var ageHeaders = [][]byte{[]byte("age-encryption.org/v1\n"), []byte("-----BEGIN AGE ENCRYPTED FILE-----")}

// secretsDirFiles are the files of secrets/ that are not secrets.
var secretsDirFiles = []string{"secrets.nix", "rotation.toml", "scan-allow.toml", "README.md"}

var (
	insecureRe   = regexp.MustCompile(`permittedInsecurePackages\s*=\s*(.*)`)
	unfreeAllRe  = regexp.MustCompile(`\ballowUnfree\s*=\s*true\b`)
	unfreeListRe = regexp.MustCompile(`hub\.allowUnfree\s*=\s*(?:lib\.optionals\s+\S+\s+)?\[([^\]]*)\]?`)
	unfreePredRe = regexp.MustCompile(`allowUnfreePredicate\s*=`)
	modeRe       = regexp.MustCompile(`\bmode\s*=\s*"([0-7]{3,4})"`)
)

// Scan runs every rule over the repository.
func Scan(o Options) ([]Finding, error) {
	allow, err := loadAllow(o.Root)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, f := range o.Files {
		fs, err := scanFile(o.Root, f)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	ports, err := portFindings(o)
	if err != nil {
		return nil, err
	}
	out = append(out, ports...)
	for i := range out {
		for _, a := range allow {
			if a.Rule == out[i].Rule && (a.File == "" || a.File == out[i].File) && (a.Host == "" || a.Host == out[i].Host) {
				out[i].Allowed = a.Reason
			}
		}
	}
	return out, nil
}

func scanFile(root, rel string) ([]Finding, error) {
	path := filepath.Join(root, rel)
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		return nil, nil // deleted in the work tree, or a symlink: nothing to read
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Finding
	add := func(rule, sev string, line int, format string, args ...any) {
		out = append(out, Finding{Rule: rule, Severity: sev, File: rel, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	dir, base := filepath.Dir(rel), filepath.Base(rel)
	if dir == "secrets" && !slices.Contains(secretsDirFiles, base) {
		encrypted := slices.ContainsFunc(ageHeaders, func(h []byte) bool { return bytes.HasPrefix(b, h) })
		switch {
		case strings.HasSuffix(base, ".age") && !encrypted:
			add(ruleUnencrypted, high, 0, "named .age but not age-encrypted (no age header): encrypt it with go tool mage secrets:edit %s, and treat its content as leaked", base)
		case !strings.HasSuffix(base, ".age"):
			add(ruleUnencrypted, high, 0, "secrets/ holds age files only: encrypt it (secrets:new %s.age) and remove the clear copy from the history", base)
		}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return out, nil // binary (an age file among them): no lines to match
	}
	isNix := strings.HasSuffix(rel, ".nix")
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		n := i + 1
		for _, t := range tokens {
			if t.re.MatchString(line) {
				add(ruleSecret, high, n, "%s in clear: rotate it, then keep it only as an age file (secrets:new)", t.what)
			}
		}
		if !isNix {
			continue
		}
		code, _, _ := strings.Cut(line, "#")
		if m := insecureRe.FindStringSubmatch(code); m != nil {
			add(ruleInsecure, Warn, n, "permittedInsecurePackages %s: each is a package nixpkgs marks insecure; say why in a comment and drop it when fixed upstream", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[1]), ";")))
		}
		if unfreeAllRe.MatchString(code) {
			add(ruleUnfree, Warn, n, "allowUnfree = true allows every unfree package: list them in hub.allowUnfree instead")
		}
		if unfreePredRe.MatchString(code) {
			add(ruleUnfree, info, n, "allowUnfreePredicate: unfree packages are allowed by this predicate")
		}
		if m := unfreeListRe.FindStringSubmatch(code); m != nil {
			list := m[1]
			if !strings.Contains(code[strings.Index(code, "hub.allowUnfree"):], "]") { // a list over several lines
				for _, next := range lines[i+1:] {
					item, _, _ := strings.Cut(next, "#")
					before, _, closed := strings.Cut(item, "]")
					list += " " + before
					if closed {
						break
					}
				}
			}
			for _, p := range strings.Fields(list) {
				if p = strings.Trim(p, `"`); p != "" {
					add(ruleUnfree, info, n, "unfree package %s allowed", p)
				}
			}
		}
		if strings.Contains(string(b), "age.secrets") {
			if m := modeRe.FindStringSubmatch(code); m != nil && m[1][len(m[1])-1] != '0' {
				add(ruleReadable, Warn, n, "a secret installed with mode %s is readable by every user: use 0400 (or 0440 with a group)", m[1])
			}
		}
	}
	return out, nil
}

// Firewall is the part of a host's evaluated networking.firewall the scan reads.
type Firewall struct {
	Enable           bool                `json:"enable"`
	AllowedTCPPorts  []int               `json:"allowedTCPPorts"`
	AllowedUDPPorts  []int               `json:"allowedUDPPorts"`
	AllowedTCPRanges []portRange         `json:"allowedTCPPortRanges"`
	AllowedUDPRanges []portRange         `json:"allowedUDPPortRanges"`
	Interfaces       map[string]Firewall `json:"interfaces"`
}

type portRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// firewallApply is the nix eval --apply function over nixosConfigurations that EvalFirewall
// uses: each named host's networking.firewall, the attributes the scan reads.
func firewallApply(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	pick := `fw: { enable = fw.enable or true; allowedTCPPorts = fw.allowedTCPPorts or [ ]; allowedUDPPorts = fw.allowedUDPPorts or [ ]; allowedTCPPortRanges = fw.allowedTCPPortRanges or [ ]; allowedUDPPortRanges = fw.allowedUDPPortRanges or [ ]; }`
	return `cs: builtins.listToAttrs (map (n: { name = n; value = let fw = cs.${n}.config.networking.firewall or { }; pick = ` + pick +
		`; in pick fw // { interfaces = builtins.mapAttrs (_: pick) (fw.interfaces or { }); }; }) [ ` + strings.Join(q, " ") + ` ])`
}

// EvalFirewall evaluates the named hosts' firewalls in one nix eval of flake with n (nix on
// this machine with the fleet's settings). It fails where the configurations cannot be
// evaluated (no nixpkgs).
func EvalFirewall(ctx context.Context, n nix.Nix, flake string, names []string) (map[string]Firewall, error) {
	res, err := n.Run(ctx, n.Cmd("nix", []string{"eval"}, "--json", flake+"#nixosConfigurations", "--apply", firewallApply(names)))
	if err != nil {
		return nil, fmt.Errorf("evaluate the firewalls of %s: %w", strings.Join(names, " "), err)
	}
	if res.DryRun {
		return nil, fmt.Errorf("dry run: firewalls not evaluated")
	}
	var out map[string]Firewall
	if err := json.Unmarshal(res.Stdout, &out); err != nil {
		return nil, fmt.Errorf("evaluate the firewalls: unexpected nix eval output: %w", err)
	}
	return out, nil
}

func portFindings(o Options) ([]Finding, error) {
	if o.Firewall != nil {
		var out []Finding
		names := make([]string, 0, len(o.Firewall))
		for n := range o.Firewall {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, h := range names {
			out = append(out, evaluatedPorts(h, "", o.Firewall[h])...)
		}
		return out, nil
	}
	if o.Registry == nil {
		return nil, nil
	}
	return modulePorts(o)
}

func evaluatedPorts(host, iface string, fw Firewall) []Finding {
	var out []Finding
	where := "every interface"
	if iface != "" {
		where = "interface " + iface
	}
	if iface == "" && !fw.Enable {
		return []Finding{{Rule: rulePort, Severity: Warn, Host: host, Msg: "the firewall is off: every listening port is open"}}
	}
	for _, p := range fw.AllowedTCPPorts {
		out = append(out, Finding{Rule: rulePort, Severity: info, Host: host, Msg: fmt.Sprintf("TCP %d open on %s", p, where)})
	}
	for _, p := range fw.AllowedUDPPorts {
		out = append(out, Finding{Rule: rulePort, Severity: info, Host: host, Msg: fmt.Sprintf("UDP %d open on %s", p, where)})
	}
	for _, r := range fw.AllowedTCPRanges {
		out = append(out, Finding{Rule: rulePort, Severity: info, Host: host, Msg: fmt.Sprintf("TCP %d-%d open on %s", r.From, r.To, where)})
	}
	for _, r := range fw.AllowedUDPRanges {
		out = append(out, Finding{Rule: rulePort, Severity: info, Host: host, Msg: fmt.Sprintf("UDP %d-%d open on %s", r.From, r.To, where)})
	}
	ifaces := make([]string, 0, len(fw.Interfaces))
	for n := range fw.Interfaces {
		ifaces = append(ifaces, n)
	}
	slices.Sort(ifaces)
	for _, n := range ifaces {
		sub := fw.Interfaces[n]
		sub.Enable = true
		out = append(out, evaluatedPorts(host, n, sub)...)
	}
	return out
}

var (
	fwLineRe      = regexp.MustCompile(`(allowed(?:TCP|UDP)Ports)\s*=\s*\[([^\]]*)\]`)
	openFwRe      = regexp.MustCompile(`\bopenFirewall\s*=\s*(true|cfg\.openFirewall)\b`)
	portDefaultRe = regexp.MustCompile(`(?s)\bport\s*=\s*(?:lib\.)?mkOption\s*\{[^}]*?default\s*=\s*(\d+)`)
	ifaceModuleRe = regexp.MustCompile(`networking\.firewall\.interfaces\s*=`)
)

// modulePorts reads, for every host, the firewall lines of the modules its features enable:
// a literal port, or cfg.port with the default the module declares (a host can set another).
func modulePorts(o Options) ([]Finding, error) {
	var out []Finding
	for _, h := range o.Hosts {
		res := o.Registry.Resolve(h)
		for _, name := range res.Enabled {
			f := o.Registry.Features[name]
			if f == nil || f.Module == "" {
				continue
			}
			path := filepath.Join(o.Registry.Dir, f.Module)
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("host %s: feature %s: %w", h.Name, name, err)
			}
			rel, _ := filepath.Rel(o.Root, path)
			def := ""
			if m := portDefaultRe.FindSubmatch(b); m != nil {
				def = string(m[1])
			}
			for i, line := range strings.Split(string(b), "\n") {
				code, _, _ := strings.Cut(line, "#")
				where := "every interface"
				if ifaceModuleRe.MatchString(code) {
					where = "the feature's interfaces"
				}
				for _, m := range fwLineRe.FindAllStringSubmatch(code, -1) {
					proto := "TCP"
					if strings.Contains(m[1], "UDP") {
						proto = "UDP"
					}
					for _, p := range strings.Fields(m[2]) {
						if p == "cfg.port" {
							p = "features." + name + ".port"
							if def != "" {
								p = def + " (the module's default port)"
							}
						}
						out = append(out, Finding{Rule: rulePort, Severity: info, Host: h.Name, File: rel, Line: i + 1,
							Msg: fmt.Sprintf("feature %s opens %s %s on %s", name, proto, p, where)})
					}
				}
				if openFwRe.MatchString(code) {
					out = append(out, Finding{Rule: rulePort, Severity: info, Host: h.Name, File: rel, Line: i + 1,
						Msg: fmt.Sprintf("feature %s sets openFirewall: the service's own ports are open on every interface", name)})
				}
			}
		}
	}
	return out, nil
}

// Failing are the findings at or above threshold that no allow entry keeps.
func Failing(fs []Finding, threshold string) []Finding {
	limit := slices.Index(Levels, threshold)
	var out []Finding
	for _, f := range fs {
		if f.Allowed == "" && slices.Index(Levels, f.Severity) <= limit {
			out = append(out, f)
		}
	}
	return out
}

// Write prints one line per finding, highest severity first, then the counts.
func Write(w io.Writer, fs []Finding, portsFrom string) {
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b Finding) int { return slices.Index(Levels, a.Severity) - slices.Index(Levels, b.Severity) })
	counts := map[string]int{}
	allowed := 0
	for _, f := range sorted {
		fmt.Fprintln(w, f)
		if f.Allowed != "" {
			allowed++
		} else {
			counts[f.Severity]++
		}
	}
	fmt.Fprintf(w, "%d findings: %d high, %d warn, %d info; %d allowed by %s; open ports from %s\n",
		len(fs), counts[high], counts[Warn], counts[info], allowed, allowFile, portsFrom)
}
