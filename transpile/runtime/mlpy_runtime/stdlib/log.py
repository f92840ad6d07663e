"""log: leveled logging to stdout as `[YYYY-MM-DD HH:MM:SS] LEVEL: message`, structured data
appended as ` | k=v, ...`, or JSON with `set_format("json")`. Loggers with the same name share
their level and outputs. `add_file` also needs the `file.write` grant."""

import json as _json
import sys as _sys
import time as _time
from datetime import datetime as _datetime, timezone as _timezone

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.stdlib.path import _abs
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "Structured logging with levels, formatting, and multiple outputs"

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_W = ["log.write"]


def _level(name):
    """The number of a level name, any case; an unknown name is INFO. A name that is not a
    string is refused by `upper`, as in the reference (`'int' object has no attribute
    'upper'`)."""
    return _LEVELS.get(name.upper(), 20)


class _Channel:
    """State shared by the loggers of one name: level and outputs."""

    __slots__ = ("level", "outputs")

    def __init__(self):
        self.level = 20
        # each output: [target, format] with target None for stdout or a file path
        self.outputs = [[None, "text"]]


_channels = {}


def _channel(name):
    ch = _channels.get(name)
    if ch is None:
        ch = _channels[name] = _Channel()
    return ch


class Logger(MLObject):
    """A named logger."""

    ml_description = "Named logger instance with configurable formatting and outputs"

    def __init__(self, name="default", level="INFO", format_type="text"):
        self.name = name
        self._ch = _channel(name)
        self._ch.level = _level(level)
        self.format_type = format_type
        self.include_timestamp = True

    def _emit(self, levelno, levelname, short_level, message, data):
        if levelno < self._ch.level:
            return
        if self.format_type == "json":
            entry = {"message": message, "level": short_level, "logger": self.name}
            if self.include_timestamp:
                entry["timestamp"] = _datetime.now(_timezone.utc).replace(tzinfo=None).isoformat() + "Z"
            if data:
                entry["data"] = data
            text = _json.dumps(entry)
        else:
            text = "%s" % (message,)
            if data:
                text += " | " + ", ".join("%s=%s" % (k, v) for k, v in data.items())
        stamp = None
        for output in self._ch.outputs:
            if output[1] == "json":
                line = text
            else:
                if stamp is None:
                    stamp = _time.strftime("%Y-%m-%d %H:%M:%S")
                line = "[%s] %s: %s" % (stamp, levelname, text)
            if output[0] is None:
                _sys.stdout.write(line + "\n")
                _sys.stdout.flush()
            else:
                with open(output[0], "a", encoding="utf-8") as f:
                    f.write(line + "\n")

    def debug(self, message, data=None):
        """Log at DEBUG level."""
        self._emit(10, "DEBUG", "DEBUG", message, data)

    def info(self, message, data=None):
        """Log at INFO level."""
        self._emit(20, "INFO", "INFO", message, data)

    def warn(self, message, data=None):
        """Log at WARNING level."""
        self._emit(30, "WARNING", "WARN", message, data)

    def error(self, message, data=None):
        """Log at ERROR level."""
        self._emit(40, "ERROR", "ERROR", message, data)

    def critical(self, message, data=None):
        """Log at CRITICAL level."""
        self._emit(50, "CRITICAL", "CRITICAL", message, data)

    def is_debug(self):
        """Whether DEBUG messages are shown."""
        return self._ch.level <= 10

    def set_level(self, level):
        """Set the level: DEBUG, INFO, WARN/WARNING, ERROR or CRITICAL."""
        self._ch.level = _level(level)

    @ml_function("Add file output destination", ["log.write", "file.write"])
    def add_file(self, file_path):
        """Also write messages to a file."""
        # made absolute now: the file named when it was added, wherever the program is later
        self._ch.outputs.append([_abs(file_path),
                                 "json" if self.format_type == "json" else "text"])

    def set_format(self, format_type):
        """"text" or "json"."""
        self.format_type = format_type
        for output in self._ch.outputs:
            output[1] = "json" if format_type == "json" else "text"

    def set_timestamp(self, enabled):
        """Include a timestamp in JSON output."""
        self.include_timestamp = enabled


_default = Logger("default")


@ml_function("Log debug level message", _W)
def debug(message, data=None):
    _default.debug(message, data)


@ml_function("Log info level message", _W)
def info(message, data=None):
    _default.info(message, data)


@ml_function("Log warning message", _W)
def warn(message, data=None):
    _default.warn(message, data)


@ml_function("Log error message", _W)
def error(message, data=None):
    _default.error(message, data)


@ml_function("Log critical message", _W)
def critical(message, data=None):
    _default.critical(message, data)


@ml_function("Set logging level", _W)
def set_level(level):
    _default.set_level(level)


@ml_function("Set log output format", _W)
def set_format(format_type):
    _default.set_format(format_type)


@ml_function("Add file output destination", ["log.write", "file.write"])
def add_file(file_path):
    _default.add_file(file_path)


@ml_function("Enable or disable timestamps", _W)
def set_timestamp(enabled):
    _default.set_timestamp(enabled)


@ml_function("Check if debug logging is enabled")
def is_debug():
    return _default.is_debug()


@ml_function("Create named logger instance")
def create_logger(name):
    return Logger(name)


__all__ = [
    "debug", "info", "warn", "error", "critical", "set_level", "set_format", "add_file",
    "set_timestamp", "is_debug", "create_logger",
]
