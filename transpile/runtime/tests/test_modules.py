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
    print(utils.math.__mlpy_module__, __sys.modules["geo.shapes.square"] is sq)
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
        self.assertTrue(m1.__mlpy_module__)
        del sys.modules["mlpy_test_once"]

    def test_failing_body_is_not_registered(self):
        from mlpy_runtime import define_module

        def body():
            return 1 // 0  # the body runs without Python's builtins: no `raise ValueError`
        with self.assertRaises(ZeroDivisionError):
            define_module("mlpy_test_broken", body)
        self.assertNotIn("mlpy_test_broken", sys.modules)


if __name__ == "__main__":
    unittest.main()
