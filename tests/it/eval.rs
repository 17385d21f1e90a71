//! The labelled evaluation set (`tests/eval/labelled.jsonl`, see `tests/eval/README.md`): every text is
//! analysed and compared with what a trained monitor wrote down for it. Prints precision, recall and F1
//! per field for the texts written before issue 15 and for the whole set (with the 360 texts written
//! in the real genres' styles). The first keep their floors (categories F1 0.90, hazards F1 0.90,
//! event provinces F1 0.95, `is_signal` accuracy 0.95); the whole set is held just under what it
//! measures (see `labelled_set_meets_the_floors`). The probe texts of issue 43
//! (`tests/eval/probes.jsonl`) are scored the same way and held at what they measure
//! (`probe_texts_hold`). Run `cargo test --test it eval -- --nocapture` to see the tables and every
//! disagreement.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::model::{Channel, DocKind, Document, Extraction};
use serde::Deserialize;

const SET: &str = include_str!("../eval/labelled.jsonl");
/// Texts written and labelled before their first run to probe the analysis for issue 43 (see
/// `tests/eval/README.md`, "Probe texts").
const PROBES: &str = include_str!("../eval/probes.jsonl");
const PROBES2: &str = include_str!("../eval/probes2.jsonl");
const PROBES3: &str = include_str!("../eval/probes3.jsonl");
const PROBES4: &str = include_str!("../eval/probes4.jsonl");
const PROBES5: &str = include_str!("../eval/probes5.jsonl");
const PROBES6: &str = include_str!("../eval/probes6.jsonl");
const PROBES7: &str = include_str!("../eval/probes7.jsonl");
const PROBES8: &str = include_str!("../eval/probes8.jsonl");
const PROBES9: &str = include_str!("../eval/probes9.jsonl");
const PROBES10: &str = include_str!("../eval/probes10.jsonl");
const PROBES11: &str = include_str!("../eval/probes11.jsonl");
const PROBES12: &str = include_str!("../eval/probes12.jsonl");
const PROBES13: &str = include_str!("../eval/probes13.jsonl");
const PROBES14: &str = include_str!("../eval/probes14.jsonl");
const PROBES15: &str = include_str!("../eval/probes15.jsonl");
const PROBES16: &str = include_str!("../eval/probes16.jsonl");
const PROBES17: &str = include_str!("../eval/probes17.jsonl");
const PROBES18: &str = include_str!("../eval/probes18.jsonl");
const PROBES19: &str = include_str!("../eval/probes19.jsonl");
const PROBES20: &str = include_str!("../eval/probes20.jsonl");
const PROBES21: &str = include_str!("../eval/probes21.jsonl");
const PROBES22: &str = include_str!("../eval/probes22.jsonl");
const PROBES23: &str = include_str!("../eval/probes23.jsonl");
const PROBES24: &str = include_str!("../eval/probes24.jsonl");
const PROBES25: &str = include_str!("../eval/probes25.jsonl");
const PROBES26: &str = include_str!("../eval/probes26.jsonl");
const PROBES27: &str = include_str!("../eval/probes27.jsonl");
const PROBES28: &str = include_str!("../eval/probes28.jsonl");
const PROBES29: &str = include_str!("../eval/probes29.jsonl");
const PROBES30: &str = include_str!("../eval/probes30.jsonl");
const PROBES31: &str = include_str!("../eval/probes31.jsonl");
const PROBES32: &str = include_str!("../eval/probes32.jsonl");
const PROBES33: &str = include_str!("../eval/probes33.jsonl");
const PROBES34: &str = include_str!("../eval/probes34.jsonl");
const PROBES35: &str = include_str!("../eval/probes35.jsonl");
const PROBES36: &str = include_str!("../eval/probes36.jsonl");
const PROBES37: &str = include_str!("../eval/probes37.jsonl");
const PROBES38: &str = include_str!("../eval/probes38.jsonl");
const PROBES39: &str = include_str!("../eval/probes39.jsonl");
const PROBES40: &str = include_str!("../eval/probes40.jsonl");
const PROBES41: &str = include_str!("../eval/probes41.jsonl");
const PROBES42: &str = include_str!("../eval/probes42.jsonl");
const PROBES43: &str = include_str!("../eval/probes43.jsonl");
const PROBES44: &str = include_str!("../eval/probes44.jsonl");
const PROBES45: &str = include_str!("../eval/probes45.jsonl");
const PROBES46: &str = include_str!("../eval/probes46.jsonl");
const PROBES47: &str = include_str!("../eval/probes47.jsonl");
const PROBES48: &str = include_str!("../eval/probes48.jsonl");
const PROBES49: &str = include_str!("../eval/probes49.jsonl");
const PROBES50: &str = include_str!("../eval/probes50.jsonl");
const PROBES51: &str = include_str!("../eval/probes51.jsonl");
const PROBES52: &str = include_str!("../eval/probes52.jsonl");
const PROBES53: &str = include_str!("../eval/probes53.jsonl");
const PROBES54: &str = include_str!("../eval/probes54.jsonl");
const PROBES55: &str = include_str!("../eval/probes55.jsonl");
const PROBES56: &str = include_str!("../eval/probes56.jsonl");
const PROBES57: &str = include_str!("../eval/probes57.jsonl");
const PROBES58: &str = include_str!("../eval/probes58.jsonl");
const PROBES59: &str = include_str!("../eval/probes59.jsonl");
const PROBES60: &str = include_str!("../eval/probes60.jsonl");
const PROBES61: &str = include_str!("../eval/probes61.jsonl");
const PROBES62: &str = include_str!("../eval/probes62.jsonl");
const PROBES63: &str = include_str!("../eval/probes63.jsonl");
const PROBES64: &str = include_str!("../eval/probes64.jsonl");
const PROBES65: &str = include_str!("../eval/probes65.jsonl");
const PROBES66: &str = include_str!("../eval/probes66.jsonl");
const PROBES67: &str = include_str!("../eval/probes67.jsonl");
const PROBES68: &str = include_str!("../eval/probes68.jsonl");
const PROBES69: &str = include_str!("../eval/probes69.jsonl");
const PROBES70: &str = include_str!("../eval/probes70.jsonl");
const PROBES71: &str = include_str!("../eval/probes71.jsonl");
const PROBES72: &str = include_str!("../eval/probes72.jsonl");
const PROBES73: &str = include_str!("../eval/probes73.jsonl");
const PROBES74: &str = include_str!("../eval/probes74.jsonl");
const PROBES75: &str = include_str!("../eval/probes75.jsonl");
const PROBES76: &str = include_str!("../eval/probes76.jsonl");
const PROBES77: &str = include_str!("../eval/probes77.jsonl");
const PROBES78: &str = include_str!("../eval/probes78.jsonl");
const PROBES79: &str = include_str!("../eval/probes79.jsonl");
const PROBES80: &str = include_str!("../eval/probes80.jsonl");
const PROBES81: &str = include_str!("../eval/probes81.jsonl");
const PROBES82: &str = include_str!("../eval/probes82.jsonl");
const PROBES83: &str = include_str!("../eval/probes83.jsonl");
const PROBES84: &str = include_str!("../eval/probes84.jsonl");
const PROBES85: &str = include_str!("../eval/probes85.jsonl");
const PROBES86: &str = include_str!("../eval/probes86.jsonl");
const PROBES87: &str = include_str!("../eval/probes87.jsonl");
const PROBES88: &str = include_str!("../eval/probes88.jsonl");
const PROBES89: &str = include_str!("../eval/probes89.jsonl");
const PROBES90: &str = include_str!("../eval/probes90.jsonl");
const PROBES91: &str = include_str!("../eval/probes91.jsonl");
const PROBES92: &str = include_str!("../eval/probes92.jsonl");
const PROBES93: &str = include_str!("../eval/probes93.jsonl");
const PROBES94: &str = include_str!("../eval/probes94.jsonl");
const PROBES95: &str = include_str!("../eval/probes95.jsonl");
const PROBES96: &str = include_str!("../eval/probes96.jsonl");
const PROBES97: &str = include_str!("../eval/probes97.jsonl");
const PROBES98: &str = include_str!("../eval/probes98.jsonl");

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
    parse_set(SET, "tests/eval/labelled.jsonl")
}

fn parse_set(text: &str, file: &str) -> Vec<Labelled> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| match serde_json::from_str(l) {
            Ok(x) => x,
            Err(e) => panic!("{file} line {}: {e}", n + 1),
        })
        .collect()
}

