//! The per-page work every composition runs — the live service, `jiance rerun` and
//! `jiance reindex`: parse a page into documents and analyse each. It runs on a pool of worker
//! threads ([`pool`]); what it gives goes to the one [`super::sink::Sink`], which assigns
//! near-duplicate clusters in arrival order (they depend on order), indexes, stores and commits.
//!
//! A page that makes the parser or the analyzer panic is that page's failure (`panic`), counted
//! like any other: without it a rerun of years of archive, or a worker taking a queue's message
//! again and again, would be lost to one bad page.

use std::sync::{Arc, Mutex};

use tracing::warn;

use crate::analyze::{Analyzer, Sketch};
use crate::config::SourceConfig;
use crate::model::{Document, Extraction, Fetched};
use crate::telemetry::Counters;

/// How a page is read.
#[derive(Debug, Clone, Copy)]
pub enum Reading<'a> {
    /// By its source's selectors and paths (or generic extraction where the source says so).
    Source(&'a SourceConfig),
    /// By generic article extraction: a page of a foreign archive no source claims.
    Generic,
}

/// What the work made of one page.
#[derive(Debug, Default)]
pub struct Worked {
    /// Documents with their analysis and the sketch they are clustered by, made on the worker's
    /// thread. Each `Extraction::cluster` is left empty for the sink, which assigns clusters in
    /// arrival order; without a sketch (results that came over NATS, texts cut for the
    /// analysis) the sink sketches the document itself.
    pub docs: Vec<(Document, Extraction, Option<Sketch>)>,
    /// Why the page gave no documents (`parse:<reason>`, `panic`), if it failed.
    pub failure: Option<String>,
    /// Reasons of the page's attachments that gave no rows (the page's documents stand).
    pub attachment_errors: Vec<&'static str>,
}

/// Parse `page` and analyse its documents, leaving out those `keep` refuses (the live pipeline:
/// documents stored before with the same content, so an unchanged re-fetch costs no analysis).
/// Counts into `counters.parse`: the page received, documents emitted or unchanged, failures and
/// attachments that gave no rows by reason.
pub fn work_page(
    page: &Fetched,
    reading: Reading<'_>,
    analyzer: &Analyzer,
    counters: &Counters,
    keep: &(dyn Fn(&Document) -> bool + Sync),
) -> Worked {
    counters.parse.received();
    let run = std::panic::AssertUnwindSafe(|| {
        let parsed = match reading {
            Reading::Source(source) => crate::parse::parse_page(page, source),
            Reading::Generic => crate::parse::generic_page(page).map(|d| crate::parse::Parsed {
                docs: vec![d],
                attachment_errors: Vec::new(),
            }),
        };
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "page not parsed");
                counters.parse.reject(e.reason());
                return Worked {
                    failure: Some(format!("parse:{}", e.reason())),
                    ..Worked::default()
                };
            }
        };
        // an attachment that gave no rows leaves its notice as its page had it: counted by
        // reason, never the page's failure
        for e in &parsed.attachment_errors {
            warn!(page = %page.url, reason = e.reason(), "attachment not read: {e}");
            counters.parse.reject(e.reason());
        }
        let mut docs = Vec::with_capacity(parsed.docs.len());
        for doc in parsed.docs {
            if !keep(&doc) {
                counters
                    .parse
                    .unchanged
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                continue;
            }
            counters.parse.emitted(1);
            // The sink clusters in arrival order; the sketch it needs is made here.
            let (ex, sketch) = analyzer.analyze_unclustered(&doc);
            docs.push((doc, ex, sketch));
        }
        Worked {
            docs,
            failure: None,
            attachment_errors: parsed
                .attachment_errors
                .iter()
                .map(|e| e.reason())
                .collect(),
        }
    });
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        warn!(url = %page.url, "the page made the parser or the analyzer panic");
        counters.parse.reject("panic");
        Worked {
            failure: Some("panic".into()),
            ..Worked::default()
        }
    })
}

/// `workers` threads taking jobs from `next` and handing each result to `done`, until `next`
/// says there are no more (`None`) or `done` refuses one (`false`: its receiver went away).
/// `work` turns a job into a result. The caller's scope owns the threads, so the analyzer and
/// sources they borrow outlive them. Any channel fits: `next` is called under a lock, one
/// worker at a time.
pub fn pool<'scope, J, R>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    workers: usize,
    next: impl FnMut() -> Option<J> + Send + 'scope,
    done: impl Fn(R) -> bool + Send + Sync + 'scope,
    work: impl Fn(J) -> R + Send + Sync + 'scope,
) where
    J: Send + 'scope,
    R: Send + 'scope,
{
    let next = Arc::new(Mutex::new(next));
    let (done, work) = (Arc::new(done), Arc::new(work));
    for _ in 0..workers.max(1) {
        let (next, done, work) = (next.clone(), done.clone(), work.clone());
        scope.spawn(move || {
            loop {
                let job = {
                    let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                    (*next)()
                };
                let Some(job) = job else { return };
                if !done(work(job)) {
                    return;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageRole;

    #[test]
    fn a_page_is_parsed_and_analysed_and_a_bad_one_is_counted_by_reason() {
        let analyzer = Analyzer::load(None, None).unwrap();
        let counters = Counters::default();
        let page = Fetched::page(
            "media",
            "http://127.0.0.1:9/a.html",
            PageRole::Detail,
            "<html><head><title>电动自行车电池起火</title></head><body><article><h1>电动自行车电池起火</h1>\
             <p>某小区一辆电动自行车在充电时电池起火，消防部门提醒消费者选购合格产品，不要私自改装电池。</p>\
             <p>市场监管部门表示将对辖区销售的电动自行车电池开展专项抽查，发现问题依法处理。</p></article></body></html>"
                .as_bytes()
                .to_vec(),
        )
        .with_content_type("text/html; charset=utf-8");
        let w = work_page(&page, Reading::Generic, &analyzer, &counters, &|_| true);
        assert!(w.failure.is_none(), "{:?}", w.failure);
        assert_eq!(w.docs.len(), 1);
        assert_eq!(counters.parse.get_emitted(), 1);

        // left out by `keep`: counted unchanged, not analysed
        let w = work_page(&page, Reading::Generic, &analyzer, &counters, &|_| false);
        assert!(w.docs.is_empty() && w.failure.is_none());
        assert_eq!(
            counters
                .parse
                .unchanged
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );

        let empty = Fetched::page(
            "media",
            "http://127.0.0.1:9/b.html",
            PageRole::Detail,
            vec![],
        );
        let w = work_page(&empty, Reading::Generic, &analyzer, &counters, &|_| true);
        assert!(
            w.failure
                .as_deref()
                .is_some_and(|f| f.starts_with("parse:"))
        );
        assert_eq!(counters.parse.rejected_total(), 1);
        assert_eq!(counters.parse.get_received(), 3);
    }

    #[test]
    fn the_pool_runs_every_job_and_stops_when_the_jobs_end() {
        let (tx, rx) = std::sync::mpsc::sync_channel::<u32>(4);
        let (dtx, drx) = std::sync::mpsc::sync_channel::<u32>(4);
        let mut got: Vec<u32> = std::thread::scope(|s| {
            pool(
                s,
                3,
                move || rx.recv().ok(),
                move |r| dtx.send(r).is_ok(),
                |n| n * 2,
            );
            s.spawn(move || {
                for n in 0..50 {
                    tx.send(n).unwrap();
                }
            });
            drx.iter().collect()
        });
        got.sort_unstable();
        assert_eq!(got, (0..50).map(|n| n * 2).collect::<Vec<_>>());
    }
}
