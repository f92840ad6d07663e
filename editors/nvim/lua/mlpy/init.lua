-- mlpy for Neovim: starts `mlpy lsp` for ML buffers and shows the server's Python and
-- module graph in scratch buffers.
local detect = require('mlpy.detect')

local M = {}

local defaults = {
  -- The server command; `mlpy` must be on PATH unless this names it.
  cmd = { 'mlpy', 'lsp', '--stdio' },
  -- Module search folders instead of mlpy.json's import_paths (nil: use mlpy.json).
  import_paths = nil,
  -- Also search the importing file's own folder.
  allow_current_dir = false,
  -- Which `.ml` files are ML: 'auto', 'always' or 'never' (see mlpy.detect).
  associate = 'auto',
  -- Where :MlpyEmitPython and :MlpyModuleGraph open their buffer: 'vertical',
  -- 'horizontal' or 'tab'.
  split = 'vertical',
  -- Refresh an open Python view when an ML buffer changes or is written.
  refresh = true,
  refresh_delay_ms = 300,
  -- Show the server's code lenses ("Run test" above each test of a test file) and
  -- keep them current; run one with vim.lsp.codelens.run() or :MlpyRunTest.
  codelens = true,
  -- 'off', 'messages' or 'verbose'.
  trace = 'off',
  -- Start the server with vim.lsp.start from a FileType autocommand, as on Neovim 0.10,
  -- even on 0.11+.
  legacy = false,
  -- Extra fields for the client configuration (on_attach, capabilities, …).
  config = {},
}

M.options = vim.deepcopy(defaults)
local did_setup = false
local group = vim.api.nvim_create_augroup('mlpy', { clear = true })

local has_011 = vim.fn.has('nvim-0.11') == 1

--- The server settings `mlpy lsp` reads (initializationOptions and
--- workspace/didChangeConfiguration): importPaths, allowCurrentDir.
function M.init_options(opts)
  local init = { allowCurrentDir = opts.allow_current_dir == true }
  if opts.import_paths ~= nil then
    init.importPaths = opts.import_paths
  end
  return init
end

--- The project folder of a buffer: the nearest mlpy.json above it, else its folder.
function M.root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  return detect.project_root(name) or vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(name, ':p')))
end

--- Whether to keep the diagnostics `mlpy lsp` publishes for `uri`: the server checks
--- every `.ml` file under its root, OCaml files included; those that are not ML by the
--- filetype rule (and not open as 'mlpy') keep none.
function M.keep_diagnostics(uri)
  local ok, fname = pcall(vim.uri_to_fname, uri)
  if not ok or not fname:match('%.ml$') then
    return true
  end
  local buf = vim.fn.bufnr(fname)
  if buf > 0 and vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype ~= '' then
    return vim.bo[buf].filetype == 'mlpy'
  end
  return detect.is_mlpy(fname, nil)
end

local function publish_diagnostics(err, result, ctx, config)
  if result and result.uri and not M.keep_diagnostics(result.uri) then
    result = vim.tbl_extend('force', result, { diagnostics = {} })
  end
  return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
end

--- The client configuration (without the 0.10/0.11 specifics).
function M.client_config(opts)
  local init = M.init_options(opts)
  return vim.tbl_deep_extend('force', {
    name = 'mlpy',
    cmd = opts.cmd,
    filetypes = { 'mlpy' },
    root_markers = { 'mlpy.json' },
    get_language_id = function()
      return 'ml'
    end,
    init_options = init,
    settings = { mlpy = init },
    trace = opts.trace,
    handlers = { ['textDocument/publishDiagnostics'] = publish_diagnostics },
  }, opts.config or {})
end

--- The server command in effect: `config.cmd` when the options set one, else `cmd`.
function M.server_cmd(opts)
  opts = opts or M.options
  return (type(opts.config) == 'table' and opts.config.cmd) or opts.cmd
end

