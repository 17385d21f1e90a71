//! Word (.docx) attachments: every table of the document as a grid of cell texts for
//! `table::rows`, so a header row is told by its Chinese column names as in a spreadsheet.
//!
//! A .docx is a zip holding `word/document.xml` (read through a cap, [`MAX_XML`], so a zip bomb
//! costs no more than that); its tables are `w:tbl` → `w:tr` → `w:tc`, walked by quick-xml with
//! namespaces resolved (transitional and strict WordprocessingML). A cell's text is its runs'
//! `w:t` text (`w:tab` a tab, `w:br` / `w:cr` a line break), its paragraphs joined by line breaks
//! — as a spreadsheet cell's Alt-Enter lines, which `table::rows` joins with a space. Merged
//! cells are filled in as the xlsx reader fills them: a cell spanning columns (`w:gridSpan`)
//! repeats its text over them, a cell continuing a vertical merge (`w:vMerge` without
//! `w:val="restart"`) takes the text of the cell above it in the same grid column, and a legacy
//! horizontal continuation (`w:hMerge`) that of the cell to its left. `w:gridBefore` leaves the
//! grid columns a row skips empty. A table inside a cell is a grid of its own (its text is not
//! the outer cell's); text outside tables is not read.
//!
//! Left out: the `mc:Fallback` copy of alternate content (text boxes would be read twice) and
//! text moved away under tracked changes (`w:moveFrom`; deleted text is `w:delText`, never read).
//! Bounded: table nesting ([`MAX_NESTING`], deeper tables' text goes to the enclosing cell),
//! columns per row ([`MAX_COLUMNS`]), rows per table (`MAX_ROWS`) and the text the grids hold
//! with every merged copy counted ([`MAX_GRID_BYTES`]), so merges cannot multiply a small file.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::attachment_error::{AttachmentError, MAX_ROWS, bad};

/// Largest `word/document.xml` read (uncompressed bytes); a larger one is a `bad-attachment`.
pub const MAX_XML: u64 = 32 << 20;

/// Deepest table nesting kept as separate grids.
pub const MAX_NESTING: usize = 8;

/// Grid columns a row keeps (Word's own limit is 63).
pub const MAX_COLUMNS: usize = 64;

/// Most text (bytes, each cell counted at least as large as its slot) the grids of one
/// document may hold, merged copies included.
pub const MAX_GRID_BYTES: usize = 64 << 20;

/// A table as rows of cell texts.
pub type Grid = Vec<Vec<String>>;

/// The tables of a .docx file, in document order.
pub fn grids(url: &str, body: &[u8]) -> Result<Vec<Grid>, AttachmentError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(body)).map_err(|e| bad(url, "docx", e))?;
    // part names are case-insensitive
    let index = zip
        .file_names_raw()
        .position(|n| n.eq_ignore_ascii_case(b"word/document.xml"))
        .ok_or_else(|| bad(url, "docx", "no word/document.xml"))?;
    let mut part = zip.by_index(index).map_err(|e| bad(url, "docx", e))?;
    let too_large = || {
        bad(
            url,
            "docx",
            format!("word/document.xml is over {} MiB", MAX_XML >> 20),
        )
    };
    if part.size() > MAX_XML {
        return Err(too_large());
    }
    let mut xml = Vec::new();
    // the declared size is the file's word: read through the cap whatever it says
    (&mut part)
        .take(MAX_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|e| bad(url, "docx", format!("word/document.xml: {e}")))?;
    if xml.len() as u64 > MAX_XML {
        return Err(too_large());
    }
    // UTF-8, or UTF-16 by its byte order mark
    let (text, _, _) = encoding_rs::UTF_8.decode(&xml);
    tables(&text).map_err(|e| bad(url, "docx", format!("word/document.xml: {e}")))
}

/// The WordprocessingML namespaces: transitional (what Word writes) and strict.
const W: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// The elements the walk acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Tbl,
    Tr,
    Tc,
    P,
    R,
    T,
    Tab,
    Break,
    Hyphen,
    GridSpan,
    GridBefore,
    VMerge,
    HMerge,
    /// A subtree not read at all.
    Skip,
    Other,
}

