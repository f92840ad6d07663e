"""The sandbox's run-time half: the call gate inside every runtime function that takes a
callback, the closed namespace, the membrane around Python modules and the audit hook.

The callback tests are generated: every ML-visible function of the builtins and of the
standard library is called with a forbidden callable (a Python function that is neither ML
code nor marked ML-callable) in every argument position, bare and inside arrays and objects,
and with the closures it returns called again. The canary must never run.
"""

import ast
import contextlib
import io
import itertools
import os
import subprocess
import sys
import textwrap
import types
import unittest

from tests import support
from mlpy_runtime import access, builtins as ml_builtins, capabilities as caps, membrane
from mlpy_runtime import SecurityError
from mlpy_runtime.stdlib import MODULES

STDLIB_DIR = os.path.join(support.RUNTIME, "mlpy_runtime", "stdlib")

#: runtime files that are the gate itself (they call what they were given on purpose)
GATE_FILES = {"access.py", "membrane.py", "modules.py", "sandbox.py", "capabilities.py"}

#: functions skipped by the generated callback test: they reach outside the process
SKIPPED = {("http", None), ("builtin", "input"), ("console", "read"), ("console", "input")}


class Canary:
    """Forbidden callables that record whether anything called them."""

    def __init__(self):
        self.calls = 0

        def python_function(*args):
            self.calls += 1
            return True
        self.function = python_function
        self.lambda_ = lambda *args: self.bump()

    def bump(self):
        self.calls += 1
        return True

    def forms(self):
        """Ways a callable reaches a runtime function: bare, in arrays, in objects, as a
        bound method of a Python object, a Python builtin."""
        f = self.function
        return [f, self.lambda_, self.bump, [f, f], [[f, f]], {"fn": f, "key": f}, [f, 1],
                (f,)]


def _ml_functions():
    """(module name, function name, function) for every ML-visible runtime function."""
    import importlib
    out = []
    for name in ml_builtins.__all__:
        out.append(("builtin", name, getattr(ml_builtins, name)))
    for mod_name in MODULES:
        if ("%s" % mod_name, None) in SKIPPED:
            continue
        mod = importlib.import_module("mlpy_runtime.stdlib." + mod_name)
        for name in mod.__all__:
            value = getattr(mod, name)
            if callable(value) and not isinstance(value, type):
                out.append((mod_name, name, value))
    return [f for f in out if (f[0], f[1]) not in SKIPPED]


FILLERS = ([3, 1, 2], 2, "ab", {"a": 1})


class CallbackGateTest(unittest.TestCase):
    """Every runtime function that takes a function calls it through the gate."""

    @classmethod
    def setUpClass(cls):
        cls.saved = set(caps._granted)
        caps.grant(["collections", "functional", "regex", "json", "math", "datetime", "random",
                    "crypto", "log", "console", "args", "env.read", "path"])
        cls.cwd = os.getcwd()
        cls.tmp = support.TempDir()
        os.chdir(cls.tmp.__enter__())

    @classmethod
    def tearDownClass(cls):
        os.chdir(cls.cwd)
        cls.tmp.__exit__(None, None, None)
        caps._granted.clear()
        caps._granted.update(cls.saved)

    def _try(self, f, args, canary, depth=0):
        try:
            result = f(*args)
        except Exception:
            return 0
        tried = 1
        if depth < 2 and access.callable_allowed(result) if callable(result) else False:
            # a closure the runtime built: call it with the canary forms and fillers too
            for extra in ([], [1], [canary.function], [[canary.function]]):
                tried += self._try(result, extra, canary, depth + 1)
        return tried

    def test_no_runtime_function_calls_a_forbidden_callable(self):
        # `log` and `console` print their arguments: thousands of lines, kept out of the
        # test's output (they are not what the test looks at)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            self._no_runtime_function_calls_a_forbidden_callable()

    def _no_runtime_function_calls_a_forbidden_callable(self):
        functions = _ml_functions()
        self.assertGreater(len(functions), 200)
        attempts = 0
        for mod_name, name, f in functions:
            for arity in (1, 2, 3):
                for position in range(arity):
                    canary = Canary()
                    for form in canary.forms():
                        for fillers in itertools.product(FILLERS, repeat=arity - 1):
                            args = list(fillers)
                            args.insert(position, form)
                            attempts += 1
                            self._try(f, args, canary)
                    self.assertEqual(canary.calls, 0, "%s.%s called a forbidden callable given "
                                     "at position %d" % (mod_name, name, position))
        self.assertGreater(attempts, 5000)

    def test_ml_functions_still_work_as_callbacks(self):
        from mlpy_runtime.stdlib import collections, functional, regex
        double = support.ml(lambda x: x * 2)
        self.assertEqual(functional.map(double, [1, 2]), [2, 4])
        self.assertEqual(collections.sortBy([3, 1, 2], support.ml(lambda x: -x)), [3, 2, 1])
        self.assertEqual(regex.sub("a+", support.ml(lambda m: m.group(0).upper()), "caat"),
                         "cAAt")
        self.assertEqual(functional.compose(ml_builtins.str, double)(4), "8")

    def test_runtime_internals_are_refused_by_the_gate(self):
        from mlpy_runtime import sandbox, tracebacks
        for f in (access._module_attr, caps.grant, caps.seal, sandbox.arm,
                  tracebacks.install_excepthook, membrane.import_python, access.attr,
                  access.call):
            with self.assertRaises(SecurityError):
                access.call(f, "x")


