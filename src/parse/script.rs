//! Page data in scripts: what e-commerce and single-page sites carry in `<script>` instead of
//! markup — `var g_page_config = {…};`, `window.__INITIAL_STATE__ = {…}`, `__NEXT_DATA__`, JSONP
//! callbacks (`setMdskip({…})`), JSON-LD blocks — gathered into one JSON object keyed by the
//! variable's name (`ld` for JSON-LD, a list of its objects with `@graph`s flattened), so a source
//! reads items and fields from it with the same dotted paths the `json` kind uses
//! (`g_page_config.mods.itemlist.data.auctions`).
//!
//! Values are JavaScript, not always JSON: unquoted and single-quoted keys and strings, `\x` and
//! `\u` escapes, comments, trailing commas, `undefined`, and expressions (a function call, a
//! concatenation) that no reader can evaluate — those become `null` and the rest of the object is
//! still read. The reader is bounded (nesting depth, input size) and never panics on a page.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

/// Deepest nesting read; deeper values become `null` (real page data nests under 20).
const MAX_DEPTH: usize = 64;
/// Largest script read (bytes); page data of real listings is under 1 MB.
const MAX_SCRIPT: usize = 8 << 20;

/// The data of a page's scripts (or of a script file's body), an object by variable name; `ld`
/// holds the JSON-LD objects. Empty when the page carries none. Script elements are found by a
/// scan of the raw text (their content is raw text in HTML: no entity decoding, no nesting), so
/// reading a page's data costs no second HTML parse.
pub fn page_data(body: &str) -> Value {
    let mut out = Map::new();
    let Some(tags) = script_tags() else {
        return Value::Object(out);
    };
    if !body.contains("<script") && !body.contains("<SCRIPT") {
        read_script(body, &mut out);
        return Value::Object(out);
    }
    let mut ld = Vec::new();
    for c in tags.captures_iter(body) {
        let (attrs, text) = (
            c.get(1).map_or("", |m| m.as_str()),
            c.get(2).map_or("", |m| m.as_str()),
        );
        if text.len() > MAX_SCRIPT || text.trim().is_empty() {
            continue;
        }
        let kind = attr(attrs, "type").unwrap_or_default().to_ascii_lowercase();
        if kind.contains("ld+json") {
            if let Some(v) = Reader::new(text).value_at_start() {
                flatten_ld(v, &mut ld);
            }
        } else if kind.contains("json") {
            // <script id="__NEXT_DATA__" type="application/json">
            if let (Some(id), Some(v)) = (attr(attrs, "id"), Reader::new(text).value_at_start()) {
                out.insert(id, v);
            }
        } else if kind.is_empty() || kind.contains("javascript") || kind.contains("ecmascript") {
            read_script(text, &mut out);
        }
    }
    if !ld.is_empty() {
        out.insert("ld".into(), Value::Array(ld));
    }
    Value::Object(out)
}

fn script_tags() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?is)<script\b([^>]*)>(.*?)</script\s*>").ok())
        .as_ref()
}

/// An attribute's value in a tag's attribute text (quoted or bare).
fn attr(attrs: &str, name: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| {
            Regex::new(r#"(?i)([a-z_:][-a-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
                .ok()
        })
        .as_ref()?;
    re.captures_iter(attrs).find_map(|c| {
        let key = c.get(1)?.as_str();
        key.eq_ignore_ascii_case(name).then(|| {
            c.get(2)
                .or_else(|| c.get(3))
                .or_else(|| c.get(4))
                .map_or(String::new(), |m| m.as_str().trim().to_string())
        })
    })
}

/// JSON-LD objects, `@graph` lists flattened into their members.
fn flatten_ld(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.into_iter().for_each(|v| flatten_ld(v, out)),
        Value::Object(mut m) => {
            if let Some(g) = m.remove("@graph") {
                flatten_ld(g, out);
            }
            if m.keys().any(|k| k != "@context") {
                out.push(Value::Object(m));
            }
        }
        _ => {}
    }
}

