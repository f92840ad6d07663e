//! Assembling emitted modules into output: one self-contained file, or a folder with one
//! `.py` per module and `mlpy_runtime/` beside it.

use crate::emit::{emit_module, EmittedModule, BUILTIN_ALIAS};
use crate::pyliteral::{push_py_string, py_long_string, py_string};
use crate::runtime::{runtime_closure, RUNTIME_FILES};
use mlpy_analysis::facts::ProgramFacts;
use mlpy_analysis::names::{is_reserved, is_taken_module_name, RENAME_PREFIX};
use mlpy_modules::{map_in_parallel, ModuleGraph, ModuleId, ModuleNode, Origin};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

/// How the emitted code names ML files (in source maps, tracebacks and headers), relative
/// to `canonical_base` (canonicalised once per output, not once per module).
fn ml_file_name(node: &ModuleNode, canonical_base: &Path) -> String {
    if let Origin::Remote(url) = &node.origin {
        return url.clone();
    }
    relative_to(&node.path, canonical_base)
}

/// The name the emitted code gives the ML file of `node` (its source map, its tracebacks)
/// when it was transpiled with `Options::source_base` = `base`: a path relative to `base`,
/// or a remote module's URL. The debugger finds an emitted file's module by it.
pub fn source_name(node: &ModuleNode, base: &Path) -> String {
    ml_file_name(node, &canonical(base))
}

fn canonical(base: &Path) -> PathBuf {
    std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf())
}

/// `path` relative to `base` (with `..` when needed), `/`-separated.
pub fn relative_path(path: &Path, base: &Path) -> String {
    relative_to(path, &canonical(base))
}

