//! Anchored refinement: a refining category (电动自行车充电器, 电动自行车用蓄电池) replaces its
//! anchor (电动自行车) where one of its anchor terms (充电器, 锂电池) stands beside it, or refines
//! the term in place where a notice reports the term's failure and the anchor stays a product.

use super::*;

impl Analyzer {
    /// Refines anchor terms of `cats` in place: a hazard's sentence (`sents`: the sentences holding
    /// a strong hazard term, and those holding failure wording) or a list joining the term to its
    /// anchor.
    pub(super) fn refine_anchors(
        &self,
        cats: &mut Vec<CatM>,
        (words, toks): (&[&str], &[Tok]),
        title_end: usize,
        sents: Option<(&FxHashSet<usize>, &FxHashSet<usize>)>,
    ) {
        // Anchors: a refining category replaces its anchor in sentences holding one of its anchor terms
        // (电动车 … 锂电池). When the anchor is what the document is about (in its title, or its most
        // named category), an anchor term in a later sentence with no other product refines it too
        // ("起火车辆的锂电池系网购的非原厂电池" in an e-bike story is the e-bike battery).
        // (a refinement needs a product of the refining category's family among the mentions:
        // its anchor, or a sibling refining the same anchor; most texts name none, and their
        // tokens are not read for anchor terms)
        let related = |c: usize| {
            !self.categories[c].anchor.is_empty()
                || self
                    .anchored
                    .iter()
                    .any(|&a| self.categories[a].anchor.contains(&c))
        };
        let term_toks = if cats.iter().any(|m| related(m.c)) {
            self.anchor_term_tokens(words)
        } else {
            Vec::new()
        };
        let mut counts: FxHashMap<usize, usize> = FxHashMap::default();
        for m in cats.iter() {
            *counts.entry(m.c).or_default() += 1;
        }
        let most = counts
            .iter()
            .max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c)))
            .map(|(c, _)| *c);
        // sentences whose anchor a refinement took: a sibling refinement there refines its own term
        // ("电动自行车…抽检充电器和蓄电池": the battery took the bike, the charger is the bike's too)
        let mut anchor_taken: Vec<(usize, &[usize])> = Vec::new();
        for &ci in &self.anchored {
            let cat = &self.categories[ci];
            let doc_about_anchor = cats.iter().any(|m| {
                cat.anchor.contains(&m.c) && (toks[m.tok].s < title_end || Some(m.c) == most)
            });
            // first anchor-term token of each sentence, in one pass
            let mut firsts: Vec<(usize, usize)> = Vec::new();
            for &(i, _) in term_toks.iter().filter(|&&(_, c)| c == ci) {
                let Some(t) = toks.get(i) else { continue };
                if firsts.last().is_none_or(|&(s, _)| s != t.sent) {
                    firsts.push((t.sent, i));
                }
            }
            for (sent, term_tok) in firsts {
                let is_term_cat = |m: &CatM| {
                    cat.anchor_terms
                        .iter()
                        .any(|t| words.get(m.tok).is_some_and(|w| w == t))
                };
                let anchor_m = cats
                    .iter()
                    .find(|m| m.sent == sent && cat.anchor.contains(&m.c));
                // Two products side by side: the term joined to the anchor ("电动自行车及充电器"),
                // or to a product refining the same anchor, whose name holds it ("电动自行车充电器
                // 和(锂离子)蓄电池": at most one modifier word before the term). The product beside it
                // stays; the term is refined.
                let joined = match anchor_m {
                    Some(a) => words
                        .get(a.end..term_tok)
                        .is_some_and(|b| !b.is_empty() && b.iter().all(|w| self.joins(w))),
                    None => cats
                        .iter()
                        .find(|m| {
                            m.sent == sent
                                && m.c != ci
                                && m.end <= term_tok
                                && self.categories[m.c].anchor == cat.anchor
                        })
                        .and_then(|sib| words.get(sib.end..term_tok))
                        .is_some_and(|b| {
                            b.first().is_some_and(|w| self.joins(w))
                                && b.iter().filter(|w| !self.joins(w)).count() <= 1
                                && b.iter()
                                    .all(|w| self.joins(w) || !self.lexicon.is_rule_word(w))
                        }),
                };
                // Joined is a matter of naming and holds in a list of a notice where nothing
                // happens; otherwise a battery named where nothing happens ("该车采用石墨烯电池")
                // describes the bike.
                if joined {
                    cats.retain(|m| !(m.sent == sent && m.tok == term_tok));
                    cats.push(CatM {
                        c: ci,
                        tok: term_tok,
                        end: term_tok + 1,
                        sent,
                    });
                    continue;
                }
                // A notice's failure is something that happened as well, to the refined product
                // beside its anchor: the anchor named there stays a product of its own ("抽查电动
                // 自行车60批次、充电器40批次…不合格"; "电动自行车门店…抽检充电器…不合格").
                let failed_only = match sents {
                    Some((hazard, failed)) if !hazard.contains(&sent) => {
                        if !failed.contains(&sent) {
                            continue;
                        }
                        true
                    }
                    _ => false,
                };
                let anchor_tok = anchor_m.map(|m| m.tok);
                let at = match anchor_tok {
                    Some(t) => t,
                    None if doc_about_anchor
                        && !cats
                            .iter()
                            .any(|m| m.sent == sent && !is_term_cat(m) && m.c != ci) =>
                    {
                        term_tok
                    }
                    None if anchor_taken.contains(&(sent, &cat.anchor[..])) => term_tok,
                    None => continue,
                };
                // (`at` is not used there, but decides as for the rest whether the term has an
                // anchor to refine against: in its sentence, or the document's)
                if failed_only {
                    refine_in_place(cats, &term_toks, ci, sent, toks);
                    continue;
                }
                if anchor_m.is_some() {
                    anchor_taken.push((sent, &cat.anchor[..]));
                }
                cats.retain(|m| {
                    !(m.sent == sent && (cat.anchor.contains(&m.c) || is_term_cat(m) || m.c == ci))
                });
                cats.push(CatM {
                    c: ci,
                    tok: at,
                    end: at + 1,
                    sent,
                });
            }
        }
        refined_again(cats, &term_toks, words);
    }

    /// (token, refining category) of every token naming an anchor term, in token order.
    fn anchor_term_tokens(&self, words: &[&str]) -> Vec<(usize, usize)> {
        // Tokens naming an anchor term of a refining category: the term itself, or a word ending
        // in it at most two characters longer that is no rule phrase of its own (新电池 but not
        // 蓄电池). (token, category) pairs in token order, found with at most three lookups a token,
        // and none for a token whose last character ends no anchor term (most tokens).
        let mut term_toks: Vec<(usize, usize)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if !self.anchor_term_ends.holds_last(w) {
                continue;
            }
            let mut hit = |t: &str| {
                for &ci in self.anchor_term_cats.get(t).map_or(&[][..], Vec::as_slice) {
                    if !term_toks.contains(&(i, ci)) {
                        term_toks.push((i, ci));
                    }
                }
            };
            hit(w);
            let mut suffixes = w.char_indices().skip(1).take(2).map(|(k, _)| &w[k..]);
            if let Some(first) = suffixes.next()
                && !self.lexicon.is_rule_word(w)
            {
                hit(first);
                if let Some(second) = suffixes.next() {
                    hit(second);
                }
            }
        }
        term_toks
    }
}

