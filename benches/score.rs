//! `jiance score --signals DIR` as a user runs it, from Parquet partitions: the whole process
//! (start-up, reading, aggregation, scoring, output), its wall time and its peak memory (GNU
//! time's `%M`, else the child's `ru_maxrss`, which on Linux includes this process's), median of `JIANCE_BENCH_RUNS` runs (default 3).
//!
//! Cases: 1, 5 and 10 million generated signals over 90 days scored as of the last day, and
//! `--daily` over a year of 1 million. The tables are written once as `day=YYYY-MM-DD.parquet`
//! partitions under `target/bench-data/` and reused. `JIANCE_SCORE_BIN` names another binary
//! to measure (an older build, for before / after figures); `JIANCE_BENCH_CASES` a comma-separated
//! subset (`1M,5M,10M,daily`). Wall time on a shared machine varies with its load; the peak memory
//! does not.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use jiance::model::PROVINCES;
use jiance::store::columnar::{SignalColumns, StrCol};
use jiance::store::signals::epoch_days;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CATEGORIES: [&str; 30] = [
    "电动自行车",
    "电动自行车用蓄电池",
    "移动电源",
    "电热水壶",
    "玩具",
    "磁性玩具",
    "童车",
    "儿童及婴幼儿服装",
    "电热毯",
    "家用燃气灶具",
    "插头插座",
    "头盔",
    "服装",
    "电风扇",
    "学生文具",
    "床上用品",
    "电线电缆",
    "汽车轮胎",
    "塑料餐饮具",
    "吸油烟机",
    "电暖器",
    "燃气热水器",
    "儿童安全座椅",
    "婴儿床",
    "电饭锅",
    "微波炉",
    "洗衣机",
    "平衡车",
    "滑板车",
    "化妆品",
];
const HAZARDS: [&str; 6] = ["火灾", "爆炸", "触电", "窒息", "化学危害", "机械伤害"];
const SOURCES: [(&str, &str, &str, f32); 6] = [
    ("12315平台", "complaint", "complaint", 0.8),
    ("黑猫投诉", "complaint", "complaint", 0.6),
    ("澎湃新闻", "media", "media", 0.9),
    ("电商评价", "platform", "listing", 0.5),
    ("电商平台抽检公示", "platform", "inspection", 0.9),
    ("省市场监管局", "regulator", "notice", 1.0),
];

/// `n` signals over `days` days, a tenth of them reposts of an earlier story; documents and
/// clusters carry ids shaped like the analyzer's (16 hex digits).
fn table(n: usize, days: i64, seed: u64) -> SignalColumns {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (mut time, mut day) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut cat, mut haz, mut prov, mut src) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut sev, mut cluster) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let d = rng.random_range(0..days);
        let date = start + chrono::Duration::days(d);
        let t = Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap())
            + chrono::Duration::seconds(rng.random_range(0..40_000));
        time.push(t.timestamp_millis());
        day.push(epoch_days(date));
        cat.push(rng.random_range(0..CATEGORIES.len()) as u8);
        haz.push(rng.random_range(0..HAZARDS.len()) as u8);
        prov.push(rng.random_range(0..=PROVINCES.len()) as u8);
        src.push(rng.random_range(0..SOURCES.len()) as u8);
        sev.push(rng.random_range(1..=4) as i8);
        let c = if i > 0 && rng.random_bool(0.1) {
            rng.random_range(0..i) as u64
        } else {
            i as u64
        };
        // Spread over 64 bits so the ids below are 16 hex digits, like real ones.
        cluster.push(c.wrapping_mul(0x9E37_79B9_7F4A_7C15) | (1 << 63));
    }
    let strings = |idx: &[u8], names: &[&str]| -> StrCol {
        idx.iter().map(|&i| Some(names[i as usize])).collect()
    };
    let numbers = |v: &[u64]| -> StrCol {
        let text: Vec<String> = v.iter().map(u64::to_string).collect();
        text.iter().map(|s| Some(s.as_str())).collect()
    };
    let source_names: Vec<&str> = SOURCES.iter().map(|s| s.0).collect();
    let channels: Vec<&str> = SOURCES.iter().map(|s| s.1).collect();
    let kinds: Vec<&str> = SOURCES.iter().map(|s| s.2).collect();
    let weights: Vec<f32> = src.iter().map(|&s| SOURCES[s as usize].3).collect();
    // The 31 provinces plus nationwide reports.
    let provinces: Vec<&str> = PROVINCES.iter().copied().chain(["全国"]).collect();
    let docs: Vec<u64> = (0..n as u64)
        .map(|i| i.wrapping_mul(0xD1B5_4A32_D192_ED03) | (1 << 63))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (day[i], time[i]));
    let mut t = SignalColumns::with_rows(n);
    t.time = time;
    t.day = day;
    t.category = strings(&cat, &CATEGORIES);
    t.hazard = strings(&haz, &HAZARDS);
    t.severity = sev;
    t.province = strings(&prov, &provinces);
    t.city = (0..n).map(|_| None).collect();
    t.source = strings(&src, &source_names);
    t.source_kind = strings(&src, &channels);
    t.kind = strings(&src, &kinds);
    t.weight = weights;
    t.cluster = numbers(&cluster);
    t.doc = numbers(&docs);
    t.take(&order)
}