class NoDirectCallsTest(unittest.TestCase):
    """A static rule over the runtime's source: outside the gate itself, no function calls a
    parameter or a local variable directly (`f(x)`, `pair[0](x)`), nor hands one to Python
    as a `key=`: every such call goes through `access.call` / `access.callback`."""

    GATES = ("_callback", "_callbacks")

    @classmethod
    def _gate_call(cls, node):
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            node = node.elt
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in cls.GATES

    @staticmethod
    def _names(target):
        return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}

    def _gated(self, fn):
        """Names holding what `access.callback` / `access.callbacks` returned: assigned from
        them, or loop variables over such a name."""
        gated = set()
        for _ in range(3):
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and self._gate_call(node.value):
                    for target in node.targets:
                        gated |= self._names(target)
                elif isinstance(node, (ast.For, ast.comprehension)) \
                        and isinstance(node.iter, ast.Name) and node.iter.id in gated:
                    gated |= self._names(node.target)
        return gated

    def _violations(self, path):
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        module_names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                module_names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    module_names.add((a.asname or a.name).split(".")[0])
            elif isinstance(node, ast.Assign):
                module_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        out = []
        # Outermost functions (of the module and of its classes): their nested closures are
        # judged with what the enclosing function gated.
        outermost = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            outermost += [n for n in cls.body if isinstance(n, ast.FunctionDef)]
        outermost += [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        for fn in outermost:
            local = set()
            for sub in ast.walk(fn):
                if isinstance(sub, (ast.FunctionDef, ast.Lambda)):
                    a = sub.args
                    local.update(x.arg for x in a.args + a.posonlyargs + a.kwonlyargs)
                    local.update(x.arg for x in (a.vararg, a.kwarg) if x)
                elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) \
                        and sub.id not in module_names:
                    local.add(sub.id)
            gated = self._gated(fn)
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                if isinstance(f, ast.Name) and f.id in local and f.id not in gated:
                    out.append((node.lineno, ast.unparse(node)))
                elif isinstance(f, ast.Subscript):
                    out.append((node.lineno, ast.unparse(node)))
                elif isinstance(f, ast.Call) and not (isinstance(f.func, ast.Name)
                                                      and f.func.id in module_names):
                    out.append((node.lineno, ast.unparse(node)))
                for kw in node.keywords:
                    if kw.arg == "key" and isinstance(kw.value, ast.Name) and kw.value.id in local:
                        out.append((node.lineno, ast.unparse(node)))
        return out

    def test_runtime_calls_callbacks_through_the_gate(self):
        checked = 0
        root = os.path.join(support.RUNTIME, "mlpy_runtime")
        for dirpath, _, files in os.walk(root):
            for name in files:
                if not name.endswith(".py") or name in GATE_FILES:
                    continue
                path = os.path.join(dirpath, name)
                checked += 1
                self.assertEqual(self._violations(path), [], path)
        self.assertGreater(checked, 20)

    def test_the_rule_finds_direct_calls(self):
        with support.TempDir() as d:
            path = os.path.join(d, "bad.py")
            with open(path, "w") as f:
                f.write("def apply(fn, xs):\n    return [fn(x) for x in xs]\n"
                        "def first(pairs):\n    return pairs[0](1)\n"
                        "def by(xs, k):\n    return sorted(xs, key=k)\n")
                f.write("def gated(fn, xs):\n    fn = _callback(fn)\n    return [fn(x) for x in xs]\n"
                        "def pairs(ps, v):\n    gs = [_callbacks(p) for p in ps]\n"
                        "    for a, b in gs:\n        a(b(v))\n")
            self.assertEqual(len(self._violations(path)), 3)


