# Single-node Loki: filesystem storage and the TSDB index, which is all one small server needs.
{ config, lib, ... }:
let
  cfg = config.hub.features.loki;
  dataDir = config.services.loki.dataDir;
in
{
  options.hub.features.loki = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 3100;
      description = "Port of Loki's HTTP API (push and query).";
    };
    retention = lib.mkOption {
      type = lib.types.str;
      default = "720h";
      description = "How long log lines are kept.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "log pushes and queries";
  };

  config = lib.mkIf cfg.enable {
    services.loki = {
      enable = true;
      configuration = {
        auth_enabled = false;
        server.http_listen_port = cfg.port;
        common = {
          path_prefix = dataDir;
          replication_factor = 1;
          ring = {
            instance_addr = "127.0.0.1";
            kvstore.store = "inmemory";
          };
          storage.filesystem = {
            chunks_directory = "${dataDir}/chunks";
            rules_directory = "${dataDir}/rules";
          };
        };
        schema_config.configs = [
          {
            from = "2024-01-01";
            store = "tsdb";
            object_store = "filesystem";
            schema = "v13";
            index = {
              prefix = "index_";
              period = "24h";
            };
          }
        ];
        limits_config.retention_period = cfg.retention;
        compactor = {
          working_directory = "${dataDir}/compactor";
          retention_enabled = true;
          delete_request_store = "filesystem";
        };
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
