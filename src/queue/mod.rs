//! The NATS JetStream transport (`[queue] kind = "nats"`): what replaces the in-process bounded
//! channels when fetch, analyze and sink workers run as separate processes, on one machine or
//! many. This module owns the server-side layout and the message rules; `pipeline::distributed`
//! composes the workers from it.
//!
//! Three work-queue streams, each read by one durable pull consumer that every worker of a role
//! shares (a message goes to exactly one of them):
//!
//! | stream (prefix `jiance`) | subjects | consumer | carries |
//! |---|---|---|---|
//! | `JIANCE_FETCH` | `jiance.fetch.<host>` | `fetch` | one crawl job: a host's sources for one pass |
//! | `JIANCE_FETCHED` | `jiance.fetched` | `analyze` | a fetched page (with attachments), a source's pass tally |
//! | `JIANCE_WORKED` | `jiance.worked` | `sink` | a page's documents and analysis, tallies, poison notices |
//!
//! Rules every role keeps: a message is acknowledged only once what it led to is durable (the
//! next stream's publish acknowledgement, or the sink's commit), so a worker killed anywhere
//! leaves its messages to be delivered again; publishes carry `Nats-Msg-Id` (the server drops a
//! repeat inside its duplicate window) and the sink upserts by document id, so a redelivery
//! counts nothing twice; `max_ack_pending` bounds what a consumer has out (back-pressure);
//! slow work sends progress acks; a message delivered `max_deliver` times is terminated and
//! reported to the sink as poison, counted by reason. A message whose encoding is larger than
//! `inline_limit` travels through the JetStream object store (`jiance-bodies`), the stream
//! carrying its name. The crawl state fetch workers share lives in the key-value bucket
//! `jiance-crawl` ([`KvState`]).

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, AckKind, consumer::pull, kv, object_store, stream};
use futures::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncReadExt;

use crate::config::QueueSettings;

mod kv_state;

pub use kv_state::{KvState, PassTally, mark_processed};

/// The header naming the object-store entry that holds a large message.
const OBJECT_HEADER: &str = "Jiance-Object";
/// How long the server remembers a `Nats-Msg-Id` to drop a repeat.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("NATS server {url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("NATS {what}: {message}")]
    Nats { what: String, message: String },
    #[error("message {subject} #{sequence}: cannot decode: {message}")]
    Decode {
        subject: String,
        sequence: u64,
        message: String,
    },
}

impl QueueError {
    /// The server did not answer in time: worth asking again, unlike a refusal.
    pub fn is_timeout(&self) -> bool {
        match self {
            QueueError::Nats { message, .. } | QueueError::Connect { message, .. } => {
                message.contains("timed out")
            }
            QueueError::Decode { .. } => false,
        }
    }
}

fn nats<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> QueueError {
    let what = what.into();
    move |e| QueueError::Nats {
        what,
        message: e.to_string(),
    }
}

/// The three streams, in the order work flows through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Crawl jobs, one per host and pass.
    Fetch,
    /// Fetched pages for the per-page work.
    Fetched,
    /// Worked pages for the sink.
    Worked,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Fetch, Stage::Fetched, Stage::Worked];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Fetched => "fetched",
            Stage::Worked => "worked",
        }
    }

    /// The role whose workers read the stream (the durable consumer's name).
    pub fn reader(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Fetched => "analyze",
            Stage::Worked => "sink",
        }
    }
}

