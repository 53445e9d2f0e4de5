//go:build mage

package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nixos-hub/hub/pkg/parallel"
)

// progressOut keeps stdout clean for the JSON report when -json is given.
func progressOut(json *bool) io.Writer {
	if flag(json, false) {
		return os.Stderr
	}
	return os.Stdout
}

// report prints a run's summary (or JSON) and turns failed hosts into the target's error.
func report(rep *parallel.Report, json *bool, runErr error) error {
	if rep == nil { // the run could not start
		return runErr
	}
	if flag(json, false) {
		if err := rep.WriteJSON(os.Stdout); err != nil {
			return err
		}
	} else {
		fmt.Println()
		if err := rep.WriteTable(os.Stdout); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if n := rep.Failed(); n > 0 {
		var failed []string
		for _, h := range rep.Hosts {
			if h.Status.Failed() {
				failed = append(failed, h.Host)
			}
		}
		where := ""
		if rep.RunDir != "" {
			where = "; logs in " + rep.RunDir
		}
		return fmt.Errorf("%d of %d hosts failed (%s): see the table above%s", n, len(rep.Hosts), strings.Join(failed, ", "), where)
	}
	return nil
}
