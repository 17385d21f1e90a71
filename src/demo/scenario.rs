//! The deterministic scenario: which documents exist, when, where, what they say and what they
//! truly are.
//!
//! One ChaCha8 stream seeded by `seed` drives every choice, in a fixed order, so the same seed and
//! end date give identical texts, dates and paths. The problems are placed first (regional,
//! systemic, local), then the traps (drills, negations, adverts, all-pass notices, standards), then
//! sparse background signals under a budget (at most two per category and province in any 14-day
//! window), then harmless noise up to each site's volume.
//!
//! This file holds the generator (`Gen`: the RNG, its draws, the documents so far) and the order
//! of the steps; the steps and builders are `impl Gen` blocks in the submodules: `problems`
//! (problems, traps, standards), `background` (budgeted background signals, noise), `onsale`
//! (the market listings, on their own stream) and `documents` (one builder per document kind).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

mod background;
mod documents;
mod onsale;
mod problems;

use super::texts::{self, Cat, Province};
use super::{DemoDoc, Detail, Role, Scenario, Site, Truth};
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