/// A term refined where it was joined to its anchor ("电动自行车及充电器") is the refined product
/// again where the text names the same word bare later ("…充电器40批次"): the text named that
/// charger once as the bike's.
fn refined_again(cats: &mut [CatM], term_toks: &[(usize, usize)], words: &[&str]) {
    let refined: Vec<(usize, usize)> = cats
        .iter()
        .filter(|m| term_toks.contains(&(m.tok, m.c)))
        .map(|m| (m.tok, m.c))
        .collect();
    if refined.is_empty() {
        return;
    }
    for m in cats.iter_mut() {
        if let Some(&(_, c)) = refined
            .iter()
            .find(|&&(tok, c)| tok < m.tok && m.c != c && words.get(tok) == words.get(m.tok))
        {
            m.c = c;
        }
    }
}

/// Every anchor term of category `ci` in sentence `sent` becomes a mention of `ci` where it stands.
fn refine_in_place(
    cats: &mut Vec<CatM>,
    term_toks: &[(usize, usize)],
    ci: usize,
    sent: usize,
    toks: &[Tok],
) {
    let terms: Vec<usize> = term_toks
        .iter()
        .filter(|&&(i, c)| c == ci && toks.get(i).is_some_and(|t| t.sent == sent))
        .map(|&(i, _)| i)
        .collect();
    cats.retain(|m| !(m.sent == sent && terms.contains(&m.tok)));
    cats.extend(terms.iter().map(|&i| CatM {
        c: ci,
        tok: i,
        end: i + 1,
        sent,
    }));
}
