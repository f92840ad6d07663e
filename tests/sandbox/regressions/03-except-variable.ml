// Issue 11, class 1: Python deletes an except variable after its handler.
import functional;
try { throw {message: "x"}; } except (open) { y = 1; }
print(functional.map(open, ["@SECRET@"])[0].read());
