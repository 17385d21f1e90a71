//! Parties named in text: organisation and shop names (whose places are company places).

use super::*;

impl Analyzer {
    /// Organisation names (…有限公司, …集团, …厂) as byte spans of `text`; "一公司", "某厂" are not
    /// names. `suffixes` holds the start of every organisation suffix in `text` (the ORG hits of
    /// the one substring scan), sorted.
    pub(super) fn org_spans(&self, text: &str, suffixes: &[usize]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(m) = next_org(&self.org_re, text, pos, suffixes) {
            pos = m.end();
            // 厂家, 公司内, 集团化 …: the suffix is the start of another word
            if text[m.end()..].starts_with([
                '家', '商', '区', '房', '长', '方', '址', '内', '里', '牌', '化', '址',
            ]) {
                continue;
            }
            let mut start = strip_lead(text, m.start(), m.end(), &self.platforms);
            // "一台宁波某电器厂生产的…": a count of the thing bought, then the maker's name
            if let Some(rest) = text[start..m.end()].strip_prefix('一')
                && let Some(c) = rest.chars().next()
                && OBJECT_COUNTERS.contains(c)
            {
                start += '一'.len_utf8() + c.len_utf8();
            }
            let name = &text[start..m.end()];
            if name.chars().count() < 4 {
                continue;
            }
            // "…等产品方可出厂销售", "返厂维修": a verb of going to or from a works, no works' name
            if MOVES_AT_WORKS.iter().any(|v| name.ends_with(v)) {
                continue;
            }
            // "一服装厂", "杭州一家电动车公司": an indefinite mention, not a name; 一 inside a
            // name ("金一亭电器厂", 第一, 统一) is part of it
            let chars: Vec<char> = name.chars().collect();
            if let Some(k) = chars.iter().rposition(|&c| c == '一')
                && (k == 0
                    || chars.get(k + 1).is_some_and(|c| "家个间所座".contains(*c))
                    || self.ends_with_place(&chars[..k]))
            {
                continue;
            }
            if self.not_names.iter().any(|b| {
                name.ends_with(b.as_str()) && name.chars().count() <= b.chars().count() + 3
            }) || name.starts_with("该")
                || name.starts_with("一家")
            {
                continue;
            }
            out.push((start, m.end()));
        }
        out
    }

    /// Whether `chars` end with a place name ("杭州" of "杭州一服装厂").
    fn ends_with_place(&self, chars: &[char]) -> bool {
        (2..=chars.len().min(8)).any(|n| {
            let tail: String = chars[chars.len() - n..].iter().collect();
            self.is_place_name(&tail)
        })
    }
}

/// Where an unquoted brand before （品牌） that the regex read as up to ten characters really
/// starts: after the last object verb (召回, 抽查), lead word (部分, 一批) or 的 / 了 in it, since
/// nothing quotes it. None when under two characters are left.
fn unquoted_brand_start(t: &Tokens, start: usize, end: usize) -> Option<usize> {
    let mut first = start;
    for (k, tok) in t.toks.iter().enumerate() {
        if tok.e <= start {
            continue;
        }
        if tok.s >= end {
            break;
        }
        if t.is(k, lex::OBJECT_VERB | lex::LEAD_NOT) || matches!(t.words[k], "的" | "了") {
            first = tok.e.clamp(start, end);
        }
    }
    (t.full.get(first..end)?.chars().count() >= 2).then_some(first)
}

/// A verb and 厂 (leaving, entering, going back to a works): the 厂 is no organisation's suffix.
const MOVES_AT_WORKS: [&str; 8] = [
    "出厂", "进厂", "入厂", "返厂", "回厂", "离厂", "到厂", "送厂",
];

/// Measure words that count objects, not organisations: "一台" before a maker's name counts the
/// appliance bought ("一家" stays an indefinite organisation).
const OBJECT_COUNTERS: &str = "台款件辆只把张双条套瓶盒袋部批";

/// Most bytes of the organisation regex's name part before its suffix: 30 characters of its class
/// (\p{Han} reaches four-byte ideographs).
const ORG_NAME_BYTES: usize = 30 * 4;

