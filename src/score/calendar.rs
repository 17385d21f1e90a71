//! `calendar.toml`: shopping festivals and public holidays as data, and the lift each day gets per
//! channel (see the comments of `rules/calendar.toml` for the method).
//!
//! The default file is embedded with `include_str!`; a rules directory holding its own
//! `calendar.toml` replaces it. Unknown keys are rejected, every error names the file and line,
//! and each event's `examples` (days it must cover) and `counter_examples` (days it must not) are
//! run when the file is loaded, so `jiance check` runs them too.
//!
//! This module knows dates and rule lifts only. What past years and the day itself measured is
//! applied by `super::lift` over the signal table's national channel counts.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::config::line_of_key;
use crate::config::{ConfigError, line_in_block};
use crate::model::Channel;

/// The embedded default calendar.
pub const DEFAULT_CALENDAR_TOML: &str = include_str!("../../rules/calendar.toml");

/// File name looked up inside a rules directory.
pub const CALENDAR_FILE: &str = "calendar.toml";

/// A festival changes how much is published; a holiday also which weekday a day behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Festival,
    Holiday,
}

/// How a holiday changes a day: a day off behaves like a weekend day, a shifted working day
/// (调休) like a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayType {
    Off,
    Work,
}

/// How lifts are learnt from the data (`[learn]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LearnRules {
    /// Pseudo-days of the rule's lift added to what past occurrences measured.
    pub prior_days: f64,
    /// Ordinary days before an occurrence that measure a channel's usual level.
    pub before_days: u32,
    /// Weighted signals of the prior lift added to a day's own measurement.
    pub prior_weight: f64,
}

impl Default for LearnRules {
    fn default() -> Self {
        LearnRules {
            prior_days: 3.0,
            before_days: 28,
            prior_weight: 200.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: String,
    kind: EventKind,
    #[serde(default)]
    annual: Vec<[String; 2]>,
    #[serde(default)]
    dates: Vec<[String; 2]>,
    #[serde(default)]
    workdays: Vec<String>,
    #[serde(default)]
    lift: BTreeMap<String, f64>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    learn: LearnRules,
    #[serde(default)]
    event: Vec<RawEvent>,
}

/// One festival or holiday.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    pub kind: EventKind,
    /// (month, day) ranges holding every year.
    annual: Vec<((u32, u32), (u32, u32))>,
    /// Year-specific ranges.
    dates: Vec<(NaiveDate, NaiveDate)>,
    workdays: Vec<NaiveDate>,
    /// The rules' lift per channel, in `Channel::ALL` order.
    pub lift: [f64; 5],
}

/// Every event of `calendar.toml`.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub learn: LearnRules,
    pub events: Vec<Event>,
}

fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    // Valid in every year: 02-29 is not.
    NaiveDate::from_ymd_opt(2025, m, d).map(|_| (m, d))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Calendar {
    /// The embedded default (empty, with an error logged, if it were ever broken: a test loads it).
    pub fn embedded() -> Calendar {
        Calendar::parse(DEFAULT_CALENDAR_TOML, "<embedded>/rules/calendar.toml").unwrap_or_else(
            |e| {
                tracing::error!("embedded calendar: {e:?}");
                Calendar::default()
            },
        )
    }

    /// `rules_dir/calendar.toml`, or the embedded default when there is no directory or it has no
    /// calendar.
    pub fn load(rules_dir: Option<&Path>) -> Result<Calendar, Vec<ConfigError>> {
        let Some(dir) = rules_dir else {
            return Calendar::parse(DEFAULT_CALENDAR_TOML, "<embedded>/rules/calendar.toml");
        };
        let path = dir.join(CALENDAR_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Calendar::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Calendar::parse(DEFAULT_CALENDAR_TOML, "<embedded>/rules/calendar.toml")
            }
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse and validate calendar text, running every example; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Calendar, Vec<ConfigError>> {
        let raw: RawCalendar =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let l = &raw.learn;
        for (key, v, ok) in [
            ("prior_days", l.prior_days, l.prior_days > 0.0),
            ("prior_weight", l.prior_weight, l.prior_weight > 0.0),
        ] {
            if !(v.is_finite() && ok) {
                errors.push(ConfigError::new(
                    file,
                    line_of_key(text, "learn", key),
                    format!("{key} must be > 0, got {v}"),
                ));
            }
        }
        if !(7..=366).contains(&l.before_days) {
            errors.push(ConfigError::new(
                file,
                line_of_key(text, "learn", "before_days"),
                format!("before_days must be 7–366, got {}", l.before_days),
            ));
        }
        let mut events = Vec::new();
        for (i, e) in raw.event.into_iter().enumerate() {
            let mut err = |key: &str, message: String| {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "event", i, key),
                    format!("event {:?}: {message}", e.name),
                ));
            };
            if e.name.trim().is_empty() {
                err("name", "an event needs a name".into());
            }
            let mut annual = Vec::new();
            for [a, b] in &e.annual {
                match (month_day(a), month_day(b)) {
                    (Some(x), Some(y)) if x <= y => annual.push((x, y)),
                    (Some(_), Some(_)) => err(
                        "annual",
                        format!("{a}..{b}: the range must not run past the year's end"),
                    ),
                    _ => err(
                        "annual",
                        format!("{a}..{b}: month-days are MM-DD, valid in every year"),
                    ),
                }
            }
            let mut dates = Vec::new();
            for [a, b] in &e.dates {
                match (date(a), date(b)) {
                    (Some(x), Some(y)) if x <= y && (y - x).num_days() < 60 => dates.push((x, y)),
                    (Some(_), Some(_)) => err(
                        "dates",
                        format!("{a}..{b}: the end must follow the start within 60 days"),
                    ),
                    _ => err("dates", format!("{a}..{b}: dates are YYYY-MM-DD")),
                }
            }
            if annual.is_empty() && dates.is_empty() {
                err("", "an event needs `annual` or `dates`".into());
            }
            let mut workdays = Vec::new();
            for w in &e.workdays {
                match date(w) {
                    Some(d) => workdays.push(d),
                    None => err("workdays", format!("{w}: dates are YYYY-MM-DD")),
                }
            }
            if e.kind == EventKind::Festival && !workdays.is_empty() {
                err("workdays", "only a holiday has shifted working days".into());
            }
            let mut lift = [1.0; 5];
            for (name, &v) in &e.lift {
                match Channel::ALL.iter().position(|c| c.as_str() == name) {
                    Some(c) if v.is_finite() && v > 0.0 && v <= 20.0 => lift[c] = v,
                    Some(_) => err(
                        "lift",
                        format!("lift of {name} must be in (0, 20], got {v}"),
                    ),
                    None => err(
                        "lift",
                        format!(
                            "unknown channel {name:?} (complaint, regulator, platform, media, standard)"
                        ),
                    ),
                }
            }
            let event = Event {
                name: e.name.clone(),
                kind: e.kind,
                annual,
                dates,
                workdays,
                lift,
            };
            for (key, list, want) in [
                ("examples", &e.examples, true),
                ("counter_examples", &e.counter_examples, false),
            ] {
                for x in list {
                    match date(x) {
                        Some(d) if event.covers(d) != want => err(
                            key,
                            if want {
                                format!("example {x} is not a day of the event")
                            } else {
                                format!("counter-example {x} is a day of the event")
                            },
                        ),
                        Some(_) => {}
                        None => err(key, format!("{x}: dates are YYYY-MM-DD")),
                    }
                }
            }
            if events.iter().any(|o: &Event| o.name == e.name) {
                err("name", "two events have this name".into());
            }
            events.push(event);
        }
        if errors.is_empty() {
            Ok(Calendar {
                learn: raw.learn,
                events,
            })
        } else {
            Err(errors)
        }
    }

    /// Whether any event covers `d`.
    pub fn any_event(&self, d: NaiveDate) -> bool {
        self.events
            .iter()
            .any(|e| e.covers(d) || e.workdays.contains(&d))
    }

    /// How a holiday changes `d`, if one does: a shifted working day is `Work`, a day off that
    /// is not one is `Off`.
    pub fn day_type(&self, d: NaiveDate) -> Option<DayType> {
        if self.events.iter().any(|e| e.workdays.contains(&d)) {
            return Some(DayType::Work);
        }
        self.events
            .iter()
            .any(|e| e.kind == EventKind::Holiday && e.covers(d))
            .then_some(DayType::Off)
    }
}

