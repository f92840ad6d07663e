"""ML semantics that must not depend on which CPython (3.9 to 3.13) runs the program.

An ML program prints the same text whatever Python runs it. Where CPython changed between
3.9 and 3.13 in a way an ML program can see, the runtime defines ML's behaviour here (or in
the standard-library module concerned) instead of inheriting the host's; docs/compatibility.md
("Every supported Python gives the same results") lists each difference and its resolution.

* `message(exc)`: the text of a Python exception as ML shows it (`e.message`, `str(e)`,
  `print(e)`, uncaught-exception reports). CPython reworded many messages between versions
  (`integer modulo by zero`, `'float' object cannot be interpreted as an integer`, the
  qualified function names of 3.10); ML uses one text for each, listed in `_REWRITES`.
* `str_method_error(name, args, text)`: the argument errors of the string methods 3.13
  reworded, in the words of 3.9-3.12 (`mcall` applies it to string receivers).
* `format_value(value, spec)`: Python's format-spec language including the `z` option
  (negative zero coerced to zero, CPython 3.11+), implemented here for every version.
* `INT_MAX_STR_DIGITS`: ML converts integers of at most 4300 decimal digits to and from text,
  whatever `PYTHONINTMAXSTRDIGITS` or `-X int_max_str_digits` say (`pin_int_digits`).
* `method_names(value)`: what `methods()` lists for Python's builtin types, fixed (3.10 added
  `int.bit_count`, 3.12 `int.is_integer`).
"""

import re as _re
import sys as _sys

from mlpy_runtime.errors import MLUserException

__mlpy_runtime__ = True

#: ML's limit on converting integers to and from decimal text (CPython's default since 3.11
#: and the 3.9.14/3.10.7 security releases; the compiler refuses longer literals).
INT_MAX_STR_DIGITS = 4300


def pin_int_digits():
    """Set the interpreter's integer-string limit to ML's, overriding the environment
    (`PYTHONINTMAXSTRDIGITS`, `-X int_max_str_digits`). CPython releases before 3.9.14 and
    3.10.7 have no limit and no setter: there conversions are unlimited (documented)."""
    if hasattr(_sys, "set_int_max_str_digits"):
        _sys.set_int_max_str_digits(INT_MAX_STR_DIGITS)


# --------------------------------------------------------------------------- messages

_NAME = r"(?:[A-Za-z_]\w*|<\w+>)"

#: ML names the emitter renames to `ml_NAME`: Python's keywords (3.9 to 3.13) and
#: `Exception` (analysis/src/names.rs, `PYTHON_KEYWORDS`).
_RENAMED = ("False|None|True|and|as|assert|async|await|break|class|continue|def|del|elif|else"
            "|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise"
            "|return|try|while|with|yield|Exception")

#: Builtin types whose methods CPython names with their type in call errors on every version
#: (`str.upper() takes no arguments (1 given)`, `list.append() takes exactly one argument`):
#: those names are not the qualified names of 3.10 and stay as they are.
_BUILTIN_TYPES = r"(?:str|list|dict|tuple|set|frozenset|bytes|int|float|bool|object|type)"

