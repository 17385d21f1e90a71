//! Tokens jieba glued that the analysis reads apart: a place glued to what follows it (北京市 +
//! 民), a rule word glued to its failure wording (温升 + 过高), an adverb glued to the rule word
//! after it (突然 + 折断), and a device's head glued to the modal after it (故事 + 机会, which goes
//! back to 故事机).

use super::super::*;
use super::{han_word, len_bit};

/// General-dictionary words that glue a device's head to a modal verb after it (机 + 会, 灯 + 会):
/// jieba cuts "故事机会" as 故事 / 机会 when 故事机 is only a rule's word. Grammar, not a domain cue.
const HEAD_MODALS: [&str; 2] = ["机会", "灯会"];

/// Adverbs of manner the general dictionary glues to the verb after them (突然折断, 突然起火):
/// the verb alone is what a rule names. Grammar, not a domain cue.
const GLUED_ADVERBS: [&str; 4] = ["突然", "忽然", "瞬间", "当场"];

impl Analyzer {
    /// Where a long token glued of two splits (place, then failure, then adverb), out of the token
    /// loop.
    #[inline(never)]
    pub(super) fn glued(&self, w: &str) -> Option<usize> {
        self.place_glued(w)
            .or_else(|| self.failure_glued(w))
            .or_else(|| self.adverb_glued(w))
    }

    /// Where to split a token that is an adverb ([`GLUED_ADVERBS`]) glued to a rule word ("突然折断"
    /// = 突然 + 折断); None for any other token, and for a token the rules know whole.
    fn adverb_glued(&self, w: &str) -> Option<usize> {
        let a = GLUED_ADVERBS.iter().find(|a| w.starts_with(**a))?;
        let rest = w.get(a.len()..)?;
        (!rest.is_empty() && self.lexicon.is_rule_word(rest) && !self.lexicon.is_rule_word(w))
            .then_some(a.len())
    }

    /// Where to split a token that is a rule word glued to the failure wording after it ("温升过高"
    /// = 温升 + 过高: the dictionary's path through a tested item and its result can swallow
    /// both); None for any other token.
    fn failure_glued(&self, w: &str) -> Option<usize> {
        if w.len() < 9 || !self.failure_lasts.holds_last(w) || !han_word(w) {
            return None;
        }
        // a rule phrase glued to its result ("温升过高" of a 导致 … pair) is split too: the item
        // and the failure wording say as much as the phrase
        w.char_indices().skip(2).map(|(k, _)| k).find(|&k| {
            self.failure_lens & len_bit(w.len() - k) != 0
                && self.failure_words.contains(&w[k..])
                && self.lexicon.is_rule_word(&w[..k])
        })
    }

    /// Where to split a token that is a place name glued to one of cues.toml `[place_glue]`
    /// words ("北京市" + "民") or to another place name ("上海" + "浦东"); None for any other
    /// token, and for a token the rules know.
    fn place_glued(&self, w: &str) -> Option<usize> {
        // a head that is a place starts with a place's first character, and a tail that is glue
        // or a place ends with one of their last characters: most long tokens do neither
        if w.len() < 9 || !self.place_firsts.holds_first(w) || !self.glue_lasts.holds_last(w) {
            return None;
        }
        // the rule-word lookup last: it hashes the token, where the glue test mostly compares
        // lengths, and it is rarely reached
        let place = |s: &str| self.is_place_name(s);
        // a city and its district in one word ("上海浦东", "广州白云") are both places; the
        // head first, which few splits pass (a head ending in no place's last character is
        // passed without hashing it: most heads)
        let k = w.char_indices().skip(2).map(|(k, _)| k).find(|&k| {
            self.place_lasts.holds_last(&w[..k])
                && place(&w[..k])
                && (self.place_glue.iter().any(|g| g == &w[k..]) || place(&w[k..]))
        })?;
        (!self.lexicon.is_rule_word(w)).then_some(k)
    }

    /// The previous token (from byte `prev` to `at`) with the head of `word` when `word` is a
    /// head glued to a modal ([`HEAD_MODALS`]) and the two make a rule word (故事 + 机 = 故事机):
    /// the general dictionary's 机会 outweighs a rule's rarer word. None for any other token.
    pub(super) fn head_glued<'a>(
        &self,
        text: &'a str,
        prev: usize,
        at: usize,
        word: &str,
    ) -> Option<&'a str> {
        if word.len() != 6 || !HEAD_MODALS.contains(&word) {
            return None;
        }
        text.get(prev..at + 3)
            .filter(|joined| self.lexicon.is_rule_word(joined))
    }
}
