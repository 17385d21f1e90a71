//! The product noun of a recall or an inspection that no category phrase names: the object of its
//! verb (召回香薰蜡烛约8,000个, 抽检钢琴10批次, 对家用空调开展抽查), a token ending like a product noun
//! (cues.toml `[unclassified]`) with its modifiers, and the category that noun is nearest to.

use super::*;

/// cues.toml `[unclassified]`'s words around an object noun, prepared.
#[derive(Debug, Default)]
pub(super) struct ObjectWords {
    /// `object_counts`: words that end the object as a number does (约, 共计).
    pub(super) counts: Vec<String>,
    /// `object_fillers`: words between a noun before its verb and the verb (开展, 专项).
    pub(super) fillers: Vec<String>,
    /// `object_openers`: words right before the noun that open it (通报, 关于).
    pub(super) openers: Vec<String>,
}

/// Single characters that never begin or continue a product noun: particles, prepositions and
/// measure words (grammar, not a domain cue).
pub(super) const NOT_NOUN_CHARS: &str =
    "的了在和与及把被将对从等是有为个只台件款批种部该此这那其各某一";

/// Whether a word may stand inside a Han product noun: Han characters, or a short run of Latin
/// letters that a Chinese name writes as it is ("卡拉OK麦克风", "USB暖手宝", "K歌话筒"). Digits
/// make a model number ("KX-20"), which is no part of the noun.
fn noun_word(w: &str) -> bool {
    super::text::han_word(w) || (w.len() <= 8 && super::text::latin_word(w))
}

/// The last token of a count that follows the object verb at token `k` ("约" "2" "万台",
/// "共计" "1,200" "件"), when the count ends in a measure word and a Han word follows it in the
/// clause: the object noun comes after it. A date ("2024年生产的") is no count.
fn count_before_object(t: &Tokens, k: usize, counts: &[String]) -> Option<usize> {
    const MEASURES: &str = "万千百余多台件个辆套只双支把块条张顶批款种部箱盒瓶袋";
    let mut clause = t.toks.get(k + 1)?.clause;
    let first = t.words[k + 1];
    if !first.starts_with(|c: char| c.is_ascii_digit()) && !counts.iter().any(|c| c == first) {
        return None;
    }
    let mut measured = None;
    let digits = |j: usize| {
        t.words
            .get(j)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    };
    for j in k + 1..t.toks.len() {
        let w = t.words[j];
        // a thousands separator ("2,400") ends no clause here
        let separator = matches!(w, "," | "，") && j > 0 && digits(j - 1) && digits(j + 1);
        if separator {
            clause = t.toks[j + 1].clause;
        } else if t.toks[j].clause != clause {
            return None;
        }
        let number = separator
            || w.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.'));
        let measure = w.chars().all(|c| MEASURES.contains(c));
        if measure {
            measured = Some(j);
        } else if number || counts.iter().any(|c| c == w) {
            measured = None;
        } else {
            return measured.filter(|_| super::text::han_word(w));
        }
    }
    None
}

/// Words that end a company's name right after a noun: the noun is the company's trade, no
/// product of the text.
pub(super) const ORG_ENDS: [&str; 9] = [
    "公司",
    "有限公司",
    "股份有限公司",
    "厂",
    "集团",
    "商行",
    "经营部",
    "经销部",
    "制造厂",
];

impl Analyzer {
    /// The product noun of a report about a product no category knows: a token of sentence
    /// `sent` (when `None`: the title and the text's first sentence) that ends like a product noun (cues.toml
    /// `[unclassified]`), the nearest one before token `near` first.
    pub(super) fn product_noun(
        &self,
        p: &Prepared,
        t: &Tokens,
        sent: Option<usize>,
        near: usize,
    ) -> Option<String> {
        let in_scope = |k: usize| match sent {
            Some(s) => t.toks[k].sent == s,
            None => t.toks[k].sent <= 1,
        };
        // (not what a fire reached, after a `[victim]` verb of its clause: "引燃纸箱" names the
        // fuel, as it does of a known product)
        let is_noun = |k: usize| {
            self.noun_span(t, k).is_some_and(|(a, _)| {
                !owned_by_product(t, a) && !t.before_in_clause(a, lex::VICTIM_VERB)
            })
        };
        // a sentence's tokens are contiguous: walk back from `near` while still inside it
        let before = (0..near.min(t.toks.len()))
            .rev()
            .take_while(|&k| in_scope(k))
            .find(|&k| is_noun(k));
        let k = before.or_else(|| {
            (0..t.toks.len())
                .filter(|&k| in_scope(k))
                .find(|&k| is_noun(k))
        });
        let span = match k {
            Some(k) => self.noun_span(t, k),
            None => (0..t.toks.len())
                .filter(|&k| in_scope(k))
                .find_map(|k| self.refused_alias_span(p, t, k))
                .or_else(|| super::english::english_recalled(t, &in_scope)),
        };
        let (a, b) = span?;
        p.orig.get(t.toks[a].s..t.toks[b - 1].e).map(str::to_string)
    }

