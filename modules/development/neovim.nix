# Neovim as the system editor, so EDITOR is the same on servers and laptops. The init file is
# generated here (Lua): editor defaults, Telescope, gitsigns, Treesitter, and the language servers
# every enabled lang-* feature contributes (hub.features.neovim.languageServers), started with
# Neovim 0.11's vim.lsp.enable on nvim-lspconfig's server definitions, with format on save.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.neovim;
  luaList = xs: "{ ${lib.concatMapStringsSep ", " (x: ''"${x}"'') xs} }";
  servers = lib.unique (map (s: s.name) cfg.languageServers);
  serverCmds = lib.concatMapStringsSep "\n"
    (s: ''vim.lsp.config("${s.name}", { cmd = ${luaList s.cmd} })'')
    (builtins.filter (s: s ? cmd) cfg.languageServers);
  initLua = ''
    vim.g.mapleader = " "
    vim.opt.number = true
    vim.opt.relativenumber = true
    vim.opt.mouse = "a"
    vim.opt.clipboard = "unnamedplus"
    vim.opt.ignorecase = true
    vim.opt.smartcase = true
    vim.opt.expandtab = true
    vim.opt.shiftwidth = 2
    vim.opt.tabstop = 2
    vim.opt.undofile = true
    vim.opt.signcolumn = "yes"
    vim.opt.termguicolors = true
    vim.opt.updatetime = 250

    local ok, telescope = pcall(require, "telescope.builtin")
    if ok then
      vim.keymap.set("n", "<leader>ff", telescope.find_files, { desc = "find files" })
      vim.keymap.set("n", "<leader>fg", telescope.live_grep, { desc = "grep" })
      vim.keymap.set("n", "<leader>fb", telescope.buffers, { desc = "buffers" })
      vim.keymap.set("n", "<leader>fd", telescope.diagnostics, { desc = "diagnostics" })
    end
    pcall(function() require("gitsigns").setup() end)
    pcall(function() require("which-key").setup() end)
    vim.api.nvim_create_autocmd("FileType", {
      callback = function() pcall(vim.treesitter.start) end,
    })

    -- Language servers of the enabled lang-* features.
    ${serverCmds}
    vim.lsp.enable(${luaList servers})
    vim.diagnostic.config({ virtual_text = true, severity_sort = true })
    vim.api.nvim_create_autocmd("LspAttach", {
      callback = function(args)
        local opts = { buffer = args.buf }
        vim.keymap.set("n", "gd", vim.lsp.buf.definition, opts)
        vim.keymap.set("n", "gr", vim.lsp.buf.references, opts)
        vim.keymap.set("n", "K", vim.lsp.buf.hover, opts)
        vim.keymap.set("n", "<leader>rn", vim.lsp.buf.rename, opts)
        vim.keymap.set("n", "<leader>ca", vim.lsp.buf.code_action, opts)
        vim.keymap.set("n", "<leader>f", function() vim.lsp.buf.format({ async = true }) end, opts)
        ${lib.optionalString cfg.formatOnSave ''
        local client = vim.lsp.get_client_by_id(args.data.client_id)
        if client and client:supports_method("textDocument/formatting") then
          vim.api.nvim_create_autocmd("BufWritePre", {
            buffer = args.buf,
            callback = function() vim.lsp.buf.format({ bufnr = args.buf, id = client.id, timeout_ms = 2000 }) end,
          })
        end''}
      end,
    })
  '' + cfg.extraLua;
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
