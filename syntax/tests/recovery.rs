//! Snapshot tests of the diagnostics for broken files: each error is reported once, at
//! the right place, and the rest of the file still parses (no cascades).

mod common;

use common::{render, render_diagnostics};
use insta::assert_snapshot;
use mlpy_syntax::{Severity, TextRange, TextSize};

fn error_count(text: &str) -> usize {
    mlpy_syntax::parse(text)
        .errors()
        .iter()
        .filter(|e| e.severity == Severity::Error)
        .count()
}

#[test]
fn missing_semicolons() {
    let src = "x = 1
y = 2;
print(x)
function f() {
    return x
}
z = f() w = 3;
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn unclosed_curly() {
    let src = "function f(x) {
    if (x) {
        return 1;
    return 2;
}

function g() {
    return 3;
}
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn unclosed_curly_at_end_of_file() {
    let src = "while (true) {
    x = x + 1;
";
    assert_snapshot!(render(src));
}

#[test]
fn unclosed_paren() {
    let src = "x = f(1, 2;
y = (a + b;
if (x {
    z = 1;
}
print(\"still parsed\");
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn stray_tokens() {
    let src = "x = 1; )
y = 2;;
}
z = ] 3;
@ w = 4;
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn half_typed_expressions() {
    let src = "x = a.;
x = 1 +;
x = ;
x = f(;
x = [1, ;
x = {a: };
x = c ? 1 : ;
x = !;
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn half_typed_member_access_tree() {
    assert_snapshot!(render("x = a.;\ny = 2;\n"));
}

#[test]
fn trailing_commas() {
    let src = "a = [1, 2, ];
b = {k: 1, };
f(1, );
function g(a, ) { return a; }
h = fn(a, ) => a;
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn throw_needs_an_object() {
    let src = "throw \"x\";
throw error;
throw {message: \"ok\"};
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn else_without_if() {
    let src = "x = 1;
else { x = 2; }
elif (x) { x = 3; }
except (e) { x = 4; }
finally { x = 5; }
y = 6;
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn import_inside_a_function() {
    let src = "function f() {
    import math;
    capability C { allow read; }
    return math.pi;
}
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn unterminated_string() {
    let src = "x = \"unterminated;
y = 2;
z = 'also open
w = 'closed';
";
    assert_snapshot!(render(src));
}

#[test]
fn invalid_characters() {
    let src = "x = 1 $ 2;
y = a | b;
z = a & b;
é = 3;
w = #comment;
v = `tick`;
";
    assert_snapshot!(render_diagnostics(src));
}

/// Five independent mistakes, five errors, each at its exact range.
#[test]
fn five_independent_mistakes() {
    let src = "function area(r) {
    return 3.14 * r * r
}
x = area(2;
if (x > 10 {
    print(\"big\");
}
items = [1, 2, 3,];
throw \"boom\";
print(area(3));
";
    let parse = mlpy_syntax::parse(src);
    let errors: Vec<_> = parse.errors().iter().collect();
    let at = |needle: &str, offset: usize, len: u32| {
        let start = src.find(needle).unwrap() + offset;
        TextRange::at(TextSize::from(start as u32), TextSize::from(len))
    };
    let expected = [
        // `;` missing after `r * r`: an empty range right after it.
        at("r * r\n", 5, 0),
        // `)` missing in `area(2;`: at the `;`.
        at("area(2;", 6, 1),
        // `)` missing after `x > 10`: at the `{`.
        at("10 {", 3, 1),
        // the trailing comma.
        at("3,]", 1, 1),
        // `throw` of a string.
        at("\"boom\"", 0, 6),
    ];
    assert_eq!(
        errors.iter().map(|e| e.range).collect::<Vec<_>>(),
        expected,
        "{errors:#?}"
    );
    assert!(errors.iter().all(|e| e.severity == Severity::Error));
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn a_block_stops_at_a_column_0_function() {
    let src = "function f() {
    if (a) {
        b();

function g() {
    return 1;
}
";
    // Two blocks are unclosed: the `if` and the function.
    assert_eq!(error_count(src), 2);
    assert_snapshot!(render(src));
}

#[test]
fn broken_headers() {
    let src = "if x { a; }
while (x { a; }
for (x of xs) { a; }
for x in xs { a; }
function (a) { return a; }
function f a) { return a; }
try { a; } except (e { b; }
";
    assert_snapshot!(render_diagnostics(src));
}

#[test]
fn broken_declarations() {
    let src = "import ;
import a. ;
import a as ;
import https://h/m { auth: };
capability { allow read; }
capability C { deny read; allow; resource ; }
[a, 1] = b;
{a: 1} = b;
1 = x;
f() = 2;
";
    assert_snapshot!(render_diagnostics(src));
}

/// Input nested deeper than the parser's limit gives one error, not a stack overflow,
/// and a tree no deeper than the limit (so that dropping or walking it is safe).
#[test]
fn nesting_too_deep() {
    let depth = |node: &mlpy_syntax::SyntaxNode| {
        let mut max = 0;
        let mut current = 0usize;
        for event in node.preorder() {
            match event {
                mlpy_syntax::WalkEvent::Enter(_) => {
                    current += 1;
                    max = max.max(current);
                }
                mlpy_syntax::WalkEvent::Leave(_) => current -= 1,
            }
        }
        max
    };
    let cases = [
        format!("x = {}1{};", "(".repeat(5000), ")".repeat(5000)),
        format!("x = {}1;", "1 + ".repeat(5000)),
        format!("x = {}1;", "- ".repeat(5000)),
        format!("x = a{};", ".b".repeat(5000)),
        format!("x = {}1;", "a ? b : ".repeat(5000)),
        format!("{}{}", "if (a) {".repeat(5000), "}".repeat(5000)),
        format!("x = {}1{};", "[".repeat(5000), "]".repeat(5000)),
        format!("x = {}1;", "fn(a) => ".repeat(5000)),
    ];
    for text in &cases {
        let parse = mlpy_syntax::parse(text);
        common::check_invariants(text, &parse);
        let message = "this code nests too deeply (more than 1000 levels of brackets, \
                       blocks or operators); split it into smaller parts";
        assert_eq!(
            parse
                .errors()
                .iter()
                .filter(|e| e.message == message)
                .count(),
            1,
            "{}…",
            &text[..40]
        );
        assert!(depth(&parse.syntax_node()) <= 1100, "{}…", &text[..40]);
    }
    // Just under the limit, no error.
    let text = format!("x = {}1{};", "(".repeat(900), ")".repeat(900));
    assert!(mlpy_syntax::parse(&text).errors().is_empty());
    // An operator chain too long is that one error: the rest of the expression is
    // skipped, and the statement, its list and the next statements go on.
    for (text, terms) in [
        ("x = {};\ny = 2;", 1000),
        ("x = {};\ny = 2;", 5000),
        ("f({}, 2);\ny = 2;", 1200),
        ("x = [{}, (1 + 2)];\ny = 2;", 1500),
        ("x = a * ({});\ny = 2;", 3000),
    ] {
        let chain = vec!["1"; terms].join(" + ");
        let text = text.replace("{}", &chain);
        let parse = mlpy_syntax::parse(&text);
        common::check_invariants(&text, &parse);
        let messages: Vec<&str> = parse.errors().iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{terms} terms: {messages:?}");
        assert!(
            messages[0].starts_with("this code nests too deeply"),
            "{messages:?}"
        );
    }
}

/// Habits from JavaScript and Python: one error each, and the rest still parses.
#[test]
fn habits_from_other_languages() {
    let src = "try { a(); } catch (e) { b(); }
try { a(); } catch (e) {
    b();
}
let x = 1;
const y = f(x);
x += 1;
y = a === b;
w = a !== b;
z = 1;
";
    assert_eq!(error_count(src), 7);
    assert_snapshot!(render_diagnostics(src));
}
