"""testing: assertions for `mlpy test` (docs/testing.md). A failed assertion raises
`TestFailure`; `mlpy test` reports it with the ML file and line of the assertion call, both
values in ML's printing, and a diff for strings (by line), arrays (by index) and objects (by
key). Outside `mlpy test` a failure is an ordinary error: uncaught, it ends the program with
its message and ML position like any other.

Equality (`assert_equal`) is structural: arrays element by element, objects key by key
(order does not matter), numbers by value (`1 == 1.0`), and a boolean never equals a number
(`true` is not `1`), at any depth. `NaN` equals `NaN` here, so that a computed `NaN` can be
expected.

The kind of an error (`assert_throws(fn, kind)`) is what `e.type` gives for it in a
`catch`: the `type` field of a thrown object (`throw {type: "ParseError", ...}`), or the
name of a runtime error (`ZeroDivisionError`, `KeyError`, `TypeError`, `SecurityError`,
`CapabilityError`, ...). A runtime error also has the kinds of its families
(`LookupError` for `KeyError` and `IndexError`, `ArithmeticError`, `MLError` for the errors
the ML runtime raises on purpose), and every thrown object has the kind `MLUserException`.
"""

import difflib as _difflib
import math as _math

from mlpy_runtime.access import callback as _callback
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.compat import error_type_name as _error_type_name
from mlpy_runtime.errors import MLError, MLUserException
from mlpy_runtime.tracebacks import shown as _shown, type_name as _type_name

__mlpy_runtime__ = True
ML_DESCRIPTION = "Assertions for tests run by `mlpy test`"

_A = ["testing.assert"]

#: longest printed value shown whole in a failure message; longer ones are cut in the middle
_SHOWN = 2000


class TestFailure(MLError):
    """A failed assertion. `str(e)` is the whole report (message, values, diff); the parts
    are kept for `mlpy test`'s JSON output."""

    def __init__(self, message, actual=None, expected=None, diff=None, has_values=False):
        self.message = message
        self.actual = actual
        self.expected = expected
        self.diff = diff
        self.has_values = has_values
        super().__init__(message)

    def report(self):
        """The failure as text: the message, both values and the diff when there are."""
        lines = [self.message]
        if self.has_values:
            lines.append("  actual:   " + _indent(show(self.actual)))
            lines.append("  expected: " + _indent(show(self.expected)))
        if self.diff:
            lines.append(self.diff)
        return "\n".join(lines)

    def __str__(self):
        return self.report()


def _indent(text):
    return text.replace("\n", "\n            ")


def show(value):
    """A value as ML prints it with `repr`: strings quoted, a top-level boolean as
    `true`/`false`, arrays and objects in Python's notation (as `print` shows them)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails still gets a failure message
        text = "<%s>" % type(value).__name__
    if len(text) > _SHOWN:
        text = text[:_SHOWN // 2] + " ... " + text[-_SHOWN // 2:]
    return text


def _is_number(v):
    return v.__class__ in (int, float) or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _typename(v):
    if v is None:
        return "null"
    if v is True or v is False:
        return "boolean"
    if _is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def equal(a, b):
    """ML structural equality (see the module's notes)."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        if isinstance(a, float) and isinstance(b, float) and _math.isnan(a) and _math.isnan(b):
            return True
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not equal(v, b[k]):
                return False
        return True
    try:
        return bool(a == b)
    except Exception:
        return False


def _path_text(path):
    return "".join(path) if path else "the value"


def _differences(actual, expected, path, out, limit=10):
    """Where two values differ, innermost first: lines `at PATH: ...`."""
    if len(out) >= limit:
        return
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)) \
            and not isinstance(actual, str):
        for i, (x, y) in enumerate(zip(actual, expected)):
            if not equal(x, y):
                _differences(x, y, path + ["[%d]" % i], out, limit)
                if len(out) >= limit:
                    return
        if len(actual) != len(expected):
            where = _path_text(path)
            out.append("  at %s: length %d, expected %d" % (where, len(actual), len(expected)))
            shorter, longer = sorted((actual, expected), key=len)
            extra = longer[len(shorter):]
            which = "actual" if longer is actual else "expected"
            out.append("    %s has %d more: %s" % (which, len(extra),
                                                    ", ".join(show(v) for v in extra[:5])
                                                    + (", ..." if len(extra) > 5 else "")))
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        for k in actual:
            if k not in expected:
                out.append("  at %s: unexpected key %s (value %s)"
                           % (_path_text(path), show(k), show(actual[k])))
            elif not equal(actual[k], expected[k]):
                _differences(actual[k], expected[k], path + [_key_path(k)], out, limit)
            if len(out) >= limit:
                return
        for k in expected:
            if k not in actual:
                out.append("  at %s: missing key %s (expected %s)"
                           % (_path_text(path), show(k), show(expected[k])))
                if len(out) >= limit:
                    return
        return
    where = _path_text(path)
    if isinstance(actual, str) and isinstance(expected, str) and path:
        out.append("  at %s: %s, expected %s" % (where, show(actual), show(expected)))
        return
    ta, te = _typename(actual), _typename(expected)
    if ta != te:
        out.append("  at %s: %s %s, expected %s %s" % (where, ta, show(actual), te, show(expected)))
    else:
        out.append("  at %s: %s, expected %s" % (where, show(actual), show(expected)))


