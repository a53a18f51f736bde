//! Shared test fixtures: a test PKI made with the openssl CLI, PDFs made with krilla (and
//! qpdf for xref streams), and wrappers around the external validators.

#![allow(dead_code)]

#[macro_use]
pub mod cli;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};

/// Password of every test .p12 file.
pub const PASSWORD: &str = "nianbao-test-pass 7";

/// Panics with an install hint when a required external tool is missing.
pub fn require_tool(name: &str, install_hint: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("required tool `{name}` is not installed; install it with: {install_hint}");
}

pub fn openssl() -> PathBuf {
    require_tool("openssl", "apt-get install openssl")
}

/// Runs a command, panicking with its output if it fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// All test material, made once per test process.
pub struct Fixture {
    pub dir: PathBuf,
    pub ca_pem: PathBuf,
    pub nss_dir: PathBuf,
    /// .p12 files by name: rsa, ec, expired, notyet, noku, rsa1024, mismatch.
    pub p12: HashMap<&'static str, Vec<u8>>,
    /// krilla output (classic xref table), 2 pages.
    pub pdf_table: Vec<u8>,
    /// the same after `qpdf --object-streams=generate` (xref stream).
    pub pdf_xref_stream: Vec<u8>,
    /// RGBA PNG seal: red ring and disc on a transparent background.
    pub seal_png: Vec<u8>,
    /// JPEG seal: an all-red square (rendered by pdftoppm).
    pub seal_jpeg: Vec<u8>,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

const CA_CNF: &str = r#"
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = newcerts
certificate = ca.pem
private_key = ca.key
serial = serial
default_md = sha256
policy = policy_any
email_in_dn = no
unique_subject = no
copy_extensions = none
preserve = yes
[policy_any]
countryName = optional
organizationName = optional
commonName = supplied
[ee]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ee_noku]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment, dataEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"#;

struct EeSpec {
    name: &'static str,
    newkey: &'static [&'static str],
    subject: &'static str,
    extensions: &'static str,
    start: &'static str,
    end: &'static str,
}

const VALID_FROM: &str = "20240101000000Z";
const VALID_TO: &str = "20491231000000Z";

