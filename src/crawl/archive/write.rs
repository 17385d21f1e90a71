//! The archive writer: one gzip member per record, size-rotated files, a new file per process.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::model::{PageRole, Timestamp};

/// One fetch as it goes into the archive.
#[derive(Debug, Clone)]
pub struct Exchange<'a> {
    pub source: &'a str,
    pub role: PageRole,
    /// Final URL (after redirects).
    pub url: &'a str,
    pub request_headers: &'a [(String, String)],
    /// `None` when the fetch failed without a response (timeout, reset, refused).
    pub status: Option<u16>,
    pub response_headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub fetched_at: Timestamp,
    /// Short reason when the fetch failed (`timeout`, `body-too-large`, `connect` …).
    pub error: Option<&'a str>,
    /// The page is about to be rendered (`render: chromium` in its metadata): a reader holds
    /// the response back for a while, expecting the [`Conversion`] that replaces it.
    pub render: bool,
}

/// A page as a browser rendered it, archived as a WARC `conversion` record that refers to the
/// `response` record it was made from.
#[derive(Debug, Clone)]
pub struct Conversion<'a> {
    pub source: &'a str,
    pub role: PageRole,
    pub url: &'a str,
    /// `WARC-Record-ID` of the response that was rendered.
    pub refers_to: &'a str,
    /// Media type of the converted content (`text/html; charset=utf-8`).
    pub content_type: &'a str,
    pub body: &'a [u8],
    pub made_at: Timestamp,
    /// What made it (`chromium`).
    pub by: &'a str,
}

/// Appends exchanges to `jiance-YYYYMMDDHHMMSS-NNNNN.warc.gz` files in one directory.
pub struct ArchiveWriter {
    dir: PathBuf,
    rotate_bytes: u64,
    file: File,
    path: PathBuf,
    /// Bytes in the current file.
    written: u64,
    /// Bytes of the current file's warcinfo record: a file holding only that is "empty".
    info_bytes: u64,
}

impl std::fmt::Debug for ArchiveWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveWriter")
            .field("path", &self.path)
            .field("written", &self.written)
            .finish()
    }
}

impl ArchiveWriter {
    /// Opens `dir` (created if missing) and always starts a NEW file, so the truncated tail a crash
    /// may have left in an older file never sits in front of later records. A `warcinfo` record
    /// comes first in every file.
    pub fn open(dir: &Path, rotate_bytes: u64) -> io::Result<ArchiveWriter> {
        std::fs::create_dir_all(dir)?;
        let (file, path) = new_file(dir)?;
        let mut w = ArchiveWriter {
            dir: dir.to_path_buf(),
            rotate_bytes,
            file,
            path,
            written: 0,
            info_bytes: 0,
        };
        w.write_warcinfo()?;
        Ok(w)
    }

    /// The file being written now.
    pub fn current_path(&self) -> &Path {
        &self.path
    }

