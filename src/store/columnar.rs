//! The signal table in memory — one typed vector per column — and the Parquet encoding of it and
//! of other small tables (reports).
//!
//! Why not polars (issue 22): scoring reads a few columns of each partition and turns them into
//! integer-coded records at once (`score::load`), and reports group a year of signals by period;
//! neither needs a query engine, and polars was half of the first release build (1,096 of 2,202
//! unit-seconds). The `parquet` crate's column API, without arrow, builds in about 15.
//!
//! Text columns are dictionaries ([`StrCol`]): read from dictionary pages, each distinct value
//! is held and checked once and each row is a `u32` code (`super::pages` decodes the pages,
//! issue 48), so reading, validating and scoring cost per distinct value where the file does.
//!
//! Files are plain Parquet (INT64 TIMESTAMP(MILLIS, UTC), INT32 DATE, INT32 INTEGER(8), FLOAT,
//! BYTE_ARRAY STRING, zstd), readable by pandas, duckdb and polars; the reader also takes what
//! polars wrote in earlier versions (every column OPTIONAL, dictionary-encoded strings) and
//! other writers' timestamp units and integer or float widths. A column the caller did not ask
//! for is not decoded and stays empty.
//!
//! This file holds the in-memory table ([`StrCol`], [`SignalColumns`]); the Parquet encoding is in
//! `write` ([`write_table`]), the decoding in `read` ([`read_signal_parquet`]).

mod read;
mod write;

use chrono::NaiveDate;

use crate::model::Signal;
pub use read::{ReadTable, read_signal_parquet};
pub use write::{Col, write_table};

/// A column of strings, possibly null, kept as a dictionary: its entries end to end, where each
/// ends, and each row's entry (issue 48). A column read from dictionary pages holds each
/// distinct value once and a `u32` per row, so a reader costs per distinct value, and so does a
/// caller that derives something from each value ([`StrCol::entries`], [`StrCol::code`]). Plain
/// values (and [`StrCol::push`]) are an entry each; entries are not deduplicated, so two codes
/// may name equal strings.
#[derive(Debug, Clone, Default)]
pub struct StrCol {
    text: String,
    ends: Vec<usize>,
    codes: Vec<u32>,
}

/// The code of a null row.
const NULL: u32 = u32::MAX;

impl StrCol {
    pub fn with_capacity(rows: usize) -> StrCol {
        StrCol {
            text: String::with_capacity(rows * 8),
            ends: Vec::with_capacity(rows),
            codes: Vec::with_capacity(rows),
        }
    }

    /// Append a row. A value equal to the last entry reuses it (what a sorted column repeats is
    /// held once).
    pub fn push(&mut self, v: Option<&str>) {
        let Some(v) = v else {
            self.codes.push(NULL);
            return;
        };
        let n = self.ends.len();
        if n > 0 && self.entry(n - 1) == v {
            self.codes.push((n - 1) as u32);
            return;
        }
        self.text.push_str(v);
        self.ends.push(self.text.len());
        self.codes.push(n as u32);
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Row `i` (`None` when null or out of range).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.code(i).map(|e| self.entry(e as usize))
    }

    /// Row `i`, null as "".
    pub fn str(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.codes
            .iter()
            .map(move |&c| (c != NULL).then(|| self.entry(c as usize)))
    }

    /// The entry of row `i` (an index below [`StrCol::entries`]), `None` when null or out of
    /// range.
    pub fn code(&self, i: usize) -> Option<u32> {
        self.codes.get(i).copied().filter(|&c| c != NULL)
    }

