//! Notice attachments (issue 18, part 2): an XLSX and a CSV file written here with crates, a
//! PDF written by the demo's writer (also one whose cells wrap onto second lines) and a DOCX
//! (a zip around a document.xml written here: a two-level header, merged cells) read into the
//! same rows as the notice's HTML table; a password-protected file (a compound file written
//! here), a Word 97 file and a DOCX over the unpacking cap are counted by reason; and a crawl of
//! a regulator served on 127.0.0.1 whose notices link a truncated XLSX, a PDF without text, a
//! 50 MB file and a .doc finishes its pass, counting each by reason.

use std::io::Write as _;

use std::collections::BTreeMap;

use jiance::config::{SourceConfig, parse_sources};
use jiance::model::{Fetched, PageRole};

/// The failed products every format carries: (product, enterprise, province, items).
const ROWS: [[&str; 4]; 4] = [
    [
        "儿童滑板车（跃动）",
        "宁波跃动童车有限公司",
        "浙江省",
        "车把强度、制动性能",
    ],
    [
        "儿童滑板车（小飞侠）",
        "宁波跃动童车有限公司",
        "浙江省",
        "折叠机构",
    ],
    ["电动玩具车（乐途）", "汕头乐途玩具厂", "广东省", "电池温升"],
    [
        "婴儿推车（安途）",
        "平湖安途婴童用品有限公司",
        "浙江省",
        "锁定装置、制动性能",
    ],
];
const HEAD: [&str; 5] = ["序号", "产品名称", "标称生产企业", "所在省份", "不合格项目"];

fn source() -> SourceConfig {
    let toml = "[[source]]\nname = \"t-reg\"\nkind = \"html\"\nchannel = \"regulator\"\n\
                doc_kind = \"inspection\"\nstart = [\"http://127.0.0.1:9/list\"]\n\
                [source.list]\nlinks = \"ul a\"\n[source.detail]\ntitle = \"h1\"\ntext = \"#zoom > p\"\n\
                [source.detail.table]\nrows = \"table.bhg tr:not(.th)\"\n\
                [source.detail.table.columns]\nproduct = \"td:nth-child(2)\"\n\
                enterprise = \"td:nth-child(3)\"\nprovince = \"td:nth-child(4)\"\nitems = \"td:nth-child(5)\"\n";
    parse_sources(toml, "test.toml").unwrap().remove(0)
}

fn page(url: &str, html: String, role: PageRole) -> Fetched {
    Fetched {
        source: "t-reg".into(),
        url: url.into(),
        role,
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: html.into_bytes(),
        fetched_at: chrono::Utc::now(),
        record_id: String::new(),
        attachments: Vec::new(),
    }
}

fn notice_html(extra: &str) -> String {
    format!(
        "<html><body><h1>关于儿童用品产品质量监督抽查情况的通告</h1><div id=\"zoom\">\
         <p>近期组织开展了儿童用品产品质量监督抽查，发现4批次产品不合格。</p>{extra}</div></body></html>"
    )
}

fn html_table() -> String {
    let head: String = HEAD.iter().map(|h| format!("<td>{h}</td>")).collect();
    let body: String = ROWS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells: String = r.iter().map(|c| format!("<td>{c}</td>")).collect();
            format!("<tr><td>{}</td>{cells}</tr>", i + 1)
        })
        .collect();
    format!("<table class=\"bhg\"><tr class=\"th\">{head}</tr>{body}</table>")
}

/// The rows a notice gives with `file` as its only attachment (and no HTML table), without the
/// `from` mark.
fn rows_via(file: Fetched) -> Vec<BTreeMap<String, String>> {
    let mut f = page(
        "http://reg.test/art/n1.html",
        notice_html("<p><a href=\"n1.bin\">附件</a></p>"),
        PageRole::Detail,
    );
    let url = file.url.clone();
    f.attachments.push(file);
    let parsed = jiance::parse::parse_page(&f, &source()).unwrap();
    assert!(
        parsed.attachment_errors.is_empty(),
        "{:?}",
        parsed.attachment_errors
    );
    parsed.docs[0]
        .rows
        .iter()
        .map(|r| {
            assert_eq!(
                r.get("from"),
                Some(&url),
                "a row says which file it came from"
            );
            let mut r = r.clone();
            r.remove("from");
            r
        })
        .collect()
}

