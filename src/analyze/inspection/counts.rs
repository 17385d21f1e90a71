//! A count of batches and its words: where counts stand in a clause (`N批次`), what each counts
//! (sampled, failed, passed, all failed or passed) from the words before and after it, the
//! enterprises counted beside it, and the sentences and clauses a notice is read in. Grammar
//! only: which tally a count goes to is the sentence reader's (`text.rs`).

use super::*;
use std::sync::LazyLock;

/// Words before a count that say it counts what was sampled.
pub(super) const SAMPLED_CUES: [&str; 19] = [
    "抽查",
    "抽检",
    "抽取",
    "抽到",
    "抽样",
    "抽验",
    "抽测",
    "采集",
    "采样",
    "检验了",
    "检测了",
    "共",
    "涉及",
    "购买",
    "选取",
    "比对",
    "监测",
    "受检",
    "实际",
];
/// What may stand between a count and the failure or pass wording about it.
const FILLER: [&str; 15] = [
    "产品",
    "样品",
    "商品",
    "问题",
    "的",
    "有",
    "为",
    "共",
    "计",
    "均",
    "全部",
    "被判定为",
    "经检验",
    "检出",
    "被检出",
];
/// Words that make a count no result: a plan, batches handed to enforcement, or those of one item.
pub(super) const NOT_RESULT: [&str; 5] = ["计划", "涉嫌", "移送", "另外", "该项目"];
/// [`NOT_RESULT`], [`FAILED_WORDS`] and [`SAMPLED_CUES`] each as one automaton, built once: a
/// span asked whether it holds a word of a list is read once (most spans are short, and hold none
/// of the list's first characters), where a `str::contains` per word set up a searcher each.
pub(super) static NOT_RESULT_IN: LazyLock<Words> = LazyLock::new(|| words_of(&NOT_RESULT));
pub(super) static FAILED_IN: LazyLock<Words> = LazyLock::new(|| words_of(&FAILED_WORDS));
static SAMPLED_IN: LazyLock<Words> = LazyLock::new(|| words_of(&SAMPLED_CUES));

fn words_of(list: &[&str]) -> Words {
    Words::new(list.iter().map(|w| w.to_string()))
}

/// What a count of batches counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Sampled,
    Failed,
    Passed,
    /// All of the count's batches failed ("13个批次调压器全部不合格").
    AllFailed,
    /// All of them passed.
    AllPassed,
    /// The notice found nothing failed ("未发现不合格"), no count given.
    NoneFailed,
}

/// Whether `s` may open with `w`: their first two bytes (of a short word, what it has) agree.
/// A word's whole comparison is a call: the words a count's role is read by are compared with
/// every stretch beside a count, and most differ at once.
fn opens(s: &str, w: &str) -> bool {
    let (s, w) = (s.as_bytes(), w.as_bytes());
    w.first().is_none_or(|a| s.first() == Some(a)) && w.get(1).is_none_or(|b| s.get(1) == Some(b))
}

/// Whether `s` may end with `w`: their last bytes agree, as [`opens`] compares first bytes.
fn closes(s: &str, w: &str) -> bool {
    w.as_bytes()
        .last()
        .is_none_or(|a| s.as_bytes().last() == Some(a))
}

