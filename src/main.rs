//! The `nianbao` command: parses arguments and hands over to `nianbao::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    nianbao::cli::main()
}

/// mimalloc: batch runs allocate many small buffers (font subsetting); measured
/// 57 → 62 units/s on two cores (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
