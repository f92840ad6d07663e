"""The runtime targets CPython 3.9+: every file must parse with the 3.9 grammar (the
machine that runs the tests may have a newer Python, which would accept newer syntax)."""

import ast
import glob
import os
import unittest

from tests import support


class Python39SyntaxTest(unittest.TestCase):
    def test_every_runtime_file_parses_as_python_3_9(self):
        files = glob.glob(os.path.join(support.RUNTIME, "mlpy_runtime", "**", "*.py"), recursive=True)
        self.assertGreater(len(files), 20)
        for path in files:
            with open(path, encoding="utf-8") as f:
                source = f.read()
            with self.subTest(path=os.path.relpath(path, support.RUNTIME)):
                ast.parse(source, path, feature_version=(3, 9))


if __name__ == "__main__":
    unittest.main()
