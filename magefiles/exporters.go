//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"
	"github.com/nixos-hub/hub/internal/monitoring"
)

// Exporters builds and runs the hub's Prometheus exporters (exporters/<name>).
type Exporters mg.Namespace

// exporterArchs are the fleet's architectures.
var exporterArchs = []string{"amd64", "arm64"}

// Build compiles every exporter statically (CGO_ENABLED=0) for linux/amd64 and linux/arm64 into
// .hub/bin/<os>_<arch>/hub-<name>-exporter.
func (Exporters) Build(ctx context.Context) error {
	dirs, err := filepath.Glob("exporters/*/main.go")
	if err != nil {
		return err
	}
	for _, main := range dirs {
		name := filepath.Base(filepath.Dir(main))
		for _, arch := range exporterArchs {
			out := filepath.Join(".hub", "bin", "linux_"+arch, "hub-"+name+"-exporter")
			env := map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": arch}
			if err := sh.RunWith(env, "go", "build", "-trimpath", "-o", out, "./exporters/"+name); err != nil {
				return fmt.Errorf("build %s for %s: %w", name, arch, err)
			}
			fmt.Println(out)
		}
	}
	return nil
}

// Run runs one exporter (nixos, baseline, media) from source on loopback with its default flags;
// extra space-separated arguments are passed through, e.g. `exporters:run baseline "--baseline.state-dir=/tmp/b"`.
func (Exporters) Run(ctx context.Context, name, args string) error {
	if _, err := os.Stat(filepath.Join("exporters", name, "main.go")); err != nil {
		return fmt.Errorf("no exporter %q under exporters/", name)
	}
	cmd := []string{"run", "./exporters/" + name}
	// The exporter's job is its name (internal/monitoring's table has the port).
	if i := slices.IndexFunc(monitoring.Exporters(), func(e monitoring.Exporter) bool { return e.Job == name }); i >= 0 {
		cmd = append(cmd, "--web.listen-address=127.0.0.1:"+strconv.Itoa(monitoring.Exporters()[i].Port))
	}
	cmd = append(cmd, strings.Fields(args)...)
	return sh.RunV("go", cmd...)
}
