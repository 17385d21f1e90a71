//! Cues: where negation, hypothetical / advice, drill, advertising, realis (a dated event) and
//! severity-modifier words stand in a document, which sentences hold failure wording, and whether
//! the document is an all-pass notice. Read once per document; the hazard mentions consult them.

use super::*;

/// Words that, right before a failure cue, make it a limit or its keeping ("不超过", "不得高于",
/// "未超出"): grammar, not a domain cue.
const LIMIT_NEGATORS: [&str; 8] = ["不", "未", "无", "没有", "不得", "不应", "不能", "不可"];

/// cues.toml `[negation]` words read beside the cues: where a negation's reach ends, and the
/// endings of a protective part a negation says is missing.
#[derive(Debug)]
pub(super) struct NegWords {
    pub(super) breakers: Vec<String>,
    lacked: Endings,
}

impl NegWords {
    pub(super) fn new(n: &super::rules::Negation) -> NegWords {
        NegWords {
            breakers: prepared(&n.breakers),
            lacked: Endings::new(prepared(&n.lacked)),
        }
    }
}

/// Cue positions of one document (token, clause and sentence numbers of [`Tokens`]).
#[derive(Debug, Default)]
pub(super) struct Cues {
    /// (clause, end token) of each negation cue.
    pub(super) neg: Vec<(usize, usize)>,
    /// End token of each adjacent negation (无, 不, 防 …).
    pub(super) neg_adj: Vec<usize>,
    /// (clause, start token) of each word saying what stands before it passed (均符合).
    pub(super) neg_passed: Vec<(usize, usize)>,
    /// (sentence, start token) of each hypothetical / advice cue.
    pub(super) hypo: Vec<(usize, usize)>,
    /// Clauses holding a post cue (存在…风险).
    pub(super) hypo_post: FxHashSet<usize>,
    /// (clause, start token) of each clause-scoped hypothetical cue (本以为, 担心).
    pub(super) hypo_clause: Vec<(usize, usize)>,
    /// (sentence, start token) of each rumour cue the text does not confirm (网传): it hedges its
    /// sentence in every genre, as a report's own hedged wording (可能导致) does not.
    pub(super) rumour: Vec<(usize, usize)>,
    /// (sentence, start token) of each prohibition word (不得, 严禁).
    pub(super) rule: Vec<(usize, usize)>,
    pub(super) realis_sent: FxHashSet<usize>,
    pub(super) drill_sent: FxHashSet<usize>,
    pub(super) advert_sent: FxHashSet<usize>,
    /// Severity raise per sentence (deaths, injuries, children).
    pub(super) raise_sent: FxHashMap<usize, u8>,
    /// The raise of the title's sentence (it applies to the whole document).
    pub(super) title_raise: u8,
    /// A `title_doc` word in the title: a 科普 article or guide.
    pub(super) title_doc_hypo: bool,
    /// A debunk, correction or Q&A word in the title or lead: no hazard of the text is reported
    /// as real, dated or not ("网传…系谣言", "更正", "问：…答：").
    pub(super) doc_debunk: bool,
    /// A drill word in the title or the lead: the whole document is a drill.
    pub(super) doc_drill: bool,
    pub(super) vulnerable: Vec<String>,
    pub(super) platforms: Vec<String>,
    /// Sentences holding failure wording (不合格, 超标 …).
    pub(super) failure_sent: FxHashSet<usize>,
    /// Sentences that list the items tested (对下列项目进行了检验：…).
    pub(super) tested_sent: FxHashSet<usize>,
    /// All-pass wording and no failure wording besides it.
    pub(super) all_pass: bool,
    /// Failed batches counted ("3批次不合格", "不合格产品").
    pub(super) failure_count: bool,
    /// Distinct words of the general register (cues.toml `[generic]`).
    pub(super) register: FxHashSet<usize>,
}

impl Analyzer {
    /// Whether the hypothetical cue `m` is a notice of a fact: one of `[hypothetical] notices`
    /// (提示) right before one of `notified` (有, 检测到).
    fn notice_of_fact(&self, t: &Tokens, m: &Match) -> bool {
        m.b == m.a + 1
            && self.use_words.notices.iter().any(|x| x == t.words[m.a])
            && t.words
                .get(m.b)
                .is_some_and(|w| self.use_words.notified.iter().any(|x| x == w))
    }

