//! `brief serve`: build in memory, serve the site, watch the project, rebuild on change and
//! reload every open browser tab.
//!
//! The site lives in memory (`Served`); nothing is written to `public/`. The HTTP side
//! (`http`) runs axum on its own thread; this thread watches (`watch`), rebuilds with
//! `Site::load_cached` (the build cache of `brief build`: unchanged seeds are not cleaned or
//! read for figures and quotes again), swaps the new files in and broadcasts a `Signal`. Served HTML pages get a
//! small script (`reload.js`) that listens on `/__brief/events` (server-sent events): it
//! reloads on a new build and shows a failed build's error over the page, while the last good
//! site stays served. Files of `brief build` never get the script.

pub mod http;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use tokio::sync::broadcast;

use crate::check::{Problem, locate};
use crate::cli::{Ui, summary_line, timing_lines};
use crate::file_bytes::FileBytes;
use crate::site::{BuildOptions, Site};
use crate::write::{Memo, MemoryFiles};

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// `None`: 1111, or the next free port after it.
    pub port: Option<u16>,
    pub open: bool,
}

/// The port `serve` tries first.
pub const DEFAULT_PORT: u16 = 1111;

/// What is being served: the last good build, and the error of the last build if it failed.
pub struct Served {
    pub files: HashMap<String, FileBytes>,
    /// What each page and data file was made from, so the next build takes over the
    /// unchanged ones.
    pub memos: HashMap<String, Memo>,
    /// Changes with every good build; pages carry it, so a tab that missed a reload catches up.
    pub generation: String,
    pub error: Option<Problem>,
}

/// What the watcher tells the open tabs.
#[derive(Debug, Clone)]
pub enum Signal {
    Reload(String),
    Error(Problem),
}

pub struct Shared {
    pub state: RwLock<Served>,
    pub signals: broadcast::Sender<Signal>,
    pub ui: Ui,
    instance: u128,
    builds: std::sync::atomic::AtomicU64,
}

const RELOAD_JS: &str = include_str!("reload.js");

impl Shared {
    pub fn new(ui: Ui) -> Shared {
        let instance = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let (signals, _) = broadcast::channel(64);
        Shared {
            state: RwLock::new(Served {
                files: HashMap::new(),
                memos: HashMap::new(),
                generation: format!("{instance}-0"),
                error: None,
            }),
            signals,
            ui,
            instance,
            builds: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Swaps in a good build and tells the tabs to reload.
    pub fn publish(&self, site: Site, memos: HashMap<String, Memo>) {
        let n = self.builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let generation = format!("{}-{n}", self.instance);
        let files = site.files.into_iter().map(|f| (f.path, f.bytes)).collect();
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            *state = Served { files, memos, generation: generation.clone(), error: None };
        }
        let _ = self.signals.send(Signal::Reload(generation));
    }

    /// Keeps the last good build and shows the error in every tab.
    pub fn fail(&self, problem: Problem) {
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            state.error = Some(problem.clone());
        }
        let _ = self.signals.send(Signal::Error(problem));
    }

    /// An HTML page with the reload script before `</body>`.
    pub fn inject(&self, html: &[u8]) -> Vec<u8> {
        let (generation, error) = {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            (state.generation.clone(), state.error.clone())
        };
        let script = RELOAD_JS
            .replace("__BRIEF_GENERATION__", &script_json(&serde_json::Value::String(generation)))
            .replace("__BRIEF_ERROR__", &script_json(&serde_json::to_value(&error).unwrap_or_default()));
        let tag = format!("<script data-brief-reload>\n{script}</script>\n");
        let split = find_last(html, b"</body>").unwrap_or(html.len());
        let mut out = Vec::with_capacity(html.len() + tag.len());
        out.extend_from_slice(&html[..split]);
        out.extend_from_slice(tag.as_bytes());
        out.extend_from_slice(&html[split..]);
        out
    }
}

/// JSON that is safe inside a `<script>` element (no `</script>` can close it early).
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// Binds the listener: the asked port, or 1111 and the next ports after it when none was asked.
fn bind(address: IpAddr, port: Option<u16>) -> Result<TcpListener> {
    match port {
        Some(port) => TcpListener::bind(SocketAddr::new(address, port)).with_context(|| {
            format!(
                "cannot listen on {address}:{port}; is another server using it? try --port 0 for a free port"
            )
        }),
        None => {
            for port in DEFAULT_PORT..DEFAULT_PORT + 20 {
                if let Ok(listener) = TcpListener::bind(SocketAddr::new(address, port)) {
                    return Ok(listener);
                }
            }
            TcpListener::bind(SocketAddr::new(address, 0))
                .with_context(|| format!("cannot listen on {address}; try --bind 127.0.0.1"))
        }
    }
}

