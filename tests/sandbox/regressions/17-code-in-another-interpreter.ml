// Round 7: code run in another interpreter has none of this one's audit hooks, and
// creating one raises no event the hook sees: on Python 3.13 `_interpreters` (what 3.9-3.12
// called `_xxsubinterpreters`, refused by name) ran `os.system` unrefused, by
// `run_string` and by `exec`. CPython's native test and subinterpreter modules (`_test*`,
// `_xx*`, `_interp*`) are now refused as a family, whatever a version calls them.
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
script = "import os; os.system('touch @CANARY_DIR@/r17')";
interpreters = null;
for (name in ["_interpreters", "_xxsubinterpreters"]) {
    if (interpreters == null) {
        try {
            interpreters = imp(name);
        } except (missing) {
            print("no " + name + ": " + str(missing));
        }
    }
}
for (way in ["run_string", "exec"]) {
    try {
        run = f(interpreters, way, null);
        if (run != null) {
            run(interpreters.create(), script);
        }
    } except (refused) {
        print("stopped: " + str(refused));
    }
}
