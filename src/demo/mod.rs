//! Demo: simulated websites (one per channel) serving a deterministic scenario on 127.0.0.1.
//!
//! [`scenario`] builds the documents (texts, dates, paths) and their ground truth from a seed;
//! [`DemoSites::start`] serves them from local axum servers, each with its own page structure
//! (a GBK mall, a complaint board with an HTML and a JSON face, three news portals with RSS, two
//! regulators and a standards site). The crawler reads them through `rules/sources/demo.toml`
//! exactly like real sources ([`DemoSites::sources`]); tests compare what the pipeline raises with
//! [`Scenario::expectations`] and each document's [`Truth`].
//!
//! Each site listens on a port of its own, which changes from run to run; `jiance demo` crawls
//! them under fixed host names instead ([`DemoSites::stable_urls`]: `http://mall.jiance-demo.test`
//! …, resolved to the ports by the fetcher's [`crate::config::CrawlSettings::resolve`]), so a
//! second run into the same data directory meets the same URLs and adds nothing. Absolute links
//! (RSS, the JSON API) are written for the host a request named. Other processes (the tests'
//! `jiance run`, the NATS workers) reach the sites by their loopback URLs ([`DemoSites::base_urls`]).
//!
//! Data flows one way: seed → [`Scenario`] → HTTP pages → crawler. Nothing here reads pipeline
//! output.

mod archived;
mod complaints;
pub mod corpora;
pub mod files;
mod layout;
mod mall;
mod news;
mod regulator;
pub mod run;
mod scenario;
mod standards;
mod texts;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Router;
use chrono::{NaiveDate, NaiveTime};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{ConfigError, SourceConfig, parse_sources};
use crate::model::DocKind;

pub use archived::{sources_for_archive, sources_from_archive};
pub use mall::SCRIPT_REVIEWS;
pub use scenario::{LOCAL_MAKER, scenario};

/// The demo's source declarations, with `{{name}}` placeholders for the sites' base URLs.
pub const DEMO_SOURCES_TOML: &str = include_str!("../../rules/sources/demo.toml");

/// One simulated site (one server, one host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// 优选商城: GBK search and product pages.
    Mall,
    /// 消费投诉平台: HTML board and JSON API.
    Complaints,
    /// 华夏消费资讯网 (national portal).
    News1,
    /// 之江民生网 (regional portal).
    News2,
    /// 南方消费报 (another portal that reposts).
    News3,
    /// 国家市场监督管理总局: recalls and national inspections.
    Samr,
    /// 浙江省市场监督管理局: provincial inspections.
    Zjamr,
    /// 标准公告网: new and revised national standards.
    Standards,
}

impl Site {
    pub const ALL: [Site; 8] = [
        Site::Mall,
        Site::Complaints,
        Site::News1,
        Site::News2,
        Site::News3,
        Site::Samr,
        Site::Zjamr,
        Site::Standards,
    ];

    /// Placeholder name of its base URL in `demo.toml` (`{{mall}}`).
    pub fn name(self) -> &'static str {
        match self {
            Site::Mall => "mall",
            Site::Complaints => "complaints",
            Site::News1 => "news1",
            Site::News2 => "news2",
            Site::News3 => "news3",
            Site::Samr => "samr",
            Site::Zjamr => "zjamr",
            Site::Standards => "standards",
        }
    }

    pub fn is_news(self) -> bool {
        matches!(self, Site::News1 | Site::News2 | Site::News3)
    }
}

/// What a document is in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// A sparse real risk signal somewhere (no cell looks like an outbreak).
    Background,
    /// Ordinary text without any risk: listings, service complaints, unrelated news.
    Noise,
    /// Part of the regional problem (电动自行车用蓄电池 fires in one province).
    Regional,
    /// Part of the systemic problem (移动电源 explosions across provinces, national notices).
    Systemic,
    /// Part of the local, non-general problem (电热毯 漏电 in one city; should end as notify).
    Local,
    /// A repost (near-duplicate) of the story that opened this group; see [`Truth::story`].
    Repost(u32),
    /// A fire drill or science lesson: hazard words under a drill cue.
    Drill,
    /// Hazard words only under negation (经检查未发生起火).
    Negated,
    /// Safety advertising in a listing (不会爆炸).
    Advert,
    /// An inspection notice in which everything passed.
    AllPass,
    /// A standards announcement.
    Standard,
}

/// Ground truth of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// Canonical category the document is about.
    pub category: Option<String>,
    /// Canonical hazard it reports (or mentions, for non-signals).
    pub hazard: Option<String>,
    /// Province where the event happened (`全国` for national notices); not the company seat or
    /// the dateline.
    pub province: Option<String>,
    /// City or district as written, when the text places the event there.
    pub city: Option<String>,
    pub is_signal: bool,
    pub role: Role,
    /// Repost group: every copy of one story (the first included) carries the same number.
    pub story: Option<u32>,
    /// Provinces of the failed rows of an inspection notice, in row order.
    pub row_provinces: Vec<String>,
    /// A listing of a recalled model, or one that only looks like it (issue 20).
    pub market: Option<MarketTruth>,
}

/// What a listing truly sells, for on-sale matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketTruth {
    /// It sells the model a recall names (the recall's model as the recall writes it).
    Recalled { model: String },
    /// Same brand as a recall, another model: it must not be matched.
    NearMiss { model: String },
    /// It breaks a rule of `rules/compliance.toml`: `ccc` (no claim in a CCC category),
    /// `standard` (the replaced standard or none), `banned`.
    Breaks { basis: &'static str },
}

/// A product review on a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub user: String,
    pub date: NaiveDate,
    pub stars: u8,
    pub text: String,
}