impl Event {
    /// The occurrence of the event that covers `d`, if one does.
    pub fn occurrence(&self, d: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        if let Some(&r) = self.dates.iter().find(|(a, b)| *a <= d && d <= *b) {
            return Some(r);
        }
        self.annual.iter().find_map(|&((m1, d1), (m2, d2))| {
            let a = NaiveDate::from_ymd_opt(d.year(), m1, d1)?;
            let b = NaiveDate::from_ymd_opt(d.year(), m2, d2)?;
            (a <= d && d <= b).then_some((a, b))
        })
    }

    pub fn covers(&self, d: NaiveDate) -> bool {
        self.occurrence(d).is_some()
    }

    /// Occurrences that start on or after `from` and end before `before`, oldest first.
    pub fn occurrences(&self, from: NaiveDate, before: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out: Vec<(NaiveDate, NaiveDate)> = self
            .dates
            .iter()
            .copied()
            .filter(|&(a, b)| a >= from && b < before)
            .collect();
        for year in from.year()..=before.year() {
            for &((m1, d1), (m2, d2)) in &self.annual {
                if let (Some(a), Some(b)) = (
                    NaiveDate::from_ymd_opt(year, m1, d1),
                    NaiveDate::from_ymd_opt(year, m2, d2),
                ) && a >= from
                    && b < before
                    && !out.contains(&(a, b))
                {
                    out.push((a, b));
                }
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        date(s).unwrap()
    }

    #[test]
    fn the_embedded_calendar_loads_and_its_examples_hold() {
        let c = Calendar::load(None).unwrap();
        let double11 = c.events.iter().find(|e| e.name == "双十一").unwrap();
        assert!(
            double11.covers(d("2031-11-11")),
            "annual dates hold every year"
        );
        assert_eq!(double11.lift[0], 3.0, "complaints");
        assert_eq!(double11.lift[1], 1.0, "a channel not listed");
        assert_eq!(c.day_type(d("2025-01-29")), Some(DayType::Off), "春节");
        assert_eq!(
            c.day_type(d("2025-01-26")),
            Some(DayType::Work),
            "调休 Sunday"
        );
        assert_eq!(
            c.day_type(d("2025-11-11")),
            None,
            "a festival is a working day"
        );
        assert!(!c.any_event(d("2025-03-11")));
    }

    #[test]
    fn errors_name_their_line_and_examples_are_run() {
        let text = "[learn]\nprior_days = 0.0\n\n[[event]]\nname = \"a\"\nkind = \"festival\"\n\
                    annual = [[\"11-10\", \"11-12\"]]\nlift = { complaint = 3.0, shops = 2.0 }\n\
                    examples = [\"2025-11-13\"]\ncounter_examples = [\"2025-11-11\"]\n\n\
                    [[event]]\nname = \"b\"\nkind = \"holiday\"\nannual = [[\"02-29\", \"03-01\"]]\n";
        let errs = Calendar::parse(text, "c.toml").unwrap_err();
        let line = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        for (needle, what) in [
            ("prior_days", "> 0"),
            ("lift", "unknown channel"),
            ("examples", "is not a day"),
            ("counter_examples", "is a day"),
            ("annual = [[\"02-29\"", "valid in every year"),
        ] {
            assert!(
                errs.iter()
                    .any(|e| e.line == line(needle) && e.message.contains(what)),
                "{needle}: {msgs:?}"
            );
        }
        assert!(msgs.iter().all(|m| m.starts_with("c.toml:")), "{msgs:?}");
        let bad = Calendar::parse("[[event]]\nname = \"x\"\nkind = \"fest\"\n", "c.toml");
        assert_eq!(bad.unwrap_err()[0].line, 3);
    }

    #[test]
    fn occurrences_before_a_day_are_listed_once_oldest_first() {
        let c = Calendar::load(None).unwrap();
        let e = c.events.iter().find(|e| e.name == "双十一").unwrap();
        let got = e.occurrences(d("2024-01-01"), d("2025-11-12"));
        assert_eq!(got, vec![(d("2024-11-10"), d("2024-11-12"))]);
        let spring = c.events.iter().find(|e| e.name == "春节").unwrap();
        assert_eq!(
            spring.occurrence(d("2026-02-20")),
            Some((d("2026-02-15"), d("2026-02-23")))
        );
    }
}