def _key_path(k):
    if isinstance(k, str) and k.isidentifier():
        return "." + k
    return "[%s]" % show(k)


def _string_diff(actual, expected):
    """A line diff (`-` expected, `+` actual) of two strings, or None when both are one
    line (the values above already show the difference)."""
    a = actual.split("\n")
    e = expected.split("\n")
    if len(a) == 1 and len(e) == 1:
        return None
    lines = list(_difflib.unified_diff(e, a, "expected", "actual", lineterm="", n=2))
    return "  diff (-expected +actual):\n" + "\n".join("    " + l for l in lines[2:])


def diff(actual, expected):
    """The diff shown under a failed `assert_equal`, or None."""
    if isinstance(actual, str) and isinstance(expected, str):
        return _string_diff(actual, expected)
    containers = (list, tuple, dict)
    if isinstance(actual, containers) and isinstance(expected, containers):
        out = []
        _differences(actual, expected, [], out)
        if out:
            return "  differences:\n" + "\n".join("  " + line for line in out)
    return None


def _with(message, default):
    if message is None:
        return default
    return "%s: %s" % (message if isinstance(message, str) else show(message), default)


@ml_function("Fail unless actual equals expected (deep, for arrays and objects)", _A)
def assert_equal(actual, expected, message=None):
    if equal(actual, expected):
        return None
    raise TestFailure(_with(message, "values are not equal"), actual, expected,
                      diff(actual, expected), has_values=True)


@ml_function("Fail unless the value is true (or truthy: a non-empty string, array, ...)", _A)
def assert_true(value, message=None):
    if value:
        return None
    raise TestFailure(_with(message, "expected a true value, got %s" % show(value)))


@ml_function("Fail unless the value is false (or falsy: 0, \"\", null, [], {})", _A)
def assert_false(value, message=None):
    if not value:
        return None
    raise TestFailure(_with(message, "expected a false value, got %s" % show(value)))


def kinds(error):
    """Every kind an error has (see the module's notes)."""
    found = []
    if isinstance(error, MLUserException):
        data = error.data
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            found.append(data["type"])
    for klass in type(error).__mro__:
        if klass in (object, BaseException):
            continue
        found.append(_error_type_name(klass.__name__))
    return found


def describe(error):
    """An error as one line: its kind and message."""
    if isinstance(error, MLUserException):
        k = kinds(error)[0]
        return "%s: %s" % (k, _shown(error.message)) if k != "MLUserException" \
            else "thrown %s" % show(error.data)
    text = _shown(error)
    return "%s: %s" % (_type_name(error), text) if text else _type_name(error)


@ml_function("Call fn with no arguments; fail unless it throws (an error of `kind`, if given)."
             " Returns the error", _A)
def assert_throws(fn, kind=None):
    fn = _callback(fn)
    if kind is not None and not isinstance(kind, str):
        raise TypeError("assert_throws: kind must be a string, got %s" % _typename(kind))
    try:
        fn()
    except TestFailure:
        raise
    except Exception as error:
        if kind is None or kind in kinds(error):
            return error
        raise TestFailure("expected an error of kind %s, got %s"
                          % (show(kind), describe(error))) from None
    if kind is None:
        raise TestFailure("expected the function to throw, but it returned normally")
    raise TestFailure("expected an error of kind %s, but the function returned normally"
                      % show(kind))


@ml_function("Fail the test with a message", _A)
def fail(message):
    raise TestFailure(message if isinstance(message, str) else show(message))


__all__ = ["assert_equal", "assert_true", "assert_false", "assert_throws", "fail"]
