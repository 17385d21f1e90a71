//! Checks a Parquet file before it is decoded, so a damaged file is refused by name instead
//! of crashing the process.
//!
//! A Parquet reader trusts what a file says about itself. Most lies end in an error or a panic
//! (caught here), but a page header whose value count or page size is negative — one flipped bit
//! on disk, found by the fuzzer — made the reader we used before (polars) reserve 2^61 bytes, and
//! a failed allocation aborts the process where no `catch_unwind` reaches. So before any page is
//! decoded this module reads the frame (`PAR1` at both ends, a footer that fits), the footer
//! (under `catch_unwind`), and then walks every page header of every column chunk with a small
//! reader of Thrift's compact protocol: each header must parse, its sizes and counts must be
//! non-negative and bounded, its page must lie inside its column chunk, a chunk's data pages must
//! hold the values its metadata promises, and a flat column as many values as its row group has
//! rows. What is left after that (a damaged compressed payload, a bad run length inside a page)
//! is bounded by those sizes and counts; the columns are then decoded once under `catch_unwind`
//! (each column's rows checked against the footer), so such damage ends in an error naming the
//! file, and what was decoded is what the caller uses.

use std::ops::Range;
use std::path::Path;

use bytes::{Buf, Bytes};
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};

use super::columnar::{ReadTable, read_signal_parquet};

/// A page larger than this is not one our writer (or any sane writer) makes; a reader would
/// allocate its uncompressed size in one piece.
const MAX_PAGE_BYTES: i64 = 1 << 30;
/// How deep Thrift structs may nest in a page header (statistics inside a data page header is
/// depth 2; the bound keeps a damaged header from recursing without end).
const MAX_DEPTH: u32 = 16;

/// `columns` of the rows of row groups `groups` (all when `None`; see [`read_signal_parquet`],
/// also for `presence`),
/// decoded once after every check; or why the file is refused, in words for the operator (the
/// caller names the file). Every page header of those row groups is checked, whatever columns
/// are decoded. A whole file is read at once; a range of row groups reads the footer and those
/// row groups' bytes alone (a piece of a large file, `super::signal_read`).
pub(crate) fn check_parquet_columns(
    path: &Path,
    columns: &[&str],
    presence: &[&str],
    groups: Option<Range<usize>>,
) -> Result<ReadTable, String> {
    match groups {
        None => {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
            check_frame(&bytes)?;
            check_and_decode(Bytes::from(bytes), columns, presence, None)
        }
        Some(groups) => {
            let parts = Parts::footer(path)?;
            let reader = read_footer(parts.clone())?;
            let meta = reader.metadata();
            if groups.end > meta.num_row_groups() || groups.start >= groups.end {
                return Err(format!(
                    "damaged Parquet file (row groups {groups:?} of {})",
                    meta.num_row_groups()
                ));
            }
            let (mut lo, mut hi) = (u64::MAX, 0u64);
            for g in groups.clone() {
                for c in meta.row_group(g).columns() {
                    let (start, len) = c.byte_range();
                    lo = lo.min(start);
                    hi = hi.max(start.saturating_add(len));
                }
            }
            let parts = parts.with_region(path, lo, hi)?;
            check_and_decode(parts, columns, presence, Some(groups))
        }
    }
}

/// Every page header of the row groups checked, then the columns decoded.
fn check_and_decode<R: ChunkReader + Clone + 'static>(
    source: R,
    columns: &[&str],
    presence: &[&str],
    groups: Option<Range<usize>>,
) -> Result<ReadTable, String> {
    let reader = read_footer(source.clone())?;
    let groups = groups.unwrap_or(0..reader.metadata().num_row_groups());
    let footer = chunks(&reader);
    for g in groups.clone() {
        let Some((rows, group)) = footer.get(g) else {
            continue;
        };
        for (c, chunk) in group.iter().enumerate() {
            check_chunk(&source, chunk)
                .and_then(|()| {
                    if chunk.flat && chunk.values != *rows as i64 {
                        return Err(format!(
                            "{} values in a row group of {rows} rows",
                            chunk.values
                        ));
                    }
                    Ok(())
                })
                .map_err(|e| {
                    format!(
                        "damaged Parquet file (row group {g}, column {c}: {e}); remove it or rerun \
                     scoring to rewrite it"
                    )
                })?;
        }
    }
    decode(&reader, columns, presence, groups)
}

