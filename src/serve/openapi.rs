//! `GET /api/openapi.json`: an OpenAPI 3.0 document describing every endpoint. Written by hand
//! next to the routes it describes; the API test checks that every route is in it.

use axum::Json;
use serde_json::{Value, json};

/// Paths the document lists (the router's routes; the test compares the two).
pub const PATHS: &[&str] = &[
    "/api/alerts",
    "/api/alerts/stream",
    "/api/alerts/{id}",
    "/api/alerts/{id}/ack",
    "/api/inspection-results",
    "/api/sampling-requests",
    "/api/onsale",
    "/api/inspections",
    "/api/risk-list",
    "/print/sampling/{id}",
    "/api/alerts/{id}/jurisdictions",
    "/print/jurisdictions/{id}",
    "/api/onsale/{id}/jurisdictions",
    "/print/onsale/{id}/jurisdictions",
    "/api/search",
    "/api/search/export",
    "/api/stats",
    "/api/watch-rules",
    "/api/watch-rules/{id}",
    "/api/openapi.json",
    "/api/me",
    "/api/review/options",
    "/api/cases",
    "/api/cases/{id}",
    "/api/cases/{id}/triage",
    "/api/cases/{id}/documents",
    "/api/alerts/{id}/triage",
    "/api/labels",
    "/api/documents/{id}/labels",
    "/api/audit",
    "/feeds/alerts.atom",
    "/api/alerts/{id}/warning",
    "/api/warnings",
    "/api/warnings/{id}",
    "/api/warnings/{id}/approve",
    "/feeds/warnings.atom",
    "/api/parties",
    "/api/parties/{kind}/{key}",
    "/metrics",
    "/healthz",
    "/",
];

/// A query parameter. An empty value (`until=`) is the same as none (forms send every field),
/// which the document says with `allowEmptyValue`.
fn q(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "allowEmptyValue": true,
            "description": description, "schema": schema })
}

fn one_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn s() -> Value {
    json!({ "type": "string" })
}

