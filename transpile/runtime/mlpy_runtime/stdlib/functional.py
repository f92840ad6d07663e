"""functional: function composition and higher-order helpers; the function comes first,
then the data (the opposite of collections)."""

import builtins as _b

from mlpy_runtime.access import callback as _callback, callbacks as _callbacks
from mlpy_runtime.capabilities import ml_closure, ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Functional programming composition and higher-order functions"

_C = ["functional.compose"]
_T = ["functional.transform"]


@ml_function("Compose functions right to left", _C)
def compose(*functions):
    gated = _callbacks(reversed(functions))

    def composed(x):
        for f in gated:
            x = f(x)
        return x
    return ml_closure(composed, "Composed function (right to left)")


@ml_function("Compose array of functions", _C)
def composeAll(functions):
    return compose(*functions)


@ml_function("Pipe functions left to right", _C)
def pipe(*functions):
    gated = _callbacks(functions)

    def piped(x):
        for f in gated:
            x = f(x)
        return x
    return ml_closure(piped, "Piped function (left to right)")


@ml_function("Pipe array of functions", _C)
def pipeAll(functions):
    return pipe(*functions)


@ml_function("Curry a function", _C)
def curry(func, arity=None):
    func = _callback(func)
    if arity is None:
        code = getattr(func, "__code__", None)
        arity = code.co_argcount if code is not None else 1

    def curried(*args):
        if len(args) >= arity:
            return func(*args[:arity])
        return ml_closure(lambda *more: curried(*(args + more)), "Curried function (partial)")
    return ml_closure(curried, "Curried function")


@ml_function("Curry function for 2 arguments", _C)
def curry2(func):
    func = _callback(func)

    def curried(a):
        def inner(b):
            return func(a, b)
        return ml_closure(inner, "Curried function (inner)")
    return ml_closure(curried, "Curried function (curry2)")


@ml_function("Partially apply arguments", _C)
def partial(func, *args):
    func = _callback(func)

    def applied(*more):
        return func(*(args + more))
    return ml_closure(applied, "Partially applied function")


@ml_function("Partially apply (snake_case alias)", _C)
def partial_apply(func, *args):
    return partial(func, *args)


@ml_function("Create constant function", _C)
def constant(value):
    return ml_closure(lambda *args: value, "Constant function")


@ml_function("Memoize function", _C)
def memoize(func):
    func = _callback(func)
    cache = {}

    def memoized(*args):
        try:
            return cache[args]
        except KeyError:
            result = cache[args] = func(*args)
            return result
        except TypeError:
            return func(*args)
    return ml_closure(memoized, "Memoized function")


@ml_function("Conditional function application", _C)
def ifElse(predicate, true_fn, false_fn):
    predicate, true_fn, false_fn = _callbacks((predicate, true_fn, false_fn))

    def conditional(value):
        if predicate(value):
            return true_fn(value)
        return false_fn(value)
    return ml_closure(conditional, "Conditional function (ifElse)")


@ml_function("Multi-condition function", _C)
def cond(conditions):
    pairs = [_callbacks((pair[0], pair[1])) for pair in conditions]

    def conditional(value):
        for test, then in pairs:
            if test(value):
                return then(value)
        return None
    return ml_closure(conditional, "Multi-conditional function (cond)")


@ml_function("Apply multiple functions to same input", _C)
def juxt(functions):
    gated = _callbacks(functions)

    def apply_all(value):
        return [f(value) for f in gated]
    return ml_closure(apply_all, "Juxted function")


@ml_function("Identity function")
def identity(x):
    return x


@ml_function("Map function over iterable", _T)
def map(func, iterable):
    func = _callback(func)
    return [func(x) for x in iterable]


@ml_function("Filter iterable with predicate", _T)
def filter(predicate, iterable):
    predicate = _callback(predicate)
    return [x for x in iterable if predicate(x)]


