# A module of the fixture: /run/agenix/commented-out is a comment, not a use.
{ config, lib, ... }:
{
  options.hub.features.app = {
    keyFile = lib.mkOption {
      type = lib.types.str;
      default = config.age.secrets.known.path;
      example = "/run/agenix/only-an-example";
      description = "Key file.";
    };
    tokenFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/app-token";
      description = "Token file.";
    };
  };
  config = {
    age.secrets.known.file = ../../secrets/known.age;
    age.secrets."app.toml".file = ../../secrets/listed-only.age;
    age.secrets.${config.hub.features.app.name}.file = ../../secrets + "/${config.hub.features.app.name}.age";
  };
}
