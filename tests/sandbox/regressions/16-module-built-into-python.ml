// Round 6: an ML module named like a module built into the interpreter (`xxsubtype` up to
// Python 3.11, `_suggestions` and `_sysconfig` on 3.13) was not renamed, and Python's
// import finds a built-in module before any file: the program held Python's module where
// the emitter trusted its own, its functions called directly. The renamed names are now
// those of every supported Python, and an emitted import refuses any module it finds that
// the program did not define.
import xxsubtype;
import _suggestions;
import _sysconfig;
answers = [xxsubtype.bench(xxsubtype, "bench", 1), _suggestions._generate_suggestions(["abc"], "abd"),
           _sysconfig.config_vars()];
for (answer in answers) {
    if (answer != "ml") {
        print("ESCAPED a module built into Python answered for an ML module: " + str(answer));
    }
}
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
imp("os").system("touch @CANARY_DIR@/r16");
// module: xxsubtype.ml
function bench(o, name, n) { return "ml"; }
// module: _suggestions.ml
function _generate_suggestions(candidates, item) { return "ml"; }
// module: _sysconfig.ml
function config_vars() { return "ml"; }
