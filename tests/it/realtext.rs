//! The analyzer on real public texts: every `*.jsonl` file of `../shared/realtext` (beside the
//! checkout in CI and on developers' machines; `JIANCE_REALTEXT` names another directory). Each
//! text is analysed as `jiance extract` would see it — the passage alone, no title, no source kind
//! — and compared with its labels (see the README beside the files).
//!
//! Every file is scored on its own and must meet its floor (`FLOORS`; a file the table does not
//! know must meet the lowest floor of the table). Issue 43's targets — categories, hazards and
//! event provinces F1 0.90, `is_signal` accuracy 0.93 on every file — are printed beside the
//! figures; a floor is what the analyzer measures today, never lowered, raised as it improves.
//!
//! **Validation split.** The items of `dev2-regulatory.jsonl` whose id ends in an odd digit are
//! held out: no rule was written from them, and this test prints only their aggregate figures,
//! never one of their texts or disagreements, so that they stay unread. The gap between a file's
//! tuning part and its validation part is the measure of fitting (issue 43 asks for ≤ 0.05).
//! `dev.jsonl` and the even-numbered `dev2-regulatory` items are in-sample (tuned on).
//!
//! A missing directory or file fails the test: it never silently skips.
//! `cargo test --test it realtext -- --nocapture` shows the tables and the tuning disagreements.

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

/// Issue 43's targets on every file: categories, hazards and event provinces F1, then `is_signal`
/// accuracy.
const TARGETS: [f64; 3] = [0.90, 0.90, 0.90];
const TARGET_SIGNAL: f64 = 0.93;

/// Floors per file and part: (file, part, [categories, hazards, event provinces] F1, `is_signal`
/// accuracy). What the analyzer measured when each was set, a little under; never lowered.
const FLOORS: [(&str, Part, [f64; 3], f64); 3] = [
    ("dev.jsonl", Part::Tuning, [0.91, 0.89, 0.91], 0.97),
    (
        "dev2-regulatory.jsonl",
        Part::Tuning,
        [0.88, 0.93, 0.91],
        0.97,
    ),
    (
        "dev2-regulatory.jsonl",
        Part::Validation,
        [0.82, 0.77, 0.86],
        0.93,
    ),
];

/// Which part of a file an item is in: tuned on, or held out unread (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Tuning,
    Validation,
}

impl Part {
    fn of(file: &str, id: &str) -> Part {
        let odd = id
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '1' | '3' | '5' | '7' | '9'));
        if file == "dev2-regulatory.jsonl" && odd {
            Part::Validation
        } else {
            Part::Tuning
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Part::Tuning => "tuning (in-sample)",
            Part::Validation => "validation (held out)",
        }
    }
}

/// Items whose event region is taken from the page outside the passage (the README lists them):
/// left out of the event-province score, since the passage alone cannot place them.
const PLACED_OUTSIDE: [&str; 8] = [
    "RD-066", "RD-124", "RD-134", "RD-144", "RD-149", "RD-177", "RD-178", "RD-179",
];

fn dir() -> PathBuf {
    std::env::var_os("JIANCE_REALTEXT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realtext"))
}

/// Every labelled file of the directory, by name, with its items.
fn files() -> Vec<(String, Vec<Real>)> {
    let dir = dir();
    let missing = |e: std::io::Error| -> ! {
        panic!(
            "{}: {e} (the real-text corpus lives in ../shared/realtext beside the checkout; \
             JIANCE_REALTEXT names another directory)",
            dir.display()
        )
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| missing(e))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "{}: no *.jsonl file", dir.display());
    names
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let items = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(n, l)| {
                    serde_json::from_str(l)
                        .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), n + 1))
                })
                .collect();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, items)
        })
        .collect()
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

/// Field scores, `is_signal` per genre and the disagreements of one part of one file.
#[derive(Default)]
struct Tally {
    prf: [Prf; 3],
    signal_ok: usize,
    n: usize,
    by_genre: BTreeMap<String, (usize, usize)>,
    misses: Vec<String>,
}

impl Tally {
    fn accuracy(&self) -> f64 {
        self.signal_ok as f64 / self.n.max(1) as f64
    }

    fn add(&mut self, r: &Real, x: &Extraction) {
        let got = predicted(x);
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
            self.prf[i].add(&want[i], &got[i]);
            if want[i] != got[i] {
                wrong.push(format!("{} want {:?} got {:?}", FIELDS[i], want[i], got[i]));
            }
        }
        let g = self.by_genre.entry(r.genre.clone()).or_default();
        g.1 += 1;
        self.n += 1;
        if x.is_signal == r.is_risk_signal {
            self.signal_ok += 1;
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
            self.misses.push(format!(
                "{} [{}] {}\n    {}{}",
                r.id,
                r.genre,
                wrong.join("; "),
                head.replace('\n', " "),
                if r.note.is_empty() { "" } else { " …" }
            ));
        }
    }
}

