// Command mage is the hub's `go tool mage` (the tool directive in go.mod): mage, with one compile
// at a time per magefiles directory and argument errors in one line (internal/magerun).
package main

import (
	"os"

	"github.com/nixos-hub/hub/internal/magerun"
)

func main() {
	os.Exit(magerun.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
