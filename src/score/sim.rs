//! The simulated years of issue 6: a year of background signals for 30 categories × 31 provinces
//! with weekday effects, over-dispersion and reposts; regional outbreaks (one province, 2–5× its
//! rate for 3–10 days) and systemic ones (8–12 provinces) injected; the day-by-day replay must
//! find them early, with the right scope, and stay quiet on the background alone.
//!
//! Issue 23 adds the disturbances a monitoring centre actually sees ([`Disturbances`]): shopping
//! festivals (618, 双十一) that lift complaints and listings everywhere for a few days, public
//! holidays (春节, 国庆: days off at a weekend's level, lowered further, and their shifted working
//! days at a working day's), one complaint platform silent for ten days that publishes
//! its backlog when it returns, and weaker outbreaks (1.2–4× a province's usual level). The
//! festivals' lifts are drawn around the calendar's, never equal to it.
//!
//! Issue 46 publishes what the scorer makes of these years (`super::evaluate`, `jiance score
//! --evaluate-sim`), so the generator is built into the binary; the tests that replay it live in
//! `sim_figures.rs`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
pub use crate::model::PROVINCES;
use crate::store::columnar::{SignalColumns, StrCol};
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
pub const SOURCES: [(&str, &str, &str, f32); 8] = [
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

/// A calendar disturbance: every category and province, on `days` days from `start`, at `lift`
/// times its usual level per channel (complaint, regulator, platform, media, standard).
#[derive(Debug, Clone)]
pub struct Festival {
    pub name: &'static str,
    /// A public holiday: its days are days off (a weekend's level before the lift).
    pub holiday: bool,
    pub start: i64,
    pub days: i64,
    pub lift: [f64; 5],
}

/// A source silent from `start` for `days` days; what it would have published then appears on
/// the `catchup` days after its return (a backlog, dated the day it is published).
#[derive(Debug, Clone)]
pub struct SimOutage {
    pub source: usize,
    pub start: i64,
    pub days: i64,
    pub catchup: i64,
}

/// What a real year adds to the clean one.
#[derive(Debug, Clone, Default)]
pub struct Disturbances {
    pub festivals: Vec<Festival>,
    /// Shifted working days (调休): weekends at a working day's level.
    pub workdays: Vec<i64>,
    pub outage: Option<SimOutage>,
}

/// The channel index of a source's channel name in [complaint, regulator, platform, media,
/// standard].
fn channel_index(name: &str) -> usize {
    match name {
        "complaint" => 0,
        "regulator" => 1,
        "platform" => 2,
        "media" => 3,
        _ => 4,
    }
}

impl Disturbances {
    /// 2025's: 春节 (in the warm-up) and 国庆 lower complaints, 618 and 双十一 triple complaints
    /// and listings for three days each (lifts drawn per festival and channel around 3×), and
    /// 黑猫投诉 silent for ten days in July, its backlog published over the two days after.
    pub fn year(rng: &mut ChaCha8Rng) -> Disturbances {
        let mut around = |x: f64| x * rng.random_range(0.8..1.2);
        // Day numbers of 2025 (day 0 = 1 January).
        let festivals = vec![
            Festival {
                name: "春节",
                holiday: true,
                start: 27,
                days: 8,
                lift: [around(0.6), around(0.4), around(0.8), around(0.8), 1.0],
            },
            Festival {
                name: "618",
                holiday: false,
                start: 166,
                days: 3,
                lift: [around(3.0), 1.0, around(3.0), around(1.5), 1.0],
            },
            Festival {
                name: "国庆",
                holiday: true,
                start: 273,
                days: 8,
                lift: [around(0.7), around(0.4), around(1.2), around(0.8), 1.0],
            },
            Festival {
                name: "双十一",
                holiday: false,
                start: 313,
                days: 3,
                lift: [around(3.0), 1.0, around(3.0), around(1.5), 1.0],
            },
        ];
        Disturbances {
            festivals,
            // 2025-01-26, 02-08, 09-28, 10-11.
            workdays: vec![25, 38, 270, 283],
            outage: Some(SimOutage {
                source: 1,
                start: 200,
                days: 10,
                catchup: 2,
            }),
        }
    }

    /// Day `d`'s weekday level: a holiday's day off is a weekend day, a shifted working day a
    /// working day.
    fn weekday(&self, d: i64, date: NaiveDate) -> f64 {
        if self.workdays.contains(&d) {
            return WEEKDAY[..5].iter().sum::<f64>() / 5.0;
        }
        if self
            .festivals
            .iter()
            .any(|f| f.holiday && d >= f.start && d < f.start + f.days)
        {
            return (WEEKDAY[5] + WEEKDAY[6]) / 2.0;
        }
        WEEKDAY[date.weekday().num_days_from_monday() as usize]
    }

    /// The lift of each source on day `d` (1 when no festival).
    fn source_lift(&self, d: i64) -> Option<[f64; 8]> {
        let f = self
            .festivals
            .iter()
            .find(|f| d >= f.start && d < f.start + f.days)?;
        Some(std::array::from_fn(|s| f.lift[channel_index(SOURCES[s].1)]))
    }

    /// The day a row of `source` dated `d` is published: its own, or a return day when the
    /// source was silent.
    fn published(&self, rng: &mut ChaCha8Rng, source: usize, d: i64) -> i64 {
        match &self.outage {
            Some(o) if o.source == source && d >= o.start && d < o.start + o.days => {
                o.start + o.days + rng.random_range(0..o.catchup.max(1))
            }
            _ => d,
        }
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

    /// One story (and, a tenth of the time, 1–3 reposts from other sources). `lift` reweights
    /// the background's sources on a festival day; `dist` moves a silent source's rows to its
    /// return.
    #[allow(clippy::too_many_arguments)]
    fn story(
        &mut self,
        rng: &mut ChaCha8Rng,
        c: usize,
        p: usize,
        d: i64,
        hot: bool,
        lift: Option<&[f64; 8]>,
        dist: &Disturbances,
    ) {
        let (category, hazard, sev) = CATEGORIES[c];
        let pick = |rng: &mut ChaCha8Rng| {
            if let Some(lift) = lift {
                let odds: Vec<f64> = (0..SOURCES.len())
                    .map(|i| f64::from(SOURCE_ODDS[i]) * lift[i])
                    .collect();
                let mut x = rng.random::<f64>() * odds.iter().sum::<f64>();
                for (i, &o) in odds.iter().enumerate() {
                    if x < o {
                        return i;
                    }
                    x -= o;
                }
                return 0;
            }
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
        for _ in 0..copies {
            // Outbreak reports come from all over the province; so does the background.
            let s = if hot {
                rng.random_range(0..SOURCES.len())
            } else {
                pick(rng)
            };
            let date = day0() + chrono::Duration::days(dist.published(rng, s, d));
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

    /// (category, province, day) of each story, by its first published copy: what a de-duplicating
    /// scorer counts, and the oracle of issue 46 (`super::oracle`) counts too.
    pub fn story_days(&self) -> Vec<(usize, usize, i64)> {
        let base = epoch_days(day0());
        let index = |names: &[&str], name: &str| names.iter().position(|n| *n == name);
        let categories: Vec<&str> = CATEGORIES.iter().map(|c| c.0).collect();
        let mut out: Vec<(usize, usize, i64)> = Vec::new();
        let mut last_cluster = None;
        for i in 0..self.doc.len() {
            let day = i64::from(self.day[i] - base);
            if last_cluster == Some(self.cluster[i]) {
                if let Some(story) = out.last_mut() {
                    story.2 = story.2.min(day);
                }
                continue;
            }
            last_cluster = Some(self.cluster[i]);
            if let (Some(c), Some(p)) = (
                index(&categories, self.category[i]),
                index(&PROVINCES, self.province[i]),
            ) {
                out.push((c, p, day));
            }
        }
        out
    }

    /// The generated signals as a signal table (clusters and documents are their numbers).
    pub fn table(self) -> SignalColumns {
        let strs = |v: &[&str]| v.iter().map(|s| Some(*s)).collect::<StrCol>();
        let nums = |v: &[u64]| {
            let text: Vec<String> = v.iter().map(u64::to_string).collect();
            text.iter().map(|s| Some(s.as_str())).collect::<StrCol>()
        };
        let mut t = SignalColumns::with_rows(self.time.len());
        t.category = strs(&self.category);
        t.hazard = strs(&self.hazard);
        t.province = strs(&self.province);
        t.city = self.city.iter().copied().collect();
        t.source = strs(&self.source);
        t.source_kind = strs(&self.source_kind);
        t.kind = strs(&self.kind);
        t.cluster = nums(&self.cluster);
        t.doc = nums(&self.doc);
        t.time = self.time;
        t.day = self.day;
        t.severity = self.severity;
        t.weight = self.weight;
        t
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

/// The true expected number of background stories per category, province and day (by the day
/// their first copy is published), as [`generate_disturbed`] draws them: the cell's rate × the
/// day's weekday level × the festival's mean lift (the news cycle and the cell's noise have mean
/// 1); a silent source's share of the stories moves from its days down to its catch-up days. The
/// oracle of issue 46 (`super::oracle`) tests the observed counts against these.
pub fn expected_stories(rates: &[Vec<f64>], dist: &Disturbances) -> Vec<Vec<Vec<f64>>> {
    let total: f64 = SOURCE_ODDS.iter().map(|&o| f64::from(o)).sum();
    let mut level = Vec::with_capacity(DAYS as usize);
    let mut moved = Vec::with_capacity(DAYS as usize);
    for d in 0..DAYS {
        let date = day0() + chrono::Duration::days(d);
        let lift = dist.source_lift(d).unwrap_or([1.0; 8]);
        let odds: Vec<f64> = (0..SOURCES.len())
            .map(|i| f64::from(SOURCE_ODDS[i]) * lift[i])
            .collect();
        let lifted: f64 = odds.iter().sum();
        level.push(dist.weekday(d, date) * lifted / total);
        // A story is held back when its only copy (nine in ten have one), or every copy of a
        // reposted one, comes from the silent source.
        moved.push(match &dist.outage {
            Some(o) if d >= o.start && d < o.start + o.days => {
                let q = odds[o.source] / lifted;
                0.9 * q + 0.1 * (q.powi(2) + q.powi(3) + q.powi(4)) / 3.0
            }
            _ => 0.0,
        });
    }
    rates
        .iter()
        .map(|row| {
            row.iter()
                .map(|&rate| {
                    let mut e: Vec<f64> = level.iter().map(|l| rate * l).collect();
                    if let Some(o) = &dist.outage {
                        let catchup = o.catchup.max(1);
                        let mut backlog = 0.0;
                        for d in o.start..o.start + o.days {
                            let held = e[d as usize] * moved[d as usize];
                            e[d as usize] -= held;
                            backlog += held;
                        }
                        for d in o.start + o.days..o.start + o.days + catchup {
                            if let Some(x) = e.get_mut(d as usize) {
                                *x += backlog / catchup as f64;
                            }
                        }
                    }
                    e
                })
                .collect()
        })
        .collect()
}

/// A hard year of issue 46 by its seed: rates and weak outbreaks (1.2–4×) drawn from `seed`, and
/// 2025's disturbances with lifts drawn from it.
pub fn hard_year(seed: u64) -> (Vec<Vec<f64>>, Vec<Outbreak>, Disturbances) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rates = rates(&mut rng);
    let injected = outbreaks_between(&mut rng, 1.2, 4.0);
    let dist = Disturbances::year(&mut ChaCha8Rng::seed_from_u64(seed));
    (rates, injected, dist)
}

/// A year of background (and the outbreaks on top of it), with a real year's disturbances
/// (without any, the clean year of issue 6: the same draws as before issue 23).
pub fn generate_disturbed(
    rng: &mut ChaCha8Rng,
    rates: &[Vec<f64>],
    outbreaks: &[Outbreak],
    dist: &Disturbances,
) -> Gen {
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
        let wd = dist.weekday(d, date);
        let lift = dist.source_lift(d);
        // A festival lifts the day's volume by its source mix's mean lift and shifts the mix.
        let mean_lift = lift.map_or(1.0, |l| {
            let total: f64 = SOURCE_ODDS.iter().map(|&o| f64::from(o)).sum();
            (0..SOURCES.len())
                .map(|i| f64::from(SOURCE_ODDS[i]) * l[i])
                .sum::<f64>()
                / total
        });
        for (c, row) in rates.iter().enumerate() {
            // A news cycle moves a whole category a little from day to day (over-dispersion).
            let cycle: f64 = rng.random_range(0.8..1.2);
            for (p, &rate) in row.iter().enumerate() {
                let noise: f64 = rng.random_range(0.75..1.25);
                let lambda = rate * wd * cycle * noise * mean_lift;
                for _ in 0..poisson(rng, lambda) {
                    g.story(rng, c, p, d, false, lift.as_ref(), dist);
                }
                if let Some(f) = hot.get(&(c, p, d)) {
                    for _ in 0..poisson(rng, rate * wd * (f - 1.0)) {
                        g.story(rng, c, p, d, true, None, dist);
                    }
                }
            }
        }
    }
    g
}

/// 40 regional and 10 systemic outbreaks, after the first two months (the baseline's warm-up),
/// never two in one category at once, 2–5× the usual level.
pub fn outbreaks(rng: &mut ChaCha8Rng) -> Vec<Outbreak> {
    outbreaks_between(rng, 2.0, 5.0)
}

/// [`outbreaks`] at `lo`–`hi` times the usual level.
pub fn outbreaks_between(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> Vec<Outbreak> {
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
            factor: rng.random_range(lo..=hi),
        });
    }
    out
}

/// What the replay made of each outbreak.
#[derive(Debug, Default)]
pub struct Found {
    pub detected: usize,
    /// Indices of the detected outbreaks.
    pub detected_outbreaks: Vec<usize>,
    pub delays: Vec<i64>,
    pub right_scope: usize,
    /// Indices of the outbreaks detected with the right scope.
    pub right_outbreaks: Vec<usize>,
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
    for (oi, o) in outbreaks.iter().enumerate() {
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
                found.detected_outbreaks.push(oi);
                found.delays.push(d - o.start);
                if right {
                    found.right_scope += 1;
                    found.right_outbreaks.push(oi);
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

/// An alert change an outbreak explains: its category, from the outbreak's start until its last
/// day has left the window, in one of its provinces (or systemic).
pub(super) fn explained(outbreaks: &[Outbreak], c: &AlertChange, window: i64) -> bool {
    let d = (c.day - day0()).num_days();
    outbreaks.iter().any(|o| {
        CATEGORIES[o.category].0 == c.category
            && d >= o.start
            && d < o.start + o.days + window
            && (c.scope == Scope::Systemic
                || o.provinces
                    .iter()
                    .any(|&p| c.regions.first().map(String::as_str) == Some(PROVINCES[p])))
    })
}

/// Days a replay of the simulated year scores (the first ones are the baseline's warm-up).
pub fn replayed_days(rules: &ScoringRules) -> i64 {
    let w = &rules.window;
    DAYS - i64::from(w.baseline_days + w.guard_days + w.window_days - 1)
}
