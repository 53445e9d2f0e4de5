# VS Code with the extensions of every enabled lang-* feature (hub.features.vscode.languageExtensions)
# and the host's own, built with vscode-with-extensions so they are part of the system closure
# rather than downloaded per user. VS Code is unfree; allowing it here keeps the unfree decision
# attached to the feature.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.vscode;
  extension = import ../../nix/attr-path.nix pkgs.vscode-extensions;
in
{
  options.hub.features.vscode = {
    package = lib.mkPackageOption pkgs "vscode" { };
    languageExtensions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Extensions (attribute paths under pkgs.vscode-extensions) the lang-* features add.";
    };
    extensions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "editorconfig.editorconfig" "eamodio.gitlens" "mkhl.direnv" "vscodevim.vim" ];
      description = "Further extensions, attribute paths under pkgs.vscode-extensions.";
    };
    unfreeExtensions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Package names (lib.getName) of unfree extensions among them, allowed through hub.allowUnfree.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      (pkgs.vscode-with-extensions.override {
        vscode = cfg.package;
        vscodeExtensions = map extension (lib.unique (cfg.languageExtensions ++ cfg.extensions));
      })
    ];
    hub.allowUnfree = [ "vscode" "vscode-with-extensions" ] ++ cfg.unfreeExtensions;
  };
}
