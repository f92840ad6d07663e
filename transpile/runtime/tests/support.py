"""Shared helpers for the runtime tests: paths, granted capabilities, running programs."""

import os
import shutil
import subprocess
import sys
import tempfile

TESTS = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(TESTS)

GRANTS = ("console math regex json datetime random collections functional file path http env "
          "args crypto csv log").split()

if RUNTIME not in sys.path:
    sys.path.insert(0, RUNTIME)

from mlpy_runtime import trust as _trust  # noqa: E402  (needs the path above)


def run_python(main, pythonpath, cwd=None, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    env.pop("PYTHONSTARTUP", None)
    return subprocess.run([sys.executable, main], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="mlpy-rt-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


#: globals of functions that stand for ML functions in tests, registered as ML code's
#: (`mlpy_runtime.trust`) as the runtime registers an ML module's
ML_GLOBALS = {"__mlpy_module__": True, "__name__": "ml_test_module"}
_trust.add(ML_GLOBALS)


def ml_globals(**extra):
    """A fresh globals dictionary registered as ML code's."""
    g = {"__mlpy_module__": True, "__name__": "ml_test_module"}
    g.update(extra)
    _trust.add(g)
    return g


def ml(f):
    """The Python function `f` as if it were defined in ML code (emitted module globals)."""
    import types
    return types.FunctionType(f.__code__, ML_GLOBALS, f.__name__, f.__defaults__, f.__closure__)
