//! How product words combine with the words around them: a child word before a product (儿童
//! 折叠餐椅: children's furniture), two product words written as one
//! compound name one product (儿童自行车头盔, "kids bike helmets"), and a product word framed as a
//! place (在帐篷内), before a company word (玩具公司) or before an English word for a business
//! ("clothing chain") names no product of the text. Grammar of compounds and frames, read on a
//! document's category mentions (see `products.rs`).

use super::text::latin_word;
use super::*;

/// Per category, whether it is some category's `child` (products.toml): what
/// [`Analyzer::children_of_a_list`] asks of a mention a child word opens, where a walk over every
/// category for each took most of that pass.
pub(super) fn child_categories(categories: &[Category]) -> Vec<bool> {
    let mut is = vec![false; categories.len()];
    for c in categories.iter().filter_map(|k| k.child) {
        if let Some(x) = is.get_mut(c) {
            *x = true;
        }
    }
    is
}

impl Analyzer {
    /// A product made for children takes the category's `child` one (see the comment inside).
    pub(super) fn made_for_children(
        &self,
        cats: &mut [CatM],
        (words, kinds): (&[&str], &[u16]),
        toks: &[Tok],
        ms: &[Match],
    ) {
        // A product made for children: a category with a `child` one, right after a child word
        // with at most one plain modifier between ("儿童折叠餐椅": 家具 → 儿童家具). A word a rule
        // knows between them (摔下, 起火) means the child is the subject, not the product's kind.
        // A child who owns it or is bought it says so too: "孩子的智能手表", "给女儿买的羽绒服"
        // (products.toml `child_owners`; a verb of buying or using may stand before 的)
        let owner = |k: usize| kinds.get(k).is_some_and(|b| b & lex::CHILD_OWNER != 0);
        let owned = |m: &CatM| {
            let at = |d: usize| m.tok.checked_sub(d);
            at(1).is_some_and(|k| words[k] == "的")
                && at(2).is_some_and(|k| {
                    owner(k)
                        || (matches!(words[k], "买" | "用" | "穿" | "戴" | "玩" | "购买" | "选购")
                            && at(3).is_some_and(owner))
                })
        };
        if !self.child_words.is_empty() {
            let ruled = |k: usize| ms.iter().any(|m| m.a <= k && k < m.b);
            // (the token's lexicon bits: a test per child word cost every mention)
            let is_child = |k: usize| kinds.get(k).is_some_and(|b| b & lex::CHILD != 0);
            let childrens = |c: usize| self.childrens_group(&self.categories[c].group);
            for m in cats.iter_mut() {
                let Some(child) = self.categories[m.c].child else {
                    // a product of a group given no `child`, right after a child word: the head
                    // rules place the whole as a noun no alias holds ("儿童折叠椅" is children's
                    // furniture, though 折叠椅 alone is camping gear)
                    if let Some(k) = m.tok.checked_sub(1).filter(|&k| is_child(k))
                        && let Some(c) = self.nouns.resolve(&words[k..m.end].concat())
                        && c != m.c
                        && c != self.unclassified
                        && childrens(c)
                        && !childrens(m.c)
                        // (a group that gives its other products a child category gives this
                        // one none on purpose: a children's bunk bed is still a bunk bed)
                        && !self.categories.iter().any(|x| {
                            x.child == Some(c) && x.group == self.categories[m.c].group
                        })
                    {
                        m.c = c;
                        m.tok = k;
                    }
                    continue;
                };
                let plain = |k: usize| {
                    !ruled(k)
                        && toks[k].clause == toks[m.tok].clause
                        && super::text::han_word(words[k])
                        && !words[k].contains('的')
                };
                let before = |d: usize| m.tok.checked_sub(d);
                let found = if latin_word(words[m.tok]) {
                    // "infant one-piece pajamas", "kids' rain boots": a child word before the
                    // phrase, across spaces, hyphens and a possessive, with at most two plain words
                    let mut plain_words = 0;
                    let mut k = m.tok;
                    let child_before = loop {
                        let Some(j) = k.checked_sub(1) else {
                            break false;
                        };
                        k = j;
                        let w = words[j];
                        if w.trim().is_empty() || matches!(w, "-" | "'" | "’" | "s") {
                            continue;
                        }
                        if is_child(j) {
                            break true;
                        }
                        if !latin_word(w) || ruled(j) || plain_words == 2 {
                            break false;
                        }
                        plain_words += 1;
                    };
                    // "smartwatches for children", "helmets made for kids": the child word after
                    // the phrase, behind "for"
                    child_before || {
                        let mut rest =
                            (m.end..words.len()).filter(|&k| !words[k].trim().is_empty());
                        match (rest.next(), rest.next(), rest.next()) {
                            (Some(f), Some(c), _) if words[f] == "for" => is_child(c),
                            (Some(md), Some(f), Some(c))
                                if words[md] == "made" && words[f] == "for" =>
                            {
                                is_child(c)
                            }
                            _ => false,
                        }
                    }
                } else {
                    before(1).is_some_and(is_child)
                        || (before(1).is_some_and(plain) && before(2).is_some_and(is_child))
                        || owned(m)
                };
                if found {
                    m.c = child;
                }
            }
        }
    }