/// Every label is canonical, every id unique, and a signal has hazards (a non-signal none).
fn check_labels(an: &Analyzer, cases: &[Labelled]) {
    let mut ids = BTreeSet::new();
    for c in cases {
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
}

fn document(c: &Labelled) -> Document {
    let kind = c.source_kind.as_deref().map(|k| match DocKind::parse(k) {
        Some(k) => k,
        None => panic!("{}: unknown source_kind {k}", c.id),
    });
    crate::eval_doc(&c.id, "eval", (Channel::Media, kind), &c.title, &c.text)
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
    check_labels(an, &cases);

    // The texts written before issue 15 keep their floors; the whole set (with the 360 texts in
    // the real genres' styles, ids ta… and tb…) is held at what it measures (see README).
    let original: Vec<&Labelled> = cases.iter().filter(|c| !is_real_style(c)).collect();
    let all: Vec<&Labelled> = cases.iter().collect();
    let o = score(an, &original);
    let w = score(an, &all);
    o.print("texts written before issue 15");
    w.print("whole set");
    w.print_disagreements();
    o.assert_floors("texts written before issue 15", [0.90, 0.90, 0.95], 0.95);
    // The issue asks 0.90 / 0.90 / 0.95 / 0.95 of the whole set; since the twenty-fourth session
    // it meets it on every field (0.922 / 0.906 / 0.965 / 0.974, in-sample), held there.
    w.assert_floors("whole set", [0.92, 0.90, 0.96], 0.97);
}

/// The probe texts of issue 43's eleventh session (`tests/eval/probes.jsonl`): 158 texts in the
/// regulatory, media, complaint, incident and English recall styles, labelled before the analyzer
/// first read them. On the code of their first run they measure 0.888 / 0.835 / 0.868 / 0.943
/// (categories / hazards / event provinces F1, `is_signal` accuracy); the session's changes, made
/// while reading them, bring them to 0.912 / 0.877 / 0.908 / 0.987, the later sessions' to 0.921
/// / 0.885 / 0.908 / 0.994 (in-sample figures). They are held just under that, so a change that
/// loses what they show fails.
#[test]
fn probe_texts_hold() {
    hold_probe_set(
        PROBES,
        "tests/eval/probes.jsonl",
        100,
        [0.93, 0.90, 0.90],
        0.98,
    );
}

/// The probe texts of issue 43's twelfth session (`tests/eval/probes2.jsonl`): 32 regulatory texts
/// aimed at the validation split's error classes as its aggregate names them (counterfeit and
/// certification findings, falls in recalls, children's furniture, recalls of products only a group
/// fallback holds, inspections with quality, marking and function items), 48 media, advice,
/// incident and complaint texts (smart products reached by strangers, tips, explainers, drills,
/// debunks, market news, service disputes), 16 Taiwan, Hong Kong and Macao notices, 16 complaints
/// (quality complaints and service disputes), 12 English foreign recalls, 12 standards, 12
/// inspection notices in records and tables and 12 more media texts, labelled before the analyzer first read them. A
/// separate set, so the first set's floors keep measuring what they measured. On the code of their first run (labels as first written; corrections in
/// `tests/eval/README.md`) the eleven batches measured 0.750 / 0.755 / 0.933 / 1.000, 0.385 / 0.850 /
/// 0.929 / 0.938, 0.538 / 0.889 / 0.941 / 0.875, 0.606 / 0.800 / 0.833 / 0.875, 0.733 / 0.828 /
/// 0.909 / 0.875, 0.903 / 0.538 / 0.783 / 0.688, 0.667 / 0.667 / 1.000 / 0.938, 0.818 / 0.750 /
/// 0.800 / 0.833, 0.750 / 0.750 / 0.889 / 0.917, 0.541 / 0.950 / 1.000 / 1.000 and 0.609 / 0.800 /
/// 1.000 / 0.917; the session's changes bring the set to 0.932 / 0.933 / 0.980 / 0.988 (in-sample
/// from then on). Held just
/// under that. Categories stay lowest: a recall of a product only a group fallback holds used to
/// name it in its finding only; since the thirteenth session the noun after a recall's verb is a
/// product of the text when the head rules place it (电子阅读器), while one they cannot (奶泡机) is
/// still left to the finding.
#[test]
fn probe_texts_of_the_twelfth_session_hold() {
    hold_probe_set(
        PROBES2,
        "tests/eval/probes2.jsonl",
        160,
        [0.94, 0.93, 0.97],
        0.98,
    );
}

/// The probe texts of issue 43's thirteenth session (`tests/eval/probes3.jsonl`): 140 texts in
/// nine batches — incidents, tips and tests; regulatory notices of products beyond the alias
/// lists; media and advice; complaints (quality and service); Taiwan, Hong Kong, Macao and
/// English notices; places by role; recalls and inspections of products only a group fallback
/// holds; more media and advice (16 each); standards of every force (12) — each labelled before
/// the analyzer first read it. First run, on the labels as first written: 0.909 / 0.800 / 1.000
/// / 0.875, 0.971 / 0.952 / 0.933 / 1.000, 0.938 / 0.952 / 0.909 / 1.000, 0.909 / 0.588 / 1.000 /
/// 0.938, 0.903 / 0.821 / 0.929 / 0.875, 0.970 / 0.848 / 0.867 / 1.000, 0.558 / 0.765 / 1.000 /
/// 0.812, 0.882 / 0.824 / 0.933 / 0.938 and 0.696 / 0.923 / 0.947 / 0.917 (categories / hazards
/// / event provinces F1, `is_signal`); corrections in `tests/eval/README.md`. The session's
/// changes, made while reading them, bring the set to the figures held here (in-sample).
#[test]
fn probe_texts_of_the_thirteenth_session_hold() {
    hold_probe_set(
        PROBES3,
        "tests/eval/probes3.jsonl",
        140,
        [0.93, 0.97, 0.99],
        0.99,
    );
}

/// The probe texts of issue 43's fourteenth session (`tests/eval/probes4.jsonl`): 178 texts in
/// thirteen batches — inspection notices written in other frames (对…开展抽查, failed items of
/// quality, function and marking); media, complaints and tips; regulatory notices of fakes,
/// labels and national scope; recalls of products no alias holds (two batches, tables and
/// Taiwan's wording among them); inspections and comparison tests naming quality, function and
/// marking items; incidents, complaints, tips and explainers; standards of every force; twelve
/// more recalls of products no alias holds (dates and model numbers after the verb); ten
/// complaints, quality and service; ten inspections placed by role; eight English recalls;
/// eight Taiwan, Hong Kong and Macao texts — each
/// labelled before the analyzer first read it. First run, on the labels as first written: 0.800
/// / 0.857 / 1.000 / 0.950, 0.732 / 0.833 / 1.000 / 0.900, 0.895 / 0.913 / 0.971 / 1.000, 0.303
/// / 0.900 / 1.000 / 1.000, 0.370 / 0.800 / 1.000 / 0.929, 0.966 / 0.842 / 1.000 / 1.000, 0.625
/// / 0.714 / 1.000 / 0.857, 0.800 / 0.727 / 0.750 / 0.750, 0.308 / 0.963 / 1.000 / 1.000 and
/// 1.000 / 0.667 / 1.000 / 0.700, 0.737 / 0.947 / 0.952 / 0.900, 0.462 / 0.933 / 0.667 / 0.875
/// and 1.000 / 1.000 / 0.933 / 1.000
/// (categories / hazards / event
/// provinces F1, `is_signal`); corrections in `tests/eval/README.md`. The session's changes,
/// made while reading them, bring the set to the figures held here (in-sample).
#[test]
fn probe_texts_of_the_fourteenth_session_hold() {
    hold_probe_set(
        PROBES4,
        "tests/eval/probes4.jsonl",
        178,
        [0.91, 0.91, 0.95],
        0.97,
    );
}

/// The probe texts of issue 43's fifteenth session (`tests/eval/probes5.jsonl`), each labelled
/// before the analyzer first read it: inspection notices of fakes, certificates, marking, quality
/// and function items; recalls of products no alias holds (filed nationally, abroad, in Taiwan
/// and Hong Kong); inspections of the product classes the held-out aggregate names weakest;
/// media, complaints and advice; standards of every force, Taiwan's, Hong Kong's and the EU's;
/// inspections placed by the role of their places; complaints of quality and of service; recalls
/// whose hazard is a consequence in other words, or none named; English foreign recalls; Taiwan,
/// Hong Kong and Macao texts; incidents of every hazard; inspection results as tables; standards
/// that name the hazards they address. First runs on the labels as first written (categories / hazards / event
/// provinces F1, `is_signal`): 0.714 / 0.923 / 1.000 / 1.000, 0.643 / 0.788 / 1.000 / 1.000,
/// 0.811 / 0.895 / 1.000 / 1.000, 0.929 / 0.875 / 1.000 / 0.857, 0.815 / 0.750 / 0.952 / 0.917,
/// 1.000 / 1.000 / 0.786 / 1.000, 1.000 / 0.706 / – / 0.917 (no province labelled),
/// 0.783 / 0.923 / 0.667 / 1.000, 0.957 / 0.857 / 0.600 / 0.917, 0.870 / 0.923 / 0.941 / 1.000,
/// 0.917 / 0.960 / 1.000 / 1.000, 0.875 / 1.000 / 1.000 / 1.000, 1.000 / 0.727 / 0.857 / 1.000;
/// corrections in `tests/eval/README.md`. The floors are what the set measures after the
/// session's changes (in-sample).
#[test]
fn probe_texts_of_the_fifteenth_session_hold() {
    hold_probe_set(
        PROBES5,
        "tests/eval/probes5.jsonl",
        150,
        [0.98, 0.96, 0.98],
        1.00,
    );
}

/// The probe texts of issue 43's sixteenth session (`tests/eval/probes6.jsonl`), each labelled
/// before the analyzer first read it: recalls of products no alias holds whose object stands past
/// a count, a model number, a cited regulation or 召回的 (`tc83…`); inspection notices of quality,
/// function, fake and marking items (`tc84…`); consumer tests and incidents of smart products,
/// tips and a demonstration (`tc85…`); incidents and complaints of products no alias holds
/// (`tc86…`); Taiwan, Hong Kong, Macao and English recalls of such products (`tc87…`); inspections
/// listing products of several kinds (`tc88…`); complaints of quality and of service (`tc89…`). First runs
/// and corrections in `tests/eval/README.md`. The floors are what the set measures after the
/// session's changes (in-sample).
#[test]
fn probe_texts_of_the_sixteenth_session_hold() {
    hold_probe_set(
        PROBES6,
        "tests/eval/probes6.jsonl",
        76,
        [0.97, 0.97, 0.98],
        0.98,
    );
}

/// The probe texts of issue 43's seventeenth session (`tests/eval/probes7.jsonl`), each labelled
/// before the analyzer first read it: regulatory texts in shapes the earlier sets hold little of
/// — tab and pipe tables, Japanese, Korean and Australian regulators, unknown products of every
/// group, standards by title (`tc90…`) — and media, incident, complaint and advice texts, each
/// signal beside a non-signal of the same product (a tip, a demonstration, a debunked rumour, an
/// advert, a passing test) (`tc91…`). First runs and corrections in `tests/eval/README.md`. The
/// floors are what the set measures after the session's changes (in-sample).
#[test]
fn probe_texts_of_the_seventeenth_session_hold() {
    hold_probe_set(
        PROBES7,
        "tests/eval/probes7.jsonl",
        48,
        [0.97, 0.96, 1.00],
        1.00,
    );
}

/// The seventeenth session's later batches (`tests/eval/probes8.jsonl`): recalls of electronics
/// and appliances no alias holds, from the mainland, Taiwan, Hong Kong and abroad, relayed in
/// Chinese (`tc92…`), platform and hotline complaints, ten of quality beside six of service
/// (`tc93…`), and new standards beside a voluntary one, a meeting and an explainer (`tc94…`),
/// labelled before the analyzer first read them. Its floors are what it measures after the
/// session's changes (in-sample).
#[test]
fn recalls_of_unnamed_products_and_complaints_hold() {
    hold_probe_set(
        PROBES8,
        "tests/eval/probes8.jsonl",
        42,
        [0.93, 0.98, 1.00],
        1.00,
    );
}

/// The eighteenth session's batches (`tests/eval/probes9.jsonl`): recalls relayed from eight
/// regulators at home and abroad, two in English, of products named in compounds, framed by
/// places and companies (`tc95…`), and inspection notices of Taiwan, Hong Kong and mainland
/// provinces naming marking, registration and quality failures (`tc96…`), labelled before the
/// analyzer first read them. Its floors are what it measures after the session's changes
/// (in-sample).
#[test]
fn compounds_frames_and_failure_wordings_hold() {
    hold_probe_set(
        PROBES9,
        "tests/eval/probes9.jsonl",
        40,
        [1.00, 0.93, 1.00],
        1.00,
    );
}

/// Score a probe set (labels checked first), print it with its disagreements and hold its floors.
fn hold_probe_set(src: &str, file: &str, at_least: usize, floors: [f64; 3], signal: f64) {
    let an = analyzer();
    let cases = parse_set(src, file);
    assert!(
        cases.len() >= at_least,
        "only {} probe texts in {file}",
        cases.len()
    );
    check_labels(an, &cases);
    let all: Vec<&Labelled> = cases.iter().collect();
    let s = score(an, &all);
    s.print(file);
    s.print_disagreements();
    s.assert_floors(file, floors, signal);
}

/// The texts written in the styles of real regulators, consumers and reporters (issue 15).
fn is_real_style(c: &Labelled) -> bool {
    c.id.starts_with("ta") || c.id.starts_with("tb")
}

/// Precision, recall and F1 per field, with a target column when given.
pub(crate) fn print_table(prf: &[Prf; 3], targets: Option<[f64; 3]>) {
    let target_head = if targets.is_some() { "  target" } else { "" };
    println!(
        "{:<18} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5}{target_head}",
        "field", "P", "R", "F1", "TP", "FP", "FN"
    );
    for (i, (name, m)) in FIELDS.iter().zip(prf).enumerate() {
        let target = targets.map_or(String::new(), |t| format!(" {:>7.2}", t[i]));
        println!(
            "{:<18} {:>6.3} {:>6.3} {:>6.3} {:>5} {:>5} {:>5}{target}",
            name,
            m.p(),
            m.r(),
            m.f1(),
            m.tp,
            m.fp,
            m.fn_
        );
    }
}

/// Field scores of one group of texts, with every disagreement.
pub(crate) struct Scores {
    pub(crate) prf: [Prf; 3],
    pub(crate) signal_ok: usize,
    pub(crate) kind_ok: usize,
    pub(crate) n: usize,
    pub(crate) misses: Vec<String>,
}

pub(crate) const FIELDS: [&str; 3] = ["categories", "hazards", "event provinces"];

impl Scores {
    pub(crate) fn accuracy(&self) -> f64 {
        ratio(self.signal_ok, self.n)
    }

    pub(crate) fn print(&self, what: &str) {
        println!("{what}: {} texts", self.n);
        print_table(&self.prf, None);
        println!(
            "is_signal accuracy {:.3} ({}/{})",
            self.accuracy(),
            self.signal_ok,
            self.n
        );
        println!(
            "kind accuracy      {:.3} ({}/{})",
            ratio(self.kind_ok, self.n),
            self.kind_ok,
            self.n
        );
    }

    fn print_disagreements(&self) {
        println!(
            "disagreements ({}):\n{}",
            self.misses.len(),
            self.misses.join("\n")
        );
    }

    pub(crate) fn assert_floors(&self, what: &str, floors: [f64; 3], accuracy: f64) {
        for ((name, m), floor) in FIELDS.iter().zip(&self.prf).zip(floors) {
            assert!(
                m.f1() >= floor,
                "{what}: {name} F1 {:.3} below {floor}\n{}",
                m.f1(),
                self.misses.join("\n")
            );
        }
        assert!(
            self.accuracy() >= accuracy,
            "{what}: is_signal accuracy {:.3} below {accuracy}\n{}",
            self.accuracy(),
            self.misses.join("\n")
        );
    }
}

fn score(an: &Analyzer, cases: &[&Labelled]) -> Scores {
    let mut s = Scores {
        prf: Default::default(),
        signal_ok: 0,
        kind_ok: 0,
        n: cases.len(),
        misses: Vec::new(),
    };
    for c in cases {
        let x = an.analyze(&document(c), &mut ClusterIndex::new());
        let got = predicted(&x);
        let want: [BTreeSet<String>; 3] = [
            c.categories.iter().cloned().collect(),
            c.hazards.iter().cloned().collect(),
            c.provinces.iter().cloned().collect(),
        ];
        let mut wrong = Vec::new();
        for i in 0..3 {
            s.prf[i].add(&want[i], &got[i]);
            if want[i] != got[i] {
                wrong.push(format!("{} want {:?} got {:?}", FIELDS[i], want[i], got[i]));
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
            s.signal_ok += 1;
        } else {
            wrong.push(format!(
                "is_signal want {} got {} ({:?})",
                c.signal, x.is_signal, x.reason
            ));
        }
        if x.kind.as_str() == c.kind {
            s.kind_ok += 1;
        } else {
            wrong.push(format!("kind want {} got {}", c.kind, x.kind.as_str()));
        }
        if !wrong.is_empty() {
            s.misses.push(format!("{}: {}", c.id, wrong.join("; ")));
        }
    }
    s
}

/// Every strong hazard term of `rules/hazards.toml` is read in a complaint about a product of its
/// kind: a term jieba cuts in two (标注不全 as 标注 + 不全) never matches as written and is dead
/// until a pair reads it. `未指明` is left out (the decision gives it, not a mention), and so are
/// terms holding other than Chinese characters.
#[test]
fn every_strong_hazard_term_is_read() {
    let rules: toml::Value = match toml::from_str(include_str!("../../rules/hazards.toml")) {
        Ok(v) => v,
        Err(e) => panic!("rules/hazards.toml: {e}"),
    };
    // a product each hazard is said of (異物 and microbes only of contact goods, crashes only of
    // vehicles …); others of a socket
    let product = |h: &str| match h {
        "交通事故/失控" => "电动自行车",
        "异物" | "微生物" => "湿巾",
        "过敏/刺激" => "纸尿裤",
        "化学危害" | "勒伤/缠绕" => "童装",
        "中毒" => "燃气灶",
        "信息安全" => "网络摄像头",
        "窒息" | "误吞" => "玩具",
        "跌落/倾倒" => "婴儿床",
        "夹伤/挤压" => "婴儿推车",
        _ => "插座",
    };
    let an = analyzer();
    let hazards = rules
        .get("hazard")
        .and_then(|h| h.as_array())
        .expect("hazards.toml has [[hazard]] tables");
    let mut dead = Vec::new();
    let mut read = 0;
    for h in hazards {
        let name = h.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        if name == "未指明" {
            continue;
        }
        let terms = h.get("terms").and_then(|t| t.as_array()).cloned();
        for term in terms.unwrap_or_default().iter().filter_map(|t| t.as_str()) {
            if !term.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                continue;
            }
            let doc = crate::eval_doc(
                &format!("term:{term}"),
                "eval",
                (Channel::Complaint, None),
                "",
                &format!("消费者投诉，她家的{}{term}。", product(name)),
            );
            let x = an.analyze(&doc, &mut ClusterIndex::new());
            read += 1;
            if !x.hazards.iter().any(|m| m.hazard == name) {
                dead.push(format!("{name}: {term}"));
            }
        }
    }
    println!("{read} strong hazard terms read, {} dead", dead.len());
    assert!(read > 500, "only {read} terms read from rules/hazards.toml");
    // Known and not yet explained: 失去动力 is read of a car (汽车在高速上失去动力) but not of an
    // e-bike. Listed so that the test fails on any other dead term, and on this one once mended.
    let known = ["交通事故/失控: 失去动力"];
    assert_eq!(
        dead, known,
        "terms never read (or a known one now read: drop it from `known`)"
    );
}

/// The eighteenth session's later batches (`tests/eval/probes10.jsonl`): incidents, complaints,
/// explainers, tips and a test demonstration, each signal beside a non-signal of the same product,
/// smart products' privacy incidents among them (`tc97…`), and recalls of products no alias held
/// (`tc98…`), labelled before the analyzer first read them. Its floors are what it measures after
/// the session's changes (in-sample).
#[test]
fn incidents_beside_advice_and_unnamed_recalls_hold() {
    hold_probe_set(
        PROBES10,
        "tests/eval/probes10.jsonl",
        36,
        [0.97, 0.95, 1.00],
        1.00,
    );
}

/// The eighteenth session's standards (`tests/eval/probes11.jsonl`): new and revised mandatory
/// standards of the mainland and Taiwan beside an explainer of an old one, a voluntary one and a
/// meeting (`tc99…`), labelled before the analyzer first read them. Its floors are what it
/// measures after the session's changes (in-sample); the explainer is still taken for a signal.
#[test]
fn standards_new_and_old_hold() {
    hold_probe_set(
        PROBES11,
        "tests/eval/probes11.jsonl",
        12,
        [1.00, 0.90, 1.00],
        0.91,
    );
}

/// The eighteenth session's last batch (`tests/eval/probes12.jsonl`): city inspection notices
/// that list two or three kinds of product each (gas appliances, textiles and cases, small
/// appliances, food-contact ware, shoes, furniture, lamps, wiring accessories), labelled before
/// the analyzer first read them. Its floors are what it measures after the session's changes
/// (in-sample).
#[test]
fn notices_listing_kinds_of_product_hold() {
    hold_probe_set(
        PROBES12,
        "tests/eval/probes12.jsonl",
        8,
        [0.86, 1.00, 1.00],
        1.00,
    );
}

/// The nineteenth session's batches (`tests/eval/probes13.jsonl`): inspection notices with
/// fakes, function and quality items and national rounds; recalls of products no alias holds
/// (Hong Kong, Taiwan, English, passive); standards and their look-alikes; complaints,
/// incidents, tips, demonstrations and debunks — each labelled before the analyzer first read
/// it. Its floors are what it measures after the session's changes (in-sample).
#[test]
fn the_nineteenth_sessions_batches_hold() {
    hold_probe_set(
        PROBES13,
        "tests/eval/probes13.jsonl",
        108,
        [0.93, 0.95, 0.94],
        1.00,
    );
}

/// The nineteenth session's last batches (`tests/eval/probes14.jsonl`): notices naming only the
/// failed items of ten standard families, and Taiwan's and Hong Kong's texts of every genre,
/// labelled before the analyzer first read them. Floors at what it measures now (in-sample).
#[test]
fn failed_items_and_taiwan_and_hong_kong_texts_hold() {
    hold_probe_set(
        PROBES14,
        "tests/eval/probes14.jsonl",
        32,
        [0.98, 0.93, 0.98],
        1.00,
    );
}

/// The twentieth session's batches (`tests/eval/probes15.jsonl`): regulatory notices of products
/// no alias names, media and advice texts, recall round-ups in four formats, English recalls,
/// complaints beside service disputes, standards, failed items of other families, incidents and a
/// last mixed batch, labelled before the analyzer first read them. Floors at what it measures now (in-sample).
#[test]
fn recall_roundups_media_and_unnamed_products_hold() {
    hold_probe_set(
        PROBES15,
        "tests/eval/probes15.jsonl",
        128,
        [0.89, 0.96, 0.97],
        1.00,
    );
}

/// The twenty-first session's batches (`tests/eval/probes16.jsonl`): English market-surveillance
/// rounds and test purchases (failed, short of a claim, none failed), English recalls of
/// products no alias names, media and advice texts (incidents, tips, a demonstration, a debunk,
/// a court case, privacy intrusions, a complaint) and city, county, Taiwan and Hong Kong notices
/// of failed items, labelled before the analyzer first read them. Floors at what it measures now (in-sample).
#[test]
fn english_test_rounds_hold() {
    hold_probe_set(
        PROBES16,
        "tests/eval/probes16.jsonl",
        54,
        [0.96, 0.96, 0.99],
        1.00,
    );
}

/// Standards (`tests/eval/probes17.jsonl`, twenty-first session): English ones of five
/// regulators, Chinese and Taiwan's, a voluntary one and an explainer, labelled before the analyzer
/// first read them. First run 0.889 / 0.571 / 0.769 / 0.700; floors at what it measures now
/// (in-sample).
#[test]
fn standards_of_five_regulators_hold() {
    hold_probe_set(
        PROBES17,
        "tests/eval/probes17.jsonl",
        10,
        [0.99, 0.82, 0.99],
        1.00,
    );
}

/// Complaints and media (`tests/eval/probes18.jsonl`, twenty-first session): 12 defects in
/// platform, hotline, forum and first-person wordings beside service disputes (an undelivered
/// order, an installation fee, a refused return), first run 0.880 / 0.588 / 0.800 / 0.750; 12
/// media texts (an incident in an advice piece, statistics, a debunk, a fine, an advert, a Q&A, an
/// incident abroad, a confirmed rumour, market news, a consumer body's warning), first run 0.966 /
/// 0.933 / 1.000 / 0.917. Labelled before the analyzer first read them; floors at what the set
/// measures now (in-sample). Left: a dishwasher's pooling water names no failure the rules know; a
/// swollen earbud case is an explosion by the rules' 鼓包.
#[test]
fn complaints_beside_service_disputes_hold() {
    hold_probe_set(
        PROBES18,
        "tests/eval/probes18.jsonl",
        24,
        [0.87, 0.73, 0.99],
        0.91,
    );
}

/// Places by role in regulatory texts (`tests/eval/probes19.jsonl`, twenty-first session): county
/// and autonomous-prefecture regulators, makers' homes beside the sampling city, a national round
/// counting failed batches by province, a forum's city, a customs office, a recall filed with a
/// provincial regulator, Taipei, Macao, Inner Mongolia, Guangxi and Chongqing. First run 1.000 /
/// 0.952 / 0.833 / 0.917; floors at what it measures now (in-sample). Left: the recall filed with a
/// province's regulator, which a recall's rule leaves unplaced (tc12506).
#[test]
fn places_by_role_in_regulatory_texts_hold() {
    hold_probe_set(
        PROBES19,
        "tests/eval/probes19.jsonl",
        12,
        [0.99, 0.99, 0.95],
        1.00,
    );
}

/// Foreign recalls relayed in Chinese (`tests/eval/probes20.jsonl`, twenty-first session): ten
/// regulators' recalls of products made in China, labelled before the analyzer first read them.
/// First run 0.947 / 0.917 / 1.000 / 1.000; floors at what it measures now (in-sample). Left:
/// children's glow sticks are placed nowhere (tc12601).
#[test]
fn foreign_recalls_relayed_in_chinese_hold() {
    hold_probe_set(
        PROBES20,
        "tests/eval/probes20.jsonl",
        10,
        [0.94, 0.95, 0.99],
        1.00,
    );
}

/// Safety Gate alerts in their field format (`tests/eval/probes21.jsonl`, twenty-first session):
/// category, product, risk type, measures and notifying country, labelled before the analyzer
/// first read them. First run 0.737 / 0.667 / 0.824 / 0.700; floors at what it measures now
/// (in-sample). Left: a car's airbag named with the car is also the airbag part (tc12705); a list
/// of risk types names only its first ("Electric shock, fire": tc12707).
#[test]
fn safety_gate_alerts_in_fields_hold() {
    hold_probe_set(
        PROBES21,
        "tests/eval/probes21.jsonl",
        10,
        [0.85, 0.86, 0.99],
        1.00,
    );
}

/// Longer news texts and signal decisions (`tests/eval/probes22.jsonl`, twenty-first session):
/// six stories of several sentences (a hotline complaint, a national round-up, market news, a
/// fire, a consumer body's test, a video debunked as misuse) and twelve texts that test the
/// signal decision (recall statistics, a pass rate, a warehouse fire, an advert, a tip, a past
/// recall, a drill, a delivery dispute, an all-pass check, an injury video, a standard's
/// anniversary, limiter removal), labelled before the analyzer first read them. First runs 0.909 /
/// 0.857 / 1.000 / 0.833 and 0.857 / 0.667 / 0.000 / 0.750; floors at what it measures now
/// (in-sample). Left: recall statistics name 儿童用品 nowhere (tc12901); a parcel damaged in
/// transit is taken for a defect (tc12908).
#[test]
fn longer_news_and_signal_decisions_hold() {
    hold_probe_set(
        PROBES22,
        "tests/eval/probes22.jsonl",
        18,
        [0.94, 0.95, 0.99],
        0.99,
    );
}

/// Incidents of everyday products (`tests/eval/probes23.jsonl`, twenty-first session): a heat
/// patch, a self-heating meal, a swing, a chest of drawers, a shower door, a curtain cord, a power
/// bank on a flight, a trampoline, a pacifier, an e-cigarette; labelled before the analyzer first
/// read them. First run 0.947 / 0.750 / 1.000 / 1.000; floors at what it measures now
/// (in-sample). Left: a swing is placed nowhere; a shower door's glass that bursts is an
/// explosion by the rules' 自爆; a pacifier's part nearly swallowed is swallowing, not choking.
#[test]
fn incidents_of_everyday_products_hold() {
    hold_probe_set(
        PROBES23,
        "tests/eval/probes23.jsonl",
        10,
        [0.94, 0.79, 0.99],
        1.00,
    );
}

/// Recalls of products no alias names (`tests/eval/probes24.jsonl`, twenty-first session), in
/// the frames a notice uses (召回部分…, 对…实施召回, 本次召回涉及…, Taiwan's and Hong Kong's
/// 回收), labelled before the analyzer first read them. First run 0.762 / 0.917 / 0.667 / 1.000;
/// floors at what it measures now (in-sample). Left: a pencil case's magnet is also a magnetic
/// toy (tc13106); a flosser is an appliance, not a toothbrush (tc13108).
#[test]
fn recalls_of_unnamed_products_hold() {
    hold_probe_set(
        PROBES24,
        "tests/eval/probes24.jsonl",
        10,
        [0.85, 0.91, 0.99],
        1.00,
    );
}

/// Quality complaints with no hazard word (`tests/eval/probes25.jsonl`, twenty-first session):
/// soles that come unglued, dye that runs, a noisy air conditioner, a robot that stops charging,
/// seams that split, a kettle that seeps, a warped wardrobe door, pilling bedding, a late parcel,
/// a television's bright spots; labelled before the analyzer first read them. First run 1.000 /
/// 0.500 / 0.667 / 0.700; floors at what it measures now (in-sample). Left: a school bag's strap
/// that snaps is a mechanical hazard by the rules' 断裂 (tc13205).
#[test]
fn quality_complaints_without_hazard_words_hold() {
    hold_probe_set(
        PROBES25,
        "tests/eval/probes25.jsonl",
        10,
        [0.99, 0.79, 0.99],
        1.00,
    );
}

/// Regulatory texts of the twenty-second session (`tests/eval/probes26.jsonl`): 20 notices
/// (national, county, Hong Kong, Taiwan and Macao rounds, standards, an interview of platforms,
/// tips and explainers), 20 recalls (filed with the regulator, by platforms, relayed from Canada,
/// Australia, the EU, Japan and Korea) and 20 inspection records and tables; labelled before the
/// analyzer first read them. First runs 0.963 / 0.952 / 1.000 / 1.000, 0.878 / 0.837 / 0.941 /
/// 0.950 and 0.935 / 0.881 / 1.000 / 0.950; floors at what it measures now (in-sample). Left: a
/// round's class title beside its products (电子电器, tc13301), a fall that is the helmet's
/// circumstance (tc13407), LED string lights read as lamps (tc13409).
#[test]
fn regulatory_notices_recalls_and_records_hold() {
    hold_probe_set(
        PROBES26,
        "tests/eval/probes26.jsonl",
        60,
        [0.96, 0.93, 0.99],
        1.00,
    );
}

/// Mixed genres of the twenty-second session (`tests/eval/probes27.jsonl`): a consumer Q&A, a
/// court case, a consumer body's case report, a hotel kettle, a shared power bank, a nursery's
/// blocks, an advert, market statistics, a rental e-bike's brakes, a massage chair, a
/// second-hand laptop, a corridor fire, school uniforms, a gas tip, a swallowed button cell, a
/// tracking watch, a denial, a sun-protective shirt; labelled before the analyzer first read them.
/// First run 0.927 / 0.800 / 1.000 / 0.900 (no text names a province: any province found is a miss);
/// floors at what it measures now
/// (in-sample). Left: the Q&A's question is read as the answer's advice (tc13601), a kettle's
/// grime is no foreign matter to the rules (tc13605).
#[test]
fn media_complaints_and_incidents_of_the_22nd_session_hold() {
    hold_probe_set(
        PROBES27,
        "tests/eval/probes27.jsonl",
        20,
        [0.97, 0.88, 0.99],
        0.95,
    );
}

/// Traditional-script texts of the twenty-second session (`tests/eval/probes28.jsonl`): Taiwan's
/// inspections, standards, recalls and incidents, Hong Kong's council tests, customs seizures,
/// safety warnings and complaints, Macao's masks; labelled before the analyzer first read them.
/// First run 0.923 / 0.762 / 0.933 / 0.950; floors at what it measures now (in-sample). Left: a
/// claim a mask's filtration falls short of (tc13708), a washer that walks (tc13713), Taiwan named
/// only as 在台 (tc13718).
#[test]
fn traditional_script_texts_of_the_22nd_session_hold() {
    hold_probe_set(
        PROBES28,
        "tests/eval/probes28.jsonl",
        20,
        [0.94, 0.83, 0.93],
        1.00,
    );
}

/// Enforcement and warnings of the twenty-second session (`tests/eval/probes29.jsonl`): penalty
/// decisions, risk and consumer warnings with and without findings, defect clues, interviews of
/// platforms, customs at import and export, a consumer council's test, a recall on a regulator's
/// request, recall statistics, a drill; labelled before the analyzer first read them. First run
/// 0.864 / 0.895 / 1.000 / 0.800; floors at what it measures now (in-sample). Left: cylinders
/// overdue for inspection name no hazard (tc13819), a drill's battery is the e-bike's (tc13820).
#[test]
fn enforcement_and_warnings_of_the_22nd_session_hold() {
    hold_probe_set(
        PROBES29,
        "tests/eval/probes29.jsonl",
        20,
        [0.95, 0.97, 0.99],
        0.95,
    );
}

/// Foreign recalls of the twenty-second session (`tests/eval/probes30.jsonl`): ten in English
/// (CPSC, Health Canada, the ACCC: power stations, sleeping bags, an activity cube, kettles, solar
/// lights, dressers, ceiling fans, bath seats, e-bike batteries, a straightener) and ten relayed in
/// Chinese (the US, Australia, Canada, the EU, New Zealand, Korea, Japan, the UK); labelled before
/// the analyzer first read them. First run 0.850 / 0.917 / 1.000 / 1.000; floors at what it
/// measures now (in-sample). Left: furniture's entrapment (tc13906).
#[test]
fn foreign_recalls_of_the_22nd_session_hold() {
    hold_probe_set(
        PROBES30,
        "tests/eval/probes30.jsonl",
        20,
        [0.99, 0.97, 0.99],
        1.00,
    );
}

/// Regulatory texts of the twenty-third session (`tests/eval/probes31.jsonl`): provincial, city
/// and national notices of products with no alias or with a group fallback (lunch boxes, egg
/// boilers, blender cups, game pads, baby carriers), Taiwan's and Hong Kong's tests, EU and Canadian
/// alerts, recalls, an enforcement raid, standards, a CO poisoning, tips and a service dispute;
/// labelled before the analyzer first read them. First run 0.919 / 0.976 / 0.920 / 1.000 (five
/// labels since set to the taxonomy and to real-text practice, `tests/eval/README.md`); floors at
/// what it measures now (in-sample). Left: a magnetic tile set read as a toy too (tc14007), a
/// standard's water-temperature cap as a scald hazard (tc14008).
#[test]
fn regulatory_texts_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES31,
        "tests/eval/probes31.jsonl",
        30,
        [0.97, 0.98, 0.99],
        1.00,
    );
}

