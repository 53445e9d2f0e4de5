{ lib }: file: lib.hasPrefix "/run/agenix/" file
