# Google Cloud SDK with the components the fleet's work needs built in (nixpkgs'
# withExtraComponents: `gcloud components install` cannot write to the store). Usage reporting
# and survey prompts are off.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.cloud-gcloud;
in
{
  options.hub.features.cloud-gcloud = {
    components = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "gke-gcloud-auth-plugin" "beta" ];
      description = "Names of google-cloud-sdk.components to include.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      (pkgs.google-cloud-sdk.withExtraComponents (map (c: pkgs.google-cloud-sdk.components.${c}) cfg.components))
    ];
    environment.sessionVariables = {
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING = lib.mkDefault "true";
      CLOUDSDK_SURVEY_DISABLE_PROMPTS = lib.mkDefault "true";
      # kubectl authenticates to GKE through the plugin, not the removed built-in provider.
      USE_GKE_GCLOUD_AUTH_PLUGIN = lib.mkDefault "True";
    };
  };
}
