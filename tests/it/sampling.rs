//! Sampling plans that name purchases (issue 20, item 5), on the demo: each drafted request lists
//! concrete listings to buy — at most one per shop, brand and enterprise (names normalised), none
//! sampled before — and test items tied to a standard number, each once; the same through the
//! CSV export and the printable page for the buyers.

use std::collections::HashSet;

use jiance::market::{MarketRules, names};
use jiance::pipeline::{DataDir, Engine, RuleDirs};
use jiance::store::Store;

use crate::api::{Server, copy_dir, runtime};

#[test]
fn sampling_requests_name_one_listing_per_shop_brand_and_enterprise_and_standard_items() {
    let outcome = crate::demo::outcome();
    let store = Store::open(&outcome.data.join("state.sqlite")).unwrap();
    let requests = store.sampling_requests().unwrap();
    assert!(!requests.is_empty(), "the demo drafts sampling requests");
    let rules = MarketRules::load(None).unwrap();
    let suffixes = &rules.names.enterprise_suffixes;
    let mall = &outcome.base_urls["mall"];
    for r in &requests {
        assert!(
            !r.purchases.is_empty() && r.purchases.len() <= r.batches as usize,
            "{}: {} purchases for {} batches",
            r.category,
            r.purchases.len(),
            r.batches
        );
        let (mut shops, mut brands, mut makers) = (HashSet::new(), HashSet::new(), HashSet::new());
        for p in &r.purchases {
            assert!(p.url.starts_with(mall.as_str()), "{}", p.url);
            assert!(shops.insert(rules.shop(&p.shop)), "shop twice: {}", p.shop);
            if !p.brand.is_empty() {
                assert!(
                    brands.insert(rules.brand(&p.brand)),
                    "brand twice: {}",
                    p.brand
                );
            }
            if !p.enterprise.is_empty() {
                assert!(makers.insert(names::enterprise(&p.enterprise, suffixes)));
            }
            assert!(p.price.is_some() && !p.platform.is_empty());
        }
        let listed: HashSet<String> = r.shops.iter().map(|s| rules.shop(s)).collect();
        assert_eq!(
            listed.len(),
            r.shops.len(),
            "near-duplicate shops: {:?}",
            r.shops
        );
        let items: HashSet<&str> = r.items.iter().map(|t| t.item.as_str()).collect();
        assert_eq!(items.len(), r.items.len(), "an item twice: {:?}", r.items);
        assert!(!r.items.is_empty());
        for t in &r.items {
            assert!(
                jiance::market::standards::is_standard_number(&t.standard),
                "{t:?} is not tied to a standard number"
            );
        }
    }
}

/// An item's spelling folded for telling clauses apart: no punctuation or joining words.
fn clause(item: &str) -> String {
    item.chars()
        .filter(|c| c.is_alphanumeric() && !matches!(c, '和' | '及' | '与' | '或'))
        .collect()
}

#[test]
fn the_e_bike_battery_request_lists_no_item_of_another_family_and_none_twice() {
    let outcome = crate::demo::outcome();
    let store = Store::open(&outcome.data.join("state.sqlite")).unwrap();
    let standards = jiance::market::standards::Standards::load(None).unwrap();
    let requests = store.sampling_requests().unwrap();
    let rules = MarketRules::load(None).unwrap();
    for r in &requests {
        let own: HashSet<&str> = standards
            .standards
            .iter()
            .filter(|s| s.categories.contains(&r.category))
            .flat_map(|s| s.items.iter().map(String::as_str))
            .collect();
        if !own.is_empty() {
            for t in &r.test_items {
                assert!(
                    own.contains(t.as_str()),
                    "{}: {t} is not of its standard",
                    r.category
                );
            }
        }
        let mut seen: Vec<String> = Vec::new();
        for t in &r.test_items {
            let k = clause(t);
            assert!(
                !seen.iter().any(|s| {
                    let (short, long) = if s.len() <= k.len() { (s, &k) } else { (&k, s) };
                    short == long
                        || (short.chars().count() >= 4 && long.starts_with(short.as_str()))
                }),
                "{}: {t} twice in {:?}",
                r.category,
                r.test_items
            );
            seen.push(k);
        }
        // one brand's shops (格致优选店, 格致工厂店) are one brand
        let brands: Vec<String> = r
            .purchases
            .iter()
            .flat_map(|p| {
                let mut b: Vec<String> = rules.shop_brand(&p.shop).into_iter().collect();
                if !p.brand.is_empty() {
                    b.push(rules.brand(&p.brand));
                }
                b.dedup();
                b
            })
            .collect();
        let unique: HashSet<&String> = brands.iter().collect();
        assert_eq!(
            unique.len(),
            brands.len(),
            "a brand twice: {:#?}",
            r.purchases
        );
    }
}

