//! The signal table: the one columnar form of signals, used by scoring, by the `signals/`
//! Parquet partitions of a data directory and by reports.
//!
//! Data flows: `Signal`s (analysis, via SQLite) → [`to_table`] (a [`SignalColumns`]) → scoring
//! (`crate::score`) and [`write_partitions`] (`signals/day=YYYY-MM-DD.parquet`, one file per
//! Beijing-time day) → `super::signal_read::SignalSource` (scoring, reports, reruns; `signal_read::scan` reads
//! a whole table at once). The JSON Lines input format of `jiance score --signals FILE` is read
//! straight into the table ([`read_jsonl`]), without building `Signal`s.
//!
//! # Columns (in this order)
//! | column        | type                    | meaning                                                      |
//! |---------------|-------------------------|--------------------------------------------------------------|
//! | `time`        | Datetime(ms, UTC)       | publication (else fetch) instant                             |
//! | `day`         | Date                    | Beijing-time day ([`crate::model::Signal::day`])             |
//! | `category`    | String                  | canonical category                                           |
//! | `hazard`      | String                  | canonical hazard                                             |
//! | `severity`    | Int8                    | GB/T 22760 level 1–4                                         |
//! | `province`    | String, nullable        | canonical province, `全国`, `境外:<country>`; null = unplaced |
//! | `city`        | String, nullable        | canonical prefecture-level city                              |
//! | `source`      | String                  | publisher (the source's, by default its site): independence  |
//! | `source_kind` | String                  | channel: complaint, regulator, platform, media, standard     |
//! | `kind`        | String, nullable        | document kind (listing, complaint, notice, inspection …)     |
//! | `weight`      | Float32                 | source weight (the channel weight is applied by scoring)     |
//! | `cluster`     | String                  | near-duplicate cluster (the document id when it had none)    |
//! | `doc`         | String                  | document id                                                  |
//! | `product`     | String, nullable        | product noun of an unclassified (`未归类`) signal, else null |
//!
//! `product` is optional ([`super::columnar::PRODUCT`], not in [`COLUMNS`]): scoring never reads
//! it; a file written before it existed reads it as null; a value that is not UTF-8 or not a noun
//! (blank, over 32 characters, control characters) reads as null and is counted, the row kept.
//!
//! `severity` is Int8 (INT32 annotated INTEGER(8, signed)), as earlier versions wrote it. Partitions
//! use zstd compression and plain Parquet types only (`super::columnar`): pandas, duckdb and polars
//! read them as they are.
//!
//! # Determinism
//! The same signals always give byte-identical partition files, whatever their input order: rows
//! are sorted on every column, and the Parquet writer stores no timestamps or random ids (its
//! metadata is the schema and a fixed `created_by`). A partition whose bytes are unchanged is
//! not rewritten, so its modification time says when its content last changed.
//!
//! # JSON Lines input
//! One object per line: `{"time": RFC 3339 or YYYY-MM-DD, "category", "hazard", "severity": 1-4,
//! "province", "city"?, "source", "source_kind", "cluster"?, "doc"?, "weight"?, "kind"?,
//! "product"?}`. A date
//! alone is taken as noon Beijing time of that day. A missing or null `province` is an unplaced
//! signal; a missing `doc` becomes `<file name>:<line>`; a missing `cluster` becomes the doc, so each
//! such line counts once; a missing `weight` is 1.0. Other keys are ignored. A bad line (not JSON,
//! a missing or invalid field) is reported with file:line and field and skipped: the rest of the
//! batch goes on (`signal_read::scan_report` returns them; `signal_read::scan` logs them as warnings).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

// the day conversions are read here by scoring and the reference implementation
pub use super::columnar::{
    ALL_COLUMNS, COLUMNS, PRODUCT, SignalColumns, epoch_days, from_epoch_days,
};
use crate::model::{Channel, DocKind, Signal, china_day};

