//! `/metrics` in the Prometheus text exposition format (version 0.0.4): per-stage counters,
//! documents, alerts by level and action.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;
use crate::model::{Action, Alert};
use crate::pipeline::Counters;

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

pub(super) async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    let store = st.store.clone();
    let (documents, alerts) = tokio::task::spawn_blocking(move || {
        let docs = store
            .document_count()
            .map_err(|e| tracing::warn!(error = %e, "metrics: document count"))
            .ok();
        let alerts = store
            .alerts()
            .map_err(|e| tracing::warn!(error = %e, "metrics: alerts"))
            .ok();
        (docs, alerts)
    })
    .await
    .unwrap_or((None, None));
    let index_docs = st.index.as_ref().map(|i| i.num_docs());
    let body = metrics_text(&st.counters, documents, index_docs, alerts.as_deref());
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
}
