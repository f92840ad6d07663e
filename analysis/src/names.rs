//! How ML names become Python names.
//!
//! * An identifier that is a Python keyword (`from`, `class`, `None`, …) or a name the
//!   emitted code itself relies on (`Exception`) gets the prefix `ml_`: `from` →
//!   `ml_from`. Everything else is kept.
//! * A module path keeps its segments, each renamed the same way; the first segment is also
//!   renamed when it is the name of a Python standard-library module (or of the runtime
//!   package), so that a user module `string.ml` cannot hide Python's `string`:
//!   `string.utils` → `ml_string.utils`.
//! * Every emitter-internal name starts with `__` (`__ml`, `__arrow_1`, `__module_a_b`);
//!   an ML identifier starting with `__` (which the checker refuses anyway) is renamed
//!   like a keyword, so no ML name can ever be a glue name.

/// Python's keywords (3.9 to 3.13), sorted.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Names of Python's standard library modules, sorted: the union over every supported
/// Python (3.9 to 3.13) of `sys.stdlib_module_names` and `sys.builtin_module_names` (and
/// 3.9's modules that 3.10 removed). A module built into one of them (`xxsubtype` up to
/// 3.11, `_suggestions` on 3.13) is found before any file, so an ML module of its name must
/// be renamed on every version, not only on the one the list was taken from.
pub const PYTHON_STDLIB_MODULES: &[&str] = &[
    "__future__",
    "_abc",
    "_aix_support",
    "_android_support",
    "_ast",
    "_asyncio",
    "_bisect",
    "_blake2",
    "_bootlocale",
    "_bootsubprocess",
    "_bz2",
    "_codecs",
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_collections",
    "_collections_abc",
    "_colorize",
    "_compat_pickle",
    "_compression",
    "_contextvars",
    "_crypt",
    "_csv",
    "_ctypes",
    "_curses",
    "_curses_panel",
    "_datetime",
    "_dbm",
    "_decimal",
    "_elementtree",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_functools",
    "_gdbm",
    "_hashlib",
    "_heapq",
    "_imp",
    "_interpchannels",
    "_interpqueues",
    "_interpreters",
    "_io",
    "_ios_support",
    "_json",
    "_locale",
    "_lsprof",
    "_lzma",
    "_markupbase",
    "_md5",
    "_msi",
    "_multibytecodec",
    "_multiprocessing",
    "_opcode",
    "_opcode_metadata",
    "_operator",
    "_osx_support",
    "_overlapped",
    "_peg_parser",
    "_pickle",
    "_posixshmem",
    "_posixsubprocess",
    "_py_abc",
    "_pydatetime",
    "_pydecimal",
    "_pyio",
    "_pylong",
    "_pyrepl",
    "_queue",
    "_random",
    "_scproxy",
    "_sha1",
    "_sha2",
    "_sha256",
    "_sha3",
    "_sha512",
    "_signal",
    "_sitebuiltins",
    "_socket",
    "_sqlite3",
    "_sre",
    "_ssl",
    "_stat",
    "_statistics",
    "_string",
    "_strptime",
    "_struct",
    "_suggestions",
    "_symtable",
    "_sysconfig",
    "_thread",
    "_threading_local",
    "_tkinter",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_uuid",
    "_warnings",
    "_weakref",
    "_weakrefset",
    "_winapi",
    "_wmi",
    "_zoneinfo",
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "binhex",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "formatter",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "parser",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symbol",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "xxsubtype",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// The prefix given to renamed names.
pub const RENAME_PREFIX: &str = "ml_";

/// Whether an ML identifier must be renamed in Python: a Python keyword, a name the emitted
/// code relies on, or any name starting with `__` — the emitted glue's own names (`__ml`,
/// `__builtins__`, `__arrow_1`) all start so, and renaming keeps ML names and glue names
/// apart even when the checker's refusal of such names is not in the way.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with("__")
        || matches!(
            name,
            "False"
                | "None"
                | "True"
                | "and"
                | "as"
                | "assert"
                | "async"
                | "await"
                | "break"
                | "class"
                | "continue"
                | "def"
                | "del"
                | "elif"
                | "else"
                | "except"
                | "finally"
                | "for"
                | "from"
                | "global"
                | "if"
                | "import"
                | "in"
                | "is"
                | "lambda"
                | "nonlocal"
                | "not"
                | "or"
                | "pass"
                | "raise"
                | "return"
                | "try"
                | "while"
                | "with"
                | "yield"
                | "Exception"
        )
}

/// The Python name of an ML identifier.
pub fn py_name(name: &str) -> String {
    if is_reserved(name) {
        format!("{RENAME_PREFIX}{name}")
    } else {
        name.to_string()
    }
}

/// Whether a top-level Python module name is taken by Python itself or by the runtime.
pub fn is_taken_module_name(name: &str) -> bool {
    PYTHON_STDLIB_MODULES.binary_search(&name).is_ok()
        || name == "mlpy_runtime"
        || SITE_LOADED_MODULES.contains(&name)
}

/// Modules that Python's start-up commonly loads besides its standard library (`site`
/// runs them: its customisation hooks, setuptools' `.pth` shim, virtualenv's): renamed
/// like standard-library names, so that an ML module of one of these names works. Any
/// other module loaded before the program is refused when the program starts
/// (`mlpy_runtime.modules`).
const SITE_LOADED_MODULES: &[&str] = &[
    "_distutils_hack",
    "_virtualenv",
    "sitecustomize",
    "usercustomize",
];

/// Whether `text` is a dotted path of ML identifiers.
pub fn is_dotted_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|segment| {
            let mut chars = segment.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The Python segments of a dotted ML module path.
pub fn py_module_segments(dotted: &str) -> Vec<String> {
    dotted
        .split('.')
        .enumerate()
        .map(|(i, segment)| {
            if is_reserved(segment) || (i == 0 && is_taken_module_name(segment)) {
                format!("{RENAME_PREFIX}{segment}")
            } else {
                segment.to_string()
            }
        })
        .collect()
}

/// The Python module name of a dotted ML module path: `class.shapes` → `ml_class.shapes`.
pub fn py_module_name(dotted: &str) -> String {
    py_module_segments(dotted).join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted() {
        assert!(PYTHON_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(PYTHON_KEYWORDS.iter().all(|k| is_reserved(k)));
        assert!(PYTHON_STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn renaming() {
        assert_eq!(py_name("from"), "ml_from");
        assert_eq!(py_name("None"), "ml_None");
        assert_eq!(py_name("Exception"), "ml_Exception");
        assert_eq!(py_name("list"), "list");
        assert_eq!(py_name("__ml"), "ml___ml");
        assert_eq!(py_name("__builtins__"), "ml___builtins__");
        assert_eq!(py_module_name("class"), "ml_class");
        assert_eq!(py_module_name("string.utils"), "ml_string.utils");
        assert_eq!(py_module_name("lib.string.if"), "lib.string.ml_if");
        assert_eq!(py_module_name("geometry.shapes"), "geometry.shapes");
        assert!(is_dotted_identifier("a.b_1.c"));
        assert!(!is_dotted_identifier("https://x/y"));
    }
}
