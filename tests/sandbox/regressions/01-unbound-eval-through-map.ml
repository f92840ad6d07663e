// Issue 11, class 1: a name bound only in a branch that never runs fell back to builtins.eval.
import functional;
if (false) { eval = null; }
functional.map(eval, ["__imp" + "ort__('os').sys" + "tem('touch @CANARY_DIR@/r1')"]);
