//! The one fetch loop every source kind goes through: politeness, robots.txt, retries,
//! redirects, the body cap and the archive write.
//!
//! A fetch of one URL: per-host concurrency permit → per-host rate limiter (governor) → global
//! permit → GET → stream the body up to the cap → append request/response/metadata to the WARC
//! archive → then decide: follow a redirect (each hop archived, loops and the hop cap detected),
//! retry (5xx, timeouts, connection errors: exponential back-off with jitter; 429/503 wait for
//! `Retry-After`, capped), or return. Nothing the server sent is lost: every response is archived
//! before the caller sees it.
//!
//! Host state (limiter, permits, robots.txt) lives for one crawl pass: robots.txt is fetched once
//! per host per pass. Rates differ per host (a source's `politeness.rps`, robots `Crawl-delay`),
//! while a governor keyed limiter has one quota for all keys, so each host gets its own direct
//! limiter in a host table keyed by `host:port`.
//!
//! robots.txt, and the host policy built from it, are in [`robots`].

mod robots;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::Quota;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::archive::{ArchiveWriter, Conversion, Exchange};
use super::render::Renderer;
use super::state::CrawlState;
use crate::config::{CrawlSettings, Politeness};
use crate::model::{Fetched, PageRole};
use crate::telemetry::Counters;
use crate::util::canon::host_key;
use robots::{HostPolicy, ROBOTS_CACHE_MAX};

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("crawl settings: {0}")]
    Settings(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Longest wait a `Retry-After` may impose; a server asking for more gets retried next pass.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(120);
/// Base of the exponential back-off (doubled per attempt, plus up to half again as jitter).
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What to fetch and as whom.
#[derive(Debug, Clone)]
pub struct FetchRequest<'a> {
    pub source: &'a str,
    pub role: PageRole,
    /// Canonical absolute URL.
    pub url: &'a str,
    pub politeness: &'a Politeness,
    /// Validators of the last fetch, for a conditional GET.
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    /// Load a 2xx HTML response again in headless Chromium and hand on the rendered DOM
    /// (archived as a `conversion` record of the response); see [`super::render`].
    pub render: bool,
}

/// How a fetch ended.
#[derive(Debug, Clone)]
pub struct FetchOutcome {
    /// The last response (archived; `record_id` set), if any arrived.
    pub fetched: Option<Fetched>,
    /// Short stable failure reason (`http-404`, `timeout`, `robots-disallowed` …); `None` for
    /// 2xx and 304.
    pub error: Option<String>,
    /// Responses received (redirect hops and retries included).
    pub responses: u32,
    /// Body bytes received over all those responses.
    pub bytes: u64,
}

impl FetchOutcome {
    pub fn not_modified(&self) -> bool {
        self.error.is_none() && self.fetched.as_ref().is_some_and(|f| f.status == 304)
    }
}

/// Settings and resources shared by every pass.
pub(crate) struct Shared {
    client: reqwest::Client,
    settings: CrawlSettings,
    /// Product token of the User-Agent, matched against robots.txt groups.
    agent_token: String,
    archive: Arc<Mutex<ArchiveWriter>>,
    pub(crate) counters: Arc<Counters>,
    global: Arc<Semaphore>,
    backoff_base: Duration,
    retry_after_cap: Duration,
    /// Started only for requests with `render` set.
    renderer: Renderer,
}

/// The polite fetcher of one crawl pass.
pub struct Fetcher {
    shared: Arc<Shared>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    /// Where robots.txt answers are kept between passes (`robots_cache`); none: every pass.
    robots_memory: Option<Arc<dyn CrawlState>>,
}

struct Host {
    permits: Semaphore,
    policy: OnceCell<HostPolicy>,
}

/// A response as `send_once` returns it; `error` is set when the body was cut short.
struct Response {
    fetched: Fetched,
    error: Option<&'static str>,
    /// The request asked for rendering and this is a complete page worth it ([`renderable`]);
    /// its metadata record says so.
    render: bool,
}

impl Fetcher {
    /// A fetcher writing to `archive`. Host state starts empty; use [`Fetcher::next_pass`] for
    /// each new pass so robots.txt is re-read.
    pub fn new(
        settings: &CrawlSettings,
        archive: ArchiveWriter,
        counters: Arc<Counters>,
    ) -> Result<Fetcher, CrawlError> {
        if !(settings.rps.is_finite() && settings.rps > 0.0) {
            return Err(CrawlError::Settings(format!(
                "rps must be positive, got {}",
                settings.rps
            )));
        }
        if settings.concurrency == 0 || settings.per_host_concurrency == 0 {
            return Err(CrawlError::Settings(
                "concurrency and per_host_concurrency must be at least 1".into(),
            ));
        }
        if settings.user_agent.trim().is_empty() {
            return Err(CrawlError::Settings("user_agent must not be empty".into()));
        }
        if settings.robots_cache > ROBOTS_CACHE_MAX {
            return Err(CrawlError::Settings(format!(
                "robots_cache must be at most 24h (RFC 9309 §2.4), got {}s",
                settings.robots_cache.as_secs()
            )));
        }
        let mut builder = crate::util::tls::client_builder()
            .user_agent(settings.user_agent.clone())
            // Redirects are followed by the fetch loop so every hop is archived and checked.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout);
        if !settings.resolve.is_empty() {
            // fixed addresses are local servers: a proxy would not know the names
            builder = builder.no_proxy();
            for (host, addr) in &settings.resolve {
                builder = builder.resolve(host, *addr);
            }
        }
        let client = builder.build()?;
        let agent_token = settings
            .user_agent
            .split(|c: char| c == '/' || c.is_whitespace())
            .next()
            .unwrap_or("jiance")
            .to_string();
        let shared = Shared {
            client,
            settings: settings.clone(),
            agent_token,
            archive: Arc::new(Mutex::new(archive)),
            counters,
            global: Arc::new(Semaphore::new(settings.concurrency)),
            backoff_base: BACKOFF_BASE,
            retry_after_cap: RETRY_AFTER_CAP,
            renderer: Renderer::new(
                settings.chromium.clone(),
                settings.render_budget,
                settings.render_timeout,
                settings.render_concurrency,
            ),
        };
        Ok(Fetcher {
            shared: Arc::new(shared),
            hosts: Mutex::default(),
            robots_memory: None,
        })
    }