/// Site-specific parts of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Listing {
        /// Mall department (a search for it lists the product).
        dept: String,
        brand: String,
        shop: String,
        /// "广东 深圳".
        shop_region: String,
        price: String,
        /// "月销 1200+".
        sales: String,
        reviews: Vec<Review>,
        /// Model number as the page's attribute list gives it ("" when it gives none).
        model: String,
        /// Maker (生产企业) as the page gives it ("" when it gives none).
        maker: String,
        /// What the page says about certification and standards (its 认证及标准 attribute:
        /// "3C认证 证书编号：…；执行标准：GB 811-2022"; "" when it says nothing).
        claims: String,
    },
    Complaint {
        /// Native id (also the JSON API id).
        id: String,
        /// Whom the complaint is about (shop or enterprise).
        target: String,
        product: String,
        /// "浙江省 温州市".
        region: String,
        status: String,
    },
    Article {
        /// "来源：之江民生网".
        source_line: String,
        author: String,
    },
    Recall {
        enterprise: String,
        product: String,
        model: String,
        quantity: String,
    },
    Inspection {
        publisher: String,
        rows: Vec<InspectionRow>,
        /// The failed-products table is published as this attachment instead of on the page.
        attachment: Option<Attached>,
    },
    Standard {
        number: String,
        /// "新制定" or "修订".
        nature: String,
        issued: NaiveDate,
        effective: NaiveDate,
    },
}

impl Detail {
    /// The document kind a page of this shape is.
    pub fn kind(&self) -> DocKind {
        match self {
            Detail::Listing { .. } => DocKind::Listing,
            Detail::Complaint { .. } => DocKind::Complaint,
            Detail::Article { .. } => DocKind::Media,
            Detail::Recall { .. } => DocKind::Recall,
            Detail::Inspection { .. } => DocKind::Inspection,
            Detail::Standard { .. } => DocKind::Standard,
        }
    }
}

/// The file format of a notice's attached failed-products table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Xlsx,
    Pdf,
}

impl Attached {
    pub fn extension(self) -> &'static str {
        match self {
            Attached::Xlsx => "xlsx",
            Attached::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRow {
    pub product: String,
    pub enterprise: String,
    pub province: String,
    pub items: String,
}

/// One document of the scenario, as a site serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDoc {
    pub site: Site,
    /// URL path of its detail page (`/item/100234.html`).
    pub path: String,
    pub kind: DocKind,
    pub published: NaiveDate,
    /// Time of day shown where the site shows one (always 08:00–21:59, so the date is the same in
    /// UTC+8 and UTC).
    pub time: NaiveTime,
    pub title: String,
    /// Body paragraphs (listings: description lines).
    pub body: Vec<String>,
    pub detail: Detail,
    pub truth: Truth,
}

/// The whole simulated world for one seed and end date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub seed: u64,
    pub end: NaiveDate,
    /// Newest first within each site.
    pub docs: Vec<DemoDoc>,
    /// Province of the local problem and its city.
    pub local_province: String,
    pub local_city: String,
}

/// What the pipeline should conclude from the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    pub regional_category: String,
    pub regional_province: String,
    /// Cities of the regional problem as written.
    pub regional_cities: Vec<String>,
    pub regional_hazards: Vec<String>,
    pub systemic_category: String,
    /// Provinces where the systemic problem shows (sorted; 全国 excluded).
    pub systemic_provinces: Vec<String>,
    pub systemic_hazards: Vec<String>,
    pub local_category: String,
    pub local_province: String,
    pub local_city: String,
    pub local_hazards: Vec<String>,
    /// First day of the problems' window (the last days before `end`).
    pub window_start: NaiveDate,
}

impl Scenario {
    pub fn docs_of(&self, site: Site) -> impl Iterator<Item = &DemoDoc> {
        self.docs.iter().filter(move |d| d.site == site)
    }

    /// The role of the story a repost group belongs to (the role of its first copy).
    pub fn story_role(&self, group: u32) -> Option<Role> {
        self.docs
            .iter()
            .filter(|d| d.truth.story == Some(group))
            .map(|d| d.truth.role)
            .find(|r| !matches!(r, Role::Repost(_)))
    }

    pub fn expectations(&self) -> Expectations {
        let with_role = |role: Role| {
            self.docs.iter().filter(move |d| {
                d.truth.role == role
                    || matches!(d.truth.role, Role::Repost(g) if self.story_role(g) == Some(role))
            })
        };
        let hazards = |role: Role| -> Vec<String> {
            with_role(role)
                .filter_map(|d| d.truth.hazard.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let regional_cities: BTreeSet<String> = with_role(Role::Regional)
            .filter_map(|d| d.truth.city.clone())
            .collect();
        let mut systemic_provinces: BTreeSet<String> = BTreeSet::new();
        for d in with_role(Role::Systemic) {
            systemic_provinces.extend(d.truth.province.iter().cloned());
            systemic_provinces.extend(d.truth.row_provinces.iter().cloned());
        }
        systemic_provinces.remove(scenario::NATIONWIDE);
        let window_start = [Role::Regional, Role::Systemic, Role::Local]
            .into_iter()
            .flat_map(|r| with_role(r).map(|d| d.published).collect::<Vec<_>>())
            .min()
            .unwrap_or(self.end);
        Expectations {
            regional_category: texts::REGIONAL_CAT.to_string(),
            regional_province: texts::ZHEJIANG.to_string(),
            regional_cities: regional_cities.into_iter().collect(),
            regional_hazards: hazards(Role::Regional),
            systemic_category: texts::SYSTEMIC_CAT.to_string(),
            systemic_provinces: systemic_provinces.into_iter().collect(),
            systemic_hazards: hazards(Role::Systemic),
            local_category: texts::LOCAL_CAT.to_string(),
            local_province: self.local_province.clone(),
            local_city: self.local_city.clone(),
            local_hazards: hazards(Role::Local),
            window_start,
        }
    }
}

/// The domain of the demo sites' fixed host names (`.test` is reserved for testing, RFC 6761:
/// no real host is ever named so).
pub const STABLE_DOMAIN: &str = "jiance-demo.test";

/// What every site's handlers share: the scenario and the site's own base URL (for absolute
/// links in RSS and the JSON API, when a request names no host).
#[derive(Debug)]
pub(crate) struct SiteState {
    pub scenario: Arc<Scenario>,
    pub site: Site,
    pub base: String,
}

impl SiteState {
    /// The base URL absolute links are written with: the host the request named (the fixed
    /// host name when crawled under it, the loopback address otherwise), else the site's own.
    pub fn base_for(&self, headers: &axum::http::HeaderMap) -> String {
        headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            })
            .map_or_else(|| self.base.clone(), |h| format!("http://{h}"))
    }

