//! The files the simulated regulators attach to inspection notices: an XLSX workbook (written
//! with rust_xlsxwriter: a merged title row over the table, a second sheet of notes) and a
//! one-page PDF whose text layer holds the table (written here byte by byte: a Type0 font with
//! Identity-H codes and a ToUnicode map, no embedded glyphs — enough for any text extractor, and
//! a viewer substitutes a system CJK font; its cells may wrap onto further lines). Tests use the
//! same writers for their own files.

use std::fmt::Write as _;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Column names of the failed-products table, as the regulators' HTML tables have them.
pub const HEADER: [&str; 5] = ["序号", "产品名称", "标称生产企业", "所在省份", "不合格项目"];

/// An XLSX workbook: sheet 1 a title merged across the columns, the header and `rows` (cells
/// under [`HEADER`], without the serial number); sheet 2 a note, which readers must pass over.
pub fn xlsx(title: &str, rows: &[[String; 4]]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("不合格产品名单")?;
    let bold = Format::new().set_bold();
    sheet.merge_range(0, 0, 0, (HEADER.len() - 1) as u16, title, &bold)?;
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 2) as u32;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        for (c, v) in r.iter().enumerate() {
            sheet.write_string(row, (c + 1) as u16, v)?;
        }
    }
    let notes = wb.add_worksheet();
    notes.set_name("说明")?;
    notes.write_string(0, 0, "以上不合格产品名单仅指本次抽查的产品，排名不分先后。")?;
    wb.save_to_buffer()
}

/// A one-page PDF (A4 landscape) with `title` on top and a table of `lines` (the first line the
/// header); each line's cells start at the x positions of `columns` (points from the left).
/// With no lines and an empty title it is a page without text, as a scanned notice is.
pub fn pdf(title: &str, lines: &[Vec<String>], columns: &[f64]) -> Vec<u8> {
    let rows: Vec<Vec<Vec<String>>> = lines
        .iter()
        .map(|l| l.iter().map(|c| vec![c.clone()]).collect())
        .collect();
    pdf_table(title, &rows, columns)
}

/// Row pitch of [`pdf_table`] (points, baseline to baseline of rows of one line each).
pub const PDF_ROW_PITCH: f64 = 22.0;
/// Line pitch inside a wrapped cell of [`pdf_table`] (points).
pub const PDF_LINE_PITCH: f64 = 12.0;

/// As [`pdf`], but each cell of a row is a list of lines, as a wrapped table cell is drawn: the
/// cell's further lines [`PDF_LINE_PITCH`] under its first (top-aligned), the row taller by as
/// much as its most wrapped cell needs.
pub fn pdf_table(title: &str, rows: &[Vec<Vec<String>>], columns: &[f64]) -> Vec<u8> {
    let mut content = String::new();
    let mut chars: Vec<char> = Vec::new();
    let mut show = |content: &mut String, x: f64, y: f64, size: f64, text: &str| {
        let mut hex = String::new();
        for c in text.chars() {
            let code = u32::from(c).min(0xFFFF);
            let _ = write!(hex, "{code:04X}");
            if !chars.contains(&c) {
                chars.push(c);
            }
        }
        let _ = writeln!(
            content,
            "BT /F1 {size} Tf 1 0 0 1 {x:.1} {y:.1} Tm <{hex}> Tj ET"
        );
    };
    if !title.is_empty() {
        show(&mut content, 60.0, 540.0, 14.0, title);
    }
    let mut y = 500.0;
    for row in rows {
        let mut height = 1;
        for (cell, x) in row.iter().zip(columns) {
            for (k, line) in cell.iter().enumerate() {
                if !line.is_empty() {
                    show(&mut content, *x, y - PDF_LINE_PITCH * k as f64, 10.0, line);
                }
            }
            height = height.max(cell.len());
        }
        y -= PDF_ROW_PITCH + PDF_LINE_PITCH * (height - 1) as f64;
    }
    if title.is_empty() && rows.is_empty() {
        // a grey box where a scan's picture would be: drawing, but no text
        content.push_str("0.8 g 60 60 700 480 re f\n");
    }
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in chars.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for c in chunk {
            let code = u32::from(*c).min(0xFFFF);
            let _ = writeln!(cmap, "<{code:04X}> <{code:04X}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");

    let stream = |body: &str| format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len());
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        stream(&content),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H \
         /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
         /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 4 \
         /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 \
         /CapHeight 700 /StemV 80 >> /DW 1000 /CIDToGIDMap /Identity >>"
            .to_string(),
        stream(&cmap),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

/// Where the PDF's table columns start (points): serial, product, enterprise, province, items.
pub const PDF_COLUMNS: [f64; 5] = [40.0, 80.0, 300.0, 520.0, 600.0];

/// The lines of a PDF table of `rows`: the header, then each row with its serial number.
pub fn pdf_lines(rows: &[[String; 4]]) -> Vec<Vec<String>> {
    std::iter::once(HEADER.iter().map(|h| h.to_string()).collect())
        .chain(rows.iter().enumerate().map(|(i, r)| {
            std::iter::once((i + 1).to_string())
                .chain(r.iter().cloned())
                .collect()
        }))
        .collect()
}