#[derive(Debug, thiserror::Error)]
pub enum SignalTableError {
    /// One bad input line (JSON Lines): the batch goes on without it.
    #[error("{file}:{line}: field `{field}`: {message}")]
    Field {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// (`error`, not `source`: the message already holds it, so a report that prints the
    /// cause chain does not print it twice.)
    #[error("{path}: {error}")]
    Parquet {
        path: String,
        error: parquet::errors::ParquetError,
    },
    #[error("{path}: not a signal table: {message}")]
    Schema { path: String, message: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SignalTableError + '_ {
    move |source| SignalTableError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The cluster a signal counts in: its own, or its document when analysis gave none.
fn cluster_or_doc(s: &Signal) -> &str {
    if s.cluster.is_empty() {
        &s.doc_id
    } else {
        &s.cluster
    }
}

/// A total order over every column, so the same signals always give the same rows.
fn row_order(a: &Signal, b: &Signal) -> std::cmp::Ordering {
    a.time
        .cmp(&b.time)
        .then_with(|| a.doc_id.cmp(&b.doc_id))
        .then_with(|| a.category.cmp(&b.category))
        .then_with(|| a.hazard.cmp(&b.hazard))
        .then_with(|| a.province.cmp(&b.province))
        .then_with(|| a.city.cmp(&b.city))
        .then_with(|| a.source.cmp(&b.source))
        .then_with(|| a.channel.cmp(&b.channel))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.severity.cmp(&b.severity))
        .then_with(|| a.weight.total_cmp(&b.weight))
        .then_with(|| cluster_or_doc(a).cmp(cluster_or_doc(b)))
        .then_with(|| a.product.cmp(&b.product))
}

/// The signal table of these signals, in their order.
pub fn to_table(signals: &[Signal]) -> SignalColumns {
    SignalColumns::of_signals(signals)
}

/// What [`write_partitions`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionReport {
    /// Partitions written (new or changed content).
    pub written: Vec<NaiveDate>,
    /// Partitions whose bytes were already those on disk.
    pub unchanged: usize,
    /// Files removed: partitions of days without signals, old `day=*.jsonl` partitions, temp files.
    pub removed: Vec<PathBuf>,
}

/// Most threads writing partitions at once.
const PARTITION_THREADS: usize = 4;

/// Write one day's partition unless its bytes are already on disk; `true` when written.
fn write_partition(dir: &Path, day: NaiveDate, rows: &[&Signal]) -> Result<bool, SignalTableError> {
    let name = format!("day={day}.parquet");
    let path = dir.join(&name);
    let body = SignalColumns::of_signals(rows.iter().copied())
        .to_parquet()
        .map_err(|error| SignalTableError::Parquet {
            path: path.display().to_string(),
            error,
        })?;
    if std::fs::read(&path).is_ok_and(|old| old == body) {
        return Ok(false);
    }
    crate::util::fsx::write_atomic(&path, &body).map_err(io_err(&path))?;
    Ok(true)
}

/// Write `dir/day=YYYY-MM-DD.parquet`, one file per Beijing-time day, rows sorted on every column.
/// Each file is written to a temp file, fsynced and renamed over the old one, and only when its
/// bytes changed. Partitions of days that no longer have signals, old `day=*.jsonl` partitions of
/// earlier versions and stale temp files are removed.
pub fn write_partitions(
    dir: &Path,
    signals: &[Signal],
) -> Result<PartitionReport, SignalTableError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut sorted: Vec<&Signal> = signals.iter().collect();
    sorted.sort_by(|a, b| a.day().cmp(&b.day()).then_with(|| row_order(a, b)));
    let mut report = PartitionReport::default();
    // one day's rows per partition, in day order
    let mut days: Vec<(NaiveDate, &[&Signal])> = Vec::new();
    let mut rest = sorted.as_slice();
    while let Some(first) = rest.first() {
        let day = first.day();
        let n = rest.iter().take_while(|s| s.day() == day).count();
        let (rows, tail) = rest.split_at(n);
        rest = tail;
        days.push((day, rows));
    }
    // Partitions are independent files: they are encoded and written on a few threads (a
    // rerun writes hundreds, each with an fsync); the outcome is gathered in day order, so the
    // report and the files are the same whatever the timing.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, PARTITION_THREADS)
        .min(days.len().max(1));
    let outcomes: Vec<Result<bool, SignalTableError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let days = &days;
                scope.spawn(move || {
                    days.iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, (day, rows))| (i, write_partition(dir, *day, rows)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Result<bool, SignalTableError>)> = Vec::new();
        for h in handles {
            match h.join() {
                Ok(v) => all.extend(v),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut keep: Vec<String> = Vec::new();
    for ((day, _), outcome) in days.iter().zip(outcomes) {
        keep.push(format!("day={day}.parquet"));
        if outcome? {
            report.written.push(*day);
        } else {
            report.unchanged += 1;
        }
    }
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale_partition = name.starts_with("day=")
            && (name.ends_with(".jsonl") || (name.ends_with(".parquet") && !keep.contains(&name)));
        let stale_tmp = name.starts_with(".day=") && name.ends_with(".tmp");
        if stale_partition || stale_tmp {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_err(&path))?;
            report.removed.push(path);
        }
    }
    if !report.written.is_empty() || !report.removed.is_empty() {
        // Make the renames and removals durable too.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    tracing::debug!(
        dir = %dir.display(),
        written = report.written.len(),
        unchanged = report.unchanged,
        removed = report.removed.len(),
        "signal partitions"
    );
    Ok(report)
}

/// The `day=*.parquet` partitions of a signal directory, sorted; when it holds none but JSON Lines
/// partitions of an earlier version, the error saying why the table is empty.
pub(super) fn partitions(
    dir: &Path,
) -> Result<(Vec<PathBuf>, Vec<SignalTableError>), SignalTableError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut old_format = 0usize;
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let n = entry.file_name().to_string_lossy().into_owned();
        if n.starts_with("day=") && n.ends_with(".parquet") {
            files.push(entry.path());
        } else if n.starts_with("day=") && n.ends_with(".jsonl") {
            old_format += 1;
        }
    }
    files.sort();
    let bad = (files.is_empty() && old_format > 0)
        .then(|| SignalTableError::Schema {
            path: dir.display().to_string(),
            message: format!(
                "{old_format} JSON Lines partition(s) of an earlier version and no Parquet \
                 ones; the next scoring run (`jiance run`, or `jiance demo`) rewrites them"
            ),
        })
        .into_iter()
        .collect();
    Ok((files, bad))
}

