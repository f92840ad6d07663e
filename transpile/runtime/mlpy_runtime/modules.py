"""`define_module` and `run_main`: every emitted module's ML code is a function body that
runs here, with the module's dictionary as globals and the sandbox's closed namespace as
its builtins (so that no ML name can resolve to a Python builtin)."""

import sys
import types

from mlpy_runtime import sandbox as _sandbox

__mlpy_runtime__ = True


def _new_module(name, package):
    mod = types.ModuleType(name)
    mod.__mlpy_module__ = True
    mod.__builtins__ = _sandbox.namespace()
    if package:
        mod.__path__ = []
    return mod


def _attach(name, mod):
    parent_name, _, leaf = name.rpartition(".")
    if parent_name:
        parent = sys.modules.get(parent_name)
        if parent is not None:
            setattr(parent, leaf, mod)


def define_module(name, body):
    """Create module `name` (and its parent packages), register it in `sys.modules` and run
    `body` with the module's dictionary as globals. The body runs once: defining a module that
    already ran does nothing. Returns the module. In multi-file output `name` is the module
    being imported (`__name__` of the emitted file)."""
    _sandbox.register_modules([name])
    parts = name.split(".")
    for i in range(1, len(parts)):
        pname = ".".join(parts[:i])
        if pname not in sys.modules:
            sys.modules[pname] = _new_module(pname, True)
            _attach(pname, sys.modules[pname])
    mod = sys.modules.get(name)
    if mod is None:
        mod = _new_module(name, False)
        sys.modules[name] = mod
        _attach(name, mod)
    elif mod.__dict__.get("__mlpy_defined__"):
        return mod
    else:
        mod.__mlpy_module__ = True
        mod.__builtins__ = _sandbox.namespace()
        _attach(name, mod)
    mod.__mlpy_defined__ = True
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
        "__mlpy_module__": True,
        "__builtins__": _sandbox.namespace(),
    }
    code = body.__code__
    return types.FunctionType(code, g, body.__name__, body.__defaults__, body.__closure__), g


def run_main(body):
    """Run the entry module's body (see `main_function`)."""
    main_function(body, body.__globals__)[0]()
