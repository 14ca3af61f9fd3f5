//! The command line: `brief build`, `serve`, `check`, `init`, `explain`, and how brief talks
//! on the terminal (quiet/verbose, colour only on a terminal and never with `NO_COLOR`, a
//! spinner on builds that take more than a moment).
//!
//! Exit codes: 0 success, 1 a build or check failed, 2 a usage error (from clap).

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::site::{self, BuildOptions, Site, StageTiming};

#[derive(Parser, Debug)]
#[command(
    name = "brief",
    version,
    about = "Turn a folder of raw news articles into a briefing microsite",
    after_help = concat!(
        "Examples:\n",
        "  brief init my-briefing           start a new project\n",
        "  brief serve                      preview on http://127.0.0.1:1111/, reload on save\n",
        "  brief check                      verify links, anchors, content and templates\n",
        "  brief build                      build ./seeds into ./public\n",
        "  brief build --root my-briefing   build another project\n",
        "  brief explain seeds/001.txt      show why each line was kept or removed\n",
        "\n",
        "Exit codes:\n  0  success\n  1  the build or check failed (each problem is printed as file:line: message)\n  2  usage error (unknown command or option)\n",
        "\nColour is used only when stderr is a terminal and NO_COLOR is unset."
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: stage timings, every changed file on rebuild, every request served.
    #[arg(long, short, global = true)]
    pub verbose: bool,
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
    /// Preview the site, rebuilding and reloading the browser on every save.
    ///
    /// Builds in memory (nothing is written to public/), serves the site, watches seeds/,
    /// content/, themes/, templates/, static/ and brief.toml, rebuilds on change and reloads
    /// every open tab. A failed rebuild keeps the last good site and shows the error in the page.
    #[command(after_help = concat!(
        "Examples:\n",
        "  brief serve                         http://127.0.0.1:1111/ (or the next free port)\n",
        "  brief serve --port 8000 --open      a fixed port, and open the browser\n",
        "  brief serve --root ~/briefings/aleppo\n",
        "  brief serve --bind 0.0.0.0          let other machines on the network see it"
    ))]
    Serve {
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; only loopback unless you ask.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// The port; 0 picks a free one. Default: 1111, or the next free port after it.
        #[arg(long)]
        port: Option<u16>,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Build in memory and verify links, anchors, content, templates, topics and sources.
    ///
    /// Reports every problem at once as file:line: message, and exits 1 if there is any.
    #[command(after_help = concat!(
        "Examples:\n",
        "  brief check\n",
        "  brief check --root ~/briefings/aleppo\n",
        "  brief check && brief build          build only a site that checks clean"
    ))]
    Check {
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Start a new briefing project in DIR (which must not exist or be empty).
    #[command(after_help = concat!(
        "Examples:\n",
        "  brief init aleppo && cd aleppo && brief serve\n",
        "  brief init .                        in the current (empty) folder"
    ))]
    Init {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Write drafted topic summaries to content/topics/<slug>.md for editors to rewrite.
    #[command(after_help = concat!(
        "Examples:\n",
        "  brief draft                         draft every topic without an editor's summary\n",
        "  brief draft --root ~/briefings/aleppo\n",
        "A file an editor has changed (its body no longer matches draft_hash) is never overwritten."
    ))]
    Draft {
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
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

/// How brief talks on stderr: how much, and whether in colour.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: bool,
    /// stderr is a terminal and `NO_COLOR` is unset.
    pub colour: bool,
    /// stderr is a terminal (and not quiet): spinners may be drawn.
    pub progress: bool,
}

