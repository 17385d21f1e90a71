//! Counts of batches read from a notice's sentences (see the parent module): each count's
//! role (sampled, failed, passed, all failed or passed) from the words around it, and the product
//! it belongs to from where products are named in its clause and sentence.

use super::*;

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
/// Words that make a count no result: a plan, batches handed to enforcement, or those of one item.
const NOT_RESULT: [&str; 5] = ["计划", "涉嫌", "移送", "另外", "该项目"];
/// Words naming one part of an inspection (生产领域, 流通环节): a result said of it after totals
/// summed over parts is no total.
const PART_WORDS: [&str; 2] = ["领域", "环节"];
/// Words that never make a product more particular (不合格 手提式灭火器, 流通市场 灭火器).
const NOT_PRODUCT: [&str; 14] = [
    "合格", "市场", "领域", "流通", "生产", "销售", "全省", "全市", "本市", "开展", "组织", "进行",
    "并且", "专项",
];
/// Wording that says nothing failed.
/// ("均符合" is not: it is said of one index as often as of the batches.)
const NONE_FAILED: [&str; 6] = [
    "未发现不合格",
    "未检出不合格",
    "没有发现不合格",
    "没有检出不合格",
    "全部合格",
    "均合格",
];
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
pub(super) struct Tally {
    pub(super) cat: Option<usize>,
    pub(super) product: Option<String>,
    pub(super) sampled: Option<u64>,
    pub(super) failed: Option<u64>,
    pub(super) passed: Option<u64>,
    /// The sentence whose parallel scopes (N家…M批次) the sampled batches add up, once set.
    pub(super) scope: Option<usize>,
    /// How many parallel scopes the sampled batches add up.
    pub(super) parts: u8,
    /// Enterprises counted with the sampled batches (N家…M批次), added up as they are.
    pub(super) enterprises: Option<u64>,
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
    pub(super) fn complete(&mut self) {
        match (self.sampled, self.failed, self.passed) {
            (Some(s), None, Some(p)) if p <= s => self.failed = Some(s - p),
            (None, Some(f), Some(p)) => self.sampled = Some(p + f),
            _ => {}
        }
    }
}

