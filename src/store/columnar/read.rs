//! Decoding a signal table's Parquet file: the columns asked for, of the row groups asked for,
//! each checked against the kind its name calls for; numbers and dictionaries page by page
//! (`store::pages`) where the encodings allow, through parquet's typed reader otherwise.

use parquet::basic::{LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReaderImpl, get_typed_column_reader};
use parquet::data_type::{DataType as PqType, DoubleType, FloatType, Int32Type, Int64Type};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;

use super::super::pages::{self, Fixed, Numbers};
use super::{PRODUCT, SignalColumns, StrCol};

/// What reading a signal table's Parquet bytes gives: the columns asked for, and for each row
/// whether one of its non-string columns was null (such a row is not a valid signal).
pub struct ReadTable {
    pub columns: SignalColumns,
    pub null_numbers: Vec<bool>,
    /// Product values read as null because they could not be read (not UTF-8, a column of
    /// another type): the row stays, the value is counted here.
    pub bad_products: usize,
}

/// Decode `columns` (names of [`ALL_COLUMNS`]) of row groups `groups` of a signal table's Parquet
/// file (its rows in file order; `0..usize::MAX`: all). Errors name the
/// column; a missing column or one of another kind (a string where a number belongs) is refused,
/// but for the optional [`PRODUCT`]: missing (a file written before it), it reads as null;
/// of another type or not UTF-8, its values read as null and are counted (`bad_products`).
///
/// Columns of `columns` also in `presence` are read for which rows hold a value only (what
/// validation tests of a column no one reads, issue 48): a number column's nulls are marked in
/// `null_numbers` and its values left out; a text column holds one entry, `""`, for every row
/// with a value. Their page headers are still checked; their pages are decompressed for the
/// definition levels only where the footer does not say the chunk holds no nulls
/// (`pages::read_presence`), and their values are not decoded.
pub fn read_signal_parquet<R: parquet::file::reader::ChunkReader + 'static>(
    reader: &SerializedFileReader<R>,
    columns: &[&str],
    presence: &[&str],
    groups: std::ops::Range<usize>,
) -> Result<ReadTable, String> {
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let groups = groups.start.min(meta.num_row_groups())..groups.end.min(meta.num_row_groups());
    // The rows of the row groups (each checked against its column chunks' values before a
    // caller decodes), not the file's own count: a damaged count must not size an allocation.
    let group_rows = |g: usize| usize::try_from(meta.row_group(g).num_rows()).unwrap_or(0);
    let rows: usize = groups.clone().map(group_rows).sum();
    let every: usize = (0..meta.num_row_groups()).map(group_rows).sum();
    if usize::try_from(meta.file_metadata().num_rows()).ok() != Some(every) {
        return Err(format!(
            "damaged Parquet file (the footer says {} rows, its row groups hold {every})",
            meta.file_metadata().num_rows()
        ));
    }
    let mut out = SignalColumns::with_rows(rows);
    let mut null_numbers = vec![false; rows];
    let mut bad_products = 0usize;
    let all_null = |c: &mut StrCol| {
        for _ in 0..rows {
            c.push(None);
        }
    };
    for name in columns {
        let Some(ci) = (0..schema.num_columns()).find(|&i| schema.column(i).name() == *name) else {
            if *name == PRODUCT {
                all_null(&mut out.product);
                continue;
            }
            return Err(format!("no column `{name}`"));
        };
        let descr = schema.column(ci);
        let want = kind_of(name);
        let found = Kind::of(&descr);
        if *name == PRODUCT && !want.accepts(found) {
            all_null(&mut out.product);
            bad_products += rows;
            continue;
        }
        if !want.accepts(found) {
            return Err(format!(
                "column `{name}` is {}, expected {}",
                found.describe(),
                want.describe()
            ));
        }
        let mut row = 0usize;
        for g in groups.clone() {
            let group = reader
                .get_row_group(g)
                .map_err(|e| format!("damaged Parquet file (row group {g}: {e})"))?;
            let n = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
            let damaged = |e: parquet::errors::ParquetError| {
                format!("damaged Parquet file (column `{name}`, row group {g}: {e})")
            };
            let only_presence = presence.contains(name);
            if only_presence
                && let Some(p) =
                    pages::read_presence(group.as_ref(), ci, &descr).map_err(damaged)?
            {
                if p.rows != n {
                    return Err(format!(
                        "damaged Parquet file (column `{name}`: {} values in a row group of {n} \
                         rows)",
                        p.rows
                    ));
                }
                match out.strings_mut(name) {
                    Some(c) => present_rows(c, n, &p.nulls),
                    None => mark(&mut null_numbers, row, &p.nulls),
                }
                row += n;
                continue;
            }
            if let Some(c) = out.strings_mut(name) {
                if descr.physical_type() != Physical::BYTE_ARRAY {
                    return Err(format!("column `{name}`: unsupported Parquet type"));
                }
                let chunk = pages::read_strings(group.as_ref(), ci, &descr).map_err(damaged)?;
                let got = chunk.rows();
                bad_products += chunk
                    .append_to(c, *name == PRODUCT)
                    .map_err(|()| format!("column `{name}` holds text that is not UTF-8"))?;
                if got != n {
                    return Err(format!(
                        "damaged Parquet file (column `{name}`: {got} values in a row group of \
                         {n} rows)"
                    ));
                }
                row += n;
                continue;
            }
            let chunk = NumberChunk {
                group: group.as_ref(),
                ci,
                descr: &descr,
                found,
                name,
                gi: g,
                n,
                row,
                only_presence,
            };
            let got = chunk.read(&mut out, &mut null_numbers)?;
            if got != n {
                return Err(format!(
                    "damaged Parquet file (column `{name}`: {got} values in a row group of {n} \
                     rows)"
                ));
            }
            row += n;
        }
    }
    Ok(ReadTable {
        columns: out,
        null_numbers,
        bad_products,
    })
}

