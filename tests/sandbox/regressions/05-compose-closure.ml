// Issue 11, class 2: closures built by the runtime were trusted by the call gate.
import functional;
for (eval in []) { y = 1; }
functional.compose(eval)("__import__('os').system('touch @CANARY_DIR@/r5')");