/// One JSON Lines input line. Strings are owned: serde_json cannot borrow escaped strings.
#[derive(Deserialize)]
struct Line {
    time: Option<serde_json::Value>,
    category: Option<serde_json::Value>,
    hazard: Option<serde_json::Value>,
    severity: Option<serde_json::Value>,
    province: Option<serde_json::Value>,
    city: Option<serde_json::Value>,
    source: Option<serde_json::Value>,
    source_kind: Option<serde_json::Value>,
    kind: Option<serde_json::Value>,
    weight: Option<serde_json::Value>,
    cluster: Option<serde_json::Value>,
    doc: Option<serde_json::Value>,
    product: Option<serde_json::Value>,
}

/// A parsed JSON Lines row.
struct Row {
    time: DateTime<Utc>,
    category: String,
    hazard: String,
    severity: i8,
    province: Option<String>,
    city: Option<String>,
    source: String,
    channel: Channel,
    kind: Option<DocKind>,
    weight: f32,
    cluster: Option<String>,
    doc: Option<String>,
    product: Option<String>,
}

type FieldResult<T> = Result<T, (&'static str, String)>;

fn required_str(v: Option<serde_json::Value>, field: &'static str) -> FieldResult<String> {
    match v {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(serde_json::Value::String(_)) => Err((field, "empty".into())),
        None | Some(serde_json::Value::Null) => Err((field, "missing".into())),
        Some(other) => Err((field, format!("expected a string, got {other}"))),
    }
}

fn optional_str(v: Option<serde_json::Value>, field: &'static str) -> FieldResult<Option<String>> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err((field, format!("expected a string, got {other}"))),
    }
}

/// RFC 3339, or a date alone (noon Beijing time of that day).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let noon = d.and_time(NaiveTime::from_hms_opt(4, 0, 0)?);
    Some(Utc.from_utc_datetime(&noon))
}

