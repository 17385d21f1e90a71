//! Product nouns no name or alias of the rules holds: where a text names them (each member of an
//! enumerated list beside a known product, the noun of a report no category claims) and the
//! category they are nearest to — a name or alias sharing their head word, one they begin, a head
//! rule of cues.toml `[unclassified]` (mostly a group fallback `其他<group>`), else `未归类` with the
//! noun as written, so a new kind of product surfaces instead of being dropped. Also compounds
//! made for a known product (燃气灶具连接用软管, 电动工具用锂离子电池组): what follows 用 is the product.

pub(super) use super::noun_index::{HeadRule, NounIndex};
use super::*;

use super::list_words::{closes_list, ends_noun, numeral};

/// One-character heads of a device (打 + 奶 + 器, 磨 + 脚 + 器): jieba cuts a device's name it
/// does not know into characters, where a garment's or a bag's is more often a brand's.
const DEVICE_HEADS: &str = "器机仪锅壶炉灯扇";

/// Words that open the total after a list ("玩具、背提包和小家电共30批次"): the last member ends
/// before them. Grammar, not a domain cue.
const TOTALS: [&str; 6] = ["共", "共计", "合计", "总计", "累计", "约"];

impl Analyzer {
    /// Whether `noun` (prepared) reads as a product noun: it ends like one (cues.toml
    /// `[unclassified]` suffixes) and not like a word that only looks so (机构).
    pub(super) fn looks_like_product(&self, noun: &str) -> bool {
        noun.chars().count() >= 2 && self.noun_suffixes.ends(noun) && !self.noun_not.ends(noun)
    }

    /// The category of a product noun no alias matched, by [`NounIndex::resolve`], else `未归类`
    /// when it looks like a product noun. A word that only looks like one (电梯, 机构), whole, is
    /// none: its ending would otherwise place it by a head rule (梯 → a ladder).
    pub(super) fn place_noun(&self, noun: &str) -> Option<usize> {
        self.place_noun_preferring(noun, &|_| false)
    }

    /// [`Analyzer::place_noun`], preferring the categories `prefer` holds among equally near ones.
    pub(super) fn place_noun_preferring(
        &self,
        noun: &str,
        prefer: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        if self.noun_not.is(noun) {
            return None;
        }
        self.nouns
            .resolve_preferring(noun, prefer)
            .map(|c| self.for_children(noun, c))
            .or_else(|| self.looks_like_product(noun).then_some(self.unclassified))
    }

    /// A noun that begins with a child word ("儿童快干衬衫", "婴儿防踢被") is of its category's
    /// `child` category, as a known product after a child word is (`made_for_children`).
    pub(super) fn for_children(&self, noun: &str, c: usize) -> usize {
        match self.categories.get(c).and_then(|cat| cat.child) {
            Some(child)
                if self
                    .child_words
                    .iter()
                    .any(|w| noun.starts_with(w.as_str())) =>
            {
                child
            }
            _ => c,
        }
    }

