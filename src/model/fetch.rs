//! What the crawler hands the parser (crawl → parse): a fetched page with why it was fetched
//! (`PageRole`), and the links a parsed page leads to (`Discovered`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Timestamp;

/// Why the crawler fetched a page; recorded in the archive so a rerun knows what each record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageRole {
    /// A list / search-result page: only links are taken from it.
    List,
    /// An RSS / Atom feed: only links are taken from it.
    Feed,
    /// A detail or article page: one document.
    Detail,
    /// A JSON API page: zero or more documents.
    Api,
    /// robots.txt.
    Robots,
    /// A file a detail page links to (a notice's spreadsheet, Word, CSV or PDF file): fetched with its page
    /// and read into that page's document (`parse::attachment`), never a document of its own.
    Attachment,
}

impl PageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PageRole::List => "list",
            PageRole::Feed => "feed",
            PageRole::Detail => "detail",
            PageRole::Api => "api",
            PageRole::Robots => "robots",
            PageRole::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<PageRole> {
        Some(match s {
            "list" => PageRole::List,
            "feed" => PageRole::Feed,
            "detail" => PageRole::Detail,
            "api" => PageRole::Api,
            "robots" => PageRole::Robots,
            "attachment" => PageRole::Attachment,
            _ => return None,
        })
    }

    /// Pages of these roles carry documents and go on to the parse stage.
    pub fn carries_documents(self) -> bool {
        matches!(self, PageRole::Detail | PageRole::Api)
    }
}

/// Links a fetched page leads to.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Discovered {
    /// Detail / article pages (absolute URLs), fetched as `PageRole::Detail`.
    pub details: Vec<String>,
    /// Further list / feed / API pages (absolute URLs), fetched with the page's own role.
    pub next: Vec<String>,
    /// `lastmod` of sitemap entries (details and further sitemaps), where given.
    pub lastmod: BTreeMap<String, Timestamp>,
    /// What the page needed repaired to be read (`feed-entities`, `feed-loose-scan`), counted by
    /// the crawler under these reasons.
    pub repairs: Vec<&'static str>,
    /// The page was a sitemap or sitemap index: its further sitemaps are all read (those whose
    /// `lastmod` says they are unchanged excepted), whether or not it led to unseen pages.
    pub sitemap: bool,
    /// Items the page itself carries as documents (script data of a listing): the crawler pages
    /// on while there are any, as it does through an API.
    pub inline_items: usize,
}

/// One HTTP response as fetched and archived (crawl → parse).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fetched {
    /// Name of the source (config `[[source]] name`).
    pub source: String,
    /// Final URL after redirects.
    pub url: String,
    pub role: PageRole,
    pub status: u16,
    /// Response headers, lower-case names, in received order.
    pub headers: Vec<(String, String)>,
    #[serde(with = "serde_bytes_b64")]
    pub body: Vec<u8>,
    pub fetched_at: Timestamp,
    /// `WARC-Record-ID` of the response record in the archive.
    pub record_id: String,
    /// Attachments of a detail page (role [`PageRole::Attachment`], each archived on its own),
    /// fetched by the crawler with the page so that the page and its files are parsed, committed
    /// and marked processed as one unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Fetched>,
}

impl Fetched {
    /// A page that came from somewhere other than a live fetch (a saved file, a demo or test
    /// page): status 200, no headers, fetched now, in no archive record, no attachments.
    pub fn page(source: &str, url: &str, role: PageRole, body: Vec<u8>) -> Fetched {
        Fetched {
            source: source.to_string(),
            url: url.to_string(),
            role,
            status: 200,
            headers: Vec::new(),
            body,
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        }
    }

    /// The page as a browser rendered it: the response's URL, status, fetch time and headers,
    /// with the rendered `body` of media type `content_type`, archived as record `record_id`.
    pub fn rendered(&mut self, body: Vec<u8>, content_type: String, record_id: String) {
        self.headers.retain(|(k, _)| k != "content-type");
        self.headers
            .push(("content-type".to_string(), content_type));
        self.body = body;
        self.record_id = record_id;
    }

    /// The same page with a `Content-Type` header, as a server would have sent it.
    pub fn with_content_type(mut self, content_type: &str) -> Fetched {
        self.headers
            .push(("content-type".to_string(), content_type.to_string()));
        self
    }

    /// First header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Base64 for body bytes in JSON, so `Fetched` stays a plain serde type.
mod serde_bytes_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = Vec::with_capacity(s.len() / 4 * 3);
        let mut acc = 0u32;
        let mut bits = 0;
        for c in s.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => break,
                _ => return Err(serde::de::Error::custom("invalid base64 in body")),
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        Ok(out)
    }
}