#: (pattern, replacement): every version's wording of a message -> ML's. Applied in order
#: with `re.sub` (messages embedded in a runtime message are rewritten too). A rewrite must
#: only match wordings some supported version does not use: a message every version words
#: the same way is what the reference printed, and stays.
_REWRITES = [
    # 3.10+ names functions by qualified name in call errors (`outer.<locals>.inner()`,
    # `Pattern.search()`); 3.9 and ML use the plain name.
    (_re.compile(r"\b(?!%s\.%s\(\))%s(?:\.%s)*\.(%s\(\) (?:takes|missing|got) )"
                 % (_BUILTIN_TYPES, _NAME, _NAME, _NAME, _NAME)),
     r"\1"),
    # 3.10 reworded integer conversions of non-integers.
    (_re.compile(r"\binteger argument expected, got (\w+)"),
     r"'\1' object cannot be interpreted as an integer"),
    (_re.compile(r"\ban integer is required \(got type (\w+)\)"),
     r"'\1' object cannot be interpreted as an integer"),
    (_re.compile(r"\b(int\(\) argument must be a string, a bytes-like object or|"
                 r"float\(\) argument must be a string or) a number\b"), r"\1 a real number"),
    (_re.compile(r"\bformat: a number is required\b"), "format: a real number is required"),
    # 3.11 split `%` out of `integer division or modulo by zero`; 3.13 added `by zero` to
    # the float one. ML keeps the older texts (3.9 cannot tell `%` from `//` apart).
    (_re.compile(r"\binteger modulo by zero\b"), "integer division or modulo by zero"),
    (_re.compile(r"\bfloat modulo by zero\b"), "float modulo"),
    # 3.11 reworded reads of variables that are not bound yet; ML keeps 3.11's texts.
    (_re.compile(r"\blocal variable '(\w+)' referenced before assignment"),
     r"cannot access local variable '\1' where it is not associated with a value"),
    (_re.compile(r"\bfree variable '(\w+)' referenced before assignment in enclosing scope"),
     r"cannot access free variable '\1' where it is not associated with a value in "
     r"enclosing scope"),
    # 3.9 and 3.10 name where a deep recursion reached the limit (`… in comparison` at the
    # `n == 0` of a recursive function, `… while calling a Python object`); 3.11+ say it
    # plainly for the same program. ML keeps the plain text.
    (_re.compile(r"\bmaximum recursion depth exceeded (?:in comparison|while calling a "
                 r"Python object)"), "maximum recursion depth exceeded"),
    # 3.11 added the index's type.
    (_re.compile(r"\bstring indices must be integers, not '\w+'"),
     "string indices must be integers"),
    # The integer-string limit: 3.11 says `(4300 digits)`; ML programs cannot change the
    # limit, so the advice to call sys.set_int_max_str_digits() is dropped.
    (_re.compile(r"\bExceeds the limit \((\d+)\) for integer string conversion"),
     r"Exceeds the limit (\1 digits) for integer string conversion"),
    (_re.compile(r"; use sys\.set_int_max_str_digits\(\) to increase the limit"), ""),
    # A variable read before it is bound is named by its Python name: an ML name that is a
    # Python keyword is `ml_NAME` there (`class` -> `ml_class`); ML says `class`.
    (_re.compile(r"\b(name|local variable|free variable) 'ml_(%s)'" % _RENAMED), r"\1 '\2'"),
] + [
    # Names the emitter made up, which Python puts in call errors: a block-bodied arrow is
    # the function `__arrow_N` (an expression arrow is Python's `<lambda>`, and both are
    # ML's `fn` arrows), and a function or parameter named like a Python keyword is
    # `ml_NAME` (analysis/src/names.rs). After the qualified-name rewrite above, which
    # strips `__mlpy_body.<locals>.` from 3.10+'s wording.
    (_re.compile(r"\b__arrow_\d+(\(\) (?:takes|missing|got) )"), r"<lambda>\1"),
    (_re.compile(r"\bml_(%s)(\(\) (?:takes|missing|got) )" % _RENAMED), r"\1\2"),
    (_re.compile(r"(\brequired (?:positional|keyword-only) arguments?: )"
                 r"((?:'\w+'(?:, and |, | and )?)+)"),
     lambda m: m.group(1) + _re.sub(r"'ml_(%s)'" % _RENAMED, r"'\1'", m.group(2))),
]


_RENAMED_NAME = _re.compile(r"ml_(%s)" % _RENAMED)
_ARROW_NAME = _re.compile(r"__arrow_\d+")


def function_name(code_name):
    """The ML name of an emitted Python function: `<lambda>` for a block-bodied arrow
    (`__arrow_N`), `from` for `ml_from`; other names are the program's own."""
    if _ARROW_NAME.fullmatch(code_name):
        return "<lambda>"
    if _RENAMED_NAME.fullmatch(code_name):
        return code_name[3:]
    return code_name