impl Analyzer {
    pub(super) fn text_records(
        &self,
        inp: &RecordInput,
        top: Option<usize>,
    ) -> Vec<InspectionRecord> {
        let text = inp.p.orig.as_str();
        let mentions = self.written_products(inp);
        let mut tallies: Vec<Tally> = vec![Tally::default()];
        let mut none_failed_notice = false;
        let mut carried_sentence: Option<usize> = None;
        let mut heading: Option<usize> = None;
        for (si, (ss, se)) in sentences(text).into_iter().enumerate() {
            let sentence = &text[ss..se];
            // a sentence that is only a product's name heads the ones after it; one that opens
            // with 其中 goes on with the product before it
            let mut current = if sentence.trim_start().starts_with("其中") {
                carried_sentence
            } else {
                heading.take()
            };
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
                    if cats.len() == 1 && !clause.contains(['、', '及', '和']) {
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
                            && (!text[m.1..cs + next].starts_with(['、', '和', '及'])
                                // a list of one product's kinds (金属软管和橡胶软管) is that product
                                || in_clause
                                    .iter()
                                    .filter(|o| o.0 > m.0 && o.1 <= cs + next)
                                    .all(|o| o.2 == m.2))
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
                    // a further scope of a sentence whose first scope counted what was sampled
                    // ("…12家生产企业的30批次产品，以及8家销售企业的20批次产品") is sampled too
                    let parallel = pre.contains('家')
                        && tallies[owner.or(current).unwrap_or(0)].scope == Some(si)
                        && !NOT_RESULT
                            .iter()
                            .any(|w| pre.contains(w) || post.contains(w))
                        && !FAILED_WORDS.iter().any(|w| post.contains(w));
                    let role = role_of(pre, post, post_rest, !before.is_empty())
                        .or(parallel.then_some(Role::Sampled));
                    let Some(role) = role else {
                        if let Some(o) = owner.filter(|&o| o != 0) {
                            current = Some(o);
                        }
                        continue;
                    };
                    let at = owner.or(current).unwrap_or(0);
                    // a result of one part ("生产领域合格45批次") of totals summed over parts is
                    // that part's, not the totals'
                    // (the notice's own counts go to the summed product later, see
                    // `finish_text_records`)
                    let summed = |tl: &Tally| tl.parts >= 2 && tl.scope != Some(si);
                    if role != Role::Sampled
                        && (summed(&tallies[at]) || (at == 0 && tallies.iter().any(summed)))
                        && PART_WORDS
                            .iter()
                            .any(|w| text[ss..cs + c.start].contains(w))
                    {
                        any_count = true;
                        continue;
                    }
                    // parallel scopes of one sentence (生产企业3家3批次，经销单位18家22批次) add up
                    let scope = pre.contains('家').then_some(si);
                    if role == Role::Sampled
                        && scope.is_some()
                        && tallies[at].scope == scope
                        && let Some(n) = tallies[at].sampled.as_mut()
                    {
                        *n += c.value;
                        let tl = &mut tallies[at];
                        tl.parts = tl.parts.saturating_add(1);
                        // enterprises add up only while every scope counts them
                        tl.enterprises = tl.enterprises.zip(firms_in(pre)).map(|(a, b)| a + b);
                    } else {
                        let first = role == Role::Sampled && tallies[at].sampled.is_none();
                        tallies[at].set(role, c.value);
                        if first {
                            tallies[at].enterprises = firms_in(pre);
                        }
                        if role == Role::Sampled && tallies[at].scope.is_none() {
                            tallies[at].scope = scope.or(Some(usize::MAX));
                            tallies[at].parts = 1;
                        }
                    }

                    any_count = true;
                    if at != 0 {
                        current = Some(at);
                    }
                }
            }
            carried_sentence = current.or(carried_sentence.filter(|_| !any_count));
            let only_product = mentions
                .iter()
                .any(|m| m.0 <= ss + 3 && m.1 + 4 >= se && m.0 >= ss);
            if only_product && let Some(m) = mentions.iter().find(|m| m.0 >= ss && m.1 <= se) {
                heading = Some(tally_for(&mut tallies, m.2, &m.3));
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

    /// The product mentions as byte spans (start, end, category, the product as written), with
    /// the words before a mention that make it more particular.
    fn written_products(&self, inp: &RecordInput) -> Vec<(usize, usize, usize, String)> {
        let (p, t) = (inp.p, inp.t);
        let text = p.orig.as_str();
        // the products' mentions, and the other places their words stand as whole tokens (the
        // product stage keeps one mention of a product it has placed already)
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for m in inp.prod.cats.iter().filter(|m| !self.out_of_scope(m.c)) {
            let (Some(a), Some(b)) = (
                t.toks.get(m.tok),
                m.end.checked_sub(1).and_then(|k| t.toks.get(k)),
            ) else {
                continue;
            };
            spans.push((m.tok, m.end, m.c));
            let word = text.get(a.s..b.e).unwrap_or("");
            for (at, _) in text.match_indices(word).filter(|(at, _)| *at != a.s) {
                let k = t.toks.partition_point(|tk| tk.s < at);
                let n = m.end - m.tok;
                let whole = t.toks.get(k).is_some_and(|tk| tk.s == at)
                    && t.toks
                        .get(k + n - 1)
                        .is_some_and(|tk| tk.e == at + word.len());
                if whole && !spans.iter().any(|sp| sp.0 == k) {
                    spans.push((k, k + n, m.c));
                }
            }
        }
        spans
            .iter()
            .filter_map(|&(tok, end, c)| {
                let s = t.toks.get(tok)?.s;
                let e = t.toks.get(end.checked_sub(1)?)?.e;
                let start = self.noun_start(t, tok, s);
                let e = noun_end(text, e);
                Some((start, e, c, text.get(start..e)?.to_string()))
            })
            .collect()
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
        // (unless the notice's totals are wider than the product's: then they stand apart)
        let within = |notice: Option<u64>, product: Option<u64>| match (notice, product) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        if let [i] = counted[..]
            && inp.categories.len() == 1
            && within(tallies[0].sampled, tallies[i].sampled)
            && within(tallies[0].failed, tallies[i].failed)
        {
            let notice = std::mem::take(&mut tallies[0]);
            let tl = &mut tallies[i];
            tl.sampled = tl.sampled.or(notice.sampled);
            tl.failed = tl.failed.or(notice.failed);
            tl.passed = tl.passed.or(notice.passed);
            if tl.sampled == notice.sampled {
                tl.enterprises = tl.enterprises.or(notice.enterprises);
            }
            tl.complete();
        }
        let products_stated = tallies.iter().skip(1).any(Tally::stated);
        // the notice's one product, or the first of products of one group (卫生巾 and 一次性卫生用品)
        let only = match inp.categories {
            [c] => Some(*c),
            [c, rest @ ..]
                if rest
                    .iter()
                    .all(|o| self.categories[*o].group == self.categories[*c].group) =>
            {
                Some(*c)
            }
            _ => None,
        };
        // the notice's totals are its one product's, also beside counts of that product's kinds
        // (23批次LED灯具, 其中可移式LED灯具13批次 …)
        if (!products_stated || inp.categories.len() == 1)
            && let Some(c) = only.or(inp.prod.title_cat)
        {
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
                    enterprises: tl.enterprises.filter(|_| tl.sampled.is_some()),
                    failed_items: items,
                    parties,
                    regulator: None,
                    date: None,
                    from: RecordFrom::Text,
                }
            })
            .collect()
    }
}

