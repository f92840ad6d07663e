"""A small ML -> Python translator used only by the runtime's tests.

It stands in for the Rust emitter so the runtime can be checked against the conformance corpus
before the emitter exists. It follows docs/architecture.md ("Emitted Python"): builtins
imported by name, `__ml.attr` / `__ml.mcall` / `__ml.call` for dynamic access, `o.k = v` as
`o["k"] = v`, `throw` as `raise __ml.MLUserException(...)`, keywords prefixed with `ml_`,
`nonlocal` of a module-level name as `global`, a source map at the end. It is deliberately
simple (no error recovery, no arrow block bodies) and is not the project's emitter.
"""

import keyword
import re

BUILTIN_NAMES = [
    "int", "float", "str", "bool", "typeof", "isinstance", "len", "range", "enumerate",
    "print", "input", "help", "methods", "modules", "available_modules", "has_module",
    "module_info", "hasCapability", "getCapabilities", "getCapabilityInfo",
    "requiredCapabilities", "hasattr", "getattr", "call", "abs", "min", "max", "round", "zip",
    "sorted", "keys", "values", "callable", "all", "any", "sum", "chr", "ord", "hex", "bin",
    "oct", "repr", "format", "reversed", "iter", "next",
]
STDLIB = {"args", "collections", "console", "crypto", "csv", "datetime", "env", "file",
          "functional", "http", "json", "log", "math", "path", "random", "regex"}
STMT_KEYWORDS = {"function", "if", "elif", "else", "while", "for", "return", "throw", "try",
                 "except", "finally", "break", "continue", "nonlocal", "import", "in", "as"}

TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\f]+|\n)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>//|=>|==|!=|<=|>=|&&|\|\||[-+*/%<>!=?:;,.()\[\]{}])
""", re.VERBOSE | re.DOTALL)

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in ESCAPES:
                out.append(ESCAPES[n])
                i += 2
                continue
            if n == "u" and re.match(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(c + n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


class Tok:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line

    def __repr__(self):
        return "%s(%r)@%d" % (self.kind, self.text, self.line)


def tokenize(src):
    toks, pos, line = [], 0, 1
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m:
            raise SyntaxError("bad character %r at line %d" % (src[pos], line))
        kind = m.lastgroup
        text = m.group()
        if kind == "op" and text == "//":
            prev = toks[-1] if toks else None
            operand = prev is not None and (
                prev.kind in ("num", "str") or prev.text in (")", "]")
                or (prev.kind == "id" and prev.text not in STMT_KEYWORDS))
            if not operand:
                end = src.find("\n", pos)
                pos = len(src) if end < 0 else end
                continue
        if kind != "ws":
            toks.append(Tok(kind, text, line))
        line += text.count("\n")
        pos = m.end()
    toks.append(Tok("eof", "", line))
    return toks


# ---------------------------------------------------------------- parser (tuples as AST)

class Parser:
    def __init__(self, src):
        self.t = tokenize(src)
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def at(self, text):
        tok = self.t[self.i]
        return tok.text == text and tok.kind in ("op", "id")

    def expect(self, text):
        tok = self.next()
        if tok.text != text:
            raise SyntaxError("expected %r, got %r at line %d" % (text, tok.text, tok.line))
        return tok

    def ident(self):
        tok = self.next()
        if tok.kind != "id":
            raise SyntaxError("expected a name, got %r at line %d" % (tok.text, tok.line))
        return tok.text

    def program(self):
        body = []
        while self.peek().kind != "eof":
            body.append(self.statement())
        return body

    def block(self):
        self.expect("{")
        body = []
        while not self.at("}"):
            body.append(self.statement())
        self.expect("}")
        return body

    def statement(self):
        tok = self.peek()
        line = tok.line
        w = tok.text if tok.kind == "id" else None
        if w == "import":
            self.next()
            parts = [self.ident()]
            while self.at("."):
                self.next()
                parts.append(self.ident())
            alias = None
            if self.at("as"):
                self.next()
                alias = self.ident()
            self.expect(";")
            return ("import", line, parts, alias)
        if w == "function" and self.peek(1).kind == "id":
            self.next()
            name = self.ident()
            params = self.params()
            return ("def", line, name, params, self.block())
        if w == "if":
            self.next()
            branches = []
            self.expect("(")
            cond = self.expr()
            self.expect(")")
            branches.append((cond, self.block()))
            orelse = None
            while True:
                if self.at("elif") or (self.at("else") and self.peek(1).text == "if"):
                    if self.at("else"):
                        self.next()
                    self.next()
                    self.expect("(")
                    c = self.expr()
                    self.expect(")")
                    branches.append((c, self.block()))
                elif self.at("else"):
                    self.next()
                    orelse = self.block()
                    break
                else:
                    break
            return ("if", line, branches, orelse)
        if w == "while":
            self.next()
            self.expect("(")
            cond = self.expr()
            self.expect(")")
            return ("while", line, cond, self.block())
        if w == "for":
            self.next()
            self.expect("(")
            var = self.ident()
            self.expect("in")
            it = self.expr()
            self.expect(")")
            return ("for", line, var, it, self.block())
        if w == "return":
            self.next()
            value = None if self.at(";") else self.expr()
            self.expect(";")
            return ("return", line, value)
        if w == "throw":
            self.next()
            value = self.expr()
            self.expect(";")
            return ("throw", line, value)
        if w == "try":
            self.next()
            body = self.block()
            handlers = []
            final = None
            while self.at("except"):
                self.next()
                name = None
                if self.at("("):
                    self.next()
                    name = self.ident()
                    self.expect(")")
                handlers.append((name, self.block()))
            if self.at("finally"):
                self.next()
                final = self.block()
            return ("try", line, body, handlers, final)
        if w in ("break", "continue"):
            self.next()
            self.expect(";")
            return (w, line)
        if w == "nonlocal":
            self.next()
            names = [self.ident()]
            while self.at(","):
                self.next()
                names.append(self.ident())
            self.expect(";")
            return ("nonlocal", line, names)
        if tok.text == "{" and tok.kind == "op":
            # object destructuring
            self.next()
            names = [self.ident()]
            while self.at(","):
                self.next()
                names.append(self.ident())
            self.expect("}")
            self.expect("=")
            value = self.expr()
            self.expect(";")
            return ("odestr", line, names, value)
        e = self.expr()
        if self.at("="):
            self.next()
            value = self.expr()
            self.expect(";")
            if e[0] == "array":
                return ("adestr", line, [x[1] for x in e[1]], value)
            return ("assign", line, e, value)
        self.expect(";")
        return ("expr", line, e)

    def params(self):
        self.expect("(")
        names = []
        while not self.at(")"):
            names.append(self.ident())
            if self.at(":"):
                self.next()
                self.ident()
            if self.at(","):
                self.next()
        self.expect(")")
        return names

    BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
              ("*", "/", "//", "%")]

    def expr(self):
        cond = self.binary(0)
        if self.at("?"):
            self.next()
            a = self.expr()
            self.expect(":")
            b = self.expr()
            return ("ternary", cond, a, b)
        return cond

    def binary(self, level):
        if level == len(self.BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind == "op" and self.peek().text in self.BINARY[level]:
            op = self.next().text
            right = self.binary(level + 1)
            left = ("bin", op, left, right)
        return left

    def unary(self):
        if self.at("!"):
            self.next()
            return ("not", self.unary())
        if self.at("-"):
            self.next()
            return ("neg", self.unary())
        if self.at("+"):
            self.next()
            return self.unary()
        return self.postfix(self.primary())

    def postfix(self, e):
        while True:
            if self.at("."):
                self.next()
                name = self.next().text
                e = ("member", e, name)
            elif self.at("("):
                self.next()
                args = []
                while not self.at(")"):
                    args.append(self.expr())
                    if self.at(","):
                        self.next()
                self.expect(")")
                e = ("callx", e, args)
            elif self.at("["):
                self.next()
                parts = [None]
                is_slice = False
                while not self.at("]"):
                    if self.at(":"):
                        self.next()
                        is_slice = True
                        parts.append(None)
                    else:
                        parts[-1] = self.expr()
                self.expect("]")
                e = ("slice", e, parts) if is_slice else ("index", e, parts[0])
            else:
                return e

    def primary(self):
        tok = self.next()
        if tok.kind == "num":
            return ("num", tok.text)
        if tok.kind == "str":
            return ("str", unescape(tok.text[1:-1]))
        if tok.kind == "id":
            if tok.text == "fn" and self.at("("):
                params = self.params()
                self.expect("=>")
                if self.at("{") and not self._object_ahead():
                    raise NotImplementedError("arrow block bodies")
                return ("lambda", params, self.expr())
            if tok.text in ("true", "false"):
                return ("const", tok.text == "true")
            if tok.text in ("null", "undefined"):
                return ("const", None)
            return ("name", tok.text)
        if tok.text == "(":
            e = self.expr()
            self.expect(")")
            return e
        if tok.text == "[":
            items = []
            while not self.at("]"):
                items.append(self.expr())
                if self.at(","):
                    self.next()
            self.expect("]")
            return ("array", items)
        if tok.text == "{":
            items = []
            while not self.at("}"):
                k = self.next()
                key = unescape(k.text[1:-1]) if k.kind == "str" else k.text
                self.expect(":")
                items.append((key, self.expr()))
                if self.at(","):
                    self.next()
            self.expect("}")
            return ("object", items)
        raise SyntaxError("unexpected %r at line %d" % (tok.text, tok.line))

    def _object_ahead(self):
        a, b = self.peek(1), self.peek(2)
        return a.text == "}" or (a.kind in ("id", "str") and b.text == ":")


# ---------------------------------------------------------------- emitter

def pyname(name):
    if keyword.iskeyword(name) or name in ("True", "False", "None"):
        return "ml_" + name
    return name


def assigned_names(body):
    names = set()
    for st in body:
        kind = st[0]
        if kind == "assign" and st[2][0] == "name":
            names.add(st[2][1])
        elif kind in ("adestr", "odestr"):
            names.update(st[2])
        elif kind == "def":
            names.add(st[2])
        elif kind == "for":
            names.add(st[2])
            names |= assigned_names(st[4])
        elif kind == "if":
            for _, b in st[2]:
                names |= assigned_names(b)
            if st[3]:
                names |= assigned_names(st[3])
        elif kind == "while":
            names |= assigned_names(st[3])
        elif kind == "try":
            names |= assigned_names(st[2])
            for n, b in st[3]:
                if n:
                    names.add(n)
                names |= assigned_names(b)
            if st[4]:
                names |= assigned_names(st[4])
    return names


def def_names(body):
    return {st[2] for st in body if st[0] == "def"}


class Emitter:
    def __init__(self, modules_are_user=True):
        self.lines = []
        self.map = []
        self.cur_line = 0
        self.imports = {}      # local name -> "stdlib" | "user" | "builtin"
        self.scopes = []       # stack of dicts: {"locals": set, "defs": set}
        self.module_defs = set()
        self.module_vars = set()

    def out(self, depth, text):
        self.lines.append("    " * depth + text)
        self.map.append(self.cur_line)

    # -- expressions
    def is_stringy(self, e):
        return e[0] == "str" or (e[0] == "bin" and e[1] == "+" and
                                 (self.is_stringy(e[2]) or self.is_stringy(e[3])))

    def known_function(self, name):
        for scope in reversed(self.scopes):
            if name in scope["defs"]:
                return True
            if name in scope["locals"]:
                return False
        if name in self.module_defs:
            return True
        if name in self.module_vars or name in self.imports:
            return False
        return name in BUILTIN_NAMES

    def module_ref(self, e):
        """The Python text for a member chain naming an imported module, or None."""
        if e[0] == "name":
            kind = self.imports.get(e[1])
            if kind and not any(e[1] in s["locals"] for s in self.scopes):
                return pyname(e[1])
            return None
        if e[0] == "member":
            base = self.module_ref(e[1])
            if base is not None and self.imports.get(e[1][1] if e[1][0] == "name" else None) == "userpkg":
                return base + "." + e[2]
        return None

    def x(self, e):
        k = e[0]
        if k == "num":
            t = e[1]
            return repr(float(t)) if any(c in t for c in ".eE") else str(int(t))
        if k == "str":
            return repr(e[1])
        if k == "const":
            return repr(e[1])
        if k == "name":
            return pyname(e[1])
        if k == "array":
            return "[" + ", ".join(self.x(i) for i in e[1]) + "]"
        if k == "object":
            return "{" + ", ".join("%r: %s" % (key, self.x(v)) for key, v in e[1]) + "}"
        if k == "ternary":
            return "(%s if %s else %s)" % (self.x(e[2]), self.x(e[1]), self.x(e[3]))
        if k == "not":
            return "(not %s)" % self.x(e[1])
        if k == "neg":
            return "(-%s)" % self.x(e[1])
        if k == "bin":
            op = {"&&": "and", "||": "or"}.get(e[1], e[1])
            if op == "+" and (self.is_stringy(e[2]) or self.is_stringy(e[3])):
                return "(__ml.pystr(%s) + __ml.pystr(%s))" % (self.x(e[2]), self.x(e[3]))
            return "(%s %s %s)" % (self.x(e[2]), op, self.x(e[3]))
        if k == "lambda":
            self.scopes.append({"locals": set(e[1]), "defs": set()})
            body = self.x(e[2])
            self.scopes.pop()
            return "(lambda %s: %s)" % (", ".join(pyname(p) for p in e[1]), body)
        if k == "member":
            ref = self.module_ref(e[1])
            if ref is not None:
                return "%s.%s" % (ref, e[2])
            return "__ml.attr(%s, %r)" % (self.x(e[1]), e[2])
        if k == "index":
            return "%s[%s]" % (self.x(e[1]), self.x(e[2]))
        if k == "slice":
            return "%s[%s]" % (self.x(e[1]), ":".join("" if p is None else self.x(p) for p in e[2]))
        if k == "callx":
            f, args = e[1], ", ".join(self.x(a) for a in e[2])
            if f[0] == "name" and self.known_function(f[1]):
                return "%s(%s)" % (pyname(f[1]), args)
            if f[0] == "member":
                ref = self.module_ref(f[1])
                if ref is not None:
                    return "%s.%s(%s)" % (ref, f[2], args)
                return "__ml.mcall(%s, %r%s)" % (self.x(f[1]), f[2], ", " + args if args else "")
            return "__ml.call(%s%s)" % (self.x(f), ", " + args if args else "")
        raise NotImplementedError(k)

    # -- statements
    def body(self, stmts, depth):
        if not stmts:
            self.out(depth, "pass")
        for st in stmts:
            self.stmt(st, depth)

    def stmt(self, st, d):
        k = st[0]
        self.cur_line = st[1]
        if k == "import":
            parts, alias = st[2], st[3]
            if len(parts) == 1 and parts[0] in STDLIB:
                if alias:
                    self.out(d, "from mlpy_runtime.stdlib import %s as %s" % (parts[0], alias))
                    self.imports[alias] = "stdlib"
                else:
                    self.out(d, "from mlpy_runtime.stdlib import %s" % parts[0])
                    self.imports[parts[0]] = "stdlib"
            elif alias:
                self.out(d, "import %s as %s" % (".".join(parts), alias))
                self.imports[alias] = "user"
            else:
                self.out(d, "import %s" % ".".join(parts))
                self.imports[parts[0]] = "userpkg" if len(parts) > 1 else "user"
        elif k == "def":
            name, params, body = st[2], st[3], st[4]
            self.out(d, "def %s(%s):" % (pyname(name), ", ".join(pyname(p) for p in params)))
            nonlocals = {n for s in body if s[0] == "nonlocal" for n in s[2]}
            scope = {"locals": (assigned_names(body) | set(params)) - nonlocals,
                     "defs": def_names(body)}
            self.scopes.append(scope)
            self.body(body, d + 1)
            self.scopes.pop()
        elif k == "if":
            for i, (c, b) in enumerate(st[2]):
                self.out(d, "%s %s:" % ("if" if i == 0 else "elif", self.x(c)))
                self.body(b, d + 1)
            if st[3] is not None:
                self.out(d, "else:")
                self.body(st[3], d + 1)
        elif k == "while":
            self.out(d, "while %s:" % self.x(st[2]))
            self.body(st[3], d + 1)
        elif k == "for":
            self.out(d, "for %s in %s:" % (pyname(st[2]), self.x(st[3])))
            self.body(st[4], d + 1)
        elif k == "return":
            self.out(d, "return" if st[2] is None else "return %s" % self.x(st[2]))
        elif k == "throw":
            self.out(d, "raise __ml.MLUserException(%s)" % self.x(st[2]))
        elif k == "try":
            self.out(d, "try:")
            self.body(st[2], d + 1)
            for name, b in st[3]:
                self.out(d, "except Exception as %s:" % pyname(name) if name else "except Exception:")
                self.body(b, d + 1)
            if st[4] is not None or not st[3]:
                self.out(d, "finally:")
                self.body(st[4] or [], d + 1)
        elif k in ("break", "continue"):
            self.out(d, k)
        elif k == "nonlocal":
            outer = [s for s in self.scopes[:-1]]
            nl, gl = [], []
            for n in st[2]:
                (nl if any(n in s["locals"] for s in outer) else gl).append(pyname(n))
            if nl:
                self.out(d, "nonlocal " + ", ".join(nl))
            if gl:
                self.out(d, "global " + ", ".join(gl))
        elif k == "assign":
            t = st[2]
            if t[0] == "member":
                self.out(d, "%s[%r] = %s" % (self.x(t[1]), t[2], self.x(st[3])))
            else:
                self.out(d, "%s = %s" % (self.x(t), self.x(st[3])))
        elif k == "adestr":
            self.out(d, "%s, = %s" % (", ".join(pyname(n) for n in st[2]), self.x(st[3])))
        elif k == "odestr":
            self.out(d, "__v = %s" % self.x(st[3]))
            for n in st[2]:
                self.out(d, "%s = __v[%r]" % (pyname(n), n))
        elif k == "expr":
            self.out(d, self.x(st[2]))
        else:
            raise NotImplementedError(k)


def translate(src, ml_name="main.ml", entry=True, grants=()):
    """Python source for an ML program (entry) or user module."""
    prog = Parser(src).program()
    em = Emitter()
    em.module_defs = def_names(prog)
    em.module_vars = assigned_names(prog) - em.module_defs
    used = [n for n in BUILTIN_NAMES if n not in em.module_defs and n not in em.module_vars]
    head = ["# Generated by mlc (runtime tests) from %s." % ml_name,
            "import mlpy_runtime as __ml",
            "from mlpy_runtime.builtins import " + ", ".join(used),
            "from mlpy_runtime import builtins as builtin"]
    if not entry:
        head.append("__mlpy_module__ = True")
    elif grants:
        head.append("__ml.grant(%r)" % (list(grants),))
        head.append("__ml.install_excepthook()")
    em.body(prog, 0) if prog else None
    lines = head + em.lines
    mapping = [""] * len(head) + [str(l) for l in em.map]
    lines.append("__ml.source_map(__file__, [%r], %r)" % (ml_name, ",".join(mapping) + ","))
    return "\n".join(lines) + "\n"
