//! Crawl: the polite fetcher and scheduler. Sources → fetch → archive → (`Fetched`) → parse.
//!
//! One shared fetch loop ([`fetch::Fetcher`]) does politeness (governor per host, robots.txt,
//! concurrency caps), retries, redirects and the archive write; each source kind only says which
//! links a page leads to (via [`crate::parse::discover`]). Every response, good or bad, is archived
//! before anything else reads it.
//!
//! A pass over a source: its start URLs are fetched as `List` (html), `Feed` (feed) or `Api`
//! (json) pages with a conditional GET; the links they lead to are canonicalised, detail pages
//! already fetched with 2xx in an earlier pass are skipped, the rest fetched as `Detail`; `next`
//! pages keep the role of the page that led to them, up to `max_pages`, and paging stops at a list
//! page with no unseen detail links (incremental crawling). Pages whose role carries documents go
//! to `out`; only after that is the page recorded in the store, so a kill in between means a
//! re-fetch, never a loss.

pub mod archive;
pub mod canon;
pub mod fetch;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::Sender;
use tokio::task::JoinSet;

pub use archive::{ArchiveError, ArchiveReader, ArchiveWriter, Exchange};
pub use canon::{CanonError, canonicalize};
pub use fetch::{CrawlError, FetchOutcome, FetchRequest, Fetcher};

use crate::config::{CrawlSettings, SourceConfig, SourceKind};
use crate::model::{Fetched, PageRole};
use crate::pipeline::Counters;
use crate::store::{PageRecord, Store};

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
}

/// The crawler: a polite fetcher, the store's seen-set and validators, and the scheduler.
pub struct Crawler {
    fetcher: Fetcher,
    store: Store,
}

impl Crawler {
    pub fn new(
        settings: &CrawlSettings,
        archive: ArchiveWriter,
        store: Store,
        counters: Arc<Counters>,
    ) -> Result<Crawler, CrawlError> {
        Ok(Crawler {
            fetcher: Fetcher::new(settings, archive, counters)?,
            store,
        })
    }

