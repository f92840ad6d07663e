"""Member access, method calls and calls of values: `attr`, `mcall`, `call`.

The rules (reference §3.6/§7.3 plus decisions.md):

* Names starting with `__` are refused with `SecurityError` on every receiver, however the
  name was built; so are the reflection names in `REFLECTION_NAMES`, except as keys of ML
  objects and as names a module defines itself (`regex.compile`).
* A dict whose keys are all strings (an ML object) reads keys: missing -> None.
* str/list/tuple and dicts with non-string keys expose a method whitelist; all but tuples
  also the property `length` (the reference registered no `length` for tuples: report §3.6).
* Caught exceptions expose the thrown object's fields (`e.message`, `e.code`, ...).
* ML user modules expose their names, standard-library modules the names in `__all__`,
  `MLObject` instances their public methods and attributes.
* `call` only calls ML functions and lambdas, runtime functions, `MLObject` methods and
  whitelisted methods of builtin types.
"""

import keyword
from types import BuiltinMethodType, FunctionType, MethodType, ModuleType

from mlpy_runtime import compat as _compat
from mlpy_runtime.errors import MLUserException, SecurityError
from mlpy_runtime.objects import MLObject
from mlpy_runtime.trust import TOKEN as _ML

__mlpy_runtime__ = True

REFLECTION_NAMES = frozenset((
    "exec", "eval", "compile", "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code",
    "cr_await", "ag_frame", "ag_code", "f_globals", "f_locals", "f_builtins", "f_back",
    "f_code", "tb_frame", "tb_next", "func_globals", "func_code", "mro",
))

STR_METHODS = frozenset((
    "upper", "lower", "strip", "lstrip", "rstrip", "replace", "split", "rsplit", "join",
    "startswith", "endswith", "find", "rfind", "index", "rindex", "count", "isdigit",
    "isalpha", "isalnum", "isspace", "istitle", "isupper", "islower", "capitalize", "title",
    "swapcase", "center", "ljust", "rjust",
))
LIST_METHODS = frozenset((
    "append", "extend", "insert", "remove", "pop", "index", "count", "sort", "reverse",
    "clear", "copy",
))
DICT_METHODS = frozenset((
    "get", "keys", "values", "items", "pop", "popitem", "update", "clear", "setdefault",
))
TUPLE_METHODS = frozenset(("count", "index"))

#: whitelisted methods per builtin type
TYPE_METHODS = {str: STR_METHODS, list: LIST_METHODS, dict: DICT_METHODS, tuple: TUPLE_METHODS}

_HIDDEN_OBJECT_NAMES = frozenset(("ml_type_name", "ml_description", "ml_type", "ml_methods"))
_MISSING = object()


def _refuse(name):
    return SecurityError("Access to dangerous attribute '%s' is forbidden" % name)


def _is_dangerous(name):
    return name.__class__ is not str or name.startswith("__")


def _reflection_ok(obj, name):
    """Reflection names (`eval`, `gi_frame`, ...) are refused except as keys of ML objects
    and as names a module itself defines (`regex.compile`, a user function `eval`)."""
    return name not in REFLECTION_NAMES or isinstance(obj, (dict, ModuleType))


def is_ml_object(obj):
    """A dict whose keys are all strings."""
    for k in obj:
        if k.__class__ is not str:
            return False
    return True


def _renamed(name):
    """The Python name the emitter gives an ML name that is a Python keyword (`from` ->
    `ml_from`), or None."""
    if keyword.iskeyword(name) or name == "Exception":
        return "ml_" + name
    return None


def _membrane_member(obj, name):
    # membrane.py loads only for programs that import Python modules (stdlib_mode "python")
    from mlpy_runtime.membrane import member
    return member(obj, name)


def _module_attr(obj, name):
    d = obj.__dict__
    if d.get("__mlpy_module__") is _ML:
        if name in d:
            return d[name]
        renamed = _renamed(name)
        if renamed is not None and renamed in d:
            return d[renamed]
        raise AttributeError("module '%s' has no attribute '%s'" % (obj.__name__, name))
    if d.get("__mlpy_runtime__") and name in d.get("__all__", ()):
        return d[name]
    raise AttributeError("'module' object has no accessible attribute '%s'" % name)


def member_names(obj):
    """The names `attr` lets ML read on a runtime object or a standard-library module, sorted
    (for `methods()`), or None for other values. Python's `dir` would also list the runtime's
    own plumbing (`ml_type`, `ML_DESCRIPTION`, the `ml_function` decorator a module imports),
    which no ML program can reach."""
    if isinstance(obj, MLObject):
        return sorted(n for n in dir(obj)
                      if not n.startswith("_") and n not in _HIDDEN_OBJECT_NAMES)
    if isinstance(obj, ModuleType):
        d = obj.__dict__
        if d.get("__mlpy_runtime__") and d.get("__mlpy_module__") is not _ML:
            return sorted(d.get("__all__", ()))
    return None


