//! Findings from inspection tables (one per hazard of a failed row), standard numbers' force, the
//! `Signal`s a signal document yields (one per finding), and the categories a document reports.

use super::*;

impl Analyzer {
    /// One finding per hazard of a failed inspection row.
    pub(super) fn row_findings(
        &self,
        row: &BTreeMap<String, String>,
        top: Option<usize>,
        doc_place: &(Option<String>, Option<String>),
        (title_cat, class_cat): (Option<usize>, Option<usize>),
    ) -> Vec<Finding> {
        let get = |k: &str| {
            row.get(k)
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        let category = get(field::PRODUCT)
            .and_then(|p| {
                let pf = prepare(p);
                let (w, t) = self.tokens(&pf);
                let ms = self.matches(&w);
                let cats = self.category_mentions(
                    (&pf, &hits(&self.substr, &pf)),
                    (&w, &[]),
                    &t,
                    &ms,
                    0,
                    None,
                );
                // "锂电池组" in an e-bike notice is the e-bike battery
                let refined = self.categories.iter().position(|r| {
                    r.anchor
                        .iter()
                        .any(|a| Some(*a) == title_cat || Some(*a) == top)
                        && r.anchor_terms.iter().any(|t| pf.contains(t.as_str()))
                        && cats.first().is_none_or(|c| !r.anchor.contains(&c.c))
                });
                // a product no name holds is placed by its noun (a table's "电动剥蒜器" row is an
                // appliance of its own, not the notice's first product); one its noun cannot
                // place is of the class the title names ("小家电…抽查结果": 剥蒜器 is a small
                // appliance), else 未归类
                refined.or(cats.first().map(|c| c.c)).or_else(|| {
                    let placed = (pf.chars().count() <= 12 && super::text::han_word(pf.trim()))
                        .then(|| self.place_noun(pf.trim()))
                        .flatten()?;
                    Some(if placed == self.unclassified {
                        class_cat.unwrap_or(placed)
                    } else {
                        placed
                    })
                })
            })
            .or(title_cat)
            .or(top);
        let Some(category) = category else {
            return Vec::new();
        };
        let mut hazards: Vec<usize> = Vec::new();
        if let Some(items) = get(field::ITEMS) {
            let it = prepare(items);
            let (w, _) = self.tokens(&it);
            let ms = self.matches(&w);
            let terms: Vec<&Match> = ms
                .iter()
                .filter(|m| {
                    matches!(
                        m.target,
                        Target::Hazard(_, Strength::Strong | Strength::Weak)
                    )
                })
                .collect();
            for m in &ms {
                if let Target::Hazard(h, s) = m.target {
                    let term = w.get(m.a..m.b).unwrap_or(&[]).concat();
                    if !self.keeps_term(h, &term, Some(category)) {
                        continue;
                    }
                    let product_item = self.product_item(h, &term, category);
                    if s == Strength::TestItem
                        && !product_item
                        && terms.iter().any(|t| t.a < m.b && m.a < t.b)
                    {
                        continue;
                    }
                    if !hazards.contains(&h) {
                        hazards.push(h);
                    }
                }
            }
        }
        if hazards.is_empty() {
            hazards.push(self.non_safety);
        }
        let (province, city) = get(field::PROVINCE)
            .and_then(|p| self.resolve_text(p))
            .map(|r| (Some(r.province), r.city))
            .or_else(|| {
                get(field::ENTERPRISE)
                    .and_then(|e| {
                        let ef = prepare(e);
                        let (w, _) = self.tokens(&ef);
                        self.matches(&w).iter().find_map(|m| match m.target {
                            Target::Place(i) => self
                                .place_names
                                .get(i)
                                .and_then(|n| self.gaz.resolve_in(n, &[])),
                            _ => None,
                        })
                    })
                    .map(|r| (Some(r.province), r.city))
            })
            .unwrap_or_else(|| doc_place.clone());
        let parties = Parties {
            enterprises: get(field::ENTERPRISE)
                .map(|e| vec![e.to_string()])
                .unwrap_or_default(),
            brands: get(field::BRAND)
                .map(|e| vec![e.to_string()])
                .unwrap_or_default(),
            ..Parties::default()
        };
        hazards
            .into_iter()
            .map(|h| Finding {
                category: self.categories[category].name.clone(),
                hazard: self.hazards[h].name.clone(),
                severity: self.hazards[h].severity,
                province: province.clone(),
                city: city.clone(),
                parties: parties.clone(),
                product: None,
            })
            .collect()
    }
}

/// Whether a standard number (as in [`Extraction::standards`]) is mandatory: GB without /T or /Z.
pub fn standard_is_mandatory(number: &str) -> bool {
    let n = number.trim_start().to_ascii_uppercase();
    n.starts_with("GB ")
        || (n.starts_with("GB") && n[2..].starts_with(|c: char| c.is_ascii_digit()))
}

/// A row of an inspection table is failed when it counts failed batches (a summary table) or its
/// result says so; without either, when it lists failed items or the notice speaks of failures
/// (its table is then the failed-products table).
pub(super) fn row_failed(row: &BTreeMap<String, String>, notice_has_failures: bool) -> bool {
    // a summary row (产品 / 抽查批次 / 不合格批次) failed when it counts failed batches
    if let Some(n) = row.get(crate::model::inspection_keys::FAILED) {
        return n
            .trim()
            .trim_start_matches('0')
            .starts_with(|c: char| c.is_ascii_digit());
    }
    let result = row
        .get(field::RESULT)
        .map(|s| fold(s).into_owned())
        .unwrap_or_default();
    if !result.trim().is_empty() {
        return result.contains("不合格") || result.contains("不符合") || result.contains("不达标");
    }
    notice_has_failures || row.get(field::ITEMS).is_some_and(|s| !s.trim().is_empty())
}

/// One Signal per Finding of a signal document. The signal's `source` is the document's
/// publisher (its `publisher` field, else its source name): corroboration counts publishers.
pub fn signals(doc: &Document, ex: &Extraction) -> Vec<Signal> {
    if !ex.is_signal {
        return Vec::new();
    }
    let source = doc
        .fields
        .get(field::PUBLISHER)
        .filter(|p| !p.is_empty())
        .unwrap_or(&doc.source);
    ex.findings
        .iter()
        .map(|f| Signal {
            doc_id: doc.id.clone(),
            time: doc.published_at.unwrap_or(doc.fetched_at),
            category: f.category.clone(),
            hazard: f.hazard.clone(),
            severity: f.severity,
            province: f.province.clone(),
            city: f.city.clone(),
            source: source.clone(),
            channel: doc.channel,
            kind: ex.kind,
            weight: doc.weight,
            cluster: ex.cluster.clone(),
            parties: f.parties.clone(),
            product: f.product.clone(),
        })
        .collect()
}

impl Analyzer {
    /// Standard numbers named in the text, in canonical form (GB 17761-2024, GB/T 22760-2020).
    pub(super) fn standards(&self, p: &Prepared) -> Vec<String> {
        let mut standards: Vec<String> = Vec::new();
        for c in p
            .has(STD)
            .then(|| self.std_re.captures_iter(&p.orig))
            .into_iter()
            .flatten()
        {
            let mut prefix = c.get(1).map_or("", |m| m.as_str()).to_ascii_uppercase();
            if prefix == "GBT" {
                prefix = "GB/T".into();
            }
            let num = c.get(2).map_or("", |m| m.as_str());
            let s = match c.get(3) {
                Some(y) => format!("{prefix} {num}-{}", y.as_str()),
                None => format!("{prefix} {num}"),
            };
            if !standards.contains(&s) {
                standards.push(s);
            }
        }
        standards
    }