fn parse_line(text: &str) -> FieldResult<Row> {
    let line: Line =
        serde_json::from_str(text).map_err(|e| ("(line)", format!("not a JSON object: {e}")))?;
    let time = match line.time {
        Some(serde_json::Value::String(s)) => parse_time(s.trim())
            .ok_or(("time", format!("`{s}` is neither RFC 3339 nor YYYY-MM-DD")))?,
        None | Some(serde_json::Value::Null) => return Err(("time", "missing".into())),
        Some(other) => return Err(("time", format!("expected a string, got {other}"))),
    };
    let category = required_str(line.category, "category")?;
    let hazard = required_str(line.hazard, "hazard")?;
    let severity = match line.severity {
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            // 1..=4, so the cast cannot wrap.
            Some(v @ 1..=4) => v as i8,
            _ => return Err(("severity", format!("must be an integer 1–4, got {n}"))),
        },
        None | Some(serde_json::Value::Null) => return Err(("severity", "missing".into())),
        Some(other) => return Err(("severity", format!("must be an integer 1–4, got {other}"))),
    };
    let province = optional_str(line.province, "province")?;
    let city = optional_str(line.city, "city")?;
    let source = required_str(line.source, "source")?;
    let kind_name = required_str(line.source_kind, "source_kind")?;
    let channel = Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == kind_name)
        .ok_or((
            "source_kind",
            format!("`{kind_name}` is not complaint, regulator, platform, media or standard"),
        ))?;
    let kind = match optional_str(line.kind, "kind")? {
        None => None,
        Some(k) => {
            Some(DocKind::parse(&k).ok_or(("kind", format!("`{k}` is not a document kind")))?)
        }
    };
    let weight = match line.weight {
        None | Some(serde_json::Value::Null) => 1.0,
        Some(serde_json::Value::Number(n)) => match n.as_f64() {
            // Stored as f32: a larger weight would become infinite and then count as nothing.
            Some(w) if w.is_finite() && w >= 0.0 && w <= f64::from(f32::MAX) => w as f32,
            _ => {
                return Err((
                    "weight",
                    format!("must be a number from 0 to {:e}, got {n}", f32::MAX),
                ));
            }
        },
        Some(other) => return Err(("weight", format!("must be a number ≥ 0, got {other}"))),
    };
    let cluster = optional_str(line.cluster, "cluster")?;
    let doc = optional_str(line.doc, "doc")?;
    let product = optional_str(line.product, "product")?;
    Ok(Row {
        time,
        category,
        hazard,
        severity,
        province,
        city,
        source,
        channel,
        kind,
        weight,
        cluster,
        doc,
        product,
    })
}

