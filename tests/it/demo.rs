//! `jiance demo` end to end (no serving): the simulated sites are crawled over 127.0.0.1 by the
//! real crawler, archived, parsed, analysed, indexed, stored and scored, then checked against the
//! scenario's ground truth. The run happens once per test binary and is shared by the tests.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use jiance::demo::run::{DemoOptions, crawl_and_score, prepare};
use jiance::demo::{Role, Scenario};
use jiance::model::{Action, Alert, PartyRole, Scope, Signal};
use jiance::pipeline::RunReport;
use jiance::store::{DocumentRow, Store};

pub struct Outcome {
    pub data: PathBuf,
    pub scenario: Arc<Scenario>,
    pub base_urls: BTreeMap<String, String>,
    pub alerts: Vec<Alert>,
    pub signals: Vec<Signal>,
    pub documents: Vec<DocumentRow>,
    pub first: RunReport,
    /// The sampling requests of the first scoring run (a fresh store).
    pub first_sampling: Vec<jiance::model::SamplingRequest>,
    pub second: RunReport,
    pub documents_after_first: u64,
    pub signals_after_first: usize,
    _dir: tempfile::TempDir,
}

/// A fixed end date keeps the run identical whatever day the tests run.
pub const END: (i32, u32, u32) = (2026, 11, 20);

pub fn outcome() -> &'static Outcome {
    static OUTCOME: OnceLock<Outcome> = OnceLock::new();
    OUTCOME.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let data = dir.path().join("data");
            let opts = DemoOptions {
                data: Some(data.clone()),
                end: NaiveDate::from_ymd_opt(END.0, END.1, END.2),
                ..Default::default()
            };
            let (engine, scenario) = prepare(&opts).unwrap();
            let run = crawl_and_score(engine, scenario).await.unwrap();
            let documents_after_first = run.engine.store.document_count().unwrap();
            let signals_after_first = run.engine.store.signals().unwrap().len();
            // A second pass over the same sites: what was committed is not fetched or counted again.
            let sources = run.sites.stable_sources().unwrap();
            let second = run.engine.crawl_once(&sources).await.unwrap();
            let summary = run.engine.score(run.scenario.end).unwrap();
            let store: &Store = &run.engine.store;
            let signals = store.signals().unwrap();
            let documents = store.documents(&store.document_ids().unwrap()).unwrap();
            let out = Outcome {
                data,
                scenario: run.scenario.clone(),
                base_urls: run.sites.stable_urls(),
                alerts: summary.alerts,
                signals,
                documents,
                first: run.report.clone(),
                first_sampling: run.summary.sampling.clone(),
                second,
                documents_after_first,
                signals_after_first,
                _dir: dir,
            };
            run.sites.shutdown().await;
            out
        })
    })
}

impl Outcome {
    /// Ground-truth role of a stored document, by its URL.
    fn role_of(&self, url: &str) -> Option<Role> {
        let by_url: &HashMap<String, Role> = self.roles();
        by_url.get(url.split('#').next().unwrap_or(url)).copied()
    }

    fn roles(&self) -> &HashMap<String, Role> {
        static ROLES: OnceLock<HashMap<String, Role>> = OnceLock::new();
        ROLES.get_or_init(|| {
            self.scenario
                .docs
                .iter()
                .map(|d| {
                    (
                        format!("{}{}", self.base_urls[d.site.name()], d.path),
                        d.truth.role,
                    )
                })
                .collect()
        })
    }

    fn story_of(&self, url: &str) -> Option<u32> {
        self.scenario
            .docs
            .iter()
            .find(|d| format!("{}{}", self.base_urls[d.site.name()], d.path) == url)
            .and_then(|d| d.truth.story)
    }
}