def _object_attr(obj, name):
    if name.startswith("_") or name in _HIDDEN_OBJECT_NAMES:
        raise AttributeError("'%s' object has no accessible attribute '%s'" % (obj.ml_type(), name))
    try:
        return getattr(obj, name)
    except AttributeError:
        raise AttributeError("'%s' object has no attribute '%s'" % (obj.ml_type(), name)) from None


def _exception_attr(obj, name):
    if isinstance(obj, MLUserException):
        data = obj.data
        if isinstance(data, dict):
            return data.get(name)
        if name == "message":
            return obj.message
        return None
    if name == "message":
        return _compat.message(obj)
    if name == "type" or name == "name":
        return _compat.error_type_name(type(obj).__name__)
    raise AttributeError("'%s' object has no accessible attribute '%s'" % (type(obj).__name__, name))


def attr(obj, name):
    """ML member read `obj.name`."""
    if obj.__class__ is dict:
        # The hot path: a key of an ML object (reflection names are fine as keys).
        v = obj.get(name, _MISSING)
        if v is not _MISSING and name.__class__ is str and not name.startswith("__"):
            return v
    if _is_dangerous(name) or not _reflection_ok(obj, name):
        raise _refuse(name)
    t = obj.__class__
    if t is dict:
        v = obj.get(name, _MISSING)
        if v is not _MISSING:
            return v
        if is_ml_object(obj):
            return None
    elif isinstance(obj, MLObject):
        return _object_attr(obj, name)
    elif getattr(t, "__mlpy_membrane__", False) is True:
        return _membrane_member(obj, name)
    elif isinstance(obj, ModuleType):
        return _module_attr(obj, name)
    elif isinstance(obj, BaseException):
        return _exception_attr(obj, name)
    elif isinstance(obj, dict):
        if is_ml_object(obj):
            return obj.get(name)
        t = dict
    methods = TYPE_METHODS.get(t)
    if methods is None:
        for base in (str, list, tuple, dict):
            if isinstance(obj, base):
                t, methods = base, TYPE_METHODS[base]
                break
    if methods is not None:
        if name == "length" and t is not tuple:
            return len(obj)
        if name in methods:
            return getattr(obj, name)
    raise AttributeError("'%s' object has no accessible attribute '%s'" % (type(obj).__name__, name))


def _in_older_words(name, method):
    """The str method `method`, its argument errors worded as by CPython 3.9-3.12
    (`compat.STR_METHODS_REWORDED`: only on 3.13+)."""
    def call_method(s, *args):
        try:
            return method(s, *args)
        except TypeError as e:
            text = _compat.str_method_error(name, args, str(e))
            if text is None:
                raise
        raise TypeError(text)
    return call_method


#: whitelisted methods of list, str and tuple, unbound: the fast path of `mcall`
_UNBOUND = {t: {n: getattr(t, n) for n in TYPE_METHODS[t]} for t in (list, str, tuple)}
for _name in _compat.STR_METHODS_REWORDED:
    _UNBOUND[str][_name] = _in_older_words(_name, _UNBOUND[str][_name])


def str_method(name):
    """The whitelisted str method `name`, unbound, as `mcall` calls it (its argument errors
    worded as on every version)."""
    return _UNBOUND[str][name]


def mcall(obj, name, *args):
    """ML method call `obj.name(args)`."""
    fast = _UNBOUND.get(obj.__class__)
    if fast is not None:
        method = fast.get(name)
        if method is not None:
            return method(obj, *args)
    if _is_dangerous(name) or not _reflection_ok(obj, name):
        raise _refuse(name)
    t = obj.__class__
    methods = TYPE_METHODS.get(t)
    if methods is not None and t is not dict:
        if name in methods:
            return getattr(obj, name)(*args)
        raise AttributeError("'%s' object has no accessible method '%s'" % (t.__name__, name))
    if t is dict or isinstance(obj, dict):
        if is_ml_object(obj):
            f = obj.get(name, _MISSING)
            if f is _MISSING:
                raise AttributeError("ML object has no property '%s'" % name)
            if not callable(f):
                raise TypeError("Property '%s' is not callable (got %s)" % (name, type(f).__name__))
            return call(f, *args)
        if name in DICT_METHODS:
            return getattr(obj, name)(*args)
        raise AttributeError("'dict' object has no accessible method '%s'" % name)
    if isinstance(obj, MLObject):
        f = _object_attr(obj, name)
    elif getattr(t, "__mlpy_membrane__", False) is True:
        f = _membrane_member(obj, name)
    elif isinstance(obj, ModuleType):
        f = _module_attr(obj, name)
    else:
        for base in (str, list, tuple):
            if isinstance(obj, base):
                if name in TYPE_METHODS[base]:
                    return getattr(obj, name)(*args)
                break
        raise AttributeError("'%s' object has no accessible method '%s'" % (type(obj).__name__, name))
    if not callable(f):
        raise TypeError("Property '%s' is not callable (got %s)" % (name, type(f).__name__))
    return call(f, *args)


