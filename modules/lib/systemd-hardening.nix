# serviceConfig shared by the hub's exporters: they only read files and answer HTTP, so they get
# no capabilities, no writable system paths and only the syscalls of an ordinary network service.
# A plain attribute set (not a module) so exporter modules can merge it with `//`.
{
  DynamicUser = true;
  ProtectSystem = "strict";
  ProtectHome = true;
  PrivateTmp = true;
  PrivateDevices = true;
  NoNewPrivileges = true;
  CapabilityBoundingSet = "";
  AmbientCapabilities = "";
  RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
  SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
  SystemCallArchitectures = "native";
  ProtectKernelTunables = true;
  ProtectKernelModules = true;
  ProtectKernelLogs = true;
  ProtectControlGroups = true;
  ProtectClock = true;
  ProtectHostname = true;
  RestrictNamespaces = true;
  RestrictRealtime = true;
  RestrictSUIDSGID = true;
  LockPersonality = true;
  MemoryDenyWriteExecute = true;
  RemoveIPC = true;
  UMask = "0077";
  Restart = "on-failure";
}
