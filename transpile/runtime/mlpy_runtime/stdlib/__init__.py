"""The 17 ML standard-library modules. Each is imported on first use:
`from mlpy_runtime.stdlib import math`."""

__mlpy_runtime__ = True

#: every standard-library module name
MODULES = (
    "args", "collections", "console", "crypto", "csv", "datetime", "env", "file",
    "functional", "http", "json", "log", "math", "path", "random", "regex", "testing",
)