    /// Each row's entry, `None` when null.
    pub fn codes(&self) -> impl Iterator<Item = Option<u32>> + '_ {
        self.codes.iter().map(|&c| (c != NULL).then_some(c))
    }

    /// Entries of the dictionary (at most one per row, often far fewer).
    pub fn entries(&self) -> usize {
        self.ends.len()
    }

    /// Entry `e` (below [`StrCol::entries`]).
    pub fn entry(&self, e: usize) -> &str {
        let start = if e == 0 { 0 } else { self.ends[e - 1] };
        self.text.get(start..self.ends[e]).unwrap_or("")
    }

    pub fn has_nulls(&self) -> bool {
        self.codes.contains(&NULL)
    }

    /// A column of `text` with entries ending at `ends` (on character boundaries, ascending)
    /// and each row's entry (`u32::MAX`: null; others below `ends.len()`).
    pub(crate) fn from_parts(text: String, ends: Vec<usize>, codes: Vec<u32>) -> StrCol {
        StrCol { text, ends, codes }
    }

    /// Append a dictionary: `text` with entries ending at `ends` (within `text`, on character
    /// boundaries, ascending); the new entries' codes start at the returned base.
    pub(crate) fn add_entries(&mut self, text: &str, ends: &[usize]) -> u32 {
        let base = self.text.len();
        let first = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.extend(ends.iter().map(|e| base + e));
        first
    }

    /// Append rows by code (`None`: null), codes below [`StrCol::entries`].
    pub(crate) fn push_codes(&mut self, codes: impl Iterator<Item = Option<u32>>) {
        self.codes.extend(codes.map(|c| c.unwrap_or(NULL)));
    }

    /// The rows at `idx`, in that order. A take of at least half as many rows as there are
    /// entries (a filter of a piece, a column of few values) keeps the dictionary and maps the
    /// codes; a smaller one (a slice of a large table, detail rows) copies just their values.
    fn take(&self, idx: &[usize]) -> StrCol {
        if idx.len().saturating_mul(2) < self.entries() {
            let mut out = StrCol::with_capacity(idx.len());
            for &i in idx {
                out.push(self.get(i));
            }
            return out;
        }
        StrCol {
            text: self.text.clone(),
            ends: self.ends.clone(),
            codes: idx.iter().map(|&i| self.codes[i]).collect(),
        }
    }

    /// Append `other`'s rows, its dictionary after this one's.
    fn append(&mut self, other: &StrCol) {
        let base = self.add_entries(&other.text, &other.ends);
        self.codes.extend(
            other
                .codes
                .iter()
                .map(|&c| if c == NULL { NULL } else { base + c }),
        );
    }

    /// Set row `i` (below [`StrCol::len`]) to `v`, a new entry.
    pub fn set(&mut self, i: usize, v: Option<&str>) {
        let code = match v {
            None => NULL,
            Some(v) => {
                self.text.push_str(v);
                self.ends.push(self.text.len());
                (self.ends.len() - 1) as u32
            }
        };
        if let Some(c) = self.codes.get_mut(i) {
            *c = code;
        }
    }

    /// Null rows whose value fails `keep`; how many did.
    pub(crate) fn null_unless(&mut self, keep: impl Fn(&str) -> bool) -> usize {
        let ok: Vec<bool> = (0..self.entries()).map(|e| keep(self.entry(e))).collect();
        if ok.iter().all(|&k| k) {
            return 0;
        }
        let mut n = 0;
        for c in &mut self.codes {
            if *c != NULL && !ok[*c as usize] {
                *c = NULL;
                n += 1;
            }
        }
        n
    }
}

/// Rows compare by value, whatever their dictionaries.
impl PartialEq for StrCol {
    fn eq(&self, other: &StrCol) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a> FromIterator<Option<&'a str>> for StrCol {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> StrCol {
        let mut c = StrCol::default();
        for v in iter {
            c.push(v);
        }
        c
    }
}

/// Column names of the signal table, in table order (see `super::signals`).
pub const COLUMNS: [&str; 13] = [
    "time",
    "day",
    "category",
    "hazard",
    "severity",
    "province",
    "city",
    "source",
    "source_kind",
    "kind",
    "weight",
    "cluster",
    "doc",
];

/// The optional column of the signal table: the product noun of an unclassified signal
/// ([`Signal::product`]). Not in [`COLUMNS`] (what scoring reads and checks); a file written
/// before it existed reads it as null.
pub const PRODUCT: &str = "product";

/// Every column of the signal table, in table (and file) order: [`COLUMNS`], then [`PRODUCT`].
pub const ALL_COLUMNS: [&str; COLUMNS.len() + 1] = {
    let mut all = [PRODUCT; COLUMNS.len() + 1];
    let mut i = 0;
    while i < COLUMNS.len() {
        all[i] = COLUMNS[i];
        i += 1;
    }
    all
};

/// Longest product noun kept, in characters: a noun as written is a few characters; a longer
/// value is not one (a sentence, another writer's junk) and reads as null, counted.
pub const MAX_PRODUCT_CHARS: usize = 32;