#[test]
fn real_texts_meet_the_floors() {
    let an = analyzer();
    let files = files();
    let lowest = FLOORS
        .iter()
        .fold(([1.0f64; 3], 1.0f64), |(f, a), (_, _, ff, fa)| {
            (
                [f[0].min(ff[0]), f[1].min(ff[1]), f[2].min(ff[2])],
                a.min(*fa),
            )
        });
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (file, items) in &files {
        assert!(items.len() >= 50, "{file}: only {} real texts", items.len());
        let mut parts: BTreeMap<Part, Tally> = BTreeMap::new();
        for r in items {
            let x = an.analyze(&document(r), &mut ClusterIndex::new());
            parts.entry(Part::of(file, &r.id)).or_default().add(r, &x);
        }
        for (part, t) in &parts {
            println!("\n{file} — {}: {} texts", part.as_str(), t.n);
            print_table(&t.prf, Some(TARGETS));
            println!(
                "is_signal accuracy {:.3} ({}/{}), target {TARGET_SIGNAL}",
                t.accuracy(),
                t.signal_ok,
                t.n
            );
            for (genre, (ok, all)) in &t.by_genre {
                println!("  {genre:<12} {ok}/{all}");
            }
            // held-out texts stay unread: their figures only
            if *part == Part::Tuning {
                println!(
                    "disagreements ({}):\n{}",
                    t.misses.len(),
                    t.misses.join("\n")
                );
            }
            summary.push(format!(
                "{file:<24} {:<22} {:>4} {:.3} {:.3} {:.3} {:.3}",
                part.as_str(),
                t.n,
                t.prf[0].f1(),
                t.prf[1].f1(),
                t.prf[2].f1(),
                t.accuracy()
            ));
            let (floors, accuracy) = FLOORS
                .iter()
                .find(|(f, p, _, _)| f == file && p == part)
                .map_or(lowest, |(_, _, f, a)| (*f, *a));
            for ((name, m), floor) in FIELDS.iter().zip(&t.prf).zip(floors) {
                if m.f1() < floor {
                    failures.push(format!(
                        "{file} {}: {name} F1 {:.3} below {floor}",
                        part.as_str(),
                        m.f1()
                    ));
                }
            }
            if t.accuracy() < accuracy {
                failures.push(format!(
                    "{file} {}: is_signal accuracy {:.3} below {accuracy}",
                    part.as_str(),
                    t.accuracy()
                ));
            }
        }
    }
    println!(
        "\n{:<24} {:<22} {:>4} {:>5} {:>5} {:>5} {:>5}\n{}",
        "file",
        "part",
        "n",
        "cat",
        "haz",
        "prov",
        "sig",
        summary.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 43's complaint target on every real file that holds complaints: a complaint about a
/// product's quality is a signal (recall at least 0.90) and at most one service dispute (a late
/// installation, a prepaid card) is taken for one. Files with no complaint are skipped by design
/// (the regulatory file has none); the test fails if no file holds ten.
#[test]
fn real_complaints_are_signals_and_service_disputes_are_not() {
    let an = analyzer();
    let mut seen = 0;
    for (file, items) in files() {
        let complaints: Vec<&Real> = items.iter().filter(|r| r.genre == "complaint").collect();
        if complaints.is_empty() {
            continue;
        }
        seen = seen.max(complaints.len());
        let (mut found, mut quality, mut disputes_taken, mut disputes) = (0, 0, 0, 0);
        let mut missed = Vec::new();
        for r in &complaints {
            let x = an.analyze(&document(r), &mut ClusterIndex::new());
            if r.is_risk_signal {
                quality += 1;
                if x.is_signal {
                    found += 1;
                } else {
                    missed.push(format!("{} missed ({:?})", r.id, x.reason));
                }
            } else {
                disputes += 1;
                if x.is_signal {
                    disputes_taken += 1;
                    missed.push(format!("{} taken for a signal", r.id));
                }
            }
        }
        let recall = found as f64 / quality.max(1) as f64;
        println!(
            "{file}: quality complaints found {found}/{quality} ({recall:.3}), service disputes \
             taken {disputes_taken}/{disputes}"
        );
        assert!(
            recall >= 0.90 && disputes_taken <= 1,
            "{file}: complaint recall {recall:.3} (target 0.90), service disputes taken \
             {disputes_taken} (at most 1)\n{}",
            missed.join("\n")
        );
    }
    assert!(seen >= 10, "no real file holds ten complaints");
}
