"""Source maps from emitted Python lines to ML lines, and the ML excepthook.

`source_map(py_file, ml_files, lines)`: `lines` has one comma-separated item per Python line
of `py_file`: empty (no ML origin), `L` (line L of `ml_files[0]`) or `F:L` (line L of
`ml_files[F]`). Items are parsed lazily, when a traceback is shown.

`install_excepthook()`: an uncaught exception prints to stderr `FILE.ml:LINE: message` for the
innermost frame with an ML origin, then `ML traceback (most recent call last):` and one
`  FILE.ml:LINE in FUNCTION` line per mapped frame, and the process exits with status 1.
Without any mapped frame Python's default hook runs.
"""

import keyword
import os
import sys

from mlpy_runtime.errors import MLUserException

__mlpy_runtime__ = True

# normalised python path -> [ml_files, raw lines text, parsed list or None]
_maps = {}


def _norm(path):
    return os.path.normcase(os.path.abspath(path))


def source_map(py_file, ml_files, lines):
    """Register the ML origin of each line of `py_file`."""
    _maps[_norm(py_file)] = [list(ml_files), lines, None]


def lookup(py_file, py_line):
    """(ml_file, ml_line) for a Python file and 1-based line, or None."""
    entry = _maps.get(_norm(py_file))
    if entry is None:
        real = os.path.realpath(py_file)
        for key, value in _maps.items():
            if os.path.realpath(key) == real:
                entry = value
                break
        if entry is None:
            return None
    files, raw, parsed = entry
    if parsed is None:
        parsed = entry[2] = raw.split(",") if raw else []
    if py_line < 1 or py_line > len(parsed):
        return None
    item = parsed[py_line - 1].strip()
    if not item:
        return None
    if ":" in item:
        f, _, l = item.partition(":")
        fi, li = int(f), int(l)
    else:
        fi, li = 0, int(item)
    if fi >= len(files):
        return None
    return files[fi], li


def _function_name(code_name):
    if code_name.startswith("__module_"):
        return "<module>"
    if code_name.startswith("ml_") and keyword.iskeyword(code_name[3:]):
        return code_name[3:]
    return code_name


def ml_frames(tb):
    """Mapped frames of a traceback, outermost first: (ml_file, ml_line, function)."""
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        hit = lookup(code.co_filename, tb.tb_lineno)
        if hit is not None:
            frames.append((hit[0], hit[1], _function_name(code.co_name)))
        tb = tb.tb_next
    return frames


def format_message(exc):
    if isinstance(exc, MLUserException):
        return str(exc)
    return "%s: %s" % (type(exc).__name__, exc)


def format_ml_traceback(exc, tb):
    """The text the hook prints, or None when no frame has an ML origin."""
    frames = ml_frames(tb)
    if not frames:
        return None
    file, line, _ = frames[-1]
    out = ["%s:%d: %s" % (file, line, format_message(exc)),
           "ML traceback (most recent call last):"]
    for f, l, fn in frames:
        out.append("  %s:%d in %s" % (f, l, fn))
    return "\n".join(out) + "\n"


def _hook(exc_type, exc, tb):
    if not isinstance(exc, Exception):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        text = format_ml_traceback(exc, tb)
    except Exception:
        text = None
    if text is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        sys.stdout.flush()
    except Exception:
        pass
    sys.stderr.write(text)
    sys.stderr.flush()
    # the interpreter exits with status 1 after an uncaught exception


def install_excepthook():
    """Show uncaught exceptions with ML file:line positions."""
    sys.excepthook = _hook
