//! What people install and meet first (issue #35): the help (Chinese first, an example per
//! command), one error prefix, one name per concept, the generated man pages, completions and
//! CLI reference, `--version` with the commit, the desktop mode's one-time login link, and the
//! `.deb` (built around this test's debug binary by `release.sh --deb-from`, installed with
//! `dpkg -i`, then purged).

use crate::common::repo;
use crate::serve_support::{EXAMPLE, request};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(dir).output().expect("run nianbao")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

const COMMANDS: [&str; 8] =
    ["check", "init", "render", "batch", "sign", "import", "audit", "serve"];

/// Every help page starts in Chinese, has its English after it, and every command shows an
/// example; the headings are Chinese first too.
#[test]
fn help_is_chinese_first_with_an_example_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let top = run(dir.path(), &["--help"]);
    assert_eq!(top.status.code(), Some(0));
    let top = text(&top.stdout);
    assert!(top.contains("用法 (usage)") && top.contains("命令 (commands)"), "{top}");
    for name in COMMANDS {
        let out = run(dir.path(), &[name, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let help = text(&out.stdout);
        let first = help.lines().next().unwrap_or_default();
        assert!(first.chars().next().is_some_and(is_cjk), "{name}: {first}");
        assert!(first.contains('('), "{name}: English after the Chinese: {first}");
        assert!(help.contains("示例 (examples)"), "{name}:\n{help}");
        assert!(help.contains(&format!("nianbao {name} ")), "{name}: the example runs it:\n{help}");
        assert!(help.contains("选项 (options)") && !help.contains("\nOptions:"), "{name}:\n{help}");
        // The top-level page lists it in Chinese.
        let line = top.lines().find(|l| l.trim_start().starts_with(name)).unwrap();
        assert!(line.chars().any(is_cjk), "{line}");
    }
}

/// A usage mistake is printed as every other error is: `错误：` first, exit 2.
#[test]
fn usage_errors_and_other_errors_share_one_prefix() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["chek"][..], &["render", "--no-such-flag", "a.yaml"], &["audit", "x.yaml"]] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with("错误："), "{args:?}: {err}");
    }
    // An error a command finds itself (here: a folder that cannot be served).
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let out = run(dir.path(), &["check", "--previous", "missing.yaml", "file"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("错误："), "{}", text(&out.stderr));
}

/// `check --diagnostics` is `render --diagnostics`; `check --format`, the old spelling, still
/// works and is not shown.
#[test]
fn check_and_render_name_the_diagnostics_option_alike() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), EXAMPLE).unwrap();
    let new = run(dir.path(), &["check", "--diagnostics", "json", "a.yaml"]);
    let old = run(dir.path(), &["check", "--format", "json", "a.yaml"]);
    assert_eq!(new.status.code(), Some(0), "{}", text(&new.stderr));
    assert_eq!(new.stdout, old.stdout);
    assert!(text(&new.stdout).trim_start().starts_with('['), "{}", text(&new.stdout));
    for name in ["check", "render"] {
        let help = text(&run(dir.path(), &[name, "--help"]).stdout);
        assert!(help.contains("--diagnostics <"), "{name}: {help}");
    }
    let help = text(&run(dir.path(), &["check", "--help"]).stdout);
    assert!(!help.contains("--format <"), "{help}");
}

/// `--version` names the commit it was built from.
#[test]
fn version_names_the_commit() {
    let out = run(&repo(""), &["--version"]);
    let line = text(&out.stdout);
    let head = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(repo(""))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string());
    assert!(line.starts_with(&format!("nianbao {} (", env!("CARGO_PKG_VERSION"))), "{line}");
    if let Some(head) = head {
        assert!(line.contains(&head), "{line} (HEAD {head})");
    }
}

