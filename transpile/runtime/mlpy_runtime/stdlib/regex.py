"""regex: regular expressions with Python `re` syntax. Flags are functions returning `re`
flag values (`regex.IGNORECASE()`); combine them with `+`."""

import re as _re
import warnings as _warnings

try:  # the parser behind `re.compile`: `re._parser` since CPython 3.11
    from re import _parser as _sre_parse
except ImportError:  # 3.9, 3.10
    import sre_parse as _sre_parse

from mlpy_runtime.access import callback as _callback
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "Regular expression pattern matching with full Python re module support"


def _replacement(replacement):
    """A replacement string as it is; a function goes through the call gate and receives a
    Match object (re would otherwise call it directly with its own match type). Any other
    value goes to `re` too, which refuses it in its own words, as in the reference
    (`decoding to str: need a bytes-like object, int found`)."""
    if isinstance(replacement, str) or not callable(replacement):
        return replacement
    replacement = _callback(replacement)  # refused now, even when nothing matches

    def replace(m):
        result = replacement(Match(m))
        return result if isinstance(result, str) else str(result)
    return replace


_NOT_TEXT = "expected string or bytes-like object"


def _text_error(e, text):
    """The TypeError `e` of a search in `text`, worded as CPython 3.11 words it on every
    version: 3.11 names the type of a text that is not a string (`expected string or
    bytes-like object, got 'int'`), 3.9 and 3.10 do not."""
    if str(e) == _NOT_TEXT:
        return TypeError("%s, got '%s'" % (_NOT_TEXT, type(text).__name__))
    return e


class _Searching:
    """`with _Searching(text):` around a compiled pattern's search of `text`: its TypeError
    gets `_text_error`'s words."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __enter__(self):
        return self

    def __exit__(self, kind, e, tb):
        if kind is TypeError:
            better = _text_error(e, self.text)
            if better is not e:
                raise better from None
        return False


_C = ["regex.compile"]
_M = ["regex.match"]


def _invalid(pattern, e):
    return ValueError("Invalid regex pattern '%s': %s" % (pattern, e))


# ML's regex syntax is the one every supported Python reads alike: CPython 3.11 added atomic
# groups `(?>...)` and possessive quantifiers `*+ ++ ?+ {m,n}+` (3.9 and 3.10 refuse them:
# "unknown extension ?>", "multiple repeat"), and made global flags after the start
# (`a(?i)b`) an error (3.9 and 3.10 only warned and applied them to the whole pattern). ML
# refuses all three on every version, with the messages of the version that refuses.
_NEWER_SYNTAX = ("(?", "*+", "++", "?+", "}+")
_MISPLACED_FLAGS = _re.compile(r"Flags not at the start of the expression .* but at position (\d+)",
                               _re.DOTALL)
_QUANTIFIER = _re.compile(r"\{\d*(?:,\d*)?\}")


def _walk_ops(tree):
    """The names of every opcode in a parsed pattern."""
    for op, av in tree:
        yield getattr(op, "name", str(op))
        stack = [av]
        while stack:
            item = stack.pop()
            if isinstance(item, (tuple, list)):
                stack.extend(item)
            elif hasattr(item, "data"):
                yield from _walk_ops(item)


def _newer_construct(pattern, verbose):
    """(message, position) of the first atomic group or possessive quantifier, as CPython
    3.9's parser reports it."""
    i, n, after_repeat = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i, after_repeat = i + 2, False
        elif c == "[":
            j = i + 1
            if pattern.startswith("^", j):
                j += 1
            if pattern.startswith("]", j):
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i, after_repeat = j + 1, False
        elif verbose and c in " \t\n\r\v\f":
            i += 1
        elif verbose and c == "#":
            end = pattern.find("\n", i)
            i = n if end < 0 else end + 1
        elif pattern.startswith("(?>", i):
            return "unknown extension ?>", i + 1
        elif c in "*+?" or (c == "{" and _QUANTIFIER.match(pattern, i)):
            if after_repeat and c == "+":
                return "multiple repeat", i
            after_repeat = c != "?" or not after_repeat  # `*?` is lazy, not a repeat of `*`
            i = _QUANTIFIER.match(pattern, i).end() if c == "{" else i + 1
        else:
            i, after_repeat = i + 1, False
    return None