/// Failed items as notices write them (`tests/eval/probes32.jsonl`, twenty-third session): flame
/// failure devices and name plates, plasticisers, fibre content against the label, extinguishers'
/// discharge, smoke alarms' thresholds, furniture's formaldehyde and stability, garments' cords and
/// buttons, Taiwan's kettles and scooters, Hong Kong's battery boxes, fake makers' names, false
/// certificates, nappies' leakage and bacteria, ceramics' lead, cosmetics' mercury, e-bikes' speed,
/// child seats' dynamic test, compass points, filed and foreign recalls, a battery standard, an
/// explainer, a council's cots, an all-pass round, tyres, a complaint over steel grade and a market
/// report; labelled before the analyzer first read them. First run 0.918 / 0.882 / 0.981 / 0.967
/// (four labels since set to the taxonomy and to the rules' documented conventions,
/// `tests/eval/README.md`); floors at what it measures now (in-sample). Left: board furniture read
/// as wooden (tc14106), an undeclared steroid as a marking failure (tc14114), a bicycle's snapped
/// stem as a fall (tc14118), a charger dropped as a fall (tc14120).
#[test]
fn failed_items_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES32,
        "tests/eval/probes32.jsonl",
        30,
        [0.96, 0.96, 0.99],
        1.00,
    );
}

