//! Hazard mentions: rule terms on tokens (strong terms anywhere; weak terms and test items only
//! beside failure wording), each flagged negated / hypothetical / drill / advertising by the cues
//! in its scope, given a severity, and attached to the product it is about.

use super::*;

/// cues.toml `[defects]`, prepared: a structural defect (断裂) or a failed item of a part's
/// strength (卡扣强度) is a cause when a later clause of its sentence opens with one of its
/// `leads` (a [`lex`] list) and names a hazard of another kind ("卡扣强度不足，婴儿可能跌落").
#[derive(Debug, Clone, Default)]
pub(super) struct DefectCues {
    pub(super) words: Vec<String>,
    pub(super) items: Vec<String>,
}

/// cues.toml `[hypothetical]` words that tell a hazard term's circumstance of use or a notice of
/// a fact: `when` (a term followed by one is a time, not a hazard), `fights` (a term after one is
/// what a product fights), `meets` (发生 or 遇到 before a term `when` follows), `notices` and
/// `notified` (a notice of a fact hedges nothing).
#[derive(Debug, Default)]
pub(super) struct UseWords {
    pub(super) when: Vec<String>,
    pub(super) fights: Vec<String>,
    pub(super) meets: Vec<String>,
    pub(super) notices: Vec<String>,
    pub(super) notified: Vec<String>,
}

impl UseWords {
    /// cues.toml `[hypothetical]` words of use and notice, prepared.
    pub(super) fn new(h: &super::rules::Hypothetical) -> UseWords {
        UseWords {
            when: prepared(&h.when),
            fights: prepared(&h.fights),
            meets: prepared(&h.meets),
            notices: prepared(&h.notices),
            notified: prepared(&h.notified),
        }
    }
}

