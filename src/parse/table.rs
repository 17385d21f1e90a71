//! Tables without selectors: a grid of cell texts (a spreadsheet sheet, a CSV file, the lines of
//! a PDF page) to the structured rows an inspection notice's HTML table gives through its
//! source's column selectors — the same keys (`product`, `enterprise`, `province`, `brand`,
//! `model`, `batch`, `items`, `result`), so the analyzer cannot tell where a row came from.
//!
//! A header row is recognised by its Chinese column names (产品名称, 标称生产企业, 不合格项目 …);
//! the rows under it are read by column position until the next header (a second table on the
//! same sheet) or the end. Title rows above the header, notes below it and the serial-number
//! column are left out.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{field, inspection_keys};

/// The row key of a column header, or `None` for a column rows do not keep (序号, 备注) or a
/// cell that is no header at all. Checked most specific first: 标称生产企业所在地 is a place,
/// not the enterprise; 不合格项目 is the failed items, not any 项目.
pub fn column_key(header: &str) -> Option<&'static str> {
    // every name below is Chinese: a cell of ASCII alone (a number, a word of English) names
    // none, and is answered without a copy made or a name searched for
    if header.is_ascii() {
        return None;
    }
    let skipped = |c: char| c.is_whitespace() || c == '*' || c == '＊';
    // (a cell split off at whitespace, as most are, is its own key text: no copy)
    let h: Cow<str> = if header.contains(skipped) {
        Cow::Owned(header.chars().filter(|&c| !skipped(c)).collect())
    } else {
        Cow::Borrowed(header)
    };
    if h.is_empty() || h.chars().count() > 24 {
        return None;
    }
    // every name holds one of the few characters of KEY_CHARS: a cell with none names no
    // column, told without a name searched for
    if !h.contains(|c: char| KEY_CHARS.contains(&c)) {
        return None;
    }
    COLUMNS
        .iter()
        .find(|(words, key)| {
            words.iter().any(|w| h.contains(w)) || (*key == field::PRODUCT && h == "产品")
        })
        .map(|&(_, key)| key)
}

/// Column names and their row keys, the most specific first: a summary table's counts per
/// product (抽查批次, 不合格批次, 合格批次) before 批次号.
const COLUMNS: [(&[&str], &str); 11] = [
    (&["不合格批次", "不合格数"], inspection_keys::FAILED),
    (
        &[
            "抽查批次",
            "抽检批次",
            "抽样批次",
            "抽取批次",
            "检验批次",
            "抽查数量",
        ],
        inspection_keys::SAMPLED,
    ),
    (&["合格批次", "合格数"], inspection_keys::PASSED),
    (
        &["不合格项目", "不合格检验项目", "主要不合格", "不符合项目"],
        field::ITEMS,
    ),
    (
        &["检验结果", "抽查结果", "判定结果", "检验结论", "结论"],
        field::RESULT,
    ),
    (&["所在地", "省份", "所在省", "地区"], field::PROVINCE),
    (&["批号", "生产日期", "批次号"], field::BATCH),
    (&["型号", "规格"], field::MODEL),
    (&["商标", "品牌"], field::BRAND),
    (
        &[
            "生产企业",
            "生产者",
            "生产单位",
            "制造商",
            "企业名称",
            "生产厂",
        ],
        field::ENTERPRISE,
    ),
    // (and a cell of 产品 alone)
    (
        &[
            "产品名称",
            "样品名称",
            "商品名称",
            "抽查产品",
            "产品类别",
            "产品种类",
        ],
        field::PRODUCT,
    ),
];

/// Characters one of which every name of [`COLUMNS`] holds (a test checks it).
const KEY_CHARS: [char; 12] = [
    '批', '合', '抽', '结', '地', '省', '产', '号', '规', '商', '品', '企',
];

/// The keys of a row if it is a header row: at least two different recognised columns, one of
/// them the product or the failed items (a table of something else — staff, dates — is not
/// ours; a title merged across the columns repeats one name).
pub fn header<S: AsRef<str>>(cells: &[S]) -> Option<Vec<Option<&'static str>>> {
    let keys: Vec<Option<&'static str>> = cells.iter().map(|c| column_key(c.as_ref())).collect();
    let mut distinct: Vec<&str> = keys.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let known = distinct.len();
    let anchored = keys
        .iter()
        .flatten()
        .any(|k| *k == field::PRODUCT || *k == field::ITEMS);
    (known >= 2 && anchored).then_some(keys)
}

/// Rows of a grid (each inner vector one row of cell texts, merged cells already filled in).
/// A data row needs at least two of its recognised columns filled: a note spanning the table
/// ("注：…") or a page number is no row.
pub fn rows(grid: &[Vec<String>]) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut keys: Option<Vec<Option<&'static str>>> = None;
    for cells in grid {
        if let Some(h) = header(cells) {
            keys = Some(h);
            continue;
        }
        let Some(keys) = &keys else { continue };
        let mut row = BTreeMap::new();
        for (key, cell) in keys.iter().zip(cells) {
            let (Some(key), value) = (key, clean(cell)) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            // two columns of one key (产品名称 and 产品类别) keep the first
            row.entry(key.to_string()).or_insert(value);
        }
        if row.len() >= 2 {
            out.push(row);
        }
    }
    out
}

/// A cell's text on one line: wrapped cells (Alt-Enter in a spreadsheet, a wrapped PDF cell)
/// are joined, runs of spaces collapsed.
fn clean(cell: &str) -> String {
    cell.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters a cell is first looked at for are in every column name (and in 产品): a
    /// cell without them could name no column.
    #[test]
    fn every_column_name_holds_a_key_character() {
        for w in COLUMNS
            .iter()
            .flat_map(|(words, _)| words.iter())
            .chain(&["产品"])
        {
            assert!(w.contains(|c: char| KEY_CHARS.contains(&c)), "{w}");
        }
    }

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn headers_are_told_by_their_chinese_names() {
        assert_eq!(column_key("产品名称"), Some("product"));
        assert_eq!(column_key("标称生产企业"), Some("enterprise"));
        assert_eq!(column_key("标称生产企业所在地"), Some("province"));
        assert_eq!(column_key("不合格项目"), Some("items"));
        assert_eq!(column_key("规格型号"), Some("model"));
        assert_eq!(column_key("商 标"), Some("brand"));
        assert_eq!(column_key("生产日期/批号"), Some("batch"));
        assert_eq!(column_key("序号"), None);
        assert_eq!(column_key("电动自行车用锂离子蓄电池"), None);
    }

    #[test]
    fn rows_under_a_header_skip_titles_notes_and_serials() {
        let g = grid(&[
            &["电子电器产品抽查不合格名单", "", ""],
            &["序号", "产品名称", "标称生产企业", "不合格项目"],
            &["1", "电热水壶", "某某电器有限公司", "耐热和耐燃"],
            &["2", "插座", "", "温升"],
            &["注：排名不分先后", "", "", ""],
        ]);
        let r = rows(&g);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0]["product"], "电热水壶");
        assert_eq!(r[0]["enterprise"], "某某电器有限公司");
        assert_eq!(r[1]["items"], "温升");
        assert!(!r[1].contains_key("enterprise"));
    }

    #[test]
    fn a_table_of_something_else_gives_no_rows() {
        let g = grid(&[&["姓名", "电话"], &["张三", "123"]]);
        assert!(rows(&g).is_empty());
    }
}
