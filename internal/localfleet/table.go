package localfleet

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteStatus prints the status as a table: host, address, sshd pid and state, running
// system, its generation, the profile generation and whether a reboot is needed.
func WriteStatus(w io.Writer, st []HostStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tADDRESS\tPID\tSSHD\tRUNNING SYSTEM\tGEN\tPROFILE\tREBOOT")
	for _, s := range st {
		pid, gen, reboot := "-", "-", ""
		if s.SSHDPid > 0 {
			pid = fmt.Sprint(s.SSHDPid)
		}
		if s.Generation > 0 {
			gen = fmt.Sprint(s.Generation)
		}
		if s.RebootRequired {
			reboot = "needed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, knownHostsName(s.Address, s.Port), pid, s.SSHD, shortPath(s.System), gen, s.Profile, reboot)
	}
	return tw.Flush()
}
