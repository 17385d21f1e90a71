//! Scoring 10 million generated signals from the signal table (polars aggregation, no `Signal` per
//! row): one timed run with its peak memory (VmHWM of /proc/self/status, which includes the
//! generated table itself), then criterion on 1 million for a steadier figure.

use std::collections::HashSet;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jiance::model::PROVINCES;
use jiance::score::{self, FrameInput, ScoringRules};
use jiance::store::signals::{epoch_days, time_columns, with_numbered_ids};
use polars::prelude::*;
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
const DAYS: i64 = 90;

/// `n` signals over 90 days, a tenth of them reposts of an earlier story.
fn table(n: usize, seed: u64) -> DataFrame {
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
        let d = rng.random_range(0..DAYS);
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
        cluster.push(c);
    }
    let strings = |name: &str, idx: &[u8], names: &[&str]| -> Column {
        StringChunked::from_iter_values(name.into(), idx.iter().map(|&i| names[i as usize]))
            .into_series()
            .into()
    };
    let source_names: Vec<&str> = SOURCES.iter().map(|s| s.0).collect();
    let channels: Vec<&str> = SOURCES.iter().map(|s| s.1).collect();
    let kinds: Vec<&str> = SOURCES.iter().map(|s| s.2).collect();
    let weights: Vec<f32> = src.iter().map(|&s| SOURCES[s as usize].3).collect();
    // The 31 provinces plus nationwide reports.
    let provinces: Vec<&str> = PROVINCES.iter().copied().chain(["全国"]).collect();
    let [t, d] = time_columns(time, day);
    let cols: Vec<Column> = vec![
        t,
        d,
        strings("category", &cat, &CATEGORIES),
        strings("hazard", &haz, &HAZARDS),
        Column::new("severity".into(), sev),
        strings("province", &prov, &provinces),
        Column::full_null("city".into(), n, &DataType::String),
        strings("source", &src, &source_names),
        strings("source_kind", &src, &channels),
        strings("kind", &src, &kinds),
        Column::new("weight".into(), weights),
        Column::new("cluster_n".into(), cluster),
    ];
    let df = DataFrame::new(n, cols).unwrap();
    with_numbered_ids(df.lazy().with_row_index("doc_n", None))
        .collect()
        .unwrap()
}

fn score_once(rules: &ScoringRules, df: &DataFrame) -> usize {
    let sampled = HashSet::new();
    let items = |h: &str| vec![format!("{h}检测")];
    let out = score::score_frame(
        rules,
        df.clone().lazy(),
        &FrameInput {
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(DAYS - 1),
            sampled: &sampled,
            test_items: &items,
            previous: &[],
            inspections: &[],
            outages: &[],
        },
    )
    .unwrap();
    out.alerts.len() + out.dismissed.len()
}

fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench(c: &mut Criterion) {
    let rules = ScoringRules::load(None).unwrap();
    {
        let started = Instant::now();
        let df = table(10_000_000, 1);
        let generated = started.elapsed().as_secs_f64();
        let before = peak_mb().unwrap_or(0.0);
        let started = Instant::now();
        let n = score_once(&rules, &df);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "score/10M: generated in {generated:.1} s (peak {before:.0} MB); scored in {secs:.2} s, \
             {n} alert and record cells; peak memory (VmHWM) {:.0} MB",
            peak_mb().unwrap_or(0.0)
        );
    }
    let df = table(1_000_000, 2);
    let mut g = c.benchmark_group("score");
    g.sample_size(10);
    g.bench_function("1M signals, 90 days, 30 × 32 cells", |b| {
        b.iter(|| score_once(&rules, &df))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
