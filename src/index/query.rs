//! Query text preparation before tantivy's parser sees it: field filters, word segmentation and
//! concept expansion.
//!
//! tantivy turns one literal that tokenizes into several terms into a phrase, so an unspaced Chinese
//! query 电动车充电起火 would demand the words side by side. People type Chinese without spaces and
//! mean "all of these words", so runs of Chinese outside quotes are split into jieba words joined by
//! spaces (AND by default). Quoted text stays a phrase, and a run glued to `-`, `+` or `field:` is
//! left alone so the operator still applies to all of it (as a phrase).
//!
//! **Filters.** `category:电动自行车 hazard:火灾 province:浙江省 kind:complaint since:2026-01-01`
//! (also `city:`, `region:`, `source:`, `until:`) are taken out of the text and applied as the
//! API's and CLI's filters are; a category or hazard written as an alias is its canonical name.
//!
//! **Concepts.** An unquoted word the rules know as a category alias or a hazard term (see
//! [`Concepts`]) becomes an OR of every word of its concept, each quoted (a multi-word alias is a
//! phrase): 电瓶车 finds 电动车 and 电动自行车. Text is folded first, so traditional script
//! expands the same way. Quoted phrases and words glued to an operator stay literal.

use std::collections::HashMap;

use chrono::NaiveDate;
use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

use crate::analyze::{Vocabulary, fold};
use crate::model::DocKind;

fn is_cjk_word_char(c: char) -> bool {
    !c.is_ascii() && c.is_alphanumeric()
}

/// Most words one concept expands to (the hazard 火灾 has about 70 terms; the cap bounds the
/// query's size whatever a rule file holds).
const MAX_CONCEPT_WORDS: usize = 120;
/// Most words all expansions of one query add: a query repeating concept words stays a query of
/// bounded size (further words are searched as written).
const MAX_EXPANDED_WORDS: usize = 400;

/// What a query word was expanded to (reported with the results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    /// The word as the query had it (folded).
    pub word: String,
    /// `category` or `hazard`.
    pub kind: String,
    /// The canonical name of the concept.
    pub concept: String,
    /// Every word searched for it.
    pub terms: Vec<String>,
}

/// The rules' categories and hazards, looked up by any of their words (folded).
#[derive(Debug, Default)]
pub struct Concepts {
    /// folded word → (is_hazard, index into the list)
    by_word: HashMap<String, (bool, usize)>,
    vocabulary: Vocabulary,
}

impl Concepts {
    /// Index every word of every concept; where two concepts share a word the earlier one wins
    /// (categories before hazards, each in file order, as the analysis decides).
    pub fn new(vocabulary: &Vocabulary) -> Concepts {
        // folded once by the vocabulary itself (the tokenizer cache keeps it folded)
        let mut folded = vocabulary.folded();
        let mut by_word = HashMap::new();
        for (is_hazard, list) in [(false, &mut folded.categories), (true, &mut folded.hazards)] {
            for (i, c) in list.iter_mut().enumerate() {
                let mut words: Vec<String> = Vec::with_capacity(c.words.len());
                for f in std::mem::take(&mut c.words) {
                    if f.contains(['"', '\\']) || words.contains(&f) {
                        continue;
                    }
                    by_word.entry(f.clone()).or_insert((is_hazard, i));
                    words.push(f);
                }
                words.truncate(MAX_CONCEPT_WORDS);
                c.words = words;
            }
        }
        Concepts {
            by_word,
            vocabulary: folded,
        }
    }

    /// The concept a (folded) word belongs to: (kind, canonical name, words).
    fn lookup(&self, word: &str) -> Option<(&'static str, &str, &[String])> {
        let &(is_hazard, i) = self.by_word.get(word)?;
        let (kind, list) = if is_hazard {
            ("hazard", &self.vocabulary.hazards)
        } else {
            ("category", &self.vocabulary.categories)
        };
        list.get(i)
            .map(|c| (kind, c.name.as_str(), c.words.as_slice()))
    }

    /// The canonical name of a category (or hazard) written as any of its words; the value as is
    /// when the rules do not know it.
    fn canonical(&self, kind: &str, value: &str) -> String {
        match self.lookup(&fold(value).to_lowercase()) {
            Some((k, name, _)) if k == kind => name.to_string(),
            _ => value.to_string(),
        }
    }
}

/// Filters written in the query text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueryFilters {
    pub category: Vec<String>,
    pub hazard: Vec<String>,
    /// Provinces or cities (`province:`, `city:` and `region:` alike).
    pub region: Vec<String>,
    pub kind: Vec<String>,
    pub source: Vec<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// (name, value) as applied, in query order (reported with the results).
    pub applied: Vec<(String, String)>,
}

