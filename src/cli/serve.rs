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
    let running = match nianbao::serve::start(&args.dir, &args.listen) {
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
