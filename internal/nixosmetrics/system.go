// Package nixosmetrics reads the state of a NixOS system (generations, the running, booted and
// profile systems, reboot-required, Nix store sizes) from its filesystem, under a configurable
// root so tests and rescue mounts can point it elsewhere, and exports it as Prometheus metrics.
//
// Entry points: [NewSystemCollector], [NewMicroVMCollector] and [NewStoreCollector] (over a
// [StoreScanner]), each reading through an [FS].
package nixosmetrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Well-known logical paths on a NixOS system.
const (
	storeDir       = "/nix/store"
	profilesDir    = "/nix/var/nix/profiles"
	currentSystem  = "/run/current-system"
	bootedSystem   = "/run/booted-system"
	profileName    = "system"
	maxLinkHops    = 40
	maxSmallFile   = 64 << 10
	flakeLockPath  = "etc/hub/flake.lock"
	versionJSON    = "etc/hub/nixos-version.json"
	configRevision = "configuration-revision"
)

// rebootComponents are the toplevel entries whose change only a reboot brings into effect: those
// system.autoUpgrade.allowReboot compares (kernel, initrd, kernel-modules) and the kernel command
// line, which the bootloader passes at boot only. systemd is not one: switch-to-configuration
// re-executes PID 1 into the new systemd.
var rebootComponents = []string{"kernel", "initrd", "kernel-modules", kernelParams}

// kernelParams is a regular file in the toplevel (its content is boot.kernelParams), compared by
// content; the other components are symlinks, compared by their resolved targets.
const kernelParams = "kernel-params"

// FS maps the logical paths of a NixOS system onto a directory of the host. Symlinks are followed
// with chroot semantics: an absolute target is taken relative to Root. The store directory itself
// is the one exception and is used as found, so a test root may make <root>/nix/store a symlink
// to the host's real store.
type FS struct {
	Root string
}

func (f FS) host(logical string) string { return filepath.Join(f.Root, filepath.FromSlash(logical)) }

// errDangling marks a path whose symlink chain ends at something that does not exist.
var errDangling = errors.New("dangling")

// resolve follows every symlink in logical and returns the final logical path. If the chain ends
// at a missing file it returns the path it reached together with an error wrapping errDangling,
// which is how a garbage-collected booted system looks.
func (f FS) resolve(logical string) (string, error) {
	pending := splitPath(logical)
	cur := "/"
	for hops := 0; len(pending) > 0; {
		comp := pending[0]
		pending = pending[1:]
		if comp == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, comp)
		if next == storeDir {
			cur = next
			continue
		}
		fi, err := os.Lstat(f.host(next))
		if errors.Is(err, fs.ErrNotExist) {
			rest := path.Join(append([]string{next}, pending...)...)
			return rest, fmt.Errorf("%s: %w", rest, errDangling)
		}
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", logical, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", fmt.Errorf("resolve %s: too many symlinks", logical)
		}
		target, err := os.Readlink(f.host(next))
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", logical, err)
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		pending = append(splitPath(target), pending...)
	}
	return cur, nil
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// readSmall reads a file of at most maxSmallFile bytes at a logical path, following symlinks
// inside the root.
func (f FS) readSmall(logical string) ([]byte, error) {
	p, err := f.resolve(logical)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(f.host(p))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", logical, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSmallFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", logical, err)
	}
	if len(b) > maxSmallFile {
		return nil, fmt.Errorf("read %s: larger than %d bytes", logical, maxSmallFile)
	}
	return b, nil
}

// system describes one NixOS toplevel as seen through a role's link.
type system struct {
	Role                  string
	StorePath             string // the resolved toplevel
	Present               bool   // false when the toplevel has been garbage collected
	LinkModTime           time.Time
	NixOSVersion          string
	KernelVersion         string
	ConfigurationRevision string
	// Components maps each rebootComponents entry to its resolved target (kernel-params: the
	// file's content).
	Components      map[string]string
	Specialisations map[string]string // name -> resolved toplevel
	FlakeInputs     map[string]time.Time
	// Problems lists metadata that could not be read; they do not make the system unusable.
	Problems []error
}

// generation is one system-N-link of the system profile.
type generation struct {
	Number    int
	StorePath string
	Created   time.Time // the link's own mtime: when nix-env created the generation
}