/// What a count counts, from the words before it in its stretch (`pre`) and after it (`post`;
/// `rest`: after the product named right after it). `None`: no result (a plan, a count of
/// batches with one failed item, a count handed to enforcement).
pub(super) fn role_of(pre: &str, post: &str, rest: &str, named_before: bool) -> Option<Role> {
    if NOT_RESULT_IN.in_text(pre) || NOT_RESULT_IN.in_text(post) {
        return None;
    }
    // slices of the words given, where a copy per filler stripped was most of reading a role
    fn strip(s: &str) -> &str {
        let mut s = s.trim_start_matches(['(', ')', '（', '）', ' ']);
        loop {
            let before = s.len();
            for f in FILLER {
                if let Some(r) = opens(s, f).then(|| s.strip_prefix(f)).flatten() {
                    s = r.trim_start();
                }
            }
            if s.len() == before {
                return s;
            }
        }
    }
    let (after, rest_after) = (strip(post), strip(rest));
    let all = |s: &str, words: &[&str]| {
        let s = s.trim_start_matches(['(', ')', '（', '）', ' ']);
        let s = s.strip_prefix("产品").unwrap_or(s);
        words.iter().any(|w| opens(s, w) && s.starts_with(w))
    };
    if all(rest, &["全部不合格", "均不合格"]) || all(post, &["全部不合格", "均不合格"])
    {
        return Some(Role::AllFailed);
    }
    if all(rest, &["全部合格", "均合格", "均符合"]) || all(post, &["全部合格", "均合格"])
    {
        return Some(Role::AllPassed);
    }
    let starts = |s: &str, words: &[&str]| words.iter().any(|w| opens(s, w) && s.starts_with(w));
    if starts(after, &FAILED_WORDS) || starts(rest_after, &FAILED_WORDS) {
        return Some(Role::Failed);
    }
    // "抽查电暖器40个批次，合格率为95%": a rate says what was sampled, not how many failed
    if starts(after, &["合格率", "不合格率"]) || starts(rest_after, &["合格率", "不合格率"])
    {
        return Some(Role::Sampled);
    }
    if after.starts_with("合格") || rest_after.starts_with("合格") {
        return Some(Role::Passed);
    }
    // before the count: "不合格3批次", "合格45批次", "不合格产品3个批次"
    let mut head = pre.trim_end();
    loop {
        let before = head.len();
        for f in FILLER.iter().chain(&["批次", ":", "：", "中", "其中"]) {
            if let Some(r) = closes(head, f).then(|| head.strip_suffix(f)).flatten() {
                head = r.trim_end();
            }
        }
        if head.len() == before {
            break;
        }
    }
    if FAILED_WORDS
        .iter()
        .any(|w| closes(head, w) && head.ends_with(w))
    {
        return Some(Role::Failed);
    }
    if head.ends_with("合格") {
        return Some(Role::Passed);
    }
    // "40批次样品中3批次不合格", "在抽查的12个批次电热毯中"
    if after.starts_with('中') || rest_after.starts_with('中') {
        return Some(Role::Sampled);
    }
    // a count whose batches failed one item ("2批次灭火剂含量不合格") is no total
    if FAILED_IN.in_text(post) {
        return None;
    }
    // nor is one whose batches a finding describes ("发现有1批次电热水器的带电部件…")
    let described = pre.contains("发现") || (rest.contains('的') && !post.contains("进行"));
    if !described && (SAMPLED_IN.in_text(pre) || post.contains("进行")) {
        return Some(Role::Sampled);
    }
    // a product's line of a list: "其中安全帽5批次"
    (named_before && after.trim().is_empty() && pre.chars().count() <= 16).then_some(Role::Sampled)
}

/// The enterprises a stretch before a sampled count counts: the number written right before 家
/// ("抽查271家企业生产、销售的", "33家销售单位销售的"); none when there is none, or several (5家商场、
/// 7家市场、11家超市: places of several kinds, no count of enterprises).
pub(super) fn firms_in(pre: &str) -> Option<u64> {
    let chars: Vec<char> = pre.chars().collect();
    let mut found = None;
    let mut seen = 0;
    for (k, c) in chars.iter().enumerate() {
        if *c != '家' {
            continue;
        }
        let mut j = k;
        while j > 0 && (chars[j - 1].is_ascii_digit() || CN_DIGITS.contains(chars[j - 1])) {
            j -= 1;
        }
        // a number glued to a letter or another number's mark is a model or a date, no count
        let glued = j > 0 && (chars[j - 1].is_ascii_alphanumeric() || chars[j - 1] == '.');
        if j < k && !glued {
            let num: String = chars[j..k].iter().collect();
            found = read_number(&num);
            seen += 1;
        }
    }
    found.filter(|_| seen == 1)
}

/// A count of batches in a clause: its value and byte span (number to unit).
pub(super) struct CountAt {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: u64,
}

/// The search for 批, the unit every count ends in, built once for every clause.
static UNIT_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("批"));

/// Every `N批次`, `N个批次`, `N批` (not 批号, 批发) of a clause.
pub(super) fn counts_in(clause: &str) -> Vec<CountAt> {
    let mut out = Vec::new();
    // Every count ends in 批: read back from each 批 to the number before it (a 个 and spaces
    // may stand between), where a walk over every character of the clause found the numbers
    // first and then looked for a 批 after each.
    let digit = |c: char| c.is_ascii_digit() || CN_DIGITS.contains(c);
    // (memchr's vector search: `match_indices` of a char took the portable memchr; its searcher
    // built once, where `memmem::find_iter` built one per clause, two thirds of this function)
    for unit_at in UNIT_FINDER.find_iter(clause.as_bytes()) {
        let rest = clause.get(unit_at..).unwrap_or("");
        let ulen = if rest.starts_with("批次") {
            "批次".len()
        } else if rest.starts_with("批号") || rest.starts_with("批发") || rest.starts_with("批准")
        {
            continue;
        } else {
            "批".len()
        };
        let before = clause.get(..unit_at).unwrap_or("");
        let before = before.strip_suffix('个').unwrap_or(before);
        let num_end = before.trim_end_matches(' ').len();
        let head = before.get(..num_end).unwrap_or("");
        let start = head
            .char_indices()
            .rev()
            .take_while(|&(_, c)| digit(c))
            .last()
            .map_or(num_end, |(i, _)| i);
        if start == num_end {
            continue;
        }
        // a number right after a letter, digit or '.' belongs to a model or date
        let glued = head
            .get(..start)
            .and_then(|h| h.chars().next_back())
            .is_some_and(|p| p.is_ascii_alphanumeric() || p == '.' || p == '-' || p == '/');
        if let (false, Some(value)) = (glued, read_number(head.get(start..).unwrap_or(""))) {
            out.push(CountAt {
                start,
                end: unit_at + ulen,
                value,
            });
        }
    }
    out
}

