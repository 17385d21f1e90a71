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
//! ([`demo_sources_from_archive`]). The store (documents, signals, alerts) is not rewritten.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Instant;

use tracing::warn;

use crate::analyze::{Analyzer, ClusterIndex};
use crate::config::SourceConfig;
use crate::crawl::archive;
use crate::index::{Index, staging_path, swap_in};

use super::{DataDir, PipelineError};

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
    let mut writer = index.writer()?;
    // Cluster ids do not go into the index; a scratch cluster index keeps the analyzer happy.
    let mut clusters = ClusterIndex::new();
    let count = |report: &mut ReindexReport, reason: String| {
        *report.failures.entry(reason).or_default() += 1;
    };
    for (i, record) in records.enumerate() {
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
        if !f.role.carries_documents() || !(200..300).contains(&f.status) {
            continue;
        }
        let Some(source) = by_name.get(f.source.as_str()) else {
            report.unknown_sources.insert(f.source.clone());
            count(&mut report, "unknown-source".into());
            continue;
        };
        match crate::parse::parse(&f, source) {
            Ok(docs) => {
                for doc in docs {
                    let ex = analyzer.analyze(&doc, &mut clusters);
                    writer.upsert(&doc, &ex)?;
                    report.documents += 1;
                }
            }
            Err(e) => {
                warn!(error = %e, "archived page not parsed");
                count(&mut report, format!("parse:{}", e.reason()));
            }
        }
    }
    writer.finish()?;
    report.indexed = index.num_docs();
    // The new index must be closed (no mmaps, no lock) before it moves.
    drop(index);
    swap_in(&staged, &live)?;
    report.seconds = started.elapsed().as_secs_f64();
    progress(&report);
    Ok(report)
}

/// The embedded demo sources ([`crate::demo::DEMO_SOURCES_TOML`]) with each `{{placeholder}}`
/// filled with the origin (scheme://host:port) of the archived pages of a source that uses it. A
/// placeholder no archived source used gets an unreachable origin: nothing of it is archived.
pub fn demo_sources_from_archive(
    archive_dir: &Path,
) -> Result<Vec<SourceConfig>, PipelineError> {
    let records = archive::read_dir(archive_dir).map_err(io_err(archive_dir))?;
    let mut origins: HashMap<String, String> = HashMap::new();
    for f in records.flatten() {
        if origins.contains_key(&f.source) {
            continue;
        }
        if let Ok(u) = url::Url::parse(&f.url) {
            origins.insert(f.source.clone(), u.origin().ascii_serialization());
        }
    }
    let base_urls = demo_placeholders(crate::demo::DEMO_SOURCES_TOML, &origins);
    crate::demo::sources_for(&base_urls).map_err(PipelineError::Config)
}

/// Placeholder name → origin, from the `[[source]]` blocks of a sources file: a placeholder in a
/// block takes the origin archived for that block's source `name`.
fn demo_placeholders(
    toml_text: &str,
    origins: &HashMap<String, String>,
) -> BTreeMap<String, String> {
    const UNARCHIVED: &str = "http://unarchived.invalid";
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    // (placeholders, source name) per block, filled once the block's name is known.
    let mut blocks: Vec<(Vec<String>, Option<String>)> = Vec::new();
    for line in toml_text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line == "[[source]]" {
            blocks.push((Vec::new(), None));
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if let Some(v) = line.strip_prefix("name") {
            let v = v.trim_start();
            if let Some(v) = v.strip_prefix('=') {
                block.1 = Some(v.trim().trim_matches('"').to_string());
            }
        }
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            block
                .0
                .push(rest[start + 2..start + 2 + len].trim().to_string());
            rest = &rest[start + 2 + len + 2..];
        }
    }
    for (placeholders, name) in blocks {
        let origin = name.as_ref().and_then(|n| origins.get(n));
        for p in placeholders {
            match origin {
                Some(o) => {
                    out.insert(p, o.clone());
                }
                None => {
                    out.entry(p).or_insert_with(|| UNARCHIVED.to_string());
                }
            }
        }
    }
    out
}

/// Sources for a reindex: those of `config` (a service config file), else the demo sources.
pub fn sources_for_reindex(
    data: &DataDir,
    config: Option<&Path>,
) -> Result<Vec<SourceConfig>, PipelineError> {
    match config {
        Some(path) => crate::config::Config::load(path)
            .map(|c| c.sources)
            .map_err(PipelineError::Config),
        None => demo_sources_from_archive(&data.archive()),
    }
}
