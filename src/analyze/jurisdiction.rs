//! Taiwan, Hong Kong and Macao: regions with their own regulators, standards and "国内". In a
//! text of theirs the nationwide words mean the region (a Taiwan notice's 國內), told by a place
//! of the region the text names or, where it names none, by its traditional script. So does a
//! foreign regulator's 全国 in a text placing nothing at home: that country's.

use super::PlaceM;
use super::RegionInfo;
use crate::model::RegionRole;

/// Taiwan, Hong Kong and Macao: regions with their own regulators, standards and "国内".
pub(super) fn own_jurisdiction(province: &str) -> bool {
    ["台湾省", "香港特别行政区", "澳门特别行政区"].contains(&province)
}

/// Whether a text is written in traditional characters: three or more distinct characters of
/// common words that only the traditional script writes so.
pub(super) fn traditional_script(text: &str) -> bool {
    // a match of characters, where a search of a string of them ran once per character
    let only_traditional = |c: &char| {
        matches!(
            c,
            '國' | '們'
                | '與'
                | '為'
                | '這'
                | '說'
                | '會'
                | '時'
                | '電'
                | '車'
                | '產'
                | '檢'
                | '驗'
                | '標'
                | '門'
                | '過'
                | '發'
                | '應'
                | '該'
                | '號'
                | '區'
                | '縣'
                | '聯'
                | '關'
                | '業'
                | '務'
                | '條'
                | '實'
                | '處'
                | '進'
                | '點'
                | '體'
                | '灣'
                | '臺'
                | '機'
                | '險'
                | '氣'
        )
    };
    let mut seen: Vec<char> = Vec::new();
    for c in text.chars().filter(only_traditional) {
        if !seen.contains(&c) {
            seen.push(c);
            if seen.len() >= 3 {
                return true;
            }
        }
    }
    false
}

/// In a text from Taiwan, Hong Kong or Macao that places nothing on the mainland, 国内 and 全国
/// mean that region ("廠商已同意自主回收國內販售的…" in a Taiwan notice); `script_region` gives
/// the region a text's script alone implies (Taiwan for traditional characters), asked only when
/// the text names no place but nationwide words. A foreign country's 全国 likewise
/// ([`foreign_nationwide`]).
pub(super) fn localise_nationwide(
    places: &mut [PlaceM],
    script_region: impl FnOnce() -> Option<RegionInfo>,
) {
    own_region(places, script_region);
    foreign_nationwide(places);
}

/// [`localise_nationwide`] for Taiwan, Hong Kong and Macao.
fn own_region(places: &mut [PlaceM], script_region: impl FnOnce() -> Option<RegionInfo>) {
    let local = |pm: &PlaceM| own_jurisdiction(&pm.mention.province);
    let mainland = places.iter().any(|pm| {
        pm.mention.role == RegionRole::Event
            && !local(pm)
            && pm.mention.province != "全国"
            && !pm.mention.province.starts_with("境外")
    });
    let named = places.iter().find(|pm| local(pm)).map(|pm| {
        let m = &pm.mention;
        (m.province.clone(), m.code.clone())
    });
    // (the script speaks only where the text names no other place in any role: a Taiwan relay of
    // a US recall's 全国, a mainland story in traditional script with its national bodies)
    let only_nationwide = !places.is_empty()
        && places
            .iter()
            .all(|pm| pm.mention.province == "全国" && pm.mention.role == RegionRole::Event);
    let Some((province, code)) = named.or_else(|| {
        only_nationwide
            .then(script_region)
            .flatten()
            .map(|r| (r.province, r.code))
    }) else {
        return;
    };
    if mainland {
        return;
    }
    for pm in places
        .iter_mut()
        .filter(|pm| pm.mention.province == "全国" && pm.mention.role == RegionRole::Event)
    {
        pm.mention.province = province.clone();
        pm.mention.code = code.clone();
        pm.mention.city = None;
    }
}

/// In a text that names one country abroad and no place at home, 全国 (written so) is that
/// country's ("澳大利亚…召回…该产品在全国多家商店有售"). 我国 and 国内 stay: a relay says them of
/// China ("该产品未在我国销售").
fn foreign_nationwide(places: &mut [PlaceM]) {
    let abroad = |pm: &PlaceM| pm.mention.province.starts_with("境外:");
    let nationwide = |pm: &PlaceM| {
        pm.mention.province == "全国"
            && pm.mention.role == RegionRole::Event
            && pm.mention.text.starts_with("全国")
    };
    let Some(first) = places.iter().find(|pm| abroad(pm)) else {
        return;
    };
    let country = first.mention.province.clone();
    let at_home = places
        .iter()
        .any(|pm| !abroad(pm) && pm.mention.province != "全国");
    let one_country = places
        .iter()
        .filter(|pm| abroad(pm))
        .all(|pm| pm.mention.province == country);
    if at_home || !one_country || !places.iter().any(nationwide) {
        return;
    }
    for pm in places.iter_mut().filter(|pm| nationwide(pm)) {
        pm.mention.province = country.clone();
        pm.mention.code = String::new();
        pm.mention.city = None;
    }
}
