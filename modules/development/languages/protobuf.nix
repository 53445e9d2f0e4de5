# Protocol Buffers and gRPC: protoc, buf (lint, format, language server), grpcurl; packages,
# servers, extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "protobuf" { }
