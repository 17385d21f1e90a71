//! Text columns of the signal table decoded page by page (issue 48), so that reading costs per
//! distinct value, not per row.
//!
//! The `parquet` crate's typed column reader hands out one `ByteArray` per value — a refcounted
//! slice of its page, cloned and dropped for every row — which the reader then copied into a
//! [`StrCol`]: on a file polars wrote, a fifth of `jiance score` was that refcounting and as much
//! again the copies. Here a column chunk's pages are taken from the crate's page reader (which
//! checks and decompresses them) and decoded by hand: the dictionary page once, into entries,
//! and each data page's RLE / bit-packed indices into `u32` codes of those entries; plain pages
//! become an entry per value, copied once. Nothing is allocated per row but the code.
//!
//! Dictionary and plain encodings with RLE definition levels are what pandas, pyarrow, polars,
//! duckdb and our own writer produce for strings; a chunk in any other encoding (delta byte
//! arrays, a nested column) is read by the typed reader instead, value by value ([`fallback`]).

use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::column::reader::ColumnReader;
use parquet::errors::ParquetError;
use parquet::file::reader::RowGroupReader;
use parquet::schema::types::ColumnDescriptor;

use super::columnar::StrCol;

/// The code of a null row in [`Strings::codes`].
const NULL: u32 = u32::MAX;

/// One column chunk of text: its entries end to end (not yet checked as UTF-8), where each
/// ends, and each row's entry.
#[derive(Default)]
pub(crate) struct Strings {
    text: Vec<u8>,
    ends: Vec<usize>,
    codes: Vec<u32>,
}

impl Strings {
    /// Rows decoded.
    pub(crate) fn rows(&self) -> usize {
        self.codes.len()
    }

    fn entry(&self, e: usize) -> &[u8] {
        let start = if e == 0 { 0 } else { self.ends[e - 1] };
        &self.text[start..self.ends[e]]
    }

