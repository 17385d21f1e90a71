//! Building an [`Analyzer`]: rule files and the gazetteer → the tokenizer's user words, the token-phrase
//! matcher, the substring automaton and the regexes, with file:line errors for what does not build.

use std::path::PathBuf;
use std::time::Instant;

use tracing::debug;

use super::*;

mod tables;

use tables::*;

/// Milliseconds since `t`, for the load log.
fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// Both results, or every error of either.
fn both<A, B>(
    a: Result<A, Vec<ConfigError>>,
    b: Result<B, Vec<ConfigError>>,
) -> Result<(A, B), Vec<ConfigError>> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(a
            .err()
            .into_iter()
            .flatten()
            .chain(b.err().into_iter().flatten())
            .collect()),
    }
}

/// The thread compiling the organisation and shop regexes of the rules' suffix lists.
type Suffixed = std::thread::JoinHandle<Result<(Regex, Regex), regex::Error>>;

/// The suffix regexes from their thread, or `None` with the error of the suffix list (cues.toml)
/// added to `errs`. Every error exit of a build takes them too, so a bad list is reported
/// together with the other errors of the same load.
fn join_suffixed(
    suffixed: Suffixed,
    f: &rules::RuleFiles,
    errs: &mut Vec<ConfigError>,
) -> Option<(Regex, Regex)> {
    match suffixed
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    {
        Ok(r) => Some(r),
        Err(e) => {
            errs.push(ConfigError::new(
                &f.texts[2].0,
                rules::table_line(&f.texts[2].1, "company"),
                format!("bad suffix list: {e}"),
            ));
            None
        }
    }
}

impl Analyzer {
    /// Load rules from `rules_dir` and dictionaries from `dict_dir`; `None` → the repo's files embedded
    /// in the binary. Errors are located (file:line).
    /// The tokenizer's user words go through the cache of [`tokcache::default_cache_dir`].
    pub fn load(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
    ) -> Result<Analyzer, Vec<ConfigError>> {
        Self::load_cached(
            rules_dir,
            dict_dir,
            tokcache::default_cache_dir().as_deref(),
        )
    }

    /// [`Analyzer::load`] with the tokenizer cache in `cache_dir` (`None`: no cache). The cache
    /// only saves time: the analyzer is the same with or without it.
    pub fn load_cached(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
        cache_dir: Option<&Path>,
    ) -> Result<Analyzer, Vec<ConfigError>> {
        Self::load_keeping(rules_dir, dict_dir, cache_dir, |_| ()).map(|(a, ())| a)
    }

    /// [`Analyzer::load_cached`], and what `keep` takes of the rule files before the analyzer is
    /// built from them (`jiance check` keeps a copy to run their examples on).
    pub(super) fn load_keeping<K>(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
        cache_dir: Option<&Path>,
        keep: impl FnOnce(&rules::RuleFiles) -> K,
    ) -> Result<(Analyzer, K), Vec<ConfigError>> {
        let started = Instant::now();
        // Each file is read once: its text names the tokenizer cache's inputs, then is parsed.
        let rule_texts = rules::read_texts(rules_dir);
        let dict_texts = regions::read_dicts(dict_dir);
        let inputs = Self::inputs_key(&rule_texts, &dict_texts);
        // The tokenizer is the largest part of a start and needs nothing from the rules until the
        // user words are known: a second thread reads the snapshot the inputs point to (or builds
        // jieba's base dictionary when there is none) while the rules and the gazetteer are built.
        std::thread::scope(|s| {
            let prepared = s.spawn(|| tokcache::prepare(cache_dir, inputs.as_deref()));
            let join = || {
                prepared
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            };
            // the gazetteer and the rules are independent: each on its own core
            let gaz = s.spawn(move || dict_texts.and_then(|d| Gazetteer::load(&d)));
            // Folding the rules' phrases runs the traditional → simplified converter as soon as
            // one phrase holds a character it may change (a few always do); its automaton, about
            // a tenth of this thread's instructions, is built meanwhile on the other core.
            s.spawn(super::fold::prepare);
            let files = rule_texts.and_then(rules::parse_texts);
            let gaz = gaz.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            debug!(ms = ms(started), "analyzer: rules and gazetteer read");
            let (f, g) = both(files, gaz)?;
            let kept = keep(&f);
            let a = Self::build(f, g, join, cache_dir, inputs.as_deref())?;
            debug!(ms = ms(started), "analyzer: loaded");
            Ok((a, kept))
        })
    }

