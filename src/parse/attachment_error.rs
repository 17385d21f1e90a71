//! Why an attachment gave no rows, and the limits every attachment reader keeps: shared by
//! `attachment.rs` (which picks the reader) and the readers below it (`docx.rs`), so that no
//! reader reaches back into the file that calls it.

/// Why an attachment gave no rows.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    #[error("{url}: not a readable {format} file: {message}")]
    Bad {
        url: String,
        format: &'static str,
        message: String,
    },
    #[error("{url}: the file is password-protected")]
    Encrypted { url: String },
    #[error("{url}: the PDF has no text layer (a scanned image?)")]
    NoText { url: String },
    #[error("{url}: no table with recognised column names (产品名称, 不合格项目 …)")]
    NoTable { url: String },
    #[error("{url}: a {format} file, a format not read")]
    Unsupported { url: String, format: &'static str },
    #[error("{url}: not a spreadsheet, Word, CSV or PDF file")]
    Unknown { url: String },
}

impl AttachmentError {
    /// Short stable reason for counters.
    pub fn reason(&self) -> &'static str {
        match self {
            AttachmentError::Bad { .. } => "bad-attachment",
            AttachmentError::Encrypted { .. } => "encrypted-attachment",
            AttachmentError::NoText { .. } => "no-text",
            AttachmentError::NoTable { .. } => "no-table",
            AttachmentError::Unsupported { .. } => "unsupported-attachment",
            AttachmentError::Unknown { .. } => "unknown-attachment",
        }
    }
}

/// Longest sheet or Word table read (rows): a notice lists tens to hundreds of products.
pub(super) const MAX_ROWS: usize = 100_000;

/// A file that is not what its format says (truncated, corrupt, a zip bomb).
pub(super) fn bad(
    url: &str,
    format: &'static str,
    message: impl std::fmt::Display,
) -> AttachmentError {
    AttachmentError::Bad {
        url: url.to_string(),
        format,
        message: message.to_string(),
    }
}
