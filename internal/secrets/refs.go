package secrets

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/features"
)

// reference is one place in the NixOS configuration that uses an agenix secret: a module that
// reads config.age.secrets.<name>, a default of /run/agenix/<name>, a host.toml password_file, or
// a file = ../../secrets/<name>.age. Each must be listed in secrets.nix as "<name>.age" and have
// that file, or the host fails at activation (or, worse, its service starts without the file).
type reference struct {
	File string // relative to the scanned root, slash-separated
	Line int
	Name string // the secret's name: its secrets.nix entry is Name + ".age"
	Text string // what matched, for messages
	// Use is a read of the decrypted file (config.age.secrets.<name>, /run/agenix/<name>);
	// otherwise the reference declares it (age.secrets.<name> = ..., file = ../secrets/<name>.age).
	Use bool
}

func (ref reference) String() string { return fmt.Sprintf("%s:%d", ref.File, ref.Line) }

// ReferenceDirs are where the repository's NixOS configuration lives: the feature modules, the
// flake helpers and the hosts (default.nix and host.toml).
var ReferenceDirs = []string{"modules", "nix", "hosts"}

var (
	// age.secrets.<name> (also inside config.age.secrets.<name>.path); a quoted name may hold dots.
	ageSecretRE = regexp.MustCompile(`\bage\.secrets\.(?:"([^"$\\]+)"|([A-Za-z0-9_][A-Za-z0-9_'-]*))`)
	// /run/agenix/<name>, agenix's default secretsDir. Interpolated names (${...}) are not matched.
	runAgenixRE = regexp.MustCompile(`/run/agenix/([A-Za-z0-9_][A-Za-z0-9._-]*)`)
	// A Nix path to a file in secrets/: ../../secrets/<name>.age.
	secretFileRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9._-])(?:\.\./)+secrets/([A-Za-z0-9_][A-Za-z0-9._/-]*)\.age\b`)
	// Option documentation, not use: `example = "/run/agenix/tailscale-auth-key";`.
	exampleRE = regexp.MustCompile(`^\s*example\s*=`)
)

// references scans the .nix and .toml files under root's dirs (missing ones are skipped) for
// agenix secrets, in file and line order. Comment lines and option examples are not uses.
func references(root string, dirs ...string) ([]reference, error) {
	var refs []reference
	for _, dir := range dirs {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == base {
				return fs.SkipDir
			}
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != base && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".nix") && !strings.HasSuffix(p, ".toml") {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			found, err := scanReferences(p, filepath.ToSlash(rel))
			refs = append(refs, found...)
			return err
		})
		if err != nil {
			return refs, err
		}
	}
	sort.SliceStable(refs, func(i, j int) bool {
		if refs[i].File != refs[j].File {
			return refs[i].File < refs[j].File
		}
		return refs[i].Line < refs[j].Line
	})
	return refs, nil
}

func scanReferences(path, rel string) ([]reference, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var refs []reference
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") || exampleRE.MatchString(line) {
			continue
		}
		add := func(name, text string, use bool) {
			refs = append(refs, reference{File: rel, Line: n, Name: name, Text: text, Use: use})
		}
		for _, m := range ageSecretRE.FindAllStringSubmatchIndex(line, -1) {
			name := line[max(m[2], m[4]):max(m[3], m[5])]
			add(name, line[m[0]:m[1]], strings.HasSuffix(line[:m[0]], "config."))
		}
		for _, m := range runAgenixRE.FindAllStringSubmatch(line, -1) {
			add(strings.TrimRight(m[1], "."), strings.TrimRight(m[0], "."), true)
		}
		for _, m := range secretFileRE.FindAllStringSubmatch(line, -1) {
			add(m[1], strings.TrimLeft(m[0], " \t=([{\"'"), false)
		}
	}
	return refs, sc.Err()
}

// checkReferences reports every reference whose secret is not listed in secrets.nix or whose .age
// file is missing, one line each, located as file:line.
func (r *Rules) checkReferences(refs []reference) []error {
	rulesRel := filepath.Base(r.Path)
	if rel, err := filepath.Rel(filepath.Dir(r.Dir), r.Path); err == nil {
		rulesRel = filepath.ToSlash(rel)
	}
	var errs []error
	for _, ref := range refs {
		e, err := r.Entry(ref.Name + ".age")
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: secret %q (%s) is not declared in %s: add %q with its recipients, then create it (secrets:rotate or secrets:new)",
				ref, ref.Name, ref.Text, rulesRel, ref.Name+".age"))
		default:
			if _, err := os.Stat(e.Path); err != nil {
				errs = append(errs, fmt.Errorf("%s: secret %q (%s) is declared in %s but %s does not exist: create it (secrets:rotate or secrets:new)",
					ref, ref.Name, ref.Text, rulesRel, e.Name))
			}
		}
	}
	return errs
}

// resticModule declares, for a host that enables it, every [[backup]] password_file of its
// host.toml that is an agenix path (/run/agenix/<name>): a declaration the scan cannot see, as
// the names come from host.toml.
const resticModule = "modules/backup/restic.nix"

// checkDeclarations reports every use of a secret (config.age.secrets.<name>, /run/agenix/<name>)
// in the files that make up a host's configuration (files: host -> paths relative to the root,
// a trailing "/" for a directory, as features.ConfigFiles gives them) that none of those files
// declares (age.secrets.<name>, or its file = ../secrets/<name>.age): agenix would not decrypt it
// there, and the service reading it fails on that host alone. One line per host and use.
func checkDeclarations(refs []reference, files map[string][]string) []error {
	hosts := make([]string, 0, len(files))
	for h := range files {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var errs []error
	for _, h := range hosts {
		applies := func(file string) bool {
			for _, f := range files[h] {
				if file == f || strings.HasSuffix(f, "/") && strings.HasPrefix(file, f) {
					return true
				}
			}
			return false
		}
		restic := applies(resticModule)
		declared := map[string]bool{}
		for _, ref := range refs {
			if applies(ref.File) && (!ref.Use || restic && strings.HasSuffix(ref.File, "/host.toml") && strings.HasPrefix(ref.Text, "/run/agenix/")) {
				declared[ref.Name] = true
			}
		}
		for _, ref := range refs {
			if ref.Use && applies(ref.File) && !declared[ref.Name] {
				errs = append(errs, fmt.Errorf("%s: host %s: secret %q (%s) is used but not declared for it: declare age.secrets.%s with file = ../../secrets/%s.age in a module the host enables",
					ref, h, ref.Name, ref.Text, ref.Name, ref.Name))
			}
		}
	}
	return errs
}

// CheckConfiguration checks what the NixOS configuration under root (its ReferenceDirs) does with
// the secrets of r: every reference is provisioned (checkReferences) and every use declared on the
// hosts whose configuration reads it (checkDeclarations, the hosts and their features from root's
// registry and hosts/). It returns how many references and hosts it checked.
func (r *Rules) CheckConfiguration(root string) (refs, hosts int, err error) {
	found, err := references(root, ReferenceDirs...)
	if err != nil {
		return 0, 0, err
	}
	if errs := r.checkReferences(found); len(errs) > 0 {
		return 0, 0, fmt.Errorf("the configuration in %s uses secrets that are not provisioned:\n%w", root, errors.Join(errs...))
	}
	reg, err := features.Load(features.RegistryPath(root))
	if err != nil {
		return 0, 0, err
	}
	hs, err := features.LoadHosts(features.HostsDir(root))
	if err != nil {
		return 0, 0, err
	}
	if errs := checkDeclarations(found, reg.ConfigFiles(hs)); len(errs) > 0 {
		return 0, 0, fmt.Errorf("hosts read secrets their configuration does not declare:\n%w", errors.Join(errs...))
	}
	return len(found), len(hs), nil
}
