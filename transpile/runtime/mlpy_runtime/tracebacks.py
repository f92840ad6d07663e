"""Source maps from emitted Python lines to ML lines, and the ML excepthook.

`source_map(py_file, ml_files, lines)`: `lines` has one comma-separated item per Python line
of `py_file`: empty (no ML origin), `L` (line L of `ml_files[0]`) or `F:L` (line L of
`ml_files[F]`); `~N` stands for N consecutive lines without an ML origin. Items are parsed
lazily, when a traceback is shown.

The emitter writes the `source_map` call as the module's last line; when a module fails before
reaching it, the hook reads the same call from the file (one line, literal arguments).

`install_excepthook()`: an uncaught exception prints to stderr `FILE.ml:LINE: message` for the
innermost frame with an ML origin, then `ML traceback (most recent call last):` and one
`  FILE.ml:LINE in FUNCTION` line per mapped frame, and the process exits with status 1.
Ctrl-C (KeyboardInterrupt) prints `FILE.ml:LINE: interrupted` and the same traceback, and
the process ends by SIGINT, as Python's does.
Without any mapped frame Python's default hook runs. Writing the report never fails: a
message that cannot be turned into text (`throw {message: 10 ** 5000}`) is replaced by a
stand-in (`shown`).
"""

import os
import sys

from mlpy_runtime.compat import error_type_name, function_name, message
from mlpy_runtime.errors import MLUserException

__mlpy_runtime__ = True

# normalised python path -> [ml_files, raw lines text, parsed list or None]
_maps = {}


def _norm(path):
    return os.path.normcase(os.path.abspath(path))


def source_map(py_file, ml_files, lines):
    """Register the ML origin of each line of `py_file`."""
    _maps[_norm(py_file)] = [list(ml_files), lines, None]


_MARKER = ".source_map(__file__,"


def _map_from_file(py_file):
    """Read the map from the file's own `source_map(__file__, [...], "...")` line: the call
    sits at the end of an emitted module, so it has not run yet when the module's top-level
    code fails. Returns an entry or None."""
    try:
        with open(py_file, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    at = text.rfind(_MARKER)
    if at < 0:
        return None
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start:end if end >= 0 else len(text)].strip()
    try:
        import ast  # only when a traceback is shown

        call = ast.parse(line, mode="eval").body
        files = ast.literal_eval(call.args[1])
        lines = ast.literal_eval(call.args[2])
    except (SyntaxError, ValueError, AttributeError, IndexError):
        return None
    if not isinstance(lines, str) or not isinstance(files, (list, tuple)):
        return None
    return [list(files), lines, None]


def _expand(raw):
    """The items of a map text; `~N` stands for N lines without an ML origin."""
    if not raw:
        return []
    items = raw.split(",")
    if "~" not in raw:
        return items
    out = []
    for item in items:
        if item.startswith("~"):
            out.extend([""] * int(item[1:]))
        else:
            out.append(item)
    return out


def lookup(py_file, py_line):
    """(ml_file, ml_line) for a Python file and 1-based line, or None."""
    key = _norm(py_file)
    entry = _maps.get(key)
    if entry is None:
        real = os.path.realpath(py_file)
        for k, value in _maps.items():
            if value is not None and os.path.realpath(k) == real:
                entry = value
                break
        if entry is None:
            if key in _maps:
                return None
            entry = _maps[key] = _map_from_file(py_file)
            if entry is None:
                return None
    files, raw, parsed = entry
    if parsed is None:
        parsed = entry[2] = _expand(raw)
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
    if code_name.startswith(("__module_", "__main_body", "__mlpy_body")):
        return "<module>"
    return function_name(code_name)


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
    """The message of an uncaught exception: what the program threw, or `Type: message`.
    Never fails, whatever the exception holds."""
    if isinstance(exc, MLUserException):
        return shown(exc)
    text = shown(exc, as_message=True)
    # an error without a message (`MemoryError`) is its type alone, as Python shows it
    return "%s: %s" % (type_name(exc), text) if text else type_name(exc)


