//! Inspection results as records (issue 47): an inspection or sampling notice read as the numbers
//! a risk list is made of — a record per product with batches sampled and failed, the failed
//! items mapped to hazards by the clause tables the findings use, the enterprises and brands named
//! as failing with their places, the issuing regulator and the date.
//!
//! Three ways in, the first that gives records wins: the notice's table rows (its page's or its
//! attachments', `field::FROM`), a table written into its text (cells between `|`, read by the
//! parser's column names), and its sentences. A sentence's counts ("抽查20批次", "不合格3批次",
//! "合格45批次") are read clause by clause; each count belongs to the product named before it in
//! its clause ("电热毯20批次"), right after it ("145批次保温杯"), or earlier in its sentence, else
//! to the notice as a whole. A number the notice does not state stays `None`: only the
//! arithmetic of stated numbers fills one (sampled − passed; a notice that found nothing failed).
//! The counting words are grammar, like `facts.rs`'s patterns; products, items, hazards and
//! regulators come from the rules.

use super::*;
use crate::model::{
    FailedItem, FailingParty, InspectionRecord, RecordFrom, inspection_keys as keys,
};

/// Words before a count that say it counts what was sampled.
const SAMPLED_CUES: [&str; 19] = [
    "抽查",
    "抽检",
    "抽取",
    "抽到",
    "抽样",
    "抽验",
    "抽测",
    "采集",
    "采样",
    "检验了",
    "检测了",
    "共",
    "涉及",
    "购买",
    "选取",
    "比对",
    "监测",
    "受检",
    "实际",
];
/// Failure wording right after a count (past filler) or right before it.
const FAILED_WORDS: [&str; 6] = ["不合格", "不符合", "不达标", "未通过", "不合规", "未符合"];
/// What may stand between a count and the failure or pass wording about it.
const FILLER: [&str; 15] = [
    "产品",
    "样品",
    "商品",
    "问题",
    "的",
    "有",
    "为",
    "共",
    "计",
    "均",
    "全部",
    "被判定为",
    "经检验",
    "检出",
    "被检出",
];
/// Words that make a count no result: a plan, or batches handed to enforcement.
const NOT_RESULT: [&str; 4] = ["计划", "涉嫌", "移送", "另外"];
/// Words that never make a product more particular (不合格 手提式灭火器, 流通市场 灭火器).
const NOT_PRODUCT: [&str; 9] = [
    "合格", "市场", "领域", "流通", "生产", "销售", "全省", "全市", "本市",
];
/// Wording that says nothing failed.
const NONE_FAILED: [&str; 6] = [
    "未发现不合格",
    "未检出不合格",
    "全部合格",
    "均合格",
    "均符合",
    "全部符合",
];
/// Labels of a failed-items list in a sentence.
const ITEM_LABELS: [&str; 4] = ["不合格项目", "不合格检验项目", "不符合项目", "主要问题"];

/// What the analysis found that records are read from.
pub(super) struct RecordInput<'a> {
    pub(super) p: &'a Prepared<'a>,
    pub(super) t: &'a Tokens<'a>,
    pub(super) hz: &'a [HazM],
    pub(super) prod: &'a Products,
    pub(super) categories: &'a [usize],
    pub(super) parties: &'a Parties,
    pub(super) regions: &'a [RegionMention],
    /// The notice speaks of failed batches (its table is then the failed-products table).
    pub(super) failure_count: bool,
}

/// One count of batches in the text: its value, where it is and what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Sampled,
    Failed,
    Passed,
    /// All of the count's batches failed ("13个批次调压器全部不合格").
    AllFailed,
    /// All of them passed.
    AllPassed,
    /// The notice found nothing failed ("未发现不合格"), no count given.
    NoneFailed,
}

/// A record being read from the text: its product key and what was stated.
#[derive(Debug, Clone, Default)]
struct Tally {
    cat: Option<usize>,
    product: Option<String>,
    sampled: Option<u64>,
    failed: Option<u64>,
    passed: Option<u64>,
    /// Byte spans of the sentences it was read from.
    sents: Vec<usize>,
}

