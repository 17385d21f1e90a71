//! `GET /api/search/export`: the whole result set of a search (every matching document, not one
//! page, not collapsed) as CSV or as an Excel workbook.
//!
//! The file is written on a blocking thread into an unnamed temporary file and streamed back in
//! chunks, so neither the rows nor the file are ever held in memory whole.

use std::io::{Read, Seek, SeekFrom};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::api::{search_error, search_request};
use super::reply::blocking;
use super::request::Params;
use super::{ApiError, IndexHandle};
use crate::index::ExportFormat;

/// Bytes sent per chunk of the response body.
const CHUNK: usize = 64 * 1024;

pub(super) async fn export(
    State(IndexHandle(index)): State<IndexHandle>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let format = match p.get("format") {
        None => ExportFormat::Csv,
        Some(f) => ExportFormat::parse(f).ok_or_else(|| {
            ApiError::bad_request(format!("format: expected csv or xlsx, got {f:?}"))
        })?,
    };
    let req = search_request(&p)?;
    let index = index.ok_or_else(|| ApiError::unavailable("the search index is not open"))?;
    let (file, summary) = blocking(move || {
        let written = match format {
            ExportFormat::Csv => {
                let mut file = tempfile::tempfile().map_err(ApiError::internal)?;
                let summary = index
                    .export_csv(&req, std::io::BufWriter::new(&mut file))
                    .map_err(search_error)?;
                (file, summary)
            }
            ExportFormat::Xlsx => {
                // rust_xlsxwriter saves to a path; the named file is unlinked once opened
                let named = tempfile::NamedTempFile::new().map_err(ApiError::internal)?;
                let summary = index
                    .export_xlsx(&req, named.path())
                    .map_err(search_error)?;
                let file = named.reopen().map_err(ApiError::internal)?;
                (file, summary)
            }
        };
        Ok(written)
    })
    .await?;
    let mut file = file;
    file.seek(SeekFrom::Start(0)).map_err(ApiError::internal)?;
    let stream = futures::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; CHUNK];
            let n = f.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((f, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((f, buf))) => Some((Ok::<_, std::io::Error>(buf), Some(f))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    });
    let name = format!(
        "attachment; filename=\"jiance-search.{}\"",
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, name),
            (
                header::HeaderName::from_static("x-jiance-rows"),
                summary.rows.to_string(),
            ),
            (
                header::HeaderName::from_static("x-jiance-total"),
                summary.total.to_string(),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
