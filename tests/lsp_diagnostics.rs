//! The language server's diagnostics, through the real `mlpy lsp` binary: every kind of
//! problem with its code and exact range, quick fixes, and refreshes when modules change
//! in the editor or on disk.

mod lsp_client;

use lsp_client::{codes, fixture, pos, Client};
use serde_json::{json, Value};

fn find<'a>(list: &'a [Value], code: &str) -> &'a Value {
    list.iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {list:#?}"))
}

fn range_of(d: &Value) -> ((u64, u64), (u64, u64)) {
    (pos(&d["range"]["start"]), pos(&d["range"]["end"]))
}

#[test]
fn every_kind_of_problem_with_its_code_and_range() {
    let dir = fixture("lsp_broken");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let list = c.wait_diagnostics(&uri, |l| l.len() >= 8);
    let mut got = codes(&list);
    got.sort();
    assert_eq!(
        got,
        [
            "floor-division-comment",
            "security-dunder",
            "shadowed-module",
            "unknown-identifier",
            "unknown-identifier",
            "unknown-member",
            "unresolved-import",
            "unresolved-import",
        ],
        "{list:#?}"
    );
    let unresolved = find(&list, "unresolved-import");
    assert_eq!(range_of(unresolved), ((0, 7), (0, 15)));
    assert_eq!(unresolved["severity"], 1);
    assert_eq!(unresolved["source"], "mlpy");
    let message = unresolved["message"].as_str().unwrap();
    assert!(
        message.starts_with("Module 'geometri' not found"),
        "{message}"
    );
    assert!(
        message.contains("lib/geometri.ml"),
        "the places searched: {message}"
    );
    assert!(message.contains("did you mean 'geometry'?"), "{message}");

    let member = find(&list, "unknown-member");
    assert_eq!(range_of(member), ((4, 13), (4, 18)));
    let related = member["relatedInformation"].as_array().unwrap();
    assert!(related[0]["location"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("/lib/geometry.ml"));

    let shadowed = find(&list, "shadowed-module");
    assert_eq!(shadowed["severity"], 2);
    assert_eq!(range_of(shadowed), ((3, 7), (3, 11)));
    let floor = find(&list, "floor-division-comment");
    assert_eq!(floor["severity"], 2);
    assert_eq!(range_of(floor).0 .0, 5);
    let dunder = find(&list, "security-dunder");
    assert_eq!(range_of(dunder), ((7, 0), (7, 8)));
    let unknown: Vec<&Value> = list
        .iter()
        .filter(|d| d["code"] == "unknown-identifier")
        .collect();
    assert_eq!(range_of(unknown[1]), ((8, 6), (8, 20)));
    c.shutdown();
}

#[test]
fn quick_fixes_for_an_unresolved_import() {
    let dir = fixture("lsp_broken");
    let mut c = Client::start(dir.path());
    let uri = c.open("main.ml");
    let list = c.wait_diagnostics(&uri, |l| l.len() >= 8);
    // `import geometri;`: create the module.
    let d = find(&list, "unresolved-import").clone();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Create module lib/geometri.ml"], "{actions:#}");
    let create = &actions[0]["edit"]["documentChanges"][0];
    assert_eq!(create["kind"], "create");
    assert_eq!(create["uri"], c.uri("lib/geometri.ml"));
    assert_eq!(actions[0]["kind"], "quickfix");

    // `import helper;`: other/helper.ml exists, its folder is not searched.
    let helper = list
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("'helper'"))
        .unwrap()
        .clone();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": helper["range"], "context": {"diagnostics": [helper]}}),
        )
        .unwrap();
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add \"other\" to import_paths in mlpy.json")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edits = &add["edit"]["changes"][c.uri("mlpy.json")];
    let new_text = edits[0]["newText"].as_str().unwrap();
    let config: Value = serde_json::from_str(new_text).unwrap();
    assert_eq!(config["import_paths"], json!(["lib", "other"]));

    // Applying it (as the editor would, on disk) resolves the import.
    std::fs::write(c.path("mlpy.json"), new_text).unwrap();
    let config_uri = c.uri("mlpy.json");
    c.watched(vec![(config_uri, 2)]);
    c.wait_diagnostics(&uri, |l| {
        !l.iter()
            .any(|d| d["message"].as_str().unwrap().contains("'helper'"))
    });

    // Without a diagnostic in the request: found from the range.
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 9}}, "context": {"diagnostics": []}}),
        )
        .unwrap();
    assert_eq!(actions.as_array().unwrap().len(), 1, "{actions:#}");

    // "did you mean" on an unknown member.
    let member = find(&list, "unknown-member").clone();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": member["range"], "context": {"diagnostics": [member]}}),
        )
        .unwrap();
    assert_eq!(actions[0]["title"], "Change to 'area'");
    c.shutdown();
}

