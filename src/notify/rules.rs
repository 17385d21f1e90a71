//! A watch rule as a user writes it (CLI flags, API body) checked into a [`WatchRule`].

use serde::Deserialize;

use crate::store::{Mode, WatchRule, Webhook};

/// Longest text of one criterion, owner or label.
pub const MAX_FIELD: usize = 200;

/// What a user asks to watch and where to be told.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub owner: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub enterprise: Option<String>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub min_level: Option<u8>,
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Made up (and shown once) when a webhook is given without one.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
}

/// A rule refused, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> RuleError {
    RuleError {
        field,
        message: message.into(),
    }
}

/// Characters no field may hold: C0 and C1 controls (`char::is_control`) and the byte-order
/// mark. The OpenAPI document states the same patterns, so what it calls valid is accepted and
/// what it calls invalid is refused.
const CONTROLS: &str = r"\x00-\x1f\x7f-\x9f\x{feff}";

/// Whether `s` matches one of the patterns below (compiled per call: rules are added rarely;
/// the unit test checks that every pattern compiles).
fn fits(pat: &str, s: &str) -> bool {
    regex::Regex::new(&pat.replace("CTRL", CONTROLS)).is_ok_and(|r| r.is_match(s))
}

/// An e-mail address: local part @ a dotted domain, no spaces, commas or angle brackets.
pub const EMAIL_PATTERN: &str = r"^[^\s@<>,CTRL]+@[^\s@<>,.CTRL]+(\.[^\s@<>,.CTRL]+)+$";
/// An http(s) URL with a host and an optional path.
pub const URL_PATTERN: &str = r"^https?://[^\s/?#@CTRL]+(/[^\sCTRL]*)?$";
/// A webhook secret: 16 to 200 printable ASCII characters without spaces.
pub const SECRET_PATTERN: &str = r"^[!-~]{16,200}$";
/// Free text: anything but control characters.
pub const TEXT_PATTERN: &str = r"^[^CTRL]*$";

/// The pattern with `CTRL` spelled for JSON Schema (ECMA-262 `\uXXXX` escapes).
pub fn ecma(p: &str) -> String {
    p.replace("CTRL", r"\u0000-\u001f\u007f-\u009f\ufeff")
}

/// An optional text: absent, null and blank are none; too long or with control characters is
/// an error; kept trimmed.
fn text(field: &'static str, v: &Option<String>) -> Result<Option<String>, RuleError> {
    let Some(raw) = v.as_deref() else {
        return Ok(None);
    };
    if !fits(TEXT_PATTERN, raw) {
        return Err(bad(field, "control characters are not allowed"));
    }
    if raw.chars().count() > MAX_FIELD {
        return Err(bad(field, format!("at most {MAX_FIELD} characters")));
    }
    let v = raw.trim();
    Ok((!v.is_empty()).then(|| v.to_string()))
}

/// An optional value that must match `pat` as given (untrimmed); empty is none.
fn shaped(
    field: &'static str,
    v: &Option<String>,
    pat: &str,
    what: &str,
) -> Result<Option<String>, RuleError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(x) if x.chars().count() > MAX_FIELD => {
            Err(bad(field, format!("at most {MAX_FIELD} characters")))
        }
        Some(x) if fits(pat, x) => Ok(Some(x.to_string())),
        Some(x) => Err(bad(field, format!("{x:?} is not {what}"))),
    }
}