    /// The noun at token `k` when it is an alias its every category excludes here ("儿童发光手环":
    /// no smart band): a product noun no rule names after all, with up to two modifiers before it.
    fn refused_alias_span(&self, p: &Prepared, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        if !t.is(k, lex::RULE) || !self.noun_suffixes.ends(t.words[k]) {
            return None;
        }
        let mut of_k =
            t.ms.iter()
                .filter(|m| m.a <= k && k < m.b && matches!(m.target, Target::Category(_)))
                .peekable();
        of_k.peek()?;
        let refused = of_k.all(|m| self.refused_here(p, t, m) == Some(true));
        let same = |j: usize| t.toks[j].clause == t.toks[k].clause;
        let a = (k.saturating_sub(2)..k)
            .rev()
            .take_while(|&j| same(j) && self.noun_modifier(t, j))
            .last()
            .unwrap_or(k);
        refused.then_some((a, k + 1))
    }

    /// The products a recall's later lines name each after a field label or an item number
    /// ("产品：婴儿提篮（…）", "二、电动奶泡器约2.6万台"), and its clauses that open on 一款 ("召回：
    /// 一款…；另有一款…"): a round-up of several recalls names one product per line or clause, each
    /// placed like the object of the opening sentence.
    pub(super) fn roundup_products(&self, p: &Prepared, t: &Tokens, cats: &mut Vec<CatM>) {
        if p.kind != DocKind::Recall {
            return;
        }
        let words = &t.words;
        let colon = |k: usize| words.get(k).is_some_and(|w| matches!(*w, ":" | "："));
        // (an item number opens a line: "一、", "1.", "（2）")
        let numbered = |k: usize| {
            let line_start = k == 0 || words[k - 1].contains('\n');
            line_start
                && words.get(k).is_some_and(|w| {
                    w.chars()
                        .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
                })
                && words
                    .get(k + 1)
                    .is_some_and(|w| matches!(*w, "、" | "." | "．"))
        };
        // (a clause that opens on 一款 introduces one product of a list of recalls: "召回：一款…；
        // 另有一款…"; the first sentence's verb object is read by `object_product` already)
        let opens_clause = |k: usize| {
            k == 0
                || t.toks[k - 1].clause != t.toks[k].clause
                || matches!(
                    words[k - 1],
                    ":" | "：" | ";" | "；" | "有" | "另有" | "还有" | "其中" | "以及"
                )
        };
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for k in 0..words.len() {
            if words[k] == "一款" && opens_clause(k) {
                spans.extend(self.object_after(t, k));
                continue;
            }
            if t.toks[k].sent <= 1 {
                continue;
            }
            if matches!(words[k], "产品" | "产品名称" | "召回产品" | "涉及产品") && colon(k + 1)
            {
                spans.extend(self.object_after(t, k));
            } else if numbered(k) {
                let clause = t.toks[k + 1].clause;
                spans.extend(
                    (k + 2..(k + 6).min(words.len()))
                        .take_while(|&j| t.toks[j].clause == clause)
                        .find_map(|j| self.noun_span(t, j)),
                );
            }
        }
        spans.extend(super::english::english_list_items(t));
        for span in spans {
            self.object_product_at(p, t, cats, span, true);
        }
    }

    /// The product a recall's or an inspection's opening sentences name when no product ending
    /// marks it ("召回香薰蜡烛约8,000个", "抽检钢琴10批次"): up to three content words right before
    /// the first count or the end of the clause that follows one of `[unclassified] object_verbs`.
    pub(super) fn verb_object(&self, p: &Prepared, t: &Tokens) -> Option<String> {
        let (a, stop) = self.verb_object_span(t)?;
        p.orig
            .get(t.toks[a].s..t.toks[stop - 1].e)
            .map(str::to_string)
    }

