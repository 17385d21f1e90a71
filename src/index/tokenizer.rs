//! The "jieba" tokenizer for tantivy, on the shared `Arc<Jieba>` (never cloned per query: cloning a
//! `Jieba` costs milliseconds and tantivy clones its tokenizer on every parse).
//!
//! Text is folded first ([`crate::analyze::fold`]: traditional → simplified, full-width → half-width)
//! so 電動自行車 and 电动自行车 give the same terms, and ASCII is lower-cased. Token offsets are bytes
//! into the ORIGINAL text (tantivy's snippets cut the stored text with them), mapped back through
//! the fold char by char.
//!
//! Two modes: the index mode also emits the dictionary words inside a long word (自行车 inside
//! 电动自行车) at the same position, so a search for the shorter word still finds the document and
//! phrases keep their positions; the query mode emits only the words jieba chooses, so a query for
//! 电动自行车 is one term.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::analyze::fold;

/// Tokenizer name registered on the index and used by the text fields.
pub const JIEBA: &str = "jieba";

#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
    subwords: bool,
}

impl JiebaTokenizer {
    /// Index mode: words plus the dictionary words inside them.
    pub fn for_index(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer {
            jieba,
            subwords: true,
        }
    }

    /// Query mode: the words jieba chooses, nothing more.
    pub fn for_query(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer {
            jieba,
            subwords: false,
        }
    }
}

pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    /// Number of tokens handed out so far; the current token is `tokens[next - 1]`.
    next: usize,
    /// Returned by `token()` before the first `advance()` instead of panicking.
    empty: Token,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        JiebaTokenStream {
            tokens: tokenize(&self.jieba, text, self.subwords),
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        self.next
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.empty)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.empty,
        }
    }
}

/// Folded text and, for each of its chars, the byte range of the original char it came from.
struct Folded {
    text: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
}

fn fold_with_offsets(original: &str) -> Folded {
    let folded = fold(original);
    if folded.chars().count() == original.chars().count() {
        // The usual case: the fold maps char for char, so char i of the folded text is char i of
        // the original.
        let mut starts = Vec::with_capacity(original.len());
        let mut ends = Vec::with_capacity(original.len());
        for (b, c) in original.char_indices() {
            starts.push(b);
            ends.push(b + c.len_utf8());
        }
        return Folded {
            text: folded.into_owned(),
            starts,
            ends,
        };
    }
    // A phrase-level conversion changed the length: fold char by char instead, so every folded char
    // still knows which original char it came from (phrase-level context is lost, offsets stay right).
    fold_per_char(original)
}

fn fold_per_char(original: &str) -> Folded {
    let mut text = String::with_capacity(original.len());
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    let mut buf = [0u8; 4];
    for (b, c) in original.char_indices() {
        let one = fold(c.encode_utf8(&mut buf));
        for fc in one.chars() {
            text.push(fc);
            starts.push(b);
            ends.push(b + c.len_utf8());
        }
    }
    Folded { text, starts, ends }
}

/// Tokens of `text` with byte offsets into `text` and positions counted over kept words.
pub(crate) fn tokenize(jieba: &Jieba, text: &str, subwords: bool) -> Vec<Token> {
    let folded = fold_with_offsets(text);
    let mut out = Vec::new();
    let mut position = 0usize;
    // byte offsets of a word's chars, and the subwords already emitted for it: kept across words
    let mut bounds: Vec<usize> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for w in jieba.cut(&folded.text, true) {
        // Spaces and punctuation are not terms.
        if !w.word.chars().any(char::is_alphanumeric) {
            continue;
        }
        let (Some(&from), Some(&to)) = (
            folded.starts.get(w.start),
            w.end.checked_sub(1).and_then(|e| folded.ends.get(e)),
        ) else {
            continue;
        };
        let mut word = w.word.to_string();
        word.make_ascii_lowercase();
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: word,
            position_length: 1,
        });
        if subwords {
            // the word's char boundaries: gram i..i+n is word[bounds[i]..bounds[i + n]]
            bounds.clear();
            bounds.extend(w.word.char_indices().map(|(b, _)| b));
            let chars = bounds.len();
            bounds.push(w.word.len());
            seen.clear();
            for n in [2usize, 3] {
                if chars <= n {
                    continue;
                }
                for i in 0..=chars - n {
                    let gram = &w.word[bounds[i]..bounds[i + n]];
                    if seen.contains(&gram) || !jieba.has_word(gram) {
                        continue;
                    }
                    let (Some(&gf), Some(&gt)) = (
                        folded.starts.get(w.start + i),
                        folded.ends.get(w.start + i + n - 1),
                    ) else {
                        continue;
                    };
                    let mut g = gram.to_string();
                    g.make_ascii_lowercase();
                    out.push(Token {
                        offset_from: gf,
                        offset_to: gt,
                        position,
                        text: g,
                        position_length: 1,
                    });
                    seen.push(gram);
                }
            }
        }
        position += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jieba() -> Arc<Jieba> {
        let mut j = Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        Arc::new(j)
    }

    fn words(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn offsets_are_bytes_into_the_original_text() {
        let j = jieba();
        let text = "昨晚電動自行車在樓道充電時起火";
        let toks = tokenize(&j, text, false);
        assert!(words(&toks).contains(&"电动自行车"), "{:?}", words(&toks));
        for t in &toks {
            // Every offset lands on a char boundary of the original, and the slice folds to the term.
            let slice = &text[t.offset_from..t.offset_to];
            assert_eq!(fold(slice).to_lowercase(), t.text, "token {t:?}");
        }
    }

    #[test]
    fn ascii_is_lowercased_and_punctuation_dropped() {
        let j = jieba();
        let toks = tokenize(&j, "USB充电器，符合ＧＢ标准！", false);
        let w = words(&toks);
        assert!(w.contains(&"usb"), "{w:?}");
        assert!(w.contains(&"gb"), "{w:?}");
        assert!(
            !w.iter().any(|s| s.contains('，') || s.contains('！')),
            "{w:?}"
        );
    }

    #[test]
    fn index_mode_adds_inner_words_at_the_same_position() {
        let j = jieba();
        let toks = tokenize(&j, "电动自行车起火", true);
        let whole = toks
            .iter()
            .find(|t| t.text == "电动自行车")
            .map(|t| t.position);
        let inner = toks.iter().find(|t| t.text == "自行车").map(|t| t.position);
        let fire = toks.iter().find(|t| t.text == "起火").map(|t| t.position);
        assert_eq!(whole, Some(0));
        assert_eq!(inner, Some(0));
        assert_eq!(fire, Some(1));
        let query_mode = tokenize(&j, "电动自行车起火", false);
        assert!(!words(&query_mode).contains(&"自行车"));
    }

    #[test]
    fn per_char_fold_maps_every_folded_char_to_its_original() {
        let text = "電池ＵＳＢ充電器a";
        let f = fold_per_char(text);
        assert_eq!(f.text, "电池USB充电器a");
        assert_eq!(f.starts.len(), f.text.chars().count());
        for ((fc, s), e) in f.text.chars().zip(&f.starts).zip(&f.ends) {
            let orig = &text[*s..*e];
            assert_eq!(fold(orig).chars().next(), Some(fc), "{orig}");
        }
    }

    #[test]
    fn token_before_advance_does_not_panic() {
        let mut t = JiebaTokenizer::for_query(jieba());
        let mut s = t.token_stream("");
        assert_eq!(s.token().text, "");
        assert!(!s.advance());
    }
}