    /// Whether categories `a` and `b` are of one group.
    fn same_group(&self, a: usize, b: usize) -> bool {
        self.categories[a].group == self.categories[b].group
    }

    /// Whether group `g` is one of children's goods: some category's `child` belongs to it.
    pub(super) fn childrens_group(&self, g: &str) -> bool {
        self.categories
            .iter()
            .filter_map(|x| x.child)
            .any(|ch| self.categories[ch].group == g)
    }

    /// A child word before a list's first member is every member's whose `child` category the
    /// first took, when the text names that category outside the list too ("童鞋…儿童皮鞋、凉鞋、
    /// 旅游鞋等": children's shoes all) — else the word may be the first member's alone ("儿童书桌、
    /// 鞋架和衣帽架"). A member is the mention right after a separator that follows the one
    /// before it.
    pub(super) fn children_of_a_list(&self, cats: &mut [CatM], words: &[&str], toks: &[Tok]) {
        // (a character set of the child words' first characters rules most words out at once)
        let child = |w: &str| self.child_firsts.holds_first(w);
        let opens = |m: &CatM| {
            let w = words[m.tok];
            m.tok
                .checked_sub(1)
                .is_some_and(|k| child(words[k]) && self.child_words.iter().any(|c| c == words[k]))
                || (child(w)
                    && self
                        .child_words
                        .iter()
                        .any(|c| w.starts_with(c.as_str()) && (w != c || m.end > m.tok + 1)))
        };
        // (a child category is some category's `child`; asked only of a mention a child word
        // opens, and the pass ends at once when none does: most texts name no child)
        let is_child = |c: usize| self.child_cats.get(c).is_some_and(|&x| x);
        if cats.len() < 2 || !cats.iter().any(|m| opens(m) && is_child(m.c)) {
            return;
        }
        // the tokens of each category's mentions, as they were before this pass
        let named: Vec<(usize, usize)> = cats.iter().map(|m| (m.c, m.tok)).collect();
        let elsewhere = |c: usize, tok: usize, end: usize| {
            named.iter().any(|&(n, t)| n == c && (t < tok || t >= end))
        };
        let mut listed: Option<(usize, usize)> = None;
        let mut first = 0;
        // (in the order of the text: an object noun found late stands last in `cats`)
        let mut order: Vec<usize> = (0..cats.len()).collect();
        order.sort_by_key(|&i| cats[i].tok);
        for i in order {
            let m = &mut cats[i];
            // (up to two plain words may stand before a member: "、皮凉鞋" is 皮 + 凉鞋)
            // (a member of another kind, named by the bare word its child's name ends in, takes
            // that child's category when it is of the first member's group: "儿童自行车和滑板车"
            // lists two children's vehicles, "儿童自行车和电动滑板车" a child's and a grown-up's)
            let own_child = self.categories[m.c].child.filter(|&k| {
                listed.is_some_and(|(_, c)| k != c && self.same_group(k, c))
                    && self.categories[k]
                        .name
                        .ends_with(words[m.tok..m.end].concat().as_str())
            });
            if let Some((end, c)) = listed
                && (end + 1..=end + 3).contains(&m.tok)
                && words[end + 1..m.tok]
                    .iter()
                    .all(|w| super::text::han_word(w))
                && (own_child.is_some()
                    || (self.categories[m.c].child == Some(c) && elsewhere(c, first, m.end)))
                && matches!(words.get(end), Some(&("、" | "和" | "及" | "与" | "或")))
                && toks[m.tok].clause == toks[end - 1].clause
            {
                let c = own_child.unwrap_or(c);
                m.c = c;
                listed = Some((m.end, c));
                continue;
            }
            listed = (opens(m) && is_child(m.c)).then_some((m.end, m.c));
            first = m.tok;
        }
    }

