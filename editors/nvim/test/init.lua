-- Minimal configuration for the end-to-end tests: only this plugin, isolated state.
local plugin = assert(os.getenv('MLPY_TEST_PLUGIN'), 'MLPY_TEST_PLUGIN is not set')
vim.opt.runtimepath:prepend(plugin)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.opt.more = false
vim.cmd('filetype plugin indent on')
vim.cmd('syntax on')
-- Server messages and errors go to $XDG_STATE_HOME/nvim/lsp.log, which run.py prints on failure.
if vim.lsp.log and vim.lsp.log.set_level then
  vim.lsp.log.set_level('warn')
else
  vim.lsp.set_log_level('warn')
end
