//! The analyzer on real public texts: `../shared/realtext/dev.jsonl` (beside the checkout in CI and
//! on developers' machines; `JIANCE_REALTEXT` names another copy). Each text is analysed as
//! `jiance extract` would see it — the passage alone, no title, no source kind — and compared with
//! its labels (see the README beside the file). Prints precision, recall and F1 per field beside issue
//! 15's targets (categories F1 0.90, hazards F1 0.85, event provinces F1 0.90, `is_signal` accuracy
//! 0.90), `is_signal` accuracy per genre and every disagreement. It asserts the targets that are met
//! and, for event provinces, a floor just under what the analyzer measures today, so no change can
//! slide back unnoticed; the province target is reported, not asserted. A missing file fails the test: it never silently skips.
//! `cargo test --test it realtext -- --nocapture` shows the table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiance::analyze::ClusterIndex;
use jiance::model::{Channel, Document, Extraction, RegionRole};
use serde::Deserialize;

use crate::eval::{FIELDS, Prf, analyzer, print_table};

#[derive(Debug, Deserialize)]
struct Real {
    id: String,
    genre: String,
    is_risk_signal: bool,
    text: String,
    date: Option<String>,
    products: Vec<Product>,
    hazards: Vec<String>,
    regions: Vec<Region>,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
struct Product {
    category: String,
}

#[derive(Debug, Deserialize)]
struct Region {
    province: Option<String>,
    role: String,
}

/// Issue 15's targets for categories, hazards and event provinces F1 (and 0.90 `is_signal` accuracy).
const TARGETS: [f64; 3] = [0.90, 0.85, 0.90];

/// Items whose event region is taken from the page outside the passage (the README lists them):
/// left out of the event-province score, since the passage alone cannot place them.
const PLACED_OUTSIDE: [&str; 8] = [
    "RD-066", "RD-124", "RD-134", "RD-144", "RD-149", "RD-177", "RD-178", "RD-179",
];

fn path() -> PathBuf {
    std::env::var_os("JIANCE_REALTEXT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realtext/dev.jsonl")
        })
}

fn document(r: &Real) -> Document {
    Document {
        id: r.id.clone(),
        source: "realtext".into(),
        channel: Channel::Media,
        kind: None,
        url: format!("realtext:{}", r.id),
        title: String::new(),
        text: r.text.clone(),
        published_at: r
            .date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc()),
        fetched_at: chrono::Utc::now(),
        fields: Default::default(),
        rows: Vec::new(),
        region_hint: None,
        weight: 1.0,
    }
}

/// The analyzer's answer in the labels' terms: the products named; the hazards of its findings;
/// where the problem happened — the findings' provinces for a signal, the event places named for
/// any other text (a drill or an all-pass result still happened somewhere).
fn predicted(x: &Extraction) -> [BTreeSet<String>; 3] {
    let cats = x.categories.iter().cloned().collect();
    let hazards = x.findings.iter().map(|f| f.hazard.clone()).collect();
    let provinces = if x.is_signal {
        x.findings
            .iter()
            .filter_map(|f| f.province.clone())
            .collect()
    } else {
        x.regions
            .iter()
            .filter(|r| r.role == RegionRole::Event)
            .map(|r| r.province.clone())
            .collect()
    };
    [cats, hazards, provinces]
}

#[test]
fn real_texts_meet_the_floors() {
    let path = path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the real-text set lives in ../shared beside the checkout; JIANCE_REALTEXT names another copy)",
            path.display()
        )
    });
    let items: Vec<Real> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), n + 1))
        })
        .collect();
    assert!(items.len() >= 150, "only {} real texts", items.len());
    let an = analyzer();
    let names = FIELDS;
    let mut prf: [Prf; 3] = Default::default();
    let mut by_genre: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut signal_ok = 0usize;
    let mut misses = Vec::new();
    for r in &items {
        let x = an.analyze(&document(r), &mut ClusterIndex::new());
        let got = predicted(&x);
        let want: [BTreeSet<String>; 3] = [
            r.products.iter().map(|p| p.category.clone()).collect(),
            r.hazards.iter().cloned().collect(),
            r.regions
                .iter()
                .filter(|g| g.role == "event")
                .filter_map(|g| g.province.clone())
                .collect(),
        ];
        let mut wrong = Vec::new();
        for i in 0..3 {
            if i == 2 && PLACED_OUTSIDE.contains(&r.id.as_str()) {
                continue;
            }
            prf[i].add(&want[i], &got[i]);
            if want[i] != got[i] {
                wrong.push(format!("{} want {:?} got {:?}", names[i], want[i], got[i]));
            }
        }
        let g = by_genre.entry(r.genre.as_str()).or_default();
        g.1 += 1;
        if x.is_signal == r.is_risk_signal {
            signal_ok += 1;
            g.0 += 1;
        } else {
            wrong.push(format!(
                "is_signal want {} got {} ({:?}, kind {})",
                r.is_risk_signal,
                x.is_signal,
                x.reason,
                x.kind.as_str()
            ));
        }
        if !wrong.is_empty() {
            let head: String = r.text.chars().take(40).collect();
            misses.push(format!(
                "{} [{}] {}\n    {}{}",
                r.id,
                r.genre,
                wrong.join("; "),
                head.replace('\n', " "),
                if r.note.is_empty() { "" } else { " …" }
            ));
        }
    }
    let n = items.len();
    let accuracy = signal_ok as f64 / n as f64;
    println!("real texts ({}): {n}", path.display());
    print_table(&prf, Some(TARGETS));
    println!("is_signal accuracy {accuracy:.3} ({signal_ok}/{n}), target 0.90");
    for (genre, (ok, all)) in &by_genre {
        println!("  {genre:<12} {ok}/{all}");
    }
    println!("disagreements ({}):\n{}", misses.len(), misses.join("\n"));

    // Categories, hazards and `is_signal` meet the targets; event provinces are held just
    // under what they measure today (about 0.88) until they reach 0.90.
    let floors = [0.90, 0.85, 0.86];
    for ((name, m), floor) in names.iter().zip(&prf).zip(floors) {
        assert!(m.f1() >= floor, "{name} F1 {:.3} below {floor}", m.f1());
    }
    assert!(
        accuracy >= 0.90,
        "is_signal accuracy {accuracy:.3} below 0.90"
    );
}
