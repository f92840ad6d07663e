"""`define_module`: single-file output defines each ML user module from a function body."""

import builtins as _py_builtins
import sys
import types

__mlpy_runtime__ = True


def _new_module(name, package):
    mod = types.ModuleType(name)
    mod.__mlpy_module__ = True
    mod.__builtins__ = _py_builtins
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
    already ran does nothing. Returns the module."""
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
        mod.__builtins__ = _py_builtins
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
