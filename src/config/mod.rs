//! Configuration: the service config (`jiance.toml`) and source declarations (`[[source]]` blocks).
//!
//! Owns parsing and validation only; every other stage receives these typed values. Files are TOML,
//! unknown keys are rejected, and every error names the file and line (see [`ConfigError`]).

mod notify;
mod schedule;
mod source;

pub use notify::*;
pub use schedule::*;
pub use source::*;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A config or rule-file error, located in its file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    pub file: String,
    /// 1-based line; 0 when the error is about the file as a whole.
    pub line: usize,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// Turn a TOML parse error into a located error.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let line = err.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        ConfigError::new(file, line, err.message().to_string())
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based line of `key = …` inside `[section]`; the section's header line when the key is not
/// written there; 0 when neither is found.
pub fn line_of_key(text: &str, section: &str, key: &str) -> usize {
    let header = format!("[{section}]");
    let mut header_line = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if header_line.is_some() {
                break;
            }
            if t == header {
                header_line = Some(i + 1);
            }
            continue;
        }
        if header_line.is_some() && t.split('=').next().map(str::trim) == Some(key) {
            return i + 1;
        }
    }
    header_line.unwrap_or(0)
}

/// The line of the `key = value` line for `key` inside the `n`-th `[[table]]` block of a file
/// (for errors found after deserialising, which carry no span). Falls back to the block's header
/// line, then to 0.
pub fn line_in_block(text: &str, table: &str, n: usize, key: &str) -> usize {
    let header = format!("[[{table}]]");
    let mut seen = 0usize;
    let mut block_start = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == header {
            if seen == n {
                block_start = Some(i);
            } else if block_start.is_some() {
                break;
            }
            seen += 1;
            continue;
        }
        if let Some(start) = block_start {
            if t.starts_with("[[") && !t.starts_with(&format!("[[{table}.")) {
                return start + 1;
            }
            let k = t.split('=').next().unwrap_or("").trim();
            if !key.is_empty() && k == key {
                return i + 1;
            }
        }
    }
    block_start.map(|s| s + 1).unwrap_or(0)
}

/// The service config: where data lives, which rules and sources to use, and stage settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Data directory (archive/, index/, state.sqlite, signals/).
    pub data_dir: PathBuf,
    /// Rules directory (products.toml, hazards.toml, cues.toml, scoring.toml); embedded defaults
    /// when absent.
    #[serde(default)]
    pub rules_dir: Option<PathBuf>,
    /// Dictionaries directory (jieba user dictionaries, regions); embedded defaults when absent.
    #[serde(default)]
    pub dictionaries_dir: Option<PathBuf>,
    /// Source files to load (each holds `[[source]]` blocks); relative to the config file.
    #[serde(default)]
    pub source_files: Vec<PathBuf>,
    /// Sources declared inline.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub crawl: CrawlSettings,
    #[serde(default)]
    pub serve: ServeSettings,
    #[serde(default)]
    pub score: ScoreSettings,
    #[serde(default)]
    pub queue: QueueSettings,
    /// Watch-rule notifications: webhooks, e-mail, digests, retries.
    #[serde(default)]
    pub notify: NotifySettings,
    /// `[[schedule]]` blocks as written; `schedules` holds them validated.
    #[serde(default, rename = "schedule")]
    pub schedule_blocks: Vec<ScheduleConfig>,
    /// Jobs `jiance run` starts at cron times (validated, paths resolved).
    #[serde(skip)]
    pub schedules: Vec<Scheduled>,
}

/// Documents per index commit unless `[crawl] commit_every` says otherwise.
pub const DEFAULT_COMMIT_EVERY: usize = 200;