/// The row groups of a Parquet file as a reader would split it: the row counts of its row
/// groups, or `None` when the file cannot be read that far (the read of the whole file then
/// says why).
pub(crate) fn row_groups(path: &Path) -> Option<Vec<usize>> {
    let parts = Parts::footer(path).ok()?;
    let reader = read_footer(parts).ok()?;
    Some(
        reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
            .collect(),
    )
}

/// The parts of a file a piece reads, by offset: its footer, and then the bytes of its row
/// groups, read with `pread` (the rest of the file is never read).
#[derive(Clone)]
struct Parts {
    len: u64,
    parts: Vec<(u64, Bytes)>,
}

impl Parts {
    /// The footer (and the frame around it, checked).
    fn footer(path: &Path) -> Result<Parts, String> {
        use std::os::unix::fs::FileExt;
        let io = |e: std::io::Error| format!("cannot read: {e}");
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let cut =
            || "not a Parquet file (damaged or cut off); remove it or rerun scoring to rewrite it";
        if len < 12 {
            return Err("not a Parquet file (too short: damaged or cut off)".into());
        }
        let (mut head, mut tail) = ([0u8; 4], [0u8; 8]);
        file.read_exact_at(&mut head, 0).map_err(io)?;
        file.read_exact_at(&mut tail, len - 8).map_err(io)?;
        let footer = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        if &head != b"PAR1" || &tail[4..] != b"PAR1" || footer + 12 > len {
            return Err(cut().into());
        }
        let start = len - 8 - footer;
        let mut bytes = vec![0u8; (footer + 8) as usize];
        file.read_exact_at(&mut bytes, start).map_err(io)?;
        Ok(Parts {
            len,
            parts: vec![(start, Bytes::from(bytes))],
        })
    }

    /// These parts and the bytes `lo..hi`.
    fn with_region(mut self, path: &Path, lo: u64, hi: u64) -> Result<Parts, String> {
        use std::os::unix::fs::FileExt;
        if lo > hi || hi > self.len {
            return Err(format!(
                "damaged Parquet file (column chunks at bytes {lo}..{hi} of a file of {} bytes)",
                self.len
            ));
        }
        let io = |e: std::io::Error| format!("cannot read: {e}");
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = vec![0u8; (hi - lo) as usize];
        file.read_exact_at(&mut bytes, lo).map_err(io)?;
        self.parts.push((lo, Bytes::from(bytes)));
        Ok(self)
    }

    /// The part holding `start .. start + len`, from `start` on.
    fn find(&self, start: u64, len: usize) -> parquet::errors::Result<Bytes> {
        self.parts
            .iter()
            .find(|(at, b)| start >= *at && start - at + len as u64 <= b.len() as u64)
            .map(|(at, b)| b.slice((start - at) as usize..))
            .ok_or_else(|| {
                parquet::errors::ParquetError::EOF(format!(
                    "bytes {start}..+{len} outside what was read of the file"
                ))
            })
    }
}

impl Length for Parts {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Parts {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(self.find(start, 0)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        Ok(self.find(start, length)?.slice(..length))
    }
}

/// The columns decoded, on this thread: with sizes and counts checked, what damage is left (a
/// bad run inside a page, a damaged compressed payload) is bounded by them and ends in an error
/// or, should the reader panic on it, in one caught here; either way the file is named.
fn decode<R: ChunkReader + 'static>(
    reader: &SerializedFileReader<R>,
    columns: &[&str],
    presence: &[&str],
    groups: Range<usize>,
) -> Result<ReadTable, String> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_signal_parquet(reader, columns, presence, groups)
    }));
    match read {
        Ok(Ok(table)) => Ok(table),
        Ok(Err(e)) if e.starts_with("damaged") => {
            Err(format!("{e}; remove it or rerun scoring to rewrite it"))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(
            "damaged Parquet file (the reader gave up); remove it or rerun scoring to rewrite it"
                .into(),
        ),
    }
}

