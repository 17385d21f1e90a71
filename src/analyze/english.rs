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
    let eng = |k: usize| t.words.get(k).is_some_and(|w| super::text::latin_word(w));
    let glue = |k: usize| {
        t.words
            .get(k)
            .is_some_and(|w| w.trim().is_empty() || matches!(*w, "-" | "'" | "’"))
    };
    let ends = |k: usize| {
        EN_PHRASE_END
            .iter()
            .any(|e| t.words[k].eq_ignore_ascii_case(e))
    };
    let lead = |k: usize| {
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
    };
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
        // the words from token `from` on, past what may lead them (`skip`), up to a phrase end
        let after = |from: usize, skip: &dyn Fn(usize) -> bool| {
            let mut j = from;
            while j < t.toks.len() && in_scope(j) && skip(j) {
                j += 1;
            }
            let start = j;
            let mut words = 0;
            while j < t.toks.len() && in_scope(j) && (eng(j) || glue(j)) && !ends(j) && words < 6 {
                words += usize::from(eng(j));
                j += 1;
            }
            while j > start && glue(j - 1) {
                j -= 1;
            }
            (Some(start), Some(j))
        };
        if is("recall") || is("recalls") || is("recalling") {
            (a, b) = after(k + 1, &|j| glue(j) || lead(j));
        } else if (is("alert") || is("alerts"))
            && let Some(colon) = (k + 1..(k + 8).min(t.toks.len()))
                .take_while(|&j| in_scope(j))
                .find(|&j| matches!(t.words[j], ":" | "："))
        {
            // "Safety Gate alert from Germany: a wireless game controller made in China"
            (a, b) = after(colon + 1, &|j| glue(j) || lead(j));
        } else if is("recalled")
            && (1..=2)
                .filter_map(|d| k.checked_sub(d))
                .find(|&j| !glue(j))
                .is_some_and(|j| t.words[j].eq_ignore_ascii_case("the"))
        {
            // "the recalled electric foot warmers can overheat": the words after it
            (a, b) = after(k + 1, &glue);
        } else if is("recalled") {
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
    let eng = |k: usize| t.words.get(k).is_some_and(|w| super::text::latin_word(w));
    let glue = |k: usize| t.words.get(k).is_some_and(|w| w.trim().is_empty());
    let ends = |k: usize| {
        EN_PHRASE_END
            .iter()
            .any(|e| t.words[k].eq_ignore_ascii_case(e))
    };
    let lead = |k: usize| {
        matches!(
            t.words[k].to_ascii_lowercase().as_str(),
            "the" | "a" | "an" | "some" | "and"
        ) || t.words[k].chars().all(|c| c.is_ascii_digit() || c == ',')
    };
    let semi = |k: usize| matches!(t.words[k], ";" | "；");
    let mut items = Vec::new();
    for k in 0..t.toks.len() {
        let opens = match t.words[k] {
            ";" | "；" => true,
            ":" | "：" => (k + 1..t.toks.len())
                .take_while(|&j| t.toks[j].sent == t.toks[k].sent)
                .any(semi),
            _ => false,
        };
        if !opens {
            continue;
        }
        let mut a = k + 1;
        while a < t.toks.len() && (glue(a) || (eng(a) && lead(a))) {
            a += 1;
        }
        let (mut b, mut words) = (a, 0);
        while b < t.toks.len() && (eng(b) || glue(b)) && !ends(b) && words < 6 {
            words += usize::from(eng(b));
            b += 1;
        }
        while b > a && glue(b - 1) {
            b -= 1;
        }
        if b > a {
            items.push((a, b));
        }
    }
    items
}
