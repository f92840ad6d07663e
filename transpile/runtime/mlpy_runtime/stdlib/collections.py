"""collections: pure list functions; the list comes first, then the function.
Every function returns a new list."""

from mlpy_runtime.access import callback as _callback, sliceable as _sliceable
from mlpy_runtime.access import str_method as _str_method
from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Functional list and array manipulation utilities"

_R = ["collections.read"]
_T = ["collections.transform"]


@ml_function("Get length of list", _R)
def length(lst):
    return len(lst)


@ml_function("Append element to list", _T)
def append(lst, element):
    return lst + [element]


@ml_function("Prepend element to list", _T)
def prepend(lst, element):
    return [element] + lst


@ml_function("Concatenate two lists", _T)
def concat(lst1, lst2):
    return lst1 + lst2


@ml_function("Get element at index", _R)
def get(lst, index):
    try:
        return lst[index]
    except IndexError:
        return None


@ml_function("Get first element", _R)
def first(lst):
    return lst[0] if lst else None


@ml_function("Get last element", _R)
def last(lst):
    return lst[-1] if lst else None


@ml_function("Create slice of list", _T)
def slice(lst, start, end=None):
    if end is None:
        return _sliceable(lst)[start:]
    return _sliceable(lst)[start:end]


@ml_function("Reverse list", _T)
def reverse(lst):
    return _sliceable(lst)[::-1]


@ml_function("Check if list contains element", _R)
def contains(lst, element):
    return element in lst


@ml_function("Find index of element", _R)
def indexOf(lst, element):
    try:
        if lst.__class__ is str:
            # the argument errors worded alike on every version, as `"ab".index(2)` is
            return _str_method("index")(lst, element)
        return lst.index(element)
    except ValueError:
        return -1


@ml_function("Filter list elements", _T)
def filter(lst, predicate):
    predicate = _callback(predicate)
    return [item for item in lst if predicate(item)]


@ml_function("Transform list elements", _T)
def map(lst, transform):
    transform = _callback(transform)
    return [transform(item) for item in lst]


@ml_function("Find first matching element", _R)
def find(lst, predicate):
    predicate = _callback(predicate)
    for item in lst:
        if predicate(item):
            return item
    return None


@ml_function("Reduce list to single value", _T)
def reduce(lst, reducer, initial):
    reducer = _callback(reducer)
    result = initial
    for item in lst:
        result = reducer(result, item)
    return result


@ml_function("Remove element at index", _T)
def removeAt(lst, index):
    if 0 <= index < len(lst):
        return _sliceable(lst)[:index] + lst[index + 1:]
    return lst


@ml_function("Check if list is empty", _R)
def isEmpty(lst):
    return len(lst) == 0


@ml_function("Take first N elements", _T)
def take(lst, count):
    return _sliceable(lst)[:count]


@ml_function("Drop first N elements", _T)
def drop(lst, count):
    return _sliceable(lst)[count:]


@ml_function("Create list with unique elements", _T)
def unique(lst):
    seen = set()
    result = []
    for item in lst:
        try:
            if item in seen:
                continue
            seen.add(item)
            result.append(item)
        except TypeError:
            if item not in result:
                result.append(item)
    return result


@ml_function("Flatten nested list one level", _T)
def flatten(lst):
    result = []
    for item in lst:
        if isinstance(item, list):
            result.extend(item)
        else:
            result.append(item)
    return result


@ml_function("Zip two lists together", _T)
def zip(lst1, lst2):
    import builtins
    return list(builtins.zip(lst1, lst2))


@ml_function("Sort list", _T)
def sort(lst, reverse=False):
    return sorted(lst, reverse=bool(reverse))


@ml_function("Sort list by key function", _T)
def sortBy(lst, key_fn, reverse=False):
    return sorted(lst, key=_callback(key_fn), reverse=bool(reverse))


@ml_function("Check if all elements match predicate", _R)
def every(lst, predicate):
    predicate = _callback(predicate)
    for item in lst:
        if not predicate(item):
            return False
    return True


@ml_function("Check if any element matches predicate", _R)
def some(lst, predicate):
    predicate = _callback(predicate)
    for item in lst:
        if predicate(item):
            return True
    return False


@ml_function("Split list into chunks of size n", _T)
def chunk(lst, size):
    if size <= 0:
        return []
    return [_sliceable(lst)[i:i + size] for i in range(0, len(lst), size)]


# the reference's words: its alias reused get's description
@ml_function("Get element at index (snake_case alias)", _R)
def index_of(lst, element):
    return indexOf(lst, element)


@ml_function("Remove at index (snake_case alias)", _T)
def remove_at(lst, index):
    return removeAt(lst, index)


@ml_function("Check if empty (snake_case alias)", _R)
def is_empty(lst):
    return isEmpty(lst)


__all__ = [
    "length", "append", "prepend", "concat", "get", "first", "last", "slice", "reverse",
    "contains", "indexOf", "filter", "map", "find", "reduce", "removeAt", "isEmpty", "take",
    "drop", "unique", "flatten", "zip", "sort", "sortBy", "every", "some", "chunk", "index_of",
    "remove_at", "is_empty",
]
