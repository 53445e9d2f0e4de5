# Lua: Lua 5.4, LuaRocks, lua-language-server, StyLua; packages, servers, extensions and environment
# in nix/languages.nix.
import ../../../nix/language-module.nix "lua" { }
