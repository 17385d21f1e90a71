//! Encoding a table as Parquet: typed columns in, the bytes of one zstd row group out, the same
//! bytes for the same table (no timestamps, no random ids).

use std::sync::Arc;

use parquet::basic::{Compression, ZstdLevel};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use super::StrCol;

/// One column of a table to write.
pub enum Col<'a> {
    TimestampMs(&'a [i64]),
    Date(&'a [i32]),
    Int8(&'a [i8]),
    Int64(&'a [i64]),
    /// Int64, OPTIONAL (nulls kept).
    OptInt64(&'a [Option<i64>]),
    Float32(&'a [f32]),
    Float64(&'a [f64]),
    /// Strings, OPTIONAL (nulls kept).
    Str(&'a StrCol),
}

impl Col<'_> {
    fn schema_line(&self, name: &str) -> String {
        match self {
            Col::TimestampMs(_) => format!("REQUIRED INT64 {name} (TIMESTAMP(MILLIS,true));"),
            Col::Date(_) => format!("REQUIRED INT32 {name} (DATE);"),
            Col::Int8(_) => format!("REQUIRED INT32 {name} (INTEGER(8,true));"),
            Col::Int64(_) => format!("REQUIRED INT64 {name};"),
            Col::OptInt64(_) => format!("OPTIONAL INT64 {name};"),
            Col::Float32(_) => format!("REQUIRED FLOAT {name};"),
            Col::Float64(_) => format!("REQUIRED DOUBLE {name};"),
            Col::Str(_) => format!("OPTIONAL BYTE_ARRAY {name} (STRING);"),
        }
    }
}

/// The Parquet bytes of a table of these columns (one row group, zstd, no timestamps or random
/// ids: the same table always gives the same bytes).
pub fn write_table(cols: &[(&str, Col<'_>)]) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    use parquet::errors::ParquetError;
    let message = format!(
        "message schema {{ {} }}",
        cols.iter()
            .map(|(n, c)| c.schema_line(n))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let schema = Arc::new(parquet::schema::parser::parse_message_type(&message)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by("jiance".to_string())
        .build();
    let mut buf = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut buf, schema, Arc::new(props))?;
    let mut group = writer.next_row_group()?;
    let mut at = 0usize;
    while let Some(mut w) = group.next_column()? {
        let (name, col) = cols
            .get(at)
            .ok_or_else(|| ParquetError::General("more columns than given".into()))?;
        at += 1;
        match (w.untyped(), col) {
            (ColumnWriter::Int64ColumnWriter(t), Col::TimestampMs(v) | Col::Int64(v)) => {
                t.write_batch(v, None, None)?;
            }
            (ColumnWriter::Int64ColumnWriter(t), Col::OptInt64(v)) => {
                let defs: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                let values: Vec<i64> = v.iter().flatten().copied().collect();
                t.write_batch(&values, Some(&defs), None)?;
            }
            (ColumnWriter::Int32ColumnWriter(t), Col::Date(v)) => {
                t.write_batch(v, None, None)?;
            }
            (ColumnWriter::Int32ColumnWriter(t), Col::Int8(v)) => {
                let wide: Vec<i32> = v.iter().map(|&x| i32::from(x)).collect();
                t.write_batch(&wide, None, None)?;
            }
            (ColumnWriter::FloatColumnWriter(t), Col::Float32(v)) => {
                t.write_batch(v, None, None)?;
            }
            (ColumnWriter::DoubleColumnWriter(t), Col::Float64(v)) => {
                t.write_batch(v, None, None)?;
            }
            (ColumnWriter::ByteArrayColumnWriter(t), Col::Str(c)) => {
                let mut defs = Vec::with_capacity(c.len());
                let mut values = Vec::with_capacity(c.len());
                for v in c.iter() {
                    defs.push(i16::from(v.is_some()));
                    if let Some(v) = v {
                        values.push(ByteArray::from(v.as_bytes().to_vec()));
                    }
                }
                t.write_batch(&values, Some(&defs), None)?;
            }
            _ => {
                return Err(ParquetError::General(format!(
                    "column `{name}`: writer and data types differ"
                )));
            }
        }
        w.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(buf)
}
