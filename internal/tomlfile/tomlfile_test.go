package tomlfile

import (
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	type conf struct {
		Name    string `toml:"name"`
		Timeout *Duration
		Deploy  struct {
			Keep int `toml:"keep"`
		} `toml:"deploy"`
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"ok", "name = \"a\"\nTimeout = \"2m\"\n[deploy]\nkeep = 3\n", nil},
		{"unknown keys at their lines", "name = \"a\"\nnmae = \"b\"\n[deploy]\nkepe = 3\n",
			[]string{"f.toml:2: nmae: unknown key", "f.toml:4: deploy.kepe: unknown key"}},
		{"a syntax error is the one error", "name = \n", []string{"f.toml:1: name: expected value but found '\\n' instead"}},
		{"a type error", "[deploy]\nkeep = \"3\"\n", []string{"f.toml:2: deploy.keep: incompatible types: TOML value has type string; destination has type integer"}},
		{"a bad duration", "Timeout = \"soon\"\n", []string{`f.toml:1: Timeout: not a duration: "soon" (use e.g. "30s", "2m")`}},
		{"a zero duration", "Timeout = \"0s\"\n", []string{`f.toml:1: Timeout: duration must be positive, got "0s"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c conf
			errs := Decode("f.toml", []byte(tt.src), &c)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("error %d = %s\nwant      %s", i, got[i], tt.want[i])
				}
			}
			if tt.want == nil && (c.Timeout == nil || c.Timeout.Duration != 2*time.Minute || c.Deploy.Keep != 3) {
				t.Errorf("decoded %+v", c)
			}
		})
	}
}

func TestKeyLine(t *testing.T) {
	data := []byte("a = 1\n[x]\nb = 2\n[\"y\".z]\n\"c\" = 3\n[\"db.age\"]\ncolour = 1\n")
	for _, tt := range []struct {
		key  []string
		want int
	}{{[]string{"a"}, 1}, {[]string{"x", "b"}, 3}, {[]string{"y", "z", "c"}, 5}, {[]string{"x", "a"}, 0},
		{[]string{"db.age", "colour"}, 7}} {
		if got := KeyLine(data, tt.key); got != tt.want {
			t.Errorf("KeyLine(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}
