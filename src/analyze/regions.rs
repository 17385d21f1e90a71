//! The region gazetteer: GB/T 2260 provinces, prefecture-level cities and counties (dictionaries/regions.tsv,
//! built by dictionaries/build_regions.py), extra short forms (region_aliases.tsv) and places abroad
//! (foreign.tsv). Resolves a written place name to (code, province, city); the analyzer decides roles.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::fxhash::FxHashMap;

use crate::config::ConfigError;

pub const REGIONS: &str = "regions.tsv";
pub const ALIASES: &str = "region_aliases.tsv";
pub const FOREIGN: &str = "foreign.tsv";
pub const WORDS: &str = "words.txt";
pub const PUBLISHERS: &str = "publishers.tsv";

/// The searches for the marks a run of short province names ends before (see
/// [`Gazetteer::grouped_provinces`]), built once: building one is a fifth of a text's search.
static EARTH: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("地"));
static PROVINCE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("省"));

const EMBEDDED_REGIONS: &str = include_str!("../../dictionaries/regions.tsv");
const EMBEDDED_ALIASES: &str = include_str!("../../dictionaries/region_aliases.tsv");
const EMBEDDED_FOREIGN: &str = include_str!("../../dictionaries/foreign.tsv");
const EMBEDDED_WORDS: &str = include_str!("../../dictionaries/words.txt");
const EMBEDDED_PUBLISHERS: &str = include_str!("../../dictionaries/publishers.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// One administrative division (name and level are kept for diagnostics and future lookups).
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct Place {
    pub code: String,
    pub name: String,
    pub level: Level,
    /// Canonical province name.
    pub province: String,
    /// Canonical prefecture-level city (for a municipality's districts, the municipality).
    pub city: Option<String>,
}

/// What a written place name resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub code: String,
    /// Canonical province, `全国`, or `境外:<country>`.
    pub province: String,
    pub city: Option<String>,
}

#[derive(Debug, Default)]
pub struct Gazetteer {
    pub places: Vec<Place>,
    /// Written form (full or short) → indices into `places` (several when ambiguous).
    pub by_name: FxHashMap<String, Vec<usize>>,
    /// Written form → country.
    pub foreign: FxHashMap<String, String>,
    /// Ambiguous written form → the code it means when the text names no province that decides
    /// (region_aliases.tsv rows marked `default`: 朝阳区 is Beijing's unless 长春 or 辽宁 is named).
    pub defaults: FxHashMap<String, String>,
    /// Bodies whose name places their own notices (标准检验局 → 台湾省, 消委会 → 香港): written
    /// form → the region name it stands for. A mention is a publisher place, never an event's.
    pub publishers: FxHashMap<String, String>,
    /// Publishers that place a text only where it writes them so (publishers.tsv third column):
    /// 海关 is Hong Kong's customs where written 海關, the mainland's where written 海关.
    pub publishers_as_written: FxHashMap<String, String>,
    /// Names standing for several provinces (region_aliases.tsv rows marked `group`: 长三角 →
    /// 上海市, 江苏省, 浙江省, 安徽省), each with its provinces' canonical names.
    pub groups: Vec<(String, Vec<String>)>,
    /// One-character short names of provinces (rows marked `short`: 沪 → 上海市), read only in a
    /// run of two or more that a count of places follows (沪苏浙皖四地, 京津冀三地).
    pub shorts: FxHashMap<char, String>,
    /// Extra user words for jieba, with an optional frequency (0 = never keep this general-dictionary
    /// word whole: 发生爆炸 → 发生 + 爆炸).
    pub words: Vec<(String, Option<usize>)>,
}

pub struct DictTexts {
    pub regions: (String, String),
    pub aliases: (String, String),
    pub foreign: (String, String),
    pub words: (String, String),
    pub publishers: (String, String),
}