/// One row group's chunk of a number column, to read into the table.
struct NumberChunk<'a> {
    group: &'a dyn parquet::file::reader::RowGroupReader,
    ci: usize,
    descr: &'a parquet::schema::types::ColumnDescPtr,
    found: Kind,
    name: &'a str,
    /// The row group's index, for errors.
    gi: usize,
    /// Rows of the row group, and the first of them in the table.
    n: usize,
    row: usize,
    /// Read which rows hold a value only (see [`read_signal_parquet`]).
    only_presence: bool,
}

impl NumberChunk<'_> {
    /// Appends the chunk's values to their column of `out` (none when read for presence) and
    /// marks its null rows; the number of values read.
    fn read(&self, out: &mut SignalColumns, null_numbers: &mut [bool]) -> Result<usize, String> {
        let NumberChunk {
            group: g,
            ci,
            descr,
            found,
            name,
            gi,
            n,
            row,
            only_presence,
        } = *self;
        let damaged = |e: parquet::errors::ParquetError| {
            format!("damaged Parquet file (column `{name}`, row group {gi}: {e})")
        };
        let got = match descr.physical_type() {
            Physical::INT32 => {
                let v = numbers::<Int32Type>(g, ci, descr, n).map_err(damaged)?;
                mark(null_numbers, row, &v.nulls);
                for &x in kept(only_presence, &v.values) {
                    match name {
                        "day" => out.day.push(x),
                        // out of i8's range: not a severity of 1–4 either
                        _ => out.severity.push(i8::try_from(x).unwrap_or(0)),
                    }
                }
                v.values.len()
            }
            Physical::INT64 => {
                let v = numbers::<Int64Type>(g, ci, descr, n).map_err(damaged)?;
                mark(null_numbers, row, &v.nulls);
                let per_ms = match found {
                    Kind::Timestamp(div) => div,
                    _ => 1,
                };
                for &x in kept(only_presence, &v.values) {
                    match name {
                        "time" => out.time.push(x.div_euclid(per_ms)),
                        _ => out.severity.push(i8::try_from(x).unwrap_or(0)),
                    }
                }
                v.values.len()
            }
            Physical::FLOAT => {
                let v = numbers::<FloatType>(g, ci, descr, n).map_err(damaged)?;
                mark(null_numbers, row, &v.nulls);
                out.weight.extend_from_slice(kept(only_presence, &v.values));
                v.values.len()
            }
            Physical::DOUBLE => {
                let v = numbers::<DoubleType>(g, ci, descr, n).map_err(damaged)?;
                mark(null_numbers, row, &v.nulls);
                // a weight beyond f32 becomes infinite and then counts as nothing
                out.weight
                    .extend(kept(only_presence, &v.values).iter().map(|&w| w as f32));
                v.values.len()
            }
            _ => return Err(format!("column `{name}`: unsupported Parquet type")),
        };
        Ok(got)
    }
}

/// A chunk's values, or none for a column read for presence (its levels took the typed reader).
fn kept<T>(only_presence: bool, values: &[T]) -> &[T] {
    if only_presence { &[] } else { values }
}

