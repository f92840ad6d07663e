//! The Python runtime embedded in the binary (`transpile/runtime/mlpy_runtime/`): its
//! files and what each imports.

use std::collections::BTreeSet;

/// One Python module of the runtime package.
#[derive(Debug)]
pub struct RuntimeFile {
    /// Dotted module name (`mlpy_runtime.stdlib.math`).
    pub module: &'static str,
    /// Path inside the output folder (`mlpy_runtime/stdlib/math.py`).
    pub path: &'static str,
    pub package: bool,
    /// Runtime modules it imports when loaded.
    pub imports: &'static [&'static str],
    /// Runtime modules it imports inside functions.
    pub lazy_imports: &'static [&'static str],
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/runtime_data.rs"));

pub fn runtime_file(module: &str) -> Option<&'static RuntimeFile> {
    RUNTIME_FILES.iter().find(|f| f.module == module)
}

/// The runtime modules needed to run code that imports `roots`: the roots, everything they
/// import (eagerly or lazily), and their packages. In dependency-free name order.
pub fn runtime_closure(roots: &[String]) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&'static str> = BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    while let Some(module) = stack.pop() {
        let Some(file) = runtime_file(&module) else {
            continue;
        };
        if !out.insert(file.module) {
            continue;
        }
        // Packages above the module are imported first by Python.
        let mut parent = module.as_str();
        while let Some((up, _)) = parent.rsplit_once('.') {
            stack.push(up.to_string());
            parent = up;
        }
        stack.extend(file.imports.iter().map(|s| s.to_string()));
        stack.extend(file.lazy_imports.iter().map(|s| s.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_is_embedded() {
        assert!(runtime_file("mlpy_runtime").unwrap().package);
        assert!(runtime_file("mlpy_runtime.builtins")
            .unwrap()
            .source
            .contains("def print"));
        let closure = runtime_closure(&["mlpy_runtime.stdlib.regex".to_string()]);
        assert!(closure.contains("mlpy_runtime"));
        assert!(closure.contains("mlpy_runtime.stdlib"));
        assert!(closure.contains("mlpy_runtime.objects"));
    }
}