/// The leftmost match of the organisation regex at or after byte `pos`, as `find_iter` would
/// give it, without scanning text far from every suffix: a match ends in a suffix that starts
/// after the match's first character and at most [`ORG_NAME_BYTES`] later, so no match starts
/// before the first suffix after `pos` less that many bytes, and the search starts there. The
/// regex has no look-around, so a search started there finds what one started at `pos` finds.
fn next_org<'t>(
    re: &Regex,
    text: &'t str,
    pos: usize,
    suffixes: &[usize],
) -> Option<regex::Match<'t>> {
    let first = suffixes.get(suffixes.partition_point(|&s| s <= pos))?;
    let mut from = first.saturating_sub(ORG_NAME_BYTES).max(pos);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    re.find_at(text, from)
}

/// Start of an organisation or shop name inside a regex match that began at the start of a run of
/// characters: after the last function word (由, 在, 向 …) or platform name that leaves at least four
/// characters ("涉事电动车由天津某车业有限公司" → "天津某车业有限公司").
pub(super) fn strip_lead(text: &str, start: usize, end: usize, platforms: &[String]) -> usize {
    // a match, where a search of a list of the markers compared each character with all 19
    let marker = |c: char| {
        matches!(
            c,
            '由' | '为'
                | '是'
                | '向'
                | '被'
                | '对'
                | '在'
                | '经'
                | '据'
                | '与'
                | '和'
                | '及'
                | '、'
                | '了'
                | '从'
                | '给'
                | '把'
                | '将'
                | '的'
        )
    };
    let Some(s) = text.get(start..end) else {
        return start;
    };
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let mut cut = start;
    // which of 64 classes (code point mod 64) the name's characters fall in: a platform whose
    // first character's class is not among them is surely not in the name, told without a
    // search of the name per platform
    let mut classes = 0u64;
    for (k, &(off, c)) in chars.iter().enumerate() {
        classes |= 1 << (c as u32 % 64);
        // after a closing bracket a marker always starts a new party ("美国消费品安全委员会
        // （CPSC）与某公司": the regulator is no part of the maker's name, however short that is)
        let after_bracket = k > 0 && matches!(chars[k - 1].1, ')' | '）');
        if marker(c) && (n - k > 4 || after_bracket) {
            cut = start + off + c.len_utf8();
        }
    }
    for p in platforms {
        // most names hold no platform name: a char test before building a substring searcher
        if !p
            .chars()
            .next()
            .is_some_and(|c| classes >> (c as u32 % 64) & 1 == 1 && s.contains(c))
        {
            continue;
        }
        if let Some(pos) = text[cut..end].find(p.as_str()) {
            let after = cut + pos + p.len();
            if text[after..end].chars().count() >= 4 {
                cut = after;
            }
        }
    }
    cut
}

/// Organisation, shop and brand names as byte spans of the document's folded text.
pub(super) struct Names {
    pub(super) orgs: Vec<(usize, usize)>,
    pub(super) shops: Vec<(usize, usize)>,
    /// Brands as written: “X”牌, X牌, 品牌为X, 商标：X, X（品牌）.
    pub(super) brands: Vec<(usize, usize)>,
}

impl Analyzer {
    /// Organisation and shop names; each regex runs only over a text holding a word it cannot
    /// match without.
    pub(super) fn names(&self, p: &Prepared, t: &Tokens) -> Names {
        let orgs = if p.has(ORG) {
            let mut suffixes: Vec<usize> = p
                .found
                .iter()
                .filter(|h| self.flagged(h, ORG))
                .map(|h| h.1)
                .collect();
            suffixes.sort_unstable();
            self.org_spans(&p.orig, &suffixes)
        } else {
            Vec::new()
        };
        let shops = if p.has(SHOP) {
            self.shop_re
                .find_iter(&p.orig)
                .map(|m| (m.start(), m.end()))
                .collect()
        } else {
            Vec::new()
        };
        let brands = self.brand_spans(p, t);
        Names {
            orgs,
            shops,
            brands,
        }
    }