    /// A child word and a short head no alias holds ("儿童桌", "幼儿凳", "宝宝收纳柜"): one
    /// product, placed by the head rules of cues.toml `[unclassified]` when they make it a
    /// children's product (its group is that of children's goods). "儿童书桌" needs no rule: its
    /// 书桌 is an alias, which `made_for_children` refines. The words after the child word are
    /// one of at most two Han characters, or such a modifier and a one-character head, that no
    /// rule phrase and no other mention covers.
    pub(super) fn child_compounds(
        &self,
        text: &str,
        (words, kinds): (&[&str], &[u16]),
        toks: &[Tok],
        ms: &[Match],
        cats: &mut Vec<CatM>,
    ) {
        // most texts hold no child word: one OR over their tokens' lists (vectorised, a fraction
        // of an instruction a token) settles them
        if !kinds.is_empty() && kinds.iter().fold(0, |a, &b| a | b) & lex::CHILD == 0 {
            return;
        }
        let ruled = |k: usize| ms.iter().any(|m| m.a <= k && k < m.b);
        let han = |k: usize| words.get(k).is_some_and(|w| super::text::han_word(w));
        let mut found: Vec<CatM> = Vec::new();
        for (k, w) in words.iter().enumerate() {
            let child = match kinds.get(k) {
                Some(bits) => bits & lex::CHILD != 0,
                // words without their lists read (a table's cells): most open with no child
                // word's character, which one lookup settles
                None => self.child_firsts.holds_first(w) && self.child_words.iter().any(|c| c == w),
            };
            if !child {
                continue;
            }
            let free = |j: usize| {
                j < toks.len()
                    && toks[j].sent == toks[k].sent
                    && han(j)
                    && !ruled(j)
                    && !cats.iter().any(|c| c.tok <= j && j < c.end)
            };
            // one short word after the child word, or a short modifier and a one-character head
            // ("宝宝成长椅"), ending the noun: "儿童床篷" is a canopy and "儿童安全坐椅" a car
            // seat written another way, neither a piece of furniture
            let chars = |j: usize| words.get(j).map_or(0, |w| w.chars().count());
            let e = if chars(k + 1) <= 2 && chars(k + 2) == 1 && free(k + 2) && free(k + 1) {
                k + 3
            } else {
                k + 2
            };
            let short = chars(k + 1) <= 2;
            let ends = !(free(e) && chars(e) == 1);
            if short && ends {
                // a verb that ends like a product ("儿童乘车") is in cues.toml `[unclassified] not`
                if !free(k + 1) || self.noun_not.ends(words[k + 1]) {
                    continue;
                }
                let noun = span_text(text, toks, k, e);
                let Some(c) = self.nouns.resolve(noun) else {
                    continue;
                };
                if c != self.unclassified && self.childrens_group(&self.categories[c].group) {
                    found.push(CatM {
                        c,
                        tok: k,
                        end: e,
                        sent: toks[k].sent,
                    });
                }
            }
        }
        cats.extend(found);
    }

    /// A product made for a known one ("燃气灶具连接用不锈钢软管", "燃气灶专用软管"): a category
    /// phrase, at most two words, a word ending in 用 (or 配套), then a noun no phrase claims. The
    /// whole compound is one product, placed as a noun no alias holds (by its head, then its
    /// modifier), so the phrase before 用 says what it is for and no longer names the product.
    /// A known product right after 用 ("电动工具用锂离子电池组", "手机用充电器") is the product and
    /// the phrase before names only what it is for, unless a category refining that phrase's
    /// takes the word (电动车用锂电池: the anchor rules make it the e-bike battery).
    pub(super) fn made_for_compounds(
        &self,
        text: &str,
        words: &[&str],
        toks: &[Tok],
        cats: &mut Vec<CatM>,
    ) {
        let claimed = |k: usize, cats: &[CatM]| cats.iter().any(|c| c.tok <= k && k < c.end);
        let han = |k: usize| words.get(k).is_some_and(|w| super::text::han_word(w));
        let mut purposes: Vec<usize> = Vec::new();
        for i in 0..cats.len() {
            let m = &cats[i];
            let same = |k: usize| toks.get(k).is_some_and(|t| t.sent == m.sent);
            let Some(u) = (m.end..m.end + 3).find(|&k| {
                words.get(k).is_some_and(|w| {
                    (w.ends_with('用') && w.chars().count() <= 3) || matches!(*w, "配套" | "连接")
                })
            }) else {
                continue;
            };
            // "燃气灶连接软管" is a hose for the stove; "充电器连接手机时" joins two products and
            // "座椅连接卡扣" names a part: 连接 makes only a hose or a pipe
            let joint = words[u] == "连接";
            // (用 and 的 may stand before the product: "燃气灶连接用的橡胶软管", "手机专用的充电线")
            let mut v = u + 1;
            if joint && words.get(v) == Some(&"用") {
                v += 1;
            }
            if words.get(v) == Some(&"的") {
                v += 1;
            }
            if joint && cats.iter().any(|c| c.tok == v) {
                continue;
            }
            // (a coordinator between names two products: "儿童口罩和一次性使用医用口罩")
            let joins =
                |k: usize| matches!(words[k], "和" | "及" | "与" | "、" | "以及" | "或" | "或者");
            if !(m.end..=u).all(|k| same(k) && han(k) && !claimed(k, cats) && !joins(k)) {
                continue;
            }
            if let Some(next) = cats.iter().find(|c| c.tok == v && c.c != m.c) {
                let refined = self.anchored.iter().any(|&ci| {
                    self.categories[ci].anchor.contains(&m.c)
                        && (ci == next.c
                            || self.categories[ci]
                                .anchor_terms
                                .iter()
                                .any(|t| words.get(v).is_some_and(|w| w == t)))
                });
                if !refined {
                    purposes.push(i);
                }
                continue;
            }
            // a noun's words: no particle, adverb, number or time word ("充电宝用了一周就鼓包",
            // "纸尿裤使用后宝宝屁股发红" are uses)
            let nounish = |k: usize| {
                let Some(w) = words.get(k) else { return false };
                let one = w.chars().count() == 1
                    && w.chars().all(|c| {
                        super::objects::NOT_NOUN_CHARS.contains(c)
                            || "就才都也还又再很过着后前时中完".contains(c)
                    });
                let numeral = w.starts_with(|c: char| {
                    c.is_ascii_digit() || "一二两三四五六七八九十几半".contains(c)
                });
                !one && !numeral && !ends_noun(w)
            };
            let mut b = v;
            while b < u + 5 && same(b) && han(b) && !claimed(b, cats) && nounish(b) {
                b += 1;
            }
            // the shortest compound that places as a product of another category: what follows
            // it is mostly what happened to it ("…蓄电池鼓包")
            let placed = (v + 1..=b).find_map(|e| {
                let noun = span_text(text, toks, m.tok, e);
                if joint && !noun.ends_with('管') {
                    return None;
                }
                let c = self.nouns.resolve(noun)?;
                // a category refining another product (电动自行车用蓄电池) is not one made for this
                // product: "电动汽车用动力蓄电池" is no e-bike battery
                let anchor = &self.categories[c].anchor;
                (c != m.c && c != self.unclassified && (anchor.is_empty() || anchor.contains(&m.c)))
                    .then(|| (self.for_children(noun, c), e))
            });
            if let Some((c, e)) = placed {
                cats[i].c = c;
                cats[i].end = e;
            }
        }
        let mut k = 0;
        cats.retain(|_| {
            k += 1;
            !purposes.contains(&(k - 1))
        });
    }

