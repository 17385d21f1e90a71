//! `jiance score --signals FILE [--daily] [--json] [--rules DIR] [--as-of DATE]`: score a signal
//! file (JSON Lines, a Parquet file, or a directory of `day=*.parquet` partitions) without a data
//! directory. Bad input lines are reported on stderr (file:line, field) and skipped.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use jiance::score::{self, FrameInput, ScoringRules};

use super::RuleArgs;
use super::output;

/// Test items per hazard, from the analysis rules (the same the engine uses). Only the rule files
/// are read: the tokenizer and the gazetteer, which scoring does not use, are not built.
fn test_items(rules: &RuleArgs) -> Result<impl Fn(&str) -> Vec<String>> {
    let items = jiance::analyze::Analyzer::test_items_only(rules.rules.as_deref())
        .map_err(jiance::pipeline::PipelineError::Config)?;
    Ok(move |h: &str| items.get(h).cloned().unwrap_or_default())
}

/// Which days `jiance score` looks at.
pub struct Days {
    /// Replay day by day instead of scoring one day.
    pub daily: bool,
    /// The (last) day scored [default: the file's last day].
    pub as_of: Option<NaiveDate>,
    /// With `daily`: the first day replayed.
    pub from: Option<NaiveDate>,
    /// Sources that were down (`--outage`).
    pub outages: Vec<score::Outage>,
}

/// `--outage PUBLISHER:FROM:TO` or `channel=CHANNEL:FROM:TO`.
pub fn parse_outage(s: &str) -> Result<score::Outage, String> {
    let mut parts = s.rsplitn(3, ':');
    let (Some(to), Some(from), Some(what)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("{s:?}: expected PUBLISHER:FROM:TO"));
    };
    let day = |x: &str| {
        NaiveDate::parse_from_str(x, "%Y-%m-%d").map_err(|e| format!("{x:?}: {e} (YYYY-MM-DD)"))
    };
    let (from, to) = (day(from)?, day(to)?);
    if to < from {
        return Err(format!("{s:?}: the last day is before the first"));
    }
    let (source, channel) = match what.strip_prefix("channel=") {
        Some(c) => {
            let ch = jiance::model::Channel::ALL
                .into_iter()
                .find(|x| x.as_str() == c)
                .ok_or_else(|| {
                    format!(
                        "{c:?}: not a channel (complaint, regulator, platform, media, standard)"
                    )
                })?;
            (None, Some(ch))
        }
        None if what.is_empty() => return Err(format!("{s:?}: no publisher")),
        None => (Some(what.to_string()), None),
    };
    Ok(score::Outage {
        source,
        channel,
        from,
        to,
        reason: "--outage".into(),
    })
}

/// The longest replay without `--from` (ten years): a longer span almost always means a wrong
/// date (a placeholder such as 1900-01-01) rather than ten years of signals.
const MAX_REPLAY_DAYS: i64 = 3660;

/// Tell the user about dates that make the run look at the wrong days, before it runs.
fn check_dates(path: &Path, lo: NaiveDate, hi: NaiveDate, days: &Days) -> Result<()> {
    let today = jiance::model::china_day(chrono::Utc::now());
    if days.as_of.is_none() && hi > today {
        eprintln!(
            "warning: {}: the latest signal is dated {hi}, after today ({today}); scoring as of \
             that day (give --as-of to choose)",
            path.display()
        );
    }
    let end = days.as_of.unwrap_or(hi);
    if days.daily && days.from.is_none() && (end - lo).num_days() > MAX_REPLAY_DAYS {
        bail!(
            "{}: the signals span {lo} … {end}, over {MAX_REPLAY_DAYS} days; the oldest dates are \
             probably wrong — give --from to choose the first day replayed",
            path.display()
        );
    }
    Ok(())
}

