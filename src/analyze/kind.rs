//! The document's kind (recall, inspection, complaint …): the source's, its fields', or inferred from
//! the title and the head of the text by the `[[kind]]` rules of cues.toml.

use super::*;

impl Analyzer {
    /// `full` is the prepared title, a newline and the prepared text, `found` its substring
    /// hits; the text starts at byte `text_start`.
    pub(super) fn infer_kind(
        &self,
        doc: &Document,
        (full, found): (&str, &[Hit]),
        text_start: usize,
    ) -> DocKind {
        if let Some(k) = doc.kind {
            return k;
        }
        if doc.field(field::SHOP).is_some()
            || (doc.field(field::PLATFORM).is_some() && doc.field(field::PRICE).is_some())
        {
            return DocKind::Listing;
        }
        if !doc.rows.is_empty() {
            return DocKind::Inspection;
        }
        if doc.channel == crate::model::Channel::Complaint {
            return DocKind::Complaint;
        }
        // the title, then the title with the first 300 characters of the text: a word counts in a
        // scope when it ends inside it
        let title_end = text_start.saturating_sub(1);
        let head_end = full
            .get(text_start..)
            .and_then(|t| char_offset(t, 300))
            .map_or(full.len(), |i| text_start + i);
        // the text's first clause says what it is: "市场监管局公布抽检结果，…已责令下架并召回" is an
        // inspection that ordered a recall, not a maker's recall notice
        let lead_end = full
            .get(text_start..head_end)
            .and_then(|t| t.find(['。', '！', '？', '\n', '，', '；', ',', ';', '!', '?']))
            .map_or(head_end, |i| text_start + i);
        let scopes = [title_end, lead_end, head_end];
        // which rules' lists have a word ending in each scope, from one pass over the hits; a
        // test of each rule's lists against every hit was most of telling the kind
        let mut in_scopes = [0u64; 3];
        if !self.kind_masks.is_empty() {
            for &(p, _, e) in found {
                let m = self.kind_masks.get(p as usize).copied().unwrap_or(0);
                for (acc, &end) in in_scopes.iter_mut().zip(&scopes) {
                    if e <= end {
                        *acc |= m;
                    }
                }
            }
        }
        let in_scope = |k: usize, also: bool, ids: &[u32], scope: usize| {
            if self.kind_masks.is_empty() {
                let end = scopes.get(scope).copied().unwrap_or(0);
                found.iter().any(|&(p, _, e)| e <= end && ids.contains(&p))
            } else {
                in_scopes
                    .get(scope)
                    .is_some_and(|acc| acc >> (2 * k + usize::from(also)) & 1 == 1)
            }
        };
        for i in 0..scopes.len() {
            for (ki, k) in self.kinds.iter().enumerate() {
                // a title-only rule reaches the head of the text only on a standards channel
                // a notice's words (通知, 公告, 风险警示) name the form of a text, not what it
                // reports: the lead decides only between what texts report
                if i == 1 && k.kind == DocKind::Notice {
                    continue;
                }
                if i >= 1
                    && k.title_only
                    && !(k.kind == DocKind::Standard
                        && doc.channel == crate::model::Channel::Standard)
                {
                    continue;
                }
                if in_scope(ki, false, &k.any, i)
                    && (k.also.is_empty() || in_scope(ki, true, &k.also, i))
                {
                    return k.kind;
                }
            }
        }
        match doc.channel {
            crate::model::Channel::Complaint => DocKind::Complaint,
            crate::model::Channel::Platform => DocKind::Listing,
            crate::model::Channel::Regulator => DocKind::Notice,
            crate::model::Channel::Standard => DocKind::Standard,
            crate::model::Channel::Media => DocKind::Media,
        }
    }
}

/// Per phrase id (of `patterns`), the `[[kind]]` rules whose lists hold it: bit 2k for rule k's
/// `any`, bit 2k + 1 for its `also`, so one pass over a document's hits finds which lists it
/// holds. Empty when there are more than 32 rules: they are then matched list by list.
pub(super) fn kind_masks(kinds: &[KindRule], patterns: usize) -> Vec<u64> {
    if kinds.len() > 32 {
        return Vec::new();
    }
    let mut masks = vec![0u64; patterns];
    for (k, rule) in kinds.iter().enumerate() {
        for (bit, ids) in [(2 * k, &rule.any), (2 * k + 1, &rule.also)] {
            for &id in ids {
                // an empty word's id (u32::MAX) is in no document: it has no mask
                if let Some(m) = masks.get_mut(id as usize) {
                    *m |= 1 << bit;
                }
            }
        }
    }
    masks
}
