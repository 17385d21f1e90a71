//! `jiance report` on the demo data directory, and the deploy config's `[[schedule]]` jobs
//! through `jiance check`.

use std::collections::BTreeMap;

use crate::{jiance, text};

#[test]
fn report_counts_every_demo_signal_once_per_week_and_category() {
    let o = crate::demo::outcome();
    let data = o.data.to_str().unwrap();
    let out = jiance(&[
        "report", "--data", data, "--by", "category", "--every", "week", "--format", "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("period,category,signals,clusters,score,alerts_new,alerts_escalated")
    );
    // Signals per category from the store, against the report's sums over weeks.
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for s in &o.signals {
        *expected.entry(s.category.clone()).or_default() += 1;
    }
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    let mut weeks = std::collections::BTreeSet::new();
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(cells.len(), 7, "{l}");
        let period = chrono::NaiveDate::parse_from_str(cells[0], "%Y-%m-%d").unwrap();
        assert_eq!(
            chrono::Datelike::weekday(&period),
            chrono::Weekday::Mon,
            "weeks are labelled by their Monday: {l}"
        );
        weeks.insert(period);
        let n: i64 = cells[2].parse().unwrap();
        let clusters: i64 = cells[3].parse().unwrap();
        let raised: i64 = cells[5].parse::<i64>().unwrap() + cells[6].parse::<i64>().unwrap();
        // a week may hold only an alert raised on earlier weeks' signals (the demo scores at the
        // wall-clock time, which in Beijing can already be the next Monday)
        assert!(
            clusters <= n && (clusters >= 1 || (n == 0 && raised > 0)),
            "{l}"
        );
        *got.entry(cells[1].to_string()).or_default() += n;
    }
    assert_eq!(got, expected);
    // The demo covers at least 70 days: ten or more ISO weeks.
    assert!(weeks.len() >= 10, "{weeks:?}");
}

