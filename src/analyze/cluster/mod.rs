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
//! A lookup visits at most [`MAX_VISITS`] postings, rarest key first, so its cost is bounded
//! per document whatever the corpus: on one product family's listings every key's postings hold
//! every document (before the bound, lookups examined up to 16 × 512 of them, and extraction of
//! such text ran some 25 times slower than of varied news). The postings are walked a chunk at a
//! time ([`postings`]) with the next candidates' probes prefetched, so those visits overlap their
//! cache misses instead of waiting on each.
//!
//! Memory is bounded too when the index is windowed ([`ClusterIndex::windowed`]): two
//! generations of documents, the older dropped when the current one fills (`jiance extract`, the
//! pipeline's sink; the sink looks a dropped document up in the store when it comes again).
//!
//! The normalised text is never built: its characters stream straight from the folded text into
//! the hashes of the shingles they belong to. The index keeps its scratch buffers between
//! documents and holds ids and sketches in shared buffers, so assigning a document
//! ([`ClusterIndex::assign_folded`]) allocates nothing of its own but the cluster id it returns.
//!
//! Template-built texts (a province's inspection notices, one ministry's standard announcements,
//! one company's recalls) are as alike as reposts, so shingles alone cannot tell them apart: a
//! document also carries its [`Fields`] (products, parties, places, model / batch / standard
//! numbers), and
//! joins an alike earlier document only when they agree ([`fields`]). Measured on
//! `tests/eval/stories.jsonl` (21 template pairs, 22 reposts, our own texts): same-story
//! precision 0.58 and recall 0.95 with shingles alone, 1.00 and 0.95 with the fields (the repost
//! missed is a shortened one, below the shingles' bound).
//!
//! Why not SimHash: measured on the demo corpus, reposts of 150-character stories (new dateline,
//! one sentence added or dropped) have 4-shingle Jaccard ≥ 0.60 while different stories on the
//! same product and template stay ≤ 0.48, but their 64-bit SimHashes overlap in Hamming distance.

mod fields;
mod keys;
mod postings;
mod sketch;

pub use fields::Fields;

use keys::{Table, doc_key, sketch_key};
use postings::Postings;

#[allow(unused_imports)]
use sketch::*;
pub use sketch::{JOIN, similarity, sketch};

use super::fxhash::FxHashMap;

/// One clustered document: (doc id, sketch, cluster id, [`Fields`] in their stored form).
pub type ClusterEntry = (String, Vec<u32>, String, Vec<u32>);

/// Smallest hashes of a sketch used as lookup keys.
const KEYS: usize = 16;
/// Postings visited per lookup, over all its keys and both generations. The keys are walked
/// rarest first, each newest first: a repost shares the rare shingles of the story it copies, so
/// it is met early, and a corpus of near-identical texts (one product family's listings, one
/// complaint template) — where every key's postings hold every document — costs a fixed amount
/// per document instead of growing with the corpus.
const MAX_VISITS: usize = 384;
/// Candidates ahead whose probes a lookup fetches before it needs them.
const PREFETCH: usize = 12;

/// Candidates that passed the signature bound merged together, their sketches fetched first.
const MERGE_BATCH: usize = 8;

/// Asks the CPU to bring `value` into the cache without waiting for it.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch only hints; it reads nothing the program sees and cannot fault.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Documents a [`ClusterIndex::windowed`] index remembers at least (and at most twice as many).
pub const DEFAULT_WINDOW: usize = 100_000;

/// End of a postings list.
const NONE: u32 = u32::MAX;

/// Start and end of an entry's string in [`Generation::text`] or sketch in
/// [`Generation::hashes`].
type Span = (u32, u32);

/// One clustered document as the index holds it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    doc: Span,
    /// The cluster id; a document that starts a cluster shares its id's bytes, and one that joins
    /// one of its own generation shares the cluster's (other entries keep a copy).
    cluster: Span,
    sketch: Span,
    /// The document's [`Fields`] in [`Generation::fields`].
    fields: Span,
}

/// What a lookup reads of a candidate before deciding whether to merge sketches, in one cache
/// line: on homogeneous text a lookup visits hundreds of candidates and rejects nearly all, and
/// reading entry and signature from two arrays cost two cache misses a visit.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Probe {
    /// [`signature`] of the sketch.
    sig: Sig,
    /// Where the sketch starts in [`Generation::hashes`], and its length: a candidate that
    /// passes the signature bound is merged without reading its [`Entry`] (a third cache miss).
    start: u32,
    len: u32,
}

/// The best candidate so far: similarity, generation (0 the older), entry.
type Best = Option<(f64, u8, u32)>;

