//! Near-duplicate clustering: reposts of one story share a cluster id so they count once.
//!
//! Each text is normalised (folded, dateline / source / editor lines dropped, only letters and digits
//! kept) and cut into character 4-shingles. A document keeps a *bottom-k sketch*: the [`SKETCH`]
//! smallest 32-bit hashes of its shingles. For a short text (at most [`SKETCH`] shingles, most news
//! items and complaints) the sketch is the whole shingle set, so the Jaccard similarity of two
//! sketches is exact; for longer texts it is the standard KMV estimate (error about ±0.04).
//! A document joins the cluster of its most similar earlier document when the Jaccard similarity
//! is at least [`JOIN`]. Candidates come from an inverted index over each sketch's [`KEYS`]
//! smallest hashes: two texts with Jaccard ≥ 0.5 share one of them with probability > 0.99.
//!
//! The normalised text is never built: its characters stream straight from the folded text into
//! the hashes of the shingles they belong to. The index keeps its scratch buffers between
//! documents and holds ids and sketches in shared buffers, so assigning a document
//! ([`ClusterIndex::assign_folded`]) allocates nothing of its own but the cluster id it returns.
//!
//! Why not SimHash: measured on the demo corpus, reposts of 150-character stories (new dateline,
//! one sentence added or dropped) have 4-shingle Jaccard ≥ 0.60 while different stories on the
//! same product and template stay ≤ 0.48, but their 64-bit SimHashes overlap in Hamming distance.

use super::fxhash::{FxHashMap, FxHasher};
use std::hash::Hasher;

/// Sketch size (hashes kept per document).
pub const SKETCH: usize = 128;
/// Smallest hashes of a sketch used as lookup keys.
const KEYS: usize = 16;
/// Jaccard similarity at or above which a document joins a cluster.
pub const JOIN: f64 = 0.55;
/// Shingle length in characters.
const SHINGLE: usize = 4;
/// Texts shorter than this (after normalising) are never clustered with others.
const MIN_CHARS: usize = 12;
/// Most recent postings checked per lookup key, so very common shingles (boilerplate) cannot make
/// lookups slow; reposts are recent.
const MAX_POSTINGS: usize = 512;

/// Shingle hashes are FNV-1a 64 over the shingle's UTF-8 bytes, folded to 32 bits: stable across
/// runs and Rust versions (sketches are stored).
const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

fn fnv_fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// Lines that open with one of these and are short are bylines, sources and editor credits.
const SKIP: [&str; 12] = [
    "来源",
    "责任编辑",
    "编辑",
    "原标题",
    "作者",
    "记者",
    "通讯员",
    "本文来源",
    "转自",
    "审核",
    "校对",
    "图片来源",
];

/// Whether a trimmed line is a byline / source / editor line to drop.
fn is_byline(t: &str) -> bool {
    // Every SKIP word opens with one of these characters, which rules out most lines at once
    // (`every_skip_word_passes_the_first_character_test` keeps the two lists in step).
    matches!(
        t.chars().next(),
        Some('来' | '责' | '编' | '原' | '作' | '记' | '通' | '本' | '转' | '审' | '校' | '图')
    ) && SKIP.iter().any(|s| t.starts_with(s))
        && t.chars().count() < 60
}

/// The normalised form of already folded text, a line at a time: drops lines and leading clauses
/// that differ between reposts but say nothing about the story, and hands `keep` the rest of each
/// line, of which only letters and digits count.
fn normalised_lines(folded: &str, mut keep: impl FnMut(&str)) {
    for (i, line) in folded.lines().enumerate() {
        let t = line.trim();
        if is_byline(t) {
            continue;
        }
        keep(if i < 3 { strip_dateline(t) } else { t });
    }
}

/// The normalised text itself (the sketch never builds it).
#[cfg(test)]
fn normalise(text: &str) -> String {
    let mut out = String::new();
    normalised_lines(&super::fold(text), |t| {
        out.extend(t.chars().filter(|&c| is_alnum(c)))
    });
    out
}

/// Length of the UTF-8 sequence that `lead` starts (in valid UTF-8).
fn utf8_len(lead: u8) -> usize {
    (lead.leading_ones() as usize).max(1)
}

/// [`is_alnum`] of the character whose UTF-8 encoding is `ch`.
#[inline]
fn is_alnum_utf8(ch: &[u8]) -> bool {
    let cont = |b: u8| u32::from(b & 0x3F);
    let c = match *ch {
        // CJK Unified Ideographs, U+4E00 (E4 B8 80) to U+9FFF (E9 BF BF)
        [0xE5..=0xE9, _, _] => return true,
        [0xE4, b1, _] if b1 >= 0xB8 => return true,
        [a] => u32::from(a),
        [a, b] => (u32::from(a & 0x1F) << 6) | cont(b),
        [a, b, c] => (u32::from(a & 0x0F) << 12) | (cont(b) << 6) | cont(c),
        [a, b, c, d] => (u32::from(a & 0x07) << 18) | (cont(b) << 12) | (cont(c) << 6) | cont(d),
        _ => return false,
    };
    char::from_u32(c).is_some_and(is_alnum)
}

/// `char::is_alphanumeric` with the common cases first: ASCII, the CJK Unified Ideographs block
/// (all letters) and Chinese punctuation, without the Unicode table search.
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        // General Punctuation and CJK punctuation (、。《》「」【】“”…—) hold no letters or digits
        '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// Remove a leading dateline ("中新网上海3月5日电（记者 张三）", "本报杭州讯") from a line: the
/// rest after the first "日电" within the first 30 characters, else after the first "讯" there,
/// and a parenthesised byline right after it.
fn strip_dateline(line: &str) -> &str {
    // One pass over the 30 characters' bytes finds both markers (no substring searches).
    let bytes = line.as_bytes();
    let (mut at, mut dian, mut xun) = (0, None, None);
    for n in 0..30 {
        let Some(&lead) = bytes.get(at) else {
            break;
        };
        if lead == 0xE6 && n + 1 < 30 && bytes.get(at..at + 6) == Some("日电".as_bytes()) {
            dian = Some(at);
            break;
        }
        if lead == 0xE8 && xun.is_none() && bytes.get(at..at + 3) == Some("讯".as_bytes()) {
            xun = Some(at);
        }
        at += utf8_len(lead);
    }
    let Some(end) = dian
        .map(|p| p + "日电".len())
        .or(xun.map(|p| p + "讯".len()))
    else {
        return line;
    };
    let mut rest = line.get(end..).unwrap_or("");
    let r = rest.trim_start();
    if r.starts_with('（') || r.starts_with('(') {
        let close = r.find(['）', ')']).map(|p| {
            p + r
                .get(p..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8)
        });
        if let Some(c) = close
            && c < 60
        {
            rest = r.get(c..).unwrap_or("");
        }
    }
    rest
}

