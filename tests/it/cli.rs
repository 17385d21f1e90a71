//! The `jiance` binary: `check`, `extract` and error paths a user meets first.

use crate::{extract_lines, extract_output, jiance, text};
use std::io::Write;

#[test]
fn check_passes_on_the_built_in_rules_and_runs_their_examples() {
    let out = jiance(&["check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("every rule example"), "{stdout}");
    assert!(stdout.contains("demo sources"), "{stdout}");
}

#[test]
fn check_passes_on_the_repository_rules_and_deploy_config() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = jiance(&[
        "check",
        &format!("{root}/rules"),
        &format!("{root}/deploy/jiance.toml"),
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn check_names_file_and_line_of_bad_source_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sources.toml");
    std::fs::write(
        &path,
        "[[source]]\nname = \"x\"\nkind = \"html\"\nchannel = \"media\"\nstart = [\"http://a.test/\"]\n\
         [source.list]\nlinks = \"ul > > li\"\n[source.detail]\ntitle = \"h1\"\ntext = \"p\"\nfrequency = 3\n",
    )
    .unwrap();
    let out = jiance(&["check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:11:", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("frequency"), "{stderr}");

    std::fs::write(
        &path,
        "[[source]]\nname = \"x\"\nkind = \"html\"\nchannel = \"media\"\nstart = [\"http://a.test/\"]\n\
         [source.list]\nlinks = \"ul > > li\"\n[source.detail]\ntitle = \"h1\"\ntext = \"p\"\n",
    )
    .unwrap();
    let out = jiance(&["check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:7:", path.display())) && stderr.contains("bad CSS selector"),
        "{stderr}"
    );
}

/// Regression (issue 16, 7): a service config without `data_dir` was read as a source file and
/// passed or failed for the wrong reasons; it is a config missing its data directory.
#[test]
fn check_reads_a_config_without_data_dir_as_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jiance.toml");
    std::fs::write(&path, "# service\n[crawl]\nrps = 1.0\n").unwrap();
    let out = jiance(&["check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&path.display().to_string()) && stderr.contains("data_dir"),
        "{stderr}"
    );
}

#[test]
fn check_reports_a_failing_rule_example_in_a_copied_rules_dir() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in ["products.toml", "hazards.toml", "cues.toml", "scoring.toml"] {
        std::fs::copy(root.join(f), rules.join(f)).unwrap();
    }
    // A category whose must-match example cannot match its aliases.
    let mut products = std::fs::OpenOptions::new()
        .append(true)
        .open(rules.join("products.toml"))
        .unwrap();
    writeln!(
        products,
        "\n[[category]]\nname = \"测试品类\"\ngroup = \"测试\"\naliases = [\"测试品类\"]\n\
         examples = {{ match = [\"这段话里没有那个词\"], no_match = [] }}"
    )
    .unwrap();
    drop(products);
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("products.toml:"), "{stderr}");
    assert!(stderr.contains("这段话里没有那个词"), "{stderr}");
}

/// A shop ending dropped from market.toml splits one brand's shops: its `[[same_party]]`
/// examples fail `jiance check` with their lines, as the [[product]] examples would.
#[test]
fn check_runs_the_same_party_examples_of_the_shop_suffixes() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in ["products.toml", "hazards.toml", "cues.toml", "scoring.toml"] {
        std::fs::copy(root.join(f), rules.join(f)).unwrap();
    }
    let market = std::fs::read_to_string(root.join("market.toml")).unwrap();
    let broken = market.replacen("\"工厂店\", ", "", 1);
    assert_ne!(broken, market);
    std::fs::write(rules.join("market.toml"), &broken).unwrap();
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let line = broken
        .lines()
        .position(|l| l.contains("b = \"格致工厂店\""))
        .unwrap()
        + 2;
    assert!(
        stderr.contains(&format!("market.toml:{line}: same_party 1:")),
        "{stderr}"
    );
    // the shipped file passes
    std::fs::write(rules.join("market.toml"), &market).unwrap();
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The market stage's rule files (issue 20): a broken compliance example, a standard number
/// without its year and an unknown key are each reported with file and line.
#[test]
fn check_names_file_and_line_in_the_market_rule_files() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for f in [
        "products.toml",
        "hazards.toml",
        "cues.toml",
        "scoring.toml",
        "market.toml",
    ] {
        std::fs::copy(root.join(f), rules.join(f)).unwrap();
    }
    let compliance = std::fs::read_to_string(root.join("compliance.toml"))
        .unwrap()
        .replacen("finds = [\"banned\"]", "finds = []", 1);
    std::fs::write(rules.join("compliance.toml"), &compliance).unwrap();
    let standards = std::fs::read_to_string(root.join("standards.toml"))
        .unwrap()
        .replacen("replaces = [\"GB 811-2010\"]", "replaces = [\"GB 811\"]", 1);
    std::fs::write(rules.join("standards.toml"), &standards).unwrap();
    let line =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let std_file = rules.join("standards.toml");
    assert!(
        stderr.contains(&format!(
            "{}:{}:",
            std_file.display(),
            line(&standards, "replaces = [\"GB 811\"]")
        )),
        "{stderr}"
    );
    // with the standards right, the compliance example is run and fails on its line
    std::fs::copy(root.join("standards.toml"), &std_file).unwrap();
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let file = rules.join("compliance.toml");
    let finds = compliance
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "finds = []")
        .map(|(i, _)| i + 1)
        .find(|n| {
            compliance
                .lines()
                .nth(n - 3)
                .is_some_and(|l| l.contains("电子烟"))
        })
        .unwrap();
    assert!(
        stderr.contains(&format!("{}:{finds}:", file.display())) && stderr.contains("电子烟"),
        "{stderr}"
    );
    // an unknown key is named with its line
    std::fs::write(
        &file,
        compliance.replacen("[ccc]\n", "[ccc]\nunknown = 1\n", 1),
    )
    .unwrap();
    let out = jiance(&["check", rules.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:{}:",
            file.display(),
            line(&compliance, "[ccc]") + 1
        )),
        "{stderr}"
    );
}

