//! `ofd-render FILE.ofd DPI OUTDIR`: writes OUTDIR/page-N.png (N from 1) for every page of
//! the first document of FILE.ofd, drawn by ofd-core, and prints the page count.

use ofd_core::OfdReader;
use ofd_core::render::RenderOptions;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, dpi, out] = &args[..] else {
        eprintln!("usage: ofd-render FILE.ofd DPI OUTDIR");
        std::process::exit(2);
    };
    let dpi: f64 = dpi.parse().expect("DPI is a number");
    let mut reader = OfdReader::open(file).expect("ofd-core opens the OFD");
    let body = reader.ofd().doc_bodies[0].clone();
    let doc = reader.load_document(&body).expect("ofd-core loads the document");
    let options = RenderOptions::with_dpi(dpi);
    let pages = doc.pages().len();
    for i in 0..pages {
        let path = format!("{out}/page-{}.png", i + 1);
        reader.render_page_to_file(&doc, i, &options, &path).expect("ofd-core draws the page");
    }
    println!("{pages}");
}
