package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/renameio/v2"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
)

func TestPlanAndRekey(t *testing.T) {
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620", "p510"}, `{
  "same.age".publicKeys = [ p620 admin ];
  "grow.age".publicKeys = [ p620 p510 admin ];
  "p510only.age".publicKeys = [ p510 admin ];
  "lost.age".publicKeys = [ p620 admin ];
}`)
	encryptTo(t, r, "same.age", "same")
	encryptTo(t, r, "grow.age", "grow", hostPub(t, "p620"), adminPub(t))
	encryptTo(t, r, "p510only.age", "p510only", hostPub(t, "p620"), adminPub(t))
	// Encrypted to a key nobody running rekey holds: it must be reported, not block the rest.
	encryptTo(t, r, "lost.age", "lost", ageIdentity(t, otherSecretKey).Recipient().String())
	before, _ := os.ReadFile(filepath.Join(dir, "same.age"))

	plan, err := PlanRekey(r, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	RenderPlan(&out, plan)
	want := `3 file(s) to rekey:
  grow.age
    - not encrypted to p510 (ssh-ed25519:` + mustTag(t, "p510") + `)
  lost.age
    - not encrypted to p620 (ssh-ed25519:` + mustTag(t, "p620") + `)
  p510only.age
    - not encrypted to p510 (ssh-ed25519:` + mustTag(t, "p510") + `)
    - encrypted to p620 (ssh-ed25519:` + mustTag(t, "p620") + `), which secrets.nix does not list for it
