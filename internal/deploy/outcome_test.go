package deploy

import "testing"

func TestCheckOutcome(t *testing.T) {
	const newSys, other = "/nix/store/aaaa-nixos-system-web1-25.11.2", "/nix/store/bbbb-nixos-system-web1-25.11.1"
	tests := []struct {
		name   string
		action Action
		st     State
		want   string
	}{
		{"switch as promised", Switch, State{Current: newSys, Profile: newSys}, ""},
		{"switch, another admin's generation is the boot default", Switch, State{Current: newSys, Profile: other},
			"after the switch, its boot default (the system profile) is bbbb-nixos-system-web1-25.11.1 instead of aaaa-nixos-system-web1-25.11.2: something else changed the host during the deploy (another admin, a timer); deploy:generations shows its history"},
		{"switch, something else runs", Switch, State{Current: other, Profile: other},
			"after the switch, it runs bbbb-nixos-system-web1-25.11.1 and its boot default (the system profile) is bbbb-nixos-system-web1-25.11.1 instead of aaaa-nixos-system-web1-25.11.2: something else changed the host during the deploy (another admin, a timer); deploy:generations shows its history"},
		{"test leaves the boot default alone", Test, State{Current: newSys, Profile: other}, ""},
		{"boot does not run it", Boot, State{Current: other, Profile: newSys}, ""},
		{"boot, profile elsewhere", Boot, State{Current: other, Profile: other},
			"after the boot, its boot default (the system profile) is bbbb-nixos-system-web1-25.11.1 instead of aaaa-nixos-system-web1-25.11.2: something else changed the host during the deploy (another admin, a timer); deploy:generations shows its history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := checkOutcome(tt.action, tt.st, newSys); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("checkOutcome:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCheckRolledBack(t *testing.T) {
	const prev, failed = "/nix/store/bbbb-nixos-system-web1-25.11.1", "/nix/store/aaaa-nixos-system-web1-25.11.2"
	tests := []struct {
		name   string
		action Action
		st     State
		want   string
	}{
		{"back as promised", Switch, State{Current: prev, Generation: 7}, ""},
		{"previous generation deleted meanwhile", Switch, State{Current: prev, Generation: 8},
			"its profile is at generation 8, not 7"},
		{"still on the failed system", Switch, State{Current: failed, Generation: 8},
			"it runs aaaa-nixos-system-web1-25.11.2, not bbbb-nixos-system-web1-25.11.1 and its profile is at generation 8, not 7"},
		{"test rollback ignores the profile", Test, State{Current: prev, Generation: 9}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := checkRolledBack(tt.action, tt.st, prev, 7); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("checkRolledBack:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
