//! `jiance check` for the analysis stage: validate the rule and dictionary files and run every rule
//! example (must / must-not match), reporting each failure at its file:line.

use std::path::Path;

use chrono::Utc;

use super::rules::{self, Examples, example_line, table_line};
use super::{Analyzer, ClusterIndex};
use crate::config::{ConfigError, line_in_block};
use crate::model::{Channel, DocKind, Document, Extraction};

/// Validate rule + dictionary files and run every rule example. Empty when all is well.
pub fn check(rules_dir: Option<&Path>, dict_dir: Option<&Path>) -> Vec<ConfigError> {
    let cache = super::tokcache::default_cache_dir();
    match Analyzer::load_keeping(rules_dir, dict_dir, cache.as_deref(), Clone::clone) {
        Ok((an, files)) => run_examples(&an, &files),
        Err(e) => e,
    }
}

pub(crate) fn example_doc(title: &str, text: &str, kind: Option<DocKind>) -> Document {
    let mut fields = std::collections::BTreeMap::new();
    if kind == Some(DocKind::Listing) {
        fields.insert("shop".to_string(), "示例店铺".to_string());
    }
    Document {
        id: crate::model::doc_id(&format!("example\u{1f}{title}\u{1f}{text}")),
        source: "example".into(),
        channel: Channel::Media,
        kind,
        url: String::new(),
        title: title.into(),
        text: text.into(),
        published_at: None,
        fetched_at: Utc::now(),
        fields,
        rows: Vec::new(),
        region_hint: None,
        weight: 1.0,
    }
}

