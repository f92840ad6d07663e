//! The style, example by example: each input formats to the expected text, which
//! formats to itself. `docs/formatting.md` shows the same examples.

use mlpy_fmt::{format_text, FormatOptions};

#[track_caller]
fn assert_formats(input: &str, expected: &str) {
    assert_formats_with(input, expected, &FormatOptions::default());
}

#[track_caller]
fn assert_formats_with(input: &str, expected: &str, options: &FormatOptions) {
    let out = format_text(input, options).unwrap_or_else(|e| panic!("{e}: {input}"));
    assert_eq!(out, expected, "formatting\n{input}");
    let again = format_text(&out, options).expect("formats again");
    assert_eq!(again, out, "not idempotent");
}

#[test]
fn statements_one_per_line_with_spaces_around_operators() {
    assert_formats(
        "x=1;y  =  x*2+1;print( x,y );",
        "x = 1;\ny = x * 2 + 1;\nprint(x, y);\n",
    );
    assert_formats(
        "if(a){b();}elif(c){d();}else if(e){f();}else{g();}",
        "if (a) {\n    b();\n} elif (c) {\n    d();\n} else if (e) {\n    f();\n} else {\n    g();\n}\n",
    );
    assert_formats(
        "for(k in keys(obj)){print(k);}while(i<10){i=i+1;}",
        "for (k in keys(obj)) {\n    print(k);\n}\nwhile (i < 10) {\n    i = i + 1;\n}\n",
    );
    assert_formats(
        "try{a();}except(e){b(e.message);}finally{c();}try{a();}except{b();}",
        "try {\n    a();\n} except (e) {\n    b(e.message);\n} finally {\n    c();\n}\ntry {\n    a();\n} except {\n    b();\n}\n",
    );
    assert_formats(
        "function f(a,b){return a+b;}function empty(){}",
        "function f(a, b) {\n    return a + b;\n}\nfunction empty() {}\n",
    );
    assert_formats(
        "import a.b.c as d {auth:\"t\",verify:true};import https://example.com/lib/v2/math as m;",
        "import a.b.c as d {auth: \"t\", verify: true};\nimport https://example.com/lib/v2/math as m;\n",
    );
    assert_formats(
        "capability Files{resource \"data/*\";allow read \"out/*\";allow write;}",
        "capability Files {\n    resource \"data/*\";\n    allow read \"out/*\";\n    allow write;\n}\n",
    );
    assert_formats(
        "nonlocal a,b;throw {message:\"boom\"};{p,q}=point;[r,s]=pair;break;continue;return;",
        "nonlocal a, b;\nthrow {message: \"boom\"};\n{p, q} = point;\n[r, s] = pair;\nbreak;\ncontinue;\nreturn;\n",
    );
}

#[test]
fn expressions_keep_their_tokens() {
    assert_formats(
        "a=b[c:d:e];q=w[-1:];r=w[::2];neg=-x;nn=- -1;m=- 1;n=!x;t=c?fn(x)=>x:[1,2];",
        "a = b[c:d:e];\nq = w[-1:];\nr = w[::2];\nneg = -x;\nnn = - -1;\nm = - 1;\nn = !x;\nt = c ? fn(x) => x : [1, 2];\n",
    );
    // `//` after an operand divides; it stays an operator, and a comment stays one.
    assert_formats("q = 7 // 2;  // halves\n", "q = 7 // 2; // halves\n");
    // Numbers and strings exactly as written.
    assert_formats(
        "x = [007, 1.e5, .5, 7., +7, -2.5E-3, 'it\\'s', \"a\\d\"];",
        "x = [007, 1.e5, .5, 7., +7, -2.5E-3, 'it\\'s', \"a\\d\"];\n",
    );
    // `5. .x` must not become `5..x`.
    assert_formats("s = 5. .length;", "s = 5. .length;\n");
}

