//! What a day is expected to hold beyond its weekday (issue 23): the calendar's lift (festivals,
//! holidays) and the coverage left by source outages. Both become factors of the day, beside the
//! weekday factor, so the baseline divides them out and the window's expectation puts them back.
//!
//! Data flows: `super::table::prepare` measures, once per aggregation, the national weight per
//! channel and day (all categories; sources with an outage left out), each category's channel
//! mix and each outage's share of it ([`Disturb`]); each run turns the calendar into per-channel
//! lifts of its days ([`RunDays`]: rules → past years → the day itself), and each category turns
//! those and the outages into its days' factors and the breakdown terms that say what was
//! discounted and why ([`Disturb::factors`]).

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};

use super::aggregate::Periods;
use super::calendar::{Calendar, DayType};
use super::rules::OutageRules;
use crate::model::{Channel, ScoreTerm};

/// A source (or a whole channel) down: its rows from `from` to `to` and the rules' catch-up days
/// after are left out, and every cell's expectation is lowered by the source's share of its
/// category. Built by the caller from source health (stale, failing passes).
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// The publisher (a signal's `source`) that was down; `None` with `channel` set: every source
    /// of that channel.
    pub source: Option<String>,
    pub channel: Option<Channel>,
    /// First and last day down (inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Why it counts as down (`stale`, `failing: http-503` …), for the breakdown.
    pub reason: String,
}

impl Outage {
    /// What was down, for the breakdown.
    pub fn what(&self) -> String {
        match (&self.source, self.channel) {
            (Some(s), _) => s.clone(),
            (None, Some(c)) => format!("channel {}", c.as_str()),
            (None, None) => "?".into(),
        }
    }

    /// The last day whose rows are left out: the catch-up days after the return hold the backlog.
    pub fn excluded_until(&self, catchup_days: u32) -> NaiveDate {
        self.to
            .checked_add_days(Days::new(u64::from(catchup_days)))
            .unwrap_or(self.to)
    }
}

/// Measured once per aggregation.
#[derive(Debug, Clone, Default)]
pub struct Disturb {
    pub calendar: Calendar,
    pub outages: Vec<Outage>,
    pub catchup_days: u32,
    /// First day of `channel_daily`.
    pub start: Option<NaiveDate>,
    /// National weight per channel (`Channel::ALL` order) and day, all categories, sources with
    /// an outage left out.
    pub channel_daily: [Vec<f64>; 5],
    /// Category → weight share of each channel.
    pub channel_share: HashMap<String, [f64; 5]>,
    /// Category → each outage's share of its weight.
    pub outage_share: HashMap<String, Vec<f64>>,
}

/// One run's view of its days (index 0 = the baseline's first day).
#[derive(Debug, Clone, Default)]
pub struct RunDays {
    pub dates: Vec<NaiveDate>,
    /// Lift per channel.
    pub lift: Vec<[f64; 5]>,
    pub day_type: Vec<Option<DayType>>,
    /// Names of the events covering each day.
    pub events: Vec<Vec<String>>,
    /// Outages (indices) covering each day, catch-up included.
    pub down: Vec<Vec<usize>>,
}

impl Disturb {
    fn daily(&self, ch: usize, d: NaiveDate) -> Option<f64> {
        let start = self.start?;
        let i = usize::try_from((d - start).num_days()).ok()?;
        self.channel_daily[ch].get(i).copied()
    }

    /// A channel's ordinary level on a day like `d`: the mean over the `before_days` days before
    /// `occurrence_start`, days of any event left out, of the same weekday — or of weekend days
    /// for a holiday's day off and of Monday–Friday for a shifted working day, since the weekday
    /// factor of such a day is already the weekend's or a working day's.
    fn ordinary(&self, ch: usize, d: NaiveDate, occurrence_start: NaiveDate) -> Option<f64> {
        let before = self.calendar.learn.before_days;
        let like = |x: NaiveDate| {
            let wd = x.weekday().num_days_from_monday();
            match self.calendar.day_type(d) {
                Some(DayType::Off) => wd >= 5,
                Some(DayType::Work) => wd < 5,
                None => x.weekday() == d.weekday(),
            }
        };
        let (mut sum, mut n) = (0.0, 0u32);
        for back in 1..=before {
            let x = occurrence_start.checked_sub_days(Days::new(u64::from(back)))?;
            if !like(x) || self.calendar.any_event(x) {
                continue;
            }
            if let Some(w) = self.daily(ch, x) {
                sum += w;
                n += 1;
            }
        }
        (n > 0 && sum > 0.0).then(|| sum / f64::from(n))
    }

