//! End-to-end tests of `nianbao::sign`: signs krilla PDFs (classic xref table and, via qpdf,
//! xref streams) with RSA and ECDSA keys, then checks them with pdfsig, pyHanko, qpdf and
//! openssl; also covers tampering, determinism and every key/certificate safety error.

use crate::sign_support as common;

use std::process::Command;

use common::{
    PASSWORD, fixture, is_red, is_white, large_rsa_p12, last_four, pdfsig, pixel, pyhanko,
    qpdf_check, render_page, require_tool, run, write_file,
};
use nianbao::sign::{SealAppearance, SignError, SignOptions, Signer, sign_pdf};

/// 2026-01-15 10:30:00 UTC
const SIGNING_TIME: i64 = 1_768_473_000;

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn signer(name: &str) -> Signer {
    Signer::from_p12(&fixture().p12[name], PASSWORD, now_unix())
        .unwrap_or_else(|e| panic!("loading {name}.p12: {e}"))
}

fn options(appearance: Option<SealAppearance>) -> SignOptions {
    SignOptions {
        signing_time_unix: SIGNING_TIME,
        appearance,
        reason: Some("政府信息公开工作年度报告发布".to_owned()),
        location: Some("示例市".to_owned()),
    }
}

/// The four numbers of the last `/ByteRange` in the file.
fn byte_range(pdf: &[u8]) -> [usize; 4] {
    last_four(pdf, "/ByteRange")
}

/// Checks shared by every valid signed file.
fn assert_valid_signed(input: &[u8], signed: &[u8], name: &str) -> std::path::PathBuf {
    assert!(signed.len() > input.len());
    assert_eq!(&signed[..input.len()], input, "input must be an unchanged prefix");
    let [start, a, b, tail] = byte_range(signed);
    assert_eq!(start, 0);
    assert_eq!(b + tail, signed.len(), "ByteRange must reach the end of the file");
    assert_eq!(signed[a], b'<');
    assert_eq!(signed[b - 1], b'>');
    assert!(a > input.len(), "the /Contents hole lies in the appended part");

    let path = write_file(name, signed);
    let sig = pdfsig(&path);
    println!("pdfsig {name}:\n{sig}");
    assert!(sig.contains("Signature is Valid."), "pdfsig: {sig}");
    assert!(sig.contains("Total document signed"), "pdfsig: {sig}");
    assert!(sig.contains("Certificate is Trusted."), "pdfsig: {sig}");
    assert!(sig.contains("Signature Type: ETSI.CAdES.detached"), "pdfsig: {sig}");
    assert!(sig.contains("Signing Time: Jan 15 2026 10:30:00"), "pdfsig: {sig}");

    let (code, text) = pyhanko(&path);
    println!("pyHanko {name}:\n{text}");
    assert_eq!(code, 0, "pyHanko: {text}");
    assert!(text.contains("intact=True valid=True trusted=True coverage=ENTIRE_FILE"), "{text}");

    let (ok, text) = qpdf_check(&path);
    println!("qpdf --check {name}:\n{text}");
    assert!(ok, "qpdf --check failed: {text}");
    assert!(text.contains("No syntax or stream encoding errors found"), "{text}");

    openssl_cms_verify(signed, name);
    path
}