/// Hashes a stream of characters into its 4-shingle hashes. Each character's bytes go into the
/// FNV states of the (up to) four shingles it belongs to, so nothing is buffered but those states
/// and no shingle is read twice; the hashes equal those of each window's UTF-8 bytes.
struct Shingler<'a> {
    /// FNV states of the shingles that started three, two and one characters ago.
    open: [u64; SHINGLE - 1],
    chars: usize,
    out: &'a mut Vec<u32>,
}

impl<'a> Shingler<'a> {
    fn new(out: &'a mut Vec<u32>) -> Self {
        Shingler {
            open: [FNV_OFFSET; SHINGLE - 1],
            chars: 0,
            out,
        }
    }

    /// Hashes the letters and digits of `t`, reading its bytes directly (the hashes need bytes,
    /// and most characters are judged by their first two bytes). The states stay in locals for
    /// the whole line, and the common one- and three-byte characters take unrolled paths.
    fn push_alnum(&mut self, t: &str) {
        /// One byte into the three open shingles and the one starting at this character.
        #[inline(always)]
        fn feed(h: &mut [u64; SHINGLE], x: u8) {
            for s in h.iter_mut() {
                *s = (*s ^ u64::from(x)).wrapping_mul(FNV_PRIME);
            }
        }
        let [a, b, c] = self.open;
        let mut open = [a, b, c, FNV_OFFSET];
        let mut chars = self.chars;
        let mut rest = t.as_bytes();
        loop {
            let mut h = open;
            match *rest {
                [] => break,
                [x, ref tail @ ..] if x < 0x80 => {
                    rest = tail;
                    if !x.is_ascii_alphanumeric() {
                        continue;
                    }
                    feed(&mut h, x);
                }
                [x0 @ 0xE0..=0xEF, x1, x2, ref tail @ ..] => {
                    rest = tail;
                    if !is_alnum_utf8(&[x0, x1, x2]) {
                        continue;
                    }
                    feed(&mut h, x0);
                    feed(&mut h, x1);
                    feed(&mut h, x2);
                }
                [lead, ..] => {
                    let Some((ch, tail)) = rest.split_at_checked(utf8_len(lead)) else {
                        break;
                    };
                    rest = tail;
                    if !is_alnum_utf8(ch) {
                        continue;
                    }
                    for &x in ch {
                        feed(&mut h, x);
                    }
                }
            }
            chars += 1;
            if chars >= SHINGLE {
                self.out.push(fnv_fold(h[0]));
            }
            open = [h[1], h[2], h[3], FNV_OFFSET];
        }
        self.open = [open[0], open[1], open[2]];
        self.chars = chars;
    }

    /// Number of characters seen. A text shorter than a shingle is hashed whole, as one shingle.
    fn finish(self) -> usize {
        if (1..SHINGLE).contains(&self.chars)
            && let Some(&h) = self.open.get(SHINGLE - 1 - self.chars)
        {
            self.out.push(fnv_fold(h));
        }
        self.chars
    }
}

/// Fills `out` with the sketch of already folded text (the [`SKETCH`] smallest distinct shingle
/// hashes, ascending) and returns the normalised text's length in characters.
/// `tmp` is scratch space.
fn sketch_folded_into(folded: &str, out: &mut Vec<u32>, tmp: &mut Vec<u32>) -> usize {
    out.clear();
    let mut shingles = Shingler::new(out);
    normalised_lines(folded, |t| shingles.push_alnum(t));
    let chars = shingles.finish();
    sort_hashes(out, tmp);
    out.dedup();
    out.truncate(SKETCH);
    // `out` is kept between documents: one very long text must not hold its size for good
    if out.capacity() > 1 << 16 {
        out.shrink_to(SKETCH);
    }
    chars
}

/// Sorts shingle hashes ascending. They are uniform over u32, so a counting pass on their top bits
/// into about as many buckets as there are hashes leaves them nearly sorted, and an insertion sort
/// then finishes with about one comparison each: half the work of a comparison sort at the sizes
/// of most texts. Longer inputs are sorted normally, which also caps what a text crafted to fill
/// one bucket can cost.
fn sort_hashes(v: &mut [u32], tmp: &mut Vec<u32>) {
    const BUCKETED: usize = 256;
    let n = v.len();
    if n > BUCKETED {
        v.sort_unstable();
        return;
    }
    if n < 2 {
        return;
    }
    // 2^bits ≥ n buckets, bits ≤ 8
    let bits = usize::BITS - (n - 1).leading_zeros();
    let shift = 32 - bits;
    let mut start = [0u16; BUCKETED + 1];
    let start = start.get_mut(..=1 << bits).unwrap_or_default();
    for &x in v.iter() {
        if let Some(c) = start.get_mut((x >> shift) as usize + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for c in start.iter_mut() {
        sum += *c;
        *c = sum;
    }
    tmp.clear();
    tmp.resize(n, 0);
    for &x in v.iter() {
        if let Some(c) = start.get_mut((x >> shift) as usize)
            && let Some(t) = tmp.get_mut(usize::from(*c))
        {
            *t = x;
            *c += 1;
        }
    }
    for (i, &x) in tmp.iter().enumerate() {
        let mut j = i;
        while let Some(prev) = j.checked_sub(1)
            && let Some(&y) = v.get(prev)
            && y > x
        {
            if let Some(slot) = v.get_mut(j) {
                *slot = y;
            }
            j = prev;
        }
        if let Some(slot) = v.get_mut(j) {
            *slot = x;
        }
    }
}

/// Bottom-k sketch of a text: the [`SKETCH`] smallest distinct shingle hashes, ascending.
pub fn sketch(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    sketch_folded_into(&super::fold(text), &mut out, &mut Vec::new());
    out
}
/// Jaccard similarity of two texts from their sketches: exact when both sketches hold their whole
/// shingle set, otherwise the KMV estimate over the union's elements below the smaller cut-off.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    jaccard(a, b, 0.0).unwrap_or(0.0)
}

/// Most elements of two sketches (`total` of them below the cut-off) that can be in only one of
/// them (misses) with their similarity still at least `floor`: each miss lowers the similarity,
/// which is at most (total - misses) / (total + misses). One miss of slack keeps float rounding
/// on the safe side.
fn max_misses(total: usize, floor: f64) -> usize {
    (total as f64 * (1.0 - floor) / (1.0 + floor)) as usize + 1
}

/// Which of 128 buckets (by top bits) a sketch's hashes fall in. A bucket that only one of two
/// sketches has holds at least one miss, so for whole shingle sets the popcount of the two
/// signatures' XOR bounds the misses from below without a merge.
fn signature(sketch: &[u32]) -> u128 {
    // two words: a u128 shift by a variable amount costs several instructions
    let mut sig = [0u64; 2];
    for &x in sketch {
        sig[(x >> 31) as usize] |= 1 << ((x >> 25) & 63);
    }
    u128::from(sig[0]) | u128::from(sig[1]) << 64
}

/// [`similarity`], or `None` as soon as it is certainly below `floor`: comparing a document with
/// candidates that share only a common shingle mostly stops after a third of the merge.
fn jaccard(a: &[u32], b: &[u32], floor: f64) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return Some(0.0);
    }
    // A sketch cut at SKETCH elements says nothing about hashes above its largest.
    let cut = |s: &[u32]| {
        if s.len() >= SKETCH {
            s.last().copied().unwrap_or(u32::MAX)
        } else {
            u32::MAX
        }
    };
    let limit = cut(a).min(cut(b));
    let below = |s: &[u32]| {
        if limit == u32::MAX {
            s.len()
        } else {
            s.iter().position(|&x| x > limit).unwrap_or(s.len())
        }
    };
    let (na, nb) = (below(a), below(b));
    let total = na + nb;
    let max_misses = if floor > 0.0 {
        max_misses(total, floor)
    } else {
        usize::MAX
    };
    let (a, b) = (a.get(..na).unwrap_or(a), b.get(..nb).unwrap_or(b));
    let (mut i, mut j, mut misses) = (0, 0, 0usize);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        let (step_a, step_b) = (x <= y, y <= x);
        i += usize::from(step_a);
        j += usize::from(step_b);
        misses += usize::from(step_a != step_b);
        if misses > max_misses {
            return None;
        }
    }
    // the union: every element below the cut-off, those in both counted once
    let both = (i + j - misses) / 2;
    let union = total - both;
    Some(both as f64 / union.max(1) as f64)
}

