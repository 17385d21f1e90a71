//! Names as platforms and notices write them, brought to one form: model numbers (width, case,
//! separators, introducing words), brands (affixes, case, width, traditional characters; aliases
//! are resolved by the rules), enterprises (legal-form endings), shops (spacing, punctuation,
//! platform labels), and sales counts as platforms write them (月销 1200+, 已售 3.5万, 2000+人付款).

use crate::analyze::fold;

/// Characters that separate the parts of one model number as written (3PB-123, 3PB 123, 3PB/123).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '.' | '/' | ' ' | '·' | '—' | '–' | '‐' | '−' | '~' | '\\' | '\u{3000}'
    )
}

/// Full-width ASCII to half-width and upper case; everything else as it is.
fn upper_halfwidth(s: &str) -> String {
    fold(s).to_uppercase()
}

/// A model number as written → its normalised form (ASCII letters and digits, upper case, without
/// an introducing word), or `None` when what is left is too short or too generic to match on.
pub fn model(
    written: &str,
    prefixes: &[String],
    min_chars: usize,
    min_digits_only: usize,
) -> Option<String> {
    let mut s = upper_halfwidth(written);
    loop {
        let t = s.trim_start_matches(|c: char| is_separator(c) || matches!(c, ':' | '：' | '#'));
        let stripped = prefixes
            .iter()
            .map(|p| upper_halfwidth(p))
            .filter(|p| !p.is_empty() && t.starts_with(p.as_str()))
            .max_by_key(|p| p.len())
            .map(|p| t[p.len()..].to_string());
        match stripped {
            Some(rest) => s = rest,
            None => {
                s = t.to_string();
                break;
            }
        }
    }
    let norm: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
    valid_model(&norm, min_chars, min_digits_only).then_some(norm)
}

/// The ASCII letters and digits of `s`, upper case: how batch numbers are compared, and what
/// the demo and the tests take for the same model number.
pub fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase()
}

fn valid_model(norm: &str, min_chars: usize, min_digits_only: usize) -> bool {
    let digits = norm.chars().any(|c| c.is_ascii_digit());
    let letters = norm.chars().any(|c| c.is_ascii_alphabetic());
    digits && norm.len() >= min_chars && (letters || norm.len() >= min_digits_only)
}

