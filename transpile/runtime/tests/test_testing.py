"""The `testing` standard-library module: equality, the failure reports and their diffs,
error kinds. (Whole test files run through `mlpy test` in tests/test_cli.rs.)"""

import random
import types
import unittest

from tests import support
from mlpy_runtime import CapabilityError, MLUserException, SecurityError
from mlpy_runtime.stdlib import testing as t


def ml_function(body):
    """A function standing for an ML function (the call gate trusts its globals)."""
    return types.FunctionType(body.__code__, support.ml_globals(**body.__globals__))


def failure(f, *args):
    try:
        f(*args)
    except t.TestFailure as e:
        return e
    raise AssertionError("no failure")


def random_value(rng, depth=0):
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.randint(-5, 5)
    if kind == 1:
        return rng.choice(["", "a", "b c", "line1\nline2"])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice([0.5, -1.25, 2.0])
    if kind in (4, 5):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice("abcd"): random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


class EqualityTest(unittest.TestCase):
    def test_generated_values_equal_themselves_and_copies(self):
        rng = random.Random(7)
        for _ in range(500):
            v = random_value(rng)
            self.assertTrue(t.equal(v, v))
            copy = eval(repr(v))  # lists, dicts, str, numbers, booleans, None
            self.assertTrue(t.equal(v, copy), repr(v))
            t.assert_equal(v, copy)

    def test_booleans_are_not_numbers_at_any_depth(self):
        self.assertFalse(t.equal(True, 1))
        self.assertFalse(t.equal([0], [False]))
        self.assertFalse(t.equal({"a": [1]}, {"a": [True]}))
        self.assertTrue(t.equal(1, 1.0))
        self.assertTrue(t.equal(float("nan"), float("nan")))
        self.assertTrue(t.equal({"a": 1, "b": 2}, {"b": 2, "a": 1}))
        self.assertFalse(t.equal([1, 2], [1, 2, 3]))
        self.assertFalse(t.equal("1", 1))


class ReportTest(unittest.TestCase):
    def test_values_are_shown_as_ml_prints_them(self):
        e = failure(t.assert_equal, [True, None, "a"], False)
        self.assertIn("actual:   [True, None, 'a']", e.report())
        self.assertIn("expected: false", e.report())
        self.assertEqual(failure(t.assert_equal, 1, 2, "sums").message,
                         "sums: values are not equal")

    def test_string_diff_is_by_line(self):
        e = failure(t.assert_equal, "a\nb\nc", "a\nB\nc")
        self.assertIn("-B", e.diff)
        self.assertIn("+b", e.diff)
        self.assertIsNone(failure(t.assert_equal, "x", "y").diff)

    def test_array_and_object_diffs_name_the_place(self):
        e = failure(t.assert_equal, [1, [2, 3]], [1, [2, 4]])
        self.assertIn("at [1][1]: 3, expected 4", e.diff)
        e = failure(t.assert_equal, [1, 2, 3], [1, 2])
        self.assertIn("at the value: length 3, expected 2", e.diff)
        self.assertIn("actual has 1 more: 3", e.diff)
        e = failure(t.assert_equal, {"a": {"b": [1, "x"]}, "c": 1}, {"a": {"b": [1, "y"]}, "d": 2})
        self.assertIn("at .a.b[1]: 'x', expected 'y'", e.diff)
        self.assertIn("unexpected key 'c'", e.diff)
        self.assertIn("missing key 'd' (expected 2)", e.diff)
        e = failure(t.assert_equal, {"n": True}, {"n": 1})
        self.assertIn("at .n: boolean true, expected number 1", e.diff)

    def test_truth_assertions(self):
        for v in (True, 1, "a", [0], {"a": 1}):
            t.assert_true(v)
            self.assertIn("expected a false value", failure(t.assert_false, v).message)
        for v in (False, 0, "", [], {}, None):
            t.assert_false(v)
            self.assertIn("expected a true value", failure(t.assert_true, v, "m").message)
        self.assertEqual(failure(t.fail, "boom").message, "boom")


class ThrowsTest(unittest.TestCase):
    def test_kinds(self):
        def zero():
            return 1 / 0

        def thrown():
            raise MLUserException({"message": "bad", "type": "ParseError"})

        def plain():
            raise MLUserException({"message": "bad"})

        def missing():
            return {}["k"]
        zero, thrown, plain, missing = map(ml_function, (zero, thrown, plain, missing))
        self.assertIsInstance(t.assert_throws(zero), ZeroDivisionError)
        t.assert_throws(zero, "ZeroDivisionError")
        t.assert_throws(zero, "ArithmeticError")
        t.assert_throws(thrown, "ParseError")
        t.assert_throws(thrown, "MLUserException")
        t.assert_throws(plain, "MLError")
        t.assert_throws(missing, "LookupError")
        e = failure(t.assert_throws, zero, "KeyError")
        self.assertEqual(e.message, "expected an error of kind 'KeyError', got "
                                    "ZeroDivisionError: division by zero")
        e = failure(t.assert_throws, thrown, "TypeError")
        self.assertIn("got ParseError: bad", e.message)
        self.assertIn("returned normally", failure(t.assert_throws, ml_function(lambda: 1)).message)

    def test_a_failure_inside_the_function_is_not_a_throw(self):
        inner = ml_function(lambda: t.fail("inner"))
        self.assertEqual(failure(t.assert_throws, inner).message, "inner")

    def test_the_function_goes_through_the_call_gate(self):
        calls = []
        with self.assertRaises(SecurityError):
            t.assert_throws(lambda: calls.append(1))
        self.assertEqual(calls, [])

    def test_capability_errors_have_their_kind(self):
        def refused():
            raise CapabilityError("no")
        t.assert_throws(ml_function(refused), "CapabilityError")


if __name__ == "__main__":
    unittest.main()
