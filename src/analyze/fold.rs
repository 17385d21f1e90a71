//! Text folding applied before any matching and in the index tokenizer, so a query or a rule
//! written one way finds text written another: traditional → simplified characters (zhconv, whose
//! tables come from OpenCC and MediaWiki), full-width ASCII → half-width, ideographic space → space.
//!
//! Most input is already simplified: one pass over the characters against a bit set of every
//! character that some zhconv rule rewrites decides whether the converter runs at all, so plain
//! simplified text costs a scan and no allocation.

use std::borrow::Cow;
use std::sync::LazyLock;

#[path = "fold_changing.rs"]
mod changing;

/// Characters below this code point are looked up in the bit set; any above it (rare
/// supplementary-plane ideographs) sends the text through the converter.
const LIMIT: u32 = 0x40000;

/// Bit set of the characters whose presence can make the zh-Hans converter change a text (see
/// [`changing::CHANGING_CHARS`]). A text holding none of them matches only identity rules, so
/// converting it would return it unchanged.
static CHANGING: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; (LIMIT as usize).div_ceil(64)];
    for c in changing::CHANGING_CHARS.chars() {
        let i = c as usize;
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    bits
});

/// The characters of [`changing::CHANGING_CHARS`], worked out from zhconv's tables: for every
/// rule `from → to` of its zh-Hans table with `from != to`, the characters of `from` at positions
/// where it differs from `to` (all of `from` when the lengths differ). Expanding the tables takes
/// about 15 M instructions — half the start of a one-line `jiance extract` — so the result is kept
/// in the source and a test checks it against this.
#[cfg(test)]
fn changing_chars() -> std::collections::BTreeSet<char> {
    let mut set = std::collections::BTreeSet::new();
    for &table in zhconv::get_builtin_tables(zhconv::Variant::ZhHans) {
        for (from, to) in zhconv::tables::expand_table(table) {
            if from == to {
                continue;
            }
            let (f, t): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
            if f.len() == t.len() {
                f.iter().zip(&t).filter(|(a, b)| a != b).for_each(|(a, _)| {
                    set.insert(*a);
                });
            } else {
                set.extend(f);
            }
        }
    }
    set
}

