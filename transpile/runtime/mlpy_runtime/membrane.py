"""The membrane around Python modules of `stdlib_mode: "python"`.

An ML program never holds a Python module, function or object of such a module directly:
`import_python` returns a `PyValue` proxy, and every member read (`access.attr`), call
(`access.call`) and everything those return goes through it. The rules:

* modules in `FORBIDDEN` (and every module whose name starts with `_` or `pydev`, and
  `mlpy_runtime`) are never importable, whatever `python_whitelist` says: they reach the OS, the interpreter
  or the capability system itself;
* members starting with `_` and the reflection names of `access.REFLECTION_NAMES` are
  refused; so are the members of `AUDITED` that reach attributes or code by name
  (`operator.attrgetter`, `string.Formatter`, ...);
* a member that is a module is reachable only when the program imported it;
* results are wrapped again, unless they are plain data (numbers, strings, bytes, None);
* arguments are unwrapped on the way in, so the Python code sees its own objects;
* Python code never ends the program: a `SystemExit` or `GeneratorExit` coming out of it
  (`argparse`'s error path, `base64.main()`) becomes a `SecurityError` at the ML line that
  called it (`_crossing`: every way into Python code goes through one of those functions);
* no list or dict is ever shared between Python code and ML code: ML reads and writes
  those with plain indexing, which no gate sees. What crosses either way — results,
  arguments, members, iterated items, a callback's arguments and result — is a copy with
  its items wrapped (or unwrapped), shared parts and cycles kept; in-place changes Python
  makes to an argument's copy are written back, wrapped, when the call returns. Every
  other container of Python's (sets, deques, dict views, ...) ML reaches only through a
  proxy.

docs/modules.md ("Python modules") lists what is allowed and why.
"""

import collections as _collections
import importlib as _importlib
import string as _string
import sys as _sys
import weakref as _weakref
from types import BuiltinMethodType as _BuiltinMethodType, FunctionType as _FunctionType
from types import MethodDescriptorType as _MethodDescriptorType, MethodType as _MethodType
from types import ModuleType as _ModuleType

from mlpy_runtime import access as _access
from mlpy_runtime import sandbox as _sandbox
from mlpy_runtime.errors import SecurityError
from mlpy_runtime.trust import is_ml_globals as _is_ml_globals

__mlpy_runtime__ = True

#: Top-level Python modules never importable from ML: the OS, files, processes, sockets,
#: the interpreter's internals and the runtime itself. The same list is in the resolver
#: (modules/src/stdlib.rs, `PYTHON_FORBIDDEN`); a test keeps them equal.
FORBIDDEN = frozenset((
    "__builtin__", "__main__", "abc", "asyncio", "atexit", "bdb", "builtins", "bz2", "cProfile",
    "code", "codecs", "codeop", "concurrent", "contextvars", "copyreg", "ctypes", "dbm",
    "debugpy", "dis", "distutils", "encodings", "ensurepip", "faulthandler", "fcntl", "filecmp",
    "fileinput", "ftplib", "gc", "genericpath", "getpass", "glob", "grp", "gzip", "http",
    "idlelib", "imaplib", "imp", "importlib", "inspect", "io", "linecache", "logging", "lzma",
    "mailbox", "marshal", "mlpy_runtime", "mmap", "modulefinder", "multiprocessing", "netrc",
    "nntplib", "nt", "ntpath", "opcode", "os", "pathlib", "pdb", "pickle", "pickletools",
    "pipes", "pkgutil", "platform", "poplib", "posix", "posixpath", "pty", "pwd", "py_compile",
    "pydoc", "queue", "readline", "resource", "rlcompleter", "runpy", "sched", "select",
    "selectors", "shelve", "shutil", "signal", "site", "smtplib", "socket", "socketserver",
    "spwd", "sqlite3", "ssl", "stat", "subprocess", "symtable", "sys", "sysconfig", "syslog",
    "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "threading", "timeit",
    "tkinter", "token", "tokenize", "trace", "traceback", "tracemalloc", "tty", "turtle",
    "types", "typing", "unittest", "urllib", "uu", "venv", "warnings", "weakref",
    "webbrowser", "wsgiref", "xmlrpc", "zipapp", "zipfile", "zipimport",
))

