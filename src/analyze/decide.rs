//! The signal decision: from a document's kind, cues, hazard mentions, products and places to its
//! findings (category × hazard × place, with severity and parties), or the reason it is no signal.

use super::*;

/// A `[[genre]]` rule of cues.toml, its words as pattern ids of [`Analyzer::substr`].
#[derive(Debug)]
pub(super) struct Genre {
    pub(super) kind: DocKind,
    pub(super) evidence: Vec<u32>,
    pub(super) also: Vec<u32>,
    pub(super) relay_also: Vec<u32>,
    pub(super) unless: Vec<u32>,
    pub(super) service: Vec<u32>,
    pub(super) consequence_real: bool,
    pub(super) items_count: bool,
    pub(super) requirements: bool,
    pub(super) unnamed: bool,
    pub(super) principal: bool,
    pub(super) severity: Option<u8>,
    pub(super) publisher_place: bool,
    pub(super) national_first: bool,
}

/// Single characters that never begin or continue a product noun: particles, prepositions and
/// measure words (grammar, not a domain cue).
pub(super) const NOT_NOUN_CHARS: &str =
    "的了在和与及把被将对从等是有为个只台件款批种部该此这那其各某一";

/// Words that end a company's name right after a noun: the noun is the company's trade, no
/// product of the text.
const ORG_ENDS: [&str; 9] = [
    "公司",
    "有限公司",
    "股份有限公司",
    "厂",
    "集团",
    "商行",
    "经营部",
    "经销部",
    "制造厂",
];

/// What the decision reads: everything the earlier phases found in one document.
pub(super) struct Evidence<'a> {
    pub(super) p: &'a Prepared<'a>,
    pub(super) t: &'a Tokens<'a>,
    pub(super) cues: &'a Cues,
    pub(super) hz: &'a [HazM],
    pub(super) prod: &'a Products,
    /// Categories by salience after hazards were attached.
    pub(super) categories: &'a [usize],
    pub(super) places: &'a Places,
    pub(super) parties: &'a Parties,
    pub(super) listing_parties: &'a Parties,
    pub(super) genre: &'a GenreState,
}

/// Where a finding comes from: its category and hazard (indices), severity and sentence.
struct At {
    cat: usize,
    h: usize,
    severity: u8,
    sent: usize,
}

/// What a document's genre rule says of it (cues.toml `[[genre]]`).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct GenreState {
    /// The document shows it reports a finding of its genre.
    pub(super) evidence: bool,
    /// Hedged consequence wording states a real hazard.
    pub(super) consequence_real: bool,
    /// Weak terms and test items count without failure wording.
    pub(super) items_count: bool,
    /// The text states requirements: negation and hedging cancel no hazard.
    pub(super) requirements: bool,
    /// With no hazard named: a 未指明 finding at this severity.
    pub(super) unnamed: Option<u8>,
    /// With no hazard named: the product's principal hazards instead of 未指明.
    pub(super) principal: bool,
    /// Service-dispute wording is present.
    pub(super) service: bool,
    /// A publisher's own place may stand for the event's.
    pub(super) publisher_place: bool,
    /// A national publisher makes the finding nationwide.
    pub(super) national_first: bool,
    /// News or a notice relaying a mandatory standard (the standard rule's evidence holds).
    pub(super) relayed: bool,
}