    /// Keep robots.txt answers in `state` for `robots_cache`, so the next passes (of any fetch
    /// worker sharing the state) reuse them instead of asking the host again.
    pub fn remember_robots(mut self, state: Arc<dyn CrawlState>) -> Fetcher {
        self.robots_memory = Some(state);
        self
    }

    /// Same client, archive and settings; fresh host state (robots.txt read again, or taken
    /// from the robots memory while it is fresh).
    pub fn next_pass(&self) -> Fetcher {
        Fetcher {
            shared: self.shared.clone(),
            hosts: Mutex::default(),
            robots_memory: self.robots_memory.clone(),
        }
    }

    pub(crate) fn counters(&self) -> &Arc<Counters> {
        &self.shared.counters
    }

    #[cfg(test)]
    fn with_backoff(mut self, base: Duration, retry_after_cap: Duration) -> Fetcher {
        if let Some(s) = Arc::get_mut(&mut self.shared) {
            s.backoff_base = base;
            s.retry_after_cap = retry_after_cap;
        }
        self
    }

    /// The host's state for this pass; the first source to reach a host sets its concurrency.
    fn host(&self, key: &str, p: &Politeness) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                let n = p
                    .concurrency
                    .unwrap_or(self.shared.settings.per_host_concurrency)
                    .max(1);
                Arc::new(Host {
                    permits: Semaphore::new(n),
                    policy: OnceCell::new(),
                })
            })
            .clone()
    }

    /// Fetch one URL politely, following redirects and retrying; every response is archived.
    /// Failures are counted in `counters.crawl.reject(reason)`.
    pub async fn fetch(&self, req: &FetchRequest<'_>) -> FetchOutcome {
        self.fetch_from(req, None).await
    }

    /// [`Fetcher::fetch`] of a file a page links to, sending that page as `Referer` as a
    /// browser following the link would (file servers of some regulators refuse hotlinks).
    pub async fn fetch_from(&self, req: &FetchRequest<'_>, referer: Option<&str>) -> FetchOutcome {
        let mut out = FetchOutcome {
            fetched: None,
            error: None,
            responses: 0,
            bytes: 0,
        };
        let mut url = match Url::parse(req.url) {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(url = req.url, source = req.source, "bad URL: {e}");
                return self.fail(out, "bad-url");
            }
        };
        let settings = &self.shared.settings;
        let max_attempts = settings.retries.max(1);
        let obey = req.politeness.robots.unwrap_or(settings.obey_robots);
        let rps = req
            .politeness
            .rps
            .filter(|r| r.is_finite() && *r > 0.0)
            .unwrap_or(settings.rps);
        let mut visited: HashSet<String> = HashSet::from([url.to_string()]);
        let mut attempt = 0u32;
        let mut hops = 0usize;
        loop {
            let Some(key) = host_key(&url) else {
                return self.fail(out, "bad-url");
            };
            let host = self.host(&key, req.politeness);
            let policy = host
                .policy
                .get_or_init(|| self.init_policy(req.source, &url, rps))
                .await;
            if obey && !policy.allows(url.as_str()) {
                tracing::debug!(url = %url, "robots.txt disallows");
                return self.fail(out, "robots-disallowed");
            }
            let result = {
                let Some(_turn) = self.turn(&host, policy).await else {
                    return self.fail(out, "shutdown");
                };
                let (etag, lm) = if hops == 0 {
                    (req.etag, req.last_modified)
                } else {
                    (None, None)
                };
                self.send_once(req, &url, (etag, lm), referer).await
            };
            match result {
                Err(reason) => {
                    if retryable(reason) && attempt + 1 < max_attempts {
                        let wait = self.backoff(attempt);
                        tracing::debug!(url = %url, reason, attempt, ?wait, "retrying");
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return self.fail(out, reason);
                }
                Ok(resp) => {
                    out.responses += 1;
                    out.bytes += resp.fetched.body.len() as u64;
                    let status = resp.fetched.status;
                    if let Some(reason) = resp.error {
                        out.fetched = Some(resp.fetched);
                        if retryable(reason) && attempt + 1 < max_attempts {
                            attempt += 1;
                            tokio::time::sleep(self.backoff(attempt - 1)).await;
                            continue;
                        }
                        return self.fail(out, reason);
                    }
                    if is_redirect(status)
                        && let Some(loc) = resp.fetched.header("location").map(str::to_string)
                    {
                        out.fetched = Some(resp.fetched);
                        hops += 1;
                        if hops > settings.max_redirects {
                            return self.fail(out, "too-many-redirects");
                        }
                        let next = match url.join(&loc) {
                            Ok(n) if matches!(n.scheme(), "http" | "https") => n,
                            _ => return self.fail(out, "bad-redirect"),
                        };
                        if !visited.insert(next.to_string()) {
                            return self.fail(out, "redirect-loop");
                        }
                        url = next;
                        continue;
                    }
                    let may_retry = attempt + 1 < max_attempts;
                    if (status == 429 || status == 503) && may_retry {
                        let wait = retry_after(&resp.fetched)
                            .map(|d| d.min(self.shared.retry_after_cap))
                            .unwrap_or_else(|| self.backoff(attempt));
                        tracing::debug!(url = %url, status, ?wait, "server asks to wait");
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    if status >= 500 && may_retry {
                        let wait = self.backoff(attempt);
                        attempt += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    out.fetched = Some(resp.fetched);
                    if resp.render {
                        // The browser loads the page again: a request to the host like any
                        // other, so it waits for its turn like any other.
                        let Some(_turn) = self.turn(&host, policy).await else {
                            return self.fail(out, "shutdown");
                        };
                        return self.render(out).await;
                    }
                    if (200..300).contains(&status) || status == 304 {
                        return out;
                    }
                    return self.fail(out, &format!("http-{status}"));
                }
            }
        }
    }

    /// A request's turn at a host: its permit first, then its rate limiter, then a global permit,
    /// so a task waiting on a busy host never holds a global slot others could use. `None` when
    /// the fetcher is shutting down.
    async fn turn<'h>(
        &'h self,
        host: &'h Host,
        policy: &HostPolicy,
    ) -> Option<(
        tokio::sync::SemaphorePermit<'h>,
        tokio::sync::SemaphorePermit<'h>,
    )> {
        let host_permit = host.permits.acquire().await.ok()?;
        policy.limiter.until_ready().await;
        let global = self.shared.global.acquire().await.ok()?;
        Some((host_permit, global))
    }

    /// Replaces the fetched page's body by the DOM Chromium built from it, archived first as a
    /// `conversion` record of the response. A rendering that fails fails the fetch (counted
    /// `render-…`): the page's content is what its scripts write, so the plain response would
    /// read as an empty page; the response stays archived, and a detail page is parked and
    /// tried again.
    async fn render(&self, mut out: FetchOutcome) -> FetchOutcome {
        let Some(mut page) = out.fetched.take() else {
            return out;
        };
        let settings = &self.shared.settings;
        let dom = match self
            .shared
            .renderer
            .render(&page.url, &settings.user_agent, settings.max_body)
            .await
        {
            Ok(dom) => dom,
            Err(reason) => {
                tracing::info!(url = %page.url, reason, "page not rendered");
                out.fetched = Some(page);
                return self.fail(out, reason);
            }
        };
        let archive = self.shared.archive.clone();
        let (source, role, url, of) = (
            page.source.clone(),
            page.role,
            page.url.clone(),
            page.record_id.clone(),
        );
        let written = tokio::task::spawn_blocking(move || {
            let mut w = archive.lock().unwrap_or_else(|e| e.into_inner());
            let id = w.write_conversion(&Conversion {
                source: &source,
                role,
                url: &url,
                refers_to: &of,
                content_type: RENDERED_TYPE,
                body: &dom,
                made_at: chrono::Utc::now(),
                by: "chromium",
            });
            (id, dom)
        })
        .await;
        match written {
            Ok((Ok(id), dom)) => {
                page.rendered(dom, RENDERED_TYPE.into(), id);
                self.shared.counters.crawl.repair("rendered");
                out.fetched = Some(page);
                out
            }
            Ok((Err(e), _)) => {
                tracing::error!(url = %page.url, "cannot write the archive: {e}");
                out.fetched = Some(page);
                self.fail(out, "archive-write")
            }
            Err(e) => {
                tracing::error!(url = %page.url, "archive task failed: {e}");
                out.fetched = Some(page);
                self.fail(out, "archive-write")
            }
        }
    }

    fn fail(&self, mut out: FetchOutcome, reason: &str) -> FetchOutcome {
        self.shared.counters.crawl.reject(reason);
        out.error = Some(reason.to_string());
        out
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .shared
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(BACKOFF_MAX);
        // Full jitter on half the delay keeps retries of many pages from marching in step.
        base + base.mul_f64(rand::random::<f64>() * 0.5)
    }

    /// One GET, the body streamed up to the cap, and the archive write. `Err` is a short reason
    /// when no response arrived (the request and the error are archived all the same).
    async fn send_once(
        &self,
        req: &FetchRequest<'_>,
        url: &Url,
        (etag, last_modified): (Option<&str>, Option<&str>),
        referer: Option<&str>,
    ) -> Result<Response, &'static str> {
        let settings = &self.shared.settings;
        let mut request_headers: Vec<(String, String)> = vec![
            ("User-Agent".into(), settings.user_agent.clone()),
            (
                "Accept".into(),
                "text/html,application/xhtml+xml,application/json,application/xml;q=0.9,*/*;q=0.8"
                    .into(),
            ),
        ];
        if let Some(e) = etag {
            request_headers.push(("If-None-Match".into(), e.to_string()));
        }
        if let Some(lm) = last_modified {
            request_headers.push(("If-Modified-Since".into(), lm.to_string()));
        }
        if let Some(r) = referer {
            request_headers.push(("Referer".into(), r.to_string()));
        }
        let mut hm = HeaderMap::new();
        for (k, v) in request_headers.iter().skip(1) {
            if let (Ok(k), Ok(v)) = (
                HeaderName::try_from(k.as_str()),
                HeaderValue::try_from(v.as_str()),
            ) {
                hm.insert(k, v);
            }
        }
        let fetched_at = chrono::Utc::now();
        let mut fetched = Fetched {
            source: req.source.to_string(),
            url: url.to_string(),
            role: req.role,
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
            fetched_at,
            record_id: String::new(),
            attachments: Vec::new(),
        };
        let (status, error) = match self.shared.client.get(url.clone()).headers(hm).send().await {
            Err(e) => (None, Some(classify(&e))),
            Ok(mut resp) => {
                fetched.status = resp.status().as_u16();
                fetched.url = resp.url().to_string();
                fetched.headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_ascii_lowercase(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let mut error = None;
                loop {
                    match resp.chunk().await {
                        Ok(Some(chunk)) => {
                            let room = settings.max_body.saturating_sub(fetched.body.len());
                            if chunk.len() > room {
                                fetched
                                    .body
                                    .extend_from_slice(chunk.get(..room).unwrap_or_default());
                                error = Some("body-too-large");
                                break;
                            }
                            fetched.body.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            error = Some(match classify(&e) {
                                "timeout" => "timeout",
                                _ => "disconnect",
                            });
                            break;
                        }
                    }
                }
                (Some(fetched.status), error)
            }
        };

        // Archive before anyone reads it. The file write is blocking I/O: off the async workers.
        let render = req.render && error.is_none() && renderable(&fetched);
        let archive = self.shared.archive.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let id = {
                let mut w = archive.lock().unwrap_or_else(|e| e.into_inner());
                w.write(&Exchange {
                    source: &fetched.source,
                    role: fetched.role,
                    url: &fetched.url,
                    request_headers: &request_headers,
                    status,
                    response_headers: &fetched.headers,
                    body: &fetched.body,
                    fetched_at: fetched.fetched_at,
                    error,
                    render,
                })
            };
            (id, fetched)
        })
        .await;
        let (id, mut fetched) = match joined {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(url = %url, "archive task failed: {e}");
                return Err("archive-write");
            }
        };
        match id {
            Ok(id) => fetched.record_id = id,
            Err(e) => {
                tracing::error!(url = %url, "cannot write the archive: {e}");
                return Err("archive-write");
            }
        }
        let Some(_) = status else {
            return Err(error.unwrap_or("request"));
        };
        let counters = &self.shared.counters.crawl;
        counters.received();
        counters.bytes(fetched.body.len() as u64);
        Ok(Response {
            fetched,
            error,
            render,
        })
    }
}