/// Assignments (`var x = {`, `window.x = [`, `window["x"] = {`) and JSONP calls (`cb({`) with an
/// object or array value.
fn assignments() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:^|[^\w$.])(?:(?:var|let|const)\s+|window\s*\.\s*|window\s*\[\s*["'])?([A-Za-z_$][\w$]*)(?:["']\s*\])?\s*(=|\()\s*[\[{]"#,
        )
        .ok()
    })
    .as_ref()
}

fn read_script(text: &str, out: &mut Map<String, Value>) {
    let Some(re) = assignments() else {
        return;
    };
    let mut from = 0;
    while let Some(c) = re.captures_at(text, from) {
        let (Some(whole), Some(name), Some(op)) = (c.get(0), c.get(1), c.get(2)) else {
            break;
        };
        // the value starts at the bracket that ends the match
        let start = whole.end() - 1;
        let mut r = Reader::new(&text[start..]);
        let value = r.value(0);
        let name = name.as_str();
        // `x == {` is a comparison, not an assignment; a keyword is no variable
        let is_call = op.as_str() == "(";
        let comparison = text[op.end()..].starts_with('=');
        let keyword = matches!(
            name,
            "if" | "while" | "for" | "switch" | "return" | "function"
        );
        match value {
            Some(v) if !comparison && !keyword && (!is_call || r.closes_call()) => {
                // the first assignment of a name wins: later ones are usually updates
                out.entry(name.to_string()).or_insert(v);
                from = start + r.pos.max(1);
            }
            _ => from = start + 1,
        }
        if from >= text.len() {
            break;
        }
    }
}