    /// Brand names as byte spans: the groups of the brand regex (“X”牌, 品牌为“X”, 商标：X,
    /// X（品牌）) and a token of two to eight letters or Han characters right before a mark of
    /// cues.toml `[brands]` (长城牌, ACME牌, 某某品牌) that is no rule word and no `not` word.
    fn brand_spans(&self, p: &Prepared, t: &Tokens) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        if p.has(BRAND) {
            for cap in self.brand_re.captures_iter(&p.orig) {
                if let Some(m) = cap.get(3) {
                    if let Some(end) = self.unquoted_brand_end(t, m.start(), m.end()) {
                        out.push((m.start(), end));
                    }
                } else if let Some(m) = cap.get(4) {
                    // (the run before （品牌） may open with the clause's verb: "召回部分安心宝（品牌）")
                    if let Some(start) = unquoted_brand_start(t, m.start(), m.end()) {
                        out.push((start, m.end()));
                    }
                } else if let Some(m) = (1..cap.len()).find_map(|i| cap.get(i)) {
                    out.push((m.start(), m.end()));
                }
            }
        }
        if p.has(BRAND) {
            out.extend(quoted_brand_runs(&p.orig));
        }
        // most texts hold no mark at all (the marks are BRAND words of the one substring scan)
        if !p.has(BRAND) {
            out.sort_unstable();
            return out;
        }
        for i in 1..t.words.len() {
            if !t.is(i, lex::BRAND_MARK) {
                continue;
            }
            let (prev, tok) = (t.words[i - 1], t.toks[i - 1]);
            let n = prev.chars().count();
            let wordlike = prev
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ('\u{4e00}'..='\u{9fff}').contains(&c));
            let rule_word = self.lexicon.rules(prev).is_some_and(|v| {
                v.iter()
                    .any(|(_, t)| !matches!(t, Target::Place(_) | Target::Nationwide))
            });
            if (2..=8).contains(&n)
                && wordlike
                && !rule_word
                && !self.brand_not.iter().any(|x| x == prev)
                && !out.iter().any(|&(s, e)| s <= tok.s && tok.e <= e)
            {
                out.push((tok.s, tok.e));
            }
        }
        out.sort_unstable();
        out
    }

    /// Where an unquoted brand (商标：X, 品牌为X) that the regex read as up to ten characters
    /// really ends: before the first word that is a product or hazard term, a product noun
    /// (…盒, …器), a child word (儿童) or a joining word (的, 等, 生产), since nothing quotes it ("商标：小熊的儿童
    /// 水杯" is 小熊). None when under two characters are left.
    fn unquoted_brand_end(&self, t: &Tokens, start: usize, end: usize) -> Option<usize> {
        const JOINS: [&str; 10] = [
            "的", "等", "生产", "产品", "牌", "和", "与", "及", "系列", "型号",
        ];
        let mut last = start;
        for (w, tok) in t.words.iter().zip(&t.toks) {
            if tok.e <= start {
                continue;
            }
            if tok.s < start || tok.s >= end {
                break;
            }
            let term = self.lexicon.rules(w).is_some_and(|v| {
                v.iter().any(|(toks, target)| {
                    toks.len() == 1 && matches!(target, Target::Category(_) | Target::Hazard(..))
                })
            });
            let noun = w.chars().count() >= 2 && self.noun_suffixes.ends(w) && last > start;
            let child = last > start && self.child_words.iter().any(|c| c == w);
            if JOINS.contains(w) || term || noun || child {
                break;
            }
            last = tok.e.min(end);
        }
        (t.full[start..last].chars().count() >= 2).then_some(last)
    }

    /// Every party the document names (source fields, table rows, names in the text, brands,
    /// platforms), and those of the source's own fields alone (a listing's shop and brand).
    pub(super) fn parties(&self, p: &Prepared, names: &Names, c: &Cues) -> (Parties, Parties) {
        let doc = p.doc;
        let mut parties = Parties::default();
        let push = |v: &mut Vec<String>, s: &str| {
            let s = s.trim();
            if !s.is_empty() && !v.iter().any(|x| x == s) {
                v.push(s.to_string());
            }
        };
        if let Some(b) = doc.field(field::BRAND) {
            push(&mut parties.brands, b);
        }
        if let Some(s) = doc.field(field::SHOP) {
            push(&mut parties.shops, s);
        }
        if let Some(pl) = doc.field(field::PLATFORM) {
            push(&mut parties.platforms, pl);
        }
        if let Some(e) = doc.field(field::ENTERPRISE) {
            push(&mut parties.enterprises, e);
        }
        for row in &doc.rows {
            if let Some(e) = row.get(field::ENTERPRISE) {
                push(&mut parties.enterprises, e);
            }
        }
        for &(s, e) in &names.orgs {
            if let Some(name) = p.orig.get(s..e) {
                push(&mut parties.enterprises, name);
            }
        }
        for &(so, eo) in &names.shops {
            let start = strip_lead(&p.orig, so, eo, &self.platforms);
            if let Some(name) = p.orig.get(start..eo).filter(|n| n.chars().count() >= 4) {
                push(&mut parties.shops, name);
            }
        }
        for &(s, e) in &names.brands {
            if let Some(name) = p.orig.get(s..e) {
                push(&mut parties.brands, name);
            }
        }
        for pl in &c.platforms {
            push(&mut parties.platforms, pl);
        }
        let own = |k: &str| {
            doc.field(k)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default()
        };
        let listing_parties = Parties {
            brands: own(field::BRAND),
            shops: own(field::SHOP),
            platforms: own(field::PLATFORM),
            enterprises: own(field::ENTERPRISE),
        };
        (parties, listing_parties)
    }
}

