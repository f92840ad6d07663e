"""regex: regular expressions with Python `re` syntax. Flags are functions returning `re`
flag values (`regex.IGNORECASE()`); combine them with `+`."""

import re as _re

from mlpy_runtime.access import callback as _callback
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "Regular expression pattern matching with full Python re module support"


def _replacement(replacement):
    """A replacement string as it is; a function goes through the call gate and receives a
    Match object (re would otherwise call it directly with its own match type)."""
    if isinstance(replacement, str):
        return replacement
    replacement = _callback(replacement)  # refused now, even when nothing matches

    def replace(m):
        result = replacement(Match(m))
        return result if isinstance(result, str) else str(result)
    return replace


_C = ["regex.compile"]
_M = ["regex.match"]


def _invalid(pattern, e):
    return ValueError("Invalid regex pattern '%s': %s" % (pattern, e))


class Match(MLObject):
    """A successful match."""

    ml_description = "Regular expression match result with group access and position info"
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
        return self._m.expand(template)

    def toString(self):
        """Match(value='...', span=[s, e])."""
        return "Match(value=%r, span=%s)" % (self.value(), self.span())


class Pattern(MLObject):
    """A compiled regular expression."""

    ml_description = "Compiled regular expression pattern with search methods"
    __slots__ = ("pattern", "flags", "_c")

    def __init__(self, pattern, flags=0):
        self.pattern = pattern
        self.flags = flags
        try:
            self._c = _re.compile(pattern, flags)
        except _re.error as e:
            raise _invalid(pattern, e) from None

    def _args(self, pos, endpos):
        return (pos,) if endpos is None else (pos, endpos)

    def search(self, text, pos=0, endpos=None):
        """Find the pattern anywhere in the text: a Match or null."""
        m = self._c.search(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def match(self, text, pos=0, endpos=None):
        """Match at the start of the text: a Match or null."""
        m = self._c.match(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def fullmatch(self, text, pos=0, endpos=None):
        """Match the whole text: a Match or null."""
        m = self._c.fullmatch(text, *self._args(pos, endpos))
        return Match(m) if m else None

    def findall(self, text, pos=0, endpos=None):
        """All non-overlapping matches as strings."""
        return self._c.findall(text, *self._args(pos, endpos))

    def finditer(self, text, pos=0, endpos=None):
        """All non-overlapping matches as Match objects."""
        return [Match(m) for m in self._c.finditer(text, *self._args(pos, endpos))]

    def split(self, text, maxsplit=0):
        """Split the text at matches."""
        return self._c.split(text, maxsplit)

    def sub(self, replacement, text, count=0):
        """Replace matches."""
        return self._c.sub(_replacement(replacement), text, count)

    def subn(self, replacement, text, count=0):
        """Replace matches: {result, count}."""
        result, n = self._c.subn(_replacement(replacement), text, count)
        return {"result": result, "count": n}

    def test(self, text):
        """Whether the pattern matches anywhere."""
        return self._c.search(text) is not None

    def count(self, text):
        """Number of non-overlapping matches."""
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
        m = _re.search(pattern, text, flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    return Match(m) if m else None


@ml_function("Match pattern from start of string", _M)
def match(pattern, text, flags=0):
    try:
        m = _re.match(pattern, text, flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    return Match(m) if m else None


@ml_function("Match entire string against pattern", _M)
def fullmatch(pattern, text, flags=0):
    try:
        m = _re.fullmatch(pattern, text, flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    return Match(m) if m else None


@ml_function("Find all non-overlapping matches", _M)
def findall(pattern, text, flags=0):
    try:
        return _re.findall(pattern, text, flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None


@ml_function("Find all matches as Match objects", _M)
def finditer(pattern, text, flags=0):
    try:
        return [Match(m) for m in _re.finditer(pattern, text, flags)]
    except _re.error as e:
        raise _invalid(pattern, e) from None


@ml_function("Split string by pattern", _M)
def split(pattern, text, maxsplit=0, flags=0):
    try:
        return _re.split(pattern, text, maxsplit=maxsplit, flags=flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None


@ml_function("Replace matches with replacement", _M)
def sub(pattern, replacement, text, count=0, flags=0):
    try:
        return _re.sub(pattern, _replacement(replacement), text, count=count, flags=flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None


@ml_function("Replace matches and return count", _M)
def subn(pattern, replacement, text, count=0, flags=0):
    try:
        result, n = _re.subn(pattern, _replacement(replacement), text, count=count, flags=flags)
    except _re.error as e:
        raise _invalid(pattern, e) from None
    return {"result": result, "count": n}


@ml_function("Escape special regex characters")
def escape(text):
    return _re.escape(text)


@ml_function("Test if pattern is valid regex")
def isValid(pattern):
    try:
        _re.compile(pattern)
        return True
    except _re.error:
        return False


@ml_function("Test if pattern matches text", _M)
def test(pattern, text, flags=0):
    try:
        return _re.search(pattern, text, flags) is not None
    except _re.error as e:
        raise _invalid(pattern, e) from None


@ml_function("Count number of matches", _M)
def count(pattern, text, flags=0):
    try:
        return len(_re.findall(pattern, text, flags))
    except _re.error as e:
        raise _invalid(pattern, e) from None


__all__ = [
    "IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII", "UNICODE", "compile", "search",
    "match", "fullmatch", "findall", "finditer", "split", "sub", "subn", "escape", "isValid",
    "test", "count",
]