#[test]
fn report_writes_parquet_with_dates_and_alert_history() {
    let o = crate::demo::outcome();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("by-province.parquet");
    let out = jiance(&[
        "report",
        "--data",
        o.data.to_str().unwrap(),
        "--by",
        "category,province",
        "--every",
        "month",
        "--format",
        "parquet",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Read back by the parquet crate's own row reader, not by jiance's code.
    use parquet::basic::{LogicalType, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let column = |name: &str| {
        let c = schema.columns().iter().find(|c| c.name() == name).unwrap();
        (c.physical_type(), c.logical_type_ref().cloned())
    };
    assert_eq!(column("period").1, Some(LogicalType::Date));
    assert_eq!(column("category").1, Some(LogicalType::String));
    assert_eq!(column("signals").0, Physical::INT64);
    let (mut signals, mut new) = (0i64, 0i64);
    for row in reader.get_row_iter(None).unwrap() {
        for (name, field) in row.unwrap().get_column_iter() {
            match (name.as_str(), field) {
                ("signals", Field::Long(n)) => signals += n,
                ("alerts_new", Field::Long(n)) => new += n,
                ("signals" | "alerts_new", other) => panic!("{name} is {other:?}"),
                _ => {}
            }
        }
    }
    assert_eq!(signals as usize, o.signals.len());
    // Every demo alert was new when first scored: the alert history shows them.
    assert!(new >= o.alerts.len() as i64, "{new} < {}", o.alerts.len());
}

/// `--unclassified` on a data directory of our own signals (the demo may have no unclassified
/// ones): nouns per week, most signals first, with documents and clusters; CSV, Parquet and a
/// table; `--by` with it is refused.
#[test]
fn report_lists_unclassified_nouns_most_first() {
    use chrono::TimeZone;
    use jiance::model::{Channel, DocKind, Signal};
    let sig = |doc: &str, day: u32, product: Option<&str>| Signal {
        doc_id: doc.into(),
        time: chrono::Utc.with_ymd_and_hms(2026, 6, day, 3, 0, 0).unwrap(),
        category: product.map_or("电热毯", |_| "未归类").into(),
        hazard: "烫伤/烧伤".into(),
        severity: 2,
        province: Some("广东省".into()),
        city: None,
        source: "12315平台".into(),
        channel: Channel::Complaint,
        kind: DocKind::Complaint,
        weight: 1.0,
        cluster: doc.into(),
        parties: Default::default(),
        product: product.map(Into::into),
    };
    // 2026-06-01 is a Monday.
    let signals = vec![
        sig("a", 1, Some("筋膜枪")),
        sig("b", 2, Some("挂脖风扇")),
        sig("b", 2, Some("挂脖风扇")),
        sig("c", 3, Some("挂脖风扇")),
        sig("d", 3, None),
        sig("e", 9, Some("筋膜枪")),
    ];
    let dir = tempfile::tempdir().unwrap();
    jiance::store::signals::write_partitions(&dir.path().join("signals"), &signals).unwrap();
    let data = dir.path().to_str().unwrap();
    let out = jiance(&[
        "report",
        "--data",
        data,
        "--unclassified",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "period,product,signals,documents,clusters\n\
         2026-06-01,挂脖风扇,3,2,2\n\
         2026-06-01,筋膜枪,1,1,1\n\
         2026-06-08,筋膜枪,1,1,1\n"
    );
    let out = jiance(&[
        "report",
        "--data",
        data,
        "--unclassified",
        "--every",
        "month",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("period") && lines[0].contains("documents"),
        "{table}"
    );
    let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        cells(lines[2]),
        ["2026-06-01", "挂脖风扇", "3", "2", "2"],
        "{table}"
    );
    assert_eq!(
        cells(lines[3]),
        ["2026-06-01", "筋膜枪", "2", "2", "2"],
        "{table}"
    );
    let file = dir.path().join("nouns.parquet");
    let out = jiance(&[
        "report",
        "--data",
        data,
        "--unclassified",
        "--format",
        "parquet",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut nouns = Vec::new();
    for row in reader.get_row_iter(None).unwrap() {
        for (name, field) in row.unwrap().get_column_iter() {
            if let ("product", Field::Str(p)) = (name.as_str(), field) {
                nouns.push(p.clone());
            }
        }
    }
    assert_eq!(nouns, ["挂脖风扇", "筋膜枪", "筋膜枪"]);
    let out = jiance(&[
        "report",
        "--data",
        data,
        "--unclassified",
        "--by",
        "category",
    ]);
    assert!(!out.status.success());
}

/// On the demo: the nouns the store's signals carry are the nouns the partitions give back,
/// signal for signal (the demo's analysis may give few or none: then both are empty).
#[test]
fn report_unclassified_on_the_demo_agrees_with_the_store() {
    let o = crate::demo::outcome();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for s in &o.signals {
        if let Some(p) = &s.product {
            assert_eq!(s.category, "未归类", "{s:?}");
            *expected.entry(p.clone()).or_default() += 1;
        }
    }
    let out = jiance(&[
        "report",
        "--data",
        o.data.to_str().unwrap(),
        "--unclassified",
        "--every",
        "month",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    for l in csv.lines().skip(1) {
        let cells: Vec<&str> = l.split(',').collect();
        *got.entry(cells[1].to_string()).or_default() += cells[2].parse::<i64>().unwrap();
    }
    assert_eq!(got, expected, "{csv}");
}

#[test]
fn report_table_and_bad_group_names() {
    let o = crate::demo::outcome();
    let data = o.data.to_str().unwrap();
    let out = jiance(&[
        "report", "--data", data, "--by", "province", "--every", "month",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.starts_with("period"), "{table}");
    assert!(table.contains("浙江省"), "{table}");
    let out = jiance(&["report", "--data", data, "--by", "category,shop"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot group by \"shop\"") && err.contains("source_kind"),
        "{err}"
    );
}

#[test]
fn check_validates_the_deploy_schedules_and_locates_a_bad_one() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = jiance(&["check", &format!("{root}/deploy/jiance.toml")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("4 schedules"),
        "{}",
        text(&out.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("j.toml");
    std::fs::write(
        &cfg,
        "data_dir = \"d\"\n\n[[schedule]]\nname = \"r\"\ncron = \"0 7 * * Mon\"\njob = \"report\"\nby = [\"category\"]\nevery = \"week\"\nout = \"r.csv\"\n\n[[schedule]]\nname = \"p\"\ncron = \"0 61 * * *\"\njob = \"prune\"\nolder_than_days = 30\n",
    )
    .unwrap();
    let out = jiance(&["check", cfg.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:13: schedule \"p\": bad cron expression",
            cfg.display()
        )),
        "{err}"
    );
}

/// The risk list of the demo's quarter: every category × hazard of the quarter's signals is a
/// row, counted as the store holds them, the serious alerts ranked first; `--every month` and
/// xlsx without a file are refused with a reason.
#[test]
fn risk_list_of_the_demo_quarter_agrees_with_the_store() {
    let o = crate::demo::outcome();
    let end =
        chrono::NaiveDate::from_ymd_opt(crate::demo::END.0, crate::demo::END.1, crate::demo::END.2)
            .unwrap();
    let (_, first, last) = jiance::report::risk::quarter_of(end);
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    for s in o
        .signals
        .iter()
        .filter(|s| s.day() >= first && s.day() <= last)
    {
        *expected
            .entry((s.category.clone(), s.hazard.clone()))
            .or_default() += 1;
    }
    let data = o.data.to_str().unwrap();
    let out = jiance(&[
        "report",
        "--data",
        data,
        "--risk-list",
        "--every",
        "quarter",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut got: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut levels: Vec<u8> = Vec::new();
    for l in csv.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        assert_eq!(c[0], "2026Q4", "{l}");
        levels.push(c[5].parse().unwrap());
        let n: i64 = c[7].parse().unwrap();
        if n > 0 {
            got.insert((c[2].to_string(), c[3].to_string()), n);
        }
    }
    assert_eq!(got, expected, "{csv}");
    // complaints per 10,000 units sold: the row's complaints over the units its category's
    // listings of the quarter sold, empty where no listing gives a count
    let head: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (complaints, units, rate) = (
        col("complaints"),
        col("units_sold"),
        col("complaints_per_10k"),
    );
    let mut with_units = 0;
    for l in csv.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        if c[units].is_empty() {
            assert!(c[rate].is_empty(), "a rate without units: {l}");
            continue;
        }
        with_units += 1;
        let n: f64 = c[complaints].parse().unwrap();
        let u: f64 = c[units].parse().unwrap();
        assert!(u > 0.0, "{l}");
        assert_eq!(c[rate], format!("{:.4}", n * 10_000.0 / u), "{l}");
    }
    assert!(
        with_units > 0,
        "the demo's listings give sales counts: {csv}"
    );
    assert!(
        levels.windows(2).all(|w| w[0] >= w[1]),
        "ranked by level: {levels:?}"
    );
    assert!(levels.first().is_some_and(|&l| l >= 3), "{csv}");
    let month = jiance(&["report", "--data", data, "--risk-list", "--every", "month"]);
    assert!(!month.status.success());
    assert!(
        text(&month.stderr).contains("per quarter"),
        "{}",
        text(&month.stderr)
    );
    let xlsx = jiance(&["report", "--data", data, "--risk-list", "--format", "xlsx"]);
    assert!(
        text(&xlsx.stderr).contains("--out"),
        "{}",
        text(&xlsx.stderr)
    );
}
