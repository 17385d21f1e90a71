//! How a handler answers beside JSON: blocking reads moved off the async threads, store errors
//! as 500s, CSV downloads and printable pages.

use super::ApiError;

/// Runs blocking work (tantivy, SQLite) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

pub(super) fn store_error(e: crate::store::StoreError) -> ApiError {
    ApiError::internal(e)
}

/// A CSV body sent as a download named `filename` (the `format=csv` answers of the list routes).
pub(crate) fn csv_download(bytes: Vec<u8>, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A printable page (the sampling request's, a jurisdiction package's): HTML under a policy that
/// loads nothing but the page's own stylesheet.
pub(crate) fn print_html(page: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ],
        page,
    )
        .into_response()
}
