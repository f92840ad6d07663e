//! The sandbox's attack generator: ML programs that try to escape, built systematically as
//! every way to leave a name unbound × every dangerous name × every runtime function that
//! calls back × encodings of the strings and paths they use. Each attack is one ML module
//! whose only observable success is a *canary effect*: a process that creates a file, a
//! secret file's text in the output, or a connection to a loopback listener.
//!
//! `tests/sandbox_attacks.rs` runs every attack for real in three builds (shipped, language
//! layer only, audit layer only); the `sandbox` fuzz target picks attacks from the same
//! space at random.

/// The runtime file whose switch lines a test-only build flips.
pub const SANDBOX_FILE: &str = "mlpy_runtime/sandbox.py";

/// A test-only build of `mlpy_runtime/sandbox.py` (its text): the language layer and/or the
/// audit layer switched off by rewriting their switch lines. The shipped runtime has no
/// switch; only the attack suite and the sandbox's cost benchmark build these copies.
pub fn runtime_with_layers(sandbox_py: &str, language: bool, audit: bool) -> String {
    let mut text = sandbox_py.to_string();
    for (on, line) in [(language, "LANGUAGE_LAYER"), (audit, "AUDIT_LAYER")] {
        if !on {
            let from = format!("\n{line} = True\n");
            assert!(
                text.contains(&from),
                "the runtime's switch line moved: {from:?}"
            );
            text = text.replacen(&from, &format!("\n{line} = False\n"), 1);
        }
    }
    text
}

/// Where an attack's effects would land; the test owns these.
#[derive(Debug, Clone)]
pub struct Canaries {
    /// Folder in which an escaped attack creates `canary-<id>` (by starting `touch`).
    pub dir: String,
    /// A file whose contents must never appear in any output.
    pub secret_path: String,
    /// A symbolic link to the secret, in another folder.
    pub secret_link: String,
    /// A loopback port where a listener counts connections.
    pub port: u16,
}

/// One generated attack: an ML module body.
#[derive(Debug, Clone)]
pub struct Attack {
    /// Short description: form / name / sink / encoding.
    pub label: String,
    pub source: String,
}

/// Ways to leave `N` unbound (or bound to a value the static rule trusts) when `USE` runs.
/// Each is a statement sequence with the placeholders `{N}` and `{USE}`.
pub const UNBINDING_FORMS: &[(&str, &str)] = &[
    ("if-false", "if (false) { {N} = null; }\n{USE}\n"),
    ("else-branch", "if (true) { x = 1; } else { {N} = null; }\n{USE}\n"),
    ("while-false", "while (false) { {N} = null; }\n{USE}\n"),
    ("defined-after-use", "{USE}\n{N} = null;\n"),
    (
        "function-defined-after-use",
        "{USE}\nfunction {N}(a, b, c) { return a; }\n",
    ),
    (
        "except-variable",
        "try { throw {message: \"x\"}; } except ({N}) { y = 1; }\n{USE}\n",
    ),
    ("empty-for", "for ({N} in []) { y = 1; }\n{USE}\n"),
    (
        "assignment-throws",
        "try { {N} = 1 / 0; } except (e) { y = 1; }\n{USE}\n",
    ),
    (
        "destructuring-throws",
        "try { [{N}] = []; } except (e) { y = 1; }\n{USE}\n",
    ),
    (
        "local-before-assignment",
        "function attack() {\n{USE}\n{N} = null;\n}\nattack();\n",
    ),
    (
        "conditional-local",
        "function attack() {\nif (false) { {N} = null; }\n{USE}\n}\nattack();\n",
    ),
    (
        "free-variable-unbound",
        "function outer() {\nfunction inner() {\n{USE}\n}\nif (false) { {N} = null; }\nreturn inner;\n}\nouter()();\n",
    ),
    ("never-bound", "{USE}\n"),
];