impl Analyzer {
    /// The genre rule of the document's kind applied to its text; `mandatory_std`: it cites a
    /// mandatory standard number (evidence for a standard announcement).
    pub(super) fn genre(&self, p: &Prepared, mandatory_std: bool) -> GenreState {
        let Some(g) = self.genres.iter().find(|g| g.kind == p.kind) else {
            return GenreState {
                publisher_place: true,
                ..GenreState::default()
            };
        };
        // `also` and `unless` of a genre rule hold for the text
        let qualified = |r: &Genre| (r.also.is_empty() || p.any(&r.also)) && !p.any(&r.unless);
        // a sampling round's pass rate under 100 % says some of it failed, as 不合格 would
        let evidence = (g.evidence.is_empty()
            || p.any(&g.evidence)
            || (p.kind == DocKind::Standard && mandatory_std)
            || (p.kind == DocKind::Inspection && self.partial_pass_re.is_match(&p.full)))
            && qualified(g);
        // News or a notice relaying a mandatory standard's drafting, revision, postponement or
        // entry into force is a standard report in other words (the standard rule's evidence and
        // `also` hold): with no hazard named it is still one, with 未指明. Not the standard's
        // principal hazards: a relay is mostly about the procedure (a drafting meeting, a new
        // date), and naming them cost more wrong hazards than it found (in-sample and held out).
        let relay = self
            .genres
            .iter()
            .filter(|_| matches!(p.kind, DocKind::Media | DocKind::Notice))
            .find(|s| s.kind == DocKind::Standard)
            .filter(|s| {
                let change = if s.relay_also.is_empty() {
                    &s.also
                } else {
                    &s.relay_also
                };
                s.unnamed
                    && !s.evidence.is_empty()
                    && p.any(&s.evidence)
                    && (change.is_empty() || p.any(change))
                    && !p.any(&s.unless)
            });
        let severity_of = |r: &Genre| {
            r.severity
                .unwrap_or(self.hazards[self.unspecified].severity)
        };
        GenreState {
            evidence,
            consequence_real: evidence && g.consequence_real,
            items_count: evidence && g.items_count,
            requirements: evidence && g.requirements,
            unnamed: match relay {
                Some(s) => Some(severity_of(s)),
                None => (evidence && g.unnamed).then(|| severity_of(g)),
            },
            principal: relay.is_none() && evidence && g.principal,
            service: p.any(&g.service),
            publisher_place: g.publisher_place,
            national_first: evidence && g.national_first,
            relayed: relay.is_some(),
        }
    }

    /// The findings of a document, or why it has none.
    pub(super) fn decide(&self, ev: &Evidence) -> (Vec<Finding>, Option<&'static str>) {
        let (p, c, g) = (ev.p, ev.cues, ev.genre);
        let kind = p.kind;
        let doc = p.doc;
        // the most salient product in scope
        let top = ev
            .categories
            .iter()
            .copied()
            .find(|&c| !self.out_of_scope(c));
        let mut findings: Vec<Finding> = Vec::new();
        if kind == DocKind::Standard && !g.evidence {
            return (findings, Some("standard announcement"));
        }
        let failed_rows: Vec<&BTreeMap<String, String>> = doc
            .rows
            .iter()
            .filter(|r| row_failed(r, c.failure_count))
            .collect();
        if kind == DocKind::Inspection && !failed_rows.is_empty() {
            for row in failed_rows {
                findings.extend(
                    self.row_findings(row, top, &ev.places.doc_place, &ev.prod.title_cat)
                        .into_iter()
                        .map(|mut f| {
                            f.severity = (f.severity + c.title_raise).min(4);
                            f
                        }),
                );
            }
            return (findings, None);
        }
        if kind == DocKind::Inspection && (!doc.rows.is_empty() || c.all_pass) && !c.doc_drill {
            return (findings, Some("all-pass inspection"));
        }
        self.hazard_findings(ev, &mut findings);
        self.unnamed_gives_way(&mut findings);
        self.genre_without_hazard(ev, top, &mut findings);
        place_findings(kind, &mut findings);
        // a text in the general register reports nothing, whatever its hazard words say (when
        // they are hedged anyway, the hedge is the reason given)
        if !findings.is_empty() && self.speaks_in_general(ev) {
            findings.clear();
            return (findings, Some("generic"));
        }
        if !findings.is_empty() {
            return (findings, None);
        }
        (findings, Some(self.no_finding_reason(ev, top)))
    }

