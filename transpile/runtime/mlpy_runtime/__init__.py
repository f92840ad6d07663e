"""mlpy_runtime: the Python package that code emitted by mlpy imports.

The contract with the emitter (docs/architecture.md, "mlpy_runtime"):

    attr, mcall, call, pystr          member reads, method calls, calls of values, `+` coercion
    undefined                         a call of a function the program does not define
    MLError, MLUserException          `throw {...}` raises MLUserException(dict)
    SecurityError, CapabilityError    refused accesses and missing grants
    grant                             capabilities granted to this process
    define_module                     single-file output: define an ML user module
    source_map, install_excepthook    ML positions in uncaught-exception reports
    MLObject, ml_function             base class and decorator used by the standard library

Builtins live in `mlpy_runtime.builtins`, the standard library in `mlpy_runtime.stdlib.<name>`.
"""

from mlpy_runtime.errors import CapabilityError, MLError, MLUserException, SecurityError
from mlpy_runtime.capabilities import grant, ml_function
from mlpy_runtime.objects import MLObject
from mlpy_runtime.access import attr, call, mcall, pystr, undefined
from mlpy_runtime.modules import define_module
from mlpy_runtime.tracebacks import install_excepthook, source_map

__mlpy_runtime__ = True
__version__ = "0.1.0"

__all__ = [
    "attr", "mcall", "call", "pystr", "undefined",
    "MLError", "MLUserException", "SecurityError", "CapabilityError",
    "grant", "define_module", "source_map", "install_excepthook",
    "MLObject", "ml_function",
]
