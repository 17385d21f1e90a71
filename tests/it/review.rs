//! The analysts' loop over HTTP and the CLI, on a copy of the demo's data: named users, triage
//! with names and reasons, a dismissal that suppresses the alert on the next scoring run until it
//! escalates, cases served with their alerts and documents, labels taken by the API, and labels
//! exported and replayed by `jiance check --labels`, which lists exactly the seeded disagreements.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use jiance::model::{Action, Alert};
use jiance::pipeline::{DataDir, Engine, RuleDirs};
use jiance::review::{Label, LabelKind, LabelSnapshot};
use jiance::serve::Access;
use jiance::store::token_digest;
use serde_json::{Value, json};

use crate::api::{OPERATOR, Server, runtime};
use crate::demo::END;

const ANALYST: &str = "analyst-token-wang";
const VIEWER: &str = "viewer-token-zhao";

/// One JSON call with a bearer token: the status and the body (null when it is no JSON).
pub(crate) async fn call(
    method: &str,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = jiance::util::tls::client();
    let mut req = match method {
        "POST" => c.post(url),
        "PUT" => c.put(url),
        "DELETE" => c.delete(url),
        _ => c.get(url),
    }
    .bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn rescore(data: &std::path::Path) -> Vec<Alert> {
    let engine =
        Engine::open(DataDir::new(data), &RuleDirs::default(), Default::default()).unwrap();
    let as_of = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap();
    engine.score(as_of).unwrap().alerts
}

#[test]
fn triage_names_who_and_a_dismissal_holds_until_the_alert_escalates() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], false));
    let store = server.store();
    assert!(
        store
            .add_user("王芳", "analyst", &token_digest(ANALYST))
            .unwrap()
    );
    assert!(
        store
            .add_user("赵强", "viewer", &token_digest(VIEWER))
            .unwrap()
    );
    let alert = store
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.action != Action::Dismiss)
        .unwrap();
    let base = server.base.clone();
    let url = format!("{base}/api/alerts/{}/triage", alert.id);
    runtime().block_on(async {
        let (s, me) = call("GET", &format!("{base}/api/me"), ANALYST, None).await;
        assert_eq!(
            (s, me["name"].as_str(), me["role"].as_str()),
            (200, Some("王芳"), Some("analyst"))
        );
        let (s, _) = call("GET", &format!("{base}/api/me"), "nobody", None).await;
        assert_eq!(s, 401);
        // a viewer reads but may not triage
        let (s, v) = call("POST", &url, VIEWER, Some(json!({"to": "review"}))).await;
        assert_eq!(s, 403, "{v}");
        assert!(v["error"].as_str().unwrap().contains("赵强"), "{v}");
        // review comes first
        let (s, v) = call(
            "POST",
            &url,
            ANALYST,
            Some(json!({"to": "dismissed", "reason": "duplicate"})),
        )
        .await;
        assert_eq!(s, 409, "{v}");
        let (s, v) = call("POST", &url, ANALYST, Some(json!({"to": "review"}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["triage"]["by"], "王芳");
        let (s, _) = call("POST", &url, ANALYST, Some(json!({"to": "dismissed"}))).await;
        assert_eq!(s, 400, "a dismissal needs a reason");
        let (s, v) = call(
            "POST",
            &url,
            ANALYST,
            Some(json!({"to": "dismissed", "reason": "duplicate"})),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = call("GET", &url, VIEWER, None).await;
        assert_eq!(s, 200);
        let history = v["history"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert!(history.iter().all(|h| h["by"] == "王芳"));
        assert_eq!(history[1]["to"], "dismissed");
        assert_eq!(v["triage"]["reason"], "duplicate");
    });
    // The next scoring run keeps the alert but dismisses it, and says why.
    let alerts = rescore(&server.data);
    let again = alerts.iter().find(|a| a.id == alert.id).unwrap();
    assert_eq!(again.action, Action::Dismiss);
    let term = again
        .breakdown
        .iter()
        .find(|t| t.name == "suppressed")
        .unwrap();
    assert!(
        term.note.contains("王芳") && term.note.contains("重复信息"),
        "{}",
        term.note
    );
    assert!(
        store
            .sampling_requests()
            .unwrap()
            .iter()
            .all(|s| s.alert_id != alert.id)
    );
    // As if it had been dismissed at a lower level: today's level is an escalation.
    let conn = rusqlite::Connection::open(server.data.join("state.sqlite")).unwrap();
    let json: String = conn
        .query_row(
            "SELECT json FROM dismissals WHERE alert_id = ?1",
            [&alert.id],
            |r| r.get(0),
        )
        .unwrap();
    let mut d: Value = serde_json::from_str(&json).unwrap();
    d["level"] = json!(again.level - 1);
    conn.execute(
        "UPDATE dismissals SET json = ?2 WHERE alert_id = ?1",
        rusqlite::params![alert.id, d.to_string()],
    )
    .unwrap();
    let alerts = rescore(&server.data);
    let escalated = alerts.iter().find(|a| a.id == alert.id).unwrap();
    assert_eq!(
        escalated.action, alert.action,
        "the escalation ends the suppression"
    );
    assert!(
        escalated
            .breakdown
            .iter()
            .any(|t| t.name == "suppression_ended")
    );
    let t = store.triage("alert", &alert.id).unwrap();
    assert_eq!((t.state.as_str(), t.by.as_str()), ("review", "jiance"));
}

const OPERATOR_LI: &str = "operator-token-li";

#[test]
fn every_write_is_in_the_audit_log_with_its_user_and_time_newest_first_for_operators_only() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], true));
    let store = server.store();
    for (name, role, token) in [
        ("王芳", "analyst", ANALYST),
        ("赵强", "viewer", VIEWER),
        ("李伟", "operator", OPERATOR_LI),
    ] {
        assert!(store.add_user(name, role, &token_digest(token)).unwrap());
    }
    let sampled = store.sampling_requests().unwrap()[0].alert_id.clone();
    let doc = store.document_ids().unwrap()[0].clone();
    // whatever the copied data already holds (none from the demo run itself)
    let before = store.audit(1, 0).unwrap().0;
    let base = server.base.clone();
    let started = chrono::Utc::now();
    runtime().block_on(async {
        let post = |path: String, token: &'static str, body: Value| {
            let url = format!("{base}{path}");
            async move { call("POST", &url, token, Some(body)).await }
        };
        let (s, v) = post(
            format!("/api/alerts/{sampled}/ack"),
            OPERATOR_LI,
            json!({"note": "已通知属地核查"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = post(
            format!("/api/alerts/{sampled}/triage"),
            ANALYST,
            json!({"to": "review"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = post(
            format!("/api/documents/{doc}/labels"),
            ANALYST,
            json!({"kind": "wrong-hazard", "value": "触电"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = post(
            "/api/inspection-results".into(),
            OPERATOR_LI,
            json!({"alert_id": sampled, "results": [{"batch": "B-01", "passed": false}, {"batch": "B-02", "passed": true}]}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let (s, made) = post(
            "/api/watch-rules".into(),
            OPERATOR,
            json!({"owner": "audit-test", "brand": "暖阳", "webhook_url": "https://hooks.example.org/j"}),
        )
        .await;
        assert_eq!(s, 201, "{made}");
        let rule = made["rule"]["id"].as_str().unwrap().to_string();
        let (s, v) = call(
            "DELETE",
            &format!("{base}/api/watch-rules/{rule}"),
            OPERATOR_LI,
            None,
        )
        .await;
        assert_eq!(s, 200, "{v}");
        // a refused write is no entry
        let (s, _) = post(
            format!("/api/alerts/{sampled}/ack"),
            VIEWER,
            json!({"note": "x"}),
        )
        .await;
        assert_eq!(s, 403);

        // only operators read the log, named or configured
        let audit = format!("{base}/api/audit");
        for (token, status) in [(ANALYST, 403), (VIEWER, 403), ("", 401)] {
            let (s, v) = call("GET", &audit, token, None).await;
            assert_eq!(s, status, "{token:?}: {v}");
        }
        let (s, log) = call("GET", &audit, OPERATOR_LI, None).await;
        assert_eq!(s, 200, "{log}");
        assert_eq!(log["total"], before + 6, "{log}");
        let entries = &log["entries"].as_array().unwrap()[..6];
        let seen: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap(),
                    e["user"].as_str().unwrap(),
                    e["target"].as_str().unwrap(),
                )
            })
            .collect();
        let (alert, document, watch) = (
            format!("alert:{sampled}"),
            format!("document:{doc}"),
            format!("watch-rule:{rule}"),
        );
        assert_eq!(
            seen,
            [
                ("watch-rule-remove", "李伟", watch.as_str()),
                ("watch-rule-add", "operator", watch.as_str()),
                ("inspection-results", "李伟", alert.as_str()),
                ("label", "王芳", document.as_str()),
                ("triage", "王芳", alert.as_str()),
                ("acknowledge", "李伟", alert.as_str()),
            ]
        );
        assert_eq!(entries[0]["role"], "operator");
        assert_eq!(entries[3]["role"], "analyst");
        assert!(entries[2]["detail"].as_str().unwrap().contains("不合格 1"));
        assert!(entries[3]["detail"].as_str().unwrap().contains("触电"));
        assert!(entries[5]["detail"].as_str().unwrap().contains("已通知属地核查"));
        let times: Vec<chrono::DateTime<chrono::Utc>> = entries
            .iter()
            .map(|e| e["at"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
        assert!(times.iter().all(|t| *t >= started), "{times:?}");
        // paged, newest first
        let (s, page) = call("GET", &format!("{audit}?limit=2&offset=1"), OPERATOR, None).await;
        assert_eq!(s, 200);
        assert_eq!(page["entries"].as_array().unwrap().len(), 2);
        assert_eq!(page["entries"][0]["action"], "watch-rule-add");
        assert_eq!(page["entries"][1]["action"], "inspection-results");
    });
    // kept in state.sqlite: a new store on the file reads the same log
    let reopened = jiance::store::Store::open(&server.data.join("state.sqlite")).unwrap();
    assert_eq!(reopened.audit(10, 0).unwrap().0, before + 6);
}

#[test]
fn cases_are_served_with_their_alerts_and_documents() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], true));
    let base = server.base.clone();
    // scored again here, so the alerts compared are the ones the cases were built with
    let alerts = rescore(&server.data);
    runtime().block_on(async {
        let (s, v) = call("GET", &format!("{base}/api/cases"), OPERATOR, None).await;
        assert_eq!(s, 200);
        let cases = v["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        // every alert with evidence points to a case holding it
        let mut pointed = BTreeSet::new();
        for c in cases {
            for a in c["alerts"].as_array().unwrap() {
                pointed.insert(a.as_str().unwrap().to_string());
            }
        }
        for a in alerts.iter().filter(|a| !a.evidence.is_empty()) {
            assert!(pointed.contains(&a.id), "alert {} in no case", a.id);
        }
        let id = cases[0]["id"].as_str().unwrap();
        let (s, one) = call("GET", &format!("{base}/api/cases/{id}"), OPERATOR, None).await;
        assert_eq!(s, 200, "{one}");
        let docs = one["documents"].as_array().unwrap();
        assert_eq!(
            docs.len(),
            one["case"]["timeline"]
                .as_array()
                .unwrap()
                .len()
                .min(docs.len())
        );
        assert!(docs.iter().all(|d| d["found"] == true), "{one}");
        assert_eq!(one["triage"]["state"], "new");
        let (s, v) = call(
            "POST",
            &format!("{base}/api/cases/{id}/triage"),
            OPERATOR,
            Some(json!({"to": "review"})),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["triage"]["by"], "operator");
        let (s, _) = call("GET", &format!("{base}/api/cases/nope"), OPERATOR, None).await;
        assert_eq!(s, 404);
        // the demo's recalled models still on sale show on the cases of their recalls
        let mut onsale = 0;
        for c in cases {
            let id = c["id"].as_str().unwrap();
            let (_, one) = call("GET", &format!("{base}/api/cases/{id}"), OPERATOR, None).await;
            onsale += one["onsale"].as_array().unwrap().len();
        }
        assert!(onsale > 0, "no case shows an on-sale finding");
    });
}

/// Issue 44: a document that raised no alert is no case of its own, but an analyst may attach it
/// to the case of its problem; it stays there when the cases are built again.
#[test]
fn an_analyst_attaches_a_document_raising_no_alert_to_a_case_and_it_stays() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], true));
    let store = server.store();
    assert!(
        store
            .add_user("王芳", "analyst", &token_digest(ANALYST))
            .unwrap()
    );
    assert!(
        store
            .add_user("赵强", "viewer", &token_digest(VIEWER))
            .unwrap()
    );
    let rows = store.documents(&store.document_ids().unwrap()).unwrap();
    let quiet = rows
        .iter()
        .find(|d| !d.is_signal)
        .expect("a document raising no signal");
    let base = server.base.clone();
    let case_id = runtime().block_on(async {
        let (s, v) = call("GET", &format!("{base}/api/cases"), OPERATOR, None).await;
        assert_eq!(s, 200);
        v["cases"][0]["id"].as_str().unwrap().to_string()
    });
    let url = format!("{base}/api/cases/{case_id}/documents");
    let body = json!({ "doc_id": quiet.id });
    let holds = |case: &Value| {
        case["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["doc_id"] == quiet.id.as_str() && e["attached"] == true)
    };
    runtime().block_on(async {
        let (s, _) = call("POST", &url, VIEWER, Some(body.clone())).await;
        assert_eq!(s, 403, "a viewer may not attach");
        let (s, v) = call("POST", &url, ANALYST, Some(json!({ "doc_id": "nope" }))).await;
        assert_eq!(s, 404, "{v}");
        let (s, v) = call("POST", &url, ANALYST, Some(body.clone())).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            (v["attached"].as_bool(), v["by"].as_str()),
            (Some(true), Some("王芳"))
        );
        let (s, v) = call("POST", &url, ANALYST, Some(body.clone())).await;
        assert_eq!((s, v["attached"].as_bool()), (200, Some(false)), "{v}");
        let (_, one) = call(
            "GET",
            &format!("{base}/api/cases/{case_id}"),
            OPERATOR,
            None,
        )
        .await;
        assert!(holds(&one["case"]), "{one}");
        // the attachment is a write: once in the audit log, with who made it
        let (s, log) = call("GET", &format!("{base}/api/audit"), OPERATOR, None).await;
        assert_eq!(s, 200, "{log}");
        let attaches: Vec<&Value> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "attach")
            .collect();
        assert_eq!(attaches.len(), 1, "{log}");
        assert_eq!(attaches[0]["user"], "王芳", "{log}");
        assert_eq!(
            attaches[0]["target"],
            format!("case:{case_id}").as_str(),
            "{log}"
        );
    });
    // built again by the next scoring run, the case still holds it
    rescore(&server.data);
    runtime().block_on(async {
        let (s, one) = call(
            "GET",
            &format!("{base}/api/cases/{case_id}"),
            OPERATOR,
            None,
        )
        .await;
        assert_eq!(s, 200, "{one}");
        assert!(holds(&one["case"]), "{one}");
    });
}

