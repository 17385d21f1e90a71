//! Text helpers every stage uses the same way.

/// `s` on one line: runs of white space (newlines included) become one space, none at the ends.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Paragraphs one per line: each line [`one_line`], empty lines dropped.
pub fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = one_line(line);
        if !line.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_tidied_and_spaces_collapsed() {
        assert_eq!(one_line("  电热毯 \n\t 召回  "), "电热毯 召回");
        assert_eq!(
            tidy_lines("\n  第一段  文字 \n\n \t\n第二段\n"),
            "第一段 文字\n第二段"
        );
        assert_eq!(tidy_lines(""), "");
    }
}
