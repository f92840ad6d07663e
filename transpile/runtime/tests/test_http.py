"""The http module's capabilities by scheme and host: only http(s) URLs, each request and
each redirect hop checked against the network grants (mlpy_runtime.netpolicy), no proxies
from the environment. Real servers on 127.0.0.1: http.server in a thread, and an https one
with a certificate made here when `openssl` is installed."""

import http.server
import os
import shutil
import ssl
import subprocess
import threading
import unittest
import urllib.request
from unittest import mock

from tests import support
from mlpy_runtime import CapabilityError, SecurityError, grant
from mlpy_runtime import capabilities as caps
from mlpy_runtime import netpolicy
from mlpy_runtime.stdlib import http as ml_http


class GrantsReset(unittest.TestCase):
    """Each test starts with nothing granted and leaves the grants as it found them."""

    def setUp(self):
        self.saved = set(caps._granted)
        caps.revoke_all()

    def tearDown(self):
        caps.revoke_all()
        caps._granted.update(self.saved)


# ---------------------------------------------------------------------------- servers

class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes: /hello, /echo-auth, /to?url=U (302 to U), /post (echoes the body)."""

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.server.seen.append((self.command, self.headers.get("Host"), self.path,
                                 self.headers.get("Authorization")))
        if self.path == "/hello":
            self._send(200, b"hi")
        elif self.path == "/echo-auth":
            self._send(200, (self.headers.get("Authorization") or "none").encode())
        elif self.path.startswith("/to?url="):
            target = urllib.request.unquote(self.path[len("/to?url="):])
            self._send(302, headers=[("Location", target)])
        elif self.path == "/loop":
            self._send(302, headers=[("Location", "/loop")])
        else:
            self._send(404, b"no")

    do_HEAD = do_GET
    do_DELETE = do_GET

    def do_POST(self):
        self.server.seen.append((self.command, self.headers.get("Host"), self.path, None))
        length = int(self.headers.get("Content-Length") or 0)
        self._send(201, self.rfile.read(length))

    do_PUT = do_POST
    do_PATCH = do_POST


class Server:
    """An HTTP(S) server on 127.0.0.1 in a thread; `seen` lists the requests it got."""

    def __init__(self, context=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.seen = []
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect(server, scheme, target):
    return "%s://127.0.0.1:%d/to?url=%s" % (scheme, server.port,
                                             urllib.request.quote(target, safe=""))


# ---------------------------------------------------------------------------- policy

class PolicyTest(GrantsReset):
    def test_patterns_as_for_imports(self):
        grant(["network.https://cdn.example.com/*", "file"])
        self.assertTrue(netpolicy.allowed("https", "cdn.example.com", 443, "/lib/m.ml"))
        self.assertTrue(netpolicy.allowed("https", "CDN.example.com", None, "/m"))
        self.assertFalse(netpolicy.allowed("https", "cdn.example.com.evil.org", 443, "/m"))
        self.assertFalse(netpolicy.allowed("http", "cdn.example.com", 80, "/m"))
        self.assertFalse(netpolicy.allowed("https", "cdn.example.com", 8443, "/m"))
        caps.revoke_all()

        grant(["network.https://*.example.com/*"])
        self.assertTrue(netpolicy.allowed("https", "a.example.com", 443, "/m"))
        self.assertFalse(netpolicy.allowed("https", "evil.com", 443, "/a.example.com/m"))
        self.assertFalse(netpolicy.allowed("https", "example.com", 443, "/m"))
        caps.revoke_all()

        grant(["network.https://127.0.0.1:8443/lib/*"])
        self.assertTrue(netpolicy.allowed("https", "127.0.0.1", 8443, "/lib/a/b.ml"))
        self.assertFalse(netpolicy.allowed("https", "127.0.0.1", 8443, "/other/b.ml"))
        self.assertFalse(netpolicy.allowed("https", "127.0.0.1", 443, "/lib/b.ml"))
        # the connection alone (no path known): the host and port are granted
        self.assertTrue(netpolicy.allowed("https", "127.0.0.1", 8443))
        self.assertTrue(netpolicy.allowed_connect("127.0.0.1", 8443))
        self.assertFalse(netpolicy.allowed_connect("127.0.0.1", 8444))
        caps.revoke_all()

        grant(["network.https://h"])
        self.assertTrue(netpolicy.allowed("https", "h", 443, "/x.ml"))
        grant(["network.https://h:443/only/*"])  # the default port is dropped
        self.assertEqual(netpolicy.granted_hosts(), [
            netpolicy.Grant("https", "h", "/*"), netpolicy.Grant("https", "h", "/only/*")])
        caps.revoke_all()

        grant(["network.https"])
        self.assertTrue(netpolicy.allowed("https", "any", 443, "/x"))
        self.assertFalse(netpolicy.allowed("http", "any", 80, "/x"))
        self.assertEqual(netpolicy.granted_hosts(), [netpolicy.Grant("https", "*", "/*")])
        caps.revoke_all()

        for whole in ("network", "http"):
            grant([whole])
            self.assertTrue(netpolicy.allowed("http", "any", 8080, "/x"))
            self.assertTrue(netpolicy.allowed("https", "any", 443, "/x"))
            caps.revoke_all()

        # other schemes never, whatever is granted
        grant(["network", "network.ftp://h/*", "network.file:///*"])
        for scheme in ("ftp", "file", "data", "", None):
            self.assertFalse(netpolicy.allowed(scheme, "h", None, "/x"))
        self.assertEqual({g.scheme for g in netpolicy.granted_hosts()}, {"http", "https"})

    def test_nothing_granted(self):
        self.assertEqual(netpolicy.granted_hosts(), [])
        self.assertFalse(netpolicy.allowed("http", "127.0.0.1", 80, "/"))
        self.assertFalse(netpolicy.allowed_connect("127.0.0.1", 80))
        grant(["file", "env", "network.https://x"])
        self.assertFalse(netpolicy.allowed("http", "x", 80, "/"))

    def test_urls_are_normalised_before_matching(self):
        grant(["network.https://h/lib/*"])
        for url, ok in [
            ("https://h/lib/a", True),
            ("HTTPS://H:443/lib/a", True),
            ("https://h/lib/../admin", False),
            ("https://h/lib/%2e%2e/admin", False),
            ("https://h/lib/.%2E/admin", False),
            ("https://h/lib/./a/../b", True),
            ("https://h/lib/a#../../x", True),
            ("https://h/other?next=/lib/a", False),
            ("https://h:8443/lib/a", False),
            ("https://h/lib/a%20b", True),
        ] + [
            # Encoded separators: a server that decodes them would leave /lib/.
            (url.replace("SEP", sep), False)
            for sep in ("%2f", "%2F", "%5c", "%5C")
            for url in ("https://h/lib/..SEPadmin", "https://h/lib/aSEP..SEP..SEPadmin",
                        "https://h/lib/SEPetcSEPpasswd")
        ]:
            if ok:
                target = netpolicy.check_url(url)
                self.assertTrue(target.url.startswith("https://h/lib/"), target)
            else:
                with self.assertRaises(CapabilityError, msg=url):
                    netpolicy.check_url(url)
        # A grant of the whole host has no path to leave.
        for whole in (["network.https://h/*"], ["network.https://h"]):
            caps.revoke_all()
            grant(whole)
            self.assertTrue(netpolicy.check_url("https://h/lib/..%2fadmin"))

    def test_refusal_names_the_capability(self):
        grant(["network.http"])
        with self.assertRaises(CapabilityError) as cm:
            netpolicy.check_url("https://Example.com:8443/x", "http.get()")
        message = str(cm.exception)
        self.assertIn("capability 'network.https://example.com:8443/*' is not granted", message)
        self.assertIn("--allow network.https://example.com:8443/*", message)
        self.assertIn("'network.http' allows only http:// URLs", message)


def scheme_variants():
    """URLs that must never be requested, with the scheme the refusal names (or None)."""
    schemes = ["file", "FILE", "File", "fIlE", "ftp", "FTP", "data", "jar", "javascript",
               "gopher", "ws", "wss", "mailto", "about", "blob", "ldap", "dict", "sftp",
               "smb", "git", "view-source", "http+unix", "httpx", "https2", "htt", "hxxp",
               "x-http", "feed", "local_file".replace("_", "-")]
    forms = ["{s}://localhost/etc/shadow", "{s}:///etc/passwd", "{s}:/etc/passwd",
             "{s}:x", "{s}://127.0.0.1:1/x", " {s}://localhost/etc/shadow",
             "\t{s}:///etc/passwd", "\n{s}:///x", "\r\n{s}:///x", "\x00{s}:///x",
             "\u00a0{s}:///x", "{s}:\\\\localhost\\etc\\passwd", "{s}://h/ x"]
    out = []
    for s in schemes:
        for form in forms:
            text = form.format(s=s)
            named = s if not text.startswith("\x00") and not text.startswith("\u00a0") else None
            out.append((text, named))
    out += [
        ("jar:http://127.0.0.1/x.jar!/a", "jar"),
        ("data:text/plain,hello", "data"),
        ("data:,", "data"),
        ("file:", "file"),
        ("//127.0.0.1/x", None),
        ("/etc/passwd", None),
        ("etc/passwd", None),
        ("127.0.0.1:80/x", None),
        ("", None),
        ("<URL:file:///etc/passwd>", None),
        ("<URL:http://127.0.0.1/>", None),
        (" http://127.0.0.1/", None),
        ("http://127.0.0.1/ ", None),
        ("http://127.0.0.1/\n", None),
        ("ht\ttp://127.0.0.1/", None),
        ("http:\\\\127.0.0.1\\x", None),
        ("http:/\\127.0.0.1/x", None),
        ("https:\\/127.0.0.1/x", None),
        ("http://127.0.0.1\\@evil.example/x", None),
        ("http://user:pw@127.0.0.1/x", None),
        ("http://@127.0.0.1/x", None),
        ("http:127.0.0.1/x", None),
        ("http:/127.0.0.1/x", None),
        ("http:///x", None),
        ("http://", None),
        ("http://:80/x", None),
        ("http://127.0.0.1:0/", None),
        ("http://127.0.0.1:65536/", None),
        ("http://127.0.0.1:8o/", None),
        ("http://127.0.0.1:-1/", None),
        ("http://[::1/x", None),
        ("http://[evil.com]/x", None),
        ("http://evil.com%2f.example.com/", None),
        ("http://127.0.0.1%3a8080/", None),
        ("http://exa mple.com/", None),
        ("http://127.0.0.1/\u2028x", None),
    ]
    return out


class SchemeTest(GrantsReset):
    def test_only_http_and_https_whatever_is_granted(self):
        grant(["network", "http", "file", "network.file:///*", "network.ftp"])
        variants = scheme_variants()
        self.assertGreater(len(variants), 400)
        for url, scheme in variants:
            for call in (lambda: ml_http.get(url),
                         lambda: ml_http.post(url, {"body": "x"}),
                         lambda: ml_http.request({"url": url, "method": "PUT"})):
                with self.assertRaises(SecurityError, msg=repr(url)) as cm:
                    call()
                if scheme is not None:
                    self.assertIn("the scheme '%s' is not allowed" % scheme, str(cm.exception),
                                  repr(url))
                self.assertIn("refuses the URL", str(cm.exception))

    def test_refused_before_the_capability_check(self):
        # A refused scheme is the error even with nothing granted, and names the scheme.
        with self.assertRaises(SecurityError) as cm:
            ml_http.get("file://localhost/etc/shadow")
        self.assertEqual(
            str(cm.exception),
            "http.get() refuses the URL 'file://localhost/etc/shadow': the scheme 'file' is "
            "not allowed; only http:// and https:// URLs can be requested")
        with self.assertRaises(SecurityError) as cm:
            ml_http.get("not a url")
        self.assertIn("it has no scheme", str(cm.exception))

    def test_urllib_has_no_handler_for_other_schemes(self):
        # Defence in depth: even an unchecked file: request could not be opened.
        opener = ml_http._opener("test")
        with self.assertRaises(Exception) as cm:
            opener.open("file:///etc/passwd", timeout=5)
        self.assertIn("unknown url type", str(cm.exception))


# ---------------------------------------------------------------------------- http

class HttpServerTest(GrantsReset):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.other = Server()  # another port: another origin, needs its own grant

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.other.close()

    def setUp(self):
        super().setUp()
        self.server.seen.clear()
        self.other.seen.clear()
        self.base = "http://127.0.0.1:%d" % self.server.port

    def test_needs_a_grant_for_http(self):
        with self.assertRaises(CapabilityError) as cm:
            ml_http.get(self.base + "/hello")
        self.assertIn("capability 'network.http://127.0.0.1:%d/*' is not granted"
                      % self.server.port, str(cm.exception))
        grant(["network.https"])
        with self.assertRaises(CapabilityError) as cm:
            ml_http.get(self.base + "/hello")
        self.assertIn("'network.https' allows only https:// URLs", str(cm.exception))
        self.assertEqual(self.server.seen, [], "a refused request reached the server")

        grant(["network.http"])
        r = ml_http.get(self.base + "/hello")
        self.assertEqual((r.status(), r.text()), (200, "hi"))

    def test_every_method(self):
        grant(["network.http://127.0.0.1:%d/*" % self.server.port])
        self.assertEqual(ml_http.get(self.base + "/hello").body(), "hi")
        self.assertEqual(ml_http.post(self.base + "/p", {"body": {"a": 1}}).json(), {"a": 1})
        self.assertEqual(ml_http.put(self.base + "/p", {"body": "x"}).status(), 201)
        self.assertEqual(ml_http.patch(self.base + "/p", {"body": "y"}).text(), "y")
        self.assertEqual(ml_http.delete(self.base + "/nothing").status(), 404)
        self.assertEqual(ml_http.head(self.base + "/hello").status(), 200)
        self.assertEqual(ml_http.request({"url": self.base + "/hello"}).text(), "hi")
        self.assertEqual([s[0] for s in self.server.seen],
                         ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "GET"])

    def test_host_port_and_path_patterns(self):
        port = self.server.port
        for grants, path, ok in [
            (["network.http://127.0.0.1:%d/*" % port], "/hello", True),
            (["network.http://127.0.0.1:%d/hel*" % port], "/hello", True),
            (["network.http://127.0.0.1:%d/api/*" % port], "/hello", False),
            (["network.http://127.0.0.1:%d/api/*" % port], "/api/../hello", False),
            (["network.http://127.0.0.1:%d/api/*" % port], "/api/..%2fhello", False),
            (["network.http://127.0.0.1:%d/api/*" % port], "/api/..%5Chello", False),
            (["network.http://127.0.0.1/*"], "/hello", False),  # port 80 only
            (["network.http://127.0.0.1:%d/*" % (port + 1 if port < 65535 else 1)],
             "/hello", False),
            (["network.http://127.0.0.1:*/*"], "/hello", True),
            (["network.http://localhost:%d/*" % port], "/hello", False),
            (["network.https://127.0.0.1:%d/*" % port], "/hello", False),
            (["network.http://127.0.0.1:%d" % port], "/hello", True),
        ]:
            caps.revoke_all()
            grant(grants)
            self.server.seen.clear()
            if ok:
                self.assertEqual(ml_http.get(self.base + path).text(), "hi", grants)
            else:
                with self.assertRaises(CapabilityError, msg=(grants, path)):
                    ml_http.get(self.base + path)
                self.assertEqual(self.server.seen, [], (grants, path))

    def test_redirects_are_checked_again(self):
        port, other = self.server.port, self.other.port
        grant(["network.http://127.0.0.1:%d/*" % port])
        # the same origin: followed
        r = ml_http.get(redirect(self.server, "http", "/hello"))
        self.assertEqual(r.text(), "hi")
        # another port: refused, and never asked
        with self.assertRaises(CapabilityError) as cm:
            ml_http.get(redirect(self.server, "http",
                                 "http://127.0.0.1:%d/hello" % other))
        self.assertIn("network.http://127.0.0.1:%d/*" % other, str(cm.exception))
        self.assertIn("redirected from", str(cm.exception))
        self.assertEqual(self.other.seen, [])
        # another host name for the same server: refused too
        with self.assertRaises(CapabilityError):
            ml_http.get(redirect(self.server, "http", "http://localhost:%d/hello" % port))
        # to https: needs network.https
        with self.assertRaises(CapabilityError) as cm:
            ml_http.get(redirect(self.server, "http", "https://127.0.0.1:%d/hello" % other))
        self.assertIn("network.https://127.0.0.1:%d/*" % other, str(cm.exception))
        # granted: followed
        grant(["network.http://127.0.0.1:%d/*" % other])
        r = ml_http.get(redirect(self.server, "http", "http://127.0.0.1:%d/hello" % other))
        self.assertEqual(r.text(), "hi")
        self.assertEqual(len(self.other.seen), 1)

    def test_redirects_to_other_schemes_refused_whatever_is_granted(self):
        grant(["network", "file", "network.file:///*", "network.ftp"])
        for target in ("file:///etc/passwd", "FILE://localhost/etc/shadow",
                       "ftp://127.0.0.1/x", "data:text/plain,owned", "jar:file:///x!/y",
                       " file:///etc/passwd", "http:\\\\127.0.0.1\\x"):
            with self.assertRaises(SecurityError, msg=target) as cm:
                ml_http.get(redirect(self.server, "http", target))
            self.assertIn("redirected from", str(cm.exception))

    def test_redirect_loops_end(self):
        grant(["network.http"])
        r = ml_http.get(self.base + "/loop")
        self.assertEqual(r.status(), 302)
        self.assertLessEqual(len(self.server.seen), ml_http.MAX_REDIRECTS + 2)

    def test_credentials_stay_with_their_origin(self):
        grant(["network.http"])
        headers = {"Authorization": "Bearer secret"}
        same = ml_http.get(redirect(self.server, "http", "/echo-auth"), headers)
        self.assertEqual(same.text(), "Bearer secret")
        moved = ml_http.get(redirect(self.server, "http",
                                     "http://127.0.0.1:%d/echo-auth" % self.other.port),
                            headers)
        self.assertEqual(moved.text(), "none")

    def test_no_proxy_from_the_environment(self):
        proxy = Server()
        try:
            env = {"http_proxy": "http://127.0.0.1:%d" % proxy.port,
                   "HTTP_PROXY": "http://127.0.0.1:%d" % proxy.port,
                   "https_proxy": "http://127.0.0.1:%d" % proxy.port,
                   "all_proxy": "http://127.0.0.1:%d" % proxy.port}
            with mock.patch.dict(os.environ, env):
                for name in ("no_proxy", "NO_PROXY"):
                    os.environ.pop(name, None)
                # urllib's default opener would use it: the test means something
                self.assertIn("http", urllib.request.getproxies())
                grant(["network.http://127.0.0.1:%d/*" % self.server.port])
                self.assertEqual(ml_http.get(self.base + "/hello").text(), "hi")
            self.assertEqual(proxy.seen, [])
            self.assertEqual(len(self.server.seen), 1)
        finally:
            proxy.close()


# ---------------------------------------------------------------------------- https

def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1, or None without `openssl`."""
    if shutil.which("openssl") is None:
        return None
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    result = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
         "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, timeout=120)
    if result.returncode != 0:
        return None
    return cert, key


