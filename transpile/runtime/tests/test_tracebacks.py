"""source_map + install_excepthook: uncaught exceptions are reported with ML positions."""

import os
import textwrap
import unittest

from tests import support
from mlpy_runtime import tracebacks


class SourceMapTest(unittest.TestCase):
    def test_lookup(self):
        tracebacks.source_map("/tmp/x_mapped.py", ["main.ml", "lib/util.ml"], ",3,,1:7,12,")
        self.assertIsNone(tracebacks.lookup("/tmp/x_mapped.py", 1))
        self.assertEqual(tracebacks.lookup("/tmp/x_mapped.py", 2), ("main.ml", 3))
        self.assertEqual(tracebacks.lookup("/tmp/x_mapped.py", 4), ("lib/util.ml", 7))
        self.assertEqual(tracebacks.lookup("/tmp/x_mapped.py", 5), ("main.ml", 12))
        self.assertIsNone(tracebacks.lookup("/tmp/x_mapped.py", 99))
        self.assertIsNone(tracebacks.lookup("/tmp/not_mapped.py", 1))


class FrameLinesTest(unittest.TestCase):
    def test_runs_of_one_frame_are_counted_after_three(self):
        a, b = ("m.ml", 2, "<module>"), ("m.ml", 1, "r")
        self.assertEqual(tracebacks.frame_lines([a, b, b]), ["  m.ml:2 in <module>", "  m.ml:1 in r", "  m.ml:1 in r"])
        lines = tracebacks.frame_lines([a] + [b] * 4 + [a] + [b] * 1000)
        self.assertEqual(lines, ["  m.ml:2 in <module>"] + ["  m.ml:1 in r"] * 3
                         + ["  [Previous line repeated 1 more time]", "  m.ml:2 in <module>"]
                         + ["  m.ml:1 in r"] * 3 + ["  [Previous line repeated 997 more times]"])
        # Alternating frames (mutual recursion) are not one frame repeated.
        self.assertEqual(len(tracebacks.frame_lines([a, b] * 10)), 20)


def run_emitted(python):
    """Runs Python written the way the emitter writes a module (docs/architecture.md)."""
    with support.TempDir() as d:
        main = os.path.join(d, "main.py")
        with open(main, "w") as f:
            f.write(textwrap.dedent(python))
        return support.run_python(main, [support.RUNTIME], cwd=d)


# main.ml, lines 1-9:
#   function inner(x) {
#       throw {message: "bad value " + str(x), code: 7};
#   }
#   function outer() {
#       return inner(3);
#   }
#   print("before");
#   outer();
#   print("never");
THROWING_PROGRAM = """\
    import mlpy_runtime as __ml
    __ml.grant(["console"])
    __ml.install_excepthook()
    from mlpy_runtime.builtins import print, str
    def inner(x):
        raise __ml.MLUserException({"message": "bad value " + __ml.pystr(str(x)), "code": 7})
    def outer():
        return inner(3)
    print("before")
    outer()
    print("never")
    __ml.source_map(__file__, ["main.ml"], ",,,,1,2,4,5,7,8,9,")
    """