class MembraneTest(unittest.TestCase):
    def test_forbidden_modules_are_never_importable(self):
        for name in ("os", "os.path", "posix", "io", "_io", "pathlib", "runpy", "codecs",
                     "socket", "pty", "posixpath", "subprocess", "mlpy_runtime",
                     "mlpy_runtime.capabilities", "sys", "builtins", "importlib.util", "ctypes",
                     "_posixsubprocess", "", "pickle", "types", "inspect", "gc",
                     # The debugger's modules: the sandbox lets their code trace.
                     "debugpy", "debugpy.server.api", "pydevd", "pydevd_tracing",
                     "pydev_ipython"):
            with self.assertRaises(SecurityError, msg=name):
                membrane.import_python(name)

    def test_reflection_members_are_refused(self):
        operator = membrane.import_python("operator")
        for name in ("attrgetter", "methodcaller", "call"):
            with self.assertRaises(SecurityError):
                access.attr(operator, name)
        string = membrane.import_python("string")
        with self.assertRaises(SecurityError):
            access.attr(string, "Formatter")
        collections = membrane.import_python("collections")
        with self.assertRaises(SecurityError):
            access.attr(collections, "namedtuple")
        # `enum` finds the module an enum belongs to by its caller's frame (the membrane's):
        # `global_enum` would write the enum's members into the membrane's globals
        enum = membrane.import_python("enum")
        with self.assertRaises(SecurityError):
            access.attr(enum, "global_enum")
        self.assertIs(type(access.attr(enum, "IntEnum")), membrane.PyValue)

    def test_underscore_and_dunder_members_are_refused(self):
        math = membrane.import_python("math")
        for name in ("__dict__", "__loader__", "_private", "__builtins__", "__spec__",
                     "f_globals", "mro", "gi_frame"):
            with self.assertRaises((SecurityError, AttributeError), msg=name):
                access.attr(math, name)

    def test_results_are_wrapped_and_work(self):
        math = membrane.import_python("math")
        self.assertEqual(access.mcall(math, "sqrt", 16), 4.0)
        sqrt = access.attr(math, "sqrt")
        self.assertIs(type(sqrt), membrane.PyValue)
        self.assertEqual(access.call(sqrt, 9), 3.0)
        for name in ("__self__", "__globals__", "__class__", "__call__"):
            with self.assertRaises((SecurityError, AttributeError)):
                access.attr(sqrt, name)
        re = membrane.import_python("re")
        m = access.mcall(re, "match", "(a)(b)", "ab")
        self.assertIs(type(m), membrane.PyValue)
        self.assertEqual(access.mcall(m, "group", 2), "b")
        self.assertEqual(str(m)[:12], "<re.Match ob")
        fs = access.mcall(membrane.import_python("functools"), "reduce",
                          support.ml(lambda a, b: a + b), [1, 2, 3])
        self.assertEqual(fs, 6)

    def test_ml_callbacks_receive_wrapped_values(self):
        g = support.ml_globals(access=access)
        exec("def up(m):\n    return access.mcall(m, 'group', 0).upper()", g)
        re = membrane.import_python("re")
        self.assertEqual(access.mcall(re, "sub", "a+", g["up"], "caat"), "cAAt")
        exec("def peek(m):\n    return access.attr(m, '__class__')", g)
        with self.assertRaises(SecurityError):
            access.mcall(re, "sub", "a", g["peek"], "a")

    def test_attrgetter_chain_of_the_issue_is_closed(self):
        operator = membrane.import_python("operator")
        with self.assertRaises(SecurityError):
            access.attr(operator, "attrgetter")
        itemgetter = access.attr(operator, "itemgetter")
        f = support.ml(lambda: 1)
        # whatever Python returns comes back wrapped: no dunder is reachable from it
        got = access.call(access.call(itemgetter, 0), [f])
        self.assertIs(got, f)

    def test_members_are_read_only_where_python_defines_them(self):
        # `types.GenericAlias(x, …).name` is `x.name`: a forwarding object is no way around
        # the rules of what it forwards to, whatever `x` is
        functools = membrane.import_python("functools")
        alias = access.attr(functools, "GenericAlias")
        math = membrane.import_python("math")
        for origin, member in ((math, "sqrt"), ("{0}", "format"), ("abc", "upper"),
                               ([1], "append"), ({"a": 1}, "keys")):
            forwarded = access.call(alias, origin, [])
            with self.assertRaises(SecurityError, msg=repr((origin, member))):
                access.attr(forwarded, member)
        # members the object's class defines are fine
        re = membrane.import_python("re")
        match = access.call(access.attr(re, "search"), "a(b)", "xab")
        self.assertEqual(access.attr(match, "string"), "xab")
        self.assertEqual(access.call(access.attr(match, "group"), 1), "b")

    def test_string_formatting_of_python_strings_is_refused(self):
        # `str.format` and `str.format_map`, however Python hands them out: from a string, a
        # subclass of str, the class of one (`enum.StrEnum.format`), a Python function that
        # calls them (`UserString`), inside a result, as what a partial holds
        import collections
        import functools
        import string

        class Text(str):
            pass
        field = "{0.__class__}"
        reads = [(Text(field), "format"), (Text(field), "format_map"), (Text, "format"),
                 (Text, "format_map"), (collections.UserString, "format"),
                 (collections.UserString(field), "format"),
                 (collections.UserString(field), "format_map"),
                 (string.Formatter(), "format"), (string.Formatter(), "get_field")]
        for value, name in reads:
            with self.assertRaises(SecurityError, msg=repr((value, name))):
                access.attr(membrane.wrap(value), name)
        for value in ((1, str.format), [Text.format_map], {"f": field.format},
                      functools.partial(str.format)):
            with self.assertRaises(SecurityError, msg=repr(value)):
                got = membrane.wrap(value)
                access.attr(got, "func")  # the partial's function
        # what holds no formatter still crosses; other methods of strings are still there
        self.assertEqual(access.call(access.attr(membrane.wrap(Text("ab")), "upper")), "AB")
        self.assertEqual(membrane.wrap((1, "{0}")), (1, "{0}"))

    def test_only_plain_values_and_callables_go_into_python(self):
        from mlpy_runtime.stdlib import console
        from mlpy_runtime.objects import MLObject
        json = membrane.import_python("json")
        dumps = access.attr(json, "dumps")
        for value in (console, ml_builtins, MLObject(), [1, console], {"k": console},
                      (console,), [[console]]):
            with self.assertRaises(SecurityError, msg=repr(value)):
                access.call(dumps, value)
        self.assertEqual(access.call(dumps, [1, "a", None, {"b": [True]}]),
                         '[1, "a", null, {"b": [true]}]')
        # an ML builtin as a callback: called through the gate
        functools = membrane.import_python("functools")
        self.assertEqual(access.call(access.attr(functools, "reduce"), ml_builtins.max,
                                     [3, 9, 2]), 9)

    def test_reexported_audited_members_are_refused(self):
        # every whitelisted-style module that re-exports a member AUDITED refuses at home
        import importlib
        found = [(modname, name) for modname, name in (("functools", "namedtuple"),
                                                       ("statistics", "namedtuple"))
                 if hasattr(importlib.import_module(modname), name)]
        self.assertIn(("functools", "namedtuple"), found)
        for modname, name in found:
            mod = membrane.import_python(modname)
            with self.assertRaises(SecurityError, msg="%s.%s" % (modname, name)):
                access.attr(mod, name)
        operator = membrane.import_python("operator")
        self.assertEqual(access.call(access.attr(operator, "add"), 2, 3), 5)
        functools = membrane.import_python("functools")
        self.assertEqual(access.call(access.attr(functools, "reduce"),
                                     access.attr(operator, "add"), [1, 2, 3]), 6)

    def test_python_level_attributes_of_a_proxy_are_refused(self):
        p = membrane.import_python("math")
        with self.assertRaises(AttributeError):
            p._mlpy_target
        with self.assertRaises(AttributeError):
            p.sqrt
        with self.assertRaises(SecurityError):
            p.x = 1


