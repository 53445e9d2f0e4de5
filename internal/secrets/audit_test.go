package secrets

import (
	"bytes"
	"maps"
	"os"
	"strings"
	"testing"

	"filippo.io/age"
)

// auditFixture has one secret in each state an audit distinguishes.
func auditFixture(t *testing.T) *Rules {
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620", "p510", "dex5550"}, `{
  "ok.age".publicKeys = [ p620 admin ];
  "stale.age".publicKeys = [ p620 p510 admin ];
  "extra.age".publicKeys = [ dex5550 ];
  "armor.age" = { publicKeys = [ p510 ]; armor = true; };
  "grease.age".publicKeys = [ p510 ];
  "ages.age".publicKeys = [ admin other ];
  "broken.age".publicKeys = [ p620 ];
}`)
	encryptTo(t, r, "ok.age", "ok")
	encryptTo(t, r, "stale.age", "stale", hostPub(t, "p620"), adminPub(t))
	encryptTo(t, r, "extra.age", "extra", hostPub(t, "dex5550"), hostPub(t, "p510"))
	e, _ := r.Entry("armor.age")
	ct, _ := Encrypt([]byte("armor"), e.Recipients, false)
	os.WriteFile(e.Path, ct, 0o644)
	g, _ := r.Entry("grease.age")
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, greaseRecipient{}, g.Recipients[0].age)
	w.Write([]byte("grease"))
	w.Close()
	os.WriteFile(g.Path, buf.Bytes(), 0o644)
	encryptTo(t, r, "ages.age", "ages", adminPub(t))
	b, _ := r.Entry("broken.age")
	os.WriteFile(b.Path, []byte("not age\n"), 0o644)
	return r
}

func TestAuditMatrixGolden(t *testing.T) {
	r := auditFixture(t)
	var out bytes.Buffer
	if err := RenderMatrix(&out, r, Audit(r)); err != nil {
		t.Fatal(err)
	}
	golden(t, "audit.txt", out.String())
}

func TestCheck(t *testing.T) {
	r := auditFixture(t)
	err := Check(r)
	if err == nil {
		t.Fatal("Check passed on a drifted directory")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"ages.age: 1 age (X25519) recipients in the file, 2 in secrets.nix",
		"armor.age: armor is true in secrets.nix but the file disagrees",
		"broken.age: header: not an age file: bad intro line",
		"extra.age: encrypted to p510 (ssh-ed25519:" + mustTag(t, "p510") + "), which secrets.nix does not list for it",
		"stale.age: not encrypted to p510 (ssh-ed25519:" + mustTag(t, "p510") + ")",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func mustTag(t *testing.T, host string) string {
	rc, err := ParseRecipient(hostPub(t, host))
	if err != nil {
		t.Fatal(err)
	}
	return rc.Tag
}

// Access is the whole header, also the stanzas that matched a recipient of the entry (the
// matching counts down a copy).
func TestAuditKeepsWholeAccess(t *testing.T) {
	r := auditFixture(t)
	p620, p510, dex := "ssh-ed25519 "+mustTag(t, "p620"), "ssh-ed25519 "+mustTag(t, "p510"), "ssh-ed25519 "+mustTag(t, "dex5550")
	want := map[string]map[string]int{
		"ok.age":    {p620: 1},
		"stale.age": {p620: 1},
		"extra.age": {dex: 1, p510: 1},
	}
	for _, a := range Audit(r) {
		w, ok := want[a.Entry.Name]
		if !ok {
			continue
		}
		if a.Access == nil || !maps.Equal(a.Access.SSHTags, w) {
			t.Errorf("%s: Access %+v, want ssh tags %v", a.Entry.Name, a.Access, w)
		}
	}
}
