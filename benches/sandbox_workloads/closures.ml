// Runtime-built closures calling ML functions: compose, pipe, partial, memoize.
import functional;
inc = fn(x) => x + 1;
dbl = fn(x) => x * 2;
f = functional.compose(inc, dbl, inc);
g = functional.pipe(dbl, inc);
h = functional.partial(fn(a, b) => a + b, 10);
acc = 0;
for (i in range(0, 60000)) {
    acc = acc + f(i) + g(i) + h(i);
}
print(acc);
