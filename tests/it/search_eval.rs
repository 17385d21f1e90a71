//! Search relevance on the demo: the judged analyst queries of tests/eval/search_queries.toml
//! (relevance from the scenario's ground truth, by the criterion stated in that file) run as
//! literal and as concept search; nDCG@10 and recall@50 over documents (not collapsed, so both
//! rank the same units), and concept search must beat literal search on both means. The
//! figures are printed and written to target/test-output/search-relevance.txt.
//!
//! Also the demo's search properties: a concept query finds at least what its variants find, no
//! two hits of a page share a story, and `jiance search --json` reports its expansions.

use std::collections::{BTreeSet, HashMap};

use jiance::analyze::Analyzer;
use jiance::index::{Index, SearchRequest};
use jiance::pipeline::DataDir;
use serde::Deserialize;

use crate::demo::outcome;

#[derive(Deserialize)]
struct Judged {
    query: Vec<JudgedQuery>,
}

#[derive(Deserialize)]
struct JudgedQuery {
    q: String,
    categories: Vec<String>,
    hazards: Vec<String>,
}

fn index() -> Index {
    let analyzer = Analyzer::load(None, None).unwrap();
    let mut index = Index::open(&DataDir::new(&outcome().data).index(), analyzer.jieba()).unwrap();
    index.set_vocabulary(&analyzer.vocabulary());
    index
}

/// Document ids the criterion marks relevant (scenario truth → URL → stored document).
fn relevant(j: &JudgedQuery) -> BTreeSet<String> {
    let o = outcome();
    let id_by_url: HashMap<&str, &str> = o
        .documents
        .iter()
        .map(|d| (d.url.split('#').next().unwrap_or(&d.url), d.id.as_str()))
        .collect();
    o.scenario
        .docs
        .iter()
        .filter(|d| {
            d.truth
                .category
                .as_ref()
                .is_some_and(|c| j.categories.contains(c))
                && (j.hazards.is_empty()
                    || d.truth
                        .hazard
                        .as_ref()
                        .is_some_and(|h| j.hazards.contains(h)))
        })
        .filter_map(|d| {
            let url = format!("{}{}", o.base_urls[d.site.name()], d.path);
            id_by_url.get(url.as_str()).map(|id| id.to_string())
        })
        .collect()
}