#[test]
fn the_demo_crawls_at_least_400_documents_over_60_days() {
    let o = outcome();
    assert!(o.first.documents >= 400, "{:?}", o.first);
    let days: BTreeSet<&str> = o
        .documents
        .iter()
        .filter_map(|d| d.published.as_deref())
        .map(|p| &p[..10])
        .collect();
    let first = days.iter().next().unwrap();
    let last = days.iter().last().unwrap();
    let span = NaiveDate::parse_from_str(last, "%Y-%m-%d").unwrap()
        - NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    assert!(span.num_days() >= 60, "documents span {first}..{last}");
    assert!(
        o.first.failures.is_empty(),
        "failures on the demo sites: {:?}",
        o.first.failures
    );
}

#[test]
fn the_regional_problem_is_a_regional_sample_alert_naming_its_province() {
    let o = outcome();
    let e = o.scenario.expectations();
    let hits: Vec<&Alert> = o
        .alerts
        .iter()
        .filter(|a| a.category == e.regional_category && a.scope == Scope::Regional)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "regional alerts for {}: {:#?}",
        e.regional_category,
        o.alerts
    );
    let a = hits[0];
    assert_eq!(a.action, Action::Sample, "{a:#?}");
    assert_eq!(a.regions.first(), Some(&e.regional_province), "{a:#?}");
    assert!(
        e.regional_hazards.iter().any(|h| a.hazards.contains(h)),
        "{a:#?}"
    );
    assert!(
        !o.alerts
            .iter()
            .any(|x| x.category == e.regional_category && x.scope == Scope::Systemic),
        "a problem concentrated in one province must not be systemic: {:#?}",
        o.alerts
    );
}

#[test]
fn the_systemic_problem_is_one_systemic_sample_alert() {
    let o = outcome();
    let e = o.scenario.expectations();
    let hits: Vec<&Alert> = o
        .alerts
        .iter()
        .filter(|a| a.category == e.systemic_category && a.scope == Scope::Systemic)
        .collect();
    assert_eq!(hits.len(), 1, "{:#?}", o.alerts);
    let a = hits[0];
    assert_eq!(a.action, Action::Sample, "{a:#?}");
    assert!(
        e.systemic_hazards.iter().any(|h| a.hazards.contains(h)),
        "{a:#?}"
    );
    let named: BTreeSet<&String> = a.regions.iter().collect();
    let overlap = e
        .systemic_provinces
        .iter()
        .filter(|p| named.contains(p))
        .count();
    assert!(
        overlap >= 5,
        "the alert names {named:?}, the scenario {:?}",
        e.systemic_provinces
    );
    assert!(
        !o.alerts
            .iter()
            .any(|x| x.category == e.systemic_category && x.scope == Scope::Regional),
        "the systemic problem's provinces are folded into one alert: {:#?}",
        o.alerts
    );
}

#[test]
fn background_noise_raises_no_sample_alert() {
    let o = outcome();
    let e = o.scenario.expectations();
    let stray: Vec<&Alert> = o
        .alerts
        .iter()
        .filter(|a| a.action == Action::Sample)
        .filter(|a| a.category != e.regional_category && a.category != e.systemic_category)
        .collect();
    assert!(
        stray.is_empty(),
        "sample alerts from background noise: {stray:#?}"
    );
}

#[test]
fn the_local_problem_is_notified_not_sampled() {
    let o = outcome();
    let e = o.scenario.expectations();
    let local: Vec<&Alert> = o
        .alerts
        .iter()
        .filter(|a| a.category == e.local_category)
        .collect();
    assert_eq!(local.len(), 1, "{:#?}", o.alerts);
    assert_eq!(local[0].action, Action::Notify, "{:#?}", local[0]);
    assert!(
        local[0].regions.contains(&e.local_province),
        "{:#?}",
        local[0]
    );
}

