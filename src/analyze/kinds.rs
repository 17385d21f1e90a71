//! What a product's neighbours say of its kind: a word before it (一次性可降解塑料吸管: products.toml
//! `kinds`), the class a list of it closes with (塑料吸管等一次性塑料餐饮具), and an accessory named
//! right after the product it is made for (蓝牙音响充电器: products.toml `accessory`), and whether a
//! fallback's class noun (小家电) counted in its sentence is a kind of product of its own; and the
//! products joined to one by coordination words alone (插线板和手机充电器), which share its findings.

use super::*;

impl Analyzer {
    /// Whether a token joins two products into one list (cues.toml `[coordination]`).
    pub(super) fn joins(&self, w: &str) -> bool {
        self.join_words.iter().any(|j| j == w)
    }

    /// Category mentions joined to `at` by coordination words alone ("插线板和手机充电器").
    pub(super) fn coordinated(&self, cats: &[CatM], at: &CatM, words: &[&str]) -> Vec<usize> {
        let mut chain: Vec<&CatM> = cats.iter().filter(|c| c.sent == at.sent).collect();
        chain.sort_by_key(|c| c.tok);
        // (two products of one phrase, products.toml `joint`, stand at one token: the walk goes
        // from phrase to phrase, and each phrase gives all its products; most texts have none,
        // and keep no copy)
        let twins = chain.windows(2).any(|w| w[0].tok == w[1].tok);
        let all_at = if twins {
            let all = chain.clone();
            chain.dedup_by_key(|c| c.tok);
            all
        } else {
            Vec::new()
        };
        let Some(pos) = chain.iter().position(|c| c.tok == at.tok) else {
            return Vec::new();
        };
        // (the joining words may be followed by up to two plain words of the next product's own:
        // "实木家具、弹簧软床垫" names 床垫 with 弹簧软 before it)
        let joined = |a: &CatM, b: &CatM| {
            b.tok > a.end
                && words.get(a.end..b.tok).is_some_and(|between| {
                    // (a list closed by 等 joins its class, which may be counted: "电热水壶、电吹风等
                    // 8款小家电"; a count may follow the joiner)
                    let closes = |w: &&str| super::list_words::closes_with(w);
                    let j = between
                        .iter()
                        .take_while(|w| self.joins(w) || closes(w))
                        .count();
                    // (and members each counted join as a list does: "两款冷气机及一款雪柜")
                    let counted_first = a
                        .tok
                        .checked_sub(1)
                        .is_some_and(|k| super::list_words::in_count(words, k, 0));
                    let closed = counted_first || between[..j].iter().any(closes);
                    j >= 1
                        && between.len() - j <= 2
                        && between[j..].iter().enumerate().all(|(k, w)| {
                            // (no count, "和一辆自行车", and no made-for 用, "及平衡车用充电器")
                            (closed && super::list_words::in_count(between, j + k, j))
                                || (super::text::han_word(w)
                                    && !matches!(*w, "的" | "用" | "专用" | "适用")
                                    && !w.starts_with(|c| {
                                        super::list_words::NUMERAL_CHARS.contains(c)
                                    }))
                        })
                })
        };
        let mut walked: Vec<&CatM> = Vec::new();
        let mut i = pos;
        while i + 1 < chain.len() && joined(chain[i], chain[i + 1]) {
            walked.push(chain[i + 1]);
            i += 1;
        }
        let mut i = pos;
        while i > 0 && joined(chain[i - 1], chain[i]) {
            walked.push(chain[i - 1]);
            i -= 1;
        }
        let mut out: Vec<usize> = if twins {
            std::iter::once(at.tok)
                .chain(walked.iter().map(|c| c.tok))
                .flat_map(|k| all_at.iter().filter(move |c| c.tok == k).map(|c| c.c))
                .collect()
        } else {
            walked.iter().map(|c| c.c).collect()
        };
        out.retain(|&c| c != at.c);
        out.dedup();
        out
    }

    /// A mention after one of its category's `kinds` words, at most two plain words between
    /// ("一次性可降解塑料吸管"), is of that kind's category.
    /// So is one a list closes with 等 and that kind ("塑料吸管等一次性塑料餐饮具").
    pub(super) fn kinds_told_before(
        &self,
        cats: &mut [CatM],
        words: &[&str],
        toks: &[Tok],
        ms: &[Match],
    ) {
        let ruled = |k: usize| ms.iter().any(|m| m.a <= k && k < m.b);
        // (token, category) of the mention right after each 等
        let after_deng: Vec<(usize, usize)> = cats
            .iter()
            .filter(|c| c.tok > 0 && words[c.tok - 1] == "等")
            .map(|c| (c.tok, c.c))
            .collect();
        // (category before, category told, the mention's words, its token) of each told kind
        let mut told: Vec<(usize, usize, String, usize)> = Vec::new();
        for m in cats.iter_mut() {
            let kinds = &self.categories[m.c].kinds;
            if kinds.is_empty() {
                continue;
            }
            // (一次性使用的塑料餐具: a bare 的 joins a modifier too)
            let plain = |k: usize| {
                !ruled(k)
                    && toks[k].clause == toks[m.tok].clause
                    && super::text::han_word(words[k])
                    && (words[k] == "的" || !words[k].contains('的'))
            };
            let found = (1..=3).find_map(|d| {
                let k = m.tok.checked_sub(d)?;
                if toks[k].clause != toks[m.tok].clause {
                    return None;
                }
                let hit = kinds
                    .iter()
                    .find(|(ws, _)| ws.iter().any(|w| w == words[k]))
                    .map(|&(_, c)| c);
                // the words between must be plain modifiers
                hit.filter(|_| (k + 1..m.tok).all(plain))
            });
            // a list member whose list ends in "等<kind>" in its clause
            let closing = || {
                after_deng.iter().find_map(|&(tok, c)| {
                    (tok > m.end
                        && toks[tok].clause == toks[m.tok].clause
                        && kinds.iter().any(|&(_, k)| k == c))
                    .then_some(c)
                })
            };
            if let Some(c) = found.or_else(closing) {
                told.push((m.c, c, words[m.tok..m.end].concat(), m.tok));
                m.c = c;
            }
        }
        // The same product named again by its head alone ("一次性塑料吸管 … 1批次吸管的标签") is
        // the kind told before, not the plain category the head word names.
        if told.is_empty() {
            return;
        }
        for m in cats.iter_mut() {
            let again = told.iter().find(|(before, _, named, tok)| {
                m.c == *before
                    && m.tok > *tok
                    && named.ends_with(words[m.tok..m.end].concat().as_str())
            });
            if let Some(&(_, c, _, _)) = again {
                m.c = c;
            }
        }
    }