`
	if out.String() != want {
		t.Errorf("plan:\n%s\nwant:\n%s", out.String(), want)
	}
	hostPlan, err := PlanRekey(r, PlanOptions{Host: "p510"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hostPlan) != 2 || hostPlan[0].Entry.Name != "grow.age" || hostPlan[1].Entry.Name != "p510only.age" {
		t.Errorf("host plan = %v", names(hostPlan))
	}
	if _, err := PlanRekey(r, PlanOptions{Host: "nope"}); err == nil || err.Error() != r.Path+`: no key named "nope" (keys: admin, p510, p620)` {
		t.Errorf("err = %v", err)
	}
	if all, _ := PlanRekey(r, PlanOptions{Force: true}); len(all) != 4 {
		t.Errorf("forced plan = %v", names(all))
	}

	res := Rekey(context.Background(), plan, []age.Identity{ageIdentity(t, adminSecretKey)}, 4)
	if strings.Join(res.Rekeyed, ",") != "grow.age,p510only.age" {
		t.Errorf("rekeyed = %v", res.Rekeyed)
	}
	wantErr := "1 file(s) not rekeyed:\n  lost.age: decrypt " + filepath.Join(dir, "lost.age") + ": identity did not match any of the recipients: incorrect identity for recipient block"
	if err := res.Err(); err == nil || err.Error() != wantErr {
		t.Errorf("err = %v\nwant  %s", err, wantErr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "same.age"))
	if !bytes.Equal(before, after) {
		t.Error("an unchanged file was rewritten")
	}
	pt, err := DecryptFile(filepath.Join(dir, "p510only.age"), []age.Identity{hostIdentity(t, "p510")})
	if err != nil || string(pt) != "p510only" {
		t.Errorf("p510 after rekey: %q %v", pt, err)
	}
	if _, err := DecryptFile(filepath.Join(dir, "p510only.age"), []age.Identity{hostIdentity(t, "p620")}); err == nil {
		t.Error("p620 can still read p510only.age")
	}
	if again, _ := PlanRekey(r, PlanOptions{}); len(again) != 1 || again[0].Entry.Name != "lost.age" {
		t.Errorf("plan after rekey = %v", names(again))
	}
}

func names(plan []PlanItem) []string {
	var n []string
	for _, p := range plan {
		n = append(n, p.Entry.Name)
	}
	return n
}

const crashEnv = "HUB_SECRETS_CRASH_WORKER"

// crashWorker rekeys and rotates the directory forever, alternating between two recipient sets,
// until the parent SIGKILLs it.
func crashWorker(t *testing.T, dir string) {
	ctx := context.Background()
	r, err := LoadRules(ctx, (&command.Executor{}).Local(), filepath.Join(dir, "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	if err := RemoveStaleTemps(dir); err != nil {
		t.Fatal(err)
	}
	p620, _ := ParseRecipient(hostPub(t, "p620"))
	admin, _ := ParseRecipient(adminPub(t))
	other, _ := ParseRecipient(ageIdentity(t, otherSecretKey).Recipient().String())
	ids := []age.Identity{ageIdentity(t, adminSecretKey)}
	for i := 0; ; i++ {
		set := []Recipient{admin, p620}
		if i%2 == 1 {
			set = []Recipient{admin, other}
		}
		for _, e := range r.Entries {
			e.Recipients = set
		}
		plan, err := PlanRekey(r, PlanOptions{Force: true})
		if err != nil {
			t.Fatal(err)
		}
		Rekey(ctx, plan, ids, 4)
		rot, err := LoadRotation(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rotate(ctx, r, rot, []string{r.Entries[i%len(r.Entries)].Name}, time.Now(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashSafety SIGKILLs a rekey/rotate worker at random moments; afterwards every file must
// decrypt with the admin key and be encrypted to exactly one of the two recipient sets.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashWorker(t, dir)
		return
	}
	dir := t.TempDir()
	var body strings.Builder
	body.WriteString("{\n")
	var rot strings.Builder
	for i := range 24 {
		fmt.Fprintf(&body, "  \"s%02d.age\".publicKeys = [ admin p620 ];\n", i)
		fmt.Fprintf(&rot, "[\"s%02d.age\"]\ngenerator = \"alphanumeric\"\nperiod = \"1d\"\n", i)
	}
	body.WriteString("}")
	r := writeNix(t, dir, []string{"p620"}, body.String())
	for _, e := range r.Entries {
		encryptTo(t, r, e.Name, "initial "+e.Name)
	}
	os.WriteFile(filepath.Join(dir, RotationFile), []byte(rot.String()), 0o644)

	// The worker's $TMPDIR is on the same file system as dir, where renameio on its own would put
	// its temp files: they must stay beside the secrets, where the sweep finds them.
	tmpdir := t.TempDir()
	const kills = 25
	leftovers := 0
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, "TMPDIR="+tmpdir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(400))
		time.Sleep(50*time.Millisecond + time.Duration(n.Int64())*time.Millisecond)
		cmd.Process.Kill()
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
			t.Fatalf("kill %d: worker exited on its own: %v\n%s", k, err, stderr.String())
		}
		verifyAll(t, r, k)
		leftovers += len(staleTemps(t, dir, k))
		if ents, _ := os.ReadDir(tmpdir); len(ents) != 0 {
			t.Fatalf("after kill %d: the worker left %s in $TMPDIR", k, ents[0].Name())
		}
	}
	// The last kill's leftovers are still there; the sweep the next rekey or rotate starts with
	// removes the secrets' ones (rotation.toml's holds no secret and is only ignored by git).
	if err := RemoveStaleTemps(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range staleTemps(t, dir, kills) {
		if target, _ := durablefile.Target(name); target != RotationFile {
			t.Errorf("%s is left after RemoveStaleTemps", name)
		}
	}
	t.Logf("%d kills left %d temp files in all", kills, leftovers)
}

// staleTemps lists what a killed worker left in dir besides the secrets, secrets.nix and
// rotation.toml, failing on anything that is not a temp file of a write to one of them: a half
// write is only ever a temp file, never a damaged secret or an unknown name.
func staleTemps(t *testing.T, dir string, k int) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var temps []string
	for _, e := range ents {
		name := e.Name()
		if name == "secrets.nix" || name == RotationFile || strings.HasSuffix(name, ".age") && !strings.HasPrefix(name, ".") {
			continue
		}
		target, ok := durablefile.Target(name)
		if !ok || target != RotationFile && !strings.HasSuffix(target, ".age") {
			t.Fatalf("after kill %d: unexpected %s in %s", k, name, dir)
		}
		temps = append(temps, name)
	}
	return temps
}

func verifyAll(t *testing.T, r *Rules, k int) {
	t.Helper()
	admin := []age.Identity{ageIdentity(t, adminSecretKey)}
	p620 := []age.Identity{hostIdentity(t, "p620")}
	other := []age.Identity{ageIdentity(t, otherSecretKey)}
	for _, e := range r.Entries {
		if _, err := DecryptFile(e.Path, admin); err != nil {
			t.Fatalf("after kill %d: %v", k, err)
		}
		_, e1 := DecryptFile(e.Path, p620)
		_, e2 := DecryptFile(e.Path, other)
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("after kill %d: %s readable by p620=%v other=%v: want exactly one recipient set", k, e.Name, e1 == nil, e2 == nil)
		}
	}
	if _, err := LoadRotation(r); err != nil {
		t.Fatalf("after kill %d: %v", k, err)
	}
}

// A file secrets.nix lists that does not exist is in the plan and fails the rekey: "nothing to
// rekey" must not hide it. Files an interrupt kept from starting are one line, not one each.
func TestRekeyMissingAndInterrupted(t *testing.T) {
	dir := t.TempDir()
	var body strings.Builder
	body.WriteString("{\n  \"gone.age\".publicKeys = [ p620 admin ];\n")
	for i := range 40 {
		fmt.Fprintf(&body, "  \"f%02d.age\".publicKeys = [ p620 p510 admin ];\n", i)
	}
	body.WriteString("}")
	r := writeNix(t, dir, []string{"p620", "p510"}, body.String())
	for i := range 40 {
		encryptTo(t, r, fmt.Sprintf("f%02d.age", i), "x", hostPub(t, "p620"), adminPub(t))
	}
	plan, err := PlanRekey(r, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	RenderPlan(&out, plan)
	if !strings.Contains(out.String(), "gone.age\n    - listed in secrets.nix but "+filepath.Join(dir, "gone.age")+" does not exist (create it: secrets:new gone.age)") {
		t.Errorf("plan does not name the missing file:\n%s", out.String())
	}
	res := Rekey(context.Background(), plan, []age.Identity{ageIdentity(t, adminSecretKey)}, 4)
	if len(res.Rekeyed) != 40 || res.Err() == nil || !strings.Contains(res.Err().Error(), "gone.age: does not exist") {
		t.Errorf("rekeyed %d, err %v; want 40 and gone.age failed", len(res.Rekeyed), res.Err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = Rekey(ctx, plan, nil, 4)
	if err := res.Err(); err == nil || err.Error() != "41 file(s) not rekeyed (41 interrupted, left as they were: run secrets:rekey again)" {
		t.Errorf("interrupted rekey: %v", err)
	}
}

// The temp file an atomic write leaves when killed before its rename must never be committed:
// git ignores it (the repository's .gitignore), wherever it is under secrets/.
func TestStaleTempIsIgnoredByGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	tmp := t.TempDir()
	for _, rel := range []string{"secrets/restic-password.age", "secrets/sub/x.age", "secrets/rotation.toml", "secrets/secrets.nix"} {
		// The name renameio really gives the temp file of a write to rel.
		dir, base := filepath.Split(rel)
		p, err := renameio.NewPendingFile(filepath.Join(tmp, base), renameio.WithTempDir(tmp))
		if err != nil {
			t.Fatal(err)
		}
		name := dir + filepath.Base(p.Name())
		p.Cleanup()
		out, err := exec.Command("git", "-C", "../..", "check-ignore", "--no-index", "-v", name).CombinedOutput()
		if err != nil {
			t.Errorf("%s is not ignored by git: %v %s", name, err, out)
		}
		// The file itself is committed.
		if out, err := exec.Command("git", "-C", "../..", "check-ignore", "--no-index", "-v", rel).CombinedOutput(); err == nil {
			t.Errorf("%s itself is ignored by git: %s", rel, out)
		}
	}
}
