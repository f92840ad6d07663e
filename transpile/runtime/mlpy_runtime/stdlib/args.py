"""args: command-line arguments. `all`, `script`, `rest` and `parse()` without an explicit
list read the process arguments and need the `args.read` grant; building a parser and parsing
a given list need none."""

import sys as _sys

from mlpy_runtime import capabilities as _caps
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "Command-line argument parsing"

_R = ["args.read"]


class ParsedArgs(MLObject):
    """The result of ArgParser.parse()."""

    ml_description = "Parsed command-line arguments container"

    def __init__(self):
        self._flags = {}
        self._options = {}
        self._positionals = {}

    def has(self, name):
        """Whether a flag, option or positional is present."""
        return name in self._flags or name in self._options or name in self._positionals

    def get(self, name, default=None):
        """Value of an option, positional or flag, else the default."""
        if name in self._options:
            return self._options[name]
        if name in self._positionals:
            return self._positionals[name]
        if name in self._flags:
            return self._flags[name]
        return default

    def get_bool(self, name):
        """Whether a flag was given."""
        return self._flags.get(name, False)

    def flags(self):
        """All flags as an object."""
        return dict(self._flags)

    def options(self):
        """All options as an object."""
        return dict(self._options)

    def positionals(self):
        """Positional values as an array."""
        return list(self._positionals.values())


class ArgParser(MLObject):
    """A command-line parser built from flags, options and positionals."""

    ml_description = "Command-line argument parser with schema-based validation"

    def __init__(self, name="", description=""):
        self.name = name
        self.description = description
        self.flags = {}
        self.options = {}
        self.positionals = []

    def add_flag(self, name, short, help_text):
        """Add a boolean flag `--name` / `-short`."""
        self.flags[name] = {"short": short, "help": help_text}

    def add_option(self, name, short, help_text, default):
        """Add an option taking a value."""
        self.options[name] = {"short": short, "help": help_text, "default": default}

    def add_positional(self, name, help_text, required=False):
        """Add a positional argument."""
        self.positionals.append({"name": name, "help": help_text, "required": required})

    def parse(self, argv=None):
        """Parse an argument list (default: the process arguments)."""
        if argv is None:
            _caps.check(_R, "ArgParser.parse()")
            argv = _sys.argv[1:]
        result = ParsedArgs()
        values = []
        i = 0
        while i < len(argv):
            arg = argv[i]
            if arg.startswith("--"):
                name = arg[2:]
                if name == "help":
                    result._flags["help"] = True
                    i += 1
                    continue
                if name in self.flags:
                    result._flags[name] = True
                elif name in self.options:
                    if i + 1 >= len(argv):
                        raise ValueError("Option --%s requires a value" % name)
                    result._options[name] = argv[i + 1]
                    i += 1
                else:
                    raise ValueError("Unknown option: %s" % arg)
            elif arg.startswith("-") and len(arg) > 1:
                shorts = arg[1:]
                if "h" in shorts:
                    result._flags["help"] = True
                for ch in shorts:
                    if ch == "h":
                        continue
                    found = False
                    for fname, fdata in self.flags.items():
                        if fdata["short"] == ch:
                            result._flags[fname] = True
                            found = True
                            break
                    if not found:
                        for oname, odata in self.options.items():
                            if odata["short"] == ch:
                                if i + 1 >= len(argv):
                                    raise ValueError("Option -%s requires a value" % ch)
                                result._options[oname] = argv[i + 1]
                                i += 1
                                found = True
                                break
                    if not found:
                        raise ValueError("Unknown option: -%s" % ch)
            else:
                values.append(arg)
            i += 1
        for name, data in self.options.items():
            if name not in result._options and data["default"] is not None:
                result._options[name] = data["default"]
        for index, pos in enumerate(self.positionals):
            if index < len(values):
                result._positionals[pos["name"]] = values[index]
            elif pos["required"]:
                raise ValueError("Required positional argument missing: %s" % pos["name"])
        return result

    def help(self):
        """Usage text."""
        lines = []
        if self.name:
            lines.append(self.name)
        if self.description:
            lines.append(self.description)
        usage = "Usage: script.ml [options]"
        for pos in self.positionals:
            usage += (" <%s>" if pos["required"] else " [%s]") % pos["name"]
        lines.append("")
        lines.append(usage)
        if self.positionals:
            lines.append("")
            lines.append("Positional Arguments:")
            for pos in self.positionals:
                req = "(required)" if pos["required"] else "(optional)"
                lines.append("  %-18s %s %s" % (pos["name"], pos["help"], req))
        lines.append("")
        lines.append("Options:")
        for name, data in self.flags.items():
            short = "-%s, " % data["short"] if data["short"] else "    "
            lines.append("  %s--%-15s %s" % (short, name, data["help"]))
        for name, data in self.options.items():
            short = "-%s, " % data["short"] if data["short"] else "    "
            text = data["help"]
            if data["default"] is not None:
                text += " (default: %s)" % (data["default"],)
            lines.append("  %s%-15s %s" % (short, "--%s VALUE" % name, text))
        lines.append("  -h, --help         Show this help message")
        return "\n".join(lines)


@ml_function("Get all command-line arguments", _R)
def all():
    return list(_sys.argv)


@ml_function("Get script name", _R)
def script():
    return _sys.argv[0] if _sys.argv else ""


@ml_function("Get arguments without script name", _R)
def rest():
    return _sys.argv[1:]


@ml_function("Create argument parser")
def create_parser(name="", description=""):
    return ArgParser(name, description)


__all__ = ["all", "script", "rest", "create_parser"]
