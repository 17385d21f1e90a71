//! Serve: the HTTP face of jiance — JSON API, dashboard, Prometheus metrics.
//!
//! Data flow: reads what the pipeline produced — alerts, their change history, sampling requests
//! and signals from the [`crate::store::Store`], documents from the [`crate::index::Index`],
//! counters from the pipeline. The only writes are the monitoring centre's own: acknowledgements
//! and inspection results (both into the store, which records them in the alerts' history), and
//! watch rules (`/api/watch-rules`, matched and delivered by `crate::notify`).
//! Alert changes reach browsers over server-sent events (`/api/alerts/stream`, woken by the
//! store's change channel) and feed readers over Atom (`/feeds/alerts.atom`).
//!
//! Access: bearer tokens, roles viewer and operator (see [`auth`]). Every error is JSON
//! `{"error": "..."}` with a fitting status (400 for bad parameters, 401/403, 404, 409, 413 for
//! oversized bodies, 414 / 431 for oversized request targets and headers — a target too long
//! for hyper included, see [`head_guard`] — 503 when the index is not open, 500 without
//! internals; details go to the log). Requests have a body limit and a time limit (the event stream is exempt from the
//! latter). Blocking work (tantivy, SQLite) runs on the blocking pool.

mod api;
pub use api::inspection_rows_from_json;
mod assets;
mod atom;
mod audit;
pub mod auth;
mod events;
mod export;
mod head_guard;
mod inspections;
mod jurisdiction;
mod metrics;
mod onsale;
pub mod openapi;
mod parties;
mod reply;
mod request;
mod review;
mod risk;
mod sampling;
mod warnings;
mod watch;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::index::Index;
use crate::store::Store;
use crate::telemetry::Counters;

pub use api::{AlertDetail, AlertPage, EvidenceDoc, InspectionSummary, Stats};
pub use auth::{Access, Role};
pub use metrics::metrics_text;

/// Largest request body accepted (the POST endpoints take small JSON documents).
pub const BODY_LIMIT: usize = 256 * 1024;
/// Time limit for one request (not for the event stream, which stays open).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The one route without a time limit.
const STREAM_PATH: &str = "/api/alerts/stream";

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub index: Option<Arc<Index>>,
    pub counters: Arc<Counters>,
    pub data_dir: PathBuf,
    /// Tokens and roles; closed (every read and write refused) unless set.
    pub access: Arc<Access>,
    /// Dismissal reasons offered to analysts (`review.toml`).
    pub review: Arc<crate::review::ReviewRules>,
    /// Becomes true when the server shuts down, so open event streams end.
    closing: tokio::sync::watch::Receiver<bool>,
    /// `market.toml` (brand aliases for the alert page's brand table).
    pub market: Arc<crate::market::MarketRules>,
    /// `warnings.toml`: how a warning or consumer tip is drafted for an alert.
    pub warnings: Arc<crate::review::WarningRules>,
    /// `parties.toml`: the repeat-offender rules.
    pub parties: Arc<crate::review::PartyRules>,
}

impl AppState {
    pub fn new(
        store: Store,
        index: Option<Arc<Index>>,
        counters: Arc<Counters>,
        data_dir: PathBuf,
    ) -> AppState {
        AppState {
            store,
            index,
            counters,
            data_dir,
            access: Arc::new(Access::default()),
            review: Arc::new(default_review()),
            closing: tokio::sync::watch::channel(false).1,
            market: Arc::new(crate::market::MarketRules::embedded()),
            warnings: Arc::new(default_warnings()),
            parties: Arc::new(default_parties()),
        }
    }

    /// The repeat-offender rules of the engine (a rules directory's `parties.toml`).
    pub fn with_parties(mut self, parties: Arc<crate::review::PartyRules>) -> AppState {
        self.parties = parties;
        self
    }

    /// The warning rules of the engine (a rules directory's `warnings.toml`).
    pub fn with_warnings(mut self, warnings: Arc<crate::review::WarningRules>) -> AppState {
        self.warnings = warnings;
        self
    }

    /// The market rules of the engine (a rules directory's `market.toml`).
    pub fn with_market(mut self, market: Arc<crate::market::MarketRules>) -> AppState {
        self.market = market;
        self
    }

    pub fn with_access(mut self, access: Access) -> AppState {
        self.access = Arc::new(access);
        self
    }

