// Issue 11, class 1: redefining an ML builtin name dropped the ML builtin and exposed Python's.
// (A call `getattr(…)` now always calls the ML builtin; read as a value, the name is the
// program's binding, which never ran: Python's builtin if the namespace were open.)
if (false) { getattr = null; }
f = getattr;
g = f(print, "__globals__");
g["_py"].eval("__import__('os').system('touch @CANARY_DIR@/r4')");
