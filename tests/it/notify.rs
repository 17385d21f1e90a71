//! Watch rules end to end on loopback: rules added with `jiance watch add`, alerts stored as a
//! scoring run stores them, documents as the sink stores them, one notification pass after
//! another. A webhook receiver (axum on 127.0.0.1) gets a signed POST whose signature is checked
//! here with the secret; a receiver that answers 500 is retried with back-off and then shown as
//! failed in `jiance status` and `/metrics`; an SMTP server written here (STARTTLS through
//! tokio-rustls, its certificate issued by a test CA made with the `openssl` CLI) receives the
//! immediate e-mails and the next day's digest.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use hmac::{Hmac, Mac};
use jiance::config::{NotifySettings, SmtpSettings, SmtpTls};
use jiance::model::{
    Action, Alert, AlertStatus, Channel, DocKind, Document, Extraction, RegionMention, RegionRole,
    Scope,
};
use jiance::notify::Notifier;
use jiance::store::Store;
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_rustls::rustls;

use super::{jiance, text};

#[derive(Debug, Clone)]
struct Posted {
    headers: axum::http::HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Hooks {
    ok: Arc<Mutex<Vec<Posted>>>,
    failing: Arc<Mutex<u32>>,
}

async fn webhook_receiver() -> (String, Hooks) {
    use axum::routing::post;
    let hooks = Hooks::default();
    let app = axum::Router::new()
        .route(
            "/ok",
            post(
                |axum::extract::State(h): axum::extract::State<Hooks>,
                 headers: axum::http::HeaderMap,
                 body: String| async move {
                    h.ok.lock().unwrap().push(Posted { headers, body });
                    "thanks"
                },
            ),
        )
        .route(
            "/fail",
            post(
                |axum::extract::State(h): axum::extract::State<Hooks>| async move {
                    *h.failing.lock().unwrap() += 1;
                    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down")
                },
            ),
        )
        .with_state(hooks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), hooks)
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Mail {
    rcpt: Vec<String>,
    data: String,
    /// Whether the message came after STARTTLS.
    tls: bool,
}

/// A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl command runs (test.sh installs it with the system's packages)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            text(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=jiance test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

enum Next {
    StartTls,
    Done,
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    tls: bool,
    mails: &Mutex<Vec<Mail>>,
) -> std::io::Result<Next> {
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if io.read_line(&mut line).await? == 0 {
            return Ok(Next::Done);
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &str = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            if tls {
                "250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else {
                "250-test.local\r\n250-8BITMIME\r\n250 STARTTLS\r\n"
            }
        } else if upper == "STARTTLS" && !tls {
            io.get_mut().write_all(b"220 ready for TLS\r\n").await?;
            io.get_mut().flush().await?;
            return Ok(Next::StartTls);
        } else if upper.starts_with("MAIL FROM") {
            rcpt.clear();
            "250 ok\r\n"
        } else if upper.starts_with("RCPT TO") {
            rcpt.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
            "250 ok\r\n"
        } else if upper == "DATA" {
            io.get_mut().write_all(b"354 go on\r\n").await?;
            io.get_mut().flush().await?;
            let mut data = String::new();
            loop {
                line.clear();
                if io.read_line(&mut line).await? == 0 {
                    return Ok(Next::Done);
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            mails.lock().unwrap().push(Mail {
                rcpt: std::mem::take(&mut rcpt),
                data,
                tls,
            });
            "250 queued\r\n"
        } else if upper == "QUIT" {
            io.get_mut().write_all(b"221 bye\r\n").await?;
            return Ok(Next::Done);
        } else if upper == "RSET" || upper == "NOOP" {
            "250 ok\r\n"
        } else {
            "502 not implemented\r\n"
        };
        io.get_mut().write_all(reply.as_bytes()).await?;
        io.get_mut().flush().await?;
    }
}

async fn smtp_server(dir: &Path) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("cert.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let m = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, mails) = (acceptor.clone(), m.clone());
            tokio::spawn(async move {
                let mut io = BufReader::new(tcp);
                io.get_mut()
                    .write_all(b"220 test.local ESMTP\r\n")
                    .await
                    .ok()?;
                if let Next::StartTls = converse(&mut io, false, &mails).await.ok()? {
                    let tls = acceptor.accept(io.into_inner()).await.ok()?;
                    converse(&mut BufReader::new(tls), true, &mails)
                        .await
                        .ok()?;
                }
                Some(())
            });
        }
    });
    (port, mails)
}

