"""http: HTTP client (urllib) and URL helpers. Requests need the `network.http` grant
(`http` or `network` grants it); the URL helpers need none."""

import json as _json
import urllib.error as _uerror
import urllib.parse as _parse
import urllib.request as _request

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "HTTP client for making web requests"

DEFAULT_TIMEOUT = 30
MAX_RESPONSE_SIZE = 10 * 1024 * 1024

_NET = ["network.http"]


class HttpResponse(MLObject):
    """A response: status, statusText, headers, body."""

    ml_description = "HTTP response object with status, headers, body"
    __slots__ = ("_status", "_status_text", "_headers", "_body")

    def __init__(self, status, status_text, headers, body):
        self._status = status
        self._status_text = status_text
        self._headers = headers
        self._body = body

    def status(self):
        """HTTP status code."""
        return self._status

    def statusText(self):
        """Status message."""
        return self._status_text

    def headers(self):
        """Response headers."""
        return self._headers

    def body(self):
        """Response body as a string."""
        return self._body

    def ok(self):
        """Whether the status is 2xx."""
        return 200 <= self._status < 300

    def json(self):
        """The body parsed as JSON."""
        return _json.loads(self._body)

    def text(self):
        """The body as text."""
        return self._body


def _request_(method, url, body=None, headers=None, timeout=None):
    parsed = _parse.urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        raise ValueError("Invalid URL: %s" % url)
    req_headers = dict(headers) if headers else {}
    req_headers.setdefault("User-Agent", "ML-HTTP-Client/1.0")
    data = None
    if body is not None:
        if isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, bytes):
            data = body
        else:
            data = _json.dumps(body).encode("utf-8")
        req_headers.setdefault("Content-Length", str(len(data)))
    req = _request.Request(url, data=data, headers=req_headers, method=method)
    wait = timeout if timeout is not None else DEFAULT_TIMEOUT
    try:
        with _request.urlopen(req, timeout=wait) as resp:
            text = resp.read(MAX_RESPONSE_SIZE).decode("utf-8")
            return HttpResponse(resp.status, resp.reason, dict(resp.headers), text)
    except _uerror.HTTPError as e:
        return HttpResponse(e.code, e.reason, dict(e.headers),
                            e.read().decode("utf-8", errors="replace"))
    except _uerror.URLError as e:
        raise RuntimeError("Network error: %s" % e.reason) from None
    except Exception as e:
        raise RuntimeError("Request failed: %s" % e) from None


@ml_function("Make GET request", _NET)
def get(url, headers=None, timeout=None):
    return _request_("GET", url, headers=headers, timeout=timeout)


@ml_function("Make POST request", _NET)
def post(url, options=None):
    options = options or {}
    return _request_("POST", url, options.get("body"), options.get("headers"),
                     options.get("timeout"))


@ml_function("Make PUT request", _NET)
def put(url, options=None):
    options = options or {}
    return _request_("PUT", url, options.get("body"), options.get("headers"),
                     options.get("timeout"))


@ml_function("Make PATCH request", _NET)
def patch(url, options=None):
    options = options or {}
    return _request_("PATCH", url, options.get("body"), options.get("headers"),
                     options.get("timeout"))


@ml_function("Make DELETE request", _NET)
def delete(url, headers=None, timeout=None):
    return _request_("DELETE", url, headers=headers, timeout=timeout)


@ml_function("Make HEAD request", _NET)
def head(url, headers=None, timeout=None):
    return _request_("HEAD", url, headers=headers, timeout=timeout)


@ml_function("Make custom HTTP request", _NET)
def request(options):
    return _request_(options.get("method", "GET"), options["url"], options.get("body"),
                     options.get("headers"), options.get("timeout"))


@ml_function("URL encode string")
def encodeURI(text):
    return _parse.quote(text)


@ml_function("URL decode string")
def decodeURI(text):
    return _parse.unquote(text)


@ml_function("Encode object as query string")
def encodeQuery(params):
    return _parse.urlencode(params)


@ml_function("Parse query string to object")
def parseQuery(query):
    if query.startswith("?"):
        query = query[1:]
    result = {}
    for key, values in _parse.parse_qs(query).items():
        result[key] = values[0] if len(values) == 1 else values
    return result


__all__ = [
    "DEFAULT_TIMEOUT", "MAX_RESPONSE_SIZE", "get", "post", "put", "patch", "delete", "head",
    "request", "encodeURI", "decodeURI", "encodeQuery", "parseQuery",
]
