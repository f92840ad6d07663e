"""manifest.json is up to date with the Python sources and has the documented shape."""

import json
import os
import unittest

from tests import support
from tools import gen_manifest


class ManifestTest(unittest.TestCase):
    def test_committed_manifest_is_up_to_date(self):
        with open(gen_manifest.MANIFEST, encoding="utf-8") as f:
            committed = f.read()
        self.assertEqual(committed, gen_manifest.render(gen_manifest.build()),
                         "run: python3 transpile/runtime/tools/gen_manifest.py")

    def test_shape(self):
        with open(gen_manifest.MANIFEST, encoding="utf-8") as f:
            data = json.load(f)
        self.assertEqual(len(data["builtins"]), 46)
        self.assertEqual(sorted(data["modules"]), sorted(
            "args collections console crypto csv datetime env file functional http json log "
            "math path random regex testing".split()))
        self.assertEqual(data["builtins"]["round"]["signature"], "round(value, precision=0)")
        self.assertEqual(data["modules"]["console"]["functions"]["log"]["capabilities"],
                         ["console.write"])
        self.assertTrue(data["modules"]["file"]["needs_grant"])
        self.assertFalse(data["modules"]["math"]["needs_grant"])
        self.assertIn("pi", data["modules"]["math"]["constants"])
        self.assertIn("Pattern", data["modules"]["regex"]["classes"])
        self.assertEqual(data["modules"]["regex"]["classes"]["Match"]["typeof"], "Match")
        for name, entry in data["files"].items():
            self.assertTrue(os.path.isfile(os.path.join(support.RUNTIME, entry["path"])), name)
            for dep in entry["imports"] + entry["lazy_imports"]:
                self.assertIn(dep, data["files"])
        self.assertIn("mlpy_runtime.objects", data["files"]["mlpy_runtime.stdlib.regex"]["imports"])


if __name__ == "__main__":
    unittest.main()