fn tag(ns: &ResolveResult, local: &str) -> Tag {
    let ns = match ns {
        ResolveResult::Bound(n) => n.as_ref(),
        _ => return Tag::Other,
    };
    if ns == MC {
        return if local == "Fallback" {
            Tag::Skip
        } else {
            Tag::Other
        };
    }
    if !W.contains(&ns) {
        return Tag::Other;
    }
    match local {
        "tbl" => Tag::Tbl,
        "tr" => Tag::Tr,
        "tc" => Tag::Tc,
        "p" => Tag::P,
        "r" => Tag::R,
        "t" => Tag::T,
        "tab" => Tag::Tab,
        "br" | "cr" => Tag::Break,
        "noBreakHyphen" => Tag::Hyphen,
        "gridSpan" => Tag::GridSpan,
        "gridBefore" => Tag::GridBefore,
        "vMerge" => Tag::VMerge,
        "hMerge" => Tag::HMerge,
        "moveFrom" => Tag::Skip,
        _ => Tag::Other,
    }
}

/// The `val` attribute of a property element (`w:val`).
fn val(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Does a merge property continue the cell before it (no `val`, or `val="continue"`)?
fn continues(e: &BytesStart) -> bool {
    val(e).is_none_or(|v| v != "restart")
}

#[derive(Default)]
struct Cell {
    text: String,
    span: usize,
    /// Continues the vertical merge above it.
    below: bool,
    /// Continues the horizontal merge to its left (legacy `w:hMerge`).
    right: bool,
}

#[derive(Default)]
struct Row {
    cells: Vec<String>,
    /// Grid columns (start, span) whose text is the row above's.
    below: Vec<(usize, usize)>,
}

struct Table {
    /// Its place among the document's tables (by where it starts).
    order: usize,
    rows: Grid,
    row: Option<Row>,
    cell: Option<Cell>,
}

/// The walk's state.
struct Walk {
    open: Vec<Table>,
    done: Vec<(usize, Grid)>,
    started: usize,
    /// Tables open below [`MAX_NESTING`]: their structure is not kept.
    deep: usize,
    in_run: usize,
    in_text: usize,
    bytes: usize,
}

const TOO_MUCH: &str = "its tables hold too much text";

impl Walk {
    /// Counts text kept in a grid slot; over the budget the document is refused.
    fn charge(&mut self, len: usize) -> Result<(), String> {
        self.bytes += len.max(std::mem::size_of::<String>());
        if self.bytes > MAX_GRID_BYTES {
            return Err(TOO_MUCH.into());
        }
        Ok(())
    }

    /// The cell text goes into: the innermost open cell.
    fn cell(&mut self) -> Option<&mut Cell> {
        self.open.last_mut().and_then(|t| t.cell.as_mut())
    }

    fn push_text(&mut self, s: &str) {
        if self.in_text > 0
            && let Some(c) = self.cell()
        {
            c.text.push_str(s);
        }
    }

    /// Ends the open cell of the innermost table: its text into the row, over its span.
    fn end_cell(&mut self) -> Result<(), String> {
        let Some(t) = self.open.last_mut() else {
            return Ok(());
        };
        let Some(cell) = t.cell.take() else {
            return Ok(());
        };
        let row = t.row.get_or_insert_with(Row::default);
        let text = if cell.right {
            row.cells.last().cloned().unwrap_or_default()
        } else {
            cell.text.trim().to_string()
        };
        let col = row.cells.len();
        let span = cell.span.max(1).min(MAX_COLUMNS.saturating_sub(col));
        if cell.below && span > 0 {
            row.below.push((col, span));
        }
        for _ in 0..span {
            row.cells.push(text.clone());
        }
        self.charge(text.len() * span)
    }

    /// Ends the open row of the innermost table: vertical continuations take the texts above.
    fn end_row(&mut self) -> Result<(), String> {
        self.end_cell()?;
        let Some(t) = self.open.last_mut() else {
            return Ok(());
        };
        let Some(mut row) = t.row.take() else {
            return Ok(());
        };
        let mut copied = 0;
        if let Some(above) = t.rows.last() {
            for (col, span) in &row.below {
                for c in *col..col + span {
                    if let (Some(slot), Some(text)) = (row.cells.get_mut(c), above.get(c)) {
                        slot.clone_from(text);
                        copied += text.len();
                    }
                }
            }
        }
        if t.rows.len() < MAX_ROWS {
            t.rows.push(row.cells);
        }
        self.charge(copied)
    }

    fn start(&mut self, tag: Tag, e: &BytesStart, empty: bool) -> Result<(), String> {
        let structure = self.deep == 0;
        match tag {
            Tag::Tbl if structure && self.open.len() < MAX_NESTING => {
                self.open.push(Table {
                    order: self.started,
                    rows: Vec::new(),
                    row: None,
                    cell: None,
                });
                self.started += 1;
            }
            Tag::Tbl => self.deep += 1,
            Tag::Tr if structure => {
                self.end_row()?;
                if let Some(t) = self.open.last_mut() {
                    t.row = Some(Row::default());
                }
            }
            Tag::Tc if structure => {
                self.end_cell()?;
                if let Some(t) = self.open.last_mut() {
                    t.row.get_or_insert_with(Row::default);
                    t.cell = Some(Cell {
                        span: 1,
                        ..Cell::default()
                    });
                }
            }
            Tag::P => {
                if let Some(c) = self.cell()
                    && !c.text.is_empty()
                    && !c.text.ends_with('\n')
                {
                    c.text.push('\n');
                }
            }
            Tag::R if !empty => self.in_run += 1,
            Tag::T if !empty => self.in_text += 1,
            Tag::Tab | Tag::Break | Tag::Hyphen if self.in_run > 0 => {
                let s = match tag {
                    Tag::Tab => "\t",
                    Tag::Break => "\n",
                    _ => "-",
                };
                if let Some(c) = self.cell() {
                    c.text.push_str(s);
                }
            }
            Tag::GridSpan if structure => {
                let n = val(e).and_then(|v| v.trim().parse::<usize>().ok());
                if let (Some(n), Some(c)) = (n, self.cell()) {
                    c.span = n.clamp(1, MAX_COLUMNS);
                }
            }
            Tag::GridBefore if structure => {
                let n = val(e).and_then(|v| v.trim().parse::<usize>().ok());
                if let Some(t) = self.open.last_mut()
                    && t.cell.is_none()
                    && let (Some(n), Some(row)) = (n, t.row.as_mut())
                    && row.cells.is_empty()
                {
                    row.cells.resize(n.min(MAX_COLUMNS), String::new());
                }
            }
            Tag::VMerge if structure => {
                let cont = continues(e);
                if let Some(c) = self.cell() {
                    c.below = cont;
                }
            }
            Tag::HMerge if structure => {
                let cont = continues(e);
                if let Some(c) = self.cell() {
                    c.right = cont;
                }
            }
            _ => {}
        }
        if empty {
            // `<w:tc/>`, `<w:tr/>`, `<w:tbl/>`: closed as soon as opened
            if matches!(tag, Tag::Tbl | Tag::Tr | Tag::Tc) {
                self.end(tag)?;
            }
        }
        Ok(())
    }

    fn end(&mut self, tag: Tag) -> Result<(), String> {
        match tag {
            Tag::Tbl if self.deep > 0 => self.deep -= 1,
            Tag::Tbl => {
                self.end_row()?;
                if let Some(t) = self.open.pop() {
                    self.done.push((t.order, t.rows));
                }
            }
            Tag::Tr if self.deep == 0 => self.end_row()?,
            Tag::Tc if self.deep == 0 => self.end_cell()?,
            Tag::R => self.in_run = self.in_run.saturating_sub(1),
            Tag::T => self.in_text = self.in_text.saturating_sub(1),
            _ => {}
        }
        Ok(())
    }
}

/// The tables of a WordprocessingML document (`word/document.xml`) as grids, in the order they
/// start; an error when the XML is not well-formed or its tables are too large.
pub fn tables(xml: &str) -> Result<Vec<Grid>, String> {
    let mut r = NsReader::from_str(xml);
    let mut w = Walk {
        open: Vec::new(),
        done: Vec::new(),
        started: 0,
        deep: 0,
        in_run: 0,
        in_text: 0,
        bytes: 0,
    };
    loop {
        let at = r.buffer_position();
        let (ns, event) = r
            .read_resolved_event()
            .map_err(|e| format!("at byte {at}: {e}"))?;
        match event {
            Event::Start(e) => {
                let tag = tag(&ns, e.local_name().as_ref());
                if tag == Tag::Skip {
                    r.read_to_end(e.name())
                        .map_err(|e| format!("at byte {at}: {e}"))?;
                } else {
                    w.start(tag, &e, false)?;
                }
            }
            Event::Empty(e) => {
                let tag = tag(&ns, e.local_name().as_ref());
                w.start(tag, &e, true)?;
            }
            Event::End(e) => {
                let tag = tag(&ns, e.local_name().as_ref());
                w.end(tag)?;
            }
            Event::Text(t) => w.push_text(&t.xml10_content()),
            Event::CData(t) => w.push_text(&t.into_inner()),
            Event::GeneralRef(g) => {
                let s = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*g {
                        "amp" => "&".to_string(),
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "quot" => "\"".to_string(),
                        "apos" => "'".to_string(),
                        other => format!("&{other};"),
                    },
                    Err(_) => String::new(),
                };
                w.push_text(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // tables still open at the end (a cut document) are kept as far as they went
    while !w.open.is_empty() {
        w.end(Tag::Tbl)?;
    }
    let mut done = w.done;
    done.sort_by_key(|(order, _)| *order);
    Ok(done.into_iter().map(|(_, g)| g).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document.xml around `body` (the `w` namespace bound as Word binds it).
    fn doc(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document xmlns:w=\"{}\" \
             xmlns:mc=\"{MC}\"><w:body>{body}</w:body></w:document>",
            W[0]
        )
    }

    fn tc(props: &str, text: &str) -> String {
        let paras: String = text
            .split('|')
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{paras}</w:tc>")
    }

    fn tr(cells: &[String]) -> String {
        format!("<w:tr>{}</w:tr>", cells.concat())
    }

    #[test]
    fn spans_and_vertical_merges_fill_the_grid() {
        let span = "<w:gridSpan w:val=\"2\"/>";
        let restart = "<w:vMerge w:val=\"restart\"/>";
        let cont = "<w:vMerge/>";
        let body = format!(
            "<w:p><w:r><w:t>正文</w:t></w:r></w:p><w:tbl>{}{}{}{}</w:tbl>",
            tr(&[tc(span, "名单"), tc("", "甲")]),
            tr(&[tc(restart, "A"), tc("", "B"), tc(restart, "C")]),
            // a continuation that still holds text of its own: the cell above wins
            tr(&[
                tc(cont, "x"),
                tc("", "D"),
                tc("<w:vMerge w:val=\"continue\"/>", "")
            ]),
            tr(&[tc(cont, ""), tc(restart, "E"), tc("", "F")]),
        );
        let g = tables(&doc(&body)).unwrap();
        assert_eq!(
            g,
            vec![vec![
                vec!["名单", "名单", "甲"],
                vec!["A", "B", "C"],
                vec!["A", "D", "C"],
                vec!["A", "E", "F"],
            ]]
        );
    }

    #[test]
    fn a_spanned_continuation_copies_every_column_it_covers() {
        let body = format!(
            "<w:tbl>{}{}</w:tbl>",
            tr(&[
                tc("", "1"),
                tc("<w:vMerge w:val=\"restart\"/>", "P"),
                tc("", "Q")
            ]),
            tr(&[tc("", "2"), tc("<w:gridSpan w:val=\"2\"/><w:vMerge/>", ""),]),
        );
        let g = tables(&doc(&body)).unwrap();
        assert_eq!(g[0][1], ["2", "P", "Q"]);
    }

    #[test]
    fn cell_text_is_runs_joined_and_paragraphs_on_lines() {
        let cell = "<w:tc><w:p><w:r><w:t>某某</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>\
                    <w:t>电器</w:t></w:r><w:r><w:t>有限公司</w:t></w:r></w:p>\
                    <w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>\
                    <w:r><w:t>A&amp;B</w:t><w:tab/><w:t>&#x4E2D;&lt;1&gt;</w:t><w:br/>\
                    <w:t>GB</w:t><w:noBreakHyphen/><w:t>1</w:t></w:r>\
                    <w:del><w:r><w:delText>删去</w:delText></w:r></w:del>\
                    <w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom></w:p></w:tc>";
        let body = format!("<w:tbl><w:tr>{cell}<w:tc/></w:tr></w:tbl>");
        let g = tables(&doc(&body)).unwrap();
        assert_eq!(g[0][0], ["某某电器有限公司\nA&B\t中<1>\nGB-1", ""]);
    }

    #[test]
    fn a_nested_table_is_a_grid_of_its_own_in_document_order() {
        let inner = format!("<w:tbl>{}</w:tbl>", tr(&[tc("", "内"), tc("", "表")]));
        let outer_cell = format!("<w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>{inner}</w:tc>");
        let body = format!(
            "<w:tbl><w:tr>{outer_cell}{}</w:tr></w:tbl><w:tbl>{}</w:tbl>",
            tc("", "旁"),
            tr(&[tc("", "后")])
        );
        let g = tables(&doc(&body)).unwrap();
        assert_eq!(
            g,
            vec![
                vec![vec!["外", "旁"]],
                vec![vec!["内", "表"]],
                vec![vec!["后"]],
            ]
        );
    }

    #[test]
    fn other_prefixes_strict_namespace_and_fallbacks() {
        // the namespace decides, not the prefix; a Fallback's copy is not read twice; math
        // text (m:t) is not a run's text
        let xml = format!(
            "<x:document xmlns:x=\"{}\" xmlns:mc=\"{MC}\" \
             xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\">\
             <x:body><x:tbl><x:tr><x:tc><x:p><x:r><x:t>甲</x:t></x:r>\
             <m:oMath><m:r><m:t>y</m:t></m:r></m:oMath>\
             <mc:AlternateContent><mc:Choice Requires=\"wps\"><x:r><x:t>框</x:t></x:r></mc:Choice>\
             <mc:Fallback><x:r><x:t>框</x:t></x:r></mc:Fallback></mc:AlternateContent>\
             </x:p></x:tc><x:tc><x:tcPr><x:gridSpan x:val=\"2\"/></x:tcPr><x:p><x:r><x:t>乙</x:t>\
             </x:r></x:p></x:tc></x:tr></x:tbl></x:body></x:document>",
            W[1]
        );
        assert_eq!(tables(&xml).unwrap(), vec![vec![vec!["甲框", "乙", "乙"]]]);
    }

    #[test]
    fn grid_before_and_legacy_horizontal_merges() {
        let body = format!(
            "<w:tbl><w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}</w:tr>{}</w:tbl>",
            tc("", "B"),
            tr(&[
                tc("<w:hMerge w:val=\"restart\"/>", "H"),
                tc("<w:hMerge/>", "")
            ]),
        );
        assert_eq!(
            tables(&doc(&body)).unwrap(),
            vec![vec![vec!["", "B"], vec!["H", "H"]]]
        );
    }

    #[test]
    fn hostile_documents_are_bounded() {
        // a span far past Word's limit is cut to MAX_COLUMNS
        let body = format!(
            "<w:tbl>{}</w:tbl>",
            tr(&[tc("<w:gridSpan w:val=\"999999999\"/>", "宽")])
        );
        assert_eq!(tables(&doc(&body)).unwrap()[0][0].len(), MAX_COLUMNS);
        // tables nested past MAX_NESTING: their text goes to the deepest kept cell
        let depth = MAX_NESTING + 5;
        let open = "<w:tbl><w:tr><w:tc>".repeat(depth);
        let close = "</w:tc></w:tr></w:tbl>".repeat(depth);
        let g = tables(&doc(&format!(
            "{open}<w:p><w:r><w:t>底</w:t></w:r></w:p>{close}"
        )))
        .unwrap();
        assert_eq!(g.len(), MAX_NESTING);
        assert_eq!(g[MAX_NESTING - 1], vec![vec!["底"]]);
        // a big cell merged down over many rows and across columns multiplies its text: refused
        let big = "长".repeat(100_000);
        let first = tr(&[tc(
            "<w:gridSpan w:val=\"60\"/><w:vMerge w:val=\"restart\"/>",
            &big,
        )]);
        let more = tr(&[tc("<w:gridSpan w:val=\"60\"/><w:vMerge/>", "")]).repeat(200);
        let r = tables(&doc(&format!("<w:tbl>{first}{more}</w:tbl>")));
        assert_eq!(r, Err(TOO_MUCH.to_string()));
    }

    #[test]
    fn cut_and_scrambled_documents_never_panic() {
        let body = format!(
            "<w:tbl>{}{}</w:tbl>",
            tr(&[
                tc("<w:gridSpan w:val=\"2\"/>", "名单"),
                tc("<w:vMerge w:val=\"restart\"/>", "甲|乙")
            ]),
            tr(&[
                tc("<w:gridBefore w:val=\"1\"/>", "&amp;"),
                tc("<w:vMerge/>", "")
            ]),
        );
        let xml = doc(&body);
        let mut kept = 0;
        for cut in (0..xml.len()).filter(|&c| xml.is_char_boundary(c)) {
            kept += usize::from(tables(&xml[..cut]).is_ok());
        }
        assert!(kept > 0);
        let mut x: u32 = 0x9E37_79B9;
        for _ in 0..2000 {
            let mut b = xml.clone().into_bytes();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let at = x as usize % b.len();
                b[at] = b"<>/=\"&;#wv0 "[(x >> 24) as usize % 12];
            }
            let _ = tables(&String::from_utf8_lossy(&b));
        }
    }

    #[test]
    fn malformed_xml_is_an_error_and_a_cut_table_is_kept() {
        assert!(tables("<w:document><w:body></w:tbl></w:body>").is_err());
        let cut = doc("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>半");
        let cut = &cut[..cut.find("</w:body>").unwrap()];
        assert_eq!(tables(cut), Ok(vec![vec![vec!["半".to_string()]]]));
    }
}
