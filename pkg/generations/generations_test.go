package generations

import (
	"bytes"
	"strings"
	"testing"
)

const listed = `   1   2026-01-02 10:00:00   
   2   2026-01-05 11:30:00   
   4   2026-02-01 09:15:42   (current)
   5   2026-02-03 18:00:00   
`

func TestParseAndTable(t *testing.T) {
	gens, err := Parse(listed)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Write(&b, gens)
	want := "GENERATION  CREATED              CURRENT\n1           2026-01-02 10:00:00  \n2           2026-01-05 11:30:00  \n4           2026-02-01 09:15:42  *\n5           2026-02-03 18:00:00  \n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	if _, err := Parse("garbage\n"); err == nil {
		t.Error("Parse accepted garbage")
	}
}

func TestTarget(t *testing.T) {
	gens, _ := Parse(listed)
	for _, tc := range []struct {
		gen     int
		want    int
		wantErr string
	}{
		{0, 2, ""}, // the previous one, not the newer 5
		{1, 1, ""},
		{5, 5, ""}, // forward again, after a rollback
		{4, 0, "generation 4 is already the current one"},
		{3, 0, "no generation 3 (the profile has 1, 2, 4, 5)"},
	} {
		g, err := Target(gens, tc.gen)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Target(%d) err = %v, want %q", tc.gen, err, tc.wantErr)
			}
			continue
		}
		if err != nil || g.Number != tc.want {
			t.Errorf("Target(%d) = %d, %v; want %d", tc.gen, g.Number, err, tc.want)
		}
	}
	one, _ := Parse("   1   2026-01-02 10:00:00   (current)\n")
	if _, err := Target(one, 0); err == nil || !strings.Contains(err.Error(), "the oldest") {
		t.Errorf("rollback from the only generation: %v", err)
	}
	if _, err := Target(gens[:2], 0); err == nil || err.Error() != "no current generation in the profile" {
		t.Errorf("no current: %v", err)
	}
}