impl Tally {
    fn set(&mut self, role: Role, n: u64) {
        let first = |slot: &mut Option<u64>| {
            if slot.is_none() {
                *slot = Some(n);
            }
        };
        match role {
            Role::Sampled => first(&mut self.sampled),
            Role::Failed => first(&mut self.failed),
            Role::Passed => first(&mut self.passed),
            Role::AllFailed => {
                first(&mut self.sampled);
                first(&mut self.failed);
            }
            Role::AllPassed => {
                first(&mut self.sampled);
                if self.failed.is_none() {
                    self.failed = Some(0);
                }
            }
            Role::NoneFailed => {
                if self.failed.is_none() {
                    self.failed = Some(0);
                }
            }
        }
    }

    fn stated(&self) -> bool {
        self.sampled.is_some() || self.failed.is_some() || self.passed.is_some()
    }

    /// The arithmetic of stated numbers: failed = sampled − passed, sampled = passed + failed.
    fn complete(&mut self) {
        match (self.sampled, self.failed, self.passed) {
            (Some(s), None, Some(p)) if p <= s => self.failed = Some(s - p),
            (None, Some(f), Some(p)) => self.sampled = Some(p + f),
            _ => {}
        }
    }
}

impl Analyzer {
    /// The records of an inspection notice (none for other kinds).
    pub(super) fn inspections(&self, inp: &RecordInput) -> Vec<InspectionRecord> {
        let p = inp.p;
        if p.kind != DocKind::Inspection {
            return Vec::new();
        }
        let top = inp.categories.first().copied();
        let mut records = self.row_records(&p.doc.rows, inp, top);
        if records.is_empty() {
            let rows = text_table_rows(&p.orig);
            records = self.row_records(&rows, inp, top);
            for r in &mut records {
                r.from = RecordFrom::Table;
            }
        }
        let text = self.text_records(inp, top);
        if records.is_empty() {
            records = text;
        } else {
            fill_from_text(&mut records, &text);
        }
        let regulator = self.regulator(inp);
        let date = p.doc.published_at.map(crate::model::china_day);
        for r in &mut records {
            r.regulator.clone_from(&regulator);
            r.date = date;
        }
        records
    }

    /// Records from table rows: a summary row (产品 / 抽查批次 / 不合格批次) is a record of its
    /// own; rows of a failed-products list are counted per product, one failed batch a row.
    fn row_records(
        &self,
        rows: &[BTreeMap<String, String>],
        inp: &RecordInput,
        top: Option<usize>,
    ) -> Vec<InspectionRecord> {
        let mut out: Vec<InspectionRecord> = Vec::new();
        let title_cat = inp.prod.title_cat;
        let with_result = rows.iter().any(|r| r.contains_key(field::RESULT));
        for row in rows {
            let number = |k: &str| row.get(k).and_then(|v| read_number(v.trim()));
            let summary = row.contains_key(keys::SAMPLED) || row.contains_key(keys::FAILED);
            let category = self.row_category(row, top, title_cat);
            let product = row
                .get(field::PRODUCT)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            let from = if row.contains_key(field::FROM) {
                RecordFrom::Attachment
            } else {
                RecordFrom::Table
            };
            let items = self.row_items(row, category);
            let parties = self.row_parties(row);
            if summary {
                let mut t = Tally {
                    sampled: number(keys::SAMPLED),
                    failed: number(keys::FAILED),
                    passed: number(keys::PASSED),
                    ..Tally::default()
                };
                t.complete();
                out.push(InspectionRecord {
                    category: category.map(|c| self.categories[c].name.clone()),
                    product,
                    sampled: t.sampled,
                    failed: t.failed,
                    failed_items: items,
                    parties,
                    regulator: None,
                    date: None,
                    from,
                });
                continue;
            }
            let failed = row_failed(row, inp.failure_count);
            let name = category.map(|c| self.categories[c].name.clone());
            let at = match out.iter().position(|r| r.category == name) {
                Some(i) => i,
                None => {
                    out.push(InspectionRecord {
                        category: name,
                        product,
                        // a table of every result counts what was sampled; a list of the
                        // failed ones does not
                        sampled: with_result.then_some(0),
                        failed: Some(0),
                        failed_items: Vec::new(),
                        parties: Vec::new(),
                        regulator: None,
                        date: None,
                        from,
                    });
                    out.len() - 1
                }
            };
            let r = &mut out[at];
            if let Some(s) = r.sampled.as_mut() {
                *s += 1;
            }
            if failed {
                if let Some(f) = r.failed.as_mut() {
                    *f += 1;
                }
                for i in items {
                    if !r.failed_items.contains(&i) {
                        r.failed_items.push(i);
                    }
                }
                for party in parties {
                    if !r.parties.contains(&party) {
                        r.parties.push(party);
                    }
                }
            }
        }
        out
    }

