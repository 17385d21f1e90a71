//! Search at scale: build an index of generated documents (1,000,000 by default; set
//! `JIANCE_BENCH_DOCS` to shrink it for a quick check) ONCE per run in a temp dir, print the index
//! throughput (docs/s) and size on disk, then measure query latency p50 / p99 for a term query, a
//! phrase query and a facet-filtered query (every search also counts all facets). Criterion then
//! times the same three queries. Run: `cargo bench --bench search`.
//!
//! Documents are generated deterministically (seeded ChaCha) from Chinese templates: products,
//! hazards, provinces and cities, brands, platforms, kinds and dates vary; about 300 bytes of text
//! each. They are indexed with the project's own dictionaries (the analyzer's jieba), through the
//! same `IndexWriter::upsert` the pipeline uses.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jiance::index::{Index, SearchRequest};
use jiance::model::{
    Channel, DocKind, Extraction, Finding, HazardMention, Parties, RegionMention, RegionRole,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const PRODUCTS: [&str; 20] = [
    "电动自行车",
    "移动电源",
    "电热毯",
    "电热水袋",
    "儿童玩具",
    "燃气灶",
    "吹风机",
    "手机充电器",
    "婴儿推车",
    "儿童安全座椅",
    "电暖器",
    "空气炸锅",
    "插线板",
    "电压力锅",
    "童装",
    "学生文具",
    "滑板车",
    "电水壶",
    "儿童床",
    "燃气热水器",
];
/// (hazard id, how the text says it)
const HAZARDS: [(&str, &str); 8] = [
    ("火灾", "起火冒烟"),
    ("爆炸", "突然爆炸"),
    ("触电", "漏电致人触电"),
    ("烫伤", "外壳发烫烫伤手部"),
    ("窒息", "小零件脱落险些卡喉"),
    ("化学危害", "甲醛含量超标"),
    ("机械伤害", "折叠处夹伤手指"),
    ("燃气泄漏", "接口处燃气泄漏"),
];
const PLACES: [(&str, &str); 16] = [
    ("浙江省", "杭州市"),
    ("浙江省", "温州市"),
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("江苏省", "南京市"),
    ("江苏省", "苏州市"),
    ("山东省", "济南市"),
    ("四川省", "成都市"),
    ("河南省", "郑州市"),
    ("湖北省", "武汉市"),
    ("福建省", "厦门市"),
    ("湖南省", "长沙市"),
    ("安徽省", "合肥市"),
    ("河北省", "石家庄市"),
    ("陕西省", "西安市"),
    ("辽宁省", "沈阳市"),
];
const PLATFORMS: [&str; 5] = ["淘宝", "京东", "拼多多", "抖音商城", "快手小店"];
const BRAND_A: [&str; 12] = [
    "安", "乐", "美", "佳", "德", "康", "华", "瑞", "优", "欧", "星", "通",
];
const BRAND_B: [&str; 10] = ["驰", "信", "宝", "达", "源", "丰", "博", "泰", "科", "力"];
const KINDS: [(DocKind, Channel); 7] = [
    (DocKind::Complaint, Channel::Complaint),
    (DocKind::Media, Channel::Media),
    (DocKind::Listing, Channel::Platform),
    (DocKind::Notice, Channel::Regulator),
    (DocKind::Recall, Channel::Regulator),
    (DocKind::Inspection, Channel::Regulator),
    (DocKind::Standard, Channel::Standard),
];

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.rng.random_range(0..xs.len())]
    }

    fn doc(&mut self, n: usize) -> (jiance::model::Document, Extraction) {
        let product = *self.pick(&PRODUCTS);
        let (hazard, says) = *self.pick(&HAZARDS);
        let (province, city) = *self.pick(&PLACES);
        let platform = *self.pick(&PLATFORMS);
        let brand = format!("{}{}", self.pick(&BRAND_A), self.pick(&BRAND_B));
        let (kind, channel) = *self.pick(&KINDS);
        let day = self.rng.random_range(0..730i64);
        let hour = self.rng.random_range(0..24u32);
        let month = self.rng.random_range(1..=12u32);
        let date = self.rng.random_range(1..=28u32);
        let price = self.rng.random_range(29..1999u32);
        let batch = self.rng.random_range(1000..99999u32);
        let (title, text) = match self.rng.random_range(0..5u32) {
            0 => (
                format!("消费者投诉：{platform}购买的{brand}{product}使用中{says}"),
                format!(
                    "{city}市民反映，{month}月{date}日在{platform}以{price}元购买的{brand}牌{product}，使用不到一周即出现{says}的情况，联系商家要求退货被拒绝。当事人已向当地市场监管部门投诉，希望相关部门核查该批次产品质量。"
                ),
            ),
            1 => (
                format!("{province}一居民楼内{product}{says}，消防提醒规范使用"),
                format!(
                    "{month}月{date}日{hour}时许，{city}某小区一户居民家中的{product}在充电时起火，浓烟顺着楼道蔓延，消防救援人员到场后迅速处置。据了解，涉事产品为{brand}品牌，购自网络平台，事故原因正在进一步调查中。"
                ),
            ),
            2 => (
                format!("{province}市场监管局通报{product}产品质量监督抽查结果"),
                format!(
                    "近日，{province}市场监督管理局组织开展{product}产品质量监督抽查，共抽查样品{batch}批次，其中{brand}等企业生产的产品抽检不合格，主要问题为{says}。监管部门已责令相关企业整改，并对不合格产品依法处置。"
                ),
            ),
            3 => (
                format!("{brand}召回部分{product}：存在{hazard}风险"),
                format!(
                    "根据《消费品召回管理暂行规定》，{brand}公司自即日起召回批号{batch}的部分{product}。该批次产品因设计缺陷，在特定条件下可能{says}，存在{hazard}安全隐患。消费者可拨打客服热线办理免费更换，召回范围涉及{province}等地。"
                ),
            ),
            _ => (
                format!("{platform}下架{brand}{product}，用户评价称{says}"),
                format!(
                    "多名买家在{platform}商品评价中反映，{brand}{product}到货后外壳发烫，部分用户称{says}。记者在{city}走访发现，同款产品仍在线下门店销售，售价约{price}元。平台方表示已下架相关商品，并提醒消费者保留购物凭证。"
                ),
            ),
        };
        let t = Utc
            .with_ymd_and_hms(2024, 6, 1, hour, 0, 0)
            .single()
            .map(|t| t + chrono::Duration::days(day))
            .unwrap_or_default();
        let id = format!("bench-{n:08}");
        let mut fields = BTreeMap::new();
        if kind == DocKind::Listing {
            fields.insert("platform".to_string(), platform.to_string());
        }
        let signal = self.rng.random_bool(0.6);
        let doc = jiance::model::Document {
            id: id.clone(),
            source: format!("source-{}", n % 24),
            channel,
            kind: Some(kind),
            url: format!("https://example.cn/item/{n}"),
            title,
            text,
            published_at: Some(t),
            fetched_at: t,
            fields,
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let parties = Parties {
            brands: vec![brand],
            ..Parties::default()
        };
        let ex = Extraction {
            doc_id: id.clone(),
            kind,
            categories: vec![product.to_string()],
            hazards: vec![HazardMention {
                hazard: hazard.to_string(),
                term: says.to_string(),
                severity: 3,
                negated: !signal,
                hypothetical: false,
                category: Some(product.to_string()),
            }],
            regions: vec![RegionMention {
                text: city.to_string(),
                code: String::new(),
                province: province.to_string(),
                city: Some(city.to_string()),
                role: RegionRole::Event,
            }],
            parties: parties.clone(),
            standards: vec![],
            vulnerable: vec![],
            findings: if signal {
                vec![Finding {
                    category: product.to_string(),
                    hazard: hazard.to_string(),
                    severity: 3,
                    province: Some(province.to_string()),
                    city: Some(city.to_string()),
                    parties,
                    product: None,
                }]
            } else {
                vec![]
            },
            is_signal: signal,
            reason: None,
            cluster: id,
            text_cut: None,
            inspections: Vec::new(),
        };
        (doc, ex)
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

type QueryKind = (&'static str, Vec<SearchRequest>);

fn queries() -> Vec<QueryKind> {
    let term: Vec<SearchRequest> = PRODUCTS
        .iter()
        .map(|p| p.to_string())
        .chain(["起火", "召回", "抽检", "甲醛", "漏电"].map(String::from))
        .map(|q| SearchRequest {
            query: q,
            ..SearchRequest::default()
        })
        .collect();
    let phrase: Vec<SearchRequest> = [
        "\"充电时起火\"",
        "\"联系商家要求退货\"",
        "\"产品质量监督抽查\"",
        "\"外壳发烫\"",
        "\"免费更换\"",
        "\"浓烟顺着楼道蔓延\"",
    ]
    .into_iter()
    .map(|q| SearchRequest {
        query: q.into(),
        ..SearchRequest::default()
    })
    .collect();
    let mut faceted = Vec::new();
    for (i, p) in PRODUCTS.iter().enumerate() {
        let (province, _) = PLACES[i % PLACES.len()];
        faceted.push(SearchRequest {
            query: ["起火", "投诉", "不合格", "召回"][i % 4].into(),
            category: Some(p.to_string()),
            region: Some(province.into()),
            since: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
            ..SearchRequest::default()
        });
    }
    vec![
        ("term", term),
        ("phrase", phrase),
        ("facet-filtered", faceted),
    ]
}

fn bench(c: &mut Criterion) {
    let n_docs: usize = std::env::var("JIANCE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let analyzer = match jiance::analyze::Analyzer::load(None, None) {
        Ok(a) => a,
        Err(e) => panic!("built-in rules: {e:?}"),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(dir.path(), analyzer.jieba()).expect("open index");
    let mut writer = index.writer().expect("writer");
    let mut generator = Gen {
        rng: ChaCha8Rng::seed_from_u64(2026),
    };
    let started = Instant::now();
    let mut bytes = 0usize;
    for n in 0..n_docs {
        let (d, e) = generator.doc(n);
        bytes += d.title.len() + d.text.len();
        writer.upsert(&d, &e).expect("upsert");
        if (n + 1) % 200_000 == 0 {
            writer.commit().expect("commit");
            eprintln!(
                "  indexed {} docs, {:.0}s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let added = started.elapsed();
    writer.finish().expect("final commit and merges");
    let built = started.elapsed();
    println!(
        "index build: {n_docs} docs, {:.0} bytes/doc, {:.1}s adding + {:.1}s final commit and merges = {:.0} docs/s; {} segments; {:.1} MB on disk",
        bytes as f64 / n_docs.max(1) as f64,
        added.as_secs_f64(),
        (built - added).as_secs_f64(),
        n_docs as f64 / built.as_secs_f64(),
        index.segment_count(),
        dir_size(dir.path()) as f64 / 1e6
    );
    assert_eq!(index.num_docs(), n_docs as u64);

    let kinds = queries();
    for (name, reqs) in &kinds {
        // Warm the page cache and the term dictionaries once, then time 300 searches.
        for r in reqs {
            index.search(r).expect("search");
        }
        let mut times = Vec::new();
        let mut totals = 0u64;
        for i in 0..300 {
            let r = &reqs[i % reqs.len()];
            let t = Instant::now();
            let res = index.search(r).expect("search");
            times.push(t.elapsed());
            totals += res.total;
        }
        times.sort();
        println!(
            "query {name:>15}: p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (mean hits {:.0})",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            percentile(&times, 1.0).as_secs_f64() * 1e3,
            totals as f64 / times.len() as f64
        );
    }

    let mut g = c.benchmark_group("search");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    for (name, reqs) in &kinds {
        let mut i = 0usize;
        g.bench_function(*name, |b| {
            b.iter(|| {
                i += 1;
                index.search(&reqs[i % reqs.len()]).expect("search").total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
