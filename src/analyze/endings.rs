//! Word endings looked up per token (product-noun suffixes, place glue): a set of last characters
//! first, so most tokens are rejected without a string comparison.

use super::fxhash::FxHashMap;

/// Word endings looked up per token: most tokens end in a character no ending ends in, and are
/// rejected by one set lookup instead of a string comparison per ending (on small-vocabulary text
/// those comparisons were a tenth of extraction).
#[derive(Debug, Default)]
pub(super) struct Endings {
    /// The endings by their last character, so a token is compared only with the endings its
    /// own last character could end.
    by_last: FxHashMap<char, Vec<String>>,
    /// An empty ending ends every word.
    any: bool,
}

impl Endings {
    pub(super) fn new(words: Vec<String>) -> Self {
        let any = words.iter().any(String::is_empty);
        let mut by_last: FxHashMap<char, Vec<String>> = FxHashMap::default();
        for w in words {
            if let Some(c) = w.chars().next_back() {
                by_last.entry(c).or_default().push(w);
            }
        }
        Endings { by_last, any }
    }

    /// Whether `w` is one of the endings, whole.
    pub(super) fn is(&self, w: &str) -> bool {
        w.chars().next_back().is_some_and(|c| {
            self.by_last
                .get(&c)
                .is_some_and(|ends| ends.iter().any(|s| s == w))
        })
    }

    /// Whether `w` ends with one of the endings.
    pub(super) fn ends(&self, w: &str) -> bool {
        self.any
            || w.chars().next_back().is_some_and(|c| {
                self.by_last
                    .get(&c)
                    .is_some_and(|ends| ends.iter().any(|s| w.ends_with(s.as_str())))
            })
    }
}
