//! The dashboard: one HTML page, three scripts (the analysts' part and the centre's publications —
//! parties, warnings, inspection records, the risk list — each in its own), one stylesheet,
//! embedded in the binary (no CDN, no external fonts) so it works on an offline monitoring network.

use axum::http::header;
use axum::response::IntoResponse;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const REVIEW_JS: &str = include_str!("assets/review.js");
const CENTRE_JS: &str = include_str!("assets/centre.js");

/// Only our own script and stylesheet may run or load; the evidence snippets are text with `<b>`.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub(super) async fn index_html() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
}

fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

pub(super) async fn app_js() -> impl IntoResponse {
    script(APP_JS)
}

/// The analysts' part of the dashboard (cases, triage, labels), plugged into app.js.
pub(super) async fn review_js() -> impl IntoResponse {
    script(REVIEW_JS)
}

/// What the centre hands on and publishes (parties, warnings, inspection records, the risk
/// list), plugged into app.js like review.js.
pub(super) async fn centre_js() -> impl IntoResponse {
    script(CENTRE_JS)
}

pub(super) async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        APP_CSS,
    )
}
