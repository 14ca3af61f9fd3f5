//! Write: put the built files on disk without ever leaving a half-written site.
//!
//! Files go into a temporary folder beside the output (`.NAME.brief-tmp-PID`) as they are
//! rendered (a `Staging` is a `Sink`), so a large site is never whole in memory; only when
//! every file is written is the old output moved aside and the new one renamed into place.
//! Leftovers of an interrupted build are removed on the next run. An existing output that
//! brief did not write (no `.brief-output` marker) is never replaced unless forced.
//!
//! A rebuild of an output whose pages brief recorded (`Staging::reusing_pages`) updates it in
//! place instead: the unchanged pages stay where they are, and only once every file is written
//! are the new ones renamed over the old (each rename atomic) and the files no longer made
//! removed. A rebuild after one seed changed then touches a handful of files, not the
//! thousands of folders and links of a whole new tree.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use crate::cache::pages::{PageRecord, PageRecords};
use crate::chunks::{ChunkKey, ChunkSource, ChunkWriter, ChunksIn, NewChunk, Placed, Previous};
use crate::file_bytes::{FileBytes, PartsWriter};
use crate::fingerprint::Fingerprint;
use crate::render::OutputFile;

/// Marks a folder as brief's output, so brief may replace it.
pub const MARKER: &str = ".brief-output";

/// Where rendered files go: kept in memory (`MemorySink`: `brief serve`, `check`, tests) or
/// written into the build's staging folder as they are made (`Staging`).
pub trait Sink: Sync {
    /// Makes the file at `path` (relative to the output, `/`-separated) from what `fill` writes.
    fn put(&self, path: &str, fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>) -> Result<()>;

    /// `put` for a file made from inputs with this fingerprint: a sink that still has the file
    /// the previous build made from the same fingerprint may take it over without `fill`.
    fn put_page(
        &self,
        path: &str,
        _fingerprint: &Fingerprint,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        self.put(path, fill)
    }

    /// `put` for a data file written in chunks (`chunks`): a sink that still has the previous
    /// build's file lets unchanged chunks be copied from it.
    fn put_chunked(&self, path: &str, fill: &mut dyn FnMut(&mut ChunkWriter) -> Result<()>) -> Result<()> {
        put_in_chunks(self, path, None, fill).map(|_| ())
    }
}

