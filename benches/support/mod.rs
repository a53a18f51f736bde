//! What every bench shares: the binary's allocator and the peak-RSS reading.

/// The same allocator as the `nianbao` binary, so the numbers match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident memory of this process so far (VmHWM), in MB.
#[allow(dead_code, reason = "the serve benches report no memory")]
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The median of `v` (sorted in place).
#[allow(dead_code, reason = "the batch bench has no medians")]
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The report at `file` (relative to the project) loaded, checked and resolved with the
/// bundled format and style: what the backends are given.
#[allow(dead_code, reason = "only the DOCX and HTML benches start from a resolved report")]
pub fn resolved(file: &str) -> nianbao::resolve::Document {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let loaded = nianbao::load_and_check(&path);
    let report = loaded.report.as_ref().expect("the report loads");
    let format = nianbao::template::bundled_format(report.format).expect("bundled format");
    let (doc, _) = nianbao::resolve::resolve_document(
        report,
        loaded.checked.as_ref().expect("the report is checked"),
        format,
        nianbao::template::default_style(),
        &loaded.images,
    );
    doc
}

/// The median time of `runs` calls of `f` (after one warm-up), in ms.
#[allow(dead_code, reason = "only some benches time a closure this way")]
pub fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    median(&mut times)
}

/// p50 and p99 of `rounds` calls of `f` (given the round), in ms.
#[allow(dead_code, reason = "only the serve benches take percentiles")]
pub fn p50_p99(rounds: usize, mut f: impl FnMut(usize)) -> (f64, f64) {
    let mut t: Vec<f64> = (0..rounds)
        .map(|i| {
            let t0 = std::time::Instant::now();
            f(i);
            t0.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    let at = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}
