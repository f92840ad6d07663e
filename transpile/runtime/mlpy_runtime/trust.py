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


class module(_ModuleType):
    """The class of the modules ML code holds (its own modules, `builtin` and the standard
    library's, set by `modules.py` and `sandbox.py`): printed, such a module shows its ML
    name and an address, `<module 'geometry.shapes' at 0x7f…>`, never the place of the
    Python file it was loaded from (a cache folder of `mlpy run`, the embedded runtime of
    single-file output) nor the runtime's or a renamed module's Python name
    (`mlpy_runtime.stdlib.math`, `ml_string`). Named `module`, as Python's own class is, so
    that messages naming a value's type (`Cannot call object of type 'module'`) stay."""

    def __repr__(self):
        d = _ModuleType.__getattribute__(self, "__dict__")
        name = d.get("__mlpy_name__")
        if name.__class__ is not str:
            name = d.get("__name__")
            name = name if name.__class__ is str else "?"
        return "<module '%s' at %#x>" % (name, id(self))


def as_ml_module(mod, ml_name=None):
    """Gives the module `mod` the class `module` (its ML name `ml_name` when its Python name
    differs: `ml_string` for `string`, `mlpy_runtime.stdlib.math` for `math`)."""
    if type(mod) is _ModuleType:
        mod.__class__ = module
    if ml_name is not None:
        mod.__mlpy_name__ = ml_name


def is_ml_module(module_):
    """Whether `module_` is an ML module (its dictionary is marked)."""
    if type(module_) is not _ModuleType and type(module_) is not module:
        return False
    return module_.__dict__.get("__mlpy_module__") is TOKEN
