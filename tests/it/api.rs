//! The HTTP API over real sockets, on a copy of the demo's data directory (`crate::demo::outcome()`
//! runs the demo once per test binary; each server here gets its own copy, so writes made by one
//! test are seen by no other). Covers every endpoint, auth failures, bad parameters, oversized
//! bodies, the event stream and the Atom feed (parsed with feed-rs and checked for the namespace).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiance::pipeline::{DataDir, Engine, RuleDirs};
use jiance::serve::Access;
use jiance::store::Store;
use serde_json::Value;

pub const VIEWER: &str = "viewer-token-7f3a";
pub const OPERATOR: &str = "operator-token-c41e";

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            match std::fs::copy(entry.path(), &target) {
                Ok(_) => {}
                // A SQLite side file (-wal, -shm) that another test's connection to the demo's
                // data closed (and checkpointed) between the listing and the copy.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("copy {}: {e}", entry.path().display()),
            }
        }
    }
}

/// jiance serving a private copy of the demo data on 127.0.0.1 (its own thread and runtime).
pub struct Server {
    pub base: String,
    pub data: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start(access: Access) -> Server {
        let outcome = crate::demo::outcome();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        copy_dir(&outcome.data, &data);
        let engine = Engine::open(
            DataDir::new(&data),
            &RuleDirs::default(),
            Default::default(),
        )
        .unwrap();
        let state = engine.app_state().with_access(access);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                jiance::serve::serve(listener, state, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv().unwrap();
        Server {
            base: format!("http://{addr}"),
            data,
            stop: Some(stop),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// A second handle on the served store (SQLite WAL allows it), to check what a write did.
    pub fn store(&self) -> Store {
        Store::open(&self.data.join("state.sqlite")).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            // Graceful shutdown must end open event streams; a hang here fails the test run.
            t.join().unwrap();
        }
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(base: &str) -> Client {
        Client {
            http: jiance::util::tls::client(),
            base: base.to_string(),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, path: &str, token: Option<&str>, body: impl Into<String>) -> (u16, Value) {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.into());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{path}: not JSON ({status}): {text}"));
        (status, v)
    }
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no JSON error in {v}"))
}

fn closed_access() -> Access {
    Access::new(vec![VIEWER.into()], vec![OPERATOR.into()], false)
}

#[test]
fn reads_need_a_token_and_writes_need_an_operator() {
    let server = Server::start(closed_access());
    runtime().block_on(async {
        let c = Client::new(&server.base);
        for path in [
            "/api/alerts",
            "/api/alerts/stream",
            "/api/sampling-requests",
            "/api/search?q=充电",
            "/api/stats",
            "/feeds/alerts.atom",
            "/metrics",
        ] {
            let (status, v) = c.get(path, None).await;
            assert_eq!(status, 401, "{path}");
            assert!(error_of(&v).contains("token"), "{path}: {v}");
            let (status, v) = c.get(path, Some("not-a-token")).await;
            assert_eq!(status, 401, "{path}");
            assert_eq!(error_of(&v), "invalid token");
        }
        let r = c
            .http
            .get(format!("{}/api/alerts", c.base))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let r = c
            .http
            .get(format!("{}/api/alerts", c.base))
            .header("authorization", format!("Basic {VIEWER}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // The shell, health and the API description are public.
        for path in [
            "/",
            "/assets/app.js",
            "/assets/app.css",
            "/healthz",
            "/api/openapi.json",
        ] {
            assert_eq!(c.get(path, None).await.0, 200, "{path}");
        }
        // Viewer and operator tokens read; the query-string form works for GET.
        let (status, page) = c.get("/api/alerts", Some(VIEWER)).await;
        assert_eq!(status, 200);
        let top = page["alerts"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(c.get("/api/alerts", Some(OPERATOR)).await.0, 200);
        assert_eq!(
            c.get(&format!("/metrics?access_token={VIEWER}"), None)
                .await
                .0,
            200
        );

        // Writes: none → 401, viewer → 403, operator → 200.
        let ack = format!("/api/alerts/{top}/ack");
        let (status, v) = c.post(&ack, None, "").await;
        assert_eq!(status, 401);
        assert!(error_of(&v).contains("operator"));
        let (status, v) = c.post(&ack, Some(VIEWER), "").await;
        assert_eq!(status, 403);
        assert!(error_of(&v).contains("operator"));
        // A token in the query string does not authorise a write.
        let (status, _) = c
            .post(&format!("{ack}?access_token={OPERATOR}"), None, "")
            .await;
        assert_eq!(status, 401);
        let (status, v) = c.post(&ack, Some(OPERATOR), "").await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["acknowledged"]["alert_id"], top.as_str());

        // Unknown endpoints and wrong methods answer in JSON too.
        let (status, v) = c.get("/api/nothing", Some(VIEWER)).await;
        assert_eq!(status, 404);
        assert_eq!(error_of(&v), "no such endpoint");
        let r = c
            .http
            .delete(format!("{}/api/alerts", c.base))
            .bearer_auth(OPERATOR)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert!(error_of(&v).contains("method"));
    });
}

#[test]
fn a_server_without_operator_tokens_refuses_every_write() {
    let server = Server::start(Access::new(vec![], vec![], true));
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let (status, page) = c.get("/api/alerts", None).await;
        assert_eq!(status, 200, "reads are open");
        let top = page["alerts"][0]["id"].as_str().unwrap();
        let (status, _) = c.post(&format!("/api/alerts/{top}/ack"), None, "").await;
        assert_eq!(status, 401);
        let (status, _) = c
            .post(&format!("/api/alerts/{top}/ack"), Some("anything"), "")
            .await;
        assert_eq!(status, 401);
    });
}

#[test]
fn alerts_detail_sampling_search_stats_metrics_and_bad_parameters() {
    let outcome = crate::demo::outcome();
    let server = Server::start(closed_access());
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let t = Some(VIEWER);
        let (status, page) = c.get("/api/alerts", t).await;
        assert_eq!(status, 200);
        assert_eq!(page["total"], outcome.alerts.len());
        let ids: Vec<&str> = page["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = outcome.alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, expected, "ranked as scored");
        // The demo's sources were all read just now: none is stale.
        assert_eq!(page["stale_sources"], serde_json::json!([]), "{page}");
        let top = &outcome.alerts[0];

        // Filters and paging.
        let (_, v) = c
            .get(&format!("/api/alerts?category={}", top.category), t)
            .await;
        assert!(
            v["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["category"] == top.category.as_str())
        );
        assert!(v["total"].as_u64().unwrap() >= 1);
        let (_, v) = c.get("/api/alerts?limit=1&offset=1", t).await;
        assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
        assert_eq!(v["alerts"][0]["id"], outcome.alerts[1].id.as_str());
        let (_, v) = c.get("/api/alerts?min_level=4", t).await;
        assert!(
            v["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["level"] == 4)
        );
        for (bad, key) in [
            ("level=9", "level"),
            ("min_level=x", "min_level"),
            ("action=burn", "action"),
            ("scope=world", "scope"),
            ("status=sleeping", "status"),
            ("limit=many", "limit"),
            ("offset=-3", "offset"),
        ] {
            let (status, v) = c.get(&format!("/api/alerts?{bad}"), t).await;
            assert_eq!(status, 400, "{bad}");
            assert!(error_of(&v).starts_with(key), "{bad}: {v}");
        }

        // Detail: evidence with links and snippets, breakdown, history, sampling request.
        let (status, d) = c.get(&format!("/api/alerts/{}", top.id), t).await;
        assert_eq!(status, 200);
        assert_eq!(d["alert"]["id"], top.id.as_str());
        assert!(!d["alert"]["breakdown"].as_array().unwrap().is_empty());
        let ev = d["evidence"].as_array().unwrap();
        assert!(!ev.is_empty());
        assert!(ev.iter().any(|e| {
            e["found"] == true
            // the demo's sites under their fixed host names
            && e["url"].as_str().unwrap().contains(jiance::demo::STABLE_DOMAIN)
            && e["snippet"].as_str().unwrap().contains("<b>")
        }));
        let history = d["history"].as_array().unwrap();
        assert_eq!(history[0]["change"], "new", "{history:?}");
        assert_eq!(history[0]["alert_id"], top.id.as_str());
        assert!(d["acknowledgement"].is_null());
        let (status, v) = c.get("/api/alerts/no-such-alert", t).await;
        assert_eq!(status, 404);
        assert!(error_of(&v).contains("no-such-alert"));

        // Sampling requests belong to sample alerts, in rank order.
        let (status, list) = c.get("/api/sampling-requests", t).await;
        assert_eq!(status, 200);
        let list = list.as_array().unwrap();
        let sampled: Vec<&str> = outcome
            .alerts
            .iter()
            .filter(|a| a.action == jiance::model::Action::Sample)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(list.len(), sampled.len());
        assert_eq!(list[0]["alert_id"], sampled[0]);
        let (_, one) = c
            .get(&format!("/api/sampling-requests?alert={}", sampled[0]), t)
            .await;
        assert_eq!(one.as_array().unwrap().len(), 1);

        // Search: highlighted snippets and facets; bad parameters are 400.
        let (status, s) = c.get("/api/search?q=起火&limit=5", t).await;
        assert_eq!(status, 200);
        assert!(s["total"].as_u64().unwrap() > 0);
        assert!(s["hits"][0]["snippet"].as_str().unwrap().contains("<b>"));
        assert!(!s["facets"]["category"].as_array().unwrap().is_empty());
        for bad in ["sort=random", "since=2026-02-30", "limit=all", "kind=novel"] {
            assert_eq!(
                c.get(&format!("/api/search?{bad}"), t).await.0,
                400,
                "{bad}"
            );
        }

        // Stats: counts by day, category, province.
        let (status, st) = c.get("/api/stats", t).await;
        assert_eq!(status, 200);
        assert_eq!(st["signals"], outcome.signals.len());
        assert!(!st["by_day"].as_array().unwrap().is_empty());
        assert!(!st["by_province"].as_array().unwrap().is_empty());
        let (status, v) = c
            .get("/api/stats?since=2026-11-20&until=2026-11-01", t)
            .await;
        assert_eq!(status, 400);
        assert!(error_of(&v).contains("since"));

        // Metrics and health.
        let (status, m) = c.get("/metrics", t).await;
        assert_eq!(status, 200);
        let m = m.as_str().unwrap();
        assert!(m.contains("jiance_documents "), "{m}");
        let (_, h) = c.get("/healthz", None).await;
        assert_eq!(h["status"], "ok");
        assert!(h["index_documents"].as_u64().unwrap() > 0);
    });
}

/// `/api/stats` lists the nouns of unclassified signals with their signals and documents, under
/// the same filters as the rest; the signals are stored here (the demo's texts may give none).
#[test]
fn stats_list_unclassified_product_nouns() {
    use chrono::TimeZone;
    use jiance::model::{Channel, DocKind, Document, Extraction, Signal};
    let server = Server::start(closed_access());
    let store = server.store();
    let t = chrono::Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap();
    let put = |id: &str, province: &str, nouns: &[&str]| {
        let doc = Document {
            id: id.into(),
            source: "test".into(),
            channel: Channel::Complaint,
            kind: Some(DocKind::Complaint),
            url: format!("https://ts.example.cn/{id}"),
            title: "使用后皮肤灼伤".into(),
            text: "贴上半小时后皮肤起泡灼伤。".into(),
            published_at: Some(t),
            fetched_at: t,
            fields: Default::default(),
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let ex = Extraction {
            categories: vec!["未归类".into()],
            is_signal: true,
            ..Extraction::empty(id, DocKind::Complaint)
        };
        let signals: Vec<Signal> = nouns
            .iter()
            .map(|n| Signal {
                doc_id: id.into(),
                time: t,
                category: "未归类".into(),
                hazard: "烫伤/烧伤".into(),
                severity: 2,
                province: Some(province.into()),
                city: None,
                source: "test".into(),
                channel: Channel::Complaint,
                kind: DocKind::Complaint,
                weight: 1.0,
                cluster: id.into(),
                parties: Default::default(),
                product: Some(n.to_string()),
            })
            .collect();
        store.put_document(&doc, &ex, &signals).unwrap();
    };
    put("u1", "福建省", &["自发热护膝", "自发热护膝"]);
    put("u2", "福建省", &["自发热护膝"]);
    put("u3", "江西省", &["充电暖手袋"]);
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let nouns = |v: &Value| -> Vec<(String, u64, u64)> {
            v["unclassified"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["product"].as_str().unwrap().to_string(),
                        p["signals"].as_u64().unwrap(),
                        p["documents"].as_u64().unwrap(),
                    )
                })
                .filter(|(p, _, _)| p == "自发热护膝" || p == "充电暖手袋")
                .collect()
        };
        let (status, st) = c
            .get("/api/stats?since=2026-01-05&until=2026-01-05", Some(VIEWER))
            .await;
        assert_eq!(status, 200, "{st}");
        assert_eq!(
            nouns(&st),
            [
                ("自发热护膝".to_string(), 3, 2),
                ("充电暖手袋".to_string(), 1, 1)
            ]
        );
        let (_, st) = c
            .get(
                "/api/stats?since=2026-01-05&until=2026-01-05&province=江西省",
                Some(VIEWER),
            )
            .await;
        assert_eq!(nouns(&st), [("充电暖手袋".to_string(), 1, 1)]);
        let (_, st) = c.get("/api/stats?until=2026-01-04", Some(VIEWER)).await;
        assert!(nouns(&st).is_empty(), "{st}");
    });
}

fn inspection_body(alert: &str, results: &str) -> String {
    format!(r#"{{"alert_id": "{alert}", "inspected_on": "2026-11-21", "results": {results}}}"#)
}

#[test]
fn acknowledgements_and_inspection_results_are_recorded_and_shown() {
    let outcome = crate::demo::outcome();
    let server = Server::start(closed_access());
    let sample = outcome
        .alerts
        .iter()
        .find(|a| a.action == jiance::model::Action::Sample)
        .expect("the demo raises a sampling alert");
    let other = outcome
        .alerts
        .iter()
        .find(|a| a.action != jiance::model::Action::Sample);
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let op = Some(OPERATOR);
        // Acknowledge with a note: shown on the alert, in the list filter and in the history.
        let (status, v) = c
            .post(
                &format!("/api/alerts/{}/ack", sample.id),
                op,
                r#"{"note": "已转属地市场监管局核查"}"#,
            )
            .await;
        assert_eq!(status, 200, "{v}");
        let (_, d) = c.get(&format!("/api/alerts/{}", sample.id), op).await;
        assert_eq!(d["alert"]["status"], "acknowledged");
        assert_eq!(d["acknowledgement"]["note"], "已转属地市场监管局核查");
        assert_eq!(d["history"].as_array().unwrap().last().unwrap()["change"], "acknowledged");
        let (_, v) = c.get("/api/alerts?status=acknowledged", op).await;
        assert_eq!(v["total"], 1);
        assert_eq!(v["alerts"][0]["id"], sample.id.as_str());
        let (status, _) = c.post("/api/alerts/nope/ack", op, "").await;
        assert_eq!(status, 404);
        let (status, v) = c.post(&format!("/api/alerts/{}/ack", sample.id), op, "{not json").await;
        assert_eq!(status, 400);
        assert!(error_of(&v).contains("JSON"));
        let (status, v) = c
            .post(&format!("/api/alerts/{}/ack", sample.id), op, r#"{"notes": "typo"}"#)
            .await;
        assert_eq!(status, 400, "unknown fields are refused: {v}");

        // Inspection results: two batches, one failed.
        let results = r#"[
            {"batch": "CJ2026-1121-01", "party": "杭州某某车业有限公司", "item": "电池过充保护", "passed": false, "note": "过充后外壳变形"},
            {"batch": "CJ2026-1121-02", "party": "某某电动车旗舰店", "passed": true}
        ]"#;
        let (status, v) = c
            .post("/api/inspection-results", op, inspection_body(&sample.id, results))
            .await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["recorded"], 2);
        assert_eq!(v["failed"], 1);
        assert_eq!(v["change"]["change"], "inspection");
        let (_, d) = c.get(&format!("/api/alerts/{}", sample.id), op).await;
        assert_eq!(d["inspection"]["batches"], 2);
        assert_eq!(d["inspection"]["failed"], 1);
        assert_eq!(d["inspection"]["results"][0]["batch"], "CJ2026-1121-01");
        let term = d["alert"]["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "inspection_failed")
            .expect("inspection term on the breakdown");
        assert_eq!(term["value"], 1.0);
        assert_eq!(d["history"].as_array().unwrap().last().unwrap()["change"], "inspection");
        // The sampled parties are in the sampling history (future requests exclude them).
        let parties = server
            .store()
            .sampled_parties(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
            .unwrap();
        assert!(parties.contains("杭州某某车业有限公司"));
        assert!(parties.contains("某某电动车旗舰店"));

        // Bad bodies.
        for (body, needle) in [
            (inspection_body(&sample.id, "[]"), "results"),
            (inspection_body(&sample.id, r#"[{"batch": " ", "passed": true}]"#), "batch"),
            (inspection_body(&sample.id, r#"[{"batch": "x"}]"#), "passed"),
            (
                format!(r#"{{"alert_id": "{}", "inspected_on": "2099-01-01", "results": [{{"batch": "x", "passed": true}}]}}"#, sample.id),
                "inspected_on",
            ),
            (r#"{"results": []}"#.to_string(), "alert_id"),
            ("[1, 2]".to_string(), "JSON"),
        ] {
            let (status, v) = c.post("/api/inspection-results", op, body.clone()).await;
            assert_eq!(status, 400, "{body}: {v}");
            assert!(error_of(&v).contains(needle), "{body}: {v}");
        }
        let (status, _) = c
            .post("/api/inspection-results", op, inspection_body("no-such-alert", r#"[{"batch": "x", "passed": true}]"#))
            .await;
        assert_eq!(status, 404);
        if let Some(other) = other {
            let (status, v) = c
                .post("/api/inspection-results", op, inspection_body(&other.id, r#"[{"batch": "x", "passed": true}]"#))
                .await;
            assert_eq!(status, 409, "{v}");
            assert!(error_of(&v).contains("sampling request"));
        }
        // Oversized bodies: 413 with a JSON error, nothing recorded.
        let huge = inspection_body(
            &sample.id,
            &format!(r#"[{{"batch": "x", "passed": true, "note": "{}"}}]"#, "长".repeat(200_000)),
        );
        let (status, v) = c.post("/api/inspection-results", op, huge).await;
        assert_eq!(status, 413);
        assert!(error_of(&v).contains("larger than"));
        let (status, _) = c
            .post(&format!("/api/alerts/{}/ack", sample.id), op, "x".repeat(300_000))
            .await;
        assert_eq!(status, 413);
        assert_eq!(server.store().inspection_results(&sample.id).unwrap().len(), 2);
        // Viewers cannot write results.
        let (status, _) = c
            .post("/api/inspection-results", Some(VIEWER), inspection_body(&sample.id, results))
            .await;
        assert_eq!(status, 403);
    });
}

/// Reads SSE frames from a streaming response until one has `event: <name>`; returns its data.
async fn next_event(resp: &mut reqwest::Response, buf: &mut String, name: &str) -> Value {
    let wait = async {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let frame: String = buf.drain(..end + 2).collect();
                let event = frame.lines().find_map(|l| l.strip_prefix("event: "));
                let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
                if event == Some(name) {
                    return serde_json::from_str(data.unwrap()).unwrap();
                }
            }
            let chunk = resp.chunk().await.unwrap().expect("stream ended early");
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    // A guard against a hang, not a speed check.
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .unwrap_or_else(|_| panic!("no {name} event"))
}

#[test]
fn the_event_stream_carries_alert_changes_and_resumes() {
    let outcome = crate::demo::outcome();
    let server = Server::start(closed_access());
    let top = &outcome.alerts[0];
    runtime().block_on(async {
        let c = Client::new(&server.base);
        // not an event id: refused (schemathesis found a negative one accepted)
        for bad in ["abc", "-5", "1.5"] {
            let (status, v) = c
                .get(&format!("/api/alerts/stream?since={bad}"), Some(VIEWER))
                .await;
            assert_eq!(status, 400, "since={bad}");
            assert!(error_of(&v).contains("since"), "since={bad}");
        }

        let mut resp = c
            .http
            .get(format!(
                "{}/api/alerts/stream?access_token={VIEWER}",
                c.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut buf = String::new();
        let ready = next_event(&mut resp, &mut buf, "ready").await;
        let last = ready["last"].as_i64().unwrap();
        assert!(last > 0, "the demo's scoring runs are in the history");

        let (status, _) = c
            .post(
                &format!("/api/alerts/{}/ack", top.id),
                Some(OPERATOR),
                r#"{"note": "值班员已阅"}"#,
            )
            .await;
        assert_eq!(status, 200);
        let change = next_event(&mut resp, &mut buf, "alert").await;
        assert_eq!(change["alert_id"], top.id.as_str());
        assert_eq!(change["change"], "acknowledged");
        assert_eq!(change["note"], "值班员已阅");
        assert!(change["seq"].as_i64().unwrap() > last);

        // Resuming from an earlier id replays what came after it.
        let mut again = c
            .http
            .get(format!("{}/api/alerts/stream", c.base))
            .bearer_auth(VIEWER)
            .header("last-event-id", last.to_string())
            .send()
            .await
            .unwrap();
        let mut buf2 = String::new();
        next_event(&mut again, &mut buf2, "ready").await;
        let replayed = next_event(&mut again, &mut buf2, "alert").await;
        assert_eq!(replayed["seq"], change["seq"]);
        // The stream is not cut by the request time limit; dropping the server (end of test)
        // ends the open streams, or the join in Server::drop hangs.
    });
}

#[test]
fn the_atom_feed_is_valid_with_one_entry_per_alert() {
    let outcome = crate::demo::outcome();
    let server = Server::start(closed_access());
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let r = c
            .http
            .get(format!(
                "{}/feeds/alerts.atom?access_token={VIEWER}",
                c.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let xml = r.text().await.unwrap();
        let feed = feed_rs::parser::parse(xml.as_bytes()).expect("the feed parses");
        assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
        assert!(xml.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom""#));
        assert_eq!(feed.entries.len(), outcome.alerts.len());
        for (entry, alert) in feed.entries.iter().zip(&outcome.alerts) {
            assert_eq!(entry.id, format!("urn:jiance:alert:{}", alert.id));
            let title = &entry.title.as_ref().unwrap().content;
            assert!(title.contains(&alert.category), "{title}");
            assert!(entry.updated.is_some());
            let link = &entry.links[0].href;
            assert!(
                link.ends_with(&format!("/#/alert/{}", alert.id)) && link.starts_with(&c.base),
                "{link}"
            );
        }
        assert!(feed.updated.is_some());
        // Ids are stable between fetches.
        let again = c
            .http
            .get(format!("{}/feeds/alerts.atom", c.base))
            .bearer_auth(VIEWER)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let again = feed_rs::parser::parse(again.as_bytes()).unwrap();
        let ids =
            |f: &feed_rs::model::Feed| f.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&feed), ids(&again));
    });
}

#[test]
fn openapi_describes_every_endpoint_and_every_described_path_answers() {
    let outcome = crate::demo::outcome();
    let server = Server::start(closed_access());
    let top = outcome.alerts[0].id.clone();
    // paths of other things than alerts take their own ids
    let cases: Vec<jiance::review::Case> = server.store().cases().unwrap();
    let case = cases[0].id.clone();
    let document = outcome.alerts[0].evidence[0].clone();
    let findings = server.store().onsale().unwrap();
    let finding = findings[0].id.clone();
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let (status, doc) = c.get("/api/openapi.json", None).await;
        assert_eq!(status, 200);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for p in jiance::serve::openapi::PATHS {
            assert!(paths.contains_key(*p), "{p} is not described");
        }
        for (path, item) in paths {
            let id = if path.starts_with("/api/cases/") {
                &case
            } else if path.starts_with("/api/documents/") {
                &document
            } else if path.starts_with("/api/onsale/") || path.starts_with("/print/onsale/") {
                &finding
            } else {
                &top
            };
            // the alert's warning is drafted by the POST of /api/alerts/{id}/warning, which sorts
            // before the warnings' own paths
            let warning = format!("w-{top}");
            let id = if path.starts_with("/api/warnings/") {
                &warning
            } else {
                id
            };
            let concrete = path.replace("{id}", id);
            for method in item.as_object().unwrap().keys() {
                let status = match method.as_str() {
                    "get" if concrete.ends_with("/stream") => {
                        // Only the head of the stream: the status line is enough.
                        let r = c
                            .http
                            .get(format!("{}{concrete}", c.base))
                            .bearer_auth(VIEWER)
                            .send()
                            .await
                            .unwrap();
                        r.status().as_u16()
                    }
                    "get" => c.get(&concrete, Some(VIEWER)).await.0,
                    "post" => c.post(&concrete, Some(OPERATOR), "{}").await.0,
                    "put" => c
                        .http
                        .put(format!("{}{concrete}", c.base))
                        .bearer_auth(OPERATOR)
                        .header("content-type", "application/json")
                        .body(r#"{"title": "标题", "body": "正文"}"#)
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16(),
                    "delete" => {
                        // no rule has the alert's id: the handler's own 404, not the router's
                        let r = c
                            .http
                            .delete(format!("{}{concrete}", c.base))
                            .bearer_auth(OPERATOR)
                            .send()
                            .await
                            .unwrap();
                        let status = r.status().as_u16();
                        let body = r.text().await.unwrap();
                        assert!(body.contains("no watch rule"), "{body}");
                        if status == 404 { 200 } else { status }
                    }
                    other => panic!("undocumented method {other}"),
                };
                assert_ne!(status, 404, "{method} {path}");
                assert_ne!(status, 405, "{method} {path}");
            }
        }
    });
}

#[test]
fn watch_rules_are_created_listed_and_deleted_with_the_operator_role() {
    let _ = crate::demo::outcome();
    let server = Server::start(closed_access());
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let body = r#"{"owner": "api-test", "brand": "暖阳", "province": "浙江", "webhook_url": "https://hooks.example.org/j", "mode": "digest"}"#;
        let (status, _) = c.post("/api/watch-rules", Some(VIEWER), body).await;
        assert_eq!(status, 403, "a viewer cannot add rules");
        let (status, made) = c.post("/api/watch-rules", Some(OPERATOR), body).await;
        assert_eq!(status, 201, "{made}");
        let id = made["rule"]["id"].as_str().unwrap().to_string();
        let secret = made["rule"]["webhook"]["secret"].as_str().unwrap();
        assert_eq!(secret.len(), 32, "made up and shown once: {made}");
        let (status, listed) = c.get("/api/watch-rules?owner=api-test", Some(VIEWER)).await;
        assert_eq!(status, 200);
        assert_eq!(listed["rules"].as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed["rules"][0]["id"], id.as_str());
        assert_eq!(listed["rules"][0]["webhook"]["secret"], "********");
        let (status, err) = c
            .post("/api/watch-rules", Some(OPERATOR), r#"{"owner": "api-test", "email": "x@example.org"}"#)
            .await;
        assert_eq!(status, 400, "no criterion: {err}");
        let (status, err) = c
            .post("/api/watch-rules", Some(OPERATOR), r#"{"owner": "api-test", "query": "\"unclosed", "email": "x@example.org"}"#)
            .await;
        assert_eq!(status, 400, "a query that does not parse: {err}");
        let del = |token: &'static str| {
            c.http
                .delete(format!("{}/api/watch-rules/{id}", c.base))
                .bearer_auth(token)
                .send()
        };
        assert_eq!(del(VIEWER).await.unwrap().status().as_u16(), 403);
        assert_eq!(del(OPERATOR).await.unwrap().status().as_u16(), 200);
        assert_eq!(del(OPERATOR).await.unwrap().status().as_u16(), 404);
        let (_, listed) = c.get("/api/watch-rules?owner=api-test", Some(VIEWER)).await;
        assert_eq!(listed["rules"].as_array().unwrap().len(), 0, "{listed}");
    });
}

#[test]
fn search_expands_concepts_collapses_stories_and_exports_the_whole_set() {
    let _ = crate::demo::outcome();
    let server = Server::start(closed_access());
    runtime().block_on(async {
        let c = Client::new(&server.base);
        let t = Some(VIEWER);
        let (status, s) = c.get("/api/search?q=电瓶车 起火&limit=100", t).await;
        assert_eq!(status, 200, "{s}");
        assert_eq!(s["expansions"][0]["concept"], "电动自行车", "{s}");
        assert_eq!(s["expansions"][1]["concept"], "火灾");
        let (_, lit) = c
            .get("/api/search?q=电瓶车 起火&limit=100&literal=true", t)
            .await;
        assert!(lit["total"].as_u64().unwrap() < s["total"].as_u64().unwrap());
        assert_eq!(lit["expansions"], serde_json::json!([]));
        // filters in the query text are the parameters' filters
        let (_, written) = c.get("/api/search?q=起火 kind:complaint&limit=1", t).await;
        let (_, params) = c.get("/api/search?q=起火&kind=complaint&limit=1", t).await;
        assert_eq!(written["total"], params["total"]);
        assert_eq!(
            written["query_filters"],
            serde_json::json!([["kind", "complaint"]])
        );
        // a broad query: one hit per story, reposts listed with their sources
        let (_, all) = c.get("/api/search?limit=100", t).await;
        let hits = all["hits"].as_array().unwrap();
        let clusters: BTreeSet<&str> = hits
            .iter()
            .map(|h| h["cluster"].as_str().unwrap())
            .collect();
        assert_eq!(clusters.len(), hits.len(), "a story twice on one page");
        assert!(all["stories"].as_u64().unwrap() < all["total"].as_u64().unwrap());
        let story = hits
            .iter()
            .find(|h| h["copies"].as_u64().unwrap() > 1)
            .expect("a reposted story");
        assert_eq!(
            story["others"].as_array().unwrap().len() as u64 + 1,
            story["copies"].as_u64().unwrap()
        );
        assert!(!story["sources"].as_array().unwrap().is_empty());
        assert!(all["facet_stories"]["category"].is_object());
        let (_, flat) = c.get("/api/search?limit=100&collapse=false", t).await;
        assert_eq!(flat["hits"].as_array().unwrap().len(), 100);
        // more like this leaves the story itself out
        let id = story["id"].as_str().unwrap();
        let (status, like) = c.get(&format!("/api/search?like={id}"), t).await;
        assert_eq!(status, 200);
        assert!(
            like["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["cluster"] != story["cluster"])
        );
        assert_eq!(c.get("/api/search?like=nosuchdoc", t).await.0, 404);
        // export: every match, not one page
        let (status, csv) = c.get("/api/search/export?q=起火&limit=5", t).await;
        assert_eq!(status, 200);
        let (_, counted) = c.get("/api/search?q=起火&limit=1", t).await;
        let csv = csv
            .as_str()
            .unwrap()
            .trim_start_matches('\u{feff}')
            .to_string();
        let rows = csv::Reader::from_reader(csv.as_bytes()).records().count() as u64;
        assert_eq!(rows, counted["total"].as_u64().unwrap());
        let resp = c
            .http
            .get(format!("{}/api/search/export?q=起火&format=xlsx", c.base))
            .bearer_auth(VIEWER)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(
            resp.headers()["x-jiance-rows"].to_str().unwrap(),
            rows.to_string()
        );
        let bytes = resp.bytes().await.unwrap();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range("results").unwrap();
        assert_eq!(range.height() as u64, rows + 1);
        assert_eq!(c.get("/api/search/export?format=pdf", t).await.0, 400);
        assert_eq!(c.get("/api/search/export", None).await.0, 401);
    });
}
