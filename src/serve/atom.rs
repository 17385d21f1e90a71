//! `GET /feeds/alerts.atom`: the ranked alerts as an Atom 1.0 feed (RFC 4287) for any feed
//! reader. One entry per current alert; the entry id is derived from the alert id (stable from
//! run to run), `updated` is the alert's last recorded change (else its `updated` day, midnight
//! Beijing time), and each entry links to the dashboard's alert page.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

use super::{ApiError, AppState};
use crate::model::{Action, Alert, Scope};
use crate::store::{AlertChange, SourceHealth};

pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// XML text and attribute escaping (also drops characters XML 1.0 forbids).
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The base URL links point to: the request's Host when it looks like a host, else localhost.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn beijing_midnight(day: NaiveDate) -> DateTime<Utc> {
    let Some(tz) = FixedOffset::east_opt(8 * 3600) else {
        return DateTime::default();
    };
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn level_name(level: u8) -> &'static str {
    match level {
        4 => "严重",
        3 => "高",
        2 => "中",
        _ => "低",
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Sample => "组织抽样",
        Action::Notify => "通报属地",
        Action::Dismiss => "不予处置",
    }
}

/// The feed document: one entry per alert, then one `source-stale` entry per source whose last
/// successful crawl is older than its configured limit (the monitoring centre must know when a
/// channel has gone quiet because the crawler cannot reach it, not because nothing happened).
pub fn render(
    alerts: &[Alert],
    last_change: &HashMap<String, DateTime<Utc>>,
    stale: &[SourceHealth],
    base: &str,
) -> String {
    let updated_of = |a: &Alert| {
        last_change
            .get(&a.id)
            .copied()
            .unwrap_or_else(|| beijing_midnight(a.updated))
    };
    let feed_updated = alerts.iter().map(updated_of).max().unwrap_or_else(|| {
        beijing_midnight(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default())
    });
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!("<feed xmlns=\"{ATOM_NS}\" xml:lang=\"zh-CN\">\n"));
    x.push_str("  <id>urn:jiance:alerts</id>\n");
    x.push_str("  <title>jiance 产品质量安全风险预警 Product safety alerts</title>\n");
    x.push_str("  <subtitle>按风险排序的当前预警</subtitle>\n");
    x.push_str(&format!(
        "  <updated>{}</updated>\n",
        feed_updated.to_rfc3339()
    ));
    x.push_str("  <author><name>jiance</name></author>\n");
    x.push_str("  <generator>jiance</generator>\n");
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/feeds/alerts.atom"))
    ));
    x.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&format!("{base}/"))
    ));
    for a in alerts {
        let scope = match a.scope {
            Scope::Systemic => "系统性",
            Scope::Regional => "区域性",
        };
        let title = format!(
            "[{} {}] {} · {} · {}",
            a.level,
            level_name(a.level),
            a.category,
            if a.regions.is_empty() {
                "全国".to_string()
            } else {
                a.regions.join("、")
            },
            action_name(a.action)
        );
        let summary = format!(
            "{}\n{}风险，危害：{}；评分 {:.1}；证据 {} 篇；首次发现 {}。",
            a.summary,
            scope,
            a.hazards.join("、"),
            a.score,
            a.evidence.len(),
            a.first_seen
        );
        let link = format!("{base}/#/alert/{}", a.id);
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>urn:jiance:alert:{}</id>\n",
            xml_escape(&a.id)
        ));
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
        x.push_str(&format!(
            "    <updated>{}</updated>\n",
            updated_of(a).to_rfc3339()
        ));
        x.push_str(&format!(
            "    <published>{}</published>\n",
            beijing_midnight(a.first_seen).to_rfc3339()
        ));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&link)
        ));
        x.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            xml_escape(&a.category)
        ));
        x.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml_escape(&summary)
        ));
        x.push_str("  </entry>\n");
    }
    for h in stale {
        let since = h.last_success.unwrap_or(h.first_attempt);
        let title = format!(
            "[source-stale] 数据源 {} 自 {} 起未成功抓取",
            h.source,
            since.to_rfc3339()
        );
        let summary = format!(
            "数据源 {} 最近一次成功抓取：{}；允许间隔 {} 小时；最近一次尝试：{}。请检查站点结构、网络或访问限制（jiance status）。",
            h.source,
            h.last_success
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "从未".into()),
            h.stale_after_secs / 3600,
            h.last_attempt.to_rfc3339()
        );
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>urn:jiance:source-stale:{}</id>\n",
            xml_escape(&h.source)
        ));
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
        x.push_str(&format!(
            "    <updated>{}</updated>\n",
            h.last_attempt.to_rfc3339()
        ));
        x.push_str("    <category term=\"source-stale\"/>\n");
        x.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml_escape(&summary)
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// Sources whose last success is older than their limit, as of now.
pub(crate) fn stale_sources(
    store: &crate::store::Store,
) -> Result<Vec<SourceHealth>, crate::store::StoreError> {
    let now = Utc::now();
    Ok(store
        .source_health()?
        .into_iter()
        .filter(|h| h.is_stale(now))
        .collect())
}