/// A subject token for a host: NATS tokens may not hold `.`, `*`, `>` or white space.
pub fn host_token(host: &str) -> String {
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Requests one caller keeps in flight to the server when it has many to make (acknowledgements
/// of a committed batch, key-value puts), instead of one round trip after another.
pub const CONCURRENT_REQUESTS: usize = 64;

/// A connection to the JetStream server with the deployment's streams, consumers, bucket and
/// object store in place.
#[derive(Clone)]
pub struct Nats {
    js: jetstream::Context,
    settings: QueueSettings,
    bodies: object_store::ObjectStore,
    crawl: kv::Store,
    /// Each stage's durable consumer, in [`Stage::ALL`] order: found once at connect, as every
    /// pull asking for it again would cost a round trip to the server per message.
    consumers: std::sync::Arc<Vec<jetstream::consumer::PullConsumer>>,
}

/// How often a timed-out declaration is tried again before the worker gives up.
const DECLARE_RETRIES: u32 = 5;

type Declared = (
    Vec<jetstream::consumer::PullConsumer>,
    kv::Store,
    object_store::ObjectStore,
);

/// Create (or find) the streams and their consumers, the key-value bucket and the object store.
async fn declare(
    js: &jetstream::Context,
    settings: &QueueSettings,
) -> Result<Declared, QueueError> {
    let p = &settings.prefix;
    let mut consumers = Vec::with_capacity(Stage::ALL.len());
    for stage in Stage::ALL {
        let name = stream_name(p, stage);
        let subject = match stage {
            Stage::Fetch => format!("{p}.fetch.>"),
            s => format!("{p}.{}", s.name()),
        };
        let stream = stream_made_or_found(
            js,
            stream::Config {
                name: name.clone(),
                subjects: vec![subject],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            },
        )
        .await
        .map_err(nats(format!("stream {name}")))?;
        let config = pull::Config {
            durable_name: Some(stage.reader().to_string()),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ack_wait: settings.ack_wait,
            // no limit at the server: the workers terminate a message on its
            // `max_deliver`-th delivery and report it (see `Delivery::poison`). Were the
            // server to stop there too, a worker killed while holding that last delivery
            // would leave the message in the stream for good, delivered to no one: the
            // pass never drains and its document is lost (seen in the NATS crash test).
            max_deliver: -1,
            max_ack_pending: settings.max_ack_pending.max(1),
            ..Default::default()
        };
        let consumer = match stream.get_or_create_consumer(stage.reader(), config).await {
            Ok(c) => c,
            // made by a worker starting at the same moment (see `stream_made_or_found`)
            Err(e) => stream
                .get_consumer(stage.reader())
                .await
                .map_err(|_| e)
                .map_err(nats(format!("consumer {name}/{}", stage.reader())))?,
        };
        consumers.push(consumer);
    }
    let bucket = format!("{p}-crawl");
    // The bucket's stream made by hand, as `create_key_value` would: that call first asks
    // for the account's info, whose 2.9 form (Debian's server) the client cannot read.
    stream_made_or_found(
        js,
        stream::Config {
            name: format!("KV_{bucket}"),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            storage: stream::StorageType::File,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        },
    )
    .await
    .map_err(nats(format!("key-value bucket {bucket}")))?;
    let crawl = js
        .get_key_value(&bucket)
        .await
        .map_err(nats(format!("key-value bucket {bucket}")))?;
    let objects = format!("{p}-bodies");
    let bodies = match js.get_object_store(&objects).await {
        Ok(o) => o,
        Err(_) => match js
            .create_object_store(object_store::Config {
                bucket: objects.clone(),
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
        {
            Ok(o) => o,
            // made by a worker starting at the same moment (see `stream_made_or_found`)
            Err(e) => js
                .get_object_store(&objects)
                .await
                .map_err(|_| e)
                .map_err(nats(format!("object store {objects}")))?,
        },
    };
    Ok((consumers, crawl, bodies))
}

/// The stream `config` names, made when missing. Looking and making are two requests: when
/// workers start at the same moment, one may make the stream between another's look and make,
/// and the server answers the loser "subjects overlap with an existing stream" (10065), which
/// ended that worker. A failed make is therefore followed by one more look; its error is the
/// make's when the stream is still not there.
async fn stream_made_or_found(
    js: &jetstream::Context,
    config: stream::Config,
) -> Result<stream::Stream, jetstream::context::CreateStreamError> {
    let name = config.name.clone();
    match js.get_or_create_stream(config).await {
        Ok(s) => Ok(s),
        Err(e) => js.get_stream(&name).await.map_err(|_| e),
    }
}

impl Nats {
    /// Connect and create (or find) the streams, consumers, key-value bucket and object store.
    /// Creating is idempotent: every worker does it at start, whichever comes first.
    pub async fn connect(settings: &QueueSettings) -> Result<Nats, QueueError> {
        let client = async_nats::ConnectOptions::new()
            .name("jiance")
            .connection_timeout(Duration::from_secs(10))
            .connect(settings.url.as_str())
            .await
            .map_err(|e| QueueError::Connect {
                url: settings.url.clone(),
                message: e.to_string(),
            })?;
        let js = jetstream::new(client);
        // Every worker declares the same streams at start; when several start at once on a busy
        // server a declaration can outlast the request timeout. Declaring is idempotent, so a
        // timed-out attempt is simply made again rather than ending the worker.
        let mut attempt = 0u32;
        let (consumers, crawl, bodies) = loop {
            match declare(&js, settings).await {
                Ok(made) => break made,
                Err(e) if e.is_timeout() && attempt < DECLARE_RETRIES => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "declaring the streams timed out; again");
                    tokio::time::sleep(Duration::from_millis(500) * attempt).await;
                }
                Err(e) => return Err(e),
            }
        };
        Ok(Nats {
            js,
            settings: settings.clone(),
            bodies,
            crawl,
            consumers: std::sync::Arc::new(consumers),
        })
    }

    pub fn settings(&self) -> &QueueSettings {
        &self.settings
    }

    /// The bucket of the shared crawl state.
    pub fn crawl_bucket(&self) -> &kv::Store {
        &self.crawl
    }

    /// The subject of `stage`; crawl jobs are addressed by host.
    pub fn subject(&self, stage: Stage, host: Option<&str>) -> String {
        let p = &self.settings.prefix;
        match (stage, host) {
            (Stage::Fetch, Some(h)) => format!("{p}.fetch.{}", host_token(h)),
            (Stage::Fetch, None) => format!("{p}.fetch.any"),
            (s, _) => format!("{p}.{}", s.name()),
        }
    }

    /// Publish `value` with the deduplication id `id` and wait until the server has stored it.
    /// Returns false when the server dropped it as a repeat of an id it saw inside its window.
    pub async fn publish<T: Serialize>(
        &self,
        subject: String,
        id: &str,
        value: &T,
    ) -> Result<bool, QueueError> {
        let encoded = serde_json::to_vec(value).map_err(nats(format!("encode for {subject}")))?;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        let payload = if encoded.len() > self.settings.inline_limit {
            // The object's name is the message id: a repeat overwrites the same object.
            let name = object_name(id);
            self.bodies
                .put(name.as_str(), &mut encoded.as_slice())
                .await
                .map_err(nats(format!("object store put {name}")))?;
            headers.insert(OBJECT_HEADER, name.as_str());
            bytes::Bytes::new()
        } else {
            bytes::Bytes::from(encoded)
        };
        let ack = self
            .js
            .publish_with_headers(subject.clone(), headers, payload)
            .await
            .map_err(nats(format!("publish {subject}")))?
            .await
            .map_err(nats(format!("publish {subject}: acknowledgement")))?;
        Ok(!ack.duplicate)
    }

    fn consumer(&self, stage: Stage) -> Result<&jetstream::consumer::PullConsumer, QueueError> {
        Stage::ALL
            .iter()
            .position(|s| *s == stage)
            .and_then(|i| self.consumers.get(i))
            .ok_or_else(|| QueueError::Nats {
                what: format!("consumer of {}", stage.name()),
                message: "not created at connect".to_string(),
            })
    }

    /// Up to `n` deliveries of `stage`, asked for only now: what is waiting at once, else the
    /// first to arrive within `wait` (an empty batch when none did). Callers ask for as many as
    /// they have free slots, so no message waits out its `ack_wait` in a client-side buffer.
    ///
    /// Not async-nats' long-lived pull stream: it counts outstanding messages per request, and a
    /// message arriving before the client has booked its own request leaves the count high; with
    /// small batches it then sends no new request until the server's expiry (30 s) — measured as
    /// ~90 messages per 30 s against server 2.9.
    pub async fn pull(
        &self,
        stage: Stage,
        n: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let consumer = self.consumer(stage)?;
        let failed = |e: &dyn std::fmt::Display| QueueError::Nats {
            what: format!("pull from {}", stage.name()),
            message: e.to_string(),
        };
        // No wait: whatever is there now, up to n. The server ends such a request at once (with
        // "no messages" when there are none), but one it never answers (a server race of the kind
        // nats-server#7457 reports) had no client timer on it and would hold this worker for
        // good. Suspected in a CI run where two live fetch workers left every crawl job waiting.
        let now = consumer
            .fetch()
            .max_messages(n.max(1))
            .messages()
            .await
            .map_err(|e| failed(&e))?;
        let (came, answered) = until_deadline(now, NO_WAIT_REPLY).await;
        if !answered {
            tracing::warn!(
                stage = stage.name(),
                "a pull request was not answered in time; asking again"
            );
        }
        let mut out = came
            .into_iter()
            .map(|m| m.map(Delivery::new).map_err(|e| failed(&e)))
            .collect::<Result<Vec<_>, _>>()?;
        if !out.is_empty() || wait.is_zero() || !answered {
            return Ok(out);
        }
        // Nothing there: wait for the first that comes (a long poll, not a busy loop). The
        // client ends this one itself 5 s past its expiry, if the server says nothing.
        let mut later = consumer
            .batch()
            .max_messages(1)
            .expires(wait)
            .messages()
            .await
            .map_err(|e| failed(&e))?;
        while let Some(m) = later.next().await {
            out.push(Delivery::new(m.map_err(|e| failed(&e))?));
        }
        Ok(out)
    }

    /// The value a delivery carries, read from the object store when it went there.
    pub async fn decode<T: DeserializeOwned>(&self, d: &Delivery) -> Result<T, QueueError> {
        let bad = |message: String| QueueError::Decode {
            subject: d.msg.subject.to_string(),
            sequence: d.sequence,
            message,
        };
        let bytes = match d.object() {
            Some(name) => {
                let mut object = self
                    .bodies
                    .get(name.as_str())
                    .await
                    .map_err(|e| bad(format!("object {name}: {e}")))?;
                let mut v = Vec::new();
                object
                    .read_to_end(&mut v)
                    .await
                    .map_err(|e| bad(format!("object {name}: {e}")))?;
                v
            }
            None => d.msg.payload.to_vec(),
        };
        serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))
    }

    /// Acknowledge `d` and wait for the server to confirm, then drop its object if it had one.
    pub async fn ack(&self, d: &Delivery) -> Result<(), QueueError> {
        d.msg
            .double_ack()
            .await
            .map_err(nats(format!("ack {} #{}", d.msg.subject, d.sequence)))?;
        self.drop_object(d).await;
        Ok(())
    }

    /// Acknowledge every delivery of `ds`, [`CONCURRENT_REQUESTS`] at a time; the result of each,
    /// in order.
    pub async fn ack_all(&self, ds: &[Delivery]) -> Vec<Result<(), QueueError>> {
        futures::stream::iter(ds.iter().map(|d| self.ack(d)))
            .buffered(CONCURRENT_REQUESTS)
            .collect()
            .await
    }

    /// Terminate `d`: it is never delivered again.
    pub async fn term(&self, d: &Delivery) -> Result<(), QueueError> {
        d.msg
            .double_ack_with(AckKind::Term)
            .await
            .map_err(nats(format!("terminate {} #{}", d.msg.subject, d.sequence)))?;
        self.drop_object(d).await;
        Ok(())
    }

    async fn drop_object(&self, d: &Delivery) {
        if let Some(name) = d.object()
            && let Err(e) = self.bodies.delete(name.as_str()).await
        {
            // Left behind it costs space, not correctness.
            tracing::warn!(object = %name, "object store: cannot delete: {e}");
        }
    }

    /// Messages waiting or unacknowledged in each stream, in [`Stage::ALL`] order.
    pub async fn backlog(&self) -> Result<[u64; 3], QueueError> {
        let mut out = [0; 3];
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            let name = stream_name(&self.settings.prefix, stage);
            let mut s = self
                .js
                .get_stream(&name)
                .await
                .map_err(nats(format!("stream {name}")))?;
            out[i] = s
                .info()
                .await
                .map_err(nats(format!("stream {name}: info")))?
                .state
                .messages;
        }
        Ok(out)
    }
}

