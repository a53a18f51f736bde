//! The PDF reader `nianbao sign` uses: any bytes as the input PDF, through `page_box` (the
//! seal's page) and `sign_pdf` with a throw-away P-256 key made by openssl at start-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::sign::{SignOptions, Signer, page_box, sign_pdf};
use std::process::Command;
use std::sync::OnceLock;

const PASSWORD: &str = "fuzz";

fn signer() -> &'static Signer {
    static S: OnceLock<Signer> = OnceLock::new();
    S.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nianbao-fuzz-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let ok = Command::new("openssl").args(args).current_dir(&dir).status().unwrap();
            assert!(ok.success(), "openssl {args:?}");
        };
        run(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.pem"]);
        run(&[
            "req", "-new", "-x509", "-key", "k.pem", "-out", "c.pem", "-days", "3650", "-subj",
            "/CN=fuzz",
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
        let p12 = std::fs::read(dir.join("k.p12")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
                as i64;
        Signer::from_p12(&p12, PASSWORD, now).expect("throw-away key")
    })
}

fuzz_target!(|data: &[u8]| {
    let signer = signer();
    if let Err(e) = page_box(data, None) {
        assert!(!e.is_empty());
    }
    let options = SignOptions { signing_time_unix: 1_768_473_000, ..Default::default() };
    match sign_pdf(data, signer, &options) {
        // The input is an untouched prefix of the output.
        Ok(out) => assert!(out.starts_with(data)),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
