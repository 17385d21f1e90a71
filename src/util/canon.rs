//! URL canonicalisation: one spelling per page, so seen-checks, the store and the archive agree.
//!
//! Applied to every URL before it is checked against the seen-set or fetched: the fragment goes,
//! tracking parameters (`utm_*`, `spm`, `from`) go, the remaining query parameters are sorted, and
//! the `url` crate normalises scheme and host case, default ports and `.`/`..` segments. Only
//! `http` and `https` URLs are crawlable.

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    #[error("bad URL {url:?}: {message}")]
    Bad { url: String, message: String },
    #[error("URL {url:?} has scheme {scheme:?}; only http and https are crawled")]
    Scheme { url: String, scheme: String },
}

/// Canonical form of an absolute URL.
pub fn canonicalize(raw: &str) -> Result<String, CanonError> {
    let mut u = Url::parse(raw.trim()).map_err(|e| CanonError::Bad {
        url: raw.to_string(),
        message: e.to_string(),
    })?;
    canonicalize_url(&mut u).map_err(|scheme| CanonError::Scheme {
        url: raw.to_string(),
        scheme,
    })?;
    Ok(u.into())
}

/// Resolve `link` against `base`, then canonicalise.
pub fn resolve(base: &str, link: &str) -> Result<String, CanonError> {
    let b = Url::parse(base).map_err(|e| CanonError::Bad {
        url: base.to_string(),
        message: e.to_string(),
    })?;
    let mut u = b.join(link.trim()).map_err(|e| CanonError::Bad {
        url: link.to_string(),
        message: e.to_string(),
    })?;
    canonicalize_url(&mut u).map_err(|scheme| CanonError::Scheme {
        url: link.to_string(),
        scheme,
    })?;
    Ok(u.into())
}

fn canonicalize_url(u: &mut Url) -> Result<(), String> {
    if !matches!(u.scheme(), "http" | "https") {
        return Err(u.scheme().to_string());
    }
    u.set_fragment(None);
    if let Some(q) = u.query() {
        // Work on the raw pairs so the page's own percent-encoding is kept as it is.
        let mut pairs: Vec<&str> = q
            .split('&')
            .filter(|p| !p.is_empty() && !is_tracking(p))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let joined = pairs.join("&");
        u.set_query(if joined.is_empty() {
            None
        } else {
            Some(&joined)
        });
    }
    Ok(())
}

fn is_tracking(pair: &str) -> bool {
    let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
    key.starts_with("utm_") || key == "spm" || key == "from"
}

/// The politeness key of a URL: `host:port` (port made explicit).
pub fn host_key(u: &Url) -> Option<String> {
    Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_fragment_and_tracking_and_sorts_query() {
        assert_eq!(
            canonicalize("HTTP://Example.COM:80/a/./b/../c?z=1&utm_source=wx&b=2&spm=a2.b&from=timeline&a=3#top").unwrap(),
            "http://example.com/a/c?a=3&b=2&z=1"
        );
        assert_eq!(
            canonicalize("https://example.com/x?utm_medium=x#f").unwrap(),
            "https://example.com/x"
        );
        // Not tracking: keys that merely contain the words.
        assert_eq!(
            canonicalize("http://h/p?fromdate=1&spmx=2").unwrap(),
            "http://h/p?fromdate=1&spmx=2"
        );
    }

    #[test]
    fn keeps_percent_encoding_and_order_independent() {
        let a = canonicalize("http://h/s?q=%E5%84%BF%E7%AB%A5&page=2").unwrap();
        let b = canonicalize("http://h/s?page=2&q=%E5%84%BF%E7%AB%A5").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "http://h/s?page=2&q=%E5%84%BF%E7%AB%A5");
        // A Chinese path is percent-encoded once, by the url crate.
        assert_eq!(
            canonicalize("http://h/新闻/1.html").unwrap(),
            "http://h/%E6%96%B0%E9%97%BB/1.html"
        );
    }

    #[test]
    fn rejects_other_schemes_and_garbage() {
        assert!(matches!(
            canonicalize("mailto:a@b.c"),
            Err(CanonError::Scheme { .. })
        ));
        assert!(matches!(
            canonicalize("javascript:void(0)"),
            Err(CanonError::Scheme { .. })
        ));
        assert!(matches!(
            canonicalize("not a url"),
            Err(CanonError::Bad { .. })
        ));
    }

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("http://h:8080/list/p1.html", "../d/9.html?from=list#c").unwrap(),
            "http://h:8080/d/9.html"
        );
        assert_eq!(
            host_key(&Url::parse("https://h/x").unwrap()).unwrap(),
            "h:443"
        );
    }
}
