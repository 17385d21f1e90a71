//! Dictionary snapshots (jiance patch): a built [`Jieba`] written as bytes and read back
//! without rebuilding it.
//!
//! Building the default dictionary decompresses and parses 349 k lines and inserts every word
//! into the trie: most of a short-lived process's start. A snapshot holds the built state
//! itself (records, their log frequencies, tags and the trie's table), so reading one is a
//! sequential pass over about 23 MB, a piece at a time.
//!
//! The reader checks every length, index and id against the rest of the snapshot, so a
//! damaged snapshot is refused or gives a dictionary that is wrong but never panics or loops.
//! It does not detect every damage (a flipped frequency reads as another frequency): a caller
//! that stores snapshots should add a checksum of its own.

use std::io::Read;

use crate::trie::CharTrie;
use crate::{Error, FxHashMap, Jieba, Record};

/// First bytes of every snapshot; the number is bumped when the layout changes.
const MAGIC: &[u8] = b"jieba-rs dictionary snapshot 1\n";

impl Jieba {
    /// The built dictionary as bytes, for [`Jieba::from_snapshot`]. Refused for an instance with
    /// a custom HMM model, which a snapshot does not hold.
    pub fn to_snapshot(&self) -> Result<Vec<u8>, Error> {
        if self.hmm_model.is_some() {
            return Err(Error::InvalidSnapshot(
                "an instance with a custom HMM model cannot be snapshotted".into(),
            ));
        }
        let mut out = Vec::with_capacity(self.records.len() * 64);
        out.extend_from_slice(MAGIC);
        put_u64(&mut out, self.total as u64);
        put_u64(&mut out, self.records.len() as u64);
        for r in &self.records {
            put_u64(&mut out, r.freq as u64);
            put_u32(&mut out, r.tag);
        }
        for f in &self.log_freqs {
            put_u64(&mut out, f.to_bits());
        }
        put_u32(&mut out, self.tags.len() as u32);
        for t in &self.tags {
            put_u32(&mut out, t.len() as u32);
            out.extend_from_slice(t.as_bytes());
        }
        self.trie.write_snapshot(&mut out);
        Ok(out)
    }

    /// The dictionary a [`Jieba::to_snapshot`] wrote: the same words, frequencies, tags and
    /// total, so it segments exactly as the instance that wrote it (with the default HMM model).
    pub fn from_snapshot(bytes: &[u8]) -> Result<Jieba, Error> {
        Self::read_snapshot(bytes)
    }

