"""path: path manipulation and directories. Listing (`path.read`) needs no grant; creating
and removing directories needs `path.write`, and removing one with the files in it
(`removeDirRecursive`) `file.delete` too."""

import glob as _glob
import os as _os
import shutil as _shutil

from mlpy_runtime.capabilities import ml_function

__mlpy_runtime__ = True
ML_DESCRIPTION = "Path manipulation and filesystem operations"


def _abs(path):
    """`path` made absolute, a leading `~` or `~/` standing for the home folder (what
    `home()` gives). `~name` is not looked up: finding another account's home reads the
    password database, a file no grant allows reading, and tells which accounts exist.

    Only a string names a file: `open` takes a number for a descriptor already open
    (`csv.read(0)` would read standard input and close it, `csv.write(1, …)` write to
    standard output and close it), and any other value fails somewhere inside in Python's
    words. Every runtime function that opens or changes a file by its path asks here."""
    if path.__class__ is not str:
        raise TypeError("a path must be a string, not %s" % _kind(path))
    if path == "~" or path.startswith("~/"):
        path = _os.path.expanduser(path)
    return _os.path.abspath(path)


def _kind(value):
    """What `value` is, in ML's words where ML has some (`typeof`)."""
    if value is None:
        return "null"
    from mlpy_runtime.builtins import typeof
    kind = typeof(value)
    return kind if kind != "unknown" else type(value).__name__


@ml_function("Join path components")
def join(*parts):
    return _os.path.join(*parts)


@ml_function("Get directory name from path")
def dirname(path):
    return _os.path.dirname(path)


@ml_function("Get filename from path")
def basename(path):
    return _os.path.basename(path)


@ml_function("Get file extension")
def extname(path):
    return _os.path.splitext(path)[1]


@ml_function("Split path into directory and filename")
def split(path):
    return list(_os.path.split(path))


@ml_function("Convert to absolute path")
def absolute(path):
    return _abs(path)


@ml_function("Normalize path")
def normalize(path):
    # os.fspath first, as 3.9-3.12's normpath does: 3.13's C normpath words a value that
    # is no path `_path_normpath: path should be string, bytes or os.PathLike, not int`
    return _os.path.normpath(_os.fspath(path))


@ml_function("Get relative path")
def relative(from_path, to_path):
    if not to_path:
        # checked before the type, as 3.9-3.12 do (3.13 checks the type first)
        raise ValueError("no path specified")
    return _os.path.relpath(to_path, from_path)


@ml_function("Check if path exists")
def exists(path):
    return _os.path.exists(_abs(path))


@ml_function("Check if path is a file")
def isFile(path):
    return _os.path.isfile(_abs(path))


@ml_function("Check if path is a directory")
def isDirectory(path):
    return _os.path.isdir(_abs(path))


@ml_function("Check if path is absolute")
def isAbsolute(path):
    return _os.path.isabs(path)


@ml_function("List directory contents", ["path.read"])
def listDir(dir_path="."):
    p = _abs(dir_path)
    if not _os.path.isdir(p):
        raise NotADirectoryError("Not a directory: %s" % dir_path)
    return sorted(_os.listdir(p))


@ml_function("List files matching glob pattern", ["path.read"])
def glob(pattern):
    if not _os.path.isabs(pattern):
        pattern = _os.path.join(_os.getcwd(), pattern)
    return sorted(_glob.glob(pattern, recursive=True))


@ml_function("Walk directory tree", ["path.read"])
def walk(dir_path, max_depth=-1):
    root_path = _abs(dir_path)
    found = []
    for root, dirs, files in _os.walk(root_path):
        depth = root[len(root_path):].count(_os.sep)
        if max_depth >= 0 and depth >= max_depth:
            dirs[:] = []
        for name in files:
            found.append(_os.path.relpath(_os.path.join(root, name), root_path))
    return sorted(found)


@ml_function("Create directory", ["path.write"])
def createDir(dir_path, parents=True):
    _os.makedirs(_abs(dir_path), exist_ok=True)


@ml_function("Remove empty directory", ["path.write"])
def removeDir(dir_path):
    _os.rmdir(_abs(dir_path))


@ml_function("Remove directory recursively", ["path.write", "file.delete"])
def removeDirRecursive(dir_path):
    _shutil.rmtree(_abs(dir_path))


@ml_function("Get current working directory")
def cwd():
    return _os.getcwd()


@ml_function("Get home directory")
def home():
    return _os.path.expanduser("~")


#: Where `tempDir` looks after TMPDIR, TEMP and TMP: Python's `tempfile` list, in order.
_SYSTEM_TEMP = (("~\\AppData\\Local\\Temp", "%SYSTEMROOT%\\Temp", "c:\\temp", "c:\\tmp",
                 "\\temp", "\\tmp") if _os.name == "nt" else ("/tmp", "/var/tmp", "/usr/tmp"))


@ml_function("Get temporary directory")
def tempDir():
    """The first of TMPDIR, TEMP, TMP and the system's usual places that names a folder
    this process may write in. Python's `tempfile.gettempdir` would find out by writing a
    file in each, which needs `file.write` (and its error lists every place it tried)."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        folder = _os.environ.get(name)
        if folder and _usable(folder):
            return _os.path.abspath(folder)
    for folder in _SYSTEM_TEMP:
        if _os.name == "nt":
            folder = _os.path.expandvars(_os.path.expanduser(folder))
        if _usable(folder):
            return _os.path.abspath(folder)
    # names no place it looked: those may be environment variables' values
    raise FileNotFoundError("No usable temporary directory found (TMPDIR, TEMP, TMP and the "
                            "system's usual places name no writable folder)")


def _usable(folder):
    return _os.path.isdir(folder) and _os.access(folder, _os.W_OK | _os.X_OK)


@ml_function("Get path separator for OS")
def separator():
    return _os.sep


@ml_function("Get path delimiter for OS")
def delimiter():
    return _os.pathsep


__all__ = [
    "join", "dirname", "basename", "extname", "split", "absolute", "normalize", "relative",
    "exists", "isFile", "isDirectory", "isAbsolute", "listDir", "glob", "walk", "createDir",
    "removeDir", "removeDirRecursive", "cwd", "home", "tempDir", "separator", "delimiter",
]
