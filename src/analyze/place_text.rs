//! Tests on the text around a place mention or a word: what stands right before or after a
//! place (a quotation or a 《title》 it is inside, a count of failed batches after it, a joiner
//! that goes on with a list of places, a company name it follows in a table's row, a bracketed
//! 中国 in a name) tells the role `places.rs` gives it; `hazards.rs` asks the quotation and the
//! title tests of its words too. Plain string tests, no tokens.

/// Whether `n`, its whitespace dropped and full-width brackets read as ASCII, holds "(中国)":
/// read in place, where a copy of every name was made to search it. ('(' opens the pattern
/// only, so a mismatch goes back to its start, or just past it on a '('.)
pub(super) fn china_in_brackets(n: &str) -> bool {
    const PAT: [char; 4] = ['(', '中', '国', ')'];
    let mut k = 0;
    for c in n.chars().filter(|c| !c.is_whitespace()) {
        let c = match c {
            '（' => '(',
            '）' => ')',
            c => c,
        };
        k = if PAT.get(k) == Some(&c) {
            k + 1
        } else {
            usize::from(c == '(')
        };
        if k == PAT.len() {
            return true;
        }
    }
    false
}

/// Whether a place is followed by a count of batches or makers ("浙江省8批次", "广东7家") in a
/// sentence that has already said something failed (不合格, 不符合): the failures are there.
pub(super) fn failed_count_after(before: &str, after: &str) -> bool {
    let unit = after.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    let counted = after.trim_start().starts_with(|c: char| c.is_ascii_digit())
        && ["批", "家", "款", "件", "个"]
            .iter()
            .any(|u| unit.starts_with(u));
    if !counted {
        return false;
    }
    let sentence = sentence_so_far(before);
    ["不合格", "不符合", "不达标"]
        .iter()
        .any(|w| sentence.contains(w))
}

/// Whether what stands between two places continues a list of them: nothing, 地区, or a joiner
/// (、 和 及 …) — with, before the joiner, a short name the gazetteer did not read, a city glued to
/// its province that it writes only in full ("福建石狮和浙江湖州").
pub(super) fn list_continues(sep: &str) -> bool {
    let joiner = ["、", ",", "，", "和", "及", "与"]
        .iter()
        .find(|j| sep.ends_with(**j));
    let rest = joiner
        .map_or(sep, |j| &sep[..sep.len() - j.len()])
        .trim_start_matches("地区");
    rest.is_empty()
        || (joiner.is_some()
            && (2..=3).contains(&rest.chars().count())
            && super::text::han_word(rest)
            && !rest.contains('的'))
}

/// Whether a place at `s` stands in a table's row right after a name ending at `name_end`, only
/// blanks or a cell's bar between ("佛山市某电器有限公司 广东省佛山市顺德区 泄漏电流"): the
/// address column of the company named before it, not where anything happened.
pub(super) fn follows_in_row(full: &str, name_end: usize, s: usize) -> bool {
    name_end < s
        && full.get(name_end..s).is_some_and(|gap| {
            gap.chars()
                .all(|c| matches!(c, ' ' | '\t' | '|' | '\u{3000}'))
        })
}

/// The sentence a text ending at `before` is in, back to its last full stop.
fn sentence_so_far(before: &str) -> &str {
    before
        .rfind(['。', '\n', '！', '？'])
        .map_or(before, |i| &before[i..])
}

/// Whether a word after `before` stands in a quoted name, slogan or theme ("围绕“全面提高我国质量
/// 总体水平”主题", "在“全国认证认可信息公共服务平台”查询"): a quotation opened earlier in its
/// sentence and not yet closed — unless a colon opens it, as it opens a quoted statement
/// (负责人表示：“今年全国…”), whose scope is the text's.
pub(super) fn in_quoted_name(before: &str) -> bool {
    let sentence = sentence_so_far(before);
    let Some(open) = sentence.rfind(['“', '「']) else {
        return false;
    };
    let closed = sentence.rfind(['”', '」']).is_some_and(|c| c > open);
    let statement = sentence[..open].trim_end().ends_with(['：', ':']);
    !closed && !statement
}