    /// The tokens of [`Analyzer::verb_object`]'s noun.
    pub(super) fn verb_object_span(&self, t: &Tokens) -> Option<(usize, usize)> {
        let k = *self.object_verb_tokens(t).first()?;
        self.object_after(t, k)
    }

    /// The tokens of the opening sentences (title and first sentence) that are object verbs.
    /// A verb inside a title (《缺陷消费品召回管理办法》, the rule a recall is filed under) names no
    /// recalled object.
    pub(super) fn object_verb_tokens(&self, t: &Tokens) -> Vec<usize> {
        let mut in_title = false;
        (0..t.toks.len())
            .take_while(|&k| t.toks[k].sent <= 1)
            .filter(|&k| {
                match t.words[k] {
                    "《" => in_title = true,
                    "》" => in_title = false,
                    _ => {}
                }
                !in_title && t.is(k, lex::OBJECT_VERB)
            })
            .collect()
    }

    /// The object noun after the object verb at token `k` (see [`Analyzer::verb_object`]).
    pub(super) fn object_after(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        // "召回以下产品：电动奶泡器…": what 以下 points to follows the colon
        if t.words
            .get(k + 1)
            .is_some_and(|w| matches!(*w, "以下" | "如下" | "下列"))
            && let Some(colon) =
                (k + 2..(k + 5).min(t.toks.len())).find(|&j| matches!(t.words[j], ":" | "："))
        {
            return self.object_after(t, colon);
        }
        // a table's cell or a label's colon stands between a field name and its value
        // ("产品名称 | 料理棒 |", "召回产品：料理棒")
        let k = (k + 1..t.toks.len())
            .take_while(|&j| {
                matches!(
                    t.words[j],
                    " " | "  " | "|" | "｜" | ":" | "：" | "\u{3000}"
                )
            })
            .last()
            .unwrap_or(k);
        // (a colon closes a clause: the value's clause is the one after it)
        let clause = t.toks.get(k + 1)?.clause;
        // "召回的点读笔产品…": what is recalled is the first product-like noun after 的
        // (with the words between: "召回的电动窗帘电机" is a motor, not the curtain of its modifier);
        // so is it after 一款 ("一款電熱便當盒的蓋子…可能脫落": the lunch box)
        let first = if t.words[k + 1] == "的" {
            Some(k + 2)
        } else {
            (t.words[k] == "一款").then_some(k + 1)
        };
        if let Some(first) = first {
            // (a known product first is the object already: "一款電熱毯的電源控制器"; another
            // rule word is none: "一款产自中国的…", "一款电动加热坐垫"; nor is a product a noun
            // right after it heads: "一款按摩仪蓝牙遥控器" is a remote)
            let goes_on = |from: usize| {
                (from..(from + 3).min(t.toks.len()))
                    .take_while(|&x| {
                        t.toks[x].clause == clause
                            && super::text::han_word(t.words[x])
                            && t.words[x] != "的"
                    })
                    .any(|x| self.noun_span(t, x).is_some())
            };
            let product_at = |j: usize| {
                t.is(j, lex::RULE)
                    && t.ms.iter().any(|m| {
                        m.a == j && matches!(m.target, Target::Category(_)) && !goes_on(m.b)
                    })
            };
            // (`noun_span` ends the noun at a head character after it: "连" + "帽" + "衫" is the
            // hoodie, not its hood)
            let (a, b) = (first..t.toks.len())
                .take_while(|&j| {
                    t.toks[j].clause == clause && (t.words[k] != "一款" || !product_at(j))
                })
                .find_map(|j| self.noun_span(t, j))?;
            let han = (first..a).all(|j| super::text::han_word(t.words[j]) && t.words[j] != "的");
            return Some((if han && b - first <= 4 { first } else { a }, b));
        }
        // a count right after the verb ("召回约2万台点读笔", "召回共计1,200件…"): the object
        // follows its measure word
        if let Some(j) = count_before_object(t, k, &self.objects.counts)
            && let Some(span) = self.object_after(t, j)
        {
            return Some(span);
        }
        let count = |w: &str| {
            w.starts_with(|c: char| c.is_ascii_digit())
                || self.objects.counts.iter().any(|c| c == w)
        };
        // (a joining word ends the first product of a list: "召回电子阅读器及其配套充电器" recalls
        // the reader, with its charger)
        let joins = |w: &str| matches!(w, "及" | "及其" | "和" | "与" | "以及");
        let stop = (k + 1..t.toks.len())
            .find(|&j| {
                t.toks[j].clause != clause
                    || !noun_word(t.words[j])
                    || count(t.words[j])
                    || (j > k + 1 && joins(t.words[j]))
            })
            .unwrap_or(t.toks.len());
        // (the head itself may be a rule word: an alias its category excludes here)
        let content = |j: usize| {
            (self.noun_modifier(t, j) || (j + 1 == stop && super::text::han_word(t.words[j])))
                && !t.words[j].ends_with('的')
        };
        // "钢琴产品10批次": the generic word names no product
        let stop = if stop > k + 1 && self.nouns.is_generic_head(t.words[stop - 1]) {
            stop - 1
        } else {
            stop
        };
        let mut a = stop;
        while a > k + 1 && stop - a < 3 && content(a - 1) {
            a -= 1;
        }
        // a child word before the noun says whom it is made for, as in `noun_span` ("召回儿童
        // 连帽衫": a child's hoodie)
        if a > k + 1 && a < stop && t.is(a - 1, lex::CHILD) {
            a -= 1;
        }
        // a date or a model number after the verb opens a relative clause ("召回2026年5月生产的
        // 部分打蛋棒", "召回型号为LX-200的播放器"): the object follows its 的
        let interrupted = t.toks.get(stop).is_some_and(|x| {
            x.clause == clause
                && !super::text::han_word(t.words[stop])
                && (stop == k + 1 || !count(t.words[stop]))
        });
        let after_de = || {
            (stop..t.toks.len())
                .take_while(|&j| t.toks[j].clause == clause)
                .find(|&j| {
                    t.words[j] == "的"
                        || (matches!(t.words[j], "型" | "款")
                            && !super::text::han_word(t.words[j - 1]))
                })
                .and_then(|j| self.object_after(t, j))
        };
        match (a < stop, interrupted) {
            (_, true) => after_de().or((a < stop).then_some((a, stop))),
            (true, false) => Some((a, stop)),
            // (no noun right after the verb: a relative clause may open the object, "检测了市售
            // 的15款…", "抽检网购的…")
            (false, false) => after_de(),
        }
    }

