//! Product mentions: category phrases on tokens, longest match first, with exclusions, anchored
//! refinement (电动车 + 锂电池 → 电动自行车用蓄电池, in `anchors.rs`), part words that give way to the
//! product they belong to, coordination (插线板和手机充电器) and salience ranking.

use memchr::memmem::Finder;

use super::compounds::{
    agents_not_products, alert_category_field, companies_not_products, english_heads,
    places_not_products, retain_unmarked, short_names_point_back, tools_not_products,
};
use super::*;

impl Analyzer {
    /// Category mentions of a token stream, with anchored refinement (电动车 + 锂电池 → 电动自行车用蓄电池).
    pub(super) fn category_mentions(
        &self,
        // the prepared text and its substring hits
        (text, hits): (&str, &[Hit]),
        // the tokens, and their word lists ([`lex`]) where they were read
        (words, kinds): (&[&str], &[u16]),
        toks: &[Tok],
        ms: &[Match],
        title_end: usize,
        // the sentences holding a strong hazard term, and those holding failure wording
        sents: Option<(&FxHashSet<usize>, &FxHashSet<usize>)>,
    ) -> Vec<CatM> {
        let mut cats = self.category_spans(text, hits, toks, ms);
        self.made_for_compounds(text, words, toks, &mut cats);
        self.accessories_take_over(&mut cats, words);
        english_heads(&self.categories, &mut cats, words);
        alert_category_field(&mut cats, words);
        self.anaphora_point_back(&mut cats, kinds);
        short_names_point_back(text, toks, &mut cats);
        self.made_for_children(&mut cats, (words, kinds), toks, ms);
        self.kinds_told_before(&mut cats, words, toks, ms);
        self.child_compounds(text, (words, kinds), toks, ms, &mut cats);
        self.children_of_a_list(&mut cats, words, toks);
        companies_not_products(&mut cats, words);
        self.refine_anchors(&mut cats, (words, toks), title_end, sents);
        self.han_compound_heads(text, words, toks, &mut cats);
        places_not_products(&self.categories, &mut cats, words);
        agents_not_products(&self.categories, &mut cats, words);
        tools_not_products(&mut cats, words);
        self.drop_parts(text, (words, kinds), toks, &mut cats);
        self.generic_to_specific(text, toks, &mut cats);
        cats.sort_by_key(|m| m.tok);
        cats
    }

