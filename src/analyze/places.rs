//! Place mentions and their roles (event, company, publisher, dateline), resolved through the
//! gazetteer, and the document's own place when a sentence names none.

use super::clauses::{clause_head, clause_tail, ends_clause};
pub(super) use super::jurisdiction::own_jurisdiction;
use super::jurisdiction::{localise_nationwide, traditional_script};
use super::place_text::{
    china_in_brackets, failed_count_after, follows_in_row, in_quoted_name, list_continues,
};
use super::*;

impl Analyzer {
    /// Resolve a place name (province, city, county; full or short form; 全国; a country) →
    /// (code, province, city). Same-named counties in several provinces resolve to nothing.
    pub fn resolve_region(&self, name: &str) -> Option<RegionInfo> {
        self.resolve_text(name)
    }

    /// Resolve a short place text ("广东深圳", "浙江省杭州市余杭区", "宁波"): the most specific place
    /// named in it that agrees with the first.
    pub(super) fn resolve_text(&self, name: &str) -> Option<RegionInfo> {
        let f = prepare(name.trim());
        if let Some(r) = self.gaz.resolve_in(&f, &[]) {
            return Some(r);
        }
        let (w, _) = self.tokens(&f);
        let mut ctx: Vec<String> = Vec::new();
        let mut best: Option<RegionInfo> = None;
        for m in self.matches(&w) {
            let Target::Place(i) = m.target else { continue };
            let Some(r) = self
                .place_names
                .get(i)
                .and_then(|n| self.gaz.resolve_in(n, &ctx))
            else {
                continue;
            };
            match &best {
                None => {
                    ctx.push(r.province.clone());
                    best = Some(r);
                }
                Some(b)
                    if b.province == r.province && (b.city.is_none() || b.city == r.city) && r.code != b.code
                    // deeper level: more trailing non-zero digits
                    && r.code.trim_end_matches('0').len() > b.code.trim_end_matches('0').len() =>
                {
                    best = Some(r);
                }
                _ => {}
            }
        }
        best
    }

