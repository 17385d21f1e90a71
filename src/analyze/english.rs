//! English foreign recalls (CPSC, Health Canada, Safety Gate, ACCC): the product a recall
//! sentence names when no rule phrase does ("Nova recalls electric egg cookers because…",
//! "Egg cookers recalled due to…", "the recalled foot warmers can…"), for the products stage and
//! the findings alike.

use super::Tokens;

/// Words that end the product phrase of an English recall sentence: what follows names the
/// reason, the seller or the count, not the product.
const EN_PHRASE_END: [&str; 30] = [
    "is",
    "are",
    "has",
    "have",
    "contains",
    "because",
    "due",
    "after",
    "that",
    "which",
    "sold",
    "with",
    "from",
    "in",
    "for",
    "over",
    "as",
    "can",
    "could",
    "may",
    "might",
    "pose",
    "poses",
    "posing",
    "to",
    "by",
    "following",
    "amid",
    "and",
    "made",
];

/// Words for a rule whose product follows "for" ("a safety standard for baby gates").
const EN_RULE_WORDS: [&str; 7] = [
    "standard",
    "standards",
    "regulation",
    "regulations",
    "requirements",
    "rule",
    "rules",
];

/// Auxiliaries of a passive recall ("is recalled", "are being recalled", "has been recalled").
const EN_AUXILIARIES: [&str; 8] = ["is", "are", "was", "were", "being", "been", "has", "have"];

/// The tokens (a, b) of the product an English recall sentence names ("Nova recalls electric egg
/// cookers because…", "Egg cookers recalled due to…", "the recalled foot warmers can…"): the words
/// after `recall(s|ing)`, `the recalled` or an alert's colon ("Safety Gate alert from Germany: a
/// …"), or before `recalled`, up to a word that ends the phrase; at most six words. Counts and articles before
/// it ("about 3,000", "the") are no part of it. `in_scope` holds on one run of consecutive
/// tokens (a sentence, or the opening sentences): the walk stops where the run ends.
pub(super) fn english_recalled(
    t: &Tokens,
    in_scope: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let (eng, glue, ends) = (|k| eng(t, k), |k| glue(t, k), |k| ends(t, k));
    let lead = |k| lead(t, k);
    // (sentence numbers only grow along the tokens, so a scope of sentences is one run; the
    // tokens after it were each asked and skipped before)
    for k in (0..t.toks.len())
        .skip_while(|&k| !in_scope(k))
        .take_while(|&k| in_scope(k))
    {
        // compared without a lower-cased copy: this runs once per token of the scope
        let w = t.words[k];
        let is = |s: &str| w.eq_ignore_ascii_case(s);
        let (mut a, mut b) = (None, None);
        // the word before the one at `k`, past a blank or a hyphen
        let word_before = |k: usize| (1..=2).filter_map(|d| k.checked_sub(d)).find(|&j| !glue(j));
        // a field's colon within `n` tokens after the word at `k` ("Product:", "alert from X:")
        let colon_within = |k: usize, n: usize| {
            (k + 1..(k + n).min(t.toks.len()))
                .take_while(|&j| in_scope(j))
                .find(|&j| matches!(t.words[j], ":" | "："))
        };
        let after = |from: usize, skip: &dyn Fn(usize) -> bool| {
            let (a, b) = phrase_after(t, from, in_scope, skip);
            (Some(a), Some(b))
        };
        if is("recall") || is("recalls") || is("recalling") {
            // a headline's colon after the word ("Recall: heated eye masks") opens the product
            let from = colon_within(k, 3).map_or(k + 1, |c| c + 1);
            (a, b) = after(from, &|j| glue(j) || lead(j));
        } else if is("product")
            && let Some(colon) = colon_within(k, 3)
        {
            // an alert's field ("Product: plush unicorn. Risk type: …")
            (a, b) = after(colon + 1, &|j| glue(j) || lead(j));
        } else if is("for")
            && word_before(k).is_some_and(|j| {
                EN_RULE_WORDS
                    .iter()
                    .any(|r| t.words[j].eq_ignore_ascii_case(r))
            })
        {
            // "a new mandatory standard for baby bath seats": a standard's product
            (a, b) = after(k + 1, &|j| glue(j) || lead(j));
        } else if (is("alert") || is("alerts"))
            && let Some(colon) = colon_within(k, 8)
        {
            // "Safety Gate alert from Germany: a wireless game controller made in China"
            (a, b) = after(colon + 1, &|j| glue(j) || lead(j));
        } else if is("recalled")
            && word_before(k).is_some_and(|j| t.words[j].eq_ignore_ascii_case("the"))
        {
            // "the recalled electric foot warmers can overheat": the words after it
            (a, b) = after(k + 1, &glue);
        } else if is("recalled") || is("withdrawn") {
            // ("heaters are withdrawn from sale", as a passive recall)
            let mut j = k;
            while j > 0 && in_scope(j - 1) && glue(j - 1) {
                j -= 1;
            }
            // "a portable ice maker is recalled", "heaters are being recalled": the verb's
            // auxiliaries stand between the product and the participle
            while j > 0
                && in_scope(j - 1)
                && EN_AUXILIARIES
                    .iter()
                    .any(|x| t.words[j - 1].eq_ignore_ascii_case(x))
            {
                j -= 1;
                while j > 0 && in_scope(j - 1) && glue(j - 1) {
                    j -= 1;
                }
            }
            let end = j;
            let mut words = 0;
            while j > 0 && in_scope(j - 1) && (eng(j - 1) || glue(j - 1)) && words < 6 {
                if eng(j - 1) && (ends(j - 1) || lead(j - 1)) {
                    break;
                }
                words += usize::from(eng(j - 1));
                j -= 1;
            }
            while j < end && glue(j) {
                j += 1;
            }
            (a, b) = (Some(j), Some(end));
        }
        if let (Some(a), Some(b)) = (a, b)
            && a < b
        {
            return Some((a, b));
        }
    }
    None
}

