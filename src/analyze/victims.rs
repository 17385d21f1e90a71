//! What a fire reached rather than started in: a product named after a `[victim]` verb in its
//! clause (取暖器倾倒后引燃沙发), right before 被 + one (童鞋被烧毁), right before a `[damaged]`
//! word (家具损失严重), in a list of what a fire could reach (远离窗帘、沙发等可燃物), or used to put
//! the fire out (用灭火器扑灭). Such a
//! mention carries no hazard and does not make the document about its product.

use super::*;

impl Analyzer {
    /// Per mention of `cats`: whether it is a victim, not a source.
    pub(super) fn victims(&self, cats: &[CatM], t: &Tokens) -> Vec<bool> {
        let (toks, words) = (&t.toks, &t.words);
        let is_verb = |w: &str| self.victim_verbs.contains(w);
        // (clause, token up to which it was read, whether a verb stood there): mentions come in
        // token order, and each of a list of products in one clause read the clause's start again
        let mut read: Option<(usize, usize, bool)> = None;
        cats.iter()
            .map(|c| {
                let clause = toks[c.tok].clause;
                let before = match read {
                    // the tokens between two of one clause are of that clause too
                    Some((rc, upto, found)) if rc == clause && upto <= c.tok => {
                        found || (upto..c.tok).any(|k| is_verb(words[k]))
                    }
                    _ => (0..c.tok)
                        .rev()
                        .take_while(|&k| toks[k].clause == clause)
                        .any(|k| is_verb(words[k])),
                };
                read = Some((clause, c.tok, before));
                let after = words.get(c.end) == Some(&"被")
                    && words.get(c.end + 1).is_some_and(|w| is_verb(w));
                // "家具损失严重", "被子都烧坏了": the damage it suffered, at most one word between
                let damaged = (c.end..c.end + 2).any(|k| {
                    words
                        .get(k)
                        .is_some_and(|w| self.damaged_words.contains(*w))
                });
                // "用灭火器迅速扑灭明火": what put the fire out, at most one word after the
                // instrument word
                let (means, instruments) = &self.victim_means;
                let used = (c.tok.saturating_sub(2)..c.tok)
                    .any(|k| instruments.iter().any(|w| w == words[k]))
                    && (c.end..words.len())
                        .take_while(|&k| toks[k].clause == clause)
                        .any(|k| means.iter().any(|w| w == words[k]));
                before || after || damaged || used || self.in_victim_list(c, cats, t)
            })
            .collect()
    }

    /// Whether a mention is an item of a list that 等 and a `[victim] lists` noun close ("远离窗帘、
    /// 沙发等可燃物"): what a fire could reach, not a product the text is about. From the mention
    /// on, the list is items (another mention, or up to three Han words) joined by 、 和 及 与 或,
    /// all in the mention's clause.
    fn in_victim_list(&self, c: &CatM, cats: &[CatM], t: &Tokens) -> bool {
        if self.victim_lists.is_empty() {
            return false;
        }
        let (toks, words) = (&t.toks, &t.words);
        let clause = toks[c.tok].clause;
        let joiner = |w: &str| matches!(w, "、" | "和" | "及" | "与" | "或");
        let mut k = c.end;
        loop {
            match words.get(k) {
                Some(&"等") => {
                    return words
                        .get(k + 1)
                        .is_some_and(|w| self.victim_lists.iter().any(|v| v == w));
                }
                Some(w) if joiner(w) => {
                    let item = k + 1;
                    if toks.get(item).is_none_or(|x| x.clause != clause) {
                        return false;
                    }
                    k = match cats.iter().find(|m| m.tok == item) {
                        Some(m) => m.end,
                        None => {
                            let n = (item..words.len().min(item + 3))
                                .take_while(|&j| {
                                    !joiner(words[j])
                                        && words[j] != "等"
                                        && text::han_word(words[j])
                                })
                                .count();
                            if n == 0 {
                                return false;
                            }
                            item + n
                        }
                    };
                }
                _ => return false,
            }
        }
    }
}
