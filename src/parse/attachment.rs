//! Attachments of notices: the spreadsheets (xls, xlsx — calamine), Word documents (docx — the
//! tables of `word/document.xml`, `docx.rs`), CSV files and PDFs (pdf-extract's text
//! layer) a notice page links to, read into the same table rows its HTML table would give
//! (`table::rows`: header recognised by its Chinese column names).
//!
//! Owns which links are attachments ([`links`]), what format a body is (by its magic bytes
//! first: servers label files `application/octet-stream` or worse; a zip by the parts it holds,
//! a compound file by its streams, `ole.rs`), and reading it. Every row read from an
//! attachment carries the attachment's URL under `field::FROM`. Nothing here panics on a file:
//! a bad, truncated or password-protected file, a PDF without a text layer (a scan) or a file
//! with no recognisable table is an [`AttachmentError`] with a stable reason the pipeline
//! counts. Word 97–2003 `.doc` files are fetched but not read (no maintained pure-Rust reader
//! of their tables): they are counted as `unsupported-attachment`.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Dimensions, Range, Reader, Xls, XlsError, Xlsx, XlsxError};
use scraper::Html;
use url::Url;

pub use super::attachment_error::AttachmentError;
use super::attachment_error::{MAX_ROWS, bad};
use super::{docx, ole, table};
use crate::model::{Fetched, field};

/// File endings of the links a notice page's attachments are found by. A `.doc` is fetched
/// only to be counted (`unsupported-attachment`): a regulator publishing its lists that way
/// shows in its health record.
pub const SUFFIXES: [&str; 6] = [".xls", ".xlsx", ".csv", ".pdf", ".docx", ".doc"];

/// Largest `word/document.xml` a .docx may unpack to (bytes): over it the file is a
/// `bad-attachment`, so a zip bomb costs at most this much.
pub const MAX_DOCX_XML: u64 = docx::MAX_XML;

/// At most this many attachments are fetched for one page: a page linking hundreds of files is
/// an archive index, not a notice.
pub const MAX_PER_PAGE: usize = 8;

/// One table row (keys of [`crate::model::field`]).
pub type Row = BTreeMap<String, String>;

/// A cheap look before parsing a page for attachment links: does its body name a file of one
/// of the [`SUFFIXES`] anywhere (any case)?
pub fn mentioned(body: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(SUFFIXES)
                .ok()
        })
        .as_ref()
        // without a finder (it cannot fail to build on these patterns), look properly
        .is_none_or(|f| f.is_match(body))
}

/// Is this URL's path one of an attachment ([`SUFFIXES`])?
pub fn is_attachment(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    SUFFIXES.iter().any(|s| path.ends_with(s))
}

