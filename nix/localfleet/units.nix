# Unit files from systemd.services.<name> (and .sockets) values, written as NixOS writes them
# (nixos/lib/systemd-lib.nix, release-25.11): description, after, before, wants, requires, partOf
# and unitConfig in [Unit]; every serviceConfig attribute a `Key=value` line of [Service], a list one line per
# element, booleans "true"/"false". wantedBy makes no [Install] section on NixOS but a link in
# <target>.wants, which toplevel.sh makes from `wants`. What NixOS adds on top
# (Environment=PATH=..., the locale and time zone variables) is left out: the hub's units need
# none of it.
let
  inherit (builtins) attrNames concatStringsSep concatMap isList isBool toString;

  toOption = x:
    if isBool x then (if x then "true" else "false") else toString x;

  section = attrs: concatStringsSep "" (concatMap
    (name: map (x: "${name}=${toOption x}\n") (if isList attrs.${name} then attrs.${name} else [ attrs.${name} ]))
    (attrNames attrs));

  unitSection = def:
    (if (def.description or "") != "" then { Description = def.description; } else { })
    // (if (def.after or [ ]) != [ ] then { After = concatStringsSep " " def.after; } else { })
    // (if (def.before or [ ]) != [ ] then { Before = concatStringsSep " " def.before; } else { })
    // (if (def.wants or [ ]) != [ ] then { Wants = concatStringsSep " " def.wants; } else { })
    // (if (def.requires or [ ]) != [ ] then { Requires = concatStringsSep " " def.requires; } else { })
    // (if (def.partOf or [ ]) != [ ] then { PartOf = concatStringsSep " " def.partOf; } else { })
    // (def.unitConfig or { });
in
{
  # The text of <name>.service.
  service = def: ''
    [Unit]
    ${section (unitSection def)}
    [Service]
    ${section def.serviceConfig}'';

  # The text of <name>.socket (systemd.sockets.<name>: listenStreams become ListenStream=).
  socket = def: ''
    [Unit]
    ${section (unitSection def)}
    [Socket]
    ${section ({ ListenStream = def.listenStreams; } // (def.socketConfig or { }))}'';

  # "<target>/<unit>" for each target that wants the unit (toplevel.sh links them).
  wants = name: def: map (target: "${target}/${name}") (def.wantedBy or [ ]);
}