    /// Writes `request`, `response` and `metadata` records for one exchange (or `request` and
    /// `metadata` when there was no response), then flushes. Returns the response's
    /// `WARC-Record-ID` (as written, `<urn:uuid:…>`), or the metadata record's when there was no
    /// response.
    pub fn write(&mut self, ex: &Exchange) -> io::Result<String> {
        if self.written >= self.rotate_bytes && self.written > self.info_bytes {
            self.rotate()?;
        }
        let date = warc_date(ex.fetched_at);
        let url = one_line(ex.url);
        let request_id = record_id();
        let response_id = ex.status.map(|_| record_id());

        // request
        let request_block = http_request_block(&url, ex.request_headers);
        let mut h = RecordHeader::new("request", &request_id, &date);
        h.add("WARC-Target-URI", &url);
        if let Some(rid) = &response_id {
            h.add("WARC-Concurrent-To", rid);
        }
        h.add("Content-Type", "application/http;msgtype=request");
        let mut bytes = self.member(&h, &request_block)?;

        // response
        if let (Some(status), Some(rid)) = (ex.status, &response_id) {
            let block = http_response_block(status, ex.response_headers, ex.body);
            let mut h = RecordHeader::new("response", rid, &date);
            h.add("WARC-Target-URI", &url);
            h.add("WARC-Concurrent-To", &request_id);
            h.add("Content-Type", "application/http;msgtype=response");
            h.add("WARC-Block-Digest", &sha1_b32(&block));
            h.add("WARC-Payload-Digest", &sha1_b32(ex.body));
            if let Some(t) = ex.error.and_then(truncation) {
                // Tells other tools the payload is incomplete (WARC 1.1 §5.13).
                h.add("WARC-Truncated", t);
            }
            bytes.extend(self.member(&h, &block)?);
        }

        // metadata
        let meta_id = record_id();
        let mut fields = String::new();
        let _ = write!(
            fields,
            "source: {}\r\nrole: {}\r\nfetched-at: {}\r\n",
            one_line(ex.source),
            ex.role.as_str(),
            date
        );
        if let Some(s) = ex.status {
            let _ = write!(fields, "status: {s}\r\n");
        }
        if let Some(e) = ex.error {
            let _ = write!(fields, "error: {}\r\n", one_line(e));
        }
        if ex.render {
            fields.push_str("render: chromium\r\n");
        }
        let mut h = RecordHeader::new("metadata", &meta_id, &date);
        h.add("WARC-Target-URI", &url);
        h.add(
            "WARC-Concurrent-To",
            response_id.as_deref().unwrap_or(&request_id),
        );
        h.add("Content-Type", "application/warc-fields");
        bytes.extend(self.member(&h, fields.as_bytes())?);

        // One write_all for the three members, so a crash rarely splits an exchange.
        self.file.write_all(&bytes)?;
        self.file.flush()?;
        self.written += bytes.len() as u64;
        Ok(response_id.unwrap_or(meta_id))
    }

    /// Writes a `conversion` record (`WARC-Refers-To` the response it was made from) and its
    /// `metadata` record, then flushes; returns the conversion's `WARC-Record-ID`. Never starts
    /// a new file, so a conversion lands in the file of its response more often than not.
    pub fn write_conversion(&mut self, c: &Conversion) -> io::Result<String> {
        let date = warc_date(c.made_at);
        let url = one_line(c.url);
        let id = record_id();
        let mut h = RecordHeader::new("conversion", &id, &date);
        h.add("WARC-Target-URI", &url);
        h.add("WARC-Refers-To", c.refers_to);
        h.add("Content-Type", c.content_type);
        h.add("WARC-Block-Digest", &sha1_b32(c.body));
        h.add("WARC-Payload-Digest", &sha1_b32(c.body));
        let mut bytes = self.member(&h, c.body)?;
        let fields = format!(
            "source: {}\r\nrole: {}\r\nfetched-at: {date}\r\nrendered-by: {}\r\n",
            one_line(c.source),
            c.role.as_str(),
            one_line(c.by)
        );
        let mut h = RecordHeader::new("metadata", &record_id(), &date);
        h.add("WARC-Target-URI", &url);
        h.add("WARC-Concurrent-To", &id);
        h.add("Content-Type", "application/warc-fields");
        bytes.extend(self.member(&h, fields.as_bytes())?);
        self.file.write_all(&bytes)?;
        self.file.flush()?;
        self.written += bytes.len() as u64;
        Ok(id)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let (file, path) = new_file(&self.dir)?;
        self.file = file;
        self.path = path;
        self.written = 0;
        self.write_warcinfo()
    }