fn check_frame(bytes: &[u8]) -> Result<(), String> {
    let len = bytes.len();
    if len < 12 {
        return Err("not a Parquet file (too short: damaged or cut off)".into());
    }
    let tail = &bytes[len - 8..];
    let footer = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if &bytes[..4] != b"PAR1" || &tail[4..] != b"PAR1" || footer + 12 > len as u64 {
        return Err(
            "not a Parquet file (damaged or cut off); remove it or rerun scoring to rewrite it"
                .into(),
        );
    }
    Ok(())
}

/// What the footer says of one column chunk.
struct Chunk {
    start: u64,
    end: u64,
    values: i64,
    /// Not nested: one value (or null) per row.
    flat: bool,
}

/// The footer, read on this thread under `catch_unwind`: a damaged footer must end in an error
/// naming the file whatever the Thrift decoder does with it.
fn read_footer<R: ChunkReader + 'static>(bytes: R) -> Result<SerializedFileReader<R>, String> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        SerializedFileReader::new(bytes)
    }));
    match read {
        Ok(Ok(reader)) => Ok(reader),
        Ok(Err(e)) => Err(format!(
            "damaged Parquet footer ({e}); remove it or rerun scoring to rewrite it"
        )),
        Err(_) => Err(
            "damaged Parquet footer (the reader gave up); remove it or rerun scoring to rewrite it"
                .into(),
        ),
    }
}

/// What the footer says of each row group: its rows and its column chunks.
fn chunks<R: ChunkReader + 'static>(reader: &SerializedFileReader<R>) -> Vec<(usize, Vec<Chunk>)> {
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|group| {
            let chunks = group
                .columns()
                .iter()
                .map(|c| {
                    let (start, len) = c.byte_range();
                    Chunk {
                        start,
                        end: start.saturating_add(len),
                        values: c.num_values(),
                        flat: c.column_descr().max_rep_level() == 0,
                    }
                })
                .collect();
            (usize::try_from(group.num_rows()).unwrap_or(0), chunks)
        })
        .collect()
}

/// Walks the pages of one column chunk.
fn check_chunk<R: ChunkReader>(source: &R, chunk: &Chunk) -> Result<(), String> {
    if chunk.start > chunk.end || chunk.end > source.len() {
        return Err(format!(
            "column chunk at bytes {}..{} lies outside the file of {} bytes",
            chunk.start,
            chunk.end,
            source.len()
        ));
    }
    if chunk.values < 0 {
        return Err(format!("column chunk holds {} values", chunk.values));
    }
    let base = chunk.start as usize;
    let bytes = source
        .get_bytes(chunk.start, (chunk.end - chunk.start) as usize)
        .map_err(|e| e.to_string())?;
    let (start, end) = (0usize, bytes.len());
    let mut at = start;
    let mut values = 0i64;
    while at < end {
        let mut reader = Compact::new(&bytes[at..end]);
        let header =
            page_header(&mut reader).map_err(|e| format!("page at byte {}: {e}", base + at))?;
        header
            .check()
            .map_err(|e| format!("page at byte {}: {e}", base + at))?;
        let body = reader.pos + header.compressed as usize;
        if body > end - at {
            return Err(format!(
                "page at byte {} runs {} bytes past its column chunk",
                base + at,
                body - (end - at)
            ));
        }
        if header.data {
            values = values.saturating_add(i64::from(header.values));
        }
        at += body;
    }
    if values != chunk.values {
        return Err(format!(
            "data pages hold {values} values, the footer says {}",
            chunk.values
        ));
    }
    Ok(())
}

/// The fields of a page header that size what a reader allocates.
#[derive(Debug, Default)]
struct PageHeader {
    uncompressed: i32,
    compressed: i32,
    /// Values of a data page (v1 or v2) or entries of a dictionary page.
    values: i32,
    /// Nulls and rows of a v2 data page.
    nulls: i32,
    rows: i32,
    /// Level byte lengths of a v2 data page.
    levels: i64,
    /// A data page (v1 or v2), whose values count towards the chunk's.
    data: bool,
}

