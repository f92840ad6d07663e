"""The membrane shares no list or dict between Python code and ML code: every way a value
crosses it, either direction, gives the other side a copy (items wrapped or unwrapped,
shared parts and cycles kept), and in-place changes Python makes to an argument's copy come
back into ML's value when the call returns.

ML reads and writes lists and dicts with plain indexing, which no gate sees: a container
both sides held would let ML put a raw function or runtime module where Python code reads
it (`functools.partial(re.sub).keywords["repl"] = f`), or Python change what ML holds.
"""

import functools
import unittest

from tests import support
from mlpy_runtime import access, builtins as ml_builtins, membrane
from mlpy_runtime import SecurityError


def containers(value, found=None):
    """The identities of every list and dict reachable from `value` through lists, dicts
    and tuples (the containers ML reads and writes directly)."""
    if found is None:
        found = {}
    if type(value) in (list, dict, tuple):
        if id(value) in found:
            return found
        if type(value) is not tuple:
            found[id(value)] = value
        else:
            found[id(value)] = None
        items = list(value.items()) if type(value) is dict else value
        for item in items:
            containers(item, found)
    return found


def shared(a, b):
    """The lists and dicts both `a` and `b` reach."""
    ours = {k for k, v in containers(a).items() if v is not None}
    theirs = {k for k, v in containers(b).items() if v is not None}
    return ours & theirs


class Keeper:
    """Python code that keeps what it is given and hands out what it keeps, every way a
    Python object can."""

    def __init__(self):
        self.inner = [1, {"k": [2]}, (3, [4]), {"t": ("x", [5])}]
        self.got = []

    def give(self):
        return self.inner

    def take(self, *values):
        self.got.extend(values)

    def items(self):
        return iter([self.inner, self.inner])

    def generate(self):
        yield self.inner

    def call_back(self, f):
        self.got.append(f(self.inner, (self.inner,)))

    def pair(self):
        return (self.inner, self.inner)


class Box(dict):
    """A dict of Python's own: ML reaches it through a proxy."""


def ml_value():
    inner = [2]
    return [1, {"k": inner, "again": inner}, [[3]], {"o": {"p": [4]}}]


class NothingIsSharedTest(unittest.TestCase):
    def test_what_comes_out_of_python_is_ml_own(self):
        keeper = Keeper()
        proxy = membrane.wrap(keeper)
        self.assertIs(type(proxy), membrane.PyValue)
        box = membrane.wrap(Box(v=keeper.inner))
        received = {
            "result": access.mcall(proxy, "give"),
            "member": access.attr(proxy, "inner"),
            "iterated": list(access.mcall(proxy, "items")),
            "yielded": list(access.mcall(proxy, "generate")),
            "tuple": access.mcall(proxy, "pair"),
            "item": box["v"],
            "dict view": list(access.mcall(box, "values")),
            "dict items": list(access.mcall(box, "items")),
        }
        seen_by_callback = []

        def callback(value, wrapped):
            seen_by_callback.append((value, wrapped))
            return None
        access.mcall(proxy, "call_back", support.ml(callback))
        received["callback arguments"] = seen_by_callback
        for how, value in received.items():
            self.assertFalse(shared(value, keeper.inner), how)
            self.assertTrue(containers(value), how)
        # ML changes its copy: Python's value stays as it was
        got = access.mcall(proxy, "give")
        got[1]["k"].append("ml")
        got.append("ml")
        self.assertEqual(keeper.inner, [1, {"k": [2]}, (3, [4]), {"t": ("x", [5])}])

    def test_what_goes_into_python_is_python_own(self):
        keeper = Keeper()
        proxy = membrane.wrap(keeper)
        box = membrane.wrap(Box())
        given = ml_value()
        access.mcall(proxy, "take", given, (given,))
        box["v"] = given
        access.mcall(proxy, "call_back", support.ml(lambda value, wrapped: given))
        kept = keeper.got + [dict.__getitem__(membrane._target(box), "v")]
        self.assertEqual(len(kept), 4)
        for value in kept:
            self.assertFalse(shared(value, given), repr(value))
            self.assertTrue(containers(value))
        # a later change of ML's value does not reach what Python keeps
        given[1]["k"].append(print)
        self.assertEqual(keeper.got[0], [1, {"k": [2], "again": [2]}, [[3]], {"o": {"p": [4]}}])

    def test_the_findings_programs_reach_nothing(self):
        # kw = functools.partial(re.sub).keywords; kw["repl"] = f; ...; p()
        functools = membrane.import_python("functools")
        re = membrane.import_python("re")
        base64 = membrane.import_python("base64")
        itertools = membrane.import_python("itertools")
        from mlpy_runtime.stdlib import file
        calls = []
        f = support.ml(lambda m: calls.append(m) or "X")
        partial = access.attr(functools, "partial")
        for target, fill in ((access.attr(re, "sub"),
                              {"repl": f, "pattern": "a", "string": "banana"}),
                             (access.attr(base64, "encode"), {"input": file, "output": file}),
                             (access.attr(itertools, "repeat"), {"object": file})):
            p = access.call(partial, target)
            kw = access.attr(p, "keywords")
            self.assertIs(type(kw), dict)
            for k, v in fill.items():
                kw[k] = v
            self.assertEqual(membrane._target(p).keywords, {})
            with self.assertRaises(TypeError):
                access.call(p)
        self.assertEqual(calls, [])

    def test_runtime_values_in_a_container_are_refused_whenever_they_cross(self):
        from mlpy_runtime.stdlib import file
        keeper = membrane.wrap(Keeper())
        box = membrane.wrap(Box())
        for value in ([file], {"k": (file,)}, [[[{"deep": file}]]]):
            with self.assertRaises(SecurityError, msg=repr(value)):
                access.mcall(keeper, "take", value)
            with self.assertRaises(SecurityError, msg=repr(value)):
                box["v"] = value
            with self.assertRaises(SecurityError, msg=repr(value)):
                access.mcall(keeper, "call_back", support.ml(lambda a, b, v=value: v))