    /// The lift of event `e` on channel `ch` for runs whose guard band starts after `before`:
    /// the rule's, moved towards what earlier occurrences measured (`[learn] prior_days`).
    fn learnt(&self, e: usize, ch: usize, before: NaiveDate) -> f64 {
        let event = &self.calendar.events[e];
        let rule = event.lift[ch];
        let Some(start) = self.start else {
            return rule;
        };
        let (mut obs, mut exp, mut days) = (0.0, 0.0, 0.0);
        for (a, b) in event.occurrences(start, before) {
            let mut d = a;
            while d <= b {
                if let (Some(w), Some(o)) = (self.daily(ch, d), self.ordinary(ch, d, a)) {
                    obs += w;
                    exp += o;
                    days += 1.0;
                }
                let Some(next) = d.succ_opt() else { break };
                d = next;
            }
        }
        if days == 0.0 {
            return rule;
        }
        let k = self.calendar.learn.prior_days * exp / days;
        (obs + k * rule) / (exp + k)
    }

    /// The calendar and outages over one run's days.
    pub fn run_days(&self, p: &Periods) -> RunDays {
        let mut out = RunDays::default();
        let learn_before = p
            .window_start
            .checked_sub_days(Days::new(u64::from(p.guard_days)))
            .unwrap_or(p.window_start);
        let mut learnt: HashMap<(usize, usize), f64> = HashMap::new();
        for i in 0..p.len() {
            let d = p.baseline_start + chrono::Duration::days(i as i64);
            let mut lift = [1.0; 5];
            let mut names = Vec::new();
            let mut first_start: Option<NaiveDate> = None;
            for (e, event) in self.calendar.events.iter().enumerate() {
                let Some((a, _)) = event.occurrence(d) else {
                    continue;
                };
                names.push(event.name.clone());
                first_start = Some(first_start.map_or(a, |s: NaiveDate| s.min(a)));
                for (ch, l) in lift.iter_mut().enumerate() {
                    *l *= *learnt
                        .entry((e, ch))
                        .or_insert_with(|| self.learnt(e, ch, learn_before));
                }
            }
            // The day itself, once it is in the data: the whole system's weight per channel
            // against its ordinary level, shrunk towards the prior lift.
            if let Some(a) = first_start.filter(|_| d <= p.as_of) {
                let a_w = self.calendar.learn.prior_weight;
                for (ch, l) in lift.iter_mut().enumerate() {
                    if let (Some(w), Some(o)) = (self.daily(ch, d), self.ordinary(ch, d, a)) {
                        *l = (w + a_w * *l) / (o + a_w);
                    }
                }
            }
            let down: Vec<usize> = self
                .outages
                .iter()
                .enumerate()
                .filter(|(_, o)| o.from <= d && d <= o.excluded_until(self.catchup_days))
                .map(|(k, _)| k)
                .collect();
            out.dates.push(d);
            out.lift.push(lift);
            out.day_type.push(self.calendar.day_type(d));
            out.events.push(names);
            out.down.push(down);
        }
        out
    }

