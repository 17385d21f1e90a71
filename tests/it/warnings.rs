//! Risk warnings and consumer tips over HTTP, on a copy of the demo's data: an analyst drafts the
//! 电热毯 alert's warning, edits it, and only an approval in a named user's name publishes it on
//! `/api/warnings` and the Atom feed; a configured token cannot approve, an edit withdraws the
//! approval, and every step is in the audit log.

use jiance::model::Action;
use jiance::serve::Access;
use jiance::store::token_digest;
use serde_json::json;

use crate::api::{OPERATOR, Server, runtime};
use crate::review::call;

const ANALYST: &str = "analyst-token-li";
const VIEWER: &str = "viewer-token-sun";

/// The text of a GET (the Atom feed is no JSON).
async fn text_of(url: &str, token: &str) -> (u16, String) {
    let resp = jiance::util::tls::client()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[test]
fn a_warning_is_published_only_once_a_named_person_approves_it() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], false));
    let store = server.store();
    assert!(
        store
            .add_user("李明", "analyst", &token_digest(ANALYST))
            .unwrap()
    );
    assert!(
        store
            .add_user("孙丽", "viewer", &token_digest(VIEWER))
            .unwrap()
    );
    let alert = store
        .alerts()
        .unwrap()
        .into_iter()
        .find(|a| a.category == "电热毯" && a.action != Action::Dismiss)
        .expect("the demo raises an alert on 电热毯");
    let base = server.base.clone();
    runtime().block_on(async {
        let draft_url = format!("{base}/api/alerts/{}/warning", alert.id);
        // a viewer may not draft; an analyst drafts once, and a second call gives the same draft
        let (s, _) = call("POST", &draft_url, VIEWER, None).await;
        assert_eq!(s, 403);
        let (s, w) = call("POST", &draft_url, ANALYST, None).await;
        assert_eq!(s, 201, "{w}");
        let id = w["id"].as_str().unwrap().to_string();
        let title = w["title"].as_str().unwrap();
        assert!(title.contains("电热毯"), "{title}");
        let text = w["body"].as_str().unwrap();
        for h in alert.hazards.iter().filter(|h| *h != "未指明") {
            assert!(text.contains(h.as_str()), "{h} missing: {text}");
        }
        assert!(text.contains("12315"), "{text}");
        assert_eq!(w["drafted_by"], "李明");
        assert!(w.get("approved_by").is_none(), "{w}");
        let (s, again) = call("POST", &draft_url, ANALYST, None).await;
        assert_eq!((s, again["id"].as_str()), (200, Some(id.as_str())));
        let (s, _) = call("POST", &format!("{base}/api/alerts/no-such/warning"), ANALYST, None).await;
        assert_eq!(s, 404);

        // nothing is published before an approval
        let list = format!("{base}/api/warnings");
        let (_, l) = call("GET", &list, VIEWER, None).await;
        assert_eq!(l["total"], 0, "{l}");
        let (_, l) = call("GET", &format!("{list}?status=all"), VIEWER, None).await;
        assert_eq!(l["total"], 1, "{l}");
        let (s, _) = call("GET", &format!("{list}?status=some"), VIEWER, None).await;
        assert_eq!(s, 400);

        // an analyst edits; the configured operator token is no person and cannot approve
        let one = format!("{base}/api/warnings/{id}");
        let edited = json!({ "title": "风险警示：电热毯过热起火风险", "body": "经核实，近期多地反映电热毯过热。请停止折叠使用。可拨打12315投诉。" });
        let (s, body) = call("PUT", &one, ANALYST, Some(edited.clone())).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["edited_by"], "李明");
        let (s, _) = call("PUT", &one, ANALYST, Some(json!({ "title": " ", "body": "x" }))).await;
        assert_eq!(s, 400);
        let approve = format!("{one}/approve");
        let (s, body) = call("POST", &approve, OPERATOR, None).await;
        assert_eq!(s, 403, "{body}");
        let (s, _) = call("POST", &approve, VIEWER, None).await;
        assert_eq!(s, 403);
        let (_, l) = call("GET", &list, VIEWER, None).await;
        assert_eq!(l["total"], 0, "{l}");

        // approved by a named user: on the API and the feed, in the approver's name
        let (s, body) = call("POST", &approve, ANALYST, None).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["approved_by"], "李明");
        let (_, l) = call("GET", &list, VIEWER, None).await;
        assert_eq!(l["total"], 1, "{l}");
        assert_eq!(l["warnings"][0]["title"], edited["title"]);
        let (s, feed) = text_of(&format!("{base}/feeds/warnings.atom"), VIEWER).await;
        assert_eq!(s, 200);
        assert!(feed.contains("风险警示：电热毯过热起火风险"), "{feed}");
        assert!(feed.contains("<name>李明</name>"), "{feed}");

        // an edit after approval withdraws it until someone approves again
        let (s, _) = call("PUT", &one, ANALYST, Some(edited)).await;
        assert_eq!(s, 200);
        let (_, l) = call("GET", &list, VIEWER, None).await;
        assert_eq!(l["total"], 0, "{l}");
        let (_, feed) = text_of(&format!("{base}/feeds/warnings.atom"), VIEWER).await;
        assert!(!feed.contains("<entry>"), "{feed}");

        let (_, audit) = call("GET", &format!("{base}/api/audit"), OPERATOR, None).await;
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target"] == format!("warning:{id}").as_str())
            .filter_map(|e| e["action"].as_str())
            .collect();
        for a in ["warning-draft", "warning-edit", "warning-approve"] {
            assert!(actions.contains(&a), "{a} not in {actions:?}");
        }
    });
}