/// Whether `v` can be a product noun: not blank, at most [`MAX_PRODUCT_CHARS`] characters, no
/// control characters.
pub fn valid_product(v: &str) -> bool {
    !v.trim().is_empty()
        && v.chars().count() <= MAX_PRODUCT_CHARS
        && !v.chars().any(char::is_control)
}

/// Rows of the signal table, one vector per column. A column that was not read is empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignalColumns {
    rows: usize,
    /// Milliseconds since the epoch (UTC).
    pub time: Vec<i64>,
    /// Days since the epoch (Beijing-time day).
    pub day: Vec<i32>,
    pub category: StrCol,
    pub hazard: StrCol,
    pub severity: Vec<i8>,
    /// Null: unplaced.
    pub province: StrCol,
    pub city: StrCol,
    pub source: StrCol,
    pub source_kind: StrCol,
    pub kind: StrCol,
    pub weight: Vec<f32>,
    pub cluster: StrCol,
    pub doc: StrCol,
    /// Null but for unclassified signals. May be empty while other columns are filled (a table
    /// built without it): every row then reads as null (`StrCol::get` is `None` past the end).
    pub product: StrCol,
}

impl SignalColumns {
    /// Rows in the table (whatever columns were read).
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The text column `name` (of [`COLUMNS`]), if it is one.
    pub fn strings(&self, name: &str) -> Option<&StrCol> {
        Some(match name {
            "category" => &self.category,
            "hazard" => &self.hazard,
            "province" => &self.province,
            "city" => &self.city,
            "source" => &self.source,
            "source_kind" => &self.source_kind,
            "kind" => &self.kind,
            "cluster" => &self.cluster,
            "doc" => &self.doc,
            PRODUCT => &self.product,
            _ => return None,
        })
    }

    fn strings_mut(&mut self, name: &str) -> Option<&mut StrCol> {
        Some(match name {
            "category" => &mut self.category,
            "hazard" => &mut self.hazard,
            "province" => &mut self.province,
            "city" => &mut self.city,
            "source" => &mut self.source,
            "source_kind" => &mut self.source_kind,
            "kind" => &mut self.kind,
            "cluster" => &mut self.cluster,
            "doc" => &mut self.doc,
            PRODUCT => &mut self.product,
            _ => return None,
        })
    }

    /// Append one signal (every column).
    pub fn push_signal(&mut self, s: &Signal) {
        let cluster = if s.cluster.is_empty() {
            &s.doc_id
        } else {
            &s.cluster
        };
        self.time.push(s.time.timestamp_millis());
        self.day.push(epoch_days(s.day()));
        self.category.push(Some(&s.category));
        self.hazard.push(Some(&s.hazard));
        // clamp keeps it in 1..=4, so the cast cannot wrap.
        self.severity.push(s.severity.clamp(1, 4) as i8);
        self.province.push(s.province.as_deref());
        self.city.push(s.city.as_deref());
        self.source.push(Some(&s.source));
        self.source_kind.push(Some(s.channel.as_str()));
        self.kind.push(Some(s.kind.as_str()));
        self.weight.push(s.weight);
        self.cluster.push(Some(cluster));
        self.doc.push(Some(&s.doc_id));
        self.pad_product();
        self.product.push(s.product.as_deref());
        self.rows += 1;
    }

