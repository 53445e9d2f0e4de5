package monitoring

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// metricNodeCarrierChanges is node_exporter's (netclass collector, on by default) count of an
// interface's link going up or down, from /sys/class/net/<dev>/carrier_changes.
const metricNodeCarrierChanges = "node_network_carrier_changes_total"

// Link flapping: a cable, port, NIC power saving or a Wi-Fi link dropping and coming back. One
// drop is two changes (down, up); a cable replugged once stays quiet.
const (
	flapWindow  = 15 * time.Minute
	flapChanges = 6 // three drops within flapWindow
	flapFor     = 2 * time.Minute
)

// flapDevices leaves out interfaces whose carrier changes by design: loopback, containers'
// and VMs' veth/tap pairs, bridges that follow their members, tunnels that come and go with a
// daemon (tailscale, wireguard).
const flapDevices = `device!~"lo|veth.*|vnet.*|tap.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|tailscale.*|wg.*"`

func networkGroup() ruleGroup {
	sel := metricNodeCarrierChanges + "{" + flapDevices + "}"
	return ruleGroup{Name: "network", Alerts: []alert{
		{
			Name: "InterfaceFlapping",
			Expr: fmt.Sprintf(`increase(%s[%s]) >= %d`, sel, model.Duration(flapWindow), flapChanges),
			For:  flapFor, Severity: severityWarning,
			Summary: "{{ $labels.device }} on {{ $labels.host }} is flapping",
			Detail:  "The link of {{ $labels.device }} went down and came back at least 3 times (6 carrier changes) in 15 minutes: check the cable and switch port, the NIC's power saving (ethtool, powertop) and `journalctl -k` on the host. Services on it see timeouts meanwhile.",
			Needs:   []string{metricNodeCarrierChanges},
		},
	}}
}
