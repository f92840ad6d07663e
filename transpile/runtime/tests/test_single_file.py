"""Single-file output: a program with an inlined runtime and define_module'd user modules runs
with a bare python3 (no mlpy_runtime on the path)."""

import os
import textwrap
import unittest

from tests import mlc, support
from tools import single_file


class SingleFileTest(unittest.TestCase):
    def test_closure(self):
        names = single_file.closure(["mlpy_runtime.stdlib.regex"])
        for needed in ("mlpy_runtime", "mlpy_runtime.stdlib", "mlpy_runtime.objects",
                       "mlpy_runtime.capabilities", "mlpy_runtime.errors"):
            self.assertIn(needed, names)
        self.assertNotIn("mlpy_runtime.stdlib.math", names)
        self.assertNotIn("mlpy_runtime.builtins", names)

    def test_bundled_program_runs_without_runtime_on_path(self):
        module_src = "PI = 3.14;\nfunction area(r) { return PI * r * r; }\n"
        main_src = textwrap.dedent('''\
            import geometry.circle;
            import math;
            import regex;
            f = geometry.circle.area;
            print(f(2));
            print(math.sqrt(16), typeof(regex.compile("a")));
            print([1, 2].length, "x" + true);
            try { throw {message: "m", code: 3}; } except (e) { print(e.message, e.code); }
            ''')
        module_py = mlc.translate(module_src, "geometry/circle.ml", entry=False)
        body = ["def __module_geometry_circle():",
                "    global __ml, PI, area",
                "    " + "\n    ".join(line for line in module_py.splitlines()
                                       if not line.startswith("#")),
                "__ml.define_module('geometry.circle', __module_geometry_circle)"]
        main_py = mlc.translate(main_src, "main.ml", grants=["math", "regex"])
        text = (single_file.preamble(["mlpy_runtime.builtins", "mlpy_runtime.stdlib.math",
                                      "mlpy_runtime.stdlib.regex"])
                + "import mlpy_runtime as __ml\n" + "\n".join(body) + "\n" + main_py)
        with support.TempDir() as d:
            main = os.path.join(d, "prog.py")
            with open(main, "w", encoding="utf-8") as f:
                f.write(text)
            p = support.run_python(main, [], cwd=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), ["12.56", "4.0 Pattern", "2 xTrue", "m 3"])


if __name__ == "__main__":
    unittest.main()
