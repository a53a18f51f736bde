//! Helpers for the tests that run the built binary's signing commands (sign_cli.rs,
//! sign_batch.rs): a fixed signing time, per-test folders, the key files, the validators.

use super::{fixture, make_seal_png, pdfsig, pyhanko};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The signing time every test fixes through `NIANBAO_SIGNING_TIME` (2026-01-15 10:30 UTC).
pub const SIGNING_TIME: &str = "2026-01-15T18:30:00+08:00";

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shengsi-2024.yaml")
}

/// A fresh, empty folder for one test.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = fixture().dir.join("cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}

/// The key file of a fixture identity, written into `dir`.
pub fn p12(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.p12"));
    std::fs::write(&path, &fixture().p12[name]).expect("write p12");
    path
}

pub fn seal_file(dir: &Path) -> PathBuf {
    let path = dir.join("seal.png");
    std::fs::write(&path, make_seal_png()).expect("write seal");
    path
}

/// The binary under test.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_nianbao"))
}

/// `nianbao ARGS` with a fixed signing time and, when given, the password in the environment.
pub fn nianbao(args: &[&std::ffi::OsStr], password: Option<&str>) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args).env("NIANBAO_SIGNING_TIME", SIGNING_TIME).env_remove("NIANBAO_P12_PASSWORD");
    if let Some(p) = password {
        cmd.env("NIANBAO_P12_PASSWORD", p);
    }
    cmd.output().expect("run nianbao")
}

#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

/// `nianbao render` of the example into `dir`, signed with the rsa key and a seal, with
/// `extra` arguments; the run's output (the caller checks it).
pub fn render_signed_with_seal(dir: &Path, extra: &[&std::ffi::OsStr]) -> Output {
    let key = p12(dir, "rsa");
    let seal = seal_file(dir);
    let mut args: Vec<&std::ffi::OsStr> = args!["render"].to_vec();
    let example = example();
    args.extend(args![example.as_os_str(), "-o", dir.as_os_str(), "--sign", key.as_os_str()]);
    args.extend(args!["--seal", seal.as_os_str()]);
    args.extend(extra);
    nianbao(&args, Some(super::PASSWORD))
}

pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

pub fn assert_ok(out: &Output) {
    assert!(out.status.success(), "nianbao failed ({}):\n{}", out.status, text(out));
}

/// pdfsig and pyHanko both accept the file, and the signature covers all of it.
pub fn assert_valid(path: &Path) {
    let sig = pdfsig(path);
    println!("pdfsig {}:\n{sig}", path.display());
    assert!(sig.contains("Signature is Valid."), "{sig}");
    assert!(sig.contains("Total document signed"), "{sig}");
    assert!(sig.contains("Certificate is Trusted."), "{sig}");
    assert!(sig.contains("Signing Time: Jan 15 2026 10:30:00"), "{sig}");
    let (code, out) = pyhanko(path);
    println!("pyHanko {}:\n{out}", path.display());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact=True valid=True trusted=True coverage=ENTIRE_FILE"), "{out}");
}

/// No temporary file of an atomic write is left behind.
pub fn assert_no_temp_files(dir: &Path) {
    let tmp: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tmp"))
        .collect();
    assert!(tmp.is_empty(), "temporary files left: {tmp:?}");
}
