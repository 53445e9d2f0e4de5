package assist

import (
	"fmt"
	"strings"

	"github.com/nixos-hub/hub/internal/ai"
)

const fleetRole = `You assist the operator of a fleet of NixOS hosts managed by "the hub": a Go repository ` +
	`that is both the fleet's NixOS configuration (flake, hosts/<name>/host.toml, modules behind feature flags) ` +
	`and Mage targets that operate it (go tool mage deploy:hosts SELECTION, deploy:plan, deploy:rollback HOST, ` +
	`hosts:ping, secrets:status, features:host HOST, backup:status). Be concrete and brief; name hosts, files and ` +
	`commands. Never invent hosts or features that the facts do not list.`

// Ask is ai:ask's question: the operator's words with the fleet as context.
func Ask(question string, facts []HostFacts, lastDeploy string) ai.Request {
	var b strings.Builder
	b.WriteString("The fleet:\n")
	writeFacts(&b, facts)
	if lastDeploy != "" {
		b.WriteString("\n" + lastDeploy)
	}
	b.WriteString("\nQuestion: " + question)
	return ai.Request{System: fleetRole, Messages: []ai.Message{{Role: ai.RoleUser, Text: b.String()}}}
}

// Explain is ai:explain's question: why the run failed and what to run next.
func Explain(r *Run) ai.Request {
	var b strings.Builder
	fmt.Fprintf(&b, "The hub run %s (%s, started %s) failed on %d host(s).\n", r.Name, r.Target, r.Started, len(r.Failed))
	for _, h := range r.Failed {
		fmt.Fprintf(&b, "\n## host %s: %s in phase %s\nerror: %s\n", h.Host, h.Status, orNone(h.Phase), h.Error)
		if h.Log != "" {
			fmt.Fprintf(&b, "log %s (%s):\n```\n%s\n```\n", h.LogFile, trimNote(h.Trimmed), h.Log)
		}
	}
	b.WriteString("\nExplain the most likely cause of each failure in two or three sentences, citing the log lines. " +
		"Then give exactly one suggested next command on a line of its own starting with \"next: \" (a hub target such as " +
		"go tool mage deploy:hosts HOST, or a shell command on the host).")
	return ai.Request{System: fleetRole, Messages: []ai.Message{{Role: ai.RoleUser, Text: b.String()}}}
}

func trimNote(trimmed bool) string {
	if trimmed {
		return "its last lines, trimmed to the budget"
	}
	return "whole"
}

// Review is ai:review's question: the deploy plan and the Nix diff, for risks before a deploy.
// diff is cut to budget bytes (the plan is short and always whole).
func Review(plan, diff string, budget int) ai.Request {
	var b strings.Builder
	b.WriteString("A deploy is about to run. What it would change per host (deploy:plan):\n```\n" + plan + "\n```\n")
	d, cut := head(diff, budget)
	if strings.TrimSpace(d) == "" {
		b.WriteString("\nThe Nix files have not changed since the revisions the hosts run.\n")
	} else {
		note := ""
		if cut {
			note = fmt.Sprintf(" (cut to the first %d bytes)", budget)
		}
		fmt.Fprintf(&b, "\nThe git diff of the Nix configuration since the running revisions%s:\n```diff\n%s\n```\n", note, d)
	}
	b.WriteString("\nList the risks of this deploy, most serious first, each as \"- [high|medium|low] host(s): risk — why — what to check\" " +
		"(lost SSH access, firewall, boot loader, kernel and reboots, services restarted, secrets, disk space). " +
		"End with one line \"verdict: go\" or \"verdict: hold\".")
	return ai.Request{System: fleetRole, Messages: []ai.Message{{Role: ai.RoleUser, Text: b.String()}}}
}

// tuneSchema is the structured answer ai:tune asks for.
var tuneSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"summary": map[string]any{"type": "string", "description": "what the metrics show, two sentences"},
		"changes": map[string]any{"type": "array", "items": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"setting": map[string]any{"type": "string", "description": "NixOS option set"},
				"reason":  map[string]any{"type": "string", "description": "the metric that motivates it"},
				"risk":    map[string]any{"type": "string", "enum": []any{"low", "medium", "high"}},
			},
			"required":             []any{"setting", "reason", "risk"},
			"additionalProperties": false,
		}},
		"diff": map[string]any{"type": "string", "description": "a unified diff (git diff format, paths a/ and b/ from the repository root) of hosts/<host>/default.nix"},
	},
	"required":             []any{"summary", "changes", "diff"},
	"additionalProperties": false,
}

// Tune is ai:tune's question: the host's baseline metrics and features, answered as tuneSchema.
// hostNix is the host's current hosts/<name>/default.nix, which the diff must apply to.
func Tune(h HostFacts, metrics, hostNix string) ai.Request {
	var b strings.Builder
	fmt.Fprintf(&b, "Host %s:\n", h.Name)
	writeFacts(&b, []HostFacts{h})
	fmt.Fprintf(&b, "\nIts baseline exporter's metrics (deviations from its recorded baselines):\n```\n%s\n```\n", metrics)
	fmt.Fprintf(&b, "\nIts hosts/%s/default.nix:\n```nix\n%s\n```\n", h.Name, hostNix)
	fmt.Fprintf(&b, "\nPropose NixOS tuning for this host that the metrics justify (kernel sysctls, zram, nix build settings, "+
		"service limits), on nixos-25.11 options only, or none when nothing is off. Give the change as a unified diff of "+
		"hosts/%s/default.nix that git apply accepts. It will be reviewed by a person, never applied automatically.", h.Name)
	return ai.Request{System: fleetRole, Messages: []ai.Message{{Role: ai.RoleUser, Text: b.String()}},
		Schema: tuneSchema, SchemaName: "tuning"}
}

// head keeps the first max bytes of s, at a line boundary.
func head(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	s = s[:max]
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s, true
}

// tail keeps the last max bytes of s, at a line boundary: a failure is at the end of its log.
func tail(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	s = s[len(s)-max:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s, true
}
