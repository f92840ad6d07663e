//! End-to-end tests of `mlpy transpile` and `mlpy run`: the real binary, the real
//! `python3`, temporary projects only.
//!
//! * every construct and every builtin, run as emitted code;
//! * both output modes on projects with nested packages, diamonds, aliases and
//!   keyword-named modules;
//! * `mlpy run`: exit status, stdin, arguments, working directory, error display;
//! * nothing is written when a program has errors;
//! * malicious programs (reference §7.4) are refused, at compile time or at run time.

mod support;

use std::process::Output;
use support::{diff, python, run, stderr, stdout, Project};

/// Transpiles `main.ml` of `project` to one file and runs it with `python3` from an empty
/// folder (the file must be self-contained).
fn run_single_file(project: &Project, extra: &[&str]) -> Output {
    transpile_and_run(project, &["-o", "out/main.py"], extra, "out/main.py")
}

/// Transpiles `main.ml` to a folder and runs its entry with `python3`.
fn run_multi_file(project: &Project, extra: &[&str]) -> Output {
    transpile_and_run(project, &["--out-dir", "tree"], extra, "tree/main.py")
}

fn transpile_and_run(project: &Project, output: &[&str], extra: &[&str], entry: &str) -> Output {
    let mut args = vec!["transpile", "main.ml"];
    args.extend_from_slice(output);
    args.extend_from_slice(extra);
    let out = project.mlpy(&args);
    assert!(out.status.success(), "transpile failed:\n{}", stderr(&out));
    let cwd = project.path("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    let mut command = python();
    command.arg(project.path(entry)).current_dir(&cwd);
    run(command, None)
}

/// Runs `source` as `main.ml` in both output modes and compares its output.
fn expect_output(source: &str, expected: &str) {
    let project = Project::new();
    project.file("main.ml", source);
    for (mode, out) in [
        ("single file", run_single_file(&project, &[])),
        ("multi file", run_multi_file(&project, &[])),
    ] {
        let actual = stdout(&out);
        assert!(
            actual == expected && out.status.success(),
            "{mode}: output differs (status {:?}):\n{}\nstderr:\n{}",
            out.status.code(),
            diff(expected, &actual),
            stderr(&out)
        );
    }
}

/// The same output in both modes, and through `mlpy run`.
fn expect_project_output(project: &Project, expected: &str) {
    for (mode, out) in [
        ("single file", run_single_file(project, &[])),
        ("multi file", run_multi_file(project, &[])),
        ("mlpy run", project.mlpy(&["run", "main.ml"])),
    ] {
        let actual = stdout(&out);
        assert!(
            actual == expected && out.status.success(),
            "{mode}: output differs (status {:?}):\n{}\nstderr:\n{}",
            out.status.code(),
            diff(expected, &actual),
            stderr(&out)
        );
    }
}

// ------------------------------------------------------------------ constructs

#[test]
fn values_and_operators() {
    expect_output(
        r#"
print(1, -2, 3.0, 2.5, 1e-5, 1e16, 007, 10 / 2, 7 // 2, -7 // 2, -7 % 3, 7 % -3);
print(true, false, null, [true, null, "a"], {a: 1, "b c": [1, 2]});
print(1 + 2 * 3 - 4 / 2, (1 + 2) * 3, 2 * -3, - 2, -(-4));
print(3 > 2 > 1, 1 < 2 == 3 < 4, !true == false, !(1 == 2));
print(true && "yes", null || "default", 0 || false, 1 && 0);
x = 5;
print(x > 3 ? "big" : "small", (x > 3 ? 10 : 20) + 5, -(x > 3 ? 1 : 2), [1, 2, 3][x > 3 ? 0 : 1]);
grade = x >= 9 ? "A" :
        x >= 5 ? "B" :
        "C";
print(grade);
print([1, 2] + [3], "ab" * 3, 1 == 1.0, "1" == 1, [1, [2]] == [1, [2]]);
big = 123456789012345678901234567890;
print(big * 10, 2.0 * 3);
"#,
        "1 -2 3.0 2.5 1e-05 1e+16 7 5.0 3 -4 2 -2\n\
         true false None [True, None, 'a'] {'a': 1, 'b c': [1, 2]}\n\
         5.0 9 -6 -2 4\n\
         false true true true\n\
         yes default false 0\n\
         big 15 -1 1\n\
         B\n\
         [1, 2, 3] ababab true false true\n\
         1234567890123456789012345678900 6.0\n",
    );
}

#[test]
fn strings_escapes_and_coercion() {
    expect_output(
        r#"
print("a\tb", 'it\'s', "say \"hi\"", "back\\slash", "\u0041\u00e9", "\d+\.\w");
print("line1\nline2");
print("n: " + 1, "b: " + true, "x: " + null, "l: " + [1, "x"], 1 + 2 + "a", "a" + 1 + 2);
s = "Hello";
print(s + ", " + str(true), len(s), s.length, "abc".length, [1, 2, 3].length);
print(s.upper(), "a,b,c".split(","), "  pad ".strip(), s.replace("l", "L"), s[1:3], s[::-1], s[-1]);
arr = [0, 1, 2, 3, 4, 5];
print(arr[1:4], arr[:2], arr[3:], arr[::2], arr[-2:], arr[1:-1:2]);
print("unicode: héllo ✓", 'single "quotes"');
"#,
        "a\tb it's say \"hi\" back\\slash Aé \\d+\\.\\w\n\
         line1\nline2\n\
         n: 1 b: True x: None l: [1, 'x'] 3a a12\n\
         Hello, true 5 5 3 3\n\
         HELLO ['a', 'b', 'c'] pad HeLLo el olleH o\n\
         [1, 2, 3] [0, 1] [3, 4, 5] [0, 2, 4] [4, 5] [1, 3]\n\
         unicode: héllo ✓ single \"quotes\"\n",
    );
}

#[test]
fn control_flow() {
    expect_output(
        r#"
function classify(n) {
    if (n < 0) {
        return "negative";
    } elif (n == 0) {
        return "zero";
    } else if (n < 10) {
        return "small";
    } else {
        return "large";
    }
}
print(classify(-1), classify(0), classify(5), classify(50));
i = 0;
total = 0;
while (true) {
    i = i + 1;
    if (i % 2 == 0) { continue; }
    if (i > 7) { break; }
    total = total + i;
}
print(i, total);
for (k in {b: 1, a: 2}) { print("key", k); }
for (c in "hi") { print("char", c); }
for (pair in enumerate(["x", "y"])) { print(pair); }
for (n in range(3)) {
    for (m in range(3)) {
        if (m > n) { break; }
        print(n, m);
    }
}
"#,
        "negative zero small large\n\
         9 16\n\
         key b\nkey a\n\
         char h\nchar i\n\
         (0, 'x')\n(1, 'y')\n\
         0 0\n1 0\n1 1\n2 0\n2 1\n2 2\n",
    );
}

#[test]
fn exceptions() {
    expect_output(
        r#"
function risky(n) {
    if (n > 1) {
        throw {message: "too big", code: n};
    }
    return n;
}
try {
    risky(5);
} except (e) {
    print("caught:", e.message, e.code, e.missing, str(e));
}
try {
    x = 1 / 0;
} except (e) {
    print("python error:", e.message, e.type);
} finally {
    print("finally runs");
}
function early() {
    try {
        return "from try";
    } finally {
        print("cleanup before return");
    }
}
print(early());
try {
    [1][5];
} except {
    print("bare except");
}
try {
    print("try without handlers");
} finally {
}
try {
    throw {code: 1};
} except (e) {
    print(e.message, e);
}
"#,
        "caught: too big 5 None too big\n\
         python error: division by zero ZeroDivisionError\n\
         finally runs\n\
         cleanup before return\n\
         from try\n\
         bare except\n\
         try without handlers\n\
         None User-defined exception\n",
    );
}

#[test]
fn functions_closures_and_nonlocal() {
    expect_output(
        r#"
count = 0;
function bump() {
    nonlocal count;
    count = count + 1;
    return count;
}
bump();
bump();
print("count", count);
function make_counter() {
    n = 0;
    function inc(step) {
        nonlocal n;
        n = n + step;
        return n;
    }
    return inc;
}
c = make_counter();
c(1);
print("counter", c(10));
function late() {
    x = 1;
    function read() { return x; }
    x = 2;
    return read();
}
print("late binding", late());
function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); }
print(fact(20));
ops = {add: fn(a, b) => a + b, mul: fn(a, b) => a * b};
print(ops.add(2, 3), ops.mul(2, 3), ops["add"](1, 1));
f = fact;
print(f(5), call(f, 4));
function max(a, b) { return "user max"; }
print(max(1, 2));
function annotated(a: number, b: string) { return str(a) + b; }
print(annotated(1, "x"));
function noop() {}
print(noop());
function apply(fun, value) { return fun(value); }
print(apply(fn(v) => v * 2, 21));
"#,
        "count 2\n\
         counter 11\n\
         late binding 2\n\
         2432902008176640000\n\
         5 6 2\n\
         120 24\n\
         user max\n\
         1x\n\
         None\n\
         42\n",
    );
}

