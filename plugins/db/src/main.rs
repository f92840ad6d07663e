//! `mlpy-import-db`: the worked example of an mlpy import plugin (docs/plugins.md).
//!
//! ML modules live in a SQLite database, one row per dotted module name, and are
//! imported as `import db://path/to/modules.db/crypto.hash;` (binds `hash`): the
//! database is everything before the last `/` — relative to the project's folder, or
//! absolute with `db:///abs/path/modules.db/…` — and the module's dotted name follows.
//! A db module's own dotted imports (`import crypto.util;`) name modules of the same
//! database; an `import_sources` entry `{"protocol": "db", "location":
//! "db://path/to/modules.db"}` serves dotted imports of the project from it.
//!
//! ```text
//! mlpy-import-db add modules.db crypto.hash src/hash.ml   # or - for standard input
//! mlpy-import-db list modules.db
//! mlpy-import-db remove modules.db crypto.hash
//! mlpy-import-db                                          # serve one mlpy request
//! ```
//!
//! `add` stores `FILE.minisig` beside the file as the module's signature, when there is
//! one (`mlpy sign FILE` writes it); mlpy checks it against `"trusted_keys"`.

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const PROTOCOL_VERSION: u64 = 1;

const USAGE: &str = "\
mlpy-import-db: ML modules in a SQLite database, for `import db://path/to/modules.db/name;`

usage:
  mlpy-import-db add DB NAME FILE     store FILE (- for standard input) as module NAME
                                      (and FILE.minisig, when it exists, as its signature)
  mlpy-import-db list DB              the modules of DB: name, size, sha256
  mlpy-import-db remove DB NAME       delete module NAME
  mlpy-import-db                      answer one mlpy import request (JSON on standard input)

Grant it in mlpy.json with \"capabilities\": [\"plugin.db\"].";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => return serve(),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        ["-V" | "--version"] => {
            println!("mlpy-import-db {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        ["add", db, name, file] => add(Path::new(db), name, file),
        ["list", db] => list(Path::new(db)),
        ["remove", db, name] => remove(Path::new(db), name),
        _ => Err(format!(
            "unexpected arguments: {}\n\n{USAGE}",
            args.join(" ")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mlpy-import-db: {message}");
            ExitCode::FAILURE
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !part.starts_with("__")
        })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn open_for_writing(db: &Path) -> Result<Connection, String> {
    if let Some(folder) = db.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let conn = Connection::open(db).map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE IF NOT EXISTS modules (
             name TEXT PRIMARY KEY NOT NULL,
             source TEXT NOT NULL,
             signature TEXT,
             updated_at INTEGER NOT NULL
         );",
    )
    .map_err(|e| format!("{} is not a module database: {e}", db.display()))?;
    Ok(conn)
}

fn open_for_reading(db: &Path) -> Result<Connection, String> {
    if !db.is_file() {
        return Err(format!("there is no database at {}", db.display()));
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    conn.query_row("SELECT count(*) FROM modules", [], |_| Ok(()))
        .map_err(|e| format!("{} is not a module database: {e}", db.display()))?;
    Ok(conn)
}

fn add(db: &Path, name: &str, file: &str) -> Result<(), String> {
    if !valid_name(name) {
        return Err(format!(
            "'{name}' is not a dotted module name (letters, digits and `_`, parts separated by `.`)"
        ));
    }
    let bytes = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?
    };
    let source = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{file} is not UTF-8 text (first invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let signature = if file == "-" {
        None
    } else {
        std::fs::read_to_string(format!("{file}.minisig")).ok()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let conn = open_for_writing(db)?;
    conn.execute(
        "INSERT INTO modules (name, source, signature, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(name) DO UPDATE SET source = ?2, signature = ?3, updated_at = ?4",
        params![name, source, signature, now],
    )
    .map_err(|e| format!("cannot store {name}: {e}"))?;
    println!(
        "{name}: {} bytes, sha256 {}{}",
        source.len(),
        &sha256_hex(source.as_bytes())[..16],
        if signature.is_some() { ", signed" } else { "" }
    );
    Ok(())
}

fn list(db: &Path) -> Result<(), String> {
    let conn = open_for_reading(db)?;
    let mut statement = conn
        .prepare("SELECT name, source, signature IS NOT NULL FROM modules ORDER BY name")
        .map_err(|e| e.to_string())?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, bool>(2)?,
            ))
        })
        .map_err(|e| e.to_string())?;
    for row in rows {
        let (name, source, signed) = row.map_err(|e| e.to_string())?;
        println!(
            "{name}\t{} bytes\tsha256 {}{}",
            source.len(),
            &sha256_hex(source.as_bytes())[..16],
            if signed { "\tsigned" } else { "" }
        );
    }
    Ok(())
}

fn remove(db: &Path, name: &str) -> Result<(), String> {
    let conn = open_for_writing(db)?;
    let removed = conn
        .execute("DELETE FROM modules WHERE name = ?1", params![name])
        .map_err(|e| e.to_string())?;
    if removed == 0 {
        return Err(format!("{} has no module '{name}'", db.display()));
    }
    println!("removed {name}");
    Ok(())
}

