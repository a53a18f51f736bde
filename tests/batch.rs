//! `nianbao batch` end to end: good, broken and duplicate-named units, the summary
//! files, `--changed`, the 汇总表 sums, shards and determinism across `--jobs`.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLE: &str = include_str!("../examples/shengsi-2024.yaml");

fn nianbao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).output().expect("run nianbao");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let units = dir.path().join("units");
    for sub in ["a", "b"] {
        std::fs::create_dir_all(units.join(sub)).unwrap();
        std::fs::write(units.join(sub).join("town.yaml"), EXAMPLE).unwrap();
    }
    std::fs::write(units.join("town.yml"), EXAMPLE).unwrap();
    let broken = EXAMPLE.replace("carried_over:     [1, 0", "carried_over:     [2, 0");
    assert_ne!(broken, EXAMPLE);
    std::fs::write(units.join("broken.yaml"), broken).unwrap();
    std::fs::write(units.join("notes.txt"), "not a report").unwrap();
    std::fs::create_dir_all(units.join(".hidden")).unwrap();
    std::fs::write(units.join(".hidden/skip.yaml"), "garbage: [").unwrap();
    (dir, units)
}

fn summary(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn row<'a>(rows: &'a [serde_json::Value], file_end: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(file_end))
        .unwrap_or_else(|| panic!("{file_end} missing from summary"))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn batch_renders_good_units_and_reports_broken_ones() {
    let (dir, units) = setup();
    let out = dir.path().join("out");
    let (code, stdout, stderr) =
        nianbao(&["batch", units.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1, "a failed unit makes the run exit 1\n{stdout}\n{stderr}");
    assert!(stdout.contains("渲染 3 份") && stdout.contains("失败 1 份"), "{stdout}");
    assert!(stderr.contains("broken.yaml") && stderr.contains("E-R3"), "{stderr}");
    for f in ["a/town.pdf", "b/town.pdf", "town.pdf"] {
        let bytes = std::fs::read(out.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(bytes.starts_with(b"%PDF-"), "{f}");
    }
    assert!(!out.join("broken.pdf").exists(), "nothing is written for a broken unit");
    let rows = summary(&out);
    assert_eq!(rows.len(), 4, "hidden folders and .txt files are skipped: {rows:?}");
    assert_eq!(row(&rows, "broken.yaml")["status"], "failed");
    assert!(row(&rows, "broken.yaml")["diagnostics"][0].as_str().unwrap().contains("一+二 = 9"));
    let good = row(&rows, "a/town.yaml");
    assert_eq!(good["status"], "rendered");
    assert_eq!(good["unit"], "嵊泗县人民政府办公室");
    assert_eq!(good["year"], 2024);
    assert!(good["pages"].as_u64().unwrap() >= 4);
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // A UTF-8 BOM first, so Excel on Chinese Windows does not read it as GBK.
    let csv = csv.strip_prefix('\u{feff}').expect("summary.csv starts with a BOM");
    assert_eq!(csv.lines().next().unwrap(), "file,unit,year,status,pages,outputs,diagnostics,ms");
    assert!(csv.contains(",failed,"), "{csv}");
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn batch_changed_skips_unchanged_units() {
    let (dir, units) = setup();
    std::fs::remove_file(units.join("broken.yaml")).unwrap();
    let out = dir.path().join("out");
    let args = ["batch", units.to_str().unwrap(), "-o", out.to_str().unwrap(), "--changed"];
    assert_eq!(nianbao(&args).0, 0);
    let (code, stdout, _) = nianbao(&args);
    assert_eq!(code, 0);
    assert!(stdout.contains("渲染 0 份，未变 3 份"), "{stdout}");
    let edited = EXAMPLE.replace("县政府办公室紧紧围绕", "县政府办公室始终紧紧围绕");
    assert_ne!(edited, EXAMPLE);
    std::fs::write(units.join("a/town.yaml"), edited).unwrap();
    let (_, stdout, _) = nianbao(&args);
    assert!(stdout.contains("渲染 1 份，未变 2 份"), "{stdout}");
    let rows = summary(&out);
    assert_eq!(row(&rows, "a/town.yaml")["status"], "rendered");
    assert_eq!(row(&rows, "b/town.yaml")["status"], "unchanged");
}

#[test]
fn batch_summary_report_sums_every_unit() {
    let (dir, units) = setup();
    let out = dir.path().join("out");
    let (_, stdout, _) = nianbao(&[
        "batch",
        units.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--summary-report",
        "--office",
        "嵊泗县",
    ]);
    assert!(stdout.contains("汇总表：3 个单位"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("numbers.csv")).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("numbers.csv starts with a BOM");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let total: Vec<&str> = csv.lines().last().unwrap().split(',').collect();
    let col = |key: &str| header.iter().position(|h| *h == key).unwrap_or_else(|| panic!("{key}"));
    assert_eq!(total[col("applications.received.natural_person")], "21");
    assert_eq!(total[col("applications.total.total")], "24");
    assert_eq!(total[col("proactive.normative_documents.in_force")], "546");
    assert_eq!(csv.lines().count(), 1 + 3 + 1, "header, three units, total");
    // The same numbers as workbooks: read back, the total row's cached sums are the CSV's.
    for book in ["numbers.xlsx", "summary-report.xlsx"] {
        let bytes = std::fs::read(out.join(book)).unwrap();
        assert!(bytes.starts_with(b"PK"), "{book}");
    }
    let back = nianbao::import::import_workbook(
        &std::fs::read(out.join("summary-report.xlsx")).unwrap(),
        nianbao::template::bundled_format(2021).unwrap(),
    );
    let summed: std::collections::HashMap<String, Option<String>> = back
        .report
        .numbers(nianbao::template::bundled_format(2021).unwrap())
        .into_iter()
        .map(|c| (c.key, c.value.map(|n| n.value.display())))
        .collect();
    assert_eq!(summed["applications.received.natural_person"].as_deref(), Some("21"));
    assert_eq!(summed["proactive.normative_documents.in_force"].as_deref(), Some("546"));
    let pdf = out.join("summary-report.pdf");
    let t = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is missing: apt-get install poppler-utils");
    let t = String::from_utf8_lossy(&t.stdout).replace([' ', '\n'], "");
    assert!(t.contains("汇总表（3个单位）"), "{t}");
    assert!(t.contains("一、本年新收政府信息公开申请数量21"), "the summed row: {t}");
    assert!(t.contains("（七）总计240000024"), "the summed total row: {t}");
    assert!(t.contains("行政规范性文件306546"), "the summed 二 table: {t}");
}

/// The 汇总表 is made from what the run kept of each unit, never by reading the units again,
/// so what is kept must not grow with the texts: a unit's computed tables and names only.
#[test]
fn batch_keeps_only_the_tables_of_each_unit_for_the_summary() {
    use nianbao::batch::{BatchConfig, discover, run_batch, summary_reports};
    let (dir, units) = setup();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let inputs = discover(&[units], Some(&out)).unwrap().inputs;
    let engine = nianbao::Engine::new(nianbao::EngineOptions::default()).unwrap();
    let config = BatchConfig {
        outdir: out.clone(),
        outputs: vec![nianbao::OutputKind::Pdf],
        changed: false,
        replace: nianbao::io::Replace::UnlessSigned,
        confine: false,
        keep_loaded: true,
        audit: Default::default(),
        previous: Default::default(),
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let result = run_batch(&inputs, &config, &engine, &stop, &|_| {});
    let kept: Vec<&nianbao::Loaded> = result.loaded.iter().flatten().collect();
    assert_eq!(kept.len(), 3, "the three good units");
    for l in &kept {
        assert!(l.file.text().is_empty(), "the YAML text is let go");
        let report = l.report.as_ref().unwrap();
        assert!(report.preamble.is_empty(), "and the prose");
        assert!(
            report.sections.iter().all(|s| s.prose.is_empty() && s.notes.is_empty()),
            "the sections keep their tables only"
        );
        assert!(l.diags.is_empty() && l.images.is_empty());
        assert_eq!(report.unit.text, "嵊泗县人民政府办公室");
        assert!(l.checked.is_some());
    }
    let sums = summary_reports(&kept, &engine, &[nianbao::OutputKind::Pdf], "嵊泗县").unwrap();
    assert_eq!(sums.len(), 1);
    assert!(sums[0].numbers_csv.ends_with("\n"));
    assert_eq!(sums[0].numbers_csv.lines().count(), 1 + 3 + 1, "header, three units, total");
}

#[test]
fn batch_output_is_identical_whatever_the_jobs() {
    let (dir, units) = setup();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    nianbao(&["batch", units.to_str().unwrap(), "-o", one.to_str().unwrap(), "--jobs", "1"]);
    nianbao(&["batch", units.to_str().unwrap(), "-o", two.to_str().unwrap(), "--jobs", "2"]);
    for f in ["a/town.pdf", "b/town.pdf", "town.pdf"] {
        assert_eq!(std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap(), "{f}");
    }
    // `render` makes the font subsets in parallel, a batch worker one after
    // another: the file must not depend on which.
    let single = dir.path().join("single");
    let (code, _, err) = nianbao(&[
        "render",
        units.join("a/town.yaml").to_str().unwrap(),
        "-o",
        single.to_str().unwrap(),
        "--format",
        "pdf",
    ]);
    assert_eq!(code, 0, "{err}");
    let rendered = std::fs::read(single.join("town.pdf")).unwrap();
    assert_eq!(rendered, std::fs::read(one.join("a/town.pdf")).unwrap(), "render vs batch");
}

#[test]
fn batch_shards_cover_every_unit_once_and_merge() {
    let (dir, units) = setup();
    let mut parts = Vec::new();
    for i in 1..=3 {
        let out = dir.path().join(format!("shard{i}"));
        nianbao(&[
            "batch",
            units.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--shard",
            &format!("{i}/3"),
        ]);
        parts.push(out.join("summary.json"));
    }
    let counts: usize = parts.iter().map(|p| summary(p.parent().unwrap()).len()).sum();
    assert_eq!(counts, 4, "every unit in exactly one shard");
    let merged = dir.path().join("merged");
    let mut args = vec![
        "batch".to_string(),
        "-o".into(),
        merged.display().to_string(),
        "--merge-summaries".into(),
    ];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, _) = nianbao(&args);
    assert_eq!(code, 1, "the broken unit is still failed after merging: {stdout}");
    assert_eq!(summary(&merged).len(), 4);
    assert_eq!(
        nianbao(&[
            "batch",
            units.to_str().unwrap(),
            "-o",
            merged.to_str().unwrap(),
            "--shard",
            "4/3"
        ])
        .0,
        2
    );
}

/// Ctrl-C (SIGINT) in the middle of a run: the units in flight finish, no partial or
/// temporary file is left, the summary marks the rest interrupted, exit 130; a re-run
/// with --changed completes the set.
#[test]
fn batch_interrupt_leaves_only_complete_files_and_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let units = dir.path().join("units");
    std::fs::create_dir_all(&units).unwrap();
    for i in 0..60 {
        std::fs::write(units.join(format!("u{i:02}.yaml")), EXAMPLE).unwrap();
    }
    let out = dir.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args([
            "batch",
            units.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--jobs",
            "1",
            "--changed",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until some units are written, then interrupt.
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(60) {
        let done = std::fs::read_dir(&out)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                    .count()
            })
            .unwrap_or(0);
        if done >= 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let rows = summary(&out);
    assert_eq!(rows.len(), 60);
    let interrupted = rows.iter().filter(|r| r["status"] == "interrupted").count();
    assert!(interrupted > 0, "the run stopped early");
    let files = walk(&out);
    assert!(
        files.iter().all(|p| !p.file_name().unwrap().to_string_lossy().ends_with(".tmp")),
        "{files:?}"
    );
    for pdf in files.iter().filter(|p| p.extension().is_some_and(|x| x == "pdf")) {
        let bytes = std::fs::read(pdf).unwrap();
        assert!(
            bytes.starts_with(b"%PDF-") && bytes.trim_ascii_end().ends_with(b"%%EOF"),
            "{}",
            pdf.display()
        );
    }
    // Resume: everything not yet rendered is rendered now.
    let (code, stdout, _) = nianbao(&[
        "batch",
        units.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--changed",
        "--format",
        "pdf,docx",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let rows = summary(&out);
    assert!(
        rows.iter().all(|r| r["status"] == "rendered" || r["status"] == "unchanged"),
        "{rows:?}"
    );
    assert_eq!(walk(&out).iter().filter(|p| p.extension().is_some_and(|x| x == "pdf")).count(), 60);
}

/// The example as last year's report (2023).
fn last_year() -> String {
    EXAMPLE.replace("year: 2024", "year: 2023").replace("date: 2025-01-22", "date: 2024-01-22")
}

/// `units/` with the example (shengsi) and another unit with the same numbers (whom
/// shengsi's last year must not apply to), `last/` with shengsi's `previous`.
fn two_units_and_last_year(
    previous: &str,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (units, last) = (dir.path().join("units"), dir.path().join("last"));
    std::fs::create_dir_all(&units).unwrap();
    std::fs::create_dir_all(&last).unwrap();
    std::fs::write(units.join("shengsi.yaml"), EXAMPLE).unwrap();
    let other = EXAMPLE.replace("unit: 嵊泗县人民政府办公室", "unit: 某某县某某局");
    assert_ne!(other, EXAMPLE);
    std::fs::write(units.join("other.yaml"), other).unwrap();
    std::fs::write(last.join("shengsi-2023.yaml"), previous).unwrap();
    (dir, units, last)
}

/// `batch --previous DIR` checks each unit against last year's report of the same unit
/// (#16: 上年结转 = last year's 结转下年度继续办理), and only that unit's.
#[test]
fn batch_previous_checks_each_unit_against_its_own_last_year() {
    // Last year, shengsi carried nothing forward, so this year's 上年结转 1 is a finding.
    let (dir, units, last) = two_units_and_last_year(&last_year());
    let out = dir.path().join("out");
    let (code, _, err) = nianbao(&[
        "batch",
        units.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "pdf",
        "--previous",
        last.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows = summary(&out);
    let diags = |end: &str| -> Vec<String> {
        row(&rows, end)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    };
    let shengsi = diags("shengsi.yaml");
    assert!(shengsi.iter().any(|d| d.contains("W-Y1")), "{shengsi:#?}");
    assert!(!diags("other.yaml").iter().any(|d| d.contains("W-Y")), "{:#?}", diags("other.yaml"));
    // Without --previous there is nothing to compare with.
    let out2 = dir.path().join("out2");
    let (code, _, err) = nianbao(&[
        "batch",
        units.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
        "--format",
        "pdf",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!summary(&out2).iter().any(|r| r["diagnostics"].to_string().contains("W-Y1")));
}

/// `batch --format tujie.svg --previous DIR` draws each unit's 图解 beside last year's report
/// of the same unit only; with `--changed`, another last year's report renders again.
#[test]
fn batch_tujie_compares_each_unit_with_its_own_last_year() {
    let previous = last_year().replace("licensing: 0", "licensing: 7");
    let (dir, units, last) = two_units_and_last_year(&previous);
    let out = dir.path().join("out");
    let run = || {
        nianbao(&[
            "batch",
            units.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--format",
            "tujie.svg",
            "--changed",
            "--previous",
            last.to_str().unwrap(),
        ])
    };
    let (code, _, err) = run();
    assert_eq!(code, 0, "{err}");
    let svg = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert!(
        svg("shengsi.tujie.svg").contains("data-key=\"proactive.licensing\" data-year=\"2023\">7<")
    );
    assert!(!svg("other.tujie.svg").contains("data-year=\"2023\""), "another unit's last year");
    // Last year's report changed: the 图解 that draws it is made again.
    std::fs::write(
        last.join("shengsi-2023.yaml"),
        previous.replace("licensing: 7", "licensing: 9"),
    )
    .unwrap();
    let (code, _, err) = run();
    assert_eq!(code, 0, "{err}");
    assert!(svg("shengsi.tujie.svg").contains("data-year=\"2023\">9<"), "rendered again");
}
