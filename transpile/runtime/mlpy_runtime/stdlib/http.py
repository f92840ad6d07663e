"""http: HTTP client (urllib) and URL helpers.

Requests accept only `http://` and `https://` URLs and need a network capability for the
URL's scheme and host: `network.http` / `network.https` (every host of that scheme),
`network.https://host/*`-style patterns (as for remote imports, decided by
`mlpy_runtime.netpolicy`), `network` or `http` (both schemes, every host). Every redirect
hop is checked again; proxies from the environment are never used. The URL helpers need
no grant."""

import json as _json
import urllib.error as _uerror
import urllib.parse as _parse
import urllib.request as _request

from mlpy_runtime import netpolicy as _policy
from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.errors import MLError
from mlpy_runtime.objects import MLObject

try:
    import ssl as _ssl
except ImportError:  # a Python built without OpenSSL: http:// only
    _ssl = None

__mlpy_runtime__ = True
ML_DESCRIPTION = "HTTP client for making web requests"

DEFAULT_TIMEOUT = 30
MAX_RESPONSE_SIZE = 10 * 1024 * 1024
MAX_REDIRECTS = 5

# Requests are checked per URL (scheme and host) inside `_request_`, not by the decorator:
# either capability may be the one a call needs.
_NET = ("network.http", "network.https")

# Headers that must not follow a redirect to another origin (they carry credentials).
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")


class HttpResponse(MLObject):
    """A response: status, statusText, headers, body."""

    ml_description = "HTTP response object with status, headers, body"
    _ml_method_descriptions = {
        "status": "Get HTTP status code", "statusText": "Get status text",
        "headers": "Get response headers", "body": "Get response body",
        "ok": "Check if response is successful", "json": "Parse response body as JSON",
        "text": "Get response as text",
    }
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


class _CheckedRedirects(_request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the program may request itself: http(s) scheme,
    granted host. Credentials never follow a redirect to another origin."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, what):
        super().__init__()
        self.what = what

    def http_error_302(self, req, fp, code, msg, headers):
        # urllib answers some schemes (file:, data:) with its own HTTPError before it
        # asks `redirect_request`: check first, so every refusal is the same clear error.
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            self._check(_parse.urljoin(req.full_url, location), req, fp)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def _check(self, newurl, req, fp):
        try:
            return _policy.check_url(newurl, "%s (redirected from %s)" % (
                self.what, req.full_url))
        except MLError:
            fp.close()
            raise

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        # `newurl` is already joined with the request's URL by urllib.
        target = self._check(newurl, req, fp)
        new = super().redirect_request(req, fp, code, msg, headers, target.url)
        if new is not None and _origin(req.full_url) != _origin(target.url):
            for name in list(new.headers):
                if name.lower() in _CREDENTIAL_HEADERS:
                    del new.headers[name]
            for name in list(new.unredirected_hdrs):
                if name.lower() in _CREDENTIAL_HEADERS:
                    del new.unredirected_hdrs[name]
        return new


def _net_function(description):
    """`ml_function` with both network capabilities as metadata (what `help` and the
    manifest show) but no per-call wrapper: a wrapper would demand both, while a request
    needs the one of its URL's scheme, for its host, which `_request_` checks."""
    def decorate(f):
        f = ml_function(description)(f)
        f._ml_capabilities = _NET
        return f
    return decorate


def _origin(url):
    parts = _parse.urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _ssl_context():
    """Certificates verified against the system's trusted roots (tests replace this)."""
    return _ssl.create_default_context()


def _opener(what):
    # Built by hand, not with build_opener: only the http and https handlers exist, so no
    # file:, ftp: or data: URL can be opened even if a check were bypassed, and an empty
    # ProxyHandler keeps *_proxy environment variables from routing requests elsewhere.
    opener = _request.OpenerDirector()
    handlers = [_request.ProxyHandler({}), _request.UnknownHandler(), _request.HTTPHandler(),
                _request.HTTPDefaultErrorHandler(), _CheckedRedirects(what),
                _request.HTTPErrorProcessor()]
    if _ssl is not None:
        handlers.append(_request.HTTPSHandler(context=_ssl_context()))
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _request_(method, url, body=None, headers=None, timeout=None, what="http request"):
    target = _policy.check_url(url, what)
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
    req = _request.Request(target.url, data=data, headers=req_headers, method=method)
    wait = timeout if timeout is not None else DEFAULT_TIMEOUT
    try:
        with _opener(what).open(req, timeout=wait) as resp:
            text = resp.read(MAX_RESPONSE_SIZE).decode("utf-8")
            return HttpResponse(resp.status, resp.reason, dict(resp.headers), text)
    except MLError:
        # A refused redirect: the program sees the capability or URL error itself.
        raise
    except _uerror.HTTPError as e:
        return HttpResponse(e.code, e.reason, dict(e.headers),
                            e.read().decode("utf-8", errors="replace"))
    except _uerror.URLError as e:
        raise RuntimeError("Network error: %s" % e.reason) from None
    except Exception as e:
        raise RuntimeError("Request failed: %s" % e) from None


@_net_function("Make GET request")
def get(url, headers=None, timeout=None):
    return _request_("GET", url, headers=headers, timeout=timeout, what="http.get()")


@_net_function("Make POST request")
def post(url, options=None):
    options = options or {}
    return _request_("POST", url, options.get("body"), options.get("headers"),
                     options.get("timeout"), what="http.post()")


@_net_function("Make PUT request")
def put(url, options=None):
    options = options or {}
    return _request_("PUT", url, options.get("body"), options.get("headers"),
                     options.get("timeout"), what="http.put()")


@_net_function("Make PATCH request")
def patch(url, options=None):
    options = options or {}
    return _request_("PATCH", url, options.get("body"), options.get("headers"),
                     options.get("timeout"), what="http.patch()")


@_net_function("Make DELETE request")
def delete(url, headers=None, timeout=None):
    return _request_("DELETE", url, headers=headers, timeout=timeout, what="http.delete()")


@_net_function("Make HEAD request")
def head(url, headers=None, timeout=None):
    return _request_("HEAD", url, headers=headers, timeout=timeout, what="http.head()")


@_net_function("Make custom HTTP request")
def request(options):
    return _request_(options.get("method", "GET"), options["url"], options.get("body"),
                     options.get("headers"), options.get("timeout"), what="http.request()")


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
