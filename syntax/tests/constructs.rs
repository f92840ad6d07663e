//! Snapshot tests of the syntax tree for every construct of the language.
//!
//! Each snapshot holds the source, the tree (whitespace and comment tokens left out,
//! except in `trivia_placement`) and the diagnostics. Expression tests also start with a
//! fully parenthesised rendering of each statement's value, so precedence and
//! associativity can be read at a glance.

mod common;

use common::{render, render_with_trivia, sexprs};
use insta::assert_snapshot;
use mlpy_syntax::ast::{self, AstNode};

/// `render` preceded by the S-expressions of the top-level statements.
fn render_exprs(text: &str) -> String {
    format!("---- values\n{}{}", sexprs(text), render(text))
}

fn assert_clean(text: &str) {
    let parse = mlpy_syntax::parse(text);
    assert!(
        parse.errors().is_empty(),
        "unexpected diagnostics: {:?}",
        parse.errors()
    );
}

#[test]
fn capability_declarations() {
    let src = r#"capability FileAccess {
    resource "data/*.txt";
    resource "out/**";
    allow read;
    allow write "out/*";
}
capability Net { allow network; }
capability Empty {}
"#;
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn imports_dotted_and_aliased() {
    let src = "import math;
import utils.math;
import a.b.c as abc;
import json as j;
import if.while.fn;
";
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn url_imports() {
    let src = r#"import https://example.com/lib/v2/math;
import https://example.com/lib/v2/math as m;
import https://example.com/lib/stats as stats { auth: "token-123", verify: true, cache: "force" };
import https://example.com/lib/strings { verify: false };
import git://host/org/repo@v1.2.0/path/mod;
import git://host/org/repo@main/path/mod as remote;
"#;
    assert_clean(src);
    let parse = mlpy_syntax::parse(src);
    let targets: Vec<_> = parse
        .tree()
        .imports()
        .map(|i| {
            (
                i.target_text().unwrap(),
                i.alias().and_then(|a| a.name()).map(|n| n.text()),
                i.config()
                    .map(|c| c.fields().filter_map(|f| f.key()).collect::<Vec<_>>()),
            )
        })
        .collect();
    assert_eq!(targets[1].0, "https://example.com/lib/v2/math");
    assert_eq!(targets[2].1.as_deref(), Some("stats"));
    assert_eq!(
        targets[2].2.as_deref(),
        Some(&["auth".to_string(), "verify".into(), "cache".into()][..])
    );
    assert_eq!(targets[4].0, "git://host/org/repo@v1.2.0/path/mod");
    assert_snapshot!(render(src));
}

/// The one snapshot with every whitespace and comment token: comments above a function
/// stay outside the FUNCTION node (in the parent), a node never starts or ends with
/// trivia, and trivia between two tokens belongs to the innermost node open at the
/// second one.
#[test]
fn trivia_placement() {
    let src = "// Adds two numbers.
// Returns their sum.
function add(a: number, b: number) {
    // inside
    return a + b; // trailing
}

x = add(1, 2);
";
    assert_clean(src);
    let parse = mlpy_syntax::parse(src);
    let function = parse.tree().functions().next().unwrap();
    assert_eq!(
        function.doc_comment().as_deref(),
        Some("Adds two numbers.\nReturns their sum.")
    );
    assert_snapshot!(render_with_trivia(src));
}

#[test]
fn functions_with_typed_params() {
    let src = "function none() { return; }
function one(x) { return x; }
function typed(a: number, b: string, c) {
    function inner(y: any) { return y; }
    return inner(a);
}
";
    assert_clean(src);
    let parse = mlpy_syntax::parse(src);
    let typed = parse.tree().functions().nth(2).unwrap();
    let params: Vec<_> = typed
        .params()
        .map(|p| {
            (
                p.name().unwrap().text(),
                p.type_annotation().and_then(|t| t.text()),
            )
        })
        .collect();
    assert_eq!(
        params,
        vec![
            ("a".to_string(), Some("number".to_string())),
            ("b".into(), Some("string".into())),
            ("c".into(), None)
        ]
    );
    assert_snapshot!(render(src));
}

#[test]
fn arrow_functions() {
    let src = r#"double = fn(x) => x * 2;
add = fn(a: number, b) => a + b;
thunk = fn() => 42;
block = fn(x) => {
    if (x) { y = 1; } // a comment after a block inside an arrow body
    return -1;
};
empty = fn(x) => {};
object = fn(a) => {a: 1};
quoted = fn(a) => {"k": a};
curried = fn(a) => fn(b) => a + b;
mapped = map(xs, fn(x) => x + 1);
"#;
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn destructuring() {
    let src = "[a, b] = pair;
{x, y} = point;
[only] = f();
[a, b];
{k: 1};
";
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn if_elif_else() {
    let src = "if (a) { x = 1; }
if (a) { x = 1; } else { x = 2; }
if (a) {
    x = 1;
} elif (b) {
    x = 2;
} else if (c) {
    x = 3;
} else {
    if (d) { x = 4; }
}
";
    assert_clean(src);
    let parse = mlpy_syntax::parse(src);
    let ast::Stmt::If(third) = parse.tree().statements().nth(2).unwrap() else {
        panic!("not an if")
    };
    assert_eq!(third.elif_clauses().count(), 2);
    assert!(third.else_clause().is_some());
    assert_snapshot!(render(src));
}

#[test]
fn loops() {
    let src = "while (i < 10) {
    i = i + 1;
    if (i == 5) { continue; }
    if (i == 8) { break; }
}
for (item in items) { print(item); }
for (i in range(0, 10)) {}
";
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn try_except_finally() {
    let src = r#"try { risky(); } except (e) { print(e.message); }
try { risky(); } except { print("failed"); }
try { risky(); } except (e) { log(e); } finally { cleanup(); }
try { risky(); } finally { cleanup(); }
try { risky(); }
"#;
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn throw_return_nonlocal() {
    let src = r#"function f() {
    nonlocal a;
    nonlocal b, c;
    if (a) { throw {message: "bad", code: 2}; }
    if (b) { return; }
    return a + b;
}
"#;
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn calls_member_and_index_access() {
    let src = r#"f();
f(1, "two", [3]);
obj.method(a).field;
a[0][1] = b.c.d;
f(1).g(2)[3];
"text".upper();
[1, 2].length;
obj.inner.value = 5;
"#;
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn slices() {
    let src = "a[1:2];
a[:2];
a[1:];
a[:];
a[::2];
a[1:10:2];
a[::-1];
a[-3:];
a[:-1];
a[1::2];
a[:5:];
a[i + 1:j - 1];
a[x - 1:];
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn ternaries() {
    let src = "a ? b : c;
a ? b : c ? d : e;
a ? b ? c : d : e;
(c ? 1 : 2) + 3;
x || y ? 1 : 2;
f(c ? a : b);
xs[c ? 0 : 1];
c ? fn(x) => x : fn(x) => -x;
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn binary_precedence_and_associativity() {
    let src = "a || b && c;
a && b == c;
a == b < c;
a < b + c;
a + b * c;
a * !b;
a || b || c;
a && b && c;
a == b != c;
1 < 2 < 3;
a <= b >= c > d;
a - b - c;
a + b - c + d;
a * b / c // d % e;
a / b / c;
a % b * c;
a * b + c * d == e || f && g;
(a + b) * c;
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn prefix_operators() {
    let src = "!a;
!!a;
-a;
- -a;
-f(x);
!a.b;
-a[0];
-x * y;
!a && b;
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn signed_numbers() {
    let src = "x = -5;
y = 5-2;
z = x -1;
w = - 2;
f(-1, +2);
v = [-1.5, -.5e3, +.5e-3];
u = b - -1;
t = (-1);
s = a--1;
r = 1.5e10 + 2E-3 + 7. + .5 + 1.e5;
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

#[test]
fn strings_and_escapes() {
    let src = r#"a = "double";
b = 'single';
c = "a\nb\tc";
d = 'it\'s';
e = "say \"hi\"";
f = '\d+\.\w';
g = "\u0041\\";
h = "multi
line";
i = "";
"#;
    assert_clean(src);
    let parse = mlpy_syntax::parse(src);
    let values: Vec<String> = parse
        .syntax_node()
        .descendants()
        .filter_map(ast::Literal::cast)
        .map(|l| match l.value() {
            Some(ast::LiteralValue::String(s)) => s,
            other => panic!("not a string: {other:?}"),
        })
        .collect();
    assert_eq!(
        values,
        [
            "double",
            "single",
            "a\nb\tc",
            "it's",
            "say \"hi\"",
            r"\d+\.\w",
            "A\\",
            "multi\nline",
            ""
        ]
    );
    assert_snapshot!(render(src));
}

#[test]
fn contextual_keywords() {
    let src = "read = 1;
allow = 2;
resource = 3;
elif = 4;
x.if = 2;
y = {if: 1, while: 2, fn: 3, true: 4, import: 5};
obj.fn(1);
file.read(path).write;
z = obj.fn - 1;
w = obj.fn -1 + obj.true // 2;
";
    assert_clean(src);
    assert_snapshot!(render(src));
}

#[test]
fn comments_and_floor_division() {
    let src = "x = 7 // 2; // a comment after `;`
y = [1, // one
     2];
if (x) // after a header
{ z = a // b; } // after a block
w = {a: 1}.a // 2;
v = f(x) // 2;
// a whole-line comment
";
    assert_clean(src);
    assert_snapshot!(render_exprs(src));
}

/// `//` after an operand divides, as in the reference. Where that division was most
/// likely meant as a comment, the parser warns.
#[test]
fn floor_division_meant_as_comment() {
    let src = "arr = [1, // one
       2 // two
];
x = y // note
z = 1;
w = 6 // 2 words here
;
ok = a // b
    + c;
";
    assert_snapshot!(render(src));
}