    /// Part words (插头, 锂电池) that give way to another product the document names.
    pub(super) fn drop_parts(
        &self,
        text: &str,
        (words, kinds): (&[&str], &[u16]),
        toks: &[Tok],
        cats: &mut Vec<CatM>,
    ) {
        // A part word (插头, 锂电池) gives way to another product the document names: in its
        // sentence ("暖风机的插头烧黑了"), or elsewhere ("充电宝…内部锂电池过热起火" is the power bank's).
        // A product word after 其 ("因其风扇电机可能过热") is a part of what 其 stands for.
        // (so is one after 其 and a word of what came with it: "其配套电源适配器", "其内置电池")
        let its = |m: &CatM| its_own(words, m);
        // a word once named as its part is that part again later ("其电源适配器…适配器烧焦")
        let its_parts: Vec<(usize, usize, &str)> = cats
            .iter()
            .filter(|m| its(m))
            .map(|m| (m.c, m.tok, span_text(text, toks, m.tok, m.end)))
            .collect();
        // a device something is seen on ("手机上收到…的记录", "电脑上弹出提示") is where the
        // product's doings show, not the product, beside another product
        let seen_on = |m: &CatM| {
            words.get(m.end) == Some(&"上")
                && words.iter().skip(m.end + 1).take(3).any(|w| {
                    matches!(
                        *w,
                        "收到" | "接到" | "显示" | "弹出" | "提示" | "看到" | "查看" | "出现"
                    )
                })
        };
        let is_part: Vec<bool> = cats
            .iter()
            .map(|m| {
                let t = span_text(text, toks, m.tok, m.end);
                its(m)
                    || seen_on(m)
                    || self.categories[m.c].parts.iter().any(|p| p == t)
                    || its_parts
                        .iter()
                        .any(|&(c, tok, w)| c == m.c && tok < m.tok && w.ends_with(t))
            })
            .collect();
        if !is_part.contains(&true) {
            return;
        }
        // a part word listed among two or more products is a product of its own ("抽查童鞋、
        // 床垫、燃气灶"), not a part of one of them. A fallback's class noun (小家电) in a 、
        // list that its sentence counts as kinds of
        // product is a member of it whatever its neighbours are ("鞋类、背提包、小家电五类产品",
        // where 背提包 no alias knows); in an uncounted list ("家电、儿童用品等领域") it is a class.
        let enumerated = |m: &CatM| self.class_enumerated(m, cats, &is_part, words, toks);
        // a class noun right after 等 sums up the list before it ("剃须刀等个人护理电器36批次"):
        // counted or not, it is no member of its own
        let sums_list = |m: &CatM| {
            m.tok
                .checked_sub(1)
                .is_some_and(|k| super::list_words::closes_with(words[k]))
        };
        // asked only of a part word: most documents name none, and the test walks the list
        // (a sampling round counts its batches: "抽检锂离子电池及移动电源…200批次" lists two
        // products, where "暖风机和插头" may name a heater and its plug)
        let batched = |m: &CatM| {
            toks.iter()
                .zip(words.iter())
                .skip(m.end)
                .take_while(|(t, _)| t.sent == m.sent)
                .any(|(_, w)| w.ends_with("批次"))
        };
        let listed = |m: &CatM| {
            !sums_list(m)
                && ({
                    let n = self.coordinated(cats, m, words).len();
                    // (a class noun keeps its own rule, `enumerated`)
                    n >= 2
                        || (n == 1 && batched(m) && !self.categories[m.c].name.starts_with("其他"))
                } || enumerated(m))
        };
        // a standard's title that opens with the word (《学生用品的安全通用要求》) is about it: the
        // word names that standard's product, whatever other titles name
        let opens_title = |m: &CatM| {
            m.tok
                .checked_sub(1)
                .and_then(|k| words.get(k))
                .is_some_and(|w| *w == "《")
        };
        // a record's product field ("产品名称：电线", "样品名称: 插头") names a product of its own
        let named_field = |m: &CatM| {
            m.tok.checked_sub(2).is_some_and(|k| {
                words[k].ends_with("名称") && matches!(words[k + 1], "：" | ":" | "|")
            })
        };
        // a part word a sampling verb takes as its object, a count between at most ("抽检了12
        // 批次插座", "抽查插头"), is the product sampled, not a part of another one the text names
        // before it (a class noun the sentence goes on to list, "抽查厨房电器，抽检消毒柜、电磁炉",
        // gives way to its members)
        let sampled = |m: &CatM| {
            let from = m.tok.saturating_sub(4);
            !cats.iter().any(|o| o.sent == m.sent && o.tok > m.tok)
                && (from..m.tok).rev().any(|k| {
                    kinds.get(k).is_some_and(|b| b & lex::OBJECT_VERB != 0)
                        && toks[k].sent == m.sent
                        && (k + 1..m.tok).all(|j| {
                            words[j] == "了" || super::list_words::in_count(words, j, k + 1)
                        })
                })
        };
        let part_only: Vec<bool> = cats
            .iter()
            .zip(&is_part)
            .map(|(m, &part)| {
                // (a part told as 其's is one though listed, "阅读器及其配套充电器", unless a
                // round counts its batches: "电动自行车及其电池、充电器…90批次" sampled each)
                part && (!listed(m) || (its(m) && !batched(m)))
                    && !opens_title(m)
                    && !sampled(m)
                    && !named_field(m)
                    && cats.iter().zip(&is_part).any(|(o, &o_part)| {
                        // "手机用锂离子电池": the product is the battery, made for phones; so is
                        // it in "battery packs (sold) for garden tools": "for" right before the
                        // other product, at most two words after the part
                        // (asked last, and read from the end: at most three words that are
                        // not blank, the last "for" — the span may run to the text's end)
                        let made_for = || {
                            (o.end + 1 == m.tok && words.get(o.end) == Some(&"用"))
                                || (m.end < o.tok
                                    && words.get(m.end..o.tok).is_some_and(|between| {
                                        let mut ws =
                                            between.iter().rev().filter(|w| !w.trim().is_empty());
                                        ws.next().is_some_and(|w| *w == "for")
                                            && ws.take(3).count() <= 2
                                    }))
                        };
                        // and only to a product that can have the part (a sofa has no camera)
                        let part_of = &self.categories[m.c].part_of;
                        let has_it = || {
                            part_of.is_empty()
                                || part_of.iter().any(|g| *g == self.categories[o.c].group)
                        };
                        o.c != m.c && !o_part && has_it() && !made_for()
                    })
            })
            .collect();
        retain_unmarked(cats, &part_only);
    }