class CopiesTest(unittest.TestCase):
    def test_cycles_and_shared_parts_are_kept(self):
        keeper = Keeper()
        proxy = membrane.wrap(keeper)
        cycle = [1]
        cycle.append(cycle)
        part = {"p": 1}
        d = {"self": None, "a": part, "b": part}
        d["self"] = d
        access.mcall(proxy, "take", cycle, d, (cycle, cycle))
        py_cycle, py_d, py_pair = keeper.got
        self.assertIsNot(py_cycle, cycle)
        self.assertIs(py_cycle[1], py_cycle)
        self.assertIs(py_d["self"], py_d)
        self.assertIs(py_d["a"], py_d["b"])
        self.assertIs(py_pair[0], py_pair[1])
        # one crossing: the same value in two arguments is one copy
        self.assertIs(py_pair[0], py_cycle)
        keeper.inner = py_cycle
        back = access.mcall(proxy, "give")
        self.assertIs(back[1], back)
        # Python sees the cycle: json refuses it as Python would
        json = membrane.import_python("json")
        with self.assertRaises(ValueError):
            access.mcall(json, "dumps", cycle)
        # a shared part is copied once however often it is reached (2**40 paths)
        chain = []
        for _ in range(40):
            chain = [chain, chain]
        access.mcall(proxy, "take", chain)
        self.assertIs(keeper.got[-1][0], keeper.got[-1][1])

    def test_nesting_is_bounded(self):
        keeper = membrane.wrap(Keeper())
        deep = []
        for _ in range(membrane.MAX_DEPTH - 1):
            deep = [deep]  # MAX_DEPTH lists, one in the other
        access.mcall(keeper, "take", deep)
        for deeper in ([deep], {"k": deep}, (deep,)):
            with self.assertRaises(ValueError):
                access.mcall(keeper, "take", deeper)
        json = membrane.import_python("json")
        text = "[" * (membrane.MAX_DEPTH + 1) + "]" * (membrane.MAX_DEPTH + 1)
        with self.assertRaises(ValueError):
            access.mcall(json, "loads", text)
        self.assertEqual(len(access.mcall(json, "loads", text[1:-1])), 1)

    def test_plain_tuples_cross_as_they_are(self):
        keeper = Keeper()
        proxy = membrane.wrap(keeper)
        plain = (1, "a", (2.0, None))
        keeper.inner = plain
        self.assertIs(access.mcall(proxy, "give"), plain)
        access.mcall(proxy, "take", plain)
        self.assertIs(keeper.got[-1], plain)

    def test_in_place_changes_of_a_call_come_back(self):
        random = membrane.import_python("random")
        access.mcall(random, "seed", 7)
        inner = [0]
        values = list(range(20)) + [inner]
        before = list(values)
        access.mcall(random, "shuffle", values)
        self.assertNotEqual(values, before)
        self.assertEqual(sorted(values[:0] + [v for v in values if v is not inner]),
                         list(range(20)))
        # ML's own inner list, not a copy of it
        self.assertTrue(any(v is inner for v in values))
        # a dict changed in place, and a result that is an argument's copy
        keeper = Keeper()
        proxy = membrane.wrap(keeper)
        ml_dict = {"a": 1}
        exec_globals = {}
        exec("def fill(d):\n    d['b'] = d\n    return d\n", exec_globals)
        fill = membrane.wrap(exec_globals["fill"])
        result = access.call(fill, ml_dict)
        self.assertIs(result, ml_dict)
        self.assertIs(ml_dict["b"], ml_dict)
        # what Python put there comes wrapped
        exec("def put(xs):\n    xs.append(Keeper())\n", {"Keeper": Keeper}, exec_globals)
        put = membrane.wrap(exec_globals["put"])
        xs = []
        access.call(put, xs)
        self.assertIs(type(xs[0]), membrane.PyValue)
        # unchanged: ML's values stay as they are (proxies included)
        p = membrane.wrap(Keeper())
        kept = [p, ml_builtins.len, support.ml(lambda: 1)]
        access.mcall(proxy, "take", kept)
        self.assertIs(kept[0], p)
        self.assertIs(kept[1], ml_builtins.len)
        self.assertIsNot(keeper.got[-1][1], ml_builtins.len)  # a gated stand-in

    def test_ml_functions_in_a_copy_are_called_through_the_gate(self):
        functools = membrane.import_python("functools")
        operator = membrane.import_python("operator")
        double = support.ml(lambda x: [x, x])
        got = access.call(access.call(access.attr(operator, "itemgetter"), 0), [double])
        self.assertIs(got, double)
        funcs = {"f": double}
        p = access.call(access.attr(functools, "partial"), access.attr(operator, "getitem"),
                        funcs)
        self.assertIs(access.call(p, "f"), double)


