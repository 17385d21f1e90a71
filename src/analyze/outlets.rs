//! Publishers' own places: outlets jieba reads as one word with their place ("湖北日报",
//! "合肥晚报"), whose place is a publisher place that stands for the event's only where the text
//! names none (as a regulator's own place does: a local paper's reports are about its area), and
//! places that run on into a publisher's name ("杭州市西湖区市场监管局").

use super::*;

impl Analyzer {
    /// Publisher places of tokens that are a place name run into an outlet's word of cues.toml
    /// `[publisher] suffixes` (日报, 晚报, 电视台, 新闻网); `at` holds the byte spans of the places
    /// already read, which no outlet place repeats.
    pub(super) fn outlet_places(
        &self,
        (full, full_orig): (&str, &str),
        toks: &[Tok],
        at: &[(usize, usize)],
    ) -> Vec<PlaceM> {
        let mut out = Vec::new();
        for t in toks {
            // (a place of two characters and a suffix of two: twelve bytes at least, told by the
            // token's span alone, which rules out nearly every token before its text is read; a
            // span that ends before it starts wraps to a length the text below refuses)
            if t.e.wrapping_sub(t.s) < 12 {
                continue;
            }
            let Some(word) = full.get(t.s..t.e) else {
                continue;
            };
            // (a place name of two characters at least before the suffix, where no place was read)
            let Some(name) = self
                .publisher_ends
                .ending_of(word)
                .and_then(|suffix| word.strip_suffix(suffix))
                .filter(|name| name.chars().count() >= 2)
            else {
                continue;
            };
            if at.iter().any(|&(s, e)| s < t.e && t.s < e) {
                continue;
            }
            let Some(r) = self.gaz.resolve_in(name, &[]) else {
                continue;
            };
            let k = name.len();
            out.push(PlaceM {
                mention: RegionMention {
                    text: full_orig.get(t.s..t.s + k).unwrap_or_default().to_string(),
                    code: r.code,
                    province: r.province,
                    city: r.city,
                    role: RegionRole::Publisher,
                },
                sent: t.sent,
                failed_here: false,
            });
        }
        out
    }
}

/// A place written right before a publisher's place is part of its name
/// ("杭州市西湖区市场监管局"): a publisher's place too, never the event's; so is each place of a
/// list whose last member names the body ("南京、杭州、合肥消保委": three councils). `at` is the
/// byte span of each place of `out`.
pub(super) fn publishers_run_on(out: &mut [PlaceM], at: &[(usize, usize)], full: &str) {
    let joined = |a: usize, b: usize| {
        a == b
            || full
                .get(a..b)
                .is_some_and(|sep| matches!(sep, "、" | "和" | "及" | "与"))
    };
    for i in (0..out.len().saturating_sub(1)).rev() {
        if out[i + 1].mention.role == RegionRole::Publisher
            && out[i].mention.role == RegionRole::Event
            && joined(at[i].1, at[i + 1].0)
        {
            out[i].mention.role = RegionRole::Publisher;
        }
    }
}