/// Issue 47: a contact of a province that is not a canonical name is named by file and line.
#[test]
fn check_reports_a_bad_jurisdiction_contact_with_its_line() {
    check_names_the_edited_line(
        "jurisdictions.toml",
        "province = \"广东省\"",
        "province = \"广东\"",
        "广东",
    );
}

#[test]
fn check_reports_a_calendar_day_its_event_does_not_cover_with_its_line() {
    check_names_the_edited_line(
        "calendar.toml",
        "examples = [\"2025-11-11\", \"2026-11-10\"]",
        "examples = [\"2025-11-11\", \"2026-11-14\"]",
        "2026-11-14",
    );
}

#[test]
fn check_reports_a_variant_pair_of_unequal_length_with_its_line() {
    check_names_the_edited_line(
        "cues.toml",
        "[\"像框\", \"相框\"]",
        "[\"像框\", \"相框\"], [\"钮\", \"纽扣\"]",
        "\"钮\"",
    );
}

#[test]
fn check_reports_an_unknown_group_in_part_of_with_its_line() {
    check_names_the_edited_line(
        "products.toml",
        "part_of = [\"电子产品\", ",
        "part_of = [\"电子设备\", ",
        "电子设备",
    );
}

/// `jiance check` on a rules directory holding the built-in `file` with `good` replaced by `bad`
/// fails and names the file and the line of the edit, with `needle` in its message. The
/// analyzer's files are read together, so editing one of them copies the other two.
fn check_names_the_edited_line(file: &str, good: &str, bad: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let analyzer = ["products.toml", "hazards.toml", "cues.toml"];
    if analyzer.contains(&file) {
        for f in analyzer {
            std::fs::copy(root.join(f), rules.join(f)).unwrap();
        }
    }
    let original = std::fs::read_to_string(root.join(file)).unwrap();
    assert!(original.contains(good), "{file} no longer holds {good}");
    let edited = original.replace(good, bad);
    std::fs::write(rules.join(file), &edited).unwrap();
    let line = edited.lines().position(|l| l.contains(bad)).unwrap() + 1;
    let out = jiance(&["check", rules.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{file}:{line}")) && stderr.contains(needle),
        "{stderr}"
    );
}

#[test]
fn extract_reads_json_lines_and_reports_bad_lines_by_number() {
    let input = concat!(
        r#"{"id": 1, "text": "浙江省温州市一居民楼内，一辆电动自行车的锂电池在充电时起火，烧毁了楼道内的杂物。"}"#,
        "\n",
        "{this is not json\n",
        r#"{"id": "b", "title": "消防演练", "text": "消防大队在小区开展电动自行车火灾应急演练，模拟电池起火后的疏散。"}"#,
        "\n"
    );
    let out = extract_output(input);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "bad lines make a non-zero exit");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["is_signal"], true, "{}", lines[0]);
    assert!(
        lines[0]["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "火灾"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0]["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["province"] == "浙江省"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1]["is_signal"], false, "{}", lines[1]);
    assert!(lines[1]["reason"].is_string(), "{}", lines[1]);
    for l in &lines {
        for key in [
            "id",
            "categories",
            "hazards",
            "regions",
            "is_signal",
            "kind",
            "parties",
            "standards",
            "cluster",
        ] {
            assert!(l.get(key).is_some(), "{key} missing: {l}");
        }
        for r in l["regions"].as_array().unwrap() {
            for key in ["province", "city", "code", "role"] {
                assert!(r.get(key).is_some(), "region {key} missing: {l}");
            }
        }
    }
}

