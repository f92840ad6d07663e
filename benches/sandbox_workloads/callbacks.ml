// Callback-heavy: every element goes through the call gate inside the runtime.
import functional;
import collections;
xs = range(0, 200000);
doubled = functional.map(fn(x) => x * 2, xs);
evens = collections.filter(doubled, fn(x) => x % 4 == 0);
total = functional.reduce(fn(a, x) => a + x, evens, 0);
sorted_desc = collections.sortBy(range(0, 50000), fn(x) => -x);
print(total, len(sorted_desc));
