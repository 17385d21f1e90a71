//! Crawl: the polite fetcher and scheduler. Sources → fetch → archive → (`Fetched`) → parse.
//!
//! One shared fetch loop ([`fetch::Fetcher`]) does politeness (governor per host, robots.txt,
//! concurrency caps), retries, redirects and the archive write; each source kind only says which
//! links a page leads to (via the [`LinkReader`] the pipeline hands in: the parse stage's). Every response, good or bad, is archived
//! before anything else reads it.
//!
//! A pass over a source: its start URLs are fetched as `List` (html), `Feed` (feed) or `Api`
//! (json) pages with a conditional GET; the links they lead to are canonicalised, detail pages
//! already fetched with 2xx and processed (the sink's mark in the store) are skipped, the rest
//! fetched as `Detail`; `next`
//! pages keep the role of the page that led to them, up to `max_pages`, and paging stops at a list
//! page with no unseen detail links (incremental crawling). Pages whose role carries documents go
//! to `out`; only after that is the page recorded in the store, so a kill in between means a
//! re-fetch, never a loss. A list page's validators (ETag / Last-Modified) are stored only from a
//! pass that found nothing new on it and had no failures, so a 304 never hides a detail page that
//! was not yet stored.
//!
//! Sitemap sources are fetched in the feed role: an index leads to further sitemaps (skipped when
//! their `lastmod` is older than our last read), a sitemap to detail pages (fetched again when
//! their `lastmod` is newer than our last fetch).
//!
//! A detail page that still fails after the fetcher's retries is *parked* in the store with its
//! reason and tried again once due ([`park_until`]: one schedule, then doubling, at most 64
//! schedules or 30 days), whether or not a list page still shows it; a success unparks it.
//! A pass that did not get to its end (killed, a list page lost, output closed) leaves a mark in
//! the store, and the next pass pages on through already-seen list pages until one completes, so
//! an interrupted first crawl misses nothing deeper in the list.
//!
//! Each source pass adds to the source's health record in the store (fetched, 304s, failures by
//! reason, bytes, parked; last success). A source without success for `stale_after` schedules
//! is `source-stale`: logged at warn, listed in [`CrawlReport::stale`], shown by `jiance status`
//! and as `jiance_source_stale` in `/metrics` (both judged from the stored record at read time, so
//! a crawler that stopped altogether is reported too).

pub mod archive;
pub mod fetch;
mod pass;
pub mod render;
pub mod state;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::Sender;
use tokio::task::JoinSet;

pub use crate::util::canon::{CanonError, canonicalize};
pub use archive::{ArchiveError, ArchiveReader, ArchiveWriter, Exchange};
pub use fetch::{CrawlError, FetchOutcome, FetchRequest, Fetcher};

use crate::config::{CrawlSettings, SourceConfig, SourceKind};
use crate::model::Timestamp;
use crate::model::{Discovered, Fetched, PageRole};
use crate::store::{PageRecord, SourcePassTally, Store};
use crate::telemetry::Counters;
use pass::Pass;
pub use state::CrawlState;

/// When a detail page that failed `attempts` passes (this one included) is tried again: one
/// schedule after the first failure, doubling after each further one, at most 64 schedules and
/// 30 days. A tenth is taken off so the pass that falls due is not missed by a few seconds.
pub fn park_until(now: Timestamp, schedule: std::time::Duration, attempts: u32) -> Timestamp {
    let factor = 1u32 << attempts.saturating_sub(1).min(6);
    let wait = schedule
        .saturating_mul(factor)
        .mul_f64(0.9)
        .min(std::time::Duration::from_secs(30 * 86_400));
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(30))
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrawlReport {
    /// Pages fetched to a final response (any status; redirect hops and retries not counted).
    pub pages: u64,
    /// Pages sent on to parse.
    pub emitted: u64,
    /// Detail links skipped because an earlier pass fetched them.
    pub skipped_seen: u64,
    /// List / feed / API pages answered 304.
    pub not_modified: u64,
    /// Body bytes received (all responses).
    pub bytes: u64,
    /// Failures by reason (`http-404`, `timeout`, `robots-disallowed`, `parse-links` …).
    pub failed: BTreeMap<String, u64>,
    /// Detail links skipped because they are parked until a later pass.
    pub skipped_parked: u64,
    /// Detail pages parked (again) in this pass.
    pub parked: u64,
    /// Per source: what this pass did (also added to the store's health record).
    pub sources: BTreeMap<String, SourcePassTally>,
    /// Sources whose last success is older than `stale_after` schedules (`source-stale`).
    pub stale: Vec<String>,
    /// With [`Crawler::hold_until_committed`]: what the pass would have recorded at its end (list
    /// and feed validators, sources done), left for the caller to record with [`Held::record`]
    /// once everything the pass sent on is committed.
    pub held: Held,
}

/// List / feed / sitemap records and source completions a pass holds back (see
/// [`CrawlReport::held`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held {
    pub records: Vec<PageRecord>,
    /// `crawl.incomplete.<source>` keys to set to "0".
    pub complete: Vec<String>,
}

impl Held {
    /// Record the pages and finished sources. With [`Crawler::hold_until_committed`] call this
    /// (through [`CrawlReport::held`]) only once every page the pass sent on is committed, so a
    /// crash before then leaves the next pass to rediscover them (no 304 and no unchanged sitemap
    /// hides a page that was fetched but never stored, and incremental paging resumes).
    pub fn record(&self, store: &dyn CrawlState) -> Result<(), crate::store::StoreError> {
        for rec in &self.records {
            store.record_page(rec)?;
        }
        for key in &self.complete {
            store.set_meta(key, "0")?;
        }
        Ok(())
    }
}

/// What the crawler needs to know of the pages it fetches: the links they lead to and the files
/// they attach. Reading pages is the parse stage's work, above the crawler in the layer order, so
/// the pipeline hands in the parser's reader; the scheduler's own tests hand in a simpler one.
pub trait LinkReader: Send + Sync {
    /// Links of a list, feed or API page; `Err` says why none could be read (`reason: message`).
    fn discover(&self, page: &Fetched, source: &SourceConfig) -> Result<Discovered, String>;
    /// Attachment files (absolute URLs) a detail page links, in page order.
    fn attachments(&self, page: &Fetched) -> Vec<String>;
}

/// The crawler: a polite fetcher, the store's seen-set and validators, and the scheduler.
pub struct Crawler {
    fetcher: Fetcher,
    store: Arc<dyn CrawlState>,
    links: Arc<dyn LinkReader>,
    hold: bool,
}

