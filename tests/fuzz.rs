//! Property: the loader never panics, whatever the bytes, and every diagnostic it
//! gives points inside the file. Inputs are deterministic mutations of the example
//! (byte deletions and insertions, YAML-significant tokens, line swaps and
//! duplications, number edits), so a failure names a reproducible seed.

use crate::common;

use common::{example_text, summary};
use std::path::Path;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b":",
    b": ",
    b"-",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\"",
    b"'",
    b"|",
    b">",
    b"#",
    b"&a ",
    b"*a",
    b"!!str ",
    b"? ",
    b"---\n",
    b"...\n",
    b"\t",
    b"\n",
    b"  ",
    b"\r\n",
    b"-1",
    b"1.5",
    b"99999999999",
    b"~",
    b"null",
    b"true",
    b"0x1F",
    b"1e9",
    b"<<: ",
    b"%YAML 1.2\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xe4\xb8",
    b"\0",
    "中".as_bytes(),
    "，".as_bytes(),
    "【待填写】".as_bytes(),
    "2024年1月1日".as_bytes(),
    b"total: ",
    b"received: ",
    b"withheld:\n",
    b"image: x.png",
];

fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(7) {
            0 => {
                let at = rng.below(bytes.len());
                let len = 1 + rng.below(16);
                bytes.drain(at..(at + len).min(bytes.len()));
            }
            1 => {
                let at = rng.below(bytes.len() + 1);
                bytes.insert(at, rng.next() as u8);
            }
            2 | 3 => {
                let at = rng.below(bytes.len() + 1);
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            4 | 5 => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                if rng.below(2) == 0 {
                    lines.swap(i, j);
                } else {
                    let copy = lines[i].clone();
                    lines.insert(j, copy);
                }
                bytes = lines.join(&b'\n');
            }
            _ => {
                let digits: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if !digits.is_empty() {
                    let at = digits[rng.below(digits.len())];
                    bytes[at] = b'0' + rng.below(10) as u8;
                }
            }
        }
    }
    bytes
}

/// Every located diagnostic points at an existing line and at most one column past
/// its end.
fn spans_inside(loaded: &nianbao::Loaded) -> Result<(), String> {
    for d in &loaded.diags {
        if !d.span.is_located() {
            continue;
        }
        let Some(line) = loaded.file.line_text(d.span.line) else {
            return Err(format!(
                "{} points at line {} of {}",
                d.code.as_str(),
                d.span.line,
                loaded.file.line_count()
            ));
        };
        let width = line.chars().count() as u32;
        if d.span.col == 0 || d.span.col > width + 1 {
            return Err(format!(
                "{} points at {}:{} but the line has {width} characters",
                d.code.as_str(),
                d.span.line,
                d.span.col
            ));
        }
    }
    Ok(())
}

#[test]
fn loader_never_panics_on_mutations_of_the_example() {
    let base = example_text().into_bytes();
    let iterations: u64 =
        std::env::var("NIANBAO_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let mut failures = Vec::new();
    let (mut errors, mut clean) = (0, 0);
    for seed in 1..=iterations {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let input = mutate(&base, &mut rng);
        let result = std::panic::catch_unwind(|| {
            nianbao::check_bytes(Path::new("fuzz.yaml"), input.clone())
        });
        match result {
            Err(_) => {
                failures.push(format!("seed {seed}: panic on\n{}", String::from_utf8_lossy(&input)))
            }
            Ok(loaded) => {
                if let Err(why) = spans_inside(&loaded) {
                    failures
                        .push(format!("seed {seed}: {why}\n{}", String::from_utf8_lossy(&input)));
                }
                if loaded.is_ok() {
                    clean += 1;
                    assert!(loaded.report.is_some() && loaded.checked.is_some());
                } else {
                    errors += 1;
                    assert!(
                        loaded.diags.iter().any(|d| d.is_error()),
                        "seed {seed}: not ok but no error: [{}]",
                        summary(&loaded.diags)
                    );
                }
            }
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n----------\n\n"));
    // The mutations must actually exercise both paths.
    assert!(errors > iterations / 10 && clean > 0, "errors {errors}, clean {clean}");
}

// ---------------------------------------------------------------------------------------------
// Binary resources (#13): mutated image bytes through `ImageData::from_bytes` and through
// `Engine::check` (the report's seal served from memory), mutated font bytes through
// `FontOverride` → `Engine::new`. Never a panic, never unbounded memory, every error a
// message.

use nianbao::resolve::{ImageData, MAX_PIXELS, MAX_SIDE_PX};
use nianbao::world::MemoryResources;
use nianbao::{Engine, EngineOptions, Source};
use std::panic::AssertUnwindSafe;

/// Peak resident memory of this process so far (VmHWM), in MB; None off Linux.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb / 1024)
}

fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format).expect("encode");
    out
}