/// Issue 47: the local problem's notify goes to the regulator where its maker is (the complaints
/// name a 宁波 maker) and where the shops complained of ship from, the place of the complaints
/// kept as the place of the events.
#[test]
fn the_local_problem_is_addressed_to_the_jurisdictions_of_its_maker_and_shops() {
    let o = outcome();
    let e = o.scenario.expectations();
    let Some(local) = o.alerts.iter().find(|a| a.category == e.local_category) else {
        panic!("no local alert: {:#?}", o.alerts);
    };
    let Some(maker) = local
        .jurisdictions
        .iter()
        .find(|j| j.name() == "浙江省宁波市")
    else {
        panic!("not routed to the maker's city: {local:#?}");
    };
    assert!(
        maker
            .parties
            .iter()
            .any(|p| p.role == PartyRole::Enterprise && p.name == jiance::demo::LOCAL_MAKER),
        "{maker:#?}"
    );
    assert!(maker.documents.iter().all(|d| local.evidence.contains(d)));
    // the built-in contacts name a unit of the maker's city
    assert!(
        maker
            .contact
            .as_ref()
            .is_some_and(|c| c.city.as_deref() == Some("宁波市")),
        "{maker:#?}"
    );
    assert!(
        local
            .jurisdictions
            .iter()
            .any(|j| j.parties.iter().any(|p| p.role == PartyRole::Shop)),
        "the shops' places come from their listings: {local:#?}"
    );
    assert_eq!(local.regions[0], e.local_province);
    assert!(local.summary.contains("浙江省宁波市"), "{}", local.summary);
    assert!(
        local
            .summary
            .contains(&format!("并告知事发地{}", e.local_province)),
        "{}",
        local.summary
    );
}

#[test]
fn drills_negations_adverts_and_all_pass_notices_contribute_no_signal_and_standards_only_when_mandatory()
 {
    let o = outcome();
    let signal_docs: BTreeSet<&str> = o.signals.iter().map(|s| s.doc_id.as_str()).collect();
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &o.documents {
        let role = o.role_of(&d.url);
        let name = match role {
            Some(Role::Drill) => "drill",
            Some(Role::Negated) => "negated",
            Some(Role::Advert) => "advert",
            Some(Role::AllPass) => "all-pass",
            Some(Role::Standard) => {
                // a new or revised mandatory standard is a signal, nationwide; a voluntary one none
                let mandatory = !d.title.contains("GB/T");
                assert_eq!(d.is_signal, mandatory, "standard {} {}", d.url, d.title);
                *checked.entry("standard").or_default() += 1;
                continue;
            }
            _ => continue,
        };
        *checked.entry(name).or_default() += 1;
        assert!(
            !d.is_signal,
            "{name} document became a signal: {} {}",
            d.url, d.title
        );
        assert!(
            !signal_docs.contains(d.id.as_str()),
            "{name} document has signals: {}",
            d.url
        );
    }
    for name in ["drill", "negated", "advert", "all-pass", "standard"] {
        assert!(
            checked.get(name).copied().unwrap_or(0) > 0,
            "no {name} documents were crawled: {checked:?}"
        );
    }
}

#[test]
fn reposts_of_one_story_share_a_cluster_and_count_once() {
    let o = outcome();
    let mut clusters_by_story: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    for d in &o.documents {
        if let Some(story) = o.story_of(&d.url) {
            clusters_by_story
                .entry(story)
                .or_default()
                .insert(d.cluster.as_str());
        }
    }
    assert!(
        !clusters_by_story.is_empty(),
        "the scenario has repost groups"
    );
    for (story, clusters) in &clusters_by_story {
        assert_eq!(
            clusters.len(),
            1,
            "story {story} split into clusters {clusters:?}"
        );
    }
    // Counting once: no alert cites two documents of one cluster as evidence.
    let cluster_of: HashMap<&str, &str> = o
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.cluster.as_str()))
        .collect();
    for a in &o.alerts {
        let mut seen = BTreeSet::new();
        for id in &a.evidence {
            if let Some(c) = cluster_of.get(id.as_str()) {
                assert!(
                    seen.insert(*c),
                    "alert {} cites cluster {c} twice: {:?}",
                    a.id,
                    a.evidence
                );
            }
        }
    }
}

#[test]
fn a_second_pass_fetches_no_detail_page_again_and_counts_nothing_twice() {
    let o = outcome();
    assert_eq!(
        o.second.documents, 0,
        "second pass re-processed documents: {:?}",
        o.second
    );
    assert!(o.second.pages_skipped_seen >= 100, "{:?}", o.second);
    assert_eq!(o.documents.len() as u64, o.documents_after_first);
    assert_eq!(o.signals.len(), o.signals_after_first);
}