pub fn read_dicts(dir: Option<&Path>) -> Result<DictTexts, Vec<ConfigError>> {
    let read = |name: &str, embedded: &str| -> Result<(String, String), ConfigError> {
        match dir {
            None => Ok((format!("dictionaries/{name}"), embedded.to_string())),
            Some(d) => {
                let p = d.join(name);
                let label = p.display().to_string();
                std::fs::read_to_string(&p)
                    .map(|t| (label.clone(), t))
                    .map_err(|e| ConfigError::new(label, 0, format!("cannot read: {e}")))
            }
        }
    };
    let r = [
        read(REGIONS, EMBEDDED_REGIONS),
        read(ALIASES, EMBEDDED_ALIASES),
        read(FOREIGN, EMBEDDED_FOREIGN),
        read(WORDS, EMBEDDED_WORDS),
        read(PUBLISHERS, EMBEDDED_PUBLISHERS),
    ];
    let errs: Vec<ConfigError> = r.iter().filter_map(|x| x.as_ref().err().cloned()).collect();
    if !errs.is_empty() {
        return Err(errs);
    }
    let mut it = r.into_iter().flatten();
    match (it.next(), it.next(), it.next(), it.next(), it.next()) {
        (Some(regions), Some(aliases), Some(foreign), Some(words), Some(publishers)) => {
            Ok(DictTexts {
                regions,
                aliases,
                foreign,
                words,
                publishers,
            })
        }
        _ => Err(vec![ConfigError::new(
            "dictionaries",
            0,
            "missing dictionary files",
        )]),
    }
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

impl Gazetteer {
    /// The gazetteer of the dictionary texts, file by file; every error located.
    pub fn load(d: &DictTexts) -> Result<Gazetteer, Vec<ConfigError>> {
        let mut errs = Vec::new();
        let mut g = Gazetteer::default();
        g.read_regions(&d.regions, &mut errs);
        g.read_aliases(&d.aliases, &mut errs);
        g.read_foreign(&d.foreign, &mut errs);
        g.read_words(&d.words, &mut errs);
        for ids in g.by_name.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        // publishers are resolved against the names above, deduplicated
        g.read_publishers(&d.publishers, &mut errs);
        if errs.is_empty() { Ok(g) } else { Err(errs) }
    }

    /// The divisions of regions.tsv (GB/T 2260 code, name, level, province and city codes, short
    /// forms): provinces and cities named first, then every division placed under them.
    fn read_regions(&mut self, file: &(String, String), errs: &mut Vec<ConfigError>) {
        let (label, text) = file;
        let mut prov_names: HashMap<String, String> = HashMap::new();
        let mut city_names: HashMap<String, String> = HashMap::new();
        let mut rows = Vec::new();
        for (line, l) in data_lines(text) {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() < 5 {
                errs.push(ConfigError::new(
                    label,
                    line,
                    "expected: code, name, level, province_code, city_code, short_forms",
                ));
                continue;
            }
            let code = cols[0].trim();
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                errs.push(ConfigError::new(
                    label,
                    line,
                    format!("bad GB/T 2260 code `{code}`"),
                ));
                continue;
            }
            let level = match cols[2].trim() {
                "province" => Level::Province,
                "city" => Level::City,
                "county" => Level::County,
                other => {
                    errs.push(ConfigError::new(
                        label,
                        line,
                        format!("unknown level `{other}`"),
                    ));
                    continue;
                }
            };
            match level {
                Level::Province => {
                    prov_names.insert(code.to_string(), cols[1].trim().to_string());
                }
                Level::City if !cols[4].trim().is_empty() => {
                    city_names.insert(cols[4].trim().to_string(), cols[1].trim().to_string());
                }
                _ => {}
            }
            rows.push((
                line,
                cols.iter()
                    .map(|c| c.trim().to_string())
                    .collect::<Vec<_>>(),
                level,
            ));
        }
        for (line, cols, level) in rows {
            let Some(province) = prov_names.get(&cols[3]).cloned() else {
                errs.push(ConfigError::new(
                    label,
                    line,
                    format!("unknown province code `{}`", cols[3]),
                ));
                continue;
            };
            let city = match level {
                Level::Province => None,
                Level::City => Some(cols[1].clone()),
                Level::County => city_names
                    .get(&cols[4])
                    .cloned()
                    .or_else(|| prov_names.get(&cols[4]).cloned())
                    .or_else(|| Some(cols[1].clone())),
            };
            let idx = self.places.len();
            self.places.push(Place {
                code: cols[0].clone(),
                name: cols[1].clone(),
                level,
                province,
                city,
            });
            self.by_name.entry(cols[1].clone()).or_default().push(idx);
            // an autonomous county or banner is written by its short name and its level word
            // ("彭水苗族土家族自治县" is 彭水县 in most reports, "鄂伦春自治旗" 鄂伦春旗)
            let level_word = [("自治县", "县"), ("自治旗", "旗")]
                .into_iter()
                .find(|(full, _)| cols[1].ends_with(full))
                .map(|(_, short)| short);
            if let Some(shorts) = cols.get(5) {
                for s in shorts.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    self.by_name.entry(s.to_string()).or_default().push(idx);
                    if let Some(w) = level_word {
                        self.by_name.entry(format!("{s}{w}")).or_default().push(idx);
                    }
                }
            }
        }
    }

    /// region_aliases.tsv: another name of divisions, or the division a name means by default.
    fn read_aliases(&mut self, file: &(String, String), errs: &mut Vec<ConfigError>) {
        let (label, text) = file;
        for (line, l) in data_lines(text) {
            let mut cols = l.split('\t');
            match (
                cols.next().map(str::trim),
                cols.next().map(str::trim),
                cols.next().map(str::trim),
            ) {
                (Some(alias), Some(code), Some("default")) if !alias.is_empty() => {
                    let known = self.by_name.get(alias).is_some_and(|ids| {
                        ids.iter()
                            .any(|&i| self.places.get(i).is_some_and(|p| p.code == code))
                    });
                    if known {
                        self.defaults.insert(alias.to_string(), code.to_string());
                    } else {
                        errs.push(ConfigError::new(
                            label,
                            line,
                            format!("`{alias}` has no division with code `{code}`"),
                        ));
                    }
                }
                (Some(group), Some(names), Some("group")) if !group.is_empty() => {
                    let provinces: Vec<String> =
                        names.split(',').map(|n| n.trim().to_string()).collect();
                    match provinces.iter().find(|n| !self.is_province(n)) {
                        Some(bad) => errs.push(ConfigError::new(
                            label,
                            line,
                            format!("`{bad}` is no province of regions.tsv"),
                        )),
                        None => self.groups.push((group.to_string(), provinces)),
                    }
                }
                (Some(short), Some(name), Some("short")) => {
                    let mut chars = short.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) if self.is_province(name) => {
                            self.shorts.insert(c, name.to_string());
                        }
                        _ => errs.push(ConfigError::new(
                            label,
                            line,
                            format!(
                                "`{short}` must be one character naming a province of regions.tsv"
                            ),
                        )),
                    }
                }
                (Some(alias), Some(name), None) if !alias.is_empty() => {
                    match self.by_name.get(name).cloned() {
                        Some(ids) => self
                            .by_name
                            .entry(alias.to_string())
                            .or_default()
                            .extend(ids),
                        None => errs.push(ConfigError::new(
                            label,
                            line,
                            format!("unknown region `{name}`"),
                        )),
                    }
                }
                _ => errs.push(ConfigError::new(
                    label,
                    line,
                    "expected: alias<TAB>name, name<TAB>code<TAB>default, \
                     group<TAB>province,province…<TAB>group, or short<TAB>province<TAB>short",
                )),
            }
        }
    }

    /// Whether `name` is a province's canonical name.
    fn is_province(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|ids| {
            ids.iter()
                .any(|&i| self.places[i].level == Level::Province && self.places[i].name == name)
        })
    }

    /// The provinces a text names together (长三角, 沪苏浙皖四地): (byte offset, province) of each,
    /// in text order. A run of one-character short names counts only when a count of places or
    /// 等地 follows it, so 沪深 or 京东 are none.
    pub fn grouped_provinces(&self, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (name, provinces) in &self.groups {
            for (at, _) in text.match_indices(name.as_str()) {
                out.extend(provinces.iter().map(|p| (at, p.clone())));
            }
        }
        // a run of short names ends before a count of places (四地, 三省) or 等地: those are rare,
        // so the text is searched for 地 and 省 (one substring search each) and the run read
        // backwards from a hit, instead of testing every character. The search is memchr's
        // two-byte SIMD one: `match_indices` of a char stops at every byte equal to the char's
        // last (a continuation byte, common in Chinese text) to check the rest.
        if !self.shorts.is_empty() {
            for (mark, finder) in [('地', &*EARTH), ('省', &*PROVINCE)] {
                for at in finder.find_iter(text.as_bytes()) {
                    let before = &text[..at];
                    let mut back = before.chars().rev();
                    let counted = match back.next() {
                        Some('等') => mark == '地',
                        Some(c) => "两二三四五六七八九".contains(c),
                        None => false,
                    };
                    if !counted {
                        continue;
                    }
                    let run: Vec<char> = back.take_while(|c| self.shorts.contains_key(c)).collect();
                    if run.len() < 2 {
                        continue;
                    }
                    let width: usize = run.iter().map(|c| c.len_utf8()).sum();
                    // (the count's own character is one before the run's end)
                    let count_width = before.chars().next_back().map_or(0, char::len_utf8);
                    let start = at - count_width - width;
                    out.extend(
                        run.iter()
                            .rev()
                            .filter_map(|c| self.shorts.get(c))
                            .map(|p| (start, p.clone())),
                    );
                }
            }
        }
        // (a group may also be a run of short names: 川渝两地)
        out.sort_by_key(|(at, _)| *at);
        let mut seen = Vec::new();
        out.retain(|x| {
            let new = !seen.contains(x);
            if new {
                seen.push(x.clone());
            }
            new
        });
        out
    }

    /// foreign.tsv: a foreign place and its country.
    fn read_foreign(&mut self, file: &(String, String), errs: &mut Vec<ConfigError>) {
        let (label, text) = file;
        for (line, l) in data_lines(text) {
            let mut cols = l.split('\t');
            match (cols.next().map(str::trim), cols.next().map(str::trim)) {
                (Some(name), Some(country)) if !name.is_empty() && !country.is_empty() => {
                    self.foreign.insert(name.to_string(), country.to_string());
                }
                _ => errs.push(ConfigError::new(label, line, "expected: name<TAB>country")),
            }
        }
    }

    /// words.txt: the tokenizer's extra words, with a frequency or without.
    fn read_words(&mut self, file: &(String, String), errs: &mut Vec<ConfigError>) {
        let (label, text) = file;
        for (line, l) in data_lines(text) {
            let mut cols = l.split_whitespace();
            let Some(w) = cols.next() else { continue };
            let freq = match cols.next().map(str::parse::<usize>) {
                None => None,
                Some(Ok(f)) => Some(f),
                Some(Err(_)) => {
                    errs.push(ConfigError::new(label, line, "expected: word [frequency]"));
                    continue;
                }
            };
            self.words.push((w.to_string(), freq));
        }
    }

    /// publishers.tsv: a publisher and the region it speaks for.
    fn read_publishers(&mut self, file: &(String, String), errs: &mut Vec<ConfigError>) {
        let (label, text) = file;
        for (line, l) in data_lines(text) {
            let mut cols = l.split('\t');
            let written = l
                .split('\t')
                .nth(2)
                .map(str::trim)
                .filter(|w| !w.is_empty());
            match (cols.next().map(str::trim), cols.next().map(str::trim)) {
                (Some(name), Some(region)) if !name.is_empty() && !region.is_empty() => {
                    if self.resolve_in(region, &[]).is_none() {
                        errs.push(ConfigError::new(
                            label,
                            line,
                            format!("unknown region `{region}` (a name of regions.tsv, foreign.tsv or 全国)"),
                        ));
                    } else if let Some(w) = written
                        && super::fold::fold(w) != name
                    {
                        errs.push(ConfigError::new(
                            label,
                            line,
                            format!(
                                "`{w}` is not a way of writing `{name}` (it folds to `{}`)",
                                super::fold::fold(w)
                            ),
                        ));
                    } else {
                        self.publishers.insert(name.to_string(), region.to_string());
                        if let Some(w) = written {
                            self.publishers_as_written
                                .insert(name.to_string(), w.to_string());
                        }
                    }
                }
                _ => errs.push(ConfigError::new(
                    label,
                    line,
                    "expected: name<TAB>region[<TAB>the name as the text must write it]",
                )),
            }
        }
    }

    /// Every written form, for the tokenizer.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name
            .keys()
            .map(String::as_str)
            .chain(self.foreign.keys().map(String::as_str))
            .chain(self.publishers.keys().map(String::as_str))
    }

    /// The province a written name names whatever the context: every division of that name lies
    /// in it. An ambiguous name (朝阳区 of Beijing and of 长春) names none, even with a default
    /// reading, so it cannot decide another ambiguous name.
    pub fn unambiguous_province(&self, name: &str) -> Option<String> {
        let all = self.by_name.get(trimmed(name))?;
        let mut provinces = all
            .iter()
            .filter_map(|&i| self.places.get(i))
            .map(|p| &p.province);
        let first = provinces.next()?;
        provinces.all(|p| p == first).then(|| first.clone())
    }

    /// Whether a written name is a body that places its own notices (publishers.tsv).
    pub fn is_publisher(&self, name: &str) -> bool {
        self.publishers.contains_key(trimmed(name))
    }

    /// How a text must write a publisher for it to place the text (publishers.tsv third column),
    /// if the table says.
    pub fn publisher_as_written(&self, name: &str) -> Option<&str> {
        self.publishers_as_written
            .get(trimmed(name))
            .map(String::as_str)
    }

    /// Resolve a name, choosing among same-named places by `context` provinces (those already named
    /// in the text); a name that stays ambiguous across provinces resolves to nothing.
    pub fn resolve_in(&self, name: &str, context: &[String]) -> Option<Resolved> {
        let name = trimmed(name);
        if matches!(name, "全国" | "我国" | "中国" | "国内") {
            return Some(Resolved {
                code: "000000".into(),
                province: "全国".into(),
                city: None,
            });
        }
        if let Some(region) = self.publishers.get(name) {
            return self.resolve_in(region, context);
        }
        // the canonical form itself (a foreign source's default region, `境外:美国`)
        if let Some(country) = name.strip_prefix("境外:")
            && self.foreign.values().any(|c| c == country)
        {
            return Some(Resolved {
                code: String::new(),
                province: name.to_string(),
                city: None,
            });
        }
        if let Some(c) = self.foreign.get(name) {
            return Some(Resolved {
                code: String::new(),
                province: format!("境外:{c}"),
                city: None,
            });
        }
        // Candidates are borrowed places; only the answer is copied out (this runs for every place
        // a document names, twice).
        let all = self.by_name.get(name)?;
        let mut cands: Vec<&Place> = all.iter().filter_map(|&i| self.places.get(i)).collect();
        // Prefer higher levels for the same written form (吉林 → 吉林省, not 吉林市)
        if cands.len() > 1 && cands.iter().any(|c| context.contains(&c.province)) {
            cands.retain(|c| context.contains(&c.province));
        }
        let first = *cands.first()?;
        let chosen = if cands.iter().all(|c| c.province == first.province) {
            // same province: the shortest code path (a province over its city) is the broadest
            cands
                .iter()
                .copied()
                .min_by_key(|c| {
                    (
                        c.code.ends_with("0000") as u8 == 0,
                        c.code.ends_with("00") as u8 == 0,
                    )
                })
                .unwrap_or(first)
        } else {
            // still ambiguous: the well-known reading, if the dictionary names one
            let code = self.defaults.get(name)?;
            cands.into_iter().find(|c| &c.code == code)?
        };
        Some(Resolved {
            code: chosen.code.clone(),
            province: chosen.province.clone(),
            city: chosen.city.clone(),
        })
    }
}

