//! Foreign recall sources (issue 18, part 4): each block of `deploy/sources/foreign.toml` reads its
//! fixture (`tests/it/fixtures/foreign/`, small files written from the services' documented fields,
//! invented products and ids) into documents with product, model, hazard, remedy and origin fields
//! and the recalling country as `境外:<country>`; the English alias layer of the rules gives them a
//! product category and a hazard. Nothing here touches the network: the fixtures are handed to the
//! parser as the crawler would hand over a fetched page.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;
use jiance::analyze::ClusterIndex;
use jiance::config::{SourceConfig, load_source_file};
use jiance::model::{Document, Extraction, Fetched, PageRole};

use crate::eval::analyzer;

fn sources() -> BTreeMap<String, SourceConfig> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/sources/foreign.toml");
    match load_source_file(&path) {
        Ok(s) => s.into_iter().map(|s| (s.name.clone(), s)).collect(),
        Err(e) => panic!("deploy/sources/foreign.toml does not load: {e:?}"),
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/foreign")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fetched(source: &str, url: &str, body: Vec<u8>) -> Fetched {
    Fetched::page(source, url, PageRole::Api, body)
}

/// The documents one source's block makes of a fixture served at `url`.
fn parse(source: &str, url: &str, file: &str) -> Vec<Document> {
    let all = sources();
    let src = all
        .get(source)
        .unwrap_or_else(|| panic!("no source {source} in deploy/sources/foreign.toml"));
    jiance::parse::parse(&fetched(source, url, fixture(file)), src)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn analyze(d: &Document) -> Extraction {
    analyzer().analyze(d, &mut ClusterIndex::new())
}

fn field<'a>(d: &'a Document, k: &str) -> &'a str {
    d.field(k).unwrap_or("")
}