    fn push_entry(&mut self, v: &[u8]) -> u32 {
        self.text.extend_from_slice(v);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    /// Append the rows to `to`. Text that is not UTF-8 (as a whole, or an entry ending inside a
    /// character) is refused, unless `lenient`: then the rows of each bad entry are null, and
    /// how many were is returned.
    pub(crate) fn append_to(mut self, to: &mut StrCol, lenient: bool) -> Result<usize, ()> {
        // checked once; the first chunk of a column becomes it without a copy
        match String::from_utf8(std::mem::take(&mut self.text)) {
            Ok(text) if self.ends.iter().all(|&e| text.is_char_boundary(e)) => {
                if to.is_empty() && to.entries() == 0 {
                    *to = StrCol::from_parts(text, self.ends, self.codes);
                } else {
                    let base = to.add_entries(&text, &self.ends);
                    to.push_codes(self.codes.iter().map(|&c| (c != NULL).then(|| base + c)));
                }
                return Ok(0);
            }
            Ok(text) => self.text = text.into_bytes(),
            Err(e) => self.text = e.into_bytes(),
        }
        if !lenient {
            return Err(());
        }
        // entry by entry: a bad value is a null, not a refused file
        let ok: Vec<bool> = (0..self.ends.len())
            .map(|e| std::str::from_utf8(self.entry(e)).is_ok())
            .collect();
        let mut text = String::new();
        let mut ends = Vec::with_capacity(self.ends.len());
        for (e, good) in ok.iter().enumerate() {
            if *good && let Ok(v) = std::str::from_utf8(self.entry(e)) {
                text.push_str(v);
            }
            ends.push(text.len());
        }
        let base = to.add_entries(&text, &ends);
        let mut bad = 0;
        to.push_codes(self.codes.iter().map(|&c| {
            if c == NULL {
                None
            } else if ok[c as usize] {
                Some(base + c)
            } else {
                bad += 1;
                None
            }
        }));
        Ok(bad)
    }
}

fn damaged(what: &str) -> ParquetError {
    ParquetError::General(what.to_string())
}

/// Column `ci` of a row group: by pages when its encodings are ours to decode, else by the
/// typed reader.
pub(crate) fn read_strings(
    group: &dyn RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
) -> Result<Strings, ParquetError> {
    if descr.max_rep_level() == 0 && descr.max_def_level() <= 1 {
        let mut pages = group.get_column_page_reader(ci)?;
        let mut out = (Strings::default(), None);
        let rows = row_count(group);
        if by_pages(pages.as_mut(), descr.max_def_level() == 1, rows, &mut out)? {
            return Ok(out.0);
        }
    }
    fallback(group, ci, descr)
}

/// What a column chunk's pages are decoded into.
trait Sink {
    /// Whether the values are wanted; if not, only which rows hold one ([`Sink::levels`]),
    /// whatever the values' encoding.
    fn wants_values(&self) -> bool {
        true
    }
    /// A page's definition levels (each 1 or 0), for a sink that wants no values.
    fn levels(&mut self, _levels: &[u32]) {}
    /// The chunk's dictionary page: `n` PLAIN values.
    fn dictionary(&mut self, buf: &[u8], n: u32) -> Result<(), ParquetError>;
    /// Entries of the dictionary read so far (`None`: no dictionary page).
    fn dictionary_size(&self) -> Option<u32>;
    /// A PLAIN data page: a value for each level 1, a null for each 0.
    fn plain(&mut self, buf: &[u8], levels: &[u32]) -> Result<(), ParquetError>;
    /// A dictionary-encoded data page: the indices (each checked below the dictionary's size)
    /// of the present rows of `levels`.
    fn indexed(&mut self, levels: &[u32], indices: &[u32]);
}

impl Sink for (Strings, Option<(u32, u32)>) {
    fn dictionary(&mut self, buf: &[u8], n: u32) -> Result<(), ParquetError> {
        let first = self.0.ends.len() as u32;
        let mut rest: &[u8] = buf;
        for _ in 0..n {
            let v = plain_value(&mut rest)?;
            self.0.push_entry(v);
        }
        self.1 = Some((first, n));
        Ok(())
    }

    fn dictionary_size(&self) -> Option<u32> {
        self.1.map(|(_, n)| n)
    }

    fn plain(&mut self, buf: &[u8], levels: &[u32]) -> Result<(), ParquetError> {
        let mut rest: &[u8] = buf;
        for &l in levels {
            let code = if l == 1 {
                self.0.push_entry(plain_value(&mut rest)?)
            } else {
                NULL
            };
            self.0.codes.push(code);
        }
        Ok(())
    }

    fn indexed(&mut self, levels: &[u32], indices: &[u32]) {
        let first = self.1.map_or(0, |(f, _)| f);
        let mut next = indices.iter();
        for &l in levels {
            let code = if l == 1 {
                next.next().map_or(NULL, |&i| first + i)
            } else {
                NULL
            };
            self.0.codes.push(code);
        }
    }
}

/// A fixed-width physical type, as PLAIN stores it (little-endian).
pub(crate) trait Fixed: Copy + Default {
    const SIZE: usize;
    fn from_le(b: &[u8]) -> Self;
}

macro_rules! fixed {
    ($($t:ty),*) => {$(
        impl Fixed for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_le(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_le_bytes(a)
            }
        }
    )*};
}
fixed!(i32, i64, f32, f64);

/// One column chunk of numbers: a value per row (the default where null) and the null rows.
#[derive(Default)]
pub(crate) struct Numbers<T> {
    pub values: Vec<T>,
    pub nulls: Vec<usize>,
    dict: Option<Vec<T>>,
}

impl<T: Fixed> Numbers<T> {
    /// From whether each row holds a value, and the values.
    pub(crate) fn from_present(present: &[bool], values: Vec<T>) -> Numbers<T> {
        let mut out = Numbers {
            values: Vec::with_capacity(present.len()),
            ..Numbers::default()
        };
        let mut values = values.into_iter();
        for &p in present {
            match if p { values.next() } else { None } {
                Some(v) => out.values.push(v),
                None => out.null(),
            }
        }
        out
    }

