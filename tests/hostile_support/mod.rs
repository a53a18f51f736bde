//! Hostile inputs made at test time: a real PNG decompression bomb, PNGs with a bad CRC or a
//! non-zlib IDAT, a JPEG whose SOF claims 65535 px, a throw-away signing key, and helpers to
//! run the built binary with a time limit (a FIFO must never make it block).

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The township example (no seal, no figure).
pub const TOWNSHIP: &str = include_str!("../../examples/township-2025.yaml");

/// Password of the throw-away key.
pub const PASSWORD: &str = "hostile-pass";

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// `nianbao ARGS` in `dir`, killed (and the test failed) after `secs` seconds.
pub fn nianbao_in(dir: &Path, args: &[&std::ffi::OsStr], envs: &[(&str, &str)], secs: u64) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nianbao"));
    cmd.current_dir(dir).args(args).env_remove("NIANBAO_P12_PASSWORD");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    run_limited(cmd, secs)
}

/// `nianbao ARGS` (strings) in `dir`.
pub fn nb(dir: &Path, args: &[&str]) -> Out {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    nianbao_in(dir, &args, &[], 120)
}

/// `nianbao ARGS` with the key's password in the environment.
pub fn nb_pw(dir: &Path, args: &[&str]) -> Out {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    nianbao_in(dir, &args, &[("NIANBAO_P12_PASSWORD", PASSWORD)], 120)
}

/// Runs a command with stdin closed, killing it after `secs` seconds (a test failure: the
/// program blocked or ran away).
pub fn run_limited(mut cmd: Command, secs: u64) -> Out {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let t_err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after {secs} s (blocked?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Out {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// The township example with `lines` added to its signature block (e.g. `  seal: seal.png`).
pub fn township_with(lines: &str) -> String {
    format!("{}\n{lines}\n", TOWNSHIP.trim_end())
}

/// The township example with a seal, and the 1-based line of the `seal:` key.
pub fn township_with_seal(seal: &str) -> (String, usize) {
    let text = township_with(&format!("  seal: {seal}"));
    let line = text.lines().position(|l| l.starts_with("  seal:")).unwrap() + 1;
    (text, line)
}

/// The township example under another unit name.
pub fn township_unit(unit: &str) -> String {
    TOWNSHIP.replace("青山县石桥镇人民政府", unit)
}

/// A PNG chunk with its CRC.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

/// A PNG from its header fields and IDAT payload.
pub fn png_raw(w: u32, h: u32, color_type: u8, idat: &[u8]) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, color_type, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", idat));
    out.extend(chunk(b"IEND", b""));
    out
}

/// A valid w × h RGBA PNG (a red disc on transparent), written by the image crate.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0);
        if dx * dx + dy * dy < (w.min(h) as f32 / 2.0).powi(2) {
            image::Rgba([200, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A valid JPEG.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

/// The side of the bomb.
pub const BOMB_SIDE: u32 = 30_000;

/// A real decompression bomb: a 30000 × 30000 greyscale PNG whose IDAT is one valid zlib
/// stream of every row's zeros (900 MB decoded) in well under 1 MB of file.
pub fn bomb_png() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let row = BOMB_SIDE as usize + 1; // filter byte + one byte per pixel
        let total = row * BOMB_SIDE as usize;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        let mut left = total;
        while left > 0 {
            let n = left.min(zeros.len());
            z.write_all(&zeros[..n]).unwrap();
            left -= n;
        }
        let idat = z.finish().unwrap();
        // Proof that it is a bomb, not a bad header: the stream inflates to the whole image.
        let mut inflated = 0u64;
        let mut d = flate2::read::ZlibDecoder::new(&idat[..]);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut d, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            inflated += n as u64;
        }
        assert_eq!(inflated, total as u64);
        let png = png_raw(BOMB_SIDE, BOMB_SIDE, 0, &idat);
        assert!(png.len() < 2 << 20, "bomb file {} bytes", png.len());
        png
    })
}

/// A valid 8 × 8 PNG whose IDAT CRC is wrong.
pub fn bad_crc_png() -> Vec<u8> {
    let mut p = png(8, 8);
    let at = find(&p, b"IDAT").unwrap();
    let len = u32::from_be_bytes(p[at - 4..at].try_into().unwrap()) as usize;
    p[at + 4 + len] ^= 0xff; // first CRC byte
    p
}

/// A PNG whose IDAT is not a zlib stream (CRCs all correct).
pub fn non_zlib_png() -> Vec<u8> {
    png_raw(8, 8, 6, b"this is not a zlib stream, just text in an IDAT chunk")
}

/// A JPEG whose SOF claims 65535 × 65535 pixels.
pub fn huge_sof_jpeg() -> Vec<u8> {
    let mut j = jpeg(16, 16);
    let at = (0..j.len() - 1)
        .find(|&i| j[i] == 0xFF && matches!(j[i + 1], 0xC0..=0xC2))
        .expect("a SOF marker");
    // FFCx, length (2), precision (1), height (2), width (2)
    j[at + 5..at + 7].copy_from_slice(&65535u16.to_be_bytes());
    j[at + 7..at + 9].copy_from_slice(&65535u16.to_be_bytes());
    j
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A throw-away P-256 key and self-signed certificate as PKCS#12 (openssl), made once.
pub fn p12() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl is needed: apt-get install openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.pem"]);
        run(&[
            "req",
            "-new",
            "-x509",
            "-key",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=hostile test",
        ]);
        run(&[
            "pkcs12",
            "-export",
            "-inkey",
            "k.pem",
            "-in",
            "c.pem",
            "-out",
            "k.p12",
            "-passout",
            &format!("pass:{PASSWORD}"),
        ]);
        std::fs::read(dir.path().join("k.p12")).unwrap()
    })
}

