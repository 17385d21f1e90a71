//! `GET /api/alerts/stream`: server-sent events of alert changes.
//!
//! The store's `alert_history` table is the truth and its sequence numbers are the event ids, so a
//! client that reconnects with `Last-Event-ID` (browsers do this by themselves) misses nothing.
//! The store's change channel wakes the stream at once after a scoring run, an acknowledgement
//! or an inspection result in this process; a slow poll also catches changes written by another
//! process (`jiance run` scoring while `jiance serve` serves). Each event is `event: alert` with an
//! [`AlertChange`] as JSON; the first event, `event: ready`, carries the cursor. Comments keep
//! proxies from closing an idle stream. The stream ends when the server shuts down.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;

use super::request::{Params, saturating_count};
use super::{ApiError, AppState};
use crate::store::{AlertChange, Store};

/// How often the stream looks at the store without a wake-up.
const POLL: Duration = Duration::from_secs(5);
/// Keep-alive comment interval.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Changes read per look.
const BATCH: usize = 200;

struct Cursor {
    store: Store,
    wake: tokio::sync::broadcast::Receiver<i64>,
    closing: tokio::sync::watch::Receiver<bool>,
    seq: i64,
    pending: VecDeque<AlertChange>,
    /// The last read was a full batch: read again without waiting.
    more: bool,
    greeted: bool,
}

fn change_event(c: &AlertChange) -> Event {
    let data = serde_json::to_string(c).unwrap_or_else(|_| "{}".into());
    Event::default()
        .event("alert")
        .id(c.seq.to_string())
        .data(data)
}

async fn next_event(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    if !c.greeted {
        c.greeted = true;
        let ev = Event::default()
            .event("ready")
            .data(serde_json::json!({ "last": c.seq }).to_string());
        return Some((Ok(ev), c));
    }
    loop {
        if let Some(change) = c.pending.pop_front() {
            return Some((Ok(change_event(&change)), c));
        }
        if *c.closing.borrow() {
            return None;
        }
        if !c.more {
            let closing = &mut c.closing;
            let closed = async move {
                // A state built without `serve` has no shutdown signal: never closing.
                if closing.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                // Lagged or not, a wake-up only means "look again".
                _ = c.wake.recv() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = closed => return None,
            }
        }
        let store = c.store.clone();
        let since = c.seq;
        match tokio::task::spawn_blocking(move || store.changes_since(since, BATCH)).await {
            Ok(Ok(changes)) => {
                c.more = changes.len() == BATCH;
                if let Some(last) = changes.last() {
                    c.seq = last.seq;
                }
                c.pending.extend(changes);
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "event stream: reading changes failed"),
            Err(e) => tracing::warn!(error = %e, "event stream: reader task failed"),
        }
    }
}

/// Where a stream starts: `Last-Event-ID`, else `?since=SEQ`, else now (only new changes).
fn start_seq(headers: &HeaderMap, p: &Params, store: &Store) -> Result<i64, ApiError> {
    let given = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| ("Last-Event-ID", v.trim().to_string()))
        .or_else(|| p.get("since").map(|v| ("since", v.to_string())));
    match given {
        // ids are sequence numbers from 1; a longer run of digits is past every id there is
        Some((name, v)) => match saturating_count(&v) {
            Some(n) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
            None => Err(ApiError::bad_request(format!(
                "{name}: expected an event id (a non-negative integer), got {v:?}"
            ))),
        },
        None => store.last_change().map_err(ApiError::internal),
    }
}

pub(super) async fn stream(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    // Subscribe before reading the cursor so nothing written in between is missed.
    let wake = st.store.subscribe();
    let store = st.store.clone();
    let seq = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || start_seq(&headers, &p, &store))
            .await
            .map_err(ApiError::internal)??
    };
    let cursor = Cursor {
        store,
        wake,
        closing: st.closing.clone(),
        seq,
        pending: VecDeque::new(),
        more: false,
        greeted: false,
    };
    Ok(Sse::new(futures::stream::unfold(cursor, next_event))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