/// Media, advice, incidents and complaints (`tests/eval/probes33.jsonl`, twenty-third session):
/// fifteen reports (a garage battery fire, a child's swallowed cell, a CO poisoning, a Taiwan
/// balance-board fire, a camera watched by strangers, a hood cord, a failing car, a Hong Kong power
/// strip, a hand warmer that burst, complaints of a kettle, a dishwasher, a face mask, a cot and
/// fake down) and fifteen that report nothing (explainers, lessons, tips, a flight rule, sales and
/// output figures, a drill, a service dispute, a debunked video); labelled before the analyzer
/// first read them. First run 0.903 / 0.780 / 0.900 / 0.767 (three labels since set to the own
/// files' scoring and to real-text practice, `tests/eval/README.md`); floors at what it measures
/// now (in-sample; fake down told by a claim and a measure in two clauses, tc14227, read since the
/// twenty-fourth session). Left: a debunked video (tc14230), a child's coat (tc14216), a cot read
/// as a bed (tc14221).
#[test]
fn media_and_advice_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES33,
        "tests/eval/probes33.jsonl",
        30,
        [0.90, 0.94, 0.99],
        0.96,
    );
}

/// Results as the press and consumer bodies tell them (`tests/eval/probes34.jsonl`, twenty-third
/// session): councils' comparative tests (watches, power banks, pens, purifiers, desks, sandals,
/// kettles, flasks, chargers, masks, nappies, lamps), papers relaying a regulator's round ("湖北日报
/// 记者从省市场监管局获悉"), undercover buys, foreign tests (Korea, Australia, the US), standards
/// (a revised mandatory one, a draft, an EU notification to the WTO, an industry standard, an
/// explainer); labelled before the analyzer first read them. First run 0.820 / 0.841 / 0.776 /
/// 0.933 (four labels since set to the own files' scoring and to the real-text README,
/// `tests/eval/README.md`); floors at what it measures now (in-sample). Left: a product inside a
/// cited foreign standard (tc14303), claims against measures as fakes (tc14302, tc14304), a seat
/// belt's buckle read as the car (tc14315), a charger sold by an e-bike shop (tc14321).
#[test]
fn press_and_council_results_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES34,
        "tests/eval/probes34.jsonl",
        30,
        [0.87, 0.89, 0.99],
        1.00,
    );
}

/// Rounds of several products and structured notices (`tests/eval/probes35.jsonl`, twenty-third
/// session): provincial and city rounds naming two to four products each (electrical goods, home
/// and building materials, infant goods, helmets, batteries, gas fittings, textiles, e-bikes,
/// kitchen appliances, eyewear, fire products, hygiene goods, car supplies, furniture, small
/// appliances, cosmetics, food-contact ware, fitness), customs, a risk warning, an e-commerce
/// monitoring round, a defect centre's fields, Taiwan's, Hong Kong's, US and UK recalls, a fake
/// maker and an all-pass check; labelled before the analyzer first read them. First run 0.910 /
/// 0.923 / 0.966 / 1.000 (four labels since set to the taxonomy and the own files' scoring,
/// `tests/eval/README.md`); floors at what it measures now (in-sample). Left: a steel hose beside a
/// regulator (tc14414), an e-bike's charger in a list (tc14416), a class named with its members
/// (tc14420), fire products' emergency lamps (tc14419), an electronics class (tc14409).
#[test]
fn multi_product_rounds_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES35,
        "tests/eval/probes35.jsonl",
        30,
        [0.95, 0.97, 0.98],
        1.00,
    );
}

/// Taiwan, Hong Kong, Macao and abroad (`tests/eval/probes36.jsonl`, twenty-third session): the
/// standards bureau's and the consumer foundation's tests, customs, the consumer council, the
/// electrical safety office, Macao's masks, recalls relayed from the US, Canada, Australia,
/// Singapore, Japan, Korea, the UK and Germany, a Malaysian raid, a gazetted regulation, a new
/// mandatory inspection, incidents in Taichung, Tseung Kwan O and Kaohsiung, tips and an old US
/// standard; labelled before the analyzer first read them. First run 0.885 / 0.862 / 0.857 /
/// 0.933 (five labels since set to the taxonomy and the own files' scoring,
/// `tests/eval/README.md`); floors at what it measures now (in-sample). Left: a mandatory
/// inspection announced (tc14516), a child's hooded top in a list (tc14515), an e-bike's battery
/// fire (tc14519), an old standard explained (tc14530), mercury relayed with a warning (tc14511).
#[test]
fn across_the_strait_and_abroad_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES36,
        "tests/eval/probes36.jsonl",
        30,
        [0.95, 0.86, 0.96],
        0.93,
    );
}

/// Recalls of the twenty-third session (`tests/eval/probes37.jsonl`): makers' recalls of products
/// with and without an alias (an ice maker in fields, a teether, a hot-water bag, a dresser, a
/// pram, a mouse, a climbing harness, a floor lamp, bunk beds, a plug-in hybrid, a scooter, an
/// e-scooter, candles, an e-bike, a hand blender, a tap), US, Canadian and Australian recalls and
/// a Taiwan one; labelled before the analyzer first read them. First run 0.800 / 0.884 / 0.462 /
/// 1.000 (the provinces figure chiefly my labels' 全国 for makers' recalls that name no body, which
/// the real labels give only some of; corrections in `tests/eval/README.md`); floors at what it
/// measures now (in-sample). Left: a teether no rule names (tc14602), a dresser's crush as a pinch
/// (tc14604), a charger in a circumstance (tc14616), a sleeping bag (tc14617), shards in food
/// (tc14618).
#[test]
fn recalls_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES37,
        "tests/eval/probes37.jsonl",
        20,
        [0.89, 0.92, 0.99],
        1.00,
    );
}

/// Complaints of the twenty-third session (`tests/eval/probes38.jsonl`): ten about a product's
/// defect (a kettle's smell, a swelling power bank, an e-bike's brakes, sandals, a water heater, a
/// nappy, an electric blanket, a gas hose, a fitness band, a flask, a toy gun) beside ten service
/// disputes (delivery, carrying fees, coupons, trial returns, auto-renewal, bundled sales, a closed
/// salon, subsidies, installation fees); labelled before the analyzer first read them. First run
/// 0.919 / 0.800 / 1.000 / 0.950, one dispute taken (a coupon that would not work); floors at what
/// it measures now (in-sample). Left: a car bought with a bundle (tc14712), a purifier-dispenser no
/// rule names (tc14720), a band's heat read as a fire (tc14716).
#[test]
fn complaints_of_the_23rd_session_hold() {
    hold_probe_set(
        PROBES38,
        "tests/eval/probes38.jsonl",
        20,
        [0.94, 0.95, 0.99],
        1.00,
    );
}

/// Fakes and unknown products of the twenty-fourth session (`tests/eval/probes39.jsonl`): ten texts
/// telling a fake in its many words (a misused CCC mark, a maker that does not exist, a refurbished
/// set sold as new, no licence, a 三无 toy, wool that is not wool, a seized counterfeit, an advice
/// text on fakes), ten results on products no alias holds (a hand dryer, a walkie-talkie, a baby
/// carrier, a pet dryer, a curtain motor, heat packs, baby baths, a learning tablet) and ten of
/// mixed genres (explainers, a privacy incident, a fire drill, Taiwan, Hong Kong, a council's
/// test); labelled before the analyzer first read them. First run 0.923 / 0.885 / 0.923 / 0.900;
/// floors at what it measures now (in-sample). Left: a nameplate that differs read as a marking
/// fault (tc14809), a strap's strength
/// beside the fall it leads to (tc14813), a curtain motor's curtain (tc14816), a learning tablet
/// (tc14819), a drop test named as the circumstance (tc14830).
#[test]
fn fakes_and_unknown_products_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES39,
        "tests/eval/probes39.jsonl",
        30,
        [0.95, 0.92, 0.99],
        0.99,
    );
}

/// Rounds of the twenty-fourth session (`tests/eval/probes40.jsonl`): sampling results on the
/// products a round names in its own ways (masks of two kinds, disposable tableware, school bags
/// and stationery, gas stoves and their hoses, heaters, lithium cells, magnetic toys, helmets, a
/// city's whole year, fire products, furniture, a kitchen round, paper cups, prams, tableware, down
/// coats) and advice beside them; labelled before the analyzer first read them. First run 0.940 /
/// 0.928 / 1.000 / 0.967; floors at what it measures now (in-sample). Left: a mask's breathing
/// resistance (tc14902), a pass rate under 100 % for a second product (tc14906), a leak as a blast
/// too (tc14908), a reporter's test read as a demonstration (tc14918), an e-bike battery after 购买
/// (tc14929).
#[test]
fn rounds_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES40,
        "tests/eval/probes40.jsonl",
        30,
        [0.97, 0.92, 0.99],
        0.96,
    );
}

/// Media and advice of the twenty-fourth session (`tests/eval/probes41.jsonl`): half report
/// something that happened to a product (a charger's sparks, a pram's brakes, a robot's leaked
/// pictures, a court's finding on a massage chair, a trampoline net, a pan's coating in the food,
/// a heater's fire, watches anyone can call, earphones short of their battery life, a pressure
/// cooker's lid, a shoe's heel, a nappy's rash, a child's chair, a lock that lets anyone try, a
/// water heater's leak, a car losing power), half advise, demonstrate, review, survey or explain;
/// labelled before the analyzer first read them. First run 0.889 / 0.897 / 1.000 / 0.900; floors
/// at what it measures now (in-sample). Left: a lock's missing alarm told as a worry (tc15026), a
/// pillow in a simulated test (tc15027), clothes in buying advice (tc15029).
#[test]
fn media_and_advice_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES41,
        "tests/eval/probes41.jsonl",
        30,
        [0.96, 0.96, 0.99],
        0.96,
    );
}

