//! WARC/1.1 archive (ISO 28500): writer (one gzip member per record, size-rotated files) and reader.
//!
//! The crawler appends every exchange here *before* anything parses it, so the archive is the raw
//! truth that `jiance rerun` replays. Writing: `request` + `response` + `metadata` records per
//! exchange (or `request` + `metadata` when no response came back), each record its own gzip
//! member so any tool (warcio, pywb) can seek to a record and a crash's truncated tail only costs
//! the last member. Reading: any standard WARC/1.0 or 1.1 file, gzipped per record or plain;
//! responses come back as [`Fetched`], with source and role from our `metadata` record when there
//! is one. A page rendered in a browser adds a `conversion` record (the DOM, `WARC-Refers-To` its
//! response) and its metadata; read back, the rendering takes the response's place
//! ([`ArchiveReader`]).
//!
//! Bodies are stored as the crawler received them after content decoding (reqwest undoes gzip /
//! brotli), so the archived HTTP header block never carries `Content-Encoding` or
//! `Transfer-Encoding` for our own records; the reader still undoes chunking and gzip/deflate for
//! other tools' raw records.
//!
//! `write.rs` holds the writer, `read.rs` the reader.

use std::io;
use std::path::PathBuf;

mod read;
mod write;

pub use read::{ArchiveReader, RENDER_WINDOW, read_dir, read_file};
pub use write::{ArchiveWriter, Conversion, Exchange, sha1_b32};

/// record in a plain file).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{}: offset {offset}: {message}", file.display())]
    Corrupt {
        file: PathBuf,
        offset: u64,
        message: String,
    },
    #[error("{}: {source}", file.display())]
    Io { file: PathBuf, source: io::Error },
}

#[cfg(test)]
mod tests {
    use super::write::base32;
    use super::*;
    use crate::model::{Fetched, PageRole, Timestamp};
    use chrono::TimeZone;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::fs::{File, OpenOptions};
    use std::io::{Read, Write};
    use std::path::Path;

    fn ts(secs: i64) -> Timestamp {
        chrono::Utc
            .timestamp_opt(1_770_000_000 + secs, 123_456_000)
            .single()
            .unwrap_or_default()
    }

    struct Owned {
        source: String,
        role: PageRole,
        url: String,
        status: Option<u16>,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        at: Timestamp,
        error: Option<String>,
    }

    fn samples() -> Vec<Owned> {
        let (gbk, _, _) = encoding_rs::GBK.encode("<html><meta charset=gbk><p>某品牌儿童电动滑板车刹车失灵，消费者投诉至12315。</p></html>");
        let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let mut v = Vec::new();
        for i in 0..12 {
            let (body, ct) = match i % 4 {
                0 => (gbk.to_vec(), "text/html; charset=gbk"),
                1 => (binary.clone(), "image/png"),
                2 => (
                    "{\"items\":[{\"title\":\"移动电源召回公告\"}]}"
                        .as_bytes()
                        .to_vec(),
                    "application/json",
                ),
                _ => (
                    "<p>浙江省市场监管局：2026年第3批电热水壶抽检结果</p>\r\n\r\nWARC/1.1 in body"
                        .as_bytes()
                        .to_vec(),
                    "text/html; charset=utf-8",
                ),
            };
            v.push(Owned {
                source: format!("site-{}", i % 3),
                role: if i % 2 == 0 {
                    PageRole::Detail
                } else {
                    PageRole::Api
                },
                url: format!("http://127.0.0.1:8080/item/{i}?q=%E5%84%BF%E7%AB%A5"),
                status: Some(if i == 5 { 404 } else { 200 }),
                headers: vec![
                    ("content-type".into(), ct.into()),
                    ("etag".into(), format!("\"v{i}\"")),
                ],
                body,
                at: ts(i),
                error: None,
            });
        }
        v
    }

    fn write_all(w: &mut ArchiveWriter, items: &[Owned]) -> Vec<String> {
        let req = vec![("User-Agent".to_string(), "jiance-test/1".to_string())];
        items
            .iter()
            .map(|o| {
                w.write(&Exchange {
                    source: &o.source,
                    role: o.role,
                    url: &o.url,
                    request_headers: &req,
                    status: o.status,
                    response_headers: &o.headers,
                    body: &o.body,
                    fetched_at: o.at,
                    error: o.error.as_deref(),
                    render: false,
                })
                .unwrap_or_else(|e| panic!("write: {e}"))
            })
            .collect()
    }

