//! Names the language provides without any file: the standard-library modules and the
//! builtins.

/// The standard-library modules, in the order the resolver tries nothing: a lookup is
/// by name.
pub const STDLIB_MODULES: &[&str] = &[
    "args",
    "collections",
    "console",
    "crypto",
    "csv",
    "datetime",
    "env",
    "file",
    "functional",
    "http",
    "json",
    "log",
    "math",
    "path",
    "random",
    "regex",
];

/// Every builtin function, callable without an import.
pub const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "available_modules",
    "bin",
    "bool",
    "call",
    "callable",
    "chr",
    "enumerate",
    "float",
    "format",
    "getCapabilities",
    "getCapabilityInfo",
    "getattr",
    "hasCapability",
    "has_module",
    "hasattr",
    "help",
    "hex",
    "input",
    "int",
    "isinstance",
    "iter",
    "keys",
    "len",
    "max",
    "methods",
    "min",
    "module_info",
    "modules",
    "next",
    "oct",
    "ord",
    "print",
    "range",
    "repr",
    "requiredCapabilities",
    "reversed",
    "round",
    "sorted",
    "str",
    "sum",
    "typeof",
    "values",
    "zip",
];

/// The name under which ML code reaches the builtins as a module: `builtin.len`.
pub const BUILTIN_MODULE_NAME: &str = "builtin";

/// Names that read as `None`.
pub const NULL_NAMES: &[&str] = &["null", "undefined"];

pub fn is_stdlib_module(name: &str) -> bool {
    STDLIB_MODULES.binary_search(&name).is_ok()
}

pub fn is_builtin(name: &str) -> bool {
    BUILTINS.binary_search(&name).is_ok()
}

/// Python modules that `stdlib_mode: "python"` may expose when whitelisted.
pub const PYTHON_WHITELIST_DEFAULT: &[&str] = &[
    "base64",
    "collections",
    "datetime",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "math",
    "operator",
    "random",
    "re",
    "string",
    "uuid",
];

/// Python modules that are never importable: they reach the interpreter, the OS or the
/// disk around the capability system.
pub const PYTHON_FORBIDDEN: &[&str] = &[
    "__builtin__",
    "builtins",
    "ctypes",
    "gc",
    "imp",
    "importlib",
    "inspect",
    "marshal",
    "os",
    "pickle",
    "shutil",
    "subprocess",
    "sys",
    "types",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
        assert!(BUILTINS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(BUILTINS.len(), 46);
        assert_eq!(STDLIB_MODULES.len(), 16);
    }
}
