//! One crawl pass over the sources: per source, its start pages and the pages they lead to,
//! fetched by the pass's [`Fetcher`], sent on to parse, recorded (or held back) in the crawl
//! state; failures counted, detail pages parked, the source's health updated. The module docs of
//! [`crate::crawl`] give the rules a pass follows.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::Sender;
use tokio::task::JoinSet;

use super::{
    CrawlReport, CrawlState, FetchRequest, Fetcher, Held, LinkReader, canonicalize, fetch,
    park_until, start_role,
};
use crate::config::{SourceConfig, SourceKind};
use crate::model::Timestamp;
use crate::model::{Discovered, Fetched, PageRole};
use crate::store::{PageRecord, SourcePassTally};

/// Failures that are not parked: the site's wish (robots.txt) or our own error, not a flaky page.
const NOT_PARKED: &[&str] = &["robots-disallowed", "bad-url", "shutdown", "archive-write"];

/// Sources whose detail pages' attachments are fetched: regulators publish their notices'
/// failed-product tables as spreadsheets and PDFs; a media article's PDF is rarely one.
fn wants_attachments(src: &SourceConfig) -> bool {
    src.channel == crate::model::Channel::Regulator
}

/// A failure of an attachment that a later pass may not meet (the server busy or down).
fn transient(reason: &str) -> bool {
    fetch::retryable(reason)
        || reason.starts_with("http-5")
        || matches!(reason, "http-429" | "archive-write" | "shutdown")
}

/// State of one crawl pass, shared by its tasks.
pub(super) struct Pass {
    pub(super) fetcher: Fetcher,
    pub(super) store: Arc<dyn CrawlState>,
    pub(super) links: Arc<dyn LinkReader>,
    pub(super) report: Mutex<CrawlReport>,
    /// When the pass started: parked pages due by then are retried.
    pub(super) now: Timestamp,
    /// Set when `out` is closed: schedule nothing more.
    pub(super) closed: AtomicBool,
    /// Hold the end-of-source records in `held` rather than writing them.
    pub(super) hold: bool,
    pub(super) held: Mutex<Held>,
}

/// What a page task hands back to its source's scheduler.
struct PageDone {
    role: PageRole,
    /// Answered 2xx or 304.
    ok: bool,
    failed: bool,
    discovered: Option<Discovered>,
    url: String,
    /// List / feed / API pages are recorded when the whole source pass is done (see below).
    deferred: Option<PageRecord>,
}

