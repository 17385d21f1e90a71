//! The extraction regexes: six constant ones, compiled the first time a document needs them, and
//! the two that alternate the rules' suffixes (organisation and shop names), compiled while the
//! analyzer is built.
//!
//! Compiling all eight (Unicode classes repeated up to 30 times) was a seventh of the instructions
//! of a start, and the start waited for it. Most run only where a word they cannot match without
//! is present (see `text.rs`), so a command that analyses a few lines compiles a few.

use std::ops::Deref;
use std::sync::OnceLock;

use regex::Regex;

/// A constant pattern, compiled on first use by whichever thread needs it first.
pub(super) struct LazyRegex {
    pattern: &'static str,
    re: OnceLock<Regex>,
}

impl LazyRegex {
    pub(super) const fn new(pattern: &'static str) -> Self {
        LazyRegex {
            pattern,
            re: OnceLock::new(),
        }
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.re.get_or_init(|| {
            // The patterns are constants of this file and a test compiles each: no rule or
            // document can make one fail.
            Regex::new(self.pattern).expect("a constant regex of analyze/regexes.rs compiles")
        })
    }
}

/// A brand: “X”牌, 品牌为“X”, 品牌：X, 品牌名：X, 品牌为X (group 3, unquoted: its end is read by word, see
/// `parties::unquoted_brand_end`).
pub(super) const BRAND: &str = r"(?:[“「『\x22]([^”」』\x22，。]{1,12})[”」』\x22](?:牌|品牌)|(?:品牌|商标|牌子)(?:名称|名)?(?:为|是|：|:)?\s*[“「『]([^”」』，。]{1,12})[”」』]|(?:品牌|商标)(?:名称|名)?(?:[：:]|为)\s*([\p{Han}A-Za-z0-9]{2,10})|([\p{Han}A-Za-z0-9]{2,10})[（(](?:品牌|商标)[）)])";
/// A standard's number, with its year when given: GB/T 1234.1-2019, DB33/T 980; GBT 1234 is
/// how many pages write GB/T.
pub(super) const STD: &str = r"(?i)(?:^|[^a-z/])(GB/T|GBT|GB/Z|GB|[A-Z]{2}/T|DB\d{2}/T)\s*(\d{3,5}(?:\.\d{1,3})?)(?:\s*[-—–]\s*((?:19|20)\d{2}))?";
/// What follows a news dateline's place: (5月3日)(综合)电 / 讯 / 消息, after the rest of a media
/// name the place begins ("[广州]家居网5月8日消息", "[成都]母婴网讯").
pub(super) const DATELINE: &str = r"^\s*(?:[\p{Han}A-Za-z]{0,6}?(?:网|报|台|频道|新闻))?\s*(?:\d{1,2}月)?(?:\d{1,2}日)?\s*(?:综合)?(?:电|讯|消息)";
/// A count of failed batches, or failure wording that implies one.
pub(super) const FAILED_BATCHES: &str = r"(?:\d+|[一二两三四五六七八九十]+)\s*(?:批次|批|家|个)[^，。；]{0,8}不合格|不合格(?:产品|项目|批次)|不合格率";
/// A pass rate under 100 % ("合格率为87.6%", "合格率仅为八成", "百分之九十"), or a count of the
/// samples a result sets apart ("有4款样品的刷头脱落", "其中3款", "发现2批次…", "…，3款存在信息泄露风险", "发现2款
/// 外壳在跌落后出现裂纹", the sample's part between count and verb): some of what was sampled failed.
pub(super) const PARTIAL_PASS: &str = r"合格率(?:为|是|仅为|只有|仅|达到|达|不到|不足)?\s*(?:\d{1,2}(?:\.\d+)?\s*[%％]|[一二三四五六七八九]成|百分之[一二三四五六七八九十]+)|(?:有|其中|发现)\s*(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:款|个|件|批次)(?:样品|产品)?|(?:^|[，。；：,;:]|发现|显示|表明)\s*(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:款|个|件)(?:样品|产品)?[^，。；,;]{0,12}?(?:存在|出现|检出|被检出|不符合|不达标|未达到|达不到)";
/// A calendar day, or a day with its time of day.
pub(super) const DATE: &str = r"\d{1,2}月\d{1,2}日|\d{1,2}日(?:凌晨|上午|中午|下午|晚|早|夜)";
/// The home of an unnamed maker: "[乐清市]一家电器厂生产的…", "某玩具厂制造的…".
pub(super) const MAKER: &str = r"^(?:\p{Han}{0,8}?(?:市|县|区|镇))?(?:一家|某)\p{Han}{0,10}?(?:公司|厂|企业)(?:生产|制造|出产)";

