//! Facts a monitor copies out of a text beside its parties: model numbers (KT-1705型), batch numbers
//! (批次号20240311), standard numbers with whether they are mandatory (GB …) or recommended (GB/T …),
//! and counts (召回 233 辆, 2 人受伤, 抽查 60 批次). Read from folded text (traditional → simplified,
//! full-width → ASCII) by fixed patterns; analyze → `jiance extract` output.
//!
//! The patterns are regexes (each scanner below names its own; the tests keep them and run them over
//! whole texts as the reference). One pass over the bytes notes the words every match of a pattern
//! holds and the stops no match of it can cross; only there is anything else read, by hand-written
//! scanners that give what the regexes give (`scanners_match_the_regexes_*`), since a regex search
//! costs more than a whole document's other work. The regex still run for `…型` model numbers
//! (rare) reads only the clauses where a match could end; people and failed batches are read
//! clause by clause too, while the recall and sampling scanners stop at the stops themselves. (A
//! digit other than ASCII, rarer still, is told by the regex crate's `\d`.)

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::fold;

/// A standard number and its kind: GB (mandatory) or GB/T, GB/Z, industry /T, DB../T (recommended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardRef {
    pub number: String,
    pub mandatory: bool,
}

/// One count: what was counted (召回, 受伤, 死亡, 抽查, 不合格 …), how many, in which unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub what: String,
    pub value: u64,
    pub unit: String,
    /// As written.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub models: Vec<String>,
    pub batches: Vec<String>,
    pub standards: Vec<StandardRef>,
    pub counts: Vec<Count>,
}

/// What the pass over a text notes: a word that every match of some pattern holds, or a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 型: 型号… (model) and …型 (model_after).
    Model,
    /// 批
    Batch,
    /// 召回
    Recall,
    /// 伤 死亡 遇难 身亡 中毒 送医
    People,
    /// 抽查
    Sampled,
    /// 不合格
    Failed,
    Stop(Stop),
}

/// Characters some patterns' matches cannot contain: such a match lies inside one clause between
/// them, so for `…型` model numbers, people and failed batches only the clauses holding the
/// pattern's words are read. Folded text holds `,` and `;` where the source had `，` and `；`, so
/// both forms are stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// ，
    Comma,
    /// ,
    AsciiComma,
    /// 。
    Period,
    /// ；
    Semicolon,
    /// ;
    AsciiSemicolon,
    /// 、
    Enumeration,
}

impl Stop {
    fn of(c: char) -> Option<Stop> {
        match c {
            '，' => Some(Stop::Comma),
            ',' => Some(Stop::AsciiComma),
            '。' => Some(Stop::Period),
            '；' => Some(Stop::Semicolon),
            ';' => Some(Stop::AsciiSemicolon),
            '、' => Some(Stop::Enumeration),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Stop::AsciiComma | Stop::AsciiSemicolon => 1,
            _ => 3,
        }
    }
}

/// The stops of `…型` (model_after) and people: ，,。；;、
const ALL_STOPS: &[Stop] = &[
    Stop::Comma,
    Stop::AsciiComma,
    Stop::Period,
    Stop::Semicolon,
    Stop::AsciiSemicolon,
    Stop::Enumeration,
];
/// The stops of sampled and failed: ，,。；;
const CLAUSE_STOPS: &[Stop] = &[
    Stop::Comma,
    Stop::AsciiComma,
    Stop::Period,
    Stop::Semicolon,
    Stop::AsciiSemicolon,
];
/// The stops of recall: 。；;
const SENTENCE_STOPS: &[Stop] = &[Stop::Period, Stop::Semicolon, Stop::AsciiSemicolon];

/// Is `c` one of `stops`.
#[inline]
fn stops_at(c: char, stops: &[Stop]) -> bool {
    Stop::of(c).is_some_and(|st| stops.contains(&st))
}

/// The characters that start a word or are a stop, except `,` and `;`: all three bytes long.
const FIRSTS: [char; 15] = [
    '型', '批', '召', '伤', '死', '身', '遇', '中', '送', '抽', '不', '，', '。', '；', '、',
];

/// Bit `(c >> shift) & 63` set for each of `cs`: with `shift` 0 the low six bits of the code
/// point, which are also those of the last UTF-8 byte, with 6 those of a three-byte character's
/// middle byte. A character whose bit is clear is none of them.
const fn low6_mask(cs: &[char], shift: u32) -> u64 {
    let mut m = 0u64;
    let mut k = 0;
    while k < cs.len() {
        m |= 1 << ((cs[k] as u32 >> shift) & 63);
        k += 1;
    }
    m
}

/// [`low6_mask`]s of [`FIRSTS`], tested on a three-byte character's last byte and then its middle
/// one: on real notices 27% of three-byte characters pass the first, 13% both (9% are FIRSTS).
const FIRSTS_LAST_BYTE: u64 = low6_mask(&FIRSTS, 0);
const FIRSTS_MID_BYTE: u64 = low6_mask(&FIRSTS, 6);