AUDIT_PROGRAM = textwrap.dedent('''
    import _frozen_importlib, _imp, importlib.machinery, importlib.util, io, os, socket, subprocess
    import sys
    sys.path.insert(0, {runtime!r})
    import mlpy_runtime as __ml
    compiled = compile("import os; os.system('touch ' + {canary!r})", "x", "exec")
    native = importlib.util.find_spec("_posixsubprocess").origin
    harmless = importlib.util.find_spec("_json").origin
    import shutil
    beside = None
    if harmless not in (None, "built-in"):
        beside = os.path.join(os.path.dirname({canary!r}), os.path.basename(harmless))
        shutil.copyfile(harmless, beside)
        with open(harmless, "rb") as f:
            harmless_bytes = f.read()
    __ml.grant({grants!r})
    __ml.arm()
    results = []
    class Shifty:
        """A path whose `__fspath__` answers differently the second time."""
        def __init__(self, later):
            self.calls, self.later = 0, later
        def __fspath__(self):
            self.calls += 1
            return "/dev/null" if self.calls == 1 else self.later
    def frames_removed(f, *args):
        return _frozen_importlib._call_with_frames_removed(f, *args)
    def load_extension(origin):
        if origin is None:
            raise __ml.SecurityError("built into this interpreter: nothing to load")
        spec = importlib.machinery.ModuleSpec("_json", None, origin=origin)
        return _imp.create_dynamic(spec)
    def from_memfd():
        if beside is None:
            raise __ml.SecurityError("built into this interpreter: nothing to load")
        fd = os.memfd_create("x")
        os.write(fd, harmless_bytes)
        return load_extension("/proc/self/fd/%d" % fd)
    def load_native():
        if native in (None, "built-in"):
            raise __ml.SecurityError("built into this interpreter: nothing to load")
        spec = importlib.machinery.ModuleSpec("zz._posixsubprocess", None, origin=native)
        return _imp.create_dynamic(spec)
    def in_another_interpreter():
        # 3.13 `_interpreters`, 3.9-3.12 `_xxsubinterpreters`: another interpreter has none of
        # this one's audit hooks
        for name in ("_interpreters", "_xxsubinterpreters"):
            spec = importlib.util.find_spec(name)
            if spec is not None:
                interpreters = importlib.import_module(name)
                return interpreters.run_string(
                    interpreters.create(), "import os; os.system('touch ' + %r)" % {canary!r})
        raise __ml.SecurityError("no subinterpreters in this Python")
    def native_test_module():
        # any of CPython's native test modules (`_testbuffer` is harmless, and refused as one)
        for name in ("_testbuffer", "_testmultiphase", "_testimportmultiple"):
            if importlib.util.find_spec(name) is not None:
                return importlib.import_module(name)
        raise __ml.SecurityError("no native test module in this Python")
    def attempt(name, action):
        try:
            action()
            results.append(name + "=done")
        except __ml.SecurityError:
            results.append(name + "=refused")
        except OSError as e:
            results.append(name + "=oserror")
    attempt("system", lambda: os.system("touch " + {canary!r}))
    attempt("popen", lambda: subprocess.run(["touch", {canary!r}]))
    attempt("spawn", lambda: os.posix_spawn("/usr/bin/touch", ["touch", {canary!r}], {{}}))
    attempt("fork", lambda: os.fork() or None)
    attempt("read", lambda: open({secret!r}).read())
    attempt("write", lambda: open({written!r}, "w").write("x"))
    attempt("remove", lambda: os.remove({secret!r}))
    attempt("connect", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2))
    attempt("exec", lambda: exec("1"))
    attempt("eval", lambda: eval("1"))
    attempt("ctypes", lambda: __import__("ctypes"))
    attempt("grant", lambda: __ml.grant(["file"]))
    attempt("hook", lambda: sys.addaudithook(lambda *a: None))
    attempt("settrace", lambda: sys.settrace(None))
    attempt("importlib-compile", lambda: frames_removed(compile, "1", "x", "exec"))
    attempt("importlib-exec", lambda: frames_removed(exec, compiled, {{}}))
    attempt("ast-parse", lambda: __import__("ast").parse("1 + 1"))
    attempt("ast-compile", lambda: compile(__import__("ast").parse("1"), "x", "exec"))
    attempt("fspath-read", lambda: io.FileIO(Shifty({secret!r})).read())
    attempt("fspath-open", lambda: open(Shifty({secret!r})).read())
    attempt("fspath-write", lambda: io.FileIO(Shifty({written!r}), "w").write(b"x"))
    attempt("native", load_native)
    attempt("native-beside", lambda: load_extension(beside))
    attempt("native-memfd", from_memfd)
    # I/O that raises no `open` event: C libraries' own files, sockets without an address
    # the hook could check, name lookups by address
    def history():
        import readline
        readline.read_history_file({secret!r})
        return readline.get_history_item(1)
    def sqlite(database, sql="select 1"):
        import sqlite3
        return sqlite3.connect(database).execute(sql).fetchall()
    attempt("readline", history)
    attempt("shm", lambda: __import__("_posixshmem").shm_open("/mlpy-audit",
                                                              os.O_CREAT | os.O_RDWR))
    attempt("sqlite-file", lambda: sqlite({written!r}))
    attempt("sqlite-attach", lambda: sqlite(":memory:", "attach database '%s' as a" % {written!r}))
    attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
    attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
    attempt("reverse-lookup", lambda: socket.gethostbyaddr("exfil.example.invalid"))
    attempt("nameinfo", lambda: socket.getnameinfo(("127.0.0.1", {port}), 0))
    attempt("local-socket", lambda: socket.socketpair()[0].close())
    # A file opened for reading and writing is read: `file.write` alone reads nothing.
    def read_back(mode):
        with open({secret!r}, mode) as f:
            f.seek(0)
            return f.read()
    attempt("plus-read", lambda: read_back("r+"))
    attempt("append-read", lambda: read_back("a+"))
    attempt("rdwr-read", lambda: os.read(os.open({secret!r}, os.O_RDWR), 100))
    # Python source beside the program is read without `file.read`: a file moved or
    # hard-linked there (then moved back) would be too.
    here = os.path.dirname(os.path.abspath(__file__))
    def read_moved(move):
        moved = os.path.join(here, "moved.py")
        move({secret!r}, moved)
        try:
            with open(moved) as f:
                return f.read()
        finally:
            os.rename(moved, {secret!r}) if move is os.rename else os.remove(moved)
    attempt("link-read", lambda: read_moved(os.link))
    attempt("rename-read", lambda: read_moved(os.rename))
    attempt("symlink-here", lambda: os.symlink({secret!r}, os.path.join(here, "linked.py")))
    # Another process's limits: a CPU limit of 0 would end it (here: set to what they are).
    def prlimit_parent():
        import resource
        parent = os.getppid()
        resource.prlimit(parent, resource.RLIMIT_CORE,
                         resource.prlimit(parent, resource.RLIMIT_CORE))
    attempt("prlimit", prlimit_parent)
    # An unbound internet socket listens on a port the system picks: no `socket.bind`.
    attempt("listen", lambda: socket.socket().listen())
    # `subprocess` was imported before arming: its native half starts processes with no
    # audit event of its own, also under the name `subprocess` imported it by (3.11+).
    attempt("preloaded-fork", lambda: sys.modules["_posixsubprocess"].fork_exec())
    attempt("preloaded-alias", lambda: (getattr(subprocess, "_fork_exec", None)
                                        or sys.modules["_posixsubprocess"].fork_exec)())
    attempt("subinterpreter", in_another_interpreter)
    attempt("native-test-module", native_test_module)
    # ndbm and gdbm open their files in C, with no `open` event
    attempt("dbm", lambda: importlib.import_module("dbm"))
    print(" ".join(results))
''')


