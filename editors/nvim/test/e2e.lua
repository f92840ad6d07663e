-- End-to-end tests of the plugin in a real (headless) Neovim with the real `mlpy lsp`.
-- Run by test/run.py, which sets MLPY_TEST_* and reads one JSON line per test from
-- MLPY_TEST_RESULTS. Every wait has a deadline; nothing here can hang.

local project = assert(os.getenv('MLPY_TEST_PROJECT'))
local tmp = assert(os.getenv('MLPY_TEST_ROOT'))
local results_path = assert(os.getenv('MLPY_TEST_RESULTS'))
local server = assert(os.getenv('MLPY_TEST_SERVER'))
local mode = os.getenv('MLPY_TEST_MODE') or 'enable'
local WAIT_MS = 20000

local results = assert(io.open(results_path, 'w'))
local function record(entry)
  results:write(vim.json.encode(entry) .. '\n')
  results:flush()
end

local uv = vim.uv or vim.loop
local function realpath(p)
  return uv.fs_realpath(p) or p
end
project = realpath(project)

--- Waits until `cond()` is truthy; fails with `what` (and the last value of `detail()`).
local function wait_for(what, cond, detail)
  local ok = vim.wait(WAIT_MS, function()
    local good, value = pcall(cond)
    return good and value
  end, 20)
  if not ok then
    error(('timed out after %d ms waiting for %s%s'):format(WAIT_MS, what, detail and (': ' .. detail()) or ''), 2)
  end
end