/// One clustered document: (doc id, sketch, cluster id).
pub type ClusterEntry = (String, Vec<u32>, String);

/// Key of a whole sketch in the `exact` map (rebuilt on load, never stored).
fn sketch_key(sketch: &[u32]) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(sketch.len());
    for &x in sketch {
        h.write_u32(x);
    }
    h.finish()
}

/// Key of a document id in the `by_doc` map.
fn doc_key(doc: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(doc.as_bytes());
    h.finish()
}

/// End of a postings list.
const NONE: usize = usize::MAX;

/// Map from a 64-bit key (already a hash, or a shingle hash) to an index, with the one
/// insert the index needs (keep or replace an existing value, and say what it was).
#[derive(Debug, Default)]
struct Table(FxHashMap<u64, usize>);

impl Table {
    #[inline]
    fn get(&self, key: u64) -> Option<usize> {
        self.0.get(&key).copied()
    }

    /// Sets `key` to `value` (when `replace`, or when `key` is absent); returns the value it had.
    #[inline]
    fn insert(&mut self, key: u64, value: usize, replace: bool) -> Option<usize> {
        use std::collections::hash_map::Entry as Slot;
        match self.0.entry(key) {
            Slot::Occupied(mut o) => {
                let old = *o.get();
                if replace {
                    o.insert(value);
                }
                Some(old)
            }
            Slot::Vacant(v) => {
                v.insert(value);
                None
            }
        }
    }
}

/// Start and end of an entry's string in [`ClusterIndex::text`] or sketch in
/// [`ClusterIndex::hashes`].
type Span = (usize, usize);

/// One clustered document as the index holds it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    doc: Span,
    /// The cluster id; a document that starts a cluster shares its id's bytes, and one that joins
    /// one while being assigned shares the cluster's (an entry loaded from the store keeps a copy).
    cluster: Span,
    sketch: Span,
    /// [`signature`] of the sketch.
    sig: u128,
}

/// Near-duplicate index. Not shared between threads: the pipeline keeps one and assigns in order.
#[derive(Debug, Default)]
pub struct ClusterIndex {
    entries: Vec<Entry>,
    /// Document and cluster ids back to back, and sketches back to back: a document adds to two
    /// buffers instead of allocating three of its own.
    text: String,
    hashes: Vec<u32>,
    /// Hash of a document id → its latest entry, so the id is not stored twice; an id whose hash
    /// another id already holds goes to `by_doc_clash` instead (found by checking the entry's id).
    by_doc: Table,
    by_doc_clash: FxHashMap<String, usize>,
    /// Postings as linked lists in one arena (no allocation per key): lookup key → its newest
    /// node in `nodes`; a node is (entry, next older node or [`NONE`]).
    heads: Table,
    nodes: Vec<(usize, usize)>,
    /// Hash of a whole sketch → the first entry with that sketch. Verbatim copies (syndicated
    /// news, one page at many URLs) resolve here in one lookup, and only the first copy goes into
    /// the postings, which would otherwise fill with identical entries and make every lookup of
    /// the story compare against hundreds of them.
    exact: Table,
    /// Entries before this index are already persisted (loaded, or handed out by `take_new`).
    persisted: usize,
    /// Scratch for the sketch being assigned or loaded, and for sorting it.
    scratch: Vec<u32>,
    sort_scratch: Vec<u32>,
    /// `seen[i] == stamp` when entry `i` was already compared in the current lookup (a new stamp
    /// per lookup instead of a set per lookup).
    seen: Vec<u32>,
    stamp: u32,
}