--- Why the server command `cmd` cannot start, or nil. A function (a transport of the
--- user's own) is taken as it is.
function M.cmd_problem(cmd)
  if type(cmd) == 'function' then
    return nil
  end
  local program = type(cmd) == 'table' and cmd[1] or nil
  if type(program) ~= 'string' or program == '' then
    return "the server command is empty: set cmd = { '/path/to/mlpy', 'lsp', '--stdio' } in require('mlpy').setup()"
  end
  if vim.fn.executable(program) == 1 then
    return nil
  end
  if program:find('/', 1, true) then
    return ("'%s' (cmd in require('mlpy').setup()) does not exist or is not executable"):format(program)
  end
  return ("'%s' was not found on PATH: install mlpy (cargo install --path . in a checkout of mlpy) "
    .. "or set cmd = { '/path/to/mlpy', 'lsp', '--stdio' } in require('mlpy').setup()"):format(program)
end

-- Problems already reported this session (one message each, not one per buffer).
local reported = {}

--- Reports, once, that the server cannot start for ML buffers; returns the problem or
--- nil. Neovim 0.11+'s vim.lsp.enable skips a command that is not executable without a
--- word, which would leave every ML buffer silently without a server.
function M.check_server()
  local problem = M.cmd_problem(M.server_cmd())
  if problem and not reported[problem] then
    reported[problem] = true
    vim.schedule(function()
      vim.notify('mlpy: the language server cannot start: ' .. problem, vim.log.levels.ERROR)
    end)
  end
  return problem
end

local function start_legacy(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].filetype ~= 'mlpy' then
    return
  end
  if vim.api.nvim_buf_get_name(bufnr) == '' then
    return
  end
  if M.check_server() then
    return
  end
  local config = M.client_config(M.options)
  config.root_dir = M.root_dir(bufnr)
  config.filetypes = nil
  config.root_markers = nil
  vim.lsp.start(config, { bufnr = bufnr })
end

--- Configures the plugin and enables the server for ML buffers. Options: see `defaults`.
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  detect.mode = M.options.associate
  did_setup = true
  vim.api.nvim_clear_autocmds({ group = group })

  if has_011 and not M.options.legacy then
    local config = M.client_config(M.options)
    config.name = nil
    config.root_dir = function(bufnr, on_dir)
      on_dir(M.root_dir(bufnr))
    end
    -- Assigned, not merged (`vim.lsp.config('mlpy', …)` merges): what an earlier setup()
    -- set and this one leaves out goes.
    vim.lsp.config.mlpy = config
    vim.lsp.enable('mlpy')
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = 'mlpy',
      callback = function()
        M.check_server()
      end,
    })
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'mlpy' then
        M.check_server()
        break
      end
    end
  else
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = 'mlpy',
      callback = function(args)
        start_legacy(args.buf)
      end,
    })
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) then
        start_legacy(buf)
      end
    end
  end

  if M.options.codelens then
    vim.api.nvim_create_autocmd('LspAttach', {
      group = group,
      callback = function(args)
        local client = vim.lsp.get_client_by_id(args.data and args.data.client_id or -1)
        if client and client.name == 'mlpy' and client.server_capabilities.codeLensProvider then
          M.enable_codelens(args.buf)
        end
      end,
    })
  end

  if M.options.refresh then
    vim.api.nvim_create_autocmd({ 'TextChanged', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      callback = function(args)
        if vim.bo[args.buf].filetype == 'mlpy' then
          M.schedule_refresh()
        end
      end,
    })
  end
end

--- Shows the server's code lenses in `bufnr` and refreshes them as it changes.
function M.enable_codelens(bufnr)
  local codelens = vim.lsp.codelens
  if codelens.enable then
    -- Neovim versions that keep lenses current themselves.
    codelens.enable(true, { bufnr = bufnr })
    return
  end
  local refresh = function()
    if vim.api.nvim_buf_is_valid(bufnr) then
      codelens.refresh({ bufnr = bufnr })
    end
  end
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost', 'TextChanged' }, {
    group = group,
    buffer = bufnr,
    callback = refresh,
  })
  refresh()
end

--- Called by plugin/mlpy.lua for the first ML buffer when setup() was not called.
function M.ensure_setup(bufnr)
  if did_setup then
    return
  end
  M.setup({})
  if has_011 and not M.options.legacy and bufnr then
    -- During startup (`nvim main.ml`) vim.lsp.enable does not revisit buffers whose
    -- FileType already fired: attach this one now (vim.lsp.start reuses a running client).
    pcall(vim.api.nvim_exec_autocmds, 'FileType', { group = 'nvim.lsp.enable', buffer = bufnr, modeline = false })
  end
end

-- ---------------------------------------------------------------------------------
-- Commands

local function client_for(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr, name = 'mlpy' })[1]
end