/// Every word and stop of `s` with its byte position, in order: one pass over the bytes that
/// decodes only the rare three-byte characters that may be one. Before the first word only the last
/// stop of each kind is kept (a clause starts after the last stop before it), so a text without
/// words allocates nothing.
fn keywords(s: &str) -> Vec<(Kind, usize)> {
    let b = s.as_bytes();
    let mut hits = Vec::new();
    let mut last = [None; ALL_STOPS.len()];
    let mut note = |kind: Kind, i: usize| {
        if hits.is_empty() {
            if let Kind::Stop(st) = kind {
                if let Some(l) = ALL_STOPS
                    .iter()
                    .position(|&x| x == st)
                    .and_then(|k| last.get_mut(k))
                {
                    *l = Some(i);
                }
                return;
            }
            let mut before: Vec<(Kind, usize)> = ALL_STOPS
                .iter()
                .zip(last)
                .filter_map(|(&st, l)| Some((Kind::Stop(st), l?)))
                .collect();
            before.sort_unstable_by_key(|&(_, j)| j);
            hits = before;
        }
        hits.push((kind, i));
    };
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        if lead & 0xF0 != 0xE0 {
            // a comma between digits groups thousands (1,200): no clause ends there
            let in_number = lead == b','
                && i.checked_sub(1)
                    .and_then(|k| b.get(k))
                    .is_some_and(u8::is_ascii_digit)
                && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if let Some(st) = Stop::of(char::from(lead)).filter(|_| !in_number) {
                note(Kind::Stop(st), i);
            }
            i += 1;
            continue;
        }
        if let (Some(&b1), Some(&b2)) = (b.get(i + 1), b.get(i + 2))
            && FIRSTS_LAST_BYTE >> (b2 & 63) & 1 == 1
            && FIRSTS_MID_BYTE >> (b1 & 63) & 1 == 1
        {
            let c = u32::from(lead & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F);
            if let Some(kind) = char::from_u32(c).and_then(|c| keyword(c, s, i + 3)) {
                note(kind, i);
            }
        }
        i += 3;
    }
    hits
}

/// The kind of the word or stop whose first character `c` is followed by byte `next` of `s`.
fn keyword(c: char, s: &str, next: usize) -> Option<Kind> {
    let then = |w: &str, kind: Kind| from(s, next).starts_with(w).then_some(kind);
    match c {
        '型' => Some(Kind::Model),
        '批' => Some(Kind::Batch),
        '召' => then("回", Kind::Recall),
        '伤' => Some(Kind::People),
        '死' | '身' => then("亡", Kind::People),
        '遇' => then("难", Kind::People),
        '中' => then("毒", Kind::People),
        '送' => then("医", Kind::People),
        '抽' => then("查", Kind::Sampled),
        '不' => then("合格", Kind::Failed),
        _ => Stop::of(c).map(Kind::Stop),
    }
}

/// Each clause of a text `len` bytes long (between `stops`, as byte ranges) holding a hit that
/// `wanted` takes, once, in order.
fn clauses(
    hits: &[(Kind, usize)],
    len: usize,
    stops: &[Stop],
    wanted: impl Fn(Kind, usize) -> bool,
    mut clause: impl FnMut(usize, usize),
) {
    let mut start = 0;
    let mut holds = false;
    for &(kind, i) in hits {
        match kind {
            Kind::Stop(st) if stops.contains(&st) => {
                if holds {
                    clause(start, i);
                }
                start = i + st.len();
                holds = false;
            }
            _ => holds = holds || wanted(kind, i),
        }
    }
    if holds {
        clause(start, len);
    }
}

/// `([A-Za-z]{1,6}[-_]?[A-Za-z0-9]*\d[A-Za-z0-9\-_/.+]*)\s*型`: "KT-1705型电热水壶", "PB-20A型号".
const MODEL_AFTER: &str = r"([A-Za-z]{1,6}[-_]?[A-Za-z0-9]*\d[A-Za-z0-9\-_/.+]*)\s*型";

fn model_after() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(MODEL_AFTER).ok()).as_ref()
}

