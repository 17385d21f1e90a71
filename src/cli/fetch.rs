//! `jiance fetch` and `jiance status`: glue to `jiance::pipeline::probe` and the store's crawl state.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use jiance::config::{Config, CrawlSettings, SourceConfig, load_source_file};
use jiance::model::PageRole;
use jiance::store::Store;

/// Crawl settings and sources from a service config, or sources alone from a source file.
fn load(config: Option<&Path>) -> Result<(CrawlSettings, Vec<SourceConfig>)> {
    let Some(path) = config else {
        return Ok((CrawlSettings::default(), Vec::new()));
    };
    match Config::load(path) {
        Ok(c) => Ok((c.crawl, c.sources)),
        Err(service_errs) => match load_source_file(path) {
            Ok(sources) => Ok((CrawlSettings::default(), sources)),
            Err(_) => Err(jiance::pipeline::PipelineError::Config(service_errs).into()),
        },
    }
}

/// Write to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
pub(super) fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.context("writing to stdout")?),
    }
}

pub async fn fetch(
    url: &str,
    source: Option<&str>,
    config: Option<&Path>,
    role: Option<&str>,
    archive: Option<PathBuf>,
) -> Result<ExitCode> {
    let (settings, sources) = load(config)?;
    let src = match source {
        None => None,
        Some(name) => {
            if config.is_none() {
                bail!("--source {name} needs --config (a service config or a [[source]] file)");
            }
            Some(sources.iter().find(|s| s.name == name).ok_or_else(|| {
                let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                anyhow!(
                    "no source {name:?} in the config; it has: {}",
                    names.join(", ")
                )
            })?)
        }
    };
    let role = match role {
        None => None,
        Some(r) => Some(
            PageRole::parse(r)
                .filter(|r| *r != PageRole::Robots)
                .ok_or_else(|| anyhow!("--role must be list, feed, api or detail, not {r:?}"))?,
        ),
    };
    // a saved page: read from disk, nothing fetched or archived
    let saved = Path::new(url);
    if saved.is_file() {
        let body = std::fs::read(saved).with_context(|| format!("reading {}", saved.display()))?;
        let p = jiance::pipeline::probe::probe_saved(saved, body, src, role);
        print_out(&format!("{}\n", serde_json::to_string_pretty(&p)?))?;
        return Ok(if p.parse_error.is_some() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    let tmp;
    let dir = match archive {
        Some(d) => d,
        None => {
            tmp = tempfile::tempdir().context("temporary archive directory")?;
            tmp.path().to_path_buf()
        }
    };
    let p = jiance::pipeline::probe::probe(&settings, src, url, role, &dir).await?;
    print_out(&format!("{}\n", serde_json::to_string_pretty(&p)?))?;
    Ok(if p.error.is_some() || p.parse_error.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn status(store: &Store, index_documents: Option<u64>, json: bool) -> Result<ExitCode> {
    let stored = store.document_count()?;
    let unindexed = index_documents.map_or(0, |i| stored.saturating_sub(i));
    let health = store.source_health()?;
    let parked = store.parked(None)?;
    let schedules = jiance::pipeline::schedule::schedule_states(store)?;
    // messages the NATS transport terminated after their last delivery (the sink counts them)
    let poison = jiance::pipeline::distributed::poison_counts(store)?;
    let notify = store.notify_summary()?;
    let now = chrono::Utc::now();
    if json {
        let sources: Vec<serde_json::Value> = health
            .iter()
            .map(|h| {
                let mut v = serde_json::to_value(h).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("stale".into(), h.is_stale(now).into());
                }
                v
            })
            .collect();
        let out = serde_json::json!({
            "sources": sources,
            "parked": parked,
            "schedules": schedules,
            "store_documents": stored,
            "index_documents": index_documents,
            "unindexed_documents": unindexed,
            "poison_messages": poison
                .iter()
                .map(|((stage, reason), n)| serde_json::json!({"stage": stage, "reason": reason, "count": n}))
                .collect::<Vec<_>>(),
            "notifications": notify,
        });
        print_out(&format!("{}\n", serde_json::to_string_pretty(&out)?))?;
    } else {
        let mut text = jiance::pipeline::probe::status_text(&health, &parked, now);
        text.push_str(&schedules_text(&schedules));
        text.push_str(&match index_documents {
            Some(i) if unindexed > 0 => format!(
                "documents: {stored} stored, {i} searchable — {unindexed} not in the index: they are fetched and analysed again on the next crawl, or run `jiance reindex` now\n"
            ),
            Some(i) => format!("documents: {stored} stored, {i} searchable\n"),
            None => format!("documents: {stored} stored, no index\n"),
        });
        for ((stage, reason), n) in &poison {
            text.push_str(&format!(
                "poison messages: {n} from the {stage} stream ({reason}), terminated after their last delivery\n"
            ));
        }
        text.push_str(&jiance::notify::status_text(&notify));
        print_out(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The scheduled jobs' part of `jiance status` (times in Beijing time).
fn schedules_text(states: &[jiance::pipeline::schedule::ScheduleStatus]) -> String {
    if states.is_empty() {
        return "\nno [[schedule]] job has been seen by `jiance run` on this data directory\n"
            .into();
    }
    // Beijing time is UTC+8 all year (as `china_day` counts).
    let when = |t: &Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "—".to_string(),
            |t| {
                (t.naive_utc() + chrono::Duration::hours(8))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            },
        )
    };
    let mut out = String::from("\nscheduled jobs (Beijing time):\n");
    for s in states {
        out.push_str(&format!(
            "  {:<20} last ok {:<16}  last failed {:<16}{}\n",
            s.name,
            when(&s.last_ok),
            when(&s.last_failed),
            s.error
                .as_deref()
                .map(|e| format!("  error: {e}"))
                .unwrap_or_default()
        ));
    }
    out
}