/// Makes a FIFO (mkfifo).
pub fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo").success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Whether the tests run as root (chmod 000 does not stop root).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Every file under `dir`, recursively (hidden ones too).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The rows of OUTDIR/summary.json.
pub fn summary(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// The row whose file ends with `end`.
pub fn row<'a>(rows: &'a [serde_json::Value], end: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with(end)))
        .unwrap_or_else(|| panic!("no row for {end} in {rows:#?}"))
}

/// A folder that root cannot read either: its path is longer than PATH_MAX (4096 bytes).
/// Made as two chains of 250-byte names, each short enough to create, then one moved to the
/// end of the other (a rename does not care how deep the moved tree is).
pub fn too_long_folder(units: &Path) {
    let part = "d".repeat(250);
    let chain = |root: &Path| {
        let mut p = root.to_path_buf();
        for _ in 0..10 {
            p.push(&part);
        }
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let a = chain(units);
    let scratch = units.parent().unwrap().join("scratch");
    chain(&scratch);
    std::fs::rename(&scratch, a.join("b")).unwrap();
    assert!(a.join("b").as_os_str().len() < 4096);
}

/// A YAML file under the 2 MiB report cap whose aliases copy a 1 MB string 200,000 times:
/// 200 GB once expanded, few nodes (issue #29).
pub fn alias_bomb_yaml() -> String {
    let mut text = format!("unit: &big \"{}\"\nyear: 2025\nnotes: [", "年".repeat(1_000_000 / 3));
    text.push_str(&vec!["*big"; 200_000].join(","));
    text.push_str("]\n");
    assert!(text.len() < 2 * 1024 * 1024, "{} bytes: over the report cap", text.len());
    text
}

/// A PDF of one page whose content stream is a deflate of `zeros` zero bytes, compressed by
/// streaming (the zeros are never all in memory): a decompression bomb for `import`.
pub fn deflate_bomb_pdf(zeros: u64) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        enc.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    let stream = enc.finish().unwrap();
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let objects: [Vec<u8>; 3] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    offsets.push(pdf.len());
    pdf.extend_from_slice(
        format!("4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len())
            .as_bytes(),
    );
    pdf.extend_from_slice(&stream);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

/// A DOCX whose `word/document.xml` is a deflate of `spaces` spaces after its opening tag,
/// written by streaming: a decompression bomb for `import`.
pub fn deflate_bomb_docx(spaces: u64) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(spaces > u32::MAX as u64);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><w:document><w:body>").unwrap();
    let block = vec![b' '; 1 << 20];
    let mut left = spaces;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        zip.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    zip.finish().unwrap().into_inner()
}
