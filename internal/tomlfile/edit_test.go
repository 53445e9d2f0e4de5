package tomlfile

import (
	"strings"
	"testing"
	"time"
)

func TestSetKeys(t *testing.T) {
	const in = `# The person's header comment.

["a.age"]
  generator = "hex"   # their note
  rotated = 2026-01-01T00:00:00Z # written by rotate

# between tables
["b.age"]
generator = "wireguard"
period = "1d" # "#" in a comment
["c.age"]
`
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		table string
		sets  []Set
		want  string
	}{
		{"replace keeps comment and indent", "a.age", []Set{{"rotated", at}},
			strings.Replace(in, "  rotated = 2026-01-01T00:00:00Z # written by rotate", "  rotated = 2026-12-01T08:00:00Z  # written by rotate", 1)},
		{"insert after the last key", "b.age", []Set{{"rotated", at}, {"public_key", "k#ey \"q\""}},
			strings.Replace(in, `period = "1d" # "#" in a comment`+"\n", `period = "1d" # "#" in a comment`+"\nrotated = 2026-12-01T08:00:00Z\npublic_key = \"k#ey \\\"q\\\"\"\n", 1)},
		{"empty table at the end", "c.age", []Set{{"period", "2w"}}, in + "period = \"2w\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SetKeys([]byte(in), []string{tc.table}, tc.sets...)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if _, err := SetKeys([]byte(in), []string{"d.age"}, Set{"rotated", at}); err == nil || err.Error() != "no table [d.age]" {
		t.Errorf("missing table: %v", err)
	}
}
