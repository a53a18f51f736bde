//! nianbao against Typst on the same reports (issue #19): N generated units
//! (`NIANBAO_BENCH_UNITS`, default 60; `examples/gen_units.rs`) rendered to PDF by
//! nianbao (in process, one core: a one-thread pool, so krilla makes the fonts one
//! after another) and compiled by one warm Typst compiler (Python binding,
//! `typst==0.15.2`, each unit written as a GB/T 9704 Typst document by
//! `benches/typst/gen.py`). The two alternate unit by unit, so a slow minute of
//! this shared machine slows both; each side times itself in its own process
//! (the pipe to Python is outside the figure). Prints per-report medians, the
//! ratio and the mean PDF sizes. `cargo bench --bench typst`.
//!
//! Typst: `NIANBAO_TYPST_PYTHON` names a Python that has `typst` and `yaml`;
//! otherwise the bench makes a venv in `$CARGO_TARGET_DIR/typst-venv` (or
//! `target/typst-venv`) with pip. Where neither works it says so and times
//! nianbao alone.
//!
//! The first unit of each side is a warm-up (unit N + 1 of the generator, not
//! timed); nianbao's warm-up also fills its per-process glyph caches, as the
//! first unit of a batch does.

#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;

#[path = "support/mod.rs"]
mod support;
use support::{median, peak_rss_mb};

use nianbao::world::MemoryResources;
use nianbao::{CheckOptions, Engine, EngineOptions, OutputKind, Source};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

/// The generated units in the generator's order (the discovery order of a batch does not
/// matter here: both sides get the same list).
fn units(dir: &Path, n: usize) -> Vec<PathBuf> {
    gen_units::generate(dir, n);
    (0..n).map(|i| dir.join(format!("district-{:02}/unit-{i:04}.yaml", i % 10))).collect()
}

/// A Python with typst 0.15.2 and PyYAML, or why there is none.
fn typst_python() -> Result<PathBuf, String> {
    let has_typst = |py: &Path| {
        Command::new(py)
            .args(["-c", "import typst, yaml"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(py) = std::env::var_os("NIANBAO_TYPST_PYTHON") {
        let py = PathBuf::from(py);
        return if has_typst(&py) {
            Ok(py)
        } else {
            Err(format!("NIANBAO_TYPST_PYTHON={} cannot import typst and yaml", py.display()))
        };
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let venv = target.join("typst-venv");
    let py = venv.join("bin/python");
    if has_typst(&py) {
        return Ok(py);
    }
    println!("installing typst==0.15.2 into {} ...", venv.display());
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status();
    if !made.is_ok_and(|s| s.success()) {
        return Err("python3 -m venv failed (is python3 with venv installed?)".into());
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "typst==0.15.2", "pyyaml"])
        .status();
    if pip.is_ok_and(|s| s.success()) && has_typst(&py) {
        Ok(py)
    } else {
        Err("pip install typst==0.15.2 pyyaml failed (no network to PyPI?)".into())
    }
}

/// The Python process keeping one Typst compiler warm.
struct Typst {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Typst {
    fn start(py: &Path, warmup: &Path, units: &[PathBuf]) -> Result<Typst, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("benches/typst");
        let mut child = Command::new(py)
            .arg(dir.join("driver.py"))
            .arg(root.join("fonts"))
            .arg(dir.join("gen.py"))
            .arg(dir.join("tables.typ"))
            .arg(warmup)
            .args(units)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", py.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).map_err(|e| e.to_string())?;
        if line.trim() != "ready" {
            let _ = child.kill();
            return Err(format!("the Typst driver did not start (said {line:?})"));
        }
        Ok(Typst { child, stdin, stdout })
    }

    /// Compiles unit `i`: (ms, PDF bytes).
    fn compile(&mut self, i: usize) -> (f64, usize) {
        writeln!(self.stdin, "{i}").expect("write to the Typst driver");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read from the Typst driver");
        let mut parts = line.split_whitespace();
        let ms = parts.next().and_then(|v| v.parse().ok()).expect("compile time");
        let bytes = parts.next().and_then(|v| v.parse().ok()).expect("PDF size");
        (ms, bytes)
    }
}

impl Drop for Typst {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn main() {
    let n: usize =
        std::env::var("NIANBAO_BENCH_UNITS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let tmp = tempfile::tempdir().expect("temp dir");
    let all = units(&tmp.path().join("units"), n + 1);
    let warmup = all[n].clone();
    // Ours tagged, as Typst's PDFs are and as nianbao writes by default;
    // `NIANBAO_BENCH_TAGGED=0` measures ours untagged.
    let tagged = std::env::var_os("NIANBAO_BENCH_TAGGED").is_none_or(|v| v != "0");
    let engine = Engine::new(EngineOptions { tagged, ..EngineOptions::default() }).expect("engine");
    let resources = MemoryResources::new();
    // Every 97th unit is broken on purpose; neither side gets those.
    let inputs: Vec<(PathBuf, Vec<u8>)> = all[..n]
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).expect("read unit")))
        .filter(|(p, b)| {
            engine.check(Source::new(p.clone(), b.clone()), &resources, &Default::default()).is_ok()
        })
        .collect();
    let paths: Vec<PathBuf> = inputs.iter().map(|(p, _)| p.clone()).collect();

    let render = |path: &Path, bytes: &[u8]| -> (f64, usize) {
        let start = Instant::now();
        let loaded = engine.check(
            Source::new(path, bytes.to_vec()),
            &resources,
            &CheckOptions::for_render(),
        );
        let rendered = engine.render(&loaded, &[OutputKind::Pdf]).expect("renders");
        let ms = start.elapsed().as_secs_f64() * 1e3;
        (ms, rendered.pdf().expect("a PDF").len())
    };
    let mut typst = match typst_python().and_then(|py| Typst::start(&py, &warmup, &paths)) {
        Ok(t) => Some(t),
        Err(why) => {
            println!("Typst half skipped: {why}");
            None
        }
    };

    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_bytes, mut their_bytes) = (0usize, 0usize);
    pool.install(|| {
        let warm = std::fs::read(&warmup).expect("read warm-up unit");
        render(&warmup, &warm);
        for (i, (path, bytes)) in inputs.iter().enumerate() {
            let (ms, size) = render(path, bytes);
            ours.push(ms);
            our_bytes += size;
            if let Some(t) = typst.as_mut() {
                let (ms, size) = t.compile(i);
                theirs.push(ms);
                their_bytes += size;
            }
        }
    });
    let units = inputs.len();
    let kib = |b: usize| b as f64 / units as f64 / 1024.0;
    let nb = median(&mut ours);
    println!(
        "nianbao: {units} units, PDF only, one core, in process: median {nb:.2} ms per report, mean PDF {:.1} KiB; peak RSS {:.0} MB",
        kib(our_bytes),
        peak_rss_mb()
    );
    if theirs.is_empty() {
        return;
    }
    let ty = median(&mut theirs);
    println!(
        "typst 0.15.2: one warm compiler, distinct documents: median {ty:.2} ms per report, mean PDF {:.1} KiB",
        kib(their_bytes)
    );
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "ratio typst / nianbao: {:.2}x (target >= 6x: {}); PDF size nianbao / typst: {:.3} (target < 1: {})",
        ty / nb,
        verdict(ty / nb >= 6.0),
        our_bytes as f64 / their_bytes as f64,
        verdict(our_bytes < their_bytes)
    );
}
