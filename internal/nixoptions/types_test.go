package nixoptions

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		desc, kind string
		alts       int
	}{
		{"boolean", "bool", 0},
		{"list of string", "list", 0},
		{"attribute set of (submodule)", "attrs", 0},
		{`one of "true", "allow-downgrade", "false"`, "enum", 0},
		{"null or string", "union", 2},
		{"package", "package", 0},
		{"string or list of string", "union", 2},
		{"(list of string) or string convertible to it", "union", 2},
		{`null or one of false, "rocm", "cuda", "vulkan"`, "union", 2},
		{`one of "842", "lzo", "lzo-rle", "lz4", "lz4hc", "zstd" or string`, "union", 2},
		{"string, not containing newlines or colons", "string", 0},
		{"list of string, not containing newlines or colons", "list", 0},
		{"open submodule of attribute set of (INI atom (null, bool, int, float or string))", "submodule", 0},
		{`signed integer or value "auto" (singular enum)`, "union", 2},
		{"16 bit unsigned integer; between 0 and 65535 (both inclusive)", "int", 0},
		{"function that evaluates to a(n) string", "function", 0},
		{"attribute set of (string or path or list of (string or path))", "attrs", 0},
		// Phrases nixos-25.11's lib/types.nix and modules print (nix/options-25.11.json).
		{"list of absolute path", "list", 0},
		{"absolute path, not containing newlines or colons", "path", 0},
		{"null or package or (absolute path, not containing newlines or colons)", "union", 3},
		{"null or string without spaces", "union", 2},
		{"null or string (with check: non-empty)", "union", 2},
		{"non-empty (list of string (with check: non-empty))", "list", 0},
		{"list of (open submodule of (YAML 1.1 value))", "list", 0},
		{"open submodule of attribute set of section of an INI file (attrs of INI atom (null, bool, int, float or string) or a non-empty list of them)", "submodule", 0},
		{"section of an INI file (attrs of INI atom (null, bool, int, float or string) or a non-empty list of them)", "attrs", 0},
		{"(optionally newline-terminated) single-line string or list of string", "union", 2},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			ty, err := ParseType(tt.desc)
			if err != nil {
				t.Fatal(err)
			}
			if ty.Kind != tt.kind || len(ty.Alts) != tt.alts {
				t.Errorf("kind %s with %d alternatives, want %s with %d", ty.Kind, len(ty.Alts), tt.kind, tt.alts)
			}
		})
	}
	for _, bad := range []string{"list of frobnicator", "one of ", `one of "a" "b"`} {
		if _, err := ParseType(bad); err == nil {
			t.Errorf("ParseType(%q) succeeded, want an error", bad)
		}
	}
}

func shapeOf(t *testing.T, js string) *Shape {
	t.Helper()
	var s Shape
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func TestTypeCheck(t *testing.T) {
	tests := []struct {
		desc, shape string
		problem     string // substring; empty: fits
	}{
		{"boolean", `{"k":"bool","v":true}`, ""},
		{"boolean", `{"k":"string","v":"yes"}`, `string "yes" does not fit type "boolean"`},
		{"boolean", `{"k":"unknown"}`, ""},
		{"boolean", `{"k":"override","p":1000,"s":{"k":"if","s":{"k":"int","v":1}}}`, "integer 1 does not fit"},
		{"list of string", `{"k":"list","items":[{"k":"string","v":"a"},{"k":"unknown"}]}`, ""},
		{"list of string", `{"k":"list","items":[{"k":"int","v":1}]}`, "integer 1 does not fit type \"string\""},
		{"list of string", `{"k":"string","v":"wheel"}`, `does not fit type "list of string"`},
		{`one of "true", "allow-downgrade", "false"`, `{"k":"string","v":"allow-downgrade"}`, ""},
		{`one of "true", "allow-downgrade", "false"`, `{"k":"bool","v":true}`, "boolean true does not fit"},
		{`one of "lz4", "zstd" or string`, `{"k":"string","v":"lzo"}`, ""},
		{`one of "lz4", "zstd" or string`, `{"k":"int","v":4}`, "integer 4 does not fit"},
		{"null or path", `{"k":"null"}`, ""},
		{"null or path", `{"k":"string","v":"/run/agenix/x"}`, ""},
		{"path", `{"k":"string","v":"relative"}`, "not an absolute path"},
		{"string or list of string", `{"k":"list","items":[{"k":"string","v":"--x"}]}`, ""},
		{"16 bit unsigned integer; between 0 and 65535 (both inclusive)", `{"k":"int","v":65536}`, "does not fit"},
		{"attribute set of string", `{"k":"attrs","attrs":{"a":{"pos":{"file":"f.nix","line":3},"s":{"k":"int","v":1}}}}`, "integer 1"},
		{"open submodule of attribute set of (sysctl option value)", `{"k":"attrs","attrs":{"a":{"s":{"k":"int","v":1}}}}`, ""},
		{`signed integer or value "auto" (singular enum)`, `{"k":"string","v":"auto"}`, ""},
		{"list of (nixpkgs overlay)", `{"k":"list","items":[{"k":"function"}]}`, ""},
		{"absolute path, not containing newlines or colons", `{"k":"string","v":"home/alice"}`, "not an absolute path"},
		{"null or package or (absolute path, not containing newlines or colons)", `{"k":"string","v":"/run/current-system/sw/bin/zsh"}`, ""},
		{"non-empty (list of string (with check: non-empty))", `{"k":"list","items":[{"k":"int","v":1}]}`, "integer 1"},
		{"open submodule of attribute set of section of an INI file (attrs of INI atom (null, bool, int, float or string) or a non-empty list of them)", `{"k":"attrs","attrs":{"server":{"s":{"k":"attrs","attrs":{"http_port":{"s":{"k":"int","v":3000}}}}}}}`, ""},
		{"open submodule of attribute set of section of an INI file (attrs of INI atom (null, bool, int, float or string) or a non-empty list of them)", `{"k":"attrs","attrs":{"server":{"s":{"k":"string","v":"x"}}}}`, "does not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.desc+" "+tt.shape, func(t *testing.T) {
			ty, err := ParseType(tt.desc)
			if err != nil {
				t.Fatal(err)
			}
			ps := ty.Check(shapeOf(t, tt.shape), Pos{File: "m.nix", Line: 1})
			switch {
			case tt.problem == "" && len(ps) > 0:
				t.Errorf("problems %v, want none", ps)
			case tt.problem != "" && (len(ps) == 0 || !strings.Contains(ps[0].Msg, tt.problem)):
				t.Errorf("problems %v, want one saying %q", ps, tt.problem)
			}
		})
	}
}

func TestScanReads(t *testing.T) {
	src := `{ config, lib, options, ... }:
let
  cfg = config.hub.features.x;
  nm = config.networking.networkmanager;
  # config.commented.out
in {
  a = nm.dns;
  b = config.users.users.${cfg.user}.home;
  c = options.services.ollama.acceleration or null;
  config.services.foo.enable = true;
  d = "${config.networking.hostName}";
}`
	got := strings.Join(scanReads(src), " ")
	for _, w := range []string{"networking.networkmanager.dns", "users.users.<name>.home", "services.ollama.acceleration", "networking.hostName", "hub.features.x.user"} {
		if !strings.Contains(" "+got+" ", " "+w+" ") {
			t.Errorf("reads %q lack %s", got, w)
		}
	}
	for _, w := range []string{"commented.out", "services.foo.enable"} {
		if strings.Contains(got, w) {
			t.Errorf("reads %q include %s", got, w)
		}
	}
}