/// Filter names the query text may carry.
const FILTERS: [&str; 9] = [
    "category", "hazard", "province", "city", "region", "kind", "source", "since", "until",
];

/// A query ready for tantivy's parser.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    pub text: String,
    pub expansions: Vec<Expansion>,
    pub filters: QueryFilters,
}

/// Take the `name:value` filters out of folded query text; `value` may be quoted.
fn take_filters(
    folded: &str,
    concepts: Option<&Concepts>,
) -> Result<(String, QueryFilters), String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut rest = String::with_capacity(folded.len());
    let mut f = QueryFilters::default();
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_token_start = i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(';
        if !in_quote && at_token_start {
            let name = FILTERS.iter().find(|n| {
                let n: Vec<char> = n.chars().collect();
                chars.len() > i + n.len()
                    && chars[i..i + n.len()]
                        .iter()
                        .zip(&n)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
                    && chars[i + n.len()] == ':'
            });
            if let Some(name) = name {
                let mut j = i + name.len() + 1;
                let value: String = if chars.get(j) == Some(&'"') {
                    let start = j + 1;
                    j = start;
                    while j < chars.len() && chars[j] != '"' {
                        j += 1;
                    }
                    let v = chars[start..j.min(chars.len())].iter().collect();
                    j += 1;
                    v
                } else {
                    let start = j;
                    while j < chars.len() && !chars[j].is_whitespace() && chars[j] != ')' {
                        j += 1;
                    }
                    chars[start..j].iter().collect()
                };
                let value = value.trim().to_string();
                if value.is_empty() {
                    return Err(format!("{name}: needs a value ({name}:…)"));
                }
                add_filter(&mut f, name, value, concepts)?;
                i = j;
                continue;
            }
        }
        if c == '"' {
            in_quote = !in_quote;
        }
        rest.push(c);
        i += 1;
    }
    Ok((rest, f))
}

fn add_filter(
    f: &mut QueryFilters,
    name: &str,
    value: String,
    concepts: Option<&Concepts>,
) -> Result<(), String> {
    let date = |v: &str| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| format!("{name}: expected a date YYYY-MM-DD, got {v:?}"))
    };
    let value = match name {
        "category" | "hazard" => concepts.map_or(value.clone(), |c| c.canonical(name, &value)),
        _ => value,
    };
    match name {
        "category" => f.category.push(value.clone()),
        "hazard" => f.hazard.push(value.clone()),
        "province" | "city" | "region" => f.region.push(value.clone()),
        "kind" => {
            if DocKind::parse(&value).is_none() {
                return Err(format!(
                    "kind: expected one of listing, complaint, media, notice, recall, \
                     inspection, standard; got {value:?}"
                ));
            }
            f.kind.push(value.clone())
        }
        "source" => f.source.push(value.clone()),
        "since" => {
            let d = date(&value)?;
            f.since = Some(f.since.map_or(d, |s| s.max(d)));
        }
        _ => {
            let d = date(&value)?;
            f.until = Some(f.until.map_or(d, |u| u.min(d)));
        }
    }
    f.applied.push((name.to_string(), value));
    Ok(())
}

/// Filters out, Chinese segmented, concept words expanded (none when `concepts` is `None`: a
/// literal search).
pub(crate) fn prepare(
    jieba: &Jieba,
    concepts: Option<&Concepts>,
    query: &str,
) -> Result<Prepared, String> {
    let folded = fold(query);
    let (rest, filters) = take_filters(&folded, concepts)?;
    let chars: Vec<char> = rest.chars().collect();
    let mut out = String::with_capacity(rest.len() + 16);
    let mut expansions: Vec<Expansion> = Vec::new();
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            in_quote = !in_quote;
            out.push(c);
            i += 1;
            continue;
        }
        if in_quote || !is_cjk_word_char(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_cjk_word_char(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let glued = start > 0 && matches!(chars[start - 1], '-' | '+' | ':');
        if glued {
            out.push_str(&run);
            continue;
        }
        let words: Vec<String> = jieba
            .cut(&run, true)
            .into_iter()
            .map(|t| expand(t.word, concepts, &mut expansions))
            .collect();
        out.push_str(&words.join(" "));
    }
    let mut listed: Vec<Expansion> = Vec::with_capacity(expansions.len());
    for e in expansions {
        if !listed.iter().any(|l| l.word == e.word) {
            listed.push(e);
        }
    }
    Ok(Prepared {
        text: out,
        expansions: listed,
        filters,
    })
}