    /// Two product words written as one compound (no mark between them: "儿童自行车头盔",
    /// "磁力片积木") name one product: the last is the head and the first, of another group, its
    /// modifier (a bike helmet is a helmet). A first that is a kind of the head (its category's
    /// name ends in the head's, or is the head's `child`: magnetic building blocks are magnetic
    /// toys, 童装卫衣 children's clothing) is the product, unless the head is an accessory made for
    /// it. Two of one group otherwise both stay (插座转换器, 牙胶玩偶: which one the compound is
    /// is not written). A part word as head is left to `drop_parts` (a phone's battery is the
    /// phone's).
    pub(super) fn han_compound_heads(
        &self,
        text: &str,
        words: &[&str],
        toks: &[Tok],
        cats: &mut Vec<CatM>,
    ) {
        if cats.len() < 2 {
            return;
        }
        let han = |k: usize| words.get(k).is_some_and(|w| super::text::han_word(w));
        let mut drop = vec![false; cats.len()];
        // the mentions by first token, to find the one right after each (not in order here)
        let mut by_tok: Vec<(usize, usize)> =
            cats.iter().enumerate().map(|(i, c)| (c.tok, i)).collect();
        by_tok.sort_unstable();
        // (head category, head word, narrower category, end of the compound)
        let mut again: Vec<(usize, &str, usize, usize)> = Vec::new();
        for (i, m) in cats.iter().enumerate() {
            if m.end == 0 || !han(m.end - 1) || !han(m.end) {
                continue;
            }
            let from = by_tok.partition_point(|&(tok, _)| tok < m.end);
            let Some(j) = by_tok[from..]
                .iter()
                .take_while(|&&(tok, _)| tok == m.end)
                .map(|&(_, j)| j)
                .find(|&j| cats[j].sent == m.sent && cats[j].c != m.c)
            else {
                continue;
            };
            let head = &cats[j];
            let head_text = span_text(text, toks, head.tok, head.end);
            if self.categories[head.c].parts.iter().any(|p| p == head_text) {
                continue;
            }
            let (first, last) = (&self.categories[m.c], &self.categories[head.c]);
            // (the head's own category for children is the narrower kind too: 童装卫衣)
            let kind_of_head = first.name.ends_with(last.name.as_str()) || last.child == Some(m.c);
            // (an accessory made for the first is the product: 蓝牙音箱充电器)
            let accessory = last.accessory && !first.accessory;
            if kind_of_head && !accessory {
                drop[j] = true;
                again.push((head.c, head_text, m.c, head.end));
            } else if first.group != last.group || accessory {
                drop[i] = true;
            }
        }
        // the head word alone later is that narrower product again ("召回磁力片积木。积木外壳
        // 可能开裂": the magnetic blocks)
        for (k, n) in cats.iter_mut().enumerate() {
            if drop[k] {
                continue;
            }
            if let Some(&(_, _, c, _)) = again.iter().find(|&&(hc, ht, _, end)| {
                n.c == hc && n.tok >= end && span_text(text, toks, n.tok, n.end) == ht
            }) {
                n.c = c;
            }
        }
        retain_unmarked(cats, &drop);
    }
}

impl Analyzer {
    /// A product its clause goes on to leave out of the report (cues.toml `[unaffected]`: "同批次
    /// 销售的奶瓶不在召回范围内", "耳机本身不受影响") gives way to the products the text reports;
    /// the word must follow the product with no other product between, and one product stays.
    pub(super) fn unaffected_give_way(&self, p: &Prepared, t: &Tokens, cats: &mut Vec<CatM>) {
        if cats.len() < 2 || !p.any(&self.unaffected) {
            return;
        }
        let said: Vec<usize> = p
            .found
            .iter()
            .filter(|h| self.unaffected.contains(&h.0))
            .map(|h| h.1)
            .collect();
        let drop: Vec<bool> = cats
            .iter()
            .map(|m| {
                let clause = t.toks[m.end - 1].clause;
                let from = t.toks[m.end - 1].e;
                let until = t.toks[m.end..]
                    .iter()
                    .take_while(|x| x.clause == clause)
                    .last()
                    .map_or(from, |x| x.e);
                said.iter().any(|&s| {
                    from <= s
                        && s < until
                        && !cats.iter().any(|o| o.tok >= m.end && t.toks[o.tok].s < s)
                })
            })
            .collect();
        if drop.iter().all(|&d| d) {
            return;
        }
        retain_unmarked(cats, &drop);
    }