    /// [`Jieba::from_snapshot`] from a reader, read in pieces (no copy of the whole snapshot).
    /// The reader must end where the snapshot ends.
    pub fn read_snapshot<R: Read>(reader: R) -> Result<Jieba, Error> {
        let mut r = Reader {
            inner: reader,
            buf: Vec::new(),
        };
        if r.exact::<{ MAGIC.len() }>()? != *MAGIC {
            return Err(bad("not a jieba-rs dictionary snapshot of this version"));
        }
        let total = r.usize()?;
        let n = r.usize()?;
        // A frequency beyond this machine's usize reads as usize::MAX, which no real one is (the
        // total is their sum).
        let records = r.items(
            n,
            12,
            |c| Record {
                freq: usize::try_from(le_u64(c)).unwrap_or(usize::MAX),
                tag: le_u32(&c[8..]),
            },
            |rec| rec.freq != usize::MAX,
            "frequency",
        )?;
        let log_freqs = r.items(n, 8, |c| f64::from_bits(le_u64(c)), |_| true, "log frequency")?;
        let n_tags = r.u32()? as usize;
        let mut tags: Vec<Box<str>> = Vec::new();
        let mut tag_ids = FxHashMap::default();
        for id in 0..n_tags {
            let len = r.u32()? as usize;
            let bytes = r.items(len, 1, |c| c[0], |_| true, "tag")?;
            let tag = String::from_utf8(bytes).map_err(|_| bad("a tag is not UTF-8"))?;
            tag_ids.insert(Box::from(tag.as_str()), id as u32);
            tags.push(tag.into());
        }
        if records.iter().any(|rec| rec.tag as usize >= tags.len()) {
            return Err(bad("a record names a tag the snapshot does not have"));
        }
        let trie = CharTrie::read_snapshot(&mut r, n)?;
        if !r.at_end()? {
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

/// `bytes` holds at least 4 bytes (callers pass `chunks_exact` pieces).
#[inline(always)]
pub(crate) fn le_u32(bytes: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[..4]);
    u32::from_le_bytes(b)
}

/// `bytes` holds at least 8 bytes (callers pass `chunks_exact` pieces).
#[inline(always)]
pub(crate) fn le_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(b)
}

/// Bytes read from the stream at a time: a piece stays in cache while it is decoded.
const PIECE: usize = 1 << 16;

/// Most bytes of capacity reserved ahead of reading an array: four times the default
/// dictionary's largest. A damaged count must not ask the allocator for gigabytes (a failed
/// allocation aborts); a larger real array grows as it is read.
const MAX_PREALLOC: usize = 1 << 26;

/// Ask for transparent huge pages under a large vector's capacity before it is written. The
/// default dictionary's arrays are 23 MB, and faulting them in 4 KB pages was most of a
/// snapshot's read time; where THP is `madvise` (a common default) this makes it a few
/// hundred faults. Only advice: where it is refused or unsupported nothing changes.
fn huge_pages<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 2 * HUGE {
            return;
        }
        let start = v.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let end = (start + bytes) / HUGE * HUGE;
        if end > aligned {
            // SAFETY: the range lies within the vector's own allocation (its capacity), which
            // holds no initialised element yet; MADV_HUGEPAGE changes how pages are backed,
            // never their contents.
            unsafe {
                libc::madvise(aligned as *mut libc::c_void, end - aligned, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// A snapshot being read. Arrays are read a piece at a time into one buffer, and a vector grows
/// with what was actually read, so a damaged count costs at most what the stream holds.
pub(crate) struct Reader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: Read> Reader<R> {
    fn fill(&mut self, len: usize) -> Result<(), Error> {
        self.buf.resize(len, 0);
        self.inner.read_exact(&mut self.buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => bad("truncated"),
            _ => Error::Io(e),
        })
    }

    fn exact<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        self.fill(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf);
        Ok(out)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        self.exact::<4>().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        self.exact::<8>().map(u64::from_le_bytes)
    }

    pub(crate) fn usize(&mut self) -> Result<usize, Error> {
        usize::try_from(self.u64()?).map_err(|_| bad("a count does not fit this machine"))
    }

    /// `n` items of `size` bytes each, each decoded by `decode` and then checked by `valid`
    /// (decoding and checking in separate loops keeps the decoding loop branch-free).
    pub(crate) fn items<T>(
        &mut self,
        n: usize,
        size: usize,
        decode: impl Fn(&[u8]) -> T,
        valid: impl FnMut(&T) -> bool,
        what: &str,
    ) -> Result<Vec<T>, Error> {
        let mut valid = valid;
        let per_piece = (PIECE / size).max(1);
        // Room for all `n` (a damaged count is capped: the vector still grows with what is
        // read); capacity alone touches no memory.
        let mut out: Vec<T> = Vec::with_capacity(n.min(MAX_PREALLOC / std::mem::size_of::<T>().max(1)));
        huge_pages(&mut out);
        let mut left = n;
        while left > 0 {
            let k = left.min(per_piece);
            self.fill(k * size)?;
            let start = out.len();
            out.extend(self.buf.chunks_exact(size).map(&decode));
            if !out[start..].iter().all(&mut valid) {
                return Err(Error::InvalidSnapshot(format!("a bad {what}")));
            }
            left -= k;
        }
        Ok(out)
    }

    fn at_end(&mut self) -> Result<bool, Error> {
        let mut one = [0u8; 1];
        loop {
            match self.inner.read(&mut one) {
                Ok(n) => return Ok(n == 0),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }
}

// Tested from jiance (`src/analyze/tokcache.rs`): the crate's own test module needs files this
// copy leaves out.
