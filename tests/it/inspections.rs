//! Inspection results as records (issue 47), on notices of our own: batches sampled and failed
//! read from a sentence, a table written into the text and an attachment; a notice naming no
//! numbers gives none; stored records shown by `jiance report --inspections` and
//! `GET /api/inspections` (on a copy of the demo's data directory with our notices added).

use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::config::parse_sources;
use jiance::model::{Channel, DocKind, Document, Fetched, PageRole};
use jiance::serve::Access;
use serde_json::Value;

use crate::api::{Server, copy_dir, runtime};

/// `jiance extract` on JSON Lines: each line's `inspections`.
fn extract(lines: &[Value]) -> Vec<Vec<Value>> {
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    crate::extract_lines(&input)
        .into_iter()
        .map(|v| v["inspections"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// (category, sampled, failed) of each record.
fn numbers(records: &[Value]) -> Vec<(Value, Value, Value)> {
    records
        .iter()
        .map(|r| {
            (
                r["category"].clone(),
                r["sampled"].clone(),
                r["failed"].clone(),
            )
        })
        .collect()
}

fn n(v: u64) -> Value {
    Value::from(v)
}

fn s(v: &str) -> Value {
    Value::from(v)
}

const SENTENCE: &str = "近日，温州市市场监督管理局通报电热毯产品质量监督抽查结果：本次抽查电热毯24批次，不合格4批次，不合格项目为泄漏电流、发热。温州某某电器有限公司生产的2批次产品不合格。";
const TABLE: &str = "小家电产品质量抽查结果如下。\n产品名称 | 抽查批次 | 不合格批次\n电热毯 | 15 | 2\n电暖器 | 9 | 1\n";
const NO_NUMBERS: &str = "区市场监管局通报电热毯产品质量抽查情况，部分产品不合格，已责令企业整改。";

#[test]
fn extract_reads_numbers_from_a_sentence_and_a_table_and_invents_none() {
    let got = extract(&[
        serde_json::json!({"id": 1, "text": SENTENCE, "kind": "inspection", "published": "2026-03-02"}),
        serde_json::json!({"id": 2, "text": TABLE, "kind": "inspection"}),
        serde_json::json!({"id": 3, "text": NO_NUMBERS, "kind": "inspection"}),
        serde_json::json!({"id": 4, "text": "电热毯起火致一人受伤。"}),
    ]);
    assert_eq!(numbers(&got[0]), [(s("电热毯"), n(24), n(4))]);
    let r = &got[0][0];
    assert_eq!(r["regulator"], "温州市市场监督管理局");
    assert_eq!(r["date"], "2026-03-02");
    assert_eq!(r["from"], "text");
    let items: Vec<(&str, &str)> = r["failed_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["item"].as_str().unwrap(), i["hazard"].as_str().unwrap()))
        .collect();
    assert!(items.contains(&("泄漏电流", "触电")), "{items:?}");
    let party = &r["parties"][0];
    assert_eq!(party["name"], "温州某某电器有限公司");
    assert_eq!(party["province"], "浙江省");
    assert_eq!(
        numbers(&got[1]),
        [(s("电热毯"), n(15), n(2)), (s("室内加热器"), n(9), n(1))]
    );
    assert!(got[1].iter().all(|r| r["from"] == "table"));
    assert_eq!(numbers(&got[2]), [(s("电热毯"), Value::Null, Value::Null)]);
    assert!(got[3].is_empty(), "no record for a text that is no notice");
}

fn notice_page(body: &str, attachment: Option<Fetched>) -> Document {
    let toml = "[[source]]\nname = \"t-insp\"\nkind = \"html\"\nchannel = \"regulator\"\n\
                doc_kind = \"inspection\"\nstart = [\"http://127.0.0.1:9/list\"]\n\
                [source.list]\nlinks = \"ul a\"\n[source.detail]\ntitle = \"h1\"\ntext = \"#zoom > p\"\n";
    let source = parse_sources(toml, "t.toml").unwrap().remove(0);
    let html = format!(
        "<html><body><h1>关于电器产品质量监督抽查情况的通告</h1><div id=\"zoom\"><p>{body}</p>\
         <p><a href=\"list.csv\">附件：抽查结果</a></p></div></body></html>"
    );
    let mut f = Fetched {
        source: "t-insp".into(),
        url: "http://reg.test/art/insp1.html".into(),
        role: PageRole::Detail,
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: html.into_bytes(),
        fetched_at: chrono::Utc::now(),
        record_id: String::new(),
        attachments: Vec::new(),
    };
    if let Some(a) = attachment {
        f.attachments.push(a);
    }
    let parsed = jiance::parse::parse_page(&f, &source).unwrap();
    assert!(
        parsed.attachment_errors.is_empty(),
        "{:?}",
        parsed.attachment_errors
    );
    parsed.docs.into_iter().next().unwrap()
}

fn csv_attachment(csv: &str) -> Fetched {
    Fetched {
        source: "t-insp".into(),
        url: "http://reg.test/art/list.csv".into(),
        role: PageRole::Attachment,
        status: 200,
        headers: Vec::new(),
        body: csv.as_bytes().to_vec(),
        fetched_at: chrono::Utc::now(),
        record_id: String::new(),
        attachments: Vec::new(),
    }
}

#[test]
fn an_attachment_gives_records_per_product_with_its_failed_enterprises() {
    let an = Analyzer::load(None, None).unwrap();
    // a summary table
    let doc = notice_page(
        "近期组织开展了电器产品质量监督抽查，结果见附件。",
        Some(csv_attachment(
            "序号,产品名称,抽查批次,不合格批次\n1,电热毯,30,4\n2,电吹风,18,0\n",
        )),
    );
    let ex = an.analyze(&doc, &mut ClusterIndex::new());
    let got: Vec<_> = ex
        .inspections
        .iter()
        .map(|r| (r.category.as_deref(), r.sampled, r.failed, r.from.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("电热毯"), Some(30), Some(4), "attachment"),
            (Some("皮肤及毛发护理器具"), Some(18), Some(0), "attachment")
        ]
    );
    // only the summary row with failed batches is a finding
    let found: Vec<&str> = ex.findings.iter().map(|f| f.category.as_str()).collect();
    assert!(found.contains(&"电热毯"), "{found:?}");
    assert!(!found.contains(&"皮肤及毛发护理器具"), "{found:?}");
    // a list of the failed batches: counted per product, the sampled batches from the text
    let doc = notice_page(
        "本次共抽查电热毯40批次，发现3批次产品不合格，不合格产品及企业名单见附件。",
        Some(csv_attachment(
            "序号,产品名称,标称生产企业,不合格项目\n\
             1,电热毯,宁波市暖暖电器有限公司,泄漏电流\n\
             2,电热毯,合肥某某电子有限公司,发热\n\
             3,电热毯,宁波市暖暖电器有限公司,标志和说明\n",
        )),
    );
    let ex = an.analyze(&doc, &mut ClusterIndex::new());
    assert_eq!(ex.inspections.len(), 1, "{:?}", ex.inspections);
    let r = &ex.inspections[0];
    assert_eq!(
        (r.category.as_deref(), r.sampled, r.failed),
        (Some("电热毯"), Some(40), Some(3))
    );
    assert_eq!(r.from.as_str(), "attachment");
    let makers: Vec<(&str, Option<&str>)> = r
        .parties
        .iter()
        .map(|p| (p.name.as_str(), p.province.as_deref()))
        .collect();
    assert_eq!(
        makers,
        [
            ("宁波市暖暖电器有限公司", Some("浙江省")),
            ("合肥某某电子有限公司", Some("安徽省"))
        ]
    );
    let hazards: Vec<&str> = r.failed_items.iter().map(|i| i.hazard.as_str()).collect();
    assert!(
        hazards.contains(&"触电") && hazards.contains(&"火灾"),
        "{hazards:?}"
    );
}

/// A copy of the demo's data directory with our two notices stored (published in March 2026).
fn with_our_notices(data: &std::path::Path) {
    let an = Analyzer::load(None, None).unwrap();
    let store = jiance::store::Store::open(&data.join("state.sqlite")).unwrap();
    for (id, text, day) in [
        ("own-1", SENTENCE, "2026-03-02T02:00:00Z"),
        ("own-2", NO_NUMBERS, "2026-03-20T02:00:00Z"),
    ] {
        let t = chrono::DateTime::parse_from_rfc3339(day).unwrap().to_utc();
        let doc = Document {
            id: id.into(),
            source: "own".into(),
            channel: Channel::Regulator,
            kind: Some(DocKind::Inspection),
            url: format!("https://reg.example.org/{id}.html"),
            title: "电热毯产品质量监督抽查结果".into(),
            text: text.into(),
            published_at: Some(t),
            fetched_at: t,
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let ex = an.analyze(&doc, &mut ClusterIndex::new());
        store.put_document(&doc, &ex, &[]).unwrap();
    }
}

#[test]
fn the_report_gives_the_failure_rate_per_category_and_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&crate::demo::outcome().data, &data);
    with_our_notices(&data);
    let out = crate::jiance(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--inspections",
        "--every",
        "month",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let csv = crate::text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("period,category,notices,records,sampled,failed,failure_rate")
    );
    let march: Vec<&str> = lines
        .clone()
        .filter(|l| l.starts_with("2026-03-01,电热毯,"))
        .collect();
    // two notices, two records, only the one with numbers in the rate
    assert_eq!(march, ["2026-03-01,电热毯,2,2,24,4,0.166667"], "{csv}");
    // the demo's notices are there too, each rate their failed over sampled
    let demo_rows = lines.filter(|l| !l.starts_with("2026-03-01")).count();
    assert!(demo_rows >= 5, "{csv}");
}

#[test]
fn the_api_lists_records_by_category_and_day_and_as_csv() {
    let server = Server::start(Access::new(vec![], vec![], true));
    with_our_notices(&server.data);
    runtime().block_on(async {
        let http = jiance::util::tls::client();
        let get = |q: &str| {
            let url = format!("{}/api/inspections{q}", server.base);
            let http = http.clone();
            async move {
                let r = http.get(url).send().await.unwrap();
                // bytes, not text(): text() drops a BOM
                let status = r.status().as_u16();
                (
                    status,
                    String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap(),
                )
            }
        };
        let (status, body) = get("?category=电热毯&since=2026-03-01&until=2026-03-31").await;
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["total"], 2, "{page}");
        assert_eq!(
            (page["sampled"].clone(), page["failed"].clone()),
            (n(24), n(4))
        );
        let docs: Vec<&str> = page["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["doc_id"].as_str().unwrap())
            .collect();
        assert_eq!(docs, ["own-2", "own-1"], "newest first");
        assert_eq!(page["records"][0]["sampled"], Value::Null);
        assert_eq!(page["records"][1]["regulator"], "温州市市场监督管理局");
        let (_, all) = get("").await;
        let all: Value = serde_json::from_str(&all).unwrap();
        assert!(
            all["total"].as_u64().unwrap() > 2,
            "the demo's records too: {all}"
        );
        let (status, csv) = get("?category=电热毯&since=2026-03-01&format=csv").await;
        assert_eq!(status, 200);
        assert!(csv.starts_with('\u{feff}'), "BOM for spreadsheets");
        assert!(
            csv.contains("2026-03-02,电热毯,电热毯,24,4,泄漏电流(触电)"),
            "{csv}"
        );
        let (status, body) = get("?since=2026-13-01").await;
        assert_eq!(status, 400, "{body}");
    });
}
