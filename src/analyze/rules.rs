//! Rule files (rules/products.toml, hazards.toml, cues.toml): their serde shape, loading from a directory
//! or the embedded defaults, validation with file:line errors (the table of checks in `validate`), and
//! where each rule example stands in its file (so a failing example is reported at its line).
//!
//! Data flows: TOML text → [`RuleFiles`] (typed, validated) → the matcher built in `mod.rs`.

use std::path::Path;

use serde::Deserialize;

use crate::config::ConfigError;

mod cue_file;
mod validate;

pub use cue_file::*;

use validate::validate;

pub const PRODUCTS: &str = "products.toml";
pub const HAZARDS: &str = "hazards.toml";
pub const CUES: &str = "cues.toml";

/// The hazard a real risk gets when it names none.
pub const UNSPECIFIED: &str = "未指明";
/// The hazard of a failed quality item that is no safety item.
pub const NON_SAFETY: &str = "非安全质量";
/// The category of a product no rule knows (its noun is kept as written).
pub const UNCLASSIFIED: &str = "未归类";
/// Category names starting so are outside this system's scope (food, drugs, medical devices).
pub const OUT_OF_SCOPE: &str = "范围外:";

/// Whether a category is its group's fallback: the taxonomy names it `其他<group>`.
pub fn is_group_fallback(name: &str, group: &str) -> bool {
    name.strip_prefix("其他") == Some(group)
}
const REQUIRED_HAZARDS: [&str; 2] = [UNSPECIFIED, NON_SAFETY];
const REQUIRED_CATEGORIES: [&str; 1] = [UNCLASSIFIED];

const EMBEDDED_PRODUCTS: &str = include_str!("../../rules/products.toml");
const EMBEDDED_HAZARDS: &str = include_str!("../../rules/hazards.toml");
const EMBEDDED_CUES: &str = include_str!("../../rules/cues.toml");