#[test]
fn fixing_a_cycle_in_one_file_clears_every_member() {
    let dir = fixture("lsp_cycles");
    let mut c = Client::start(dir.path());
    // Workspace diagnostics: nothing needs to be open.
    // Each member reads the cycle from itself, whichever module a check started from.
    for (name, next, text) in [
        ("a", "b", "a → b → c → a"),
        ("b", "c", "b → c → a → b"),
        ("c", "a", "c → a → b → c"),
    ] {
        let uri = c.uri(&format!("{name}.ml"));
        let list = c.wait_diagnostics(&uri, |l| !l.is_empty());
        let d = find(&list, "import-cycle");
        assert_eq!(
            d["message"].as_str().unwrap().lines().next().unwrap(),
            format!("Circular dependency detected: {text}")
        );
        assert_eq!(range_of(d), ((0, 7), (0, 8)), "the import of {next}");
        let related = d["relatedInformation"].as_array().unwrap();
        let places: Vec<(String, (u64, u64))> = related
            .iter()
            .map(|r| {
                (
                    r["location"]["uri"]
                        .as_str()
                        .unwrap()
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .to_string(),
                    pos(&r["location"]["range"]["start"]),
                )
            })
            .collect();
        assert_eq!(
            places,
            [
                ("a.ml".into(), (0, 7)),
                ("b.ml".into(), (0, 7)),
                ("c.ml".into(), (0, 7))
            ]
        );
        assert_eq!(related[1]["message"], "'b' imports 'c' here");
    }
    assert!(c.shows_none(&c.uri("main.ml")));
    // Remove `import a;` from c.ml in the editor.
    let c_uri = c.open("c.ml");
    c.change(
        &c_uri,
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}, "text": ""}]),
    );
    for name in ["a", "b", "c"] {
        let uri = c.uri(&format!("{name}.ml"));
        c.wait_clean(&uri);
    }
    // Undo: the cycle is back everywhere.
    c.change(
        &c_uri,
        3,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "import a;\n"}]),
    );
    for name in ["a", "b", "c"] {
        let uri = c.uri(&format!("{name}.ml"));
        c.wait_diagnostics(&uri, |l| codes(l) == ["import-cycle"]);
    }
    c.shutdown();
}

#[test]
fn a_module_deleted_on_disk_is_reported_by_its_importers() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    let strings = c.uri("lib/utils/strings.ml");
    c.wait_clean(&main);
    c.wait_clean(&strings);
    let geometry = c.path("lib/geometry.ml");
    let saved = std::fs::read_to_string(&geometry).unwrap();
    std::fs::remove_file(&geometry).unwrap();
    let geometry_uri = c.uri("lib/geometry.ml");
    c.watched(vec![(geometry_uri.clone(), 3)]);
    let list = c.wait_diagnostics(&main, |l| {
        codes(l).contains(&"unresolved-import".to_string())
    });
    assert_eq!(
        range_of(find(&list, "unresolved-import")),
        ((0, 7), (0, 15))
    );
    // The unopened importer too.
    c.wait_diagnostics(&strings, |l| codes(l) == ["unresolved-import"]);
    // Back on disk: both clear.
    std::fs::write(&geometry, saved).unwrap();
    c.watched(vec![(geometry_uri, 1)]);
    c.wait_clean(&main);
    c.wait_clean(&strings);
    c.shutdown();
}