    pub fn with_review(mut self, rules: Arc<crate::review::ReviewRules>) -> AppState {
        self.review = rules;
        self
    }
}

/// The embedded review rules; they are checked by the tests, so failing here is a build defect,
/// and an empty set of reasons is the safe fallback.
/// The embedded warning rules; they are checked by the tests, so they load.
fn default_warnings() -> crate::review::WarningRules {
    crate::review::WarningRules::load(None).unwrap_or_else(|e| {
        tracing::error!(errors = ?e, "embedded warnings.toml does not load");
        crate::review::WarningRules::fallback()
    })
}

/// The embedded repeat-offender rules (their tests load them); none if they fail to.
fn default_parties() -> crate::review::PartyRules {
    crate::review::PartyRules::load(None).unwrap_or_else(|e| {
        tracing::error!(errors = ?e, "embedded parties.toml does not load");
        crate::review::PartyRules::none()
    })
}

fn default_review() -> crate::review::ReviewRules {
    crate::review::ReviewRules::load(None).unwrap_or_else(|e| {
        tracing::error!(errors = ?e, "embedded review.toml does not load");
        crate::review::ReviewRules {
            cases: crate::review::rules::CaseRules {
                gap_days: 7,
                hazard_family: Vec::new(),
            },
            suppression: crate::review::rules::SuppressionRules { days: 30 },
            dismiss_reason: Vec::new(),
            case_example: Vec::new(),
        }
    })
}

/// The part of the state the search and health endpoints need (so they run without a store).
#[derive(Clone)]
pub struct IndexHandle(pub Option<Arc<Index>>);

impl FromRef<AppState> for IndexHandle {
    fn from_ref(s: &AppState) -> IndexHandle {
        IndexHandle(s.index.clone())
    }
}

/// The store, where the state has one (the health endpoint compares it with the index).
#[derive(Clone)]
pub struct StoreHandle(pub Option<Store>);

impl FromRef<AppState> for StoreHandle {
    fn from_ref(s: &AppState) -> StoreHandle {
        StoreHandle(Some(s.store.clone()))
    }
}

impl FromRef<IndexHandle> for StoreHandle {
    fn from_ref(_: &IndexHandle) -> StoreHandle {
        StoreHandle(None)
    }
}

/// An API error: a status and a message safe to show.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
        }
    }
    /// Logs the cause and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// Routes that need only the index: dashboard, assets, health, search.
fn index_routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    IndexHandle: FromRef<S>,
    StoreHandle: FromRef<S>,
{
    Router::new()
        .route("/", get(assets::index_html))
        .route("/assets/app.js", get(assets::app_js))
        .route("/assets/app.css", get(assets::app_css))
        .route("/assets/review.js", get(assets::review_js))
        .route("/assets/centre.js", get(assets::centre_js))
        .route("/healthz", get(api::healthz))
        .route("/api/search", get(api::search))
        .route("/api/search/export", get(export::export))
}

