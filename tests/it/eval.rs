//! The labelled evaluation set (`tests/eval/labelled.jsonl`, see `tests/eval/README.md`): every text is
//! analysed and compared with what a trained monitor wrote down for it. Prints precision, recall and F1
//! per field and fails below the floors (categories F1 0.90, hazards F1 0.90, event provinces
//! F1 0.95, `is_signal` accuracy 0.95). Run `cargo test --test it eval -- --nocapture` to see the table
//! and every disagreement.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::model::{Channel, DocKind, Document, Extraction};
use serde::Deserialize;

const SET: &str = include_str!("../eval/labelled.jsonl");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    id: String,
    #[serde(default)]
    title: String,
    text: String,
    /// The kind the source declares (a shop's review page, a complaint board); absent → inferred.
    #[serde(default)]
    source_kind: Option<String>,
    kind: String,
    signal: bool,
    categories: Vec<String>,
    hazards: Vec<String>,
    provinces: Vec<String>,
}

pub(crate) fn analyzer() -> &'static Analyzer {
    static AN: OnceLock<Analyzer> = OnceLock::new();
    AN.get_or_init(|| match Analyzer::load(None, None) {
        Ok(a) => a,
        Err(e) => panic!("built-in rules do not load: {e:?}"),
    })
}

fn set() -> Vec<Labelled> {
    SET.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| match serde_json::from_str(l) {
            Ok(x) => x,
            Err(e) => panic!("tests/eval/labelled.jsonl line {}: {e}", n + 1),
        })
        .collect()
}

fn document(c: &Labelled) -> Document {
    let kind = c.source_kind.as_deref().map(|k| match DocKind::parse(k) {
        Some(k) => k,
        None => panic!("{}: unknown source_kind {k}", c.id),
    });
    Document {
        id: c.id.clone(),
        source: "eval".into(),
        channel: Channel::Media,
        kind,
        url: format!("eval:{}", c.id),
        title: c.title.clone(),
        text: c.text.clone(),
        published_at: None,
        fetched_at: chrono::Utc::now(),
        fields: Default::default(),
        rows: Vec::new(),
        region_hint: None,
        weight: 1.0,
    }
}

/// Micro-averaged counts over (document, value) pairs.
#[derive(Default)]
pub(crate) struct Prf {
    pub(crate) tp: usize,
    pub(crate) fp: usize,
    pub(crate) fn_: usize,
}

impl Prf {
    pub(crate) fn add(&mut self, want: &BTreeSet<String>, got: &BTreeSet<String>) {
        self.tp += want.intersection(got).count();
        self.fp += got.difference(want).count();
        self.fn_ += want.difference(got).count();
    }
    pub(crate) fn p(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub(crate) fn r(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub(crate) fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// What the analyzer says, in the label's terms: every product the text is about; the hazards and
/// provinces of its real findings (a non-signal places and reports nothing).
fn predicted(x: &Extraction) -> [BTreeSet<String>; 3] {
    let cats = x.categories.iter().cloned().collect();
    let hazards = x.findings.iter().map(|f| f.hazard.clone()).collect();
    let provinces = x
        .findings
        .iter()
        .filter_map(|f| f.province.clone())
        .collect();
    [cats, hazards, provinces]
}

#[test]
fn labelled_set_meets_the_floors() {
    let an = analyzer();
    let cases = set();
    assert!(cases.len() >= 200, "only {} labelled texts", cases.len());
    let mut ids = BTreeSet::new();
    for c in &cases {
        assert!(ids.insert(c.id.as_str()), "duplicate id {}", c.id);
        for cat in &c.categories {
            assert!(
                an.categories().contains(&cat.as_str()),
                "{}: label {cat} is not a canonical category",
                c.id
            );
        }
        for h in &c.hazards {
            assert!(
                an.hazards().contains(&h.as_str()),
                "{}: label {h} is not a canonical hazard",
                c.id
            );
        }
        assert!(DocKind::parse(&c.kind).is_some(), "{}: bad kind", c.id);
        assert_eq!(
            c.signal,
            !c.hazards.is_empty(),
            "{}: a signal has hazards, a non-signal none",
            c.id
        );
    }

    let names = ["categories", "hazards", "event provinces"];
    let mut prf: [Prf; 3] = Default::default();
    let (mut signal_ok, mut kind_ok) = (0usize, 0usize);
    let mut misses = Vec::new();
    for c in &cases {
        let x = an.analyze(&document(c), &mut ClusterIndex::new());
        let got = predicted(&x);
        let want: [BTreeSet<String>; 3] = [
            c.categories.iter().cloned().collect(),
            c.hazards.iter().cloned().collect(),
            c.provinces.iter().cloned().collect(),
        ];
        let mut wrong = Vec::new();
        for i in 0..3 {
            prf[i].add(&want[i], &got[i]);
            if want[i] != got[i] {
                wrong.push(format!("{} want {:?} got {:?}", names[i], want[i], got[i]));
                if i == 2 {
                    let places: Vec<String> = x
                        .regions
                        .iter()
                        .map(|r| format!("{}→{} {:?}", r.text, r.province, r.role))
                        .collect();
                    wrong.push(format!("regions [{}]", places.join(", ")));
                }
            }
        }
        if x.is_signal == c.signal {
            signal_ok += 1;
        } else {
            wrong.push(format!(
                "is_signal want {} got {} ({:?})",
                c.signal, x.is_signal, x.reason
            ));
        }
        if x.kind.as_str() == c.kind {
            kind_ok += 1;
        } else {
            wrong.push(format!("kind want {} got {}", c.kind, x.kind.as_str()));
        }
        if !wrong.is_empty() {
            misses.push(format!("{}: {}", c.id, wrong.join("; ")));
        }
    }

    let n = cases.len();
    let accuracy = signal_ok as f64 / n as f64;
    println!("labelled evaluation set: {n} texts");
    println!(
        "{:<18} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5}",
        "field", "P", "R", "F1", "TP", "FP", "FN"
    );
    for (name, m) in names.iter().zip(&prf) {
        println!(
            "{:<18} {:>6.3} {:>6.3} {:>6.3} {:>5} {:>5} {:>5}",
            name,
            m.p(),
            m.r(),
            m.f1(),
            m.tp,
            m.fp,
            m.fn_
        );
    }
    println!("is_signal accuracy {accuracy:.3} ({signal_ok}/{n})");
    println!(
        "kind accuracy      {:.3} ({kind_ok}/{n})",
        kind_ok as f64 / n as f64
    );
    println!("disagreements ({}):\n{}", misses.len(), misses.join("\n"));

    let floors = [0.90, 0.90, 0.95];
    for ((name, m), floor) in names.iter().zip(&prf).zip(floors) {
        assert!(
            m.f1() >= floor,
            "{name} F1 {:.3} below {floor}\n{}",
            m.f1(),
            misses.join("\n")
        );
    }
    assert!(
        accuracy >= 0.95,
        "is_signal accuracy {accuracy:.3} below 0.95\n{}",
        misses.join("\n")
    );
}