/// `n` rows of a column read for presence: `""` where a value is, null at `nulls` (ascending).
fn present_rows(c: &mut StrCol, n: usize, nulls: &[usize]) {
    if c.entries() == 0 {
        c.add_entries("", &[0]);
    }
    let mut nulls = nulls.iter().peekable();
    c.push_codes((0..n).map(|i| {
        if nulls.next_if_eq(&&i).is_some() {
            None
        } else {
            Some(0)
        }
    }));
}

/// Mark the null rows of a column chunk whose first row is `row` of the table.
fn mark(null_numbers: &mut [bool], row: usize, nulls: &[usize]) {
    for &i in nulls {
        if let Some(n) = null_numbers.get_mut(row + i) {
            *n = true;
        }
    }
}

/// Column `ci` of a row group, numbers: page by page when its encodings are plain or
/// dictionary, else through the typed reader (delta and byte-stream-split encodings).
fn numbers<T: PqType>(
    group: &dyn parquet::file::reader::RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
    rows: usize,
) -> parquet::errors::Result<Numbers<T::T>>
where
    T::T: Fixed + Default + Clone,
{
    if let Some(v) = pages::read_numbers::<T::T>(group, ci, descr)? {
        return Ok(v);
    }
    let r = get_typed_column_reader::<T>(group.get_column_reader(ci)?);
    let (present, values) = read_all(r, rows, descr)?;
    Ok(Numbers::from_present(&present, values))
}

/// Every value of one column chunk: whether each row holds a value, and the values.
fn read_all<T: PqType>(
    mut r: ColumnReaderImpl<T>,
    rows: usize,
    descr: &ColumnDescriptor,
) -> parquet::errors::Result<(Vec<bool>, Vec<T::T>)>
where
    T::T: Default + Clone,
{
    let mut defs: Vec<i16> = Vec::new();
    let mut values: Vec<T::T> = Vec::new();
    let max_def = descr.max_def_level();
    loop {
        let (records, _, _) = r.read_records(rows.max(1), Some(&mut defs), None, &mut values)?;
        if records == 0 {
            break;
        }
    }
    let present = if max_def == 0 {
        vec![true; values.len()]
    } else {
        defs.iter().map(|&d| d == max_def).collect()
    };
    Ok((present, values))
}

/// What a column of the signal table may be stored as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// INT64 timestamp; the divisor to milliseconds (1, 1,000, 1,000,000).
    Timestamp(i64),
    Date,
    Integer,
    Float,
    Text,
    Other,
}

impl Kind {
    fn of(d: &ColumnDescriptor) -> Kind {
        use parquet::basic::ConvertedType as C;
        let logical = d.logical_type_ref();
        match d.physical_type() {
            Physical::INT64 => match logical {
                Some(LogicalType::Timestamp(t)) => Kind::Timestamp(match t.unit {
                    TimeUnit::MILLIS => 1,
                    TimeUnit::MICROS => 1_000,
                    TimeUnit::NANOS => 1_000_000,
                }),
                _ if d.converted_type() == C::TIMESTAMP_MILLIS => Kind::Timestamp(1),
                _ if d.converted_type() == C::TIMESTAMP_MICROS => Kind::Timestamp(1_000),
                Some(LogicalType::Integer(_)) | None => Kind::Integer,
                _ => Kind::Other,
            },
            Physical::INT32 => match logical {
                Some(LogicalType::Date) => Kind::Date,
                _ if d.converted_type() == C::DATE => Kind::Date,
                Some(LogicalType::Integer(_)) | None => Kind::Integer,
                _ => Kind::Other,
            },
            Physical::FLOAT | Physical::DOUBLE => Kind::Float,
            Physical::BYTE_ARRAY => match logical {
                Some(LogicalType::String) => Kind::Text,
                _ if d.converted_type() == C::UTF8 => Kind::Text,
                // plain binary is read as text and refused row by row if not UTF-8
                None => Kind::Text,
                _ => Kind::Other,
            },
            _ => Kind::Other,
        }
    }

    fn accepts(self, found: Kind) -> bool {
        match self {
            Kind::Timestamp(_) => matches!(found, Kind::Timestamp(_)),
            other => other == found,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Timestamp(_) => "a timestamp",
            Kind::Date => "a date",
            Kind::Integer => "an integer",
            Kind::Float => "a float",
            Kind::Text => "text",
            Kind::Other => "of another type",
        }
    }
}

fn kind_of(column: &str) -> Kind {
    match column {
        "time" => Kind::Timestamp(1),
        "day" => Kind::Date,
        "severity" => Kind::Integer,
        "weight" => Kind::Float,
        _ => Kind::Text,
    }
}
