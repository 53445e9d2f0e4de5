package secrets

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"filippo.io/age"
)

// benchDir makes 200 secrets, each encrypted to 4 host keys and the admin age key (5 recipients),
// but recorded without the admin key so that a rekey has to rewrite every file.
func benchDir(b *testing.B) (*Rules, string) {
	dir := b.TempDir()
	hosts := []string{"p620", "p510", "razer", "dex5550"}
	var body strings.Builder
	body.WriteString("{\n")
	for i := range 200 {
		fmt.Fprintf(&body, "  \"s%03d.age\".publicKeys = [ p620 p510 razer dex5550 admin ];\n", i)
	}
	body.WriteString("}")
	r := writeNix(b, dir, hosts, body.String())
	for _, e := range r.Entries {
		encryptTo(b, r, e.Name, "value of "+e.Name, hostPub(b, "p620"), hostPub(b, "p510"), hostPub(b, "razer"), hostPub(b, "dex5550"), ageIdentity(b, otherSecretKey).Recipient().String())
	}
	key := filepath.Join(dir, "admin.txt")
	os.WriteFile(key, []byte(otherSecretKey+"\n"), 0o600)
	return r, key
}

// BenchmarkRekey200x5 is the hub: one process, files in parallel (bounded by CPUs).
func BenchmarkRekey200x5(b *testing.B) {
	for range b.N {
		b.StopTimer()
		r, _ := benchDir(b)
		ids := []age.Identity{ageIdentity(b, otherSecretKey)}
		b.StartTimer()
		plan, err := PlanRekey(r, PlanOptions{Force: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := Rekey(context.Background(), plan, ids, runtime.NumCPU()).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRekey200x5AgeCLI is what agenix does: per file, one age process to decrypt and one to
// encrypt, sequentially.
func BenchmarkRekey200x5AgeCLI(b *testing.B) {
	requireAge(b)
	for range b.N {
		b.StopTimer()
		r, key := benchDir(b)
		args := []string{"-e"}
		for _, rc := range r.Entries[0].Recipients {
			args = append(args, "-r", rc.Raw)
		}
		b.StartTimer()
		for _, e := range r.Entries {
			pt, err := exec.Command("age", "-d", "-i", key, e.Path).Output()
			if err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command("age", append(args, "-o", e.Path)...)
			cmd.Stdin = strings.NewReader(string(pt))
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