def ml_text(text):
    """A message as ML shows it: every version-specific wording rewritten to ML's."""
    if text.__class__ is not str:
        return text
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


#: Error classes CPython renamed: 3.13 calls `re.error` `re.PatternError` (`error` stays as
#: an alias). ML keeps the names of 3.9-3.12, the reference's: `e.type` of a bad
#: replacement template is `error` on every version.
_RENAMED_ERRORS = {"PatternError": "error"}


def error_type_name(name):
    """The name ML shows for the error class called `name` (`e.type`, error reports)."""
    return _RENAMED_ERRORS.get(name, name)


def message(exc):
    """`str(exc)` as ML shows it (`e.message`, `str(e)`, uncaught-exception reports). What
    an ML program threw is its own text, never rewritten."""
    if isinstance(exc, MLUserException):
        return str(exc)
    return ml_text(str(exc))


#: str methods whose argument errors CPython 3.13 reworded (Argument Clinic): `find expected
#: at least 1 argument, got 0`, `find() argument 1 must be str, not int`, `replace() takes at
#: least 2 positional arguments (1 given)`. The same words come from other methods on every
#: version (`[].index()` says `index expected at least 1 argument, got 0`), so the message
#: alone cannot tell them apart: `mcall` rewrites these methods' errors where it knows the
#: receiver is a string (`str_method_error`).
STR_METHODS_REWORDED = frozenset(("count", "find", "index", "rfind", "rindex", "startswith",
                                  "endswith", "replace")) if _sys.version_info >= (3, 13) \
    else frozenset()

_FIND_METHODS = frozenset(("count", "find", "index", "rfind", "rindex", "startswith",
                           "endswith"))
_EXPECTED = _re.compile(r"(\w+) expected at (least|most) (\d+) (arguments?), got (\d+)")
_TAKES = _re.compile(r"(\w+)\(\) takes at (least|most) (\d+) (?:positional )?(arguments?) "
                     r"\((\d+) given\)")
_SUB_TYPE = _re.compile(r"\w+\(\) argument 1 must be str, not (\w+)")


def _slice_index_ok(value):
    return value is None or hasattr(type(value), "__index__")


def str_method_error(name, args, text):
    """The text 3.9-3.12 give for the TypeError `text` that the 3.13 str method `name` raised
    for `args`, or None when 3.13's text is already theirs."""
    if name == "replace":
        m = _TAKES.fullmatch(text)
        return m and "replace expected at %s %s %s, got %s" % m.group(2, 3, 4, 5)
    if name not in _FIND_METHODS:
        return None
    m = _EXPECTED.fullmatch(text)
    if m is not None and m.group(1) == name:
        return "%s() takes at %s %s %s (%s given)" % m.group(1, 2, 3, 4, 5)
    m = _SUB_TYPE.fullmatch(text)
    if m is None:
        return None
    # 3.9-3.12 read the slice bounds before they look at the substring's type
    if not all(_slice_index_ok(a) for a in args[1:3]):
        return "slice indices must be integers or None or have an __index__ method"
    type_name = m.group(1)
    return "must be str, not %s" % ("NoneType" if type_name == "None" else type_name)


# --------------------------------------------------------------------------- format specs

#: Python's format-spec mini-language (3.11):
#: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = _re.compile(r"(?s)(?:(?P<fill>.?)(?P<align>[<>=^]))?(?P<sign>[-+ ]?)(?P<z>z?)(?P<alt>#?)"
                    r"(?P<zero>0?)(?P<width>\d*)(?P<group>[,_]?)(?P<prec>(?:\.\d+)?)(?P<type>.?)")
_FLOAT_TYPES = frozenset("eEfFgG%")


def _spec_text(p):
    return "".join(p[k] for k in ("fill", "align", "sign", "z", "alt", "zero", "width",
                                  "group", "prec", "type"))