    /// A category's factor for each day of a run (weekday by its day type × calendar lift ×
    /// coverage, 0 for a day left out) and the breakdown terms saying what was discounted, if
    /// anything was.
    pub fn factors(
        &self,
        category: &str,
        p: &Periods,
        weekday: &[f64; 7],
        days: &RunDays,
        rules: &OutageRules,
    ) -> (Vec<f64>, Vec<ScoreTerm>) {
        let share = self
            .channel_share
            .get(category)
            .copied()
            .unwrap_or([1.0, 0.0, 0.0, 0.0, 0.0]);
        let outage_share = self.outage_share.get(category);
        let weekend = (weekday[5] + weekday[6]) / 2.0;
        let workday = weekday[..5].iter().sum::<f64>() / 5.0;
        let window = p.window_offset();
        let mut factors = Vec::with_capacity(days.dates.len());
        let (mut window_lift, mut window_cov) = (0.0, 0.0);
        let (mut event_days, mut discounted, mut excluded) = (0u32, 0u32, 0u32);
        let mut events: Vec<&str> = Vec::new();
        let mut down: Vec<usize> = Vec::new();
        for (i, &d) in days.dates.iter().enumerate() {
            let wf = match days.day_type[i] {
                Some(DayType::Off) => weekend,
                Some(DayType::Work) => workday,
                None => weekday[d.weekday().num_days_from_monday() as usize],
            };
            let lift: f64 = (0..5).map(|ch| share[ch] * days.lift[i][ch]).sum::<f64>();
            let lift = if lift > 0.0 { lift } else { 1.0 };
            let lost: f64 = days.down[i]
                .iter()
                .map(|&k| outage_share.and_then(|s| s.get(k)).copied().unwrap_or(0.0))
                .sum();
            let mut cov = (1.0 - lost).clamp(0.0, 1.0);
            if !days.events[i].is_empty() {
                event_days += 1;
                for n in &days.events[i] {
                    if !events.contains(&n.as_str()) {
                        events.push(n);
                    }
                }
            }
            if !days.down[i].is_empty() {
                discounted += 1;
                for &k in &days.down[i] {
                    if !down.contains(&k) {
                        down.push(k);
                    }
                }
            }
            if cov < rules.min_coverage {
                cov = 0.0;
                excluded += 1;
            }
            if i >= window {
                window_lift += lift;
                window_cov += cov;
            }
            factors.push(wf * lift * cov);
        }
        let mut terms = Vec::new();
        let wd = (days.dates.len() - window).max(1) as f64;
        if event_days > 0 {
            terms.push(ScoreTerm {
                name: "calendar_lift".into(),
                value: window_lift / wd,
                note: format!(
                    "节假日系数 mean calendar lift of the window's days (expected × it); {event_days} day(s) of the baseline and window in {}: their lift is divided out of the baseline",
                    events.join("、")
                ),
            });
        }
        if discounted > 0 {
            let why: Vec<String> = down
                .iter()
                .map(|&k| {
                    let o = &self.outages[k];
                    format!(
                        "{} down {}..{} ({}), rows to {} left out",
                        o.what(),
                        o.from,
                        o.to,
                        o.reason,
                        o.excluded_until(self.catchup_days)
                    )
                })
                .collect();
            terms.push(ScoreTerm {
                name: "coverage".into(),
                value: window_cov / wd,
                note: format!(
                    "信息源覆盖 mean share of the category's usual weight from sources up, over the window; {discounted} day(s) discounted: {}",
                    why.join("; ")
                ),
            });
            terms.push(ScoreTerm {
                name: "excluded_days".into(),
                value: f64::from(excluded),
                note: format!(
                    "剔除天数 days of the baseline and window left out (coverage below {})",
                    rules.min_coverage
                ),
            });
        }
        (factors, terms)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{TimeZone, Utc};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::{Action, Alert, DocKind, PROVINCES, Parties, Scope, Signal};
    use crate::score::{Calendar, ScoreInput, ScoreOutput, ScoringRules, score};

    /// (source, channel, kind, weight, odds of a background story)
    const SOURCES: [(&str, Channel, DocKind, f32, f64); 6] = [
        (
            "12315平台",
            Channel::Complaint,
            DocKind::Complaint,
            0.8,
            20.0,
        ),
        (
            "黑猫投诉",
            Channel::Complaint,
            DocKind::Complaint,
            0.6,
            40.0,
        ),
        ("澎湃新闻", Channel::Media, DocKind::Media, 0.9, 10.0),
        ("电商评价", Channel::Platform, DocKind::Listing, 0.5, 20.0),
        (
            "电商平台抽检公示",
            Channel::Platform,
            DocKind::Inspection,
            0.9,
            5.0,
        ),
        (
            "省市场监管局",
            Channel::Regulator,
            DocKind::Notice,
            1.0,
            5.0,
        ),
    ];

    const CATEGORIES: [(&str, &str, u8); 7] = [
        ("电动自行车", "火灾", 4),
        ("移动电源", "火灾", 4),
        ("电热水壶", "烫伤/烧伤", 3),
        ("玩具", "窒息", 4),
        ("电热毯", "触电", 4),
        ("插头插座", "触电", 4),
        ("儿童安全座椅", "机械伤害", 4),
    ];

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
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

    fn signal(id: String, d: i64, c: usize, province: &str, s: usize) -> Signal {
        let (category, hazard, severity) = CATEGORIES[c];
        let (source, channel, kind, weight, _) = SOURCES[s];
        let date = day(d);
        Signal {
            time: Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()),
            cluster: format!("c-{id}"),
            doc_id: id,
            category: category.into(),
            hazard: hazard.into(),
            severity,
            province: Some(province.into()),
            city: None,
            source: source.into(),
            channel,
            kind,
            weight,
            parties: Parties::default(),
            product: None,
        }
    }

