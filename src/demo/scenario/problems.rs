//! The steps that place what the demo must find, and what it must not: the regional, systemic
//! and local problems, the traps (drills, negations, adverts, all-pass notices), and the
//! standards notices. They run first, in this order, so their RNG draws never depend on the
//! background.

use chrono::{Datelike, Duration};
use rand::Rng;

use super::super::texts::{self, Cat, Province};
use super::super::{Attached, Detail, InspectionRow, Role, Site};
use super::{
    Gen, LOCAL_MAKER, NATIONWIDE, PROBLEM_DAYS, Place, SPAN_DAYS, chinese_date, fill, portal_name,
    truth,
};

impl Gen {
    pub(super) fn regional(&mut self) {
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

    pub(super) fn systemic(&mut self) {
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

    pub(super) fn local(&mut self) {
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

    pub(super) fn traps(&mut self) {
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
                "移动电源通用规范",
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
                "婴幼儿及儿童纺织产品安全规范",
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
}
