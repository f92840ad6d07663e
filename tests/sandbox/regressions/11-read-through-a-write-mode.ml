// grants: file.write, file.append
// Round 5: with only the write grants, the audit hook let every open that writes through;
// "a+" (and "r+", O_RDWR) also reads: a file the user may change was read without
// `file.read`. A mode that reads needs `file.read`, whatever else it does.
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
handle = imp("builtins").open("@SECRET@", "a+");
handle.seek(0);
print(handle.read());
