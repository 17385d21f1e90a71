//! `jiance diff-alerts OLD_DATA NEW_DATA`: what a rule change adds, drops and re-levels — the view
//! an analyst needs before adopting new rules. Matching is [`jiance::pipeline::rerun::diff_alerts`].

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use jiance::model::Alert;
use jiance::pipeline::rerun::{AlertDiff, diff_alerts};

use super::output;

#[derive(Debug, Args)]
pub struct DiffAlertsArgs {
    /// Data directory with the current alerts (e.g. the live one, or a rerun with today's rules).
    pub old: PathBuf,
    /// Data directory with the alerts to compare (e.g. `jiance rerun --rules NEW --out …`).
    pub new: PathBuf,
    /// Print {"added", "dropped", "relevelled", "unchanged"} as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DiffAlertsArgs) -> Result<ExitCode> {
    let old = super::open_store(&args.old)?.alerts()?;
    let new = super::open_store(&args.new)?.alerts()?;
    let diff = diff_alerts(&old, &new);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&diff_json(&diff))?);
    } else {
        print_diff(&diff);
    }
    Ok(ExitCode::SUCCESS)
}

fn brief(a: &Alert) -> serde_json::Value {
    serde_json::json!({
        "level": a.level,
        "action": a.action,
        "scope": a.scope,
        "score": a.score,
        "status": a.status,
    })
}

fn diff_json(d: &AlertDiff) -> serde_json::Value {
    serde_json::json!({
        "added": output::alerts_json(&d.added),
        "dropped": output::alerts_json(&d.dropped),
        "relevelled": d.relevelled.iter().map(|r| serde_json::json!({
            "id": r.new.id,
            "category": r.new.category,
            "regions": r.new.regions,
            "old": brief(&r.old),
            "new": brief(&r.new),
        })).collect::<Vec<_>>(),
        "unchanged": d.unchanged,
    })
}

fn print_diff(d: &AlertDiff) {
    let row = |change: &str, a: &Alert, old: Option<&Alert>, new: Option<&Alert>| -> Vec<String> {
        let pair = |f: &dyn Fn(&Alert) -> String| match (old, new) {
            (Some(o), Some(n)) if f(o) != f(n) => format!("{} → {}", f(o), f(n)),
            (_, Some(n)) => f(n),
            (Some(o), None) => f(o),
            (None, None) => String::new(),
        };
        vec![
            change.to_string(),
            a.id.clone(),
            a.category.clone(),
            a.regions.join("、"),
            pair(&|x| x.scope.as_str().to_string()),
            pair(&|x| x.level.to_string()),
            pair(&|x| x.action.as_str().to_string()),
            pair(&|x| format!("{:.2}", x.score)),
        ]
    };
    let mut rows = Vec::new();
    rows.extend(d.added.iter().map(|a| row("added", a, None, Some(a))));
    rows.extend(d.dropped.iter().map(|a| row("dropped", a, Some(a), None)));
    rows.extend(
        d.relevelled
            .iter()
            .map(|r| row("re-levelled", &r.new, Some(&r.old), Some(&r.new))),
    );
    if rows.is_empty() {
        println!("no alert added, dropped or re-levelled");
    } else {
        output::table(
            &[
                "change", "alert", "category", "regions", "scope", "level", "action", "score",
            ],
            &rows,
        );
    }
    println!(
        "{} added, {} dropped, {} re-levelled, {} unchanged",
        d.added.len(),
        d.dropped.len(),
        d.relevelled.len(),
        d.unchanged
    );
}