class ExcepthookTest(unittest.TestCase):
    def test_user_throw(self):
        p = run_emitted(THROWING_PROGRAM)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "before\n")
        self.assertEqual(p.stderr.splitlines(), [
            "main.ml:2: bad value 3",
            "ML traceback (most recent call last):",
            "  main.ml:8 in <module>",
            "  main.ml:5 in outer",
            "  main.ml:2 in inner",
        ])

    def test_python_error(self):
        # x = [1, 2];  y = x[5];
        p = run_emitted("""\
            import mlpy_runtime as __ml
            __ml.install_excepthook()
            x = [1, 2]
            y = x[5]
            __ml.source_map(__file__, ["main.ml"], ",,1,2,")
            """)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.splitlines()[0], "main.ml:2: IndexError: list index out of range")

    def test_security_error_in_runtime_frame(self):
        # s = "abc";  f = builtin.call(builtin.getattr, s, "x");  — refused quietly: default
        p = run_emitted("""\
            import mlpy_runtime as __ml
            __ml.install_excepthook()
            from mlpy_runtime import builtins as builtin
            s = "abc"
            f = builtin.call(builtin.getattr, s, "x")
            __ml.source_map(__file__, ["main.ml"], ",,,1,2,")
            """)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_an_interrupt_says_where_in_ml(self):
        # function spin() { ... }  (Ctrl-C arrives inside it);  spin();
        p = run_emitted("""\
            import mlpy_runtime as __ml
            __ml.install_excepthook()
            def spin():
                raise KeyboardInterrupt
            spin()
            __ml.source_map(__file__, ["main.ml"], ",,1,2,4,")
            """)
        self.assertEqual(p.stderr.splitlines(), [
            "main.ml:2: interrupted",
            "ML traceback (most recent call last):",
            "  main.ml:4 in <module>",
            "  main.ml:2 in spin",
        ])
        if os.name == "posix":
            # Ended by SIGINT, as Python ends after an uncaught Ctrl-C.
            self.assertEqual(p.returncode, -2)
        # Outside ML code: the word alone, never Python's report.
        with support.TempDir() as d:
            main = os.path.join(d, "plain.py")
            with open(main, "w") as f:
                f.write("import mlpy_runtime as m\nm.install_excepthook()\nraise KeyboardInterrupt\n")
            p = support.run_python(main, [support.RUNTIME], cwd=d)
        self.assertEqual(p.stderr, "interrupted\n")

    def test_no_map_falls_back_to_python(self):
        with support.TempDir() as d:
            main = os.path.join(d, "plain.py")
            with open(main, "w") as f:
                f.write("import mlpy_runtime as m\nm.install_excepthook()\nraise KeyError('k')\n")
            p = support.run_python(main, [support.RUNTIME], cwd=d)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Traceback (most recent call last)", p.stderr)
        self.assertIn("KeyError: 'k'", p.stderr)

    def test_a_message_that_cannot_be_shown(self):
        # throw {message: big}; where big has more digits than an integer may be written with
        p = run_emitted("""\
            import mlpy_runtime as __ml
            __ml.install_excepthook()
            big = 10 ** 5000
            raise __ml.MLUserException({"message": big})
            __ml.source_map(__file__, ["main.ml"], ",,1,2,")
            """)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.splitlines()[:2], [
            "main.ml:2: <the message cannot be shown: ValueError: Exceeds the limit (4300 "
            "digits) for integer string conversion>",
            "ML traceback (most recent call last):"])

    def test_formatting_never_fails(self):
        from mlpy_runtime import MLUserException
        from mlpy_runtime.stdlib import testing

        class Unprintable:
            def __str__(self):
                raise RuntimeError("no text")
            __repr__ = __str__

        class Worse(Exception):
            def __str__(self):
                raise Worse()

        class Meta(type):
            __name__ = property(lambda cls: 1 / 0)

        Odd = Meta("Odd", (Exception,), {"__str__": lambda self: 1 / 0})
        stand_in = "<the message cannot be shown: RuntimeError: no text>"
        for exc, expected in (
                (MLUserException({"message": Unprintable()}), stand_in),
                (MLUserException({"message": [Unprintable()]}), stand_in),
                (MLUserException(Unprintable()), stand_in),
                (KeyError(Unprintable()), "KeyError: " + stand_in),
                (Worse(), "Worse: <the message cannot be shown: Worse>"),
                (Odd(), "Odd: <the message cannot be shown: ZeroDivisionError: division by "
                        "zero>")):
            self.assertEqual(tracebacks.format_message(exc), expected)
            # `mlpy test`'s report of an uncaught error
            self.assertIs(type(testing.describe(exc)), str)

    def test_format_functions(self):
        from mlpy_runtime import MLUserException
        self.assertEqual(tracebacks.format_message(MLUserException({"message": "m"})), "m")
        self.assertEqual(tracebacks.format_message(ZeroDivisionError("division by zero")),
                         "ZeroDivisionError: division by zero")
        self.assertEqual(tracebacks._function_name("ml_from"), "from")
        self.assertEqual(tracebacks._function_name("ml_value"), "ml_value")
        self.assertEqual(tracebacks._function_name("__module_a_b"), "<module>")
        self.assertEqual(tracebacks._function_name("__arrow_3"), "<lambda>")
        # an error without a message is its type alone (Python's report), not `MemoryError: `
        self.assertEqual(tracebacks.format_message(MemoryError()), "MemoryError")
        self.assertEqual(tracebacks.format_message(MLUserException({"message": ""})), "")
        from mlpy_runtime.stdlib import testing
        self.assertEqual(testing.describe(MemoryError()), "MemoryError")
        self.assertEqual(testing.describe(ValueError("v")), "ValueError: v")


if __name__ == "__main__":
    unittest.main()
