"""The sandbox's run-time half: the closed namespace ML code runs in, and the PEP 578 audit
hook that enforces the granted capabilities inside the interpreter.

Two independent layers (docs/security.md):

1. The language layer. Every emitted module body runs with `__builtins__` set to
   `NAMESPACE`, which holds only what the emitted glue needs (a guarded `__import__` and
   `Exception`): an ML name that was never bound can never fall back to a Python builtin,
   it is a `NameError` at the ML line. Calls of ML-supplied values go through one gate
   (`access.call`), Python modules through a membrane (`membrane.py`).
2. The audit layer. `arm()` installs an audit hook (it cannot be removed) before any ML code
   runs. It refuses process creation always, `open` outside the grants, `socket.connect`
   (and name lookups) without a network grant for the host, sockets of other families than
   the internet's and local ones, SQLite databases without the file grants, code
   compilation except by the import system, and imports of modules that reach the OS
   around the capability system (or do file I/O no audit event shows: `readline`).

The debugger (`mlpy dap`) needs a few of those refused operations: tracing, looking at
every thread's frames, compiling the expressions it evaluates. Its launcher names debugpy's
folder with `allow_debugger(folder)` before the entry module runs; `arm()` seals it into the
hook, which then lets exactly the events of `DEBUGGER_EVENTS` through when the Python frame
that raised them runs code from a file inside that folder. ML code never runs from there (it
runs from the emitted files, and it cannot compile code or import debugpy), so nothing ML
code does is ever exempted.

A test-only build of the runtime (tests/sandbox_attacks.rs) flips `LANGUAGE_LAYER` or
`AUDIT_LAYER` in a copy of this file to show that each layer alone stops the attack suite.
The shipped runtime has no switch: both are always on.
"""

import builtins as _py
import os as _os
import _signal
import sys as _sys
from types import BuiltinFunctionType as _BuiltinFunctionType, ModuleType as _ModuleType
from _thread import _local as _ThreadLocal

from mlpy_runtime import capabilities as _caps
from mlpy_runtime import trust as _trust
from mlpy_runtime.errors import SecurityError

__mlpy_runtime__ = True

LANGUAGE_LAYER = True
AUDIT_LAYER = True

#: Python names of the program's ML modules (and their packages): what emitted `import`
#: statements may load.
_ml_modules = set()


def dotted_prefixes(name):
    """`a`, `a.b`, `a.b.c` for `a.b.c`: the module and the packages it is in, outermost
    first."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def register_modules(names):
    """Declare the Python names of the program's ML modules (multi-file output)."""
    for name in names:
        _ml_modules.update(dotted_prefixes(name))


#: Modules of single-file output that run at their first import: Python name -> function
#: that defines it (`modules.declare_module`).
_declared = {}


def declare_module(name, define):
    """Single-file output: `define()` defines the ML module `name`; it is called when an
    emitted `import` first reaches `name` (see `_define_declared`)."""
    register_modules([name])
    _declared[name] = define


def _define_declared(name):
    """Before an emitted `import a.b.c`: define the declared modules among `a`, `a.b` and
    `a.b.c`, outermost first, as Python runs a package before the modules inside it. A module
    runs at the first import that reaches it, not before the statements above that import
    (multi-file output, whose modules are files, does the same). Defining a module that
    already ran does nothing."""
    for prefix in dotted_prefixes(name):
        define = _declared.get(prefix)
        if define is not None:
            define()


def _is_glue_import(name, fromlist):
    if name == "mlpy_runtime" or name == "mlpy_runtime.builtins":
        return True
    if name == "mlpy_runtime.stdlib":
        from mlpy_runtime.stdlib import MODULES
        return _py.all(n in MODULES for n in (fromlist or ("*",)))
    return name in _ml_modules