/// Standards, recalls and structured notices of the twenty-fourth session
/// (`tests/eval/probes42.jsonl`): mandatory standards issued, revised, drafted and coming into
/// force beside voluntary, local and explained ones and statistics; recalls filed nationally, a
/// car maker's, a numbered round-up, US, Canadian, Australian, EU and Japanese ones; tables and
/// fields of failed items; Hong Kong, Macao, Taiwan, provincial, city, e-commerce and customs
/// results; labelled before the analyzer first read them. First run 0.958 / 1.000 / 0.971 / 1.000;
/// floors at what it measures now (in-sample). Left: a baby rocker as furniture (tc15113); a
/// cup's straw read as a product of its own (tc15111) went at the thirty-second session, when a
/// straw beside a cup became its part.
#[test]
fn standards_and_recalls_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES42,
        "tests/eval/probes42.jsonl",
        30,
        [0.97, 0.99, 0.99],
        0.99,
    );
}

/// Recalls of several products of the twenty-fourth session (`tests/eval/probes43.jsonl`): weekly
/// and monthly round-ups, EU, US, Australian, Canadian, Japanese, UK and Korean lists, a maker's
/// two or three products in one notice, fields naming two products, a product and its accessory;
/// labelled before the analyzer first read them. First run 0.932 / 0.783 / 0.941 / 0.950; floors at
/// what it measures now (in-sample). Left: a scooter's stem that snaps read as 机械伤害 by the
/// taxonomy's wording (tc15201), a month's recall statistics (tc15202), 电器 as a class
/// (tc15203), a battery of the same model (tc15213), knee pads and a helmet's collision (tc15214);
/// a company's trade before 企业 (tc15206, tc15212) is read since probes47, where 某 marks it.
#[test]
fn multi_product_recalls_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES43,
        "tests/eval/probes43.jsonl",
        20,
        [0.96, 0.88, 0.94],
        0.95,
    );
}

/// Long notices of the twenty-fourth session (`tests/eval/probes44.jsonl`): fifteen texts of a
/// notice's length and parts (a quarter's report in sections, a city's children's round, a paper's
/// report of a gas check, a maker's letter, a province's electronics round, a standard with its
/// transition, readers' letters, a council's cup test, an e-bike maker's filed recall, a result's
/// fields, a fire brigade's year, a market raid, a campaign notice, a camera test, a complaint's
/// sampling); labelled before the analyzer first read them. First run 0.815 / 0.745 / 0.667 /
/// 1.000; floors at what it measures now (in-sample). Left: a round's own name as a product class
/// (tc15305), a standard's named requirements (tc15306), a burning smell told before the heat
/// (tc15307), a child's cup (tc15308), e-bike parts in a fire brigade's advice (tc15311), 开关插座
/// as one product (tc15312), a bare 电池 (tc15313).
#[test]
fn long_notices_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES44,
        "tests/eval/probes44.jsonl",
        15,
        [0.87, 0.78, 0.99],
        0.99,
    );
}

/// Long stories of the twenty-fourth session (`tests/eval/probes45.jsonl`): fifteen texts of a
/// story's length (a platform complaint's fields, a gas blast, a Canadian recall's parts, a floor's
/// formaldehyde, a burns ward's winter, a Hong Kong fryer test, blue-light glasses, a pram's axle, a
/// microwaved egg, a filed cot recall, a fire-safety fair, a robot's camera, an e-bike shop raid, a
/// shedding towel, a risk warning); labelled before the analyzer first read them. First run 0.909 /
/// 0.800 / 1.000 / 0.867; floors at what it measures now (in-sample). Left: a child's electric
/// toothbrush (tc15403), a claim and its measure across clauses (tc15407), an egg's burst
/// (tc15409), a cot's gap (tc15410), a robot that steers itself (tc15412).
#[test]
fn long_stories_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES45,
        "tests/eval/probes45.jsonl",
        15,
        [0.93, 0.85, 0.99],
        0.93,
    );
}

/// The twenty-fourth session's last batch (`tests/eval/probes46.jsonl`), written after every
/// change of the session and **not tuned on**: twenty texts of all genres (stationery, an ice
/// machine's shock, a heated eye mask, a steamer recall, advice, prams, customs, a US recall, a TV,
/// trade news, power strips, shoes, shared power banks, Taiwan's raincoats, a risk warning, slime,
/// charging posts, a toilet seat, an EU alert, gas regulators), labelled before their only run:
/// 0.923 / 0.765 / 0.857 / 0.850, the session's honest estimate on text it was not tuned to. The
/// floors are that run, the hazards' raised to 0.833 when the thirty-second session's rules (not
/// made from it) read a suspected harmful substance as chemical; what it misses (a customs
/// seizure of fakes, a risk warning's hedged fire, exposed wiring, an eye mask's blister) is left
/// for the next session to read as a batch.
#[test]
fn untuned_batch_of_the_24th_session_holds() {
    hold_probe_set(
        PROBES46,
        "tests/eval/probes46.jsonl",
        20,
        [0.92, 0.83, 0.85],
        0.85,
    );
}

/// Recall round-ups of the twenty-fourth session (`tests/eval/probes47.jsonl`), written after
/// probes46 in formats probes43 had not tried (a table of recalls, a monthly report, Hong Kong
/// customs in traditional script, two makers' notices in one, a US list, a retailer's two
/// products, a set of three, an Australian month, a platform's notice, a filed recall with its
/// flue); labelled before the analyzer first read them. First run 0.867 / 0.968 / 0.889 / 1.000
/// (two labels since set: a child's vacuum flask is 不锈钢真空保温容器 by the real texts' alias
/// notes, and a recalled set is each product in it); floors at what it measures now (in-sample).
/// Left: 文体用品 and a monthly report's scope (tc15602); a flask's straw read as a product of
/// its own (tc15601) went at the thirty-second session.
#[test]
fn recall_round_ups_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES47,
        "tests/eval/probes47.jsonl",
        10,
        [0.98, 0.96, 0.88],
        0.99,
    );
}

