# C and C++: GCC, clangd and clang-format, CMake, Ninja, pkg-config, bear; packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "c-cpp" { }