class HttpsServerTest(GrantsReset):
    @classmethod
    def setUpClass(cls):
        cls.folder = support.TempDir()
        made = make_certificate(cls.folder.__enter__())
        if made is None:
            cls.folder.__exit__(None, None, None)
            raise unittest.SkipTest("openssl is not installed: https is tested at the "
                                    "policy level only")
        cls.cert, key = made
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_context.load_cert_chain(cls.cert, key)
        cls.server = Server(server_context)
        cls.plain = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.plain.close()
        cls.folder.__exit__(None, None, None)

    def setUp(self):
        super().setUp()
        self.url = "https://127.0.0.1:%d/hello" % self.server.port
        context = ssl.create_default_context(cafile=self.cert)
        patcher = mock.patch.object(ml_http, "_ssl_context", lambda: context)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_network_https_allows_https_not_http(self):
        grant(["network.http"])
        with self.assertRaises(CapabilityError) as cm:
            ml_http.get(self.url)
        self.assertIn("'network.http' allows only http:// URLs", str(cm.exception))
        caps.revoke_all()
        grant(["network.https"])
        self.assertEqual(ml_http.get(self.url).text(), "hi")
        with self.assertRaises(CapabilityError):
            ml_http.get("http://127.0.0.1:%d/hello" % self.plain.port)

    def test_host_pattern(self):
        grant(["network.https://127.0.0.1:%d/*" % self.server.port])
        self.assertEqual(ml_http.get(self.url).text(), "hi")
        caps.revoke_all()
        grant(["network.https://localhost:%d/*" % self.server.port])
        with self.assertRaises(CapabilityError):
            ml_http.get(self.url)

    def test_redirect_from_http_to_https_needs_https(self):
        grant(["network.http"])
        with self.assertRaises(CapabilityError):
            ml_http.get(redirect(self.plain, "http", self.url))
        grant(["network.https://127.0.0.1:%d/*" % self.server.port])
        self.assertEqual(ml_http.get(redirect(self.plain, "http", self.url)).text(), "hi")

    def test_certificates_are_verified(self):
        mock.patch.stopall()
        grant(["network.https"])
        with self.assertRaises(RuntimeError) as cm:
            ml_http.get(self.url)
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
