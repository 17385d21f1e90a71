//! The signal table read piece by piece, a few columns at a time (issue 22): what scoring,
//! reports and [`scan`] (which stacks every column of every piece) read.
//!
//! A [`SignalSource`] is a list of pieces: the Parquet partitions of a directory (or one Parquet
//! file), or slices of an in-memory table (JSON Lines input, the store's signals, tests). A piece
//! is read on its own ([`SignalSource::read`]) with the columns a pass needs: each Parquet file is
//! checked before anything is decoded (`super::parquet_check`) and decodes only those columns;
//! rows are validated here, once for every reader (a null required value, an unknown channel, a
//! severity outside 1–4 are skipped and counted), and an empty cluster becomes the document's.
//! Pieces are independent, so a caller can read them on several threads and keep only what it
//! derives from each.

use std::path::{Path, PathBuf};

use super::columnar::{ALL_COLUMNS, PRODUCT, SignalColumns, valid_product};
use super::signals::{SignalTableError, partitions, read_jsonl};
use crate::model::Channel;

/// Rows of an in-memory table per piece: small enough to spread over the cores, large enough
/// that each piece's fixed cost does not show.
const FRAME_PIECE_ROWS: usize = 1 << 18;

/// Columns every read decodes: what validation needs (see [`SignalSource::read`]).
const CHECKED: [&str; 9] = [
    "time",
    "day",
    "category",
    "hazard",
    "severity",
    "source",
    "source_kind",
    "cluster",
    "doc",
];

/// Columns of [`CHECKED`] that validation only requires to be present: unless a pass asks for
/// them, their values are not decoded (`read_signal_parquet`'s `presence`; the doc's text of
/// a decoded doc column was a tenth of `jiance score`, issue 48).
const PRESENCE: [&str; 3] = ["time", "hazard", "doc"];

/// A file larger than this is read in pieces of whole row groups (one Parquet file of millions
/// of signals, as polars or pyarrow write it, is read on every core; a day's partition is one
/// piece).
const SPLIT_BYTES: u64 = 16 << 20;

/// Rows of a file piece at least (but for the file's last): row groups are gathered up to it, so
/// a file of many small row groups does not read its footer once per group. A row group of
/// 65,536 rows or more is a piece of its own: polars writes 125,000 rows a group, and pieces of
/// three groups left a core idle for a third of the read at a million signals (three pieces on
/// two cores; issue 48).
const FILE_PIECE_ROWS: usize = 1 << 16;

enum Piece {
    /// A whole file, or its row groups `start..end`.
    File(PathBuf, Option<std::ops::Range<usize>>),
    Frame(Box<SignalColumns>),
}

/// The pieces of one Parquet file: itself, or runs of its row groups when it is large.
fn file_pieces(path: PathBuf) -> Vec<Piece> {
    file_pieces_with(path, SPLIT_BYTES, FILE_PIECE_ROWS)
}

fn file_pieces_with(path: PathBuf, split_bytes: u64, piece_rows: usize) -> Vec<Piece> {
    let large = std::fs::metadata(&path).is_ok_and(|m| m.len() > split_bytes);
    let groups = if large {
        super::parquet_check::row_groups(&path)
    } else {
        None
    };
    let Some(groups) = groups.filter(|g| g.len() > 1) else {
        return vec![Piece::File(path, None)];
    };
    let mut pieces = Vec::new();
    let (mut start, mut rows) = (0usize, 0usize);
    for (g, n) in groups.iter().enumerate() {
        rows += n;
        if rows >= piece_rows || g + 1 == groups.len() {
            pieces.push(Piece::File(path.clone(), Some(start..g + 1)));
            (start, rows) = (g + 1, 0);
        }
    }
    pieces
}

