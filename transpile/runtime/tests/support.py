"""Shared helpers for the runtime tests: paths, the conformance corpus, running programs."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

TESTS = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(TESTS)
REPO = os.path.dirname(os.path.dirname(RUNTIME))


def _find_conformance():
    candidates = [os.environ.get("MLPY_CONFORMANCE", "")]
    d = REPO
    for _ in range(4):
        candidates.append(os.path.join(d, "shared", "conformance"))
        candidates.append(os.path.join(os.path.dirname(d), "shared", "conformance"))
        d = os.path.dirname(d)
    for c in candidates:
        if c and os.path.isdir(os.path.join(c, "programs")):
            return c
    return None


CONFORMANCE = _find_conformance()

GRANTS = ("console math regex json datetime random collections functional file path http env "
          "args crypto csv log").split()

if RUNTIME not in sys.path:
    sys.path.insert(0, RUNTIME)


def load_masks():
    masks = []
    with open(os.path.join(CONFORMANCE, "masks.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            prog, rx, rep = line.rstrip("\n").split("\t")
            masks.append((prog, re.compile(rx), re.sub(r"\$\{(\d+)\}", r"\\\1", rep)))
    return masks


def apply_masks(masks, program, text):
    out = []
    for line in text.split("\n"):
        for prog, rx, rep in masks:
            if prog == "*" or prog == program:
                line = rx.sub(rep, line)
        out.append(line)
    return "\n".join(out).rstrip("\n")


def conformance_programs():
    """[(suite, name)] of every program in the corpus."""
    result = []
    root = os.path.join(CONFORMANCE, "programs")
    for suite in sorted(os.listdir(root)):
        for f in sorted(os.listdir(os.path.join(root, suite))):
            if f.endswith(".ml"):
                result.append((suite, f[:-3]))
    return result


def run_python(main, pythonpath, cwd=None, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    env.pop("PYTHONSTARTUP", None)
    return subprocess.run([sys.executable, main], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def translate_suite_program(suite, name, out_dir):
    """Translate a conformance program and the user modules beside it into out_dir."""
    from tests import mlc
    src_dir = os.path.join(CONFORMANCE, "programs", suite)
    for root, _, files in os.walk(src_dir):
        if root == src_dir:
            continue
        for f in files:
            if f.endswith(".ml"):
                rel = os.path.relpath(os.path.join(root, f), src_dir)
                py = os.path.join(out_dir, rel[:-3] + ".py")
                os.makedirs(os.path.dirname(py), exist_ok=True)
                with open(os.path.join(root, f), encoding="utf-8") as src:
                    text = mlc.translate(src.read(), rel, entry=False)
                with open(py, "w", encoding="utf-8") as dst:
                    dst.write(text)
    for root, _, files in os.walk(out_dir):
        if root != out_dir and "__init__.py" not in files:
            with open(os.path.join(root, "__init__.py"), "w") as f:
                f.write("__mlpy_module__ = True\n")
    main = os.path.join(out_dir, name + ".py")
    with open(os.path.join(src_dir, name + ".ml"), encoding="utf-8") as src:
        text = mlc.translate(src.read(), name + ".ml", grants=GRANTS)
    with open(main, "w", encoding="utf-8") as dst:
        dst.write(text)
    return main


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="mlpy-rt-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