    /// Everything the reader gives for `dir`: the responses, and the errors as messages.
    fn read_split(dir: &Path) -> (Vec<Fetched>, Vec<String>) {
        let mut oks = Vec::new();
        let mut errs = Vec::new();
        for r in read_dir(dir).unwrap() {
            match r {
                Ok(f) => oks.push(f),
                Err(e) => errs.push(e.to_string()),
            }
        }
        (oks, errs)
    }

    fn warc_files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"foob"), "MZXW6YQ=");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // Known digest of the empty string as WARC tools print it.
        assert_eq!(sha1_b32(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn round_trip_with_rotation_binary_and_gbk_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        let ids = {
            // Small rotation size: every few exchanges start a new file.
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            write_all(&mut w, &items)
        };
        let files = warc_files(dir.path());
        assert!(files.len() >= 3, "expected rotation, got {files:?}");
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                name.starts_with("jiance-") && name.ends_with(".warc.gz"),
                "{name}"
            );
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(got.len(), items.len());
        for ((g, o), id) in got.iter().zip(&items).zip(&ids) {
            assert_eq!(&g.record_id, id);
            assert_eq!(g.source, o.source);
            assert_eq!(g.role, o.role);
            assert_eq!(g.url, o.url);
            assert_eq!(Some(g.status), o.status);
            assert_eq!(g.body, o.body);
            assert_eq!(g.headers, o.headers);
            assert_eq!(g.fetched_at, o.at);
        }
    }

    #[test]
    fn each_record_is_its_own_gzip_member_with_digests() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        let mut w = ArchiveWriter::open(dir.path(), u64::MAX).unwrap();
        write_all(&mut w, &items[..2]);
        let raw = std::fs::read(w.current_path()).unwrap();
        // warcinfo + 2 × (request, response, metadata)
        let members = raw.windows(3).filter(|w| w == &[0x1f, 0x8b, 0x08]).count();
        assert!(members >= 7, "{members} members");
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
        assert_eq!(text.matches("WARC-Type: request").count(), 2);
        assert_eq!(text.matches("WARC-Type: metadata").count(), 2);
        assert!(text.contains(&format!(
            "WARC-Payload-Digest: {}",
            sha1_b32(&items[1].body)
        )));
        assert!(text.contains("Content-Type: application/http;msgtype=response"));
        assert!(text.contains("HTTP/1.1 200 OK\r\n"));
    }

    #[test]
    fn failed_fetch_writes_request_and_metadata_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), u64::MAX).unwrap();
        let id = w
            .write(&Exchange {
                source: "s",
                role: PageRole::List,
                url: "http://127.0.0.1:1/list",
                request_headers: &[],
                status: None,
                response_headers: &[],
                body: &[],
                fetched_at: ts(0),
                error: Some("timeout"),
                render: false,
            })
            .unwrap();
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(File::open(w.current_path()).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(!text.contains("WARC-Type: response"));
        assert!(text.contains(&format!("WARC-Type: metadata\r\nWARC-Record-ID: {id}")));
        assert!(text.contains("error: timeout"));
        assert_eq!(read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn truncated_last_file_keeps_earlier_records_and_reports_offset() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        {
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            write_all(&mut w, &items);
        }
        let files = warc_files(dir.path());
        let last = files.last().unwrap();
        let len = std::fs::metadata(last).unwrap().len();
        let f = OpenOptions::new().write(true).open(last).unwrap();
        f.set_len(len - 20).unwrap();
        // A corrupt middle file: garbage appended after its good records.
        let mid = &files[0];
        let mut f = OpenOptions::new().append(true).open(mid).unwrap();
        f.write_all(&[0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7])
            .unwrap();

        let (oks, errs) = read_split(dir.path());
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].contains(&*mid.file_name().unwrap().to_string_lossy()),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].contains(&*last.file_name().unwrap().to_string_lossy()),
            "{}",
            errs[1]
        );
        assert!(errs[1].contains("offset"), "{}", errs[1]);
        // All but the exchange whose metadata or response was cut are intact; the cut one may
        // still come back (response intact, metadata lost) with default source.
        assert!(
            oks.len() >= items.len() - 1,
            "{} of {}",
            oks.len(),
            items.len()
        );
        for (g, o) in oks.iter().zip(&items).take(items.len() - 1) {
            assert_eq!(g.body, o.body);
            assert_eq!(g.source, o.source);
        }
    }

    /// Regression (issue 16, 5): a corrupt gzip member in the middle of a file stopped the read of
    /// the whole file. The reader now reports it once and resynchronises on the next member.
    #[test]
    fn a_corrupt_member_costs_only_its_own_records() {
        let dir = tempfile::tempdir().unwrap();
        let items = samples();
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            write_all(&mut w, &items);
        }
        let files = warc_files(dir.path());
        assert_eq!(files.len(), 1);
        let mut raw = std::fs::read(&files[0]).unwrap();
        // the members, in order, and which hold responses; damage the sixth response
        let mut cur = io::Cursor::new(&raw[..]);
        let mut responses: Vec<(usize, usize)> = Vec::new();
        while (cur.position() as usize) < raw.len() {
            let start = cur.position() as usize;
            let mut text = Vec::new();
            flate2::bufread::GzDecoder::new(&mut cur)
                .read_to_end(&mut text)
                .unwrap();
            if String::from_utf8_lossy(&text).contains("WARC-Type: response") {
                responses.push((start, cur.position() as usize));
            }
        }
        assert_eq!(responses.len(), items.len());
        let (a, b) = responses[5];
        for x in &mut raw[a + 20..b - 12] {
            *x ^= 0x5a;
        }
        std::fs::write(&files[0], &raw).unwrap();

        let (oks, errs) = read_split(dir.path());
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains(&format!("offset {a}")), "{}", errs[0]);
        let want: Vec<&Owned> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 5)
            .map(|(_, o)| o)
            .collect();
        assert_eq!(oks.len(), want.len());
        for (g, o) in oks.iter().zip(&want) {
            assert_eq!(g.body, o.body);
            assert_eq!(g.source, o.source);
        }
    }

    /// A plain WARC with garbage between two records: one error, then the next record.
    #[test]
    fn a_plain_file_resynchronises_on_the_next_version_line() {
        let dir = tempfile::tempdir().unwrap();
        let rec = |uri: &str, body: &str| {
            let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{body}");
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
        };
        let text = format!(
            "{}garbage that is no record\r\nmore of it\r\n{}",
            rec("http://a.example/1", "<p>一</p>"),
            rec("http://a.example/2", "<p>二</p>")
        );
        std::fs::write(dir.path().join("x.warc"), text).unwrap();
        let results: Vec<_> = read_dir(dir.path()).unwrap().collect();
        let urls: Vec<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|f| f.url.as_str())
            .collect();
        assert_eq!(urls, ["http://a.example/1", "http://a.example/2"]);
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    }

    #[test]
    fn fetch_workers_archives_gathered_under_one_directory_read_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let rec = |uri: &str| {
            let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>{uri}</p>");
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2026-01-02T03:04:05Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
        };
        for (worker, uri) in [
            ("fetch-b", "http://b.example/1"),
            ("fetch-a", "http://a.example/1"),
        ] {
            let d = dir.path().join(worker).join("archive");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("jiance-1.warc"), rec(uri)).unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "not an archive").unwrap();
        let urls: Vec<String> = read_dir(dir.path())
            .unwrap()
            .map(|r| r.unwrap().url)
            .collect();
        assert_eq!(
            urls,
            ["http://a.example/1", "http://b.example/1"],
            "path order"
        );
    }

    #[test]
    fn reads_plain_warc_from_another_tool_with_chunked_gzip_payload() {
        let dir = tempfile::tempdir().unwrap();
        let payload = "某地抽检：3批次儿童玩具邻苯二甲酸酯超标".as_bytes();
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(payload).unwrap();
        let gz = gz.finish().unwrap();
        let mut http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            gz.len()
        )
        .into_bytes();
        http.extend_from_slice(&gz);
        http.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut file = Vec::new();
        file.extend_from_slice(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n");
        file.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <http://example.test/a>\r\nWARC-Date: 2026-03-01T08:00:00Z\r\nWARC-Record-ID: <urn:uuid:2>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
                http.len()
            )
            .as_bytes(),
        );
        file.extend_from_slice(&http);
        file.extend_from_slice(b"\r\n\r\n");
        std::fs::write(dir.path().join("other.warc"), &file).unwrap();
        let got: Vec<_> = read_dir(dir.path()).unwrap().collect();
        assert_eq!(got.len(), 1);
        let f = got[0].as_ref().unwrap();
        assert_eq!(f.url, "http://example.test/a");
        assert_eq!(f.source, "");
        assert_eq!(f.role, PageRole::Detail);
        assert_eq!(f.body, payload);
        assert_eq!(f.header("content-type"), Some("text/plain; charset=utf-8"));
    }

    #[test]
    fn open_never_appends_to_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = ArchiveWriter::open(dir.path(), u64::MAX)
            .unwrap()
            .current_path()
            .to_path_buf();
        let b = ArchiveWriter::open(dir.path(), u64::MAX)
            .unwrap()
            .current_path()
            .to_path_buf();
        assert_ne!(a, b);
        assert_eq!(warc_files(dir.path()).len(), 2);
    }

    /// The files are standard WARC: the Python `warcio` tool (the Internet Archive community's
    /// reader, installed by test.sh) reads every record back, checks block and payload digests,
    /// and sees the same bodies. Fails, never skips, when warcio is missing (JIANCE_PYTHON).
    /// A list page archived with `render`, then other pages, then its conversion: read back as
    /// one page with the rendered body in the response's place; a marked page whose rendering
    /// never came is read as it was, and a conversion without its response on its own.
    #[test]
    fn a_rendered_page_reads_back_once_as_the_browser_built_it() {
        let dir = tempfile::tempdir().unwrap();
        let html = [(
            "content-type".to_string(),
            "text/html; charset=gbk".to_string(),
        )];
        let page = |w: &mut ArchiveWriter, url: &str, body: &[u8], render: bool, at: i64| {
            w.write(&Exchange {
                source: "spa",
                role: PageRole::List,
                url,
                request_headers: &[],
                status: Some(200),
                response_headers: &html,
                body,
                fetched_at: ts(at),
                error: None,
                render,
            })
            .unwrap()
        };
        let convert = |w: &mut ArchiveWriter, url: &str, of: &str, body: &[u8]| {
            w.write_conversion(&Conversion {
                source: "spa",
                role: PageRole::List,
                url,
                refers_to: of,
                content_type: "text/html; charset=utf-8",
                body,
                made_at: ts(50),
                by: "chromium",
            })
            .unwrap()
        };
        let conv_id;
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            let raw = page(&mut w, "http://127.0.0.1:1/list", b"<ul></ul>", true, 1);
            page(
                &mut w,
                "http://127.0.0.1:1/other",
                b"<p>plain</p>",
                false,
                2,
            );
            page(
                &mut w,
                "http://127.0.0.1:1/never",
                b"<div id=app></div>",
                true,
                3,
            );
            conv_id = convert(
                &mut w,
                "http://127.0.0.1:1/list",
                &raw,
                "<ul><li>召回</li></ul>".as_bytes(),
            );
            convert(
                &mut w,
                "http://127.0.0.1:1/orphan",
                "<urn:uuid:gone>",
                b"<p>o</p>",
            );
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        let urls: Vec<&str> = got.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:1/other",
                "http://127.0.0.1:1/list",
                "http://127.0.0.1:1/orphan",
                "http://127.0.0.1:1/never"
            ]
        );
        let list = &got[1];
        assert_eq!(list.body, "<ul><li>召回</li></ul>".as_bytes());
        assert_eq!(list.record_id, conv_id);
        assert_eq!(
            (list.source.as_str(), list.role, list.status),
            ("spa", PageRole::List, 200)
        );
        assert_eq!(list.fetched_at, ts(1), "the page keeps its fetch time");
        assert_eq!(
            list.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(got[2].body, b"<p>o</p>");
        assert_eq!(
            (got[2].source.as_str(), got[2].role),
            ("spa", PageRole::List)
        );
        assert_eq!(got[3].body, b"<div id=app></div>");
    }

    /// A marked response is let go after [`RENDER_WINDOW`] records even if a conversion of it
    /// comes later (which then reads on its own): memory stays bounded.
    #[test]
    fn a_marked_response_waits_no_longer_than_the_window() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut w = ArchiveWriter::open(dir.path(), 1 << 30).unwrap();
            let mut ex = Exchange {
                source: "spa",
                role: PageRole::Detail,
                url: "http://127.0.0.1:1/a",
                request_headers: &[],
                status: Some(200),
                response_headers: &[],
                body: b"raw",
                fetched_at: ts(0),
                error: None,
                render: true,
            };
            let raw = w.write(&ex).unwrap();
            ex.render = false;
            ex.body = b"other";
            for i in 0..RENDER_WINDOW + 5 {
                ex.url = if i % 2 == 0 {
                    "http://127.0.0.1:1/b"
                } else {
                    "http://127.0.0.1:1/c"
                };
                w.write(&ex).unwrap();
            }
            w.write_conversion(&Conversion {
                source: "spa",
                role: PageRole::Detail,
                url: "http://127.0.0.1:1/a",
                refers_to: &raw,
                content_type: "text/html; charset=utf-8",
                body: b"dom",
                made_at: ts(9),
                by: "chromium",
            })
            .unwrap();
        }
        let got: Vec<Fetched> = read_dir(dir.path()).unwrap().map(|r| r.unwrap()).collect();
        let pos = |body: &[u8]| got.iter().position(|f| f.body == body).unwrap();
        assert_eq!(
            pos(b"raw") as u64,
            RENDER_WINDOW,
            "released after the window"
        );
        assert_eq!(pos(b"dom"), got.len() - 1);
    }

    #[test]
    fn warcio_reads_our_files_with_digests_checked() {
        use sha1::{Digest, Sha1};
        let dir = tempfile::tempdir().unwrap();
        let mut items = samples();
        items.push(Owned {
            source: "site-x".into(),
            role: PageRole::Detail,
            url: "http://127.0.0.1:8080/slow".into(),
            status: None,
            headers: vec![],
            body: vec![],
            at: ts(99),
            error: Some("timeout".into()),
        });
        let dom = "<html><body><ul><li>电动自行车召回</li></ul></body></html>".as_bytes();
        {
            let mut w = ArchiveWriter::open(dir.path(), 4000).unwrap();
            let ids = write_all(&mut w, &items);
            w.write_conversion(&Conversion {
                source: "site-0",
                role: PageRole::Detail,
                url: &items[0].url,
                refers_to: &ids[0],
                content_type: "text/html; charset=utf-8",
                body: dom,
                made_at: ts(100),
                by: "chromium",
            })
            .unwrap();
        }
        let script = r#"
import sys, hashlib
from warcio.archiveiterator import ArchiveIterator
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        for rec in ArchiveIterator(f, check_digests='raise'):
            body = rec.content_stream().read()
            status = rec.http_headers.get_statuscode() if rec.http_headers else '-'
            print(rec.rec_type, rec.rec_headers.get_header('WARC-Target-URI'), status, hashlib.sha1(body).hexdigest(), sep='\t')
"#;
        let files = warc_files(dir.path());
        // The tests' Python: JIANCE_PYTHON, which ./test.sh sets to the virtual environment it
        // makes (target/py, with warcio), else that environment; never a python3 that may lack it.
        let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
        let python = std::env::var_os("JIANCE_PYTHON")
            .map(std::path::PathBuf::from)
            .or_else(|| venv.exists().then_some(venv))
            .expect(
                "no Python with warcio: ./test.sh makes the virtual environment target/py and sets \
                 JIANCE_PYTHON to its interpreter; run it once, or set JIANCE_PYTHON yourself",
            );
        let out = std::process::Command::new(&python)
            .arg("-c")
            .arg(script)
            .args(&files)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
        assert!(
            out.status.success(),
            "warcio failed (./test.sh installs it in target/py): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        let count = |t: &str| rows.iter().filter(|r| r[0] == t).count();
        assert_eq!(count("request"), items.len());
        assert_eq!(count("response"), items.len() - 1);
        assert_eq!(count("metadata"), items.len() + 1);
        let conversions: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "conversion").collect();
        assert_eq!(conversions.len(), 1);
        assert_eq!(conversions[0][1], items[0].url);
        let want: String = Sha1::digest(dom)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(conversions[0][3], want);
        let responses: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "response").collect();
        for (r, o) in responses
            .iter()
            .zip(items.iter().filter(|o| o.status.is_some()))
        {
            assert_eq!(r[1], o.url);
            assert_eq!(r[2], o.status.unwrap().to_string());
            let want: String = Sha1::digest(&o.body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(r[3], want, "payload of {}", o.url);
        }
    }
}
