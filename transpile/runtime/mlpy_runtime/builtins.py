"""The ML builtins (the `builtin` module in ML): 46 functions under their ML names.

Printing rules: a top-level boolean prints as `true`/`false`, everything else with Python's
`str` (containers therefore use Python repr: `[True, None, 'a']`).
"""

import builtins as _py
import sys as _sys

from mlpy_runtime import access as _access
from mlpy_runtime import capabilities as _caps
from mlpy_runtime import compat as _compat
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject as _MLObject
from mlpy_runtime.trust import is_ml_module as _is_ml_module

__mlpy_runtime__ = True

_STDLIB_PREFIX = "mlpy_runtime.stdlib."

# Function bodies below reach Python's own builtins as `_py.NAME`: most Python builtin names
# are redefined in this module under their ML names.


# --------------------------------------------------------------------------- conversion

@ml_function("Convert value to integer")
def int(value):
    """int(value): bool -> 1/0, numbers truncate toward zero, strings go through float first."""
    if value is True or value is False:
        return 1 if value else 0
    if _py.isinstance(value, (_py.int, _py.float)):
        return _py.int(value)
    if _py.isinstance(value, _py.str):
        try:
            return _py.int(_py.float(value))
        except ValueError:
            return _py.int(value)
    return _py.int(value)


@ml_function("Convert value to float")
def float(value):
    if value is True or value is False:
        return 1.0 if value else 0.0
    if _py.isinstance(value, _py.str):
        try:
            return _py.float(value)
        except ValueError:
            # CPython 3.9 names the text after stripping its blanks (`''` for "  "); 3.10+
            # names it as given, the reference's words
            raise ValueError("could not convert string to float: %r" % (value,)) from None
    return _py.float(value)


