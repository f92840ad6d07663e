// grants: file.write, file.append
// Round 5: the audit hook lets Python source under the program's folder be read without
// `file.read` (imports, tracebacks); a file hard-linked (or renamed) to `moved.py` there
// was read too. With a write grant but not `file.read`, nothing may be moved or linked
// into those folders.
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
os = imp("os");
moved = os.path.join(imp("sys").path[0], "moved.py");
os.link("@SECRET@", moved);
print(imp("builtins").open(moved).read());