/// A tolerant reader of JavaScript object and array literals into JSON values.
struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            s: text.as_bytes(),
            text,
            pos: 0,
        }
    }

    /// The value at the start of a JSON(-LD) script: strict JSON first, this reader after.
    fn value_at_start(mut self) -> Option<Value> {
        let t = self.text.trim();
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return Some(v);
        }
        self.skip_space();
        self.value(0)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.s.get(self.pos + 1) == Some(&b'/') => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.s.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    while self.pos < self.s.len()
                        && !(self.s[self.pos] == b'*' && self.s.get(self.pos + 1) == Some(&b'/'))
                    {
                        self.pos += 1;
                    }
                    self.pos = (self.pos + 2).min(self.s.len());
                }
                _ => return,
            }
        }
    }

    /// After a JSONP call's argument: `)` must follow.
    fn closes_call(&mut self) -> bool {
        self.skip_space();
        self.peek() == Some(b')')
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_space();
        if depth > MAX_DEPTH {
            self.skip_expression();
            return Some(Value::Null);
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' | b'\'' | b'`' => self.string().map(Value::String),
            b'-' | b'+' | b'.' | b'0'..=b'9' => Some(self.number()),
            _ => Some(self.word()),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        self.pos += 1;
        let mut m = Map::new();
        loop {
            self.skip_space();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(Value::Object(m));
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let key = match self.peek()? {
                b'"' | b'\'' | b'`' => self.string()?,
                b'[' => {
                    // a computed key: skipped with its value
                    self.skip_expression();
                    continue;
                }
                _ => self.ident()?,
            };
            self.skip_space();
            match self.peek()? {
                b':' => {
                    self.pos += 1;
                    let v = self.value(depth + 1)?;
                    self.end_of_value();
                    m.insert(key, v);
                }
                // a method `f() {…}` or a shorthand `{ a, b }`
                b'(' => {
                    self.skip_expression();
                }
                _ => {
                    m.insert(key, Value::Null);
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.pos += 1;
        let mut a = Vec::new();
        loop {
            self.skip_space();
            match self.peek()? {
                b']' => {
                    self.pos += 1;
                    return Some(Value::Array(a));
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let v = self.value(depth + 1)?;
            self.end_of_value();
            a.push(v);
        }
    }

    /// What follows a value before `,`, `}` or `]`: an operator and more expression (`"a" + b`,
    /// `x || {}`) is skipped, the value kept as read.
    fn end_of_value(&mut self) {
        self.skip_space();
        if !matches!(self.peek(), Some(b',' | b'}' | b']') | None) {
            self.skip_expression();
        }
    }

    /// Skips an expression up to the `,`, `}` or `]` that ends it at this level.
    fn skip_expression(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'"' | b'\'' | b'`' => {
                    if self.string().is_none() {
                        return;
                    }
                    continue;
                }
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' if depth == 0 => return,
                b'}' | b']' | b')' => depth -= 1,
                b',' if depth == 0 => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 {
                self.pos += 1;
            } else {
                break;
            }
        }
        (self.pos > start).then(|| self.text[start..self.pos].to_string())
    }

    /// A bare word as a value: `true`, `false`, `null`; anything else (`undefined`, a variable,
    /// a call, `new Date()`, a function) is an expression no reader evaluates: `null`.
    fn word(&mut self) -> Value {
        let start = self.pos;
        let word = self.ident();
        let v = match word.as_deref() {
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            _ => Value::Null,
        };
        if matches!(word.as_deref(), Some("true" | "false" | "null")) {
            return v;
        }
        if self.pos == start {
            // not even a word (an operator): step over it so reading goes on
            self.pos += 1;
        }
        self.skip_expression();
        Value::Null
    }

    fn number(&mut self) -> Value {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let raw = &self.text[start..self.pos];
        let raw = raw.strip_prefix('+').unwrap_or(raw);
        if let Ok(n) = raw.parse::<i64>() {
            return Value::from(n);
        }
        if let Some(hex) = raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X"))
            && let Ok(n) = i64::from_str_radix(hex, 16)
        {
            return Value::from(n);
        }
        match raw.parse::<f64>() {
            Ok(f) if f.is_finite() => {
                serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
            }
            _ => Value::Null,
        }
    }

    /// A quoted string with JavaScript escapes; `None` when it never closes.
    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let b = self.peek()?;
            if b == quote {
                out.push_str(&self.text[run..self.pos]);
                self.pos += 1;
                return Some(out);
            }
            if b != b'\\' {
                self.pos += 1;
                continue;
            }
            out.push_str(&self.text[run..self.pos]);
            self.pos += 1;
            let e = self.peek()?;
            self.pos += 1;
            match e {
                b'n' => out.push('\n'),
                b't' => out.push('\t'),
                b'r' => out.push('\r'),
                b'b' | b'f' | b'v' | b'0' => {}
                b'u' => {
                    let c = self.unicode_escape();
                    out.push(c);
                }
                b'x' => {
                    let c = self
                        .hex(2)
                        .and_then(char::from_u32)
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.push(c);
                }
                b'\n' => {}
                _ => {
                    // an escaped character stands for itself (`\'`, `\/`, a multi-byte char)
                    let at = self.pos - 1;
                    let ch = self.text[at..].chars().next().unwrap_or('\u{fffd}');
                    out.push(ch);
                    self.pos = at + ch.len_utf8();
                }
            }
            run = self.pos;
        }
    }

    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + n)?;
        let v = u32::from_str_radix(digits, 16).ok()?;
        self.pos += n;
        Some(v)
    }

    /// `\uXXXX` (with surrogate pairs) or `\u{X…}`.
    fn unicode_escape(&mut self) -> char {
        if self.peek() == Some(b'{') {
            let close = self.text[self.pos..].find('}');
            if let Some(close) = close.filter(|c| *c <= 7) {
                let v = u32::from_str_radix(&self.text[self.pos + 1..self.pos + close], 16).ok();
                self.pos += close + 1;
                return v.and_then(char::from_u32).unwrap_or('\u{fffd}');
            }
            return '\u{fffd}';
        }
        let Some(hi) = self.hex(4) else {
            return '\u{fffd}';
        };
        if (0xd800..0xdc00).contains(&hi) && self.text[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            if let Some(lo) = self.hex(4).filter(|lo| (0xdc00..0xe000).contains(lo)) {
                let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                return char::from_u32(c).unwrap_or('\u{fffd}');
            }
            self.pos = save;
        }
        char::from_u32(hi).unwrap_or('\u{fffd}')
    }
}

