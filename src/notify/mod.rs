//! Watchlists and notifications: users' watch rules matched against what the pipeline produces,
//! and the messages that tell them — signed webhooks and e-mail, at once or as a daily digest.
//!
//! One pass ([`Notifier::pass`], every `[notify] interval` inside `jiance run`, and once after
//! `jiance run --once`) does three things, each crash-safe through the store's outbox
//! (`store/watch.rs`):
//! 1. **scan** — read the alert history (new and escalated alerts) and the documents table
//!    (signal documents) from the store's cursors, match every rule ([`matcher`]), and write the
//!    matches into the outbox together with the moved cursors, in one transaction;
//! 2. **digest** — after `[notify] digest_at` (Beijing time) turn each rule's held matches of
//!    earlier days into one digest message per channel;
//! 3. **deliver** — send what is due, record each attempt, retry with doubling back-off up to
//!    `max_attempts`, then give up as `failed` (`jiance status`, `/metrics`).
//!
//! Matching reads the store, never a stage's channels: the pipeline needs no hook, a separate
//! `jiance run` process sees the same tables, and a kill anywhere replays from the cursors. The
//! search query of a rule runs through the index ([`matcher::DocTexts`]), so it means what the
//! same words mean in the dashboard's search box (jieba tokens, AND by default, phrases, OR):
//! an analyst can try a rule's query there first.

pub mod deliver;
pub mod matcher;
pub mod rules;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use tracing::{info, warn};

use crate::config::{NotifySettings, parse_hhmm};
use crate::model::china_day;
use crate::store::{Mode, NewMessage, NotifySummary, OutboxRow, Store, StoreError, WatchRule};
pub use matcher::{DocTexts, Item, ItemKind};
pub use rules::{RuleError, RuleInput, build_rule, describe, redacted};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("bad stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("notification task: {0}")]
    Task(String),
}

