//! The signing commands end to end: runs the built `nianbao` binary on
//! examples/shengsi-2024.yaml with test keys made at test time (tests/common), then checks
//! the output with pdfsig, pyHanko and pdftoppm, and checks that failures write nothing.

use crate::sign_support as common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::cli::{
    assert_no_temp_files, assert_ok, assert_valid, binary, example, nianbao, p12,
    render_signed_with_seal, seal_file, test_dir, text,
};
use common::{
    PASSWORD, fixture, is_red, is_white, last_four, pdfsig, pixel, pyhanko, qpdf_check,
    render_page, require_tool, run,
};
use nianbao::resolve::ImageData;
use nianbao::template::default_style;
use nianbao::{Engine, EngineOptions, OutputKind};

#[test]
fn render_sign_with_seal_is_valid_shows_the_seal_and_extends_the_unsigned_render() {
    let dir = test_dir("render-seal");
    let seal = dir.join("seal.png");
    let out = render_signed_with_seal(&dir, &[]);
    assert_ok(&out);
    assert!(text(&out).contains("signed"), "{}", text(&out));
    let signed_path = dir.join("shengsi-2024.pdf");
    assert_valid(&signed_path);
    let signed = std::fs::read(&signed_path).expect("read signed");

    // The same render through the library, with omit_seal, is a byte-identical prefix.
    let style = default_style();
    let loaded = nianbao::load_and_check(&example());
    assert!(loaded.is_ok());
    let image = Arc::new(ImageData::load(&seal).expect("seal"));
    let engine = Engine::new(EngineOptions {
        seal: Some(image),
        omit_seal: true,
        ..EngineOptions::default()
    })
    .expect("engine");
    let rendered = engine.render(&loaded, &[OutputKind::Pdf]).expect("render");
    let unsigned = rendered.pdf().expect("pdf").to_vec();
    assert!(signed.len() > unsigned.len());
    assert!(signed[..unsigned.len()] == unsigned[..], "the unsigned render must be a prefix");

    // The seal is the widget's appearance at the layout's place, and only there: the
    // unsigned (omit_seal) page has no seal, the signed one shows it.
    let placement = rendered.pages().and_then(|p| p.seal.clone());
    let placement = placement.expect("the layout reserves the seal");
    let page_h = style.page.height.to_pt() as f32;
    let [left, top, w, h] = placement.rect.map(|v| v as f32);
    let (cx, cy) = (left + w / 2.0, page_h - top - h / 2.0);
    let page = placement.page + 1;
    let img = render_page(&signed_path, page, "render-seal-signed");
    assert!(is_red(pixel(&img, cx, cy)), "disc: {:?}", pixel(&img, cx, cy));
    // ring at 82.5 of 100 px radius
    let ring = w * 0.4125;
    assert!(is_red(pixel(&img, cx - ring, cy)), "ring: {:?}", pixel(&img, cx - ring, cy));
    let unsigned_path = dir.join("unsigned-omit-seal.pdf");
    std::fs::write(&unsigned_path, &unsigned).expect("write unsigned");
    let img = render_page(&unsigned_path, page, "render-seal-unsigned");
    assert!(!is_red(pixel(&img, cx, cy)), "omit_seal leaves the page without the seal");
}

#[test]
fn render_sign_uses_the_seal_from_the_yaml() {
    let dir = test_dir("render-yaml-seal");
    let key = p12(&dir, "rsa");
    seal_file(&dir);
    let yaml = dir.join("with-seal.yaml");
    let mut text = std::fs::read_to_string(example()).expect("read example");
    text.push_str("\nsignature:\n  seal: seal.png\n");
    std::fs::write(&yaml, text).expect("write yaml");

    // unsigned: the seal is page content; signed: the same place, drawn by the widget
    let plain_dir = dir.join("plain");
    assert_ok(&nianbao(args!["render", yaml.as_os_str(), "-o", plain_dir.as_os_str()], None));
    let out = nianbao(args!["render", yaml.as_os_str(), "--sign", key.as_os_str()], Some(PASSWORD));
    assert_ok(&out);
    let signed = dir.join("with-seal.pdf");
    assert_valid(&signed);
    let bytes = std::fs::read(&signed).expect("read");
    let needle = b"/Subtype/Widget";
    assert!(bytes.windows(needle.len()).any(|w| w == needle));
    let needle = b"/Rect[0.0 0.0 0.0 0.0]";
    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the signature is visible");
    let pages = lopdf::Document::load_mem(&bytes).expect("parse").get_pages().len();
    let a = render_page(&plain_dir.join("with-seal.pdf"), pages, "yaml-seal-plain");
    let b = render_page(&signed, pages, "yaml-seal-signed");
    let red =
        |img: &(usize, Vec<u8>)| img.1.chunks(3).filter(|p| is_red([p[0], p[1], p[2]])).count();
    let (ra, rb) = (red(&a), red(&b));
    assert!(ra > 1000, "the unsigned page shows the seal ({ra} red pixels)");
    // same image at the same place: the red pixel counts agree within resampling noise
    assert!(ra.abs_diff(rb) * 20 < ra, "unsigned {ra} vs signed {rb} red pixels");
}