if __name__ == "__main__":
    unittest.main()


class Ender:
    """Python code that ends the program, every way ML's code may run it."""

    def __init__(self, ending):
        self.ending = ending

    def end(self, *args):
        raise self.ending

    @property
    def member(self):
        raise self.ending

    def __str__(self):
        raise self.ending

    def __len__(self):
        raise self.ending

    def __getitem__(self, key):
        raise self.ending

    def __eq__(self, other):
        raise self.ending

    __hash__ = object.__hash__

    def __iter__(self):
        raise self.ending

    def items(self):
        yield 1
        raise self.ending


class PythonCodeNeverEndsTheProgramTest(unittest.TestCase):
    """A `SystemExit` or `GeneratorExit` out of Python code is not an `Exception`: ML's
    `except` would not see it and the program would end with no ML error. Every way into
    Python code turns it into a `SecurityError`; a Ctrl-C (`KeyboardInterrupt`) stays what
    it is."""

    def ways_in(self, proxy):
        return {
            "call": lambda: access.call(access.attr(proxy, "end"), 1),
            "method": lambda: access.mcall(proxy, "end"),
            "member": lambda: access.attr(proxy, "member"),
            "str": lambda: ml_builtins.str(proxy),
            "len": lambda: ml_builtins.len(proxy),
            "index": lambda: proxy[0],
            "compare": lambda: proxy == 1,
            "iterate": lambda: list(proxy),
            "iterate a generator": lambda: list(access.mcall(proxy, "items")),
            "through other Python code": lambda: access.call(
                membrane.wrap(functools.reduce), access.attr(proxy, "end"), [1, 2]),
        }

    def test_endings_become_ml_errors(self):
        for ending in (SystemExit(2), SystemExit("bye"), SystemExit(), GeneratorExit()):
            proxy = membrane.wrap(Ender(ending))
            for way, run in self.ways_in(proxy).items():
                with self.subTest(ending=repr(ending), way=way):
                    with self.assertRaises(SecurityError) as caught:
                        run()
                    self.assertIn("Python code tried to end the program", str(caught.exception))
                    self.assertIn(type(ending).__name__, str(caught.exception))

    def test_a_ctrl_c_is_not_caught(self):
        proxy = membrane.wrap(Ender(KeyboardInterrupt()))
        with self.assertRaises(KeyboardInterrupt):
            access.mcall(proxy, "end")

    def test_stopping_an_iteration_early_still_closes_it(self):
        proxy = membrane.wrap(range(1, 4))
        items = iter(proxy)
        self.assertEqual(next(items), 1)
        items.close()  # GeneratorExit thrown at the proxy's own `yield`: no error
        self.assertEqual([x for x in proxy], [1, 2, 3])

    def test_every_member_of_the_proxy_that_runs_python_code_is_guarded(self):
        unguarded = {"__init__", "__getattribute__", "__setattr__", "__iter__"}
        for name, value in vars(membrane.PyValue).items():
            if callable(value) and name not in unguarded and name != "__class__":
                with self.subTest(name=name):
                    self.assertEqual(value.__code__, membrane._crossing(id).__code__)
