package secrets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SetKey changes exactly the host's binding and keeps every other byte (comments, layout);
// anything it cannot edit unambiguously is an error that leaves the file as it was.
func TestSetKey(t *testing.T) {
	const oldKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILIlYi5uxf9yGnahKs8CtfVMBdti8quggkHWixg566B9"
	const newKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGoLYdi4GcTRmNrFI7xD/30oQi85mzMhI01nfaMaorGg"
	src := "# keys\nlet\n  p510 = \"" + oldKey + "\"; # lab\n  p5100 = \"" + oldKey + "\";\n  admin = \"age1x\";\nin { }\n"
	for _, tc := range []struct {
		name, src, host, key string
		want, wantErr        string
	}{
		{"replaced", src, "p510", newKey + " root@p510", strings.Replace(src, "p510 = \""+oldKey, "p510 = \""+newKey, 1), ""},
		{"no binding", src, "razer", newKey, "", "0 one-line bindings razer"},
		{"twice", src + "  p510 = \"x\";\n", "p510", newKey, "", "2 one-line bindings p510"},
		{"not a key", src, "p510", "ssh-ed25519 garbage", "", "key for p510"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secrets.nix")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			err := SetKey(path, tc.host, tc.key)
			got, _ := os.ReadFile(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || string(got) != tc.src {
					t.Fatalf("err = %v (file changed: %v), want %q", err, string(got) != tc.src, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("SetKey: %v\ngot  %q\nwant %q", err, got, tc.want)
			}
		})
	}
}
