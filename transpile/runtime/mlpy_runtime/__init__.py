"""mlpy_runtime: the Python package that code emitted by mlpy imports.

The contract with the emitter (docs/architecture.md, "mlpy_runtime"):

    attr, mcall, call, pystr          member reads, method calls, calls of values, `+` coercion
    sliceable                         the receiver of a slice (`sliceable(a)[i:j]`)
    undefined                         a call of a function the program does not define
    MLError, MLUserException          `throw {...}` raises MLUserException(dict)
    SecurityError, CapabilityError    refused accesses and missing grants
    grant                             capabilities granted to this process
    arm                               seal the grants, install the audit hook (sandbox.py)
    define_module, run_main           run an ML module's / the entry's body in the closed
                                      namespace (modules.py)
    declare_module                    single-file output: a module run at its first import
    register_modules                  the program's ML modules (what emitted imports may load)
    import_python                     a Python module of `stdlib_mode: "python"`, behind
                                      the membrane (membrane.py)
    INF, NAN                          float literals that are not finite
    source_map, install_excepthook    ML positions in uncaught-exception reports
    MLObject, ml_function             base class and decorator used by the standard library

Builtins live in `mlpy_runtime.builtins`, the standard library in `mlpy_runtime.stdlib.<name>`.
"""

from mlpy_runtime import compat as _compat
from mlpy_runtime.errors import CapabilityError, MLError, MLUserException, SecurityError
from mlpy_runtime.capabilities import grant, ml_function
from mlpy_runtime.objects import MLObject
from mlpy_runtime.access import attr, call, mcall, pystr, sliceable, undefined
from mlpy_runtime.modules import declare_module, define_module, register_modules, run_main
from mlpy_runtime.sandbox import arm
from mlpy_runtime.tracebacks import install_excepthook, source_map

__mlpy_runtime__ = True


def import_python(name, bind_top=False):
    """A Python module behind the membrane (membrane.py, loaded on first use)."""
    from mlpy_runtime.membrane import import_python as load
    return load(name, bind_top)


# ML converts integers of at most 4300 digits to and from text, whatever the environment
# says (compat.py).
_compat.pin_int_digits()

INF = float("inf")
NAN = float("nan")
__version__ = "0.1.0"

__all__ = [
    "attr", "mcall", "call", "pystr", "sliceable", "undefined",
    "MLError", "MLUserException", "SecurityError", "CapabilityError",
    "grant", "arm", "declare_module", "define_module", "run_main", "register_modules", "import_python",
    "source_map", "install_excepthook", "INF", "NAN",
    "MLObject", "ml_function",
]