local function eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function edit(path)
  vim.cmd('silent edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function mlpy_client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'mlpy' })[1]
end

local function wait_attached(buf)
  wait_for('the mlpy client to attach to ' .. vim.api.nvim_buf_get_name(buf), function()
    local c = mlpy_client(buf)
    return c and c.initialized
  end)
  return mlpy_client(buf)
end

local function find_line(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i, col - 1
    end
  end
  error('no line contains ' .. needle)
end

local function run_python(lines)
  local file = tmp .. '/emitted.py'
  vim.fn.writefile(lines, file)
  local r = vim.system({ 'python3', file }, { text = true, cwd = tmp }):wait(30000)
  return r
end

local function view_of(kind)
  for buf, view in pairs(require('mlpy').views) do
    if view.kind == kind and vim.api.nvim_buf_is_valid(buf) then
      return buf
    end
  end
end

-- ---------------------------------------------------------------------------------

local tests = {}
-- Mode 'missing' (no mlpy on PATH) runs only the tests of `missing_test`; the others only
-- the tests of `test`.
local function test(name, f)
  if mode ~= 'missing' then
    table.insert(tests, { name = name, f = f })
  end
end
local function missing_test(name, f)
  if mode == 'missing' then
    table.insert(tests, { name = name, f = f })
  end
end

--- The lines `:checkhealth mlpy` shows (in a buffer of its own, closed after).
local function checkhealth()
  vim.cmd('checkhealth mlpy')
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('bwipeout!')
  return table.concat(lines, '\n')
end

local function messages()
  return vim.api.nvim_exec2('messages', { output = true }).output
end

if mode == 'missing' then
  -- `nvim main.ml` with no setup() and no mlpy on PATH (run.py takes it off).
  missing_test('no mlpy on PATH: opening an ML file says so once, and how to fix it', function()
    local buf = vim.fn.bufnr(project .. '/main.ml')
    assert(buf > 0, 'main.ml is not loaded')
    eq(vim.bo[buf].filetype, 'mlpy', 'filetype')
    eq(vim.fn.executable('mlpy'), 0, 'mlpy on PATH')
    local wanted = "mlpy: the language server cannot start: 'mlpy' was not found on PATH: install mlpy"
    wait_for('the error message', function()
      return messages():find(wanted, 1, true)
    end, messages)
    assert(messages():find('cmd = { \'/path/to/mlpy\', \'lsp\', \'--stdio\' }', 1, true), messages())
    -- Another ML buffer: no second message.
    local other = edit(project .. '/lib/geometry.ml')
    eq(vim.bo[other].filetype, 'mlpy', 'filetype of another ML file')
    vim.wait(100)
    local _, count = messages():gsub('the language server cannot start', '')
    eq(count, 1, 'number of error messages')
    eq(#vim.lsp.get_clients(), 0, 'clients')
  end)

  missing_test('no mlpy on PATH: a command says why there is no server', function()
    edit(project .. '/main.ml')
    local err
    require('mlpy').execute(0, 'mlpy.emitPython', function(e)
      err = e
    end)
    assert(err and err.message:find("no mlpy language server is attached to this buffer: 'mlpy' was not found on PATH", 1, true),
      vim.inspect(err))
  end)

  missing_test(':MlpyRestart says again why the server cannot start', function()
    edit(project .. '/main.ml')
    local said = {}
    local notify = vim.notify
    vim.notify = function(message, level)
      table.insert(said, { message, level })
    end
    local ok, err = pcall(vim.cmd, 'MlpyRestart')
    vim.notify = notify
    assert(ok, err)
    eq(#said, 1, 'messages')
    eq(said[1][2], vim.log.levels.ERROR, 'level')
    assert(said[1][1]:find("mlpy: the language server cannot start: 'mlpy' was not found on PATH", 1, true), said[1][1])
  end)

  missing_test(':checkhealth mlpy names the missing executable', function()
    local report = checkhealth()
    assert(report:find("ERROR the language server cannot start: 'mlpy' was not found on PATH", 1, true), report)
    assert(report:find('cargo install --path .', 1, true), report)
    assert(report:find('OK filetype rule registered', 1, true), report)
  end)

  missing_test('a cmd that names no executable file is reported with its path', function()
    local problem = require('mlpy').cmd_problem({ tmp .. '/nowhere/mlpy', 'lsp', '--stdio' })
    eq(problem, ("'%s/nowhere/mlpy' (cmd in require('mlpy').setup()) does not exist or is not executable"):format(tmp), 'problem')
    eq(require('mlpy').cmd_problem({ server, 'lsp', '--stdio' }), nil, 'an executable')
  end)
end

if mode == 'auto' or mode == 'missing' then
  -- No setup(): main.ml, given on the command line, made the plugin set itself up with
  -- the defaults (`mlpy` from PATH).
  test('the file opened at startup gets the server without setup()', function()
    local buf = vim.fn.bufnr(project .. '/main.ml')
    assert(buf > 0, 'main.ml is not loaded')
    eq(vim.bo[buf].filetype, 'mlpy', 'filetype')
    local client = wait_attached(buf)
    eq(client.config.cmd[1], 'mlpy', 'the default command')
    eq(vim.fn.exepath('mlpy'), server, 'mlpy on PATH is the binary under test')
  end)
else
  require('mlpy').setup({
    cmd = { server, 'lsp', '--stdio' },
    legacy = mode == 'legacy',
    refresh_delay_ms = 50,
  })
end

test('filetype: .ml below mlpy.json is mlpy, other .ml files stay ocaml (and get no diagnostics), // mlpy marker wins', function()
  local buf = edit(project .. '/lib/geometry.ml')
  eq(vim.bo[buf].filetype, 'mlpy', 'filetype of lib/geometry.ml')
  eq(vim.bo[buf].commentstring, '// %s', 'commentstring')

  local ocaml_dir = tmp .. '/ocaml'
  vim.fn.mkdir(ocaml_dir, 'p')
  vim.fn.writefile({ 'let () = print_endline "hello"' }, ocaml_dir .. '/hello.ml')
  buf = edit(ocaml_dir .. '/hello.ml')
  eq(vim.bo[buf].filetype, 'ocaml', 'filetype of an OCaml file')
  vim.wait(200)
  eq(#vim.lsp.get_clients({ bufnr = buf }), 0, 'clients attached to the OCaml buffer')

  local script_dir = tmp .. '/scripts'
  vim.fn.mkdir(script_dir, 'p')
  vim.fn.writefile({ '// mlpy', 'print("marker");', 'broken(;' }, script_dir .. '/script.ml')
  -- An OCaml file beside it: the server (rooted at this folder) checks it too, but its
  -- diagnostics must not be kept.
  vim.fn.writefile({ 'let () = print_endline "hello"' }, script_dir .. '/neighbour.ml')
  buf = edit(script_dir .. '/script.ml')
  eq(vim.bo[buf].filetype, 'mlpy', 'filetype of a marked file outside a project')
  local client = wait_attached(buf)
  eq(realpath(client.config.root_dir), realpath(script_dir), 'root of a file without mlpy.json')
  wait_for('the diagnostics of script.ml', function()
    return #vim.diagnostic.get(buf) > 0
  end)
  vim.wait(500)
  local neighbour = vim.fn.bufnr(script_dir .. '/neighbour.ml')
  if neighbour > 0 then
    eq(vim.diagnostic.get(neighbour), {}, 'diagnostics kept for the OCaml file')
  end
  eq(require('mlpy').keep_diagnostics(vim.uri_from_fname(script_dir .. '/neighbour.ml')), false, 'keep_diagnostics(OCaml)')
  eq(require('mlpy').keep_diagnostics(vim.uri_from_fname(script_dir .. '/script.ml')), true, 'keep_diagnostics(ML)')
end)

test('the server attaches with the mlpy.json folder as root', function()
  local buf = edit(project .. '/main.ml')
  local client = wait_attached(buf)
  eq(realpath(client.config.root_dir), project, 'root_dir')
  eq(client.name, 'mlpy', 'client name')
  eq(client.config.init_options, { allowCurrentDir = false }, 'init_options')
end)

test('diagnostics: unresolved import on line 3, circular import on line 4', function()
  local buf = edit(project .. '/broken.ml')
  wait_attached(buf)
  local function by_line()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      found[d.lnum + 1] = d
    end
    return found
  end
  wait_for('both diagnostics', function()
    local d = by_line()
    return d[3] and d[4]
  end, function()
    return vim.inspect(vim.diagnostic.get(buf))
  end)
  local d = by_line()
  eq(d[3].col, 7, 'column of the unresolved import')
  eq(d[3].severity, vim.diagnostic.severity.ERROR, 'severity')
  assert(d[3].message:find("Module 'nosuch.module' not found", 1, true), d[3].message)
  eq(d[4].col, 7, 'column of the circular import')
  assert(d[4].message:find('Circular dependency detected: broken → loop → broken', 1, true), d[4].message)
  eq(#vim.diagnostic.get(buf), 2, 'number of diagnostics')
end)

test('definition: geometry.area(...) jumps into lib/geometry.ml', function()
  local buf = edit(project .. '/main.ml')
  wait_attached(buf)
  local line, col = find_line(buf, 'geometry.area(w, h)')
  vim.api.nvim_win_set_cursor(0, { line, col + #'geometry.' + 1 })
  vim.lsp.buf.definition()
  local target = project .. '/lib/geometry.ml'
  wait_for('the jump to ' .. target, function()
    return realpath(vim.api.nvim_buf_get_name(0)) == target
  end, function()
    return vim.api.nvim_buf_get_name(0)
  end)
  eq(vim.api.nvim_win_get_cursor(0), { 4, 9 }, 'cursor on `area` in `function area(w, h)`')
  eq(vim.api.nvim_get_current_line(), 'function area(w, h) {', 'line under the cursor')
end)

test('formatting: vim.lsp.buf.format() lays a module out as mlpy fmt does', function()
  -- Written here, badly laid out on purpose, so that the fixture itself stays formatted.
  local path = project .. '/tidy.ml'
  local file = assert(io.open(path, 'w'))
  file:write('function  add(a,b){return a+b;}\ntotal=add( 1,2 );\n')
  file:close()
  local buf = edit(path)
  wait_attached(buf)
  vim.lsp.buf.format({ bufnr = buf, timeout_ms = WAIT_MS })
  eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), {
    'function add(a, b) {',
    '    return a + b;',
    '}',
    'total = add(1, 2);',
  }, 'the formatted buffer')
end)

test('code lens: Run test above each test; vim.lsp.codelens.run() and :MlpyRunTest say how it went', function()
  -- Written here, so that the fixture has no test file of its own.
  local path = project .. '/geometry_test.ml'
  local file = assert(io.open(path, 'w'))
  file:write('import testing;\nimport geometry;\n\nfunction test_area() {\n    testing.assert_equal(geometry.area(2, 3), 6);\n}\n\n'
    .. 'function test_area_wrong() {\n    testing.assert_equal(geometry.area(2, 3), 7);\n}\n')
  file:close()
  local buf = edit(path)
  wait_attached(buf)
  wait_for('a Run test lens above each test', function()
    return #vim.lsp.codelens.get(buf) == 2
  end, function()
    return vim.lsp.codelens.get(buf)
  end)
  local lines = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    eq(lens.command.title, '▶ Run test', 'the lens title')
    table.insert(lines, lens.range.start.line)
  end
  table.sort(lines)
  eq(lines, { 3, 7 }, 'the lenses\' lines')

  local shown = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(shown, { message = message, level = level })
  end
  local function shown_with(text)
    return function()
      for _, m in ipairs(shown) do
        if m.message:find(text, 1, true) then
          return m
        end
      end
    end
  end
  local ok, err = pcall(function()
    -- The lens of the cursor's line, as a user runs it.
    vim.api.nvim_win_set_cursor(0, { 4, 0 })
    vim.lsp.codelens.run()
    wait_for('"test_area passed"', shown_with('mlpy: test_area passed'), function()
      return shown
    end)
    -- :MlpyRunTest inside the second test's body runs that test.
    vim.api.nvim_win_set_cursor(0, { 9, 8 })
    vim.cmd('MlpyRunTest')
    wait_for('"test_area_wrong failed" at the assertion', shown_with('mlpy: test_area_wrong failed: geometry_test.ml:9:'), function()
      return shown
    end)
    eq(shown_with('test_area_wrong failed')().level, vim.log.levels.ERROR, 'the failure\'s level')
  end)
  vim.notify = notify
  vim.cmd('silent! bwipeout! ' .. buf)
  os.remove(path)
  assert(ok, err)
end)

test(':MlpyEmitPython opens a python buffer whose code runs', function()
  local source = edit(project .. '/main.ml')
  wait_attached(source)
  local windows = #vim.api.nvim_list_wins()
  vim.cmd('MlpyEmitPython')
  wait_for('the Python view', function()
    local buf = view_of('python')
    return buf and vim.api.nvim_get_current_buf() == buf
  end)
  local buf = vim.api.nvim_get_current_buf()
  eq(vim.bo[buf].filetype, 'python', 'filetype of the view')
  eq(vim.bo[buf].buftype, 'nofile', 'buftype of the view')
  eq(vim.bo[buf].modifiable, false, 'the view is read-only')
  eq(#vim.api.nvim_list_wins(), windows + 1, 'windows (one split)')
  assert(vim.api.nvim_buf_get_name(buf):match('main%.py$'), vim.api.nvim_buf_get_name(buf))
  eq(vim.api.nvim_get_current_line(), '# module geometry (lib/geometry.ml)', 'the cursor is on the program, past the runtime')
  local r = run_python(vim.api.nvim_buf_get_lines(buf, 0, -1, false))
  eq(r.code, 0, 'python3 exit status (stderr: ' .. (r.stderr or '') .. ')')
  eq(r.stdout, 'area 6\ntotal 21, half 3, root 4.0\n', 'output of the emitted Python')
end)

test('the Python view refreshes when the source is edited and written', function()
  local view = assert(view_of('python'), 'the Python view of the previous test')
  local source = require('mlpy').views[view].source
  vim.cmd('wincmd p')
  eq(vim.api.nvim_get_current_buf(), source, 'back in the source window')
  local line = find_line(source, 'print(describe(2, 3));')
  vim.api.nvim_buf_set_lines(source, line - 1, line, false, { 'print(describe(10, 3));' })
  vim.cmd('silent write')
  wait_for('the refreshed view', function()
    return run_python(vim.api.nvim_buf_get_lines(view, 0, -1, false)).stdout:match('^area 30\n')
  end, function()
    return run_python(vim.api.nvim_buf_get_lines(view, 0, -1, false)).stdout
  end)
end)

test(':MlpyEmitPython on a module with errors lists them as comments', function()
  vim.cmd('only')
  local source = edit(project .. '/broken.ml')
  wait_attached(source)
  vim.cmd('MlpyEmitPython')
  local view
  wait_for('the Python view of broken.ml', function()
    for buf, v in pairs(require('mlpy').views) do
      if v.kind == 'python' and v.source == source and vim.api.nvim_buf_is_valid(buf) then
        view = buf
        return vim.api.nvim_buf_line_count(buf) > 3
      end
    end
  end)
  local text = table.concat(vim.api.nvim_buf_get_lines(view, 0, -1, false), '\n')
  assert(text:find("# broken.ml:3:8: error", 1, true), text)
  assert(text:find("Module 'nosuch.module' not found", 1, true), text)
  assert(text:find('Circular dependency detected: broken → loop → broken', 1, true), text)
end)

test(':MlpyEmitPython in an ML buffer with no file says to write it first', function()
  vim.cmd('enew')
  vim.bo.filetype = 'mlpy'
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'print(1);' })
  local said = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(said, { message, level })
  end
  local ok, err = pcall(vim.cmd, 'MlpyEmitPython')
  vim.notify = notify
  vim.cmd('bwipeout!')
  assert(ok, err)
  eq(said, { { 'mlpy: this buffer has no file: write it to a .ml file first (:write name.ml)', vim.log.levels.ERROR } },
    'messages')
end)

test(':MlpyModuleGraph shows the import tree', function()
  vim.cmd('only')
  local source = edit(project .. '/main.ml')
  wait_attached(source)
  vim.cmd('MlpyModuleGraph')
  wait_for('the graph view', function()
    local buf = view_of('graph')
    return buf and vim.api.nvim_get_current_buf() == buf and vim.api.nvim_buf_line_count(buf) > 2
  end)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  assert(lines[1]:match('^main %('), lines[1])
  local text = table.concat(lines, '\n')
  assert(text:find('geometry (lib/geometry.ml)', 1, true), text)
  assert(text:find('math (standard library)', 1, true), text)
end)

test(':MlpyFetchModules reports what it fetched', function()
  vim.cmd('only')
  local source = edit(project .. '/main.ml')
  wait_attached(source)
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    table.insert(messages, { msg = msg, level = level })
  end
  local ok, err = pcall(function()
    vim.cmd('MlpyFetchModules')
    wait_for('the summary', function()
      return #messages >= 2
    end, function()
      return vim.inspect(messages)
    end)
  end)
  vim.notify = notify
  assert(ok, err)
  eq(messages[2], { msg = 'mlpy: this program imports no remote modules', level = vim.log.levels.INFO }, 'summary')
  eq(select(1, require('mlpy').fetch_summary({ modules = {}, errors = { { module = 'https://h/x.ml', message = '404' } } })),
    'mlpy: 1 remote module(s) could not be fetched: https://h/x.ml: 404', 'summary of a failure')
end)

test(':MlpyRestart starts a new server', function()
  vim.cmd('only')
  local buf = edit(project .. '/main.ml')
  local before = wait_attached(buf).id
  vim.cmd('MlpyRestart')
  wait_for('a new client', function()
    local c = mlpy_client(buf)
    return c and c.id ~= before and c.initialized
  end)
end)

local function floats()
  local out = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      table.insert(out, win)
    end
  end
  return out
end

test('signature help: the active parameter of a call being typed, in the float', function()
  vim.cmd('only')
  local buf = edit(project .. '/main.ml')
  wait_attached(buf)
  local last = vim.api.nvim_buf_line_count(buf)
  local typed = 'x = geometry.area(1, '
  vim.api.nvim_buf_set_lines(buf, last, last, false, { typed })
  vim.api.nvim_win_set_cursor(0, { last + 1, #typed })
  local params = vim.lsp.util.make_position_params(0, 'utf-16')
  local result
  wait_for('the signature help', function()
    for _, r in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/signatureHelp', params, 2000) or {}) do
      if r.result and r.result.signatures then
        result = r.result
        return true
      end
    end
  end)
  eq(result.signatures[1].label, 'function area(w, h)', 'the signature')
  eq(result.activeParameter, 1, 'the active parameter (the second)')
  assert(result.signatures[1].documentation.value:find('The area of a w × h rectangle.', 1, true),
    vim.inspect(result.signatures[1].documentation))
  -- What the user sees: vim.lsp.buf.signature_help() opens a float with it.
  vim.lsp.buf.signature_help()
  wait_for('the signature float', function()
    for _, win in ipairs(floats()) do
      local text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
      if text:find('function area(w, h)', 1, true) then
        return true
      end
    end
  end)
  for _, win in ipairs(floats()) do
    vim.api.nvim_win_close(win, true)
  end
  vim.api.nvim_buf_set_lines(buf, last, last + 1, false, {})
  vim.bo[buf].modified = false
end)

test(':MlpyRenameFile moves lib/geometry.ml to lib/shapes.ml and its importers follow', function()
  vim.cmd('only')
  local main = edit(project .. '/main.ml')
  wait_attached(main)
  local geometry = edit(project .. '/lib/geometry.ml')
  wait_attached(geometry)
  local answer
  require('mlpy').rename_file(project .. '/lib/geometry.ml', project .. '/lib/shapes.ml', function(e)
    answer = e or false
  end)
  wait_for('the rename', function()
    return answer ~= nil
  end)
  assert(answer, 'the server answered willRenameFiles with an edit')
  eq(vim.fn.filereadable(project .. '/lib/shapes.ml'), 1, 'the file at its new place')
  eq(vim.fn.filereadable(project .. '/lib/geometry.ml'), 0, 'nothing at the old place')
  eq(realpath(vim.api.nvim_buf_get_name(geometry)), project .. '/lib/shapes.ml', 'the buffer follows the file')
  -- The open importer and the one on disk import the new name, and are written.
  local text = table.concat(vim.api.nvim_buf_get_lines(main, 0, -1, false), '\n')
  assert(text:find('import shapes;', 1, true) and text:find('shapes.area(4, 5) + shapes.UNIT', 1, true), text)
  assert(not text:find('geometry', 1, true), text)
  eq(vim.bo[main].modified, false, 'main.ml written')
  local broken = table.concat(vim.fn.readfile(project .. '/broken.ml'), '\n')
  assert(broken:find('import shapes;', 1, true) and broken:find('shapes.area(1, 2)', 1, true), broken)
  -- The server knows the module by its new name: a definition jumps into the moved file.
  vim.api.nvim_set_current_buf(main)
  local line, col = find_line(main, 'shapes.area(4, 5)')
  vim.api.nvim_win_set_cursor(0, { line, col + #'shapes.' + 1 })
  local target = project .. '/lib/shapes.ml'
  wait_for('a definition in ' .. target, function()
    vim.lsp.buf.definition()
    vim.wait(200, function()
      return realpath(vim.api.nvim_buf_get_name(0)) == target
    end, 20)
    return realpath(vim.api.nvim_buf_get_name(0)) == target
  end, function()
    return vim.api.nvim_buf_get_name(0)
  end)
  eq(vim.api.nvim_get_current_line(), 'function area(w, h) {', 'line under the cursor')
  -- Checked again once the file has moved: no unresolved import is left.
  local function unresolved()
    return vim.tbl_filter(function(d)
      return d.code == 'unresolved-import'
    end, vim.diagnostic.get(main))
  end
  wait_for('main.ml without unresolved imports', function()
    return #unresolved() == 0
  end, function()
    return vim.inspect(unresolved())
  end)
end)

test(':checkhealth mlpy reports the server, the filetype rule and the running server', function()
  local buf = edit(project .. '/main.ml')
  wait_attached(buf)
  local report = checkhealth()
  assert(report:find('OK server command: [^\n]*mlpy lsp %-%-stdio %(mlpy %d'), report)
  assert(report:find("OK filetype rule registered (associate = 'auto')", 1, true), report)
  assert(report:find('OK server %d+ running, root ' .. vim.pesc(project)), report)
  assert(not report:find('ERROR', 1, true), report)
end)

test('nvim-dap: without nvim-dap, require("mlpy.dap").setup() does nothing', function()
  package.loaded['dap'] = nil
  eq(require('mlpy.dap').setup(), nil, 'setup without nvim-dap')
end)

test('nvim-dap: setup() registers the mlpy adapter and configurations (stub dap module)', function()
  -- nvim-dap comes from no package registry: a stub with its two tables stands for it.
  package.loaded['dap'] = { adapters = {}, configurations = {} }
  local dap = require('mlpy.dap').setup({ command = server, launch = { allow = { 'file.read' } } })
  eq(dap, package.loaded['dap'], 'the dap module')
  eq(dap.adapters.mlpy, { type = 'executable', command = server, args = { 'dap' } }, 'adapter')
  local configs = dap.configurations.mlpy
  eq(#configs, 2, 'two configurations')
  eq(configs[1], {
    type = 'mlpy', request = 'launch', name = 'Debug ML file', program = '${file}',
    cwd = '${workspaceFolder}', stopOnEntry = false, allow = { 'file.read' },
  }, 'the default configuration')
  eq(configs[2].stopOnEntry, true, 'stop on entry')
  -- Without a command: the language server's executable.
  eq(require('mlpy.dap').adapter().command, require('mlpy').options.cmd[1], 'default command')
  package.loaded['dap'] = nil
end)

test('nvim-dap: the registered adapter command answers DAP initialize', function()
  local adapter = require('mlpy.dap').adapter({ command = server })
  local body = vim.json.encode({ seq = 1, type = 'request', command = 'initialize',
    arguments = { clientID = 'nvim-dap', adapterID = 'mlpy', linesStartAt1 = true, columnsStartAt1 = true } })
  local cmd = { adapter.command }
  vim.list_extend(cmd, adapter.args)
  local proc = vim.system(cmd, { stdin = true, text = true })
  proc:write(('Content-Length: %d\r\n\r\n%s'):format(#body, body))
  proc:write(nil)
  local done = proc:wait(WAIT_MS)
  eq(done.code, 0, 'mlpy dap exit status (' .. tostring(done.stderr) .. ')')
  -- The body after the Content-Length header (text mode folds its CR LF).
  local json = done.stdout:match('(%b{})')
  local response = vim.json.decode(json)
  eq({ response.command, response.success, response.body.supportsConditionalBreakpoints },
    { 'initialize', true, true }, 'the initialize response')
end)

if vim.fn.has('nvim-0.11') == 1 and mode ~= 'legacy' and mode ~= 'auto' and mode ~= 'missing' then
  test('setup() again replaces the options it was given before, not merges with them', function()
    local mlpy = require('mlpy')
    local before = vim.deepcopy(mlpy.options)
    mlpy.setup(vim.tbl_extend('force', before, {
      import_paths = { 'elsewhere' },
      config = { on_attach = function() end, settings = { extra = true } },
    }))
    eq(vim.lsp.config.mlpy.init_options.importPaths, { 'elsewhere' }, 'the first setup')
    mlpy.setup(before)
    local config = vim.lsp.config.mlpy
    eq(config.init_options.importPaths, nil, 'import_paths left out the second time')
    eq(config.on_attach, nil, 'config.on_attach left out the second time')
    eq(config.settings.extra, nil, 'config.settings left out the second time')
    eq(config.cmd, { server, 'lsp', '--stdio' }, 'the command given the second time')
  end)
end

-- ---------------------------------------------------------------------------------

local failed = 0
for _, t in ipairs(tests) do
  local started = uv.hrtime()
  local ok, err = xpcall(t.f, debug.traceback)
  local ms = (uv.hrtime() - started) / 1e6
  record({ name = t.name, ok = ok, error = ok and nil or tostring(err), ms = ms })
  if not ok then
    failed = failed + 1
  end
end
record({ done = true, failed = failed })
results:close()
-- Stop the servers as a user's :quit would, then leave with the right status.
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
vim.wait(3000, function()
  return #vim.lsp.get_clients() == 0
end, 20)
vim.cmd(failed == 0 and 'qall!' or 'cquit! 1')