/// An mlpy import request (see docs/plugins.md).
#[derive(Deserialize)]
struct Request {
    mlpy_import_protocol: u64,
    kind: String,
    url: Option<String>,
    module: Option<String>,
    location: Option<String>,
    importer: Option<String>,
    project_root: Option<String>,
}

/// `db://path/to/modules.db/crypto.hash` → (`path/to/modules.db`, `crypto.hash`).
fn split_module_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("db://")
        .ok_or_else(|| format!("'{url}' is not a db:// URL"))?;
    let (db, name) = rest.rsplit_once('/').ok_or_else(|| {
        format!("'{url}' names no module: write db://path/to/modules.db/module.name")
    })?;
    let name = name.strip_suffix(".ml").unwrap_or(name);
    if db.is_empty() {
        return Err(format!("'{url}' names no database"));
    }
    Ok((db.to_string(), name.to_string()))
}

fn location_db(location: &str) -> Result<String, String> {
    let db = location
        .strip_prefix("db://")
        .ok_or_else(|| format!("the location '{location}' is not a db:// URL"))?
        .trim_end_matches('/');
    if db.is_empty() {
        return Err(format!("the location '{location}' names no database"));
    }
    Ok(db.to_string())
}

/// Answers one request: `Ok(response)`; `Err`: the request itself is malformed.
fn answer(request: &Request) -> Result<Value, String> {
    if request.mlpy_import_protocol != PROTOCOL_VERSION {
        return Err(format!(
            "this plugin speaks protocol version {PROTOCOL_VERSION}, not {}",
            request.mlpy_import_protocol
        ));
    }
    let found = match request.kind.as_str() {
        "url" => {
            let url = request
                .url
                .as_deref()
                .ok_or("a url request without \"url\"")?;
            split_module_url(url)
        }
        "dotted" => {
            let module = request
                .module
                .clone()
                .ok_or("a dotted request without \"module\"")?;
            match (&request.location, &request.importer) {
                (Some(location), _) => location_db(location).map(|db| (db, module)),
                (None, Some(importer)) => split_module_url(importer).map(|(db, _)| (db, module)),
                (None, None) => Err("a dotted request needs a location or an importer".into()),
            }
        }
        other => return Err(format!("unknown request kind '{other}'")),
    };
    let (db, name) = match found {
        Ok(found) => found,
        Err(message) => return Ok(error(&message)),
    };
    if !valid_name(&name) {
        return Ok(error(&format!("'{name}' is not a dotted module name")));
    }
    let path = if db.starts_with('/') {
        PathBuf::from(&db)
    } else {
        let root = request.project_root.as_deref().unwrap_or(".");
        Path::new(root).join(&db)
    };
    let conn = match open_for_reading(&path) {
        Ok(conn) => conn,
        Err(message) => return Ok(error(&message)),
    };
    let row = conn
        .query_row(
            "SELECT source, signature FROM modules WHERE name = ?1",
            params![name],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)),
        )
        .optional()
        .map_err(|e| e.to_string())?;
    let url = format!("db://{db}/{name}");
    let Some((source, signature)) = row else {
        let mut names: Vec<String> = conn
            .prepare("SELECT name FROM modules ORDER BY name LIMIT 21")
            .and_then(|mut s| {
                s.query_map([], |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap_or_default();
        if names.len() > 20 {
            names.truncate(20);
            names.push("…".to_string());
        }
        return Ok(json!({
            "mlpy_import_protocol": PROTOCOL_VERSION,
            "status": "not_found",
            "searched": [format!("{url} (no module '{name}' in {})", path.display())],
            "message": if names.is_empty() {
                format!("the database {db} has no modules")
            } else {
                format!("the database {db} has: {}", names.join(", "))
            },
        }));
    };
    let package = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM modules WHERE name > ?1 AND name < ?2)",
            params![format!("{name}."), format!("{name}/")],
            |row| row.get::<_, bool>(0),
        )
        .unwrap_or(false);
    Ok(json!({
        "mlpy_import_protocol": PROTOCOL_VERSION,
        "status": "found",
        "url": url,
        "source": source,
        "signature": signature,
        "cacheable": true,
        "package": package,
    }))
}

fn error(message: &str) -> Value {
    json!({
        "mlpy_import_protocol": PROTOCOL_VERSION,
        "status": "error",
        "message": message,
    })
}

fn serve() -> ExitCode {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut text = String::new();
    if let Err(e) = stdin.lock().read_to_string(&mut text) {
        eprintln!("mlpy-import-db: cannot read the request: {e}");
        return ExitCode::from(2);
    }
    let request: Request = match serde_json::from_str(&text) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("mlpy-import-db: the request is not valid JSON for protocol {PROTOCOL_VERSION}: {e}");
            return ExitCode::from(2);
        }
    };
    match answer(&request) {
        Ok(response) => {
            println!("{response}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("mlpy-import-db: {message}");
            ExitCode::from(2)
        }
    }
}
