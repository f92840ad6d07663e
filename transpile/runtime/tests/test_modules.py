"""define_module: single-file output's user modules."""

import subprocess
import sys
import textwrap
import unittest

from tests import support


SCRIPT = textwrap.dedent('''
    import sys as __sys
    import mlpy_runtime as __ml
    events = []

    def __module_utils():
        global __ml, VERSION
        import mlpy_runtime as __ml
        VERSION = 1
    __ml.define_module("utils", __module_utils)

    def __module_utils_math():
        global __ml, PI, area, calls, print
        import mlpy_runtime as __ml
        from mlpy_runtime.builtins import print
        import utils
        PI = 3.14
        calls = 0
        print("utils.math top-level runs")
        def area(r):
            return PI * r * r
    __ml.define_module("utils.math", __module_utils_math)

    def __module_geo_shapes_circle():
        global __ml, describe
        import mlpy_runtime as __ml
        import utils.math
        def describe(r):
            return "circle " + __ml.pystr(utils.math.area(r))
    __ml.define_module("geo.shapes.circle", __module_geo_shapes_circle)

    def __module_geo_shapes_square():
        global __ml, describe
        import mlpy_runtime as __ml
        import utils.math as m
        def describe(s):
            return "square " + __ml.pystr(s * s) + " pi " + __ml.pystr(m.PI)
    __ml.define_module("geo.shapes.square", __module_geo_shapes_square)

    def __module_geo():
        global __ml, NAME
        import mlpy_runtime as __ml
        NAME = "geo package"
    __ml.define_module("geo", __module_geo)

    import geo.shapes.circle
    import geo.shapes.square as sq
    import geo
    import utils.math
    print(geo.shapes.circle.describe(1))
    print(sq.describe(2))
    print(geo.NAME)
    print(utils.math.area(2), utils.VERSION)
    f = __ml.attr(utils.math, "area")
    print(__ml.call(f, 1))
    print(__sys.modules["geo"].__path__, __ml.attr(geo, "shapes") is __sys.modules["geo.shapes"])
    print(__sys.modules["mlpy_runtime.trust"].is_ml_module(utils.math),
          __sys.modules["geo.shapes.square"] is sq)
''')


class DefineModuleTest(unittest.TestCase):
    def test_single_file_program(self):
        with support.TempDir() as d:
            main = d + "/prog.py"
            with open(main, "w") as f:
                f.write(SCRIPT)
            p = support.run_python(main, [support.RUNTIME], cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "utils.math top-level runs",        # once, although imported by three modules
            "circle 3.14",
            "square 4 pi 3.14",
            "geo package",                       # package placeholder reused by geo/__init__
            "12.56 1",
            "3.14",
            "[] True",
            "True True",
        ])

    def test_define_twice_runs_once(self):
        import types
        from mlpy_runtime import define_module
        runs = []

        def body():
            runs.append(1)
        body.__globals__  # plain function
        m1 = define_module("mlpy_test_once", body)
        m2 = define_module("mlpy_test_once", body)
        self.assertIs(m1, m2)
        self.assertEqual(runs, [1])
        self.assertIsInstance(m1, types.ModuleType)
        from mlpy_runtime import trust
        self.assertTrue(trust.is_ml_module(m1))
        del sys.modules["mlpy_test_once"]

    def test_failing_body_is_not_registered(self):
        from mlpy_runtime import define_module

        def body():
            return 1 // 0  # the body runs without Python's builtins: no `raise ValueError`
        with self.assertRaises(ZeroDivisionError):
            define_module("mlpy_test_broken", body)
        self.assertNotIn("mlpy_test_broken", sys.modules)


DECLARED = textwrap.dedent('''
    import mlpy_runtime as __ml
    __ml.grant([])
    __ml.arm(["mlpy_runtime.builtins"])

    def __module_shared():
        global __ml, print
        import mlpy_runtime as __ml
        from mlpy_runtime.builtins import print
        print("shared runs")
    __ml.declare_module("shared", __module_shared)

    def __module_pkg():
        global __ml, print
        import mlpy_runtime as __ml
        from mlpy_runtime.builtins import print
        print("pkg runs")
    __ml.declare_module("pkg", __module_pkg)

    def __module_pkg_a():
        global __ml, print
        import mlpy_runtime as __ml
        from mlpy_runtime.builtins import print
        print("pkg.a runs")
        import shared
    __ml.declare_module("pkg.a", __module_pkg_a)

    def __module_broken():
        global __ml, print
        import mlpy_runtime as __ml
        from mlpy_runtime.builtins import print
        print("broken runs")
        1 // 0
    __ml.declare_module("broken", __module_broken)

    def __main_body():
        from mlpy_runtime.builtins import print
        print("main starts")
        import pkg.a
        print("main middle")
        import shared
        import pkg.a as again
        print(again is pkg.a)
        for i in [1, 2]:
            try:
                import broken
            except Exception:
                print("broken failed")
        print("end")
    __ml.run_main(__main_body)
''')


