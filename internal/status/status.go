// Package status reads what a person checks first on a host, in two ssh round trips: uptime,
// load, memory, disk space, Nix store size, system generations, the last deploy, failed units
// and whether a reboot is pending. Read is the entry point; hosts:status fans it out over a
// selection.
//
// Entry point: [Read] returns one [Host]'s status.
package status

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/nix"
)

// Host is one host's status.
type Host struct {
	Uptime       time.Duration
	Load         [3]float64
	MemTotal     int64 // bytes
	MemAvailable int64 // bytes
	Disks        []Disk
	// StoreBytes is the sum of the store paths' NAR sizes as the store database has them (what
	// `nix path-info --all -s` reports); -1 when it could not be read.
	StoreBytes  int64
	Generations int // system profile generations on disk
	Generation  int // the current one
	LastDeploy  string
	// FailedUnits is nil on a host without systemd (Systemd false), else the failed units.
	Systemd     bool
	FailedUnits []string
	RebootParts []string // boot parts (kernel, initrd, ...) that differ from the booted system
}

// Disk is one mounted file system the host depends on: /, and /nix and /boot when they are
// mounts of their own.
type Disk struct {
	Mount      string
	Used, Size int64 // bytes
}

// percent is Used of Size, 0-100.
func (d Disk) percent() float64 {
	if d.Size == 0 {
		return 0
	}
	return 100 * float64(d.Used) / float64(d.Size)
}

// script prints key=value lines. df -P prints each file system's mount point, so /nix and /boot
// are only listed when they are mounts of their own (not the root file system again).
func script() string {
	return `read -r up _ </proc/uptime && echo "uptime=${up%.*}"
read -r a b c _ </proc/loadavg && echo "load=$a $b $c"
awk '/^MemTotal:/{print "mem_total_kib=" $2} /^MemAvailable:/{print "mem_available_kib=" $2}' /proc/meminfo
for m in / /nix /boot; do
  df -Pk "$m" 2>/dev/null | awk -v m="$m" 'NR==2 && $6==m {print "disk=" m " " $3 " " $2}'
done
set -- /nix/var/nix/profiles/system-*-link
if [ -e "$1" ]; then echo "generations=$#"; else echo generations=0; fi
s=$(nix ` + command.Quote(nix.Real().Args()) + ` path-info --all -s 2>/dev/null | awk '{s+=$2} END{print s+0}') && echo "store_bytes=$s"
if [ -d /run/systemd/system ]; then
  echo "failed=$(systemctl --failed --plain --no-legend 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
fi
`
}

// Read reads host's status; timeout bounds each round trip.
func Read(ctx context.Context, h *command.Host, timeout time.Duration) (Host, error) {
	st, err := deploy.Probe(ctx, h, "", timeout)
	if err != nil {
		return Host{}, fmt.Errorf("probe: %w", err)
	}
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script()}, Timeout: timeout})
	if err != nil {
		return Host{}, fmt.Errorf("status: %w", err)
	}
	s := parse(string(res.Stdout))
	s.Generation, s.LastDeploy, s.RebootParts, s.Systemd = st.Generation, st.LastDeploy, st.RebootParts, st.Systemd
	if !s.Systemd {
		s.FailedUnits = nil
	}
	return s, nil
}

func parse(out string) Host {
	s := Host{StoreBytes: -1}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch k {
		case "uptime":
			n, _ := strconv.Atoi(v)
			s.Uptime = time.Duration(n) * time.Second
		case "load":
			for i, f := range strings.Fields(v) {
				if i < 3 {
					s.Load[i], _ = strconv.ParseFloat(f, 64)
				}
			}
		case "mem_total_kib":
			n, _ := strconv.ParseInt(v, 10, 64)
			s.MemTotal = n << 10
		case "mem_available_kib":
			n, _ := strconv.ParseInt(v, 10, 64)
			s.MemAvailable = n << 10
		case "disk":
			f := strings.Fields(v)
			if len(f) == 3 {
				used, _ := strconv.ParseInt(f[1], 10, 64)
				size, _ := strconv.ParseInt(f[2], 10, 64)
				s.Disks = append(s.Disks, Disk{Mount: f[0], Used: used << 10, Size: size << 10})
			}
		case "generations":
			s.Generations, _ = strconv.Atoi(v)
		case "store_bytes":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				s.StoreBytes = n
			}
		case "failed":
			s.FailedUnits = strings.Fields(v)
			if s.FailedUnits == nil {
				s.FailedUnits = []string{}
			}
		}
	}
	return s
}

// Fields renders the status as the summary table's columns (and -json's fields), in order.
func (s Host) Fields() [][2]string {
	var disks []string
	for _, d := range s.Disks {
		disks = append(disks, fmt.Sprintf("%s %.0f%%", d.Mount, d.percent()))
	}
	store := "?"
	if s.StoreBytes >= 0 {
		store = humanize.IBytes(uint64(s.StoreBytes))
	}
	failed := "no systemd"
	if s.Systemd {
		failed = fmt.Sprint(len(s.FailedUnits))
		if len(s.FailedUnits) > 0 {
			failed += " (" + strings.Join(s.FailedUnits, ",") + ")"
		}
	}
	reboot := "no"
	if len(s.RebootParts) > 0 {
		reboot = strings.Join(s.RebootParts, ",")
	}
	last := s.LastDeploy
	if last == "" {
		last = "-"
	}
	mem := "?"
	if s.MemTotal > 0 {
		mem = fmt.Sprintf("%s/%s", humanize.IBytes(uint64(s.MemTotal-s.MemAvailable)), humanize.IBytes(uint64(s.MemTotal)))
	}
	return [][2]string{
		{"uptime", roundUptime(s.Uptime)},
		{"load", fmt.Sprintf("%.2f", s.Load[0])},
		{"memory", mem},
		{"disk", strings.Join(disks, " ")},
		{"store", store},
		{"generation", fmt.Sprintf("%d of %d", s.Generation, s.Generations)},
		{"last-deploy", last},
		{"failed-units", failed},
		{"reboot", reboot},
	}
}

func roundUptime(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return d.Round(time.Second).String()
	}
}
