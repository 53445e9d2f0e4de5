package secrets

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/ssh"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		gen    string
		length int
		secret string // regexp
	}{
		{genAlphanumeric, 0, `^[A-Za-z0-9]{32}$`},
		{genAlphanumeric, 12, `^[A-Za-z0-9]{12}$`},
		{genHex, 16, `^[0-9a-f]{32}$`},
		{genBase64, 0, `^[A-Za-z0-9+/]{43}=$`},
		{genPassphrase, 0, `^[a-z]{6}(-[a-z]{6}){6}$`},
		{genPassphrase, 3, `^[a-z]{6}(-[a-z]{6}){2}$`},
		{genWireGuard, 0, `^[A-Za-z0-9+/]{43}=\n$`},
		{genSSHEd25519, 0, `^-----BEGIN OPENSSH PRIVATE KEY-----\n`},
		{genNixSigningKey, 0, `^p620:[A-Za-z0-9+/]{86}==$`},
	}
	for _, tt := range tests {
		g, err := generate(rand.Reader, tt.gen, tt.length, "p620")
		if err != nil {
			t.Fatalf("%s: %v", tt.gen, err)
		}
		if !regexp.MustCompile(tt.secret).Match(g.Secret) {
			t.Errorf("%s/%d: secret %q does not match %s", tt.gen, tt.length, g.Secret, tt.secret)
		}
	}
	_, err := generate(rand.Reader, "uuid", 0, "")
	if err == nil || err.Error() != `unknown generator "uuid" (want alphanumeric, hex, base64, passphrase, ssh-ed25519, wireguard, nix-signing-key)` {
		t.Errorf("err = %v", err)
	}
}

func TestGenerateKeyPairsMatch(t *testing.T) {
	wg, _ := generate(rand.Reader, genWireGuard, 0, "")
	priv, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(wg.Secret)))
	pub, _ := curve25519.X25519(priv, curve25519.Basepoint)
	if base64.StdEncoding.EncodeToString(pub) != wg.Public || priv[0]&7 != 0 || priv[31]&0xc0 != 0x40 {
		t.Errorf("wireguard public key does not match its private key or key is unclamped")
	}
	sk, _ := generate(rand.Reader, genSSHEd25519, 0, "backup@p620")
	signer, err := ssh.ParsePrivateKey(sk.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " backup@p620"; got != sk.Public {
		t.Errorf("public %q, want %q", sk.Public, got)
	}
}