/// Sentences of a text as byte ranges: split at 。；;！？ and line ends.
pub(super) fn sentences(text: &str) -> Vec<(usize, usize)> {
    split_at(text, sentence_mark)
}

/// The byte length of the sentence mark at byte `i` of `b`, 0 for none.
fn sentence_mark(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b';' | b'\n') => 1,
        // 。
        Some(0xE3) if b.get(i + 1..i + 3) == Some(&[0x80, 0x82][..]) => 3,
        // ；！？
        Some(0xEF) if matches!(b.get(i + 1..i + 3), Some([0xBC, 0x9B | 0x81 | 0x9F])) => 3,
        _ => 0,
    }
}

/// Clauses of a sentence as byte ranges: split at ，, ：: (a comma between digits groups thousands).
pub(super) fn clauses(sentence: &str) -> Vec<(usize, usize)> {
    split_at(sentence, |b, i| clause_mark(b, i, 0))
}

/// The byte length of the clause mark at byte `i` of `b`, 0 for none, in a sentence starting at
/// byte `from` (a comma right after it groups nothing).
fn clause_mark(b: &[u8], i: usize, from: usize) -> usize {
    match b.get(i) {
        Some(b':') => 1,
        Some(b',') => {
            let thousands = i > from
                && b.get(i - 1).is_some_and(u8::is_ascii_digit)
                && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            usize::from(!thousands)
        }
        // ，：
        Some(0xEF) if matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9A])) => 3,
        _ => 0,
    }
}

/// A clause as [`sentences_and_clauses`] gives it: its sentence's index, its start and end byte.
pub(super) type ClauseSpan = (usize, usize, usize);

/// [`sentences`] of `text`, and the [`clauses`] of each as (sentence, start, end) in `text`: one
/// scan of the bytes for both, where a second scan of each sentence cut its clauses. No mark is
/// both (a digit after a comma is in the comma's sentence, as it is in `clauses`' slice).
pub(super) fn sentences_and_clauses(text: &str) -> (Vec<(usize, usize)>, Vec<ClauseSpan>) {
    let b = text.as_bytes();
    let (mut sents, mut cls) = (Vec::new(), Vec::new());
    // where the open sentence and clause start
    let (mut ss, mut cs, mut i) = (0, 0, 0);
    while let Some(&lead) = b.get(i) {
        let (n, m) = match lead {
            b'\n' | b';' | b',' | b':' | 0xE3 | 0xEF => match sentence_mark(b, i) {
                0 => (0, clause_mark(b, i, ss)),
                n => (n, 0),
            },
            _ => (0, 0),
        };
        if n > 0 {
            if i > ss {
                if i > cs {
                    cls.push((sents.len(), cs, i));
                }
                sents.push((ss, i));
            }
            i += n;
            (ss, cs) = (i, i);
        } else if m > 0 {
            if i > cs {
                cls.push((sents.len(), cs, i));
            }
            i += m;
            cs = i;
        } else {
            i += match lead {
                0..0x80 => 1,
                0xE0..0xF0 => 3,
                0xF0.. => 4,
                _ => 2,
            };
        }
    }
    if ss < b.len() {
        if cs < b.len() {
            cls.push((sents.len(), cs, b.len()));
        }
        sents.push((ss, b.len()));
    }
    (sents, cls)
}