    /// The key of the rule and dictionary texts as read (see [`tokcache`]); `None` when one could
    /// not be read (the load reports it) or the executable is unknown.
    fn inputs_key(
        rules: &Result<[(String, String); 3], Vec<ConfigError>>,
        dicts: &Result<regions::DictTexts, Vec<ConfigError>>,
    ) -> Option<String> {
        let (Ok(rules), Ok(d)) = (rules, dicts) else {
            return None;
        };
        let dicts = [&d.regions, &d.aliases, &d.foreign, &d.words, &d.publishers];
        tokcache::inputs_key(rules.iter().chain(dicts))
    }

    /// Every phrase (prepared) with its target, in matcher order; all but advertising claims are
    /// also user words.
    fn phrases(f: &rules::RuleFiles, place_names: &[String]) -> Vec<(String, Target)> {
        // Every phrase with its target; all phrases become user words first, then are tokenized.
        let mut phrases: Vec<(String, Target)> = Vec::new();
        let cues = &f.cues;
        for (i, c) in f.products.category.iter().enumerate() {
            phrases.push((prepare(&c.name), Target::Category(i)));
            for a in &c.aliases {
                phrases.push((prepare(a), Target::Category(i)));
            }
        }
        for (i, h) in f.hazards.hazard.iter().enumerate() {
            for t in &h.terms {
                phrases.push((prepare(t), Target::Hazard(i, Strength::Strong)));
            }
            for t in &h.weak_terms {
                phrases.push((prepare(t), Target::Hazard(i, Strength::Weak)));
            }
            for t in &h.test_items {
                phrases.push((prepare(t), Target::Hazard(i, Strength::TestItem)));
            }
        }
        // Product-dependent test items match as test items of their hazard; a mention attached to
        // another product is dropped or re-read (see `product_hazard`).
        for (i, h) in f.hazards.hazard.iter().enumerate() {
            for pi in &h.product_items {
                let strength = if pi.strong {
                    Strength::Strong
                } else {
                    Strength::TestItem
                };
                for t in &pi.items {
                    phrases.push((prepare(t), Target::Hazard(i, strength)));
                }
            }
        }
        let mut pair_id = 0;
        for h in &f.hazards.hazard {
            for pr in &h.pairs {
                for w in &pr.who {
                    phrases.push((prepare(w), Target::PairWho(pair_id)));
                }
                for w in &pr.did {
                    phrases.push((prepare(w), Target::PairDid(pair_id)));
                }
                pair_id += 1;
            }
        }
        let list = |v: &[String], t: Target, out: &mut Vec<(String, Target)>| {
            for s in v {
                out.push((prepare(s), t));
            }
        };
        list(&cues.negation.cues, Target::Neg, &mut phrases);
        list(&cues.negation.adjacent, Target::NegAdjacent, &mut phrases);
        list(&cues.negation.passed, Target::NegPassed, &mut phrases);
        list(&cues.negation.lacking, Target::Lacking, &mut phrases);
        list(&cues.hypothetical.cues, Target::Hypo, &mut phrases);
        list(&cues.hypothetical.post, Target::HypoPost, &mut phrases);
        list(&cues.hypothetical.clause, Target::HypoClause, &mut phrases);
        list(
            &cues.hypothetical.circumstance,
            Target::HypoCircumstance,
            &mut phrases,
        );
        list(&cues.hypothetical.rumour, Target::HypoRumour, &mut phrases);
        list(&cues.hypothetical.rule, Target::Rule, &mut phrases);
        list(
            &cues.hypothetical.confirmed,
            Target::Confirmed,
            &mut phrases,
        );
        list(&cues.hypothetical.title_doc, Target::TitleDoc, &mut phrases);
        list(&cues.hypothetical.lead_doc, Target::LeadDoc, &mut phrases);
        list(
            &cues.hypothetical.lead_answer,
            Target::LeadAnswer,
            &mut phrases,
        );
        list(&cues.hypothetical.realis, Target::Realis, &mut phrases);
        list(&cues.drill.cues, Target::Drill, &mut phrases);
        list(&cues.advertising.cues, Target::Advert, &mut phrases);
        for (i, m) in cues.modifier.iter().enumerate() {
            list(&m.terms, Target::Modifier(i), &mut phrases);
        }
        for (i, v) in cues.vulnerable.iter().enumerate() {
            list(&v.terms, Target::Vulnerable(i), &mut phrases);
        }
        for (i, n) in place_names.iter().enumerate() {
            phrases.push((prepare(n), Target::Place(i)));
        }
        list(&cues.nationwide.terms, Target::Nationwide, &mut phrases);
        list(
            &cues.nationwide.publishers,
            Target::NationPublisher,
            &mut phrases,
        );
        for (i, p) in cues.platforms.names.iter().enumerate() {
            phrases.push((prepare(p), Target::Platform(i)));
        }
        for (i, w) in cues.generic.register.iter().enumerate() {
            phrases.push((prepare(w), Target::Register(i)));
        }

        phrases
    }