    /// A finding per real hazard mention (not negated, not hedged) and the product it is about;
    /// a minor hazard beside a severe one of the same product is its cause, not a finding.
    fn hazard_findings(&self, ev: &Evidence, findings: &mut Vec<Finding>) {
        let (p, hz) = (ev.p, ev.hz);
        let kind = p.kind;
        let real = |m: &&HazM| !m.negated && !m.hypothetical;
        for m in hz.iter().filter(real) {
            // a minor hazard next to a severe one of the same product is its cause; an
            // inspection's failed items are each a finding of their own
            if self.hazards[m.h].minor
                && kind != DocKind::Inspection
                && hz.iter().filter(real).any(|o| {
                    o.sent == m.sent && o.category == m.category && self.hazards[o.h].severity >= 3
                })
            {
                continue;
            }
            // a minor hazard's word right after a failed item of another hazard is that item's
            // failure wording ("熄火保护装置失效": the item failed, its hazard is 中毒)
            if self.hazards[m.h].minor
                && hz
                    .iter()
                    .filter(real)
                    .any(|o| o.h != m.h && o.span.1 == m.span.0 && self.hazards[o.h].severity >= 3)
            {
                continue;
            }
            // An aggregate word (消费品, 未归类) that the mention fell back to, from another
            // clause, names no product: a product noun of the text is nearer to what it means
            // ("…召回中心发布公告，某公司召回智能翻译机，该产品…温度过高": the translator)
            let aggregate = m.category == Some(self.unclassified)
                && m.also.is_empty()
                && !ev.prod.cats.iter().any(|c| {
                    c.c == self.unclassified && ev.t.toks[c.tok].clause == ev.t.toks[m.tok].clause
                });
            let at = |cat| At {
                cat,
                h: m.h,
                severity: m.severity,
                sent: m.sent,
            };
            match m.category.filter(|_| !aggregate) {
                Some(first) => {
                    for cat in std::iter::once(first).chain(m.also.iter().copied()) {
                        self.add_finding(ev, findings, at(cat), None);
                    }
                }
                // a real problem of a product no alias names: the category its noun is
                // nearest to, else kept under its own noun. A sentence that names none ("该产品
                // …存在触电风险") speaks of the product the text began with.
                None => {
                    // A recall is of the product it opens with: a later sentence's noun is
                    // mostly a part of it ("床架可能断裂").
                    let own = || self.product_noun(p, ev.t, Some(m.sent), m.tok);
                    // a hazard named of a recalled product no ending marks: the words after 召回
                    let first = || {
                        self.product_noun(p, ev.t, None, 0)
                            .or_else(|| self.verb_object(p, ev.t))
                    };
                    let noun = if kind == DocKind::Recall {
                        first().or_else(own)
                    } else {
                        own().or_else(first)
                    };
                    let (cat, product) = match noun {
                        Some(noun) => self.noun_category(noun),
                        // no noun either: the aggregate it fell back to
                        None if aggregate => (self.unclassified, None),
                        None => continue,
                    };
                    self.add_finding(ev, findings, at(cat), product);
                }
            }
        }
    }