/// The body of `/api/stats` (`serve::api::Stats`); apart, as one `json!` of the whole document
/// would pass the macro's recursion limit.
fn stats_schema() -> Value {
    json!({ "type": "object",
        "required": ["signals", "documents", "by_day", "by_province", "by_category", "unclassified"],
        "properties": {
            "signals": { "type": "integer", "minimum": 0 },
            "documents": { "type": "integer", "minimum": 0 },
            "by_day": { "type": "array", "items": { "type": "object",
                "required": ["day", "category", "signals"],
                "properties": { "day": date(), "category": s(), "signals": { "type": "integer", "minimum": 0 } } } },
            "by_province": { "type": "array", "description": "[province, signals] pairs, most first; 未知 for unplaced signals",
                "items": { "type": "array", "minItems": 2, "maxItems": 2 } },
            "by_category": { "type": "array", "description": "[category, signals] pairs, most first",
                "items": { "type": "array", "minItems": 2, "maxItems": 2 } },
            "unclassified": { "type": "array", "maxItems": super::api::UNCLASSIFIED_TOP,
                "description": "Product nouns of unclassified (未归类) signals, products no category rule knows, as written; most signals first, under the same filters",
                "items": { "type": "object", "required": ["product", "signals", "documents"],
                    "properties": { "product": s(), "signals": { "type": "integer", "minimum": 0 },
                        "documents": { "type": "integer", "minimum": 0 } } } } } })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

/// Free text the server accepts up to its length limit (notes, party names, test items).
fn text() -> Value {
    json!({ "type": "string", "maxLength": super::request::MAX_TEXT })
}

/// A required label: some non-blank character (the server trims), within the length limit.
fn label() -> Value {
    json!({ "type": "string", "minLength": 1, "maxLength": super::request::MAX_TEXT, "pattern": "\\S" })
}

/// One server-sent event as a client parses it (OpenAPI 3.0 cannot describe a stream, so the
/// schema of `text/event-stream` is that of each event, as schemathesis reads it): `ready` first,
/// then `alert` events whose `data` is an AlertChange in JSON and whose `id` is its `seq`.
fn sse_event() -> Value {
    json!({ "type": "object", "required": ["data"], "properties": {
        "event": { "type": "string", "enum": ["ready", "alert"] },
        "data": { "type": "string" },
        "id": { "type": "string", "pattern": "^[0-9]+$" },
        "retry": { "type": "integer", "minimum": 0 } } })
}

fn int() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

fn errors(codes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for c in codes {
        let description = match *c {
            "400" => "Bad parameter or body (the message names it)",
            "401" => "Missing or invalid bearer token",
            "403" => "Token lacks the operator role",
            "404" => "No such alert, watch rule or document",
            "409" => "The alert has no sampling request",
            "413" => "Request body too large",
            "415" => "The request body is not application/json",
            "503" => "Search index not open / request timed out",
            _ => "Error",
        };
        m.insert(
            (*c).to_string(),
            json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
    Value::Object(m)
}

fn ok(description: &str, content_type: &str, schema: Value, errs: &[&str]) -> Value {
    let mut r = errors(errs);
    if let Value::Object(m) = &mut r {
        m.insert(
            "200".into(),
            json!({ "description": description, "content": { content_type: { "schema": schema } } }),
        );
    }
    r
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn nullable() -> Value {
    json!({ "type": "string", "nullable": true })
}

/// A watch rule as a user writes it. At least one criterion and one delivery (the `allOf` of
/// two `anyOf`s of `required`); null and blank mean absent, so a rule whose only criterion is
/// blank is refused (400). The patterns are the server's own (`notify::rules`).
fn watch_rule_input() -> Value {
    use crate::notify::rules::{
        EMAIL_PATTERN, MAX_FIELD, SECRET_PATTERN, TEXT_PATTERN, URL_PATTERN, ecma,
    };
    let field = || json!({ "type": "string", "nullable": true, "maxLength": MAX_FIELD, "pattern": ecma(TEXT_PATTERN) });
    let shaped = |p: &str| json!({ "type": "string", "nullable": true, "maxLength": MAX_FIELD, "pattern": format!("^$|{}", ecma(p)) });
    let criteria: Vec<Value> = [
        "brand",
        "model",
        "enterprise",
        "query",
        "category",
        "province",
        "min_level",
    ]
    .iter()
    .map(|k| json!({ "required": [k] }))
    .collect();
    json!({ "type": "object", "additionalProperties": false, "required": ["owner"],
        "allOf": [
            { "anyOf": criteria },
            { "anyOf": [{ "required": ["webhook_url"] }, { "required": ["email"] }] } ],
        "properties": {
            "owner": { "type": "string", "maxLength": MAX_FIELD, "pattern": ecma(TEXT_PATTERN), "description": "The user the rule belongs to (required, not blank)" },
            "name": field(), "brand": field(), "model": field(), "enterprise": field(),
            "query": { "type": "string", "nullable": true, "maxLength": MAX_FIELD, "pattern": ecma(TEXT_PATTERN),
                       "description": "A search query in the dashboard's language, over titles and texts (400 when it does not parse)" },
            "category": field(), "province": field(),
            "min_level": { "type": "integer", "nullable": true, "minimum": 1, "maximum": 4 },
            "webhook_url": shaped(URL_PATTERN),
            "webhook_secret": shaped(SECRET_PATTERN),
            "email": shaped(EMAIL_PATTERN),
            "mode": { "type": "string", "nullable": true, "enum": ["immediate", "digest", null] } } })
}

/// The component schemas (a function of its own: one `json!` of the whole document would pass
/// the macro's recursion limit).
fn schemas() -> Value {
    let level = json!({ "type": "integer", "minimum": 1, "maximum": 4 });
    let mut out = json!({
                "Error": { "type": "object", "required": ["error"], "properties": { "error": s() } },
                "ScoreTerm": { "type": "object", "properties": { "name": s(), "value": { "type": "number" }, "note": s() } },
                "Alert": { "type": "object", "properties": {
                    "id": s(), "category": s(), "hazards": { "type": "array", "items": s() },
                    "scope": { "type": "string", "enum": ["regional", "systemic"] },
                    "regions": { "type": "array", "items": s() }, "level": level,
                    "action": { "type": "string", "enum": ["dismiss", "notify", "sample"] },
                    "score": { "type": "number" }, "breakdown": { "type": "array", "items": schema_ref("ScoreTerm") },
                    "evidence": { "type": "array", "items": s() }, "first_seen": date(), "updated": date(),
                    "status": { "type": "string", "enum": ["new", "escalated", "deescalated", "ongoing", "closed", "acknowledged"] },
                    "summary": s(), "reasons": { "type": "array", "items": s() },
                    "daily": { "type": "array", "items": schema_ref("DayCount"),
                        "description": "The cell's days with the baseline's expected band; given by /api/alerts/{id}, left out of the list" },
                    "jurisdictions": { "type": "array", "items": schema_ref("Jurisdiction"),
                        "description": "The regulators to hand it to (属地): where the enterprises and shops of its evidence are; `regions` is where the events happened" } } },
                "DayCount": { "type": "object", "required": ["day", "observed", "expected", "low", "high", "window"], "properties": {
                    "day": date(), "observed": { "type": "number" }, "expected": { "type": "number" },
                    "low": { "type": "number" }, "high": { "type": "number" },
                    "window": { "type": "boolean" }, "excluded": { "type": "boolean" } } },
                "AlertPage": { "type": "object", "properties": { "total": int(), "alerts": { "type": "array", "items": schema_ref("Alert") } } },
                "AlertChange": { "type": "object", "properties": {
                    "seq": { "type": "integer" }, "alert_id": s(), "at": { "type": "string", "format": "date-time" },
                    "change": { "type": "string", "enum": ["new", "escalated", "deescalated", "updated", "closed", "acknowledged", "inspection"] },
                    "level": level, "score": { "type": "number" }, "note": s() } },
                "SamplingRequest": { "type": "object", "properties": {
                    "alert_id": s(), "category": s(), "test_items": { "type": "array", "items": s() },
                    "regions": { "type": "array", "items": s() }, "platforms": { "type": "array", "items": s() },
                    "shops": { "type": "array", "items": s() }, "brands": { "type": "array", "items": s() },
                    "enterprises": { "type": "array", "items": s() }, "batches": int(), "deadline": date(),
                    "purchases": { "type": "array", "items": { "type": "object", "properties": {
                        "doc_id": s(), "url": s(), "title": s(), "platform": s(), "shop": s(),
                        "province": { "type": "string", "nullable": true }, "brand": s(), "model": s(), "enterprise": s(),
                        "price": { "type": "number", "nullable": true }, "sales": { "type": "integer", "minimum": 0, "nullable": true },
                        "why": s() } } },
                    "items": { "type": "array", "items": { "type": "object", "properties": {
                        "item": s(), "standard": s(), "title": s() } } },
                    "reason": { "type": "string", "description": "Why its purchases come first: the repeat offenders (rules/parties.toml) it buys from; absent when none" } } },
                "InspectionBatch": { "type": "object", "required": ["batch", "passed"], "additionalProperties": false, "properties": {
                    "batch": label(), "party": text(), "item": text(), "passed": { "type": "boolean" }, "note": text() } },
                "InspectionResults": { "type": "object", "required": ["alert_id", "results"], "additionalProperties": false, "properties": {
                    "alert_id": label(),
                    "inspected_on": { "type": "string", "format": "date", "nullable": true, "description": "Default (absent or null): today" },
                    "results": { "type": "array", "minItems": 1, "maxItems": 500, "items": schema_ref("InspectionBatch") } } },
                "OnSaleFinding": { "type": "object", "properties": {
                    "id": s(), "listing": { "type": "object" }, "flagged": { "type": "object" },
                    "matched": { "type": "array", "items": { "type": "string", "enum": ["model", "brand", "enterprise", "batch", "category", "product", "no-ccc", "old-standard", "no-standard", "banned-term"] } },
                    "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
                    "action": { "type": "string", "enum": ["notify"] }, "notify": s(), "summary": s(),
                    "reason": s(), "first_seen": date(),
                    "jurisdictions": { "type": "array", "items": schema_ref("Jurisdiction"),
                        "description": "The regulators of the shop's and the enterprise's places (属地)" } } },
                "OnSalePage": { "type": "object", "required": ["total", "findings"], "properties": {
                    "total": int(),
                    "platforms": { "type": "object", "additionalProperties": int() },
                    "provinces": { "type": "object", "additionalProperties": int() },
                    "bases": { "type": "object", "additionalProperties": int() },
                    "findings": { "type": "array", "items": schema_ref("OnSaleFinding") } } },
                "AlertDetail": { "type": "object", "properties": {
                    "alert": schema_ref("Alert"), "evidence": { "type": "array", "items": { "type": "object" } },
                    "sampling_request": { "allOf": [schema_ref("SamplingRequest")], "nullable": true },
                    "history": { "type": "array", "items": schema_ref("AlertChange") },
                    "acknowledgement": { "type": "object", "nullable": true },
                    "inspection": { "type": "object", "nullable": true },
                    "brands": { "type": "array", "items": { "type": "object", "properties": {
                        "brand": s(), "reports": int(), "units": { "type": "integer", "minimum": 0, "nullable": true },
                        "rate": { "type": "number", "nullable": true }, "category_rate": { "type": "number", "nullable": true },
                        "rate_low": { "type": "number", "nullable": true },
                        "models": { "type": "array", "items": { "type": "object", "properties": { "name": s(), "units": int() } } },
                        "shops": { "type": "array", "items": { "type": "object", "properties": { "name": s(), "units": int() } } },
                        "disproportion": { "type": "object", "nullable": true } } } } } }
    });
    for more in [
        watch_schemas(),
        jurisdiction_schemas(),
        super::inspections::schemas(),
        super::risk::schemas(),
    ] {
        if let (Value::Object(m), Value::Object(more)) = (&mut out, more) {
            m.extend(more);
        }
    }
    out
}

/// An alert's jurisdictions (属地, issue 47), beside [`schemas`] for `json!`'s recursion limit.
fn jurisdiction_schemas() -> Value {
    json!({
                "Jurisdiction": { "type": "object", "required": ["province", "parties", "documents"], "properties": {
                    "province": s(), "city": s(),
                    "parties": { "type": "array", "items": schema_ref("JurisdictionParty") },
                    "documents": { "type": "array", "items": s() },
                    "contact": { "type": "object", "required": ["province", "unit"], "properties": {
                        "province": s(), "city": s(), "unit": s(), "email": s(), "phone": s() } } } },
                "JurisdictionParty": { "type": "object", "required": ["role", "name", "documents"], "properties": {
                    "role": { "type": "string", "enum": ["enterprise", "shop"] }, "name": s(),
                    "documents": { "type": "array", "items": s() } } }
    })
}

/// The watch rules' schemas (beside [`schemas`]: together they pass `json!`'s recursion limit).
fn watch_schemas() -> Value {
    json!({
                "WatchRule": { "type": "object", "properties": {
                    "id": s(), "owner": s(), "name": s(), "brand": nullable(), "model": nullable(), "enterprise": nullable(),
                    "query": nullable(), "category": nullable(), "province": nullable(),
                    "min_level": { "type": "integer", "minimum": 1, "maximum": 4, "nullable": true },
                    "webhook": { "type": "object", "nullable": true, "properties": { "url": s(), "secret": s() } },
                    "email": nullable(), "mode": one_of(&["immediate", "digest"]),
                    "created_at": { "type": "string", "format": "date-time" } } },
                "WatchRuleInput": watch_rule_input()
    })
}

/// Every endpoint but the analysts' ([`review_paths`]).
/// The filters and options of a search (`/api/search` and its export).
fn search_params() -> Vec<Value> {
    let flag = || one_of(&["true", "false", "1", "0", "yes", "no"]);
    vec![
        q(
            "q",
            "Words or \"phrases\"; AND by default, OR / NOT allowed. A word the rules know as a \
               product alias or hazard term finds its whole concept (unless `literal`); quoted words \
               stay literal. Filters may be written in it: category:, hazard:, province:, city:, \
               region:, kind:, source:, since:, until:",
            s(),
        ),
        q("category", "", s()),
        q("hazard", "", s()),
        q("region", "Province or city", s()),
        q(
            "kind",
            "listing | complaint | media | notice | recall | inspection | standard",
            one_of(&[
                "listing",
                "complaint",
                "media",
                "notice",
                "recall",
                "inspection",
                "standard",
            ]),
        ),
        q("source", "", s()),
        q("since", "", date()),
        q("until", "", date()),
        q("sort", "relevance | date", one_of(&["relevance", "date"])),
        q("signals", "Only risk signals", flag()),
        q(
            "literal",
            "Search the words as written: no concept expansion",
            flag(),
        ),
        q(
            "collapse",
            "One hit per story (near-duplicate cluster), its copies listed with it (default true)",
            flag(),
        ),
        q(
            "like",
            "More like this: documents like the one with this id, its own story left out (404 when there is none)",
            s(),
        ),
    ]
}

/// The document's frame: info, security schemes, schemas. The paths come from one function per
/// resource group, each its own `json!`: one for the whole would pass the macro's recursion
/// limit, and a 200-line literal is hard to find one's way in.
fn core_document() -> Value {
    let mut paths = alert_paths();
    for more in [
        sampling_paths(),
        watch_rule_paths(),
        search_paths(),
        service_paths(),
    ] {
        if let (Value::Object(paths), Value::Object(more)) = (&mut paths, more) {
            paths.extend(more);
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "jiance API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "产品质量安全风险监测 · Product quality-safety risk monitoring. Reads need a viewer (or operator) token unless the deployment opens them; writes need an operator token. Tokens: `Authorization: Bearer <token>` (GET also accepts `?access_token=`). Errors are JSON `{\"error\": \"...\"}`, also a request target over 8 KiB (414) and over 100 headers or 64 KiB of them (431)."
        },
        "servers": [{ "url": "/" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        },
        "paths": paths
    })
}

/// The alerts: the ranked list, its change stream, one alert, its acknowledgement.
fn alert_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let write = json!([{ "bearer": [] }]);
    let level = json!({ "type": "integer", "minimum": 1, "maximum": 4 });
    json!({
        "/api/alerts": { "get": {
            "summary": "Ranked alerts with filters and paging", "security": read,
            "parameters": [
                q("level", "Exact risk level 1-4", level.clone()), q("min_level", "Lowest risk level", level.clone()),
                q("action", "dismiss | notify | sample", one_of(&["dismiss", "notify", "sample"])),
                q("scope", "regional | systemic", one_of(&["regional", "systemic"])),
                q("category", "Category id (taxonomy)", s()), q("region", "Province name", s()),
                q("status", "new | escalated | deescalated | ongoing | closed | acknowledged",
                  one_of(&["new", "escalated", "deescalated", "ongoing", "closed", "acknowledged"])),
                q("limit", "Page size (max 500)", int()), q("offset", "Skip this many", int())
            ],
            "responses": ok("A page of alerts", "application/json", schema_ref("AlertPage"), &["400", "401"]) } },
        "/api/alerts/stream": { "get": {
            "summary": "Server-sent events of alert changes (event: ready, then event: alert with an AlertChange; id = seq). Not time-limited.",
            "security": read,
            "parameters": [
                q("since", "Resume after this event id (also the Last-Event-ID header)", int()),
                q("access_token", "Bearer token for clients that cannot set headers (EventSource)", s())
            ],
            "responses": ok("Event stream", "text/event-stream", sse_event(), &["400", "401"]) } },
        "/api/alerts/{id}": { "get": {
            "summary": "One alert: evidence with links and snippets, score breakdown, history, sampling request, acknowledgement, inspection results",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "responses": ok("The alert", "application/json", schema_ref("AlertDetail"), &["401", "404"]) } },
        "/api/alerts/{id}/ack": { "post": {
            "summary": "Acknowledge an alert (operator); cleared when the alert escalates",
            "security": write,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": { "note": text() } } } } },
            "responses": ok("Acknowledged", "application/json", json!({ "type": "object" }), &["400", "401", "403", "404", "413", "415"]) } }
    })
}

/// What follows an alert on the ground: inspection results, sampling requests, the packages per
/// jurisdiction, listings still on sale.
fn sampling_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let write = json!([{ "bearer": [] }]);
    json!({
        "/api/inspection-results": { "post": {
            "summary": "Record pass/fail per batch for an alert's sampling request (operator); parties go into the sampling history",
            "security": write,
            "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref("InspectionResults") } } },
            "responses": {
                "201": { "description": "Recorded", "content": { "application/json": { "schema": { "type": "object" } } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"], "403": errors(&["403"])["403"],
                "404": errors(&["404"])["404"], "409": errors(&["409"])["409"], "413": errors(&["413"])["413"],
                "415": errors(&["415"])["415"] } } },
        "/api/sampling-requests": { "get": {
            "summary": "Drafted sampling requests, in alert rank order", "security": read,
            "parameters": [q("alert", "Alert id", s()), q("category", "Category id", s()),
                           q("format", "json (default) | csv (one row per listing to buy)", one_of(&["json", "csv"]))],
            "responses": {
                "200": { "description": "Sampling requests (JSON), or their purchases (CSV, UTF-8 with BOM)",
                         "content": { "application/json": { "schema": { "type": "array", "items": schema_ref("SamplingRequest") } },
                                      "text/csv": { "schema": s() } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"] } } },
        "/print/sampling/{id}": { "get": {
            "summary": "A sampling request as a printable page for the buyers (采样人员): listings to buy, test items with their standards, lines to sign",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "responses": ok("Printable page", "text/html", s(), &["400", "401", "404"]) } },
        "/api/alerts/{id}/jurisdictions": { "get": {
            "summary": "The packages per jurisdiction (属地) of an alert: the places of the enterprises and shops of its evidence with their parties and documents (JSON), or one row per party and document with the document's title and link (CSV, UTF-8 with BOM)",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() },
                           q("format", "json (default) | csv", one_of(&["json", "csv"]))],
            "responses": {
                "200": { "description": "The alert's jurisdictions",
                         "content": { "application/json": { "schema": { "type": "array", "items": schema_ref("Jurisdiction") } },
                                      "text/csv": { "schema": s() } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"], "404": errors(&["404"])["404"] } } },
        "/print/jurisdictions/{id}": { "get": {
            "summary": "An alert's packages per jurisdiction (属地通报) as a printable page: one per place, with the parties there, the documents concerning them and a line to sign",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "responses": ok("Printable page", "text/html", s(), &["400", "401", "404"]) } },
        "/api/onsale/{id}/jurisdictions": { "get": {
            "summary": "The packages per jurisdiction (属地) of an on-sale finding: the places of its shop and of the maker its notice names, with their parties and documents (JSON), or one row per party and document (CSV, UTF-8 with BOM)",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() },
                           q("format", "json (default) | csv", one_of(&["json", "csv"]))],
            "responses": {
                "200": { "description": "The finding's jurisdictions",
                         "content": { "application/json": { "schema": { "type": "array", "items": schema_ref("Jurisdiction") } },
                                      "text/csv": { "schema": s() } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"], "404": errors(&["404"])["404"] } } },
        "/print/onsale/{id}/jurisdictions": { "get": {
            "summary": "An on-sale finding's packages per jurisdiction (属地通报) as a printable page: one per place, with the shop or maker there, the listing or notice concerning it and a line to sign",
            "security": read,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "responses": ok("Printable page", "text/html", s(), &["400", "401", "404"]) } },
        "/api/onsale": { "get": {
            "summary": "Listings still selling recalled or failed products, and listings breaking the rules (no CCC claim in a CCC category, a replaced standard or none, a banned product): on-sale findings, most certain first; each is to be notified to its platform. format=csv for the platform or the local unit",
            "security": read,
            "parameters": [
                q("platform", "Platform name, exact", s()),
                q("region", "Province of the shop (广东 or 广东省) or a place in its location", s()),
                q("basis", "recall | failed (matched products) | ccc | standard | banned (rules broken)",
                  one_of(&["recall", "failed", "ccc", "standard", "banned"])),
                q("format", "json (default) | csv", one_of(&["json", "csv"])),
                q("limit", "Page size of the JSON answer (max 1000; larger values are cut to 1000)", int()),
                q("offset", "Skip this many", int())
            ],
            "responses": {
                "200": { "description": "A page of findings (JSON), or every filtered finding (CSV, UTF-8 with BOM)",
                         "content": { "application/json": { "schema": schema_ref("OnSalePage") },
                                      "text/csv": { "schema": s() } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"] } } }
    })
}

/// Watch rules: saved criteria notified by webhook or e-mail.
fn watch_rule_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let write = json!([{ "bearer": [] }]);
    json!({
        "/api/watch-rules": {
            "get": {
                "summary": "Watch rules (webhook secrets hidden)", "security": read,
                "parameters": [q("owner", "Only this user's rules", s())],
                "responses": ok("Watch rules", "application/json", json!({ "type": "object", "properties": { "rules": { "type": "array", "items": schema_ref("WatchRule") } } }), &["400", "401"]) },
            "post": {
                "summary": "Add a watch rule (operator): every criterion given must hold; notified by a signed webhook (X-Jiance-Signature: sha256=HMAC-SHA256(secret, \"<X-Jiance-Timestamp>.<body>\")) and/or e-mail, at once or in a daily digest. The answer shows the webhook secret, once.",
                "security": write,
                "requestBody": { "required": true, "content": { "application/json": { "schema": schema_ref("WatchRuleInput") } } },
                "responses": {
                    "201": { "description": "Added", "content": { "application/json": { "schema": { "type": "object", "properties": { "rule": schema_ref("WatchRule") } } } } },
                    "400": errors(&["400"])["400"], "401": errors(&["401"])["401"], "403": errors(&["403"])["403"],
                    "413": errors(&["413"])["413"], "415": errors(&["415"])["415"] } } },
        "/api/watch-rules/{id}": { "delete": {
            "summary": "Remove a watch rule (operator); what it still had to send is cancelled",
            "security": write,
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s() }],
            "responses": ok("Removed", "application/json", json!({ "type": "object", "properties": { "removed": s() } }), &["400", "401", "403", "404"]) } }
    })
}

/// Full-text search, its export and the signal statistics.
fn search_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let mut search = search_params();
    search.push(q(
        "limit",
        "At most 100 (larger values are cut to 100)",
        int(),
    ));
    search.push(q(
        "offset",
        "At most 10000 (narrow the search to reach further)",
        json!({ "type": "integer", "minimum": 0, "maximum": crate::index::MAX_WINDOW }),
    ));
    search.push(q(
        "histogram",
        "Also count the matches per day or week",
        one_of(&["day", "week"]),
    ));
    let mut export = search_params();
    export.push(q(
        "format",
        "csv (default, UTF-8 with BOM) or xlsx",
        one_of(&["csv", "xlsx"]),
    ));
    // paging parameters are accepted and ignored: an export is the whole result set
    export.push(q("limit", "Ignored: the export holds every match", int()));
    export.push(q(
        "offset",
        "Ignored: the export holds every match",
        json!({ "type": "integer", "minimum": 0, "maximum": crate::index::MAX_WINDOW }),
    ));
    export.push(q("histogram", "Ignored", one_of(&["day", "week"])));
    json!({
        "/api/search": { "get": {
            "summary": "Full-text search: concepts expanded, one hit per story, facets by documents and stories, highlighted snippets", "security": read,
            "parameters": search,
            "responses": ok("Hits (with their story's copies), facets, expansions", "application/json", json!({ "type": "object",
                "required": ["total", "hits", "facets", "expansions", "query_filters"],
                "properties": {
                    "total": { "type": "integer", "description": "Matching documents" },
                    "stories": { "type": "integer", "description": "Matching stories (when collapsed)" },
                    "hits": { "type": "array", "items": { "type": "object",
                        "required": ["id", "title", "url", "cluster", "copies", "sources", "others"] } },
                    "facets": { "type": "object", "description": "Facet → [value, documents] pairs" },
                    "facet_stories": { "type": "object", "description": "Facet → value → stories" },
                    "expansions": { "type": "array", "items": { "type": "object",
                        "required": ["word", "kind", "concept", "terms"] } },
                    "query_filters": { "type": "array", "description": "[name, value] filters taken from q" } } }),
                &["400", "401", "404", "503"]) } },
        "/api/search/export": { "get": {
            "summary": "Every document a search matches (not one page, not collapsed) as CSV or an Excel workbook", "security": read,
            "parameters": export,
            "responses": {
                "200": { "description": "The result set, one row per document with the extraction's fields; headers X-Jiance-Rows and X-Jiance-Total",
                         "content": { "text/csv": { "schema": s() },
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } } } },
                "400": errors(&["400"])["400"], "401": errors(&["401"])["401"], "404": errors(&["404"])["404"], "503": errors(&["503"])["503"] } } },
        "/api/stats": { "get": {
            "summary": "Signal counts by day and category, by province, by category, and the product nouns of unclassified signals", "security": read,
            "parameters": [q("since", "", date()), q("until", "", date()), q("category", "", s()), q("province", "", s())],
            "responses": ok("Counts", "application/json", stats_schema(), &["400", "401"]) } }
    })
}

/// The service itself: this document, the alerts feed, metrics, health, the dashboard.
fn service_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    json!({
        "/api/openapi.json": { "get": { "summary": "This document", "security": [{}],
            "responses": ok("OpenAPI 3 document", "application/json", json!({ "type": "object" }), &[]) } },
        "/feeds/alerts.atom": { "get": {
            "summary": "Atom 1.0 feed, one entry per current alert", "security": read,
            "parameters": [q("access_token", "Bearer token for feed readers", s())],
            "responses": ok("Atom feed", "application/atom+xml", s(), &["401"]) } },
        "/metrics": { "get": { "summary": "Prometheus text format: per-stage counters, crawl freshness, queue depths", "security": read,
            "responses": ok("Metrics", "text/plain", s(), &["401"]) } },
        "/healthz": { "get": { "summary": "Liveness, and whether every stored document is searchable (status degraded while the index lacks some)", "security": [{}],
            "responses": ok("Health", "application/json", json!({ "type": "object",
                "required": ["status", "index", "unindexed_documents"],
                "properties": {
                    "status": { "type": "string", "enum": ["ok", "degraded"] },
                    "index": { "type": "boolean" },
                    "index_documents": { "type": "integer", "minimum": 0, "nullable": true },
                    "store_documents": { "type": "integer", "minimum": 0, "nullable": true },
                    "unindexed_documents": { "type": "integer", "minimum": 0 } } }), &[]) } },
        "/": { "get": { "summary": "The dashboard (HTML; data comes from the API)", "security": [{}],
            "responses": ok("Dashboard", "text/html", s(), &[]) } }
    })
}

/// The analysts' endpoints (cases, triage, labels), merged into [`document`]'s paths.
fn review_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let write = json!([{ "bearer": [] }]);
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": s() }]);
    let obj = json!({ "type": "object" });
    // A dismissal needs a reason, and a wrong-* label its right value: one branch per case.
    let reason = |required: bool| {
        let mut r = json!({ "type": "string", "maxLength": 2000,
            "description": "A dismissal reason key (GET /api/review/options) or free text; required to dismiss" });
        if required {
            r["pattern"] = json!("\\S");
        }
        r
    };
    let triage_body = json!({ "required": true, "content": { "application/json": { "schema": { "oneOf": [
        { "type": "object", "required": ["to"], "additionalProperties": false, "properties": {
            "to": { "type": "string", "enum": ["new", "review", "confirmed", "closed"] }, "reason": reason(false) } },
        { "type": "object", "required": ["to", "reason"], "additionalProperties": false, "properties": {
            "to": { "type": "string", "enum": ["dismissed"] }, "reason": reason(true) } } ] } } } });
    let label_body = json!({ "required": true, "content": { "application/json": { "schema": { "oneOf": [
        { "type": "object", "required": ["kind"], "additionalProperties": false, "properties": {
            "kind": { "type": "string", "enum": ["not-relevant", "missed-signal"] },
            "value": { "type": "string", "maxLength": 64 }, "note": text() } },
        { "type": "object", "required": ["kind", "value"], "additionalProperties": false, "properties": {
            "kind": { "type": "string", "enum": ["wrong-category", "wrong-hazard", "wrong-region"] },
            "value": { "type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S",
                "description": "The right category, hazard or province" },
            "note": text() } } ] } } } });
    let triage = |what: &str| {
        json!({
        "get": { "summary": format!("The {what}'s triage state and its history (who, when, why)"), "security": read,
            "parameters": id, "responses": ok("Triage", "application/json", obj.clone(), &["400", "401"]) },
        "post": { "summary": format!("Move the {what} to another triage state (analyst): new → review → confirmed | dismissed → closed; closed or decided ones may be reopened to review. Dismissing an alert suppresses it on the next scoring runs while its level and regions do not rise."),
            "security": write, "parameters": id, "requestBody": triage_body,
            "responses": ok("Moved", "application/json", obj.clone(), &["400", "401", "403", "404", "409", "413", "415"]) } })
    };
    let audit_entry = json!({ "type": "object",
        "required": ["seq", "at", "user", "role", "action", "target", "detail"],
        "properties": {
            "seq": { "type": "integer", "minimum": 1 }, "at": { "type": "string", "format": "date-time" },
            "user": s(), "role": s(),
            "action": { "type": "string", "enum": ["acknowledge", "triage", "label", "inspection-results", "watch-rule-add", "watch-rule-remove", "attach", "warning-draft", "warning-edit", "warning-approve"] },
            "target": { "type": "string", "description": "alert:ID, case:ID, document:ID, watch-rule:ID or warning:ID" },
            "detail": s() } });
    let audit_page = json!({ "type": "object", "required": ["total", "limit", "offset", "entries"],
        "properties": { "total": int(), "limit": int(), "offset": int(),
            "entries": { "type": "array", "maxItems": super::audit::MAX_LIMIT, "items": audit_entry } } });
    json!({
        "/api/audit": { "get": { "summary": "The audit log (operator): every write — acknowledgement, triage move, label, inspection results, watch rule added or removed, document attached to a case — with who made it and when, newest first",
            "security": write, "parameters": [
                q("limit", "Page size (max 500)", int()), q("offset", "Skip this many (newest first)", int()) ],
            "responses": ok("A page of the audit log", "application/json", audit_page, &["400", "401", "403"]) } },
        "/api/me": { "get": { "summary": "The caller's name and role", "security": read,
            "responses": ok("Who", "application/json", obj.clone(), &["401"]) } },
        "/api/review/options": { "get": { "summary": "Triage states and their next states, dismissal reasons, label kinds", "security": read,
            "responses": ok("Options", "application/json", obj.clone(), &["401"]) } },
        "/api/cases": { "get": { "summary": "Cases of the last scoring run: one problem (a category and hazard family across provinces and channels, while its alerts overlap in time), with its alerts, its documents per channel (`documents`: how many) and triage state", "security": read,
            "responses": ok("Cases", "application/json", obj.clone(), &["401"]) } },
        "/api/cases/{id}": { "get": { "summary": "One case: timeline, alerts, evidence documents, sampling requests, triage state and history", "security": read,
            "parameters": id, "responses": ok("The case", "application/json", obj.clone(), &["400", "401", "404"]) } },
        "/api/cases/{id}/triage": triage("case"),
        "/api/cases/{id}/documents": { "post": { "summary": "Attach a document to the case (analyst): one that raised no alert of its own, or no signal, but belongs to the problem. It stays on the case across scoring runs; `attached` is false when the case held it already.",
            "security": write, "parameters": id,
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["doc_id"], "additionalProperties": false, "properties": {
                    "doc_id": { "type": "string", "maxLength": 2000, "description": "A document id (from search)" } } } } } },
            "responses": ok("Attached", "application/json", obj.clone(), &["400", "401", "403", "404", "413", "415", "503"]) } },
        "/api/alerts/{id}/triage": triage("alert"),
        "/api/labels": { "get": { "summary": "Every label analysts put on documents, oldest first", "security": read,
            "responses": ok("Labels", "application/json", obj.clone(), &["401"]) } },
        "/api/documents/{id}/labels": {
            "get": { "summary": "A document's labels", "security": read, "parameters": id,
                "responses": ok("Labels", "application/json", obj.clone(), &["400", "401"]) },
            "post": { "summary": "Label a document (analyst): not relevant, wrong category / hazard / region (with the right value), missed signal. The label keeps the text and jiance's reading of it.",
                "security": write, "parameters": id, "requestBody": label_body,
                "responses": ok("The label", "application/json", obj, &["400", "401", "403", "404", "413", "415", "503"]) } }
    })
}

/// Risk warnings and consumer tips: drafted for an alert, edited and approved by analysts,
/// published once approved by a named user (`serve::warnings`).
fn warning_paths() -> Value {
    let read = json!([{ "bearer": [] }, {}]);
    let write = json!([{ "bearer": [] }]);
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": s() }]);
    let warning = json!({ "type": "object",
        "required": ["id", "alert_id", "kind", "category", "hazards", "title", "body", "drafted_by", "drafted_at"],
        "properties": {
            "id": s(), "alert_id": s(), "kind": one_of(&["warning", "tip"]), "category": s(),
            "hazards": { "type": "array", "items": s() }, "title": s(), "body": s(),
            "drafted_by": s(), "drafted_at": { "type": "string", "format": "date-time" },
            "edited_by": s(), "edited_at": { "type": "string", "format": "date-time" },
            "approved_by": s(), "approved_at": { "type": "string", "format": "date-time" } } });
    let list = json!({ "type": "object", "required": ["total", "warnings"],
        "properties": { "total": int(), "warnings": { "type": "array", "items": warning.clone() } } });
    let mut drafted = ok(
        "The draft the alert already has",
        "application/json",
        warning.clone(),
        &["400", "401", "403", "404"],
    );
    drafted["201"] = json!({ "description": "Drafted", "content": { "application/json": { "schema": warning.clone() } } });
    json!({
        "/api/alerts/{id}/warning": { "post": { "summary": "Draft the alert's 风险警示 (a sampling alert or one of level 3 and up) or 消费提示 (analyst) from rules/warnings.toml: product, hazards, what to check, what to do, where to complain. An alert has one draft, edited in place.",
            "security": write, "parameters": id, "responses": drafted } },
        "/api/warnings": { "get": { "summary": "The published (approved) warnings and tips, newest approval first; status=all adds the drafts", "security": read,
            "parameters": [ q("status", "published (default) or all", one_of(&["published", "all"])) ],
            "responses": ok("Warnings", "application/json", list, &["400", "401"]) } },
        "/api/warnings/{id}": {
            "get": { "summary": "One warning or tip, draft or approved", "security": read, "parameters": id,
                "responses": ok("The warning", "application/json", warning.clone(), &["400", "401", "404"]) },
            "put": { "summary": "Edit the title and text (analyst); an approval is withdrawn", "security": write, "parameters": id,
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["title", "body"], "additionalProperties": false, "properties": {
                        "title": { "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" },
                        "body": { "type": "string", "minLength": 1, "maxLength": 5000, "pattern": "\\S" } } } } } },
                "responses": ok("The edited warning", "application/json", warning.clone(), &["400", "401", "403", "404", "413", "415"]) } },
        "/api/warnings/{id}/approve": { "post": { "summary": "Approve and publish in the caller's name: a named user's token only (jiance users add), never a configured token", "security": write,
            "parameters": id, "responses": ok("The approved warning", "application/json", warning, &["400", "401", "403", "404"]) } },
        "/api/parties": { "get": { "summary": "Enterprises, brands and shops with their history in time order (failed inspections, recalls, complaints, news, alerts, on-sale findings, failed sampling), names written differently merged; repeat offenders (rules/parties.toml) first, each with its evidence", "security": read,
            "parameters": [ q("repeat", "true: repeat offenders only", one_of(&["true", "false"])),
                q("kind", "enterprise, brand or shop", one_of(&["enterprise", "brand", "shop"])),
                q("q", "Text one of the party's names holds", s()) ],
            "responses": ok("Parties", "application/json", json!({ "type": "object", "required": ["total", "parties"],
                "properties": { "total": int(), "parties": { "type": "array", "items": { "type": "object" } } } }), &["400", "401"]) } },
        "/api/parties/{kind}/{key}": { "get": { "summary": "One party's history by its canonical name (the `key` of /api/parties)", "security": read,
            "parameters": [ { "name": "kind", "in": "path", "required": true, "schema": one_of(&["enterprise", "brand", "shop"]) },
                { "name": "key", "in": "path", "required": true, "schema": s() } ],
            "responses": ok("The party", "application/json", json!({ "type": "object" }), &["400", "401", "404"]) } },
        "/feeds/warnings.atom": { "get": { "summary": "The approved warnings and tips as an Atom 1.0 feed, each entry naming its approver", "security": read,
            "responses": ok("Atom feed", "application/atom+xml", s(), &["401"]) } }
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut d = core_document();
    for more in [review_paths(), warning_paths()] {
        if let (Some(paths), Value::Object(more)) = (d["paths"].as_object_mut(), more) {
            paths.extend(more);
        }
    }
    if let Some(paths) = d["paths"].as_object_mut() {
        let read = json!([{ "bearer": [] }, {}]);
        paths.insert(
            "/api/inspections".into(),
            super::inspections::path(&read, q),
        );
        paths.insert("/api/risk-list".into(), super::risk::path(&read, q));
    }
    d
}

pub(super) async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_path_is_documented_and_refs_resolve() {
        let d = document();
        let paths = d["paths"].as_object().unwrap();
        assert_eq!(paths.len(), PATHS.len());
        for p in PATHS {
            assert!(paths.contains_key(*p), "{p}");
        }
        let text = d.to_string();
        for r in text.split("#/components/schemas/").skip(1) {
            let name: String = r
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(d["components"]["schemas"].get(&name).is_some(), "{name}");
        }
    }
}