/// One piece as [`SignalSource::read_counted`] gives it.
pub struct PieceRead {
    /// The valid rows, with the columns asked for.
    pub table: SignalColumns,
    /// Rows skipped as invalid.
    pub skipped: usize,
    /// Product values read as null: unreadable (not UTF-8, a column of another type) or not a
    /// noun (blank, longer than `MAX_PRODUCT_CHARS`, control characters). Zero unless the
    /// product column was asked for.
    pub bad_products: usize,
}

/// A signal table to be read piece by piece.
pub struct SignalSource {
    name: String,
    pieces: Vec<Piece>,
    /// Bad JSON Lines input lines, or why a directory holds no table (as `scan_report`).
    pub bad: Vec<SignalTableError>,
}

impl SignalSource {
    /// A `.parquet` file, a directory of `day=*.parquet` partitions, or a JSON Lines file (read
    /// at once; its bad lines are in `bad`).
    pub fn open(path: &Path) -> Result<SignalSource, SignalTableError> {
        let name = path.display().to_string();
        let io = |source| SignalTableError::Io {
            path: name.clone(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            let (files, bad) = partitions(path)?;
            return Ok(SignalSource {
                name,
                pieces: files.into_iter().flat_map(file_pieces).collect(),
                bad,
            });
        }
        let is_parquet = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
            || parquet_magic(path);
        if is_parquet {
            return Ok(SignalSource {
                name,
                pieces: file_pieces(path.to_path_buf()),
                bad: Vec::new(),
            });
        }
        let (table, bad) = read_jsonl(path)?;
        let mut source = SignalSource::from_table(table, &name);
        source.bad = bad;
        Ok(source)
    }

    /// An in-memory signal table (every column filled), in pieces.
    pub fn from_table(table: SignalColumns, name: &str) -> SignalSource {
        let mut pieces = Vec::new();
        if table.len() <= FRAME_PIECE_ROWS {
            if !table.is_empty() {
                pieces.push(Piece::Frame(Box::new(table)));
            }
        } else {
            let mut at = 0usize;
            while at < table.len() {
                let n = FRAME_PIECE_ROWS.min(table.len() - at);
                pieces.push(Piece::Frame(Box::new(table.slice(at, n))));
                at += n;
            }
        }
        SignalSource {
            name: name.to_string(),
            pieces,
            bad: Vec::new(),
        }
    }

    /// What the table was opened from, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pieces(&self) -> usize {
        self.pieces.len()
    }

    /// The valid rows of piece `i`, in piece order, with `columns` (of [`ALL_COLUMNS`]; the others
    /// are left empty) and the number of rows skipped. A row is skipped, as `scan` skips it, for
    /// a null time, day, category, hazard, source or doc, an unknown `source_kind` or a severity
    /// outside 1–4; an empty cluster becomes the doc. The same piece always gives the same rows.
    pub fn read(
        &self,
        i: usize,
        columns: &[&str],
    ) -> Result<(SignalColumns, usize), SignalTableError> {
        let r = self.read_counted(i, columns)?;
        Ok((r.table, r.skipped))
    }

