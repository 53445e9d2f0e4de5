package deploy

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nixos-hub/hub/internal/inventory"
)

// ConfirmGuarded asks for each guarded host's name to be typed before a deploy touches it, and
// returns the guarded hosts to skip. yes confirms them all, saying so on out for each (a guard
// waived by a flag must still leave a line in the log). Without a terminal (interactive false)
// the guarded hosts are skipped, with a line each, and the rest go on: a cron job or CI deploy
// of the fleet deploys what it may; a script that pipes "yes" in has not read what it confirms.
// When every host would be skipped, nothing would happen: that is an error.
func ConfirmGuarded(hosts []*inventory.Host, yes, interactive bool, in io.Reader, out io.Writer, what string) (skip map[string]string, err error) {
	var guarded []string
	for _, h := range hosts {
		if h.Guarded {
			guarded = append(guarded, h.Name)
		}
	}
	if len(guarded) == 0 {
		return nil, nil
	}
	if yes {
		for _, name := range guarded {
			fmt.Fprintf(out, "%s is guarded (guarded = true in host.toml): confirmed by -yes\n", name)
		}
		return nil, nil
	}
	if !interactive {
		if len(guarded) == len(hosts) {
			return nil, fmt.Errorf("%s is guarded (guarded = true in host.toml) and there is no terminal to confirm on: run it interactively, or pass -yes", strings.Join(guarded, ", "))
		}
		skip = map[string]string{}
		for _, name := range guarded {
			skip[name] = "guarded, no terminal to confirm on: run interactively or pass -yes"
			fmt.Fprintf(out, "%s is guarded (guarded = true in host.toml) and there is no terminal to confirm on: skipped (run interactively, or pass -yes)\n", name)
		}
		return skip, nil
	}
	r := bufio.NewReader(in)
	for _, name := range guarded {
		fmt.Fprintf(out, "%s is guarded. Type its name to %s it: ", name, what)
		line, err := r.ReadString('\n')
		if strings.TrimSpace(line) != name {
			if err != nil && line == "" {
				return nil, fmt.Errorf("%s: no confirmation (%v): nothing was deployed", name, err)
			}
			return nil, fmt.Errorf("%s: confirmation %q does not match the host name: nothing was deployed", name, strings.TrimSpace(line))
		}
	}
	return nil, nil
}

// ConfirmPlan shows plans (deploy:plan's table) on out and asks for "yes" on in before a
// deploy goes on. Anything else, or the end of input, stops it with nothing deployed. A plan in
// which nothing changes needs no answer.
func ConfirmPlan(in io.Reader, out io.Writer, plans []HostPlan) error {
	if err := WritePlan(out, plans); err != nil {
		return err
	}
	changing := 0
	for _, p := range plans {
		if p.Err != nil || p.New != p.Running {
			changing++
		}
	}
	if changing == 0 {
		fmt.Fprintln(out, "nothing changes")
		return nil
	}
	fmt.Fprintf(out, "Deploy to %d host(s) as shown? Type yes to go on: ", changing)
	line, err := bufio.NewReader(in).ReadString('\n')
	if answer := strings.TrimSpace(line); answer != "yes" {
		if err != nil && answer == "" {
			return fmt.Errorf("no answer (%v): nothing was deployed", err)
		}
		return fmt.Errorf("answer %q is not yes: nothing was deployed", answer)
	}
	return nil
}
