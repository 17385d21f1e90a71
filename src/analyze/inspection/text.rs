//! Records read from a notice's sentences (see the parent module): the sentences read in order,
//! clause by clause and count by count (`Reading`), each count going to the tally of the product
//! named in its clause or sentence, or to the notice's own; then the tallies as records. What a
//! count counts (its role, from the words around it) is `counts.rs`'s.

use super::*;
use counts::{
    ClauseSpan, CountAt, FAILED_IN, NOT_RESULT_IN, Role, SAMPLED_CUES, counts_in, firms_in,
    role_of, sentences_and_clauses,
};

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

/// A product mention as [`Analyzer::written_products`] gives it: its byte span, its category
/// and the product as written.
type Mention = (usize, usize, usize, String);

/// The reading of a notice's sentences in order: the tallies begun so far (the notice's own
/// first) and what carries from one sentence to the next.
struct Reading<'a> {
    text: &'a str,
    mentions: &'a [Mention],
    tallies: Vec<Tally>,
    /// "未发现不合格" said where no product was being counted: said of every tally.
    none_failed_notice: bool,
    /// The tally a sentence opening with 其中 goes on with.
    carried_sentence: Option<usize>,
    /// The tally of a sentence that is only a product's name, heading the next one.
    heading: Option<usize>,
}

/// Where the reading of one sentence stands: the tally its counts go to when no product is
/// named beside them, and whether any count was read.
struct Sentence {
    si: usize,
    ss: usize,
    current: Option<usize>,
    any_count: bool,
}

impl Analyzer {
    /// The tallies of a notice's sentences, as records: sentence by sentence, clause by clause,
    /// count by count (`Reading`).
    pub(super) fn text_records(
        &self,
        inp: &RecordInput,
        top: Option<usize>,
    ) -> Vec<InspectionRecord> {
        let text = inp.p.orig.as_str();
        let mentions = self.written_products(inp);
        let (sents, clauses) = sentences_and_clauses(text);
        let mut reading = Reading {
            text,
            mentions: &mentions,
            tallies: vec![Tally::default()],
            none_failed_notice: false,
            carried_sentence: None,
            heading: None,
        };
        // each sentence's clauses, which follow each other in `clauses`
        let mut rest = clauses.as_slice();
        for (si, &span) in sents.iter().enumerate() {
            let n = rest.iter().take_while(|c| c.0 == si).count();
            let (own, after) = rest.split_at(n);
            reading.sentence(si, span, own);
            rest = after;
        }
        let tallies = reading.finish();
        self.finish_text_records(inp, tallies, top, &sents)
    }
}

impl<'a> Reading<'a> {
    /// One sentence's clauses (sentence, start, end), and what it hands on to the next sentence.
    fn sentence(&mut self, si: usize, (ss, se): (usize, usize), clauses: &[ClauseSpan]) {
        let (text, mentions) = (self.text, self.mentions);
        let sentence = &text[ss..se];
        // a sentence that is only a product's name heads the ones after it; one that opens
        // with 其中 goes on with the product before it
        let current = if sentence.trim_start().starts_with("其中") {
            self.carried_sentence
        } else {
            self.heading.take()
        };
        let mut s = Sentence {
            si,
            ss,
            current,
            any_count: false,
        };
        for &(_, cs, ce) in clauses {
            self.clause(&mut s, cs, ce);
        }
        self.carried_sentence = s.current.or(self.carried_sentence.filter(|_| !s.any_count));
        let only_product = mentions
            .iter()
            .any(|m| m.0 <= ss + 3 && m.1 + 4 >= se && m.0 >= ss);
        if only_product && let Some(m) = mentions.iter().find(|m| m.0 >= ss && m.1 <= se) {
            self.heading = Some(tally_for(&mut self.tallies, m.2, &m.3));
        }
    }