/// A word as query text: an OR of its concept's words, or itself.
fn expand(word: &str, concepts: Option<&Concepts>, expansions: &mut Vec<Expansion>) -> String {
    let Some((kind, name, words)) = concepts.and_then(|c| c.lookup(&word.to_lowercase())) else {
        return word.to_string();
    };
    let spent: usize = expansions.iter().map(|e| e.terms.len()).sum();
    if words.len() < 2 || spent + words.len() > MAX_EXPANDED_WORDS {
        return word.to_string();
    }
    // each occurrence counts against the cap; the response lists each word once
    expansions.push(Expansion {
        word: word.to_string(),
        kind: kind.to_string(),
        concept: name.to_string(),
        terms: words.to_vec(),
    });
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    format!("({})", quoted.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Concept;

    fn segment(j: &Jieba, q: &str) -> String {
        prepare(j, None, q).unwrap().text
    }

    fn concepts() -> Concepts {
        let c = |name: &str, words: &[&str]| Concept {
            name: name.into(),
            words: words.iter().map(|w| w.to_string()).collect(),
        };
        Concepts::new(&Vocabulary {
            folded: false,
            categories: vec![c("电动自行车", &["电动自行车", "电动车", "电瓶车"])],
            hazards: vec![c("火灾", &["火灾", "起火", "自燃", "燒焦"])],
        })
    }

    #[test]
    fn splits_unquoted_chinese_and_keeps_phrases() {
        let mut j = Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        assert_eq!(segment(&j, "电动自行车起火"), "电动自行车 起火");
        assert_eq!(segment(&j, "\"电动自行车起火\""), "\"电动自行车起火\"");
        assert_eq!(segment(&j, "-电动自行车起火"), "-电动自行车起火");
        assert_eq!(segment(&j, "電動自行車"), "电动自行车");
        assert_eq!(segment(&j, "title:召回 AND usb"), "title:召回 AND usb");
    }

    #[test]
    fn concept_words_expand_in_either_script_and_quotes_stay_literal() {
        let mut j = Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        j.add_word("电瓶车", Some(20000), None);
        let c = concepts();
        let p = prepare(&j, Some(&c), "電瓶車 起火").unwrap();
        assert_eq!(
            p.text,
            "(\"电动自行车\" OR \"电动车\" OR \"电瓶车\") (\"火灾\" OR \"起火\" OR \"自燃\" OR \"烧焦\")"
        );
        assert_eq!(p.expansions.len(), 2);
        assert_eq!(p.expansions[0].word, "电瓶车");
        assert_eq!(p.expansions[0].concept, "电动自行车");
        assert_eq!(p.expansions[1].kind, "hazard");
        let lit = prepare(&j, Some(&c), "\"电瓶车\" 召回").unwrap();
        assert_eq!(lit.text, "\"电瓶车\" 召回");
        assert!(lit.expansions.is_empty());
        assert_eq!(prepare(&j, None, "电瓶车").unwrap().text, "电瓶车");
        // a query repeating concept words stays bounded: later repeats are searched as written
        let long = "电瓶车 ".repeat(200);
        let p = prepare(&j, Some(&c), &long).unwrap();
        assert_eq!(p.expansions.len(), 1);
        assert_eq!(p.text.matches(" OR ").count(), 2 * (MAX_EXPANDED_WORDS / 3));
    }

    #[test]
    fn field_filters_come_out_of_the_text() {
        let j = Jieba::new();
        let c = concepts();
        let p = prepare(
            &j,
            Some(&c),
            "category:电瓶车 召回 hazard:\"火灾\" province:浙江省 kind:complaint since:2026-01-01 until:2026-02-01",
        )
        .unwrap();
        assert_eq!(p.text.trim(), "召回");
        assert_eq!(p.filters.category, ["电动自行车"]);
        assert_eq!(p.filters.hazard, ["火灾"]);
        assert_eq!(p.filters.region, ["浙江省"]);
        assert_eq!(p.filters.kind, ["complaint"]);
        assert_eq!(p.filters.since, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(p.filters.until, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(p.filters.applied.len(), 6);
        assert!(prepare(&j, None, "kind:rumour").is_err());
        assert!(prepare(&j, None, "since:yesterday").is_err());
        assert!(prepare(&j, None, "category: x").is_err());
        // a filter name inside a phrase or a word is text
        assert_eq!(prepare(&j, None, "\"kind:x\"").unwrap().text, "\"kind:x\"");
        assert_eq!(prepare(&j, None, "mykind:x").unwrap().text, "mykind:x");
    }
}