def _only_ml_modules(name):
    """After an emitted `import a.b.c` of ML modules: `a`, `a.b` and `a.b.c` must be the
    modules the program defined. Python's import takes a module built into the interpreter
    (`xxsubtype`, `_suggestions`), a frozen one, or one something loaded after the program
    started, over the emitted file of the same name; ML code reads the members of its own
    modules as plain Python attributes and calls their functions directly, so such a module
    would hand it Python functions past every gate. Whatever the compiler's renaming
    missed, ML code never holds a module it did not define."""
    for prefix in dotted_prefixes(name):
        module = _sys.modules.get(prefix)
        if not _trust.is_ml_module(module):
            raise SecurityError(
                "import of '%s' is not allowed in ML code: the Python module '%s' has the "
                "name of an ML module of the program; rename the ML module" % (name, prefix))


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`__import__` of emitted code: the runtime and the program's own ML modules only.
    Python modules of `stdlib_mode: "python"` come through `membrane.import_python`."""
    if level == 0 and name.__class__ is str and _is_glue_import(name, fromlist):
        if _declared:
            _define_declared(name)
        imported = _py.__import__(name, globals, locals, fromlist, level)
        if name in _ml_modules:
            _only_ml_modules(name)
        # What ML holds of the runtime is a module of ML's, named as ML names it.
        if name == "mlpy_runtime.builtins":
            _trust.as_ml_module(_sys.modules[name], "builtin")
        elif name == "mlpy_runtime.stdlib":
            for leaf in fromlist or ():
                _trust.as_ml_module(_sys.modules["mlpy_runtime.stdlib." + leaf], leaf)
        return imported
    raise SecurityError("import of '%s' is not allowed in ML code" % (name,))


#: The builtins of every emitted module body: nothing an ML name could resolve to.
NAMESPACE = {
    "__import__": _guarded_import,
    "Exception": Exception,
}


def namespace():
    """The `__builtins__` of emitted module bodies."""
    return NAMESPACE if LANGUAGE_LAYER else _py


# --------------------------------------------------------------------------- audit layer

#: Top-level modules whose import is refused once ML code runs, whoever asks: they start
#: processes, load native code or rewrite the interpreter.
NEVER_IMPORTED = frozenset((
    "_posixsubprocess", "subprocess", "pty", "tty", "termios", "ctypes", "_ctypes", "cffi",
    "multiprocessing", "_multiprocessing", "concurrent", "runpy", "code", "codeop", "pdb",
    "bdb", "webbrowser", "antigravity", "this", "pydoc", "idlelib", "tkinter", "_tkinter",
    "turtle", "ensurepip", "venv", "distutils", "setuptools", "pip", "imp", "zipimport",
    "_xxsubinterpreters", "_testcapi", "_testinternalcapi", "mmap", "fcntl", "crypt",
    "_crypt", "spwd",
    # file I/O of their own C libraries, which raises no audit event: `readline`'s history
    # files (`read_history_file(path)` then `get_history_item(1)` reads any file,
    # `write_history_file` writes one), `_posixshmem`'s shared memory objects
    # (`shm_open`, `shm_unlink` of another program's), the ndbm and gdbm databases
    # (`_dbm.open(path, "n")` creates or empties `path.db`, `"r"` reads one), NIS lookups
    # (sockets of the C library's own)
    "readline", "_posixshmem", "dbm", "_dbm", "_gdbm", "nis",
))

#: Name prefixes of CPython's own native test and subinterpreter modules, refused as a
#: family (not one by one: each Python version renames and adds some). Code of another
#: interpreter runs with none of this one's audit hooks, and creating one raises no event the
#: hook sees (3.13's `_interpreters.run_string` starts a process unrefused; 3.9-3.12 call it
#: `_xxsubinterpreters`); the test modules reach the interpreter's internals
#: (`_testcapi.run_in_subinterp`, `_testinternalcapi`) or other processes' memory
#: (`_testexternalinspection`). No program needs any of them.
NATIVE_FAMILIES_NEVER_IMPORTED = ("_test", "_xx", "_interp", "_ctypes_test")


def never_imported(name, native):
    """Whether the hook refuses to import module `name`. `native`: the module is native
    code (built into the interpreter or loaded from an extension file); the families of
    `NATIVE_FAMILIES_NEVER_IMPORTED` are judged for those only, since a program's own ML
    module may be named `_testing_helpers`, and another package's native module `xxhash`."""
    top = name.split(".")[0]
    return top in NEVER_IMPORTED or (native and top.startswith(NATIVE_FAMILIES_NEVER_IMPORTED))


def _is_builtin_module(name):
    return name in _sys.builtin_module_names

#: Events that start a process, load native code, change the interpreter's own hooks or
#: the system's (`socket.sethostname`), or walk every object: refused always.
_PROCESS_EVENTS = frozenset((
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.startfile", "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg",
    "signal.pthread_kill", "os.add_dll_directory", "os.chroot", "os.setxattr",
    "os.removexattr", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "ctypes.call_function",
    "ctypes.addressof", "ctypes.string_at", "ctypes.wstring_at", "ctypes.PyObj_FromPtr",
    "ctypes.create_string_buffer", "ctypes.create_unicode_buffer", "ctypes.set_errno",
    "ctypes.get_errno", "sys.setprofile", "sys.settrace", "sys.addaudithook",
    "sys._current_frames", "sys._current_exceptions", "cpython.run_command",
    "cpython.run_file", "cpython.run_module", "cpython.run_startup",
    "cpython.run_interactivehook", "cpython.PyInterpreterState_New",
    "cpython.PyInterpreterState_Clear", "cpython._PySys_ClearAuditHooks", "code.__new__",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "mmap.__new__",
    "webbrowser.open", "syslog.openlog", "_xxsubinterpreters.create",
    "sqlite3.enable_load_extension", "sqlite3.load_extension", "socket.sethostname",
))