impl Ui {
    pub fn new(quiet: bool, verbose: bool) -> Ui {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui { quiet, verbose, colour: terminal && !no_color, progress: terminal && !quiet }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    /// A green word, for success.
    pub fn good(&self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// A bold red word, for errors.
    pub fn bad(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// A yellow word, for warnings.
    pub fn warn_word(&self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Dimmed text, for details.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A normal status line; hidden with `--quiet`.
    pub fn status(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A detail shown only with `--verbose`.
    pub fn detail(&self, line: &str) {
        if self.verbose {
            eprintln!("{}", self.dim(line));
        }
    }

    pub fn warning(&self, line: &str) {
        if !self.quiet {
            eprintln!("{} {line}", self.warn_word("warning:"));
        }
    }

    /// An error line; shown even with `--quiet`.
    pub fn error(&self, line: &str) {
        eprintln!("{} {line}", self.bad("error:"));
    }

    /// Runs `work`, showing a spinner with `message` if it takes more than a quarter of a second
    /// and stderr is a terminal. The message is made only then, on the spinner's thread: a quick
    /// build never waits for it.
    pub fn with_progress<T>(
        &self,
        message: impl FnOnce() -> String + Send + 'static,
        work: impl FnOnce() -> T,
    ) -> T {
        if !self.progress {
            return work();
        }
        let (done, wait) = mpsc::channel::<()>();
        let spinner = std::thread::spawn(move || {
            if wait.recv_timeout(Duration::from_millis(250)) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let message = message();
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                bar.set_style(style);
            }
            bar.set_message(message);
            bar.enable_steady_tick(Duration::from_millis(80));
            let _ = wait.recv();
            bar.finish_and_clear();
        });
        let out = work();
        drop(done);
        let _ = spinner.join();
        out
    }
}

/// The closing line of a build: "built 5 articles from 5 outlets into 9 pages in 38 ms".
pub fn summary_line(ui: &Ui, site: &Site, took: Duration) -> String {
    let articles: usize = site.briefing.sources.iter().map(|s| s.articles.len()).sum();
    let outlets = site.briefing.sources.len();
    let pages = site.pages;
    format!(
        "{} {articles} article{} from {outlets} outlet{} into {pages} page{} in {} ms",
        ui.good("built"),
        plural(articles),
        plural(outlets),
        plural(pages),
        took.as_millis()
    )
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "building 5 seeds" for the spinner, made when it is wanted: listing thousands of seeds
/// is milliseconds.
fn building_message(root: &Path) -> impl FnOnce() -> String + Send + 'static {
    let seeds_dir = root.join("seeds");
    move || {
        let seeds = std::fs::read_dir(seeds_dir)
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "txt")).count())
            .unwrap_or(0);
        format!("building {seeds} seed{}", plural(seeds))
    }
}

fn print_warnings(ui: &Ui, site: &Site) {
    for warning in &site.warnings {
        ui.warning(&format!("{}: {}", warning.file, warning.message));
    }
}

fn print_timings(site: &Site) {
    for line in timing_lines(&site.timings, true) {
        eprintln!("{line}");
    }
}

/// A line per stage: its time, the resident memory when it ended, and how many cores it kept
/// busy on average (its processor time over its wall time). The first stage's cores are known
/// only for the process's first build (`first_build`): a later one (`brief serve`) starts
/// from processor time not counted.
pub fn timing_lines(timings: &[StageTiming], first_build: bool) -> Vec<String> {
    let mut processor_before = first_build.then_some(Duration::ZERO);
    timings
        .iter()
        .map(|timing| {
            let resident = timing.resident.map(|bytes| format!("{:>7} MiB", bytes >> 20)).unwrap_or_default();
            // Processor time is counted in ticks of 10 ms: a stage shorter than a tenth of a
            // second would read wrong by a core or more, so it reads nothing.
            let cores = match (timing.processor, processor_before) {
                (Some(now), Some(before)) if timing.took >= Duration::from_millis(100) => {
                    format!(
                        "{:>6.2} cores",
                        now.saturating_sub(before).as_secs_f64() / timing.took.as_secs_f64()
                    )
                }
                _ => String::new(),
            };
            processor_before = timing.processor;
            let line = format!(
                "  {:<10} {:>9.2} ms {resident} {cores}",
                timing.stage,
                timing.took.as_secs_f64() * 1000.0
            );
            line.trim_end().to_string()
        })
        .collect()
}

/// Prints an error as brief does on exit: `error: ` (red on a terminal) and the cause chain.
pub fn print_error(err: &anyhow::Error) {
    let ui = Ui::new(false, false);
    ui.error(&format!("{err:#}"));
}

pub fn run(cli: Cli) -> Result<()> {
    let ui = Ui::new(cli.quiet, cli.verbose);
    match cli.command {
        Command::Build { root, output, force, timings } => {
            let started = Instant::now();
            let output = output.unwrap_or_else(|| root.join("public"));
            let site = ui.with_progress(building_message(&root), || {
                site::build(
                    &root,
                    &output,
                    force,
                    &BuildOptions { process_ends: true, ..BuildOptions::from_env() },
                )
            })?;
            print_warnings(&ui, &site);
            if (timings || ui.verbose) && !ui.quiet {
                print_timings(&site);
            }
            ui.status(&format!(
                "{} {}",
                summary_line(&ui, &site, started.elapsed()),
                ui.dim(&format!("({})", output.display()))
            ));
            // The process ends here: freeing the briefing string by string would only delay
            // the exit (by tens of milliseconds at 10,000 articles); the system takes it back.
            std::mem::forget(site);
            Ok(())
        }
        Command::Serve { root, bind, port, open } => {
            crate::serve::serve(&crate::serve::ServeOptions { root, bind, port, open }, &ui)
        }
        Command::Check { root } => {
            let started = Instant::now();
            let report = ui.with_progress(building_message(&root), || crate::check::check(&root))?;
            for warning in &report.warnings {
                ui.warning(warning);
            }
            for problem in &report.problems {
                eprintln!("{} {problem}", ui.bad("problem:"));
            }
            if report.problems.is_empty() {
                ui.status(&format!(
                    "{} {} page{}, {} internal link{}, {} anchor{} in {} ms",
                    ui.good("check passed:"),
                    report.pages,
                    plural(report.pages),
                    report.links,
                    plural(report.links),
                    report.anchors,
                    plural(report.anchors),
                    started.elapsed().as_millis()
                ));
                Ok(())
            } else {
                if !report.built {
                    ui.status(&ui.dim(
                        "the site was not built, so links were not checked; fix the problems above first",
                    ));
                }
                let n = report.problems.len();
                anyhow::bail!("check found {n} problem{}; fix them and run `brief check` again", plural(n))
            }
        }
        Command::Init { dir } => {
            let written = crate::init::init(&dir)?;
            ui.detail(&written.iter().map(|p| format!("  wrote {p}")).collect::<Vec<_>>().join("\n"));
            ui.status(&format!(
                "{} a new briefing in {}\nnext:\n  cd {}\n  brief serve     preview it, reloading on every save\n  brief check     verify links and content\n  brief build     write the site into public/",
                ui.good("created"),
                dir.display(),
                dir.display()
            ));
            Ok(())
        }
        Command::Draft { root } => {
            let report = crate::draft::draft(&root)?;
            for file in &report.written {
                println!("wrote     {file}");
            }
            for file in &report.unchanged {
                println!("unchanged {file}");
            }
            for (file, why) in &report.skipped {
                println!("skipped   {file}: {why}");
            }
            Ok(())
        }
        Command::Explain { file, root } => {
            print!("{}", crate::clean::explain_in_project(&root, &file)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_show_memory_and_the_cores_a_long_enough_stage_kept_busy() {
        let stage = |stage, took_ms, resident: Option<u64>, processor_ms: Option<u64>| StageTiming {
            stage,
            took: Duration::from_millis(took_ms),
            resident,
            processor: processor_ms.map(Duration::from_millis),
        };
        let lines = timing_lines(
            &[
                stage("config", 40, Some(23 << 20), Some(60)),
                stage("clean", 800, Some(125 << 20), Some(60 + 1520)),
                stage("render", 500, None, Some(60 + 1520 + 500)),
                stage("write", 200, Some(160 << 20), None),
            ],
            true,
        );
        let later = timing_lines(
            &[stage("config", 400, None, Some(900)), stage("clean", 800, None, Some(2500))],
            false,
        );
        assert_eq!(later, ["  config        400.00 ms", "  clean         800.00 ms    2.00 cores"]);
        assert_eq!(
            lines,
            [
                "  config         40.00 ms      23 MiB",
                "  clean         800.00 ms     125 MiB   1.90 cores",
                "  render        500.00 ms    1.00 cores",
                "  write         200.00 ms     160 MiB",
            ]
        );
    }
}
