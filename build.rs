//! Build script: the version line `nianbao --version` prints (the crate's version and, in a
//! git checkout, the commit), and for a Windows build the exe's version information and icon
//! (winresource with MinGW's windres).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NIANBAO_COMMIT");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let line = match commit() {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=NIANBAO_VERSION={line}");

    if std::env::var_os("CARGO_FEATURE_COMPRESSED_FONTS").is_some() {
        compress_fonts();
    }
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resource();
    }
}

/// `NIANBAO_COMMIT` when set (a release from a tarball), else the checkout's commit; rebuilt
/// when HEAD moves.
fn commit() -> Option<String> {
    if let Ok(c) = std::env::var("NIANBAO_COMMIT") {
        return (!c.is_empty()).then_some(c);
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let hash = git(&["rev-parse", "--short=10", "HEAD"])?;
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch])?);
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"])?);
    for path in watched {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let date = git(&["show", "-s", "--format=%cs", "HEAD"]).unwrap_or_default();
    Some(if date.is_empty() { hash } else { format!("{hash} {date}") })
}

/// `fonts/*.otf|ttf` deflated into `OUT_DIR/fonts/NAME.deflate` (src/fonts embeds these with
/// the `compressed-fonts` feature).
fn compress_fonts() {
    use std::io::Write;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("fonts");
    std::fs::create_dir_all(&out).expect("OUT_DIR/fonts");
    println!("cargo:rerun-if-changed=fonts");
    for entry in std::fs::read_dir("fonts").expect("fonts/") {
        let path = entry.expect("fonts/ entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !(name.ends_with(".otf") || name.ends_with(".ttf")) {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("a font file");
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&bytes).expect("deflate");
        let packed = z.finish().expect("deflate");
        std::fs::write(out.join(format!("{name}.deflate")), packed).expect("write OUT_DIR/fonts");
    }
}

/// The exe's icon and version information (file properties in Explorer).
fn windows_resource() {
    println!("cargo:rerun-if-changed=packaging/windows/nianbao.ico");
    let mut res = winresource::WindowsResource::new();
    if std::env::var("HOST").is_ok_and(|h| !h.contains("windows")) {
        res.set_toolkit_path("/usr/bin");
        res.set_windres_path("x86_64-w64-mingw32-windres");
        res.set_ar_path("x86_64-w64-mingw32-ar");
    }
    res.set_icon("packaging/windows/nianbao.ico")
        .set("ProductName", "年报 nianbao")
        .set("FileDescription", "年报：政府信息公开工作年度报告 (nianbao)")
        .set("OriginalFilename", "nianbao.exe")
        .set("LegalCopyright", "MIT OR Apache-2.0; fonts: see fonts/")
        .set_language(0x0804);
    if let Err(e) = res.compile() {
        panic!("cannot embed the Windows resources (x86_64-w64-mingw32-windres): {e}");
    }
}