    pub(super) fn cues(&self, p: &Prepared, t: &Tokens) -> Cues {
        let mut c = Cues::default();
        let mut circumstance: Vec<(usize, usize)> = Vec::new();
        // rumour cues, and whether the text confirms what they relay ("物业随后证实")
        let mut rumours: Vec<(usize, usize)> = Vec::new();
        let mut confirmed = false;
        // the lead's debunk words (网传 is one and a rumour cue too: a confirmed rumour in the
        // lead is no debunk)
        let mut lead_docs: Vec<usize> = Vec::new();
        // an answer word in the sentence after the lead (an explainer if the lead asks)
        let mut answered = false;
        let title_sent = 0usize;
        // the text's first sentence: the title and its newline end sentence 0
        let lead_sent = t
            .toks
            .iter()
            .find(|x| x.s >= p.text_start && !t.full[x.s..x.e].trim().is_empty())
            .map_or(usize::MAX, |x| x.sent);
        // (clause, start, end) of each word saying a protection is missing: a negation cue inside
        // it or right after it (at most one token between) is the protection it lacks
        let lacking: Vec<(usize, usize, usize)> =
            t.ms.iter()
                .filter(|m| m.target == Target::Lacking)
                .map(|m| (t.toks[m.a].clause, m.a, m.b))
                .collect();
        let lacked = |m: &Match, clause: usize| {
            lacking
                .iter()
                .any(|&(cl, a, b)| cl == clause && m.a >= a && m.a <= b + 1 && m.b > a)
        };
        // sentences where a negation says a protective part is missing ("燃气灶无熄火保护装置",
        // "没有过热保护装置": the part in the next two words of the clause): that is a failed item,
        // as 未安装 says it
        let mut missing_part: Vec<usize> = Vec::new();
        let part_missed = |m: &Match, clause: usize| {
            (m.b..m.b + 2).any(|k| {
                t.toks.get(k).is_some_and(|x| x.clause == clause)
                    && t.words
                        .get(k)
                        .is_some_and(|w| self.neg_words.lacked.ends(w))
            })
        };
        for m in &t.ms {
            let tok = t.toks[m.a];
            match m.target {
                Target::Neg | Target::NegAdjacent if lacked(m, tok.clause) => {}
                Target::Neg | Target::NegAdjacent if part_missed(m, tok.clause) => {
                    missing_part.push(tok.sent)
                }
                Target::Neg => c.neg.push((tok.clause, m.b)),
                Target::NegAdjacent => c.neg_adj.push(m.b),
                Target::NegPassed => c.neg_passed.push((tok.clause, m.a)),
                // an app's notice of a fact ("应用提示有陌生设备登录") advises nothing
                Target::Hypo if self.notice_of_fact(t, m) => {}
                Target::Hypo => c.hypo.push((tok.sent, m.a)),
                Target::HypoPost => {
                    c.hypo_post.insert(tok.clause);
                }
                Target::HypoClause => c.hypo_clause.push((tok.clause, m.a)),
                Target::HypoCircumstance => circumstance.push((tok.sent, m.a)),
                Target::HypoRumour => rumours.push((tok.sent, m.a)),
                Target::Rule => c.rule.push((tok.sent, m.a)),
                Target::Confirmed => {
                    // "尚未证实", "无法证实" leave the rumour a rumour
                    let negated =
                        m.a.checked_sub(1)
                            .is_some_and(|k| self.hypo_unconfirmed.iter().any(|x| x == t.words[k]));
                    confirmed |= !negated;
                }
                // a 科普 title; a title or lead that says the text is a debunk or a correction
                Target::TitleDoc if tok.sent == title_sent && p.in_title(&tok) => {
                    c.title_doc_hypo = true
                }
                // (a revoked certificate in its clause makes 撤销 a sanction the text reports; a
                // swallowing makes 误将 a mishap)
                Target::LeadDoc
                    if ((tok.sent == title_sent && p.in_title(&tok)) || tok.sent == lead_sent)
                        && !clause_has(t, tok.clause, &self.hypo_not_retraction) =>
                {
                    lead_docs.push(m.a)
                }
                Target::LeadAnswer if lead_sent.checked_add(1) == Some(tok.sent) => answered = true,
                Target::Realis => {
                    c.realis_sent.insert(tok.sent);
                }
                Target::Drill => {
                    if !self.stages(p, t, m, title_sent) {
                        continue;
                    }
                    c.drill_sent.insert(tok.sent);
                    // a drill named in the title or the lead (the first sentence of the text) is
                    // what the whole report is about: "消防站今天举办了一场模拟演示。…车棚里的
                    // 一辆电瓶车几十秒内就烧了起来"
                    if p.in_title(&tok) || tok.sent == lead_sent {
                        c.doc_drill = true;
                    }
                }
                Target::Advert => {
                    c.advert_sent.insert(tok.sent);
                }
                Target::Modifier(i) => {
                    let r = self.modifiers.get(i).copied().unwrap_or(0);
                    let e = c.raise_sent.entry(tok.sent).or_insert(0);
                    *e = (*e).max(r);
                }
                Target::Vulnerable(i) => {
                    if let Some(v) = self.vulnerable.get(i)
                        && !c.vulnerable.contains(v)
                    {
                        c.vulnerable.push(v.clone());
                    }
                }
                Target::Register(i) => {
                    c.register.insert(i);
                }
                Target::Platform(i) => {
                    if let Some(name) = self.platforms.get(i)
                        && !c.platforms.contains(name)
                    {
                        c.platforms.push(name.clone());
                    }
                }
                _ => {}
            }
        }
        // a lead that asks, answered by the next sentence, opens an explainer ("为什么有的插线板会
        // 发烫？电工解释，…"), as a 科普 title does
        if answered && t.sent_text(lead_sent).trim_end().ends_with(['？', '?']) {
            c.title_doc_hypo = true;
        }
        c.doc_debunk = lead_docs
            .iter()
            .any(|a| !(confirmed && rumours.iter().any(|r| r.1 == *a)));
        if !confirmed {
            c.rumour = rumours;
        }
        self.hedge_circumstances(t, &mut c, circumstance);
        c.title_raise = if p.has_title {
            c.raise_sent.get(&title_sent).copied().unwrap_or(0)
        } else {
            0
        };
        self.failure_sentences(p, t, &mut c);
        c.failure_sent.extend(missing_part);
        c.all_pass = self.all_pass(p);
        // the regex runs only over a text holding a word it cannot match without
        c.failure_count = p.has(NONCONFORMING) && self.failed_batches_re.is_match(&p.full);
        c
    }