    /// A row's category by the findings' own reading of a row.
    fn row_category(
        &self,
        row: &BTreeMap<String, String>,
        top: Option<usize>,
        title_cat: Option<usize>,
    ) -> Option<usize> {
        let mut probe = BTreeMap::new();
        if let Some(p) = row.get(field::PRODUCT) {
            probe.insert(field::PRODUCT.to_string(), p.clone());
        }
        let f = self.row_findings(&probe, top, &(None, None), &title_cat);
        let name = &f.first()?.category;
        self.categories.iter().position(|c| &c.name == name)
    }

    /// The failed items of a row, each with the hazard the clause tables give it for the row's
    /// product (read one item at a time, as a one-item row).
    fn row_items(
        &self,
        row: &BTreeMap<String, String>,
        category: Option<usize>,
    ) -> Vec<FailedItem> {
        let Some(items) = row.get(field::ITEMS) else {
            return Vec::new();
        };
        self.map_items(&split_items(items), category)
    }

    /// Items as written to their hazards for a product: one item per one-item row, so each gets
    /// the hazards `row_findings` reads from an items column.
    fn map_items(&self, items: &[String], category: Option<usize>) -> Vec<FailedItem> {
        let mut out: Vec<FailedItem> = Vec::new();
        let Some(cat) = category.or(Some(self.unclassified)) else {
            return out;
        };
        for item in items {
            let mut probe = BTreeMap::new();
            probe.insert(field::ITEMS.to_string(), item.clone());
            for f in self.row_findings(&probe, Some(cat), &(None, None), &None) {
                let fi = FailedItem {
                    item: item.clone(),
                    hazard: f.hazard,
                };
                if !out.contains(&fi) {
                    out.push(fi);
                }
            }
        }
        out
    }

    /// The enterprise and brand of a row, the enterprise placed by the row's place column or the
    /// place in its name.
    fn row_parties(&self, row: &BTreeMap<String, String>) -> Vec<FailingParty> {
        let get = |k: &str| row.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let mut out = Vec::new();
        if let Some(e) = get(field::ENTERPRISE) {
            let place = get(field::PROVINCE)
                .and_then(|p| self.resolve_text(p))
                .or_else(|| self.resolve_text(e));
            out.push(FailingParty {
                name: e.to_string(),
                role: "enterprise".into(),
                province: place.as_ref().map(|r| r.province.clone()),
                city: place.and_then(|r| r.city),
            });
        }
        if let Some(b) = get(field::BRAND) {
            out.push(FailingParty {
                name: b.to_string(),
                role: "brand".into(),
                province: None,
                city: None,
            });
        }
        out
    }

