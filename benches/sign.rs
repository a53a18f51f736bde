//! Signing speed: loads an RSA-2048 and an ECDSA P-256 .p12 once and signs a
//! ~100 KB krilla PDF N times (default 200, `NIANBAO_BENCH_ROUNDS`) in each case:
//! RSA invisibly, RSA with a seal image, ECDSA with the seal.
//! `cargo bench --bench sign`. Needs the `openssl` CLI (the tests' throw-away keys).
//!
//! Then the whole pipeline on the shengsi example with a seal: rendering it
//! unsigned (seal on the page) against rendering and signing it (seal as the
//! signature's appearance), alternating, so the difference is what signing adds
//! to a report.
//!
//! Target (issue): signing adds ≤ 5 ms per report.

use std::path::Path;
use std::time::Instant;

use nianbao::sign::{SealAppearance, SignInfo, SignOptions, Signer, Signing, sign_pdf};
use nianbao::{Engine, EngineOptions, OutputKind};

#[path = "support/mod.rs"]
mod support;

/// The signing tests' keys (made with openssl under a throw-away test CA),
/// PDFs and seal images.
#[path = "../tests/sign_support/mod.rs"]
mod sign_support;
use sign_support::{PASSWORD, fixture, make_pdf, seal_png};
use support::median;

type BoxErr = Box<dyn std::error::Error>;

/// The example with a seal, rendered unsigned and rendered + signed, alternately.
fn pipeline(signing: Signing, seal: Vec<u8>, rounds: u32) -> Result<(), BoxErr> {
    let dir = tempfile::tempdir()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = std::fs::read_to_string(root.join("examples/shengsi-2024.yaml"))?;
    std::fs::write(dir.path().join("seal.png"), seal)?;
    let unit = dir.path().join("unit.yaml");
    std::fs::write(&unit, yaml + "\nsignature:\n  seal: seal.png\n")?;
    let loaded = nianbao::load_and_check(&unit);
    if !loaded.is_ok() {
        return Err(format!("{:?}", loaded.diags).into());
    }
    let options = EngineOptions::default();
    let unsigned = Engine::new(options.clone())?;
    let signer = Engine::new(options)?.with_signing(signing);
    let (mut plain, mut signed) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        unsigned.render(&loaded, &[OutputKind::Pdf]).map_err(|e| format!("{e:?}"))?;
        plain.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let r = signer.render(&loaded, &[OutputKind::Pdf]).map_err(|e| format!("{e:?}"))?;
        r.pdf().ok_or("no PDF")?;
        signed.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (plain, signed) = (median(&mut plain), median(&mut signed));
    println!(
        "shengsi example with a seal: rendered {plain:.2} ms, rendered and signed {signed:.2} ms (medians of {rounds}): signing adds {:.2} ms",
        signed - plain
    );
    Ok(())
}

fn main() -> Result<(), BoxErr> {
    // ~100 KB or more: pages of 1000 random line segments each.
    let pdf = (1..).map(|pages| make_pdf(pages, 1000)).find(|p| p.len() >= 100 * 1024).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;

    let keys = &fixture().p12;
    let t = Instant::now();
    let signer = Signer::from_p12(&keys["rsa"], PASSWORD, now)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let ecdsa = Signer::from_p12(&keys["ec"], PASSWORD, now)?;

    let rounds: u32 =
        std::env::var("NIANBAO_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seal =
        SealAppearance { page_index: 0, rect: [380.0, 150.0, 500.0, 270.0], image: seal_png(300) };
    let options = |appearance: Option<&SealAppearance>| SignOptions {
        signing_time_unix: now,
        appearance: appearance.cloned(),
        reason: None,
        location: None,
    };
    let cases = [
        ("RSA-2048, invisible", &signer, options(None)),
        ("RSA-2048, with a 300x300 PNG seal", &signer, options(Some(&seal))),
        ("ECDSA P-256, with the same seal", &ecdsa, options(Some(&seal))),
    ];
    // The cases alternate signature by signature, so a drift in this VM's speed
    // (up to 30 % over minutes) falls on all alike; the median ignores bursts.
    let mut times = vec![Vec::new(); cases.len()];
    let mut out_len = vec![0; cases.len()];
    for _ in 0..rounds {
        for (i, (_, key, o)) in cases.iter().enumerate() {
            let t = Instant::now();
            out_len[i] = sign_pdf(&pdf, key, o)?.len();
            times[i].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for (i, (label, ..)) in cases.iter().enumerate() {
        let v = &mut times[i];
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        println!(
            "{label}: input {} bytes, output {} bytes, median {:.2} ms per signature (p10 {:.2}, p90 {:.2}; {rounds} rounds)",
            pdf.len(),
            out_len[i],
            at(0.5),
            at(0.1),
            at(0.9)
        );
    }
    let signing = Signing { signer, time_unix: now, info: SignInfo::default() };
    pipeline(signing, seal_png(300), rounds.min(100))?;
    println!("p12 load: {load_ms:.2} ms (once); peak RSS {:.0} MB", support::peak_rss_mb());
    Ok(())
}