/// Puts a file whose bytes are already made.
pub fn put_bytes(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<()> {
    sink.put(path, &mut |w| Ok(w.write_all(bytes)?))
}

/// Puts a data file that `fill` writes in chunks, copying unchanged chunks from `previous`;
/// returns where each chunk went.
fn put_in_chunks<S: Sink + ?Sized>(
    sink: &S,
    path: &str,
    previous: Option<Previous<'_>>,
    fill: &mut dyn FnMut(&mut ChunkWriter) -> Result<()>,
) -> Result<(Vec<Placed>, Fingerprint)> {
    let mut previous = previous;
    let mut written = None;
    sink.put(path, &mut |w| {
        let mut writer = ChunkWriter::new(w, previous.take());
        fill(&mut writer)?;
        written = Some(writer.finish_with_outline()?);
        Ok(())
    })?;
    written.with_context(|| format!("{path}: not written"))
}

/// What the data file `fill` writes would be, as a fingerprint of its outline (the bytes
/// between its chunks and the chunks' keys; see `ChunkWriter::outline`), if it has only
/// chunks that `previous` has: a file whose outline is the same as last time's is kept
/// rather than written again.
fn outline_of(
    fill: &mut dyn FnMut(&mut ChunkWriter) -> Result<()>,
    previous: Option<&Previous>,
) -> Result<Option<Fingerprint>> {
    let Some(previous) = previous else {
        return Ok(None);
    };
    let has = |key: &ChunkKey| previous.locate(key).is_some();
    let mut nowhere = std::io::sink();
    let mut outline = ChunkWriter::outline(&mut nowhere, Some(&has));
    match fill(&mut outline) {
        Ok(()) => Ok(Some(outline.outline_finish())),
        Err(e) if e.downcast_ref::<NewChunk>().is_some() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Collects the files in memory; given the previous build's files (`brief serve`), takes
/// over its unchanged pages and data-file chunks as `Staging` does from disk.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Vec<OutputFile>>,
    previous: MemoryFiles,
    made: Mutex<HashMap<String, Memo>>,
}

/// What a file kept in memory was made from: a page's fingerprint, a data file's chunks.
#[derive(Debug, Clone, Default)]
pub struct Memo {
    pub fingerprint: Option<Fingerprint>,
    pub chunks: Vec<Placed>,
}

/// A build's files kept in memory, with what each was made from.
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    pub files: HashMap<String, (FileBytes, Memo)>,
}

impl MemorySink {
    pub fn reusing(previous: MemoryFiles) -> MemorySink {
        MemorySink { previous, ..MemorySink::default() }
    }

    /// The files, in path order (pages are rendered in parallel and arrive in any order).
    pub fn into_files(self) -> Vec<OutputFile> {
        self.into_files_and_memos().0
    }

    /// The files in path order, and what each page and data file was made from.
    pub fn into_files_and_memos(self) -> (Vec<OutputFile>, HashMap<String, Memo>) {
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        (files, self.made.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    fn memo(&self, path: &str, memo: Memo) {
        self.made.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), memo);
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>) -> Result<()> {
        check_relative(path)?;
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        let file = OutputFile { path: path.to_string(), bytes: bytes.into() };
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(())
    }

    fn put_page(
        &self,
        path: &str,
        fingerprint: &Fingerprint,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        match self.previous.files.get(path) {
            Some((bytes, memo)) if memo.fingerprint.as_ref() == Some(fingerprint) => {
                check_relative(path)?;
                let file = OutputFile { path: path.to_string(), bytes: bytes.clone() };
                self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            }
            _ => self.put(path, fill)?,
        }
        self.memo(path, Memo { fingerprint: Some(*fingerprint), chunks: Vec::new() });
        Ok(())
    }

    fn put_chunked(&self, path: &str, fill: &mut dyn FnMut(&mut ChunkWriter) -> Result<()>) -> Result<()> {
        check_relative(path)?;
        let previous: Option<Previous> =
            self.previous.files.get(path).filter(|(_, memo)| !memo.chunks.is_empty()).map(|(bytes, memo)| {
                ChunksIn::new(Box::new(bytes.clone()) as Box<dyn ChunkSource>, &memo.chunks)
            });
        let outline = outline_of(fill, previous.as_ref())?;
        let same = |(_, memo): &&(FileBytes, Memo)| outline.is_some() && memo.fingerprint == outline;
        if let Some((bytes, memo)) = self.previous.files.get(path).filter(same) {
            let file = OutputFile { path: path.to_string(), bytes: bytes.clone() };
            self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            self.memo(path, memo.clone());
            return Ok(());
        }
        // Written as parts: the runs of unchanged chunks are the previous file's own bytes.
        let mut parts = PartsWriter::default();
        let mut writer = ChunkWriter::in_parts(&mut parts, previous);
        fill(&mut writer)?;
        let (chunks, outline) = writer.finish_with_outline()?;
        let file = OutputFile { path: path.to_string(), bytes: parts.finish() };
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        self.memo(path, Memo { fingerprint: Some(outline), chunks });
        Ok(())
    }
}

/// A new site being written beside the output. Dropped without `commit`, it is removed and
/// the previous output stays as it was.
pub struct Staging {
    output: PathBuf,
    temp: PathBuf,
    old: PathBuf,
    /// Folders already made, so each is created once.
    folders: Mutex<HashSet<String>>,
    committed: bool,
    /// Where the record of this output's pages is kept (see `PageRecord`), when it is.
    records: Option<PathBuf>,
    /// The previous build's pages that may be taken over, by path.
    previous: HashMap<String, PageRecord>,
    /// The pages of this build, for the next.
    made: Mutex<Vec<(String, PageRecord)>>,
    /// Updating the output in place (it holds the recorded pages): the pages taken over are
    /// left where they are, and are listed here.
    in_place: bool,
    kept: Mutex<HashSet<String>>,
}

/// A page in the output: the fingerprint it was made from, and the file as it was left (size,
/// modification time, inode). The page is taken over by the next build (left in place, or
/// hard-linked into its staging folder) only while the file is unchanged and the fingerprint
/// is the same. Not the change time: linking, unlinking and renaming the file change it.
impl PageRecord {
    /// The file at `file` as it is now, with no fingerprint or chunks yet.
    fn of(file: &Path) -> Option<PageRecord> {
        let meta = std::fs::symlink_metadata(file).ok()?;
        let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(PageRecord {
            fingerprint: Fingerprint([0; 32]),
            len: meta.len(),
            modified_ns: modified.as_nanos(),
            inode: inode(&meta)?,
            chunks: std::sync::Arc::from([]),
        })
    }

    /// Whether the file at `file` is still as this record found it.
    fn unchanged(&self, file: &Path) -> bool {
        PageRecord::of(file).is_some_and(|now| {
            (now.len, now.modified_ns, now.inode) == (self.len, self.modified_ns, self.inode)
        })
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.ino())
}

/// Without inodes a file cannot be told apart from a copy put in its place: nothing is reused.
#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> Option<u64> {
    None
}