    /// Records from the notice's sentences.
    fn text_records(&self, inp: &RecordInput, top: Option<usize>) -> Vec<InspectionRecord> {
        let (p, t) = (inp.p, inp.t);
        let text = p.orig.as_str();
        // product mentions as byte spans, with the product as written
        let mentions: Vec<(usize, usize, usize, String)> = inp
            .prod
            .cats
            .iter()
            .filter(|m| !self.out_of_scope(m.c))
            .filter_map(|m| {
                let s = t.toks.get(m.tok)?.s;
                let e = t.toks.get(m.end.checked_sub(1)?)?.e;
                let start = self.noun_start(t, m.tok, s);
                Some((start, e, m.c, text.get(start..e)?.to_string()))
            })
            .collect();
        let mut tallies: Vec<Tally> = vec![Tally::default()];
        let mut none_failed_notice = false;
        let mut carried_sentence: Option<usize> = None;
        for (si, (ss, se)) in sentences(text).into_iter().enumerate() {
            let sentence = &text[ss..se];
            let mut current: Option<usize> = None;
            // a sentence that is only a product's name heads the ones after it; one that opens
            // with 其中 goes on with the product before it
            if sentence.trim_start().starts_with("其中") {
                current = carried_sentence;
            }
            let mut any_count = false;
            for (cs, ce) in clauses(sentence) {
                let (cs, ce) = (ss + cs, ss + ce);
                let clause = &text[cs..ce];
                let in_clause: Vec<&(usize, usize, usize, String)> =
                    mentions.iter().filter(|m| m.0 >= cs && m.1 <= ce).collect();
                let counts = counts_in(clause);
                if counts.is_empty() {
                    // a clause naming one product (not a list) is what the next counts count
                    let cats: Vec<usize> = distinct(in_clause.iter().map(|m| m.2));
                    if cats.len() == 1 && !clause.contains('、') {
                        let m = in_clause[0];
                        current = Some(tally_for(&mut tallies, m.2, &m.3));
                    }
                    if NONE_FAILED.iter().any(|w| clause.contains(w)) {
                        match current {
                            Some(i) => tallies[i].set(Role::NoneFailed, 0),
                            None => none_failed_notice = true,
                        }
                    }
                    continue;
                }
                let mut prev_end = 0;
                for (k, c) in counts.iter().enumerate() {
                    let next = counts.get(k + 1).map_or(clause.len(), |n| n.start);
                    let pre = &clause[prev_end..c.start];
                    let post = &clause[c.end..next];
                    let stretch = cs + prev_end;
                    prev_end = c.end;
                    // the product: named before the count in its stretch, right after it, or
                    // the one the sentence is about
                    let before: Vec<&&(usize, usize, usize, String)> = in_clause
                        .iter()
                        .filter(|m| m.0 >= stretch && m.1 <= cs + c.start)
                        .collect();
                    let after = in_clause.iter().find(|m| {
                        m.0 >= cs + c.end
                            && m.0 <= cs + c.end + 12
                            && m.1 <= cs + next
                            && !text[cs + c.end..m.0].contains('、')
                            && !text[m.1..cs + next].starts_with(['、', '和', '及'])
                    });
                    let cats = distinct(before.iter().map(|m| m.2));
                    let owner = if cats.len() > 1 {
                        // a list of products before one count: the count is the notice's
                        Some(0)
                    } else if let Some(m) = before.last() {
                        Some(tally_for(&mut tallies, m.2, &m.3))
                    } else {
                        after.map(|m| tally_for(&mut tallies, m.2, &m.3))
                    };
                    let post_rest = match after {
                        Some(m) => text.get(m.1..cs + next).unwrap_or(""),
                        None => post,
                    };
                    let Some(role) = role_of(pre, post, post_rest, !before.is_empty()) else {
                        if let Some(o) = owner.filter(|&o| o != 0) {
                            current = Some(o);
                        }
                        continue;
                    };
                    let at = owner.or(current).unwrap_or(0);
                    tallies[at].set(role, c.value);
                    if !tallies[at].sents.contains(&si) {
                        tallies[at].sents.push(si);
                    }
                    any_count = true;
                    if at != 0 {
                        current = Some(at);
                    }
                }
            }
            carried_sentence = current.or(carried_sentence.filter(|_| !any_count));
            let heading = mentions
                .iter()
                .any(|m| m.0 <= ss + 3 && m.1 + 4 >= se && m.0 >= ss);
            if heading && let Some(m) = mentions.iter().find(|m| m.0 >= ss && m.1 <= se) {
                carried_sentence = Some(tally_for(&mut tallies, m.2, &m.3));
            }
        }
        if none_failed_notice {
            for tl in &mut tallies {
                if tl.failed.is_none() {
                    tl.failed = Some(0);
                }
            }
        }
        for tl in &mut tallies {
            tl.complete();
        }
        self.finish_text_records(inp, tallies, top)
    }

    /// Where a product as written starts: the mention, or the words before it in its clause that
    /// make it more particular (手提式干粉 灭火器), never a number, place or grammar word.
    fn noun_start(&self, t: &Tokens, tok: usize, s: usize) -> usize {
        let mut start = s;
        let clause = t.toks[tok].clause;
        for k in (tok.saturating_sub(2)..tok).rev() {
            let (Some(w), Some(tk)) = (t.words.get(k), t.toks.get(k)) else {
                break;
            };
            let n = w.chars().count();
            let han = w.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            let grammar = w.chars().any(|c| decide::NOT_NOUN_CHARS.contains(c))
                || SAMPLED_CUES.iter().any(|q| w.contains(q))
                || NOT_PRODUCT.iter().any(|q| w.contains(q))
                || self
                    .matcher
                    .get(*w)
                    .is_some_and(|v| v.iter().any(|(_, tg)| !matches!(tg, Target::Category(_))));
            if tk.clause != clause || !han || !(2..=3).contains(&n) || grammar {
                break;
            }
            start = tk.s;
        }
        start
    }

