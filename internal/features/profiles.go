package features

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ProfilesHeading opens the table of documented profiles in docs/features.md: feature sets no
// host of this fleet uses yet, kept valid (resolved like a host) so that every feature in the
// registry is either on a host or in a profile someone can copy into a host.toml.
const ProfilesHeading = "## Documented profiles"

// ProfilesPath is the document holding the profiles table.
func ProfilesPath(root string) string { return filepath.Join(root, "docs", "features.md") }

var profileFeatureRe = regexp.MustCompile("`([a-z0-9][a-z0-9-]*)`")

// LoadProfiles reads the table under ProfilesHeading: | profile | class | hardware | features |,
// features as `name`s. Each profile becomes a Host named "profile <name>".
func LoadProfiles(path string) ([]Host, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("documented profiles: %w", err)
	}
	var hosts []Host
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == ProfilesHeading:
			in = true
			continue
		case !in:
			continue
		case strings.HasPrefix(text, "#"):
			in = false
			continue
		case !strings.HasPrefix(text, "|"):
			continue
		}
		cells := strings.Split(strings.Trim(text, "|"), "|")
		if len(cells) != 4 {
			return nil, fmt.Errorf("%s:%d: profile row has %d cells, want 4 (profile | class | hardware | features)", path, line, len(cells))
		}
		name := strings.Trim(strings.TrimSpace(cells[0]), "`")
		if name == "profile" || strings.HasPrefix(name, "---") {
			continue
		}
		h := Host{Name: "profile " + name, Class: strings.TrimSpace(cells[1]), Hardware: strings.Trim(strings.TrimSpace(cells[2]), "`")}
		for _, m := range profileFeatureRe.FindAllStringSubmatch(cells[3], -1) {
			h.Features = append(h.Features, m[1])
		}
		if len(h.Features) == 0 {
			return nil, fmt.Errorf("%s:%d: profile %q lists no `feature`", path, line, name)
		}
		hosts = append(hosts, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("documented profiles: %s: %w", path, err)
	}
	return hosts, nil
}

// CheckUsed reports every feature that no host and no documented profile (read from
// profilesFile) enables, after requirements and defaults, and the profiles' own resolution errors.
func (r *Registry) CheckUsed(hosts, profiles []Host, profilesFile string) []error {
	var errs []error
	used := map[string]bool{}
	for _, h := range hosts {
		for _, n := range r.Resolve(h).Enabled {
			used[n] = true
		}
	}
	for _, p := range profiles {
		res := r.Resolve(p)
		for _, e := range res.Errors {
			errs = append(errs, fmt.Errorf("%s: %s", profilesFile, e))
		}
		for _, n := range res.Enabled {
			used[n] = true
		}
	}
	for _, n := range r.Names() {
		if !used[n] {
			errs = append(errs, fmt.Errorf("%s: feature %q is enabled by no host and no documented profile (list it in a host.toml or in the %q table of %s)", r.File, n, strings.TrimPrefix(ProfilesHeading, "## "), profilesFile))
		}
	}
	return slices.Clip(errs)
}