/// Attachment links of a detail page (absolute, in page order, each once, at most
/// [`MAX_PER_PAGE`]).
pub fn links(f: &Fetched) -> Vec<String> {
    let Ok(base) = Url::parse(&f.url) else {
        return Vec::new();
    };
    let page = Html::parse_document(&super::charset::decode(f));
    let Ok(anchors) = super::page::compiled("a[href]") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for a in page.select(&anchors) {
        let Some(u) = a
            .value()
            .attr("href")
            .and_then(|h| super::page::resolve_url(&base, h))
        else {
            continue;
        };
        if is_attachment(&u) && !out.iter().any(|o| o == u.as_str()) {
            out.push(u.to_string());
            if out.len() == MAX_PER_PAGE {
                break;
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Docx,
    /// A compound file: xls, Word 97 `.doc` or an encrypted Office Open XML file.
    Ole,
    /// A `.doc` link whose body is no compound file (RTF, HTML saved under that name).
    Doc,
    Csv,
    Pdf,
}

/// The format by magic bytes, then by the URL's ending or a CSV content type.
fn format(f: &Fetched) -> Option<Format> {
    let b = &f.body;
    let path = Url::parse(&f.url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    let head = &b[..b.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(Format::Pdf);
    }
    if b.starts_with(&ole::MAGIC[..4]) {
        return Some(Format::Ole);
    }
    if b.starts_with(b"PK\x03\x04") {
        return Some(zip_format(b, &path));
    }
    let ct = f.header("content-type").unwrap_or("").to_ascii_lowercase();
    if path.ends_with(".csv") || ct.contains("text/csv") {
        Some(Format::Csv)
    } else if path.ends_with(".xlsx") {
        Some(Format::Xlsx)
    } else if path.ends_with(".xls") {
        Some(Format::Ole)
    } else if path.ends_with(".docx") {
        Some(Format::Docx)
    } else if path.ends_with(".doc") {
        Some(Format::Doc)
    } else if path.ends_with(".pdf") {
        Some(Format::Pdf)
    } else {
        None
    }
}

/// A zip is a Word document when it holds `word/document.xml`, a workbook when it holds
/// `xl/workbook.xml` (part names compared without case); a zip whose directory cannot be read
/// or that holds neither goes by the URL's ending, else to the xlsx reader, which says why it
/// is bad.
fn zip_format(b: &[u8], path: &str) -> Format {
    let by_name = if path.ends_with(".docx") {
        Format::Docx
    } else {
        Format::Xlsx
    };
    let Ok(z) = zip::ZipArchive::new(Cursor::new(b)) else {
        return by_name;
    };
    let holds = |part: &[u8]| z.file_names_raw().any(|n| n.eq_ignore_ascii_case(part));
    if holds(b"word/document.xml") {
        Format::Docx
    } else if holds(b"xl/workbook.xml") {
        Format::Xlsx
    } else {
        by_name
    }
}

/// The table rows of one attachment, each marked with its URL (`field::FROM`).
pub fn read(f: &Fetched) -> Result<Vec<Row>, AttachmentError> {
    let url = f.url.as_str();
    let grids = match format(f) {
        Some(Format::Xlsx) => xlsx(url, &f.body)?,
        Some(Format::Docx) => docx::grids(url, &f.body)?,
        Some(Format::Ole) => compound(url, &f.body)?,
        Some(Format::Doc) => {
            return Err(AttachmentError::Unsupported {
                url: url.to_string(),
                format: "doc",
            });
        }
        Some(Format::Csv) => vec![csv_grid(url, &super::charset::decode(f))?],
        Some(Format::Pdf) => vec![pdf_grid(url, &f.body)?],
        None => {
            return Err(AttachmentError::Unknown {
                url: url.to_string(),
            });
        }
    };
    let mut rows: Vec<Row> = grids.iter().flat_map(|g| table::rows(g)).collect();
    if rows.is_empty() {
        return Err(AttachmentError::NoTable {
            url: url.to_string(),
        });
    }
    for r in &mut rows {
        r.insert(field::FROM.to_string(), url.to_string());
    }
    Ok(rows)
}

/// Every sheet of an xlsx workbook, merged cells filled in.
fn xlsx(url: &str, body: &[u8]) -> Result<Vec<Vec<Vec<String>>>, AttachmentError> {
    let err = |e: XlsxError| match e {
        XlsxError::Password => AttachmentError::Encrypted {
            url: url.to_string(),
        },
        e => bad(url, "xlsx", e),
    };
    let mut wb = Xlsx::new(Cursor::new(body)).map_err(err)?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| bad(url, "xlsx", format!("sheet {name:?}: {e}")))?;
        // a sheet whose merge list cannot be read is still read, merged cells left empty
        let merged = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
        out.push(grid(&range, &merged));
    }
    Ok(out)
}

/// A compound file by the streams it holds: an `EncryptedPackage` is a password-protected
/// docx / xlsx, a `WordDocument` a Word 97 `.doc` (not read); anything else (or a directory
/// that cannot be read) goes to the xls reader.
fn compound(url: &str, body: &[u8]) -> Result<Vec<Vec<Vec<String>>>, AttachmentError> {
    if let Ok(names) = ole::names(body) {
        if ole::has(&names, "EncryptedPackage") {
            return Err(AttachmentError::Encrypted {
                url: url.to_string(),
            });
        }
        if ole::has(&names, "WordDocument") {
            return Err(AttachmentError::Unsupported {
                url: url.to_string(),
                format: "doc",
            });
        }
    }
    xls(url, body)
}

/// Every sheet of an xls (BIFF) workbook, merged cells filled in. An encrypted xlsx is a
/// compound file too: [`compound`] tells it by its streams first, and calamine's xlsx reader
/// still does when that directory could not be read.
fn xls(url: &str, body: &[u8]) -> Result<Vec<Vec<Vec<String>>>, AttachmentError> {
    let mut wb = match Xls::new(Cursor::new(body)) {
        Ok(wb) => wb,
        Err(XlsError::Password) => {
            return Err(AttachmentError::Encrypted {
                url: url.to_string(),
            });
        }
        Err(e) => {
            return match Xlsx::new(Cursor::new(body)) {
                Err(XlsxError::Password) => Err(AttachmentError::Encrypted {
                    url: url.to_string(),
                }),
                _ => Err(bad(url, "xls", e)),
            };
        }
    };
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| bad(url, "xls", format!("sheet {name:?}: {e}")))?;
        let merged = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
        out.push(grid(&range, &merged));
    }
    Ok(out)
}

