//! 雷同 across a batch: generates N units (default 1000, `NIANBAO_BENCH_UNITS`)
//! with `examples/gen_units.rs`, loads them, and times the batch similarity (one
//! shingle index, no pairs of units compared) and the whole audit of the batch.
//! Prints the times; `cargo bench --bench audit`. Not a timed test.
//!
//! The generated units draw their sentences from one pool of eight, so almost all
//! of every unit's prose repeats other units: the worst case for the index, and
//! every unit gets a W-S2 finding with its longest passages worked out.

#[allow(dead_code, reason = "the generator's own main is not used here")]
#[path = "../examples/gen_units.rs"]
mod gen_units;

#[path = "support/mod.rs"]
mod support;

use nianbao::audit::{AuditOptions, Unit, similarity};
use nianbao::batch::discover;
use nianbao::engine::audit_batch;
use std::time::Instant;

fn main() {
    let n: usize =
        std::env::var("NIANBAO_BENCH_UNITS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("units");
    gen_units::generate(&dir, n);
    let inputs = discover(&[dir], None).expect("discover").inputs;
    let t = Instant::now();
    let loaded: Vec<nianbao::Loaded> =
        inputs.iter().map(|i| nianbao::load_and_check(&i.path)).collect();
    println!("load + check {} units: {:.0} ms", loaded.len(), t.elapsed().as_secs_f64() * 1e3);
    let opts = AuditOptions::default();
    for size in [n / 4, n / 2, n] {
        let units: Vec<Unit> = loaded[..size].iter().filter_map(nianbao::Loaded::unit).collect();
        let t = Instant::now();
        let docs: Vec<similarity::Doc> = units.iter().map(similarity::Doc::new).collect();
        let normalise = t.elapsed();
        let t = Instant::now();
        let shares = similarity::peer_shares(&docs);
        let index = t.elapsed();
        let t = Instant::now();
        let found = similarity::across_units(&units, &opts);
        let all = t.elapsed();
        let chars: usize = docs.iter().map(similarity::Doc::len).sum();
        let flagged = found.iter().filter(|f| !f.is_empty()).count();
        let mean = shares.iter().map(|s| u64::from(s.percent)).sum::<u64>() / size.max(1) as u64;
        println!(
            "雷同 {size:>5} units ({chars} chars): normalise {:.0} ms, index + shares {:.0} ms, \
             across_units (with passages) {:.0} ms; {flagged} flagged, mean share {mean}%",
            normalise.as_secs_f64() * 1e3,
            index.as_secs_f64() * 1e3,
            all.as_secs_f64() * 1e3,
        );
    }
    let mut batch: Vec<nianbao::Loaded> =
        inputs.iter().map(|i| nianbao::load_and_check(&i.path)).collect();
    let t = Instant::now();
    let previous = vec![None; batch.len()];
    audit_batch(&mut batch, &previous, &opts);
    let findings: usize = batch.iter().map(|l| l.diags.len()).sum();
    println!(
        "audit_batch {} units (every family but year ↔ year): {:.0} ms, {findings} diagnostics; peak RSS {:.0} MB",
        batch.len(),
        t.elapsed().as_secs_f64() * 1e3,
        support::peak_rss_mb()
    );
}