/// A folder deleted or created at once (`rm -r`, `mv`, `git checkout`) comes as one
/// watched-file event for the folder and none for its files (VS Code folds them so by
/// design): its modules leave or join the workspace, and their importers follow.
#[test]
fn a_folder_deleted_or_created_on_disk_is_reported_by_its_importers() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let main = c.open("main.ml");
    c.wait_clean(&main);
    let symbols = |c: &mut Client| {
        let found = c
            .request("workspace/symbol", json!({"query": "shout"}))
            .unwrap();
        found.as_array().unwrap().len()
    };
    assert_eq!(symbols(&mut c), 1);
    let utils = c.path("lib/utils");
    let away = dir.path().join("utils-away");
    std::fs::rename(&utils, &away).unwrap();
    let utils_uri = c.uri("lib/utils");
    c.watched(vec![(utils_uri.clone(), 3)]);
    let unresolved = |l: &[Value]| {
        l.iter()
            .filter(|d| d["code"] == "unresolved-import")
            .count()
            == 2
    };
    let list = c.wait_diagnostics(&main, unresolved);
    assert!(
        !codes(&list).contains(&"import-refused".to_string()),
        "{list:#?}"
    );
    assert_eq!(symbols(&mut c), 0);
    // Moved back: one event for the folder again.
    std::fs::rename(&away, &utils).unwrap();
    c.watched(vec![(utils_uri, 1)]);
    c.wait_clean(&main);
    assert_eq!(symbols(&mut c), 1);
    // A folder the workspace's walk skips brings no modules.
    let hidden = c.path("lib/.hidden");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::write(hidden.join("x.ml"), "function shout_hidden() {}\n").unwrap();
    let hidden_uri = c.uri("lib/.hidden");
    c.watched(vec![(hidden_uri, 1)]);
    c.flush();
    assert_eq!(symbols(&mut c), 1);
    c.shutdown();
}

/// A module opened before its file exists (Neovim's `:e new.ml`, VS Code's new file
/// before the first save) is checked like a file (its imports, names and members), the
/// modules importing it find it, open or not, and `mlpy.emitPython` takes its text.
/// Closed unsaved, it is gone again for its importers.
#[test]
fn a_module_not_saved_yet_is_checked_and_imported() {
    let dir = fixture("lsp_basic");
    std::fs::write(
        dir.path().join("lib/user.ml"),
        "import fresh;\nprint(fresh.VALUE);\n",
    )
    .unwrap();
    let mut c = Client::start(dir.path());
    let user = c.uri("lib/user.ml");
    c.wait_diagnostics(&user, |l| codes(l) == ["unresolved-import"]);
    // In an import root and in a folder of its own (no import reaches the latter).
    for rel in ["lib/fresh.ml", "scratch/fresh.ml"] {
        std::fs::create_dir_all(c.path(rel).parent().unwrap()).unwrap();
        assert!(!c.path(rel).exists());
        let uri = c.open_text(
            rel,
            "import nosuch;\nimport geometry;\nt = nosuch1;\nm = geometry.nosuchmember(1);\nVALUE = 1;\n",
        );
        let list = c.wait_diagnostics(&uri, |l| l.len() >= 3);
        let mut got = codes(&list);
        got.sort();
        assert_eq!(
            got,
            ["unknown-identifier", "unknown-member", "unresolved-import"],
            "{rel}: {list:#?}"
        );
        assert_eq!(range_of(find(&list, "unknown-member")), ((3, 13), (3, 25)));
    }
    // The module of the import root is found by its importer, open or not.
    c.wait_clean(&user);
    let opened = c.open_text("opened.ml", "import fresh;\nprint(fresh.VALUE);\n");
    c.wait_clean(&opened);
    // Its edits reach them.
    let fresh = c.uri("lib/fresh.ml");
    c.replace_all(&fresh, 2, "OTHER = 1;\n");
    c.wait_diagnostics(&user, |l| codes(l) == ["unknown-member"]);
    c.wait_diagnostics(&opened, |l| codes(l) == ["unknown-member"]);
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "mlpy.emitPython", "arguments": [fresh]}),
        )
        .unwrap();
    assert!(r["python"].as_str().unwrap().contains("OTHER"), "{r}");
    // Closed without saving: no such module any more.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": fresh}}),
    );
    c.wait_diagnostics(&user, |l| codes(l) == ["unresolved-import"]);
    c.wait_diagnostics(&opened, |l| codes(l) == ["unresolved-import"]);
    c.wait_diagnostics(&fresh, |l| l.is_empty());
    c.shutdown();
}