    /// The tokenizer's user words in the order they are added (`None`: jieba suggests the
    /// frequency).
    fn user_words(
        f: &rules::RuleFiles,
        gaz: &Gazetteer,
        phrases: &[(String, Target)],
    ) -> Vec<(String, Option<usize>)> {
        let cues = &f.cues;
        let mut user_words: Vec<String> = gaz
            .words
            .iter()
            .filter(|(_, f)| f.is_none())
            .map(|(w, _)| prepare(w))
            .collect();
        // Advertising claims are not user words: "不会爆炸" must stay 不会 + 爆炸 so the negation and the
        // hazard are seen too.
        user_words.extend(
            phrases
                .iter()
                .filter(|(_, t)| *t != Target::Advert)
                .map(|(p, _)| p.clone()),
        );
        user_words.extend(cues.failure.cues.iter().map(|s| prepare(s)));
        user_words.extend(cues.victim.cues.iter().map(|s| prepare(s)));
        user_words.extend(cues.victim.lists.iter().map(|s| prepare(s)));
        user_words.extend(cues.consequence.words.iter().map(|s| prepare(s)));
        user_words.extend(cues.all_pass.cues.iter().map(|s| prepare(s)));
        // an object verb is read as one token (主动回收, not 主动 + 回收)
        user_words.extend(cues.unclassified.object_verbs.iter().map(|s| prepare(s)));
        for c in &f.products.category {
            user_words.extend(c.anchor_terms.iter().map(|s| prepare(s)));
        }
        // a substance's measure word is read as one token (析出量, not 析出 + 量): the substance
        // rule compares whole tokens
        user_words.extend(
            super::substances::measure_words(f)
                .iter()
                .map(|s| prepare(s)),
        );
        // Longer words first, so a short word's suggested frequency does not break a longer one.
        user_words.sort_by_cached_key(|w| std::cmp::Reverse(w.chars().count()));
        user_words.dedup();
        let mut added: Vec<(String, Option<usize>)> = user_words
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|w| (w, None))
            .collect();
        // Words with a frequency from words.txt: 0 splits a general-dictionary word that swallows a term.
        for (w, f) in &gaz.words {
            if let Some(f) = f {
                added.push((prepare(w), Some(*f)));
            }
        }
        added
    }

    /// The tokenizer alone — jieba with the user words the analyzer gives it, through the same
    /// cache — and the rules' search vocabulary, for what tokenizes without analysing
    /// (`jiance search`): the same as [`Analyzer::jieba`] and [`Analyzer::vocabulary`] of an
    /// analyzer loaded from the same files, without its matcher, regexes and automaton. A
    /// tokenizer read from its snapshot is used before the snapshot's checksum is compared: the
    /// caller confirms the [`tokcache::Integrity`] before it shows what the tokenizer made.
    pub fn tokenizer(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
    ) -> Result<(Arc<Jieba>, Vocabulary, tokcache::Integrity), Vec<ConfigError>> {
        Self::tokenizer_cached(rules_dir, dict_dir, tokcache::default_cache_dir())
    }

    /// [`Analyzer::tokenizer`] with the tokenizer cache in `cache_dir` (`None`: no cache).
    pub fn tokenizer_cached(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
        cache_dir: Option<PathBuf>,
    ) -> Result<(Arc<Jieba>, Vocabulary, tokcache::Integrity), Vec<ConfigError>> {
        let started = Instant::now();
        let rule_texts = rules::read_texts(rules_dir);
        let dict_texts = regions::read_dicts(dict_dir);
        let inputs = Self::inputs_key(&rule_texts, &dict_texts);
        // The files and this executable are as they were when the inputs file was written: its
        // snapshot and vocabulary are what the rules would give, without parsing them.
        if let (Some(dir), Some(key)) = (cache_dir.as_deref(), inputs.as_deref())
            && let Some(found) = tokcache::read_inputs(dir, key)
            && let Some((jieba, integrity)) = tokcache::snapshot_of(dir, &found)
        {
            debug!(ms = ms(started), "tokenizer read from its snapshot");
            return Ok((Arc::new(jieba), found.vocabulary, integrity));
        }
        std::thread::scope(|s| {
            let base = s.spawn(|| tokcache::Prepared::Base(Jieba::new()));
            let (f, gaz) = both(
                rule_texts.and_then(rules::parse_texts),
                dict_texts.and_then(|d| Gazetteer::load(&d)),
            )?;
            let mut place_names: Vec<String> = gaz.names().map(str::to_string).collect();
            place_names.sort_unstable();
            let added = Self::user_words(&f, &gaz, &Self::phrases(&f, &place_names));
            let vocabulary = Vocabulary::from_rules(&f);
            let (jieba, cache) = tokcache::finish(
                || base.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                &added,
                cache_dir.as_deref(),
                inputs.as_deref().map(|k| (k, &vocabulary)),
            );
            debug!(ms = ms(started), ?cache, "tokenizer loaded");
            Ok((Arc::new(jieba), vocabulary, tokcache::Integrity::checked()))
        })
    }

    /// Test items per hazard, from the rule files alone (read and checked as [`Analyzer::load`]
    /// reads them, without building the tokenizer and its dictionary): what scoring a signal file
    /// needs of the analysis rules (`jiance score --signals`, issue 22).
    pub fn test_items_only(
        rules_dir: Option<&Path>,
    ) -> Result<HashMap<String, Vec<String>>, Vec<ConfigError>> {
        let files = rules::load(rules_dir)?;
        Ok(files
            .hazards
            .hazard
            .into_iter()
            .map(|h| (h.name, h.test_items))
            .collect())
    }

    /// The analyzer of parsed rule files and the gazetteer. The order of the steps matters in two
    /// places: substring pattern ids are given in the order the lists are added (the automaton
    /// and the tables refer to them), and the tokenizer is awaited only once everything that
    /// does not need it is built.
    pub(super) fn build(
        f: rules::RuleFiles,
        gaz: Gazetteer,
        jieba: impl FnOnce() -> tokcache::Prepared,
        cache_dir: Option<&Path>,
        inputs: Option<&str>,
    ) -> Result<Analyzer, Vec<ConfigError>> {
        let started = Instant::now();
        let mut errs = Vec::new();
        let vocabulary = Arc::new(Vocabulary::from_rules(&f));
        let cat_index = category_index(&f);
        let mut substr = PatternSet::default();
        add_verdict_cues(&f.cues, &mut substr);
        let categories = categories(&f, &cat_index, &hazard_index(&f), &mut substr);
        let hazards = hazards(&f, &cat_index, &mut substr);
        let product_terms = product_terms(&hazards);
        let cues = &f.cues;
        let org_suffixes = org_suffixes(cues);
        // The two regexes of the suffix lists (Unicode classes repeated up to 30 times) need
        // nothing else: they compile on a thread of their own while the tables, the phrases and
        // the matcher are built, and are taken last.
        let suffixed: Suffixed = {
            let (org, shop) = (org_suffixes.clone(), cues.shop.suffixes.clone());
            std::thread::spawn(move || regexes::suffixed(&org, &shop))
        };
        let kinds = kind_rules(cues, &mut substr);
        let genres = genres(cues, &mut substr);
        let mut ids =
            |v: &[String]| -> Vec<u32> { v.iter().map(|w| substr.id(&prepare(w), 0)).collect() };
        let unaffected = ids(&cues.unaffected.words);
        // (searched in the one substring pass: a search of its own per word cost more than the
        // rest of the declared-name test)
        let declaring = ids(&f.products.declaring);
        let mut place_names: Vec<String> = gaz.names().map(str::to_string).collect();
        place_names.sort_unstable();

        let mut phrases = Self::phrases(&f, &place_names);
        debug!(ms = ms(started), "analyzer: rule tables and phrases");
        let added = Self::user_words(&f, &gaz, &phrases);

        add_regex_gates(cues, &org_suffixes, &mut substr);
        let (substr, substr_flags) = match substr.build() {
            Ok(x) => x,
            Err(e) => {
                errs.push(ConfigError::new(
                    &f.texts[2].0,
                    1,
                    format!("phrase lists: {e}"),
                ));
                join_suffixed(suffixed, &f, &mut errs);
                return Err(errs);
            }
        };
        if !errs.is_empty() {
            join_suffixed(suffixed, &f, &mut errs);
            return Err(errs);
        }
        let (anchor_term_cats, anchor_term_ends) = anchor_terms(&categories);
        debug!(ms = ms(started), "analyzer: substring automaton");
        // The tokenizer is needed from here on only: everything above was built while another
        // thread read its snapshot or built jieba's dictionary.
        let (jieba, cache) =
            tokcache::finish(jieba, &added, cache_dir, inputs.map(|k| (k, &*vocabulary)));
        debug!(
            ms = ms(started),
            words = added.len(),
            ?cache,
            "analyzer: user words"
        );
        add_foreign_phrases(&f, &mut phrases);
        let matcher = phrase_matcher(&jieba, &phrases);
        debug!(ms = ms(started), "analyzer: phrase matcher");
        let Some((unspecified, non_safety, unclassified)) = required(&hazards, &categories) else {
            // rules::load reported the missing name already; this is only reached with rule
            // files that skipped validation
            errs.push(ConfigError::new(
                &f.texts[1].0,
                1,
                "a required hazard or category is missing",
            ));
            join_suffixed(suffixed, &f, &mut errs);
            return Err(errs);
        };
        let Some((org_re, shop_re)) = join_suffixed(suffixed, &f, &mut errs) else {
            return Err(errs);
        };
        debug!(ms = ms(started), "analyzer: suffix regexes");
        let tables = Tables {
            vocabulary,
            jieba: Arc::new(jieba),
            categories,
            hazards,
            product_terms,
            kinds,
            genres,
            unaffected,
            declaring,
            unspecified,
            non_safety,
            unclassified,
            substr,
            substr_flags,
            place_names,
            anchor_term_cats,
            anchor_term_ends,
            matcher,
            org_re,
            shop_re,
        };
        Ok(assemble(&f, &cat_index, gaz, tables))
    }
}