#[test]
fn a_shop_or_brand_sampled_before_is_not_proposed_again() {
    let outcome = crate::demo::outcome();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&outcome.data, &data);
    let engine = Engine::open(
        DataDir::new(&data),
        &RuleDirs::default(),
        Default::default(),
    )
    .unwrap();
    let before = engine.store.sampling_requests().unwrap();
    let r = before
        .iter()
        .find(|r| r.purchases.len() >= 2)
        .expect("a request with two purchases");
    let (shop, brand) = (r.purchases[0].shop.clone(), r.purchases[1].brand.clone());
    engine
        .store
        .record_sampling(
            &r.alert_id,
            &[shop.clone(), brand.clone()],
            outcome.scenario.end,
        )
        .unwrap();
    engine.score(outcome.scenario.end).unwrap();
    let rules = MarketRules::load(None).unwrap();
    let after = engine.store.sampling_request(&r.alert_id).unwrap().unwrap();
    for p in &after.purchases {
        assert_ne!(rules.shop(&p.shop), rules.shop(&shop));
        assert_ne!(rules.brand(&p.brand), rules.brand(&brand));
    }
}

#[test]
fn sampling_exports_as_csv_and_prints_for_the_buyers() {
    let server = Server::start(jiance::serve::Access::new(vec![], vec![], true));
    let requests = server.store().sampling_requests().unwrap();
    runtime().block_on(async {
        let http = jiance::util::tls::client();
        let resp = http
            .get(format!("{}/api/sampling-requests?format=csv", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body = resp.bytes().await.unwrap();
        let rows = csv::Reader::from_reader(&body[3..]).records().count();
        assert_eq!(
            rows,
            requests.iter().map(|r| r.purchases.len()).sum::<usize>()
        );
        let print = |alert_id: String| {
            let http = http.clone();
            let url = format!("{}/print/sampling/{alert_id}", server.base);
            async move { http.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let r = &requests[0];
        let page = print(r.alert_id.clone()).await;
        assert!(page.contains("采样人员"), "{page}");
        for p in &r.purchases {
            assert!(page.contains(&p.shop), "{} missing", p.shop);
        }
        for t in &r.items {
            assert!(page.contains(&t.standard) && page.contains(&t.item));
        }
        // the buyers read why the repeat offenders come first (nothing in a reason is markup)
        let r = requests
            .iter()
            .find(|r| !r.reason.is_empty())
            .expect("a request buying from a repeat offender");
        let page = print(r.alert_id.clone()).await;
        assert!(page.contains(&r.reason), "{page}");
        let status = http
            .get(format!("{}/print/sampling/no-such-alert", server.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 404);
    });
}

/// Issue 47: an alert's packages per jurisdiction, as JSON, CSV (one row per party and document)
/// and a printable page with one package per place.
#[test]
fn jurisdiction_packages_export_as_json_csv_and_a_printable_page() {
    let server = Server::start(jiance::serve::Access::new(vec![], vec![], true));
    let alerts = server.store().alerts().unwrap();
    let Some(alert) = alerts
        .iter()
        .find(|a| a.action == jiance::model::Action::Notify && !a.jurisdictions.is_empty())
    else {
        panic!("no routed notify alert: {alerts:#?}");
    };
    runtime().block_on(async {
        let http = jiance::util::tls::client();
        let url = format!("{}/api/alerts/{}/jurisdictions", server.base, alert.id);
        let text = http.get(&url).send().await.unwrap().text().await.unwrap();
        let json: Vec<jiance::model::Jurisdiction> = serde_json::from_str(&text).unwrap();
        assert_eq!(json, alert.jurisdictions);
        let resp = http.get(format!("{url}?format=csv")).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body = resp.bytes().await.unwrap();
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&body[3..])
            .records()
            .map(Result::unwrap)
            .collect();
        let expected: usize = alert
            .jurisdictions
            .iter()
            .flat_map(|j| &j.parties)
            .map(|p| p.documents.len())
            .sum();
        assert_eq!(rows.len(), expected);
        // every row names a document the store knows, by its title and link
        assert!(rows.iter().all(|r| !r[7].is_empty() && !r[8].is_empty()));
        let page = http
            .get(format!("{}/print/jurisdictions/{}", server.base, alert.id))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for j in &alert.jurisdictions {
            assert!(page.contains(&format!("属地通报 · {}", j.name())), "{page}");
            for p in &j.parties {
                assert!(page.contains(&p.name), "{} missing", p.name);
            }
            if let Some(c) = &j.contact {
                assert!(page.contains(&format!("送达：<b>{}</b>", c.unit)), "{page}");
            }
        }
        for path in [
            "print/jurisdictions/no-such-alert",
            "api/alerts/no-such-alert/jurisdictions",
        ] {
            let resp = http.get(format!("{}/{path}", server.base)).send().await;
            assert_eq!(resp.unwrap().status().as_u16(), 404, "{path}");
        }
    });
}

/// Issue 47: each on-sale finding's packages per jurisdiction — its shop's place and the place of
/// the maker its notice names — as JSON, CSV (one row per party and document, first column the
/// finding) and a printable page with one package per place.
#[test]
fn on_sale_finding_packages_export_as_json_csv_and_a_printable_page() {
    let server = Server::start(jiance::serve::Access::new(vec![], vec![], true));
    let findings = server.store().onsale().unwrap();
    // a recalled product whose notice names its maker: a shop's and a maker's jurisdiction
    let Some(f) = findings.iter().find(|f| {
        let roles: Vec<_> = f
            .jurisdictions
            .iter()
            .flat_map(|j| j.parties.iter().map(|p| p.role))
            .collect();
        roles.contains(&jiance::model::PartyRole::Shop)
            && roles.contains(&jiance::model::PartyRole::Enterprise)
    }) else {
        panic!("no finding routed to a shop's and a maker's place: {findings:#?}");
    };
    runtime().block_on(async {
        let http = jiance::util::tls::client();
        let url = format!("{}/api/onsale/{}/jurisdictions", server.base, f.id);
        let text = http.get(&url).send().await.unwrap().text().await.unwrap();
        let json: Vec<jiance::model::Jurisdiction> = serde_json::from_str(&text).unwrap();
        assert_eq!(json, f.jurisdictions);
        let resp = http.get(format!("{url}?format=csv")).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body = resp.bytes().await.unwrap();
        let mut reader = csv::Reader::from_reader(&body[3..]);
        assert_eq!(&reader.headers().unwrap()[0], "在售 finding");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let expected: usize = f
            .jurisdictions
            .iter()
            .flat_map(|j| &j.parties)
            .map(|p| p.documents.len())
            .sum();
        assert_eq!(rows.len(), expected);
        assert!(rows.iter().all(|r| &r[0] == f.id.as_str()));
        // the listing and the recall notice, by their titles and links
        assert!(
            rows.iter().any(|r| &r[8] == f.listing.url.as_str()),
            "{rows:?}"
        );
        assert!(
            rows.iter().any(|r| &r[8] == f.flagged.url.as_str()),
            "{rows:?}"
        );
        let page = http
            .get(format!(
                "{}/print/onsale/{}/jurisdictions",
                server.base, f.id
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            page.matches("<section class=\"package\">").count(),
            f.jurisdictions.len(),
            "{page}"
        );
        for j in &f.jurisdictions {
            assert!(page.contains(&format!("属地通报 · {}", j.name())), "{page}");
            for p in &j.parties {
                assert!(page.contains(&p.name), "{} missing", p.name);
            }
        }
        assert!(page.contains(&f.listing.shop), "{page}");
        for path in [
            "print/onsale/no-such-finding/jurisdictions",
            "api/onsale/no-such-finding/jurisdictions",
        ] {
            let resp = http.get(format!("{}/{path}", server.base)).send().await;
            assert_eq!(resp.unwrap().status().as_u16(), 404, "{path}");
        }
    });
}

/// Repeat offenders' listings first (issue 47): the demo holds 格致's recall and its listings
/// still on sale, which makes the brand a repeat offender (`rules/parties.toml`: 召回后仍在售);
/// the request for its category buys a 格致 listing before every other — from the first scoring
/// run on a fresh store, since on-sale matching runs before purchases are planned — the purchase's why and the request's reason say so, and in every
/// request the repeat offenders' purchases come before the rest.
#[test]
fn a_repeat_offenders_listing_is_bought_first_and_the_request_says_why() {
    let outcome = crate::demo::outcome();
    let store = Store::open(&outcome.data.join("state.sqlite")).unwrap();
    let market = MarketRules::load(None).unwrap();
    let party_rules = jiance::review::PartyRules::load(None).unwrap();
    let parties = jiance::review::parties::from_store(&store, &market, &party_rules).unwrap();
    assert!(
        parties
            .iter()
            .any(|p| p.key == "格致" && p.repeat.iter().any(|m| m.rule == "召回后仍在售")),
        "the demo recalls 格致 and still lists it"
    );
    let requests = store.sampling_requests().unwrap();
    for r in &requests {
        let first: Vec<bool> = r
            .purchases
            .iter()
            .map(|p| p.why.starts_with("重复违法："))
            .collect();
        assert!(
            first.windows(2).all(|w| w[0] >= w[1]),
            "{}: {:#?}",
            r.category,
            r.purchases
        );
        assert_eq!(
            r.reason.is_empty(),
            first.first() != Some(&true),
            "{}: {}",
            r.category,
            r.reason
        );
    }
    // the first run on a fresh store already knows: on-sale matching runs before purchases are
    // planned, so a party it finds recalled and still on sale is bought first in the same run
    let first = outcome
        .first_sampling
        .iter()
        .find(|r| r.purchases.iter().any(|p| market.brand(&p.brand) == "格致"))
        .expect("a first-run request buying a 格致 listing");
    assert_eq!(
        market.brand(&first.purchases[0].brand),
        "格致",
        "{:#?}",
        first.purchases
    );
    let r = requests
        .iter()
        .find(|r| r.purchases.iter().any(|p| market.brand(&p.brand) == "格致"))
        .expect("a request buying a 格致 listing");
    assert_eq!(
        market.brand(&r.purchases[0].brand),
        "格致",
        "{:#?}",
        r.purchases
    );
    assert!(
        r.purchases[0].why.contains("召回后仍在售"),
        "{}",
        r.purchases[0].why
    );
    assert!(
        r.reason.starts_with("优先抽购重复违法者的在售商品：") && r.reason.contains("召回后仍在售"),
        "{}",
        r.reason
    );
}