    fn null(&mut self) {
        self.nulls.push(self.values.len());
        self.values.push(T::default());
    }
}

impl<T: Fixed> Sink for Numbers<T> {
    fn dictionary(&mut self, buf: &[u8], n: u32) -> Result<(), ParquetError> {
        let n = n as usize;
        let bytes = buf
            .get(..n.saturating_mul(T::SIZE))
            .ok_or_else(|| damaged("dictionary cut off"))?;
        self.dict = Some(bytes.chunks_exact(T::SIZE).map(T::from_le).collect());
        Ok(())
    }

    fn dictionary_size(&self) -> Option<u32> {
        self.dict.as_ref().map(|d| d.len() as u32)
    }

    fn plain(&mut self, buf: &[u8], levels: &[u32]) -> Result<(), ParquetError> {
        let mut values = buf.chunks_exact(T::SIZE);
        for &l in levels {
            if l == 1 {
                let v = values
                    .next()
                    .ok_or_else(|| damaged("plain values cut off"))?;
                self.values.push(T::from_le(v));
            } else {
                self.null();
            }
        }
        Ok(())
    }

    fn indexed(&mut self, levels: &[u32], indices: &[u32]) {
        let dict = self.dict.take().unwrap_or_default();
        let mut next = indices.iter();
        for &l in levels {
            if l == 1 {
                let v = next.next().and_then(|&i| dict.get(i as usize).copied());
                self.values.push(v.unwrap_or_default());
            } else {
                self.null();
            }
        }
        self.dict = Some(dict);
    }
}

/// The rows a row group's footer says it holds (a negative count: none).
fn row_count(group: &dyn RowGroupReader) -> usize {
    usize::try_from(group.metadata().num_rows()).unwrap_or(0)
}