#[test]
fn render_sign_without_seal_gives_an_invisible_valid_signature() {
    let dir = test_dir("render-invisible");
    let key = p12(&dir, "ec");
    let out = nianbao(
        args!["render", example().as_os_str(), "-o", dir.as_os_str(), "--sign", key.as_os_str()],
        Some(PASSWORD),
    );
    assert_ok(&out);
    let path = dir.join("shengsi-2024.pdf");
    assert_valid(&path);
    let bytes = std::fs::read(&path).expect("read");
    let needle = b"/Rect[0.0 0.0 0.0 0.0]";
    assert!(bytes.windows(needle.len()).any(|w| w == needle), "invisible widget");
}

#[test]
fn readme_example_with_the_demo_seal_reason_and_location() {
    // the README's command, with the bundled examples/demo-seal.png
    let dir = test_dir("reason-location");
    let key = p12(&dir, "rsa");
    let seal = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-seal.png");
    let (reason, location) = ("发布政府信息公开工作年度报告", "浙江省嵊泗县");
    let out = nianbao(
        args![
            "render",
            example().as_os_str(),
            "-o",
            dir.as_os_str(),
            "--format",
            "pdf",
            "--sign",
            key.as_os_str(),
            "--seal",
            seal.as_os_str(),
            "--reason",
            reason,
            "--location",
            location
        ],
        Some(PASSWORD),
    );
    assert_ok(&out);
    let path = dir.join("shengsi-2024.pdf");
    assert_valid(&path);
    let (_, checked) = pyhanko(&path);
    assert!(checked.contains(&format!("reason={reason} location={location}")), "{checked}");
    // the demo seal: a red star in the middle, transparent between star and lettering
    let bytes = std::fs::read(&path).expect("read signed");
    let [x0, y0, x1, y1]: [f32; 4] = last_four(&bytes, "/Rect");
    assert!((x1 - x0 - 119.06).abs() < 0.5, "a 42 mm seal: {:?}", [x0, y0, x1, y1]);
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let pages = lopdf::Document::load_mem(&bytes).expect("parse").get_pages().len();
    let img = render_page(&path, pages, "demo-seal");
    assert!(is_red(pixel(&img, cx, cy)), "star: {:?}", pixel(&img, cx, cy));
    let gap = (x1 - x0) * 0.24;
    assert!(!is_red(pixel(&img, cx + gap, cy)), "gap: {:?}", pixel(&img, cx + gap, cy));

    // Without --sign the texts would be lost: refused, nothing written.
    let plain = dir.join("plain");
    let out = nianbao(
        args!["render", example().as_os_str(), "-o", plain.as_os_str(), "--reason", reason],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--reason and --location need --sign"), "{}", text(&out));
    assert!(!plain.join("shengsi-2024.pdf").exists());
}

#[test]
fn sign_command_signs_an_unsigned_render() {
    let dir = test_dir("sign-command");
    let out = nianbao(args!["render", example().as_os_str(), "-o", dir.as_os_str()], None);
    assert_ok(&out);
    let input = dir.join("shengsi-2024.pdf");
    let key = p12(&dir, "rsa");
    let seal = seal_file(&dir);
    let pw = dir.join("password.txt");
    std::fs::write(&pw, format!("{PASSWORD}\n")).expect("write password file");

    // Default seal place: last page, 42 mm square centred 4 characters in from the type
    // area's right edge, lower edge 35 mm above the page's bottom. Password from a file.
    let signed = dir.join("signed.pdf");
    let out = nianbao(
        args![
            "sign",
            input.as_os_str(),
            "-o",
            signed.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--password-file",
            pw.as_os_str(),
            "--seal",
            seal.as_os_str()
        ],
        None,
    );
    assert_ok(&out);
    assert_valid(&signed);
    let input_bytes = std::fs::read(&input).expect("read input");
    let signed_bytes = std::fs::read(&signed).expect("read signed");
    assert!(signed_bytes[..input_bytes.len()] == input_bytes[..], "input is a prefix");
    let pages = lopdf::Document::load_mem(&input_bytes).expect("parse").get_pages().len();
    let mm = 72.0 / 25.4;
    let (cx, cy) = (595.276 - (26.0 + 4.0 * 156.0 / 28.0) * mm, (35.0 + 21.0) * mm);
    let img = render_page(&signed, pages, "sign-default-place");
    assert!(is_red(pixel(&img, cx, cy)), "{:?}", pixel(&img, cx, cy));

    // Explicit page and rectangle (PDF coordinates), key and password from the environment.
    let placed = dir.join("placed.pdf");
    let out = nianbao(
        args![
            "sign",
            input.as_os_str(),
            "-o",
            placed.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--seal",
            seal.as_os_str(),
            "--seal-page",
            "1",
            "--seal-rect",
            "440,740,530,830"
        ],
        Some(PASSWORD),
    );
    assert_ok(&out);
    assert_valid(&placed);
    // a 90 pt square in the top margin: 200 px → 0.45 pt/px, the gap lies 50 px from the centre
    let img = render_page(&placed, 1, "sign-placed");
    assert!(is_red(pixel(&img, 485.0, 785.0)), "disc: {:?}", pixel(&img, 485.0, 785.0));
    assert!(is_white(pixel(&img, 485.0 + 22.5, 785.0)), "gap: {:?}", pixel(&img, 507.5, 785.0));

    // No seal: an invisible signature.
    let invisible = dir.join("invisible.pdf");
    let out = nianbao(
        args!["sign", input.as_os_str(), "-o", invisible.as_os_str(), "--sign", key.as_os_str()],
        Some(PASSWORD),
    );
    assert_ok(&out);
    assert_valid(&invisible);
}

#[test]
fn sign_command_signs_a_pdf_exported_by_libreoffice() {
    // "an existing PDF, e.g. one exported elsewhere": the report's DOCX as LibreOffice
    // exports it (PDF 1.6, its own object layout and xref table)
    let soffice = require_tool(
        "soffice",
        "apt-get install -y --no-install-recommends libreoffice-writer-nogui",
    );
    let dir = test_dir("sign-libreoffice");
    let out = nianbao(
        args!["render", example().as_os_str(), "-o", dir.as_os_str(), "--format", "docx"],
        None,
    );
    assert_ok(&out);
    run(Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}/lo-profile", dir.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(dir.join("shengsi-2024.docx")));
    let exported = dir.join("shengsi-2024.pdf");
    let input = std::fs::read(&exported).expect("LibreOffice wrote no PDF");
    assert!(input.starts_with(b"%PDF-1."), "not a PDF");
    let key = p12(&dir, "rsa");
    let signed = dir.join("signed.pdf");
    let out = nianbao(
        args![
            "sign",
            exported.as_os_str(),
            "-o",
            signed.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--seal",
            seal_file(&dir).as_os_str()
        ],
        Some(PASSWORD),
    );
    assert_ok(&out);
    assert_valid(&signed);
    let (ok, report) = qpdf_check(&signed);
    assert!(ok, "qpdf --check: {report}");
    let bytes = std::fs::read(&signed).expect("read signed");
    assert!(bytes[..input.len()] == input[..], "the exported file is a prefix");
}

#[test]
fn key_problems_are_clear_errors_and_write_nothing() {
    let dir = test_dir("key-errors");
    let input = dir.join("in.pdf");
    std::fs::write(&input, &fixture().pdf_table).expect("write input");
    let corrupt = dir.join("corrupt.p12");
    let mut bytes = fixture().p12["rsa"].clone();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&corrupt, bytes).expect("write corrupt p12");
    let cases: [(PathBuf, &str, &[&str]); 7] = [
        (p12(&dir, "rsa"), "wrong password", &["PKCS#12 密码错误", "wrong PKCS#12 password"]),
        (p12(&dir, "expired"), PASSWORD, &["签名证书已过期", "expired"]),
        (p12(&dir, "notyet"), PASSWORD, &["签名证书尚未生效", "not valid before"]),
        (p12(&dir, "mismatch"), PASSWORD, &["私钥与证书不匹配", "does not match"]),
        (p12(&dir, "noku"), PASSWORD, &["密钥用法", "digitalSignature"]),
        (p12(&dir, "rsa1024"), PASSWORD, &["不支持的密钥", "RSA 1024 bits"]),
        (corrupt, PASSWORD, &["PKCS#12 文件已损坏", "corrupt"]),
    ];
    for (key, password, wanted) in &cases {
        let out_pdf = dir.join("out.pdf");
        let out = nianbao(
            args!["sign", input.as_os_str(), "-o", out_pdf.as_os_str(), "--sign", key.as_os_str()],
            Some(password),
        );
        let msg = text(&out);
        assert_eq!(out.status.code(), Some(2), "{}: {msg}", key.display());
        assert!(msg.starts_with("错误："), "Chinese first: {msg}");
        for w in *wanted {
            assert!(msg.contains(w), "{}: `{w}` missing in {msg}", key.display());
        }
        assert!(!out_pdf.exists());

        let outdir = dir.join("render-out");
        let out = nianbao(
            args![
                "render",
                example().as_os_str(),
                "-o",
                outdir.as_os_str(),
                "--sign",
                key.as_os_str()
            ],
            Some(password),
        );
        assert_eq!(out.status.code(), Some(2), "render {}: {}", key.display(), text(&out));
        assert!(text(&out).contains(wanted[0]), "{}", text(&out));
        assert!(!outdir.exists(), "render created {} before the key was checked", outdir.display());
    }
    assert_no_temp_files(&dir);
}

