package nixosmetrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric of the NixOS exporter.
const Namespace = "hub_nixos"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
}

// SystemCollector exports generations and the current, booted and profile systems. Everything it
// reads is a handful of symlinks and small files, cheap enough for the scrape path.
type SystemCollector struct {
	fs     FS
	logger *slog.Logger

	generations, profileGeneration, profileGenerationTime *prometheus.Desc
	systemInfo, systemPresent, specialisations            *prometheus.Desc
	currentGeneration, currentInProfile, currentSpecial   *prometheus.Desc
	currentMatches, rebootRequired, lastSwitch, flakeTime *prometheus.Desc
}

// NewSystemCollector reads the system under fsys.Root; logger receives metadata problems.
func NewSystemCollector(fsys FS, logger *slog.Logger) *SystemCollector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &SystemCollector{
		fs:                    fsys,
		logger:                logger,
		generations:           desc("generations", "Number of system profile generations (system-N-link)."),
		profileGeneration:     desc("profile_generation", "Generation number the system profile points to, the one the bootloader defaults to."),
		profileGenerationTime: desc("profile_generation_timestamp_seconds", "When the profile's generation was created (mtime of its system-N-link)."),
		systemInfo: desc("system_info", "The toplevel each role resolves to: current (running), booted, profile (next boot).",
			"role", "store_path", "nixos_version", "kernel_version", "configuration_revision"),
		systemPresent:     desc("system_present", "Whether the role's link exists and its toplevel is still in the store (0 for a garbage-collected booted system).", "role"),
		specialisations:   desc("specialisations", "Number of specialisations of the role's toplevel.", "role"),
		currentGeneration: desc("current_generation", "Generation the running system belongs to, directly or as one of its specialisations; absent after a `test` activation."),
		currentInProfile:  desc("current_in_profile", "Whether the running system is a profile generation or a specialisation of one (0 after `switch-to-configuration test`)."),
		currentSpecial:    desc("current_specialisation_info", "The specialisation the running system is, when it is one.", "specialisation"),
		currentMatches:    desc("current_matches", "Whether the running system equals the role's toplevel (profile: also when running one of its specialisations).", "role"),
		rebootRequired: desc("reboot_required", "Whether a reboot is needed because the component differs between the booted system and the profile (the next boot); reason=unknown when the booted system was garbage collected.",
			"reason"),
		lastSwitch: desc("last_switch_timestamp_seconds", "When the running system was deployed: the last switch or test activation since boot (mtime of /run/current-system), else the creation of its profile generation; a reboot does not change it."),
		flakeTime:  desc("flake_input_last_modified_timestamp_seconds", "lastModified of each direct flake input of the running system, from <toplevel>/"+flakeLockPath+".", "input"),
	}
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Update reads the state and sends it.
func (c *SystemCollector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	st, err := c.fs.readState(ctx)
	if err != nil {
		return fmt.Errorf("nixos system: %w", err)
	}
	ch <- gauge(c.generations, float64(len(st.Generations)))
	if st.ProfileGeneration > 0 {
		ch <- gauge(c.profileGeneration, float64(st.ProfileGeneration))
		for _, g := range st.Generations {
			if g.Number == st.ProfileGeneration {
				ch <- gauge(c.profileGenerationTime, float64(g.Created.UnixNano())/1e9)
			}
		}
	}
	for _, s := range []struct {
		role string
		sys  *system
	}{{"current", st.Current}, {"booted", st.Booted}, {"profile", st.Profile}} {
		ch <- gauge(c.systemPresent, boolf(s.sys != nil && s.sys.Present), s.role)
		if s.sys == nil {
			continue
		}
		for _, p := range s.sys.Problems {
			if !errors.Is(p, errDangling) {
				c.logger.Debug("system metadata", "role", s.role, "err", p)
			}
		}
		ch <- gauge(c.systemInfo, 1, s.role, s.sys.StorePath, s.sys.NixOSVersion, s.sys.KernelVersion, s.sys.ConfigurationRevision)
		if s.sys.Present {
			ch <- gauge(c.specialisations, float64(len(s.sys.Specialisations)), s.role)
		}
	}
	if cur := st.Current; cur != nil {
		ch <- gauge(c.lastSwitch, float64(st.LastSwitch.UnixNano())/1e9)
		ch <- gauge(c.currentInProfile, boolf(st.CurrentGeneration > 0))
		if st.CurrentGeneration > 0 {
			ch <- gauge(c.currentGeneration, float64(st.CurrentGeneration))
		}
		if st.CurrentSpecialisation != "" {
			ch <- gauge(c.currentSpecial, 1, st.CurrentSpecialisation)
		}
		if st.Booted != nil {
			ch <- gauge(c.currentMatches, boolf(st.Booted.StorePath == cur.StorePath), "booted")
		}
		if st.Profile != nil {
			ch <- gauge(c.currentMatches, boolf(st.Profile.StorePath == cur.StorePath ||
				(st.CurrentSpecialisation != "" && st.CurrentGeneration == st.ProfileGeneration)), "profile")
		}
		names := make([]string, 0, len(cur.FlakeInputs))
		for name := range cur.FlakeInputs {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			ch <- gauge(c.flakeTime, float64(cur.FlakeInputs[name].Unix()), name)
		}
	}
	if st.RebootRequired != nil || st.RebootUnknown {
		for _, comp := range rebootComponents {
			ch <- gauge(c.rebootRequired, boolf(st.RebootRequired[comp]), comp)
		}
		ch <- gauge(c.rebootRequired, boolf(st.RebootUnknown), "unknown")
	}
	return nil
}

// String helps debugging output name the collector.
func (c *SystemCollector) String() string {
	return "nixos system collector at root " + strconv.Quote(c.fs.Root)
}