impl Pass {
    fn tally(&self, f: impl FnOnce(&mut CrawlReport)) {
        f(&mut self.report.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn failed(&self, source: &str, reason: &str) {
        self.tally(|r| {
            *r.failed.entry(reason.to_string()).or_default() += 1;
            *r.sources
                .entry(source.to_string())
                .or_default()
                .failed
                .entry(reason.to_string())
                .or_default() += 1;
        });
    }

    fn tally_source(&self, source: &str, f: impl FnOnce(&mut SourcePassTally)) {
        self.tally(|r| f(r.sources.entry(source.to_string()).or_default()));
    }

    /// Is this detail link worth fetching: not processed before (or changed since, by its
    /// sitemap `lastmod`), and not parked until later?
    fn wanted(&self, src: &SourceConfig, url: &str, lastmod: Option<&Timestamp>) -> bool {
        match self.store.parked_until(url, self.now) {
            Ok(Some(_)) => {
                self.tally(|r| r.skipped_parked += 1);
                return false;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(url, "store: {e}"),
        }
        match self.store.page_seen(url) {
            Ok(true) => {
                if self.changed_since_fetch(url, lastmod) {
                    tracing::debug!(source = %src.name, url, "lastmod is newer: fetched again");
                    return true;
                }
                self.tally(|r| r.skipped_seen += 1);
                false
            }
            Ok(false) => true,
            // Fetching again is cheaper than losing a page.
            Err(e) => {
                tracing::warn!(url, "store: {e}; fetching anyway");
                true
            }
        }
    }

    /// A sitemap `lastmod` later than our last successful fetch of the URL.
    fn changed_since_fetch(&self, url: &str, lastmod: Option<&Timestamp>) -> bool {
        let Some(lastmod) = lastmod else {
            return false;
        };
        match self.store.page(url) {
            Ok(Some(p)) if (200..300).contains(&p.status) => {
                p.fetched_at.is_some_and(|t| *lastmod > t)
            }
            Ok(Some(_)) | Ok(None) => true,
            Err(_) => false,
        }
    }

    pub(super) async fn crawl_source(
        self: Arc<Self>,
        src: Arc<SourceConfig>,
        out: Sender<Fetched>,
    ) {
        let role0 = start_role(src.kind);
        let mut queued: HashSet<String> = HashSet::new();
        let mut any_failed = false;
        let mut list_failed = false;
        let mut start_ok = false;
        // Incremental paging assumes every older list page was read once. A pass that was killed,
        // lost a list page or was cut off leaves that untrue, so the next pass pages on through
        // seen pages (up to `max_pages`) until one pass gets to the end.
        let incomplete_key = format!("crawl.incomplete.{}", src.name);
        let resume = matches!(self.store.meta(&incomplete_key), Ok(Some(v)) if v == "1");
        if let Err(e) = self.store.set_meta(&incomplete_key, "1") {
            tracing::warn!(source = %src.name, "store: {e}");
        }
        let mut deferred: Vec<PageRecord> = Vec::new();
        let mut tasks: JoinSet<PageDone> = JoinSet::new();

        let mut paged = self.queue_first_pages(&src, role0, &out, &mut queued, &mut tasks);

        while let Some(joined) = tasks.join_next().await {
            let done = match joined {
                Ok(d) => d,
                Err(e) => {
                    // A panicked or cancelled task (the runtime shutting down under a kill) may
                    // have been a list page whose links were never read: the pass did not get to
                    // its end, so the next one must page on through seen pages.
                    tracing::error!(source = %src.name, "page task ended abnormally: {e}");
                    any_failed = true;
                    list_failed = true;
                    continue;
                }
            };
            any_failed |= done.failed;
            list_failed |= done.failed && done.role != PageRole::Detail;
            if done.role == role0 && done.ok {
                start_ok = true;
            }
            let Some(found) = done.discovered else {
                deferred.extend(done.deferred);
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
                if !self.wanted(&src, &c, found.lastmod.get(link)) {
                    continue;
                }
                fresh += 1;
                tasks.spawn(
                    self.clone()
                        .visit(src.clone(), c, PageRole::Detail, out.clone()),
                );
            }
            if let Some(mut rec) = done.deferred {
                if fresh > 0 {
                    // Its new links are only sent on, not yet stored by the sink: a 304 next
                    // pass would hide them if this process died first. Validators are kept once
                    // a pass finds nothing new on the page.
                    rec.etag = None;
                    rec.last_modified = None;
                }
                deferred.push(rec);
            }
            // Incremental paging: a list page whose detail links were all seen before means the
            // rest of the list is older still. API pages carry their documents inline, so they
            // page on while they have items (an empty page has no `next`).
            // A sitemap index leads only to further sitemaps: all are read, except those whose
            // `lastmod` says they have not changed since we last read them.
            let follow = match done.role {
                PageRole::Api if found.details.is_empty() => true,
                _ if found.inline_items > 0 => true,
                _ if src.kind == SourceKind::Sitemap || found.sitemap => true,
                _ => fresh > 0 || resume,
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
                if let Some(lm) = found.lastmod.get(link)
                    && !self.changed_since_fetch(&c, Some(lm))
                {
                    tracing::debug!(source = %src.name, url = %c, "sitemap unchanged since last read");
                    continue;
                }
                if queued.insert(c.clone()) {
                    paged += 1;
                    tasks.spawn(self.clone().visit(src.clone(), c, done.role, out.clone()));
                }
            }
        }

        self.record_pass(&src, deferred, any_failed, list_failed, incomplete_key);
        self.record_health(&src, start_ok);
    }

    /// Queue the pass's first pages: the start URLs (a bad one is counted and skipped), then the
    /// parked detail pages whose time has come, whether or not a list page still shows them.
    /// Returns how many start pages were queued: they count toward `max_pages`.
    fn queue_first_pages(
        self: &Arc<Self>,
        src: &Arc<SourceConfig>,
        role0: PageRole,
        out: &Sender<Fetched>,
        queued: &mut HashSet<String>,
        tasks: &mut JoinSet<PageDone>,
    ) -> usize {
        let mut paged = 0usize;
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
                    self.failed(&src.name, "bad-url");
                    self.fetcher.counters().crawl.reject("bad-url");
                }
            }
        }

        match self.store.parked(&src.name) {
            Ok(parked) => {
                for p in parked.into_iter().filter(|p| p.retry_at <= self.now) {
                    if queued.insert(p.url.clone()) {
                        tracing::info!(source = %src.name, url = %p.url, attempts = p.attempts, reason = %p.reason, "retrying parked page");
                        tasks.spawn(self.clone().visit(
                            src.clone(),
                            p.url,
                            PageRole::Detail,
                            out.clone(),
                        ));
                    }
                }
            }
            Err(e) => tracing::warn!(source = %src.name, "store: cannot read parked pages: {e}"),
        }
        paged
    }

