//! The `jiance` command line: glue only. Every command calls the library; errors are reported
//! with anyhow and a non-zero exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `jiance search … | head` closes the pipe early: end quietly like other command-line
    // tools instead of panicking inside println!.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    limit_malloc_arenas();
    // Every HTTP client is built through `util::tls`, which installs it too; once here as well,
    // so a client made by any other path finds the provider.
    jiance::util::tls::install();
    let args = cli::Cli::parse();
    tune_allocator(&args.command);
    cli::init_logging(&args);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The long-running commands (the service, its workers, the demo) give freed memory back to the
/// OS at once; batch commands keep mimalloc's delay (`util::alloc` says why).
fn tune_allocator(command: &cli::Command) {
    use cli::Command as C;
    if matches!(
        command,
        C::Run { .. } | C::Worker { .. } | C::Serve { .. } | C::Demo { .. }
    ) {
        jiance::util::alloc::return_memory_at_once();
    }
}

/// glibc's malloc now serves the C libraries only (SQLite, zstd). It gives each thread that
/// allocates while another holds an arena a new one, up to eight per core, and an arena keeps
/// what its threads freed; one arena per core keeps that small. A `MALLOC_ARENA_MAX` the user set
/// wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: called before any other thread exists; mallopt only sets a glibc tunable.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