/// Where a product as written ends: the mention, or up to two characters more that go on with
/// the noun (an alias 防爆灯 in 防爆灯具), never a grammar word or what counts or judges it.
fn noun_end(text: &str, e: usize) -> usize {
    let mut end = e;
    for c in text.get(e..).unwrap_or("").chars().take(2) {
        let han = ('\u{4e00}'..='\u{9fff}').contains(&c);
        if !han || decide::NOT_NOUN_CHARS.contains(c) || "中进产样商不合全均类共抽经检".contains(c)
        {
            break;
        }
        end += c.len_utf8();
    }
    end
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
    // "抽查电暖器40个批次，合格率为95%": a rate says what was sampled, not how many failed
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
    // "40批次样品中3批次不合格", "在抽查的12个批次电热毯中"
    if after.starts_with('中') || rest_after.starts_with('中') {
        return Some(Role::Sampled);
    }
    // a count whose batches failed one item ("2批次灭火剂含量不合格") is no total
    if FAILED_WORDS.iter().any(|w| post.contains(w)) {
        return None;
    }
    // nor is one whose batches a finding describes ("发现有1批次电热水器的带电部件…")
    let described = pre.contains("发现") || (rest.contains('的') && !post.contains("进行"));
    if !described && (SAMPLED_CUES.iter().any(|w| pre.contains(w)) || post.contains("进行")) {
        return Some(Role::Sampled);
    }
    // a product's line of a list: "其中安全帽5批次"
    (named_before && after.trim().is_empty() && pre.chars().count() <= 16).then_some(Role::Sampled)
}

/// The enterprises a stretch before a sampled count counts: the number written right before 家
/// ("抽查271家企业生产、销售的", "33家销售单位销售的"); none when there is none, or several (5家商场、
/// 7家市场、11家超市: places of several kinds, no count of enterprises).
fn firms_in(pre: &str) -> Option<u64> {
    let chars: Vec<char> = pre.chars().collect();
    let mut found = None;
    let mut seen = 0;
    for (k, c) in chars.iter().enumerate() {
        if *c != '家' {
            continue;
        }
        let mut j = k;
        while j > 0 && (chars[j - 1].is_ascii_digit() || CN_DIGITS.contains(chars[j - 1])) {
            j -= 1;
        }
        // a number glued to a letter or another number's mark is a model or a date, no count
        let glued = j > 0 && (chars[j - 1].is_ascii_alphanumeric() || chars[j - 1] == '.');
        if j < k && !glued {
            let num: String = chars[j..k].iter().collect();
            found = read_number(&num);
            seen += 1;
        }
    }
    found.filter(|_| seen == 1)
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

/// Sentences of a text as byte ranges: split at 。；;！？ and line ends.
pub(super) fn sentences(text: &str) -> Vec<(usize, usize)> {
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