    /// The object noun before the object verb at token `k` ("对家用空调开展专项抽查", "电动晾衣机
    /// 抽查结果"): past the `object_fillers` words, up to three words that may stand in a product
    /// noun, after 对, opening the clause or right before the verb. jieba keeps some compounds whole (家用空调), so
    /// the noun is placed by its head like one no alias holds.
    pub(super) fn object_before(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        let clause = t.toks[k].clause;
        let same = |j: usize| t.toks[j].clause == clause;
        let mut end = k;
        while end > 0 && same(end - 1) && self.objects.fillers.iter().any(|f| f == t.words[end - 1])
        {
            end -= 1;
        }
        let mut a = end;
        // (the head itself may be a rule word: an alias its category excludes here, "对暖菜板
        // 进行抽检", as in `object_after`)
        while a > 0
            && end - a < 3
            && same(a - 1)
            && !self.opens_object(t.words[a - 1])
            && (self.noun_modifier(t, a - 1)
                || (a == end && t.is(a - 1, lex::RULE) && super::text::han_word(t.words[a - 1])))
        {
            a -= 1;
        }
        let dui = |w: &str| matches!(w, "对" | "对于" | "针对");
        // (between 对 and the verb, a word other rules use, no product, may still be the noun's
        // modifier: "对加热菜板进行抽检", where 加热 is a hazard rule's word)
        if a < end
            && a >= 2
            && end - a < 3
            && dui(t.words[a - 2])
            && same(a - 2)
            && super::text::han_word(t.words[a - 1])
            && !t
                .ms
                .iter()
                .any(|m| m.a < a && a - 1 < m.b && matches!(m.target, Target::Category(_)))
            && !t.is(a - 1, lex::OBJECT_VERB)
        {
            a -= 1;
        }
        let opens = a == 0 || !same(a - 1) || self.opens_object(t.words[a - 1]);
        // (or a relative clause after 对 ends in 的 before it: "对辖区销售的电暖器开展抽检"; or
        // it closes a list after 对: "对香薰蜡烛、车载香片和除味剂开展抽检")
        let after_dui = !opens
            && (dui(t.words[a - 1])
                || (matches!(t.words[a - 1], "的" | "和" | "及" | "与" | "以及" | "、")
                    && (0..a - 1)
                        .rev()
                        .take_while(|&j| same(j))
                        .any(|j| dui(t.words[j]))));
        // a word no product noun ends in (随机抽检, 机构抽查) is no object
        let head_ok = a < end && !self.noun_not.ends(t.words[end - 1]);
        (head_ok && (after_dui || opens || end == k)).then_some((a, end))
    }