/// Traditional-script texts of the twenty-fourth session (`tests/eval/probes48.jsonl`), written at
/// its end: Hong Kong's council, customs and electrical office, Taiwan's bureau, press and consumer
/// foundation, Macao's council, a post; labelled before their only run, **not tuned on**. First
/// run 1.000 / 1.000 / 1.000 / 1.000; the floors keep it.
#[test]
fn traditional_script_texts_of_the_24th_session_hold() {
    hold_probe_set(
        PROBES48,
        "tests/eval/probes48.jsonl",
        10,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Texts of the twenty-fifth session (`tests/eval/probes49.jsonl`): recalls naming several
/// products (a maker's three, a Canadian and an EU round-up whose clauses each open on 一款 or a
/// member state, a field list, a US list in English, a Taiwan notice, a monthly round-up), long
/// and tabled inspection notices, media (an incident, a tip, a demonstration, an explainer),
/// complaints (quality and service), a new standard and an all-pass check; labelled before the
/// analyzer first read them. First run 0.953 / 0.925 / 0.960 / 0.950; one label since set by
/// the real texts' practice (a fire's burn injury is 烫伤/烧伤 too). Floors at what it measures
/// now (in-sample). Left: an e-bike named only beside its battery and in a tip (tc16012), a
/// kettle's leak beside sparks as a shock (tc16018).
#[test]
fn round_ups_and_long_notices_of_the_25th_session_hold() {
    hold_probe_set(
        PROBES49,
        "tests/eval/probes49.jsonl",
        20,
        [0.98, 0.98, 0.99],
        0.99,
    );
}

/// Texts of all genres written at the twenty-fifth session's start (`tests/eval/probes50.jsonl`)
/// and run once, at its end, after every change of the session: **not tuned on**. First run
/// 0.857 / 0.914 / 1.000 / 0.950; the floors keep it. One change followed, because the own
/// complaints' dispute ceiling failed on it: goods damaged in transit are the carrier's matter
/// (0.857 / 0.941 / 1.000 / 1.000 since). The twenty-sixth session fixed two more as general
/// rules (a device something is seen on, "手机上收到", gives way to the product; a dry boil
/// without cut-off is a fire): 0.898 / 0.971 / 1.000 / 1.000. Left so it keeps measuring text
/// the rules were not fitted to: a flame-failure device named beside the stove it is part of, a
/// helmet tip's e-bike, an English gas heater, a nameplate beside a fake.
#[test]
fn untuned_batch_of_the_25th_session_holds() {
    hold_probe_set(
        PROBES50,
        "tests/eval/probes50.jsonl",
        20,
        [0.85, 0.91, 0.99],
        0.95,
    );
}

/// Texts of the twenty-fifth session aimed at the held-out aggregate's error classes
/// (`tests/eval/probes51.jsonl`): rounds told in media words, fakes and certificates, claims
/// measured short, alarms that stay silent, products only a group fallback holds (a baby's
/// travel cot, a bath tub, electric towel rails, curtain motors), a customs check, an
/// explainer of a standard long in force, a complaint of missing labels, function faults;
/// labelled before the analyzer first read them. First run 0.909 / 0.756 / 0.923 / 0.850; one
/// label since set by the own set's convention (a battery that swells is 爆炸, as
/// `labelled.jsonl` c001 and the taxonomy's 鼓包后爆开). Floors at what it measures now
/// (in-sample). Left: an alarm's silence beside the poisoning it leads to (tc16204, kept as its
/// cause), an e-bike beside its battery in a standard (tc16208), 三无 after 担心 (tc16210), a
/// sunscreen's factor short of its label read as a fake, not as a function (tc16219).
#[test]
fn held_out_error_classes_of_the_25th_session_hold() {
    hold_probe_set(
        PROBES51,
        "tests/eval/probes51.jsonl",
        20,
        [0.97, 0.95, 0.99],
        0.99,
    );
}

/// Hazards in many words, the twenty-fifth session (`tests/eval/probes52.jsonl`): every hazard
/// of the taxonomy told as a failed item, a consequence, an injury or a complaint, in inspection
/// notices, recalls (one in English), incidents, complaints and a tip; labelled before the
/// analyzer first read them. First run 0.976 / 0.923 / 1.000 / 1.000; floors at what it measures
/// now (in-sample). Left: a crib's head trap also read as suffocation and a fall (tc16313), an
/// e-bike beside its battery in a tip (tc16319; the battery refines the bike where both stand,
/// which the real files keep: keeping both lowered all three of them).
#[test]
fn hazards_in_many_words_of_the_25th_session_hold() {
    hold_probe_set(
        PROBES52,
        "tests/eval/probes52.jsonl",
        20,
        [0.97, 0.96, 0.99],
        0.99,
    );
}

/// Long texts of the twenty-fifth session (`tests/eval/probes53.jsonl`), 300–600 characters
/// as the real files' are: a province's notice with five products and their items, a recall with
/// its scope and remedy, a fire story with its cause and the brigade's advice, a complaint with
/// its parts, a revised standard's three changes, a Taiwan recall, a council's comparison test,
/// a US recall in English; labelled before the analyzer first read them. First run 0.960 /
/// 0.810 / 0.909 / 1.000; floors at what it measures now (in-sample). Left: a small maker's
/// recall filed with the national regulator read as nationwide (tc16402; the real files label
/// such recalls both ways, by maker), a washer that shakes read as unnamed (tc16404), a
/// standard's hose and glass (tc16405), a kettle's structure item beside the scald it leads to
/// (tc16407).
#[test]
fn long_texts_of_the_25th_session_hold() {
    hold_probe_set(
        PROBES53,
        "tests/eval/probes53.jsonl",
        8,
        [0.95, 0.88, 0.90],
        0.99,
    );
}

/// The twenty-sixth session's batch aimed at the held-out aggregate's error classes
/// (`tests/eval/probes54.jsonl`): recalls naming several appliances under a class word, a
/// customs notice from Hong Kong, a Taiwan and a Japanese recall, an EU alert, notices whose
/// failed items are the only hazard words, a ministry's new rules, fakes, a lock that fails;
/// labelled before the analyzer first read them. First run 0.717 / 0.880 / 0.963 / 0.950 as
/// written, 0.764 / 0.880 / 1.000 / 0.950 with three labels set by the written conventions
/// (`tests/eval/README.md`); floors at what it measures now (in-sample). Left: a child's
/// learning machine read as a tablet (tc16502), a
/// dashcam read as a car part (tc16503), a skipping rope and a yoga mat (tc16515).
#[test]
fn the_26th_sessions_held_out_classes_hold() {
    hold_probe_set(
        PROBES54,
        "tests/eval/probes54.jsonl",
        20,
        [0.92, 0.99, 0.99],
        0.99,
    );
}

/// The twenty-sixth session's second batch at the held-out error classes
/// (`tests/eval/probes56.jsonl`): monitoring rounds not called 抽查, standards and certification
/// notices, forged marks, missing Chinese labels, poisoning told by its gas, extinguishers,
/// customs, foreign recalls; labelled before the analyzer first read them. First run 0.933 /
/// 0.735 / 0.909 / 0.900; floors at what it measures now (in-sample). Left: an extinguisher's
/// failure read as a fire too (tc16707), a German maker's EU-wide recall placed in the EU
/// (tc16708), a child seat's webbing read as a failure and a cut (tc16709), a self-heating
/// hotpot's heating pack read as a pot (tc16712).
#[test]
fn the_26th_sessions_second_batch_holds() {
    hold_probe_set(
        PROBES56,
        "tests/eval/probes56.jsonl",
        20,
        [0.95, 0.90, 0.90],
        0.99,
    );
}

/// Recalls naming several products or a product and what came with it
/// (`tests/eval/probes57.jsonl`), the held-out aggregate's largest class of category misses:
/// lists after 召回以下产品, parts after 其配套, Canadian, US, Japanese, EU and Safety Gate notices;
/// labelled before the analyzer first read them. First run 0.615 / 0.920 / 0.833 / 1.000 as
/// written, 0.667 / 0.920 / 0.833 / 1.000 with three labels set by the written conventions
/// (`tests/eval/README.md`); floors at what it measures now (in-sample). Left: a car phone
/// holder read as an electronic product (tc16803), an adapter's drop and crack read as a fall and
/// a cut (tc16806), a pot that tips read as a fall (tc16809), a pram's rain cover and a mosquito
/// net (tc16811), the maker's province of a recall (tc16815).
#[test]
fn the_26th_sessions_multi_product_recalls_hold() {
    hold_probe_set(
        PROBES57,
        "tests/eval/probes57.jsonl",
        15,
        [0.84, 0.93, 0.83],
        0.99,
    );
}

/// Inspections and standards told as news, with headlines (`tests/eval/probes58.jsonl`): the
/// held-out signal errors are notices read as media. Labelled before the analyzer first read
/// them; first run 1.000 / 0.800 / 0.889 / 1.000 (every signal right). Floors at what it
/// measures now (in-sample). Left: a child seat's crash injury read as a cut, not a crash
/// (tc16901), swallowed small parts read as swallowing too (tc16905), a mask's protection grade
/// short of its claim read as a failure too (tc16911), furniture that falls and crushes read as
/// a cut too (tc16912).
#[test]
fn the_26th_sessions_notices_told_as_news_hold() {
    hold_probe_set(
        PROBES58,
        "tests/eval/probes58.jsonl",
        12,
        [0.99, 0.79, 0.99],
        0.99,
    );
}

/// Fakes, marks, poisoning and unnamed risks in notices, recalls and complaints
/// (`tests/eval/probes59.jsonl`), the held-out aggregate's hazard misses; labelled before the
/// analyzer first read them. First run 0.900 / 0.818 / 1.000 / 0.900; floors at what it
/// measures now (in-sample). Left: a switch named after a shop's sales read as no product
/// (tc17001), a mislabelled heater's carbon monoxide told after 一旦 (tc17002), 彩泥 in a list
/// closed by 等玩具 read as stationery (tc17004), buttons' pull strength read as choking only
/// (tc17007).
#[test]
fn the_26th_sessions_fakes_and_marks_hold() {
    hold_probe_set(
        PROBES59,
        "tests/eval/probes59.jsonl",
        10,
        [0.89, 0.95, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written at the twenty-seventh session's start and scored before any
/// change of it (`tests/eval/probes60.jsonl`): **not tuned on**. First run 1.000 / 0.957 / 1.000
/// / 1.000 as written; 1.000 / 1.000 / 1.000 / 1.000 with one label set by the written convention
/// that a content unlike its label is sold short (tc17111, hazards.toml 假冒伪劣). Floors at that run.
#[test]
fn the_27th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES60,
        "tests/eval/probes60.jsonl",
        12,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Regulatory texts at the held-out aggregate's error classes (`tests/eval/probes61.jsonl`):
/// customs checks told in plain words, alarms that stay silent, radio devices without type
/// approval, certification made compulsory as news; labelled before the analyzer first read
/// them. First run 0.688 / 0.842 / 0.833 / 0.750 as written (five labels then set by the
/// taxonomy's names and the written conventions, `tests/eval/README.md`); floors at what it
/// measures now (in-sample).
#[test]
fn the_27th_sessions_plain_word_checks_hold() {
    hold_probe_set(
        PROBES61,
        "tests/eval/probes61.jsonl",
        16,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Products no alias names beside known ones (`tests/eval/probes62.jsonl`): test rounds' objects,
/// list members jieba cuts into characters, a product's own parts and accessories, products a
/// recall leaves out. First run 0.717 / 0.733 / 0.667 / 0.929 as written, 0.836 / 0.774 / 0.667 /
/// 0.929 with four labels set by the taxonomy and the rules' clause table; floors at what it
/// measures now (in-sample). Left: a replacement head listed after a child's electric
/// toothbrush read as a grown-up's brush (tc17312), a swollen cell read as an explosion as the
/// rules' 鼓包 says (tc17309).
#[test]
fn the_27th_sessions_unnamed_products_hold() {
    hold_probe_set(
        PROBES62,
        "tests/eval/probes62.jsonl",
        14,
        [0.97, 0.96, 0.99],
        0.99,
    );
}

/// In-scope products beside words of food, medicine and medical devices, and notices of Taiwan,
/// Hong Kong and Macau (`tests/eval/probes63.jsonl`). First run 0.533 / 0.480 / 0.857 / 0.714 as
/// written, 0.667 on categories with three labels set by the taxonomy's names; floors at what it
/// measures now (in-sample). Left: a massage shawl sold with a cure claim (tc17403), a silicone
/// weaning spoon named after 辅食 (tc17404), a detergent told through the clothes it washed
/// (tc17412). A heated knee pad read as sports gear (tc17409) is placed as an appliance since the
/// twenty-ninth session (0.897 on categories).
#[test]
fn the_27th_sessions_scope_words_hold() {
    hold_probe_set(
        PROBES63,
        "tests/eval/probes63.jsonl",
        14,
        [0.89, 0.82, 0.99],
        0.85,
    );
}

/// Places by their role in national rounds, foreign alerts and notices of Taiwan, Hong Kong and
/// Macau (`tests/eval/probes64.jsonl`). First run 0.833 / 0.833 / 1.000 / 1.000 as written (two
/// labels then set by the taxonomy: 转换器 is its own category, a capacity short of its claim is
/// 功能失效 as 续航虚标); floors at what it measures now (in-sample). Left: a child's glow bracelet
/// found and placed but missing from the categories, which list a notice's named products only
/// (tc17503), a power bank's capacity read as a quality item (tc17511).
#[test]
fn the_27th_sessions_places_hold() {
    hold_probe_set(
        PROBES64,
        "tests/eval/probes64.jsonl",
        12,
        [0.95, 0.91, 0.99],
        0.99,
    );
}

/// Fourteen texts of all genres written at the twenty-eighth session's start and scored before any
/// change (`tests/eval/probes65.jsonl`): **not tuned on**. First run 0.968 / 0.903 / 0.947 / 0.857;
/// two general rules it showed lifted it (a revoked certificate is no retraction, a child's hair
/// clip or hair band is a child's product). Floors at what it measures now. Left: a heater's
/// temperature rise read as a fire beside the burn its notice names (tc17606).
#[test]
fn the_28th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES65,
        "tests/eval/probes65.jsonl",
        14,
        [0.99, 0.96, 0.99],
        0.99,
    );
}

/// Regulatory texts at the held-out aggregate's hazard classes — fakes, poisoning, labels,
/// chemicals, failed functions, quality (`tests/eval/probes66.jsonl`). First run 0.929 / 0.909 /
/// 1.000 / 1.000; floors at what it measures now (in-sample). Left: a car seat's dynamic test read
/// as a loss of control where the label says an injury (tc17712).
#[test]
fn the_28th_sessions_hazard_classes_hold() {
    hold_probe_set(
        PROBES66,
        "tests/eval/probes66.jsonl",
        14,
        [0.99, 0.93, 0.99],
        0.99,
    );
}

/// Media, advice, incidents and complaints — tips, a staged abuse test, an explainer, marketing,
/// privacy incidents of smart products (`tests/eval/probes67.jsonl`). First run 0.903 / 0.588 /
/// 1.000 / 0.857; floors at what it measures now (in-sample). Left: a robot vacuum's complaint
/// told by its symptoms only (tc17806), a swallowed cell's burn inside read as a burn (tc17807),
/// an extinguisher whose use a drill explains listed (tc17810), a non-stick coating flaking into
/// food (tc17811, my own labels are split between chemical and foreign matter on it), a
/// kindergarten slide read as a toy (tc17813).
#[test]
fn the_28th_sessions_media_and_advice_hold() {
    hold_probe_set(
        PROBES67,
        "tests/eval/probes67.jsonl",
        14,
        [0.90, 0.66, 0.99],
        0.92,
    );
}

/// Notices of Taiwan, Hong Kong and Macau in traditional script (`tests/eval/probes68.jsonl`).
/// First run 0.750 / 0.741 / 0.889 / 0.833 as written (one label then set by products.toml and the
/// principal-hazard convention, tc17909); floors at what it measures now (in-sample). Left: a
/// crib's slat gap read as a pinch and a fall beside the entrapment (tc17905), Taiwan's 安全帽 (a
/// helmet there) read as a hard hat (tc17906), a charger brought under Taiwan's inspection list
/// read as a fake (tc17909: the rule tried for it lowered the held-out part), a power bank's short
/// capacity read as unnamed (tc17910).
#[test]
fn the_28th_sessions_traditional_notices_hold() {
    hold_probe_set(
        PROBES68,
        "tests/eval/probes68.jsonl",
        12,
        [0.91, 0.73, 0.99],
        0.99,
    );
}

/// Recalls of products the category lists hold no alias for — a projector, a pet fountain, a
/// baby rocker, a camping lantern, a curling brush, a baby monitor, a car's air pump
/// (`tests/eval/probes69.jsonl`). First run 0.640 / 0.917 / 1.000 / 1.000 as written (one label
/// then set by the real texts' 电动工具); floors at what it measures now (in-sample). Left: a
/// child's electric rocking ride read as a toy (tc18008), a swollen cell read as an explosion, as
/// the rules' 鼓包 has it (tc18011).
#[test]
fn the_28th_sessions_unlisted_recalls_hold() {
    hold_probe_set(
        PROBES69,
        "tests/eval/probes69.jsonl",
        12,
        [0.91, 0.91, 0.99],
        0.99,
    );
}

/// Incidents at home and abroad — fires, a gas explosion, a strangling cord, a swallowed magnet,
/// a shock, a drill and a debunked rumour (`tests/eval/probes70.jsonl`). First run 0.800 / 0.923 /
/// 1.000 / 1.000 as written (one label then set by the taxonomy's 燃气泄漏 → 中毒); floors at what
/// it measures now (in-sample). Left: a curtain's cord placed as a textile (tc18103), a bumper's
/// gap read as a mattress's (tc18106), a treadmill's sudden speed read as a loss of control
/// (tc18107), a car cleared of a fire a power bank caused still listed (tc18110).
#[test]
fn the_28th_sessions_incidents_hold() {
    hold_probe_set(
        PROBES70,
        "tests/eval/probes70.jsonl",
        12,
        [0.79, 0.95, 0.99],
        0.99,
    );
}

/// Regulatory texts on products no alias held when they were written — lunch boxes that heat,
/// e-readers, baby carriers, foot files, dish cloths — and fakes in plain words (a mark's owner
/// who never licensed the sample, a maker no register holds, an imitation), a standard, recalls
/// and advice (`tests/eval/probes71.jsonl`). First run 0.917 / 0.875 / 1.000 / 0.889 as written;
/// floors at what it measures now (in-sample). Left: a plug's missing maker read as a marking
/// defect beside the fake (tc19106), disposable gloves placed as a textile (tc19116).
#[test]
fn the_29th_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES71,
        "tests/eval/probes71.jsonl",
        18,
        [0.97, 0.97, 0.99],
        0.99,
    );
}

/// Media, advice, incidents and complaints: a drill, tips, a hypothetical, an explainer, a
/// council's all-pass test, a rumour, service and quality complaints, a smart lock opened by a
/// stranger's box (`tests/eval/probes72.jsonl`). First run 1.000 / 0.889 / 1.000 / 0.929 as
/// written; floors at what it measures now (in-sample). Left: a grade under the one marked read
/// as a fake beside the quality finding (tc19207).
#[test]
fn the_29th_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES72,
        "tests/eval/probes72.jsonl",
        14,
        [0.99, 0.94, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the middle of the twenty-ninth session, after its
/// first rule commits, and scored before any change they could prompt (`tests/eval/probes73.jsonl`):
/// first run 1.000 / 0.909 / 0.933 / 1.000 as written, 1.000 / 1.000 / 0.933 / 1.000 with one
/// label set by the taxonomy (a seat's side impact, 碰撞, is 交通事故/失控). One mechanism it
/// showed was built: an English recall sold "in the US" is one in the United States.
#[test]
fn the_29th_sessions_mixed_batch_holds() {
    hold_probe_set(
        PROBES73,
        "tests/eval/probes73.jsonl",
        12,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Fourteen texts of media, advice, incidents and complaints written at the thirtieth session's
/// start (`tests/eval/probes74.jsonl`): first run 0.593 / 0.560 / 0.923 / 0.857 as written, 0.812
/// / 0.857 / 1.000 / 0.857 with labels set by the taxonomy's names and the written conventions.
/// Built for it: a stranger reaching any device from afar and data anyone may query are
/// 信息安全; a device's head jieba glued to 会 (故事机会) goes back to the device; a power bank
/// named after the phone it charges is the power bank; a content a fraction of its label's is a
/// fake; 开关插座 names switches and sockets.
#[test]
fn the_30th_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES74,
        "tests/eval/probes74.jsonl",
        14,
        [0.90, 0.96, 0.99],
        0.99,
    );
}

/// Fourteen regulatory texts written at the thirtieth session's start (`tests/eval/probes75.jsonl`):
/// first run 0.926 / 0.826 / 1.000 / 1.000 as written, 0.926 / 0.864 / 1.000 / 1.000 with two
/// labels set by the taxonomy and the clause table. Built for it: a steam oven's and a glass
/// table's glass that bursts cuts (no explosion); a brake fluid's boiling point is a loss of
/// control; a urea solution's content is a quality item; 蒸烤一体机 is an oven.
#[test]
fn the_30th_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES75,
        "tests/eval/probes75.jsonl",
        14,
        [0.98, 0.95, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the middle of the thirtieth session, after its first
/// rule commits, and scored before any change they could prompt (`tests/eval/probes76.jsonl`):
/// **not tuned on**. Floors at that first run (0.875 / 0.909 / 0.933 / 0.833). Left: an e-bike
/// round's charger and battery after 及其 read as a plain charger and no battery (tc19601), a
/// shoe's loose battery compartment (tc19602), fires a city had in a tip (tc19604), e-bikes a
/// tricycle's fire reached (tc19612). The thirty-third session's refinement of a notice's
/// failing term (built from its own texts) moved categories to 0.909; the floor followed.
#[test]
fn the_30th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES76,
        "tests/eval/probes76.jsonl",
        12,
        [0.90, 0.90, 0.93],
        0.83,
    );
}

/// Fourteen regulatory texts written at the thirty-first session's start, weighted to the classes
/// the held-out split misses by its aggregate (group fallbacks, fakes, Taiwan's and Hong Kong's
/// notices, gas stoves) (`tests/eval/probes77.jsonl`): first run 0.903 / 0.882 / 0.957 / 0.929 as
/// written, 0.938 / 0.914 / 0.957 / 0.929 with two labels set by the taxonomy. Built for it: a
/// serial number or anti-fake code nobody registered marks a fake.
#[test]
fn the_31st_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES77,
        "tests/eval/probes77.jsonl",
        14,
        [0.93, 0.94, 0.99],
        0.99,
    );
}

/// Fourteen texts of media, advice, incidents and complaints written beside probes77
/// (`tests/eval/probes78.jsonl`): first run 0.857 / 0.857 / 0.889 / 0.857 as written, 0.966 / 0.857
/// / 0.889 / 0.857 with two labels set by the taxonomy and the non-signal convention. Built for
/// it: a nail or hammer driven into a cell is abuse on purpose (a staged show); a doorbell that
/// does not film is no camera. Left: a smart doorbell's maker read with no product in a media text
/// (tc19814: unknown nouns are read in notices and recalls only), a swallowed cell's burn read as
/// 烫伤/烧伤 beside 误吞 (tc19809, as tc19409).
#[test]
fn the_31st_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES78,
        "tests/eval/probes78.jsonl",
        14,
        [0.96, 0.90, 0.88],
        0.92,
    );
}

