//! WARC/1.1 archive (ISO 28500): writer (one gzip member per record, size-rotated files) and reader.
//!
//! The crawler appends every exchange here *before* anything parses it, so the archive is the raw
//! truth that `jiance rerun` replays. Writing: `request` + `response` + `metadata` records per
//! exchange (or `request` + `metadata` when no response came back), each record its own gzip
//! member so any tool (warcio, pywb) can seek to a record and a crash's truncated tail only costs
//! the last member. Reading: any standard WARC/1.0 or 1.1 file, gzipped per record or plain;
//! responses come back as [`Fetched`], with source and role from our `metadata` record when there
//! is one. A page rendered in a browser adds a `conversion` record (the DOM, `WARC-Refers-To` its
//! response) and its metadata; read back, the rendering takes the response's place
//! ([`ArchiveReader`]).
//!
//! Bodies are stored as the crawler received them after content decoding (reqwest undoes gzip /
//! brotli), so the archived HTTP header block never carries `Content-Encoding` or
//! `Transfer-Encoding` for our own records; the reader still undoes chunking and gzip/deflate for
//! other tools' raw records.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::model::{Fetched, PageRole, Timestamp};

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

/// A record that cannot be read, named by file and byte offset (of the gzip member, or of the
/// record in a plain file).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: offset {offset}: {message}", file.display())]
    Corrupt {
        file: PathBuf,
        offset: u64,
        message: String,
    },
    #[error("{}: {source}", file.display())]
    Io { file: PathBuf, source: io::Error },
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

fn base32(data: &[u8]) -> String {
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

// ---------------------------------------------------------------------------------------------
// Reading

/// Reads every WARC file (`*.warc`, `*.warc.gz`) in `dir`, in name order.
pub fn read_dir(dir: &Path) -> io::Result<ArchiveReader> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if (name.ends_with(".warc") || name.ends_with(".warc.gz")) && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let total = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    Ok(ArchiveReader::over(files.into(), None, total))
}

/// Reads one WARC file.
pub fn read_file(path: &Path) -> io::Result<ArchiveReader> {
    // Open now so a missing file is an immediate error, not a first item.
    let file = File::open(path)?;
    let total = file.metadata()?.len();
    let current = FileRecords::new(path.to_path_buf(), file)?;
    Ok(ArchiveReader::over(VecDeque::new(), Some(current), total))
}

/// Iterator over the responses of one or more WARC files. A corrupt stretch yields one `Err` and
/// the reader resynchronises on the next record (the next gzip member, or the next `WARC/1.`
/// line of a plain file), so one bad member costs its own records only; an unreadable file
/// yields one `Err` and the reader goes on with the next file.
///
/// A rendered page comes back once, as the browser built it: a response archived with
/// `render: chromium` waits (other records pass it) until the `conversion` record made from it
/// arrives, and the two become one page — the response's URL, status and headers with the
/// rendered body and the conversion's record id. A response whose rendering never came (the
/// browser failed, a crash in between) is handed on as it is after [`RENDER_WINDOW`] further
/// records or at the end of the archive; a conversion whose response was not read (another
/// file, another tool) comes back on its own as a 200 page.
pub struct ArchiveReader {
    files: VecDeque<PathBuf>,
    current: Option<FileRecords>,
    /// Records as the current file gives them, conversions not yet matched.
    raw: VecDeque<Result<ReadBack, ArchiveError>>,
    out: VecDeque<Result<Fetched, ArchiveError>>,
    /// Responses waiting for their rendering, with the record count that releases them.
    awaiting: VecDeque<(Fetched, u64)>,
    /// Records taken from `raw` so far.
    read: u64,
    /// Size of every file to read, and of the files finished (for progress by bytes).
    total: u64,
    done: u64,
}

/// Records a response marked for rendering waits for its conversion at most: the crawler
/// writes the conversion a browser run (seconds) after the response, with only the pages
/// fetched meanwhile between them.
pub const RENDER_WINDOW: u64 = 1024;

/// One record read back: a response (or a conversion, `refers_to` set) with what its metadata
/// record said.
struct ReadBack {
    fetched: Fetched,
    /// The response was marked `render: chromium`: its conversion should follow.
    render: bool,
    /// A conversion: the `WARC-Record-ID` of the response it was made from.
    refers_to: Option<String>,
}

impl ArchiveReader {
    fn over(files: VecDeque<PathBuf>, current: Option<FileRecords>, total: u64) -> ArchiveReader {
        ArchiveReader {
            files,
            current,
            raw: VecDeque::new(),
            out: VecDeque::new(),
            awaiting: VecDeque::new(),
            read: 0,
            total,
            done: 0,
        }
    }