    pub fn docs(&self) -> impl Iterator<Item = &DemoDoc> {
        self.scenario.docs_of(self.site)
    }

    pub fn doc_at(&self, path: &str) -> Option<&DemoDoc> {
        self.docs().find(|d| d.path == path)
    }
}

/// The running demo servers.
pub struct DemoSites {
    scenario: Arc<Scenario>,
    base_urls: BTreeMap<String, String>,
    /// Placeholder name → the address its server listens on.
    addrs: BTreeMap<String, std::net::SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl DemoSites {
    /// Bind 127.0.0.1:0 for every site and serve the scenario until [`DemoSites::shutdown`].
    pub async fn start(scenario: Arc<Scenario>) -> std::io::Result<DemoSites> {
        let (stop, _) = watch::channel(false);
        let mut base_urls = BTreeMap::new();
        let mut addrs = BTreeMap::new();
        let mut tasks = Vec::new();
        for site in Site::ALL {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            let addr = listener.local_addr()?;
            addrs.insert(site.name().to_string(), addr);
            let base = format!("http://{addr}");
            let state = Arc::new(SiteState {
                scenario: scenario.clone(),
                site,
                base: base.clone(),
            });
            let app = router(state);
            let mut rx = stop.subscribe();
            tasks.push(tokio::spawn(async move {
                let shutdown = async move {
                    // Either a stop signal or the sender dropped: stop serving.
                    let _ = rx.wait_for(|s| *s).await;
                };
                if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                    tracing::warn!(site = site.name(), error = %e, "demo site stopped with an error");
                }
            }));
            tracing::debug!(site = site.name(), %base, "demo site listening");
            base_urls.insert(site.name().to_string(), base);
        }
        Ok(DemoSites {
            scenario,
            base_urls,
            addrs,
            stop,
            tasks,
        })
    }

    /// Placeholder name → base URL ("mall" → "http://127.0.0.1:40123").
    pub fn base_urls(&self) -> &BTreeMap<String, String> {
        &self.base_urls
    }

    /// Placeholder name → fixed base URL ("mall" → "http://mall.jiance-demo.test"): the same in
    /// every run, whatever ports the servers got. Reachable only through a fetcher given
    /// [`DemoSites::resolutions`].
    pub fn stable_urls(&self) -> BTreeMap<String, String> {
        self.addrs
            .keys()
            .map(|name| (name.clone(), format!("http://{name}.{STABLE_DOMAIN}")))
            .collect()
    }

    /// Fixed host name → the address its server listens on, for
    /// [`crate::config::CrawlSettings::resolve`].
    pub fn resolutions(&self) -> Vec<(String, std::net::SocketAddr)> {
        self.addrs
            .iter()
            .map(|(name, addr)| (format!("{name}.{STABLE_DOMAIN}"), *addr))
            .collect()
    }

    /// The demo sources under the fixed host names (what `jiance demo` crawls).
    pub fn stable_sources(&self) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
        sources_for(&self.stable_urls())
    }

    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// Absolute URL of a document's page on its running site.
    pub fn url_of(&self, d: &DemoDoc) -> Option<String> {
        self.base_urls
            .get(d.site.name())
            .map(|b| format!("{b}{}", d.path))
    }

    /// The scenario document served at `url` (any URL the crawler recorded for it: detail pages,
    /// and the JSON API's items, which name their detail page), for checking pipeline output
    /// against [`Truth`].
    pub fn doc_for_url(&self, url: &str) -> Option<&DemoDoc> {
        let u = url::Url::parse(url).ok()?;
        let origin = u.origin().ascii_serialization();
        let stable = self.stable_urls();
        let (name, _) = self
            .base_urls
            .iter()
            .chain(stable.iter())
            .find(|(_, b)| **b == origin)?;
        let site = Site::ALL.into_iter().find(|s| s.name() == name)?;
        self.scenario.docs_of(site).find(|d| d.path == u.path())
    }

    /// The demo sources at the loopback URLs: `rules/sources/demo.toml` with the placeholders
    /// filled in.
    pub fn sources(&self) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
        sources_for(&self.base_urls)
    }

    /// Stop every server and wait for them to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Fill `{{name}}` placeholders of [`DEMO_SOURCES_TOML`] and parse it. An unknown placeholder
/// left in the text is an error naming its line.
/// The demo's sources file with each `{{name}}` replaced by its base URL: the file an operator
/// would keep for these sites.
pub fn sources_text(base_urls: &BTreeMap<String, String>) -> String {
    let mut text = DEMO_SOURCES_TOML.to_string();
    for (name, url) in base_urls {
        text = text.replace(&format!("{{{{{name}}}}}"), url);
    }
    text
}

pub fn sources_for(
    base_urls: &BTreeMap<String, String>,
) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
    const FILE: &str = "rules/sources/demo.toml";
    let text = sources_text(base_urls);
    let unfilled: Vec<ConfigError> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .filter_map(|(i, l)| {
            let start = l.find("{{")?;
            let rest = l.get(start..)?;
            let end = rest.find("}}").map(|e| e + 2).unwrap_or(rest.len());
            let name = rest.get(..end).unwrap_or(rest);
            Some(ConfigError::new(
                FILE,
                i + 1,
                format!("no base URL for placeholder {name}"),
            ))
        })
        .collect();
    if !unfilled.is_empty() {
        return Err(unfilled);
    }
    parse_sources(&text, FILE)
}

