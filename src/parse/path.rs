//! The path language of source configs — dotted segments, numeric ones indexing arrays, a name
//! on an array reading it in every element, `*` for every child of an object, `a+b` joining
//! paths — over one value tree, whichever reader made it (an API's JSON, JSONP or XML body, a
//! page's script data, JSON-LD); and the plain text of a value found there.

use scraper::Html;
use serde_json::Value;

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

fn kind_of(v: &Value) -> &'static str {
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
