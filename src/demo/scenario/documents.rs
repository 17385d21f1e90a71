//! Builders of the scenario's documents, one per kind: a complaint, a mall listing, incident news
//! and its reposts, a recall, an inspection notice with its rows. Each draws its wording from
//! `texts` and pushes one [`DemoDoc`](super::super::DemoDoc) with its truth; the scenario's steps
//! (`problems`, `background`) decide which to build, when and where.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;

use super::super::texts::{self, Cat, Incident, Province};
use super::super::{Attached, Detail, InspectionRow, Review, Role, Site, Truth};
use super::{Gen, Place, chinese_date, fill, md, news_lead, portal_name};

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

impl Gen {
    /// A complaint about `inc` (or a service complaint when `None`).
    pub(super) fn complaint(
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
    pub(super) fn listing(
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
            claims: super::onsale::claims(cat.id, &title),
        };
        self.push(Site::Mall, day, title, body, detail, truth);
    }

    /// Incident news on `site`; returns the index of the document.
    pub(super) fn incident_news(
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
    pub(super) fn reposts(&mut self, orig: usize, on: &[Site]) {
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

    pub(super) fn recall(
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
    pub(super) fn inspection(
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
    pub(super) fn attach_last(&mut self, kind: Attached) {
        if let Some(d) = self.docs.last_mut()
            && let Detail::Inspection { attachment, .. } = &mut d.detail
        {
            *attachment = Some(kind);
            for p in &mut d.body {
                *p = p.replace("名单见下表。", "名单见附件。");
            }
        }
    }

    pub(super) fn row(
        &mut self,
        cat: &'static Cat,
        p: &'static Province,
        item: &str,
    ) -> InspectionRow {
        let brand = self.brand();
        let goods = self.pick(cat.goods);
        InspectionRow {
            product: format!("{goods}（{brand}）"),
            enterprise: self.enterprise_in(p, brand, cat.dept),
            province: p.name.to_string(),
            items: item.to_string(),
        }
    }
}