#[test]
fn long_lines_break_in_the_expected_places() {
    assert_formats(
        "nested = outer(inner_function_call(alpha, beta, gamma), another_inner_call(delta, epsilon, zeta_eta));",
        "nested = outer(\n    inner_function_call(alpha, beta, gamma),\n    another_inner_call(delta, epsilon, zeta_eta)\n);\n",
    );
    assert_formats(
        "function with_many_parameters(parameter_one, parameter_two, parameter_three, parameter_four_five_six) { return 1; }",
        "function with_many_parameters(\n    parameter_one,\n    parameter_two,\n    parameter_three,\n    parameter_four_five_six\n) {\n    return 1;\n}\n",
    );
    assert_formats(
        "obj = {name: \"x\", value: 1, nested: {a: [1, 2, 3], b: fn(q) => q * 2}, long_key_name: \"some long string value\"};",
        "obj = {\n    name: \"x\",\n    value: 1,\n    nested: {a: [1, 2, 3], b: fn(q) => q * 2},\n    long_key_name: \"some long string value\"\n};\n",
    );
    // Operator chains: after `=` first, then after each operator.
    assert_formats(
        "message = \"The quick brown fox \" + adjective + \" jumps over the lazy dog \" + count + \" times, again\";",
        "message =\n    \"The quick brown fox \" + adjective + \" jumps over the lazy dog \" + count + \" times, again\";\n",
    );
    assert_formats(
        "total = aaaaaaaaaaaaaaa + bbbbbbbbbbbbbbbbbbbbbbbb + cccccccccccccccccccccccccc + dddddddddddddddddddd + eeeee;",
        "total =\n    aaaaaaaaaaaaaaa +\n    bbbbbbbbbbbbbbbbbbbbbbbb +\n    cccccccccccccccccccccccccc +\n    dddddddddddddddddddd +\n    eeeee;\n",
    );
    assert_formats(
        "if (first_condition_is_true(alpha) && second_condition_is_true(beta) && third_condition_holds_as_well(gamma)) { go(); }",
        "if (\n    first_condition_is_true(alpha) &&\n    second_condition_is_true(beta) &&\n    third_condition_holds_as_well(gamma)\n) {\n    go();\n}\n",
    );
    assert_formats(
        "status = is_valid_input(data) ? process_the_data_further(data) : report_an_error_about(data, \"invalid\");",
        "status =\n    is_valid_input(data) ? process_the_data_further(data) : report_an_error_about(data, \"invalid\");\n",
    );
    // Member chains of three calls or more: one call per line.
    assert_formats(
        "promise.then(fn(r) => r.json()).then(fn(data) => process(data)).catch(fn(e) => print(e)).finally(fn() => done());",
        "promise\n    .then(fn(r) => r.json())\n    .then(fn(data) => process(data))\n    .catch(fn(e) => print(e))\n    .finally(fn() => done());\n",
    );
    assert_formats("z.string().min(2).max(10);", "z.string().min(2).max(10);\n");
}

#[test]
fn a_last_function_or_object_argument_hugs_the_call() {
    assert_formats(
        "items.forEach(fn(item) => { print(item); });",
        "items.forEach(fn(item) => {\n    print(item);\n});\n",
    );
    assert_formats(
        "server.listen(8080, {host: \"localhost\", timeout: 30, retries: 5, verbose: true, name: \"server-0001\"});",
        "server.listen(8080, {\n    host: \"localhost\",\n    timeout: 30,\n    retries: 5,\n    verbose: true,\n    name: \"server-0001\"\n});\n",
    );
    assert_formats(
        "v = (fn(x) => { return x; })(1);",
        "v = (fn(x) => {\n    return x;\n})(1);\n",
    );
    // A comment before the last argument: every argument on a line of its own.
    assert_formats(
        "f(a,\n  // why\n  fn() => { g(); });",
        "f(\n    a,\n    // why\n    fn() => {\n        g();\n    }\n);\n",
    );
    // Two objects: no hugging.
    assert_formats(
        "merge({alpha: 1, beta: 2, gamma: 3, delta: 4}, {epsilon: 5, zeta: 6, eta: 7, theta: 8, iota: 9, k: 0});",
        "merge(\n    {alpha: 1, beta: 2, gamma: 3, delta: 4},\n    {epsilon: 5, zeta: 6, eta: 7, theta: 8, iota: 9, k: 0}\n);\n",
    );
}

