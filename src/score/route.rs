//! Routing to the jurisdiction (属地, issue 47): the regulators an alert is handed to are those of
//! the places where the enterprises and shops of its evidence are, not only of the place where
//! the complaints arose. This module owns where a party is ([`PartyPlaces`], learnt from the
//! extractions of the stored documents), the jurisdictions of an alert's evidence
//! ([`jurisdictions`]) and the alert's advice naming them ([`route`]); scoring itself never sees
//! documents, so the pipeline routes the alerts after a run.

use std::collections::HashMap;

use super::alert::{notify_advice, notify_verb};
use crate::model::{
    Action, Alert, DocKind, Extraction, Jurisdiction, JurisdictionParty, PartyRole, RegionMention,
    RegionRole, Scope,
};

/// A party's place: a province and, when the text names one, its city.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub province: String,
    pub city: Option<String>,
}

impl Place {
    /// A place as a listing gives it: a province, maybe a city (an empty or unknown province is
    /// no place).
    pub fn new(province: &str, city: Option<&str>) -> Option<Place> {
        let m = RegionMention {
            text: String::new(),
            code: String::new(),
            province: province.to_string(),
            city: city.map(str::to_string),
            role: RegionRole::Shop,
        };
        Place::of(&m)
    }

    /// The place of a mention a regulator can be found for: a province of the mainland (not
    /// `全国`, not a place abroad, not unresolved).
    fn of(m: &RegionMention) -> Option<Place> {
        let p = m.province.as_str();
        if p.is_empty() || p == "全国" || p.starts_with("境外") {
            return None;
        }
        Some(Place {
            province: m.province.clone(),
            city: m.city.clone(),
        })
    }
}

/// Where enterprises and shops are, by name, as the stored documents say: an enterprise by the
/// place inside its name (宁波市某电器有限公司 → 浙江省宁波市), a shop by where its listing says it
/// ships from. The first place learnt for a name is kept (a name's place does not change with
/// the documents that repeat it).
#[derive(Debug, Clone, Default)]
pub struct PartyPlaces {
    enterprises: HashMap<String, Place>,
    shops: HashMap<String, Place>,
    /// Where each listing's own shop ships from, by the listing's document id: one shop name may
    /// be used by shops in several places, and a listing says which one it is.
    listings: HashMap<String, Place>,
}

impl PartyPlaces {
    /// Learn the places of the parties one document names.
    pub fn learn(&mut self, ex: &Extraction) {
        if ex.kind == DocKind::Listing
            && let Some(place) = shipped_from(ex)
        {
            self.listings.insert(ex.doc_id.clone(), place);
        }
        for (role, name, place) in own_places(ex) {
            let Some(place) = place else { continue };
            let map = match role {
                PartyRole::Enterprise => &mut self.enterprises,
                PartyRole::Shop => &mut self.shops,
            };
            map.entry(name.to_string()).or_insert(place);
        }
    }

    /// Where the shop of the listing with this document id ships from, if it said.
    pub fn listing(&self, doc_id: &str) -> Option<&Place> {
        self.listings.get(doc_id)
    }

    /// Where the party of that name is, if a document said.
    pub fn place(&self, role: PartyRole, name: &str) -> Option<&Place> {
        match role {
            PartyRole::Enterprise => self.enterprises.get(name),
            PartyRole::Shop => self.shops.get(name),
        }
    }
}

/// The parties a document names with the place the document itself gives each, if any.
fn own_places(ex: &Extraction) -> Vec<(PartyRole, &str, Option<Place>)> {
    let mut out = Vec::new();
    for name in &ex.parties.enterprises {
        // the most precise place written inside the name: with a city before without one,
        // the longest as written (宁波市 before 宁波)
        let place = ex
            .regions
            .iter()
            .filter(|m| m.role == RegionRole::Company && !m.text.is_empty())
            .filter(|m| name.contains(m.text.as_str()))
            .filter_map(|m| Place::of(m).map(|p| (p, m.text.chars().count())))
            .max_by_key(|(p, len)| (p.city.is_some(), *len))
            .map(|(p, _)| p);
        out.push((PartyRole::Enterprise, name.as_str(), place));
    }
    // Where the platform says a listing's shop ships from; a document naming several shops does
    // not say which one it is.
    let shipped =
        shipped_from(ex).filter(|_| ex.parties.shops.len() == 1 || ex.kind == DocKind::Listing);
    for (i, name) in ex.parties.shops.iter().enumerate() {
        let place = if i == 0 { shipped.clone() } else { None };
        out.push((PartyRole::Shop, name.as_str(), place));
    }
    out
}

