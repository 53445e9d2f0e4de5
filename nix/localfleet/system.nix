# One NixOS-shaped system: { config.system.build.toplevel, ... } built from builtins only.
{ name, host, state, variant }:
let
  v = {
    generation = 1;
    kernel = "6.6.0";
    sshd = "ok"; # ok | deny (AllowUsers nobody) | port (listens on port + 1)
    failingUnit = false;
    activationDelaySeconds = 0;
    systemd = "255";
    exporters = null; # { bin.<program> = { source; sha256; }; media.<app> = { url; credential; }; }
    agenix = null; # { mode = "unit" | "activation"; identity; secrets.<name> = { source; sha256; }; }
    servarr = null; # { apps.<app> = "<key file>"; }
  } // variant;

  system = host.system or "x86_64-linux";
  version = "25.11.localfleet-g${toString v.generation}";

  # Every builder is /bin/sh with an explicit PATH: there is no stdenv without nixpkgs.
  mk = drvName: script: derivation {
    name = drvName;
    inherit system;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  };

  # Kernel, initrd, modules and systemd are separate store paths, as on NixOS, so that
  # "reboot needed" is a comparison of symlink targets between booted and current system.
  kernel = mk "linux-${v.kernel}" ''
    mkdir -p $out
    echo "Linux ${v.kernel} (localfleet stand-in)" > $out/bzImage
  '';
  initrd = mk "initrd-linux-${v.kernel}" ''
    mkdir -p $out
    echo "initrd for Linux ${v.kernel} (localfleet stand-in)" > $out/initrd
  '';
  modules = mk "linux-${v.kernel}-modules" ''
    mkdir -p $out/lib/modules/${v.kernel}
    echo "# modules for Linux ${v.kernel} (localfleet stand-in)" > $out/lib/modules/${v.kernel}/modules.dep
  '';
  systemd = mk "systemd-${v.systemd}-localfleet" ''
    mkdir -p $out/bin
    printf '#!/bin/sh\necho "systemd ${v.systemd} (localfleet stand-in)"\n' > $out/bin/systemctl
    chmod +x $out/bin/systemctl
  '';

  listenPort = if v.sshd == "port" then host.port + 1 else host.port;
  hostDir = "${state}/hosts/${name}";

  # A systemd host (internal/localfleet/systemd.go) boots this system in a container whose pid 1 is
  # systemd: sshd is a unit, units come from the toplevel, nix reads /etc/nix/nix.conf.
  systemdHost = host.systemd or false;

  # Only paths go into the store: keys stay in the fleet's state directory. The generation stays
  # out of the config, so that a generation with the same sshd settings has the same config and
  # the activation leaves sshd running, as NixOS restarts sshd only when its config changed.
  sshdConfig = ''
    # sshd_config of ${name} (sshd variant: ${v.sshd})
    ListenAddress ${host.address}:${toString listenPort}
    HostKey ${hostDir}/ssh_host_ed25519_key
    AuthorizedKeysFile ${state}/authorized_keys
    PidFile /run/sshd.pid
    PermitRootLogin prohibit-password
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    UsePAM no
    StrictModes no
    PrintMotd no
    MaxStartups 100
    # NIX_CONF_DIR: the host's own nix.conf (written by init.sh from internal/nix's Local settings),
    # not the machine's /etc/nix, which the hosts share and which may ask for build users. A
    # systemd host has its own /etc/nix/nix.conf with those settings.
    SetEnv PATH=/run/localfleet/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${if systemdHost then "" else " NIX_CONF_DIR=/run/localfleet/nix"}
    Subsystem sftp internal-sftp
  '' + (if v.sshd == "deny" then "AllowUsers nobody\n" else "");

  render = import ./units.nix;

  # A file from outside the flake (a Go build, an .age file) in the store: a fixed-output
  # derivation whose unsandboxed builder copies it, its hash (computed by internal/localfleet) making
  # the store path, which changes exactly when the content does.
  fixed = drvName: f: derivation {
    name = drvName;
    inherit system;
    builder = "/bin/sh";
    args = [ "-c" "cat \"$source\" > \"$out\"" ];
    inherit (f) source;
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = f.sha256;
  };

  # Secrets as agenix decrypts them (variant `agenix`), into /run/agenix.d/<generation> with
  # /run/agenix pointing there (agenix-install.sh). agenix has two modes on NixOS, and so has
  # this: "unit", agenix-install-secrets.service (a oneshot wanted by sysinit.target, what
  # agenix defines when systemd.sysusers or userborn make the users), and "activation", a step
  # of the activation script (agenix's default: its agenixInstall activation snippets).
  agenixCommand =
    let a = v.agenix;
    in if a.mode == "unit" && !systemdHost then throw "host ${name}: agenix's unit mode needs a systemd host" else
    builtins.concatStringsSep " " ([ "/bin/sh" "${./agenix-install.sh}" a.identity ]
      ++ builtins.concatMap (n: [ n "${fixed "${n}.age" a.secrets.${n}}" ]) (builtins.attrNames a.secrets));
  agenixUnits =
    if v.agenix == null || v.agenix.mode != "unit" then { }
    else {
      "agenix-install-secrets.service" = {
        text = render.service {
          description = "Install the agenix secrets (local fleet)";
          wantedBy = [ "sysinit.target" ];
          after = [ "systemd-sysusers.service" ];
          unitConfig.DefaultDependencies = "no";
          serviceConfig = { Type = "oneshot"; RemainAfterExit = true; ExecStart = agenixCommand; };
        };
        wants = [ "sysinit.target/agenix-install-secrets.service" ];
      };
    };
  agenixActivation = if v.agenix != null && v.agenix.mode == "activation" then agenixCommand else "";

  # The hub's exporters (variant `exporters`), with the NixOS modules' own unit settings:
  # modules/lib/exporter-services.nix, which internal/localfleet copies into the fleet's flake as hub/ with
  # the offline lib it is evaluated with (only read when a variant asks for exporters, so the
  # flake still evaluates from the repository). The binaries are Go builds of this checkout
  # (`fixed`).
  exporterUnits =
    let
      hub = ./hub;
      lib = import (hub + "/options-lib.nix");
      services = import (hub + "/exporter-services.nix") { inherit lib; };
      e = v.exporters;
      package = program:
        let bin = fixed "${program}-bin" e.bin.${program};
        in
        mk program ''
          mkdir -p $out/bin
          cp ${bin} $out/bin/${program}
          chmod 0555 $out/bin/${program}
        '';
      exe = program: lib.getExe (package program);
      credentialFiles = builtins.mapAttrs (_: app: app.credential) e.media;
      # pkgs.formats.toml on NixOS; its data has only strings in arrays of tables.
      toTOML = data: builtins.concatStringsSep "" (builtins.concatMap
        (table: map
          (entry: "[[${table}]]\n" + builtins.concatStringsSep ""
            (map (k: "${k} = ${builtins.toJSON entry.${k}}\n") (builtins.attrNames entry)))
          data.${table})
        (builtins.attrNames data));
      defs = {
        hub-nixos-exporter = services.nixos {
          exe = exe "hub-nixos-exporter";
          listenAddress = host.address;
          port = services.ports.nixos;
          root = "/";
          # The image's nix (Debian's nix-bin), as config.nix.package's on NixOS.
          nixStore = "/usr/bin/nix-store";
        };
        hub-baseline-exporter = services.baseline {
          exe = exe "hub-baseline-exporter";
          listenAddress = host.address;
          port = services.ports.baseline;
        };
      } // (if e.media == { } then { } else {
        hub-media-exporter = services.media {
          exe = exe "hub-media-exporter";
          listenAddress = host.address;
          port = services.ports.media;
          inherit credentialFiles;
          generatedConfig = builtins.toFile "hub-media-exporter.toml" (toTOML (services.mediaConfig {
            inherit credentialFiles;
            urls = builtins.mapAttrs (_: app: app.url) e.media;
          }));
        };
      });
    in
    if e == null then { } else if !systemdHost then throw "host ${name}: exporters run on systemd hosts only" else
    builtins.listToAttrs (map
      (n: {
        name = "${n}.service";
        value = { text = render.service defs.${n}; wants = render.wants "${n}.service" defs.${n}; };
      })
      (builtins.attrNames defs));

  # The *arr apps' API-key plumbing (variant `servarr`): the NixOS modules' own
  # <app>-apikey.service (modules/lib/servarr-apikey.nix, copied into hub/ like the exporters'
  # settings), and for the app a stand-in that sleeps with the environment the app would get,
  # so that a test reads the key the app would see in /proc/<pid>/environ.
  servarrUnits =
    let
      keys = import (./hub + "/servarr-apikey.nix");
      scriptFile = builtins.toFile "servarr-apikey.sh" keys.script;
      defs = app: keyFile: {
        "${app}-apikey.service" = keys.writer { inherit app keyFile scriptFile; sh = "/bin/sh"; };
        "${app}.service" = keys.appUnit app // {
          description = "Stand-in for ${app} (local fleet): sleeps with the environment ${app} would get";
          wantedBy = [ "multi-user.target" ];
          serviceConfig = { ExecStart = "/bin/sleep infinity"; EnvironmentFile = keys.envFile app; };
        };
      };
      all = builtins.foldl' (acc: app: acc // defs app v.servarr.apps.${app}) { } (builtins.attrNames v.servarr.apps);
    in
    if v.servarr == null then { } else if !systemdHost then throw "host ${name}: servarr runs on systemd hosts only" else
    builtins.mapAttrs (unit: def: { text = render.service def; wants = render.wants unit def; }) all;

  # The units of a systemd host, each a store file of its own as on NixOS: a unit that does not
  # change has the same content in the next generation, so switch-to-configuration leaves it
  # alone. wants: the "<target>/<unit>" links of its wantedBy.
  # sshd: KillMode=process keeps the sessions (the hub's connection among them) when a changed
  # config restarts the daemon, as NixOS's sshd.service does; the restart trigger is the
  # config's hash, since the unit reads the config through /run/current-system.
  multiUser = unit: text: { inherit text; wants = [ "multi-user.target/${unit}" ]; };
  # The nix-daemon, socket-activated as on NixOS (the image's Debian nix): root's nix calls use
  # the store directly, as before; a unit's unprivileged user (the nixos exporter's dynamic one,
  # under ProtectSystem=strict) goes through the socket, as it does on NixOS.
  nixDaemon = {
    "nix-daemon.socket" = {
      text = render.socket {
        description = "Nix daemon socket";
        listenStreams = [ "/nix/var/nix/daemon-socket/socket" ];
      };
      wants = [ "sockets.target/nix-daemon.socket" ];
    };
    "nix-daemon.service" = {
      text = render.service {
        description = "Nix daemon";
        requires = [ "nix-daemon.socket" ];
        after = [ "nix-daemon.socket" ];
        # KillMode=process: builds it started outlive a restart, as on NixOS.
        serviceConfig = { ExecStart = "/usr/bin/nix-daemon --daemon"; KillMode = "process"; };
      };
      wants = [ ];
    };
  };
  units = {
    "sshd.service" = multiUser "sshd.service" (''
      [Unit]
      Description=SSH daemon of ${name} (local fleet)
      After=network.target
      X-Restart-Triggers=${builtins.hashString "sha256" sshdConfig}

      [Service]
      Type=notify
      ExecStartPre=/usr/sbin/sshd -t -f /run/current-system/etc/ssh/sshd_config
      ExecStart=/usr/sbin/sshd -D -f /run/current-system/etc/ssh/sshd_config
      ExecReload=/bin/kill -HUP $MAINPID
      KillMode=process
      Restart=on-failure
      RuntimeDirectory=sshd
      RuntimeDirectoryMode=0755
      RuntimeDirectoryPreserve=yes

      [Install]
      WantedBy=multi-user.target
    '');
  } // (if v.failingUnit then {
    "localfleet-failing.service" = multiUser "localfleet-failing.service" (''
      [Unit]
      Description=A unit that fails (local fleet variant FailingUnit)

      [Service]
      Type=oneshot
      ExecStart=/bin/false

      [Install]
      WantedBy=multi-user.target
    '');
  } else { }) // nixDaemon // exporterUnits // agenixUnits // servarrUnits;
  unitNames = if systemdHost then builtins.attrNames units else [ ];

  toplevel = derivation {
    name = "nixos-system-${name}-${version}";
    inherit system;
    builder = "/bin/sh";
    args = [ ./toplevel.sh ];
    PATH = "/usr/bin:/bin";
    activateTemplate = ./activate.sh;
    switchTemplate = ./switch-to-configuration.sh;
    stage2Template = ./stage-2.sh;
    systemdHost = if systemdHost then "1" else "";
    inherit unitNames;
    # A derivation rather than builtins.toFile: the exporters' units name store paths of
    # derivations (their packages), which toFile refuses.
    unitFiles = map (u: derivation {
      name = u;
      inherit system;
      builder = "/bin/sh";
      args = [ "-c" "printf '%s' \"$text\" > \"$out\"" ];
      inherit (units.${u}) text;
      PATH = "/usr/bin:/bin";
    }) unitNames;
    unitWants = builtins.concatMap (u: units.${u}.wants) unitNames;
    inherit kernel initrd modules systemd sshdConfig version agenixActivation;
    hostName = name;
    generation = toString v.generation;
    kernelVersion = v.kernel;
    sshdVariant = v.sshd;
    failingUnit = if v.failingUnit then "1" else "";
    activationDelay = toString v.activationDelaySeconds;
    variantJSON = builtins.toJSON v;
  };
in
{
  config = {
    networking.hostName = name;
    system.nixos.version = version;
    system.build.toplevel = toplevel;
    localfleet.variant = v;
    # The unit files' text by name, for internal/localfleet's golden test of what a host runs.
    localfleet.units = builtins.mapAttrs (_: u: u.text) (if systemdHost then units else { });
  };
}