/// The chunk decoded page by page into `sink`; `false` at a page in an encoding this does not
/// decode (what `sink` holds is then to be dropped). Pages claiming more values than the row
/// group's `rows` are a damaged file, refused before anything is allocated for them.
fn by_pages(
    pages: &mut dyn PageReader,
    optional: bool,
    rows: usize,
    sink: &mut impl Sink,
) -> Result<bool, ParquetError> {
    let mut levels: Vec<u32> = Vec::new();
    let mut indices: Vec<u32> = Vec::new();
    let mut seen = 0usize;
    while let Some(page) = pages.get_next_page()? {
        let (buf, values, encoding, defs) = match &page {
            Page::DictionaryPage {
                buf,
                num_values,
                encoding,
                ..
            } => {
                if !sink.wants_values() {
                    continue;
                }
                if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                    return Ok(false);
                }
                sink.dictionary(buf, *num_values)?;
                continue;
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                let mut defs: &[u8] = &[];
                let mut at = 0usize;
                if optional {
                    if *def_level_encoding != Encoding::RLE {
                        return Ok(false);
                    }
                    let len = buf
                        .get(..4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                        .ok_or_else(|| damaged("definition levels cut off"))?;
                    defs = buf
                        .get(4..4 + len)
                        .ok_or_else(|| damaged("definition levels cut off"))?;
                    at = 4 + len;
                }
                (&buf[at..], *num_values, *encoding, defs)
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let (r, d) = (*rep_levels_byte_len as usize, *def_levels_byte_len as usize);
                let defs = buf
                    .get(r..r + d)
                    .ok_or_else(|| damaged("definition levels cut off"))?;
                let values = buf.get(r + d..).ok_or_else(|| damaged("values cut off"))?;
                (values, *num_values, *encoding, defs)
            }
        };
        let n = values as usize;
        seen = seen.saturating_add(n);
        if seen > rows {
            return Err(damaged(
                "pages hold more values than the row group has rows",
            ));
        }
        levels.clear();
        if optional {
            rle_hybrid(defs, 1, n, &mut levels)?;
        } else {
            levels.resize(n, 1);
        }
        if !sink.wants_values() {
            sink.levels(&levels);
            continue;
        }
        match encoding {
            Encoding::PLAIN => sink.plain(buf, &levels)?,
            Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
                let size = sink
                    .dictionary_size()
                    .ok_or_else(|| damaged("dictionary page missing"))?;
                let (&width, rest) = buf
                    .split_first()
                    .ok_or_else(|| damaged("dictionary indices cut off"))?;
                let present = levels.iter().filter(|&&l| l == 1).count();
                indices.clear();
                rle_hybrid(rest, width, present, &mut indices)?;
                if indices.iter().any(|&i| i >= size) {
                    return Err(damaged("dictionary index past the dictionary"));
                }
                sink.indexed(&levels, &indices);
            }
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Column `ci` of a row group, numbers of physical type `T`: by pages when its encodings are
/// ours to decode, else `None` (the caller's typed reader reads it).
pub(crate) fn read_numbers<T: Fixed>(
    group: &dyn RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
) -> Result<Option<Numbers<T>>, ParquetError> {
    if descr.max_rep_level() != 0 || descr.max_def_level() > 1 {
        return Ok(None);
    }
    let mut pages = group.get_column_page_reader(ci)?;
    let mut out = Numbers::default();
    let rows = row_count(group);
    Ok(by_pages(pages.as_mut(), descr.max_def_level() == 1, rows, &mut out)?.then_some(out))
}

/// Which rows of a column chunk hold a value: the rows, and the null ones.
#[derive(Default)]
pub(crate) struct Presence {
    pub rows: usize,
    pub nulls: Vec<usize>,
}

impl Sink for Presence {
    fn wants_values(&self) -> bool {
        false
    }

    fn levels(&mut self, levels: &[u32]) {
        for (i, &l) in levels.iter().enumerate() {
            if l != 1 {
                self.nulls.push(self.rows + i);
            }
        }
        self.rows += levels.len();
    }

    fn dictionary(&mut self, _: &[u8], _: u32) -> Result<(), ParquetError> {
        Ok(())
    }

    fn dictionary_size(&self) -> Option<u32> {
        None
    }

    fn plain(&mut self, _: &[u8], levels: &[u32]) -> Result<(), ParquetError> {
        self.levels(levels);
        Ok(())
    }

    fn indexed(&mut self, levels: &[u32], _: &[u32]) {
        self.levels(levels);
    }
}

/// Column `ci` of a row group read for which rows hold a value, not the values (a column that
/// scoring only requires to be present): its pages are still read, checked and decompressed,
/// the definition levels decoded, the values skipped. `None` where the levels are not ours to
/// decode (the caller reads the values then).
pub(crate) fn read_presence(
    group: &dyn RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
) -> Result<Option<Presence>, ParquetError> {
    if descr.max_rep_level() != 0 || descr.max_def_level() > 1 {
        return Ok(None);
    }
    let rows = row_count(group);
    if without_nulls(group, ci, descr, rows) {
        return Ok(Some(Presence {
            rows,
            nulls: Vec::new(),
        }));
    }
    let mut pages = group.get_column_page_reader(ci)?;
    let mut out = Presence::default();
    Ok(by_pages(pages.as_mut(), descr.max_def_level() == 1, rows, &mut out)?.then_some(out))
}

/// Whether a flat column chunk holds a value in each of its `rows` rows by what the footer says:
/// a REQUIRED column, or a chunk whose statistics count no nulls, of as many values as rows (the
/// count `super::parquet_check` checked against its pages). Its pages are then not decompressed
/// at all: on a file polars wrote, the doc and time columns read for presence were three fifths
/// of the bytes pass one decompressed (issue 48). Statistics are what every reader's row-group
/// pruning trusts; a writer that counted nulls wrong would have a null doc read as "".
fn without_nulls(
    group: &dyn RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
    rows: usize,
) -> bool {
    let chunk = group.metadata().column(ci);
    if usize::try_from(chunk.num_values()).ok() != Some(rows) {
        return false;
    }
    descr.max_def_level() == 0 || chunk.statistics().and_then(|s| s.null_count_opt()) == Some(0)
}

/// One PLAIN byte array: a 4-byte little-endian length, then the bytes.
fn plain_value<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], ParquetError> {
    let cut = || damaged("plain value cut off");
    let len = rest
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(cut)?;
    let v = rest.get(4..4 + len).ok_or_else(cut)?;
    *rest = &rest[4 + len..];
    Ok(v)
}

/// `n` values of Parquet's RLE / bit-packed hybrid encoding of `width`-bit values, appended to
/// `out`. Runs longer than what is left are cut to it (a damaged count allocates nothing);
/// data that ends before `n` values is an error.
fn rle_hybrid(data: &[u8], width: u8, n: usize, out: &mut Vec<u32>) -> Result<(), ParquetError> {
    if width > 32 {
        return Err(damaged("bit width over 32"));
    }
    let width = usize::from(width);
    let bytes = width.div_ceil(8);
    let mask = if width == 32 {
        u32::MAX
    } else {
        (1u32 << width) - 1
    };
    let want = out.len() + n;
    let mut at = 0usize;
    while out.len() < want {
        let header = uleb128(data, &mut at)?;
        let left = want - out.len();
        if header & 1 == 0 {
            let run = usize::try_from(header >> 1).unwrap_or(usize::MAX).min(left);
            let raw = data
                .get(at..at + bytes)
                .ok_or_else(|| damaged("run cut off"))?;
            at += bytes;
            let mut v = 0u32;
            for (i, b) in raw.iter().enumerate() {
                v |= u32::from(*b) << (8 * i);
            }
            if run == 0 {
                // an empty run would loop for ever on damaged data
                return Err(damaged("empty run"));
            }
            out.extend(std::iter::repeat_n(v & mask, run));
        } else {
            let groups = usize::try_from(header >> 1).unwrap_or(usize::MAX);
            let len = groups.saturating_mul(width);
            let packed = data
                .get(at..at.saturating_add(len))
                .ok_or_else(|| damaged("bit-packed run cut off"))?;
            at += len;
            let count = groups.saturating_mul(8).min(left);
            if count == 0 {
                return Err(damaged("empty run"));
            }
            unpack(packed, width, mask, count, out);
        }
    }
    Ok(())
}

/// `count` values of `width` bits, least significant bit first.
fn unpack(packed: &[u8], width: usize, mask: u32, count: usize, out: &mut Vec<u32>) {
    if width == 0 {
        out.extend(std::iter::repeat_n(0, count));
        return;
    }
    let mut bit = 0usize;
    out.reserve(count);
    for _ in 0..count {
        let byte = bit / 8;
        // eight bytes at once where the run has them (all but its last few values)
        let word = match packed.get(byte..byte + 8) {
            Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            None => {
                let mut word = [0u8; 8];
                let end = (byte + 8).min(packed.len());
                word[..end - byte].copy_from_slice(&packed[byte..end]);
                u64::from_le_bytes(word)
            }
        };
        out.push((word >> (bit % 8)) as u32 & mask);
        bit += width;
    }
}

fn uleb128(data: &[u8], at: &mut usize) -> Result<u64, ParquetError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*at).ok_or_else(|| damaged("run header cut off"))?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(damaged("run header longer than 64 bits"))
}