#[test]
fn typed_changes_refresh_every_importer() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    let main = c.uri("main.ml");
    let strings = c.uri("lib/utils/strings.ml");
    c.wait_clean(&main);
    let geometry = c.open("lib/geometry.ml");
    // `function area(` → `function surface(`.
    c.change(
        &geometry,
        2,
        json!([{"range": {"start": {"line": 2, "character": 9}, "end": {"line": 2, "character": 13}}, "text": "surface"}]),
    );
    let list = c.wait_diagnostics(&main, |l| codes(l) == ["unknown-member"]);
    assert_eq!(range_of(&list[0]), ((15, 17), (15, 21)));
    c.wait_diagnostics(&strings, |l| codes(l) == ["unknown-member"]);
    // The server's text is the editor's.
    assert!(c
        .document_text(&geometry)
        .contains("function surface(w: number, h)"));
    // Closing without saving: the disk text is back, and so are clean importers.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": geometry}}),
    );
    c.wait_clean(&main);
    c.wait_clean(&strings);
    // A change on disk of an unopened module.
    std::fs::write(c.path("lib/geometry.ml"), "UNIT_SIZE = 1;\n").unwrap();
    c.watched(vec![(geometry, 2)]);
    c.wait_diagnostics(&main, |l| codes(l) == ["unknown-member"]);
    c.shutdown();
}

#[test]
fn open_files_only_when_asked() {
    let dir = fixture("lsp_cycles");
    let mut c = Client::start_with(dir.path(), json!({"diagnostics": "openFiles"}));
    let a = c.open("a.ml");
    c.wait_diagnostics(&a, |l| codes(l) == ["import-cycle"]);
    c.flush();
    assert!(
        !c.diagnostics.contains_key(&c.uri("b.ml")),
        "{:?}",
        c.diagnostics.keys()
    );
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": a}}));
    c.wait_clean(&a);
    c.shutdown();
}

#[test]
fn a_broken_configuration_is_reported_on_mlpy_json() {
    let dir = fixture("lsp_basic");
    std::fs::write(
        dir.path().join("mlpy.json"),
        "{\n  \"import_path\": []\n}\n",
    )
    .unwrap();
    let mut c = Client::start(dir.path());
    let config = c.uri("mlpy.json");
    let list = c.wait_diagnostics(&config, |l| !l.is_empty());
    assert_eq!(list[0]["code"], "config");
    assert_eq!(pos(&list[0]["range"]["start"]).0, 1);
    assert!(list[0]["message"].as_str().unwrap().contains("import_path"));
    std::fs::write(c.path("mlpy.json"), "{\"import_paths\": [\"lib\"]}\n").unwrap();
    c.watched(vec![(config.clone(), 2)]);
    c.wait_clean(&config);
    c.shutdown();
}

