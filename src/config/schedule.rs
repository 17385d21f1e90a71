//! `[[schedule]]`: jobs `jiance run` starts at cron times (crawl, rerun, report, prune, score).
//!
//! Parsing and validation only: the raw TOML block ([`ScheduleConfig`]) is checked into a typed
//! [`Scheduled`] job (cron expression compiled, time zone resolved, the job's fields present and
//! no field of another job), with every error on the line of its key. `pipeline::schedule` decides
//! when a job is due and runs it.
//!
//! # Cron expressions
//! - **5 fields**, the common Unix form: `minute hour day-of-month month weekday`, weekday `0`–`7`
//!   (`0` and `7` are Sunday) or names (`Mon`, `Mon-Fri`). `"30 2 * * *"` is 02:30 every day.
//! - **6 or 7 fields**, the `cron` crate's own form: `second minute hour day-of-month month weekday
//!   [year]`. Here numeric weekdays count from `1` = Sunday to `7` = Saturday (the crate's rule), so
//!   prefer names. `"0 30 2 * * Mon"` is Mondays at 02:30:00.
//! - `@hourly`, `@daily`, `@weekly` (Sunday 00:00), `@monthly`, `@yearly`.
//!
//! When both day-of-month and weekday are restricted, both must match (the crate's rule; Unix cron
//! accepts either).
//!
//! # Time zones
//! Times are read in `timezone`, default `Asia/Shanghai`. China has no daylight saving time, so a
//! fixed offset is exact: accepted are `Asia/Shanghai` (and the other +08:00 names: `PRC`,
//! `Asia/Chongqing`, `Asia/Harbin`, `Asia/Hong_Kong`, `Asia/Macau`, `Asia/Taipei`), `UTC`, and
//! fixed offsets such as `+08:00`. Zones with daylight saving time are refused rather than
//! silently shifted.

use std::path::PathBuf;

use chrono::{FixedOffset, NaiveDate};
use serde::Deserialize;

use super::{ConfigError, line_in_block};

/// The columns a report may group by (`--by`, `by = [...]`).
pub const GROUP_KEYS: &[&str] = &[
    "category",
    "hazard",
    "province",
    "city",
    "source",
    "source_kind",
];

/// Report period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Day,
    /// ISO weeks, labelled by their Monday.
    Week,
    /// Calendar months, labelled by their first day.
    Month,
}

impl Every {
    pub fn parse(s: &str) -> Option<Every> {
        match s {
            "day" => Some(Every::Day),
            "week" => Some(Every::Week),
            "month" => Some(Every::Month),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Day => "day",
            Every::Week => "week",
            Every::Month => "month",
        }
    }
}

/// Report output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Parquet,
    /// Aligned text columns (CJK characters count double).
    Table,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Option<ReportFormat> {
        match s {
            "csv" => Some(ReportFormat::Csv),
            "parquet" => Some(ReportFormat::Parquet),
            "table" => Some(ReportFormat::Table),
            _ => None,
        }
    }
}

