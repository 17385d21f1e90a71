//! Charset detection and decoding. Chinese sites still serve GBK, GB18030 and Big5, often with a
//! wrong or missing header; the order of trust is: BOM, Content-Type header, an XML declaration,
//! `<meta>` tag in the first 2 KiB, then statistical detection (chardetng). Decoding never fails: bytes that are not
//! valid in the chosen encoding become U+FFFD and the page goes on.

use encoding_rs::{Encoding, UTF_8};

use crate::model::Fetched;

/// The encoding a body should be decoded with, and where that answer came from.
pub fn detect(body: &[u8], content_type: Option<&str>) -> (&'static Encoding, &'static str) {
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return (enc, "bom");
    }
    if let Some(enc) = content_type.and_then(charset_param).and_then(label) {
        return (enc, "header");
    }
    if let Some(enc) = xml_declared(body) {
        return (enc, "xml-declaration");
    }
    if let Some(enc) = meta_charset(&body[..body.len().min(2048)]) {
        return (enc, "meta");
    }
    if std::str::from_utf8(body).is_ok() {
        return (UTF_8, "utf-8");
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(body, true);
    (
        det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow),
        "detected",
    )
}

/// Decode a response body to text.
pub fn decode(f: &Fetched) -> String {
    decode_bytes(&f.body, f.header("content-type"))
}

pub fn decode_bytes(body: &[u8], content_type: Option<&str>) -> String {
    let (enc, _) = detect(body, content_type);
    // GBK pages routinely contain GB18030-only characters; decoding as GB18030 (a superset) loses
    // nothing and mis-decodes nothing.
    let enc = if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    };
    let (text, _, _) = enc.decode(body);
    let mut text = text.into_owned();
    // NUL is no text in any page or feed; a page of NULs (or padded with them) would otherwise
    // become megabytes of replacement characters downstream
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    text
}

fn label(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(
        name.trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .as_bytes(),
    )
}

fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim())
    })
}

/// `<meta charset="gbk">` or `<meta http-equiv="Content-Type" content="text/html; charset=gbk">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">")
            .map(|e| start + e)
            .unwrap_or(lower.len());
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = rest
                    .iter()
                    .copied()
                    .skip_while(|b| matches!(b, b' ' | b'"' | b'\''))
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                    .collect();
                if let Some(enc) = Encoding::for_label(&value) {
                    return Some(enc);
                }
            }
        }
        from = end;
    }
    None
}

/// The encoding of an XML declaration at the start (`<?xml version="1.0" encoding="big5"?>`),
/// after any whitespace or NUL padding.
fn xml_declared(body: &[u8]) -> Option<&'static Encoding> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0)?;
    let head = &body[start..body.len().min(start + 256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let decl = &head[..find(head, b"?>")?];
    let at = find(decl, b"encoding")? + b"encoding".len();
    let rest = std::str::from_utf8(&decl[at..]).ok()?;
    let value = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    label(&value[..value.find(quote)?])
}

/// Feed text for the XML reader: decoded to UTF-8 by the rules above and without its XML
/// declaration — left in, it would make the reader decode a second time by the declared
/// encoding (a wrong or padded declaration made quick-xml panic).
pub fn feed_text(f: &Fetched) -> String {
    let text = decode(f);
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    match t
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|e| &rest[e + 2..]))
    {
        Some(after) => after.to_string(),
        None => t.to_string(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_by_meta_tag_without_header_charset() {
        let html = "<html><head><meta charset=\"gbk\"><title>充电宝</title></head><body>移动电源鼓包</body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let (enc, how) = detect(&bytes, Some("text/html"));
        assert_eq!((enc.name(), how), ("GBK", "meta"));
        assert!(decode_bytes(&bytes, Some("text/html")).contains("移动电源鼓包"));
    }

    #[test]
    fn header_beats_meta_and_http_equiv_is_read() {
        let html =
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">電動車起火";
        let (bytes, _, _) = encoding_rs::BIG5.encode(html);
        assert_eq!(detect(&bytes, None).0.name(), "Big5");
        assert!(decode_bytes(&bytes, None).contains("電動車起火"));
        let utf8 = "<meta charset=gbk>中文";
        assert_eq!(
            detect(utf8.as_bytes(), Some("text/html; charset=UTF-8"))
                .0
                .name(),
            "UTF-8"
        );
    }

    #[test]
    fn detects_gb18030_without_any_label() {
        let text = "消费者投诉：电动自行车在楼道充电时突然起火，烧毁了门口的鞋柜，所幸无人受伤。";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(decode_bytes(&bytes, None), text);
    }

    #[test]
    fn the_xml_declaration_names_a_feed_encoding_and_feed_text_drops_it() {
        let xml = "<?xml version=\"1.0\" encoding='big5' ?><rss><channel><title>行動電源召回</title></channel></rss>";
        let (bytes, _, _) = encoding_rs::BIG5.encode(xml);
        assert_eq!(detect(&bytes, None), (encoding_rs::BIG5, "xml-declaration"));
        // padded with NULs and spaces (the fuzzer's case): still read, and the declaration goes
        let mut padded = vec![0u8; 20];
        padded.extend_from_slice(b"  \n");
        padded.extend_from_slice(&bytes);
        assert_eq!(detect(&padded, None).0, encoding_rs::BIG5);
        let f = Fetched {
            source: "s".into(),
            url: "http://x.test/rss".into(),
            role: crate::model::PageRole::Feed,
            status: 200,
            headers: Vec::new(),
            body: padded,
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
        };
        assert_eq!(
            feed_text(&f),
            "<rss><channel><title>行動電源召回</title></channel></rss>"
        );
        // a header still beats the declaration
        assert_eq!(
            detect(&bytes, Some("application/xml; charset=gbk")).1,
            "header"
        );
    }

    #[test]
    fn invalid_bytes_never_fail() {
        let bytes = b"<meta charset=utf-8>ok \xff\xfe\x80 end";
        let s = decode_bytes(bytes, None);
        assert!(s.starts_with("<meta") && s.contains('\u{FFFD}') && s.ends_with("end"));
    }
}