fn ranking(index: &Index, q: &str, literal: bool) -> Vec<String> {
    index
        .search(&SearchRequest {
            query: q.into(),
            literal,
            collapse: false,
            limit: 50,
            ..SearchRequest::default()
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// Binary-relevance nDCG at `k`.
fn ndcg(ranked: &[String], rel: &BTreeSet<String>, k: usize) -> f64 {
    let gain = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, id)| rel.contains(*id))
        .map(|(i, _)| gain(i))
        .fold(0.0, |a, g| a + g);
    let ideal: f64 = (0..rel.len().min(k)).map(gain).sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

fn recall(ranked: &[String], rel: &BTreeSet<String>, k: usize) -> f64 {
    let found = ranked.iter().take(k).filter(|id| rel.contains(*id)).count();
    found as f64 / rel.len() as f64
}

#[test]
fn concept_search_beats_literal_search_on_the_judged_queries() {
    let judged: Judged =
        toml::from_str(include_str!("../eval/search_queries.toml")).expect("the judged set parses");
    assert!(judged.query.len() >= 30, "at least 30 judged queries");
    let index = index();
    let mut report = String::from(
        "query\trelevant\tnDCG@10 literal\tnDCG@10 concept\trecall@50 literal\trecall@50 concept\n",
    );
    let (mut sums, mut n, mut skipped) = ([0.0f64; 4], 0usize, Vec::new());
    for j in &judged.query {
        let rel = relevant(j);
        if rel.is_empty() {
            skipped.push(j.q.clone());
            continue;
        }
        let lit = ranking(&index, &j.q, true);
        let con = ranking(&index, &j.q, false);
        let m = [
            ndcg(&lit, &rel, 10),
            ndcg(&con, &rel, 10),
            recall(&lit, &rel, 50),
            recall(&con, &rel, 50),
        ];
        for (s, v) in sums.iter_mut().zip(m) {
            *s += v;
        }
        n += 1;
        report.push_str(&format!(
            "{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\n",
            j.q,
            rel.len(),
            m[0],
            m[1],
            m[2],
            m[3]
        ));
    }
    assert!(
        n >= 30,
        "{n} judged queries have relevant documents (skipped: {skipped:?})"
    );
    let mean = sums.map(|s| s / n as f64);
    report.push_str(&format!(
        "MEAN over {n} queries\t\t{:.3}\t{:.3}\t{:.3}\t{:.3}\nno relevant document in the demo: {skipped:?}\n",
        mean[0], mean[1], mean[2], mean[3]
    ));
    println!("{report}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("search-relevance.txt"), &report).unwrap();
    assert!(
        mean[1] > mean[0],
        "concept nDCG@10 {:.3} is not above literal {:.3}\n{report}",
        mean[1],
        mean[0]
    );
    assert!(
        mean[3] > mean[2],
        "concept recall@50 {:.3} is not above literal {:.3}\n{report}",
        mean[3],
        mean[2]
    );
}

fn ids(index: &Index, q: &str) -> BTreeSet<String> {
    let r = index
        .search(&SearchRequest {
            query: q.into(),
            collapse: false,
            limit: 10_000,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(r.hits.len() as u64, r.total);
    r.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn a_concept_query_finds_what_its_variants_find_and_pages_hold_one_hit_per_story() {
    let index = index();
    let canonical = ids(&index, "电动自行车 起火");
    for variant in ["电动车 起火", "电瓶车 着火", "電動自行車 起火"] {
        let v = ids(&index, variant);
        assert!(!v.is_empty(), "{variant}");
        assert!(
            v.is_subset(&canonical),
            "{variant} finds {:?} that 电动自行车 起火 does not",
            v.difference(&canonical).collect::<Vec<_>>()
        );
    }
    let literal = |q: &str| {
        index
            .search(&SearchRequest {
                query: q.into(),
                literal: true,
                collapse: false,
                limit: 10_000,
                ..SearchRequest::default()
            })
            .unwrap()
            .total
    };
    println!(
        "demo: 电动自行车 起火 literal {} concept {}; 电动车 起火 literal {} concept {}; 电瓶车 literal {}",
        literal("电动自行车 起火"),
        canonical.len(),
        literal("电动车 起火"),
        ids(&index, "电动车 起火").len(),
        literal("电瓶车"),
    );
    // every page of a broad query: no story twice, on a page or across pages
    let mut seen = BTreeSet::new();
    let mut reposted = 0;
    for page in 0..40 {
        let r = index
            .search(&SearchRequest {
                query: "".into(),
                limit: 20,
                offset: page * 20,
                ..SearchRequest::default()
            })
            .unwrap();
        for h in &r.hits {
            assert!(seen.insert(h.cluster.clone()), "story {} twice", h.cluster);
            assert_eq!(h.others.len() as u64 + 1, h.copies.min(51));
            reposted += usize::from(h.copies > 1);
        }
        if r.hits.is_empty() {
            assert_eq!(seen.len() as u64, r.stories.unwrap());
            break;
        }
    }
    assert!(
        reposted > 0,
        "the demo reposts stories; some hit must list copies"
    );
}

#[test]
fn the_cli_reports_expansions_in_json() {
    let data = outcome().data.to_str().unwrap().to_string();
    let out = crate::jiance(&["search", "电瓶车 起火", "--data", &data, "--json"]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exp = v["expansions"].as_array().unwrap();
    assert_eq!(exp.len(), 2, "{v}");
    assert_eq!(exp[0]["word"], "电瓶车");
    assert_eq!(exp[0]["concept"], "电动自行车");
    assert!(
        exp[0]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "电动车")
    );
    assert_eq!(exp[1]["concept"], "火灾");
    assert!(v["stories"].as_u64().unwrap() <= v["total"].as_u64().unwrap());
    let lit = crate::jiance(&[
        "search",
        "电瓶车 起火",
        "--data",
        &data,
        "--json",
        "--literal",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&lit.stdout).unwrap();
    assert_eq!(v["expansions"].as_array().unwrap().len(), 0);
}