fn relative_to(path: &Path, base: &Path) -> String {
    let path_components: Vec<Component> = path.components().collect();
    let base_components: Vec<Component> = base.components().collect();
    let common = path_components
        .iter()
        .zip(&base_components)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..base_components.len() {
        parts.push("..".to_string());
    }
    for c in &path_components[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// The first line of every emitted file: the encoding is fixed, so no user text (a folder
/// named `src coding=utf-7 x`) on the lines after it can choose another (PEP 263 reads
/// only the first two lines, the second only when the first declares nothing).
pub(crate) const CODING_LINE: &str = "# -*- coding: utf-8 -*-";

/// Text safe inside a `#` comment: control characters (a line break in a folder's name)
/// become spaces.
fn in_comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The Python file name of the entry module in multi-file output: its stem, with the
/// prefix `ml_` when Python or the runtime has that name, and again while `modules` (the
/// top-level Python names of the program's other modules) has it. The entry's file lies at
/// the top of the output beside them: `examples/left.ml` importing the module `left` must
/// neither replace `left.py` nor be imported in its place.
pub(crate) fn entry_file_name(node: &ModuleNode, modules: &BTreeSet<&str>) -> String {
    let mut stem = entry_stem(node);
    if is_reserved(&stem) || is_taken_module_name(&stem) {
        stem.insert_str(0, RENAME_PREFIX);
    }
    while modules.contains(stem.as_str()) {
        stem.insert_str(0, RENAME_PREFIX);
    }
    format!("{stem}.py")
}

/// The top-level Python names (`geometry` for `geometry.shapes`) of the modules of the
/// program other than its entry.
fn top_level_module_names<'f>(facts: &'f ProgramFacts<'_>) -> BTreeSet<&'f str> {
    facts
        .graph
        .modules
        .iter()
        .filter(|m| !m.is_entry)
        .filter_map(|m| facts.module(m.id).py_module.split('.').next())
        .collect()
}

/// The file stem of the entry module (`main` for `app/main.ml`, whatever its dotted name).
pub(crate) fn entry_stem(node: &ModuleNode) -> String {
    mlpy_modules::graph::entry_name(&node.path)
}

/// The output path of a non-entry module: `a/b/c.py`, or `a/b/__init__.py` for a package.
pub(crate) fn module_file_path(py_module: &str, is_package: bool) -> String {
    let path = py_module.replace('.', "/");
    if is_package {
        format!("{path}/__init__.py")
    } else {
        format!("{path}.py")
    }
}

/// Writes lines as Python text, with the source-map item of every physical line.
pub(crate) struct Writer {
    text: String,
    /// One item per physical line: (file, line); line 0 = no ML origin.
    map: Vec<(u32, u32)>,
}

/// Spaces for indentation, taken in slices.
const SPACES: &str = "                                                                ";

fn push_indent(text: &mut String, mut width: usize) {
    while width > 0 {
        let n = width.min(SPACES.len());
        text.push_str(&SPACES[..n]);
        width -= n;
    }
}

impl Writer {
    pub(crate) fn new() -> Writer {
        Writer {
            text: String::new(),
            map: Vec::new(),
        }
    }

    /// Text with no ML origin (may span several physical lines).
    pub(crate) fn raw(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
        let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
        self.map.resize(self.map.len() + lines, (0, 0));
    }

    fn lines(&mut self, module: &EmittedModule, base_indent: u16, file: usize) {
        let file = file as u32;
        self.text
            .reserve(module.text.len() + module.lines.len() * 8);
        self.map.reserve(module.lines.len());
        for line in &module.lines {
            let text = module.line_text(line);
            let indent = (base_indent + line.indent) as usize * 4;
            let mut physical = text.split('\n');
            let first = physical.next().unwrap_or_default();
            if !text.is_empty() {
                push_indent(&mut self.text, indent);
                self.text.push_str(first);
            }
            self.text.push('\n');
            self.map.push((file, line.ml_line));
            for continuation in physical {
                let (ml_line, rest) = split_marker(continuation);
                push_indent(&mut self.text, indent + 4);
                self.text.push_str(rest);
                self.text.push('\n');
                self.map.push((file, ml_line));
            }
        }
    }

    /// The `__ml.source_map(...)` line, then `run`: the line that runs the module's body.
    pub(crate) fn finish(mut self, ml_files: &[String], run: &str) -> String {
        self.map.push((0, 0));
        self.text.push_str("__ml.source_map(__file__, [");
        for (i, file) in ml_files.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            push_py_string(&mut self.text, file);
        }
        self.text.push_str("], ");
        // The compressed map holds digits, `,`, `:` and `~` only: no escapes.
        self.text.push('"');
        compress_map(&self.map, &mut self.text);
        self.text.push_str("\")\n");
        self.text.push_str(run);
        self.text.push('\n');
        self.text
    }

    /// A module's ML code as the function `name`: its `global` line (every top-level
    /// binding, so that they are the module's globals), its imports of builtins, its lines.
    /// The runtime runs the function with the closed namespace as builtins.
    pub(crate) fn body(
        &mut self,
        name: &str,
        module: &EmittedModule,
        extra_globals: &[&str],
        file: usize,
    ) {
        self.raw(&format!("def {name}():"));
        let mut globals: Vec<&str> = extra_globals.to_vec();
        globals.extend(module.builtins.iter().map(String::as_str));
        if module.builtin_module {
            globals.push("builtin");
        }
        let mut seen: HashSet<&str> = globals.iter().copied().collect();
        for g in &module.globals {
            if seen.insert(g) {
                globals.push(g);
            }
        }
        if !globals.is_empty() {
            self.raw(&format!("    global {}", globals.join(", ")));
        }
        if extra_globals.contains(&"__ml") {
            self.raw("    import mlpy_runtime as __ml");
        }
        let imports = builtin_imports(module);
        for line in &imports {
            self.raw(&format!("    {line}"));
        }
        let has_code = !globals.is_empty()
            || !imports.is_empty()
            || module.lines.iter().any(|l| {
                let text = module.line_text(l);
                !text.is_empty() && !text.starts_with('#')
            });
        self.lines(module, 1, file);
        if !has_code {
            self.raw("    pass");
        }
    }
}

/// The map items joined by commas: `L` for file 0, `F:L` otherwise, empty for no origin,
/// runs of three or more empty items as `~N`.
fn compress_map(items: &[(u32, u32)], out: &mut String) {
    out.reserve(items.len() * 4);
    let mut i = 0;
    let mut first = true;
    while i < items.len() {
        if !first {
            out.push(',');
        }
        first = false;
        let (file, line) = items[i];
        if line == 0 {
            let run = items[i..].iter().take_while(|(_, l)| *l == 0).count();
            if run >= 3 {
                out.push('~');
                push_number(out, run as u32);
                i += run;
                continue;
            }
            i += 1;
            continue;
        }
        if file != 0 {
            push_number(out, file);
            out.push(':');
        }
        push_number(out, line);
        i += 1;
    }
}

/// A number in decimal.
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

fn split_marker(line: &str) -> (u32, &str) {
    if let Some(rest) = line.strip_prefix('\0') {
        if let Some(end) = rest.find('\0') {
            let number = rest[..end].parse().unwrap_or(0);
            return (number, &rest[end + 1..]);
        }
    }
    (0, line)
}

fn builtin_imports(module: &EmittedModule) -> Vec<String> {
    let mut out = Vec::new();
    if !module.builtins.is_empty() {
        let names: Vec<String> = module
            .builtins
            .iter()
            .map(|py| match py.strip_prefix(BUILTIN_ALIAS) {
                Some(name) => format!("{name} as {py}"),
                None => py.clone(),
            })
            .collect();
        out.push(format!(
            "from mlpy_runtime.builtins import {}",
            names.join(", ")
        ));
    }
    if module.builtin_module {
        out.push("import mlpy_runtime.builtins as builtin".to_string());
    }
    out
}

/// `__ml.arm([...])`: the runtime modules the program's modules use, imported before the
/// audit hook is installed, then the hook.
fn arm_line<'a>(modules: impl Iterator<Item = &'a EmittedModule>) -> String {
    let mut preload: BTreeSet<String> = BTreeSet::new();
    for m in modules {
        if !m.builtins.is_empty() || m.builtin_module {
            preload.insert("mlpy_runtime.builtins".to_string());
        }
        for s in &m.stdlib {
            preload.insert(format!("mlpy_runtime.stdlib.{s}"));
        }
    }
    let names: Vec<String> = preload.iter().map(|n| py_string(n)).collect();
    format!("__ml.arm([{}])", names.join(", "))
}

