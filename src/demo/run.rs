//! `jiance demo`: start the simulated sites, crawl them with the real pipeline into a data
//! directory, and score. The CLI prints and serves the result; the integration test checks it.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::config::CrawlSettings;
use crate::pipeline::{DataDir, Engine, PipelineError, RuleDirs, RunReport, ScoreSummary};

use super::{DemoSites, Scenario};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Data directory; a fresh one under the system temp dir when `None`.
    pub data: Option<PathBuf>,
    pub seed: u64,
    /// Last day of the scenario (and the day scored); today in Beijing time when `None`.
    pub end: Option<NaiveDate>,
    pub rules: RuleDirs,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            data: None,
            seed: 2026,
            end: None,
            rules: RuleDirs::default(),
        }
    }
}

pub struct DemoRun {
    pub engine: Engine,
    pub scenario: Arc<Scenario>,
    pub sites: DemoSites,
    pub report: RunReport,
    pub summary: ScoreSummary,
}

/// Create the data directory and engine (so a caller can watch `engine.counters` for progress),
/// then [`crawl_and_score`].
pub fn prepare(opts: &DemoOptions) -> Result<(Engine, Arc<Scenario>), PipelineError> {
    let root = match &opts.data {
        Some(p) => p.clone(),
        None => tempfile::Builder::new()
            .prefix("jiance-demo-")
            .tempdir()
            .map_err(|source| PipelineError::Io {
                path: std::env::temp_dir().display().to_string(),
                source,
            })?
            .keep(),
    };
    let end = opts
        .end
        .unwrap_or_else(|| crate::model::china_day(chrono::Utc::now()));
    let scenario = Arc::new(super::scenario(opts.seed, end));
    let engine = Engine::open(DataDir::new(root), &opts.rules, CrawlSettings::default())?;
    Ok((engine, scenario))
}

/// Start the sites, crawl them through the whole pipeline, and score as of the scenario's end.
pub async fn crawl_and_score(
    mut engine: Engine,
    scenario: Arc<Scenario>,
) -> Result<DemoRun, PipelineError> {
    let sites = DemoSites::start(scenario.clone())
        .await
        .map_err(|source| PipelineError::Io {
            path: "demo sites on 127.0.0.1".into(),
            source,
        })?;
    // Crawled under the fixed host names: the ports change from run to run, the URLs do not,
    // so a second run into the same directory finds every page already stored.
    engine.settings.resolve = sites.resolutions();
    let sources = sites.stable_sources().map_err(PipelineError::Config)?;
    let report = engine.crawl_once(&sources).await?;
    let summary = engine.score(scenario.end)?;
    Ok(DemoRun {
        engine,
        scenario,
        sites,
        report,
        summary,
    })
}