    /// The sentences holding failure wording, and those listing what was tested.
    fn failure_sentences(&self, p: &Prepared, t: &Tokens, c: &mut Cues) {
        // sentences holding failure wording: a hit inside the byte range of its first token's sentence
        let sentences = |flag: u8, keep: &dyn Fn(usize, usize) -> bool| -> FxHashSet<usize> {
            p.found
                .iter()
                .filter(|h| self.flagged(h, flag) && keep(h.1, h.2))
                .filter_map(|&(_, hs, he)| t.sent_of_span(hs, he))
                .collect()
        };
        // "不超过25公里每小时" and "未超出限值" state a limit or its keeping, no failure; a cue
        // that opens with its own negation (不合格, 不符合) is one. After a statistics word
        // ("一级能效产品占比超过七成") it measures a market; before a share of people ("超过六成的
        // 家长") it counts a survey's answers.
        c.failure_sent = sentences(FAILURE, &|hs, he| {
            let before = p.full.get(..hs).unwrap_or("");
            // last bytes first: a whole comparison per word was a call, and most differ there
            let ends = |n: &str| {
                (n.is_empty() || n.as_bytes().last() == before.as_bytes().last())
                    && before.ends_with(n)
            };
            !LIMIT_NEGATORS.iter().any(|n| ends(n))
                && !self.failure_statistics.iter().any(|n| ends(n))
                && !self.counts_people(p.full.get(he..).unwrap_or(""))
        });
        c.tested_sent = sentences(TESTED, &|_, _| true);
    }

    /// Whether the text after a comparison cue is a share of people (六成的家长, 50%的受访者):
    /// a share's numerals and measure, an optional 的, then one of `[failure] respondents`.
    fn counts_people(&self, after: &str) -> bool {
        let rest = after.trim_start_matches(|c: char| {
            super::list_words::numeral(c)
                || matches!(c, '.' | '%' | '％' | '半' | '成' | '分' | '之')
        });
        rest.len() < after.len() && {
            let rest = rest.strip_prefix('的').unwrap_or(rest);
            self.failure_respondents
                .iter()
                .any(|r| !r.is_empty() && rest.starts_with(r.as_str()))
        }
    }

    /// Circumstance cues (在…情况下) hedge their sentence unless it reports an event.
    fn hedge_circumstances(&self, t: &Tokens, c: &mut Cues, circumstance: Vec<(usize, usize)>) {
        // "在无人看管的情况下长时间使用会起火" hedges; "昨晚…在无人操作的情况下自动接通了陌生号码"
        // reports: a circumstance cue hedges unless its sentence is dated or says what happened —
        // 了, a passive 被 or a count of times after the cue ("在未泄压的情况下被打开", "在无人操作的
        // 情况下多次自动开门"), or a particular person or thing before it ("市民孙女士在…的情况下",
        // "一辆汽车在未充电状态下") whose circumstance it tells.
        for (sent, a) in circumstance {
            let in_sent = |k: &&Tok| k.sent == sent;
            let happened = t
                .toks
                .iter()
                .zip(&t.words)
                .skip(a)
                .take_while(|(k, _)| in_sent(k))
                .any(|(_, w)| {
                    self.hypo_happened.iter().any(|x| x == w)
                        || self
                            .hypo_happened_prefix
                            .iter()
                            .any(|x| w.starts_with(x.as_str()))
                });
            let person = t.toks.iter().zip(&t.words).take(a).any(|(k, w)| {
                in_sent(&k) && (self.persons.ends(w) || self.hypo_particular.iter().any(|x| x == w))
            });
            if !happened && !person && !c.realis_sent.contains(&sent) {
                c.hypo.push((sent, a));
            }
        }
    }

