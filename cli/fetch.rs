//! `mlpy fetch`: download every remote module a program reaches into the cache and
//! record them in mlpy.lock, so that later runs (and the editor) work offline.

use crate::project::{self, ConfigArgs};
use crate::remote::Progress;
use crate::render::{self, Sources};
use crate::{Context, Outcome};
use clap::Args;
use mlpy_modules::DiagnosticCode;
use mlpy_modules::{Diagnostic, ModuleCache, Origin};
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct FetchArgs {
    /// Entry files of the programs whose remote modules to fetch.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// Record new hashes in mlpy.lock for modules that changed on their server (after
    /// a deliberate upgrade); without it a changed module is an error.
    #[arg(long, conflicts_with = "frozen")]
    update_lock: bool,

    #[command(flatten)]
    config: ConfigArgs,
}

pub(crate) fn run(cx: &Context, args: FetchArgs) -> anyhow::Result<Outcome> {
    let cache = ModuleCache::new();
    let progress = Progress::new();
    let mut sources = Sources::default();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut seen = HashSet::new();
    let mut remote_modules = HashSet::new();
    let (mut downloaded, mut from_cache) = (0, 0);
    let mut lockfile = None;
    for file in &args.files {
        let program = project::load_with(
            &args.config,
            file,
            &cache,
            Some(progress.clone()),
            args.update_lock,
        );
        let program = match program {
            Ok(program) => program,
            Err(e) => {
                progress.finish();
                return Err(e);
            }
        };
        for module in &program.graph.modules {
            if let Origin::Remote(url) = &module.origin {
                remote_modules.insert(url.clone());
            }
            sources.insert(&module.path, module.file.text.clone());
        }
        // Only what stops the fetch: imports that could not be resolved.
        for d in mlpy_analysis::graph_checks::graph_diagnostics(&program.graph) {
            let import_problem = matches!(
                d.code,
                DiagnosticCode::UnresolvedImport
                    | DiagnosticCode::ImportRefused
                    | DiagnosticCode::RemoteNotCached
            );
            if import_problem && seen.insert((d.file.clone(), d.range, d.message.clone())) {
                diagnostics.push(d);
            }
        }
        let stats = program.remote.stats();
        downloaded += stats.downloaded;
        from_cache += stats.from_cache;
        lockfile = Some(program.remote.lockfile_path());
    }
    progress.finish();
    for d in &diagnostics {
        outln!("{}", render::human(d, &mut sources, &cx.style));
    }
    // Said only when the lockfile holds them: a fetch that failed may have written none.
    let recorded = match lockfile {
        Some(path) if !remote_modules.is_empty() && path.is_file() => {
            format!("; recorded in {}", render::display_path(&path))
        }
        _ => String::new(),
    };
    outln!(
        "{} remote module{}: {downloaded} downloaded, {from_cache} already cached{recorded}.",
        remote_modules.len(),
        if remote_modules.len() == 1 { "" } else { "s" },
    );
    if diagnostics.is_empty() {
        Ok(Outcome::Success)
    } else {
        outln!(
            "{} import{} could not be fetched.",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" }
        );
        Ok(Outcome::ProgramErrors)
    }
}
