//! Issue 47's measure of the inspection reader on real notices: the batch numbers of the
//! inspection notices of `../shared/realtext` (`JIANCE_REALTEXT` names another directory), as
//! labelled by hand in `tests/eval/inspection_numbers.tsv`, read by `jiance extract` from the
//! passage alone. A notice reads right when its first record — the reader puts the notice's
//! totals first, before its products' — states exactly its labelled batches sampled and failed
//! (a number the notice does not state must be read as none). The
//! share read right must reach the 0.90; the misses are printed with what was read.
//! Enterprises sampled are scored apart, on the same record: the labelled count, or none where
//! the notice counts none; the same floor.
//!
//! Only even-numbered items are labelled and passed to the reader: odd ids are another issue's
//! held-out split, never read here. The figure is in-sample (the reader was improved on them).
//! Each passage goes in as kind `inspection`, as the regulator sources that carry such notices
//! declare it: what is measured is the reading of numbers, not the telling of kinds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// The floor on the share of notices whose numbers read right.
const FLOOR: f64 = 0.90;

/// One labelled notice, or one record read: batches sampled and failed, `None` where the notice
/// states none; enterprises sampled beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Label {
    sampled: Option<u64>,
    failed: Option<u64>,
    firms: Option<u64>,
}

impl Label {
    fn batches(&self) -> (Option<u64>, Option<u64>) {
        (self.sampled, self.failed)
    }
}

fn realtext_dir() -> PathBuf {
    std::env::var_os("JIANCE_REALTEXT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realtext"))
}

fn labels() -> BTreeMap<String, Label> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval/inspection_numbers.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cell = |s: &str, line: &str| -> Option<u64> {
        match s.trim() {
            "-" => None,
            n => Some(
                n.parse()
                    .unwrap_or_else(|e| panic!("{}: {line:?}: {e}", path.display())),
            ),
        }
    };
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "{}: {line:?}", path.display());
        let id = cols[0].trim().to_string();
        assert!(
            id.ends_with(['0', '2', '4', '6', '8']),
            "{id}: only even-numbered items may be labelled (odd ones are held out)"
        );
        let label = Label {
            sampled: cell(cols[1], line),
            failed: cell(cols[2], line),
            firms: cell(cols[3], line),
        };
        assert!(
            out.insert(id.clone(), label).is_none(),
            "{id} labelled twice"
        );
    }
    out
}

/// The passages of the labelled ids, from the two files that hold them.
fn passages(ids: &BTreeMap<String, Label>) -> BTreeMap<String, String> {
    let dir = realtext_dir();
    let mut out = BTreeMap::new();
    for file in ["dev.jsonl", "dev2-regulatory.jsonl"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the real-text corpus lives in ../shared/realtext beside the checkout)",
                path.display()
            )
        });
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let Some(id) = v["id"].as_str() else { continue };
            // an unlabelled item (every odd one among them) is never passed on
            if ids.contains_key(id)
                && let Some(t) = v["text"].as_str()
            {
                out.insert(id.to_string(), t.to_string());
            }
        }
    }
    out
}

/// `jiance extract` on the passages: each id's (sampled, failed) per record.
fn read(passages: &BTreeMap<String, String>) -> BTreeMap<String, Vec<Label>> {
    let mut input = String::new();
    for (id, text) in passages {
        input.push_str(
            &serde_json::json!({"id": id, "text": text, "kind": "inspection"}).to_string(),
        );
        input.push('\n');
    }
    crate::extract_lines(&input)
        .into_iter()
        .map(|v| {
            let id = v["id"].as_str().unwrap_or_default().to_string();
            let records = v["inspections"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| Label {
                            sampled: r["sampled"].as_u64(),
                            failed: r["failed"].as_u64(),
                            firms: r["enterprises"].as_u64(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            (id, records)
        })
        .collect()
}

fn show(n: Option<u64>) -> String {
    n.map_or("-".to_string(), |n| n.to_string())
}

#[test]
fn realtext_inspection_numbers_read_right_in_nine_notices_of_ten() {
    let labels = labels();
    assert!(labels.len() >= 20, "{} labelled notices", labels.len());
    let passages = passages(&labels);
    let missing: Vec<&String> = labels
        .keys()
        .filter(|id| !passages.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "labelled ids not in the corpus: {missing:?}"
    );
    let got = read(&passages);
    let mut right = 0usize;
    let mut misses = Vec::new();
    let (mut firms_right, mut firms_misses) = (0usize, Vec::new());
    for (id, want) in &labels {
        let records = got.get(id).cloned().unwrap_or_default();
        let found = records.first().filter(|r| r.batches() == want.batches());
        match found.map(|r| r.firms) {
            Some(f) if f == want.firms => firms_right += 1,
            other => firms_misses.push(format!(
                "{id}: labelled {}, read {}",
                show(want.firms),
                other.map_or("no matching record".to_string(), show)
            )),
        }
        if found.is_some() {
            right += 1;
        } else {
            let read: Vec<String> = records
                .iter()
                .map(|r| format!("{}/{}", show(r.sampled), show(r.failed)))
                .collect();
            misses.push(format!(
                "{id}: labelled {}/{}, read [{}]",
                show(want.sampled),
                show(want.failed),
                read.join(", ")
            ));
        }
    }
    let share = right as f64 / labels.len() as f64;
    println!(
        "inspection numbers (in-sample, even ids): {right}/{} = {share:.3} read right (floor {FLOOR})",
        labels.len()
    );
    for m in &misses {
        println!("  miss {m}");
    }
    let firms_share = firms_right as f64 / labels.len() as f64;
    println!(
        "enterprises sampled (in-sample, even ids): {firms_right}/{} = {firms_share:.3} read right",
        labels.len()
    );
    for m in &firms_misses {
        println!("  miss {m}");
    }
    assert!(
        share >= FLOOR,
        "{right}/{} notices read right, under {FLOOR}; misses:\n{}",
        labels.len(),
        misses.join("\n")
    );
    assert!(
        firms_share >= FLOOR,
        "enterprises: {firms_right}/{} read right, under {FLOOR}; misses:\n{}",
        labels.len(),
        firms_misses.join("\n")
    );
}