/// Third validator: `openssl cms -verify` over the byte ranges, and the attribute set.
fn openssl_cms_verify(signed: &[u8], name: &str) {
    let [_, a, b, _] = byte_range(signed);
    let hex = std::str::from_utf8(&signed[a + 1..b - 1]).expect("hex");
    let mut der: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex digit"))
        .collect();
    // trim the zero padding using the outer DER length (30 82 LL LL)
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let len = 4 + usize::from(u16::from_be_bytes([der[2], der[3]]));
    der.truncate(len);
    let p7s = write_file(&format!("{name}.p7s"), &der);
    let mut content = signed[..a].to_vec();
    content.extend_from_slice(&signed[b..]);
    let content = write_file(&format!("{name}.signed-bytes"), &content);
    let out = run(Command::new(common::openssl())
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in"])
        .arg(&p7s)
        .arg("-content")
        .arg(&content)
        .arg("-CAfile")
        .arg(&fixture().ca_pem)
        .arg("-out")
        .arg("/dev/null"));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("CMS Verification successful"), "openssl: {text}");
    let printed = run(Command::new(common::openssl())
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(&p7s));
    let printed = String::from_utf8_lossy(&printed.stdout);
    assert!(printed.contains("id-smime-aa-signingCertificateV2"), "{printed}");
    assert!(printed.contains("messageDigest"), "{printed}");
    assert!(printed.contains("contentType"), "{printed}");
    assert!(!printed.contains("signingTime"), "PAdES must not carry signing-time: {printed}");
}