/// Whether a word after `before` stands inside a 《title》 opened in its sentence and not yet
/// closed (grammar of citation): an item word there names the law or the standard.
pub(super) fn in_book_title(before: &str) -> bool {
    let sentence = sentence_so_far(before);
    sentence
        .rfind('《')
        .is_some_and(|open| !sentence[open..].contains('》'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bracketed 中国 is found in place as in the name copied without whitespace and with
    /// its brackets made ASCII.
    #[test]
    fn china_in_brackets_is_read_as_in_a_bare_copy() {
        let copied = |n: &str| {
            let bare: String = n
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '（' => '(',
                    '）' => ')',
                    c => c,
                })
                .collect();
            bare.contains("(中国)")
        };
        for n in [
            "某某（中国）投资有限公司",
            "某某 ( 中国 ) 投资",
            "某某((中国)",
            "某某(（中 国）",
            "(中(中国)",
            "(中国",
            "中国)",
            "某某（中华）有限公司",
            "",
            "((((",
        ] {
            assert_eq!(china_in_brackets(n), copied(n), "{n}");
        }
    }

    /// A word in a quotation opened in its sentence is the quotation's, unless a colon opens it
    /// (a statement); a closed quotation or one opened in an earlier sentence holds nothing.
    #[test]
    fn a_word_inside_a_quoted_name_is_the_names() {
        assert!(in_quoted_name("围绕“统筹推进，提高"));
        assert!(in_quoted_name("可在「全国认证"));
        assert!(!in_quoted_name("负责人表示：“今年"));
        assert!(!in_quoted_name("围绕“质量强国”主题，"));
        assert!(!in_quoted_name("他说：“好。今年"));
        assert!(!in_quoted_name("今年以来，"));
    }

    /// A word after an unclosed 《 of its sentence is in a title; after a closed one, or one
    /// opened in an earlier sentence, it is not.
    #[test]
    fn a_word_in_a_cited_title() {
        assert!(in_book_title("根据《能源效益（产品"));
        assert!(!in_book_title("根据《产品标签条例》，两款"));
        assert!(!in_book_title("依据《某条例。两款"));
        assert!(!in_book_title("两款冷气机的"));
    }

    /// A count right after a place, in a sentence that said something failed, puts the failures
    /// there; a space alone is no count, and a sentence that failed nothing puts nothing there.
    #[test]
    fn failed_batches_counted_after_a_place() {
        let before = "抽查插座200批次，不合格15批次，其中浙江省";
        assert!(failed_count_after(before, "8批次、广东省7批次"));
        assert!(failed_count_after(before, " 8 家企业"));
        assert!(!failed_count_after(before, " 批发市场"));
        assert!(!failed_count_after("抽查插座200批次，其中浙江省", "8批次"));
        assert!(!failed_count_after("不合格15批次。其中浙江省", "生产的"));
    }

    /// A place after a name with blanks or a bar between is in the name's row; one after other
    /// words, after a line's end or inside the name is not.
    #[test]
    fn a_place_in_the_row_of_a_name() {
        let row = "1 插座 某电器有限公司 浙江省温州市 温升";
        let name_end = row.find(" 浙江").unwrap_or(0);
        let s = row.find("浙江").unwrap_or(0);
        assert!(follows_in_row(row, name_end, s));
        let bar = "某公司|广东省";
        assert!(follows_in_row(
            bar,
            bar.find('|').unwrap_or(0),
            bar.find("广东").unwrap_or(0)
        ));
        let prose = "某公司在广东省";
        assert!(!follows_in_row(
            prose,
            prose.find('在').unwrap_or(0),
            prose.find("广东").unwrap_or(0)
        ));
        let line = "某公司\n广东省";
        assert!(!follows_in_row(
            line,
            line.find('\n').unwrap_or(0),
            line.find("广东").unwrap_or(0)
        ));
        assert!(!follows_in_row("广东省某公司", 12, 0));
    }

    /// A list of places goes on across nothing, 地区 or a joiner, and across a short name glued
    /// before the joiner; not across words of a sentence.
    #[test]
    fn a_list_of_places_continues_across_a_glued_city() {
        for sep in ["", "、", "和", "地区、", "石狮和", "义乌、"] {
            assert!(list_continues(sep), "{sep}");
        }
        for sep in ["石狮", "的企业和", "生产的电暖器和", "省内的销售商"] {
            assert!(!list_continues(sep), "{sep}");
        }
    }
}