    pub(super) fn place_mentions(
        &self,
        doc: &Document,
        (full, full_orig): (&str, &str),
        toks: &[Tok],
        ms: &[Match],
        text_start: usize,
        // organisation and shop name spans: a place inside one is a company place
        org: &[(usize, usize)],
    ) -> Vec<PlaceM> {
        let ctx = self.province_context(doc, ms);
        let text_head_end = full[text_start.min(full.len())..]
            .char_indices()
            .nth(60)
            .map_or(full.len(), |(i, _)| text_start + i);
        let mut out: Vec<PlaceM> = Vec::new();
        // byte span of each place of `out`
        let mut at: Vec<(usize, usize)> = Vec::new();
        // Longest place match wins where two overlap (浙江省杭州市 → 浙江省, 杭州市).
        let mut spans: Vec<&Match> = ms
            .iter()
            .filter(|m| {
                matches!(
                    m.target,
                    Target::Place(_) | Target::Nationwide | Target::NationPublisher
                )
            })
            .collect();
        spans.sort_by_key(|m| (m.a, std::cmp::Reverse(m.b)));
        let mut covered = 0;
        for m in spans {
            if m.a < covered {
                continue;
            }
            covered = m.b;
            let (s, e) = (toks[m.a].s, toks[m.b - 1].e);
            let written = full_orig.get(s..e).unwrap_or("").to_string();
            let sent = toks[m.a].sent;
            let (resolved, publisher_nation) = self.resolve_place(m, &ctx);
            let Some(r) = resolved else { continue };
            let after = &full[e..];
            let before = &full[..s];
            // a nationwide word inside a quoted name, slogan or theme ("围绕“全面提高我国质量总体水平”
            // 主题") is the name's, not a scope of the text (a quoted statement keeps its scope)
            if m.target == Target::Nationwide && in_quoted_name(before) {
                continue;
            }
            // a person's origin (来自安徽的, 河南籍) is not where anything happened: not recorded;
            // nor is a word after a number ("第30周至第45周" holds no 周至县)
            if self.origin_words.ends(before)
                || after.starts_with('籍')
                // (a count of provinces, "28个省份", is the whole country)
                || (before.ends_with(|c: char| c.is_ascii_digit())
                    && m.target != Target::Nationwide)
            {
                continue;
            }
            if self.names_no_place(ms, m, &r, &written, before, after) {
                continue;
            }
            // a body that places a text only where it is written one way (海關, not 海关)
            if let Target::Place(i) = m.target
                && let Some(w) = self
                    .place_names
                    .get(i)
                    .and_then(|n| self.gaz.publisher_as_written(n))
                && !doc.title.contains(w)
                && !doc.text.contains(w)
            {
                continue;
            }
            let named_publisher = matches!(m.target, Target::Place(i)
                if self.place_names.get(i).is_some_and(|n| self.gaz.is_publisher(n)));
            let role = if publisher_nation || named_publisher {
                RegionRole::Publisher
            } else if s >= text_start
                && e <= text_head_end
                && self.is_dateline(full, text_start, s, after)
                // a body is where it acts, not where a report was filed ("据美国消费品安全委员会
                // 消息，…")
                && !is_body_name(&written, after)
                && !BODY_ENDS.iter().any(|b| written.ends_with(b))
            {
                RegionRole::Dateline
            } else if (!is_body_name(&written, after)
                // a body's or a publisher's name (加拿大卫生部, …检验研究院) is where it acts, never a
                // maker's home nor part of a company name ("加拿大卫生部和某公司联合宣布")
                && !self.publisher_suffixes.opens(after)
                // (a count of the provinces makers came from, "12个省份180家企业", is the scope of
                // a national round, not a home)
                && m.target != Target::Nationwide
                && (org
                    .iter()
                    .any(|&(os, oe)| (os <= s && e <= oe) || follows_in_row(full, oe, s))
                    || self.maker_re.is_match(after)
                    || self.makers_home(after)))
                || self.made_in_before.ends(before)
                // the next place of a list of origins ("分别产自越南、泰国"), or the city right after
                // its province ("生产企业位于广东省东莞市")
                || (out.last().is_some_and(|l| l.mention.role == RegionRole::Company)
                    && at.last().is_some_and(|&(_, le)| {
                        full.get(le..s).is_some_and(list_continues)
                    }))
                || (self.made_in.opens(after) && !self.made_in_not.opens(after))
            {
                // inside a company name, the home of an unnamed maker ("乐清市一家电器厂生产的插座"),
                // or where a product was made ("中国产婴儿床", "日本某大牌纸尿裤")
                RegionRole::Company
            } else if self.publisher_suffixes.opens(after)
                || (before.ends_with("据") && (after.starts_with("市") || after.starts_with("省")))
            {
                RegionRole::Publisher
            } else {
                RegionRole::Event
            };
            let failed_here = role == RegionRole::Event && failed_count_after(before, after);
            out.push(PlaceM {
                failed_here,
                mention: RegionMention {
                    text: written,
                    code: r.code,
                    province: r.province,
                    city: r.city,
                    role,
                },
                sent,
            });
            at.push((s, e));
        }
        super::outlets::publishers_run_on(&mut out, &at, full);
        homes_run_back(&mut out, &at, full);
        out.extend(self.outlet_places((full, full_orig), toks, &at));
        out
    }

    /// The provinces named unambiguously anywhere in the text (and the document's region hint),
    /// to choose among same-named counties.
    fn province_context(&self, doc: &Document, ms: &[Match]) -> Vec<String> {
        let mut ctx: Vec<String> = Vec::new();
        for m in ms {
            if let Target::Place(i) = m.target
                && let Some(p) = self
                    .place_names
                    .get(i)
                    .and_then(|n| self.gaz.unambiguous_province(n))
                && !ctx.contains(&p)
            {
                ctx.push(p);
            }
        }
        if let Some(r) = doc
            .region_hint
            .as_deref()
            .and_then(|h| self.resolve_text(h))
        {
            ctx.push(r.province);
        }
        ctx
    }

    /// The division a place match names (all China for a nationwide word), and whether it is a
    /// nationwide publisher's.
    fn resolve_place(&self, m: &Match, ctx: &[String]) -> (Option<RegionInfo>, bool) {
        match m.target {
            Target::Nationwide => (
                Some(RegionInfo {
                    code: "000000".into(),
                    province: "全国".into(),
                    city: None,
                }),
                false,
            ),
            Target::NationPublisher => (
                Some(RegionInfo {
                    code: "000000".into(),
                    province: "全国".into(),
                    city: None,
                }),
                true,
            ),
            Target::Place(i) => (
                self.place_names
                    .get(i)
                    .and_then(|n| self.gaz.resolve_in(n, ctx)),
                false,
            ),
            _ => (None, false),
        }
    }

