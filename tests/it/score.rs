//! `jiance score --signals FILE` (JSON Lines and Parquet partitions, `--daily`) and
//! `jiance inspect-result` from the binary.

use std::fmt::Write as _;

use crate::{jiance, text};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
}

const PROVINCES: [&str; 6] = ["浙江省", "江苏省", "广东省", "山东省", "河南省", "四川省"];
const SOURCES: [(&str, &str); 5] = [
    ("12315平台", "complaint"),
    ("黑猫投诉", "complaint"),
    ("澎湃新闻", "media"),
    ("电商评价", "platform"),
    ("地方晚报", "media"),
];

/// 90 days of e-bike fire reports at about 0.6 a day per province, then 3 more a day in Zhejiang
/// over the last 6 days; line 5 is broken.
fn jsonl() -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut out = String::new();
    let mut n = 0;
    for d in 0..90 {
        for p in PROVINCES {
            let extra = if p == "浙江省" && d >= 84 { 3 } else { 0 };
            let base = (0..3).filter(|_| rng.random_bool(0.2)).count();
            for _ in 0..base + extra {
                n += 1;
                let (source, kind) = SOURCES[rng.random_range(0..SOURCES.len())];
                writeln!(
                    out,
                    r#"{{"time":"{}T0{}:30:00+08:00","category":"电动自行车","hazard":"火灾","severity":4,"province":"{p}","city":null,"source":"{source}","source_kind":"{kind}","doc":"d{n}"}}"#,
                    day(d),
                    rng.random_range(1..10)
                )
                .unwrap();
                if n == 4 {
                    out.push_str(r#"{"time":"2026-01-02","category":"电动自行车","hazard":"火灾","severity":9,"province":"浙江省","source":"x","source_kind":"complaint"}"#);
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[test]
fn score_prints_the_alerts_at_the_end_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signals.jsonl");
    std::fs::write(&file, jsonl()).unwrap();
    let out = jiance(&["score", "--signals", file.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("signals.jsonl:5") && stderr.contains("severity"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["as_of"], "2026-03-31");
    let alerts = v["alerts"].as_array().unwrap();
    let zj = alerts
        .iter()
        .find(|a| a["regions"][0] == "浙江省")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(zj["scope"], "regional");
    assert!(zj["breakdown"].as_array().unwrap().len() > 10);
    assert!(alerts.iter().all(|a| a["regions"][0] != "四川省"));

    // Earlier, before the outbreak: nothing for Zhejiang.
    let out = jiance(&[
        "score",
        "--signals",
        file.to_str().unwrap(),
        "--json",
        "--as-of",
        "2026-03-20",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["regions"][0] != "浙江省")
    );
}

#[test]
fn score_daily_prints_each_change_with_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signals.jsonl");
    std::fs::write(&file, jsonl()).unwrap();
    let out = jiance(&[
        "score",
        "--signals",
        file.to_str().unwrap(),
        "--daily",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let changes: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let new = changes
        .iter()
        .find(|c| c["change"] == "new" && c["regions"][0] == "浙江省")
        .unwrap_or_else(|| panic!("{changes:#?}"));
    for key in [
        "day", "alert_id", "change", "category", "scope", "regions", "level", "action", "score",
    ] {
        assert!(new.get(key).is_some(), "{key} missing: {new}");
    }
    let d = NaiveDate::parse_from_str(new["day"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!(d >= day(84) && d <= day(86), "{d}");
}

/// Regression: one signal with a placeholder date (1900-01-01) made `--daily` replay some
/// 46,000 days. It is refused with a message naming the span and `--from`; with `--from` the
/// replay finds the same outbreak.
#[test]
fn score_daily_refuses_a_century_span_and_takes_from() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signals.jsonl");
    let mut body = jsonl();
    body.push_str(r#"{"time":"1900-01-01","category":"电动自行车","hazard":"火灾","severity":4,"province":"浙江省","source":"x","source_kind":"complaint","doc":"placeholder"}"#);
    body.push('\n');
    std::fs::write(&file, body).unwrap();
    let path = file.to_str().unwrap();
    let out = jiance(&["score", "--signals", path, "--daily", "--json"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("1900-01-01") && err.contains("--from"),
        "{err}"
    );
    let from = day(40).to_string();
    let out = jiance(&[
        "score",
        "--signals",
        path,
        "--daily",
        "--json",
        "--from",
        &from,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let changes: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "new" && c["regions"][0] == "浙江省"),
        "{changes:#?}"
    );
    assert!(
        changes
            .iter()
            .all(|c| c["day"].as_str().unwrap() >= from.as_str())
    );
}

#[test]
fn score_reads_parquet_partitions() {
    use jiance::model::{Channel, DocKind, Parties, Signal};
    let dir = tempfile::tempdir().unwrap();
    let signals: Vec<Signal> = (0..20)
        .map(|k| Signal {
            doc_id: format!("p{k}"),
            time: chrono::DateTime::parse_from_rfc3339(&format!(
                "{}T10:00:00+08:00",
                day(40 + k % 5)
            ))
            .unwrap()
            .to_utc(),
            category: "移动电源".into(),
            hazard: "爆炸".into(),
            severity: 4,
            province: Some("广东省".into()),
            city: None,
            source: ["12315平台", "澎湃新闻", "黑猫投诉"][k as usize % 3].into(),
            channel: [Channel::Complaint, Channel::Media, Channel::Complaint][k as usize % 3],
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: String::new(),
            parties: Parties::default(),
            product: None,
        })
        .collect();
    jiance::store::signals::write_partitions(dir.path(), &signals).unwrap();
    let out = jiance(&["score", "--signals", dir.path().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["as_of"], day(44).to_string());
    assert!(
        v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["category"] == "移动电源" && a["regions"][0] == "广东省"),
        "{v:#}"
    );
}

#[test]
fn inspect_result_records_a_batch_of_a_sampled_alert() {
    use jiance::model::{Action, Alert, AlertStatus, SamplingRequest, Scope, alert_id};
    let dir = tempfile::tempdir().unwrap();
    let store = jiance::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
    let id = alert_id("电动自行车", Scope::Regional, "浙江省");
    let alert = Alert {
        id: id.clone(),
        category: "电动自行车".into(),
        hazards: vec!["火灾".into()],
        scope: Scope::Regional,
        regions: vec!["浙江省".into()],
        level: 4,
        action: Action::Sample,
        score: 16.0,
        breakdown: vec![],
        evidence: vec![],
        first_seen: day(80),
        updated: day(80),
        status: AlertStatus::New,
        summary: "浙江省电动自行车火灾".into(),
        reasons: Vec::new(),
        daily: Vec::new(),
        jurisdictions: Vec::new(),
    };
    let req = SamplingRequest {
        alert_id: id.clone(),
        category: "电动自行车".into(),
        test_items: vec!["阻燃性能".into()],
        regions: vec!["浙江省".into()],
        platforms: vec![],
        shops: vec!["速达车行".into()],
        brands: vec![],
        enterprises: vec![],
        batches: 10,
        deadline: day(95),
        purchases: vec![],
        items: vec![],
        reason: String::new(),
    };
    store.put_alerts(&[alert], &[req]).unwrap();
    drop(store);
    let data = dir.path().to_str().unwrap();
    let out = jiance(&[
        "inspect-result",
        "--data",
        data,
        &id,
        "--batch",
        "ZJ-01",
        "--result",
        "fail",
        "--party",
        "速达车行",
        "--item",
        "阻燃性能",
        "--on",
        "2026-03-25",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["recorded"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1))
    );
    let store = jiance::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
    let rows = store.inspection_results(&id).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].passed && rows[0].batch == "ZJ-01");

    // Bad input: a clear message, nothing recorded.
    let out = jiance(&[
        "inspect-result",
        "--data",
        data,
        &id,
        "--batch",
        "x",
        "--result",
        "maybe",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--result"),
        "{}",
        text(&out.stderr)
    );
    let out = jiance(&[
        "inspect-result",
        "--data",
        data,
        "nope",
        "--batch",
        "x",
        "--result",
        "pass",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no alert"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(store.inspection_results(&id).unwrap().len(), 1);
}
