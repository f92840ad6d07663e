"""The driver of `mlpy test`: runs the test functions of one emitted ML test file in this
process and reports each result as one JSON line on a channel of its own (never the
program's stdout, which the tests' own output uses).

`mlpy test` writes a launcher beside the emitted program that calls
`main([ENTRY, CHANNEL, NAME...])`: ENTRY is the emitted entry file, CHANNEL is `fd:N` (a
pipe the parent made) or `file:PATH`, the NAMEs are the test functions `mlpy test` found in
the ML file (top-level `function test_*`), in order.

The entry file's glue runs as it does under `mlpy run` — grants, module registration, the
audit hook armed before any ML code — except that it hands its ML body to the driver
instead of running it (`run_main` is the driver's for that moment). The driver runs the
body (the module's top-level code) and then each test through the call gate, in the closed
namespace, with stdout and stderr captured per test. Events, one JSON object per line:

    {"event": "start"}  (the glue ran: the module's own code starts; `--test-timeout`
                         counts from here, not from Python's start)
    {"event": "load", "ok": bool, "ms": N, "output": TEXT, + FAILURE fields when not ok}
    {"event": "test", "name": NAME, "status": "pass"|"fail"|"error", "ms": N,
     "output": TEXT, + FAILURE fields when not passed}
    {"event": "done"}

FAILURE fields: "message" (one line), "report" (the whole text: message, values, diff),
"file" and "line" (the ML place of the assertion call, or where the error was raised; null
when no ML frame is known), "frames" ([[file, line, function], ...], outermost first), and
for a failed `assert_equal` "actual", "expected" (ML printing) and "diff" (or null).
"""

import builtins as _py
import io
import json
import os
import sys
import time
import types

import mlpy_runtime
from mlpy_runtime import access as _access
from mlpy_runtime import modules as _modules
from mlpy_runtime import sandbox as _sandbox
from mlpy_runtime import tracebacks as _tracebacks
from mlpy_runtime.stdlib import testing as _testing

__mlpy_runtime__ = True


def _open_channel(spec):
    """The results channel, opened before the sandbox is armed (afterwards opening a file
    needs a grant the program may not have)."""
    kind, _, where = spec.partition(":")
    if kind == "fd":
        return os.fdopen(int(where), "w", encoding="utf-8")
    if kind == "file":
        return open(where, "w", encoding="utf-8")
    raise ValueError("unknown results channel %r" % spec)


class _Reporter:
    def __init__(self, channel):
        self.channel = channel

    def emit(self, event):
        self.channel.write(json.dumps(event) + "\n")
        # One line per event as it happens: a process that dies later still reported these.
        self.channel.flush()


def _captured(function):
    """Calls `function` (an ML function: through the gate) with stdout and stderr going to
    one buffer. Returns (output, error or None, milliseconds)."""
    buffer = io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = buffer
    started = time.perf_counter()
    error = None
    try:
        _access.call(function)
    except Exception as e:
        error = e
    finally:
        sys.stdout, sys.stderr = saved
    ms = (time.perf_counter() - started) * 1000.0
    return buffer.getvalue(), error, round(ms, 3)


def _failure(error):
    """The FAILURE fields of an error: where in ML it happened and what it says."""
    try:
        frames = _tracebacks.ml_frames(error.__traceback__)
    except Exception:
        frames = []
    fields = {
        "file": frames[-1][0] if frames else None,
        "line": frames[-1][1] if frames else None,
        "frames": [list(f) for f in frames],
    }
    if isinstance(error, _testing.TestFailure):
        fields["message"] = error.message
        fields["report"] = error.report()
        if error.has_values:
            fields["actual"] = _testing.show(error.actual)
            fields["expected"] = _testing.show(error.expected)
            fields["diff"] = error.diff
    else:
        message = _tracebacks.format_message(error)
        if isinstance(error, mlpy_runtime.MLUserException):
            message = "uncaught " + _testing.describe(error)
        fields["message"] = message
        fields["report"] = message
    return fields


def _load(entry):
    """Runs the entry file's glue (grants, the sandbox armed) and returns the ML body it
    handed over, with the glue's globals."""
    bodies = []
    original = mlpy_runtime.run_main
    mlpy_runtime.run_main = bodies.append
    try:
        with open(entry, encoding="utf-8") as f:
            source = f.read()
        glue = {"__name__": "__main__", "__file__": entry, "__builtins__": _py}
        exec(compile(source, entry, "exec"), glue)
    finally:
        mlpy_runtime.run_main = original
    if not bodies:
        raise RuntimeError("%s is not an entry file emitted by mlpy" % entry)
    return bodies[0], glue


def main(argv):
    """Runs the tests; returns the exit status, which the process ends with
    (`sandbox.program_ended`)."""
    status = _main(argv)
    _sandbox.program_ended(status)
    return status


def _main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: testrunner ENTRY CHANNEL [TEST...]\n")
        return 2
    entry, channel, names = os.path.abspath(argv[0]), argv[1], argv[2:]
    reporter = _Reporter(_open_channel(channel))
    body, glue = _load(entry)
    # The entry's body as `run_main` runs it.
    module, g = _modules.main_function(body, glue)
    reporter.emit({"event": "start"})
    output, error, ms = _captured(module)
    event = {"event": "load", "ok": error is None, "ms": ms, "output": output}
    if error is not None:
        event.update(_failure(error))
        reporter.emit(event)
        reporter.emit({"event": "done"})
        return 0
    reporter.emit(event)
    for name in names:
        function = g.get(name)
        if not isinstance(function, types.FunctionType):
            what = "not defined" if function is None else "not a function"
            reporter.emit({"event": "test", "name": name, "status": "error", "ms": 0.0,
                           "output": "", "message": "%s is %s when the tests run" % (name, what),
                           "report": "%s is %s when the tests run" % (name, what),
                           "file": None, "line": None, "frames": []})
            continue
        output, error, ms = _captured(function)
        event = {"event": "test", "name": name, "ms": ms, "output": output}
        if error is None:
            event["status"] = "pass"
        else:
            event["status"] = "fail" if isinstance(error, _testing.TestFailure) else "error"
            event.update(_failure(error))
        reporter.emit(event)
    reporter.emit({"event": "done"})
    return 0