def callable_allowed(f):
    """Whether `call` accepts `f`: an ML function, a runtime function or closure marked
    ML-callable (`ml_function`, `ml_closure`), a public method of a runtime object, a
    whitelisted method of str/list/dict/tuple, or a Python value behind the membrane."""
    t = f.__class__
    if t is FunctionType:
        return f.__globals__.get("__mlpy_module__") is _ML or \
            f.__dict__.get("_ml_callable") is True
    if t is MethodType:
        self = f.__self__
        func = f.__func__
        return isinstance(self, MLObject) and func.__class__ is FunctionType \
            and func.__globals__.get("__mlpy_runtime__") is True \
            and not func.__name__.startswith("_")
    if t is BuiltinMethodType:
        self = getattr(f, "__self__", None)
        methods = TYPE_METHODS.get(type(self))
        return methods is not None and f.__name__ in methods
    return getattr(t, "__mlpy_membrane__", False) is True


def call(f, *args):
    """The call gate: every call of an ML-supplied value, at an ML call site or inside a
    runtime function that takes a callback, goes through here."""
    if f.__class__ is FunctionType:
        if f.__globals__.get("__mlpy_module__") is _ML or \
                f.__dict__.get("_ml_callable") is True:
            return f(*args)
    elif callable_allowed(f):
        return f(*args)
    if not callable(f):
        tn = type(f).__name__
        raise TypeError("Cannot call object of type '%s': not callable\nExpected a function, got %s"
                        % (tn, tn))
    fname = getattr(f, "__name__", None)
    fname = fname if fname.__class__ is str else "<unknown>"
    fmod = getattr(f, "__module__", None)
    fmod = fmod if fmod.__class__ is str else "<unknown>"
    raise SecurityError(
        "SecurityError: Cannot call '%s' from module '%s'\n\n"
        "Only ML functions, builtins, standard-library functions and methods of safe types "
        "can be called." % (fname, fmod))


def callback(f):
    """`f` as a Python callable that goes through the gate on every call: what the runtime
    hands to Python APIs that call back (`re.sub` with a function, `sorted` keys)."""
    if f.__class__ is FunctionType and f.__globals__.get("__mlpy_module__") is _ML:
        return f
    if not callable_allowed(f):
        call(f)  # raises the gate's error
    return f


def callbacks(functions):
    """`callback` of each of `functions`, as a tuple (a snapshot: later changes to the ML
    array do not reach it)."""
    return tuple(callback(f) for f in functions)


def undefined(name):
    """A call of a function the program does not define: fails when reached (the checker
    warns at compile time)."""
    raise NameError("name '%s' is not defined" % name)


class _Unsliceable:
    """What `sliceable` gives for an object: its slices raise, after the bounds (and the
    value assigned) are evaluated, as on CPython 3.9-3.11."""

    __slots__ = ()

    def __getitem__(self, key):
        raise TypeError("unhashable type: 'slice'")

    def __setitem__(self, key, value):
        raise TypeError("unhashable type: 'slice'")


_UNSLICEABLE = _Unsliceable()


def sliceable(obj):
    """The receiver of an ML slice, read or assigned (`a[i:j]`, `a[i:j] = v`): `obj`, or for
    an object (a dict), a stand-in whose slices raise `TypeError: unhashable type: 'slice'`.
    CPython 3.12 made slices hashable: there `o[0:1]` is a key lookup (`KeyError`) and
    `o[0:1] = v` stores a value under the key `slice(0, 1, None)`; the reference (3.11)
    refused both, and ML does on every version."""
    if isinstance(obj, dict):
        return _UNSLICEABLE
    return obj


def pystr(v):
    """Python `str(v)`: the coercion of the string-literal `+`."""
    if v.__class__ is str:
        return v
    if isinstance(v, BaseException):
        return _compat.message(v)
    return str(v)


from mlpy_runtime import sandbox as _sandbox  # noqa: E402  (sandbox imports nothing of ours)

if not _sandbox.LANGUAGE_LAYER:
    # A test-only build of the runtime (tests/sandbox_attacks.rs) turns the language layer
    # off to show that the audit layer alone stops every attack.
    def attr(obj, name):
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        return getattr(obj, name)

    def mcall(obj, name, *args):
        return attr(obj, name)(*args)

    def call(f, *args):
        return f(*args)

    def callable_allowed(f):
        return True

    def callback(f):
        return f

    def callbacks(functions):
        return tuple(functions)