fn grant_line(capabilities: &[String]) -> String {
    let caps: Vec<String> = capabilities.iter().map(|c| py_string(c)).collect();
    format!("__ml.grant([{}])", caps.join(", "))
}

/// Runtime modules the emitted modules need.
fn needed_runtime<'a>(
    graph: &ModuleGraph,
    modules: impl Iterator<Item = &'a EmittedModule>,
) -> BTreeSet<&'static str> {
    let mut roots = vec!["mlpy_runtime".to_string()];
    for m in modules {
        if !m.builtins.is_empty() || m.builtin_module {
            roots.push("mlpy_runtime.builtins".to_string());
        }
        for s in &m.stdlib {
            roots.push(format!("mlpy_runtime.stdlib.{s}"));
        }
    }
    // `module_info(name)` loads standard-library modules by name.
    if graph
        .modules
        .iter()
        .any(|m| m.file.text.contains("module_info"))
    {
        roots.extend(
            RUNTIME_FILES
                .iter()
                .filter(|f| f.module.starts_with("mlpy_runtime.stdlib."))
                .map(|f| f.module.to_string()),
        );
    }
    runtime_closure(&roots)
}

/// A program emitted as one self-contained Python file.
pub(crate) fn single_file(
    facts: &ProgramFacts<'_>,
    capabilities: &[String],
    base: &Path,
) -> String {
    let graph = facts.graph;
    let base = &canonical(base);
    let order = graph.topological_order();
    // Modules are emitted in parallel (each depends only on the facts).
    let emitted: BTreeMap<ModuleId, EmittedModule> =
        map_in_parallel(&order, |&id| (id, emit_module(facts, id)))
            .into_iter()
            .collect();
    let entry = graph.entry_module();
    let mut ml_files = vec![ml_file_name(entry, base)];
    let mut w = Writer::new();
    let extra = order.len() - 1;
    let header = if extra == 0 {
        format!(
            "# Generated by mlpy from {}. Do not edit.",
            in_comment(&ml_files[0])
        )
    } else {
        format!(
            "# Generated by mlpy from {} and {extra} module{}. Do not edit.",
            in_comment(&ml_files[0]),
            if extra == 1 { "" } else { "s" }
        )
    };
    w.raw(CODING_LINE);
    w.raw(&header);
    w.raw("# Self-contained: the parts of mlpy_runtime it uses are embedded below.");
    let needed = needed_runtime(graph, emitted.values());
    embed_runtime(&mut w, &needed);
    w.raw("import mlpy_runtime as __ml");
    w.raw("__mlpy_module__ = True");
    w.raw(&grant_line(capabilities));
    w.raw(&arm_line(emitted.values()));
    w.raw("__ml.install_excepthook()");
    let mut function_names: BTreeSet<String> = BTreeSet::new();
    for &id in &order {
        if id == graph.entry {
            continue;
        }
        let node = graph.module(id);
        let module = &emitted[&id];
        let file_index = ml_files.len();
        ml_files.push(ml_file_name(node, base));
        let py = &facts.module(id).py_module;
        let mut function = format!("__module_{}", py.replace('.', "_"));
        let mut n = 1;
        while !function_names.insert(function.clone()) {
            n += 1;
            function = format!("__module_{}_{n}", py.replace('.', "_"));
        }
        w.raw("");
        w.raw(&format!(
            "# module {py} ({})",
            in_comment(&ml_files[file_index])
        ));
        w.body(&function, module, &["__ml"], file_index);
        // Declared, not run: a module runs at the first import that reaches it, after the
        // code above that import, as the files of multi-file output do.
        w.raw(&format!(
            "__ml.declare_module({}, {function}{})",
            py_string(py),
            ml_name_argument(&node.name, py)
        ));
    }
    let entry_module = &emitted[&graph.entry];
    w.raw("");
    w.raw(&format!("# {}", in_comment(&ml_files[0])));
    let mut entry_function = "__main_body".to_string();
    while function_names.contains(&entry_function) {
        entry_function.push('_');
    }
    w.body(&entry_function, entry_module, &[], 0);
    w.finish(&ml_files, &format!("__ml.run_main({entry_function})"))
}

