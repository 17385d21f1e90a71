//! Normalising a text and its bottom-k sketch of character 4-shingle hashes, and the Jaccard
//! similarity of two sketches: what [`super::ClusterIndex`] compares documents by.

/// Sketch size (hashes kept per document).
pub const SKETCH: usize = 128;
/// Jaccard similarity at or above which a document joins a cluster.
pub const JOIN: f64 = 0.55;
/// Shingle length in characters.
pub(super) const SHINGLE: usize = 4;
/// Texts shorter than this (after normalising) are never clustered with others.
pub(super) const MIN_CHARS: usize = 12;
/// Shingle hashes are FNV-1a 64 over the shingle's UTF-8 bytes, folded to 32 bits: stable across
/// runs and Rust versions (sketches are stored).
pub(super) const FNV_OFFSET: u64 = 0xcbf29ce484222325;
pub(super) const FNV_PRIME: u64 = 0x100000001b3;

pub(super) fn fnv_fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// Lines that open with one of these and are short are bylines, sources and editor credits.
pub(super) const SKIP: [&str; 12] = [
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
pub(super) fn is_byline(t: &str) -> bool {
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
pub(super) fn normalised_lines(folded: &str, mut keep: impl FnMut(&str)) {
    for (i, line) in lines(folded).enumerate() {
        let t = line.trim();
        if is_byline(t) {
            continue;
        }
        keep(if i < 3 { strip_dateline(t) } else { t });
    }
}

/// `str::lines` (a line end is "\n" or "\r\n"; no empty line after a final line end), its line
/// ends found by memchr's vector search where `lines` took the portable one, a fifth of the
/// sketch's time outside its hashing.
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let line = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(k) => {
                let line = rest.get(..k).unwrap_or_default();
                rest = rest.get(k + 1..).unwrap_or_default();
                line.strip_suffix('\r').unwrap_or(line)
            }
            None => std::mem::take(&mut rest),
        };
        Some(line)
    })
}

/// The normalised text itself (the sketch never builds it).
#[cfg(test)]
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::new();
    normalised_lines(&crate::analyze::fold(text), |t| {
        out.extend(t.chars().filter(|&c| is_alnum(c)))
    });
    out
}

/// Length of the UTF-8 sequence that `lead` starts (in valid UTF-8).
pub(super) fn utf8_len(lead: u8) -> usize {
    (lead.leading_ones() as usize).max(1)
}

