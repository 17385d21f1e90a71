//! The grammar words of an enumeration (grammar, not domain cues): numerals and measure words
//! that count a list's members or items, the words that close a list (等, 之类) and the
//! particles that end a noun. `nouns.rs` reads lists with them; other phases ask whether a
//! count stands beside a class noun.

/// Words that close an enumeration: what follows them ("…等建材", "…之类的用品") is the class
/// the list belongs to, no member of it. Grammar, not a domain cue.
const LIST_CLOSERS: [&str; 4] = ["等", "等等", "之类", "在内"];

/// Whether a token is a word that closes an enumeration (等, 之类): what follows it is the
/// list's class.
pub(super) fn closes_with(w: &str) -> bool {
    LIST_CLOSERS.contains(&w)
}

/// Numerals that count a list's members ("…五类产品", "…等10种", "3个品类").
pub(super) const NUMERAL_CHARS: &str = "0123456789一二两三四五六七八九十百千几多数";
/// Measure words that, after a numeral, count a list's members.
const COUNTERS: &str = "类种个款批项件样";

/// Whether a token counts kinds of product ("五类", "10种"): a list before it in its sentence
/// enumerates products, class nouns (小家电) included.
pub(super) fn counts_kinds(w: &str) -> bool {
    // read in place: collecting the characters allocated for every token asked about
    let mut cs = w.chars();
    matches!(cs.next_back(), Some('类' | '种'))
        && !cs.as_str().is_empty()
        && cs.all(|c| NUMERAL_CHARS.contains(c))
}

/// Whether the tokens at `k` count items ("10例", "21 件", "3批次"): a numeral with its measure
/// word, in one token or two. A class noun right beside such a count ("涉及儿童用品10例",
/// "购买21件日用品") is counted as a product of its own.
pub(super) fn counts_items(words: &[&str], k: usize) -> bool {
    let numeral = |w: &str| !w.is_empty() && w.chars().all(|c| NUMERAL_CHARS.contains(c));
    let counter = |w: &str| matches!(w, "例" | "件" | "批" | "批次" | "款" | "个" | "种" | "项");
    // "一批" is an article ("公布一批儿童产品召回名单": a batch of), not a count; nor is a count
    // after 其中, which picks from what was named before ("其中一款的纽扣电池" is one's battery)
    if words.get(k) == Some(&"一批")
        || (words.get(k) == Some(&"一") && words.get(k + 1) == Some(&"批"))
        || k.checked_sub(1).and_then(|j| words.get(j)) == Some(&"其中")
    {
        return false;
    }
    match words.get(k) {
        Some(w) if numeral(w) => words.get(k + 1).is_some_and(|n| counter(n)),
        Some(w) => {
            let mut cs = w.chars();
            cs.next_back()
                .is_some_and(|c| counter(c.encode_utf8(&mut [0; 4])))
                && !cs.as_str().is_empty()
                && cs.all(|c| NUMERAL_CHARS.contains(c))
        }
        None => false,
    }
}

/// Whether token `k` is part of a count: its numeral (or the count in one token, "3批次"), or the
/// measure word right after the numeral — that numeral at `from` or later.
pub(super) fn in_count(words: &[&str], k: usize, from: usize) -> bool {
    counts_items(words, k) || (k > from && counts_items(words, k - 1))
}

/// Whether a one-character token ends the noun before it: a particle or a place word after it
/// ("…和学生课桌椅中的甲醛": the member is 学生课桌椅).
pub(super) fn ends_noun(w: &str) -> bool {
    let mut cs = w.chars();
    matches!((cs.next(), cs.next()), (Some(c), None) if "的中上里内之".contains(c))
        || matches!(w, "当中" | "之中" | "里面" | "上面")
}

/// Bit `b & 63` set for the last byte `b` of each three-byte numeral of [`NUMERAL_CHARS`] and of
/// each closer's first character (等之在, as [`closes_list`] tests them).
const OPENS_CLOSE: u64 = last_bytes(NUMERAL_CHARS) | last_bytes("等之在");