#[test]
fn the_data_directory_has_the_designed_layout() {
    let o = outcome();
    let warcs: Vec<_> = std::fs::read_dir(o.data.join("archive"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".warc.gz"))
        .collect();
    assert!(!warcs.is_empty());
    // Every archived response can be read back; at least one per crawled page.
    let records = jiance::crawl::archive::read_dir(&o.data.join("archive"))
        .unwrap()
        .filter(|r| r.is_ok())
        .count();
    assert!(
        records as u64 >= o.first.pages,
        "{records} records for {} pages",
        o.first.pages
    );
    assert!(o.data.join("state.sqlite").is_file());
    assert!(o.data.join("index/meta.json").is_file());
    let partitions = std::fs::read_dir(o.data.join("signals")).unwrap().count();
    assert!(partitions >= 10, "{partitions} signal partitions");
}

#[test]
fn jiance_search_queries_the_demo_index() {
    let o = outcome();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiance"))
        .args(["search", "电动自行车", "--json", "--limit", "5", "--data"])
        .arg(&o.data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["total"].as_u64().unwrap() >= 5, "{v}");
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("<b>"),
        "{}",
        hits[0]
    );
    assert!(
        v["facets"]["category"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{v}"
    );
}

/// Issue 18: the regulators publish one notice's failed products as an XLSX attachment and one
/// as a PDF; the alerts cite those notices, and their findings name the enterprises that stand
/// only in the files (the pages link them and have no table).
#[test]
fn alerts_use_rows_that_came_from_attachments() {
    use jiance::demo::Detail;
    let o = outcome();
    let store = Store::open(&o.data.join("state.sqlite")).unwrap();
    let mut kinds = Vec::new();
    for d in &o.scenario.docs {
        let Detail::Inspection {
            rows,
            attachment: Some(kind),
            ..
        } = &d.detail
        else {
            continue;
        };
        let url = format!("{}{}", o.base_urls[d.site.name()], d.path);
        let doc = o
            .documents
            .iter()
            .find(|x| x.url == url)
            .unwrap_or_else(|| panic!("{url} not stored"));
        let alert = o
            .alerts
            .iter()
            .find(|a| a.evidence.contains(&doc.id))
            .unwrap_or_else(|| panic!("no alert cites {url}"));
        let ex = store.extraction(&doc.id).unwrap().unwrap();
        let named: BTreeSet<&str> = ex
            .findings
            .iter()
            .flat_map(|f| f.parties.enterprises.iter().map(String::as_str))
            .collect();
        for r in rows {
            assert!(
                named.contains(r.enterprise.as_str()),
                "{url} ({}): the attachment's row of {} is not in the findings {named:?} \
                 cited by alert {}",
                kind.extension(),
                r.enterprise,
                alert.id
            );
        }
        kinds.push(kind.extension());
    }
    kinds.sort_unstable();
    assert_eq!(kinds, ["pdf", "xlsx"]);
}

/// Issue 22: the integer-coded aggregation scores the demo's signals exactly as the polars plan it
/// replaced (`score::reference`): the same cells, series, detail rows and alerts as of the demo's
/// last day and two weeks before it, and the same changes day by day over its last month.
#[cfg(feature = "reference")]
#[test]
fn the_new_aggregation_scores_the_demo_as_the_old_one_did() {
    use jiance::score::reference::compare;
    let o = outcome();
    let rules = jiance::score::ScoringRules::load(None).unwrap();
    let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap();
    let out = compare::compare_signals(&rules, &o.signals, end).unwrap();
    assert!(!out.alerts.is_empty(), "the demo has alerts to compare");
    assert_eq!(
        out.alerts.iter().map(|a| &a.id).collect::<BTreeSet<_>>(),
        o.alerts.iter().map(|a| &a.id).collect::<BTreeSet<_>>(),
        "the run stored the alerts scored here"
    );
    compare::compare_signals(&rules, &o.signals, end - chrono::Duration::days(14)).unwrap();
    let table = jiance::store::signals::to_table(&o.signals);
    let replay = compare::compare_replay(
        &rules,
        &table,
        Some(end - chrono::Duration::days(30)),
        Some(end),
        &[],
    )
    .unwrap();
    assert!(!replay.changes.is_empty());
}