/// A `[[schedule]]` block as written. Which fields apply depends on `job`; [`validate`]
/// (ScheduleConfig::validate) refuses the fields of other jobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Unique name; the key of its last-run time in the store.
    pub name: String,
    /// Cron expression (see the module docs).
    pub cron: String,
    /// Time zone of the cron times [default: Asia/Shanghai].
    #[serde(default)]
    pub timezone: Option<String>,
    /// `crawl`, `rerun`, `report`, `prune` or `score`.
    pub job: String,
    /// crawl: source names [default: every enabled source].
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// rerun, prune: WARC directory [default: the data directory's archive/].
    #[serde(default)]
    pub archive: Option<PathBuf>,
    /// rerun: the new data directory; report: the output file. `{date}` is replaced by the run's
    /// Beijing date (YYYY-MM-DD); in a report, `{period}` by the label of its last period.
    #[serde(default)]
    pub out: Option<String>,
    /// rerun: rules directory [default: the config's rules_dir].
    #[serde(default)]
    pub rules: Option<PathBuf>,
    /// rerun: dictionaries directory [default: the config's dictionaries_dir].
    #[serde(default)]
    pub dictionaries: Option<PathBuf>,
    /// rerun: first and last day of the records replayed (a TOML date `2026-01-01` or a string).
    #[serde(default, deserialize_with = "toml_date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "toml_date")]
    pub until: Option<NaiveDate>,
    /// report: data directory to report on [default: the config's data_dir].
    #[serde(default)]
    pub data: Option<PathBuf>,
    /// report: group columns (see [`GROUP_KEYS`]).
    #[serde(default)]
    pub by: Option<Vec<String>>,
    /// report: `day`, `week` or `month`.
    #[serde(default)]
    pub every: Option<String>,
    /// report: `csv`, `parquet` or `table` [default: csv].
    #[serde(default)]
    pub format: Option<String>,
    /// report: how many complete periods before the run time [default: 1].
    #[serde(default)]
    pub periods: Option<u32>,
    /// prune: remove archive files whose records are all older than this many days.
    #[serde(default)]
    pub older_than_days: Option<u32>,
}

/// A day written as a TOML local date (`from = 2026-01-01`) or as a string.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Day {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Day::deserialize(d)? {
        Day::Toml(t) => t.to_string(),
        Day::Text(s) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("bad date {text:?}: write YYYY-MM-DD")))
}

/// A compiled cron expression with its time zone.
#[derive(Debug, Clone)]
pub struct CronSpec {
    /// As written in the config.
    pub expr: String,
    pub schedule: cron::Schedule,
    pub offset: FixedOffset,
}

/// A validated `[[schedule]]` job.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub name: String,
    pub cron: CronSpec,
    pub job: Job,
}

/// What a schedule runs. Relative paths are resolved against the config file's folder by
/// `Config::load`.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Crawl these sources (`None`: every enabled source), then rescore.
    Crawl { sources: Option<Vec<String>> },
    /// `jiance rerun` as a child process.
    Rerun {
        archive: Option<PathBuf>,
        out: String,
        rules: Option<PathBuf>,
        dictionaries: Option<PathBuf>,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
    /// A report over the last `periods` complete periods.
    Report {
        data: Option<PathBuf>,
        by: Vec<String>,
        every: Every,
        format: ReportFormat,
        out: String,
        periods: u32,
    },
    /// Remove whole archive files whose records are all older than `older_than_days`.
    Prune {
        archive: Option<PathBuf>,
        older_than_days: u32,
    },
    /// Rescore as of today.
    Score,
}

impl Job {
    /// Relative paths made relative to `base` (the config file's folder).
    pub fn resolve(&mut self, base: &std::path::Path) {
        let join = |p: &mut Option<PathBuf>| {
            if let Some(x) = p.as_mut() {
                *x = base.join(&*x);
            }
        };
        let join_str = |s: &mut String| {
            if std::path::Path::new(s.as_str()).is_relative() {
                *s = base.join(s.as_str()).display().to_string();
            }
        };
        match self {
            Job::Rerun {
                archive,
                out,
                rules,
                dictionaries,
                ..
            } => {
                join(archive);
                join(rules);
                join(dictionaries);
                join_str(out);
            }
            Job::Report { data, out, .. } => {
                join(data);
                join_str(out);
            }
            Job::Prune { archive, .. } => join(archive),
            Job::Crawl { .. } | Job::Score => {}
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Job::Crawl { .. } => "crawl",
            Job::Rerun { .. } => "rerun",
            Job::Report { .. } => "report",
            Job::Prune { .. } => "prune",
            Job::Score => "score",
        }
    }
}

const JOBS: &[&str] = &["crawl", "rerun", "report", "prune", "score"];

