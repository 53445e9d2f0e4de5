package deploy

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nixos-hub/hub/pkg/inventory"
)

// ConfirmGuarded asks for each guarded host's name to be typed before a deploy touches it.
// yes skips the question; without a terminal (interactive false) a guarded host is refused,
// because a script that pipes "yes" into a deploy has not read what it is confirming.
func ConfirmGuarded(hosts []*inventory.Host, yes, interactive bool, in io.Reader, out io.Writer, what string) error {
	var guarded []string
	for _, h := range hosts {
		if h.Guarded {
			guarded = append(guarded, h.Name)
		}
	}
	if len(guarded) == 0 || yes {
		return nil
	}
	if !interactive {
		return fmt.Errorf("%s is guarded (guarded = true in host.toml) and there is no terminal to confirm on: run it interactively, or pass -yes", strings.Join(guarded, ", "))
	}
	r := bufio.NewReader(in)
	for _, name := range guarded {
		fmt.Fprintf(out, "%s is guarded. Type its name to %s it: ", name, what)
		line, err := r.ReadString('\n')
		if strings.TrimSpace(line) != name {
			if err != nil && line == "" {
				return fmt.Errorf("%s: no confirmation (%v): nothing was deployed", name, err)
			}
			return fmt.Errorf("%s: confirmation %q does not match the host name: nothing was deployed", name, strings.TrimSpace(line))
		}
	}
	return nil
}