    /// Record the pass's list, feed and API pages, and mark the source complete unless a list
    /// page failed or the crawl was closed (held for the caller when `hold`).
    fn record_pass(
        &self,
        src: &SourceConfig,
        deferred: Vec<PageRecord>,
        any_failed: bool,
        list_failed: bool,
        incomplete_key: String,
    ) {
        // List / feed / API pages are recorded last: their validators make the next pass's
        // conditional GET answer 304, which must not hide detail pages this pass failed to get.
        let mut held = Held::default();
        for mut rec in deferred {
            if any_failed {
                rec.etag = None;
                rec.last_modified = None;
            }
            held.records.push(rec);
        }
        if !list_failed && !self.closed.load(Ordering::Relaxed) {
            held.complete.push(incomplete_key);
        }
        if self.hold {
            let mut all = self.held.lock().unwrap_or_else(|e| e.into_inner());
            all.records.append(&mut held.records);
            all.complete.append(&mut held.complete);
        } else if let Err(e) = held.record(self.store.as_ref()) {
            tracing::warn!(source = %src.name, "store: cannot record the pass: {e}");
        }
    }

    /// Add this pass to the source's health record and judge its freshness: a source with no
    /// success for `stale_after` schedules is logged, listed in the report and counted in
    /// `/metrics` (the store keeps the record `jiance status` and `/metrics` read).
    fn record_health(&self, src: &SourceConfig, success: bool) {
        let mut tally = self
            .report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sources
            .entry(src.name.clone())
            .or_default()
            .clone();
        tally.success = success;
        self.tally_source(&src.name, |t| t.success = success);
        // Checked: a source built in code (not validated) may carry any number.
        let stale_after = std::time::Duration::try_from_secs_f64(
            src.schedule.as_secs_f64() * src.stale_after.max(1.0),
        )
        .map_or(u64::MAX, |d| d.as_secs());
        if let Err(e) = self
            .store
            .record_source_pass(&src.name, &tally, self.now, stale_after)
        {
            tracing::warn!(source = %src.name, "store: cannot record source health: {e}");
            return;
        }
        match self.store.source_health(&src.name) {
            Ok(h) => {
                if let Some(h) = h
                    && h.is_stale(self.now)
                {
                    tracing::warn!(
                        source = %src.name,
                        last_success = ?h.last_success,
                        stale_after_secs = h.stale_after_secs,
                        "source-stale: no successful pass for longer than {} schedules",
                        src.stale_after
                    );
                    self.tally(|r| r.stale.push(src.name.clone()));
                }
            }
            Err(e) => tracing::warn!(source = %src.name, "store: {e}"),
        }
    }

    /// A detail page failed after every retry: park it until a later pass.
    fn park(&self, src: &SourceConfig, url: &str, reason: &str) {
        let attempts = match self.store.parked_attempts(url) {
            Ok(n) => n.saturating_add(1),
            Err(e) => {
                tracing::warn!(url, "store: {e}");
                1
            }
        };
        let until = park_until(self.now, src.schedule, attempts);
        match self.store.park(url, &src.name, reason, self.now, until) {
            Ok(()) => {
                tracing::info!(source = %src.name, url, reason, attempts, retry_at = %until, "parked");
                self.tally(|r| r.parked += 1);
                self.tally_source(&src.name, |t| t.parked += 1);
            }
            Err(e) => tracing::warn!(url, "store: cannot park: {e}"),
        }
    }

