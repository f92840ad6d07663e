// Round 7: when the interpreter finalizes it drops its audit hooks and only then finalizes
// the objects still alive: a `__del__` (or a weak reference's callback, a generator's
// `finally`) of an object a module keeps ran `os.system` unrefused once the program had
// ended (kept by the codec registry, which the interpreter clears after its hooks, or by
// `sys.modules`). The hook now ends the process when the interpreter announces that it clears
// itself (`cpython.PyInterpreterState_Clear`), with the program's exit status: nothing
// runs without the hook. (The finalizer is a static method, called without `self`: a
// partial of `os.system` bound to the command.) Python 3.9 finalizes neither object once
// its hooks are gone: there the attack starts its process at once, which the hook refuses.
if (false) { getattr = null; }
f = getattr;
py = f(print, "__globals__")["_py"];
imp = f(py, "__import__");
system = f(imp("os"), "system");
partial = f(imp("functools"), "partial");
command = "touch @CANARY_DIR@/r19";
finalizer = f(py, "staticmethod")(partial(system, command));
search = f(py, "staticmethod")(fn(name) => null);
Kept = f(py, "type")("Kept", f(py, "tuple")([]), {"__del__": finalizer, "__call__": search});
kept = [Kept(), Kept()];
imp("codecs").register(kept[1]);
modules = f(imp("sys"), "modules");
modules["kept_until_the_end"] = kept[0];
if (f(imp("sys"), "version_info")[1] < 10) {
    system(command);
}