/// Whether the zh-Hans converter may change a text holding `c`.
fn may_convert(bits: &[u64], c: char) -> bool {
    let i = c as u32;
    i >= LIMIT
        || bits
            .get(i as usize / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// The half-width form of a full-width ASCII character (U+FF01..U+FF5E) or of the ideographic
/// space (U+3000); `None` for any other character.
fn narrow(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// Build the prefilter and the converter now, so that a later fold does not wait for them: for a
/// short command that is sure to fold (a search folds every snippet), on a thread of its own while
/// it does other work. The converter takes about 10 M instructions (a few milliseconds) to build.
pub fn prepare() {
    LazyLock::force(&CHANGING);
    let _ = zhconv::zhconv("後", zhconv::Variant::ZhHans);
}

/// Fold `text` for matching. Returns the input unchanged (borrowed) when nothing needs folding.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let bits = CHANGING.as_slice();
    let (mut needs_width, mut needs_script) = (false, false);
    for c in text.chars() {
        if c.is_ascii() {
            continue;
        }
        needs_width |= narrow(c).is_some();
        needs_script |= may_convert(bits, c);
        if needs_width && needs_script {
            break;
        }
    }
    if !needs_width && !needs_script {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    Cow::Owned(out)
}

/// Width-fold `text` from byte `from` (a character boundary) on, once the converter is due and
/// only full-width characters still need a look: appends the text up to the last one folded
/// (the part from `last` on) and returns where the unappended rest starts. Their UTF-8 opens with
/// EF or E3, bytes that only ever lead a character, so the text is searched for those two
/// bytes eight at a time: a converted text (a traditional-script story) took a decoded
/// character and a bit-set test per character for the rest of its length.
fn narrow_rest(text: &str, from: usize, mut last: usize, out: &mut String) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(at) = next_wide_lead(bytes, i) {
        if let Some(&[b0, b1, b2]) = bytes.get(at..at + 3) {
            let c =
                (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            if let Some(x) = char::from_u32(c).and_then(narrow) {
                out.push_str(text.get(last..at).unwrap_or(""));
                out.push(x);
                last = at + 3;
            }
        }
        // a three-byte character either way (EF and E3 lead three-byte sequences)
        i = at + 3;
    }
    last
}

/// The first byte at or after `from` that is EF or E3, eight bytes at a time where it can.
fn next_wide_lead(bytes: &[u8], from: usize) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // a byte of `w` equal to `v` becomes zero after the XOR, and a zero byte sets its top bit
    // in (y - LOW) & !y (a borrow can mark a byte above a zero one too, never a word without one)
    let holds = |w: u64, v: u64| {
        let y = w ^ (LOW * v);
        y.wrapping_sub(LOW) & !y & HIGH != 0
    };
    let mut i = from;
    while let Some(chunk) = bytes
        .get(i..i + 8)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
    {
        let w = u64::from_le_bytes(chunk);
        if holds(w, 0xEF) || holds(w, 0xE3) {
            break;
        }
        i += 8;
    }
    let rest = bytes.get(i..)?;
    rest.iter()
        .position(|&b| b == 0xEF || b == 0xE3)
        .map(|k| i + k)
}

/// Append `fold(text)` to `out`, in one pass and without a string of its own: full-width ASCII
/// (U+FF01..U+FF5E) becomes ASCII and U+3000 a space while copying, and the converter runs over the
/// appended part only when a character it may change was seen. (The analyzer builds its
/// title-and-text buffer this way; `fold` uses it when a text needs folding at all.)
pub fn fold_into(text: &str, out: &mut String) {
    let start = out.len();
    if text.is_ascii() {
        out.push_str(text);
        return;
    }
    let bits = CHANGING.as_slice();
    let mut needs_script = false;
    let mut last = 0;
    // A walk over the bytes, not `char_indices`: most characters of a Chinese text are three
    // bytes, read in place here, and only those opening with EF or E3 can be width-folded
    // (U+FF01..U+FF5E, U+3000); once the converter is due, the others need no look at all.
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b0) = bytes.get(i) {
        if b0 < 0x80 {
            i += 1;
            continue;
        }
        if let (0xE0..=0xEF, Some(&[b1, b2])) = (b0, bytes.get(i + 1..i + 3)) {
            let c =
                (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            if (b0 == 0xEF || b0 == 0xE3)
                && let Some(x) = char::from_u32(c).and_then(narrow)
            {
                out.push_str(text.get(last..i).unwrap_or(""));
                out.push(x);
                last = i + 3;
            } else {
                // a width-folded character is ASCII afterwards, which the converter never changes
                needs_script = bits
                    .get(c as usize / 64)
                    .is_some_and(|w| w & (1 << (c % 64)) != 0);
            }
            i += 3;
            if needs_script {
                last = narrow_rest(text, i, last, out);
                break;
            }
            continue;
        }
        // a two- or four-byte character: never width-folded
        let Some(ch) = text.get(i..).and_then(|s| s.chars().next()) else {
            break;
        };
        needs_script = may_convert(bits, ch);
        i += ch.len_utf8();
        if needs_script {
            last = narrow_rest(text, i, last, out);
            break;
        }
    }
    out.push_str(text.get(last..).unwrap_or(""));
    if needs_script {
        let part = out.get(start..).unwrap_or("");
        let simplified = zhconv::zhconv(part, zhconv::Variant::ZhHans);
        if simplified != part {
            out.truncate(start);
            out.push_str(&simplified);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{changing, changing_chars, fold, fold_into};

    /// The kept list of changing characters is what zhconv's tables give today (a new zhconv
    /// version may change them): `JIANCE_BLESS=1 cargo test --lib fold::` writes it again.
    #[test]
    fn kept_changing_characters_match_the_converter_tables() {
        let want = changing_chars();
        let kept: std::collections::BTreeSet<char> = changing::CHANGING_CHARS.chars().collect();
        if kept == want {
            return;
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/analyze/fold_changing.rs");
        if std::env::var_os("JIANCE_BLESS").is_some() {
            let mut body = String::new();
            for (n, c) in want.iter().enumerate() {
                if n % 32 == 0 {
                    body.push_str("\\\n    ");
                }
                body.extend(c.escape_debug());
            }
            let text = format!(
                "//! Generated by `JIANCE_BLESS=1 cargo test --lib fold::` from zhconv's zh-Hans tables; do\n\
                 //! not edit. See `changing_chars` in fold.rs.\n\n\
                 /// Every character whose presence can make the zh-Hans converter change a text, in\n\
                 /// code point order ({} of them).\n\
                 #[rustfmt::skip]\n\
                 pub(super) const CHANGING_CHARS: &str = \"{body}\\\n\";\n",
                want.len()
            );
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{path}: {e}"));
            return;
        }
        let missing: String = want.difference(&kept).take(20).collect();
        let extra: String = kept.difference(&want).take(20).collect();
        panic!(
            "{path} is out of date (missing {missing:?}, extra {extra:?}): run \
             `JIANCE_BLESS=1 cargo test --lib fold::` and commit it"
        );
    }

    /// `fold_into` as it was, a character at a time: the byte walk must append the same.
    fn fold_into_chars(text: &str, out: &mut String) {
        let start = out.len();
        let bits = super::CHANGING.as_slice();
        let mut needs_script = false;
        let mut last = 0;
        for (i, c) in text.char_indices() {
            if c.is_ascii() {
                continue;
            }
            match super::narrow(c) {
                Some(x) => {
                    out.push_str(&text[last..i]);
                    out.push(x);
                    last = i + c.len_utf8();
                }
                None => needs_script = needs_script || super::may_convert(bits, c),
            }
        }
        out.push_str(&text[last..]);
        if needs_script {
            let simplified = zhconv::zhconv(&out[start..], zhconv::Variant::ZhHans);
            out.truncate(start);
            out.push_str(&simplified);
        }
    }

    #[test]
    fn the_byte_walk_folds_as_the_character_walk() {
        let mut texts: Vec<String> = [
            "ＧＢ　１７７６１，電動車 café ñ Ω й ☃ 😀 𠀀 後 x",
            "é電",
            "２名兒童",
            "ａ\u{3000}ｚ\u{FF5F}\u{FF00}～！",
            "\u{7FF}\u{800}\u{FFFF}\u{10000}\u{3FFFF}\u{40000}\u{10FFFF}",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // every character below U+10000 in runs, and a sample of the planes above
        let all: Vec<char> = (0x80..0x1_0000)
            .chain((0x1_0000..0x11_0000).step_by(97))
            .filter_map(char::from_u32)
            .collect();
        texts.extend(all.chunks(64).map(|c| c.iter().collect::<String>()));
        // full-width characters after the converter is due (read eight bytes at a time), at every
        // alignment, beside CJK punctuation that also opens with E3 and stays as it is
        texts.extend((0..17).map(|k| {
            format!(
                "後{}ＡＢ。、　ｚ{}！{}",
                "a".repeat(k),
                "字".repeat(k),
                "é".repeat(k)
            )
        }));
        texts.extend((0..17).map(|k| format!("\u{40000}{}，３", "x".repeat(k))));
        for t in &texts {
            let (mut a, mut b) = (String::from("前"), String::from("前"));
            fold_into(t, &mut a);
            fold_into_chars(t, &mut b);
            assert_eq!(a, b, "{t}");
        }
    }

    /// `fold_into` appends exactly what `fold` returns.
    fn both(t: &str) -> String {
        let mut out = String::from("前缀");
        fold_into(t, &mut out);
        let folded = fold(t);
        assert_eq!(out.strip_prefix("前缀"), Some(folded.as_ref()), "{t}");
        folded.into_owned()
    }

    #[test]
    fn folds_traditional_and_width() {
        assert_eq!(fold("電動自行車充電時起火"), "电动自行车充电时起火");
        assert_eq!(fold("行動電源爆炸"), "行动电源爆炸");
        assert_eq!(fold("ＧＢ　１７７６１"), "GB 17761");
        assert_eq!(fold("plain ascii"), "plain ascii");
        assert_eq!(fold("移动电源"), "移动电源");
        assert_eq!(fold("２名兒童"), "2名儿童");
        assert_eq!(
            both("２名兒童，ＧＢ　１７７６１－２０２４"),
            "2名儿童,GB 17761-2024"
        );
    }

    /// The prefilter never skips a text the converter would change: every BMP character alone, a
    /// mixed sample's character pairs and every text of the labelled evaluation set fold exactly as
    /// zhconv converts them.
    #[test]
    fn prefilter_agrees_with_the_converter() {
        // the converter alone, after the width folding it does not do
        let convert = |t: &str| {
            let narrow: String = t
                .chars()
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    '\u{3000}' => ' ',
                    _ => c,
                })
                .collect();
            zhconv::zhconv(&narrow, zhconv::Variant::ZhHans)
        };
        for c in ('\u{3000}'..='\u{9FFF}').chain('\u{F900}'..='\u{FFEF}') {
            let t = c.to_string();
            assert_eq!(both(&t), convert(&t), "{c} U+{:04X}", c as u32);
        }
        let sample = "電動車充電起火乾燥乾隆著名著作后來皇后面積裡裏頭髮發現臺灣台風颱風鬆緊松樹\
                      隻身只有鐘錶鍾情穀物谷歌瞭解了結曆史歷史餘下余杭徵求征收於是于是制製造\
                      电动车充电起火干燥著名皇后面积里头发现台湾台风松紧只有钟表谷物了解历史";
        let chars: Vec<char> = sample.chars().collect();
        for w in chars.windows(2) {
            let t: String = w.iter().collect();
            assert_eq!(both(&t), convert(&t), "{t}");
        }
        for line in include_str!("../../tests/eval/labelled.jsonl").lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            for t in [&v["title"], &v["text"]]
                .into_iter()
                .filter_map(|t| t.as_str())
            {
                assert_eq!(both(t), convert(t), "{t}");
            }
        }
    }
}
