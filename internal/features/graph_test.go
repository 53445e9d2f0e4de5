package features

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name), got)
}

func TestGraph(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ format, golden string }{
		{FormatDOT, "graph.dot"},
		{FormatMermaid, "graph.mmd"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.WriteGraph(&b, tt.format); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, b.Bytes())
		})
	}
	err = r.WriteGraph(&bytes.Buffer{}, "png")
	if want := `features graph: unknown format "png" (want "dot" or "mermaid")`; err == nil || err.Error() != want {
		t.Errorf("WriteGraph(png) error = %v, want %q", err, want)
	}
}

func TestGraphRendering(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		render func(*bytes.Buffer) error
		golden string
	}{
		{"list", func(b *bytes.Buffer) error { return r.WriteList(b, nil) }, "list.txt"},
		{"resolution", func(b *bytes.Buffer) error {
			return WriteResolution(b, "clash", r.Resolve(resolveCases[2].host))
		}, "resolution.txt"},
		{"info", func(b *bytes.Buffer) error {
			info, err := r.Show("shell", []Host{resolveCases[0].host, resolveCases[2].host})
			if err != nil {
				return err
			}
			return WriteInfo(b, info)
		}, "info.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, b.Bytes())
		})
	}
}

// The repository's graph must mention every feature once as a node in both formats.
func TestGraphRepository(t *testing.T) {
	r, err := Load(RegistryPath(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	var dot, mmd bytes.Buffer
	if err := r.WriteGraph(&dot, FormatDOT); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteGraph(&mmd, FormatMermaid); err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Names() {
		if c := strings.Count(dot.String(), "    \""+n+"\""); c != 1 {
			t.Errorf("DOT declares %s %d times", n, c)
		}
		if c := strings.Count(mmd.String(), "    "+mermaidID(n)+"[\""+n+"\"]"); c != 1 {
			t.Errorf("Mermaid declares %s %d times", n, c)
		}
	}
}
