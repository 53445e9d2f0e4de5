package inventory

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestRender(t *testing.T) {
	f, err := Load("testdata/fleet")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range f.Hosts {
		h.File = strings.TrimPrefix(h.File, f.Dir+"/") // stable across checkouts
	}
	var b bytes.Buffer
	if err := WriteTable(&b, f.Hosts); err != nil {
		t.Fatal(err)
	}
	golden(t, "list.txt", b.Bytes())
	b.Reset()
	h, _ := f.Host("web")
	if err := WriteHost(&b, h); err != nil {
		t.Fatal(err)
	}
	golden(t, "show-web.txt", b.Bytes())
	b.Reset()
	if err := WriteJSON(&b, f.Hosts); err != nil {
		t.Fatal(err)
	}
	golden(t, "list.json", b.Bytes())
}

// TestRepositoryInventory loads the repository's own hosts/ so a broken host.toml fails the tests.
func TestRepositoryInventory(t *testing.T) {
	f, err := Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	// The six of the fleet, and any host added since (hosts:new) beside them.
	for _, want := range []string{"dex5550", "hp", "p510", "p620", "razer", "samsung"} {
		if _, ok := f.Host(want); !ok {
			t.Errorf("hosts = %s: %s is missing", strings.Join(f.Names(), " "), want)
		}
	}
}