/// The partitions of `n` signals over `days` days (written once, then reused).
fn partitions(n: usize, days: i64, seed: u64) -> PathBuf {
    let root = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = root
        .join("bench-data")
        .join(format!("score-v2-{n}-{days}d-{seed}"));
    if dir.join("complete").exists() {
        return dir;
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let t = table(n, days, seed);
    let mut i = 0usize;
    while i < t.len() {
        let d = t.day[i];
        let mut j = i;
        while j < t.len() && t.day[j] == d {
            j += 1;
        }
        let part = t.slice(i, j - i);
        let date = jiance::store::signals::from_epoch_days(d);
        std::fs::write(
            dir.join(format!("day={date}.parquet")),
            part.to_parquet().unwrap(),
        )
        .unwrap();
        i = j;
    }
    std::fs::write(dir.join("complete"), b"").unwrap();
    eprintln!(
        "wrote {n} signals over {days} days to {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}

/// One run of the binary: wall seconds and the child's peak resident memory in MB.
// The child is reaped by `wait4` (which gives its own resource usage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_once(bin: &Path, args: &[&str]) -> (f64, f64, usize) {
    // The child's ru_maxrss would include this process's memory (Linux counts the pre-exec image
    // in it), so GNU time, a small process of its own, measures the binary when it is there.
    let rss_file = std::env::temp_dir().join(format!("jiance-bench-rss-{}", std::process::id()));
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let started = Instant::now();
    let child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let pid = child.id() as libc::pid_t;
    // Read the output on a thread, then reap this child alone with its own resource usage.
    let mut stdout = child.stdout.unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped; both pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{} {args:?} failed ({status})",
        bin.display()
    );
    let out = reader.join().unwrap();
    let kb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|_| timed)
        .unwrap_or(usage.ru_maxrss as f64);
    let _ = std::fs::remove_file(&rss_file);
    (secs, kb / 1024.0, out.len())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes harness flags (--bench); nothing here takes any.
    let bin = std::env::var_os("JIANCE_SCORE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_jiance")));
    let runs: usize = std::env::var("JIANCE_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let cases = std::env::var("JIANCE_BENCH_CASES").unwrap_or_else(|_| "1M,5M,10M,daily".into());
    println!("binary: {}", bin.display());
    println!(
        "{:<34} {:>6} {:>11} {:>11} {:>9}",
        "case", "runs", "median s", "peak MB", "out bytes"
    );
    for case in cases.split(',').map(str::trim) {
        let (label, dir, daily) = match case {
            "1M" => ("1M signals, 90 days", partitions(1_000_000, 90, 2), false),
            "5M" => ("5M signals, 90 days", partitions(5_000_000, 90, 3), false),
            "10M" => ("10M signals, 90 days", partitions(10_000_000, 90, 1), false),
            "daily" => (
                "--daily, 1M signals over 365 days",
                partitions(1_000_000, 365, 4),
                true,
            ),
            other => panic!("unknown case {other:?} (1M, 5M, 10M, daily)"),
        };
        let dir = dir.display().to_string();
        let mut args = vec!["score", "--signals", dir.as_str(), "--json"];
        if daily {
            args.push("--daily");
        }
        let (mut secs, mut mb, mut out) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let (s, m, o) = run_once(&bin, &args);
            secs.push(s);
            mb.push(m);
            out = o;
        }
        println!(
            "{label:<34} {runs:>6} {:>11.2} {:>11.0} {out:>9}",
            median(secs),
            median(mb)
        );
    }
}