/// What comes before the embedded runtime modules' sources.
const EMBED_HEAD: &str = "import sys as __sys\n\n\ndef __mlpy_embed(sources):\n    import importlib.machinery\n\n    class EmbeddedRuntime:\n        def find_spec(self, name, path=None, target=None):\n            entry = sources.get(name)\n            if entry is None:\n                return None\n            return importlib.machinery.ModuleSpec(name, self, is_package=entry[0])\n\n        def create_module(self, spec):\n            return None\n\n        def exec_module(self, module):\n            _, path, source = sources[module.__name__]\n            module.__file__ = \"<mlpy_runtime>/\" + path\n            exec(compile(source, module.__file__, \"exec\"), module.__dict__)\n\n    __sys.meta_path.insert(0, EmbeddedRuntime())\n\n\n__mlpy_embed({\n";
/// What comes after them (the line's own newline is written by `raw`).
const EMBED_TAIL: &str = "})\ndel __mlpy_embed";

/// The `mlpy_runtime` modules `needed`, embedded as sources and importable by name: one
/// piece of raw text, written without scanning the sources again (each entry is escaped,
/// and its lines counted, once per process).
fn embed_runtime(w: &mut Writer, needed: &BTreeSet<&'static str>) {
    let entries: Vec<&EmbeddedEntry> = needed.iter().filter_map(|m| embedded_entry(m)).collect();
    let newlines = |s: &str| s.bytes().filter(|&b| b == b'\n').count();
    let len =
        EMBED_HEAD.len() + entries.iter().map(|e| e.text.len()).sum::<usize>() + EMBED_TAIL.len();
    let lines = newlines(EMBED_HEAD)
        + entries.iter().map(|e| e.newlines).sum::<usize>()
        + newlines(EMBED_TAIL)
        + 1;
    w.text.reserve(len + 1);
    w.text.push_str(EMBED_HEAD);
    for entry in entries {
        w.text.push_str(&entry.text);
    }
    w.text.push_str(EMBED_TAIL);
    w.text.push('\n');
    w.map.resize(w.map.len() + lines, (0, 0));
}

/// The `sources` entry of one runtime module, and how many newlines it holds.
struct EmbeddedEntry {
    module: &'static str,
    text: String,
    newlines: usize,
}

/// The `sources` entry of one runtime module, escaped once per process.
fn embedded_entry(module: &str) -> Option<&'static EmbeddedEntry> {
    static ENTRIES: std::sync::OnceLock<Vec<EmbeddedEntry>> = std::sync::OnceLock::new();
    let entries = ENTRIES.get_or_init(|| {
        RUNTIME_FILES
            .iter()
            .map(|file| {
                let text = format!(
                    "    {}: ({}, {}, {}),\n",
                    py_string(file.module),
                    if file.package { "True" } else { "False" },
                    py_string(file.path),
                    py_long_string(file.source)
                );
                let newlines = text.bytes().filter(|&b| b == b'\n').count();
                EmbeddedEntry {
                    module: file.module,
                    text,
                    newlines,
                }
            })
            .collect()
    });
    entries.iter().find(|e| e.module == module)
}

/// The ML name of a module as the last argument of `define_module`/`declare_module`, when
/// it is not the module's Python name (`string` → `ml_string`, a remote module's URL):
/// printing the module shows the name ML code imported it by.
pub(crate) fn ml_name_argument(ml_name: &str, py: &str) -> String {
    if ml_name == py {
        String::new()
    } else {
        format!(", {}", py_string(ml_name))
    }
}

