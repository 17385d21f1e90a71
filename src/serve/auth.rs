//! Access control: bearer tokens with three roles.
//!
//! A viewer may read (every GET except the public ones); an analyst may also triage alerts and
//! cases, label documents and attach documents to cases (POSTs to `…/triage`, `…/labels` and
//! `/api/cases/{id}/documents`); an operator may read and write
//! everything. Tokens are the config's and the environment's (anonymous: their holder is named
//! after the role) or named users' from `jiance users add` (the store keeps a SHA-256 of each;
//! revoking takes effect on the next request). The handler gets the caller as a [`Principal`]. Reads need no token when the deployment opens them (`serve.open_reads`, and
//! `jiance demo`); writes always need an operator token, so a server with no operator token
//! configured refuses every write. Public without a token: the dashboard shell and its assets
//! (the page asks for a token itself), `/healthz` (probes) and `/api/openapi.json`.
//!
//! Tokens come from `Authorization: Bearer <token>`; for GET requests also from the
//! `access_token` query parameter (RFC 6750 §2.3), because browsers' `EventSource` and most feed
//! readers cannot set headers. Tokens are compared in constant time.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::ApiError;
use crate::config::ServeSettings;

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Analyst,
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Analyst, Role::Operator]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who made a request, as handlers see it (a request extension). Open reads without a token are
/// made by `anonymous` with the viewer role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

impl Principal {
    /// The principal as the audit log names it.
    pub fn actor(&self) -> crate::store::Actor {
        crate::store::Actor::new(self.name.clone(), self.role.as_str())
    }
}

/// The tokens a server accepts and whether reads are open.
#[derive(Debug, Clone, Default)]
pub struct Access {
    viewer: Vec<String>,
    operator: Vec<String>,
    open_reads: bool,
    /// Named users' tokens, looked up by digest.
    users: Option<crate::store::Store>,
}

/// Environment variables holding comma-separated tokens.
pub const ENV_VIEWER: &str = "JIANCE_TOKEN_VIEWER";
pub const ENV_OPERATOR: &str = "JIANCE_TOKEN_OPERATOR";

fn clean(tokens: impl IntoIterator<Item = String>) -> Vec<String> {
    tokens
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn split(list: &str) -> Vec<String> {
    clean(list.split(',').map(str::to_string))
}

impl Access {
    pub fn new(viewer: Vec<String>, operator: Vec<String>, open_reads: bool) -> Access {
        Access {
            viewer: clean(viewer),
            operator: clean(operator),
            open_reads,
            users: None,
        }
    }

    /// The config's tokens plus the environment's.
    pub fn from_settings(s: &ServeSettings) -> Access {
        Access::new(
            s.viewer_tokens.clone(),
            s.operator_tokens.clone(),
            s.open_reads,
        )
        .with_env()
    }

    /// Adds the tokens of `JIANCE_TOKEN_VIEWER` and `JIANCE_TOKEN_OPERATOR`.
    pub fn with_env(mut self) -> Access {
        if let Ok(v) = std::env::var(ENV_VIEWER) {
            self.viewer.extend(split(&v));
        }
        if let Ok(v) = std::env::var(ENV_OPERATOR) {
            self.operator.extend(split(&v));
        }
        self
    }

    pub fn with_operator(mut self, token: &str) -> Access {
        self.operator.extend(split(token));
        self
    }

    /// Accept the named users' tokens of this store too.
    pub fn with_users(mut self, store: crate::store::Store) -> Access {
        self.users = Some(store);
        self
    }

    pub fn open_reads(mut self, open: bool) -> Access {
        self.open_reads = open;
        self
    }

    pub fn reads_open(&self) -> bool {
        self.open_reads
    }

    /// Can anyone read at all (reads open, some token configured, or a named user's token)?
    pub fn readable(&self) -> bool {
        self.open_reads || !self.viewer.is_empty() || !self.operator.is_empty() || self.has_users()
    }

    /// Does the users' store hold a user whose token is not revoked: their tokens alone are
    /// enough to serve (a store that cannot be read counts as none).
    fn has_users(&self) -> bool {
        self.users.as_ref().is_some_and(|s| {
            s.users()
                .is_ok_and(|u| u.iter().any(|x| x.revoked_at.is_none()))
        })
    }

    pub fn writable(&self) -> bool {
        !self.operator.is_empty() || self.users.is_some()
    }

    /// Who holds `token`: a configured token's role (named after it), else a named user's.
    pub fn principal_of(&self, token: &str) -> Option<Principal> {
        if let Some(role) = self.role_of(token) {
            return Some(Principal {
                name: role.as_str().to_string(),
                role,
            });
        }
        let store = self.users.as_ref()?;
        match store.user_by_token(&crate::store::token_digest(token)) {
            Ok(Some((name, role))) => Role::parse(&role).map(|role| Principal { name, role }),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "reading users");
                None
            }
        }
    }

    /// The role a token grants (operator wins when a token is in both lists).
    pub fn role_of(&self, token: &str) -> Option<Role> {
        let hit = |list: &[String]| {
            // Check every entry so the time taken does not tell which matched.
            list.iter().fold(false, |acc, t| {
                acc | constant_time_eq(t.as_bytes(), token.as_bytes())
            })
        };
        if hit(&self.operator) {
            Some(Role::Operator)
        } else if hit(&self.viewer) {
            Some(Role::Viewer)
        } else {
            None
        }
    }

    /// One line for the start-up log: never the tokens themselves.
    pub fn describe(&self) -> String {
        format!(
            "reads {}, {} viewer token(s), {} operator token(s){}{}",
            if self.open_reads {
                "open"
            } else {
                "need a token"
            },
            self.viewer.len(),
            self.operator.len(),
            if self.users.is_some() {
                ", named users' tokens"
            } else {
                ""
            },
            if self.writable() {
                ""
            } else {
                " (writes disabled)"
            }
        )
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Paths anyone may GET.
fn public(path: &str) -> bool {
    path == "/" || path.starts_with("/assets/") || path == "/healthz" || path == "/api/openapi.json"
}

/// The bearer token of a request: the Authorization header, else (GET only) `access_token`.
fn token_of(req: &Request) -> Result<Option<String>, ApiError> {
    if let Some(h) = req.headers().get(header::AUTHORIZATION) {
        let v = h
            .to_str()
            .map_err(|_| unauthorized("Authorization header is not ASCII"))?;
        let Some((scheme, token)) = v.split_once(' ') else {
            return Err(unauthorized("Authorization: expected \"Bearer <token>\""));
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauthorized(
                "Authorization: only the Bearer scheme is supported",
            ));
        }
        return Ok(Some(token.trim().to_string()));
    }
    if req.method() == Method::GET {
        let q = super::request::Params::parse(req.uri().query());
        if let Some(t) = q.get("access_token") {
            return Ok(Some(t.to_string()));
        }
    }
    Ok(None)
}

