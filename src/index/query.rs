//! Query text preparation before tantivy's parser sees it.
//!
//! tantivy turns one literal that tokenizes into several terms into a phrase, so an unspaced Chinese
//! query 电动车充电起火 would demand the words side by side. People type Chinese without spaces and
//! mean "all of these words", so runs of Chinese outside quotes are split into jieba words joined by
//! spaces (AND by default). Quoted text stays a phrase, and a run glued to `-`, `+` or `field:` is
//! left alone so the operator still applies to all of it (as a phrase).

use jieba_rs::Jieba;

use crate::analyze::fold;

fn is_cjk_word_char(c: char) -> bool {
    !c.is_ascii() && c.is_alphanumeric()
}

pub(crate) fn segment_query(jieba: &Jieba, query: &str) -> String {
    let folded = fold(query);
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len() + 16);
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            in_quote = !in_quote;
            out.push(c);
            i += 1;
            continue;
        }
        if in_quote || !is_cjk_word_char(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_cjk_word_char(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let glued = start > 0 && matches!(chars[start - 1], '-' | '+' | ':');
        if glued {
            out.push_str(&run);
        } else {
            let words: Vec<&str> = jieba.cut(&run, true).into_iter().map(|t| t.word).collect();
            out.push_str(&words.join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_unquoted_chinese_and_keeps_phrases() {
        let mut j = Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        assert_eq!(segment_query(&j, "电动自行车起火"), "电动自行车 起火");
        assert_eq!(
            segment_query(&j, "\"电动自行车起火\""),
            "\"电动自行车起火\""
        );
        assert_eq!(segment_query(&j, "-电动自行车起火"), "-电动自行车起火");
        assert_eq!(segment_query(&j, "電動自行車"), "电动自行车");
        assert_eq!(
            segment_query(&j, "title:召回 AND usb"),
            "title:召回 AND usb"
        );
    }
}