def _socket_families():
    """The socket families a program may create sockets of: the internet's (whose
    connections and datagrams the hook checks by host) and local ones (whose addresses,
    paths, it refuses to connect to). Raw packet and netlink sockets send without an
    address the hook could check (`socket(AF_NETLINK, SOCK_RAW).send(...)` talks to the
    kernel). -1: a socket made of an already open descriptor (`socket(fileno=n)`), as `open`
    of a descriptor is allowed."""
    try:
        import _socket
    except ImportError:  # no sockets at all
        return frozenset((-1,))
    names = ("AF_INET", "AF_INET6", "AF_UNIX")
    return frozenset([-1] + [int(getattr(_socket, n)) for n in names if hasattr(_socket, n)])


def _internet_families():
    """The families of internet sockets, which need a `network` grant: an unbound one
    listens on a port of the system's choosing at `listen()`, an operation that raises no
    audit event (unlike `socket.bind`), so without a grant no such socket is made."""
    try:
        import _socket
    except ImportError:
        return frozenset()
    return frozenset(int(getattr(_socket, n)) for n in ("AF_INET", "AF_INET6")
                     if hasattr(_socket, n))


#: Functions of Python's standard library that build code from validated identifiers (no
#: text of the caller's reaches it), by name and file: `namedtuple` runs when urllib, uuid
#: and others are imported.
_CODE_GENERATORS = {
    "namedtuple": _os.sep + _os.path.join("collections", "__init__.py"),
    "_create_fn": _os.sep + "dataclasses.py",
    # `ast.parse` always passes `PyCF_ONLY_AST`: it makes a syntax tree, never code (which
    # would take another `compile`, from a caller not listed here). Python 3.13's
    # `traceback` parses a failing line to place its `^^^` markers, and formatting an
    # exception (the debugger does, for a breakpoint condition that fails) must not fail.
    "parse": _os.sep + "ast.py",
}

#: Changes that put an existing file's contents at a new path (`os.replace` raises
#: `os.rename`), each with the position of its destination's folder descriptor.
_MOVE_EVENTS = {"os.rename": 3, "os.link": 3, "os.symlink": 2}

#: Filesystem and environment changes and the capabilities that allow each.
_FILE_WRITE = ("file.write", "file.append")
_WRITE_EVENTS = {
    "os.remove": ("file.delete",), "shutil.rmtree": ("file.delete",),
    "os.rmdir": ("path.write", "file.delete"), "os.mkdir": ("path.write",) + _FILE_WRITE,
    "os.rename": _FILE_WRITE, "os.link": _FILE_WRITE, "os.symlink": _FILE_WRITE,
    "os.truncate": _FILE_WRITE, "os.chmod": _FILE_WRITE, "os.chown": _FILE_WRITE,
    "os.utime": _FILE_WRITE, "os.chflags": _FILE_WRITE, "os.lchflags": _FILE_WRITE,
    "os.lchmod": _FILE_WRITE, "os.lchown": _FILE_WRITE, "os.mkfifo": _FILE_WRITE,
    "os.mknod": _FILE_WRITE, "shutil.move": _FILE_WRITE, "shutil.copyfile": _FILE_WRITE,
    "shutil.copymode": _FILE_WRITE, "shutil.copystat": _FILE_WRITE,
    "shutil.copytree": _FILE_WRITE, "shutil.chown": _FILE_WRITE,
    "shutil.make_archive": _FILE_WRITE, "shutil.unpack_archive": _FILE_WRITE,
    "os.putenv": ("env.write",), "os.unsetenv": ("env.write",),
}