// state is everything the system collector exports, read in one pass.
type state struct {
	Generations       []generation // ascending by number
	ProfileGeneration int          // 0 when the profile link is missing
	Profile           *system
	Current           *system
	Booted            *system
	// CurrentGeneration is the generation the running system belongs to, directly or as one of
	// its specialisations; 0 after `switch-to-configuration test` of an unbuilt-into-profile system.
	CurrentGeneration     int
	CurrentSpecialisation string
	// RebootRequired is keyed by rebootComponents: whether the component differs between the
	// booted system and the profile, the system the next boot starts. It is nil when either is
	// unknown. Comparing with the profile rather than the running system, as
	// system.autoUpgrade.allowReboot does, makes a `boot` deploy count, and a `test` activation
	// (which a reboot undoes) not.
	RebootRequired map[string]bool
	// RebootUnknown is set when the booted system was garbage collected and differs from the
	// profile, so what changed cannot be told.
	RebootUnknown bool
	// LastSwitch is when the running system was put in place, zero when nothing is running.
	LastSwitch time.Time
}

// readState reads the state under f.Root. Only an unreadable profiles directory is an error; a
// missing or dangling role link is reported as an absent System.
func (f FS) readState(ctx context.Context) (*state, error) {
	st := &state{}
	gens, err := f.generations()
	if err != nil {
		return nil, err
	}
	st.Generations = gens
	if target, err := os.Readlink(f.host(path.Join(profilesDir, profileName))); err == nil {
		st.ProfileGeneration = generationNumber(path.Base(target))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	st.Profile = f.readSystem("profile", path.Join(profilesDir, profileName))
	st.Current = f.readSystem("current", currentSystem)
	st.Booted = f.readSystem("booted", bootedSystem)

	if st.Current != nil {
		st.CurrentGeneration, st.CurrentSpecialisation = f.locate(st.Current.StorePath, gens)
	}
	if st.Profile != nil && st.Profile.Present && st.Booted != nil {
		if st.Booted.Present {
			next := st.Profile.Components
			// Booted into a specialisation's boot entry, the next boot of that entry is the
			// profile's specialisation of the same name, which may have a kernel or kernel
			// parameters of its own.
			if _, spec := f.locate(st.Booted.StorePath, gens); spec != "" {
				if top, ok := st.Profile.Specialisations[spec]; ok {
					next = f.components(top)
				}
			}
			st.RebootRequired = make(map[string]bool, len(rebootComponents))
			for _, c := range rebootComponents {
				st.RebootRequired[c] = st.Booted.Components[c] != next[c]
			}
		} else {
			st.RebootUnknown = st.Booted.StorePath != st.Profile.StorePath
		}
	}
	st.LastSwitch = lastSwitch(st)
	return st, nil
}

// lastSwitch dates the running system's deploy. The activation script relinks
// /run/current-system at every boot too, so the link's mtime is the last switch only while the
// running system differs from the booted one (a switch or test after the boot). Running what it
// booted, the deploy is when its profile generation was created (nix-env --set made the
// system-N-link), which a boot does not touch; a system that is no generation (any more) keeps
// the link's time.
func lastSwitch(st *state) time.Time {
	cur := st.Current
	if cur == nil {
		return time.Time{}
	}
	if st.Booted != nil && st.Booted.StorePath == cur.StorePath && st.CurrentGeneration > 0 {
		for _, g := range st.Generations {
			if g.Number == st.CurrentGeneration {
				return g.Created
			}
		}
	}
	return cur.LinkModTime
}

// generations lists system-N-link entries, newest last.
func (f FS) generations() ([]generation, error) {
	entries, err := os.ReadDir(f.host(profilesDir))
	if err != nil {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	var gens []generation
	for _, e := range entries {
		n := generationNumber(e.Name())
		if n == 0 {
			continue
		}
		logical := path.Join(profilesDir, e.Name())
		fi, err := os.Lstat(f.host(logical))
		if err != nil {
			continue // removed by nix-collect-garbage between ReadDir and Lstat
		}
		target, _ := f.resolve(logical)
		gens = append(gens, generation{Number: n, StorePath: target, Created: fi.ModTime()})
	}
	slices.SortFunc(gens, func(a, b generation) int { return a.Number - b.Number })
	return gens, nil
}

// generationNumber parses "system-42-link"; 0 means not a generation link.
func generationNumber(name string) int {
	rest, ok := strings.CutPrefix(name, profileName+"-")
	if !ok {
		return 0
	}
	num, ok := strings.CutSuffix(rest, "-link")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// locate finds the generation a toplevel belongs to, newest first, as itself or as a
// specialisation of it.
func (f FS) locate(storePath string, gens []generation) (int, string) {
	for i := len(gens) - 1; i >= 0; i-- {
		if gens[i].StorePath == storePath {
			return gens[i].Number, ""
		}
	}
	for i := len(gens) - 1; i >= 0; i-- {
		for name, sp := range f.specialisations(gens[i].StorePath) {
			if sp == storePath {
				return gens[i].Number, name
			}
		}
	}
	return 0, ""
}

func (f FS) specialisations(top string) map[string]string {
	entries, err := os.ReadDir(f.host(path.Join(top, "specialisation")))
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		if target, err := f.resolve(path.Join(top, "specialisation", e.Name())); err == nil {
			out[e.Name()] = target
		}
	}
	return out
}

// readSystem follows a role link; nil means the link does not exist at all.
func (f FS) readSystem(role, link string) *system {
	fi, err := os.Lstat(f.host(link))
	if err != nil {
		return nil
	}
	s := &system{Role: role, LinkModTime: fi.ModTime(), Components: map[string]string{}}
	top, err := f.resolve(link)
	s.StorePath = top
	if err != nil {
		if !errors.Is(err, errDangling) {
			s.StorePath = ""
		}
		s.Problems = append(s.Problems, err)
		return s
	}
	s.Present = true
	s.Components = f.components(top)
	if b, err := f.readSmall(path.Join(top, "nixos-version")); err == nil {
		if v, err := parseNixOSVersion(b); err == nil {
			s.NixOSVersion = v
		} else {
			s.Problems = append(s.Problems, fmt.Errorf("%s/nixos-version: %w", top, err))
		}
	}
	s.KernelVersion = f.kernelVersion(s)
	s.ConfigurationRevision = f.configurationRevision(s)
	s.Specialisations = f.specialisations(top)
	if b, err := f.readSmall(path.Join(top, flakeLockPath)); err == nil {
		if inputs, err := parseFlakeLock(b); err == nil {
			s.FlakeInputs = inputs
		} else {
			s.Problems = append(s.Problems, err)
		}
	}
	return s
}

// components reads a toplevel's rebootComponents: symlinks resolved, kernel-params by content.
func (f FS) components(top string) map[string]string {
	out := make(map[string]string, len(rebootComponents))
	for _, c := range rebootComponents {
		if c == kernelParams {
			if b, err := f.readSmall(path.Join(top, c)); err == nil {
				out[c] = strings.TrimSpace(string(b))
			}
			continue
		}
		if target, err := f.resolve(path.Join(top, c)); err == nil {
			out[c] = target
		}
	}
	return out
}

// kernelVersion prefers the module directory name, which is what `uname -r` reports, and falls
// back to the version in the kernel derivation's name.
func (f FS) kernelVersion(s *system) string {
	if mods, ok := s.Components["kernel-modules"]; ok {
		entries, err := os.ReadDir(f.host(path.Join(mods, "lib", "modules")))
		if err == nil {
			for _, e := range entries {
				if v, err := labelValue(e.Name()); err == nil && e.IsDir() {
					return v
				}
			}
		}
	}
	if k, ok := s.Components["kernel"]; ok {
		if v, err := labelValue(kernelVersionFromName(storeName(storeDir, k))); err == nil {
			return v
		}
	}
	return ""
}

func (f FS) configurationRevision(s *system) string {
	if b, err := f.readSmall(path.Join(s.StorePath, configRevision)); err == nil {
		if v, err := labelValue(string(b)); err == nil {
			return v
		}
	}
	if b, err := f.readSmall(path.Join(s.StorePath, versionJSON)); err == nil {
		if v, err := parseVersionJSON(b); err == nil {
			return v.ConfigurationRevision
		} else {
			s.Problems = append(s.Problems, err)
		}
	}
	return ""
}
