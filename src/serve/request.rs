//! What a request brings, read the same way by every route: query-string parameters (decoded
//! leniently, checked by name, 400 with the parameter's name on bad input), the id in a path, and
//! a JSON body (its content type, its size, its free-text fields).

use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use chrono::NaiveDate;

use super::ApiError;

/// A non-negative integer written in digits; one too big for u64 is still a count, just above
/// any limit, so it saturates. `None` for anything else (signs, spaces, decimals, empty).
pub(crate) fn saturating_count(v: &str) -> Option<u64> {
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse::<u64>().unwrap_or(u64::MAX))
}

/// Query-string parameters, decoded leniently (a malformed escape never rejects the request).
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// [`Params::parse`] for a handler: a parameter given twice with different values is a 400
    /// naming it (which one was meant cannot be known; forms send one of each).
    pub(crate) fn from_query(raw: Option<&str>) -> Result<Params, ApiError> {
        let p = Params::parse(raw);
        for (key, _) in &p.0 {
            let mut values = p.values(key);
            if let Some(first) = values.next()
                && values.any(|v| v != first)
            {
                return Err(ApiError::bad_request(format!(
                    "{key}: given more than once with different values"
                )));
            }
        }
        Ok(p)
    }

    /// The non-blank values of `key`, trimmed. Blank is empty or spaces only (a form's empty
    /// field, `+`); a value of other whitespace (control characters) is not blank but empty after
    /// trimming, so a date or number parameter refuses it.
    fn values<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, v)| k.as_str() == key && !v.trim_matches(' ').is_empty())
            .map(|(_, v)| v.trim())
    }

    /// The last non-blank value of `key`, trimmed.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values(key).last()
    }

    pub(super) fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// Whether `format` asks for CSV: absent or `json` is JSON, `csv` is CSV, anything else a 400.
    pub(crate) fn wants_csv(&self) -> Result<bool, ApiError> {
        match self.get("format") {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "format: expected json or csv, got {other:?}"
            ))),
        }
    }

    /// A count: `default` when absent, at most `max`; 400 when not a number.
    pub(crate) fn count(&self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match saturating_count(v) {
                Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(max)),
                None => Err(ApiError::bad_request(format!(
                    "{key}: expected a non-negative integer, got {v:?}"
                ))),
            },
        }
    }

    /// Like [`Params::count`], but a value above `max` is an error: cutting it would silently
    /// answer another question (offset 20000 is not offset 10000).
    pub(super) fn count_at_most(
        &self,
        key: &str,
        default: usize,
        max: usize,
    ) -> Result<usize, ApiError> {
        let n = self.count(key, default, usize::MAX)?;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "{key}: at most {max}, got {n}"
            )));
        }
        Ok(n)
    }

    pub(crate) fn date(&self, key: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.get(key)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(format!("{key}: expected a date YYYY-MM-DD, got {v:?}"))
                })
            })
            .transpose()
    }

    pub(super) fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None | Some("0" | "false" | "no") => Ok(false),
            Some("1" | "true" | "yes") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!(
                "{key}: expected true or false, got {v:?}"
            ))),
        }
    }

    pub(super) fn date_range(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
        let (since, until) = (self.date("since")?, self.date("until")?);
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(ApiError::bad_request(format!(
                "since ({s}) is after until ({u})"
            )));
        }
        Ok((since, until))
    }
}

/// The alert id of a path: an id that is not valid percent-encoded UTF-8 (`/api/alerts/%FF`) is
/// a JSON 400 like every other error, not the framework's plain-text rejection.
pub(super) fn path_id(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(id)| id)
        .map_err(|e| ApiError::bad_request(format!("bad alert id in the path: {}", e.body_text())))
}

/// A JSON body, with the extractor's failures as JSON errors (413 when over the body limit).
pub(super) fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    empty: Option<T>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| ApiError {
        status: e.status(),
        message: if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            format!("request body larger than {} bytes", super::BODY_LIMIT)
        } else {
            "could not read the request body".into()
        },
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace)
        && let Some(v) = empty
    {
        return Ok(v);
    }
    // an object, as the document says: serde would read a struct from an array too (`[]`)
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("body: invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request("body: expected a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}

/// A body, when there is one, must say it is JSON (`text/plain` is refused, not guessed at).
pub(super) fn json_content(
    headers: &axum::http::HeaderMap,
    body: &Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(), ApiError> {
    let has_body = body
        .as_ref()
        .is_ok_and(|b| !b.iter().all(u8::is_ascii_whitespace));
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !json {
        return Err(ApiError {
            status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "the request body must be application/json".into(),
        });
    }
    Ok(())
}

/// Longest free-text field accepted (notes, batch labels, party names).
pub(super) const MAX_TEXT: usize = 2000;

pub(super) fn check_len(field: &str, v: &str) -> Result<(), ApiError> {
    if v.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_request(format!(
            "{field}: longer than {MAX_TEXT} characters"
        )));
    }
    Ok(())
}
