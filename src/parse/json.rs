//! JSON and script data: API responses (JSON, or XML read into the same tree), the data a page
//! embeds in its scripts, and JSON-LD filling what selectors or generic extraction left; the one
//! path language (dotted segments, numeric ones indexing arrays, `*` for every entry) that source
//! configs use for all three.

use super::*;

pub(super) fn parse_api(f: &Fetched, source: &SourceConfig) -> Result<Vec<Document>, ParseError> {
    let api = api_fields(f, source)?;
    let (json, xml) = json_body(f)?;
    let items =
        items(&json, &api.items, xml).map_err(|m| ParseError::new(&f.url, "bad-json", m))?;
    item_documents(f, source, items, &api.fields)
}

/// The items of a list page's script data (see `script`), each a document as an API item is.
pub(super) fn script_items(
    f: &Fetched,
    source: &SourceConfig,
    sc: &crate::config::ScriptItems,
) -> Result<Vec<Document>, ParseError> {
    let data = script::page_data(&decode(f));
    if lookup(&data, &sc.items).is_none() {
        return Err(ParseError::new(
            &f.url,
            "no-script-data",
            format!(
                "no script data at {:?} (variables on the page: {})",
                sc.items,
                data.as_object()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| "none".into())
            ),
        ));
    }
    let items =
        items(&data, &sc.items, false).map_err(|m| ParseError::new(&f.url, "bad-json", m))?;
    let docs = item_documents(f, source, items, &sc.fields)?;
    let Some(rv) = &sc.reviews else {
        return Ok(docs);
    };
    let mut out = Vec::with_capacity(docs.len());
    for (item, doc) in items.iter().zip(docs) {
        let reviews = lookup(item, &rv.items).and_then(Value::as_array);
        let fanned: Vec<Document> = reviews
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(j, r)| review_document(&doc, j, r, &rv.fields))
            .collect();
        out.push(doc);
        out.extend(fanned);
    }
    Ok(out)
}

/// One review of a script item as a document of its own: the item's fields and title, the
/// review's text, date and fields. Its identity is the item's with the review's id (or, without
/// one, its text: positions shift as reviews are added); `None` for a review with no text.
fn review_document(
    item: &Document,
    j: usize,
    review: &Value,
    fields: &BTreeMap<String, String>,
) -> Option<Document> {
    let get = |key: &str| {
        fields
            .get(key)
            .and_then(|path| field_value(review, path))
            .map(|v| without_markup(&v))
            .filter(|v| !v.is_empty())
    };
    let text = get("text")?;
    let native = get("id");
    let key = format!(
        "{}\u{1f}review\u{1f}{}",
        item.url,
        native.as_deref().unwrap_or(&text)
    );
    let mut doc = item.clone();
    doc.id = doc_id(&key);
    // an item without a page of its own is already a fragment of the list page's URL
    let sep = if item.url.contains('#') { '-' } else { '#' };
    doc.url = match &native {
        Some(n) => format!("{}{sep}review-{n}", item.url),
        None => format!("{}{sep}review-{j}", item.url),
    };
    if let Some(t) = get("title") {
        doc.title = t;
    }
    doc.text = text;
    doc.published_at = get("published")
        .and_then(|p| parse_date(&p))
        .or(item.published_at);
    for (name, path) in fields {
        if matches!(name.as_str(), "id" | "url" | "title" | "text" | "published") {
            continue;
        }
        if let Some(v) = field_value(review, path) {
            doc.fields.insert(name.clone(), without_markup(&v));
        }
    }
    if let Some(r) = doc.field(field::REGION) {
        doc.region_hint = Some(r.to_string());
    }
    Some(doc)
}