/// Fallback, request-head limits, body limit and time limit, shared by the full router and the
/// tests' partial ones.
fn finish(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(middleware::from_fn(linger_oversized))
        .layer(middleware::from_fn(time_limit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(head_limits))
}

/// Longest request target (path and query) answered; longer gets a JSON 414.
pub const MAX_URI: usize = 8 * 1024;
/// Most header lines, and most bytes of names and values, answered; more gets a JSON 431.
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// What hyper itself parses before our limits apply (it answers beyond them with an empty
/// body): as many headers as this. URIs of 64 KiB or more, which hyper cannot hold, never reach
/// it: [`head_guard`] rewrites their request line into one carrying the target's length.
const HYPER_MAX_HEADERS: usize = 1000;

/// Refuses an oversized request head with a JSON error, as every other error is: a request
/// target over [`MAX_URI`] (as sent, or as [`head_guard`] measured one too long for hyper) with
/// 414, too many or too large headers with 431. hyper's own header limits (which answer 431 with
/// no body) sit well above these, so only a head beyond them — over 1000 headers, over ~400 KiB
/// in all — still gets an empty one.
async fn head_limits(req: Request, next: Next) -> Response {
    let rewritten = req
        .headers()
        .get(head_guard::TARGET_BYTES)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let target =
        rewritten.unwrap_or_else(|| req.uri().path_and_query().map_or(0, |pq| pq.as_str().len()));
    if target > MAX_URI || rewritten.is_some() {
        return ApiError {
            status: StatusCode::URI_TOO_LONG,
            message: format!("request target of {target} bytes; the limit is {MAX_URI}"),
        }
        .into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError {
            status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            message: format!(
                "{} header(s) of {bytes} bytes; the limits are {MAX_HEADERS} and {MAX_HEADER_BYTES}",
                headers.len()
            ),
        }
        .into_response();
    }
    next.run(req).await
}

/// Most a body declared over [`BODY_LIMIT`] is read to be thrown away; a larger one is refused
/// unread.
const DRAIN_CAP: u64 = 8 << 20;

/// A body declared larger than [`BODY_LIMIT`] (up to [`DRAIN_CAP`]) is read and thrown away before
/// the handler answers 413. Answering and closing while the client is still sending makes the
/// kernel reset the connection, and the client loses the JSON error it should read (an API test
/// failed this way about half the times it ran alone). The handler gets the first
/// `BODY_LIMIT + 1` bytes, so it checks access and refuses the body exactly as before.
async fn linger_oversized(req: Request, next: Next) -> Response {
    use futures::StreamExt;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Declared beyond what is worth draining: refused at once, unread, and the connection
    // closed (waiting for the body would hold the request until its time limit).
    if let Some(n) = declared.filter(|&n| n > DRAIN_CAP) {
        let mut resp = ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("request body of {n} bytes declared; the limit is {BODY_LIMIT}"),
        }
        .into_response();
        resp.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        return resp;
    }
    if declared.is_none_or(|n| n <= BODY_LIMIT as u64) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::with_capacity(BODY_LIMIT + 1);
    while let Some(chunk) = stream.next().await {
        // a body cut short is not handed on as if it were the whole one
        let Ok(chunk) = chunk else {
            return ApiError::bad_request("the request body could not be read").into_response();
        };
        let room = (BODY_LIMIT + 1).saturating_sub(kept.len());
        kept.extend_from_slice(chunk.get(..chunk.len().min(room)).unwrap_or_default());
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(kept)))
        .await
}

async fn time_limit(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path == STREAM_PATH {
        return next.run(req).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(%path, "request timed out");
            ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message: "request timed out".into(),
            }
            .into_response()
        }
    }
}

pub fn router(state: AppState) -> Router {
    // Named users' tokens (`jiance users add`) are accepted beside the configured ones.
    let access = Arc::new((*state.access).clone().with_users(state.store.clone()));
    let app = index_routes::<AppState>()
        .route("/api/alerts", get(api::alerts))
        .route("/api/alerts/stream", get(events::stream))
        .route("/api/alerts/{id}", get(api::alert))
        .route("/api/alerts/{id}/ack", post(api::acknowledge))
        .route("/api/inspection-results", post(api::inspection_results))
        .route("/api/sampling-requests", get(sampling::sampling_requests))
        .route("/print/sampling/{id}", get(sampling::print))
        .route(
            "/api/alerts/{id}/jurisdictions",
            get(jurisdiction::jurisdictions),
        )
        .route("/print/jurisdictions/{id}", get(jurisdiction::print))
        .route("/api/onsale", get(onsale::onsale))
        .route(
            "/api/onsale/{id}/jurisdictions",
            get(jurisdiction::finding_jurisdictions),
        )
        .route(
            "/print/onsale/{id}/jurisdictions",
            get(jurisdiction::print_finding),
        )
        .route("/api/inspections", get(inspections::inspections))
        .route("/api/risk-list", get(risk::risk_list))
        .route("/api/stats", get(api::stats))
        .route("/api/me", get(review::me))
        .route("/api/review/options", get(review::options))
        .route("/api/cases", get(review::cases))
        .route("/api/cases/{id}", get(review::case))
        .route(
            "/api/cases/{id}/triage",
            get(review::case_triage_get).post(review::case_triage),
        )
        .route("/api/cases/{id}/documents", post(review::attach_document))
        .route(
            "/api/alerts/{id}/triage",
            get(review::alert_triage_get).post(review::alert_triage),
        )
        .route("/api/labels", get(review::labels))
        .route(
            "/api/documents/{id}/labels",
            get(review::document_labels).post(review::add_label),
        )
        .route("/api/watch-rules", get(watch::list).post(watch::create))
        .route(
            "/api/watch-rules/{id}",
            axum::routing::delete(watch::delete),
        )
        .route("/api/audit", get(audit::audit))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/feeds/alerts.atom", get(atom::feed))
        .route("/api/alerts/{id}/warning", post(warnings::draft))
        .route("/api/warnings", get(warnings::list))
        .route("/api/warnings/{id}", get(warnings::one).put(warnings::edit))
        .route("/api/warnings/{id}/approve", post(warnings::approve))
        .route("/feeds/warnings.atom", get(warnings::feed))
        .route("/api/parties", get(parties::list))
        .route("/api/parties/{kind}/{key}", get(parties::one))
        .route("/metrics", get(metrics::metrics))
        .with_state(state)
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: "method not allowed on this endpoint".into(),
            }
        });
    // Authorisation runs inside the time limit and after routing's fallback is set.
    finish(app.layer(middleware::from_fn_with_state(access, auth::authorize)))
}

