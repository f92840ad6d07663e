// Round 5: an internet socket that was never bound listens on a port the system picks at
// `listen()`, which raises no audit event (`socket.bind` does, and is refused): the audit
// hook now refuses internet sockets to a program without a network grant.
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
s = imp("socket").socket();
s.listen();
print("ESCAPED listening on port " + str(s.getsockname()[1]));