/// Items of an API page or of script data to documents, by field paths relative to each item.
pub(super) fn item_documents(
    f: &Fetched,
    source: &SourceConfig,
    items: &[Value],
    fields: &BTreeMap<String, String>,
) -> Result<Vec<Document>, ParseError> {
    let base = Url::parse(&f.url).ok();
    let mut docs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let get = |key: &str| {
            fields
                .get(key)
                .and_then(|path| field_value(item, path))
                .map(|v| without_markup(&v))
        };
        let native = get("id");
        let item_url = get("url").and_then(|u| match &base {
            Some(b) => b
                .join(&u)
                .ok()
                .and_then(|u| crate::util::canon::canonicalize(u.as_str()).ok()),
            None => crate::util::canon::canonicalize(&u).ok(),
        });
        // Identity: the item's own page when it names one (so the same complaint read from the
        // board's HTML and from its API is one document), else the API's id (so the same item on
        // page 2 today and page 3 tomorrow is one document), else its position.
        let (key, url) = match (item_url, &native) {
            (Some(u), _) => (u.clone(), u),
            (None, Some(n)) => (
                format!("{}\u{1f}{n}", source.name),
                format!("{}#{n}", f.url),
            ),
            (None, None) => {
                let u = format!("{}#{i}", f.url);
                (u.clone(), u)
            }
        };
        let mut doc = base_document(f, source, doc_id(&key), url);
        doc.title = get("title").unwrap_or_default();
        doc.text = get("text").unwrap_or_default();
        if doc.title.is_empty() && doc.text.is_empty() {
            return Err(ParseError::new(
                &f.url,
                "empty-item",
                format!("item {i} has neither title nor text"),
            ));
        }
        doc.published_at = get("published").and_then(|p| parse_date(&p));
        for (name, path) in fields {
            if matches!(name.as_str(), "id" | "url" | "title" | "text" | "published") {
                continue;
            }
            if let Some(v) = field_value(item, path) {
                doc.fields.insert(name.clone(), without_markup(&v));
            }
        }
        // an aggregator's items name their own country (`region`): it places them, not the
        // source's default
        if let Some(r) = doc.field(field::REGION) {
            doc.region_hint = Some(r.to_string());
        }
        docs.push(doc);
    }
    Ok(docs)
}

pub(super) fn api_fields<'a>(
    f: &Fetched,
    source: &'a SourceConfig,
) -> Result<&'a crate::config::ApiFields, ParseError> {
    match (&source.api, source.kind) {
        (Some(api), SourceKind::Json) => Ok(api),
        _ => Err(ParseError::new(
            &f.url,
            "no-api-fields",
            "source has no [source.api]",
        )),
    }
}

/// A value of script data with its HTML markup removed (listing titles carry highlight spans:
/// `<span class=H>电热毯</span>`); plain values pass unchanged.
pub(super) fn without_markup(v: &str) -> String {
    if !(v.contains('<') && v.contains('>')) {
        return v.to_string();
    }
    let frag = Html::parse_fragment(v);
    let text: String = frag.root_element().text().collect();
    crate::util::text::one_line(&text)
}

/// Fills a document from the source's script paths: `title`, `text`, `published` where the
/// selectors found none, any other name as a structured field.
pub(super) fn fill_from_script(doc: &mut Document, paths: &BTreeMap<String, String>, data: &Value) {
    for (name, path) in paths {
        let Some(v) = lookup(data, path)
            .and_then(scalar)
            .map(|v| without_markup(&v))
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        match name.as_str() {
            "title" if doc.title.is_empty() => doc.title = v,
            "text" if doc.text.is_empty() => doc.text = v,
            "published" => {
                if doc.published_at.is_none() {
                    doc.published_at = parse_date(&v);
                }
            }
            "title" | "text" => {}
            _ => {
                doc.fields.insert(name.clone(), v);
            }
        }
    }
}

