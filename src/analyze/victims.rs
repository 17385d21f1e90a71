//! What a fire reached rather than started in: a product named after a `[victim]` verb in its
//! clause (取暖器倾倒后引燃沙发), right before 被 + one (童鞋被烧毁), after 把 with one later in its
//! clause (把被子烤着), right before a `[damaged]`
//! word (家具损失严重), in a list of what a fire could reach (远离窗帘、沙发等可燃物), or used to put
//! the fire out (用灭火器扑灭). Such a
//! mention carries no hazard and does not make the document about its product.

use super::*;

/// A word joining the items of a list of things (窗帘、沙发和床垫).
fn joiner(w: &str) -> bool {
    matches!(w, "、" | "和" | "及" | "与" | "或")
}

impl Analyzer {
    /// Per mention of `cats`: whether it is a victim, not a source.
    pub(super) fn victims(&self, cats: &[CatM], t: &Tokens) -> Vec<bool> {
        let (toks, words) = (&t.toks, &t.words);
        let is_verb = |k: usize| t.is(k, lex::VICTIM_VERB);
        // (clause, token up to which it was read, whether a verb stood there): mentions come in
        // token order, and each of a list of products in one clause read the clause's start again
        let mut read: Option<(usize, usize, bool)> = None;
        cats.iter()
            .map(|c| {
                let clause = toks[c.tok].clause;
                let before = match read {
                    // the tokens between two of one clause are of that clause too
                    Some((rc, upto, found)) if rc == clause && upto <= c.tok => {
                        found || (upto..c.tok).any(is_verb)
                    }
                    _ => t.before_in_clause(c.tok, lex::VICTIM_VERB),
                };
                read = Some((clause, c.tok, before));
                // what is said after the product is said of its whole list ("枕头、毛毯和被子都烧坏了")
                let end = self.list_end(c, cats, t);
                let after = words.get(end) == Some(&"被") && is_verb(end + 1);
                // "差点把被子烤着", "把地毯烧坏了": what 把 takes, with a victim verb or damage
                // later in its clause
                let taken = c.tok > 0
                    && words.get(c.tok - 1) == Some(&"把")
                    && (end..words.len())
                        .take_while(|&k| toks[k].clause == clause)
                        .any(|k| is_verb(k) || t.is(k, lex::DAMAGED));
                // "家具损失严重", "被子都烧坏了": the damage it suffered, at most one word between
                let damaged = (end..end + 2).any(|k| t.is(k, lex::DAMAGED));
                // "用灭火器迅速扑灭明火": what put the fire out, at most one word after the
                // instrument word
                let used = (c.tok.saturating_sub(2)..c.tok).any(|k| t.is(k, lex::INSTRUMENT))
                    && (c.end..words.len())
                        .take_while(|&k| toks[k].clause == clause)
                        .any(|k| t.is(k, lex::MEANS));
                before
                    || after
                    || taken
                    || damaged
                    || used
                    || (words.get(end) == Some(&"等")
                        && words
                            .get(end + 1)
                            .is_some_and(|w| self.victim_lists.iter().any(|v| v == w)))
                    || self.kept_away(c, cats, t)
            })
            .collect()
    }

    /// The token after the list a mention opens or continues: from the mention on, items
    /// (another mention, or up to three Han words) joined by 、 和 及 与 或, all in its clause. What
    /// follows the list is said of each item: 等 and a `[victim] lists` noun ("远离窗帘、沙发等
    /// 可燃物": what a fire could reach), a damage word ("枕头、毛毯和被子都烧坏了").
    fn list_end(&self, c: &CatM, cats: &[CatM], t: &Tokens) -> usize {
        let (toks, words) = (&t.toks, &t.words);
        let clause = toks[c.tok].clause;
        let mut k = c.end;
        while words.get(k).is_some_and(|w| joiner(w)) {
            let item = k + 1;
            if toks.get(item).is_none_or(|x| x.clause != clause) {
                break;
            }
            let next = match cats.iter().find(|m| m.tok == item) {
                Some(m) => m.end,
                None => {
                    let n = (item..words.len().min(item + 3))
                        .take_while(|&j| {
                            !joiner(words[j]) && words[j] != "等" && text::han_word(words[j])
                        })
                        .count();
                    if n == 0 {
                        break;
                    }
                    item + n
                }
            };
            k = next;
        }
        k
    }

    /// Whether a mention is what another product of its sentence is to be kept away from: in a
    /// list right after an `away` word ("电暖器应远离窗帘、沙发"), or after a `from` word whose
    /// clause goes on to a `distance` word ("电暖器应与窗帘、棉被保持一米以上距离"). Without a
    /// product named before the list the mention is the one to keep away ("儿童应远离电暖器").
    fn kept_away(&self, c: &CatM, cats: &[CatM], t: &Tokens) -> bool {
        let (away, from, distance) = &self.victim_away;
        let (toks, words) = (&t.toks, &t.words);
        let clause = toks[c.tok].clause;
        let is = |v: &[String], w: &str| v.iter().any(|x| x == w);
        let here = |k: usize| toks[k].clause == clause;
        // back over the list to its first item: a mention, or up to three Han words (a `from`
        // word joins no items here: it opens the list)
        let mut a = c.tok;
        while a >= 2 && joiner(words[a - 1]) && !is(from, words[a - 1]) && here(a - 2) {
            match cats.iter().find(|m| m.end == a - 1) {
                Some(m) => a = m.tok,
                None => {
                    let n = (0..a - 1)
                        .rev()
                        .take_while(|&j| here(j) && !joiner(words[j]) && text::han_word(words[j]))
                        .take(3)
                        .count();
                    if n == 0 {
                        break;
                    }
                    a -= 1 + n;
                }
            }
        }
        let Some(lead) = a.checked_sub(1).filter(|&k| here(k)).map(|k| words[k]) else {
            return false;
        };
        let kept = is(away, lead)
            || (is(from, lead)
                && (c.end..words.len())
                    .take_while(|&k| here(k))
                    .any(|k| is(distance, words[k])));
        kept && cats
            .iter()
            .any(|m| m.sent == c.sent && m.end < a && m.c != c.c)
    }
}
