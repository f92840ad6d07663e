-- The `mlpy` language server, in the format of Neovim 0.11's `vim.lsp.config` (and of
-- nvim-lspconfig's `lsp/` folder). With this plugin on 'runtimepath',
-- `vim.lsp.enable('mlpy')` is all it takes; `require('mlpy').setup()` does that and more.
return {
  cmd = { 'mlpy', 'lsp', '--stdio' },
  filetypes = { 'mlpy' },
  root_markers = { 'mlpy.json' },
  -- The language id VS Code uses too.
  get_language_id = function()
    return 'ml'
  end,
  -- Read by `mlpy lsp` at initialize (server/src/backend.rs, settings_from):
  -- importPaths (list), allowCurrentDir (bool).
  init_options = {},
}