fn build_fixture() -> Fixture {
    let openssl = openssl();
    // one folder per test process: the target dir is shared by several worktrees
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    remove_stale_fixtures(&tmp);
    let dir = tmp.join(format!("nianbao-sign-tests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("newcerts")).expect("create fixture dir");
    std::fs::write(dir.join("ca.cnf"), CA_CNF).expect("write ca.cnf");
    std::fs::write(dir.join("index.txt"), "").expect("write index");
    std::fs::write(dir.join("serial"), "1000\n").expect("write serial");
    let ossl = |args: &[&str]| {
        run(Command::new(&openssl).current_dir(&dir).args(args));
    };
    ossl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "9000",
        "-sha256",
        "-subj",
        "/C=CN/O=Nianbao Test CA/CN=Nianbao Test Root CA",
        "-addext",
        "basicConstraints=critical,CA:true",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    let rsa2048: &[&str] = &["-newkey", "rsa:2048"];
    let specs = [
        EeSpec {
            name: "rsa",
            newkey: rsa2048,
            subject: "/C=CN/O=示例市人民政府/CN=示例市人民政府办公室 (test)",
            extensions: "ee",
            start: VALID_FROM,
            end: VALID_TO,
        },
        EeSpec {
            name: "ec",
            newkey: &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            subject: "/C=CN/O=Nianbao Test/CN=Nianbao EC Signer (test)",
            extensions: "ee",
            start: VALID_FROM,
            end: VALID_TO,
        },
        EeSpec {
            name: "expired",
            newkey: rsa2048,
            subject: "/CN=Nianbao Expired (test)",
            extensions: "ee",
            start: "20200101000000Z",
            end: "20210101000000Z",
        },
        EeSpec {
            name: "notyet",
            newkey: rsa2048,
            subject: "/CN=Nianbao Not Yet Valid (test)",
            extensions: "ee",
            start: "20450101000000Z",
            end: "20460101000000Z",
        },
        EeSpec {
            name: "noku",
            newkey: rsa2048,
            subject: "/CN=Nianbao No Key Usage (test)",
            extensions: "ee_noku",
            start: VALID_FROM,
            end: VALID_TO,
        },
        EeSpec {
            name: "rsa1024",
            newkey: &["-newkey", "rsa:1024"],
            subject: "/CN=Nianbao RSA 1024 (test)",
            extensions: "ee",
            start: VALID_FROM,
            end: VALID_TO,
        },
    ];
    let mut p12 = HashMap::new();
    for spec in &specs {
        p12.insert(spec.name, issue_p12(&dir, spec));
    }
    // a .p12 whose key does not belong to its certificate: openssl refuses to build one,
    // so it is written with p12-keystore from another key plus the RSA certificate
    ossl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "other.key",
    ]);
    ossl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "other.key",
        "-outform",
        "DER",
        "-out",
        "other.p8",
    ]);
    ossl(&["x509", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.der"]);
    ossl(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
    let read = |f: &str| std::fs::read(dir.join(f)).expect("read fixture file");
    let key = p12_keystore::PrivateKey::from_der(&read("other.p8")).expect("pkcs8");
    let certs = [
        p12_keystore::Certificate::from_der(&read("rsa.der")).expect("cert"),
        p12_keystore::Certificate::from_der(&read("ca.der")).expect("ca cert"),
    ];
    let chain =
        p12_keystore::PrivateKeyChain::new(p12_keystore::LocalKeyId(vec![1, 2, 3, 4]), key, certs);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("mismatch", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    p12.insert("mismatch", store.writer(PASSWORD).write().expect("write mismatch p12"));

    // NSS database trusting the test CA, for pdfsig
    let certutil = require_tool("certutil", "apt-get install libnss3-tools");
    let nss_dir = dir.join("nssdb");
    std::fs::create_dir_all(&nss_dir).expect("nss dir");
    let nss_arg = format!("sql:{}", nss_dir.display());
    run(Command::new(&certutil).args(["-N", "-d", &nss_arg, "--empty-password"]));
    run(Command::new(&certutil)
        .args(["-A", "-d", &nss_arg, "-n", "Nianbao Test Root CA", "-t", "CT,C,C", "-i"])
        .arg(dir.join("ca.pem")));

    let pdf_table = make_pdf(2, 300);
    let table_path = dir.join("input-table.pdf");
    std::fs::write(&table_path, &pdf_table).expect("write pdf");
    let qpdf = require_tool("qpdf", "apt-get install qpdf");
    let xs_path = dir.join("input-xref-stream.pdf");
    run(Command::new(&qpdf).arg("--object-streams=generate").arg(&table_path).arg(&xs_path));
    let pdf_xref_stream = std::fs::read(&xs_path).expect("read qpdf output");

    // JPEG: render an all-red krilla page with pdftoppm
    let red_path = dir.join("red.pdf");
    std::fs::write(&red_path, make_red_pdf()).expect("write red pdf");
    let pdftoppm = require_tool("pdftoppm", "apt-get install poppler-utils");
    run(Command::new(&pdftoppm)
        .args(["-jpeg", "-r", "72", "-singlefile"])
        .arg(&red_path)
        .arg(dir.join("red")));
    let seal_jpeg = std::fs::read(dir.join("red.jpg")).expect("read jpeg");

    Fixture {
        ca_pem: dir.join("ca.pem"),
        nss_dir,
        p12,
        pdf_table,
        pdf_xref_stream,
        seal_png: make_seal_png(),
        seal_jpeg,
        dir,
    }
}

/// Makes a key and a certificate from the test CA in `dir` and packs them into a .p12.
fn issue_p12(dir: &Path, spec: &EeSpec) -> Vec<u8> {
    let openssl = openssl();
    let ossl = |args: &[&str]| {
        run(Command::new(&openssl).current_dir(dir).args(args));
    };
    let (key, csr, pem, out) = (
        format!("{}.key", spec.name),
        format!("{}.csr", spec.name),
        format!("{}.pem", spec.name),
        format!("{}.p12", spec.name),
    );
    let mut args = vec!["req", "-new", "-nodes", "-utf8", "-keyout", &key, "-out", &csr];
    args.extend_from_slice(spec.newkey);
    args.extend_from_slice(&["-subj", spec.subject]);
    ossl(&args);
    ossl(&[
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-utf8",
        "-notext",
        "-extensions",
        spec.extensions,
        "-startdate",
        spec.start,
        "-enddate",
        spec.end,
        "-in",
        &csr,
        "-out",
        &pem,
    ]);
    let passout = format!("pass:{PASSWORD}");
    ossl(&[
        "pkcs12",
        "-export",
        "-inkey",
        &key,
        "-in",
        &pem,
        "-certfile",
        "ca.pem",
        "-name",
        spec.name,
        "-passout",
        &passout,
        "-out",
        &out,
    ]);
    std::fs::read(dir.join(&out)).expect("read p12")
}

/// A .p12 with an RSA-4608 key, above the 4096 bits that `ring` signs with: made on first
/// use only, as generating the key takes seconds.
pub fn large_rsa_p12() -> &'static [u8] {
    static P12: OnceLock<Vec<u8>> = OnceLock::new();
    P12.get_or_init(|| {
        let spec = EeSpec {
            name: "rsa4608",
            newkey: &["-newkey", "rsa:4608"],
            subject: "/CN=Nianbao RSA 4608 (test)",
            extensions: "ee",
            start: VALID_FROM,
            end: VALID_TO,
        };
        issue_p12(&fixture().dir, &spec)
    })
}

/// The four numbers of the last `KEY[a b c d]` in a PDF (`/ByteRange[`, `/Rect[`), as written
/// by the signer: no spaces between the key and the bracket.
pub fn last_four<T: std::str::FromStr>(pdf: &[u8], key: &str) -> [T; 4] {
    let key = format!("{key}[");
    let pos = pdf.windows(key.len()).rposition(|w| w == key.as_bytes()).expect("key not found");
    let rest = &pdf[pos + key.len()..];
    let end = rest.iter().position(|&b| b == b']').expect("unterminated array");
    let nums: Vec<T> = std::str::from_utf8(&rest[..end])
        .expect("ascii")
        .split_whitespace()
        .map(|n| n.parse().ok().expect("number"))
        .collect();
    nums.try_into().ok().expect("four numbers")
}

/// Removes fixture folders of test processes that have ended (Linux: no /proc/PID).
fn remove_stale_fixtures(tmp: &Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("nianbao-sign-tests-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A krilla PDF with `pages` A4 pages; each has a filled box and `segments` stroked lines
/// in its upper half (the lower half stays white for the seal checks).
pub fn make_pdf(pages: usize, segments: usize) -> Vec<u8> {
    let mut doc = Document::new();
    let mut seed: u32 = 12345;
    let mut rnd = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (seed >> 8) as f32 / (1u32 << 24) as f32
    };
    for _ in 0..pages {
        let mut page = doc.start_page_with(PageSettings::from_wh(595.0, 842.0).expect("page size"));
        let mut surface = page.surface();
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(30, 60, 160).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        let mut pb = PathBuilder::new();
        pb.push_rect(Rect::from_xywh(50.0, 50.0, 495.0, 40.0).expect("rect"));
        surface.draw_path(&pb.finish().expect("path"));
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(0, 0, 0).into(),
            width: 0.5,
            ..Default::default()
        }));
        let mut pb = PathBuilder::new();
        for _ in 0..segments {
            // krilla's y axis points down: y in [100, 400] is the upper half of the page
            pb.move_to(50.0 + rnd() * 495.0, 100.0 + rnd() * 300.0);
            pb.line_to(50.0 + rnd() * 495.0, 100.0 + rnd() * 300.0);
        }
        surface.draw_path(&pb.finish().expect("path"));
        surface.finish();
        page.finish();
    }
    doc.finish().expect("krilla finish")
}

