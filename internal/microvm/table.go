package microvm

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints vm:list's table: one row a guest, its uptime as of now.
func WriteTable(w io.Writer, sts []Status, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tVM\tSTATE\tVCPU\tMEM\tSSH\tAUTOSTART\tUPTIME")
	for _, st := range sts {
		up := "-"
		if d := st.Uptime(now); d > 0 {
			up = d.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%dMiB\t%d\t%t\t%s\n", st.Host, st.VM, st.State, st.VCPU, st.MemoryMiB, st.SSHPort, st.Autostart, up)
	}
	return tw.Flush()
}