    /// Whether a place name names no place at all here (cues.toml `[place_roles]`): a county's
    /// short form that ends a longer name ("万达商城" holds 商城县's short form) when the text
    /// names its province nowhere else, a place abroad that a standard is named after
    /// ("欧洲标准EN 71", "美国材料与试验协会标准") — a cited standard says nothing of where
    /// anything happened — and the place a meeting was held at (a place followed in its clause
    /// by a verb and a noun of `[place_roles]` meetings: "在杭州召开起草会议").
    fn names_no_place(
        &self,
        ms: &[Match],
        m: &Match,
        r: &RegionInfo,
        written: &str,
        before: &str,
        after: &str,
    ) -> bool {
        let clause_after = clause_head(after, 24);
        // where a meeting was held ("在黄山市召开标准起草会议", "举办的中国（天津）国际自行车
        // 展览会") is no event place: the verb after the place or before it in its clause
        let clause_before = clause_tail(before, 24);
        if self.meeting_nouns.in_text(clause_after)
            && (self.meeting_verbs.in_text(clause_after)
                || self.meeting_verbs.in_text(clause_before))
        {
            return true;
        }
        if r.province.starts_with("境外:") {
            let mut clause: String = after
                .chars()
                // a standard's name ends with its clause, a list item or a bracket
                .take_while(|&c| !ends_clause(c) && !matches!(c, '、' | '（' | '('))
                .take(16)
                .collect();
            // a body's name ("英国标准协会") is where the body is, not a standard's origin
            for body in &self.standard_bodies {
                // searched first: most clauses hold no body, and a replace copies the clause
                if clause.contains(body.as_str()) {
                    clause = clause.replace(body.as_str(), "");
                }
            }
            // a rule the place made or notified ("欧盟委员会通报了法规草案") is its own (asked only
            // of a clause holding a standard word: most hold none)
            if !self.standard_origin.in_text_whole(&clause) {
                return false;
            }
            if let Some(at) = self
                .standard_verbs
                .iter()
                .filter_map(|v| clause.find(v.as_str()))
                .min()
            {
                clause.truncate(at);
            }
            return self.standard_origin.in_text_whole(&clause);
        }
        let county = r.code.len() == 6 && !r.code.ends_with("00");
        let short = !written.ends_with(['县', '市', '区', '旗']);
        // a short form written with another level's suffix names another place ("台中市北屯区"
        // is no 北屯市): the gazetteer's own name with that suffix would have matched whole; so
        // does a street, village, road or community named like a county ("惠东县平山街道")
        if county && short && after.starts_with(['区', '县', '镇', '乡', '街', '村', '路', '社'])
        {
            return true;
        }
        let glued = before.chars().next_back().is_some_and(|c| {
            ('\u{4e00}'..='\u{9fff}').contains(&c) && !self.place_lead.contains(&c)
        });
        county
            && short
            && glued
            && !ms.iter().any(|o| {
                !std::ptr::eq(o, m)
                    && matches!(o.target, Target::Place(i) if self
                        .place_names
                        .get(i)
                        .and_then(|n| self.gaz.unambiguous_province(n))
                        .is_some_and(|p| p == r.province)
                        && self.place_names.get(i).is_some_and(|n| n != written))
            })
    }

    /// Whether a place is the home of makers named after it in its clause ("对河北、山西等21个
    /// 省的肥料生产企业进行抽查"): one of `[place_roles] makers` within twenty characters, with
    /// none of `not_between` (a verb of sampling, selling or happening) in between.
    fn makers_home(&self, after: &str) -> bool {
        let gap = clause_head(after, 24);
        // the leftmost maker word decides; a lone 一 is one works there, as 一家 is (昆山一工厂)
        self.makers.first(gap).is_some_and(|at| {
            let between = &gap[..at];
            between.chars().count() <= 20 && between != "一" && !self.not_between.in_text(between)
        })
    }

    /// A place at the start of the body followed by "3月5日电" / "讯", or inside "（记者 …）".
    pub(super) fn is_dateline(&self, full: &str, text_start: usize, s: usize, after: &str) -> bool {
        let prefix = &full[text_start..s];
        if prefix.contains(['，', '。', ',']) {
            return false;
        }
        if let Some(m) = self.dateline_re.find(after) {
            // "…局通报电线电缆…" is a regulator reporting on cables: an undated 电 is a dateline's
            // only where the word ends there ("新华社电 记者…", "本报电（…）")
            let head = &after[..m.end()];
            let word_goes_on = after[m.end()..]
                .chars()
                .next()
                .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            return !(head.ends_with('电') && !head.contains('日') && word_goes_on);
        }
        let open = prefix.rfind(['（', '(']);
        let close = prefix.rfind(['）', ')']);
        if let Some(o) = open
            && close.is_none_or(|c| c < o)
            && prefix[o..].contains("记者")
        {
            return true;
        }
        self.agencies.iter().any(|a| {
            prefix
                .trim_start()
                .trim_start_matches(['【', '['])
                .starts_with(a.as_str())
                && prefix.chars().count() <= 12
        }) && {
            let head: String = after.chars().take(12).collect();
            head.split(['，', '。', ','])
                .next()
                .is_some_and(|h| h.contains("日电") || h.contains('讯'))
        }
    }

