"""Which globals dictionaries hold ML code: the one fact the call gate, the attribute gate
and the membrane trust a function or a module by.

A dictionary is ML code's when the runtime made it for an ML module (`modules.py`), for the
entry module's body, or for a REPL session, or when an emitted file defined itself as an ML
module. The registry is by identity and lives here, out of reach of ML code: a name in a
dictionary (`__mlpy_module__`) only says what the emitted glue meant, and a module some
other code created never becomes ML code's by carrying one.
"""

from types import ModuleType as _ModuleType

__mlpy_runtime__ = True

#: id(globals) -> globals, for every ML globals dictionary (kept alive here: an ML
#: module lives as long as the program).
_ML_GLOBALS = {}


def add(globals_dict):
    """Registers `globals_dict` as an ML module's globals."""
    _ML_GLOBALS[id(globals_dict)] = globals_dict


def remove(globals_dict):
    """Forgets `globals_dict` (a REPL session's `.clear`)."""
    if _ML_GLOBALS.get(id(globals_dict)) is globals_dict:
        del _ML_GLOBALS[id(globals_dict)]


def is_ml_globals(globals_dict):
    """Whether `globals_dict` is an ML module's globals."""
    return _ML_GLOBALS.get(id(globals_dict)) is globals_dict


def is_ml_module(module):
    """Whether `module` is an ML module (its dictionary is registered)."""
    if type(module) is not _ModuleType:
        return False
    d = module.__dict__
    return _ML_GLOBALS.get(id(d)) is d