    /// Takes one record: a marked response waits, a conversion replaces its response.
    fn accept(&mut self, item: Result<ReadBack, ArchiveError>) {
        self.read += 1;
        let read = match item {
            Ok(r) => r,
            Err(e) => return self.out.push_back(Err(e)),
        };
        if read.render {
            self.awaiting
                .push_back((read.fetched, self.read + RENDER_WINDOW));
            return;
        }
        let Some(of) = read.refers_to else {
            return self.out.push_back(Ok(read.fetched));
        };
        let conv = read.fetched;
        let Some(pos) = self.awaiting.iter().position(|(f, _)| f.record_id == of) else {
            return self.out.push_back(Ok(conv));
        };
        let Some((mut page, _)) = self.awaiting.remove(pos) else {
            return self.out.push_back(Ok(conv));
        };
        page.headers.retain(|(k, _)| k != "content-type");
        page.headers.extend(
            conv.headers
                .into_iter()
                .filter(|(k, _)| k == "content-type"),
        );
        page.body = conv.body;
        page.record_id = conv.record_id;
        self.out.push_back(Ok(page));
    }

    /// Bytes of archive files (as stored, compressed) to read in all.
    pub fn bytes_total(&self) -> u64 {
        self.total
    }

    /// Bytes of archive files read so far (finished files plus the position in the current one).
    pub fn bytes_read(&self) -> u64 {
        self.done + self.current.as_ref().map_or(0, |c| c.reader.pos)
    }
}

impl Iterator for ArchiveReader {
    type Item = Result<Fetched, ArchiveError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(item);
            }
            let finished = self.current.is_none() && self.files.is_empty() && self.raw.is_empty();
            if let Some((_, until)) = self.awaiting.front()
                && (*until <= self.read || finished)
            {
                if let Some((f, _)) = self.awaiting.pop_front() {
                    self.out.push_back(Ok(f));
                }
                continue;
            }
            if let Some(item) = self.raw.pop_front() {
                self.accept(item);
                continue;
            }
            let Some(cur) = self.current.as_mut() else {
                let path = self.files.pop_front()?;
                match File::open(&path).and_then(|f| FileRecords::new(path.clone(), f)) {
                    Ok(fr) => self.current = Some(fr),
                    Err(source) => return Some(Err(ArchiveError::Io { file: path, source })),
                }
                continue;
            };
            cur.step(&mut self.raw);
            if cur.done {
                self.done += cur.reader.pos;
                self.current = None;
            }
        }
    }
}

struct RawRecord {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

impl RawRecord {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Counts consumed bytes so errors can name an offset.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// Largest record block accepted; anything claiming more is treated as corrupt.
const MAX_RECORD: u64 = 1 << 30;

struct FileRecords {
    path: PathBuf,
    reader: Counting<BufReader<File>>,
    gzip: bool,
    /// Records decoded from the current gzip member, with the member's offset.
    queued: VecDeque<(u64, RawRecord)>,
    /// A response (or conversion) waiting for the metadata record that may follow it.
    pending: Option<ReadBack>,
    done: bool,
}

impl FileRecords {
    fn new(path: PathBuf, file: File) -> io::Result<FileRecords> {
        let mut reader = Counting {
            inner: BufReader::with_capacity(64 * 1024, file),
            pos: 0,
        };
        let head = reader.fill_buf()?;
        let gzip = head.starts_with(&[0x1f, 0x8b]);
        Ok(FileRecords {
            path,
            reader,
            gzip,
            queued: VecDeque::new(),
            pending: None,
            done: false,
        })
    }

    fn corrupt(&self, offset: u64, message: impl Into<String>) -> ArchiveError {
        ArchiveError::Corrupt {
            file: self.path.clone(),
            offset,
            message: message.into(),
        }
    }

