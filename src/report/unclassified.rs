//! The unclassified-products report (`jiance report --unclassified`): per period, each product
//! noun that signals of category `未归类` carry (a real problem about a product no category rule
//! knows, `Signal::product`), with its signals, distinct documents and distinct clusters, most
//! signals first — so an analyst sees a new kind of product surfacing before a rule names it.
//!
//! Data flows signals/ (columns `day`, `product`, `doc`, `cluster` only, piece by piece through
//! `store::signal_read`) → per (period, noun) counts → a [`ProductReport`] → CSV, Parquet or a
//! text table (`output.rs`). Rows without a noun (every classified signal, partitions written
//! before nouns were stored) are not counted; a noun that does not read (not UTF-8, blank, too
//! long) is null, counted in [`ProductReport::bad_products`] and logged.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{ReportError, period_start};
use crate::config::Every;
use crate::store::signal_read::SignalSource;
use crate::store::signals::{PRODUCT, SignalTableError};

/// One row: a product noun in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub period: NaiveDate,
    pub product: String,
    /// Signal rows with this noun.
    pub signals: i64,
    /// Distinct documents behind them.
    pub documents: i64,
    /// Distinct near-duplicate clusters (a reposted story counts once).
    pub clusters: i64,
}

/// The report: rows by period, then most signals first (then most documents, then the noun).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductReport {
    pub rows: Vec<ProductRow>,
    /// Product values read as null (see the module doc).
    pub bad_products: usize,
}

