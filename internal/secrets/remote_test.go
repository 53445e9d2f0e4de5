package secrets

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	st, err := parseStatus([]byte("unit failed\nfile 400 root root restic-password\nfile 440 grafana grafana grafana-admin\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &remoteStatus{Unit: "failed", Files: []remoteFile{{"restic-password", "400", "root", "root"}, {"grafana-admin", "440", "grafana", "grafana"}}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got %+v", st)
	}
	var out bytes.Buffer
	st.render(&out)
	if out.String() != "agenix unit: failed\nSECRET           MODE  OWNER    GROUP\nrestic-password  400   root     root\ngrafana-admin    440   grafana  grafana\n" {
		t.Errorf("render:\n%s", out.String())
	}
	st, err = parseStatus([]byte("unit activation\nlink /run/agenix.d/3\nfile 400 root root jellyfin-api-key\n"))
	if err != nil || st.Unit != "activation" || st.Link != "/run/agenix.d/3" || len(st.Files) != 1 {
		t.Errorf("activation: %+v %v", st, err)
	}
	out.Reset()
	st.render(&out)
	if out.String() != "agenix: decrypts in the activation script (no unit)\n/run/agenix -> /run/agenix.d/3\nSECRET            MODE  OWNER  GROUP\njellyfin-api-key  400   root   root\n" {
		t.Errorf("render:\n%s", out.String())
	}
	st, err = parseStatus([]byte("unit no-systemd\nnodir\n"))
	if err != nil || st.Unit != "no systemd" || !st.NoDir {
		t.Errorf("no systemd: %+v %v", st, err)
	}
	for in, want := range map[string]string{
		"":                   "status: no unit line in output",
		"unit active\nhello": `status line 2: unexpected "hello"`,
	} {
		if _, err := parseStatus([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("ParseStatus(%q) err = %v", in, err)
		}
	}
}

func TestHostKeyDrift(t *testing.T) {
	r := writeNix(t, t.TempDir(), []string{"p620", "p510"}, `{ "a.age".publicKeys = [ p620 p510 ]; }`)
	scan := func(host string) []byte { return []byte("# p620:22 SSH-2.0\np620 " + hostPub(t, host) + "\n") }
	if d, err := hostKeyDrift(r, "p620", scan("p620")); err != nil || len(d) != 0 {
		t.Errorf("matching key: %v %v", d, err)
	}
	d, err := hostKeyDrift(r, "p620", scan("reinstalled"))
	want := []string{
		"p620: secrets.nix has ssh-ed25519:" + mustTag(t, "p620") + ", which the host does not present",
		"p620: host presents ssh-ed25519:" + mustTag(t, "reinstalled") + `; replace with  p620 = "` + hostPub(t, "reinstalled") + `";  then rekey`,
	}
	if err != nil || !reflect.DeepEqual(d, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(d, "\n"), strings.Join(want, "\n"))
	}
	if d, _ := hostKeyDrift(r, "hp", scan("hp")); len(d) != 1 || d[0] != `hp: not in secrets.nix; add  hp = "`+hostPub(t, "hp")+`";` {
		t.Errorf("new host: %v", d)
	}
	if _, err := hostKeyDrift(r, "hp", []byte("hp ecdsa-sha2-nistp256 AAAA\n")); err == nil || err.Error() != "hp: keyscan returned no ssh-ed25519 or ssh-rsa key" {
		t.Errorf("err = %v", err)
	}
}