    /// Categories: for a story's signal (media, complaint, listing), the products of its findings
    /// first, then the others the document is about (in the title, named twice, or carrying a
    /// hazard); a passing mention ("用手机拍下") is left out. Otherwise — a regulator's notice or
    /// no signal — every product named, most salient first.
    pub(super) fn category_names(
        &self,
        p: &Prepared,
        t: &Tokens,
        prod: &Products,
        categories: &[usize],
        hz: &[HazM],
        findings: &[Finding],
    ) -> Vec<String> {
        // a regulator's notice (recall, inspection, standard) is about every product it names;
        // a story may name one in passing
        if findings.is_empty()
            || matches!(
                p.kind,
                DocKind::Inspection | DocKind::Recall | DocKind::Standard
            )
        {
            // a product only a fire reached ("可能引燃床上用品") is not what the notice is about,
            // unless it is all the text names
            let source = |c: usize| {
                let mut of_c = prod.cats.iter().zip(&prod.victim).filter(|(m, _)| m.c == c);
                of_c.clone().next().is_none() || of_c.any(|(_, v)| !*v)
            };
            let any_source = categories.iter().any(|&c| source(c));
            let mut names: Vec<String> = categories
                .iter()
                .filter(|&&c| !any_source || source(c))
                .map(|&c| self.categories[c].name.clone())
                .collect();
            // a product no rule names that a failed clause of a standard family placed
            // ("干衣柜…对触及带电部件的防护不合格": an appliance) is one the notice is about
            // (asked only when a finding's product is missing from the names)
            if findings
                .iter()
                .any(|f| f.category != rules::UNCLASSIFIED && !names.contains(&f.category))
                && let Some(c) = self.failed_clause_place(&p.full, hz)
                && let name = &self.categories[c].name
                && findings.iter().any(|f| &f.category == name)
                && !names.contains(name)
            {
                names.push(name.clone());
            }
            return names;
        }
        let mut names: Vec<String> = Vec::new();
        for &c in categories {
            let name = &self.categories[c].name;
            if findings.iter().any(|f| &f.category == name) {
                names.push(name.clone());
            }
        }
        for &c in categories {
            let name = &self.categories[c].name;
            let n = prod
                .cats
                .iter()
                .zip(&prod.victim)
                .filter(|(m, v)| m.c == c && !**v)
                .count();
            let in_title = prod
                .cats
                .iter()
                .any(|m| m.c == c && p.in_title(&t.toks[m.tok]));
            // (a product a fire only reached carries the hazard it fell back to, nothing more)
            let carries = n > 0 && hz.iter().any(|m| m.category == Some(c));
            if !names.contains(name) && (n >= 2 || in_title || carries) {
                names.push(name.clone());
            }
        }
        // a story's product placed by its noun alone ("暖脚器在充电时突然起火") is what it is about
        for f in findings {
            if f.category != rules::UNCLASSIFIED && !names.contains(&f.category) {
                names.push(f.category.clone());
            }
        }
        names
    }
}