    /// The document's place: the most named event province (not 全国), else 全国 if named, else the
    /// source's region hint, else a publisher's own place, else the listing's shop region.
    pub(super) fn doc_place(
        &self,
        places: &[PlaceM],
        hint: Option<&RegionInfo>,
        shop: Option<&RegionMention>,
        // a publisher's own place may stand for the event's
        publisher_place: bool,
    ) -> (Option<String>, Option<String>) {
        let mut count: Vec<(String, Option<String>, usize, usize)> = Vec::new();
        for (i, p) in places.iter().enumerate() {
            if p.mention.role != RegionRole::Event || p.mention.province == "全国" {
                continue;
            }
            match count.iter_mut().find(|c| c.0 == p.mention.province) {
                Some(c) => {
                    c.2 += 1;
                    if c.1.is_none() {
                        c.1 = p.mention.city.clone();
                    }
                }
                None => count.push((p.mention.province.clone(), p.mention.city.clone(), 1, i)),
            }
        }
        count.sort_by_key(|c| (std::cmp::Reverse(c.2), c.3));
        if let Some(c) = count.first() {
            return (Some(c.0.clone()), c.1.clone());
        }
        if places.iter().any(|p| {
            p.mention.province == "全国"
                && matches!(p.mention.role, RegionRole::Event | RegionRole::Publisher)
        }) {
            return (Some("全国".into()), None);
        }
        if let Some(h) = hint {
            return (Some(h.province.clone()), h.city.clone());
        }
        // A local regulator's, fire brigade's or newspaper's own place: its reports are about its area.
        // A body abroad always is: a recall it announces applies there, while a home regulator that
        // only received a maker's recall plan places nothing (the genre's `publisher_place`). So is
        // a body of Hong Kong, Macao or Taiwan: its recall applies within its own jurisdiction.
        if let Some(p) = places.iter().find(|p| {
            p.mention.role == RegionRole::Publisher
                && p.mention.province != "全国"
                && (publisher_place
                    || p.mention.province.starts_with("境外:")
                    || own_jurisdiction(&p.mention.province))
        }) {
            return (Some(p.mention.province.clone()), p.mention.city.clone());
        }
        if let Some(s) = shop {
            return (Some(s.province.clone()), s.city.clone());
        }
        (None, None)
    }
}

/// The places of one document: every mention with its role, a listing's shop region, and the
/// document's own place (for sentences that name none).
pub(super) struct Places {
    pub(super) places: Vec<PlaceM>,
    /// A national body issued the document and its genre reports nationally (a national sampling
    /// round lists the provinces it sampled in; its finding is nationwide).
    pub(super) national: bool,
    pub(super) shop_region: Option<RegionMention>,
    pub(super) doc_place: (Option<String>, Option<String>),
}

impl Places {
    /// The event places of a sentence: each event province it names (with the first city named
    /// in it), in order; else the document's place.
    pub(super) fn places_of(&self, sent: usize) -> Vec<(Option<String>, Option<String>)> {
        if self.national {
            // nationwide, and where the notice counts failed batches ("其中浙江省8批次")
            let mut out = vec![(Some("全国".into()), None)];
            for p in self
                .places
                .iter()
                .filter(|p| p.sent == sent && p.failed_here)
            {
                let place = (Some(p.mention.province.clone()), p.mention.city.clone());
                if !out.iter().any(|(o, _)| *o == place.0) {
                    out.push(place);
                }
            }
            return out;
        }
        let evs: Vec<&RegionMention> = self
            .places
            .iter()
            .filter(|p| {
                p.sent == sent
                    && p.mention.role == RegionRole::Event
                    && p.mention.province != "全国"
            })
            .map(|p| &p.mention)
            .collect();
        let mut out: Vec<(Option<String>, Option<String>)> = Vec::new();
        for m in &evs {
            if out
                .iter()
                .any(|(p, _)| p.as_deref() == Some(m.province.as_str()))
            {
                continue;
            }
            let city = evs
                .iter()
                .filter(|o| o.province == m.province)
                .find_map(|o| o.city.clone());
            out.push((Some(m.province.clone()), city));
        }
        if out.is_empty() {
            out = self.preceding(sent);
        }
        if out.is_empty() {
            out.push(self.doc_place.clone());
        }
        out
    }