/// 《 followed by each standard family's title, prepared, for the families whose first number (the one
/// the title is of) is a mandatory standard's (GB 16410, "GB 811 / GB 2811"; not GB/T 5023, nor
/// "GB/T 32610 / GB 2626").
fn mandatory_titles(f: &rules::RuleFiles) -> Vec<String> {
    f.hazards
        .standard_family
        .iter()
        .filter(|fam| !fam.title.is_empty())
        .filter(|fam| {
            fam.standard
                .split(" / ")
                .next()
                .is_some_and(crate::analyze::standard_is_mandatory)
        })
        .map(|fam| prepare(&format!("《{}", fam.title)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::check::example_doc;
    use super::*;

    /// The tokenizer cache only saves time: an analyzer built without it, one that writes it and
    /// one that reads it (through the inputs file), and the search tokenizer read from it, cut and
    /// extract the same.
    #[test]
    fn the_tokenizer_cache_changes_no_segmentation_or_extraction() {
        let dir = tempfile::tempdir().unwrap();
        let texts = [
            (
                "网购电热水壶底座漏电",
                "消费者反映在浙江省乐清市购买的电热水壶底座漏电，手碰到壶身发麻。",
            ),
            (
                "市场监管总局抽查电动自行车",
                "共抽查120批次，其中8批次不合格，涉及蓄电池热失控和阻燃性能。",
            ),
            (
                "充电宝召回",
                "某品牌20000毫安移动电源因电芯缺陷可能过热起火，企业宣布召回。",
            ),
        ];
        let plain = Analyzer::load_cached(None, None, None).unwrap();
        let writing = Analyzer::load_cached(None, None, Some(dir.path())).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "{files:?}");
        assert!(files[0].starts_with("inputs-") && files[1].starts_with("tokenizer-"));
        let reading = Analyzer::load_cached(None, None, Some(dir.path())).unwrap();
        let view = |a: &Analyzer| {
            texts
                .iter()
                .map(|(title, text)| {
                    let cut: Vec<String> = a
                        .jieba()
                        .cut(text, true)
                        .iter()
                        .map(|t| t.word.to_string())
                        .collect();
                    let ex = a.analyze(&example_doc(title, text, None), &mut ClusterIndex::new());
                    (cut, serde_json::to_string(&ex).unwrap())
                })
                .collect::<Vec<_>>()
        };
        let expected = view(&plain);
        assert!(expected.iter().any(|(_, ex)| ex.contains("电热水壶")));
        assert_eq!(view(&writing), expected);
        assert_eq!(view(&reading), expected);
        assert_eq!(
            format!("{:?}", reading.jieba()),
            format!("{:?}", plain.jieba())
        );
        // the search tokenizer, from the inputs file alone, and without the cache
        let cached = Analyzer::tokenizer_cached(None, None, Some(dir.path().into())).unwrap();
        let uncached = Analyzer::tokenizer_cached(None, None, None).unwrap();
        assert_eq!(cached.1, plain.vocabulary().folded());
        assert_eq!(uncached.1, *plain.vocabulary());
        for (jieba, _, _) in [&cached, &uncached] {
            for (_, text) in texts {
                assert_eq!(
                    jieba.cut_for_search(text, true),
                    plain.jieba().cut_for_search(text, true)
                );
            }
        }
        // read in place from the file, its checksum compared meanwhile
        assert!(reading.jieba().is_in_place() && cached.0.is_in_place());
        assert!(!plain.jieba().is_in_place() && !uncached.0.is_in_place());
        cached.2.confirm().unwrap();
        uncached.2.confirm().unwrap();
    }
}