/// JSON-LD read without configuration: a `Product` gives the product, brand, model, price, shop
/// and maker; a news article its headline, date and body. Only what the page's own selectors or
/// extraction left empty is filled.
pub(super) fn fill_from_ld(doc: &mut Document, data: &Value) {
    let text_of = |v: Option<&Value>| -> Option<String> {
        let v = v?;
        let s = match v {
            Value::Object(o) => o.get("name").and_then(scalar),
            Value::Array(a) => a.first().and_then(|x| match x {
                Value::Object(o) => o.get("name").and_then(scalar),
                other => scalar(other),
            }),
            other => scalar(other),
        }?;
        let s = without_markup(&s);
        (!s.is_empty()).then_some(s)
    };
    const NEWS: [&str; 5] = [
        "NewsArticle",
        "Article",
        "ReportageNews",
        "BlogPosting",
        "AnalysisNewsArticle",
    ];
    if let Some(a) = script::ld_of(data, &NEWS) {
        if doc.title.is_empty()
            && let Some(h) = text_of(a.get("headline"))
        {
            doc.title = h;
        }
        if doc.published_at.is_none() {
            doc.published_at = text_of(a.get("datePublished")).and_then(|d| parse_date(&d));
        }
        if doc.text.is_empty()
            && let Some(b) = text_of(a.get("articleBody"))
        {
            doc.text = b;
        }
    }
    if let Some(p) = script::ld_of(data, &["Product", "ProductModel", "IndividualProduct"]) {
        let offer = match p.get("offers") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        };
        let offer = |key: &str| offer.and_then(|o| o.get(key));
        let found = [
            (field::PRODUCT, text_of(p.get("name"))),
            (field::BRAND, text_of(p.get("brand"))),
            (
                field::MODEL,
                text_of(p.get("model")).or_else(|| text_of(p.get("mpn"))),
            ),
            (
                field::PRICE,
                text_of(offer("price")).or_else(|| text_of(offer("lowPrice"))),
            ),
            (field::SHOP, text_of(offer("seller"))),
            (field::ENTERPRISE, text_of(p.get("manufacturer"))),
        ];
        for (name, v) in found {
            if let Some(v) = v {
                doc.fields.entry(name.to_string()).or_insert(v);
            }
        }
        if doc.title.is_empty()
            && let Some(n) = text_of(p.get("name"))
        {
            doc.title = n;
        }
        if doc.text.is_empty()
            && let Some(d) = text_of(p.get("description"))
        {
            doc.text = d;
        }
    }
}

/// A page read without selectors: generic extraction, with JSON-LD filling what it left; a page
/// with no article but a JSON-LD product or news article (a product page) is read from that.
pub(super) fn generic_or_ld(
    f: &Fetched,
    source: &SourceConfig,
    body: &str,
) -> Result<Document, ParseError> {
    let generic = generic_from(f, source, body, None);
    let body_has_ld = || body.contains("ld+json");
    match generic {
        Ok(mut doc) => {
            if body_has_ld() {
                fill_from_ld(&mut doc, &script::page_data(body));
            }
            Ok(doc)
        }
        Err(e) if e.reason() == "no-article" && body_has_ld() => {
            let mut doc = base_document(f, source, doc_id(&f.url), f.url.clone());
            fill_from_ld(&mut doc, &script::page_data(body));
            if doc.title.is_empty() && doc.text.is_empty() {
                return Err(e);
            }
            Ok(doc)
        }
        Err(e) => Err(e),
    }
}

/// An API page's body as a JSON value, and whether it was XML (read by [`xmltree`] into the same
/// tree, so one path language serves both).
pub(super) fn json_body(f: &Fetched) -> Result<(Value, bool), ParseError> {
    let text = decode(f);
    // an HTML page where data was expected (an error or "busy" page) is an error, not XML
    // without the items
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(14)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<html") || head.starts_with("<!doctype html") {
        return Err(ParseError::new(
            &f.url,
            "bad-json",
            "body is an HTML page, not JSON or XML",
        ));
    }
    if xmltree::looks_like_xml(&text) {
        return xmltree::to_value(&text).map(|v| (v, true)).ok_or_else(|| {
            ParseError::new(&f.url, "bad-xml", "body starts like XML but has no element")
        });
    }
    match serde_json::from_str(&text) {
        Ok(v) => Ok((v, false)),
        // review and price APIs of shops answer JSONP (`cb123({"comments": [...]});`): the
        // call's argument is the data, whatever the callback is named this time
        Err(e) => jsonp(&text)
            .map(|v| (v, false))
            .ok_or_else(|| ParseError::new(&f.url, "bad-json", format!("body is not JSON: {e}"))),
    }
}