/// Several models written in one field ("3PB-123、3PB-125").
pub fn split_models(written: &str) -> impl Iterator<Item = &str> {
    written
        .split(['、', ',', '，', ';', '；', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Every model number a text can be read as holding: the concatenation of each run of adjacent
/// letter-and-digit pieces that only separators join ("３ｐｂ－１２３ 大容量" holds 3PB, 3PB123,
/// 123), each also without an introducing word glued to it (MODEL3PB123). A piece is never cut:
/// 3PB-1234 holds 3PB1234, not 3PB123.
pub fn model_candidates(text: &str, prefixes: &[String]) -> Vec<String> {
    /// Longest run of pieces joined (bounds the work on a long title).
    const MAX_PIECES: usize = 6;
    let s = upper_halfwidth(text);
    let mut runs: Vec<Vec<String>> = vec![Vec::new()];
    let mut piece = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            piece.push(c);
            continue;
        }
        let run = runs.last_mut().expect("runs is never empty");
        if !piece.is_empty() {
            run.push(std::mem::take(&mut piece));
        }
        if !is_separator(c) && !run.is_empty() {
            runs.push(Vec::new());
        }
    }
    if !piece.is_empty()
        && let Some(run) = runs.last_mut()
    {
        run.push(piece);
    }
    let prefixes: Vec<String> = prefixes
        .iter()
        .map(|p| {
            upper_halfwidth(p)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|p: &String| !p.is_empty())
        .collect();
    let mut out = Vec::new();
    for run in &runs {
        for start in 0..run.len() {
            let mut joined = String::new();
            for p in run.iter().skip(start).take(MAX_PIECES) {
                joined.push_str(p);
                out.push(joined.clone());
                for pre in &prefixes {
                    if let Some(rest) = joined.strip_prefix(pre.as_str())
                        && !rest.is_empty()
                    {
                        out.push(rest.to_string());
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A brand folded for comparing: width, case and traditional characters folded, affixes (牌,
/// 品牌, ®) and spaces and punctuation dropped.
pub fn fold_brand(written: &str, affixes: &[String]) -> String {
    let mut s = fold(written).to_lowercase();
    for a in affixes {
        let a = fold(a).to_lowercase();
        if !a.is_empty() {
            s = s.replace(&a, "");
        }
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The parts of a brand field that may each be the brand ("BEILIYUAN/倍力源").
pub fn brand_parts(written: &str) -> impl Iterator<Item = &str> {
    written
        .split(['/', '|', '／', '｜', '(', ')', '（', '）'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An enterprise name for comparing: folded, without spaces, punctuation and its legal form.
pub fn enterprise(written: &str, suffixes: &[String]) -> String {
    let mut s: String = fold(written)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    while let Some(rest) = suffixes
        .iter()
        .map(|x| fold(x).to_lowercase())
        .filter(|x| !x.is_empty())
        .find_map(|x| s.strip_suffix(x.as_str()).map(str::to_string))
    {
        if rest.chars().count() < 2 {
            break;
        }
        s = rest;
    }
    s
}

/// Do two enterprise names name one enterprise: equal once normalised, or one holding the other
/// (a seat left out: 倍力源电子科技 in 深圳市倍力源电子科技), with at least four characters.
pub fn same_enterprise(a: &str, b: &str, suffixes: &[String]) -> bool {
    let (a, b) = (enterprise(a, suffixes), enterprise(b, suffixes));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short == long || (short.chars().count() >= 4 && long.contains(short.as_str()))
}

/// A shop name for telling shops apart: folded (width, case, traditional characters), spaces and
/// punctuation dropped, the platform's labels ("（企业店）") removed, and the words texts put before
/// a shop's name (a platform: "好物集的…") stripped from its start. One shop written three ways is
/// one key.
pub fn shop(written: &str, labels: &[String], prefixes: &[String]) -> String {
    let mut s = fold(written).to_lowercase();
    for l in labels {
        let l = fold(l).to_lowercase();
        if !l.is_empty() {
            s = s.replace(&l, "");
        }
    }
    let mut s: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
    let prefixes: Vec<String> = prefixes
        .iter()
        .map(|p| fold(p).to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    while let Some(rest) = prefixes
        .iter()
        .find_map(|p| s.strip_prefix(p.as_str()).map(str::to_string))
    {
        if rest.chars().count() < 2 {
            break;
        }
        s = rest;
    }
    s
}

/// Units sold as a platform writes it: 月销 1200+ → 1200, 已售 3.5万 → 35000, 2000+人付款 → 2000,
/// 付款人数 230 → 230, 1w+ → 10000. `None` when it holds no number.
pub fn sales(written: &str) -> Option<u64> {
    let s = fold(written);
    let chars: Vec<char> = s.chars().collect();
    let start = chars.iter().position(|c| c.is_ascii_digit())?;
    let mut end = start;
    while end < chars.len()
        && (chars[end].is_ascii_digit() || chars[end] == '.' || chars[end] == ',')
    {
        end += 1;
    }
    let number: String = chars[start..end].iter().filter(|c| **c != ',').collect();
    let value: f64 = number.trim_end_matches('.').parse().ok()?;
    let unit = chars[end..].iter().find(|c| !c.is_whitespace()).copied();
    let factor = match unit {
        Some('万' | 'w' | 'W') => 10_000.0,
        Some('千' | 'k' | 'K') => 1_000.0,
        Some('亿') => 100_000_000.0,
        _ => 1.0,
    };
    let n = (value * factor).round();
    (0.0..1e15).contains(&n).then_some(n as u64)
}

/// A price as written (￥59.90, 59.9元, ¥1,299) → yuan.
pub fn price(written: &str) -> Option<f64> {
    let s = fold(written);
    let digits: String = s
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre() -> Vec<String> {
        ["型号", "规格型号", "MODEL", "NO."]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn models_are_normalised_for_width_case_separators_and_prefixes() {
        for w in [
            "3PB-123",
            "３ＰＢ－１２３",
            "3pb 123",
            "型号：3PB/123",
            "Model 3PB_123",
            "No.3PB-123",
        ] {
            assert_eq!(model(w, &pre(), 4, 6).as_deref(), Some("3PB123"), "{w}");
        }
        assert_eq!(model("2024", &pre(), 4, 6), None);
        assert_eq!(model("ABCD", &pre(), 4, 6), None);
        assert_eq!(model("A1", &pre(), 4, 6), None);
        assert_eq!(model("882301", &pre(), 4, 6).as_deref(), Some("882301"));
    }

    #[test]
    fn candidates_join_separated_pieces_but_never_cut_one() {
        let c = model_candidates("倍力源 充电宝 ３ｐｂ－１２３ 大容量", &pre());
        assert!(c.contains(&"3PB123".to_string()), "{c:?}");
        let c = model_candidates("倍力源 移动电源 3PB-1234", &pre());
        assert!(!c.contains(&"3PB123".to_string()), "{c:?}");
        let c = model_candidates("型号MODEL3PB123", &pre());
        assert!(c.contains(&"3PB123".to_string()), "{c:?}");
        // Chinese between two pieces breaks the run
        let c = model_candidates("3PB大容量123", &pre());
        assert!(!c.contains(&"3PB123".to_string()), "{c:?}");
    }

    #[test]
    fn brands_enterprises_and_shops_fold_to_one_key() {
        let aff: Vec<String> = ["牌", "品牌", "®"].iter().map(|s| s.to_string()).collect();
        assert_eq!(fold_brand("倍力源牌", &aff), fold_brand("倍力源®", &aff));
        assert_eq!(fold_brand("BeiLiYuan", &aff), "beiliyuan");
        let suf: Vec<String> = ["有限公司", "公司"].iter().map(|s| s.to_string()).collect();
        assert!(same_enterprise(
            "深圳市倍力源电子科技有限公司",
            "倍力源电子科技公司",
            &suf
        ));
        assert!(!same_enterprise(
            "深圳市倍力源电子科技有限公司",
            "深圳市酷能电子科技有限公司",
            &suf
        ));
        let labels = vec!["（企业店）".to_string()];
        let pre = vec!["好物集".to_string(), "的".to_string()];
        let one = shop("倍力源官方旗舰店", &labels, &pre);
        assert_eq!(shop("倍力源 官方旗艦店", &labels, &pre), one);
        assert_eq!(shop("倍力源官方旗舰店（企业店）", &labels, &pre), one);
        assert_eq!(shop("好物集的倍力源官方旗舰店", &labels, &pre), one);
        assert_ne!(shop("倍力源数码专营店", &labels, &pre), one);
    }

    #[test]
    fn sales_and_prices_as_platforms_write_them() {
        assert_eq!(sales("月销 1200+"), Some(1200));
        assert_eq!(sales("月销 1万+"), Some(10_000));
        assert_eq!(sales("已售3.5万"), Some(35_000));
        assert_eq!(sales("2000+人付款"), Some(2000));
        assert_eq!(sales("付款人数 230"), Some(230));
        assert_eq!(sales("1w+"), Some(10_000));
        assert_eq!(sales("暂无销量"), None);
        assert_eq!(price("￥59.90"), Some(59.9));
        assert_eq!(price("1,299元"), Some(1299.0));
        assert_eq!(price("面议"), None);
    }
}