/// Global crawler settings; each source may override the politeness part.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    pub user_agent: String,
    /// Default requests per second per host.
    pub rps: f64,
    /// Concurrent requests over all hosts.
    pub concurrency: usize,
    /// Concurrent requests per host.
    pub per_host_concurrency: usize,
    #[serde(with = "humantime_serde_compat")]
    pub connect_timeout: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    /// Largest body kept, in bytes (after decompression).
    pub max_body: usize,
    pub max_redirects: usize,
    /// Attempts per URL before it is parked.
    pub retries: u32,
    pub obey_robots: bool,
    /// How long a host's robots.txt is reused across passes (kept in the crawl state, so fetch
    /// workers on several machines share it); `0s` reads it again every pass. RFC 9309 asks for
    /// at most 24 h. A 5xx answer or no answer is never kept.
    #[serde(with = "humantime_serde_compat")]
    pub robots_cache: Duration,
    /// WARC file size at which a new file is started.
    pub archive_rotate_bytes: u64,
    /// Documents per index commit (at most 3 s apart): a crash re-fetches at most this many.
    pub commit_every: usize,
    /// Headless Chromium for sources with `render = "chromium"`; default `JIANCE_CHROMIUM`, else
    /// `/usr/bin/chromium` (Debian's package).
    pub chromium: Option<std::path::PathBuf>,
    /// Virtual time a rendered page's scripts get (timers and loads fast-forwarded).
    #[serde(with = "humantime_serde_compat")]
    pub render_budget: Duration,
    /// Wall time before a rendering browser is killed (`render-timeout`).
    #[serde(with = "humantime_serde_compat")]
    pub render_timeout: Duration,
    /// Browsers running at once (each takes a few hundred MB).
    pub render_concurrency: usize,
    /// Host names fetched at a fixed address instead of through DNS (the demo's fixed host
    /// names → its servers' loopback ports); not a config key. When set, no proxy is used.
    #[serde(skip)]
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent: format!(
                "jiance/{} (+product-safety monitoring; contact: set crawl.user_agent)",
                env!("CARGO_PKG_VERSION")
            ),
            rps: 1.0,
            concurrency: 16,
            per_host_concurrency: 2,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            max_redirects: 5,
            retries: 3,
            obey_robots: true,
            robots_cache: Duration::from_secs(6 * 3600),
            archive_rotate_bytes: 256 * 1024 * 1024,
            commit_every: DEFAULT_COMMIT_EVERY,
            chromium: None,
            render_budget: Duration::from_secs(5),
            render_timeout: Duration::from_secs(30),
            render_concurrency: 2,
            resolve: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeSettings {
    pub listen: String,
    /// Bearer tokens that may read (dashboard data, API GETs, feed, metrics). The environment's
    /// `JIANCE_TOKEN_VIEWER` (comma-separated) adds to these.
    pub viewer_tokens: Vec<String>,
    /// Bearer tokens that may read and write (acknowledge, inspection results). The
    /// environment's `JIANCE_TOKEN_OPERATOR` adds to these.
    pub operator_tokens: Vec<String>,
    /// Reads need no token (writes still need an operator token).
    pub open_reads: bool,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            listen: "127.0.0.1:8080".into(),
            viewer_tokens: Vec::new(),
            operator_tokens: Vec::new(),
            open_reads: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreSettings {
    /// How often `jiance run` rescores.
    #[serde(with = "humantime_serde_compat")]
    pub interval: Duration,
}

impl Default for ScoreSettings {
    fn default() -> Self {
        ScoreSettings {
            interval: Duration::from_secs(600),
        }
    }
}

/// How pages travel between the crawler, the per-page work and the sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueKind {
    /// Bounded channels inside one process (one machine; no server needed).
    #[default]
    Memory,
    /// NATS JetStream work-queue streams: fetch, analyze and sink workers in separate processes,
    /// on as many machines as needed (`jiance worker`).
    Nats,
}

/// `[queue]`: the transport between stages. The NATS settings are read only with `kind = "nats"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueSettings {
    pub kind: QueueKind,
    /// NATS server(s), comma-separated (`nats://host:4222`).
    pub url: String,
    /// Prefix of every stream, subject, consumer and bucket name, so that two deployments (or
    /// tests) can share one server.
    pub prefix: String,
    /// How long a delivered message may go unacknowledged before it is delivered again (slow
    /// work sends progress acks at a third of it).
    #[serde(with = "humantime_serde_compat")]
    pub ack_wait: Duration,
    /// Deliveries of one message before it is terminated as poison and counted.
    pub max_deliver: i64,
    /// Messages delivered and not yet acknowledged per consumer: the back-pressure bound.
    pub max_ack_pending: i64,
    /// A message larger than this (an encoded page with its attachments) goes through the
    /// JetStream object store; the stream carries its name.
    pub inline_limit: usize,
    /// Host crawl jobs one fetch worker runs at once.
    pub fetch_jobs: usize,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            kind: QueueKind::Memory,
            url: "nats://127.0.0.1:4222".into(),
            prefix: "jiance".into(),
            ack_wait: Duration::from_secs(60),
            max_deliver: 5,
            max_ack_pending: 256,
            inline_limit: 512 * 1024,
            fetch_jobs: 8,
        }
    }
}

/// Durations written as humantime strings ("30s", "1h 30m").
pub mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s)
            .map_err(|e| serde::de::Error::custom(format!("bad duration {s:?}: {e}")))
    }
}

impl Config {
    /// Read and validate a config file and the source files it names.
    pub fn load(path: &Path) -> Result<Config, Vec<ConfigError>> {
        let text = read_text(path).map_err(|e| vec![e])?;
        Config::from_str_at(&text, path)
    }