    /// What a recall or an inspection says it recalled or sampled when no alias names it
    /// ("召回部分无线键盘", "抽查宠物垫20批次", "the recalled foot warmers"): the noun after an
    /// object verb of the opening sentences (cues.toml `[unclassified] object_verbs`), or of an
    /// English recall sentence, when the head rules place it in a category. It is then a product
    /// of the text like an alias's, and a part word (锂电池) gives way to it as to any product. A
    /// noun they cannot place is left to the findings.
    pub(super) fn object_product(&self, p: &Prepared, t: &Tokens, cats: &mut Vec<CatM>) {
        // (an English standard names its product after "standard for": the English phrase only)
        if p.kind == DocKind::Standard {
            if let Some((a, b)) = super::english::english_recalled(t, &|k| t.toks[k].sent <= 1) {
                self.object_product_at(p, t, cats, (a, b), false);
            }
            return;
        }
        if !matches!(p.kind, DocKind::Recall | DocKind::Inspection) {
            return;
        }
        // each object verb of the opening sentences in turn ("发布召回公告，召回一款…" names its
        // product at the second): the noun right after it, or the noun before "实施召回" ("对…
        // 阅读器实施召回"); then the English recall phrase. (The first product-like noun of the
        // verb's clause, "召回2024年生产的部分录音笔", was tried: it placed wrong nouns.)
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for k in self.object_verb_tokens(t) {
            spans.extend(self.object_after(t, k));
            // (and the noun before a passive one: "约1.3万个婴儿摇铃被召回")
            if k >= 2 && matches!(t.words[k - 1], "实施" | "进行" | "启动" | "被" | "遭") {
                spans.extend(self.noun_span(t, k - 2));
            }
            spans.extend(self.object_before(t, k));
        }
        // a recall that names no verb's object names its product before the cause it gives
        // ("某公司進口的無線滑鼠因電池芯不良…", "該款電暖器因溫控器失效…")
        if p.kind == DocKind::Recall {
            for k in (1..t.toks.len()).take_while(|&k| t.toks[k].sent <= 1) {
                if matches!(t.words[k], "因" | "因为" | "由于")
                    && t.toks[k - 1].clause == t.toks[k].clause
                {
                    spans.extend(self.noun_span(t, k - 1));
                }
            }
        }
        for (a, b) in spans {
            if self.object_product_at(p, t, cats, (a, b), false) {
                return;
            }
        }
        // (read only when no Chinese object settled it: most texts are Chinese)
        if let Some((a, b)) = super::english::english_recalled(t, &|k| t.toks[k].sent <= 1) {
            self.object_product_at(p, t, cats, (a, b), false);
        }
    }

