"""random: pseudo-random numbers from Python's global generator (Mersenne Twister), so a
seeded sequence matches the reference exactly. `randomInt(a, b)` is half-open [a, b)."""

import random as _r

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Random number generation and sampling utilities"

_G = ["random.generate"]
_S = ["random.sample"]


def _integer(value, what):
    """An integer argument of randomInt as CPython 3.9-3.11 take it (3.12 refuses every value
    that is no integer with `TypeError: 'float' object cannot be interpreted as an
    integer`): an integral float (what `/` gives) counts as its integer; any other value is
    converted with `int()`, its errors unchanged (`invalid literal for int() with base 10:
    'ab'`), and refused when that changes it (`"5"`: `non-integer arg 1 for randrange()`)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("non-integer %s for randrange()" % what)
        return int(value)
    converted = int(value)
    if converted != value:
        raise ValueError("non-integer %s for randrange()" % what)
    return converted


@ml_function("Set random seed", _G)
def setSeed(seed):
    # CPython 3.11 refuses other seed types (3.9 hashed them; 3.13 reworded the message)
    if seed is not None and not isinstance(seed, (int, float, str, bytes, bytearray)):
        raise TypeError("The only supported seed types are: None, int, float, str, bytes, "
                        "and bytearray.")
    _r.seed(seed)
    return seed


@ml_function("Get current seed", _G)
def getSeed():
    return _r.getstate()[1][0]


@ml_function("Generate random integer", _G)
def nextInt():
    return _r.randint(0, 4294967295)


@ml_function("Generate random float 0-1", _G)
def random():
    return _r.random()


@ml_function("Generate random float in range", _G)
def randomFloat(min_val=0, max_val=1):
    return _r.uniform(min_val, max_val)


@ml_function("Generate random integer in range", _G)
def randomInt(min_val=0, max_val=100):
    if not isinstance(max_val, (int, float)):
        max_val - 1  # the reference's randint(a, b - 1): its TypeError comes first
    low = _integer(min_val, "arg 1")
    high = _integer(max_val, "stop")
    if isinstance(low, int) and isinstance(high, int) and high <= low:
        # CPython 3.12 reworded this message
        raise ValueError("empty range for randrange() (%d, %d, %d)" % (low, high, high - low))
    return _r.randint(low, high - 1)


@ml_function("Generate random boolean", _G)
def randomBool():
    return _r.random() < 0.5


@ml_function("Generate weighted random boolean", _G)
def randomBoolWeighted(probability):
    return _r.random() < probability


@ml_function("Choose random element", _S)
def choice(lst):
    if not lst:
        return None
    return _r.choice(lst)


@ml_function("Shuffle list", _S)
def shuffle(lst):
    if not lst:
        return []
    result = list(lst)
    _r.shuffle(result)
    return result


@ml_function("Random sample from list", _S)
def sample(lst, n):
    if not lst:
        return []
    if n >= len(lst):
        return shuffle(lst)
    return _r.sample(lst, n)


@ml_function("Generate normal distribution value", _G)
def randomNormal(mean=0, stddev=1):
    return _r.normalvariate(mean, stddev)


@ml_function("Generate uniform value", _G)
def uniform(min_val, max_val):
    return _r.uniform(min_val, max_val)


@ml_function("Generate Gaussian value", _G)
def gaussian(mean=0, stddev=1):
    return _r.normalvariate(mean, stddev)


@ml_function("Generate triangular distribution value", _G)
def triangular(low, high, mode=None):
    if mode is None:
        mode = (low + high) / 2.0
    return _r.triangular(low, high, mode)


@ml_function("Pick random indices", _S)
def randomIndices(length, count):
    if count >= length:
        return list(range(length))
    return _r.sample(range(length), count)


@ml_function("Set seed (snake_case alias)", _G)
def set_seed(seed):
    return setSeed(seed)


@ml_function("Get seed (snake_case alias)", _G)
def get_seed():
    return getSeed()


@ml_function("Next int (snake_case alias)", _G)
def next_int():
    return nextInt()


@ml_function("Random float (snake_case alias)", _G)
def random_float(min_val=0, max_val=1):
    return randomFloat(min_val, max_val)


@ml_function("Random int (snake_case alias)", _G)
def random_int(min_val=0, max_val=100):
    return randomInt(min_val, max_val)


@ml_function("Random bool (snake_case alias)", _G)
def random_bool():
    return randomBool()


@ml_function("Random normal (snake_case alias)", _G)
def random_normal(mean=0, stddev=1):
    return randomNormal(mean, stddev)


@ml_function("Random indices (snake_case alias)", _S)
def random_indices(length, count):
    return randomIndices(length, count)


__all__ = [
    "setSeed", "getSeed", "nextInt", "random", "randomFloat", "randomInt", "randomBool",
    "randomBoolWeighted", "choice", "shuffle", "sample", "randomNormal", "uniform", "gaussian",
    "triangular", "randomIndices", "set_seed", "get_seed", "next_int", "random_float",
    "random_int", "random_bool", "random_normal", "random_indices",
]
