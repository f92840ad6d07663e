// The TextMate grammar, tokenized by vscode-textmate and vscode-oniguruma: the engine and
// the regex library VS Code itself uses.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as oniguruma from "vscode-oniguruma";
import * as vsctm from "vscode-textmate";

const root = path.join(__dirname, "..", "..");
let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = fs.readFileSync(path.join(root, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== "source.mlpy") {
        return null;
      }
      const file = path.join(root, "syntaxes", "ml.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  const loaded = await registry.loadGrammar("source.mlpy");
  assert.ok(loaded, "the grammar loads");
  grammar = loaded;
});

interface Tok {
  text: string;
  scopes: string[];
}

/** Tokenizes `lines` (keeping state across them) and returns the tokens of each line. */
function tokenize(...lines: string[]): Tok[][] {
  let state = vsctm.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The innermost scope of the token whose text is `text` (the `nth` such token). */
function scopeOf(tokens: Tok[], text: string, nth = 0): string {
  const found = tokens.filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token '${text}' in ${JSON.stringify(tokens.map((t) => t.text))}`);
  const scopes = found[nth].scopes;
  return scopes[scopes.length - 1];
}

/** Asserts that the `nth` token `text` has a scope starting with `scope`. */
function has(tokens: Tok[], text: string, scope: string, nth = 0): void {
  const found = tokens.filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token '${text}' in ${JSON.stringify(tokens.map((t) => t.text))}`);
  const scopes = found[nth].scopes;
  assert.ok(
    scopes.some((s) => s.startsWith(scope)),
    `'${text}' is ${scopes.join(" ")}, expected ${scope}`,
  );
}

