//! 雷同 across a batch at the scale of a province: generates N units (default 1000,
//! `NIANBAO_BENCH_UNITS`) with `examples/gen_units.rs` — stock phrases shared by every
//! unit, planted whole and partial copies — and audits them the way `nianbao audit`
//! does, one unit at a time ([`audit_streamed`]: each unit kept as its findings and a
//! sketch, only the candidate pairs read again). Prints the time, the peak RSS, how
//! many candidate pairs the sketches gave and whether every planted copy was found.
//! Up to `NIANBAO_BENCH_EXACT` units (default 1000) it then compares the sketches
//! with the exact method (every pair of units compared on its text) and prints the
//! pairs above the threshold the sketches missed. `cargo bench --bench audit`. Not a
//! timed test.

#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;

#[path = "support/mod.rs"]
mod support;

use nianbao::audit::{AuditOptions, Unit, similarity};
use nianbao::batch::discover;
use nianbao::engine::{Reading, audit_streamed};
use nianbao::{CheckOptions, Engine, EngineOptions, Loaded, Source};
use std::path::Path;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The unit number in a generated file name (`unit-0042.yaml` → 42).
fn number(path: &Path) -> usize {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    stem.trim_start_matches("unit-").parse().expect("a generated unit's name")
}

fn check(engine: &Engine, path: &Path, options: &CheckOptions) -> Loaded {
    let source = Source::read(path).expect("read a generated unit");
    engine.check(source, &nianbao::world::FsResources::for_report(path, false), options)
}

fn main() {
    let n = env("NIANBAO_BENCH_UNITS", 1000);
    let exact_up_to = env("NIANBAO_BENCH_EXACT", 1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("units");
    let t = Instant::now();
    gen_units::generate(&dir, n);
    println!("generated {n} units: {:.1} s", t.elapsed().as_secs_f64());
    let inputs: Vec<std::path::PathBuf> =
        discover(&[dir], None).expect("discover").inputs.into_iter().map(|i| i.path).collect();
    let engine = Engine::new(EngineOptions::default()).expect("engine");
    let opts = AuditOptions::default();

    // The streamed audit, as `nianbao audit` runs it.
    let t = Instant::now();
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let load = |i: usize, reading: Reading| {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let options = match reading {
            Reading::Audit => CheckOptions { audit: None, ..Default::default() },
            Reading::Prose => CheckOptions::rules_only(),
        };
        (check(&engine, &inputs[i], &options), number(&inputs[i]))
    };
    let audited = audit_streamed(inputs.len(), load, |_| None, &opts);
    let secs = t.elapsed().as_secs_f64();
    let rss = support::peak_rss_mb();
    let flagged: Vec<usize> = audited
        .iter()
        .filter(|a| a.diags.iter().any(|d| d.code.as_str() == "W-S2"))
        .map(|a| a.extra)
        .collect();
    let extra_reads = reads.load(std::sync::atomic::Ordering::Relaxed) - n;
    println!(
        "audit (streamed) {n} units: {secs:.2} s, {:.0} units/s; peak RSS {rss:.0} MB; \
         {} flagged W-S2; {extra_reads} units read again for the exact comparison",
        n as f64 / secs,
        flagged.len()
    );
    let planted = gen_units::planted(n);
    let missed: Vec<&(usize, usize)> =
        planted.iter().filter(|(copy, _)| !flagged.contains(copy)).collect();
    println!(
        "planted copies: {} of {} found{}",
        planted.len() - missed.len(),
        planted.len(),
        if missed.is_empty() { String::new() } else { format!("; missed {missed:?}") }
    );

    if n > exact_up_to {
        return;
    }
    // The exact method: every pair of units compared on its text.
    let loaded: Vec<Loaded> =
        inputs.iter().map(|p| check(&engine, p, &CheckOptions::rules_only())).collect();
    // Every 97th generated unit is broken on purpose and not audited for 雷同.
    let units: Vec<Unit> = loaded.iter().filter_map(Loaded::unit).collect();
    let n = units.len();
    let t = Instant::now();
    let exact = similarity::exact_partners(&units, opts.threshold);
    let exact_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let sketched = similarity::across_units(&units, &opts);
    let sketch_secs = t.elapsed().as_secs_f64();
    let sketches: Vec<similarity::Sketch> =
        units.iter().map(|u| similarity::Sketch::new(&similarity::Doc::new(u))).collect();
    let pairs: usize = similarity::candidates(&sketches, opts.threshold).iter().map(Vec::len).sum();
    let above = exact.iter().flatten().count();
    let missed: Vec<(usize, usize, u32)> = exact
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|(j, p)| (i, j, p)))
        .filter(|&(i, _, _)| sketched[i].is_empty())
        .collect();
    let extra = sketched.iter().zip(&exact).filter(|(s, e)| !s.is_empty() && e.is_none()).count();
    println!(
        "exact method on {n} units: {exact_secs:.2} s ({} pairs compared), {above} units repeat \
         another at ≥ {}%; sketches: {sketch_secs:.2} s, {pairs} candidate pairs compared, \
         missed {} ({missed:?}), flagged beyond the exact method {extra}",
        n * (n - 1),
        opts.threshold,
        missed.len()
    );
}
