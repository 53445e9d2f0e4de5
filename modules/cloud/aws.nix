# AWS CLI v2 and the session manager plugin (aws ssm start-session). The CLI's pager and
# auto-prompt stay off so scripted calls and pipes behave; credentials stay per user
# (~/.aws), never in the Nix store.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.cloud-aws;
in
{
  options.hub.features.cloud-aws = {
    region = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "eu-west-2";
      description = "AWS_DEFAULT_REGION for every user, or null to leave it to ~/.aws/config.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ pkgs.awscli2 pkgs.ssm-session-manager-plugin ];
    environment.sessionVariables = {
      AWS_PAGER = lib.mkDefault "";
      AWS_CLI_AUTO_PROMPT = lib.mkDefault "off";
    } // lib.optionalAttrs (cfg.region != null) { AWS_DEFAULT_REGION = lib.mkDefault cfg.region; };
  };
}
