use clap::Parser;

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