/// Items read from a feed per transaction.
const BATCH: usize = 500;
/// Messages sent per pass (the rest wait for the next).
const SEND_PER_PASS: usize = 200;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PassReport {
    pub matched: usize,
    pub digests: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Matches rules and delivers messages over one data directory's store.
#[derive(Clone)]
pub struct Notifier {
    pub store: Store,
    pub texts: Option<Arc<dyn DocTexts>>,
    pub settings: NotifySettings,
    http: reqwest::Client,
}

impl Notifier {
    pub fn new(
        store: Store,
        texts: Option<Arc<dyn DocTexts>>,
        settings: NotifySettings,
    ) -> Notifier {
        let http = crate::util::tls::client_builder()
            .user_agent(concat!("jiance/", env!("CARGO_PKG_VERSION"), " (notify)"))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Notifier {
            store,
            texts,
            settings,
            http,
        }
    }

    /// Scan, build due digests and deliver, as of `now`.
    pub async fn pass(&self, now: DateTime<Utc>) -> Result<PassReport, NotifyError> {
        let me = self.clone();
        let (matched, digests) = tokio::task::spawn_blocking(move || {
            let matched = me.scan(now)?;
            let digests = me.build_digests(now)?;
            Ok::<_, NotifyError>((matched, digests))
        })
        .await
        .map_err(|e| NotifyError::Task(e.to_string()))??;
        let mut report = self.deliver(now).await?;
        report.matched = matched;
        report.digests = digests;
        if report != PassReport::default() {
            info!(?report, "notifications");
        }
        Ok(report)
    }

    /// Match new alert changes and documents against every rule; returns the messages queued.
    pub fn scan(&self, now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let rules = self.store.watch_rules()?;
        if rules.is_empty() {
            // nothing to match: skip what was stored meanwhile (a new rule starts after it anyway)
            let (seq, row) = self.store.notify_heads()?;
            self.store
                .enqueue_notifications(&[], &[("alerts", seq), ("documents", row)], now)?;
            return Ok(0);
        }
        let texts = self.texts.as_deref();
        let day = china_day(now);
        let mut queued = 0;
        loop {
            let after = self.store.notify_cursor("alerts")?;
            let events = self.store.alert_events_after(after, BATCH)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                break;
            };
            let mut messages = Vec::new();
            for ev in &events {
                let Some(alert) = &ev.alert else { continue };
                if ev.change != "new" && ev.change != "escalated" {
                    continue;
                }
                let watching: Vec<&WatchRule> = rules
                    .iter()
                    .filter(|r| r.from_alert_seq < ev.seq)
                    .map(|r| &r.rule)
                    .collect();
                if watching.is_empty() {
                    continue;
                }
                let mut extractions = Vec::new();
                for id in alert.evidence.iter().take(matcher::ALERT_DOCUMENTS) {
                    if let Some(ex) = self.store.extraction(id)? {
                        extractions.push(ex);
                    }
                }
                let item = matcher::alert_item(alert, &ev.change, &extractions);
                for rule in watching {
                    if matcher::matches(rule, &item, texts) {
                        let key = format!("alert:{}:{}:{}", item.id, ev.change, ev.seq);
                        messages.extend(self.messages(rule, &item, &key, day)?);
                    }
                }
            }
            queued += self
                .store
                .enqueue_notifications(&messages, &[("alerts", last)], now)?;
            if events.len() < BATCH {
                break;
            }
        }
        loop {
            let after = self.store.notify_cursor("documents")?;
            let events = self.store.document_events_after(after, BATCH)?;
            let Some(last) = events.last().map(|e| e.row) else {
                break;
            };
            let mut messages = Vec::new();
            for ev in &events {
                let Some(ex) = &ev.extraction else { continue };
                if !ev.doc.is_signal {
                    continue;
                }
                let item = matcher::document_item(&ev.doc, ex);
                for r in rules.iter().filter(|r| r.from_doc_row < ev.row) {
                    if matcher::matches(&r.rule, &item, texts) {
                        let key = format!("document:{}", item.id);
                        messages.extend(self.messages(&r.rule, &item, &key, day)?);
                    }
                }
            }
            queued += self
                .store
                .enqueue_notifications(&messages, &[("documents", last)], now)?;
            if events.len() < BATCH {
                break;
            }
        }
        Ok(queued)
    }

    /// One message per channel of the rule for a matched item (held for the digest in digest
    /// mode).
    fn messages(
        &self,
        rule: &WatchRule,
        item: &Item,
        item_key: &str,
        day: NaiveDate,
    ) -> Result<Vec<NewMessage>, NotifyError> {
        let mut item = item.clone();
        if item.kind == ItemKind::Alert {
            item.url = self.alert_link(&item.id);
        }
        let state = match rule.mode {
            Mode::Immediate => "pending",
            Mode::Digest => "held",
        };
        let mut out = Vec::new();
        for (channel, target) in targets(rule) {
            let key = format!("{}:{channel}:{item_key}", rule.id);
            let payload = json!({
                "id": key,
                "type": "match",
                "rule": rule_json(rule),
                "day": day,
                "items": [item],
            });
            out.push(NewMessage {
                key,
                rule_id: rule.id.clone(),
                channel: channel.into(),
                target,
                state,
                day,
                payload: serde_json::to_string(&payload)?,
            });
        }
        Ok(out)
    }

    fn alert_link(&self, id: &str) -> Option<String> {
        self.settings
            .dashboard_url
            .as_deref()
            .map(|base| format!("{}/#/alert/{id}", base.trim_end_matches('/')))
    }

    /// Turn held matches of finished days into digests: from `digest_at` on a day, every day
    /// before it is finished. Returns the digests made.
    pub fn build_digests(&self, now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let today = china_day(now);
        let beijing = now + chrono::Duration::hours(8);
        let minute = chrono::Timelike::hour(&beijing) * 60 + chrono::Timelike::minute(&beijing);
        let at = parse_hhmm(&self.settings.digest_at).unwrap_or(8 * 60);
        let before = if minute >= at {
            today
        } else {
            today - chrono::Duration::days(1)
        };
        let held = self.store.held_before(before)?;
        let mut groups: BTreeMap<(String, String, String), Vec<OutboxRow>> = BTreeMap::new();
        for row in held {
            groups
                .entry((row.rule_id.clone(), row.channel.clone(), row.day.clone()))
                .or_default()
                .push(row);
        }
        let rules: BTreeMap<String, WatchRule> = self
            .store
            .watch_rules()?
            .into_iter()
            .map(|r| (r.rule.id.clone(), r.rule))
            .collect();
        let mut made = 0;
        for ((rule_id, channel, day), rows) in groups {
            let mut items = Vec::new();
            let mut rule_value = serde_json::Value::Null;
            for r in &rows {
                let v: serde_json::Value = serde_json::from_str(&r.payload)?;
                if rule_value.is_null() {
                    rule_value = v["rule"].clone();
                }
                if let Some(list) = v["items"].as_array() {
                    items.extend(list.iter().cloned());
                }
            }
            if let Some(rule) = rules.get(&rule_id) {
                rule_value = rule_json(rule);
            }
            let key = format!("{rule_id}:{channel}:digest:{day}");
            let payload = json!({
                "id": key,
                "type": "digest",
                "rule": rule_value,
                "day": day,
                "items": items,
            });
            let Ok(day) = day.parse::<NaiveDate>() else {
                warn!(%key, "held notification with a bad day; left held");
                continue;
            };
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            self.store.make_digest(
                &NewMessage {
                    key,
                    rule_id,
                    channel,
                    target: rows[0].target.clone(),
                    state: "pending",
                    day,
                    payload: serde_json::to_string(&payload)?,
                },
                &ids,
                now,
            )?;
            made += 1;
        }
        Ok(made)
    }

    /// Send what is due at `now` and record each outcome.
    pub async fn deliver(&self, now: DateTime<Utc>) -> Result<PassReport, NotifyError> {
        let store = self.store.clone();
        let due = tokio::task::spawn_blocking(move || store.due_notifications(now, SEND_PER_PASS))
            .await
            .map_err(|e| NotifyError::Task(e.to_string()))??;
        let mut report = PassReport::default();
        if due.is_empty() {
            return Ok(report);
        }
        let needs_mail = due.iter().any(|r| r.channel == "email");
        let mailer = match (&self.settings.smtp, needs_mail) {
            (Some(smtp), true) => Some(deliver::mailer(smtp, self.settings.timeout)),
            _ => None,
        };
        for row in due {
            let outcome = self.send(&row, mailer.as_ref()).await;
            let store = self.store.clone();
            let settings = self.settings.clone();
            let id = row.id;
            let attempts = row.attempts + 1;
            let recorded = match &outcome {
                Ok(()) => {
                    report.sent += 1;
                    tokio::task::spawn_blocking(move || {
                        store.record_attempt(id, true, "ok", "", None)
                    })
                }
                Err(f) => {
                    let retry_at = if f.retry {
                        deliver::next_attempt(&settings, attempts, Utc::now())
                    } else {
                        None
                    };
                    if retry_at.is_some() {
                        report.retried += 1;
                    } else {
                        report.failed += 1;
                    }
                    warn!(key = %row.key, channel = %row.channel, reason = %f.reason,
                          detail = %f.detail, attempt = attempts, gave_up = retry_at.is_none(),
                          "notification not delivered");
                    let f = f.clone();
                    tokio::task::spawn_blocking(move || {
                        store.record_attempt(id, false, &f.reason, &f.detail, retry_at)
                    })
                }
            };
            recorded
                .await
                .map_err(|e| NotifyError::Task(e.to_string()))??;
        }
        Ok(report)
    }

    async fn send(
        &self,
        row: &OutboxRow,
        mailer: Option<&Result<AsyncMailer, deliver::Failure>>,
    ) -> Result<(), deliver::Failure> {
        let target: serde_json::Value = serde_json::from_str(&row.target).unwrap_or_default();
        let payload: serde_json::Value = serde_json::from_str(&row.payload).unwrap_or_default();
        let event = payload["type"].as_str().unwrap_or("match");
        match row.channel.as_str() {
            "webhook" => {
                let (Some(url), Some(secret)) = (target["url"].as_str(), target["secret"].as_str())
                else {
                    return Err(bad_target(row));
                };
                deliver::webhook(
                    &self.http,
                    url,
                    secret,
                    &row.key,
                    event,
                    &row.payload,
                    self.settings.timeout,
                )
                .await
            }
            "email" => {
                let Some(to) = target["to"].as_str() else {
                    return Err(bad_target(row));
                };
                let (Some(smtp), Some(mailer)) = (&self.settings.smtp, mailer) else {
                    return Err(deliver::Failure {
                        reason: "smtp-not-configured".into(),
                        detail: "the config has no [notify.smtp]".into(),
                        retry: true,
                    });
                };
                let mailer = mailer.as_ref().map_err(Clone::clone)?;
                let (subject, body) = email_text(&payload);
                deliver::email(mailer, smtp, to, &row.key, &subject, body).await
            }
            _ => Err(bad_target(row)),
        }
    }

    /// `pass` every `[notify] interval` until `stop` turns true; a failed pass is logged and the
    /// next one tries again.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.settings.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.pass(Utc::now()).await {
                        warn!(error = %e, "notification pass failed");
                    }
                }
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    }
}

