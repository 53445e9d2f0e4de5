package deploy

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
)

// The shell scripts the deploy runs on a target (sh -c, or on stdin), one file each under
// scripts/, so that ShellCheck checks them as sh (internal/shlint, test:shellLint) as it checks
// supervise.sh.
//
//go:embed scripts/*.sh
var scriptFiles embed.FS

// scriptPaths fill the scripts' @name@ fields: the deploy's paths on the target, written once
// (remote.go), and supervise.sh's last line.
var scriptPaths = strings.NewReplacer("@stateRoot@", stateRoot, "@profilePath@", profilePath, "@lockDir@", lockDir, "@lastFile@", lastFile,
	"@superviseEnd@", superviseEnd)

// superviseEnd is supervise.sh's last line, which start.sh looks for to tell a whole upload
// from one cut short.
var superviseEnd = func() string {
	s := strings.TrimSuffix(superviseSource, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}()

var leftover = regexp.MustCompile(`@[A-Za-z_][A-Za-z0-9_]*@`)

// script is scripts/<name>.sh as it is sent to a host: without its leading comment lines (the
// shellcheck directive and the pointer to its Go side), its @name@ fields filled. A missing file
// or an unknown field is a programming error and panics when the package loads.
func script(name string) string {
	b, err := scriptFiles.ReadFile("scripts/" + name + ".sh")
	if err != nil {
		panic(err)
	}
	s := string(b)
	for strings.HasPrefix(s, "#") {
		_, s, _ = strings.Cut(s, "\n")
	}
	s = scriptPaths.Replace(s)
	if m := leftover.FindString(s); m != "" {
		panic(fmt.Sprintf("scripts/%s.sh: unknown field %s", name, m))
	}
	return s
}
