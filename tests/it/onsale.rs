//! On-sale findings on the demo (issue 20): listings still selling recalled models, against the
//! scenario's truth — precision and recall, no near-miss listing matched — and listings breaking
//! the rules (CCC, standard, banned): exactly the seeded ones; then the same findings
//! through `jiance onsale` (table, JSON, CSV, filters) and `/api/onsale` (JSON, CSV, filters,
//! bad parameters).

use std::collections::{BTreeMap, BTreeSet};

use jiance::demo::{Detail, MarketTruth, Site};
use jiance::market::names::alnum_upper;
use jiance::model::{Action, FlagBasis, OnSaleFinding, PartyRole};
use jiance::store::Store;

use crate::api::{Server, VIEWER, runtime};

fn findings() -> Vec<OnSaleFinding> {
    let outcome = crate::demo::outcome();
    Store::open(&outcome.data.join("state.sqlite"))
        .unwrap()
        .onsale()
        .unwrap()
}

/// The truth of each mall listing by its URL.
fn truth_by_url() -> BTreeMap<String, Option<MarketTruth>> {
    let outcome = crate::demo::outcome();
    let base = &outcome.base_urls["mall"];
    outcome
        .scenario
        .docs_of(Site::Mall)
        .map(|d| (format!("{base}{}", d.path), d.truth.market.clone()))
        .collect()
}

#[test]
fn on_sale_findings_meet_precision_and_recall_and_match_no_near_miss() {
    let outcome = crate::demo::outcome();
    let all = findings();
    // recall and failed-batch matches; the rules broken are the next test's
    let found: Vec<&OnSaleFinding> = all.iter().filter(|f| f.flagged.basis.is_match()).collect();
    let truth = truth_by_url();
    let recalled: BTreeSet<&String> = truth
        .iter()
        .filter(|(_, t)| matches!(t, Some(MarketTruth::Recalled { .. })))
        .map(|(u, _)| u)
        .collect();
    let near_misses = truth
        .values()
        .filter(|t| matches!(t, Some(MarketTruth::NearMiss { .. })))
        .count();
    assert!(
        recalled.len() >= 10,
        "the scenario lists recalled models {} times",
        recalled.len()
    );
    assert!(near_misses >= 5, "{near_misses} near misses");
    // several shops list each recalled model
    let per_model: BTreeMap<String, usize> = truth.values().fold(BTreeMap::new(), |mut m, t| {
        if let Some(MarketTruth::Recalled { model }) = t {
            *m.entry(alnum_upper(model)).or_default() += 1;
        }
        m
    });
    assert!(per_model.values().all(|n| *n >= 2), "{per_model:?}");

    let mut true_positive = 0usize;
    let mut hit: BTreeSet<&String> = BTreeSet::new();
    for f in found.iter().copied() {
        let t = truth.get(&f.listing.url).cloned().flatten();
        match &t {
            Some(MarketTruth::Recalled { model })
                if alnum_upper(model) == alnum_upper(&f.flagged.model) =>
            {
                true_positive += 1;
                if let Some(u) = recalled.get(&f.listing.url) {
                    hit.insert(u);
                }
            }
            Some(MarketTruth::NearMiss { model }) => {
                panic!(
                    "near miss matched: {} (recalled {model}) → {f:#?}",
                    f.listing.title
                )
            }
            _ => {}
        }
        assert_eq!(f.action, Action::Notify);
        assert_eq!(f.notify, "优选商城", "addressed to the platform");
        assert!(f.matched.contains(&"model".to_string()));
        assert!(f.confidence >= 0.75 && f.confidence <= 1.0);
        assert!(
            f.listing.sales.is_some(),
            "sales count read: {:?}",
            f.listing.sales_text
        );
        assert!(f.listing.price.is_some());
        assert!(f.listing.province.is_some(), "{:?}", f.listing.shop_region);
    }
    let precision = true_positive as f64 / found.len().max(1) as f64;
    let recall = hit.len() as f64 / recalled.len() as f64;
    println!(
        "on-sale findings: {} found, {} true; precision {precision:.3}, recall {recall:.3} ({} of {} recalled listings)",
        found.len(),
        true_positive,
        hit.len(),
        recalled.len()
    );
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(
        recall >= 0.95,
        "recall {recall:.3}: missed {:?}",
        recalled.difference(&hit).collect::<Vec<_>>()
    );
    assert!(found.iter().all(|f| !f.reason.is_empty()));
    // Every recall of the scenario with listings is found through its recall notice's page.
    let recall_urls: BTreeSet<String> = outcome
        .scenario
        .docs_of(Site::Samr)
        .filter(|d| matches!(d.detail, Detail::Recall { .. }))
        .map(|d| format!("{}{}", outcome.base_urls["samr"], d.path))
        .collect();
    assert!(found.iter().all(|f| recall_urls.contains(&f.flagged.url)));
}