/// How long a no-wait pull request may go unanswered before it is given up and asked again.
/// A message the server delivers to the given-up request comes back after `ack_wait`.
const NO_WAIT_REPLY: Duration = Duration::from_secs(10);

/// The items `stream` yields until it ends or `limit` passes; and whether it ended (false: the
/// limit came first, and what it had yielded by then is returned all the same).
async fn until_deadline<S: futures::Stream + Unpin>(
    mut stream: S,
    limit: Duration,
) -> (Vec<S::Item>, bool) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(item)) => out.push(item),
            Ok(None) => return (out, true),
            Err(_) => return (out, false),
        }
    }
}

fn stream_name(prefix: &str, stage: Stage) -> String {
    format!("{}_{}", prefix, stage.name()).to_uppercase()
}

/// Object names are free text; the message id may be long, so it is hashed.
fn object_name(id: &str) -> String {
    crate::model::doc_id(id)
}

/// One delivered message and what the server says of it.
pub struct Delivery {
    pub msg: jetstream::Message,
    /// Deliveries of this message so far, this one included.
    pub delivered: i64,
    pub sequence: u64,
}

impl Delivery {
    pub fn new(msg: jetstream::Message) -> Delivery {
        let (delivered, sequence) = msg
            .info()
            .map(|i| (i.delivered, i.stream_sequence))
            .unwrap_or((1, 0));
        Delivery {
            msg,
            delivered,
            sequence,
        }
    }