fn file(name: &str, body: Vec<u8>) -> Fetched {
    let mut f = page(
        &format!("http://reg.test/art/{name}"),
        String::new(),
        PageRole::Attachment,
    );
    f.body = body;
    f.headers.clear();
    f
}

/// An XLSX of the rows: a merged title, the enterprise of the first two rows merged down over
/// both, and the last two rows on a second sheet under their own header.
fn xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let fmt = rust_xlsxwriter::Format::new();
    let s1 = wb.add_worksheet();
    s1.merge_range(0, 0, 0, 4, "儿童用品抽查不合格产品名单", &fmt)
        .unwrap();
    for (c, h) in HEAD.iter().enumerate() {
        s1.write_string(1, c as u16, *h).unwrap();
    }
    for (i, r) in ROWS[..2].iter().enumerate() {
        let row = 2 + i as u32;
        s1.write_number(row, 0, (i + 1) as f64).unwrap();
        for (c, v) in r.iter().enumerate() {
            if c != 1 {
                s1.write_string(row, c as u16 + 1, *v).unwrap();
            }
        }
    }
    s1.merge_range(2, 2, 3, 2, ROWS[0][1], &fmt).unwrap();
    let s2 = wb.add_worksheet();
    for (c, h) in HEAD.iter().enumerate() {
        s2.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in ROWS[2..].iter().enumerate() {
        let row = 1 + i as u32;
        s2.write_number(row, 0, (i + 3) as f64).unwrap();
        for (c, v) in r.iter().enumerate() {
            s2.write_string(row, c as u16 + 1, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn csv_bytes() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEAD).unwrap();
    for (i, r) in ROWS.iter().enumerate() {
        let serial = (i + 1).to_string();
        w.write_record(std::iter::once(serial.as_str()).chain(r.iter().copied()))
            .unwrap();
    }
    w.into_inner().unwrap()
}

/// The `reason()`s of a notice's attachment errors with `file` as its only attachment.
fn errors_via(file: Fetched) -> Vec<&'static str> {
    let mut f = page(
        "http://reg.test/art/n1.html",
        notice_html("<p><a href=\"n1.bin\">附件</a></p>"),
        PageRole::Detail,
    );
    f.attachments.push(file);
    let parsed = jiance::parse::parse_page(&f, &source()).unwrap();
    assert_eq!(parsed.docs.len(), 1, "a bad file never costs the notice");
    parsed
        .attachment_errors
        .iter()
        .map(|e| e.reason())
        .collect()
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A .docx: the parts Word needs to open it, and `document` as word/document.xml.
fn docx(document: &str) -> Vec<u8> {
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" \
        ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" \
        Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
        Target=\"word/document.xml\"/></Relationships>";
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", types),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A table cell: `props` inside `w:tcPr`, the text one paragraph whose runs are split at `|`.
fn tc(props: &str, text: &str) -> String {
    let runs: String = text
        .split('|')
        .filter(|r| !r.is_empty())
        .map(|r| format!("<w:r><w:t xml:space=\"preserve\">{r}</w:t></w:r>"))
        .collect();
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"1400\" w:type=\"dxa\"/>{props}</w:tcPr><w:p>{runs}</w:p></w:tc>"
    )
}

/// The notice's table as Word lays out such a list: a title row spanning the grid; a two-level
/// header (标称生产企业 spanning 企业名称 and 企业地址, the other header cells merged down over
/// both levels); the first two products' enterprise and its address merged down over both
/// rows; failed items in several runs. After `tail` (inside the body), a second table of
/// contacts, which is not ours.
fn document_xml(tail: &str) -> String {
    const RESTART: &str = "<w:vMerge w:val=\"restart\"/>";
    const CONT: &str = "<w:vMerge/>";
    let grid: String = (0..6).map(|_| "<w:gridCol w:w=\"1400\"/>").collect();
    let mut rows = vec![
        vec![tc(
            "<w:gridSpan w:val=\"6\"/>",
            "儿童用品抽查不合格产品名单",
        )],
        vec![
            tc(RESTART, HEAD[0]),
            tc(RESTART, HEAD[1]),
            tc("<w:gridSpan w:val=\"2\"/>", HEAD[2]),
            tc(RESTART, HEAD[3]),
            tc(RESTART, HEAD[4]),
        ],
        vec![
            tc(CONT, ""),
            tc(CONT, ""),
            tc("", "企业名称"),
            tc("", "企业地址"),
            tc(CONT, ""),
            tc(CONT, ""),
        ],
    ];
    for (i, r) in ROWS.iter().enumerate() {
        let (merge, enterprise, address) = match i {
            0 => (RESTART, r[1], "某某市某某区某某路1号"),
            1 => (CONT, "", ""),
            _ => ("", r[1], "某某市某某镇工业区"),
        };
        rows.push(vec![
            tc("", &(i + 1).to_string()),
            tc("", r[0]),
            tc(merge, enterprise),
            tc(merge, address),
            tc("", r[2]),
            tc("", &r[3].replace('、', "、|")),
        ]);
    }
    let rows: String = rows
        .iter()
        .map(|r| format!("<w:tr>{}</w:tr>", r.concat()))
        .collect();
    let contacts = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        tc("", "联系人"),
        tc("", "联系电话"),
        tc("", "张某"),
        tc("", "010-00000000")
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W_NS}\"><w:body>\
         <w:p><w:r><w:t>关于儿童用品产品质量监督抽查情况的通告</w:t></w:r></w:p>\
         <w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>\
         {tail}<w:p/>{contacts}<w:sectPr/></w:body></w:document>"
    )
}

