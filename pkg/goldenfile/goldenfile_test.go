package goldenfile

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of failing the real test.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.failed = true; r.msg = f }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = true; r.msg = f }
func (r *recorder) Fatal(a ...any)            { r.failed = true }

func TestCheck(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.golden")
	os.WriteFile(p, []byte("same\n"), 0o644)
	tests := []struct {
		name   string
		path   string
		got    string
		failed bool
	}{
		{"equal", p, "same\n", false},
		{"different", p, "other\n", true},
		{"missing file", p + ".absent", "x", true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		Check(r, tt.path, []byte(tt.got))
		if r.failed != tt.failed {
			t.Errorf("%s: failed = %v (%s), want %v", tt.name, r.failed, r.msg, tt.failed)
		}
	}
}
