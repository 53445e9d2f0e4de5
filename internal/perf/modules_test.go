package perf

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// tuningExpr evaluates the tuning modules (modules/core/memory.nix, boot-time.nix,
// resources.nix) with nix/options-lib.nix as lib, as the offline option check does, for a host
// of the given class and hardware profile (host.toml's hardware field; "" for none), and
// returns what they set once mkIf and mkDefault are unwrapped.
const tuningExpr = `{ root, class, buildHost, hardware ? "" }:
let
  lib = import (root + "/nix/options-lib.nix");
  mod = f: import (root + "/modules/core/${f}.nix") { inherit config lib; pkgs = throw "no pkgs"; };
  memory = mod "memory"; boot = mod "boot-time"; resources = mod "resources";
  defaults = m: n: builtins.mapAttrs (_: o: o.default) m.options.hub.features.${n};
  config = {
    hub.host.toml = { inherit class; } // (if hardware == "" then { } else { inherit hardware; });
    hub.features = {
      memory = defaults memory "memory" // { enable = true; };
      boot-time = defaults boot "boot-time" // { enable = true; };
      resources = defaults resources "resources" // { enable = true; };
      build-host.enable = buildHost;
    };
    networking.networkmanager.enable = true;
  };
  unwrap = v:
    if builtins.isAttrs v && (v._type or "") == "override" then unwrap v.content
    else if builtins.isAttrs v && (v._type or "") == "if" then (if v.condition then unwrap v.content else null)
    else if builtins.isAttrs v && !(v ? _type) then builtins.mapAttrs (_: unwrap) v
    else v;
in
{
  memory = unwrap memory.config;
  boot = unwrap boot.config;
  resources = unwrap resources.config;
}`

// evalTuning runs tuningExpr for one host shape; it skips the test where nix-instantiate is
// missing (SKIPPED, not a pass).
func evalTuning(t *testing.T, class, hardware string, buildHost bool) []byte {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	args := append(nix.EvalArgs(), "--eval", "--strict", "--json", "--argstr", "root", root, "--argstr", "class", class,
		"--argstr", "hardware", hardware, "--arg", "buildHost", map[bool]string{true: "true", false: "false"}[buildHost],
		"--expr", tuningExpr)
	e := &command.Executor{}
	res, err := e.Local().Run(context.Background(), command.Cmd{Args: append([]string{"nix-instantiate"}, args...)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Stdout
}

func TestTuningPerClass(t *testing.T) {
	type set struct {
		Memory struct {
			ZramSwap *struct {
				Enable        bool `json:"enable"`
				MemoryPercent int  `json:"memoryPercent"`
			} `json:"zramSwap"`
			Boot struct {
				Kernel struct {
					Sysctl map[string]int `json:"sysctl"`
				} `json:"kernel"`
			} `json:"boot"`
			Systemd struct {
				Oomd struct {
					EnableRootSlice  bool `json:"enableRootSlice"`
					EnableUserSlices bool `json:"enableUserSlices"`
				} `json:"oomd"`
			} `json:"systemd"`
		} `json:"memory"`
		Boot struct {
			Systemd struct {
				Services map[string]struct {
					Enable *bool `json:"enable"`
				} `json:"services"`
			} `json:"systemd"`
		} `json:"boot"`
		Resources struct {
			Nix struct {
				CPU string `json:"daemonCPUSchedPolicy"`
				IO  string `json:"daemonIOSchedClass"`
			} `json:"nix"`
			Systemd struct {
				Services map[string]struct {
					ServiceConfig map[string]any `json:"serviceConfig"`
				} `json:"services"`
			} `json:"systemd"`
		} `json:"resources"`
	}
	type want struct {
		zram, swappiness int
		userSlices       bool
		waitOnlineOff    bool
		cpu, io          string
		memoryHigh       any
	}
	for _, tt := range []struct {
		class     string
		buildHost bool
		want      want
	}{
		{"server", false, want{25, 150, false, false, "batch", "best-effort", nil}},
		{"laptop", false, want{50, 150, true, true, "idle", "idle", "75%"}},
		{"workstation", true, want{50, 150, true, true, "batch", "best-effort", nil}},
	} {
		t.Run(tt.class, func(t *testing.T) {
			out := evalTuning(t, tt.class, "", tt.buildHost)
			var s set
			if err := json.Unmarshal(out, &s); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			var got want
			if z := s.Memory.ZramSwap; z != nil && z.Enable {
				got.zram = z.MemoryPercent
			}
			got.swappiness = s.Memory.Boot.Kernel.Sysctl["vm.swappiness"]
			got.userSlices = s.Memory.Systemd.Oomd.EnableUserSlices && s.Memory.Systemd.Oomd.EnableRootSlice
			if w, ok := s.Boot.Systemd.Services["NetworkManager-wait-online"]; ok && w.Enable != nil && !*w.Enable {
				got.waitOnlineOff = true
			}
			got.cpu, got.io = s.Resources.Nix.CPU, s.Resources.Nix.IO
			got.memoryHigh = s.Resources.Systemd.Services["nix-daemon"].ServiceConfig["MemoryHigh"]
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %+v, want %+v\n%s", tt.class, got, tt.want, out)
			}
		})
	}
}

// TestTuningPerProfile: the per-hardware-profile choices of the tuning modules (issue 19):
// the zram compressor, the GPU driver in the initrd and the number of parallel builds, for the
// fleet's actual shapes (p620 amd-gpu workstation build host, p510 nvidia-gpu server, razer
// nvidia-gpu laptop, dex5550/hp intel-integrated servers, samsung intel-integrated laptop).
func TestTuningPerProfile(t *testing.T) {
	type set struct {
		Memory struct {
			ZramSwap struct {
				Algorithm string `json:"algorithm"`
			} `json:"zramSwap"`
		} `json:"memory"`
		Boot struct {
			Boot struct {
				Initrd struct {
					KernelModules []string `json:"kernelModules"`
				} `json:"initrd"`
			} `json:"boot"`
		} `json:"boot"`
		Resources struct {
			Nix struct {
				Settings struct {
					MaxJobs any `json:"max-jobs"`
				} `json:"settings"`
			} `json:"nix"`
		} `json:"resources"`
	}
	type want struct {
		algorithm string
		initrd    []string
		maxJobs   any
	}
	for _, tt := range []struct {
		name, class, hardware string
		buildHost             bool
		want                  want
	}{
		{"p620", "workstation", "amd-gpu", true, want{"zstd", nil, nil}},
		{"p510", "server", "nvidia-gpu", false, want{"zstd", nil, nil}},
		{"razer", "laptop", "nvidia-gpu", false, want{"zstd", nil, nil}},
		{"dex5550", "server", "intel-integrated", false, want{"lz4", nil, float64(2)}},
		{"samsung", "laptop", "intel-integrated", false, want{"lz4", []string{"i915"}, float64(2)}},
		{"intel build host", "workstation", "intel-integrated", true, want{"lz4", []string{"i915"}, nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := evalTuning(t, tt.class, tt.hardware, tt.buildHost)
			var s set
			if err := json.Unmarshal(out, &s); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := want{s.Memory.ZramSwap.Algorithm, s.Boot.Boot.Initrd.KernelModules, s.Resources.Nix.Settings.MaxJobs}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %+v, want %+v\n%s", tt.name, got, tt.want, out)
			}
		})
	}
}
