//! Is it a signal? — on texts of the genres where that decision failed on real texts nobody here
//! had read (issue 43 item 5): safety tips, demonstrations and tests that found nothing,
//! explainers, hypotheticals, market news and service disputes against incidents, defect
//! complaints and privacy incidents of smart products. `tests/eval/media_signals.jsonl` holds 188
//! texts written for this project (see `tests/eval/README.md`, "Media and advice"); each was
//! labelled before the analyzer first saw it. Batches `b` and `c` were then tuned on; batch `d` was
//! written after that tuning and not tuned on; batch `e` was written a session later, scored 12/16
//! on its first run, and was then tuned on (fire wording, outsiders' voices on a camera, a
//! protective response that names the hazard it answers); batch `f`, a session later again, scored
//! 15/16 on its first run and was tuned on (a circumstance, 在…情况下, hedges only what is neither
//! dated nor said to have happened); batch `g`, a session later, scored 11/12 on its first run and
//! was tuned on (a newspaper's hotline, 向本报反映, is a complaint channel); batches `h` (11/12) and `i`
//! (15/16 on first runs) likewise; batch `j`
//! scored 14/16 on its first run and was tuned on (a rumour confirmed is an event); batch `k`
//! (complaints and service disputes) 15/16 (a circumstance that happened several times is an event); batch `l`
//! (incidents, tips, a rumour a regulator checked, a test report) 18/20 (a rumour stays one in every genre;
//! cords of a garment fail as its drawstrings). The test prints the accuracy per batch and every
//! disagreement, and holds the whole set to a floor (never lowered).

use jiance::analyze::ClusterIndex;
use jiance::model::Channel;
use serde::Deserialize;

use crate::eval::analyzer;

const SET: &str = include_str!("../eval/media_signals.jsonl");

/// `is_signal` accuracy over the whole set: what it measures (61 of 64), a little under.
const FLOOR: f64 = 0.93;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    id: String,
    batch: String,
    signal: bool,
    text: String,
}

#[test]
fn tips_demonstrations_and_explainers_are_no_signals_incidents_are() {
    let an = analyzer();
    let texts: Vec<Text> = SET
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| match serde_json::from_str(l) {
            Ok(x) => x,
            Err(e) => panic!("tests/eval/media_signals.jsonl line {}: {e}", n + 1),
        })
        .collect();
    assert!(texts.len() >= 60, "only {} texts", texts.len());
    assert!(
        texts.iter().filter(|t| t.signal).count() >= 25
            && texts.iter().filter(|t| !t.signal).count() >= 25,
        "the set must hold signals and non-signals alike"
    );
    let mut per_batch: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut wrong = Vec::new();
    for t in &texts {
        let doc = crate::eval_doc(&t.id, "eval", (Channel::Media, None), "", &t.text);
        let x = an.analyze(&doc, &mut ClusterIndex::new());
        let b = per_batch.entry(t.batch.as_str()).or_default();
        b.1 += 1;
        if x.is_signal == t.signal {
            b.0 += 1;
        } else {
            let head: String = t.text.chars().take(30).collect();
            wrong.push(format!(
                "{} want {} got {} ({:?}, kind {}): {head}",
                t.id,
                t.signal,
                x.is_signal,
                x.reason,
                x.kind.as_str()
            ));
        }
    }
    for (batch, (ok, n)) in &per_batch {
        println!("batch {batch}: {ok}/{n}");
    }
    println!("disagreements ({}):\n{}", wrong.len(), wrong.join("\n"));
    let accuracy = 1.0 - wrong.len() as f64 / texts.len() as f64;
    assert!(
        accuracy >= FLOOR,
        "is_signal accuracy {accuracy:.3} below {FLOOR}:\n{}",
        wrong.join("\n")
    );
}