/// Fourteen complaints, incidents and media texts written after probes78's changes
/// (`tests/eval/probes79.jsonl`): first run 0.929 / 0.720 / 0.750 / 0.643. Built for it: a
/// comparison cue before a share of people counts a survey's answers; what a fire reached is no
/// unknown product; a box crushed in delivery is the carrier's matter; Hong Kong, Macao and
/// Taiwan in English; a two-pin plug where an earth is required is a shock; what a fire burnt
/// through (烧穿了裤子) is no product.
#[test]
fn the_31st_sessions_complaint_batch_holds() {
    hold_probe_set(
        PROBES79,
        "tests/eval/probes79.jsonl",
        14,
        [0.96, 0.86, 0.99],
        0.92,
    );
}

/// Fourteen regulatory texts written after probes79's changes (`tests/eval/probes80.jsonl`):
/// first run 1.000 / 0.863 / 0.960 / 1.000 (one sentence reworded afterwards: it shared a stock
/// phrase with a real text), 1.000 / 0.923 / 0.960 / 1.000 with a standard's label set by the
/// genre's written convention (a standard naming no hazard addresses its product's principal
/// ones). Built for it: a province's quality institute (…检验研究院) is placed as its regulator.
#[test]
fn the_31st_sessions_second_regulatory_batch_holds() {
    hold_probe_set(
        PROBES80,
        "tests/eval/probes80.jsonl",
        14,
        [0.99, 0.92, 0.99],
        0.99,
    );
}

/// Twelve media, advice and complaint texts written after probes80's changes
/// (`tests/eval/probes81.jsonl`): first run 0.960 / 0.667 / 0.889 / 0.750. Built for it: window
/// blinds go where curtains go; a battery compartment with no screw lets a cell out; a product
/// with no maker's name at all is a fake. Left: a crash test's thrown seat (tc20105), smoke
/// breathed in read without poisoning (tc20106), a blogger's misuse of a kettle read as a fire
/// (tc20110).
#[test]
fn the_31st_sessions_second_media_batch_holds() {
    hold_probe_set(
        PROBES81,
        "tests/eval/probes81.jsonl",
        12,
        [0.99, 0.85, 0.99],
        0.91,
    );
}

/// Twelve texts of all genres written late in the thirty-first session, after its other rule
/// commits (`tests/eval/probes82.jsonl`): first run 0.903 / 0.889 / 1.000 / 1.000, one change
/// made from it (an English pair of hazards names both) and nothing else. Left: a helmet's
/// scare-quoted 安全帽 read as a hard hat (tc20204), a crash's fall beside the loss of control
/// (tc20206), a child's down jacket read as a child's garment alone (tc20209), a sofa a curling
/// iron burnt a hole in (tc20210).
#[test]
fn the_31st_sessions_late_batch_holds() {
    hold_probe_set(
        PROBES82,
        "tests/eval/probes82.jsonl",
        12,
        [0.90, 0.92, 0.99],
        0.99,
    );
}

/// Twelve regulatory texts written at the thirty-second session's start, after its first rule
/// commits (`tests/eval/probes83.jsonl`): national, provincial, county and customs notices,
/// recalls from Hong Kong, Taiwan and the EU, a standard. First run 0.944 / 1.000 / 0.900 /
/// 1.000; two labels set by written conventions (a teether goes with soothers as the other own
/// labels place it; an EU alert keeps the bloc beside the country it names) and one change made
/// from it (黄埔海关, the one customs district the gazetteer does not place).
#[test]
fn the_32nd_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES83,
        "tests/eval/probes83.jsonl",
        12,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Twelve media, advice and complaint texts written in the thirty-second session after its
/// regulatory batch (`tests/eval/probes84.jsonl`): tips, a staged test, an explainer, a blogger's
/// demonstration and a hypothetical (no signals), fires, a swallowed cell, privacy incidents,
/// complaints and a service dispute. First run 0.917 / 0.833 / 1.000 / 1.000; one change made
/// from it (a straw beside a cup is its part). Left: a silicone piece nearly swallowed read as
/// swallowing where I labelled choking by the small-parts row of the taxonomy (tc20409).
#[test]
fn the_32nd_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES84,
        "tests/eval/probes84.jsonl",
        12,
        [0.99, 0.83, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the thirty-second session after its rule commits up to
/// then (`tests/eval/probes85.jsonl`): **not tuned on**; floors at its first run, 0.848 / 0.923
/// / 1.000 / 0.917. Left: an immersion heater in quotes (“热得快”) read as no product (tc20503),
/// a content sold short read without the fake its claim makes (tc20504), a tip's extension lead
/// read as a product (tc20507), a mall's coin ride read as a toy where my own labels put ride-on
/// rockers with prams (tc20509), a smart socket switched on by someone else read with no hazard
/// (tc20511). The thirty-third session made one change from that last item (an outsider's login to
/// a smart socket's account is an information-security finding): 0.875 / 0.963 / 1.000 / 1.000.
#[test]
fn the_32nd_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES85,
        "tests/eval/probes85.jsonl",
        12,
        [0.84, 0.92, 0.99],
        0.91,
    );
}

/// Twelve regulatory texts written at the thirty-third session's start
/// (`tests/eval/probes86.jsonl`): a Taiwan check of toothbrushes, a district's children's
/// furniture, a city's school goods, a notice's table row, a Hong Kong test purchase, a county's
/// e-bike chargers and batteries, a recall filed with SAMR, an EU alert (English), a Taiwan
/// recall, a voluntary and a mandatory standard, an all-pass round. First run 0.857 / 0.828 /
/// 1.000 / 1.000; the changes made from it: a failure refines an anchor's term, input power and
/// reachable holes as items, a fail-safe no failure, two names. Left: the bikes of a bike shop
/// read as sampled (tc20606), a scooter standard's fail-safe read by the product's principal
/// hazards (tc20611).
#[test]
fn the_33rd_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES86,
        "tests/eval/probes86.jsonl",
        12,
        [0.97, 0.93, 0.99],
        0.99,
    );
}

/// Twelve media, advice and complaint texts written in the thirty-third session after its
/// regulatory batch (`tests/eval/probes87.jsonl`): a toothbrush charger's smoke, a fire brigade's
/// tip, a child's watch that called a stranger, an air fryer fire, a council's nail test, sour wet
/// wipes, an explainer on battery fires, a scooter's stem that snapped, a smart lock opened by a
/// researcher's device, a courier's tricycle brakes, a rumour explained, a coat sold short. First
/// run 1.000 / 0.778 / 1.000 / 0.917; the changes made from it: a demonstration that exposed a
/// flaw is no drill, an adverb glued to a rule word is read apart, sour wipes have gone off, a
/// label's claim found short in plain words is a fake, a smart lock's name.
#[test]
fn the_33rd_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES87,
        "tests/eval/probes87.jsonl",
        12,
        [0.99, 0.99, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the thirty-third session after its rule commits up to
/// then (`tests/eval/probes88.jsonl`): **not tuned on**; floors at its first run, 0.929 / 0.783 /
/// 0.800 / 0.833 (one label set by the written convention that regions are the passage's own: an
/// English recall naming no country has none; as written 0.667 on provinces). Left: an inflatable
/// camping mattress read as a mattress (tc20802), a flimsy strip's "劣质" read without the fake
/// (tc20806), a raincoat's dim reflective strip read as quality where I labelled the road risk
/// (tc20807), a revised kitchen-hood standard read as a signal (tc20808), a robot vacuum a
/// stranger's device connected to read as a service dispute (tc20809). The thirty-fifth session's
/// changes (an inflatable mattress is camping gear, a stranger's device connected is access taken
/// over) moved it to 1.000 / 0.833 / 0.800 / 0.917; floors raised to that.
#[test]
fn the_33rd_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES88,
        "tests/eval/probes88.jsonl",
        12,
        [0.99, 0.83, 0.79],
        0.91,
    );
}

/// Twelve regulatory texts written late in the thirty-third session (`tests/eval/probes89.jsonl`),
/// weighted to Taiwan and Hong Kong: a Taiwan kettle round, a Hong Kong hair-clip test, a Taiwan
/// recall, nappies, an e-tricycle recall filed with SAMR, sanitary goods, an Australian recall, a
/// water-heater standard, lighters, customs' speakers, a Taiwan inspection-list notice, flasks.
/// First run 0.963 / 0.903 / 0.800 / 0.917 (one label set by the written convention that a
/// requirement naming no hazard takes the product's principal hazards, tc20911); changes made
/// from it: a foreign notice's 全国 is that country's, 一次性卫生用品 gives way to its members.
/// Left: a lighter's child-resistance read without the burn (tc20909), Taiwan's inspection list
/// read as advice (tc20911: making it a requirement lowered the held-out split). 在台 (tc20903) is
/// a place since the thirty-fourth session: provinces 0.952, floor raised.
#[test]
fn the_33rd_sessions_late_regulatory_batch_holds() {
    hold_probe_set(
        PROBES89,
        "tests/eval/probes89.jsonl",
        12,
        [0.99, 0.90, 0.95],
        0.91,
    );
}

/// Twelve texts of all genres written at the thirty-fourth session's start (`tests/eval/probes90.jsonl`):
/// advice, complaints, incidents, media, an English recall, an inspection and a draft standard.
/// First run 0.963 / 0.783 / 1.000 / 0.917 as first labelled; two labels were then set by written
/// conventions (tc21002: a break and the swallowing it led to, no causal word, keep both; tc21005:
/// a 三无 description is a fake only, as tc14805). Changes made from it: swallowing verbs with their
/// complement (吞进去), a smart lock a box opens. Left: an e-bike whose battery burned read as the
/// battery alone (tc21003), a hair dryer's 结构 item read as mechanical beside the fire and shock the
/// notice names (tc21008).
#[test]
fn the_34th_sessions_first_batch_holds() {
    hold_probe_set(
        PROBES90,
        "tests/eval/probes90.jsonl",
        12,
        [0.96, 0.95, 0.99],
        0.99,
    );
}

/// Twelve regulatory texts of the thirty-fourth session (`tests/eval/probes91.jsonl`): a Taiwan
/// heater round, a table of children's vehicles, Hong Kong customs' plugs, a national cable round
/// with makers' provinces, a car recall filed with SAMR, a Canadian hoodie recall (English), a
/// province's school goods, a toothbrush test, a county's gas-stove check, an EU alert, a children's
/// textile standard, customs' scooters. First run 0.938 / 0.927 / 0.909 / 0.917 (one label set by
/// the convention that regions are the passage's own, tc21108). Changes made from it: a negated
/// protective part is missing (无熄火保护装置), 附件抗拉强力 is swallowing too (the taxonomy's
/// table), 绝缘性能 is a shock item. Left: an airbag inflator in a car recall read as the part sold
/// alone (tc21105).
#[test]
fn the_34th_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES91,
        "tests/eval/probes91.jsonl",
        12,
        [0.93, 0.99, 0.99],
        0.99,
    );
}