    fn write_warcinfo(&mut self) -> io::Result<()> {
        let id = record_id();
        let date = warc_date(chrono::Utc::now());
        let filename = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let fields = format!(
            "software: jiance/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let mut h = RecordHeader::new("warcinfo", &id, &date);
        h.add("WARC-Filename", &filename);
        h.add("Content-Type", "application/warc-fields");
        let bytes = self.member(&h, fields.as_bytes())?;
        self.file.write_all(&bytes)?;
        self.file.flush()?;
        self.written += bytes.len() as u64;
        self.info_bytes = self.written;
        Ok(())
    }

    /// One record as one gzip member.
    fn member(&self, h: &RecordHeader, block: &[u8]) -> io::Result<Vec<u8>> {
        let mut enc = GzEncoder::new(
            Vec::with_capacity(block.len() / 3 + 256),
            Compression::default(),
        );
        enc.write_all(h.text.as_bytes())?;
        write!(enc, "Content-Length: {}\r\n\r\n", block.len())?;
        enc.write_all(block)?;
        enc.write_all(b"\r\n\r\n")?;
        enc.finish()
    }
}

/// A new, never-before-existing file; `create_new` makes two writers in one second safe.
fn new_file(dir: &Path) -> io::Result<(File, PathBuf)> {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    for n in 0..100_000u32 {
        let path = dir.join(format!("jiance-{stamp}-{n:05}.warc.gz"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{}: no free archive file name for {stamp}",
        dir.display()
    )))
}

struct RecordHeader {
    text: String,
}

impl RecordHeader {
    fn new(kind: &str, id: &str, date: &str) -> RecordHeader {
        RecordHeader {
            text: format!(
                "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: {id}\r\nWARC-Date: {date}\r\n"
            ),
        }
    }
    fn add(&mut self, name: &str, value: &str) {
        let _ = write!(self.text, "{name}: {}\r\n", one_line(value));
    }
}

fn record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

/// WARC 1.1 allows fractions of a second; microseconds keep ordering within a busy second.
fn warc_date(t: Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Header values must not break the line structure.
fn one_line(s: &str) -> String {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ")
    } else {
        s.to_string()
    }
}

fn truncation(error: &str) -> Option<&'static str> {
    match error {
        "body-too-large" => Some("length"),
        "timeout" => Some("time"),
        "" => None,
        _ => Some("disconnect"),
    }
}

fn http_request_block(url: &str, headers: &[(String, String)]) -> Vec<u8> {
    let (target, host) = match url::Url::parse(url) {
        Ok(u) => {
            let mut t = u.path().to_string();
            if let Some(q) = u.query() {
                t.push('?');
                t.push_str(q);
            }
            let host = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                _ => String::new(),
            };
            (t, host)
        }
        Err(_) => (url.to_string(), String::new()),
    };
    let mut s = format!("GET {} HTTP/1.1\r\n", one_line(&target));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) && !host.is_empty() {
        let _ = write!(s, "Host: {host}\r\n");
    }
    for (k, v) in headers {
        let _ = write!(s, "{}: {}\r\n", one_line(k), one_line(v));
    }
    s.push_str("\r\n");
    s.into_bytes()
}

fn http_response_block(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("");
    let mut s = format!("HTTP/1.1 {status} {reason}\r\n");
    for (k, v) in headers {
        // The body is stored decoded and de-chunked, so these would mislead a reader.
        if k.eq_ignore_ascii_case("transfer-encoding") || k.eq_ignore_ascii_case("content-encoding")
        {
            continue;
        }
        let _ = write!(s, "{}: {}\r\n", one_line(k), one_line(v));
    }
    s.push_str("\r\n");
    let mut b = s.into_bytes();
    b.extend_from_slice(body);
    b
}

/// `sha1:` + RFC 4648 base32 of the SHA-1, the digest form WARC tools expect.
pub fn sha1_b32(data: &[u8]) -> String {
    let digest = Sha1::digest(data);
    format!("sha1:{}", base32(&digest))
}

pub(super) fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut buffer: u64 = 0;
    let mut bits = 0u32;
    for &b in data {
        buffer = (buffer << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    while !out.len().is_multiple_of(8) {
        out.push('=');
    }
    out
}
