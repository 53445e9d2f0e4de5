# Azure CLI with its extensions from nixpkgs (azure-cli.withExtensions: `az extension add`
# cannot write to the store). Telemetry is off; output defaults to a table for people.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.cloud-azure;
in
{
  options.hub.features.cloud-azure = {
    extensions = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "aks-preview" ];
      description = "Names of azure-cli-extensions to include.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      (pkgs.azure-cli.withExtensions (map (e: pkgs.azure-cli-extensions.${e}) cfg.extensions))
    ];
    environment.sessionVariables = {
      AZURE_CORE_COLLECT_TELEMETRY = lib.mkDefault "false";
      AZURE_CORE_OUTPUT = lib.mkDefault "table";
    };
  };
}
