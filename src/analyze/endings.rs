//! Word endings looked up per token (product-noun suffixes, place glue), and word openings looked
//! up beside each place (what follows it): the words by their last (first) character, so most
//! strings are rejected without a string comparison.

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

    /// The longest ending `w` ends with, if any ("湖北广播电视台" ends with 广播电视台, not only
    /// with 电视台).
    pub(super) fn ending_of(&self, w: &str) -> Option<&str> {
        let c = w.chars().next_back()?;
        self.by_last
            .get(&c)?
            .iter()
            .filter(|s| w.ends_with(s.as_str()))
            .max_by_key(|s| s.len())
            .map(String::as_str)
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

/// Words a string may open with (cues.toml lists read right after a place: 产, 制造, 消协 …), by
/// their first character as [`Endings`] holds its words by their last: most places are followed
/// by a character none of the words opens with, where each word's comparison was a call.
#[derive(Debug, Default)]
pub(super) struct Openings {
    /// The words, in order.
    all: Vec<String>,
    /// Indices into `all` by the words' first character, in order.
    by_first: FxHashMap<char, Vec<usize>>,
    /// An empty word opens every string.
    any: bool,
}

impl Openings {
    pub(super) fn new(all: Vec<String>) -> Self {
        let any = all.iter().any(String::is_empty);
        let mut by_first: FxHashMap<char, Vec<usize>> = FxHashMap::default();
        for (i, w) in all.iter().enumerate() {
            if let Some(c) = w.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        Openings { all, by_first, any }
    }

    /// The words, in order.
    #[cfg(test)]
    pub(super) fn all(&self) -> &[String] {
        &self.all
    }

    /// The first word, in order, that `s` opens with and `keep` takes: only the words of `s`'s
    /// first character are compared (an empty word, which opens every string, sends the search
    /// through every word).
    pub(super) fn first_opening(&self, s: &str, keep: impl Fn(&str) -> bool) -> Option<&str> {
        let found = |w: &&str| s.starts_with(*w) && keep(w);
        if self.any {
            return self.all.iter().map(String::as_str).find(found);
        }
        let c = s.chars().next()?;
        self.by_first
            .get(&c)?
            .iter()
            .filter_map(|&k| self.all.get(k))
            .map(String::as_str)
            .find(found)
    }

    /// Whether `s` opens with one of the words.
    pub(super) fn opens(&self, s: &str) -> bool {
        self.any
            || s.chars().next().is_some_and(|c| {
                self.by_first.get(&c).is_some_and(|ks| {
                    ks.iter()
                        .any(|&k| self.all.get(k).is_some_and(|w| s.starts_with(w.as_str())))
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ending a word ends with is the longest of those it ends with.
    #[test]
    fn the_ending_of_a_word_is_its_longest() {
        let e = Endings::new(["电视台", "广播电视台", "日报"].map(String::from).to_vec());
        assert_eq!(e.ending_of("湖北广播电视台"), Some("广播电视台"));
        assert_eq!(e.ending_of("中央电视台"), Some("电视台"));
        assert_eq!(e.ending_of("合肥晚报"), None);
        assert_eq!(e.ending_of(""), None);
    }

    /// Openings answer as a comparison with every word does, and keep the words' order.
    #[test]
    fn openings_agree_with_every_words_comparison() {
        let words: Vec<String> = ["产", "产品", "制造", "tbt", "wto/tbt", "消协", "消费者协会"]
            .map(String::from)
            .to_vec();
        let o = Openings::new(words.clone());
        for s in [
            "",
            "产",
            "产品召回",
            "制",
            "制造商",
            "tbt通报",
            "wto/tbt",
            "消费者委员会",
            "其他",
            "é",
        ] {
            let plain = words.iter().any(|w| s.starts_with(w.as_str()));
            assert_eq!(o.opens(s), plain, "{s}");
            // the first word a filter takes, as a search of every word in order finds it
            let keep = |w: &str| w.chars().count() > 1;
            let first = words
                .iter()
                .map(String::as_str)
                .find(|w| s.starts_with(*w) && keep(w));
            assert_eq!(o.first_opening(s, keep), first, "{s}");
        }
        assert_eq!(o.all(), words.as_slice());
        assert!(Openings::new(vec![String::new()]).opens("任何"));
        assert!(!Openings::new(Vec::new()).opens("任何"));
    }
}