/// The newest change time per alert.
fn last_changes(changes: Vec<AlertChange>) -> HashMap<String, DateTime<Utc>> {
    let mut out: HashMap<String, DateTime<Utc>> = HashMap::new();
    for c in changes {
        let e = out.entry(c.alert_id).or_insert(c.at);
        *e = (*e).max(c.at);
    }
    out
}

pub(super) async fn feed(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let store = st.store.clone();
    let (alerts, changes, stale) = tokio::task::spawn_blocking(move || {
        Ok::<_, crate::store::StoreError>((
            store.alerts()?,
            store.changes_since(0, usize::MAX)?,
            stale_sources(&store)?,
        ))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let body = render(&alerts, &last_changes(changes), &stale, &base_url(&headers));
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    ))
}

#[cfg(test)]
mod tests {

    #[test]
    fn stale_sources_become_source_stale_entries() {
        use crate::store::{SourcePassTally, Store};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let ok = SourcePassTally {
            success: true,
            fetched: 3,
            ..Default::default()
        };
        let failed = SourcePassTally {
            success: false,
            ..Default::default()
        };
        let long_ago = Utc::now() - chrono::Duration::days(10);
        // Last success ten days ago against a one-hour limit; the other source is fresh.
        store
            .record_source_pass("quiet-regulator", &ok, long_ago, 3600)
            .unwrap();
        store
            .record_source_pass("quiet-regulator", &failed, Utc::now(), 3600)
            .unwrap();
        store
            .record_source_pass("busy-board", &ok, Utc::now(), 3600)
            .unwrap();
        let stale = stale_sources(&store).unwrap();
        assert_eq!(
            stale.iter().map(|h| h.source.as_str()).collect::<Vec<_>>(),
            ["quiet-regulator"]
        );
        let x = render(&[], &HashMap::new(), &stale, "http://127.0.0.1:8080");
        assert_eq!(x.matches("<entry>").count(), 1);
        assert!(
            x.contains("<id>urn:jiance:source-stale:quiet-regulator</id>"),
            "{x}"
        );
        assert!(x.contains("<category term=\"source-stale\"/>"), "{x}");
    }

    use super::*;
    use crate::serve::api::tests::alert;

    #[test]
    fn entries_escape_text_and_keep_stable_ids() {
        let mut a = alert(
            "A1",
            "电动自行车",
            4,
            Action::Sample,
            Scope::Regional,
            &["浙江省"],
        );
        a.summary = "充电<起火> & \"冒烟\"\u{1}".into();
        let b = alert("B2", "玩具", 2, Action::Notify, Scope::Systemic, &[]);
        let at = Utc.with_ymd_and_hms(2026, 4, 3, 1, 2, 3).single().unwrap();
        let changes = HashMap::from([("A1".to_string(), at)]);
        let x = render(&[a, b], &changes, &[], "http://127.0.0.1:8080");
        assert!(x.contains("xmlns=\"http://www.w3.org/2005/Atom\""));
        assert_eq!(x.matches("<entry>").count(), 2);
        assert!(x.contains("<id>urn:jiance:alert:A1</id>"));
        assert!(x.contains("充电&lt;起火&gt; &amp; &quot;冒烟&quot;"), "{x}");
        assert!(!x.contains('\u{1}'));
        assert!(x.contains("<updated>2026-04-03T01:02:03+00:00</updated>"));
        // Without a recorded change: the alert's day at midnight Beijing time.
        assert!(
            x.contains("<updated>2026-04-01T16:00:00+00:00</updated>"),
            "{x}"
        );
        assert!(x.contains("href=\"http://127.0.0.1:8080/#/alert/B2\""));
        // The feed's updated is the newest entry's.
        assert!(x.contains("  <updated>2026-04-03T01:02:03+00:00</updated>\n  <author>"));
        assert!(x.contains("全国"));
    }

    #[test]
    fn base_url_rejects_odd_hosts() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(base_url(&h), "http://127.0.0.1:9000");
        h.insert(header::HOST, "evil\"><x".parse().unwrap());
        assert_eq!(base_url(&h), "http://localhost");
    }
}