impl Crawler {
    pub fn new(
        settings: &CrawlSettings,
        archive: ArchiveWriter,
        store: Store,
        counters: Arc<Counters>,
        links: Arc<dyn LinkReader>,
    ) -> Result<Crawler, CrawlError> {
        Crawler::with_state(settings, archive, Arc::new(store), counters, links)
    }

    /// A crawler whose state lives elsewhere than the local store (fetch workers sharing a
    /// key-value bucket).
    pub fn with_state(
        settings: &CrawlSettings,
        archive: ArchiveWriter,
        state: Arc<dyn CrawlState>,
        counters: Arc<Counters>,
        links: Arc<dyn LinkReader>,
    ) -> Result<Crawler, CrawlError> {
        Ok(Crawler {
            fetcher: Fetcher::new(settings, archive, counters)?.remember_robots(state.clone()),
            store: state,
            links,
            hold: false,
        })
    }

    /// Hold back the end-of-pass records (list and feed validators, sources done) in the report
    /// instead of writing them: the pipeline writes them once its sink has committed everything
    /// this pass sent on. Without it a kill after the crawl but before the commit lost pages for
    /// good: the next pass got a 304 or an unchanged sitemap and never saw their links again.
    pub fn hold_until_committed(mut self) -> Crawler {
        self.hold = true;
        self
    }

    /// One pass over each enabled source, all sources concurrently. Returns when every source is
    /// done (or `out` is closed). Never panics on bad input: bad URLs, failed fetches and link
    /// errors are counted in the report and the counters.
    pub async fn crawl(&self, sources: &[SourceConfig], out: Sender<Fetched>) -> CrawlReport {
        let pass = Arc::new(Pass {
            fetcher: self.fetcher.next_pass(),
            store: self.store.clone(),
            links: self.links.clone(),
            report: Mutex::default(),
            now: chrono::Utc::now(),
            closed: AtomicBool::new(false),
            hold: self.hold,
            held: Mutex::default(),
        });
        let mut set = JoinSet::new();
        for s in sources.iter().filter(|s| s.is_enabled()) {
            set.spawn(pass.clone().crawl_source(Arc::new(s.clone()), out.clone()));
        }
        drop(out);
        while let Some(r) = set.join_next().await {
            if let Err(e) = r {
                tracing::error!("a source task ended abnormally: {e}");
            }
        }
        let mut report = pass
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        report.held = std::mem::take(&mut *pass.held.lock().unwrap_or_else(|e| e.into_inner()));
        tracing::info!(
            pages = report.pages,
            emitted = report.emitted,
            skipped_seen = report.skipped_seen,
            not_modified = report.not_modified,
            failed = report.failed.values().sum::<u64>(),
            "crawl pass done"
        );
        report
    }
}