def format_value(value, spec):
    """`format(value, spec)` as CPython 3.11+ does it, on every version:

    * the `z` option (3.11): a float that rounds to zero is written without its minus sign
      (`format(-0.0001, "z.2f")` is `0.00`); `z` with an integer or string presentation is
      an error;
    * the `0` flag with a string (3.10): `0` is the fill and `<` the default alignment
      (`format("ab", "05")` is `ab000`; 3.9 refused it).
    Other specs go to Python's `format` unchanged."""
    if spec.__class__ is not str or ("z" not in spec and "0" not in spec):
        return format(value, spec)
    try:
        return _format(value, spec)
    except ValueError as e:
        if str(e) != "Invalid format specifier":
            raise
        # 3.11 names the spec and the type
        raise ValueError("Invalid format specifier '%s' for object of type '%s'"
                         % (spec, type(value).__name__)) from None


def _format(value, spec):
    m = _SPEC.fullmatch(spec)
    if m is None:
        return format(value, spec)
    p = {k: v or "" for k, v in m.groupdict().items()}
    if isinstance(value, str) and not p["z"] and p["zero"] and p["type"] == "z":
        # 3.11 reads `0z` as the `z` option with a misplaced `0`
        raise ValueError("Negative zero coercion (z) not allowed in string format specifier")
    if isinstance(value, str) and p["zero"] and not p["alt"]:
        p["fill"], p["align"], p["zero"] = p["fill"] or "0", p["align"] or "<", ""
    if not p["z"]:
        return format(value, _spec_text(p))
    kind = p["type"]
    p["z"] = ""
    plain = _spec_text(p)
    if kind == "z" and isinstance(value, (int, float, str)):
        # `zz`: the second `z` is the type, unknown (3.9 would read `z` as the option)
        if p["group"]:
            raise ValueError("Cannot specify '%s' with 'z'." % p["group"])
        raise ValueError("Unknown format code 'z' for object of type '%s'" % type(value).__name__)
    if isinstance(value, float) and kind in _FLOAT_TYPES or isinstance(value, float) \
            and kind in ("", "n"):
        text = format(value, plain)
        if value != value or value in (float("inf"), float("-inf")) \
                or not (value < 0 or str(value) == "-0.0"):
            return text
        # Negative: written with only its precision and type, does the magnitude have a
        # non-zero digit? If not, it rounds to zero and loses its sign.
        digits = format(-value, p["prec"] + kind)
        if any(c in "123456789" for c in _re.split(r"[eE]", digits)[0]):
            return text
        return format(-value, plain)
    if isinstance(value, (int, float)) and kind in _FLOAT_TYPES or isinstance(value, float):
        return format(value, plain)  # integers never round to -0; Python's own errors
    # Python reports a malformed spec (`Precision not allowed`, `Cannot specify ','`, an
    # unknown type) before the misplaced `z`: format without it first.
    if isinstance(value, str) and p["align"] == "=" and kind in ("", "s"):
        raise ValueError("Negative zero coercion (z) not allowed in string format specifier")
    if isinstance(value, int) and kind == "c":
        # `c` checks `z` after precision and grouping, before sign and `#`
        format(0, p["fill"] + p["align"] + p["zero"] + p["width"] + p["group"] + p["prec"] + "c")
    else:
        text = format(value, plain)
    if isinstance(value, int):
        raise ValueError("Negative zero coercion (z) not allowed in integer format specifier")
    if isinstance(value, str):
        raise ValueError("Negative zero coercion (z) not allowed in string format specifier")
    if plain:
        return text
    raise TypeError("unsupported format string passed to %s.__format__" % type(value).__name__)


# --------------------------------------------------------------------------- methods()

#: Public attribute names of Python's builtin value types as ML's `methods()` lists them:
#: those of CPython 3.9, the oldest supported version (later versions only add names).
BUILTIN_METHODS = {
    int: ("as_integer_ratio", "bit_length", "conjugate", "denominator", "from_bytes", "imag",
          "numerator", "real", "to_bytes"),
}


def method_names(value):
    """Sorted public names of `value` for `methods()`: fixed for builtin numbers."""
    for t, names in BUILTIN_METHODS.items():
        if isinstance(value, t):
            return sorted(names)
    return sorted(n for n in dir(value) if not n.startswith("_"))