    /// Parse config text as if read from `path` (relative paths resolve against its folder).
    pub fn from_str_at(text: &str, path: &Path) -> Result<Config, Vec<ConfigError>> {
        let file = path.display().to_string();
        let mut cfg: Config =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(&file, text, &e)])?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut errors = Vec::new();
        for (i, s) in cfg.sources.iter().enumerate() {
            errors.extend(s.validate(&file, text, i));
        }
        let mut loaded = Vec::new();
        for rel in &cfg.source_files {
            let p = base.join(rel);
            match load_source_file(&p) {
                Ok(mut v) => loaded.append(&mut v),
                Err(mut e) => errors.append(&mut e),
            }
        }
        cfg.sources.append(&mut loaded);
        cfg.rules_dir = cfg.rules_dir.map(|d| base.join(d));
        cfg.dictionaries_dir = cfg.dictionaries_dir.map(|d| base.join(d));
        cfg.data_dir = base.join(&cfg.data_dir);
        errors.extend(check_unique_names(&cfg.sources, &file, text));
        let names: Vec<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
        let (mut jobs, errs) = validate_schedules(&cfg.schedule_blocks, &names, &file, text);
        errors.extend(errs);
        for j in &mut jobs {
            j.job.resolve(base);
        }
        cfg.schedules = jobs;
        errors.extend(cfg.notify.validate(&file, text));
        cfg.notify.resolve(base);
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(errors)
        }
    }
}

/// A config or rule file's text; invalid UTF-8 is reported at the line and column of its first
/// bad byte (files are UTF-8; a GBK-saved file is the usual cause).
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    let file = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| ConfigError::new(&file, 0, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..bad];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        ConfigError::new(
            &file,
            line,
            format!(
                "not UTF-8 (byte 0x{:02x} at column {column}); save the file as UTF-8",
                e.as_bytes()[bad]
            ),
        )
    })
}

/// `[[source]]` blocks of one file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    #[serde(default, rename = "source")]
    sources: Vec<SourceConfig>,
}

/// Read and validate a file of `[[source]]` blocks.
pub fn load_source_file(path: &Path) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
    let file = path.display().to_string();
    let text = read_text(path).map_err(|e| vec![e])?;
    parse_sources(&text, &file)
}

/// Parse and validate `[[source]]` blocks from text; `file` names it in errors.
pub fn parse_sources(text: &str, file: &str) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
    let parsed: SourceFile =
        toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
    let mut errors: Vec<ConfigError> = parsed
        .sources
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.validate(file, text, i))
        .collect();
    errors.extend(check_unique_names(&parsed.sources, file, text));
    if errors.is_empty() {
        Ok(parsed.sources)
    } else {
        Err(errors)
    }
}