impl PageHeader {
    fn check(&self) -> Result<(), String> {
        let sizes = [
            ("compressed size", i64::from(self.compressed)),
            ("uncompressed size", i64::from(self.uncompressed)),
        ];
        for (what, n) in sizes {
            if !(0..=MAX_PAGE_BYTES).contains(&n) {
                return Err(format!("{what} {n}"));
            }
        }
        for (what, n) in [
            ("value count", self.values),
            ("null count", self.nulls),
            ("row count", self.rows),
        ] {
            if n < 0 {
                return Err(format!("{what} {n}"));
            }
        }
        if self.nulls > self.values {
            return Err(format!("{} nulls among {} values", self.nulls, self.values));
        }
        if self.levels < 0 || self.levels > i64::from(self.compressed) {
            return Err(format!(
                "level bytes {} in a page of {} bytes",
                self.levels, self.compressed
            ));
        }
        Ok(())
    }
}

/// Reads a `PageHeader` struct (parquet.thrift): 2 uncompressed_page_size, 3
/// compressed_page_size, 5 data_page_header, 7 dictionary_page_header, 8 data_page_header_v2;
/// every other field is skipped by type.
fn page_header(r: &mut Compact) -> Result<PageHeader, String> {
    let mut h = PageHeader::default();
    let (mut has_uncompressed, mut has_compressed) = (false, false);
    let mut last = 0i16;
    while let Some((id, kind)) = r.field(&mut last)? {
        match (id, kind) {
            (2, I32) => {
                h.uncompressed = r.i32()?;
                has_uncompressed = true;
            }
            (3, I32) => {
                h.compressed = r.i32()?;
                has_compressed = true;
            }
            // a v1 data page and a dictionary page both count their values in field 1
            (5 | 7, STRUCT) => {
                h.data = id == 5;
                h.values = r.nested(|r| {
                    let mut last = 0i16;
                    let mut values = 0;
                    while let Some((id, kind)) = r.field(&mut last)? {
                        match (id, kind) {
                            (1, I32) => values = r.i32()?,
                            _ => r.skip(kind)?,
                        }
                    }
                    Ok(values)
                })?;
            }
            (8, STRUCT) => {
                h.data = true;
                r.nested(|r| {
                    let mut last = 0i16;
                    let mut levels = 0i64;
                    while let Some((id, kind)) = r.field(&mut last)? {
                        match (id, kind) {
                            (1, I32) => h.values = r.i32()?,
                            (2, I32) => h.nulls = r.i32()?,
                            (3, I32) => h.rows = r.i32()?,
                            (5 | 6, I32) => {
                                let n = i64::from(r.i32()?);
                                if n < 0 {
                                    return Err(format!("level byte length {n}"));
                                }
                                levels += n;
                            }
                            _ => r.skip(kind)?,
                        }
                    }
                    h.levels = levels;
                    Ok(())
                })?;
            }
            _ => r.skip(kind)?,
        }
    }
    if !has_uncompressed || !has_compressed {
        return Err("page header without its sizes".into());
    }
    Ok(h)
}

// Thrift compact protocol type ids.
const BOOL_TRUE: u8 = 1;
const BOOL_FALSE: u8 = 2;
const BYTE: u8 = 3;
const I16: u8 = 4;
const I32: u8 = 5;
const I64: u8 = 6;
const DOUBLE: u8 = 7;
const BINARY: u8 = 8;
const LIST: u8 = 9;
const SET: u8 = 10;
const MAP: u8 = 11;
const STRUCT: u8 = 12;

