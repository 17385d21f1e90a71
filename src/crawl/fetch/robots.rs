//! robots.txt and the policy a host gets from it for one pass: its rules and its rate limiter
//! (the source's rate, lowered by `Crawl-delay`). robots.txt is read once per host per pass,
//! or taken from an earlier pass while younger than `robots_cache`: a 2xx file and a 4xx (no
//! rules) are lasting answers and kept; a 5xx disallows the host for this pass only.

use std::time::Duration;

use governor::{DefaultDirectRateLimiter, RateLimiter};
use texting_robots::Robot;
use url::Url;

use super::{FetchRequest, Fetcher, is_redirect, quota};
use crate::config::Politeness;
use crate::model::PageRole;

pub(super) struct HostPolicy {
    pub(super) robots: RobotsRule,
    pub(super) limiter: DefaultDirectRateLimiter,
}

/// Longest time a robots.txt answer may be reused (RFC 9309 §2.4).
pub(super) const ROBOTS_CACHE_MAX: Duration = Duration::from_secs(24 * 3600);
/// Largest robots.txt kept for later passes: the 500 KiB RFC 9309 §2.5 asks parsers to read.
const ROBOTS_KEEP_MAX: usize = 500 * 1024;

/// A robots.txt answer kept for later passes, under [`robots_key`] in the crawl state's meta.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct KeptRobots {
    /// Unix seconds when it was read.
    pub(super) at: i64,
    /// The file of a 2xx answer; `None`: a 4xx (no rules).
    pub(super) body: Option<String>,
}

/// robots.txt belongs to scheme, host and port.
pub(super) fn robots_key(page: &Url) -> String {
    format!("robots:{}", page.origin().ascii_serialization())
}

pub(super) enum RobotsRule {
    AllowAll,
    /// robots.txt answered 5xx: RFC 9309 §2.3.1.3 says assume complete disallow.
    DisallowAll,
    Rules(Box<Robot>),
}

impl HostPolicy {
    pub(super) fn allows(&self, url: &str) -> bool {
        match &self.robots {
            RobotsRule::AllowAll => true,
            RobotsRule::DisallowAll => false,
            RobotsRule::Rules(r) => r.allowed(url),
        }
    }
}

impl Fetcher {
    /// First contact with a host in this pass: read robots.txt (once), then build the limiter at
    /// the host's rate, lowered by `Crawl-delay`.
    pub(super) async fn init_policy(&self, source: &str, url: &Url, rps: f64) -> HostPolicy {
        let mut rate = rps;
        let mut fetched_robots = false;
        let robots = if !self.shared.settings.obey_robots {
            RobotsRule::AllowAll
        } else if let Some(kept) = self.remembered_robots(url) {
            kept
        } else {
            fetched_robots = true;
            self.fetch_robots(source, url).await
        };
        if let RobotsRule::Rules(r) = &robots
            && let Some(d) = r.delay.filter(|d| d.is_finite() && *d > 0.0)
        {
            rate = rate.min(1.0 / f64::from(d));
        }
        let limiter = RateLimiter::direct(quota(rate));
        if fetched_robots {
            // The robots.txt request used this host's first slot.
            let _ = limiter.check();
        }
        HostPolicy { robots, limiter }
    }

    async fn fetch_robots(&self, source: &str, page: &Url) -> RobotsRule {
        let Ok(mut url) = page.join("/robots.txt") else {
            return RobotsRule::AllowAll;
        };
        let Ok(_global) = self.shared.global.acquire().await else {
            return RobotsRule::AllowAll;
        };
        // RFC 9309 asks crawlers to follow at least five redirects for robots.txt.
        for _ in 0..5 {
            let req = FetchRequest {
                source,
                role: PageRole::Robots,
                url: url.as_str(),
                politeness: &Politeness::default(),
                etag: None,
                last_modified: None,
                render: false,
            };
            match self.send_once(&req, &url, (None, None), None).await {
                Ok(resp) if resp.error.is_none() => {
                    let status = resp.fetched.status;
                    if is_redirect(status)
                        && let Some(next) = resp
                            .fetched
                            .header("location")
                            .and_then(|l| url.join(l).ok())
                    {
                        url = next;
                        continue;
                    }
                    return match status {
                        200..=299 => {
                            self.remember_robots_answer(page, Some(&resp.fetched.body));
                            self.robot_rules(&url, &resp.fetched.body)
                        }
                        500..=599 => {
                            tracing::warn!(url = %url, status, "robots.txt unavailable: host skipped this pass");
                            RobotsRule::DisallowAll
                        }
                        _ => {
                            // 4xx: no rules (RFC 9309 §2.3.1.3), as lasting as a file.
                            self.remember_robots_answer(page, None);
                            RobotsRule::AllowAll
                        }
                    };
                }
                // No answer at all: the page fetches will meet the same error and report it
                // under its real reason (connect, timeout) rather than as a robots problem.
                _ => return RobotsRule::AllowAll,
            }
        }
        RobotsRule::AllowAll
    }

    fn robot_rules(&self, url: &Url, body: &[u8]) -> RobotsRule {
        match Robot::new(&self.shared.agent_token, body) {
            Ok(r) => RobotsRule::Rules(Box::new(r)),
            Err(e) => {
                tracing::warn!(url = %url, "unreadable robots.txt, treated as allow-all: {e}");
                RobotsRule::AllowAll
            }
        }
    }

    /// The host's robots.txt answer kept by an earlier pass, while younger than `robots_cache`.
    fn remembered_robots(&self, page: &Url) -> Option<RobotsRule> {
        let state = self.robots_memory.as_ref()?;
        let ttl = self.shared.settings.robots_cache;
        if ttl.is_zero() {
            return None;
        }
        let key = robots_key(page);
        let kept: KeptRobots = match state.meta(&key) {
            Ok(Some(v)) => serde_json::from_str(&v)
                .inspect_err(|e| tracing::warn!(key, "kept robots.txt unreadable, read again: {e}"))
                .ok()?,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(key, "cannot read the kept robots.txt, read again: {e}");
                return None;
            }
        };
        let age = chrono::Utc::now().timestamp().saturating_sub(kept.at);
        if age < 0 || age as u64 >= ttl.as_secs() {
            return None;
        }
        tracing::debug!(key, age, "robots.txt from an earlier pass");
        Some(match kept.body {
            Some(body) => self.robot_rules(page, body.as_bytes()),
            None => RobotsRule::AllowAll,
        })
    }

    /// Keep a lasting robots.txt answer (`body` of a 2xx; `None` for a 4xx) for later passes.
    fn remember_robots_answer(&self, page: &Url, body: Option<&[u8]>) {
        let Some(state) = self.robots_memory.as_ref() else {
            return;
        };
        if self.shared.settings.robots_cache.is_zero() {
            return;
        }
        let body = match body {
            // Rules past the size every parser must read are not worth a shared record.
            Some(b) if b.len() > ROBOTS_KEEP_MAX => return,
            Some(b) => Some(String::from_utf8_lossy(b).into_owned()),
            None => None,
        };
        let kept = KeptRobots {
            at: chrono::Utc::now().timestamp(),
            body,
        };
        let key = robots_key(page);
        match serde_json::to_string(&kept) {
            Ok(v) => {
                if let Err(e) = state.set_meta(&key, &v) {
                    tracing::warn!(key, "cannot keep robots.txt for later passes: {e}");
                }
            }
            Err(e) => tracing::warn!(key, "cannot encode robots.txt: {e}"),
        }
    }
}