--- Sends workspace/executeCommand `command` with `arguments` to the server of `bufnr`;
--- calls `callback(err, result)`.
local function execute_command(bufnr, command, arguments, callback)
  local client = client_for(bufnr)
  if not client then
    local problem = M.cmd_problem(M.server_cmd())
    local message = 'no mlpy language server is attached to this buffer'
    callback({ message = problem and (message .. ': ' .. problem) or message }, nil)
    return
  end
  local params = { command = command, arguments = arguments }
  local handler = function(err, result)
    callback(err, result)
  end
  if has_011 then
    client:request('workspace/executeCommand', params, handler, bufnr)
  else
    client.request('workspace/executeCommand', params, handler, bufnr)
  end
end

--- Sends workspace/executeCommand `command` for the document in `bufnr`; calls
--- `callback(err, result)`.
function M.execute(bufnr, command, callback)
  execute_command(bufnr, command, { vim.uri_from_bufnr(bufnr) }, callback)
end

--- The "Run test" lens of the test at or above the cursor's line in `bufnr`, if any.
function M.test_lens_at(bufnr, line)
  local best
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr) or {}) do
    local command = lens.command
    if command and command.command == 'mlpy.runTest' and lens.range.start.line <= line then
      if not best or lens.range.start.line > best.range.start.line then
        best = lens
      end
    end
  end
  return best
end

--- Runs the test at or above the cursor (the server says how it went); `done(err,
--- result)` is called with the server's answer.
function M.run_test(done)
  local bufnr = vim.api.nvim_get_current_buf()
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  local lens = M.test_lens_at(bufnr, line)
  done = done or function() end
  if not lens then
    vim.notify('mlpy: no test at or above the cursor (a test is a top-level function test_* of a *_test.ml or test_*.ml file)', vim.log.levels.WARN)
    done({ message = 'no test' }, nil)
    return
  end
  execute_command(bufnr, lens.command.command, lens.command.arguments, function(err, result)
    if err then
      vim.notify(('mlpy: %s'):format(err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    done(err, result)
  end)
end

local function relative(uri, source_uri)
  local ok, file = pcall(vim.uri_to_fname, uri)
  if not ok then
    return uri
  end
  local base = vim.fs.dirname(vim.uri_to_fname(source_uri)) .. '/'
  if file:sub(1, #base) == base then
    return file:sub(#base + 1)
  end
  return file
end

--- The lines of the Python view for an emitPython result (errors become comments).
function M.python_lines(result, source_uri)
  if type(result) == 'table' and type(result.python) == 'string' then
    return vim.split(result.python:gsub('\n$', ''), '\n', { plain = true }), true
  end
  local lines = {
    ('# mlpy could not emit Python for %s:'):format(vim.fs.basename(vim.uri_to_fname(source_uri))),
    '# fix these and this view refreshes by itself.',
    '#',
  }
  local errors = type(result) == 'table' and result.errors or {}
  for _, e in ipairs(errors) do
    local where = e.uri ~= vim.NIL and e.uri and relative(e.uri, source_uri) or '?'
    if e.range then
      where = ('%s:%d:%d'):format(where, e.range.start.line + 1, e.range.start.character + 1)
    end
    local message = vim.split(e.message or 'error', '\n', { plain = true })
    local code = (e.code and e.code ~= vim.NIL) and (' [' .. e.code .. ']') or ''
    table.insert(lines, ('# %s: error%s: %s'):format(where, code, message[1]))
    for i = 2, #message do
      table.insert(lines, '#     ' .. message[i])
    end
  end
  return lines, false
end

--- The first line (1-based) of the program's own code in a single-file emit: the first
--- `# module …` section, else the entry's `# main.ml` section, else 1.
function M.first_program_line(lines, source_path)
  local entry = '# ' .. vim.fs.basename(source_path)
  local own
  for i, line in ipairs(lines) do
    if line:sub(1, 9) == '# module ' then
      return i
    end
    if not own and line == entry then
      own = i
    end
  end
  return own or 1
end

-- Open views: view buffer → { source = bufnr, kind = 'python' | 'graph' }.
M.views = {}

local function view_name(kind, source)
  -- Relative to the working directory when below it, like Neovim shows file names.
  local path = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(source), ':~:.')
  if kind == 'python' then
    return 'mlpy://python/' .. path:gsub('%.ml$', '') .. '.py'
  end
  return 'mlpy://graph/' .. path
end

local function find_view(kind, source)
  for buf, view in pairs(M.views) do
    if vim.api.nvim_buf_is_valid(buf) and view.kind == kind and view.source == source then
      return buf
    end
    if not vim.api.nvim_buf_is_valid(buf) then
      M.views[buf] = nil
    end
  end
end

local function set_lines(buf, lines)
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
end

local function show(buf, focus)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf then
      if focus then
        vim.api.nvim_set_current_win(win)
      end
      return
    end
  end
  local split = M.options.split
  local cmd = split == 'tab' and 'tab split' or (split == 'horizontal' and 'belowright split' or 'vertical belowright split')
  local previous = vim.api.nvim_get_current_win()
  vim.cmd(cmd)
  vim.api.nvim_win_set_buf(0, buf)
  if not focus then
    vim.api.nvim_set_current_win(previous)
  end
end

local function view_buffer(kind, source)
  local buf = find_view(kind, source)
  if buf then
    return buf
  end
  buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, view_name(kind, source))
  vim.bo[buf].filetype = kind == 'python' and 'python' or 'mlpygraph'
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'Close the mlpy view' })
  M.views[buf] = { kind = kind, source = source }
  return buf
