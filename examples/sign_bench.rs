//! Benchmark: loads an RSA-2048 .p12 once and signs a ~100 KB krilla PDF 200 times.
//!
//! Needs the `openssl` CLI (to make a throw-away test CA and key). Run with
//! `cargo run --example sign_bench` (add `--release` for production numbers).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::PathBuilder;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use nianbao::sign::{SealAppearance, SignOptions, Signer, sign_pdf};

const PASSWORD: &str = "bench-pass";
const ROUNDS: u32 = 200;

type BoxErr = Box<dyn std::error::Error>;

fn openssl(dir: &Path, args: &[&str]) -> Result<(), BoxErr> {
    let out = Command::new("openssl").current_dir(dir).args(args).output()?;
    if !out.status.success() {
        return Err(
            format!("openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into()
        );
    }
    Ok(())
}

/// Self-signed RSA-2048 signer certificate in a password-protected .p12.
fn make_p12(dir: &Path) -> Result<Vec<u8>, BoxErr> {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "bench.key",
            "-out",
            "bench.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Nianbao Bench (test)",
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
        ],
    )?;
    let passout = format!("pass:{PASSWORD}");
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "bench.key",
            "-in",
            "bench.pem",
            "-passout",
            &passout,
            "-out",
            "bench.p12",
        ],
    )?;
    Ok(std::fs::read(dir.join("bench.p12"))?)
}

/// A PDF of about 100 KB: pages of pseudo-random line segments.
fn make_pdf(target_len: usize) -> Result<Vec<u8>, BoxErr> {
    let mut pages = 1;
    loop {
        let mut doc = Document::new();
        let mut seed: u32 = 7;
        for _ in 0..pages {
            let mut page =
                doc.start_page_with(PageSettings::from_wh(595.0, 842.0).ok_or("page size")?);
            let mut surface = page.surface();
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(0, 0, 0).into(),
                width: 0.5,
                ..Default::default()
            }));
            let mut pb = PathBuilder::new();
            for _ in 0..1000 {
                let mut next = || {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (seed >> 8) as f32 / (1u32 << 24) as f32
                };
                pb.move_to(next() * 595.0, next() * 842.0);
                pb.line_to(next() * 595.0, next() * 842.0);
            }
            surface.draw_path(&pb.finish().ok_or("empty path")?);
            surface.finish();
            page.finish();
        }
        let pdf = doc.finish().map_err(|e| format!("krilla: {e:?}"))?;
        if pdf.len() >= target_len {
            return Ok(pdf);
        }
        pages += 1;
    }
}

fn seal_png() -> Result<Vec<u8>, BoxErr> {
    let size = 300u32;
    let mut rgba = Vec::new();
    for y in 0..size {
        for x in 0..size {
            let (dx, dy) = (x as f32 - 150.0, y as f32 - 150.0);
            let r = (dx * dx + dy * dy).sqrt();
            let on = (110.0..140.0).contains(&r) || r < 40.0;
            rgba.extend_from_slice(if on { &[220, 0, 0, 255] } else { &[0, 0, 0, 0] });
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, size, size);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()?.write_image_data(&rgba)?;
    Ok(out)
}

fn main() -> Result<(), BoxErr> {
    let dir = std::env::temp_dir().join(format!("nianbao-sign-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let p12 = make_p12(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let p12 = p12?;
    let pdf = make_pdf(100 * 1024)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;

    let t = Instant::now();
    let signer = Signer::from_p12(&p12, PASSWORD, now)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    let image = seal_png()?;
    for (label, appearance) in [
        ("invisible", None),
        (
            "with 300x300 PNG seal",
            Some(SealAppearance { page_index: 0, rect: [380.0, 150.0, 500.0, 270.0], image }),
        ),
    ] {
        let options =
            SignOptions { signing_time_unix: now, appearance, reason: None, location: None };
        let t = Instant::now();
        let mut out_len = 0;
        for _ in 0..ROUNDS {
            out_len = sign_pdf(&pdf, &signer, &options)?.len();
        }
        let per = t.elapsed().as_secs_f64() * 1e3 / f64::from(ROUNDS);
        println!(
            "{label}: input {} bytes, output {out_len} bytes, {per:.2} ms per signature ({ROUNDS} rounds)",
            pdf.len()
        );
    }
    println!("p12 load: {load_ms:.2} ms (once)");
    Ok(())
}