/// Non-empty byte ranges of `text` between the characters `stop` cuts at. `stop(bytes, i)` is
/// the byte length of the cutting character at `i`, 0 for any other; it is asked at each
/// character's first byte. A scan of bytes, where decoding every character cost twice as much
/// (every stop is ASCII or starts with one of two lead bytes).
fn split_at(text: &str, stop: impl Fn(&[u8], usize) -> usize) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while let Some(&lead) = b.get(i) {
        let n = match lead {
            b'\n' | b';' | b',' | b':' | 0xE3 | 0xEF => stop(b, i),
            _ => 0,
        };
        if n == 0 {
            i += match lead {
                0..0x80 => 1,
                0xE0..0xF0 => 3,
                0xF0.. => 4,
                _ => 2,
            };
            continue;
        }
        if i > start {
            out.push((start, i));
        }
        i += n;
        start = i;
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cuts of a scan of characters, as `split_at` made them before it scanned bytes.
    fn by_chars(text: &str, stop: impl Fn(usize, char) -> bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if stop(i, c) {
                if i > start {
                    out.push((start, i));
                }
                start = i + c.len_utf8();
            }
        }
        if start < text.len() {
            out.push((start, text.len()));
        }
        out
    }

    /// `counts_in` as it was, reading forward over every character.
    fn counts_forward(clause: &str) -> Vec<(usize, usize, u64)> {
        let mut out = Vec::new();
        let chars: Vec<(usize, char)> = clause.char_indices().collect();
        let num = |c: char| c.is_ascii_digit() || CN_DIGITS.contains(c);
        let mut k = 0;
        while k < chars.len() {
            let (i, c) = chars[k];
            if !num(c) {
                k += 1;
                continue;
            }
            let glued = k > 0 && {
                let p = chars[k - 1].1;
                p.is_ascii_alphanumeric() || p == '.' || p == '-' || p == '/'
            };
            let mut j = k;
            while j < chars.len() && num(chars[j].1) {
                j += 1;
            }
            let n: String = chars[k..j].iter().map(|x| x.1).collect();
            let mut u = j;
            while u < chars.len() && chars[u].1 == ' ' {
                u += 1;
            }
            if u < chars.len() && chars[u].1 == '个' {
                u += 1;
            }
            let unit_at = chars.get(u).map(|x| x.0).unwrap_or(clause.len());
            let rest = &clause[unit_at..];
            let unit = if rest.starts_with("批次") {
                Some("批次".len())
            } else if rest.starts_with('批')
                && !rest.starts_with("批号")
                && !rest.starts_with("批发")
                && !rest.starts_with("批准")
            {
                Some("批".len())
            } else {
                None
            };
            if let (false, Some(ulen), Some(value)) = (glued, unit, read_number(&n)) {
                out.push((i, unit_at + ulen, value));
            }
            k = j.max(k + 1);
        }
        out
    }

    /// Counts read back from each 批 are those read forward over the clause.
    #[test]
    fn counts_read_back_from_the_unit() {
        for clause in [
            "抽查电暖器40个批次",
            "其中3批次不合格，2 批 合格",
            "共抽取十二批产品，A3批次、1.5批、2-3批、x/4批",
            "批号123批准批发5批",
            "一二三 个批次 和 零〇批",
            "批",
            "12个 批",
            "抽检1,200批次",
            "",
        ] {
            let got: Vec<(usize, usize, u64)> = counts_in(clause)
                .iter()
                .map(|c| (c.start, c.end, c.value))
                .collect();
            assert_eq!(got, counts_forward(clause), "{clause}");
        }
    }

    /// Sentences and clauses cut where a scan of characters cuts them.
    #[test]
    fn sentences_and_clauses_cut_at_their_marks() {
        for text in [
            "抽查电暖器40个批次，合格率为95%。其中3批次不合格；另有1,200件：召回！完了？",
            "a;b\nc。。d：e:f,1,2,g",
            "😀，ü。",
            "",
            "。",
            "没有标点",
            "「引号」，“双引号”；《书名》",
        ] {
            let sent = by_chars(text, |_, c| {
                matches!(c, '。' | '；' | ';' | '！' | '？' | '\n')
            });
            assert_eq!(sentences(text), sent, "{text}");
            let b = text.as_bytes();
            let clause = by_chars(text, |i, c| {
                let thousands = c == ','
                    && i > 0
                    && b.get(i - 1).is_some_and(u8::is_ascii_digit)
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit);
                matches!(c, '，' | ',' | '：' | ':') && !thousands
            });
            assert_eq!(clauses(text), clause, "{text}");
        }
    }

    /// The one scan cuts the sentences and clauses the two scans cut.
    #[test]
    fn one_scan_cuts_as_two() {
        for text in [
            "抽查电暖器40个批次，合格率为95%。其中3批次不合格；另有1,200件：召回！完了？",
            "a;b\nc。。d：e:f,1,2,g",
            ",1,2;,3\n1,\n,1",
            "😀，ü。",
            "",
            "。",
            "，",
            "没有标点",
            "「引号」，“双引号”；《书名》：，,",
            "共抽查2,000批次，其中不合格12批次：\n\n电热毯5批次，1,2,3；",
        ] {
            let sents = sentences(text);
            let mut want = Vec::new();
            for (si, &(ss, se)) in sents.iter().enumerate() {
                want.extend(
                    clauses(&text[ss..se])
                        .iter()
                        .map(|&(a, b)| (si, ss + a, ss + b)),
                );
            }
            assert_eq!(sentences_and_clauses(text), (sents, want), "{text}");
        }
    }
}
