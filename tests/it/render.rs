//! `render = "chromium"`: a site on 127.0.0.1 whose list and articles are written by JavaScript
//! (the list fetched from a JSON endpoint after a timer, the articles' text set by a script) is
//! crawled twice — as a plain source it yields nothing, rendered in headless Chromium it yields
//! every article — and the archive holds each page's response and its rendering (a WARC
//! `conversion` record referring to the response), read back as the rendered page.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiance::config::{CrawlSettings, parse_sources};
use jiance::model::PageRole;

const TITLES: [&str; 3] = [
    "某品牌儿童电动牙刷充电时发烫冒烟",
    "网购暖手宝使用中外壳开裂漏液",
    "多名消费者反映某款折叠婴儿车锁扣失灵",
];

/// The site, and the User-Agent of every request to its list page.
async fn script_site() -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::http::HeaderMap;
    use axum::response::Html;
    use axum::routing::get;
    let agents: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = agents.clone();
    let list = r#"<!doctype html><html><head><meta charset="utf-8"><title>投诉公示</title></head>
<body><h2>最新投诉</h2><ul id="l"></ul>
<script>
setTimeout(function () {
  fetch('/items.json').then(function (r) { return r.json(); }).then(function (items) {
    var ul = document.getElementById('l');
    items.forEach(function (it) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = it.u; a.textContent = it.t; li.appendChild(a); ul.appendChild(li);
    });
  });
}, 300);
</script></body></html>"#;
    let items: String = serde_json::to_string(
        &TITLES
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"u": format!("/c/{i}.html"), "t": t}))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/list",
            get(move |h: HeaderMap| {
                let ua = h
                    .get("user-agent")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                seen.lock().unwrap().push(ua);
                async move { Html(list) }
            }),
        )
        .route(
            "/items.json",
            get(move || async move { ([("content-type", "application/json")], items) }),
        )
        .route(
            "/c/{name}",
            get(
                |axum::extract::Path(name): axum::extract::Path<String>| async move {
                    let i: usize = name.trim_end_matches(".html").parse().unwrap_or(0);
                    let title = TITLES[i % TITLES.len()];
                    let body = format!(
                        "{title}。消费者称，该产品购买不足一个月即出现问题，多次联系商家未获解决，\
                     已向当地市场监管部门投诉，要求退货并检测同批次产品的安全性能。"
                    );
                    Html(format!(
                        r#"<!doctype html><html><head><meta charset="utf-8"></head><body>
<h1 id="t"></h1><div class="text" id="b"></div>
<script>
document.getElementById('t').textContent = {};
document.getElementById('b').innerHTML = '<p>' + {} + '</p>';
</script></body></html>"#,
                        serde_json::to_string(title).unwrap(),
                        serde_json::to_string(&body).unwrap()
                    ))
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), agents)
}

/// A browser wrapper that logs each start, then runs the real Chromium.
fn logging_browser(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("browser-starts.log");
    let path = dir.join("chromium-wrapper");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho started >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            super::browser::chromium_path().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (path, log)
}

/// WARC records of `dir` as text headers: (type, record id, refers-to).
fn warc_records(dir: &Path) -> Vec<(String, String, String)> {
    use std::io::Read;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        for rec in text.split("WARC/1.1\r\n").skip(1) {
            let field = |name: &str| {
                rec.lines()
                    .take_while(|l| !l.is_empty())
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            out.push((
                field("WARC-Type:"),
                field("WARC-Record-ID:"),
                field("WARC-Refers-To:"),
            ));
        }
    }
    out
}

#[test]
fn a_page_written_by_javascript_yields_its_documents_only_when_rendered() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (base, agents) = script_site().await;
        let work = tempfile::tempdir().unwrap();
        let (browser, starts) = logging_browser(work.path());
        let settings = CrawlSettings {
            chromium: Some(browser),
            ..CrawlSettings::default()
        };
        let crawl = |render: bool| {
            let base = base.clone();
            let settings = settings.clone();
            let data = work.path().join(if render { "rendered" } else { "plain" });
            async move {
                let toml = format!(
                    "[[source]]\nname = \"spa\"\nkind = \"html\"\nchannel = \"complaint\"\n\
                     start = [\"{base}/list\"]\n{}\
                     politeness = {{ rps = 50.0 }}\n\
                     [source.list]\nlinks = \"ul#l a\"\n\
                     [source.detail]\ntitle = \"h1\"\ntext = \"div.text\"\n",
                    if render {
                        "render = \"chromium\"\n"
                    } else {
                        ""
                    }
                );
                let sources = parse_sources(&toml, "test.toml").unwrap();
                let engine = jiance::pipeline::Engine::open(
                    jiance::pipeline::DataDir::new(&data),
                    &jiance::pipeline::RuleDirs::default(),
                    settings,
                )
                .unwrap();
                let report = engine.crawl_once(&sources).await.unwrap();
                let ids = engine.store.document_ids().unwrap();
                let rows = engine.store.documents(&ids).unwrap();
                let mut titles: Vec<String> = rows.into_iter().map(|r| r.title).collect();
                titles.sort();
                (titles, format!("{report:?}"), data)
            }
        };

        let (plain, report, _) = crawl(false).await;
        assert!(
            plain.is_empty(),
            "unrendered, the list has no links: {report}"
        );
        assert!(
            !starts.exists(),
            "a source without render started a browser"
        );

        let (rendered, report, data) = crawl(true).await;
        let mut want: Vec<String> = TITLES.iter().map(|t| t.to_string()).collect();
        want.sort();
        assert_eq!(rendered, want, "{report}");
        // the list page and three articles, each rendered once
        let runs = std::fs::read_to_string(&starts).unwrap().lines().count();
        assert_eq!(runs, 4);
        // the browser asked for the list page as jiance does: same User-Agent
        let agents = agents.lock().unwrap().clone();
        assert_eq!(
            agents.len(),
            3,
            "plain fetch, rendered pass's fetch and its browser"
        );
        assert!(agents.iter().all(|a| a == &agents[0]), "{agents:?}");

        // every rendering is a conversion record of an archived response
        let records = warc_records(&data.join("archive"));
        let responses: Vec<&String> = records
            .iter()
            .filter(|r| r.0 == "response")
            .map(|r| &r.1)
            .collect();
        let conversions: Vec<&(String, String, String)> =
            records.iter().filter(|r| r.0 == "conversion").collect();
        assert_eq!(conversions.len(), 4);
        for c in &conversions {
            assert!(responses.contains(&&c.2), "{} refers to no response", c.1);
        }
        // read back, the list page is the rendering, once
        let lists: Vec<_> = jiance::crawl::archive::read_dir(&data.join("archive"))
            .unwrap()
            .map(|r| r.unwrap())
            .filter(|f| f.role == PageRole::List)
            .collect();
        assert_eq!(lists.len(), 1);
        let body = String::from_utf8_lossy(&lists[0].body);
        assert!(body.contains(TITLES[0]), "{body}");
        assert!(conversions.iter().any(|c| c.1 == lists[0].record_id));
    });
}