/// The update appended after the input.
fn update<'a>(input: &[u8], signed: &'a [u8]) -> &'a [u8] {
    &signed[input.len()..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn startxref_section(pdf: &[u8]) -> &[u8] {
    let key = b"startxref";
    let pos = pdf.windows(key.len()).rposition(|w| w == key).expect("startxref");
    let num: usize = std::str::from_utf8(&pdf[pos + key.len()..])
        .expect("ascii")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("startxref number");
    &pdf[num..]
}

#[test]
fn krilla_output_uses_a_classic_xref_table_and_qpdf_an_xref_stream() {
    let f = fixture();
    assert!(startxref_section(&f.pdf_table).starts_with(b"xref"));
    assert!(!startxref_section(&f.pdf_xref_stream).starts_with(b"xref"));
    assert!(contains(&f.pdf_xref_stream, b"/ObjStm"));
}

#[test]
fn rsa_visible_png_seal_on_classic_xref_pdf() {
    let f = fixture();
    let rect = [380.0, 150.0, 500.0, 270.0];
    let seal = SealAppearance { page_index: 0, rect, image: f.seal_png.clone() };
    let signed = sign_pdf(&f.pdf_table, &signer("rsa"), &options(Some(seal))).expect("sign");
    let path = assert_valid_signed(&f.pdf_table, &signed, "rsa-png.pdf");
    let up = update(&f.pdf_table, &signed);
    for needle in [
        &b"/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(D:20260115103000Z)"[..],
        b"/FT/Sig",
        b"/SigFlags 3",
        b"/Subtype/Widget",
        b"/SMask",
        b"/Annots[",
        b"/AcroForm<<",
        b"/Type/Catalog",
        b"/Type/Page",
    ] {
        assert!(contains(up, needle), "update lacks {}", String::from_utf8_lossy(needle));
    }
    assert!(startxref_section(&signed).starts_with(b"xref"), "table input gets a table update");
    assert!(contains(up, b"/Prev "));

    // the seal is drawn: ring red, gap transparent (page white), disc red
    let img = render_page(&path, 1, "rsa-png-page1");
    let (cx, cy) = (440.0, 210.0); // centre of the rect; the image spans 120 pt for 200 px
    assert!(is_red(pixel(&img, cx, cy)), "disc: {:?}", pixel(&img, cx, cy));
    assert!(is_red(pixel(&img, cx + 49.0, cy)), "ring: {:?}", pixel(&img, cx + 49.0, cy));
    assert!(is_white(pixel(&img, cx + 30.0, cy)), "alpha gap: {:?}", pixel(&img, cx + 30.0, cy));
    assert!(is_white(pixel(&img, 300.0, 210.0)), "outside the seal");
}

#[test]
fn ec_visible_jpeg_seal_on_xref_stream_pdf() {
    let f = fixture();
    let rect = [100.0, 100.0, 200.0, 200.0];
    let seal = SealAppearance { page_index: 1, rect, image: f.seal_jpeg.clone() };
    let signed = sign_pdf(&f.pdf_xref_stream, &signer("ec"), &options(Some(seal))).expect("sign");
    let path = assert_valid_signed(&f.pdf_xref_stream, &signed, "ec-jpeg-xrefstream.pdf");
    let up = update(&f.pdf_xref_stream, &signed);
    assert!(contains(up, b"/DCTDecode"));
    assert!(!contains(up, b"\nxref\n"), "no classic table in an xref-stream file");
    let section = startxref_section(&signed);
    assert!(!section.starts_with(b"xref"));
    assert!(contains(&section[..section.len().min(300)], b"/Type/XRef"));
    let pdfsig_text = pdfsig(&path);
    assert!(pdfsig_text.contains("Nianbao EC Signer (test)"), "{pdfsig_text}");

    let img = render_page(&path, 2, "ec-jpeg-page2");
    assert!(is_red(pixel(&img, 150.0, 150.0)), "{:?}", pixel(&img, 150.0, 150.0));
    assert!(is_white(pixel(&img, 250.0, 150.0)));
}

#[test]
fn invisible_signature_is_present_and_valid() {
    let f = fixture();
    let signed = sign_pdf(&f.pdf_table, &signer("rsa"), &options(None)).expect("sign");
    let path = assert_valid_signed(&f.pdf_table, &signed, "invisible.pdf");
    let up = update(&f.pdf_table, &signed);
    assert!(contains(up, b"/Rect[0.0 0.0 0.0 0.0]"), "invisible widget rect");
    assert!(!contains(up, b"/Subtype/Image"));
    let sig = pdfsig(&path);
    assert!(sig.contains("示例市人民政府办公室 (test)"), "{sig}");
}

#[test]
fn invisible_signature_on_xref_stream_input() {
    let f = fixture();
    let signed = sign_pdf(&f.pdf_xref_stream, &signer("ec"), &options(None)).expect("sign");
    assert_valid_signed(&f.pdf_xref_stream, &signed, "invisible-xs.pdf");
}

#[test]
fn rsa_key_above_4096_bits_signs() {
    // ring signs 2048–4096-bit keys; a larger one takes the rsa crate's path
    let f = fixture();
    let s = Signer::from_p12(large_rsa_p12(), PASSWORD, now_unix()).expect("load RSA-4608");
    let signed = sign_pdf(&f.pdf_table, &s, &options(None)).expect("sign");
    let path = assert_valid_signed(&f.pdf_table, &signed, "rsa4608.pdf");
    assert!(pdfsig(&path).contains("Nianbao RSA 4608 (test)"));
    let again = sign_pdf(&f.pdf_table, &s, &options(None)).expect("sign again");
    assert!(again == signed, "RSA-4608 signatures of the same input differ");
}

/// `/BaseVersion` and `/ExtensionLevel` of a catalog's `/Extensions /ESIC`.
type Esic = Option<(Vec<u8>, i64)>;

/// The catalog's `/Extensions /ESIC` and the trailer's `/ID` of a PDF.
fn esic_and_id(pdf: &[u8]) -> (Esic, Vec<Vec<u8>>) {
    let doc = lopdf::Document::load_mem(pdf).expect("parse");
    let esic = doc.catalog().ok().and_then(|c| {
        let ext = c.get(b"Extensions").ok()?.as_dict().ok()?;
        let esic = ext.get(b"ESIC").ok()?.as_dict().ok()?;
        let base = esic.get(b"BaseVersion").ok()?.as_name().ok()?.to_vec();
        Some((base, esic.get(b"ExtensionLevel").ok()?.as_i64().ok()?))
    });
    let ids = doc.trailer.get(b"ID").and_then(lopdf::Object::as_array).expect("/ID");
    (esic, ids.iter().map(|o| o.as_str().expect("ID string").to_vec()).collect())
}

#[test]
fn pades_extension_is_declared_and_the_id_renewed() {
    let f = fixture();
    for (input, key) in [(&f.pdf_table, "rsa"), (&f.pdf_xref_stream, "ec")] {
        let (esic, ids) = esic_and_id(input);
        assert_eq!(esic, None, "krilla's PDF 1.7 has no ESIC of its own");
        let signed = sign_pdf(input, &signer(key), &options(None)).expect("sign");
        let (esic, new_ids) = esic_and_id(&signed);
        assert_eq!(esic, Some((b"1.7".to_vec(), 1)), "{key}");
        assert_eq!(new_ids[0], ids[0], "the first ID is permanent");
        assert_ne!(new_ids[1], ids[1], "the second ID changes with the update");
        // a second signature keeps the declaration (the rewritten catalog carries it once)
        let twice = sign_pdf(&signed, &signer(key), &options(None)).expect("sign again");
        let up = update(&signed, &twice);
        assert_eq!(up.windows(5).filter(|w| w == b"/ESIC").count(), 1, "{key}");
        assert_eq!(esic_and_id(&twice).0, Some((b"1.7".to_vec(), 1)));
    }
}

#[test]
fn second_signature_keeps_the_first_valid() {
    let f = fixture();
    let once = sign_pdf(&f.pdf_table, &signer("rsa"), &options(None)).expect("first");
    let twice = sign_pdf(&once, &signer("ec"), &options(None)).expect("second");
    assert_eq!(&twice[..once.len()], &once[..]);
    assert!(contains(update(&once, &twice), b"(Signature2)"));
    let path = write_file("twice.pdf", &twice);
    let (code, text) = pyhanko(&path);
    println!("pyHanko twice:\n{text}");
    assert!(text.contains("signatures: 2"), "{text}");
    // the first signature no longer covers the whole file, so the script reports FAILED;
    // both must still be intact and valid
    assert_eq!(text.matches("intact=True valid=True trusted=True").count(), 2, "{text}");
    assert_eq!(code, 1, "first signature does not cover the entire file: {text}");
    let sig = pdfsig(&path);
    assert_eq!(sig.matches("Signature is Valid.").count(), 2, "{sig}");
}

#[test]
fn tampering_is_detected() {
    let f = fixture();
    let input = &f.pdf_table;
    let signed = sign_pdf(input, &signer("rsa"), &options(None)).expect("sign");

    // one byte inside the original part (in stream data, so the file still parses)
    let stream_kw = b"stream\n";
    let s = input.windows(stream_kw.len()).position(|w| w == stream_kw).expect("a stream");
    let mut orig_flip = signed.clone();
    orig_flip[s + stream_kw.len() + 5] ^= 0x01;

    // one byte inside the appended part: a digit of /M(D:2026...)
    let m = signed.windows(5).rposition(|w| w == b"(D:20").expect("/M date");
    assert!(m > input.len());
    let mut appended_flip = signed.clone();
    appended_flip[m + 6] = if appended_flip[m + 6] == b'7' { b'8' } else { b'7' };

    for (name, bytes) in
        [("tampered-orig.pdf", orig_flip), ("tampered-appended.pdf", appended_flip)]
    {
        let path = write_file(name, &bytes);
        let sig = pdfsig(&path);
        println!("pdfsig {name}:\n{sig}");
        assert!(!sig.contains("Signature is Valid."), "pdfsig accepted {name}: {sig}");
        assert!(sig.contains("Digest Mismatch"), "pdfsig {name}: {sig}");
        let (code, text) = pyhanko(&path);
        println!("pyHanko {name}:\n{text}");
        assert_ne!(code, 0, "pyHanko accepted {name}: {text}");
        assert!(!text.contains("intact=True"), "pyHanko {name}: {text}");
    }
}

#[test]
fn signing_is_deterministic() {
    let f = fixture();
    for key in ["rsa", "ec"] {
        let s = signer(key);
        let seal = SealAppearance {
            page_index: 0,
            rect: [50.0, 50.0, 150.0, 150.0],
            image: f.seal_png.clone(),
        };
        let a = sign_pdf(&f.pdf_table, &s, &options(Some(seal.clone()))).expect("sign a");
        let b = sign_pdf(&f.pdf_table, &signer(key), &options(Some(seal))).expect("sign b");
        assert!(a == b, "{key}: two signatures of the same input differ");
    }
}

#[test]
fn safety_errors_have_distinct_variants() {
    let f = fixture();
    let now = now_unix();
    let load = |name: &str, pw: &str| Signer::from_p12(&f.p12[name], pw, now);

    assert!(matches!(load("rsa", "wrong password"), Err(SignError::WrongPassword)));
    let corrupt = &f.p12["rsa"][..f.p12["rsa"].len() / 2];
    assert!(matches!(Signer::from_p12(corrupt, PASSWORD, now), Err(SignError::CorruptP12(_))));
    assert!(matches!(
        Signer::from_p12(b"not a pkcs12 file", PASSWORD, now),
        Err(SignError::CorruptP12(_))
    ));
    assert!(matches!(load("expired", PASSWORD), Err(SignError::CertificateExpired { .. })));
    assert!(matches!(load("notyet", PASSWORD), Err(SignError::CertificateNotYetValid { .. })));
    assert!(matches!(load("mismatch", PASSWORD), Err(SignError::KeyCertificateMismatch)));
    assert!(matches!(load("noku", PASSWORD), Err(SignError::MissingKeyUsage)));
    match load("rsa1024", PASSWORD) {
        Err(SignError::UnsupportedKey(k)) => assert!(k.contains("1024"), "{k}"),
        other => panic!("rsa1024: {other:?}"),
    }
    // the reference time decides validity: the valid certificate expires after 2049
    assert!(matches!(
        Signer::from_p12(&f.p12["rsa"], PASSWORD, 2_600_000_000),
        Err(SignError::CertificateExpired { .. })
    ));
    assert!(Signer::from_p12(&f.p12["expired"], PASSWORD, 1_590_000_000).is_ok());
    let msg = load("rsa", "x").err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        msg,
        "PKCS#12 密码错误，或文件内容已被改动 (wrong PKCS#12 password, or the file's content was altered)"
    );
    let msg = load("expired", PASSWORD).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.starts_with("签名证书已过期") && msg.contains("expired"), "{msg}");
}