impl Staging {
    /// Checks that `output` may be replaced and opens an empty staging folder beside it.
    pub fn begin(output: &Path, force: bool) -> Result<Staging> {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .with_context(|| format!("{}: output must name a folder", output.display()))?;
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).with_context(|| format!("{}: cannot create", parent.display()))?;
        restore_interrupted_swap(output, &parent, &name);
        check_replaceable(output, force)?;
        remove_leftovers(&parent, &name);
        let temp = parent.join(format!(".{name}.brief-tmp-{}", std::process::id()));
        std::fs::create_dir_all(&temp).with_context(|| format!("{}: cannot create", temp.display()))?;
        Ok(Staging {
            output: output.to_path_buf(),
            old: parent.join(format!(".{name}.brief-old-{}", std::process::id())),
            temp,
            folders: Mutex::new(HashSet::new()),
            committed: false,
            records: None,
            previous: HashMap::new(),
            made: Mutex::new(Vec::new()),
            in_place: false,
            kept: Mutex::new(HashSet::new()),
        })
    }

    /// Keeps a record of the pages at `records` (in the build cache), and takes over the
    /// previous build's unchanged pages if the record there describes this output.
    pub fn reusing_pages(mut self, records: &Path) -> Staging {
        let output = std::fs::canonicalize(&self.output).ok();
        let previous = crate::cache::pages::read_records(records)
            .filter(|r| Some(&r.output) == output.as_ref())
            // The output must still be brief's (a marker), not something put in its place.
            .filter(|_| self.output.join(MARKER).is_file());
        if let Some(previous) = previous {
            self.previous = previous.pages.into_iter().collect();
            self.in_place = true;
        }
        self.records = Some(records.to_path_buf());
        self
    }

    /// Takes over the previous build's page at `path` if it was made from `fingerprint` and its
    /// file is as that build left it: left in place, or hard-linked into the staging folder.
    fn take_over(&self, path: &str, fingerprint: &Fingerprint) -> Option<PageRecord> {
        let record = self.previous.get(path)?;
        let old = self.output.join(path);
        if record.fingerprint != *fingerprint || !record.unchanged(&old) {
            return None;
        }
        if self.in_place {
            self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string());
        } else {
            self.make_folder(path).ok()?;
            std::fs::hard_link(&old, self.temp.join(path)).ok()?;
        }
        Some(record.clone())
    }

    /// The chunks of the previous build's data file at `path`, if it is as that build left it.
    #[cfg(unix)]
    fn previous_chunks(&self, path: &str) -> Option<Previous<'static>> {
        let record = self.previous.get(path).filter(|r| !r.chunks.is_empty())?;
        let old = self.output.join(path);
        if !record.unchanged(&old) {
            return None;
        }
        let file = std::fs::File::open(&old).ok()?;
        Some(ChunksIn::new(Box::new(file) as Box<dyn ChunkSource>, &record.chunks))
    }

    #[cfg(not(unix))]
    fn previous_chunks(&self, _: &str) -> Option<Previous<'static>> {
        None
    }

    /// Creates the file at `path` in the staging folder (and the folders above it).
    fn create(&self, path: &str) -> Result<(PathBuf, std::fs::File)> {
        check_relative(path)?;
        self.make_folder(path)?;
        let target = self.temp.join(path);
        let file =
            std::fs::File::create(&target).with_context(|| format!("{}: cannot write", target.display()))?;
        Ok((target, file))
    }

    fn make_folder(&self, path: &str) -> Result<()> {
        if let Some((folder, _)) = path.rsplit_once('/') {
            // Held while creating, so no other page writes into a folder not made yet.
            let mut made = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if !made.contains(folder) {
                let dir = self.temp.join(folder);
                std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
                made.insert(folder.to_string());
            }
        }
        Ok(())
    }

    /// Saves the record of this build's pages; failures are not errors (it only saves work).
    fn save_records(&self) {
        let Some(records) = &self.records else {
            return;
        };
        let Ok(output) = std::fs::canonicalize(&self.output) else {
            return;
        };
        let mut pages = std::mem::take(&mut *self.made.lock().unwrap_or_else(|e| e.into_inner()));
        pages.sort_by(|a, b| a.0.cmp(&b.0));
        let (Some(dir), Some(name)) = (records.parent(), records.file_name()) else {
            return;
        };
        // Nothing changed (the previous record is this output's, and every page is as it was):
        // the record read is still the record.
        let same = pages.len() == self.previous.len()
            && pages.iter().all(|(path, record)| self.previous.get(path) == Some(record));
        if same && self.in_place {
            return;
        }
        // Written as it is encoded: megabytes at scale, written as the build ends.
        if std::fs::create_dir_all(dir).is_ok() {
            crate::cache::pages::write_records(dir, &name.to_string_lossy(), &PageRecords { output, pages });
        }
    }

    /// Marks the staged folder as brief's output and swaps it in for the previous one; or, when
    /// updating in place, moves the files written over the previous ones.
    pub fn commit(mut self) -> Result<()> {
        if self.in_place {
            let freeing = self.update_in_place()?;
            self.committed = true;
            // The files replaced are in the staging folder: freeing them (a data file is
            // hundreds of megabytes of page cache) goes beside saving the record.
            rayon::join(
                || {
                    let _ = freeing.join();
                    remove_tree(&self.temp)
                },
                || self.save_records(),
            );
            return Ok(());
        }
        std::fs::write(
            self.temp.join(MARKER),
            b"This folder is written by brief; brief build replaces it.\n",
        )
        .with_context(|| format!("{}: cannot write the output marker", self.temp.display()))?;
        if self.output.exists() {
            std::fs::rename(&self.output, &self.old).with_context(|| {
                format!("{}: cannot move the previous output aside", self.output.display())
            })?;
        }
        if let Err(e) = std::fs::rename(&self.temp, &self.output) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&self.old, &self.output);
            return Err(e)
                .with_context(|| format!("{}: cannot move the new site into place", self.output.display()));
        }
        self.committed = true;
        remove_tree(&self.old);
        self.save_records();
        Ok(())
    }
}