class AuditHookTest(unittest.TestCase):
    """The second layer alone: Python code with no language layer at all, after `arm()`."""

    def run_program(self, grants):
        import socket
        with support.TempDir() as d:
            canary = os.path.join(d, "canary")
            secret = os.path.join(d, "secret.txt")
            with open(secret, "w") as f:
                f.write("TOP-SECRET")
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(5)
            server.settimeout(0.2)
            port = server.getsockname()[1]
            prog = os.path.join(d, "prog.py")
            with open(prog, "w") as f:
                f.write(AUDIT_PROGRAM.format(runtime=support.RUNTIME, grants=grants, canary=canary,
                                             secret=secret, written=os.path.join(d, "w.txt"),
                                             port=port))
            p = support.run_python(prog, [support.RUNTIME], cwd=d)
            accepted = 0
            try:
                while True:
                    conn, _ = server.accept()
                    conn.close()
                    accepted += 1
            except OSError:
                pass
            server.close()
            made = os.path.exists(canary)
            still = os.path.exists(secret)
        return p, made, accepted, still

    def test_no_grants_refuses_every_effect(self):
        p, made, accepted, still = self.run_program([])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(made, "a process ran")
        self.assertEqual(accepted, 0, "a socket connected")
        self.assertTrue(still, "a file was removed")
        self.assertNotIn("TOP-SECRET", p.stdout + p.stderr)
        # (`sys.addaudithook` is refused silently: CPython drops a hook that another refuses)
        for name in ("system", "popen", "spawn", "fork", "read", "write", "remove", "connect",
                     "exec", "eval", "ctypes", "grant", "settrace", "importlib-compile",
                     "importlib-exec", "fspath-read", "fspath-open", "fspath-write", "native",
                     "native-beside", "native-memfd", "readline", "shm", "sqlite-file",
                     "sqlite-attach", "netlink", "packet", "reverse-lookup", "nameinfo",
                     "plus-read", "append-read", "rdwr-read", "listen", "preloaded-fork",
                     "preloaded-alias", "link-read", "rename-read", "prlimit", "ast-compile",
                     "subinterpreter", "native-test-module", "dbm"):
            self.assertIn(name + "=refused", p.stdout.split(), p.stdout)
        self.assertIn("local-socket=done", p.stdout.split(), p.stdout)
        # A syntax tree is no code (Python 3.13's tracebacks parse the failing line): made,
        # but never compiled to code.
        self.assertIn("ast-parse=done", p.stdout.split(), p.stdout)

    def test_write_grants_read_nothing(self):
        # A mode that reads and writes needs both grants: with `file.write` alone, "a+"
        # would read every file the user may change.
        p, made, accepted, still = self.run_program(["file.write", "file.append"])
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.split()
        self.assertIn("write=done", out, p.stdout)
        for name in ("read", "plus-read", "append-read", "rdwr-read", "listen", "link-read",
                     "rename-read", "symlink-here"):
            self.assertIn(name + "=refused", out, p.stdout)
        self.assertNotIn("TOP-SECRET", p.stdout + p.stderr)
        self.assertTrue(still)

    def test_grants_allow_their_own_effects_and_nothing_else(self):
        p, made, accepted, still = self.run_program(["file", "network.http"])
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.split()
        for name in ("read", "write", "remove", "connect", "sqlite-file", "sqlite-attach",
                     "nameinfo", "append-read", "rdwr-read"):
            self.assertIn(name + "=done", out, p.stdout)
        for name in ("system", "popen", "spawn", "fork", "exec", "ctypes", "grant",
                     "importlib-compile", "importlib-exec", "native", "native-beside",
                     "native-memfd", "readline", "shm", "netlink", "packet", "preloaded-fork",
                     "preloaded-alias", "prlimit", "subinterpreter", "native-test-module", "dbm"):
            self.assertIn(name + "=refused", out, p.stdout)
        self.assertFalse(made)
        self.assertEqual(accepted, 1)

    def test_a_lookup_allows_only_the_addresses_of_its_name(self):
        from mlpy_runtime import sandbox
        resolve, connect = sandbox._connect_checker(["network.http://localhost:8080/*"])
        self.assertFalse(connect("127.0.0.1", 8080))  # no allowed name looked up yet
        self.assertTrue(connect("localhost", 8080))
        self.assertFalse(resolve("example.invalid", 80))
        self.assertTrue(resolve("LOCALHOST", 8080))
        self.assertTrue(connect("127.0.0.1", 8080))
        # One allowed lookup does not open every address.
        for other in ("10.1.2.3", "192.0.2.1", "8.8.8.8", "::2"):
            self.assertFalse(connect(other, 80), other)
        resolve_any, connect_any = sandbox._connect_checker(["network.https"])
        self.assertTrue(connect_any("192.0.2.1", 443))

    def test_host_patterns_limit_connections(self):
        p, _, accepted, _ = self.run_program(["network.https://example.invalid/*"])
        self.assertIn("connect=refused", p.stdout.split(), p.stdout)
        self.assertEqual(accepted, 0)


