//! Dictionary snapshots (jiance patch): a built [`Jieba`] written as bytes and used again in
//! place, without rebuilding or copying it.
//!
//! Building the default dictionary decompresses and parses 349 k lines and inserts every word
//! into the trie: most of a short-lived process's start. A snapshot holds the built state
//! itself: records, log frequencies, tags and the trie's tables, each array at a 16-byte
//! boundary in the layout it has in memory (little-endian). Read from a memory map, the arrays
//! stay where they are ([`crate::store::Arr`]): a process pays only for the pages it touches.
//!
//! Layout: `MAGIC | total, records, tags, tag bytes (u64 each) | tags (u32 length + UTF-8 each)
//! | pad | records (16 bytes each) | pad | log frequencies (f64) | pad | trie` (the trie's part
//! is in `trie.rs`).
//!
//! The reader checks the header, every count and the tags, and that each array lies within the
//! bytes and is aligned; it does not read the arrays themselves (that would touch every page).
//! Nothing in them can make the dictionary panic or loop instead: trie probes are bounded, the
//! trie reports no word id beyond the records, and a record's tag is looked up with a fallback.
//! So a damaged snapshot is refused or gives a dictionary that is wrong. It does not detect
//! damage inside the arrays: a caller that stores snapshots should add a checksum of its own.

use std::sync::Arc;

use crate::store::{Aligned, Arr, SnapshotBytes};
use crate::trie::CharTrie;
use crate::{Error, FxHashMap, Jieba, Record};

/// First bytes of every snapshot; the number is bumped when the layout changes.
const MAGIC: &[u8; 32] = b"jieba-rs dictionary snapshot 2\n\0";

/// Every array starts at a multiple of this many bytes from the snapshot's start.
pub(crate) const ALIGN: usize = 16;

impl Jieba {
    /// The built dictionary as bytes, for [`Jieba::from_snapshot`]. Refused for an instance with
    /// a custom HMM model, which a snapshot does not hold.
    pub fn to_snapshot(&self) -> Result<Vec<u8>, Error> {
        if self.hmm_model.is_some() {
            return Err(Error::InvalidSnapshot(
                "an instance with a custom HMM model cannot be snapshotted".into(),
            ));
        }
        let mut tags = Vec::new();
        for t in &self.tags {
            put_u32(&mut tags, t.len() as u32);
            tags.extend_from_slice(t.as_bytes());
        }
        let mut out = Vec::with_capacity(self.records.len() * 64);
        out.extend_from_slice(MAGIC);
        put_u64(&mut out, self.total as u64);
        put_u64(&mut out, self.records.len() as u64);
        put_u64(&mut out, self.tags.len() as u64);
        put_u64(&mut out, tags.len() as u64);
        out.extend_from_slice(&tags);
        put_array(&mut out, &self.records);
        put_array(&mut out, &self.log_freqs);
        self.trie.write_snapshot(&mut out);
        Ok(out)
    }

    /// The dictionary a [`Jieba::to_snapshot`] wrote: the same words, frequencies, tags and
    /// total, so it segments exactly as the instance that wrote it (with the default HMM model).
    /// The bytes are copied once; [`Jieba::from_snapshot_in`] uses them in place.
    pub fn from_snapshot(bytes: &[u8]) -> Result<Jieba, Error> {
        let owned: SnapshotBytes = Arc::new(Aligned::copy_of(bytes));
        Self::from_snapshot_in(&owned, 0)
    }

