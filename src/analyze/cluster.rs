//! Near-duplicate clustering: reposts of one story share a cluster id so they count once.
//!
//! Each text is normalised (folded, dateline / source / editor lines dropped, only letters and digits
//! kept), cut into character 3-shingles and hashed to a 64-bit SimHash. Lookup is banded (LSH): the hash
//! is split into 8 bands of 8 bits; documents sharing a band are candidates, and a candidate within
//! [`MAX_DISTANCE`] bits joins its cluster. Any two hashes within 7 bits share at least one band.

use std::collections::HashMap;

const BANDS: usize = 8;
const BAND_BITS: u32 = 64 / BANDS as u32;
/// Largest Hamming distance between a document and a cluster member for it to join the cluster.
pub const MAX_DISTANCE: u32 = 10;
/// Texts shorter than this (after normalising) are never clustered with others.
const MIN_CHARS: usize = 12;

/// FNV-1a 64: stable across runs and Rust versions (cluster ids are stored).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
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
        out.extend(t.chars().filter(|c| c.is_alphanumeric()));
    }
    out
}

/// Remove a leading dateline ("中新网上海3月5日电（记者 张三）", "本报杭州讯") from a line.
fn strip_dateline(line: &str) -> &str {
    let head: String = line.chars().take(30).collect();
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

/// 64-bit SimHash over character 3-shingles of the normalised text.
pub fn simhash(text: &str) -> u64 {
    let norm = normalise(text);
    let chars: Vec<char> = norm.chars().collect();
    let mut acc = [0i64; 64];
    let mut add = |s: &[char]| {
        let st: String = s.iter().collect();
        let h = fnv1a(st.as_bytes());
        for (bit, a) in acc.iter_mut().enumerate() {
            if h >> bit & 1 == 1 { *a += 1 } else { *a -= 1 }
        }
    };
    if chars.len() < 3 {
        if !chars.is_empty() {
            add(&chars);
        }
    } else {
        for w in chars.windows(3) {
            add(w);
        }
    }
    acc.iter()
        .enumerate()
        .fold(0u64, |h, (bit, &a)| if a > 0 { h | 1 << bit } else { h })
}

fn band(h: u64, i: usize) -> u16 {
    ((h >> (i as u32 * BAND_BITS)) & ((1 << BAND_BITS) - 1)) as u16
}

/// Near-duplicate index. Not shared between threads: the pipeline keeps one and assigns in order.
#[derive(Debug, Default)]
pub struct ClusterIndex {
    /// (doc id, simhash, cluster id)
    entries: Vec<(String, u64, String)>,
    by_doc: HashMap<String, usize>,
    bands: HashMap<(u8, u16), Vec<usize>>,
    /// Entries before this index are already persisted (loaded, or handed out by `take_new`).
    persisted: usize,
}

impl ClusterIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuild from stored (doc id, simhash, cluster id) triples.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, u64, String)>) -> Self {
        let mut idx = Self::new();
        for (d, h, c) in entries {
            idx.insert(d, h, c);
        }
        idx.persisted = idx.entries.len();
        idx
    }

    /// Entries assigned since the index was loaded or last asked, for the store to persist.
    pub fn take_new(&mut self) -> Vec<(String, u64, String)> {
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

    fn insert(&mut self, doc: String, h: u64, cluster: String) {
        let i = self.entries.len();
        for b in 0..BANDS {
            self.bands.entry((b as u8, band(h, b))).or_default().push(i);
        }
        self.by_doc.insert(doc.clone(), i);
        self.entries.push((doc, h, cluster));
    }

    /// Returns (simhash, cluster id). A document seen before keeps its cluster (reruns are idempotent);
    /// cluster id = id of the first document of the cluster.
    pub fn assign(&mut self, doc_id: &str, text: &str) -> (u64, String) {
        if let Some(&i) = self.by_doc.get(doc_id)
            && let Some((_, h, c)) = self.entries.get(i)
        {
            return (*h, c.clone());
        }
        // Too little text to tell a repost from a different story: its own cluster, not a candidate.
        if normalise(text).chars().count() < MIN_CHARS {
            let h = simhash(text);
            self.by_doc.insert(doc_id.to_string(), self.entries.len());
            self.entries
                .push((doc_id.to_string(), h, doc_id.to_string()));
            return (h, doc_id.to_string());
        }
        let h = simhash(text);
        let mut best: Option<(u32, usize)> = None;
        for b in 0..BANDS {
            if let Some(list) = self.bands.get(&(b as u8, band(h, b))) {
                for &i in list {
                    let d = (self.entries[i].1 ^ h).count_ones();
                    if d <= MAX_DISTANCE && best.is_none_or(|(bd, bi)| (d, i) < (bd, bi)) {
                        best = Some((d, i));
                    }
                }
            }
        }
        let cluster = match best {
            Some((_, i)) => self.entries[i].2.clone(),
            None => doc_id.to_string(),
        };
        self.insert(doc_id.to_string(), h, cluster.clone());
        (h, cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "中新网杭州3月5日电（记者 王立）3月4日晚8时许，杭州市拱墅区某小区地下车库内一辆正在充电的电动自行车突然起火，火势迅速蔓延至旁边停放的三辆电动车。物业保安发现后立即使用灭火器扑救，并拨打119报警。消防救援人员赶到后十分钟内将明火扑灭，事故未造成人员伤亡。据初步调查，起火车辆的锂电池系车主自行从网上购买的非原厂电池，充电器也并非原装。消防部门表示，改装电池和不匹配的充电器是电动车火灾的主要诱因。\n责任编辑：刘洋";
    const REPOST: &str = "本报杭州讯 3月4日晚8时许，杭州市拱墅区某小区地下车库内一辆正在充电的电动自行车突然起火，火势很快蔓延到旁边停放的三辆电动车。物业保安发现后立即使用灭火器扑救，并拨打119报警。消防救援人员赶到后十分钟内将明火扑灭，事故未造成人员伤亡。据初步调查，起火车辆的锂电池系车主自行从网上购买的非原厂电池，充电器也并非原装。消防部门表示，改装电池和不匹配的充电器是电动车火灾的主要诱因。\n来源：都市快报";
    const OTHER: &str = "12日下午，宁波市鄞州区一居民楼楼道内停放的电动自行车发生火灾，浓烟顺着楼梯间往上蹿，多名住户被困家中。消防员佩戴空气呼吸器进入楼内，疏散救出被困群众二十余人，其中两名老人因吸入烟气被送医观察。经查，该车为车主从二手市场购买，电池曾多次维修。社区随后开展了楼道堆物清理行动，劝导居民不要把电动车推进楼道。";
    const OTHER2: &str = "市场监管部门近日对辖区销售的电动自行车用锂离子蓄电池开展专项检查，共检查经营户35家，发现部分门店销售无合格证明的电池，已责令下架并立案调查。执法人员提醒消费者，到正规门店购买与车辆匹配的电池和充电器，不要私自改装提升续航。";

    #[test]
    fn take_new_hands_out_each_assignment_once() {
        let mut idx = ClusterIndex::from_entries(vec![("a".to_string(), 1, "a".to_string())]);
        assert!(idx.take_new().is_empty(), "loaded entries are already stored");
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
            (h1 ^ h2).count_ones() <= MAX_DISTANCE,
            "distance {}",
            (h1 ^ h2).count_ones()
        );
        assert_eq!(c1, "a");
        assert_eq!(c2, "a");
        let (h3, c3) = idx.assign("c", OTHER);
        assert_eq!(c3, "c", "distance to story {}", (h1 ^ h3).count_ones());
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
