//! `nianbao serve DIR`: the web server for a county office's units (issue #18).

use clap::Args;
use std::path::PathBuf;

/// Arguments of `nianbao serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The folder of unit reports (as `batch` reads it).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Address to listen on (loopback unless told otherwise).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Make a new login token for every unit and one for the office, print them once, store
    /// only their hashes in DIR/.nianbao/ (revoking the old ones), and exit.
    #[arg(long)]
    pub issue_tokens: bool,
    /// Sign every publication's PDF with this PKCS#12 key (each at the time it is published).
    /// Password: env NIANBAO_P12_PASSWORD, else --password-file, else a prompt.
    #[arg(long = "sign", value_name = "KEY.p12")]
    pub sign: Option<std::path::PathBuf>,
    /// File whose first line is the PKCS#12 password (with --sign).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub password_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub sign_info: super::options::SignInfoArgs,
    /// Single sign-on: the OIDC provider's issuer URL (https), e.g.
    /// https://id.example.gov.cn/realms/gov. Needs the other --oidc-* options.
    #[arg(long, value_name = "URL", requires_all = ["oidc_client_id", "oidc_secret_file", "oidc_redirect_uri", "oidc_map"])]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the provider.
    #[arg(long, value_name = "ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,
    /// File whose first line is the client secret.
    #[arg(long, value_name = "FILE", requires = "oidc_issuer")]
    pub oidc_secret_file: Option<std::path::PathBuf>,
    /// This server's callback as registered at the provider: https://HOST/sso/callback.
    #[arg(long, value_name = "URL", requires = "oidc_issuer")]
    pub oidc_redirect_uri: Option<String>,
    /// The ID token's claim that names the unit or office.
    #[arg(long, value_name = "NAME", default_value = "sub")]
    pub oidc_claim: String,
    /// JSON file mapping the claim's values to "unit:乡镇/a.yaml" or "office:乡镇/" ("office:"
    /// for the whole folder).
    #[arg(long, value_name = "FILE", requires = "oidc_issuer")]
    pub oidc_map: Option<std::path::PathBuf>,
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

/// Runs the server (or issues tokens); returns the exit code.
pub fn run(args: &ServeArgs) -> u8 {
    let store = match nianbao::serve::Store::new(&args.dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if args.issue_tokens {
        let issued = match nianbao::serve::issue_tokens(&store) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        };
        println!("登录令牌只显示这一次 (tokens are shown once; only their hashes are stored):");
        for i in &issued {
            let who = i.unit.as_deref().unwrap_or("办公室 (office, admin)");
            println!("{who}\thttp://{}/?token={}", args.listen, i.token);
        }
        return 0;
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
                    eprintln!(
                        "error: 无法读取密钥文件 {}：{e} (cannot read the key file)",
                        path.display()
                    );
                    return 2;
                }
                (_, Err(e)) => {
                    eprintln!("error: {e}");
                    return 2;
                }
            }
        }
    };
    let sso = match sso_config(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let options = nianbao::serve::ServeOptions { publish_key: key, sso, ..Default::default() };
    let running = match nianbao::serve::start_with(&args.dir, &args.listen, options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    eprintln!("serving {} on http://{}", store.root().display(), running.addr);
    if let Some(warning) = nianbao::serve::exposure_warning(running.addr) {
        eprintln!("{warning}");
    }
    match running.join() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
