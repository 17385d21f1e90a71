//! The simulation test of issue 6: a year of background signals for 30 categories × 31 provinces
//! with weekday effects, over-dispersion and reposts; regional outbreaks (one province, 2–5× its
//! rate for 3–10 days) and systemic ones (8–12 provinces) injected; the day-by-day replay must
//! find them early, with the right scope, and stay quiet on the background alone.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
pub use crate::model::PROVINCES;
use crate::store::signals::epoch_days;

/// (category, hazard, severity): 30 categories.
pub const CATEGORIES: [(&str, &str, u8); 30] = [
    ("电动自行车", "火灾", 4),
    ("电动自行车用蓄电池", "爆炸", 4),
    ("移动电源", "火灾", 4),
    ("电热水壶", "烫伤/烧伤", 3),
    ("玩具", "窒息", 4),
    ("磁性玩具", "误吞", 4),
    ("童车", "跌落/倾倒", 3),
    ("儿童及婴幼儿服装", "化学危害", 3),
    ("电热毯", "触电", 4),
    ("家用燃气灶具", "中毒", 4),
    ("插头插座", "触电", 4),
    ("头盔", "机械伤害", 3),
    ("服装", "非安全质量", 2),
    ("电风扇", "功能失效", 3),
    ("学生文具", "化学危害", 3),
    ("床上用品", "化学危害", 3),
    ("电线电缆", "火灾", 4),
    ("汽车轮胎", "交通事故/失控", 4),
    ("塑料餐饮具", "化学危害", 3),
    ("吸油烟机", "功能失效", 3),
    ("电暖器", "火灾", 4),
    ("燃气热水器", "中毒", 4),
    ("儿童安全座椅", "机械伤害", 4),
    ("婴儿床", "窒息", 4),
    ("电饭锅", "烫伤/烧伤", 3),
    ("微波炉", "辐射", 3),
    ("洗衣机", "机械伤害", 3),
    ("平衡车", "火灾", 4),
    ("滑板车", "跌落/倾倒", 3),
    ("化妆品", "过敏", 3),
];

/// (source, channel, kind, weight)
const SOURCES: [(&str, &str, &str, f32); 8] = [
    ("12315平台", "complaint", "complaint", 0.8),
    ("黑猫投诉", "complaint", "complaint", 0.6),
    ("消费保", "complaint", "complaint", 0.6),
    ("澎湃新闻", "media", "media", 0.9),
    ("地方晚报", "media", "media", 0.7),
    ("电商评价", "platform", "listing", 0.5),
    ("电商平台抽检公示", "platform", "inspection", 0.9),
    ("省市场监管局", "regulator", "notice", 1.0),
];
/// Channel mix of background signals: complaints dominate.
const SOURCE_ODDS: [u32; 8] = [30, 15, 10, 10, 10, 15, 5, 5];

/// Monday first: complaints are filed on Mondays for the weekend, few at weekends.
const WEEKDAY: [f64; 7] = [1.25, 1.1, 1.05, 1.05, 1.0, 0.8, 0.75];

pub const DAYS: i64 = 365;

pub fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
}

/// Poisson draw (Knuth; rates here are small).
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        // Normal approximation for large rates.
        let u: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
        return (lambda + u * lambda.sqrt()).round().max(0.0) as u32;
    }
    let l = (-lambda).exp();
    let (mut k, mut p) = (0u32, 1.0f64);
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// An injected outbreak.
#[derive(Debug, Clone)]
pub struct Outbreak {
    pub category: usize,
    pub provinces: Vec<usize>,
    pub start: i64,
    pub days: i64,
    pub factor: f64,
}

impl Outbreak {
    pub fn systemic(&self) -> bool {
        self.provinces.len() > 1
    }
}