/// Refuse a source name declared twice, at the second declaration's `name` line (a source of
/// `file`'s own `[[source]]` blocks), else at its `source_files` line.
fn check_unique_names(sources: &[SourceConfig], file: &str, text: &str) -> Vec<ConfigError> {
    let own = text.lines().filter(|l| l.trim() == "[[source]]").count();
    let mut seen = std::collections::HashSet::new();
    sources
        .iter()
        .enumerate()
        .filter(|(_, s)| !seen.insert(s.name.as_str()))
        .map(|(i, s)| {
            let line = if i < own {
                line_in_block(text, "source", i, "name")
            } else {
                text.lines()
                    .position(|l| l.trim_start().starts_with("source_files"))
                    .map_or(0, |p| p + 1)
            };
            ConfigError::new(
                file,
                line,
                format!("source name {:?} is declared twice", s.name),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deploy_example_config_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/jiance.toml");
        let cfg = Config::load(&path).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(cfg.sources.len() >= 2);
        assert_eq!(cfg.crawl.rps, 1.0);
        assert!(cfg.crawl.obey_robots);
        assert_eq!(cfg.score.interval, Duration::from_secs(600));
        let jobs: Vec<&str> = cfg.schedules.iter().map(|s| s.job.kind()).collect();
        assert_eq!(jobs, ["rerun", "report", "report", "prune"]);
    }

    /// A site's faces (HTML pages, feed, API) are one publisher unless the config says otherwise
    /// (issue 16: the complaint board's HTML and API sources corroborated each other).
    #[test]
    fn sources_of_one_site_share_a_publisher() {
        let text = r#"
[[source]]
name = "web"
kind = "html"
channel = "complaint"
start = ["https://www.tousu.example.cn/list?page=1"]
[source.list]
links = "a"
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "api"
kind = "json"
channel = "complaint"
start = ["https://api.tousu.example.cn/v1/complaints"]
[source.api]
items = "data"
fields = { title = "t", text = "x" }

[[source]]
name = "local"
kind = "feed"
channel = "media"
start = ["http://127.0.0.1:8123/rss.xml"]
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "other-port"
kind = "feed"
channel = "media"
start = ["http://127.0.0.1:8124/rss.xml"]
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "named"
kind = "feed"
channel = "media"
publisher = "浙江日报"
start = ["https://www.tousu.example.cn/rss.xml"]
[source.detail]
title = "h1"
text = "p"
"#;
        let sources = parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"));
        let publishers: Vec<String> = sources.iter().map(|s| s.publisher()).collect();
        assert_eq!(
            publishers,
            [
                "tousu.example.cn",
                "tousu.example.cn",
                "127.0.0.1:8123",
                "127.0.0.1:8124",
                "浙江日报"
            ]
        );
    }

    #[test]
    fn unknown_keys_are_located() {
        let text = "data_dir = \"x\"\n[crawl]\nrps = 2.0\nrsp = 3\n";
        let errs = Config::from_str_at(text, Path::new("/etc/j.toml")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4, "{}", errs[0]);
        assert!(
            errs[0].to_string().starts_with("/etc/j.toml:4: "),
            "{}",
            errs[0]
        );
        assert!(errs[0].message.contains("rsp"));
    }

    #[test]
    fn semantic_source_errors_name_the_line() {
        let text = r#"
[[source]]
name = "a"
kind = "html"
channel = "media"
start = ["http://a.test/"]
[source.list]
links = "a.item"

[[source]]
name = "b"
kind = "html"
channel = "media"
weight = -1
start = ["ftp://b.test/", "not a url"]
[source.list]
links = "ul > > li"
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "a"
kind = "json"
channel = "complaint"
start = ["http://c.test/api"]
"#;
        let errs = parse_sources(text, "s.toml").unwrap_err();
        let lines = |needle: &str| -> Vec<usize> {
            errs.iter()
                .filter(|e| e.message.contains(needle))
                .map(|e| e.line)
                .collect()
        };
        assert_eq!(lines("weight must be positive"), [14]);
        assert_eq!(lines("scheme \"ftp\""), [15]);
        assert_eq!(lines("bad start URL"), [15]);
        assert_eq!(lines("bad CSS selector"), [17]);
        // an html source without [source.detail] reads its pages by generic extraction (issue 17)
        assert_eq!(lines("[source.detail]"), Vec::<usize>::new());
        assert_eq!(lines("json sources need a [source.api]"), [24]);
        // regression (issue 16, 7): the duplicate was reported at line 0
        assert_eq!(lines("declared twice"), [23]);
        // and a bad selector said "Unexpected error occurred. Please report this to the developer"
        let sel = errs
            .iter()
            .find(|e| e.message.contains("bad CSS selector"))
            .unwrap();
        assert!(
            !sel.message.contains("report this") && sel.message.contains("ul > > li"),
            "{}",
            sel.message
        );
    }

    /// Regression (issue 16, 7): malformed dotted paths passed the check.
    #[test]
    fn malformed_api_paths_are_refused_at_their_line() {
        let text = r#"[[source]]
name = "api"
kind = "json"
channel = "complaint"
start = ["http://c.test/api"]
[source.api]
items = "data..[[items"
fields = { title = "t", text = "body.", id = "id" }
"#;
        let errs = parse_sources(text, "s.toml").unwrap_err();
        let items: Vec<&ConfigError> = errs
            .iter()
            .filter(|e| e.message.contains("for items"))
            .collect();
        assert_eq!(items.len(), 1, "{errs:?}");
        assert_eq!(items[0].line, 7);
        assert!(
            errs.iter()
                .any(|e| e.message.contains("for text") && e.line == 8),
            "{errs:?}"
        );
        assert!(!errs.iter().any(|e| e.message.contains("for title")));
        let ok = text
            .replace("data..[[items", "data.items.0.list")
            .replace("body.", "body");
        assert!(parse_sources(&ok, "s.toml").is_ok());
    }

    /// Regression (issue 16, 7): a file that is not UTF-8 was reported at line 0.
    #[test]
    fn a_file_that_is_not_utf8_is_reported_at_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.toml");
        let (gbk, _, _) = encoding_rs::GBK.encode("[[source]]\nname = \"局\"\n");
        std::fs::write(&path, &gbk).unwrap();
        let e = load_source_file(&path).unwrap_err();
        assert_eq!(
            (e[0].line, e[0].message.contains("column 9")),
            (2, true),
            "{e:?}"
        );
        assert!(e[0].message.contains("UTF-8"));
    }

    #[test]
    fn toml_syntax_errors_are_located() {
        let errs = parse_sources("[[source]]\nname = \"x\nkind = 1\n", "bad.toml").unwrap_err();
        assert_eq!(errs[0].file, "bad.toml");
        assert_eq!(errs[0].line, 2);
    }
}
