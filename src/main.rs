//! The `nianbao` command. The command line (flags, prompts, exit codes) lives here, in the
//! binary; the library (`nianbao`) knows nothing of it.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}

/// mimalloc: batch runs allocate many small buffers (font subsetting); measured
/// 57 → 62 units/s on two cores (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