    /// Tallies to records: the notice's own tally takes the notice's only product when no
    /// product has a tally of its own; items and parties are added.
    fn finish_text_records(
        &self,
        inp: &RecordInput,
        mut tallies: Vec<Tally>,
        top: Option<usize>,
    ) -> Vec<InspectionRecord> {
        // one product counted and the notice's totals beside it, the notice naming no other
        // product: the totals are that product's
        let counted: Vec<usize> = (1..tallies.len())
            .filter(|&i| tallies[i].stated())
            .collect();
        if let [i] = counted[..]
            && inp.categories.len() == 1
        {
            let notice = std::mem::take(&mut tallies[0]);
            let tl = &mut tallies[i];
            tl.sampled = tl.sampled.or(notice.sampled);
            tl.failed = tl.failed.or(notice.failed);
            tl.passed = tl.passed.or(notice.passed);
            tl.complete();
        }
        let products_stated = tallies.iter().skip(1).any(Tally::stated);
        let only = match inp.categories {
            [c] => Some(*c),
            _ => None,
        };
        if !products_stated && let Some(c) = only.or(inp.prod.title_cat) {
            tallies[0].cat = Some(c);
        }
        let notice_stated = tallies[0].stated();
        let keep: Vec<Tally> = tallies
            .into_iter()
            .enumerate()
            .filter(|(i, tl)| tl.stated() || (*i == 0 && !products_stated && !notice_stated))
            .map(|(_, tl)| tl)
            .collect();
        let n = keep.len();
        let listed = self.listed_items(inp.p);
        keep.into_iter()
            .map(|tl| {
                let cat = tl.cat.or(if n == 1 { top } else { None });
                let mut items = self.map_items(&listed, cat);
                for m in inp
                    .hz
                    .iter()
                    .filter(|m| !m.negated && !m.hypothetical && !m.strong)
                {
                    let belongs =
                        n == 1 || cat.is_some_and(|c| m.category == Some(c) || m.also.contains(&c));
                    let fi = FailedItem {
                        item: m.term.clone(),
                        hazard: self.hazards[m.h].name.clone(),
                    };
                    if belongs && !items.iter().any(|i| i.item == fi.item) {
                        items.push(fi);
                    }
                }
                if tl.failed == Some(0) {
                    items.clear();
                }
                let parties = if tl.failed.is_some_and(|f| f > 0) || (tl.failed.is_none() && n == 1)
                {
                    self.failing_parties(inp, if n == 1 { None } else { tl.cat })
                } else {
                    Vec::new()
                };
                InspectionRecord {
                    category: tl.cat.map(|c| self.categories[c].name.clone()),
                    product: tl.product,
                    sampled: tl.sampled,
                    failed: tl.failed,
                    failed_items: items,
                    parties,
                    regulator: None,
                    date: None,
                    from: RecordFrom::Text,
                }
            })
            .collect()
    }

    /// The items a sentence lists as failed ("不合格项目为A、B、C").
    fn listed_items(&self, p: &Prepared) -> Vec<String> {
        let text = p.orig.as_str();
        let mut out: Vec<String> = Vec::new();
        for label in ITEM_LABELS {
            let mut from = 0;
            while let Some(i) = text.get(from..).and_then(|s| s.find(label)) {
                let start = from + i + label.len();
                let rest = &text[start..];
                let rest = rest.trim_start_matches(['为', '有', '是', ':', '：', ' ']);
                let rest = rest
                    .strip_prefix("涉及")
                    .or_else(|| rest.strip_prefix("主要是"))
                    .or_else(|| rest.strip_prefix("主要为"))
                    .unwrap_or(rest);
                let end = rest.find(['。', ';', '；', '\n']).unwrap_or(rest.len());
                for item in split_items(&rest[..end]) {
                    if !out.contains(&item) {
                        out.push(item);
                    }
                }
                from = start;
            }
        }
        out
    }

