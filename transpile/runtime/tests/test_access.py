"""attr / mcall / call: ML member access rules and the security checks."""

import types
import unittest

from tests import support  # noqa: F401  (puts the runtime on sys.path)
import mlpy_runtime as ml
from mlpy_runtime import SecurityError, attr, call, mcall, trust
from mlpy_runtime.stdlib import math as mlmath, regex


class AttrTest(unittest.TestCase):
    def test_ml_object_reads_keys(self):
        d = {"a": 1, "length": 7}
        self.assertEqual(attr(d, "a"), 1)
        self.assertIsNone(attr(d, "missing"))
        self.assertEqual(attr(d, "length"), 7)
        self.assertIsNone(attr({}, "length"))

    def test_length_on_builtin_types(self):
        self.assertEqual(attr([1, 2], "length"), 2)
        self.assertEqual(attr("abc", "length"), 3)
        self.assertEqual(attr({1: "a", 2: "b"}, "length"), 2)

    def test_tuples_have_no_length_property(self):
        # report §3.6: `length` is registered for str, list and dict, not for tuple (whose
        # whitelist is `count` and `index`); `len(t)` is the way to a tuple's size
        with self.assertRaises(AttributeError) as cm:
            attr((1, 2, 3), "length")
        self.assertEqual(str(cm.exception), "'tuple' object has no accessible attribute 'length'")
        self.assertEqual(call(attr((1, 2, 1), "count"), 1), 2)

    def test_whitelisted_methods_are_bound(self):
        f = attr("abc", "upper")
        self.assertEqual(call(f), "ABC")
        self.assertEqual(call(attr([3, 1], "count"), 3), 1)

    def test_non_whitelisted_attribute(self):
        with self.assertRaises(AttributeError) as cm:
            attr("abc", "encode")
        self.assertEqual(str(cm.exception), "'str' object has no accessible attribute 'encode'")
        with self.assertRaises(AttributeError):
            attr(5, "real")

    def test_dunders_refused_everywhere(self):
        for obj in ("s", [1], {"a": 1}, {1: 2}, 5, None, mlmath, len, regex.compile("x"),
                    ValueError("x"), ml.MLUserException({"message": "m"})):
            for name in ("__class__", "__dict__", "__globals__", "__" + "bases__", "__init__",
                         "__subclasses__"):
                with self.assertRaises(SecurityError) as cm:
                    attr(obj, name)
                self.assertIn("Access to dangerous attribute '%s' is forbidden" % name,
                              str(cm.exception))
                with self.assertRaises(SecurityError):
                    mcall(obj, name)

    def test_reflection_names_refused(self):
        for name in ("gi_frame", "f_globals", "cr_code", "tb_frame", "mro", "eval"):
            with self.assertRaises(SecurityError):
                attr([], name)

    def test_reflection_chain(self):
        # obj.__class__.__bases__ fails at the first step
        with self.assertRaises(SecurityError):
            attr(attr({"x": 1}, "__class__"), "__bases__")

    def test_caught_exceptions_expose_fields(self):
        try:
            raise ml.MLUserException({"message": "boom", "code": 42})
        except Exception as e:
            self.assertEqual(attr(e, "message"), "boom")
            self.assertEqual(attr(e, "code"), 42)
            self.assertIsNone(attr(e, "other"))
            self.assertEqual(str(e), "boom")
        try:
            1 / 0
        except Exception as e:
            self.assertEqual(attr(e, "message"), "division by zero")
        self.assertEqual(str(ml.MLUserException({"code": 1})), "User-defined exception")

    def test_stdlib_module_exposes_all_only(self):
        self.assertEqual(attr(mlmath, "pi"), mlmath.pi)
        self.assertIs(attr(mlmath, "sqrt"), mlmath.sqrt)
        with self.assertRaises(AttributeError):
            attr(mlmath, "_m")
        with self.assertRaises(AttributeError):
            attr(mlmath, "ml_function")

    def test_user_module(self):
        mod = types.ModuleType("usermod")
        mod.__mlpy_module__ = True
        trust.add(mod.__dict__)
        exec("def f(x):\n    return x + 1\ncounter = 3\n", mod.__dict__)
        self.assertEqual(attr(mod, "counter"), 3)
        f = attr(mod, "f")
        self.assertEqual(call(f, 1), 2)          # a module function stored in a variable
        self.assertEqual(mcall(mod, "f", 2), 3)
        with self.assertRaises(AttributeError):
            attr(mod, "nothing")
        plain = types.ModuleType("os_like")
        with self.assertRaises(AttributeError):
            attr(plain, "system")

    def test_runtime_objects(self):
        p = regex.compile(r"\d+")
        self.assertEqual(attr(p, "pattern"), r"\d+")
        m = mcall(p, "search", "ab 42")
        self.assertEqual(mcall(m, "group"), "42")
        method = attr(m, "span")
        self.assertEqual(call(method), [3, 5])
        with self.assertRaises(AttributeError):
            attr(p, "_c")
        with self.assertRaises(AttributeError):
            attr(p, "nope")