    /// [`SignalSource::read`], also counting the product values read as null (when `columns`
    /// holds [`PRODUCT`]; a file without that column is null throughout, not bad).
    pub fn read_counted(&self, i: usize, columns: &[&str]) -> Result<PieceRead, SignalTableError> {
        let mut decode: Vec<&str> = CHECKED.to_vec();
        for c in columns {
            if let Some(known) = ALL_COLUMNS.iter().find(|k| *k == c)
                && !decode.contains(known)
            {
                decode.push(known);
            }
        }
        // Checked, not read: time, hazard and doc are only required to be present, unless
        // asked for (doc's values are read back below if a row's cluster needs them).
        let presence: Vec<&str> = PRESENCE
            .into_iter()
            .filter(|c| !columns.contains(c))
            .collect();
        let (table, null_numbers, mut bad_products) = match &self.pieces[i] {
            Piece::File(path, groups) => {
                let read = super::parquet_check::check_parquet_columns(
                    path,
                    &decode,
                    &presence,
                    groups.clone(),
                )
                .map_err(|message| SignalTableError::Schema {
                    path: path.display().to_string(),
                    message,
                })?;
                (read.columns, read.null_numbers, read.bad_products)
            }
            Piece::Frame(t) => {
                let n = t.len();
                (SignalColumns::clone(t), vec![false; n], 0)
            }
        };
        let total = table.len();
        let valid = valid_rows(&table, &null_numbers);
        let all_valid = valid.iter().all(|&v| v);
        let mut out = if all_valid {
            table
        } else {
            table.filter(&valid)
        };
        // An empty cluster is the document's own.
        let empty: Vec<bool> = (0..out.cluster.entries())
            .map(|e| out.cluster.entry(e).is_empty())
            .collect();
        let own: Vec<usize> = (0..out.len())
            .filter(|&i| out.cluster.code(i).is_none_or(|e| empty[e as usize]))
            .collect();
        if !own.is_empty()
            && presence.contains(&"doc")
            && let Piece::File(path, groups) = &self.pieces[i]
        {
            // rows whose cluster is their document's: its values after all (rare: our writer
            // and the analyzer give every signal a cluster)
            let docs =
                super::parquet_check::check_parquet_columns(path, &["doc"], &[], groups.clone())
                    .map_err(|message| SignalTableError::Schema {
                        path: path.display().to_string(),
                        message,
                    })?
                    .columns;
            out.doc = if all_valid {
                docs.doc
            } else {
                docs.filter(&valid).doc
            };
        }
        for i in own {
            let doc = out.doc.get(i).map(str::to_string);
            out.cluster.set(i, doc.as_deref());
        }
        if decode.contains(&PRODUCT) {
            bad_products += check_products(&mut out);
        }
        out.keep_only(columns);
        let skipped = total - out.len();
        Ok(PieceRead {
            table: out,
            skipped,
            bad_products,
        })
    }
}

/// Null every product value that is not a noun ([`valid_product`]); how many were (each value
/// checked once, however many rows hold it).
fn check_products(t: &mut SignalColumns) -> usize {
    t.product.null_unless(valid_product)
}

/// Which rows of a piece `scan` keeps: time, day, category, hazard, source and doc present, a
/// known `source_kind`, a severity of 1–4.
fn valid_rows(t: &SignalColumns, null_numbers: &[bool]) -> Vec<bool> {
    // a channel is known or not per distinct value
    let known: Vec<bool> = (0..t.source_kind.entries())
        .map(|e| {
            let k = t.source_kind.entry(e);
            Channel::ALL.iter().any(|ch| ch.as_str() == k)
        })
        .collect();
    (0..t.len())
        .map(|i| {
            !null_numbers.get(i).copied().unwrap_or(false)
                && (1..=4).contains(&t.severity[i])
                && t.category.code(i).is_some()
                && t.hazard.code(i).is_some()
                && t.source.code(i).is_some()
                && t.doc.code(i).is_some()
                && t.source_kind.code(i).is_some_and(|e| known[e as usize])
        })
        .collect()
}

fn parquet_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PAR1"
}

/// A scanned signal table and the input lines that were skipped.
pub struct Scanned {
    pub table: SignalColumns,
    /// Bad JSON Lines input lines ([`SignalTableError::Field`]), in file order; for Parquet, one
    /// [`SignalTableError::Schema`] counting the rows skipped.
    pub bad: Vec<SignalTableError>,
}

/// The whole signal table of a `.parquet` file, a directory of `day=*.parquet` partitions, or a
/// JSON Lines file; bad JSON Lines are logged as warnings and skipped (see [`scan_report`]).
pub fn scan(path: &Path) -> Result<SignalColumns, SignalTableError> {
    let scanned = scan_report(path)?;
    for bad in &scanned.bad {
        tracing::warn!("skipped signal line: {bad}");
    }
    Ok(scanned.table)
}

