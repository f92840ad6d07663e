// Issue 11, class 1: a name defined after its use.
import functional;
functional.map(exec, ["__import__('os').system('touch @CANARY_DIR@/r2')"]);
exec = null;
