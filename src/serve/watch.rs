//! Watching the project: `notify` with its mini debouncer on the folders a build reads
//! (`seeds/`, `content/`, `themes/`, `templates/`, `static/`) and on the project folder itself
//! (for `brief.toml`, and folders created after `serve` started). Editor temp and swap files
//! are ignored, so a save is one rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::event::EventKind;
use notify_debouncer_full::notify::{self, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache, new_debouncer_opt};

/// Folders a build reads, watched recursively.
pub const WATCHED_DIRS: &[&str] = &["seeds", "content", "themes", "templates", "static"];
/// Files in the project folder a build reads.
pub const WATCHED_FILES: &[&str] = &["brief.toml"];

/// How long the debouncer waits for a burst of events (an editor's save) to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

pub struct Watch {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, NoCache>,
    watched: BTreeSet<String>,
    events: Receiver<DebounceEventResult>,
}

impl Watch {
    pub fn new(root: &Path) -> Result<Watch> {
        let (sender, events) = channel();
        let mut debouncer = new_debouncer_opt(DEBOUNCE, None, sender, NoCache, notify::Config::default())
            .context("cannot start watching files")?;
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("{}: cannot watch", root.display()))?;
        let mut watch = Watch { root: root.to_path_buf(), debouncer, watched: BTreeSet::new(), events };
        watch.watch_new_dirs();
        Ok(watch)
    }

    /// Starts watching any of `WATCHED_DIRS` that appeared since the last call.
    fn watch_new_dirs(&mut self) {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            if !self.watched.contains(*dir)
                && path.is_dir()
                && self.debouncer.watch(&path, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir.to_string());
            }
        }
        self.watched.retain(|dir| self.root.join(dir).is_dir());
    }

    /// Blocks until something a build reads has changed; returns the changed paths,
    /// project-relative and sorted. `None` when the watcher has stopped.
    pub fn next_change(&mut self) -> Option<Vec<String>> {
        loop {
            let mut batch = vec![self.events.recv().ok()?];
            // Coalesce whatever else is already queued.
            while let Ok(more) = self.events.try_recv() {
                batch.push(more);
            }
            self.watch_new_dirs();
            let mut changed = BTreeSet::new();
            for result in batch {
                let Ok(events) = result else { continue };
                // Reading a file (as every build does) is an event too: only changes count.
                for event in events.iter().filter(|e| changes_content(&e.event.kind)) {
                    for path in &event.event.paths {
                        if let Some(rel) = relevant(&self.root, path) {
                            changed.insert(rel);
                        }
                    }
                }
            }
            if !changed.is_empty() {
                return Some(changed.into_iter().collect());
            }
        }
    }
}

/// Created, written, renamed, removed or touched; not opened or read (every build reads).
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// The project-relative path of a change a build cares about, or `None` (output folder,
/// editor temp files, unrelated files).
pub fn relevant(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    let first = rel.split('/').next().unwrap_or("");
    let wanted = WATCHED_FILES.contains(&rel.as_str())
        || (WATCHED_DIRS.contains(&first) && first != rel)
        || WATCHED_DIRS.contains(&rel.as_str());
    if !wanted {
        return None;
    }
    let name = rel.rsplit('/').next().unwrap_or("");
    (!is_editor_temp(name)).then_some(rel)
}

/// Swap, backup and temp files that editors write next to the file being saved.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')                       // .file.swp, .#lock (Emacs), .DS_Store
        || name.ends_with('~')                  // backup~
        || name.starts_with('#') && name.ends_with('#') // #autosave# (Emacs)
        || [".swp", ".swo", ".swx", ".tmp", ".crswap", ".kate-swp", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
        || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit())) // vim's 4913 probe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_editor_temp_files() {
        for name in
            [".gaza.md.swp", "gaza.md~", ".#gaza.md", "4913", "#gaza.md#", "x.md.tmp", "x___jb_tmp___"]
        {
            assert!(is_editor_temp(name), "{name}");
        }
        for name in ["gaza.md", "001.txt", "style.css", "brief.toml"] {
            assert!(!is_editor_temp(name), "{name}");
        }
    }

    #[test]
    fn only_what_a_build_reads_is_relevant() {
        let root = Path::new("/p");
        assert_eq!(relevant(root, Path::new("/p/brief.toml")).as_deref(), Some("brief.toml"));
        assert_eq!(
            relevant(root, Path::new("/p/content/topics/a.md")).as_deref(),
            Some("content/topics/a.md")
        );
        assert_eq!(relevant(root, Path::new("/p/seeds")).as_deref(), Some("seeds"));
        assert_eq!(relevant(root, Path::new("/p/public/index.html")), None);
        assert_eq!(relevant(root, Path::new("/p/seeds/.001.txt.swp")), None);
        assert_eq!(relevant(root, Path::new("/p/notes.txt")), None);
        assert_eq!(relevant(root, Path::new("/elsewhere/brief.toml")), None);
    }
}