fn unauthorized(message: &str) -> ApiError {
    ApiError {
        status: axum::http::StatusCode::UNAUTHORIZED,
        message: message.to_string(),
    }
}

fn challenge(e: ApiError) -> Response {
    let mut resp = e.into_response();
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"jiance\""),
    );
    resp
}

/// The role a request needs: the audit log an operator's; other reads a viewer's; triage, labels
/// and documents attached to a case an analyst's; other writes an operator's.
fn needed(method: &Method, path: &str) -> Role {
    if path == "/api/audit" {
        Role::Operator
    } else if matches!(*method, Method::GET | Method::HEAD) {
        Role::Viewer
    } else if path.ends_with("/triage")
        || path.ends_with("/labels")
        || path.ends_with("/warning")
        || path.starts_with("/api/warnings/")
        || (path.starts_with("/api/cases/") && path.ends_with("/documents"))
    {
        Role::Analyst
    } else {
        Role::Operator
    }
}

pub(super) async fn authorize(
    State(access): State<Arc<Access>>,
    mut req: Request,
    next: Next,
) -> Response {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    if read && public(req.uri().path()) {
        return next.run(req).await;
    }
    let need = needed(req.method(), req.uri().path());
    let token = match token_of(&req) {
        Ok(t) => t,
        Err(e) => return challenge(e),
    };
    let who = match token {
        // configured tokens are in memory; only a named user's needs the store
        Some(t) if access.role_of(&t).is_some() => access.principal_of(&t),
        Some(t) => {
            // The user lookup reads SQLite: off the async threads.
            let a = access.clone();
            match tokio::task::spawn_blocking(move || a.principal_of(&t)).await {
                Ok(Some(p)) => Some(p),
                Ok(None) => return challenge(unauthorized("invalid token")),
                Err(e) => return super::ApiError::internal(e).into_response(),
            }
        }
        None => None,
    };
    match (need, who) {
        (_, Some(p)) if p.role >= need => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        (Role::Viewer, None) if access.reads_open() => {
            req.extensions_mut().insert(Principal {
                name: "anonymous".into(),
                role: Role::Viewer,
            });
            next.run(req).await
        }
        (Role::Viewer, _) => challenge(unauthorized(
            "a viewer, analyst or operator token is required (Authorization: Bearer <token>)",
        )),
        (need, None) => challenge(unauthorized(&format!(
            "an {} token is required (Authorization: Bearer <token>)",
            need.as_str()
        ))),
        (need, Some(p)) => ApiError {
            status: axum::http::StatusCode::FORBIDDEN,
            message: format!(
                "this action needs the {} role; {} has the {} role",
                need.as_str(),
                p.name,
                p.role.as_str()
            ),
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_lists_and_env_style_strings() {
        let a = Access::new(vec![" v1 ".into(), "".into()], vec![], false).with_operator("o1, o2,");
        assert_eq!(a.role_of("v1"), Some(Role::Viewer));
        assert_eq!(a.role_of("o2"), Some(Role::Operator));
        assert_eq!(a.role_of("o"), None);
        assert_eq!(a.role_of(""), None);
        assert!(a.writable() && a.readable() && !a.reads_open());
        let d = a.describe();
        assert!(
            d.contains("1 viewer") && d.contains("2 operator") && !d.contains("o1"),
            "{d}"
        );
        let closed = Access::default();
        assert!(!closed.readable() && !closed.writable());
        assert!(closed.describe().contains("writes disabled"));
    }

    #[test]
    fn serve_starts_with_named_users_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("state.sqlite")).unwrap();
        let no_tokens = || Access::new(vec![], vec![], false).with_users(store.clone());
        assert!(!no_tokens().readable(), "no user yet: nobody can read");
        store
            .add_user("li", "analyst", &crate::store::token_digest("t-li"))
            .unwrap();
        assert!(no_tokens().readable() && no_tokens().writable());
        let who = no_tokens().principal_of("t-li").unwrap();
        assert_eq!(who.name, "li");
        store.revoke_user("li").unwrap();
        assert!(
            !no_tokens().readable(),
            "a revoked user's token opens nothing"
        );
    }

    #[test]
    fn public_paths_are_only_the_shell() {
        assert!(public("/") && public("/assets/app.js") && public("/healthz"));
        assert!(!public("/api/alerts") && !public("/feeds/alerts.atom") && !public("/metrics"));
    }
}