#[test]
fn extract_shows_standards_with_their_kind_and_facts() {
    let input = concat!(
        r#"{"id": "r", "title": "召回部分电热水壶", "text": "某电器有限公司召回KT-1705型电热水壶，共计8640台，批次号20240311。产品不符合GB 4706.19-2008，参照GB/T 22760-2020评估。"}"#,
        "\n",
    );
    let lines = extract_lines(input);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let l = &lines[0];
    let std = l["standards"].as_array().unwrap();
    assert!(
        std.iter()
            .any(|s| s["number"] == "GB 4706.19-2008" && s["mandatory"] == true),
        "{l}"
    );
    assert!(
        std.iter()
            .any(|s| s["number"] == "GB/T 22760-2020" && s["mandatory"] == false),
        "{l}"
    );
    assert_eq!(l["facts"]["models"][0], "KT-1705", "{l}");
    assert_eq!(l["facts"]["batches"][0], "20240311", "{l}");
    assert!(
        l["facts"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["what"] == "召回" && c["value"] == 8640 && c["unit"] == "台"),
        "{l}"
    );
    assert!(
        l["parties"]["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "某电器有限公司"),
        "{l}"
    );
}

#[test]
fn commands_on_a_missing_data_directory_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let out = jiance(&["search", "充电宝", "--data", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("not a jiance data directory") && stderr.contains("jiance demo"),
        "{stderr}"
    );
    let out = jiance(&["alerts", "--data", missing.to_str().unwrap()]);
    assert!(!out.status.success());
}

#[test]
fn run_once_crawls_the_sources_a_config_names_and_scores() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `run` scores as of today, so the scenario ends today.
    let end = jiance::model::china_day(chrono::Utc::now());
    let scenario = std::sync::Arc::new(jiance::demo::scenario(7, end));
    let expect = scenario.expectations();
    let sites = rt
        .block_on(jiance::demo::DemoSites::start(scenario))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The demo's sources as an operator would keep them: a file next to the config.
    let sources = jiance::demo::sources_text(sites.base_urls());
    std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
    std::fs::write(
        dir.path().join("jiance.toml"),
        "data_dir = \"data\"\nsource_files = [\"sources.toml\"]\n[crawl]\nuser_agent = \"jiance-test\"\n",
    )
    .unwrap();
    let config = dir.path().join("jiance.toml");
    let out = jiance(&["check", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = jiance(&["run", "--once", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("documents"),
        "{}",
        text(&out.stderr)
    );
    let data = dir.path().join("data");
    let out = jiance(&["alerts", "--json", "--data", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let regional =
        alerts.as_array().unwrap().iter().find(|a| {
            a["category"] == expect.regional_category.as_str() && a["scope"] == "regional"
        });
    let regional = regional.unwrap_or_else(|| panic!("no regional alert in {alerts:#}"));
    assert_eq!(regional["action"], "sample");
    assert_eq!(regional["regions"][0], expect.regional_province.as_str());
    let store = jiance::store::Store::open(&data.join("state.sqlite")).unwrap();
    assert!(store.document_count().unwrap() >= 400);
    rt.block_on(sites.shutdown());
}

#[test]
fn status_reports_every_demo_source_as_healthy() {
    let o = crate::demo::outcome();
    let out = jiance(&["status", "--json", "--data", o.data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources = v["sources"].as_array().unwrap();
    let expected = jiance::demo::sources_for(&o.base_urls).unwrap().len();
    assert!(expected >= 5);
    assert_eq!(sources.len(), expected, "{v:#}");
    for s in sources {
        assert_eq!(s["stale"], false, "{s}");
        assert!(s["fetched"].as_u64().unwrap() > 0, "{s}");
        assert_eq!(s["failed"], serde_json::json!({}), "{s}");
    }
    assert_eq!(v["parked"], serde_json::json!([]));
    // The demo runs no [[schedule]] jobs, and the text form says so rather than printing nothing.
    assert_eq!(v["schedules"], serde_json::json!([]));
    let out = jiance(&["status", "--data", o.data.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("no [[schedule]] job"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fetch_shows_what_a_source_makes_of_a_gbk_product_page() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let scenario = std::sync::Arc::new(jiance::demo::scenario(11, end));
    let sites = rt
        .block_on(jiance::demo::DemoSites::start(scenario.clone()))
        .unwrap();
    let doc = scenario.docs_of(jiance::demo::Site::Mall).next().unwrap();
    let url = format!("{}{}", sites.base_urls()["mall"], doc.path);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sources.toml");
    std::fs::write(&file, jiance::demo::sources_text(sites.base_urls())).unwrap();
    let out = jiance(&[
        "fetch",
        &url,
        "--source",
        "demo-mall",
        "--config",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown = v.to_string();
    assert!(
        shown.to_lowercase().contains("gbk"),
        "the charset is named: {v:#}"
    );
    assert!(
        shown.contains(&doc.title),
        "the document title {:?} is decoded: {v:#}",
        doc.title
    );
    // A URL the site does not have is a failure with a reason, not a crash.
    let out = jiance(&[
        "fetch",
        &format!("{url}-missing"),
        "--source",
        "demo-mall",
        "--config",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    rt.block_on(sites.shutdown());
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn finding_values(v: &serde_json::Value, key: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f[key].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 43: analysis by mechanism on texts no rule was written from (our own, in the genres'
/// styles): a notice listing ten products names ten categories; a product no alias knows is
/// `未归类` with its noun; a notice naming only failed GB 4706 clauses gets their hazards; a
/// county-only incident gets its province; an explainer is no signal; a smart product reached
/// by an outsider is an information-security signal; a brand holding a place name places nothing.
#[test]
fn extract_generalizes_beyond_the_word_lists() {
    let input = [
        r#"{"id": "ten", "text": "区市场监管局公布第二季度产品质量监督抽查结果，共抽查电饭锅、电风扇、插线板、儿童自行车、书包、运动鞋、床垫、燃气灶、电动自行车头盔和空气炸锅十类产品98批次，其中9批次不合格。"}"#,
        r#"{"id": "noun", "text": "某电器公司召回部分剥蒜器，该产品内置电池存在过热隐患，可能导致火灾。"}"#,
        r#"{"id": "clauses", "text": "本次抽查电暖器30批次，4批次不合格，不合格项目为发热、对触及带电部件的防护、泄漏电流和电气强度、稳定性和机械危险。"}"#,
        r#"{"id": "county", "text": "12日凌晨，慈溪市周巷镇一处出租房内电动自行车充电时起火，一名住户被烧伤。"}"#,
        r#"{"id": "explainer", "text": "电暖器烤焦被褥、插线板烧黑墙面……这些事你家遇到过吗？大家选购时一定要认准3C标志，别贪便宜买劣质货。"}"#,
        r#"{"id": "privacy", "text": "家住城东的周女士发现，女儿的电话手表能被陌生人添加为好友并拨打视频通话，孩子的位置也被对方看到。"}"#,
        r#"{"id": "brand", "text": "抽查发现，标称衡山牌的电热水壶泄漏电流不合格。"}"#,
    ]
    .join("\n");
    let out = extract_lines(&input);
    assert_eq!(out.len(), 7);
    let by_id = |id: &str| out.iter().find(|x| x["id"] == id).unwrap();

    let ten = by_id("ten");
    let cats = strings(&ten["categories"]);
    assert_eq!(cats.len(), 10, "{cats:?}");
    assert!(ten["is_signal"].as_bool().unwrap(), "{ten}");

    let noun = by_id("noun");
    let f = &noun["findings"][0];
    assert_eq!(f["category"], "未归类", "{noun}");
    assert_eq!(f["product"], "剥蒜器", "{noun}");
    assert_eq!(f["hazard"], "火灾", "{noun}");

    let clauses = finding_values(by_id("clauses"), "hazard");
    for h in ["火灾", "触电", "机械伤害"] {
        assert!(clauses.iter().any(|x| x == h), "{h} missing: {clauses:?}");
    }
    assert!(!clauses.iter().any(|x| x == "未指明"), "{clauses:?}");

    let county = finding_values(by_id("county"), "province");
    assert!(
        !county.is_empty() && county.iter().all(|p| p == "浙江省"),
        "{county:?}"
    );

    let explainer = by_id("explainer");
    assert_eq!(explainer["is_signal"], false, "{explainer}");
    assert_eq!(explainer["reason"], "generic", "{explainer}");

    let privacy = by_id("privacy");
    assert_eq!(privacy["is_signal"], true, "{privacy}");
    assert!(
        finding_values(privacy, "hazard")
            .iter()
            .any(|h| h == "信息安全"),
        "{privacy}"
    );

    let brand = by_id("brand");
    assert!(
        strings(&brand["parties"]["brands"])
            .iter()
            .any(|b| b == "衡山"),
        "{brand}"
    );
    assert!(
        !brand["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["role"] == "event"),
        "{brand}"
    );
}
