//! nianbao as a library, with no file system: reads a report's YAML on standard input, renders
//! it with its images held in memory, and writes the PDF to standard output.
//!
//! ```sh
//! cargo run --release --example embed < examples/shengsi-2024.yaml > shengsi-2024.pdf
//! ```
//!
//! The PDF is byte-identical to `nianbao render --format pdf` of the same file. A report may
//! name the demo seal (`signature: {seal: demo-seal.png}`): its bytes are compiled in and
//! served from memory, as a web form would serve an upload.

use nianbao::world::MemoryResources;
use nianbao::{CheckOptions, Engine, EngineOptions, OutputKind, Source};
use std::io::{Read, Write};

/// The images this program can serve, by the name a report uses for them.
fn resources() -> MemoryResources {
    let mut res = MemoryResources::new();
    res.insert("demo-seal.png", include_bytes!("demo-seal.png").to_vec());
    res
}

/// Renders report YAML to PDF bytes, or the diagnostics as text.
pub fn render(yaml: Vec<u8>) -> Result<Vec<u8>, String> {
    let options = EngineOptions::default();
    let engine = Engine::new(options)?;
    let loaded =
        engine.check(Source::new("<stdin>", yaml), &resources(), &CheckOptions::for_render());
    let text = |diags: &[nianbao::diag::Diagnostic]| {
        diags.iter().map(|d| nianbao::diag::render_short(d, &loaded.file)).collect::<Vec<_>>()
    };
    if !loaded.is_ok() {
        return Err(text(&loaded.diags).join("\n"));
    }
    let rendered = engine.render(&loaded, &[OutputKind::Pdf]).map_err(|d| text(&d).join("\n"))?;
    Ok(rendered.pdf().expect("a PDF was asked for").to_vec())
}

#[allow(dead_code, reason = "the tests include this file for `render` alone")]
fn main() -> std::process::ExitCode {
    let mut yaml = Vec::new();
    if let Err(e) = std::io::stdin().take(nianbao::io::limits::REPORT + 1).read_to_end(&mut yaml) {
        eprintln!("cannot read standard input: {e}");
        return std::process::ExitCode::from(2);
    }
    match render(yaml) {
        Ok(pdf) => {
            if std::io::stdout().lock().write_all(&pdf).is_err() {
                return std::process::ExitCode::from(2);
            }
            std::process::ExitCode::SUCCESS
        }
        Err(diags) => {
            eprintln!("{diags}");
            std::process::ExitCode::from(1)
        }
    }
}