#[test]
fn comments_stay_where_they_are() {
    assert_formats(
        "// Leading comment.\n\n\n// Two blank lines above become one.\nx = 1;   // trailing\ny = [ // after the bracket\n    1, // one\n    2\n];\n",
        "// Leading comment.\n\n// Two blank lines above become one.\nx = 1; // trailing\ny = [ // after the bracket\n    1, // one\n    2\n];\n",
    );
    assert_formats(
        "function f(a, // first\n  b) {\n    // At the start.\n\n    return a + // the sum\n        b;\n    // At the end.\n}\n",
        "function f(\n    a, // first\n    b\n) {\n    // At the start.\n\n    return a + // the sum\n        b;\n    // At the end.\n}\n",
    );
    assert_formats(
        "z = f(\n    // leading the argument\n    1, 2);\ng(\n  // alone\n);\nh( // after the paren\n);\n",
        "z = f(\n    // leading the argument\n    1,\n    2\n);\ng(\n    // alone\n);\nh( // after the paren\n);\n",
    );
    assert_formats(
        "function g() {\n// only a comment\n}\nif (x) {\n} // after the block\nelse {\n}\nx = // why\n  5;\n",
        "function g() {\n    // only a comment\n}\nif (x) {} // after the block\nelse {}\nx = // why\n    5;\n",
    );
}

#[test]
fn blank_lines_between_statements_are_kept_once() {
    assert_formats(
        "\n\na = 1;\n\n\n\nb = 2;\nc = 3;\n\n",
        "a = 1;\n\nb = 2;\nc = 3;\n",
    );
    assert_formats(
        "function f() {\n\n    a();\n\n\n    b();\n\n}\n",
        "function f() {\n    a();\n\n    b();\n}\n",
    );
}

#[test]
fn files_end_with_one_line_break_and_keep_their_line_ending() {
    assert_formats("x = 1;\r\n\r\ny = 2;\r\n", "x = 1;\r\n\r\ny = 2;\r\n");
    assert_formats(
        "x=1;\r\ny=2;\nif(x){y();}",
        "x = 1;\r\ny = 2;\r\nif (x) {\r\n    y();\r\n}\r\n",
    );
    assert_formats("x=1;\ny=2;\r\n", "x = 1;\ny = 2;\n");
    assert_formats("x=1;\r\n", "x = 1;\r\n");
    assert_formats("\r\nx=1;", "x = 1;\r\n");
    assert_formats("x = 1;", "x = 1;\n");
    assert_formats("", "");
    assert_formats("\n \n\t\n", "");
    // A byte-order mark stays.
    assert_formats("\u{FEFF}x=1;", "\u{FEFF}x = 1;\n");
    // Multi-line strings are printed exactly, trailing spaces and all.
    assert_formats("x = \"a  \n  b\" + c;", "x = \"a  \n  b\" + c;\n");
}

#[test]
fn width_and_indentation_are_options() {
    let narrow = FormatOptions {
        line_width: 30,
        indent_width: 2,
    };
    assert_formats_with(
        "values = [\"alpha\", \"beta\", \"gamma\"];\nif (x) { f(1); }",
        "values = [\n  \"alpha\",\n  \"beta\",\n  \"gamma\"\n];\nif (x) {\n  f(1);\n}\n",
        &narrow,
    );
}

#[test]
fn variables_named_like_statement_keywords_never_start_a_line() {
    // `return` at the start of a line would begin a statement: it stays on the line.
    let narrow = FormatOptions {
        line_width: 20,
        indent_width: 4,
    };
    let out = format_text(
        "x = f(return, import, aaaaaaaaaaaaaaaaa, if + while);",
        &narrow,
    )
    .unwrap();
    assert_eq!(
        out,
        "x = f(return, import,\n    aaaaaaaaaaaaaaaaa, if + while\n);\n"
    );
    assert!(!mlpy_syntax::parse(&out).has_errors());
}

