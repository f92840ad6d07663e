//! Python stack frames as ML frames: the ML file, line, column and function of a frame
//! in emitted code; frames of the runtime, the launcher and debugpy, and lines of emitted
//! glue, are not ML frames.

use crate::editor::Editor;
use crate::program::{ml_identifier, Program};
use serde_json::{json, Value};
use std::path::Path;

/// An ML frame: debugpy's frame id, the module and ML line it is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlFrame {
    pub id: i64,
    pub module: usize,
    pub ml_line: u32,
    /// The line of the emitted file it is at.
    pub py_line: u32,
    pub name: String,
    /// The module's own top-level code (its body function), not an ML function.
    pub module_level: bool,
}

/// What a Python frame is, for people debugging ML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Ml(MlFrame),
    /// A line of an emitted file without ML origin: the glue around a module's code.
    Glue,
    /// Anything else: the runtime, the launcher, Python's and debugpy's code.
    Hidden,
}

/// What debugpy's frame `frame` is.
pub fn classify(program: &Program, frame: &Value) -> Frame {
    let Some(path) = frame["source"]["path"].as_str() else {
        return Frame::Hidden;
    };
    let path = Path::new(path);
    if path.starts_with(program.runtime_dir()) {
        return Frame::Hidden;
    }
    let Some(module) = program.by_py_path(path) else {
        return Frame::Hidden;
    };
    let py_line = frame["line"].as_u64().unwrap_or(0) as u32;
    let Some(ml_line) = program.module(module).map.ml_line(py_line) else {
        return Frame::Glue;
    };
    let (name, module_level) = function_name(frame["name"].as_str().unwrap_or("?"));
    Frame::Ml(MlFrame {
        id: frame["id"].as_i64().unwrap_or(0),
        module,
        ml_line,
        py_line,
        name,
        module_level,
    })
}

/// The ML name of a Python function (`__mlpy_body` → `<module>`, `ml_from` → `from`,
/// lambdas → `fn`), and whether it is a module's top-level code.
pub fn function_name(py: &str) -> (String, bool) {
    if py.starts_with("__mlpy_body") || py.starts_with("__main_body") || py.starts_with("__module_")
    {
        return ("<module>".to_string(), true);
    }
    if py == "<lambda>" || py.starts_with("__arrow_") {
        return ("fn".to_string(), false);
    }
    (ml_identifier(py).to_string(), false)
}

/// The DAP `source` of a module's ML file.
pub fn source_json(program: &Program, module: usize) -> Value {
    let m = program.module(module);
    let name = m
        .display
        .rsplit('/')
        .next()
        .unwrap_or(&m.display)
        .to_string();
    let mut source = json!({"name": name, "path": m.ml_path.to_string_lossy()});
    if m.display.contains("://") {
        source["origin"] = json!(format!("remote module {}", m.display));
    }
    source
}

/// An ML frame as a DAP `StackFrame`.
pub fn frame_json(program: &Program, editor: &Editor, frame: &MlFrame) -> Value {
    json!({
        "id": frame.id,
        "name": frame.name,
        "source": source_json(program, frame.module),
        "line": editor.line_out(frame.ml_line),
        "column": editor.column_out(program.ml_column(frame.module, frame.ml_line)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_functions_get_their_ml_names() {
        assert_eq!(function_name("__mlpy_body"), ("<module>".into(), true));
        assert_eq!(
            function_name("__module_geometry_core"),
            ("<module>".into(), true)
        );
        assert_eq!(function_name("<lambda>"), ("fn".into(), false));
        assert_eq!(function_name("__arrow_3"), ("fn".into(), false));
        assert_eq!(function_name("ml_from"), ("from".into(), false));
        assert_eq!(function_name("area"), ("area".into(), false));
    }
}