    /// [`Analyzer::object_product`] for the noun at tokens `a..b`; whether it settled the matter
    /// (a product added, or the noun already a known product's). `listed`: the noun is one
    /// product of a round-up (a line, a clause opening on 一款), never another product named again.
    pub(super) fn object_product_at(
        &self,
        p: &Prepared,
        t: &Tokens,
        cats: &mut Vec<CatM>,
        (a, b): (usize, usize),
        listed: bool,
    ) -> bool {
        // a known product at the noun's end is its head: the noun is that product already; one
        // inside it is a modifier ("towel warmers", "玩具收纳箱") and gives way
        let overlaps = |c: &CatM| c.tok < b && a < c.end;
        // (a category phrase at its end that another rule dropped, a part word: "the e-bikes'
        // batteries" are the e-bikes', and the noun is no new product)
        // (but not one its category excludes here: "攀岩安全带" is no car's belt, and the noun is
        // placed by its head as one no alias holds)
        let head_known =
            t.ms.iter()
                .any(|m| m.b == b && m.a >= a && self.refused_here(p, t, m) == Some(false));
        // (a bare word that is the last word of a product named before is that product again:
        // "儿童安全座椅…测试的18款座椅", "电动牙刷…抽检的牙刷")
        let named_again = b - a == 1 && {
            let noun = t.words[a];
            cats.iter().any(|c| {
                c.end <= a
                    && span_text(&p.full, &t.toks, c.tok, c.end)
                        .strip_suffix(noun)
                        .is_some_and(|m| !m.is_empty())
            })
        };
        // (a noun no alias names right after a product and its 的 is that product's part or
        // accessory: "耳机的充电盒", "扫地机的充电座")
        let owned = super::objects::owned_by_product(t, a);
        if head_known
            || named_again
            || owned
            || cats
                .iter()
                .any(|c| overlaps(c) && (c.end >= b || c.tok < a))
        {
            return true;
        }
        // (of names as near, one of a group the sentence's known products are of: a hose "燃气灶
        // 连接用的" is the gas appliances' hose, not a car's)
        let sent = t.toks[a].sent;
        let prefer = |c: usize| {
            cats.iter()
                .any(|m| m.sent == sent && self.categories[m.c].group == self.categories[c].group)
        };
        let place = |a: usize| {
            let noun = span_text(&p.full, &t.toks, a, b);
            self.nouns
                .resolve_preferring(noun, &prefer)
                .map(|c| self.for_children(noun, c))
                .filter(|&c| c != self.unclassified)
        };
        // a word or two more before the noun may be its modifiers: a rule word its words exclude,
        // or a fourth word ("电热" + 烘鞋器, "电动" + 宠物指甲打磨器: electric ones)
        // (not a product's own name: "移动电源" + 支架 is the power bank's stand)
        let modifier_word = |j: usize| {
            t.toks[j].clause == t.toks[a].clause
                && super::text::han_word(t.words[j])
                && t.words[j].chars().count() >= 2
                && !t
                    .ms
                    .iter()
                    .any(|m| m.a <= j && j < m.b && matches!(m.target, Target::Category(_)))
                && !t.is(j, lex::OBJECT_VERB | lex::LEAD_NOT)
        };
        // the noun as found, then each wider one that places it and disagrees: the wider noun
        // says more (燃气 + 金属软管 is a gas hose, where 软管 alone is as near a car's brake
        // hose; 可视 + 对讲 + 门铃 films)
        let mut placed = place(a).map(|c| (a, c));
        for j in (a.saturating_sub(2)..a).rev() {
            if !modifier_word(j) {
                break;
            }
            if let Some(c) = place(j)
                && placed.is_none_or(|(_, p)| p != c)
            {
                placed = Some((j, c));
            }
        }
        let Some((a, c)) = placed else {
            return false;
        };
        // (a known product right before the noun, in one compound with it, is its modifier too
        // when the noun has modifiers of its own: "按摩仪蓝牙遥控器" is the remote of a
        // massager; a bare part word after a product is the product's, "移动电源支架")
        let modifier =
            |c: &CatM| c.end == a && b - a >= 2 && t.toks[c.tok].clause == t.toks[a].clause;
        let mut with: Vec<CatM> = cats
            .iter()
            .filter(|c| !overlaps(c) && !modifier(c))
            .cloned()
            .collect();
        with.push(CatM {
            c,
            tok: a,
            end: b,
            sent: t.toks[a].sent,
        });
        with.sort_by_key(|m| m.tok);
        // (the noun's accessory after 的 is its part: "一款奶泡机的火牛可能过热")
        self.accessories_take_over(&mut with, &t.words);
        self.drop_parts(&p.full, (&t.words, &t.kinds), &t.toks, &mut with);
        // a group's fallback gives way to a category of its group the text names ("召回部分折叠
        // 躺椅…椅子突然折叠": the chair), not to a part word it took over (锂电池), nor to another
        // member of a list it stands in (its clause: "抽查了电动牙线器、桌面风扇灯…")
        let group = &self.categories[c].group;
        let clause = t.toks[a].clause;
        if !listed
            && rules::is_group_fallback(&self.categories[c].name, group)
            && with.iter().any(|m| {
                m.tok != a && &self.categories[m.c].group == group && t.toks[m.tok].clause != clause
            })
        {
            return true;
        }
        *cats = with;
        true
    }