/// `examples = { match = [...], no_match = [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// A products.toml category's `kinds` rule: words that make a mention after them one of `category`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub words: Vec<String>,
    pub category: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    pub group: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub anchor: Vec<String>,
    #[serde(default)]
    pub anchor_terms: Vec<String>,
    #[serde(default)]
    pub parts: Vec<String>,
    /// The product groups a part word is a part of (empty: any): it gives way only to a product
    /// of one of them (a camera is part of a phone or a robot, never of a sofa).
    #[serde(default)]
    pub part_of: Vec<String>,
    /// The hazards a rule for this product addresses when it names none: a new mandatory standard
    /// for children's furniture is about tip-over, pinching and chemicals (genre key `principal`).
    #[serde(default)]
    pub principal_hazards: Vec<String>,
    /// The category of this product made for children: a mention right after one of the file's
    /// `child_words` ("儿童折叠餐椅", 家具 → 儿童家具) is of that category.
    #[serde(default)]
    pub child: Option<String>,
    /// Every recall of this product is filed with the national regulator by law (cars under the
    /// 缺陷汽车产品召回管理条例): a recall that names no place is nationwide.
    #[serde(default)]
    pub recall_nationwide: bool,
    /// An accessory sold for other products: named right after another product (蓝牙音箱充电器,
    /// 台灯适配器) it is the product, the other one what it is made for.
    #[serde(default)]
    pub accessory: bool,
    /// Names of two products at once that another category's phrase holds (开关插座 is switches
    /// and sockets): a mention of that category through one of them names this one too.
    #[serde(default)]
    pub joint: Vec<String>,
    /// Kinds of this product told by a word before it (at most two plain words between): a
    /// mention after one of `words` is of `category` ("一次性可降解塑料吸管": 塑料餐饮具 → 一次性
    /// 塑料餐饮具), as a child word makes a product its `child` category.
    #[serde(default)]
    pub kinds: Vec<KindRule>,
    /// English names of the product (foreign recalls): matched as whole words, any case.
    #[serde(default)]
    pub en: Vec<String>,
    /// Test items only this product is tested for (三聚氰胺迁移量 of melamine ware): a notice
    /// that names no product but one of them is about this product.
    #[serde(default)]
    pub implied_by: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductsFile {
    /// Words that make the product after them one for children (儿童, 婴儿, 宝宝): a category's
    /// `child` takes over its mention.
    #[serde(default)]
    pub child_words: Vec<String>,
    /// Words for a child who owns a product or is bought one (孩子, 女儿): a product right after
    /// one of them and 的, a verb of buying or using between or not (孩子的智能手表, 给女儿买的
    /// 羽绒服), is made for children, as after a `child_words` word.
    #[serde(default)]
    pub child_owners: Vec<String>,
    /// Words that cite what a test or a rule goes by (依据, 按照): a product word inside a title
    /// they cite (《皮鞋》, 《汽车产品缺陷召回办法》) names the standard, not a product of the text.
    #[serde(default)]
    pub citing: Vec<String>,
    /// Words that declare goods as something (申报为, 谎报为): a product word quoted right after one
    /// (申报为“玩具”的货物) is what the goods were declared as, not a product of the text.
    #[serde(default)]
    pub declaring: Vec<String>,
    /// Words that point back (此类, 这类): a product of the group of one named before, right
    /// after one of them, is that product again ("磁力珠…请将此类玩具放在…"), no product of its own.
    #[serde(default)]
    pub anaphora: Vec<String>,
    #[serde(default)]
    pub category: Vec<CategoryRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardRule {
    pub name: String,
    pub severity: u8,
    #[serde(default)]
    pub terms: Vec<String>,
    #[serde(default)]
    pub weak_terms: Vec<String>,
    #[serde(default)]
    pub test_items: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub prefer_groups: Vec<String>,
    /// Product groups this hazard is reported of: a mention attached to a product of another group
    /// is that product's cause, not its hazard (异物 in a battery cell or a fuel pump is why it
    /// fails; 异物 in a diaper is the complaint). A category's name stands for that category alone
    /// (a kettle among appliances: grit in its water is the complaint). Empty: every group.
    #[serde(default)]
    pub only_groups: Vec<String>,
    #[serde(default)]
    pub minor: bool,
    /// Products whose function is the protection (an alarm, an extinguisher, a breaker): with
    /// `minor`, their failing is a finding of its own beside the harm it lets through.
    #[serde(default)]
    pub protective: Vec<String>,
    /// Something only ever found, never a hazard a requirement addresses: in a text that states
    /// requirements (a standard) its words count nothing ("未获得CCC认证的产品不得销售" is a rule).
    #[serde(default)]
    pub findings_only: bool,
    /// Test items that check this hazard only for some products: the battery standards' 挤压 (crush)
    /// is a fire/explosion test, while 挤压 of a pram is a pinch. For a mention attached to one of
    /// `categories`, the words in `items` mean this hazard's test item, whatever they mean elsewhere.
    #[serde(default)]
    pub product_items: Vec<ProductItems>,
    /// Two words in one clause that together report the hazard, though neither does alone: who
    /// (an outsider: 陌生人, 黑客) and what they did (查看, 远程控制), in a sentence naming one of
    /// `categories` ("孩子的手表被陌生人添加为好友").
    #[serde(default)]
    pub pairs: Vec<Pair>,
    /// English terms of the hazard (foreign recalls): strong terms matched as whole words, any
    /// case.
    #[serde(default)]
    pub en: Vec<String>,
    /// English test items of the hazard (a market-surveillance round's "small parts test",
    /// "labelling requirements"): matched as `en` terms are, but counted as test items are — only
    /// where the text reports failures (a failed round's items, beside failure wording).
    #[serde(default)]
    pub en_items: Vec<String>,
    /// Substances no term names, told by their form: a word ending in one of `endings` (胺, 醛,
    /// 酚: 对苯二胺, 二噁烷) right before one of `measures` (含量, 迁移量) is a test item of
    /// this hazard.
    #[serde(default)]
    pub substances: Option<Substances>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substances {
    /// Last characters of a substance's name, one each.
    pub endings: Vec<String>,
    /// Words that measure a substance, each a whole token (残留 and 残留量 both listed).
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub who: Vec<String>,
    pub did: Vec<String>,
    /// Products the sentence must name (empty: any).
    #[serde(default)]
    pub categories: Vec<String>,
    /// The `who` word may stand in an earlier clause of the `did` word's sentence (a claim the
    /// next clause belies: "标注为真皮，实为人造革"), not only in its clause.
    #[serde(default)]
    pub sentence: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductItems {
    pub categories: Vec<String>,
    pub items: Vec<String>,
    /// The words are terms of the hazard for these products (a tyre's 鼓包 or 漏气 is a loss of
    /// control, with or without failure wording), not test items.
    #[serde(default)]
    pub strong: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardsFile {
    #[serde(default)]
    pub hazard: Vec<HazardRule>,
    /// Clause tables per standard family: the failed items an inspection notice names, and the
    /// hazard each checks, for the products of the family.
    #[serde(default)]
    pub standard_family: Vec<StandardFamily>,
}

/// The clauses of one family of product standards (GB 4706 for household appliances, GB 6675
/// for toys …) as failed items name them, each with the hazard it checks and an example of a
/// notice naming it. For the family's products (its `groups` and `categories`) a failed item
/// reports that hazard; for other products the word keeps whatever else it means.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardFamily {
    pub standard: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub items: Vec<Clause>,
    /// Where a product noun no rule knows goes when it failed one of these clauses: a noun that
    /// fails an appliance's clause is an appliance, whatever its head.
    #[serde(default)]
    pub unknown: Option<UnknownProducts>,
}

/// A standard family's `unknown`: the category of a product noun no rule places that failed
/// one of the family's clause titles (items of five characters or more: 对触及带电部件的防护,
/// 非正常工作; a short one such as 机械强度 names checks of many kinds of product), with examples
/// whose noun must land there (`match`) and must not (`no_match`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnknownProducts {
    pub category: String,
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub item: String,
    pub hazard: String,
    /// A notice naming the item as failed (run by `jiance check` and the tests).
    pub example: String,
}

/// The three rule files, parsed and validated, with their text kept for locating examples.
#[derive(Debug, Clone)]
pub struct RuleFiles {
    pub products: ProductsFile,
    pub hazards: HazardsFile,
    pub cues: CuesFile,
    /// (file label, text) for products, hazards, cues.
    pub texts: [(String, String); 3],
}

/// Read one file of `dir` or return the embedded default.
pub fn read_or_embedded(
    dir: Option<&Path>,
    name: &str,
    embedded: &str,
) -> Result<(String, String), ConfigError> {
    match dir {
        None => Ok((format!("rules/{name}"), embedded.to_string())),
        Some(d) => {
            let path = d.join(name);
            let label = path.display().to_string();
            std::fs::read_to_string(&path)
                .map(|t| (label.clone(), t))
                .map_err(|e| ConfigError::new(label, 0, format!("cannot read: {e}")))
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(label: &str, text: &str) -> Result<T, ConfigError> {
    toml::from_str::<T>(text).map_err(|e| ConfigError::from_toml(label, text, &e))
}

/// The `(label, text)` of products.toml, hazards.toml and cues.toml as [`load`] reads them,
/// unparsed; every file that cannot be read is an error.
pub fn read_texts(dir: Option<&Path>) -> Result<[(String, String); 3], Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut read = |name: &str, embedded: &str| {
        read_or_embedded(dir, name, embedded).unwrap_or_else(|e| {
            errors.push(e);
            (name.to_string(), String::new())
        })
    };
    let texts = [
        read(PRODUCTS, EMBEDDED_PRODUCTS),
        read(HAZARDS, EMBEDDED_HAZARDS),
        read(CUES, EMBEDDED_CUES),
    ];
    if errors.is_empty() {
        Ok(texts)
    } else {
        Err(errors)
    }
}

/// Load and validate the rule files. All errors are collected, each located.
pub fn load(dir: Option<&Path>) -> Result<RuleFiles, Vec<ConfigError>> {
    read_texts(dir).and_then(parse_texts)
}

/// Parse and validate the texts [`read_texts`] gave.
pub fn parse_texts(texts: [(String, String); 3]) -> Result<RuleFiles, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let products = parse::<ProductsFile>(&texts[0].0, &texts[0].1);
    let hazards = parse::<HazardsFile>(&texts[1].0, &texts[1].1);
    let cues = parse::<CuesFile>(&texts[2].0, &texts[2].1);
    let (products, hazards, cues) = match (products, hazards, cues) {
        (Ok(p), Ok(h), Ok(c)) => (p, h, c),
        (p, h, c) => {
            errors.extend(p.err());
            errors.extend(h.err());
            errors.extend(c.err());
            return Err(errors);
        }
    };
    let files = RuleFiles {
        products,
        hazards,
        cues,
        texts,
    };
    errors.extend(validate(&files));
    if errors.is_empty() {
        let mut files = files;
        family_items(&mut files);
        Ok(files)
    } else {
        Err(errors)
    }
}

/// The clause tables as product items of their hazards: each family's items check their hazard
/// for the family's products (its categories and those of its groups). An item that is already
/// one of its hazard's own terms names that hazard for every product: made a product item, it
/// would be dropped outside the family ("婴儿背带…宝宝可能跌落" is a fall though no furniture).
fn family_items(f: &mut RuleFiles) {
    for fam in &f.standard_family_view() {
        for (item, hazard) in &fam.1 {
            if let Some(h) = f.hazards.hazard.iter_mut().find(|h| &h.name == hazard) {
                if h.terms.contains(item) {
                    continue;
                }
                h.product_items.push(ProductItems {
                    categories: fam.0.clone(),
                    items: vec![item.clone()],
                    strong: false,
                });
            }
        }
    }
}

/// A standard family's categories and its (item, hazard) pairs.
type FamilyView = (Vec<String>, Vec<(String, String)>);

impl RuleFiles {
    /// Each standard family as (its categories, (item, hazard) pairs).
    fn standard_family_view(&self) -> Vec<FamilyView> {
        self.hazards
            .standard_family
            .iter()
            .map(|fam| {
                let mut cats = fam.categories.clone();
                for c in &self.products.category {
                    if fam.groups.contains(&c.group) && !cats.contains(&c.name) {
                        cats.push(c.name.clone());
                    }
                }
                let items = fam
                    .items
                    .iter()
                    .map(|c| (c.item.clone(), c.hazard.clone()))
                    .collect();
                (cats, items)
            })
            .collect()
    }
}

/// Line of an example string inside a file: the first line at or after `from_line` (1-based) that holds
/// the string as a TOML literal; the block line when not found.
pub fn example_line(text: &str, from_line: usize, example: &str) -> usize {
    let quoted = format!("\"{example}\"");
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        if line.contains(&quoted) {
            return i + 1;
        }
    }
    from_line
}

/// Line of a `[name]` table header (0 when absent).
pub fn table_line(text: &str, name: &str) -> usize {
    let header = format!("[{name}]");
    text.lines()
        .position(|l| l.trim() == header)
        .map(|i| i + 1)
        .unwrap_or(0)
}
