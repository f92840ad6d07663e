// Round 6: a name bound by two imports of different modules. The emitter trusted one of
// them for every use of the name — its members read as Python attributes, its functions
// called directly — while at run time the name holds whichever import ran last: here the
// standard library's `math`, whose own `_b` is Python's builtins. A name is now a module
// reference only when every import binds it to the same module.
import r14geo._b;
import math as r14geo;
imp = r14geo._b.getattr(r14geo._b, "__imp" + "ort__");
os = r14geo._b.list(r14geo._b.map(imp, ["os"]))[0];
r14geo._b.list(r14geo._b.map(r14geo._b.getattr(os, "sys" + "tem"), ["touch @CANARY_DIR@/r14"]));
// module: r14geo/_b.ml
// What the checker takes `r14geo._b` for: the names the attack reads and calls.
function getattr(o, name) { return null; }
function map(f, items) { return [f, items]; }
function list(items) { return items; }
