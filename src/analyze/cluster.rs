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
//! Why not SimHash: measured on the demo corpus, reposts of 150-character stories (new dateline,
//! one sentence added or dropped) have 4-shingle Jaccard ≥ 0.60 while different stories on the
//! same product and template stay ≤ 0.48, but their 64-bit SimHashes overlap in Hamming distance.

use super::fxhash::{FxHashMap, FxHashSet};

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

/// FNV-1a 64 then folded to 32 bits: stable across runs and Rust versions (sketches are stored).
fn shingle_hash(s: &str) -> u32 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in s.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    (h ^ (h >> 32)) as u32
}

/// Drop lines and leading clauses that differ between reposts but say nothing about the story.
pub fn normalise(text: &str) -> String {
    let folded = super::fold(text);
    let mut out = String::with_capacity(folded.len());
    for (i, line) in folded.lines().enumerate() {
        let t = line.trim();
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
        if SKIP.iter().any(|s| t.starts_with(s)) && t.chars().count() < 60 {
            continue;
        }
        let mut t = t;
        if i < 3 {
            t = strip_dateline(t);
        }
        out.extend(t.chars().filter(|&c| is_alnum(c)));
    }
    out
}

/// `char::is_alphanumeric` with the common cases first: ASCII, and the CJK Unified Ideographs
/// block (all letters) without the Unicode table search.
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric()
    }
}

/// Remove a leading dateline ("中新网上海3月5日电（记者 张三）", "本报杭州讯") from a line.
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

/// Bottom-k sketch of a text: the [`SKETCH`] smallest distinct shingle hashes, ascending.
pub fn sketch(text: &str) -> Vec<u32> {
    sketch_normalised(&normalise(text)).0
}

/// Sketch of an already normalised text, and its length in characters. Shingles are hashed as
/// slices of the text (no string per shingle); the hashes are those of the shingles' UTF-8 bytes.
fn sketch_normalised(norm: &str) -> (Vec<u32>, usize) {
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

/// Jaccard similarity of two texts from their sketches: exact when both sketches hold their whole
/// shingle set, otherwise the KMV estimate over the union's elements below the smaller cut-off.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // A sketch cut at SKETCH elements says nothing about hashes above its largest.
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

/// One clustered document: (doc id, sketch, cluster id).
pub type ClusterEntry = (String, Vec<u32>, String);

fn sketch_key(sketch: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    sketch.hash(&mut h);
    h.finish()
}

/// Near-duplicate index. Not shared between threads: the pipeline keeps one and assigns in order.
#[derive(Debug, Default)]
pub struct ClusterIndex {
    entries: Vec<ClusterEntry>,
    by_doc: FxHashMap<String, usize>,
    postings: FxHashMap<u32, Vec<usize>>,
    /// Hash of a whole sketch → the first entry with that sketch. Verbatim copies (syndicated
    /// news, one page at many URLs) resolve here in one lookup, and only the first copy goes into
    /// `postings`, which would otherwise fill with identical entries and make every lookup of the
    /// story compare against hundreds of them.
    exact: FxHashMap<u64, usize>,
    /// Entries before this index are already persisted (loaded, or handed out by `take_new`).
    persisted: usize,
}

impl ClusterIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuild from stored entries.
    pub fn from_entries(entries: impl IntoIterator<Item = ClusterEntry>) -> Self {
        let mut idx = Self::new();
        for (d, s, c) in entries {
            idx.insert(d, s, c);
        }
        idx.persisted = idx.entries.len();
        idx
    }

    /// Entries assigned since the index was loaded or last asked, for the store to persist.
    pub fn take_new(&mut self) -> Vec<ClusterEntry> {
        let new = self.entries[self.persisted.min(self.entries.len())..].to_vec();
        self.persisted = self.entries.len();
        new
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry whose sketch equals `sketch`, if any.
    fn identical(&self, sketch: &[u32]) -> Option<usize> {
        let i = *self.exact.get(&sketch_key(sketch))?;
        (self.entries.get(i)?.1 == sketch).then_some(i)
    }

    fn insert(&mut self, doc: String, sketch: Vec<u32>, cluster: String) {
        let i = self.entries.len();
        // An identical earlier sketch stands for this one in the postings: any later document
        // that would match this entry matches it equally (same similarity, earlier index).
        if sketch.len() * SHINGLE >= MIN_CHARS && self.identical(&sketch).is_none() {
            self.exact.entry(sketch_key(&sketch)).or_insert(i);
            for &k in sketch.iter().take(KEYS) {
                self.postings.entry(k).or_default().push(i);
            }
        }
        self.by_doc.insert(doc.clone(), i);
        self.entries.push((doc, sketch, cluster));
    }

    /// Returns (sketch, cluster id). A document seen before keeps its cluster (reruns are
    /// idempotent); a cluster's id is the id of its first document.
    pub fn assign(&mut self, doc_id: &str, text: &str) -> (Vec<u32>, String) {
        if let Some(&i) = self.by_doc.get(doc_id)
            && let Some((_, s, c)) = self.entries.get(i)
        {
            return (s.clone(), c.clone());
        }
        let (sk, chars) = sketch_normalised(&normalise(text));
        // Too little text to tell a repost from a different story: its own cluster.
        if chars < MIN_CHARS {
            self.insert(doc_id.to_string(), sk.clone(), doc_id.to_string());
            return (sk, doc_id.to_string());
        }
        // A verbatim copy: similarity 1, and the earliest identical entry is the one the scan
        // below would pick (all identical entries share its cluster).
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
                // two whole shingle sets: Jaccard is at most the smaller size over the larger
                if sk.len() < SKETCH
                    && other.len() < SKETCH
                    && (sk.len().min(other.len()) as f64) < JOIN * sk.len().max(other.len()) as f64
                {
                    continue;
                }
                let sim = similarity(&sk, other);
                // Ties go to the earliest document, so assignment does not depend on map order.
                if sim >= JOIN && best.is_none_or(|(bs, bi)| sim > bs || (sim == bs && i < bi)) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let longest = idx.postings.values().map(Vec::len).max().unwrap_or(0);
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
        for c in ('\0'..='\u{FFFF}').chain('\u{20000}'..='\u{2A6DF}') {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
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
