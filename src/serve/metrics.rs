//! `/metrics` in the Prometheus text exposition format (version 0.0.4): per-stage counters,
//! documents, alerts by level and action.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;
use crate::model::{Action, Alert};
use crate::store::SourceHealth;
use crate::telemetry::Counters;

/// Escapes a label value (backslash, double quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The metrics text. `documents` (store), `index_documents` and `alerts` are left out when unknown
/// (no index open, store unreadable) rather than reported as zero.
pub fn metrics_text(
    counters: &Counters,
    documents: Option<u64>,
    index_documents: Option<u64>,
    alerts: Option<&[Alert]>,
) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "jiance_queue_depth",
        "gauge",
        "Items waiting in a bounded queue between stages (fetched: crawl→work pool, worked: work pool→sink).",
    );
    for (name, q) in crate::telemetry::QUEUES.iter().zip(&counters.queues) {
        let _ = writeln!(
            out,
            "jiance_queue_depth{{queue=\"{name}\"}} {}",
            q.depth.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    family(
        &mut out,
        "jiance_queue_capacity",
        "gauge",
        "Capacity of a bounded queue between stages.",
    );
    for (name, q) in crate::telemetry::QUEUES.iter().zip(&counters.queues) {
        let _ = writeln!(
            out,
            "jiance_queue_capacity{{queue=\"{name}\"}} {}",
            q.capacity.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    let stages = counters.stages();
    family(
        &mut out,
        "jiance_stage_received_total",
        "counter",
        "Items a pipeline stage received.",
    );
    for (stage, c) in &stages {
        let _ = writeln!(
            out,
            "jiance_stage_received_total{{stage=\"{stage}\"}} {}",
            c.get_received()
        );
    }
    family(
        &mut out,
        "jiance_stage_emitted_total",
        "counter",
        "Items a pipeline stage passed on.",
    );
    for (stage, c) in &stages {
        let _ = writeln!(
            out,
            "jiance_stage_emitted_total{{stage=\"{stage}\"}} {}",
            c.get_emitted()
        );
    }
    family(
        &mut out,
        "jiance_stage_rejected_total",
        "counter",
        "Items a pipeline stage rejected, by reason.",
    );
    for (stage, c) in &stages {
        for (reason, n) in c.rejected() {
            let _ = writeln!(
                out,
                "jiance_stage_rejected_total{{stage=\"{stage}\",reason=\"{}\"}} {n}",
                label(&reason)
            );
        }
    }
    family(
        &mut out,
        "jiance_stage_repaired_total",
        "counter",
        "Items a pipeline stage read only after a repair (a feed's bare & or undeclared entity), by reason.",
    );
    for (stage, c) in &stages {
        for (reason, n) in c.repaired() {
            let _ = writeln!(
                out,
                "jiance_stage_repaired_total{{stage=\"{stage}\",reason=\"{}\"}} {n}",
                label(&reason)
            );
        }
    }
    family(
        &mut out,
        "jiance_stage_bytes_total",
        "counter",
        "Bytes a pipeline stage handled.",
    );
    for (stage, c) in &stages {
        let _ = writeln!(
            out,
            "jiance_stage_bytes_total{{stage=\"{stage}\"}} {}",
            c.bytes.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    if let Some(n) = documents {
        family(
            &mut out,
            "jiance_documents",
            "gauge",
            "Documents in the state database.",
        );
        let _ = writeln!(out, "jiance_documents {n}");
    }
    if let Some(n) = index_documents {
        family(
            &mut out,
            "jiance_index_documents",
            "gauge",
            "Documents in the search index.",
        );
        let _ = writeln!(out, "jiance_index_documents {n}");
    }
    if let Some(alerts) = alerts {
        family(
            &mut out,
            "jiance_alerts",
            "gauge",
            "Current alerts by risk level.",
        );
        for level in 1..=4u8 {
            let n = alerts.iter().filter(|a| a.level == level).count();
            let _ = writeln!(out, "jiance_alerts{{level=\"{level}\"}} {n}");
        }
        family(
            &mut out,
            "jiance_alerts_by_action",
            "gauge",
            "Current alerts by recommended action.",
        );
        for action in [Action::Dismiss, Action::Notify, Action::Sample] {
            let n = alerts.iter().filter(|a| a.action == action).count();
            let _ = writeln!(
                out,
                "jiance_alerts_by_action{{action=\"{}\"}} {n}",
                action.as_str()
            );
        }
    }
    out
}

/// Per-source crawl counters and freshness from the store's health records (cumulative since
/// the data directory was created, so they survive restarts).
pub fn source_metrics_text(health: &[SourceHealth], now: crate::model::Timestamp) -> String {
    let mut out = String::new();
    type Family = (&'static str, &'static str, fn(&SourceHealth) -> u64);
    let fams: [Family; 5] = [
        (
            "jiance_source_fetched_total",
            "Pages a source answered (not 304).",
            |h| h.fetched,
        ),
        (
            "jiance_source_not_modified_total",
            "Conditional GETs answered 304.",
            |h| h.not_modified,
        ),
        (
            "jiance_source_bytes_total",
            "Body bytes received from a source.",
            |h| h.bytes,
        ),
        (
            "jiance_source_parked_total",
            "Pages parked after all retries failed.",
            |h| h.parked_total,
        ),
        (
            "jiance_source_parked",
            "Pages parked now, waiting for a later pass.",
            |h| h.parked_now,
        ),
    ];
    for (name, help, get) in fams {
        let kind = if name.ends_with("_total") {
            "counter"
        } else {
            "gauge"
        };
        family(&mut out, name, kind, help);
        for h in health {
            let _ = writeln!(out, "{name}{{source=\"{}\"}} {}", label(&h.source), get(h));
        }
    }
    family(
        &mut out,
        "jiance_source_failed_total",
        "counter",
        "Failed fetches of a source, by reason.",
    );
    for h in health {
        for (reason, n) in &h.failed {
            let _ = writeln!(
                out,
                "jiance_source_failed_total{{source=\"{}\",reason=\"{}\"}} {n}",
                label(&h.source),
                label(reason)
            );
        }
    }
    family(
        &mut out,
        "jiance_source_last_success_timestamp_seconds",
        "gauge",
        "Unix time of a source's last successful pass (absent: never).",
    );
    for h in health {
        if let Some(t) = h.last_success {
            let _ = writeln!(
                out,
                "jiance_source_last_success_timestamp_seconds{{source=\"{}\"}} {}",
                label(&h.source),
                t.timestamp()
            );
        }
    }
    family(
        &mut out,
        "jiance_source_stale",
        "gauge",
        "1 when a source's last success is older than stale_after schedules (source-stale).",
    );
    for h in health {
        let _ = writeln!(
            out,
            "jiance_source_stale{{source=\"{}\"}} {}",
            label(&h.source),
            u8::from(h.is_stale(now))
        );
    }
    out
}

pub(super) async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    let store = st.store.clone();
    let (documents, alerts, health, notify) = tokio::task::spawn_blocking(move || {
        let docs = store
            .document_count()
            .map_err(|e| tracing::warn!(error = %e, "metrics: document count"))
            .ok();
        let alerts = store
            .alerts()
            .map_err(|e| tracing::warn!(error = %e, "metrics: alerts"))
            .ok();
        let health = store
            .source_health()
            .map_err(|e| tracing::warn!(error = %e, "metrics: source health"))
            .ok();
        let notify = store
            .notify_summary()
            .map_err(|e| tracing::warn!(error = %e, "metrics: notifications"))
            .ok();
        (docs, alerts, health, notify)
    })
    .await
    .unwrap_or((None, None, None, None));
    let index_docs = st.index.as_ref().map(|i| i.num_docs());
    let mut body = metrics_text(&st.counters, documents, index_docs, alerts.as_deref());
    if let Some(h) = health {
        body.push_str(&source_metrics_text(&h, chrono::Utc::now()));
    }
    if let Some(n) = notify {
        body.push_str(&crate::notify::metrics_text(&n));
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;
    use crate::serve::api::tests::alert;

    #[test]
    fn prometheus_text_has_every_stage_reason_and_level() {
        let c = Counters::default();
        c.crawl.received();
        c.crawl.received();
        c.crawl.emitted(1);
        c.crawl.reject("http-500");
        c.parse.reject("bad \"selector\"");
        c.index.bytes(4096);
        c.queues[1].set(17, 256);
        let alerts = vec![
            alert(
                "A",
                "电动自行车",
                4,
                Action::Sample,
                Scope::Regional,
                &["浙江省"],
            ),
            alert("B", "玩具", 4, Action::Notify, Scope::Regional, &["浙江省"]),
            alert(
                "C",
                "电热毯",
                1,
                Action::Dismiss,
                Scope::Regional,
                &["浙江省"],
            ),
        ];
        let text = metrics_text(&c, Some(12), Some(11), Some(&alerts));
        let has = |line: &str| text.lines().any(|l| l == line);
        assert!(
            has("jiance_stage_received_total{stage=\"crawl\"} 2"),
            "{text}"
        );
        assert!(has("jiance_stage_emitted_total{stage=\"crawl\"} 1"));
        assert!(has("jiance_stage_received_total{stage=\"score\"} 0"));
        assert!(has(
            "jiance_stage_rejected_total{stage=\"crawl\",reason=\"http-500\"} 1"
        ));
        assert!(
            has("jiance_stage_rejected_total{stage=\"parse\",reason=\"bad \\\"selector\\\"\"} 1"),
            "{text}"
        );
        assert!(has("jiance_stage_bytes_total{stage=\"index\"} 4096"));
        assert!(has("jiance_queue_depth{queue=\"worked\"} 17"), "{text}");
        assert!(has("jiance_queue_capacity{queue=\"worked\"} 256"));
        assert!(has("jiance_queue_depth{queue=\"fetched\"} 0"));
        assert!(has("jiance_documents 12"));
        assert!(has("jiance_index_documents 11"));
        assert!(has("jiance_alerts{level=\"4\"} 2"));
        assert!(has("jiance_alerts{level=\"2\"} 0"));
        assert!(has("jiance_alerts_by_action{action=\"notify\"} 1"));
        // Every sample line belongs to a family declared with # TYPE before it.
        let mut declared = std::collections::HashSet::new();
        for l in text.lines() {
            if let Some(rest) = l.strip_prefix("# TYPE ") {
                declared.insert(rest.split(' ').next().unwrap().to_string());
            } else if !l.starts_with('#') {
                let name = l.split(['{', ' ']).next().unwrap();
                assert!(declared.contains(name), "undeclared {name}");
                let value = l.rsplit(' ').next().unwrap();
                assert!(value.parse::<f64>().is_ok(), "bad value in {l}");
            }
        }
        // Unknown numbers are left out, not faked as zero.
        let text = metrics_text(&c, None, None, None);
        assert!(!text.contains("jiance_documents"));
        assert!(!text.contains("jiance_alerts"));
    }

    #[test]
    fn per_source_counters_and_staleness() {
        use std::collections::BTreeMap;
        let now = chrono::Utc::now();
        let h = |name: &str, success_hours_ago: Option<i64>| SourceHealth {
            source: name.into(),
            first_attempt: now - chrono::Duration::days(10),
            last_attempt: now,
            last_success: success_hours_ago.map(|h| now - chrono::Duration::hours(h)),
            stale_after_secs: 3 * 3600,
            fetched: 120,
            not_modified: 7,
            bytes: 1_048_576,
            parked_total: 3,
            parked_now: 1,
            failed: BTreeMap::from([("http-500".to_string(), 4), ("timeout".to_string(), 2)]),
        };
        let text = source_metrics_text(
            &[h("gov", Some(1)), h("forum\"x", Some(5)), h("new", None)],
            now,
        );
        let has = |line: &str| text.lines().any(|l| l == line);
        assert!(
            has("jiance_source_fetched_total{source=\"gov\"} 120"),
            "{text}"
        );
        assert!(has("jiance_source_not_modified_total{source=\"gov\"} 7"));
        assert!(has("jiance_source_bytes_total{source=\"gov\"} 1048576"));
        assert!(has("jiance_source_parked{source=\"gov\"} 1"));
        assert!(has("jiance_source_parked_total{source=\"gov\"} 3"));
        assert!(has(
            "jiance_source_failed_total{source=\"gov\",reason=\"timeout\"} 2"
        ));
        assert!(has("jiance_source_stale{source=\"gov\"} 0"));
        assert!(has("jiance_source_stale{source=\"forum\\\"x\"} 1"));
        assert!(has("jiance_source_stale{source=\"new\"} 1"));
        assert_eq!(
            text.matches("jiance_source_last_success_timestamp_seconds{")
                .count(),
            2
        );
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(l.rsplit(' ').next().unwrap().parse::<f64>().is_ok(), "{l}");
        }
    }
}