/// [`is_alnum`] of the character whose UTF-8 encoding is `ch`.
#[inline]
pub(super) fn is_alnum_utf8(ch: &[u8]) -> bool {
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
pub(super) fn is_alnum(c: char) -> bool {
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
pub(super) fn strip_dateline(line: &str) -> &str {
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
pub(super) struct Shingler<'a> {
    /// FNV states of the shingles that started three, two and one characters ago.
    open: [u64; SHINGLE - 1],
    /// Hashes made and not yet moved to `out`: `block[..filled]`.
    block: [u32; BLOCK],
    filled: usize,
    /// One hash per character seen: the first three are of partial shingles until
    /// [`Shingler::finish`] mends them, so the loop needs neither a count nor a test of it.
    out: &'a mut Vec<u32>,
}

/// Hashes a [`Shingler`] makes into its block before it moves them to its vector: a push at each
/// character kept the vector's length and capacity in memory, and a test of the capacity.
const BLOCK: usize = 64;

/// One FNV-1a step.
#[inline(always)]
fn step(h: u64, x: u8) -> u64 {
    (h ^ u64::from(x)).wrapping_mul(FNV_PRIME)
}

/// [`Shingler::push_alnum`]'s loop over ASCII and CJK ideographs (most of a text), hashing into
/// `block` from `filled`: returns the states, the bytes left and the new fill at the end of
/// `rest`, at a character of another kind, or with the block full. No call is made in it, so the
/// states stay in registers: with the class test of other characters (a call) in the same loop
/// they were stored and reloaded at every character.
#[inline(never)]
fn hash_common<'t>(
    [mut a, mut b, mut c]: [u64; SHINGLE - 1],
    mut rest: &'t [u8],
    block: &mut [u32; BLOCK],
    mut filled: usize,
) -> ([u64; SHINGLE - 1], &'t [u8], usize) {
    while let Some(slot) = block.get_mut(filled) {
        // the shingle starting at this character
        let mut d = FNV_OFFSET;
        match *rest {
            // CJK Unified Ideographs (E5..E9 lead bytes, and E4 from U+4E00): letters all, so
            // no class test
            [x0 @ 0xE5..=0xE9, x1, x2, ref tail @ ..]
            | [x0 @ 0xE4, x1 @ 0xB8..=0xBF, x2, ref tail @ ..] => {
                rest = tail;
                for x in [x0, x1, x2] {
                    (a, b, c, d) = (step(a, x), step(b, x), step(c, x), step(d, x));
                }
            }
            [x, ref tail @ ..] if x < 0x80 => {
                rest = tail;
                if !x.is_ascii_alphanumeric() {
                    continue;
                }
                (a, b, c, d) = (step(a, x), step(b, x), step(c, x), step(d, x));
            }
            _ => break,
        }
        // the shingle that started three characters ago is whole (but for the text's first
        // three characters, mended by `finish`)
        *slot = fnv_fold(a);
        filled += 1;
        (a, b, c) = (b, c, d);
    }
    ([a, b, c], rest, filled)
}

impl<'a> Shingler<'a> {
    fn new(out: &'a mut Vec<u32>) -> Self {
        Shingler {
            open: [FNV_OFFSET; SHINGLE - 1],
            block: [0; BLOCK],
            filled: 0,
            out,
        }
    }

    /// Moves the block's hashes to the vector, in order.
    fn flush(&mut self) {
        self.out
            .extend_from_slice(self.block.get(..self.filled).unwrap_or_default());
        self.filled = 0;
    }

    /// Hashes the letters and digits of `t`, reading its bytes directly (the hashes need bytes,
    /// and most characters are judged by their first two bytes): the common one- and three-byte
    /// characters in [`hash_common`], any other here.
    fn push_alnum(&mut self, t: &str) {
        let mut rest = t.as_bytes();
        loop {
            let (open, r, filled) = hash_common(self.open, rest, &mut self.block, self.filled);
            (self.open, rest, self.filled) = (open, r, filled);
            if filled == BLOCK {
                self.flush();
                continue;
            }
            let Some(&lead) = rest.first() else {
                return;
            };
            let Some((ch, tail)) = rest.split_at_checked(utf8_len(lead)) else {
                return;
            };
            rest = tail;
            if !is_alnum_utf8(ch) {
                continue;
            }
            let [mut a, mut b, mut c] = self.open;
            let mut d = FNV_OFFSET;
            for &x in ch {
                (a, b, c, d) = (step(a, x), step(b, x), step(c, x), step(d, x));
            }
            // (the block first: the hashes stay in order)
            self.flush();
            self.out.push(fnv_fold(a));
            self.open = [b, c, d];
        }
    }

    /// Number of characters seen. A text shorter than a shingle is hashed whole, as one shingle;
    /// a longer one's three hashes of partial shingles become copies of its first whole one,
    /// which the bottom-k drops as duplicates (cheaper than moving every hash down).
    fn finish(mut self) -> usize {
        self.flush();
        let chars = self.out.len();
        if (1..SHINGLE).contains(&chars) {
            let whole = self.open.get(SHINGLE - 1 - chars).copied();
            self.out.clear();
            self.out.extend(whole.map(fnv_fold));
        } else if let Some(&first) = self.out.get(SHINGLE - 1) {
            for h in self.out.iter_mut().take(SHINGLE - 1) {
                *h = first;
            }
        }
        chars
    }
}

/// Fills `out` with the sketch of already folded text (the [`SKETCH`] smallest distinct shingle
/// hashes, ascending) and returns the normalised text's length in characters.
/// `tmp` is scratch space.
pub(super) fn sketch_folded_into(folded: &str, out: &mut Vec<u32>, tmp: &mut Vec<u32>) -> usize {
    out.clear();
    let mut shingles = Shingler::new(out);
    normalised_lines(folded, |t| shingles.push_alnum(t));
    let chars = shingles.finish();
    bottom_k(out, tmp);
    // `out` is kept between documents: one very long text must not hold its size for good
    if out.capacity() > 1 << 16 {
        out.shrink_to(SKETCH);
    }
    chars
}

/// Leaves in `out` its [`SKETCH`] smallest distinct hashes, ascending; `tmp` is scratch.
///
/// Hashes are uniform over u32, so one count of their top bytes tells how far up to go: the
/// smallest top byte at or below which half as many again as [`SKETCH`] of them lie. Those few are
/// scattered straight into their top byte's place in `tmp` (a counting sort by that byte, which
/// leaves only a couple of hashes per byte to order: an insertion sort finishes with about one
/// comparison each) and deduplicated; every hash left out is above every hash kept, so when the
/// kept ones hold [`SKETCH`] distinct values they are the smallest. A text that repeats itself
/// too much to fill the cut is cut again twice as wide, at worst taken whole. One count and one
/// scatter: a partition to the front followed by a bucket sort of its own counted and moved the
/// kept hashes twice more.
pub(super) fn bottom_k(out: &mut Vec<u32>, tmp: &mut Vec<u32>) {
    /// Kept hashes above which one top byte holds too many for an insertion sort (a text crafted
    /// to crowd one byte): they are sorted normally.
    const INSERTION_MAX: usize = 4 * SKETCH;
    let n = out.len();
    if n < 2 {
        return;
    }
    // below[b]: hashes whose top byte is under b
    let mut below = [0u32; 257];
    for &x in out.iter() {
        if let Some(c) = below.get_mut((x >> 24) as usize + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for c in below.iter_mut() {
        sum += *c;
        *c = sum;
    }
    let mut want = SKETCH + SKETCH / 2;
    loop {
        // the first top byte at or below which `want` hashes lie (all of them at worst, with
        // no search when there are no more than that)
        let top = if n <= want {
            255
        } else {
            below
                .iter()
                .skip(1)
                .position(|&c| c as usize >= want)
                .unwrap_or(255)
        };
        let kept = below.get(top + 1).map_or(n, |&c| c as usize);
        let mut next = below;
        tmp.clear();
        tmp.resize(kept, 0);
        if kept > INSERTION_MAX {
            for &x in out.iter() {
                let byte = (x >> 24) as usize;
                if byte <= top
                    && let Some(at) = next.get_mut(byte)
                    && let Some(slot) = tmp.get_mut(*at as usize)
                {
                    *slot = x;
                    *at += 1;
                }
            }
            tmp.sort_unstable();
        } else {
            // each hash inserted in order among those of its top byte as it is scattered: one
            // pass, where a scatter and then an insertion sort over the whole took two
            for &x in out.iter() {
                let byte = (x >> 24) as usize;
                if byte > top {
                    continue;
                }
                let (Some(&first), Some(at)) = (below.get(byte), next.get_mut(byte)) else {
                    continue;
                };
                let mut j = *at as usize;
                *at += 1;
                while j > first as usize
                    && let Some(&y) = tmp.get(j - 1)
                    && y > x
                {
                    if let Some(slot) = tmp.get_mut(j) {
                        *slot = y;
                    }
                    j -= 1;
                }
                if let Some(slot) = tmp.get_mut(j) {
                    *slot = x;
                }
            }
        }
        tmp.dedup();
        if tmp.len() >= SKETCH || kept == n {
            out.clear();
            out.extend_from_slice(tmp.get(..SKETCH).unwrap_or(tmp));
            return;
        }
        want *= 2;
    }
}

/// Bottom-k sketch of a text: the [`SKETCH`] smallest distinct shingle hashes, ascending.
pub fn sketch(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    sketch_folded_into(&crate::analyze::fold(text), &mut out, &mut Vec::new());
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
pub(super) fn max_misses(total: usize, floor: f64) -> usize {
    (total as f64 * (1.0 - floor) / (1.0 + floor)) as usize + 1
}

/// Words of a [`Sig`]: 448 buckets, so that a signature, the sketch's length and a lookup stamp
/// fill one 64-byte cache line ([`super::Probe`]). With 128 buckets (two words) a short
/// listing's 50 hashes filled a third of them, shared and unshared hashes collided, and the bound
/// let almost every candidate of a template-built corpus through to a merge; at 448 it is close
/// to the miss count.
const SIG_WORDS: usize = 7;
const SIG_BUCKETS: u64 = 64 * SIG_WORDS as u64;

/// Which of 448 buckets a sketch's hashes fall in. A bucket that only one of two sketches has
/// holds at least one miss, so for whole shingle sets [`Sig::misses_at_least`] bounds the misses
/// from below without a merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Sig([u64; SIG_WORDS]);

impl Sig {
    /// Buckets that exactly one of the two signatures holds.
    #[inline(always)]
    pub(super) fn misses_at_least(&self, other: &Sig) -> usize {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones() as usize)
            .sum()
    }

    /// The bucket of a cut sketch's largest hash, which bounds what its Jaccard estimate reads:
    /// buckets follow hash order (multiply-shift is monotone), so it is the highest bucket held.
    /// [`SIG_BUCKETS`] for a whole shingle set (read to its end) or an empty one.
    #[inline(always)]
    pub(super) fn cut_bucket(&self, len: usize) -> usize {
        if len < SKETCH {
            return SIG_BUCKETS as usize;
        }
        self.0
            .iter()
            .rposition(|&w| w != 0)
            .and_then(|k| {
                let w = self.0.get(k)?;
                Some(k * 64 + 63 - w.leading_zeros() as usize)
            })
            .unwrap_or(SIG_BUCKETS as usize)
    }

    /// Buckets below `below` that exactly one of the two signatures holds. Two sketches compared
    /// up to the smaller of their largest hashes ([`jaccard`]) miss at least once in each such
    /// bucket below the smaller [`Sig::cut_bucket`]: every hash there is under that cut.
    #[inline(always)]
    pub(super) fn misses_below(&self, other: &Sig, below: usize) -> usize {
        self.0
            .iter()
            .zip(other.0.iter())
            .enumerate()
            .map(|(k, (a, b))| {
                let from = k * 64;
                let mask = match below.saturating_sub(from) {
                    0 => 0,
                    n if n >= 64 => u64::MAX,
                    n => (1u64 << n) - 1,
                };
                ((a ^ b) & mask).count_ones() as usize
            })
            .sum()
    }
}

/// The [`Sig`] of a sketch.
pub(super) fn signature(sketch: &[u32]) -> Sig {
    let mut sig = [0u64; SIG_WORDS];
    for &x in sketch {
        // multiply-shift: a uniform 32-bit hash to a uniform bucket below SIG_BUCKETS
        let bucket = (u64::from(x) * SIG_BUCKETS) >> 32;
        if let Some(w) = sig.get_mut((bucket >> 6) as usize) {
            *w |= 1 << (bucket & 63);
        }
    }
    Sig(sig)
}

/// [`JOIN`] as the fraction `JOIN_NUM / JOIN_DEN`, for the integer bounds a lookup checks per
/// candidate (a test keeps the two in step).
pub(super) const JOIN_NUM: usize = 11;
pub(super) const JOIN_DEN: usize = 20;

/// Whether two whole shingle sets of `a` and `b` elements, of which at least `misses` are in
/// only one, can still reach [`JOIN`]: Jaccard is at most the smaller size over the larger, and
/// at most (total − misses) / (total + misses). Exact integer forms of
/// `min < JOIN · max` and [`max_misses`] (which allows one miss of slack).
#[inline(always)]
pub(super) fn may_join(a: usize, b: usize, misses: usize) -> bool {
    let (min, max) = if a < b { (a, b) } else { (b, a) };
    let total = a + b;
    JOIN_DEN * min >= JOIN_NUM * max
        && misses <= total * (JOIN_DEN - JOIN_NUM) / (JOIN_DEN + JOIN_NUM) + 1
}

/// [`may_join`] for a floor above [`JOIN`] (the best similarity a lookup has found so far): whether
/// two whole shingle sets of `a` and `b` elements with at least `misses` in only one can still
/// reach `floor`. Float forms of the same two bounds, each with slack on the safe side, so a set
/// exactly at the floor is never dropped (ties decide between equally similar documents).
#[inline(always)]
pub(super) fn may_reach(a: usize, b: usize, misses: usize, floor: f64) -> bool {
    let (min, max) = if a < b { (a, b) } else { (b, a) };
    min as f64 >= floor * max as f64 * (1.0 - 1e-9) && misses <= max_misses(a + b, floor)
}

/// Whether a query (signature, [`Sig::cut_bucket`], length) and a candidate (signature, length)
/// may still reach `floor`, told from their signatures. Two whole shingle sets: by their sizes and
/// the buckets only one holds ([`may_join`], [`may_reach`]). Otherwise the estimate reads below
/// the smaller cut, where each bucket only one side holds is a miss: more than the merge allows
/// (counted against both lengths, at least what it reads) and it would stop short of the floor.
#[inline(always)]
pub(super) fn may_pass(
    (sig, cut, qlen): (&Sig, usize, usize),
    (other, len): (&Sig, usize),
    floor: f64,
) -> bool {
    if qlen < SKETCH && len < SKETCH {
        let misses = sig.misses_at_least(other);
        return if floor > JOIN {
            may_reach(qlen, len, misses, floor)
        } else {
            may_join(qlen, len, misses)
        };
    }
    let below = cut.min(other.cut_bucket(len));
    sig.misses_below(other, below) <= max_misses(qlen + len, floor)
}

/// [`similarity`], or `None` as soon as it is certainly below `floor`: comparing a document with
/// candidates that share only a common shingle mostly stops after a third of the merge.
pub(super) fn jaccard(a: &[u32], b: &[u32], floor: f64) -> Option<f64> {
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
    // sketches ascend: a binary search, not a scan of up to two whole sketches per candidate
    let below = |s: &[u32]| {
        if limit == u32::MAX {
            s.len()
        } else {
            s.partition_point(|&x| x <= limit)
        }
    };
    let (na, nb) = (below(a), below(b));
    let total = na + nb;
    let max_misses = if floor > 0.0 {
        max_misses(total, floor)
    } else {
        usize::MAX
    };
    // every element of the longer side beyond the shorter side's count is a miss: sketches of
    // very different sizes need no merge
    if na.abs_diff(nb) > max_misses {
        return None;
    }
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
