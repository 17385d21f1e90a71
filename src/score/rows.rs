//! The rows a run reads one by one (issue 22): per cell, an index of the table's rows counted
//! there from the detail day on, with the first day of their cluster in the cell (integers the
//! aggregation's walk gives, `super::table`); and the rows a run's plan names (`super::plan`),
//! read back with every column once and built into `Signal`s once ([`Rows::read_back`]).
//! Scoring borrows those signals; nothing else of the table becomes a `Signal`.

use chrono::NaiveDate;

use super::ScoreError;
use super::load::Table;
use crate::model::{Channel, DocKind, Parties, Signal};
use crate::store::columnar::{SignalColumns, StrCol};
use crate::store::signals::epoch_days;

/// Per cell, the rows counted there from some day on with the first day of their cluster in the
/// cell (an index of integers, built by the aggregation); and the rows read back so far, as
/// `Signal`s built once each ([`Rows::read_back`]: a run reads only the rows of the cells
/// that need them). A row is named by a handle: its table row, or its position in the frame
/// `super::reference` reads all at once.
pub struct Rows {
    /// Per cell key: (handle, day, first day of its cluster in the cell), by day, then handle.
    by_key: Vec<Vec<(u32, i32, i32)>>,
    /// The rows read: each one's signal (no parties; `None` when a value it needs is missing)
    /// and table row.
    loaded: Vec<(Option<Signal>, Option<u32>)>,
    /// The handle of each row of `loaded`, ascending; `None`: a handle is its position there.
    handles: Option<Vec<u32>>,
}

impl Rows {
    /// Every row of `t` read already (every column) with its table row: handles are positions
    /// in `t`.
    #[cfg(feature = "reference")]
    pub(super) fn new(t: &SignalColumns, rows: &[u32], by_key: Vec<Vec<(u32, i32, i32)>>) -> Rows {
        Rows {
            loaded: signals_of(t, rows),
            by_key,
            handles: None,
        }
    }

    /// The index alone, handles being table rows; rows are read by [`Rows::read_back`].
    pub(super) fn index(by_key: Vec<Vec<(u32, i32, i32)>>) -> Rows {
        Rows {
            loaded: Vec::new(),
            by_key,
            handles: Some(Vec::new()),
        }
    }

    /// Rows read back.
    #[cfg(any(test, feature = "reference"))]
    pub fn read(&self) -> usize {
        self.loaded.len()
    }

    /// Handles of the rows of key `k` with day in `from ..= to` whose cluster is first seen in
    /// the cell on or after `from` (reposts of older stories are old news).
    pub fn window(&self, k: usize, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        let (from, to) = (epoch_days(from), epoch_days(to));
        let Some(rows) = self.by_key.get(k) else {
            return Vec::new();
        };
        let start = rows.partition_point(|&(_, d, _)| d < from);
        rows[start..]
            .iter()
            .take_while(|&&(_, d, _)| d <= to)
            .filter(|&&(_, _, first)| first >= from)
            .map(|&(h, _, _)| h as usize)
            .collect()
    }

    /// The position in `loaded` of a row, if it was read.
    fn position(&self, h: usize) -> Option<usize> {
        let found = match &self.handles {
            None => (h < self.loaded.len()).then_some(h),
            Some(handles) => u32::try_from(h)
                .ok()
                .and_then(|h| handles.binary_search(&h).ok()),
        };
        // A run reads the rows of the cells its plan names; scoring asks for no other.
        debug_assert!(found.is_some(), "row {h} was not read back");
        found
    }

    /// The signal of a row: the caller's own (with its parties) when the table was built from
    /// `source`, else the one built from the table (no parties).
    pub fn signal<'a>(&'a self, h: usize, source: Option<&'a [Signal]>) -> Option<&'a Signal> {
        let (signal, row) = self.loaded.get(self.position(h)?)?;
        match source {
            Some(src) => src.get((*row)? as usize),
            None => signal.as_ref(),
        }
    }
}

/// The signal (without parties) and table row of each row of `t` (every column), whose table
/// rows are `rows`.
fn signals_of(t: &SignalColumns, rows: &[u32]) -> Vec<(Option<Signal>, Option<u32>)> {
    let signal = |r: usize| -> Option<Signal> {
        let s = |c: &StrCol| c.get(r).map(str::to_string);
        let channel_name = t.source_kind.get(r)?;
        let channel = Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == channel_name)?;
        let kind = t
            .kind
            .get(r)
            .and_then(DocKind::parse)
            .unwrap_or(match channel {
                Channel::Complaint => DocKind::Complaint,
                Channel::Regulator => DocKind::Notice,
                Channel::Platform => DocKind::Listing,
                Channel::Media => DocKind::Media,
                Channel::Standard => DocKind::Standard,
            });
        Some(Signal {
            doc_id: s(&t.doc)?,
            time: chrono::DateTime::from_timestamp_millis(*t.time.get(r)?)?,
            category: s(&t.category)?,
            hazard: s(&t.hazard)?,
            // clamped to 1..=4 first, so the cast cannot wrap
            severity: t.severity.get(r)?.clamp(&1, &4).unsigned_abs(),
            province: s(&t.province),
            city: s(&t.city),
            source: s(&t.source)?,
            channel,
            kind,
            weight: *t.weight.get(r)?,
            cluster: s(&t.cluster)?,
            parties: Parties::default(),
            // scoring reads no product column: empty here, so None
            product: t.product.get(r).map(str::to_string),
        })
    };
    (0..t.len())
        .map(|r| (signal(r), rows.get(r).copied()))
        .collect()
}

impl Rows {
    /// Read back the rows at `handles` (table rows of `t`, the table the index was built from;
    /// any order, repeats allowed) with every column, replacing those read before.
    pub(super) fn read_back(&mut self, t: &Table, mut handles: Vec<u32>) -> Result<(), ScoreError> {
        handles.sort_unstable();
        handles.dedup();
        let started = std::time::Instant::now();
        let (table, rows) = t.detail(&handles)?;
        self.loaded = signals_of(&table, &rows);
        self.handles = Some(handles);
        tracing::debug!(
            rows = self.loaded.len(),
            read_ms = started.elapsed().as_millis() as u64,
            "detail rows read back"
        );
        Ok(())
    }
}