/// The documents clustered since a generation began: what [`ClusterIndex`] searches twice (its
/// older generation, then its current one) and drops a whole generation at a time.
#[derive(Debug, Default)]
struct Generation {
    entries: Vec<Entry>,
    /// Document and cluster ids back to back, and sketches back to back: a document adds to two
    /// buffers instead of allocating three of its own.
    text: String,
    hashes: Vec<u32>,
    /// Every entry's [`Fields`] (stored form) back to back.
    fields: Vec<u32>,
    /// Hash of a document id → its latest entry, so the id is not stored twice; an id whose hash
    /// another id already holds goes to `by_doc_clash` instead (found by checking the entry's id).
    by_doc: Table,
    by_doc_clash: FxHashMap<String, u32>,
    /// Lookup key → the entries holding it, newest first.
    postings: Postings,
    /// Hash of a whole sketch → the first entry with that sketch. Verbatim copies (syndicated
    /// news, one page at many URLs) resolve here in one lookup, and only the first copy goes into
    /// the postings, which would otherwise fill with identical entries and make every lookup of
    /// the story compare against hundreds of them.
    exact: Table,
    /// Entries before this index are already persisted (loaded, or handed out by `take_new`).
    persisted: usize,
    /// One per entry.
    probes: Vec<Probe>,
    /// One per entry: equal to `stamp` when already met in the current lookup (a new stamp per
    /// lookup instead of a set per lookup). Apart from the probes, in 4 bytes an entry, because
    /// most postings a lookup of homogeneous text visits are entries it has already met through
    /// another key: this array stays in cache where the probes' 64 bytes an entry do not, so
    /// those visits cost no miss (the same visits in the same order: only their cost changes).
    seen: Vec<u32>,
    stamp: u32,
}

impl Generation {
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Empties the generation, keeping its buffers' capacity.
    fn clear(&mut self) {
        self.entries.clear();
        self.text.clear();
        self.hashes.clear();
        self.fields.clear();
        self.by_doc.0.clear();
        self.by_doc_clash.clear();
        self.postings.clear();
        self.exact.0.clear();
        self.persisted = 0;
        self.probes.clear();
        self.seen.clear();
    }