/// Column vectors of a synthetic signal table.
#[derive(Default)]
pub struct Gen {
    time: Vec<i64>,
    day: Vec<i32>,
    category: Vec<&'static str>,
    hazard: Vec<&'static str>,
    severity: Vec<i8>,
    province: Vec<&'static str>,
    city: Vec<Option<&'static str>>,
    source: Vec<&'static str>,
    source_kind: Vec<&'static str>,
    kind: Vec<&'static str>,
    weight: Vec<f32>,
    cluster: Vec<u64>,
    doc: Vec<u64>,
}

const CITIES: [&str; 4] = ["甲市", "乙市", "丙市", "丁市"];

impl Gen {
    pub fn rows(&self) -> usize {
        self.time.len()
    }

    /// One story (and, a tenth of the time, 1–3 reposts from other sources).
    fn story(&mut self, rng: &mut ChaCha8Rng, c: usize, p: usize, d: i64, hot: bool) {
        let (category, hazard, sev) = CATEGORIES[c];
        let pick = |rng: &mut ChaCha8Rng| {
            let total: u32 = SOURCE_ODDS.iter().sum();
            let mut x = rng.random_range(0..total);
            for (i, &o) in SOURCE_ODDS.iter().enumerate() {
                if x < o {
                    return i;
                }
                x -= o;
            }
            0
        };
        let cluster = self.doc.len() as u64;
        let copies = if rng.random_bool(0.1) {
            1 + rng.random_range(1..4)
        } else {
            1
        };
        let date = day0() + chrono::Duration::days(d);
        for _ in 0..copies {
            // Outbreak reports come from all over the province; so does the background.
            let s = if hot {
                rng.random_range(0..SOURCES.len())
            } else {
                pick(rng)
            };
            let (source, channel, kind, weight) = SOURCES[s];
            let secs = rng.random_range(0..86_400);
            let t = Utc.from_utc_datetime(&(date.and_hms_opt(0, 0, 0).unwrap_or_default()))
                - chrono::Duration::hours(8)
                + chrono::Duration::seconds(secs);
            self.time.push(t.timestamp_millis());
            self.day.push(epoch_days(date));
            self.category.push(category);
            self.hazard.push(hazard);
            self.severity.push(sev as i8);
            self.province.push(PROVINCES[p]);
            self.city
                .push(Some(CITIES[rng.random_range(0..CITIES.len())]));
            self.source.push(source);
            self.source_kind.push(channel);
            self.kind.push(kind);
            self.weight.push(weight);
            self.cluster.push(cluster);
            self.doc.push(self.doc.len() as u64);
        }
    }

    pub fn frame(self) -> LazyFrame {
        let height = self.time.len();
        let [time, day] = crate::store::signals::time_columns(self.time, self.day);
        let cols: Vec<Column> = vec![
            time,
            day,
            Column::new("category".into(), self.category),
            Column::new("hazard".into(), self.hazard),
            Column::new("severity".into(), self.severity),
            Column::new("province".into(), self.province),
            Column::new("city".into(), self.city),
            Column::new("source".into(), self.source),
            Column::new("source_kind".into(), self.source_kind),
            Column::new("kind".into(), self.kind),
            Column::new("weight".into(), self.weight),
            Column::new("cluster_n".into(), self.cluster),
            Column::new("doc_n".into(), self.doc),
        ];
        let df = DataFrame::new(height, cols).expect("the simulated columns have one length");
        crate::store::signals::with_numbered_ids(df.lazy())
    }
}

/// Per (category, province) daily rate: most cells see a few signals a day.
pub fn rates(rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    (0..CATEGORIES.len())
        .map(|_| {
            let category: f64 = rng.random_range(2.0..6.0);
            (0..PROVINCES.len())
                .map(|_| category * rng.random_range(0.5..1.5))
                .collect()
        })
        .collect()
}