fn run_examples(an: &Analyzer, f: &rules::RuleFiles) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    let analyze = |title: &str, text: &str, kind: Option<DocKind>| -> Extraction {
        an.analyze(&example_doc(title, text, kind), &mut ClusterIndex::new())
    };
    // Runs a rule's examples: `ok(extraction)` must hold for `match`, fail for `no_match`.
    let mut run = |label: &str,
                   text: &str,
                   from: usize,
                   what: &str,
                   ex: &Examples,
                   doc: &dyn Fn(&str) -> Extraction,
                   ok: &dyn Fn(&Extraction) -> bool| {
        for (want, list) in [(true, &ex.matches), (false, &ex.no_match)] {
            for e in list {
                let x = doc(e);
                if ok(&x) != want {
                    let verb = if want {
                        "should match"
                    } else {
                        "should not match"
                    };
                    errs.push(ConfigError::new(
                        label,
                        example_line(text, from, e),
                        format!(
                            "example {verb} {what}: \"{e}\" (categories {:?}, hazards {:?}, reason {:?})",
                            x.categories,
                            x.hazards.iter().map(|h| format!("{}{}{}", h.hazard, if h.negated { "/neg" } else { "" }, if h.hypothetical { "/hyp" } else { "" })).collect::<Vec<_>>(),
                            x.reason
                        ),
                    ));
                }
            }
        }
    };
    let (pl, pt) = (&f.texts[0].0, &f.texts[0].1);
    for (i, c) in f.products.category.iter().enumerate() {
        let from = line_in_block(pt, "category", i, "name");
        let name = c.name.clone();
        run(
            pl,
            pt,
            from,
            &format!("category {}", c.name),
            &c.examples,
            &|e| analyze("", e, None),
            &|x| x.categories.contains(&name),
        );
    }
    let (hl, ht) = (&f.texts[1].0, &f.texts[1].1);
    for (i, h) in f.hazards.hazard.iter().enumerate() {
        let from = line_in_block(ht, "hazard", i, "name");
        let name = h.name.clone();
        run(
            hl,
            ht,
            from,
            &format!("hazard {}", h.name),
            &h.examples,
            &|e| analyze("", e, None),
            &|x| {
                x.hazards
                    .iter()
                    .any(|m| m.hazard == name && !m.negated && !m.hypothetical)
            },
        );
    }
    let (cl, ct) = (&f.texts[2].0, &f.texts[2].1);
    let c = &f.cues;
    run(
        cl,
        ct,
        table_line(ct, "negation"),
        "negation",
        &c.negation.examples,
        &|e| analyze("", e, None),
        &|x| x.hazards.iter().any(|m| m.negated),
    );
    run(
        cl,
        ct,
        table_line(ct, "hypothetical"),
        "hypothetical",
        &c.hypothetical.examples,
        &|e| analyze("", e, None),
        &|x| x.hazards.iter().any(|m| m.hypothetical && !m.negated),
    );
    run(
        cl,
        ct,
        table_line(ct, "drill"),
        "drill",
        &c.drill.examples,
        &|e| analyze("", e, None),
        &|x| x.reason.as_deref() == Some("drill"),
    );
    run(
        cl,
        ct,
        table_line(ct, "advertising"),
        "advertising",
        &c.advertising.examples,
        &|e| analyze("", e, Some(DocKind::Listing)),
        &|x| x.reason.as_deref() == Some("advertising"),
    );
    for (i, m) in c.modifier.iter().enumerate() {
        let from = line_in_block(ct, "modifier", i, "name");
        run(
            cl,
            ct,
            from,
            &format!("modifier {}", m.name),
            &m.examples,
            &|e| analyze("", e, None),
            &|x| {
                x.hazards.iter().any(|h| {
                    an.hazard_severity(&h.hazard)
                        .is_some_and(|d| h.severity > d)
                })
            },
        );
    }
    for (i, g) in c.genre.iter().enumerate() {
        let from = line_in_block(ct, "genre", i, "kind");
        let kind = DocKind::parse(&g.kind);
        run(
            cl,
            ct,
            from,
            &format!("genre {}", g.kind),
            &g.examples,
            &|e| analyze("", e, kind),
            &|x| x.is_signal,
        );
    }
    // the failed item's own hazard gives way to the consequence it is said to lead to
    run(
        cl,
        ct,
        table_line(ct, "consequence"),
        "consequence",
        &c.consequence.examples,
        &|e| analyze("", e, Some(DocKind::Inspection)),
        &|x| {
            let mut hs: Vec<&str> = x.findings.iter().map(|f| f.hazard.as_str()).collect();
            hs.dedup();
            hs.len() == 1
        },
    );
    // a tested-items list names no failed item: only 未指明 findings
    run(
        cl,
        ct,
        table_line(ct, "tested"),
        "tested",
        &c.tested.examples,
        &|e| analyze("", e, Some(DocKind::Inspection)),
        &|x| !x.findings.is_empty() && x.findings.iter().all(|f| f.hazard == rules::UNSPECIFIED),
    );
    run(
        cl,
        ct,
        table_line(ct, "place_glue"),
        "place_glue",
        &c.place_glue.examples,
        &|e| analyze("", e, None),
        &|x| !x.regions.is_empty(),
    );
    run(
        cl,
        ct,
        table_line(ct, "unclassified"),
        "unclassified",
        &c.unclassified.examples,
        &|e| analyze("", e, None),
        &|x| {
            x.findings
                .iter()
                .any(|f| f.category == rules::UNCLASSIFIED && f.product.is_some())
        },
    );
    // a general text (explainer, tip) is no signal; a report of an event is
    run(
        cl,
        ct,
        table_line(ct, "generic"),
        "generic",
        &c.generic.examples,
        &|e| analyze("", e, None),
        &|x| x.reason.as_deref() == Some("generic"),
    );
    // brands as written
    run(
        cl,
        ct,
        table_line(ct, "brands"),
        "brands",
        &c.brands.examples,
        &|e| analyze("", e, None),
        &|x| !x.parties.brands.is_empty(),
    );
    // a name that holds a place name but is no place of the event
    run(
        cl,
        ct,
        table_line(ct, "place_roles"),
        "place_roles",
        &c.place_roles.examples,
        &|e| analyze("", e, None),
        &|x| {
            !x.regions
                .iter()
                .any(|r| r.role == crate::model::RegionRole::Event)
        },
    );
    for (i, k) in c.kind.iter().enumerate() {
        let from = line_in_block(ct, "kind", i, "kind");
        let want = DocKind::parse(&k.kind);
        run(
            cl,
            ct,
            from,
            &format!("kind {}", k.kind),
            &k.examples,
            &|e| analyze(e, "", None),
            &|x| Some(x.kind) == want,
        );
    }
    // each clause of a standard family: a notice naming it as failed reports its hazard
    for (i, fam) in f.hazards.standard_family.iter().enumerate() {
        let from = line_in_block(ht, "standard_family", i, "standard");
        for c in &fam.items {
            let x = analyze("", &c.example, Some(DocKind::Inspection));
            if !x.findings.iter().any(|fd| fd.hazard == c.hazard) {
                errs.push(ConfigError::new(
                    hl,
                    example_line(ht, from, &c.example),
                    format!(
                        "example of {} {} item {} should report {}: \"{}\" (findings {:?})",
                        fam.standard,
                        fam.title,
                        c.item,
                        c.hazard,
                        c.example,
                        x.findings
                            .iter()
                            .map(|fd| format!("{}/{}", fd.category, fd.hazard))
                            .collect::<Vec<_>>()
                    ),
                ));
            }
        }
    }
    errs
}
