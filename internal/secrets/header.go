package secrets

import (
	"strings"

	"github.com/nixos-hub/hub/internal/secrets/internal/ageheader"
)

// Access is who a header grants access to, as far as it can be known without private keys.
type Access struct {
	// SSHTags counts ssh-ed25519 and ssh-rsa stanzas by "type tag".
	SSHTags map[string]int
	// X25519 counts native age stanzas: they are anonymous, so only their number is known.
	X25519 int
	// Other lists stanza types that are neither ssh, X25519 nor grease (scrypt, plugins).
	Other []string
}

// accessOf summarises a header's recipients, ignoring grease stanzas.
func accessOf(h *ageheader.File) Access {
	a := Access{SSHTags: map[string]int{}}
	for _, s := range h.Keys {
		switch {
		case s.Type == KindEd25519 || s.Type == KindRSA:
			if len(s.Args) > 0 {
				a.SSHTags[s.Type+" "+s.Args[0]]++
			} else {
				a.Other = append(a.Other, s.Type+" (no tag)")
			}
		case s.Type == KindX25519:
			a.X25519++
		case strings.HasSuffix(s.Type, ageheader.GreaseSuffix):
		default:
			a.Other = append(a.Other, s.Type)
		}
	}
	return a
}
