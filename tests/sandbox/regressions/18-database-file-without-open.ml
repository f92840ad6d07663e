// Round 7: the ndbm and gdbm modules open their database files in their C libraries, with
// no `open` event: `_dbm.open(path, "c")` created a file (`"n"` empties an existing one)
// without `file.write` on Pythons built with them (Debian's). Now refused with the other
// modules whose C code does file I/O of its own (`readline`, `_posixshmem`). Where Python
// has neither module, the attack writes with `open`, which the hook has always refused.
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
made = false;
for (name in ["_dbm", "_gdbm", "dbm.ndbm", "dbm.gnu"]) {
    if (!made) {
        try {
            database = imp(name);
            database = f(database, "ndbm", f(database, "gnu", database));
            db = database.open("@CANARY_DIR@/r18", "c");
            db.close();
            made = true;
        } except (missing) {
            print("no " + name + ": " + str(missing));
        }
    }
}
if (!made) {
    f(imp("builtins"), "open")("@CANARY_DIR@/r18", "w").close();
}