    /// A list naming two kinds out of scope among its members ("食品、药品、化妆品和工业产品",
    /// "食品、药品、医疗器械和特种设备") lists the domains a regulator watches, not products the
    /// text reports: its members give way to the products named elsewhere ("其中电动自行车、
    /// 电线电缆…不合格"). A text that names nothing else keeps them.
    pub(super) fn domains_give_way(&self, words: &[&str], toks: &[Tok], cats: &mut Vec<CatM>) {
        if cats.iter().filter(|m| self.out_of_scope(m.c)).count() < 2 {
            return;
        }
        let mut order: Vec<usize> = (0..cats.len()).collect();
        order.sort_by_key(|&i| cats[i].tok);
        // runs of mentions joined by coordination words alone, in one clause
        let joined = |a: &CatM, b: &CatM| {
            b.tok > a.end
                && toks
                    .get(a.end)
                    .zip(toks.get(b.tok))
                    .is_some_and(|(x, y)| x.clause == y.clause)
                && words
                    .get(a.end..b.tok)
                    .is_some_and(|between| between.iter().all(|w| self.joins(w)))
        };
        let mut drop = vec![false; cats.len()];
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && joined(&cats[order[end - 1]], &cats[order[end]]) {
                end += 1;
            }
            let run = &order[start..end];
            if run
                .iter()
                .filter(|&&i| self.out_of_scope(cats[i].c))
                .count()
                >= 2
            {
                for &i in run {
                    drop[i] = true;
                }
            }
            start = end;
        }
        if drop.iter().all(|&d| d) {
            return;
        }
        retain_unmarked(cats, &drop);
    }

    /// A product out of scope named beside an in-scope one of the same head ("日常防护型口罩…
    /// 违规标注医用口罩字样", "电子体温计…水银体温计") is the contrast the text draws, not a product
    /// of its own: the in-scope kind is what the text is about.
    pub(super) fn out_of_scope_gives_way(&self, text: &str, toks: &[Tok], cats: &mut Vec<CatM>) {
        if !cats.iter().any(|m| self.out_of_scope(m.c)) {
            return;
        }
        // the last two characters of a mention's words: its head
        let head = |m: &CatM| -> String {
            let w = span_text(text, toks, m.tok, m.end);
            let n = w.chars().count();
            w.chars().skip(n.saturating_sub(2)).collect()
        };
        let in_scope: Vec<String> = cats
            .iter()
            .filter(|m| !self.out_of_scope(m.c))
            .map(head)
            .collect();
        let drop: Vec<bool> = cats
            .iter()
            .map(|m| {
                self.out_of_scope(m.c) && {
                    let h = head(m);
                    h.chars().count() == 2 && in_scope.contains(&h)
                }
            })
            .collect();
        retain_unmarked(cats, &drop);
    }
}

/// Words that put what follows at a place ("在汽车内", "放在沙发旁", "放冰箱里", "塞进背包里").
const AT: [&str; 17] = [
    "在",
    "放",
    "放进",
    "放入",
    "放到",
    "塞进",
    "塞到",
    "装进",
    "存放在",
    "存放于",
    "放在",
    "摆在",
    "放置在",
    "置于",
    "靠近",
    "挨着",
    "贴近",
];
/// Words that close such a place after its noun.
const LOCATIVES: [&str; 16] = [
    "内", "里", "中", "旁", "边", "旁边", "附近", "上", "下", "周围", "里面", "上面", "下面",
    "底下", "之中", "之内",
];

/// The agent of a passive harm ("拉绳被栅栏挂住…被汽车拖拽") in a sentence naming a product of
/// another group is what the harm comes from, not a product of the text — unless the text names
/// it outside such a frame too.
pub(super) fn agents_not_products(categories: &[Category], cats: &mut Vec<CatM>, words: &[&str]) {
    let agent = |m: &CatM| m.tok > 0 && words[m.tok - 1] == "被";
    if cats.iter().any(agent) {
        drop_framed_beside_others(categories, cats, agent);
    }
}

