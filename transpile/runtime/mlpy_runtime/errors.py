"""Exception types raised by ML programs and by the runtime's security checks."""

__mlpy_runtime__ = True


class MLError(Exception):
    """Base class of the errors the ML runtime raises on purpose."""


class MLUserException(MLError):
    """What `throw {...}` raises. `str(e)` is the thrown object's `message`."""

    def __init__(self, data=None):
        if data is None:
            data = {}
        self.data = data
        # names kept from the reference implementation
        self.error_data = data
        self.context = data
        self.code = "ML_USER_EXCEPTION"
        if isinstance(data, dict):
            message = data.get("message", "User-defined exception")
            self.severity = data.get("severity", "medium")
        else:
            message = data
            self.severity = "medium"
        self.message = message
        super().__init__(message)

    def __str__(self):
        m = self.message
        return m if isinstance(m, str) else str(m)


class SecurityError(MLError):
    """A refused attribute access or call (dunders, reflection, non-whitelisted callables)."""


class CapabilityError(MLError):
    """A standard-library call that needs a capability that was not granted."""