end

--- Fills the view of `kind` for `source` (creating it when `open`); `done(buf)` after.
function M.update_view(kind, source, open, done)
  local command = kind == 'python' and 'mlpy.emitPython' or 'mlpy.showModuleGraph'
  M.execute(source, command, function(err, result)
    if err then
      vim.notify(('mlpy: %s failed: %s'):format(command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if not vim.api.nvim_buf_is_valid(source) then
      return
    end
    local buf = find_view(kind, source)
    if not buf and not open then
      return
    end
    buf = buf or view_buffer(kind, source)
    local lines
    if kind == 'python' then
      local ok
      lines, ok = M.python_lines(result, vim.uri_from_bufnr(source))
      if not ok and open then
        vim.notify('mlpy: the program has errors; they are listed in the Python view', vim.log.levels.WARN)
      end
    else
      local tree = type(result) == 'table' and result.tree or vim.inspect(result)
      lines = vim.split(tree:gsub('\n$', ''), '\n', { plain = true })
    end
    set_lines(buf, lines)
    if open then
      show(buf, true)
      if kind == 'python' then
        -- Scroll past the embedded runtime to the program's own code.
        local line = M.first_program_line(lines, vim.api.nvim_buf_get_name(source))
        vim.api.nvim_win_set_cursor(0, { line, 0 })
        vim.cmd('normal! zt')
      end
    end
    if done then
      done(buf)
    end
  end)
end

local refresh_timer
--- Refreshes every open Python view a moment after the last change.
function M.schedule_refresh()
  if refresh_timer then
    refresh_timer:stop()
  else
    refresh_timer = (vim.uv or vim.loop).new_timer()
  end
  refresh_timer:start(M.options.refresh_delay_ms, 0, vim.schedule_wrap(function()
    for buf, view in pairs(M.views) do
      if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_is_valid(view.source) then
        M.update_view(view.kind, view.source, false)
      else
        M.views[buf] = nil
      end
    end
  end))
end

local function source_buffer()
  local buf = vim.api.nvim_get_current_buf()
  local view = M.views[buf]
  if view then
    return view.source
  end
  if vim.bo[buf].filetype ~= 'mlpy' then
    vim.notify('mlpy: this is not an ML buffer', vim.log.levels.ERROR)
    return nil
  end
  if vim.api.nvim_buf_get_name(buf) == '' then
    -- The server resolves imports from the module's file: it needs one.
    vim.notify('mlpy: this buffer has no file: write it to a .ml file first (:write name.ml)', vim.log.levels.ERROR)
    return nil
  end
  return buf
end

--- :MlpyEmitPython: the single-file Python of the current module, in a scratch buffer.
function M.emit_python(done)
  local source = source_buffer()
  if source then
    M.update_view('python', source, true, done)
  end
end

--- :MlpyModuleGraph: the current module's import tree, in a scratch buffer.
function M.module_graph(done)
  local source = source_buffer()
  if source then
    M.update_view('graph', source, true, done)
  end
end

--- A one-line summary of a mlpy.fetchModules result, and whether all was fetched.
function M.fetch_summary(result)
  local modules = type(result) == 'table' and result.modules or {}
  local errors = type(result) == 'table' and result.errors or {}
  if #errors > 0 then
    local parts = {}
    for _, e in ipairs(errors) do
      table.insert(parts, ('%s: %s'):format(e.module or '?', e.message or 'failed'))
    end
    return ('mlpy: %d remote module(s) could not be fetched: %s'):format(#errors, table.concat(parts, '; ')), false
  end
  if #modules == 0 then
    return 'mlpy: this program imports no remote modules', true
  end
  return ('mlpy: fetched %d remote module(s) into the cache: %s'):format(#modules, table.concat(modules, ', ')), true
end

--- :MlpyFetchModules: downloads the remote modules the current module reaches (what
--- `mlpy fetch FILE` does), then refreshes the open views.
function M.fetch_modules(done)
  local source = source_buffer()
  if not source then
    return
  end
  vim.notify('mlpy: fetching remote modules…', vim.log.levels.INFO)
  M.execute(source, 'mlpy.fetchModules', function(err, result)
    if err then
      vim.notify('mlpy: fetching failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    else
      local message, ok = M.fetch_summary(result)
      vim.notify(message, ok and vim.log.levels.INFO or vim.log.levels.ERROR)
      M.schedule_refresh()
    end
    if done then
      done(err, result)
    end
  end)
end

--- The buffers a workspace edit changes (its `changes` and `documentChanges`).
local function edited_buffers(edit)
  local uris = {}
  for uri in pairs(edit.changes or {}) do
    uris[uri] = true
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument then
      uris[change.textDocument.uri] = true
    end
  end
  local out = {}
  for uri in pairs(uris) do
    table.insert(out, vim.uri_to_bufnr(uri))
  end
  return out
end

--- :MlpyRenameFile {new}: moves the current file (or `old`, a file or a folder) to
--- `new`, keeping every import of it right. Neovim 0.10 and 0.11 do not send LSP's
--- file-operation requests themselves (`vim.lsp.util.rename` only moves the file and
--- renames its buffers), so this does what VS Code does for its explorer: asks the
--- server for the edit (`workspace/willRenameFiles`), applies it and writes the buffers
--- it changed, moves the file, and tells the server (`workspace/didRenameFiles`).
--- `done(edit)` is called at the end (`edit`: the server's answer, nil for none).
function M.rename_file(old, new, done)
  old = vim.fs.normalize(vim.fn.fnamemodify(old, ':p')):gsub('/$', '')
  new = vim.fs.normalize(vim.fn.fnamemodify(new, ':p')):gsub('/$', '')
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local client = client_for(vim.fn.bufnr(old)) or get({ name = 'mlpy' })[1]
  local files = { { oldUri = vim.uri_from_fname(old), newUri = vim.uri_from_fname(new) } }
  local function finish(err, edit)
    if err then
      vim.notify('mlpy: willRenameFiles failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      edit = nil
    end
    if type(edit) == 'table' then
      vim.lsp.util.apply_workspace_edit(edit, client and client.offset_encoding or 'utf-16')
      for _, buf in ipairs(edited_buffers(edit)) do
        if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].modified then
          vim.api.nvim_buf_call(buf, function()
            vim.cmd('silent write')
          end)
        end
      end
    else
      edit = nil
    end
    vim.lsp.util.rename(old, new)
    if client then
      if has_011 then
        client:notify('workspace/didRenameFiles', { files = files })
      else
        client.notify('workspace/didRenameFiles', { files = files })
      end
    end
    if done then
      done(edit)
    end
  end
  if not client then
    finish(nil, nil)
    return
  end
  local params = { files = files }
  local handler = vim.schedule_wrap(finish)
  if has_011 then
    client:request('workspace/willRenameFiles', params, handler)
  else
    client.request('workspace/willRenameFiles', params, handler)
  end
end

--- :MlpyRestart: stops the server and starts it again for the open ML buffers.
function M.restart()
  local problem = M.cmd_problem(M.server_cmd())
  if problem then
    -- Asked for by hand: say it again (check_server says it once per session).
    vim.notify('mlpy: the language server cannot start: ' .. problem, vim.log.levels.ERROR)
    return
  end
  if has_011 and not M.options.legacy then
    vim.lsp.enable('mlpy', false)
  else
    local get = vim.lsp.get_clients or vim.lsp.get_active_clients
    for _, client in ipairs(get({ name = 'mlpy' })) do
      client.stop(client)
    end
  end
  vim.defer_fn(function()
    if has_011 and not M.options.legacy then
      vim.lsp.enable('mlpy', true)
      pcall(vim.cmd.doautoall, 'nvim.lsp.enable FileType')
    else
      for _, buf in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_is_loaded(buf) then
          start_legacy(buf)
        end
      end
    end
  end, 500)
end

return M