    /// Fetch the attachments a detail page links to ([`LinkReader::attachments`]),
    /// each under the source's politeness and robots rules and archived like any response. A
    /// file that will not come (404, robots, over the body cap: `too-large`) is counted by
    /// reason in the source's health and left out; a failure that may pass (timeout, 5xx) is
    /// returned, so the page is parked and fetched again with its files later.
    async fn attachments(
        &self,
        src: &SourceConfig,
        page: &Fetched,
    ) -> Result<Vec<Fetched>, String> {
        let mut files = Vec::new();
        for link in self.links.attachments(page) {
            let Some(url) = self.canonical_link(src, &page.url, &link) else {
                continue;
            };
            let outcome = self
                .fetcher
                .fetch_from(
                    &FetchRequest {
                        source: &src.name,
                        role: PageRole::Attachment,
                        url: &url,
                        politeness: &src.politeness,
                        etag: None,
                        last_modified: None,
                        render: false,
                    },
                    Some(&page.url),
                )
                .await;
            self.tally(|r| r.bytes += outcome.bytes);
            self.tally_source(&src.name, |t| t.bytes += outcome.bytes);
            match (outcome.error, outcome.fetched) {
                (None, Some(f)) if (200..300).contains(&f.status) => files.push(f),
                (None, _) => {}
                (Some(reason), _) if transient(&reason) => {
                    return Err(format!("attachment-{reason}"));
                }
                (Some(reason), _) => {
                    let reason = match reason.as_str() {
                        "body-too-large" => "too-large".to_string(),
                        r => format!("attachment-{r}"),
                    };
                    tracing::info!(source = %src.name, url = %url, reason = %reason, "attachment left out");
                    self.failed(&src.name, &reason);
                }
            }
        }
        Ok(files)
    }

    fn canonical_link(&self, src: &SourceConfig, base: &str, link: &str) -> Option<String> {
        match crate::util::canon::resolve(base, link) {
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
            ok: false,
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
                render: src.render.is_some(),
            })
            .await;
        self.tally(|r| {
            r.bytes += outcome.bytes;
            if outcome.fetched.is_some() {
                r.pages += 1;
            }
        });
        let not_modified = outcome.not_modified();
        self.tally_source(&src.name, |t| {
            t.bytes += outcome.bytes;
            if outcome.fetched.is_some() && !not_modified {
                t.fetched += 1;
            }
        });
        if let Some(reason) = &outcome.error {
            tracing::info!(source = %src.name, url = %url, role = role.as_str(), reason = %reason, "fetch failed");
            self.failed(&src.name, reason);
            done.failed = true;
            if role == PageRole::Detail && !NOT_PARKED.contains(&reason.as_str()) {
                self.park(&src, &url, reason);
            }
            return done;
        }
        done.ok = true;
        if role == PageRole::Detail
            && let Err(e) = self.store.unpark(&url)
        {
            tracing::warn!(url = %url, "store: {e}");
        }
        let Some(mut page) = outcome.fetched else {
            return done;
        };
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
        if page.status == 304 {
            // Unchanged since the last pass: nothing more to fetch; the store keeps the earlier
            // status and record id and notes when it was checked.
            self.tally(|r| r.not_modified += 1);
            self.tally_source(&src.name, |t| t.not_modified += 1);
            done.deferred = Some(record);
            return done;
        }
        // Links resolve against where the page really was (after redirects).
        done.url = page.url.clone();
        if role != PageRole::Detail {
            match self.links.discover(&page, &src) {
                Ok(d) => {
                    for reason in &d.repairs {
                        tracing::debug!(source = %src.name, url = %page.url, reason, "links read after a repair");
                        self.fetcher.counters().crawl.repair(reason);
                    }
                    done.discovered = Some(d);
                }
                Err(e) => {
                    tracing::warn!(source = %src.name, url = %page.url, "links: {e}");
                    self.failed(&src.name, "parse-links");
                    self.fetcher.counters().crawl.reject("parse-links");
                    done.failed = true;
                }
            }
        }
        if role == PageRole::Detail && wants_attachments(&src) {
            match self.attachments(&src, &page).await {
                Ok(files) => page.attachments = files,
                Err(reason) => {
                    // Sent without the file, the notice would be stored without its rows and
                    // never looked at again: the page waits for a later pass instead.
                    tracing::info!(source = %src.name, url = %url, reason = %reason, "attachment failed: page parked");
                    self.failed(&src.name, &reason);
                    done.failed = true;
                    self.park(&src, &url, &reason);
                    return done;
                }
            }
        }
        // a list page carries documents of its own when its items live in its scripts
        let inline = src.carries_documents(role)
            && done.discovered.as_ref().is_some_and(|d| d.inline_items > 0);
        if role.carries_documents() || inline {
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
            // The sink marks the final URL processed; the seen-check looks up the one asked for.
            if done.url != record.url
                && let Err(e) = self.store.record_alias(&record.url, &done.url)
            {
                tracing::warn!(url = %record.url, "store: cannot record redirect: {e}");
            }
        } else {
            done.deferred = Some(record);
        }
        done
    }
}
