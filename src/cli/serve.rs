//! `nianbao serve DIR`: the web server for a county office's units (issue #18), and the
//! desktop mode (`serve --open DIR`, or no arguments at all) for the one person at the machine.

use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `nianbao serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 单位报告所在的文件夹（与 batch 读取的相同）(the folder of unit reports, as `batch`
    /// reads it).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// 监听地址，默认只在本机 (address to listen on; loopback unless told otherwise)
    /// [default: 127.0.0.1:8080; with --open, a free port on 127.0.0.1].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// 为每个单位和办公室各生成一个新的登录令牌，只显示一次，然后退出 (make a new login token
    /// for every unit and one for the office, print them once, store only their hashes in
    /// DIR/.nianbao/ revoking the old ones, and exit). The links name --listen's address.
    #[arg(long, conflicts_with = "open")]
    pub issue_tokens: bool,
    /// 用此 PKCS#12 密钥给每次发布的 PDF 签名（发布时签）(sign every publication's PDF with this
    /// PKCS#12 key, each at the time it is published). Password: env NIANBAO_P12_PASSWORD,
    /// else --password-file, else a prompt.
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub sign: Option<std::path::PathBuf>,
    /// 第一行为 PKCS#12 密码的文件 (file whose first line is the PKCS#12 password; with --sign).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub password_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub sign_info: super::options::SignInfoArgs,
    /// 统一身份认证（OIDC）提供方的地址 (single sign-on: the OIDC provider's issuer URL, https),
    /// e.g. https://id.example.gov.cn/realms/gov. Needs the other --oidc-* options.
    #[arg(long, value_name = "URL", requires_all = ["oidc_client_id", "oidc_secret_file", "oidc_redirect_uri", "oidc_map"])]
    pub oidc_issuer: Option<String>,
    /// 在提供方登记的客户端标识 (the client id registered at the provider).
    #[arg(long, value_name = "ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,
    /// 第一行为客户端密钥的文件 (file whose first line is the client secret).
    #[arg(long, value_name = "FILE", requires = "oidc_issuer")]
    pub oidc_secret_file: Option<std::path::PathBuf>,
    /// 在提供方登记的回调地址 (this server's callback as registered at the provider):
    /// https://HOST/sso/callback.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    pub oidc_redirect_uri: Option<String>,
    /// 标明单位或办公室的 ID 令牌声明 (the ID token's claim that names the unit or office).
    #[arg(long, value_name = "NAME", default_value = "sub")]
    pub oidc_claim: String,
    /// 把声明值映射到单位或办公室的 JSON 文件 (JSON file mapping the claim's values to
    /// "unit:乡镇/a.yaml" or "office:乡镇/"; "office:" for the whole folder).
    #[arg(long, value_name = "FILE", requires = "oidc_issuer")]
    pub oidc_map: Option<std::path::PathBuf>,
    /// 桌面模式：只在本机服务，并在默认浏览器中打开一次性登录链接，无需复制令牌 (desktop
    /// mode: serve on this machine only and open a one-time login link in the default
    /// browser; no token to copy).
    #[arg(long)]
    pub open: bool,
}

/// The single sign-on configuration of the `--oidc-*` options, if given.
fn sso_config(args: &ServeArgs) -> Result<Option<nianbao::serve::SsoConfig>, String> {
    let Some(issuer) = &args.oidc_issuer else { return Ok(None) };
    let read = |p: &std::path::Path| {
        nianbao::io::read_capped(p, nianbao::io::limits::KEY)
            .map_err(|e| format!("{}: {e}", p.display()))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let secret = read(args.oidc_secret_file.as_deref().unwrap_or(std::path::Path::new("")))?;
    let secret = secret.lines().next().unwrap_or("").trim().to_string();
    let map_file = args.oidc_map.as_deref().unwrap_or(std::path::Path::new(""));
    let map: std::collections::HashMap<String, String> = serde_json::from_str(&read(map_file)?)
        .map_err(|e| format!("{}: {e}", map_file.display()))?;
    Ok(Some(nianbao::serve::SsoConfig {
        issuer: issuer.clone(),
        client_id: args.oidc_client_id.clone().unwrap_or_default(),
        client_secret: secret,
        redirect_uri: args.oidc_redirect_uri.clone().unwrap_or_default(),
        claim: args.oidc_claim.clone(),
        map,
    }))
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Runs the server (or issues tokens); returns the exit code.
pub fn run(args: &ServeArgs) -> u8 {
    if args.open {
        return desktop_in(&args.dir, args.listen.as_deref().unwrap_or("127.0.0.1:0"));
    }
    let listen = args.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    if args.issue_tokens {
        return issue(&args.dir, listen);
    }
    let key = match &args.sign {
        None => None,
        Some(path) => {
            let p12 = nianbao::io::read_capped(path, nianbao::io::limits::KEY);
            let password = super::password::read_password(args.password_file.as_deref());
            match (p12, password) {
                (Ok(p12), Ok(password)) => {
                    Some(nianbao::serve::PublishKey { p12, password, info: args.sign_info.info() })
                }
                (Err(e), _) => {
                    super::error(format_args!(
                        "无法读取密钥文件 {}：{e} (cannot read the key file)",
                        path.display()
                    ));
                    return 2;
                }
                (_, Err(e)) => {
                    super::error(e);
                    return 2;
                }
            }
        }
    };
    let sso = match sso_config(args) {
        Ok(s) => s,
        Err(e) => {
            super::error(e);
            return 2;
        }
    };
    let options = nianbao::serve::ServeOptions { publish_key: key, sso, ..Default::default() };
    let running = match nianbao::serve::start_with(&args.dir, listen, options) {
        Ok(r) => r,
        Err(e) => {
            super::error(e);
            return 2;
        }
    };
    eprintln!("serving {} on http://{}", args.dir.display(), running.addr);
    if let Some(warning) = nianbao::serve::exposure_warning(running.addr) {
        eprintln!("{warning}");
    }
    wait(running)
}

/// `--issue-tokens`: the links name the address the server will listen on, so one that picks
/// its port (`:0`) would print links nobody can open: refused.
fn issue(dir: &Path, listen: &str) -> u8 {
    if listen.parse::<std::net::SocketAddr>().is_ok_and(|a| a.port() == 0) {
        super::error(format_args!(
            "--issue-tokens 打印的链接要写明服务的地址，端口 0 无法使用；请用 --listen 给出服务时的\
             地址，例如 --listen 127.0.0.1:8080；只在本机使用请用 serve --open (the links name \
             the server's address and port 0 names none: give the address the server will \
             listen on, e.g. --listen 127.0.0.1:8080; for this machine alone use serve --open)"
        ));
        return 2;
    }
    let store = match nianbao::serve::Store::new(dir) {
        Ok(s) => s,
        Err(e) => {
            super::error(e);
            return 2;
        }
    };
    let issued = match nianbao::serve::issue_tokens(&store) {
        Ok(i) => i,
        Err(e) => {
            super::error(e);
            return 2;
        }
    };
    println!("登录令牌只显示这一次 (tokens are shown once; only their hashes are stored):");
    for i in &issued {
        let who = i.unit.as_deref().unwrap_or("办公室 (office, admin)");
        println!("{who}\thttp://{listen}/?token={}", i.token);
    }
    0
}

/// The program started with no arguments (a double-click): the desktop mode on the folder
/// `年报` in the user's documents (made if missing).
pub fn desktop() -> u8 {
    let Some(dir) = default_folder() else {
        super::error(
            "找不到用户的主文件夹，请用 nianbao serve --open 文件夹 (no home folder found)",
        );
        return 2;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        super::error(format_args!("{}: {e}", dir.display()));
        pause();
        return 2;
    }
    let code = desktop_in(&dir, "127.0.0.1:0");
    if code != 0 {
        pause();
    }
    code
}

/// `Documents/年报` under the home folder (`年报` directly under it when there is no
/// `Documents`); `NIANBAO_HOME` names another folder instead.
fn default_folder() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("NIANBAO_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::home_dir()?;
    let documents = home.join("Documents");
    Some(if documents.is_dir() { documents } else { home }.join("年报"))
}

/// Serves `dir` for the person at the machine and opens the login link in the browser
/// (`NIANBAO_BROWSER=none` only prints it; another value is a command that gets it).
fn desktop_in(dir: &Path, listen: &str) -> u8 {
    let (running, link) = match nianbao::serve::start_desktop(dir, listen) {
        Ok(r) => r,
        Err(e) => {
            super::error(e);
            return 2;
        }
    };
    let shown = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let shown = shown.display().to_string();
    let shown = shown.strip_prefix(r"\\?\").unwrap_or(&shown);
    println!("年报已在本机启动 (nianbao is running on this machine).");
    println!("报告文件在 (the reports are in): {shown}");
    println!("浏览器中打开 (open in the browser): {link}");
    println!("  这是一次性登录链接，只能打开一次 (a one-time login link).");
    println!("停止：关闭此窗口，或按 Ctrl+C (to stop: close this window or press Ctrl+C).");
    if let Err(e) = open_browser(&link) {
        println!("没有打开浏览器，请把上面的链接复制到浏览器 (no browser opened: {e}).");
    }
    wait(running)
}

fn open_browser(link: &str) -> Result<(), String> {
    match std::env::var("NIANBAO_BROWSER").ok().filter(|b| !b.is_empty()) {
        Some(b) if b == "none" => Err("NIANBAO_BROWSER=none".into()),
        Some(command) => std::process::Command::new(&command)
            .arg(link)
            .spawn()
            .map(drop)
            .map_err(|e| format!("{command}: {e}")),
        None => opener::open_browser(link).map_err(|e| e.to_string()),
    }
}

fn wait(running: nianbao::serve::Running) -> u8 {
    match running.join() {
        Ok(()) => 0,
        Err(e) => {
            super::error(e);
            2
        }
    }
}

/// After a failed double-click start, keep the console window open long enough to read why.
fn pause() {
    if cfg!(windows) {
        println!("按回车键关闭 (press Enter to close).");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
}
