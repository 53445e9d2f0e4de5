package microvm

import (
	"strings"
	"testing"
	"time"
)

// A running guest shows its uptime, a stopped one "-".
func TestWriteTable(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := WriteTable(&b, []Status{
		{Host: "p620", VM: "dev", State: Running, Since: now.Add(-90 * time.Second), VCPU: 2, MemoryMiB: 2048, SSHPort: 2222, Autostart: true},
		{Host: "p620", VM: "small", State: "stopped", VCPU: 1, MemoryMiB: 256, SSHPort: 2223},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `HOST  VM     STATE    VCPU  MEM      SSH   AUTOSTART  UPTIME
p620  dev    running  2     2048MiB  2222  true       1m30s
p620  small  stopped  1     256MiB   2223  false      -
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
