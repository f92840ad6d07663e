"""The session driver of `mlpy repl`: one long-lived Python process that runs, one after
the other, the inputs of an interactive session in one persistent namespace.

This is no ML standard-library module: ML code can never import it (the guarded import of
sandbox.py lets emitted code load only `mlpy_runtime`, its builtins and standard library).
`mlpy repl` starts `python3` on a small script that calls `main(requests_fd, replies_fd)`.

Protocol: frames on two pipes that are not the program's standard streams (so that ML's
console input and output stay the user's terminal). A frame is a 4-byte big-endian length
and that many bytes of UTF-8 JSON. `mlpy repl` writes requests on `requests_fd`, the driver
answers each on `replies_fd`:

    {"op": "start", "capabilities": [...]}    grant, arm the sandbox -> {"ok": true, "python": "3.11.7"}
    {"op": "run", "modules": [{"py", "file", "code"}], "file", "code", "value": bool}
        define the modules, then run the input's `__mlpy_body` in the session's namespace
        -> {"ok": true, "defined": [py...]} | {"error": TEXT, "defined": [...]}
         | {"interrupted": true, "defined": [...]}
    {"op": "vars", "names": [[ml, py], ...]}   -> {"vars": [[ml, shown], ...]}
    {"op": "clear"}                            a new namespace; the modules defined are forgotten -> {"ok": true}

The code of a request is Python that `mlpy` emitted from checked ML (never the user's text):
a module whose top level imports the runtime and defines `__mlpy_body` (an input) or calls
`__ml.declare_module` (a module of the program). It is compiled by the import system
(`importlib.abc.SourceLoader`), the one way to compile that the audit hook allows once the
sandbox is armed, so the driver needs no exemption of its own: the session runs under the
same closed namespace, call gate and audit hook, with the same grants, as `mlpy run`.

The value of an input that ends with an expression is printed with ML's `repr` (nothing
for `null`), like Python's REPL. Errors are reported as `FILE:LINE: message` for the
innermost ML frame, with the ML traceback when there is more than one. Ctrl-C (SIGINT)
interrupts the running input (KeyboardInterrupt, which ML's `catch` cannot catch); one
that comes while the driver waits stops the next input before it starts, unless `mlpy`
began to read a new line since (the Ctrl-C then came too late for the last input).
"""

import importlib.abc
import importlib.util
import json
import os
import signal
import struct
import sys
import types

import mlpy_runtime as _ml
from mlpy_runtime import access as _access
from mlpy_runtime import builtins as _builtins
from mlpy_runtime import sandbox as _sandbox
from mlpy_runtime import tracebacks as _tracebacks
from mlpy_runtime import trust as _trust

__mlpy_runtime__ = True

#: Whether user code is running: SIGINT interrupts it only then.
_running = [False]
#: A Ctrl-C that came while no input ran (`mlpy` was still checking the input typed): it
#: stops that input before it starts. `mlpy repl` withdraws it when it starts reading a
#: line (the "prompt" request), as one pressed before then was meant for the input before;
#: while it reads a line the terminal is raw and Ctrl-C is a key, not a signal.
_pending = [False]


def _on_sigint(signum, frame):
    if _running[0]:
        raise KeyboardInterrupt
    _pending[0] = True


class _Chunk(importlib.abc.SourceLoader):
    """Serves one emitted Python text to the import system, which compiles it."""

    def __init__(self, filename, source):
        self._filename = filename
        self._source = source.encode("utf-8")

    def get_filename(self, fullname):
        return self._filename

    def get_data(self, path):
        return self._source


_counter = [0]


def _load(code, filename):
    """Compile and run an emitted Python text as a fresh module (not in `sys.modules`)."""
    _counter[0] += 1
    name = "__mlpy_session_chunk_%d" % _counter[0]
    loader = _Chunk(filename, code)
    spec = importlib.util.spec_from_loader(name, loader, origin=filename)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = filename
    loader.exec_module(module)
    return module


def _new_namespace():
    namespace = {
        "__name__": "__main__",
        "__ml": _ml,
        "__builtins__": _sandbox.namespace(),
    }
    _trust.add(namespace)
    return namespace