/// Regex `\d`: any Unicode decimal digit (Nd), not only ASCII. The std has no test for Nd alone
/// (`is_numeric` also takes ①, Ⅻ, 〇), so the rare other numeric characters ask the regex crate.
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    // the CJK blocks hold no decimal digit (`is_digit_is_regex_digit`), and `is_numeric` is slow
    if ('\u{3000}'..'\u{a000}').contains(&c) || !c.is_numeric() {
        return false;
    }
    static ND: OnceLock<Option<Regex>> = OnceLock::new();
    ND.get_or_init(|| Regex::new(r"^\d$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(c.encode_utf8(&mut [0; 4])))
}

const NUMERALS: [char; 13] = [
    '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千',
];

/// [`low6_mask`] of [`NUMERALS`]: most characters are turned away by one test.
const NUMERALS_LOW_BITS: u64 = low6_mask(&NUMERALS, 0);

#[inline]
fn is_numeral(c: char) -> bool {
    NUMERALS_LOW_BITS >> (c as u32 & 63) & 1 == 1 && NUMERALS.contains(&c)
}

/// Can a number (`num_at`) start with `c`.
#[inline]
fn starts_number(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else if ('\u{3000}'..'\u{a000}').contains(&c) {
        is_numeral(c)
    } else {
        is_digit(c)
    }
}

/// `s` from byte `i` (empty past the end or off a character boundary).
fn from(s: &str, i: usize) -> &str {
    s.get(i..).unwrap_or("")
}

/// Bytes and characters of the longest start of `s` whose characters all pass `keep`, taking at
/// most `max` of them.
fn run(s: &str, max: usize, keep: impl Fn(char) -> bool) -> (usize, usize) {
    let mut bytes = 0;
    let mut n = 0;
    for c in s.chars() {
        if n == max || !keep(c) {
            break;
        }
        bytes += c.len_utf8();
        n += 1;
    }
    (bytes, n)
}

/// Byte `i` of `s` moved past white space (regex `\s*`: Unicode White_Space, as `is_whitespace`).
fn skip_ws(s: &str, i: usize) -> usize {
    i + run(from(s, i), usize::MAX, char::is_whitespace).0
}

/// `t.starts_with(w)`, the first three bytes compared in place first: the words looked for are
/// Chinese, and a call to `memcmp` per word of a list was most of a count's search.
#[inline]
fn opens(t: &str, w: &str) -> bool {
    let head = |s: &str| <[u8; 3]>::try_from(s.as_bytes().get(..3)?).ok();
    !matches!((head(t), head(w)), (Some(a), Some(b)) if a != b) && t.starts_with(w)
}

/// Byte `i` of `s` moved past one of `words` if `s` holds one there.
fn skip_one(s: &str, i: usize, words: &[&str]) -> usize {
    let t = from(s, i);
    words
        .iter()
        .find(|w| opens(t, w))
        .map_or(i, |w| i + w.len())
}

/// A number as a pattern reads it.
struct Num<'t> {
    n: &'t str,
    mult: Option<&'t str>,
    /// Where what follows the number begins (after spaces, 万 or 千, spaces).
    rest: usize,
    /// Where its first run of digits or numerals ends. Read from any later character of that run,
    /// the number ends at the same place with the same text after it: a pattern that fails after
    /// the number at the run's start fails at all of them.
    run_end: usize,
}

/// `(\d+(?:,[0-9]{3})*(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(万|千)?\s*` at byte `i` of `s`
/// (digits may be grouped by thousands: 1,200). Every part takes the longest it can, as the
/// regex's first choice does, and no pattern can match after a shorter choice: each needs after
/// the number a word (unit, 名, 批次 …) that is no digit, numeral, space, comma, 万 or 千, and a
/// shorter choice leaves one of those next. (A numeral run ending in 千 read with 千 as
/// the multiplier reaches the same next character as the whole run does.)
fn num_at(s: &str, i: usize) -> Option<Num<'_>> {
    let t = from(s, i);
    let first = t.chars().next()?;
    let (len, run_len) = if is_digit(first) {
        let (run_len, _) = run(t, usize::MAX, is_digit);
        let mut len = run_len;
        while let Some(group) = from(t, len).strip_prefix(',')
            && group
                .as_bytes()
                .get(..3)
                .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
        {
            len += 4;
        }
        if let Some(frac) = from(t, len).strip_prefix('.') {
            let (d, _) = run(frac, usize::MAX, is_digit);
            if d > 0 {
                len += 1 + d;
            }
        }
        (len, run_len)
    } else if is_numeral(first) {
        let (len, _) = run(t, usize::MAX, is_numeral);
        (len, len)
    } else {
        return None;
    };
    let n = t.get(..len)?;
    let j = skip_ws(t, len);
    let after = skip_one(t, j, &["万", "千"]);
    let mult = (after > j).then(|| t.get(j..after)).flatten();
    Some(Num {
        n,
        mult,
        rest: i + skip_ws(t, after),
        run_end: i + run_len,
    })
}

/// One match of a count pattern: all of it, the count as written (from its number to the end),
/// its number and multiplier, and its unit or (people) what.
struct Hit<'t> {
    all: &'t str,
    text: &'t str,
    n: &'t str,
    mult: Option<&'t str>,
    word: &'t str,
}

const UNITS: [&str; 23] = [
    "辆", "台", "个", "件", "套", "只", "条", "张", "口", "部", "块", "双", "顶", "箱", "瓶", "盒",
    "组", "把", "支", "片", "米", "吨", "批次",
];

/// `召回[^。；;]{0,60}?{num}\s*(UNITS)` at the 召回 at byte `at` (UNITS: 辆|台|…|批次), and
/// `抽查(?:了)?[^，,。；;]{0,30}?{num}\s*(批次)` at the 抽查 there: the first place after the verb,
/// nearest first, where a number and a unit follow. (Reading 了 as one of the skipped characters
/// instead of the optional 了 only offers places the first choice already tried.)
fn verb_count<'t>(
    s: &'t str,
    at: usize,
    verb: &str,
    skip: usize,
    stops: &[Stop],
    units: &[&str],
) -> Option<Hit<'t>> {
    let mut i = at + verb.len();
    if verb == "抽查" {
        i = skip_one(s, i, &["了"]);
    }
    let mut next = 0;
    for (k, (j, c)) in from(s, i).char_indices().enumerate() {
        if i + j >= next
            && starts_number(c)
            && let Some(num) = num_at(s, i + j)
        {
            let t = from(s, num.rest);
            if let Some(u) = units.iter().find(|u| opens(t, u)) {
                let end = num.rest + u.len();
                return Some(Hit {
                    all: s.get(at..end)?,
                    text: s.get(i + j..end)?,
                    n: num.n,
                    mult: num.mult,
                    word: t.get(..u.len())?,
                });
            }
            next = num.run_end;
        }
        if k == skip || stops_at(c, stops) {
            return None;
        }
    }
    None
}

