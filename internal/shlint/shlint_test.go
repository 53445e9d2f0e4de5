package shlint

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

func TestCheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed (go tool mage test:parallel installs it)")
	}
	tests := []struct {
		name, file, src string
		want            []string // lines of the findings, "" for a clean script
	}{
		{"clean", "ok.sh", "#!/bin/sh\nset -eu\nx=$1\necho \"$x\"\n", nil},
		{"a bashism in a script sh runs", "lib/bash.sh", "# shellcheck shell=sh\nif [[ -e /etc ]]; then echo yes; fi\n",
			[]string{"lib/bash.sh:2:4: warning: In POSIX sh, [[ ]] is undefined. [SC3010]"}},
		{"a template's @fields@ are filled in by nix", "tpl.sh", "#!/bin/sh\nsystemConfig=@out@\n[ \"@delay@\" != 0 ] && sleep @delay@\necho \"$systemConfig\"\n", nil},
		{"but its own variables are not", "tpl2.sh", "#!/bin/sh\necho \"@out@ $missing\"\n",
			[]string{"tpl2.sh:2:13: warning: missing is referenced but not assigned. [SC2154]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, tt.file)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(tt.src), 0o644)
			os.MkdirAll(filepath.Join(root, "testdata"), 0o755)
			os.WriteFile(filepath.Join(root, "testdata", "broken.sh"), []byte("if [[ x"), 0o644) // not shipped: skipped
			var out bytes.Buffer
			n, err := Check(context.Background(), (&command.Executor{}).Local(), root, &out)
			if n != 1 {
				t.Errorf("checked %d files, want 1 (testdata is not shipped)", n)
			}
			got := strings.Fields(strings.ReplaceAll(strings.TrimSpace(out.String()), " ", "\x00"))
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], "\x00", " ")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", out.String(), strings.Join(tt.want, "\n"))
			}
			if (err != nil) != (len(tt.want) > 0) {
				t.Errorf("err = %v with %d findings", err, len(tt.want))
			}
		})
	}
}

// The repository's own scripts are clean.
func TestRepositoryScripts(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed (go tool mage test:parallel installs it)")
	}
	var out bytes.Buffer
	n, err := Check(context.Background(), (&command.Executor{}).Local(), "../..", &out)
	if err != nil || n < 5 {
		t.Fatalf("%d scripts: %v\n%s", n, err, out.String())
	}
}