impl ClusterIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuild from stored entries.
    pub fn from_entries(entries: impl IntoIterator<Item = ClusterEntry>) -> Self {
        let mut idx = Self::new();
        for (d, s, c) in entries {
            idx.insert(&d, &s, &c);
        }
        idx.persisted = idx.entries.len();
        idx
    }

    /// Entries assigned since the index was loaded or last asked, for the store to persist.
    pub fn take_new(&mut self) -> Vec<ClusterEntry> {
        let new = self
            .entries
            .get(self.persisted..)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    self.str_at(e.doc).to_string(),
                    self.sketch_at(e.sketch).to_vec(),
                    self.str_at(e.cluster).to_string(),
                )
            })
            .collect();
        self.persisted = self.entries.len();
        new
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn str_at(&self, (start, end): Span) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn sketch_at(&self, (start, end): Span) -> &[u32] {
        self.hashes.get(start..end).unwrap_or_default()
    }

    /// Appends an id to `text`.
    fn push_str(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }

    /// The latest entry of a document id, if any.
    fn find_doc(&self, doc: &str) -> Option<usize> {
        let i = self.by_doc.get(doc_key(doc))?;
        if self
            .entries
            .get(i)
            .is_some_and(|e| self.str_at(e.doc) == doc)
        {
            Some(i)
        } else {
            self.by_doc_clash.get(doc).copied()
        }
    }

    /// Makes entry `i` the one its document id finds.
    fn index_doc(&mut self, i: usize) {
        let Some(&e) = self.entries.get(i) else {
            return;
        };
        let text = &self.text;
        let doc = text.get(e.doc.0..e.doc.1).unwrap_or_default();
        let key = doc_key(doc);
        if let Some(held) = self.by_doc.insert(key, i, false) {
            let same_doc = self
                .entries
                .get(held)
                .is_some_and(|h| text.get(h.doc.0..h.doc.1) == Some(doc));
            if same_doc {
                self.by_doc.insert(key, i, true);
            } else {
                let doc = doc.to_string();
                self.by_doc_clash.insert(doc, i);
            }
        }
    }

    /// The first entry whose sketch equals `sketch` (whose key is `key`), if any.
    fn identical(&self, key: u64, sketch: &[u32]) -> Option<usize> {
        let i = self.exact.get(key)?;
        (self.sketch_at(self.entries.get(i)?.sketch) == sketch).then_some(i)
    }

    /// Adds a stored entry.
    fn insert(&mut self, doc: &str, sketch: &[u32], cluster: &str) {
        self.scratch.clear();
        self.scratch.extend_from_slice(sketch);
        let key = sketch_key(&self.scratch);
        let same = self.identical(key, &self.scratch);
        let named = (cluster != doc).then(|| self.push_str(cluster));
        let sig = signature(&self.scratch);
        self.push_entry(doc, named, key, sig, same);
    }

    /// Appends an entry for `doc` with the sketch in `scratch` (whose key is `key`, signature
    /// `sig` and first identical earlier entry `same`) in cluster `cluster`, or its own cluster.
    fn push_entry(
        &mut self,
        doc: &str,
        cluster: Option<Span>,
        key: u64,
        sig: u128,
        same: Option<usize>,
    ) {
        let i = self.entries.len();
        let sketch = &self.scratch;
        // An identical earlier sketch stands for this one in the postings: any later document
        // that would match this entry matches it equally (same similarity, earlier index).
        if sketch.len() * SHINGLE >= MIN_CHARS && same.is_none() {
            self.exact.insert(key, i, false);
            for &k in sketch.iter().take(KEYS) {
                let next = self
                    .heads
                    .insert(u64::from(k), self.nodes.len(), true)
                    .unwrap_or(NONE);
                self.nodes.push((i, next));
            }
        }
        let start = self.hashes.len();
        self.hashes.extend_from_slice(sketch);
        let sketch = (start, self.hashes.len());
        let doc = self.push_str(doc);
        let cluster = cluster.unwrap_or(doc);
        self.entries.push(Entry {
            doc,
            cluster,
            sketch,
            sig,
        });
        self.index_doc(i);
    }

    /// Returns (sketch, cluster id). A document seen before keeps its cluster (reruns are
    /// idempotent); a cluster's id is the id of its first document.
    pub fn assign(&mut self, doc_id: &str, text: &str) -> (Vec<u32>, String) {
        self.entry_for(doc_id, || super::fold(text))
            .map(|e| {
                (
                    self.sketch_at(e.sketch).to_vec(),
                    self.str_at(e.cluster).to_string(),
                )
            })
            .unwrap_or_default()
    }

    /// [`ClusterIndex::assign`] for text already folded with [`super::fold`], returning only the
    /// cluster id: the same cluster as `assign(doc_id, text)` when `folded == fold(text)`.
    pub fn assign_folded(&mut self, doc_id: &str, folded: &str) -> String {
        self.entry_for(doc_id, || folded.into())
            .map(|e| self.str_at(e.cluster).to_string())
            .unwrap_or_default()
    }

    /// The entry of `doc_id`: its latest one, or a new one clustered from its folded text (made
    /// only then).
    fn entry_for<'t>(
        &mut self,
        doc_id: &str,
        folded: impl FnOnce() -> std::borrow::Cow<'t, str>,
    ) -> Option<Entry> {
        let i = match self.find_doc(doc_id) {
            Some(i) => i,
            None => self.assign_new(doc_id, &folded()),
        };
        self.entries.get(i).copied()
    }

    /// Clusters a document not in the index yet and appends its entry; returns the entry.
    fn assign_new(&mut self, doc_id: &str, folded: &str) -> usize {
        let chars = sketch_folded_into(folded, &mut self.scratch, &mut self.sort_scratch);
        let key = sketch_key(&self.scratch);
        let sig = signature(&self.scratch);
        let same = self.identical(key, &self.scratch);
        let joined = if chars < MIN_CHARS {
            // Too little text to tell a repost from a different story: its own cluster.
            None
        } else if same.is_some() {
            // A verbatim copy: similarity 1, and the earliest identical entry is the one the scan
            // would pick (all identical entries share its cluster).
            same
        } else {
            self.most_similar(sig)
        };
        let cluster = joined.and_then(|j| self.entries.get(j)).map(|e| e.cluster);
        let i = self.entries.len();
        self.push_entry(doc_id, cluster, key, sig, same);
        i
    }

    /// The most similar earlier entry to the sketch in `scratch` with similarity at least
    /// [`JOIN`], among those sharing one of its lookup keys.
    fn most_similar(&mut self, sig: u128) -> Option<usize> {
        let Self {
            entries,
            hashes,
            heads,
            nodes,
            scratch: sk,
            seen,
            stamp,
            ..
        } = self;
        *stamp = stamp.wrapping_add(1);
        if *stamp == 0 {
            seen.fill(0);
            *stamp = 1;
        }
        if seen.len() < entries.len() {
            seen.resize(entries.len(), 0);
        }
        let mut best: Option<(f64, usize)> = None;
        for k in sk.iter().take(KEYS) {
            let mut node = heads.get(u64::from(*k)).unwrap_or(NONE);
            // newest first, as reposts are recent
            for _ in 0..MAX_POSTINGS {
                let Some(&(i, next)) = nodes.get(node) else {
                    break;
                };
                node = next;
                let Some(s) = seen.get_mut(i) else {
                    continue;
                };
                if *s == *stamp {
                    continue;
                }
                *s = *stamp;
                let Some(e) = entries.get(i) else {
                    continue;
                };
                let Some(other) = hashes.get(e.sketch.0..e.sketch.1) else {
                    continue;
                };
                // two whole shingle sets: Jaccard is at most the smaller size over the larger,
                // and too many buckets held by one of them mean too many misses
                if sk.len() < SKETCH
                    && other.len() < SKETCH
                    && ((sk.len().min(other.len()) as f64)
                        < JOIN * sk.len().max(other.len()) as f64
                        || (sig ^ e.sig).count_ones() as usize
                            > max_misses(sk.len() + other.len(), JOIN))
                {
                    continue;
                }
                let Some(sim) = jaccard(sk, other, JOIN) else {
                    continue;
                };
                // Ties go to the earliest document, so assignment does not depend on map order.
                if sim >= JOIN && best.is_none_or(|(bs, bi)| sim > bs || (sim == bs && i < bi)) {
                    best = Some((sim, i));
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::fold;

    /// A shingle's hash from its own string.
    fn shingle_hash(s: &str) -> u32 {
        let mut h = FNV_OFFSET;
        for &b in s.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        fnv_fold(h)
    }

    /// The implementation before the streaming rewrite, kept verbatim (bar names; it reads the
    /// module's byline list `SKIP` rather than a copy) as the reference the new one must agree
    /// with: stored sketches and cluster assignments may not change.
    mod before {
        use super::super::{JOIN, KEYS, MAX_POSTINGS, MIN_CHARS, SHINGLE, SKETCH};
        use crate::analyze::fxhash::{FxHashMap, FxHashSet};

        fn shingle_hash(s: &str) -> u32 {
            let mut h: u64 = 0xcbf29ce484222325;
            for &b in s.as_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x100000001b3);
            }
            (h ^ (h >> 32)) as u32
        }

        pub fn normalise(text: &str) -> String {
            let folded = crate::analyze::fold(text);
            let mut out = String::with_capacity(folded.len());
            for (i, line) in folded.lines().enumerate() {
                let t = line.trim();
                if crate::analyze::cluster::SKIP
                    .iter()
                    .any(|s| t.starts_with(s))
                    && t.chars().count() < 60
                {
                    continue;
                }
                let mut t = t;
                if i < 3 {
                    t = strip_dateline(t);
                }
                out.extend(t.chars().filter(|&c| c.is_alphanumeric()));
            }
            out
        }

        fn strip_dateline(line: &str) -> &str {
            let head = &line[..line.char_indices().nth(30).map_or(line.len(), |(i, _)| i)];
            for marker in ["日电", "讯"] {
                if let Some(pos) = head.find(marker) {
                    let mut rest = &line[pos + marker.len()..];
                    let r = rest.trim_start();
                    if r.starts_with('（') || r.starts_with('(') {
                        let close = r
                            .find(['）', ')'])
                            .map(|p| p + r[p..].chars().next().map_or(1, char::len_utf8));
                        if let Some(c) = close
                            && c < 60
                        {
                            rest = &r[c..];
                        }
                    }
                    return rest;
                }
            }
            line
        }

        pub fn sketch_normalised(norm: &str) -> (Vec<u32>, usize) {
            let bounds: Vec<usize> = norm
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(norm.len()))
                .collect();
            let chars = bounds.len() - 1;
            let mut hashes: Vec<u32> = if chars <= SHINGLE {
                if chars == 0 {
                    Vec::new()
                } else {
                    vec![shingle_hash(norm)]
                }
            } else {
                bounds
                    .windows(SHINGLE + 1)
                    .map(|w| shingle_hash(&norm[w[0]..w[SHINGLE]]))
                    .collect()
            };
            hashes.sort_unstable();
            hashes.dedup();
            hashes.truncate(SKETCH);
            (hashes, chars)
        }

        pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
            if a.is_empty() || b.is_empty() {
                return 0.0;
            }
            let cut = |s: &[u32]| {
                if s.len() >= SKETCH {
                    s[s.len() - 1]
                } else {
                    u32::MAX
                }
            };
            let limit = cut(a).min(cut(b));
            let (mut i, mut j, mut union, mut both) = (0, 0, 0usize, 0usize);
            loop {
                let x = a.get(i).filter(|&&x| x <= limit);
                let y = b.get(j).filter(|&&y| y <= limit);
                match (x, y) {
                    (None, None) => break,
                    (Some(x), Some(y)) if x == y => {
                        both += 1;
                        i += 1;
                        j += 1;
                    }
                    (Some(x), Some(y)) if x < y => i += 1,
                    (Some(_), Some(_)) | (None, Some(_)) => j += 1,
                    (Some(_), None) => i += 1,
                }
                union += 1;
            }
            both as f64 / union.max(1) as f64
        }

        fn sketch_key(sketch: &[u32]) -> u64 {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            sketch.hash(&mut h);
            h.finish()
        }

        #[derive(Default)]
        pub struct Index {
            entries: Vec<(String, Vec<u32>, String)>,
            by_doc: FxHashMap<String, usize>,
            postings: FxHashMap<u32, Vec<usize>>,
            exact: FxHashMap<u64, usize>,
        }

        impl Index {
            fn identical(&self, sketch: &[u32]) -> Option<usize> {
                let i = *self.exact.get(&sketch_key(sketch))?;
                (self.entries.get(i)?.1 == sketch).then_some(i)
            }

            pub fn insert(&mut self, doc: String, sketch: Vec<u32>, cluster: String) {
                let i = self.entries.len();
                if sketch.len() * SHINGLE >= MIN_CHARS && self.identical(&sketch).is_none() {
                    self.exact.entry(sketch_key(&sketch)).or_insert(i);
                    for &k in sketch.iter().take(KEYS) {
                        self.postings.entry(k).or_default().push(i);
                    }
                }
                self.by_doc.insert(doc.clone(), i);
                self.entries.push((doc, sketch, cluster));
            }

            pub fn assign(&mut self, doc_id: &str, text: &str) -> (Vec<u32>, String) {
                if let Some(&i) = self.by_doc.get(doc_id)
                    && let Some((_, s, c)) = self.entries.get(i)
                {
                    return (s.clone(), c.clone());
                }
                let (sk, chars) = sketch_normalised(&normalise(text));
                if chars < MIN_CHARS {
                    self.insert(doc_id.to_string(), sk.clone(), doc_id.to_string());
                    return (sk, doc_id.to_string());
                }
                if let Some(i) = self.identical(&sk) {
                    let cluster = self.entries[i].2.clone();
                    self.insert(doc_id.to_string(), sk.clone(), cluster.clone());
                    return (sk, cluster);
                }
                let mut best: Option<(f64, usize)> = None;
                let mut checked = FxHashSet::default();
                for k in sk.iter().take(KEYS) {
                    let Some(list) = self.postings.get(k) else {
                        continue;
                    };
                    for &i in list.iter().rev().take(MAX_POSTINGS) {
                        if !checked.insert(i) {
                            continue;
                        }
                        let other = &self.entries[i].1;
                        if sk.len() < SKETCH
                            && other.len() < SKETCH
                            && (sk.len().min(other.len()) as f64)
                                < JOIN * sk.len().max(other.len()) as f64
                        {
                            continue;
                        }
                        let sim = similarity(&sk, other);
                        if sim >= JOIN
                            && best.is_none_or(|(bs, bi)| sim > bs || (sim == bs && i < bi))
                        {
                            best = Some((sim, i));
                        }
                    }
                }
                let cluster = match best {
                    Some((_, i)) => self.entries[i].2.clone(),
                    None => doc_id.to_string(),
                };
                self.insert(doc_id.to_string(), sk.clone(), cluster.clone());
                (sk, cluster)
            }
        }
    }

    /// Every text of the labelled evaluation set (simplified and traditional), as title, body and
    /// the title-and-body text `cluster_text` builds for short bodies.
    fn labelled_texts() -> Vec<String> {
        let mut out = Vec::new();
        for line in include_str!("../../tests/eval/labelled.jsonl").lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let title = v["title"].as_str().unwrap_or("");
            let text = v["text"].as_str().unwrap_or("");
            out.push(format!("{title}\n{text}"));
            out.push(text.to_string());
            out.push(title.to_string());
        }
        assert!(out.len() > 600, "labelled set read ({})", out.len());
        out
    }

    /// Texts that exercise the normaliser's edges: datelines with and without bylines, source and
    /// editor lines, Windows line ends, full-width and traditional characters, punctuation and
    /// letters outside the fast paths.
    fn edge_texts() -> Vec<String> {
        let mut v: Vec<String> = [
            STORY,
            REPOST,
            OTHER,
            OTHER2,
            "",
            "abc",
            "充电宝鼓包",
            "電動車ＧＢ１７７６１起火了",
            "中新网上海3月5日电（记者 李明）电动车起火。\n来源：中新网",
            "本报杭州讯 充电宝爆炸",
            "本报杭州讯（通讯员 王五）充电宝爆炸了，幸无人员受伤",
            "新华社北京3月5日电 (记者 张三) 某品牌儿童手表电池鼓包",
            "日日电日电讯讯 没有括号的电头",
            "标题一行\r\n本报讯（记者 李四 通讯员 赵六）燃气灶爆燃\r\n责任编辑：刘洋\r\n",
            "第一行\n第二行\n第三行\n本报讯 第四行的电头不删",
            "来源：一段很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的来源行，超过六十个字符的不算来源行",
            "编辑部收到读者来信，反映某款电热毯温控失灵",
            "  缩进的行  \n\t记者 王立 报道\n正文：Ｅ-bike battery fire, 3 injured; ＵＳＢ充电器 №5 Ⅻ 〇 々 ½ ²",
            "ελληνικά русский العربية עברית 한국어 日本語のテキスト ﬁ ＡＢＣ ｱｲｳ",
            "😀🔥电动车🔋起火𠀀𠀁𪚥 emoji and astral",
            "（无电头）括号开头的第一行",
            "中新网杭州3月5日电（记者 这个括号一直没有闭合所以不算署名，后面还有很多很多很多很多很多很多很多很多字",
            "中新网3月5日电（记者）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in 25..=31 {
            let pad = "a".repeat(n);
            v.push(format!("{pad}日电（记者 某）正文内容足够长的一行"));
            v.push(format!("{pad}讯 正文内容足够长的一行"));
            v.push(format!("电头{pad}讯日电(通讯员)正文内容足够长的一行"));
        }
        v.push(STORY.repeat(3) + OTHER);
        v.push(STORY.replace(
            "物业保安发现后立即使用灭火器扑救，并拨打119报警。",
            "小区居民发现后用灭火器扑救并报警。",
        ));
        v
    }

    /// `is_byline` turns a line away by its first character before comparing it with the SKIP
    /// words: each SKIP word must open with one of the characters it lets through.
    #[test]
    fn every_skip_word_passes_the_first_character_test() {
        for w in SKIP {
            assert!(is_byline(w), "{w}");
            assert!(is_byline(&format!("{w}：张三")), "{w}");
        }
        assert!(!is_byline("电动车起火"));
    }

    #[test]
    fn normalised_text_and_sketches_are_unchanged() {
        for t in labelled_texts().iter().chain(&edge_texts()) {
            let want = before::normalise(t);
            assert_eq!(normalise(t), want, "{t}");
            let (sk, chars) = before::sketch_normalised(&want);
            assert_eq!(sketch(t), sk, "{t}");
            let mut mine = Vec::new();
            let chars_seen = sketch_folded_into(&fold(t), &mut mine, &mut Vec::new());
            assert_eq!(chars_seen, chars, "{t}");
            assert_eq!(mine, sk);
        }
    }

    #[test]
    fn similarity_is_unchanged() {
        let mut sketches: Vec<Vec<u32>> = labelled_texts().iter().map(|t| sketch(t)).collect();
        sketches.extend(edge_texts().iter().map(|t| sketch(t)));
        sketches.push(vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        sketches.push((0..200).map(|x| x * 3).take(SKETCH).collect());
        sketches.push((0..200).map(|x| x * 2).take(SKETCH).collect());
        for a in &sketches {
            for b in sketches.iter().step_by(7) {
                let want = before::similarity(a, b);
                assert_eq!(similarity(a, b), want);
                match jaccard(a, b, JOIN) {
                    Some(s) => assert_eq!(s, want),
                    None => assert!(want < JOIN, "{want}"),
                }
                if a.len() < SKETCH
                    && b.len() < SKETCH
                    && (signature(a) ^ signature(b)).count_ones() as usize
                        > max_misses(a.len() + b.len(), JOIN)
                {
                    assert!(want < JOIN, "{want}");
                }
            }
        }
    }

    /// The streaming index assigns every document the sketch and cluster the old one did, in
    /// one stream mixing the labelled set, edited copies (reposts), verbatim copies and reruns.
    #[test]
    fn assignments_are_unchanged() {
        let texts: Vec<String> = labelled_texts().into_iter().chain(edge_texts()).collect();
        let mut stream: Vec<(String, String)> = Vec::new();
        for (n, t) in texts.iter().enumerate() {
            stream.push((format!("d{n}"), t.clone()));
            if n % 3 == 0 {
                // a repost: a new dateline and the last sentence dropped
                let cut: String = t.chars().take(t.chars().count() * 4 / 5).collect();
                stream.push((format!("r{n}"), format!("本报讯（记者 某某）{cut}")));
            }
            if n % 5 == 0 {
                stream.push((format!("c{n}"), t.clone()));
            }
            if n % 7 == 0 {
                // a rerun of an earlier id with other text keeps its cluster
                stream.push((format!("d{}", n / 2), texts[n / 3].clone()));
            }
        }
        let mut old = before::Index::default();
        let mut new = ClusterIndex::new();
        let mut folded = ClusterIndex::new();
        let mut joined = 0;
        for (id, t) in &stream {
            let want = old.assign(id, t);
            assert_eq!(new.assign(id, t), want, "{id}");
            assert_eq!(folded.assign_folded(id, &fold(t)), want.1, "{id}");
            joined += usize::from(want.1 != *id);
        }
        assert!(joined > 300, "the stream has reposts to find ({joined})");
        // rebuilt from stored entries, both answer alike
        let stored = new.take_new();
        let mut old_back = before::Index::default();
        for (d, s, c) in stored.clone() {
            old_back.insert(d, s, c);
        }
        let mut back = ClusterIndex::from_entries(stored);
        for (n, t) in texts.iter().enumerate().step_by(4) {
            let id = format!("late{n}");
            assert_eq!(back.assign(&id, t), old_back.assign(&id, t), "{id}");
        }
    }

    #[test]
    fn assign_folded_clusters_as_assign() {
        let mut texts = labelled_texts();
        texts.extend([STORY, REPOST, OTHER, OTHER2, STORY, REPOST].map(String::from));
        let mut plain = ClusterIndex::new();
        let mut folded = ClusterIndex::new();
        for (n, t) in texts.iter().enumerate() {
            let id = format!("t{n}");
            let (_, want) = plain.assign(&id, t);
            assert_eq!(folded.assign_folded(&id, &fold(t)), want, "{t}");
        }
        assert_eq!(plain.take_new(), folded.take_new());
        assert_eq!(folded.assign_folded("t0", ""), plain.assign("t0", "").1);
    }

    #[test]
    fn bucket_sort_sorts() {
        let mut tmp = Vec::new();
        let mut x: u32 = 12345;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for n in 0..300 {
            let random: Vec<u32> = (0..n).map(|_| next()).collect();
            let crowded: Vec<u32> = (0..n).map(|_| next() >> 12).collect();
            let repeated: Vec<u32> = (0..n).map(|i| [7, u32::MAX, 0][i % 3]).collect();
            let descending: Vec<u32> = (0..n as u32).rev().map(|i| i << 24 | i).collect();
            for v in [random, crowded, repeated, descending] {
                let mut want = v.clone();
                want.sort_unstable();
                let mut got = v;
                sort_hashes(&mut got, &mut tmp);
                assert_eq!(got, want, "{n}");
            }
        }
    }

    #[test]
    fn document_ids_whose_hashes_clash_are_kept_apart() {
        let mut idx = ClusterIndex::new();
        assert_eq!(idx.assign("a", STORY).1, "a");
        // as if "b" and "c" hashed like "a"
        idx.by_doc.insert(doc_key("b"), 0, true);
        idx.by_doc.insert(doc_key("c"), 0, true);
        assert_eq!(idx.find_doc("c"), None);
        let (sk, c) = idx.assign("b", OTHER);
        assert_eq!(c, "b");
        assert_eq!(idx.find_doc("a"), Some(0));
        assert_eq!(idx.find_doc("b"), Some(1));
        assert_eq!(idx.assign("b", STORY), (sk, "b".to_string()));
        assert_eq!(idx.assign_folded("a", OTHER), "a");
        assert_eq!(idx.len(), 2);
    }

    const STORY: &str = "中新网杭州3月5日电（记者 王立）3月4日晚8时许，杭州市拱墅区某小区地下车库内一辆正在充电的电动自行车突然起火，火势迅速蔓延至旁边停放的三辆电动车。物业保安发现后立即使用灭火器扑救，并拨打119报警。消防救援人员赶到后十分钟内将明火扑灭，事故未造成人员伤亡。据初步调查，起火车辆的锂电池系车主自行从网上购买的非原厂电池，充电器也并非原装。消防部门表示，改装电池和不匹配的充电器是电动车火灾的主要诱因。\n责任编辑：刘洋";
    const REPOST: &str = "本报杭州讯 3月4日晚8时许，杭州市拱墅区某小区地下车库内一辆正在充电的电动自行车突然起火，火势很快蔓延到旁边停放的三辆电动车。物业保安发现后立即使用灭火器扑救，并拨打119报警。消防救援人员赶到后十分钟内将明火扑灭，事故未造成人员伤亡。据初步调查，起火车辆的锂电池系车主自行从网上购买的非原厂电池，充电器也并非原装。消防部门表示，改装电池和不匹配的充电器是电动车火灾的主要诱因。\n来源：都市快报";
    const OTHER: &str = "12日下午，宁波市鄞州区一居民楼楼道内停放的电动自行车发生火灾，浓烟顺着楼梯间往上蹿，多名住户被困家中。消防员佩戴空气呼吸器进入楼内，疏散救出被困群众二十余人，其中两名老人因吸入烟气被送医观察。经查，该车为车主从二手市场购买，电池曾多次维修。社区随后开展了楼道堆物清理行动，劝导居民不要把电动车推进楼道。";
    const OTHER2: &str = "市场监管部门近日对辖区销售的电动自行车用锂离子蓄电池开展专项检查，共检查经营户35家，发现部分门店销售无合格证明的电池，已责令下架并立案调查。执法人员提醒消费者，到正规门店购买与车辆匹配的电池和充电器，不要私自改装提升续航。";

    /// Regression (rerun bench): hundreds of verbatim copies under different ids used to fill
    /// the postings, so every copy compared against 512 × 16 candidates. They must still all join
    /// the first copy's cluster, keep the postings small, and a later near-copy still finds them.
    #[test]
    fn verbatim_copies_join_in_one_lookup() {
        let mut idx = ClusterIndex::new();
        idx.assign("other", OTHER);
        let (first_sketch, first) = idx.assign("c0", STORY);
        for n in 1..700 {
            let (sk, c) = idx.assign(&format!("c{n}"), STORY);
            assert_eq!(c, first, "copy {n}");
            assert_eq!(sk, first_sketch);
        }
        let longest = idx
            .heads
            .0
            .values()
            .map(|&head| {
                let (mut n, mut node) = (0, head);
                while let Some(&(_, next)) = idx.nodes.get(node) {
                    n += 1;
                    node = next;
                }
                n
            })
            .max()
            .unwrap_or(0);
        assert!(
            longest <= 2,
            "identical copies stay out of the postings ({longest})"
        );
        assert_eq!(idx.assign("repost", REPOST).1, first);
        assert_eq!(idx.assign("other2", OTHER2).1, "other2");
        // Rebuilt from stored entries, the index answers the same.
        let mut again = ClusterIndex::from_entries(idx.take_new());
        assert_eq!(again.assign("c-late", STORY).1, first);
    }

    #[test]
    fn take_new_hands_out_each_assignment_once() {
        let mut idx =
            ClusterIndex::from_entries(vec![("a".to_string(), vec![1, 2, 3], "a".to_string())]);
        assert!(
            idx.take_new().is_empty(),
            "loaded entries are already stored"
        );
        let (h, c) = idx.assign("b", REPOST);
        idx.assign("b", REPOST);
        assert_eq!(idx.take_new(), vec![("b".to_string(), h, c)]);
        assert!(idx.take_new().is_empty());
        // an id stored twice finds its latest entry
        let mut dup = ClusterIndex::from_entries(vec![
            ("a".to_string(), vec![1, 2, 3], "a".to_string()),
            ("a".to_string(), vec![4, 5, 6], "x".to_string()),
        ]);
        assert_eq!(dup.assign("a", STORY), (vec![4, 5, 6], "x".to_string()));
        assert_eq!(dup.assign_folded("a", STORY), "x");
    }

    #[test]
    fn reposts_share_a_cluster_and_unrelated_stories_do_not() {
        let mut idx = ClusterIndex::new();
        let (h1, c1) = idx.assign("a", STORY);
        let (h2, c2) = idx.assign("b", REPOST);
        assert!(
            similarity(&h1, &h2) >= JOIN,
            "similarity {}",
            similarity(&h1, &h2)
        );
        assert_eq!(c1, "a");
        assert_eq!(c2, "a");
        let (h3, c3) = idx.assign("c", OTHER);
        assert_eq!(c3, "c", "similarity to story {}", similarity(&h1, &h3));
        let (_, c4) = idx.assign("d", OTHER2);
        assert_eq!(c4, "d");
        // idempotent and restorable
        assert_eq!(idx.assign("b", REPOST).1, "a");
        let entries = vec![
            ("a".to_string(), h1, "a".to_string()),
            ("c".to_string(), h3, "c".to_string()),
        ];
        let mut back = ClusterIndex::from_entries(entries);
        assert_eq!(back.assign("e", REPOST).1, "a");
        assert_eq!(back.len(), 3);
    }

    #[test]
    fn a_changed_sentence_still_clusters() {
        let edited = STORY.replace(
            "物业保安发现后立即使用灭火器扑救，并拨打119报警。",
            "小区居民发现后用灭火器扑救并报警。",
        );
        let mut idx = ClusterIndex::new();
        idx.assign("a", STORY);
        let (_, c) = idx.assign("b", &edited);
        assert_eq!(c, "a");
    }

    #[test]
    fn similarity_is_exact_for_short_texts_and_symmetric() {
        let a = sketch("电动自行车在楼道充电时起火烧毁杂物");
        let b = sketch("电动自行车在楼道充电时起火");
        let sa: std::collections::HashSet<_> = a.iter().collect();
        let sb: std::collections::HashSet<_> = b.iter().collect();
        let exact = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
        assert!((similarity(&a, &b) - exact).abs() < 1e-9);
        assert_eq!(similarity(&a, &b), similarity(&b, &a));
        assert_eq!(similarity(&a, &a), 1.0);
        assert_eq!(similarity(&a, &[]), 0.0);
        let long: String = STORY.repeat(3) + OTHER;
        assert_eq!(sketch(&long).len(), SKETCH);
    }

    /// Stored sketches stay valid: a sketch is the FNV hashes of each 4-character window built as
    /// its own string, the way sketches were first computed.
    #[test]
    fn sketch_hashes_are_those_of_character_windows() {
        for text in [
            STORY,
            OTHER,
            "充电宝鼓包",
            "abc",
            "",
            "電動車ＧＢ１７７６１起火了",
        ] {
            let chars: Vec<char> = normalise(text).chars().collect();
            let mut want: Vec<u32> = if chars.len() <= SHINGLE {
                (!chars.is_empty())
                    .then(|| shingle_hash(&chars.iter().collect::<String>()))
                    .into_iter()
                    .collect()
            } else {
                chars
                    .windows(SHINGLE)
                    .map(|w| shingle_hash(&w.iter().collect::<String>()))
                    .collect()
            };
            want.sort_unstable();
            want.dedup();
            want.truncate(SKETCH);
            assert_eq!(sketch(text), want, "{text}");
        }
    }

    #[test]
    fn fast_alnum_agrees_with_the_standard_library() {
        for c in ('\0'..='\u{FFFF}').chain('\u{10000}'..='\u{10FFFF}') {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
            let mut buf = [0; 4];
            let utf8 = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(is_alnum_utf8(utf8), is_alnum(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn short_texts_stay_alone() {
        let mut idx = ClusterIndex::new();
        assert_eq!(idx.assign("a", "").1, "a");
        assert_eq!(idx.assign("b", "").1, "b");
        assert_eq!(idx.assign("c", "充电宝鼓包").1, "c");
        assert_eq!(idx.assign("d", "充电宝鼓包").1, "d");
    }

    #[test]
    fn normalise_drops_dateline_and_source_lines() {
        let n = normalise("中新网上海3月5日电（记者 李明）电动车起火。\n来源：中新网");
        assert_eq!(n, "电动车起火");
        assert_eq!(normalise("本报杭州讯 充电宝爆炸"), "充电宝爆炸");
    }
}
