//! Sending one outbox message: a signed webhook POST (reqwest) or an e-mail over SMTP (lettre,
//! STARTTLS by default), and the back-off between attempts.
//!
//! Webhook requests carry the message's JSON as the body and these headers:
//! `X-Jiance-Timestamp` (Unix seconds of this attempt), `X-Jiance-Signature: sha256=<hex>` — the
//! HMAC-SHA256, keyed with the rule's secret, of `<timestamp>.<body>` (so a captured request
//! cannot be replayed later under a new timestamp) — `Idempotency-Key` (the outbox key, the
//! same on every attempt: delivery is at least once) and `X-Jiance-Event` (`match` or
//! `digest`). Any 2xx is success; 408, 429 and 5xx are retried, other statuses given up.

use std::time::Duration;

use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;

use crate::config::{NotifySettings, SmtpSettings, SmtpTls};

/// Why an attempt failed: a short stable reason (counted in `/metrics`), details for the log,
/// and whether trying again may help.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub reason: String,
    pub detail: String,
    pub retry: bool,
}

fn fail(reason: impl Into<String>, detail: impl Into<String>, retry: bool) -> Failure {
    Failure {
        reason: reason.into(),
        detail: detail.into(),
        retry,
    }
}

/// `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256=");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// POST the body to the webhook, signed.
pub async fn webhook(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    key: &str,
    event: &str,
    body: &str,
    timeout: Duration,
) -> Result<(), Failure> {
    let ts = chrono::Utc::now().timestamp();
    let resp = http
        .post(url)
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Jiance-Timestamp", ts.to_string())
        .header("X-Jiance-Signature", signature(secret, ts, body.as_bytes()))
        .header("X-Jiance-Event", event)
        .header("Idempotency-Key", key)
        .body(body.to_string())
        .send()
        .await;
    match resp {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => {
            let s = r.status().as_u16();
            let retry = s == 408 || s == 429 || s >= 500;
            Err(fail(format!("http-{s}"), format!("{url}: HTTP {s}"), retry))
        }
        Err(e) if e.is_timeout() => Err(fail("timeout", format!("{url}: {e}"), true)),
        Err(e) if e.is_connect() => Err(fail("connect", format!("{url}: {e}"), true)),
        Err(e) if e.is_builder() => Err(fail("bad-url", format!("{url}: {e}"), false)),
        Err(e) => Err(fail("request", format!("{url}: {e}"), true)),
    }
}

/// An SMTP transport from `[notify.smtp]`, made for each pass that has e-mail to send (so a
/// changed password in the environment is picked up on restart of nothing).
pub fn mailer(
    smtp: &SmtpSettings,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, Failure> {
    let tls_params = || -> Result<TlsParameters, Failure> {
        let mut b = TlsParameters::builder(smtp.host.clone());
        if let Some(ca) = &smtp.ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| fail("smtp-ca-file", format!("{}: {e}", ca.display()), true))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| fail("smtp-ca-file", format!("{}: {e}", ca.display()), true))?;
            b = b.add_root_certificate(cert);
        }
        b.build_rustls()
            .map_err(|e| fail("smtp-tls", e.to_string(), true))
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(timeout));
    b = match smtp.tls {
        SmtpTls::Starttls => b.tls(Tls::Required(tls_params()?)),
        SmtpTls::Tls => b.tls(Tls::Wrapper(tls_params()?)),
        SmtpTls::None => b,
    };
    if let Some(user) = &smtp.user {
        let password = std::env::var(&smtp.password_env).map_err(|_| {
            fail(
                "smtp-password-missing",
                format!("[notify.smtp] user is set but {} is not", smtp.password_env),
                true,
            )
        })?;
        b = b.credentials(Credentials::new(user.clone(), password));
    }
    Ok(b.build())
}

/// Send one e-mail (plain text, UTF-8). The Message-ID is made from the outbox key, so a
/// message sent twice after a crash reads as the same message to mail clients.
pub async fn email(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    smtp: &SmtpSettings,
    to: &str,
    key: &str,
    subject: &str,
    body: String,
) -> Result<(), Failure> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| fail("bad-address", format!("from {:?}: {e}", smtp.from), false))?;
    let to_box: Mailbox = to
        .parse()
        .map_err(|e| fail("bad-address", format!("to {to:?}: {e}"), false))?;
    let domain = from.email.domain().to_string();
    let id: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let msg = Message::builder()
        .from(from)
        .to(to_box)
        .subject(subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| fail("bad-message", e.to_string(), false))?;
    match mailer.send(msg).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let reason = if e.is_timeout() {
                "smtp-timeout".to_string()
            } else if e.is_tls() {
                "smtp-tls".to_string()
            } else if let Some(code) = e.status() {
                format!("smtp-{code}")
            } else if e.is_permanent() {
                "smtp-permanent".to_string()
            } else {
                "smtp-connect".to_string()
            };
            Err(fail(reason, e.to_string(), !e.is_permanent()))
        }
    }
}

/// When the next attempt after `attempts` failed ones may start: `backoff` doubled per failure,
/// at most `max_backoff`; `None` when the attempts are used up.
pub fn next_attempt(
    settings: &NotifySettings,
    attempts: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if attempts >= settings.max_attempts {
        return None;
    }
    let factor = 1u32 << attempts.saturating_sub(1).min(20);
    let wait = settings
        .backoff
        .saturating_mul(factor)
        .min(settings.max_backoff);
    Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_known_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" — here the
        // data is "<timestamp>.<body>", so split it as timestamp 0 does not fit; check the
        // construction against a direct HMAC instead.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let direct = mac.finalize().into_bytes();
        let hex: String = direct.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = signature("secret-secret-secret", 1_700_000_000, b"{}");
        assert!(s.starts_with("sha256=") && s.len() == 71);
        assert_ne!(s, signature("secret-secret-secret", 1_700_000_001, b"{}"));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_ends() {
        let s = NotifySettings {
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(25),
            max_attempts: 4,
            ..Default::default()
        };
        let now = chrono::Utc::now();
        let wait = |n| next_attempt(&s, n, now).map(|t| (t - now).num_seconds());
        assert_eq!(wait(1), Some(10));
        assert_eq!(wait(2), Some(20));
        assert_eq!(wait(3), Some(25));
        assert_eq!(wait(4), None);
    }
}
