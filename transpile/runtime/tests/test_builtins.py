"""Every builtin, with the reference's results and printing rules."""

import contextlib
import io
import os
import types
import unittest

from tests import support  # noqa: F401
from mlpy_runtime import builtins as b
from mlpy_runtime import SecurityError
from mlpy_runtime.stdlib import console, regex


def printed(*values):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        b.print(*values)
    return buf.getvalue()


class BuiltinsTest(unittest.TestCase):
    def test_all_46_exported(self):
        self.assertEqual(len(b.__all__), 46)
        self.assertEqual(len(set(b.__all__)), 46)
        for name in b.__all__:
            f = getattr(b, name)
            self.assertTrue(callable(f), name)
            self.assertEqual(f.__name__, name)
            self.assertEqual(f._ml_capabilities, ())

    def test_conversions(self):
        self.assertEqual(b.int(True), 1)
        self.assertEqual(b.int(3.9), 3)
        self.assertEqual(b.int(-3.9), -3)
        self.assertEqual(b.int("3.9"), 3)
        self.assertEqual(b.int("42"), 42)
        with self.assertRaises(ValueError):
            b.int("abc")
        self.assertEqual(b.float(False), 0.0)
        self.assertEqual(b.float("1e3"), 1000.0)
        with self.assertRaises(ValueError):
            b.float("x")
        self.assertEqual(b.str(True), "true")
        self.assertEqual(b.str(None), "None")
        self.assertEqual(b.str(5.0), "5.0")
        self.assertEqual(b.str([True, None]), "[True, None]")
        self.assertEqual(b.str((0, "a")), "(0, 'a')")
        self.assertTrue(b.bool("0"))
        self.assertFalse(b.bool([]))

    def test_typeof_and_isinstance(self):
        cases = [(True, "boolean"), (1, "number"), (1.5, "number"), ("s", "string"),
                 ([1], "array"), ({}, "object"), (b.len, "function"), (None, "unknown"),
                 ((1,), "unknown"), (ValueError("x"), "unknown"), (console, "unknown"),
                 (regex.compile("a"), "Pattern"), (regex.search("a", "a"), "Match")]
        for value, name in cases:
            self.assertEqual(b.typeof(value), name, value)
            self.assertTrue(b.isinstance(value, name))
        self.assertFalse(b.isinstance(1, "string"))

    def test_collections(self):
        self.assertEqual(b.len("abc"), 3)
        self.assertEqual(b.len(5), 0)
        self.assertEqual(b.range(3), [0, 1, 2])
        self.assertEqual(b.range(1, 10, 4), [1, 5, 9])
        self.assertEqual(b.enumerate(["a", "b"]), [(0, "a"), (1, "b")])
        self.assertEqual(b.enumerate(["a"], 5), [(5, "a")])

    def test_print_rules(self):
        self.assertEqual(printed(True, False), "true false\n")
        self.assertEqual(printed([True, None, "a"]), "[True, None, 'a']\n")
        self.assertEqual(printed({"a": 1}), "{'a': 1}\n")
        self.assertEqual(printed(10 / 2, 1e-05, 1e16, 0.1 + 0.2), "5.0 1e-05 1e+16 0.30000000000000004\n")
        self.assertEqual(printed(None), "None\n")
        self.assertEqual(printed(), "\n")
        self.assertEqual(printed("it's", ["it's"]), "it's [\"it's\"]\n")

    def test_input(self):
        import sys
        old = sys.stdin
        sys.stdin = io.StringIO("typed\n")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(b.input("> "), "typed")
        finally:
            sys.stdin = old

    def test_help(self):
        self.assertEqual(b.help(b.print), "Print value to console\nCapabilities: None required")
        self.assertEqual(b.help(console.log), "Log messages to stdout\nRequires: console.write")
        self.assertIn("Requires: console.write, console.error", b.help(console))
        self.assertTrue(b.help(regex.compile("x")).startswith("Compiled regular expression"))
        g = {"__name__": "__main__"}
        exec("def f():\n    return 1\n", g)
        self.assertTrue(b.help(g["f"]).startswith("No help available for <function f"))

    def test_introspection(self):
        self.assertEqual(b.methods("s")[:3], ["capitalize", "casefold", "center"])
        self.assertIn("builtin", b.modules())
        self.assertIn("math", b.available_modules())
        self.assertEqual(b.available_modules("python_bridge"), sorted(b.available_modules("python_bridge")))
        self.assertTrue(b.has_module("regex"))
        self.assertFalse(b.has_module("nonexistent"))
        info = b.module_info("math")
        self.assertEqual(info["type"], "python_bridge")
        self.assertIn("sqrt", info["functions"])
        self.assertIsNone(b.module_info("nope"))

    def test_modules_lists_what_ml_imported_not_what_the_runtime_loaded(self):
        # a fresh interpreter: which modules the import gate handed to ML is process state
        code = (
            "from mlpy_runtime import builtins as b, sandbox\n"
            "from mlpy_runtime.stdlib import file, csv\n"  # the runtime's own use (path too)
            "print(b.modules(), b.module_info('path')['loaded'])\n"
            "sandbox._guarded_import('mlpy_runtime.stdlib', None, None, ('file',), 0)\n"
            "print(b.modules(), b.module_info('file')['loaded'], b.module_info('path')['loaded'])\n"
        )
        with support.TempDir() as tmp:
            main = os.path.join(tmp, "main.py")
            with open(main, "w") as f:
                f.write(code)
            out = support.run_python(main, [support.RUNTIME], cwd=tmp)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "['builtin'] False\n['builtin', 'file'] True False\n")

    def test_help_of_runtime_object_methods(self):
        # the reference's methods were @ml_functions: their description and capabilities
        from mlpy_runtime.stdlib import datetime, http
        p = regex.compile("x")
        self.assertEqual(b.help(p.search),
                         "Search for pattern anywhere in string\nCapabilities: None required")
        self.assertEqual(b.help(p.search("x").group),
                         "Get matched text or captured group\nCapabilities: None required")
        self.assertEqual(b.help(datetime.create(2024, 1, 2).addDays),
                         "Add days to datetime\nCapabilities: None required")
        self.assertEqual(b.help(datetime.createDelta(1).totalHours),
                         "Get total hours\nCapabilities: None required")
        # every ML-visible method of those classes has its description
        for cls in (regex.Match, regex.Pattern, datetime.DateTimeObject, datetime.Date,
                    datetime.Time, datetime.TimeDelta, http.HttpResponse):
            self.assertEqual(sorted(cls._ml_method_descriptions), cls.ml_methods(), cls)

    def test_help_of_functions_the_runtime_builds_and_of_module_functions(self):
        # the reference's descriptions: functional's results were marked with one
        from mlpy_runtime.stdlib import functional as f, math
        one = b.len
        cases = {
            f.compose(one): "Composed function (right to left)",
            f.pipe(one): "Piped function (left to right)",
            f.curry(one, 2): "Curried function",
            f.curry(one, 2)(1): "Curried function (partial)",
            f.curry2(one): "Curried function (curry2)",
            f.curry2(one)(1): "Curried function (inner)",
            f.partial(one): "Partially applied function",
            f.constant(1): "Constant function",
            f.memoize(one): "Memoized function",
            f.ifElse(one, one, one): "Conditional function (ifElse)",
            f.cond([]): "Multi-conditional function (cond)",
            f.juxt([]): "Juxted function",
            f.memoize: "Memoize function",
            math.sqrt: "Square root",
        }
        for target, desc in cases.items():
            self.assertEqual(b.help(target).split("\n")[0], desc)
        self.assertEqual(b.help(f.compose(one)),
                         "Composed function (right to left)\nCapabilities: None required")
        self.assertEqual(b.requiredCapabilities(f.compose(one)), [])

    def test_methods_lists_only_what_ml_can_read(self):
        # runtime objects: public methods and attributes, not the MLObject plumbing
        self.assertEqual(b.methods(regex.compile("x")), [
            "count", "findall", "finditer", "flags", "fullmatch", "getFlags", "getPattern",
            "match", "pattern", "search", "split", "sub", "subn", "test", "toString"])
        # standard-library modules: their members, not what the module imports
        from mlpy_runtime.stdlib import math
        self.assertEqual(b.methods(math), sorted(math.__all__))
        self.assertNotIn("ml_function", b.methods(regex))
        self.assertNotIn("MLObject", b.methods(regex))
        self.assertNotIn("ML_DESCRIPTION", b.methods(console))
        self.assertEqual(b.methods(b), sorted(b.__all__))

    def test_capability_introspection(self):
        self.assertTrue(b.hasCapability("console.write"))
        self.assertIn("math.compute", b.getCapabilities())
        info = b.getCapabilityInfo("console.write")
        self.assertEqual(info["type"], "console.write")
        self.assertTrue(info["available"])
        self.assertEqual(b.requiredCapabilities(b.print), [])
        self.assertEqual(b.requiredCapabilities(console.log), ["console.write"])
        g = {"__name__": "__main__"}
        exec("def f():\n    return 1\n", g)
        self.assertEqual(b.requiredCapabilities(g["f"]), [])

    def test_hasattr_getattr(self):
        self.assertTrue(b.hasattr("hello", "upper"))
        self.assertTrue(b.hasattr([1], "append"))
        self.assertFalse(b.hasattr("test", "__class__"))
        self.assertFalse(b.hasattr([], "__dict__"))
        self.assertFalse(b.hasattr("x", "_private"))
        self.assertEqual(b.getattr("hello", "upper")(), "HELLO")
        self.assertEqual(b.getattr("hello", "__class__", "BLOCKED"), "BLOCKED")
        self.assertEqual(b.getattr("x", "__" + "class__", "BLOCKED"), "BLOCKED")
        self.assertIsNone(b.getattr("x", "__globals__"))
        self.assertEqual(b.getattr({"a": 1}, "a", 42), 42)   # keys are not attributes here
        self.assertEqual(b.getattr([1, 2], "length"), 2)
        self.assertEqual(b.getattr(5, "real", "d"), "d")

    def test_call(self):
        self.assertEqual(b.call(b.max, 1, 5, 3), 5)
        for f in (eval, exec, open, __import__, getattr):
            with self.assertRaises(SecurityError):
                b.call(f, "1")

    def test_math_helpers(self):
        self.assertEqual(b.abs(-5), 5)
        self.assertEqual(b.min(3, 1, 2), 1)
        self.assertEqual(b.min([5, 2, 8]), 2)
        self.assertIsNone(b.min([]))
        self.assertIsNone(b.max())
        self.assertEqual(b.max([5, 2, 8]), 8)
        self.assertEqual(b.round(2.5), 2.0)
        self.assertEqual(b.round(3.5), 4.0)
        self.assertEqual(b.round(2.675, 2), 2.67)
        self.assertEqual(repr(b.round(3)), "3")
        self.assertEqual(b.zip([1, 2], ["a", "b"]), [(1, "a"), (2, "b")])
        self.assertEqual(b.sorted([3, 1, 2]), [1, 2, 3])
        self.assertEqual(b.sorted([3, 1, 2], True), [3, 2, 1])
        self.assertEqual(b.keys({"a": 1, "b": 2}), ["a", "b"])
        self.assertEqual(b.values({"a": 1, "b": 2}), [1, 2])

    def test_utilities(self):
        self.assertTrue(b.callable(b.print))
        self.assertFalse(b.callable(42))
        self.assertTrue(b.all([]))
        self.assertFalse(b.any([]))
        self.assertEqual(b.sum([1, 2, 3]), 6)
        self.assertEqual(b.sum([1, 2, 3], 10), 16)
        self.assertEqual(b.chr(65), "A")
        self.assertEqual(b.ord("a"), 97)
        self.assertEqual((b.hex(255), b.bin(10), b.oct(8)), ("0xff", "0b1010", "0o10"))
        self.assertEqual(b.repr(True), "true")
        self.assertEqual(b.repr("s"), "'s'")
        self.assertEqual(b.repr(None), "None")
        self.assertEqual(b.format(3.14159, ".2f"), "3.14")
        self.assertEqual(b.format(42, "05d"), "00042")
        self.assertEqual(b.reversed("abc"), ["c", "b", "a"])

    def test_iterators(self):
        it = b.iter([1, 2])
        self.assertEqual(b.typeof(it), "unknown")
        self.assertEqual(b.next(it), 1)
        self.assertEqual(b.next(it), 2)
        self.assertEqual(b.next(it, "done"), "done")
        self.assertIsNone(b.next(it, None))
        with self.assertRaises(RuntimeError) as cm:
            b.next(it)
        self.assertEqual(str(cm.exception),
                         "Iterator exhausted - use default parameter to avoid error")


if __name__ == "__main__":
    unittest.main()
