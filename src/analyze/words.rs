//! [`Words`]: a short list of words looked for in short spans of a text (the clause beside a
//! place) and, for a few lists, in the whole text.

use aho_corasick::AhoCorasick;

use super::CharSet;

/// Spans up to this many bytes are first checked for a word's first character.
const SHORT: usize = 256;

/// A short list of words looked for inside short spans (the clause after a place): one
/// automaton, where a substring search per word paid each word's searcher set-up on every call.
#[derive(Debug, Default)]
pub(in crate::analyze) struct Words {
    /// Leftmost-first automaton of `words`; `None` when there are no words (or, never in
    /// practice, when it cannot be built: then the words are searched one by one).
    ac: Option<AhoCorasick>,
    words: Vec<String>,
    /// The first character of every word: a short span holding none of them holds no word.
    firsts: CharSet,
    /// Whether the list given held an empty word (which every text holds): see [`Words::any_in`].
    empty: bool,
}

impl Words {
    pub(in crate::analyze) fn new(words: impl IntoIterator<Item = String>) -> Self {
        let mut empty = false;
        let words: Vec<String> = words
            .into_iter()
            .filter(|w| {
                empty |= w.is_empty();
                !w.is_empty()
            })
            .collect();
        let ac = (!words.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .build(&words)
                    .ok()
            })
            .flatten();
        let firsts = CharSet::new(words.iter().filter_map(|w| w.chars().next()));
        Words {
            ac,
            words,
            firsts,
            empty,
        }
    }

    /// `words.iter().any(|w| hay.contains(w))` of the list given, an empty word included: one
    /// automaton pass over a whole text, where a substring search per word set up its searcher
    /// and read the text once per word.
    pub(in crate::analyze) fn any_in(&self, hay: &str) -> bool {
        self.empty || self.in_text(hay)
    }

    /// Whether one of the words stands in `hay`.
    pub(in crate::analyze) fn in_text(&self, hay: &str) -> bool {
        self.first(hay).is_some()
    }

    /// Whether one of the words stands in `hay`, a word of Latin letters not inside a longer
    /// one: "EN 71" and "EN71" cite a standard, "Brenna" and "Kenneth" do not.
    pub(in crate::analyze) fn in_text_whole(&self, hay: &str) -> bool {
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        let whole = |s: usize, e: usize| {
            let w = &hay[s..e];
            !w.bytes().any(|b| b.is_ascii_alphabetic())
                || (!alnum(hay[..s].chars().next_back()) && !alnum(hay[e..].chars().next()))
        };
        if self.surely_absent(hay) {
            return false;
        }
        match &self.ac {
            // leftmost-first: a rejected "en" of "Brenna" leaves the rest to search
            Some(ac) => ac.find_iter(hay).any(|m| whole(m.start(), m.end())),
            None => self.words.iter().any(|w| {
                hay.match_indices(w.as_str())
                    .any(|(s, m)| whole(s, s + m.len()))
            }),
        }
    }

    /// The start of the leftmost word in `hay`.
    pub(in crate::analyze) fn first(&self, hay: &str) -> Option<usize> {
        // most spans asked about are a clause beside a place and hold none of the words'
        // first characters: a look at each character spares the automaton's set-up, which
        // cost more than the search itself there (a whole text goes to the automaton, whose
        // prefilter skips it faster)
        if self.surely_absent(hay) {
            return None;
        }
        match &self.ac {
            Some(ac) => ac.find(hay).map(|m| m.start()),
            None => self.words.iter().filter_map(|w| hay.find(w.as_str())).min(),
        }
    }

    /// Whether a short `hay` holds none of the words' first characters, so none of the words.
    fn surely_absent(&self, hay: &str) -> bool {
        hay.len() <= SHORT && !self.firsts.holds_any(hay)
    }
}
