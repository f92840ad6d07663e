import http;
function t(g) { try { print(g()); } except (e) { print("ERR", e.type, e.message); } }
print(http.encodeURI("a b/c?d=é&x"), http.decodeURI("a%20b%2Fc%C3%A9+x"), http.encodeQuery({a: 1, b: "x y", c: true, d: null, e: [1, 2]}), http.encodeQuery({}));
print(http.parseQuery("?a=1&b=2&a=3&c=&d"), http.parseQuery(""), http.parseQuery("x=%20y+z"));
print(http.DEFAULT_TIMEOUT, http.MAX_RESPONSE_SIZE);
r = http.get("http://127.0.0.1:18765/data.json");
print(typeof(r), r.status(), r.statusText(), r.ok(), r.body(), r.text(), r.json(), typeof(r.headers()));
r2 = http.get("http://127.0.0.1:18765/none");
print(r2.status(), r2.ok(), r2.statusText());
t(fn() => r2.json());
t(fn() => http.get("http://127.0.0.1:1/x"));