// A nix signing key is what nix-store --generate-binary-cache-key writes: its public half is the
// one nix derives from the secret, and a signature made with it verifies under that public key.
func TestGenerateNixSigningKey(t *testing.T) {
	g, err := generate(rand.Reader, genNixSigningKey, 0, "binary-cache-key")
	if err != nil {
		t.Fatal(err)
	}
	name, sk, _ := strings.Cut(string(g.Secret), ":")
	pname, pk, _ := strings.Cut(g.Public, ":")
	priv, err1 := base64.StdEncoding.DecodeString(sk)
	pub, err2 := base64.StdEncoding.DecodeString(pk)
	if name != "binary-cache-key" || pname != name || err1 != nil || err2 != nil || len(priv) != ed25519.PrivateKeySize {
		t.Fatalf("secret %q / public %q", g.Secret, g.Public)
	}
	msg := []byte("1;/nix/store/abc-hello;sha256:x;123;")
	if !ed25519.Verify(ed25519.PublicKey(pub), msg, ed25519.Sign(ed25519.PrivateKey(priv), msg)) {
		t.Error("a signature by the secret key does not verify under the public key")
	}
	for _, bad := range []string{"", "a:b", "two words"} {
		if _, err := generate(rand.Reader, genNixSigningKey, 0, bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed: not compared with nix key convert-secret-to-public")
	}
	cmd := exec.Command("nix", "--extra-experimental-features", "nix-command", "--store", "dummy://", "key", "convert-secret-to-public")
	cmd.Stdin = bytes.NewReader(g.Secret)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix key convert-secret-to-public: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != g.Public {
		t.Errorf("nix derives public key %q, generator recorded %q", got, g.Public)
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour} {
		if got, err := parsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"":    "empty: want e.g. 90d, 2w or 720h",
		"xd":  `"xd": want a whole number of days or weeks`,
		"3y":  `"3y": want e.g. 90d, 2w or 720h`,
		"0d":  `"0d": must be positive`,
		"-1h": `"-1h": must be positive`,
	} {
		if _, err := parsePeriod(in); err == nil || err.Error() != want {
			t.Errorf("ParsePeriod(%q) err = %v, want %s", in, err, want)
		}
	}
}

func rotationFixture(t *testing.T, toml string) *Rules {
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{
  "db.age".publicKeys = [ p620 admin ];
  "wg.age".publicKeys = [ p620 admin ];
  "manual.age".publicKeys = [ admin ];
}`)
	os.WriteFile(filepath.Join(dir, RotationFile), []byte(toml), 0o644)
	return r
}

func TestLoadRotationErrors(t *testing.T) {
	tests := []struct{ toml, want string }{ // want follows "rotation.toml", with ":LINE" when located
		{"[\"nope.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\n", `["nope.age"]: not listed in secrets.nix`},
		{"[\"db.age\"]\ngenerator = \"uuid\"\nperiod = \"1d\"\n", `["db.age"]: unknown generator "uuid" (want alphanumeric, hex, base64, passphrase, ssh-ed25519, wireguard, nix-signing-key)`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"soon\"\n", `["db.age"]: period: "soon": want e.g. 90d, 2w or 720h`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\ncolour = 1\n", `:4: "db.age".colour: unknown key`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\nconsumer = \"api\"\n", `["db.age"]: unknown consumer "api" (want restic, restart, manual)`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\nconsumer = \"restart\"\n", `["db.age"]: consumer "restart" needs units = ["name.service", ...]`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\nconsumer = \"restart\"\nunits = [\"a b\"]\n", `["db.age"]: units: "a b" is not a systemd unit name (e.g. grafana.service)`},
		{"[\"db.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\nconsumer = \"restic\"\nunits = [\"a.service\"]\n", `["db.age"]: units: only for consumer "restart"`},
	}
	for _, tt := range tests {
		r := rotationFixture(t, tt.toml)
		_, err := LoadRotation(r)
		want := filepath.Join(r.Dir, RotationFile) + ": " + tt.want
		if strings.HasPrefix(tt.want, ":") {
			want = filepath.Join(r.Dir, RotationFile) + tt.want
		}
		if err == nil || err.Error() != want {
			t.Errorf("err = %v\nwant  %s", err, want)
		}
	}
}

func TestScheduleAndRotate(t *testing.T) {
	r := rotationFixture(t, `# the person's own comment
["db.age"]
generator = "alphanumeric"
period = "30d"
rotated = 2026-01-01T00:00:00Z

["wg.age"]
generator = "wireguard"  # for p620's tunnel
period = "1w"
`)
	rot, err := LoadRotation(r)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	RenderSchedule(&out, rot.Schedule(now), false)
	out.WriteString("-- due only --\n")
	RenderSchedule(&out, rot.Schedule(now), true)
	golden(t, "schedule.txt", out.String())

	done, err := rotate(context.Background(), r, rot, nil, now, rand.Reader)
	if err != nil || strings.Join(done, ",") != "wg.age" {
		t.Fatalf("rotated %v, %v", done, err)
	}
	again, err := LoadRotation(r)
	if err != nil {
		t.Fatal(err)
	}
	wg := again.Secrets["wg.age"]
	if !wg.Rotated.Equal(now) || wg.PublicKey == "" {
		t.Errorf("metadata after rotate: %+v", wg)
	}
	// The rewrite is an edit in place: the person's comments and layout stay.
	data, _ := os.ReadFile(again.Path)
	wantFile := `# the person's own comment
["db.age"]
generator = "alphanumeric"
period = "30d"
rotated = 2026-01-01T00:00:00Z

["wg.age"]
generator = "wireguard"  # for p620's tunnel
period = "1w"
rotated = "2026-01-20T00:00:00Z"
public_key = "` + wg.PublicKey + `"
`
	if string(data) != wantFile {
		t.Errorf("rotation.toml after rotate:\n%s\nwant\n%s", data, wantFile)
	}
	e, _ := r.Entry("wg")
	pt, err := DecryptFile(e.Path, []age.Identity{hostIdentity(t, "p620")})
	if err != nil || !strings.HasSuffix(string(pt), "=\n") {
		t.Errorf("rotated secret: %q %v", pt, err)
	}
	out.Reset()
	RenderSchedule(&out, again.Schedule(now), true)
	if out.String() != "SECRET  GENERATOR  PERIOD  ROTATED  DUE  STATE\nno secret is due for rotation\n" {
		t.Errorf("after rotate:\n%s", out.String())
	}
	if _, err := rotate(context.Background(), r, again, []string{"manual"}, now, rand.Reader); err == nil ||
		err.Error() != again.Path+`: "manual.age" has no rotation spec (add ["manual.age"] with generator and period)` {
		t.Errorf("err = %v", err)
	}
}