#[test]
fn password_is_never_guessed_and_the_signing_time_is_checked() {
    let dir = test_dir("password-sources");
    let input = dir.join("in.pdf");
    std::fs::write(&input, &fixture().pdf_table).expect("write input");
    let key = p12(&dir, "rsa");
    let out_pdf = dir.join("out.pdf");
    // no env, no file, no terminal (stdin is not a tty)
    let out = nianbao(
        args!["sign", input.as_os_str(), "-o", out_pdf.as_os_str(), "--sign", key.as_os_str()],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("NIANBAO_P12_PASSWORD"), "{}", text(&out));
    assert!(!out_pdf.exists());
    // a missing password file
    let out = nianbao(
        args![
            "sign",
            input.as_os_str(),
            "-o",
            out_pdf.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--password-file",
            dir.join("nope.txt").as_os_str()
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("无法读取密码文件"), "{}", text(&out));
    assert!(!out_pdf.exists());
    // a bad NIANBAO_SIGNING_TIME
    let out = Command::new(binary())
        .arg("sign")
        .arg(&input)
        .arg("-o")
        .arg(&out_pdf)
        .arg("--sign")
        .arg(&key)
        .env("NIANBAO_SIGNING_TIME", "next tuesday")
        .env("NIANBAO_P12_PASSWORD", PASSWORD)
        .output()
        .expect("run nianbao");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("NIANBAO_SIGNING_TIME"), "{}", text(&out));
    assert!(!out_pdf.exists());
    // the password is not an option
    let out = nianbao(
        args![
            "sign",
            input.as_os_str(),
            "-o",
            out_pdf.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--password",
            PASSWORD
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!out_pdf.exists());
}

#[test]
fn existing_outputs_are_only_replaced_with_force() {
    let dir = test_dir("force");
    let key = p12(&dir, "rsa");
    let target = dir.join("shengsi-2024.pdf");
    std::fs::write(&target, b"keep me").expect("write");
    let yaml = example();

    // Runs `args`, with `--force` added when asked.
    let run = |args: &[&std::ffi::OsStr], force: bool| {
        let mut a = args.to_vec();
        if force {
            a.push("--force".as_ref());
        }
        nianbao(&a, Some(PASSWORD))
    };
    let render = |force: bool| {
        run(
            args!["render", yaml.as_os_str(), "-o", dir.as_os_str(), "--sign", key.as_os_str()],
            force,
        )
    };
    let out = render(false);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read(&target).expect("read"), b"keep me");

    let signed = dir.join("signed.pdf");
    std::fs::write(&signed, b"keep me too").expect("write");
    let sign = |force: bool| {
        run(
            args!["sign", target.as_os_str(), "-o", signed.as_os_str(), "--sign", key.as_os_str()],
            force,
        )
    };
    let out = sign(false);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("已存在"), "{}", text(&out));
    assert_eq!(std::fs::read(&signed).expect("read"), b"keep me too");

    assert_ok(&render(true));
    assert_valid(&target);
    assert_ok(&sign(true));
    let sig = pdfsig(&signed);
    assert_eq!(sig.matches("Signature is Valid.").count(), 2, "{sig}");
}
