//! `jiance reindex`: rebuild the search index from the WARC archive, for when the index schema,
//! the tokenizer, the dictionaries or the rules changed.
//!
//! Data flow: `archive/*.warc.gz` → [`crate::crawl::archive::read_dir`] (each response names its
//! source and page role) → [`crate::parse::parse`] with that source's selectors → the analyzer →
//! a fresh index in `index.new/` → [`crate::index::swap_in`] replaces `index/`. The archive is the
//! record of what was fetched, so the rebuilt index reflects today's parsing and analysis of every
//! page ever fetched; later fetches of a page replace earlier ones (archive files are read in name
//! order, which is time order). A crash mid-rebuild leaves the old index untouched and usable.
//!
//! Parsing needs the source configs: a service config's sources, or for a demo data directory the
//! embedded demo sources, whose `{{placeholders}}` are filled from the archived URLs' origins
//! (`crate::demo::sources_from_archive`, handed in by the CLI). The store (documents, signals,
//! alerts) is not rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use tracing::warn;

use crate::analyze::Analyzer;
use crate::config::SourceConfig;
use crate::crawl::archive;
use crate::index::{Index, staging_path, swap_in};

use super::sink::Sink;
use super::work::{Reading, work_page};
use super::{Counters, DataDir, PipelineError};

/// Documents per index commit of a rebuild (few, large segments).
const REINDEX_COMMIT_EVERY: usize = 20_000;

/// What a rebuild read and wrote; also the progress handed to the caller as it goes.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReindexReport {
    /// Response records read from the archive.
    pub responses: u64,
    /// Documents parsed and indexed (a page fetched twice counts twice; the index keeps one).
    pub documents: u64,
    /// Documents in the new index.
    pub indexed: u64,
    /// Records or pages that gave nothing, by reason (`archive:…`, `parse:…`, `unknown-source`).
    pub failures: BTreeMap<String, u64>,
    /// Sources named in the archive with no config (their pages were skipped).
    pub unknown_sources: BTreeSet<String>,
    pub seconds: f64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PipelineError + '_ {
    move |source| PipelineError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Rebuild `data`'s index from its archive with `sources`' selectors and `analyzer`'s rules and
/// dictionaries. `progress` is called now and then with the counts so far. No other process may
/// have the data directory's index open (stop `jiance run` / `serve` first).
pub fn reindex(
    data: &DataDir,
    analyzer: &Analyzer,
    sources: &[SourceConfig],
    progress: &dyn Fn(&ReindexReport),
) -> Result<ReindexReport, PipelineError> {
    let started = Instant::now();
    let archive_dir = data.archive();
    let records = archive::read_dir(&archive_dir).map_err(io_err(&archive_dir))?;
    let live = data.index();
    let staged = staging_path(&live);
    // A rebuild a crash interrupted left a partial index here: start over.
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(io_err(&staged))?;
    }
    let by_name: HashMap<&str, &SourceConfig> =
        sources.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut report = ReindexReport::default();
    let index = Index::open(&staged, analyzer.jieba())?;
    let counters = Counters::default();
    // The index alone is rebuilt: a sink without a store.
    let mut sink = Sink::open(&index, None, &counters, REINDEX_COMMIT_EVERY, None)?;
    let count = |report: &mut ReindexReport, reason: String| {
        *report.failures.entry(reason).or_default() += 1;
    };
    let records = super::attachments::Regroup::new(records.map(|r| (r, 0)));
    for (i, (record, _)) in records.enumerate() {
        if i % 64 == 0 {
            report.seconds = started.elapsed().as_secs_f64();
            progress(&report);
        }
        let f = match record {
            Ok(f) => f,
            Err(e) => {
                warn!(error = %e, "archive record skipped");
                count(&mut report, "archive:unreadable".into());
                continue;
            }
        };
        report.responses += 1;
        // a list page may carry documents (script items): whether it does is its source's say
        if !(f.role.carries_documents() || f.role == crate::model::PageRole::List)
            || !(200..300).contains(&f.status)
        {
            continue;
        }
        let Some(source) = by_name.get(f.source.as_str()) else {
            report.unknown_sources.insert(f.source.clone());
            count(&mut report, "unknown-source".into());
            continue;
        };
        if !source.carries_documents(f.role) {
            continue;
        }
        let worked = work_page(&f, Reading::Source(source), analyzer, &counters, &|_| true);
        match worked.failure {
            Some(reason) => count(&mut report, reason),
            None => {
                report.documents += worked.docs.len() as u64;
                sink.accept(&f.url, &f.source, worked)?;
            }
        }
    }
    sink.finish()?;
    report.indexed = index.num_docs();
    // The new index must be closed (no mmaps, no lock) before it moves.
    drop(index);
    swap_in(&staged, &live)?;
    report.seconds = started.elapsed().as_secs_f64();
    progress(&report);
    Ok(report)
}

