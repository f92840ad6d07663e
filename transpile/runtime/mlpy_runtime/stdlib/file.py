"""file: file I/O. Reading, writing, appending and deleting need the `file.*` grants;
`exists`, `size`, `modifiedTime`, `isFile` and `isDirectory` need none. Paths are made
absolute, `~` and `~/` standing for the home folder."""

import os as _os
import shutil as _shutil

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.stdlib.path import _abs

__mlpy_runtime__ = True
ML_DESCRIPTION = "File I/O operations with capability-based security"


def _parent(path):
    d = _os.path.dirname(path)
    if d:
        _os.makedirs(d, exist_ok=True)


@ml_function("Read entire file as string", ["file.read"])
def read(path, encoding="utf-8"):
    with open(_abs(path), "r", encoding=encoding) as f:
        return f.read()


@ml_function("Read file as binary bytes", ["file.read"])
def readBytes(path):
    with open(_abs(path), "rb") as f:
        return f.read()


@ml_function("Read file as array of lines", ["file.read"])
def readLines(path, encoding="utf-8"):
    with open(_abs(path), "r", encoding=encoding) as f:
        return [line.rstrip("\n\r") for line in f.readlines()]


@ml_function("Write string to file", ["file.write"])
def write(path, content, encoding="utf-8"):
    p = _abs(path)
    _parent(p)
    with open(p, "w", encoding=encoding) as f:
        f.write(content)


@ml_function("Write bytes to file", ["file.write"])
def writeBytes(path, data):
    p = _abs(path)
    _parent(p)
    with open(p, "wb") as f:
        f.write(data)


@ml_function("Write array of lines to file", ["file.write"])
def writeLines(path, lines, encoding="utf-8"):
    p = _abs(path)
    _parent(p)
    with open(p, "w", encoding=encoding) as f:
        for line in lines:
            f.write(str(line) + "\n")


@ml_function("Append string to file", ["file.append"])
def append(path, content, encoding="utf-8"):
    p = _abs(path)
    _parent(p)
    with open(p, "a", encoding=encoding) as f:
        f.write(content)


@ml_function("Check if file/directory exists")
def exists(path):
    return _os.path.exists(_abs(path))


@ml_function("Delete file", ["file.delete"])
def delete(path):
    p = _abs(path)
    if not _os.path.exists(p):
        return False
    if _os.path.isfile(p):
        _os.remove(p)
        return True
    raise ValueError("Not a file: %s (use path.removeDir for directories)" % path)


@ml_function("Copy file", ["file.read", "file.write"])
def copy(source, destination):
    src, dst = _abs(source), _abs(destination)
    _parent(dst)
    _shutil.copy2(src, dst)


@ml_function("Move/rename file", ["file.read", "file.write", "file.delete"])
def move(source, destination):
    src, dst = _abs(source), _abs(destination)
    _parent(dst)
    _shutil.move(src, dst)


@ml_function("Get file size in bytes")
def size(path):
    return _os.path.getsize(_abs(path))


@ml_function("Get file modification time")
def modifiedTime(path):
    return _os.path.getmtime(_abs(path))


@ml_function("Check if path is a file")
def isFile(path):
    return _os.path.isfile(_abs(path))


@ml_function("Check if path is a directory")
def isDirectory(path):
    return _os.path.isdir(_abs(path))


__all__ = [
    "read", "readBytes", "readLines", "write", "writeBytes", "writeLines", "append", "exists",
    "delete", "copy", "move", "size", "modifiedTime", "isFile", "isDirectory",
]