    /// Dense background: `categories` × 31 provinces at `rate` stories a day each for `days`
    /// days; `lift(d, s)` multiplies source `s`'s odds on day `d` (a festival), `day_of(d, s)`
    /// moves a row to the day it is published (an outage's backlog).
    fn background(
        rng: &mut ChaCha8Rng,
        categories: usize,
        days: i64,
        rate: f64,
        lift: &dyn Fn(i64, usize) -> f64,
        day_of: &dyn Fn(i64, usize) -> i64,
    ) -> Vec<Signal> {
        let mut out = Vec::new();
        for d in 0..days {
            let odds: Vec<f64> = (0..SOURCES.len())
                .map(|s| SOURCES[s].4 * lift(d, s))
                .collect();
            let total: f64 = odds.iter().sum();
            let mean_lift = total / SOURCES.iter().map(|s| s.4).sum::<f64>();
            for c in 0..categories {
                for (p, province) in PROVINCES.iter().enumerate() {
                    for k in 0..poisson(rng, rate * mean_lift) {
                        let mut x = rng.random::<f64>() * total;
                        let mut s = 0;
                        while s + 1 < SOURCES.len() && x >= odds[s] {
                            x -= odds[s];
                            s += 1;
                        }
                        let id = format!("b-{c}-{p}-{d}-{k}");
                        out.push(signal(id, day_of(d, s), c, province, s));
                    }
                }
            }
        }
        out
    }

    fn items(h: &str) -> Vec<String> {
        vec![format!("{h}检测")]
    }

    fn score_as_of(
        rules: &ScoringRules,
        signals: &[Signal],
        as_of: NaiveDate,
        outages: &[Outage],
    ) -> ScoreOutput {
        score(
            rules,
            &ScoreInput {
                signals,
                as_of,
                sampled: &HashSet::new(),
                test_items: &items,
                previous: &[],
                inspections: &[],
                outages,
            },
        )
    }

    fn sampled(out: &ScoreOutput) -> Vec<String> {
        out.alerts
            .iter()
            .filter(|a| a.action == Action::Sample)
            .map(|a| a.summary.clone())
            .collect()
    }

    fn term(a: &Alert, name: &str) -> Option<f64> {
        a.breakdown.iter().find(|t| t.name == name).map(|t| t.value)
    }

    const FESTIVAL: &str = "[[event]]\nname = \"测试节\"\nkind = \"festival\"\n\
        dates = [[\"2026-03-29\", \"2026-03-31\"]]\n\
        lift = { complaint = 3.0, platform = 3.0, media = 1.5 }\n\
        examples = [\"2026-03-30\"]\n";

    /// Complaints and listings triple in every category and province for three days (the
    /// festival's usual lift, as the calendar says); one category's Zhejiang cell rises ten-fold.
    #[test]
    fn a_festival_spike_across_every_category_raises_no_sample_alert() {
        let festival = |d: i64, s: usize| {
            if (87..=89).contains(&d) {
                match SOURCES[s].1 {
                    Channel::Complaint | Channel::Platform => 3.0,
                    Channel::Media => 1.5,
                    _ => 1.0,
                }
            } else {
                1.0
            }
        };
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut signals = background(&mut rng, 7, 90, 0.8, &festival, &|d, _| d);
        // Far beyond the festival: 8 more a day in one province of the seventh category.
        for d in 87..=89 {
            for k in 0..8 {
                signals.push(signal(format!("zj-{d}-{k}"), d, 6, "浙江省", k % 4));
            }
        }
        let mut rules = ScoringRules::load(None).unwrap();
        rules.calendar = Calendar::parse(FESTIVAL, "festival.toml").unwrap();
        let mut without = rules.clone();
        without.calendar = Calendar::default();
        let mut unaware_samples = 0;
        for d in 87..=89 {
            let out = score_as_of(&rules, &signals, day(d), &[]);
            let festive: Vec<&Alert> = out
                .alerts
                .iter()
                .filter(|a| a.category != CATEGORIES[6].0)
                .collect();
            assert!(
                festive.iter().all(|a| a.action != Action::Sample),
                "day {d}: {:?}",
                sampled(&out)
            );
            // The alerts and records of the festival's days say so.
            assert!(
                out.alerts
                    .iter()
                    .chain(&out.dismissed)
                    .all(|a| term(a, "calendar_lift").is_some_and(|l| l > 1.0)),
                "day {d}"
            );
            if d == 89 {
                let zj: Vec<&Alert> = out
                    .alerts
                    .iter()
                    .filter(|a| a.category == CATEGORIES[6].0)
                    .collect();
                assert!(
                    zj.iter()
                        .any(|a| a.scope == Scope::Regional && a.regions[0] == "浙江省"),
                    "a rise far beyond the festival still alerts: {zj:#?}"
                );
            }
            unaware_samples += sampled(&score_as_of(&without, &signals, day(d), &[]))
                .into_iter()
                .filter(|s| !s.contains(CATEGORIES[6].0))
                .count();
        }
        // Without the calendar, the same spike is read as outbreaks to sample.
        assert!(unaware_samples > 0);
    }