/// Quoted names in a run that a brand word closes (“甲”“乙”等品牌, “甲”、“乙”和“丙”品牌): each is a
/// brand, as “甲”牌 is — a place's name among them (“鄂尔多斯”) names a brand, no place.
fn quoted_brand_runs(text: &str) -> Vec<(usize, usize)> {
    const CLOSERS: [&str; 6] = [
        "等品牌",
        "等知名品牌",
        "品牌",
        "等牌子",
        "等商标",
        "等多个品牌",
    ];
    const JOINS: [&str; 5] = ["、", "和", "与", "及", "，"];
    let mut out = Vec::new();
    for (at, _) in text.match_indices('”') {
        let after = &text[at + '”'.len_utf8()..];
        if !CLOSERS.iter().any(|c| after.starts_with(c)) {
            continue;
        }
        // walk back over “…” groups, with a joining mark or nothing between them
        let mut end = at;
        while let Some(open) = text[..end].rfind('“') {
            let name = &text[open + '“'.len_utf8()..end];
            if name.is_empty() || name.chars().count() > 12 || name.contains(['”', '，', '。'])
            {
                break;
            }
            out.push((open + '“'.len_utf8(), end));
            let before = &text[..open];
            let before = JOINS
                .iter()
                .find_map(|j| before.strip_suffix(j))
                .unwrap_or(before);
            match before.strip_suffix('”') {
                Some(b) => end = b.len(),
                None => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{quoted_brand_runs, strip_lead};

    #[test]
    fn quoted_names_a_brand_word_closes_are_brands() {
        for (text, want) in [
            (
                "抽查羽绒服，“北辰”“鄂尔多斯”等品牌均合格",
                vec!["北辰", "鄂尔多斯"],
            ),
            (
                "“长城”、“黄河”和“泰山”品牌的电线均不合格",
                vec!["长城", "黄河", "泰山"],
            ),
            // a quote no brand word closes is no brand
            ("“鄂尔多斯”羊绒衫展销会开幕", vec![]),
        ] {
            let mut got: Vec<&str> = quoted_brand_runs(text)
                .into_iter()
                .map(|(s, e)| &text[s..e])
                .collect();
            got.sort_unstable();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn a_party_after_a_bracket_and_a_conjunction_is_a_name_of_its_own() {
        for (text, name) in [
            ("美国消费品安全委员会（CPSC）与某公司", "某公司"),
            ("加拿大卫生部(HC)和某某公司", "某某公司"),
            ("涉事电动车由天津某车业有限公司", "天津某车业有限公司"),
            // a conjunction inside a name with little after it stays
            ("宁波和丰公司", "宁波和丰公司"),
        ] {
            let cut = strip_lead(text, 0, text.len(), &[]);
            assert_eq!(&text[cut..], name, "{text}");
        }
    }
}