@ml_function("Convert value to string")
def str(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if _py.isinstance(value, BaseException):
        return _compat.message(value)  # one wording on every Python version
    return _py.str(value)


@ml_function("Convert value to boolean")
def bool(value):
    return _py.bool(value)


# --------------------------------------------------------------------------- types

@ml_function("Get type of value with class metadata awareness")
def typeof(value):
    if _py.isinstance(value, _MLObject):
        return value.ml_type()
    if value is True or value is False:
        return "boolean"
    if _py.isinstance(value, (_py.int, _py.float)):
        return "number"
    if _py.isinstance(value, _py.str):
        return "string"
    if _py.isinstance(value, _py.list):
        return "array"
    if _py.isinstance(value, _py.dict):
        return "object"
    if _py.callable(value):
        return "function"
    return "unknown"


@ml_function("Check if value is instance of type")
def isinstance(value, type_name):
    return typeof(value) == type_name


# --------------------------------------------------------------------------- collections

@ml_function("Get length of collection")
def len(collection):
    try:
        return _py.len(collection)
    except TypeError:
        return 0


@ml_function("Generate range of numbers")
def range(*args):
    return _py.list(_py.range(*args))


@ml_function("Enumerate array with indices")
def enumerate(array, start=0):
    return _py.list(_py.enumerate(array, start))


# --------------------------------------------------------------------------- I/O

@ml_function("Print value to console")
def print(*values):
    _py.print(*[("true" if v else "false") if (v is True or v is False)
                else _compat.message(v) if _py.isinstance(v, BaseException) else v
                for v in values])


@ml_function("Read input from console")
def input(prompt=""):
    return _py.input(prompt)


# --------------------------------------------------------------------------- introspection

def _help_parts(target):
    """(description, capabilities or None) for help()."""
    desc = _py.getattr(target, "_ml_description", None)
    if desc is not None and _py.hasattr(target, "_ml_capabilities"):
        return desc or "No description available", _py.list(target._ml_capabilities)
    if _py.isinstance(target, _py.type(_sys)):
        name = target.__name__
        if name.startswith(_STDLIB_PREFIX) or name == __name__:
            ml_name = name[_py.len(_STDLIB_PREFIX):] if name.startswith(_STDLIB_PREFIX) else "builtin"
            desc = _py.getattr(target, "ML_DESCRIPTION", "") or "No description available"
            return desc, _py.list(_caps.MODULE_CAPABILITIES.get(ml_name, ()))
    if _py.isinstance(target, _MLObject):
        return (target.ml_description or "No description available"), []
    owner = _py.getattr(target, "__self__", None)
    if _py.isinstance(owner, _MLObject):
        desc = owner._ml_method_descriptions.get(_py.getattr(target, "__name__", None))
        if desc is not None:
            return desc, []
    doc = _py.getattr(target, "__doc__", None)
    if doc and not _py.isinstance(target, (_py.str, _py.int, _py.float, _py.list, _py.dict, _py.tuple)):
        return doc.strip(), None
    return None, None


@ml_function("Get help for function or module")
def help(target):
    desc, caps = _help_parts(target)
    if desc is None:
        return "No help available for %s" % (target,)
    if caps is not None:
        if caps:
            desc += "\nRequires: " + ", ".join(caps)
        else:
            desc += "\nCapabilities: None required"
    return desc


@ml_function("List all methods available on value")
def methods(value):
    names = _access.member_names(value)
    return names if names is not None else _compat.method_names(value)


def _loaded_stdlib():
    """The standard-library modules ML code imported so far: those the import gate handed to
    ML (`sandbox._guarded_import` gives them their ML name), not the ones the runtime loaded
    for its own use (`file`, `csv`, `crypto` and `log` share `path`'s helpers)."""
    names = []
    for n, m in _py.list(_sys.modules.items()):
        leaf = n[_py.len(_STDLIB_PREFIX):]
        if n.startswith(_STDLIB_PREFIX) and "." not in leaf and m is not None \
                and m.__dict__.get("__mlpy_name__") == leaf:
            names.append(leaf)
    return _py.sorted(names)


def _user_modules():
    """The program's ML modules loaded so far: not the package folders that only hold them
    (`geo` of `geo/shapes.ml` without `geo/__init__.ml`)."""
    return _py.sorted(n for n, m in _py.list(_sys.modules.items())
                      if m is not None and _is_ml_module(m)
                      and m.__dict__.get("__mlpy_defined__") is True
                      and not m.__dict__.get("__mlpy_package_folder__"))


@ml_function("List all imported modules")
def modules():
    return _py.sorted(_py.set(["builtin"] + _loaded_stdlib()))


@ml_function("List all available modules (including unimported)")
def available_modules(module_type=None):
    from mlpy_runtime.stdlib import MODULES
    bridges = _py.list(MODULES)
    if module_type == "python_bridge":
        return _py.sorted(bridges)
    if module_type == "ml_source":
        return _user_modules()
    return _py.sorted(_py.set(bridges) | _py.set(_user_modules()))


@ml_function("Check if module is available")
def has_module(module_name):
    from mlpy_runtime.stdlib import MODULES
    return module_name in MODULES or module_name in _user_modules()


@ml_function("Get module metadata and information")
def module_info(module_name):
    from mlpy_runtime.stdlib import MODULES
    import importlib
    if module_name in MODULES:
        full = _STDLIB_PREFIX + module_name
        loaded = module_name in _loaded_stdlib()
        mod = importlib.import_module(full)
        return {
            "name": module_name,
            "type": "python_bridge",
            "file_path": _py.getattr(mod, "__file__", None),
            "loaded": loaded,
            "reload_count": 0,
            "functions": _py.sorted(n for n in mod.__all__ if _py.callable(_py.getattr(mod, n))),
        }
    mod = _sys.modules.get(module_name)
    if mod is not None and _is_ml_module(mod):
        return {
            "name": module_name,
            "type": "ml_source",
            "file_path": _py.getattr(mod, "__file__", None),
            "loaded": True,
            "reload_count": 0,
        }
    return None


# --------------------------------------------------------------------------- capabilities

@ml_function("Check if specific capability is available")
def hasCapability(name):
    return _caps.has_capability(name)


@ml_function("Get list of all available capabilities")
def getCapabilities():
    return _caps.available_capabilities()


@ml_function("Get detailed information about a capability")
def getCapabilityInfo(name):
    if not _caps.has_capability(name):
        return None
    return {
        "type": name,
        "available": True,
        "usage_count": 0,
        "patterns": None,
        "operations": None,
        "max_usage": None,
        "expires_at": None,
    }


@ml_function("Get list of capabilities required by function")
def requiredCapabilities(func):
    caps = _py.getattr(func, "_ml_capabilities", None)
    if caps is None:
        inner = _py.getattr(func, "__func__", None)
        caps = _py.getattr(inner, "_ml_capabilities", None)
    return _py.list(caps) if caps else []


# --------------------------------------------------------------------------- dynamic access

def _safe_type_attr(obj, name):
    """The type-based attribute rules used by getattr/hasattr: ML objects' keys are not
    attributes here (as in the reference)."""
    if _py.isinstance(obj, _py.dict):
        if name == "length":
            return _py.len(obj)
        if name in _access.DICT_METHODS:
            return _py.getattr(obj, name)
        raise AttributeError(name)
    return _access.attr(obj, name)


@ml_function("Check if object has safe attribute")
def hasattr(obj, name):
    if not _py.isinstance(name, _py.str) or name.startswith("_"):
        return False
    try:
        _safe_type_attr(obj, name)
        return True
    except Exception:
        return False


@ml_function("Get safe attribute from object")
def getattr(obj, name, default=None):
    if not _py.isinstance(name, _py.str) or name.startswith("_"):
        return default
    try:
        return _safe_type_attr(obj, name)
    except Exception:
        return default


@ml_function("Call function dynamically with arguments")
def call(func, *args):
    return _access.call(func, *args)


# --------------------------------------------------------------------------- math

@ml_function("Get absolute value")
def abs(value):
    return _py.abs(value)


@ml_function("Get minimum value")
def min(*values):
    if _py.len(values) == 1 and _py.isinstance(values[0], _py.list):
        return _py.min(values[0]) if values[0] else None
    return _py.min(values) if values else None


@ml_function("Get maximum value")
def max(*values):
    if _py.len(values) == 1 and _py.isinstance(values[0], _py.list):
        return _py.max(values[0]) if values[0] else None
    return _py.max(values) if values else None


@ml_function("Round number to precision")
def round(value, precision=0):
    return _py.round(value, precision)


@ml_function("Zip multiple arrays")
def zip(*arrays):
    return _py.list(_py.zip(*arrays))


@ml_function("Get sorted copy of array")
def sorted(array, reverse=False):
    # `reverse` is a C int, as up to CPython 3.11 (the reference's): 3.12 took any value's
    # truth (`sorted(a, "no")` sorted descending), 3.9 worded the refusal differently
    _c_int(reverse)
    return _py.sorted(array, reverse=reverse)


_C_INT_MIN, _C_INT_MAX = -(2 ** 31), 2 ** 31 - 1


def _c_int(value):
    """Refuses what CPython 3.10-3.11 refuse where a C `int` is expected (a flag, a code
    point): a value that is no integer, or one out of the C range."""
    if not _py.isinstance(value, _py.int):
        raise TypeError("'%s' object cannot be interpreted as an integer" % _py.type(value).__name__)
    if not _C_INT_MIN <= value <= _C_INT_MAX:
        raise OverflowError("Python int too large to convert to C int")


@ml_function("Get object keys")
def keys(obj):
    return _py.list(obj.keys())


@ml_function("Get object values")
def values(obj):
    return _py.list(obj.values())


# --------------------------------------------------------------------------- utilities

@ml_function("Check if object is callable")
def callable(obj):
    return _py.callable(obj)


@ml_function("Check if all elements are truthy")
def all(iterable):
    return _py.all(iterable)


@ml_function("Check if any element is truthy")
def any(iterable):
    return _py.any(iterable)


@ml_function("Sum numeric values")
def sum(iterable, start=0):
    """A left-to-right fold with plain `+` (`((start + a) + b) + ...`), on every Python:
    CPython 3.12 made `sum` of floats compensated (`sum([0.1, 0.2, 0.3])` is `0.6` there,
    `0.6000000000000001` before and in ML)."""
    if _py.isinstance(start, (_py.str, bytes, bytearray)):
        # Python's own refusal, kept from the reference
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]"
                        if _py.isinstance(start, _py.str) else
                        "sum() can't sum %s [use b''.join(seq) instead]" % _py.type(start).__name__)
    total = start
    for item in _py.iter(iterable):
        total = total + item
    return total