fn make_red_pdf() -> Vec<u8> {
    let mut doc = Document::new();
    let mut page = doc.start_page_with(PageSettings::from_wh(64.0, 64.0).expect("page size"));
    let mut surface = page.surface();
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(220, 0, 0).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(0.0, 0.0, 64.0, 64.0).expect("rect"));
    surface.draw_path(&pb.finish().expect("path"));
    surface.finish();
    page.finish();
    doc.finish().expect("krilla finish")
}

/// 200x200 RGBA: red ring (radius 70..95) and red disc (radius < 30), transparent elsewhere.
pub fn make_seal_png() -> Vec<u8> {
    seal_png(200)
}

/// `size` x `size` RGBA: a red ring and a red disc (the radii of [`make_seal_png`] scaled
/// by `size / 200`), transparent elsewhere.
pub fn seal_png(size: u32) -> Vec<u8> {
    let scale = size as f32 / 200.0;
    let centre = size as f32 / 2.0;
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let dx = x as f32 + 0.5 - centre;
            let dy = y as f32 + 0.5 - centre;
            let r = (dx * dx + dy * dy).sqrt() / scale;
            let opaque = (70.0..95.0).contains(&r) || r < 30.0;
            rgba.extend_from_slice(if opaque { &[220, 0, 0, 255] } else { &[0, 0, 0, 0] });
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size, size);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().expect("png header");
        writer.write_image_data(&rgba).expect("png data");
    }
    out
}