/// The chunk through the typed reader, value by value: what [`by_pages`] does not decode.
fn fallback(
    group: &dyn RowGroupReader,
    ci: usize,
    descr: &ColumnDescriptor,
) -> Result<Strings, ParquetError> {
    let ColumnReader::ByteArrayColumnReader(mut r) = group.get_column_reader(ci)? else {
        return Err(ParquetError::General("not a byte array column".into()));
    };
    let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
    let mut defs: Vec<i16> = Vec::new();
    let mut values = Vec::new();
    loop {
        let (records, _, _) = r.read_records(rows.max(1), Some(&mut defs), None, &mut values)?;
        if records == 0 {
            break;
        }
    }
    let max_def = descr.max_def_level();
    let mut out = Strings::default();
    if max_def == 0 {
        for v in &values {
            let code = out.push_entry(v.data());
            out.codes.push(code);
        }
        return Ok(out);
    }
    let mut values = values.iter();
    for &d in &defs {
        let code = if d == max_def {
            let v = values.next().ok_or_else(|| damaged("too few values"))?;
            out.push_entry(v.data())
        } else {
            NULL
        };
        out.codes.push(code);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::column::page::PageMetadata;

    /// Pages from memory, in order.
    struct Pages(std::vec::IntoIter<Page>);

    impl Iterator for Pages {
        type Item = Result<Page, ParquetError>;
        fn next(&mut self) -> Option<Self::Item> {
            self.0.next().map(Ok)
        }
    }

    impl PageReader for Pages {
        fn get_next_page(&mut self) -> Result<Option<Page>, ParquetError> {
            Ok(self.0.next())
        }
        fn peek_next_page(&mut self) -> Result<Option<PageMetadata>, ParquetError> {
            Err(damaged("not used"))
        }
        fn skip_next_page(&mut self) -> Result<(), ParquetError> {
            self.0.next();
            Ok(())
        }
    }

    fn plain_i32_page(values: &[i32], claimed: u32) -> Page {
        let buf: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Page::DataPage {
            buf: buf.into(),
            num_values: claimed,
            encoding: Encoding::PLAIN,
            def_level_encoding: Encoding::RLE,
            rep_level_encoding: Encoding::RLE,
            statistics: None,
        }
    }

    #[test]
    fn pages_claiming_more_values_than_rows_are_refused() {
        let read = |pages: Vec<Page>, rows: usize| {
            let mut out = Numbers::<i32>::default();
            by_pages(&mut Pages(pages.into_iter()), false, rows, &mut out).map(|_| out.values)
        };
        assert_eq!(
            read(vec![plain_i32_page(&[1, 2, 3], 3)], 3).ok(),
            Some(vec![1, 2, 3])
        );
        // a damaged header claiming four billion values is an error, not an allocation
        let err = read(vec![plain_i32_page(&[1, 2, 3], u32::MAX)], 3);
        assert!(err.is_err_and(|e| e.to_string().contains("more values")));
        // so is a second page past the row group's end
        let err = read(
            vec![plain_i32_page(&[1, 2], 2), plain_i32_page(&[3, 4], 2)],
            3,
        );
        assert!(err.is_err());
    }

    #[test]
    fn runs_and_bit_packed_groups_decode() {
        // a run of 5 sevens (width 3), then one group of 8 bit-packed values 0..8
        let mut data = vec![5 << 1, 7];
        data.push((1 << 1) | 1);
        // 0..8 at 3 bits each, LSB first: 24 bits
        let mut bits = 0u32;
        for i in 0..8u32 {
            bits |= i << (3 * i);
        }
        data.extend_from_slice(&bits.to_le_bytes()[..3]);
        let mut out = Vec::new();
        rle_hybrid(&data, 3, 11, &mut out).unwrap();
        assert_eq!(out, [7, 7, 7, 7, 7, 0, 1, 2, 3, 4, 5]);
        // cut off: an error, not a panic
        let mut out = Vec::new();
        assert!(rle_hybrid(&data[..3], 3, 11, &mut out).is_err());
        // a run claiming billions of values is cut to what is asked
        let mut huge = Vec::new();
        let mut h = (u64::from(u32::MAX)) << 1;
        while h >= 0x80 {
            huge.push((h as u8) | 0x80);
            h >>= 7;
        }
        huge.push(h as u8);
        huge.push(1);
        let mut out = Vec::new();
        rle_hybrid(&huge, 1, 4, &mut out).unwrap();
        assert_eq!(out, [1; 4]);
    }
}