    /// Where a member read from a long run of tokens ending at `b` begins ("抽查了背提包": its last
    /// token alone), or with the one or two modifiers before it when they place it more precisely
    /// within the group its head alone names (抽检一次性塑料餐盒: 塑料餐盒 is disposable ware, 餐盒 only
    /// food-contact ware; a modifier refines the head, it does not change what the thing is).
    fn long_member_start(
        &self,
        p: &Prepared,
        t: &Tokens,
        b: usize,
        ruled: &dyn Fn(usize) -> bool,
        prefer: &dyn Fn(usize) -> bool,
    ) -> usize {
        let toks = &t.toks;
        let specific = |c: usize| {
            c != self.unclassified
                && !rules::is_group_fallback(&self.categories[c].name, &self.categories[c].group)
        };
        let place = |j: usize| {
            p.full
                .get(toks[j].s..toks[b - 1].e)
                .and_then(|n| self.place_noun(n))
        };
        let free = |k: usize| !ruled(k) && !t.is(k, lex::OBJECT_VERB);
        let Some(head) = place(b - 1).filter(|&h| !specific(h) && h != self.unclassified) else {
            // (jieba cuts a compound it does not know into characters, "手动" + 打 + 奶 + 器: the
            // member is those characters, with the word before them when that places it in a
            // group the sentence's known products are of)
            let one_char = |k: usize| {
                let mut cs = t.words[k].chars();
                cs.next()
                    .is_some_and(|c| !super::objects::NOT_NOUN_CHARS.contains(c))
                    && cs.next().is_none()
            };
            let mut j = b - 1;
            let device =
                t.words[b - 1].chars().count() == 1 && DEVICE_HEADS.contains(t.words[b - 1]);
            while device && j > b.saturating_sub(3) && one_char(j - 1) && free(j - 1) {
                j -= 1;
            }
            if j == b - 1 {
                return b - 1;
            }
            return std::iter::once(j)
                .chain(j.checked_sub(1).filter(|&s| free(s)))
                .find(|&s| place(s).is_some_and(prefer))
                .unwrap_or(b - 1);
        };
        [b - 3, b - 2]
            .into_iter()
            .find(|&j| {
                (j..b - 1).all(|k| !ruled(k) && !t.is(k, lex::OBJECT_VERB))
                    && place(j).is_some_and(|c| {
                        specific(c) && self.categories[head].group == self.categories[c].group
                    })
            })
            .unwrap_or(b - 1)
    }

