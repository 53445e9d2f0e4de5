// Package assist turns what the hub knows about the fleet into questions for internal/ai and reads
// back what comes out: it is the part of the ai:* targets that decides what is sent to a
// provider, so that what leaves the machine is in one place (docs/ai.md lists it).
//
// Entry points, one per target:
//
//	facts := assist.Facts(fleet, registry)                         // hosts, roles, features
//	req := assist.Ask(question, facts, assist.LastDeploy(runsDir)) // ai:ask
//	run, err := assist.ReadRun(assist.FailedRun(runsDir, ""), 24<<10)
//	req = assist.Explain(run)                                      // ai:explain
//	req = assist.Review(plan, diff, 48<<10)                        // ai:review
//	req = assist.Tune(facts[i], metrics)                           // ai:tune, then
//	p, err := assist.ParseTune(res.Response.Text)                  // a reviewable diff
//	err = assist.CheckDiff(ctx, local, repo, p.Diff)                      // git apply --check, never applied
//
// What each question carries: host names, classes, hardware profiles, tags, roles and
// resolved features (never SSH destinations, users or keys); the last deploy's per-host
// outcome; for explain, the failed hosts' phase logs trimmed to a budget; for review, the
// deploy plan and the git diff of the Nix files; for tune, the host's baseline-exporter
// metrics. Everything is passed through the client's Redactor before it is sent.
package assist