/// Drops each mention `framed` marks that the text names nowhere unframed, in a sentence that
/// names a product of another group unframed: the frame (a place, a passive agent) says it is no
/// product of the text, and the other product is what the sentence is about.
fn drop_framed_beside_others(
    categories: &[Category],
    cats: &mut Vec<CatM>,
    framed: impl Fn(&CatM) -> bool,
) {
    drop_framed(cats, framed, |m, n| {
        n.sent == m.sent && categories[n.c].group != categories[m.c].group
    });
}

/// Drops each mention `framed` marks that the text names nowhere unframed, where the text names
/// unframed a product `other` tells apart from it (`other` says where: mostly its sentence).
fn drop_framed(
    cats: &mut Vec<CatM>,
    framed: impl Fn(&CatM) -> bool,
    other: impl Fn(&CatM, &CatM) -> bool,
) {
    let drop: Vec<bool> = cats
        .iter()
        .map(|m| {
            framed(m)
                && !cats.iter().any(|n| n.c == m.c && !framed(n))
                && cats.iter().any(|n| !framed(n) && other(m, n))
        })
        .collect();
    retain_unmarked(cats, &drop);
}

/// A product word framed as a place ("在帐篷内使用", "放在沙发旁", "在汽车内充电") in a
/// sentence naming another product is where that product was, not a product of the
/// text (grammar of place phrases; the product beside it is what the sentence is about) — unless
/// the text names it outside such a frame too ("卡式炉…把锅具摆在卡式炉上": the stove is).
pub(super) fn places_not_products(categories: &[Category], cats: &mut Vec<CatM>, words: &[&str]) {
    // (the second of two places is framed by the first's word: "在室内或帐篷内"; a modifier of
    // up to three Han words may stand between the word and the place: "在深色地毯上")
    let opened = |k: usize| {
        k > 0
            && ((1..=4).any(|d| {
                k >= d
                    && AT.contains(&words[k - d])
                    && words[k - d + 1..k]
                        .iter()
                        .all(|w| super::text::han_word(w) && !AT.contains(w))
            }) || (matches!(words[k - 1], "或" | "和" | "及" | "与" | "、" | "或者")
                && words[k.saturating_sub(5)..k - 1]
                    .iter()
                    .any(|w| AT.contains(w))))
    };
    // the locative after the word first: one comparison list, where the frame before it is four
    let framed =
        |m: &CatM| words.get(m.end).is_some_and(|w| LOCATIVES.contains(w)) && opened(m.tok);
    // most texts frame no product as a place: nothing to drop, so no set of sentences to build
    if !cats.iter().any(framed) {
        return;
    }
    // A sentence naming nothing but the place goes on about the product of the sentences
    // before ("充电宝…。充电时不要放在床上或沙发上"): any product of another group the text
    // names unframed is what was put there.
    let named: FxHashSet<usize> = cats.iter().filter(|m| !framed(m)).map(|m| m.sent).collect();
    // (in its own sentence, a product of the same group is told apart too: "报警器应安装在燃气
    // 灶具附近" puts the alarm by the stove)
    drop_framed(cats, framed, |m, n| {
        (n.sent == m.sent && n.c != m.c)
            || (!named.contains(&m.sent) && categories[n.c].group != categories[m.c].group)
    });
}

/// Words that make what follows the means of an act ("用一台电脑", "通过手机").
const MEANS: [&str; 5] = ["用", "通过", "借助", "利用", "使用"];
/// What follows a means that is how easily the act was done ("用手机就能", "通过电脑即可"): right
/// after the noun, or (but for 就 and 便, which follow a clause's time as often) a word or two later
/// ("通过手机App即可").
const WITH_EASE: [&str; 7] = ["就", "便", "就能", "即可", "便能", "就可以", "便可"];