/// [`OPENS_CLOSE`] of the three-byte characters of `s`.
const fn last_bytes(s: &str) -> u64 {
    let b = s.as_bytes();
    let (mut mask, mut i) = (0u64, 0);
    while i < b.len() {
        if b[i] >= 0xE0 && b[i] < 0xF0 && i + 2 < b.len() {
            mask |= 1 << (b[i + 2] & 63);
            i += 3;
        } else {
            i += 1;
        }
    }
    mask
}

/// Whether a token closes an enumeration: a closer word (等), a numeral alone, or a numeral with
/// its measure word ("五类", "10种"): "玩具、背提包、小家电五类产品" ends its last member at 五类.
#[inline]
pub(super) fn closes_list(w: &str) -> bool {
    // Asked of every token of a list-bearing text: a token opening with a three-byte character
    // whose last byte no numeral's or closer's has (most) is settled without decoding it
    match *w.as_bytes() {
        [] => false,
        [0xE0..=0xEF, _, b2, ..] if OPENS_CLOSE >> (b2 & 63) & 1 == 0 => false,
        _ => opens_close(w),
    }
}

/// [`closes_list`] past its first test.
fn opens_close(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    // Called for every token of a list-bearing text: no closer opens with a numeral, so the
    // first character settles most tokens with one comparison
    if !numeral(first) {
        // the closers' first characters, before comparing the token with each closer
        return matches!(first, '等' | '之' | '在') && closes_with(w);
    }
    // the rest all numerals, or at most three characters ending in a counter after numerals;
    // read in place (a numeral opens many tokens, and collecting the rest allocated for each)
    let rest = chars.as_str();
    let mut body = rest.chars();
    let Some(last) = body.next_back() else {
        return true;
    };
    body.all(numeral) && (numeral(last) || (rest.chars().count() <= 3 && COUNTERS.contains(last)))
}

/// `NUMERAL_CHARS.contains(c)` without the search through the string.
pub(super) fn numeral(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '一' | '二'
                | '两'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '千'
                | '几'
                | '多'
                | '数'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_of_the_members_closes_a_list() {
        for w in ["等", "五类", "10种", "3", "两款", "十二类"]
            .into_iter()
            .chain(LIST_CLOSERS)
        {
            assert!(closes_list(w), "{w}");
        }
        for w in ["三轮车", "一次性", "多功能", "五金", "四件套", "产品"] {
            assert!(!closes_list(w), "{w}");
        }
        assert!(counts_kinds("五类") && counts_kinds("12种"));
        // `numeral` is NUMERAL_CHARS, and no closer opens with one (closes_list's first test)
        for c in NUMERAL_CHARS
            .chars()
            .chain(COUNTERS.chars())
            .chain("等之在〇零万a ".chars())
        {
            assert_eq!(numeral(c), NUMERAL_CHARS.contains(c), "{c}");
        }
        assert!(LIST_CLOSERS.iter().all(|w| !w.starts_with(numeral)));
        // closes_list's first test passes every three-byte numeral and closer
        for c in ('\u{800}'..='\u{FFFF}').filter(|&c| numeral(c) || matches!(c, '等' | '之' | '在'))
        {
            let last = c.to_string().as_bytes()[2];
            assert_eq!(OPENS_CLOSE >> (last & 63) & 1, 1, "{c}");
        }
        assert!(!counts_kinds("两款") && !counts_kinds("类") && !counts_kinds("人类"));
    }

    #[test]
    fn a_numeral_with_its_measure_word_counts_items() {
        for (words, k) in [
            (&["10", "例"][..], 0),
            (&["用品", "21件"][..], 1),
            (&["3", "批次"][..], 0),
        ] {
            assert!(counts_items(words, k), "{words:?}");
        }
        for (words, k) in [
            (&["10", "年"][..], 0),
            (&["件"][..], 0),
            (&["用品"][..], 1),
            (&["人类"][..], 0),
            (&["一批", "儿童产品"][..], 0),
            (&["一", "批", "儿童产品"][..], 0),
        ] {
            assert!(!counts_items(words, k), "{words:?}");
        }
    }
}