/// Resolve a time zone name to its (DST-free) offset.
pub fn parse_timezone(tz: &str) -> Result<FixedOffset, String> {
    let t = tz.trim();
    let beijing = FixedOffset::east_opt(8 * 3600);
    match t {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Chungking" | "Asia/Harbin" | "PRC"
        | "Asia/Hong_Kong" | "Asia/Macau" | "Asia/Taipei" | "CST" | "Beijing" => {
            return beijing.ok_or_else(|| "offset".into());
        }
        "UTC" | "Etc/UTC" | "Z" | "GMT" => return FixedOffset::east_opt(0).ok_or("offset".into()),
        _ => {}
    }
    let bad = || {
        format!(
            "unknown time zone {tz:?}: use Asia/Shanghai, UTC or a fixed offset such as +08:00 \
             (zones with daylight saving time are not supported)"
        )
    };
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = match (h.parse(), m.parse()) {
        (Ok(h), Ok(m)) if (0..=14).contains(&h) && (0..60).contains(&m) => (h, m),
        _ => return Err(bad()),
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// A Unix weekday field (0–7, 0 and 7 = Sunday) as the crate's names, so `1` means Monday as
/// everyone expects. Fields already written with names pass through.
fn unix_weekdays(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" || field.chars().any(|c| c.is_ascii_alphabetic()) {
        return Ok(field.to_string());
    }
    let num = |s: &str| -> Result<u32, String> {
        match s.parse::<u32>() {
            Ok(n) if n <= 7 => Ok(n),
            _ => Err(format!("weekday {s:?} is not 0–7 (0 and 7 are Sunday)")),
        }
    };
    let mut days = [false; 7];
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => match s.parse::<u32>() {
                Ok(s) if s > 0 => (b, s),
                _ => return Err(format!("bad weekday step in {item:?}")),
            },
            None => (item, 1),
        };
        let (lo, hi) = if base == "*" {
            (0, 6)
        } else if let Some((a, b)) = base.split_once('-') {
            (num(a)?, num(b)?)
        } else {
            let n = num(base)?;
            // `5/2` means from 5 to the end, as in Unix cron.
            (n, if item.contains('/') { 7 } else { n })
        };
        if lo > hi {
            return Err(format!("weekday range {base:?} runs backwards"));
        }
        // `step` comes from the file: stepping by `checked_add` ends at any size without overflow.
        let mut d = Some(lo);
        while let Some(day) = d.filter(|&day| day <= hi) {
            days[(day % 7) as usize] = true;
            d = day.checked_add(step);
        }
    }
    Ok(WEEKDAYS
        .iter()
        .zip(days)
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(","))
}

/// Compile a cron expression (5 fields, 6–7 fields with seconds, or an `@` shorthand).
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, String> {
    let e = expr.trim();
    let fields: Vec<&str> = e.split_whitespace().collect();
    let full = if e.starts_with('@') {
        e.to_string()
    } else {
        match fields.len() {
            5 => format!(
                "0 {} {} {} {} {}",
                fields[0],
                fields[1],
                fields[2],
                fields[3],
                unix_weekdays(fields[4])
                    .map_err(|m| format!("bad cron expression {expr:?}: {m}"))?
            ),
            6 | 7 => e.to_string(),
            n => {
                return Err(format!(
                    "bad cron expression {expr:?}: {n} fields; write 5 (minute hour day month \
                     weekday) or 6–7 (second first, year last)"
                ));
            }
        }
    };
    let schedule = full
        .parse::<cron::Schedule>()
        .map_err(|err| format!("bad cron expression {expr:?}: {err}"))?;
    // 30 February, or a year gone by: accepted by the grammar, it would never run, silently.
    if schedule.upcoming(chrono::Utc).next().is_none() {
        return Err(format!(
            "bad cron expression {expr:?}: it names no time from now on"
        ));
    }
    Ok(schedule)
}