    /// One clause: its counts, or, with none, the product it names and whether it says nothing
    /// failed.
    fn clause(&mut self, s: &mut Sentence, cs: usize, ce: usize) {
        let (text, mentions) = (self.text, self.mentions);
        let clause = &text[cs..ce];
        let in_clause: Vec<&Mention> = mentions.iter().filter(|m| m.0 >= cs && m.1 <= ce).collect();
        let counts = counts_in(clause);
        if counts.is_empty() {
            // a clause naming one product (not a list) is what the next counts count
            let cats: Vec<usize> = distinct(in_clause.iter().map(|m| m.2));
            if cats.len() == 1 && !clause.contains(['、', '及', '和']) {
                let m = in_clause[0];
                s.current = Some(tally_for(&mut self.tallies, m.2, &m.3));
            }
            // every NONE_FAILED phrase holds 合格: one search spares the six in most clauses
            if clause.contains("合格") && NONE_FAILED.iter().any(|w| clause.contains(w)) {
                match s.current {
                    Some(i) => self.tallies[i].set(Role::NoneFailed, 0),
                    None => self.none_failed_notice = true,
                }
            }
            return;
        }
        let mut prev_end = 0;
        for (k, c) in counts.iter().enumerate() {
            let next = counts.get(k + 1).map_or(clause.len(), |n| n.start);
            let pre = &clause[prev_end..c.start];
            let post = &clause[c.end..next];
            let stretch = cs + prev_end;
            prev_end = c.end;
            let at = Count {
                c,
                cs,
                next: cs + next,
                stretch,
                pre,
                post,
            };
            self.count(s, &in_clause, &at);
        }
    }

    /// One count: the tally it belongs to, its role, and the tally's numbers set.
    fn count(&mut self, s: &mut Sentence, in_clause: &[&Mention], at: &Count<'_, 'a>) {
        let (owner, named_before, post_rest) = self.owner(in_clause, at);
        let (si, pre, post) = (s.si, at.pre, at.post);
        // a further scope of a sentence whose first scope counted what was sampled
        // ("…12家生产企业的30批次产品，以及8家销售企业的20批次产品") is sampled too
        let parallel = pre.contains('家')
            && self.tallies[owner.or(s.current).unwrap_or(0)].scope == Some(si)
            && !NOT_RESULT_IN.in_text(pre)
            && !NOT_RESULT_IN.in_text(post)
            && !FAILED_IN.in_text(post);
        let role =
            role_of(pre, post, post_rest, named_before).or(parallel.then_some(Role::Sampled));
        let Some(role) = role else {
            if let Some(o) = owner.filter(|&o| o != 0) {
                s.current = Some(o);
            }
            return;
        };
        self.record(s, owner.or(s.current).unwrap_or(0), role, at);
    }

    /// The tally a count belongs to — the product named before it in its stretch, right after
    /// it, or none (the sentence's) — whether one was named before it, and what follows the
    /// count past the product named after it.
    fn owner(
        &mut self,
        in_clause: &[&Mention],
        at: &Count<'_, 'a>,
    ) -> (Option<usize>, bool, &'a str) {
        let text = self.text;
        let (c, cs, next) = (at.c, at.cs, at.next);
        // the product: named before the count in its stretch, right after it, or
        // the one the sentence is about
        let before: Vec<&&Mention> = in_clause
            .iter()
            .filter(|m| m.0 >= at.stretch && m.1 <= cs + c.start)
            .collect();
        let after = in_clause.iter().find(|m| {
            m.0 >= cs + c.end
                && m.0 <= cs + c.end + 12
                && m.1 <= next
                && !text[cs + c.end..m.0].contains('、')
                && (!text[m.1..next].starts_with(['、', '和', '及'])
                    // a list of one product's kinds (金属软管和橡胶软管) is that product
                    || in_clause
                        .iter()
                        .filter(|o| o.0 > m.0 && o.1 <= next)
                        .all(|o| o.2 == m.2))
        });
        let cats = distinct(before.iter().map(|m| m.2));
        let owner = if cats.len() > 1 {
            // a list of products before one count: the count is the notice's
            Some(0)
        } else if let Some(m) = before.last() {
            Some(tally_for(&mut self.tallies, m.2, &m.3))
        } else {
            after.map(|m| tally_for(&mut self.tallies, m.2, &m.3))
        };
        let post_rest = match after {
            Some(m) => text.get(m.1..next).unwrap_or(""),
            None => at.post,
        };
        (owner, !before.is_empty(), post_rest)
    }

    /// A count of `role` set on tally `at`: a part's result beside summed totals is skipped;
    /// parallel scopes of one sentence add up; the first sampled count opens the tally's scope.
    fn record(&mut self, s: &mut Sentence, at: usize, role: Role, count: &Count) {
        let (text, tallies) = (self.text, &mut self.tallies);
        let (si, ss, cs, c, pre) = (s.si, s.ss, count.cs, count.c, count.pre);
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
            s.any_count = true;
            return;
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

        s.any_count = true;
        if at != 0 {
            s.current = Some(at);
        }
    }

    /// The tallies once every sentence is read: a notice that found nothing failed says so of
    /// each, and stated numbers complete each other.
    fn finish(mut self) -> Vec<Tally> {
        if self.none_failed_notice {
            for tl in &mut self.tallies {
                if tl.failed.is_none() {
                    tl.failed = Some(0);
                }
            }
        }
        for tl in &mut self.tallies {
            tl.complete();
        }
        self.tallies
    }
}

