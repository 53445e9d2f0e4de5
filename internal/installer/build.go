package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// attr is the flake attribute of a host's installer (see nix/installer.nix).
func attr(system, host string) string { return "packages." + system + ".installer-" + host }

// Image is a built installer.
type Image struct {
	Host      string
	StorePath string
	Path      string // the image file inside StorePath
	Size      int64
	SHA256    string
	Link      string // the GC root under the installers directory
	DryRun    bool   // nothing was built: only the command was printed
}

// demoFlake is the repository's offline installer flake: builtins-only images with the real
// wizard, which build with the local fleet's nix settings (internal/nix Local) on any machine.
const demoFlake = "nix/installer-demo"

// Settings are the nix settings an installer build of flake takes: the offline demo flake's
// builtins-only images build like the local fleet's systems (nix.Local), anything else with the
// fleet's own (binary caches, sandbox and build users as the machine has them).
func Settings(flake string, fleet nix.Settings) nix.Settings {
	a, err := filepath.Abs(strings.TrimPrefix(flake, "path:"))
	demo, derr := filepath.Abs(demoFlake)
	if err == nil && derr == nil && a == demo {
		return nix.Local()
	}
	return fleet
}

// BuildOptions say what iso:build builds.
type BuildOptions struct {
	Flake  string // flake reference holding the installers
	Host   string
	System string       // e.g. x86_64-linux
	Dir    string       // GC roots of built installers, one link per host (iso:list, iso:clean)
	Nix    nix.Settings // the build's nix settings (Settings chooses them)
}

// Build builds a host's installer with nix, keeps it as a GC root in Dir and hashes it.
func Build(ctx context.Context, local *command.Host, o BuildOptions) (Image, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return Image{}, fmt.Errorf("installer %s: %w", o.Host, err)
	}
	link := filepath.Join(o.Dir, o.Host)
	n := nix.On(local, o.Nix)
	res, err := n.Run(ctx, n.Cmd("nix", []string{"build"}, "--json", "--out-link", link, o.Flake+"#"+attr(o.System, o.Host)))
	if err != nil {
		return Image{}, fmt.Errorf("installer %s: nix build: %w", o.Host, err)
	}
	if res.DryRun {
		return Image{Host: o.Host, Link: link, DryRun: true}, nil
	}
	var built []struct {
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(res.Stdout, &built); err != nil || len(built) != 1 || built[0].Outputs["out"] == "" {
		return Image{}, fmt.Errorf("installer %s: unexpected nix build output %q", o.Host, res.Stdout)
	}
	return inspect(ctx, o.Host, link)
}

// inspect finds the image behind a GC root: the one *.iso under iso/, as the NixOS installer lays
// it out, or the output itself when it is a file.
func inspect(ctx context.Context, host, link string) (Image, error) {
	store, err := filepath.EvalSymlinks(link)
	if err != nil {
		return Image{}, fmt.Errorf("installer %s: %w", host, err)
	}
	img := Image{Host: host, StorePath: store, Link: link, Path: store}
	if st, err := os.Stat(store); err == nil && st.IsDir() {
		isos, _ := filepath.Glob(filepath.Join(store, "iso", "*.iso"))
		if len(isos) != 1 {
			return Image{}, fmt.Errorf("installer %s: %s holds %d images under iso/, want exactly one", host, store, len(isos))
		}
		img.Path = isos[0]
	}
	sum, err := FileSHA256(ctx, img.Path)
	if err != nil {
		return Image{}, fmt.Errorf("installer %s: %w", host, err)
	}
	img.Size, img.SHA256 = sum.Bytes, sum.SHA256
	return img, nil
}

// List describes the installers built into dir.
func List(ctx context.Context, dir string) ([]Image, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("installers: %w", err)
	}
	var imgs []Image
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		img, err := inspect(ctx, e.Name(), filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	sort.Slice(imgs, func(i, j int) bool { return imgs[i].Host < imgs[j].Host })
	return imgs, nil
}

// WriteList prints the installers as a table.
func WriteList(w io.Writer, imgs []Image) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSIZE\tSHA256\tIMAGE")
	for _, i := range imgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i.Host, sizeHuman(i.Size), i.SHA256[:16], i.Path)
	}
	return tw.Flush()
}

// Clean removes the installers' GC roots from dir, so the next garbage collection frees them,
// and returns the hosts whose installer was dropped.
func Clean(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("installers: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return removed, fmt.Errorf("installers: %w", err)
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}