impl Analyzer {
    /// Every hazard mention of the document with its flags and severity (not yet attached).
    pub(super) fn hazard_mentions(
        &self,
        p: &Prepared,
        t: &Tokens,
        c: &Cues,
        g: &GenreState,
    ) -> Vec<HazM> {
        let (toks, words) = (&t.toks, &t.words);
        let mut hz: Vec<HazM> = Vec::new();
        let mut hz_spans: Vec<(usize, usize)> = Vec::new();
        let mut hmatches: Vec<&Match> =
            t.ms.iter()
                .filter(|m| matches!(m.target, Target::Hazard(..)))
                .collect();
        hmatches.sort_by_key(|m| (m.a, std::cmp::Reverse(m.b), strength_rank(m.target)));
        // Tokens that are part of a hazard term: a negation reaches along a list of hazards
        // across its commas ("不会发生起火，燃烧，爆炸事故").
        let mut in_hazard = vec![false; toks.len()];
        for m in &hmatches {
            for x in in_hazard.iter_mut().take(m.b).skip(m.a) {
                *x = true;
            }
        }
        // The word right after the cue is what it negates ("不会发生起火，燃烧") and may be any word;
        // between it and the hazard stand only other hazards, commas and coordination words.
        let listed = |end: usize, a: usize| {
            end < a
                && (end + 1..a).all(|k| {
                    in_hazard.get(k).copied().unwrap_or(false)
                        || words
                            .get(k)
                            .is_some_and(|w| matches!(*w, "，" | ",") || self.joins(w))
                })
        };
        // (titles are looked for only in a text that has one)
        let titled = p.full.contains('《');
        for m in hmatches {
            let Target::Hazard(h, strength) = m.target else {
                continue;
            };
            let tok = toks[m.a];
            // a token range already used by a stronger / longer hazard term of another hazard is skipped
            if hz_spans
                .iter()
                .any(|&(a, b)| m.a >= a && m.b <= b && (a, b) != (m.a, m.b))
            {
                continue;
            }
            // what is only ever found (a fake) is no hazard a requirement addresses
            if g.requirements && self.hazards[h].findings_only {
                continue;
            }
            // a list of the items tested names no failure, whatever the genre
            let items_count = g.items_count && !c.tested_sent.contains(&tok.sent);
            if strength != Strength::Strong && !items_count && !c.failure_sent.contains(&tok.sent) {
                continue;
            }
            let (s, e) = (tok.s, toks[m.b - 1].e);
            if item_in_title(&p.full, titled, strength == Strength::Strong, s)
                || covered(&p.found, &self.hazards[h].exclude, s, e)
            {
                continue;
            }
            if hz.iter().any(|x| x.tok == m.a && x.h == h) {
                continue;
            }
            hz_spans.push((m.a, m.b));
            // A negation reaches forward in its clause, at most `window` tokens, and not past a causal
            // word ("物业未及时处理导致起火" is a fire), nor out of a relative clause that describes a
            // product named after its 的 ("从未安装护栏的双层床上铺摔下": the bed lacked the rail,
            // the fall happened).
            let negated = c.neg.iter().any(|&(cl, end)| {
                (cl == tok.clause || listed(end, m.a))
                    && end <= m.a
                    && m.a - end <= self.neg_window
                    && !describes_product(words, &t.ms, end, m.a)
                    // the word right after the cue is what it negates (未引起火灾), so it never breaks;
                    // nor does a causal word inside a relative clause ("未发生因充电引发的火灾")
                    && !words
                        .get(end + 1..m.a)
                        .unwrap_or(&[])
                        .iter()
                        .enumerate()
                        .any(|(k, w)| {
                            self.neg_words.breakers.iter().any(|b| b == w)
                                && words.get(end + 2 + k) != Some(&"的")
                        })
            }) || c.neg_adj.iter().any(|&end| {
                // (one word may stand between, but not a lone character jieba cut from the cue's
                // own word: 不 | 稳 of 放置不稳倾倒 negates no fall)
                end <= m.a
                    && (end == m.a
                        || (end + 1 == m.a
                            && words.get(end).is_none_or(|w| w.chars().nth(1).is_some())))
                    && toks.get(end).is_some_and(|x| x.clause == tok.clause)
            }) || c
                .neg_passed
                .iter()
                .any(|&(cl, a)| cl == tok.clause && a >= m.b);
            // a requirement to prevent a hazard names the hazard addressed
            let negated = negated && !g.requirements;
            let drill = c.doc_drill || c.drill_sent.contains(&tok.sent);
            let hypothetical_cue = c.doc_debunk
                || (c.title_doc_hypo
                    && !c.realis_sent.contains(&tok.sent)
                    && !self.date_re.is_match(t.sent_text(tok.sent)))
                || c.hypo.iter().any(|&(sent, a)| sent == tok.sent && a < m.a)
                || c.hypo_clause
                    .iter()
                    .any(|&(cl, a)| cl == tok.clause && a < m.a)
                || c.hypo_post.contains(&tok.clause);
            // a recall or a regulator's finding reports real defects in hedged words (可能导致起火);
            // what it relays from a rumour it has not confirmed is still a rumour ("网传…，经抽检")
            // a rule's condition ("未获得认证的产品不得销售": the term in a relative clause that a
            // prohibition follows) is no finding, whatever the genre, unless the text states
            // requirements (a standard names what it addresses)
            let rule = !g.requirements && rule_condition(c, t, m.a, m.b);
            let rule = rule || self.circumstance_of_use(t, m.a, m.b);
            let hypothetical =
                (hypothetical_cue && !g.consequence_real) || rule || rumoured(c, t, m.a);
            let advert = p.kind == DocKind::Listing
                && (c.advert_sent.contains(&tok.sent) || p.in_title(&tok));
            let base = self.hazards[h].severity;
            let raise = c
                .raise_sent
                .get(&tok.sent)
                .copied()
                .unwrap_or(0)
                .max(c.title_raise);
            let severity = (base + raise).min(4);
            hz.push(HazM {
                h,
                tok: m.a,
                sent: tok.sent,
                term: p.orig.get(s..e).unwrap_or("").to_string(),
                span: (s, e),
                strong: strength == Strength::Strong,
                negated,
                hypothetical: hypothetical || drill || advert,
                drill,
                advert,
                severity,
                category: None,
                also: Vec::new(),
            });
        }
        self.drop_causes(t, &mut hz);
        hz
    }

