-- `.ml` is OCaml's too: only files below an mlpy.json, or with a `// mlpy` first line,
-- become 'mlpy'; every other `.ml` file stays 'ocaml' as Neovim has it.
-- (Here for plugin managers that load the plugin lazily by filetype: they source
-- ftdetect/ at startup. plugin/mlpy.lua does the same for everyone else.)
require('mlpy.detect').register()