/// A comment after the `)` of a header or a parameter list, with the `{` on the next
/// line, stays after the `)`: the header keeps its line (the comment's line break does not
/// break the brackets open). Every compound statement with a header.
#[test]
fn a_comment_after_a_header_keeps_the_header_on_its_line() {
    for (head, formatted_head) in [
        ("if (x.a)", "if (x.a)"),
        ("while (a  &&  b)", "while (a && b)"),
        ("for (x in xs)", "for (x in xs)"),
        ("function f(a,b)", "function f(a, b)"),
    ] {
        let input = format!("{head} // note\n{{\n  y = 1;\n}}\n");
        let expected = format!("{formatted_head} // note\n{{\n    y = 1;\n}}\n");
        assert_formats(&input, &expected);
    }
    assert_formats(
        "if (a) {\n  y = 1;\n} elif (x.b) // c4\n{\n  y = 2;\n}\n",
        "if (a) {\n    y = 1;\n} elif (x.b) // c4\n{\n    y = 2;\n}\n",
    );
    assert_formats(
        "try {\n  z = 1;\n} except (e) // ex\n{\n  z = 2;\n}\n",
        "try {\n    z = 1;\n} except (e) // ex\n{\n    z = 2;\n}\n",
    );
}

#[test]
fn a_comment_ending_a_line_inside_an_expression_continues_it_indented() {
    // The next line is indented one level more than the line the comment ends, so it
    // does not read as a statement of its own; a closing bracket goes back to its level.
    assert_formats(
        "function f() {\ny = -// c\n a;\nz = a[// c\n 1];\nw = a.// c\n b;\nu = fn(a) => // c\n a;\nq = fn(a) // c\n => a;\ns = {a: // c\n 1};\nx = (// c\na);\nh( // c\n);\n}\n",
        "function f() {\n    y = - // c\n        a;\n    z = a[ // c\n        1];\n    w = a. // c\n        b;\n    u = fn(a) => // c\n        a;\n    q = fn(a) // c\n        => a;\n    s = {\n        a: // c\n            1\n    };\n    x = ( // c\n        a);\n    h( // c\n    );\n}\n",
    );
    // A function's body opens on the line after the comment, at the level of its `}`.
    assert_formats(
        "k = fn(a) => // c\n {\n return a;\n };\n",
        "k = fn(a) => // c\n{\n    return a;\n};\n",
    );
    // Lists and words outside expressions continue their statement too.
    assert_formats(
        "nonlocal a, // c\n b;\nimport a.b as c { auth: // c\n \"x\" };\nimport // c\n a.b;\nfunction f() {\nreturn // c\n x;\n}\n",
        "nonlocal a, // c\n    b;\nimport a.b as c {\n    auth: // c\n        \"x\"\n};\nimport // c\n    a.b;\nfunction f() {\n    return // c\n        x;\n}\n",
    );
    // Between statements and clauses nothing is continued: `else` after `} // c` and
    // `{` after `function f(a) // c` stay at the statement's column, and so does the `;`
    // of a statement.
    assert_formats(
        "if (x) {} // c\nelse {}\nfunction f(a) // c\n{\n}\nreturn // c\n;\nbreak // c\n;\n",
        "if (x) {} // c\nelse {}\nfunction f(a) // c\n{}\nreturn // c\n;\nbreak // c\n;\n",
    );
}

#[test]
fn no_line_ends_with_a_space_when_a_comment_precedes_a_clause() {
    // `} else` keeps its space only when both stay on one line.
    assert_formats(
        "if (x) {\n  a;\n}\n// before else\nelse {\n  b;\n}\ntry {\n a;\n}\n// before except\nexcept (e) {\n b;\n}\n// before finally\nfinally {\n c;\n}\n",
        "if (x) {\n    a;\n}\n// before else\nelse {\n    b;\n}\ntry {\n    a;\n}\n// before except\nexcept (e) {\n    b;\n}\n// before finally\nfinally {\n    c;\n}\n",
    );
}