/// The products of an English round-up that lists them after a colon, one per semicolon ("recalls
/// this week: glow sticks sold at …; bamboo fibre cups (…); a plush rabbit toy (…)"): each item's
/// words past an article or a count, up to a word that ends the phrase or a bracket; at most six
/// words. Only a colon followed by a semicolon in its sentence opens such a list.
pub(super) fn english_list_items(t: &Tokens) -> Vec<(usize, usize)> {
    let semi = |k: usize| matches!(t.words[k], ";" | "；");
    let mut items = Vec::new();
    for k in 0..t.toks.len() {
        let sent = t.toks[k].sent;
        let opens = match t.words[k] {
            ";" | "；" => true,
            ":" | "：" => (k + 1..t.toks.len())
                .take_while(|&j| t.toks[j].sent == sent)
                .any(semi),
            _ => false,
        };
        if !opens {
            continue;
        }
        // (a semicolon may end a sentence: the item's own sentence bounds it; an item after the
        // first may open with "and": "…; and a plush toy (…)")
        let Some(item_sent) = t.toks.get(k + 1).map(|x| x.sent) else {
            continue;
        };
        let (a, b) = phrase_after(t, k + 1, &|j| t.toks[j].sent == item_sent, &|j| {
            glue(t, j) || lead(t, j) || t.words[j].eq_ignore_ascii_case("and")
        });
        if b > a {
            items.push((a, b));
        }
    }
    items
}

/// A token of English letters.
fn eng(t: &Tokens, k: usize) -> bool {
    t.words.get(k).is_some_and(|w| super::text::latin_word(w))
}

/// A token that joins the words of an English phrase: a blank, a hyphen, an apostrophe.
fn glue(t: &Tokens, k: usize) -> bool {
    t.words
        .get(k)
        .is_some_and(|w| w.trim().is_empty() || matches!(*w, "-" | "'" | "’"))
}

/// A word that ends a product phrase (`EN_PHRASE_END`).
fn ends(t: &Tokens, k: usize) -> bool {
    EN_PHRASE_END
        .iter()
        .any(|e| t.words[k].eq_ignore_ascii_case(e))
}

/// A word that may lead a product phrase and is no part of it: an article, a count.
fn lead(t: &Tokens, k: usize) -> bool {
    let w = t.words[k].to_ascii_lowercase();
    matches!(
        w.as_str(),
        "the"
            | "a"
            | "an"
            | "about"
            | "approximately"
            | "nearly"
            | "some"
            | "its"
            | "their"
            | "units"
            | "of"
            | "all"
            | "certain"
            | "select"
            // "issued a recall for a wireless controller"
            | "for"
    ) || t.words[k].chars().all(|c| c.is_ascii_digit() || c == ',')
}

/// The words from token `from` on, past what may lead them (`skip`), up to a word that ends the
/// phrase, a token that is neither a word nor glue, or the end of `in_scope`; at most six words,
/// without glue at its end.
fn phrase_after(
    t: &Tokens,
    from: usize,
    in_scope: &dyn Fn(usize) -> bool,
    skip: &dyn Fn(usize) -> bool,
) -> (usize, usize) {
    let mut j = from;
    while j < t.toks.len() && in_scope(j) && skip(j) {
        j += 1;
    }
    let start = j;
    let mut words = 0;
    while j < t.toks.len() && in_scope(j) && (eng(t, j) || glue(t, j)) && !ends(t, j) && words < 6 {
        words += usize::from(eng(t, j));
        j += 1;
    }
    while j > start && glue(t, j - 1) {
        j -= 1;
    }
    (start, j)
}
