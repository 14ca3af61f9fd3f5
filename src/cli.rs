//! The command line: `brief build`, `brief explain`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::site::{self, BuildOptions};

#[derive(Parser, Debug)]
#[command(
    name = "brief",
    version,
    about = "Turn a folder of raw news articles into a briefing microsite",
    after_help = "Examples:\n  brief build                      build ./seeds into ./public\n  brief build --root my-briefing   build another project\n  brief explain seeds/001.txt      show why each line was kept or removed"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the briefing site into the output folder.
    #[command(
        after_help = "Examples:\n  brief build\n  brief build --root ~/briefings/aleppo --output /srv/www/aleppo\n  SOURCE_DATE_EPOCH=1733000000 brief build   (reproducible timestamp)"
    )]
    Build {
        /// The project folder (with brief.toml, seeds/, content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where the site goes; defaults to ROOT/public.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace an output folder that brief did not write.
        #[arg(long)]
        force: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
    },
    /// Show how the cleaner classified each line of a seed, and why.
    #[command(after_help = "Example:\n  brief explain seeds/001_3678b5fa2648f87c.txt")]
    Explain {
        /// The seed file to explain.
        file: PathBuf,
        /// The project folder, for its cleaning rules.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build { root, output, force, timings } => {
            let started = Instant::now();
            let output = output.unwrap_or_else(|| root.join("public"));
            let site = site::build(&root, &output, force, &BuildOptions::from_env())?;
            if !cli.quiet {
                for warning in &site.warnings {
                    eprintln!("warning: {}: {}", warning.file, warning.message);
                }
                if timings {
                    for (stage, took) in &site.timings {
                        eprintln!("  {stage:<9} {:>8.2} ms", took.as_secs_f64() * 1000.0);
                    }
                }
                let articles: usize = site.briefing.sources.iter().map(|s| s.articles.len()).sum();
                let pages = site.files.iter().filter(|f| f.path.ends_with(".html")).count();
                eprintln!(
                    "built {articles} articles from {} outlets into {pages} pages in {} ms ({})",
                    site.briefing.sources.len(),
                    started.elapsed().as_millis(),
                    output.display()
                );
            }
            Ok(())
        }
        Command::Explain { file, root } => {
            print!("{}", crate::clean::explain_in_project(&root, &file)?);
            Ok(())
        }
    }
}