    /// Reads one record (or one gzip member) and pushes what it completes to `out`.
    fn step(&mut self, out: &mut VecDeque<Result<ReadBack, ArchiveError>>) {
        match self.next_raw() {
            None => {
                if let Some(p) = self.pending.take() {
                    out.push_back(Ok(p));
                }
                self.done = true;
            }
            // `next_raw` has resynchronised on the next record, or set `done` when it could not
            Some(Err(e)) => {
                if let Some(p) = self.pending.take() {
                    out.push_back(Ok(p));
                }
                out.push_back(Err(e));
            }
            Some(Ok((offset, rec))) => match rec.get("WARC-Type").unwrap_or("") {
                kind @ ("response" | "conversion") => {
                    if let Some(p) = self.pending.take() {
                        out.push_back(Ok(p));
                    }
                    let read = if kind == "response" {
                        response_to_fetched(&rec)
                    } else {
                        conversion_to_fetched(&rec)
                    };
                    match read {
                        Ok(f) => {
                            self.pending = Some(ReadBack {
                                fetched: f,
                                render: false,
                                refers_to: (kind == "conversion")
                                    .then(|| rec.get("WARC-Refers-To").unwrap_or("").to_string()),
                            })
                        }
                        // The framing is intact, so only this record is lost.
                        Err(msg) => out.push_back(Err(self.corrupt(offset, msg))),
                    }
                }
                "metadata" => {
                    let to = rec.get("WARC-Concurrent-To").unwrap_or("");
                    if let Some(mut p) = self.pending.take() {
                        if !to.is_empty() && to == p.fetched.record_id {
                            apply_metadata(&mut p, &rec.block);
                        }
                        out.push_back(Ok(p));
                    }
                }
                _ => {}
            },
        }
    }

    fn next_raw(&mut self) -> Option<Result<(u64, RawRecord), ArchiveError>> {
        if let Some(r) = self.queued.pop_front() {
            return Some(Ok(r));
        }
        let offset = self.reader.pos;
        match self.reader.fill_buf() {
            Ok([]) => return None,
            Ok(_) => {}
            Err(e) => {
                self.done = true;
                return Some(Err(self.corrupt(offset, e.to_string())));
            }
        }
        if self.gzip {
            let mut member = Vec::new();
            let dec = flate2::bufread::GzDecoder::new(&mut self.reader);
            if let Err(e) = dec.take(MAX_RECORD).read_to_end(&mut member) {
                let err = self.corrupt(offset, format!("bad gzip member: {e}"));
                self.resync(offset + 1, GZIP_MAGIC);
                return Some(Err(err));
            }
            let mut cur = io::Cursor::new(&member[..]);
            loop {
                match cur.fill_buf() {
                    Ok([]) => break,
                    Ok(_) => {}
                    Err(e) => return Some(Err(self.corrupt(offset, e.to_string()))),
                }
                match read_record(&mut cur) {
                    Ok(Some(r)) => self.queued.push_back((offset, r)),
                    Ok(None) => break,
                    // the member's framing held: the next member is where the reader stands
                    Err(msg) => return Some(Err(self.corrupt(offset, msg))),
                }
            }
            match self.queued.pop_front() {
                Some(r) => Some(Ok(r)),
                // An empty member: go on with the next one.
                None => self.next_raw(),
            }
        } else {
            match read_record(&mut self.reader) {
                Ok(Some(r)) => Some(Ok((offset, r))),
                Ok(None) => None,
                Err(msg) => {
                    let err = self.corrupt(offset, msg);
                    self.resync(offset + 1, b"WARC/1.");
                    Some(Err(err))
                }
            }
        }
    }

    /// Move to the first occurrence of `magic` at or after byte `from` (a gzip member's header,
    /// or a plain record's version line), or to the end of the file; `done` when the file cannot
    /// be read any more.
    fn resync(&mut self, from: u64, magic: &[u8]) {
        if self.reader.inner.seek(SeekFrom::Start(from)).is_err() {
            self.done = true;
            return;
        }
        self.reader.pos = from;
        // a match may straddle two buffer fills: keep the last bytes of the previous one
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let buf = match self.reader.fill_buf() {
                Ok([]) => return,
                Ok(b) => b,
                Err(_) => {
                    self.done = true;
                    return;
                }
            };
            let mut window = std::mem::take(&mut carry);
            let carried = window.len();
            window.extend_from_slice(buf);
            if let Some(i) = window.windows(magic.len()).position(|w| w == magic) {
                // `i` counts from the carried bytes, which were already consumed
                if i >= carried {
                    self.reader.consume(i - carried);
                } else {
                    let back = self.reader.pos - (carried - i) as u64;
                    if self.reader.inner.seek(SeekFrom::Start(back)).is_err() {
                        self.done = true;
                    }
                    self.reader.pos = back;
                }
                return;
            }
            let n = buf.len();
            let keep = (magic.len() - 1).min(window.len());
            carry = window[window.len() - keep..].to_vec();
            self.reader.consume(n);
        }
    }
}

/// The first bytes of a gzip member (magic and the deflate method).
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b, 0x08];

