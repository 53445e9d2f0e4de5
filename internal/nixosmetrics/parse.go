package nixosmetrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxLabelLen bounds strings taken from system files into label values: a mistaken or hostile
// file must not blow up series size.
const maxLabelLen = 128

// parseNixOSVersion parses a toplevel's nixos-version file, e.g. "24.05.20240601.abcdef0 (Uakari)"
// or just "24.05.20240601.abcdef0". It returns the first line, trimmed, if it is a plausible
// label value.
func parseNixOSVersion(b []byte) (string, error) {
	line, _, _ := strings.Cut(string(b), "\n")
	return labelValue(line)
}

// labelValue accepts a single trimmed line of printable UTF-8 up to maxLabelLen bytes.
func labelValue(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("empty")
	case len(s) > maxLabelLen:
		return "", fmt.Errorf("longer than %d bytes", maxLabelLen)
	case !utf8.ValidString(s):
		return "", errors.New("not UTF-8")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("non-printable character %U", r)
		}
	}
	return s, nil
}

// versionInfo is the JSON `nixos-version --json` prints.
type versionInfo struct {
	NixOSVersion          string `json:"nixosVersion"`
	NixpkgsRevision       string `json:"nixpkgsRevision"`
	ConfigurationRevision string `json:"configurationRevision"`
}

// parseVersionJSON parses `nixos-version --json` output and validates its strings as label values
// (empty fields are allowed: configurationRevision is only set by flake builds).
func parseVersionJSON(b []byte) (versionInfo, error) {
	var v versionInfo
	if err := json.Unmarshal(b, &v); err != nil {
		return versionInfo{}, fmt.Errorf("nixos-version json: %w", err)
	}
	for name, p := range map[string]*string{"nixosVersion": &v.NixOSVersion, "nixpkgsRevision": &v.NixpkgsRevision, "configurationRevision": &v.ConfigurationRevision} {
		if *p == "" {
			continue
		}
		s, err := labelValue(*p)
		if err != nil {
			return versionInfo{}, fmt.Errorf("nixos-version json: %s: %w", name, err)
		}
		*p = s
	}
	return v, nil
}

// flakeLock is the part of a flake.lock (lock file version 5 to 7) needed to date the inputs.
type flakeLock struct {
	Version int                  `json:"version"`
	Root    string               `json:"root"`
	Nodes   map[string]flakeNode `json:"nodes"`
}

type flakeNode struct {
	// Inputs maps an input name to a node key (string) or a "follows" path (array of names).
	Inputs map[string]json.RawMessage `json:"inputs"`
	Locked *struct {
		LastModified int64 `json:"lastModified"`
	} `json:"locked"`
}

// maxFollows bounds the resolution steps of one input so a cyclic or deeply nested lock file
// cannot loop or blow up (a follows path may branch into further follows paths).
const maxFollows = 256

// parseFlakeLock returns the lastModified time of each direct input of the root flake. Inputs
// that follow another input resolve through the follows path; inputs without lastModified (e.g.
// path inputs) are left out.
func parseFlakeLock(b []byte) (map[string]time.Time, error) {
	var lock flakeLock
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, fmt.Errorf("flake.lock: %w", err)
	}
	if lock.Version < 5 || lock.Version > 7 {
		return nil, fmt.Errorf("flake.lock: unsupported version %d", lock.Version)
	}
	if lock.Root == "" {
		lock.Root = "root"
	}
	root, ok := lock.Nodes[lock.Root]
	if !ok {
		return nil, fmt.Errorf("flake.lock: root node %q missing", lock.Root)
	}
	out := make(map[string]time.Time)
	for name, ref := range root.Inputs {
		if _, err := labelValue(name); err != nil {
			return nil, fmt.Errorf("flake.lock: input name: %w", err)
		}
		budget := maxFollows
		key, err := lock.nodeKey(ref, &budget)
		if err != nil {
			return nil, fmt.Errorf("flake.lock: input %s: %w", name, err)
		}
		n := lock.Nodes[key]
		if n.Locked == nil || n.Locked.LastModified <= 0 {
			continue
		}
		out[name] = time.Unix(n.Locked.LastModified, 0).UTC()
	}
	return out, nil
}

// nodeKey resolves an input reference: a node key, or a follows path starting at the root.
func (l *flakeLock) nodeKey(ref json.RawMessage, budget *int) (string, error) {
	if *budget--; *budget < 0 {
		return "", errors.New("follows chain too long")
	}
	var key string
	if err := json.Unmarshal(ref, &key); err == nil {
		if _, ok := l.Nodes[key]; !ok {
			return "", fmt.Errorf("node %q missing", key)
		}
		return key, nil
	}
	var path []string
	if err := json.Unmarshal(ref, &path); err != nil {
		return "", errors.New("input is neither a node key nor a follows path")
	}
	cur := l.Root
	for _, step := range path {
		next, ok := l.Nodes[cur].Inputs[step]
		if !ok {
			return "", fmt.Errorf("follows %v: no input %q", path, step)
		}
		k, err := l.nodeKey(next, budget)
		if err != nil {
			return "", err
		}
		cur = k
	}
	return cur, nil
}

// storeName strips the /nix/store/<hash>- prefix: "/nix/store/abc-linux-6.6.30/bzImage" gives
// "linux-6.6.30".
func storeName(storeDir, p string) string {
	rest, ok := strings.CutPrefix(p, storeDir+"/")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "/")
	_, name, ok := strings.Cut(rest, "-")
	if !ok {
		return ""
	}
	return name
}

// kernelVersionFromName takes the version out of a kernel derivation name such as
// "linux-6.6.30" or "linux_zen-6.9.1-zen1": the part after the last "-" that starts with a digit.
func kernelVersionFromName(name string) string {
	parts := strings.Split(name, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" && parts[i][0] >= '0' && parts[i][0] <= '9' {
			return strings.Join(parts[i:], "-")
		}
	}
	return ""
}