/// Every WARC file of a directory (in name order), or one WARC file.
pub fn open_archive(path: &Path) -> std::io::Result<archive::ArchiveReader> {
    if path.is_file() {
        archive::read_file(path)
    } else {
        archive::read_dir(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::archive::{ArchiveWriter, Exchange};
    use crate::index::{SearchRequest, VERSION_FILE};
    use crate::model::PageRole;
    use chrono::TimeZone;

    const SOURCES: &str = r#"
[[source]]
name = "news-a"
kind = "feed"
channel = "media"
weight = 0.6
doc_kind = "media"
start = ["http://127.0.0.1:9/rss.xml"]
schedule = "1h"

[source.detail]
title = "h1.t"
text = "div.body p"
published = ".time"
"#;

    fn page(title: &str, body: &str) -> Vec<u8> {
        format!(
            "<html><head><meta charset=\"utf-8\"></head><body><h1 class=\"t\">{title}</h1>\
             <span class=\"time\">2026-03-02 10:00</span><div class=\"body\"><p>{body}</p></div></body></html>"
        )
        .into_bytes()
    }

    fn archive(dir: &Path, pages: &[(&str, &str, Vec<u8>)]) {
        let mut w = ArchiveWriter::open(dir, u64::MAX).unwrap();
        let headers = vec![(
            "content-type".to_string(),
            "text/html; charset=utf-8".to_string(),
        )];
        for (i, (source, url, body)) in pages.iter().enumerate() {
            w.write(&Exchange {
                source,
                role: PageRole::Detail,
                url,
                request_headers: &[],
                status: Some(200),
                response_headers: &headers,
                body,
                fetched_at: chrono::Utc
                    .with_ymd_and_hms(2026, 3, 2, 10, i as u32, 0)
                    .single()
                    .unwrap(),
                error: None,
                render: false,
            })
            .unwrap();
        }
    }

    fn search(index: &Index, q: &str) -> u64 {
        index
            .search(&SearchRequest {
                query: q.into(),
                ..SearchRequest::default()
            })
            .unwrap()
            .total
    }

    #[test]
    fn rebuilds_from_the_archive_and_replaces_an_old_version_index() {
        let root = tempfile::tempdir().unwrap();
        let data = DataDir::new(root.path());
        data.create().unwrap();
        archive(
            &data.archive(),
            &[
                (
                    "news-a",
                    "http://127.0.0.1:9/a/1.html",
                    page(
                        "小区电动自行车充电起火",
                        "楼道内一辆电动自行车充电时起火，浓烟蔓延。",
                    ),
                ),
                (
                    "news-a",
                    "http://127.0.0.1:9/a/2.html",
                    page("移动电源鼓包", "网购的移动电源充电时鼓包发烫。"),
                ),
                // The same page fetched again later, changed: the later version wins.
                (
                    "news-a",
                    "http://127.0.0.1:9/a/1.html",
                    page(
                        "小区电动自行车充电起火（续）",
                        "物业已清理楼道，涉事电池为改装电池。",
                    ),
                ),
                (
                    "gone-source",
                    "http://127.0.0.1:9/b/1.html",
                    page("不该出现", "没有配置的来源。"),
                ),
            ],
        );
        // A live index of an older schema: refused until rebuilt.
        std::fs::create_dir_all(data.index()).unwrap();
        let analyzer = Analyzer::load(None, None).unwrap();
        drop(Index::open(&data.index(), analyzer.jieba()).unwrap());
        std::fs::write(data.index().join(VERSION_FILE), "0").unwrap();
        assert!(Index::open(&data.index(), analyzer.jieba()).is_err());

        let sources = crate::config::parse_sources(SOURCES, "s.toml").unwrap();
        let calls = std::cell::Cell::new(0);
        let report = reindex(&data, &analyzer, &sources, &|_| calls.set(calls.get() + 1)).unwrap();
        assert!(calls.get() >= 1);
        assert_eq!(report.responses, 4);
        assert_eq!(report.documents, 3);
        assert_eq!(report.indexed, 2, "one page fetched twice is one document");
        assert_eq!(report.failures.get("unknown-source"), Some(&1));
        assert!(report.unknown_sources.contains("gone-source"));
        assert!(!staging_path(&data.index()).exists());

        let index = Index::open(&data.index(), analyzer.jieba()).unwrap();
        assert_eq!(index.num_docs(), 2);
        assert_eq!(search(&index, "改装电池"), 1);
        assert_eq!(
            search(&index, "浓烟蔓延"),
            0,
            "the earlier fetch was replaced"
        );
        assert_eq!(search(&index, "鼓包"), 1);
        assert_eq!(search(&index, "没有配置"), 0);
        drop(index);

        // A leftover partial rebuild does not get in the way of the next one.
        std::fs::create_dir_all(staging_path(&data.index()).join("junk")).unwrap();
        let again = reindex(&data, &analyzer, &sources, &|_| {}).unwrap();
        assert_eq!(again.indexed, 2);
    }
}
