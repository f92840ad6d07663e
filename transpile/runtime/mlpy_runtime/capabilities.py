"""Capabilities: what a program has been granted, and the `ml_function` decorator.

Pure capabilities (console, math, json, ...) are always available and cost nothing at call
time: `ml_function` only attaches metadata to such functions. Gated capabilities (file, path
writes, network, env, args) are checked by a thin wrapper on every call.
"""

import functools

from mlpy_runtime.errors import CapabilityError

__mlpy_runtime__ = True

#: capability types of each standard-library module (the reference's names)
MODULE_CAPABILITIES = {
    "args": ("args.read",),
    "collections": ("collections.read", "collections.transform"),
    "console": ("console.write", "console.error"),
    "crypto": ("crypto.hash", "crypto.random"),
    "csv": (),
    "datetime": ("datetime.create", "datetime.now"),
    "env": ("env.read", "env.write"),
    "file": ("file.read", "file.write", "file.delete", "file.append"),
    "functional": ("functional.compose", "functional.transform"),
    "http": ("network.http", "network.https"),
    "json": ("json.parse", "json.serialize"),
    "log": ("log.write",),
    "math": ("math.compute",),
    "path": ("path.read", "path.write"),
    "random": ("random.generate", "random.sample"),
    "regex": ("regex.compile", "regex.match"),
    "testing": ("testing.assert",),
}

#: grant names that stand for a group of capabilities besides the module names
GROUP_ALIASES = {"network": ("network.http", "network.https")}

#: capabilities that need no grant
PURE_CAPABILITIES = frozenset((
    "console.write", "console.error", "math.compute", "json.parse", "json.serialize",
    "datetime.create", "datetime.now", "random.generate", "random.sample",
    "collections.read", "collections.transform", "functional.compose", "functional.transform",
    "regex.compile", "regex.match", "crypto.hash", "crypto.random", "log.write", "path.read",
    "testing.assert",
))

_granted = set()
_sealed = []


def grant(names):
    """Grant capabilities to this process. A name is a module (`file`), a group (`network`)
    or one capability (`file.read`). A single string is accepted too. Once the sandbox is
    armed (`seal`), grants are fixed."""
    if _sealed:
        from mlpy_runtime.errors import SecurityError
        raise SecurityError("capabilities are granted before the program starts, not by it")
    if isinstance(names, str):
        names = [names]
    for name in names:
        name = str(name).strip()
        if not name:
            continue
        if name in MODULE_CAPABILITIES:
            _granted.update(MODULE_CAPABILITIES[name])
            _granted.add(name)
        elif name in GROUP_ALIASES:
            _granted.update(GROUP_ALIASES[name])
        else:
            _granted.add(name)


def revoke_all():
    """Forget every grant (used by tests)."""
    if _sealed:
        from mlpy_runtime.errors import SecurityError
        raise SecurityError("capabilities are sealed")
    _granted.clear()


def seal():
    """Fix the grants: later `grant` calls fail. The entry module's glue seals them (through
    `sandbox.arm`) before any ML code runs."""
    if not _sealed:
        _sealed.append(True)


def is_sealed():
    """Whether the grants are fixed (the sandbox is armed or about to be)."""
    return bool(_sealed)


def granted_names():
    """The granted capability names, expanded (`file` gives `file.read`, ...)."""
    return sorted(_granted)


def has_capability(name):
    return name in PURE_CAPABILITIES or name in _granted


def available_capabilities():
    """Sorted capability types usable now: the pure ones plus the granted ones."""
    caps = set(PURE_CAPABILITIES)
    for c in _granted:
        if "." in c:
            caps.add(c)
    return sorted(caps)


def check(capabilities, what):
    """Raise CapabilityError unless every capability in `capabilities` is available."""
    for cap in capabilities:
        if cap not in _granted and cap not in PURE_CAPABILITIES:
            raise CapabilityError(
                "capability '%s' is not granted: %s needs it; grant it with --allow %s "
                "or add \"%s\" to \"capabilities\" in mlpy.json" % (cap, what, cap, cap))


def _ml_module_name(pymodule):
    if pymodule and pymodule.startswith("mlpy_runtime.stdlib."):
        return pymodule[len("mlpy_runtime.stdlib."):]
    return None


def ml_function(description="", capabilities=(), name=None):
    """Mark a function (or an MLObject method) as ML-visible.

    Sets `_ml_description` and `_ml_capabilities`. When one of the capabilities needs a grant,
    the function is wrapped so that every call checks the grant first.
    """
    caps = tuple(capabilities)

    def decorate(f):
        gated = tuple(c for c in caps if c not in PURE_CAPABILITIES)
        target = f
        if gated:
            mod = _ml_module_name(f.__module__)
            fname = name or f.__name__
            what = "%s.%s()" % (mod, fname) if mod else "%s()" % fname

            @functools.wraps(f)
            def checked(*args):
                for cap in gated:
                    if cap not in _granted:
                        check(gated, what)
                return f(*args)

            target = checked
        target._ml_description = description
        target._ml_capabilities = caps
        target._ml_callable = True
        return target

    return decorate


def ml_closure(f, description=None):
    """Mark a function the runtime builds and hands to ML code (`functional.compose(f)`'s
    result) as callable by ML. Its body must call ML-supplied functions through
    `access.call` (tests/test_sandbox.py checks every runtime module for that). With a
    description, `help` shows it, and that the function needs no capability."""
    f._ml_callable = True
    if description is not None:
        f._ml_description = description
        f._ml_capabilities = ()
    return f