    /// 未指明 gives way to a hazard named for the same product or its group.
    fn unnamed_gives_way(&self, findings: &mut Vec<Finding>) {
        // 未指明 stands for a risk stated without a hazard: it gives way to a hazard named for
        // the same product or one of its group (婴儿床 and 儿童家具, an e-bike and its battery),
        // never to one of an unrelated product ("电线抽查不合格，另有安全帽涉嫌假冒": the
        // cable's risk stays unnamed)
        let unnamed = &self.hazards[self.unspecified].name;
        let group = |name: &str| {
            self.categories
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.group.clone())
        };
        let named: Vec<Option<String>> = findings
            .iter()
            .filter(|f| &f.hazard != unnamed)
            .map(|f| group(&f.category))
            .collect();
        findings.retain(|f| &f.hazard != unnamed || !named.contains(&group(&f.category)));
    }

    /// The finding of a report of its genre that names no hazard (cues.toml `[[genre]]`
    /// `unnamed`), when nothing else was found.
    fn genre_without_hazard(&self, ev: &Evidence, top: Option<usize>, findings: &mut Vec<Finding>) {
        let (p, c, hz, g) = (ev.p, ev.cues, ev.hz, ev.genre);
        let kind = p.kind;
        // A report of its genre that names no hazard (a recall "存在安全隐患", an inspection's
        // "3批次不合格", a complaint about a defect, a new mandatory standard) is still one.
        if findings.is_empty()
            && !c.doc_drill
            && let Some(severity) = g.unnamed
            && !hz.iter().any(|m| m.drill)
            // a consumer who names hazards only to deny them ("没有起火，也没有鼓包") reports none
            && !(kind == DocKind::Complaint && hz.iter().any(|m| m.negated))
        {
            let sent = ev.prod.cats.first().map_or(0, |m| m.sent);
            match top {
                Some(cat) => {
                    let cat_sent = ev
                        .prod
                        .cats
                        .iter()
                        .find(|m| m.c == cat)
                        .map_or(sent, |m| m.sent);
                    // and the products listed with it ("召回紧急工具组、电暖器、口袋刀等")
                    let listed = ev
                        .prod
                        .cats
                        .iter()
                        .find(|m| m.c == cat)
                        .map(|m| self.coordinated(&ev.prod.cats, m, &ev.t.words))
                        .unwrap_or_default();
                    for c in std::iter::once(cat).chain(listed) {
                        let principal = &self.categories[c].principal;
                        let hs: &[usize] = if g.principal && !principal.is_empty() {
                            principal
                        } else {
                            std::slice::from_ref(&self.unspecified)
                        };
                        for &h in hs {
                            let at = At {
                                cat: c,
                                h,
                                severity,
                                sent: cat_sent,
                            };
                            self.add_finding(ev, findings, at, None);
                        }
                    }
                }
                None if ev.categories.is_empty() => {
                    // an inspection of a product no ending marks: what it sampled (抽查钢琴10批次)
                    let noun = self.product_noun(p, ev.t, None, 0).or_else(|| {
                        (kind == DocKind::Inspection)
                            .then(|| self.verb_object(p, ev.t))
                            .flatten()
                    });
                    if let Some(noun) = noun {
                        let (cat, product) = self.noun_category(noun);
                        let at = At {
                            cat,
                            h: self.unspecified,
                            severity,
                            sent: 0,
                        };
                        self.add_finding(ev, findings, at, product);
                    }
                }
                None => {}
            }
        }
    }

    /// Why a document has no finding, the first reason that holds.
    fn no_finding_reason(&self, ev: &Evidence, top: Option<usize>) -> &'static str {
        let (p, c, hz, g) = (ev.p, ev.cues, ev.hz, ev.genre);
        let kind = p.kind;
        if hz.iter().any(|m| m.drill) || c.doc_drill {
            "drill"
        } else if kind == DocKind::Listing
            && (hz.iter().any(|m| m.advert) || !c.advert_sent.is_empty())
        {
            "advertising"
        } else if ev.categories.first().is_some_and(|&c| self.out_of_scope(c)) && top.is_none() {
            "out of scope"
        } else if kind == DocKind::Complaint
            && g.service
            && !hz.iter().any(|m| !m.negated && !m.hypothetical)
        {
            "service dispute"
        } else if hz.iter().any(|m| m.negated) {
            "negated"
        } else if hz.iter().any(|m| m.hypothetical) {
            "hypothetical/advice"
        } else if !hz.is_empty() && ev.categories.is_empty() {
            "no product"
        } else {
            "no hazard"
        }
    }

    /// Whether a media text or notice speaks in general rather than reports: it addresses the
    /// reader, asks, advises or says what tends to happen (cues.toml `[generic]`), and anchors
    /// nothing in a day, a particular person, a place where something happened or a named maker,
    /// brand or shop. An explainer or a tip full of hazard words is no report of a hazard; a
    /// report names when, where or to whom, and a regulator's or a maker's notice names who.
    fn speaks_in_general(&self, ev: &Evidence) -> bool {
        let (p, c) = (ev.p, ev.cues);
        matches!(p.kind, DocKind::Media | DocKind::Notice)
            && c.realis_sent.is_empty()
            && !ev
                .places
                .places
                .iter()
                .any(|pm| pm.mention.role == RegionRole::Event && pm.mention.province != "全国")
            && ev.parties.brands.is_empty()
            && ev.parties.enterprises.is_empty()
            && ev.parties.shops.is_empty()
            && self.register_count(ev) >= self.generic_min
            // a token that names a person or ends so (陈女士, 王先生); looked at last, as it
            // reads every token
            && !ev.t.words.iter().any(|w| self.persons.ends(w))
            && !self.date_re.is_match(&p.full)
    }

    /// Distinct register words of the text: those matched as tokens, and those of two characters or
    /// more inside a longer token ("专家建议" is one word of jieba's dictionary, two of the register).
    /// Read only when the cheaper tests say general, as it reads every token.
    fn register_count(&self, ev: &Evidence) -> usize {
        let c = ev.cues;
        if c.register.len() >= self.generic_min {
            return c.register.len();
        }
        let mut seen = c.register.clone();
        for w in &ev.t.words {
            if w.len() <= 3 {
                continue;
            }
            // a word holds a register word where one starts: only at a character that opens
            // one (most tokens hold none), not a substring search per register word and token
            for (k, ch) in w.char_indices() {
                if !self.register_firsts.contains(ch) {
                    continue;
                }
                let from = w.get(k..).unwrap_or_default();
                for (i, r) in &self.register_words {
                    if r.len() < w.len() && from.starts_with(r.as_str()) {
                        seen.insert(*i);
                    }
                }
            }
        }
        seen.len()
    }

    /// Whether category `c` is outside this system's scope (food, drugs, medical devices).
    pub(super) fn out_of_scope(&self, c: usize) -> bool {
        self.categories[c].name.starts_with(rules::OUT_OF_SCOPE)
    }

    /// The product noun of a report about a product no category knows: a token of sentence
    /// `sent` (when `None`: the title and the text's first sentence) that ends like a product noun (cues.toml
    /// `[unclassified]`), the nearest one before token `near` first.
    pub(super) fn product_noun(
        &self,
        p: &Prepared,
        t: &Tokens,
        sent: Option<usize>,
        near: usize,
    ) -> Option<String> {
        let in_scope = |k: usize| match sent {
            Some(s) => t.toks[k].sent == s,
            None => t.toks[k].sent <= 1,
        };
        let is_noun = |k: usize| self.noun_span(t, k).is_some();
        // a sentence's tokens are contiguous: walk back from `near` while still inside it
        let before = (0..near.min(t.toks.len()))
            .rev()
            .take_while(|&k| in_scope(k))
            .find(|&k| is_noun(k));
        let k = before.or_else(|| {
            (0..t.toks.len())
                .filter(|&k| in_scope(k))
                .find(|&k| is_noun(k))
        });
        let Some(k) = k else {
            return super::english::english_recalled(t, &in_scope)
                .and_then(|(a, b)| p.orig.get(t.toks[a].s..t.toks[b - 1].e))
                .map(str::to_string);
        };
        let (a, b) = self.noun_span(t, k)?;
        p.orig.get(t.toks[a].s..t.toks[b - 1].e).map(str::to_string)
    }

    /// The product a recall's or an inspection's opening sentences name when no product ending
    /// marks it ("召回香薰蜡烛约8,000个", "抽检钢琴10批次"): up to three content words right before
    /// the first count or the end of the clause that follows one of `[unclassified] object_verbs`.
    fn verb_object(&self, p: &Prepared, t: &Tokens) -> Option<String> {
        let (a, stop) = self.verb_object_span(t)?;
        p.orig
            .get(t.toks[a].s..t.toks[stop - 1].e)
            .map(str::to_string)
    }

    /// The tokens of [`Analyzer::verb_object`]'s noun.
    pub(super) fn verb_object_span(&self, t: &Tokens) -> Option<(usize, usize)> {
        let k = *self.object_verb_tokens(t).first()?;
        self.object_after(t, k)
    }

    /// The tokens of the opening sentences (title and first sentence) that are object verbs.
    pub(super) fn object_verb_tokens(&self, t: &Tokens) -> Vec<usize> {
        (0..t.toks.len())
            .take_while(|&k| t.toks[k].sent <= 1)
            .filter(|&k| t.is(k, lex::OBJECT_VERB))
            .collect()
    }

    /// The object noun after the object verb at token `k` (see [`Analyzer::verb_object`]).
    pub(super) fn object_after(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        // a table's cell or a label's colon stands between a field name and its value
        // ("产品名称 | 料理棒 |", "召回产品：料理棒")
        let k = (k + 1..t.toks.len())
            .take_while(|&j| {
                matches!(
                    t.words[j],
                    " " | "  " | "|" | "｜" | ":" | "：" | "\u{3000}"
                )
            })
            .last()
            .unwrap_or(k);
        // (a colon closes a clause: the value's clause is the one after it)
        let clause = t.toks.get(k + 1)?.clause;
        let count = |w: &str| {
            w.starts_with(|c: char| c.is_ascii_digit()) || self.object_counts.iter().any(|c| c == w)
        };
        let stop = (k + 1..t.toks.len())
            .find(|&j| {
                t.toks[j].clause != clause
                    || !super::text::han_word(t.words[j])
                    || count(t.words[j])
            })
            .unwrap_or(t.toks.len());
        // (the head itself may be a rule word: an alias its category excludes here)
        let content = |j: usize| {
            (self.noun_modifier(t, j) || (j + 1 == stop && super::text::han_word(t.words[j])))
                && !t.words[j].ends_with('的')
        };
        // "钢琴产品10批次": the generic word names no product
        let stop = if stop > k + 1 && self.nouns.is_generic_head(t.words[stop - 1]) {
            stop - 1
        } else {
            stop
        };
        let mut a = stop;
        while a > k + 1 && stop - a < 3 && content(a - 1) {
            a -= 1;
        }
        // a date or a model number after the verb opens a relative clause ("召回2026年5月生产的
        // 部分打蛋棒", "召回型号为LX-200的播放器"): the object follows its 的
        let interrupted = t.toks.get(stop).is_some_and(|x| {
            x.clause == clause
                && !super::text::han_word(t.words[stop])
                && (stop == k + 1 || !count(t.words[stop]))
        });
        let after_de = || {
            (stop..t.toks.len())
                .take_while(|&j| t.toks[j].clause == clause)
                .find(|&j| t.words[j] == "的")
                .and_then(|j| self.object_after(t, j))
        };
        match (a < stop, interrupted) {
            (_, true) => after_de().or((a < stop).then_some((a, stop))),
            (true, false) => Some((a, stop)),
            (false, false) => None,
        }
    }

    /// The object noun before the object verb at token `k` ("对家用空调开展专项抽查", "电动晾衣机
    /// 抽查结果"): past the `object_fillers` words, up to three words that may stand in a product
    /// noun, after 对, opening the clause or right before the verb. jieba keeps some compounds whole (家用空调), so
    /// the noun is placed by its head like one no alias holds.
    pub(super) fn object_before(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        let clause = t.toks[k].clause;
        let same = |j: usize| t.toks[j].clause == clause;
        let mut end = k;
        while end > 0 && same(end - 1) && self.object_fillers.iter().any(|f| f == t.words[end - 1])
        {
            end -= 1;
        }
        let mut a = end;
        while a > 0 && end - a < 3 && same(a - 1) && self.noun_modifier(t, a - 1) {
            a -= 1;
        }
        let opens = a == 0 || !same(a - 1);
        let after_dui = !opens && matches!(t.words[a - 1], "对" | "对于" | "针对");
        // a word no product noun ends in (随机抽检, 机构抽查) is no object
        let head_ok = a < end && !self.noun_not.ends(t.words[end - 1]);
        (head_ok && (after_dui || opens || end == k)).then_some((a, end))
    }

    /// Whether a word may stand in an unknown product noun: Han characters, no function character
    /// standing alone, no rule word and no `not_before` word (部分, 该款).
    fn noun_modifier(&self, t: &Tokens, j: usize) -> bool {
        let w = t.words[j];
        super::text::han_word(w)
            && (w.chars().count() != 1 || !w.chars().all(|c| NOT_NOUN_CHARS.contains(c)))
            && !t.is(j, lex::RULE | lex::LEAD_NOT)
    }

    /// The tokens of a product noun whose head is token `k`: a token ending like a product noun
    /// (cues.toml `[unclassified]`) that no rule names, with up to three words before it that are
    /// no rule word, function character or `not_before` word (部分, 该款) — jieba cuts an unknown
    /// compound into pieces (猫砂 + 盆 + 清洁器).
    pub(super) fn noun_span(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        let w = t.words.get(k)?;
        if !self.noun_suffixes.ends(w) || self.noun_not.ends(w) || t.is(k, lex::RULE) {
            return None;
        }
        // a word of a company's name (某电器公司, 某某灯具厂) names no product
        if t.words.get(k + 1).is_some_and(|n| ORG_ENDS.contains(n)) {
            return None;
        }
        let content = |j: usize| self.noun_modifier(t, j) && t.toks[j].clause == t.toks[k].clause;
        let mut a = k;
        while a > 0 && k - a < 3 && content(a - 1) {
            a -= 1;
        }
        // "婴儿爬服": a child word before the noun says whom it is made for
        if a > 0 && t.toks[a - 1].clause == t.toks[k].clause && t.is(a - 1, lex::CHILD) {
            a -= 1;
        }
        let n: usize = t.words[a..=k].iter().map(|v| v.chars().count()).sum();
        (n >= 2).then_some((a, k + 1))
    }

    /// The category of a product noun no alias matched (`nouns`), with the noun kept when it is
    /// `未归类`.
    fn noun_category(&self, noun: String) -> (usize, Option<String>) {
        let folded = noun.to_ascii_lowercase();
        match self
            .nouns
            .resolve(&folded)
            .map(|c| self.for_children(&folded, c))
        {
            Some(c) if c != self.unclassified => (c, None),
            _ => (self.unclassified, Some(noun)),
        }
    }

    /// Add (or raise the severity of) the finding `at` describes, placed and with the parties
    /// of its sentence; `product` is the noun of a product no category knows. A product out of
    /// scope (food, drugs, medical devices) is never a finding.
    fn add_finding(
        &self,
        ev: &Evidence,
        findings: &mut Vec<Finding>,
        at: At,
        product: Option<String>,
    ) {
        let At {
            cat,
            h,
            severity,
            sent,
        } = at;
        if self.out_of_scope(cat) {
            return;
        }
        let category = self.categories[cat].name.clone();
        let hazard = self.hazards[h].name.clone();
        // a `未归类` list member keeps its noun
        let product = product.or_else(|| {
            (cat == self.unclassified)
                .then(|| ev.prod.nouns.first().map(|(_, n)| n.clone()))
                .flatten()
        });
        // one finding per product, hazard and place: a text reporting fires in two provinces
        // reports two events
        for (province, city) in ev.places.places_of(sent) {
            if let Some(f) = findings
                .iter_mut()
                .find(|f| f.category == category && f.hazard == hazard && f.province == province)
            {
                f.severity = f.severity.max(severity);
                continue;
            }
            findings.push(Finding {
                category: category.clone(),
                hazard: hazard.clone(),
                severity,
                province,
                city,
                parties: self.finding_parties(ev, sent),
                product: product.clone(),
            });
        }
    }

    /// The parties of a finding reported in sentence `sent`: a listing's or complaint's own, or
    /// those named in the sentence.
    fn finding_parties(&self, ev: &Evidence, sent: usize) -> Parties {
        let kind = ev.p.kind;
        match kind {
            DocKind::Listing | DocKind::Complaint => {
                let mut p = ev.listing_parties.clone();
                if kind == DocKind::Complaint {
                    p.merge(&Parties {
                        enterprises: vec![],
                        ..ev.parties.clone()
                    });
                }
                p
            }
            _ => {
                let st = ev.t.sent_text(sent);
                let keep = |v: &[String]| {
                    v.iter()
                        .filter(|x| st.contains(x.to_ascii_lowercase().as_str()))
                        .cloned()
                        .collect::<Vec<_>>()
                };
                Parties {
                    brands: keep(&ev.parties.brands),
                    enterprises: keep(&ev.parties.enterprises),
                    shops: keep(&ev.parties.shops),
                    platforms: keep(&ev.parties.platforms),
                }
            }
        }
    }
}

/// Places of findings fixed by what the document is: a bloc (欧盟 Safety Gate) gives way to the
/// member country the text names; a national standard applies nationwide.
fn place_findings(kind: DocKind, findings: &mut Vec<Finding>) {
    // a bloc (欧盟 Safety Gate) gives way to the member country the text names as the event's
    let abroad = |f: &Finding| {
        f.province
            .as_deref()
            .is_some_and(|p| p.starts_with("境外:"))
    };
    let bloc = |f: &Finding| f.province.as_deref() == Some("境外:欧盟");
    if findings.iter().any(|f| abroad(f) && !bloc(f)) {
        findings.retain(|f| !bloc(f));
    }
    // a national standard applies nationwide, wherever the body that explains it sits (a
    // provincial gas inspection station); Taiwan's, Hong Kong's and foreign rules stay theirs
    if kind == DocKind::Standard {
        let own_rules = |p: &str| p.starts_with("境外:") || places::own_jurisdiction(p);
        for f in findings
            .iter_mut()
            .filter(|f| f.province.as_deref().is_none_or(|p| !own_rules(p)))
        {
            f.province = Some("全国".into());
            f.city = None;
        }
    }
}