    fn str_at(&self, (start, end): Span) -> &str {
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn sketch_at(&self, (start, end): Span) -> &[u32] {
        self.hashes
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn fields_at(&self, (start, end): Span) -> &[u32] {
        self.fields
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Whether entry `i`'s fields agree with `fields` (see [`fields`]).
    fn agrees(&self, i: u32, fields: &[u32]) -> bool {
        fields.is_empty()
            || self
                .entry(i)
                .is_none_or(|e| fields::agree(fields, self.fields_at(e.fields)))
    }

    /// Appends an id to `text`.
    fn push_str(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, self.text.len() as u32)
    }

    fn entry(&self, i: u32) -> Option<&Entry> {
        self.entries.get(i as usize)
    }

    /// The latest entry of a document id, if any.
    fn find_doc(&self, doc: &str) -> Option<u32> {
        let i = self.by_doc.get(doc_key(doc))?;
        if self.entry(i).is_some_and(|e| self.str_at(e.doc) == doc) {
            Some(i)
        } else {
            self.by_doc_clash.get(doc).copied()
        }
    }

    /// Makes entry `i` the one its document id finds.
    fn index_doc(&mut self, i: u32) {
        let Some(&e) = self.entry(i) else {
            return;
        };
        let text = &self.text;
        let at = |s: Span| text.get(s.0 as usize..s.1 as usize);
        let doc = at(e.doc).unwrap_or_default();
        let key = doc_key(doc);
        if let Some(held) = self.by_doc.insert(key, i, false) {
            let same_doc = self
                .entries
                .get(held as usize)
                .is_some_and(|h| at(h.doc) == Some(doc));
            if same_doc {
                self.by_doc.insert(key, i, true);
            } else {
                let doc = doc.to_string();
                self.by_doc_clash.insert(doc, i);
            }
        }
    }

    /// The first entry whose sketch equals `sketch` (whose key is `key`), if any.
    fn identical(&self, key: u64, sketch: &[u32]) -> Option<u32> {
        let i = self.exact.get(key)?;
        (self.sketch_at(self.entry(i)?.sketch) == sketch).then_some(i)
    }

    /// Appends an entry for `doc` with `sketch` (whose key is `key`, signature `sig`) and
    /// `fields` in cluster `cluster` (a span of this generation's text), or its own cluster.
    /// `indexed` is false when an identical earlier entry of this generation (the same sketch and
    /// fields) stands for it in the postings: any later document that would match this entry
    /// matches that one equally (same similarity, earlier).
    #[allow(clippy::too_many_arguments)]
    fn push_entry(
        &mut self,
        doc: &str,
        sketch: &[u32],
        fields: &[u32],
        cluster: Option<Span>,
        key: u64,
        sig: Sig,
        indexed: bool,
    ) {
        let i = self.entries.len() as u32;
        if sketch.len() * SHINGLE >= MIN_CHARS && indexed {
            self.exact.insert(key, i, false);
            for &k in sketch.iter().take(KEYS) {
                self.postings.push(k, i);
            }
        }
        let start = self.hashes.len() as u32;
        self.hashes.extend_from_slice(sketch);
        let sketch = (start, self.hashes.len() as u32);
        let at = self.fields.len() as u32;
        self.fields.extend_from_slice(fields);
        let fields = (at, self.fields.len() as u32);
        let doc = self.push_str(doc);
        let cluster = cluster.unwrap_or(doc);
        self.entries.push(Entry {
            doc,
            cluster,
            sketch,
            fields,
        });
        self.probes.push(Probe {
            sig,
            start: sketch.0,
            len: (sketch.1 - sketch.0),
        });
        self.seen.push(0);
        self.index_doc(i);
    }

    /// Raises `best` to the most similar entry of this generation (`generation` in the ordering)
    /// to `sk` with similarity at least [`JOIN`] whose fields agree with `fields`, among those
    /// sharing one of its lookup keys, visiting at most `budget` postings (less what it spends).
    #[allow(clippy::too_many_arguments)]
    fn most_similar(
        &mut self,
        sk: &[u32],
        fields: &[u32],
        sig: Sig,
        generation: u8,
        budget: &mut usize,
        best: &mut Best,
        raise_floor: bool,
    ) {
        // Most of a visit is the signature's popcount, which baseline x86-64 code computes with
        // a dozen shifts and masks per word; the same loop compiled for the POPCNT instruction
        // (every x86-64 CPU since 2008) is chosen at run time.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU has the one feature the function is compiled for (checked above).
            unsafe {
                self.most_similar_popcnt(sk, fields, sig, generation, budget, best, raise_floor)
            };
            return;
        }
        self.most_similar_in(sk, fields, sig, generation, budget, best, raise_floor);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    #[allow(clippy::too_many_arguments)]
    fn most_similar_popcnt(
        &mut self,
        sk: &[u32],
        fields: &[u32],
        sig: Sig,
        generation: u8,
        budget: &mut usize,
        best: &mut Best,
        raise_floor: bool,
    ) {
        self.most_similar_in(sk, fields, sig, generation, budget, best, raise_floor);
    }

    /// [`Generation::most_similar`]'s loop, inlined into each of its compilations.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn most_similar_in(
        &mut self,
        sk: &[u32],
        query_fields: &[u32],
        sig: Sig,
        generation: u8,
        budget: &mut usize,
        best: &mut Best,
        raise_floor: bool,
    ) {
        let Self {
            entries,
            hashes,
            fields,
            postings,
            probes,
            seen,
            stamp,
            ..
        } = self;
        // Only a candidate whose fields agree may be the best (a template of another product is
        // as alike as a repost); checked after the merge, on the few candidates that reach it.
        let agrees = |i: u32| {
            query_fields.is_empty()
                || entries.get(i as usize).is_none_or(|e| {
                    let f = fields
                        .get(e.fields.0 as usize..e.fields.1 as usize)
                        .unwrap_or_default();
                    fields::agree(query_fields, f)
                })
        };
        *stamp = stamp.wrapping_add(1);
        if *stamp == 0 {
            seen.iter_mut().for_each(|s| *s = 0);
            *stamp = 1;
        }
        let cut = sig.cut_bucket(sk.len());
        // the keys this generation has, rarest first (ties in key order, so runs agree)
        let mut keys = [(0u32, NONE); KEYS];
        let mut n = 0;
        for k in sk.iter().take(KEYS) {
            if let Some((head, depth)) = postings.head(*k)
                && let Some(slot) = keys.get_mut(n)
            {
                *slot = (depth, head);
                n += 1;
            }
        }
        let keys = keys.get_mut(..n).unwrap_or_default();
        let mut pending = [(0u32, 0u32, 0u32); MERGE_BATCH];
        let mut waiting = 0;
        keys.sort_by_key(|&(depth, _)| depth);
        'keys: for &(_, head) in keys.iter() {
            let mut chunk = head;
            // newest first, as reposts are recent
            while let Some(c) = postings.chunk(chunk) {
                chunk = c.next;
                postings.prefetch_chunk(chunk);
                for (k, &i) in c.entries.iter().enumerate().rev() {
                    if *budget == 0 {
                        break 'keys;
                    }
                    // The probes of the next candidates are fetched while this one is weighed:
                    // their addresses are known, and a probe is a cache miss a candidate.
                    if let Some(ahead) = k.checked_sub(PREFETCH).and_then(|a| c.entries.get(a))
                        && let Some(p) = probes.get(*ahead as usize)
                    {
                        prefetch(p);
                    }
                    *budget -= 1;
                    let Some(met) = seen.get_mut(i as usize) else {
                        continue;
                    };
                    if *met == *stamp {
                        continue;
                    }
                    *met = *stamp;
                    let Some(p) = probes.get(i as usize) else {
                        continue;
                    };
                    let len = p.len as usize;
                    // Only a candidate at least as similar as the best so far can replace it (an
                    // equal one can, by the tie rule): the bounds and the merge stop at that floor.
                    // On template-built text the first candidates are already close, and most
                    // others are dropped by the signature bound without a merge.
                    let floor = match best {
                        Some((bs, ..)) if raise_floor => bs.max(JOIN),
                        _ => JOIN,
                    };
                    if !may_pass((&sig, cut, sk.len()), (&p.sig, len), floor) {
                        continue;
                    }
                    // The merge waits in `pending` while its sketch is fetched (a cache miss a
                    // merge); a later floor only drops what could not win (the floor rises to
                    // the best so far), so the best is the same as merging at once.
                    let start = p.start as usize;
                    if let Some(h) = hashes.get(start..start + len) {
                        h.iter().step_by(16).for_each(prefetch);
                    }
                    if let Some(slot) = pending.get_mut(waiting) {
                        *slot = (i, p.start, p.len);
                        waiting += 1;
                    }
                    if waiting == pending.len() {
                        merge(
                            &pending[..],
                            hashes,
                            sk,
                            generation,
                            best,
                            raise_floor,
                            &agrees,
                        );
                        waiting = 0;
                    }
                }
            }
        }
        let left = pending.get(..waiting).unwrap_or_default();
        merge(left, hashes, sk, generation, best, raise_floor, &agrees);
    }
}

