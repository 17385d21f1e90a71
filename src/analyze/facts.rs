//! Facts a monitor copies out of a text beside its parties: model numbers (KT-1705型), batch numbers
//! (批次号20240311), standard numbers with whether they are mandatory (GB …) or recommended (GB/T …),
//! and counts (召回 233 辆, 2 人受伤, 抽查 60 批次). Read from folded text (traditional → simplified,
//! full-width → ASCII) by fixed patterns; analyze → `jiance extract` output.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::fold;

/// A standard number and its kind: GB (mandatory) or GB/T, GB/Z, industry /T, DB../T (recommended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardRef {
    pub number: String,
    pub mandatory: bool,
}

/// One count: what was counted (召回, 受伤, 死亡, 抽查, 不合格 …), how many, in which unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub what: String,
    pub value: u64,
    pub unit: String,
    /// As written.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub models: Vec<String>,
    pub batches: Vec<String>,
    pub standards: Vec<StandardRef>,
    pub counts: Vec<Count>,
}

struct Patterns {
    model: Regex,
    model_after: Regex,
    batch: Regex,
    recall: Regex,
    people: Regex,
    sampled: Regex,
    failed: Regex,
}

/// Words each pattern cannot match without, and characters no match of it can contain. A pattern
/// runs only over the stretches of text between its characters that hold one of its words: most
/// clauses name no model, batch or count, and a regex pass over the whole text costs more than a
/// search for a word. Checked by `prefilter_changes_no_result`.
const NEEDS: [(&str, &[&str], &[char]); 7] = [
    ("model", &["型号"], &['，', '。', '；', ';']),
    ("model_after", &["型"], &['，', '。', '；', ';', '、']),
    ("batch", &["批"], &['，', '。', '；', ';']),
    ("recall", &["召回"], &['。', '；', ';']),
    (
        "people",
        &["伤", "死亡", "遇难", "身亡", "中毒", "送医"],
        &['，', '。', '；', ';', '、'],
    ),
    ("sampled", &["抽查"], &['，', '。', '；', ';']),
    ("failed", &["不合格"], &['，', '。', '；', ';']),
];

/// The parts of `full` that pattern `name` runs over (the whole text without the prefilter).
fn parts<'t>(full: &'t str, name: &str, prefilter: bool) -> Vec<&'t str> {
    let Some((_, words, stops)) = NEEDS.iter().find(|(p, ..)| *p == name) else {
        return vec![full];
    };
    if !prefilter {
        return vec![full];
    }
    if !words.iter().any(|w| full.contains(w)) {
        return Vec::new();
    }
    full.split(*stops)
        .filter(|part| words.iter().any(|w| part.contains(w)))
        .collect()
}

const UNITS: &str = "辆|台|个|件|套|只|条|张|口|部|块|双|顶|箱|瓶|盒|组|把|支|片|米|吨|批次";

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(|| {
        let num = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(万|千)?";
        Some(Patterns {
            // "型号为YL-22", "型号：PB-20A", "涉及型号YL-22"
            model: Regex::new(r"型号\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-_/.+]{1,24})").ok()?,
            // "KT-1705型电热水壶", "PB-20A型号"
            model_after: Regex::new(r"([A-Za-z]{1,6}[-_]?[A-Za-z0-9]*\d[A-Za-z0-9\-_/.+]*)\s*型").ok()?,
            // "批次号20240311至20240420", "生产批号:B2403-11"
            batch: Regex::new(
                r"(?:批次号|批号|生产批次|批次编号)\s*(?:为|是|:)?\s*([A-Za-z0-9][A-Za-z0-9\-/]{3,24}(?:\s*(?:至|到|-|~)\s*[A-Za-z0-9][A-Za-z0-9\-/]{3,24})?)",
            )
            .ok()?,
            recall: Regex::new(&format!(r"召回[^。；;]{{0,60}}?{num}\s*({UNITS})")).ok()?,
            people: Regex::new(&format!(
                r"{num}\s*(?:名|人|位|个)[^，。；;、\d]{{0,8}}?(受伤|死亡|遇难|身亡|中毒|烧伤|烫伤|轻伤|重伤|送医)"
            ))
            .ok()?,
            sampled: Regex::new(&format!(r"抽查(?:了)?[^，。；;]{{0,30}}?{num}\s*(批次)")).ok()?,
            failed: Regex::new(&format!(r"{num}\s*(批次)(?:产品)?不合格")).ok()?,
        })
    })
    .as_ref()
}

