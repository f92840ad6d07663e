"""math: numeric functions. Error cases return sentinel values as in the reference:
`sqrt` of a negative is 0, `ln`/`log` of a non-positive is -999."""

import builtins as _b
import math as _m
import random as _random

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Mathematical operations and constants"

pi = _m.pi
e = _m.e

_C = ["math.compute"]


@ml_function("Square root", _C)
def sqrt(x):
    if x < 0:
        return 0
    return _m.sqrt(x)


@ml_function("Absolute value", _C)
def abs(x):
    return _b.abs(x)


@ml_function("Sine function", _C)
def sin(x):
    return _m.sin(x)


@ml_function("Cosine function", _C)
def cos(x):
    return _m.cos(x)


@ml_function("Tangent function", _C)
def tan(x):
    return _m.tan(x)


@ml_function("Arc sine", _C)
def asin(x):
    return _m.asin(x)


@ml_function("Arc cosine", _C)
def acos(x):
    return _m.acos(x)


@ml_function("Arc tangent", _C)
def atan(x):
    return _m.atan(x)


@ml_function("Arc tangent of y/x using the signs of both", _C)
def atan2(y, x):
    return _m.atan2(y, x)


@ml_function("Natural logarithm", _C)
def ln(x):
    if x <= 0:
        return -999
    return _m.log(x)


@ml_function("Logarithm with base", _C)
def log(x, base=10):
    if x <= 0 or base <= 0 or base == 1:
        return -999
    return _m.log(x, base)


@ml_function("Exponential (e^x)", _C)
def exp(x):
    try:
        return _m.exp(x)
    except OverflowError:
        return float("inf")


@ml_function("Power (x^y)", _C)
def pow(x, y):
    try:
        return _b.pow(x, y)
    except (OverflowError, ZeroDivisionError):
        return float("inf") if x > 0 else 0


@ml_function("Floor function", _C)
def floor(x):
    return _m.floor(x)


@ml_function("Ceiling function", _C)
def ceil(x):
    return _m.ceil(x)


@ml_function("Round to nearest integer", _C)
def round(x):
    return _b.round(x)


@ml_function("Minimum of two values", _C)
def min(a, b):
    return _b.min(a, b)


@ml_function("Maximum of two values", _C)
def max(a, b):
    return _b.max(a, b)


@ml_function("Random number [0,1)", _C)
def random():
    return _random.random()


@ml_function("Convert degrees to radians", _C)
def degToRad(degrees):
    return _m.radians(degrees)


@ml_function("Convert radians to degrees", _C)
def radToDeg(radians):
    return _m.degrees(radians)


@ml_function("Convert degrees to radians", _C)
def radians(degrees):
    return _m.radians(degrees)


@ml_function("Convert radians to degrees", _C)
def degrees(radians):
    return _m.degrees(radians)


@ml_function("Sign of a number: -1, 0 or 1", _C)
def sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0


@ml_function("Factorial (0 for negative n)", _C)
def factorial(n):
    if n < 0:
        return 0
    return _m.factorial(int(n))


@ml_function("Greatest common divisor", _C)
def gcd(a, b):
    return _m.gcd(int(a), int(b))


@ml_function("Least common multiple", _C)
def lcm(a, b):
    a, b = int(a), int(b)
    if a == 0 or b == 0:
        return 0
    return _b.abs(a * b) // _m.gcd(a, b)


__all__ = [
    "pi", "e", "sqrt", "abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "ln", "log",
    "exp", "pow", "floor", "ceil", "round", "min", "max", "random", "degToRad", "radToDeg",
    "radians", "degrees", "sign", "factorial", "gcd", "lcm",
]