/// `pdfsig` output for a file (stdout + stderr), with the test CA trusted.
pub fn pdfsig(path: &Path) -> String {
    let pdfsig = require_tool("pdfsig", "apt-get install poppler-utils");
    let f = fixture();
    let out = Command::new(pdfsig)
        .arg("-nssdir")
        .arg(format!("sql:{}", f.nss_dir.display()))
        .arg(path)
        .output()
        .expect("run pdfsig");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs tests/tools/pyhanko_validate.py; returns (exit code, output).
pub fn pyhanko(path: &Path) -> (i32, String) {
    let python = require_tool("python3", "apt-get install python3");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pyhanko_validate.py");
    let out = Command::new(python)
        .arg(script)
        .arg(&fixture().ca_pem)
        .arg(path)
        .output()
        .expect("run python3");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code != 3 && !text.contains("ModuleNotFoundError"),
        "pyHanko is not installed; install it with: pip install pyhanko pyhanko-certvalidator\n{text}"
    );
    (code, text)
}

/// `qpdf --check`; returns (success, output).
pub fn qpdf_check(path: &Path) -> (bool, String) {
    let qpdf = require_tool("qpdf", "apt-get install qpdf");
    let out = Command::new(qpdf).arg("--check").arg(path).output().expect("run qpdf");
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

/// Writes bytes to a file in the fixture directory and returns its path.
pub fn write_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = fixture().dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// Renders one page at 72 dpi and returns (width, rgb pixels).
pub fn render_page(pdf_path: &Path, page: usize, name: &str) -> (usize, Vec<u8>) {
    let pdftoppm = require_tool("pdftoppm", "apt-get install poppler-utils");
    let out_base = fixture().dir.join(name);
    let page = page.to_string();
    run(Command::new(pdftoppm)
        .args(["-png", "-r", "72", "-singlefile", "-f", &page, "-l", &page])
        .arg(pdf_path)
        .arg(&out_base));
    let png_path = out_base.with_extension("png");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).expect("open render"),
    ));
    let mut reader = decoder.read_info().expect("png info");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width as usize, buf)
}

pub fn pixel(img: &(usize, Vec<u8>), x_pt: f32, y_pt_from_bottom: f32) -> [u8; 3] {
    let (w, data) = img;
    let h = data.len() / 3 / w;
    let x = x_pt.round() as usize;
    let y = h - y_pt_from_bottom.round() as usize;
    let i = (y * w + x) * 3;
    [data[i], data[i + 1], data[i + 2]]
}

pub fn is_red(p: [u8; 3]) -> bool {
    p[0] > 170 && p[1] < 90 && p[2] < 90
}

pub fn is_white(p: [u8; 3]) -> bool {
    p.iter().all(|&c| c > 240)
}
