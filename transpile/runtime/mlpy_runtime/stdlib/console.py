"""console: output to stdout and stderr. Arguments print with Python's `str` (booleans as
`True`/`False`), separated by spaces."""

import sys

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Console output and logging"


@ml_function("Log messages to stdout", ["console.write"])
def log(*args):
    print(*args)


@ml_function("Log info messages to stdout", ["console.write"])
def info(*args):
    print("INFO:", *args)


@ml_function("Log debug messages to stdout", ["console.write"])
def debug(*args):
    print("DEBUG:", *args)


@ml_function("Log error messages to stderr", ["console.error"])
def error(*args):
    sys.stdout.flush()
    print(*args, file=sys.stderr)


@ml_function("Log warning messages to stderr", ["console.error"])
def warn(*args):
    sys.stdout.flush()
    print("WARNING:", *args, file=sys.stderr)


__all__ = ["log", "info", "debug", "error", "warn"]
