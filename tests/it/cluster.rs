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