def shown(value, as_message=False):
    """`str(value)` (or, `as_message`, `message(value)`: an exception's text as ML shows
    it) for a report that must be written whatever the value is: text that cannot be made
    (an integer past the digit limit, an object whose `__str__` raises) is replaced by a
    stand-in saying why, never an exception."""
    try:
        text = message(value) if as_message else str(value)
        # a `str` subclass could format itself again when written
        return text if type(text) is str else str.__str__(text)
    except Exception as e:
        try:
            why = "%s: %s" % (type_name(e), message(e))
        except Exception:
            why = type_name(e)
        return "<the message cannot be shown: %s>" % why


def type_name(value):
    """The name of `value`'s type, read from the type itself (a metaclass could answer
    `__name__` with anything), as ML names renamed error classes (`compat.error_type_name`)."""
    return error_type_name(type.__dict__["__name__"].__get__(type(value)))


#: Identical consecutive frames shown before the rest are counted, as Python does.
REPEATS_SHOWN = 3


def frame_lines(frames):
    """The traceback's lines for `frames`: a run of one frame repeated (a deep recursion)
    shows it three times, then `[Previous line repeated N more times]`, as Python does."""
    out = []
    previous, count = None, 0
    for frame in frames:
        if frame == previous:
            count += 1
        else:
            _flush_repeats(out, count)
            previous, count = frame, 1
        if count <= REPEATS_SHOWN:
            out.append("  %s:%d in %s" % frame)
    _flush_repeats(out, count)
    return out


def _flush_repeats(out, count):
    if count > REPEATS_SHOWN:
        more = count - REPEATS_SHOWN
        out.append("  [Previous line repeated %d more time%s]" % (more, "" if more == 1 else "s"))


def format_ml_traceback(exc, tb):
    """The text the hook prints, or None when no frame has an ML origin."""
    frames = ml_frames(tb)
    if not frames:
        return None
    return _report(frames, format_message(exc))


def _report(frames, message, start=""):
    """`FILE.ml:LINE: message` at the innermost of `frames` (after `start`), then the ML
    traceback."""
    file, line, _ = frames[-1]
    out = ["%s%s:%d: %s" % (start, file, line, message),
           "ML traceback (most recent call last):"]
    out.extend(frame_lines(frames))
    return "\n".join(out) + "\n"


def discard_output():
    """Sends what is printed from now on nowhere: the reader of stdout went away (`mlpy run
    prog | head`), and later writes (Python's own flush at exit included) must not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def format_interrupt(tb):
    """What Ctrl-C prints: where the program was, in ML terms (Python's own report would
    show the runtime's frames), or only `interrupted` outside ML code. Starts on a line
    of its own on a terminal, where the `^C` echoed is still on the line."""
    try:
        frames = ml_frames(tb)
    except Exception:
        frames = None
    try:
        fresh_line = "\n" if sys.stderr.isatty() else ""
    except Exception:
        fresh_line = ""
    if not frames:
        return fresh_line + "interrupted\n"
    return _report(frames, "interrupted", fresh_line)


def _hook(exc_type, exc, tb):
    if isinstance(exc, BrokenPipeError):
        # The reader of stdout went away (`mlpy run prog | head`): stop quietly.
        discard_output()
        return
    if isinstance(exc, KeyboardInterrupt):
        # The interpreter still ends by SIGINT afterwards, as Python does (a shell running
        # a loop of programs stops too).
        text = format_interrupt(tb)
        try:
            sys.stdout.flush()
        except Exception:
            pass
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except Exception:
            pass
        return
    if not isinstance(exc, Exception):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        text = format_ml_traceback(exc, tb)
    except Exception:
        text = None
    if text is None and getattr(exc_type, "plain_report", False) is True:
        text = "%s: %s\n" % (type_name(exc), shown(exc))
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