/// A sheet as cell texts; each merged region's cells take its top-left value (an enterprise
/// merged down over its three products belongs to each of them).
fn grid(range: &Range<Data>, merged: &[Dimensions]) -> Vec<Vec<String>> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut g: Vec<Vec<String>> = range
        .rows()
        .take(MAX_ROWS)
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    for m in merged {
        let (Some(top), Some(left)) = (m.start.0.checked_sub(r0), m.start.1.checked_sub(c0)) else {
            continue;
        };
        let (top, left) = (top as usize, left as usize);
        let Some(value) = g.get(top).and_then(|r| r.get(left)).cloned() else {
            continue;
        };
        let bottom = (m.end.0.saturating_sub(r0) as usize).min(g.len().saturating_sub(1));
        for row in g.iter_mut().take(bottom + 1).skip(top) {
            let right = (m.end.1.saturating_sub(c0) as usize).min(row.len().saturating_sub(1));
            for cell in row.iter_mut().take(right + 1).skip(left) {
                if cell.is_empty() {
                    cell.clone_from(&value);
                }
            }
        }
    }
    g
}

/// A CSV file (decoded by the page charset rules: a GBK CSV from Excel is common) as a grid;
/// rows may have any number of fields.
fn csv_grid(url: &str, text: &str) -> Result<Vec<Vec<String>>, AttachmentError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut g = Vec::new();
    for rec in r.records().take(MAX_ROWS) {
        let rec = rec.map_err(|e| bad(url, "csv", e))?;
        g.push(rec.iter().map(str::to_string).collect());
    }
    Ok(g)
}