@ml_function("Reduce iterable with function", _T)
def reduce(func, iterable, initial=None):
    func = _callback(func)
    items = iter(iterable)
    if initial is None:
        try:
            acc = next(items)
        except StopIteration:
            raise TypeError("reduce() of empty iterable with no initial value") from None
    else:
        acc = initial
    for x in items:
        acc = func(acc, x)
    return acc


@ml_function("Execute function for each element", _T)
def forEach(func, iterable):
    func = _callback(func)
    for x in iterable:
        func(x)


@ml_function("For each (snake_case alias)", _T)
def for_each(func, iterable):
    forEach(func, iterable)


@ml_function("Find first matching element", _T)
def find(predicate, iterable):
    predicate = _callback(predicate)
    for x in iterable:
        if predicate(x):
            return x
    return None


@ml_function("Check if some elements match", _T)
def some(predicate, iterable):
    predicate = _callback(predicate)
    return _b.any(predicate(x) for x in iterable)


@ml_function("Check if all elements match", _T)
def every(predicate, iterable):
    predicate = _callback(predicate)
    return _b.all(predicate(x) for x in iterable)


@ml_function("Zip iterables together", _T)
def zip(*iterables):
    return list(_b.zip(*iterables))


@ml_function("Create range of numbers")
def range(start, end=None, step=1):
    if end is None:
        return list(_b.range(start))
    return list(_b.range(start, end, step))


@ml_function("Repeat value N times")
def repeat(value, times):
    return [value] * times


@ml_function("Take first N elements", _T)
def take(n, iterable):
    return list(iterable)[:n]


@ml_function("Drop first N elements", _T)
def drop(n, iterable):
    return list(iterable)[n:]


@ml_function("Flatten nested list", _T)
def flatten(nested):
    result = []
    for x in nested:
        if isinstance(x, list):
            result.extend(x)
        else:
            result.append(x)
    return result


@ml_function("Chunk iterable into groups", _T)
def chunk(size, iterable):
    items = list(iterable)
    if size <= 0:
        return []
    return [items[i:i + size] for i in _b.range(0, len(items), size)]


@ml_function("Group elements by key", _T)
def groupBy(key_fn, iterable):
    key_fn = _callback(key_fn)
    groups = {}
    for x in iterable:
        groups.setdefault(key_fn(x), []).append(x)
    return groups


@ml_function("Group by (snake_case alias)", _T)
def group_by(key_fn, iterable):
    return groupBy(key_fn, iterable)


@ml_function("Get unique elements", _T)
def unique(iterable):
    seen = set()
    result = []
    for x in iterable:
        try:
            if x in seen:
                continue
            seen.add(x)
        except TypeError:
            if x in result:
                continue
        result.append(x)
    return result


@ml_function("Partition by predicate", _T)
def partition(predicate, iterable):
    predicate = _callback(predicate)
    yes, no = [], []
    for x in iterable:
        (yes if predicate(x) else no).append(x)
    return [yes, no]


@ml_function("Zip with custom combiner", _T)
def zipWith(combiner, a, b):
    combiner = _callback(combiner)
    return [combiner(x, y) for x, y in _b.zip(a, b)]


@ml_function("Take while predicate true", _T)
def takeWhile(predicate, iterable):
    predicate = _callback(predicate)
    result = []
    for x in iterable:
        if not predicate(x):
            break
        result.append(x)
    return result


@ml_function("Execute function N times", _T)
def times(n, func):
    func = _callback(func)
    return [func(i) for i in _b.range(n)]


@ml_function("Reverse iterable", _T)
def reverse(iterable):
    return list(reversed(iterable))


__all__ = [
    "compose", "composeAll", "pipe", "pipeAll", "curry", "curry2", "partial", "partial_apply",
    "constant", "memoize", "ifElse", "cond", "juxt", "identity", "map", "filter", "reduce",
    "forEach", "for_each", "find", "some", "every", "zip", "range", "repeat", "take", "drop",
    "flatten", "chunk", "groupBy", "group_by", "unique", "partition", "zipWith", "takeWhile",
    "times", "reverse",
]