/// The decoded text of a single-part message (base64 or quoted-printable, as lettre chose).
fn mail_body(data: &str) -> String {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(base64_decode(&clean)).unwrap()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let b = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, &c| (acc << 6) | val(c)) << (6 * (4 - chunk.len()));
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad.max(4 - chunk.len())]);
    }
    out
}

fn alert(id: &str, category: &str, province: &str, level: u8, summary: &str) -> Alert {
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    Alert {
        id: id.into(),
        category: category.into(),
        hazards: vec!["火灾".into()],
        scope: Scope::Regional,
        regions: vec![province.into()],
        level,
        action: Action::Notify,
        score: f64::from(level) * 3.0,
        breakdown: vec![],
        evidence: vec![],
        first_seen: day,
        updated: day,
        status: AlertStatus::New,
        summary: summary.into(),
        reasons: Vec::new(),
        daily: Vec::new(),
        jurisdictions: Vec::new(),
    }
}

fn document(id: &str, brand: &str) -> Document {
    Document {
        id: id.into(),
        source: "complaints".into(),
        channel: Channel::Complaint,
        kind: Some(DocKind::Complaint),
        url: format!("http://example.org/{id}"),
        title: format!("{brand}取暖器外壳起火"),
        text: format!("用了两周的{brand}取暖器外壳起火，商家不理。"),
        published_at: Some(Utc::now()),
        fetched_at: Utc::now(),
        fields: Default::default(),
        rows: vec![],
        region_hint: None,
        weight: 0.8,
    }
}

fn extraction(id: &str, signal: bool, brand: &str) -> Extraction {
    let mut ex = Extraction::empty(id, DocKind::Complaint);
    ex.categories = vec!["电暖器".into()];
    ex.is_signal = signal;
    ex.parties.brands = vec![brand.into()];
    ex.regions = vec![RegionMention {
        text: "杭州".into(),
        code: "330100".into(),
        province: "浙江省".into(),
        city: Some("杭州市".into()),
        role: RegionRole::Event,
    }];
    ex
}