/// A new rule id: `w` and ten hex digits.
pub fn new_id() -> String {
    format!("w{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

/// Check an input into a rule. `check_query` parses a search query (the index's parser), so a
/// query that would never run is refused now rather than failing at every match.
pub fn build_rule(
    input: &RuleInput,
    now: crate::model::Timestamp,
    check_query: &dyn Fn(&str) -> Result<(), String>,
) -> Result<WatchRule, RuleError> {
    let owner = text("owner", &Some(input.owner.clone()))?
        .ok_or_else(|| bad("owner", "the rule's owner (a user name) is required"))?;
    let query = text("query", &input.query)?;
    if let Some(q) = &query {
        check_query(q).map_err(|e| bad("query", e))?;
    }
    if let Some(l) = input.min_level
        && !(1..=4).contains(&l)
    {
        return Err(bad("min_level", format!("{l}: levels are 1 to 4")));
    }
    let rule = WatchRule {
        id: new_id(),
        owner,
        name: text("name", &input.name)?.unwrap_or_default(),
        brand: text("brand", &input.brand)?,
        model: text("model", &input.model)?,
        enterprise: text("enterprise", &input.enterprise)?,
        query,
        category: text("category", &input.category)?,
        province: text("province", &input.province)?,
        min_level: input.min_level,
        webhook: match shaped(
            "webhook_url",
            &input.webhook_url,
            URL_PATTERN,
            "an http(s) URL",
        )? {
            None => {
                if shaped(
                    "webhook_secret",
                    &input.webhook_secret,
                    SECRET_PATTERN,
                    "a secret",
                )?
                .is_some()
                {
                    return Err(bad("webhook_secret", "a secret needs a webhook_url"));
                }
                None
            }
            Some(url) => {
                match url::Url::parse(&url) {
                    Ok(u) if u.host().is_some() => {}
                    _ => return Err(bad("webhook_url", format!("{url:?} is not a usable URL"))),
                }
                let secret = shaped(
                    "webhook_secret",
                    &input.webhook_secret,
                    SECRET_PATTERN,
                    "16 to 200 printable ASCII characters without spaces",
                )?
                .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
                Some(Webhook { url, secret })
            }
        },
        email: shaped("email", &input.email, EMAIL_PATTERN, "an e-mail address")?,
        mode: input.mode.unwrap_or_default(),
        created_at: now,
    };
    let criteria = [
        &rule.brand,
        &rule.model,
        &rule.enterprise,
        &rule.query,
        &rule.category,
        &rule.province,
    ];
    if criteria.iter().all(|c| c.is_none()) && rule.min_level.is_none() {
        return Err(bad(
            "rule",
            "give at least one of brand, model, enterprise, query, category, province, min_level",
        ));
    }
    if rule.webhook.is_none() && rule.email.is_none() {
        return Err(bad("delivery", "give a webhook_url, an email, or both"));
    }
    Ok(rule)
}

/// The rule as others may see it: the webhook secret hidden.
pub fn redacted(rule: &WatchRule) -> WatchRule {
    let mut r = rule.clone();
    if let Some(w) = &mut r.webhook {
        w.secret = "********".into();
    }
    r
}

/// One line describing what a rule watches (CLI list, message subjects).
pub fn describe(rule: &WatchRule) -> String {
    let mut parts = Vec::new();
    let mut add = |label: &str, v: &Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{label} {v}"));
        }
    };
    add("品牌", &rule.brand);
    add("型号", &rule.model);
    add("企业", &rule.enterprise);
    add("检索", &rule.query);
    add("品类", &rule.category);
    add("地区", &rule.province);
    if let Some(l) = rule.min_level {
        parts.push(format!("≥{l}级"));
    }
    let what = parts.join(" · ");
    if rule.name.is_empty() {
        what
    } else {
        format!("{}（{what}）", rule.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(_: &str) -> Result<(), String> {
        Ok(())
    }

    #[test]
    fn patterns_compile_and_mean_what_they_say() {
        for p in [EMAIL_PATTERN, URL_PATTERN, SECRET_PATTERN, TEXT_PATTERN] {
            assert!(
                regex::Regex::new(&p.replace("CTRL", CONTROLS)).is_ok(),
                "{p}"
            );
        }
        assert!(fits(EMAIL_PATTERN, "zhao@example.org"));
        assert!(!fits(EMAIL_PATTERN, " zhao@example.org"));
        assert!(!fits(EMAIL_PATTERN, "zhao@localhost"));
        assert!(fits(URL_PATTERN, "https://hooks.example.org/jiance?x=1"));
        assert!(!fits(URL_PATTERN, "https://hooks.example.org?x=1"));
        assert!(!fits(TEXT_PATTERN, "a\u{9e}b"));
        assert!(fits(TEXT_PATTERN, "暖阳 电器"));
        assert!(!fits(SECRET_PATTERN, "short"));
    }

    #[test]
    fn inputs_are_checked_by_field() {
        let now = chrono::Utc::now();
        let mut input = RuleInput {
            owner: "wang".into(),
            brand: Some(" 暖阳 ".into()),
            webhook_url: Some("http://127.0.0.1:9/hook".into()),
            ..Default::default()
        };
        let r = build_rule(&input, now, &ok).unwrap();
        assert_eq!(r.brand.as_deref(), Some("暖阳"));
        assert_eq!(r.webhook.as_ref().unwrap().secret.len(), 32);
        assert_eq!(redacted(&r).webhook.unwrap().secret, "********");
        input.webhook_secret = Some("too short".into());
        assert_eq!(
            build_rule(&input, now, &ok).unwrap_err().field,
            "webhook_secret"
        );
        input.webhook_secret = None;
        input.webhook_url = Some("ftp://x".into());
        assert_eq!(
            build_rule(&input, now, &ok).unwrap_err().field,
            "webhook_url"
        );
        input.webhook_url = None;
        assert_eq!(build_rule(&input, now, &ok).unwrap_err().field, "delivery");
        input.email = Some("not-an-address".into());
        assert_eq!(build_rule(&input, now, &ok).unwrap_err().field, "email");
        input.email = Some("a@example.org".into());
        input.brand = None;
        assert_eq!(build_rule(&input, now, &ok).unwrap_err().field, "rule");
        input.min_level = Some(7);
        assert_eq!(build_rule(&input, now, &ok).unwrap_err().field, "min_level");
        input.min_level = None;
        input.query = Some("((".into());
        let refuse = |_: &str| Err("does not parse".to_string());
        assert_eq!(build_rule(&input, now, &refuse).unwrap_err().field, "query");
        input.owner = " ".into();
        assert_eq!(build_rule(&input, now, &ok).unwrap_err().field, "owner");
    }
}
