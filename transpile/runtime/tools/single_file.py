#!/usr/bin/env python3
"""Reference recipe for single-file output: inline the runtime modules a program needs.

The Rust emitter embeds the runtime sources and writes the same preamble; this script is the
executable specification (tests/test_single_file.py runs its output with a bare python3).

    closure(["mlpy_runtime.builtins", "mlpy_runtime.stdlib.math"])  -> every module needed
    preamble(names)                                                  -> Python text

The preamble installs a meta-path finder serving the embedded sources, so the program's
ordinary `import mlpy_runtime as __ml` / `from mlpy_runtime.stdlib import math` lines work
unchanged, and a bundled runtime wins over any installed copy.

Which modules to inline: always `mlpy_runtime` (its __init__ imports errors, capabilities,
objects, access, modules, tracebacks); `mlpy_runtime.builtins` when a builtin is used;
`mlpy_runtime.stdlib` plus `mlpy_runtime.stdlib.NAME` per imported standard-library module;
then the closure over manifest.json "files" imports. `lazy_imports` are needed only by
`module_info`/`available_modules`/`has_module` (they import `mlpy_runtime.stdlib`, and
`module_info(name)` imports the named module, which fails if it was not bundled).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(HERE)

_TEMPLATE = '''\
def __mlpy_bundle(sources):
    import importlib.abc, importlib.util, sys
    class Bundled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name in sources:
                return importlib.util.spec_from_loader(
                    name, self, origin="<bundled %s>" % name, is_package=sources[name][0])
            return None
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            is_package, text = sources[module.__name__]
            code = compile(text, "<bundled %s>" % module.__name__, "exec")
            exec(code, module.__dict__)
    sys.meta_path.insert(0, Bundled())
__mlpy_bundle({
@SOURCES@})
del __mlpy_bundle
'''


def load_manifest():
    with open(os.path.join(RUNTIME, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def closure(names, manifest=None, lazy=False):
    files = (manifest or load_manifest())["files"]
    todo = ["mlpy_runtime"] + list(names)
    seen = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(files[name]["imports"])
        if lazy:
            todo.extend(files[name]["lazy_imports"])
    return sorted(seen)


def preamble(names, manifest=None):
    manifest = manifest or load_manifest()
    entries = []
    for name in closure(names, manifest):
        info = manifest["files"][name]
        with open(os.path.join(RUNTIME, info["path"]), encoding="utf-8") as f:
            text = f.read()
        entries.append("    %r: (%r, %r),\n" % (name, info["package"], text))
    return _TEMPLATE.replace("@SOURCES@", "".join(entries))


if __name__ == "__main__":
    sys.stdout.write(preamble(sys.argv[1:]))
