//! Outlets jieba reads as one word with their place ("湖北日报", "合肥晚报"): the place is the
//! outlet's, a publisher place, which stands for the event's only where the text names none (as a
//! regulator's own place does: a local paper's reports are about its area).

use super::*;

impl Analyzer {
    /// Publisher places of tokens that are a place name run into a publisher word (日报, 晚报,
    /// 电视台 … of cues.toml `[publisher] suffixes`); `at` holds the byte spans of the places
    /// already read, which no outlet place repeats.
    pub(super) fn outlet_places(
        &self,
        (full, full_orig): (&str, &str),
        toks: &[Tok],
        at: &[(usize, usize)],
    ) -> Vec<PlaceM> {
        let mut out = Vec::new();
        for t in toks {
            let Some(word) = full.get(t.s..t.e) else {
                continue;
            };
            // (a place name of two characters at least, and a suffix after it)
            if word.chars().count() < 4 || at.iter().any(|&(s, e)| s < t.e && t.s < e) {
                continue;
            }
            let found = word.char_indices().skip(2).find_map(|(k, _)| {
                let (name, rest) = word.split_at(k);
                if !self.publisher_suffixes.opens(rest) {
                    return None;
                }
                self.gaz.resolve_in(name, &[]).map(|r| (k, r))
            });
            let Some((k, r)) = found else { continue };
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