type AsyncMailer = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

fn bad_target(row: &OutboxRow) -> deliver::Failure {
    deliver::Failure {
        reason: "bad-target".into(),
        detail: format!("{}: unreadable {} target", row.key, row.channel),
        retry: false,
    }
}

fn rule_json(rule: &WatchRule) -> serde_json::Value {
    json!({ "id": rule.id, "owner": rule.owner, "name": rule.name, "watches": describe(rule) })
}

/// Channels and their targets (JSON) of a rule.
fn targets(rule: &WatchRule) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(w) = &rule.webhook {
        out.push((
            "webhook",
            json!({ "url": w.url, "secret": w.secret }).to_string(),
        ));
    }
    if let Some(e) = &rule.email {
        out.push(("email", json!({ "to": e }).to_string()));
    }
    out
}

/// Subject and plain-text body of an e-mail for a message's JSON.
pub fn email_text(payload: &serde_json::Value) -> (String, String) {
    let rule = &payload["rule"];
    let label = rule["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .or(rule["watches"].as_str())
        .unwrap_or("")
        .to_string();
    let items = payload["items"].as_array().cloned().unwrap_or_default();
    let day = payload["day"].as_str().unwrap_or("");
    let line = |it: &serde_json::Value| {
        let kind = match it["kind"].as_str() {
            Some("alert") => ItemKind::Alert.label(),
            Some("document") => ItemKind::Document.label(),
            Some(other) => other,
            None => "",
        };
        let level = it["level"]
            .as_u64()
            .map(|l| format!(" {l}级"))
            .unwrap_or_default();
        let mut s = format!(
            "[{kind}{level}] {}",
            it["title"].as_str().unwrap_or("(无标题)")
        );
        let cats: Vec<&str> = it["categories"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let provs: Vec<&str> = it["provinces"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if !cats.is_empty() || !provs.is_empty() {
            let _ = write!(s, "\n    {} · {}", cats.join("、"), provs.join("、"));
        }
        if let Some(u) = it["url"].as_str() {
            let _ = write!(s, "\n    {u}");
        }
        s
    };
    let (subject, head) = if payload["type"] == "digest" {
        (
            format!("【监测日报】{label} {day}：{} 条", items.len()),
            format!("关注规则「{label}」在 {day} 匹配到 {} 条：", items.len()),
        )
    } else {
        let first = items
            .first()
            .and_then(|i| i["title"].as_str())
            .unwrap_or("");
        (
            format!("【监测】{label}：{first}"),
            format!("关注规则「{label}」匹配到："),
        )
    };
    let mut body = head;
    body.push_str("\n\n");
    for it in &items {
        body.push_str(&line(it));
        body.push('\n');
    }
    let _ = write!(
        body,
        "\n规则 {}（{}）· 消息 {}\n",
        rule["id"].as_str().unwrap_or(""),
        rule["owner"].as_str().unwrap_or(""),
        payload["id"].as_str().unwrap_or("")
    );
    (subject, body)
}

/// The notification part of `/metrics`, from the store (so it survives restarts and is the
/// same whichever process serves it).
pub fn metrics_text(s: &NotifySummary) -> String {
    let label = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::new();
    out.push_str("# HELP jiance_watch_rules Watch rules kept.\n# TYPE jiance_watch_rules gauge\n");
    let _ = writeln!(out, "jiance_watch_rules {}", s.rules);
    out.push_str(
        "# HELP jiance_notify_messages Notification messages by channel and state (held, pending, sent, failed, digested, cancelled).\n# TYPE jiance_notify_messages gauge\n",
    );
    for (channel, state, n) in &s.by_state {
        let _ = writeln!(
            out,
            "jiance_notify_messages{{channel=\"{}\",state=\"{}\"}} {n}",
            label(channel),
            label(state)
        );
    }
    out.push_str(
        "# HELP jiance_notify_failures_total Failed delivery attempts by channel and reason.\n# TYPE jiance_notify_failures_total counter\n",
    );
    for (channel, reason, n) in &s.failed_attempts {
        let _ = writeln!(
            out,
            "jiance_notify_failures_total{{channel=\"{}\",reason=\"{}\"}} {n}",
            label(channel),
            label(reason)
        );
    }
    out
}

/// The notification part of `jiance status`.
pub fn status_text(s: &NotifySummary) -> String {
    let mut out = format!("\nnotifications: {} watch rule(s)", s.rules);
    if s.by_state.is_empty() {
        out.push_str(", no messages yet\n");
        return out;
    }
    out.push('\n');
    for (channel, state, n) in &s.by_state {
        let _ = writeln!(out, "  {channel:<8} {state:<10} {n:>6}");
    }
    for (channel, reason, n) in &s.failed_attempts {
        let _ = writeln!(out, "  failed attempts: {n} {channel} ({reason})");
    }
    for r in &s.failed {
        let _ = writeln!(
            out,
            "  FAILED {} {} after {} attempt(s): {}",
            r.channel,
            r.key,
            r.attempts,
            r.last_error.as_deref().unwrap_or("?")
        );
    }
    out
}