    /// Whether a word before an object noun opens it: an `object_openers` word (通报, 关于), or a
    /// date or a round of the notice ("2024年", "第三季度", "第二批"), which no product name holds.
    fn opens_object(&self, w: &str) -> bool {
        self.objects.openers.iter().any(|o| o == w)
            || (w.starts_with('第') && (w.ends_with(['批', '期', '轮']) || w.ends_with("季度")))
            // (a date's unit cut from its numeral: "2026" + "年" + 电子电器)
            || matches!(w, "年" | "月" | "日" | "季度" | "年度")
    }

    /// Whether a word may stand in an unknown product noun: Han characters (or a short Latin word,
    /// [`noun_word`]), no function character
    /// standing alone, no rule word and no `not_before` word (部分, 该款).
    fn noun_modifier(&self, t: &Tokens, j: usize) -> bool {
        let w = t.words[j];
        noun_word(w)
            && (w.chars().count() != 1 || !w.chars().all(|c| NOT_NOUN_CHARS.contains(c)))
            && !t.is(j, lex::RULE | lex::LEAD_NOT)
    }

    /// The tokens of a product noun whose head is token `k`: a token ending like a product noun
    /// (cues.toml `[unclassified]`) that no rule names, with up to three words before it that are
    /// no rule word, function character or `not_before` word (部分, 该款) — jieba cuts an unknown
    /// compound into pieces (猫砂 + 盆 + 清洁器).
    pub(super) fn noun_span(&self, t: &Tokens, k: usize) -> Option<(usize, usize)> {
        let w = t.words.get(k)?;
        if !self.noun_suffixes.ends(w) || self.noun_not.ends(w) || t.is(k, lex::RULE) {
            return None;
        }
        // a word of a company's name (某电器公司, 某某灯具厂) names no product
        if t.words.get(k + 1).is_some_and(|n| ORG_ENDS.contains(n)) {
            return None;
        }
        // a measure word after a numeral counts, it names nothing ("共计6万盒", "一瓶", "3箱")
        let numeral =
            |c: char| c.is_ascii_digit() || "一二两三四五六七八九十百千万余多几".contains(c);
        let mut head = w.chars();
        head.next_back();
        let glued = !head.as_str().is_empty() && head.as_str().chars().all(numeral);
        let after = k > 0
            && t.toks[k - 1].clause == t.toks[k].clause
            && t.words[k - 1].chars().next_back().is_some_and(numeral);
        if w.chars().count() <= 2 && (glued || (after && w.chars().count() == 1)) {
            return None;
        }
        // a form word glued after it ends the noun there ("洗碗" + 块, "驱蚊" + 液): this token
        // is no head
        if t.words.get(k + 1).is_some_and(|n| {
            t.toks[k + 1].clause == t.toks[k].clause
                && n.chars().count() == 1
                && "块片粒条丸液粉皂".contains(n)
        }) {
            return None;
        }
        let content = |j: usize| self.noun_modifier(t, j) && t.toks[j].clause == t.toks[k].clause;
        // up to three modifier words, or five while they are short: jieba cuts an unknown compound
        // into single characters ("电动" + "毛" + "球" + "修剪" + "器")
        let mut a = k;
        let mut held = 0;
        while a > 0 && (k - a < 3 || (k - a < 5 && held < 5)) && content(a - 1) {
            a -= 1;
            held += t.words[a].chars().count();
        }
        // "婴儿爬服": a child word before the noun says whom it is made for
        if a > 0 && t.toks[a - 1].clause == t.toks[k].clause && t.is(a - 1, lex::CHILD) {
            a -= 1;
        }
        let n: usize = t.words[a..=k].iter().map(|v| v.chars().count()).sum();
        // a single head character right after ends the compound instead: jieba cuts an unknown one
        // through its modifier ("除" + "毛球" + "机": the machine, not the fluff)
        let mut b = k + 1;
        while b < t.toks.len()
            && t.toks[b].clause == t.toks[k].clause
            && t.words[b].chars().count() == 1
            && super::text::han_word(t.words[b])
            && !NOT_NOUN_CHARS.contains(t.words[b])
            && self.noun_suffixes.ends(t.words[b])
            && !t.is(b, lex::RULE)
        {
            b += 1;
        }
        // … and so does a head a word or two on, past words that may stand in a noun ("电动" +
        // "毛" + "球" + "修剪" + "器": the trimmer, not the fluff)
        let mut j = b;
        while j < t.toks.len() && j < b + 2 && content(j) {
            j += 1;
            if self.noun_suffixes.ends(t.words[j - 1]) && !self.noun_not.ends(t.words[j - 1]) {
                b = j;
            }
        }
        (n >= 2).then_some((a, b))
    }