/// One file of multi-file output: path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    /// The text (the runtime's files are borrowed from the binary).
    pub contents: Cow<'static, str>,
}

/// The `__init__.py` of a package folder that is no ML module: it defines itself as an
/// empty ML module, so that the runtime knows the package as the program's own (a
/// package of the same name loaded by something else is refused, not entered).
const PACKAGE_INIT: &str = "# -*- coding: utf-8 -*-\n# Generated by mlpy: a package folder.\n\
import mlpy_runtime as __ml\n__mlpy_module__ = True\n__mlpy_package_folder__ = True\n\
def __mlpy_body():\n    pass\n\
__ml.define_module(__name__, __mlpy_body)\n";

/// The folders (`a`, `a/b`) the modules of the program other than the entry lie in:
/// Python packages of the output.
fn package_folders(facts: &ProgramFacts<'_>) -> BTreeSet<String> {
    let mut folders = BTreeSet::new();
    for node in facts.graph.modules.iter().filter(|m| !m.is_entry) {
        let segments: Vec<&str> = facts.module(node.id).py_module.split('.').collect();
        for len in 1..segments.len() {
            folders.insert(segments[..len].join("/"));
        }
    }
    folders
}

/// A program emitted as a folder: the entry, one file per module, `__init__.py` where
/// Python needs a package, and the whole runtime package.
pub(crate) fn multi_file(
    facts: &ProgramFacts<'_>,
    capabilities: &[String],
    base: &Path,
) -> (Vec<OutputFile>, PathBuf) {
    let graph = facts.graph;
    let base = &canonical(base);
    let mut files = Vec::new();
    let package_dirs = package_folders(facts);
    let mut written: BTreeSet<String> = BTreeSet::new();
    let mut entry_path = PathBuf::new();
    let emitted: Vec<EmittedModule> =
        map_in_parallel(&graph.modules, |node| emit_module(facts, node.id));
    let arm = arm_line(emitted.iter());
    let module_names = top_level_module_names(facts);
    for (node, module) in graph.modules.iter().zip(&emitted) {
        let ml_file = ml_file_name(node, base);
        let mut w = Writer::new();
        w.raw(CODING_LINE);
        w.raw(&format!(
            "# Generated by mlpy from {}. Do not edit.",
            in_comment(&ml_file)
        ));
        w.raw("import mlpy_runtime as __ml");
        w.raw("__mlpy_module__ = True");
        let (path, run) = if node.is_entry {
            // The hook first: registering the modules may already report an error.
            w.raw("__ml.install_excepthook()");
            w.raw(&grant_line(capabilities));
            let names: Vec<String> = graph
                .modules
                .iter()
                .filter(|m| !m.is_entry)
                .map(|m| py_string(&facts.module(m.id).py_module))
                .collect();
            w.raw(&format!("__ml.register_modules([{}])", names.join(", ")));
            w.raw(&arm);
            (
                entry_file_name(node, &module_names),
                "__ml.run_main(__mlpy_body)".to_string(),
            )
        } else {
            let py = &facts.module(node.id).py_module;
            // `a.ml` beside a folder `a/` of modules is their package: written as
            // `a/__init__.py`, since Python would take a folder `a/` over `a.py`.
            let is_package = node.is_package || package_dirs.contains(&py.replace('.', "/"));
            (
                module_file_path(py, is_package),
                format!(
                    "__ml.define_module(__name__, __mlpy_body{})",
                    ml_name_argument(&node.name, py)
                ),
            )
        };
        w.body("__mlpy_body", module, &[], 0);
        let contents = w.finish(&[ml_file], &run);
        if node.is_entry {
            entry_path = PathBuf::from(&path);
        }
        written.insert(path.clone());
        files.push(OutputFile {
            path: PathBuf::from(path),
            contents: Cow::Owned(contents),
        });
    }
    for dir in package_dirs {
        let init = format!("{dir}/__init__.py");
        if written.contains(&init) {
            continue;
        }
        files.push(OutputFile {
            path: PathBuf::from(init),
            contents: Cow::Borrowed(PACKAGE_INIT),
        });
    }
    for file in RUNTIME_FILES {
        files.push(OutputFile {
            path: PathBuf::from(file.path),
            contents: Cow::Borrowed(file.source),
        });
    }
    (files, entry_path)
}