/// A year of background (and the outbreaks on top of it).
pub fn generate(rng: &mut ChaCha8Rng, rates: &[Vec<f64>], outbreaks: &[Outbreak]) -> Gen {
    let mut g = Gen::default();
    // (category, province, day) → outbreak factor
    let mut hot: HashMap<(usize, usize, i64), f64> = HashMap::new();
    for o in outbreaks {
        for &p in &o.provinces {
            for d in o.start..o.start + o.days {
                hot.insert((o.category, p, d), o.factor);
            }
        }
    }
    for d in 0..DAYS {
        let date = day0() + chrono::Duration::days(d);
        let wd = WEEKDAY[date.weekday().num_days_from_monday() as usize];
        for (c, row) in rates.iter().enumerate() {
            // A news cycle moves a whole category a little from day to day (over-dispersion).
            let cycle: f64 = rng.random_range(0.8..1.2);
            for (p, &rate) in row.iter().enumerate() {
                let noise: f64 = rng.random_range(0.75..1.25);
                let lambda = rate * wd * cycle * noise;
                for _ in 0..poisson(rng, lambda) {
                    g.story(rng, c, p, d, false);
                }
                if let Some(f) = hot.get(&(c, p, d)) {
                    for _ in 0..poisson(rng, rate * wd * (f - 1.0)) {
                        g.story(rng, c, p, d, true);
                    }
                }
            }
        }
    }
    g
}

/// 40 regional and 10 systemic outbreaks, after the first two months (the baseline's warm-up),
/// never two in one category at once.
pub fn outbreaks(rng: &mut ChaCha8Rng) -> Vec<Outbreak> {
    let mut out: Vec<Outbreak> = Vec::new();
    let mut tries = 0;
    while out.len() < 50 && tries < 10_000 {
        tries += 1;
        let systemic = out.len() >= 40;
        let category = rng.random_range(0..CATEGORIES.len());
        let days = rng.random_range(3..=10);
        let start = rng.random_range(60..DAYS - 12);
        // Leave the category's window and baseline clear of another outbreak.
        if out
            .iter()
            .any(|o| o.category == category && (o.start - start).abs() < 50)
        {
            continue;
        }
        let provinces: Vec<usize> = if systemic {
            let n = rng.random_range(8..=12);
            let mut all: Vec<usize> = (0..PROVINCES.len()).collect();
            let mut chosen = Vec::new();
            for _ in 0..n {
                let i = rng.random_range(0..all.len());
                chosen.push(all.swap_remove(i));
            }
            chosen
        } else {
            vec![rng.random_range(0..PROVINCES.len())]
        };
        out.push(Outbreak {
            category,
            provinces,
            start,
            days,
            factor: rng.random_range(2.0..=5.0),
        });
    }
    out
}

/// What the replay made of each outbreak.
#[derive(Debug, Default)]
pub struct Found {
    pub detected: usize,
    pub delays: Vec<i64>,
    pub right_scope: usize,
    pub missed: Vec<String>,
    pub wrong_scope: Vec<String>,
}