/// One record from a plain stream; `Ok(None)` at a clean end (only blank lines left).
fn read_record(r: &mut impl BufRead) -> Result<Option<RawRecord>, String> {
    let mut line = Vec::new();
    // Skip blank lines left between records by lenient writers.
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(None);
        }
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
    }
    let version = String::from_utf8_lossy(&line).trim().to_string();
    if !version.starts_with("WARC/") {
        return Err(format!(
            "expected a WARC version line, found {:?}",
            truncate(&version, 40)
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("record header ends early".into());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) {
            // Folded continuation line (WARC/1.0).
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(text.trim());
            }
            continue;
        }
        match text.split_once(':') {
            Some((k, v)) => headers.push((k.trim().to_string(), v.trim().to_string())),
            None => return Err(format!("bad record header line {:?}", truncate(text, 60))),
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .ok_or("record has no Content-Length")?
        .1
        .parse::<u64>()
        .map_err(|e| format!("bad Content-Length: {e}"))?;
    if len > MAX_RECORD {
        return Err(format!(
            "Content-Length {len} is larger than the {MAX_RECORD} accepted"
        ));
    }
    let mut block = Vec::with_capacity(len.min(16 << 20) as usize);
    let got = r
        .take(len)
        .read_to_end(&mut block)
        .map_err(|e| e.to_string())?;
    if (got as u64) < len {
        return Err(format!("record block truncated: {got} of {len} bytes"));
    }
    // The two CRLFs after the block; lenient about their exact form.
    for _ in 0..4 {
        match r.fill_buf() {
            Ok([b'\r' | b'\n', ..]) => r.consume(1),
            _ => break,
        }
    }
    Ok(Some(RawRecord { headers, block }))
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Target URI, record id and date of a record; `kind` names it in the error.
fn record_head(rec: &RawRecord, kind: &str) -> Result<(String, String, Timestamp), String> {
    let url = rec
        .get("WARC-Target-URI")
        .unwrap_or("")
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    let record_id = rec.get("WARC-Record-ID").unwrap_or("").to_string();
    let fetched_at = rec
        .get("WARC-Date")
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("{kind} {record_id} has no valid WARC-Date"))?;
    Ok((url, record_id, fetched_at))
}

fn response_to_fetched(rec: &RawRecord) -> Result<Fetched, String> {
    let (url, record_id, fetched_at) = record_head(rec, "response")?;
    let ct = rec.get("Content-Type").unwrap_or("").to_ascii_lowercase();
    if !ct.is_empty() && !ct.starts_with("application/http") {
        return Err(format!(
            "response {record_id} is {ct:?}, not application/http"
        ));
    }
    let block = &rec.block;
    let head_end = find(block, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(block, b"\n\n").map(|i| (i, i + 2)))
        .ok_or_else(|| format!("response {record_id} ({url}): no end of HTTP headers"))?;
    let head = String::from_utf8_lossy(&block[..head_end.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| status_line.starts_with("HTTP/"))
        .ok_or_else(|| {
            format!(
                "response {record_id} ({url}): bad status line {:?}",
                truncate(status_line, 60)
            )
        })?;
    let mut headers = Vec::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut body = block.get(head_end.1..).unwrap_or_default().to_vec();
    let has = |name: &str, val: &str| {
        headers
            .iter()
            .any(|(k, v): &(String, String)| k == name && v.to_ascii_lowercase().contains(val))
    };
    // Other tools archive the wire bytes: undo chunking and compression so `body` means the same
    // thing whoever wrote the file. On failure the raw bytes are kept.
    if has("transfer-encoding", "chunked")
        && let Some(b) = dechunk(&body)
    {
        body = b;
    }
    if has("content-encoding", "gzip") {
        let mut out = Vec::new();
        if flate2::read::MultiGzDecoder::new(&body[..])
            .read_to_end(&mut out)
            .is_ok()
        {
            body = out;
        }
    } else if has("content-encoding", "deflate") {
        let mut out = Vec::new();
        if flate2::read::ZlibDecoder::new(&body[..])
            .read_to_end(&mut out)
            .is_ok()
        {
            body = out;
        }
    }
    Ok(Fetched {
        source: String::new(),
        url,
        role: PageRole::Detail,
        status,
        headers,
        body,
        fetched_at,
        record_id,
        attachments: Vec::new(),
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(data.get(..eol)?).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = data.get(eol + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

fn apply_metadata(r: &mut ReadBack, block: &[u8]) {
    let f = &mut r.fetched;
    for line in String::from_utf8_lossy(block).lines() {
        match line.split_once(':') {
            Some(("source", v)) => f.source = v.trim().to_string(),
            Some(("role", v)) => {
                if let Some(role) = PageRole::parse(v.trim()) {
                    f.role = role;
                }
            }
            // Only a 2xx response is replaced by its rendering.
            Some(("render", _)) => r.render = (200..300).contains(&f.status),
            _ => {}
        }
    }
}

/// A `conversion` record read as a 200 page of its converted content.
fn conversion_to_fetched(rec: &RawRecord) -> Result<Fetched, String> {
    let (url, record_id, fetched_at) = record_head(rec, "conversion")?;
    let headers = rec
        .get("Content-Type")
        .map(|ct| vec![("content-type".to_string(), ct.to_string())])
        .unwrap_or_default();
    Ok(Fetched {
        source: String::new(),
        url,
        role: PageRole::Detail,
        status: 200,
        headers,
        body: rec.block.clone(),
        fetched_at,
        record_id,
        attachments: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ts(secs: i64) -> Timestamp {
        chrono::Utc
            .timestamp_opt(1_770_000_000 + secs, 123_456_000)
            .single()
            .unwrap_or_default()
    }

    struct Owned {
        source: String,
        role: PageRole,
        url: String,
        status: Option<u16>,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        at: Timestamp,
        error: Option<String>,
    }

    fn samples() -> Vec<Owned> {
        let (gbk, _, _) = encoding_rs::GBK.encode("<html><meta charset=gbk><p>某品牌儿童电动滑板车刹车失灵，消费者投诉至12315。</p></html>");
        let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let mut v = Vec::new();
        for i in 0..12 {
            let (body, ct) = match i % 4 {
                0 => (gbk.to_vec(), "text/html; charset=gbk"),
                1 => (binary.clone(), "image/png"),
                2 => (
                    "{\"items\":[{\"title\":\"移动电源召回公告\"}]}"
                        .as_bytes()
                        .to_vec(),
                    "application/json",
                ),
                _ => (
                    "<p>浙江省市场监管局：2026年第3批电热水壶抽检结果</p>\r\n\r\nWARC/1.1 in body"
                        .as_bytes()
                        .to_vec(),
                    "text/html; charset=utf-8",
                ),
            };
            v.push(Owned {
                source: format!("site-{}", i % 3),
                role: if i % 2 == 0 {
                    PageRole::Detail
                } else {
                    PageRole::Api
                },
                url: format!("http://127.0.0.1:8080/item/{i}?q=%E5%84%BF%E7%AB%A5"),
                status: Some(if i == 5 { 404 } else { 200 }),
                headers: vec![
                    ("content-type".into(), ct.into()),
                    ("etag".into(), format!("\"v{i}\"")),
                ],
                body,
                at: ts(i),
                error: None,
            });
        }
        v
    }

    fn write_all(w: &mut ArchiveWriter, items: &[Owned]) -> Vec<String> {
        let req = vec![("User-Agent".to_string(), "jiance-test/1".to_string())];
        items
            .iter()
            .map(|o| {
                w.write(&Exchange {
                    source: &o.source,
                    role: o.role,
                    url: &o.url,
                    request_headers: &req,
                    status: o.status,
                    response_headers: &o.headers,
                    body: &o.body,
                    fetched_at: o.at,
                    error: o.error.as_deref(),
                    render: false,
                })
                .unwrap_or_else(|e| panic!("write: {e}"))
            })
            .collect()
    }

    /// Everything the reader gives for `dir`: the responses, and the errors as messages.
    fn read_split(dir: &Path) -> (Vec<Fetched>, Vec<String>) {
        let mut oks = Vec::new();
        let mut errs = Vec::new();
        for r in read_dir(dir).unwrap() {
            match r {
                Ok(f) => oks.push(f),
                Err(e) => errs.push(e.to_string()),
            }
        }
        (oks, errs)
    }

    fn warc_files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"foob"), "MZXW6YQ=");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // Known digest of the empty string as WARC tools print it.
        assert_eq!(sha1_b32(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn round_trip_with_rotation_binary_and_gbk_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        let ids = {
            // Small rotation size: every few exchanges start a new file.
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            write_all(&mut w, &items)
        };
        let files = warc_files(dir.path());
        assert!(files.len() >= 3, "expected rotation, got {files:?}");
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                name.starts_with("jiance-") && name.ends_with(".warc.gz"),
                "{name}"
            );
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(got.len(), items.len());
        for ((g, o), id) in got.iter().zip(&items).zip(&ids) {
            assert_eq!(&g.record_id, id);
            assert_eq!(g.source, o.source);
            assert_eq!(g.role, o.role);
            assert_eq!(g.url, o.url);
            assert_eq!(Some(g.status), o.status);
            assert_eq!(g.body, o.body);
            assert_eq!(g.headers, o.headers);
            assert_eq!(g.fetched_at, o.at);
        }
    }

    #[test]
    fn each_record_is_its_own_gzip_member_with_digests() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        let mut w = ArchiveWriter::open(dir.path(), u64::MAX).unwrap();
        write_all(&mut w, &items[..2]);
        let raw = std::fs::read(w.current_path()).unwrap();
        // warcinfo + 2 × (request, response, metadata)
        let members = raw.windows(3).filter(|w| w == &[0x1f, 0x8b, 0x08]).count();
        assert!(members >= 7, "{members} members");
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
        assert_eq!(text.matches("WARC-Type: request").count(), 2);
        assert_eq!(text.matches("WARC-Type: metadata").count(), 2);
        assert!(text.contains(&format!(
            "WARC-Payload-Digest: {}",
            sha1_b32(&items[1].body)
        )));
        assert!(text.contains("Content-Type: application/http;msgtype=response"));
        assert!(text.contains("HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn failed_fetch_writes_request_and_metadata_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), u64::MAX).unwrap();
        let id = w
            .write(&Exchange {
                source: "s",
                role: PageRole::List,
                url: "http://127.0.0.1:1/list",
                request_headers: &[],
                status: None,
                response_headers: &[],
                body: &[],
                fetched_at: ts(0),
                error: Some("timeout"),
                render: false,
            })
            .unwrap();
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(File::open(w.current_path()).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(!text.contains("WARC-Type: response"));
        assert!(text.contains(&format!("WARC-Type: metadata\r\nWARC-Record-ID: {id}")));
        assert!(text.contains("error: timeout"));
        assert_eq!(read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn truncated_last_file_keeps_earlier_records_and_reports_offset() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        {
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            write_all(&mut w, &items);
        }
        let files = warc_files(dir.path());
        let last = files.last().unwrap();
        let len = std::fs::metadata(last).unwrap().len();
        let f = OpenOptions::new().write(true).open(last).unwrap();
        f.set_len(len - 20).unwrap();
        // A corrupt middle file: garbage appended after its good records.
        let mid = &files[0];
        let mut f = OpenOptions::new().append(true).open(mid).unwrap();
        f.write_all(&[0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7])
            .unwrap();

        let (oks, errs) = read_split(dir.path());
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].contains(&*mid.file_name().unwrap().to_string_lossy()),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].contains(&*last.file_name().unwrap().to_string_lossy()),
            "{}",
            errs[1]
        );
        assert!(errs[1].contains("offset"), "{}", errs[1]);
        // All but the exchange whose metadata or response was cut are intact; the cut one may
        // still come back (response intact, metadata lost) with default source.
        assert!(
            oks.len() >= items.len() - 1,
            "{} of {}",
            oks.len(),
            items.len()
        );
        for (g, o) in oks.iter().zip(&items).take(items.len() - 1) {
            assert_eq!(g.body, o.body);
            assert_eq!(g.source, o.source);
        }
    }

    /// Regression (issue 16, 5): a corrupt gzip member in the middle of a file stopped the read of
    /// the whole file. The reader now reports it once and resynchronises on the next member.
    #[test]
    fn a_corrupt_member_costs_only_its_own_records() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            write_all(&mut w, &items);
        }
        let files = warc_files(dir.path());
        assert_eq!(files.len(), 1);
        let mut raw = std::fs::read(&files[0]).unwrap();
        // the members, in order, and which hold responses; damage the sixth response
        let mut cur = io::Cursor::new(&raw[..]);
        let mut responses: Vec<(usize, usize)> = Vec::new();
        while (cur.position() as usize) < raw.len() {
            let start = cur.position() as usize;
            let mut text = Vec::new();
            flate2::bufread::GzDecoder::new(&mut cur)
                .read_to_end(&mut text)
                .unwrap();
            if String::from_utf8_lossy(&text).contains("WARC-Type: response") {
                responses.push((start, cur.position() as usize));
            }
        }
        assert_eq!(responses.len(), items.len());
        let (a, b) = responses[5];
        for x in &mut raw[a + 20..b - 12] {
            *x ^= 0x5a;
        }
        std::fs::write(&files[0], &raw).unwrap();

        let (oks, errs) = read_split(dir.path());
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains(&format!("offset {a}")), "{}", errs[0]);
        let want: Vec<&Owned> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 5)
            .map(|(_, o)| o)
            .collect();
        assert_eq!(oks.len(), want.len());
        for (g, o) in oks.iter().zip(&want) {
            assert_eq!(g.body, o.body);
            assert_eq!(g.source, o.source);
        }
    }

    /// A plain WARC with garbage between two records: one error, then the next record.
    #[test]
    fn a_plain_file_resynchronises_on_the_next_version_line() {
        let dir = tempfile::tempdir().unwrap();
        let rec = |uri: &str, body: &str| {
            let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{body}");
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
        };
        let text = format!(
            "{}garbage that is no record\r\nmore of it\r\n{}",
            rec("http://a.example/1", "<p>一</p>"),
            rec("http://a.example/2", "<p>二</p>")
        );
        std::fs::write(dir.path().join("x.warc"), text).unwrap();
        let results: Vec<_> = read_dir(dir.path()).unwrap().collect();
        let urls: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|f| f.url.as_str())
            .collect();
        assert_eq!(urls, ["http://a.example/1", "http://a.example/2"]);
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    }

    #[test]
    fn reads_plain_warc_from_another_tool_with_chunked_gzip_payload() {
        let dir = tempfile::tempdir().unwrap();
        let payload = "某地抽检：3批次儿童玩具邻苯二甲酸酯超标".as_bytes();
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(payload).unwrap();
        let gz = gz.finish().unwrap();
        let mut http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            gz.len()
        )
        .into_bytes();
        http.extend_from_slice(&gz);
        http.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut file = Vec::new();
        file.extend_from_slice(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n");
        file.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <http://example.test/a>\r\nWARC-Date: 2026-03-01T08:00:00Z\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
                http.len()
            )
            .as_bytes(),
        );
        file.extend_from_slice(&http);
        file.extend_from_slice(b"\r\n\r\n");
        std::fs::write(dir.path().join("other.warc"), &file).unwrap();
        let got: Vec<_> = read_dir(dir.path()).unwrap().collect();
        assert_eq!(got.len(), 1);
        let f = got[0].as_ref().unwrap();
        assert_eq!(f.url, "http://example.test/a");
        assert_eq!(f.source, "");
        assert_eq!(f.role, PageRole::Detail);
        assert_eq!(f.body, payload);
        assert_eq!(f.header("content-type"), Some("text/plain; charset=utf-8"));
    }

    #[test]
    fn open_never_appends_to_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = ArchiveWriter::open(dir.path(), u64::MAX)
            .unwrap()
            .current_path()
            .to_path_buf();
        let b = ArchiveWriter::open(dir.path(), u64::MAX)
            .unwrap()
            .current_path()
            .to_path_buf();
        assert_ne!(a, b);
        assert_eq!(warc_files(dir.path()).len(), 2);
    }

    /// The files are standard WARC: the Python `warcio` tool (the Internet Archive community's
    /// reader, installed by test.sh) reads every record back, checks block and payload digests,
    /// and sees the same bodies. Fails, never skips, when warcio is missing.
    /// A list page archived with `render`, then other pages, then its conversion: read back as
    /// one page with the rendered body in the response's place; a marked page whose rendering
    /// never came is read as it was, and a conversion without its response on its own.
    #[test]
    fn a_rendered_page_reads_back_once_as_the_browser_built_it() {
        let dir = tempfile::tempdir().unwrap();
        let html = [(
            "content-type".to_string(),
            "text/html; charset=gbk".to_string(),
        )];
        let page = |w: &mut ArchiveWriter, url: &str, body: &[u8], render: bool, at: i64| {
            w.write(&Exchange {
                source: "spa",
                role: PageRole::List,
                url,
                request_headers: &[],
                status: Some(200),
                response_headers: &html,
                body,
                fetched_at: ts(at),
                error: None,
                render,
            })
            .unwrap()
        };
        let convert = |w: &mut ArchiveWriter, url: &str, of: &str, body: &[u8]| {
            w.write_conversion(&Conversion {
                source: "spa",
                role: PageRole::List,
                url,
                refers_to: of,
                content_type: "text/html; charset=utf-8",
                body,
                made_at: ts(50),
                by: "chromium",
            })
            .unwrap()
        };
        let conv_id;
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            let raw = page(&mut w, "http://127.0.0.1:1/list", b"<ul></ul>", true, 1);
            page(
                &mut w,
                "http://127.0.0.1:1/other",
                b"<p>plain</p>",
                false,
                2,
            );
            page(
                &mut w,
                "http://127.0.0.1:1/never",
                b"<div id=app></div>",
                true,
                3,
            );
            conv_id = convert(
                &mut w,
                "http://127.0.0.1:1/list",
                &raw,
                "<ul><li>召回</li></ul>".as_bytes(),
            );
            convert(
                &mut w,
                "http://127.0.0.1:1/orphan",
                "<urn:uuid:gone>",
                b"<p>o</p>",
            );
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        let urls: Vec<&str> = got.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:1/other",
                "http://127.0.0.1:1/list",
                "http://127.0.0.1:1/orphan",
                "http://127.0.0.1:1/never"
            ]
        );
        let list = &got[1];
        assert_eq!(list.body, "<ul><li>召回</li></ul>".as_bytes());
        assert_eq!(list.record_id, conv_id);
        assert_eq!(
            (list.source.as_str(), list.role, list.status),
            ("spa", PageRole::List, 200)
        );
        assert_eq!(list.fetched_at, ts(1), "the page keeps its fetch time");
        assert_eq!(
            list.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(got[2].body, b"<p>o</p>");
        assert_eq!(
            (got[2].source.as_str(), got[2].role),
            ("spa", PageRole::List)
        );
        assert_eq!(got[3].body, b"<div id=app></div>");
    }

    /// A marked response is let go after [`RENDER_WINDOW`] records even if a conversion of it
    /// comes later (which then reads on its own): memory stays bounded.
    #[test]
    fn a_marked_response_waits_no_longer_than_the_window() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            let mut ex = Exchange {
                source: "spa",
                role: PageRole::Detail,
                url: "http://127.0.0.1:1/a",
                request_headers: &[],
                status: Some(200),
                response_headers: &[],
                body: b"raw",
                fetched_at: ts(0),
                error: None,
                render: true,
            };
            let raw = w.write(&ex).unwrap();
            ex.render = false;
            ex.body = b"other";
            for i in 0..RENDER_WINDOW + 5 {
                ex.url = if i % 2 == 0 {
                    "http://127.0.0.1:1/b"
                } else {
                    "http://127.0.0.1:1/c"
                };
                w.write(&ex).unwrap();
            }
            w.write_conversion(&Conversion {
                source: "spa",
                role: PageRole::Detail,
                url: "http://127.0.0.1:1/a",
                refers_to: &raw,
                content_type: "text/html; charset=utf-8",
                body: b"dom",
                made_at: ts(9),
                by: "chromium",
            })
            .unwrap();
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        let pos = |body: &[u8]| got.iter().position(|f| f.body == body).unwrap();
        assert_eq!(
            pos(b"raw") as u64,
            RENDER_WINDOW,
            "released after the window"
        );
        assert_eq!(pos(b"dom"), got.len() - 1);
    }

    #[test]
    fn warcio_reads_our_files_with_digests_checked() {
        use sha1::{Digest, Sha1};
        let dir = tempfile::tempdir().unwrap();
        let mut items = samples();
        items.push(Owned {
            source: "site-x".into(),
            role: PageRole::Detail,
            url: "http://127.0.0.1:8080/slow".into(),
            status: None,
            headers: vec![],
            body: vec![],
            at: ts(99),
            error: Some("timeout".into()),
        });
        let dom = "<html><body><ul><li>电动自行车召回</li></ul></body></html>".as_bytes();
        {
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            let ids = write_all(&mut w, &items);
            w.write_conversion(&Conversion {
                source: "site-0",
                role: PageRole::Detail,
                url: &items[0].url,
                refers_to: &ids[0],
                content_type: "text/html; charset=utf-8",
                body: dom,
                made_at: ts(100),
                by: "chromium",
            })
            .unwrap();
        }
        let script = r#"
import sys, hashlib
from warcio.archiveiterator import ArchiveIterator
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        for rec in ArchiveIterator(f, check_digests='raise'):
            body = rec.content_stream().read()
            status = rec.http_headers.get_statuscode() if rec.http_headers else '-'
            print(rec.rec_type, rec.rec_headers.get_header('WARC-Target-URI'), status, hashlib.sha1(body).hexdigest(), sep='\t')
"#;
        let files = warc_files(dir.path());
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(&files)
            .output()
            .expect("python3 must be installed (test.sh installs warcio)");
        assert!(
            out.status.success(),
            "warcio failed (test.sh installs it with pip install warcio): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        let count = |t: &str| rows.iter().filter(|r| r[0] == t).count();
        assert_eq!(count("request"), items.len());
        assert_eq!(count("response"), items.len() - 1);
        assert_eq!(count("metadata"), items.len() + 1);
        let conversions: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "conversion").collect();
        assert_eq!(conversions.len(), 1);
        assert_eq!(conversions[0][1], items[0].url);
        let want: String = Sha1::digest(dom)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(conversions[0][3], want);
        let responses: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "response").collect();
        for (r, o) in responses
            .iter()
            .zip(items.iter().filter(|o| o.status.is_some()))
        {
            assert_eq!(r[1], o.url);
            assert_eq!(r[2], o.status.unwrap().to_string());
            let want: String = Sha1::digest(&o.body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(r[3], want, "payload of {}", o.url);
        }
    }
}