    /// Whether the hazard term at tokens `a..b` is the circumstance a product is used in, not a
    /// hazard it poses: the time of something else ("发生火灾时可能无法报警", "火情发生时"; a bare
    /// "过热时" stays, a recall hedges its hazard so) or what it fights ("无法扑灭初起火灾").
    fn circumstance_of_use(&self, t: &Tokens, a: usize, b: usize) -> bool {
        let clause = t.toks[a].clause;
        let when = |k: usize| {
            t.words
                .get(k)
                .is_some_and(|w| self.use_words.when.iter().any(|x| x == w))
                && t.toks.get(k).is_some_and(|x| x.clause == clause)
        };
        let fights = (1..=3).any(|d| {
            a.checked_sub(d).is_some_and(|k| {
                t.toks[k].clause == clause && self.use_words.fights.iter().any(|x| x == t.words[k])
            })
        });
        fights
            || (when(b) && a > 0 && self.use_words.meets.iter().any(|x| x == t.words[a - 1]))
            || (t.words.get(b) == Some(&"发生") && when(b + 1))
    }

    /// Whether minor hazard mention `m` is the failing of a product whose function is the
    /// protection (hazards.toml `protective`: an alarm, an extinguisher, a breaker): a finding of
    /// its own beside the harm it let through ("报警器未能发出警报，可能导致中毒" is both), never
    /// only that harm's cause. The product is the one `m` is attached to; before attachment, one
    /// named in its sentence.
    pub(super) fn protective_fails(&self, t: &Tokens, m: &HazM) -> bool {
        let prot = &self.hazards[m.h].protective;
        if prot.is_empty() {
            return false;
        }
        match m.category {
            Some(c) => prot.contains(&c),
            None => t.ms.iter().any(|x| {
                matches!(x.target, Target::Category(c) if prot.contains(&c))
                    && t.toks.get(x.a).is_some_and(|k| k.sent == m.sent)
            }),
        }
    }