const HARMS: [&str; 10] = [
    "受伤", "死亡", "遇难", "身亡", "中毒", "烧伤", "烫伤", "轻伤", "重伤", "送医",
];

/// `{num}\s*(?:名|人|位|个)[^，,。；;、\d]{0,8}?(受伤|死亡|…|送医)` starting at byte `i`, `num` there.
fn people_after<'t>(s: &'t str, i: usize, num: Num<'t>) -> Option<Hit<'t>> {
    let mut j = skip_one(s, num.rest, &["名", "人", "位", "个"]);
    if j == num.rest {
        return None;
    }
    for k in 0..=8 {
        let t = from(s, j);
        if let Some(w) = HARMS.iter().find(|w| opens(t, w)) {
            let all = s.get(i..j + w.len())?;
            return Some(Hit {
                all,
                text: all,
                n: num.n,
                mult: num.mult,
                word: t.get(..w.len())?,
            });
        }
        let c = t.chars().next()?;
        if k == 8 || Stop::of(c).is_some() || is_digit(c) {
            return None;
        }
        j += c.len_utf8();
    }
    None
}

/// `{num}\s*(批次)(?:产品)?不合格` starting at byte `i`, `num` there.
fn failed_after<'t>(s: &'t str, i: usize, num: Num<'t>) -> Option<Hit<'t>> {
    let j = skip_one(s, num.rest, &["批次"]);
    if j == num.rest {
        return None;
    }
    let k = skip_one(s, j, &["产品"]);
    let end = skip_one(s, k, &["不合格"]);
    if end == k {
        return None;
    }
    let all = s.get(i..end)?;
    Some(Hit {
        all,
        text: all,
        n: num.n,
        mult: num.mult,
        word: s.get(num.rest..j)?,
    })
}

/// Every match of a pattern (`after`: a match starting at a byte with a number) in the clauses (between
/// `stops`) holding its words (`kind`), in order; each search goes on after the last match, as a
/// regex's does.
fn in_clauses<'t>(
    s: &'t str,
    hits: &[(Kind, usize)],
    kind: Kind,
    stops: &[Stop],
    after: impl Fn(&'t str, usize, Num<'t>) -> Option<Hit<'t>>,
    mut found: impl FnMut(Hit<'t>),
) {
    clauses(
        hits,
        s.len(),
        stops,
        |k, _| k == kind,
        |start, end| {
            let c = s.get(start..end).unwrap_or("");
            let mut next = 0;
            for (i, ch) in c.char_indices() {
                if i < next || !starts_number(ch) {
                    continue;
                }
                let Some(num) = num_at(c, i) else {
                    continue;
                };
                let run_end = num.run_end;
                match after(c, i, num) {
                    Some(hit) => {
                        next = i + hit.all.len();
                        found(hit);
                    }
                    None => next = run_end,
                }
            }
        },
    );
}

/// Byte `i` of `s` moved past what may stand between a label and its number: `\s*(?:为|是|:)?\s*`.
/// (Giving back spaces or the 为 only ever leaves a space or 为 where the number must start, so the
/// regex's first reading is the only one that can match.)
fn after_label(s: &str, i: usize) -> usize {
    skip_ws(s, skip_one(s, skip_ws(s, i), &["为", "是", ":"]))
}

/// An ASCII letter or digit and then at least `min` and at most 24 characters of `class`, at byte
/// `i`: where it ends (taking all it can, as the greedy regex does).
fn code_at(s: &str, i: usize, min: usize, class: fn(char) -> bool) -> Option<usize> {
    let first = from(s, i).chars().next()?;
    if !first.is_ascii_alphanumeric() {
        return None;
    }
    let (len, n) = run(from(s, i + 1), 24, class);
    (n >= min).then_some(i + 1 + len)
}

fn model_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '+')
}

/// `型号\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-_/.+]{1,24})` at the 型 at byte `at`: "型号为YL-22",
/// "型号：PB-20A", "涉及型号YL-22".
fn model_at(s: &str, at: usize) -> Option<&str> {
    let i = at + "型".len();
    if !from(s, i).starts_with('号') {
        return None;
    }
    let start = after_label(s, i + "号".len());
    s.get(start..code_at(s, start, 1, model_char)?)
}

/// Could a `…型` model number end at the 型 at byte `at`: is the character before it, past
/// spaces, one a model number can end in.
fn model_ends_before(s: &str, at: usize) -> bool {
    s.get(..at)
        .and_then(|head| head.chars().rev().find(|c| !c.is_whitespace()))
        .is_some_and(|c| model_char(c) || is_digit(c))
}

fn batch_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '/')
}

/// `(?:批次号|批号|生产批次|批次编号)\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-/]{3,24}(?:\s*(?:至|到|-|~)\s*[A-Za-z0-9][A-Za-z0-9\-/]{3,24})?)`
/// — "批次号20240311至20240420", "生产批号:B2403-11" — after a label ending at byte `label_end`: the
/// number and where the match ends. The first number takes all it can (the range after it is
/// optional, so the regex never gives any of it back), and so does the range's end.
fn batch_after(s: &str, label_end: usize) -> Option<(&str, usize)> {
    let start = after_label(s, label_end);
    let mut end = code_at(s, start, 3, batch_char)?;
    let j = skip_ws(s, end);
    let k = skip_one(s, j, &["至", "到", "-", "~"]);
    if k > j
        && let Some(to) = code_at(s, skip_ws(s, k), 3, batch_char)
    {
        end = to;
    }
    Some((s.get(start..end)?, end))
}