    /// The biggest complaint platform (about 40% of the stories) is silent for ten days, then
    /// publishes its backlog over the two days after its return.
    #[test]
    fn a_ten_day_outage_and_its_return_raise_no_sample_alert() {
        let silent = |d: i64, s: usize| {
            if s == 1 && (70..80).contains(&d) {
                80 + d % 2
            } else {
                d
            }
        };
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let signals = background(&mut rng, 6, 95, 0.8, &|_, _| 1.0, &silent);
        let mut rules = ScoringRules::load(None).unwrap();
        rules.calendar = Calendar::default();
        let outage = Outage {
            source: Some("黑猫投诉".into()),
            channel: None,
            from: day(70),
            to: day(79),
            reason: "stale".into(),
        };
        let mut unaware = 0;
        for d in (70..95).step_by(2) {
            let out = score_as_of(&rules, &signals, day(d), std::slice::from_ref(&outage));
            assert!(sampled(&out).is_empty(), "day {d}: {:?}", sampled(&out));
            assert!(
                out.alerts.iter().all(|a| a.scope != Scope::Systemic),
                "day {d}: {:?}",
                out.alerts
            );
            // Every record says which days were discounted and why.
            for a in out.alerts.iter().chain(&out.dismissed) {
                let note = &a
                    .breakdown
                    .iter()
                    .find(|t| t.name == "coverage")
                    .unwrap()
                    .note;
                assert!(
                    note.contains("黑猫投诉") && note.contains("stale"),
                    "{note}"
                );
            }
            unaware += sampled(&score_as_of(&rules, &signals, day(d), &[])).len();
        }
        // Read without source health, the return is a surge in every category.
        assert!(unaware > 0);
    }

    /// 1.5 times the usual level in eight provinces for a week: each province only modestly above
    /// its own baseline, together one systemic problem.
    #[test]
    fn a_weak_outbreak_in_eight_provinces_becomes_one_systemic_alert() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let mut signals = background(&mut rng, 4, 90, 3.0, &|_, _| 1.0, &|d, _| d);
        let hit = [1usize, 4, 9, 10, 14, 18, 22, 26];
        for d in 83..90 {
            for &p in &hit {
                for k in 0..poisson(&mut rng, 1.5) {
                    let s = rng.random_range(0..SOURCES.len());
                    signals.push(signal(format!("w-{p}-{d}-{k}"), d, 1, PROVINCES[p], s));
                }
            }
        }
        let mut rules = ScoringRules::load(None).unwrap();
        rules.calendar = Calendar::default();
        let out = score_as_of(&rules, &signals, day(89), &[]);
        let power: Vec<&Alert> = out
            .alerts
            .iter()
            .filter(|a| a.category == CATEGORIES[1].0)
            .collect();
        assert_eq!(power.len(), 1, "{power:#?}");
        let a = power[0];
        assert_eq!(a.scope, Scope::Systemic, "{}", a.summary);
        let named = hit
            .iter()
            .filter(|&&p| a.regions.iter().any(|r| r == PROVINCES[p]))
            .count();
        assert!(named >= 4, "{:?}", a.regions);
        assert!(a.regions.len() - 1 - named <= 4, "{:?}", a.regions);
        assert!(term(a, "combined_p").is_some(), "{:?}", a.breakdown);
        // No province of the category is alerted on its own.
        assert!(
            !out.dismissed
                .iter()
                .any(|d| d.category == CATEGORIES[1].0 && d.scope == Scope::Regional)
        );
    }
}
