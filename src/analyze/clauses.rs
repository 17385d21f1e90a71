//! Clauses and sentences of a text: which token ends a sentence or a clause (for the token loop),
//! and where the clause around a position starts and ends (a comma or a sentence end), within a
//! limit of characters — what the places stage reads beside a place.

/// A comma or a sentence end.
pub(super) fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '！' | '？' | ',' | ';' | '!' | '?' | '\n'
    )
}

/// The start of `text` up to the end of its clause (a comma or a sentence end), at most `chars`
/// characters. A scan of lead bytes: every clause end is ASCII or starts with E3 or EF, so no
/// character is decoded.
pub(super) fn clause_head(text: &str, chars: usize) -> &str {
    let b = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while n < chars
        && let Some(&lead) = b.get(i)
    {
        // the clause ends of `ends_clause`: ，。；！？ and their ASCII forms, and line ends
        let end = match lead {
            b',' | b';' | b'!' | b'?' | b'\n' => true,
            0xE3 => b.get(i + 1..i + 3) == Some(&[0x80, 0x82][..]),
            0xEF => matches!(b.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9B | 0x81 | 0x9F])),
            _ => false,
        };
        if end {
            break;
        }
        i += match lead {
            0..0x80 => 1,
            0xE0..0xF0 => 3,
            0xF0.. => 4,
            _ => 2,
        };
        n += 1;
    }
    text.get(..i).unwrap_or(text)
}

/// The end of `text` back to the start of its clause, at most `chars` characters.
pub(super) fn clause_tail(text: &str, chars: usize) -> &str {
    let start = text
        .char_indices()
        .rev()
        .take(chars)
        .find(|&(_, c)| ends_clause(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or_else(|| {
            text.char_indices()
                .rev()
                .nth(chars)
                .map_or(0, |(i, c)| i + c.len_utf8())
        });
    &text[start..]
}

/// Where a token ends a sentence (`Some(true)`) or only a clause (`Some(false)`); `newline`: whether
/// it holds a line end. Called once per token: a word of letters (most tokens) is told apart by
/// its first byte alone.
#[inline]
pub(super) fn boundary(w: &str, newline: bool) -> Option<bool> {
    let b = w.as_bytes();
    match b.first()? {
        // CJK ideographs (E4..E9 lead bytes) and ASCII letters and digits end nothing
        0xE4..=0xE9 | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' if !newline => None,
        _ if newline => Some(true),
        _ => match w {
            "。" | "！" | "？" | "；" | "!" | "?" | ";" | "…" | "……" => Some(true),
            "，" | "," => Some(false),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte scan stops where a scan of characters stops: at the first clause end within the
    /// limit, else after `chars` characters or at the end of the text.
    #[test]
    fn clause_head_stops_at_a_clause_end_or_the_limit() {
        let by_chars = |text: &str, chars: usize| -> usize {
            text.char_indices()
                .take(chars)
                .find(|&(_, c)| ends_clause(c))
                .map(|(i, _)| i)
                .unwrap_or_else(|| {
                    text.char_indices()
                        .nth(chars)
                        .map_or(text.len(), |(i, _)| i)
                })
        };
        for text in [
            "在杭州召开起草会议，会议决定",
            "abc,def",
            "上海市；北京市",
            "😀😀ü。后面",
            "没有标点的一段很长很长很长很长很长很长很长很长很长很长的文字",
            "",
            "?",
            "「引号」！",
            "……省略",
        ] {
            for chars in [0, 1, 2, 5, 24] {
                assert_eq!(
                    clause_head(text, chars).len(),
                    by_chars(text, chars),
                    "{text} {chars}"
                );
            }
        }
    }
}
