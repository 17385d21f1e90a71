//! Publication dates as Chinese sites write them: `2026-03-05`, `2026/3/5 14:20`,
//! `2026年3月5日 14:20:05`, `发布时间：2026.03.05`, RFC 3339 and RFC 2822 (feeds). Times without a
//! zone are Beijing time; a date without a time is taken as noon Beijing time so it stays on its day
//! in any zone from UTC−4 to UTC+12.

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::Regex;

use crate::model::Timestamp;

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?)?")
            .expect("static regex compiles")
    })
}

/// The first date (and time) found in `text`, as a UTC instant.
pub fn parse_date(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(&Utc));
    }
    let c = pattern().captures(t)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
    let time = match (num(4), num(5)) {
        (Some(h), Some(m)) => NaiveTime::from_hms_opt(h, m, num(6).unwrap_or(0))?,
        _ => NaiveTime::from_hms_opt(12, 0, 0)?,
    };
    let local = beijing()
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()?;
    Some(local.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::china_day;

    fn day(s: &str) -> Option<String> {
        parse_date(s).map(|t| china_day(t).to_string())
    }

    #[test]
    fn chinese_and_iso_forms() {
        assert_eq!(day("2026-03-05").as_deref(), Some("2026-03-05"));
        assert_eq!(
            day("发布时间：2026年3月5日 00:30").as_deref(),
            Some("2026-03-05")
        );
        assert_eq!(day("2026/3/5 23:59:59").as_deref(), Some("2026-03-05"));
        assert_eq!(day("2026.03.05").as_deref(), Some("2026-03-05"));
        assert_eq!(
            day("Thu, 05 Mar 2026 01:00:00 +0800").as_deref(),
            Some("2026-03-05")
        );
        assert_eq!(day("2026-03-04T17:00:00Z").as_deref(), Some("2026-03-05"));
        let t = parse_date("2026年3月5日 14:20").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-05T06:20:00+00:00");
    }

    #[test]
    fn nonsense_is_none() {
        assert_eq!(day(""), None);
        assert_eq!(day("昨天"), None);
        assert_eq!(day("2026-13-40"), None);
        assert_eq!(day("2026-02-03 25:61"), None);
    }
}