    /// The event places of the last sentence before `sent` that names one (a notice that lists
    /// cases, each under its own "报告省份：…", places each case's finding by its own heading).
    fn preceding(&self, sent: usize) -> Vec<(Option<String>, Option<String>)> {
        let event =
            |p: &&PlaceM| p.mention.role == RegionRole::Event && p.mention.province != "全国";
        let Some(last) = self
            .places
            .iter()
            .filter(event)
            .filter(|p| p.sent < sent)
            .map(|p| p.sent)
            .max()
        else {
            return Vec::new();
        };
        let mut out: Vec<(Option<String>, Option<String>)> = Vec::new();
        for p in self.places.iter().filter(event).filter(|p| p.sent == last) {
            if !out
                .iter()
                .any(|(q, _)| q.as_deref() == Some(p.mention.province.as_str()))
            {
                out.push((Some(p.mention.province.clone()), p.mention.city.clone()));
            }
        }
        out
    }
}

impl Analyzer {
    /// Places of the document; `names` are the organisation and shop names (a place inside one is
    /// a company place).
    pub(super) fn places(&self, p: &Prepared, t: &Tokens, names: &Names, g: &GenreState) -> Places {
        let doc = p.doc;
        let mut places = self.place_mentions(
            doc,
            (&p.full, &p.orig),
            &t.toks,
            &t.ms,
            p.text_start,
            &[
                names.orgs.as_slice(),
                names.shops.as_slice(),
                names.brands.as_slice(),
            ]
            .concat(),
        );
        let shop_region = doc.field(field::SHOP_REGION).and_then(|r| {
            self.resolve_text(r).map(|x| RegionMention {
                text: r.to_string(),
                code: x.code,
                province: x.province,
                city: x.city,
                role: RegionRole::Shop,
            })
        });
        let hint = doc
            .region_hint
            .as_deref()
            .and_then(|h| self.resolve_text(h));
        self.grouped_places(p, t, &mut places);
        // (a text in traditional script that names no region of its own is Taiwan's: Hong Kong's
        // and Macao's name their bodies or their city)
        // (read only where it can decide: most texts name a place or no nationwide word)
        let taiwan = || {
            traditional_script(&doc.text)
                .then(|| self.resolve_text("台湾省"))
                .flatten()
        };
        localise_nationwide(&mut places, taiwan);
        // A maker's China entity ("某某（中国）投资有限公司") recalling names the whole market as
        // surely as the national regulator that receives its plan. The name may begin after the
        // bracket ("某某 ( 中国 ) 投资有限公司"), so the words just before it count.
        // (asked only of a text whose first place is nationwide)
        let china_entity = || {
            p.kind == DocKind::Recall
                && names.orgs.iter().any(|&(s, e)| {
                    let from = p
                        .full
                        .get(..s)
                        .and_then(|b| b.char_indices().rev().nth(7))
                        .map_or(0, |(k, _)| k);
                    p.full.get(from..e).is_some_and(china_in_brackets)
                })
        };
        let national = g.national_first
            && (china_entity()
                || places.iter().any(|pm| {
                    pm.mention.role == RegionRole::Publisher && pm.mention.province == "全国"
                }))
            && !places
                .iter()
                .any(|pm| pm.mention.province.starts_with("境外"));
        let doc_place = if national {
            (Some("全国".into()), None)
        } else {
            self.doc_place(
                &places,
                hint.as_ref(),
                shop_region.as_ref(),
                g.publisher_place,
            )
        };
        Places {
            national,
            places,
            shop_region,
            doc_place,
        }
    }
}

impl Analyzer {
    /// The provinces a text names together (长三角, 沪苏浙皖四地联合抽查): each an event place of
    /// the sentence that names them, unless that sentence names it already.
    fn grouped_places(&self, p: &Prepared, t: &Tokens, places: &mut Vec<PlaceM>) {
        for (at, province) in self.gaz.grouped_provinces(&p.full) {
            let Some(sent) = t.toks.iter().find(|x| x.e > at).map(|x| x.sent) else {
                continue;
            };
            if places
                .iter()
                .any(|pm| pm.sent == sent && pm.mention.province == province)
            {
                continue;
            }
            let Some(r) = self.resolve_text(&province) else {
                continue;
            };
            let text = p
                .full
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .map(String::from)
                .unwrap_or_default();
            places.push(PlaceM {
                mention: RegionMention {
                    text,
                    code: r.code,
                    province: r.province,
                    city: None,
                    role: RegionRole::Event,
                },
                sent,
                failed_here: false,
            });
        }
    }
}