/// A number as written (digits or Chinese numerals up to the thousands), times 万 / 千.
fn number(n: &str, mult: Option<&str>) -> Option<u64> {
    let base: f64 = if n.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        n.parse().ok()?
    } else {
        let mut total = 0u64;
        let mut cur = 0u64;
        for c in n.chars() {
            let d = match c {
                '一' => 1,
                '二' | '两' => 2,
                '三' => 3,
                '四' => 4,
                '五' => 5,
                '六' => 6,
                '七' => 7,
                '八' => 8,
                '九' => 9,
                '十' | '百' | '千' => {
                    let unit = match c {
                        '十' => 10,
                        '百' => 100,
                        _ => 1000,
                    };
                    total += cur.max(1) * unit;
                    cur = 0;
                    continue;
                }
                _ => return None,
            };
            cur = d;
        }
        (total + cur) as f64
    };
    let m = match mult {
        Some("万") => 10_000.0,
        Some("千") => 1_000.0,
        _ => 1.0,
    };
    let v = base * m;
    (v.is_finite() && (0.0..1e15).contains(&v)).then_some(v.round() as u64)
}

/// Facts of a document's title and text; `standards` are the analyzer's standard numbers
/// ([`crate::model::Extraction::standards`]).
pub fn facts(title: &str, text: &str, standards: &[String]) -> Facts {
    facts_with(title, text, standards, true)
}

