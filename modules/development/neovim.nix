# Neovim as the system editor, so EDITOR is the same on servers and laptops. The init file is
# generated here (Lua): editor defaults, Telescope, gitsigns, Treesitter, and the language servers
# every enabled lang-* feature contributes (hub.features.neovim.languageServers), started with
# Neovim 0.11's vim.lsp.enable on nvim-lspconfig's server definitions, with format on save.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.neovim;
  # nix/neovim-init.nix renders the Lua (builtins only, so internal/devshell's tests render and
  # compile it for every language server without nixpkgs).
  initLua = import ../../nix/neovim-init.nix {
    servers = cfg.languageServers;
    inherit (cfg) formatOnSave extraLua;
  };
in
{
  options.hub.features.neovim = {
    defaultEditor = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Set EDITOR to nvim for every user.";
    };
    languageServers = lib.mkOption {
      type = lib.types.listOf (lib.types.attrsOf (lib.types.either lib.types.str (lib.types.listOf lib.types.str)));
      default = [ ];
      example = [{ name = "gopls"; } { name = "jdtls"; cmd = [ "jdtls" ]; }];
      description = "Language servers to start: nvim-lspconfig names, with cmd where its default command is not on PATH. The lang-* features add theirs; the servers themselves are their packages.";
    };
    formatOnSave = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Format a buffer with its language server when it is written.";
    };
    plugins = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [
        pkgs.vimPlugins.nvim-lspconfig
        pkgs.vimPlugins.telescope-nvim
        pkgs.vimPlugins.plenary-nvim
        pkgs.vimPlugins.gitsigns-nvim
        pkgs.vimPlugins.which-key-nvim
        pkgs.vimPlugins.nvim-treesitter.withAllGrammars
      ];
      defaultText = lib.literalExpression "with pkgs.vimPlugins; [ nvim-lspconfig telescope-nvim plenary-nvim gitsigns-nvim which-key-nvim nvim-treesitter.withAllGrammars ]";
      description = "Plugins loaded at start (nvim-lspconfig provides the server definitions vim.lsp.enable reads).";
    };
    extraLua = lib.mkOption {
      type = lib.types.lines;
      default = "";
      description = "Lua appended to the generated init file.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.neovim = {
      enable = true;
      defaultEditor = lib.mkDefault cfg.defaultEditor;
      viAlias = lib.mkDefault true;
      vimAlias = lib.mkDefault true;
      configure = lib.mkDefault {
        customRC = ''
          lua << EOF
          ${initLua}
          EOF
        '';
        packages.hub.start = cfg.plugins;
      };
    };
  };
}
