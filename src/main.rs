use clap::Parser;

// The build allocates and frees millions of small strings across threads; mimalloc does that
// markedly faster than the system allocator. Without transparent huge pages (`no_thp`): with
// them the kernel zeroes 2 MiB at a time and peak memory grows by a third.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = brief::cli::Cli::parse();
    match brief::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            brief::cli::print_error(&err);
            std::process::ExitCode::FAILURE
        }
    }
}
