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
        // a sampling round's pass rate under 100 %, or fewer batches passed than sampled, says
        // some of it failed, as 不合格 would
        let evidence = (g.evidence.is_empty()
            || p.any(&g.evidence)
            || (p.kind == DocKind::Standard && mandatory_std)
            || (p.kind == DocKind::Inspection
                && (self.partial_pass_re.is_match(&p.full)
                    || inspection::fewer_passed_than_sampled(&p.full))))
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
                    self.row_findings(
                        row,
                        top,
                        &ev.places.doc_place,
                        (ev.prod.title_cat, ev.prod.class_cat),
                    )
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
        place_findings(kind, ev.places, &mut findings);
        self.nationwide_recalls(ev, &mut findings);
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
            // inspection's failed items are each a finding of their own, and so is a protective
            // product's failing (an alarm that stays silent in a leak)
            if self.hazards[m.h].minor
                && kind != DocKind::Inspection
                && !self.protective_fails(ev.t, m)
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
            // a product a fire only reached (引燃了旁边的沙发) that the mention fell back to gives
            // way to a product noun of the hazard's sentence ("暖脚器在充电时突然起火")
            let reached_only = m.category.is_some_and(|c| {
                let mut of_c = ev
                    .prod
                    .cats
                    .iter()
                    .zip(&ev.prod.victim)
                    .filter(|(x, _)| x.c == c);
                of_c.clone().next().is_some() && of_c.all(|(_, v)| *v)
            });
            let placed_noun = || {
                self.product_noun(p, ev.t, Some(m.sent), m.tok)
                    .map(|noun| self.noun_category(noun))
                    .filter(|(c, _)| *c != self.unclassified)
            };
            if reached_only && let Some((cat, product)) = placed_noun() {
                self.add_finding(ev, findings, at(cat), product);
                continue;
            }
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
                    let (cat, product) = match noun.map(|n| self.noun_category(n)) {
                        // a noun no rule places that failed a clause of a standard family is of
                        // the family's products ("干衣柜…对触及带电部件的防护不合格": an appliance)
                        Some((c, _))
                            if c == self.unclassified
                                && let Some(fam) = self.failed_clause_place(&p.full, hz) =>
                        {
                            (fam, None)
                        }
                        Some(placed) => placed,
                        // no noun either: the aggregate it fell back to
                        None if aggregate => (self.unclassified, None),
                        None => continue,
                    };
                    self.add_finding(ev, findings, at(cat), product);
                }
            }
        }
    }

    /// A recall of a product every recall of which is filed with the national regulator
    /// (products.toml `recall_nationwide`: cars) is nationwide where the text places it nowhere.
    /// Taiwan's, Hong Kong's and foreign recalls follow their own rules: a text that places
    /// anything there, or is written in traditional script, is theirs.
    fn nationwide_recalls(&self, ev: &Evidence, findings: &mut [Finding]) {
        let nationwide = |f: &Finding| {
            f.province.is_none()
                && self
                    .categories
                    .iter()
                    .any(|c| c.recall_nationwide && c.name == f.category)
        };
        // (the cheap tests first: most documents are no recall, most recalls are of no car)
        if ev.p.kind != DocKind::Recall
            || !findings.iter().any(nationwide)
            || ev.places.places.iter().any(|p| {
                p.mention.province.starts_with("境外:")
                    || places::own_jurisdiction(&p.mention.province)
            })
            || super::jurisdiction::traditional_script(&ev.p.doc.text)
        {
            return;
        }
        for f in findings.iter_mut().filter(|f| nationwide(f)) {
            f.province = Some("全国".into());
        }
    }

    /// The category a standard family gives a product noun no rule places, by the first clause
    /// of the family the document reports failed of no known product (hazards.toml
    /// `standard_family.unknown`): every mention of that noun is of it, the failed clause's and
    /// a fire's told beside it alike. `full` is the prepared text the mentions' spans are in.
    pub(super) fn failed_clause_place(&self, full: &str, hz: &[HazM]) -> Option<usize> {
        hz.iter()
            .filter(|o| !o.negated && !o.hypothetical)
            .filter(|o| o.category.is_none_or(|c| c == self.unclassified))
            .find_map(|o| self.nouns.of_failed_item(full.get(o.span.0..o.span.1)?))
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
            && !self.names_a_person(&ev.t.words)
            && !self.date_re.is_match(&p.full)
    }

    /// Whether a token names a person or ends so (陈女士, 王先生, 车主), other than the addressee of
    /// advice: a person word right after a register word ("建议车主…", "提醒广大市民…") is whom
    /// the text speaks to, no one it reports on.
    fn names_a_person(&self, words: &[&str]) -> bool {
        let register = |w: &str| self.register_words.iter().any(|(_, r)| r == w);
        words.iter().enumerate().any(|(k, w)| {
            self.persons.ends(w) && {
                // (one word of address between: 广大, 各位)
                let before = k.checked_sub(1).map(|j| words[j]);
                let addressed = match before {
                    Some("广大" | "各位" | "全体") => {
                        k.checked_sub(2).is_some_and(|j| register(words[j]))
                    }
                    Some(b) => register(b),
                    None => false,
                };
                !addressed
            }
        })
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
        // (copied only into a finding made: most calls add to one already made)
        let category = self.categories[cat].name.as_str();
        let hazard = self.hazards[h].name.as_str();
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
                category: category.to_string(),
                hazard: hazard.to_string(),
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
                // (a name without capitals is its own lower case: no copy made of it)
                let keep = |v: &[String]| {
                    v.iter()
                        .filter(|x| {
                            if x.bytes().any(|b| b.is_ascii_uppercase()) {
                                st.contains(x.to_ascii_lowercase().as_str())
                            } else {
                                st.contains(x.as_str())
                            }
                        })
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

/// Places of findings fixed by what the document is: a national standard applies nationwide.
/// A bloc's alert (欧盟 Safety Gate) keeps the bloc and adds each member country the text names
/// as an event place (通报国为法国, 德国当局已下令召回): the alert is EU-wide and the notifying
/// country acted, as real relays are labelled.
fn place_findings(kind: DocKind, places: &places::Places, findings: &mut Vec<Finding>) {
    const BLOC: &str = "境外:欧盟";
    let events = || {
        places
            .places
            .iter()
            .map(|p| &p.mention)
            .filter(|m| m.role == RegionRole::Event)
            .map(|m| m.province.as_str())
    };
    let bloc_named = events().any(|p| p == BLOC);
    // the bloc (where the text names it) and each country abroad the text names as an event's
    let mut targets: Vec<&str> = events()
        .filter(|p| p.starts_with("境外:") && !matches!(*p, BLOC | "境外:全球"))
        .collect();
    if bloc_named {
        targets.push(BLOC);
    }
    // a finding placed in the bloc, or, where the bloc is named, in one of the countries its
    // alert names (a table's "通报国:瑞典" line), is placed in all of them; so is a recall's
    // placed in one of the countries abroad it names (a joint recall of two regulators, a
    // product sold in two countries: "在美国和加拿大销售")
    let joint = kind == DocKind::Recall && targets.len() > 1;
    let in_bloc: Vec<Finding> = findings
        .iter()
        .filter(|f| {
            f.province
                .as_deref()
                .is_some_and(|p| p == BLOC || ((bloc_named || joint) && targets.contains(&p)))
        })
        .cloned()
        .collect();
    for f in in_bloc {
        for &m in &targets {
            let placed = |g: &Finding| {
                g.category == f.category && g.hazard == f.hazard && g.province.as_deref() == Some(m)
            };
            if !findings.iter().any(placed) {
                findings.push(Finding {
                    province: Some(m.to_string()),
                    city: None,
                    ..f.clone()
                });
            }
        }
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
