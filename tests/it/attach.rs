//! Notice attachments (issue 18, part 2): an XLSX and a CSV file written here with crates and a
//! PDF written by the demo's writer read into the same rows as the notice's HTML table; and a
//! crawl of a regulator served on 127.0.0.1 whose notices link a truncated XLSX, a PDF without
//! text and a 50 MB file finishes its pass, counting each by reason.

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

/// A regulator on 127.0.0.1: four notices, each linking one file — a truncated XLSX, a PDF
/// without text, a 50 MB file and a good CSV.
async fn regulator() -> String {
    use axum::http::header::CONTENT_TYPE;
    use axum::response::IntoResponse;
    use axum::routing::get;
    let files = ["broken.xlsx", "scan.pdf", "huge.xlsx", "good.csv"];
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
                            n => {
                                let i: usize = n
                                    .trim_start_matches('n')
                                    .trim_end_matches(".html")
                                    .parse()
                                    .unwrap_or(0);
                                let link = format!("<p><a href=\"{}\">附件</a></p>", files[i % 4]);
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
        assert_eq!(ids.len(), 4, "{report:?}");
        let health = engine.store.source_health().unwrap();
        let failed = &health.iter().find(|h| h.source == "t-reg").unwrap().failed;
        for reason in ["too-large", "bad-attachment", "no-text"] {
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
        assert_eq!(engine.store.document_ids().unwrap().len(), 4, "{again:?}");
    });
}