    /// The refining category of a list member named by one of its anchor terms beside its anchor
    /// in the sentence (锂离子蓄电池 beside 电动自行车), if any.
    fn refined_member(&self, noun: &str, sent: usize, cats: &[CatM]) -> Option<usize> {
        self.anchored.iter().copied().find(|&ci| {
            let cat = &self.categories[ci];
            cat.anchor_terms.iter().any(|t| noun.ends_with(t.as_str()))
                && cats
                    .iter()
                    .any(|m| m.sent == sent && cat.anchor.contains(&m.c))
        })
    }

    /// Members of enumerated lists that no alias matched ("玩具、服装、背提包和小家电": 背提包
    /// and 小家电 beside the known 玩具 and 服装): each becomes a mention of its own, of the
    /// category it is nearest to (or `未归类`), with the noun as written for `未归类` ones.
    /// A member is what stands between two list separators (cues.toml `[coordination]` words)
    /// next to a known product: at most three tokens of letters and Han characters, none a rule
    /// word of another kind; of a longer run, its last token.
    pub(super) fn list_members(
        &self,
        p: &Prepared,
        t: &Tokens,
        cats: &[CatM],
    ) -> (Vec<CatM>, Vec<(usize, String)>) {
        let (toks, words) = (&t.toks, &t.words);
        let is_sep = |k: usize| t.is(k, lex::JOIN);
        // most documents list nothing: no separator beside any product (or before a product's
        // modifiers: "餐盒和塑料吸管", where the rules name 吸管)
        let sep_before = |m: &CatM| (1..=3).any(|d| m.tok >= d && is_sep(m.tok - d));
        if !cats
            .iter()
            .any(|m| is_sep(count_after(words, m.end)) || sep_before(m))
        {
            return (Vec::new(), Vec::new());
        }
        // tokens a rule phrase covers (a category phrase its exclusions dropped too), and the
        // words that close a list ("…等建材" names no member)
        let mut ruled = vec![false; toks.len()];
        for m in &t.ms {
            for r in ruled.iter_mut().take(m.b).skip(m.a) {
                *r = true;
            }
        }
        for (k, w) in words.iter().enumerate() {
            if closes_list(w) {
                ruled[k] = true;
            }
        }
        let covered = |k: usize| cats.iter().any(|c| c.tok <= k && k < c.end);
        let ruled = |k: usize| ruled[k] && !covered(k);
        let wordlike = |k: usize| words.get(k).is_some_and(|w| wordlike(w));
        let mut found: Vec<CatM> = Vec::new();
        let mut nouns: Vec<(usize, String)> = Vec::new();
        let mut take = |a: usize, b: usize, found: &mut Vec<CatM>| {
            if a >= b || found.iter().any(|f| f.tok == a) {
                return;
            }
            // (of names as near, one of a group the sentence's known products are of)
            let sent = toks[a].sent;
            let prefer = |c: usize| {
                cats.iter().any(|m| {
                    m.sent == sent && self.categories[m.c].group == self.categories[c].group
                })
            };
            // a long run ("抽查了背提包"): its last token alone, or with its modifiers
            let a = if b - a > 3 {
                self.long_member_start(p, t, b, &ruled, &prefer)
            } else {
                a
            };
            // a member may begin with whom it is made for (学生课桌椅), a rule word of its own
            let for_whom = |k: usize| {
                k == a
                    && b - a > 1
                    && words
                        .get(k)
                        .is_some_and(|w| *w == "学生" || self.child_words.iter().any(|c| c == w))
            };
            // ("…及类似柔性发热器具" names a class like the members before it, no product)
            if words.get(a).is_some_and(|w| w.starts_with("类似"))
                || (a..b).any(|k| (ruled(k) && !for_whom(k)) || !wordlike(k) || covered(k))
            {
                return;
            }
            let (s, e) = (toks[a].s, toks[b - 1].e);
            let Some(noun) = p.full.get(s..e) else { return };
            if !(2..=10).contains(&noun.chars().count()) {
                return;
            }
            // a member named by an anchor term of a product the list names ("电动自行车60批次、
            // 锂离子蓄电池30批次") is that product's refined category, as in anchored refinement
            let refined = self.refined_member(noun, toks[a].sent, cats);
            let Some(c) = refined.or_else(|| self.place_noun_preferring(noun, &prefer)) else {
                return;
            };
            if c == self.unclassified
                && let Some(w) = p.orig.get(s..e)
            {
                nouns.push((a, w.to_string()));
            }
            found.push(CatM {
                c,
                tok: a,
                end: b,
                sent: toks[a].sent,
            });
        };
        // a count after a product or a member ("燃气灶具28批次、金属软管10批次"): the list goes on
        // after it
        let count_end = |k: usize| count_after(words, k);
        for m in cats {
            // rightwards: separator, member, separator, member … up to the next known product
            let mut k = count_end(m.end);
            while is_sep(k) {
                let a = k + 1;
                let mut b = a;
                while b < toks.len()
                    && toks[b].sent == m.sent
                    && !is_sep(b)
                    && !covered(b)
                    && wordlike(b)
                    && count_end(b) == b
                    && !words.get(b).is_some_and(|w| ends_member(w))
                {
                    b += 1;
                }
                if b == a {
                    break;
                }
                take(a, b, &mut found);
                k = count_end(b);
            }
            // leftwards, from the separator before the product's modifiers (塑料 of 塑料吸管)
            let modifier = |j: usize| {
                toks[j].sent == m.sent
                    && wordlike(j)
                    && !covered(j)
                    && !ruled(j)
                    && !t.is(j, lex::OBJECT_VERB)
            };
            let mut k = (1..=2)
                .find(|&d| m.tok > d && is_sep(m.tok - d - 1) && (m.tok - d..m.tok).all(modifier))
                .map_or(m.tok, |d| m.tok - d);
            while k > 0 && is_sep(k - 1) {
                let b = count_before(words, k - 1);
                let mut a = b;
                while a > 0
                    && toks[a - 1].sent == m.sent
                    && !is_sep(a - 1)
                    && !covered(a - 1)
                    && wordlike(a - 1)
                {
                    a -= 1;
                }
                if a == b {
                    break;
                }
                take(a, b, &mut found);
                k = a;
            }
        }
        (found, nouns)
    }
}