/// Media type of a rendered page: Chromium serialises the DOM as UTF-8 whatever the page's
/// `<meta charset>` still says.
const RENDERED_TYPE: &str = "text/html; charset=utf-8";

/// A response worth rendering: a 2xx list or detail page that is HTML (by its Content-Type, or
/// by its first bytes when it names none).
fn renderable(f: &Fetched) -> bool {
    if !matches!(f.role, PageRole::List | PageRole::Detail) || !(200..300).contains(&f.status) {
        return false;
    }
    match f.header("content-type") {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.contains("html")
        }
        None => {
            let head = f.body.get(..f.body.len().min(512)).unwrap_or_default();
            let head = String::from_utf8_lossy(head).to_ascii_lowercase();
            let head = head.trim_start();
            head.starts_with("<!doctype html")
                || head.starts_with("<html")
                || head.contains("<body")
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

pub(crate) fn retryable(reason: &str) -> bool {
    matches!(reason, "timeout" | "connect" | "disconnect" | "request")
}

fn classify(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "disconnect"
    } else {
        "request"
    }
}

fn quota(rate: f64) -> Quota {
    // Clamped so the period is always a representable, non-zero duration: at most one request a
    // day, at least a microsecond apart.
    let rate = if rate.is_finite() && rate > 0.0 {
        rate.clamp(1.0 / 86_400.0, 1e6)
    } else {
        1.0
    };
    Quota::with_period(Duration::from_secs_f64(1.0 / rate))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(NonZeroU32::MIN)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(f: &Fetched) -> Option<Duration> {
    let v = f.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::robots::{KeptRobots, robots_key};
    use super::*;
    use axum::Router;
    use axum::extract::State;
    use axum::http::{HeaderMap as AxHeaders, StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::get;
    use governor::RateLimiter;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Instant;

    use crate::crawl::archive;

    /// Serve `app` on 127.0.0.1:0; returns the base URL.
    pub(crate) async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    pub(crate) fn test_settings() -> CrawlSettings {
        CrawlSettings {
            user_agent: "jiance-test/0.1 (+tests)".into(),
            rps: 1000.0,
            concurrency: 8,
            per_host_concurrency: 4,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            max_body: 64 * 1024,
            max_redirects: 3,
            retries: 3,
            obey_robots: true,
            archive_rotate_bytes: 1 << 30,
            commit_every: 200,
            ..CrawlSettings::default()
        }
    }

    fn fetcher(settings: &CrawlSettings, dir: &std::path::Path) -> (Fetcher, Arc<Counters>) {
        let counters = Arc::new(Counters::default());
        let archive = ArchiveWriter::open(dir, settings.archive_rotate_bytes).unwrap();
        let f = Fetcher::new(settings, archive, counters.clone())
            .unwrap()
            .with_backoff(Duration::from_millis(5), Duration::from_secs(2));
        (f, counters)
    }

    async fn get_one(f: &Fetcher, url: &str) -> FetchOutcome {
        let p = Politeness::default();
        f.fetch(&FetchRequest {
            source: "t",
            role: PageRole::Detail,
            url,
            politeness: &p,
            etag: None,
            last_modified: None,
            render: false,
        })
        .await
    }

    fn archived(dir: &std::path::Path) -> Vec<Fetched> {
        archive::read_dir(dir)
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[tokio::test]
    async fn retries_500_then_succeeds_and_archives_both() {
        let hits = Arc::new(AtomicU32::new(0));
        let app = Router::new()
            .route(
                "/flaky",
                get(|State(h): State<Arc<AtomicU32>>| async move {
                    if h.fetch_add(1, Ordering::SeqCst) == 0 {
                        (StatusCode::INTERNAL_SERVER_ERROR, "服务器繁忙").into_response()
                    } else {
                        (
                            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                            "<h1>电动车充电器召回</h1>",
                        )
                            .into_response()
                    }
                }),
            )
            .with_state(hits.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("{base}/flaky")).await;
        assert_eq!(out.error, None);
        let page = out.fetched.unwrap();
        assert_eq!(page.status, 200);
        assert_eq!(page.body, "<h1>电动车充电器召回</h1>".as_bytes());
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        assert_eq!(out.responses, 2);
        let arch = archived(dir.path());
        let statuses: Vec<u16> = arch
            .iter()
            .filter(|a| a.role == PageRole::Detail)
            .map(|a| a.status)
            .collect();
        assert_eq!(statuses, vec![500, 200]);
        assert_eq!(arch.last().unwrap().record_id, page.record_id);
        assert_eq!(arch.last().unwrap().source, "t");
        // robots.txt (404 from axum) + 2 page responses
        assert_eq!(counters.crawl.get_received(), 3);
        assert!(counters.crawl.rejected().is_empty());
    }

    #[tokio::test]
    async fn persistent_500_is_reported_after_all_attempts() {
        let hits = Arc::new(AtomicU32::new(0));
        let app = Router::new()
            .route(
                "/down",
                get(|State(h): State<Arc<AtomicU32>>| async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    StatusCode::BAD_GATEWAY
                }),
            )
            .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
            .with_state(hits.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("{base}/down")).await;
        assert_eq!(out.error.as_deref(), Some("http-502"));
        assert_eq!(hits.load(Ordering::SeqCst), 3);
        let out = get_one(&f, &format!("{base}/gone")).await;
        assert_eq!(out.error.as_deref(), Some("http-404"));
        assert_eq!(out.responses, 1, "404 is not retried");
        let rej = counters.crawl.rejected();
        assert_eq!(rej.get("http-502"), Some(&1));
        assert_eq!(rej.get("http-404"), Some(&1));
        assert_eq!(
            archived(dir.path())
                .iter()
                .filter(|a| a.role == PageRole::Detail)
                .count(),
            4
        );
    }

    #[tokio::test]
    async fn honours_retry_after_on_429() {
        let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let app = Router::new()
            .route(
                "/busy",
                get(|State(t): State<Arc<Mutex<Vec<Instant>>>>| async move {
                    let n = {
                        let mut t = t.lock().unwrap();
                        t.push(Instant::now());
                        t.len()
                    };
                    if n == 1 {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [(header::RETRY_AFTER, "1")],
                            "请稍后再试",
                        )
                            .into_response()
                    } else {
                        "ok".into_response()
                    }
                }),
            )
            .with_state(times.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, _) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("{base}/busy")).await;
        assert_eq!(out.error, None);
        assert_eq!(out.fetched.unwrap().body, b"ok");
        let t = times.lock().unwrap().clone();
        assert_eq!(t.len(), 2);
        // The back-off for this test fetcher is 5 ms; only Retry-After explains a second's wait.
        assert!(
            t[1] - t[0] >= Duration::from_millis(950),
            "waited only {:?}",
            t[1] - t[0]
        );
    }

    #[tokio::test]
    async fn slow_response_times_out_and_is_archived_as_failure() {
        let app = Router::new().route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "too late"
            }),
        );
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings();
        s.timeout = Duration::from_millis(300);
        s.retries = 2;
        let (f, counters) = fetcher(&s, dir.path());
        let out = get_one(&f, &format!("{base}/slow")).await;
        assert_eq!(out.error.as_deref(), Some("timeout"));
        assert!(out.fetched.is_none());
        assert_eq!(counters.crawl.rejected().get("timeout"), Some(&1));
        // Two attempts, each a request + metadata record carrying the error.
        let mut text = Vec::new();
        for p in std::fs::read_dir(dir.path()).unwrap() {
            let raw = std::fs::read(p.unwrap().path()).unwrap();
            std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut text)
                .unwrap();
        }
        let text = String::from_utf8_lossy(&text);
        assert_eq!(text.matches("error: timeout").count(), 2);
    }

    #[tokio::test]
    async fn oversized_body_is_cut_at_the_cap_and_archived() {
        let big = "质量抽检不合格".repeat(20_000);
        let app = Router::new().route("/big", get(move || async move { big }));
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings();
        s.max_body = 10_000;
        let (f, counters) = fetcher(&s, dir.path());
        let out = get_one(&f, &format!("{base}/big")).await;
        assert_eq!(out.error.as_deref(), Some("body-too-large"));
        let page = out.fetched.unwrap();
        assert_eq!(page.body.len(), 10_000);
        assert_eq!(out.responses, 1, "a too-large body is not retried");
        assert_eq!(counters.crawl.rejected().get("body-too-large"), Some(&1));
        let arch = archived(dir.path());
        let a = arch.iter().find(|a| a.role == PageRole::Detail).unwrap();
        assert_eq!(a.body.len(), 10_000);
    }

    #[tokio::test]
    async fn redirect_loop_and_cap_are_detected_and_good_redirects_followed() {
        let app = Router::new()
            .route(
                "/a",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/b")]) }),
            )
            .route(
                "/b",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/a")]) }),
            )
            .route(
                "/r1",
                get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/r2")]) }),
            )
            .route(
                "/r2",
                get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/r3")]) }),
            )
            .route(
                "/r3",
                get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/r4")]) }),
            )
            .route(
                "/r4",
                get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/end")]) }),
            )
            .route(
                "/old",
                get(|| async {
                    (
                        StatusCode::MOVED_PERMANENTLY,
                        [(header::LOCATION, "/end?x=1")],
                    )
                }),
            )
            .route("/end", get(|| async { "终点" }));
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("{base}/a")).await;
        assert_eq!(out.error.as_deref(), Some("redirect-loop"));
        assert_eq!(out.responses, 2);
        let out = get_one(&f, &format!("{base}/r1")).await;
        assert_eq!(out.error.as_deref(), Some("too-many-redirects"));
        let out = get_one(&f, &format!("{base}/old")).await;
        assert_eq!(out.error, None);
        let page = out.fetched.unwrap();
        assert_eq!(page.url, format!("{base}/end?x=1"));
        assert_eq!(page.body, "终点".as_bytes());
        assert_eq!(counters.crawl.rejected().get("redirect-loop"), Some(&1));
        // Every hop is in the archive: 2 (loop) + 4 (cap) + 2 (good).
        assert_eq!(
            archived(dir.path())
                .iter()
                .filter(|a| a.role == PageRole::Detail)
                .count(),
            8
        );
    }

    #[tokio::test]
    async fn robots_disallow_is_obeyed_once_per_host_and_can_be_disabled() {
        let robots_hits = Arc::new(AtomicU32::new(0));
        let app = Router::new()
            .route(
                "/robots.txt",
                get(|State(h): State<Arc<AtomicU32>>| async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    "User-agent: *\nDisallow: /private/\n"
                }),
            )
            .route("/private/x", get(|| async { "secret" }))
            .route("/public/x", get(|| async { "公开信息" }))
            .with_state(robots_hits.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("{base}/private/x")).await;
        assert_eq!(out.error.as_deref(), Some("robots-disallowed"));
        assert!(out.fetched.is_none());
        let out = get_one(&f, &format!("{base}/public/x")).await;
        assert_eq!(out.error, None);
        assert_eq!(
            robots_hits.load(Ordering::SeqCst),
            1,
            "robots.txt is cached for the pass"
        );
        assert_eq!(counters.crawl.rejected().get("robots-disallowed"), Some(&1));
        // The robots response is archived with its role.
        assert!(
            archived(dir.path())
                .iter()
                .any(|a| a.role == PageRole::Robots && a.url.ends_with("/robots.txt"))
        );

        // A source that opts out is not held back.
        let p = Politeness {
            robots: Some(false),
            ..Politeness::default()
        };
        let url = format!("{base}/private/x");
        let out = f
            .fetch(&FetchRequest {
                source: "t",
                role: PageRole::Detail,
                url: &url,
                politeness: &p,
                etag: None,
                last_modified: None,
                render: false,
            })
            .await;
        assert_eq!(out.error, None);

        // A new pass reads robots.txt again.
        let f2 = f.next_pass();
        let _ = get_one(&f2, &format!("{base}/public/x")).await;
        assert_eq!(robots_hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn robots_answers_are_kept_across_passes_for_robots_cache() {
        // Host a: rules; host b: 404 (no rules); host c: 503 (never kept). Each counts its asks.
        let hits: Arc<[AtomicU32; 3]> = Arc::new(Default::default());
        let host = |i: usize, hits: Arc<[AtomicU32; 3]>| {
            Router::new()
                .route(
                    "/robots.txt",
                    get(move || async move {
                        hits[i].fetch_add(1, Ordering::SeqCst);
                        match i {
                            0 => (StatusCode::OK, "User-agent: *\nDisallow: /private/\n"),
                            1 => (StatusCode::NOT_FOUND, "no such file"),
                            _ => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
                        }
                    }),
                )
                .route("/private/x", get(|| async { "secret" }))
                .route("/public/x", get(|| async { "公开信息" }))
        };
        let a = serve(host(0, hits.clone())).await;
        let b = serve(host(1, hits.clone())).await;
        let c = serve(host(2, hits.clone())).await;
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
        let asks = || {
            hits.iter()
                .map(|h| h.load(Ordering::SeqCst))
                .collect::<Vec<_>>()
        };

        let (f, _) = fetcher(&test_settings(), &dir.path().join("archive"));
        let f = f.remember_robots(Arc::new(store.clone()));
        let urls = [
            format!("{a}/private/x"),
            format!("{b}/private/x"),
            format!("{c}/public/x"),
        ];
        let pass = |f: Fetcher| {
            let urls = urls.clone();
            async move {
                let mut errors = Vec::new();
                for u in &urls {
                    errors.push(get_one(&f, u).await.error);
                }
                let [pa, pb, pc]: [Option<String>; 3] = errors.try_into().unwrap();
                (pa, pb, pc, f)
            }
        };
        let (pa, pb, pc, f) = pass(f.next_pass()).await;
        assert_eq!(pa.as_deref(), Some("robots-disallowed"));
        assert_eq!(pb, None);
        assert_eq!(
            pc.as_deref(),
            Some("robots-disallowed"),
            "5xx: complete disallow"
        );
        assert_eq!(asks(), vec![1, 1, 1]);

        // The next pass (a new fetcher on the same state, as another worker) keeps the rules
        // and the 404, and asks the 503 host again.
        let (pa, pb, _, f) = pass(f.next_pass()).await;
        assert_eq!(
            pa.as_deref(),
            Some("robots-disallowed"),
            "kept rules obeyed"
        );
        assert_eq!(pb, None);
        assert_eq!(asks(), vec![1, 1, 2]);
        let (f2, _) = fetcher(&test_settings(), &dir.path().join("archive2"));
        let (pa, _, _, _) = pass(f2.remember_robots(Arc::new(store.clone()))).await;
        assert_eq!(pa.as_deref(), Some("robots-disallowed"));
        assert_eq!(asks(), vec![1, 1, 3]);

        // Older than robots_cache: asked again.
        let key = robots_key(&Url::parse(&a).unwrap());
        let mut kept: KeptRobots =
            serde_json::from_str(&store.meta(&key).unwrap().unwrap()).unwrap();
        kept.at -= 7 * 3600;
        store
            .set_meta(&key, &serde_json::to_string(&kept).unwrap())
            .unwrap();
        let _ = pass(f.next_pass()).await;
        assert_eq!(asks()[0], 2);

        // robots_cache = 0s: every pass asks.
        let mut s = test_settings();
        s.robots_cache = Duration::ZERO;
        let (f0, _) = fetcher(&s, &dir.path().join("archive3"));
        let f0 = f0.remember_robots(Arc::new(store.clone()));
        let _ = pass(f0.next_pass()).await;
        let _ = pass(f0.next_pass()).await;
        assert_eq!(asks()[..2], [4, 3]);

        // More than RFC 9309's day is refused.
        s.robots_cache = Duration::from_secs(25 * 3600);
        let archive = ArchiveWriter::open(&dir.path().join("archive4"), 1 << 20).unwrap();
        let err = Fetcher::new(&s, archive, Arc::new(Counters::default()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("robots_cache"), "{err}");
    }

    #[tokio::test]
    async fn conditional_get_sends_validators_and_304_is_not_a_failure() {
        let app = Router::new().route(
            "/list",
            get(|h: AxHeaders| async move {
                let inm = h
                    .get(header::IF_NONE_MATCH)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let ims = h
                    .get(header::IF_MODIFIED_SINCE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if inm == "\"v7\"" && ims == "Sun, 01 Mar 2026 08:00:00 GMT" {
                    StatusCode::NOT_MODIFIED.into_response()
                } else {
                    ([(header::ETAG, "\"v7\"")], "列表").into_response()
                }
            }),
        );
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let url = format!("{base}/list");
        let p = Politeness::default();
        let mut req = FetchRequest {
            source: "t",
            role: PageRole::List,
            url: &url,
            politeness: &p,
            etag: None,
            last_modified: None,
            render: false,
        };
        let first = f.fetch(&req).await;
        assert_eq!(
            first.fetched.as_ref().unwrap().header("etag"),
            Some("\"v7\"")
        );
        assert!(!first.not_modified());
        req.etag = Some("\"v7\"");
        req.last_modified = Some("Sun, 01 Mar 2026 08:00:00 GMT");
        let second = f.fetch(&req).await;
        assert!(second.not_modified());
        assert_eq!(second.error, None);
        assert!(counters.crawl.rejected().is_empty());
    }

    #[tokio::test]
    async fn connection_refused_is_reported_as_connect() {
        // Bind then drop: the port is (almost certainly) closed now.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let dir = tempfile::tempdir().unwrap();
        let (f, counters) = fetcher(&test_settings(), dir.path());
        let out = get_one(&f, &format!("http://{addr}/x")).await;
        assert_eq!(out.error.as_deref(), Some("connect"));
        assert_eq!(counters.crawl.rejected().get("connect"), Some(&1));
    }

    #[tokio::test]
    async fn per_host_rate_is_respected() {
        let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let app = Router::new()
            .route(
                "/p/{n}",
                get(|State(t): State<Arc<Mutex<Vec<Instant>>>>| async move {
                    t.lock().unwrap().push(Instant::now());
                    "页面"
                }),
            )
            .with_state(times.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings();
        s.obey_robots = false;
        let (f, _) = fetcher(&s, dir.path());
        let f = Arc::new(f);
        // 10 requests per second for this source, fired all at once.
        let p = Arc::new(Politeness {
            rps: Some(10.0),
            concurrency: Some(8),
            robots: None,
        });
        let mut tasks = Vec::new();
        for n in 0..6 {
            let (f, p, url) = (f.clone(), p.clone(), format!("{base}/p/{n}"));
            tasks.push(tokio::spawn(async move {
                f.fetch(&FetchRequest {
                    source: "t",
                    role: PageRole::Detail,
                    url: &url,
                    politeness: &p,
                    etag: None,
                    last_modified: None,
                    render: false,
                })
                .await
                .error
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), None);
        }
        let mut t = times.lock().unwrap().clone();
        t.sort();
        assert_eq!(t.len(), 6);
        // 6 requests at 10/s with a burst of 1 span at least 5 periods (allowing timer slack).
        let span = t[5] - t[0];
        assert!(span >= Duration::from_millis(450), "6 requests in {span:?}");
        for w in t.windows(2) {
            assert!(
                w[1] - w[0] >= Duration::from_millis(60),
                "two requests {:?} apart",
                w[1] - w[0]
            );
        }
    }

    #[tokio::test]
    async fn crawl_delay_lowers_the_rate() {
        let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let app = Router::new()
            .route(
                "/robots.txt",
                get(|| async { "User-agent: *\nCrawl-delay: 0.3\n" }),
            )
            .route(
                "/d/{n}",
                get(|State(t): State<Arc<Mutex<Vec<Instant>>>>| async move {
                    t.lock().unwrap().push(Instant::now());
                    "x"
                }),
            )
            .with_state(times.clone());
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let (f, _) = fetcher(&test_settings(), dir.path());
        for n in 0..3 {
            assert_eq!(get_one(&f, &format!("{base}/d/{n}")).await.error, None);
        }
        let t = times.lock().unwrap().clone();
        for w in t.windows(2) {
            assert!(
                w[1] - w[0] >= Duration::from_millis(250),
                "{:?}",
                w[1] - w[0]
            );
        }
    }

    #[test]
    fn quota_never_panics_on_extreme_rates() {
        for r in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-300,
            1e300,
            0.5,
            100.0,
        ] {
            let _ = RateLimiter::direct(quota(r)).check();
        }
        assert_eq!(quota(4.0).replenish_interval(), Duration::from_millis(250));
        assert_eq!(
            quota(1e-300).replenish_interval(),
            Duration::from_secs(86_400)
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut f = Fetched {
            source: String::new(),
            url: String::new(),
            role: PageRole::Detail,
            status: 429,
            headers: vec![("retry-after".into(), "7".into())],
            body: vec![],
            fetched_at: chrono::Utc::now(),
            attachments: Vec::new(),
            record_id: String::new(),
        };
        assert_eq!(retry_after(&f), Some(Duration::from_secs(7)));
        f.headers[0].1 = "Wed, 21 Oct 2015 07:28:00 GMT".into();
        assert_eq!(retry_after(&f), Some(Duration::ZERO));
        f.headers[0].1 = "soon".into();
        assert_eq!(retry_after(&f), None);
    }

    /// A gzip body that inflates to 64 MiB (64 KiB on the wire): decompression is streamed and
    /// stops at the cap, so memory never holds more than `max_body` of it.
    #[tokio::test]
    async fn gzip_bomb_is_cut_at_the_cap() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1 << 20, "the bomb is small on the wire");
        let app = Router::new().route(
            "/bomb",
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/html"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    bomb,
                )
            }),
        );
        let base = serve(app).await;
        let dir = tempfile::tempdir().unwrap();
        let s = test_settings();
        let (f, counters) = fetcher(&s, dir.path());
        let out = get_one(&f, &format!("{base}/bomb")).await;
        assert_eq!(out.error.as_deref(), Some("body-too-large"));
        let page = out.fetched.unwrap();
        assert_eq!(page.body.len(), s.max_body);
        assert!(
            page.body.iter().all(|b| *b == b'0'),
            "decoded, not raw gzip"
        );
        assert_eq!(counters.crawl.rejected().get("body-too-large"), Some(&1));
        let arch = archived(dir.path());
        let a = arch.iter().find(|a| a.role == PageRole::Detail).unwrap();
        assert_eq!(a.body.len(), s.max_body);
    }

    /// Raw TCP servers: one accepts and closes at once; one sends headers and part of the body,
    /// then resets the connection (SO_LINGER 0). Both are retried, then reported; what did arrive
    /// is archived; the crawl goes on to the next URL on the same fetcher.
    #[tokio::test]
    async fn connection_resets_are_retried_reported_and_archived() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        async fn raw(partial: bool) -> (String, Arc<AtomicU32>) {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let n = Arc::new(AtomicU32::new(0));
            let count = n.clone();
            tokio::spawn(async move {
                while let Ok((mut sock, _)) = l.accept().await {
                    count.fetch_add(1, Ordering::SeqCst);
                    let mut buf = [0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    if partial {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n";
                        let _ = sock.write_all(head.as_bytes()).await;
                        let _ = sock
                            .write_all("<h1>儿童安全座椅卡扣断裂</h1>".as_bytes())
                            .await;
                        let _ = sock.flush().await;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    let _ = sock.set_zero_linger();
                    drop(sock);
                }
            });
            (format!("http://{addr}"), n)
        }
        let (closes, closes_n) = raw(false).await;
        let (resets, resets_n) = raw(true).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings();
        s.obey_robots = false;
        s.retries = 2;
        let (f, counters) = fetcher(&s, dir.path());

        let out = get_one(&f, &format!("{closes}/x")).await;
        let closed_reason = out.error.clone().unwrap();
        assert!(
            ["request", "disconnect"].contains(&closed_reason.as_str()),
            "{closed_reason}"
        );
        assert_eq!(closes_n.load(Ordering::SeqCst), 2, "retried once");

        let out = get_one(&f, &format!("{resets}/y")).await;
        assert_eq!(out.error.as_deref(), Some("disconnect"));
        assert_eq!(resets_n.load(Ordering::SeqCst), 2);
        let got = out.fetched.unwrap();
        assert!(String::from_utf8_lossy(&got.body).contains("儿童安全座椅"));
        let rej = counters.crawl.rejected();
        assert_eq!(
            rej.get("disconnect").copied().unwrap_or(0) + rej.get("request").copied().unwrap_or(0),
            2
        );

        // Both partial responses are in the archive with what arrived.
        let arch = archived(dir.path());
        let partial: Vec<_> = arch.iter().filter(|a| a.url.ends_with("/y")).collect();
        assert_eq!(partial.len(), 2);
        assert!(
            partial
                .iter()
                .all(|a| String::from_utf8_lossy(&a.body).contains("卡扣断裂"))
        );
        assert!(partial.iter().all(|a| a.status == 200));

        // The fetcher is still fine for the next URL.
        let ok = serve(Router::new().route("/ok", get(|| async { "好" }))).await;
        assert_eq!(get_one(&f, &format!("{ok}/ok")).await.error, None);
    }
}
