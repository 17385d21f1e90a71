//! Near-duplicate clustering on homogeneous corpora (issue 22): one product family's listings,
//! small-vocabulary text and one complaint template, where every lookup key's postings hold
//! every document. The bounded lookup must cluster as an exhaustive comparison with every earlier
//! document does, and a windowed index as an unbounded one on what fits its window.

use jiance::analyze::{ClusterIndex, JOIN, similarity, sketch};
use jiance::demo::corpora::{complaint_template, small_vocabulary, template_listings};

/// Each text's cluster by comparing it with every earlier text: the most similar at or above
/// [`JOIN`], ties to the earliest; a cluster is named by its first document.
fn exhaustive(texts: &[String]) -> Vec<String> {
    let sketches: Vec<Vec<u32>> = texts.iter().map(|t| sketch(t)).collect();
    let mut clusters: Vec<String> = Vec::with_capacity(texts.len());
    for (i, s) in sketches.iter().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for (j, earlier) in sketches.iter().enumerate().take(i) {
            let sim = similarity(s, earlier);
            if sim >= JOIN && best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, j));
            }
        }
        let c = match best {
            Some((_, j)) => clusters[j].clone(),
            None => format!("d{i}"),
        };
        clusters.push(c);
    }
    clusters
}

fn assigned(index: &mut ClusterIndex, texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| index.assign(&format!("d{i}"), t).1)
        .collect()
}

/// Share of documents whose cluster is the exhaustive search's.
fn agreement(got: &[String], want: &[String]) -> f64 {
    let same = got.iter().zip(want).filter(|(g, w)| g == w).count();
    same as f64 / want.len() as f64
}

#[test]
fn homogeneous_corpora_cluster_as_an_exhaustive_search_does() {
    for (name, texts) in [
        ("template listings", template_listings(3000, 1)),
        ("small vocabulary", small_vocabulary(3000, 2)),
        ("complaint template", complaint_template(3000, 3)),
    ] {
        let want = exhaustive(&texts);
        let joined = want
            .iter()
            .enumerate()
            .filter(|(i, c)| **c != format!("d{i}"))
            .count();
        let got = assigned(&mut ClusterIndex::new(), &texts);
        let a = agreement(&got, &want);
        eprintln!(
            "{name}: {joined} of {} join a cluster; agreement {a:.4}",
            texts.len()
        );
        // the bounded lookup misses only matches far back among thousands of near-identical
        // texts (the complaint template's chance collisions); reposts are recent
        assert!(a >= 0.97, "{name}: agreement {a:.4}");
    }
}

/// One labelled pair of `tests/eval/stories.jsonl`: two texts and whether they tell one story.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryPair {
    id: String,
    style: String,
    same: bool,
    #[allow(dead_code)]
    note: String,
    a: StoryText,
    b: StoryText,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryText {
    title: String,
    text: String,
}

fn story_doc(id: &str, t: &StoryText) -> jiance::model::Document {
    crate::eval_doc(
        id,
        "stories",
        (jiance::model::Channel::Media, None),
        &t.title,
        &t.text,
    )
}

/// Issue 44: notices built from one template but naming another product, enterprise, batch, model
/// or standard are different stories; reposts of one story (another wrapper, light edits) are one.
/// Each labelled pair is analysed into a fresh index, the second text after the first; "same
/// story" is the second joining the first's cluster. Prints precision and recall of "same story"
/// per style and overall (`cargo test --test it cluster:: -- --nocapture`).
#[test]
fn template_notices_of_different_products_are_different_stories_and_reposts_are_one() {
    let set = include_str!("../eval/stories.jsonl");
    let analyzer = crate::eval::analyzer();
    let mut by_style: std::collections::BTreeMap<String, [usize; 3]> = Default::default();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut pairs = 0;
    for (n, line) in set
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let p: StoryPair = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("tests/eval/stories.jsonl line {}: {e}", n + 1));
        pairs += 1;
        let mut index = ClusterIndex::new();
        let a = analyzer.analyze(&story_doc(&format!("{}-a", p.id), &p.a), &mut index);
        let b = analyzer.analyze(&story_doc(&format!("{}-b", p.id), &p.b), &mut index);
        let said_same = a.cluster == b.cluster;
        let counts = by_style.entry(p.style.clone()).or_default();
        match (p.same, said_same) {
            (true, true) => {
                tp += 1;
                counts[0] += 1;
            }
            (false, true) => {
                fp += 1;
                counts[1] += 1;
                eprintln!("{}: different stories in one cluster", p.id);
            }
            (true, false) => {
                fn_ += 1;
                counts[2] += 1;
                eprintln!("{}: one story in two clusters", p.id);
            }
            (false, false) => {}
        }
    }
    let ratio = |x: usize, y: usize| if y == 0 { 1.0 } else { x as f64 / y as f64 };
    for (style, [t, f, m]) in &by_style {
        eprintln!(
            "{style}: same-story precision {:.2} recall {:.2} ({t} joined rightly, {f} wrongly, {m} missed)",
            ratio(*t, t + f),
            ratio(*t, t + m)
        );
    }
    let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    eprintln!("{pairs} pairs: same-story precision {precision:.2}, recall {recall:.2}");
    assert!(pairs >= 30, "the labelled set has {pairs} pairs");
    // Measured on 43 pairs (21 template pairs, 22 reposts): 1.00 / 0.95 with the fields; shingles
    // alone (before issue 44) 0.58 / 0.95, every template pair but the three of another product's
    // wording joined. The one repost missed both times is a shortened one (a third of the text
    // dropped): the shingles' limit, not the fields'.
    assert!(precision >= 0.95, "same-story precision {precision:.2}");
    assert!(recall >= 0.95, "same-story recall {recall:.2}");
}