class DeclareModuleTest(unittest.TestCase):
    """Single-file output declares its modules; each runs at the first import that reaches
    it, like a file of multi-file output: after the code above that import, packages before
    the modules inside them, once."""

    def test_declared_modules_run_at_their_first_import(self):
        with support.TempDir() as d:
            main = d + "/prog.py"
            with open(main, "w") as f:
                f.write(DECLARED)
            # A file named like a module beside the program is never what an import loads,
            # not even after the module's body failed.
            with open(d + "/broken.py", "w") as f:
                f.write("print('stray file')\n")
            p = support.run_python(main, [support.RUNTIME], cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "main starts",
            "pkg runs",
            "pkg.a runs",
            "shared runs",
            "main middle",
            "true",
            "broken runs",       # a failed module is not registered: the next import runs
            "broken failed",     # it again, as Python does
            "broken runs",
            "broken failed",
            "end",
        ])


class ForeignModuleTest(unittest.TestCase):
    """ML code never runs in, nor is trusted in, a module it did not define: a module some
    other code registered under an ML module's name (a `.pth` file's, `sitecustomize`,
    anything loaded before the program) is an error, whichever part of the name it has."""

    def setUp(self):
        import types
        self.names = []

        def foreign(name):
            m = types.ModuleType(name)
            m.__mlpy_module__ = True  # a claim, which is not trust
            m.__file__ = "/somewhere/%s.py" % name.replace(".", "/")
            sys.modules[name] = m
            self.names.append(name)
            return m
        self.foreign = foreign

    def tearDown(self):
        for name in self.names + ["mlpy_fm_pkg.leaf", "mlpy_fm_leaf", "mlpy_fm_a"]:
            sys.modules.pop(name, None)

    def test_define_module_refuses_every_foreign_part_of_the_name(self):
        from mlpy_runtime import define_module
        ran = []

        def body():
            ran.append(1)
        for taken, name in (("mlpy_fm_top", "mlpy_fm_top"),
                            ("mlpy_fm_pkg", "mlpy_fm_pkg.leaf"),
                            ("mlpy_fm_a.b", "mlpy_fm_a.b.c")):
            m = self.foreign(taken)
            with self.assertRaises(ImportError) as cm:
                define_module(name, body)
            self.assertIn("'%s'" % taken, str(cm.exception))
            self.assertIn("rename the ML module", str(cm.exception))
            self.assertNotIn("leaf", m.__dict__)
            self.assertIs(sys.modules[taken], m)
        self.assertEqual(ran, [])

    def test_register_modules_refuses_names_already_loaded(self):
        from mlpy_runtime import register_modules
        self.foreign("mlpy_fm_loaded")
        with self.assertRaises(ImportError):
            register_modules(["mlpy_fm_ok", "mlpy_fm_loaded"])
        self.foreign("mlpy_fm_parent")
        with self.assertRaises(ImportError):
            register_modules(["mlpy_fm_parent.child"])
        register_modules(["mlpy_fm_fresh.child"])  # nothing loaded under it: fine

    def test_declare_module_refuses_names_already_loaded_at_once(self):
        from mlpy_runtime import declare_module
        self.foreign("mlpy_fm_declared")
        ran = []
        with self.assertRaises(ImportError):
            declare_module("mlpy_fm_declared.child", lambda: ran.append(1))
        self.assertEqual(ran, [])

    def test_a_claimed_module_or_function_is_not_trusted(self):
        from mlpy_runtime import SecurityError, access
        m = self.foreign("mlpy_fm_claimed")
        exec("def f():\n    return 1\nsecret = 2\n", m.__dict__)
        with self.assertRaises(AttributeError):
            access.attr(m, "secret")
        for gate in (access.call, access.callback):
            with self.assertRaises(SecurityError):
                gate(m.f)
        self.assertFalse(access.callable_allowed(m.f))
        g = {"__mlpy_module__": True}
        exec("h = lambda: 3", g)
        with self.assertRaises(SecurityError):
            access.call(g["h"])

    def test_an_import_finding_no_ml_module_is_refused(self):
        """Python's import takes a module built into the interpreter, a frozen one or one
        loaded after the program started over the emitted file of the ML module of that
        name: the emitted import refuses it, whatever the compiler renamed."""
        from mlpy_runtime import SecurityError, define_module, register_modules, sandbox
        builtin = next(n for n in sorted(sys.builtin_module_names)
                       if n not in sys.modules and not n.startswith("_"))
        self.names.append(builtin)
        later = "mlpy_fm_later"
        register_modules([builtin, later, "mlpy_fm_lpkg.child", "mlpy_fm_good"])
        self.foreign(later)  # loaded after the names were registered
        self.foreign("mlpy_fm_lpkg")
        self.foreign("mlpy_fm_lpkg.child")
        for name in (builtin, later, "mlpy_fm_lpkg.child"):
            with self.assertRaises(SecurityError) as cm:
                sandbox._guarded_import(name, None, None, None, 0)
            self.assertIn("rename the ML module", str(cm.exception))
        self.assertIsNot(sys.modules[builtin].__dict__.get("__mlpy_module__"), True)

        def body():
            pass
        good = define_module("mlpy_fm_good", body)
        self.names.append("mlpy_fm_good")
        self.assertIs(sandbox._guarded_import("mlpy_fm_good", None, None, None, 0), good)

    def test_a_defined_module_is_trusted(self):
        from mlpy_runtime import access, define_module

        def body():
            global mlpy_fm_value
            mlpy_fm_value = 7
        m = define_module("mlpy_fm_leaf", body)
        self.assertEqual(access.attr(m, "mlpy_fm_value"), 7)


if __name__ == "__main__":
    unittest.main()
