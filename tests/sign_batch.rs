//! `batch --sign` end to end: every unit signed with one key load, the password asked once on
//! a real terminal (a pseudo-terminal through util-linux `script`) and never echoed.

use crate::sign_support as common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use common::cli::{
    SIGNING_TIME, assert_ok, assert_valid, binary, example, nianbao, p12, test_dir, text,
};
use common::{PASSWORD, require_tool};

/// `batch UNITS -o OUT --format pdf --sign KEY`, for the password source to be added.
fn batch_pdf_sign_args<'a>(units: &'a Path, out: &'a Path, key: &'a Path) -> Vec<&'a OsStr> {
    let (units, out, key) = (units.as_os_str(), out.as_os_str(), key.as_os_str());
    args!["batch", units, "-o", out, "--format", "pdf", "--sign", key].to_vec()
}

#[test]
fn batch_sign_signs_every_unit_with_one_key_load() {
    let dir = test_dir("batch-sign");
    let key = p12(&dir, "rsa");
    let units = dir.join("units");
    std::fs::create_dir_all(units.join("b")).expect("units");
    std::fs::copy(example(), units.join("a.yaml")).expect("copy");
    std::fs::copy(example(), units.join("b/a.yaml")).expect("copy");
    let out_dir = dir.join("out");
    // The password file is read once; a prompt would fail here (no terminal).
    let pw = dir.join("pw.txt");
    std::fs::write(&pw, format!("{PASSWORD}\n")).expect("pw");
    let mut args = batch_pdf_sign_args(&units, &out_dir, &key);
    args.extend(args!["--password-file", pw.as_os_str()]);
    let out = nianbao(&args, None);
    assert_ok(&out);
    for f in ["a.pdf", "b/a.pdf"] {
        assert_valid(&out_dir.join(f));
    }
    // A wrong password stops the run before anything is rendered.
    std::fs::write(&pw, "wrong\n").expect("pw");
    let out2 = dir.join("out2");
    let out = nianbao(
        args![
            "batch",
            units.as_os_str(),
            "-o",
            out2.as_os_str(),
            "--sign",
            key.as_os_str(),
            "--password-file",
            pw.as_os_str()
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!out2.join("a.pdf").exists());
}

/// Runs `nianbao ARGS` on a pseudo-terminal (util-linux `script`), types `typed` + Enter once
/// the output shows `prompt`, and returns the exit status and everything the terminal showed.
fn on_terminal(args: &[&std::ffi::OsStr], prompt: &str, typed: &str) -> (Option<i32>, String) {
    use std::io::{Read, Write};
    let script = require_tool("script", "apt-get install bsdutils");
    let quote = |a: &std::ffi::OsStr| format!("'{}'", a.to_string_lossy().replace('\'', r"'\''"));
    let command: Vec<String> =
        std::iter::once(binary().as_os_str()).chain(args.iter().copied()).map(quote).collect();
    let mut child = Command::new(script)
        .args(["-q", "-e", "-c", &command.join(" "), "/dev/null"])
        .env("NIANBAO_SIGNING_TIME", SIGNING_TIME)
        .env_remove("NIANBAO_P12_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut shown = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !String::from_utf8_lossy(&shown).contains(prompt) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => shown.extend(chunk),
            Err(_) => {
                panic!("no prompt `{prompt}` within 60 s: {}", String::from_utf8_lossy(&shown))
            }
        }
    }
    // The prompt is printed just before echo is switched off: type only once it is off, as
    // a person would, or the characters are echoed by the terminal itself.
    wait_for_echo_off(child.id(), deadline);
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(format!("{typed}\r").as_bytes()).expect("type");
    let status = child.wait().expect("wait");
    drop(stdin);
    reader.join().expect("reader");
    shown.extend(rx.try_iter().flatten());
    (status.code(), String::from_utf8_lossy(&shown).into_owned())
}

/// Waits until the terminal of `nianbao` (a descendant of process `root`; the test binary may
/// be a `nianbao-HASH` build) has echo off.
fn wait_for_echo_off(root: u32, deadline: std::time::Instant) {
    let children = |pid: u32| -> Vec<u32> {
        let path = format!("/proc/{pid}/task/{pid}/children");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.split_whitespace().filter_map(|p| p.parse().ok()).collect()
    };
    loop {
        let mut stack = vec![root];
        while let Some(pid) = stack.pop() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let tty = std::fs::read_link(format!("/proc/{pid}/fd/0"));
            if let (true, Ok(tty)) = (comm.starts_with("nianbao"), tty) {
                let out = Command::new("stty").arg("-F").arg(&tty).arg("-a").output();
                let settings = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
                if settings.is_ok_and(|s| s.split_whitespace().any(|w| w == "-echo")) {
                    return;
                }
            }
            stack.extend(children(pid));
        }
        assert!(std::time::Instant::now() < deadline, "echo never went off");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn batch_sign_asks_for_the_password_once_on_a_terminal_without_echo() {
    let dir = test_dir("batch-prompt");
    let key = p12(&dir, "rsa");
    let units = dir.join("units");
    std::fs::create_dir_all(&units).expect("units");
    for name in ["a.yaml", "b.yaml", "c.yaml"] {
        std::fs::copy(example(), units.join(name)).expect("copy");
    }
    let out_dir = dir.join("out");
    let prompt = "PKCS#12 密码 (password):";
    let (code, shown) = on_terminal(&batch_pdf_sign_args(&units, &out_dir, &key), prompt, PASSWORD);
    println!("terminal:\n{shown}");
    assert_eq!(code, Some(0), "{shown}");
    assert_eq!(shown.matches(prompt).count(), 1, "one prompt for the whole run: {shown}");
    assert!(!shown.contains(PASSWORD), "the password was echoed: {shown}");
    for f in ["a.pdf", "b.pdf", "c.pdf"] {
        assert_valid(&out_dir.join(f));
    }
}