/// A compound file (OLE2 version 3, 512-byte sectors) holding `streams` (at most three): sector
/// 0 the FAT, sector 1 the directory, then each stream in whole sectors, each at least 4096
/// bytes so none belongs in the mini stream.
fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const NONE: u32 = u32::MAX;
    assert!(streams.len() <= 3);
    let entry = |name: &str, kind: u8, child: u32, right: u32, start: u32, len: usize| {
        let mut e = [0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        e[66] = kind;
        e[67] = 1;
        e[68..72].copy_from_slice(&NONE.to_le_bytes());
        e[72..76].copy_from_slice(&right.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..128].copy_from_slice(&(len as u64).to_le_bytes());
        e
    };
    let mut fat: Vec<u32> = vec![0xFFFF_FFFD, END];
    let mut dir = entry("Root Entry", 5, 1, NONE, END, 0).to_vec();
    let mut data = Vec::new();
    for (i, (name, body)) in streams.iter().enumerate() {
        let mut body = body.to_vec();
        body.resize(body.len().max(4096), 0);
        let len = body.len();
        body.resize(len.div_ceil(512) * 512, 0);
        let start = fat.len() as u32;
        let n = (body.len() / 512) as u32;
        fat.extend((1..=n).map(|k| if k == n { END } else { start + k }));
        let right = if i + 1 < streams.len() {
            i as u32 + 2
        } else {
            NONE
        };
        dir.extend(entry(name, 2, NONE, right, start, len));
        data.extend(body);
    }
    fat.resize(128, NONE);
    dir.resize(512, 0);
    let mut out = vec![0u8; 512];
    out[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    for (at, v) in [
        (0x18, 0x3Eu16),
        (0x1A, 3),
        (0x1C, 0xFFFE),
        (0x1E, 9),
        (0x20, 6),
    ] {
        out[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    // one FAT sector; the directory at sector 1; no mini FAT, no DIFAT sectors
    for (at, v) in [
        (0x2C, 1u32),
        (0x30, 1),
        (0x38, 4096),
        (0x3C, END),
        (0x44, END),
    ] {
        out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    for i in 0..109 {
        let v: u32 = if i == 0 { 0 } else { NONE };
        out[0x4C + i * 4..0x50 + i * 4].copy_from_slice(&v.to_le_bytes());
    }
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(dir);
    out.extend(data);
    out
}

/// What Office writes for a password-protected .docx or .xlsx: a compound file of an
/// `EncryptionInfo` (version 4.4, agile: an XML descriptor) and the `EncryptedPackage` (the
/// package's size, then its AES ciphertext — random bytes here).
fn encrypted_office_file() -> Vec<u8> {
    let mut info = vec![4, 0, 4, 0, 0x40, 0, 0, 0];
    info.extend_from_slice(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
          <encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\">\
          <keyData saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" \
          cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\"/>\
          </encryption>",
    );
    let mut package = 9000u64.to_le_bytes().to_vec();
    let mut x: u32 = 0x2545_F491;
    package.extend((0..9008).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    compound(&[("EncryptionInfo", &info), ("EncryptedPackage", &package)])
}

/// A Word 97–2003 document's streams (their contents do not matter to a reader that only
/// looks at the directory).
fn word97_file() -> Vec<u8> {
    compound(&[
        ("WordDocument", &[0xEC, 0xA5, 0xC1, 0x00]),
        ("1Table", &[0; 8]),
    ])
}

/// The notice's rows in a PDF whose cells wrap: the first product's failed items and the last
/// product's enterprise and items each on two lines; a note under the table.
fn wrapped_pdf() -> Vec<u8> {
    let wrap = |s: &str, at: usize| -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        vec![chars[..at].iter().collect(), chars[at..].iter().collect()]
    };
    let mut rows: Vec<Vec<Vec<String>>> = vec![HEAD.iter().map(|h| vec![h.to_string()]).collect()];
    for (i, r) in ROWS.iter().enumerate() {
        let mut row: Vec<Vec<String>> = std::iter::once((i + 1).to_string())
            .chain(r.iter().map(|c| c.to_string()))
            .map(|c| vec![c])
            .collect();
        if i == 0 {
            row[4] = wrap(r[3], 5);
        }
        if i == 3 {
            row[2] = wrap(r[1], 6);
            row[4] = wrap(r[3], 5);
        }
        rows.push(row);
    }
    rows.push(vec![
        vec![],
        vec![],
        vec![],
        vec![],
        vec!["（以下空白）".to_string()],
    ]);
    jiance::demo::files::pdf_table(
        "儿童用品抽查不合格产品名单",
        &rows,
        &jiance::demo::files::PDF_COLUMNS,
    )
}

fn pdf() -> Vec<u8> {
    let rows: Vec<[String; 4]> = ROWS.iter().map(|r| r.map(str::to_string)).collect();
    jiance::demo::files::pdf(
        "儿童用品抽查不合格产品名单",
        &jiance::demo::files::pdf_lines(&rows),
        &jiance::demo::files::PDF_COLUMNS,
    )
}

#[test]
fn xlsx_csv_and_pdf_attachments_read_into_the_rows_of_the_html_table() {
    let html = page(
        "http://reg.test/art/n0.html",
        notice_html(&html_table()),
        PageRole::Detail,
    );
    let from_html = jiance::parse::parse(&html, &source())
        .unwrap()
        .remove(0)
        .rows;
    assert_eq!(from_html.len(), ROWS.len());
    let x = rows_via(file("list.xlsx", xlsx()));
    assert_eq!(x, from_html, "xlsx");
    let c = rows_via(file("list.csv", csv_bytes()));
    assert_eq!(c, from_html, "csv");
    let p = rows_via(file("list.pdf", pdf()));
    assert_eq!(p, from_html, "pdf");
    eprintln!(
        "rows read: html {}, xlsx {}, csv {}, pdf {}",
        from_html.len(),
        x.len(),
        c.len(),
        p.len()
    );
}

fn html_rows() -> Vec<BTreeMap<String, String>> {
    let html = page(
        "http://reg.test/art/n0.html",
        notice_html(&html_table()),
        PageRole::Detail,
    );
    let rows = jiance::parse::parse(&html, &source())
        .unwrap()
        .remove(0)
        .rows;
    assert_eq!(rows.len(), ROWS.len());
    rows
}

#[test]
fn a_docx_table_with_merged_cells_reads_into_the_rows_of_the_html_table() {
    let from_html = html_rows();
    let d = rows_via(file("list.docx", docx(&document_xml(""))));
    assert_eq!(d, from_html, "docx");
    // served under another name, the zip's parts still say it is Word
    let d2 = rows_via(file("download.xlsx", docx(&document_xml(""))));
    assert_eq!(d2, from_html, "docx named .xlsx");
    eprintln!("rows read: html {}, docx {}", from_html.len(), d.len());
}

#[test]
fn a_pdf_cell_wrapped_onto_a_second_line_is_read_whole() {
    let from_html = html_rows();
    let p = rows_via(file("list.pdf", wrapped_pdf()));
    assert_eq!(p, from_html, "wrapped pdf");
}

#[test]
fn protected_old_and_oversized_word_files_are_counted_by_reason() {
    // a password-protected file, whatever its link calls it
    for name in ["list.docx", "list.xlsx", "list.xls"] {
        assert_eq!(
            errors_via(file(name, encrypted_office_file())),
            ["encrypted-attachment"],
            "{name}"
        );
    }
    // a Word 97 file is fetched and counted, not read
    assert_eq!(
        errors_via(file("list.doc", word97_file())),
        ["unsupported-attachment"]
    );
    // a docx whose document.xml unpacks past the cap: the same table, padded with spaces
    let cap = jiance::parse::attachment::MAX_DOCX_XML as usize;
    let plain = document_xml("");
    let padded = document_xml(&" ".repeat(cap + 1 - plain.len()));
    assert_eq!(padded.len(), cap + 1);
    let zipped = docx(&padded);
    assert!(
        zipped.len() < cap / 100,
        "a small file: {} bytes",
        zipped.len()
    );
    assert_eq!(errors_via(file("list.docx", zipped)), ["bad-attachment"]);
    // one byte less is read: the cap, not the table, refused it
    let under = document_xml(&" ".repeat(cap - plain.len()));
    assert_eq!(rows_via(file("list.docx", docx(&under))).len(), ROWS.len());
}

#[test]
fn a_table_on_the_page_and_in_its_file_counts_each_row_once() {
    let mut f = page(
        "http://reg.test/art/n2.html",
        notice_html(&html_table()),
        PageRole::Detail,
    );
    f.attachments.push(file("list.csv", csv_bytes()));
    let doc = jiance::parse::parse(&f, &source()).unwrap().remove(0);
    assert_eq!(doc.rows.len(), ROWS.len(), "{:?}", doc.rows);
}

/// The files of the regulator's notices, one each.
const FILES: [&str; 5] = [
    "broken.xlsx",
    "scan.pdf",
    "huge.xlsx",
    "good.csv",
    "old.doc",
];

/// A regulator on 127.0.0.1: five notices, each linking one file — a truncated XLSX, a PDF
/// without text, a 50 MB file, a good CSV and a Word 97 `.doc`.
async fn regulator() -> String {
    use axum::http::header::CONTENT_TYPE;
    use axum::response::IntoResponse;
    use axum::routing::get;
    let files = FILES;
    let list: String = (0..files.len())
        .map(|i| format!("<li><a href=\"/art/n{i}.html\">通告{i}</a></li>"))
        .collect();
    let list = format!("<html><body><ul>{list}</ul></body></html>");
    let mut whole = xlsx();
    whole.truncate(whole.len() / 2);
    let app = axum::Router::new()
        .route(
            "/list",
            get(move || async move { axum::response::Html(list) }),
        )
        .route(
            "/art/{name}",
            get(
                move |axum::extract::Path(name): axum::extract::Path<String>| {
                    let broken = whole.clone();
                    async move {
                        let ct = [(CONTENT_TYPE, "application/octet-stream")];
                        match name.as_str() {
                            "broken.xlsx" => (ct, broken).into_response(),
                            "scan.pdf" => {
                                (ct, jiance::demo::files::pdf("", &[], &[])).into_response()
                            }
                            "huge.xlsx" => (ct, vec![b'P'; 50 * 1024 * 1024]).into_response(),
                            "good.csv" => (ct, csv_bytes()).into_response(),
                            "old.doc" => (ct, word97_file()).into_response(),
                            n => {
                                let i: usize = n
                                    .trim_start_matches('n')
                                    .trim_end_matches(".html")
                                    .parse()
                                    .unwrap_or(0);
                                let link = format!(
                                    "<p><a href=\"{}\">附件</a></p>",
                                    files[i % files.len()]
                                );
                                axum::response::Html(
                                    notice_html(&link)
                                        .replace("关于儿童用品", &format!("第{i}号 关于儿童用品")),
                                )
                                .into_response()
                            }
                        }
                    }
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[test]
fn bad_attachments_are_counted_by_reason_and_the_pass_finishes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = regulator().await;
        let toml = format!(
            "[[source]]\nname = \"t-reg\"\nkind = \"html\"\nchannel = \"regulator\"\n\
             doc_kind = \"inspection\"\nstart = [\"{base}/list\"]\n\
             politeness = {{ rps = 100.0, concurrency = 4, robots = false }}\n\
             [source.list]\nlinks = \"ul a\"\n[source.detail]\ntitle = \"h1\"\ntext = \"#zoom > p\"\n"
        );
        let sources = parse_sources(&toml, "test.toml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine = jiance::pipeline::Engine::open(
            jiance::pipeline::DataDir::new(dir.path()),
            &jiance::pipeline::RuleDirs::default(),
            Default::default(),
        )
        .unwrap();
        let started = std::time::Instant::now();
        let report = engine.crawl_once(&sources).await.unwrap();
        assert!(started.elapsed().as_secs() < 120, "the pass did not stall");
        // every notice is stored: no attachment failed its page
        let ids = engine.store.document_ids().unwrap();
        assert_eq!(ids.len(), FILES.len(), "{report:?}");
        let health = engine.store.source_health().unwrap();
        let failed = &health.iter().find(|h| h.source == "t-reg").unwrap().failed;
        for reason in [
            "too-large",
            "bad-attachment",
            "no-text",
            "unsupported-attachment",
        ] {
            assert_eq!(failed.get(reason), Some(&1), "{reason}: {failed:?}");
        }
        // the good file's rows reached its notice: its enterprises are findings' parties
        let enterprises: Vec<String> = ids
            .iter()
            .filter_map(|id| engine.store.extraction(id).unwrap())
            .flat_map(|ex| ex.findings.into_iter().flat_map(|f| f.parties.enterprises))
            .collect();
        assert!(
            enterprises.iter().any(|e| e == ROWS[2][1]),
            "{enterprises:?}"
        );
        // a second pass fetches nothing again: the notices were committed with their files
        let again = engine.crawl_once(&sources).await.unwrap();
        assert_eq!(
            engine.store.document_ids().unwrap().len(),
            FILES.len(),
            "{again:?}"
        );
    });
}
