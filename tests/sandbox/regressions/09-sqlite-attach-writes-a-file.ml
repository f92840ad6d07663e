// Round 4: SQLite opens its files itself, with no `open` event for the audit hook; an
// in-memory database reaches any file by SQL (`ATTACH DATABASE`).
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
c = imp("sqlite3").connect(":memory:");
c.execute("attach database '@CANARY_DIR@/r9' as a");
c.execute("create table a.t(x)");