/// Issue 44: the demo's notices built from one template — the standard announcements of one
/// ministry, a province's and the nation's inspection notices — name other products,
/// enterprises and standards, so they are other stories: regulator documents sharing a cluster
/// are reposts of one scenario story. (Before: six GB announcements in one cluster, and pairs of
/// inspection notices of two products; 465 documents in 255 clusters, now 417.)
#[test]
fn template_notices_of_different_products_are_different_stories() {
    let o = outcome();
    let mut by: BTreeMap<&str, Vec<&DocumentRow>> = BTreeMap::new();
    for d in &o.documents {
        if matches!(
            d.kind.as_str(),
            "inspection" | "standard" | "recall" | "notice"
        ) {
            by.entry(d.cluster.as_str()).or_default().push(d);
        }
    }
    for (c, docs) in &by {
        let stories: BTreeSet<Option<u32>> = docs.iter().map(|d| o.story_of(&d.url)).collect();
        let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
        assert!(
            docs.len() == 1 || (stories.len() == 1 && !stories.contains(&None)),
            "cluster {c} holds {} notices of other stories: {titles:#?}",
            docs.len()
        );
    }
    let clusters: BTreeSet<&str> = o.documents.iter().map(|d| d.cluster.as_str()).collect();
    eprintln!(
        "{} documents in {} clusters",
        o.documents.len(),
        clusters.len()
    );
}

/// Issue 44: the demo's three alerts came with 153 cases, 134 of them one document, and the
/// systemic 移动电源 problem with 28, split by province, by hazard (爆炸 against 火灾) and by
/// party. Now the stored cases are one per alerted problem (the scenario's regional, systemic
/// and local problems are each a category of their own), each holding its alerts and documents.
#[test]
fn the_demo_has_one_case_per_alerted_problem_and_the_systemic_one_is_not_split() {
    let o = outcome();
    let e = o.scenario.expectations();
    let store = Store::open(&o.data.join("state.sqlite")).unwrap();
    let cases: Vec<jiance::review::Case> = store.cases().unwrap();
    let problems: BTreeSet<&str> = o.alerts.iter().map(|a| a.category.as_str()).collect();
    for c in &cases {
        eprintln!(
            "case {} {} {} {:?}: {} alert(s), {} document(s) ({} attached), channels {:?}",
            c.category,
            c.hazard,
            c.province,
            c.party,
            c.alerts.len(),
            c.timeline.len(),
            c.timeline.iter().filter(|t| t.attached).count(),
            c.channels
        );
    }
    assert_eq!(
        cases.len(),
        problems.len(),
        "{} alerted problems {problems:?}",
        problems.len()
    );
    for a in &o.alerts {
        let case_id = store.case_of_alert(&a.id).unwrap();
        let c = cases.iter().find(|c| Some(&c.id) == case_id.as_ref());
        let c = c.unwrap_or_else(|| panic!("alert {} points to no case", a.id));
        assert_eq!(c.category, a.category);
        assert!(c.alerts.contains(&a.id));
        // the case holds the alert's evidence
        let held: BTreeSet<&str> = c.timeline.iter().map(|t| t.doc_id.as_str()).collect();
        assert!(
            a.evidence.iter().all(|d| held.contains(d.as_str())),
            "{a:#?}"
        );
    }
    let systemic = cases
        .iter()
        .find(|c| c.category == e.systemic_category)
        .expect("the systemic problem's case");
    assert_eq!(systemic.province, "全国");
    assert!(systemic.channel_count() >= 2, "{systemic:#?}");
    let provinces: BTreeSet<&str> = systemic.provinces.iter().map(String::as_str).collect();
    assert!(
        e.systemic_provinces
            .iter()
            .filter(|p| provinces.contains(p.as_str()))
            .count()
            >= 5,
        "{provinces:?}"
    );
}
