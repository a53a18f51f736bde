//! Issue #13 as a hostile or careless user would try it: one test (or a few) per numbered
//! point, each failing on the main before the fix (commit 2444060). Every hostile file is made
//! at test time (tests/hostile_support): a real decompression bomb, bad CRCs, a non-zlib
//! IDAT, a JPEG claiming 65535 px, trailing bytes, truncated and tiny fonts, FIFOs, /dev/zero,
//! folders and link loops where files are expected.

use crate::hostile_support as support;

use nianbao::io::{Replace, WriteError, write_all};
use nianbao::resolve::ImageData;
use nianbao::world::{FsResources, MemoryResources, ResourceError, Resources};
use nianbao::{Engine, EngineOptions, Source};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

fn engine() -> Engine {
    Engine::new(EngineOptions::default()).expect("bundled fonts")
}

/// `check --format short` on one file: the exit code and the lines.
fn check_short(dir: &Path, file: &str) -> Out {
    nb(dir, &["check", "--format", "short", file])
}

// ---------------------------------------------------------------------------------------------
// 1. Output names keep every dot of the stem.

#[test]
fn p01_dotted_stems_never_share_an_output() {
    let d = tmp();
    let units = d.path().join("units");
    let names = ["report.v1", "report.v2", "2024.final", "2024.draft"];
    for (i, n) in names.iter().enumerate() {
        write(&units.join(format!("{n}.yaml")), township_unit(&format!("第{i}号单位")));
    }
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf", "-j", "2"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let rows = summary(&d.path().join("out"));
    let mut outputs: Vec<String> =
        rows.iter().map(|r| r["outputs"][0].as_str().unwrap().to_string()).collect();
    outputs.sort();
    outputs.dedup();
    assert_eq!(outputs.len(), 4, "every input its own output: {rows:#?}");
    // Each PDF holds its own unit: four different documents.
    let pdfs: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(d.path().join(format!("out/{n}.pdf"))).expect(n))
        .collect();
    for i in 0..pdfs.len() {
        for j in i + 1..pdfs.len() {
            assert_ne!(pdfs[i], pdfs[j], "{} and {} hold the same document", names[i], names[j]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. `render a/x.yaml b/x.yaml -o OUT` is refused before any work.

#[test]
fn p02_render_refuses_two_inputs_with_one_output() {
    let d = tmp();
    write(&d.path().join("a/x.yaml"), township_unit("甲单位"));
    write(&d.path().join("b/x.yaml"), township_unit("乙单位"));
    let r = nb(d.path(), &["render", "a/x.yaml", "b/x.yaml", "-o", "OUT"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("a/x.yaml") && r.stderr.contains("b/x.yaml"), "{}", r.stderr);
    assert!(walk(&d.path().join("OUT")).is_empty(), "nothing written before the refusal");
    // Beside their inputs they do not clash.
    let r = nb(d.path(), &["render", "a/x.yaml", "b/x.yaml", "--format", "pdf"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(d.path().join("a/x.pdf").exists() && d.path().join("b/x.pdf").exists());
}

// ---------------------------------------------------------------------------------------------
// 3. A signed output is never replaced without --force: render, batch, batch --sign, sign.

#[test]
fn p03_signed_outputs_are_kept_without_force() {
    let d = tmp();
    write(&d.path().join("units/town.yaml"), TOWNSHIP);
    write(&d.path().join("key.p12"), p12());
    let signed_run = ["batch", "units", "-o", "out", "--format", "pdf", "--sign", "key.p12"];
    let r = nb_pw(d.path(), &signed_run);
    assert_eq!(r.code, 0, "{}", r.all());
    let pdf = d.path().join("out/town.pdf");
    let signed = std::fs::read(&pdf).unwrap();
    assert!(nianbao::io::is_signed_pdf(&signed));

    // A plain render into the same folder.
    let r = nb(d.path(), &["render", "units/town.yaml", "-o", "out", "--format", "pdf"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), signed, "plain render replaced a signed PDF");

    // A plain batch.
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(row(&summary(&d.path().join("out")), "town.yaml")["status"], "failed");
    assert_eq!(std::fs::read(&pdf).unwrap(), signed, "plain batch replaced a signed PDF");

    // A second batch --sign (a new signing time) over the first.
    let args: Vec<&OsStr> = signed_run.iter().map(OsStr::new).collect();
    let r = nianbao_in(
        d.path(),
        &args,
        &[("NIANBAO_P12_PASSWORD", PASSWORD), ("NIANBAO_SIGNING_TIME", "1800000000")],
        120,
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(std::fs::read(&pdf).unwrap(), signed, "a second batch --sign re-signed it");

    // `sign` onto it.
    let r = nb_pw(d.path(), &["sign", "out/town.pdf", "-o", "out/town.pdf", "--sign", "key.p12"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert_eq!(std::fs::read(&pdf).unwrap(), signed);

    // With --force it is replaced.
    let mut forced: Vec<&str> = signed_run.to_vec();
    forced.push("--force");
    let args: Vec<&OsStr> = forced.iter().map(OsStr::new).collect();
    let r = nianbao_in(
        d.path(),
        &args,
        &[("NIANBAO_P12_PASSWORD", PASSWORD), ("NIANBAO_SIGNING_TIME", "1800000000")],
        120,
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_ne!(std::fs::read(&pdf).unwrap(), signed);

    // Plain over plain is still replaced without --force.
    let r = nb(d.path(), &["render", "units/town.yaml", "-o", "plain", "--format", "pdf"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = nb(d.path(), &["render", "units/town.yaml", "-o", "plain", "--format", "pdf"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

// ---------------------------------------------------------------------------------------------
// 4. --changed vouches only for outputs it made; one run per OUTDIR.

fn many_units(root: &Path, n: usize) {
    for i in 0..n {
        write(&root.join(format!("u{i:03}.yaml")), township_unit(&format!("第{i}号镇人民政府")));
    }
}

#[test]
fn p04_changed_does_not_vouch_for_another_runs_file() {
    let d = tmp();
    many_units(&d.path().join("units"), 2);
    let run = ["batch", "units", "-o", "out", "--format", "pdf", "--changed"];
    assert_eq!(nb(d.path(), &run).code, 0);
    // Another run (or a half-finished one) leaves other content in u000.pdf.
    let a = d.path().join("out/u000.pdf");
    let b = std::fs::read(d.path().join("out/u001.pdf")).unwrap();
    let good = std::fs::read(&a).unwrap();
    std::fs::write(&a, &b).unwrap();
    let r = nb(d.path(), &run);
    assert_eq!(r.code, 0, "{}", r.all());
    let rows = summary(&d.path().join("out"));
    assert_eq!(row(&rows, "u000.yaml")["status"], "rendered", "{rows:#?}");
    assert_eq!(row(&rows, "u001.yaml")["status"], "unchanged");
    assert_eq!(std::fs::read(&a).unwrap(), good);
}

#[test]
fn p04_kill_9_mid_batch_then_changed_gives_every_unit_its_own_output() {
    let d = tmp();
    let n = 24;
    let units = d.path().join("units");
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let args = ["batch", "units", "-o", "out", "--format", "pdf,docx", "-j", "1", "--changed"];
    // A first, complete run: its cache vouches for every output.
    many_units(&units, n);
    let r = nb(d.path(), &args);
    assert_eq!(r.code, 0, "{}", r.all());
    // Then every other unit changes, and the next runs are killed half-way.
    for i in (0..n).step_by(2) {
        write(&units.join(format!("u{i:03}.yaml")), township_unit(&format!("改{i}号镇人民政府")));
    }
    // What a clean run of the changed inputs writes.
    let r = nb(d.path(), &["batch", "units", "-o", "ref", "--format", "pdf,docx", "-j", "2"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let changed_pdfs = |dir: &Path| {
        (0..n)
            .step_by(2)
            .filter(|i| {
                std::fs::read(dir.join(format!("u{i:03}.pdf"))).ok()
                    == std::fs::read(d.path().join(format!("ref/u{i:03}.pdf"))).ok()
            })
            .count()
    };
    // Killed runs: after some outputs exist, kill -9 (no handler runs).
    for round in 0..3 {
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(d.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let want = 1 + round * 3;
        let start = std::time::Instant::now();
        while changed_pdfs(&d.path().join("out")) < want && start.elapsed().as_secs() < 120 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Leftover temp files of the killed run, as a kill during a write leaves them.
        write(&d.path().join(format!("out/.nianbao-killed{round}.tmp")), b"half a PDF");
    }
    let r = nb(d.path(), &args);
    assert_eq!(r.code, 0, "{}", r.all());
    let rows = summary(&d.path().join("out"));
    assert_eq!(rows.len(), n);
    for i in 0..n {
        for ext in ["pdf", "docx"] {
            let name = format!("u{i:03}.{ext}");
            let got = std::fs::read(d.path().join("out").join(&name)).expect(&name);
            let want = std::fs::read(d.path().join("ref").join(&name)).unwrap();
            assert!(got == want, "{name} differs from a clean run's");
        }
    }
    let temps: Vec<PathBuf> = walk(&d.path().join("out"))
        .into_iter()
        .filter(|p| p.extension() == Some("tmp".as_ref()))
        .collect();
    assert!(temps.is_empty(), "stale temp files kept: {temps:?}");
}

#[test]
fn p04_a_second_run_into_one_outdir_exits_2() {
    let d = tmp();
    many_units(&d.path().join("units"), 1);
    std::fs::create_dir_all(d.path().join("out")).unwrap();
    // Another run holds the lock (the protocol: an exclusive lock on OUTDIR/.nianbao.lock).
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(d.path().join("out").join(nianbao::batch::LOCK_FILE))
        .unwrap();
    lock.try_lock().unwrap();
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("another nianbao batch"), "{}", r.stderr);
    assert!(!d.path().join("out/u000.pdf").exists());
    drop(lock);

    // Two real runs at once: one renders, the other exits 2 (or waits its turn) — never mixed.
    many_units(&d.path().join("units"), 30);
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let spawn = || {
        Command::new(bin)
            .args(["batch", "units", "-o", "out", "--format", "pdf", "-j", "1"])
            .current_dir(d.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    while !d.path().join("out/u000.pdf").exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let second = spawn().wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(second.status.code(), Some(2), "{}", String::from_utf8_lossy(&second.stderr));
    assert_eq!(summary(&d.path().join("out")).len(), 30);
}

// ---------------------------------------------------------------------------------------------
// 5. A unit's outputs are replaced together or not at all.

#[test]
fn p05_a_failed_docx_write_leaves_no_new_pdf() {
    let d = tmp();
    write(&d.path().join("town.yaml"), TOWNSHIP);
    // The DOCX cannot be written: a folder stands where it goes.
    std::fs::create_dir_all(d.path().join("out/town.docx/inside")).unwrap();
    let r = nb(d.path(), &["render", "town.yaml", "-o", "out"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(!r.stdout.contains('✓'), "{}", r.stdout);
    assert!(!d.path().join("out/town.pdf").exists(), "a PDF without its DOCX");
    // The same in a batch: the unit fails, nothing of it written.
    std::fs::create_dir_all(d.path().join("b/town.docx/inside")).unwrap();
    let r = nb(d.path(), &["batch", "town.yaml", "-o", "b"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!d.path().join("b/town.pdf").exists());
    assert_eq!(row(&summary(&d.path().join("b")), "town.yaml")["status"], "failed");
}

#[test]
fn p05_write_all_keeps_the_old_set_when_one_file_fails() {
    let d = tmp();
    let pdf = d.path().join("r.pdf");
    let docx = d.path().join("r.docx");
    write_all(&[(pdf.clone(), b"%PDF old"), (docx.clone(), b"PK old")], Replace::UnlessSigned)
        .unwrap();
    // Staging fails (the DOCX's folder is a file).
    let bad = d.path().join("file-not-dir/r.docx");
    write(&d.path().join("file-not-dir"), b"x");
    let e = write_all(&[(pdf.clone(), b"%PDF new"), (bad, b"PK new")], Replace::UnlessSigned);
    assert!(matches!(e, Err(WriteError::Io(..))));
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF old");
    // Renaming fails (a folder where the DOCX goes).
    std::fs::remove_file(&docx).unwrap();
    std::fs::create_dir_all(docx.join("x")).unwrap();
    let e = write_all(&[(pdf.clone(), b"%PDF new"), (docx.clone(), b"PK new")], Replace::Always);
    assert!(e.is_err());
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF old", "new PDF beside an old DOCX");
    assert!(walk(d.path()).iter().all(|p| p.extension() != Some("tmp".as_ref())));
}

// ---------------------------------------------------------------------------------------------
// 6. Decompression bombs: refused by check at the key, with the limit; batch survives.

/// Peak RSS in MB of a command, with GNU time; None when /usr/bin/time is missing.
fn peak_rss_mb(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Option<(i32, f64, String)> {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipping the RSS measurement: /usr/bin/time (package `time`) is not installed");
        return None;
    }
    let mut cmd = Command::new("/usr/bin/time");
    cmd.current_dir(dir).arg("-f").arg("RSS_KB=%M").arg(env!("CARGO_BIN_EXE_nianbao")).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = run_limited(cmd, 300);
    let kb: f64 = out
        .stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RSS_KB="))
        .and_then(|v| v.trim().parse().ok())
        .expect("time's output");
    Some((out.code, kb / 1024.0, out.all()))
}

#[test]
fn p06_bomb_is_refused_by_check_at_its_key_with_the_limit() {
    let d = tmp();
    write(&d.path().join("bomb.png"), bomb_png());
    let (text, line) = township_with_seal("bomb.png");
    write(&d.path().join("town.yaml"), &text);
    let r = check_short(d.path(), "town.yaml");
    assert_eq!(r.code, 1, "{}", r.all());
    let diag = r.stdout.lines().find(|l| l.contains("E-F1")).expect(&r.stdout);
    assert!(diag.contains(&format!(":{line}:")), "at the seal key (line {line}): {diag}");
    assert!(diag.contains("signature.seal"), "{diag}");
    assert!(diag.contains("30000") && diag.contains("12000"), "size and limit: {diag}");
    // The library says the same without touching the disk.
    let mut res = MemoryResources::new();
    res.insert("bomb.png", bomb_png().to_vec());
    let loaded =
        engine().check(Source::new("town.yaml", text.into_bytes()), &res, &Default::default());
    assert!(!loaded.is_ok());
    assert!(loaded.diags.iter().any(|d| d.span.line as usize == line));
    let e = ImageData::from_bytes(bomb_png().to_vec()).unwrap_err();
    assert!(e.contains("too large"), "{e}");
}

#[test]
fn p06_bomb_render_and_sign_stay_small() {
    let d = tmp();
    write(&d.path().join("bomb.png"), bomb_png());
    write(&d.path().join("town.yaml"), township_with_seal("bomb.png").0);
    write(&d.path().join("plain.yaml"), TOWNSHIP);
    write(&d.path().join("key.p12"), p12());
    let r = nb(d.path(), &["render", "town.yaml", "--format", "pdf"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!r.all().contains("程序缺陷"), "{}", r.all());
    let r = nb(d.path(), &["render", "plain.yaml", "--format", "pdf", "--seal", "bomb.png"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("too large"), "{}", r.stderr);
    assert_eq!(nb(d.path(), &["render", "plain.yaml", "--format", "pdf"]).code, 0);
    let r = nb_pw(
        d.path(),
        &["sign", "plain.pdf", "-o", "s.pdf", "--sign", "key.p12", "--seal", "bomb.png"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("too large"), "{}", r.stderr);
    assert!(!d.path().join("s.pdf").exists());
    let pw = [("NIANBAO_P12_PASSWORD", PASSWORD)];
    let args = ["sign", "plain.pdf", "-o", "s.pdf", "--sign", "key.p12", "--seal", "bomb.png"];
    if let Some((code, mb, all)) = peak_rss_mb(d.path(), &args, &pw) {
        assert_eq!(code, 2, "{all}");
        assert!(mb < 300.0, "sign --seal bomb.png took {mb:.0} MB");
    }
    if let Some((code, mb, all)) = peak_rss_mb(d.path(), &["check", "town.yaml"], &[]) {
        assert_eq!(code, 1, "{all}");
        assert!(mb < 300.0, "check of a bomb took {mb:.0} MB");
    }
}

/// `batch units -o out --format pdf` in `dir`, whose units include a bomb: exit 1, under 300 MB
/// at its peak (when GNU time is there to measure it); the summary's rows.
fn batch_beside_a_bomb(dir: &Path) -> Vec<serde_json::Value> {
    let args = ["batch", "units", "-o", "out", "--format", "pdf"];
    match peak_rss_mb(dir, &args, &[]) {
        Some((code, mb, all)) => {
            assert_eq!(code, 1, "{all}");
            assert!(mb < 300.0, "a batch beside a bomb took {mb:.0} MB");
        }
        None => {
            let r = nb(dir, &args);
            assert_eq!(r.code, 1, "{}", r.all());
        }
    }
    summary(&dir.join("out"))
}

#[test]
fn p06_one_bomb_does_not_take_the_batch_down() {
    let d = tmp();
    let units = d.path().join("units");
    many_units(&units, 3);
    write(&units.join("bomb/bomb.png"), bomb_png());
    write(&units.join("bomb/town.yaml"), township_with_seal("bomb.png").0);
    let rows = batch_beside_a_bomb(d.path());
    assert_eq!(rows.len(), 4);
    assert_eq!(row(&rows, "bomb/town.yaml")["status"], "failed");
    for i in 0..3 {
        assert_eq!(row(&rows, &format!("u00{i}.yaml"))["status"], "rendered");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Every file read is capped; trailing bytes are not embedded; FIFOs and /dev/zero refused.

#[test]
fn p07_trailing_bytes_after_a_png_are_not_embedded() {
    let d = tmp();
    let clean = png(64, 64);
    let mut padded = clean.clone();
    padded.extend(std::iter::repeat_n(0x5au8, 3 << 20));
    write(&d.path().join("seal.png"), &padded);
    write(&d.path().join("town.yaml"), township_with_seal("seal.png").0);
    let r = nb(d.path(), &["render", "town.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for ext in ["pdf", "docx"] {
        let len = std::fs::metadata(d.path().join(format!("town.{ext}"))).unwrap().len();
        assert!(len < 1 << 20, "town.{ext} is {len} bytes: the trailing 3 MB were embedded");
    }
    // Over the image cap: refused by check, with the cap.
    padded.extend(std::iter::repeat_n(0u8, 20 << 20));
    write(&d.path().join("seal.png"), &padded);
    let r = check_short(d.path(), "town.yaml");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("too large") && r.stdout.contains("20971520"), "{}", r.stdout);
}

#[test]
fn p07_fifos_and_dev_zero_on_the_command_line_give_clear_errors() {
    let d = tmp();
    let p = d.path();
    write(&p.join("town.yaml"), TOWNSHIP);
    write(&p.join("key.p12"), p12());
    write(&p.join("seal.png"), png(32, 32));
    assert_eq!(nb(p, &["render", "town.yaml", "--format", "pdf"]).code, 0);
    mkfifo(&p.join("fifo"));
    for special in ["fifo", "/dev/zero"] {
        let cases: Vec<Vec<&str>> = vec![
            vec!["check", special],
            vec!["render", special, "-o", "o1"],
            vec!["batch", special, "-o", "o2"],
            vec![
                "render",
                "town.yaml",
                "-o",
                "o3",
                "--sign",
                "key.p12",
                "--password-file",
                special,
            ],
            vec!["render", "town.yaml", "-o", "o4", "--sign", special],
            vec!["render", "town.yaml", "-o", "o5", "--seal", special],
            vec!["sign", special, "-o", "s.pdf", "--sign", "key.p12"],
            vec!["sign", "town.pdf", "-o", "s.pdf", "--sign", special],
            vec!["sign", "town.pdf", "-o", "s.pdf", "--sign", "key.p12", "--seal", special],
        ];
        let font = format!("body={special}");
        let mut cases = cases;
        cases.push(vec!["render", "town.yaml", "-o", "o6", "--font", &font]);
        for args in cases {
            // The password comes from the file when one is named.
            let r = if args.contains(&"--password-file") { nb(p, &args) } else { nb_pw(p, &args) };
            assert!(r.code == 2 || (r.code == 1 && args[0] == "batch"), "{args:?}: {}", r.all());
            assert!(
                r.all().contains("not a regular file"),
                "{args:?} should say what {special} is: {}",
                r.all()
            );
            assert!(!p.join("s.pdf").exists());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Fonts that cannot be used are errors naming the role and the file.

#[test]
fn p08_truncated_and_tiny_fonts_are_errors_naming_role_and_file() {
    let d = tmp();
    let fang =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/FandolFang-Regular.otf"))
            .unwrap();
    write(&d.path().join("half.otf"), &fang[..fang.len() / 2]);
    write(&d.path().join("tiny.otf"), &fang[..1024]);
    write(&d.path().join("town.yaml"), TOWNSHIP);
    for font in ["half.otf", "tiny.otf"] {
        let spec = format!("body={font}");
        let r = nb(d.path(), &["render", "town.yaml", "-o", "out", "--font", &spec]);
        assert_eq!(r.code, 2, "{font}: {}", r.all());
        assert!(r.stderr.contains("body") && r.stderr.contains(font), "{font}: {}", r.stderr);
        assert!(!d.path().join("out/town.pdf").exists());
        // The library: FontOverride → Engine::new.
        let bytes = std::fs::read(d.path().join(font)).unwrap();
        let over = nianbao::fonts::FontOverride {
            role: nianbao::template::Role::Body,
            name: font.into(),
            data: krilla::Data::from(bytes),
            index: 0,
        };
        let e = Engine::new(EngineOptions { fonts: vec![over], ..Default::default() }).unwrap_err();
        assert!(e.contains("body") && e.contains(font), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Broken images are found by check, at the key's line; render never says "program bug".

#[test]
fn p09_bad_crc_non_zlib_idat_and_huge_jpeg_fail_check_at_the_key() {
    let d = tmp();
    let cases: [(&str, Vec<u8>); 3] = [
        ("bad-crc.png", bad_crc_png()),
        ("non-zlib.png", non_zlib_png()),
        ("huge-sof.jpg", huge_sof_jpeg()),
    ];
    for (name, bytes) in cases {
        write(&d.path().join(name), &bytes);
        let (text, line) = township_with_seal(name);
        let yaml = format!("{name}.yaml");
        write(&d.path().join(&yaml), &text);
        let r = check_short(d.path(), &yaml);
        assert_eq!(r.code, 1, "{name}: check passed: {}", r.all());
        assert!(r.stdout.contains(&format!(":{line}:")), "{name}: line {line}: {}", r.stdout);
        assert!(r.stdout.contains("E-F1"), "{name}: {}", r.stdout);
        let r = nb(d.path(), &["render", &yaml, "--format", "pdf,docx"]);
        assert_eq!(r.code, 1, "{name}: {}", r.all());
        assert!(!r.all().contains("E-X1") && !r.all().contains("程序缺陷"), "{}", r.all());
        assert!(ImageData::from_bytes(bytes).is_err(), "{name}");
    }
}

/// Found by `cargo fuzz run image_bytes` (docs/fuzzing.md): a 768-byte JPEG on which
/// zune-jpeg's AVX2 upsampler panics. It must be a clear error at check, not a panic.
/// Images cargo fuzz found that make a decoder panic: zune-jpeg 0.5.15's AVX2 upsampler,
/// and png 0.18.1 indexing past a palette shorter than the bit depth needs (found with the
/// CRC checks the fuzz build skips; this file has valid CRCs). Each is a broken image at
/// its key, and the caught panic prints nothing.
#[test]
fn p09_fuzz_found_images_that_panic_the_decoders_are_errors() {
    let cases: [(&str, &[u8]); 2] = [
        ("seal.jpg", include_bytes!("suite/fuzz/zune-jpeg-upsampler-panic.jpg")),
        ("seal.png", include_bytes!("suite/fuzz/png-palette-panic.png")),
    ];
    for (name, bytes) in cases {
        let e = ImageData::from_bytes(bytes.to_vec()).unwrap_err();
        assert!(e.contains("broken image data"), "{name}: {e}");
        let d = tmp();
        write(&d.path().join(name), bytes);
        let (text, line) = township_with_seal(name);
        write(&d.path().join("town.yaml"), &text);
        let r = check_short(d.path(), "town.yaml");
        assert_eq!(r.code, 1, "{name}: {}", r.all());
        assert!(r.stdout.contains(&format!(":{line}:")), "{name}: {}", r.stdout);
        assert!(!r.all().contains("panicked"), "{name}: the caught panic printed: {}", r.all());
    }
}

// ---------------------------------------------------------------------------------------------
// 10. check says what a device, FIFO, folder or link loop is.

#[test]
fn p10_special_files_are_named_for_what_they_are() {
    let d = tmp();
    let p = d.path();
    mkfifo(&p.join("fifo.yaml"));
    std::fs::create_dir(p.join("dir.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-b.yaml", p.join("loop-a.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-a.yaml", p.join("loop-b.yaml")).unwrap();
    for (file, says) in [
        ("fifo.yaml", "FIFO"),
        ("/dev/zero", "device"),
        ("dir.yaml", "folder"),
        ("loop-a.yaml", "loop"),
    ] {
        let r = check_short(p, file);
        assert_eq!(r.code, 2, "{file}: {}", r.all());
        assert!(r.all().contains(says), "{file} should be called a {says}: {}", r.all());
        assert!(!r.all().contains("not found"), "{file}: {}", r.all());
    }
    // The same things named as a seal.
    mkfifo(&p.join("fifo.png"));
    std::fs::create_dir(p.join("dir.png")).unwrap();
    std::os::unix::fs::symlink("loop2.png", p.join("loop1.png")).unwrap();
    std::os::unix::fs::symlink("loop1.png", p.join("loop2.png")).unwrap();
    for (seal, says) in [
        ("fifo.png", "FIFO"),
        ("/dev/zero", "device"),
        ("dir.png", "folder"),
        ("loop1.png", "loop"),
    ] {
        let (text, line) = township_with_seal(seal);
        write(&p.join("town.yaml"), &text);
        let r = check_short(p, "town.yaml");
        assert_eq!(r.code, 1, "{seal}: {}", r.all());
        assert!(r.stdout.contains(says), "seal {seal} should be called a {says}: {}", r.stdout);
        assert!(r.stdout.contains(&format!(":{line}:")), "{}", r.stdout);
        assert!(!r.stdout.contains("not found"), "{}", r.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// 11. SIGTERM is handled like Ctrl-C; stale temp files are removed at start.

#[test]
fn p11_sigterm_exits_130_with_a_summary() {
    let d = tmp();
    many_units(&d.path().join("units"), 40);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["batch", "units", "-o", "out", "--format", "pdf", "-j", "1"])
        .current_dir(d.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !d.path().join("out/u001.pdf").exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "SIGTERM: {status:?}");
    let rows = summary(&d.path().join("out"));
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().any(|r| r["status"] == "interrupted"), "{rows:#?}");
    assert!(d.path().join("out").join(nianbao::batch::CACHE_FILE).exists());
    // A re-run with --changed keeps what was done and finishes the rest.
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf", "--changed"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let rows = summary(&d.path().join("out"));
    assert!(rows.iter().any(|r| r["status"] == "unchanged"));
    assert!(rows.iter().all(|r| r["status"] != "interrupted"));
}

#[test]
fn p11_stale_temp_files_are_removed_at_start() {
    let d = tmp();
    many_units(&d.path().join("units"), 1);
    for t in ["out/.nianbao-Ab12Cd.tmp", "out/sub/.nianbao-x.tmp"] {
        write(&d.path().join(t), b"left by kill -9");
    }
    write(&d.path().join("out/keep.tmp"), b"not ours");
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!d.path().join("out/.nianbao-Ab12Cd.tmp").exists());
    assert!(!d.path().join("out/sub/.nianbao-x.tmp").exists());
    assert!(d.path().join("out/keep.tmp").exists(), "only nianbao's own temp files go");
}

// ---------------------------------------------------------------------------------------------
// 12. An unreadable subfolder is a failed row; links are followed, loops skipped with a reason.

#[test]
fn p12_a_subfolder_root_cannot_read_is_a_failed_row() {
    let d = tmp();
    let units = d.path().join("units");
    many_units(&units, 2);
    std::fs::create_dir_all(units.join("deep")).unwrap();
    too_long_folder(&units.join("deep"));
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let rows = summary(&d.path().join("out"));
    assert_eq!(row(&rows, "u000.yaml")["status"], "rendered");
    assert_eq!(row(&rows, "u001.yaml")["status"], "rendered");
    let failed: Vec<_> = rows.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "the unreadable folder is one failed row: {rows:#?}");
    assert!(failed[0]["file"].as_str().unwrap().contains("deep/ddd"), "{failed:#?}");
}

#[test]
fn p12_a_chmod_000_subfolder_is_a_failed_row() {
    let d = tmp();
    let units = d.path().join("units");
    many_units(&units, 2);
    write(&units.join("locked/hidden-unit.yaml"), TOWNSHIP);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(units.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = env!("CARGO_BIN_EXE_nianbao");
    let out = d.path().join("out");
    let mut cmd;
    if is_root() {
        // chmod 000 does not stop root: run the binary as `nobody` (setpriv, util-linux).
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("skipped: running as root and setpriv is missing, so chmod 000 cannot bite");
            return;
        }
        for p in [d.path(), &units] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        std::fs::create_dir(&out).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
        cmd = Command::new("/usr/bin/setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        // nobody must reach the binary; when it cannot (a private target folder), skip.
        let probe = Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin, "--version"])
            .output()
            .unwrap();
        if !probe.status.success() {
            eprintln!(
                "skipped: `nobody` cannot run {bin}: {}",
                String::from_utf8_lossy(&probe.stderr)
            );
            return;
        }
    } else {
        cmd = Command::new(bin);
    }
    cmd.current_dir(d.path()).args(["batch", "units", "-o", "out", "--format", "pdf"]);
    let r = run_limited(cmd, 120);
    std::fs::set_permissions(units.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 1, "{}", r.all());
    let rows = summary(&out);
    assert_eq!(row(&rows, "u000.yaml")["status"], "rendered");
    let locked = row(&rows, "locked");
    assert_eq!(locked["status"], "failed");
    assert!(locked["diagnostics"][0].as_str().unwrap().contains("ermission"), "{locked:#?}");
}

#[test]
fn p12_symlinked_units_and_folders_are_followed_and_loops_skipped() {
    let d = tmp();
    let units = d.path().join("units");
    let elsewhere = d.path().join("elsewhere");
    write(&elsewhere.join("linked-file.yaml"), township_unit("链接文件单位"));
    write(&elsewhere.join("folder/in-linked-folder.yaml"), township_unit("链接文件夹单位"));
    std::fs::create_dir_all(&units).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("linked-file.yaml"), units.join("file.yaml"))
        .unwrap();
    std::os::unix::fs::symlink(elsewhere.join("folder"), units.join("folder")).unwrap();
    std::os::unix::fs::symlink(&units, units.join("back-to-top")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", units.join("dangling.yaml")).unwrap();
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    let rows = summary(&d.path().join("out"));
    assert_eq!(row(&rows, "file.yaml")["status"], "rendered", "{rows:#?}");
    assert_eq!(row(&rows, "in-linked-folder.yaml")["status"], "rendered");
    assert!(d.path().join("out/file.pdf").exists());
    assert!(d.path().join("out/folder/in-linked-folder.pdf").exists());
    let lp = row(&rows, "back-to-top");
    assert_eq!(lp["status"], "skipped");
    assert!(lp["diagnostics"][0].as_str().unwrap().contains("loop"), "{lp:#?}");
    assert_eq!(row(&rows, "dangling.yaml")["status"], "skipped");
    assert_eq!(r.code, 0, "skipped rows are not failures: {}", r.all());
}

// ---------------------------------------------------------------------------------------------
// 13. init refuses a derived name that leaves the folder.

#[test]
fn p13_init_refuses_a_unit_name_with_a_path_separator() {
    let d = tmp();
    let cwd = d.path().join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    for unit in ["../../escaped", "x/y", ".hidden"] {
        let r = nb(&cwd, &["init", "--unit", unit, "--year", "2025"]);
        assert_eq!(r.code, 2, "{unit}: {}", r.all());
    }
    assert!(walk(d.path()).is_empty(), "nothing written: {:?}", walk(d.path()));
    // -o still names any file.
    let r = nb(&cwd, &["init", "--unit", "../../escaped", "--year", "2025", "-o", "ok.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

// ---------------------------------------------------------------------------------------------
// 14. CSV injection in summary.csv and numbers.csv.

#[test]
fn p14_formula_unit_names_are_neutralised_in_csv() {
    let d = tmp();
    let units = d.path().join("units");
    let evil = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)"];
    for (i, u) in evil.iter().enumerate() {
        let yaml = TOWNSHIP.replace("unit: 青山县石桥镇人民政府", &format!("unit: '{u}'"));
        write(&units.join(format!("e{i}.yaml")), yaml);
    }
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf", "--summary-report"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for csv in ["summary.csv", "numbers.csv"] {
        let text = std::fs::read_to_string(d.path().join("out").join(csv)).unwrap();
        for u in evil {
            // Every field: split on commas outside quotes is overkill; look at field starts.
            for field in fields(&text) {
                assert!(
                    !field.starts_with(['=', '+', '-', '@']),
                    "{csv}: a field starts with a formula character: {field}"
                );
            }
            let quoted = u.replace('"', "\"\"");
            assert!(text.contains(&format!("'{quoted}")), "{csv} lost the name {u}: {text}");
        }
    }
    // numbers.xlsx keeps each name as it is, as a text cell (t="s"/inlineStr), never a formula.
    let book = std::fs::read(d.path().join("out/numbers.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>HYPERLINK") && !sheet.contains("<f>1+1"), "{sheet}");
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings)
        .unwrap();
    for u in evil {
        let escaped = u.replace('&', "&amp;").replace('"', "&quot;");
        assert!(strings.contains(u) || strings.contains(&escaped), "{u}: {strings}");
    }
}

/// The fields of a CSV text (RFC 4180 quotes).
fn fields(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut quoted, mut chars) = (String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',' | '\n', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

// ---------------------------------------------------------------------------------------------
// 15. The smaller messages.

#[test]
fn p15_image_message_and_width_limit() {
    let d = tmp();
    write(&d.path().join("chart.png"), png(40, 20));
    let text = TOWNSHIP.replacen(
        "other:\n",
        "other:\n  - {image: chart.png, caption: 图1, width_mm: 1e9}\n  - {image: missing.png, caption: 图2}\n",
        1,
    );
    assert_ne!(text, TOWNSHIP);
    write(&d.path().join("town.yaml"), &text);
    let r = check_short(d.path(), "town.yaml");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!r.stdout.contains("图片图片"), "{}", r.stdout);
    let width = r.stdout.lines().find(|l| l.contains("width_mm")).expect(&r.stdout);
    assert!(width.contains("too large") && width.contains("limit"), "{width}");
    assert!(!width.contains("not positive") && !width.contains("positive"), "{width}");
}

#[test]
fn p15_password_file_bom_and_corrupt_p12() {
    let d = tmp();
    let p = d.path();
    write(&p.join("town.yaml"), TOWNSHIP);
    write(&p.join("key.p12"), p12());
    write(&p.join("pw-bom.txt"), format!("\u{feff}{PASSWORD}\r\n"));
    let r = nb(
        p,
        &[
            "render",
            "town.yaml",
            "-o",
            "a",
            "--format",
            "pdf",
            "--sign",
            "key.p12",
            "--password-file",
            "pw-bom.txt",
        ],
    );
    assert_eq!(r.code, 0, "a BOM is not part of the password: {}", r.all());
    // A corrupt key file is not a wrong password.
    let key = p12();
    write(&p.join("cut.p12"), &key[..key.len() / 2]);
    let mut flipped = key.to_vec();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    write(&p.join("flipped.p12"), &flipped);
    write(&p.join("text.p12"), b"this is not a key");
    for bad in ["cut.p12", "text.p12"] {
        let r = nb_pw(p, &["render", "town.yaml", "-o", "b", "--format", "pdf", "--sign", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.all());
        assert!(!r.stderr.to_lowercase().contains("wrong password"), "{bad}: {}", r.stderr);
        assert!(
            r.stderr.to_lowercase().contains("corrupt") || r.stderr.contains("损坏"),
            "{bad}: {}",
            r.stderr
        );
    }
    // The wrong password is called so.
    write(&p.join("pw-wrong.txt"), "not the password\n");
    let r = nb(
        p,
        &[
            "render",
            "town.yaml",
            "-o",
            "c",
            "--format",
            "pdf",
            "--sign",
            "key.p12",
            "--password-file",
            "pw-wrong.txt",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.to_lowercase().contains("password"), "{}", r.stderr);
    // batch --sign with a wrong password leaves no OUTDIR.
    let r = nb(
        p,
        &[
            "batch",
            "town.yaml",
            "-o",
            "never",
            "--sign",
            "key.p12",
            "--password-file",
            "pw-wrong.txt",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(!p.join("never").exists(), "an empty OUTDIR was left behind");
}

#[test]
fn p15_non_utf8_input_names_keep_their_bytes() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let d = tmp();
    let units = d.path().join("units");
    std::fs::create_dir_all(&units).unwrap();
    // "单位" in GBK: not UTF-8.
    let name = std::ffi::OsString::from_vec(b"\xb5\xa5\xce\xbb.yaml".to_vec());
    std::fs::write(units.join(&name), TOWNSHIP).unwrap();
    let r = nb(d.path(), &["batch", "units", "-o", "out", "--format", "pdf"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let names: Vec<Vec<u8>> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    assert!(names.contains(&b"\xb5\xa5\xce\xbb.pdf".to_vec()), "{names:?}");
    assert!(!names.iter().any(|n| find(n, "\u{fffd}".as_bytes()).is_some()), "U+FFFD in a name");
    // render beside the input too.
    let input = Path::new("units").join(&name);
    let args: Vec<&OsStr> =
        vec![OsStr::new("render"), input.as_os_str(), OsStr::new("--format"), OsStr::new("pdf")];
    let r = nianbao_in(d.path(), &args, &[], 120);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(units.join(std::ffi::OsString::from_vec(b"\xb5\xa5\xce\xbb.pdf".to_vec())).exists());
}

// ---------------------------------------------------------------------------------------------
// 16. --confine keeps resources inside the report's folder.

#[test]
fn p16_confine_refuses_absolute_paths_dotdot_and_links_out() {
    let d = tmp();
    let p = d.path();
    write(&p.join("secret/seal.png"), png(32, 32));
    write(&p.join("unit/own.png"), png(32, 32));
    std::os::unix::fs::symlink(p.join("secret/seal.png"), p.join("unit/link.png")).unwrap();
    let abs = p.join("secret/seal.png").display().to_string();
    for (i, seal) in [abs.as_str(), "../secret/seal.png", "link.png"].into_iter().enumerate() {
        let yaml = format!("unit/t{i}.yaml");
        write(&p.join(&yaml), township_with_seal(seal).0);
        // A clerk's own files: allowed.
        let r = nb(p, &["render", &yaml, "-o", "free", "--format", "pdf"]);
        assert_eq!(r.code, 0, "{seal}: {}", r.all());
        for cmd in ["render", "batch"] {
            let out = format!("conf-{cmd}");
            let r = nb(p, &[cmd, &yaml, "-o", &out, "--format", "pdf", "--confine"]);
            assert_eq!(r.code, 1, "{cmd} --confine with seal {seal}: {}", r.all());
            assert!(r.all().contains("leaves the report's folder"), "{}", r.all());
            assert!(!p.join(&out).join(format!("t{i}.pdf")).exists());
        }
    }
    // Its own folder is fine when confined.
    write(&p.join("unit/own.yaml"), township_with_seal("own.png").0);
    let r = nb(p, &["render", "unit/own.yaml", "-o", "c", "--format", "pdf", "--confine"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // The library option.
    let fs = FsResources::confined(p.join("unit"));
    assert!(matches!(fs.read("../secret/seal.png", 1 << 20), Err(ResourceError::Outside)));
    assert!(matches!(fs.read(&abs, 1 << 20), Err(ResourceError::Outside)));
    assert!(matches!(fs.read("link.png", 1 << 20), Err(ResourceError::Outside)));
    assert!(fs.read("own.png", 1 << 20).is_ok());
    let loaded = engine().check(
        Source::new(
            p.join("unit/t1.yaml"),
            township_with_seal("../secret/seal.png").0.into_bytes(),
        ),
        &fs,
        &Default::default(),
    );
    assert!(!loaded.is_ok());
}

// ---------------------------------------------------------------------------------------------
// Issue #29: aliases limited by the bytes they copy, every inflate in `import` capped.

#[test]
fn i29_alias_bomb_is_refused_by_check_render_and_batch() {
    let d = tmp();
    write(&d.path().join("bomb.yaml"), alias_bomb_yaml());
    let r = check_short(d.path(), "bomb.yaml");
    assert_eq!(r.code, 1, "{}", r.all());
    let diag = r.stdout.lines().find(|l| l.contains("E-Y3")).expect(&r.stdout);
    let zh = diag.find("别名").expect(diag);
    assert!(diag.find("aliases").is_some_and(|en| zh < en), "Chinese first: {diag}");
    let r = nb(d.path(), &["render", "bomb.yaml", "--format", "pdf"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("E-Y3"), "{}", r.all());
    // A batch with one such unit renders the others and writes its summary.
    let units = d.path().join("units");
    many_units(&units, 2);
    write(&units.join("bomb.yaml"), alias_bomb_yaml());
    let rows = batch_beside_a_bomb(d.path());
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert_eq!(row(&rows, "bomb.yaml")["status"], "failed");
    assert_eq!(row(&rows, "u000.yaml")["status"], "rendered");
}

#[test]
fn i29_import_of_a_deflate_bomb_pdf_is_refused_within_bounded_memory() {
    let d = tmp();
    // 391 KB of deflate would make ~400 MB; this 1 MB file inflates to 1 GiB.
    let pdf = deflate_bomb_pdf(1 << 30);
    assert!(pdf.len() < 2 << 20, "{} bytes", pdf.len());
    write(&d.path().join("bomb.pdf"), &pdf);
    let args = ["import", "bomb.pdf", "-o", "out.yaml"];
    let (code, all) = match peak_rss_mb(d.path(), &args, &[]) {
        Some((code, mb, all)) => {
            assert!(mb < 300.0, "import of a deflate bomb took {mb:.0} MB: {all}");
            (code, all)
        }
        None => {
            let r = nb(d.path(), &args);
            (r.code, r.all())
        }
    };
    assert_eq!(code, 1, "{all}");
    let refused = all.lines().find(|l| l.contains("E-I2")).unwrap_or_else(|| panic!("{all}"));
    assert!(refused.contains("解压后超过 64 MiB"), "{refused}");
    // The audit reads published PDFs through the same reader, within the same bound.
    if let Some((_, mb, all)) = peak_rss_mb(d.path(), &["audit", "bomb.pdf", "-o", "a.csv"], &[]) {
        assert!(mb < 300.0, "audit of a deflate bomb took {mb:.0} MB: {all}");
    }
    // A DOCX whose document part inflates past the cap is refused, not read cut short.
    write(&d.path().join("bomb.docx"), deflate_bomb_docx(80 << 20));
    let r = nb(d.path(), &["import", "bomb.docx", "-o", "docx.yaml"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let refused = r.all().lines().find(|l| l.contains("E-I2")).map(str::to_string);
    assert!(refused.is_some_and(|l| l.contains("解压后超过 64 MiB")), "{}", r.all());
}
