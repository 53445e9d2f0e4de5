package nixosmetrics

import (
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseNixOSVersion(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{"24.05.20240601.abcdef0 (Uakari)", "24.05.20240601.abcdef0 (Uakari)", false},
		{"24.11pre-git\n", "24.11pre-git", false},
		{"  23.11.1234.deadbee  \nsecond line", "23.11.1234.deadbee", false},
		{"", "", true},
		{"\n", "", true},
		{"bad\x00version", "", true},
		{"\xff\xfe", "", true},
		{string(make([]byte, 200)), "", true},
	} {
		got, err := parseNixOSVersion([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseNixOSVersion(%q) = %q, %v; want %q, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseVersionJSON(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    versionInfo
		wantErr bool
	}{
		{`{"nixosVersion":"24.05.1","nixpkgsRevision":"abc","configurationRevision":"0123"}`, versionInfo{"24.05.1", "abc", "0123"}, false},
		{`{"nixosVersion":"24.05.1"}`, versionInfo{NixOSVersion: "24.05.1"}, false},
		{`{"configurationRevision":"a\u0000b"}`, versionInfo{}, true},
		{`{"nixosVersion":`, versionInfo{}, true},
		{`[]`, versionInfo{}, true},
	} {
		got, err := parseVersionJSON([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseVersionJSON(%s) = %+v, %v; want %+v, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseFlakeLock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    map[string]int64
		wantErr bool
	}{
		{"direct and follows", `{"version":7,"root":"root","nodes":{
			"root":{"inputs":{"nixpkgs":"nixpkgs","hm":"hm","hm-np":["hm","nixpkgs"],"local":"local"}},
			"nixpkgs":{"locked":{"lastModified":1717200000}},
			"hm":{"inputs":{"nixpkgs":["nixpkgs"]},"locked":{"lastModified":1717000000}},
			"local":{"locked":{"type":"path"}}}}`,
			map[string]int64{"nixpkgs": 1717200000, "hm": 1717000000, "hm-np": 1717200000}, false},
		{"root defaults to root", `{"version":5,"nodes":{"root":{"inputs":{"a":"a"}},"a":{"locked":{"lastModified":5}}}}`, map[string]int64{"a": 5}, false},
		{"no inputs", `{"version":7,"root":"root","nodes":{"root":{}}}`, map[string]int64{}, false},
		{"unsupported version", `{"version":3,"root":"root","nodes":{"root":{}}}`, nil, true},
		{"missing root", `{"version":7,"root":"r","nodes":{}}`, nil, true},
		{"dangling node", `{"version":7,"nodes":{"root":{"inputs":{"a":"nope"}}}}`, nil, true},
		{"follows cycle", `{"version":7,"nodes":{"root":{"inputs":{"a":["a"]}}}}`, nil, true},
		{"branching follows", `{"version":7,"nodes":{"root":{"inputs":{"a":["a","a","a","a","a","a","a","a"]}}}}`, nil, true},
		{"bad reference", `{"version":7,"nodes":{"root":{"inputs":{"a":42}}}}`, nil, true},
		{"truncated", `{"version":7,"nodes":{"root":`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFlakeLock([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if !got[k].Equal(time.Unix(v, 0)) {
					t.Errorf("%s: %v, want %v", k, got[k], time.Unix(v, 0))
				}
			}
		})
	}
}

func TestNameParsing(t *testing.T) {
	for _, tc := range []struct{ path, name, version string }{
		{"/nix/store/5nzqbd0v6wywpads2asj0qgr9p6prznj-linux-6.6.31/bzImage", "linux-6.6.31", "6.6.31"},
		{"/nix/store/abc-linux_zen-6.9.1-zen1/bzImage", "linux_zen-6.9.1-zen1", "6.9.1-zen1"},
		{"/nix/store/abc-linux-rt-6.6.30-rt30", "linux-rt-6.6.30-rt30", "6.6.30-rt30"},
		{"/nix/store/abc-kernel", "kernel", ""},
		{"/elsewhere/abc-linux-6.1", "", ""},
		{"/nix/store/nohash", "", ""},
	} {
		name := storeName(storeDir, tc.path)
		if name != tc.name || kernelVersionFromName(name) != tc.version {
			t.Errorf("%s: name %q version %q, want %q %q", tc.path, name, kernelVersionFromName(name), tc.name, tc.version)
		}
	}
}

func TestGenerationNumber(t *testing.T) {
	for name, want := range map[string]int{
		"system-1-link": 1, "system-142-link": 142, "system": 0, "system-0-link": 0,
		"system--1-link": 0, "system-x-link": 0, "per-user": 0, "system-1-link.tmp": 0,
	} {
		if got := generationNumber(name); got != want {
			t.Errorf("generationNumber(%q) = %d, want %d", name, got, want)
		}
	}
}

func checkLabel(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) || len(s) > maxLabelLen {
		t.Fatalf("accepted bad label value %q", s)
	}
}

func FuzzParseNixOSVersion(f *testing.F) {
	for _, s := range []string{"24.05.20240601.abcdef0 (Uakari)", "", "\xff", "a\nb"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := parseNixOSVersion(b); err == nil {
			checkLabel(t, v)
			if v == "" {
				t.Fatal("accepted empty version")
			}
		}
	})
}

func FuzzParseVersionJSON(f *testing.F) {
	f.Add([]byte(`{"nixosVersion":"24.05.1","configurationRevision":"0123"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := parseVersionJSON(b); err == nil {
			checkLabel(t, v.NixOSVersion)
			checkLabel(t, v.ConfigurationRevision)
		}
	})
}

func FuzzParseFlakeLock(f *testing.F) {
	f.Add([]byte(`{"version":7,"root":"root","nodes":{"root":{"inputs":{"a":"a","b":["a"]}},"a":{"locked":{"lastModified":5}}}}`))
	f.Add([]byte(`{"version":7,"nodes":{"root":{"inputs":{"a":["a","a"]}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		inputs, err := parseFlakeLock(b)
		if err != nil {
			return
		}
		for name, ts := range inputs {
			checkLabel(t, name)
			if ts.Unix() <= 0 {
				t.Fatalf("input %s: non-positive lastModified %v", name, ts)
			}
		}
	})
}