    /// The enterprises and brands a notice names in or next to a sentence of failure, each with
    /// the place inside its name; with `cat`, only those in a sentence naming that product.
    fn failing_parties(&self, inp: &RecordInput, cat: Option<usize>) -> Vec<FailingParty> {
        let (p, t) = (inp.p, inp.t);
        let text = p.orig.as_str();
        let sents = sentences(text);
        let failing = |i: usize| {
            let near = |k: usize| {
                sents
                    .get(k)
                    .is_some_and(|&(s, e)| FAILED_WORDS.iter().any(|w| text[s..e].contains(w)))
            };
            near(i) || near(i + 1) || i.checked_sub(1).is_some_and(near)
        };
        let names_cat = |i: usize| {
            cat.is_none_or(|c| {
                sents.get(i).is_some_and(|&(s, e)| {
                    inp.prod.cats.iter().any(|m| {
                        m.c == c && t.toks.get(m.tok).is_some_and(|tk| tk.s >= s && tk.s < e)
                    })
                })
            })
        };
        let mut out = Vec::new();
        let lists = [
            ("enterprise", &inp.parties.enterprises),
            ("brand", &inp.parties.brands),
        ];
        for (role, names) in lists {
            for name in names {
                let Some(at) = text.find(name.as_str()) else {
                    continue;
                };
                let Some(si) = sents.iter().position(|&(s, e)| at >= s && at < e) else {
                    continue;
                };
                if !failing(si) || !names_cat(si) {
                    continue;
                }
                let place = (role == "enterprise")
                    .then(|| company_place(name, inp.regions))
                    .flatten();
                out.push(FailingParty {
                    name: name.clone(),
                    role: role.into(),
                    province: place.as_ref().map(|r| r.province.clone()),
                    city: place.and_then(|r| r.city.clone()),
                });
            }
        }
        out
    }

    /// The regulator that issued the notice: a national one the rules name, or a place and a
    /// regulator's ending (cues.toml `[publisher]`), whichever the text names first.
    fn regulator(&self, inp: &RecordInput) -> Option<String> {
        let (p, t) = (inp.p, inp.t);
        let national = t.ms.iter().find_map(|m| match m.target {
            Target::NationPublisher => {
                let s = t.toks.get(m.a)?.s;
                let e = t.toks.get(m.b.checked_sub(1)?)?.e;
                Some((s, p.orig.get(s..e)?.to_string()))
            }
            _ => None,
        });
        let local = inp
            .regions
            .iter()
            .filter(|r| r.role == RegionRole::Publisher && !r.text.is_empty())
            .find_map(|r| {
                let mut from = 0;
                while let Some(i) = p.full.get(from..)?.find(r.text.as_str()) {
                    let at = from + i;
                    let after = at + r.text.len();
                    let rest = p.full.get(after..)?;
                    let rest_owned = rest.trim_start_matches(['市', '省']);
                    let glue = rest.len() - rest_owned.len();
                    if let Some(sfx) = self.publisher_suffixes.iter().find(|s| {
                        rest_owned.starts_with(s.as_str()) && s.ends_with(['局', '会', '委'])
                    }) {
                        let end = after + glue + sfx.len();
                        return Some((at, p.orig.get(at..end)?.to_string()));
                    }
                    from = after;
                }
                None
            });
        match (national, local) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
            (a, b) => a.or(b).map(|x| x.1),
        }
    }
}

/// The most precise place written inside a company's name (a `Company` region the name holds).
fn company_place<'r>(name: &str, regions: &'r [RegionMention]) -> Option<&'r RegionMention> {
    regions
        .iter()
        .filter(|m| m.role == RegionRole::Company && !m.text.is_empty())
        .filter(|m| name.contains(m.text.as_str()))
        .filter(|m| {
            !m.province.is_empty() && m.province != "全国" && !m.province.starts_with("境外")
        })
        .max_by_key(|m| (m.city.is_some(), m.text.chars().count()))
}

/// Text records fill what rows leave open: the sampled batches a notice states in its text for
/// the one product (or the notice) its table lists.
fn fill_from_text(records: &mut [InspectionRecord], text: &[InspectionRecord]) {
    let single = records.len() == 1;
    for r in records.iter_mut() {
        let same = text
            .iter()
            .find(|t| t.category.is_some() && t.category == r.category)
            .or_else(|| {
                single
                    .then(|| text.iter().find(|t| t.sampled.is_some()))
                    .flatten()
            });
        if let Some(t) = same
            && r.sampled.is_none()
        {
            r.sampled = t.sampled;
        }
    }
}

