"""`MLObject`: base class of the objects standard-library functions return.

Public methods and public attributes (names not starting with `_`) are reachable from ML;
`typeof` gives `ml_type_name` (the class name unless overridden); `help` shows
`ml_description`.
"""

__mlpy_runtime__ = True


class MLObject:
    """Base class of runtime objects visible to ML programs (Pattern, Match, Logger, ...)."""

    __slots__ = ()
    #: what `typeof` returns; None means the class name
    ml_type_name = None
    #: one-line description shown by `help`
    ml_description = ""
    #: what `help(obj.method)` shows for each method, the reference's words (its methods were
    #: `@ml_function`s with a description); a method not listed shows its docstring
    _ml_method_descriptions = {}

    @classmethod
    def ml_type(cls):
        return cls.ml_type_name or cls.__name__

    @classmethod
    def ml_methods(cls):
        """Sorted names of the ML-visible methods of this class."""
        names = set()
        for klass in cls.__mro__:
            if klass is MLObject or klass is object:
                continue
            for n, v in vars(klass).items():
                if not n.startswith("_") and callable(v) and n not in ("ml_type", "ml_methods"):
                    names.add(n)
        return sorted(names)
