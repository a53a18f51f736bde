//! `nianbao --generate WHAT` (hidden; for packagers and docs): man pages (clap_mangen),
//! shell completions (clap_complete) and the CLI reference `docs/cli.md`, all made from the
//! one clap definition, as ripgrep and typst do.

use std::path::Path;

/// What `--generate` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// Man pages, one per command, into `--out-dir` (nianbao.1, nianbao-render.1, …).
    Man,
    /// The Markdown CLI reference (docs/cli.md) on stdout.
    CliReference,
    /// Bash completions on stdout.
    Bash,
    /// Zsh completions on stdout.
    Zsh,
    /// Fish completions on stdout.
    Fish,
    /// PowerShell completions on stdout.
    Powershell,
    /// Elvish completions on stdout.
    Elvish,
}

/// Writes what was asked for; returns the exit code.
pub fn run(what: What, out_dir: Option<&Path>) -> u8 {
    let mut cmd = super::command();
    let shell = match what {
        What::Man => {
            let Some(dir) = out_dir else {
                super::error("--generate man 需要 --out-dir DIR (--generate man needs --out-dir)");
                return 2;
            };
            return match std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(cmd, dir))
            {
                Ok(()) => 0,
                Err(e) => {
                    super::error(format_args!("{}: {e}", dir.display()));
                    2
                }
            };
        }
        What::CliReference => {
            print!("{}", cli_reference(&mut cmd));
            return 0;
        }
        What::Bash => clap_complete::Shell::Bash,
        What::Zsh => clap_complete::Shell::Zsh,
        What::Fish => clap_complete::Shell::Fish,
        What::Powershell => clap_complete::Shell::PowerShell,
        What::Elvish => clap_complete::Shell::Elvish,
    };
    clap_complete::generate(shell, &mut cmd, "nianbao", &mut std::io::stdout());
    0
}

/// The CLI reference: each command's `--help`, as the program prints it, under a heading.
/// `tests/cli.rs` checks that docs/cli.md is this text, so the page cannot fall behind.
pub fn cli_reference(cmd: &mut clap::Command) -> String {
    let mut out = String::from(
        "# 命令行参考 (CLI reference)\n\n\
         由 `nianbao --generate cli-reference` 从命令行定义生成，请勿手改；测试会检查它与程序一致。\n\
         (Generated from the command-line definition by `nianbao --generate cli-reference`; do \
         not edit by hand: a test checks it matches the program.)\n",
    );
    // One width wherever it is made, so the page does not depend on the terminal; the
    // version without the commit, so the page does not change with every commit.
    let mut cmd = std::mem::take(cmd)
        .term_width(100)
        .max_term_width(100)
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(env!("CARGO_PKG_VERSION"));
    cmd.build();
    section(&mut out, &mut cmd, "nianbao");
    out
}

fn section(out: &mut String, cmd: &mut clap::Command, path: &str) {
    let help = cmd.render_long_help().to_string();
    out.push_str(&format!("\n## `{path}`\n\n```text\n{}\n```\n", help.trim_end()));
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            section(out, sub, &format!("{path} {name}"));
        }
    }
}