/// The first JSON-LD object of one of `types` (`Product`, `NewsArticle` …); `@type` may be a list.
pub fn ld_of<'a>(data: &'a Value, types: &[&str]) -> Option<&'a Map<String, Value>> {
    let ld = data.get("ld")?.as_array()?;
    ld.iter().filter_map(Value::as_object).find(|o| {
        let is = |t: &Value| t.as_str().is_some_and(|t| types.contains(&t));
        match o.get("@type") {
            Some(Value::Array(a)) => a.iter().any(is),
            Some(t) => is(t),
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assignments_jsonp_and_json_ld_are_gathered_by_name() {
        let page = r#"<html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Product","name":"儿童安全座椅","brand":{"@type":"Brand","name":"某牌"}}]}</script>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"id":7}}}</script>
<script>
  var g_cfg = {"mods":{"list":{"data":{"items":[{"t":"电热水壶"},{"t":"电暖器"}]}}}};
  window.__INITIAL_STATE__ = {shop: {name: '某某旗舰店', rating: 4.8,},};
  if (a == {}) {}
  cb({"price": "12.50"});
</script></head><body></body></html>"#;
        let d = page_data(page);
        assert_eq!(
            d["g_cfg"]["mods"]["list"]["data"]["items"][1]["t"],
            "电暖器"
        );
        assert_eq!(d["__INITIAL_STATE__"]["shop"]["name"], "某某旗舰店");
        assert_eq!(d["__INITIAL_STATE__"]["shop"]["rating"], 4.8);
        assert_eq!(d["cb"]["price"], "12.50");
        assert_eq!(d["__NEXT_DATA__"]["props"]["pageProps"]["id"], 7);
        let product = ld_of(&d, &["Product"]).unwrap();
        assert_eq!(product["brand"]["name"], "某牌");
        assert!(d.get("a").is_none(), "{d:?}");
    }

    #[test]
    fn javascript_literals_are_read_where_json_would_refuse() {
        let script = r#"var pageConfig = {
            compatible: true, // a comment
            product: {
                name: '\u7535\u70ed\u6bef\x20A1',
                skuid: 100200, cat: [1, 2, 3,],
                href: '//item.example/100200.html',
                when: new Date(), price: a + b, opt: undefined,
                /* block */ list: ["x", 'y'],
                note: "it\'s \"quoted\"", emoji: "\ud83d\ude00",
                render: function () { return {a: 1}; },
                after: 'kept'
            }
        };"#;
        let d = page_data(script);
        let p = &d["pageConfig"]["product"];
        assert_eq!(p["name"], "电热毯 A1");
        assert_eq!(p["skuid"], 100200);
        assert_eq!(p["cat"], json!([1, 2, 3]));
        assert_eq!(p["when"], Value::Null);
        assert_eq!(p["opt"], Value::Null);
        assert_eq!(p["list"], json!(["x", "y"]));
        assert_eq!(p["note"], "it's \"quoted\"");
        assert_eq!(p["emoji"], "😀");
        assert_eq!(p["after"], "kept");
        assert_eq!(d["pageConfig"]["compatible"], true);
    }

    #[test]
    fn broken_or_hostile_scripts_end_without_panic() {
        for s in [
            "var x = {",
            "var x = {a: 'open",
            "var x = [[[[[[",
            "cb({a:1}",
            "var x = {\"a\": \"\\u12",
            "window[\"y\"] = {\"k\": 1}",
            "",
        ] {
            let _ = page_data(s);
        }
        let deep = format!("var x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let d = page_data(&deep);
        assert!(d.get("x").is_some());
        assert_eq!(page_data("window[\"y\"] = {\"k\": 1}")["y"]["k"], 1);
    }
}