fn seeded(
    doc: &str,
    kind: LabelKind,
    value: &str,
    text: &str,
    snapshot_signal: bool,
    cat: &str,
) -> Label {
    Label {
        id: 0,
        doc_id: doc.into(),
        kind,
        value: value.into(),
        note: String::new(),
        by: "李明".into(),
        at: chrono::Utc::now(),
        snapshot: LabelSnapshot {
            text: text.into(),
            kind: "complaint".into(),
            url: format!("https://example.test/{doc}"),
            categories: vec![cat.into()],
            is_signal: snapshot_signal,
            ..Default::default()
        },
    }
}

#[test]
fn labels_round_trip_through_export_and_check_lists_the_seeded_disagreements() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], true));
    let store = server.store();
    assert!(
        store
            .add_user("王芳", "analyst", &token_digest(ANALYST))
            .unwrap()
    );
    // One label through the API on a demo document: it keeps who, and the text.
    let doc = store.alerts().unwrap()[0].evidence[0].clone();
    let base = server.base.clone();
    runtime().block_on(async {
        let url = format!("{base}/api/documents/{doc}/labels");
        let (s, v) = call(
            "POST",
            &url,
            ANALYST,
            Some(json!({"kind": "wrong-category"})),
        )
        .await;
        assert_eq!(s, 400, "wrong-category needs a value: {v}");
        let (s, v) = call(
            "POST",
            &url,
            ANALYST,
            Some(json!({"kind": "missed-signal", "note": "见正文"})),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["by"], "王芳");
        assert!(!v["snapshot"]["text"].as_str().unwrap().is_empty());
        let (s, v) = call("GET", &url, OPERATOR, None).await;
        assert_eq!((s, v["labels"].as_array().unwrap().len()), (200, 1));
    });
    // Four seeded labels on texts of our own: two the rules still get wrong, two they get right.
    let seeds = [
        seeded(
            "s1",
            LabelKind::WrongCategory,
            "取暖器",
            "消费者投诉：网购的一条电热毯使用第三晚开关处冒烟起火，烧坏床单，商家拒绝退换。",
            true,
            "电热毯",
        ),
        seeded(
            "s2",
            LabelKind::NotRelevant,
            "",
            "读者反映，家中充电宝充电时突然鼓包起火，险些引燃沙发。",
            true,
            "移动电源",
        ),
        seeded(
            "s3",
            LabelKind::NotRelevant,
            "",
            "双十一预售开启，电热毯第二件半价，下单即送收纳袋，欢迎选购。",
            true,
            "电热毯",
        ),
        seeded(
            "s4",
            LabelKind::WrongRegion,
            "浙江省",
            "浙江省杭州市一居民家中电动自行车在楼道充电时起火，消防部门提醒勿在室内充电。",
            true,
            "电动自行车",
        ),
    ];
    for s in seeds {
        store
            .add_label(
                &s.doc_id.clone(),
                |id| Label { id, ..s },
                &jiance::store::Actor::new("seed", "analyst"),
                "seed",
            )
            .unwrap();
    }
    let data = server.data.to_str().unwrap();
    let out = server.data.join("labels.jsonl");
    let o = crate::jiance(&[
        "labels",
        "export",
        "--data",
        data,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", crate::text(&o.stderr));
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let s1 = lines.iter().find(|l| l["id"] == "s1").unwrap();
    assert_eq!(s1["products"][0]["category"], "取暖器");
    assert_eq!(s1["labelled"], json!(["category"]));
    assert_eq!(s1["labelled_by"], json!(["李明"]));
    assert_eq!(
        lines.iter().find(|l| l["id"] == "s3").unwrap()["is_risk_signal"],
        false
    );
    // The replay: the seeded disagreements, and only those (the API's label on a demo document
    // says "missed signal" on a signal: the rules agree).
    let o = crate::jiance(&["check", "--labels", data]);
    assert_eq!(o.status.code(), Some(1), "{}", crate::text(&o.stderr));
    let listed: BTreeSet<(String, String)> = crate::text(&o.stdout)
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    let want: BTreeSet<(String, String)> = [("s1", "category"), ("s2", "signal")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(listed, want, "{}", crate::text(&o.stdout));
}