/// A product named as the means of an act done with ease ("用一台电脑就能远程查看摄像头画面",
/// "通过手机即可打开门锁") in a sentence naming another product is the tool of whoever did it,
/// not a product of the text — unless the text names it outside such a frame too. (Not any
/// means: "用手机充电器充电时起火" names its product by 用; the ease is what marks the tool.)
pub(super) fn tools_not_products(cats: &mut Vec<CatM>, words: &[&str]) {
    let framed = |m: &CatM| {
        // the means word right before the noun, or before a measure word before it (一台, 一部)
        let means = (1..=2).any(|d| {
            m.tok >= d
                && words.get(m.tok - d).is_some_and(|w| MEANS.contains(w))
                && (d == 1 || words.get(m.tok - 1).is_some_and(|w| w.starts_with('一')))
        });
        means
            && (m.end..m.end + 3).any(|k| {
                words.get(k).is_some_and(|w| {
                    WITH_EASE.contains(w) && (k == m.end || !matches!(*w, "就" | "便"))
                })
            })
    };
    if cats.iter().any(framed) {
        // (a tool is no product beside any other product, of its own group too: 电脑 and 摄像头)
        drop_framed(cats, framed, |m, n| n.sent == m.sent && n.c != m.c);
    }
}

/// Words of a shop after the trade it sells ("保健品店", "母婴店", "五金商店").
const SHOP_ENDS: [&str; 8] = [
    "店",
    "商店",
    "门店",
    "小店",
    "专卖店",
    "专营店",
    "专柜",
    "柜台",
];

/// A product word right before a company word describes the company ("一家玩具公司召回磁力片积木",
/// "某服饰公司召回…卫衣") in a text naming a product outside such names. Read before anchored
/// refinement, which places a refined product at its anchor's first mention.
pub(super) fn companies_not_products(cats: &mut Vec<CatM>, words: &[&str]) {
    // (an unnamed company told by its trade, "某家具企业召回…", is a company too; a bare "…生产
    // 企业" of a sampling round names the makers of the product sampled, so 企业 needs the 某)
    // (a shop told by its trade, "在保健品店检查时", "玩具店老板说", is a place of trade likewise)
    let company = |m: &CatM| {
        words.get(m.end).is_some_and(|w| {
            super::objects::ORG_ENDS.contains(w)
                || SHOP_ENDS.contains(w)
                || (*w == "企业"
                    && m.tok
                        .checked_sub(1)
                        .is_some_and(|k| matches!(words[k], "某" | "一家" | "某家")))
        })
    };
    if !cats.iter().any(|m| !company(m)) {
        return;
    }
    let drop: Vec<bool> = cats.iter().map(company).collect();
    retain_unmarked(cats, &drop);
}

/// A bare product word in a later sentence that ends an earlier mention of another category
/// ("燃气热水器 … 热水器应安装在通风处", "儿童电话手表 … 手表") is that product again, named short:
/// it takes the earlier mention's category. (Within one sentence both stand as written:
/// "电动自行车和自行车" are two.)
pub(super) fn short_names_point_back(text: &str, toks: &[Tok], cats: &mut [CatM]) {
    let surface = |m: &CatM| {
        let (Some(a), Some(b)) = (toks.get(m.tok), toks.get(m.end.saturating_sub(1))) else {
            return "";
        };
        text.get(a.s..b.e).unwrap_or("")
    };
    for i in 1..cats.len() {
        let short = surface(&cats[i]);
        if short.is_empty() {
            continue;
        }
        let (m, earlier) = (&cats[i], &cats[..i]);
        let named = earlier.iter().find(|n| {
            n.sent < m.sent && n.c != m.c && {
                let long = surface(n);
                long.len() > short.len() && long.ends_with(short)
            }
        });
        if let Some(n) = named {
            cats[i].c = n.c;
        }
    }
}

