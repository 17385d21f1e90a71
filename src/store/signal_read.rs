//! The signal table read piece by piece, a few columns at a time (issue 22): what scoring at
//! national scale reads instead of [`super::signals::scan`], which decodes every column of every
//! partition into one frame (some 700 bytes a signal at 10 million signals).
//!
//! A [`SignalSource`] is a list of pieces: the Parquet partitions of a directory (or one Parquet
//! file), or slices of an in-memory table (JSON Lines input, the store's signals, tests). A piece
//! is read on its own ([`SignalSource::read`]) with the columns a pass needs: each Parquet file is
//! checked before anything is decoded (`super::parquet_check`) and decodes only those columns;
//! rows are validated as [`super::signals::scan`] validates them (the same rows are skipped and
//! counted) and an empty cluster becomes the document's. Pieces are independent, so a caller can
//! read them on several threads and keep only what it derives from each.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::signals::{COLUMNS, SignalTableError, partitions, read_jsonl, schema};
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

enum Piece {
    File(PathBuf),
    Frame(DataFrame),
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
                pieces: files.into_iter().map(Piece::File).collect(),
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
                pieces: vec![Piece::File(path.to_path_buf())],
                bad: Vec::new(),
            });
        }
        let (df, bad) = read_jsonl(path)?;
        let mut source = SignalSource::from_frame(df, &name);
        source.bad = bad;
        Ok(source)
    }

    /// An in-memory signal table (the table's columns), in pieces.
    pub fn from_frame(df: DataFrame, name: &str) -> SignalSource {
        let mut pieces = Vec::new();
        let mut at = 0usize;
        while at < df.height() {
            let n = FRAME_PIECE_ROWS.min(df.height() - at);
            pieces.push(Piece::Frame(df.slice(at as i64, n)));
            at += n;
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

    /// The valid rows of piece `i`, in piece order, with `columns` (of [`COLUMNS`], in the
    /// table's types) and the number of rows skipped. A row is skipped, as `scan` skips it, for an
    /// empty time, day, category, hazard, source or doc, an unknown `source_kind` or a severity
    /// outside 1–4; an empty cluster becomes the doc. The same piece always gives the same rows.
    pub fn read(&self, i: usize, columns: &[&str]) -> Result<(DataFrame, usize), SignalTableError> {
        let want = schema();
        let mut decode: Vec<String> = CHECKED.iter().map(|c| c.to_string()).collect();
        for c in columns {
            if !decode.iter().any(|d| d == c) {
                decode.push(c.to_string());
            }
        }
        let (frame, label) = match &self.pieces[i] {
            Piece::File(path) => {
                let label = path.display().to_string();
                let frame = super::parquet_check::check_parquet_columns(path, Some(&decode))
                    .map_err(|message| SignalTableError::Schema {
                        path: label.clone(),
                        message,
                    })?;
                (frame, label)
            }
            Piece::Frame(df) => (df.clone(), self.name.clone()),
        };
        let found = frame.schema();
        for c in &decode {
            let dtype = want.get(c.as_str()).cloned().unwrap_or(DataType::Null);
            match found.get(c.as_str()) {
                None => {
                    return Err(SignalTableError::Schema {
                        path: label,
                        message: format!("no column `{c}`"),
                    });
                }
                Some(t) if !super::signals::same_kind(t, &dtype) => {
                    return Err(SignalTableError::Schema {
                        path: label,
                        message: format!("column `{c}` is {t}, expected {dtype}"),
                    });
                }
                Some(_) => {}
            }
        }
        // Eager column operations, not a lazy query: a piece is a few thousand rows, and
        // optimising and planning a query per piece cost more than running it (issue 22).
        let pl = |error| SignalTableError::Polars {
            path: label.clone(),
            error,
        };
        let typed: Vec<Column> = decode
            .iter()
            .map(|c| {
                let t = want.get(c.as_str()).cloned().unwrap_or(DataType::Null);
                frame.column(c.as_str())?.strict_cast(&t)
            })
            .collect::<PolarsResult<_>>()
            .map_err(pl)?;
        let typed = DataFrame::new(frame.height(), typed).map_err(pl)?;
        let total = typed.height();
        let valid = valid_rows(&typed).map_err(pl)?;
        let mut out = if valid.iter().all(|&v| v) {
            typed
        } else {
            typed
                .filter(&BooleanChunked::from_slice("valid".into(), &valid))
                .map_err(pl)?
        };
        // An empty cluster is the document's own.
        let cluster = out.column("cluster").map_err(pl)?.str().map_err(pl)?;
        if cluster.iter().any(|c| c.is_none_or(str::is_empty)) {
            let doc = out.column("doc").map_err(pl)?.str().map_err(pl)?;
            let mut own: StringChunked = cluster
                .iter()
                .zip(doc.iter())
                .map(|(c, d)| c.filter(|c| !c.is_empty()).or(d))
                .collect();
            own.rename("cluster".into());
            out.with_column(own.into_column()).map_err(pl)?;
        }
        let out = out
            .select(COLUMNS.iter().filter(|c| columns.contains(c)).copied())
            .map_err(pl)?;
        let skipped = total - out.height();
        Ok((out, skipped))
    }
}

/// Which rows of a piece `scan` keeps: time, day, category, hazard, source and doc present, a
/// known `source_kind`, a severity of 1–4.
fn valid_rows(df: &DataFrame) -> PolarsResult<Vec<bool>> {
    let mut valid = vec![true; df.height()];
    let severity = df.column("severity")?.cast(&DataType::Int32)?;
    for (v, s) in valid.iter_mut().zip(severity.i32()?.iter()) {
        *v &= s.is_some_and(|s| (1..=4).contains(&s));
    }
    for c in ["time", "day", "category", "hazard", "source", "doc"] {
        let column = df.column(c)?;
        if column.null_count() > 0 {
            for (v, null) in valid.iter_mut().zip(column.is_null().iter()) {
                *v &= null == Some(false);
            }
        }
    }
    for (v, k) in valid
        .iter_mut()
        .zip(df.column("source_kind")?.str()?.iter())
    {
        *v &= k.is_some_and(|k| Channel::ALL.iter().any(|ch| ch.as_str() == k));
    }
    Ok(valid)
}

fn parquet_magic(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PAR1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_give_the_valid_rows_with_the_columns_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = crate::store::signals::empty_frame();
        let sig = |doc: &str, cluster: &str, sev: i8, kind: &str| {
            let [t, d] = crate::store::signals::time_columns(vec![0], vec![0]);
            let s = |n: &str, v: &str| Column::new(n.into(), [v]);
            DataFrame::new(
                1,
                vec![
                    t,
                    d,
                    s("category", "玩具"),
                    s("hazard", "窒息"),
                    Column::new("severity".into(), [sev]),
                    s("province", "浙江省"),
                    Column::new("city".into(), [None::<&str>]),
                    s("source", "x"),
                    s("source_kind", kind),
                    s("kind", "complaint"),
                    Column::new("weight".into(), [1.0f32]),
                    s("cluster", cluster),
                    s("doc", doc),
                ],
            )
            .unwrap()
        };
        for row in [
            sig("a", "k", 2, "complaint"),
            sig("b", "", 2, "complaint"),
            sig("c", "k", 7, "complaint"),
            sig("d", "k", 2, "rumour"),
        ] {
            df.vstack_mut(&row).unwrap();
        }
        let path = dir.path().join("t.parquet");
        let mut f = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(&mut f).finish(&mut df).unwrap();
        for source in [
            SignalSource::open(&path).unwrap(),
            SignalSource::from_frame(df.clone(), "mem"),
        ] {
            let (out, skipped) = source.read(0, &["cluster", "weight"]).unwrap();
            assert_eq!(skipped, 2, "a severity of 7 and an unknown channel");
            assert_eq!(out.get_column_names(), ["weight", "cluster"]);
            let clusters: Vec<_> = out
                .column("cluster")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .collect();
            assert_eq!(
                clusters,
                [Some("k"), Some("b")],
                "an empty cluster is the doc's"
            );
        }
        // A file without a column the pass needs is refused by name.
        let mut short = df.drop("doc").unwrap();
        let bad = dir.path().join("short.parquet");
        let mut f = std::fs::File::create(&bad).unwrap();
        ParquetWriter::new(&mut f).finish(&mut short).unwrap();
        let err = SignalSource::open(&bad)
            .unwrap()
            .read(0, &["cluster"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("short.parquet") && err.contains("no column `doc`"),
            "{err}"
        );
    }
}