/// Valid seeds: PNGs of every colour type the crate writes, and JPEGs.
fn image_seeds() -> Vec<Vec<u8>> {
    let rgba =
        image::RgbaImage::from_fn(24, 16, |x, y| image::Rgba([x as u8 * 9, y as u8 * 13, 90, 200]));
    let rgb = image::RgbImage::from_fn(17, 9, |x, y| image::Rgb([x as u8 * 15, 0, y as u8 * 25]));
    let grey = image::GrayImage::from_fn(8, 30, |x, y| image::Luma([(x * y) as u8]));
    vec![
        encode(rgba.clone().into(), image::ImageFormat::Png),
        encode(rgb.clone().into(), image::ImageFormat::Png),
        encode(grey.clone().into(), image::ImageFormat::Png),
        encode(rgb.into(), image::ImageFormat::Jpeg),
        encode(grey.into(), image::ImageFormat::Jpeg),
    ]
}

/// Byte-level mutations for binary files: flips, overwrites with boundary values, inserted
/// and deleted runs, truncation, chunk-length and header-size edits.
fn mutate_binary(base: &[u8], rng: &mut Rng, hot: usize) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            bytes.push(0);
        }
        // Most edits land in the first `hot` bytes: headers, table directories, chunk heads.
        let span = if rng.below(4) == 0 { bytes.len() } else { hot.min(bytes.len()) };
        let at = rng.below(span);
        match rng.below(8) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = [0x00, 0xff, 0x7f, 0x80, 0x01][rng.below(5)],
            2 => {
                let v = [0u32, 1, 0xffff, 0x7fff_ffff, 0xffff_ffff, 30_000, 65_535][rng.below(7)];
                let end = (at + 4).min(bytes.len());
                bytes[at..end].copy_from_slice(&v.to_be_bytes()[..end - at]);
            }
            3 => {
                let len = 1 + rng.below(64);
                bytes.drain(at..(at + len).min(bytes.len()));
            }
            4 => {
                let run: Vec<u8> = (0..1 + rng.below(32)).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, run);
            }
            5 => bytes.truncate(rng.below(bytes.len() + 1)),
            6 => {
                // Duplicate a slice elsewhere (a repeated chunk or table).
                let len = 1 + rng.below(256);
                let slice = bytes[at..(at + len).min(bytes.len())].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, slice);
            }
            _ => {
                // Image sizes in a PNG IHDR (bytes 16..24): huge or zero.
                if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG") {
                    let v = [0u32, 1, 12_001, 30_000, 0x7fff_ffff][rng.below(5)];
                    let field = 16 + 4 * rng.below(2);
                    bytes[field..field + 4].copy_from_slice(&v.to_be_bytes());
                } else {
                    bytes[at] = bytes[at].wrapping_add(1);
                }
            }
        }
    }
    bytes
}