/// Where a document's shop ships from (a listing's `shop_region`, read as a shop mention).
fn shipped_from(ex: &Extraction) -> Option<Place> {
    ex.regions
        .iter()
        .filter(|m| m.role == RegionRole::Shop)
        .find_map(Place::of)
}

/// The jurisdictions of an alert's evidence (document ids, strongest first): each party of each
/// document placed by the document itself, else by what `places` learnt of its name; parties
/// whose place no document gives are left out (no regulator can be named for them). Ordered by
/// the number of documents, then by first appearance in the evidence.
pub fn jurisdictions(
    evidence: &[String],
    extractions: &HashMap<String, Extraction>,
    places: &PartyPlaces,
) -> Vec<Jurisdiction> {
    let mut named = Vec::new();
    for id in evidence {
        let Some(ex) = extractions.get(id) else {
            continue;
        };
        for (role, name, own) in own_places(ex) {
            if let Some(place) = own.or_else(|| places.place(role, name).cloned()) {
                named.push((role, name, place, id.as_str()));
            }
        }
    }
    group(named)
}

/// The jurisdictions of parties named outright, each with the document naming it (an on-sale
/// finding's shop by its listing, the flagged product's enterprise by its notice), placed by
/// the place given with it, else by what `places` learnt of its name; ordered as
/// [`jurisdictions`].
pub fn jurisdictions_of(
    named: &[(PartyRole, &str, Option<Place>, &str)],
    places: &PartyPlaces,
) -> Vec<Jurisdiction> {
    group(
        named
            .iter()
            .filter(|(_, name, _, _)| !name.is_empty())
            .filter_map(|(role, name, given, doc)| {
                let place = given
                    .clone()
                    .or_else(|| places.place(*role, name).cloned())?;
                Some((*role, *name, place, *doc))
            })
            .collect(),
    )
}

/// Parties with their places and documents, grouped by place.
fn group(named: Vec<(PartyRole, &str, Place, &str)>) -> Vec<Jurisdiction> {
    let mut out: Vec<Jurisdiction> = Vec::new();
    let mut index: HashMap<Place, usize> = HashMap::new();
    for (role, name, place, id) in named {
        let i = *index.entry(place.clone()).or_insert_with(|| {
            out.push(Jurisdiction {
                province: place.province.clone(),
                city: place.city.clone(),
                parties: Vec::new(),
                documents: Vec::new(),
                contact: None,
            });
            out.len() - 1
        });
        let j = &mut out[i];
        match j
            .parties
            .iter_mut()
            .find(|p| p.role == role && p.name == name)
        {
            Some(p) => push_once(&mut p.documents, id),
            None => j.parties.push(JurisdictionParty {
                role,
                name: name.to_string(),
                documents: vec![id.to_string()],
            }),
        }
        push_once(&mut j.documents, id);
    }
    for j in &mut out {
        // enterprises first; the sort is stable, so each role keeps the evidence's order
        j.parties.sort_by_key(|p| p.role);
    }
    // stable: equal counts keep the order of first appearance
    out.sort_by_key(|j| std::cmp::Reverse(j.documents.len()));
    out
}

fn push_once(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|d| d == id) {
        list.push(id.to_string());
    }
}

