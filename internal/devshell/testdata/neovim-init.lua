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
local format_on_save = true
vim.lsp.config("elixirls", { cmd = { "elixir-ls" } })
vim.lsp.config("jdtls", { cmd = { "jdtls" } })
vim.lsp.enable({ "ansiblels", "clangd", "clojure_lsp", "dartls", "yamlls", "jsonls", "taplo", "dockerls", "csharp_ls", "elixirls", "elmls", "elp", "gleam", "gopls", "hls", "helm_ls", "jdtls", "kotlin_language_server", "texlab", "lua_ls", "marksman", "nim_langserver", "nixd", "ts_ls", "biome", "ocamllsp", "phpactor", "buf_ls", "pyright", "ruff", "ruby_lsp", "rust_analyzer", "metals", "bashls", "sqls", "terraformls", "tflint", "tinymist", "html", "cssls", "emmet_language_server", "tailwindcss", "zls" })
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
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if format_on_save and client and client:supports_method("textDocument/formatting") then
      vim.api.nvim_create_autocmd("BufWritePre", {
        buffer = args.buf,
        callback = function() vim.lsp.buf.format({ bufnr = args.buf, id = client.id, timeout_ms = 2000 }) end,
      })
    end
  end,
})