#[test]
fn arrow_functions() {
    expect_output(
        r#"
double = fn(x) => x * 2;
add = fn(a) => fn(b) => a + b;
print(double(4), add(2)(3), (fn() => "no params")());
block = fn(x) => {
    y = x + 1;
    return y * 2;
};
print(block(1));
order = [];
function log(tag) { order.append(tag); return tag; }
function pick(f, v) { log("pick"); return f(v); }
r = pick(fn(v) => { log("arrow body"); return v + 1; }, log("argument") == "argument" ? 1 : 0);
print(r, order);
items = [3, 1, 2];
if (len(sorted(items, false)) > 0 && pick(fn(v) => { return v > 2; }, 3)) {
    print("arrow in condition");
} elif (pick(fn(v) => { return v; }, false)) {
    print("never");
}
n = 0;
while (pick(fn(v) => { nonlocal n; n = n + 1; return n < v; }, 3)) {
    print("loop", n);
}
curried = fn(a) => fn(b) => { return a * b; };
print(curried(6)(7));
total = 0;
for (i in range(3)) {
    step = fn(v) => { return v * 10; };
    total = total + step(i);
}
print(total);
get_obj = fn() => {a: 1};
print(get_obj());
"#,
        "8 5 no params\n\
         4\n\
         2 ['argument', 'pick', 'arrow body']\n\
         arrow in condition\n\
         loop 1\nloop 2\n\
         42\n\
         30\n\
         {'a': 1}\n",
    );
}

/// A string key loses the quote characters at its ends, as in the reference; a quote
/// escaped at an end stays; the checker and the emitter agree on the key.
#[test]
fn string_keys_lose_the_quotes_at_their_ends() {
    expect_output(
        r#"
o = {"'quoted'": 1, '"dq"': 2, "a\"": 3, "\"b": 4, "it's": 5};
print(o);
print(o.quoted + o.dq);
"#,
        "{'quoted': 1, 'dq': 2, 'a\"': 3, '\"b': 4, \"it's\": 5}\n3\n",
    );
}

/// Long runs of unary minus (and `!` mixed in) compile to Python that runs: a minus
/// sign nests no Python brackets (which stop at 200 levels), up to ML's own limit.
#[test]
fn long_runs_of_unary_operators() {
    let mut source = String::new();
    let mut expected = String::new();
    for n in [2usize, 199, 200, 201, 250, 500, 990] {
        source.push_str(&format!("print({}1);\n", "-".repeat(n)));
        expected.push_str(if n % 2 == 0 { "1\n" } else { "-1\n" });
    }
    source.push_str(&format!("x = [{}5];\nprint(x);\n", "- ".repeat(301)));
    expected.push_str("[-5]\n");
    source.push_str(&format!("print({}true);\n", "!-".repeat(150)));
    expected.push_str("true\n");
    expect_output(&source, &expected);
}

/// An arrow whose expression body spans lines: at statement level (a lambda opens no
/// bracket, so its body stays on one Python line), as an argument, in an array and an
/// object, nested, and with line breaks in its parameter list.
#[test]
fn arrow_bodies_over_several_lines() {
    expect_output(
        r#"
add = fn(p, q) => p
    + q;
nested = fn(a) => fn(b) =>
    a *
    b;
spaced = fn(
    x,
    y
) => x -
    y;
print(add(1, 2), nested(3)(4), spaced(5, 1));
function apply(f, v) { return f(v); }
print(apply(fn(v) => v
    + 1, 1), [fn(v) => v
    * 3][0](2), {f: fn(v) =>
    v}.f(7));
t = true ? fn(v) => v
    + 10 : null;
print(t(1));
"#,
        "3 12 4\n2 6 7\n11\n",
    );
}

#[test]
fn destructuring_and_assignment() {
    expect_output(
        r#"
calls = 0;
function source() {
    nonlocal calls;
    calls = calls + 1;
    return {a: 1, b: 2, c: 3};
}
{a, c} = source();
print(a, c, calls);
[x, y] = [1, 2];
[x, y] = [y, x];
print(x, y);
[only] = ["one"];
print(only);
o = {};
o.name = "n";
o.inner = {list: [1, 2, 3]};
o.inner.list[0] = 10;
o["k"] = "v";
arr = [1, 2, 3, 4];
arr[1:3] = ["x"];
print(o, arr);
"#,
        "1 3 1\n2 1\none\n\
         {'name': 'n', 'inner': {'list': [10, 2, 3]}, 'k': 'v'} [1, 'x', 4]\n",
    );
}

#[test]
fn keyword_names_are_renamed() {
    expect_output(
        r#"
from = 1;
class = 2;
lambda = 3;
None = 4;
True = "t";
pass = fn(def) => def + 1;
function yield(with, is) { return with + is; }
Exception = "not the Python one";
try { throw {message: "m"}; } except (e) { print("still caught", e.message); }
obj = {from: "key", if: "also"};
print(from, class, lambda, None, True, pass(1), yield(2, 3), Exception, obj.from, obj.if);
ml_x = "plain names starting with ml_ are fine";
print(ml_x);
"#,
        "still caught m\n\
         1 2 3 4 t 2 5 not the Python one key also\n\
         plain names starting with ml_ are fine\n",
    );
}