/// Runtime functions and call sites through which a value gets called: `{F}` is the value,
/// `{P}` the argument. The result is an expression.
pub const SINKS: &[(&str, &str)] = &[
    ("direct", "{F}({P})"),
    ("builtin-call", "call({F}, {P})"),
    ("functional.map", "functional.map({F}, [{P}])[0]"),
    ("collections.map", "collections.map([{P}], {F})[0]"),
    ("functional.compose", "functional.compose({F})({P})"),
    ("functional.pipe", "functional.pipe({F})({P})"),
    ("functional.partial", "functional.partial({F}, {P})()"),
    ("functional.memoize", "functional.memoize({F})({P})"),
    ("functional.juxt", "functional.juxt([{F}])({P})[0]"),
    (
        "functional.curry2",
        "functional.curry2(fn(a, b) => {F}(a))({P})(0)",
    ),
    ("array-element", "[{F}][0]({P})"),
    ("object-method", "{k: {F}}.k({P})"),
    ("collections.find", "collections.find([{P}], {F})"),
    ("collections.filter", "collections.filter([{P}], {F})"),
    ("collections.sortBy", "collections.sortBy([{P}, {P}], {F})"),
    ("functional.groupBy", "functional.groupBy({F}, [{P}])"),
    ("functional.ifElse", "functional.ifElse({F}, {F}, {F})({P})"),
    ("functional.cond", "functional.cond([[{F}, {F}]])({P})"),
    (
        "functional.times",
        "functional.times(1, fn(i) => {F}({P}))[0]",
    ),
    (
        "functional.reduce",
        "functional.reduce(fn(a, x) => {F}(x), [{P}], 0)",
    ),
    (
        "functional.zipWith",
        "functional.zipWith(fn(a, b) => {F}(a), [{P}], [0])[0]",
    ),
    ("regex.sub", "regex.sub(\".+\", {F}, {P})"),
];

/// Sinks that return the value of the call itself (a file object can be read from it).
fn returns_call_value(sink: &str) -> bool {
    !matches!(
        sink,
        "collections.find"
            | "collections.filter"
            | "collections.sortBy"
            | "functional.groupBy"
            | "functional.ifElse"
            | "functional.cond"
            | "functional.reduce"
            | "regex.sub"
    )
}

/// An ML string literal whose value is `text`, written in one of several encodings.
pub fn encode(text: &str, encoding: &str) -> String {
    match encoding {
        "plain" => ml_string(text),
        "concatenated" => {
            let chars: Vec<char> = text.chars().collect();
            let parts: Vec<String> = chars
                .chunks(3)
                .map(|c| ml_string(&c.iter().collect::<String>()))
                .collect();
            format!("({})", parts.join(" + "))
        }
        "unicode-escapes" => {
            let mut s = String::from("\"");
            for c in text.chars() {
                s.push_str(&format!("\\u{:04x}", c as u32));
            }
            s.push('"');
            s
        }
        "chr" => {
            let parts: Vec<String> = text.chars().map(|c| format!("chr({})", c as u32)).collect();
            format!("({})", parts.join(" + "))
        }
        other => panic!("unknown encoding {other}"),
    }
}

pub const ENCODINGS: &[&str] = &["plain", "concatenated", "unicode-escapes", "chr"];

