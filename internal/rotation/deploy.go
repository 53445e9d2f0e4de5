package rotation

import (
	"context"
	"errors"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
)

// Deploy delivers by the deploy engine: a switch of the hosts, whose new system carries the
// .age files of the checkout (agenix decrypts them at activation). Stage, when set, runs for each
// host first: the local fleet's systems are not built from the checkout, so it points them at the
// checkout's .age files there.
type Deploy struct {
	Fleet    *inventory.Fleet
	Executor *command.Executor
	Options  deploy.Options // Action is always a switch
	Stage    func(ctx context.Context, h *inventory.Host) error
}

// Deliver switches the hosts and returns those whose deploy failed.
func (d Deploy) Deliver(ctx context.Context, hosts []*inventory.Host) map[string]error {
	failed := map[string]error{}
	var todo []*inventory.Host
	for _, h := range hosts {
		if d.Stage != nil {
			if err := d.Stage(ctx, h); err != nil {
				failed[h.Name] = err
				continue
			}
		}
		todo = append(todo, h)
	}
	if len(todo) == 0 {
		return failed
	}
	opts := d.Options
	opts.Action = deploy.Switch
	opts.KeepGoing = true // a host that fails must not stop the others: the rollback needs to know each
	res, err := deploy.Run(ctx, d.Fleet, d.Executor, todo, opts)
	if res == nil {
		for _, h := range todo {
			failed[h.Name] = err
		}
		return failed
	}
	for _, hr := range res.Report.Hosts {
		if hr.Status.Failed() {
			failed[hr.Host] = hr.Err
			if hr.Err == nil {
				failed[hr.Host] = errors.New(string(hr.Status))
			}
		}
	}
	return failed
}