/// Whether a word ends a list's member: it closes the list (等), ends a noun, opens the total
/// (共), or is the round's verb after 对 ("对…和电动打奶器开展抽检").
fn ends_member(w: &str) -> bool {
    closes_list(w)
        || ends_noun(w)
        || TOTALS.contains(&w)
        || matches!(w, "开展" | "进行" | "组织开展")
}

/// Whether a token is a word a product name is made of: letters, digits and CJK characters.
fn wordlike(w: &str) -> bool {
    w.chars()
        .all(|c| c.is_ascii_alphanumeric() || ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Measure words of a count in a list of sampled products ("28批次", "15个批次", "3款").
const LIST_MEASURES: [&str; 12] = [
    "批次", "批", "件", "款", "个", "台", "只", "种", "组", "套", "辆", "家",
];

/// Whether a token is a number: digits (with separators), or Chinese numerals.
fn number_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| numeral(c) || ",.".contains(c))
}

/// The token after a count starting at `k` (a number and one or two measure words), else `k`.
fn count_after(words: &[&str], k: usize) -> usize {
    if !words.get(k).is_some_and(|w| number_word(w)) {
        return k;
    }
    let measure = |j: usize| words.get(j).is_some_and(|w| LIST_MEASURES.contains(w));
    match (measure(k + 1), measure(k + 2)) {
        (true, true) => k + 3,
        (true, false) => k + 2,
        _ => k,
    }
}

/// The first token of a count ending right before `k` ("金属软管10批次、…"), else `k`.
fn count_before(words: &[&str], k: usize) -> usize {
    (k.saturating_sub(3)..k)
        .find(|&j| count_after(words, j) == k)
        .unwrap_or(k)
}

#[cfg(test)]
mod tests {
    use super::super::noun_index::{HeadRule, NounIndex};

    fn ix() -> NounIndex {
        NounIndex::new(
            [
                ("储水式电热水器".to_string(), 0),
                ("电热水器".to_string(), 0),
                ("电线电缆".to_string(), 1),
                ("儿童用品".to_string(), 2),
                ("燃气软管".to_string(), 3),
            ]
            .into_iter(),
            vec!["用品".into()],
            vec![HeadRule {
                ends: vec!["锅".into()],
                with: vec!["电".into(), "空气".into()],
                category: 4,
                over_alias: false,
            }],
        )
    }