/// Merges each candidate (entry, sketch start, sketch length) of generation `generation` with
/// `sk`, raising `best` to the most similar at least [`JOIN`] that `agrees` (ties to the
/// earliest entry).
#[inline(always)]
fn merge(
    candidates: &[(u32, u32, u32)],
    hashes: &[u32],
    sk: &[u32],
    generation: u8,
    best: &mut Best,
    raise_floor: bool,
    agrees: &impl Fn(u32) -> bool,
) {
    for &(i, start, len) in candidates {
        let floor = match best {
            Some((bs, ..)) if raise_floor => bs.max(JOIN),
            _ => JOIN,
        };
        let (start, len) = (start as usize, len as usize);
        let Some(other) = hashes.get(start..start + len) else {
            continue;
        };
        let Some(sim) = jaccard(sk, other, floor) else {
            continue;
        };
        // Ties go to the earliest document, so assignment does not depend on map order.
        if sim >= JOIN
            && best.is_none_or(|(bs, bg, bi)| sim > bs || (sim == bs && (generation, i) < (bg, bi)))
            && agrees(i)
        {
            *best = Some((sim, generation, i));
        }
    }
}

/// A document's sketch, made where it is analysed (a worker thread) so the one thread that
/// assigns clusters in order only looks it up ([`ClusterIndex::assign_sketch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    hashes: Vec<u32>,
    /// Characters the sketch was made of: too few, and the document is a cluster of its own.
    chars: usize,
    /// What the document names that tells its story from a template's other uses.
    fields: Fields,
}

impl Sketch {
    /// The sketch of text folded with [`super::fold`] (what [`ClusterIndex::assign_folded`]
    /// would make of it).
    pub fn of_folded(folded: &str) -> Sketch {
        let mut hashes = Vec::new();
        let chars = sketch_folded_into(folded, &mut hashes, &mut Vec::new());
        Sketch {
            hashes,
            chars,
            fields: Fields::default(),
        }
    }

    /// This sketch with the document's fields.
    pub fn with_fields(mut self, fields: Fields) -> Sketch {
        self.fields = fields;
        self
    }
}

/// Near-duplicate index. Not shared between threads: the pipeline keeps one and assigns in order.
///
/// A windowed index ([`ClusterIndex::windowed`]) holds two generations and drops the older one
/// whenever the current one is full, so its memory stays bounded whatever the input (a batch of
/// fifty million lines): a document is compared with the `window` to `2 × window` documents
/// before it. Reposts are recent, so on inputs within the window it clusters as an unbounded index.
#[derive(Debug, Default)]
pub struct ClusterIndex {
    current: Generation,
    older: Option<Box<Generation>>,
    /// Documents per generation; 0 for no bound.
    window: usize,
    /// Whether the owner persists entries ([`ClusterIndex::take_new`]): a generation is then
    /// retired only once all its entries are handed out, so none is lost.
    persisting: bool,
    /// Scratch for the sketch being assigned or loaded, and for sorting it.
    scratch: Vec<u32>,
    sort_scratch: Vec<u32>,
    /// Bound candidates at [`JOIN`] only, never at the best similarity found so far: the same
    /// assignments, slower (a test compares the two).
    join_floor_only: bool,
}

impl ClusterIndex {
    /// An index without a bound (tests, the demo; see [`ClusterIndex::windowed`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An index that remembers at least the last `window` documents and at most twice as many.
    pub fn windowed(window: usize) -> Self {
        ClusterIndex {
            window: window.max(1),
            ..Self::default()
        }
    }

    /// Rebuild from stored entries.
    pub fn from_entries(entries: impl IntoIterator<Item = ClusterEntry>) -> Self {
        Self::new().loaded(entries)
    }

    /// This index with stored entries added (as already persisted).
    pub fn loaded(mut self, entries: impl IntoIterator<Item = ClusterEntry>) -> Self {
        self.persisting = true;
        for (d, s, c, f) in entries {
            self.insert(&d, &s, &c, &f);
            self.current.persisted = self.current.len();
        }
        self
    }