    /// An accessory named right after the product it is made for ("蓝牙音响充电器") is the
    /// product; what it is made for gives way. One named after a counted product and 的 ("一款
    /// 香薰加湿器的电源适配器可能漏电") is that product's part: the accessory gives way.
    pub(super) fn accessories_take_over(&self, cats: &mut Vec<CatM>, words: &[&str]) {
        let made_for: Vec<usize> = cats
            .windows(2)
            .filter(|w| {
                w[0].end == w[1].tok
                    && w[0].sent == w[1].sent
                    && w[0].c != w[1].c
                    && self.categories[w[1].c].accessory
                    && !self.categories[w[0].c].accessory
            })
            .map(|w| w[0].tok)
            .collect();
        // (一款, 该款, 这台, 一批 …: a counted product is the one the sentence is about)
        // (at most two modifier words between: "一款香薰加湿器")
        // (jieba writes 一款 as one word, 这台 as two)
        let counted = |k: usize| {
            let det = |c: char| matches!(c, '一' | '该' | '这' | '此');
            let unit = |c: char| matches!(c, '款' | '台' | '个' | '批' | '件' | '只');
            (k.saturating_sub(3)..k).rev().any(|j| {
                let w: Vec<char> = words.get(j).map_or(Vec::new(), |w| w.chars().collect());
                let classifier = match w.as_slice() {
                    [d, u] => det(*d) && unit(*u),
                    [u] => {
                        unit(*u)
                            && j > 0
                            && words[j - 1].chars().count() == 1
                            && words[j - 1].chars().all(det)
                    }
                    _ => false,
                };
                classifier
                    && words
                        .get(j + 1..k)
                        .is_some_and(|b| b.iter().all(|w| super::text::han_word(w) && *w != "的"))
            })
        };
        let parts: Vec<usize> = cats
            .windows(2)
            .filter(|w| {
                w[0].end + 1 == w[1].tok
                    && words.get(w[0].end) == Some(&"的")
                    && w[0].c != w[1].c
                    && self.categories[w[1].c].accessory
                    && !self.categories[w[0].c].accessory
                    && counted(w[0].tok)
            })
            .map(|w| w[1].tok)
            .collect();
        cats.retain(|m| !made_for.contains(&m.tok) && !parts.contains(&m.tok));
    }
}

impl Analyzer {
    /// Whether the fallback's class noun `m` (小家电) is a member of a list its sentence counts as
    /// kinds of product (see `drop_parts`).
    pub(super) fn class_enumerated(
        &self,
        m: &CatM,
        cats: &[CatM],
        is_part: &[bool],
        words: &[&str],
        toks: &[Tok],
    ) -> bool {
        let comma = |k: Option<usize>| k.and_then(|k| words.get(k)) == Some(&"、");
        let counted = |m: &CatM| {
            toks.iter()
                .zip(words.iter())
                .skip(m.end)
                .take_while(|(t, _)| t.sent == m.sent)
                .any(|(_, w)| super::list_words::counts_kinds(w))
        };
        // a class noun the text counts ("涉及儿童用品10例", "购买21件日用品") names items of its own
        let counted_here = |m: &CatM| {
            super::list_words::counts_items(words, m.end)
                || m.tok
                    .checked_sub(1)
                    .is_some_and(|k| super::list_words::in_count(words, k, 0))
        };
        // … unless a later clause of its sentence breaks that count down by products of their
        // own counts ("鞋类产品35批次，皮鞋20批次、童鞋15批次": the class is its members; in a list,
        // "小家电30批次、玩具20批次…", the members stand in its clause)
        let broken_down = |m: &CatM| {
            cats.iter()
                .filter(|o| {
                    o.sent == m.sent
                        && toks[o.tok].clause > toks[m.tok].clause
                        && super::list_words::counts_items(words, o.end)
                })
                .count()
                >= 2
        };
        // … or a colon after it opens the list of its members ("召回三款小家电：一款打蛋器…")
        let introduces = |m: &CatM| {
            matches!(words.get(m.end), Some(&("：" | ":")))
                && cats
                    .iter()
                    .zip(is_part)
                    .any(|(o, &part)| !part && o.tok > m.end)
        };
        self.categories[m.c].name.starts_with("其他")
            && (((comma(m.tok.checked_sub(1)) || comma(Some(m.end))) && counted(m))
                || (counted_here(m) && !broken_down(m) && !introduces(m)))
    }
}
