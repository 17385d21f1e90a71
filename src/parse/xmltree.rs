//! XML API responses as the JSON values the `json` kind's dotted paths read.
//!
//! Some services a monitoring centre reads publish XML rather than JSON (the EU Safety Gate's
//! weekly reports, RSS-shaped recall feeds). Rather than a second path language, their bodies are
//! turned into the same tree: an element is an object of its children by name (a name repeated
//! under one parent is an array, in order), an element with only text is that text, attributes are
//! `@name` keys and the text of an element that also has children is `#text`. The tree starts
//! *below* the root element, so `channel.item` reads an RSS feed's items and `notifications` a
//! report's notifications.
//!
//! A small tolerant scanner rather than a strict parser (no XML crate is a dependency, and feeds
//! in the wild are often not well-formed): CDATA is kept verbatim, the predefined entities and
//! numeric references are decoded (anything else stays as written), comments, processing
//! instructions and `<!DOCTYPE …>` are skipped, a stray end tag is ignored and elements still open
//! at the end are closed. Nesting deeper than [`MAX_DEPTH`] is flattened into its parent's text,
//! so a hostile body cannot grow the stack or the tree without bound.

use serde_json::{Map, Value};

/// Deepest element nesting kept as structure.
pub const MAX_DEPTH: usize = 64;

/// One open element while scanning.
struct Open {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<(String, Value)>,
    text: String,
}

impl Open {
    fn new(name: String, attrs: Vec<(String, String)>) -> Open {
        Open {
            name,
            attrs,
            children: Vec::new(),
            text: String::new(),
        }
    }

    /// The element as a value: text alone, or an object of attributes, children and text.
    fn into_value(self) -> Value {
        let text = self.text.trim().to_string();
        if self.children.is_empty() && self.attrs.is_empty() {
            return Value::String(text);
        }
        let mut map = Map::new();
        for (k, v) in self.attrs {
            map.insert(format!("@{k}"), Value::String(v));
        }
        for (k, v) in self.children {
            // an element's value is text or an object, never an array: an array under a name
            // means the name was repeated, so a third one is pushed to it
            match map.get_mut(&k) {
                Some(Value::Array(a)) => a.push(v),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, v]);
                }
                None => {
                    map.insert(k, v);
                }
            }
        }
        if !text.is_empty() {
            map.insert("#text".into(), Value::String(text));
        }
        Value::Object(map)
    }
}

/// The XML text as a JSON value below its root element (see the module docs); `None` when the
/// text has no element at all.
pub fn to_value(xml: &str) -> Option<Value> {
    // The document node: its one child is the root element.
    let mut stack: Vec<Open> = vec![Open::new(String::new(), Vec::new())];
    // Depth beyond MAX_DEPTH: elements counted but not kept.
    let mut flattened = 0usize;
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some(top) = stack.last_mut() {
            top.text.push_str(&decode_entities(text));
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&after[..end]);
            }
            rest = after.get(end + 3..).unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after
                .find("-->")
                .and_then(|e| after.get(e + 3..))
                .unwrap_or_default();
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = rest
                .find('>')
                .and_then(|e| rest.get(e + 1..))
                .unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            let name = after[..end].trim();
            rest = after.get(end + 1..).unwrap_or_default();
            if flattened > 0 {
                flattened -= 1;
                continue;
            }
            // close up to the matching open element; a stray end tag is ignored
            if let Some(at) = stack.iter().rposition(|o| o.name == name)
                && at > 0
            {
                while stack.len() > at {
                    close(&mut stack);
                }
            }
        } else {
            let end = tag_end(rest);
            let inner = &rest[1..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            let self_closing = inner.ends_with('/');
            let inner = inner.trim_end_matches('/');
            let (name, attrs) = split_tag(inner);
            if name.is_empty() {
                // "<" followed by no name: text, as a lenient reader would take it
                if let Some(top) = stack.last_mut() {
                    top.text.push('<');
                    top.text.push_str(inner);
                    top.text.push('>');
                }
                continue;
            }
            if stack.len() > MAX_DEPTH || flattened > 0 {
                if !self_closing {
                    flattened += 1;
                }
                continue;
            }
            stack.push(Open::new(name.to_string(), attrs));
            if self_closing {
                close(&mut stack);
            }
        }
    }
    if let Some(top) = stack.last_mut() {
        top.text.push_str(&decode_entities(rest));
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let doc = stack.pop()?;
    let (_, root) = doc.children.into_iter().next()?;
    Some(root)
}