def _connect_checker(granted):
    """`(host, port) -> bool` for the audit layer, from the `network.*` grants: a bare
    `network.http` / `network.https` allows every host; patterns
    (`network.https://host:port/path`) allow their hosts (`*.` for subdomains). Names are
    checked when resolved (`socket.getaddrinfo`); a connection is allowed to an address one
    of the allowed names that were looked up resolves to (and to nothing else)."""
    any_host = False
    patterns = []
    for name in granted:
        if name in ("network", "network.http", "network.https"):
            any_host = True
        elif name.startswith(("network.http://", "network.https://")):
            rest = name.split("://", 1)[1]
            hostport = rest.split("/", 1)[0].lower()
            if hostport.startswith("["):
                host = hostport[1:].split("]", 1)[0]
                port = hostport.split("]:", 1)[1] if "]:" in hostport else None
            elif ":" in hostport:
                host, port = hostport.rsplit(":", 1)
            else:
                host, port = hostport, None
            patterns.append((host, port))
    resolved = set()
    # The addresses of each allowed name looked up, resolved again here the first time a
    # connection asks (the audit event of a lookup does not carry its answer).
    addresses = {}

    def addresses_of(name):
        if name not in addresses:
            import socket as _socket
            try:
                infos = _socket.getaddrinfo(name, None)
            except (OSError, UnicodeError):
                infos = []
            addresses[name] = {str(info[4][0]).lower() for info in infos}
        return addresses[name]

    def host_matches(host):
        host = host.lower().rstrip(".")
        for pattern, _ in patterns:
            if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
                return True
        return False

    def on_resolve(host, port):
        if any_host:
            return True
        if host_matches(host):
            resolved.add(host.lower())
            return True
        return False

    def on_connect(host, port):
        if any_host or host_matches(host):
            return True
        address = host.lower()
        return any(address in addresses_of(name) for name in sorted(resolved))

    return on_resolve, on_connect


class SandboxViolation(SecurityError, PermissionError):
    """An operation refused by the audit layer. Also a `PermissionError`, so that Python code
    that copes with a refused file operation (the import system writing bytecode) goes on."""


#: How the process ends once the interpreter finalizes: an exit status, or `_INTERRUPTED`
#: (an uncaught Ctrl-C, which Python ends with SIGINT). 0 unless the program's driver says
#: otherwise (`program_ended`) or an uncaught exception ended it (`_note_uncaught`).
_ending = [0]
_INTERRUPTED = object()


def program_ended(status):
    """A driver that ends the process with `sys.exit(status)` (`mlpy test`'s and `mlpy
    repl`'s) returned `status`: the process exits with it when the interpreter finalizes
    (a `SystemExit` leaves no trace `_note_uncaught` could read)."""
    _ending[0] = status


def _note_uncaught(ending=_ending, sys=_sys, interrupted=_INTERRUPTED,
                   ctrl_c=KeyboardInterrupt, is_kind=issubclass):
    """`atexit`: an uncaught exception ended the program (Python keeps its type as
    `sys.last_type` before `atexit` functions run): status 1, or SIGINT for a Ctrl-C, as
    Python's own."""
    last = sys.__dict__.get("last_type")
    if last is not None:
        ending[0] = interrupted if is_kind(last, ctrl_c) else 1


def _end_process(ending=_ending, streams=_sys.__dict__, exit=_os._exit,
                 set_handler=_signal.signal, send=_signal.raise_signal,
                 sigint=_py.int(_signal.SIGINT), default=_signal.SIG_DFL,
                 interrupted=_INTERRUPTED, error=Exception, number=_py.int):
    """Ends the process at once, with the status `ending` holds. Called by the hook when
    the interpreter, finalizing, is about to drop its audit hooks: what runs after that —
    finalizers of objects still alive (`__del__`, weak reference callbacks, generators'
    `finally`), the rest of the teardown — would run with no hook at all (`os.system` in a
    `__del__` started a process unrefused). `atexit` functions and the flush of the
    standard streams came before; nothing of the program's runs after. By then the
    interpreter has emptied every module's dictionary (`os._exit` is None in `os`): what
    this function uses is bound to its parameters' defaults."""
    for name in ("stdout", "stderr"):
        try:
            stream = streams.get(name)
            if stream is not None:
                stream.flush()
        except error:
            pass
    status = ending[0]
    if status is interrupted:
        # Python's handler is gone by now (and the module state `set_handler` checks its
        # argument against, on some versions): the signal ends the process
        try:
            set_handler(sigint, default)
        except error:
            pass
        try:
            send(sigint)
        except error:
            pass
        status = 128 + sigint
    exit(status if status.__class__ is number else 1)


def _refuse(what):
    raise SandboxViolation("sandbox: %s is not allowed (no capability grants it)" % what)


def _norm(path):
    try:
        return _os.path.realpath(path)
    except (TypeError, ValueError, OSError):
        return None


def _under(path, roots):
    for root in roots:
        if path == root or path.startswith(root + _os.sep):
            return True
    return False