/// docs/cli.md is what the program prints: regenerate it with
/// `nianbao --generate cli-reference > docs/cli.md`.
#[test]
fn the_cli_reference_is_current() {
    let out = run(&repo(""), &["--generate", "cli-reference"]);
    assert_eq!(out.status.code(), Some(0));
    let made = text(&out.stdout);
    let page = std::fs::read_to_string(repo("docs/cli.md")).unwrap();
    assert!(made.contains("## `nianbao serve`") && made.contains("--issue-tokens"), "{made}");
    assert!(
        page == made,
        "docs/cli.md is stale: run `cargo run -- --generate cli-reference > docs/cli.md`"
    );
}

/// Man pages for every command and completions for the shells, from the clap definition.
#[test]
fn man_pages_and_completions_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--generate", "man", "--out-dir", "man"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for name in std::iter::once("nianbao".to_string())
        .chain(COMMANDS.iter().map(|c| format!("nianbao-{c}")))
    {
        let page = std::fs::read_to_string(dir.path().join(format!("man/{name}.1"))).unwrap();
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{name}: {page}");
    }
    let render = std::fs::read_to_string(dir.path().join("man/nianbao-render.1")).unwrap();
    assert!(render.contains("pdfa") && render.contains("示例"), "{render}");
    for (shell, needle) in
        [("bash", "complete -F"), ("zsh", "#compdef nianbao"), ("fish", "complete -c nianbao")]
    {
        let out = run(dir.path(), &["--generate", shell]);
        let script = text(&out.stdout);
        assert!(script.contains(needle) && script.contains("render"), "{shell}: {script}");
    }
}

/// Starts `serve --open DIR` (or the bare program, `args` empty, with `NIANBAO_HOME=DIR`),
/// with the browser replaced by a printout; returns the child, its address and the link.
fn desktop(dir: &Path, args: &[&str]) -> (std::process::Child, SocketAddr, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("NIANBAO_BROWSER", "none")
        .env("NIANBAO_HOME", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut link = None;
    for _ in 0..8 {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        said.push_str(&line);
        if let Some(at) = line.find("http://") {
            link = Some(line[at..].trim().to_string());
        }
        if line.contains("Ctrl+C") {
            break;
        }
    }
    let link = link.unwrap_or_else(|| panic!("no link: {said}"));
    let addr: SocketAddr =
        link.trim_start_matches("http://").split('/').next().unwrap().parse().unwrap();
    (child, addr, link, said)
}

/// The desktop mode: loopback, a port of its own, says in Chinese where the reports are and
/// how to stop; the login link opens one session (the office's) and is refused the second
/// time; the next start revokes the last start's token.
#[test]
fn the_desktop_mode_logs_in_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), EXAMPLE).unwrap();
    let folder = dir.path().to_str().unwrap();
    let (mut child, addr, link, said) = desktop(dir.path(), &["serve", "--open", folder]);
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{said}");
    assert!(said.contains("报告文件在") && said.contains("停止"), "{said}");
    let canonical = std::fs::canonicalize(dir.path()).unwrap();
    assert!(said.contains(canonical.to_str().unwrap()), "{said}");
    let path = &link[link.find(&format!("{addr}")).unwrap() + addr.to_string().len()..];
    let first = request(addr, "GET", path, None, &[], b"");
    assert_eq!(first.status, 303, "{said}");
    let cookie = first.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let me = request(addr, "GET", "/api/session", None, &[("Cookie", &cookie)], b"");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["role"], "office");
    let list = request(addr, "GET", "/api/reports", None, &[("Cookie", &cookie)], b"");
    assert_eq!(list.json()[0]["id"], "a");
    let again = request(addr, "GET", path, None, &[], b"");
    assert_eq!(again.status, 401, "the link is one-time");
    let _ = child.kill();
    let _ = child.wait();
    let token = path.rsplit("token=").next().unwrap().to_string();

    // Started again with no arguments at all (a double-click) on the same folder: the first
    // start's token no longer works, the new link does.
    let (mut child, addr, link, said) = desktop(dir.path(), &[]);
    assert!(said.contains("报告文件在"), "{said}");
    let old = request(addr, "GET", "/api/reports", Some(&token), &[], b"");
    assert_eq!(old.status, 401, "the last start's token is revoked");
    let path = &link[link.find(&format!("{addr}")).unwrap() + addr.to_string().len()..];
    assert_eq!(request(addr, "GET", path, None, &[], b"").status, 303);
    let _ = child.kill();
    let _ = child.wait();
}

