"""crypto: hashes, HMAC, UUIDs and secure random values (hashlib, hmac, secrets, uuid).
`hash_file` also needs the `file.read` grant."""

import hashlib as _hashlib
import hmac as _hmac
import secrets as _secrets
import uuid as _uuid

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.stdlib.path import _abs

__mlpy_runtime__ = True
ML_DESCRIPTION = "Basic cryptographic operations (hashing, UUIDs, secure random)"

_H = ["crypto.hash"]
_RND = ["crypto.random"]
_ALGORITHMS = ("sha256", "sha1", "md5", "sha224", "sha384", "sha512", "sha3_256", "sha3_512",
               "blake2b", "blake2s")


def _algorithm(name):
    if name not in _ALGORITHMS:
        raise AttributeError("module 'hashlib' has no attribute '%s'" % name)
    return getattr(_hashlib, name)


@ml_function("SHA-256 hash", _H)
def sha256(data, salt=""):
    return _hashlib.sha256((salt + data).encode("utf-8")).hexdigest()


@ml_function("SHA-1 hash", _H)
def sha1(data, salt=""):
    return _hashlib.sha1((salt + data).encode("utf-8")).hexdigest()


@ml_function("MD5 hash", _H)
def md5(data, salt=""):
    return _hashlib.md5((salt + data).encode("utf-8")).hexdigest()


@ml_function("Hash file contents", ["crypto.hash", "file.read"])
def hash_file(file_path, algorithm="sha256"):
    hasher = _algorithm(algorithm)()
    with open(_abs(file_path), "rb") as f:
        for block in iter(lambda: f.read(8192), b""):
            hasher.update(block)
    return hasher.hexdigest()


@ml_function("Generate UUID v4", _RND)
def uuid():
    return str(_uuid.uuid4())


@ml_function("Generate UUID v5 from string", _H)
def uuid_from_string(data, namespace=None):
    ns = _uuid.UUID(namespace) if namespace else _uuid.NAMESPACE_DNS
    if not isinstance(data, str):
        # CPython 3.12 also takes bytes and words other values `can't concat int to
        # bytes`; the reference's (3.11) `bytes(data, "utf-8")` refused them all so
        raise TypeError("encoding without a string argument")
    return str(_uuid.uuid5(ns, data))


@ml_function("Generate random bytes", _RND)
def random_bytes(length):
    return _secrets.token_bytes(length)


@ml_function("Generate random hex string", _RND)
def random_hex(length):
    return _secrets.token_hex(length)


@ml_function("Generate random alphanumeric string", _RND)
def random_string(length):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(_secrets.choice(alphabet) for _ in range(length))


@ml_function("Generate secure random integer", _RND)
def random_int(min_val, max_val):
    return _secrets.randbelow(max_val - min_val + 1) + min_val


@ml_function("Generate secure random float", _RND)
def random_float():
    return _secrets.randbelow(2 ** 32) / 2 ** 32


@ml_function("Compare hashes securely", _H)
def compare_hash(hash1, hash2):
    return _hmac.compare_digest(hash1.encode(), hash2.encode())


@ml_function("Generate HMAC signature", _H)
def hmac(message, key, algorithm="sha256"):
    return _hmac.new(key.encode(), message.encode(), _algorithm(algorithm)).hexdigest()


@ml_function("Verify HMAC signature", _H)
def verify_hmac(message, signature, key, algorithm="sha256"):
    expected = hmac(message, key, algorithm)
    return _hmac.compare_digest(signature.encode(), expected.encode())


__all__ = [
    "sha256", "sha1", "md5", "hash_file", "uuid", "uuid_from_string", "random_bytes",
    "random_hex", "random_string", "random_int", "random_float", "compare_hash", "hmac",
    "verify_hmac",
]
