-- `:checkhealth mlpy`: what the plugin needs (Neovim 0.10+, the `mlpy` executable, Python
-- for the emitted programs) and what it is doing (the filetype rule, the servers running).
local M = {}

-- Neovim 0.9 names these report_*: the check must still run there, to say 0.10 is needed.
local health = {
  start = vim.health.start or vim.health.report_start,
  ok = vim.health.ok or vim.health.report_ok,
  info = vim.health.info or vim.health.report_info,
  warn = vim.health.warn or vim.health.report_warn,
  error = vim.health.error or vim.health.report_error,
}

--- The first line `mlpy --version` prints, or nil and why not.
local function mlpy_version(program)
  local ok, result = pcall(function()
    return vim.system({ program, '--version' }, { text = true }):wait(5000)
  end)
  if not ok then
    return nil, tostring(result)
  end
  if result.code ~= 0 then
    return nil, ('exit status %s: %s'):format(tostring(result.code), vim.trim(result.stderr or ''))
  end
  return vim.trim((result.stdout or ''):match('[^\n]*') or '')
end

local function check_neovim()
  if vim.fn.has('nvim-0.10') == 1 then
    local v = vim.version()
    health.ok(('Neovim %d.%d.%d'):format(v.major, v.minor, v.patch))
  else
    health.error('Neovim 0.10 or later is needed', { 'Upgrade Neovim (0.11+ recommended)' })
  end
end

local function check_server(mlpy)
  local cmd = mlpy.server_cmd()
  local problem = mlpy.cmd_problem(cmd)
  if problem then
    health.error('the language server cannot start: ' .. problem, {
      'Install mlpy: cargo install --path . (in a checkout of mlpy)',
      "Or name it: require('mlpy').setup({ cmd = { '/path/to/mlpy', 'lsp', '--stdio' } })",
    })
    return
  end
  if type(cmd) == 'function' then
    health.info('server command: a function (not checked)')
    return
  end
  local program = vim.fn.exepath(cmd[1])
  local version, err = mlpy_version(program ~= '' and program or cmd[1])
  if version then
    health.ok(('server command: %s (%s)'):format(table.concat(cmd, ' '), version))
  else
    health.error(('%s --version failed: %s'):format(cmd[1], err), { 'Is this the mlpy executable?' })
  end
end

local function check_filetype(detect)
  -- A marked file on disk: the rule reads the first line of the file it is asked about.
  local file = vim.fn.tempname() .. '.ml'
  vim.fn.writefile({ '// mlpy' }, file)
  local marked = vim.filetype.match({ filename = file })
  vim.fn.delete(file)
  if marked == 'mlpy' then
    health.ok(("filetype rule registered (associate = '%s')"):format(detect.mode))
  else
    health.error(("a .ml file starting with '// mlpy' gets the filetype %s, not mlpy"):format(tostring(marked)), {
      'Is editors/nvim on runtimepath, and is filetype detection on (:filetype on)?',
    })
  end
end

local function check_clients()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = 'mlpy' })
  if #clients == 0 then
    health.info('no mlpy language server running (one starts for the first ML buffer)')
  end
  for _, client in ipairs(clients) do
    health.ok(('server %d running, root %s'):format(client.id, tostring(client.config.root_dir)))
  end
end

local function check_python()
  local python = vim.env.MLPY_PYTHON or 'python3'
  if vim.fn.executable(python) == 1 then
    health.ok(('%s (runs programs and the emitted Python)'):format(python))
  else
    health.warn(('%s not found: mlpy run, :MlpyRunTest and debugging need it'):format(python), {
      'Install Python 3, or set $MLPY_PYTHON',
    })
  end
end

function M.check()
  health.start('mlpy')
  check_neovim()
  if vim.fn.has('nvim-0.10') == 0 then
    return
  end
  local mlpy = require('mlpy')
  check_server(mlpy)
  check_filetype(require('mlpy.detect'))
  check_clients()
  check_python()
end

return M