_WRITE_FLAGS = _os.O_WRONLY | _os.O_RDWR | _os.O_APPEND | _os.O_CREAT | getattr(_os, "O_TRUNC", 0)
_ACCESS_MODE = getattr(_os, "O_ACCMODE", _os.O_RDONLY | _os.O_WRONLY | _os.O_RDWR)


def _open_access(mode, flags):
    """`(reads, writes)`: what an `open` event's mode text (`open`, `io.FileIO`) and flags
    (`os.open`) let the file be used for. A file opened for both (`"r+"`, `"a+"`, `"w+"`,
    `O_RDWR`) is read too: it needs both grants, or `file.write` alone would read every file
    the user may change (`open(path, "a+")`, then `seek(0)` and `read()`)."""
    flags = flags if flags.__class__ is _py.int else 0
    if mode.__class__ is str:
        # `io.FileIO` gives its mode and flags; C code's `fopen` (`_Py_fopen_obj`) its mode
        # and 0: the mode says how
        writes = "w" in mode or "a" in mode or "x" in mode or "+" in mode \
            or flags & _WRITE_FLAGS != 0
        return "r" in mode or "+" in mode, writes
    # `os.open`: its flags alone (no flags at all: judged as reading, the least it could be)
    return flags & _ACCESS_MODE != _os.O_WRONLY, flags & _WRITE_FLAGS != 0


def _roots(paths):
    """The folders `paths` name, resolved, sorted, without the file system's root."""
    roots = set()
    for p in paths:
        r = _norm(p or ".")
        if r and r != "/":
            roots.add(r)
    return tuple(sorted(roots))


def _native_roots():
    """Folders native modules load from: Python's own installation (its standard library's
    extensions, the packages installed into it or into the virtual environment)."""
    return _roots((_sys.prefix, _sys.base_prefix, _sys.exec_prefix, _sys.base_exec_prefix))


def _code_roots(native_roots):
    """Folders whose Python files imports and tracebacks read without a grant: Python's
    installation (`native_roots`), the runtime's folder and the import path."""
    runtime = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
    return _roots(native_roots + (runtime,) + tuple(_sys.path))


def _loader_codes():
    """Code objects allowed to compile and run Python source besides the import system: the
    embedded-runtime loader of single-file output."""
    codes = set()
    for finder in _sys.meta_path:
        method = getattr(type(finder), "exec_module", None)
        code = getattr(method, "__code__", None)
        if type(finder).__name__ == "EmbeddedRuntime" and code is not None:
            codes.add(code)
    return frozenset(codes)


#: What the debugger may do that ML code may not (from its own files only, see
#: `allow_debugger`): trace threads, look at every thread's frames, compile and run the
#: Python text of the expressions it evaluates (`mlpy dap` emits that text from ML, checked
#: like ML code). Nothing else: starting processes, files, sockets, imports, the
#: environment stay as the grants say, for the debugger's code too.
DEBUGGER_EVENTS = frozenset(("sys.settrace", "sys._current_frames", "compile", "exec"))

#: `[folder]` once the launcher of `mlpy dap` named debugpy's folder (`allow_debugger`).
_debugger = []


def allow_debugger(folder):
    """Let the debugger whose code lives in `folder` (debugpy's package folder) do the
    operations of `DEBUGGER_EVENTS` once the sandbox is armed, from its own files only. Called
    by `mlpy dap`'s launcher before the entry module runs; refused once the sandbox is armed
    (ML code only ever runs after that)."""
    if _armed or _caps.is_sealed():
        raise SecurityError("the debugger is named before the program starts, not by it")
    if folder.__class__ is not str or not _os.path.isabs(folder):
        raise ValueError("allow_debugger needs an absolute folder")
    folder = _os.path.normpath(folder)
    # A package folder, never a folder that holds the program or Python itself.
    if not _os.path.isfile(_os.path.join(folder, "__init__.py")) \
            or _os.path.dirname(folder) == folder:
        raise ValueError("allow_debugger needs the debugger's package folder: %r" % (folder,))
    _debugger[:] = [folder]


def _debugger_check(folder, own_codes):
    """`() -> bool`: whether the Python frame that raised the event being checked runs code
    from a file inside `folder`. The hook's own frames are skipped; the file name is compared
    as a string (normalised, never resolved on disk: what the file system holds later cannot
    change what a code object's file name says)."""
    prefix = folder + _os.sep

    def from_debugger():
        frame = _sys._getframe(1)
        while frame is not None and frame.f_code in own_codes:
            frame = frame.f_back
        if frame is None:
            return False
        name = frame.f_code.co_filename
        if name.__class__ is not str or not _os.path.isabs(name):
            return False
        return _os.path.normpath(name).startswith(prefix)

    return from_debugger