/// Read a JSON Lines file into the table (rows in file order) and the bad lines.
pub fn read_jsonl(path: &Path) -> Result<(SignalColumns, Vec<SignalTableError>), SignalTableError> {
    let file = File::open(path).map_err(io_err(path))?;
    let name = path.display().to_string();
    let short = path
        .file_name()
        .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
    let mut c = SignalColumns::default();
    let mut rows = 0usize;
    let mut bad = Vec::new();
    let mut reader = BufReader::new(file);
    let mut bytes = Vec::new();
    let mut line_no = 0usize;
    loop {
        bytes.clear();
        line_no += 1;
        // Bytes first: `read_line` would consume an undecodable line and lose the count.
        if reader.read_until(b'\n', &mut bytes).map_err(io_err(path))? == 0 {
            break;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            bad.push(SignalTableError::Field {
                file: name.clone(),
                line: line_no,
                field: "(line)".into(),
                message: "not UTF-8 (convert GBK / GB18030 exports to UTF-8)".into(),
            });
            continue;
        };
        let text = if line_no == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        match parse_line(trimmed) {
            Ok(r) => {
                let doc = r.doc.unwrap_or_else(|| format!("{short}:{line_no}"));
                c.time.push(r.time.timestamp_millis());
                c.day.push(epoch_days(china_day(r.time)));
                c.category.push(Some(&r.category));
                c.hazard.push(Some(&r.hazard));
                c.severity.push(r.severity);
                c.province.push(r.province.as_deref());
                c.city.push(r.city.as_deref());
                c.source.push(Some(&r.source));
                c.source_kind.push(Some(r.channel.as_str()));
                c.kind.push(r.kind.map(DocKind::as_str));
                c.weight.push(r.weight);
                c.cluster.push(Some(r.cluster.as_deref().unwrap_or(&doc)));
                c.doc.push(Some(&doc));
                c.product.push(r.product.as_deref());
                rows += 1;
            }
            Err((field, message)) => bad.push(SignalTableError::Field {
                file: name.clone(),
                line: line_no,
                field: field.into(),
                message,
            }),
        }
    }
    c.set_rows(rows);
    Ok((c, bad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Parties;
    use crate::store::columnar::StrCol;
    use crate::store::signal_read::{SignalSource, scan, scan_report};

    fn sig(doc: &str, h: u32, d: u32, province: Option<&str>) -> Signal {
        Signal {
            doc_id: doc.into(),
            time: Utc.with_ymd_and_hms(2026, 3, d, h, 30, 0).unwrap(),
            category: "电动自行车".into(),
            hazard: "火灾".into(),
            severity: 4,
            province: province.map(Into::into),
            city: province.map(|_| "杭州市".into()),
            source: "12315平台".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 0.8,
            cluster: if doc == "b" {
                String::new()
            } else {
                "k1".into()
            },
            parties: Parties::default(),
            product: None,
        }
    }

    fn three() -> Vec<Signal> {
        vec![
            sig("a", 9, 5, Some("浙江省")),
            // 17:30 UTC on the 5th is 01:30 on the 6th in Beijing.
            sig("b", 17, 5, None),
            sig("c", 2, 6, Some("全国")),
        ]
    }

    #[test]
    fn the_table_has_the_documented_values() {
        let t = to_table(&three());
        assert_eq!(t.len(), 3);
        let days: Vec<NaiveDate> = t.day.iter().map(|&d| from_epoch_days(d)).collect();
        assert_eq!(
            days,
            [5, 6, 6].map(|d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
        );
        assert_eq!(t.cluster.get(1), Some("b"), "empty cluster → the doc");
        assert_eq!(t.province.iter().filter(Option::is_none).count(), 1);
        assert_eq!(t.source_kind.get(0), Some("complaint"));
    }

    #[test]
    fn partitions_are_per_day_byte_deterministic_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let signals = three();
        std::fs::write(dir.path().join("day=2026-03-01.jsonl"), "{}\n").unwrap();
        let r = write_partitions(dir.path(), &signals).unwrap();
        assert_eq!(r.written.len(), 2);
        assert_eq!(r.removed.len(), 1, "old jsonl partition removed");
        let p5 = dir.path().join("day=2026-03-05.parquet");
        let p6 = dir.path().join("day=2026-03-06.parquet");
        let (b5, b6) = (std::fs::read(&p5).unwrap(), std::fs::read(&p6).unwrap());

        // The same signals in another order: the same bytes, nothing rewritten.
        let mut shuffled = signals.clone();
        shuffled.reverse();
        let r = write_partitions(dir.path(), &shuffled).unwrap();
        assert!(r.written.is_empty() && r.removed.is_empty(), "{r:?}");
        assert_eq!(r.unchanged, 2);
        assert_eq!(std::fs::read(&p5).unwrap(), b5);

        // Written elsewhere from scratch: identical bytes (no timestamps or random ids).
        let other = tempfile::tempdir().unwrap();
        write_partitions(other.path(), &shuffled).unwrap();
        assert_eq!(
            std::fs::read(other.path().join("day=2026-03-06.parquet")).unwrap(),
            b6
        );

        // The 5th's signal is gone: its partition goes too.
        let r = write_partitions(dir.path(), &signals[1..]).unwrap();
        assert_eq!(r.removed, std::slice::from_ref(&p5));
        assert!(!p5.exists() && p6.exists());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["day=2026-03-06.parquet"], "no temp files left");
    }

    #[test]
    fn partitions_scan_back_to_the_same_table() {
        let dir = tempfile::tempdir().unwrap();
        let signals = three();
        write_partitions(dir.path(), &signals).unwrap();
        let back = scan(dir.path()).unwrap();
        let want = to_table(&signals);
        // Partitions are sorted by day, then time: here the input order already is.
        assert_eq!(back, want);
        // A single file scans too.
        let one = scan(&dir.path().join("day=2026-03-06.parquet")).unwrap();
        assert_eq!(one, want.slice(1, 2));
        // An empty directory is an empty table.
        let empty = tempfile::tempdir().unwrap();
        assert!(scan(empty.path()).unwrap().is_empty());
    }

    /// Regression (issue 16, 7): one corrupt partition failed the scan naming only the
    /// directory, and its Parquet error was printed twice in a cause chain.
    #[test]
    fn a_damaged_partition_is_named_by_its_file() {
        let dir = tempfile::tempdir().unwrap();
        write_partitions(dir.path(), &three()).unwrap();
        let victim = dir.path().join("day=2026-03-06.parquet");
        let mut raw = std::fs::read(&victim).unwrap();
        raw.truncate(raw.len() / 2);
        std::fs::write(&victim, &raw).unwrap();
        let Err(e) = scan(dir.path()) else {
            panic!("a damaged partition must fail the scan")
        };
        let msg = e.to_string();
        assert!(
            msg.contains("day=2026-03-06.parquet") && msg.contains("damaged"),
            "{msg}"
        );
        assert!(
            std::error::Error::source(&e).is_none(),
            "no second copy in a cause chain"
        );
    }

    /// Regression: a GBK line was reported and then the line after it, valid or not, was thrown
    /// away unreported, shifting every later line number. A BOM must not spoil line 1 either.
    #[test]
    fn a_line_that_is_not_utf8_is_reported_alone_and_a_bom_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.jsonl");
        let good = |day: u32| {
            format!(
                r#"{{"time":"2026-03-{day:02}","category":"电动自行车","hazard":"火灾","severity":3,"province":"浙江省","source":"x","source_kind":"complaint"}}"#
            )
        };
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend(good(1).as_bytes());
        bytes.push(b'\n');
        // "电动车" in GBK, not UTF-8.
        bytes.extend(b"{\"category\":\"\xb5\xe7\xb6\xaf\xb3\xb5\"}\n");
        bytes.extend(good(2).as_bytes());
        bytes.push(b'\n');
        bytes.extend(b"not json\n");
        // A weight beyond f32 would be stored as infinity and count as nothing.
        bytes.extend(good(3).replace("}", r#","weight":1e300}"#).as_bytes());
        bytes.push(b'\n');
        std::fs::write(&path, bytes).unwrap();
        let s = scan_report(&path).unwrap();
        assert_eq!(s.table.len(), 2, "lines 1 and 3 are read");
        let lines: Vec<usize> = s
            .bad
            .iter()
            .map(|e| match e {
                SignalTableError::Field { line, .. } => *line,
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(lines, [2, 4, 5]);
        assert!(s.bad[0].to_string().contains("not UTF-8"), "{}", s.bad[0]);
    }

    /// A Parquet file from another writer is held to what JSON Lines input checks line by line:
    /// an unknown channel or a null required value is counted and skipped (scoring weighed an
    /// unknown channel 0 without a word), and an empty cluster is the document's own.
    #[test]
    fn foreign_parquet_rows_are_checked_like_json_lines() {
        let signals = vec![
            sig("a", 9, 5, Some("浙江省")),
            sig("b", 9, 5, Some("浙江省")),
            sig("c", 9, 6, Some("浙江省")),
            sig("d", 9, 6, Some("浙江省")),
        ];
        let mut t = to_table(&signals);
        t.source_kind = t
            .source_kind
            .iter()
            .zip(t.doc.iter())
            .map(|(k, d)| if d == Some("c") { Some("论坛") } else { k })
            .collect();
        t.category = t
            .category
            .iter()
            .zip(t.doc.iter())
            .map(|(c, d)| if d == Some("d") { None } else { c })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.parquet");
        std::fs::write(&path, t.to_parquet().unwrap()).unwrap();
        let s = scan_report(&path).unwrap();
        assert_eq!(s.bad.len(), 1);
        assert!(
            s.bad[0].to_string().contains("2 row(s) skipped"),
            "{}",
            s.bad[0]
        );
        let out = s.table;
        let strings =
            |c: &StrCol| -> Vec<String> { c.iter().flatten().map(str::to_string).collect() };
        assert_eq!(strings(&out.doc), ["a", "b"]);
        assert_eq!(
            strings(&out.cluster),
            ["k1", "b"],
            "an empty cluster is the document's own"
        );
    }

    /// Unclassified signals with their nouns: 筋膜枪 twice (two documents), 暖宫贴 once.
    fn with_products() -> Vec<Signal> {
        let mut out = three();
        for (s, p) in out.iter_mut().zip([Some("筋膜枪"), None, Some("暖宫贴")]) {
            if let Some(p) = p {
                s.category = "未归类".into();
                s.product = Some(p.into());
            }
        }
        let mut again = sig("d", 3, 6, Some("浙江省"));
        again.category = "未归类".into();
        again.product = Some("筋膜枪".into());
        out.push(again);
        out
    }

    fn products(t: &SignalColumns) -> Vec<Option<&str>> {
        t.product.iter().collect()
    }

    #[test]
    fn product_nouns_survive_partitions_and_are_read_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let signals = with_products();
        write_partitions(dir.path(), &signals).unwrap();
        let back = scan(dir.path()).unwrap();
        let mut want = signals.clone();
        want.sort_by(|a, b| a.day().cmp(&b.day()).then_with(|| row_order(a, b)));
        assert_eq!(back, to_table(&want));
        assert_eq!(
            products(&back),
            want.iter()
                .map(|s| s.product.as_deref())
                .collect::<Vec<_>>()
        );
        assert_eq!(back.product.iter().flatten().count(), 3);
        // A pass that does not ask for it (scoring) does not decode it.
        let source = SignalSource::open(dir.path()).unwrap();
        let (t, _) = source.read(1, &["day", "cluster"]).unwrap();
        assert!(t.product.is_empty());
        let r = source.read_counted(1, &["doc", PRODUCT]).unwrap();
        assert_eq!(r.table.product.len(), r.table.len());
        assert_eq!(r.bad_products, 0);
    }

    /// A partition written before the column existed: every row read, the product null, nothing
    /// counted as bad.
    #[test]
    fn a_partition_without_the_product_column_reads_it_as_null() {
        use crate::store::columnar::{Col, write_table};
        let t = to_table(&with_products());
        let cols: Vec<(&str, Col<'_>)> = vec![
            ("time", Col::TimestampMs(&t.time)),
            ("day", Col::Date(&t.day)),
            ("category", Col::Str(&t.category)),
            ("hazard", Col::Str(&t.hazard)),
            ("severity", Col::Int8(&t.severity)),
            ("province", Col::Str(&t.province)),
            ("city", Col::Str(&t.city)),
            ("source", Col::Str(&t.source)),
            ("source_kind", Col::Str(&t.source_kind)),
            ("kind", Col::Str(&t.kind)),
            ("weight", Col::Float32(&t.weight)),
            ("cluster", Col::Str(&t.cluster)),
            ("doc", Col::Str(&t.doc)),
        ];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("day=2026-03-05.parquet"),
            write_table(&cols).unwrap(),
        )
        .unwrap();
        let s = scan_report(dir.path()).unwrap();
        assert!(
            s.bad.is_empty(),
            "{:?}",
            s.bad.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(s.table.len(), 4);
        assert_eq!(products(&s.table), [None, None, None, None]);
        let mut old = t.clone();
        old.product = (0..4).map(|_| None).collect();
        assert_eq!(s.table, old, "every other column as written");
    }

    /// Values that are no noun (blank, too long, control characters) are nulled and counted;
    /// the rows stay for every other use.
    #[test]
    fn a_bad_product_value_is_counted_and_its_row_kept() {
        let mut signals = with_products();
        let long = "超长名称".repeat(9);
        for (s, bad) in signals.iter_mut().zip(["   ", &long, "暖\u{7}宫贴"]) {
            s.category = "未归类".into();
            s.product = Some(bad.to_string());
        }
        let dir = tempfile::tempdir().unwrap();
        write_partitions(dir.path(), &signals).unwrap();
        let s = scan_report(dir.path()).unwrap();
        assert_eq!(s.table.len(), 4, "no row lost");
        assert_eq!(products(&s.table).iter().flatten().count(), 1);
        assert!(products(&s.table).contains(&Some("筋膜枪")));
        assert_eq!(s.bad.len(), 1);
        let msg = s.bad[0].to_string();
        assert!(msg.contains("3 product value(s)"), "{msg}");
        // the same from an in-memory table
        let source = SignalSource::from_table(to_table(&signals), "mem");
        let r = source.read_counted(0, &[PRODUCT]).unwrap();
        assert_eq!((r.table.len(), r.bad_products), (4, 3));
    }

    #[test]
    fn jsonl_input_reads_a_product_and_refuses_one_that_is_not_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jsonl");
        let line = |product: &str| {
            format!(
                r#"{{"time":"2026-03-05","category":"未归类","hazard":"烫伤/烧伤","severity":2,"source":"x","source_kind":"complaint"{product}}}"#
            )
        };
        let text = [
            line(r#","product":"暖宫贴""#),
            line(""),
            line(r#","product":7"#),
        ]
        .join("\n");
        std::fs::write(&path, text).unwrap();
        let s = scan_report(&path).unwrap();
        assert_eq!(products(&s.table), [Some("暖宫贴"), None]);
        assert_eq!(s.bad.len(), 1);
        assert!(
            matches!(&s.bad[0], SignalTableError::Field { line: 3, field, .. } if field == "product"),
            "{}",
            s.bad[0]
        );
    }

    #[test]
    fn a_directory_of_old_jsonl_partitions_says_why_it_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("day=2026-03-01.jsonl"), "{}\n").unwrap();
        let s = scan_report(dir.path()).unwrap();
        assert!(s.table.is_empty());
        assert_eq!(s.bad.len(), 1);
        assert!(
            s.bad[0].to_string().contains("earlier version"),
            "{}",
            s.bad[0]
        );
        std::fs::remove_file(dir.path().join("day=2026-03-01.jsonl")).unwrap();
        assert!(scan_report(dir.path()).unwrap().bad.is_empty());
    }

    #[test]
    fn jsonl_input_reads_defaults_and_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let text = [
            r#"{"time":"2026-03-05T09:30:00Z","category":"电动自行车","hazard":"火灾","severity":4,"province":"浙江省","city":"杭州市","source":"12315平台","source_kind":"complaint","cluster":"k1","doc":"a","weight":0.8}"#,
            r#"{"time":"2026-03-06","category":"电动自行车","hazard":"火灾","severity":3,"province":"浙江省","source":"澎湃新闻","source_kind":"media"}"#,
            "",
            r#"{"time":"2026-03-06","category":"电动自行车","hazard":"火灾","severity":7,"province":"浙江省","source":"x","source_kind":"media"}"#,
            r#"{"time":"yesterday","category":"电动自行车","hazard":"火灾","severity":3,"source":"x","source_kind":"media"}"#,
            r#"{"time":"2026-03-06","category":"电动自行车","hazard":"火灾","severity":3,"source":"x","source_kind":"forum"}"#,
            "not json",
            r#"{"time":"2026-03-07","category":"电动自行车","hazard":"火灾","severity":2,"province":null,"source":"y","source_kind":"platform","kind":"listing"}"#,
        ]
        .join("\n");
        std::fs::write(&path, text).unwrap();
        let s = scan_report(&path).unwrap();
        let t = s.table;
        assert_eq!(t.len(), 3);
        let fields: Vec<(usize, String)> = s
            .bad
            .iter()
            .map(|e| match e {
                SignalTableError::Field { line, field, .. } => (*line, field.clone()),
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(
            fields,
            [
                (4, "severity".to_string()),
                (5, "time".to_string()),
                (6, "source_kind".to_string()),
                (7, "(line)".to_string())
            ]
        );
        let msg = s.bad[0].to_string();
        assert!(
            msg.contains("in.jsonl:4") && msg.contains("severity"),
            "{msg}"
        );
        assert_eq!(t.doc.get(1), Some("in.jsonl:2"));
        assert_eq!(
            t.cluster.get(1),
            Some("in.jsonl:2"),
            "no cluster → counts once"
        );
        assert_eq!(t.weight[1], 1.0);
        assert_eq!(
            from_epoch_days(t.day[1]),
            NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(),
            "a date alone stays that Beijing day"
        );
        assert_eq!(t.province.iter().filter(Option::is_none).count(), 1);
    }
}