/// `name.trim()`; a name opening and ending with a character of U+4000..U+9FFF (lead bytes E4 to
/// E9: most names, asked about at every place a text names) is no whitespace at either end, and
/// is taken as it is without a look at the classes of its characters.
fn trimmed(name: &str) -> &str {
    let b = name.as_bytes();
    let han = |x: Option<&u8>| x.is_some_and(|x| (0xE4..=0xE9).contains(x));
    if han(b.first()) && han(b.len().checked_sub(3).and_then(|k| b.get(k))) {
        name
    } else {
        name.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_is_trim() {
        for s in [
            "",
            " ",
            "杭州市",
            " 杭州市",
            "杭州市\u{3000}",
            "\u{3000}杭州",
            "a",
            "杭",
            "杭 ",
            "é杭",
            "杭州é",
            "　上海　",
        ] {
            assert_eq!(trimmed(s), s.trim(), "{s:?}");
        }
    }

    fn g() -> Gazetteer {
        Gazetteer::load(&read_dicts(None).unwrap()).unwrap()
    }

    /// A name for several provinces gives each; a run of one-character short names counts only
    /// before a count of places or 等地; a group row must name provinces.
    #[test]
    fn provinces_named_together_are_each_named() {
        let g = g();
        let names = |t: &str| -> Vec<String> {
            g.grouped_provinces(t).into_iter().map(|(_, p)| p).collect()
        };
        assert_eq!(
            names("沪苏浙皖四地联合抽查"),
            ["上海市", "江苏省", "浙江省", "安徽省"]
        );
        assert_eq!(names("川渝两地消协联合测试"), ["四川省", "重庆市"]);
        let mut d = read_dicts(None).unwrap();
        d.aliases.1.push_str("某三角\t上海市,江苏省\tgroup\n");
        let with_group = Gazetteer::load(&d).unwrap();
        let grouped: Vec<String> = with_group
            .grouped_provinces("某三角联动抽查")
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(grouped, ["上海市", "江苏省"]);
        assert!(names("沪深两地交易所").is_empty());
        assert!(names("京沪高铁今日开通").is_empty());
        let mut d = read_dicts(None).unwrap();
        d.aliases.1 = "某地\t上海市,杭州市\tgroup\n".into();
        let errs = Gazetteer::load(&d).err().unwrap_or_default();
        assert!(
            errs.iter().any(|e| e.to_string().contains("杭州市")),
            "{errs:?}"
        );
    }

    #[test]
    fn a_publishers_third_column_must_be_a_way_of_writing_its_name() {
        let mut d = read_dicts(None).unwrap();
        d.publishers.1 = "消委会\t香港特别行政区\t消委會\n".into();
        let g = Gazetteer::load(&d).unwrap();
        assert_eq!(g.publisher_as_written("消委会"), Some("消委會"));
        d.publishers.1 = "# comment\n消委会\t香港特别行政区\t消费会\n".into();
        let errs = Gazetteer::load(&d).err().unwrap_or_default();
        assert!(
            errs.iter()
                .any(|e| e.to_string().contains(":2") && e.to_string().contains("消费会")),
            "{errs:?}"
        );
    }

    #[test]
    fn resolves_full_short_and_ambiguous_names() {
        let g = g();
        let r = g.resolve_in("杭州", &[]).unwrap();
        assert_eq!(
            (r.code.as_str(), r.province.as_str(), r.city.as_deref()),
            ("330100", "浙江省", Some("杭州市"))
        );
        assert_eq!(
            g.resolve_in("内蒙古", &[]).unwrap().province,
            "内蒙古自治区"
        );
        assert_eq!(
            g.resolve_in("义乌市", &[]).unwrap().city.as_deref(),
            Some("金华市")
        );
        // an autonomous county by its short name and 县
        assert_eq!(g.resolve_in("彭水县", &[]).unwrap().code, "500243");
        assert_eq!(g.resolve_in("丰宁县", &[]).unwrap().province, "河北省");
        assert_eq!(g.resolve_in("香港", &[]).unwrap().code, "810000");
        assert_eq!(g.resolve_in("台湾省", &[]).unwrap().code, "710000");
        assert_eq!(g.resolve_in("吉林", &[]).unwrap().code, "220000");
        assert_eq!(g.resolve_in("美国", &[]).unwrap().province, "境外:美国");
        // the canonical form of a known country resolves to itself; an unknown one does not
        assert_eq!(
            g.resolve_in("境外:加拿大", &[]).unwrap().province,
            "境外:加拿大"
        );
        assert!(g.resolve_in("境外:亚特兰蒂斯", &[]).is_none());
        assert_eq!(g.resolve_in("全国", &[]).unwrap().code, "000000");
        // 朝阳区 exists in Beijing and Changchun: resolved by context, else the dictionary's default
        // reading (Beijing's); 鼓楼区 (Nanjing, Fuzhou, Xuzhou, Kaifeng) has no default
        assert_eq!(g.resolve_in("朝阳区", &[]).unwrap().code, "110105");
        assert_eq!(
            g.resolve_in("朝阳区", &["北京市".to_string()])
                .unwrap()
                .province,
            "北京市"
        );
        assert_eq!(
            g.resolve_in("朝阳区", &["吉林省".to_string()])
                .unwrap()
                .code,
            "220104"
        );
        assert!(g.resolve_in("鼓楼区", &[]).is_none());
        assert_eq!(
            g.resolve_in("鼓楼区", &["福建省".to_string()])
                .unwrap()
                .city
                .as_deref(),
            Some("福州市")
        );
        assert_eq!(g.resolve_in("浦东", &[]).unwrap().province, "上海市");
        // 34 provincial-level divisions and all prefecture-level cities are present
        assert_eq!(
            g.places
                .iter()
                .filter(|p| p.level == Level::Province)
                .count(),
            34
        );
        assert!(
            g.places
                .iter()
                .filter(|p| p.level == Level::City
                    && p.code != "710000"
                    && p.code != "810000"
                    && p.code != "820000")
                .count()
                >= 330
        );
    }

    #[test]
    fn a_default_must_name_a_division_of_that_name() {
        let mut d = read_dicts(None).unwrap();
        d.aliases.1.push_str("鼓楼区\t110105\tdefault\n");
        let errs = Gazetteer::load(&d).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.to_string().contains("no division with code `110105`")),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_lines_are_located() {
        let mut d = read_dicts(None).unwrap();
        d.regions
            .1
            .push_str("12345\t坏码\tcounty\t330000\t330100\t\n");
        let line = d.regions.1.lines().count();
        let errs = Gazetteer::load(&d).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.line == line && e.message.contains("12345")),
            "{errs:?}"
        );
    }
}