/// How the names of public bodies end (加拿大卫生部, 香港海关署, 美国消费品安全委员会, 省公安厅,
/// and Japan's ministries: 日本经济产业省, 厚生劳动省).
const BODY_ENDS: [&str; 13] = [
    "部",
    "局",
    "署",
    "委员会",
    "中心",
    "理事会",
    "监管机构",
    "厅",
    "产业省",
    "劳动省",
    "交通省",
    "科学省",
    "环境省",
];

/// Whether a place, with the words that follow it up to a joining word, names a public body
/// (加拿大卫生部, 美国消费品安全委员会): the endings of government bodies' names. Grammar of
/// names, not a domain cue.
fn is_body_name(written: &str, after: &str) -> bool {
    // the name runs on after the place to the next joining word ("加拿大" + "卫生部和某公司")
    let end = after
        .char_indices()
        .take_while(|&(_, c)| {
            ('\u{4e00}'..='\u{9fff}').contains(&c) && !matches!(c, '和' | '与' | '及')
        })
        .take(8)
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    let tail = &after[..end];
    let last = if tail.is_empty() { written } else { tail };
    // the ending first: most places end no body's name, and the company test is ten searches
    // (a body the gazetteer holds whole, 日本经济产业省, is one whatever follows it)
    BODY_ENDS
        .iter()
        .any(|e| last.ends_with(e) || written.ends_with(e))
        // (a company's name runs on past its place too: "…(上海)有限公司向该局")
        && !["公司", "企业", "厂", "店", "集团"]
            .iter()
            .any(|c| written.contains(c) || tail.contains(c))
}

/// A list of places whose later member is the makers' home is theirs all ("北京、天津、河北等12个
/// 省份的企业": the first stands furthest from the maker word, too far for `makers_home`).
fn homes_run_back(out: &mut [PlaceM], at: &[(usize, usize)], full: &str) {
    for i in (0..out.len().saturating_sub(1)).rev() {
        let listed = at
            .get(i)
            .zip(at.get(i + 1))
            .is_some_and(|(&(_, e), &(s, _))| {
                full.get(e..s)
                    .is_some_and(|sep| matches!(sep, "、" | "和" | "及" | "与"))
            });
        if listed
            && out[i].mention.role == RegionRole::Event
            && out[i + 1].mention.role == RegionRole::Company
        {
            out[i].mention.role = RegionRole::Company;
            out[i].failed_here = false;
        }
    }
}

/// An inspection that found nothing still sampled somewhere, and a notice or standard that found
/// nothing still applies somewhere: where no event place is named, the area a finding would have
/// been placed in — its regulator's ("长沙市市场监管局…全部合格").
pub(super) fn sampled_area(
    regions: &mut Vec<RegionMention>,
    doc_place: &(Option<String>, Option<String>),
    (kind, is_signal): (DocKind, bool),
) {
    // (an all-pass round happened where its regulator samples; a standard or a notice that
    // finds nothing applies where its body rules; a signal's findings carry their own places)
    let placed_by_body = matches!(
        kind,
        DocKind::Inspection | DocKind::Standard | DocKind::Notice
    );
    if is_signal || !placed_by_body || regions.iter().any(|r| r.role == RegionRole::Event) {
        return;
    }
    let (Some(province), city) = doc_place else {
        return;
    };
    if let Some(own) = regions
        .iter()
        .find(|r| &r.province == province && r.role == RegionRole::Publisher)
    {
        let event = RegionMention {
            city: city.clone(),
            role: RegionRole::Event,
            ..own.clone()
        };
        regions.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A place that, with the words after it, names a public body is no company's place.
    #[test]
    fn a_body_named_after_its_country() {
        assert!(is_body_name("加拿大", "卫生部和某公司联合宣布"));
        assert!(is_body_name("美国消费品安全委员会", "(CPSC)"));
        assert!(!is_body_name("上海", ")有限公司向该局提交"));
        assert!(!is_body_name("上海", "某电器有限公司"));
        assert!(!is_body_name("浙江", "省内的销售商"));
    }
}
