-- mlpy for nvim-dap: the `mlpy` adapter (`mlpy dap`, a Debug Adapter Protocol server over
-- stdio that debugs ML on top of debugpy) and configurations that debug the ML file of the
-- current buffer. `require('mlpy.dap').setup(opts)` registers them when nvim-dap is there.
local M = {}

local defaults = {
  -- The mlpy executable (nil: the one of the language server's `cmd`, else `mlpy` on PATH).
  command = nil,
  -- Launch settings added to every configuration: allow, importPaths, config, python, env,
  -- args, cwd, … (docs/debugging.md lists them).
  launch = {},
}

local function options(opts)
  return vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
end

--- The executable: `opts.command`, else the language server's, else `mlpy`.
local function command(opts)
  if opts.command then
    return opts.command
  end
  local ok, mlpy = pcall(require, 'mlpy')
  local cmd = ok and mlpy.options and mlpy.options.cmd
  if type(cmd) == 'table' and type(cmd[1]) == 'string' then
    return cmd[1]
  end
  return 'mlpy'
end

--- The adapter, for `dap.adapters.mlpy`.
function M.adapter(opts)
  opts = options(opts)
  return { type = 'executable', command = command(opts), args = { 'dap' } }
end

--- The configurations, for `dap.configurations.mlpy` (buffers of filetype `mlpy`).
function M.configurations(opts)
  opts = options(opts)
  local base = {
    type = 'mlpy',
    request = 'launch',
    program = '${file}',
    cwd = '${workspaceFolder}',
  }
  return {
    vim.tbl_extend('force', base, { name = 'Debug ML file', stopOnEntry = false }, opts.launch),
    vim.tbl_extend('force', base, { name = 'Debug ML file (stop on entry)', stopOnEntry = true }, opts.launch),
  }
end

--- Registers the adapter and the configurations with nvim-dap. Returns the `dap` module,
--- or nil (and does nothing) when nvim-dap is not installed.
function M.setup(opts)
  local ok, dap = pcall(require, 'dap')
  if not ok or type(dap) ~= 'table' then
    return nil
  end
  dap.adapters = dap.adapters or {}
  dap.configurations = dap.configurations or {}
  dap.adapters.mlpy = M.adapter(opts)
  dap.configurations.mlpy = M.configurations(opts)
  return dap
end

return M
