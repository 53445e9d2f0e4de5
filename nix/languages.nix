# The one definition of each language's development environment, builtins only: the host feature
# lang-<name> (nix/language-module.nix) and the per-project shell devShells.<system>.<name>
# (nix/language-shells.nix, `go tool mage dev:shell NAME`) both install exactly `packages`, so a
# project's shell has the toolchain the host has. internal/devshell's tests compare the two offline.
#
# <name> = {
#   description = one line (the devShell's and the feature's);
#   packages    = nixpkgs attribute paths ("ocamlPackages.ocaml-lsp"): toolchain, language server,
#                 formatter, linters;
#   servers     = Neovim language servers (nvim-lspconfig names, enabled with vim.lsp.enable),
#                 each { name; cmd ? [ ... ]; } where lspconfig's default command is not on PATH;
#   vscode      = VS Code extensions, attribute paths under pkgs.vscode-extensions;
#   unfree      = package names (lib.getName) of `vscode` that are unfree (hub.allowUnfree);
#   env         = pkgs: environment for the host (sessionVariables; "$HOME" becomes PAM's @{HOME},
#                 and no value may contain a double quote, which PAM's format cannot hold) and
#                 the shell (exported by its shellHook): caches out of the project, telemetry
#                 off, tools pointed at the Nix toolchain instead of downloading their own.
# }
let
  none = _: { };