#: Members of audited modules that are refused: they read attributes or run code by name,
#: build code from text, start processes, or write into another module's globals.
AUDITED = {
    "operator": frozenset(("attrgetter", "methodcaller", "call")),
    "functools": frozenset(("update_wrapper", "wraps", "singledispatch",
                            "singledispatchmethod", "cached_property", "total_ordering")),
    "collections": frozenset(("namedtuple", "abc")),
    "string": frozenset(("Formatter", "Template")),
    "uuid": frozenset(("getnode", "uuid1")),
    # writes an enum's members into the globals of the module that created it, which
    # `enum` finds by looking at its caller's frame: the membrane's own
    "enum": frozenset(("global_enum",)),
}

#: Why a member of `AUDITED` is refused, where it is not the usual reason.
_AUDIT_REASON = "it reaches attributes or code by name"
_AUDIT_REASONS = {
    "uuid": "it may start a process",
    "enum": "it writes into the globals of the module whose code called it",
}

#: The callables `unwrap` made for ML functions and other values ML may call, to what
#: they stand for: handed back to ML, they are that value again.
_bridged = _weakref.WeakKeyDictionary()

#: Python module names the program imported (and their packages, traversable only).
_imported = set()
_packages = set()

_PLAIN = frozenset((type(None), bool, int, float, complex, str, bytes))


def is_forbidden(name):
    top = name.split(".")[0]
    # `pydev…`: the debugger's own modules (debugpy runs them from its folder, which the
    # sandbox lets trace and evaluate while `mlpy dap` debugs).
    return top in FORBIDDEN or top.startswith(("_", "pydev")) or not top


#: What Python raises to end the program (`sys.exit`, `argparse`'s `error`, `base64.main()`)
#: or to close a generator. Neither is an `Exception`: out of Python code ML called, ML's
#: `except` would not see it and the program would end with no ML error and no position.
#: `KeyboardInterrupt` is not here: it is the user's Ctrl-C, which ML must not catch.
_ENDINGS = (SystemExit, GeneratorExit)


def _ending_refused(ending):
    """The ML error for `ending`, a `SystemExit` or `GeneratorExit` of Python code."""
    code = getattr(ending, "code", None) if type(ending) is SystemExit else None
    if type(code) in (int, str):
        what = "%s(%r)" % (type(ending).__name__, code)
    else:
        what = type(ending).__name__
    return SecurityError("Python code tried to end the program (%s): only the ML program "
                         "ends itself" % what)