#[test]
fn watchers_are_registered_and_editor_settings_apply() {
    let dir = fixture("lsp_broken");
    // `importPaths` from the editor replaces the project's, like --import-paths.
    let mut c = Client::start_with(dir.path(), json!({"importPaths": ["lib", "other"]}));
    let uri = c.open("main.ml");
    let list = c.wait_diagnostics(&uri, |l| l.len() >= 7);
    assert!(
        !list
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("'helper'")),
        "{list:#?}"
    );
    let is_registration = |r: &Value| r["method"] == "client/registerCapability";
    let registration = match c.server_requests.iter().find(|r| is_registration(r)) {
        Some(r) => r.clone(),
        None => c.wait_for(is_registration),
    };
    let reg = &registration["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = reg["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/*.ml", "**/mlpy.json", "**/*"]);
    // Other files and folders: only their creation and deletion (a folder's files come
    // with no event of their own).
    assert_eq!(reg["registerOptions"]["watchers"][2]["kind"], 1 | 4);
    // New settings: `helper` is unresolved again.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mlpy": {"importPaths": ["lib"]}}}),
    );
    let mentions_helper = |l: &[Value]| {
        l.iter()
            .any(|d| d["message"].as_str().unwrap().contains("'helper'"))
    };
    c.wait_diagnostics(&uri, mentions_helper);
    // `null` gives the setting back to mlpy.json, which does not reach `other/` either.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mlpy": {"importPaths": ["lib", "other"]}}}),
    );
    c.wait_diagnostics(&uri, |l| !mentions_helper(l));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mlpy": {"importPaths": null}}}),
    );
    c.wait_diagnostics(&uri, mentions_helper);
    c.shutdown();
}

#[test]
fn an_uncached_remote_module_is_fetched_by_its_quick_fix() {
    let ca = mlpy_testkit::TestCa::new();
    let server = mlpy_testkit::Server::https(&ca);
    server.file("/lib/geo.ml", "function area(r) { return r * r; }\n");
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(&dir.path().join("ca.pem"));
    let grant = format!("network.{}/*", server.base());
    std::fs::write(
        dir.path().join("mlpy.json"),
        json!({"capabilities": [grant]}).to_string(),
    )
    .unwrap();
    let url = server.url("/lib/geo.ml");
    std::fs::write(
        dir.path().join("main.ml"),
        format!("import {url} {{ verify: false }};\nprint(geo.area(2));\n"),
    )
    .unwrap();
    let mut c = Client::start_env(
        dir.path(),
        json!({}),
        &[("MLPY_CACHE_DIR", cache.path()), ("MLPY_CA_FILE", &ca_file)],
    );
    let uri = c.open("main.ml");
    // The editor never downloads by itself.
    let list = c.wait_diagnostics(&uri, |l| codes(l) == ["remote-not-cached"]);
    assert_eq!(server.hits(), 0);
    assert!(
        list[0]["message"].as_str().unwrap().contains(&url),
        "{list:#?}"
    );
    // Its quick fix runs `mlpy.fetchModules`.
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": list[0]["range"], "context": {"diagnostics": [list[0]]}}),
        )
        .unwrap();
    let command = &actions[0]["command"];
    assert_eq!(command["command"], "mlpy.fetchModules", "{actions:#}");
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .unwrap();
    assert_eq!(r["errors"], json!([]), "{r:#}");
    assert_eq!(r["modules"].as_array().unwrap().len(), 1, "{r:#}");
    assert!(server.hits() > 0);
    // Resolved from the cache now; definition goes to the cached file.
    c.wait_clean(&uri);
    let r = c.at("textDocument/definition", &uri, 1, 11).unwrap();
    let target = r[0]["uri"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(
        target.starts_with(&lsp_client::file_uri(
            &std::fs::canonicalize(cache.path()).unwrap()
        )),
        "{r}"
    );
    c.shutdown();
}

#[test]
fn workspace_folders_added_later_are_checked() {
    let basic = fixture("lsp_basic");
    let cycles = fixture("lsp_cycles");
    let mut c = Client::start(basic.path());
    c.wait_clean(&c.uri("main.ml"));
    let root = std::fs::canonicalize(cycles.path()).unwrap();
    let folder = lsp_client::file_uri(&root);
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": folder, "name": "cycles"}], "removed": []}}),
    );
    let b = lsp_client::file_uri(&root.join("b.ml"));
    c.wait_diagnostics(&b, |l| codes(l) == ["import-cycle"]);
    let r = c
        .request("workspace/symbol", json!({"query": "NAME"}))
        .unwrap();
    assert_eq!(r.as_array().unwrap().len(), 3, "{r:#}");
    c.shutdown();
}

/// Files the server no longer checks lose the diagnostics it published for them: the
/// modules of a workspace folder removed (and its broken `mlpy.json`), and every file
/// not open once `diagnostics` is `openFiles`.
#[test]
fn files_no_longer_checked_lose_their_diagnostics() {
    let basic = fixture("lsp_basic");
    let cycles = fixture("lsp_cycles");
    std::fs::write(cycles.path().join("mlpy.json"), "{\"import_paths\": 5}\n").unwrap();
    let root = std::fs::canonicalize(cycles.path()).unwrap();
    let folder = lsp_client::file_uri(&root);
    let mut c = Client::start(basic.path());
    let folders = |c: &mut Client, added: &[&str], removed: &[&str]| {
        let list = |l: &[&str]| -> Vec<Value> {
            l.iter()
                .map(|u| json!({"uri": u, "name": "cycles"}))
                .collect()
        };
        c.notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {"added": list(added), "removed": list(removed)}}),
        );
    };
    folders(&mut c, &[&folder], &[]);
    let b = lsp_client::file_uri(&root.join("b.ml"));
    let config = lsp_client::file_uri(&root.join("mlpy.json"));
    c.wait_diagnostics(&b, |l| !l.is_empty());
    c.wait_diagnostics(&config, |l| codes(l) == ["config"]);
    folders(&mut c, &[], &[&folder]);
    c.wait_diagnostics(&b, |l| l.is_empty());
    c.wait_diagnostics(&config, |l| l.is_empty());
    // Back in the workspace, then only open files: `b.ml` is not open.
    folders(&mut c, &[&folder], &[]);
    c.wait_diagnostics(&b, |l| !l.is_empty());
    let a = lsp_client::file_uri(&root.join("a.ml"));
    let text = std::fs::read_to_string(root.join("a.ml")).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": a, "languageId": "ml", "version": 1, "text": text}}),
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnostics": "openFiles"}}),
    );
    c.wait_diagnostics(&b, |l| l.is_empty());
    c.flush();
    assert!(!c.shows_none(&a), "{:?}", c.diagnostics.get(&a));
    c.shutdown();
}

#[test]
fn ocaml_files_beside_ml_projects_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("ocaml")).unwrap();
    std::fs::write(root.join("app/mlpy.json"), "{}\n").unwrap();
    std::fs::write(root.join("app/main.ml"), "import nosuch;\n").unwrap();
    std::fs::write(
        root.join("ocaml/hello.ml"),
        "let () = print_endline \"hi\"\n",
    )
    .unwrap();
    std::fs::write(root.join("ocaml/marked.ml"), "// mlpy\nx = ;\n").unwrap();
    let mut c = Client::start(root);
    c.wait_diagnostics(&c.uri("app/main.ml"), |l| codes(l) == ["unresolved-import"]);
    c.wait_diagnostics(&c.uri("ocaml/marked.ml"), |l| codes(l) == ["syntax"]);
    c.flush();
    assert!(
        !c.diagnostics.contains_key(&c.uri("ocaml/hello.ml")),
        "an OCaml file got ML diagnostics: {:?}",
        c.diagnostics.get(&c.uri("ocaml/hello.ml"))
    );
    c.shutdown();
}

/// Unopened files with nothing to report get no empty list (10,000 clean modules are
/// not 10,000 messages); one whose problems go away gets the empty list that clears
/// them; an open document always gets its list.
#[test]
fn empty_lists_only_clear_or_answer_an_open_document() {
    let dir = fixture("lsp_basic");
    let mut c = Client::start(dir.path());
    c.flush();
    let published = |c: &Client, uri: &str| {
        c.notifications
            .iter()
            .filter(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .count()
    };
    let geometry = c.uri("lib/geometry.ml");
    assert_eq!(published(&c, &geometry), 0, "a clean unopened module");
    // A problem appears on disk, then goes away: its list, then the empty one.
    let path = c.path("lib/geometry.ml");
    let saved = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{saved}\nimport nosuch;\n")).unwrap();
    c.watched(vec![(geometry.clone(), 2)]);
    c.wait_diagnostics(&geometry, |l| codes(l) == ["unresolved-import"]);
    std::fs::write(&path, &saved).unwrap();
    c.watched(vec![(geometry.clone(), 2)]);
    c.wait_diagnostics(&geometry, |l| l.is_empty());
    assert_eq!(published(&c, &geometry), 2);
    // Opened: its (empty) list, with the document's version.
    let main = c.open("main.ml");
    let list = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == main
    });
    assert_eq!(list["params"]["diagnostics"], json!([]));
    assert_eq!(list["params"]["version"], 1);
    c.shutdown();
}

#[test]
fn module_order_and_submodule_names_are_reported_in_the_editor_as_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("mlpy.json", r#"{"import_paths": ["."]}"#),
        ("main.ml", "import p;\nimport p.b;\nprint(p.b.n);\n"),
        ("p/__init__.ml", "x = later;\nlater = 1;\nb = 5;\n"),
        ("p/b.ml", "n = 1;\n"),
    ] {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let mut c = Client::start(dir.path());
    c.open("main.ml");
    let uri = c.uri("p/__init__.ml");
    let list = c.wait_diagnostics(&uri, |l| l.len() >= 2);
    let read = find(&list, "unknown-identifier");
    assert_eq!(range_of(read), ((0, 4), (0, 9)));
    assert!(read["message"]
        .as_str()
        .unwrap()
        .starts_with("'later' is read here before 'later' is assigned"));
    let clash = find(&list, "name-collision");
    assert_eq!(range_of(clash), ((2, 0), (2, 1)));
    assert!(clash["message"]
        .as_str()
        .unwrap()
        .starts_with("'b' is a top-level name of 'p' and also its submodule 'p.b'"));
    c.shutdown();
}