    #[test]
    fn a_noun_goes_to_the_name_sharing_its_head_word() {
        let ix = ix();
        assert_eq!(ix.resolve("快热式电热水器"), Some(0));
        assert_eq!(ix.resolve("金属软管"), Some(3));
        // a bare head word, or a noun that only begins a name, is placed by no name
        assert_eq!(ix.resolve("水器"), None);
        assert_eq!(ix.resolve("电线"), None);
        // a generic head places nothing; a head rule does
        assert_eq!(ix.resolve("宠物用品"), None);
        assert_eq!(ix.resolve("空气炸锅"), Some(4));
        assert_eq!(ix.resolve("炒锅"), None);
        assert_eq!(ix.resolve("锅"), None);
    }

    /// A noun a category refuses by its `exclude` is no sibling's that shares only the head.
    #[test]
    fn a_refused_noun_goes_to_no_sibling_sharing_only_the_head() {
        let ix = NounIndex::new(
            [("玩具".to_string(), 0), ("磁性玩具".to_string(), 1)].into_iter(),
            Vec::new(),
            Vec::new(),
        )
        .with_excludes(vec![vec!["宠物玩具".into()], Vec::new()]);
        assert_eq!(ix.resolve("宠物玩具"), None);
        assert_eq!(ix.resolve("猫咪宠物玩具"), None);
        assert_eq!(ix.resolve("毛绒玩具"), Some(0));
        // a sibling that shares more than the head still takes it
        assert_eq!(ix.resolve("磁性宠物玩具"), Some(1));
    }

    #[test]
    fn a_tie_of_heads_goes_to_the_name_sharing_the_modifier() {
        let ix = NounIndex::new(
            [
                ("纸餐盒".to_string(), 0),
                ("一次性餐盒".to_string(), 1),
                ("折叠书桌".to_string(), 2),
            ]
            .into_iter(),
            vec!["套装".into(), "用品".into()],
            Vec::new(),
        );
        // both share 餐盒; only one shares the modifier 一次性
        assert_eq!(ix.resolve("一次性塑料餐盒"), Some(1));
        assert_eq!(ix.resolve("一次性发泡餐盒"), Some(1));
        assert_eq!(ix.resolve("牛皮纸餐盒"), Some(0));
        // no modifier in common: the earlier name
        assert_eq!(ix.resolve("外卖餐盒"), Some(0));
        // no alias shares the modifier, a category's name does: 塑料 is plastic ware's
        let named = NounIndex::new(
            [
                ("纸餐盒".to_string(), 0),
                ("外卖餐盒".to_string(), 1),
                ("保鲜盒".to_string(), 2),
            ]
            .into_iter(),
            Vec::new(),
            Vec::new(),
        )
        .with_category_names(vec![
            "食品接触用纸制品".chars().collect(),
            "一次性塑料餐饮具".chars().collect(),
            "塑料保鲜容器".chars().collect(),
        ]);
        assert_eq!(named.resolve("塑料餐盒"), Some(1));
        assert_eq!(named.resolve("牛皮纸餐盒"), Some(0));
        // of two names holding as much of it, the one saying least the noun does not
        let least = NounIndex::new(
            [("打包餐盒".to_string(), 1), ("外卖餐盒".to_string(), 0)].into_iter(),
            Vec::new(),
            Vec::new(),
        )
        .with_category_names(vec![
            "塑料餐饮具".chars().collect(),
            "一次性塑料餐饮具".chars().collect(),
        ]);
        assert_eq!(least.resolve("塑料餐盒"), Some(0));
        // English heads are whole words
        let en = NounIndex::new(
            [("rice cookers".to_string(), 3), ("cookers".to_string(), 4)].into_iter(),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(en.resolve("electric rice cookers"), Some(3));
        assert_eq!(en.resolve("egg cookers"), Some(4));
        assert_eq!(en.resolve("school lockers"), None);
        // a generic head is the kind of what stands before it
        assert_eq!(ix.resolve("实木书桌套装"), Some(2));
        assert_eq!(ix.resolve("学生书桌用品"), Some(2));
        assert_eq!(ix.resolve("收纳套装"), None);
    }
}