#: The import system's functions that compile or run a module's code: `source_to_code`
#: compiles a source file, `exec_module` runs a module's code (both through
#: `_call_with_frames_removed`, which anyone holding importlib's internals could call).
_IMPORT_SYSTEM_RUNNERS = frozenset(("source_to_code", "exec_module"))


def _from_import_system(frame):
    """Whether the `compile`/`exec` event `frame` raised comes from the import system
    itself: past the `_call_with_frames_removed` frames, a frozen importlib function
    that compiles or runs modules."""
    while frame is not None and frame.f_code.co_name == "_call_with_frames_removed" \
            and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith("<frozen importlib") \
        and frame.f_code.co_name in _IMPORT_SYSTEM_RUNNERS


def _make_hook(granted, code_roots, native_roots, loader_codes, network, debugger=None,
               socket_families=None):
    """The audit hook. What it decides by lives in this closure and this module's tables,
    which ML code cannot name (the language layer); Python code already running in the
    process could rebind them, which is why the language layer is the boundary and this
    hook the second wall (docs/security.md). `debugger`: debugpy's folder
    (`allow_debugger`), whose code may raise the events of `DEBUGGER_EVENTS`.
    `socket_families`: what `_socket_families()` says (made once, before arming)."""
    if socket_families is None:
        socket_families = _socket_families()
    state = _ThreadLocal()
    own_codes = set()
    # Read when the interpreter finalizes, once every module's dictionary is empty: bound here.
    is_finalizing, end_process = _sys.is_finalizing, _end_process
    from_debugger = _debugger_check(debugger, own_codes) if debugger else None

    def refuse(event, what):
        """Refuse `event`, unless the debugger's own code raised one it may (only tracing,
        frames and code events come here; files, sockets and imports never do)."""
        if from_debugger is not None and event in DEBUGGER_EVENTS:
            busy = getattr(state, "busy", False)
            state.busy = True
            try:
                exempt = from_debugger()
            finally:
                state.busy = busy
            if exempt:
                return
        _refuse(what)
    can_read = "file.read" in granted
    can_write = "file.write" in granted or "file.append" in granted
    own_pid = _os.getpid()  # no fork is allowed: it stays this process's
    can_network = _py.any(name == "network" or name.startswith("network.") for name in granted)
    internet_families = _internet_families()
    # SQLite opens its files itself (no `open` event), and SQL reaches any file
    # (`ATTACH DATABASE '/path'` on an in-memory database): a connection needs both grants.
    can_use_sqlite = can_read and "file.write" in granted

    def on_open(args):
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if path is None or path.__class__ is _py.int:
            return  # an already open descriptor
        reading, writing = _open_access(mode, flags)
        # A grant covers every path: decide before resolving the path (realpath costs a
        # system call per component).
        if (can_read or not reading) and (can_write or not writing):
            return
        if path.__class__ is bytes:
            try:
                path = _os.fsdecode(path)
            except (UnicodeError, TypeError):
                _refuse("opening an undecodable path")
        if path.__class__ is not str:
            # A path-like object's `__fspath__` is the caller's code: run here, it would
            # run while this hook ignores events, and could answer differently when `open`
            # asks it again. Only strings and bytes are judged.
            _refuse("opening a path given as a %s object" % type(path).__name__)
        real = _norm(path)
        if real is None:
            _refuse("opening %r" % (path,))
        if writing and not can_write:
            _refuse("writing %s" % real)
        if real.endswith((".py", ".pyc")) and _under(real, code_roots):
            return
        _refuse("reading %s" % real)

    def on_move(event, args):
        """`os.rename`, `os.link`, `os.symlink` with a write grant but not `file.read`:
        Python source under the code roots is read without the grant (`on_open`), so
        nothing may be moved or linked there, nor over a folder that holds them: a file
        renamed or hard-linked to `x.py` beside the program (then renamed back) would be
        read without `file.read`, and a symbolic link swapped between the hook's check and
        the `open` would be followed to another file."""
        target = args[1] if len(args) > 1 else None
        at = _MOVE_EVENTS[event]
        dir_fd = args[at] if len(args) > at else None
        if target.__class__ is bytes:
            try:
                target = _os.fsdecode(target)
            except (UnicodeError, TypeError):
                target = None
        if target.__class__ is not str or not (dir_fd is None or dir_fd == -1):
            _refuse("moving or linking a file to a place given as a %s without file.read"
                    % type(target).__name__)
        # the last part is what the call replaces: not resolved
        parent = _norm(_os.path.dirname(_os.path.abspath(target)) or ".")
        if parent is None:
            _refuse("moving or linking a file to %r without file.read" % (target,))
        real = _os.path.join(parent, _os.path.basename(target.rstrip(_os.sep)))
        if _under(real, code_roots) or _py.any(_under(root, (real,)) for root in code_roots):
            _refuse("moving or linking a file to %s, where Python source is read without "
                    "file.read" % real)

    resolve_allowed, connect_allowed = network

    # The checks below look only at plain values (str, bytes, int): converting anything
    # else (`str(host)`) would run the caller's code while this hook ignores events.
    def on_connect(args):
        address = args[1] if len(args) > 1 else None
        if address.__class__ is tuple and len(address) >= 2:
            host, port = address[0], address[1]
            if host.__class__ is str and port.__class__ is _py.int:
                if connect_allowed(host, port):
                    return
                _refuse("connecting to %s:%d" % (host, port))
        _refuse("connecting to an address given as a %s" % type(address).__name__)

    def on_address_lookup(args):
        """`socket.gethostbyaddr(name)`, `socket.getnameinfo((host, port), flags)`: name
        lookups (`getfqdn(name)` asks the name server about any name) as on_resolve."""
        first = args[0] if args else None
        if first.__class__ is tuple and len(first) >= 1:
            first = first[0]
        on_resolve((first,))

    def on_resolve(args):
        host = args[0] if args else None
        if host is None:
            return
        if host.__class__ is bytes:
            host = host.decode("ascii", "replace")
        port = args[1] if len(args) > 1 else None
        if host.__class__ is not str or port.__class__ not in (_py.int, str, bytes, type(None)):
            _refuse("looking up a host given as a %s" % type(host).__name__)
        if not resolve_allowed(host, port):
            _refuse("looking up %s" % (host,))

    def guarded(check, args):
        if getattr(state, "busy", False):
            return
        state.busy = True
        try:
            check(args)
        finally:
            state.busy = False

    def hook(event, args):
        if event == "open":
            # The hot path: grants that cover every path, decided before any path is looked at.
            if not (can_read and can_write):
                guarded(on_open, args)
            return
        if event == "cpython.PyInterpreterState_Clear" and is_finalizing():
            # this interpreter drops its hooks next: nothing may run after (`_end_process`)
            end_process()
        if event in _PROCESS_EVENTS:
            refuse(event, event)
            return
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            guarded(on_connect, args)
        elif event == "socket.getaddrinfo" or event == "socket.gethostbyname":
            guarded(on_resolve, args)
        elif event == "socket.gethostbyaddr" or event == "socket.getnameinfo":
            guarded(on_address_lookup, args)
        elif event == "socket.__new__":
            family = args[1] if len(args) > 1 else None
            if family.__class__ is not _py.int or family not in socket_families:
                _refuse("a socket of family %r" % (family,))
            if family in internet_families and not can_network:
                _refuse("an internet socket without a network grant (its listen() would "
                        "take a port)")
        elif event == "sqlite3.connect":
            if not can_use_sqlite:
                _refuse("opening an SQLite database (needs file.read and file.write)")
        elif event == "socket.bind":
            _refuse("listening on a socket")
        elif event == "resource.prlimit":
            # another process's limits (a CPU limit of 0 ends it, as a signal would)
            pid = args[0] if args else None
            limits = args[2] if len(args) > 2 else None
            if limits is not None and not (pid.__class__ is _py.int and pid in (0, own_pid)):
                _refuse("changing the resource limits of process %r" % (pid,))
        elif event == "compile" or event == "exec":
            if getattr(state, "busy", False):
                return
            state.busy = True
            try:
                caller = _sys._getframe(1)
            finally:
                state.busy = False
            code = caller.f_code
            if code in loader_codes or _from_import_system(caller):
                return
            generator = _CODE_GENERATORS.get(code.co_name)
            if generator is not None and code.co_filename.endswith(generator) \
                    and _under(code.co_filename, code_roots):
                return
            refuse(event, "compiling or running Python code (%s)" % event)
        elif event == "import":
            name = args[0] if args else None
            filename = args[1] if len(args) > 1 else None
            if name.__class__ is not str:
                _refuse("importing a module named by a %s" % type(name).__name__)
            if never_imported(name, _is_builtin_module(name)):
                _refuse("importing %s" % name)
            # An extension module is what its file is, whatever name it is loaded under
            # (`_imp.create_dynamic` of `x._posixsubprocess`), and only Python's own
            # installation provides them (not a file beside the program, not a memfd).
            if filename is not None:
                if filename.__class__ is not str:
                    _refuse("importing %s from a file given as a %s"
                            % (name, type(filename).__name__))
                if never_imported(name, True) or \
                        never_imported(_os.path.basename(filename).split(".")[0], True):
                    _refuse("importing %s (%s)" % (name, filename))
                real = _norm(filename)
                if real is None or not _under(real, native_roots):
                    _refuse("loading native code from %s" % (real or filename))
        elif event in _WRITE_EVENTS:
            needs = _WRITE_EVENTS[event]
            if not _py.any(cap in granted for cap in needs):
                _refuse("%s (needs %s)" % (event, " or ".join(needs)))
            if event in _MOVE_EVENTS and not can_read:
                guarded(lambda args: on_move(event, args), args)

    own_codes.update((hook.__code__, refuse.__code__))
    return hook