    /// A failed item of a physical hazard (or a structural defect word, cues.toml `[defects]`, or a
    /// minor hazard's word: a thermostat that fails) followed in its sentence by a causal word and a
    /// real hazard of another kind
    /// names that hazard's cause, not a hazard of its own: in "粘合强度不足…导致…漏气" or
    /// "耐压试验中外壳被击穿，用户可能触电" the stated consequence is the hazard. An item with
    /// another item between it and the causal word is not its subject, and keeps its own hazard.
    fn drop_causes(&self, t: &Tokens, hz: &mut Vec<HazM>) {
        const MAX_CLAUSES: usize = 4;
        // a failed label, quality or function item is a finding of its own whatever it leads to;
        // only an item of a physical hazard (severity 3–4) is a cause, and of the strong terms
        // only a structural defect ("椅腿断裂，导致使用者摔倒") or a part said to fail, a minor
        // hazard's word ("温控器失灵，导致毯面起火": the stated consequence is the finding)
        // (but a protective product's failing is a finding of its own: `protective_fails`)
        let may_cause = |m: &HazM| {
            let defect = m.strong && self.defects.words.contains(&m.term);
            let fails = m.strong && self.hazards[m.h].minor && !self.protective_fails(t, m);
            (fails || defect || !m.strong)
                && (fails || self.hazards[m.h].severity >= 3)
                && !m.negated
        };
        // most documents have no such item: then nothing is dropped, and the tokens are not read
        if !hz.iter().any(may_cause) {
            return;
        }
        let causal: Vec<usize> = t
            .words
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                // a hazard term that opens with a causal word of two characters or more
                // ("引发火灾" as one token) holds it: the token's own shorter prefixes of two
                // characters on are looked up, where a walk over every causal word compared each
                self.consequence_firsts.holds_first(w)
                    && (self.consequence_words.contains(**w)
                        || w.char_indices().skip(2).any(|(k, _)| {
                            w.get(..k)
                                .is_some_and(|c| self.consequence_words.contains(c))
                        }))
            })
            .map(|(i, _)| i)
            .collect();
        // a defect's hedged consequence needs no causal word: "椅腿可能断裂，儿童可能跌落"
        let is_defect = |m: &HazM| {
            let d = &self.defects;
            if m.strong {
                d.words.contains(&m.term)
            } else {
                d.items.contains(&m.term)
            }
        };
        let leads: Vec<usize> = if hz.iter().any(is_defect) {
            (0..t.words.len())
                .filter(|&i| t.is(i, lex::DEFECT_LEAD))
                .collect()
        } else {
            Vec::new()
        };
        if causal.is_empty() && leads.is_empty() {
            return;
        }
        let toks = &t.toks;
        // sorted positions, so each item costs a few binary searches (the work stays linear in
        // the number of mentions on long texts)
        let mut items: Vec<(usize, usize)> = hz
            .iter()
            .filter(|m| !m.strong)
            .map(|m| (m.tok, m.h))
            .collect();
        items.sort_unstable();
        let mut stated: Vec<(usize, usize, usize)> = hz
            .iter()
            // "存在安全隐患" names no consequence: the item keeps its own hazard
            .filter(|o| o.strong && !o.negated && o.h != self.unspecified)
            .map(|o| (o.sent, o.tok, o.h))
            .collect();
        stated.sort_unstable();
        let drop: Vec<bool> = hz
            .iter()
            .map(|m| {
                if !may_cause(m) {
                    return false;
                }
                // the first causal word after the item, in its sentence and near it; for a
                // defect, the first lead word in a later clause counts as one (its own clause's
                // hedges the defect: "锁扣可能失效，…热水溢出可能烫伤")
                let after = |v: &[usize]| v.get(v.partition_point(|&k| k <= m.tok)).copied();
                let clause = toks[m.tok].clause;
                let lead = is_defect(m)
                    .then(|| leads[leads.partition_point(|&k| k <= m.tok)..].iter())
                    .and_then(|mut l| l.find(|&&k| toks[k].clause > clause).copied());
                let Some(k) = [after(&causal), lead].into_iter().flatten().min() else {
                    return false;
                };
                if toks[k].sent != m.sent || toks[k].clause > toks[m.tok].clause + MAX_CLAUSES {
                    return false;
                }
                // with no other item between (that one would be its subject) — but for an item of
                // the same hazard in the same clause, which names one part with it ("卡扣强度不足，
                // 可能导致摔倒": 卡扣 and 强度 are one item)
                // (nor for an item joined to it by 的 alone, or by nothing: "折叠机构的锁止销强度
                // 不足" names the mechanism's pin, one item, where a 、 or a 和 lists two)
                let clause = toks[m.tok].clause;
                let one_item = |x: usize| {
                    t.words.get(m.tok + 1..x).is_some_and(|b| {
                        // (words or 的, no coordination word or punctuation, which list two)
                        b.len() <= 5
                            && b.iter()
                                .all(|w| !self.joins(w) && w.chars().all(char::is_alphanumeric))
                    })
                };
                if items[items.partition_point(|&(x, _)| x <= m.tok)..]
                    .iter()
                    .take_while(|&&(x, _)| x < k)
                    .any(|&(x, h)| (h != m.h && !one_item(x)) || toks[x].clause != clause)
                {
                    return false;
                }
                // and a stated hazard of another kind after it in the sentence (or at it: "引发火灾")
                let from = stated.partition_point(|&(s, tk, _)| (s, tk) < (m.sent, k));
                stated[from..]
                    .iter()
                    .take_while(|&&(s, _, _)| s == m.sent)
                    .any(|&(_, _, h)| h != m.h)
            })
            .collect();
        // what the text says an item leads to holds for every mention of that item ("不合格项目为
        // 温升过高和标志不全。温升过高可能造成烫伤": the list's 温升过高 is the 烫伤 one too)
        let causes: Vec<(usize, String)> = hz
            .iter()
            .zip(&drop)
            .filter(|(_, d)| **d)
            .map(|(m, _)| (m.h, m.term.clone()))
            .collect();
        let mut i = 0;
        hz.retain(|m| {
            i += 1;
            let said_to_cause = !m.strong
                && !m.negated
                && causes.iter().any(|(h, term)| *h == m.h && *term == m.term);
            !drop[i - 1] && !said_to_cause
        });
    }

    /// Attach each hazard mention to the nearest product of its sentence, else the title's, else
    /// the top one; drop mentions whose word means another hazard for that product; let a refined
    /// category take over its anchor's mentions. Returns the categories re-ranked accordingly.
    pub(super) fn attach(
        &self,
        p: &Prepared,
        t: &Tokens,
        hz: &mut Vec<HazM>,
        prod: &Products,
    ) -> Vec<usize> {
        let (toks, words) = (&t.toks, &t.words);
        let cats = &prod.cats;
        let top = prod.ranked.first().copied();
        for m in hz.iter_mut() {
            // a hazard reported only of some groups is attached to a product of them first: "抽查电动
            // 自行车、充电器…涉及最高车速" is the bicycle's speed, not the charger's
            let prefer = match &self.hazards[m.h] {
                h if h.prefer_groups.is_empty() => &h.only_groups,
                h => &h.prefer_groups,
            };
            let clause = toks[m.tok].clause;
            let mut same: Option<&CatM> = cats
                .iter()
                .zip(&prod.victim)
                .filter(|(c, v)| c.sent == m.sent && !**v)
                .map(|(c, _)| c)
                .min_by_key(|c| {
                    let preferred =
                        prefer.is_empty() || prefer.contains(&self.categories[c.c].group);
                    (
                        !preferred,
                        toks[c.tok].clause.abs_diff(clause),
                        c.tok.abs_diff(m.tok),
                        c.tok > m.tok,
                    )
                });
            if let Some(c) = same {
                same = self.whole_for(c, m, cats).or(same);
            }
            // of two products one phrase names (开关插座, products.toml `joint`) the hazard goes
            // to the one whose item the term is (通断能力 is a switch's clause)
            // (asked only where a twin stands at the same token: most mentions have none)
            if let Some(c) = same
                && cats.iter().any(|o| o.tok == c.tok && o.c != c.c)
            {
                let term = p.full.get(m.span.0..m.span.1).unwrap_or("");
                if !self.keeps_term(m.h, term, Some(c.c)) {
                    let keeps = |o: &&CatM| {
                        o.tok == c.tok && o.c != c.c && self.keeps_term(m.h, term, Some(o.c))
                    };
                    same = cats.iter().find(keeps).or(same);
                }
            }
            m.category = same.map(|c| c.c).or(prod.title_cat).or(top);
            if let Some(same) = same {
                m.also = self.coordinated(cats, same, words);
            }
        }

        hz.retain(|m| {
            let term = p.full.get(m.span.0..m.span.1).unwrap_or("");
            let only = &self.hazards[m.h].only_groups;
            self.keeps_term(m.h, term, m.category)
                && (only.is_empty()
                    || m.category.is_none_or(|c| {
                        only.contains(&self.categories[c].group)
                            || only.contains(&self.categories[c].name)
                    }))
        });

        // A refined category (电动自行车用蓄电池) takes over its anchor's mentions of a hazard it also
        // has in the document: "电动车起火" in the title and "电池起火" in the body are one battery fire.
        let mut categories = prod.ranked.clone();
        for &ci in &self.anchored {
            let anchors = &self.categories[ci].anchor;
            let refined_hazards: Vec<usize> = hz
                .iter()
                .filter(|m| m.category == Some(ci))
                .map(|m| m.h)
                .collect();
            // nothing of this category to take over: its anchor's mentions stay (most documents)
            if refined_hazards.is_empty() {
                continue;
            }
            let mut moved = false;
            for m in hz.iter_mut() {
                if m.category.is_some_and(|c| anchors.contains(&c))
                    && refined_hazards.contains(&m.h)
                {
                    m.category = Some(ci);
                    moved = true;
                }
            }
            if moved
                && let (Some(pr), Some(pa)) = (
                    categories.iter().position(|&c| c == ci),
                    categories.iter().position(|&c| anchors.contains(&c)),
                )
                && pr > pa
            {
                let c = categories.remove(pr);
                categories.insert(pa, c);
            }
        }
        categories
    }

    /// A refined part (电动自行车充电器) takes the hazards its rules address; one they do not (最高车
    /// 速's loss of control in "抽查电动自行车60批次、充电器40批次…涉及最高车速") goes to the whole it
    /// refines, named in the mention's sentence and addressing it. None where the part keeps it.
    fn whole_for<'c>(&self, part: &CatM, m: &HazM, cats: &'c [CatM]) -> Option<&'c CatM> {
        let pc = &self.categories[part.c];
        if pc.anchor.is_empty() || pc.principal.contains(&m.h) {
            return None;
        }
        cats.iter()
            .filter(|o| {
                o.sent == m.sent
                    && pc.anchor.contains(&o.c)
                    && self.categories[o.c].principal.contains(&m.h)
            })
            .min_by_key(|o| o.tok.abs_diff(m.tok))
    }
}