    /// One pass over each enabled source, all sources concurrently. Returns when every source is
    /// done (or `out` is closed). Never panics on bad input: bad URLs, failed fetches and link
    /// errors are counted in the report and the counters.
    pub async fn crawl(&self, sources: &[SourceConfig], out: Sender<Fetched>) -> CrawlReport {
        let pass = Arc::new(Pass {
            fetcher: self.fetcher.next_pass(),
            store: self.store.clone(),
            report: Mutex::default(),
            closed: AtomicBool::new(false),
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
        let report = pass
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
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
        SourceKind::Html => PageRole::List,
        SourceKind::Feed => PageRole::Feed,
        SourceKind::Json => PageRole::Api,
    }
}

/// State of one crawl pass, shared by its tasks.
struct Pass {
    fetcher: Fetcher,
    store: Store,
    report: Mutex<CrawlReport>,
    /// Set when `out` is closed: schedule nothing more.
    closed: AtomicBool,
}

/// What a page task hands back to its source's scheduler.
struct PageDone {
    role: PageRole,
    failed: bool,
    discovered: Option<crate::parse::Discovered>,
    url: String,
    /// List / feed / API pages are recorded when the whole source pass is done (see below).
    deferred: Option<PageRecord>,
}

impl Pass {
    fn tally(&self, f: impl FnOnce(&mut CrawlReport)) {
        f(&mut self.report.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn failed(&self, reason: &str) {
        self.tally(|r| *r.failed.entry(reason.to_string()).or_default() += 1);
    }

    async fn crawl_source(self: Arc<Self>, src: Arc<SourceConfig>, out: Sender<Fetched>) {
        let role0 = start_role(src.kind);
        let mut queued: HashSet<String> = HashSet::new();
        let mut paged = 0usize;
        let mut any_failed = false;
        let mut deferred: Vec<PageRecord> = Vec::new();
        let mut tasks: JoinSet<PageDone> = JoinSet::new();

        for u in &src.start {
            match canonicalize(u) {
                Ok(c) => {
                    if paged < src.max_pages.max(1) && queued.insert(c.clone()) {
                        paged += 1;
                        tasks.spawn(self.clone().visit(src.clone(), c, role0, out.clone()));
                    }
                }
                Err(e) => {
                    tracing::warn!(source = %src.name, "start URL skipped: {e}");
                    self.failed("bad-url");
                    self.fetcher.counters().crawl.reject("bad-url");
                }
            }
        }

        while let Some(joined) = tasks.join_next().await {
            let done = match joined {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(source = %src.name, "page task ended abnormally: {e}");
                    any_failed = true;
                    continue;
                }
            };
            any_failed |= done.failed;
            deferred.extend(done.deferred);
            let Some(found) = done.discovered else {
                continue;
            };
            if self.closed.load(Ordering::Relaxed) {
                continue;
            }
            let mut fresh = 0usize;
            for link in &found.details {
                let Some(c) = self.canonical_link(&src, &done.url, link) else {
                    continue;
                };
                if !queued.insert(c.clone()) {
                    continue;
                }
                match self.store.page_seen(&c) {
                    Ok(true) => {
                        self.tally(|r| r.skipped_seen += 1);
                        continue;
                    }
                    Ok(false) => {}
                    // Fetching again is cheaper than losing a page.
                    Err(e) => tracing::warn!(url = %c, "store: {e}; fetching anyway"),
                }
                fresh += 1;
                tasks.spawn(
                    self.clone()
                        .visit(src.clone(), c, PageRole::Detail, out.clone()),
                );
            }
            // Incremental paging: a list page whose detail links were all seen before means the
            // rest of the list is older still. API pages carry their documents inline, so they
            // page on while they have items (an empty page has no `next`).
            let follow = match done.role {
                PageRole::Api if found.details.is_empty() => true,
                _ => fresh > 0,
            };
            if !follow {
                if !found.next.is_empty() {
                    tracing::debug!(source = %src.name, url = %done.url, "no unseen links: paging stops");
                }
                continue;
            }
            for link in &found.next {
                if paged >= src.max_pages {
                    tracing::debug!(source = %src.name, max = src.max_pages, "max_pages reached");
                    break;
                }
                let Some(c) = self.canonical_link(&src, &done.url, link) else {
                    continue;
                };
                if queued.insert(c.clone()) {
                    paged += 1;
                    tasks.spawn(self.clone().visit(src.clone(), c, done.role, out.clone()));
                }
            }
        }

        // List / feed / API pages are recorded last: their validators make the next pass's
        // conditional GET answer 304, which must not hide detail pages this pass failed to get.
        for mut rec in deferred {
            if any_failed {
                rec.etag = None;
                rec.last_modified = None;
            }
            if let Err(e) = self.store.record_page(&rec) {
                tracing::warn!(url = %rec.url, "store: cannot record page: {e}");
            }
        }
    }

    fn canonical_link(&self, src: &SourceConfig, base: &str, link: &str) -> Option<String> {
        match canon::resolve(base, link) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::debug!(source = %src.name, "link skipped: {e}");
                None
            }
        }
    }

    /// Fetch, archive (in the fetcher), discover links, send on, record.
    async fn visit(
        self: Arc<Self>,
        src: Arc<SourceConfig>,
        url: String,
        role: PageRole,
        out: Sender<Fetched>,
    ) -> PageDone {
        let mut done = PageDone {
            role,
            failed: false,
            discovered: None,
            url: url.clone(),
            deferred: None,
        };
        let prior = if role == PageRole::Detail {
            None
        } else {
            self.store.page(&url).unwrap_or_else(|e| {
                tracing::warn!(url = %url, "store: {e}");
                None
            })
        };
        let prior = prior.filter(|p| (200..300).contains(&p.status));
        let outcome = self
            .fetcher
            .fetch(&FetchRequest {
                source: &src.name,
                role,
                url: &url,
                politeness: &src.politeness,
                etag: prior.as_ref().and_then(|p| p.etag.as_deref()),
                last_modified: prior.as_ref().and_then(|p| p.last_modified.as_deref()),
            })
            .await;
        self.tally(|r| {
            r.bytes += outcome.bytes;
            if outcome.fetched.is_some() {
                r.pages += 1;
            }
        });
        if let Some(reason) = &outcome.error {
            self.failed(reason);
            done.failed = true;
            return done;
        }
        let Some(page) = outcome.fetched else {
            return done;
        };
        if page.status == 304 {
            self.tally(|r| r.not_modified += 1);
            return done;
        }
        // Links resolve against where the page really was (after redirects).
        done.url = page.url.clone();
        if role != PageRole::Detail {
            match crate::parse::discover(&page, &src) {
                Ok(d) => done.discovered = Some(d),
                Err(e) => {
                    tracing::warn!(source = %src.name, url = %page.url, "links: {e}");
                    self.failed("parse-links");
                    self.fetcher.counters().crawl.reject("parse-links");
                    done.failed = true;
                }
            }
        }
        let record = PageRecord {
            // The canonical URL we asked for: that is what seen-checks look up.
            url: url.clone(),
            source: src.name.clone(),
            status: page.status,
            record_id: page.record_id.clone(),
            etag: page.header("etag").map(str::to_string),
            last_modified: page.header("last-modified").map(str::to_string),
            fetched_at: Some(page.fetched_at),
        };
        if role.carries_documents() {
            if out.send(page).await.is_err() {
                // Nobody reads any more: not recorded, so the next pass fetches it again.
                self.closed.store(true, Ordering::Relaxed);
                return done;
            }
            self.fetcher.counters().crawl.emitted(1);
            self.tally(|r| r.emitted += 1);
        }
        if role == PageRole::Detail {
            if let Err(e) = self.store.record_page(&record) {
                tracing::warn!(url = %record.url, "store: cannot record page: {e}");
            }
        } else {
            done.deferred = Some(record);
        }
        done
    }
}