    /// Category phrases of the text, the longest where two overlap, less those an `exclude`
    /// phrase covers; a phrase naming two products (products.toml `joint`) gives both.
    fn category_spans(&self, text: &str, hits: &[Hit], toks: &[Tok], ms: &[Match]) -> Vec<CatM> {
        let mut cats: Vec<CatM> = Vec::new();
        // Longest match wins where two category phrases overlap.
        let mut spans: Vec<(usize, usize, usize)> = ms
            .iter()
            .filter_map(|m| match m.target {
                Target::Category(c) => Some((m.a, m.b, c)),
                _ => None,
            })
            .collect();
        spans.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
        let mut covered_to = 0;
        for (a, b, c) in spans {
            if a < covered_to {
                continue;
            }
            let (s, e) = (toks[a].s, toks[b - 1].e);
            if covered(hits, &self.categories[c].exclude, s, e) {
                continue;
            }
            covered_to = b;
            let sent = toks[a].sent;
            cats.push(CatM {
                c,
                tok: a,
                end: b,
                sent,
            });
            let joint = |(p, j): &&(String, usize)| *j != c && text.get(s..e) == Some(p.as_str());
            for &(_, j) in self.joints.iter().filter(joint) {
                cats.push(CatM {
                    c: j,
                    tok: a,
                    end: b,
                    sent,
                });
            }
        }
        cats
    }

    /// A generic word in a document naming a more specific product ending in it is that product,
    /// and a word named once as a child's product is that product again.
    fn generic_to_specific(&self, text: &str, toks: &[Tok], cats: &mut [CatM]) {
        // A generic word (充电器, 锂电池, 热水器) in a document that names a more specific product
        // ending in it (电动车充电器, 电动车锂电池, 燃气热水器) is that product.
        let texts: Vec<&str> = cats
            .iter()
            .map(|m| span_text(text, toks, m.tok, m.end))
            .collect();
        let mut reassign: Vec<(usize, usize)> = Vec::new();
        for (i, a) in cats.iter().enumerate() {
            if texts[i].is_empty() {
                continue;
            }
            // a longer text ending in the other holds more characters: bytes compare as well.
            // The colloquial X子 is the word X ("高脚椅 … 椅子", "保温杯 … 杯子").
            let stem = texts[i]
                .strip_suffix('子')
                .filter(|s| s.chars().count() == 1)
                .unwrap_or(texts[i]);
            let longer = |k: usize| texts[k].len() > stem.len() && texts[k].ends_with(stem);
            // a word the document also names as a product of its own category in full ("儿童口罩
            // 和日常防护口罩 … 口罩带") may be either: it stays its own
            if (0..cats.len()).any(|k| k != i && cats[k].c == a.c && longer(k)) {
                continue;
            }
            for (j, b) in cats.iter().enumerate() {
                if a.c == b.c {
                    continue;
                }
                // the same word again after it was named as a child's ("儿童抽屉柜 … 该抽屉柜")
                let childs = self.categories[a.c].child == Some(b.c) && texts[j] == texts[i];
                if childs || longer(j) {
                    reassign.push((i, b.c));
                    break;
                }
            }
        }
        for (i, c) in reassign {
            cats[i].c = c;
        }
    }

