//! Export of a whole result set (every matching document, not one page, not collapsed) as CSV or
//! as an Excel workbook, one row per document with the extraction's fields as columns.
//!
//! Memory stays bounded whatever the result size: the matches are ranked as addresses only
//! (16 bytes each, at most [`MAX_EXPORT`]), then each document is read, written and dropped; the
//! workbook is written by rust_xlsxwriter in constant-memory mode (each row goes to a temporary
//! file as soon as the next one starts, and the file is zipped from there).

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use tantivy::collector::{Count, TopDocs};
use tantivy::{DateTime, Order, TantivyDocument};

use super::*;

/// Most rows one export writes (the first ones in the request's order); beyond, the summary
/// says how many matched.
pub const MAX_EXPORT: usize = 200_000;
/// Longest text kept in a cell: Excel's limit is 32,767 characters.
const MAX_CELL_CHARS: usize = 32_000;

/// Column names, in order.
pub const COLUMNS: [&str; 18] = [
    "id",
    "cluster",
    "title",
    "url",
    "source",
    "kind",
    "channel",
    "published",
    "categories",
    "hazards",
    "provinces",
    "cities",
    "brands",
    "enterprises",
    "platforms",
    "is_signal",
    "severity",
    "text",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    /// The format a file name asks for by its extension.
    pub fn for_path(path: &Path) -> Option<ExportFormat> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(ExportFormat::parse)
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Rows written (documents).
    pub rows: u64,
    /// Documents the search matched.
    pub total: u64,
}

fn cells(d: &StoredDoc) -> [String; 18] {
    let mut text: String = d.text.chars().take(MAX_CELL_CHARS).collect();
    if text.len() < d.text.len() {
        text.push('…');
    }
    [
        d.id.clone(),
        d.cluster.clone(),
        d.title.clone(),
        d.url.clone(),
        d.source.clone(),
        d.kind.clone(),
        d.channel.clone(),
        d.published.clone().unwrap_or_default(),
        d.categories.join("; "),
        d.hazards.join("; "),
        d.provinces.join("; "),
        d.cities.join("; "),
        d.brands.join("; "),
        d.enterprises.join("; "),
        d.platforms.join("; "),
        if d.is_signal { "true" } else { "false" }.to_string(),
        d.severity.to_string(),
        text,
    ]
}

fn export_error(e: impl std::fmt::Display) -> IndexError {
    IndexError::Export(e.to_string())
}

impl Index {
    /// Every document the request matches (up to [`MAX_EXPORT`]), in its order (relevance, or
    /// date for a date sort or no text), handed to `row` one at a time.
    fn each_match(
        &self,
        req: &SearchRequest,
        mut row: impl FnMut(&StoredDoc) -> Result<(), IndexError>,
    ) -> Result<ExportSummary, IndexError> {
        let built = self.build_query(req)?;
        let searcher = self.reader.searcher();
        let by_date = req.sort == Sort::Date || built.text.is_none();
        let total = searcher.search(&*built.query, &Count)?;
        let limit = total.clamp(1, MAX_EXPORT);
        let addrs: Vec<DocAddress> = if by_date {
            let top =
                TopDocs::with_limit(limit).order_by_fast_field::<DateTime>("day", Order::Desc);
            searcher
                .search(&*built.query, &top)?
                .into_iter()
                .map(|(_, a)| a)
                .collect()
        } else {
            let top = TopDocs::with_limit(limit).order_by_score();
            searcher
                .search(&*built.query, &top)?
                .into_iter()
                .map(|(_, a)| a)
                .collect()
        };
        let mut rows = 0;
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            row(&self.stored(&doc))?;
            rows += 1;
        }
        Ok(ExportSummary {
            rows,
            total: total as u64,
        })
    }

    /// The result set as CSV (UTF-8 with a byte-order mark, so Excel reads Chinese right).
    pub fn export_csv<W: Write>(
        &self,
        req: &SearchRequest,
        out: W,
    ) -> Result<ExportSummary, IndexError> {
        let mut out = out;
        out.write_all("\u{feff}".as_bytes()).map_err(export_error)?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(COLUMNS).map_err(export_error)?;
        let summary = self.each_match(req, |d| w.write_record(cells(d)).map_err(export_error))?;
        w.flush().map_err(export_error)?;
        Ok(summary)
    }

    /// The result set as an Excel workbook at `path` (one sheet, a bold header row, frozen),
    /// written in constant memory.
    pub fn export_xlsx(
        &self,
        req: &SearchRequest,
        path: &Path,
    ) -> Result<ExportSummary, IndexError> {
        let mut book = Workbook::new();
        let tmp = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = tmp {
            // the rows' temporary files beside the output rather than in a small /tmp
            book.set_tempdir(dir).map_err(export_error)?;
        }
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(export_error)?;
        sheet.set_name("results").map_err(export_error)?;
        let bold = Format::new().set_bold();
        for (c, name) in COLUMNS.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *name, &bold)
                .map_err(export_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(export_error)?;
        let mut r: u32 = 0;
        let summary = self.each_match(req, |d| {
            r += 1;
            for (c, v) in cells(d).iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r, c as u16, v).map_err(export_error)?;
                }
            }
            Ok(())
        })?;
        book.save(path).map_err(export_error)?;
        Ok(summary)
    }
}