impl Staging {
    /// Renames every file written into the output (over the previous one), then removes what
    /// the previous build made and this one did not. The files replaced are removed on a
    /// thread of their own, which is returned.
    fn update_in_place(&self) -> Result<std::thread::JoinHandle<()>> {
        let mut made: HashSet<String> =
            std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()));
        made.insert(MARKER.to_string());
        let mut written = Vec::new();
        for entry in walkdir::WalkDir::new(&self.temp).sort_by_file_name() {
            let entry = entry.with_context(|| format!("{}: cannot read", self.temp.display()))?;
            if !entry.file_type().is_dir() {
                written.push(relative_path(&self.temp, entry.path()));
            }
        }
        // The file replaced is first moved aside (into the staging folder, removed after): a
        // rename over an existing file makes ext4 write the new file out at once (its
        // `auto_da_alloc` guard), which for the data files is a tenth of a second.
        let aside = self.temp.join(".replaced");
        std::fs::create_dir_all(&aside).with_context(|| format!("{}: cannot create", aside.display()))?;
        // Removed as soon as they are aside, beside the renames that follow.
        let (replaced, to_remove) = std::sync::mpsc::channel::<PathBuf>();
        let freeing = std::thread::spawn(move || {
            for file in to_remove {
                let _ = std::fs::remove_file(file);
            }
        });
        for (n, relative) in written.iter().enumerate() {
            let target = self.output.join(relative);
            make_parent_folders(&self.output, &target)?;
            if target.is_dir() {
                std::fs::remove_dir_all(&target)
                    .with_context(|| format!("{}: cannot replace", target.display()))?;
            } else if target.exists() {
                let moved = aside.join(n.to_string());
                std::fs::rename(&target, &moved)
                    .with_context(|| format!("{}: cannot move the old file aside", target.display()))?;
                let _ = replaced.send(moved);
            }
            std::fs::rename(self.temp.join(relative), &target)
                .with_context(|| format!("{}: cannot move the new file into place", target.display()))?;
        }
        made.extend(written);
        // Deepest first, so that a folder emptied of stale files is removed too.
        for entry in walkdir::WalkDir::new(&self.output).contents_first(true).into_iter().flatten() {
            let relative = relative_path(&self.output, entry.path());
            if relative.is_empty() || made.contains(&relative) {
                continue;
            }
            if entry.file_type().is_dir() {
                // Not empty: it holds what this build made.
                let _ = std::fs::remove_dir(entry.path());
            } else {
                std::fs::remove_file(entry.path()).with_context(|| {
                    format!("{}: cannot remove a file no longer made", entry.path().display())
                })?;
            }
        }
        drop(replaced);
        Ok(freeing)
    }
}

