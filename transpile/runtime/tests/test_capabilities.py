"""Capabilities: pure modules need no grant, gated ones refuse until granted."""

import os
import unittest

from tests import support
from mlpy_runtime import CapabilityError, builtins as b, call, grant
from mlpy_runtime import capabilities as caps
from mlpy_runtime.stdlib import (args, console, crypto, csv, env, file, http, json, log, math,
                                 path, regex)


class CapabilityTest(unittest.TestCase):
    def setUp(self):
        self.saved = set(caps._granted)
        caps.revoke_all()

    def tearDown(self):
        caps.revoke_all()
        caps._granted.update(self.saved)

    def test_pure_modules_need_no_grant(self):
        self.assertEqual(math.sqrt(9), 3.0)
        self.assertEqual(json.parse("[1]"), [1])
        self.assertEqual(csv.read_string("a,b\n1,2\n"), [{"a": "1", "b": "2"}])
        self.assertEqual(len(crypto.sha256("x")), 64)
        self.assertTrue(regex.test("a", "cat"))
        self.assertTrue(path.exists("/"))
        self.assertTrue(b.hasCapability("math.compute"))
        self.assertFalse(b.hasCapability("file.read"))
        self.assertNotIn("file.read", b.getCapabilities())
        self.assertIsNone(b.getCapabilityInfo("file.read"))

    def test_refused_message(self):
        with support.TempDir() as d:
            target = os.path.join(d, "x.txt")
            with self.assertRaises(CapabilityError) as cm:
                file.write(target, "data")
            self.assertEqual(
                str(cm.exception),
                "capability 'file.write' is not granted: file.write() needs it; grant it with "
                "--allow file.write or add \"file.write\" to \"capabilities\" in mlpy.json")
            self.assertFalse(os.path.exists(target))
            # reached through call() the check still happens
            with self.assertRaises(CapabilityError):
                call(file.write, target, "data")

    def test_every_gated_function_refuses(self):
        checks = [
            (lambda: file.read("/nonexistent"), "file.read"),
            (lambda: file.append("/nonexistent/x", "a"), "file.append"),
            (lambda: file.delete("/nonexistent"), "file.delete"),
            (lambda: path.createDir("/nonexistent/x"), "path.write"),
            (lambda: http.get("http://127.0.0.1:9/"), "network.http://127.0.0.1:9/*"),
            (lambda: env.get("HOME"), "env.read"),
            (lambda: env.set("X", "1"), "env.write"),
            (lambda: args.all(), "args.read"),
            (lambda: args.create_parser("p").parse(), "args.read"),
            (lambda: csv.read("/nonexistent"), "file.read"),
            (lambda: crypto.hash_file("/nonexistent"), "file.read"),
            (lambda: log.add_file("/nonexistent/log"), "file.write"),
            (lambda: log.create_logger("t").add_file("/nonexistent/log"), "file.write"),
            (lambda: path.removeDirRecursive("/nonexistent"), "path.write"),
        ]
        for fn, cap in checks:
            with self.assertRaises(CapabilityError) as cm:
                fn()
            self.assertIn("capability '%s' is not granted" % cap, str(cm.exception))

    def test_module_grant(self):
        grant(["file"])
        for cap in ("file.read", "file.write", "file.delete", "file.append"):
            self.assertTrue(b.hasCapability(cap))
        with support.TempDir() as d:
            p = os.path.join(d, "sub", "x.txt")
            file.write(p, "hello")
            self.assertEqual(file.read(p), "hello")
            self.assertTrue(file.delete(p))
        with self.assertRaises(CapabilityError):
            env.get("HOME")

    def test_removing_a_folder_with_its_files_needs_file_delete(self):
        # `path.write` removes folders; the files in one are `file.delete`'s (the audit
        # layer refuses `shutil.rmtree` without it: the first layer says so itself)
        grant("path.write")
        with support.TempDir() as d:
            os.makedirs(os.path.join(d, "victim"))
            with open(os.path.join(d, "victim", "f.txt"), "w") as f:
                f.write("keep")
            with self.assertRaises(CapabilityError) as cm:
                path.removeDirRecursive(os.path.join(d, "victim"))
            self.assertIn("capability 'file.delete' is not granted", str(cm.exception))
            self.assertTrue(os.path.exists(os.path.join(d, "victim", "f.txt")))

    def test_only_a_string_names_a_file(self):
        # a number would be a descriptor to `open` (`csv.read(0)` read standard input and
        # closed it); other values failed inside in Python's words
        grant(["file", "path.write"])
        calls = {
            "file.read": lambda p: file.read(p),
            "file.write": lambda p: file.write(p, "x"),
            "file.exists": lambda p: file.exists(p),
            "path.exists": lambda p: path.exists(p),
            "path.listDir": lambda p: path.listDir(p),
            "path.createDir": lambda p: path.createDir(p),
            "csv.read": lambda p: csv.read(p),
            "csv.write": lambda p: csv.write(p, [[1]]),
            "csv.append": lambda p: csv.append(p, [1]),
            "csv.count_rows": lambda p: csv.count_rows(p),
            "csv.get_headers": lambda p: csv.get_headers(p),
            "crypto.hash_file": lambda p: crypto.hash_file(p),
            "log.add_file": lambda p: log.create_logger("t").add_file(p),
        }
        for name, call_with in calls.items():
            for value, kind in ((0, "number"), (1, "number"), (b"/tmp", "bytes"),
                                (["/tmp"], "array"), (None, "null"), (True, "boolean")):
                with self.subTest(function=name, value=value):
                    with self.assertRaises(TypeError) as cm:
                        call_with(value)
                    self.assertEqual(str(cm.exception), "a path must be a string, not %s" % kind)

    def test_specific_grant(self):
        grant("file.read")
        self.assertTrue(b.hasCapability("file.read"))
        self.assertFalse(b.hasCapability("file.write"))
        with self.assertRaises(CapabilityError):
            file.write("/nonexistent/x", "y")
        grant(["network"])
        self.assertTrue(b.hasCapability("network.https"))
        grant(["http"])
        self.assertTrue(b.hasCapability("network.http"))

    def test_metadata(self):
        self.assertEqual(b.requiredCapabilities(file.copy), ["file.read", "file.write"])
        self.assertEqual(b.requiredCapabilities(path.join), [])
        self.assertEqual(b.help(file.read), "Read entire file as string\nRequires: file.read")
        logger = log.create_logger("meta")
        self.assertEqual(b.requiredCapabilities(logger.add_file), ["log.write", "file.write"])

    def test_pure_functions_are_not_wrapped(self):
        # no per-call wrapper for plain functions: the decorator returns the function itself
        self.assertFalse(hasattr(math.sqrt, "__wrapped__"))
        self.assertFalse(hasattr(console.log, "__wrapped__"))
        self.assertTrue(hasattr(file.read, "__wrapped__"))


if __name__ == "__main__":
    unittest.main()
