"""`define_module`, `declare_module` and `run_main`: every emitted module's ML code is a function body that
runs here, with the module's dictionary as globals and the sandbox's closed namespace as
its builtins (so that no ML name can resolve to a Python builtin)."""

import sys
import types

from mlpy_runtime import sandbox as _sandbox
from mlpy_runtime import trust as _trust

__mlpy_runtime__ = True


def _new_module(name, package, ml_name=None):
    mod = types.ModuleType(name)
    _make_ml(mod, ml_name)
    if package:
        mod.__path__ = []
    return mod


def _make_ml(mod, ml_name=None):
    mod.__builtins__ = _sandbox.namespace()
    _trust.add(mod.__dict__)
    _trust.as_ml_module(mod, ml_name)


def _attach(name, mod):
    parent_name, _, leaf = name.rpartition(".")
    if parent_name:
        parent = sys.modules.get(parent_name)
        if parent is not None and _trust.is_ml_module(parent):
            setattr(parent, leaf, mod)


class ModuleNameTaken(ImportError):
    """An ML module's Python name is another module's. Reported as its message alone: it
    is raised by the glue before any ML line runs, so there is no ML position to show."""

    plain_report = True


def _taken(name, mod):
    """The error for an ML module whose Python name a module loaded by something else (a
    `.pth` file, `sitecustomize`, the interpreter) already has: ML code never runs in, nor
    reaches, a module it did not define."""
    where = mod.__dict__.get("__file__") if type(mod) is types.ModuleType else None
    where = " from %s" % where if where.__class__ is str else ""
    return ModuleNameTaken(
        "the ML module '%s' has the name of a Python module that was loaded before the "
        "program started ('%s'%s): rename the ML module" % (name, name, where))


def register_modules(names):
    """Declare the Python names of the program's ML modules (the entry module's glue, before
    any of them is imported): a name some other code already loaded is an error, since
    Python's import would hand that module to the program instead of the ML one."""
    for name in names:
        for prefix in _sandbox.dotted_prefixes(name):
            existing = sys.modules.get(prefix)
            if existing is not None and not _trust.is_ml_module(existing):
                raise _taken(prefix, existing)
    _sandbox.register_modules(names)


def declare_module(name, body, ml_name=None):
    """Single-file output: the ML module `name` is `body`, run by `define_module` at the first
    emitted `import` that reaches it, as a module file of multi-file output runs when it is
    first imported: the code above that import runs first. Declared before any ML code runs,
    so a name something else already loaded is refused then (`register_modules`)."""
    register_modules([name])
    _sandbox.declare_module(name, lambda: define_module(name, body, ml_name))


def define_module(name, body, ml_name=None):
    """Create module `name` (and its parent packages), register it in `sys.modules` and run
    `body` with the module's dictionary as globals. The body runs once: defining a module that
    already ran does nothing. Returns the module. In multi-file output `name` is the module
    being imported (`__name__` of the emitted file), which defines itself: the one module
    not created here that may become an ML module. Any other module already registered under
    `name` or a parent's name is an error (`_taken`). `ml_name` is the module's name in ML
    when it is not `name` (`string` for `ml_string`, a remote module's URL): what printing
    the module shows."""
    _sandbox.register_modules([name])
    for pname in _sandbox.dotted_prefixes(name)[:-1]:
        parent = sys.modules.get(pname)
        if parent is None:
            sys.modules[pname] = _new_module(pname, True)
            _attach(pname, sys.modules[pname])
        elif not _trust.is_ml_module(parent):
            raise _taken(pname, parent)
    mod = sys.modules.get(name)
    if mod is None:
        mod = _new_module(name, False, ml_name)
        sys.modules[name] = mod
        _attach(name, mod)
    elif _trust.is_ml_module(mod):
        if mod.__dict__.get("__mlpy_defined__"):
            return mod
    elif type(mod) is types.ModuleType and mod.__dict__ is body.__globals__:
        _make_ml(mod, ml_name)  # an emitted file defining itself (multi-file output)
        _attach(name, mod)
    else:
        raise _taken(name, mod)
    mod.__mlpy_defined__ = True
    _trust.as_ml_module(mod, ml_name)  # also a package made as a parent before
    code = body.__code__
    mod.__dict__.setdefault("__file__", code.co_filename)
    fn = types.FunctionType(code, mod.__dict__, body.__name__, body.__defaults__, body.__closure__)
    try:
        fn()
    except BaseException:
        # like a failed import: the module does not stay registered half-initialised
        if sys.modules.get(name) is mod:
            del sys.modules[name]
        raise
    return mod


def main_function(body, glue):
    """The entry module's body as a function with the closed namespace as builtins, in
    fresh globals that hold only the glue's names (`__ml`, `__file__`): the entry file's
    own globals keep Python's builtins for the glue (single-file output's embedded-runtime
    loader runs later, and on Python 3.9 a function takes its builtins from its globals
    when called). Returns the function and its globals."""
    g = {
        "__name__": glue.get("__name__", "__main__"),
        "__file__": glue.get("__file__"),
        "__ml": glue["__ml"],
        "__builtins__": _sandbox.namespace(),
    }
    _trust.add(g)
    code = body.__code__
    return types.FunctionType(code, g, body.__name__, body.__defaults__, body.__closure__), g


def run_main(body):
    """Run the entry module's body (see `main_function`)."""
    main_function(body, body.__globals__)[0]()