/// `path` under `base` as the `/`-separated relative path the sinks use.
fn relative_path(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Makes the folders above `target` inside `output`, removing any file in their way (a page
/// that is now a folder of pages).
fn make_parent_folders(output: &Path, target: &Path) -> Result<()> {
    let Some(parent) = target.parent() else {
        return Ok(());
    };
    if parent.is_dir() {
        return Ok(());
    }
    for folder in parent.ancestors().filter(|f| f.starts_with(output) && *f != output) {
        if folder.is_file() {
            std::fs::remove_file(folder).with_context(|| format!("{}: cannot replace", folder.display()))?;
        }
    }
    std::fs::create_dir_all(parent).with_context(|| format!("{}: cannot create", parent.display()))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>) -> Result<()> {
        let (target, file) = self.create(path)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        fill(&mut out)?;
        out.flush().with_context(|| format!("{}: cannot write", target.display()))
    }

    fn put_page(
        &self,
        path: &str,
        fingerprint: &Fingerprint,
        fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        check_relative(path)?;
        let record = match self.take_over(path, fingerprint) {
            Some(record) => Some(record),
            None => {
                self.put(path, fill)?;
                PageRecord::of(&self.temp.join(path))
                    .map(|made| PageRecord { fingerprint: *fingerprint, ..made })
            }
        };
        if let Some(record) = record {
            self.made.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_string(), record));
        }
        Ok(())
    }

    /// Written here rather than through `put`: the chunks copied from the previous file are
    /// copied file to file, by the kernel.
    fn put_chunked(&self, path: &str, fill: &mut dyn FnMut(&mut ChunkWriter) -> Result<()>) -> Result<()> {
        check_relative(path)?;
        let previous = self.previous_chunks(path);
        let outline = outline_of(fill, previous.as_ref())?;
        if let Some(record) = outline.and_then(|outline| self.take_over(path, &outline)) {
            self.made.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_string(), record));
            return Ok(());
        }
        let (target, file) = self.create(path)?;
        let cannot = || format!("{}: cannot write", target.display());
        let same_file = file.try_clone().with_context(cannot)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        let mut writer = ChunkWriter::new(&mut out, previous).into_file(same_file);
        fill(&mut writer)?;
        let (chunks, outline) = writer.finish_with_outline().with_context(cannot)?;
        if let Some(mut record) = PageRecord::of(&target) {
            record.fingerprint = outline;
            record.chunks = chunks.into();
            self.made.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_string(), record));
        }
        Ok(())
    }
}