#[test]
fn image_decoding_never_panics_on_mutated_images() {
    let seeds = image_seeds();
    let iterations: u64 =
        std::env::var("NIANBAO_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let engine = Engine::new(EngineOptions::default()).expect("bundled fonts");
    let report = format!("{}\nsignature:\n  seal: seal.png\n", example_text().trim_end());
    let seal_line = report.lines().position(|l| l.contains("seal: seal.png")).unwrap() as u32 + 1;
    let mut failures = Vec::new();
    let (mut ok, mut refused) = (0u64, 0u64);
    for seed in 1..=iterations {
        let mut rng = Rng(seed.wrapping_mul(0xA24B_AED4_963E_E407) | 1);
        let base = &seeds[rng.below(seeds.len())];
        let bytes = mutate_binary(base, &mut rng, 64);
        let direct = std::panic::catch_unwind(|| ImageData::from_bytes(bytes.clone()));
        match direct {
            Err(_) => failures.push(format!("seed {seed}: ImageData::from_bytes panicked")),
            Ok(Ok(img)) => {
                ok += 1;
                let pixels = u64::from(img.width_px) * u64::from(img.height_px);
                if img.width_px > MAX_SIDE_PX || img.height_px > MAX_SIDE_PX || pixels > MAX_PIXELS
                {
                    failures
                        .push(format!("seed {seed}: accepted {}×{}", img.width_px, img.height_px));
                }
            }
            Ok(Err(e)) => {
                refused += 1;
                if e.trim().is_empty() || e.contains("程序缺陷") {
                    failures.push(format!("seed {seed}: unclear error `{e}`"));
                }
            }
        }
        // One in ten through the whole check, as the report's seal.
        if seed % 10 == 0 {
            let mut res = MemoryResources::new();
            res.insert("seal.png", bytes.clone());
            let source = Source::new("fuzz.yaml", report.clone().into_bytes());
            match std::panic::catch_unwind(AssertUnwindSafe(|| {
                engine.check(source, &res, &nianbao::CheckOptions::default())
            })) {
                Err(_) => failures.push(format!("seed {seed}: Engine::check panicked")),
                Ok(loaded) => {
                    let image_ok = ImageData::from_bytes(bytes.clone()).is_ok();
                    let at_seal =
                        loaded.diags.iter().any(|d| d.is_error() && d.span.line == seal_line);
                    // check passes exactly when the image is usable, and says so at the key.
                    if image_ok == at_seal {
                        failures.push(format!(
                            "seed {seed}: image ok {image_ok}, error at the seal line {at_seal}: [{}]",
                            summary(&loaded.diags)
                        ));
                    }
                }
            }
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ok > 0 && refused > iterations / 10, "ok {ok}, refused {refused}");
    if let Some(mb) = peak_rss_mb() {
        assert!(mb < 1024, "peak RSS {mb} MB after the image mutations");
    }
}

#[test]
fn font_loading_never_panics_on_mutated_fonts() {
    use nianbao::fonts::FontOverride;
    use nianbao::template::Role;
    let font = std::fs::read(common::repo("fonts/FandolFang-Regular.otf")).expect("bundled font");
    let iterations: u64 = std::env::var("NIANBAO_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(300, |n| n / 10);
    let report = nianbao::check_bytes(Path::new("fuzz.yaml"), example_text().into_bytes());
    assert!(report.is_ok());
    let mut failures = Vec::new();
    let (mut accepted, mut rendered) = (0, 0);
    for seed in 1..=iterations {
        let mut rng = Rng(seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
        // Edits in the table directory and the first tables' heads (the first 2 KB).
        let bytes = mutate_binary(&font, &mut rng, 2048);
        let over = FontOverride {
            role: Role::Body,
            name: format!("mutant-{seed}.otf"),
            data: krilla::Data::from(bytes),
            index: 0,
        };
        let options = EngineOptions { fonts: vec![over], ..Default::default() };
        match std::panic::catch_unwind(AssertUnwindSafe(|| Engine::new(options))) {
            Err(_) => failures.push(format!("seed {seed}: Engine::new panicked")),
            Ok(Err(e)) => {
                if !(e.contains("body") && e.contains(&format!("mutant-{seed}.otf"))) {
                    failures.push(format!("seed {seed}: error names neither role nor file: {e}"));
                }
            }
            Ok(Ok(engine)) => {
                accepted += 1;
                // Some accepted mutants all the way to a PDF (the subsetter reads them too).
                if accepted % 8 == 1 {
                    rendered += 1;
                    match std::panic::catch_unwind(AssertUnwindSafe(|| {
                        engine.render(&report, &[nianbao::OutputKind::Pdf])
                    })) {
                        Err(_) => failures.push(format!("seed {seed}: render panicked")),
                        Ok(Err(d)) => {
                            if d.iter().any(|d| d.message_en.trim().is_empty()) {
                                failures.push(format!("seed {seed}: empty message"));
                            }
                        }
                        Ok(Ok(_)) => {}
                    }
                }
            }
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{iterations} font mutants: {accepted} accepted, {rendered} rendered");
    if let Some(mb) = peak_rss_mb() {
        assert!(mb < 2048, "peak RSS {mb} MB after the font mutations");
    }
}
