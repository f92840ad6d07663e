// Round 6: Python reaches `r15geo.shapes._b` through the attribute `shapes` of the package
// `r15geo`, which its own code may rebind (`shapes = math;`). The emitter read the chain as
// Python attributes and called its functions directly, so `r15geo.shapes._b` was the
// standard library's `math`'s `_b`: Python's builtins. A chain through a step its package
// also binds as a name now reaches no module for certain: its members go through the gates.
// Since then, a package name that is also its submodule's is refused by the checks too
// (`name-collision`); the emitter's gates stay behind that check.
import r15geo.shapes._b;
r15geo.swap();
imp = r15geo.shapes._b.getattr(r15geo.shapes._b, "__imp" + "ort__");
os = r15geo.shapes._b.list(r15geo.shapes._b.map(imp, ["os"]))[0];
r15geo.shapes._b.list(r15geo.shapes._b.map(r15geo.shapes._b.getattr(os, "sys" + "tem"), ["touch @CANARY_DIR@/r15"]));
// module: r15geo/__init__.ml
import math;
shapes = null;
function swap() { nonlocal shapes; shapes = math; }
// module: r15geo/shapes/_b.ml
function getattr(o, name) { return null; }
function map(f, items) { return [f, items]; }
function list(items) { return items; }