    /// All-pass wording and no failure wording besides it.
    fn all_pass(&self, p: &Prepared) -> bool {
        // All-pass wording and no failure cue outside the all-pass phrases: "未发现不合格产品" is an
        // all-pass notice; "3批次不合格，其余均合格" and "均符合要求，但有3款低于标称值" are not.
        p.has(ALL_PASS) && {
            // "0批次不合格" inside "20批次不合格" is a count of twenty, and "不合格率为0" inside
            // "不合格率为0.5%" a rate above none: a phrase's number must be the whole number
            let whole_number = |s: usize, e: usize| {
                let digit = |c: char| c.is_ascii_digit();
                let (Some(head), Some(body), Some(tail)) =
                    (p.full.get(..s), p.full.get(s..e), p.full.get(e..))
                else {
                    return false;
                };
                let glued_before = body.starts_with(digit) && head.ends_with(digit);
                let glued_after =
                    body.ends_with(digit) && tail.starts_with(|c: char| digit(c) || c == '.');
                !(glued_before || glued_after)
            };
            let passes: Vec<(usize, usize)> = p
                .found
                .iter()
                .filter(|h| self.flagged(h, ALL_PASS) && whole_number(h.1, h.2))
                .map(|&(_, s, e)| (s, e))
                .collect();
            !passes.is_empty()
                && !p.found.iter().any(|h| {
                    self.flagged(h, FAILURE) && !passes.iter().any(|&(s, e)| s <= h.1 && h.2 <= e)
                })
        }
    }
}

impl Analyzer {
    /// Whether the drill word of match `m` stages something: not a laboratory's method, a test
    /// report's condition, or a demonstration that exposed a product's flaw.
    fn stages(&self, p: &Prepared, t: &Tokens, m: &Match, title_sent: usize) -> bool {
        let Some(tok) = t.toks.get(m.a) else {
            return false;
        };
        // a drill word before a test word of its clause says how a laboratory ran its
        // test ("在模拟酸性饮品的测试中释出…"), not that anything was staged
        // (unless it stages a show: "现场演示了针刺试验")
        let (methods, demonstrate) = &self.drill_method;
        let method = !demonstrate
            .iter()
            .any(|d| Some(&d.as_str()) == t.words.get(m.a))
            && t.toks
                .iter()
                .zip(&t.words)
                .skip(m.a + 1)
                .take_while(|(k, _)| k.clause == tok.clause)
                .any(|(_, w)| methods.iter().any(|x| x == w));
        // in a test report, a drill word in a sentence that names its test ("比较试验
        // 结果，有2款在模拟过载条件下外壳变形"; "实验显示，在测试的8款中…") is the
        // test's condition or its report as well
        let tested_before =
            p.kind == DocKind::Inspection && self.sentence_names_test(t, tok.sent, m.a..m.b);
        // a demonstration that exposed a flaw of a product on sale ("被曝…技术人员演示
        // …厂家已推送固件修复") reports it
        let exposes = |s: usize| {
            let text = t.sent_text(s);
            self.drill_disclosure
                .iter()
                .any(|w| text.contains(w.as_str()))
        };
        let disclosed = exposes(tok.sent) || (p.has_title && exposes(title_sent));
        !(method || tested_before || disclosed)
    }

    /// Whether sentence `sent` holds a test word (`[drill] method`) outside tokens `skip` (the
    /// drill word itself). Tokens are in sentence order: only that sentence is read.
    fn sentence_names_test(&self, t: &Tokens, sent: usize, skip: std::ops::Range<usize>) -> bool {
        let from = t.toks.partition_point(|k| k.sent < sent);
        (from..t.toks.len())
            .take_while(|&i| t.toks[i].sent == sent)
            .any(|i| {
                !skip.contains(&i)
                    && self
                        .drill_method
                        .0
                        .iter()
                        .any(|x| t.words[i].ends_with(x.as_str()))
            })
    }
}

/// Whether a word of clause `clause` is one of `list` or holds one (jieba keeps 认证证书 whole).
/// Tokens are in clause order: only that clause is read.
fn clause_has(t: &Tokens, clause: usize, list: &[String]) -> bool {
    let from = t.toks.partition_point(|k| k.clause < clause);
    t.toks[from..]
        .iter()
        .zip(&t.words[from..])
        .take_while(|(k, _)| k.clause == clause)
        .any(|(_, w)| list.iter().any(|x| w.contains(x.as_str())))
}
