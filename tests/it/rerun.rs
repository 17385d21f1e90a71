//! `jiance rerun` and `jiance diff-alerts` from the binary: the demo's archive replayed twice gives
//! byte-identical signal partitions and alerts; a changed rule file shows in `diff-alerts`; a WARC
//! written by another tool (Python warcio) is replayed and its documents found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::demo::{END, outcome};
use crate::jiance;

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "jiance failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn end() -> String {
    format!("{:04}-{:02}-{:02}", END.0, END.1, END.2)
}

/// `jiance rerun` of the demo archive into `out`, as of the scenario's end.
fn rerun_command(out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiance"));
    c.arg("rerun")
        .arg("--archive")
        .arg(outcome().data.join("archive"))
        .arg("--out")
        .arg(out)
        // The archive's records are dated the day the tests run; the scenario ends on END.
        .arg("--as-of")
        .arg(end());
    c
}

/// `jiance rerun` of the demo archive into `out` with extra arguments; the JSON summary.
fn rerun_demo(out: &Path, extra: &[&str]) -> serde_json::Value {
    let run = rerun_command(out)
        .args(extra)
        .arg("--json")
        .output()
        .expect("the jiance binary runs");
    serde_json::from_str(&ok(run)).unwrap()
}

/// Every file of `signals/`, by name.
fn partitions(data: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(data.join("signals"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn alerts_json(data: &Path) -> String {
    ok(jiance(&[
        "alerts",
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]))
}

struct First {
    dir: tempfile::TempDir,
    summary: serde_json::Value,
}

impl First {
    fn out(&self) -> PathBuf {
        self.dir.path().join("rerun-1")
    }
}

/// The first rerun of the demo archive, shared by the tests that compare against it.
fn first() -> &'static First {
    static FIRST: OnceLock<First> = OnceLock::new();
    FIRST.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let summary = rerun_demo(&dir.path().join("rerun-1"), &[]);
        First { dir, summary }
    })
}

#[test]
fn rerunning_the_demo_archive_twice_gives_identical_signals_and_alerts() {
    let one = first();
    let s = &one.summary;
    let n = |k: &str| s[k].as_u64().unwrap();
    let demo = outcome();
    assert!(n("documents") >= 400, "{s}");
    assert!(n("signals") > 0 && n("alerts") > 0, "{s}");
    assert_eq!(s["as_of"], end());
    assert_eq!(n("bytes_read"), n("bytes_total"));
    // Every archived document page was replayed: nothing failed.
    assert!(s["failures"].as_object().unwrap().is_empty(), "{s}");
    let stored = jiance::store::Store::open(&one.out().join("state.sqlite"))
        .unwrap()
        .document_count()
        .unwrap();
    assert_eq!(
        stored,
        demo.documents.len() as u64,
        "the rerun stores exactly the documents the live crawl stored: {s}"
    );

    let two = tempfile::tempdir().unwrap();
    let out2 = two.path().join("rerun-2");
    let s2 = rerun_demo(&out2, &["--workers", "1"]);
    for k in ["records", "documents", "signals", "alerts"] {
        assert_eq!(s[k], s2[k], "{k}");
    }
    let (p1, p2) = (partitions(&one.out()), partitions(&out2));
    assert!(!p1.is_empty());
    assert_eq!(
        p1.keys().collect::<Vec<_>>(),
        p2.keys().collect::<Vec<_>>(),
        "the same partition files"
    );
    for (name, bytes) in &p1 {
        assert!(p2[name] == *bytes, "{name} differs between reruns");
    }
    assert_eq!(alerts_json(&one.out()), alerts_json(&out2));

    // The rerun judges the archive as the live pipeline did: the same alerts, levels, actions.
    let key = |a: &serde_json::Value| {
        format!(
            "{} {} {} {}",
            a["id"].as_str().unwrap(),
            a["scope"],
            a["level"],
            a["action"]
        )
    };
    let mut live: Vec<String> =
        serde_json::from_str::<Vec<serde_json::Value>>(&alerts_json(&demo.data))
            .unwrap()
            .iter()
            .map(key)
            .collect();
    let mut replayed: Vec<String> =
        serde_json::from_str::<Vec<serde_json::Value>>(&alerts_json(&one.out()))
            .unwrap()
            .iter()
            .map(key)
            .collect();
    live.sort();
    replayed.sort();
    assert_eq!(live, replayed);

    // The second rerun into the same directory replaces it (it is a rerun's output); a directory
    // with other things in it is refused.
    let again = rerun_demo(&out2, &[]);
    assert_eq!(again["documents"], s["documents"]);
    let precious = two.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("keep.txt"), "x").unwrap();
    let refused = jiance(&[
        "rerun",
        "--archive",
        demo.data.join("archive").to_str().unwrap(),
        "--out",
        precious.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("not a previous rerun"), "{err}");
    assert!(precious.join("keep.txt").exists());
}