/// The batch labels that can hold the 批 at byte `at`, in order of where they start: the label's
/// start and end.
fn batch_labels(s: &str, at: usize) -> [Option<(usize, usize)>; 2] {
    let t = from(s, at);
    let before = at
        .checked_sub("生产".len())
        .filter(|&b| from(s, b).starts_with("生产批次"))
        .map(|b| (b, at + "批次".len()));
    let here = ["批次号", "批号", "批次编号"]
        .iter()
        .find(|l| t.starts_with(**l))
        .map(|l| (at, at + l.len()));
    [before, here]
}

/// A number as written (digits, perhaps grouped by thousands, or Chinese numerals up to the
/// thousands), times 万 / 千.
fn number(n: &str, mult: Option<&str>) -> Option<u64> {
    let base: f64 = if n
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        n.replace(',', "").parse().ok()?
    } else {
        let mut total = 0u64;
        let mut cur = 0u64;
        for c in n.chars() {
            let d = match c {
                '一' => 1,
                '二' | '两' => 2,
                '三' => 3,
                '四' => 4,
                '五' => 5,
                '六' => 6,
                '七' => 7,
                '八' => 8,
                '九' => 9,
                '十' | '百' | '千' => {
                    let unit = match c {
                        '十' => 10,
                        '百' => 100,
                        _ => 1000,
                    };
                    total += cur.max(1) * unit;
                    cur = 0;
                    continue;
                }
                _ => return None,
            };
            cur = d;
        }
        (total + cur) as f64
    };
    let m = match mult {
        Some("万") => 10_000.0,
        Some("千") => 1_000.0,
        _ => 1.0,
    };
    let v = base * m;
    (v.is_finite() && (0.0..1e15).contains(&v)).then_some(v.round() as u64)
}

/// Facts of a document's title and text; `standards` are the analyzer's standard numbers
/// ([`crate::model::Extraction::standards`]).
pub fn facts(title: &str, text: &str, standards: &[String]) -> Facts {
    facts_folded(&format!("{}\n{}", fold(title), fold(text)), standards)
}

/// [`facts`] of `full`, the folded title, a newline and the folded text (not lower-cased), for a
/// caller that has already built it.
pub fn facts_folded(full: &str, standards: &[String]) -> Facts {
    let mut f = with_standards(standards);
    let hits = keywords(full);
    if hits.is_empty() {
        return f;
    }
    let at = |kind: Kind| {
        hits.iter()
            .filter(move |(k, _)| *k == kind)
            .map(|&(_, i)| i)
    };
    for i in at(Kind::Model) {
        if let Some(m) = model_at(full, i) {
            push(&mut f.models, m);
        }
    }
    if let Some(re) = model_after() {
        let could_end = |k, i| k == Kind::Model && model_ends_before(full, i);
        clauses(&hits, full.len(), ALL_STOPS, could_end, |start, end| {
            for c in re.captures_iter(full.get(start..end).unwrap_or("")) {
                if let Some(m) = c.get(1) {
                    push(&mut f.models, m.as_str());
                }
            }
        });
    }
    // a match never holds a label, so each search after a match starts at a later label
    let mut next = 0;
    for i in at(Kind::Batch) {
        for (start, label_end) in batch_labels(full, i).into_iter().flatten() {
            if start >= next
                && let Some((b, end)) = batch_after(full, label_end)
            {
                push(&mut f.batches, b);
                next = end;
            }
        }
    }
    let mut next = 0;
    for i in at(Kind::Recall) {
        if i >= next
            && let Some(h) = verb_count(full, i, "召回", 60, SENTENCE_STOPS, &UNITS)
        {
            next = i + h.all.len();
            add_count(&mut f, h, Some("召回"));
        }
    }
    in_clauses(full, &hits, Kind::People, ALL_STOPS, people_after, |h| {
        add_count(&mut f, h, None)
    });
    let mut next = 0;
    for i in at(Kind::Sampled) {
        if i >= next
            && let Some(h) = verb_count(full, i, "抽查", 30, CLAUSE_STOPS, &["批次"])
        {
            next = i + h.all.len();
            add_count(&mut f, h, Some("抽查"));
        }
    }
    in_clauses(full, &hits, Kind::Failed, CLAUSE_STOPS, failed_after, |h| {
        add_count(&mut f, h, Some("不合格"))
    });
    f
}

fn with_standards(standards: &[String]) -> Facts {
    Facts {
        standards: standards
            .iter()
            .map(|s| StandardRef {
                number: s.clone(),
                mandatory: super::standard_is_mandatory(s),
            })
            .collect(),
        ..Facts::default()
    }
}