pub fn run(path: &Path, days: Days, json: bool, rules: &RuleArgs) -> Result<ExitCode> {
    let Days {
        daily,
        as_of,
        from,
        ref outages,
    } = days;
    let scoring = ScoringRules::load(rules.rules.as_deref())
        .map_err(jiance::pipeline::PipelineError::Config)?;
    let source = jiance::store::signal_read::SignalSource::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    for bad in &source.bad {
        eprintln!("skipped: {bad}");
    }
    if !source.bad.is_empty() {
        eprintln!("{} bad line(s) skipped", source.bad.len());
    }
    let items = test_items(rules)?;
    let table = score::load(source).with_context(|| format!("cannot read {}", path.display()))?;
    if table.skipped > 0 {
        eprintln!(
            "skipped: {}: {} row(s): an empty time, day, category, hazard, source or doc, a \
             source_kind other than complaint / regulator / platform / media / standard, or a \
             severity outside 1–4",
            path.display(),
            table.skipped
        );
    }
    let Some((lo, hi)) = table.days() else {
        bail!("{}: no signals", path.display());
    };
    check_dates(path, lo, hi, &days)?;
    if daily {
        let replay = score::replay_table(&scoring, &table, from, as_of, &items, outages)
            .with_context(|| format!("scoring {}", path.display()))?;
        for c in &replay.changes {
            if json {
                println!("{}", serde_json::to_string(c)?);
            } else {
                println!(
                    "{} {:<11} {} {} {} 等级{} {} {:.2} {}",
                    c.day,
                    format!("{:?}", c.change).to_lowercase(),
                    c.category,
                    c.scope.as_str(),
                    c.regions.join("、"),
                    c.level,
                    c.action.as_str(),
                    c.score,
                    c.alert_id
                );
            }
        }
        if !json {
            match (replay.from, replay.to) {
                (Some(a), Some(b)) => eprintln!(
                    "replayed {a} – {b}: {} change(s), {} alert(s) active at the end",
                    replay.changes.len(),
                    replay.last.alerts.len()
                ),
                _ => eprintln!("nothing to replay: the table has too few days"),
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let as_of = as_of.unwrap_or(hi);
    let sampled = HashSet::new();
    let out = score::score_table(
        &scoring,
        &table,
        &FrameInput {
            as_of,
            sampled: &sampled,
            test_items: &items,
            previous: &[],
            inspections: &[],
            outages,
        },
    )
    .with_context(|| format!("scoring {}", path.display()))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "as_of": as_of,
                "alerts": out.alerts,
                "sampling": out.sampling,
            }))?
        );
    } else {
        println!("as of {as_of}:");
        output::print_alerts(&out.alerts);
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiance inspect-result`: record pass / fail per batch of an alert's sampling request, validated
/// as `POST /api/inspection-results` validates it. The alert's next scoring run takes the results
/// into account (a failure raises it, an all-pass lowers it).
pub struct InspectArgs<'a> {
    pub data: &'a Path,
    pub alert_id: Option<&'a str>,
    pub batch: Option<&'a str>,
    /// `pass` or `fail`.
    pub result: Option<&'a str>,
    pub party: &'a str,
    pub item: &'a str,
    pub note: &'a str,
    pub on: Option<NaiveDate>,
    /// A JSON file in the API's body format instead of the single-batch flags.
    pub file: Option<&'a Path>,
}

pub fn inspect_result(a: &InspectArgs) -> Result<ExitCode> {
    let body = match a.file {
        Some(f) => {
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?
        }
        None => {
            let (Some(alert_id), Some(batch), Some(result)) = (a.alert_id, a.batch, a.result)
            else {
                bail!("give ALERT_ID, --batch and --result pass|fail, or --file RESULTS.json");
            };
            let passed = match result {
                "pass" | "passed" | "合格" => true,
                "fail" | "failed" | "不合格" => false,
                other => bail!("--result: expected pass or fail, got {other:?}"),
            };
            serde_json::json!({
                "alert_id": alert_id,
                "inspected_on": a.on,
                "results": [{
                    "batch": batch,
                    "party": a.party,
                    "item": a.item,
                    "passed": passed,
                    "note": a.note,
                }],
            })
            .to_string()
        }
    };
    let today = jiance::model::china_day(chrono::Utc::now());
    let (alert_id, rows) = jiance::serve::inspection_rows_from_json(&body, today)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = super::open_store(a.data)?;
    if store.alert(&alert_id)?.is_none() {
        bail!("no alert {alert_id:?} in {}", a.data.display());
    }
    if store.sampling_request(&alert_id)?.is_none() {
        bail!("alert {alert_id:?} has no sampling request to report results for");
    }
    let Some(change) =
        store.put_inspection_results(&alert_id, &rows, &jiance::store::Actor::command_line())?
    else {
        bail!("no alert {alert_id:?} in {}", a.data.display());
    };
    let failed = rows.iter().filter(|r| !r.passed).count();
    println!(
        "{}",
        serde_json::json!({
            "alert_id": alert_id,
            "recorded": rows.len(),
            "failed": failed,
            "note": change.note,
        })
    );
    Ok(ExitCode::SUCCESS)
}