in
{
  go = {
    description = "Go: toolchain, gopls, goimports, golangci-lint, delve";
    packages = [ "go" "gopls" "gotools" "golangci-lint" "delve" ];
    servers = [{ name = "gopls"; }];
    vscode = [ "golang.go" ];
    unfree = [ ];
    # GOTOOLCHAIN=local: go.mod's toolchain line must not make the go command download another
    # Go behind Nix's back; a newer requirement fails loudly instead.
    env = _: { GOPATH = "$HOME/.local/share/go"; GOTOOLCHAIN = "local"; GOTELEMETRY = "off"; };
  };
  rust = {
    description = "Rust: cargo, rustc, rust-analyzer, clippy, rustfmt";
    packages = [ "cargo" "rustc" "rust-analyzer" "clippy" "rustfmt" ];
    servers = [{ name = "rust_analyzer"; }];
    vscode = [ "rust-lang.rust-analyzer" ];
    unfree = [ ];
    # rust-analyzer finds the standard library's source here rather than through rustup.
    env = pkgs: { RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}"; CARGO_HOME = "$HOME/.local/share/cargo"; };
  };
  python = {
    description = "Python 3: interpreter, uv, pyright, ruff";
    packages = [ "python3" "uv" "pyright" "ruff" ];
    servers = [{ name = "pyright"; } { name = "ruff"; }];
    vscode = [ "ms-python.python" "charliermarsh.ruff" ];
    unfree = [ ];
    # uv uses the Nix interpreter; downloaded CPython builds do not run on NixOS anyway.
    env = _: { UV_PYTHON_DOWNLOADS = "never"; UV_PYTHON_PREFERENCE = "only-system"; PYTHONDONTWRITEBYTECODE = "1"; };
  };
  node = {
    description = "Node.js and TypeScript: node, pnpm, tsc, typescript-language-server, biome";
    packages = [ "nodejs" "pnpm" "typescript" "typescript-language-server" "biome" ];
    servers = [{ name = "ts_ls"; } { name = "biome"; }];
    vscode = [ "esbenp.prettier-vscode" "dbaeumer.vscode-eslint" ];
    unfree = [ ];
    env = _: { NPM_CONFIG_PREFIX = "$HOME/.local/share/npm"; NEXT_TELEMETRY_DISABLED = "1"; };
  };
  java = {
    description = "Java: JDK, Maven, Gradle, Eclipse JDT language server, google-java-format";
    packages = [ "jdk" "maven" "gradle" "jdt-language-server" "google-java-format" ];
    servers = [{ name = "jdtls"; cmd = [ "jdtls" ]; }];
    vscode = [ "redhat.java" "vscjava.vscode-java-debug" ];
    unfree = [ ];
    env = pkgs: { JAVA_HOME = "${pkgs.jdk}/lib/openjdk"; GRADLE_USER_HOME = "$HOME/.cache/gradle"; };
  };
  ansible = {
    description = "Ansible: ansible, ansible-lint, ansible-language-server";
    packages = [ "ansible" "ansible-lint" "ansible-language-server" ];
    servers = [{ name = "ansiblels"; }];
    vscode = [ ];
    unfree = [ ];
    # Collections per user, and no retry files next to playbooks.
    env = _: { ANSIBLE_COLLECTIONS_PATH = "$HOME/.local/share/ansible/collections"; ANSIBLE_RETRY_FILES_ENABLED = "False"; };
  };
  c-cpp = {
    description = "C and C++: GCC, clangd and clang-format, CMake, Ninja, pkg-config, bear";
    packages = [ "gcc" "clang-tools" "cmake" "ninja" "gnumake" "pkg-config" "bear" ];
    servers = [{ name = "clangd"; }];
    vscode = [ "llvm-vs-code-extensions.vscode-clangd" "ms-vscode.cmake-tools" ];
    unfree = [ ];
    # compile_commands.json is what clangd reads.
    env = _: { CMAKE_GENERATOR = "Ninja"; CMAKE_EXPORT_COMPILE_COMMANDS = "ON"; };
  };
  nix = {
    description = "Nix: nixd and nil language servers, nixfmt, statix, deadnix, nix-tree, nvd";
    packages = [ "nixd" "nil" "nixfmt-rfc-style" "statix" "deadnix" "nix-tree" "nvd" ];
    servers = [{ name = "nixd"; }];
    vscode = [ "jnoortheen.nix-ide" ];
    unfree = [ ];
    env = none;
  };
  helm = {
    description = "Helm charts: helm, helm-ls, chart-testing (ct)";
    packages = [ "kubernetes-helm" "helm-ls" "chart-testing" ];
    servers = [{ name = "helm_ls"; }];
    vscode = [ ];
    unfree = [ ];
    env = _: { HELM_CACHE_HOME = "$HOME/.cache/helm"; };
  };
  haskell = {
    description = "Haskell: GHC, cabal, haskell-language-server, ormolu, hlint";
    packages = [ "ghc" "cabal-install" "haskell-language-server" "ormolu" "hlint" ];
    servers = [{ name = "hls"; }];
    vscode = [ "haskell.haskell" "justusadam.language-haskell" ];
    unfree = [ ];
    env = _: { CABAL_DIR = "$HOME/.local/share/cabal"; };
  };
  zig = {
    description = "Zig: compiler and zls";
    packages = [ "zig" "zls" ];
    servers = [{ name = "zls"; }];
    vscode = [ "ziglang.vscode-zig" ];
    unfree = [ ];
    env = _: { ZIG_GLOBAL_CACHE_DIR = "$HOME/.cache/zig"; };
  };
  lua = {
    description = "Lua: Lua 5.4, LuaRocks, lua-language-server, StyLua";
    packages = [ "lua5_4" "luarocks" "lua-language-server" "stylua" ];
    servers = [{ name = "lua_ls"; }];
    vscode = [ "sumneko.lua" ];
    unfree = [ ];
    env = none;
  };
  shell = {
    description = "Shell scripts: bash-language-server, ShellCheck, shfmt";
    packages = [ "bash-language-server" "shellcheck" "shfmt" ];
    servers = [{ name = "bashls"; }];
    vscode = [ "timonwong.shellcheck" "foxundermoon.shell-format" ];
    unfree = [ ];
    # Follow `source`d files, as the language server does.
    env = _: { SHELLCHECK_OPTS = "--external-sources"; };
  };
  terraform = {
    description = "Terraform/HCL with OpenTofu: tofu, terraform-ls, tflint";
    packages = [ "opentofu" "terraform-ls" "tflint" ];
    servers = [{ name = "terraformls"; } { name = "tflint"; }];
    vscode = [ "hashicorp.terraform" ];
    unfree = [ ];
    # One provider download per version for all projects, and no checkpoint calls home.
    env = _: { TF_PLUGIN_CACHE_DIR = "$HOME/.cache/terraform/plugins"; CHECKPOINT_DISABLE = "1"; };
  };
  data = {
    description = "YAML, JSON and TOML: yaml-language-server, vscode-json-language-server, taplo, yamllint, jq, yq";
    packages = [ "yaml-language-server" "vscode-langservers-extracted" "taplo" "yamllint" "jq" "yq-go" ];
    servers = [{ name = "yamlls"; } { name = "jsonls"; } { name = "taplo"; }];
    vscode = [ "redhat.vscode-yaml" "tamasfe.even-better-toml" ];
    unfree = [ ];
    env = none;
  };
  markdown = {
    description = "Markdown: marksman, markdownlint-cli2";
    packages = [ "marksman" "markdownlint-cli2" ];
    servers = [{ name = "marksman"; }];
    vscode = [ "yzhang.markdown-all-in-one" "davidanson.vscode-markdownlint" ];
    unfree = [ ];
    env = none;
  };
  sql = {
    description = "SQL: sqls language server, sqlfluff, the PostgreSQL and SQLite clients";
    packages = [ "sqls" "sqlfluff" "postgresql" "sqlite" ];
    servers = [{ name = "sqls"; }];
    vscode = [ ];
    unfree = [ ];
    env = none;
  };
  elm = {
    description = "Elm: compiler, elm-language-server, elm-format";
    packages = [ "elmPackages.elm" "elmPackages.elm-language-server" "elmPackages.elm-format" ];
    servers = [{ name = "elmls"; }];
    vscode = [ "elmtooling.elm-ls-vscode" ];
    unfree = [ ];
    env = _: { ELM_HOME = "$HOME/.cache/elm"; };
  };
  elixir = {
    description = "Elixir: Elixir and Erlang/OTP, elixir-ls";
    packages = [ "elixir" "erlang" "elixir-ls" ];
    servers = [{ name = "elixirls"; cmd = [ "elixir-ls" ]; }];
    vscode = [ "elixir-lsp.vscode-elixir-ls" ];
    unfree = [ ];
    # Hex and Mix archives per user, not in the project; IEx keeps its history.
    env = _: { MIX_HOME = "$HOME/.local/share/mix"; HEX_HOME = "$HOME/.cache/hex"; ERL_AFLAGS = "-kernel shell_history enabled"; };
  };
  erlang = {
    description = "Erlang/OTP: erl, rebar3, erlang-language-platform (ELP, also the formatter)";
    packages = [ "erlang" "rebar3" "erlang-language-platform" ];
    servers = [{ name = "elp"; }];
    vscode = [ ];
    unfree = [ ];
    env = _: { ERL_AFLAGS = "-kernel shell_history enabled"; REBAR_CACHE_DIR = "$HOME/.cache/rebar3"; };
  };
  gleam = {
    description = "Gleam: compiler with its built-in language server and formatter, on Erlang/OTP and rebar3";
    packages = [ "gleam" "erlang" "rebar3" ];
    servers = [{ name = "gleam"; }];
    vscode = [ "gleam.gleam" ];
    unfree = [ ];
    env = none;
  };
  clojure = {
    description = "Clojure: CLI tools, Leiningen, babashka, clojure-lsp, clj-kondo (on the JDK of lang-java)";
    packages = [ "clojure" "leiningen" "babashka" "clojure-lsp" "clj-kondo" ];
    servers = [{ name = "clojure_lsp"; }];
    vscode = [ "betterthantomorrow.calva" ];
    unfree = [ ];
    # tools.deps' user configuration and Leiningen's home in XDG directories, not dot directories.
    env = _: { CLJ_CONFIG = "$HOME/.config/clojure"; LEIN_HOME = "$HOME/.local/share/lein"; };
  };
  dart = {
    description = "Dart: SDK with its language server (dart language-server) and formatter";
    packages = [ "dart" ];
    servers = [{ name = "dartls"; }];
    vscode = [ "dart-code.dart-code" ];
    unfree = [ ];
    # Packages from pub.dev are cached per user, not under the SDK in the store.
    env = _: { PUB_CACHE = "$HOME/.cache/pub"; DART_SUPPRESS_ANALYTICS = "true"; };
  };
  nim = {
    description = "Nim: compiler, nimble, nimlangserver";
    packages = [ "nim" "nimble" "nimlangserver" ];
    servers = [{ name = "nim_langserver"; }];
    vscode = [ ];
    unfree = [ ];
    env = _: { NIMBLE_DIR = "$HOME/.local/share/nimble"; };
  };
  ocaml = {
    description = "OCaml: compiler, dune, ocaml-lsp, ocamlformat";
    packages = [ "ocaml" "dune_3" "ocamlPackages.ocaml-lsp" "ocamlPackages.ocamlformat" "ocamlPackages.findlib" ];
    servers = [{ name = "ocamllsp"; }];
    vscode = [ "ocamllabs.ocaml-platform" ];
    unfree = [ ];
    env = _: { DUNE_CACHE = "enabled"; };
  };
  dotnet = {
    description = ".NET: SDK, csharp-ls, fantomas";
    packages = [ "dotnet-sdk" "csharp-ls" "fantomas" ];
    servers = [{ name = "csharp_ls"; }];
    vscode = [ "ms-dotnettools.csharp" ];
    unfree = [ ];
    env = pkgs: { DOTNET_ROOT = "${pkgs.dotnet-sdk}/share/dotnet"; DOTNET_CLI_TELEMETRY_OPTOUT = "1"; DOTNET_NOLOGO = "1"; };
  };
  kotlin = {
    description = "Kotlin: compiler, kotlin-language-server, ktlint (on the JDK of lang-java)";
    packages = [ "kotlin" "kotlin-language-server" "ktlint" ];
    servers = [{ name = "kotlin_language_server"; }];
    vscode = [ ];
    unfree = [ ];
    env = none;
  };
  scala = {
    description = "Scala: compiler, sbt, Metals, scalafmt (on the JDK of lang-java)";
    packages = [ "scala" "sbt" "metals" "scalafmt" ];
    servers = [{ name = "metals"; }];
    vscode = [ "scalameta.metals" "scala-lang.scala" ];
    unfree = [ ];
    env = none;
  };
  ruby = {
    description = "Ruby: interpreter, ruby-lsp, RuboCop";
    packages = [ "ruby" "rubyPackages.ruby-lsp" "rubyPackages.rubocop" ];
    servers = [{ name = "ruby_lsp"; }];
    vscode = [ ];
    unfree = [ ];
    env = _: { GEM_HOME = "$HOME/.local/share/gem"; BUNDLE_USER_HOME = "$HOME/.local/share/bundle"; };
  };
  php = {
    description = "PHP: interpreter, Composer, phpactor";
    packages = [ "php" "phpPackages.composer" "phpactor" ];
    servers = [{ name = "phpactor"; }];
    vscode = [ ];
    unfree = [ ];
    env = _: { COMPOSER_HOME = "$HOME/.local/share/composer"; };
  };
  web = {
    description = "HTML and CSS: vscode-html/css-language-server, emmet-language-server, tailwindcss-language-server";
    packages = [ "vscode-langservers-extracted" "emmet-language-server" "tailwindcss-language-server" ];
    servers = [{ name = "html"; } { name = "cssls"; } { name = "emmet_language_server"; } { name = "tailwindcss"; }];
    vscode = [ "bradlc.vscode-tailwindcss" ];
    unfree = [ ];
    env = none;
  };
  protobuf = {
    description = "Protocol Buffers and gRPC: protoc, buf (lint, format, language server), grpcurl";
    packages = [ "protobuf" "buf" "grpcurl" ];
    servers = [{ name = "buf_ls"; }];
    vscode = [ "zxh404.vscode-proto3" ];
    unfree = [ ];
    env = none;
  };
  dockerfile = {
    description = "Dockerfiles: dockerfile-language-server, hadolint";
    packages = [ "dockerfile-language-server-nodejs" "hadolint" ];
    servers = [{ name = "dockerls"; }];
    vscode = [ "ms-azuretools.vscode-docker" ];
    unfree = [ ];
    env = none;
  };
  latex = {
    description = "LaTeX: TeX Live (medium scheme) and the texlab language server";
    packages = [ "texliveMedium" "texlab" ];
    servers = [{ name = "texlab"; }];
    vscode = [ "james-yu.latex-workshop" ];
    unfree = [ ];
    env = none;
  };
  typst = {
    description = "Typst: compiler, tinymist language server, typstyle";
    packages = [ "typst" "tinymist" "typstyle" ];
    servers = [{ name = "tinymist"; }];
    vscode = [ "myriad-dreamin.tinymist" ];
    unfree = [ ];
    env = none;
  };
}
