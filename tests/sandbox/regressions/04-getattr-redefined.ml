// Issue 11, class 1: redefining an ML builtin name dropped the ML builtin and exposed Python's.
if (false) { getattr = null; }
g = getattr(print, "__globals__");
g["_py"].eval("__import__('os').system('touch @CANARY_DIR@/r4')");