/// Stronger terms first where two hazard phrases start at one token.
pub(super) fn strength_rank(t: Target) -> u8 {
    match t {
        Target::Hazard(_, Strength::Strong) => 0,
        Target::Hazard(_, Strength::Weak) => 1,
        _ => 2,
    }
}

/// Whether the hazard term at token `a` is what an unconfirmed rumour of its sentence relays: it
/// follows the rumour cue, or stands in a claim quoted before it ("一段“水壶漏电”的视频在网上热传").
fn rumoured(c: &Cues, t: &Tokens, a: usize) -> bool {
    let tok = t.toks[a];
    c.rumour.iter().any(|&(sent, r)| {
        sent == tok.sent
            && (r < a || super::place_text::in_quoted_name(t.full.get(..tok.s).unwrap_or("")))
    })
}

/// Whether the mention at tokens `a..b` is the condition of a rule a prohibition word follows
/// in its sentence: "…的产品不得" in one clause, or a clause ending in 的 right before the
/// prohibition's ("未标注认证标志的，不得出厂"). Written Chinese of Taiwan and Hong Kong closes
/// the condition with 者 as often ("未經檢驗合格者不得進口"), glued to the word before it.
fn rule_condition(c: &Cues, t: &Tokens, a: usize, b: usize) -> bool {
    let tok = t.toks[a];
    let closes = |w: &str| w == "的" || w.ends_with('者');
    c.rule.iter().any(|&(sent, r)| {
        let between = t.words.get(b..r).unwrap_or(&[]);
        let (rc, tc) = (t.toks[r].clause, tok.clause);
        sent == tok.sent
            && r >= b
            && ((rc == tc && between.iter().any(|w| closes(w)))
                || (rc == tc + 1
                    && between
                        .iter()
                        .rev()
                        .find(|w| !matches!(**w, "，" | "," | " "))
                        .is_some_and(|w| closes(w))))
    })
}

/// Whether a 的 after a negation's cue (token `end`) closes a relative clause on a product named
/// between it and the hazard at token `a` ("从未安装护栏的双层床上铺摔下").
fn describes_product(words: &[&str], ms: &[Match], end: usize, a: usize) -> bool {
    (end + 1..a).any(|k| {
        words.get(k) == Some(&"的")
            && ms
                .iter()
                .any(|p| matches!(p.target, Target::Category(_)) && p.a > k && p.b <= a)
    })
}

/// Whether an item word at `s` (not a strong term) stands inside a cited title (《能源效益(产品标签)
/// 条例》): it names the law or the standard, not an item that failed. `titled`: the text holds a
/// 《 at all.
fn item_in_title(full: &str, titled: bool, strong: bool, s: usize) -> bool {
    titled && !strong && super::place_text::in_book_title(full.get(..s).unwrap_or(""))
}