/// The tally of a product (by category and as written), made when new; its index.
fn tally_for(tallies: &mut Vec<Tally>, cat: usize, written: &str) -> usize {
    if let Some(i) = tallies
        .iter()
        .position(|t| t.cat == Some(cat) && t.product.as_deref() == Some(written))
    {
        return i;
    }
    tallies.push(Tally {
        cat: Some(cat),
        product: Some(written.to_string()),
        ..Tally::default()
    });
    tallies.len() - 1
}

fn distinct(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = Vec::new();
    for x in it {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}

/// What a count counts, from the words before it in its stretch (`pre`) and after it (`post`;
/// `rest`: after the product named right after it). `None`: no result (a plan, a count of
/// batches with one failed item, a count handed to enforcement).
fn role_of(pre: &str, post: &str, rest: &str, named_before: bool) -> Option<Role> {
    if NOT_RESULT
        .iter()
        .any(|w| pre.contains(w) || post.contains(w))
    {
        return None;
    }
    let strip = |s: &str| -> String {
        let mut s = s
            .trim_start_matches(['(', ')', '（', '）', ' '])
            .to_string();
        loop {
            let before = s.len();
            for f in FILLER {
                if let Some(r) = s.strip_prefix(f) {
                    s = r.trim_start().to_string();
                }
            }
            if s.len() == before {
                return s;
            }
        }
    };
    let (after, rest_after) = (strip(post), strip(rest));
    let all = |s: &str, words: &[&str]| {
        let s = s.trim_start_matches(['(', ')', '（', '）', ' ']);
        let s = s.strip_prefix("产品").unwrap_or(s);
        words.iter().any(|w| s.starts_with(w))
    };
    if all(rest, &["全部不合格", "均不合格"]) || all(post, &["全部不合格", "均不合格"])
    {
        return Some(Role::AllFailed);
    }
    if all(rest, &["全部合格", "均合格", "均符合"]) || all(post, &["全部合格", "均合格"])
    {
        return Some(Role::AllPassed);
    }
    let starts = |s: &str, words: &[&str]| words.iter().any(|w| s.starts_with(w));
    if starts(&after, &FAILED_WORDS) || starts(&rest_after, &FAILED_WORDS) {
        return Some(Role::Failed);
    }
    // "28个批次燃气灶具的合格率为92.9%": a rate says what was sampled, not how many failed
    if starts(&after, &["合格率", "不合格率"]) || starts(&rest_after, &["合格率", "不合格率"])
    {
        return Some(Role::Sampled);
    }
    if after.starts_with("合格") || rest_after.starts_with("合格") {
        return Some(Role::Passed);
    }
    // before the count: "不合格3批次", "合格45批次", "不合格产品3个批次"
    let mut head = pre.trim_end().to_string();
    loop {
        let before = head.len();
        for f in FILLER.iter().chain(&["批次", ":", "：", "中", "其中"]) {
            if let Some(r) = head.strip_suffix(f) {
                head = r.trim_end().to_string();
            }
        }
        if head.len() == before {
            break;
        }
    }
    if FAILED_WORDS.iter().any(|w| head.ends_with(w)) {
        return Some(Role::Failed);
    }
    if head.ends_with("合格") {
        return Some(Role::Passed);
    }
    // a count whose batches failed one item ("2批次灭火剂含量不合格") is no total
    if FAILED_WORDS.iter().any(|w| post.contains(w)) {
        return None;
    }
    if SAMPLED_CUES.iter().any(|w| pre.contains(w))
        || after.starts_with('中')
        || rest_after.starts_with('中')
        || post.contains("进行")
    {
        return Some(Role::Sampled);
    }
    // a product's line of a list: "其中安全帽5批次"
    (named_before && after.trim().is_empty() && pre.chars().count() <= 16).then_some(Role::Sampled)
}

/// A count of batches in a clause: its value and byte span (number to unit).
struct CountAt {
    start: usize,
    end: usize,
    value: u64,
}

/// Every `N批次`, `N个批次`, `N批` (not 批号, 批发) of a clause.
fn counts_in(clause: &str) -> Vec<CountAt> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = clause.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        if !(c.is_ascii_digit() || CN_DIGITS.contains(c)) {
            k += 1;
            continue;
        }
        // a number right after a letter, digit or '.' belongs to a model or date
        let glued = k > 0 && {
            let p = chars[k - 1].1;
            p.is_ascii_alphanumeric() || p == '.' || p == '-' || p == '/'
        };
        let mut j = k;
        while j < chars.len() && (chars[j].1.is_ascii_digit() || CN_DIGITS.contains(chars[j].1)) {
            j += 1;
        }
        let num: String = chars[k..j].iter().map(|x| x.1).collect();
        let mut u = j;
        while u < chars.len() && chars[u].1 == ' ' {
            u += 1;
        }
        if u < chars.len() && chars[u].1 == '个' {
            u += 1;
        }
        let unit_at = chars.get(u).map(|x| x.0).unwrap_or(clause.len());
        let rest = &clause[unit_at..];
        let unit = if rest.starts_with("批次") {
            Some("批次".len())
        } else if rest.starts_with('批')
            && !rest.starts_with("批号")
            && !rest.starts_with("批发")
            && !rest.starts_with("批准")
        {
            Some("批".len())
        } else {
            None
        };
        if let (false, Some(ulen), Some(value)) = (glued, unit, read_number(&num)) {
            out.push(CountAt {
                start: i,
                end: unit_at + ulen,
                value,
            });
        }
        k = j.max(k + 1);
    }
    out
}