DEBUGGER_PROGRAM = textwrap.dedent('''
    import os, socket, subprocess, sys
    sys.path.insert(0, {runtime!r})
    sys.path.insert(0, {tools!r})
    import fakedebugger
    import mlpy_runtime as __ml
    from mlpy_runtime import sandbox
    if {name_it!r}:
        sandbox.allow_debugger(os.path.dirname(os.path.abspath(fakedebugger.__file__)))
    # Made before arming (compiling is refused after): code whose file name only looks
    # like the debugger's.
    dotted = compile("import sys\\ndef f():\\n    sys.settrace(None)\\n",
                     os.path.join(os.path.dirname(fakedebugger.__file__), "..", "x.py"), "exec")
    ns = {{}}
    exec(dotted, ns)
    __ml.grant({grants!r})
    __ml.arm()
    results = []
    def attempt(name, action):
        try:
            action()
            results.append(name + "=done")
        except __ml.SecurityError:
            results.append(name + "=refused")
        except OSError:
            results.append(name + "=oserror")
    # The debugger's own code: what it needs, and nothing more.
    attempt("dbg-settrace", fakedebugger.trace)
    attempt("dbg-frames", fakedebugger.frames)
    attempt("dbg-eval", fakedebugger.evaluate)
    attempt("dbg-popen", lambda: fakedebugger.run(["touch", {canary!r}]))
    attempt("dbg-read", lambda: fakedebugger.read({secret!r}))
    attempt("dbg-connect", lambda: fakedebugger.connect({port}))
    # The program's code, even while the debugger is there.
    attempt("settrace", lambda: sys.settrace(None))
    attempt("frames", lambda: sys._current_frames())
    attempt("eval", lambda: eval("1"))
    attempt("read", lambda: open({secret!r}).read())
    attempt("dotted", ns["f"])
    attempt("rename", lambda: sandbox.allow_debugger(os.path.dirname(sys.executable)))
    print(" ".join(results))
''')

