//! A hostile batch (#13): 1,000 units (default; `NIANBAO_BENCH_UNITS`) with, among them, a
//! unit whose seal is a real decompression bomb (30000 × 30000, 900 MB decoded), a unit whose
//! seal has a bad CRC (a unit cannot name a font, so this is the "broken resource" unit), and
//! a folder no one can read (chmod 000 when not root; for root, whom chmod does not stop, a
//! folder whose path is longer than PATH_MAX). It runs the built `nianbao batch` binary under
//! GNU time and prints its peak RSS; it must render every good unit, write the summary and stay
//! under 300 MB. Then it runs the whole batch once with a truncated `--font`, which must fail
//! (exit 2) before any work: no OUTDIR, in well under a second of rendering.
//!
//! `cargo bench --bench hostile_batch` (needs /usr/bin/time: apt-get install time).

#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;

#[path = "../tests/hostile_support/mod.rs"]
mod hostile;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn timed(dir: &Path, args: &[&str]) -> (i32, f64, f64, String) {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .current_dir(dir)
        .args(["-f", "RSS_KB=%M"])
        .arg(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .expect("run /usr/bin/time (apt-get install time)");
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let kb: f64 = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RSS_KB="))
        .and_then(|v| v.trim().parse().ok())
        .expect("GNU time output");
    let text = format!("{}\n{stderr}", String::from_utf8_lossy(&out.stdout));
    (out.status.code().unwrap_or(-1), kb / 1024.0, secs, text)
}

fn main() {
    let n: usize =
        std::env::var("NIANBAO_BENCH_UNITS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let jobs = std::env::var("NIANBAO_BENCH_JOBS").unwrap_or_else(|_| "2".into());
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    let units = root.join("units");
    // n − 2 good units, one bomb, one broken seal.
    gen_units::generate(&units, n - 2);
    let bad = units.join("hostile");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("bomb.png"), hostile::bomb_png()).unwrap();
    std::fs::write(bad.join("bomb.yaml"), hostile::township_with_seal("bomb.png").0).unwrap();
    std::fs::write(bad.join("bad-crc.png"), hostile::bad_crc_png()).unwrap();
    std::fs::write(bad.join("bad-crc.yaml"), hostile::township_with_seal("bad-crc.png").0).unwrap();
    // The unreadable folder.
    let root_user = hostile::is_root();
    let locked = units.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(locked.join("unit.yaml"), hostile::TOWNSHIP).unwrap();
    if root_user {
        hostile::too_long_folder(&locked);
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // The generator makes about one unit in a hundred with a broken 勾稽关系 on purpose:
    // those fail as they should, and are not "good" units.
    let generated = nianbao::batch::discover(std::slice::from_ref(&units), None).expect("discover");
    let broken = generated
        .inputs
        .iter()
        .filter(|i| i.path.to_string_lossy().contains("/district-"))
        .filter(|i| !nianbao::load_and_check(&i.path).is_ok())
        .count();
    let good = n - 2 - broken + usize::from(root_user); // root still reads locked/unit.yaml

    let args = ["batch", "units", "-o", "out", "--format", "pdf,docx", "-j", &jobs];
    let (code, mb, secs, text) = timed(root, &args);
    let summary: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(root.join("out/summary.json")).expect("summary.json written"),
    )
    .expect("summary.json");
    let count = |s: &str| summary.iter().filter(|r| r["status"] == s).count();
    let (rendered, failed) = (count("rendered"), count("failed"));
    let pdfs = walk_count(&root.join("out"), "pdf");
    println!(
        "hostile batch: {n} inputs, exit {code}, {rendered} rendered, {failed} failed, {pdfs} PDFs, \
         {secs:.1} s ({:.1} units/s), peak RSS {mb:.0} MB (jobs {jobs}, unreadable folder by {})",
        rendered as f64 / secs,
        if root_user { "PATH_MAX (running as root)" } else { "chmod 000" }
    );
    println!("  of which {broken} generated units broken on purpose (E-R*)");
    for r in summary.iter().filter(|r| r["status"] == "failed") {
        let file = r["file"].as_str().unwrap_or("");
        if file.contains("district-") {
            continue;
        }
        let why = r["diagnostics"][0].as_str().unwrap_or("");
        let head: String = file.chars().take(60).collect();
        let tail: String =
            why.chars().rev().take(150).collect::<Vec<_>>().into_iter().rev().collect();
        println!("  failed: {head}… — …{tail}");
    }
    assert_eq!(code, 1, "exit 1 (units failed): {text}");
    assert_eq!(rendered, good, "every good unit rendered");
    assert_eq!(pdfs, good);
    assert_eq!(failed, broken + 3, "the bomb, the bad CRC, the unreadable folder");
    assert!(mb < 300.0, "peak RSS {mb:.0} MB over 300 MB");

    // The same batch with a truncated font: refused before any work.
    let fang =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/FandolFang-Regular.otf"))
            .unwrap();
    std::fs::write(root.join("half.otf"), &fang[..fang.len() / 2]).unwrap();
    let args = ["batch", "units", "-o", "out-font", "--font", "body=half.otf", "-j", &jobs];
    let (code, mb, secs, text) = timed(root, &args);
    println!(
        "truncated --font: exit {code} in {secs:.2} s, peak RSS {mb:.0} MB, OUTDIR made: {} — {}",
        root.join("out-font").exists(),
        text.lines().find(|l| l.contains("body")).unwrap_or("").trim()
    );
    assert_eq!(code, 2, "{text}");
    assert!(!root.join("out-font").exists());

    if !root_user {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755));
    }
}

fn walk_count(dir: &Path, ext: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk_count(&p, ext)
            } else {
                usize::from(p.extension().is_some_and(|x| x == ext))
            }
        })
        .sum()
}
