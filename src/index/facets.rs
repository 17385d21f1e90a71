//! Facet counts over the matching documents: a collector that reads the string fast fields
//! (categories, hazards, provinces, kind, source, platform) and counts each value once per document.
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