fn router(state: Arc<SiteState>) -> Router {
    let site_router = match state.site {
        Site::Mall => mall::router(),
        Site::Complaints => complaints::router(),
        Site::News1 | Site::News2 | Site::News3 => news::router(),
        Site::Samr | Site::Zjamr => regulator::router(state.site),
        Site::Standards => standards::router(),
    };
    site_router
        .route("/robots.txt", axum::routing::get(layout::robots))
        .fallback(layout::not_found)
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::config::SourceKind;
    use crate::model::Channel;

    fn end() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
    }

    fn all_text(d: &DemoDoc) -> String {
        let mut s = format!("{}\n{}", d.title, d.body.join("\n"));
        if let Detail::Listing { reviews, .. } = &d.detail {
            for r in reviews {
                s.push('\n');
                s.push_str(&r.text);
            }
        }
        s
    }

    /// Role counting reposts as the role of their story.
    fn story_role(s: &Scenario, d: &DemoDoc) -> Role {
        match d.truth.role {
            Role::Repost(g) => s.story_role(g).unwrap_or(d.truth.role),
            r => r,
        }
    }

    #[test]
    fn same_seed_same_scenario_other_seed_other_texts() {
        let a = scenario(7, end());
        let b = scenario(7, end());
        assert_eq!(a, b);
        let c = scenario(8, end());
        let texts = |s: &Scenario| s.docs.iter().map(all_text).collect::<BTreeSet<_>>();
        let (ta, tc) = (texts(&a), texts(&c));
        assert!(
            ta.difference(&tc).count() > a.docs.len() / 2,
            "a different seed should change most texts"
        );
        assert_ne!(
            a.docs.iter().map(|d| &d.path).collect::<Vec<_>>(),
            c.docs.iter().map(|d| &d.path).collect::<Vec<_>>()
        );
    }

    #[test]
    fn volume_span_and_dates() {
        for seed in [1, 2, 3] {
            let s = scenario(seed, end());
            assert!(s.docs.len() >= 400, "only {} docs", s.docs.len());
            let first = s.docs.iter().map(|d| d.published).min().unwrap();
            let last = s.docs.iter().map(|d| d.published).max().unwrap();
            assert!(last <= end());
            assert!(
                (last - first).num_days() >= 70,
                "span {} days",
                (last - first).num_days()
            );
            for site in Site::ALL {
                assert!(
                    s.docs_of(site).count() >= 5,
                    "{site:?} has too few documents"
                );
            }
            assert!(
                s.docs
                    .iter()
                    .all(|d| (8..22).contains(&chrono::Timelike::hour(&d.time)))
            );
        }
    }

    #[test]
    fn every_role_is_present_and_truth_is_consistent() {
        let s = scenario(11, end());
        let roles: BTreeSet<Role> = s
            .docs
            .iter()
            .map(|d| {
                if let Role::Repost(_) = d.truth.role {
                    Role::Repost(0)
                } else {
                    d.truth.role
                }
            })
            .collect();
        for r in [
            Role::Background,
            Role::Noise,
            Role::Regional,
            Role::Systemic,
            Role::Local,
            Role::Repost(0),
            Role::Drill,
            Role::Negated,
            Role::Advert,
            Role::AllPass,
            Role::Standard,
        ] {
            assert!(roles.contains(&r), "role {r:?} missing");
        }
        for d in &s.docs {
            let t = &d.truth;
            let signal_role = matches!(
                story_role(&s, d),
                Role::Background | Role::Regional | Role::Systemic | Role::Local
            );
            assert_eq!(
                t.is_signal, signal_role,
                "{}: is_signal disagrees with role {:?}",
                d.title, t.role
            );
            if t.is_signal {
                assert!(
                    t.category.is_some() && t.hazard.is_some(),
                    "{}: signal without category or hazard",
                    d.title
                );
                assert!(
                    t.province.is_some() || !t.row_provinces.is_empty(),
                    "{}: signal without a place",
                    d.title
                );
            }
            if d.kind == DocKind::Inspection {
                let rows = match &d.detail {
                    Detail::Inspection { rows, .. } => rows.len(),
                    _ => panic!("inspection without rows detail"),
                };
                assert_eq!(rows, t.row_provinces.len());
                assert_eq!(rows == 0, t.role == Role::AllPass, "{}", d.title);
            }
        }
        // Repost groups: one about the systemic problem and one background, ≥3 copies on distinct portals.
        let mut groups: BTreeMap<u32, Vec<&DemoDoc>> = BTreeMap::new();
        for d in &s.docs {
            if let Some(g) = d.truth.story {
                groups.entry(g).or_default().push(d);
            }
        }
        let roles_with_big_groups: BTreeSet<Role> = groups
            .iter()
            .filter(|(_, v)| {
                v.len() >= 3 && v.iter().map(|d| d.site).collect::<BTreeSet<_>>().len() == v.len()
            })
            .filter_map(|(g, _)| s.story_role(*g))
            .collect();
        assert!(roles_with_big_groups.contains(&Role::Systemic));
        assert!(roles_with_big_groups.contains(&Role::Background));
        for v in groups.values() {
            let texts: BTreeSet<String> = v.iter().map(|d| d.body.join("")).collect();
            assert_eq!(
                texts.len(),
                v.len(),
                "reposts should be edited copies, not identical"
            );
        }
    }

    #[test]
    fn paths_are_unique_and_shaped_per_site() {
        let s = scenario(5, end());
        let mut seen = BTreeSet::new();
        for d in &s.docs {
            assert!(d.path.starts_with('/'), "{}", d.path);
            assert!(
                seen.insert((d.site, d.path.clone())),
                "duplicate path {}",
                d.path
            );
        }
        assert!(s.docs_of(Site::Mall).all(|d| d.path.starts_with("/item/")));
        assert!(s.docs_of(Site::Complaints).all(
            |d| matches!(&d.detail, Detail::Complaint { id, .. } if d.path.contains(id.as_str()))
        ));
    }

    /// Signal days per (category, province) of the background, reposts counted once.
    fn background_cells(s: &Scenario) -> HashMap<(String, String), Vec<NaiveDate>> {
        let mut cells: HashMap<(String, String), Vec<NaiveDate>> = HashMap::new();
        for d in s
            .docs
            .iter()
            .filter(|d| d.truth.role == Role::Background && d.truth.is_signal)
        {
            let cat = d.truth.category.clone().unwrap();
            let provinces: Vec<String> = if d.truth.row_provinces.is_empty() {
                d.truth.province.iter().cloned().collect()
            } else {
                d.truth.row_provinces.clone()
            };
            for p in provinces {
                cells.entry((cat.clone(), p)).or_default().push(d.published);
            }
        }
        cells
    }

    #[test]
    fn background_is_sparse_and_problem_cells_are_quiet_before() {
        for seed in [1, 42, 2026] {
            let s = scenario(seed, end());
            let cells = background_cells(&s);
            assert!(
                cells.len() > 30,
                "background should be spread over many cells"
            );
            for ((cat, prov), days) in &cells {
                for d in days {
                    let in_window = days
                        .iter()
                        .filter(|x| **x >= *d && (**x - *d).num_days() < 14)
                        .count();
                    assert!(
                        in_window <= 2,
                        "seed {seed}: {cat}/{prov} has {in_window} signals in 14 days from {d}"
                    );
                }
            }
            let e = s.expectations();
            for d in s
                .docs
                .iter()
                .filter(|d| d.truth.is_signal && d.published < e.window_start)
            {
                let cat = d.truth.category.as_deref();
                assert!(
                    !(cat == Some(&e.regional_category)
                        && d.truth.province.as_deref() == Some(&e.regional_province))
                );
                assert!(
                    !(cat == Some(&e.local_category)
                        && d.truth.province.as_deref() == Some(&e.local_province))
                );
                if cat == Some(&e.systemic_category) {
                    assert!(
                        (s.end - d.published).num_days() >= 20,
                        "移动电源 background too close to the rise"
                    );
                }
            }
            let cats: BTreeSet<&String> = cells.keys().map(|(c, _)| c).collect();
            let provs: BTreeSet<&String> = cells.keys().map(|(_, p)| p).collect();
            assert!(
                cats.len() >= 12 && provs.len() >= 12,
                "background: {} categories, {} provinces",
                cats.len(),
                provs.len()
            );
        }
    }

    #[test]
    fn the_three_problems_look_as_briefed() {
        let s = scenario(3, end());
        let e = s.expectations();
        assert!((s.end - e.window_start).num_days() <= 10);
        let sr = &s;
        let of = |r: Role| {
            sr.docs
                .iter()
                .filter(|d| story_role(sr, d) == r)
                .collect::<Vec<_>>()
        };

        let regional = of(Role::Regional);
        assert!(
            (15..=20).contains(&regional.len()),
            "{} regional docs",
            regional.len()
        );
        assert!(
            regional
                .iter()
                .all(|d| d.truth.province.as_deref() == Some("浙江省"))
        );
        assert!(
            regional
                .iter()
                .all(|d| (s.end - d.published).num_days() < 10)
        );
        assert!(e.regional_cities.len() >= 4);
        let sites: BTreeSet<Site> = regional.iter().map(|d| d.site).collect();
        assert!(
            sites.contains(&Site::Complaints)
                && sites.contains(&Site::Mall)
                && sites.contains(&Site::Zjamr)
        );
        assert!(sites.iter().any(|s| s.is_news()));

        let systemic = of(Role::Systemic);
        assert!(
            e.systemic_provinces.len() >= 8,
            "{:?}",
            e.systemic_provinces
        );
        assert!(systemic.iter().any(|d| d.kind == DocKind::Recall
            && d.site == Site::Samr
            && d.truth.province.as_deref() == Some("全国")));
        let insp = systemic
            .iter()
            .find(|d| d.kind == DocKind::Inspection)
            .expect("systemic inspection");
        assert!(
            insp.truth
                .row_provinces
                .iter()
                .collect::<BTreeSet<_>>()
                .len()
                >= 3
        );
        assert!(
            systemic
                .iter()
                .all(|d| (s.end - d.published).num_days() <= 10)
        );

        let local = of(Role::Local);
        assert!((3..=4).contains(&local.len()));
        assert!(local.iter().all(|d| d.site == Site::Complaints
            && d.truth.city.as_deref() == Some(e.local_city.as_str())));
        let days: Vec<NaiveDate> = local.iter().map(|d| d.published).collect();
        assert!((*days.iter().max().unwrap() - *days.iter().min().unwrap()).num_days() < 7);
        assert_eq!(e.local_hazards, vec!["触电".to_string()]);
        assert_ne!(e.local_province, e.regional_province);
        assert!(!e.systemic_provinces.contains(&e.local_province));
    }

    #[test]
    fn texts_carry_their_truth() {
        let s = scenario(9, end());
        for d in &s.docs {
            let text = all_text(d);
            // The event place is written in the text of every placed signal and trap.
            let placed = d.truth.is_signal || d.truth.role == Role::Drill;
            if let (Some(city), true) = (&d.truth.city, placed && d.kind != DocKind::Inspection) {
                assert!(
                    text.contains(city.as_str()),
                    "{}: city {city} not in text",
                    d.title
                );
            }
            for bad in ["{p}", "{c}", "{place}", "{md}", "{shop}"] {
                assert!(!text.contains(bad), "unfilled slot {bad} in {}", d.title);
            }
        }
        let drill = s.docs.iter().find(|d| d.truth.role == Role::Drill).unwrap();
        assert!(all_text(drill).contains("演练") || all_text(drill).contains("模拟"));
        assert!(
            s.docs
                .iter()
                .filter(|d| d.truth.role == Role::Negated)
                .all(|d| {
                    let t = all_text(d);
                    t.contains("未发生") || t.contains("没有发生") || t.contains("并未")
                })
        );
        assert!(
            s.docs
                .iter()
                .filter(|d| d.truth.role == Role::Advert)
                .all(|d| all_text(d).contains("不会"))
        );
        assert!(
            s.docs
                .iter()
                .filter(|d| d.truth.role == Role::AllPass)
                .all(|d| all_text(d).contains("均合格"))
        );
        // Mall pages are GBK: every character must be encodable.
        for d in s.docs_of(Site::Mall) {
            let (_, _, lossy) = encoding_rs::GBK.encode(&all_text(d));
            assert!(!lossy, "{} is not GBK-encodable", d.title);
        }
    }

    fn fake_bases() -> BTreeMap<String, String> {
        Site::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.name().to_string(),
                    format!("http://127.0.0.1:{}", 41000 + i),
                )
            })
            .collect()
    }

    #[test]
    fn sources_toml_parses_after_substitution() {
        let sources = sources_for(&fake_bases()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(sources.len(), 10);
        for s in &sources {
            assert!(
                s.start.iter().all(|u| u.starts_with("http://127.0.0.1:")),
                "{}",
                s.name
            );
            assert!(s.politeness.rps.unwrap_or(0.0) >= 50.0);
            let w = match s.channel {
                Channel::Regulator | Channel::Standard => 1.0,
                Channel::Complaint => 0.8,
                Channel::Media => 0.6,
                Channel::Platform => 0.5,
            };
            assert_eq!(s.weight, w, "{}", s.name);
        }
        let kinds: BTreeSet<_> = sources.iter().map(|s| format!("{:?}", s.kind)).collect();
        assert_eq!(kinds.len(), 4);
        let count = |k: SourceKind| sources.iter().filter(|s| s.kind == k).count();
        assert_eq!((count(SourceKind::Feed), count(SourceKind::Auto)), (2, 1));
        let mut missing = fake_bases();
        missing.remove("news2");
        let errs = sources_for(&missing).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.message.contains("{{news2}}") && e.line > 0),
            "{errs:?}"
        );
    }

    // ---- the running sites, over 127.0.0.1 ---------------------------------------------------

    struct Http(reqwest::Client);

    impl Http {
        fn new() -> Http {
            Http(
                crate::util::tls::client_builder()
                    .no_proxy()
                    .build()
                    .unwrap(),
            )
        }
        async fn get(&self, url: &str) -> (u16, String, Vec<u8>) {
            let r = self
                .0
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (status, ct, r.bytes().await.unwrap().to_vec())
        }
        async fn text(&self, url: &str) -> String {
            let (status, _, body) = self.get(url).await;
            assert_eq!(status, 200, "{url}");
            String::from_utf8(body).unwrap()
        }
    }

    fn sel(s: &str) -> scraper::Selector {
        scraper::Selector::parse(s).unwrap()
    }

    fn first_text(doc: &scraper::Html, s: &str) -> String {
        doc.select(&sel(s))
            .next()
            .map(|e| e.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    }

    fn hrefs(doc: &scraper::Html, s: &str, page: &str) -> Vec<String> {
        let base = url::Url::parse(page).unwrap();
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr("href"))
            .map(|h| base.join(h).unwrap().to_string())
            .collect()
    }

    /// Follow a source's list pages from its start URLs; returns the detail URLs found.
    async fn crawl_list(http: &Http, src: &SourceConfig, gbk: bool) -> BTreeSet<String> {
        let list = src.list.as_ref().unwrap();
        let mut found = BTreeSet::new();
        for start in &src.start {
            let mut next = Some(url::Url::parse(start).unwrap().to_string());
            let mut pages = 0;
            while let Some(u) = next.take() {
                pages += 1;
                assert!(
                    pages <= src.max_pages,
                    "{}: more than max_pages list pages",
                    src.name
                );
                let (status, _, body) = http.get(&u).await;
                assert_eq!(status, 200, "{u}");
                let text = if gbk {
                    encoding_rs::GBK.decode(&body).0.into_owned()
                } else {
                    String::from_utf8(body).unwrap()
                };
                let doc = scraper::Html::parse_document(&text);
                found.extend(hrefs(&doc, &list.links, &u));
                next = list
                    .next
                    .as_ref()
                    .and_then(|n| hrefs(&doc, n, &u).into_iter().next());
            }
        }
        found
    }

    fn served(url: &str, body: Vec<u8>, role: crate::model::PageRole) -> crate::model::Fetched {
        crate::model::Fetched::page("demo", url, role, body)
    }

    /// Read the served page of `d` as a source without selectors does, and check it reads right.
    fn check_generic(src: &SourceConfig, d: &DemoDoc, url: &str, html: &str) {
        let f = served(
            url,
            html.as_bytes().to_vec(),
            crate::model::PageRole::Detail,
        )
        .with_content_type("text/html; charset=utf-8");
        let docs = crate::parse::parse(&f, src).unwrap();
        assert_eq!(docs[0].title, d.title, "{}: generic title", src.name);
        assert!(
            docs[0].text.contains(d.body[0].as_str()),
            "{}: generic text misses the first paragraph of {}",
            src.name,
            d.path
        );
        assert_eq!(
            docs[0].published_at.map(crate::model::china_day),
            Some(d.published),
            "{}: generic publication day",
            src.name
        );
    }

    /// Apply a source's detail selectors to the served page of `d` and check they read it right.
    fn check_detail(src: &SourceConfig, d: &DemoDoc, html: &str) {
        let det = src.detail.as_ref().unwrap();
        let doc = scraper::Html::parse_document(html);
        let title = first_text(&doc, &det.title.as_slice()[0]);
        assert_eq!(title, d.title, "{}: title selector", src.name);
        let text: Vec<String> = det
            .text
            .as_slice()
            .iter()
            .flat_map(|s| {
                doc.select(&sel(s))
                    .map(|e| e.text().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let text = text.join("\n");
        assert!(
            text.contains(d.body[0].as_str()),
            "{}: text selectors miss the first paragraph of {}",
            src.name,
            d.path
        );
        if let Some(p) = &det.published {
            let shown = first_text(&doc, &p.as_slice()[0]);
            let day = shown.split_whitespace().next().unwrap_or("");
            let parsed = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(day, "%Y年%m月%d日"));
            assert_eq!(
                parsed.ok(),
                Some(d.published),
                "{}: published {shown:?}",
                src.name
            );
        }
        for (k, s) in &det.fields {
            // a listing shows its model and maker only when it has them (issue 20)
            let absent = match (&d.detail, k.as_str()) {
                (Detail::Listing { model, .. }, "model") => model.is_empty(),
                (Detail::Listing { maker, .. }, "enterprise") => maker.is_empty(),
                (Detail::Listing { claims, .. }, "claims") => claims.is_empty(),
                _ => false,
            };
            if absent {
                assert!(
                    first_text(&doc, s).is_empty(),
                    "{}: {k} on {}",
                    src.name,
                    d.path
                );
                continue;
            }
            assert!(
                !first_text(&doc, s).is_empty(),
                "{}: field {k} empty on {}",
                src.name,
                d.path
            );
        }
        if let (
            Some(t),
            Detail::Inspection {
                rows,
                attachment: None,
                ..
            },
        ) = (&det.table, &d.detail)
        {
            let got: Vec<BTreeMap<String, String>> = doc
                .select(&sel(&t.rows))
                .map(|row| {
                    t.columns
                        .iter()
                        .map(|(k, c)| {
                            (
                                k.clone(),
                                row.select(&sel(c))
                                    .next()
                                    .map(|e| e.text().collect())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .collect();
            assert_eq!(
                got.len(),
                rows.len(),
                "{}: table rows of {}",
                src.name,
                d.path
            );
            for (g, r) in got.iter().zip(rows) {
                assert_eq!(g["province"], r.province);
                assert_eq!(g["product"], r.product);
                assert_eq!(g["enterprise"], r.enterprise);
                assert_eq!(g["items"], r.items);
            }
        }
    }

    #[tokio::test]
    async fn sites_serve_what_the_sources_declare() {
        let s = Arc::new(scenario(21, end()));
        let sites = DemoSites::start(s.clone()).await.unwrap();
        let http = Http::new();
        let bases = sites.base_urls().clone();
        assert_eq!(bases.len(), Site::ALL.len());
        let sources = sites.sources().unwrap();
        let by_name: HashMap<&str, &SourceConfig> =
            sources.iter().map(|s| (s.name.as_str(), s)).collect();

        // robots.txt everywhere, allowing the crawl.
        for base in bases.values() {
            let robots = http.text(&format!("{base}/robots.txt")).await;
            let r = texting_robots::Robot::new("jiance", robots.as_bytes()).unwrap();
            assert!(r.allowed(&format!("{base}/")) && r.allowed(&format!("{base}/item/1.html")));
            assert!(!r.allowed(&format!("{base}/admin/x")) || base == &bases["mall"]);
        }
        let (status, _, _) = http
            .get(&format!("{}/no/such/page.html", bases["news1"]))
            .await;
        assert_eq!(status, 404);

        // HTML list sources reach every document of their site (and kind).
        let mut attached = Vec::new();
        for (name, site, kinds, gbk) in [
            ("demo-mall", Site::Mall, &[DocKind::Listing][..], true),
            (
                "demo-complaints-web",
                Site::Complaints,
                &[DocKind::Complaint][..],
                false,
            ),
            (
                "demo-samr-recall",
                Site::Samr,
                &[DocKind::Recall][..],
                false,
            ),
            (
                "demo-samr-inspection",
                Site::Samr,
                &[DocKind::Inspection][..],
                false,
            ),
            ("demo-zjamr", Site::Zjamr, &[DocKind::Inspection][..], false),
            (
                "demo-standards",
                Site::Standards,
                &[DocKind::Standard][..],
                false,
            ),
        ] {
            let src = by_name[name];
            let found = crawl_list(&http, src, gbk).await;
            let want: BTreeSet<String> = s
                .docs_of(site)
                .filter(|d| kinds.contains(&d.kind))
                .map(|d| format!("{}{}", bases[site.name()], d.path))
                .collect();
            assert_eq!(
                found, want,
                "{name}: list pages do not reach exactly the site's documents"
            );
            // Check the detail selectors on a few documents, including one with a table if any.
            let mut docs: Vec<&DemoDoc> = s
                .docs_of(site)
                .filter(|d| kinds.contains(&d.kind))
                .take(3)
                .collect();
            docs.extend(s.docs_of(site).filter(|d| kinds.contains(&d.kind)).find(|d| {
                matches!(&d.detail, Detail::Inspection { rows, attachment: None, .. } if !rows.is_empty())
            }));
            // A notice whose table is an attachment links it, and the file reads into its rows.
            for d in s.docs_of(site).filter(|d| kinds.contains(&d.kind)) {
                let Detail::Inspection {
                    rows,
                    attachment: Some(kind),
                    ..
                } = &d.detail
                else {
                    continue;
                };
                let page_url = format!("{}{}", bases[site.name()], d.path);
                let (status, _, body) = http.get(&page_url).await;
                assert_eq!(status, 200);
                let mut f = served(&page_url, body, crate::model::PageRole::Detail);
                let links = crate::parse::attachment::links(&f);
                assert_eq!(links.len(), 1, "{page_url}: one attachment link");
                assert!(links[0].ends_with(kind.extension()), "{}", links[0]);
                let (status, _, file) = http.get(&links[0]).await;
                assert_eq!(status, 200, "{}", links[0]);
                f = served(&links[0], file, crate::model::PageRole::Attachment);
                let got = crate::parse::attachment::read(&f).unwrap();
                assert_eq!(got.len(), rows.len(), "{}", links[0]);
                for (g, r) in got.iter().zip(rows) {
                    assert_eq!(g["product"], r.product);
                    assert_eq!(g["enterprise"], r.enterprise);
                    assert_eq!(g["province"], r.province);
                    assert_eq!(g["items"], r.items);
                }
                attached.push(*kind);
            }
            for d in docs {
                let (status, ct, body) =
                    http.get(&format!("{}{}", bases[site.name()], d.path)).await;
                assert_eq!(status, 200);
                let html = if gbk {
                    assert_eq!(ct, "text/html", "mall pages name no charset in the header");
                    assert!(
                        std::str::from_utf8(&body).is_err(),
                        "mall bytes should be GBK, not UTF-8"
                    );
                    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&body);
                    assert!(!had_errors);
                    assert!(text.contains("<meta charset=\"gbk\">"));
                    text.into_owned()
                } else {
                    String::from_utf8(body).unwrap()
                };
                check_detail(src, d, &html);
            }
        }

        attached.sort_by_key(|k| k.extension());
        assert_eq!(
            attached,
            [Attached::Pdf, Attached::Xlsx],
            "one notice of each"
        );

        // The JSON API pages through every complaint and ends with an empty page.
        let api = by_name["demo-complaints-api"];
        let mut ids = BTreeSet::new();
        let mut page = 1;
        loop {
            let u = format!("{}/api/complaints?page={page}", bases["complaints"]);
            let (status, ct, body) = http.get(&u).await;
            assert_eq!(status, 200);
            assert!(ct.starts_with("application/json"));
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let items = v
                .pointer(&format!(
                    "/{}",
                    api.api.as_ref().unwrap().items.replace('.', "/")
                ))
                .unwrap()
                .as_array()
                .unwrap()
                .clone();
            if items.is_empty() {
                break;
            }
            for it in &items {
                ids.insert(it["id"].as_str().unwrap().to_string());
                for k in ["title", "content", "created", "region", "status", "url"] {
                    assert!(
                        it[k].as_str().is_some_and(|x| !x.is_empty()),
                        "api item lacks {k}"
                    );
                }
            }
            if page == 1 {
                let url = items[0]["url"].as_str().unwrap();
                let html = http.text(url).await;
                assert!(html.contains(&layout::esc(items[0]["title"].as_str().unwrap())));
            }
            page += 1;
            assert!(page < 100);
        }
        assert_eq!(ids.len(), s.docs_of(Site::Complaints).count());

        // The mall's search pages carry their items as script data too: a source reading only
        // that gets every listed product with the title, price and shop its page shows.
        let script_source = crate::config::parse_sources(
            "[[source]]\nname = \"mall-script\"\nkind = \"html\"\nchannel = \"platform\"\n\
             start = [\"http://mall.test/\"]\n[source.list.script]\n\
             items = \"g_page_config.mods.itemlist.data.auctions\"\n\
             [source.list.script.fields]\nid = \"nid\"\nurl = \"detail_url\"\n\
             title = \"raw_title\"\nprice = \"view_price\"\nshop = \"nick\"\n",
            "script.toml",
        )
        .unwrap();
        let url = format!("{}/search?q=%E5%AE%B6%E7%94%B5&page=1", bases["mall"]);
        let (status, _, body) = http.get(&url).await;
        assert_eq!(status, 200);
        let f = served(&url, body, crate::model::PageRole::List).with_content_type("text/html");
        let items = crate::parse::parse(&f, &script_source[0]).unwrap();
        assert!(items.len() >= 5, "{} script items", items.len());
        for it in &items {
            let d = s
                .docs_of(Site::Mall)
                .find(|d| it.url.ends_with(&d.path))
                .unwrap_or_else(|| panic!("no product at {}", it.url));
            let Detail::Listing { price, shop, .. } = &d.detail else {
                panic!("{} is no listing", d.path);
            };
            assert_eq!(it.title, d.title);
            assert_eq!(&it.fields["price"], price);
            assert_eq!(&it.fields["shop"], shop);
        }

        // RSS feeds parse; their links lead to the portal's articles, read by the detail selectors
        // (or, for the source that has none, by generic extraction).
        for (name, site) in [
            ("demo-news-huaxia", Site::News1),
            ("demo-news-zhijiang", Site::News2),
            ("demo-news-nanfang", Site::News3),
        ] {
            let (status, ct, body) = http.get(&format!("{}/rss.xml", bases[site.name()])).await;
            assert_eq!(status, 200);
            assert!(ct.contains("xml"));
            let feed = feed_rs::parser::parse(&body[..]).unwrap();
            assert_eq!(feed.entries.len(), s.docs_of(site).count());
            let links: BTreeSet<String> = feed
                .entries
                .iter()
                .map(|e| e.links[0].href.clone())
                .collect();
            let want: BTreeSet<String> = s
                .docs_of(site)
                .map(|d| format!("{}{}", bases[site.name()], d.path))
                .collect();
            assert_eq!(links, want);
            assert!(feed.entries.iter().all(|e| e.published.is_some()));
            for d in s.docs_of(site).take(3) {
                let url = format!("{}{}", bases[site.name()], d.path);
                let html = http.text(&url).await;
                if by_name[name].detail.is_some() {
                    check_detail(by_name[name], d, &html);
                } else {
                    check_generic(by_name[name], d, &url, &html);
                }
            }
        }

        // Every document maps back from its URL.
        for d in &s.docs {
            let url = sites.url_of(d).unwrap();
            assert_eq!(sites.doc_for_url(&url), Some(d));
        }
        assert!(
            sites
                .doc_for_url(&format!("{}/nothing.html", bases["mall"]))
                .is_none()
        );
        assert!(sites.doc_for_url("not a url").is_none());

        // An all-pass notice has no table and says so.
        let pass = s
            .docs
            .iter()
            .find(|d| d.truth.role == Role::AllPass)
            .unwrap();
        let html = http
            .text(&format!("{}{}", bases[pass.site.name()], pass.path))
            .await;
        assert!(
            html.contains("均合格")
                && !html.contains("<table class=\"ccjg\"")
                && !html.contains("<table class=\"bhg\"")
        );

        sites.shutdown().await;
        let closed = crate::util::tls::client_builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("{}/robots.txt", bases["mall"]))
            .send()
            .await;
        assert!(closed.is_err(), "servers should be down after shutdown");
    }

    #[test]
    fn window_and_expectations_follow_end() {
        let later = end() + Duration::days(30);
        let s = scenario(4, later);
        let e = s.expectations();
        assert!(e.window_start > later - Duration::days(11));
        assert_eq!(e.regional_category, "电动自行车用蓄电池");
        assert_eq!(e.systemic_category, "移动电源");
        assert!(e.systemic_hazards.iter().any(|h| h == "爆炸"));
        assert!(e.regional_hazards == vec!["火灾".to_string()]);
    }
}