impl ScheduleConfig {
    /// Check the `n`-th `[[schedule]]` block of `text` (read from `file`) into a typed job.
    pub fn validate(
        &self,
        file: &str,
        text: &str,
        n: usize,
    ) -> Result<Scheduled, Vec<ConfigError>> {
        let mut errs = Vec::new();
        let name = self.name.clone();
        let mut err = |key: &str, msg: String| {
            errs.push(ConfigError::new(
                file,
                line_in_block(text, "schedule", n, key),
                format!("schedule {name:?}: {msg}"),
            ))
        };
        if self.name.trim().is_empty() {
            err("name", "name must not be empty".into());
        }
        let schedule = parse_cron(&self.cron).map_err(|m| err("cron", m)).ok();
        let offset = parse_timezone(self.timezone.as_deref().unwrap_or("Asia/Shanghai"))
            .map_err(|m| err("timezone", m))
            .ok();
        self.check_keys(&mut err);
        let job = match self.job.as_str() {
            "crawl" => self.crawl_job(&mut err),
            "rerun" => self.rerun_job(&mut err),
            "report" => self.report_job(&mut err),
            "prune" => self.prune_job(&mut err),
            "score" => Some(Job::Score),
            _ => None,
        };
        match (schedule, offset, job) {
            (Some(schedule), Some(offset), Some(job)) if errs.is_empty() => Ok(Scheduled {
                name: self.name.clone(),
                cron: CronSpec {
                    expr: self.cron.clone(),
                    schedule,
                    offset,
                },
                job,
            }),
            _ => Err(errs),
        }
    }

    /// The job is known, and no key is set that its job does not take (each an error on its
    /// line).
    fn check_keys(&self, err: &mut dyn FnMut(&str, String)) {
        let set: Vec<(&str, bool)> = vec![
            ("sources", self.sources.is_some()),
            ("archive", self.archive.is_some()),
            ("out", self.out.is_some()),
            ("rules", self.rules.is_some()),
            ("dictionaries", self.dictionaries.is_some()),
            ("from", self.from.is_some()),
            ("until", self.until.is_some()),
            ("data", self.data.is_some()),
            ("by", self.by.is_some()),
            ("every", self.every.is_some()),
            ("format", self.format.is_some()),
            ("periods", self.periods.is_some()),
            ("older_than_days", self.older_than_days.is_some()),
        ];
        let allowed: &[&str] = match self.job.as_str() {
            "crawl" => &["sources"],
            "rerun" => &["archive", "out", "rules", "dictionaries", "from", "until"],
            "report" => &["data", "by", "every", "format", "out", "periods"],
            "prune" => &["archive", "older_than_days"],
            "score" => &[],
            other => {
                err(
                    "job",
                    format!("unknown job {other:?}; one of {}", JOBS.join(", ")),
                );
                &[]
            }
        };
        if JOBS.contains(&self.job.as_str()) {
            for (key, is_set) in &set {
                if *is_set && !allowed.contains(key) {
                    err(key, format!("`{key}` does not apply to a {} job", self.job));
                }
            }
        }
    }

    /// An error on the `job` line when a key the job needs is not `present`.
    fn need(&self, err: &mut dyn FnMut(&str, String), key: &str, present: bool) {
        if !present {
            err("job", format!("a {} job needs `{key}`", self.job));
        }
    }

    /// A crawl job: of every source, or of a list that is not empty.
    fn crawl_job(&self, err: &mut dyn FnMut(&str, String)) -> Option<Job> {
        if self.sources.as_ref().is_some_and(|s| s.is_empty()) {
            err(
                "sources",
                "sources is empty; leave it out to crawl every source".into(),
            );
        }
        Some(Job::Crawl {
            sources: self.sources.clone(),
        })
    }