    /// A recall, story or complaint is about one product: once it has named a product made for
    /// children (幼儿书桌椅, children's dressers), a later sentence's plain word of the same kind
    /// (椅子, the dressers) is that product again, not a grown-up's. Notices and standards list
    /// both kinds as products of their own, so they are left alone.
    fn child_product_again(&self, cats: &mut [CatM]) {
        let firsts: Vec<(usize, usize)> = cats.iter().map(|m| (m.c, m.sent)).collect();
        for m in cats.iter_mut() {
            let Some(child) = self.categories[m.c].child else {
                continue;
            };
            if firsts.iter().any(|&(c, sent)| c == child && sent < m.sent) {
                m.c = child;
            }
        }
    }

    /// Categories ordered by salience: title mentions count three times, then count, then first position.
    pub(super) fn rank_categories(
        &self,
        cats: &[CatM],
        text_start: usize,
        toks: &[Tok],
    ) -> Vec<usize> {
        let mut score: BTreeMap<usize, (u32, usize)> = BTreeMap::new();
        for m in cats {
            let w = if toks[m.tok].s < text_start { 3 } else { 1 };
            let e = score.entry(m.c).or_insert((0, m.tok));
            e.0 += w;
            e.1 = e.1.min(m.tok);
        }
        let mut v: Vec<(usize, (u32, usize))> = score.into_iter().collect();
        v.sort_by_key(|&(_, (s, first))| (std::cmp::Reverse(s), first));
        v.into_iter().map(|(c, _)| c).collect()
    }
}

/// A product word inside an organisation's name ("某某眼镜有限公司", "某某服饰有限公司") names the
/// company, not a product of the text — when the text names a product outside the names; a text
/// whose only product word is a company's ("某某眼镜有限公司被处罚") keeps it, for want of better.
fn drop_in_names(cats: &mut Vec<CatM>, toks: &[Tok], orgs: &[(usize, usize)]) {
    if orgs.is_empty() {
        return;
    }
    let inside = |m: &CatM| {
        let (Some(a), Some(b)) = (
            toks.get(m.tok),
            m.end.checked_sub(1).and_then(|e| toks.get(e)),
        ) else {
            return false;
        };
        orgs.iter().any(|&(s, e)| s <= a.s && b.e <= e)
    };
    if cats.iter().any(|m| !inside(m)) {
        cats.retain(|m| !inside(m));
    }
}

/// A medium's name in brackets at the head of the body ("[某某童装网]", "【某某家电网】"): a
/// product word in it names the medium, not a product of the text. Grammar of bylines, not a
/// list of media.
fn source_tag(full: &str, text_start: usize) -> Option<(usize, usize)> {
    let body = full.get(text_start..)?;
    let lead = body.len() - body.trim_start().len();
    let rest = &body[lead..];
    let close = match rest.chars().next()? {
        '[' => ']',
        '【' => '】',
        _ => return None,
    };
    let end = rest.char_indices().take(18).find(|&(_, c)| c == close)?.0;
    // a bracketed headline or tag ("【召回】电热毯…") is no medium's name
    let name = rest.get(..end)?;
    if !["网", "报", "台", "新闻", "频道"]
        .iter()
        .any(|m| name.ends_with(m))
    {
        return None;
    }
    let start = text_start + lead;
    Some((start, start + end + close.len_utf8()))
}