/// Twelve media, advice and complaint texts of the thirty-fourth session (`tests/eval/probes92.jsonl`),
/// half of them no signal: a heater tip, a cot test that found nothing, a swallowed magnet, a
/// power-bank tip, a video debunked, a camera a stranger spoke through, balance-bike reviews, an
/// explainer on e-bike fires, an oven that scalded, a city's fire count, a hair-dryer test, a
/// child's mask. First run 0.963 / 0.750 / 1.000 / 0.833. Changes made from it: a rumour relays the
/// claim quoted before it (热传), a place a sentence names alone is where the earlier product was.
/// Left: a city's count of e-bike fires read as general talk (tc21210), a mask's missing dates read
/// without the marking defect and its smell as a chemical (tc21212).
#[test]
fn the_34th_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES92,
        "tests/eval/probes92.jsonl",
        12,
        [0.99, 0.79, 0.99],
        0.91,
    );
}

/// Twelve regulatory texts of the thirty-fourth session weighted to Taiwan and Hong Kong
/// (`tests/eval/probes93.jsonl`, eight in traditional script). First run 0.897 / 0.903 / 0.957 /
/// 0.917 (one label set by the rules' written joint convention: 开关插座 is switches and sockets,
/// tc21308). Changes made from it: a helmet's chin strap and buckle, a handle's temperature rise,
/// a finger spinner, a count after 其中 picks one named before. Tried and taken out: 未标示 as a
/// marking term. Left: a flask round's material not marked read without the marking defect
/// (tc21303).
#[test]
fn the_34th_sessions_taiwan_and_hong_kong_batch_holds() {
    hold_probe_set(
        PROBES93,
        "tests/eval/probes93.jsonl",
        12,
        [0.99, 0.96, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the thirty-fourth session before its last rule commits
/// and run once after them (`tests/eval/probes94.jsonl`): **not tuned on**; floors at that run,
/// 0.788 / 0.870 / 0.923 / 0.917. Left: a robot vacuum a stranger shares read as a worry
/// (tc21402), a pool float's 浮床 read as furniture (tc21403), a recall filed with a province's
/// regulator placed nowhere (tc21405), a pan's black spots read as foreign matter (tc21407),
/// children's tableware of melamine read as children's goods (tc21409), 电子电器 read as
/// unclassified (tc21410), a swing read as no product (tc21411), a shop check's modified bikes
/// read without the bike (tc21412). Tuned on in the thirty-fifth session: one label set to the
/// corpus' convention (a recall filed with a province's regulator is placed nowhere, as the
/// in-sample RD-004, RD-034 and RD-036 are; tc21405); the stranger, the float, the spots and the
/// swing were mended, 1.000 / 1.000 / 1.000 / 1.000 on those; the file at 0.848 / 1.000 / 1.000 /
/// 1.000, floors raised to that. Still left: tc21409, tc21410, tc21412.
#[test]
fn the_34th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES94,
        "tests/eval/probes94.jsonl",
        12,
        [0.84, 0.99, 0.99],
        0.99,
    );
}

/// Twenty-four regulatory texts of the thirty-fifth session (`tests/eval/probes95.jsonl`): a
/// provincial round of five appliances, filed and foreign recalls, Taiwan's and Hong Kong's
/// inspectors, a charger standard, a county's flask round, an all-pass round, gas appliances, a
/// rocking chair's recall, a table-form recall, a draft standard, a council's fryer test, an EU
/// weekly alert, a kettle tip and a fake charger. First runs 1.000 / 0.970 / 0.952 / 1.000 (12)
/// and 0.976 / 0.833 / 0.941 / 0.917 (12). Changes made from it: a missing CCC mark is no label
/// defect, two items joined by 的 are one, dolls, a maker's address that does not exist, 未达 as
/// failure wording, item words in a cited title name the law. Left: a fryer's power deviation read
/// as shock and a fake (tc21608; the table says shock when over).
#[test]
fn the_35th_sessions_regulatory_batch_holds() {
    hold_probe_set(
        PROBES95,
        "tests/eval/probes95.jsonl",
        24,
        [0.99, 0.95, 0.99],
        0.99,
    );
}

/// Forty longer texts of the thirty-fifth session in the shapes real notices take
/// (`tests/eval/probes96.jsonl`): a provincial notice with its failed-products table and
/// signature, a national round relayed with a byline, a filed recall in sections, Taiwan's and
/// Hong Kong's test purchases, standards, a county fire, a market report, a city's e-bike notice
/// with its list, a Japanese recall relayed, an EU draft, a restaurant's gas blast, a council's
/// flask test, a platform's monitoring round, a rumour denied, helmets, a customs seizure of
/// goods declared as toys, a bunk-bed recall in fields, cosmetics, a wardrobe complaint,
/// wallpaper, a scooter fire, an all-pass alarm test, a car recall, an enforcement raid, a
/// court case, a child's shoe alert. First runs 0.971 / 0.968 / 0.800 / 1.000 (8), 1.000 /
/// 1.000 / 0.923 / 1.000 (8), 0.632 / 0.870 / 1.000 / 1.000 (8), 0.800 / 0.900 / 1.000 / 1.000
/// (8), 0.842 / 1.000 / 1.000 / 1.000 (8). Changes made from it: a table row's address is the
/// company's, advice to parents hedges its items, a foreign body the gazetteer holds whole acts
/// where it is, declared names are no products, children's wash goods, a list closed by 等 joins
/// its counted class, a part refined once is refined again, 标示为 read whole as a claim, 防火 a
/// fire item, furniture by its wood or metal, 上下铺床, a place-framed product beside one of its
/// own group. Left: a toy standard's magnet requirement read as magnetic toys too (tc21706), an
/// NMPA notice's SPF values read as a failed function too (tc22004), the counted class kept
/// beside its members (tc22102), a standards approval whose appliance title names no class
/// (tc22104), an e-bike's battery tests in an advert read as the battery (tc22208).
#[test]
fn the_35th_sessions_long_notices_hold() {
    hold_probe_set(
        PROBES96,
        "tests/eval/probes96.jsonl",
        40,
        [0.95, 0.99, 0.99],
        0.99,
    );
}

/// Twelve texts of all genres written in the thirty-fifth session after its first rule commits
/// and run once after its last (`tests/eval/probes97.jsonl`): **not tuned on**; floors at that
/// run, 0.903 / 0.960 / 1.000 / 1.000. Left: a child's electric toothbrush read as a child's
/// toothbrush where I labelled the electric one (tc21901; the taxonomy's core 儿童牙刷 may be the
/// better reading), a detergent's 总活性物含量 read without the quality item (tc21904), a seizure's
/// second product after a count read as none (tc21912).
#[test]
fn the_35th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES97,
        "tests/eval/probes97.jsonl",
        12,
        [0.90, 0.95, 0.99],
        0.99,
    );
}

/// Ten media, advice and complaint texts of the thirty-fifth session written last
/// (`tests/eval/probes98.jsonl`): a bitten teether, an e-bike charging tip, a nail lamp fire, a
/// knife handle, a reporter's hand-warmer test, a children's watch showing other children, a
/// water-heater explainer, a heater's burnt plug, a swallowed button cell, an exaggerated
/// maternity garment. First run 0.696 / 0.667 / 1.000 / 0.600 (one label then set to probes73's
/// convention: a nail lamp is a lamp, tc22303). Changes made from it: a bitten-off piece is
/// choking, others' children's data seen is exposure, exaggerated adverts are false advertising,
/// 孕妇服, 宝妈 as a particular person, a reporter's test as media evidence. Tried and taken out:
/// a genre's evidence as an anchor against the general register (in-sample dev `is_signal` 0.975
/// → 0.970). Left: the e-bike tip's charger and battery (tc22302), the reporter's test read as
/// general talk (tc22305).
#[test]
fn the_35th_sessions_media_batch_holds() {
    hold_probe_set(
        PROBES98,
        "tests/eval/probes98.jsonl",
        10,
        [0.86, 0.85, 0.99],
        0.79,
    );
}

/// Twelve texts of all genres written at the twenty-sixth session's start, first run after its
/// first rule commit (`tests/eval/probes55.jsonl`): **not tuned on**; the session's later changes
/// left its figures as they were. Floors at that run. Left: a US agency's notice without the word recall read as advice
/// (tc16602), a revised standard's flame-failure requirement read with no hazard (tc16608), a
/// wire's insulation thickness read as shock beside the fire the text names (tc16603, the
/// rules' item table says shock), a chest of drawers' crush read as a pinch (tc16606).
#[test]
fn the_26th_sessions_unseen_batch_holds() {
    hold_probe_set(
        PROBES55,
        "tests/eval/probes55.jsonl",
        12,
        [0.99, 0.81, 0.79],
        0.83,
    );
}

/// Issue 43's complaint target on every own complaint (labelled set and probe files, 350 texts,
/// in-sample but for probes46's three, probes48's one and probes50's four): a quality complaint is a signal (recall
/// at least 0.95, measured 0.977, 253 of 259,
/// at the twenty-fifth session's end) and service disputes are not (at most 2 of the 91 taken,
/// as measured; the issue allows one on a real set of its size).
#[test]
fn own_complaints_are_signals_and_service_disputes_are_not() {
    let an = analyzer();
    let sets = [
        (SET, "labelled"),
        (PROBES, "probes"),
        (PROBES2, "probes2"),
        (PROBES3, "probes3"),
        (PROBES4, "probes4"),
        (PROBES5, "probes5"),
        (PROBES6, "probes6"),
        (PROBES7, "probes7"),
        (PROBES8, "probes8"),
        (PROBES9, "probes9"),
        (PROBES10, "probes10"),
        (PROBES11, "probes11"),
        (PROBES12, "probes12"),
        (PROBES13, "probes13"),
        (PROBES14, "probes14"),
        (PROBES15, "probes15"),
        (PROBES16, "probes16"),
        (PROBES17, "probes17"),
        (PROBES18, "probes18"),
        (PROBES19, "probes19"),
        (PROBES20, "probes20"),
        (PROBES21, "probes21"),
        (PROBES22, "probes22"),
        (PROBES23, "probes23"),
        (PROBES24, "probes24"),
        (PROBES25, "probes25"),
        (PROBES26, "probes26"),
        (PROBES27, "probes27"),
        (PROBES28, "probes28"),
        (PROBES29, "probes29"),
        (PROBES30, "probes30"),
        (PROBES31, "probes31"),
        (PROBES32, "probes32"),
        (PROBES33, "probes33"),
        (PROBES34, "probes34"),
        (PROBES35, "probes35"),
        (PROBES36, "probes36"),
        (PROBES37, "probes37"),
        (PROBES38, "probes38"),
        (PROBES39, "probes39"),
        (PROBES40, "probes40"),
        (PROBES41, "probes41"),
        (PROBES42, "probes42"),
        (PROBES43, "probes43"),
        (PROBES44, "probes44"),
        (PROBES45, "probes45"),
        (PROBES46, "probes46"),
        (PROBES47, "probes47"),
        (PROBES48, "probes48"),
        (PROBES49, "probes49"),
        (PROBES50, "probes50"),
        (PROBES51, "probes51"),
        (PROBES52, "probes52"),
        (PROBES53, "probes53"),
        (PROBES54, "probes54"),
        (PROBES55, "probes55"),
        (PROBES56, "probes56"),
        (PROBES57, "probes57"),
        (PROBES58, "probes58"),
        (PROBES59, "probes59"),
        (PROBES60, "probes60"),
        (PROBES61, "probes61"),
        (PROBES62, "probes62"),
        (PROBES63, "probes63"),
        (PROBES64, "probes64"),
        (PROBES65, "probes65"),
        (PROBES66, "probes66"),
        (PROBES67, "probes67"),
        (PROBES68, "probes68"),
        (PROBES69, "probes69"),
        (PROBES70, "probes70"),
        (PROBES71, "probes71"),
        (PROBES72, "probes72"),
        (PROBES73, "probes73"),
        (PROBES74, "probes74"),
        (PROBES75, "probes75"),
        (PROBES76, "probes76"),
        (PROBES77, "probes77"),
        (PROBES78, "probes78"),
        (PROBES79, "probes79"),
        (PROBES80, "probes80"),
        (PROBES81, "probes81"),
        (PROBES82, "probes82"),
        (PROBES83, "probes83"),
        (PROBES84, "probes84"),
        (PROBES85, "probes85"),
        (PROBES86, "probes86"),
        (PROBES87, "probes87"),
        (PROBES88, "probes88"),
        (PROBES89, "probes89"),
        (PROBES90, "probes90"),
        (PROBES91, "probes91"),
        (PROBES92, "probes92"),
        (PROBES93, "probes93"),
        (PROBES94, "probes94"),
        (PROBES95, "probes95"),
        (PROBES96, "probes96"),
        (PROBES97, "probes97"),
        (PROBES98, "probes98"),
    ];
    // every probe file of tests/eval is in the list (a new one cannot be left out unseen)
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let on_disk = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with("probes") && n.ends_with(".jsonl")
            })
            .count(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    assert_eq!(
        sets.len(),
        on_disk + 1,
        "a probe file of tests/eval is missing here"
    );
    let (mut found, mut quality, mut taken, mut disputes) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for (src, name) in sets {
        for c in parse_set(src, name)
            .iter()
            .filter(|c| c.kind == "complaint")
        {
            let x = an.analyze(&document(c), &mut ClusterIndex::new());
            match (c.signal, x.is_signal) {
                (true, true) => found += 1,
                (true, false) => misses.push(format!("{} missed ({:?})", c.id, x.reason)),
                (false, true) => {
                    taken += 1;
                    misses.push(format!("{} taken for a signal", c.id));
                }
                (false, false) => {}
            }
            if c.signal {
                quality += 1;
            } else {
                disputes += 1;
            }
        }
    }
    let recall = found as f64 / quality.max(1) as f64;
    println!(
        "own complaints: {found}/{quality} found ({recall:.3}), {taken}/{disputes} disputes taken"
    );
    assert!(
        quality >= 100 && disputes >= 30,
        "too few complaints: {quality} and {disputes}"
    );
    assert!(
        recall >= 0.95 && taken <= 2,
        "complaint recall {recall:.3}, disputes taken {taken}\n{}",
        misses.join("\n")
    );
}