fn ml_string(text: &str) -> String {
    let mut s = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// Python code that, run by `eval`/`exec`, creates the canary file of `id`, reads the
/// secret and connects to the listener.
pub fn python_payload(c: &Canaries, id: usize) -> String {
    format!(
        "__import__('os').system('touch {dir}/canary-{id}') or print(open('{secret}').read()) or __import__('socket').create_connection(('127.0.0.1', {port}))",
        dir = c.dir,
        secret = c.secret_path,
        port = c.port
    )
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in pairs {
        out = out.replace(k, v);
    }
    out
}

/// The module wrapper: imports, then the attack in a `try` so that a refusal (the expected
/// outcome) does not stop the other attacks of the same program.
fn module(body: &str, id: usize) -> String {
    format!(
        "import functional;\nimport collections;\nimport regex;\nimport file;\ntry {{\n{body}}} except (refused) {{\n    print(\"attack {id} stopped\");\n}}\n"
    )
}

/// Every attack of the suite, numbered from 0. `canaries` says where effects would land.
pub fn all(c: &Canaries) -> Vec<Attack> {
    let mut out: Vec<Attack> = Vec::new();
    let push = |label: String, body: String, out: &mut Vec<Attack>| {
        let id = out.len();
        let body = body.replace("{ID}", &id.to_string());
        let payload = python_payload(c, id);
        let body = body.replace("{PAYLOAD_RAW}", &payload);
        out.push(Attack {
            label,
            source: module(&body, id),
        });
    };
    // Code runners: the payload is Python text.
    for name in ["eval", "exec"] {
        for (form, form_text) in UNBINDING_FORMS {
            for (sink, sink_text) in SINKS {
                for encoding in ENCODINGS {
                    let use_stmt = format!("print({sink_text});");
                    let body = fill(form_text, &[("{USE}", &use_stmt), ("{N}", name)]);
                    let body = fill(&body, &[("{F}", name), ("{P}", "PAYLOAD")]);
                    let label = format!("{form}/{name}/{sink}/{encoding}");
                    let id = out.len();
                    let payload = encode(&python_payload(c, id), encoding);
                    push(label, body.replace("PAYLOAD", &payload), &mut out);
                }
            }
        }
    }
    // Files: `open` of the secret, written several ways, then read.
    let paths = [
        ("absolute", c.secret_path.clone()),
        (
            "dot-dot",
            format!("{}/../{}", c.dir, c.secret_path.trim_start_matches('/')),
        ),
        ("double-slash", format!("/{}", c.secret_path)),
        ("symlink", c.secret_link.clone()),
    ];
    for (form, form_text) in UNBINDING_FORMS {
        for (sink, sink_text) in SINKS.iter().filter(|(s, _)| returns_call_value(s)) {
            for (path_kind, path) in &paths {
                let use_stmt = format!("print(({sink_text}).read());");
                let body = fill(form_text, &[("{USE}", &use_stmt), ("{N}", "open")]);
                let body = fill(&body, &[("{F}", "open"), ("{P}", &ml_string(path))]);
                push(format!("{form}/open/{sink}/{path_kind}"), body, &mut out);
            }
        }
    }
    // Module loaders, reflection by name, and the interpreter's namespaces.
    for (form, form_text) in UNBINDING_FORMS {
        for (sink, sink_text) in SINKS.iter().filter(|(s, _)| returns_call_value(s)) {
            let use_stmt = format!(
                "m = {sink_text};\nm.system(\"touch {}/canary-{{ID}}\");\n",
                c.dir
            );
            let body = fill(form_text, &[("{USE}", &use_stmt), ("{N}", "__import__")]);
            let body = fill(&body, &[("{F}", "__import__"), ("{P}", "\"os\"")]);
            push(format!("{form}/__import__/{sink}"), body, &mut out);
        }
        let reflective: [(&str, &str); 4] = [
            (
                "getattr",
                "g = getattr(print, \"__globals__\");\ng[\"_py\"].eval({PAYLOAD});\n",
            ),
            (
                "globals",
                "g = globals();\ng[\"__builtins__\"].eval({PAYLOAD});\n",
            ),
            ("vars", "g = vars();\ng[\"__builtins__\"].eval({PAYLOAD});\n"),
            (
                "compile",
                "code = compile({PAYLOAD}, \"x\", \"exec\");\nfunctional.map(fn(x) => x, [code]);\n",
            ),
        ];
        for (name, use_stmt) in reflective {
            let body = fill(form_text, &[("{USE}", use_stmt), ("{N}", name)]);
            let body = body.replace("{PAYLOAD}", &ml_string("{PAYLOAD_RAW}"));
            push(format!("{form}/{name}"), body, &mut out);
        }
    }
    // Reflection through members: the classic escapes, which only the static rule and the
    // attribute gate stand in front of. The private names of runtime modules (the Python
    // modules they hold) too: without the checker, the emitter must not read them as
    // Python attributes.
    let member_attacks: &[(&str, &str)] = &[
        (
            "private-member-builtins-module",
            "b = functional._b;\nb.eval({PAYLOAD});\n",
        ),
        (
            "private-member-os-module",
            "o = file._os;\no.system(\"touch {DIR}/canary-{ID}\");\n",
        ),
        (
            "private-member-of-builtin",
            "builtin._py.eval({PAYLOAD});\n",
        ),
        (
            "private-member-chained",
            "functional._b.__import__(\"os\").system(\"touch {DIR}/canary-{ID}\");\n",
        ),
        (
            "private-member-capabilities",
            "builtin._caps.grant([\"file\"]);\nprint(file.read({SECRET}));\n",
        ),
        (
            "subclasses-walk",
            "for (k in \"\".__class__.__mro__[1].__subclasses__()) {\n  if (k.__name__ == \"_wrap_close\") {\n    k.__init__.__globals__[\"system\"](\"touch {DIR}/canary-{ID}\");\n  }\n}\n",
        ),
        (
            "function-globals",
            "function f() { return 1; }\nf.__globals__[\"__builtins__\"].eval({PAYLOAD});\n",
        ),
        (
            "builtin-globals",
            "print.__globals__[\"_py\"].eval({PAYLOAD});\n",
        ),
        (
            "traceback-frame",
            "try { x = 1 / 0; } except (e) { e.__traceback__.tb_frame.f_globals[\"__builtins__\"].eval({PAYLOAD}); }\n",
        ),
        (
            "runtime-module-grant",
            "f = functional.map.__globals__[\"_caps\"];\nf.grant([\"file\"]);\nprint(file.read({SECRET}));\n",
        ),
        (
            "exception-class",
            "try { x = 1 / 0; } except (e) { e.__class__.__init__.__globals__[\"__builtins__\"][\"eval\"]({PAYLOAD}); }\n",
        ),
    ];
    for (name, text) in member_attacks {
        let body = text
            .replace("{DIR}", &c.dir)
            .replace("{SECRET}", &ml_string(&c.secret_path))
            .replace("{PAYLOAD}", &ml_string("{PAYLOAD_RAW}"));
        push(format!("member/{name}"), body, &mut out);
    }
    out
}

/// Ways to turn a callable `{F}` into another callable: the fuzz target nests them before a
/// sink, so that every runtime-built closure forwards to every other.
pub const WRAPPERS: &[&str] = &[
    "functional.compose({F})",
    "functional.pipe({F})",
    "functional.partial({F})",
    "functional.memoize({F})",
    "functional.curry({F}, 1)",
    "functional.juxt([{F}, {F}])",
    "fn(x) => {F}(x)",
    "[{F}][0]",
    "{k: {F}}.k",
    "functional.ifElse(fn(x) => true, {F}, {F})",
    "functional.cond([[fn(x) => true, {F}]])",
    "functional.constant({F})()",
];

/// An attack chosen by `data` (the fuzz target's input): an unbinding form, a dangerous
/// name, up to four wrappers around it, a sink and an encoding of the payload. `id` numbers
/// the canary file.
pub fn from_bytes(data: &[u8], c: &Canaries, id: usize) -> Attack {
    let mut bytes = data.iter().copied();
    let mut pick = |n: usize| bytes.next().map(|b| b as usize % n).unwrap_or(0);
    let (form, form_text) = UNBINDING_FORMS[pick(UNBINDING_FORMS.len())];
    let name = ["eval", "exec"][pick(2)];
    let mut callee = name.to_string();
    let mut chain = Vec::new();
    for _ in 0..pick(5) {
        let wrapper = WRAPPERS[pick(WRAPPERS.len())];
        chain.push(wrapper);
        callee = wrapper.replace("{F}", &callee);
    }
    let (sink, sink_text) = SINKS[pick(SINKS.len())];
    let encoding = ENCODINGS[pick(ENCODINGS.len())];
    let payload = encode(&python_payload(c, id), encoding);
    let use_stmt = format!(
        "print({});",
        fill(sink_text, &[("{F}", &callee), ("{P}", &payload)])
    );
    let body = fill(form_text, &[("{USE}", &use_stmt), ("{N}", name)]);
    Attack {
        label: format!("{form}/{name}/{}/{sink}/{encoding}", chain.join("+")),
        source: module(&body, id),
    }
}

/// Probes of the closed namespace: for every name in `names` (Python's builtins) and every
/// unbinding form, a module that reads the name while it is unbound and prints
/// `LEAK <name>` if the read succeeds. `ml_builtins` are the names ML itself defines: for
/// those the form must make the name a binding of the program (never-bound is skipped),
/// and above a module-level `function` of that name, where the name is still ML's builtin
/// (as in the reference), the read must give ML's builtin, never Python's.
pub fn namespace_probes(names: &[String], ml_builtins: &[&str]) -> Vec<Attack> {
    let mut out = Vec::new();
    for name in names {
        let ml_builtin = ml_builtins.contains(&name.as_str());
        for (form, form_text) in UNBINDING_FORMS {
            if *form == "never-bound" && ml_builtin {
                continue;
            }
            let use_stmt = if *form == "function-defined-after-use" && ml_builtin {
                format!(
                    "probe = {name};\nif (probe != builtin.{name}) {{ print(\"LEAK {name}\"); }}"
                )
            } else {
                format!("probe = {name};\nprint(\"LEAK {name}\");")
            };
            let body = fill(form_text, &[("{USE}", &use_stmt), ("{N}", name)]);
            let id = out.len();
            out.push(Attack {
                label: format!("{form}/{name}"),
                // The handler prints nothing: the probed name may be `print` itself.
                source: format!("try {{\n{body}}} except (refused) {{\n    stopped = {id};\n}}\n"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_choices_cover_the_space() {
        let c = Canaries {
            dir: "/tmp/x".into(),
            secret_path: "/tmp/s".into(),
            secret_link: "/tmp/l".into(),
            port: 1,
        };
        let a = from_bytes(&[3, 1, 4, 2, 7, 9, 5, 3, 0], &c, 7);
        assert!(a.source.contains("canary-7"), "{}", a.source);
        assert!(a.label.contains('+'), "{}", a.label);
        assert_eq!(from_bytes(&[], &c, 0).label, "if-false/eval//direct/plain");
    }

    #[test]
    fn encodings_decode_to_the_text() {
        assert_eq!(encode("ab", "plain"), "\"ab\"");
        assert_eq!(encode("abcd", "concatenated"), "(\"abc\" + \"d\")");
        assert_eq!(encode("_", "unicode-escapes"), "\"\\u005f\"");
        assert_eq!(encode("_a", "chr"), "(chr(95) + chr(97))");
    }

    #[test]
    fn the_space_is_large_and_labels_are_unique() {
        let c = Canaries {
            dir: "/tmp/x".into(),
            secret_path: "/tmp/s".into(),
            secret_link: "/tmp/l".into(),
            port: 1,
        };
        let attacks = all(&c);
        assert!(attacks.len() > 3000, "{}", attacks.len());
        let mut labels: Vec<&str> = attacks.iter().map(|a| a.label.as_str()).collect();
        labels.sort_unstable();
        let n = labels.len();
        labels.dedup();
        assert_eq!(labels.len(), n);
    }
}
