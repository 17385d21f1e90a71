//! The shape of rules/cues.toml: the cue lists that qualify a hazard mention (negation, hedging,
//! drills), the document kinds and genres, place roles, brands and product nouns no alias names.

use serde::Deserialize;

use super::Examples;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Negation {
    pub cues: Vec<String>,
    #[serde(default)]
    pub adjacent: Vec<String>,
    /// Words after a term in its clause that say what it names passed ("双酚A迁移量均符合标准要求",
    /// "铅含量均合格"): the term is negated as a cue before it would.
    #[serde(default)]
    pub passed: Vec<String>,
    /// How many tokens after a cue it still negates (default 6).
    #[serde(default)]
    pub window: Option<usize>,
    /// Words that end a negation's reach (导致, 引发 …).
    #[serde(default)]
    pub breakers: Vec<String>,
    /// Words that say a protection is missing: a negation cue right after one (缺少防触电保护,
    /// 未设有防止跌落的装置) negates nothing — the hazard is left open.
    #[serde(default)]
    pub lacking: Vec<String>,
    /// Endings of a protective part (装置, 保护门): a negation cue right before a word ending in
    /// one ("无熄火保护装置", "没有保护门") says the part is missing, a failure, not that a hazard
    /// is absent.
    #[serde(default)]
    pub lacked: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hypothetical {
    pub cues: Vec<String>,
    #[serde(default)]
    pub post: Vec<String>,
    /// Cues that hedge only the rest of their own clause (本以为…, 担心…).
    #[serde(default)]
    pub clause: Vec<String>,
    /// Circumstance cues (在…情况下): hedging only in a sentence that dates nothing (no `realis`
    /// word) and says nothing happened (no `happened` word after the cue).
    #[serde(default)]
    pub circumstance: Vec<String>,
    /// Rumour cues (网上流传, 传言): hedging their sentence unless the text says it was confirmed
    /// (one of `confirmed`, not right after a negation such as 未 or 尚无).
    #[serde(default)]
    pub rumour: Vec<String>,
    /// Prohibition words (不得, 严禁): a hazard in a relative clause (…的) that one of them follows
    /// in its sentence is a rule's condition ("未获得CCC认证的产品不得销售"), hedged in every genre
    /// but a text stating requirements.
    #[serde(default)]
    pub rule: Vec<String>,
    /// Words right after a hazard term that make it the time of something else (发生火灾时 …
    /// 无法报警, 火情发生时): the circumstance a product is for, not a hazard it poses.
    #[serde(default)]
    pub when: Vec<String>,
    /// Verbs right before a hazard term (two words between at most) whose object it is: what an
    /// extinguisher or a blanket fights (扑灭初起火灾), not a hazard it poses.
    #[serde(default)]
    pub fights: Vec<String>,
    /// Verbs right before a hazard term that a `when` word follows (发生火灾时, 遇到火情时).
    #[serde(default)]
    pub meets: Vec<String>,
    /// Cues that are a device's or an app's notice when one of `notified` follows them
    /// ("应用提示有陌生设备登录"): they report, they do not advise.
    #[serde(default)]
    pub notices: Vec<String>,
    /// Words right after a `notices` cue that make it a notice of a fact (有, 检测到).
    #[serde(default)]
    pub notified: Vec<String>,
    #[serde(default)]
    pub confirmed: Vec<String>,
    /// Words right before a `confirmed` word that leave the rumour unconfirmed (尚未证实).
    #[serde(default)]
    pub unconfirmed: Vec<String>,
    /// Words after a `circumstance` cue in its sentence that say what happened (了, 被, 多次).
    #[serde(default)]
    pub happened: Vec<String>,
    /// Like `happened`, but also at the start of a longer token: jieba glues the passive 被 to
    /// what follows it (被陌生人).
    #[serde(default)]
    pub happened_prefix: Vec<String>,
    /// Words before a `circumstance` cue in its sentence that name one particular thing (一辆,
    /// 一台) or mark the past (曾): the circumstance is that thing's, told as an event.
    #[serde(default)]
    pub particular: Vec<String>,
    #[serde(default)]
    pub title_doc: Vec<String>,
    /// Like `title_doc`, in the title or the lead (the text's first sentence): a debunk or a
    /// correction says so at once.
    #[serde(default)]
    pub lead_doc: Vec<String>,
    /// Words that make a `lead_doc` cue of their clause a sanction the text reports, not a
    /// retraction of it: a certificate or a licence revoked (证书被撤销, 撤销其生产许可证).
    #[serde(default)]
    pub revoked: Vec<String>,
    /// Words of a mishap (a child swallowing what it mistook for food) that, in a `lead_doc` cue's
    /// clause, make the cue's 误将 an accident the text reports, not a correction.
    #[serde(default)]
    pub mishap: Vec<String>,
    /// Words that answer a question: in the sentence after a lead that asks one ("为什么…会发热？
    /// 工程师解释，…"), the text explains, as a `title_doc` cue in a title says (a realis sentence
    /// still reports).
    #[serde(default)]
    pub lead_answer: Vec<String>,
    #[serde(default)]
    pub realis: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

impl Hypothetical {
    /// The words that make a `lead_doc` cue of their clause no retraction or correction:
    /// `revoked` and `mishap`.
    pub fn not_retraction(&self) -> Vec<String> {
        self.revoked.iter().chain(&self.mishap).cloned().collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueList {
    pub cues: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// cues.toml `[victim]`: verbs whose object a fire reached (`cues`), and nouns (`lists`) that,
/// after 等, close a list of things a fire could reach ("远离窗帘、沙发等可燃物"): the products of
/// such a list are not what the text is about.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Victims {
    pub cues: Vec<String>,
    #[serde(default)]
    pub lists: Vec<String>,
    /// Words later in a product's clause that say it put a fire out (扑灭), when one of
    /// `instruments` (用, 拿起) stands right before the product: the means, not the source.
    #[serde(default)]
    pub means: Vec<String>,
    #[serde(default)]
    pub instruments: Vec<String>,
    /// Words a list of what a product is to be kept away from follows: right after one of
    /// `away` (远离窗帘), or after one of `from` when a `distance` word ends its clause
    /// (与窗帘保持一米距离).
    #[serde(default)]
    pub away: Vec<String>,
    #[serde(default)]
    pub from: Vec<String>,
    #[serde(default)]
    pub distance: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// cues.toml `[drill]`: drill and demonstration words, and the test words that make one of them
/// a laboratory's method instead ("在模拟酸性饮品的测试中" is how a test was run, not a drill).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillCues {
    pub cues: Vec<String>,
    #[serde(default)]
    pub method: Vec<String>,
    /// Drill words that stage a show whatever test they name ("现场演示了针刺试验"): `method`
    /// does not make them a laboratory's test.
    #[serde(default)]
    pub demonstrate: Vec<String>,
    /// Words telling that a demonstration exposed a flaw of a product on sale (漏洞, 被曝, a
    /// maker's fix): a drill word in their sentence or in the title reports a finding.
    #[serde(default)]
    pub disclosure: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    pub name: String,
    pub raise: u8,
    pub terms: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vulnerable {
    pub name: String,
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub kind: String,
    pub any: Vec<String>,
    #[serde(default)]
    pub also: Vec<String>,
    /// Tried on the title alone, never on the head of the text (a news story may mention a
    /// standard in passing; an announcement says so in its title).
    #[serde(default)]
    pub title_only: bool,
    #[serde(default)]
    pub examples: Examples,
}

fn yes() -> bool {
    true
}

/// How one genre (document kind) reports a risk: see the `[[genre]]` comment in cues.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenreRule {
    pub kind: String,
    /// Words that show the document reports a finding of its genre (召回, 不合格, 强制性国家标准 …);
    /// empty: every document of the kind does.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// With `evidence`: one of these too (发布, 实施 for a standard).
    #[serde(default)]
    pub also: Vec<String>,
    /// For the standard genre: what news or a notice relaying a standard must say happened to it
    /// (发布, 起实施, 征求意见 …) — a change, not a standing regime ("对童车实施强制性认证");
    /// empty: `also`.
    #[serde(default)]
    pub relay_also: Vec<String>,
    /// Words that cancel the evidence (推荐性, 团体标准).
    #[serde(default)]
    pub unless: Vec<String>,
    /// With evidence, hedged consequence wording (可能导致起火, 存在…风险) states a real hazard.
    #[serde(default)]
    pub consequence_real: bool,
    /// With evidence, weak terms and test items count without failure wording (a standard's
    /// requirements name the hazards it addresses).
    #[serde(default)]
    pub items_count: bool,
    /// With evidence, the text states requirements: a hazard it prevents (防止起火, 不得漏电) is
    /// the hazard it addresses, so negation and hedging cancel nothing.
    #[serde(default)]
    pub requirements: bool,
    /// With evidence and no hazard named, the document is a signal with hazard 未指明.
    #[serde(default)]
    pub unnamed: bool,
    /// With `unnamed`: the findings are the product's `principal_hazards` (products.toml) where it
    /// has them, 未指明 otherwise (a standard addresses its product's hazards without naming them).
    #[serde(default)]
    pub principal: bool,
    /// Severity of a 未指明 finding of this genre (1–4).
    #[serde(default)]
    pub severity: Option<u8>,
    /// A publisher's own place (a city regulator's) is the event place when the text names none
    /// (default true; a recall's regulator only received the plan).
    #[serde(default = "yes")]
    pub publisher_place: bool,
    /// With evidence, a national publisher (市场监管总局) makes the finding nationwide even when
    /// the text lists the provinces sampled.
    #[serde(default)]
    pub national_first: bool,
    /// Without a finding: these words make it a service dispute, not a quality report.
    #[serde(default)]
    pub service: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// How to read the product noun of a report about a product no category knows (`未归类`).
/// Brands written as a word before 牌 / 品牌 (cues.toml `[brands]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brands {
    /// Tokens that follow a brand name: 牌, 品牌.
    #[serde(default)]
    pub marks: Vec<String>,
    /// Tokens that stand before such a mark but are no brand (知名, 国产, 这个).
    #[serde(default)]
    pub not: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// Place names that name no place of the event (cues.toml `[place_roles]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceRoles {
    /// Words that may stand right before a place: a county's short form glued to any other Han
    /// character is the tail of a longer name ("万达商城"), unless the text names its province.
    #[serde(default)]
    pub lead: Vec<String>,
    /// Words after a place abroad, in its clause, that make it a standard's origin (欧洲标准).
    #[serde(default)]
    pub standard: Vec<String>,
    /// Names of bodies that hold a standard word (英国标准协会, 产品安全与标准办公室): a place
    /// abroad before one is the home of the body that speaks, not a standard's origin.
    #[serde(default)]
    pub standard_bodies: Vec<String>,
    /// Verbs of making or notifying a rule (通报, 发布): a standard word after one in the clause of a
    /// place abroad is what the place made ("欧盟委员会向WTO通报了玩具法规草案"), not its origin.
    #[serde(default)]
    pub standard_verbs: Vec<String>,
    /// A verb and a noun of a meeting (召开 … 会议) after a place in its clause: where a meeting
    /// was held is no event place.
    #[serde(default)]
    pub meeting_verbs: Vec<String>,
    #[serde(default)]
    pub meeting_nouns: Vec<String>,
    /// Words for the makers a place is the home of when they follow it in its clause ("河北、
    /// 山西等省的生产企业"), with none of `not_between` in between.
    #[serde(default)]
    pub makers: Vec<String>,
    #[serde(default)]
    pub not_between: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// What tells a text that speaks in general — an explainer, a tip, an opinion — from a report of
/// something that happened (cues.toml `[generic]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generic {
    /// Words of the general register: addressing the reader, asking, advising, speaking of what
    /// tends to happen (你, 如何, 建议, 往往, 一旦 …).
    #[serde(default)]
    pub register: Vec<String>,
    /// Words naming a particular person an event happened to or who reported it (先生, 车主, 网友).
    #[serde(default)]
    pub persons: Vec<String>,
    /// How many distinct register words make a text general (default 3).
    #[serde(default)]
    pub min: Option<usize>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unclassified {
    /// Last characters (or words) of a product noun: 器, 机, 灯, 锅 …
    #[serde(default)]
    pub suffixes: Vec<String>,
    /// Words a noun never ends with although a suffix matches (机构, 机关 …).
    #[serde(default)]
    pub not: Vec<String>,
    /// Words that never begin a product noun though they stand right before one (部分, 涉及).
    #[serde(default)]
    pub not_before: Vec<String>,
    /// Verbs whose object is the product when no ending marks it (召回香薰蜡烛约8,000个,
    /// 抽查钢琴10批次): a recall's that names a hazard, an inspection's that names none.
    #[serde(default)]
    pub object_verbs: Vec<String>,
    /// Words that end such an object as a number does (约, 共计: "召回香薰蜡烛约8,000个").
    #[serde(default)]
    pub object_counts: Vec<String>,
    /// Words between an object noun and its verb when the noun comes first ("对家用空调开展专项
    /// 抽查": 开展, 专项): skipped to reach the noun.
    #[serde(default)]
    pub object_fillers: Vec<String>,
    /// Words right before such an object noun that open it as 对 does ("通报电动晾衣架产品质量
    /// 监督抽查结果", "关于…抽查情况的通报", "公布2024年…"): the noun starts after them.
    #[serde(default)]
    pub object_openers: Vec<String>,
    /// Head words too general to place a noun by themselves (用品, 产品): a noun sharing only
    /// one of them with a category's name is not that category's.
    #[serde(default)]
    pub generic_heads: Vec<String>,
    /// Head rules, in order: a noun ending in one of `ends` (and holding one of `with`, when
    /// given) no name or alias places is of `category` (a group fallback, mostly).
    #[serde(default)]
    pub heads: Vec<HeadRule>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadRule {
    pub ends: Vec<String>,
    #[serde(default)]
    pub with: Vec<String>,
    pub category: String,
    /// The rule places a noun holding one of `with` even where a name or alias shares its head
    /// but not that word (电热饭盒: an electric one, not the lunch box 饭盒 names); with no `with`,
    /// every noun of its ending, over a name that only shares it (机械门铃 is no 可视门铃).
    #[serde(default)]
    pub over_alias: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nationwide {
    pub terms: Vec<String>,
    #[serde(default)]
    pub publishers: Vec<String>,
    /// Texts whose scope is the whole country (read as inspection notices).
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suffixes {
    pub suffixes: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordList {
    pub words: Vec<String>,
}

/// Words after a product in its clause saying the report leaves it out ("同批次的奶瓶不在召回范围
/// 内", "耳机本身不受影响"): it gives way to the products the text reports.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unaffected {
    pub words: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// Variant spellings: each `[written, standard]` pair of the same length in characters and
/// bytes (so that every offset into the text holds), `written` rewritten to `standard` in the
/// folded text before any rule matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variants {
    pub pairs: Vec<(String, String)>,
    #[serde(default)]
    pub examples: Examples,
}

/// A word list whose effect its examples show (`jiance check` runs them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleWords {
    pub words: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// `[failure]`: failure cues (weak terms and test items count only beside one), and the
/// statistics words after which a comparison cue measures a market, not a product ("占比超过
/// 七成"), and the people whose share it may count instead: `examples` match a text reporting a
/// failed item, and do not match one whose only cue follows such a word or counts such people.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    pub cues: Vec<String>,
    #[serde(default)]
    pub statistics: Vec<String>,
    /// People a share of whom a comparison cue counts ("超过六成的家长", "不足两成的受访者"): a
    /// survey's figure, no product's.
    #[serde(default)]
    pub respondents: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// `[defects]`: structural defect words, and the words (`leads`) that, in a later clause of a
/// defect's sentence, open its hedged consequence ("椅腿可能断裂，儿童可能跌落").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defects {
    pub words: Vec<String>,
    /// Failed items of a part's strength (卡扣强度): causes, like the defect words.
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub leads: Vec<String>,
    #[serde(default)]
    pub examples: Examples,
}

/// `[made_in]`: words after a place that make it a product's origin, and longer words that start
/// like them but do not (产品, 产业).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MadeIn {
    pub words: Vec<String>,
    #[serde(default)]
    pub not: Vec<String>,
    /// Words before a place that make it (and the places listed after it) the product's origin:
    /// "产于中国大陆、越南".
    #[serde(default)]
    pub before: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agencies {
    pub agencies: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuesFile {
    pub negation: Negation,
    pub hypothetical: Hypothetical,
    pub drill: DrillCues,
    pub advertising: CueList,
    pub failure: Failure,
    pub all_pass: CueList,
    /// Words that introduce the items tested (对下列项目进行了检验): their sentence lists no failure.
    #[serde(default)]
    pub tested: CueList,
    #[serde(default)]
    pub modifier: Vec<Modifier>,
    #[serde(default)]
    pub vulnerable: Vec<Vulnerable>,
    #[serde(default)]
    pub kind: Vec<KindRule>,
    #[serde(default)]
    pub nationwide: Nationwide,
    #[serde(default)]
    pub publisher: Suffixes,
    #[serde(default)]
    pub company: Suffixes,
    #[serde(default)]
    pub dateline: Agencies,
    #[serde(default)]
    pub platforms: Names,
    /// Verbs whose object is what a fire reached, not the product that failed (引燃了被褥), and
    /// the nouns that close a list of such things (窗帘、沙发等可燃物).
    #[serde(default)]
    pub victim: Victims,
    /// Words right after a product that say it suffered the damage (家具损失严重, 被子都烧坏了).
    #[serde(default)]
    pub damaged: WordList,
    /// Causal words between a failed item and the hazard it leads to (导致, 造成): the stated
    /// consequence is the item's hazard ("抗电强度不合格，使用人员有触电危险" is electric shock).
    #[serde(default)]
    pub consequence: ExampleWords,
    /// Words of a structural defect (断裂, 脱落): a hazard term of its own, but the cause when its
    /// sentence says it leads to a hazard of another kind ("椅腿可能断裂，导致使用者摔倒").
    #[serde(default)]
    pub defects: Defects,
    /// Words the general dictionary glues to a place name in one token (北京市民, 美国市场): such
    /// a token is split so that the place is seen.
    #[serde(default)]
    pub place_glue: ExampleWords,
    /// Variant spellings (异体字, 异形词) rewritten to the form the rules use before any match.
    #[serde(default)]
    pub variants: Variants,
    #[serde(default)]
    pub genre: Vec<GenreRule>,
    /// Shop-name suffixes (旗舰店): a name ending so is a shop; a place inside it a shop's.
    #[serde(default)]
    pub shop: Suffixes,
    /// Words before a place that make it a person's origin, not where anything happened (来自, 老家).
    #[serde(default)]
    pub origin: WordList,
    /// Words that join two products into one list (和, 与, 及): a hazard of one is the other's too.
    #[serde(default)]
    pub coordination: WordList,
    /// Words right after a place that make it where a product was made (产, 制造, 某大牌).
    #[serde(default)]
    pub made_in: MadeIn,
    /// Organisation words that are no name ("一家公司", "该厂", "子公司").
    #[serde(default)]
    pub not_names: WordList,
    /// Words after a product in its clause that put it outside what the text reports
    /// ("奶瓶不在召回范围内", "耳机本身不受影响").
    #[serde(default)]
    pub unaffected: Unaffected,
    #[serde(default)]
    pub unclassified: Unclassified,
    #[serde(default)]
    pub generic: Generic,
    #[serde(default)]
    pub place_roles: PlaceRoles,
    #[serde(default)]
    pub brands: Brands,
    #[serde(default)]
    pub standard_titles: StandardTitles,
}

/// cues.toml `[standard_titles]`: when a text that cites no standard number names a mandatory
/// standard by its title alone (a standard family's title in hazards.toml), the words that say it
/// is changing, and the words of an international standard, whose title a GB one may share.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardTitles {
    /// A new edition, an amendment, a draft, a day it takes effect (修改单, 征求意见, 将于 …).
    #[serde(default)]
    pub changes: Vec<String>,
    /// Words of an international standard (ISO, IEC, 国际标准): the title is then that one's.
    #[serde(default)]
    pub international: Vec<String>,
}