/// Pop the innermost open element into its parent.
fn close(stack: &mut Vec<Open>) {
    if stack.len() < 2 {
        return;
    }
    if let Some(done) = stack.pop() {
        let name = done.name.clone();
        if let Some(parent) = stack.last_mut() {
            parent.children.push((name, done.into_value()));
        }
    }
}

/// Where a start tag ends: the first `>` outside a quoted attribute value.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i,
            _ => {}
        }
    }
    // unterminated: the tag runs to the end of the text
    s.len()
}

/// A start tag's name and attributes (`name="value"` or `name='value'`, decoded).
fn split_tag(inner: &str) -> (&str, Vec<(String, String)>) {
    let inner = inner.trim();
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let body = &after[1..];
        let close = body.find(q).unwrap_or(body.len());
        attrs.push((key, decode_entities(&body[..close])));
        rest = body.get(close + 1..).unwrap_or_default().trim_start();
    }
    (name, attrs)
}

/// The five predefined entities and numeric character references decoded; any other `&` stays
/// (a bare `&`, common in hand-made sitemaps and feeds, is kept as it is).
pub(super) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let decoded = after
            .find(';')
            .filter(|e| *e <= 10)
            .and_then(|e| Some((entity(after.get(1..e)?)?, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        n if n.starts_with("#x") || n.starts_with("#X") => {
            char::from_u32(u32::from_str_radix(n.get(2..)?, 16).ok()?)?
        }
        n if n.starts_with('#') => char::from_u32(n.get(1..)?.parse().ok()?)?,
        _ => return None,
    })
}

/// Whether a body is XML rather than JSON: its first non-blank character (after a BOM) is `<`.
pub fn looks_like_xml(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_become_objects_and_repeats_arrays() {
        let v = to_value(
            r#"<?xml version="1.0"?><!-- c --><rss version="2.0"><channel><title>T &amp; U</title>
            <item><title>a</title><dc:creator>X</dc:creator></item>
            <item><title><![CDATA[b <i>c</i>]]></title></item>
            <item><title>d&#x4e2d;</title></item></channel></rss>"#,
        )
        .unwrap();
        assert_eq!(v["channel"]["title"], json!("T & U"));
        let items = v["channel"]["item"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["dc:creator"], json!("X"));
        assert_eq!(items[1]["title"], json!("b <i>c</i>"));
        assert_eq!(items[2]["title"], json!("d中"));
        assert_eq!(v["@version"], json!("2.0"));
    }

    #[test]
    fn a_single_child_is_no_array_and_text_beside_children_is_kept() {
        let v = to_value("<r><n><a>1</a></n>tail<e/></r>").unwrap();
        assert_eq!(v["n"]["a"], json!("1"));
        assert_eq!(v["#text"], json!("tail"));
        assert_eq!(v["e"], json!(""));
    }

    #[test]
    fn broken_xml_is_read_as_far_as_it_goes() {
        // stray end tag, unclosed elements, a bare ampersand, an attribute with '>' inside quotes
        let v = to_value(r#"<r></x><a k="1>2">x & y<b>z"#).unwrap();
        assert_eq!(v["a"]["@k"], json!("1>2"));
        assert_eq!(v["a"]["#text"], json!("x & y"));
        assert_eq!(v["a"]["b"], json!("z"));
        assert!(to_value("no markup at all").is_none());
        assert!(to_value("").is_none());
    }

    #[test]
    fn deep_nesting_is_flattened_not_recursed() {
        let deep = "<a>".repeat(10_000) + "x" + &"</a>".repeat(10_000);
        let v = to_value(&deep).unwrap();
        let mut depth = 0;
        let mut cur = &v;
        while let Some(next) = cur.get("a") {
            cur = next;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH, "kept {depth} levels");
    }

    #[test]
    fn xml_is_told_from_json() {
        assert!(looks_like_xml("\u{feff} <?xml version='1.0'?><a/>"));
        assert!(!looks_like_xml(" [{\"a\": 1}]"));
    }
}