describe("TextMate grammar", () => {
  it("`//` is a comment after `;` and at a line start, floor division after an operand", () => {
    const [line] = tokenize("half = 7 // 2; // then a comment");
    has(line, "//", "keyword.operator.arithmetic.floor-division");
    has(line, "2", "constant.numeric");
    has(line, "//", "comment.line.double-slash", 1);
    has(line, " then a comment", "comment.line.double-slash");
    assert.ok(!scopeOf(line, "//", 0).startsWith("comment"));
    const [a, b, c] = tokenize("// a whole line", "x = f(a) // b;", "y = [1, // one");
    has(a, " a whole line", "comment.line");
    has(b, "//", "keyword.operator.arithmetic.floor-division");
    has(b, "b", "variable.other.readwrite");
    has(c, " one", "comment.line");
    const [d] = tokenize("return // why");
    has(d, " why", "comment.line");
    const [e] = tokenize('s = "a" // 2;');
    has(e, "//", "keyword.operator.arithmetic.floor-division");
  });

  it("contextual keywords: keywords at statement level, plain names after `.` and as keys", () => {
    const [a, b, c, d] = tokenize(
      "if (x) { return 1; } elif (y) { while (z) { break; } } else { }",
      "obj.if = file.read(p) + o.return + o.fn;",
      "o = {if: 1, while: 2, 'quoted key': 3};",
      "import = 3; elif = 4;",
    );
    for (const kw of ["if", "return", "elif", "while", "break", "else"]) {
      has(a, kw, "keyword.control");
    }
    has(b, "if", "variable.other.property");
    has(b, "read", "entity.name.function.member");
    has(b, "return", "variable.other.property");
    has(b, "fn", "variable.other.property");
    has(c, "if", "meta.object-literal.key");
    has(c, "while", "meta.object-literal.key");
    has(c, "'quoted key'", "meta.object-literal.key");
    has(d, "elif", "variable.other.readwrite");
  });

  it("functions, parameters with annotations, fn arrows and calls", () => {
    const [a, b, c] = tokenize(
      "function area(w: number, h) {",
      "double = fn(x) => x * 2; block = fn(a, b) => { return a; };",
      "print(len(xs)); total = area(2, 3);",
    );
    has(a, "function", "storage.type.function");
    has(a, "area", "entity.name.function");
    has(a, "w", "variable.parameter");
    has(a, "number", "entity.name.type");
    has(a, "h", "variable.parameter");
    has(b, "fn", "storage.type.function.arrow");
    has(b, "x", "variable.parameter");
    has(b, "=>", "storage.type.function.arrow");
    has(b, "a", "variable.parameter");
    has(c, "print", "support.function.builtin");
    has(c, "len", "support.function.builtin");
    has(c, "area", "entity.name.function.call");
  });

  it("signed numbers where an operand starts, subtraction after an operand", () => {
    const [a, b, c] = tokenize("x = -5; y = f(-1, +.5e-3); z = a[-2];", "d = x -1; e = 5-2;", "r = 1e3 + 2.5E+10 + 5. + 007;");
    has(a, "-5", "constant.numeric");
    has(a, "-1", "constant.numeric");
    has(a, "+.5e-3", "constant.numeric");
    has(a, "-2", "constant.numeric");
    has(b, "-", "keyword.operator.arithmetic");
    has(b, "1", "constant.numeric");
    has(b, "-", "keyword.operator.arithmetic", 1);
    has(b, "2", "constant.numeric");
    for (const n of ["1e3", "2.5E+10", "5.", "007"]) {
      has(c, n, "constant.numeric");
    }
    const [d] = tokenize("n = 5.length;");
    has(d, "5", "constant.numeric");
    has(d, "length", "variable.other.property");
  });

  it("both quote styles, escapes, verbatim backslashes, strings across lines", () => {
    const [a, b] = tokenize(`s = "say \\"hi\\"\\n" + 'it\\'s' + "\\d+";`, "t = 'first");
    has(a, '"', "punctuation.definition.string.begin");
    has(a, '\\"', "constant.character.escape");
    has(a, "\\n", "constant.character.escape");
    has(a, "\\'", "constant.character.escape");
    has(a, "\\d", "constant.other.backslash-verbatim");
    assert.ok(scopeOf(a, "it", 0) === "string.quoted.single.ml");
    has(b, "first", "string.quoted.single");
    const [, c] = tokenize("t = 'first", "second'; u = 1;");
    has(c, "second", "string.quoted.single");
    has(c, "1", "constant.numeric");
  });

  it("imports: dotted paths, aliases, URLs with options", () => {
    const [a, b, c] = tokenize(
      "import geometry.shapes as shapes;",
      'import https://example.com/lib/v2/math as m { auth: "token", verify: true };',
      "import git://host/org/repo@v1/path/mod;",
    );
    has(a, "import", "keyword.control.import");
    has(a, "geometry", "entity.name.namespace");
    has(a, "as", "keyword.control.as");
    has(a, "shapes", "entity.name.namespace", 1);
    has(b, "https://example.com/lib/v2/math", "markup.underline.link");
    has(b, "auth", "meta.object-literal.key");
    has(b, "true", "constant.language.boolean");
    has(c, "git://host/org/repo@v1/path/mod", "markup.underline.link");
    has(c, ";", "punctuation.terminator.statement");
  });

  it("capability blocks, booleans, null, nonlocal, constants", () => {
    const [a, b] = tokenize(
      'capability FileAccess { resource "data/*.txt"; allow read "x"; allow write; }',
      "nonlocal count; v = null; ok = true && !false; UNIT_SIZE = 1;",
    );
    has(a, "capability", "storage.type.capability");
    has(a, "FileAccess", "entity.name.type.capability");
    has(a, "resource", "keyword.other.capability");
    has(a, "read", "constant.language.permission");
    has(a, "write", "constant.language.permission");
    has(b, "nonlocal", "storage.modifier.nonlocal");
    has(b, "null", "constant.language.null");
    has(b, "true", "constant.language.boolean");
    has(b, "false", "constant.language.boolean");
    has(b, "UNIT_SIZE", "variable.other.constant");
    const [c] = tokenize("allow = 1; read = 2;");
    has(c, "allow", "variable.other.readwrite");
    has(c, "read", "variable.other.readwrite");
  });

  it("tokenizes every fixture and example without leaving a line unscoped", () => {
    const repo = path.join(root, "..", "..");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(p);
        } else if (entry.name.endsWith(".ml")) {
          files.push(p);
        }
      }
    };
    walk(path.join(repo, "examples"));
    walk(path.join(repo, "tests", "testdata", "editor_project"));
    assert.ok(files.length >= 8, `found ${files.length} files`);
    for (const file of files) {
      const lines = fs.readFileSync(file, "utf8").split("\n");
      const tokens = tokenize(...lines);
      tokens.forEach((line, i) => {
        for (const t of line) {
          if (t.text.trim() !== "") {
            assert.ok(t.scopes.length > 1, `${file}:${i + 1}: '${t.text}' has no scope`);
          }
        }
      });
    }
  });
});
