//! What surrounds the problems: sparse background signals under a budget (at most
//! [`BUDGET_PER_WINDOW`](super::BUDGET_PER_WINDOW) per category and province in any
//! [`BUDGET_WINDOW_DAYS`](super::BUDGET_WINDOW_DAYS)-day window, none in the problem cells), then
//! harmless noise up to each site's volume.

use chrono::{Duration, NaiveDate};
use rand::Rng;

use super::super::texts::{self, Cat};
use super::super::{Detail, Role, Site, Truth};
use super::{
    BUDGET_PER_WINDOW, BUDGET_WINDOW_DAYS, COMPLAINT_DOCS, Gen, MALL_DOCS, NATIONWIDE,
    NEWS_DOCS_PER_PORTAL, Place, SPAN_DAYS, SYSTEMIC_QUIET_DAYS, fill, news_lead, portal_name,
    truth,
};

impl Gen {
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

    pub(super) fn background(&mut self) {
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

    pub(super) fn noise(&mut self) {
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
}