const CN_DIGITS: &str = "零〇一二两三四五六七八九十百千";

/// A number as a notice writes a count: digits (1,200 too) or Chinese numerals up to thousands.
fn read_number(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits: String = s.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.parse().ok();
    }
    let (mut total, mut cur) = (0u64, 0u64);
    let mut any = false;
    for c in s.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        any = true;
        match (d, c) {
            (Some(d), _) => cur = d,
            (None, '十') => {
                total += cur.max(1) * 10;
                cur = 0;
            }
            (None, '百') => {
                total += cur.max(1) * 100;
                cur = 0;
            }
            (None, '千') => {
                total += cur.max(1) * 1000;
                cur = 0;
            }
            _ => return None,
        }
    }
    any.then_some(total + cur)
}

/// Sentences of a text as byte ranges: split at 。；;！？ and line ends.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    split_at(text, |c| {
        matches!(c, '。' | '；' | ';' | '！' | '？' | '\n')
    })
}

/// Clauses of a sentence as byte ranges: split at ，, ：: (a comma between digits groups thousands).
fn clauses(sentence: &str) -> Vec<(usize, usize)> {
    let b = sentence.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in sentence.char_indices() {
        let thousands = c == ','
            && i > 0
            && b.get(i - 1).is_some_and(u8::is_ascii_digit)
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if matches!(c, '，' | ',' | '：' | ':') && !thousands {
            if i > start {
                out.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    if start < sentence.len() {
        out.push((start, sentence.len()));
    }
    out
}

fn split_at(text: &str, stop: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if stop(c) {
            if i > start {
                out.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The items of a failed-items cell or list, split at 、，,;； and 和, without a count of them
/// (等11个项目, 七项) or a closing 等.
fn split_items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split(['、', '，', ',', ';', '；', '/']) {
        let mut p = part.trim();
        if let Some(i) = p.find('等') {
            p = &p[..i];
        }
        for tail in ["项目", "项", "指标", "不合格"] {
            p = p.strip_suffix(tail).unwrap_or(p).trim_end();
        }
        // "标志七项": the count of items after the last one
        p = p
            .trim_end_matches(|c: char| c.is_ascii_digit() || CN_DIGITS.contains(c) || c == '个')
            .trim();
        let p = p.trim_start_matches(['和', '及']).trim();
        if !p.is_empty() && p.chars().count() <= 30 {
            out.push(p.to_string());
        }
    }
    out
}

/// The rows of a table written into a text (cells between `|`), read by the column names the
/// attachment reader uses.
fn text_table_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let grid: Vec<Vec<String>> = text
        .lines()
        .filter(|l| l.matches('|').count() >= 2)
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    if grid.is_empty() {
        return Vec::new();
    }
    crate::parse::table::rows(&grid)
}