    /// The table of these signals, in their order.
    pub fn of_signals<'a>(signals: impl IntoIterator<Item = &'a Signal>) -> SignalColumns {
        let mut c = SignalColumns::default();
        for s in signals {
            c.push_signal(s);
        }
        c
    }

    /// A table of `rows` rows whose columns are filled by the caller (each must end up with
    /// `rows` values or none).
    pub fn with_rows(rows: usize) -> SignalColumns {
        SignalColumns {
            rows,
            ..SignalColumns::default()
        }
    }

    /// Set the row count of a table whose columns were filled by hand (each filled column must
    /// hold `rows` values).
    pub fn set_rows(&mut self, rows: usize) {
        debug_assert!(self.time.is_empty() || self.time.len() == rows);
        debug_assert!(self.doc.is_empty() || self.doc.len() == rows);
        self.rows = rows;
    }

    /// The rows at `idx`, in that order (every column that was read).
    pub fn take(&self, idx: &[usize]) -> SignalColumns {
        fn nums<T: Copy>(v: &[T], idx: &[usize]) -> Vec<T> {
            if v.is_empty() {
                return Vec::new();
            }
            idx.iter().map(|&i| v[i]).collect()
        }
        fn strs(c: &StrCol, idx: &[usize]) -> StrCol {
            if c.is_empty() {
                return StrCol::default();
            }
            c.take(idx)
        }
        SignalColumns {
            rows: idx.len(),
            time: nums(&self.time, idx),
            day: nums(&self.day, idx),
            category: strs(&self.category, idx),
            hazard: strs(&self.hazard, idx),
            severity: nums(&self.severity, idx),
            province: strs(&self.province, idx),
            city: strs(&self.city, idx),
            source: strs(&self.source, idx),
            source_kind: strs(&self.source_kind, idx),
            kind: strs(&self.kind, idx),
            weight: nums(&self.weight, idx),
            cluster: strs(&self.cluster, idx),
            doc: strs(&self.doc, idx),
            product: strs(&self.product, idx),
        }
    }

    /// Rows `start..start + n`.
    pub fn slice(&self, start: usize, n: usize) -> SignalColumns {
        let idx: Vec<usize> = (start..(start + n).min(self.rows)).collect();
        self.take(&idx)
    }

    /// The rows where `keep` is true.
    pub fn filter(&self, keep: &[bool]) -> SignalColumns {
        let idx: Vec<usize> = (0..self.rows).filter(|&i| keep[i]).collect();
        self.take(&idx)
    }

    /// Append `other`'s rows (both must hold the same columns).
    pub fn append(&mut self, other: &SignalColumns) {
        fn strs(to: &mut StrCol, from: &StrCol) {
            to.append(from);
        }
        self.time.extend_from_slice(&other.time);
        self.day.extend_from_slice(&other.day);
        strs(&mut self.category, &other.category);
        strs(&mut self.hazard, &other.hazard);
        self.severity.extend_from_slice(&other.severity);
        strs(&mut self.province, &other.province);
        strs(&mut self.city, &other.city);
        strs(&mut self.source, &other.source);
        strs(&mut self.source_kind, &other.source_kind);
        strs(&mut self.kind, &other.kind);
        self.weight.extend_from_slice(&other.weight);
        strs(&mut self.cluster, &other.cluster);
        strs(&mut self.doc, &other.doc);
        // Optional: a piece without it (a table built without it) still appends row for row.
        if !other.product.is_empty() || !self.product.is_empty() {
            self.pad_product();
            strs(&mut self.product, &other.product);
            for _ in other.product.len()..other.rows {
                self.product.push(None);
            }
        }
        self.rows += other.rows;
    }

    /// Nulls for the rows the product column lacks, so the next value lands on its row.
    fn pad_product(&mut self) {
        for _ in self.product.len()..self.rows {
            self.product.push(None);
        }
    }

    /// Empty every column not in `keep` (what a pass did not ask for is not held).
    pub fn keep_only(&mut self, keep: &[&str]) {
        let k = |c: &str| keep.contains(&c);
        macro_rules! drop_unless {
            ($($f:ident),*) => {$(
                if !k(stringify!($f)) {
                    self.$f = Default::default();
                }
            )*};
        }
        drop_unless!(
            time,
            day,
            category,
            hazard,
            severity,
            province,
            city,
            source,
            source_kind,
            kind,
            weight,
            cluster,
            doc,
            product
        );
    }

    /// The Parquet bytes of the table (every column of [`COLUMNS`] must have been filled; an
    /// empty product column is written as nulls).
    pub fn to_parquet(&self) -> Result<Vec<u8>, parquet::errors::ParquetError> {
        let padded;
        let product = if self.product.len() == self.rows {
            &self.product
        } else {
            let mut p = self.product.clone();
            for _ in p.len()..self.rows {
                p.push(None);
            }
            padded = p;
            &padded
        };
        write_table(&[
            ("time", Col::TimestampMs(&self.time)),
            ("day", Col::Date(&self.day)),
            ("category", Col::Str(&self.category)),
            ("hazard", Col::Str(&self.hazard)),
            ("severity", Col::Int8(&self.severity)),
            ("province", Col::Str(&self.province)),
            ("city", Col::Str(&self.city)),
            ("source", Col::Str(&self.source)),
            ("source_kind", Col::Str(&self.source_kind)),
            ("kind", Col::Str(&self.kind)),
            ("weight", Col::Float32(&self.weight)),
            ("cluster", Col::Str(&self.cluster)),
            ("doc", Col::Str(&self.doc)),
            (PRODUCT, Col::Str(product)),
        ])
    }
}