/// The organisation-name and shop-name regexes of the rules' suffix lists (longest first).
pub(super) fn suffixed(
    org_suffixes: &[String],
    shop_suffixes: &[String],
) -> Result<(Regex, Regex), regex::Error> {
    let alt = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|s| regex::escape(s)).collect();
        v.sort_by_cached_key(|s| std::cmp::Reverse(s.chars().count()));
        v.join("|")
    };
    let org = Regex::new(&format!(
        r"[\p{{Han}}A-Za-z0-9（）()·]{{1,30}}?(?:{})",
        alt(org_suffixes)
    ))?;
    let shop = Regex::new(&format!(
        r"[\p{{Han}}A-Za-z0-9]{{2,16}}?(?:{})",
        alt(shop_suffixes)
    ))?;
    Ok((org, shop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constant_pattern_compiles_and_matches_its_example() {
        for (pattern, example) in [
            (BRAND, "“安达”牌电热水壶"),
            (STD, "不符合GB/T 4706.1的要求"),
            (STD, "依据GBT 12345-2020《某某要求》"),
            (DATELINE, "5月3日电"),
            (DATELINE, "家居网5月8日消息"),
            (DATELINE, "母婴网讯"),
            (FAILED_BATCHES, "发现3批次不合格"),
            (PARTIAL_PASS, "合格率为87.6%"),
            (PARTIAL_PASS, "合格率仅为八成"),
            (PARTIAL_PASS, "样品合格率不足百分之九十"),
            (PARTIAL_PASS, "有4款样品的刷头在拉力测试中脱落"),
            (PARTIAL_PASS, "其中两款在跌落后外壳开裂"),
            (PARTIAL_PASS, "测试发现3款手柄在拉力试验后出现松动"),
            (
                PARTIAL_PASS,
                "抽查电子体温计，发现2批次电池仓盖易被儿童打开",
            ),
            (PARTIAL_PASS, "其中3批次的铭牌未标明燃气种类"),
            (PARTIAL_PASS, "结果显示，2个样品的涂层经摩擦后存在脱落"),
            (DATE, "12日凌晨"),
            (MAKER, "乐清市一家电器厂生产的"),
        ] {
            let re = LazyRegex::new(pattern);
            assert!(re.is_match(example), "{pattern} on {example}");
            assert!(!re.is_match("无关的文字"), "{pattern}");
        }
    }

    /// The rest of a media name after its place is part of the dateline; a place's own event
    /// is not ("市民报警称…" holds no 电 / 讯 / 消息 after a media word).
    #[test]
    fn a_dateline_may_name_the_medium_after_its_place() {
        let re = LazyRegex::new(DATELINE);
        for after in [
            "市民报警称家中起火",
            "一小区电动车起火",
            "网友发帖称充电宝鼓包",
        ] {
            assert!(!re.is_match(after), "{after}");
        }
    }

    #[test]
    fn suffixed_regexes_take_the_longest_suffix() {
        let (org, shop) = suffixed(
            &["公司".into(), "有限公司".into()],
            &["店".into(), "旗舰店".into()],
        )
        .unwrap();
        assert_eq!(
            org.find("杭州某某电器有限公司").map(|m| m.as_str()),
            Some("杭州某某电器有限公司")
        );
        assert_eq!(
            shop.find("某某数码旗舰店").map(|m| m.as_str()),
            Some("某某数码旗舰店")
        );
    }
}
