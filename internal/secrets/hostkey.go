package secrets

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
)

// keyscan runs ssh-keyscan against the host's ssh destination and port from this machine.
func keyscan(ctx context.Context, local *command.Host, h *inventory.Host) ([]byte, error) {
	args := []string{"ssh-keyscan", "-T", "5", "-t", "ed25519,rsa"}
	if h.SSH.Port != 0 {
		args = append(args, "-p", strconv.Itoa(h.SSH.Port))
	}
	res, err := local.Run(ctx, command.Cmd{Args: append(args, h.SSH.Destination)})
	if err != nil {
		return nil, fmt.Errorf("%s: keyscan: %w", h.Name, err)
	}
	return res.Stdout, nil
}

// ScanHostKey is the ssh-ed25519 key the host presents: the key agenix decrypts with.
func ScanHostKey(ctx context.Context, local *command.Host, h *inventory.Host) (Recipient, error) {
	out, err := keyscan(ctx, local, h)
	if err != nil {
		return Recipient{}, err
	}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == KindEd25519 {
			return ParseRecipient(f[1] + " " + f[2])
		}
	}
	return Recipient{}, fmt.Errorf("%s: keyscan: the host presents no ssh-ed25519 key", h.Name)
}

// SetKey rewrites the let-binding `name = "...";` of the rules file at path to key: the edit
// secrets:hostKeys asks for when a host's key changed, so that a rekey can follow. The binding
// must appear exactly once, on one line; the rest of the file is kept byte for byte.
func SetKey(path, name, key string) error {
	rc, err := ParseRecipient(key)
	if err != nil {
		return fmt.Errorf("%s: key for %s: %w", path, name, err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	re := regexp.MustCompile(`(?m)^(\s*` + regexp.QuoteMeta(name) + `\s*=\s*)"[^"\n]*"(\s*;)`)
	if n := len(re.FindAllIndex(src, -1)); n != 1 {
		return fmt.Errorf("%s: %d one-line bindings %s = \"...\"; (want exactly one): edit it by hand", path, n, name)
	}
	out := re.ReplaceAll(src, []byte("${1}"+strconv.Quote(rc.Key)+"${2}"))
	return durablefile.Write(path, out, 0o644)
}