    /// A rerun job: an output, and a from no later than its until.
    fn rerun_job(&self, err: &mut dyn FnMut(&str, String)) -> Option<Job> {
        self.need(err, "out", self.out.is_some());
        if let (Some(f), Some(u)) = (self.from, self.until)
            && f > u
        {
            err("until", format!("until {u} is before from {f}"));
        }
        self.out.clone().map(|out| Job::Rerun {
            archive: self.archive.clone(),
            out,
            rules: self.rules.clone(),
            dictionaries: self.dictionaries.clone(),
            from: self.from,
            until: self.until,
        })
    }

    /// A report job: an output, known grouping columns, a period, a format and at least one
    /// period to write.
    fn report_job(&self, err: &mut dyn FnMut(&str, String)) -> Option<Job> {
        self.need(err, "out", self.out.is_some());
        self.need(err, "by", self.by.is_some());
        self.need(err, "every", self.every.is_some());
        let by = self.by.clone().unwrap_or_default();
        for b in &by {
            if !GROUP_KEYS.contains(&b.as_str()) {
                err(
                    "by",
                    format!("cannot group by {b:?}; one of {}", GROUP_KEYS.join(", ")),
                );
            }
        }
        if self.by.as_ref().is_some_and(|b| b.is_empty()) {
            err("by", "by needs at least one column".into());
        }
        let every = match self.every.as_deref().map(|e| (e, Every::parse(e))) {
            Some((_, Some(e))) => Some(e),
            Some((e, None)) => {
                err(
                    "every",
                    format!("every must be day, week or month, not {e:?}"),
                );
                None
            }
            None => None,
        };
        let format = match self.format.as_deref() {
            None => Some(ReportFormat::Csv),
            Some(f) => ReportFormat::parse(f).or_else(|| {
                err(
                    "format",
                    format!("format must be csv, parquet or table, not {f:?}"),
                );
                None
            }),
        };
        let periods = self.periods.unwrap_or(1);
        if periods == 0 {
            err("periods", "periods must be at least 1".into());
        }
        match (self.out.clone(), every, format) {
            (Some(out), Some(every), Some(format)) => Some(Job::Report {
                data: self.data.clone(),
                by,
                every,
                format,
                out,
                periods,
            }),
            _ => None,
        }
    }

    /// A prune job: an age of at least a day.
    fn prune_job(&self, err: &mut dyn FnMut(&str, String)) -> Option<Job> {
        self.need(err, "older_than_days", self.older_than_days.is_some());
        if self.older_than_days == Some(0) {
            err(
                "older_than_days",
                "older_than_days must be at least 1 (today's files are being written)".into(),
            );
        }
        self.older_than_days.map(|d| Job::Prune {
            archive: self.archive.clone(),
            older_than_days: d,
        })
    }
}

