//! Pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`): the lists the
//! diagnostics engine publishes, kept per document. Every list the engine produces goes
//! through the backend's sink, which records it here before (in push mode) sending it:
//! so a pulled report is, by construction, what would have been pushed — there is no
//! second way of computing diagnostics.
//!
//! A report's result id is a hash of its list: a client that sends the id it has gets
//! `unchanged` while the list is the same.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::ls_types::{
    Diagnostic, DocumentDiagnosticReport, FullDocumentDiagnosticReport, PreviousResultId,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
    UnchangedDocumentDiagnosticReport, Uri, WorkspaceDiagnosticReport,
    WorkspaceDocumentDiagnosticReport, WorkspaceFullDocumentDiagnosticReport,
    WorkspaceUnchangedDocumentDiagnosticReport,
};

/// The last list published for one document.
#[derive(Debug, Clone)]
struct Report {
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
    result_id: String,
}

#[derive(Default)]
pub struct Published {
    reports: Mutex<HashMap<Uri, Report>>,
}

/// The published lists and whether the client pulls them.
#[derive(Default)]
pub struct Pull {
    pub published: Published,
    /// The client pulls (`initializationOptions.pullDiagnostics` and it can): the server
    /// pushes nothing.
    enabled: AtomicBool,
    /// The client takes `workspace/diagnostic/refresh` (to pull again when lists change
    /// without an edit of the document: an edit of a module it imports).
    refresh: AtomicBool,
    /// A refresh is about to be sent (one for a burst of changes).
    refresh_pending: Arc<AtomicBool>,
}

/// How long changes are gathered before one refresh is sent.
const REFRESH_DELAY: Duration = Duration::from_millis(50);

impl Pull {
    pub fn set_mode(&self, enabled: bool, refresh: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
        self.refresh.store(refresh, Ordering::Relaxed);
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Tells the client (once for changes close together) to pull again.
    pub fn refresh_soon(&self, handle: &tokio::runtime::Handle, client: &tower_lsp_server::Client) {
        if !self.refresh.load(Ordering::Relaxed)
            || self.refresh_pending.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let client = client.clone();
        let pending = self.refresh_pending.clone();
        handle.spawn(async move {
            tokio::time::sleep(REFRESH_DELAY).await;
            pending.store(false, Ordering::Release);
            let _ = client.workspace_diagnostic_refresh().await;
        });
    }
}

fn result_id(diagnostics: &[Diagnostic]) -> String {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(diagnostics)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl Published {
    /// Records what the engine published for `uri`; true when the list changed.
    pub fn record(&self, uri: &Uri, diagnostics: &[Diagnostic], version: Option<i32>) -> bool {
        let id = result_id(diagnostics);
        let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        let changed = reports.get(uri).is_none_or(|r| r.result_id != id);
        reports.insert(
            uri.clone(),
            Report {
                diagnostics: diagnostics.to_vec(),
                version,
                result_id: id,
            },
        );
        changed
    }

    /// The diagnostics recorded for `uri` (none: an empty list).
    pub fn diagnostics(&self, uri: &Uri) -> Vec<Diagnostic> {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports
            .get(uri)
            .map(|r| r.diagnostics.clone())
            .unwrap_or_default()
    }

    /// The report of one document: `unchanged` when the client has `previous`.
    pub fn document(&self, uri: &Uri, previous: Option<&str>) -> DocumentDiagnosticReport {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        let report = reports.get(uri).cloned().unwrap_or_else(|| Report {
            result_id: result_id(&[]),
            diagnostics: Vec::new(),
            version: None,
        });
        if previous == Some(report.result_id.as_str()) {
            return DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: report.result_id,
                },
            });
        }
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(report.result_id),
                items: report.diagnostics,
            },
        })
    }

    /// Every document's report (sorted by URI), `unchanged` for those the client has.
    pub fn workspace(&self, previous: &[PreviousResultId]) -> WorkspaceDiagnosticReport {
        let known: HashMap<&Uri, &str> = previous
            .iter()
            .map(|p| (&p.uri, p.value.as_str()))
            .collect();
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        let mut uris: Vec<&Uri> = reports.keys().collect();
        uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        let items = uris
            .into_iter()
            .map(|uri| {
                let report = &reports[uri];
                let version = report.version.map(i64::from);
                if known.get(uri) == Some(&report.result_id.as_str()) {
                    return WorkspaceDocumentDiagnosticReport::Unchanged(
                        WorkspaceUnchangedDocumentDiagnosticReport {
                            uri: uri.clone(),
                            version,
                            unchanged_document_diagnostic_report:
                                UnchangedDocumentDiagnosticReport {
                                    result_id: report.result_id.clone(),
                                },
                        },
                    );
                }
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri: uri.clone(),
                    version,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(report.result_id.clone()),
                        items: report.diagnostics.clone(),
                    },
                })
            })
            .collect();
        WorkspaceDiagnosticReport { items }
    }

    /// Forgets a document (closed and gone, or renamed).
    pub fn forget(&self, uri: &Uri) {
        self.reports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uri);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn diagnostic(message: &str) -> Diagnostic {
        Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 1)),
            message: message.into(),
            ..Default::default()
        }
    }

    #[test]
    fn reports_are_unchanged_while_the_list_is_the_same() {
        let published = Published::default();
        let uri: Uri = "file:///a.ml".parse().unwrap();
        assert!(published.record(&uri, &[diagnostic("x")], Some(1)));
        assert!(!published.record(&uri, &[diagnostic("x")], Some(2)));
        let DocumentDiagnosticReport::Full(full) = published.document(&uri, None) else {
            panic!("a first pull is full");
        };
        let report = full.full_document_diagnostic_report;
        assert_eq!(report.items, [diagnostic("x")]);
        let id = report.result_id.unwrap();
        assert!(matches!(
            published.document(&uri, Some(&id)),
            DocumentDiagnosticReport::Unchanged(_)
        ));
        assert!(published.record(&uri, &[], Some(3)));
        assert!(matches!(
            published.document(&uri, Some(&id)),
            DocumentDiagnosticReport::Full(_)
        ));
        let previous = [PreviousResultId {
            uri: uri.clone(),
            value: result_id(&[]),
        }];
        let workspace = published.workspace(&previous);
        assert!(matches!(
            workspace.items.as_slice(),
            [WorkspaceDocumentDiagnosticReport::Unchanged(u)] if u.version == Some(3)
        ));
        // A document never checked: an empty full report.
        let other: Uri = "file:///b.ml".parse().unwrap();
        let DocumentDiagnosticReport::Full(full) = published.document(&other, None) else {
            panic!("full");
        };
        assert!(full.full_document_diagnostic_report.items.is_empty());
    }
}