    /// Entries assigned since the index was loaded or last asked, for the store to persist.
    pub fn take_new(&mut self) -> Vec<ClusterEntry> {
        self.persisting = true;
        let g = &mut self.current;
        let new = g
            .entries
            .get(g.persisted..)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    g.str_at(e.doc).to_string(),
                    g.sketch_at(e.sketch).to_vec(),
                    g.str_at(e.cluster).to_string(),
                    g.fields_at(e.fields).to_vec(),
                )
            })
            .collect();
        g.persisted = g.len();
        new
    }

    /// Documents held (both generations).
    pub fn len(&self) -> usize {
        self.current.len() + self.older.as_ref().map_or(0, |g| g.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `doc_id` has an entry (it keeps its cluster when assigned again).
    pub fn knows(&self, doc_id: &str) -> bool {
        self.find(doc_id).is_some()
    }

    /// Remembers a stored entry: a document the window has dropped, about to be assigned again,
    /// keeps its cluster. [`ClusterIndex::take_new`] hands it out again (storing it is
    /// idempotent).
    pub fn remember(&mut self, entry: ClusterEntry) {
        let (d, s, c, f) = entry;
        self.insert(&d, &s, &c, &f);
    }

    /// The latest entry of `doc_id`: its generation and the entry.
    fn find(&self, doc_id: &str) -> Option<(&Generation, Entry)> {
        // the current generation holds the later entry when both have one
        [Some(&self.current), self.older.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|g| Some((g, *g.entry(g.find_doc(doc_id)?)?)))
    }

    /// Starts a new generation when the current one is full (and, if entries are persisted, all
    /// handed out), dropping the older one.
    fn rotate_if_full(&mut self) {
        let g = &self.current;
        if self.window > 0 && g.len() >= self.window && (!self.persisting || g.persisted == g.len())
        {
            // The dropped generation's buffers become the new current one's: freed and allocated
            // anew, they fragmented the heap (a 500k-line batch peaked 40% above a 50k-line one).
            let mut next = self.older.take().map(|g| *g).unwrap_or_default();
            next.clear();
            let full = std::mem::replace(&mut self.current, next);
            self.older = Some(Box::new(full));
        }
    }

    /// Adds a stored entry.
    fn insert(&mut self, doc: &str, sketch: &[u32], cluster: &str, fields: &[u32]) {
        self.rotate_if_full();
        let key = sketch_key(sketch);
        let sig = signature(sketch);
        let g = &self.current;
        let indexed = g
            .identical(key, sketch)
            .and_then(|i| g.entry(i))
            .is_none_or(|e| g.fields_at(e.fields) != fields);
        let named = (cluster != doc).then(|| self.current.push_str(cluster));
        self.current
            .push_entry(doc, sketch, fields, named, key, sig, indexed);
    }

    /// Returns (sketch, cluster id). A document seen before keeps its cluster (reruns are
    /// idempotent); a cluster's id is the id of its first document.
    pub fn assign(&mut self, doc_id: &str, text: &str) -> (Vec<u32>, String) {
        self.assign_with(doc_id, text, &Fields::default())
    }

    /// [`ClusterIndex::assign`] of a document naming `fields`: it joins only a cluster whose
    /// alike document agrees with them.
    pub fn assign_with(&mut self, doc_id: &str, text: &str, fields: &Fields) -> (Vec<u32>, String) {
        if self.find(doc_id).is_none() {
            self.assign_new(doc_id, &super::fold(text), fields);
        }
        self.find(doc_id)
            .map(|(g, e)| {
                (
                    g.sketch_at(e.sketch).to_vec(),
                    g.str_at(e.cluster).to_string(),
                )
            })
            .unwrap_or_default()
    }

    /// [`ClusterIndex::assign`] for text already folded with [`super::fold`], returning only the
    /// cluster id: the same cluster as `assign(doc_id, text)` when `folded == fold(text)`.
    pub fn assign_folded(&mut self, doc_id: &str, folded: &str) -> String {
        self.assign_folded_with(doc_id, folded, &Fields::default())
    }

    /// [`ClusterIndex::assign_folded`] of a document naming `fields`.
    pub fn assign_folded_with(&mut self, doc_id: &str, folded: &str, fields: &Fields) -> String {
        if self.find(doc_id).is_none() {
            self.assign_new(doc_id, folded, fields);
        }
        self.find(doc_id)
            .map(|(g, e)| g.str_at(e.cluster).to_string())
            .unwrap_or_default()
    }

    /// [`ClusterIndex::assign_folded`] with the sketch made beforehand: the same cluster as
    /// `assign_folded(doc_id, folded)` when `sketch` is `Sketch::of_folded(folded)`.
    pub fn assign_sketch(&mut self, doc_id: &str, sketch: &Sketch) -> String {
        if self.find(doc_id).is_none() {
            self.rotate_if_full();
            let mut sk = std::mem::take(&mut self.scratch);
            sk.clear();
            sk.extend_from_slice(&sketch.hashes);
            self.assign_sketched(doc_id, sk, sketch.chars, sketch.fields.as_stored());
        }
        self.find(doc_id)
            .map(|(g, e)| g.str_at(e.cluster).to_string())
            .unwrap_or_default()
    }

    /// Clusters a document not in the index yet and appends its entry.
    fn assign_new(&mut self, doc_id: &str, folded: &str, fields: &Fields) {
        self.rotate_if_full();
        let chars = sketch_folded_into(folded, &mut self.scratch, &mut self.sort_scratch);
        let sk = std::mem::take(&mut self.scratch);
        self.assign_sketched(doc_id, sk, chars, fields.as_stored());
    }

    /// Clusters a document not in the index yet by its sketch `sk` (the index's scratch, handed
    /// back) of `chars` characters naming `fields`, and appends its entry.
    fn assign_sketched(&mut self, doc_id: &str, sk: Vec<u32>, chars: usize, fields: &[u32]) {
        let key = sketch_key(&sk);
        let sig = signature(&sk);
        // an identical text naming other fields (a title that differs) is no verbatim copy
        let same_here = self
            .current
            .identical(key, &sk)
            .filter(|&i| self.current.agrees(i, fields));
        let same_older = self
            .older
            .as_deref()
            .and_then(|g| g.identical(key, &sk).filter(|&i| g.agrees(i, fields)));
        // The earliest identical entry (similarity 1) is the one the scan would pick.
        let same = match same_older {
            Some(i) => Some((0, i)),
            None => same_here.map(|i| (1, i)),
        };
        let joined = if chars < MIN_CHARS {
            // Too little text to tell a repost from a different story: its own cluster.
            None
        } else if same.is_some() {
            same
        } else {
            let mut best = None;
            let mut budget = MAX_VISITS;
            // newest first: the current generation, then what the budget leaves for the older
            let raise = !self.join_floor_only;
            self.current
                .most_similar(&sk, fields, sig, 1, &mut budget, &mut best, raise);
            if let Some(g) = self.older.as_deref_mut() {
                g.most_similar(&sk, fields, sig, 0, &mut budget, &mut best, raise);
            }
            best.map(|(_, g, i)| (g, i))
        };
        let cluster = match joined {
            Some((1, i)) => self.current.entry(i).map(|e| e.cluster),
            Some((_, i)) => {
                let older = self.older.as_deref();
                let id = older
                    .and_then(|g| Some(g.str_at(g.entry(i)?.cluster).to_string()))
                    .unwrap_or_default();
                Some(self.current.push_str(&id))
            }
            None => None,
        };
        // indexed unless an identical entry of this generation, agreeing, stands for it
        let indexed = same_here.is_none();
        self.current
            .push_entry(doc_id, &sk, fields, cluster, key, sig, indexed);
        self.scratch = sk;
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
        use super::super::{JOIN, KEYS, MIN_CHARS, SHINGLE, SKETCH};
        /// The old lookup's postings per key.
        const MAX_POSTINGS: usize = 512;
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
        for line in include_str!("../../../tests/eval/labelled.jsonl").lines() {
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
        // long texts, where only the hashes below a cut-off are kept: varied ones, and ones
        // that repeat themselves or are mostly punctuation and keep too few (hashed again whole)
        v.push(labelled_texts().concat());
        v.push(
            labelled_texts()
                .iter()
                .take(12)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
        );
        v.push("电动车起火，".repeat(800));
        v.push("充电宝爆炸了。……——————、、、、、，，，，，！！！！！".repeat(200));
        v.push("Battery fire at home; 3 injured, units recalled. ".repeat(120));
        v.push(STORY.repeat(40));
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

    /// The per-candidate integer bound keeps every pair the float bounds keep (it may keep one
    /// more at an exact boundary: the merge decides), and its fraction is [`JOIN`].
    #[test]
    fn integer_bounds_keep_what_the_float_bounds_keep() {
        assert_eq!(JOIN, JOIN_NUM as f64 / JOIN_DEN as f64);
        for a in 1..SKETCH {
            for b in 1..SKETCH {
                for misses in 0..=(a + b) {
                    let float = (a.min(b) as f64) >= JOIN * a.max(b) as f64
                        && misses <= max_misses(a + b, JOIN);
                    if float {
                        assert!(may_join(a, b, misses), "{a} {b} {misses}");
                    }
                }
            }
        }
        // and it rejects: sizes too far apart, too many misses
        assert!(!may_join(10, 40, 0));
        assert!(!may_join(40, 40, 40));
    }

    /// The raised floor's bound drops only pairs that cannot reach it: for two whole sets with
    /// `misses` in only one, the best Jaccard is min(min/max, (total − misses)/(total + misses)),
    /// and every pair whose best reaches the floor — exactly at it included — is kept.
    #[test]
    fn the_raised_floor_keeps_every_pair_that_can_reach_it() {
        for floor in [JOIN, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 1.0] {
            let mut dropped = 0;
            for a in 1..SKETCH {
                for b in 1..SKETCH {
                    let (min, max) = (a.min(b), a.max(b));
                    for misses in (max - min..=a + b).step_by(2) {
                        let both = (a + b - misses) / 2;
                        let best =
                            (both as f64 / (a + b - both) as f64).min(min as f64 / max as f64);
                        if best >= floor {
                            assert!(may_reach(a, b, misses, floor), "{floor} {a} {b} {misses}");
                        } else {
                            dropped += usize::from(!may_reach(a, b, misses, floor));
                        }
                    }
                }
            }
            assert!(dropped > 0, "the bound at {floor} drops nothing");
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
                    && signature(a).misses_at_least(&signature(b))
                        > max_misses(a.len() + b.len(), JOIN)
                {
                    assert!(want < JOIN, "{want}");
                }
                // the bound of cut sketches (any pair: a whole set's cut is its end)
                let (sa, sb) = (signature(a), signature(b));
                let below = sa.cut_bucket(a.len()).min(sb.cut_bucket(b.len()));
                if sa.misses_below(&sb, below) > max_misses(a.len() + b.len(), JOIN) {
                    assert!(want < JOIN, "{want}");
                    assert!(jaccard(a, b, JOIN).is_none_or(|s| s < JOIN));
                }
            }
        }
    }

    /// (id, text) of every text, with a repost of every third (a new dateline, the last fifth
    /// dropped); with `copies_and_reruns` also a verbatim copy of every fifth and, every seventh,
    /// an earlier id again with another text (a rerun keeps its cluster).
    fn repost_stream(texts: &[String], copies_and_reruns: bool) -> Vec<(String, String)> {
        let mut stream = Vec::new();
        for (n, t) in texts.iter().enumerate() {
            stream.push((format!("d{n}"), t.clone()));
            if n % 3 == 0 {
                let cut: String = t.chars().take(t.chars().count() * 4 / 5).collect();
                stream.push((format!("r{n}"), format!("本报讯（记者 某某）{cut}")));
            }
            if copies_and_reruns && n % 5 == 0 {
                stream.push((format!("c{n}"), t.clone()));
            }
            if copies_and_reruns && n % 7 == 0 {
                stream.push((format!("d{}", n / 2), texts[n / 3].clone()));
            }
        }
        stream
    }

    /// The streaming index assigns every document the sketch and cluster the old one did, in
    /// one stream mixing the labelled set, edited copies (reposts), verbatim copies and reruns.
    #[test]
    fn assignments_are_unchanged() {
        let texts: Vec<String> = labelled_texts().into_iter().chain(edge_texts()).collect();
        let stream = repost_stream(&texts, true);
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
        for (d, s, c, _) in stored.clone() {
            old_back.insert(d, s, c);
        }
        let mut back = ClusterIndex::from_entries(stored);
        for (n, t) in texts.iter().enumerate().step_by(4) {
            let id = format!("late{n}");
            assert_eq!(back.assign(&id, t), old_back.assign(&id, t), "{id}");
        }
    }

    /// A windowed index clusters as an unbounded one while the input fits its window, holds at
    /// most two windows, finds a story's reposts in the older generation, forgets what both
    /// generations dropped, and hands every entry to the store exactly once.
    #[test]
    fn a_windowed_index_is_bounded_and_clusters_as_an_unbounded_one_within_its_window() {
        let texts: Vec<String> = labelled_texts().into_iter().chain(edge_texts()).collect();
        let stream = repost_stream(&texts, false);
        let mut unbounded = ClusterIndex::new();
        let mut wide = ClusterIndex::windowed(stream.len());
        for (id, t) in &stream {
            assert_eq!(wide.assign(id, t), unbounded.assign(id, t), "{id}");
        }

        let window = 50;
        let mut narrow = ClusterIndex::windowed(window);
        let mut stored: Vec<ClusterEntry> = Vec::new();
        let mut joined = 0;
        for (k, (id, t)) in stream.iter().enumerate() {
            let c = narrow.assign(id, t).1;
            joined += usize::from(c != *id);
            // a generation is retired once handed out: each exceeds the window by a batch at most
            assert!(narrow.len() <= 2 * (window + 7), "{} held", narrow.len());
            if k % 7 == 6 {
                stored.extend(narrow.take_new());
            }
        }
        stored.extend(narrow.take_new());
        assert!(
            joined > 100,
            "reposts still join within the window ({joined})"
        );
        let ids: Vec<&str> = stored.iter().map(|e| e.0.as_str()).collect();
        let want: Vec<&str> = stream.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, want, "every entry handed out once, in order");

        // a repost right after its story joins it from the older generation
        let mut idx = ClusterIndex::windowed(2);
        idx.assign("story", STORY);
        idx.assign("x1", OTHER);
        idx.assign("x2", OTHER2);
        assert!(idx.older.is_some());
        assert_eq!(idx.assign("repost", REPOST).1, "story");
        // two generations on, the story is forgotten; remembered from the store, it keeps its
        // cluster and the repost of it joins
        for n in 0..4 {
            idx.assign(&format!("y{n}"), &format!("{OTHER}第{n}则补充说明"));
        }
        assert!(!idx.knows("story"));
        idx.remember((
            "story".into(),
            sketch(STORY),
            "first-story".into(),
            Vec::new(),
        ));
        assert_eq!(idx.assign("story", OTHER).1, "first-story");
        assert_eq!(idx.assign("repost-2", REPOST).1, "first-story");
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
    fn bottom_k_keeps_the_smallest_distinct_hashes() {
        let mut tmp = Vec::new();
        let mut x: u32 = 54321;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for n in (0..3000).step_by(7) {
            let random: Vec<u32> = (0..n).map(|_| next()).collect();
            // many repeats below the cut, too few distinct values there to fill a sketch
            let repeated: Vec<u32> = (0..n as u32)
                .map(|i| if i % 4 == 0 { next() } else { i % 50 })
                .collect();
            let low: Vec<u32> = (0..n).map(|_| next() >> 20).collect();
            let twice: Vec<u32> = random.iter().chain(random.iter()).copied().collect();
            // one top byte crowded (a crafted text), and hashes in descending order
            let crowded: Vec<u32> = (0..n).map(|_| next() >> 8).collect();
            let descending: Vec<u32> = (0..n as u32).rev().map(|i| i << 20 | i).collect();
            for v in [random, repeated, low, twice, crowded, descending] {
                let mut want = v.clone();
                want.sort_unstable();
                want.dedup();
                want.truncate(SKETCH);
                let mut got = v;
                bottom_k(&mut got, &mut tmp);
                assert_eq!(got, want, "{n}");
            }
        }
    }

    #[test]
    fn document_ids_whose_hashes_clash_are_kept_apart() {
        let mut idx = ClusterIndex::new();
        assert_eq!(idx.assign("a", STORY).1, "a");
        // as if "b" and "c" hashed like "a"
        idx.current.by_doc.insert(doc_key("b"), 0, true);
        idx.current.by_doc.insert(doc_key("c"), 0, true);
        assert_eq!(idx.current.find_doc("c"), None);
        let (sk, c) = idx.assign("b", OTHER);
        assert_eq!(c, "b");
        assert_eq!(idx.current.find_doc("a"), Some(0));
        assert_eq!(idx.current.find_doc("b"), Some(1));
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
        let g = &idx.current;
        let longest = g
            .postings
            .lists()
            .iter()
            .map(|(_, list)| list.len())
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
        let mut idx = ClusterIndex::from_entries(vec![(
            "a".to_string(),
            vec![1, 2, 3],
            "a".to_string(),
            Vec::new(),
        )]);
        assert!(
            idx.take_new().is_empty(),
            "loaded entries are already stored"
        );
        let (h, c) = idx.assign("b", REPOST);
        idx.assign("b", REPOST);
        assert_eq!(idx.take_new(), vec![("b".to_string(), h, c, Vec::new())]);
        assert!(idx.take_new().is_empty());
        // an id stored twice finds its latest entry
        let mut dup = ClusterIndex::from_entries(vec![
            ("a".to_string(), vec![1, 2, 3], "a".to_string(), Vec::new()),
            ("a".to_string(), vec![4, 5, 6], "x".to_string(), Vec::new()),
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
            ("a".to_string(), h1, "a".to_string(), Vec::new()),
            ("c".to_string(), h3, "c".to_string(), Vec::new()),
        ];
        let mut back = ClusterIndex::from_entries(entries);
        assert_eq!(back.assign("e", REPOST).1, "a");
        assert_eq!(back.len(), 3);
    }

    /// Issue 44: alike texts naming other fields are other stories — also a verbatim text (a
    /// notice whose title alone names its product), and also after the index is rebuilt from
    /// stored entries; a repost naming the same fields, or none, joins.
    #[test]
    fn alike_texts_naming_other_fields_stay_apart_and_their_fields_are_stored() {
        let lamp = Fields::new(["灯具"], ["明辉照明电器有限公司"], [], ["MH-XD12"], []);
        let bike = Fields::new(["电动自行车"], ["驰远车业有限公司"], [], ["CY-48V06"], []);
        let mut idx = ClusterIndex::new();
        assert_eq!(idx.assign_with("lamp", STORY, &lamp).1, "lamp");
        assert_eq!(idx.assign_with("bike", REPOST, &bike).1, "bike");
        assert_eq!(idx.assign_with("bike-copy", STORY, &bike).1, "bike");
        assert_eq!(idx.assign_with("lamp-repost", REPOST, &lamp).1, "lamp");
        // naming nothing, a verbatim copy joins the first text it copies
        assert_eq!(idx.assign("unnamed", REPOST).1, "bike");
        let stored = idx.take_new();
        assert_eq!(stored[0].3, lamp.as_stored());
        let mut back = ClusterIndex::from_entries(stored);
        assert_eq!(back.assign_with("bike-2", STORY, &bike).1, "bike");
        assert_eq!(back.assign_with("lamp-2", STORY, &lamp).1, "lamp");
        let mut sketched = ClusterIndex::from_entries(back.take_new());
        let sk = Sketch::of_folded(&fold(STORY)).with_fields(bike.clone());
        assert_eq!(sketched.assign_sketch("bike-3", &sk), "bike");
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
    fn lines_are_those_of_the_standard_library() {
        let mut texts = labelled_texts();
        texts.extend(edge_texts());
        texts.extend(
            [
                "",
                "\n",
                "\n\n",
                "a",
                "a\n",
                "a\r\n",
                "a\r",
                "\r\n\r\n",
                "a\r\rb\n\rc",
                "一\n二\r\n\n三\r",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(
                sketch::lines(t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn normalise_drops_dateline_and_source_lines() {
        let n = normalise("中新网上海3月5日电（记者 李明）电动车起火。\n来源：中新网");
        assert_eq!(n, "电动车起火");
        assert_eq!(normalise("本报杭州讯 充电宝爆炸"), "充电宝爆炸");
    }

    /// Texts that differ in a few tokens, as one product family's listings and one complaint
    /// template do: where every candidate is close and the best-so-far floor prunes the most.
    fn homogeneous(n: usize, seed: u64) -> Vec<String> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % k) as usize
        };
        let brands = ["雅迪", "爱玛", "台铃", "新日", "绿源", "小牛"];
        let faults = ["鼓包", "发烫", "冒烟", "起火", "漏电"];
        (0..n)
            .map(|i| match i % 3 {
                0 => format!(
                    "{}电动自行车{}V{}Ah锂电池新国标 续航{}公里 已售{}件",
                    brands[next(6)],
                    [36, 48, 60][next(3)],
                    [12, 20, 24, 32][next(4)],
                    40 + 20 * next(6),
                    next(5000)
                ),
                1 => format!(
                    "本人{}月{}日购买{}牌充电宝，使用{}天后{}，商家拒绝退货，要求赔偿",
                    1 + next(12),
                    1 + next(28),
                    brands[next(6)],
                    1 + next(30),
                    faults[next(5)]
                ),
                _ => (0..20 + next(30))
                    .map(|_| ['电', '池', '充', '起', '火', '冒', '烟', '商', '家'][next(9)])
                    .collect(),
            })
            .collect()
    }

    /// Raising the floor to the best similarity found so far only skips candidates that could not
    /// have won: every assignment is the one the JOIN floor alone gives, across two generations.
    #[test]
    fn the_best_so_far_floor_changes_no_assignment() {
        let texts = homogeneous(9_000, 7);
        let mut fast = ClusterIndex::windowed(2_500);
        let mut reference = ClusterIndex {
            join_floor_only: true,
            ..ClusterIndex::windowed(2_500)
        };
        let mut joined = 0;
        for (i, t) in texts.iter().enumerate() {
            let id = format!("d{i}");
            let (a, b) = (fast.assign(&id, t).1, reference.assign(&id, t).1);
            assert_eq!(a, b, "document {i}: {t}");
            joined += usize::from(a != id);
        }
        assert!(joined > 1_000, "too few joins to tell: {joined}");
    }
}
