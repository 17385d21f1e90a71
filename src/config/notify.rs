//! `[notify]` and `[notify.smtp]`: how `jiance run` delivers watch-rule notifications — how often
//! it matches and sends, retries and their back-off, when the daily digest goes out, and the
//! SMTP server for e-mail. Checked with the key's line for each error.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, humantime_serde_compat};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    /// How often `jiance run` matches new alerts and documents and sends what is due.
    #[serde(with = "humantime_serde_compat")]
    pub interval: Duration,
    /// Beijing time (HH:MM) from which the previous day's digests go out.
    pub digest_at: String,
    /// Attempts per message before it is given up as failed.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled after each failure up to `max_backoff`.
    #[serde(with = "humantime_serde_compat")]
    pub backoff: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub max_backoff: Duration,
    /// Time limit of one webhook request or SMTP conversation.
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    /// The dashboard's address as readers reach it, for links in messages
    /// (`https://jiance.example.org`); no links without it.
    pub dashboard_url: Option<String>,
    pub smtp: Option<SmtpSettings>,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            interval: Duration::from_secs(30),
            digest_at: "08:00".into(),
            max_attempts: 6,
            backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
            dashboard_url: None,
            smtp: None,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS; refused if the server does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only for a relay on the same host.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    /// Login name; no authentication without it.
    #[serde(default)]
    pub user: Option<String>,
    /// The environment variable holding the password (never the password itself).
    #[serde(default = "default_password_env")]
    pub password_env: String,
    /// Sender: `jiance@example.org` or `监测中心 <jiance@example.org>`.
    pub from: String,
    #[serde(default)]
    pub tls: SmtpTls,
    /// A PEM file of extra trusted certificates (a private CA), beside the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_port() -> u16 {
    587
}

fn default_password_env() -> String {
    "JIANCE_SMTP_PASSWORD".into()
}

/// `HH:MM` as minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The line of `key = …` inside the `[section]` table, else the header's line, else 0.
fn line_in_table(text: &str, section: &str, key: &str) -> usize {
    let header = format!("[{section}]");
    let mut inside = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if t == header {
                inside = Some(i);
            } else if inside.is_some() {
                break;
            }
            continue;
        }
        if inside.is_some() && t.split('=').next().unwrap_or("").trim() == key {
            return i + 1;
        }
    }
    inside.map_or(0, |i| i + 1)
}

/// Whether `s` reads as one e-mail address, bare or as `Name <addr>`.
pub fn plausible_address(s: &str) -> bool {
    let addr = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b && b == s.trim_end().len() - 1 => &s[a + 1..b],
        _ => s.trim(),
    };
    match addr.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !addr.chars().any(|c| c.is_whitespace() || c == ',')
        }
        None => false,
    }
}

impl NotifySettings {
    pub fn validate(&self, file: &str, text: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let mut err = |section: &str, key: &str, message: String| {
            errors.push(ConfigError::new(
                file,
                line_in_table(text, section, key),
                message,
            ))
        };
        if self.interval.is_zero() {
            err("notify", "interval", "interval must be above zero".into());
        }
        if parse_hhmm(&self.digest_at).is_none() {
            err(
                "notify",
                "digest_at",
                format!(
                    "digest_at {:?}: expected HH:MM (Beijing time)",
                    self.digest_at
                ),
            );
        }
        if self.max_attempts == 0 || self.max_attempts > 50 {
            err(
                "notify",
                "max_attempts",
                format!("max_attempts {} must be 1 to 50", self.max_attempts),
            );
        }
        if self.backoff.is_zero() || self.backoff > self.max_backoff {
            err(
                "notify",
                "backoff",
                "backoff must be above zero and at most max_backoff".into(),
            );
        }
        if self.timeout.is_zero() {
            err("notify", "timeout", "timeout must be above zero".into());
        }
        if let Some(u) = &self.dashboard_url {
            match url::Url::parse(u) {
                Ok(p) if matches!(p.scheme(), "http" | "https") => {}
                _ => err(
                    "notify",
                    "dashboard_url",
                    format!("dashboard_url {u:?} is not an http(s) URL"),
                ),
            }
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                err("notify.smtp", "host", "host is empty".into());
            }
            if smtp.port == 0 {
                err("notify.smtp", "port", "port must be 1 to 65535".into());
            }
            if !plausible_address(&smtp.from) {
                err(
                    "notify.smtp",
                    "from",
                    format!(
                        "from {:?} is not an e-mail address (name@host or Name <name@host>)",
                        smtp.from
                    ),
                );
            }
            let env_ok = !smtp.password_env.is_empty()
                && smtp
                    .password_env
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !smtp.password_env.starts_with(|c: char| c.is_ascii_digit());
            if !env_ok {
                err(
                    "notify.smtp",
                    "password_env",
                    format!(
                        "password_env {:?} is not an environment variable name (the password itself never goes in the file)",
                        smtp.password_env
                    ),
                );
            }
            if smtp.tls == SmtpTls::None && smtp.user.is_some() {
                err(
                    "notify.smtp",
                    "tls",
                    "tls = \"none\" with a user would send the password in clear: use starttls or tls"
                        .into(),
                );
            }
        }
        errors
    }

    /// Resolve relative paths against the config file's folder.
    pub fn resolve(&mut self, base: &std::path::Path) {
        if let Some(smtp) = &mut self.smtp
            && let Some(ca) = &mut smtp.ca_file
        {
            *ca = base.join(&*ca);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_lines() {
        let text = "data_dir = \"d\"\n[notify]\ninterval = \"5s\"\ndigest_at = \"25:00\"\n[notify.smtp]\nhost = \"mail\"\nfrom = \"nobody\"\ntls = \"none\"\nuser = \"u\"\n";
        let cfg = crate::config::Config::from_str_at(text, std::path::Path::new("j.toml"));
        let errors = cfg.err().unwrap();
        let lines: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0].0, 4);
        assert_eq!(lines[1].0, 7);
        assert_eq!(lines[2].0, 8);
        let bad =
            "data_dir = \"d\"\n[notify.smtp]\nhost = \"m\"\nfrom = \"a@b.cn\"\ntls = \"ssl\"\n";
        let e = crate::config::Config::from_str_at(bad, std::path::Path::new("j.toml"))
            .err()
            .unwrap();
        assert_eq!(e[0].line, 5, "{e:?}");
        assert!(plausible_address("监测中心 <jc@example.org>"));
        assert!(!plausible_address("jc@localhost"));
        assert_eq!(parse_hhmm("08:30"), Some(510));
    }
}