def hide_arguments(granted):
    """Without `args.read`, take the process's arguments out of `sys.argv` and
    `sys.orig_argv` (in place: every holder of the lists sees the change). Reading them
    raises no audit event, and Python code a program may call reads them on its own
    (`base64.main()` opens the file its first argument names, and its error tells the
    name): only a value that is not there cannot be read. The `args` module checks the
    grant before it reads `sys.argv`, so nothing a program may do needs them then."""
    if "args.read" in granted:
        return
    _sys.argv[:] = [""]
    orig = getattr(_sys, "orig_argv", None)
    if orig.__class__ is list:
        # the interpreter as it was started; its options and the script's arguments go
        orig[1:] = []


def _refusal(what):
    def refused(*args, **kwargs):
        _refuse(what)
    refused.__name__ = what.rpartition(".")[2]
    return refused


def _refuse_loaded_natives():
    """A module the hook refuses to import (`NEVER_IMPORTED`) may be loaded already when the
    sandbox is armed: by the runtime's own imports (on Python 3.9 `uuid` imports `platform`,
    which imports `subprocess` and `_posixsubprocess`), a `sitecustomize`, the debugger. It
    is not imported again, so the hook never sees it, and its native functions act without
    an audit event: `_posixsubprocess.fork_exec` starts a process, `readline` reads and
    writes files. Each native function such a module defines is replaced, in its dictionary,
    by one that refuses: a module loaded before the program is no way around the refusal of
    its import, nor is another module that imported one of those functions by name
    (`subprocess._fork_exec` on 3.11+). (The Python wrappers raise events of their own,
    `subprocess.Popen`.)"""
    modules = [(name, module) for name, module in _py.list(_sys.modules.items())
               if type(module) is _ModuleType]
    refused = {}  # a refused module's identity (`object.__hash__`) -> (module, its name)
    for name, module in modules:
        if never_imported(name, True) and _py.any(
                type(v) is _BuiltinFunctionType and v.__self__ is module
                for v in _py.list(module.__dict__.values())):
            refused[object.__hash__(module)] = (module, name)
    if not refused:
        return
    for _, module in modules:
        namespace = module.__dict__
        for member, value in _py.list(namespace.items()):
            if type(value) is _BuiltinFunctionType:
                owner = refused.get(object.__hash__(value.__self__))
                if owner is not None and owner[0] is value.__self__:
                    namespace[member] = _refusal("%s.%s" % (owner[1], value.__name__))


_armed = []


def arm(preload=()):
    """Seal the grants and install the audit hook: the entry module's glue calls it before
    any ML code runs. `preload`: the runtime modules the program uses, imported first (their
    bytecode is cached then; once armed, nothing writes files without a grant). Arming twice
    does nothing."""
    import importlib
    for name in preload:
        if name == "mlpy_runtime.builtins" or name.startswith("mlpy_runtime.stdlib."):
            importlib.import_module(name)
    _caps.seal()
    hide_arguments(frozenset(_caps.granted_names()))
    if _armed or not AUDIT_LAYER:
        return
    _sys.dont_write_bytecode = True
    _refuse_loaded_natives()
    import atexit
    atexit.register(_note_uncaught)
    granted = frozenset(_caps.granted_names())
    debugger = _debugger[0] if _debugger else None
    native_roots = _native_roots()
    hook = _make_hook(granted, _code_roots(native_roots), native_roots, _loader_codes(),
                      _connect_checker(granted), debugger, _socket_families())
    _sys.addaudithook(hook)
    _armed.append(True)
