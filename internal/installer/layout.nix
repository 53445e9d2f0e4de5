# The disk layout hub-install (wizard.sh) creates for one host, and the layout.env text
# nix/installer.nix puts on the host's installer image. Everything comes from the host's own
# files, so the wizard formats exactly what the installed system mounts:
#
#   - the labels, file system types and mount options of fileSystems."/" and ."/boot", as the
#     host's hardware-configuration.nix declares them (by-label devices; the labels are their
#     one source of truth);
#   - the swap size, from host.toml's class (laptops hibernate);
#   - the public host key the host's secrets are encrypted to, from secrets/secrets.nix (the
#     let binding named like the host, as internal/secrets reads it), so the wizard can refuse a
#     key that is not the host's;
#   - the flake to install, which the caller passes: the repository source the image carries.
#
# Builtins only, so internal/installer's tests evaluate it without nixpkgs.
{
  hostName,
  host, # host.toml, parsed
  fileSystems, # the host's fileSystems (nix/installer.nix: evaluated from its hardware file)
  secretsNix ? "", # the text of secrets/secrets.nix, "" when there is none
  flake, # what nixos-install --flake installs from (#<hostName> is appended)
}:
let
  inherit (builtins) concatStringsSep elem filter head match replaceStrings split stringLength substring isString attrNames;

  fail = msg: throw "hub-install layout for ${hostName}: ${msg}";
  byLabelPrefix = "/dev/disk/by-label/";

  fs =
    mount:
    fileSystems.${mount}
      or (fail "hardware-configuration.nix has no fileSystems.\"${mount}\"; the installer creates the file systems the host mounts, so it needs them declared");

  # The label a file system is mounted by: the wizard gives the new file system this label.
  label =
    mount:
    let
      f = fs mount;
      dev = f.device or null;
      l =
        if (f.label or null) != null then
          f.label
        else if dev != null && substring 0 (stringLength byLabelPrefix) dev == byLabelPrefix then
          substring (stringLength byLabelPrefix) (stringLength dev) dev
        else
          fail "fileSystems.\"${mount}\".device is ${toString dev}: the installer formats by label, so it must be ${byLabelPrefix}<label> (a by-uuid device changes with every format)";
    in
    if match "[A-Za-z0-9_.-]+" l == null then
      fail "fileSystems.\"${mount}\" label \"${l}\": use letters, digits, '.', '_' and '-' (udev escapes anything else in /dev/disk/by-label)"
    else
      l;

  fsType = mount: (fs mount).fsType or "auto";
  options =
    mount:
    let
      o = (fs mount).options or [ ];
    in
    if o == [ ] then "defaults" else concatStringsSep "," o;

  # What the wizard can create, with the longest label each file system takes.
  maxLabel = {
    vfat = 11;
    ext4 = 16;
    xfs = 12;
    btrfs = 255;
  };
  checked =
    mount: allowed:
    let
      t = fsType mount;
      l = label mount;
    in
    if !(elem t allowed) then
      fail "fileSystems.\"${mount}\".fsType is \"${t}\"; the installer creates ${concatStringsSep " or " allowed} there"
    else if stringLength l > maxLabel.${t} then
      fail "fileSystems.\"${mount}\" label \"${l}\" is longer than ${toString maxLabel.${t}} characters, the most ${t} keeps"
    else
      { inherit t l; };

  esp = checked "/boot" [ "vfat" ];
  root = checked "/" [
    "ext4"
    "btrfs"
    "xfs"
  ];

  # `p510 = "ssh-ed25519 AAAA...";` in secrets.nix; "" when the host has no such binding.
  keyLines = filter (x: x != null) (
    map (
      l: if isString l then match "[[:space:]]*${hostName}[[:space:]]*=[[:space:]]*\"(ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+)[^\"]*\";.*" l else null
    ) (split "\n" secretsNix)
  );

  vars = {
    HOST = hostName;
    FLAKE = flake;
    ESP_MIB = 1024;
    ESP_LABEL = esp.l;
    ESP_FS = esp.t;
    ESP_OPTIONS = options "/boot";
    SWAP_MIB =
      {
        laptop = 16384;
        workstation = 8192;
        server = 4096;
      }
      .${host.class} or 4096;
    SWAP_LABEL = "swap";
    ROOT_LABEL = root.l;
    ROOT_FS = root.t;
    ROOT_OPTIONS = options "/";
    HOST_KEY_PUB = if keyLines == [ ] then "" else head (head keyLines);
  };

  # Single-quoted for the shell that sources the file (the host key has a space in it).
  quote = v: "'" + replaceStrings [ "'" ] [ "'\\''" ] (toString v) + "'";
in
{
  inherit vars;
  env = concatStringsSep "" (map (k: "${k}=${quote vars.${k}}\n") (attrNames vars));
}