/// `/metrics` alone, for a worker process (`jiance worker --metrics`): its own stage counters
/// (fetch, analyze, queue) under the same token rules as the service's `/metrics`.
pub fn metrics_router(counters: Arc<Counters>, access: Access) -> Router {
    let app = Router::new()
        .route(
            "/metrics",
            get(
                |axum::extract::State(c): axum::extract::State<Arc<Counters>>| async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        metrics_text(&c, None, None, None),
                    )
                },
            ),
        )
        .with_state(counters);
    finish(app.layer(middleware::from_fn_with_state(
        Arc::new(access),
        auth::authorize,
    )))
}

/// Longest a client may take to send a request's headers: a client that sends them partly and
/// then nothing is cut off (axum's own `serve` sets no limit, so such connections stayed open).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve until `shutdown` resolves (graceful: requests in flight finish, event streams end).
/// The accept loop is ours rather than `axum::serve`'s so that header reads have a time limit.
pub async fn serve(
    listener: tokio::net::TcpListener,
    mut state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, access = %state.access.describe(), "serving dashboard and API");
    }
    let (closing_tx, closing_rx) = tokio::sync::watch::channel(false);
    state.closing = closing_rx.clone();
    let app = router(state);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // out of file descriptors and the like: wait a moment, keep serving
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut closing = closing_rx.clone();
        connections.spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_headers(HYPER_MAX_HEADERS);
            let io = TokioIo::new(head_guard::HeadGuard::new(stream));
            let conn = builder.serve_connection_with_upgrades(io, service);
            let mut conn = std::pin::pin!(conn);
            let mut draining = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!("connection: {e}");
                        }
                        break;
                    }
                    changed = closing.changed(), if !draining => {
                        draining = true;
                        if changed.is_ok() {
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
        // finished connections are reaped as new ones come
        while connections.try_join_next().is_some() {}
    }
    // stop taking connections; let the open ones finish their requests (event streams end)
    drop(listener);
    let _ = closing_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Action, Channel, DocKind, Document, Extraction, Finding, Parties, SamplingRequest, Scope,
        Signal,
    };
    use chrono::NaiveDate;
    use chrono::{TimeZone, Utc};

    /// Two news items with their extractions (an e-bike fire, a stationery sampling failure).
    fn sample_docs() -> Vec<(Document, Extraction)> {
        let docs = [
            (
                "a1",
                "宁波电动自行车充电起火",
                "宁波市鄞州区一处车棚内电动自行车充电时起火，烧毁车辆六辆。",
                "浙江省",
                "电动自行车",
                "火灾",
            ),
            (
                "a2",
                "学生文具抽检：部分笔袋邻苯超标",
                "市场监管局抽检学生文具二十批次，三批次笔袋邻苯二甲酸酯超标。",
                "江苏省",
                "学生文具",
                "化学危害",
            ),
        ];
        let mut out = Vec::new();
        for (id, title, text, province, category, hazard) in docs {
            let t = Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).single().unwrap();
            let d = Document {
                id: id.into(),
                source: "test-src".into(),
                channel: Channel::Media,
                kind: Some(DocKind::Media),
                url: format!("https://news.example.cn/{id}"),
                title: title.into(),
                text: text.into(),
                published_at: Some(t),
                fetched_at: t,
                fields: Default::default(),
                rows: vec![],
                region_hint: None,
                weight: 1.0,
            };
            let e = Extraction {
                doc_id: id.into(),
                kind: DocKind::Media,
                categories: vec![category.into()],
                hazards: vec![],
                regions: vec![],
                parties: Parties::default(),
                standards: vec![],
                vulnerable: vec![],
                findings: vec![Finding {
                    category: category.into(),
                    hazard: hazard.into(),
                    severity: 4,
                    province: Some(province.into()),
                    city: None,
                    parties: Parties::default(),
                    product: None,
                }],
                is_signal: true,
                reason: None,
                cluster: id.into(),
                text_cut: None,
                inspections: Vec::new(),
            };
            out.push((d, e));
        }
        out
    }

    fn index_with_docs(dir: &std::path::Path) -> Arc<Index> {
        let mut j = jieba_rs::Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        let index = Index::open(dir, Arc::new(j)).unwrap();
        let mut w = index.writer().unwrap();
        for (d, e) in sample_docs() {
            w.upsert(&d, &e).unwrap();
        }
        w.commit().unwrap();
        Arc::new(index)
    }

    /// Serves the full router over `state` on 127.0.0.1: its address, the stop signal and the
    /// server task (which ends once stopped).
    async fn serve_on_loopback(
        state: AppState,
    ) -> (
        std::net::SocketAddr,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, state, async move {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    }

    /// Serves the index-only routes on 127.0.0.1 and returns the base URL.
    async fn spawn(index: Option<Arc<Index>>) -> (String, tokio::sync::oneshot::Sender<()>) {
        let app = finish(index_routes::<IndexHandle>().with_state(IndexHandle(index)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        (format!("http://{addr}"), tx)
    }

    /// reqwest is built without its `json` and `query` features: decode and encode by hand.
    async fn json(r: reqwest::Response) -> serde_json::Value {
        serde_json::from_str(&r.text().await.unwrap()).unwrap()
    }

    fn with_query(base: &str, path: &str, pairs: &[(&str, &str)]) -> String {
        let mut u = url::Url::parse(&format!("{base}{path}")).unwrap();
        u.query_pairs_mut().extend_pairs(pairs);
        u.to_string()
    }

    #[tokio::test]
    async fn a_workers_metrics_show_its_counters_behind_its_tokens() {
        let counters = Arc::new(Counters::default());
        counters.crawl.received();
        counters.analyze.reject("parse-empty");
        counters.queue.reject("poison-panic");
        let app = metrics_router(
            counters.clone(),
            Access::new(vec!["watch".into()], vec![], false),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let http = crate::util::tls::client();
        let url = format!("http://{addr}/metrics");
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 401, "no token");
        let r = http.get(&url).bearer_auth("watch").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("jiance_stage_received_total{stage=\"crawl\"} 1"),
            "{text}"
        );
        assert!(text.contains("reason=\"poison-panic\"} 1"), "{text}");
        assert!(text.contains("reason=\"parse-empty\"} 1"), "{text}");
        // The store's figures are the sink node's service, not a worker's.
        assert!(!text.contains("jiance_documents"), "{text}");
        let r = http
            .get(format!("http://{addr}/api/alerts"))
            .bearer_auth("watch")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }

    #[tokio::test]
    async fn health_search_and_errors_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let (base, stop) = spawn(Some(index_with_docs(dir.path()))).await;
        let http = crate::util::tls::client();

        let r = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = json(r).await;
        assert_eq!(v["status"], "ok");
        assert_eq!(v["index_documents"], 2);

        let r = http
            .get(with_query(
                &base,
                "/api/search",
                &[("q", "電動自行車 起火"), ("sort", "date")],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = json(r).await;
        assert_eq!(v["total"], 1);
        assert_eq!(v["hits"][0]["id"], "a1");
        assert!(v["hits"][0]["snippet"].as_str().unwrap().contains("<b>"));
        let provinces = &v["facets"]["province"];
        assert_eq!(provinces[0][0], "浙江省");
        assert_eq!(provinces[0][1], 1);

        let r = http
            .get(with_query(&base, "/api/search", &[("region", "江苏省")]))
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = json(r).await;
        assert_eq!(v["total"], 1);
        assert_eq!(v["hits"][0]["id"], "a2");

        for (bad, needle) in [
            ("since=2026-13-01", "since"),
            ("limit=ten", "limit"),
            ("sort=popular", "sort"),
            ("kind=blog", "kind"),
            ("since=2026-04-02&until=2026-04-01", "since"),
            ("q=nosuchfield%3A%E8%B5%B7%E7%81%AB", "query"),
        ] {
            let r = http
                .get(format!("{base}/api/search?{bad}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{bad}");
            let v: serde_json::Value = json(r).await;
            let msg = v["error"].as_str().unwrap();
            assert!(msg.contains(needle), "{bad}: {msg}");
        }

        let r = http
            .get(format!("{base}/no/such/page"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let v: serde_json::Value = json(r).await;
        assert_eq!(v["error"], "no such endpoint");

        let r = http.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let body = r.text().await.unwrap();
        assert!(body.contains("/assets/app.js"));
        let r = http
            .get(format!("{base}/assets/app.js"))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        let _ = stop.send(());
    }

    #[tokio::test]
    async fn search_without_an_index_is_503() {
        let (base, stop) = spawn(None).await;
        let r = crate::util::tls::client()
            .get(format!("{base}/api/search?q=x"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        let v: serde_json::Value = json(r).await;
        assert!(v["error"].as_str().unwrap().contains("index"));
        let _ = stop.send(());
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal("sqlite: disk I/O error at /var/lib/jiance/state.sqlite");
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("sqlite"));
    }

    fn signal_of(d: &Document, e: &Extraction) -> Signal {
        let f = &e.findings[0];
        Signal {
            doc_id: d.id.clone(),
            time: d.published_at.unwrap(),
            category: f.category.clone(),
            hazard: f.hazard.clone(),
            severity: f.severity,
            province: f.province.clone(),
            city: None,
            source: d.source.clone(),
            channel: d.channel,
            kind: e.kind,
            weight: 1.0,
            cluster: e.cluster.clone(),
            parties: Parties::default(),
            product: None,
        }
    }

    /// Regression (issue 16, 1): `/healthz` said ok while stored documents were missing from
    /// the index. It now says `degraded` with the counts until the two agree.
    #[tokio::test]
    async fn health_reports_stored_documents_the_index_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let index = index_with_docs(&dir.path().join("index"));
        let docs = sample_docs();
        for (d, e) in &docs {
            store.put_document(d, e, &[]).unwrap();
        }
        let mut extra = docs[0].clone();
        extra.0.id = "not-indexed".into();
        store.put_document(&extra.0, &extra.1, &[]).unwrap();
        let state = AppState::new(
            store.clone(),
            Some(index.clone()),
            Arc::new(Counters::default()),
            dir.path().to_path_buf(),
        );
        let (addr, stop, server) = serve_on_loopback(state).await;
        let base = format!("http://{addr}");
        let health = || async {
            json(
                crate::util::tls::client()
                    .get(format!("{base}/healthz"))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        };
        let v = health().await;
        assert_eq!(v["status"], "degraded", "{v}");
        assert_eq!(v["store_documents"], 3);
        assert_eq!(v["index_documents"], 2);
        assert_eq!(v["unindexed_documents"], 1);
        let mut w = index.writer().unwrap();
        w.upsert(&extra.0, &extra.1).unwrap();
        w.commit().unwrap();
        let v = health().await;
        assert_eq!(v["status"], "ok", "{v}");
        assert_eq!(v["unindexed_documents"], 0);
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }

    /// Regression (issue 16, 6): `/api/alerts/%FF` answered in plain text, and a request
    /// declaring a 10 GB body waited for it until the 30 s time limit gave a 503. Both are now
    /// JSON errors, the second a 413 given at once on a closed connection.
    #[tokio::test]
    async fn a_bad_path_and_a_huge_declared_body_get_json_errors() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let index = index_with_docs(&dir.path().join("index"));
        let state = AppState::new(
            store,
            Some(index),
            Arc::new(Counters::default()),
            dir.path().to_path_buf(),
        )
        .with_access(Access::new(vec![], vec!["op".into()], true));
        let (addr, stop, server) = serve_on_loopback(state).await;
        let r = crate::util::tls::client()
            .get(format!("http://{addr}/api/alerts/%FF"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let v = json(r).await;
        assert!(v["error"].as_str().unwrap().contains("alert id"), "{v}");
        // an acknowledgement body that is an array, or not JSON at all, is refused, not recorded
        let http = crate::util::tls::client();
        for (content_type, body, status) in [
            ("application/json", "[]", 400),
            ("text/plain", "{\"note\": \"x\"}", 415),
        ] {
            let r = http
                .post(format!("http://{addr}/api/alerts/nope/ack"))
                .bearer_auth("op")
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{content_type} {body}");
            assert!(json(r).await["error"].is_string());
        }
        // an oversized URI or header section is a JSON error too (hyper's own were empty)
        let long = format!("http://{addr}/api/search?q={}", "x".repeat(MAX_URI + 1));
        let r = http.get(&long).send().await.unwrap();
        assert_eq!(r.status(), 414);
        assert!(json(r).await["error"].as_str().unwrap().contains("limit"));
        // one longer than hyper can hold (64 KiB; reqwest cannot send it either): JSON too,
        // saying how long it was (issue 45: hyper's own 414 had no body and no content type)
        let q = "x".repeat(70_000);
        let said = format!(
            "request target of {} bytes",
            "/api/search?q=".len() + q.len()
        );
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        tcp.write_all(
            format!("GET /api/search?q={q} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), tcp.read_to_end(&mut answer))
            .await
            .expect("the server answers")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 414"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(v["error"].as_str().unwrap().contains(&said), "{v}");
        // the same on a kept-alive connection, after a request with a body and before another
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let requests = format!(
            "POST /api/alerts/nope/ack HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer op\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}\
             GET /api/search?q={q} HTTP/1.1\r\nHost: t\r\n\r\n\
             GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        );
        tcp.write_all(requests.as_bytes()).await.unwrap();
        let mut answers = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), tcp.read_to_end(&mut answers))
            .await
            .expect("the server answers all three")
            .unwrap();
        let answers = String::from_utf8_lossy(&answers);
        let statuses: Vec<&str> = answers
            .match_indices("HTTP/1.1 ")
            .map(|(i, _)| &answers[i + 9..i + 12])
            .collect();
        assert_eq!(statuses, ["404", "414", "200"], "{answers}");
        assert!(answers.contains(&said), "{answers}");
        let mut many = http.get(format!("http://{addr}/healthz"));
        for i in 0..=MAX_HEADERS {
            many = many.header(format!("x-h{i}"), "1");
        }
        let r = many.send().await.unwrap();
        assert_eq!(r.status(), 431);
        assert!(json(r).await["error"].as_str().unwrap().contains("header"));
        let r = http
            .get(format!("http://{addr}/healthz"))
            .header("x-big", "y".repeat(MAX_HEADER_BYTES))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 431);

        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        tcp.write_all(
            b"POST /api/alerts/x/ack HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{",
        )
        .await
        .unwrap();
        // a client that sends part of its headers and then nothing is cut off (the old server
        // kept the connection open for ever)
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /api/alerts HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            .await
            .unwrap();
        let mut rest = Vec::new();
        tokio::time::timeout(HEADER_READ_TIMEOUT * 6, slow.read_to_end(&mut rest))
            .await
            .expect("a client stalled inside its headers is disconnected")
            .ok();
        let mut answer = Vec::new();
        // generous: the old server answered only after its 30 s request time limit
        tokio::time::timeout(Duration::from_secs(120), tcp.read_to_end(&mut answer))
            .await
            .expect("the server closes the connection")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(
            answer.contains("\"error\"") && answer.contains("10000000000"),
            "{answer}"
        );
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn store_endpoints_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let index = index_with_docs(&dir.path().join("index"));
        for (d, e) in sample_docs() {
            store.put_document(&d, &e, &[signal_of(&d, &e)]).unwrap();
        }
        let mut a = api::tests::alert(
            "A",
            "电动自行车",
            4,
            Action::Sample,
            Scope::Regional,
            &["浙江省"],
        );
        a.evidence = vec!["a1".into(), "gone".into()];
        let b = api::tests::alert(
            "B",
            "学生文具",
            2,
            Action::Notify,
            Scope::Regional,
            &["江苏省"],
        );
        let request = SamplingRequest {
            alert_id: "A".into(),
            category: "电动自行车".into(),
            test_items: vec!["电池过充保护".into(), "阻燃性能".into()],
            regions: vec!["浙江省".into()],
            platforms: vec!["淘宝".into()],
            shops: vec!["某某车行旗舰店".into()],
            brands: vec![],
            enterprises: vec![],
            batches: 6,
            deadline: NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
            purchases: vec![],
            items: vec![],
            reason: String::new(),
        };
        store.put_alerts(&[a, b], &[request]).unwrap();
        let counters = Arc::new(Counters::default());
        counters.crawl.received();
        counters.crawl.reject("robots");
        let state = AppState::new(store, Some(index), counters, dir.path().to_path_buf())
            .with_access(Access::new(vec![], vec![], true));

        let (addr, stop, server) = serve_on_loopback(state).await;
        let base = format!("http://{addr}");
        let http = crate::util::tls::client();
        let get = |path: &str| http.get(format!("{base}{path}")).send();

        let v = json(get("/api/alerts").await.unwrap()).await;
        assert_eq!(v["total"], 2);
        assert_eq!(v["alerts"][0]["id"], "A");
        assert_eq!(v["alerts"][1]["id"], "B");
        let v = json(get("/api/alerts?action=notify").await.unwrap()).await;
        assert_eq!(v["total"], 1);
        assert_eq!(v["alerts"][0]["category"], "学生文具");
        let r = get("/api/alerts?level=9").await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(json(r).await["error"].as_str().unwrap().contains("level"));

        let r = get("/api/alerts/A").await.unwrap();
        assert_eq!(r.status(), 200);
        let v = json(r).await;
        assert_eq!(v["alert"]["level"], 4);
        assert_eq!(v["evidence"][0]["id"], "a1");
        assert_eq!(v["evidence"][0]["url"], "https://news.example.cn/a1");
        assert!(
            v["evidence"][0]["snippet"]
                .as_str()
                .unwrap()
                .contains("<b>电动自行车</b>")
        );
        assert_eq!(v["evidence"][1]["found"], false);
        assert_eq!(v["sampling_request"]["batches"], 6);
        assert_eq!(v["sampling_request"]["test_items"][1], "阻燃性能");
        let v = json(get("/api/alerts/B").await.unwrap()).await;
        assert!(v["sampling_request"].is_null());
        let r = get("/api/alerts/NOPE").await.unwrap();
        assert_eq!(r.status(), 404);
        assert!(json(r).await["error"].as_str().unwrap().contains("NOPE"));

        let v = json(get("/api/sampling-requests").await.unwrap()).await;
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["alert_id"], "A");

        let v = json(get("/api/stats").await.unwrap()).await;
        assert_eq!(v["signals"], 2);
        assert_eq!(v["documents"], 2);
        assert_eq!(v["by_day"][0]["day"], "2026-04-01");
        let v = json(get("/api/stats?province=江苏省").await.unwrap()).await;
        assert_eq!(v["by_category"][0][0], "学生文具");

        let r = get("/metrics").await.unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = r.text().await.unwrap();
        assert!(
            text.lines().any(|l| l == "jiance_alerts{level=\"4\"} 1"),
            "{text}"
        );
        assert!(text.lines().any(|l| l == "jiance_documents 2"), "{text}");
        assert!(
            text.lines().any(|l| l == "jiance_index_documents 2"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l == "jiance_stage_rejected_total{stage=\"crawl\",reason=\"robots\"} 1")
        );

        // Graceful shutdown: the server future ends cleanly.
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }

    /// The stream also works on a router served without [`serve`] (no shutdown signal), and a
    /// change written to the store arrives as an `alert` event with its sequence number as id.
    #[tokio::test]
    async fn event_stream_delivers_store_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let a = api::tests::alert(
            "A",
            "电热毯",
            3,
            Action::Notify,
            Scope::Regional,
            &["河南省"],
        );
        store.put_alerts(&[a], &[]).unwrap();
        let state = AppState::new(
            store.clone(),
            None,
            Arc::new(Counters::default()),
            dir.path().to_path_buf(),
        )
        .with_access(Access::new(vec!["v".into()], vec![], false));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(state)).await });
        let mut resp = crate::util::tls::client()
            .get(format!("{base}/api/alerts/stream"))
            .bearer_auth("v")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let mut text = String::new();
        while !text.contains("event: ready") {
            text.push_str(&String::from_utf8_lossy(
                &resp.chunk().await.unwrap().unwrap(),
            ));
        }
        store
            .acknowledge_with(
                "A",
                "电话通知属地",
                &crate::store::Actor::new("t", "operator"),
            )
            .unwrap()
            .unwrap();
        while !text.contains("event: alert") || !text.ends_with("\n\n") {
            text.push_str(&String::from_utf8_lossy(
                &resp.chunk().await.unwrap().unwrap(),
            ));
        }
        let seq = store.last_change().unwrap();
        assert!(text.contains(&format!("id: {seq}")), "{text}");
        assert!(text.contains("\"change\":\"acknowledged\""), "{text}");
        assert!(text.contains("电话通知属地"), "{text}");
    }
}
