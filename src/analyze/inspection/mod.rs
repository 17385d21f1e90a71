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

mod counts;
mod text;

use text::Tally;

use super::*;
use crate::model::{
    FailedItem, FailingParty, InspectionRecord, RecordFrom, inspection_keys as keys,
};

/// Failure wording right after a count (past filler) or right before it.
const FAILED_WORDS: [&str; 6] = ["不合格", "不符合", "不达标", "未通过", "不合规", "未符合"];
/// Labels of a failed-items list in a sentence.
const ITEM_LABELS: [&str; 4] = ["不合格项目", "不合格检验项目", "不符合项目", "主要问题"];
/// A search for each of [`ITEM_LABELS`], built once: memchr's SIMD substring search, where
/// `match_indices` of a `&str` sets up a Two-Way searcher per text and walks it byte by byte.
static ITEM_LABEL_FINDERS: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 4]> =
    std::sync::LazyLock::new(|| ITEM_LABELS.map(memchr::memmem::Finder::new));

/// The document's categories with each table record's: a row's product cell names a product of
/// the notice, placed by its noun where no alias holds it (弹簧软床垫 | 不合格).
pub(super) fn with_table_categories(
    mut names: Vec<String>,
    records: &[InspectionRecord],
) -> Vec<String> {
    for r in records.iter().filter(|r| r.from == RecordFrom::Table) {
        if let Some(c) = r.category.as_ref().filter(|c| !names.contains(c)) {
            names.push(c.clone());
        }
    }
    names
}

/// The document's parties with the brands of its notice's table rows: a brand column names the
/// brand of each failed batch (the sampling request and on-sale matching read them).
pub(super) fn with_row_brands(mut parties: Parties, records: &[InspectionRecord]) -> Parties {
    let brands = records
        .iter()
        .flat_map(|r| &r.parties)
        .filter(|p| p.role == "brand");
    for b in brands {
        if !parties.brands.contains(&b.name) {
            parties.brands.push(b.name.clone());
        }
    }
    parties
}

/// Cell values that say a row names no party: a dash or a slash in the column, 无, 未标注.
const NO_NAME: [&str; 10] = [
    "/",
    "／",
    "-",
    "－",
    "—",
    "——",
    "无",
    "未标注",
    "不详",
    "n/a",
];