/// Validate every block, refuse duplicate names, and check that crawl jobs name known sources.
pub fn validate_schedules(
    blocks: &[ScheduleConfig],
    source_names: &[&str],
    file: &str,
    text: &str,
) -> (Vec<Scheduled>, Vec<ConfigError>) {
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, b) in blocks.iter().enumerate() {
        if !seen.insert(b.name.as_str()) {
            errors.push(ConfigError::new(
                file,
                line_in_block(text, "schedule", i, "name"),
                format!("schedule name {:?} is used twice", b.name),
            ));
        }
        match b.validate(file, text, i) {
            Ok(s) => {
                if let Job::Crawl {
                    sources: Some(names),
                } = &s.job
                {
                    for n in names {
                        if !source_names.contains(&n.as_str()) {
                            errors.push(ConfigError::new(
                                file,
                                line_in_block(text, "schedule", i, "sources"),
                                format!("schedule {:?}: no source named {n:?}", b.name),
                            ));
                        }
                    }
                }
                jobs.push(s);
            }
            Err(e) => errors.extend(e),
        }
    }
    (jobs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike, Utc};

    fn next_after(expr: &str, after: &str) -> String {
        let s = parse_cron(expr).unwrap();
        let tz = parse_timezone("Asia/Shanghai").unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(after)
            .unwrap()
            .with_timezone(&tz);
        s.after(&t).next().unwrap().to_rfc3339()
    }

    #[test]
    fn five_field_expressions_read_as_unix_cron() {
        // 2026-11-22 is a Sunday.
        assert_eq!(
            next_after("30 2 * * *", "2026-11-22T10:00:00+08:00"),
            "2026-11-23T02:30:00+08:00"
        );
        // Weekday 1 is Monday in Unix cron (the crate alone would read Sunday).
        assert_eq!(
            next_after("0 3 * * 1", "2026-11-22T10:00:00+08:00"),
            "2026-11-23T03:00:00+08:00"
        );
        // 0 and 7 are both Sunday.
        for e in ["0 3 * * 0", "0 3 * * 7", "0 3 * * Sun"] {
            assert_eq!(
                next_after(e, "2026-11-23T10:00:00+08:00"),
                "2026-11-29T03:00:00+08:00",
                "{e}"
            );
        }
        // 1-5 is Monday to Friday: after Friday evening comes Monday.
        assert_eq!(
            next_after("0 8 * * 1-5", "2026-11-27T20:00:00+08:00"),
            "2026-11-30T08:00:00+08:00"
        );
        assert_eq!(unix_weekdays("*/2").unwrap(), "Sun,Tue,Thu,Sat");
        assert_eq!(unix_weekdays("5-7").unwrap(), "Sun,Fri,Sat");
        assert!(unix_weekdays("8").is_err());
        assert!(unix_weekdays("5-2").is_err());
    }

    /// Regression: a weekday step near u32::MAX overflowed (a panic in debug, a wrapped extra
    /// Sunday in release).
    #[test]
    fn a_huge_weekday_step_means_the_first_day_only() {
        assert_eq!(unix_weekdays("1/4294967295").unwrap(), "Mon");
        assert_eq!(unix_weekdays("1-5/2").unwrap(), "Mon,Wed,Fri");
    }

    #[test]
    fn six_and_seven_fields_and_shorthands_are_the_crate_form() {
        assert_eq!(
            next_after("15 30 2 * * Mon", "2026-11-22T10:00:00+08:00"),
            "2026-11-23T02:30:15+08:00"
        );
        assert_eq!(
            next_after("0 0 6 1 * * 2027", "2026-11-22T10:00:00+08:00"),
            "2027-01-01T06:00:00+08:00"
        );
        assert_eq!(
            next_after("@daily", "2026-11-22T10:00:00+08:00"),
            "2026-11-23T00:00:00+08:00"
        );
        for bad in [
            "* * *",
            "61 * * * *",
            "0 25 * * *",
            "every day",
            "1 2 3 4 5 6 7 8",
            "0 9 30 2 *",
            "0 0 9 1 1 * 2020",
        ] {
            let e = parse_cron(bad).unwrap_err();
            assert!(e.contains("bad cron expression"), "{bad}: {e}");
        }
    }

    #[test]
    fn time_zones_are_fixed_offsets() {
        assert_eq!(
            parse_timezone("Asia/Shanghai").unwrap().local_minus_utc(),
            8 * 3600
        );
        assert_eq!(parse_timezone("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(
            parse_timezone("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 30 * 60)
        );
        let e = parse_timezone("Europe/Berlin").unwrap_err();
        assert!(e.contains("daylight saving"), "{e}");
        assert!(parse_timezone("+25:00").is_err());
        // A UTC schedule fires at its own midnight.
        let s = parse_cron("0 0 * * *").unwrap();
        let utc = parse_timezone("UTC").unwrap();
        let t = s
            .after(
                &Utc.with_ymd_and_hms(2026, 1, 1, 5, 0, 0)
                    .unwrap()
                    .with_timezone(&utc),
            )
            .next()
            .unwrap();
        assert_eq!(t.hour(), 0);
    }

    fn check(text: &str, sources: &[&str]) -> (Vec<Scheduled>, Vec<ConfigError>) {
        #[derive(Deserialize)]
        struct F {
            schedule: Vec<ScheduleConfig>,
        }
        let f: F = toml::from_str(text).unwrap();
        validate_schedules(&f.schedule, sources, "j.toml", text)
    }

    #[test]
    fn every_job_validates_with_its_fields() {
        let text = r#"
[[schedule]]
name = "hourly-crawl"
cron = "0 * * * *"
job = "crawl"
sources = ["a"]

[[schedule]]
name = "nightly-rerun"
cron = "0 2 * * *"
job = "rerun"
out = "/var/lib/jiance-rerun/{date}"
from = 2026-01-01
until = "2026-06-30"

[[schedule]]
name = "weekly-report"
cron = "0 7 * * Mon"
timezone = "UTC"
job = "report"
by = ["category", "province"]
every = "week"
format = "parquet"
out = "/srv/reports/week-{period}.parquet"

[[schedule]]
name = "prune"
cron = "0 4 1 * *"
job = "prune"
older_than_days = 400

[[schedule]]
name = "rescore"
cron = "*/10 * * * *"
job = "score"
"#;
        let (jobs, errs) = check(text, &["a", "b"]);
        assert!(errs.is_empty(), "{errs:?}");
        let kinds: Vec<&str> = jobs.iter().map(|j| j.job.kind()).collect();
        assert_eq!(kinds, ["crawl", "rerun", "report", "prune", "score"]);
        match &jobs[1].job {
            Job::Rerun { from, until, .. } => {
                assert_eq!(*from, NaiveDate::from_ymd_opt(2026, 1, 1));
                assert_eq!(*until, NaiveDate::from_ymd_opt(2026, 6, 30));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(jobs[0].cron.offset.local_minus_utc(), 8 * 3600);
        assert_eq!(jobs[2].cron.offset.local_minus_utc(), 0);
        match &jobs[2].job {
            Job::Report {
                by,
                every,
                format,
                periods,
                ..
            } => {
                assert_eq!(by, &["category", "province"]);
                assert_eq!(*every, Every::Week);
                assert_eq!(*format, ReportFormat::Parquet);
                assert_eq!(*periods, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line_of_their_key() {
        let text = r#"
[[schedule]]
name = "a"
cron = "0 2 * *"
job = "crawl"

[[schedule]]
name = "b"
cron = "0 2 * * *"
job = "reindex"

[[schedule]]
name = "c"
cron = "0 2 * * *"
timezone = "Europe/Paris"
job = "report"
by = ["category", "shop"]
every = "fortnight"
out = "r.csv"
older_than_days = 3

[[schedule]]
name = "a"
cron = "0 2 * * *"
job = "rerun"

[[schedule]]
name = "e"
cron = "0 2 * * *"
job = "crawl"
sources = ["nope"]
"#;
        let (_, errs) = check(text, &["real"]);
        let lines = |needle: &str| -> Vec<usize> {
            errs.iter()
                .filter(|e| e.message.contains(needle))
                .map(|e| e.line)
                .collect()
        };
        assert_eq!(lines("bad cron expression"), [4]);
        assert_eq!(lines("unknown job \"reindex\""), [10]);
        assert_eq!(lines("unknown time zone"), [15]);
        assert_eq!(lines("cannot group by \"shop\""), [17]);
        assert_eq!(lines("every must be"), [18]);
        assert_eq!(lines("`older_than_days` does not apply"), [20]);
        assert_eq!(lines("used twice"), [23]);
        assert_eq!(lines("a rerun job needs `out`"), [25]);
        assert_eq!(lines("no source named \"nope\""), [31]);
        assert!(
            errs.iter().all(|e| e.to_string().starts_with("j.toml:")),
            "{errs:?}"
        );
    }
}
