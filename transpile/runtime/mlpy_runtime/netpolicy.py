"""Network policy: which http(s) URLs, hosts and ports the granted capabilities allow.

The same capabilities as remote imports (docs/remote-imports.md, "Capabilities"), decided
the same way as `remote/src/capability.rs`:

* `network` (or the module grant `http`) -- every host, both schemes;
* `network.https` / `network.http` -- every host of that scheme;
* `network.https://host/*`, `network.https://host:8443/lib/*`,
  `network.https://*.example.com/*` -- URLs matching the pattern, `*` standing for any run
  of characters; a `*` in the host never crosses into the path. A pattern without a path
  (`network.https://host`) means the whole host. The default port is left out on both sides
  (`https://host:443/` is `https://host/`). A grant limited to some paths of a host never
  allows a path with an encoded separator (`%2f`, `%5c`): a server that decodes them would
  read `/lib/..%2fadmin` as `/admin`.

Users: `stdlib/http.py` checks every request and every redirect hop with `check_url`; the
sandbox's audit hook can decide a `socket.connect` with `allowed_connect(host, port)`.
"""

import collections
import re

from mlpy_runtime import capabilities as _caps
from mlpy_runtime.errors import CapabilityError, SecurityError

__mlpy_runtime__ = True

#: the URL schemes a program may request, with their default ports
SCHEMES = {"http": 80, "https": 443}

#: a granted host pattern: scheme, "host[:port]" pattern (`*` = any run of characters),
#: path pattern ("/*" when the grant names no path)
Grant = collections.namedtuple("Grant", "scheme authority path")

#: a URL that passed `check_url`: `url` is rebuilt from the checked parts and is what must
#: be requested (never the text the program passed)
Target = collections.namedtuple("Target", "scheme host port path url")

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Anything a lenient parser might strip or reinterpret: spaces and controls (urllib drops
# leading ones and unwraps `<URL:...>`), DEL, and Unicode whitespace.
_BAD_CHAR_RE = re.compile(r"[\x00-\x20\x7f\s]")
_HOST_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_.])?")
_DOT_SEGMENTS = {".": 1, "%2e": 1, "..": 2, ".%2e": 2, "%2e.": 2, "%2e%2e": 2}
_ENCODED_SEPARATOR_RE = re.compile(r"%(2f|5c)", re.IGNORECASE)


def _granted_names():
    return _caps.granted_names()


def _scheme_granted(scheme, names):
    return "network." + scheme in names or "network" in names


def granted_hosts():
    """The host patterns granted for http(s), as `Grant`s. A whole-scheme grant
    (`network.https`, `network`, `http`) is `Grant(scheme, "*", "/*")`."""
    names = set(_granted_names())
    out = []
    for scheme in SCHEMES:
        if _scheme_granted(scheme, names):
            out.append(Grant(scheme, "*", "/*"))
    for name in sorted(names):
        if not name.startswith("network."):
            continue
        grant = _parse_pattern(name[len("network."):])
        if grant is not None and grant.scheme in SCHEMES:
            out.append(grant)
    return out


def _parse_pattern(text):
    """`https://host:8443/lib/*` as a Grant (scheme and host in lower case, default port
    dropped), or None when it is not a URL pattern."""
    scheme, sep, rest = text.strip().partition("://")
    if not sep:
        return None
    scheme = scheme.lower()
    slash = rest.find("/")
    authority, path = (rest, "/*") if slash < 0 else (rest[:slash], rest[slash:])
    authority = authority.lower()
    default = SCHEMES.get(scheme)
    if default is not None and authority.endswith(":%d" % default):
        authority = authority[:authority.rfind(":")]
    return Grant(scheme, authority, path)


def _authority(host, port, scheme):
    host = host.lower()
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    if port is None or port == SCHEMES.get(scheme):
        return host
    return "%s:%d" % (host, port)


def _wildcard(pattern, text):
    """`*` matches any run of characters; everything else matches itself."""
    p = t = 0
    star = None
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star = (p, t)
            p += 1
        elif p < len(pattern) and pattern[p] == text[t]:
            p += 1
            t += 1
        elif star is not None:
            p = star[0] + 1
            t = star[1] + 1
            star = (star[0], star[1] + 1)
        else:
            return False
    return all(c == "*" for c in pattern[p:])


def allowed(scheme, host, port=None, path=None):
    """Whether the granted capabilities allow `scheme://host:port/path`. `port` None is the
    scheme's default port. `path` None asks about the connection alone (a grant limited
    to some paths of the host still allows connecting to it)."""
    scheme = (scheme or "").lower()
    if scheme not in SCHEMES or not host:
        return False
    names = set(_granted_names())
    if _scheme_granted(scheme, names):
        return True
    authority = _authority(host, port, scheme)
    for name in names:
        if not name.startswith("network."):
            continue
        grant = _parse_pattern(name[len("network."):])
        if grant is None or grant.scheme != scheme:
            continue
        if not _wildcard(grant.authority, authority):
            continue
        if path is None or _path_granted(grant.path, path):
            return True
    return False


def _path_granted(pattern, path):
    """Whether the path pattern of a grant allows `path` (dot segments already removed)."""
    if not _wildcard(pattern, path):
        return False
    return pattern.rstrip("*") == "/" or not _ENCODED_SEPARATOR_RE.search(path)