/// Match the replay's alerts to the outbreaks. An outbreak is detected on the first day, from its
/// start to two days after its end, that an alert of its category is active in one of its
/// provinces (a regional alert there or a systemic one); its scope is right when an alert of the
/// right scope (regional in its province, or systemic) is active in that span.
pub fn evaluate(outbreaks: &[Outbreak], changes: &[AlertChange]) -> Found {
    // Active alerts per day, rebuilt from the changes.
    let mut active: BTreeMap<String, AlertChange> = BTreeMap::new();
    let mut by_day: BTreeMap<NaiveDate, Vec<AlertChange>> = BTreeMap::new();
    let mut changes_by_day: BTreeMap<NaiveDate, Vec<&AlertChange>> = BTreeMap::new();
    for c in changes {
        changes_by_day.entry(c.day).or_default().push(c);
    }
    for d in 0..DAYS {
        let day = day0() + chrono::Duration::days(d);
        for c in changes_by_day.get(&day).into_iter().flatten() {
            if c.change == Change::Closed {
                active.remove(&c.alert_id);
            } else {
                active.insert(c.alert_id.clone(), (*c).clone());
            }
        }
        by_day.insert(day, active.values().cloned().collect());
    }
    let mut found = Found::default();
    for o in outbreaks {
        let category = CATEGORIES[o.category].0;
        let provinces: Vec<&str> = o.provinces.iter().map(|&p| PROVINCES[p]).collect();
        let mut first: Option<i64> = None;
        let mut right = false;
        for d in o.start..=o.start + o.days + 1 {
            let day = day0() + chrono::Duration::days(d);
            for a in by_day.get(&day).into_iter().flatten() {
                if a.category != category {
                    continue;
                }
                let systemic = a.scope == Scope::Systemic;
                let hit = systemic || provinces.contains(&a.regions[0].as_str());
                if !hit {
                    continue;
                }
                first.get_or_insert(d);
                right |= systemic == o.systemic();
            }
        }
        match first {
            Some(d) => {
                found.detected += 1;
                found.delays.push(d - o.start);
                if right {
                    found.right_scope += 1;
                } else {
                    found.wrong_scope.push(format!(
                        "{category} {:?} day {} ×{:.1} for {} days",
                        provinces, o.start, o.factor, o.days
                    ));
                }
            }
            None => found.missed.push(format!(
                "{category} {:?} day {} ×{:.1} for {} days",
                provinces, o.start, o.factor, o.days
            )),
        }
    }
    found
}

fn items(h: &str) -> Vec<String> {
    vec![format!("{h}检测")]
}

#[test]
fn a_simulated_year_finds_outbreaks_early_and_stays_quiet_on_background() {
    let rules = ScoringRules::load(None).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let rates = rates(&mut rng);
    let injected = outbreaks(&mut rng);
    assert_eq!(injected.len(), 50);

    // Background alone: how many false sampling alerts per category?
    let started = std::time::Instant::now();
    let mut bg_rng = ChaCha8Rng::seed_from_u64(7);
    let background = generate(&mut bg_rng, &rates, &[]);
    let rows = background.rows();
    eprintln!(
        "generated {rows} rows: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(rows > 1_000_000, "background too thin: {rows}");
    let started = std::time::Instant::now();
    let quiet = replay(&rules, background.frame(), None, None, &items).unwrap();
    eprintln!(
        "replay of the background: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut false_samples: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &quiet.changes {
        if c.action == Action::Sample && matches!(c.change, Change::New | Change::Escalated) {
            *false_samples.entry(c.category.as_str()).or_default() += 1;
        }
    }
    let notifies = quiet
        .changes
        .iter()
        .filter(|c| c.change == Change::New)
        .count();

    let mut ob_rng = ChaCha8Rng::seed_from_u64(7);
    let with = generate(&mut ob_rng, &rates, &injected);
    let run = replay(&rules, with.frame(), None, None, &items).unwrap();
    let found = evaluate(&injected, &run.changes);
    let mut delays = found.delays.clone();
    delays.sort();
    let median = delays.get(delays.len() / 2).copied().unwrap_or(i64::MAX);
    let total_false: usize = false_samples.values().sum();
    eprintln!(
        "simulation: {rows} background signals; detected {}/{} ({:.0}%), median delay {median} days \
         (delays {delays:?}), right scope {}/{} ({:.0}%), false samples on background {total_false} \
         ({false_samples:?}), new alerts on background {notifies}; missed: {:#?}; wrong scope: {:#?}",
        found.detected,
        injected.len(),
        100.0 * found.detected as f64 / injected.len() as f64,
        found.right_scope,
        injected.len(),
        100.0 * found.right_scope as f64 / injected.len() as f64,
        found.missed,
        found.wrong_scope
    );
    assert!(
        found.detected * 10 >= injected.len() * 9,
        "detected {}",
        found.detected
    );
    assert!(median <= 2, "median delay {median}");
    assert!(
        found.right_scope * 10 >= injected.len() * 9,
        "right scope {}",
        found.right_scope
    );
    assert!(
        false_samples.values().all(|&n| n <= 1),
        "false samples: {false_samples:?}"
    );
}