/// The titles of standards a sentence cites as what the testing went by ("这轮抽检按照《旅游鞋》
/// GB/T 15107、《皮鞋》QB/T 1002…"): a product word in one names the standard, not a product of the
/// text (the notice's own products are named outside them). Grammar of citation, not a list.
/// `citing`: products.toml `citing`, prepared ("依据国家标准《皮鞋》…进行了检验").
fn cited_standards(full: &str, citing: &[Finder<'static>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // a title is all it collects: a text without one is not searched for the citing words
    if !full.contains('《') {
        return out;
    }
    // (no citing word is empty: `jiance check` rejects one, so every hit is a character boundary)
    for finder in citing {
        for at in finder.find_iter(full.as_bytes()) {
            let rest = &full[at..];
            let end = rest
                .find(['。', '\n', '；', ';'])
                .map_or(full.len(), |e| at + e);
            let mut k = at;
            while let Some(open) = full[k..end].find('《').map(|o| k + o) {
                let Some(close) = full[open..end].find('》').map(|c| open + c) else {
                    break;
                };
                out.push((open, close + '》'.len_utf8()));
                k = close + '》'.len_utf8();
            }
        }
    }
    out
}

/// The quoted names goods were declared as (申报为“玩具”的货物): a product word in one is what a
/// declaration said, and another product the text names is what the goods were. The quotation
/// must open right after the declaring word, blanks between at most.
fn declared_names(full: &str, found: &[Hit], declaring: &[u32]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(id, _, end) in found {
        if !declaring.contains(&id) {
            continue;
        }
        let Some(rest) = full.get(end..) else {
            continue;
        };
        let open = end + (rest.len() - rest.trim_start().len());
        let Some(q) = full[open..].chars().next() else {
            continue;
        };
        let close = match q {
            '“' => '”',
            '"' => '"',
            '「' => '」',
            _ => continue,
        };
        let body = open + q.len_utf8();
        // (a short name: a quotation running on is no declared name)
        if let Some((k, _)) = full[body..]
            .char_indices()
            .take(20)
            .find(|&(_, c)| c == close)
        {
            out.push((open, body + k + close.len_utf8()));
        }
    }
    out
}

/// The products a document names: each mention, whether a fire reached it rather than started
/// in it, and the categories most salient first.
pub(super) struct Products {
    pub(super) cats: Vec<CatM>,
    /// Per mention of `cats`: a product a fire reached (引燃了被褥, 童鞋被烧毁) is a victim, not a source.
    pub(super) victim: Vec<bool>,
    /// Categories by salience (title, count, first position).
    pub(super) ranked: Vec<usize>,
    /// The category named in the title, if any.
    pub(super) title_cat: Option<usize>,
    /// A group's class named in the title or the first sentence, even where it gave way to the
    /// products named beside it ("小家电产品质量…抽查结果": 其他家用电器): the class of a listed
    /// product no noun rule places.
    pub(super) class_cat: Option<usize>,
    /// (token, noun as written) of each `未归类` list member (`list_members`).
    pub(super) nouns: Vec<(usize, String)>,
}

impl Analyzer {
    /// `orgs`: organisation names as byte spans of the text ([`Analyzer::org_spans`]).
    /// `failed`: the sentences holding failure wording ([`Cues::failure_sent`]).
    pub(super) fn products(
        &self,
        p: &Prepared,
        t: &Tokens,
        orgs: &[(usize, usize)],
        failed: &FxHashSet<usize>,
    ) -> Products {
        let hazard_sents: FxHashSet<usize> =
            t.ms.iter()
                .filter(|m| matches!(m.target, Target::Hazard(_, Strength::Strong)))
                .map(|m| t.toks[m.a].sent)
                .collect();
        let mut cats = self.category_mentions(
            (&p.full, &p.found),
            (&t.words, &t.kinds),
            &t.toks,
            &t.ms,
            if p.has_title { p.text_start } else { 0 },
            Some((&hazard_sents, failed)),
        );
        let mut names = orgs.to_vec();
        names.extend(source_tag(&p.full, p.text_start));
        names.extend(cited_standards(&p.full, &self.citing));
        names.extend(declared_names(&p.full, &p.found, &self.declaring));
        drop_in_names(&mut cats, &t.toks, &names);
        let (listed, mut nouns) = self.list_members(p, t, &cats);
        let listed_any = !listed.is_empty();
        if listed_any {
            cats.extend(listed);
            cats.sort_by_key(|m| m.tok);
            // (a member no alias named may own the part word after it: "电子阅读器及其配套充电器")
            if cats.iter().any(|m| its_own(&t.words, m)) {
                self.drop_parts(&p.full, (&t.words, &t.kinds), &t.toks, &mut cats);
            }
        }
        self.shared_heads(p, t, &mut cats);
        self.part_owners(p, t, &mut cats);
        let before = cats.len();
        self.object_product(p, t, &mut cats);
        self.roundup_products(p, t, &mut cats);
        // the object noun may open a list no alias stood in ("抽查了电动牙线器、USB暖手垫、
        // 蓝牙键盘等"): its other members are read beside it
        if !listed_any && cats.len() > before {
            let (listed, more) = self.list_members(p, t, &cats);
            if !listed.is_empty() {
                cats.extend(listed);
                cats.sort_by_key(|m| m.tok);
                nouns.extend(more);
            }
        }
        // a product word inside a name or a cited title was kept while it was the only one; the
        // object noun found since ("依照《缺陷消费品召回管理办法》，召回打印机") is the product
        if cats.len() > before {
            drop_in_names(&mut cats, &t.toks, &names);
            places_not_products(&self.categories, &mut cats, &t.words);
            companies_not_products(&mut cats, &t.words);
            // a part word named with no product before ("…两用机，其电源适配器可能过热") gives
            // way to the object noun as to any product
            self.drop_parts(&p.full, (&t.words, &t.kinds), &t.toks, &mut cats);
        }
        // (again, with the members and objects no alias named: "儿童上衣、裤子和外套")
        self.children_of_a_list(&mut cats, &t.words, &t.toks);
        self.domains_give_way(&t.words, &t.toks, &mut cats);
        self.out_of_scope_gives_way(&p.full, &t.toks, &mut cats);
        self.unaffected_give_way(p, t, &mut cats);
        if cats.is_empty() {
            cats.extend(self.implied_product(p, t));
        }
        if !matches!(p.kind, DocKind::Inspection | DocKind::Standard) {
            self.child_product_again(&mut cats);
        }
        let toks = &t.toks;
        let victim = self.victims(&cats, t);
        let ranked = self.rank_categories(&cats, p.text_start, toks);
        let title_cat = cats
            .iter()
            .find(|c| p.has_title && c.sent == 0)
            .map(|c| c.c);
        let class_cat = t.ms.iter().find_map(|m| match m.target {
            Target::Category(c)
                if t.toks[m.a].sent <= 1
                    && rules::is_group_fallback(
                        &self.categories[c].name,
                        &self.categories[c].group,
                    ) =>
            {
                Some(c)
            }
            _ => None,
        });
        Products {
            cats,
            victim,
            ranked,
            title_cat,
            class_cat,
            nouns,
        }
    }
}

impl Analyzer {
    /// Modifiers sharing one head ("婴幼儿及成人纸尿裤", "儿童和成人口罩"): a word joined to a
    /// product phrase by 及 / 和 / 与 / 、 that no phrase claims, and that with the phrase's head
    /// makes a name or alias of another category, names that product too.
    fn shared_heads(&self, p: &Prepared, t: &Tokens, cats: &mut Vec<CatM>) {
        let claimed = |k: usize, cats: &[CatM]| cats.iter().any(|c| c.tok <= k && k < c.end);
        let joiner = |k: usize| matches!(t.words[k], "及" | "和" | "与" | "、");
        let modifier = |k: usize, m: &CatM, cats: &[CatM]| {
            !claimed(k, cats)
                && t.toks[k].sent == m.sent
                && t.words[k].chars().count() >= 2
                && super::text::han_word(t.words[k])
        };
        let mut found = Vec::new();
        for m in cats.iter() {
            // "婴幼儿 及 [成人纸尿裤]" or "儿童 和 成人 [口罩]": the word before the joiner, and
            // where the phrase starts (its own modifier word, when unclaimed, is part of it)
            let (w, from) = match m.tok {
                k if k >= 2 && joiner(k - 1) => (k - 2, m.tok),
                k if k >= 3 && joiner(k - 2) && modifier(k - 1, m, cats) => (k - 3, k - 1),
                _ => continue,
            };
            if !modifier(w, m, cats) {
                continue;
            }
            let written = span_text(&p.full, &t.toks, from, m.end);
            // the longest ending of the phrase, two characters or more, that the word completes
            let c = written
                .char_indices()
                .skip(1)
                .filter(|&(k, _)| written[k..].chars().count() >= 2)
                .find_map(|(k, _)| {
                    self.nouns
                        .exact(&format!("{}{}", t.words[w], &written[k..]))
                });
            if let Some(c) = c.filter(|&c| c != m.c) {
                found.push(CatM {
                    c,
                    tok: w,
                    end: w + 1,
                    sent: m.sent,
                });
            }
        }
        if !found.is_empty() {
            cats.extend(found);
            cats.sort_by_key(|m| m.tok);
        }
    }

    /// A regulator's notice that names no product but a test item only one product is tested for
    /// (三聚氰胺迁移量: melamine ware; 脱圈阻力: tyres) is about that product: a passage cut from a
    /// longer notice often lists the items and leaves the product to the title it lost. The
    /// earliest such item in the text decides.
    fn implied_product(&self, p: &Prepared, t: &Tokens) -> Option<CatM> {
        if !matches!(
            p.kind,
            DocKind::Inspection | DocKind::Recall | DocKind::Standard | DocKind::Notice
        ) {
            return None;
        }
        // the items are phrases of the one substring pass: their hits are already in `found`.
        // (item, category) in category order, so the first pair of an item is its first category:
        // a few categories have items, and a walk over all of them per hit was most of this
        let items: Vec<(u32, usize)> = self
            .categories
            .iter()
            .enumerate()
            .flat_map(|(c, cat)| cat.implied_by.iter().map(move |&id| (id, c)))
            .collect();
        if items.is_empty() {
            return None;
        }
        let (at, c) = p
            .found
            .iter()
            .filter_map(|&(id, at, _)| {
                items
                    .iter()
                    .find(|&&(item, _)| item == id)
                    .map(|&(_, c)| (at, c))
            })
            .min()?;
        let tok = t.toks.iter().position(|k| k.e > at)?;
        Some(CatM {
            c,
            tok,
            end: tok + 1,
            sent: t.toks[tok].sent,
        })
    }
}

impl Analyzer {
    /// A product right after a word that points back (此类玩具) whose group a product named
    /// before it shares is that product again: the mention is dropped.
    fn anaphora_point_back(&self, cats: &mut Vec<CatM>, kinds: &[u16]) {
        let group = |c: usize| self.categories[c].group.as_str();
        let back: Vec<usize> = cats
            .iter()
            .filter(|m| {
                m.tok > 0
                    && kinds.get(m.tok - 1).is_some_and(|k| k & lex::ANAPHOR != 0)
                    && cats
                        .iter()
                        .any(|n| n.tok < m.tok && n.c != m.c && group(n.c) == group(m.c))
            })
            .map(|m| m.tok)
            .collect();
        cats.retain(|m| !back.contains(&m.tok));
    }
}

/// Whether a product word is told as a part of what 其 stands for: right after 其 ("因其风扇电机
/// 可能过热"), or after 其 and a word of what came with it ("其配套电源适配器", "其内置电池").
/// jieba keeps 及其 whole ("阅读器及其配套充电器"). The notice's own 产品 stands for it as 其
/// does ("召回范围内的产品电源适配器外壳绝缘不足", "该产品的电池可能过热").
fn its_own(words: &[&str], m: &CatM) -> bool {
    let product = |w: &str| matches!(w, "产品" | "该产品" | "本产品");
    let qi = |w: &str| matches!(w, "其" | "及其") || product(w);
    m.tok > 0
        && (qi(words[m.tok - 1])
            || (m.tok > 1
                && qi(words[m.tok - 2])
                && matches!(
                    words[m.tok - 1],
                    "配套" | "自带" | "附带" | "随附" | "所附" | "所配" | "配备" | "内置"
                ))
            || (m.tok > 1 && product(words[m.tok - 2]) && words[m.tok - 1] == "的"))
}