def _compile(pattern, flags=0):
    """`re.compile` with ML's syntax (above) on every Python version."""
    if isinstance(pattern, str) and (flags & _re.VERBOSE or
                                     any(s in pattern for s in _NEWER_SYNTAX)):
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always", DeprecationWarning)
            tree = _sre_parse.parse(pattern, flags)
        for warning in caught:
            m = _MISPLACED_FLAGS.search(str(warning.message))
            if m is not None:
                raise _re.error("global flags not at the start of the expression", pattern,
                                int(m.group(1)))
        if any(op in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT") for op in _walk_ops(tree)):
            found = _newer_construct(pattern, bool(tree.state.flags & _re.VERBOSE))
            message, position = found or ("atomic groups and possessive quantifiers are not "
                                          "supported", None)
            raise _re.error(message, pattern, position)
    return _re.compile(pattern, flags)


class Match(MLObject):
    """A successful match."""

    ml_description = "Regular expression match result with group access and position info"
    _ml_method_descriptions = {
        "group": "Get matched text or captured group",
        "groups": "Get all captured groups as array", "groupDict": "Get named groups as object",
        "start": "Get start position of matched group", "end": "Get end position of matched group",
        "span": "Get (start, end) span of matched group", "value": "Get full matched text",
        "lastGroup": "Get last matched group name",
        "groupCount": "Get number of groups in pattern",
        "expand": "Expand template with backreferences",
        "toString": "Get string representation of match",
    }
    __slots__ = ("_m",)

    def __init__(self, m):
        self._m = m

    def group(self, group_id=0):
        """Matched text of a group (0 = whole match) by index or name; null if unknown."""
        try:
            return self._m.group(group_id)
        except (IndexError, KeyError):
            return None

    def groups(self):
        """All captured groups as an array."""
        return list(self._m.groups())

    def groupDict(self, default=None):
        """Named groups as an object."""
        return self._m.groupdict(default)

    def start(self, group=0):
        """Start position of a group (-1 on error)."""
        try:
            return self._m.start(group)
        except IndexError:
            return -1

    def end(self, group=0):
        """End position of a group (-1 on error)."""
        try:
            return self._m.end(group)
        except IndexError:
            return -1

    def span(self, group=0):
        """[start, end] of a group ([-1, -1] on error)."""
        try:
            s, e = self._m.span(group)
            return [s, e]
        except IndexError:
            return [-1, -1]

    def value(self):
        """The whole matched text."""
        return self._m.group(0)

    def lastGroup(self):
        """Name of the last matched group, or null."""
        return self._m.lastgroup

    def groupCount(self):
        """Number of groups in the pattern."""
        return len(self._m.groups())

    def expand(self, template):
        """Expand a template with backreferences."""
        if not isinstance(template, (str, bytes, bytearray)):
            # CPython 3.12 caches templates by value: an array or object template fails
            # there as `unhashable type: 'list'`; the reference's (3.11) words
            raise TypeError("decoding to str: need a bytes-like object, %s found"
                            % type(template).__name__)
        return self._m.expand(template)

    def toString(self):
        """Match(value='...', span=[s, e])."""
        return "Match(value=%r, span=%s)" % (self.value(), self.span())


class Pattern(MLObject):
    """A compiled regular expression."""

    ml_description = "Compiled regular expression pattern with search methods"
    _ml_method_descriptions = {
        "search": "Search for pattern anywhere in string",
        "match": "Match pattern from start of string",
        "fullmatch": "Match entire string against pattern",
        "findall": "Find all non-overlapping matches",
        "finditer": "Find all matches as Match objects", "split": "Split string by pattern",
        "sub": "Replace matches with replacement", "subn": "Replace matches and return count",
        "test": "Test if pattern matches text", "count": "Count number of matches",
        "getPattern": "Get pattern string", "getFlags": "Get pattern flags",
        "toString": "Get string representation",
    }
    __slots__ = ("pattern", "flags", "_c")

    def __init__(self, pattern, flags=0):
        self.pattern = pattern
        self.flags = flags
        try:
            self._c = _compile(pattern, flags)
        except _re.error as e:
            raise _invalid(pattern, e) from None

    def _args(self, pos, endpos):
        return (pos,) if endpos is None else (pos, endpos)

    def search(self, text, pos=0, endpos=None):
        """Find the pattern anywhere in the text: a Match or null."""
        with _Searching(text):
            m = self._c.search(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def match(self, text, pos=0, endpos=None):
        """Match at the start of the text: a Match or null."""
        with _Searching(text):
            m = self._c.match(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def fullmatch(self, text, pos=0, endpos=None):
        """Match the whole text: a Match or null."""
        with _Searching(text):
            m = self._c.fullmatch(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def findall(self, text, pos=0, endpos=None):
        """All non-overlapping matches as strings."""
        with _Searching(text):
            return self._c.findall(text, *self._args(pos, endpos))

    def finditer(self, text, pos=0, endpos=None):
        """All non-overlapping matches as Match objects."""
        with _Searching(text):
            found = self._c.finditer(text, *self._args(pos, endpos))
        return [Match(m) for m in found]

    def split(self, text, maxsplit=0):
        """Split the text at matches."""
        with _Searching(text):
            return self._c.split(text, maxsplit)

    def sub(self, replacement, text, count=0):
        """Replace matches."""
        with _Searching(text):
            return self._c.sub(_replacement(replacement), text, count)

    def subn(self, replacement, text, count=0):
        """Replace matches: {result, count}."""
        with _Searching(text):
            result, n = self._c.subn(_replacement(replacement), text, count)
        return {"result": result, "count": n}

    def test(self, text):
        """Whether the pattern matches anywhere."""
        with _Searching(text):
            return self._c.search(text) is not None

    def count(self, text):
        """Number of non-overlapping matches."""
        with _Searching(text):
            return len(self._c.findall(text))

    def getPattern(self):
        """The pattern text."""
        return self.pattern

    def getFlags(self):
        """The flags value."""
        return self.flags

    def toString(self):
        """Pattern('<p>'[, flags=IGNORECASE | ...])."""
        names = []
        if self.flags & _re.IGNORECASE:
            names.append("IGNORECASE")
        if self.flags & _re.MULTILINE:
            names.append("MULTILINE")
        if self.flags & _re.DOTALL:
            names.append("DOTALL")
        if self.flags & _re.VERBOSE:
            names.append("VERBOSE")
        extra = ", flags=" + " | ".join(names) if names else ""
        return "Pattern(%r%s)" % (self.pattern, extra)


@ml_function("Case-insensitive matching flag")
def IGNORECASE():
    return _re.IGNORECASE


@ml_function("Multiline mode flag")
def MULTILINE():
    return _re.MULTILINE


@ml_function("Dot matches newline flag")
def DOTALL():
    return _re.DOTALL


@ml_function("Verbose regex flag")
def VERBOSE():
    return _re.VERBOSE


@ml_function("ASCII-only matching flag")
def ASCII():
    return _re.ASCII


@ml_function("Unicode matching flag")
def UNICODE():
    return _re.UNICODE


@ml_function("Compile regex pattern", _C)
def compile(pattern, flags=0):
    return Pattern(pattern, flags)


@ml_function("Search for pattern in string", _M)
def search(pattern, text, flags=0):
    try:
        m = _compile(pattern, flags).search(text)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None
    return Match(m) if m else None


@ml_function("Match pattern from start of string", _M)
def match(pattern, text, flags=0):
    try:
        m = _compile(pattern, flags).match(text)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None
    return Match(m) if m else None


@ml_function("Match entire string against pattern", _M)
def fullmatch(pattern, text, flags=0):
    try:
        m = _compile(pattern, flags).fullmatch(text)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None
    return Match(m) if m else None


@ml_function("Find all non-overlapping matches", _M)
def findall(pattern, text, flags=0):
    try:
        return _compile(pattern, flags).findall(text)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


@ml_function("Find all matches as Match objects", _M)
def finditer(pattern, text, flags=0):
    try:
        return [Match(m) for m in _compile(pattern, flags).finditer(text)]
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


@ml_function("Split string by pattern", _M)
def split(pattern, text, maxsplit=0, flags=0):
    try:
        return _compile(pattern, flags).split(text, maxsplit=maxsplit)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


@ml_function("Replace matches with replacement", _M)
def sub(pattern, replacement, text, count=0, flags=0):
    try:
        return _compile(pattern, flags).sub(_replacement(replacement), text, count=count)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


@ml_function("Replace matches and return count", _M)
def subn(pattern, replacement, text, count=0, flags=0):
    try:
        result, n = _compile(pattern, flags).subn(_replacement(replacement), text, count=count)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None
    return {"result": result, "count": n}


@ml_function("Escape special regex characters")
def escape(text):
    return _re.escape(text)


@ml_function("Test if pattern is valid regex")
def isValid(pattern):
    try:
        _compile(pattern)
        return True
    except _re.error:
        return False


@ml_function("Test if pattern matches text", _M)
def test(pattern, text, flags=0):
    try:
        return _compile(pattern, flags).search(text) is not None
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


@ml_function("Count number of matches", _M)
def count(pattern, text, flags=0):
    try:
        return len(_compile(pattern, flags).findall(text))
    except _re.error as e:
        raise _invalid(pattern, e) from None
    except TypeError as e:
        raise _text_error(e, text) from None


__all__ = [
    "IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII", "UNICODE", "compile", "search",
    "match", "fullmatch", "findall", "finditer", "split", "sub", "subn", "escape", "isValid",
    "test", "count",
]