/// Issue 47: every finding is addressed to the regulator where its shop ships from (by its
/// listing) and, for a recalled or failed product whose notice names its maker, to the maker's
/// (by that notice); the summary names them after the platform.
#[test]
fn on_sale_findings_are_addressed_to_the_jurisdictions_of_shop_and_maker() {
    let found = findings();
    assert!(!found.is_empty());
    for f in &found {
        let shop = f
            .jurisdictions
            .iter()
            .find(|j| j.parties.iter().any(|p| p.role == PartyRole::Shop))
            .unwrap_or_else(|| panic!("no shop jurisdiction: {f:#?}"));
        assert_eq!(
            shop.documents,
            std::slice::from_ref(&f.listing.doc_id),
            "{f:#?}"
        );
        if let Some(province) = &f.listing.province {
            assert_eq!(&shop.province, province, "{f:#?}");
        }
        assert!(
            f.summary.contains("建议同时通报属地监管部门") && f.summary.contains(&shop.name()),
            "{}",
            f.summary
        );
    }
    let makers: Vec<&OnSaleFinding> = found
        .iter()
        .filter(|f| f.flagged.basis == FlagBasis::Recall && !f.flagged.enterprise.is_empty())
        .collect();
    assert!(!makers.is_empty());
    for f in makers {
        let j = f
            .jurisdictions
            .iter()
            .find(|j| j.parties.iter().any(|p| p.role == PartyRole::Enterprise))
            .unwrap_or_else(|| panic!("no maker jurisdiction: {f:#?}"));
        assert_eq!(
            j.documents,
            std::slice::from_ref(&f.flagged.doc_id),
            "{f:#?}"
        );
        assert!(
            j.parties.iter().any(|p| p.name == f.flagged.enterprise),
            "{f:#?}"
        );
    }
}

#[test]
fn compliance_findings_are_exactly_the_seeded_listings_breaking_the_rules() {
    let found = findings();
    let truth = truth_by_url();
    let seeded: BTreeSet<(String, String)> = truth
        .iter()
        .filter_map(|(u, t)| match t {
            Some(MarketTruth::Breaks { basis }) => Some((u.clone(), basis.to_string())),
            _ => None,
        })
        .collect();
    let bases: BTreeSet<&str> = seeded.iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(
        bases,
        ["banned", "ccc", "standard"].into_iter().collect(),
        "the scenario seeds every kind: {seeded:?}"
    );
    assert!(seeded.len() >= 9, "{seeded:?}");
    let broken: Vec<&OnSaleFinding> = found
        .iter()
        .filter(|f| !f.flagged.basis.is_match())
        .collect();
    let got: BTreeSet<(String, String)> = broken
        .iter()
        .map(|f| (f.listing.url.clone(), f.flagged.basis.as_str().to_string()))
        .collect();
    let extra: Vec<_> = broken
        .iter()
        .filter(|f| {
            !seeded.contains(&(f.listing.url.clone(), f.flagged.basis.as_str().to_string()))
        })
        .map(|f| (&f.listing.title, &f.listing.categories, &f.reason))
        .collect();
    println!(
        "compliance findings: {} found, {} seeded, {} by basis {:?}",
        got.len(),
        seeded.len(),
        broken.len(),
        broken.iter().fold(BTreeMap::new(), |mut m, f| {
            *m.entry(f.flagged.basis.as_str()).or_insert(0) += 1;
            m
        })
    );
    assert!(extra.is_empty(), "not seeded: {extra:#?}");
    assert_eq!(
        got,
        seeded,
        "missed: {:?}",
        seeded.difference(&got).collect::<Vec<_>>()
    );
    assert_eq!(got.len(), broken.len(), "one finding per listing and rule");
    for f in &broken {
        assert_eq!(f.action, Action::Notify);
        assert_eq!(f.notify, "优选商城", "addressed to the platform");
        assert!(
            !f.reason.is_empty() && f.summary.contains(&f.reason),
            "{f:#?}"
        );
        match f.flagged.basis {
            FlagBasis::Ccc => assert!(f.reason.contains("CCC"), "{}", f.reason),
            FlagBasis::Standard => {
                // the standard in force is named with its number, and an old one claimed too
                assert!(f.reason.contains("GB "), "{}", f.reason);
                assert!(
                    f.matched.contains(&"old-standard".to_string())
                        || f.matched.contains(&"no-standard".to_string())
                );
            }
            FlagBasis::Banned => assert!(f.reason.contains("禁售"), "{}", f.reason),
            _ => unreachable!(),
        }
    }
    // Both ways of breaking a standard are seeded and found.
    for what in ["old-standard", "no-standard"] {
        assert!(
            broken.iter().any(|f| f.matched.iter().any(|m| m == what)),
            "{what}"
        );
    }
}