def _report(exc):
    """`FILE:LINE: message`, then the ML traceback when it has more than one frame."""
    try:
        frames = _tracebacks.ml_frames(exc.__traceback__)
    except Exception:
        frames = []
    message = _tracebacks.format_message(exc)
    if not frames:
        return message
    file, line, _ = frames[-1]
    out = ["%s:%d: %s" % (file, line, message)]
    if len(frames) > 1:
        out.append("ML traceback (most recent call last):")
        out.extend(_tracebacks.frame_lines(frames))
    return "\n".join(out)


def _shown(value, ml_name):
    """A value as `.vars` lists it."""
    if isinstance(value, types.ModuleType):
        return "<module %s>" % ml_name
    if isinstance(value, types.FunctionType):
        return "<function %s>" % ml_name
    text = _builtins.repr(value)
    if len(text) > 200:
        text = text[:197] + "..."
    return text


class _Session:
    def __init__(self):
        self.namespace = _new_namespace()
        #: Python names of the program's modules this session defined.
        self.modules = []

    def run(self, request):
        if _pending[0]:
            _pending[0] = False
            return {"interrupted": True, "started": False, "defined": []}
        defined = []
        try:
            _running[0] = True
            try:
                for module in request.get("modules", ()):
                    _load(module["code"], module["file"])
                    defined.append(module["py"])
                    self.modules.append(module["py"])
                chunk = _load(request["code"], request["file"])
                body = getattr(chunk, "__mlpy_body")  # no name mangling in a class
                function = types.FunctionType(body.__code__, self.namespace, body.__name__)
                # The input's body is an ML function like any other: through the gate.
                value = _access.call(function)
                if request.get("value") and value is not None:
                    sys.stdout.write(_builtins.repr(value) + "\n")
            finally:
                _running[0] = False
        except KeyboardInterrupt:
            return {"interrupted": True, "started": True, "defined": defined}
        except BrokenPipeError:
            # The reader of the output went away (`mlpy repl < in.ml | head -1`): what is
            # printed from now on goes nowhere, and the session goes on quietly.
            _tracebacks.discard_output()
            return {"ok": True, "defined": defined}
        except Exception as exc:
            return {"error": _report(exc), "defined": defined}
        return {"ok": True, "defined": defined}

    def vars(self, request):
        out = []
        for ml_name, py_name in request.get("names", ()):
            if py_name in self.namespace:
                try:
                    shown = _shown(self.namespace[py_name], ml_name)
                except Exception as exc:
                    shown = "<%s>" % type(exc).__name__
                out.append([ml_name, shown])
        return {"vars": out}

    def clear(self, request):
        _trust.remove(self.namespace)
        self.namespace = _new_namespace()
        for name in self.modules:
            module = sys.modules.pop(name, None)
            if module is not None:
                _trust.remove(module.__dict__)
        self.modules = []
        return {"ok": True}


def _read_exactly(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _receive(fd):
    head = _read_exactly(fd, 4)
    if head is None:
        return None
    (length,) = struct.unpack(">I", head)
    body = _read_exactly(fd, length)
    if body is None:
        return None
    return json.loads(body.decode("utf-8"))


def _send(fd, message):
    data = json.dumps(message).encode("utf-8")
    data = struct.pack(">I", len(data)) + data
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def main(requests_fd, replies_fd):
    """Serve requests until `mlpy repl` closes the requests pipe; returns the exit status,
    which the process ends with (`sandbox.program_ended`)."""
    status = _serve(requests_fd, replies_fd)
    _sandbox.program_ended(status)
    return status


def _serve(requests_fd, replies_fd):
    signal.signal(signal.SIGINT, _on_sigint)
    start = _receive(requests_fd)
    if start is None or start.get("op") != "start":
        return 2
    _ml.grant(start.get("capabilities", []))
    # The standard library is imported before the audit hook is installed, as `arm`
    # does for the modules a program uses: an input may import any of them later.
    from mlpy_runtime.stdlib import MODULES
    _sandbox.arm(["mlpy_runtime.builtins"] + ["mlpy_runtime.stdlib." + m for m in MODULES])
    session = _Session()
    _send(replies_fd, {"ok": True, "python": "%d.%d.%d" % sys.version_info[:3]})
    while True:
        request = _receive(requests_fd)
        if request is None:
            return 0
        op = request.get("op")
        if op == "run":
            reply = session.run(request)
        elif op == "vars":
            reply = session.vars(request)
        elif op == "clear":
            reply = session.clear(request)
        elif op == "prompt":
            _pending[0] = False
            reply = {"ok": True}
        else:
            reply = {"error": "unknown request"}
        _flush()
        _send(replies_fd, reply)
