//! Rendering speed: the shengsi example and a long (~30 page) report generated
//! from its prose, rendered N times with the fonts already loaded (layout and PDF
//! timed apart), then the whole `nianbao render` process spawned cold 10 times.
//! Prints ms per report, PDF size and peak RSS. `cargo bench --bench render`;
//! `NIANBAO_BENCH_ITERS` sets N (default 30).
//!
//! Targets (issue): shengsi ≤ 20 ms warm per PDF, ≤ 80 ms for the cold process.

use nianbao::layout::{LayoutOptions, layout_document};
use nianbao::pdf::PdfOptions;
use nianbao::{Engine, EngineOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[path = "support/mod.rs"]
mod support;
use support::{median, peak_rss_mb};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// The example with its 总体情况 grown to `copies` rounds of its five
/// subsections: the same prose, the same tables, many more pages.
fn long_report(dir: &Path, copies: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/shengsi-2024.yaml")).expect("example");
    let (head, rest) = text.split_once("overview:\n").expect("overview");
    let (overview, tail) = rest.split_once("\nproactive:").expect("proactive");
    let mut lines = overview.lines();
    let intro = lines.next().expect("intro paragraph");
    let subsections: Vec<&str> = lines.collect();
    let mut out = format!("{head}overview:\n{intro}\n");
    for _ in 0..copies {
        for line in &subsections {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("\nproactive:");
    out.push_str(tail);
    let path = dir.join("long-report.yaml");
    std::fs::write(&path, out).expect("write the long report");
    path
}

struct Timing {
    pages: usize,
    bytes: usize,
    resolve: f64,
    layout: f64,
    pdf: f64,
    total: f64,
}

fn bench(path: &Path, engine: &Engine, iters: usize) -> Timing {
    let fonts = engine.fonts();
    let loaded = nianbao::load_and_check(path);
    assert!(loaded.is_ok(), "{} has errors: {:?}", path.display(), loaded.diags);
    let (mut r, mut l, mut p, mut t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut pages, mut bytes) = (0, 0);
    for _ in 0..iters {
        let start = Instant::now();
        let (doc, _) = engine.resolve(&loaded).expect("resolves");
        r.push(ms(start));
        let t1 = Instant::now();
        let layout = layout_document(&doc, fonts, LayoutOptions::default());
        l.push(ms(t1));
        let t2 = Instant::now();
        let pdf = nianbao::pdf::export(&layout, fonts, &doc, PdfOptions::default()).expect("pdf");
        p.push(ms(t2));
        t.push(ms(start));
        pages = layout.pages.len();
        bytes = pdf.len();
    }
    Timing {
        pages,
        bytes,
        resolve: median(&mut r),
        layout: median(&mut l),
        pdf: median(&mut p),
        total: median(&mut t),
    }
}

/// What tagging (structure tree, artifacts, bookmarks) costs the PDF step: the same layout
/// exported tagged and untagged in alternation, `iters` times each, each first in every
/// other round; medians in ms and the two sizes.
fn tagging_cost(path: &Path, engine: &Engine, iters: usize) -> (f64, f64, usize, usize) {
    let fonts = engine.fonts();
    let loaded = nianbao::load_and_check(path);
    let (doc, _) = engine.resolve(&loaded).expect("resolves");
    let layout = layout_document(&doc, fonts, LayoutOptions::default());
    let (untagged, tagged_options) =
        (PdfOptions::default(), PdfOptions { tagged: true, ..PdfOptions::default() });
    let (mut tagged_ms, mut plain_ms) = (Vec::new(), Vec::new());
    let (mut tagged_len, mut plain_len) = (0, 0);
    // Which goes first alternates: the first export of a round meets colder memory.
    for i in 0..iters {
        for tagged in [i % 2 == 0, i % 2 == 1] {
            let options = if tagged { tagged_options } else { untagged };
            let t = Instant::now();
            let len = nianbao::pdf::export(&layout, fonts, &doc, options).expect("pdf").len();
            if tagged {
                tagged_ms.push(ms(t));
                tagged_len = len;
            } else {
                plain_ms.push(ms(t));
                plain_len = len;
            }
        }
    }
    (median(&mut tagged_ms), median(&mut plain_ms), tagged_len, plain_len)
}

fn report(name: &str, t: &Timing) {
    println!(
        "{name:<14} {:>3} pages {:>8.1} KiB | resolve {:>6.2} ms  layout {:>6.2} ms  pdf {:>7.2} ms  total {:>7.2} ms (median)",
        t.pages,
        t.bytes as f64 / 1024.0,
        t.resolve,
        t.layout,
        t.pdf,
        t.total
    );
}

fn main() {
    let iters: usize =
        std::env::var("NIANBAO_BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let tmp = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shengsi-2024.yaml");
    let long = long_report(tmp.path(), 14);

    let t = Instant::now();
    let options = EngineOptions::default();
    let engine = Engine::new(options).expect("fonts");
    println!("fonts loaded (parse 5 Fandol faces, build glyph maps) in {:.1} ms", ms(t));

    // One warm-up round each, then N timed.
    bench(&example, &engine, 1);
    bench(&long, &engine, 1);
    let s = bench(&example, &engine, iters);
    report("shengsi-2024", &s);
    let l = bench(&long, &engine, iters.div_ceil(3).max(3));
    report("long-report", &l);
    println!(
        "long report per page: {:.2} ms; peak RSS {:.1} MiB",
        l.total / l.pages as f64,
        peak_rss_mb()
    );

    // Alone (the tag tree built on the other core while the pages are drawn), then as in a
    // batch's worker (one thread: everything after the drawing, on it).
    let worker = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
    for (name, path) in [("shengsi-2024", &example), ("long-report", &long)] {
        for (how, in_worker) in [("", false), (" (worker)", true)] {
            let (tagged, plain, tagged_len, plain_len) = if in_worker {
                worker.install(|| tagging_cost(path, &engine, iters))
            } else {
                tagging_cost(path, &engine, iters)
            };
            println!(
                "{name:<14} tagging{how}: pdf {tagged:.2} ms tagged vs {plain:.2} ms untagged \
                 ({:+.1} %), {:.1} vs {:.1} KiB ({:+.1} %)",
                (tagged / plain - 1.0) * 100.0,
                tagged_len as f64 / 1024.0,
                plain_len as f64 / 1024.0,
                (tagged_len as f64 / plain_len as f64 - 1.0) * 100.0
            );
        }
    }

    // The whole process, cold: exec, font parsing, check, render, atomic write.
    let exe = env!("CARGO_BIN_EXE_nianbao");
    let mut runs = Vec::new();
    for i in 0..10 {
        let out = tmp.path().join(format!("cold-{i}"));
        let start = Instant::now();
        let st = Command::new(exe)
            .args(["render", "-o"])
            .arg(&out)
            .arg(&example)
            .output()
            .expect("spawn nianbao");
        runs.push(ms(start));
        assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    }
    let cold = median(&mut runs);
    println!("cold `nianbao render shengsi-2024.yaml`: median {cold:.1} ms of 10");
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "targets: warm ≤ 20 ms → {:.2} ms ({}); cold ≤ 80 ms → {cold:.1} ms ({})",
        s.total,
        verdict(s.total <= 20.0),
        verdict(cold <= 80.0)
    );
}