def allowed_connect(host, port):
    """Whether some http(s) grant allows connecting to `host`:`port` (for a socket-level
    check, where neither the scheme nor the path is known)."""
    return any(allowed(scheme, host, port) for scheme in SCHEMES)


def capability_for(scheme, host, port):
    """The narrowest capability that allows requests to this host: `network.https://h/*`."""
    return "network.%s://%s/*" % (scheme, _authority(host, port, scheme))


def _remove_dot_segments(path):
    # As the WHATWG URL parser (and the Rust side's `url` crate) do, so that a grant for
    # `/lib/*` cannot be escaped with `/lib/../admin` or `/lib/%2e%2e/admin`.
    out = []
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        kind = _DOT_SEGMENTS.get(segment.lower())
        last = i == len(segments) - 1
        if kind == 2 and out:
            out.pop()
        if kind is None:
            out.append(segment)
        elif last:
            out.append("")
    return "/" + "/".join(out)


def _refuse(what, url, reason):
    raise SecurityError("%s refuses the URL %s: %s" % (what, _show(url), reason))


def _show(url):
    text = repr(url) if isinstance(url, str) else repr(str(url))
    return text if len(text) <= 200 else text[:197] + "..."


def parse_url(url, what="http request"):
    """Check that `url` is a plain absolute http(s) URL and return its `Target`; raise
    SecurityError naming what is wrong (the scheme, above all) otherwise. Capabilities are
    not looked at (see `check_url`)."""
    if not isinstance(url, str):
        _refuse(what, url, "a URL must be a string")
    match = _SCHEME_RE.match(url.strip())
    scheme = match.group(1) if match else None
    if scheme is not None and scheme.lower() not in SCHEMES:
        _refuse(what, url, "the scheme '%s' is not allowed; only http:// and https:// URLs "
                "can be requested" % scheme)
    if scheme is None:
        _refuse(what, url, "it has no scheme; only http:// and https:// URLs can be "
                "requested")
    if _BAD_CHAR_RE.search(url):
        _refuse(what, url, "it contains whitespace or a control character")
    if "\\" in url:
        _refuse(what, url, "it contains a backslash")
    scheme = scheme.lower()
    rest = url[match.end():]
    if not rest.startswith("//"):
        _refuse(what, url, "it has no host (write %s://HOST/...)" % scheme)
    rest = rest[2:]
    end = len(rest)
    for sep in "/?#":
        i = rest.find(sep)
        if 0 <= i < end:
            end = i
    netloc, rest = rest[:end], rest[end:]
    if "@" in netloc:
        _refuse(what, url, "credentials in the URL are not allowed (send an Authorization "
                "header instead)")
    host, port = _split_host_port(netloc, what, url)
    path, query = rest, ""
    if "#" in path:
        path = path[:path.index("#")]
    if "?" in path:
        path, query = path.split("?", 1)
    path = _remove_dot_segments(path or "/")
    if not netloc.startswith("["):
        # urllib would unquote `%` in the host (`evil.com%2f.example.com`), so only plain
        # host names are compared and requested.
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            host = None
        if host is None or not _HOST_RE.fullmatch(host):
            _refuse(what, url, "the host %r is not a valid host name" % netloc)
    authority = _authority(host, port, scheme)
    text = "%s://%s%s%s" % (scheme, authority, path, "?" + query if query else "")
    return Target(scheme, host, port if port is not None else SCHEMES[scheme], path, text)


def _split_host_port(netloc, what, url):
    if netloc.startswith("["):
        close = netloc.find("]")
        if close < 0:
            _refuse(what, url, "the IPv6 address has no closing ']'")
        host, tail = netloc[1:close], netloc[close + 1:]
        if not re.fullmatch(r"[0-9A-Fa-f:.]+", host or "-"):
            _refuse(what, url, "the IPv6 address %r is not valid" % host)
    else:
        host, colon, port_text = netloc.partition(":")
        tail = colon + port_text
    if not host:
        _refuse(what, url, "it has no host")
    if "[" in host or "]" in host:
        _refuse(what, url, "the host %r is not a valid host name" % host)
    if not tail:
        return host, None
    if not tail.startswith(":") or not re.fullmatch(r"[0-9]{1,5}", tail[1:]) \
            or not 0 < int(tail[1:]) < 65536:
        _refuse(what, url, "the port %r is not a number from 1 to 65535" % tail[1:])
    return host, int(tail[1:])


def check_url(url, what="http request"):
    """`parse_url`, then the capability: raise CapabilityError unless a grant allows the
    request. Return the `Target` to request."""
    target = parse_url(url, what)
    if not allowed(target.scheme, target.host, target.port, target.path):
        raise CapabilityError(refusal(target, what))
    return target


def refusal(target, what):
    """The message for a request no grant allows: the capability to grant, and why a
    grant of the other scheme does not help."""
    cap = capability_for(target.scheme, target.host, target.port)
    message = ("capability '%s' is not granted: %s of %s needs it; grant it with --allow %s "
               "(or network.%s for every %s host) or add \"%s\" to \"capabilities\" in "
               "mlpy.json" % (cap, what, _show(target.url), cap, target.scheme,
                              target.scheme, cap))
    other = "http" if target.scheme == "https" else "https"
    if "network." + other in set(_granted_names()):
        message += "; 'network.%s' allows only %s:// URLs" % (other, other)
    return message
