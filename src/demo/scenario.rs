//! The deterministic scenario: which documents exist, when, where, what they say and what they
//! truly are.
//!
//! One ChaCha8 stream seeded by `seed` drives every choice, in a fixed order, so the same seed and
//! end date give identical texts, dates and paths. The problems are placed first (regional,
//! systemic, local), then the traps (drills, negations, adverts, all-pass notices, standards), then
//! sparse background signals under a budget (at most two per category and province in any 14-day
//! window), then harmless noise up to each site's volume.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

mod onsale;

use super::texts::{self, Cat, Incident, Province};
use super::{Attached, DemoDoc, Detail, InspectionRow, Review, Role, Scenario, Site, Truth};
use crate::model::DocKind;

/// Province value of national notices.
pub const NATIONWIDE: &str = "全国";

/// Days covered, `end` included.
pub const SPAN_DAYS: i64 = 90;
/// The problems happen within this many last days.
const PROBLEM_DAYS: i64 = 10;
/// No background 移动电源 signal this close to `end`, so the systemic rise starts from quiet.
const SYSTEMIC_QUIET_DAYS: i64 = 24;
/// Background budget: at most this many signals per (category, province) in any window.
pub const BUDGET_PER_WINDOW: usize = 2;
pub const BUDGET_WINDOW_DAYS: i64 = 14;

/// The maker the local problem's complaints name (never in the local province, which is
/// chosen among provinces other than 浙江).
pub const LOCAL_MAKER: &str = "宁波市暖康电器有限公司";
const MALL_DOCS: usize = 130;
const COMPLAINT_DOCS: usize = 140;
const NEWS_DOCS_PER_PORTAL: usize = 40;

/// Build the scenario for `seed`, ending on `end` (inclusive).
pub fn scenario(seed: u64, end: NaiveDate) -> Scenario {
    let mut g = Gen::new(seed, end);
    g.regional();
    g.systemic();
    g.local();
    g.traps();
    g.background();
    g.noise();
    g.onsale();
    g.finish()
}

struct Gen {
    seed: u64,
    rng: ChaCha8Rng,
    end: NaiveDate,
    docs: Vec<DemoDoc>,
    next_story: u32,
    /// Background signal days per (category, province).
    budget: HashMap<(String, String), Vec<NaiveDate>>,
    local: &'static Province,
    local_city: usize,
    systemic: Vec<&'static Province>,
    /// The market part's own stream ([`onsale`]), so adding it changed nothing else.
    aside: ChaCha8Rng,
}

/// A place where something happened.
#[derive(Clone)]
struct Place {
    province: &'static Province,
    city: usize,
}

impl Place {
    fn text(&self) -> String {
        self.province.place(self.city)
    }
    fn region_field(&self) -> String {
        let c = self
            .province
            .cities
            .get(self.city % self.province.cities.len().max(1))
            .copied()
            .unwrap_or("");
        format!("{} {}", self.province.name, c)
    }
}

fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in slots {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

fn md(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// The word a notice uses for what a hazard leads to.
fn hazard_word(hazard: &str) -> &'static str {
    match hazard {
        "火灾" => "起火",
        "爆炸" => "爆炸",
        "触电" => "触电",
        "烫伤/烧伤" => "烫伤",
        "窒息" => "窒息",
        "误吞" => "误吞",
        "机械伤害" => "划伤",
        "夹伤/挤压" => "夹伤",
        "跌落/倾倒" => "倾倒",
        "勒伤/缠绕" => "勒伤",
        "化学危害" => "有害物质超标",
        "中毒" => "一氧化碳中毒",
        "交通事故/失控" => "失控",
        _ => "安全事故",
    }
}

/// How a recall notice words a hazard: what may happen, and what reports were received.
fn recall_wording(hazard: &str) -> (&'static str, &'static str) {
    match hazard {
        "火灾" => ("可能引发起火", "起火事故"),
        "爆炸" => ("可能发生爆炸", "爆炸事故"),
        "触电" => ("可能导致触电", "触电事故"),
        "烫伤/烧伤" => ("可能造成烫伤", "烫伤事故"),
        "窒息" => ("可能导致儿童窒息", "伤害事故"),
        "误吞" => ("可能被儿童误吞", "误吞事故"),
        "机械伤害" => ("可能造成划伤等机械伤害", "伤害事故"),
        "夹伤/挤压" => ("可能夹伤使用者", "夹伤事故"),
        "跌落/倾倒" => ("可能发生倾倒或跌落", "伤害事故"),
        "勒伤/缠绕" => ("可能造成勒伤", "伤害事故"),
        "化学危害" => ("可能危害使用者健康", "消费者投诉"),
        "中毒" => ("可能导致一氧化碳中毒", "中毒事故"),
        "交通事故/失控" => ("可能导致车辆失控", "交通事故"),
        _ => ("可能造成伤害", "相关投诉"),
    }
}

fn truth(
    cat: &str,
    hazard: Option<&str>,
    place: Option<&Place>,
    is_signal: bool,
    role: Role,
) -> Truth {
    Truth {
        category: Some(cat.to_string()),
        hazard: hazard.map(str::to_string),
        province: place.map(|p| p.province.name.to_string()),
        city: place.map(Place::text),
        is_signal,
        role,
        story: None,
        row_provinces: Vec::new(),
        market: None,
    }
}

impl Gen {
    fn new(seed: u64, end: NaiveDate) -> Gen {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let local_choices = ["河南省", "山东省", "湖北省", "安徽省", "河北省", "江西省"];
        let local_name = local_choices[rng.random_range(0..local_choices.len())];
        let local = texts::province(local_name).unwrap_or(&texts::PROVINCES[1]);
        let local_city = rng.random_range(0..local.cities.len().max(1));
        let mut others: Vec<&'static Province> = texts::PROVINCES
            .iter()
            .filter(|p| p.name != texts::ZHEJIANG && p.name != local.name)
            .collect();
        others.shuffle(&mut rng);
        others.truncate(9);
        Gen {
            seed,
            rng,
            end,
            docs: Vec::new(),
            next_story: 1,
            budget: HashMap::new(),
            local,
            local_city,
            systemic: others,
            aside: ChaCha8Rng::seed_from_u64(seed ^ 0x6f6e_7361_6c65),
        }
    }

    fn pick<T: Copy>(&mut self, s: &[T]) -> T {
        s[self.rng.random_range(0..s.len())]
    }

    fn pick_ref<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.rng.random_range(0..s.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// A day between `from` and `to` days before `end` (inclusive, from ≥ to).
    fn day(&mut self, from: i64, to: i64) -> NaiveDate {
        self.end - Duration::days(self.rng.random_range(to..=from))
    }

    fn time(&mut self) -> NaiveTime {
        let h = self.rng.random_range(8..22);
        let m = self.rng.random_range(0..60);
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
    }

    fn place_in(&mut self, p: &'static Province) -> Place {
        let city = self.rng.random_range(0..p.cities.len().max(1));
        Place { province: p, city }
    }

    fn any_province(&mut self) -> &'static Province {
        self.pick_ref(texts::PROVINCES)
    }

    fn alias(&mut self, cat: &'static Cat) -> &'static str {
        self.pick(cat.aliases)
    }

    fn brand(&mut self) -> &'static str {
        self.pick(texts::BRANDS)
    }

    fn enterprise_in(&mut self, p: &'static Province, brand: &str, dept: &str) -> String {
        let trade = self.pick(texts::trades(dept));
        let i = self.rng.random_range(0..p.cities.len().max(1));
        let seat = if p.municipality {
            p.short.to_string()
        } else {
            format!("{}市", p.city_stem(i))
        };
        format!("{seat}{brand}{trade}有限公司")
    }

    fn shop(&mut self, brand: &str) -> String {
        let s = self.pick(texts::SHOP_SUFFIX);
        format!("{brand}{s}")
    }

    fn story(&mut self) -> u32 {
        self.next_story += 1;
        self.next_story - 1
    }

    /// Add a document; its kind follows from its detail.
    fn push(
        &mut self,
        site: Site,
        published: NaiveDate,
        title: String,
        body: Vec<String>,
        detail: Detail,
        truth: Truth,
    ) {
        let time = self.time();
        self.docs.push(DemoDoc {
            site,
            path: String::new(),
            kind: detail.kind(),
            published,
            time,
            title,
            body,
            detail,
            truth,
        });
    }

    fn after(&mut self, hazard: &str) -> &'static str {
        match hazard {
            "火灾" | "爆炸" => self.pick(texts::AFTER_FIRE),
            "触电" => self.pick(texts::AFTER_SHOCK),
            _ => self.pick(texts::AFTER_INJURY),
        }
    }

    // ---- document builders -------------------------------------------------------------

    /// A complaint about `inc` (or a service complaint when `None`).
    fn complaint(
        &mut self,
        cat: &'static Cat,
        inc: Option<&Incident>,
        place: &Place,
        day: NaiveDate,
        truth: Truth,
    ) {
        let p = self.alias(cat);
        let brand = self.brand();
        let goods = self.pick(cat.goods);
        let shop = self.shop(brand);
        let platform = self.pick(texts::PLATFORMS);
        let (title, text) = match inc {
            Some(inc) => {
                let bought = day - Duration::days(self.rng.random_range(7..70));
                let who = self.pick(texts::WHO);
                let opening = fill(
                    self.pick(texts::COMPLAINT_OPENINGS),
                    &[
                        ("md", &md(bought)),
                        ("pl", platform),
                        ("shop", &shop),
                        ("p", p),
                        ("who", who),
                    ],
                );
                let event = fill(inc.text, &[("p", p)]);
                let at = fill(
                    self.pick(texts::COMPLAINT_PLACES),
                    &[("place", &place.text())],
                );
                let after = self.after(inc.hazard);
                let demand = self.pick(texts::DEMANDS);
                let title = match self.rng.random_range(0..4) {
                    0 => format!("{p}{}，商家拒绝赔偿", inc.short),
                    1 => format!("投诉{shop}销售的{p}{}", inc.short),
                    2 => format!("{p}使用中{}，存在严重安全隐患", inc.short),
                    _ => format!("{}！{brand}{p}质量问题投诉", inc.short),
                };
                (
                    title,
                    vec![format!("{opening}{event}。{at}{after}"), demand.to_string()],
                )
            }
            None => {
                let (t, body) = self.pick(texts::SERVICE_COMPLAINTS);
                (fill(t, &[("p", p)]), vec![fill(body, &[("p", p)])])
            }
        };
        let status = self.pick(texts::STATUSES).to_string();
        let detail = Detail::Complaint {
            id: String::new(),
            target: shop,
            product: format!("{brand}{goods}"),
            region: place.region_field(),
            status,
        };
        self.push(Site::Complaints, day, title, text, detail, truth);
    }

    /// A listing; with `risk`, its newest review tells the incident and where it happened.
    fn listing(
        &mut self,
        cat: &'static Cat,
        risk: Option<(&Incident, &Place)>,
        advert: bool,
        day: NaiveDate,
        truth: Truth,
    ) {
        let brand = self.brand();
        let goods = self.pick(cat.goods);
        let shop = self.shop(brand);
        let seat = self.any_province();
        let seat_city = self.rng.random_range(0..seat.cities.len().max(1));
        let shop_region = format!("{} {}", seat.short, seat.city_stem(seat_city));
        let (lo, hi) = cat.price;
        let price = format!(
            "{}.{:02}",
            self.rng.random_range(lo..=hi),
            self.pick(&[0u32, 0, 90, 50, 99])
        );
        let sales = self
            .pick(&[
                "月销 30+",
                "月销 200+",
                "月销 500+",
                "月销 1200+",
                "月销 3000+",
                "月销 1万+",
            ])
            .to_string();
        let suffix = self.pick(&["", " 新款", " 包邮", " 正品保障", " 家用款", " 热卖"]);
        let title = format!("{brand} {goods}{suffix}");
        let mut body: Vec<String> = Vec::new();
        let mut feats: Vec<&str> = cat.features.to_vec();
        feats.shuffle(&mut self.rng);
        body.extend(feats.iter().take(2).map(|f| f.to_string()));
        if advert {
            body.push(self.pick(texts::ADVERTS).to_string());
        }
        body.push(self.pick(texts::LISTING_TAILS).to_string());
        let n_good = self.rng.random_range(1..4);
        let mut reviews: Vec<Review> = (0..n_good)
            .map(|i| {
                let user = self.pick(texts::USERS).to_string();
                let text = self.pick(texts::GOOD_REVIEWS).to_string();
                let back = self.rng.random_range(1..20) + 3 * i as i64;
                Review {
                    user,
                    date: day - Duration::days(back),
                    stars: self.rng.random_range(4..=5),
                    text,
                }
            })
            .collect();
        if let Some((inc, place)) = risk {
            let p = self.alias(cat);
            let event = fill(inc.text, &[("p", p)]);
            let text = match self.rng.random_range(0..3) {
                0 => format!("人在{}，{event}。差评，大家千万别买！", place.text()),
                1 => format!(
                    "{event}，我家在{}。{}",
                    place.text(),
                    self.after(inc.hazard)
                ),
                _ => format!(
                    "收货一个月，{event}。地址{}，已经联系商家还没回复。",
                    place.text()
                ),
            };
            let user = self.pick(texts::USERS).to_string();
            reviews.push(Review {
                user,
                date: day,
                stars: 1,
                text,
            });
        }
        reviews.sort_by_key(|r| std::cmp::Reverse(r.date));
        let detail = Detail::Listing {
            dept: cat.dept.to_string(),
            brand: brand.to_string(),
            shop,
            shop_region,
            price,
            sales,
            reviews,
            model: String::new(),
            maker: String::new(),
            claims: onsale::claims(cat.id, &title),
        };
        self.push(Site::Mall, day, title, body, detail, truth);
    }

    /// Incident news on `site`; returns the index of the document.
    fn incident_news(
        &mut self,
        site: Site,
        cat: &'static Cat,
        inc: &Incident,
        place: &Place,
        day: NaiveDate,
        truth: Truth,
    ) -> usize {
        let p = self.alias(cat);
        let brand = self.brand();
        let reporter = self.pick(texts::REPORTERS);
        let who = self.pick(texts::PERSONS);
        let title = match self.rng.random_range(0..4) {
            0 => format!("{}一市民反映：{p}{}", place.text(), inc.short),
            1 => format!("{}：网购{p}{} 消费者投诉维权", place.text(), inc.short),
            2 => format!("{p}{}！{}消费者讨说法", inc.short, place.text()),
            _ => format!("又见{p}{} {}一市民险些受伤", inc.short, place.text()),
        };
        let when = match self.rng.random_range(0..3) {
            0 => format!("{}晚", md(day)),
            1 => "近日".to_string(),
            _ => "日前".to_string(),
        };
        let lead = news_lead(site, reporter, day);
        let event = fill(inc.text, &[("p", p)]);
        let months = self.rng.random_range(1..8);
        let body = vec![
            format!(
                "{lead}{when}，家住{}的{who}向记者反映：{event}。",
                place.text()
            ),
            self.after(inc.hazard).to_string(),
            format!("据当事人介绍，这款{p}是{months}个月前在网上购买的，品牌为“{brand}”。"),
            self.pick(texts::NEWS_CLOSINGS).to_string(),
        ];
        let detail = Detail::Article {
            source_line: format!("来源：{}", portal_name(site)),
            author: reporter.to_string(),
        };
        self.push(site, day, title, body, detail, truth);
        self.docs.len() - 1
    }

    /// Copies of document `orig` on other portals, edited as reposting sites do.
    fn reposts(&mut self, orig: usize, on: &[Site]) {
        let story = self.story();
        let Some(first) = self.docs.get_mut(orig) else {
            return;
        };
        first.truth.story = Some(story);
        let first = first.clone();
        let from = first.site;
        for (i, &site) in on.iter().enumerate() {
            let mut d = first.clone();
            d.site = site;
            d.published =
                (first.published + Duration::days(self.rng.random_range(0..2))).min(self.end);
            d.time = self.time();
            d.truth.role = Role::Repost(story);
            d.title = match i % 3 {
                0 => first.title.clone(),
                1 => format!("关注｜{}", first.title),
                _ => format!("{}（图）", first.title),
            };
            // A reposting site rewrites the lead's byline and adds or changes a sentence.
            let reporter = self.pick(texts::REPORTERS);
            let byline = news_lead(site, reporter, d.published);
            if let Some(lead) = d.body.first_mut() {
                let tail = lead.split_once('）').map(|(_, t)| t.to_string());
                if let Some(tail) = tail {
                    *lead = format!("{byline}{tail}");
                }
            }
            let extra = self.pick(texts::REPOST_ADDITIONS).to_string();
            if i % 2 == 0 {
                d.body.insert(d.body.len().saturating_sub(1), extra);
            } else if let Some(last) = d.body.last_mut() {
                *last = extra;
            }
            d.detail = Detail::Article {
                source_line: format!("来源：{}", portal_name(from)),
                author: format!("综合{}", portal_name(from)),
            };
            self.docs.push(d);
        }
    }

    fn recall(
        &mut self,
        cat: &'static Cat,
        hazard: &str,
        item: &str,
        seat: &'static Province,
        day: NaiveDate,
        truth: Truth,
    ) {
        let brand = self.brand();
        let enterprise = self.enterprise_in(seat, brand, cat.dept);
        let p = cat.id;
        let goods = self.pick(cat.goods);
        let model = format!(
            "{}{}-{}",
            brand.chars().count(),
            self.pick(&["PB", "KX", "HT", "ZX", "YD"]),
            self.rng.random_range(100..999)
        );
        let quantity = format!("{}", self.rng.random_range(3..400) * 100);
        let from = day - Duration::days(self.rng.random_range(200..500));
        let to = from + Duration::days(self.rng.random_range(60..180));
        let reports = self.rng.random_range(2..9);
        let (risk, accident) = recall_wording(hazard);
        let body = vec![
            format!(
                "近日，{enterprise}依照召回管理的有关规定，向市场监管总局提交了召回计划。自{}起，召回{}年{}月至{}年{}月期间生产的{brand}牌{goods}，型号为{model}，涉及数量{quantity}个。",
                chinese_date(day),
                from.year(),
                from.month(),
                to.year(),
                to.month()
            ),
            format!(
                "本次召回范围内的产品，由于{item}不符合标准要求，在使用过程中{risk}，存在安全隐患。截至目前，该企业已收到相关{accident}报告{reports}起。"
            ),
            format!(
                "{enterprise}将为召回范围内的{p}免费更换合格产品，用户可拨打企业客服热线400-{:03}-{:04}咨询。",
                self.rng.random_range(100..999),
                self.rng.random_range(1000..9999)
            ),
            "用户也可以登录国家市场监督管理总局缺陷产品管理中心网站，了解本次召回的详细信息。"
                .to_string(),
        ];
        let title = format!("{enterprise}召回部分{p}");
        let detail = Detail::Recall {
            enterprise,
            product: format!("{brand}牌{goods}"),
            model,
            quantity,
        };
        self.push(Site::Samr, day, title, body, detail, truth);
    }

    /// An inspection notice: national (`Site::Samr`) or provincial (`Site::Zjamr`); `rows` empty
    /// means everything passed.
    fn inspection(
        &mut self,
        site: Site,
        cat: &'static Cat,
        rows: Vec<InspectionRow>,
        day: NaiveDate,
        lead: Option<String>,
        truth: Truth,
    ) {
        let p = cat.id;
        let (publisher, level, short) = match site {
            Site::Zjamr => ("浙江省市场监督管理局", "省级监督抽查", "我局"),
            _ => ("国家市场监督管理总局", "国家监督抽查", "市场监管总局"),
        };
        let special = if lead.is_some() { "专项" } else { "" };
        let title = format!(
            "{publisher}关于{}年{p}产品质量{special}{level}情况的通告",
            day.year()
        );
        let n_batch = self.rng.random_range(40..160);
        let n_ent = n_batch - self.rng.random_range(5..30);
        let mut body = Vec::new();
        let opening = match lead {
            Some(lead) => {
                body.push(lead);
                "本次".to_string()
            }
            None => format!("近期，{short}组织开展了{p}产品质量{level}，"),
        };
        if rows.is_empty() {
            body.push(format!(
                "{opening}共抽查{n_ent}家企业生产的{n_batch}批次产品。"
            ));
            body.push("抽查结果显示，所抽查产品均合格。".to_string());
            body.push(format!(
                "{short}将继续加强对{p}等重点产品的质量监管，督促企业落实质量安全主体责任。"
            ));
        } else {
            let k = rows.len();
            let rate = (k as f64) * 100.0 / (n_batch as f64);
            let mut items: Vec<&str> = rows.iter().flat_map(|r| r.items.split('、')).collect();
            items.sort_unstable();
            items.dedup();
            let hazard = truth.hazard.clone().unwrap_or_default();
            body.push(format!("{opening}共抽查{n_ent}家企业生产的{n_batch}批次产品，发现{k}批次产品不合格，不合格发现率为{rate:.1}%。"));
            body.push(format!(
                "不合格项目涉及{}，相关产品存在{}风险。",
                items.join("、"),
                hazard_word(&hazard)
            ));
            body.push(format!("对抽查发现的不合格产品，{short}已督促企业所在地市场监管部门依法处理。不合格产品及企业名单见下表。"));
        }
        let detail = Detail::Inspection {
            publisher: publisher.to_string(),
            rows,
            attachment: None,
        };
        self.push(site, day, title, body, detail, truth);
    }

    /// The notice just pushed publishes its failed-products table as a file of `kind`.
    fn attach_last(&mut self, kind: Attached) {
        if let Some(d) = self.docs.last_mut()
            && let Detail::Inspection { attachment, .. } = &mut d.detail
        {
            *attachment = Some(kind);
            for p in &mut d.body {
                *p = p.replace("名单见下表。", "名单见附件。");
            }
        }
    }

    fn row(&mut self, cat: &'static Cat, p: &'static Province, item: &str) -> InspectionRow {
        let brand = self.brand();
        let goods = self.pick(cat.goods);
        InspectionRow {
            product: format!("{goods}（{brand}）"),
            enterprise: self.enterprise_in(p, brand, cat.dept),
            province: p.name.to_string(),
            items: item.to_string(),
        }
    }

    // ---- the scenario ------------------------------------------------------------------

    fn regional(&mut self) {
        let Some(cat) = texts::cat(texts::REGIONAL_CAT) else {
            return;
        };
        let Some(zj) = texts::province(texts::ZHEJIANG) else {
            return;
        };
        let last = PROBLEM_DAYS - 2;
        let place = |g: &mut Gen, i: usize| Place {
            province: zj,
            city: (i + g.rng.random_range(0..2)) % zj.cities.len().max(1),
        };
        for i in 0..7 {
            let pl = place(self, i);
            let inc = &cat.incidents[i % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Regional);
            self.complaint(cat, Some(inc), &pl, day, t);
        }
        for i in 0..4 {
            let pl = place(self, i + 3);
            let inc = &cat.incidents[(i + 2) % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Regional);
            let site = if i == 3 { Site::News1 } else { Site::News2 };
            self.incident_news(site, cat, inc, &pl, day, t);
        }
        for i in 0..4 {
            let pl = place(self, i + 5);
            let inc = &cat.incidents[(i + 4) % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Regional);
            self.listing(cat, Some((inc, &pl)), false, day, t);
        }
        // The provincial regulator reacts with a special inspection.
        let day = self.day(2, 0);
        let rows: Vec<InspectionRow> = (0..3)
            .map(|i| {
                let item = cat.items[i % 2].1;
                self.row(cat, zj, item)
            })
            .collect();
        let cities: Vec<String> = (0..3)
            .map(|i| zj.place(i * 2 + 2).trim_end_matches('市').to_string())
            .collect();
        let lead = format!(
            "近期，我省{}等地接连发生电动自行车用锂离子蓄电池起火事故。为消除安全隐患，我局组织开展了电动自行车用蓄电池产品质量专项监督抽查。",
            cities.join("、")
        );
        let mut t = truth(
            cat.id,
            Some("火灾"),
            Some(&Place {
                province: zj,
                city: 0,
            }),
            true,
            Role::Regional,
        );
        t.city = None;
        t.row_provinces = rows.iter().map(|r| r.province.clone()).collect();
        self.inspection(Site::Zjamr, cat, rows, day, Some(lead), t);
        self.attach_last(Attached::Xlsx);
    }

    fn systemic(&mut self) {
        let Some(cat) = texts::cat(texts::SYSTEMIC_CAT) else {
            return;
        };
        let provinces = self.systemic.clone();
        let last = PROBLEM_DAYS - 1;
        for i in 0..10 {
            let pl = self.place_in(provinces[i % provinces.len()]);
            let inc = &cat.incidents[i % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Systemic);
            self.complaint(cat, Some(inc), &pl, day, t);
        }
        for i in 0..5 {
            let pl = self.place_in(provinces[(i + 3) % provinces.len()]);
            let inc = &cat.incidents[(i + 2) % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Systemic);
            self.listing(cat, Some((inc, &pl)), false, day, t);
        }
        // One story reposted by the other two portals, and two single reports.
        let pl = self.place_in(provinces[1 % provinces.len()]);
        let inc = &cat.incidents[6 % cat.incidents.len()];
        let day = self.day(last, 2);
        let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Systemic);
        let orig = self.incident_news(Site::News1, cat, inc, &pl, day, t);
        self.reposts(orig, &[Site::News2, Site::News3]);
        for (i, site) in [(5usize, Site::News3), (7, Site::News1)] {
            let pl = self.place_in(provinces[i % provinces.len()]);
            let inc = &cat.incidents[i % cat.incidents.len()];
            let day = self.day(last, 0);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Systemic);
            self.incident_news(site, cat, inc, &pl, day, t);
        }
        // National recall and a national inspection with failed rows in several provinces.
        let day = self.day(4, 0);
        let seat = provinces[2 % provinces.len()];
        let mut t = truth(cat.id, Some("爆炸"), None, true, Role::Systemic);
        t.province = Some(NATIONWIDE.to_string());
        self.recall(cat, "爆炸", cat.items[0].1, seat, day, t);
        let day = self.day(3, 0);
        let rows: Vec<InspectionRow> = (0..5)
            .map(|i| {
                let item = cat.items[i % 3].1;
                self.row(cat, provinces[(i * 2) % provinces.len()], item)
            })
            .collect();
        let mut t = truth(cat.id, Some("爆炸"), None, true, Role::Systemic);
        t.row_provinces = rows.iter().map(|r| r.province.clone()).collect();
        self.inspection(Site::Samr, cat, rows, day, None, t);
        self.attach_last(Attached::Pdf);
    }

    fn local(&mut self) {
        let Some(cat) = texts::cat(texts::LOCAL_CAT) else {
            return;
        };
        let pl = Place {
            province: self.local,
            city: self.local_city,
        };
        let first = self.day(PROBLEM_DAYS - 1, 6);
        for i in 0..4 {
            let day = (first + Duration::days(self.rng.random_range(0..6))).min(self.end);
            let inc = &cat.incidents[i % 4];
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Local);
            self.complaint(cat, Some(inc), &pl, day, t);
            // One maker behind the local problem, in another province than the complaints: its
            // regulator is where the alert goes (属地, issue 47). Fixed, not drawn, so the rest
            // of the scenario's draws are unchanged.
            if let Some(doc) = self.docs.last_mut() {
                doc.body
                    .insert(1, format!("产品标签标注的生产企业为{LOCAL_MAKER}。"));
            }
        }
    }

    fn traps(&mut self) {
        let zj = texts::province(texts::ZHEJIANG).unwrap_or(&texts::PROVINCES[0]);
        let bat = texts::cat(texts::REGIONAL_CAT).unwrap_or(&texts::CATS[0]);
        let pb = texts::cat(texts::SYSTEMIC_CAT).unwrap_or(&texts::CATS[0]);
        // Drills: one in the regional province during the problem window.
        let drills: [(&'static Cat, Option<&'static Province>, Site); 3] = [
            (bat, Some(zj), Site::News2),
            (pb, None, Site::News1),
            (bat, None, Site::News3),
        ];
        for (i, (cat, prov, site)) in drills.into_iter().enumerate() {
            let prov = prov.unwrap_or_else(|| self.systemic[i % self.systemic.len()]);
            let pl = self.place_in(prov);
            let day = if i == 0 {
                self.day(PROBLEM_DAYS - 2, 0)
            } else {
                self.day(SPAN_DAYS - 1, 0)
            };
            let (t, paras) = texts::DRILLS[i % texts::DRILLS.len()];
            let p = self.alias(cat);
            let c = pl.text();
            let title = fill(t, &[("c", &c), ("p", p)]);
            let body = paras
                .iter()
                .map(|s| fill(s, &[("c", &c), ("p", p)]))
                .collect();
            let reporter = self.pick(texts::REPORTERS);
            let detail = Detail::Article {
                source_line: format!("来源：{}", portal_name(site)),
                author: reporter.to_string(),
            };
            let tr = truth(cat.id, Some("火灾"), Some(&pl), false, Role::Drill);
            self.push(site, day, title, body, detail, tr);
        }
        // Negations: complaints about the problem products and one news item.
        for (i, cat) in [bat, pb, bat].into_iter().enumerate() {
            let prov = if i == 1 { self.systemic[0] } else { zj };
            let pl = self.place_in(prov);
            let day = self.day(PROBLEM_DAYS - 1, 0);
            let (t, text) = texts::NEGATED[i % texts::NEGATED.len()];
            let p = self.alias(cat);
            let c = pl.text();
            let title = fill(t, &[("c", &c), ("p", p)]);
            let body = vec![fill(text, &[("c", &c), ("p", p)])];
            let hazard = if i == 1 { "爆炸" } else { "火灾" };
            let tr = truth(cat.id, Some(hazard), Some(&pl), false, Role::Negated);
            if i == 2 {
                let detail = Detail::Article {
                    source_line: "来源：之江民生网".to_string(),
                    author: self.pick(texts::REPORTERS).to_string(),
                };
                self.push(Site::News2, day, title, body, detail, tr);
            } else {
                let brand = self.brand();
                let shop = self.shop(brand);
                let detail = Detail::Complaint {
                    id: String::new(),
                    target: shop,
                    product: format!("{brand}{}", self.pick(cat.goods)),
                    region: pl.region_field(),
                    status: self.pick(texts::STATUSES).to_string(),
                };
                self.push(Site::Complaints, day, title, body, detail, tr);
            }
        }
        // Safety advertising in listings.
        let warmer = texts::cat("电热暖手器").unwrap_or(&texts::CATS[0]);
        for cat in [pb, pb, pb, bat, bat, warmer] {
            let day = self.day(SPAN_DAYS - 1, 0);
            let hazard = if cat.id == texts::SYSTEMIC_CAT {
                "爆炸"
            } else {
                "火灾"
            };
            let tr = truth(cat.id, Some(hazard), None, false, Role::Advert);
            self.listing(cat, None, true, day, tr);
        }
        // All-pass inspection notices, national and provincial.
        for site in [Site::Samr, Site::Samr, Site::Zjamr, Site::Zjamr] {
            let cat = self.pick_ref(texts::CATS);
            let day = self.day(SPAN_DAYS - 1, 0);
            let tr = truth(cat.id, None, None, false, Role::AllPass);
            self.inspection(site, cat, Vec::new(), day, None, tr);
        }
        self.standards();
    }

    fn standards(&mut self) {
        const STDS: &[(&str, &str, &str, &str)] = &[
            (
                "GB 43854",
                "电动自行车用锂离子蓄电池安全技术规范",
                "电动自行车用蓄电池",
                "热失控、过充电和外部短路",
            ),
            (
                "GB 17761",
                "电动自行车安全技术规范",
                "电动自行车",
                "制动、防火和防篡改",
            ),
            (
                "GB/T 35590",
                "信息技术 便携式数字设备用移动电源通用规范",
                "移动电源",
                "过充电保护和外部短路保护",
            ),
            (
                "GB 4706.8",
                "家用和类似用途电器的安全 电热毯、电热垫及类似柔性发热器具的特殊要求",
                "电热毯",
                "泄漏电流和温度控制",
            ),
            (
                "GB 4706.19",
                "家用和类似用途电器的安全 液体加热器的特殊要求",
                "电热水壶",
                "干烧保护和温升",
            ),
            (
                "GB 6675.4",
                "玩具安全 第4部分：特定元素的迁移",
                "玩具",
                "可迁移元素限量",
            ),
            ("GB 14746", "儿童自行车安全要求", "童车", "制动和结构强度"),
            (
                "GB 28007",
                "儿童家具通用技术条件",
                "儿童家具",
                "稳定性和孔隙",
            ),
            (
                "GB 811",
                "摩托车、电动自行车乘员头盔",
                "头盔",
                "吸收碰撞能量和佩戴装置",
            ),
            (
                "GB 31701",
                "婴幼儿及儿童纺织产品安全技术规范",
                "儿童及婴幼儿服装",
                "绳带和甲醛含量",
            ),
            (
                "GB 21027",
                "学生用品的安全通用要求",
                "学生文具",
                "增塑剂和重金属限量",
            ),
            (
                "GB 2099.1",
                "家用和类似用途插头插座 第1部分：通用要求",
                "插头插座",
                "防触电保护和温升",
            ),
            (
                "GB 16410",
                "家用燃气灶具",
                "家用燃气灶具",
                "熄火保护和烟气中一氧化碳含量",
            ),
            (
                "GB/T 42703",
                "电动自行车充电器技术要求",
                "电动自行车充电器",
                "输出保护和温升",
            ),
        ];
        for &(base, name, cat, focus) in STDS {
            let day = self.day(SPAN_DAYS - 1, 0);
            let year = day.year();
            let number = format!("{base}-{year}");
            let revised = self.chance(0.5);
            let nature = if revised { "修订" } else { "新制定" };
            let effective = day + Duration::days(self.rng.random_range(180..400));
            let mandatory = !base.starts_with("GB/T");
            let kind = if mandatory {
                "强制性国家标准"
            } else {
                "推荐性国家标准"
            };
            let mut body = vec![format!(
                "近日，国家市场监督管理总局（国家标准化管理委员会）批准发布{kind}{number}《{name}》，该标准将于{}起实施。",
                chinese_date(effective)
            )];
            if revised {
                let old = year - self.rng.random_range(4..12);
                body.push(format!("本标准代替{base}-{old}。与原标准相比，主要技术变化包括：修改了{focus}等要求，增加了相关试验方法。"));
            } else {
                body.push(format!("该标准规定了{focus}等方面的技术要求和试验方法，适用于在我国境内生产、销售的相关产品。"));
            }
            body.push(
                "标准发布后，相关企业应及时对照新要求组织生产，检验检测机构应做好检验能力准备。"
                    .to_string(),
            );
            let detail = Detail::Standard {
                number: number.clone(),
                nature: nature.to_string(),
                issued: day,
                effective,
            };
            let tr = truth(cat, None, None, false, Role::Standard);
            self.push(
                Site::Standards,
                day,
                format!("{number}《{name}》国家标准发布"),
                body,
                detail,
                tr,
            );
        }
    }

    /// Whether a background signal of `cat` in `prov` on `day` keeps the scenario's promises: the
    /// problem cells stay quiet and no cell exceeds the budget in any window.
    fn budget_ok(&self, cat: &str, prov: &str, day: NaiveDate) -> bool {
        if cat == texts::REGIONAL_CAT && prov == texts::ZHEJIANG {
            return false;
        }
        if cat == texts::SYSTEMIC_CAT && (self.end - day).num_days() < SYSTEMIC_QUIET_DAYS {
            return false;
        }
        if cat == texts::LOCAL_CAT && prov == self.local.name {
            return false;
        }
        let near = self
            .budget
            .get(&(cat.to_string(), prov.to_string()))
            .map(|days| {
                days.iter()
                    .filter(|d| (**d - day).num_days().abs() < BUDGET_WINDOW_DAYS)
                    .count()
            })
            .unwrap_or(0);
        near < BUDGET_PER_WINDOW
    }

    fn spend(&mut self, cat: &str, prov: &str, day: NaiveDate) {
        self.budget
            .entry((cat.to_string(), prov.to_string()))
            .or_default()
            .push(day);
    }

    /// A background (category, place, day) within budget; nationwide slots have no place and are
    /// budgeted under 全国. `None` if the budget is exhausted (never with the shipped vocabulary).
    fn background_slot(
        &mut self,
        nationwide: bool,
    ) -> Option<(&'static Cat, Option<Place>, NaiveDate)> {
        for _ in 0..10_000 {
            let cat = self.pick_ref(texts::CATS);
            let day = self.day(SPAN_DAYS - 1, 0);
            let place = if nationwide {
                None
            } else {
                let p = self.any_province();
                Some(self.place_in(p))
            };
            let key = place.as_ref().map_or(NATIONWIDE, |p| p.province.name);
            if self.budget_ok(cat.id, key, day) {
                self.spend(cat.id, key, day);
                return Some((cat, place, day));
            }
        }
        None
    }

    /// A failed test item of `cat` that is about safety (not labels or non-safety quality).
    fn safety_item(&mut self, cat: &'static Cat) -> (&'static str, &'static str) {
        let items: Vec<(&'static str, &'static str)> = cat
            .items
            .iter()
            .copied()
            .filter(|(h, _)| !matches!(*h, "标志说明不合格" | "非安全质量"))
            .collect();
        if items.is_empty() {
            return cat.items.first().copied().unwrap_or(("", ""));
        }
        self.pick(&items)
    }

    fn background(&mut self) {
        for _ in 0..30 {
            let Some((cat, Some(pl), day)) = self.background_slot(false) else {
                continue;
            };
            let inc = self.pick_ref(cat.incidents);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Background);
            self.complaint(cat, Some(inc), &pl, day, t);
        }
        for _ in 0..15 {
            let Some((cat, Some(pl), day)) = self.background_slot(false) else {
                continue;
            };
            let inc = self.pick_ref(cat.incidents);
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Background);
            self.listing(cat, Some((inc, &pl)), false, day, t);
        }
        for i in 0..13 {
            let Some((cat, Some(pl), day)) = self.background_slot(false) else {
                continue;
            };
            let inc = self.pick_ref(cat.incidents);
            let site = [Site::News1, Site::News2, Site::News3][i % 3];
            let t = truth(cat.id, Some(inc.hazard), Some(&pl), true, Role::Background);
            let idx = self.incident_news(site, cat, inc, &pl, day, t);
            if i == 0 {
                // One background story is reposted by the other portals (counts once).
                self.reposts(idx, &[Site::News2, Site::News3]);
            }
        }
        for _ in 0..6 {
            let Some((cat, _, day)) = self.background_slot(true) else {
                continue;
            };
            let (hazard, item) = self.safety_item(cat);
            let seat = self.any_province();
            let mut t = truth(cat.id, Some(hazard), None, true, Role::Background);
            t.province = Some(NATIONWIDE.to_string());
            self.recall(cat, hazard, item, seat, day, t);
        }
        let zj = texts::province(texts::ZHEJIANG).unwrap_or(&texts::PROVINCES[0]);
        for i in 0..9 {
            let site = if i < 5 { Site::Samr } else { Site::Zjamr };
            let cat = self.pick_ref(texts::CATS);
            let day = self.day(SPAN_DAYS - 1, 0);
            let (hazard, _) = self.safety_item(cat);
            let n = self.rng.random_range(1..=3);
            let mut rows = Vec::new();
            for _ in 0..n {
                let prov = if site == Site::Zjamr {
                    zj
                } else {
                    self.any_province()
                };
                if self.budget_ok(cat.id, prov.name, day) {
                    self.spend(cat.id, prov.name, day);
                    let item = cat
                        .items
                        .iter()
                        .find(|(h, _)| *h == hazard)
                        .map(|(_, it)| *it)
                        .unwrap_or("");
                    rows.push(self.row(cat, prov, item));
                }
            }
            if rows.is_empty() {
                continue;
            }
            let mut t = truth(cat.id, Some(hazard), None, true, Role::Background);
            t.row_provinces = rows.iter().map(|r| r.province.clone()).collect();
            self.inspection(site, cat, rows, day, None, t);
        }
    }

    fn count(&self, site: Site) -> usize {
        self.docs.iter().filter(|d| d.site == site).count()
    }

    fn noise(&mut self) {
        // The first noise document opens the period, so the span is always the full SPAN_DAYS.
        let mut first = true;
        let mut next_day = |g: &mut Gen| {
            if std::mem::take(&mut first) {
                g.end - Duration::days(SPAN_DAYS - 1)
            } else {
                g.day(SPAN_DAYS - 1, 0)
            }
        };
        while self.count(Site::Complaints) < COMPLAINT_DOCS {
            let cat = self.pick_ref(texts::CATS);
            let prov = self.any_province();
            let pl = self.place_in(prov);
            let day = next_day(self);
            let t = truth(cat.id, None, Some(&pl), false, Role::Noise);
            self.complaint(cat, None, &pl, day, t);
        }
        while self.count(Site::Mall) < MALL_DOCS {
            let cat = self.pick_ref(texts::CATS);
            let day = next_day(self);
            let t = truth(cat.id, None, None, false, Role::Noise);
            self.listing(cat, None, false, day, t);
        }
        for site in [Site::News1, Site::News2, Site::News3] {
            while self.count(site) < NEWS_DOCS_PER_PORTAL {
                let prov = if site == Site::News2 && self.chance(0.6) {
                    texts::province(texts::ZHEJIANG).unwrap_or(&texts::PROVINCES[0])
                } else {
                    self.any_province()
                };
                let pl = self.place_in(prov);
                let c = pl.text();
                let day = next_day(self);
                let (t, paras) = self.pick(texts::NEUTRAL_NEWS);
                let reporter = self.pick(texts::REPORTERS);
                let mut body: Vec<String> = paras.iter().map(|s| fill(s, &[("c", &c)])).collect();
                if let Some(first) = body.first_mut() {
                    *first = format!("{}{first}", news_lead(site, reporter, day));
                }
                let detail = Detail::Article {
                    source_line: format!("来源：{}", portal_name(site)),
                    author: reporter.to_string(),
                };
                let tr = Truth {
                    category: None,
                    hazard: None,
                    province: Some(prov.name.to_string()),
                    city: Some(c.clone()),
                    is_signal: false,
                    role: Role::Noise,
                    story: None,
                    row_provinces: Vec::new(),
                    market: None,
                };
                self.push(site, day, fill(t, &[("c", &c)]), body, detail, tr);
            }
        }
    }

    /// Sort each site newest first and give every document its path.
    fn finish(mut self) -> Scenario {
        self.docs.sort_by(|a, b| {
            a.site
                .cmp(&b.site)
                .then(b.published.cmp(&a.published))
                .then(b.time.cmp(&a.time))
        });
        let mut seq: HashMap<Site, u32> = HashMap::new();
        let mut market_seq = 0u32;
        let mut paths = Vec::with_capacity(self.docs.len());
        for d in &self.docs {
            // The market listings count and draw apart (see `onsale`): the others keep their paths.
            let serial = if d.truth.market.is_some() {
                market_seq += 1;
                900_000 + market_seq * 7 + self.aside.random_range(0..7u32)
            } else {
                let n = seq.entry(d.site).or_insert(0);
                *n += 1;
                100_000 + *n * 7 + self.rng.random_range(0..7u32)
            };
            let ymd = d.published.format("%Y%m%d");
            let path = match d.site {
                Site::Mall => format!("/item/{serial}.html"),
                Site::Complaints => format!("/complaint/TS{ymd}{serial}.html"),
                Site::News1 => format!("/news/{}/{serial}.html", d.published.format("%Y%m")),
                Site::News2 => format!("/msxw/{ymd}/c{serial}.shtml"),
                Site::News3 => format!("/content/{serial}.htm"),
                Site::Samr => match d.kind {
                    DocKind::Recall => format!("/zhxx/recall/art{serial}.html"),
                    _ => format!("/zhxx/ccjg/art{serial}.html"),
                },
                Site::Zjamr => format!("/art/{}/{serial}.html", d.published.format("%Y/%m/%d")),
                Site::Standards => format!("/gg/{serial}.html"),
            };
            paths.push(path);
        }
        for (d, path) in self.docs.iter_mut().zip(paths) {
            if let Detail::Complaint { id, .. } = &mut d.detail {
                *id = path
                    .trim_start_matches("/complaint/")
                    .trim_end_matches(".html")
                    .to_string();
            }
            d.path = path;
        }
        Scenario {
            seed: self.seed,
            end: self.end,
            docs: self.docs,
            local_province: self.local.name.to_string(),
            local_city: self.local.place(self.local_city),
        }
    }
}

pub fn portal_name(site: Site) -> &'static str {
    match site {
        Site::News1 => "华夏消费资讯网",
        Site::News2 => "之江民生网",
        Site::News3 => "南方消费报",
        Site::Mall => "优选商城",
        Site::Complaints => "消费投诉平台",
        Site::Samr => "国家市场监督管理总局",
        Site::Zjamr => "浙江省市场监督管理局",
        Site::Standards => "标准公告网",
    }
}

/// Byline that opens a news article, in each portal's house style.
fn news_lead(site: Site, reporter: &str, day: NaiveDate) -> String {
    match site {
        Site::News1 => format!("华夏消费资讯网北京{}电（记者 {reporter}）", md(day)),
        Site::News2 => format!("本报讯（记者 {reporter}）"),
        _ => format!("南方消费报讯（记者 {reporter}）"),
    }
}

/// "2026年3月5日".
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}
