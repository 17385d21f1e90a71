//! `jiance check` for the analysis stage: validate the rule and dictionary files and run every rule
//! example (must / must-not match), reporting each failure at its file:line.

use std::path::Path;

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
        kind,
        fields,
        ..Document::of_text(
            crate::model::doc_id(&format!("example\u{1f}{title}\u{1f}{text}")),
            "example",
            Channel::Media,
            title,
            text,
        )
    }
}

/// Every rule example run, each failure located: the rules' own examples file by file.
fn run_examples(an: &Analyzer, f: &rules::RuleFiles) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    category_examples(an, f, &mut errs);
    hazard_examples(an, f, &mut errs);
    cue_examples(an, f, &mut errs);
    reading_examples(an, f, &mut errs);
    kind_examples(an, f, &mut errs);
    family_examples(an, f, &mut errs);
    errs
}

/// Where a rule's examples stand: the file's label and text, and the line the search for an
/// example's own line starts from.
type At<'a> = (&'a str, &'a str, usize);

/// The extraction of one example document.
fn analyze(an: &Analyzer, title: &str, text: &str, kind: Option<DocKind>) -> Extraction {
    an.analyze(&example_doc(title, text, kind), &mut ClusterIndex::new())
}

/// Runs a rule's examples: `ok(extraction)` must hold for `match`, fail for `no_match`.
fn run(
    errs: &mut Vec<ConfigError>,
    (label, text, from): At<'_>,
    what: &str,
    ex: &Examples,
    doc: &dyn Fn(&str) -> Extraction,
    ok: &dyn Fn(&Extraction) -> bool,
) {
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
}

/// Each category's examples name the category.
fn category_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = (&f.texts[0].0, &f.texts[0].1);
    for (i, c) in f.products.category.iter().enumerate() {
        let from = line_in_block(pt, "category", i, "name");
        let name = c.name.clone();
        run(
            errs,
            (pl, pt, from),
            &format!("category {}", c.name),
            &c.examples,
            &|e| analyze(an, "", e, None),
            &|x| x.categories.contains(&name),
        );
    }
}

/// Each hazard's examples report the hazard, neither negated nor hypothetical.
fn hazard_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = (&f.texts[1].0, &f.texts[1].1);
    for (i, h) in f.hazards.hazard.iter().enumerate() {
        let from = line_in_block(ht, "hazard", i, "name");
        let name = h.name.clone();
        run(
            errs,
            (hl, ht, from),
            &format!("hazard {}", h.name),
            &h.examples,
            &|e| analyze(an, "", e, None),
            &|x| {
                x.hazards
                    .iter()
                    .any(|m| m.hazard == name && !m.negated && !m.hypothetical)
            },
        );
    }
}

/// The examples of the cues that qualify a mention or a text: negation, hypothetical, drill,
/// advertising, the modifiers and the genres.
fn cue_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = (&f.texts[2].0, &f.texts[2].1);
    let c = &f.cues;
    run(
        errs,
        (cl, ct, table_line(ct, "negation")),
        "negation",
        &c.negation.examples,
        &|e| analyze(an, "", e, None),
        &|x| x.hazards.iter().any(|m| m.negated),
    );
    run(
        errs,
        (cl, ct, table_line(ct, "hypothetical")),
        "hypothetical",
        &c.hypothetical.examples,
        &|e| analyze(an, "", e, None),
        &|x| x.hazards.iter().any(|m| m.hypothetical && !m.negated),
    );
    run(
        errs,
        (cl, ct, table_line(ct, "drill")),
        "drill",
        &c.drill.examples,
        &|e| analyze(an, "", e, None),
        &|x| x.reason.as_deref() == Some("drill"),
    );
    run(
        errs,
        (cl, ct, table_line(ct, "advertising")),
        "advertising",
        &c.advertising.examples,
        &|e| analyze(an, "", e, Some(DocKind::Listing)),
        &|x| x.reason.as_deref() == Some("advertising"),
    );
    for (i, m) in c.modifier.iter().enumerate() {
        let from = line_in_block(ct, "modifier", i, "name");
        run(
            errs,
            (cl, ct, from),
            &format!("modifier {}", m.name),
            &m.examples,
            &|e| analyze(an, "", e, None),
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
            errs,
            (cl, ct, from),
            &format!("genre {}", g.kind),
            &g.examples,
            &|e| analyze(an, "", e, kind),
            &|x| x.is_signal,
        );
    }
}