#[test]
fn jiance_onsale_lists_filters_and_exports_the_findings() {
    let outcome = crate::demo::outcome();
    let found = findings();
    let data = outcome.data.to_str().unwrap();
    let out = crate::jiance(&["onsale", "--data", data, "--json"]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let v: Vec<OnSaleFinding> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, found);
    let table = crate::jiance(&["onsale", "--data", data]);
    let text = crate::text(&table.stdout);
    assert!(
        text.contains("优选商城") && text.contains("listings to notify"),
        "{text}"
    );
    // A province filter keeps exactly the shops placed there.
    let province = found[0].listing.province.clone().unwrap();
    let short = province.trim_end_matches(['省', '市']);
    let out = crate::jiance(&["onsale", "--data", data, "--json", "--region", short]);
    let v: Vec<OnSaleFinding> = serde_json::from_slice(&out.stdout).unwrap();
    let expected = found
        .iter()
        .filter(|f| f.listing.province.as_deref() == Some(province.as_str()))
        .count();
    assert_eq!(v.len(), expected);
    assert!(
        v.iter()
            .all(|f| f.listing.province.as_deref() == Some(province.as_str()))
    );
    let out = crate::jiance(&[
        "onsale",
        "--data",
        data,
        "--csv",
        "--platform",
        "没有这个平台",
    ]);
    let csv = crate::text(&out.stdout);
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().count(),
        1,
        "header only: {csv}"
    );
    let out = crate::jiance(&["onsale", "--data", data, "--csv"]);
    let mut r = csv::Reader::from_reader(&out.stdout[3..]);
    assert_eq!(r.records().count(), found.len());
    // A basis filter keeps that basis only; an unknown one is refused.
    let out = crate::jiance(&["onsale", "--data", data, "--json", "--basis", "ccc"]);
    let v: Vec<OnSaleFinding> = serde_json::from_slice(&out.stdout).unwrap();
    let ccc = found
        .iter()
        .filter(|f| f.flagged.basis == FlagBasis::Ccc)
        .count();
    assert!(ccc > 0);
    assert_eq!(v.len(), ccc);
    let out = crate::jiance(&["onsale", "--data", data, "--basis", "nothing"]);
    assert!(!out.status.success());
    assert!(crate::text(&out.stderr).contains("expected recall"));
    // Matching again gives the same findings (ids, first seen kept).
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("data");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(outcome.data.join("state.sqlite"), copy.join("state.sqlite")).unwrap();
    let out = crate::jiance(&[
        "onsale",
        "--data",
        copy.to_str().unwrap(),
        "--match",
        "--json",
    ]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let again: Vec<OnSaleFinding> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        again.iter().map(|f| &f.id).collect::<Vec<_>>(),
        found.iter().map(|f| &f.id).collect::<Vec<_>>()
    );
    assert!(
        again
            .iter()
            .zip(&found)
            .all(|(a, b)| a.first_seen == b.first_seen)
    );
}

