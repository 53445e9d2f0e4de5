# The NixOS module of the language feature lang-<name>. modules/development/languages/<name>.nix
# is `import ../../../nix/language-module.nix "<name>" { options = { lib, pkgs }: { ... };
# config = cfg: { ... }; }`, both optional: what only that language has. Every language feature
# installs its packages of nix/languages.nix (the same list as devShells.<system>.<name>), sets
# its environment, starts its language servers in Neovim and adds its VS Code extensions.
name: spec:
{ config, lib, pkgs, ... }:
let
  extraOptions = spec.options or (_: { });
  extraConfig = spec.config or (_: { });
  lang = (import ./languages.nix).${name};
  cfg = config.hub.features."lang-${name}";
in
{
  options.hub.features."lang-${name}" = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Packages installed beyond the language's shared list (which devShells.<system>.${name} also has).";
    };
    neovim = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Start this language's servers (${lib.concatMapStringsSep ", " (s: s.name) lang.servers}) in Neovim when the neovim feature is on.";
    };
    vscode = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Install this language's VS Code extensions when the vscode feature is on.";
    };
  } // extraOptions { inherit lib pkgs; };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      environment.systemPackages = import ./language-packages.nix pkgs name ++ cfg.extraPackages;
      environment.sessionVariables = lib.mapAttrs (_: lib.mkDefault) (lang.env pkgs);
      hub.features.neovim.languageServers = lib.mkIf cfg.neovim lang.servers;
      hub.features.vscode.languageExtensions = lib.mkIf cfg.vscode lang.vscode;
      hub.allowUnfree = lang.unfree;
    }
    (extraConfig cfg)
  ]);
}
