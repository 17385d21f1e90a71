//! Text folding applied before any matching and in the index tokenizer, so a query or a rule
//! written one way finds text written another: traditional → simplified characters (zhconv, whose
//! tables come from OpenCC and MediaWiki), full-width ASCII → half-width, ideographic space → space.

use std::borrow::Cow;

/// Fold `text` for matching. Returns the input unchanged (borrowed) when nothing needs folding.
pub fn fold(text: &str) -> Cow<'_, str> {
    let needs_width = text
        .chars()
        .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}');
    let needs_script = !text.is_ascii();
    if !needs_width && !needs_script {
        return Cow::Borrowed(text);
    }
    let narrowed: Cow<'_, str> = if needs_width {
        Cow::Owned(
            text.chars()
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    '\u{3000}' => ' ',
                    _ => c,
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    let simplified = zhconv::zhconv(&narrowed, zhconv::Variant::ZhHans);
    if simplified == narrowed.as_ref() {
        narrowed
    } else {
        Cow::Owned(simplified)
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_traditional_and_width() {
        assert_eq!(fold("電動自行車充電時起火"), "电动自行车充电时起火");
        assert_eq!(fold("行動電源爆炸"), "行动电源爆炸");
        assert_eq!(fold("ＧＢ　１７７６１"), "GB 17761");
        assert_eq!(fold("plain ascii"), "plain ascii");
        assert_eq!(fold("移动电源"), "移动电源");
    }
}
