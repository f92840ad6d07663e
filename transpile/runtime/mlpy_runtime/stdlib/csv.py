"""csv: CSV text. Parsing and producing strings needs no grant; reading files needs
`file.read`, writing `file.write`."""

import csv as _csv
import io as _io

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.stdlib.path import _abs

__mlpy_runtime__ = True
ML_DESCRIPTION = "CSV file reading and writing with support for headers"

_R = ["file.read"]
_W = ["file.write"]


def _rows(reader, headers):
    if headers:
        header_row = next(reader, None)
        if header_row is None:
            return []
        result = []
        for row in reader:
            if not row:
                continue
            obj = {}
            for i, value in enumerate(row):
                if i < len(header_row):
                    obj[header_row[i]] = value
            result.append(obj)
        return result
    return [row for row in reader if row]


def _write_rows(writer, data, headers):
    first = data[0]
    if isinstance(first, dict):
        header_row = list(first.keys())
        if headers and header_row:
            writer.writerow(header_row)
        for item in data:
            if isinstance(item, dict):
                keys = header_row if headers else item.keys()
                writer.writerow([item.get(k, "") for k in keys])
    else:
        for row in data:
            writer.writerow(row if isinstance(row, (list, tuple)) else [row])


@ml_function("Read CSV file", _R)
def read(file_path, delimiter=",", headers=True, encoding="utf-8"):
    with open(_abs(file_path), "r", encoding=encoding, newline="") as f:
        return _rows(_csv.reader(f, delimiter=delimiter), headers)


@ml_function("Write CSV file", _W)
def write(file_path, data, delimiter=",", headers=True, encoding="utf-8"):
    with open(_abs(file_path), "w", encoding=encoding, newline="") as f:
        if data:
            _write_rows(_csv.writer(f, delimiter=delimiter), data, headers)


@ml_function("Read CSV as string")
def read_string(csv_string, delimiter=",", headers=True):
    return _rows(_csv.reader(_io.StringIO(csv_string), delimiter=delimiter), headers)


@ml_function("Write CSV to string")
def write_string(data, delimiter=",", headers=True):
    if not data:
        return ""
    out = _io.StringIO()
    _write_rows(_csv.writer(out, delimiter=delimiter), data, headers)
    return out.getvalue()


@ml_function("Count rows in CSV file", _R)
def count_rows(file_path, delimiter=",", encoding="utf-8"):
    with open(_abs(file_path), "r", encoding=encoding, newline="") as f:
        reader = _csv.reader(f, delimiter=delimiter)
        next(reader, None)
        return sum(1 for row in reader if row)


@ml_function("Get CSV headers", _R)
def get_headers(file_path, delimiter=",", encoding="utf-8"):
    with open(_abs(file_path), "r", encoding=encoding, newline="") as f:
        return next(_csv.reader(f, delimiter=delimiter), None) or []


@ml_function("Append row to CSV file", ["file.read", "file.write"])
def append(file_path, row, delimiter=",", encoding="utf-8"):
    header_row = None
    if isinstance(row, dict):
        try:
            with open(_abs(file_path), "r", encoding=encoding, newline="") as rf:
                header_row = next(_csv.reader(rf, delimiter=delimiter), None)
        except OSError:
            header_row = None
    with open(_abs(file_path), "a", encoding=encoding, newline="") as f:
        writer = _csv.writer(f, delimiter=delimiter)
        if isinstance(row, dict):
            if header_row:
                writer.writerow([row.get(h, "") for h in header_row])
            else:
                writer.writerow(list(row.values()))
        elif isinstance(row, (list, tuple)):
            writer.writerow(row)
        else:
            writer.writerow([row])


__all__ = ["read", "write", "read_string", "write_string", "count_rows", "get_headers", "append"]