/// `--issue-tokens` with a port the system picks would print links to port 0: refused, and no
/// token issued (the old ones still work).
#[test]
fn issue_tokens_refuses_port_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), EXAMPLE).unwrap();
    let folder = dir.path().to_str().unwrap();
    let out = run(dir.path(), &["serve", "--issue-tokens", "--listen", "127.0.0.1:0", folder]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("错误：--issue-tokens"), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains(":0/"), "{}", text(&out.stdout));
    let out = run(dir.path(), &["serve", "--issue-tokens", "--listen", "127.0.0.1:9345", folder]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("http://127.0.0.1:9345/?token="));
}

/// The `.deb`: built by `release.sh --deb-from` around this debug binary (a release build takes
/// ~10 minutes; the packaging is the same), installed with `dpkg -i` (as root; otherwise
/// unpacked with `dpkg-deb -x`), then `nianbao --version`, the example rendered, the man
/// pages, completions, systemd unit and settings in place, and purged again.
#[test]
fn the_deb_installs_and_runs() {
    if Command::new("cargo-deb").arg("--version").output().is_err() {
        panic!("cargo-deb is missing: ./test.sh installs it (cargo install cargo-deb)");
    }
    let out = Command::new(repo("release.sh")).args(["--deb-from", BIN]).output().unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let deb = repo(&format!("dist/nianbao_{}-1_amd64.deb", env!("CARGO_PKG_VERSION")));
    let info = Command::new("dpkg-deb").arg("-I").arg(&deb).output().unwrap();
    let info = text(&info.stdout);
    assert!(info.contains("Maintainer: the nianbao authors"), "{info}");
    assert!(!info.contains("libc6"), "static: no glibc dependency: {info}");
    assert!(info.contains("Description: Renders 政府信息公开工作年度报告"), "{info}");
    let contents = text(&Command::new("dpkg-deb").arg("-c").arg(&deb).output().unwrap().stdout);
    for f in [
        "./usr/share/doc/nianbao/fonts/COPYING",
        "./usr/share/doc/nianbao/fonts/DejaVu-LICENSE.txt",
        "./usr/share/doc/nianbao/copyright",
    ] {
        assert!(contents.contains(f), "{f} in\n{contents}");
    }

    let root = is_root();
    let tmp = tempfile::tempdir().unwrap();
    let prefix = if root {
        let mut ok = false;
        for _ in 0..30 {
            let i = Command::new("dpkg").arg("-i").arg(&deb).output().unwrap();
            if i.status.success() {
                ok = true;
                break;
            }
            // Another dpkg or apt on the machine holds the lock: wait for it.
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        assert!(ok, "dpkg -i failed");
        std::path::PathBuf::from("/")
    } else {
        let x = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(tmp.path()).status().unwrap();
        assert!(x.success());
        tmp.path().to_path_buf()
    };
    let installed = prefix.join("usr/bin/nianbao");
    let checks = || {
        let v = Command::new(&installed).arg("--version").output().unwrap();
        assert!(text(&v.stdout).starts_with("nianbao "), "{}", text(&v.stdout));
        let work = tempfile::tempdir().unwrap();
        std::fs::copy(repo("examples/shengsi-2024.yaml"), work.path().join("r.yaml")).unwrap();
        std::fs::copy(repo("examples/demo-seal.png"), work.path().join("demo-seal.png")).ok();
        let r = Command::new(&installed)
            .args(["render", "--format", "pdf", "r.yaml"])
            .current_dir(work.path())
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", text(&r.stderr));
        assert!(std::fs::read(work.path().join("r.pdf")).unwrap().starts_with(b"%PDF-"));
        for f in [
            "usr/share/man/man1/nianbao.1.gz",
            "usr/share/man/man1/nianbao-serve.1.gz",
            "usr/share/bash-completion/completions/nianbao",
            "usr/share/zsh/vendor-completions/_nianbao",
            "usr/share/fish/vendor_completions.d/nianbao.fish",
            "lib/systemd/system/nianbao.service",
            "etc/default/nianbao",
        ] {
            assert!(prefix.join(f).is_file(), "{f} installed");
        }
        let unit =
            std::fs::read_to_string(prefix.join("lib/systemd/system/nianbao.service")).unwrap();
        assert!(
            unit.contains("User=nianbao") && unit.contains("EnvironmentFile=-/etc/default/nianbao")
        );
    };
    let result = std::panic::catch_unwind(checks);
    if root {
        if std::path::Path::new("/usr/bin/man").exists() {
            let m = Command::new("man").args(["-w", "nianbao-render"]).output().unwrap();
            assert!(m.status.success(), "man finds the page");
        }
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
        assert!(passwd.contains("\nnianbao:"), "postinst made the service user");
        let p = Command::new("dpkg").args(["--purge", "nianbao"]).output().unwrap();
        assert!(p.status.success(), "{}", text(&p.stderr));
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| text(&o.stdout).trim() == "0")
}

/// The routes a table names: the first cell's `METHOD /path` items (the query left off), in
/// the rows of the table whose header is `| route | what |`.
fn documented_routes(text: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let mut routes = std::collections::BTreeSet::new();
    let mut in_table = false;
    for line in text.lines() {
        let Some(row) = line.strip_prefix(prefix) else {
            in_table = false;
            continue;
        };
        if row.starts_with("| route | what |") {
            in_table = true;
            continue;
        }
        if !row.starts_with('|') {
            in_table = false;
        }
        if !in_table || !row.starts_with("| `") {
            continue;
        }
        let first_cell = row.trim_start_matches("| ").split(" | ").next().unwrap();
        for quoted in first_cell.split('`').skip(1).step_by(2) {
            let (method, path) = quoted
                .split_once(' ')
                .unwrap_or_else(|| panic!("a route without its method: {quoted} in {line}"));
            routes.insert(format!("{method} {}", path.split('?').next().unwrap()));
        }
    }
    routes
}

/// The route tables, in `src/serve/mod.rs`'s documentation and in docs/reference.md ("Serve"),
/// name exactly the routes the router serves: every `.route(...)` of `router_within` with each
/// of its methods, and nothing else.
#[test]
fn the_route_tables_match_the_router() {
    let source = std::fs::read_to_string(repo("src/serve/mod.rs")).unwrap();
    let reference = std::fs::read_to_string(repo("docs/reference.md")).unwrap();
    let start = source.find("fn router_within").expect("the router");
    let body = &source[start..];
    let body = &body[..body.find(".with_state").expect("the router's end")];
    let mut routed = std::collections::BTreeSet::new();
    for (at, _) in body.match_indices(".route(") {
        // The call's own text, to its closing parenthesis.
        let open = at + ".route".len();
        let mut depth = 0;
        let mut end = open;
        for (i, c) in body[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let call = &body[open..end];
        let path = call.split('"').nth(1).expect("a path");
        for method in ["get", "post", "put", "delete", "patch"] {
            let needle = format!("{method}(");
            let found = call.match_indices(&needle).any(|(i, _)| {
                !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if found {
                routed.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(routed.len() > 20, "{routed:?}");
    for (name, documented) in [
        ("src/serve/mod.rs", documented_routes(&source, "//! ")),
        ("docs/reference.md", documented_routes(&reference, "")),
    ] {
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let stale: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && stale.is_empty(),
            "{name}: routes without a row: {undocumented:?}; rows the router does not serve: \
             {stale:?}"
        );
    }
}
