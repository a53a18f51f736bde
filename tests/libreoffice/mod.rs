//! LibreOffice for the tests that need a second, independent layout engine: it opens
//! our DOCX (tests/docx.rs) and writes the PDF and the re-saved DOCX a clerk's own office
//! suite would (tests/import_roundtrip.rs imports those back).

#![allow(dead_code, reason = "each test binary uses a part")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fontconfig setup that sees only the bundled fonts and registers them under the
/// official names of the roles the PDF backend gives them, so LibreOffice lays out
/// with the PDF's metrics. `target="scan"` adds the official name as a second family
/// name of the face (FandolSong-Bold reports weight 80 like the regular face, so
/// only a name can select it). Times New Roman maps to FandolFang, whose digits are
/// half-width like Times New Roman's.
pub fn fontconfig(dir: &Path) -> PathBuf {
    let names = [
        ("FandolFang", "Regular", "仿宋_GB2312"),
        ("FandolSong", "Bold", "方正小标宋简体"),
        ("FandolSong", "Regular", "宋体"),
        ("FandolHei", "Regular", "黑体"),
        ("FandolKai", "Regular", "楷体_GB2312"),
    ];
    let mut conf = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n",
    );
    conf += &format!("  <dir>{}</dir>\n", root().join("fonts").display());
    conf += &format!("  <cachedir>{}</cachedir>\n", dir.join("cache").display());
    for (family, style, official) in names {
        conf += &format!(
            "  <match target=\"scan\"><test name=\"family\"><string>{family}</string></test>\
             <test name=\"style\"><string>{style}</string></test>\
             <edit name=\"family\" mode=\"prepend\"><string>{official}</string></edit></match>\n"
        );
    }
    // FandolSong-Bold.otf says weight 400 in its OS/2 table; make it bold.
    conf += "  <match target=\"scan\"><test name=\"family\"><string>FandolSong</string></test>\
             <test name=\"style\"><string>Bold</string></test>\
             <edit name=\"weight\" mode=\"assign\"><const>bold</const></edit></match>\n";
    conf += "  <match target=\"pattern\"><test name=\"family\"><string>Times New Roman</string>\
             </test><edit name=\"family\" mode=\"assign\" binding=\"strong\">\
             <string>FandolFang</string></edit></match>\n";
    conf += "</fontconfig>\n";
    let path = dir.join("fonts.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

/// Converts `docx` with LibreOffice to `target` (`pdf`, or `docx:MS Word 2007 XML` for a
/// re-saved DOCX) in `outdir`, laying it out with the bundled fonts under the official
/// names, and returns the written file's path.
pub fn convert(docx: &Path, target: &str, outdir: &Path) -> PathBuf {
    let ok = Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`soffice` is needed for this test; install it with: \
         apt-get install -y --no-install-recommends libreoffice-writer-nogui"
    );
    let tmp = tempfile::tempdir().unwrap();
    let conf = fontconfig(tmp.path());
    let out = Command::new("soffice")
        .env("FONTCONFIG_FILE", &conf)
        .arg(format!("-env:UserInstallation=file://{}/profile", tmp.path().display()))
        .args(["--headless", "--norestore", "--convert-to", target, "--outdir"])
        .arg(outdir)
        .arg(docx)
        .output()
        .unwrap();
    let ext = target.split(':').next().unwrap_or(target);
    let written = outdir.join(docx.file_name().unwrap()).with_extension(ext);
    assert!(
        out.status.success() && written.exists(),
        "LibreOffice could not convert {} to {target}:\n{}\n{}",
        docx.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    written
}