#[test]
fn comments_and_floor_division() {
    expect_output(
        r#"
// a comment line
x = 7 // 2; // floor division, then a comment
y = [1, // one
     2];
print(x, y);  // trailing comment
"#,
        "3 [1, 2]\n",
    );
    // After a name no operator may follow (a parameter, a type annotation, an exception
    // variable, an object key, an import path, `nonlocal`'s names), `//` is a comment.
    expect_output(
        r#"
import math // the module
;
function f(a, // first
    b: number // second, annotated
) { return a + b; }
g = fn(x // the one parameter
) => x * 2;
o = {k // a key
: 1, "s" // a string key
: 2};
function outer() {
    n = 1;
    function inner() { nonlocal n // the outer n
    ; n = n + 1; }
    inner();
    return n;
}
try { z = 1 / 0; } except (e // the error
) { print("caught"); }
print(f(1, 2), g(3), o, outer(), math.floor(7 // 2));
"#,
        "caught\n3 6 {'k': 1, 's': 2} 2 3\n",
    );
}

// ------------------------------------------------------------------ builtins

#[test]
fn every_builtin() {
    expect_output(
        r#"
print(int("3.9"), int(true), int(-2.7), float("1e3"), float(false), str(1.0), str(false), bool(""), bool("0"));
print(typeof(1), typeof(1.5), typeof("s"), typeof(true), typeof([]), typeof({}), typeof(null), typeof(print), typeof(fn() => 1));
print(isinstance(1, "number"), isinstance("a", "array"));
print(len([1, 2]), len("abc"), len({a: 1}), len(5), range(3), range(1, 7, 2), enumerate(["a", "b"], 1));
print(abs(-3), min(3, 1, 2), max([4, 9, 2]), min([]), round(2.5), round(3.14159, 2), round(3));
print(zip([1, 2], ["a", "b"]), sorted([3, 1, 2]), sorted([3, 1, 2], true));
print(keys({a: 1, b: 2}), values({a: 1, b: 2}));
print(callable(print), callable(1), all([1, true]), all([]), any([0, false]), any([0, 1]));
print(sum([1, 2, 3]), sum([1, 2], 10), chr(65), ord("a"), hex(255), bin(5), oct(8));
print(repr("s"), repr(true), repr(null), format(3.14159, ".2f"), format(42, "05d"));
print(reversed([1, 2, 3]), reversed("abc"));
it = iter([1, 2]);
print(next(it), next(it), next(it, "done"));
try { next(it); } except (e) { print(e.message); }
print(hasattr("s", "upper"), hasattr("s", "__class__"), getattr("abc", "length", "d"), getattr("s", "__class__", "blocked"));
print(call(abs, -5), call(fn(a, b) => a - b, 5, 3));
print(help(print));
print(methods("s")[0:3], modules());
print(has_module("math"), has_module("nope"), available_modules("python_bridge")[0:2]);
print(hasCapability("math.compute"), hasCapability("file.read"), getCapabilityInfo("nope"));
print(len(getCapabilities()) > 0, requiredCapabilities(print));
f = builtin.abs;
print(f(-1), builtin.len("xy"), builtin.max(1, 9));
print(module_info("json")["name"]);
"#,
        "3 1 -2 1000.0 0.0 1.0 false false true\n\
         number number string boolean array object unknown function function\n\
         true false\n\
         2 3 1 0 [0, 1, 2] [1, 3, 5] [(1, 'a'), (2, 'b')]\n\
         3 1 9 None 2.0 3.14 3\n\
         [(1, 'a'), (2, 'b')] [1, 2, 3] [3, 2, 1]\n\
         ['a', 'b'] [1, 2]\n\
         true false true true false true\n\
         6 13 A 97 0xff 0b101 0o10\n\
         's' true None 3.14 00042\n\
         [3, 2, 1] ['c', 'b', 'a']\n\
         1 2 done\n\
         Iterator exhausted - use default parameter to avoid error\n\
         true false 3 blocked\n\
         5 2\n\
         Print value to console\nCapabilities: None required\n\
         ['capitalize', 'casefold', 'center'] ['builtin']\n\
         true false ['args', 'collections']\n\
         true false None\n\
         true []\n\
         1 2 9\n\
         json\n",
    );
}

// ------------------------------------------------------------------ modules

/// Nested packages, a diamond, aliases, keyword-named modules and members, modules named
/// like Python's own, a module function through a variable, a module as a value.
fn module_project() -> Project {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file(
            "main.ml",
            r#"import geometry.shapes;
import geometry.shapes as gs;
import util.left;
import util.right;
import util.base;
import class;
import pkg.if.while as w;
import string;
import operator.tools;
print("main starts");
print(geometry.unit, gs.circle(1) > 3, geometry.shapes.from("a"), gs.class);
print(util.left.take(), util.right.take(), util.left.take(), util.base.counter);
print(class.new(5), w.lambda(), string.shout("hi"), operator.tools.twice(fn(x) => x * 3, 2));
f = gs.circle;
print(round(f(2), 2), call(string.shout, "x"));
m = class;
g = geometry.shapes;
print(m.new(1).value, g.from("b"), g.class);
"#,
        )
        .file(
            "lib/geometry/__init__.ml",
            "print(\"load geometry\");\nunit = \"cm\";\n",
        )
        .file(
            "lib/geometry/shapes.ml",
            "import math;\nprint(\"load geometry.shapes\");\nfunction circle(r) { return math.pi * r * r; }\nfunction from(x) { return \"from \" + x; }\nclass = \"member named class\";\n",
        )
        .file(
            "lib/util/base.ml",
            "print(\"load util.base\");\ncounter = 0;\nfunction next() {\n    nonlocal counter;\n    counter = counter + 1;\n    return counter;\n}\n",
        )
        .file(
            "lib/util/left.ml",
            "import util.base;\nprint(\"load util.left\");\nfunction take() { return util.base.next(); }\n",
        )
        .file(
            "lib/util/right.ml",
            "import util.base as b;\nprint(\"load util.right\");\nfunction take() { return b.next(); }\n",
        )
        .file(
            "lib/class.ml",
            "print(\"load class\");\nfunction new(x) { return {value: x}; }\n",
        )
        .file(
            "lib/pkg/if/while.ml",
            "print(\"load pkg.if.while\");\nfunction lambda() { return \"lambda member\"; }\n",
        )
        .file(
            "lib/string.ml",
            "print(\"load string\");\nfunction shout(s) { return s.upper() + \"!\"; }\n",
        )
        .file(
            "lib/operator/tools.ml",
            "print(\"load operator.tools\");\nfunction twice(f, x) { return f(f(x)); }\n",
        );
    project
}

const MODULE_PROJECT_OUTPUT: &str = "load geometry\n\
load geometry.shapes\n\
load util.base\n\
load util.left\n\
load util.right\n\
load class\n\
load pkg.if.while\n\
load string\n\
load operator.tools\n\
main starts\n\
cm true from a member named class\n\
1 2 3 3\n\
{'value': 5} lambda member HI! 18\n\
12.57 X!\n\
1 from b member named class\n";

#[test]
fn modules_in_both_output_modes() {
    let project = module_project();
    expect_project_output(&project, MODULE_PROJECT_OUTPUT);
}

#[test]
fn multi_file_layout() {
    let project = module_project();
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "tree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files: Vec<String> = project
        .files()
        .into_iter()
        .filter(|f| f.starts_with("tree/") && !f.starts_with("tree/mlpy_runtime/"))
        .collect();
    assert_eq!(
        files,
        [
            "tree/.mlpy-output",
            "tree/geometry/__init__.py",
            "tree/geometry/shapes.py",
            "tree/main.py",
            "tree/ml_class.py",
            "tree/ml_operator/__init__.py",
            "tree/ml_operator/tools.py",
            "tree/ml_string.py",
            "tree/pkg/__init__.py",
            "tree/pkg/ml_if/__init__.py",
            "tree/pkg/ml_if/ml_while.py",
            "tree/util/__init__.py",
            "tree/util/base.py",
            "tree/util/left.py",
            "tree/util/right.py",
        ]
    );
    assert!(project.path("tree/mlpy_runtime/__init__.py").is_file());
    assert!(project.path("tree/mlpy_runtime/stdlib/math.py").is_file());
    let main = std::fs::read_to_string(project.path("tree/main.py")).expect("main.py");
    assert!(main.contains("import geometry.shapes\n"), "{main}");
    assert!(main.contains("import geometry.shapes as gs\n"), "{main}");
    assert!(main.contains("import ml_class\n"), "{main}");
    assert!(main.contains("import pkg.ml_if.ml_while as w\n"), "{main}");
    assert!(main.contains("__ml.grant([])"), "{main}");
    assert!(
        main.contains("__ml.source_map(__file__, [\"main.ml\"]"),
        "{main}"
    );
    // Direct calls of module functions; ML names kept.
    assert!(main.contains("util.left.take()"), "{main}");
    assert!(main.contains("geometry.shapes.ml_from(\"a\")"), "{main}");
}

#[test]
fn single_file_is_self_contained_and_includes_only_what_it_uses() {
    let project = Project::new();
    project.file("main.ml", "print(\"hi\");\n");
    let out = run_single_file(&project, &[]);
    assert_eq!(stdout(&out), "hi\n", "{}", stderr(&out));
    let text = std::fs::read_to_string(project.path("out/main.py")).expect("main.py");
    assert!(
        text.contains("\"mlpy_runtime.builtins\": (False,"),
        "builtins embedded"
    );
    assert!(
        !text.contains("\"mlpy_runtime.stdlib.regex\""),
        "unused stdlib module embedded"
    );
    // Without -o, the program goes to stdout.
    let out = project.mlpy(&["transpile", "main.ml"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("print(\"hi\")"));
}

#[test]
fn top_level_code_runs_once_in_diamonds() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["."]}"#)
        .file("main.ml", "import a;\nimport b;\nimport shared;\nprint(shared.loads, a.x + b.x);\n")
        .file("a.ml", "import shared;\nx = shared.bump();\n")
        .file("b.ml", "import shared as s;\nx = s.bump();\n")
        .file(
            "shared.ml",
            "loads = 0;\nloads = loads + 1;\nprint(\"shared loaded\");\nn = 0;\nfunction bump() { nonlocal n; n = n + 1; return n; }\n",
        );
    expect_project_output(&project, "shared loaded\n1 3\n");
}

#[test]
fn module_code_runs_at_its_first_import_in_every_mode() {
    // Code above an import runs before the module it imports, in a module as in the
    // entry; a package runs before the modules inside it; a diamond's module runs once.
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["."]}"#)
        .file(
            "main.ml",
            "print(\"main 1\");\nimport a;\nprint(\"main 2\");\nimport b;\nimport pkg.sub;\nprint(\"main 3\");\n",
        )
        .file("a.ml", "print(\"a 1\");\nimport shared;\nprint(\"a 2\");\n")
        .file("b.ml", "import shared;\nprint(\"b\");\n")
        .file("shared.ml", "print(\"shared\");\n")
        .file("pkg/__init__.ml", "print(\"pkg\");\n")
        .file("pkg/sub.ml", "print(\"pkg.sub\");\n");
    expect_project_output(
        &project,
        "main 1\na 1\nshared\na 2\nmain 2\nb\npkg\npkg.sub\nmain 3\n",
    );
}

