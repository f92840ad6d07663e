//! The `https` import protocol (plain `http` too, for loopback and allowed hosts).
//!
//! * `import https://host/lib/v2/math;` → `https://host/lib/v2/math.ml`;
//! * an `import_sources` entry with location `L` serves `import a.b;` from `L/a/b.ml`
//!   (then `L/a/b/__init__.ml`);
//! * a remote module's dotted imports resolve against its base: the location of the
//!   import source it lies under, else its own folder.

use crate::url::{dotted_candidates, folder_of, location_base, module_url};
use crate::{is_http_protocol, FetchSettings, Obtained, RemoteContext};
use mlpy_modules::protocol::{ImportProtocol, ImportRequest, ImportSpec, Located, Origin};
use mlpy_modules::ResolveError;
use std::sync::Arc;
use url::Url;

pub struct HttpsProtocol {
    context: Arc<RemoteContext>,
}

impl HttpsProtocol {
    pub fn new(context: Arc<RemoteContext>) -> HttpsProtocol {
        HttpsProtocol { context }
    }

    pub fn context(&self) -> &Arc<RemoteContext> {
        &self.context
    }

    /// The URLs to try for a request, and how to fetch them.
    fn plan(&self, request: &ImportRequest<'_>) -> Result<Plan, ResolveError> {
        let module = request.spec.to_string();
        let protocol_error = |message: String| ResolveError::Protocol {
            module: module.clone(),
            message,
        };
        match request.spec {
            ImportSpec::Url(text) => {
                let url = module_url(text).map_err(|e| protocol_error(e.to_string()))?;
                let source = self.context.source_for(&url).map(|(s, _)| s);
                let settings = self.context.settings(&module, source, request.options)?;
                Ok(Plan {
                    module,
                    candidates: vec![url],
                    settings,
                })
            }
            ImportSpec::Dotted(parts) => {
                let (base, source) =
                    match (request.source, request.importer_origin) {
                        (Some(source), _) => (
                            location_base(&source.location)
                                .map_err(|e| protocol_error(e.to_string()))?,
                            Some(source),
                        ),
                        (None, Origin::Remote(importer)) => {
                            let importer = Url::parse(importer)
                                .map_err(|e| protocol_error(format!("'{importer}': {e}")))?;
                            match self.context.source_for(&importer) {
                                Some((source, base)) => (base, Some(source)),
                                None => (folder_of(&importer), None),
                            }
                        }
                        (None, Origin::File) => return Err(protocol_error(
                            "the https protocol serves dotted imports only through import sources"
                                .to_string(),
                        )),
                    };
                let settings = self.context.settings(&module, source, request.options)?;
                Ok(Plan {
                    module,
                    candidates: dotted_candidates(&base, parts),
                    settings,
                })
            }
        }
    }
}

struct Plan {
    module: String,
    candidates: Vec<Url>,
    settings: FetchSettings,
}

impl ImportProtocol for HttpsProtocol {
    fn name(&self) -> &str {
        "https"
    }

    fn can_resolve(&self, request: &ImportRequest<'_>) -> bool {
        match request.spec {
            ImportSpec::Url(_) => matches!(request.spec.scheme(), Some("https" | "http")),
            ImportSpec::Dotted(_) => match (request.source, request.importer_origin) {
                (Some(source), _) => is_http_protocol(&source.protocol),
                (None, Origin::Remote(url)) => {
                    url.starts_with("https://") || url.starts_with("http://")
                }
                (None, Origin::File) => false,
            },
        }
    }

    fn validate_access(&self, request: &ImportRequest<'_>) -> Result<(), ResolveError> {
        // A request that cannot even be planned is reported by `resolve`.
        let Ok(plan) = self.plan(request) else {
            return Ok(());
        };
        match plan.candidates.first() {
            Some(url) => self.context.check_capability(&plan.module, url),
            None => Ok(()),
        }
    }

    fn resolve(&self, request: &ImportRequest<'_>) -> Result<Located, ResolveError> {
        let plan = self.plan(request)?;
        let mut searched = Vec::new();
        for (i, url) in plan.candidates.iter().enumerate() {
            match self.context.obtain(&plan.module, url, &plan.settings) {
                Obtained::Found(path) => {
                    let is_package = matches!(request.spec, ImportSpec::Dotted(_)) && i == 1;
                    return Ok(RemoteContext::located(url, path, is_package));
                }
                Obtained::Missing => searched.push(format!("{url} (not found on the server)")),
                Obtained::NotCached => {
                    return Err(ResolveError::NotCached {
                        module: plan.module,
                        url: url.to_string(),
                    })
                }
                Obtained::Failed(e) => return Err(e),
            }
        }
        Err(ResolveError::NotFound {
            module: plan.module,
            searched,
            suggestions: Vec::new(),
            hint: None,
        })
    }

    fn cache_key(&self, request: &ImportRequest<'_>) -> String {
        match self.plan(request) {
            Ok(plan) => plan
                .candidates
                .first()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            Err(_) => format!("https:{}", request.spec),
        }
    }

    fn finish(&self) -> Result<(), ResolveError> {
        self.context.finish().map(|_| ())
    }

    fn clear_memo(&self) {
        self.context.clear_run();
    }
}