/// [`facts`], with or without the word prefilter ([`NEEDS`]); without it only for the test that
/// shows it changes nothing.
fn facts_with(title: &str, text: &str, standards: &[String], prefilter: bool) -> Facts {
    let mut f = Facts {
        standards: standards
            .iter()
            .map(|s| StandardRef {
                number: s.clone(),
                mandatory: super::standard_is_mandatory(s),
            })
            .collect(),
        ..Facts::default()
    };
    let Some(p) = patterns() else {
        return f;
    };
    let full = format!("{}\n{}", fold(title), fold(text));
    let push = |v: &mut Vec<String>, s: &str| {
        let s = s.trim_end_matches(['-', '.', '/']);
        if s.chars().count() >= 2 && !v.iter().any(|x| x == s) {
            v.push(s.to_string());
        }
    };
    // each pattern over the parts of the text it can match in (see NEEDS)
    let caps = |name: &str, re: &'static Regex| {
        parts(&full, name, prefilter)
            .into_iter()
            .flat_map(move |part| re.captures_iter(part))
    };
    for c in caps("model", &p.model).chain(caps("model_after", &p.model_after)) {
        if let Some(m) = c.get(1) {
            push(&mut f.models, m.as_str());
        }
    }
    for c in caps("batch", &p.batch) {
        if let Some(m) = c.get(1) {
            push(&mut f.batches, m.as_str());
        }
    }
    let mut count = |name: &str, re: &'static Regex, what: Option<&str>| {
        for c in caps(name, re) {
            let (Some(all), Some(n)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let Some(value) = number(n.as_str(), c.get(2).map(|m| m.as_str())) else {
                continue;
            };
            let Some(unit_or_what) = c.get(3) else {
                continue;
            };
            let (what, unit) = match what {
                Some(w) => (w.to_string(), unit_or_what.as_str().to_string()),
                None => (unit_or_what.as_str().to_string(), "人".to_string()),
            };
            let text = all.as_str();
            // a count's text starts at its number when a verb leads the match
            let text = text
                .find(n.as_str())
                .filter(|_| what == "召回" || what == "抽查")
                .map_or(text, |i| &text[i..]);
            let c = Count {
                what,
                value,
                unit,
                text: text.to_string(),
            };
            if !f.counts.contains(&c) {
                f.counts.push(c);
            }
        }
    };
    count("recall", &p.recall, Some("召回"));
    count("people", &p.people, None);
    count("sampled", &p.sampled, Some("抽查"));
    count("failed", &p.failed, Some("不合格"));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(f: &'a Facts, what: &str) -> Option<&'a Count> {
        f.counts.iter().find(|c| c.what == what)
    }

    /// The word prefilter only skips patterns that would find nothing: every text of the labelled
    /// evaluation set (and the fixtures below) gives the same facts with and without it.
    #[test]
    fn prefilter_changes_no_result() {
        let mut texts: Vec<(String, String)> = include_str!("../../tests/eval/labelled.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                (
                    v["title"].as_str().unwrap_or("").to_string(),
                    v["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert!(texts.len() >= 200);
        for t in [
            "涉及型号为YL-22的电暖器，批次号20240311至20240420，共召回1.2万台",
            "KT-1705型电热水壶；事故造成两人受伤、1名儿童烫伤送医",
            "本次抽查了60批次产品，其中3批次不合格",
        ] {
            texts.push((String::new(), t.to_string()));
        }
        let mut found = 0;
        for (title, text) in &texts {
            let with = facts_with(title, text, &[], true);
            assert_eq!(with, facts_with(title, text, &[], false), "{title} {text}");
            found += with.counts.len() + with.models.len() + with.batches.len();
        }
        // the comparison covered texts with something to find
        assert!(found >= 20, "{found}");
    }

    #[test]
    fn models_batches_and_counts() {
        let f = facts(
            "某电器有限公司召回部分电热水壶",
            "自即日起召回2023年5月至2024年2月生产的KT-1705型电热水壶，共计8640台，涉及批次号20240311至20240420。",
            &[],
        );
        assert_eq!(f.models, ["KT-1705"]);
        assert_eq!(f.batches, ["20240311至20240420"]);
        let r = find(&f, "召回").expect("recall count");
        assert_eq!((r.value, r.unit.as_str()), (8640, "台"));
        let g = facts(
            "",
            "决定召回部分进口X5系列汽车，共计233辆。召回1.2万辆纯电动汽车。",
            &[],
        );
        let recalls: Vec<u64> = g
            .counts
            .iter()
            .filter(|c| c.what == "召回")
            .map(|c| c.value)
            .collect();
        assert_eq!(recalls, [233, 12000]);
    }

    #[test]
    fn people_and_batches_counted_in_digits_or_words() {
        let f = facts(
            "",
            "火灾造成1人死亡、2人受伤。两名厨工面部被烧伤。抽查60家企业生产的60批次产品，发现8批次产品不合格。",
            &[],
        );
        assert_eq!(find(&f, "死亡").map(|c| c.value), Some(1));
        assert_eq!(find(&f, "受伤").map(|c| c.value), Some(2));
        assert_eq!(find(&f, "烧伤").map(|c| c.value), Some(2));
        assert_eq!(find(&f, "抽查").map(|c| c.value), Some(60));
        assert_eq!(find(&f, "不合格").map(|c| c.value), Some(8));
        assert_eq!(number("十二", None), Some(12));
        assert_eq!(number("三百", None), Some(300));
        assert_eq!(number("x", None), None);
    }

    #[test]
    fn standards_say_mandatory_or_recommended_and_traditional_text_is_read() {
        let f = facts(
            "",
            "召回型號為PB-20A的行動電源，共計3500個。",
            &["GB 17761-2024".into(), "GB/T 22760-2020".into()],
        );
        assert_eq!(
            f.standards,
            [
                StandardRef {
                    number: "GB 17761-2024".into(),
                    mandatory: true
                },
                StandardRef {
                    number: "GB/T 22760-2020".into(),
                    mandatory: false
                }
            ]
        );
        assert_eq!(f.models, ["PB-20A"]);
        assert_eq!(find(&f, "召回").map(|c| c.value), Some(3500));
    }

    #[test]
    fn nothing_to_find_is_empty_and_odd_input_does_not_panic() {
        assert_eq!(facts("", "楼道里很安静。", &[]), Facts::default());
        let odd = "型号".repeat(50) + &"召回".repeat(50) + &"9".repeat(40) + "万辆";
        let _ = facts(&odd, &odd, &[]);
    }
}
