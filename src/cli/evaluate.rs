//! `jiance score --evaluate-sim [--seeds 7,11,23] [--hard|--clean] [--notify-budgets 2,8]
//! [--json]`: the operating characteristic of issue 46 on simulated years — jiance's operating
//! point beside the curve of an oracle that knows the true baselines (`jiance::score::evaluate`)
//! — printed as a report per seed and a summary table (or one JSON object per seed).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use jiance::score::ScoringRules;
use jiance::score::evaluate::{self, Operating, SeedReport, YearKind};
use jiance::score::oracle::{self, Point};

use super::RuleArgs;

/// `jiance score --evaluate-sim` and its options.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Measure the scoring rules on simulated years (not real data) against an oracle that
    /// knows every true baseline: false alerts of any action per category-year against
    /// detection, median delay and scope, jiance's operating point beside the oracle's curve.
    #[arg(long, conflicts_with_all = ["signals", "daily", "as_of", "from", "outages"])]
    pub evaluate_sim: bool,
    /// With --evaluate-sim: the seeds of the simulated years (each draws its rates, outbreaks
    /// and festival lifts).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "7,11,23",
        requires = "evaluate_sim"
    )]
    pub seeds: Vec<u64>,
    /// With --evaluate-sim: hard years (weak outbreaks 1.2–4×, 618 and 双十一, holidays, a
    /// ten-day platform outage) [default].
    #[arg(long, conflicts_with = "clean", requires = "evaluate_sim")]
    pub hard: bool,
    /// With --evaluate-sim: clean years (outbreaks 2–5×, no disturbance).
    #[arg(long, requires = "evaluate_sim")]
    pub clean: bool,
    /// With --evaluate-sim: also replay with these notify budgets in place of scoring.toml's
    /// `[action] notify_budget` (one more replay of each year per value).
    #[arg(long, value_delimiter = ',', value_parser = parse_budget, requires = "evaluate_sim")]
    pub notify_budgets: Vec<f64>,
}

fn parse_budget(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(b) if b.is_finite() && b > 0.0 => Ok(b),
        _ => Err(format!("{s:?}: a notify budget is a number > 0")),
    }
}

pub fn run(args: &SimArgs, json: bool, rules: &RuleArgs) -> Result<ExitCode> {
    let scoring = ScoringRules::load(rules.rules.as_deref())
        .map_err(jiance::pipeline::PipelineError::Config)?;
    let kind = if args.clean {
        YearKind::Clean
    } else {
        YearKind::Hard
    };
    let bar = indicatif::ProgressBar::new(
        args.seeds.len() as u64 * evaluate::steps(&args.notify_budgets),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut reports = Vec::with_capacity(args.seeds.len());
    for &seed in &args.seeds {
        let report =
            evaluate::evaluate_seed(&scoring, seed, kind, &args.notify_budgets, &mut |step| {
                bar.inc(1);
                bar.set_message(step.to_string());
            })?;
        bar.suspend(|| -> Result<()> {
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                print_seed(&report);
            }
            Ok(())
        })?;
        reports.push(report);
    }
    bar.finish_and_clear();
    if !json {
        print_summary(&reports);
    }
    Ok(ExitCode::SUCCESS)
}

/// A point's four figures in the summary's cell form: false / detection / delay / scope.
fn cell(p: Option<&Point>) -> String {
    match p {
        Some(p) => format!(
            "{:.1} / {:.2} / {} / {:.2}",
            p.false_per_category_year,
            p.detection,
            delay(p),
            p.scope
        ),
        None => "—".to_string(),
    }
}

fn delay(p: &Point) -> String {
    p.median_delay
        .map_or_else(|| "—".to_string(), |d| format!("{d} d"))
}

fn row(label: &str, p: &Point) {
    println!(
        "  {label:<44} {:>12.2} {:>10.2} {:>13} {:>6.2} {:>11.2} {:>11.2}",
        p.false_per_category_year,
        p.detection,
        delay(p),
        p.scope,
        p.scope_regional,
        p.scope_systemic
    );
}

fn operating_rows(o: &Operating) {
    let setting = if o.configured {
        format!("jiance, notify_budget {} (configured)", o.notify_budget)
    } else {
        format!("jiance, notify_budget {}", o.notify_budget)
    };
    row(&setting, &o.jiance);
    match &o.oracle_at_rate {
        Some(p) => row(
            &format!("  oracle at no more false (p < {:.1e})", p.threshold),
            p,
        ),
        None => println!("    the oracle has no point at no more false alerts"),
    }
}

fn print_seed(r: &SeedReport) {
    println!(
        "seed {} — simulated {} ({} outbreaks)",
        r.seed,
        r.kind.describe(),
        r.outbreaks
    );
    println!(
        "  {:<44} {:>12} {:>10} {:>13} {:>6} {:>11} {:>11}",
        "operating point",
        "false/cat-yr",
        "detection",
        "median delay",
        "scope",
        "of regional",
        "of systemic"
    );
    for o in &r.jiance {
        operating_rows(o);
    }
    println!("  oracle's curve (its p-value threshold swept, every half decade):");
    for p in r.oracle.iter().step_by(4) {
        row(&format!("  p < {:.1e}", p.threshold), p);
    }
    println!();
}

/// The README's table: per seed, jiance at its configured point, the oracle at the same false
/// alert rate, and the oracle at 2 false alerts per category-year (issue 46's target).
fn print_summary(reports: &[SeedReport]) {
    let budget = reports
        .iter()
        .find_map(|r| r.configured())
        .map_or(0.0, |o| o.notify_budget);
    println!(
        "Summary (simulated; each cell: false alerts of any action per category-year / detection \
         / median delay / scope right)"
    );
    println!(
        "| seed | jiance (notify_budget {budget}) | oracle at jiance's false-alert rate | oracle at ≤ 2 |"
    );
    println!("|---|---|---|---|");
    for r in reports {
        let configured = r.configured();
        println!(
            "| {} | {} | {} | {} |",
            r.seed,
            cell(configured.map(|o| &o.jiance)),
            cell(configured.and_then(|o| o.oracle_at_rate.as_ref())),
            cell(oracle::at_rate(&r.oracle, 2.0).as_ref())
        );
    }
}