/// Whether a sentence of `text` counts fewer batches passed than sampled ("抽检羽绒服20批次，
/// 合格17批次"): some failed, though no word of failure is written. The largest sampled count of the
/// sentence is its total (a sentence may also count a product's share of it); a sentence that
/// counts none passed, or names failures itself, is left to the words that say so.
pub(super) fn fewer_passed_than_sampled(text: &str) -> bool {
    counts::sentences(text).into_iter().any(|(ss, se)| {
        let Some(sentence) = text.get(ss..se) else {
            return false;
        };
        let (mut sampled, mut passed) = (0u64, None::<u64>);
        for (cs, ce) in counts::clauses(sentence) {
            let Some(clause) = sentence.get(cs..ce) else {
                continue;
            };
            for at in counts::counts_in(clause) {
                let pre = clause.get(..at.start).unwrap_or_default();
                let post = clause.get(at.end..).unwrap_or_default();
                match counts::role_of(pre, post, post, false) {
                    Some(counts::Role::Sampled) => sampled = sampled.max(at.value),
                    Some(counts::Role::Passed) => {
                        passed = Some(passed.unwrap_or(0) + at.value);
                    }
                    Some(_) => return false,
                    None => {}
                }
            }
        }
        passed.is_some_and(|n| n > 0 && n < sampled)
    })
}

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
        let title_cat = (inp.prod.title_cat, inp.prod.class_cat);
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
                    enterprises: None,
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
                        product: product.clone(),
                        // a table of every result counts what was sampled; a list of the
                        // failed ones does not
                        sampled: with_result.then_some(0),
                        failed: Some(0),
                        enterprises: None,
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
            // rows of several products of one category: the record is the category's
            if r.product.is_some() && r.product != product {
                r.product = None;
            }
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
        title_cat: (Option<usize>, Option<usize>),
    ) -> Option<usize> {
        let mut probe = BTreeMap::new();
        if let Some(p) = row.get(field::PRODUCT) {
            probe.insert(field::PRODUCT.to_string(), p.clone());
        }
        let f = self.row_findings(&probe, top, &(None, None), title_cat);
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
            for f in self.row_findings(&probe, Some(cat), &(None, None), (None, None)) {
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
        let get = |k: &str| {
            row.get(k)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && !NO_NAME.iter().any(|n| s.eq_ignore_ascii_case(n)))
        };
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
    /// The items a sentence lists as failed ("不合格项目为A、B、C").
    fn listed_items(&self, p: &Prepared) -> Vec<String> {
        let text = p.orig.as_str();
        let mut out: Vec<String> = Vec::new();
        // one searcher per label for all its occurrences, built once for every text
        // (`ITEM_LABEL_FINDERS`); the search goes on right after each label, as before
        for (label, finder) in ITEM_LABELS.iter().zip(ITEM_LABEL_FINDERS.iter()) {
            for i in finder.find_iter(text.as_bytes()) {
                let start = i + label.len();
                let rest = &text[start..];
                let rest = rest.trim_start_matches(['为', '有', '是', ':', '：', ' ']);
                let rest = rest
                    .strip_prefix("涉及")
                    .or_else(|| rest.strip_prefix("主要是"))
                    .or_else(|| rest.strip_prefix("主要为"))
                    .unwrap_or(rest);
                // a list of items ends with its clause ("…涉及制动性能，相关产品存在…")
                let end = rest
                    .find(['。', ';', '；', '\n', '，', ','])
                    .unwrap_or(rest.len());
                for item in split_items(&rest[..end]) {
                    if !out.contains(&item) {
                        out.push(item);
                    }
                }
            }
        }
        out
    }

    /// The enterprises and brands a notice names in or next to a sentence of failure, each with
    /// the place inside its name; with `cat`, only those in a sentence naming that product.
    /// `sents` are the sentences of the notice's text (`counts::sentences`), found once for its
    /// records.
    fn failing_parties(
        &self,
        inp: &RecordInput,
        cat: Option<usize>,
        sents: &[(usize, usize)],
    ) -> Vec<FailingParty> {
        let (p, t) = (inp.p, inp.t);
        let text = p.orig.as_str();
        let failing = |i: usize| {
            let near = |k: usize| {
                sents
                    .get(k)
                    .is_some_and(|&(s, e)| counts::FAILED_IN.in_text(&text[s..e]))
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
                // one searcher for every occurrence, each search going on after the last
                for (at, _) in p.full.match_indices(r.text.as_str()) {
                    let after = at + r.text.len();
                    let rest = p.full.get(after..)?;
                    // the place may be written without its 市 or 省 (上海质监局, 上海市质监局)
                    for glue in ["", "市", "省"] {
                        let Some(tail) = rest.strip_prefix(glue) else {
                            continue;
                        };
                        if let Some(sfx) = self
                            .publisher_suffixes
                            .first_opening(tail, |s| s.ends_with(['局', '会', '委']))
                        {
                            let end = after + glue.len() + sfx.len();
                            return Some((at, p.orig.get(at..end)?.to_string()));
                        }
                    }
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

/// Rows of a table written in the text: lines of cells split by pipes ("| 产品名称 | …"), or,
/// where no line has pipes, by any run of whitespace (a table copied from a page or a
/// spreadsheet) from a header line of known column names on, while each line has as many cells
/// as the header. Any run of whitespace, not tabs alone: what whitespace a copy gives a table
/// (tabs, spaces, ideographic spaces) must not change what the text is about.
fn text_table_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    // (a line of pipe cells holds two pipes: a text with fewer, as most are, has no such line)
    if memchr::memchr_iter(b'|', text.as_bytes()).nth(1).is_some() {
        let piped: Vec<Vec<String>> = text
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
        if !piped.is_empty() {
            return crate::parse::table::rows(&piped);
        }
    }
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut width = 0;
    for line in text.lines() {
        if width == 0 {
            // most lines of prose have no whitespace at all, told by their bytes; one that
            // has is a header only with three cells or more, its cells read in place (no
            // copies) until it is one
            if !has_whitespace(line) || line.split_whitespace().nth(2).is_none() {
                continue;
            }
            let cells: Vec<&str> = line.split_whitespace().collect();
            if crate::parse::table::header(&cells).is_some() {
                width = cells.len();
                grid.push(cells.into_iter().map(str::to_string).collect());
            }
            continue;
        }
        let cells: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if cells.is_empty() {
            continue;
        }
        if cells.len() == width {
            grid.push(cells);
        } else {
            break;
        }
    }
    if grid.len() < 2 {
        return Vec::new();
    }
    crate::parse::table::rows(&grid)
}

/// Whether `line` holds a character `char::is_whitespace` holds, told by its bytes without a
/// branch (a loop the compiler vectorises, where decoding characters to ask each cost more
/// than the split it spares): ASCII 9–13 and space, U+0085 and U+00A0 (C2 85, C2 A0), U+1680
/// (E1 9A 80), U+2000–U+200A, U+2028, U+2029, U+202F (E2 80 80–8A, A8, A9, AF), U+205F (E2 81
/// 9F) and U+3000 (E3 80 80).
fn has_whitespace(line: &str) -> bool {
    fn starts(b0: u8, b1: u8, b2: u8) -> bool {
        let ascii = (b0.wrapping_sub(b'\t') < 5) | (b0 == b' ');
        let two = (b0 == 0xC2) & ((b1 == 0x85) | (b1 == 0xA0));
        let ogham = (b0 == 0xE1) & (b1 == 0x9A) & (b2 == 0x80);
        let spaces = (b0 == 0xE2)
            & (((b1 == 0x80) & ((b2 <= 0x8A) | (b2 == 0xA8) | (b2 == 0xA9) | (b2 == 0xAF)))
                | ((b1 == 0x81) & (b2 == 0x9F)));
        let ideographic = (b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80);
        ascii | two | ogham | spaces | ideographic
    }
    let b = line.as_bytes();
    let (b1, b2) = (
        b.get(1..).unwrap_or_default(),
        b.get(2..).unwrap_or_default(),
    );
    let body = b
        .iter()
        .zip(b1)
        .zip(b2)
        .fold(false, |m, ((&x, &y), &z)| m | starts(x, y, z));
    // the last two bytes, with nothing after them
    let tail = match *b {
        [.., x, y] => starts(x, y, 0) | starts(y, 0, 0),
        [x] => starts(x, 0, 0),
        [] => false,
    };
    body | tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::check::example_doc;

    /// Whitespace told by bytes is whitespace as `char::is_whitespace` tells it: every
    /// character of the first planes alone and inside Chinese text (。 and “ share lead bytes
    /// with U+3000 and U+2000).
    #[test]
    fn whitespace_told_by_bytes_is_whitespace_told_by_characters() {
        for c in ('\0'..='\u{ffff}').chain(['😀', '\u{10ffff}']) {
            for line in [c.to_string(), format!("抽查。{c}“产品”")] {
                assert_eq!(
                    has_whitespace(&line),
                    line.contains(char::is_whitespace),
                    "{:?}",
                    c
                );
            }
        }
    }

    fn records(text: &str) -> Vec<InspectionRecord> {
        let an = crate::analyze::tests::shared();
        let doc = example_doc("", text, Some(DocKind::Inspection));
        an.analyze(&doc, &mut ClusterIndex::new()).inspections
    }

    fn numbers(r: &[InspectionRecord]) -> Vec<(Option<&str>, Option<u64>, Option<u64>)> {
        r.iter()
            .map(|r| (r.category.as_deref(), r.sampled, r.failed))
            .collect()
    }

    /// A table copied as tab-separated lines is read as a pipe table is, and a row's product
    /// no name holds is placed by its noun (电动剥蒜器: an appliance), not taken for the first
    /// product of the notice.
    #[test]
    fn a_tab_table_gives_a_record_per_row_with_its_own_product() {
        let text = "某省小家电产品质量监督抽查结果\n序号\t产品名称\t抽查批次\t不合格批次\t不合格项目\n\
                    1\t电动剥蒜器\t12\t2\t泄漏电流\n2\t电热水壶\t18\t1\t发热\n";
        let r = records(text);
        assert!(r.iter().all(|x| x.from == RecordFrom::Table), "{r:?}");
        assert_eq!(
            numbers(&r),
            [
                (Some("其他家用电器"), Some(12), Some(2)),
                (Some("电热水壶"), Some(18), Some(1))
            ]
        );
        // any whitespace between the cells reads the same: what a copy does to a table
        let spaced = text.replace('\t', "  ").replace('\n', "\n\u{3000}\n");
        assert_eq!(numbers(&records(&spaced)), numbers(&r));
        // a line of two cells is no table
        assert!(text_table_rows("产品名称\t电热水壶\n").is_empty());
        // a product no noun rule places is of the class the heading names, else 未归类
        let rows = "序号\t产品名称\t抽查批次\t不合格批次\n1\t剥蒜器\t10\t1\n2\t电热水壶\t8\t0\n";
        let cats = |text: &str| -> Vec<Option<String>> {
            records(text).into_iter().map(|x| x.category).collect()
        };
        assert_eq!(
            cats(&format!("某市小家电产品质量监督抽查结果\n{rows}"))[0].as_deref(),
            Some("其他家用电器")
        );
        assert_eq!(
            cats(&format!("某市产品质量监督抽查结果\n{rows}"))[0].as_deref(),
            Some("未归类")
        );
    }

    #[test]
    fn a_sentence_gives_a_products_batches_items_and_regulator() {
        let r = records(
            "近日，宁波市市场监督管理局组织开展电热毯产品质量监督抽查。电热毯20批次，不合格3批次，不合格项目为泄漏电流、温升。",
        );
        assert_eq!(numbers(&r), [(Some("电热毯"), Some(20), Some(3))]);
        assert_eq!(r[0].regulator.as_deref(), Some("宁波市市场监督管理局"));
        let items: Vec<(&str, &str)> = r[0]
            .failed_items
            .iter()
            .map(|i| (i.item.as_str(), i.hazard.as_str()))
            .collect();
        assert!(items.contains(&("泄漏电流", "触电")), "{items:?}");
        assert_eq!(r[0].from, RecordFrom::Text);
    }

    #[test]
    fn each_product_of_a_notice_gets_its_own_numbers_beside_the_totals() {
        let r = records(
            "本次共抽查电热毯、电暖器两类产品45批次，不合格5批次。其中，电热毯25批次，不合格2批次；电暖器20批次，不合格3批次。",
        );
        let n = numbers(&r);
        assert!(n.contains(&(None, Some(45), Some(5))), "{n:?}");
        assert!(n.contains(&(Some("电热毯"), Some(25), Some(2))), "{n:?}");
        assert!(
            n.contains(&(Some("室内加热器"), Some(20), Some(3))),
            "{n:?}"
        );
    }

    #[test]
    fn a_table_in_the_text_gives_a_record_per_row() {
        let r = records(
            "电器产品监督抽查结果汇总如下。\n产品名称 | 抽查批次 | 不合格批次\n电热毯 | 12 | 2\n电暖器 | 8 | 0\n",
        );
        assert_eq!(
            numbers(&r),
            [
                (Some("电热毯"), Some(12), Some(2)),
                (Some("室内加热器"), Some(8), Some(0))
            ]
        );
        assert!(r.iter().all(|x| x.from == RecordFrom::Table));
    }

    #[test]
    fn a_notice_without_numbers_invents_none() {
        let r = records("市场监管部门近日通报电热毯产品质量抽查情况，部分产品不合格，已责令整改。");
        assert_eq!(numbers(&r), [(Some("电热毯"), None, None)]);
    }

    #[test]
    fn plans_enforcement_and_one_items_batches_are_no_totals() {
        let r = records(
            "计划抽取10批次电热毯，实际抽取12批次，合格9批次。另有2批次涉嫌假冒移送执法。其中，有2批次温升不合格。",
        );
        assert_eq!(numbers(&r), [(Some("电热毯"), Some(12), Some(3))]);
        let r = records("本次抽查童鞋30批次，经检验，未发现不合格产品。");
        assert_eq!(numbers(&r), [(Some("童鞋"), Some(30), Some(0))]);
        let r = records("抽检8个批次电热水壶全部合格，6个批次调压器全部不合格。");
        let n = numbers(&r);
        assert!(n.contains(&(Some("电热水壶"), Some(8), Some(0))), "{n:?}");
        assert!(n.iter().any(|x| x.1 == Some(6) && x.2 == Some(6)), "{n:?}");
    }

    #[test]
    fn a_line_naming_the_failed_batches_and_product() {
        let r = records("2025年照明产品监督抽查\n1批次防爆灯具不合格\n不合格项目为接地措施。");
        assert_eq!(numbers(&r), [(Some("灯具"), None, Some(1))]);
    }

    #[test]
    fn totals_read_in_the_two_common_wordings() {
        // enterprises and batches, then the failed ones after 其中
        let r = records("市场监管局近期共抽查了58家企业的72批次电热毯产品，其中9批次不合格。");
        assert_eq!(numbers(&r), [(Some("电热毯"), Some(72), Some(9))]);
        let r =
            records("本次共抽查31家企业生产的40批次童鞋，其中有5批次产品不合格，涉及耐磨性能。");
        assert_eq!(numbers(&r), [(Some("童鞋"), Some(40), Some(5))]);
        // sampled, failed and a rate in one sentence
        let r = records("此次抽检插座产品66批次，不合格11批次，不合格发现率为16.7%。");
        assert_eq!(numbers(&r), [(Some("插头插座"), Some(66), Some(11))]);
        let r = records("共抽检电吹风18个批次，不合格2个批次，不合格检出率11.1%。");
        assert_eq!(
            numbers(&r),
            [(Some("皮肤及毛发护理器具"), Some(18), Some(2))]
        );
    }

    #[test]
    fn parallel_scopes_after_a_comma_add_up_and_one_scopes_result_is_no_total() {
        // the second scope in a clause of its own, joined by 以及 or 和
        let r = records(
            "本次电热毯抽查涉及5个区县12家生产企业的20批次产品，以及3个区8家销售企业的15批次产品。生产领域合格18批次，不合格2批次。",
        );
        assert_eq!(numbers(&r), [(Some("电热毯"), Some(35), None)]);
        let r = records(
            "共抽查童鞋生产企业6家的10批次产品，和经销企业9家的14批次产品。流通环节不合格3批次。",
        );
        assert_eq!(numbers(&r), [(Some("童鞋"), Some(24), None)]);
        // the notice's stated totals stay its totals beside a scope's numbers
        let r = records(
            "本次共抽查30家企业的40批次电热毯，不合格4批次。其中生产领域20批次，不合格1批次。",
        );
        assert!(
            numbers(&r).contains(&(Some("电热毯"), Some(40), Some(4))),
            "{:?}",
            numbers(&r)
        );
    }

    #[test]
    fn enterprises_sampled_are_read_beside_the_batches_and_never_guessed() {
        let firms = |text: &str| -> Vec<Option<u64>> {
            records(text).iter().map(|r| r.enterprises).collect()
        };
        assert_eq!(
            firms("本次共抽查23家企业生产的30批次电热毯，不合格2批次。"),
            [Some(23)]
        );
        // parallel scopes add up, as their batches do
        assert_eq!(
            firms(
                "本次童鞋抽查涉及4家生产企业的6批次产品，以及9家销售企业的12批次产品。不合格3批次。"
            ),
            [Some(13)]
        );
        // no count of enterprises, or places of several kinds: none
        assert_eq!(firms("此次抽检插座产品66批次，不合格11批次。"), [None]);
        assert_eq!(
            firms("对3家商场、6家超市销售的25批次电吹风进行了抽检，不合格4批次。"),
            [None]
        );
        // enterprises named as failing are not those sampled
        assert_eq!(
            firms("共抽检电热水壶40批次，发现5家企业生产的6批次产品不合格。"),
            [None]
        );
    }

    #[test]
    fn a_heading_line_or_an_opening_qizhong_says_whose_counts_follow() {
        // a line that is only a product's name heads the sentence after it
        let two = [
            (Some("室内加热器"), Some(8), Some(0)),
            (Some("电热毯"), Some(20), Some(3)),
        ];
        let r = records("电暖器\n抽查8批次，全部合格。电热毯\n抽查20批次，不合格3批次。");
        assert_eq!(numbers(&r), two);
        // a sentence opening with 其中 goes on with the product of the sentence before
        let r = records("抽查电暖器8批次，全部合格。本次抽查电热毯20批次。其中，3批次不合格。");
        assert_eq!(numbers(&r), two);
        // without 其中 the failed count is no product's
        let r = records("抽查电暖器8批次，全部合格。本次抽查电热毯20批次。另外3批次不合格。");
        assert_eq!(numbers(&r)[1], (Some("电热毯"), Some(20), None));
    }

    #[test]
    fn a_list_before_a_count_and_nothing_failed_are_said_of_the_notice() {
        // products listed before one count: the count is the notice's, no product's
        let r = records("本次抽查电热毯、电暖器共30批次，不合格4批次。");
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].product.as_deref(), r[0].sampled, r[0].failed),
            (None, Some(30), Some(4))
        );
        // nothing failed, said while no product is counted: every product's failed is 0
        let r = records("抽查电热毯20批次，电暖器10批次。经检验，未发现不合格产品。");
        let n = numbers(&r);
        assert!(n.contains(&(Some("电热毯"), Some(20), Some(0))), "{n:?}");
        assert!(
            n.contains(&(Some("室内加热器"), Some(10), Some(0))),
            "{n:?}"
        );
        let r = records("抽查电热毯20批次，电暖器10批次。");
        assert!(r.iter().all(|x| x.failed.is_none()), "{:?}", numbers(&r));
    }

    #[test]
    fn numbers_read_as_notices_write_them() {
        assert_eq!(read_number("1,200"), Some(1200));
        assert_eq!(read_number("三"), Some(3));
        assert_eq!(read_number("十二"), Some(12));
        assert_eq!(read_number("二十"), Some(20));
        assert_eq!(read_number("一百零五"), Some(105));
        assert_eq!(read_number("批"), None);
        assert_eq!(
            split_items("导体电阻、绝缘厚度等11个项目"),
            ["导体电阻", "绝缘厚度"]
        );
        assert_eq!(split_items("光学偏差、标志七项"), ["光学偏差", "标志"]);
    }
}