#[test]
fn api_onsale_serves_json_pages_csv_and_refuses_bad_parameters() {
    let found = findings();
    let server = Server::start(jiance::serve::Access::new(
        vec![VIEWER.into()],
        vec![],
        false,
    ));
    runtime().block_on(async {
        let http = jiance::util::tls::client();
        let get = |q: &str| {
            http.get(format!("{}/api/onsale{q}", server.base))
                .bearer_auth(VIEWER)
                .send()
        };
        let v: serde_json::Value =
            serde_json::from_str(&get("").await.unwrap().text().await.unwrap()).unwrap();
        assert_eq!(v["total"], found.len());
        assert_eq!(v["platforms"]["优选商城"], found.len());
        assert_eq!(v["findings"][0]["id"], found[0].id.as_str());
        let v: serde_json::Value = serde_json::from_str(
            &get("?limit=2&offset=1")
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            2.min(found.len() - 1)
        );
        assert_eq!(v["findings"][0]["id"], found[1].id.as_str());
        let v: serde_json::Value = serde_json::from_str(
            &get("?platform=%E6%B2%A1%E6%9C%89")
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(v["total"], 0);
        let resp = get("?format=csv").await.unwrap();
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let body = resp.bytes().await.unwrap();
        assert!(body.starts_with(b"\xEF\xBB\xBF"));
        assert_eq!(
            csv::Reader::from_reader(&body[3..]).records().count(),
            found.len()
        );
        let v: serde_json::Value =
            serde_json::from_str(&get("?basis=banned").await.unwrap().text().await.unwrap())
                .unwrap();
        let banned = found
            .iter()
            .filter(|f| f.flagged.basis == FlagBasis::Banned)
            .count();
        assert!(banned > 0);
        assert_eq!(v["total"], banned);
        assert_eq!(v["bases"]["banned"], banned);
        for bad in ["?format=xml", "?limit=-1", "?offset=x", "?basis=other"] {
            let resp = get(bad).await.unwrap();
            assert_eq!(resp.status().as_u16(), 400, "{bad}");
        }
        let resp = http
            .get(format!("{}/api/onsale", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
    });
}

#[test]
fn an_alert_page_shows_its_brands_exposure_and_disproportion() {
    let outcome = crate::demo::outcome();
    let top = &outcome.alerts[0];
    let server = Server::start(jiance::serve::Access::new(
        vec![VIEWER.into()],
        vec![],
        false,
    ));
    runtime().block_on(async {
        let text = jiance::util::tls::client()
            .get(format!("{}/api/alerts/{}", server.base, top.id))
            .bearer_auth(VIEWER)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let brands = v["brands"].as_array().unwrap();
        assert!(
            !brands.is_empty(),
            "{} has complaints naming brands",
            top.category
        );
        let mut with_units = 0;
        for b in brands {
            let reports = b["reports"].as_f64().unwrap();
            assert!(reports >= 1.0);
            if let Some(units) = b["units"].as_f64() {
                with_units += 1;
                let rate = b["rate"].as_f64().unwrap();
                assert!((rate - reports * 10_000.0 / units).abs() < 1e-6, "{b}");
                assert!(b["category_rate"].as_f64().is_some());
            }
            if let Some(d) = b["disproportion"].as_object() {
                assert_eq!(d["brand"], b["brand"]);
                assert!(d["eb05"].as_f64().unwrap() <= d["ebgm"].as_f64().unwrap());
            }
        }
        assert!(
            with_units > 0,
            "listings give units sold for some brand: {brands:?}"
        );
        // ranked by the rate one is 95% sure of: brands with sales counts first, highest first
        let lows: Vec<f64> = brands
            .iter()
            .map_while(|b| b["rate_low"].as_f64())
            .collect();
        assert_eq!(lows.len(), with_units, "{brands:?}");
        assert!(lows.windows(2).all(|w| w[0] >= w[1]), "{lows:?}");
        for b in &brands[..with_units] {
            assert!(b["rate_low"].as_f64().unwrap() <= b["rate"].as_f64().unwrap());
        }
    });
}
