//! Facet counts over the matching documents: a collector that reads the string fast fields
//! (categories, hazards, provinces, cities, kind, channel, source, platform, brands, enterprises)
//! and counts each value once per document; and a histogram of matches per day or week.
//!
//! Per segment it counts term ordinals into a dense array sized by the column's dictionary (no
//! hashing on the hot path: a broad query over a million documents touches every match), and turns
//! them into strings only at harvest.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts per facet name, then per value.
pub type FacetCounts = BTreeMap<String, HashMap<String, u64>>;

pub struct FacetCollector {
    /// (facet name shown to users, fast field name)
    pub facets: Vec<(&'static str, &'static str)>,
}

pub struct FacetSegmentCollector {
    columns: Vec<(&'static str, Option<StrColumn>, Vec<u64>)>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for (name, field) in &self.facets {
            // A segment without any value for a field has no column: it simply counts nothing.
            let col = segment.fast_fields().str(field)?;
            let terms = col.as_ref().map_or(0, |c| c.num_terms());
            columns.push((*name, col, vec![0; terms]));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut out = FacetCounts::new();
        for (name, _) in &self.facets {
            out.entry((*name).to_string()).or_default();
        }
        for fruit in fruits {
            for (facet, values) in fruit {
                let slot = out.entry(facet).or_default();
                for (v, n) in values {
                    *slot.entry(v).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (_, col, counts) in &mut self.columns {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    if let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                        *n += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut out = FacetCounts::new();
        for (name, col, counts) in self.columns {
            let slot = out.entry(name.to_string()).or_default();
            let Some(col) = col else { continue };
            let mut s = String::new();
            for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                // An ordinal the dictionary cannot resolve is skipped rather than failing the search.
                if let Ok(true) = col.ord_to_str(ord as u64, &mut s) {
                    *slot.entry(s.clone()).or_default() += n;
                }
            }
        }
        out
    }
}
/// Matches per day (days since 1970-01-01 in Beijing time) from a date fast field.
pub struct DayHistogram {
    pub field: &'static str,
}

pub struct DayHistogramSegment {
    column: Option<tantivy::columnar::Column<tantivy::DateTime>>,
    days: BTreeMap<i64, u64>,
}

impl Collector for DayHistogram {
    type Fruit = BTreeMap<i64, u64>;
    type Child = DayHistogramSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<DayHistogramSegment> {
        let column = segment.fast_fields().date(self.field).ok();
        Ok(DayHistogramSegment {
            column,
            days: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<i64, u64>>) -> tantivy::Result<BTreeMap<i64, u64>> {
        let mut out = BTreeMap::new();
        for f in fruits {
            for (d, n) in f {
                *out.entry(d).or_default() += n;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for DayHistogramSegment {
    type Fruit = BTreeMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(t) = self.column.as_ref().and_then(|c| c.first(doc)) {
            // The `day` field holds each document's Beijing-time day at 00:00 UTC.
            let day = t.into_timestamp_secs().div_euclid(86_400);
            *self.days.entry(day).or_default() += 1;
        }
    }

    fn harvest(self) -> BTreeMap<i64, u64> {
        self.days
    }
}

/// Day counts → labelled buckets, oldest first.
pub fn bucket(days: BTreeMap<i64, u64>, interval: super::Interval) -> Vec<(String, u64)> {
    use chrono::{Datelike, NaiveDate};
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut out: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (d, n) in days {
        let Some(date) = epoch.checked_add_signed(chrono::Duration::days(d)) else {
            continue;
        };
        let key = match interval {
            super::Interval::Day => date,
            super::Interval::Week => {
                date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
            }
        };
        *out.entry(key).or_default() += n;
    }
    out.into_iter().map(|(d, n)| (d.to_string(), n)).collect()
}
