//! `jiance rerun`: replay a WARC archive into a fresh data directory (progress bar by archive
//! bytes, a summary at the end). The work is [`jiance::pipeline::rerun`].

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;
use jiance::pipeline::rerun::{RerunOptions, RerunReport, rerun};

use super::RuleArgs;

#[derive(Debug, Args)]
pub struct RerunArgs {
    /// Directory of WARC files (*.warc, *.warc.gz, any standard WARC/1.0 or 1.1), or one file.
    #[arg(long)]
    pub archive: PathBuf,
    /// Replay records fetched (WARC-Date, Beijing day) on or after this day, YYYY-MM-DD.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Replay records fetched on or before this day; also the day scored.
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// Score as of this day [default: --until, else the last replayed record's day].
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Service config whose sources parse the records (and whose rules_dir / dictionaries_dir
    /// apply unless --rules / --dictionaries) [default: the demo sources]
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The data directory to build: absent, empty, or a previous rerun's output (replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// Parse + analyze threads [default: one per core]
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub workers: usize,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Read HTML pages no source claims (any web archive) by generic article extraction,
    /// instead of counting them unmatched-url.
    #[arg(long)]
    pub generic: bool,
}

pub fn run(args: RerunArgs) -> Result<ExitCode> {
    // Without a config, the archive is taken for a demo one: its sources are the demo's.
    let sources = match args.config {
        Some(_) => None,
        None => Some(jiance::demo::sources_from_archive(&args.archive)?),
    };
    let opts = RerunOptions {
        archive: args.archive,
        out: args.out,
        from: args.from,
        until: args.until,
        as_of: args.as_of,
        rules: args.rules.dirs(),
        config: args.config,
        sources,
        workers: args.workers,
        generic: args.generic,
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "rerun [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let report = rerun(&opts, &|r: &RerunReport| {
        bar.set_length(r.bytes_total);
        bar.set_position(r.bytes_read);
        let rate = if r.seconds > 0.0 {
            r.records as f64 / r.seconds
        } else {
            0.0
        };
        bar.set_message(format!(
            "{} records ({rate:.0}/s), {} documents, {} signals, {} failures",
            r.records,
            r.documents,
            r.signals,
            r.failed()
        ));
    })?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, &opts);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(r: &RerunReport, opts: &RerunOptions) {
    let mb = r.bytes_total as f64 / 1e6;
    println!(
        "rerun of {} into {} in {:.1} s ({:.1} MB/s, {:.0} documents/s)",
        opts.archive.display(),
        opts.out.display(),
        r.seconds,
        if r.seconds > 0.0 { mb / r.seconds } else { 0.0 },
        if r.seconds > 0.0 {
            r.documents as f64 / r.seconds
        } else {
            0.0
        }
    );
    let days = match (r.first_day, r.last_day) {
        (Some(a), Some(b)) => format!(", fetched {a} … {b}"),
        _ => String::new(),
    };
    println!(
        "  records read {:>9}   replayed {:>9}{days}",
        r.records, r.replayed
    );
    println!(
        "  pages parsed {:>9}   documents {:>8}   unchanged {:>7}",
        r.pages, r.documents, r.unchanged
    );
    println!(
        "  signals      {:>9}   alerts {:>11}   scored as of {}",
        r.signals,
        r.alerts,
        r.as_of.map_or("-".to_string(), |d| d.to_string())
    );
    if r.failures.is_empty() {
        println!("  failures             0");
    } else {
        println!("  failures {:>13}", r.failed());
        for (reason, n) in &r.failures {
            println!("    {n:>9}  {reason}");
        }
    }
    if !r.skipped.is_empty() {
        println!("  skipped (not document pages, or outside the dates):");
        for (reason, n) in &r.skipped {
            println!("    {n:>9}  {reason}");
        }
    }
    if !r.unknown_sources.is_empty() {
        let names: Vec<&str> = r.unknown_sources.iter().map(String::as_str).collect();
        println!(
            "  archived sources missing from the config (pass --config): {}",
            names.join(", ")
        );
    }
}