    /// The category of a product noun no alias matched (`nouns`), with the noun kept when it is
    /// `未归类`.
    pub(super) fn noun_category(&self, noun: String) -> (usize, Option<String>) {
        let folded = noun.to_ascii_lowercase();
        match self
            .nouns
            .resolve(&folded)
            .map(|c| self.for_children(&folded, c))
        {
            Some(c) if c != self.unclassified => (c, None),
            _ => (self.unclassified, Some(noun)),
        }
    }

    /// A part word after 的 and a product noun no alias holds ("一款藍牙翻譯機的充電電池",
    /// "这台除湿机的电源线"): the noun owns the part, so it is a product of the text, placed by its
    /// head; the part then gives way to it (`drop_parts`).
    pub(super) fn part_owners(&self, p: &Prepared, t: &Tokens, cats: &mut Vec<CatM>) {
        let mut found: Vec<CatM> = Vec::new();
        for m in cats.iter() {
            if m.tok < 2 || t.words[m.tok - 1] != "的" {
                continue;
            }
            let part = span_text(&p.full, &t.toks, m.tok, m.end);
            if !self.categories[m.c].parts.iter().any(|x| x == part) {
                continue;
            }
            let Some((a, b)) = self.noun_span(t, m.tok - 2) else {
                continue;
            };
            if cats.iter().any(|c| c.tok < b && a < c.end) {
                continue;
            }
            let noun = span_text(&p.full, &t.toks, a, b);
            if let Some(c) = self
                .nouns
                .resolve(noun)
                .filter(|&c| c != self.unclassified && c != m.c)
            {
                found.push(CatM {
                    c: self.for_children(noun, c),
                    tok: a,
                    end: b,
                    sent: t.toks[a].sent,
                });
            }
        }
        if found.is_empty() {
            return;
        }
        cats.extend(found);
        cats.sort_by_key(|m| m.tok);
        self.drop_parts(&p.full, (&t.words, &t.kinds), &t.toks, cats);
    }
}

/// Whether the noun starting at token `a` is a product's part or accessory, no product of its
/// own: it follows a product phrase and its 的, with at most one modifier of its own between
/// ("耳机的充电盒", "扫地机的无线充电座"), or its word was so named before ("耳机的充电盒，充电盒内的
/// 电池…").
pub(super) fn owned_by_product(t: &Tokens, a: usize) -> bool {
    let after_de = |j: usize| {
        j >= 2
            && t.words[j - 1] == "的"
            && t.ms
                .iter()
                .any(|m| m.b == j - 1 && matches!(m.target, Target::Category(_)))
    };
    after_de(a)
        || (a >= 1 && after_de(a - 1))
        || (0..a).any(|j| t.words[j] == t.words[a] && after_de(j))
}

impl Analyzer {
    /// Of a rule match, whether its category's `exclude` refuses it here ("攀岩安全带" is no
    /// car's belt, "发光手环" no smart band); `None` when the match names no category.
    pub(super) fn refused_here(&self, p: &Prepared, t: &Tokens, m: &Match) -> Option<bool> {
        let Target::Category(c) = m.target else {
            return None;
        };
        Some(covered(
            &p.found,
            &self.categories[c].exclude,
            t.toks[m.a].s,
            t.toks[m.b - 1].e,
        ))
    }
}