/// Days since 1970-01-01 (the Date column's physical value).
pub fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MIN)
}

/// The date of a Date column's physical value.
pub fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::data_type::ByteArray;
    use parquet::file::reader::SerializedFileReader;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;

    fn table() -> SignalColumns {
        let mut t = SignalColumns::with_rows(3);
        t.time = vec![1_700_000_000_000, 1_700_000_100_000, -5];
        t.day = vec![19675, 19676, 0];
        t.category = [Some("电动自行车"), Some("儿童玩具"), Some("")]
            .into_iter()
            .collect();
        t.hazard = [Some("火灾"), Some("窒息"), Some("未指明")]
            .into_iter()
            .collect();
        t.severity = vec![1, 4, 2];
        t.province = [Some("浙江省"), None, Some("境外:美国")]
            .into_iter()
            .collect();
        t.city = [None, None, Some("杭州市")].into_iter().collect();
        t.source = [Some("a"), Some("b"), Some("c")].into_iter().collect();
        t.source_kind = [Some("complaint"), Some("media"), Some("platform")]
            .into_iter()
            .collect();
        t.kind = [Some("listing"), None, Some("notice")]
            .into_iter()
            .collect();
        t.weight = vec![1.0, 0.5, 2.25];
        t.cluster = [Some("c1"), Some("c1"), Some("c2")].into_iter().collect();
        t.doc = [Some("d1"), Some("d2"), Some("d3")].into_iter().collect();
        t
    }

    fn reread(bytes: &[u8], columns: &[&str]) -> Result<ReadTable, String> {
        let reader = SerializedFileReader::new(bytes::Bytes::from(bytes.to_vec())).unwrap();
        read_signal_parquet(&reader, columns, &[], 0..usize::MAX)
    }

    #[test]
    fn a_table_survives_parquet_and_its_bytes_are_stable() {
        let t = table();
        let bytes = t.to_parquet().unwrap();
        assert_eq!(bytes, t.to_parquet().unwrap(), "same table, same bytes");
        let back = reread(&bytes, &COLUMNS).unwrap();
        assert_eq!(back.columns, t);
        assert!(back.null_numbers.iter().all(|n| !n));
    }

    #[test]
    fn only_the_columns_asked_for_are_decoded() {
        let bytes = table().to_parquet().unwrap();
        let back = reread(&bytes, &["day", "province"]).unwrap().columns;
        assert_eq!(back.len(), 3);
        assert_eq!(back.day, vec![19675, 19676, 0]);
        assert_eq!(back.province.get(1), None);
        assert_eq!(back.province.get(2), Some("境外:美国"));
        assert!(back.category.is_empty() && back.time.is_empty());
    }

    #[test]
    fn a_missing_or_mistyped_column_is_named() {
        let s = table();
        let bytes = write_table(&[("day", Col::Str(&s.category))]).unwrap();
        let e = reread(&bytes, &["day"]).err().unwrap();
        assert!(e.contains("column `day` is text, expected a date"), "{e}");
        let e = reread(&bytes, &["time"]).err().unwrap();
        assert!(e.contains("no column `time`"), "{e}");
    }

    /// Values valid only end to end (a character split across two rows) are refused, as are
    /// bytes that are not UTF-8 at all; the column is named.
    #[test]
    fn text_that_is_not_utf8_value_by_value_is_refused() {
        let t = table();
        for bad in [vec![vec![0xE4u8], vec![0xB8, 0xAD]], vec![vec![0xFF, 0x41]]] {
            let values: Vec<ByteArray> = bad.into_iter().map(ByteArray::from).collect();
            let schema = Arc::new(
                parquet::schema::parser::parse_message_type(
                    "message schema { REQUIRED BYTE_ARRAY doc (STRING); }",
                )
                .unwrap(),
            );
            let mut buf = Vec::new();
            let mut w = SerializedFileWriter::new(&mut buf, schema, Default::default()).unwrap();
            let mut g = w.next_row_group().unwrap();
            let mut c = g.next_column().unwrap().unwrap();
            c.typed::<parquet::data_type::ByteArrayType>()
                .write_batch(&values, None, None)
                .unwrap();
            c.close().unwrap();
            g.close().unwrap();
            w.close().unwrap();
            let e = reread(&buf, &["doc"]).err().unwrap();
            assert!(
                e.contains("column `doc` holds text that is not UTF-8"),
                "{e}"
            );
        }
        // and valid text still reads
        assert_eq!(
            reread(&t.to_parquet().unwrap(), &["doc"])
                .unwrap()
                .columns
                .doc,
            t.doc
        );
    }

    /// A product column that does not read (text not UTF-8 value by value, a number column)
    /// nulls those values and counts them instead of refusing the file; a file without the
    /// column reads it as null.
    #[test]
    fn an_unreadable_product_value_is_null_and_counted() {
        let values: Vec<ByteArray> = [
            &b"\xe7\xad\x8b\xe8\x86\x9c\xe6\x9e\xaa"[..],
            &[0xFF, 0x41],
            &[0xE4],
            &[0xB8, 0xAD],
        ]
        .into_iter()
        .map(|b| ByteArray::from(b.to_vec()))
        .collect();
        let schema = Arc::new(
            parquet::schema::parser::parse_message_type(
                "message schema { OPTIONAL BYTE_ARRAY product (STRING); }",
            )
            .unwrap(),
        );
        let mut buf = Vec::new();
        let mut w = SerializedFileWriter::new(&mut buf, schema, Default::default()).unwrap();
        let mut g = w.next_row_group().unwrap();
        let mut c = g.next_column().unwrap().unwrap();
        c.typed::<parquet::data_type::ByteArrayType>()
            .write_batch(&values, Some(&[1, 1, 1, 0, 1]), None)
            .unwrap();
        c.close().unwrap();
        g.close().unwrap();
        w.close().unwrap();
        let back = reread(&buf, &[PRODUCT]).unwrap();
        assert_eq!(
            back.columns.product.iter().collect::<Vec<_>>(),
            [Some("筋膜枪"), None, None, None, None]
        );
        assert_eq!(back.bad_products, 3, "two halves of a character and 0xFF");

        let t = table();
        let bytes =
            write_table(&[("doc", Col::Str(&t.doc)), (PRODUCT, Col::Int64(&[1, 2, 3]))]).unwrap();
        let back = reread(&bytes, &["doc", PRODUCT]).unwrap();
        assert_eq!(back.bad_products, 3);
        assert_eq!(back.columns.product.len(), 3);
        assert!(back.columns.product.iter().all(|p| p.is_none()));
        let bytes = write_table(&[("doc", Col::Str(&t.doc))]).unwrap();
        let back = reread(&bytes, &[PRODUCT]).unwrap();
        assert_eq!((back.columns.product.len(), back.bad_products), (3, 0));
    }

    #[test]
    fn appending_a_piece_without_products_keeps_rows_aligned() {
        let mut with = table();
        with.product = [None, Some("暖宫贴"), None].into_iter().collect();
        let mut a = table();
        a.append(&with);
        assert_eq!(
            a.product.iter().collect::<Vec<_>>(),
            [None, None, None, None, Some("暖宫贴"), None]
        );
        let mut b = with.clone();
        b.append(&table());
        assert_eq!(b.product.len(), 6);
        assert_eq!(b.product.get(1), Some("暖宫贴"));
        assert_eq!(b.take(&[4, 1]).product.get(1), Some("暖宫贴"));
    }

    #[test]
    fn take_filter_slice_and_append_keep_rows_together() {
        let t = table();
        let f = t.filter(&[true, false, true]);
        assert_eq!(f.len(), 2);
        assert_eq!(f.doc.get(1), Some("d3"));
        assert_eq!(f.province.get(0), Some("浙江省"));
        let s = t.slice(1, 5);
        assert_eq!(s.len(), 2);
        assert_eq!(s.time, vec![1_700_000_100_000, -5]);
        let mut a = t.take(&[2]);
        a.append(&t.take(&[0]));
        assert_eq!(
            a.cluster.iter().collect::<Vec<_>>(),
            vec![Some("c2"), Some("c1")]
        );
        let mut k = t.clone();
        k.keep_only(&["doc"]);
        assert!(k.time.is_empty() && k.category.is_empty());
        assert_eq!(k.doc.len(), 3);
    }
}