/// Category, hazard and place of a document's findings, as the signal table would count them.
fn findings(x: &Extraction) -> Vec<(String, String, String)> {
    x.findings
        .iter()
        .map(|f| {
            (
                f.category.clone(),
                f.hazard.clone(),
                f.province.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn has(x: &Extraction, cat: &str, hazard: &str, place: &str) -> bool {
    findings(x)
        .iter()
        .any(|(c, h, p)| c == cat && h == hazard && p == place)
}

#[test]
fn cpsc_recalls_become_documents_with_their_fields_placed_in_the_us() {
    let docs = parse(
        "us-cpsc-recalls",
        "https://www.saferproducts.gov/RestWebServices/Recall?format=json&RecallDateStart=2026-01-01",
        "cpsc_recalls.json",
    );
    assert_eq!(docs.len(), 2);
    let (banks, dressers) = (&docs[0], &docs[1]);
    assert_eq!(
        banks.title,
        "Brightwell Power Banks Recalled Due to Fire and Burn Hazards"
    );
    // description, hazard and remedy are all in the analysed text
    for part in ["model PB-20 power banks", "catch fire", "free replacement"] {
        assert!(
            banks.text.contains(part),
            "{part:?} not in {:?}",
            banks.text
        );
    }
    assert_eq!(field(banks, "product"), "Brightwell PB-20 Power Banks");
    assert_eq!(field(banks, "model"), "PB-20");
    assert!(field(banks, "hazard").contains("fire and burn hazards"));
    assert!(field(banks, "remedy").starts_with("Stop using"));
    assert_eq!(field(banks, "origin"), "Vietnam");
    assert_eq!(field(banks, "enterprise"), "Brightwell Trading Co.");
    assert_eq!(
        banks.url,
        "https://www.cpsc.gov/Recalls/2026/Invented-Brightwell-Power-Banks"
    );
    assert_eq!(banks.region_hint.as_deref(), Some("境外:美国"));
    // a date without a zone counts on that day
    assert!(banks.published_at.is_some());
    assert_eq!(banks.day().to_string(), "2026-03-12");
    // a name on an array reads every element: both dressers' models
    assert_eq!(field(dressers, "model"), "DR-6A、DR-6B");
    assert_ne!(banks.id, dressers.id);

    let x = analyze(banks);
    assert!(x.is_signal, "not a signal: {:?}", x.reason);
    assert!(
        has(&x, "移动电源", "火灾", "境外:美国"),
        "findings {:?}",
        findings(&x)
    );
    let x = analyze(dressers);
    assert!(
        has(&x, "家具", "跌落/倾倒", "境外:美国"),
        "findings {:?}",
        findings(&x)
    );
}

#[test]
fn health_canada_reads_consumer_products_only_placed_in_canada() {
    let docs = parse(
        "ca-health-canada-recalls",
        "https://healthycanadians.gc.ca/recall-alert-rappel-avis/api/recent/en",
        "health_canada_recent.json",
    );
    // the CPS list only: the food recall of the same response is not read
    assert_eq!(
        docs.len(),
        2,
        "{:?}",
        docs.iter().map(|d| &d.title).collect::<Vec<_>>()
    );
    assert!(docs.iter().all(|d| !d.title.contains("crackers")));
    assert_eq!(
        docs[0].url,
        "https://healthycanadians.gc.ca/recall-alert-rappel-avis/hc-sc/2026/90001a-eng.php"
    );
    assert!(
        docs.iter()
            .all(|d| d.region_hint.as_deref() == Some("境外:加拿大"))
    );
    let heaters = analyze(&docs[0]);
    assert!(
        has(&heaters, "室内加热器", "火灾", "境外:加拿大"),
        "findings {:?}",
        findings(&heaters)
    );
    let hoodies = analyze(&docs[1]);
    assert!(
        has(&hoodies, "儿童及婴幼儿服装", "勒伤/缠绕", "境外:加拿大"),
        "findings {:?}",
        findings(&hoodies)
    );
}

#[test]
fn safety_gate_follows_the_report_list_and_places_alerts_in_the_notifying_country() {
    let all = sources();
    let src = &all["eu-safety-gate"];
    let list = fetched(
        "eu-safety-gate",
        "https://ec.europa.eu/safety-gate-alerts/api/download/weeklyReport/list/xml/en",
        fixture("safety_gate_list.xml"),
    );
    let found = jiance::parse::discover(&list, src).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        found.next,
        vec![
            "https://ec.europa.eu/safety-gate-alerts/api/download/weeklyReport/detail/xml/990011?language=en",
            "https://ec.europa.eu/safety-gate-alerts/api/download/weeklyReport/detail/xml/990010?language=en",
        ]
    );
    // the list itself holds no alerts
    assert!(jiance::parse::parse(&list, src).unwrap().is_empty());

    let docs = parse("eu-safety-gate", &found.next[0], "safety_gate_week.xml");
    assert_eq!(docs.len(), 2);
    let toy = &docs[0];
    assert_eq!(toy.title, "Soft toy\nBunny plush");
    assert!(
        toy.text.contains("mouth & choke"),
        "CDATA kept: {:?}",
        toy.text
    );
    assert!(
        toy.text.contains("ears & plastic"),
        "entity decoded: {:?}",
        toy.text
    );
    assert_eq!(field(toy, "brand"), "Fluffo");
    assert_eq!(field(toy, "model"), "FB-100");
    assert_eq!(field(toy, "hazard"), "Choking");
    assert_eq!(
        field(toy, "remedy"),
        "Withdrawal of the product from the market"
    );
    assert_eq!(field(toy, "origin"), "Unknown");
    assert_eq!(toy.region_hint.as_deref(), Some("Germany"));
    let x = analyze(toy);
    assert!(
        has(&x, "玩具", "窒息", "境外:德国"),
        "findings {:?}",
        findings(&x)
    );
    let heater = analyze(&docs[1]);
    assert!(
        has(&heater, "室内加热器", "火灾", "境外:法国"),
        "findings {:?}",
        findings(&heater)
    );
}

#[test]
fn oecd_feed_items_are_placed_in_their_own_jurisdiction() {
    let docs = parse(
        "oecd-globalrecalls",
        "https://globalrecalls.oecd.org/ws/rss.xqy",
        "oecd_rss.xml",
    );
    assert_eq!(docs.len(), 2);
    // links that differ only in their fragment still make two documents (identity by guid)
    assert_ne!(docs[0].id, docs[1].id);
    assert_eq!(
        field(&docs[0], "link"),
        "https://globalrecalls.oecd.org/#/recall/invented-990021"
    );
    assert!(docs[0].published_at.is_some());
    let magnets = analyze(&docs[0]);
    assert!(
        has(&magnets, "磁性玩具", "误吞", "境外:澳大利亚"),
        "findings {:?}",
        findings(&magnets)
    );
    let kettles = analyze(&docs[1]);
    assert!(
        has(&kettles, "电热水壶", "烫伤/烧伤", "境外:韩国"),
        "findings {:?}",
        findings(&kettles)
    );
}

/// A recall document of no source, as the analyzer sees English text.
fn english(title: &str, text: &str, region: Option<&str>) -> Extraction {
    let d = Document {
        id: jiance::model::doc_id(title),
        source: "test".into(),
        channel: jiance::model::Channel::Standard,
        kind: Some(jiance::model::DocKind::Recall),
        url: String::new(),
        title: title.into(),
        text: text.into(),
        published_at: None,
        fetched_at: Utc::now(),
        fields: BTreeMap::new(),
        rows: Vec::new(),
        region_hint: region.map(str::to_string),
        weight: 1.0,
    };
    analyze(&d)
}

#[test]
fn english_aliases_give_category_and_hazard_as_whole_words_in_any_case() {
    // positive: mixed case, plural, hyphenated terms
    let x = english(
        "Acme recalls LITHIUM-ION Battery Packs",
        "The battery packs can overheat and Catch Fire. Small caps pose a Choking Hazard.",
        Some("境外:美国"),
    );
    assert!(
        x.categories.contains(&"锂离子电池".to_string()),
        "{:?}",
        x.categories
    );
    let hazards: Vec<&str> = x.hazards.iter().map(|h| h.hazard.as_str()).collect();
    assert!(
        hazards.contains(&"火灾") && hazards.contains(&"窒息"),
        "{hazards:?}"
    );
    assert!(
        has(&x, "锂离子电池", "火灾", "境外:美国"),
        "{:?}",
        findings(&x)
    );

    // lead as a metal, not as a verb
    let x = english(
        "Wooden toys recalled",
        "The paint contains excessive lead.",
        None,
    );
    assert!(
        x.hazards.iter().any(|h| h.hazard == "化学危害"),
        "{:?}",
        x.hazards
    );

    // negative: a term inside a longer word or another word is no match
    let x = english(
        "Toyota leads the market",
        "The misleading figures were shown in a chokehold of a quarterly report.",
        None,
    );
    let hazards: Vec<&str> = x.hazards.iter().map(|h| h.hazard.as_str()).collect();
    assert!(
        !hazards.contains(&"化学危害") && !hazards.contains(&"窒息"),
        "{hazards:?}"
    );
    assert!(x.categories.is_empty(), "{:?}", x.categories);
    assert!(!x.is_signal);
}

#[test]
fn every_category_resolves_from_its_english_name() {
    // Foreign recalls name products in English; each category of the taxonomy (not the
    // out-of-scope and unclassified buckets) carries English names, and the first of them,
    // in a recall sentence, gives that category.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/products.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let rules: toml::Value = toml::from_str(&text).unwrap();
    let cats = rules["category"].as_array().unwrap();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for c in cats {
        let name = c["name"].as_str().unwrap();
        if name.starts_with("范围外") || name == "未归类" {
            continue;
        }
        let Some(en) = c
            .get("en")
            .and_then(|e| e.as_array())
            .and_then(|e| e.first())
        else {
            missing.push(name.to_string());
            continue;
        };
        let en = en.as_str().unwrap();
        let x = english(
            &format!("Northwind Trading recalls {en}"),
            &format!("The company is recalling about 2,000 {en} sold online last spring."),
            None,
        );
        if !x.categories.iter().any(|c| c == name) {
            wrong.push(format!("{en} → {:?} (want {name})", x.categories));
        }
    }
    assert!(
        missing.is_empty(),
        "categories without English names: {missing:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        cats.len()
    );
}