/// A model or batch number, without trailing separators, once.
fn push(v: &mut Vec<String>, s: &str) {
    let s = s.trim_end_matches(['-', '.', '/']);
    if s.chars().count() >= 2 && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// A count from a match, once; `what` is the pattern's verb, or none when the match names it (people).
fn add_count(f: &mut Facts, h: Hit<'_>, what: Option<&str>) {
    let Some(value) = number(h.n, h.mult) else {
        return;
    };
    let (what, unit) = match what {
        Some(w) => (w.to_string(), h.word.to_string()),
        None => (h.word.to_string(), "人".to_string()),
    };
    let c = Count {
        what,
        value,
        unit,
        text: h.text.to_string(),
    };
    if !f.counts.contains(&c) {
        f.counts.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(f: &'a Facts, what: &str) -> Option<&'a Count> {
        f.counts.iter().find(|c| c.what == what)
    }

    /// The patterns as regexes, each run over the whole text: what the scanners must give.
    struct Reference {
        model: Regex,
        model_after: Regex,
        batch: Regex,
        recall: Regex,
        people: Regex,
        sampled: Regex,
        failed: Regex,
    }

    fn reference_patterns() -> &'static Reference {
        static P: OnceLock<Reference> = OnceLock::new();
        P.get_or_init(|| {
            let num = r"(\d+(?:,[0-9]{3})*(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(万|千)?";
            let units = UNITS.join("|");
            let re = |s: &str| Regex::new(s).unwrap();
            Reference {
                model: re(r"型号\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-_/.+]{1,24})"),
                model_after: re(MODEL_AFTER),
                batch: re(
                    r"(?:批次号|批号|生产批次|批次编号)\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-/]{3,24}(?:\s*(?:至|到|-|~)\s*[A-Za-z0-9][A-Za-z0-9\-/]{3,24})?)",
                ),
                recall: re(&format!(r"召回[^。；;]{{0,60}}?{num}\s*({units})")),
                people: re(&format!(
                    r"{num}\s*(?:名|人|位|个)[^，,。；;、\d]{{0,8}}?(受伤|死亡|遇难|身亡|中毒|烧伤|烫伤|轻伤|重伤|送医)"
                )),
                sampled: re(&format!(r"抽查(?:了)?[^，,。；;]{{0,30}}?{num}\s*(批次)")),
                failed: re(&format!(r"{num}\s*(批次)(?:产品)?不合格")),
            }
        })
    }

    /// [`facts_folded`] by the regexes alone.
    fn reference(full: &str) -> Facts {
        let p = reference_patterns();
        let mut f = Facts::default();
        for c in p
            .model
            .captures_iter(full)
            .chain(p.model_after.captures_iter(full))
        {
            push(&mut f.models, &c[1]);
        }
        for c in p.batch.captures_iter(full) {
            push(&mut f.batches, &c[1]);
        }
        for (re, what) in [
            (&p.recall, Some("召回")),
            (&p.people, None),
            (&p.sampled, Some("抽查")),
            (&p.failed, Some("不合格")),
        ] {
            for c in re.captures_iter(full) {
                let (all, n) = (c.get(0).unwrap(), c.get(1).unwrap());
                let hit = Hit {
                    all: all.as_str(),
                    text: &full[n.start()..all.end()],
                    n: n.as_str(),
                    mult: c.get(2).map(|m| m.as_str()),
                    word: c.get(3).unwrap().as_str(),
                };
                add_count(&mut f, hit, what);
            }
        }
        f
    }

    /// The scanners and the regexes agree on `full` and on `full` folded (where `，` is `,`).
    fn same_as_reference(full: &str) -> usize {
        let fast = facts_folded(full, &[]);
        assert_eq!(fast, reference(full), "{full:?}");
        let folded = fold(full);
        assert_eq!(facts_folded(&folded, &[]), reference(&folded), "{folded:?}");
        fast.counts.len() + fast.models.len() + fast.batches.len()
    }

    /// Regressions: folding turns `，` into `,`, which once crossed clauses ("抽查了20家企业，其中3批次"
    /// counted 3 sampled batches), and a count's text was cut at the first place its number's
    /// digits appeared after the verb ("召回2021年…共计2台" gave "2021年…共计2台").
    #[test]
    fn folded_commas_end_clauses_and_a_count_reads_from_its_number() {
        let f = facts(
            "",
            "市场监管局抽查了20家企业，其中3批次不合格。5名工人撤离，受伤者已送医。",
            &[],
        );
        assert_eq!(find(&f, "抽查").map(|c| c.value), None, "{f:?}");
        assert_eq!(find(&f, "不合格").map(|c| c.value), Some(3));
        assert_eq!(find(&f, "受伤").map(|c| c.value), None, "{f:?}");
        let f = facts("", "召回2021年生产的电动自行车，共计2台。", &[]);
        let recall = find(&f, "召回").map(|c| (c.value, c.text.as_str()));
        assert_eq!(recall, Some((2, "2台")), "{f:?}");
    }

    /// Regression: digits grouped by thousands were read from the last group ("召回1,200辆" gave
    /// 200), and the comma between them split the clause of people and failed batches.
    #[test]
    fn thousands_separators_are_part_of_the_number() {
        let f = facts(
            "",
            "召回1,200辆电动自行车。事故造成1,024人受伤；抽查了12,300批次，其中1,050批次不合格。",
            &[],
        );
        let got: Vec<(&str, u64, &str)> = f
            .counts
            .iter()
            .map(|c| (c.what.as_str(), c.value, c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("召回", 1200, "1,200辆"),
                ("受伤", 1024, "1,024人受伤"),
                ("抽查", 12300, "12,300批次"),
                ("不合格", 1050, "1,050批次不合格"),
            ]
        );
        assert_eq!(number("1,200.5", Some("万")), Some(12_005_000));
    }

    /// Reading only around the words a match must hold, by the scanners, changes no result: every
    /// text of the labelled evaluation set (and the fixtures below) gives the same facts as the
    /// regexes run over the whole text.
    #[test]
    fn scanners_match_the_regexes_on_the_labelled_texts() {
        let mut texts: Vec<(String, String)> = include_str!("../../tests/eval/labelled.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                (
                    v["title"].as_str().unwrap_or("").to_string(),
                    v["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert!(texts.len() >= 200);
        for t in [
            "涉及型号为YL-22的电暖器，批次号20240311至20240420，共召回1.2万台",
            "KT-1705型电热水壶；事故造成两人受伤、1名儿童烫伤送医",
            "本次抽查了60批次产品，其中3批次不合格",
        ] {
            texts.push((String::new(), t.to_string()));
        }
        let mut found = 0;
        for (title, text) in &texts {
            let full = format!("{}\n{}", fold(title), fold(text));
            found += same_as_reference(&full);
        }
        // the comparison covered texts with something to find
        assert!(found >= 20, "{found}");
    }

    /// The places where a scanner could read differently from its regex: numbers split by dots, a
    /// verb inside another's window, 千 as numeral or multiplier, digits outside ASCII (٣ is one to
    /// `\d`, ① and 〇 are not), labels inside labels, words at the very end, runs past the limits.
    #[test]
    fn scanners_match_the_regexes_at_the_edges() {
        let long = "A".repeat(30);
        for t in [
            "召回召回5台",
            "召回2023年生产的X5系列汽车，共计233辆。召回1.2万辆",
            "召回1.2.3台；召回12.台，召回 三 千 万 台",
            "召回三千台、三千万台、一千X台",
            "召回٣台，召回5台",
            "召回1,2345台，召回1234,567台，召回1,20台，召回1,200.5万台，召回1,,200台",
            "3,5人受伤，1,200人受伤，抽查了12,300批次，抽查1,200,000批次，1,200批次不合格",
            "召回①台 召回〇台 召回5 ①台",
            "1.2.3名受伤，1.2名 受伤，两名厨工面部被烧伤",
            "3人在事故中死亡、5人ab12受伤，6人abcdefgh受伤，6人abcdefghi受伤",
            "٣人受伤，3人٣受伤，十二名工人中毒送医",
            "抽查了了5批次，抽查了60家企业生产的60批次，抽查5 万 批次",
            "3批次产品不合格，3批次产品合格不合格，1.5.2批次不合格，三千批次不合格",
            "生产批次号B2403-11，批号：AB12 - CD34，批次编号为 X12/3 至 Y45/6",
            "批号ABC，批号ABCD~EF，批次号A123456789012345678901234567-XYZ9",
            "型号为YL-22的电暖器，型号：PB-20A，型号 是 A+，型号AB",
            "KT-1705型电热水壶，ab_1型，A٣型，٣型，abcdefg1型，a-b1型，A12 型号为X1",
            "召回",
            "型号",
            "批次号",
            "5名受",
            "5批次不合",
            "抽查5批",
            "召回5",
        ] {
            same_as_reference(t);
        }
        // the skipped stretch at its longest and one past it
        same_as_reference(&format!("召回{long}{long}6台。召回{long}{long}A5台"));
        same_as_reference(&format!("抽查{long}6批次，抽查{long}A5批次"));
        same_as_reference(&format!("型号{long}，批号{long}，{long}1型"));
    }

    /// Made-up texts, phrases shaped like the patterns' matches with their parts swapped for
    /// near misses and run together in any order: the scanners agree with the regexes on all.
    #[test]
    fn scanners_match_the_regexes_on_made_up_texts() {
        const VERB: &[&str] = &["召回", "抽查", "抽查了", "", "", "召回了"];
        const FILL: &[&str] = &[
            "", "", "的", "A", "x", "12", "，", "。", "、", " ", "了", "1.", "٣", "共计", "名",
            "批",
        ];
        const NUM: &[&str] = &[
            "5", "1.2", "12.", "三千", "一千", "两", "十二", "٣", "①", "〇", "1.2.3", "",
        ];
        const SPACE: &[&str] = &["", "", " ", "\n"];
        const MULT: &[&str] = &["", "", "万", "千"];
        const UNIT: &[&str] = &["台", "辆", "批次", "批", "名", "人", "个", "位", "块"];
        const TAIL: &[&str] = &[
            "",
            "受伤",
            "工人烧伤",
            "不合格",
            "产品不合格",
            "产品合格",
            "中毒送医",
            "死亡",
            "受",
        ];
        const LABEL: &[&str] = &["型号", "批号", "生产批次", "批次号", "批次编号", "生产批号"];
        const GAP: &[&str] = &["", "为", "是", ":", " ", "：", " 为 "];
        const CODE: &[&str] = &[
            "AB12", "X", "KT-1705", "A+", "20240311", "B2403-11", "ab_1", "A٣", "A-", "abcdefg1",
        ];
        const RANGE: &[&str] = &["", "", "至20240420", " - CD34", "~EF", "到X1", "-"];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut found = 0;
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..1 + next(5) {
                let mut pick = |set: &[&'static str]| set[next(set.len())];
                let phrase: Vec<&str> = match pick(&["count", "label", "before"]) {
                    "count" => vec![
                        pick(VERB),
                        pick(FILL),
                        pick(FILL),
                        pick(NUM),
                        pick(SPACE),
                        pick(MULT),
                        pick(SPACE),
                        pick(UNIT),
                        pick(FILL),
                        pick(TAIL),
                    ],
                    "label" => vec![pick(LABEL), pick(GAP), pick(CODE), pick(RANGE)],
                    _ => vec![pick(CODE), pick(SPACE), "型", pick(FILL)],
                };
                t.extend(phrase);
                t.push_str(pick(FILL));
            }
            found += same_as_reference(&t);
        }
        assert!(found >= 10_000, "{found}");
    }

    #[test]
    fn is_digit_is_regex_digit() {
        let all: String = (0..=char::MAX as u32).filter_map(char::from_u32).collect();
        let digits: Vec<char> = Regex::new(r"\d")
            .unwrap()
            .find_iter(&all)
            .flat_map(|m| m.as_str().chars())
            .collect();
        assert!(digits.len() > 500);
        assert_eq!(
            all.chars().filter(|&c| is_digit(c)).collect::<Vec<_>>(),
            digits
        );
    }

    #[test]
    fn models_batches_and_counts() {
        let f = facts(
            "某电器有限公司召回部分电热水壶",
            "自即日起召回2023年5月至2024年2月生产的KT-1705型电热水壶，共计8640台，涉及批次号20240311至20240420。",
            &[],
        );
        assert_eq!(f.models, ["KT-1705"]);
        assert_eq!(f.batches, ["20240311至20240420"]);
        let r = find(&f, "召回").expect("recall count");
        assert_eq!((r.value, r.unit.as_str()), (8640, "台"));
        let g = facts(
            "",
            "决定召回部分进口X5系列汽车，共计233辆。召回1.2万辆纯电动汽车。",
            &[],
        );
        let recalls: Vec<u64> = g
            .counts
            .iter()
            .filter(|c| c.what == "召回")
            .map(|c| c.value)
            .collect();
        assert_eq!(recalls, [233, 12000]);
    }

    #[test]
    fn people_and_batches_counted_in_digits_or_words() {
        let f = facts(
            "",
            "火灾造成1人死亡、2人受伤。两名厨工面部被烧伤。抽查60家企业生产的60批次产品，发现8批次产品不合格。",
            &[],
        );
        assert_eq!(find(&f, "死亡").map(|c| c.value), Some(1));
        assert_eq!(find(&f, "受伤").map(|c| c.value), Some(2));
        assert_eq!(find(&f, "烧伤").map(|c| c.value), Some(2));
        assert_eq!(find(&f, "抽查").map(|c| c.value), Some(60));
        assert_eq!(find(&f, "不合格").map(|c| c.value), Some(8));
        assert_eq!(number("十二", None), Some(12));
        assert_eq!(number("三百", None), Some(300));
        assert_eq!(number("x", None), None);
    }

    #[test]
    fn counts_read_at_the_end_of_a_text_with_multipliers_and_numerals() {
        let f = facts("", "抽查三千批次，召回 1.2 万 台", &[]);
        let r = find(&f, "召回").expect("recall count");
        assert_eq!(
            (r.value, r.unit.as_str(), r.text.as_str()),
            (12_000, "台", "1.2 万 台")
        );
        assert_eq!(find(&f, "抽查").map(|c| c.value), Some(3000));
        let g = facts("", "十二名工人中毒，三千万批次不合格", &[]);
        assert_eq!(
            find(&g, "中毒").map(|c| (c.value, c.text.as_str())),
            Some((12, "十二名工人中毒"))
        );
        assert_eq!(find(&g, "不合格").map(|c| c.value), Some(30_000_000));
        // a word the text ends on, with nothing after it
        assert_eq!(facts("", "本批产品召回", &[]), Facts::default());
        assert_eq!(facts("", "涉及型号", &[]), Facts::default());
    }

    #[test]
    fn standards_say_mandatory_or_recommended_and_traditional_text_is_read() {
        let f = facts(
            "",
            "召回型號為PB-20A的行動電源，共計3500個。",
            &["GB 17761-2024".into(), "GB/T 22760-2020".into()],
        );
        assert_eq!(
            f.standards,
            [
                StandardRef {
                    number: "GB 17761-2024".into(),
                    mandatory: true
                },
                StandardRef {
                    number: "GB/T 22760-2020".into(),
                    mandatory: false
                }
            ]
        );
        assert_eq!(f.models, ["PB-20A"]);
        assert_eq!(find(&f, "召回").map(|c| c.value), Some(3500));
        let g = facts(
            "",
            "抽查６０批次，其中３批次不合格，兩人受傷，批號：Ｂ２４０３－１１",
            &[],
        );
        assert_eq!(find(&g, "抽查").map(|c| c.value), Some(60));
        assert_eq!(find(&g, "不合格").map(|c| c.value), Some(3));
        assert_eq!(find(&g, "受伤").map(|c| c.value), Some(2));
        assert_eq!(g.batches, ["B2403-11"]);
    }

    #[test]
    fn nothing_to_find_is_empty_and_odd_input_does_not_panic() {
        assert_eq!(facts("", "楼道里很安静。", &[]), Facts::default());
        let odd = "型号".repeat(50) + &"召回".repeat(50) + &"9".repeat(40) + "万辆";
        let _ = facts(&odd, &odd, &[]);
        same_as_reference(&odd);
    }
}