def _crossing(function):
    """`function`, a way into Python code, with `_ENDINGS` raised inside turned into an ML
    error. Every member of `PyValue` that runs Python code, `member` and `import_python`
    are made with it: the places where ML's calls cross into Python are these."""
    def crossing(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _ENDINGS as ending:
            raise _ending_refused(ending) from None
    crossing.__name__ = function.__name__
    crossing.__qualname__ = function.__qualname__
    crossing.__doc__ = function.__doc__
    return crossing


def _next_item(items):
    """`next(items)` of a Python iterator, `_ENDINGS` turned into an ML error as in
    `_crossing` (a generator's own `GeneratorExit`, when ML stops iterating, is thrown at
    its `yield`, never here)."""
    try:
        return next(items)
    except _ENDINGS as ending:
        raise _ending_refused(ending) from None


#: `iter(value)` of a Python value, guarded as `_crossing` says.
_iter_python = _crossing(iter)


@_crossing
def import_python(name, bind_top=False):
    """The Python module `name` behind the membrane. `bind_top`: `import a.b;` binds `a`,
    through which only `b` is reachable (unless `a` itself was imported)."""
    if name.__class__ is not str or is_forbidden(name):
        raise SecurityError("the Python module '%s' is never importable from ML" % (name,))
    module = _importlib.import_module(name)
    parts = name.split(".")
    _imported.add(name)
    for i in range(1, len(parts)):
        _packages.add(".".join(parts[:i]))
    if not _sandbox.LANGUAGE_LAYER:
        return _sys.modules[parts[0]] if bind_top else module
    if bind_top:
        return PyValue(_sys.modules[parts[0]])
    return PyValue(module)


def _refuse_reexported(modname, name, value):
    """A member is judged where it is defined too: a module that re-exports an audited
    member of another (`functools.namedtuple` is `collections.namedtuple`) does not make
    it available. C implementations count as their module (`_operator` as `operator`)."""
    home = getattr(value, "__module__", None)
    own = getattr(value, "__name__", None)
    if type(home) is not str or home == modname:
        return
    denied = AUDITED.get(home) or AUDITED.get(home.lstrip("_"))
    if denied is not None and (name in denied or (type(own) is str and own in denied)):
        raise SecurityError("'%s.%s' is not available to ML: it is '%s.%s', which reaches "
                            "attributes or code by name" % (modname, name, home, own or name))


def _module_member(module, name):
    modname = module.__name__
    if modname not in _imported:
        # a package reached on the way to an imported submodule
        full = modname + "." + name
        if full in _imported or full in _packages:
            return PyValue(_sys.modules[full])
        raise AttributeError("module '%s' has no accessible attribute '%s'" % (modname, name))
    denied = AUDITED.get(modname)
    if denied is not None and name in denied:
        raise SecurityError("'%s.%s' is not available to ML: %s"
                            % (modname, name, _AUDIT_REASONS.get(modname, _AUDIT_REASON)))
    value = getattr(module, name)
    _refuse_reexported(modname, name, value)
    if issubclass(type(value), _ModuleType):
        vname = value.__name__
        if vname in _imported or vname in _packages:
            return PyValue(value)
        raise SecurityError("the module '%s' was not imported by the program" % vname)
    return wrap(value)


@_crossing
def member(proxy, name):
    """`proxy.name` for ML: the membrane's attribute rule."""
    if name.__class__ is not str or name.startswith("_") or name in _access.REFLECTION_NAMES:
        raise SecurityError("Access to attribute '%s' of a Python value is forbidden" % (name,))
    target = object.__getattribute__(proxy, "_mlpy_target")
    if issubclass(type(target), _ModuleType):
        return _module_member(target, name)
    if not _defined_on(target, name):
        # `types.GenericAlias(x, …).name` is `x.name`, for any `x`: a member read there
        # would skip every rule of the object it reaches.
        raise SecurityError("'%s' is not an attribute that %s objects define themselves"
                            % (name, type(target).__name__))
    return wrap(getattr(target, name))


#: Methods of strings that read attributes and items by name (`"{0.x[y]}".format(v)`).
_FORMAT_METHODS = frozenset(("format", "format_map"))

#: The functions that format a text whose fields read attributes and items of the
#: arguments by name, to what ML must never hold: `str.format` and `str.format_map`
#: (unbound, as the `str` class or any subclass hands them out), and the Python functions
#: that call them with their caller's text (`collections.UserString.format`) or do what
#: they do (`string.Formatter`, refused by name too, but an instance may be held by another
#: object). Their bound forms are recognised by `_formats_by_name`.
_FORMATTERS = frozenset([str.format, str.format_map, _collections.UserString.format,
                         _collections.UserString.format_map, _string.Formatter.format,
                         _string.Formatter.vformat, _string.Formatter.get_field])


def _formats_by_name(value):
    """Whether `value` is a way to call `str.format` or `str.format_map` with a text of the
    caller's (`_FORMATTERS`, bound or not). Such a field walks from any argument to its
    module's globals (`"{0.__globals__[_sys].modules[os].environ}"`), past every gate: it
    is judged by what it is, not by the object it was read from (a subclass of `str`, the
    class itself, a re-export)."""
    t = type(value)
    if t is _BuiltinMethodType:
        # `"…".format`: a bound method of a string (its `__self__`, never forwarded)
        return value.__name__ in _FORMAT_METHODS and issubclass(type(value.__self__), str)
    if t is _MethodType:
        value = value.__func__
        t = type(value)
    if t is _MethodDescriptorType or t is _FunctionType:
        return value in _FORMATTERS
    return False


def _defined_on(target, name):
    """Whether Python defines `name` on `target` itself: in the namespace of its class or
    of one of the class's bases, in its own (for a class, its bases' too), or in its
    instance dictionary — not through a `__getattr__` that forwards to another object."""
    try:
        own = object.__getattribute__(target, "__dict__")
    except (AttributeError, TypeError):
        own = None
    if type(own) is dict and name in own:
        return True
    classes = type(target).__mro__
    if issubclass(type(target), type):
        classes = type.__getattribute__(target, "__mro__") + classes
    for klass in classes:
        if name in type.__getattribute__(klass, "__dict__"):
            return True
    return False


#: How deeply arrays, objects and tuples may nest to cross the membrane. Copying recurses
#: once per level: a limit well below Python's recursion limit leaves the program's own
#: calls room, and a deeper value gets this error, not a `RecursionError` somewhere.
MAX_DEPTH = 200

#: An object's identity as a number, for the copies' memo: `object.__hash__` is derived
#: from the address, so it is unique among objects alive at the same time (the memo keeps
#: every object it names alive). `id()` would say the same but raises an audit event.
_identity = object.__hash__


def _too_deep():
    return ValueError("a value nested more than %d deep cannot cross between ML and Python "
                      "code" % MAX_DEPTH)


def wrap(value):
    """A value coming out of Python code, made safe for ML. Types are read with `type()`:
    `__class__` is an attribute, which some objects forward (`types.GenericAlias`)."""
    t = type(value)
    if t in _PLAIN or t is PyValue:
        return value
    return _cross(value, {}, 0, _leaf_to_ml)


def unwrap(value):
    """A value going into Python code: plain data as it is, arrays and objects as copies
    (see `_cross`), proxies give their target back, and a function ML may call (an ML
    function, a builtin, a runtime function or method) becomes a Python callable that calls
    it through the gate, its arguments coming to ML wrapped (`re.sub` hands it a match
    object) and its result going back unwrapped. Anything else ML holds — a runtime or ML
    module, a runtime object — is never handed to Python code: Python would read it
    without the gates' rules."""
    if type(value) in _PLAIN:
        return value
    return _cross(value, {}, 0, _leaf_to_python)


def _cross(value, seen, depth, leaf):
    """`value` crossing the membrane, one way or the other (`leaf` converts what is not an
    array, object or tuple: `_leaf_to_ml`, `_leaf_to_python`).

    Lists and dicts are ML's to change with plain indexing, which no gate sees: each side
    gets its own copy, never the other's object, so nothing ML puts into one reaches Python
    code unconverted, and nothing one side keeps changes under the other. `seen` maps what
    this crossing converted (by identity) to what it became: shared parts are copied once,
    cycles stay cycles, and the results of a call, crossing with `seen` holding its
    arguments' copies the other way round, give ML its own values back."""
    t = type(value)
    if t in _PLAIN:
        return value
    key = _identity(value)
    hit = seen.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    if t is list:
        if depth >= MAX_DEPTH:
            raise _too_deep()
        copy = []
        seen[key] = (value, copy)
        depth += 1
        for item in value:
            copy.append(item if type(item) in _PLAIN else _cross(item, seen, depth, leaf))
        return copy
    if t is dict:
        if depth >= MAX_DEPTH:
            raise _too_deep()
        copy = {}
        seen[key] = (value, copy)
        depth += 1
        for k, v in value.items():
            copy[_cross(k, seen, depth, leaf)] = _cross(v, seen, depth, leaf)
        return copy
    if t is tuple:
        # immutable, but it may hold lists: rebuilt when an item changed
        if depth >= MAX_DEPTH:
            raise _too_deep()
        items = []
        same = True
        depth += 1
        for item in value:
            new = item if type(item) in _PLAIN else _cross(item, seen, depth, leaf)
            same = same and new is item
            items.append(new)
        copy = value if same else tuple(items)
        seen[key] = (value, copy)
        return copy
    return leaf(value, key, seen)


def _leaf_to_ml(value, key, seen):
    t = type(value)
    if t is PyValue:
        return value
    if _formats_by_name(value):
        raise SecurityError("%s is not available to ML: the fields of its text read "
                            "attributes and items by name" % _shown_formatter(value))
    if t is _FunctionType:
        if _is_ml_globals(value.__globals__):
            return value  # an ML function handed back
        original = _bridged.get(value)
        if original is not None:
            return original  # what `unwrap` made of an ML value, handed back
    return PyValue(value)


def _shown_formatter(value):
    name = getattr(value, "__qualname__", None)
    return "'%s'" % name if type(name) is str else "string formatting"


def _leaf_to_python(value, key, seen):
    t = type(value)
    if t is PyValue:
        target = object.__getattribute__(value, "_mlpy_target")
        seen[key] = (value, target)  # a call's result that is `target` is this proxy again
        return target
    if t is _FunctionType and _is_ml_globals(value.__globals__):
        def bridge(*args):
            return unwrap(value(*_args_to_ml(args)))
        _bridged[bridge] = value
        return bridge
    if _access.callable_allowed(value):
        def gated(*args):
            return unwrap(_access.call(value, *_args_to_ml(args)))
        _bridged[gated] = value
        return gated
    raise SecurityError("a %s cannot be handed to Python code" % type(value).__name__)


def _args_to_ml(args):
    """The arguments of a call from Python code into ML, wrapped as one crossing."""
    seen = {}
    return [a if type(a) in _PLAIN else _cross(a, seen, 0, _leaf_to_ml) for a in args]


def call_python(function, args):
    """`function(*args)`, a call of Python code from ML. The arguments cross as copies;
    when the call returns, what Python changed in place in a copy of an array or object
    (`random.shuffle`) is written back, wrapped, into ML's own, and a result that is one of
    the copies (or a proxy's target) is ML's value again."""
    seen = {}
    py_args = [a if type(a) in _PLAIN else _cross(a, seen, 0, _leaf_to_python) for a in args]
    if not seen:
        return wrap(function(*py_args))
    before = [(ml, py, _contents(py)) for ml, py in seen.values()
              if type(ml) is list or type(ml) is dict]
    result = function(*py_args)
    back = {_identity(py): (py, ml) for ml, py in seen.values()}
    changed = [(ml, py) for ml, py, contents in before if not _unchanged(py, contents)]
    # every new content is computed before any is written: the copies read are Python's
    news = [[_cross(item, back, 0, _leaf_to_ml) for item in py] if type(py) is list else
            [(_cross(k, back, 0, _leaf_to_ml), _cross(v, back, 0, _leaf_to_ml))
             for k, v in py.items()]
            for ml, py in changed]
    for (ml, _), new in zip(changed, news):
        if type(ml) is list:
            ml[:] = new
        else:
            ml.clear()
            ml.update(new)
    return _cross(result, back, 0, _leaf_to_ml)


def _contents(container):
    """What `container` holds now, to tell later whether Python changed it."""
    return tuple(container) if type(container) is list else tuple(container.items())


def _unchanged(container, contents):
    """Whether `container` holds what `_contents` saw, compared by identity: no `__eq__` of
    the values runs."""
    if len(container) != len(contents):
        return False
    if type(container) is list:
        for now, then in zip(container, contents):
            if now is not then:
                return False
        return True
    for (k, v), (k0, v0) in zip(container.items(), contents):
        if k is not k0 or v is not v0:
            return False
    return True


def _target(proxy):
    return object.__getattribute__(proxy, "_mlpy_target")


class PyValue:
    """A Python module, function or object seen from ML. Python's own operators (printing,
    `len`, iteration, indexing, arithmetic, comparisons) go to the target with unwrapped
    arguments and wrapped results; attributes only through `member` (access.attr)."""

    __slots__ = ("_mlpy_target",)
    __mlpy_membrane__ = True

    def __init__(self, target):
        object.__setattr__(self, "_mlpy_target", target)

    def __getattribute__(self, name):
        # Emitted code reads members through access.attr; Python-level reads of anything but
        # the dunders Python itself needs are refused.
        if name.startswith("__") and name.endswith("__") and name in _PROXY_DUNDERS:
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def __setattr__(self, name, value):
        raise SecurityError("Python values are read-only from ML")

    def __call__(self, *args):
        return call_python(_target(self), args)

    def __repr__(self):
        return repr(_target(self))

    def __str__(self):
        return str(_target(self))

    def __len__(self):
        return len(_target(self))

    def __iter__(self):
        items = _iter_python(_target(self))
        while True:
            try:
                item = _next_item(items)
            except StopIteration:
                return
            yield wrap(item)

    def __contains__(self, item):
        return unwrap(item) in _target(self)

    def __getitem__(self, key):
        return wrap(_target(self)[unwrap(key)])

    def __setitem__(self, key, value):
        _target(self)[unwrap(key)] = unwrap(value)

    def __bool__(self):
        return bool(_target(self))

    def __hash__(self):
        return hash(_target(self))

    def __index__(self):
        return _target(self).__index__()

    def __int__(self):
        return int(_target(self))

    def __float__(self):
        return float(_target(self))


def _binary(op):
    def forward(self, other):
        return wrap(op(_target(self), unwrap(other)))
    return forward


def _reflected(op):
    def forward(self, other):
        return wrap(op(unwrap(other), _target(self)))
    return forward


def _unary(op):
    def forward(self):
        return wrap(op(_target(self)))
    return forward


def _install_operators():
    import operator as o
    for name, op in (("add", o.add), ("sub", o.sub), ("mul", o.mul), ("truediv", o.truediv),
                     ("floordiv", o.floordiv), ("mod", o.mod), ("pow", o.pow),
                     ("and", o.and_), ("or", o.or_), ("xor", o.xor), ("lshift", o.lshift),
                     ("rshift", o.rshift), ("matmul", o.matmul)):
        setattr(PyValue, "__%s__" % name, _binary(op))
        setattr(PyValue, "__r%s__" % name, _reflected(op))
    for name, op in (("eq", o.eq), ("ne", o.ne), ("lt", o.lt), ("le", o.le), ("gt", o.gt),
                     ("ge", o.ge)):
        setattr(PyValue, "__%s__" % name, _binary(op))
    for name, op in (("neg", o.neg), ("pos", o.pos), ("abs", abs), ("invert", o.invert)):
        setattr(PyValue, "__%s__" % name, _unary(op))


_install_operators()


def _guard_members(klass):
    """Every method of `klass` that runs the target's code, made with `_crossing` (its
    `__iter__` guards each step itself: a generator function's call runs none of it)."""
    for name, value in list(vars(klass).items()):
        if type(value) is _FunctionType and name not in ("__init__", "__getattribute__",
                                                         "__setattr__", "__iter__"):
            setattr(klass, name, _crossing(value))


_guard_members(PyValue)

#: the dunders Python looks up on the proxy itself
_PROXY_DUNDERS = frozenset((n for n in vars(PyValue) if n.startswith("__") and n.endswith("__")
                           and n not in ("__dict__", "__module__", "__qualname__", "__doc__",
                                         "__slots__", "__weakref__", "__init__"))) | {"__class__"}