    fn object(&self) -> Option<String> {
        self.msg
            .headers
            .as_ref()
            .and_then(|h| h.get(OBJECT_HEADER))
            .map(|v| v.as_str().to_string())
    }

    /// The message has had its last delivery: the earlier ones crashed or timed out their
    /// workers (or failed and asked to be retried), so it is not worked again but terminated and
    /// reported as poison.
    pub fn poison(&self, max_deliver: i64) -> bool {
        self.delivered >= max_deliver.max(2)
    }

    /// Ask for redelivery after `delay` (a failure that may pass).
    pub async fn retry(&self, delay: Duration) {
        if let Err(e) = self.msg.ack_with(AckKind::Nak(Some(delay))).await {
            tracing::warn!(subject = %self.msg.subject, "nak: {e}");
        }
    }

    /// Run `work`, telling the server every `every` that the message is still being worked, so a
    /// slow page or a long crawl job is not delivered to a second worker meanwhile.
    pub async fn with_progress<F: std::future::Future>(
        &self,
        every: Duration,
        work: F,
    ) -> F::Output {
        tokio::pin!(work);
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
        tick.tick().await;
        loop {
            tokio::select! {
                out = &mut work => return out,
                _ = tick.tick() => {
                    if let Err(e) = self.msg.ack_with(AckKind::Progress).await {
                        tracing::warn!(subject = %self.msg.subject, "progress ack: {e}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pull_never_answered_ends_at_its_limit_with_what_came() {
        // two messages, then a server that says nothing more (no "no messages" status)
        let silent = futures::stream::iter([1, 2]).chain(futures::stream::pending());
        let limit = Duration::from_millis(50);
        let started = std::time::Instant::now();
        let (got, ended) = until_deadline(Box::pin(silent), limit).await;
        assert_eq!(got, vec![1, 2]);
        assert!(!ended);
        assert!(started.elapsed() >= limit);
        // an answered request ends when its stream does, before its limit
        let (got, ended) = until_deadline(futures::stream::iter([3]), NO_WAIT_REPLY).await;
        assert_eq!((got, ended), (vec![3], true));
    }

    #[test]
    fn host_tokens_are_single_subject_tokens() {
        assert_eq!(host_token("www.samr.gov.cn"), "www_samr_gov_cn");
        assert_eq!(host_token("127.0.0.1:8080"), "127_0_0_1_8080");
        assert_eq!(host_token("a*b>c d"), "a_b_c_d");
    }

    #[test]
    fn stream_names_carry_the_prefix() {
        assert_eq!(stream_name("jiance", Stage::Fetched), "JIANCE_FETCHED");
        assert_eq!(stream_name("t1", Stage::Worked), "T1_WORKED");
    }
}