FAKE_DEBUGGER = textwrap.dedent('''
    """Stands for debugpy: a package whose functions do what a debugger does."""
    import socket, subprocess, sys

    def trace():
        sys.settrace(None)

    def frames():
        return sys._current_frames()

    def evaluate():
        return eval(compile("1 + 1", "<string>", "eval"), {})

    def run(args):
        subprocess.run(args)

    def read(path):
        return open(path).read()

    def connect(port):
        socket.create_connection(("127.0.0.1", port), timeout=2)
''')


class DebuggerExemptionTest(unittest.TestCase):
    """The audit hook with a debugger named (`allow_debugger`): the debugger's own files may
    trace, look at frames and evaluate; nothing else changes, for them or for the program."""

    def run_program(self, name_it, grants=()):
        import socket
        with support.TempDir() as d:
            tools = os.path.join(d, "tools")
            os.makedirs(os.path.join(tools, "fakedebugger"))
            with open(os.path.join(tools, "fakedebugger", "__init__.py"), "w") as f:
                f.write(FAKE_DEBUGGER)
            canary = os.path.join(d, "canary")
            secret = os.path.join(d, "secret.txt")
            with open(secret, "w") as f:
                f.write("TOP-SECRET")
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(5)
            server.settimeout(0.2)
            prog = os.path.join(d, "prog.py")
            with open(prog, "w") as f:
                f.write(DEBUGGER_PROGRAM.format(
                    runtime=support.RUNTIME, tools=tools, name_it=name_it, grants=list(grants),
                    canary=canary, secret=secret, port=server.getsockname()[1]))
            p = support.run_python(prog, [support.RUNTIME], cwd=d)
            accepted = 0
            try:
                while True:
                    conn, _ = server.accept()
                    conn.close()
                    accepted += 1
            except OSError:
                pass
            server.close()
            return p, p.stdout.split(), os.path.exists(canary), accepted

    def test_the_debugger_may_trace_and_evaluate_and_nothing_else(self):
        p, out, made, accepted = self.run_program(True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("dbg-settrace", "dbg-frames", "dbg-eval"):
            self.assertIn(name + "=done", out, p.stdout)
        for name in ("dbg-popen", "dbg-read", "dbg-connect", "settrace", "frames", "eval",
                     "read", "dotted", "rename"):
            self.assertIn(name + "=refused", out, p.stdout)
        self.assertFalse(made, "a process ran")
        self.assertEqual(accepted, 0, "a socket connected")
        self.assertNotIn("TOP-SECRET", p.stdout + p.stderr)

    def test_without_a_debugger_named_nothing_changed(self):
        p, out, made, accepted = self.run_program(False)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("dbg-settrace", "dbg-frames", "dbg-eval", "dbg-popen", "dbg-read",
                     "dbg-connect", "settrace", "frames", "eval", "read", "dotted"):
            self.assertIn(name + "=refused", out, p.stdout)
        self.assertFalse(made)
        self.assertEqual(accepted, 0)

    def test_grants_apply_to_the_debugger_as_to_the_program(self):
        p, out, _, accepted = self.run_program(True, ["file.read", "network.http"])
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("dbg-read", "dbg-connect", "read"):
            self.assertIn(name + "=done", out, p.stdout)
        self.assertIn("dbg-popen=refused", out, p.stdout)
        self.assertEqual(accepted, 1)

    def test_the_folder_named_must_be_a_package(self):
        from mlpy_runtime import sandbox
        for folder in ("relative/dir", "/", os.path.dirname(os.path.abspath(__file__)) + "/none"):
            with self.assertRaises(ValueError):
                sandbox.allow_debugger(folder)


ARGUMENTS_PROGRAM = textwrap.dedent('''
    import sys
    sys.path.insert(0, {runtime!r})
    held = sys.argv  # a holder of the list from before arming
    import mlpy_runtime as __ml
    __ml.grant({grants!r})
    __ml.arm()
    import base64
    try:
        base64.main()  # opens the file its first argument names, refused: the name shows
    except Exception as e:
        print("main:", e)
    print("argv:", held, sys.argv, getattr(sys, "orig_argv", ["python"])[1:])
''')


FINALIZING_PROGRAM = textwrap.dedent('''
    import codecs, functools, os, sys
    sys.path.insert(0, {runtime!r})
    import mlpy_runtime as __ml
    from mlpy_runtime import sandbox
    if {arm!r}:
        __ml.arm()
    # Objects alive until the interpreter finalizes, their finalizer a process: one kept by
    # the codec registry (cleared after the interpreter's hooks), one by `sys.modules`.
    Kept = type("Kept", (), {{
        "__del__": staticmethod(functools.partial(os.system, "touch " + {canary!r})),
        "__call__": staticmethod(lambda name: None)}})
    kept = [Kept(), Kept()]
    codecs.register(kept[0])
    sys.modules["kept_until_the_end"] = kept[1]
    print("end", end="")
    {ending}
''')


class FinalizationTest(unittest.TestCase):
    """The interpreter drops its audit hooks before it finalizes the objects still alive:
    the hook ends the process then, with the status the program ended with."""

    def run_program(self, ending="", arm=True):
        with support.TempDir() as d:
            canary = os.path.join(d, "canary")
            prog = os.path.join(d, "prog.py")
            with open(prog, "w") as f:
                f.write(FINALIZING_PROGRAM.format(runtime=support.RUNTIME, canary=canary,
                                                  ending=ending, arm=arm))
            p = support.run_python(prog, [support.RUNTIME], cwd=d)
            return p, os.path.exists(canary)

    def test_no_finalizer_runs_without_the_hook(self):
        p, made = self.run_program()
        self.assertFalse(made, "a finalizer started a process after the hooks were dropped")
        self.assertEqual((p.returncode, p.stdout), (0, "end"), p.stderr)

    def test_unarmed_the_finalizers_run(self):
        # The control: Python 3.10+ finalizes these objects once its hooks are gone, and
        # their finalizers start the process; 3.9 never finalizes them.
        p, made = self.run_program(arm=False)
        self.assertEqual(made, sys.version_info >= (3, 10), p.stderr)
        self.assertEqual((p.returncode, p.stdout), (0, "end"), p.stderr)

    def test_the_exit_status_is_the_programs(self):
        p, made = self.run_program("raise ValueError('uncaught')")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("ValueError: uncaught", p.stderr)
        p, made = self.run_program("sandbox.program_ended(3); sys.exit(3)")
        self.assertEqual(p.returncode, 3, p.stderr)
        # an uncaught Ctrl-C ends the process by SIGINT, as Python's own
        p, made = self.run_program("raise KeyboardInterrupt")
        self.assertEqual(p.returncode, -2, p.stderr)
        self.assertIn("KeyboardInterrupt", p.stderr)
        self.assertFalse(made)


class NativeFamiliesTest(unittest.TestCase):
    def test_native_test_and_subinterpreter_modules_are_refused_as_a_family(self):
        from mlpy_runtime import sandbox
        for name in ("_interpreters", "_interpchannels", "_interpqueues", "_xxsubinterpreters",
                     "_xxinterpchannels", "_testcapi", "_testinternalcapi", "_testlimitedcapi",
                     "_testexternalinspection", "_testsinglephase", "_xxtestfuzz",
                     "_ctypes_test", "_testbuffer.sub"):
            self.assertTrue(sandbox.never_imported(name, True), name)
        # a program's own ML modules may be named like the families: judged by name only
        for name in ("_testing_helpers", "xxl", "_interpolate"):
            self.assertFalse(sandbox.never_imported(name, False), name)
        for name in ("_testcapi", "_xxsubinterpreters", "readline", "dbm", "_dbm", "_gdbm"):
            self.assertTrue(sandbox.never_imported(name, False), name)
        # nor a native module of another package that merely starts alike (`xxhash`)
        for name in ("json", "_json", "math", "_socket", "xxhash", "testing", "interp"):
            self.assertFalse(sandbox.never_imported(name, True), name)


class ArgumentsTest(unittest.TestCase):
    """Without `args.read` the process's arguments are gone once the sandbox is armed: no
    Python code the program calls finds them in `sys.argv` or `sys.orig_argv`."""

    def run_program(self, grants):
        with support.TempDir() as d:
            prog = os.path.join(d, "prog.py")
            with open(prog, "w") as f:
                f.write(ARGUMENTS_PROGRAM.format(runtime=support.RUNTIME, grants=grants))
            env = dict(os.environ, PYTHONPATH=support.RUNTIME)
            return subprocess.run([sys.executable, prog, "secret-argument-4711"], cwd=d,
                                  env=env, capture_output=True, text=True, timeout=120)

    def test_arguments_are_hidden_without_the_grant(self):
        p = self.run_program([])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("secret-argument-4711", p.stdout + p.stderr)
        self.assertIn("argv: [''] [''] []", p.stdout)

    def test_the_grant_keeps_them(self):
        p = self.run_program(["args.read"])
        self.assertEqual(p.returncode, 0, p.stderr)
        argv = [line for line in p.stdout.splitlines() if line.startswith("argv:")]
        self.assertEqual(len(argv), 1, p.stdout)
        # sys.argv and the list held from before; sys.orig_argv too where Python has it
        self.assertGreaterEqual(argv[0].count("'secret-argument-4711'"), 2, p.stdout)


if __name__ == "__main__":
    unittest.main()