/// Documents in a data directory's store.
fn stored_documents(data: &Path) -> u64 {
    jiance::store::Store::open(&data.join("state.sqlite"))
        .unwrap()
        .document_count()
        .unwrap()
}

/// The rerun's store is a scratch one until its end (no syncs, journal in memory): a rerun killed
/// (SIGKILL) at any moment must leave the previous output whole, and the next rerun into the
/// same directory must give what an uninterrupted one gives, nothing of the killed run in it.
#[test]
fn a_rerun_killed_anywhere_leaves_the_previous_output_and_the_next_one_whole() {
    let one = first();
    let (want_parts, want_alerts) = (partitions(&one.out()), alerts_json(&one.out()));
    let want_docs = stored_documents(&one.out());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    copy_dir(&one.out(), &out);
    // an uninterrupted rerun over the previous output, timed: the kills spread over its length
    let started = std::time::Instant::now();
    rerun_demo(&out, &[]);
    let whole = started.elapsed();
    const KILLS: u32 = 6;
    let mut midway = 0;
    for k in 0..KILLS {
        let mut child = rerun_command(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole * (2 * k + 1) / (2 * KILLS));
        if child.try_wait().unwrap().is_none() {
            midway += 1;
        }
        // SIGKILL: no destructor, no flush, no sync
        let _ = child.kill();
        let _ = child.wait();
        // A kill between the swap's two renames leaves no `out` (the next start finishes the
        // swap); otherwise `out` is a whole output, the previous one or the new one, and equal.
        if out.exists() {
            assert!(partitions(&out) == want_parts, "kill {k}: partitions");
            assert_eq!(stored_documents(&out), want_docs, "kill {k}: documents");
        }
    }
    assert!(
        midway >= KILLS / 2,
        "only {midway} kills fell inside a rerun"
    );
    let again = rerun_demo(&out, &[]);
    // documents indexed, a page archived twice counted each time: as the reference rerun counted
    for k in ["records", "documents", "signals", "alerts"] {
        assert_eq!(again[k], one.summary[k], "{k}: {again}");
    }
    assert!(partitions(&out) == want_parts);
    assert_eq!(alerts_json(&out), want_alerts);
    assert_eq!(stored_documents(&out), want_docs);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("out")],
        "staging left behind"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn a_changed_scoring_rule_shows_in_diff_alerts() {
    let one = first();
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &rules);
    // Sampling needs more independent reports than any demo problem has: every `sample` alert
    // becomes a `notify`.
    let scoring = rules.join("scoring.toml");
    let text = std::fs::read_to_string(&scoring).unwrap();
    let changed = text.replace("sample_min_clusters = 5", "sample_min_clusters = 1000");
    assert_ne!(
        changed, text,
        "scoring.toml has no `sample_min_clusters = 5` to change"
    );
    std::fs::write(&scoring, changed).unwrap();

    let out = dir.path().join("rerun-new-rules");
    let s = rerun_demo(&out, &["--rules", rules.to_str().unwrap()]);
    assert_eq!(s["documents"], one.summary["documents"]);

    let old_alerts: Vec<serde_json::Value> =
        serde_json::from_str(&alerts_json(&one.out())).unwrap();
    let sampled: Vec<&str> = old_alerts
        .iter()
        .filter(|a| a["action"] == "sample")
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(!sampled.is_empty(), "the demo has sample alerts");

    let diff: serde_json::Value = serde_json::from_str(&ok(jiance(&[
        "diff-alerts",
        one.out().to_str().unwrap(),
        out.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    let relevelled = diff["relevelled"].as_array().unwrap();
    let mut ids: Vec<&str> = relevelled
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = sampled.clone();
    expected.sort();
    assert_eq!(ids, expected, "{diff}");
    for r in relevelled {
        assert_eq!(r["old"]["action"], "sample");
        assert_eq!(r["new"]["action"], "notify");
    }
    assert!(diff["added"].as_array().unwrap().is_empty(), "{diff}");
    assert!(diff["dropped"].as_array().unwrap().is_empty(), "{diff}");

    // The table names the change; the same data against itself has none.
    let table = ok(jiance(&[
        "diff-alerts",
        one.out().to_str().unwrap(),
        out.to_str().unwrap(),
    ]));
    assert!(
        table.contains("re-levelled") && table.contains("sample → notify"),
        "{table}"
    );
    let same = ok(jiance(&[
        "diff-alerts",
        one.out().to_str().unwrap(),
        one.out().to_str().unwrap(),
    ]));
    assert!(
        same.contains("no alert added, dropped or re-levelled"),
        "{same}"
    );
}

const FOREIGN_CONFIG: &str = r#"
data_dir = "unused"

[[source]]
name = "baby-shop"
kind = "html"
channel = "platform"
weight = 0.5
platform = "母婴优品"
doc_kind = "listing"
start = ["http://shop.muying.test/list?page=1"]

[source.list]
links = "ul.goods a"

[source.detail]
title = "h1.name"
text = ".desc p"
published = ".updated"

[source.detail.fields]
shop = ".seller"
"#;

/// Writes a gzipped WARC with warcio: the list page, three product pages of the source above,
/// and one page of a site no source covers.
const WARCIO_SCRIPT: &str = r#"
import sys
from io import BytesIO
from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders

def html(title, paras, seller):
    ps = "".join("<p>%s</p>" % p for p in paras)
    return ("<html><head><meta charset='utf-8'><title>%s</title></head><body><h1 class='name'>%s</h1>"
            "<div class='desc'>%s</div><span class='seller'>%s</span><span class='updated'>2026-11-18 09:30</span>"
            "</body></html>" % (title, title, ps, seller)).encode("utf-8")

pages = [
    ("http://shop.muying.test/list?page=1",
     "<html><body><ul class='goods'><a href='/item/301.html'>a</a><a href='/item/302.html'>b</a></ul></body></html>".encode("utf-8")),
    ("http://shop.muying.test/item/301.html",
     html("婴儿学步车 可折叠防侧翻", ["买家评价：学步车用了三天，轮子卡扣松脱，宝宝差点从车里翻出来，磕到了额头。",
                               "商家回复会补发配件，但没有解释为什么卡扣这么容易断。"], "乐宝母婴专营店")),
    ("http://shop.muying.test/item/302.html",
     html("儿童保温杯 316不锈钢 带吸管", ["买家评价：杯盖上的硅胶吸嘴一股刺鼻味道，孩子用了以后嘴角起红疹。",
                                  "查了一下包装上没有执行标准和检验合格证明。"], "童趣生活馆")),
    ("http://shop.muying.test/item/303.html",
     html("婴儿床 实木 无漆", ["买家评价：床栏间距太宽，孩子的腿卡在栏杆中间哭了半天，拆了两根栏杆才弄出来。",
                           "客服说这个款式已经卖了很多，没人反映过问题。"], "森林木童床旗舰店")),
    ("http://unrelated.test/about.html", b"<html><body><h1>about</h1></body></html>"),
]
with open(sys.argv[1], "wb") as out:
    writer = WARCWriter(out, gzip=True)
    for url, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        rec = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                        warc_headers_dict={"WARC-Date": "2026-11-18T02:00:00Z"})
        writer.write_record(rec)
"#;

#[test]
fn a_warc_written_by_warcio_is_rerun_and_its_documents_found() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("from-warcio.warc.gz");
    let script = dir.path().join("write_warc.py");
    std::fs::write(&script, WARCIO_SCRIPT).unwrap();
    let py = crate::python()
        .arg(&script)
        .arg(&warc)
        .output()
        .expect("the Python of the virtual environment runs (./test.sh makes it)");
    assert!(
        py.status.success(),
        "writing a WARC with Python warcio failed (./test.sh installs warcio in target/py):\n{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let config = dir.path().join("jiance.toml");
    std::fs::write(&config, FOREIGN_CONFIG).unwrap();
    let out = dir.path().join("out");
    let s: serde_json::Value = serde_json::from_str(&ok(jiance(&[
        "rerun",
        "--archive",
        warc.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    assert_eq!(s["records"], 5, "{s}");
    assert_eq!(s["documents"], 3, "{s}");
    assert_eq!(s["skipped"]["role:list"], 1, "{s}");
    assert_eq!(s["failures"]["unmatched-url"], 1, "{s}");
    assert_eq!(s["as_of"], "2026-11-18");
    // The documents are searchable in the new data directory, with their source's fields.
    let hits: serde_json::Value = serde_json::from_str(&ok(jiance(&[
        "search",
        "学步车",
        "--data",
        out.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    assert_eq!(hits["total"], 1, "{hits}");
    assert_eq!(hits["hits"][0]["source"], "baby-shop", "{hits}");
    let all: serde_json::Value = serde_json::from_str(&ok(jiance(&[
        "search",
        "--data",
        out.to_str().unwrap(),
        "--json",
    ])))
    .unwrap();
    assert_eq!(all["total"], 3, "{all}");
    // The human summary names the failure reason.
    let out2 = dir.path().join("out2");
    let text = ok(jiance(&[
        "rerun",
        "--archive",
        warc.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]));
    assert!(text.contains("unmatched-url"), "{text}");
    assert!(text.contains("records read"), "{text}");
}

/// A search page whose listings live only in its script data (`g_page_config`, the demo mall's
/// own search pages on 127.0.0.1) is read by `[source.list.script]`: `jiance run` stores every
/// listed product and, fanned out, every review the items carry, and `jiance rerun` of the run's
/// archive stores the same documents (issue 44). Before, list pages never reached the parser:
/// "1 pages, 0 documents".
#[test]
fn a_script_data_search_page_yields_its_listings_in_run_and_rerun() {
    use jiance::demo::{Detail, Site};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let end = jiance::model::china_day(chrono::Utc::now());
    let scenario = std::sync::Arc::new(jiance::demo::scenario(7, end));
    let sites = rt
        .block_on(jiance::demo::DemoSites::start(scenario.clone()))
        .unwrap();
    let mall = sites.base_urls()["mall"].clone();
    let dir = tempfile::tempdir().unwrap();
    let sources = format!(
        "[[source]]\nname = \"mall-search\"\nkind = \"html\"\nchannel = \"platform\"\n\
         doc_kind = \"listing\"\nstart = [\"{mall}/search?q=家电&page=1\", \"{mall}/search?q=数码&page=1\"]\n\
         politeness = {{ rps = 100.0, concurrency = 4 }}\n\
         [source.list]\nnext = \"div.page-nav a.next\"\n\
         [source.list.script]\nitems = \"g_page_config.mods.itemlist.data.auctions\"\n\
         [source.list.script.fields]\nid = \"nid\"\nurl = \"detail_url\"\ntitle = \"raw_title\"\n\
         price = \"view_price\"\nshop = \"nick\"\nshop_region = \"item_loc\"\n\
         [source.list.script.reviews]\nitems = \"comments\"\n\
         [source.list.script.reviews.fields]\ntext = \"says\"\npublished = \"day\"\nstars = \"star\"\n"
    );
    std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
    std::fs::write(
        dir.path().join("jiance.toml"),
        "data_dir = \"data\"\nsource_files = [\"sources.toml\"]\n[crawl]\nuser_agent = \"jiance-test\"\n",
    )
    .unwrap();
    let config = dir.path().join("jiance.toml");
    let config = config.to_str().unwrap();
    ok(jiance(&["check", config]));
    let run = jiance(&["run", "--once", "--config", config]);
    rt.block_on(sites.shutdown());
    assert!(run.status.success(), "{}", crate::text(&run.stderr));

    // what the two searches list: product pages, and the distinct latest reviews of each
    let listed: Vec<_> = scenario
        .docs_of(Site::Mall)
        // the mall's search: a product of the department, or with the word in its title
        .filter(|d| {
            ["家电", "数码"].iter().any(|q| {
                matches!(&d.detail, Detail::Listing { dept, .. } if dept == q || d.title.contains(q))
            })
        })
        .collect();
    assert!(listed.len() >= 10, "{} listed products", listed.len());
    let reviews: usize = listed
        .iter()
        .map(|d| match &d.detail {
            Detail::Listing { reviews, .. } => {
                let mut latest: Vec<_> = reviews.iter().collect();
                latest.sort_by_key(|r| std::cmp::Reverse(r.date));
                latest.truncate(jiance::demo::SCRIPT_REVIEWS);
                latest
                    .iter()
                    .map(|r| r.text.as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
            }
            _ => 0,
        })
        .sum();
    assert!(reviews > 0, "the listed products carry reviews");

    let stored = |data: &Path| {
        let store = jiance::store::Store::open(&data.join("state.sqlite")).unwrap();
        let ids = store.document_ids().unwrap();
        store.documents(&ids).unwrap()
    };
    let docs = stored(&dir.path().join("data"));
    let (items, fanned): (Vec<_>, Vec<_>) = docs.iter().partition(|d| !d.url.contains("#review-"));
    for d in &listed {
        assert!(
            items
                .iter()
                .any(|i| i.url.ends_with(&d.path) && i.title == d.title && i.kind == "listing"),
            "{} ({}) not stored from the search pages",
            d.path,
            d.title
        );
    }
    assert_eq!(items.len(), listed.len(), "one document per listed product");
    assert_eq!(fanned.len(), reviews, "one document per review");

    // the archive replayed by the same sources gives the same documents
    let out = dir.path().join("rerun");
    let archive = dir.path().join("data/archive");
    let summary: serde_json::Value = serde_json::from_str(&ok(jiance(&[
        "rerun",
        "--archive",
        archive.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--config",
        config,
        "--json",
    ])))
    .unwrap();
    assert!(
        summary["failures"]
            .as_object()
            .is_some_and(|f| f.is_empty()),
        "{summary}"
    );
    let again = stored(&out);
    let key = |d: &[jiance::store::DocumentRow]| {
        d.iter()
            .map(|r| (r.id.clone(), r.url.clone(), r.title.clone()))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(key(&again), key(&docs));
}