fn build(root: &Path, ui: &Ui, shared: &Shared, changed: Option<&[String]>) {
    let started = Instant::now();
    // The files served now, with what they were made from: unchanged ones are taken over.
    let previous = {
        let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
        let files = state
            .files
            .iter()
            .filter_map(|(path, bytes)| Some((path.clone(), (bytes.clone(), state.memos.get(path)?.clone()))))
            .collect();
        MemoryFiles { files }
    };
    let result = Site::load_cached_reusing(root, &BuildOptions::from_env(), previous);
    let took = started.elapsed();
    match result {
        Ok((site, memos)) => {
            for warning in &site.warnings {
                ui.warning(&format!("{}: {}", warning.file, warning.message));
            }
            let line = summary_line(ui, &site, took);
            ui.detail(&timing_lines(&site.timings, false).join("\n"));
            shared.publish(site, memos);
            match changed {
                None => ui.status(&line),
                Some(changed) => {
                    let what = match changed {
                        [one] => one.clone(),
                        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
                        [] => String::new(),
                    };
                    ui.status(&format!(
                        "{} {}",
                        line.replacen("built", "rebuilt", 1),
                        ui.dim(&format!("({what})"))
                    ));
                    ui.detail(
                        &changed.iter().map(|c| format!("  changed {c}")).collect::<Vec<_>>().join("\n"),
                    );
                }
            }
        }
        Err(err) => {
            let mut problem = locate(&err, root);
            problem.message = format!("{err:#}");
            ui.error(&format!("{err:#}"));
            ui.status(&ui.dim(
                "still serving the last good build; the browser shows the error until the next good save",
            ));
            shared.fail(problem);
        }
    }
}

fn open_browser(url: &str) -> std::io::Result<std::process::Child> {
    if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    }
}

pub fn serve(options: &ServeOptions, ui: &Ui) -> Result<()> {
    if !options.root.is_dir() {
        bail!(
            "{}: no such project folder; run `brief init {}` to start one",
            options.root.display(),
            options.root.display()
        );
    }
    let root =
        options.root.canonicalize().with_context(|| format!("{}: cannot open", options.root.display()))?;
    let shared = Arc::new(Shared::new(*ui));
    // Every rebuild reads the build cache: the article shards and seed index it decoded last
    // time and that are unchanged on disk are kept rather than read and decoded again.
    crate::cache::keep_decoded_files();
    // Watch before the first build, so no save made during it is missed.
    let mut watch = watch::Watch::new(&root)?;
    build(&root, ui, &shared, None);

    let listener = bind(options.bind, options.port)?;
    let address = listener.local_addr().context("cannot read the listening address")?;
    let url = format!("http://{address}/");
    let server = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("brief-http".into())
        .spawn(move || {
            if let Err(err) = http::run(listener, server) {
                eprintln!("error: the preview server stopped: {err}");
                std::process::exit(1);
            }
        })
        .context("cannot start the preview server")?;
    if !options.bind.is_loopback() {
        ui.warning(&format!("listening on {address}: other machines on the network can see the preview"));
    }
    // The address is the one line a script (or test) needs: printed even with --quiet.
    eprintln!("serving {} on {} {}", root.display(), ui.good(&url), ui.dim("(Ctrl-C stops)"));
    if options.open
        && let Err(err) = open_browser(&url)
    {
        ui.warning(&format!("cannot open a browser ({err}); open {url} yourself"));
    }
    while let Some(changed) = watch.next_change() {
        build(&root, ui, &shared, Some(&changed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_the_script_before_the_body_ends() {
        let shared = Shared::new(Ui::new(true, false));
        let out = String::from_utf8(shared.inject(b"<html><body><p>x</p></BODY></html>")).unwrap();
        let script = out.find("<script data-brief-reload>").unwrap();
        assert!(script > out.find("<p>x</p>").unwrap() && script < out.find("</BODY>").unwrap());
        assert!(out.contains("/__brief/events"));
    }

    #[test]
    fn error_text_cannot_close_the_script() {
        let shared = Shared::new(Ui::new(true, false));
        shared.fail(Problem { file: None, line: None, message: "</script><b>".into() });
        let out = String::from_utf8(shared.inject(b"<body></body>")).unwrap();
        assert_eq!(out.matches("</script>").count(), 1, "{out}");
    }
}