impl ProductReport {
    pub const COLUMNS: [&'static str; 5] =
        ["period", "product", "signals", "documents", "clusters"];

    pub fn height(&self) -> usize {
        self.rows.len()
    }
}

/// One (period, noun): signals, and the ids of its documents and of its clusters.
type Tally = (i64, HashSet<usize>, HashSet<usize>);

/// The columns the report reads.
const READ: [&str; 4] = ["day", PRODUCT, "doc", "cluster"];

/// Count the unclassified nouns of `signals` per period of `every` between `from` and `until`
/// (Beijing days, inclusive, either open).
pub fn build_unclassified(
    signals: &SignalSource,
    every: Every,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<ProductReport, ReportError> {
    // (period, noun) → signals, documents, clusters; strings numbered so the sets hold integers
    let mut nouns: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut id = |s: &str| -> usize {
        if let Some(&i) = ids.get(s) {
            return i;
        }
        let i = ids.len();
        ids.insert(s.to_string(), i);
        i
    };
    let mut counts: HashMap<(NaiveDate, usize), Tally> = HashMap::new();
    let mut bad_products = 0usize;
    let mut bad_days = 0usize;
    for i in 0..signals.pieces() {
        let piece = signals.read_counted(i, &READ)?;
        bad_products += piece.bad_products;
        let t = piece.table;
        if t.day.len() != t.len() || t.doc.len() != t.len() || t.cluster.len() != t.len() {
            return Err(ReportError::Signals(SignalTableError::Schema {
                path: signals.name().to_string(),
                message: "a column holds fewer values than the table has rows".into(),
            }));
        }
        for r in 0..t.len() {
            let Some(noun) = t.product.get(r) else {
                continue;
            };
            let Some(day) = NaiveDate::from_epoch_days(t.day[r]) else {
                bad_days += 1;
                continue;
            };
            if from.is_some_and(|f| day < f) || until.is_some_and(|u| day > u) {
                continue;
            }
            let noun = match nouns.get(noun) {
                Some(&k) => k,
                None => {
                    let k = nouns.len();
                    nouns.insert(noun.to_string(), k);
                    k
                }
            };
            let c = counts.entry((period_start(every, day), noun)).or_default();
            c.0 += 1;
            c.1.insert(id(t.doc.str(r)));
            c.2.insert(id(t.cluster.str(r)));
        }
    }
    if bad_products > 0 || bad_days > 0 {
        tracing::warn!(
            "{}: {bad_products} product value(s) read as null (not UTF-8, not text, blank, too \
             long or with control characters) and {bad_days} row(s) with a day that is no date",
            signals.name()
        );
    }
    let mut names = vec![String::new(); nouns.len()];
    for (s, i) in nouns {
        names[i] = s;
    }
    let mut rows: Vec<ProductRow> = counts
        .into_iter()
        .map(|((period, noun), (n, docs, clusters))| ProductRow {
            period,
            product: names[noun].clone(),
            signals: n,
            documents: docs.len() as i64,
            clusters: clusters.len() as i64,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.period
            .cmp(&b.period)
            .then_with(|| b.signals.cmp(&a.signals))
            .then_with(|| b.documents.cmp(&a.documents))
            .then_with(|| a.product.cmp(&b.product))
    });
    Ok(ProductReport { rows, bad_products })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, DocKind, Signal};
    use crate::store::signals::write_partitions;
    use chrono::{TimeZone, Utc};

    fn sig(doc: &str, cluster: &str, day: u32, product: Option<&str>) -> Signal {
        Signal {
            doc_id: doc.into(),
            time: Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap(),
            category: if product.is_some() {
                "未归类".into()
            } else {
                "电动自行车".into()
            },
            hazard: "烫伤/烧伤".into(),
            severity: 2,
            province: Some("浙江省".into()),
            city: None,
            source: "12315平台".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: cluster.into(),
            parties: Default::default(),
            product: product.map(Into::into),
        }
    }

    fn report(signals: &[Signal], every: Every, from: Option<NaiveDate>) -> ProductReport {
        let dir = tempfile::tempdir().unwrap();
        write_partitions(dir.path(), signals).unwrap();
        let source = SignalSource::open(dir.path()).unwrap();
        build_unclassified(&source, every, from, None).unwrap()
    }

    fn rows(r: &ProductReport) -> Vec<(String, &str, i64, i64, i64)> {
        r.rows
            .iter()
            .map(|r| {
                (
                    r.period.to_string(),
                    r.product.as_str(),
                    r.signals,
                    r.documents,
                    r.clusters,
                )
            })
            .collect()
    }

    #[test]
    fn nouns_are_counted_per_period_most_signals_first() {
        // 2026-03-02 is a Monday; the 9th the next one.
        let signals = vec![
            // 暖宫贴: one document with two findings, and a repost in the same cluster
            sig("a", "k1", 3, Some("暖宫贴")),
            sig("a", "k1", 3, Some("暖宫贴")),
            sig("b", "k1", 4, Some("暖宫贴")),
            // 筋膜枪: one signal this week, three documents of two stories next week
            sig("c", "c", 5, Some("筋膜枪")),
            sig("d", "d", 9, Some("筋膜枪")),
            sig("e", "d", 10, Some("筋膜枪")),
            sig("f", "f", 11, Some("筋膜枪")),
            // classified: not counted
            sig("g", "g", 3, None),
            sig("h", "h", 10, None),
        ];
        let r = report(&signals, Every::Week, None);
        assert_eq!(
            rows(&r),
            [
                ("2026-03-02".to_string(), "暖宫贴", 3, 2, 1),
                ("2026-03-02".to_string(), "筋膜枪", 1, 1, 1),
                ("2026-03-09".to_string(), "筋膜枪", 3, 3, 2),
            ]
        );
        assert_eq!(r.bad_products, 0);
        // A later start leaves the first week out; days are periods of their own.
        let from = NaiveDate::from_ymd_opt(2026, 3, 10);
        let r = report(&signals, Every::Day, from);
        assert_eq!(
            rows(&r),
            [
                ("2026-03-10".to_string(), "筋膜枪", 1, 1, 1),
                ("2026-03-11".to_string(), "筋膜枪", 1, 1, 1),
            ]
        );
    }

    #[test]
    fn a_table_without_nouns_gives_no_rows_and_bad_nouns_are_counted() {
        let plain = vec![sig("a", "a", 3, None), sig("b", "b", 4, None)];
        assert!(report(&plain, Every::Week, None).rows.is_empty());
        let bad = vec![
            sig("a", "a", 3, Some("\u{1}")),
            sig("b", "b", 3, Some("电动按摩椅")),
        ];
        let r = report(&bad, Every::Month, None);
        assert_eq!(r.bad_products, 1);
        assert_eq!(
            rows(&r),
            [("2026-03-01".to_string(), "电动按摩椅", 1, 1, 1)]
        );
    }
}
