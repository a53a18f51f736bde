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