/// The argument of a JSONP body (`name({…})`, `name([…]);`), read as JSON or, failing that, as a
/// JavaScript literal (see `script`); `None` for anything else.
fn jsonp(text: &str) -> Option<Value> {
    let t = text.trim_start_matches('\u{feff}').trim();
    let t = t.trim_end_matches(';').trim_end();
    let open = t.find('(')?;
    let name = t[..open].trim();
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !is_name || !t.ends_with(')') {
        return None;
    }
    let arg = t[open + 1..t.len() - 1].trim();
    if let Ok(v) = serde_json::from_str::<Value>(arg) {
        return Some(v);
    }
    match script::page_data(t) {
        Value::Object(m) if m.len() == 1 => m.into_iter().next().map(|(_, v)| v),
        _ => None,
    }
}

/// The array at a dotted path (`data.items`); the empty path is the top level. In XML one
/// element is no array (a name becomes one only when repeated), so there a single element is a
/// list of one.
pub(super) fn items<'a>(json: &'a Value, path: &str, xml: bool) -> Result<&'a [Value], String> {
    let v = if path.is_empty() {
        Some(json)
    } else {
        lookup(json, path)
    };
    match v {
        Some(Value::Array(a)) => Ok(a),
        Some(Value::Null) | None => Ok(&[]),
        Some(one @ (Value::Object(_) | Value::String(_))) if xml => Ok(std::slice::from_ref(one)),
        Some(other) => Err(format!("{path:?} is not an array but {}", kind_of(other))),
    }
}

pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Follow a dotted path; numeric segments index arrays.
pub(super) fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, seg| match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Every value a dotted path reaches: a number indexes an array, a name on an array reads that
/// name in each of its elements (`Hazards.Name` is every hazard's name), and `*` is every child
/// of an object (an index whose entries' element name is not known: `*.URL`).
pub(super) fn collect<'a>(v: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    let (seg, rest) = match path.split_once('.') {
        Some((s, r)) => (s, Some(r)),
        None => (path, None),
    };
    if let (Value::Object(m), "*") = (v, seg) {
        for child in m.values() {
            match rest {
                Some(r) => collect(child, r, out),
                None => out.push(child),
            }
        }
        return;
    }
    let next = match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => match seg.parse::<usize>() {
            Ok(i) => a.get(i),
            Err(_) => {
                for e in a {
                    collect(e, path, out);
                }
                return;
            }
        },
        _ => None,
    };
    match (next, rest) {
        (Some(n), Some(r)) => collect(n, r, out),
        (Some(n), None) => out.push(n),
        (None, _) => {}
    }
}

/// A field's text: `path`, or several paths joined by `+` (`Description+Hazards.Name`), each
/// read with [`collect`]; values of one path are joined by 、, paths by newlines. None when
/// nothing non-empty is found.
pub(super) fn field_value(item: &Value, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for p in path.split('+').map(str::trim) {
        let mut found = Vec::new();
        collect(item, p, &mut found);
        let vals: Vec<String> = found
            .into_iter()
            .filter_map(scalar)
            .filter(|s| !s.is_empty())
            .collect();
        if !vals.is_empty() {
            parts.push(vals.join("、"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(scalar).collect();
            (!parts.is_empty()).then(|| parts.join("、"))
        }
        // an XML element with attributes: its text
        Value::Object(m) => m.get("#text").and_then(scalar),
        Value::Null => None,
    }
}
