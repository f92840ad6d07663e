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

/// Python modules that are never importable, whatever `python_whitelist` says: they reach
/// the interpreter, the OS, files, processes or sockets around the capability system, or
/// the runtime itself. Every name starting with `_` is refused too. The runtime's membrane
/// (`mlpy_runtime/membrane.py`, `FORBIDDEN`) refuses the same list at run time; a test
/// keeps the two equal.
pub const PYTHON_FORBIDDEN: &[&str] = &[
    "__builtin__",
    "__main__",
    "abc",
    "asyncio",
    "atexit",
    "bdb",
    "builtins",
    "bz2",
    "cProfile",
    "code",
    "codecs",
    "codeop",
    "concurrent",
    "contextvars",
    "copyreg",
    "ctypes",
    "dbm",
    "dis",
    "distutils",
    "encodings",
    "ensurepip",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "ftplib",
    "gc",
    "genericpath",
    "getpass",
    "glob",
    "grp",
    "gzip",
    "http",
    "idlelib",
    "imaplib",
    "imp",
    "importlib",
    "inspect",
    "io",
    "linecache",
    "logging",
    "lzma",
    "mailbox",
    "marshal",
    "mlpy_runtime",
    "mmap",
    "modulefinder",
    "multiprocessing",
    "netrc",
    "nntplib",
    "nt",
    "ntpath",
    "opcode",
    "os",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "poplib",
    "posix",
    "posixpath",
    "pty",
    "pwd",
    "py_compile",
    "pydoc",
    "queue",
    "readline",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "select",
    "selectors",
    "shelve",
    "shutil",
    "signal",
    "site",
    "smtplib",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "ssl",
    "stat",
    "subprocess",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "threading",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "types",
    "typing",
    "unittest",
    "urllib",
    "uu",
    "venv",
    "warnings",
    "weakref",
    "webbrowser",
    "wsgiref",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
];

/// Module names that the reference's static rule (§7.1) refuses in an import whatever they
/// resolve to, a user module of that name included.
pub const REFERENCE_DANGEROUS_IMPORTS: &[&str] = &[
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

/// Whether the Python module `name` (dotted) is never importable from ML.
pub fn is_python_forbidden(name: &str) -> bool {
    let top = name.split('.').next().unwrap_or(name);
    top.is_empty() || top.starts_with('_') || PYTHON_FORBIDDEN.binary_search(&top).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
        assert!(BUILTINS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(BUILTINS.len(), 46);
        assert_eq!(STDLIB_MODULES.len(), 16);
        assert!(PYTHON_FORBIDDEN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn forbidden_python_modules_match_the_runtime_membrane() {
        let membrane = include_str!("../../transpile/runtime/mlpy_runtime/membrane.py");
        let start = membrane
            .find("FORBIDDEN = frozenset((")
            .expect("FORBIDDEN in membrane.py");
        let end = start + membrane[start..].find("))").expect("end of FORBIDDEN");
        let mut names: Vec<&str> = membrane[start..end].split('"').skip(1).step_by(2).collect();
        names.sort_unstable();
        assert_eq!(names, PYTHON_FORBIDDEN);
        assert!(is_python_forbidden("os.path"));
        assert!(is_python_forbidden("_io"));
        assert!(is_python_forbidden("mlpy_runtime.capabilities"));
        assert!(!is_python_forbidden("math"));
    }
}