/// The role a source's start URLs are fetched as.
pub fn start_role(kind: SourceKind) -> PageRole {
    match kind {
        // an auto source's start page is read as a list page and sniffed there (parse::discover)
        SourceKind::Html | SourceKind::Auto => PageRole::List,
        SourceKind::Feed | SourceKind::Sitemap => PageRole::Feed,
        SourceKind::Json => PageRole::Api,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_sources;
    use crate::crawl::fetch::tests::{serve, test_settings};
    use axum::Router;
    use axum::extract::{Path as AxPath, State};
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::get;
    use std::collections::HashMap;
    use std::collections::HashSet;
    use std::sync::atomic::AtomicBool;
    use std::sync::atomic::Ordering;

    /// A small complaint site: three list pages, seven detail pages.
    #[derive(Default)]
    struct Site {
        hits: Mutex<HashMap<String, u32>>,
        /// A new complaint appears at the top of page 1.
        extra: AtomicBool,
        /// /d/6 answers 404.
        broken6: AtomicBool,
    }

    impl Site {
        fn hit(&self, path: &str) {
            *self
                .hits
                .lock()
                .unwrap()
                .entry(path.to_string())
                .or_default() += 1;
        }
        fn hits(&self, path: &str) -> u32 {
            self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
        }
    }

    async fn list(
        AxPath(p): AxPath<u32>,
        State(s): State<Arc<Site>>,
        h: HeaderMap,
    ) -> impl IntoResponse {
        s.hit(&format!("/list/{p}"));
        let extra = s.extra.load(Ordering::SeqCst);
        let etag = format!("\"p{p}-{extra}\"");
        if h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            return StatusCode::NOT_MODIFIED.into_response();
        }
        let (links, next): (Vec<&str>, Option<&str>) = match p {
            1 if extra => (
                vec!["/d/8", "/d/1?utm_source=home", "/d/2", "/d/3"],
                Some("/list/2"),
            ),
            1 => (
                vec!["/d/1?utm_source=home", "/d/2", "/d/3"],
                Some("/list/2"),
            ),
            // Page 2 repeats /d/1 with a fragment and a tracking parameter; and a mailto.
            2 => (
                vec![
                    "../d/4",
                    "/d/5",
                    "/d/6",
                    "/d/1?spm=x#comments",
                    "mailto:kefu@example.com",
                ],
                Some("/list/3?page=3&from=nav"),
            ),
            _ => (vec!["/d/7"], None),
        };
        let mut html = String::from("<html><body><ul>");
        for l in links {
            html.push_str(&format!("<li><a class=\"d\" href=\"{l}\">投诉</a></li>"));
        }
        html.push_str("</ul>");
        if let Some(n) = next {
            html.push_str(&format!("<a rel=\"next\" href=\"{n}\">下一页</a>"));
        }
        html.push_str("</body></html>");
        (
            [
                (header::ETAG, etag),
                (header::CONTENT_TYPE, "text/html; charset=utf-8".into()),
            ],
            html,
        )
            .into_response()
    }

    async fn detail(AxPath(n): AxPath<u32>, State(s): State<Arc<Site>>) -> impl IntoResponse {
        s.hit(&format!("/d/{n}"));
        if n == 6 && s.broken6.load(Ordering::SeqCst) {
            return StatusCode::NOT_FOUND.into_response();
        }
        let texts = [
            "买的儿童保温杯用了两周杯盖密封圈脱落，孩子差点误吞。",
            "电动自行车充电器充电时外壳发烫变形，有焦糊味。",
            "网购的移动电源鼓包，商家拒绝退货。",
            "宝宝爬行垫有刺鼻气味，担心甲醛超标。",
            "暖风机使用半小时后电源线插头熔化。",
            "卖家宣传的3C认证查不到，插线板一插就跳闸。",
            "儿童滑板车前轮螺丝松动，刹车几乎无效。",
            "电热毯局部过热，床单烫出焦痕。",
        ];
        let t = texts
            .get(n as usize % texts.len())
            .copied()
            .unwrap_or_default();
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!("<h1>投诉{n}</h1><div class=\"text\">{t}</div>"),
        )
            .into_response()
    }

    async fn site(broken6: bool) -> (String, Arc<Site>) {
        let state = Arc::new(Site {
            broken6: AtomicBool::new(broken6),
            ..Site::default()
        });
        let app = Router::new()
            .route("/list/{p}", get(list))
            .route("/d/{n}", get(detail))
            .with_state(state.clone());
        (serve(app).await, state)
    }

    /// Links by a fixed markup convention, so the scheduler is tested without the parse stage.
    struct TestLinks;

    impl LinkReader for TestLinks {
        fn discover(&self, f: &Fetched, src: &SourceConfig) -> Result<Discovered, String> {
            test_discover(f, src)
        }
        fn attachments(&self, _page: &Fetched) -> Vec<String> {
            Vec::new()
        }
    }

    fn test_discover(f: &Fetched, _src: &SourceConfig) -> Result<Discovered, String> {
        let body = String::from_utf8_lossy(&f.body);
        let grab = |pat: &str| -> Vec<String> {
            let re = regex::Regex::new(pat).unwrap();
            re.captures_iter(&body).map(|c| c[1].to_string()).collect()
        };
        let base = url::Url::parse(&f.url).map_err(|e| format!("bad-url: {e}"))?;
        let abs = |v: Vec<String>| {
            v.into_iter()
                .map(|l| base.join(&l).map(String::from).unwrap_or(l))
                .collect()
        };
        let mut next = grab(r#"rel="next" href="([^"]+)""#);
        next.extend(grab(r#""next":"([^"]+)""#));
        Ok(Discovered {
            details: abs(grab(r#"class="d" href="([^"]+)""#)),
            next: abs(next),
            ..Default::default()
        })
    }

    fn source(base: &str) -> SourceConfig {
        let text = format!(
            r#"
[[source]]
name = "local-complaints"
kind = "html"
channel = "complaint"
start = ["{base}/list/1#top"]
[source.politeness]
rps = 500
[source.list]
links = "a.d"
next = "a[rel=next]"
[source.detail]
title = "h1"
text = "div.text"
"#
        );
        parse_sources(&text, "test.toml").unwrap().remove(0)
    }

    struct Rig {
        crawler: Crawler,
        store: Store,
        dir: tempfile::TempDir,
    }

    /// A crawler with its own store and archive in `dir`, as a fresh process would open them,
    /// reading links with the parser.
    fn crawler_in(dir: &std::path::Path) -> (Crawler, Store) {
        crawler_with(dir, Arc::new(crate::parse::Links))
    }

    fn crawler_with(dir: &std::path::Path, links: Arc<dyn LinkReader>) -> (Crawler, Store) {
        crawler_with_settings(dir, links, &test_settings())
    }

    fn crawler_with_settings(
        dir: &std::path::Path,
        links: Arc<dyn LinkReader>,
        settings: &CrawlSettings,
    ) -> (Crawler, Store) {
        let store = Store::open(&dir.join("state.sqlite")).unwrap();
        let archive = ArchiveWriter::open(&dir.join("archive"), 1 << 30).unwrap();
        let crawler = Crawler::new(
            settings,
            archive,
            store.clone(),
            Arc::new(Counters::default()),
            links,
        )
        .unwrap();
        (crawler, store)
    }

    fn rig() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let (crawler, store) = crawler_with(dir.path(), Arc::new(TestLinks));
        Rig {
            crawler,
            store,
            dir,
        }
    }

    /// One pass; the receiving side plays the pipeline's sink, marking each page processed as
    /// the indexer does after its commit.
    async fn pass_with(
        c: &Crawler,
        store: &Store,
        src: &SourceConfig,
    ) -> (CrawlReport, Vec<Fetched>) {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(2);
        let store = store.clone();
        let collect = tokio::spawn(async move {
            let mut v = Vec::new();
            while let Some(f) = rx.recv().await {
                store
                    .mark_processed(&[(f.url.clone(), f.source.clone())])
                    .unwrap();
                v.push(f);
            }
            v
        });
        let report = c.crawl(std::slice::from_ref(src), tx).await;
        (report, collect.await.unwrap())
    }

    #[tokio::test]
    async fn crawls_list_to_detail_with_paging_then_only_new_pages() {
        let (base, site) = site(true).await;
        let src = source(&base);
        let r = rig();

        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        let mut urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
        urls.sort();
        let want: Vec<String> = [1, 2, 3, 4, 5, 7]
            .iter()
            .map(|n| format!("{base}/d/{n}"))
            .collect();
        assert_eq!(urls, want);
        assert!(pages.iter().all(|p| p.role == PageRole::Detail
            && p.status == 200
            && p.source == "local-complaints"));
        assert_eq!(rep.emitted, 6);
        assert_eq!(rep.pages, 3 + 7);
        assert_eq!(rep.failed, BTreeMap::from([("http-404".to_string(), 1)]));
        // The duplicate of /d/1 (fragment + tracking parameter) was not fetched twice.
        assert_eq!(site.hits("/d/1"), 1);
        // Everything sent on is in the archive under the same record id.
        let archived: HashMap<String, Fetched> = archive::read_dir(&r.dir.path().join("archive"))
            .unwrap()
            .map(|f| f.unwrap())
            .map(|f| (f.record_id.clone(), f))
            .collect();
        for p in &pages {
            let a = &archived[&p.record_id];
            assert_eq!(a.body, p.body);
            assert_eq!(a.role, PageRole::Detail);
        }
        // The 404 is archived too, but not recorded as seen.
        assert!(
            archived
                .values()
                .any(|a| a.status == 404 && a.url.ends_with("/d/6"))
        );
        assert!(r.store.page_seen(&format!("{base}/d/1")).unwrap());
        assert!(!r.store.page_seen(&format!("{base}/d/6")).unwrap());

        // Second pass, same store: page 1 only, its links all seen, so paging stops there. The
        // first pass had a failure, so page 1 was stored without validators: a full GET.
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert!(pages.is_empty());
        assert_eq!(rep.skipped_seen, 3);
        assert_eq!(rep.not_modified, 0);
        assert_eq!(site.hits("/list/1"), 2);
        assert_eq!(site.hits("/list/2"), 1);
        for n in [1, 2, 3, 4, 5, 7] {
            assert_eq!(site.hits(&format!("/d/{n}")), 1, "/d/{n} fetched twice");
        }

        // A new complaint on page 1: only it is fetched, and paging goes on while pages still
        // have unseen links; page 2's only unseen one is the 404, parked until a later
        // schedule, so paging stops there.
        site.extra.store(true, Ordering::SeqCst);
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(urls, vec![format!("{base}/d/8")]);
        assert_eq!(rep.emitted, 1);
        assert_eq!(rep.skipped_parked, 1);
        assert_eq!(site.hits("/d/6"), 1);
        assert_eq!(site.hits("/list/2"), 2);
        assert_eq!(site.hits("/list/3"), 1);
        assert_eq!(site.hits("/d/1"), 1);
    }

    #[test]
    fn crawler_can_run_in_a_spawned_task() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Crawler>();
        fn send<T: Send>(_: &T) {}
        let r = rig();
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let fut = r.crawler.crawl(&[], tx);
        send(&fut);
    }

    #[tokio::test]
    async fn unchanged_list_page_is_a_304_and_nothing_more() {
        let (base, site) = site(false).await;
        let src = source(&base);
        let r = rig();
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(pages.len(), 7);
        assert!(rep.failed.is_empty());
        let rec = r.store.page(&format!("{base}/list/1")).unwrap().unwrap();
        assert_eq!(rec.etag, None);

        // The first pass found new links on page 1, so it kept no validators: a full GET now,
        // which finds nothing new and stores them.
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert!(pages.is_empty());
        assert_eq!((rep.pages, rep.not_modified), (1, 0));
        // Now the conditional GET answers 304.
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert!(pages.is_empty());
        assert_eq!((rep.pages, rep.not_modified), (1, 1));
        assert_eq!(site.hits("/list/1"), 3);
        assert_eq!(site.hits("/list/2"), 1);
    }

    #[tokio::test]
    async fn api_pages_carry_documents_and_page_up_to_max_pages() {
        let hits = Arc::new(Mutex::new(Vec::<u32>::new()));
        let app = Router::new()
            .route(
                "/api/{p}",
                get(|AxPath(p): AxPath<u32>, State(h): State<Arc<Mutex<Vec<u32>>>>| async move {
                    h.lock().unwrap().push(p);
                    let body = format!(
                        r#"{{"items":[{{"id":"{p}","title":"第{p}批产品质量监督抽查结果"}}],"next":"/api/{}"}}"#,
                        p + 1
                    );
                    ([(header::CONTENT_TYPE, "application/json")], body)
                }),
            )
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nDisallow: /api/private\n" }),
            )
            .with_state(hits.clone());
        let base = serve(app).await;
        let text = format!(
            r#"
[[source]]
name = "regulator-api"
kind = "json"
channel = "regulator"
start = ["{base}/api/1", "{base}/api/private"]
max_pages = 4
[source.politeness]
rps = 500
[source.api]
items = "items"
fields = {{ title = "title", text = "title" }}
"#
        );
        let src = parse_sources(&text, "api.toml").unwrap().remove(0);
        let r = rig();
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        let mut got = hits.lock().unwrap().clone();
        got.sort();
        // Two start URLs count towards max_pages: /api/1 and the disallowed one, then 2 and 3.
        assert_eq!(got, vec![1, 2, 3]);
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|p| p.role == PageRole::Api));
        assert_eq!(rep.failed.get("robots-disallowed"), Some(&1));
    }

    #[tokio::test]
    async fn end_to_end_with_real_link_discovery_and_restarts() {
        let (base, site) = site(false).await;
        let src = source(&base);
        let dir = tempfile::tempdir().unwrap();
        // A fresh crawler, store handle and archive file each time, as after a process restart.
        let start = || crawler_in(dir.path());

        let (c, store) = start();
        let (rep, pages) = pass_with(&c, &store, &src).await;
        assert!(rep.failed.is_empty(), "{:?}", rep.failed);
        assert_eq!(pages.len(), 7);
        let mut titles: Vec<String> = pages
            .iter()
            .flat_map(|p| crate::parse::parse(p, &src).unwrap())
            .map(|d| d.title)
            .collect();
        titles.sort();
        let want: Vec<String> = (1..=7).map(|n| format!("投诉{n}")).collect();
        assert_eq!(titles, want);
        drop((c, store));

        // Restarts, nothing changed: page 1 only (a full GET, then a 304), nothing else.
        for not_modified in [0, 1] {
            let (c, store) = start();
            let (rep, pages) = pass_with(&c, &store, &src).await;
            assert!(pages.is_empty());
            assert_eq!((rep.pages, rep.not_modified), (1, not_modified));
        }

        // Restart after a new complaint appeared: only that one is fetched.
        site.extra.store(true, Ordering::SeqCst);
        let (c, store) = start();
        let (rep, pages) = pass_with(&c, &store, &src).await;
        let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(urls, vec![format!("{base}/d/8")]);
        assert_eq!(rep.skipped_seen, 3 + 3);
        for n in 1..=8 {
            assert_eq!(site.hits(&format!("/d/{n}")), 1, "/d/{n}");
        }
        // Four archive files, one per run, all readable; every detail page is in them once.
        let files = std::fs::read_dir(dir.path().join("archive"))
            .unwrap()
            .count();
        assert_eq!(files, 4);
        let details = archive::read_dir(&dir.path().join("archive"))
            .unwrap()
            .map(|f| f.unwrap())
            .filter(|f| f.role == PageRole::Detail)
            .count();
        assert_eq!(details, 8);
    }

    /// Many sources on many hosts at once, each with paging: every page arrives exactly once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_hosts_in_parallel() {
        async fn big_list(AxPath(p): AxPath<u32>) -> impl IntoResponse {
            let mut html = String::new();
            for i in 0..20 {
                html.push_str(&format!("<a class=\"d\" href=\"/d/{}\">x</a>", p * 100 + i));
            }
            if p < 4 {
                html.push_str(&format!(
                    "<a rel=\"next\" href=\"/list/{}\">下一页</a>",
                    p + 1
                ));
            }
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
        }
        async fn page(AxPath(n): AxPath<u32>) -> impl IntoResponse {
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                format!("<h1>召回公告{n}</h1><div class=\"text\">正文</div>"),
            )
        }
        let mut sources = Vec::new();
        for h in 0..7 {
            let app = Router::new()
                .route("/list/{p}", get(big_list))
                .route("/d/{n}", get(page));
            let base = serve(app).await;
            let mut s = source(&base);
            s.name = format!("host-{h}");
            s.politeness.rps = Some(100.0);
            s.start = vec![format!("{base}/list/1")];
            sources.push(s);
        }
        let r = rig();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(8);
        let collect = tokio::spawn(async move {
            let mut v = Vec::new();
            while let Some(f) = rx.recv().await {
                v.push(f.url);
            }
            v
        });
        let rep = r.crawler.crawl(&sources, tx).await;
        let urls = collect.await.unwrap();
        let unique: HashSet<&String> = urls.iter().collect();
        assert_eq!(urls.len(), 7 * 4 * 20);
        assert_eq!(unique.len(), urls.len());
        assert_eq!(rep.pages, 7 * (4 + 80));
        assert!(rep.failed.is_empty(), "{:?}", rep.failed);
    }

    /// Killed after sending pages on but before the sink stored them: the next pass must fetch
    /// them again, not be told 304 by the list page.
    #[tokio::test]
    async fn pages_sent_but_never_processed_are_fetched_again() {
        let (base, site) = site(false).await;
        let src = source(&base);
        let r = rig();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(16);
        let drain = tokio::spawn(async move {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1; // received, never marked processed: the sink "died"
            }
            n
        });
        let rep = r.crawler.crawl(std::slice::from_ref(&src), tx).await;
        assert_eq!((rep.emitted, drain.await.unwrap()), (7, 7));

        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(rep.not_modified, 0);
        assert_eq!(pages.len(), 7);
        assert_eq!(site.hits("/d/7"), 2);
    }

    #[tokio::test]
    async fn closed_output_records_nothing_so_the_next_pass_refetches() {
        let (base, _site) = site(false).await;
        let src = source(&base);
        let r = rig();
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        drop(rx);
        let rep = r.crawler.crawl(std::slice::from_ref(&src), tx).await;
        assert_eq!(rep.emitted, 0);
        for n in 1..=3 {
            assert_eq!(r.store.page(&format!("{base}/d/{n}")).unwrap(), None);
        }
    }

    /// Regression (CI under the whole suite): a page task that ends abnormally — cancelled by
    /// the runtime's shutdown under a kill, or panicking — counted as a failed page only, so the
    /// killed pass marked its source complete and the restart stopped paging at the first list
    /// page whose links were all seen. Such a pass did not get to its end: the mark stays, and
    /// the next pass pages on to the pages the broken one never read.
    #[tokio::test]
    async fn a_page_task_that_dies_leaves_the_source_incomplete() {
        struct PanicsOnPage2;
        impl LinkReader for PanicsOnPage2 {
            fn discover(&self, f: &Fetched, src: &SourceConfig) -> Result<Discovered, String> {
                if f.url.contains("/list/2") {
                    panic!("a reader bug on one list page");
                }
                test_discover(f, src)
            }
            fn attachments(&self, _page: &Fetched) -> Vec<String> {
                Vec::new()
            }
        }
        let (base, _site) = site(false).await;
        let src = source(&base);
        let dir = tempfile::tempdir().unwrap();
        let key = format!("crawl.incomplete.{}", src.name);
        let first: HashSet<String> = {
            let (c, store) = crawler_with(dir.path(), Arc::new(PanicsOnPage2));
            let (_, pages) = pass_with(&c, &store, &src).await;
            assert_eq!(store.meta(&key).unwrap().as_deref(), Some("1"));
            pages.into_iter().map(|p| p.url).collect()
        };
        let (c, store) = crawler_with(dir.path(), Arc::new(TestLinks));
        let (_, pages) = pass_with(&c, &store, &src).await;
        let second: HashSet<String> = pages.into_iter().map(|p| p.url).collect();
        assert!(first.is_disjoint(&second), "{first:?} / {second:?}");
        assert_eq!(first.len() + second.len(), 7, "{first:?} / {second:?}");
        assert_eq!(store.meta(&key).unwrap().as_deref(), Some("0"));
    }

    #[tokio::test]
    async fn bad_start_urls_and_disabled_sources_do_not_stop_the_pass() {
        let (base, _site) = site(false).await;
        let mut bad = source(&base);
        bad.name = "bad".into();
        bad.start = vec!["ftp://example.com/x".into(), "::".into()];
        let mut off = source(&base);
        off.name = "off".into();
        off.enabled = Some(false);
        let good = source(&base);
        let r = rig();
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let collect = tokio::spawn(async move {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        });
        let rep = r.crawler.crawl(&[bad, off, good], tx).await;
        assert_eq!(collect.await.unwrap(), 7);
        assert_eq!(rep.failed.get("bad-url"), Some(&2));
    }

    /// A detail page that fails after every retry is parked with its reason, not tried again
    /// on the next pass, tried again once due (with a longer wait after each failure), and
    /// unparked when it finally answers.
    #[tokio::test]
    async fn failed_pages_are_parked_and_retried_on_a_later_schedule() {
        let (base, site) = site(true).await;
        let src = source(&base);
        let r = rig();
        let d6 = format!("{base}/d/6");
        let (rep, _) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(rep.parked, 1);
        let p = r.store.parked(Some("local-complaints")).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].url.as_str(), p[0].reason.as_str(), p[0].attempts),
            (d6.as_str(), "http-404", 1)
        );
        let first_wait = p[0].retry_at - p[0].parked_at;
        // One schedule (an hour, less a tenth).
        assert_eq!(first_wait.num_minutes(), 54);

        // Next pass: not due, not fetched, even though list page 2 is read again.
        site.extra.store(true, Ordering::SeqCst);
        let (rep, _) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(rep.skipped_parked, 1);
        assert_eq!(site.hits("/d/6"), 1);

        // Due now (as if the hour had passed): retried straight from the parked table, fails
        // again, parked for longer.
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        r.store
            .park(&d6, "local-complaints", "http-404", past, past)
            .unwrap();
        let (rep, _) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(site.hits("/d/6"), 2);
        assert_eq!(rep.parked, 1);
        let p = r.store.parked(None).unwrap().remove(0);
        assert_eq!(p.attempts, 3);
        assert_eq!((p.retry_at - p.parked_at).num_minutes(), 4 * 54);

        // Fixed, and due: fetched, sent on, unparked, seen.
        site.broken6.store(false, Ordering::SeqCst);
        r.store
            .park(&d6, "local-complaints", "http-404", past, past)
            .unwrap();
        let (rep, pages) = pass_with(&r.crawler, &r.store, &src).await;
        assert_eq!(rep.parked, 0);
        assert_eq!(
            pages.iter().map(|p| p.url.as_str()).collect::<Vec<_>>(),
            vec![d6.as_str()]
        );
        assert!(r.store.parked(None).unwrap().is_empty());
        assert!(r.store.page_seen(&d6).unwrap());

        // The source's health record adds it all up.
        let h = r.store.source_health().unwrap().remove(0);
        assert_eq!(h.source, "local-complaints");
        assert_eq!(h.failed.get("http-404"), Some(&2));
        assert_eq!((h.parked_total, h.parked_now), (2, 0));
        assert_eq!(
            h.fetched,
            site.hits.lock().unwrap().values().sum::<u32>() as u64
        );
        assert!(h.last_success.is_some());
    }

    #[test]
    fn park_waits_double_and_are_capped() {
        let now = chrono::Utc::now();
        let h = std::time::Duration::from_secs(3600);
        let w = |n| (park_until(now, h, n) - now).num_minutes();
        assert_eq!((w(1), w(2), w(3)), (54, 108, 216));
        assert_eq!(w(40), 64 * 54);
        let day = std::time::Duration::from_secs(86_400);
        assert_eq!((park_until(now, day, 30) - now).num_days(), 30);
    }

    /// A source with no success for longer than `stale_after` schedules is reported stale; a
    /// successful pass clears it.
    #[tokio::test]
    async fn stale_sources_are_reported_and_recover() {
        let (base, _site) = site(false).await;
        let mut src = source(&base);
        src.name = "gov-notices".into();
        let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead_addr = dead.local_addr().unwrap();
        drop(dead);
        let mut down = src.clone();
        down.start = vec![format!("http://{dead_addr}/list/1")];
        let r = rig();
        // Its last success was four hours ago; schedule 1 h, stale after 3.
        let old = chrono::Utc::now() - chrono::Duration::hours(4);
        let ok = SourcePassTally {
            success: true,
            ..Default::default()
        };
        r.store
            .record_source_pass("gov-notices", &ok, old, 3 * 3600)
            .unwrap();

        let (rep, _) = pass_with(&r.crawler, &r.store, &down).await;
        assert_eq!(rep.stale, vec!["gov-notices".to_string()]);
        assert_eq!(rep.sources["gov-notices"].failed.get("connect"), Some(&1));
        assert!(!rep.sources["gov-notices"].success);
        let h = r.store.source_health().unwrap().remove(0);
        assert!(h.is_stale(chrono::Utc::now()));
        assert_eq!(h.last_success.map(|t| t.timestamp()), Some(old.timestamp()));

        let (rep, _) = pass_with(&r.crawler, &r.store, &src).await;
        assert!(rep.stale.is_empty());
        assert!(rep.sources["gov-notices"].success);
        assert!(!r.store.source_health().unwrap()[0].is_stale(chrono::Utc::now()));
    }

    /// Sitemap index → sitemaps → pages, with the real link discovery; unchanged sitemaps are
    /// not read again, and a page whose `lastmod` moves past our fetch is fetched again.
    #[tokio::test]
    async fn sitemap_source_follows_index_and_lastmod() {
        #[derive(Default)]
        struct Sm {
            hits: Mutex<HashMap<String, u32>>,
            changed: AtomicBool,
        }
        async fn handler(
            AxPath(p): AxPath<String>,
            State(s): State<Arc<Sm>>,
        ) -> axum::response::Response {
            *s.hits.lock().unwrap().entry(p.clone()).or_default() += 1;
            let changed = s.changed.load(Ordering::SeqCst);
            let future = "2099-01-01T00:00:00+08:00";
            let xml =
                |body: String| ([(header::CONTENT_TYPE, "application/xml")], body).into_response();
            match p.as_str() {
                "sitemap.xml" => xml(format!(
                    r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>/sm-1.xml</loc><lastmod>{}</lastmod></sitemap>
<sitemap><loc>/sm-2.xml</loc><lastmod>2026-01-02</lastmod></sitemap></sitemapindex>"#,
                    if changed { future } else { "2026-01-01" }
                )),
                "sm-1.xml" => xml(format!(
                    r#"<urlset><url><loc>/n/1.html</loc><lastmod>{}</lastmod></url>
<url><loc>/n/2.html</loc><lastmod>2026-01-01</lastmod></url></urlset>"#,
                    if changed { future } else { "2026-01-01" }
                )),
                "sm-2.xml" => xml("<urlset><url><loc>/n/3.html</loc></url></urlset>".into()),
                n => (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    format!("<h1>抽查通报{n}</h1><div class=\"text\">电热水壶抽查不合格，涉及温控器失效。</div>"),
                )
                    .into_response(),
            }
        }
        let st = Arc::new(Sm::default());
        let app = Router::new()
            .route("/{p}", get(handler))
            .route(
                "/n/{p}",
                get(
                    |AxPath(p): AxPath<String>, State(s): State<Arc<Sm>>| async move {
                        handler(AxPath(format!("n/{p}")), State(s)).await
                    },
                ),
            )
            .with_state(st.clone());
        let base = serve(app).await;
        let text = format!(
            r#"
[[source]]
name = "sitemap-gov"
kind = "sitemap"
channel = "regulator"
start = ["{base}/sitemap.xml"]
[source.politeness]
rps = 500
[source.detail]
title = "h1"
text = "div.text"
"#
        );
        let src = parse_sources(&text, "sm.toml").unwrap().remove(0);
        let dir = tempfile::tempdir().unwrap();
        let (c, store) = crawler_in(dir.path());
        let hits = |p: &str| st.hits.lock().unwrap().get(p).copied().unwrap_or(0);

        let (rep, pages) = pass_with(&c, &store, &src).await;
        assert!(rep.failed.is_empty(), "{:?}", rep.failed);
        let mut urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
        urls.sort();
        assert_eq!(
            urls,
            (1..=3)
                .map(|n| format!("{base}/n/{n}.html"))
                .collect::<Vec<_>>()
        );
        let docs = crate::parse::parse(&pages[0], &src).unwrap();
        assert!(docs[0].title.starts_with("抽查通报"));

        // Nothing changed: the index is read, its sitemaps are older than our reads of them.
        let (rep, pages) = pass_with(&c, &store, &src).await;
        assert!(pages.is_empty());
        assert_eq!(rep.pages, 1);
        assert_eq!(
            (hits("sitemap.xml"), hits("sm-1.xml"), hits("sm-2.xml")),
            (2, 1, 1)
        );

        // sm-1 and its page 1 changed: only they are read again.
        st.changed.store(true, Ordering::SeqCst);
        let (_, pages) = pass_with(&c, &store, &src).await;
        assert_eq!(
            pages.iter().map(|p| p.url.clone()).collect::<Vec<_>>(),
            vec![format!("{base}/n/1.html")]
        );
        assert_eq!((hits("sm-1.xml"), hits("sm-2.xml")), (2, 1));
        assert_eq!(
            (hits("n/1.html"), hits("n/2.html"), hits("n/3.html")),
            (2, 1, 1)
        );
    }

    /// Detail pages in Big5, GB18030 (meta tag only, four-byte characters) and with invalid
    /// bytes go through crawl and parse; a broken one never stops the others.
    #[tokio::test]
    async fn big5_gb18030_and_invalid_bytes_through_the_crawler() {
        type Pages = Arc<Vec<(&'static str, Vec<u8>)>>;
        let (big5, _, _) = encoding_rs::BIG5.encode(
            "<h1>電暖器過熱自燃</h1><div class=\"text\">臺中市消費者投訴電暖器插頭燒焦。</div>",
        );
        let (gb, _, _) = encoding_rs::GB18030.encode(
            "<html><head><meta charset=\"gb18030\"></head><h1>婴儿推车召回𠀀</h1><div class=\"text\">浙江省市场监管局发布婴儿推车召回，刹车装置存在缺陷。</div></html>",
        );
        let mut bad = "<h1>充电宝鼓包</h1><div class=\"text\">用户反映"
            .as_bytes()
            .to_vec();
        bad.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0x80]);
        bad.extend_from_slice("充电时外壳发烫。</div>".as_bytes());
        let pages: Pages = Arc::new(vec![
            ("text/html; charset=big5", big5.into_owned()),
            ("text/html", gb.into_owned()),
            ("text/html; charset=utf-8", bad),
        ]);
        let app = Router::new()
            .route(
                "/list/{p}",
                get(|| async {
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                     "<a class=\"d\" href=\"/d/0\">1</a><a class=\"d\" href=\"/d/1\">2</a><a class=\"d\" href=\"/d/2\">3</a>")
                }),
            )
            .route(
                "/d/{n}",
                get(|AxPath(n): AxPath<usize>, State(p): State<Pages>| async move {
                    let (ct, body) = p[n].clone();
                    ([(header::CONTENT_TYPE, ct)], body)
                }),
            )
            .with_state(pages);
        let base = serve(app).await;
        let src = source(&base);
        let dir = tempfile::tempdir().unwrap();
        let (c, store) = crawler_in(dir.path());
        let (rep, fetched) = pass_with(&c, &store, &src).await;
        assert!(rep.failed.is_empty());
        let mut titles: Vec<(String, String)> = fetched
            .iter()
            .flat_map(|f| crate::parse::parse(f, &src).unwrap())
            .map(|d| (d.title, d.text))
            .collect();
        titles.sort();
        assert_eq!(titles.len(), 3);
        assert_eq!(titles[0].0, "充电宝鼓包");
        assert!(titles[0].1.starts_with("用户反映") && titles[0].1.ends_with("充电时外壳发烫。"));
        assert!(titles[0].1.contains('\u{fffd}'));
        assert_eq!(titles[1].0, "婴儿推车召回𠀀");
        assert!(titles[1].1.contains("刹车装置存在缺陷"));
        assert_eq!(titles[2].0, "電暖器過熱自燃");
        assert!(titles[2].1.contains("臺中市"));
    }

    /// A feed whose entries are partly broken (no link, a javascript: link, a link to a dead
    /// page) still leads to its good articles; the dead one is recorded and parked.
    #[tokio::test]
    async fn feed_with_broken_entries() {
        let app = Router::new()
            .route(
                "/rss.xml",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
                        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>质量新闻</title>
<item><title>没有链接的条目</title><description>……</description></item>
<item><title>脚本链接</title><link>javascript:void(0)</link></item>
<item><title>已删除</title><link>/a/404.html</link></item>
<item><title>电动车头盔抽检</title><link>/a/1.html</link><pubDate>not a date</pubDate></item>
<item><title>儿童口罩</title><link>/a/2.html?utm_source=rss</link></item>
<item><title>重复</title><link>/a/1.html#top</link></item>
</channel></rss>"#,
                    )
                }),
            )
            .route(
                "/a/{n}",
                get(|AxPath(n): AxPath<String>| async move {
                    if n == "404.html" {
                        return StatusCode::NOT_FOUND.into_response();
                    }
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        format!(
                            "<h1>新闻{n}</h1><div class=\"text\">市场监管部门通报抽检情况。</div>"
                        ),
                    )
                        .into_response()
                }),
            );
        let base = serve(app).await;
        let text = format!(
            r#"
[[source]]
name = "news-rss"
kind = "feed"
channel = "media"
start = ["{base}/rss.xml"]
[source.politeness]
rps = 500
[source.detail]
title = "h1"
text = "div.text"
"#
        );
        let src = parse_sources(&text, "f.toml").unwrap().remove(0);
        let dir = tempfile::tempdir().unwrap();
        let (c, store) = crawler_in(dir.path());
        let (rep, pages) = pass_with(&c, &store, &src).await;
        let mut urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
        urls.sort();
        assert_eq!(
            urls,
            vec![format!("{base}/a/1.html"), format!("{base}/a/2.html")]
        );
        assert_eq!(rep.failed, BTreeMap::from([("http-404".to_string(), 1)]));
        assert_eq!(store.parked(None).unwrap().len(), 1);
    }

    /// Kill mid-way (the runtime is dropped while pages are in flight), restart on the same
    /// data: no page that was archived and stored is fetched again, and none is missed.
    #[test]
    fn restart_after_a_kill_midway_fetches_nothing_twice_and_misses_nothing() {
        let server_rt = tokio::runtime::Runtime::new().unwrap();
        let hits = Arc::new(Mutex::new(HashMap::<u32, u32>::new()));
        let h = hits.clone();
        let base = server_rt.block_on(async move {
            async fn big_list(AxPath(p): AxPath<u32>) -> impl IntoResponse {
                let mut html = String::new();
                for i in 0..10 {
                    html.push_str(&format!("<a class=\"d\" href=\"/d/{}\">x</a>", p * 100 + i));
                }
                if p < 6 {
                    html.push_str(&format!("<a rel=\"next\" href=\"/list/{}\">下一页</a>", p + 1));
                }
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
            }
            let app = Router::new()
                .route("/list/{p}", get(big_list))
                .route(
                    "/d/{n}",
                    get(|AxPath(n): AxPath<u32>, State(h): State<Arc<Mutex<HashMap<u32, u32>>>>| async move {
                        *h.lock().unwrap().entry(n).or_default() += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        format!("<h1>质量投诉{n}</h1><div class=\"text\">正文</div>")
                    }),
                )
                .with_state(h);
            serve(app).await
        });
        let mut src = source(&base);
        src.start = vec![format!("{base}/list/1")];
        src.politeness.rps = Some(200.0);
        let all: HashSet<u32> = (1..=6)
            .flat_map(|p| (0..10).map(move |i| p * 100 + i))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        // Regression (CI, 2 cores under the whole suite): the restart once stored nothing, and
        // the failure did not say why. A first list page timing out on a loaded machine is one
        // way to get there, and timeouts are not what this test is about: give the fetches
        // room, and say what the restart saw and did if it fails again.
        let settings = CrawlSettings {
            connect_timeout: std::time::Duration::from_secs(20),
            timeout: std::time::Duration::from_secs(60),
            ..test_settings()
        };
        let open = || crawler_with_settings(dir.path(), Arc::new(TestLinks), &settings);
        let url_n = |u: &str| u.rsplit('/').next().unwrap().parse::<u32>().unwrap();

        // First run: killed once the sink has stored 15 pages.
        let processed_before: HashSet<u32> = {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let (c, store) = open();
            let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
            let done = Arc::new(Mutex::new(HashSet::new()));
            let d = done.clone();
            let src2 = src.clone();
            rt.spawn(async move {
                let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(2);
                let sink_store = store.clone();
                tokio::spawn(async move {
                    while let Some(f) = rx.recv().await {
                        sink_store
                            .mark_processed(&[(f.url.clone(), f.source.clone())])
                            .unwrap();
                        let mut d = d.lock().unwrap();
                        d.insert(url_n(&f.url));
                        if d.len() == 15 {
                            let _ = stop_tx.send(());
                        }
                    }
                });
                c.crawl(std::slice::from_ref(&src2), tx).await;
            });
            stop_rx.recv().unwrap();
            rt.shutdown_background(); // the kill
            done.lock().unwrap().clone()
        };
        assert!(
            processed_before.len() >= 15 && processed_before.len() < all.len(),
            "{}",
            processed_before.len()
        );
        // Give the killed runtime's blocking archive writes a moment to finish or not.
        std::thread::sleep(std::time::Duration::from_millis(50));

        // Restart and run to the end.
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (c, store) = open();
        let incomplete = store.meta(&format!("crawl.incomplete.{}", src.name));
        let (rep, pages) = rt.block_on(pass_with(&c, &store, &src));
        let after: HashSet<u32> = pages.iter().map(|p| url_n(&p.url)).collect();
        let got: HashSet<u32> = processed_before.union(&after).copied().collect();
        assert_eq!(
            got, all,
            "every page stored once the restart is done; incomplete mark {incomplete:?}, restart {rep:?}"
        );
        assert!(
            processed_before.is_disjoint(&after),
            "a stored page was sent on twice"
        );
        let hits = hits.lock().unwrap();
        for n in &processed_before {
            assert_eq!(
                hits[n], 1,
                "/d/{n} was stored before the kill and fetched again"
            );
        }
        // Fetched twice at most: those in flight at the kill (archived, not yet stored).
        let twice: Vec<_> = hits
            .iter()
            .filter(|(_, c)| **c > 1)
            .map(|(n, _)| *n)
            .collect();
        assert!(twice.iter().all(|n| after.contains(n)), "{twice:?}");
        assert!(twice.iter().all(|n| hits[n] == 2));
        // Every page stored is in the archive.
        let archived: HashSet<u32> = archive::read_dir(&dir.path().join("archive"))
            .unwrap()
            .filter_map(|f| f.ok())
            .filter(|f| f.role == PageRole::Detail && f.status == 200)
            .map(|f| url_n(&f.url))
            .collect();
        assert_eq!(archived, all);
    }

    /// Politeness through the whole crawler: two sources on two hosts with their own rates, all
    /// pages scheduled at once; each server records its request times, and no host ever sees
    /// requests closer than its period allows (a tenth of slack for timer jitter on the spans).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_host_sees_more_than_its_configured_rate() {
        type Times = Arc<Mutex<Vec<std::time::Instant>>>;
        async fn host(times: Times) -> String {
            let app = Router::new()
                .route(
                    "/list/{p}",
                    get(|State(t): State<Times>| async move {
                        t.lock().unwrap().push(std::time::Instant::now());
                        let mut html = String::new();
                        for i in 0..7 {
                            html.push_str(&format!("<a class=\"d\" href=\"/d/{i}\">x</a>"));
                        }
                        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
                    }),
                )
                .route(
                    "/d/{n}",
                    get(|State(t): State<Times>| async move {
                        t.lock().unwrap().push(std::time::Instant::now());
                        "<h1>标题</h1><div class=\"text\">正文</div>"
                    }),
                )
                .with_state(times);
            serve(app).await
        }
        let (fast_t, slow_t): (Times, Times) = Default::default();
        let fast = host(fast_t.clone()).await;
        let slow = host(slow_t.clone()).await;
        let mut a = source(&fast);
        a.name = "fast".into();
        a.start = vec![format!("{fast}/list/1")];
        a.politeness = crate::config::Politeness {
            rps: Some(25.0),
            concurrency: Some(8),
            robots: Some(false),
        };
        let mut b = a.clone();
        b.name = "slow".into();
        b.start = vec![format!("{slow}/list/1")];
        b.politeness.rps = Some(10.0);
        let r = rig();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(32);
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let rep = r.crawler.crawl(&[a, b], tx).await;
        drain.await.unwrap();
        assert_eq!(rep.pages, 16);
        // The rate is the crawler's promise about when it sends, so it is read from the send
        // times the archive records (stamped as the limiter lets a request go). The server's
        // arrival times only count the requests: a starved test server takes queued requests
        // in bursts, which said nothing about the crawler.
        let sent: Vec<Fetched> = crate::crawl::archive::read_dir(&r.dir.path().join("archive"))
            .unwrap()
            .map(|f| f.unwrap())
            .collect();
        for (times, base, rps) in [(fast_t, &fast, 25.0), (slow_t, &slow, 10.0)] {
            assert_eq!(times.lock().unwrap().len(), 8, "{base} saw every page");
            let mut t: Vec<_> = sent
                .iter()
                .filter(|f| f.url.starts_with(&format!("{base}/")))
                .map(|f| f.fetched_at)
                .collect();
            t.sort();
            // robots.txt (which takes the host's first slot) and the 8 pages
            let urls: Vec<&str> = sent.iter().map(|f| f.url.as_str()).collect();
            assert_eq!(t.len(), 9, "{urls:?}");
            let period = chrono::Duration::microseconds((1e6 / rps) as i64);
            // Over any k + 1 consecutive requests at least k periods pass (a little slack for
            // the clock read after the limiter).
            for k in 1..t.len() {
                for w in t.windows(k + 1) {
                    let gap = w[k] - w[0];
                    assert!(
                        gap.num_microseconds().unwrap_or(0) as f64
                            >= period.num_microseconds().unwrap_or(0) as f64 * k as f64 * 0.9,
                        "{rps}/s host: {} requests sent in {gap:?}",
                        k + 1,
                    );
                }
            }
        }
    }
}
