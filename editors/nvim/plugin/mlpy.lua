-- mlpy: filetype detection and commands. `require('mlpy').setup({...})` configures the
-- language server; without it, the first ML buffer sets it up with the defaults (set
-- `vim.g.mlpy_auto_setup = false` to prevent that, e.g. when using vim.lsp.enable or
-- nvim-lspconfig directly).
if vim.g.loaded_mlpy then
  return
end
vim.g.loaded_mlpy = true

-- `.ml` is OCaml's too: only files below an mlpy.json, or with a `// mlpy` first line,
-- become 'mlpy'; every other `.ml` file stays 'ocaml' as Neovim has it.
require('mlpy.detect').register()

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('mlpy_auto_setup', { clear = true }),
  pattern = 'mlpy',
  callback = function(args)
    if vim.g.mlpy_auto_setup ~= false then
      require('mlpy').ensure_setup(args.buf)
    end
  end,
})

vim.api.nvim_create_user_command('MlpyEmitPython', function()
  require('mlpy').emit_python()
end, { desc = 'mlpy: show the Python of the current ML module in a split' })

vim.api.nvim_create_user_command('MlpyModuleGraph', function()
  require('mlpy').module_graph()
end, { desc = 'mlpy: show the module graph of the current ML module in a split' })

vim.api.nvim_create_user_command('MlpyFetchModules', function()
  require('mlpy').fetch_modules()
end, { desc = 'mlpy: download the remote modules the current module imports' })

vim.api.nvim_create_user_command('MlpyRenameFile', function(args)
  require('mlpy').rename_file(vim.api.nvim_buf_get_name(0), args.args)
end, { nargs = 1, complete = 'file', desc = 'mlpy: move the current file, updating the imports of it' })

vim.api.nvim_create_user_command('MlpyRunTest', function()
  require('mlpy').run_test()
end, { desc = 'mlpy: run the test at or above the cursor (mlpy test FILE --filter NAME --exact)' })

vim.api.nvim_create_user_command('MlpyRestart', function()
  require('mlpy').restart()
end, { desc = 'mlpy: restart the language server' })
