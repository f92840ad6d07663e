"""env: environment variables. Reading needs the `env.read` grant, changing `env.write`
(`env` grants both)."""

import os as _os

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Environment variable access and management"

_R = ["env.read"]
_W = ["env.write"]


@ml_function("Get environment variable", _R)
def get(key, default=None):
    return _os.environ.get(key, default)


@ml_function("Get required environment variable", _R)
def require(key):
    value = _os.environ.get(key)
    if value is None:
        raise RuntimeError("Required environment variable not set: %s" % key)
    return value


@ml_function("Set environment variable", _W)
def set(key, value):
    _os.environ[key] = str(value)


@ml_function("Check if variable exists", _R)
def has(key):
    return key in _os.environ


@ml_function("Get all environment variables", _R)
def all():
    return dict(_os.environ)


@ml_function("Delete environment variable", _W)
def delete(key):
    _os.environ.pop(key, None)


@ml_function("Get integer environment variable", _R)
def get_int(key, default=0):
    value = _os.environ.get(key)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default


@ml_function("Get boolean environment variable", _R)
def get_bool(key, default=False):
    value = _os.environ.get(key)
    if value is None:
        return default
    return value.lower() in ("true", "1", "yes", "on")


@ml_function("Get float environment variable", _R)
def get_float(key, default=0.0):
    value = _os.environ.get(key)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        return default


__all__ = ["get", "require", "set", "has", "all", "delete", "get_int", "get_bool", "get_float"]
