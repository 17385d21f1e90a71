//! Parties with a history (issue 47 item 3), on a copy of the demo's data: the API and `jiance
//! parties` list enterprises, brands and shops with their events in time order and the repeat
//! offenders of rules/parties.toml, each with evidence that is among its own events; the demo's
//! recalled brands still on sale are repeat offenders.

use jiance::serve::Access;
use serde_json::Value;

use crate::api::{OPERATOR, Server, runtime};

async fn get(url: &str) -> (u16, Value) {
    let resp = jiance::util::tls::client()
        .get(url)
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[test]
fn repeat_offenders_are_listed_with_their_evidence() {
    let server = Server::start(Access::new(vec![], vec![OPERATOR.into()], false));
    let base = server.base.clone();
    let repeat = runtime().block_on(async {
        let (s, all) = get(&format!("{base}/api/parties")).await;
        assert_eq!(s, 200, "{all}");
        let (s, repeat) = get(&format!("{base}/api/parties?repeat=true")).await;
        assert_eq!(s, 200);
        let parties = repeat["parties"].as_array().unwrap().clone();
        assert!(
            !parties.is_empty(),
            "the demo plants recalled products still on sale"
        );
        assert!(parties.len() < all["parties"].as_array().unwrap().len());
        for p in &parties {
            let events: Vec<&str> = p["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap())
                .collect();
            let days: Vec<&str> = p["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["day"].as_str())
                .collect();
            let mut sorted = days.clone();
            sorted.sort();
            assert_eq!(days, sorted, "events in time order: {p}");
            for m in p["repeat"].as_array().unwrap() {
                for id in m["evidence"].as_array().unwrap() {
                    assert!(events.contains(&id.as_str().unwrap()), "{p}");
                }
            }
        }
        // a recalled product still listed makes its brand one
        assert!(
            parties.iter().any(|p| p["kind"] == "brand"
                && p["repeat"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| { m["rule"].as_str().unwrap().contains("召回") })),
            "{repeat}"
        );
        let first = &parties[0];
        let key = first["key"].as_str().unwrap();
        let kind = first["kind"].as_str().unwrap();
        let url = format!("{base}/api/parties/{kind}/{}", url_escape(key));
        let (s, one) = get(&url).await;
        assert_eq!((s, &one["key"]), (200, &first["key"]), "{one}");
        let (s, _) = get(&format!("{base}/api/parties/person/x")).await;
        assert_eq!(s, 400);
        let (s, _) = get(&format!(
            "{base}/api/parties/brand/{}",
            url_escape("没有这个牌子")
        ))
        .await;
        assert_eq!(s, 404);
        let (s, _) = get(&format!("{base}/api/parties?repeat=maybe")).await;
        assert_eq!(s, 400);
        parties.len()
    });
    // the command line lists the same repeat offenders
    let out = crate::jiance(&[
        "parties",
        "--data",
        server.data.to_str().unwrap(),
        "--repeat",
        "--json",
    ]);
    assert!(out.status.success(), "{}", crate::text(&out.stderr));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), repeat);
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
