// Round 4: readline reads and writes its history files itself, with no `open` event for
// the audit hook (`read_history_file` reads any file into what `get_history_item` gives).
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
imp("readline").write_history_file("@CANARY_DIR@/r8");
