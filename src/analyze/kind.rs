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
            .and_then(|t| t.char_indices().nth(300))
            .map_or(full.len(), |(i, _)| text_start + i);
        // the text's first clause says what it is: "市场监管局公布抽检结果，…已责令下架并召回" is an
        // inspection that ordered a recall, not a maker's recall notice
        let lead_end = full
            .get(text_start..head_end)
            .and_then(|t| t.find(['。', '！', '？', '\n', '，', '；', ',', ';', '!', '?']))
            .map_or(head_end, |i| text_start + i);
        let in_scope =
            |ids: &[u32], end: usize| found.iter().any(|&(p, _, e)| e <= end && ids.contains(&p));
        for (i, scope_end) in [title_end, lead_end, head_end].into_iter().enumerate() {
            for k in &self.kinds {
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
                if in_scope(&k.any, scope_end)
                    && (k.also.is_empty() || in_scope(&k.also, scope_end))
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
