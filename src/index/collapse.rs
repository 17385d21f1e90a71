//! One hit per story: collectors that group the matching documents by their near-duplicate
//! cluster (the `cluster` fast field, see `analyze::cluster`).
//!
//! [`Stories`] keeps, per cluster, the best document (highest score, or latest day when results
//! go by date) and how many documents of the cluster match; the search then pages over clusters.
//! [`StoryFacets`] counts each facet value once per cluster, beside the per-document counts.
//! Both work per segment on term ordinals and turn them into strings once, at harvest; their
//! memory grows with the number of matching clusters, not with the index.

use std::collections::{BTreeMap, HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The best document of one cluster among the matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Story {
    /// Score, or the day as seconds when ordering by date.
    pub key: f64,
    pub addr: DocAddress,
    /// Matching documents in the cluster.
    pub count: u64,
}

impl Story {
    fn absorb(&mut self, other: Story) {
        let count = self.count + other.count;
        if other.key > self.key || (other.key == self.key && other.addr < self.addr) {
            *self = other;
        }
        self.count = count;
    }
}

/// Groups the matches by cluster.
pub struct Stories {
    pub by_date: bool,
}

pub struct StoriesSegment {
    segment: SegmentOrdinal,
    by_date: bool,
    cluster: Option<StrColumn>,
    day: Option<Column<DateTime>>,
    /// cluster ordinal → best story
    best: HashMap<u64, Story>,
    /// Documents without a cluster value: each its own story.
    alone: Vec<Story>,
}

impl Collector for Stories {
    type Fruit = HashMap<String, Story>;
    type Child = StoriesSegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<StoriesSegment> {
        Ok(StoriesSegment {
            segment: ord,
            by_date: self.by_date,
            cluster: seg.fast_fields().str("cluster")?,
            day: seg.fast_fields().date("day").ok(),
            best: HashMap::new(),
            alone: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        !self.by_date
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out: HashMap<String, Story> = HashMap::new();
        for fruit in fruits {
            for (k, s) in fruit {
                match out.get_mut(&k) {
                    Some(have) => have.absorb(s),
                    None => {
                        out.insert(k, s);
                    }
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for StoriesSegment {
    type Fruit = HashMap<String, Story>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = if self.by_date {
            self.day
                .as_ref()
                .and_then(|c| c.first(doc))
                .map_or(f64::MIN, |d| d.into_timestamp_secs() as f64)
        } else {
            f64::from(score)
        };
        let story = Story {
            key,
            addr: DocAddress::new(self.segment, doc),
            count: 1,
        };
        match self.cluster.as_ref().and_then(|c| c.term_ords(doc).next()) {
            Some(ord) => match self.best.get_mut(&ord) {
                Some(have) => have.absorb(story),
                None => {
                    self.best.insert(ord, story);
                }
            },
            None => self.alone.push(story),
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = HashMap::with_capacity(self.best.len() + self.alone.len());
        if let Some(col) = &self.cluster {
            let mut s = String::new();
            for (ord, story) in self.best {
                if let Ok(true) = col.ord_to_str(ord, &mut s) {
                    out.insert(s.clone(), story);
                }
            }
        }
        for story in self.alone {
            // not a cluster id anyone writes: ids are hex, this has a space
            out.insert(
                format!("doc {}:{}", story.addr.segment_ord, story.addr.doc_id),
                story,
            );
        }
        out
    }
}

/// Stories sorted best first (ties by document address, so pages are stable).
pub fn ranked(stories: HashMap<String, Story>) -> Vec<(String, Story)> {
    let mut v: Vec<(String, Story)> = stories.into_iter().collect();
    v.sort_by(|a, b| {
        b.1.key
            .total_cmp(&a.1.key)
            .then_with(|| a.1.addr.cmp(&b.1.addr))
    });
    v
}

/// Facet values counted once per cluster.
pub struct StoryFacets {
    /// (facet name shown to users, fast field name)
    pub facets: Vec<(&'static str, &'static str)>,
}

type StoryFacetFruit = HashMap<(&'static str, String), HashSet<String>>;

pub struct StoryFacetsSegment {
    cluster: Option<StrColumn>,
    columns: Vec<(&'static str, Option<StrColumn>)>,
    /// (facet index, value ordinal, cluster ordinal)
    seen: HashSet<(usize, u64, u64)>,
}

impl Collector for StoryFacets {
    type Fruit = BTreeMap<String, BTreeMap<String, u64>>;
    type Child = StoryFacetsSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<StoryFacetsSegment> {
        let mut columns = Vec::with_capacity(self.facets.len());
        for (name, field) in &self.facets {
            columns.push((*name, seg.fast_fields().str(field)?));
        }
        Ok(StoryFacetsSegment {
            cluster: seg.fast_fields().str("cluster")?,
            columns,
            seen: HashSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<StoryFacetFruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: StoryFacetFruit = HashMap::new();
        for fruit in fruits {
            for (k, clusters) in fruit {
                all.entry(k).or_default().extend(clusters);
            }
        }
        let mut out: Self::Fruit = BTreeMap::new();
        for (name, _) in &self.facets {
            out.entry((*name).to_string()).or_default();
        }
        for ((name, value), clusters) in all {
            out.entry(name.to_string())
                .or_default()
                .insert(value, clusters.len() as u64);
        }
        Ok(out)
    }
}

impl SegmentCollector for StoryFacetsSegment {
    type Fruit = StoryFacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        // a document without a cluster counts as its own story (keyed by its doc id, above any ord)
        let cluster = self
            .cluster
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(u64::MAX - u64::from(doc));
        for (i, (_, col)) in self.columns.iter().enumerate() {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    self.seen.insert((i, ord, cluster));
                }
            }
        }
    }

    fn harvest(self) -> StoryFacetFruit {
        let mut out: StoryFacetFruit = HashMap::new();
        let (mut v, mut c) = (String::new(), String::new());
        for (i, ord, cluster) in self.seen {
            let Some((name, Some(col))) = self.columns.get(i) else {
                continue;
            };
            let Ok(true) = col.ord_to_str(ord, &mut v) else {
                continue;
            };
            let known = self
                .cluster
                .as_ref()
                .is_some_and(|cc| matches!(cc.ord_to_str(cluster, &mut c), Ok(true)));
            if !known {
                c = format!("doc {cluster}");
            }
            out.entry((*name, v.clone())).or_default().insert(c.clone());
        }
        out
    }
}
