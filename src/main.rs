//! The `nianbao` command: parses arguments and hands over to `nianbao::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    nianbao::cli::main()
}