#[test]
fn pdf_and_appearance_errors() {
    let f = fixture();
    let s = signer("rsa");
    let seal = |page_index, rect, image: &[u8]| {
        options(Some(SealAppearance { page_index, rect, image: image.to_vec() }))
    };
    let r = [10.0, 10.0, 60.0, 60.0];
    assert!(matches!(
        sign_pdf(&f.pdf_table, &s, &seal(2, r, &f.seal_png)),
        Err(SignError::PageOutOfRange { index: 2, count: 2 })
    ));
    assert!(matches!(
        sign_pdf(&f.pdf_table, &s, &seal(0, r, b"GIF89a...")),
        Err(SignError::InvalidImage(_))
    ));
    assert!(matches!(
        sign_pdf(&f.pdf_table, &s, &seal(0, [10.0, 10.0, 10.0, 60.0], &f.seal_png)),
        Err(SignError::InvalidRect(_))
    ));
    assert!(matches!(
        sign_pdf(b"%PDF-1.7\nthis is not a pdf\n", &s, &options(None)),
        Err(SignError::InvalidPdf(_))
    ));
    let mut late = options(None);
    late.signing_time_unix = -5;
    assert!(matches!(sign_pdf(&f.pdf_table, &s, &late), Err(SignError::InvalidSigningTime(-5))));

    // encrypted input is refused, never signed
    let qpdf = require_tool("qpdf", "apt-get install qpdf");
    let plain = write_file("to-encrypt.pdf", &f.pdf_table);
    let enc = fixture().dir.join("encrypted.pdf");
    run(Command::new(qpdf).args(["--encrypt", "", "owner", "256", "--"]).arg(&plain).arg(&enc));
    let encrypted = std::fs::read(&enc).expect("read encrypted");
    let result = sign_pdf(&encrypted, &s, &options(None));
    assert!(
        matches!(result, Err(SignError::UnsupportedPdf(_)) | Err(SignError::InvalidPdf(_))),
        "{result:?}"
    );
}
