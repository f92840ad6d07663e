//! "Run test" through the language server: a code lens above each test of a test file,
//! and the `mlpy.runTest` command it carries, which runs that one test (as `mlpy test
//! FILE --filter NAME --exact` would) and tells the user how it went.

mod lsp_client;

use lsp_client::{fixture, Client};
use serde_json::{json, Value};

const TESTS: &str = "import testing;\nimport geometry;\n\nfunction test_area() {\n    testing.assert_equal(geometry.area(2, 3), 6);\n}\n\nfunction test_area_wrong() {\n    testing.assert_equal(geometry.area(2, 3), 7);\n}\n\nfunction test_with_param(x) {\n}\n\nfunction helper() {\n}\n";

fn lenses(c: &mut Client, uri: &str) -> Vec<Value> {
    c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    )
    .unwrap()
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn run(c: &mut Client, lens: &Value) -> (Value, Value) {
    let command = &lens["command"];
    let result = c
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .unwrap();
    let name = command["arguments"][1].as_str().unwrap().to_string();
    // Shown before the answer: among the notifications already received.
    let is_shown = move |m: &Value| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(&format!(" {name} "))
    };
    let shown = match c.notifications.iter().rev().find(|m| is_shown(m)) {
        Some(m) => m.clone(),
        None => c.wait_for(is_shown),
    };
    (result, shown["params"].clone())
}

#[test]
fn a_lens_above_each_test_runs_that_test() {
    let dir = fixture("lsp_basic");
    std::fs::write(dir.path().join("geometry_test.ml"), TESTS).unwrap();
    let mut c = Client::start(dir.path());
    assert_eq!(c.capabilities["codeLensProvider"]["resolveProvider"], false);
    let commands = c.capabilities["executeCommandProvider"]["commands"].clone();
    assert!(
        commands
            .as_array()
            .unwrap()
            .contains(&json!("mlpy.runTest")),
        "{commands}"
    );
    let uri = c.open("geometry_test.ml");
    let found = lenses(&mut c, &uri);
    // test_with_param cannot run (a test takes no parameters): no lens.
    let places: Vec<(u64, u64, &str)> = found
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["range"]["start"]["character"].as_u64().unwrap(),
                l["command"]["arguments"][1].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [(3, 9, "test_area"), (7, 9, "test_area_wrong")]);
    for lens in &found {
        assert_eq!(lens["command"]["title"], "▶ Run test");
        assert_eq!(lens["command"]["arguments"][0], uri);
    }

    let (result, shown) = run(&mut c, &found[0]);
    assert_eq!(result["passed"], true, "{result:#}");
    assert_eq!(shown["type"], 3, "{shown}");
    assert!(
        shown["message"]
            .as_str()
            .unwrap()
            .starts_with("mlpy: test_area passed"),
        "{shown}"
    );
    // Only that test ran, not test_area_wrong (whose name contains it).
    let ran = result["report"]["files"][0]["tests"].as_array().unwrap();
    assert_eq!(ran.len(), 1, "{result:#}");

    let (result, shown) = run(&mut c, &found[1]);
    assert_eq!(result["passed"], false, "{result:#}");
    assert_eq!(shown["type"], 1, "{shown}");
    let message = shown["message"].as_str().unwrap();
    assert!(
        message.starts_with("mlpy: test_area_wrong failed: geometry_test.ml:9:"),
        "{message}"
    );
    assert!(
        result["details"].as_str().unwrap().contains('7'),
        "{result:#}"
    );
    c.shutdown();
}

#[test]
fn no_lenses_outside_test_files_and_clear_errors_for_bad_commands() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    assert!(lenses(&mut c, &main).is_empty());
    // A test file whose test is gone since the lens was made: said so, not a crash.
    std::fs::write(dir.path().join("gone_test.ml"), "function helper() { }\n").unwrap();
    let uri = c.uri("gone_test.ml");
    let result = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.runTest", "arguments": [uri, "test_gone"]}),
        )
        .unwrap();
    assert_eq!(result["passed"], false);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .starts_with("no test test_gone"),
        "{result:#}"
    );
    // Missing arguments, a document that is not a file.
    for arguments in [
        json!([]),
        json!([uri]),
        json!(["untitled:Untitled-1", "test_x"]),
    ] {
        let error = c
            .request(
                "workspace/executeCommand",
                json!({"command": "mlpy.runTest", "arguments": arguments}),
            )
            .unwrap_err();
        assert_eq!(error["code"], -32602, "{error}");
    }
    // A test file that is no longer there: the CLI's error, shown once as mlpy's (not
    // `mlpy: mlpy: error: …`).
    let missing = c.uri("missing_test.ml");
    let error = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.runTest", "arguments": [missing, "test_x"]}),
        )
        .unwrap_err();
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("missing_test.ml"), "{error}");
    assert!(!message.starts_with("mlpy:"), "{error}");
    // Shown too (before or after the answer: the two travel separately).
    let is_shown = |m: &Value| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("missing_test.ml"))
    };
    let shown = match c.notifications.iter().find(|m| is_shown(m)) {
        Some(m) => m.clone(),
        None => c.wait_for(is_shown),
    };
    let shown = shown["params"]["message"].as_str().unwrap().to_string();
    assert!(shown.starts_with("mlpy: "), "{shown}");
    assert!(!shown.contains("mlpy: mlpy:"), "{shown}");
    c.shutdown();
}
