package secrets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

func TestParseRulesErrors(t *testing.T) {
	ed := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGoLYdi4GcTRmNrFI7xD/30oQi85mzMhI01nfaMaorGg"
	age1 := "age1jmp66x5r9zuljfffzcnthurh36nrdugxky86j3404pacysanpqgqf2uj5q"
	tests := []struct {
		name, json, want string
	}{
		{"not a set", `[]`, `/s/secrets.nix: not an attribute set of secrets: json: cannot unmarshal array into Go value of type map[string]json.RawMessage`},
		{"no publicKeys", `{"a.age":{"armor":true}}`, `/s/secrets.nix: "a.age": publicKeys is missing`},
		{"empty", `{"a.age":{"publicKeys":[]}}`, `/s/secrets.nix: "a.age": publicKeys is empty: nobody could decrypt it`},
		{"not a string", `{"a.age":{"publicKeys":[1]}}`, `/s/secrets.nix: "a.age": publicKeys[0] is not a string`},
		{"garbage", `{"a.age":{"publicKeys":["hello"]}}`, `/s/secrets.nix: "a.age": publicKeys[0] "hello": not an ssh-ed25519, ssh-rsa or age1 public key`},
		{"bad ssh", `{"a.age":{"publicKeys":["ssh-ed25519 AAAA"]}}`, `/s/secrets.nix: "a.age": publicKeys[0] "ssh-ed25519 AAAA": malformed ssh public key: ssh: no key found; last parsing error for ignored line: ssh: short read`},
		{"bad age", `{"a.age":{"publicKeys":["age1qqq"]}}`, `/s/secrets.nix: "a.age": publicKeys[0] "age1qqq": malformed recipient "age1qqq": separator '1' at invalid position: pos=3, len=7`},
		{"plugin", `{"a.age":{"publicKeys":["age1yubikey1qqqq"]}}`, `/s/secrets.nix: "a.age": publicKeys[0] "age1yubikey1qqqq": age plugin recipients are not supported`},
		{"duplicate", `{"a.age":{"publicKeys":["` + ed + `","` + age1 + `","` + ed + ` root@p620"]}}`, `/s/secrets.nix: "a.age": publicKeys[2] "ssh-ed25519 AAAAC3NzaC1lZDI1NT…oot@p620" duplicates publicKeys[0]`},
		{"escapes", `{"../a.age":{"publicKeys":["` + age1 + `"]}}`, `/s/secrets.nix: "../a.age": file is outside the directory of secrets.nix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRules("/s/secrets.nix", []byte(tt.json), nil)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestLoadRulesLabelsAndArmor(t *testing.T) {
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620", "p510"}, `{
  "a.age".publicKeys = [ p620 admin ];
  "sub/b.age" = { publicKeys = [ p510 "`+hostPub(t, "razer")+` root@razer" ]; armor = true; extra = "tolerated"; };
}`)
	if len(r.Entries) != 2 || r.Entries[0].Name != "a.age" || r.Entries[1].Name != "sub/b.age" {
		t.Fatalf("entries = %+v", r.Entries)
	}
	b := r.Entries[1]
	if !b.Armor || b.Path != filepath.Join(dir, "sub", "b.age") || r.Entries[0].Armor {
		t.Errorf("b = %+v", b)
	}
	var labels []string
	for _, k := range r.Keys() {
		labels = append(labels, r.Label(k))
	}
	// admin and p510/p620 are named by their let-bindings, razer by its ssh comment.
	if got := strings.Join(labels, ","); got != "admin,p510,p620,root@razer" {
		t.Errorf("labels = %s", got)
	}
	if _, err := r.Entry("a"); err != nil {
		t.Error(err)
	}
	if _, err := r.Entry("nope"); err == nil || err.Error() != r.Path+`: no secret "nope" (add it to secrets.nix first)` {
		t.Errorf("err = %v", err)
	}
}

func TestLoadRulesNixError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.nix")
	os.WriteFile(path, []byte("{ broken"), 0o644)
	_, err := LoadRules(context.Background(), (&command.Executor{}).Local(), path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": nix-instantiate: exit status 1: error: syntax error") {
		t.Fatalf("err = %v", err)
	}
}

func TestConsistency(t *testing.T) {
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{ "listed.age".publicKeys = [ p620 ]; "missing.age".publicKeys = [ p620 ]; }`)
	encryptTo(t, r, "listed.age", "x")
	os.MkdirAll(filepath.Join(dir, "old"), 0o755)
	os.WriteFile(filepath.Join(dir, "old", "stray.age"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".listed.age8213770154243116873"), []byte("x"), 0o644) // a killed writer's leftover is not a secret
	var got []string
	for _, err := range r.consistency() {
		got = append(got, err.Error())
	}
	want := []string{
		`"missing.age" is listed in secrets.nix but ` + filepath.Join(dir, "missing.age") + ` does not exist`,
		`old/stray.age is not listed in secrets.nix`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRepoSecretsCheck is the CI gate on the repository's own secrets: no private key needed.
func TestRepoSecretsCheck(t *testing.T) {
	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), "../../secrets/secrets.nix")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(r); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRotation(r); err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) < 3 {
		t.Fatalf("only %d secrets", len(r.Entries))
	}
}

// A bad key bound once with let and used by several entries is reported against the same
// entry on every run (the first by name, not map order), at the line of secrets.nix that
// holds the key.
func TestBadSharedKeyNamedWithItsLine(t *testing.T) {
	src := "let\n  good = \"age1jmp66x5r9zuljfffzcnthurh36nrdugxky86j3404pacysanpqgqf2uj5q\";\n  bad = \"age1qqq\";\nin {\n  \"z.age\".publicKeys = [ bad ];\n  \"m.age\".publicKeys = [ good bad ];\n  \"b.age\".publicKeys = [ bad ];\n}\n"
	evaluated := `{"z.age":{"publicKeys":["age1qqq"]},"m.age":{"publicKeys":["age1jmp66x5r9zuljfffzcnthurh36nrdugxky86j3404pacysanpqgqf2uj5q","age1qqq"]},"b.age":{"publicKeys":["age1qqq"]}}`
	want := `/s/secrets.nix:3: "b.age": publicKeys[0] "age1qqq": malformed recipient "age1qqq": separator '1' at invalid position: pos=3, len=7`
	for range 20 {
		_, err := parseRules("/s/secrets.nix", []byte(evaluated), []byte(src))
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v\nwant  %s", err, want)
		}
	}
}