/// A glyph of the PDF's text layer where it is drawn (top-down coordinates).
#[derive(Debug, Clone)]
struct Glyph {
    page: u32,
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

/// Collects the glyphs pdf-extract draws, with their positions, so columns can be told by where
/// they stand rather than by the single spaces of its plain-text output.
#[derive(Default)]
struct Glyphs {
    page: u32,
    height: f64,
    glyphs: Vec<Glyph>,
}

impl pdf_extract::OutputDev for Glyphs {
    fn begin_page(
        &mut self,
        page: u32,
        media_box: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        self.page = page;
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        // the font size in page units: the text matrix applied to (size, size)
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt().max(0.1);
        let (x, y) = (trm.m31, self.height - trm.m32);
        if x.is_finite() && y.is_finite() && width.is_finite() {
            self.glyphs.push(Glyph {
                page: self.page,
                x,
                y,
                end: x + width * size,
                size,
                text: text.to_string(),
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// A cell of a PDF text line: its horizontal extent and text.
#[derive(Debug, Clone)]
struct Cell {
    x0: f64,
    x1: f64,
    text: String,
}

/// The glyphs of a PDF, or why there are none to read. pdf-extract is run under
/// `catch_unwind`: it asserts on some malformed files, and one bad attachment must not take
/// the parse stage down.
fn pdf_glyphs(url: &str, body: &[u8]) -> Result<Vec<Glyph>, AttachmentError> {
    let run = || -> Result<Vec<Glyph>, AttachmentError> {
        let mut doc = pdf_extract::Document::load_mem(body).map_err(|e| bad(url, "pdf", e))?;
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err(AttachmentError::Encrypted {
                url: url.to_string(),
            });
        }
        let mut out = Glyphs::default();
        pdf_extract::output_doc(&doc, &mut out).map_err(|e| bad(url, "pdf", e))?;
        Ok(out.glyphs)
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(bad(url, "pdf", "the PDF reader failed on this file")))
}

/// A PDF's text lines as a grid: cells are runs of glyphs split at gaps wider than a character;
/// under a recognised header line each cell goes to the header column it overlaps most (else
/// the last column starting left of it), so a table's columns survive whatever spacing the
/// text layer has; the second lines of wrapped cells are joined to their rows
/// ([`join_wrapped_lines`]).
fn pdf_grid(url: &str, body: &[u8]) -> Result<Vec<Vec<String>>, AttachmentError> {
    let mut glyphs = pdf_glyphs(url, body)?;
    if !glyphs.iter().any(|g| !g.text.trim().is_empty()) {
        return Err(AttachmentError::NoText {
            url: url.to_string(),
        });
    }
    glyphs.sort_by(|a, b| {
        (a.page, a.y, a.x)
            .partial_cmp(&(b.page, b.y, b.x))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    // lines: glyphs of one page within half a character of the line's first baseline
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(l) if l[0].page == g.page && (g.y - l[0].y).abs() <= l[0].size * 0.5 => l.push(g),
            _ => lines.push(vec![g]),
        }
    }
    let mut placed = Vec::new();
    let mut header: Option<Vec<Cell>> = None;
    for mut line in lines {
        line.sort_by(|a, b| a.x.partial_cmp(&b.x).unwrap_or(std::cmp::Ordering::Equal));
        let (page, y) = (line[0].page, line[0].y);
        let cells = cells(&line);
        let texts: Vec<String> = cells.iter().map(|c| c.text.clone()).collect();
        let (kind, texts) = if table::header(&texts).is_some() {
            header = Some(cells);
            (LineKind::Header, texts)
        } else {
            match &header {
                Some(h) if !cells.is_empty() => (LineKind::Row, align(h, &cells)),
                _ => (LineKind::Text, texts),
            }
        };
        placed.push(Placed {
            page,
            y,
            kind,
            cells: texts,
        });
    }
    Ok(join_wrapped_lines(placed))
}

/// What a PDF text line is to the table under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Before any header: titles, preambles.
    Text,
    Header,
    /// Cells placed under the last header's columns.
    Row,
}

/// A PDF text line: where it stands, what it is, its cells.
#[derive(Debug, Clone)]
struct Placed {
    page: u32,
    y: f64,
    kind: LineKind,
    cells: Vec<String>,
}

impl Placed {
    /// Does the line begin a row of the table: the header, or a row line whose first column
    /// (the serial number, or whatever the table's first column is) has a value?
    fn starts_row(&self) -> bool {
        match self.kind {
            LineKind::Header => true,
            LineKind::Row => self.cells.first().is_some_and(|c| !c.trim().is_empty()),
            LineKind::Text => false,
        }
    }
}

/// Lines as grid rows, each wrapped cell's further lines joined to its row. A row line without
/// a first-column value is such a continuation when a row's first line stands nearer to it than
/// the table's row pitch: above it (top-aligned cells), or below (its row's other cells centred
/// or bottom-aligned, their baseline under the wrapped cell's first line); it joins the nearer,
/// never a header or a row on another page. The pitch is the lower quartile of the distances
/// between consecutive row starts on a page, so wrapped rows do not stretch it; a line a row's
/// height or more away (a note under the table, a page number) stays a line of its own, which
/// `table::rows` passes over. With fewer than two row starts there is no pitch and no joining.
fn join_wrapped_lines(lines: Vec<Placed>) -> Vec<Vec<String>> {
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_row())
        .collect();
    let mut gaps: Vec<f64> = starts
        .windows(2)
        .filter(|w| lines[w[0]].page == lines[w[1]].page)
        .map(|w| lines[w[1]].y - lines[w[0]].y)
        .filter(|d| *d > 0.0)
        .collect();
    gaps.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let pitch = gaps.get(gaps.len() / 4).copied();
    // the row start each continuation joins
    let mut owner: Vec<Option<usize>> = vec![None; lines.len()];
    if let Some(pitch) = pitch {
        for (i, l) in lines.iter().enumerate() {
            if l.kind != LineKind::Row
                || l.starts_row()
                || l.cells.iter().all(|c| c.trim().is_empty())
            {
                continue;
            }
            // the nearest row starts above and below on the line's page, and how far they are
            let k = starts.partition_point(|&j| j < i);
            let near = |j: Option<&usize>| {
                j.copied()
                    .filter(|&j| lines[j].page == l.page)
                    .map(|j| (j, (lines[j].y - l.y).abs()))
            };
            let above = near(k.checked_sub(1).and_then(|k| starts.get(k)));
            let below = near(starts.get(k));
            let nearest = match (above, below) {
                (Some(a), Some(b)) => Some(if b.1 < a.1 { b } else { a }),
                (a, b) => a.or(b),
            };
            owner[i] = nearest
                .filter(|&(j, d)| d < pitch && lines[j].kind == LineKind::Row)
                .map(|(j, _)| j);
        }
    }
    let mut joined: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    for (j, o) in owner.iter().enumerate() {
        if let Some(slot) = o.and_then(|i| joined.get_mut(i)) {
            slot.push(j);
        }
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if owner[i].is_some() {
            continue;
        }
        let mut parts: Vec<&Placed> = std::iter::once(l)
            .chain(joined[i].iter().map(|&j| &lines[j]))
            .collect();
        if parts.len() == 1 {
            out.push(l.cells.clone());
            continue;
        }
        parts.sort_by(|a, b| a.y.partial_cmp(&b.y).unwrap_or(std::cmp::Ordering::Equal));
        let width = parts.iter().map(|p| p.cells.len()).max().unwrap_or(0);
        let mut row = vec![String::new(); width];
        for p in parts {
            for (slot, text) in row.iter_mut().zip(&p.cells) {
                join_wrapped(slot, text);
            }
        }
        out.push(row);
    }
    out
}

/// Appends a wrapped cell's next line: Chinese text runs on without a space (a line break in
/// 某某电器有限 / 公司 is no word break), other text takes one.
fn join_wrapped(cell: &mut String, next: &str) {
    let next = next.trim();
    if next.is_empty() {
        return;
    }
    let wide = |c: char| u32::from(c) >= 0x2E80;
    if !cell.is_empty() && !cell.ends_with(wide) && !next.starts_with(wide) {
        cell.push(' ');
    }
    cell.push_str(next);
}

/// Runs of glyphs split where the gap (spaces included) is wider than 0.9 of a character.
fn cells(line: &[Glyph]) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    let mut last_end = f64::NEG_INFINITY;
    for g in line.iter().filter(|g| !g.text.trim().is_empty()) {
        let gap = g.x - last_end;
        match out.last_mut() {
            Some(c) if gap <= g.size * 0.9 => {
                if gap > g.size * 0.2 {
                    c.text.push(' ');
                }
                c.text.push_str(&g.text);
                c.x1 = g.end.max(c.x1);
            }
            _ => out.push(Cell {
                x0: g.x,
                x1: g.end,
                text: g.text.clone(),
            }),
        }
        last_end = g.end.max(g.x);
    }
    out
}

/// A line's cells placed under the header's columns.
fn align(header: &[Cell], cells: &[Cell]) -> Vec<String> {
    let mut row = vec![String::new(); header.len()];
    for c in cells {
        let overlap = |h: &Cell| (c.x1.min(h.x1) - c.x0.max(h.x0)).max(0.0);
        let best = header
            .iter()
            .enumerate()
            .filter(|(_, h)| overlap(h) > 0.0)
            .max_by(|a, b| {
                overlap(a.1)
                    .partial_cmp(&overlap(b.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .map(|(i, _)| i)
            .or_else(|| header.iter().rposition(|h| h.x0 <= c.x0 + 0.5))
            .unwrap_or(0);
        if let Some(slot) = row.get_mut(best) {
            if !slot.is_empty() {
                slot.push(' ');
            }
            slot.push_str(&c.text);
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_mentions_files_of_every_suffix_in_any_case() {
        for s in SUFFIXES {
            let body = format!("<a href=\"/f/附件{}\">附件</a>", s.to_ascii_uppercase());
            assert!(mentioned(body.as_bytes()), "{s}");
        }
        assert!(!mentioned(
            "<a href=\"/n/2.html\">下一篇</a> 详见.htm".as_bytes()
        ));
    }
    use crate::model::PageRole;

    fn fetched(url: &str, body: Vec<u8>) -> Fetched {
        Fetched {
            source: "s".into(),
            url: url.into(),
            role: PageRole::Attachment,
            status: 200,
            headers: vec![],
            body,
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn links_are_files_of_the_known_kinds_once_each() {
        let mut f = fetched("http://h/a/n.html", Vec::new());
        f.role = PageRole::Detail;
        f.body = "<p><a href=\"f1.XLSX\">名单</a><a href=\"/f2.pdf\">pdf</a><a href=\"f1.XLSX\">again</a>\
                  <a href=\"x.doc\">doc</a><a href=\"page.html\">p</a><a href=\"d.csv?x=1\">csv</a>\
                  <a href=\"y.Docx\">docx</a><a href=\"z.docm\">macro</a></p>"
            .as_bytes()
            .to_vec();
        assert_eq!(
            links(&f),
            vec![
                "http://h/a/f1.XLSX",
                "http://h/f2.pdf",
                "http://h/a/x.doc",
                "http://h/a/d.csv?x=1",
                "http://h/a/y.Docx"
            ]
        );
    }

    #[test]
    fn csv_in_gbk_reads_into_rows() {
        let text =
            "序号,产品名称,标称生产企业,不合格项目\n1,电暖器,某某电器厂,\"输入功率, 发热\"\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let rows = read(&fetched("http://h/list.csv", gbk.into_owned())).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["product"], "电暖器");
        assert_eq!(rows[0]["items"], "输入功率, 发热");
        assert_eq!(rows[0]["from"], "http://h/list.csv");
    }

    #[test]
    fn garbage_is_counted_by_reason_not_panicked_on() {
        let r = read(&fetched(
            "http://h/x.xlsx",
            b"PK\x03\x04 not a zip".to_vec(),
        ));
        assert_eq!(r.unwrap_err().reason(), "bad-attachment");
        let r = read(&fetched("http://h/x.pdf", b"%PDF-1.4\n garbage".to_vec()));
        assert_eq!(r.unwrap_err().reason(), "bad-attachment");
        let r = read(&fetched(
            "http://h/x.xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3],
        ));
        assert_eq!(r.unwrap_err().reason(), "bad-attachment");
        let r = read(&fetched("http://h/x.bin", b"hello".to_vec()));
        assert_eq!(r.unwrap_err().reason(), "unknown-attachment");
        let r = read(&fetched("http://h/x.csv", b"a,b\n1,2\n".to_vec()));
        assert_eq!(r.unwrap_err().reason(), "no-table");
    }

    /// A zip of `parts` (name, content), deflated.
    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write as _;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    fn document_xml(rows: &[&[&str]]) -> Vec<u8> {
        let rows: String = rows
            .iter()
            .map(|r| {
                let cells: String = r
                    .iter()
                    .map(|c| format!("<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>"))
                    .collect();
                format!("<w:tr>{cells}</w:tr>")
            })
            .collect();
        format!("<w:document xmlns:w=\"{W}\"><w:body><w:tbl>{rows}</w:tbl></w:body></w:document>")
            .into_bytes()
    }

    #[test]
    fn a_zip_is_told_by_its_parts_not_its_name() {
        let xml = document_xml(&[
            &["产品名称", "标称生产企业", "不合格项目"],
            &["电热水壶", "某某电器有限公司", "耐热和耐燃"],
        ]);
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &xml),
        ]);
        // a Word file served under a spreadsheet's name is read as Word
        let rows = read(&fetched("http://h/list.xlsx", docx.clone())).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["enterprise"], "某某电器有限公司");
        assert_eq!(rows[0]["items"], "耐热和耐燃");
        let rows = read(&fetched("http://h/download?id=7", docx)).unwrap();
        assert_eq!(rows[0]["product"], "电热水壶");
        // and a workbook under a Word name as a workbook
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        for (c, h) in ["产品名称", "标称生产企业"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "插座").unwrap();
        sheet.write_string(1, 1, "某某电工厂").unwrap();
        let rows = read(&fetched("http://h/list.docx", wb.save_to_buffer().unwrap())).unwrap();
        assert_eq!(rows[0]["product"], "插座");
        // a zip of neither, and a zip cut short, go by their names to a reader that says why
        let other = zip_of(&[("readme.txt", b"x")]);
        for (url, body) in [
            ("http://h/a.docx", other.clone()),
            ("http://h/a.xlsx", other),
            ("http://h/b.docx", b"PK\x03\x04 cut".to_vec()),
        ] {
            let e = read(&fetched(url, body)).unwrap_err();
            assert_eq!(e.reason(), "bad-attachment", "{url}: {e}");
            let wanted = if url.ends_with(".docx") {
                "docx"
            } else {
                "xlsx"
            };
            assert!(e.to_string().contains(wanted), "{url}: {e}");
        }
    }

    #[test]
    fn compound_files_are_told_by_their_streams() {
        use super::super::ole::tests::compound;
        let encrypted = compound(
            &[
                ("EncryptionInfo", vec![4, 0, 4, 0, 0x40, 0, 0, 0]),
                ("EncryptedPackage", vec![7; 4096]),
            ],
            4,
        );
        for url in ["http://h/a.docx", "http://h/a.xlsx", "http://h/a"] {
            let e = read(&fetched(url, encrypted.clone())).unwrap_err();
            assert_eq!(e.reason(), "encrypted-attachment", "{url}: {e}");
        }
        let word97 = compound(
            &[("WordDocument", vec![0xEC, 0xA5]), ("1Table", vec![0])],
            4,
        );
        let e = read(&fetched("http://h/a.doc", word97)).unwrap_err();
        assert_eq!(e.reason(), "unsupported-attachment", "{e}");
        // a .doc that is an RTF or web page under that name: not read either
        let e = read(&fetched("http://h/a.doc", b"{\\rtf1\\ansi hello}".to_vec())).unwrap_err();
        assert_eq!(e.reason(), "unsupported-attachment", "{e}");
        // a compound file of neither kind goes to the xls reader
        let other = compound(&[("Something", vec![1; 10])], 4);
        let e = read(&fetched("http://h/a.xls", other)).unwrap_err();
        assert_eq!(e.reason(), "bad-attachment", "{e}");
    }

    fn placed(page: u32, y: f64, kind: LineKind, cells: &[&str]) -> Placed {
        Placed {
            page,
            y,
            kind,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn wrapped_lines_join_the_nearer_row_start_within_a_pitch() {
        use LineKind::{Header, Row, Text};
        let lines = vec![
            placed(1, 40.0, Text, &["某某产品抽查不合格名单"]),
            placed(1, 100.0, Header, &["序号", "产品名称", "标称生产企业"]),
            // a header's second line is left alone
            placed(1, 108.0, Row, &["", "", "（全称）"]),
            // top-aligned: the enterprise wraps below its row's first line
            placed(1, 120.0, Row, &["1", "电暖器", "某某电器"]),
            placed(1, 132.0, Row, &["", "", "有限公司"]),
            placed(1, 154.0, Row, &["2", "插座 Type", "某某电工厂"]),
            placed(1, 166.0, Row, &["", "A-1", ""]),
            // centred: the wrapped cell's first line stands above the row's other cells
            placed(1, 182.0, Row, &["", "", "某某"]),
            placed(1, 188.0, Row, &["3", "电热毯", ""]),
            placed(1, 194.0, Row, &["", "", "科技有限公司"]),
            placed(1, 210.0, Row, &["4", "电吹风", "某某小家电厂"]),
            // a note a row's height under the last row is no continuation
            placed(1, 232.0, Row, &["", "", "（以下空白）"]),
            // nor is a line on the next page
            placed(2, 20.0, Row, &["", "", "续"]),
        ];
        let g = join_wrapped_lines(lines);
        let want: Vec<Vec<&str>> = vec![
            vec!["某某产品抽查不合格名单"],
            vec!["序号", "产品名称", "标称生产企业"],
            vec!["", "", "（全称）"],
            vec!["1", "电暖器", "某某电器有限公司"],
            vec!["2", "插座 Type A-1", "某某电工厂"],
            vec!["3", "电热毯", "某某科技有限公司"],
            vec!["4", "电吹风", "某某小家电厂"],
            vec!["", "", "（以下空白）"],
            vec!["", "", "续"],
        ];
        assert_eq!(g, want);
    }

    #[test]
    fn with_one_row_there_is_no_pitch_and_no_joining() {
        use LineKind::{Header, Row};
        let lines = vec![
            placed(1, 100.0, Header, &["序号", "产品名称"]),
            placed(1, 120.0, Row, &["1", "电暖器"]),
            placed(1, 500.0, Row, &["", "第 1 页"]),
        ];
        assert_eq!(join_wrapped_lines(lines).len(), 3);
    }
}