/// One count of a clause and the text around it: the clause's start, where the next count
/// starts (or the clause ends), where the stretch since the previous count starts, and the
/// words before and after the count within it.
struct Count<'c, 't> {
    c: &'c CountAt,
    cs: usize,
    next: usize,
    stretch: usize,
    pre: &'t str,
    post: &'t str,
}

impl Analyzer {
    /// The product mentions as byte spans (start, end, category, the product as written), with
    /// the words before a mention that make it more particular.
    fn written_products(&self, inp: &RecordInput) -> Vec<(usize, usize, usize, String)> {
        let (p, t) = (inp.p, inp.t);
        let text = p.orig.as_str();
        // the products' mentions, and the other places their words stand as whole tokens (the
        // product stage keeps one mention of a product it has placed already)
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        // (word, tokens) already searched for: a second search finds the same places, every one
        // of them in `spans` by then (the first mention's own place included), so adds nothing
        let mut searched: Vec<(&str, usize)> = Vec::new();
        for m in inp.prod.cats.iter().filter(|m| !self.out_of_scope(m.c)) {
            let (Some(a), Some(b)) = (
                t.toks.get(m.tok),
                m.end.checked_sub(1).and_then(|k| t.toks.get(k)),
            ) else {
                continue;
            };
            spans.push((m.tok, m.end, m.c));
            let word = text.get(a.s..b.e).unwrap_or("");
            let n = m.end - m.tok;
            if searched.contains(&(word, n)) {
                continue;
            }
            searched.push((word, n));
            let mut visit = |at: usize| {
                if at == a.s {
                    return;
                }
                let k = t.toks.partition_point(|tk| tk.s < at);
                let whole = t.toks.get(k).is_some_and(|tk| tk.s == at)
                    && t.toks
                        .get(k + n - 1)
                        .is_some_and(|tk| tk.e == at + word.len());
                if whole && !spans.iter().any(|sp| sp.0 == k) {
                    spans.push((k, k + n, m.c));
                }
            };
            // memchr's vector search finds the same non-overlapping matches as `match_indices`,
            // whose searcher read the whole notice once per product word (an empty word, which
            // `match_indices` finds at every character, never comes from a token)
            if word.is_empty() {
                text.match_indices(word).for_each(|(at, _)| visit(at));
            } else {
                memchr::memmem::find_iter(text.as_bytes(), word.as_bytes()).for_each(visit);
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
            // the word searches last: most words before a mention fail the cheap tests
            let grammar = || {
                w.chars().any(|c| objects::NOT_NOUN_CHARS.contains(c))
                    || SAMPLED_CUES.iter().any(|q| holds(w, q))
                    || NOT_PRODUCT.iter().any(|q| holds(w, q))
                    || self
                        .lexicon
                        .rules(w)
                        .is_some_and(|v| v.iter().any(|(_, tg)| !matches!(tg, Target::Category(_))))
            };
            if tk.clause != clause || !han || !(2..=3).contains(&n) || grammar() {
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
        sents: &[(usize, usize)],
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
                    // the item is copied only when it is added
                    if belongs && !items.iter().any(|i| i.item == m.term) {
                        items.push(FailedItem {
                            item: m.term.clone(),
                            hazard: self.hazards[m.h].name.clone(),
                        });
                    }
                }
                if tl.failed == Some(0) {
                    items.clear();
                }
                let parties = if tl.failed.is_some_and(|f| f > 0) || (tl.failed.is_none() && n == 1)
                {
                    self.failing_parties(inp, if n == 1 { None } else { tl.cat }, sents)
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

/// Whether the short word `w` (two or three characters) holds `part`: its bytes compared window
/// by window, where `str::contains` sets up a searcher for each of some thirty cues.
fn holds(w: &str, part: &str) -> bool {
    part.is_empty()
        || w.as_bytes()
            .windows(part.len())
            .any(|x| x == part.as_bytes())
}

/// Where a product as written ends: the mention, or up to two characters more that go on with
/// the noun (an alias 防爆灯 in 防爆灯具), never a grammar word or what counts or judges it.
fn noun_end(text: &str, e: usize) -> usize {
    let mut end = e;
    for c in text.get(e..).unwrap_or("").chars().take(2) {
        let han = ('\u{4e00}'..='\u{9fff}').contains(&c);
        if !han || objects::NOT_NOUN_CHARS.contains(c) || "中进产样商不合全均类共抽经检".contains(c)
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