/// The examples of the cues that shape what is read of a text: consequences, tested-items
/// lists, place glue, unclassified products, general texts, brands and place roles.
fn reading_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = (&f.texts[2].0, &f.texts[2].1);
    let c = &f.cues;
    // the failed item's own hazard gives way to the consequence it is said to lead to
    run(
        errs,
        (cl, ct, table_line(ct, "consequence")),
        "consequence",
        &c.consequence.examples,
        &|e| analyze(an, "", e, Some(DocKind::Inspection)),
        &|x| {
            let mut hs: Vec<&str> = x.findings.iter().map(|f| f.hazard.as_str()).collect();
            hs.dedup();
            hs.len() == 1
        },
    );
    // a failed item is found beside a failure cue; a cue measuring a market finds nothing
    run(
        errs,
        (cl, ct, table_line(ct, "failure")),
        "failure",
        &c.failure.examples,
        &|e| analyze(an, "", e, None),
        &|x| !x.findings.is_empty(),
    );
    // a structural defect said to lead to another hazard is its cause: one hazard found
    run(
        errs,
        (cl, ct, table_line(ct, "defects")),
        "defects",
        &c.defects.examples,
        &|e| analyze(an, "", e, Some(DocKind::Recall)),
        &|x| {
            let mut hs: Vec<&str> = x.findings.iter().map(|f| f.hazard.as_str()).collect();
            hs.sort_unstable();
            hs.dedup();
            hs.len() == 1
        },
    );
    // what a fire reached, or could reach, is not what a notice is about: one product named
    run(
        errs,
        (cl, ct, table_line(ct, "victim")),
        "victim",
        &c.victim.examples,
        &|e| analyze(an, "", e, Some(DocKind::Inspection)),
        &|x| x.categories.len() == 1,
    );
    // a tested-items list names no failed item: only 未指明 findings
    run(
        errs,
        (cl, ct, table_line(ct, "tested")),
        "tested",
        &c.tested.examples,
        &|e| analyze(an, "", e, Some(DocKind::Inspection)),
        &|x| !x.findings.is_empty() && x.findings.iter().all(|f| f.hazard == rules::UNSPECIFIED),
    );
    // a variant spelling reads as the rules' form: the example's product and hazard are named
    run(
        errs,
        (cl, ct, table_line(ct, "variants")),
        "variants",
        &c.variants.examples,
        &|e| analyze(an, "", e, None),
        &|x| {
            !x.findings.is_empty()
                && x.findings
                    .iter()
                    .all(|f| f.hazard != rules::UNSPECIFIED && f.category != rules::UNCLASSIFIED)
        },
    );
    run(
        errs,
        (cl, ct, table_line(ct, "place_glue")),
        "place_glue",
        &c.place_glue.examples,
        &|e| analyze(an, "", e, None),
        &|x| !x.regions.is_empty(),
    );
    // a text whose scope is the whole country is placed 全国
    run(
        errs,
        (cl, ct, table_line(ct, "nationwide")),
        "nationwide",
        &c.nationwide.examples,
        &|e| analyze(an, "", e, Some(DocKind::Inspection)),
        &|x| x.regions.iter().any(|r| r.province == "全国"),
    );
    run(
        errs,
        (cl, ct, table_line(ct, "unclassified")),
        "unclassified",
        &c.unclassified.examples,
        &|e| analyze(an, "", e, None),
        &|x| {
            x.findings
                .iter()
                .any(|f| f.category == rules::UNCLASSIFIED && f.product.is_some())
        },
    );
    // a product the report leaves out gives way: one product stays
    run(
        errs,
        (cl, ct, table_line(ct, "unaffected")),
        "unaffected",
        &c.unaffected.examples,
        &|e| analyze(an, "", e, None),
        &|x| x.categories.len() == 1,
    );
    // a general text (explainer, tip) is no signal; a report of an event is
    run(
        errs,
        (cl, ct, table_line(ct, "generic")),
        "generic",
        &c.generic.examples,
        &|e| analyze(an, "", e, None),
        &|x| x.reason.as_deref() == Some("generic"),
    );
    // brands as written
    run(
        errs,
        (cl, ct, table_line(ct, "brands")),
        "brands",
        &c.brands.examples,
        &|e| analyze(an, "", e, None),
        &|x| !x.parties.brands.is_empty(),
    );
    // a name that holds a place name but is no place of the event
    run(
        errs,
        (cl, ct, table_line(ct, "place_roles")),
        "place_roles",
        &c.place_roles.examples,
        &|e| analyze(an, "", e, None),
        &|x| {
            !x.regions
                .iter()
                .any(|r| r.role == crate::model::RegionRole::Event)
        },
    );
}

/// Each document-kind rule's examples, read as titles, get that kind.
fn kind_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = (&f.texts[2].0, &f.texts[2].1);
    for (i, k) in f.cues.kind.iter().enumerate() {
        let from = line_in_block(ct, "kind", i, "kind");
        let want = DocKind::parse(&k.kind);
        run(
            errs,
            (cl, ct, from),
            &format!("kind {}", k.kind),
            &k.examples,
            &|e| analyze(an, e, "", None),
            &|x| Some(x.kind) == want,
        );
    }
}

/// A family's `unknown`: the noun of each `match` example is placed in its category, that of each
/// `no_match` example is not.
fn unknown_examples(
    an: &Analyzer,
    (hl, ht, from): (&str, &str, usize),
    fam: &rules::StandardFamily,
    u: &rules::UnknownProducts,
    errs: &mut Vec<ConfigError>,
) {
    let cases = u.matches.iter().map(|e| (e, true));
    for (e, want) in cases.chain(u.no_match.iter().map(|e| (e, false))) {
        let x = analyze(an, "", e, Some(DocKind::Inspection));
        if x.findings.iter().any(|fd| fd.category == u.category) != want {
            errs.push(ConfigError::new(
                hl,
                example_line(ht, from, e),
                format!(
                    "{} of {}'s unknown products should {}be {}: \"{e}\" (findings {:?})",
                    if want {
                        "match example"
                    } else {
                        "no_match example"
                    },
                    fam.standard,
                    if want { "" } else { "not " },
                    u.category,
                    x.findings
                        .iter()
                        .map(|fd| format!("{}/{}", fd.category, fd.hazard))
                        .collect::<Vec<_>>()
                ),
            ));
        }
    }
}

/// Each clause of a standard family: a notice naming it as failed reports its hazard.
fn family_examples(an: &Analyzer, f: &rules::RuleFiles, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = (&f.texts[1].0, &f.texts[1].1);
    for (i, fam) in f.hazards.standard_family.iter().enumerate() {
        let from = line_in_block(ht, "standard_family", i, "standard");
        if let Some(u) = &fam.unknown {
            unknown_examples(an, (hl, ht, from), fam, u, errs);
        }
        for c in &fam.items {
            let x = analyze(an, "", &c.example, Some(DocKind::Inspection));
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
}
