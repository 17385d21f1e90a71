//! Substances no hazard term names, told by the form of their name: a chemical's name ends in a
//! character of its class (胺, 醛, 酚, 酯, 烷 …; a metal's own character), and a notice measures it
//! (含量, 迁移量, 残留). "2批次检出对苯二胺含量超过限值" reports a chemical whether or not a rule
//! lists 对苯二胺. Data: hazards.toml `substances`; grammar here.

use super::rules::RuleFiles;
use super::text::{han_word, latin_word, same_word};
use super::{Analyzer, Match, Strength, Target, Tok};

/// One hazard's `substances` rule, prepared.
#[derive(Debug, Clone)]
pub(super) struct Substance {
    hazard: usize,
    endings: Vec<char>,
    measures: Vec<String>,
}

/// Every rule's measure words, for the per-token lexicon ([`super::text::lex::MEASURE`]).
pub(super) fn measure_words(f: &RuleFiles) -> Vec<String> {
    f.hazards
        .hazard
        .iter()
        .filter_map(|r| r.substances.as_ref())
        .flat_map(|s| s.measures.iter().cloned())
        .collect()
}

/// The `substances` rules of hazards.toml, by hazard index (endings of one character only:
/// `jiance check` reports any other).
pub(super) fn table(f: &RuleFiles) -> Vec<Substance> {
    f.hazards
        .hazard
        .iter()
        .enumerate()
        .filter_map(|(h, r)| {
            let s = r.substances.as_ref()?;
            Some(Substance {
                hazard: h,
                endings: s.endings.iter().filter_map(|e| e.chars().next()).collect(),
                measures: s.measures.iter().map(|m| super::text::prepare(m)).collect(),
            })
        })
        .collect()
}

impl Analyzer {
    /// A substance's name right before a measure word (with 的 between at most), in one clause,
    /// that no hazard term covers: a test item of the rule's hazard. A letter or a number after
    /// the name belongs to it (双酚A, 双酚S含量). A measure word is a whole token.
    pub(super) fn substance_matches(
        &self,
        words: &[&str],
        kinds: &[u16],
        toks: &[Tok],
        ms: &mut Vec<Match>,
    ) {
        // most texts hold no measure word: one OR over every token's bits (a vectorised loop
        // with no exit) settles them, where the walk below tested each token for each rule
        let any_measure = kinds.iter().fold(0, |all, &b| all | b) & super::text::lex::MEASURE != 0;
        if self.substances.is_empty() || !any_measure {
            return;
        }
        let mut found = Vec::new();
        for s in &self.substances {
            for k in 1..words.len() {
                // (the lexicon's bit settles most tokens; the rule's own list, the few it holds)
                let measure = kinds
                    .get(k)
                    .is_some_and(|b| b & super::text::lex::MEASURE != 0);
                // (compared in place: a call to `memcmp` per measure word cost more than the
                // comparison)
                if !measure || !s.measures.iter().any(|m| same_word(m, words[k])) {
                    continue;
                }
                let end = if words[k - 1] == "的" { k - 1 } else { k };
                let Some(last) = end.checked_sub(1) else {
                    continue;
                };
                // (a short code after the name: 双酚 + a)
                let name = match last.checked_sub(1) {
                    Some(j) if latin_word(words[last]) && words[last].len() <= 2 => j,
                    _ => last,
                };
                let w = words[name];
                let ends = w
                    .chars()
                    .next_back()
                    .is_some_and(|c| s.endings.contains(&c));
                if !ends || !han_word(w) || toks[name].clause != toks[k].clause {
                    continue;
                }
                let covered = ms
                    .iter()
                    .any(|m| matches!(m.target, Target::Hazard(..)) && m.a <= name && name < m.b);
                if !covered {
                    found.push(Match {
                        a: name,
                        b: last + 1,
                        target: Target::Hazard(s.hazard, Strength::TestItem),
                    });
                }
            }
        }
        ms.extend(found);
    }
}
