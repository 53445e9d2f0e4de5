//go:build mage

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/ai"
	"github.com/nixos-hub/hub/internal/assist"
	"github.com/nixos-hub/hub/internal/deploy"
	featreg "github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/monitoring"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Ai asks the AI providers of hosts/ai.toml about the fleet, in their fallback order (docs/ai.md).
type Ai mg.Namespace

// envAIProviders restricts every ai:* target to these providers (comma list), e.g. "ollama"
// to keep everything on the machine; -provider overrides it for one run.
const envAIProviders = "HUB_AI_PROVIDERS"

// envAIConfig names another configuration file than hosts/ai.toml.
const envAIConfig = "HUB_AI_CONFIG"

// aiOutDir keeps what ai:tune proposes, for review.
const aiOutDir = ".hub/ai"

// newAI loads hosts/ai.toml and builds the client; attempts are reported on stderr as they end.
func newAI(provider *string) (*ai.Client, error) {
	file := os.Getenv(envAIConfig)
	if file == "" {
		file = ai.DefaultConfigFile
	}
	cfg, err := ai.LoadConfig(file)
	if err != nil {
		return nil, err
	}
	only := splitList(flag(provider, os.Getenv(envAIProviders)))
	var c *ai.Client
	c, err = ai.New(cfg, ai.Options{Only: only, OnAttempt: func(a ai.Attempt) {
		if a.Outcome == ai.OutcomeOK {
			return
		}
		wait := "next provider"
		if a.Wait > 0 {
			wait = "retrying in " + a.Wait.String()
		}
		fmt.Fprintf(os.Stderr, "ai: %s attempt %d: %s (%s): %s\n", a.Provider, a.N, a.Outcome, wait, a.Err)
	}})
	return c, err
}

// askAI sends req, streaming the answer to stdout unless -json, then prints the attempts and
// the summary (or the JSON report with extra).
func askAI(ctx context.Context, c *ai.Client, target string, req ai.Request, env runenv.Env, stream bool, extra map[string]string) (*ai.Result, error) {
	asJSON := env.Out.JSON
	var s ai.Stream
	if stream && !asJSON {
		s = func(d string) { os.Stdout.WriteString(d) }
	}
	// The first token can take a while (a model loading on Ollama): say who is being asked.
	fmt.Fprintf(os.Stderr, "ai: asking %s\n", strings.Join(c.Names(), ", then "))
	res, err := c.Generate(ctx, req, s)
	if err != nil {
		err = c.Redactor().Error(err)
	}
	if asJSON {
		rep := ai.Report{Target: target, Attempts: res.Attempts, Total: c.Total(), Extra: extra, Response: res.Response, Cost: res.Cost, Priced: res.Priced}
		if err != nil {
			rep.Error = err.Error()
		}
		if werr := ai.WriteJSON(os.Stdout, c.Redactor(), rep); werr != nil {
			return res, werr
		}
		return res, err
	}
	if stream && res.Response != nil {
		fmt.Println()
	} else if res.Response != nil && req.Schema == nil { // a structured answer is the caller's to show
		fmt.Println(c.Redactor().Redact(res.Response.Text))
	}
	fmt.Println()
	if werr := ai.WriteAttempts(os.Stdout, res.Attempts); werr != nil {
		return res, werr
	}
	ai.WriteSummary(os.Stdout, res, c.Total())
	return res, err
}

// Providers shows which providers hosts/ai.toml configures, in fallback order, where each key comes from, and whether each answers and how fast (all in parallel); -provider NAMES (comma list, default $HUB_AI_PROVIDERS or all), -json.
func (Ai) Providers(ctx context.Context, provider *string, json *bool) error {
	env := runEnv(json, nil)
	c, err := newAI(provider)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	st := c.Check(ctx)
	if env.Out.JSON {
		err = ai.WriteStatusJSON(os.Stdout, c.Redactor(), st)
	} else {
		err = ai.WriteStatus(os.Stdout, st)
	}
	if err != nil {
		return err
	}
	down := 0
	for _, s := range st {
		if !s.Reachable {
			down++
		}
	}
	if down == len(st) {
		return fmt.Errorf("no provider answers: fix the errors above (keys in /run/agenix or their variables, url in %s)", ai.DefaultConfigFile)
	}
	return nil
}

// Ask answers QUESTION with the fleet as context (hosts, roles, resolved features, the last deploy), streamed as it arrives, then the attempts and tokens and cost; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).
func (Ai) Ask(ctx context.Context, question string, provider *string, json *bool) error {
	env := runEnv(json, nil)
	f, err := env.LoadFleet()
	if err != nil {
		return err
	}
	reg, err := featreg.Load(featreg.RegistryPath("."))
	if err != nil {
		return err
	}
	c, err := newAI(provider)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	_, err = askAI(ctx, c, "ai:ask", assist.Ask(question, assist.Facts(f, reg), assist.LastDeploy(runsDir)), env, true, nil)
	return err
}

