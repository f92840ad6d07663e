//! Synthetic ML projects for benchmarks: `main.ml` and `lib/…`, module paths nested up to 8
//! folders deep, every module importing 5 others (a 5-ary tree rooted at `main.ml`, so
//! every module is reachable), each ~30 lines of functions that call their imports.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const FAN_OUT: usize = 5;
const MAX_DEPTH: usize = 8;

/// The dotted path of module `i` (module 0 is the entry).
pub fn module_path(i: usize) -> Vec<String> {
    let depth = i % MAX_DEPTH;
    let mut parts: Vec<String> = (0..depth)
        .map(|d| format!("d{d}_{}", (i / MAX_DEPTH) % 4))
        .collect();
    parts.push(format!("m{i}"));
    parts
}

/// The source of module `i` of `n`. Its `LIMIT = 1000;` line is a literal that
/// benchmarks may edit.
pub fn module_source(i: usize, n: usize) -> String {
    let children: Vec<usize> = (1..=FAN_OUT)
        .map(|k| FAN_OUT * i + k)
        .filter(|&c| c < n)
        .collect();
    let mut out = String::new();
    for &c in &children {
        let _ = writeln!(out, "import {} as c{c};", module_path(c).join("."));
    }
    let _ = writeln!(
        out,
        "\n// Module {i} of a synthetic project.\nLIMIT = 1000;\n"
    );
    for f in 0..3 {
        let _ = writeln!(
            out,
            "// Function {f} of module {i}.\nfunction f{f}(x, y) {{"
        );
        let _ = writeln!(
            out,
            "    total = 0;\n    for (k in range(x)) {{\n        total = total + k * y;\n    }}"
        );
        for &c in &children {
            let _ = writeln!(out, "    total = total + c{c}.f{f}(x - 1, y);");
        }
        let _ = writeln!(out, "    return total > LIMIT ? total : LIMIT;\n}}\n");
    }
    out
}

/// The file of module `i` in the project at `root`.
pub fn module_file(root: &Path, i: usize) -> PathBuf {
    if i == 0 {
        return root.join("main.ml");
    }
    let parts = module_path(i);
    let mut file = root.join("lib");
    for p in &parts[..parts.len() - 1] {
        file.push(p);
    }
    file.push(format!("{}.ml", parts[parts.len() - 1]));
    file
}

/// Writes a project of `n` modules at `root` unless it is already there (written to a
/// sibling folder first, then renamed). With `cycle`, the tree's root module is
/// `lib/hub.ml` (imported by `main.ml`) and the last module imports it back, so every
/// module is in one import cycle. Returns `root`.
pub fn generate(root: &Path, n: usize, cycle: bool) -> PathBuf {
    if root.join("main.ml").exists() {
        return root.to_path_buf();
    }
    let tmp = root.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("lib")).expect("create the project folder");
    for i in 0..n {
        let mut file = module_file(&tmp, i);
        let mut text = module_source(i, n);
        if cycle && i == 0 {
            file = tmp.join("lib/hub.ml");
            std::fs::write(tmp.join("main.ml"), "import hub;\nprint(hub.LIMIT);\n")
                .expect("write main.ml");
        }
        if cycle && i == n - 1 {
            text = format!("import hub as back;\n{text}");
        }
        std::fs::create_dir_all(file.parent().expect("a module file has a folder"))
            .expect("create a module folder");
        std::fs::write(&file, text).expect("write a module");
    }
    std::fs::write(tmp.join("mlpy.json"), "{\"import_paths\": [\"lib\"]}\n")
        .expect("write mlpy.json");
    std::fs::rename(&tmp, root).expect("move the project into place");
    root.to_path_buf()
}
