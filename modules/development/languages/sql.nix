# SQL: sqls language server, sqlfluff, the PostgreSQL and SQLite clients; packages, servers,
# extensions and environment in nix/languages.nix.
import ../../../nix/language-module.nix "sql" { }
