"""json: parse and serialise JSON (Python's json module with its default formatting)."""

import json as _json

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "JSON parsing and serialization"


_TRAILING_COMMA = "Illegal trailing comma before end of "


def _decode_error(e):
    """A decoding error as ML words it on every Python: CPython 3.13 reports a comma before
    `}` or `]` as `Illegal trailing comma before end of object` at the comma; ML keeps the
    message of 3.9-3.12, at the closing bracket (`Expecting property name enclosed in double
    quotes` / `Expecting value`)."""
    if not isinstance(e, _json.JSONDecodeError) or not e.msg.startswith(_TRAILING_COMMA):
        return e
    end = e.pos + 1
    while end < len(e.doc) and e.doc[end] in " \t\n\r":
        end += 1
    msg = "Expecting property name enclosed in double quotes" \
        if e.msg.endswith("object") else "Expecting value"
    return _json.JSONDecodeError(msg, e.doc, end)


@ml_function("Parse JSON string", ["json.parse"])
def parse(s):
    try:
        return _json.loads(s)
    except (_json.JSONDecodeError, TypeError) as e:
        raise ValueError("JSON parsing failed: %s" % _decode_error(e)) from None


def _check_depth(obj, max_depth, depth):
    if depth > max_depth:
        raise ValueError("JSON object depth exceeds maximum allowed (%s)" % max_depth)
    if isinstance(obj, dict):
        for v in obj.values():
            _check_depth(v, max_depth, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _check_depth(v, max_depth, depth + 1)


@ml_function("Parse JSON string with a depth limit (at most 100)", ["json.parse"])
def safeParse(s, max_depth=100):
    if max_depth > 100:
        max_depth = 100
    try:
        result = _json.loads(s)
    except (_json.JSONDecodeError, TypeError) as e:
        raise ValueError("JSON parsing failed: %s" % _decode_error(e)) from None
    _check_depth(result, max_depth, 0)
    return result


@ml_function("Check whether a string is valid JSON", ["json.parse"])
def validate(s):
    try:
        _json.loads(s)
        return True
    except (_json.JSONDecodeError, TypeError):
        return False


@ml_function("Serialize value to JSON string", ["json.serialize"])
def stringify(obj):
    try:
        return _json.dumps(obj)
    except (TypeError, ValueError) as e:
        raise ValueError("JSON serialization failed: %s" % e) from None


@ml_function("Serialize value to indented JSON string", ["json.serialize"])
def prettyPrint(obj, indent=4):
    try:
        return _json.dumps(obj, indent=indent)
    except (TypeError, ValueError) as e:
        raise ValueError("JSON serialization failed: %s" % e) from None


@ml_function("Check if value is a JSON object")
def isObject(v):
    return isinstance(v, dict)


@ml_function("Check if value is a JSON array")
def isArray(v):
    return isinstance(v, list)


@ml_function("Check if value is a string")
def isString(v):
    return isinstance(v, str)


@ml_function("Check if value is a number (not a boolean)")
def isNumber(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@ml_function("Check if value is a boolean")
def isBoolean(v):
    return isinstance(v, bool)


@ml_function("Check if value is null")
def isNull(v):
    return v is None


@ml_function("Get the keys of an object")
def keys(obj):
    return list(obj.keys())


@ml_function("Get the values of an object")
def values(obj):
    return list(obj.values())


@ml_function("Check if an object has a key")
def hasKey(obj, key):
    return key in obj


@ml_function("Get a value by key with a default")
def get(obj, key, default=None):
    return obj.get(key, default)


@ml_function("Merge two objects into a new one (the second wins)")
def merge(a, b):
    result = dict(a)
    result.update(b)
    return result


__all__ = [
    "parse", "safeParse", "validate", "stringify", "prettyPrint", "isObject", "isArray",
    "isString", "isNumber", "isBoolean", "isNull", "keys", "values", "hasKey", "get", "merge",
]