// Explain reads a run under .hub/runs (-run NAME or DIR; default the newest run with a failed host), sends the failed hosts' phase logs (their last -budget bytes in all, default 24576) and streams an explanation ending in a suggested next command; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).
func (Ai) Explain(ctx context.Context, run *string, budget *int, provider *string, json *bool) error {
	env := runEnv(json, nil)
	dir, err := assist.FailedRun(runsDir, flag(run, ""))
	if err != nil {
		return err
	}
	r, err := assist.ReadRun(dir, flag(budget, 24<<10))
	if err != nil {
		return err
	}
	c, err := newAI(provider)
	if err != nil {
		return err
	}
	if !env.Out.JSON {
		fmt.Printf("explaining %s: %d failed host(s)\n\n", dir, len(r.Failed))
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	_, err = askAI(ctx, c, "ai:explain", assist.Explain(r), env, true, map[string]string{"run": dir})
	return err
}

// Review builds what a deploy of SELECTION would change (deploy:plan) and the git diff of the Nix since each host's running revision, and streams the risks it sees with a go/hold verdict; changes nothing; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).
func (Ai) Review(ctx context.Context, selection string, provider *string, json *bool) error {
	env := runEnv(json, nil)
	f, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	c, err := newAI(provider)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	fmt.Fprintf(os.Stderr, "ai:review: planning %d host(s) (eval and build)...\n", len(hosts))
	plans, err := deploy.Plan(ctx, f, e, hosts, env.Nix, 30*time.Second)
	if err != nil {
		return err
	}
	var plan strings.Builder
	if err := deploy.WritePlan(&plan, plans); err != nil {
		return err
	}
	revs := map[string]string{}
	for _, h := range hosts {
		rev, err := assist.RunningRevision(ctx, e.SSH(h.Name, h.SSH))
		if err != nil {
			return fmt.Errorf("host %s: running revision: %w", h.Name, err)
		}
		revs[h.Name] = rev
	}
	diff, err := assist.NixDiff(ctx, e.Local(), ".", revs)
	if err != nil {
		return err
	}
	_, err = askAI(ctx, c, "ai:review", assist.Review(plan.String(), diff, 48<<10), env, true, nil)
	return err
}

// Tune reads HOST's baseline-exporter metrics (-metrics URL, default http://HOST:9103/metrics) and feature set and proposes tuning as a Nix diff, checked with git apply --check and written to .hub/ai/tune-HOST-TIME.diff for review: never applied; -provider NAMES (comma list; default $HUB_AI_PROVIDERS, else all), -json (a report, no streaming).
func (Ai) Tune(ctx context.Context, host string, metrics *string, provider *string, json *bool) error {
	env := runEnv(json, nil)
	f, h, err := env.Host(host)
	if err != nil {
		return err
	}
	reg, err := featreg.Load(featreg.RegistryPath("."))
	if err != nil {
		return err
	}
	facts, _ := assist.Host(assist.Facts(f, reg), host)
	url := flag(metrics, "")
	if url == "" {
		target, err := monitoring.ScrapeTarget(h, monitoring.PortBaseline)
		if err != nil {
			return err
		}
		url = "http://" + target + "/metrics"
	}
	c, err := newAI(provider)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	sample, err := assist.ScrapeBaseline(ctx, &http.Client{Timeout: 15 * time.Second}, url, 16<<10)
	if err != nil {
		return fmt.Errorf("host %s: %w", host, err)
	}
	nixFile := filepath.Join(f.Dir, host, "default.nix")
	hostNix, err := os.ReadFile(nixFile)
	if err != nil {
		return fmt.Errorf("host %s: %w", host, err)
	}
	res, err := askAI(ctx, c, "ai:tune", assist.Tune(facts, sample, string(hostNix)), env, false, map[string]string{"host": host, "metrics": url})
	if err != nil || res.Response == nil {
		return err
	}
	p, err := assist.ParseTune(res.Response.Text)
	if err != nil {
		return err
	}
	if !env.Out.JSON {
		fmt.Printf("\n%s: %s\n", host, p.Summary)
		for _, ch := range p.Changes {
			fmt.Printf("  [%s] %s: %s\n", ch.Risk, ch.Setting, ch.Reason)
		}
		fmt.Printf("\n%s", p.Diff)
	}
	if strings.TrimSpace(p.Diff) == "" {
		fmt.Fprintf(os.Stderr, "%s: no change proposed: %s\n", host, p.Summary)
		return nil
	}
	path, err := assist.WriteProposal(aiOutDir, host, p.Diff, time.Now())
	if err != nil {
		return err
	}
	if cerr := assist.CheckDiff(ctx, env.Executor().Local(), ".", p.Diff); cerr != nil {
		return fmt.Errorf("%w; the proposal is kept in %s", cerr, path)
	}
	fmt.Fprintf(os.Stderr, "%s: proposal in %s (applies cleanly); review it, then git apply %s\n", host, path, path)
	return nil
}
