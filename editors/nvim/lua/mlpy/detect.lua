-- Which `.ml` files are ML (mlpy) rather than OCaml, which uses the same extension.
local M = {}

--- How `.ml` files are claimed: 'auto' (an mlpy.json at or above the file, or the
--- first-line marker), 'always', or 'never' (only the marker).
M.mode = 'auto'

--- `// mlpy` on the first line (after an optional byte-order mark).
function M.has_marker(line)
  if type(line) ~= 'string' then
    return false
  end
  line = line:gsub('^\239\187\191', '')
  return line:match('^%s*//%s*mlpy%f[^%w_]') ~= nil
end

--- The folder of the nearest mlpy.json at or above `path`'s folder, or nil.
function M.project_root(path)
  if not path or path == '' then
    return nil
  end
  local dir = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(path, ':p')))
  local found = vim.fs.find('mlpy.json', { upward = true, path = dir, type = 'file', limit = 1 })[1]
  return found and vim.fs.dirname(found) or nil
end

local function first_line(path, bufnr)
  if bufnr and vim.api.nvim_buf_is_loaded(bufnr) then
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, 1, false)
    if lines[1] and (lines[1] ~= '' or vim.api.nvim_buf_line_count(bufnr) > 1) then
      return lines[1]
    end
  end
  local ok, lines = pcall(vim.fn.readfile, path, '', 1)
  return ok and lines[1] or nil
end

--- Whether the `.ml` file at `path` (shown in `bufnr`, if given) is ML.
function M.is_mlpy(path, bufnr, mode)
  mode = mode or M.mode
  if not path or not path:match('%.ml$') then
    return false
  end
  if mode == 'always' or M.has_marker(first_line(path, bufnr)) then
    return true
  end
  if mode == 'never' then
    return false
  end
  return M.project_root(path) ~= nil
end

--- The filetype of a `.ml` file: 'mlpy', or 'ocaml' (Neovim's own choice for `.ml`).
function M.filetype(path, bufnr)
  if M.is_mlpy(path, bufnr) then
    return 'mlpy'
  end
  return 'ocaml'
end

--- Registers the `.ml` rule with vim.filetype (idempotent).
function M.register()
  vim.filetype.add({
    extension = {
      ml = function(path, bufnr)
        return M.filetype(path, bufnr)
      end,
    },
  })
end

return M