#[test]
fn an_entry_named_like_a_module_of_its_program_keeps_both() {
    // `main.ml` importing the module `main` (lib/main.ml), and `tools.ml` importing the
    // package `tools`: the entry's file is renamed, never written over a module's file.
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file(
            "main.ml",
            "print(\"entry\");\nimport main;\nprint(main.who());\n",
        )
        .file(
            "lib/main.ml",
            "print(\"module main\");\nfunction who() { return \"main.who\"; }\n",
        )
        .file(
            "tools.ml",
            "import tools.x;\nprint(\"tools entry\", tools.x.v);\n",
        )
        .file("lib/tools/x.ml", "v = 5;\n");
    let expected = "entry\nmodule main\nmain.who\n";
    let out = run_single_file(&project, &[]);
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "tree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Wrote 2 modules to tree (run: python3 tree/ml_main.py)"),
        "{}",
        stderr(&out)
    );
    let module = std::fs::read_to_string(project.path("tree/main.py")).expect("main.py");
    assert!(module.contains("from lib/main.ml"), "{module}");
    let out = run_entry_from_elsewhere(&project, "tree/ml_main.py");
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));

    let out = project.mlpy(&["transpile", "tools.ml", "--out-dir", "tree2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = project.mlpy(&["transpile", "lib/tools/x.ml", "--out-dir", "tree3"]);
    assert!(
        stderr(&out).contains("Wrote 1 module to tree3 (run: python3 tree3/x.py)"),
        "{}",
        stderr(&out)
    );
    assert!(project.path("tree2/tools/x.py").is_file());
    let out = run_entry_from_elsewhere(&project, "tree2/ml_tools.py");
    assert_eq!(stdout(&out), "tools entry 5\n", "{}", stderr(&out));
    let out = project.mlpy(&["run", "tools.ml"]);
    assert_eq!(stdout(&out), "tools entry 5\n", "{}", stderr(&out));
}

#[test]
fn a_module_beside_a_folder_of_modules_runs_in_every_mode() {
    // `a.ml` and `a/b.ml`: Python takes a folder `a/` over `a.py`, so the module `a` is
    // written as the folder's `a/__init__.py`.
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["."]}"#)
        .file(
            "main.ml",
            "import a.b;\nimport a;\nimport a.b.c as abc;\nprint(a.x, a.b.y, abc.z);\n",
        )
        .file("a.ml", "print(\"a\");\nx = 1;\n")
        .file("a/b.ml", "print(\"a.b\");\ny = 2;\n")
        .file("a/b/c.ml", "print(\"a.b.c\");\nz = 3;\n");
    expect_project_output(&project, "a\na.b\na.b.c\n1 2 3\n");
    let files: Vec<String> = project
        .files()
        .into_iter()
        .filter(|f| f.starts_with("tree/a"))
        .collect();
    assert_eq!(
        files,
        [
            "tree/a/__init__.py",
            "tree/a/b/__init__.py",
            "tree/a/b/c.py"
        ]
    );
}

