//! The archive reader: any standard WARC file, gzipped per record or plain, with our metadata
//! and renderings put back on their responses.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::model::{Fetched, PageRole, Timestamp};

use super::ArchiveError;

/// Reads every WARC file (`*.warc`, `*.warc.gz`) in `dir` and its subdirectories, in path order:
/// the archives of several fetch workers gathered under one directory read as one.
pub fn read_dir(dir: &Path) -> io::Result<ArchiveReader> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if (name.ends_with(".warc") || name.ends_with(".warc.gz")) && path.is_file() {
                files.push(path);
            }
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
        let content_type = conv
            .header("content-type")
            .unwrap_or("text/html")
            .to_string();
        page.rendered(conv.body, content_type, conv.record_id);
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
    /// The gzip member being read, kept between members: grown from empty for every member, it
    /// cost reallocations and a probing read each (4 % of a rerun's reader thread).
    member: Vec<u8>,
}

/// Largest member buffer kept from one gzip member to the next.
const KEPT_MEMBER: usize = 1 << 20;

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
            member: Vec::new(),
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
            let mut member = std::mem::take(&mut self.member);
            member.clear();
            let dec = flate2::bufread::GzDecoder::new(&mut self.reader);
            let read = dec.take(MAX_RECORD).read_to_end(&mut member);
            let queued = match read {
                Ok(_) => self.records_of(offset, &member),
                Err(e) => {
                    let err = self.corrupt(offset, format!("bad gzip member: {e}"));
                    self.resync(offset + 1, GZIP_MAGIC);
                    Err(err)
                }
            };
            // a record of megabytes does not keep its buffer for the rest of the file
            if member.capacity() <= KEPT_MEMBER {
                self.member = member;
            }
            if let Err(e) = queued {
                return Some(Err(e));
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

    /// Queue the records of one decompressed gzip member that starts at `offset`.
    fn records_of(&mut self, offset: u64, member: &[u8]) -> Result<(), ArchiveError> {
        let mut cur = io::Cursor::new(member);
        loop {
            match cur.fill_buf() {
                Ok([]) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(self.corrupt(offset, e.to_string())),
            }
            match read_record(&mut cur) {
                Ok(Some(r)) => self.queued.push_back((offset, r)),
                Ok(None) => return Ok(()),
                // the member's framing held: the next member is where the reader stands
                Err(msg) => return Err(self.corrupt(offset, msg)),
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
            Some((k, v)) => headers.push((k.trim().to_string(), one_line(v))),
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

/// A header name or value as the writer would write it again: trimmed, a CR left inside it (a line
/// ends at LF) read as the space the writer makes of it, so a page read, archived again and
/// read back is the same page (the fuzzer's round trip found a URL with a bare CR).
fn one_line(v: &str) -> String {
    v.trim().replace('\r', " ")
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
            headers.push((one_line(k).to_ascii_lowercase(), one_line(v)));
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
            Some(("source", v)) => f.source = one_line(v),
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