/// Keeps the mentions whose mark is false.
pub(super) fn retain_unmarked(cats: &mut Vec<CatM>, drop: &[bool]) {
    if !drop.contains(&true) {
        return;
    }
    let mut i = 0;
    cats.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

/// English nouns for a business: a product word right before one names the business, not a
/// product (grammar of English compounds, not a list of shops).
const EN_BUSINESSES: [&str; 22] = [
    "store",
    "stores",
    "shop",
    "shops",
    "chain",
    "chains",
    "retailer",
    "retailers",
    "outlet",
    "outlets",
    "department",
    "departments",
    "aisle",
    "aisles",
    "section",
    "sections",
    "maker",
    "makers",
    "manufacturer",
    "manufacturers",
    "brand",
    "brands",
];

/// English nouns for a thing that holds, hangs or carries a product: a product word right
/// before one only says what it holds ("towel rails", "bottle racks", "phone stands"), as
/// 毛巾架 is no towel. The compound is placed by its own head, as a noun no alias holds.
const EN_FIXTURES: [&str; 20] = [
    "rail",
    "rails",
    "rack",
    "racks",
    "holder",
    "holders",
    "hook",
    "hooks",
    "stand",
    "stands",
    "mount",
    "mounts",
    "hanger",
    "hangers",
    "dispenser",
    "dispensers",
    "organizer",
    "organizers",
    "shelf",
    "shelves",
];

/// English heads of an appliance named by what it works on: a product word right before one
/// says what the appliance warms, dries or cleans ("towel warmers", "shoe dryers", "bottle
/// sterilizers"), as 干鞋器 is no shoe (not "cleaner": a vacuum cleaner is the vacuum). Placed
/// by its own head, as a noun no alias holds (未归类 with its words where no head rule places
/// it).
const EN_APPLIANCE_HEADS: [&str; 18] = [
    "warmer",
    "warmers",
    "dryer",
    "dryers",
    "steamer",
    "steamers",
    "sterilizer",
    "sterilizers",
    "steriliser",
    "sterilisers",
    "maker",
    "makers",
    "sealer",
    "sealers",
    "grinder",
    "grinders",
    "trimmer",
    "trimmers",
];

/// In an English noun compound the last noun is the head: a product phrase followed, across a
/// space only, by one of another group modifies it ("kids bike helmets" are helmets), so it is no
/// product of its own. Of one group, the first is the narrower kind ("school uniform trousers"
/// are school uniform) and the head gives way to it — unless the head is an accessory made for
/// the first ("laptop chargers" are chargers, as 蓝牙音箱充电器 is one).
pub(super) fn english_heads(categories: &[Category], cats: &mut Vec<CatM>, words: &[&str]) {
    let mut drop = vec![false; cats.len()];
    for (i, m) in cats.iter().enumerate() {
        if m.end == 0 || !words.get(m.end - 1).is_some_and(|w| latin_word(w)) {
            continue;
        }
        // a product word before a word for a business names the business ("sold at clothing
        // chains", "toy stores"), as 服装店 and 玩具店 do
        let next = words
            .get(m.end..)
            .and_then(|r| r.iter().find(|w| !w.trim().is_empty()));
        if next.is_some_and(|w| {
            EN_BUSINESSES
                .iter()
                .chain(EN_FIXTURES.iter())
                .chain(EN_APPLIANCE_HEADS.iter())
                .any(|b| b.eq_ignore_ascii_case(w))
        }) {
            drop[i] = true;
            continue;
        }
        let head = cats.iter().position(|n| {
            n.sent == m.sent
                && n.tok > m.end
                && words.get(n.tok).is_some_and(|w| latin_word(w))
                && words
                    .get(m.end..n.tok)
                    .is_some_and(|b| b.iter().all(|w| w.trim().is_empty()))
        });
        if let Some(j) = head {
            let accessory = categories[cats[j].c].accessory && !categories[m.c].accessory;
            if categories[m.c].group == categories[cats[j].c].group && !accessory {
                drop[j] = true;
            } else {
                drop[i] = true;
            }
        }
    }
    retain_unmarked(cats, &drop);
}

/// A Safety Gate alert's category field ("Category: Clothing, textiles and fashion items.
/// Product: children's hooded jacket.") names the class of the product its product field names:
/// a product word in it gives way where another product is named outside it.
pub(super) fn alert_category_field(cats: &mut Vec<CatM>, words: &[&str]) {
    // (an alert is written in English: a text whose mentions are all of Han words has none)
    if !cats.iter().any(|m| super::text::latin_word(words[m.tok])) {
        return;
    }
    let next_word = |from: usize| (from..words.len()).find(|&j| !words[j].trim().is_empty());
    let Some(start) = (0..words.len()).find(|&k| {
        words[k].len() == 8
            && words[k].eq_ignore_ascii_case("category")
            && next_word(k + 1).is_some_and(|j| matches!(words[j], ":" | "："))
    }) else {
        return;
    };
    // the field ends where the product field opens
    let end = (start + 1..words.len())
        .find(|&k| words[k].eq_ignore_ascii_case("product"))
        .unwrap_or(words.len());
    let inside = |m: &CatM| start < m.tok && m.tok < end;
    if cats.iter().all(inside) {
        return;
    }
    cats.retain(|m| !inside(m));
}