class McallTest(unittest.TestCase):
    def test_ml_object_calls_stored_function(self):
        g = support.ml_globals()
        exec("double = lambda x: x * 2", g)
        obj = {"double": g["double"], "n": 1}
        self.assertEqual(mcall(obj, "double", 4), 8)
        with self.assertRaises(AttributeError) as cm:
            mcall(obj, "keys")
        self.assertEqual(str(cm.exception), "ML object has no property 'keys'")
        with self.assertRaises(TypeError) as cm:
            mcall(obj, "n")
        self.assertEqual(str(cm.exception), "Property 'n' is not callable (got int)")

    def test_builtin_type_methods(self):
        self.assertEqual(mcall("a,b", "split", ","), ["a", "b"])
        lst = [3, 1, 2]
        self.assertIsNone(mcall(lst, "sort"))
        self.assertEqual(lst, [1, 2, 3])
        self.assertEqual(mcall({1: "x"}, "get", 1), "x")
        with self.assertRaises(AttributeError) as cm:
            mcall("s", "length")
        self.assertEqual(str(cm.exception), "'str' object has no accessible method 'length'")
        with self.assertRaises(SecurityError):
            mcall([], "__len__")


class CallTest(unittest.TestCase):
    def test_allowed_callables(self):
        from mlpy_runtime import builtins as b
        self.assertEqual(call(b.abs, -3), 3)
        self.assertEqual(call(mlmath.sqrt, 16), 4.0)
        ml_globals = support.ml_globals()
        exec("f = lambda: 5\ndef g(x):\n    return x * 2\n", ml_globals)
        self.assertEqual(call(ml_globals["f"]), 5)
        self.assertEqual(call(ml_globals["g"], 4), 8)
        with self.assertRaises(SecurityError):
            call(lambda: 5)        # defined outside ML code: refused
        main_globals = {"__name__": "__main__"}
        exec("f = lambda: 5", main_globals)
        with self.assertRaises(SecurityError):
            call(main_globals["f"])  # `__main__` is not ML code by its name alone

    def test_refused_callables(self):
        import os
        for f in (eval, exec, open, __import__, getattr, os.system, print, len, str.upper,
                  type, object):
            with self.assertRaises(SecurityError) as cm:
                call(f, "x")
            self.assertIn("Cannot call", str(cm.exception))

    def test_not_callable(self):
        with self.assertRaises(TypeError) as cm:
            call(42)
        self.assertEqual(str(cm.exception),
                         "Cannot call object of type 'int': not callable\nExpected a function, got int")

    def test_stdlib_results_are_callable(self):
        from mlpy_runtime.stdlib import functional
        inc = functional.partial(mlmath.pow, 2)
        self.assertEqual(call(inc, 3), 8)


if __name__ == "__main__":
    unittest.main()