/// Give an alert its jurisdictions; a `notify` alert's advice (the summary's last clause and the
/// last reason) then names them, the place of the events kept. An alert without jurisdictions
/// is left as scoring wrote it.
pub fn route(alert: &mut Alert, jurisdictions: Vec<Jurisdiction>) {
    alert.jurisdictions = jurisdictions;
    if alert.action != Action::Notify || alert.jurisdictions.is_empty() {
        return;
    }
    let place = event_place(alert);
    let before = notify_advice(alert.scope, &place, &[]);
    let after = notify_advice(alert.scope, &place, &alert.jurisdictions);
    if let Some(head) = alert.summary.strip_suffix(&before) {
        alert.summary = format!("{head}{after}");
    }
    let verb = notify_verb(&[]);
    let routed = notify_verb(&alert.jurisdictions);
    if let Some(last) = alert.reasons.last_mut()
        && let Some(rest) = last.strip_prefix(verb.as_str())
    {
        *last = format!("{routed}{rest}");
    }
}

/// Where the events of a regional alert happened, as its summary names it (province and city).
fn event_place(alert: &Alert) -> String {
    match alert.scope {
        Scope::Systemic => "全国".to_string(),
        Scope::Regional => alert.regions.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlertStatus, Parties};
    use chrono::NaiveDate;

    fn mention(text: &str, province: &str, city: Option<&str>, role: RegionRole) -> RegionMention {
        RegionMention {
            text: text.into(),
            code: String::new(),
            province: province.into(),
            city: city.map(Into::into),
            role,
        }
    }

    fn extraction(
        id: &str,
        kind: DocKind,
        enterprises: &[&str],
        shops: &[&str],
        regions: Vec<RegionMention>,
    ) -> Extraction {
        let mut ex = Extraction::empty(id, kind);
        ex.parties = Parties {
            enterprises: enterprises.iter().map(|s| s.to_string()).collect(),
            shops: shops.iter().map(|s| s.to_string()).collect(),
            ..Parties::default()
        };
        ex.regions = regions;
        ex
    }

    /// A 河南 complaint naming a 宁波 maker and a shop; the shop's listing ships from 广东.
    fn scene() -> (HashMap<String, Extraction>, PartyPlaces) {
        let complaint = extraction(
            "c1",
            DocKind::Complaint,
            &["宁波市暖冬电器有限公司"],
            &["暖冬家居旗舰店"],
            vec![
                mention("郑州市", "河南省", Some("郑州市"), RegionRole::Event),
                mention("宁波市", "浙江省", Some("宁波市"), RegionRole::Company),
            ],
        );
        let other = extraction(
            "c2",
            DocKind::Complaint,
            &[],
            &["暖冬家居旗舰店"],
            vec![mention("洛阳", "河南省", Some("洛阳市"), RegionRole::Event)],
        );
        let listing = extraction(
            "l1",
            DocKind::Listing,
            &[],
            &["暖冬家居旗舰店"],
            vec![mention("广东", "广东省", None, RegionRole::Shop)],
        );
        let mut places = PartyPlaces::default();
        for ex in [&complaint, &other, &listing] {
            places.learn(ex);
        }
        let docs = [complaint, other]
            .into_iter()
            .map(|e| (e.doc_id.clone(), e))
            .collect();
        (docs, places)
    }

    fn alert(action: Action, summary: &str, reason: &str) -> Alert {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        Alert {
            id: "a".into(),
            category: "电热毯".into(),
            hazards: vec!["触电".into()],
            scope: Scope::Regional,
            regions: vec!["河南省".into()],
            level: 2,
            action,
            score: 2.0,
            breakdown: Vec::new(),
            evidence: vec!["c1".into(), "c2".into()],
            first_seen: day,
            updated: day,
            status: AlertStatus::New,
            summary: summary.into(),
            reasons: vec![reason.into()],
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    #[test]
    fn the_maker_and_the_shop_are_routed_to_their_own_places() {
        let (docs, places) = scene();
        let js = jurisdictions(&["c1".into(), "c2".into()], &docs, &places);
        let names: Vec<String> = js.iter().map(Jurisdiction::name).collect();
        // the shop is named by both complaints, the maker by one; 河南 is where it happened,
        // not where a party is
        assert_eq!(names, ["广东省", "浙江省宁波市"]);
        let gd = &js[0];
        assert_eq!(gd.documents, ["c1", "c2"]);
        assert_eq!(gd.parties.len(), 1);
        assert_eq!(gd.parties[0].role, PartyRole::Shop);
        assert_eq!(gd.parties[0].name, "暖冬家居旗舰店");
        let zj = &js[1];
        assert_eq!(zj.city.as_deref(), Some("宁波市"));
        assert_eq!(zj.parties[0].role, PartyRole::Enterprise);
        assert_eq!(zj.parties[0].name, "宁波市暖冬电器有限公司");
        assert_eq!(zj.documents, ["c1"]);
    }

    #[test]
    fn a_notify_alert_names_the_jurisdictions_and_keeps_the_event_place() {
        let (docs, places) = scene();
        let mut a = alert(
            Action::Notify,
            &format!(
                "河南省电热毯近7天4起独立风险信息，暂不抽检（集中在郑州市一地），{}",
                notify_advice(Scope::Regional, "河南省", &[])
            ),
            &format!("{}：集中在郑州市一地。", notify_verb(&[])),
        );
        let js = jurisdictions(&a.evidence, &docs, &places);
        route(&mut a, js);
        assert!(
            a.summary.ends_with(
                "建议通报涉事企业、店铺所在地广东省、浙江省宁波市监管部门核查处置，并告知事发地河南省属地监管部门。"
            ),
            "{}",
            a.summary
        );
        assert!(a.summary.starts_with("河南省电热毯"), "{}", a.summary);
        assert_eq!(
            a.reasons[0],
            "建议通报广东省、浙江省宁波市及事发地属地监管部门，暂不抽检：集中在郑州市一地。"
        );
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["jurisdictions"][1]["province"], "浙江省");
        assert_eq!(json["jurisdictions"][1]["city"], "宁波市");
        assert_eq!(json["jurisdictions"][1]["parties"][0]["role"], "enterprise");
        assert_eq!(json["jurisdictions"][0]["documents"][1], "c2");
        assert_eq!(json["regions"][0], "河南省");
    }

    #[test]
    fn parties_without_a_place_route_nowhere_and_the_text_stays() {
        let c = extraction(
            "c1",
            DocKind::Complaint,
            &["某电器有限公司"],
            &["无名小店"],
            vec![
                mention("郑州市", "河南省", Some("郑州市"), RegionRole::Event),
                // made abroad: no regulator of ours to name
                mention("日本", "境外:日本", None, RegionRole::Company),
            ],
        );
        let docs: HashMap<String, Extraction> = [("c1".to_string(), c)].into();
        let summary = format!(
            "河南省电热毯…，{}",
            notify_advice(Scope::Regional, "河南省", &[])
        );
        let mut a = alert(
            Action::Notify,
            &summary,
            "建议通报属地监管部门，暂不抽检：x。",
        );
        let js = jurisdictions(&a.evidence, &docs, &PartyPlaces::default());
        assert!(js.is_empty());
        route(&mut a, js);
        assert_eq!(a.summary, summary);
        assert!(a.jurisdictions.is_empty());
    }

    #[test]
    fn a_sample_alert_gets_jurisdictions_but_keeps_its_advice() {
        let (docs, places) = scene();
        let mut a = alert(
            Action::Sample,
            "…建议组织网上抽检。",
            "建议组织网上抽检：x。",
        );
        let js = jurisdictions(&a.evidence, &docs, &places);
        route(&mut a, js);
        assert_eq!(a.jurisdictions.len(), 2);
        assert_eq!(a.summary, "…建议组织网上抽检。");
    }

    #[test]
    fn a_listing_of_several_shops_does_not_guess_which_ships_from_where() {
        let ex = extraction(
            "c9",
            DocKind::Complaint,
            &[],
            &["甲店", "乙店"],
            vec![mention("广东", "广东省", None, RegionRole::Shop)],
        );
        let mut places = PartyPlaces::default();
        places.learn(&ex);
        assert!(places.place(PartyRole::Shop, "甲店").is_none());
        assert!(places.place(PartyRole::Shop, "乙店").is_none());
    }
}