/// Removes a folder and everything in it, the files side by side (a site has thousands).
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).into_iter().flatten() {
        if entry.file_type().is_dir() {
            folders.push(entry.into_path());
        } else {
            files.push(entry.into_path());
        }
    }
    files.par_iter().for_each(|file| {
        let _ = std::fs::remove_file(file);
    });
    // Deepest first; whatever is left (a file that appeared meanwhile) goes the slow way.
    for folder in folders.iter().rev() {
        let _ = std::fs::remove_dir(folder);
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn check_relative(path: &str) -> Result<()> {
    if path.split('/').any(|part| part == ".." || part.is_empty()) || path.starts_with('/') {
        bail!("refusing to write `{path}` outside the output");
    }
    Ok(())
}

fn check_replaceable(output: &Path, force: bool) -> Result<()> {
    if force || !output.exists() {
        return Ok(());
    }
    if !output.is_dir() {
        bail!("{}: output exists and is not a folder; choose another --output", output.display());
    }
    let empty = std::fs::read_dir(output)
        .with_context(|| format!("{}: cannot read", output.display()))?
        .next()
        .is_none();
    if empty || output.join(MARKER).exists() {
        return Ok(());
    }
    bail!(
        "{}: output folder has files brief did not write; refusing to replace it (pick an empty folder, or pass --force)",
        output.display()
    )
}

/// A build killed between moving the old site aside and moving the new one in leaves no output
/// but the old site under `.NAME.brief-old-PID`: put it back before anything else.
fn restore_interrupted_swap(output: &Path, parent: &Path, name: &str) {
    if output.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.brief-old-");
    let mut olds: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .filter(|p| p.join(MARKER).exists())
        .collect();
    // The most recently moved aside is the last good site.
    olds.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    if let Some(last) = olds.pop() {
        let _ = std::fs::rename(last, output);
    }
}

/// Temp and old folders of builds that were killed midway.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.brief-tmp-"), format!(".{name}.brief-old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` as the whole new content of `output`, as a build does.
    fn write_site(output: &Path, files: &[OutputFile], force: bool) -> Result<()> {
        let staging = Staging::begin(output, force)?;
        for file in files {
            put_bytes(&staging, &file.path, &file.bytes.contiguous())?;
        }
        staging.commit()
    }

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile { path: path.into(), bytes: text.as_bytes().to_vec().into() }
    }

    #[test]
    fn replaces_previous_output_and_cleans_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a/index.html", "one")], false).unwrap();
        std::fs::create_dir(dir.path().join(".public.brief-tmp-999999")).unwrap();
        write_site(&out, &[file("b.html", "two")], false).unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_swap_cut_short_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "good")], false).unwrap();
        // Killed after moving the old site aside, before moving the new one in.
        std::fs::rename(&out, dir.path().join(".public.brief-old-777")).unwrap();
        std::fs::create_dir_all(dir.path().join(".public.brief-tmp-777")).unwrap();
        // The next build fails before writing: the old site must be back all the same.
        let err = write_site(&out, &[file("../bad", "x")], false);
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "good");
        write_site(&out, &[file("index.html", "new")], false).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_a_foreign_folder_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "precious").unwrap();
        let err = write_site(&out, &[file("index.html", "x")], false).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("thesis.tex")).unwrap(), "precious");
        write_site(&out, &[file("index.html", "x")], true).unwrap();
        assert!(out.join("index.html").exists());
    }

    #[test]
    fn a_failed_write_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "old")], false).unwrap();
        let err = write_site(&out, &[file("../escape.html", "x")], false).unwrap_err();
        assert!(err.to_string().contains("outside"));
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!dir.path().join("escape.html").exists());
    }

    #[test]
    fn a_build_that_fails_midway_leaves_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "old")], false).unwrap();
        {
            let staging = Staging::begin(&out, false).unwrap();
            put_bytes(&staging, "topics/a/index.html", b"half").unwrap();
            let err = staging.put("topics/b/index.html", &mut |_| anyhow::bail!("template failed"));
            assert!(err.is_err());
            // Dropped without commit, as when a later stage fails.
        }
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    /// A build that records its pages (as `brief build` does): each page under a fingerprint
    /// of its text, so an unchanged page is taken over.
    fn write_recorded(output: &Path, records: &Path, pages: &[OutputFile]) -> Result<()> {
        let staging = Staging::begin(output, false)?.reusing_pages(records);
        for page in pages {
            let mut fingerprint = crate::fingerprint::Fingerprinter::default();
            fingerprint.bytes(&page.bytes.contiguous());
            staging.put_page(&page.path, &fingerprint.finish(), &mut |w| {
                Ok(w.write_all(&page.bytes.contiguous())?)
            })?;
        }
        staging.commit()
    }

    #[test]
    fn a_recorded_output_is_updated_in_place() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let records = dir.path().join("pages.bin");
        let first = [file("index.html", "home"), file("a/index.html", "a"), file("gone/index.html", "gone")];
        write_recorded(&out, &records, &first).unwrap();
        let inode = |path: &str| std::fs::metadata(out.join(path)).unwrap().ino();
        let (home, a, folder) = (inode("index.html"), inode("a/index.html"), inode(""));

        // `a` is kept where it is; `index.html` changes; `gone` goes; `b` comes; the page `c`
        // takes the place of a stray file named `c`.
        std::fs::write(out.join("c"), "a stray file where a folder now goes").unwrap();
        let second = [
            file("index.html", "home 2"),
            file("a/index.html", "a"),
            file("b/index.html", "b"),
            file("c/index.html", "c"),
        ];
        // A build that fails before its end changes nothing.
        {
            let staging = Staging::begin(&out, false).unwrap().reusing_pages(&records);
            put_bytes(&staging, "index.html", b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "home");
        write_recorded(&out, &records, &second).unwrap();
        let mut found: Vec<String> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| relative_path(&out, e.path()))
            .collect();
        found.sort();
        assert_eq!(found, [MARKER, "a/index.html", "b/index.html", "c/index.html", "index.html"]);
        assert!(!out.join("gone").exists(), "a folder emptied of pages no longer made stays");
        assert_eq!(inode(""), folder, "the output was replaced, not updated in place");
        assert_eq!(inode("a/index.html"), a, "the unchanged page was not kept");
        assert_ne!(inode("index.html"), home);
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "home 2");
        // Nothing is left beside the output.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");

        // The same build again keeps every page, and the record as it is; a changed page
        // rewrites the record, which then takes that page over.
        let recorded = || std::fs::metadata(&records).unwrap().ino();
        let before = recorded();
        write_recorded(&out, &records, &second).unwrap();
        assert_eq!(recorded(), before, "an unchanged output's record was written again");
        let third = [file("index.html", "home 3"), file("a/index.html", "a")];
        write_recorded(&out, &records, &third).unwrap();
        assert_ne!(recorded(), before);
        let home = inode("index.html");
        write_recorded(&out, &records, &third).unwrap();
        assert_eq!(inode("index.html"), home, "the new record does not take over the new page");
    }

    #[test]
    fn memory_sink_orders_files_by_path() {
        let sink = MemorySink::default();
        put_bytes(&sink, "b/index.html", b"b").unwrap();
        put_bytes(&sink, "a.html", b"a").unwrap();
        assert!(put_bytes(&sink, "../x", b"x").is_err());
        let paths: Vec<String> = sink.into_files().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["a.html", "b/index.html"]);
    }
}