fn add_rule(data: &Path, args: &[&str]) -> String {
    let mut all = vec!["watch", "add", "--data", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = jiance(&all);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout
        .split_whitespace()
        .nth(3)
        .expect("the rule id is printed")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_and_email_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join("state.sqlite")).unwrap();
    certificates(dir.path());
    let (hooks_base, hooks) = webhook_receiver().await;
    let (smtp_port, mails) = smtp_server(dir.path()).await;

    let secret = "a-test-secret-of-some-length";
    let ok_url = format!("{hooks_base}/ok");
    let fail_url = format!("{hooks_base}/fail");
    let heaters = add_rule(
        &data,
        &[
            "--owner",
            "wang",
            "--category",
            "电暖器",
            "--province",
            "浙江",
            "--webhook",
            &ok_url,
            "--secret",
            secret,
        ],
    );
    let failing = add_rule(
        &data,
        &["--owner", "li", "--min-level", "2", "--webhook", &fail_url],
    );
    add_rule(
        &data,
        &[
            "--owner",
            "zhao",
            "--category",
            "电暖器",
            "--email",
            "zhao@example.org",
        ],
    );
    let digest = add_rule(
        &data,
        &[
            "--owner",
            "zhao",
            "--name",
            "取暖日报",
            "--category",
            "电暖器",
            "--email",
            "digest@example.org",
            "--digest",
        ],
    );
    // a rule nothing below matches: toys, but in Beijing
    add_rule(
        &data,
        &[
            "--owner",
            "wang",
            "--category",
            "儿童玩具",
            "--province",
            "北京",
            "--webhook",
            &ok_url,
            "--secret",
            secret,
        ],
    );
    // a brand rule: the alerts below name no brand, the documents stored later do
    let brand = add_rule(
        &data,
        &[
            "--owner",
            "qian",
            "--brand",
            "暖阳",
            "--webhook",
            &ok_url,
            "--secret",
            secret,
        ],
    );
    let listed = jiance(&["watch", "list", "--data", data.to_str().unwrap()]);
    let listed = text(&listed.stdout);
    assert_eq!(listed.lines().count(), 6, "{listed}");
    assert!(!listed.contains(secret), "secrets stay hidden: {listed}");

    // a scoring run stores two alerts: a level-3 heater alert in Zhejiang, a level-1 toy one
    store
        .put_alerts(
            &[
                alert("a-heat", "电暖器", "浙江省", 3, "浙江省电暖器起火投诉增多"),
                alert("a-toy", "儿童玩具", "广东省", 1, "广东省儿童玩具小零件"),
            ],
            &[],
        )
        .unwrap();

    let settings = NotifySettings {
        max_attempts: 3,
        backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        timeout: Duration::from_secs(10),
        digest_at: "08:00".into(),
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: smtp_port,
            user: None,
            password_env: "JIANCE_SMTP_PASSWORD".into(),
            from: "监测中心 <jiance@example.org>".into(),
            tls: SmtpTls::Starttls,
            ca_file: Some(dir.path().join("ca.pem")),
        }),
        ..Default::default()
    };
    let notifier = Notifier::new(store.clone(), None, settings);
    let now = Utc::now();
    let today = jiance::model::china_day(now);
    let first = notifier.pass(now).await.unwrap();
    assert_eq!(first.matched, 4, "{first:?}");
    assert_eq!(
        (first.sent, first.retried, first.failed),
        (2, 1, 0),
        "{first:?}"
    );

    // the signed POST: the signature verifies with the secret over "<timestamp>.<body>"
    let posted = hooks.ok.lock().unwrap().clone();
    assert_eq!(posted.len(), 1, "only the heater rule posts");
    let p = &posted[0];
    let ts = p.headers["x-jiance-timestamp"].to_str().unwrap();
    let sig = p.headers["x-jiance-signature"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{}", p.body).as_bytes());
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sig, format!("sha256={want}"));
    let mut forged = Hmac::<Sha256>::new_from_slice(b"another secret entirely").unwrap();
    forged.update(format!("{ts}.{}", p.body).as_bytes());
    assert_ne!(
        sig.trim_start_matches("sha256="),
        format!("{:x}", forged.finalize().into_bytes())
    );
    let body: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(body["items"][0]["id"], "a-heat");
    assert_eq!(body["items"][0]["level"], 3);
    assert_eq!(body["rule"]["id"], heaters.as_str());
    assert_eq!(p.headers["idempotency-key"].to_str().unwrap(), body["id"]);

    // the immediate e-mail went over STARTTLS to its address
    {
        let mails = mails.lock().unwrap();
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(mails[0].tls, "the message was sent after STARTTLS");
        assert_eq!(mails[0].rcpt, vec!["zhao@example.org".to_string()]);
        let text = mail_body(&mails[0].data);
        assert!(text.contains("浙江省电暖器起火投诉增多"), "{text}");
    }

    // the failing receiver: retried with back-off until the attempts are used up
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        notifier.pass(Utc::now()).await.unwrap();
        if store.notify_summary().unwrap().failed.len() == 1 {
            break;
        }
    }
    assert_eq!(
        *hooks.failing.lock().unwrap(),
        3,
        "three attempts, then given up"
    );
    let summary = store.notify_summary().unwrap();
    assert_eq!(summary.failed.len(), 1);
    assert_eq!(summary.failed[0].rule_id, failing);
    let metrics = jiance::notify::metrics_text(&summary);
    assert!(
        metrics.contains("jiance_notify_failures_total{channel=\"webhook\",reason=\"http-500\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("jiance_notify_messages{channel=\"webhook\",state=\"failed\"} 1"));
    let status = jiance(&["status", "--data", data.to_str().unwrap()]);
    let status = text(&status.stdout);
    assert!(status.contains("FAILED webhook"), "{status}");
    assert!(status.contains("http-500"), "{status}");

    // nothing is sent twice: the same alerts again add nothing, the receiver saw one POST
    assert_eq!(notifier.scan(Utc::now()).unwrap(), 0);
    assert_eq!(hooks.ok.lock().unwrap().len(), 1);

    // documents as the sink stores them: a signal naming the brand is posted to the brand rule;
    // a non-signal one naming it is not, and neither is one stored before a rule existed
    store
        .put_document(
            &document("d-heater", "暖阳电器"),
            &extraction("d-heater", true, "暖阳电器"),
            &[],
        )
        .unwrap();
    store
        .put_document(
            &document("d-ad", "暖阳"),
            &extraction("d-ad", false, "暖阳"),
            &[],
        )
        .unwrap();
    let r = notifier.pass(Utc::now()).await.unwrap();
    // the brand rule, and by category (电暖器 in 浙江省) the heater, zhao and digest rules
    assert_eq!((r.matched, r.sent), (4, 3), "{r:?}");
    let posted = hooks.ok.lock().unwrap().clone();
    assert_eq!(posted.len(), 3);
    let bodies: Vec<serde_json::Value> = posted[1..]
        .iter()
        .map(|p| serde_json::from_str(&p.body).unwrap())
        .collect();
    let body = bodies
        .iter()
        .find(|b| b["rule"]["id"] == brand.as_str())
        .expect("the brand rule posted");
    assert!(bodies.iter().any(|b| b["rule"]["id"] == heaters.as_str()));
    assert_eq!(body["rule"]["id"], brand.as_str());
    assert_eq!(body["items"][0]["kind"], "document");
    assert_eq!(body["items"][0]["id"], "d-heater");
    assert_eq!(body["items"][0]["url"], "http://example.org/d-heater");
    add_rule(
        &data,
        &[
            "--owner",
            "sun",
            "--brand",
            "暖阳",
            "--email",
            "late@example.org",
        ],
    );
    assert_eq!(
        notifier.scan(Utc::now()).unwrap(),
        0,
        "a new rule starts after it"
    );

    // the digest: nothing before 08:00 (Beijing) the next day, then one e-mail with the day's
    // matches
    let tomorrow = |h: u32| {
        (today + chrono::Duration::days(1))
            .and_hms_opt(h, 0, 0)
            .unwrap()
            .and_utc()
            - chrono::Duration::hours(8)
    };
    assert_eq!(notifier.pass(tomorrow(7)).await.unwrap().digests, 0);
    let next_morning = tomorrow(9);
    let r = notifier.pass(next_morning).await.unwrap();
    assert_eq!((r.digests, r.sent), (1, 1), "{r:?}");
    let r = notifier.pass(next_morning).await.unwrap();
    assert_eq!((r.digests, r.sent), (0, 0), "{r:?}");
    let mails = mails.lock().unwrap().clone();
    // the alert and the document to zhao at once, then the digest of both
    assert_eq!(mails.len(), 3);
    assert_eq!(mails[2].rcpt, vec!["digest@example.org".to_string()]);
    let text = mail_body(&mails[2].data);
    assert!(text.contains(&today.to_string()), "{text}");
    assert!(text.contains("2 条"), "{text}");
    assert!(text.contains("暖阳电器取暖器外壳起火"), "{text}");
    assert!(text.contains(&digest), "{text}");
    assert!(text.contains("浙江省电暖器起火投诉增多"), "{text}");
}