/// Runs `python3 ENTRY` from an empty folder.
fn run_entry_from_elsewhere(project: &Project, entry: &str) -> Output {
    let cwd = project.path("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    let mut command = python();
    command.arg(project.path(entry)).current_dir(&cwd);
    run(command, None)
}

// ------------------------------------------------------------------ mlpy run

#[test]
fn run_passes_stdin_arguments_and_working_directory() {
    let project = Project::new();
    project.file(
        "main.ml",
        "import args;\nimport path;\nname = input();\nprint(\"hello \" + name, args.rest(), path.cwd() == path.absolute(\".\"));\nprint(input(\"again? \"));\n",
    );
    let out = project.mlpy_stdin(
        &["run", "main.ml", "--allow", "args", "--", "one", "--two"],
        "world\nyes\n",
    );
    assert_eq!(
        stdout(&out),
        "hello world ['one', '--two'] true\nagain? yes\n",
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    // The program runs in the user's working directory.
    project.file(
        "sub/main.ml",
        "import file;\nfile.write(\"made-here.txt\", \"x\");\n",
    );
    let out = project.mlpy(&["run", "sub/main.ml", "--allow", "file"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(project.path("made-here.txt").is_file());
}

#[test]
fn run_reports_uncaught_errors_with_ml_positions() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib"]}"#)
        .file(
            "main.ml",
            "import calc;\nprint(\"before\");\n\nfunction go() {\n    return calc.divide(1, 0);\n}\ngo();\n",
        )
        .file(
            "lib/calc.ml",
            "function divide(a, b) {\n    return a / b;\n}\n",
        );
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "before\n");
    let err = stderr(&out);
    assert!(
        err.starts_with("lib/calc.ml:2: ZeroDivisionError: division by zero\n"),
        "{err}"
    );
    assert!(err.contains("main.ml:5 in go"), "{err}");
    assert!(err.contains("main.ml:7 in <module>"), "{err}");

    project.file(
        "thrower.ml",
        "x = 1;\nthrow {message: \"custom failure\", code: 2};\n",
    );
    let out = project.mlpy(&["run", "thrower.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("thrower.ml:2: custom failure\n"),
        "{}",
        stderr(&out)
    );
}

/// An uncaught exception whose message cannot be turned into text (an integer past the
/// digit limit, thrown, inside what was thrown, or in a Python error's message) is still
/// reported the ML way, the message replaced by a stand-in: never Python's traceback.
#[test]
fn run_reports_messages_that_cannot_be_shown() {
    let project = Project::new();
    let big = "import math;\nbig = math.pow(10, 5000);\n";
    for (source, start) in [
        (
            "throw {message: big};",
            "m.ml:3: <the message cannot be shown: ValueError: ",
        ),
        (
            "throw {message: [1, {k: big}]};",
            "m.ml:3: <the message cannot be shown: ",
        ),
        (
            "d = {};\nx = d[big];",
            "m.ml:4: KeyError: <the message cannot be shown: ",
        ),
    ] {
        project.file("m.ml", &format!("{big}{source}\n"));
        let out = project.mlpy(&["run", "m.ml"]);
        assert_eq!(out.status.code(), Some(1), "{source}");
        let err = stderr(&out);
        assert!(err.starts_with(start), "{source}:\n{err}");
        assert!(
            err.contains("ML traceback (most recent call last):"),
            "{source}:\n{err}"
        );
        assert!(!err.contains("Traceback (most recent"), "{source}:\n{err}");
        assert!(!err.contains("str() failed"), "{source}:\n{err}");
    }
}

/// `path.tempDir()` needs no grant (it writes nothing to find the folder) and its answer
/// and errors name no environment variable's value that is not the answer.
#[test]
#[cfg(unix)]
fn path_temp_dir_needs_no_grant() {
    let project = Project::new();
    project.file("t.ml", "import path;\nprint(path.tempDir());\n");
    let folder = project.path("tmp-folder");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let secret = project.path("not-a-folder-secret-5521");
    for (tmpdir, expected) in [
        (folder.display().to_string(), folder.display().to_string()),
        (secret.display().to_string(), "/tmp".to_string()),
    ] {
        let mut command = support::mlpy(&project.path(".cache"));
        command
            .args(["run", "t.ml"])
            .current_dir(project.dir.path())
            .env("TMPDIR", &tmpdir)
            .env_remove("TEMP")
            .env_remove("TMP");
        let out = run(command, None);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("{expected}\n"));
        assert!(!stderr(&out).contains("secret"), "{}", stderr(&out));
    }
}

#[test]
fn run_exit_statuses() {
    let project = Project::new();
    project.file("ok.ml", "print(\"fine\");\n");
    let out = project.mlpy(&["run", "ok.ml"]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "fine\n")
    );
    // A compile error: status 1, diagnostics with positions, the program never runs.
    project.file("bad.ml", "print(\"never\");\nprint(nope);\n");
    let out = project.mlpy(&["run", "bad.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("bad.ml:2:7: error: Unknown identifier 'nope'"),
        "{}",
        stderr(&out)
    );
    // A capability that is not granted: a clear error at run time.
    project.file("env.ml", "import env;\nprint(env.get(\"HOME\") != null);\n");
    let out = project.mlpy(&["run", "env.ml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("capability 'env.read' is not granted"),
        "{}",
        stderr(&out)
    );
    let out = project.mlpy(&["run", "env.ml", "--allow", "env"]);
    assert_eq!(stdout(&out), "true\n", "{}", stderr(&out));
    // Python that cannot be started: status 2 and a message.
    let mut command = support::mlpy(&project.path(".cache"));
    command
        .args(["run", "ok.ml"])
        .current_dir(project.dir.path())
        .env("MLPY_PYTHON", "/nonexistent/python3");
    let out = run(command, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("MLPY_PYTHON"), "{}", stderr(&out));
    // A missing file: status 2.
    let out = project.mlpy(&["run", "missing.ml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_reuses_its_cache_and_sees_changes() {
    let project = Project::new();
    project.file("main.ml", "print(1);\n");
    assert_eq!(stdout(&project.mlpy(&["run", "main.ml"])), "1\n");
    assert_eq!(stdout(&project.mlpy(&["run", "main.ml"])), "1\n");
    project.file("main.ml", "print(2);\n");
    assert_eq!(stdout(&project.mlpy(&["run", "main.ml"])), "2\n");
}

// ------------------------------------------------------------------ no output on error

#[test]
fn transpile_writes_nothing_on_error() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["."]}"#)
        .file("main.ml", "import helper;\nprint(helper.f());\n")
        .file(
            "helper.ml",
            "function f() {\n    return undefined_name + 1;\n}\n",
        );
    let before = project.files();
    let out = project.mlpy(&["transpile", "main.ml", "-o", "out.py"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("helper.ml:2:12: error: Unknown identifier 'undefined_name'"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "tree"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(project.files(), before, "files were written");
    // An existing output stays as it was.
    project.file("out.py", "previous\n");
    let out = project.mlpy(&["transpile", "main.ml", "-o", "out.py"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(project.path("out.py")).unwrap(),
        "previous\n"
    );
    // Syntax errors and unresolved imports too.
    project.file("main.ml", "import nothere;\nx = ;\n");
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "tree"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("main.ml:1:8: error: Module 'nothere' not found"),
        "{}",
        stderr(&out)
    );
    assert!(!project.path("tree").exists());
}

#[test]
fn transpile_never_replaces_a_folder_or_file_it_did_not_write() {
    let project = Project::new();
    project
        .file("main.ml", "print(1);\n")
        .file("mine/notes.txt", "keep me\n");
    // The output goes beside the user's files, which stay (more in tests/output_cli.rs).
    let out = project.mlpy(&["transpile", "main.ml", "--out-dir", "mine"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(project.path("mine/main.py").is_file());
    assert_eq!(
        std::fs::read_to_string(project.path("mine/notes.txt")).unwrap(),
        "keep me\n"
    );
    let out = project.mlpy(&["transpile", "main.ml", "-o", "main.ml", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(project.path("main.ml")).unwrap(),
        "print(1);\n"
    );
    // An earlier output, or an empty folder, is replaced.
    std::fs::create_dir(project.path("empty")).unwrap();
    for dir in ["tree", "tree", "empty"] {
        let out = project.mlpy(&["transpile", "main.ml", "--out-dir", dir]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(project.path("empty/main.py").is_file());
}

#[test]
fn check_reports_what_transpile_refuses() {
    let project = Project::new();
    project.file(
        "main.ml",
        "capability FileAccess {\n    resource \"data/*.txt\";\n    allow read;\n}\nfunction f() {\n    retrun = 1;\n    return retrn;\n}\nbreak;\n",
    );
    let out = project.mlpy(&["check", "main.ml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("main.ml:1:12: warning: capability 'file.read' is declared by `capability FileAccess` but not granted"), "{text}");
    assert!(
        text.contains("main.ml:7:12: error: Unknown identifier 'retrn'"),
        "{text}"
    );
    assert!(text.contains("did you mean 'retrun'?"), "{text}");
    assert!(
        text.contains("main.ml:9:1: error: 'break' outside a loop"),
        "{text}"
    );
    let out = project.mlpy(&["check", "main.ml", "--allow", "file"]);
    assert!(!stdout(&out).contains("not granted"), "{}", stdout(&out));
}

// ------------------------------------------------------------------ security (§7.4)

/// A program refused at compile time, with `message` in the report.
fn refused_at_compile_time(source: &str, message: &str) {
    let project = Project::new();
    project.file("main.ml", source);
    let out = project.mlpy(&["transpile", "main.ml", "-o", "out.py"]);
    assert_eq!(out.status.code(), Some(1), "not refused: {source}");
    assert!(stderr(&out).contains(message), "{source}\n{}", stderr(&out));
    assert!(!project.path("out.py").exists());
}

#[test]
fn malicious_programs_refused_at_compile_time() {
    let cases = [
        ("__x = 1;", "Dunder identifier '__x' is forbidden"),
        (
            "x = __builtins__;",
            "Dunder identifier '__builtins__' is forbidden",
        ),
        (
            "function f(__p) { return 1; }",
            "Dunder parameter name '__p'",
        ),
        (
            "function __init__() { return 1; }",
            "Dunder function name '__init__'",
        ),
        ("__import__(\"os\");", "Dunder function call '__import__'"),
        (
            "x = \"s\".__class__;",
            "Dunder member access '__class__' is forbidden",
        ),
        (
            "o = {}; y = o.__class__.__bases__;",
            "reflection attribute '__class__'",
        ),
        (
            "f = print; g = f.__globals__;",
            "reflection attribute '__globals__'",
        ),
        (
            "x = [].__class__.__mro__;",
            "Dunder member access '__class__'",
        ),
        (
            "s = \"x\"; s.__init__();",
            "Dunder member access '__init__'",
        ),
        ("___x = 1;", "Dunder identifier '___x'"),
        ("x = __ml.call;", "Dunder identifier '__ml'"),
        (
            "eval(\"1 + 1\");",
            "Dangerous code injection operation 'eval'",
        ),
        (
            "exec(\"x = 1\");",
            "Dangerous code injection operation 'exec'",
        ),
        ("f = open;", "Dangerous Python builtin 'open'"),
        (
            "g = globals();",
            "Dangerous code injection operation 'globals'",
        ),
        ("c = compile;", "Dangerous Python builtin 'compile'"),
        ("import os;", "Import of Python module 'os' is refused"),
        (
            "import subprocess as sp;",
            "Import of Python module 'subprocess' is refused",
        ),
        ("import sys;", "Import of Python module 'sys' is refused"),
        (
            "x = \"please eval(code)\";",
            "String contains potentially dangerous code pattern 'eval('",
        ),
        (
            "x = 'os.system (\"ls\")';",
            "dangerous code pattern 'os.system('",
        ),
        (
            "x = \"import subprocess.run\";",
            "dangerous code pattern 'subprocess.'",
        ),
        // The pattern is looked for in the string's value, lower-cased.
        ("x = \"EVAL (1)\";", "dangerous code pattern 'eval('"),
        ("x = \"open\\u0028f)\";", "dangerous code pattern 'open('"),
        (
            "x = \"SubProcess\\u002Erun\";",
            "dangerous code pattern 'subprocess.'",
        ),
        (
            "capability All { resource \"*\"; }",
            "Overly broad resource pattern '*'",
        ),
        (
            "capability Run { allow execute; }",
            "Dangerous permission 'execute'",
        ),
        ("o = {__class__: 1};", "Dunder object key '__class__'"),
    ];
    support::parallel(&cases, |(source, message)| {
        refused_at_compile_time(source, message)
    });
}

#[test]
fn malicious_programs_refused_at_run_time() {
    // Names built at run time never reach Python internals.
    expect_output(
        r#"
o = {};
name = "__cla" + "ss__";
print(getattr(o, name), getattr("s", "__class__", "default"), hasattr([], "__dict__"));
print(getattr(o, "_private"), hasattr(print, "__globals__"), getattr(getattr, "__self__"));
print(call(getattr, "x", "__class__"));
f = "s".upper;
print(call(f), typeof(f));
try { x = len.gi_frame; } except (e) { print(e); }
try { x = "s".mro; } except (e) { print(e); }
try { call("s".join, [1, 2]); } except (e) { print(e.type); }
try { [].foo(); } except (e) { print(e); }
try { x = {}.keys; print(x); } except (e) { print(e); }
"#,
        "None default false\n\
         None false None\n\
         None\n\
         S function\n\
         Access to dangerous attribute 'gi_frame' is forbidden\n\
         Access to dangerous attribute 'mro' is forbidden\n\
         TypeError\n\
         'list' object has no accessible method 'foo'\n\
         None\n",
    );
}

// ------------------------------------------------------------------ the example

/// The README's first command: `cargo run --release -- run examples/shapes/main.ml`.
#[test]
fn example_project() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = tempfile::tempdir().expect("cache");
    let mut command = support::mlpy(cache.path());
    command
        .args(["run", "examples/shapes/main.ml"])
        .current_dir(root);
    let out = run(command, None);
    let expected = "Shapes (geometry 1.0, lengths in cm):\n  \
circle r=1.5: area 7.07, perimeter 9.42\n  \
rectangle 2x3: area 6, perimeter 10\n  \
square 2: area 4, perimeter 8\n  \
circle r=0.5: area 0.79, perimeter 3.14\n\
Total area: 17.85 cm^2\n\
Largest: circle r=1.5 (7.07)\n\
Shapes created: 4\n\
{\"count\": 4, \"kinds\": [\"circle\", \"rectangle\", \"square\"]}\n";
    assert!(
        stdout(&out) == expected && out.status.success(),
        "{}\n{}",
        diff(expected, &stdout(&out)),
        stderr(&out)
    );
    // The same in both output modes, with a check that reports no problem.
    let out = {
        let mut command = support::mlpy(cache.path());
        command
            .args(["check", "examples/shapes/main.ml"])
            .current_dir(root);
        run(command, None)
    };
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no problems found"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn whitelisted_python_modules_in_python_stdlib_mode() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"stdlib_mode": "python"}"#)
        .file(
            "main.ml",
            "import re;\nimport string as s;\nprint(re.sub(\"a+\", \"b\", \"caaat\"), s.ascii_lowercase[0:3]);\n",
        );
    let out = run_single_file(&project, &[]);
    assert_eq!(stdout(&out), "cbt abc\n", "{}", stderr(&out));
}

// ------------------------------------------------------------------ generated expressions

/// A small xorshift generator: the same programs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    Int(i128),
    Bool(bool),
}

impl Value {
    fn num(self) -> i128 {
        match self {
            Value::Int(i) => i,
            Value::Bool(b) => b as i128,
        }
    }
    fn truthy(self) -> bool {
        self.num() != 0
    }
    /// `print` of a top-level value.
    fn printed(self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
    /// Python's `str`.
    fn py_str(self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Bool(true) => "True".to_string(),
            Value::Bool(false) => "False".to_string(),
        }
    }
}

/// An ML expression over integers and booleans, written with the fewest parentheses ML's
/// precedence needs (sometimes more), and its value under ML's (Python's) semantics.
fn gen_expr(rng: &mut Rng, depth: u32) -> (String, u8, Value) {
    // Precedence levels: 0 ternary, 1 ||, 2 &&, 3 == !=, 4 < > <= >=, 5 + -, 6 *, 7 unary, 8 atom.
    fn wrap((text, prec, value): (String, u8, Value), min: u8, rng: &mut Rng) -> (String, Value) {
        if prec < min || rng.below(10) == 0 {
            (format!("({text})"), value)
        } else {
            (text, value)
        }
    }
    if depth == 0 || rng.below(4) == 0 {
        return match rng.below(5) {
            0 => ("true".to_string(), 8, Value::Bool(true)),
            1 => ("false".to_string(), 8, Value::Bool(false)),
            2 => {
                let n = rng.below(6) as i128 + 1;
                (format!("-{n}"), 7, Value::Int(-n))
            }
            _ => {
                let n = rng.below(10) as i128;
                (n.to_string(), 8, Value::Int(n))
            }
        };
    }
    match rng.below(8) {
        0 => {
            let (c, cv) = wrap(gen_expr(rng, depth - 1), 1, rng);
            let (a, av) = wrap(gen_expr(rng, depth - 1), 0, rng);
            let (b, bv) = wrap(gen_expr(rng, depth - 1), 0, rng);
            let v = if cv.truthy() { av } else { bv };
            (format!("{c} ? {a} : {b}"), 0, v)
        }
        1 => {
            let (a, av) = wrap(gen_expr(rng, depth - 1), 7, rng);
            if rng.below(2) == 0 {
                (format!("!{a}"), 7, Value::Bool(!av.truthy()))
            } else {
                (format!("- {a}"), 7, Value::Int(-av.num()))
            }
        }
        _ => {
            let ops: [(&str, u8); 12] = [
                ("||", 1),
                ("&&", 2),
                ("==", 3),
                ("!=", 3),
                ("<", 4),
                (">", 4),
                ("<=", 4),
                (">=", 4),
                ("+", 5),
                ("-", 5),
                ("*", 6),
                ("+", 5),
            ];
            let (op, prec) = ops[rng.below(ops.len() as u64) as usize];
            let (l, lv) = wrap(gen_expr(rng, depth - 1), prec, rng);
            let (r, rv) = wrap(gen_expr(rng, depth - 1), prec + 1, rng);
            let v = match op {
                "||" => {
                    if lv.truthy() {
                        lv
                    } else {
                        rv
                    }
                }
                "&&" => {
                    if lv.truthy() {
                        rv
                    } else {
                        lv
                    }
                }
                "==" => Value::Bool(lv.num() == rv.num()),
                "!=" => Value::Bool(lv.num() != rv.num()),
                "<" => Value::Bool(lv.num() < rv.num()),
                ">" => Value::Bool(lv.num() > rv.num()),
                "<=" => Value::Bool(lv.num() <= rv.num()),
                ">=" => Value::Bool(lv.num() >= rv.num()),
                "+" => Value::Int(lv.num() + rv.num()),
                "-" => Value::Int(lv.num() - rv.num()),
                _ => Value::Int(lv.num() * rv.num()),
            };
            (format!("{l} {op} {r}"), prec, v)
        }
    }
}

/// A `+` chain of strings, numbers and booleans: the string `+` coerces both operands with
/// Python's `str` when either is a string literal or such a chain.
fn gen_concat(rng: &mut Rng, depth: u32) -> (String, bool, String, Value) {
    // (text, is "stringy", value as a string if stringy, value otherwise)
    if depth == 0 || rng.below(3) == 0 {
        return match rng.below(3) {
            0 => {
                let s = ["a", "b c", "", "x'y"][rng.below(4) as usize];
                (format!("\"{s}\""), true, s.to_string(), Value::Int(0))
            }
            1 => {
                let n = rng.below(10) as i128;
                (n.to_string(), false, String::new(), Value::Int(n))
            }
            _ => {
                let b = rng.below(2) == 0;
                (b.to_string(), false, String::new(), Value::Bool(b))
            }
        };
    }
    let (lt, ls, lstr, lv) = gen_concat(rng, depth - 1);
    let (rt, rs, rstr, rv) = gen_concat(rng, depth - 1);
    // A compound right operand keeps its parentheses (without them `a + (b + c)` would
    // read as `(a + b) + c`); a leaf sometimes gets some.
    let right_paren = rt.contains(" + ") || rng.below(2) == 0;
    let text = if right_paren {
        format!("{lt} + ({rt})")
    } else {
        format!("{lt} + {rt}")
    };
    if ls || rs {
        let l = if ls { lstr } else { lv.py_str() };
        let r = if rs { rstr } else { rv.py_str() };
        (text, true, format!("{l}{r}"), Value::Int(0))
    } else {
        (text, false, String::new(), Value::Int(lv.num() + rv.num()))
    }
}

#[test]
fn generated_expressions_evaluate_like_ml() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut source = String::new();
    let mut expected = String::new();
    for _ in 0..400 {
        let (text, _, value) = gen_expr(&mut rng, 4);
        source.push_str(&format!("print({text});\n"));
        expected.push_str(&value.printed());
        expected.push('\n');
    }
    for _ in 0..150 {
        let (text, stringy, string, value) = gen_concat(&mut rng, 3);
        source.push_str(&format!("print({text});\n"));
        expected.push_str(&if stringy { string } else { value.printed() });
        expected.push('\n');
    }
    expect_output(&source, &expected);
}

#[test]
fn file_names_cannot_inject_code() {
    let project = Project::new();
    let evil = "lib\nprint(\"INJECTED\")\n";
    project
        .file(
            "mlpy.json",
            r#"{"import_paths": ["lib\nprint(\"INJECTED\")\n"]}"#,
        )
        .file("main.ml", "import helper;\nprint(helper.x);\n")
        .file(&format!("{evil}/helper.ml"), "x = 42;\n");
    expect_project_output(&project, "42\n");
}

#[test]
fn a_file_reached_under_two_names_is_one_module() {
    // With both "." and "lib" as import paths, lib/tools/util.ml is `tools.util` and
    // `lib.tools.util`: one module, loaded once, reachable by both names.
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"import_paths": ["lib", "."]}"#)
        .file(
            "main.ml",
            "import tools.util;\nimport lib.tools.util;\nprint(tools.util.double(2), lib.tools.util.double(3), lib.tools.util.loads);\n",
        )
        .file(
            "lib/tools/util.ml",
            "loads = 0;\nloads = loads + 1;\nprint(\"util loaded\");\nfunction double(x) { return x * 2; }\n",
        );
    expect_project_output(&project, "util loaded\n4 6 1\n");
}

// ------------------------------------------------------------------ the sandbox, end to end

/// User text on the first lines of an emitted file cannot pick its encoding: folders and
/// entry files named like PEP 263 declarations, in both output modes and through `mlpy run`.
#[test]
fn paths_in_headers_cannot_choose_the_encoding() {
    // `+AAo-` is a line break in UTF-7: decoded so, the string would become statements.
    let literal = "+AAo-import os+AAo-os.sys+AHQ-em('touch INJECTED')+AAo-x = +ACI-";
    for (folder, entry) in [
        ("src coding=utf-7 x", "main.ml"),
        ("lib", "main -*- coding: utf-7 -*-.ml"),
        ("vim: set fileencoding=utf-7 :", "main.ml"),
        ("src\u{c}coding=utf-7", "main coding:utf-7.ml"),
    ] {
        let project = Project::new();
        project
            .file(
                "mlpy.json",
                &serde_json::json!({ "import_paths": [folder] }).to_string(),
            )
            .file(
                &format!("{folder}/payload.ml"),
                &format!("text = \"{literal}\";\n"),
            )
            .file(entry, "import payload;\nprint(payload.text);\n");
        for args in [
            vec!["run", entry],
            vec!["transpile", entry, "-o", "single.py"],
            vec!["transpile", entry, "--out-dir", "tree"],
        ] {
            let out = project.mlpy(&args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            if args[0] == "run" {
                assert_eq!(stdout(&out), format!("{literal}\n"), "{folder:?}");
            }
        }
        let single = std::fs::read_to_string(project.path("single.py")).expect("single.py");
        assert!(
            single.starts_with("# -*- coding: utf-8 -*-\n"),
            "{single:.200}"
        );
        let mut command = python();
        command
            .arg(project.path("single.py"))
            .current_dir(project.path(""));
        let out = run(command, None);
        assert_eq!(stdout(&out), format!("{literal}\n"), "{}", stderr(&out));
        for file in ["tree/payload.py", "tree/main.py"] {
            let path = project.path(file);
            if path.exists() {
                let text = std::fs::read_to_string(&path).expect("emitted file");
                assert!(text.starts_with("# -*- coding: utf-8 -*-\n"), "{file}");
            }
        }
        assert!(
            !project.path("INJECTED").exists(),
            "{folder:?}: injected code ran"
        );
    }
}

/// The issue's examples through the real `mlpy run`: refused at check time, and when a
/// variant passes the checks (the name is a binding of the program), nothing runs.
#[test]
fn unbound_names_never_reach_python_builtins_through_mlpy_run() {
    let project = Project::new();
    let cases = [
        "import functional;\nif (false) { eval = null; }\nprint(functional.map(eval, [\"1 + 1\"]));\n",
        "if (false) { getattr = null; }\nf = getattr;\nprint(f(print, \"__globals__\"));\n",
        "import collections;\ntry { [open] = []; } except (e) { y = 1; }\nprint(collections.map([\"/etc/passwd\"], open));\n",
        "for (exec in []) { y = 1; }\nprint(call(exec, \"1\"));\n",
    ];
    for source in cases {
        project.file("main.ml", source);
        let out = project.mlpy(&["run", "main.ml"]);
        assert_eq!(out.status.code(), Some(1), "{source}\n{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("NameError: name '") && err.contains("main.ml:"),
            "{source}\n{err}"
        );
        assert!(!stdout(&out).contains("root:"), "{source}");
    }
}

/// Python modules come through the membrane: members and results are checked, reflection
/// by name is refused, and ordinary use keeps working (both output modes).
#[test]
fn python_modules_are_behind_the_membrane() {
    let project = Project::new();
    project
        .file("mlpy.json", r#"{"stdlib_mode": "python"}"#)
        .file(
            "main.ml",
            "import math;\nimport re;\nimport functools as ft;\nimport operator;\n\
             print(math.sqrt(16), math.floor(2.5), re.sub(\"a+\", fn(m) => \"b\", \"caat\"));\n\
             m = re.match(\"(x)(y)\", \"xy\");\nprint(m.group(2), ft.reduce(fn(a, b) => a + b, [1, 2, 3]));\n\
             print(operator.add(2, 3), len(re.findall(\"a\", \"banana\")));\n\
             try { g = operator.attrgetter(\"__globals__\"); print(\"leak\"); } except (e) { print(\"refused:\", e); }\n",
        );
    let expected = "4.0 2 cbt\ny 6\n5 3\nrefused: 'operator.attrgetter' is not available to ML: it reaches attributes or code by name\n";
    assert_eq!(stdout(&run_single_file(&project, &[])), expected);
    assert_eq!(stdout(&run_multi_file(&project, &[])), expected);
    // Never importable: refused in python_whitelist (at its place), and refused at the
    // import in python mode.
    for module in [
        "posix",
        "io",
        "pathlib",
        "runpy",
        "codecs",
        "socket",
        "pty",
        "_io",
        "posixpath",
        "mlpy_runtime",
    ] {
        project
            .file(
                "mlpy.json",
                &format!("{{\"stdlib_mode\": \"python\", \"python_whitelist\": [\"{module}\"]}}"),
            )
            .file("main.ml", &format!("import {module};\nprint(1);\n"));
        let out = project.mlpy(&["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(2), "{module}: {}", stdout(&out));
        let text = stderr(&out);
        assert!(text.starts_with("mlpy.json:1:"), "{module}: {text}");
        assert!(
            text.contains("can never be imported from ML"),
            "{module}: {text}"
        );
        project.file("mlpy.json", "{\"stdlib_mode\": \"python\"}");
        let out = project.mlpy(&["check", "main.ml"]);
        assert_eq!(out.status.code(), Some(1), "{module}: {}", stdout(&out));
        let text = stdout(&out) + &stderr(&out);
        assert!(text.contains("main.ml:1:8"), "{module}: {text}");
    }
}

/// A builtin's name called where the program binds it to anything but a `function` calls
/// the builtin (the reference's rule; a `function` of the name wins, docs/compatibility.md),
/// before and after the binding, at the top level and in functions, and `mlpy check` finds
/// nothing to report. Generated over builtins and every kind of binding.
#[test]
fn a_called_builtin_name_calls_the_builtin_whatever_the_program_binds() {
    let calls = [
        ("len", "len([1, 2, 3])", "3"),
        ("str", "str(12) + \"!\"", "12!"),
        ("sum", "sum([4, 5])", "9"),
        ("max", "max(2, 7)", "7"),
        ("abs", "abs(-4)", "4"),
    ];
    let mut source = String::new();
    let mut expected = String::new();
    for (i, (name, call, result)) in calls.iter().enumerate() {
        let bindings = [
            format!("{name} = {i};"),
            format!("for ({name} in [{i}]) {{}}"),
            format!("try {{ throw {{message: \"x\"}}; }} except ({name}) {{}}"),
            format!("[{name}] = [{i}];"),
        ];
        for (j, binding) in bindings.iter().enumerate() {
            // the call after the binding, before it, inside a function, through a parameter
            source.push_str(&format!(
                "function after{i}_{j}() {{ {binding} return {call}; }}\n"
            ));
            source.push_str(&format!(
                "function before{i}_{j}() {{ r = {call}; {binding} return r; }}\n"
            ));
            source.push_str(&format!(
                "print(after{i}_{j}());\nprint(before{i}_{j}());\n"
            ));
            expected.push_str(&format!("{result}\n{result}\n"));
        }
        source.push_str(&format!("function param{i}({name}) {{ return {call}; }}\n"));
        source.push_str(&format!("print(param{i}(100));\n"));
        expected.push_str(&format!("{result}\n"));
        source.push_str(&format!("print({call});\n{name} = 1;\n"));
        expected.push_str(&format!("{result}\n"));
    }
    expect_output(&source, &expected);
    expect_output(
        "function max(a, b) { return 99; }\nprint(max(1, 2));\n",
        "99\n",
    );
    let project = Project::new();
    project.file("main.ml", &source);
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(stdout(&out), expected, "{}", stderr(&out));
    let out = project.mlpy(&["check", "main.ml"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

/// A line break written inside a string literal is `\n` whatever the file's line endings
/// (`\r\n`, a lone `\r`), as the reference's universal-newline read had it; the escapes
/// `\r` and `\n` keep their meaning.
#[test]
fn line_breaks_inside_string_literals_are_newlines_in_every_line_ending() {
    for ending in ["\n", "\r\n", "\r"] {
        let source = format!(
            "x = \"a{ending}b\";{ending}print(len(x));{ending}y = 'c{ending}{ending}d\\r';{ending}print(len(y));{ending}"
        );
        expect_output(&source, "3\n5\n");
    }
}

/// `available_modules("ml_source")` lists the program's ML modules loaded so far, the
/// same in every way a program runs: not the entry's glue, not package folders without an
/// `__init__.ml`.
#[test]
fn available_modules_lists_the_ml_modules_alike_in_every_output() {
    let project = Project::new();
    project.file("lib/base.ml", "x = 1;\n");
    project.file("lib/geo/shapes.ml", "y = 2;\n");
    project.file("lib/pkg/__init__.ml", "z = 3;\n");
    project.file("lib/pkg/inner.ml", "w = 4;\n");
    project.file(
        "main.ml",
        "import base;\nimport geo.shapes as gs;\nimport pkg.inner;\nprint(available_modules(\"ml_source\"));\n",
    );
    let expected = "['base', 'geo.shapes', 'pkg', 'pkg.inner']\n";
    let lib = ["--import-paths", "lib"];
    let out = project.mlpy(&["run", "--import-paths", "lib", "main.ml"]);
    assert_eq!(stdout(&out), expected, "run: {}", stderr(&out));
    for (mode, out) in [
        ("single file", run_single_file(&project, &lib)),
        ("folder", run_multi_file(&project, &lib)),
    ] {
        assert_eq!(stdout(&out), expected, "{mode}: {}", stderr(&out));
    }
}