/// A reader of Thrift's compact protocol over a byte slice: only what a page header needs, and
/// every read bounded by the slice.
struct Compact<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> Compact<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Compact {
            bytes,
            pos: 0,
            depth: 0,
        }
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or("page header cut off by the end of its column chunk")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err("varint longer than 64 bits".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let n = self.varint()?;
        Ok((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    fn i32(&mut self) -> Result<i32, String> {
        let n = self.zigzag()?;
        i32::try_from(n).map_err(|_| format!("i32 field holds {n}"))
    }

    /// The next field's id and type, or `None` at the struct's end.
    fn field(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>, String> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let kind = b & 0x0f;
        let delta = i16::from(b >> 4);
        let id = if delta == 0 {
            let n = self.zigzag()?;
            i16::try_from(n).map_err(|_| format!("field id {n}"))?
        } else {
            last.checked_add(delta).ok_or("field id overflow")?
        };
        *last = id;
        Ok(Some((id, kind)))
    }

    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.depth >= MAX_DEPTH {
            return Err("page header nested too deep".into());
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }

    fn skip_bytes(&mut self, n: u64) -> Result<(), String> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err("page header cut off by the end of its column chunk".into());
        }
        self.pos += n as usize;
        Ok(())
    }

    fn skip(&mut self, kind: u8) -> Result<(), String> {
        match kind {
            BOOL_TRUE | BOOL_FALSE => Ok(()),
            BYTE => self.skip_bytes(1),
            I16 | I32 | I64 => self.varint().map(|_| ()),
            DOUBLE => self.skip_bytes(8),
            BINARY => {
                let n = self.varint()?;
                self.skip_bytes(n)
            }
            LIST | SET => {
                let head = self.byte()?;
                let elem = head & 0x0f;
                let n = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                self.elements(n, elem)
            }
            MAP => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let kinds = self.byte()?;
                self.nested(|r| {
                    for _ in 0..n {
                        r.skip_element(kinds >> 4)?;
                        r.skip_element(kinds & 0x0f)?;
                    }
                    Ok(())
                })
            }
            STRUCT => self.nested(|r| {
                let mut last = 0i16;
                while let Some((_, kind)) = r.field(&mut last)? {
                    r.skip(kind)?;
                }
                Ok(())
            }),
            other => Err(format!("unknown Thrift type {other}")),
        }
    }

    /// A list's elements; each takes at least a byte, so a damaged count ends at the slice's end.
    fn elements(&mut self, n: u64, elem: u8) -> Result<(), String> {
        self.nested(|r| {
            for _ in 0..n {
                r.skip_element(elem)?;
            }
            Ok(())
        })
    }

    /// Inside a collection, a boolean takes a byte of its own.
    fn skip_element(&mut self, kind: u8) -> Result<(), String> {
        match kind {
            BOOL_TRUE | BOOL_FALSE => self.skip_bytes(1),
            _ => self.skip(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zigzag(n: i64) -> Vec<u8> {
        let mut v = ((n << 1) ^ (n >> 63)) as u64;
        let mut out = Vec::new();
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    /// A v1 data page header: type 0, sizes, then a data page header with `values`.
    fn header(uncompressed: i64, compressed: i64, values: i64) -> Vec<u8> {
        let mut h = vec![0x15];
        h.extend(zigzag(0));
        h.push(0x15);
        h.extend(zigzag(uncompressed));
        h.push(0x15);
        h.extend(zigzag(compressed));
        h.push(0x2c); // field 5 (delta 2), struct
        h.push(0x15);
        h.extend(zigzag(values));
        h.push(0x15); // encoding
        h.extend(zigzag(0));
        h.push(0x00);
        h.push(0x00);
        h
    }

    #[test]
    fn a_sound_header_is_read() {
        let h = header(100, 60, 7);
        let mut r = Compact::new(&h);
        let p = page_header(&mut r).unwrap();
        assert_eq!((p.uncompressed, p.compressed, p.values), (100, 60, 7));
        assert!(p.data);
        assert_eq!(r.pos, h.len());
        assert!(p.check().is_ok());
    }

    #[test]
    fn negative_counts_and_sizes_are_refused() {
        for (u, c, v) in [
            (100, 60, -7),
            (-1, 60, 7),
            (100, -60, 7),
            (i64::from(i32::MAX), 60, 7),
        ] {
            let h = header(u, c, v);
            let p = page_header(&mut Compact::new(&h)).unwrap();
            assert!(p.check().is_err(), "{u} {c} {v}");
        }
    }

    #[test]
    fn a_cut_or_looping_header_ends_in_an_error() {
        let h = header(100, 60, 7);
        for cut in 0..h.len() - 1 {
            assert!(page_header(&mut Compact::new(&h[..cut])).is_err(), "{cut}");
        }
        // structs nested without end
        let deep = vec![0x1c; 1000];
        assert!(page_header(&mut Compact::new(&deep)).is_err());
        // a list claiming a billion elements in four bytes
        let mut list = vec![0x19, 0xf5];
        list.extend(zigzag(1_000_000_000));
        assert!(page_header(&mut Compact::new(&list)).is_err());
    }
}
