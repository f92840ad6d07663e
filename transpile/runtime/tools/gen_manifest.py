#!/usr/bin/env python3
"""Generate transpile/runtime/manifest.json from the Python sources of mlpy_runtime.

Run by hand after changing the runtime:

    python3 transpile/runtime/tools/gen_manifest.py          # rewrite manifest.json
    python3 transpile/runtime/tools/gen_manifest.py --check  # exit 1 if it is out of date

A unit test (tests/test_manifest.py) fails when the committed file is out of date.

Format (JSON object, keys sorted, 2-space indent):

    "format": 1
    "builtins": { NAME: FUNCTION }                     the 46 builtins (ML module `builtin`)
    "modules":  { NAME: {                              the 17 standard-library modules
        "doc": one line,
        "python_module": "mlpy_runtime.stdlib.NAME",
        "capabilities": [capability types of the module],
        "needs_grant": true when one of those capabilities needs a grant (file, path, http,
                       env, args); functions of other modules may still need one, see their
                       own "needs_grant" (csv.read, log.add_file, crypto.hash_file),
        "functions": { NAME: FUNCTION },
        "constants": { NAME: {"value": JSON value, "type": "number" | "string" | ...} },
        "classes":   { NAME: {"doc": one line, "typeof": what typeof() returns,
                              "methods": { NAME: FUNCTION }} }   (objects the module returns)
    } }
    "files": { DOTTED_NAME: {                          every Python module of the runtime
        "path": path relative to transpile/runtime/ (forward slashes),
        "package": true for an __init__.py,
        "imports": [runtime modules imported at module level],
        "lazy_imports": [runtime modules imported inside functions]
    } }

    FUNCTION = {"signature": "round(value, precision=0)", "doc": one line,
                "capabilities": [capability types], "needs_grant": bool}

Signatures use ML spelling for default values (null, true, false, "text"); `*args` marks a
variadic parameter. Importing a module also needs its parent packages (`mlpy_runtime`,
`mlpy_runtime.stdlib`), which are not repeated in "imports". A bundler inlines the closure of
"imports" (and "lazy_imports" when the functions using them are reachable) over "files".
"""

import ast
import importlib
import inspect
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(HERE)
MANIFEST = os.path.join(RUNTIME, "manifest.json")
PACKAGE = "mlpy_runtime"

if RUNTIME not in sys.path:
    sys.path.insert(0, RUNTIME)


def ml_literal(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def signature(name, func, drop_self=False):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return name + "(...)"
    parts = []
    params = list(sig.parameters.values())
    if drop_self and params:
        params = params[1:]
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            parts.append("*" + p.name)
        elif p.kind == p.VAR_KEYWORD:
            continue
        elif p.default is p.empty:
            parts.append(p.name)
        else:
            parts.append("%s=%s" % (p.name, ml_literal(p.default)))
    return "%s(%s)" % (name, ", ".join(parts))


def first_line(text):
    text = (text or "").strip()
    return text.split("\n")[0].strip() if text else ""


def function_entry(name, func, drop_self=False):
    from mlpy_runtime.capabilities import PURE_CAPABILITIES
    caps = list(getattr(func, "_ml_capabilities", ()) or ())
    doc = getattr(func, "_ml_description", None) or first_line(getattr(func, "__doc__", ""))
    return {
        "signature": signature(name, func, drop_self),
        "doc": doc,
        "capabilities": caps,
        "needs_grant": any(c not in PURE_CAPABILITIES for c in caps),
    }


def type_name(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def builtins_section():
    mod = importlib.import_module(PACKAGE + ".builtins")
    return {name: function_entry(name, getattr(mod, name)) for name in mod.__all__}


def module_section(name):
    from mlpy_runtime.capabilities import MODULE_CAPABILITIES, PURE_CAPABILITIES
    from mlpy_runtime.objects import MLObject
    full = "%s.stdlib.%s" % (PACKAGE, name)
    mod = importlib.import_module(full)
    functions, constants, classes = {}, {}, {}
    for n in mod.__all__:
        value = getattr(mod, n)
        if callable(value):
            functions[n] = function_entry(n, value)
        else:
            constants[n] = {"value": value, "type": type_name(value)}
    for n, value in vars(mod).items():
        if (isinstance(value, type) and issubclass(value, MLObject) and value is not MLObject
                and value.__module__ == full and not n.startswith("_")):
            methods = {}
            for m in value.ml_methods():
                methods[m] = function_entry(m, getattr(value, m), drop_self=True)
            classes[n] = {
                "doc": value.ml_description or first_line(value.__doc__),
                "typeof": value.ml_type(),
                "methods": methods,
            }
    caps = list(MODULE_CAPABILITIES.get(name, ()))
    return {
        "doc": getattr(mod, "ML_DESCRIPTION", "") or first_line(mod.__doc__),
        "python_module": full,
        "capabilities": caps,
        "needs_grant": any(c not in PURE_CAPABILITIES for c in caps),
        "functions": functions,
        "constants": constants,
        "classes": classes,
    }


def _module_files():
    root = os.path.join(RUNTIME, PACKAGE)
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, RUNTIME).replace(os.sep, "/")
            parts = rel[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = (rel, f == "__init__.py")
    return found


def _resolve(node, current, is_package, known):
    """Runtime modules an import node names."""
    names = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                names.append(alias.name)
    else:
        if node.level:
            base = current if is_package else current.rpartition(".")[0]
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = base + ("." + node.module if node.module else "")
        else:
            module = node.module or ""
        if module == PACKAGE or module.startswith(PACKAGE + "."):
            names.append(module)
            for alias in node.names:
                sub = module + "." + alias.name
                if sub in known:
                    names.append(sub)
    return names


def files_section():
    known = _module_files()
    result = {}
    for dotted, (rel, is_package) in sorted(known.items()):
        with open(os.path.join(RUNTIME, rel), encoding="utf-8") as f:
            tree = ast.parse(f.read(), rel)
        top, lazy = set(), set()
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                top.update(_resolve(node, dotted, is_package, known))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in tree.body:
                lazy.update(_resolve(node, dotted, is_package, known))
        top.discard(dotted)
        lazy -= top
        lazy.discard(dotted)
        result[dotted] = {
            "path": rel,
            "package": is_package,
            "imports": sorted(n for n in top if n in known),
            "lazy_imports": sorted(n for n in lazy if n in known),
        }
    return result


def build():
    from mlpy_runtime.stdlib import MODULES
    return {
        "format": 1,
        "builtins": builtins_section(),
        "modules": {name: module_section(name) for name in MODULES},
        "files": files_section(),
    }


def render(data):
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv):
    text = render(build())
    if "--check" in argv:
        try:
            with open(MANIFEST, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            sys.stderr.write("manifest.json is out of date: run tools/gen_manifest.py\n")
            return 1
        return 0
    with open(MANIFEST, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