@ml_function("Convert integer to character")
def chr(i):
    # a code point out of C int range is an OverflowError up to CPython 3.12 (the
    # reference's), 3.13 made it the ValueError of any other out-of-range value
    if _py.isinstance(i, _py.int):
        _c_int(i)
    return _py.chr(i)


@ml_function("Convert character to integer")
def ord(c):
    return _py.ord(c)


@ml_function("Convert to hexadecimal")
def hex(n):
    return _py.hex(n)


@ml_function("Convert to binary")
def bin(n):
    return _py.bin(n)


@ml_function("Convert to octal")
def oct(n):
    return _py.oct(n)


@ml_function("Get string representation")
def repr(obj):
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    return _py.repr(obj)


@ml_function("Format value with format specifier")
def format(value, format_spec=""):
    return _compat.format_value(value, format_spec)


@ml_function("Create reverse iterator")
def reversed(seq):
    return _py.list(_py.reversed(seq))


@ml_function("Create iterator from iterable")
def iter(iterable):
    return _py.iter(iterable)


@ml_function("Get next item from iterator")
def next(iterator, *default):
    if not default:
        try:
            return _py.next(iterator)
        except StopIteration:
            raise RuntimeError("Iterator exhausted - use default parameter to avoid error") from None
    return _py.next(iterator, default[0])


ML_DESCRIPTION = "Core builtin functions always available without import"

__all__ = [
    "int", "float", "str", "bool", "typeof", "isinstance", "len", "range", "enumerate",
    "print", "input", "help", "methods", "modules", "available_modules", "has_module",
    "module_info", "hasCapability", "getCapabilities", "getCapabilityInfo",
    "requiredCapabilities", "hasattr", "getattr", "call", "abs", "min", "max", "round", "zip",
    "sorted", "keys", "values", "callable", "all", "any", "sum", "chr", "ord", "hex", "bin",
    "oct", "repr", "format", "reversed", "iter", "next",
]
