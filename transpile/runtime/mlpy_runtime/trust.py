"""Which globals dictionaries hold ML code: the one fact the call gate, the attribute gate
and the membrane trust a function or a module by.

A dictionary is ML code's when the runtime made it for an ML module (`modules.py`), for the
entry module's body, or for a REPL session, or when an emitted file defined itself as an ML
module. The runtime marks such a dictionary by storing, under `__mlpy_module__`, a token
object that lives only here: the gates compare by identity (`is TOKEN`), one dictionary
lookup on the call gate's hot path. ML code cannot read the name (dunder names are renamed
and refused), and the `True` the emitted glue writes there, or anything another module
sets, is not the token: a module some other code created never becomes ML code's by
carrying the name.
"""

from types import ModuleType as _ModuleType

__mlpy_runtime__ = True

#: The mark of an ML globals dictionary.
TOKEN = object()


def add(globals_dict):
    """Marks `globals_dict` as an ML module's globals."""
    globals_dict["__mlpy_module__"] = TOKEN


def remove(globals_dict):
    """Unmarks `globals_dict` (a REPL session's `.clear`)."""
    if globals_dict.get("__mlpy_module__") is TOKEN:
        globals_dict["__mlpy_module__"] = None


def is_ml_globals(globals_dict):
    """Whether `globals_dict` is an ML module's globals."""
    return globals_dict.get("__mlpy_module__") is TOKEN


def is_ml_module(module):
    """Whether `module` is an ML module (its dictionary is marked)."""
    if type(module) is not _ModuleType:
        return False
    return module.__dict__.get("__mlpy_module__") is TOKEN