    /// The dictionary of the snapshot that starts at byte `start` of `bytes` and runs to their
    /// end, its arrays used where they are (copied only when the dictionary is changed). `start`
    /// must fall on a 16-byte boundary in memory (a memory map's start plus a multiple of 16).
    /// This reads the header and the tags only: the arrays' pages are read as they are used.
    pub fn from_snapshot_in(bytes: &SnapshotBytes, start: usize) -> Result<Jieba, Error> {
        let whole: &[u8] = (**bytes).as_ref();
        let mut r = Cursor {
            bytes,
            at: start,
            base: start,
            end: whole.len(),
        };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(bad("not a jieba-rs dictionary snapshot of this version"));
        }
        let total = r.usize()?;
        let n = r.usize()?;
        let n_tags = r.usize()?;
        let tag_bytes = r.usize()?;
        let mut tag_reader = Cursor {
            bytes,
            at: r.at,
            base: r.at,
            end: r.at.checked_add(tag_bytes).filter(|&e| e <= r.end).ok_or_else(|| bad("truncated"))?,
        };
        r.at = tag_reader.end;
        let mut tags: Vec<Box<str>> = Vec::with_capacity(n_tags.min(1 << 16));
        let mut tag_ids = FxHashMap::default();
        for id in 0..n_tags {
            let len = tag_reader.u32()? as usize;
            let tag = std::str::from_utf8(tag_reader.take(len)?).map_err(|_| bad("a tag is not UTF-8"))?;
            tag_ids.insert(Box::from(tag), u32::try_from(id).map_err(|_| bad("too many tags"))?);
            tags.push(tag.into());
        }
        if tag_reader.at != tag_reader.end {
            return Err(bad("bytes left after the tags"));
        }
        let records: Arr<Record> = r.array(n, "records")?;
        let log_freqs: Arr<f64> = r.array(n, "log frequencies")?;
        let trie = CharTrie::read_snapshot(&mut r, n)?;
        if r.at != r.end {
            return Err(bad("bytes left after the trie"));
        }
        Ok(Jieba {
            records,
            log_freqs,
            tags,
            tag_ids,
            trie,
            total,
            log_total: (total as f64).ln(),
            hmm_model: None,
        })
    }

    /// Whether this dictionary still uses a snapshot's bytes in place (it has not been changed
    /// since it was read).
    pub fn is_in_place(&self) -> bool {
        self.records.is_mapped()
    }
}

fn bad(why: &str) -> Error {
    Error::InvalidSnapshot(why.to_string())
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Zeros up to the next [`ALIGN`] boundary, then `items` as they are in memory (little-endian
/// machines; a big-endian one writes snapshots no machine reads in place, and the reader
/// refuses them).
pub(crate) fn put_array<T: bytemuck::Pod>(out: &mut Vec<u8>, items: &[T]) {
    out.resize(out.len().next_multiple_of(ALIGN), 0);
    out.extend_from_slice(bytemuck::cast_slice(items));
}

/// A position in a snapshot's bytes, from its start `base` to `end`.
pub(crate) struct Cursor<'a> {
    bytes: &'a SnapshotBytes,
    at: usize,
    base: usize,
    end: usize,
}

impl Cursor<'_> {
    fn take(&mut self, len: usize) -> Result<&[u8], Error> {
        let end = self.at.checked_add(len).filter(|&e| e <= self.end).ok_or_else(|| bad("truncated"))?;
        let whole: &[u8] = (**self.bytes).as_ref();
        let got = &whole[self.at..end];
        self.at = end;
        Ok(got)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    pub(crate) fn usize(&mut self) -> Result<usize, Error> {
        usize::try_from(self.u64()?).map_err(|_| bad("a count does not fit this machine"))
    }

    /// `n` items of `T` at the next [`ALIGN`] boundary, in place.
    pub(crate) fn array<T: bytemuck::Pod>(&mut self, n: usize, what: &str) -> Result<Arr<T>, Error> {
        if cfg!(target_endian = "big") {
            return Err(bad("snapshots are read on little-endian machines only"));
        }
        let start = self.base + (self.at - self.base).next_multiple_of(ALIGN);
        let len = n.checked_mul(size_of::<T>()).ok_or_else(|| bad("a count out of range"))?;
        if start.checked_add(len).is_none_or(|e| e > self.end) {
            return Err(Error::InvalidSnapshot(format!("truncated in the {what}")));
        }
        let arr = Arr::mapped(self.bytes, start, n)
            .ok_or_else(|| Error::InvalidSnapshot(format!("the {what} are not aligned in memory")))?;
        self.at = start + len;
        Ok(arr)
    }
}

// Tested from jiance (`src/analyze/tokcache.rs`): the crate's own test module needs files this
// copy leaves out.