/// Like [`scan`], returning the skipped JSON Lines instead of logging them. Rows another
/// writer's file holds that JSON Lines input would refuse line by line (an empty required value,
/// an unknown channel, a severity outside 1–4) are counted and skipped, and an empty cluster is
/// the document's own ([`SignalSource::read`]).
pub fn scan_report(path: &Path) -> Result<Scanned, SignalTableError> {
    let source = SignalSource::open(path)?;
    let mut table = SignalColumns::default();
    let mut skipped = 0usize;
    let mut bad_products = 0usize;
    for i in 0..source.pieces() {
        let piece = source.read_counted(i, &ALL_COLUMNS)?;
        table.append(&piece.table);
        skipped += piece.skipped;
        bad_products += piece.bad_products;
    }
    let mut bad = source.bad;
    if bad_products > 0 {
        bad.push(SignalTableError::Schema {
            path: path.display().to_string(),
            message: format!(
                "{bad_products} product value(s) read as null: not UTF-8, not text, blank, over \
                 {} characters or with control characters (the rows are kept)",
                super::columnar::MAX_PRODUCT_CHARS
            ),
        });
    }
    if skipped > 0 {
        bad.push(SignalTableError::Schema {
            path: path.display().to_string(),
            message: format!(
                "{skipped} row(s) skipped: an empty time, day, category, hazard, source or doc, a \
                 source_kind other than complaint / regulator / platform / media / standard, or a \
                 severity outside 1–4"
            ),
        });
    }
    Ok(Scanned { table, bad })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::signals::COLUMNS;

    fn sig(doc: &str, cluster: &str, sev: i8, kind: &str) -> SignalColumns {
        let mut t = SignalColumns::with_rows(1);
        t.time = vec![0];
        t.day = vec![0];
        let one = |v: Option<&str>| [v].into_iter().collect();
        t.category = one(Some("玩具"));
        t.hazard = one(Some("窒息"));
        t.severity = vec![sev];
        t.province = one(Some("浙江省"));
        t.city = one(None);
        t.source = one(Some("x"));
        t.source_kind = one(Some(kind));
        t.kind = one(Some("complaint"));
        t.weight = vec![1.0];
        t.cluster = one(Some(cluster));
        t.doc = one(Some(doc));
        t
    }

    #[test]
    fn pieces_give_the_valid_rows_with_the_columns_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut table = SignalColumns::default();
        for row in [
            sig("a", "k", 2, "complaint"),
            sig("b", "", 2, "complaint"),
            sig("c", "k", 7, "complaint"),
            sig("d", "k", 2, "rumour"),
        ] {
            table.append(&row);
        }
        let path = dir.path().join("t.parquet");
        std::fs::write(&path, table.to_parquet().unwrap()).unwrap();
        for source in [
            SignalSource::open(&path).unwrap(),
            SignalSource::from_table(table.clone(), "mem"),
        ] {
            let (out, skipped) = source.read(0, &["cluster", "weight"]).unwrap();
            assert_eq!(skipped, 2, "a severity of 7 and an unknown channel");
            assert_eq!(out.len(), 2);
            assert!(
                out.doc.is_empty() && out.time.is_empty(),
                "only what was asked"
            );
            assert_eq!(out.weight, vec![1.0, 1.0]);
            let clusters: Vec<_> = out.cluster.iter().collect();
            assert_eq!(
                clusters,
                [Some("k"), Some("b")],
                "an empty cluster is the doc's"
            );
        }
        // A file without a column the pass needs is refused by name.
        let bad = dir.path().join("short.parquet");
        let bytes = crate::store::columnar::write_table(&[
            (
                "time",
                crate::store::columnar::Col::TimestampMs(&table.time),
            ),
            ("day", crate::store::columnar::Col::Date(&table.day)),
        ])
        .unwrap();
        std::fs::write(&bad, bytes).unwrap();
        let err = SignalSource::open(&bad)
            .unwrap()
            .read(0, &["cluster"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("short.parquet") && err.contains("no column `category`"),
            "{err}"
        );
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/it/fixtures/signals")
            .join(name)
    }

    /// Another writer's file (Python polars: microsecond timestamps, Int64 severity, Float64
    /// weight, snappy, nulls): read, cast, checked row by row like our own.
    #[test]
    fn another_writers_file_is_read_with_its_units_and_widths() {
        let source = SignalSource::open(&fixture("other-writer.parquet")).unwrap();
        let (t, skipped) = source.read(0, &COLUMNS).unwrap();
        assert_eq!(skipped, 1, "the severity of 9");
        assert_eq!(t.len(), 3);
        // 2026-05-01T01:02:03.456789Z, in milliseconds
        assert_eq!(t.time[0], 1_777_597_323_456);
        assert_eq!(
            crate::store::signals::from_epoch_days(t.day[0]),
            chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
        );
        assert_eq!(t.severity, vec![3, 2, 4]);
        assert_eq!(t.weight, vec![0.75, 1.0, 1.25]);
        assert_eq!(t.province.get(1), None);
        assert_eq!(t.kind.get(1), None);
        assert_eq!(
            t.cluster.get(1),
            Some("doc-2"),
            "an empty cluster is the doc's"
        );
        assert_eq!(
            t.doc.iter().flatten().collect::<Vec<_>>(),
            ["doc-1", "doc-2", "doc-4"]
        );
    }

    /// A partition an earlier jiance wrote with polars 0.55 (every column OPTIONAL, dictionary
    /// pages): the same values as polars reads, and our writer's copy reads back the same.
    #[test]
    fn a_partition_of_the_polars_writer_reads_as_before() {
        let path = fixture("jiance-polars-0.55.parquet");
        let source = SignalSource::open(&path).unwrap();
        let (t, skipped) = source.read(0, &COLUMNS).unwrap();
        assert_eq!(skipped, 0);
        assert!(t.len() >= 10, "{} rows", t.len());
        let copy = dir_with(&t);
        let (back, _) = SignalSource::open(&copy.path().join("t.parquet"))
            .unwrap()
            .read(0, &COLUMNS)
            .unwrap();
        assert_eq!(back, t);
        #[cfg(feature = "reference")]
        {
            use polars::prelude::*;
            let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
                .finish()
                .unwrap();
            assert_eq!(df.height(), t.len());
            let strs = |name: &str| -> Vec<Option<String>> {
                df.column(name)
                    .unwrap()
                    .str()
                    .unwrap()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect()
            };
            let ours = |c: &crate::store::columnar::StrCol| -> Vec<Option<String>> {
                c.iter().map(|v| v.map(str::to_string)).collect()
            };
            for (name, col) in [
                ("category", &t.category),
                ("hazard", &t.hazard),
                ("province", &t.province),
                ("city", &t.city),
                ("source", &t.source),
                ("source_kind", &t.source_kind),
                ("kind", &t.kind),
                ("cluster", &t.cluster),
                ("doc", &t.doc),
            ] {
                assert_eq!(strs(name), ours(col), "{name}");
            }
            let time: Vec<i64> = df
                .column("time")
                .unwrap()
                .datetime()
                .unwrap()
                .physical()
                .into_no_null_iter()
                .collect();
            assert_eq!(time, t.time);
            let day: Vec<i32> = df
                .column("day")
                .unwrap()
                .date()
                .unwrap()
                .physical()
                .into_no_null_iter()
                .collect();
            assert_eq!(day, t.day);
            let sev: Vec<i8> = df
                .column("severity")
                .unwrap()
                .i8()
                .unwrap()
                .into_no_null_iter()
                .collect();
            assert_eq!(sev, t.severity);
            let w: Vec<f32> = df
                .column("weight")
                .unwrap()
                .f32()
                .unwrap()
                .into_no_null_iter()
                .collect();
            assert_eq!(w, t.weight);
        }
    }

    /// Every valid row of every piece, and the rows skipped.
    fn read_all(source: &SignalSource) -> (SignalColumns, usize) {
        let mut t = SignalColumns::default();
        let mut skipped = 0;
        for i in 0..source.pieces() {
            let (p, n) = source.read(i, &COLUMNS).unwrap();
            t.append(&p);
            skipped += n;
        }
        (t, skipped)
    }

    const WRITERS: [&str; 8] = [
        "pyarrow-dict-snappy.parquet",
        "pyarrow-plain-gzip-v2.parquet",
        "pyarrow-dict-overflow-zstd.parquet",
        "pyarrow-delta.parquet",
        "pandas.parquet",
        "polars.parquet",
        "duckdb.parquet",
        "duckdb-v2.parquet",
    ];

    /// The same 60 signals as pandas, pyarrow (dictionary and plain pages, pages v1 and v2, a
    /// dictionary overflowing into plain pages, delta encodings), polars and duckdb write them,
    /// snappy, gzip and zstd, in one to four row groups (`fixtures/signals/writers/make.py`):
    /// every file reads the same rows, and the ones `make.py` means.
    #[test]
    fn every_writers_file_reads_the_same() {
        let dir = fixture("writers");
        let (want, skipped) = read_all(&SignalSource::open(&dir.join(WRITERS[0])).unwrap());
        // make.py: a severity of 9 at i % 17 == 5, an unknown channel at i % 13 == 0 or
        // i % 4 == 3; a null cluster at i % 11 == 0, an empty one at i % 7 == 0.
        let valid: Vec<usize> = (0..60)
            .filter(|i| i % 17 != 5 && i % 13 != 0 && i % 4 != 3)
            .collect();
        assert_eq!((want.len(), skipped), (valid.len(), 60 - valid.len()));
        let provinces = [
            Some("浙江省"),
            None,
            Some("全国"),
            Some("境外:美国"),
            Some("广东省"),
        ];
        for (r, &i) in valid.iter().enumerate() {
            let doc = format!("doc-{i:03}");
            assert_eq!(want.doc.get(r), Some(doc.as_str()));
            let cluster = if i % 11 == 0 || i % 7 == 0 {
                doc.clone()
            } else {
                format!("k-{:04x}", i / 3)
            };
            assert_eq!(want.cluster.get(r), Some(cluster.as_str()), "row {i}");
            assert_eq!(want.province.get(r), provinces[i % 5], "row {i}");
            assert_eq!(want.city.get(r), (i % 9 == 0).then_some("杭州市"));
            assert_eq!(want.weight[r], 0.25 * (i % 6) as f32);
            assert_eq!(want.severity[r], 1 + (i % 4) as i8);
        }
        for name in &WRITERS[1..] {
            let (t, n) = read_all(&SignalSource::open(&dir.join(name)).unwrap());
            assert_eq!(n, skipped, "{name}");
            assert_eq!(t, want, "{name}");
        }
    }

    /// A large file is read in pieces of whole row groups, on every core: the pieces hold the
    /// file's rows in its order.
    #[test]
    fn a_file_in_pieces_of_row_groups_reads_as_a_whole() {
        let path = fixture("writers").join("polars.parquet");
        let whole = read_all(&SignalSource::open(&path).unwrap());
        for rows in [1, 20, 100] {
            let pieces = file_pieces_with(path.clone(), 0, rows);
            let expected = match rows {
                1 => 4,
                20 => 2,
                _ => 1,
            };
            assert_eq!(pieces.len(), expected, "pieces of {rows} rows");
            let source = SignalSource {
                name: "split".into(),
                pieces,
                bad: Vec::new(),
            };
            assert_eq!(read_all(&source), whole, "pieces of {rows} rows");
        }
    }

    fn dir_with(t: &SignalColumns) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.parquet"), t.to_parquet().unwrap()).unwrap();
        dir
    }
}
