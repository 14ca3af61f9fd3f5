//! The build cache: what ingest, clean and topic assignment made of each seed, kept in
//! `.brief-cache/articles-*.bin` under the project root so that the next `brief build` or
//! `brief serve` rebuild cleans only the seeds that changed.
//!
//! An entry is used only when everything it was computed from is the same: the seed as read
//! (its path, header and lines, hashed), the repetition counts of its lines across all seeds
//! (a line seen in several seeds is boilerplate, so another seed can change this one's
//! cleaning), the `[clean]` patterns and topics of the configuration, and the brief binary
//! itself (its version and the size and time of the executable, so a rebuilt brief with new
//! rules starts afresh). Articles whose outlet has its own `[clean]` patterns are not cached.
//!
//! Entries of a large cache are spread over several files by seed path (`Family`), read side
//! by side; a save rewrites only the files whose content changed. Each file is written to a
//! temporary name and renamed into place, never changed in place (a build maps the article
//! shards, the seed index and the page records, `read_shared`), and starts with a magic line
//! (with a format number) and a checksum of the payload; a file that fails any check is
//! ignored (and rewritten), never trusted.
//!
//! `.brief-cache/facts-*.bin` keep what assemble read out of each article (its figures and
//! quotes, the costly part of assembling), keyed by the outlet and the article's hash (which
//! covers its seed, date, and every paragraph's kind, text, topic and anchor), and
//! `summaries.json` each topic's drafted summary, keyed by its articles' keys; `outlets.json`
//! each article's outlet clues; `timeline.bin` how each day and topic's dated sentences were
//! merged into events; all under the same binary fingerprint and a checksum. `pages.bin`
//! records the output's pages and their fingerprints (`pages`, `write::Staging::reusing_pages`).

pub mod pages;
pub mod seeds;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use bytestring::ByteString;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

pub use crate::assemble::facts::Facts;
use crate::assemble::facts::{ArticleDate, ArticleDates, ArticleFigure, ArticleQuote, EventDate, Span};
use crate::assemble::timeline::GroupEvents;
use crate::clean::Repeats;
use crate::model::{
    ArticleEntry, Block, BlockKind, CleanedArticle, Digest, RawArticle, RemovedLine, SourceEntry,
    SummaryPoint, interned,
};

/// The cache's folder under the project root.
pub const DIR: &str = ".brief-cache";
/// The record of the output's pages (`write::Staging::reusing_pages`).
pub const PAGES_FILE: &str = pages::FILE;
const MAGIC: &[u8] = b"brief-cache\n";
/// Bump when the layout below changes.
const FORMAT: u32 = 1;
/// Repetition counts from this on are the same to the cache, as they are to the cleaner (a line
/// in this many seeds is boilerplate whatever its shape): a seed added with an outlet's promo
/// line does not make every other seed holding it new.
const REPEAT_CAP: usize = crate::clean::REPEATED_IN_SEEDS;

/// What every entry of one cache file shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys {
    /// The brief binary: version and executable.
    pub binary: u64,
    /// The configuration's `[clean]` patterns.
    pub clean: u64,
    /// The topics (slugs, titles, keywords, order), for assignments.
    pub topics: u64,
}

impl Keys {
    pub fn new(clean: &impl std::fmt::Debug, topics: &impl std::fmt::Debug) -> Keys {
        Keys {
            binary: binary_fingerprint(),
            clean: hash_bytes(format!("{clean:?}").as_bytes()),
            topics: hash_bytes(format!("{topics:?}").as_bytes()),
        }
    }
}

/// One seed's cached results.
#[derive(Clone)]
pub struct Entry {
    pub raw: u64,
    pub repeats: u64,
    pub cleaned: CleanedArticle,
    /// Per block: index into the topics, or `None` ("Other"); `None` when topics changed.
    pub assignment: Option<Vec<Option<usize>>>,
}

/// The entries of a loaded cache.
#[derive(Default)]
pub struct Cache {
    /// Every usable shard's entries, shard by shard; `take_each` finds them by seed path.
    pub entries: Vec<Entry>,
    /// What each shard file held when read (`Shards`), so an unchanged shard is not rewritten.
    pub shards: Shards,
    /// Shard files that were damaged (and so not used), with why.
    pub damaged: Vec<String>,
}

/// A sharded family of cache files, `{stem}-{n}-of-{count}.{ext}`. Large caches are spread
/// over `MANY` files (a rebuild after a few seeds changed rewrites a few small files, and
/// the files are read side by side); small ones stay in one file, since every file costs a
/// little to write and read.
struct Family {
    stem: &'static str,
    ext: &'static str,
}

const ARTICLES: Family = Family { stem: "articles", ext: "bin" };
const FACTS: Family = Family { stem: "facts", ext: "bin" };
const MANY: usize = 16;
/// Fewer entries than this stay in one file.
const FEW: usize = 2048;

impl Family {
    fn name(&self, n: usize, count: usize) -> String {
        format!("{}-{n:02}-of-{count:02}.{}", self.stem, self.ext)
    }

    /// How many files `entries` entries are spread over.
    fn count_for(entries: usize) -> usize {
        if entries < FEW { 1 } else { MANY }
    }

    /// The family's files in `dir`, by name.
    fn present(&self, dir: &Path) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| {
                let Some(rest) = name.strip_prefix(self.stem).and_then(|r| r.strip_suffix(self.ext)) else {
                    return false;
                };
                let parts: Vec<&str> = rest.trim_matches(['-', '.']).split("-of-").collect();
                parts.len() == 2
                    && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        names.sort();
        names
    }

    /// Removes the family's files that are not `keep` (another count, or an earlier layout).
    fn remove_others(&self, dir: &Path, keep: &[String]) {
        for name in self.present(dir) {
            if !keep.contains(&name) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
        // Earlier layouts: one file, or `MANY` numbered ones.
        let _ = std::fs::remove_file(dir.join(format!("{}.{}", self.stem, self.ext)));
        for n in 0..MANY {
            let _ = std::fs::remove_file(dir.join(format!("{}-{n:02}.{}", self.stem, self.ext)));
        }
    }
}

/// Which file an entry goes in, by a hash of its key.
fn shard_of(hash: u64, count: usize) -> usize {
    (hash % count as u64) as usize
}

/// Per file read intact, by name: a signature of its content, so an unchanged file is not
/// written again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shards(HashMap<String, u64>);

/// Writes `bytes` to `dir/name` atomically; failures are not errors. The old file is removed
/// first: a rename over an existing file makes ext4 write the new one out at once, and a cache
/// file briefly missing costs nothing but a rebuild of its part.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) {
    use std::io::Write;
    write_atomically_with(dir, name, |out| out.write_all(bytes));
}

/// `write_atomically`, the file's bytes written by `write` through a buffer: a file made as it
/// is written is never held whole.
pub(crate) fn write_atomically_with(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) {
    use std::io::Write;
    let temp = temp_path(dir, name);
    let written = std::fs::File::create(&temp).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(PIECE, file);
        write(&mut out)?;
        out.flush()
    });
    put_in_place(&temp, dir, name, written.is_ok());
}

/// Where a cache file is written before it is renamed into place.
fn temp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.tmp-{}", std::process::id()))
}

/// Renames `temp`, once fully `written`, over `name` in `dir`; removes it otherwise.
fn put_in_place(temp: &Path, dir: &Path, name: &str, written: bool) {
    let target = dir.join(name);
    if !written
        || std::fs::remove_file(&target).is_err_and(|e| e.kind() != std::io::ErrorKind::NotFound)
        || std::fs::rename(temp, target).is_err()
    {
        let _ = std::fs::remove_file(temp);
    }
}

/// A cache file's header: `prefix` (magic, format), then `words` (keys, the payload's length
/// and checksum), little-endian.
fn header_bytes(prefix: &[&[u8]], words: &[u64]) -> Vec<u8> {
    let mut header = prefix.concat();
    for word in words {
        header.extend_from_slice(&word.to_le_bytes());
    }
    header
}

/// What a shard file holds: its keys and, per entry in seed order, the seed and the hashes of
/// the inputs the entry was computed from (the cleaning and assignment follow from them).
fn shard_signature<'a>(keys: &Keys, entries: impl Iterator<Item = (&'a str, u64, u64)>) -> u64 {
    let mut h = Hash::new();
    for key in [keys.binary, keys.clean, keys.topics] {
        h.u64(key);
    }
    for (seed, raw, repeats) in entries {
        h.str(seed);
        h.u64(raw);
        h.u64(repeats);
    }
    h.finish()
}

/// Why a cache file was not used: `Stale` is normal (another brief, other settings),
/// `Corrupt` is worth a note.
#[derive(Debug, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    Stale,
    Corrupt(String),
}

/// A cache file as it stands: size, modification time, (on Unix) inode, and a hash of its
/// first bytes, the header with the checksum of the rest. Cache files are replaced by renaming
/// a new file over them; the header tells a rewrite apart even where the system's clock ticks
/// coarsely and a freed inode comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp(u64, Option<std::time::SystemTime>, u64, u64);

impl FileStamp {
    /// The stamp of the file at `path`; its header must lie in its first 64 bytes.
    fn of(path: &Path) -> Option<FileStamp> {
        let mut file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        // The header (magic, format, keys, length, checksum) is 56 bytes.
        let mut head = [0u8; 64];
        let read = std::io::Read::read(&mut file, &mut head).ok()?;
        Some(FileStamp(meta.len(), meta.modified().ok(), inode, hash_bytes(&head[..read])))
    }
}

/// Cache files as decoded, kept between the builds of one process (`brief serve`, once
/// `keep_decoded_files` is called): a file that is as it was, read with the same keys, is not
/// read and decoded again but its decoding cloned, which shares its text (the article shards
/// are 60 ms of a rebuild at 10,000 articles). The price is a second copy of the decoded
/// structure in memory. (`None` until the first file is kept: a static cannot make a
/// `HashMap` up front.)
struct KeptFiles(std::sync::Mutex<Option<HashMap<PathBuf, KeptFile>>>);

struct KeptFile {
    stamp: FileStamp,
    keys: Keys,
    decoded: Box<dyn std::any::Any + Send>,
}

static KEPT_FILES: KeptFiles = KeptFiles(std::sync::Mutex::new(None));

/// From now on this process keeps the cache files it decodes (article shards, facts, the seed
/// index), for as long as the files stay as they were (see `KeptFiles`).
pub fn keep_decoded_files() {
    KEEPING.store(true, std::sync::atomic::Ordering::Relaxed);
}

static KEEPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process keeps what it decodes (`keep_decoded_files`).
fn keeping() -> bool {
    KEEPING.load(std::sync::atomic::Ordering::Relaxed)
}

impl KeptFiles {
    /// What `decode` makes of the file at `path`: kept from last time while the file is as it
    /// was and `keys` are the same, else decoded (and kept, where this process keeps).
    fn read<T: Clone + Send + 'static, E>(
        &self,
        path: &Path,
        keys: &Keys,
        decode: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<T, E> {
        let stamp = FileStamp::of(path).filter(|_| keeping());
        if let Some(stamp) = stamp {
            let files = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let kept =
                files.as_ref().and_then(|f| f.get(path)).filter(|k| k.stamp == stamp && k.keys == *keys);
            if let Some(decoded) = kept.and_then(|k| k.decoded.downcast_ref::<T>()) {
                return Ok(decoded.clone());
            }
        }
        let decoded = decode(path)?;
        if let Some(stamp) = stamp {
            let kept = KeptFile { stamp, keys: *keys, decoded: Box::new(decoded.clone()) };
            let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
            files.get_or_insert_with(HashMap::new).insert(path.to_path_buf(), kept);
        }
        Ok(decoded)
    }
}

/// Reads the cache of the project at `root`: every article file that is there, intact and
/// made with `keys`, side by side. A damaged file is noted and left out, never trusted.
pub fn load(root: &Path, keys: &Keys) -> Cache {
    let dir = root.join(DIR);
    let names = ARTICLES.present(&dir);
    let read: Vec<Result<(Vec<Entry>, u64), Unusable>> = names
        .par_iter()
        .map(|name| KEPT_FILES.read(&dir.join(name), keys, |path| decode(read_shared(path)?, keys)))
        .collect();
    let mut cache = Cache::default();
    for (name, file) in names.into_iter().zip(read) {
        match file {
            Ok((entries, signature)) => {
                cache.entries.extend(entries);
                cache.shards.0.insert(name, signature);
            }
            Err(Unusable::Corrupt(why)) => cache.damaged.push(format!("{name}: {why}")),
            Err(_) => {}
        }
    }
    cache
}

/// The bytes of the cache file at `path`. A build maps its article shards rather than reading
/// them: they are most of what a rebuild reads, and their text is shared from these bytes to
/// the end of the build, so reading them into fresh memory cost the kernel a page fault and a
/// copy for every page (a fifth of the system time of a one-seed rebuild at 10,000 articles).
/// The seed index and the page records are decoded from their mapping too: read, they took
/// 6 and 8 ms of a rebuild's first steps at 10,000 articles, the seed index on its longest path.
/// Only a build that ends with its process (`brief build`) maps: `brief serve` keeps what it
/// decodes for as long as it runs, and a mapping held that long could see its file cut short
/// by something other than brief.
fn read_shared(path: &Path) -> Result<Bytes, Unusable> {
    let file = std::fs::File::open(path).map_err(|_| Unusable::Missing)?;
    #[cfg(unix)]
    if !keeping()
        && let Ok(map) = map_file(&file)
    {
        return Ok(Bytes::from_owner(map));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut { file }, &mut bytes).map_err(|_| Unusable::Missing)?;
    Ok(bytes.into())
}

/// `file` mapped into memory, read-only.
///
/// Mapping is sound while nothing writes to or shortens the file for as long as the map
/// lives. brief never writes a cache file in place: a new one is written under another name
/// and renamed over it (`put_in_place`), which leaves a mapped file as it was. (Not on
/// Windows, where a mapped file cannot be replaced and the cache would never be saved.)
#[cfg(unix)]
#[allow(unsafe_code)]
fn map_file(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: see above; the file is only ever replaced, not changed. (A tool that writes over
    // the cache folder in place while a build runs, such as `rsync --inplace`, could cut a
    // mapped file short: the build would then stop with SIGBUS, and the next one would find
    // the file damaged and ignore it.)
    unsafe { memmap2::Mmap::map(file) }
}

impl Cache {
    /// Takes out the entry of each of `seeds` (`None` for a seed the cache does not have);
    /// what stays in `entries` is of seeds no longer there.
    ///
    /// A path-keyed map of the entries themselves cost a rebuild of 10,000 articles 10 ms on
    /// one core: every path cloned, hashed twice with SipHash, and each entry moved as the
    /// map grew. An index of positions, hashed with foldhash, is a fraction of that.
    pub fn take_each(&mut self, seeds: &[&str]) -> Vec<Option<Entry>> {
        let mut index: HashMap<&str, usize, foldhash::fast::FixedState> =
            HashMap::with_capacity_and_hasher(self.entries.len(), Default::default());
        for (i, entry) in self.entries.iter().enumerate() {
            index.insert(entry.cleaned.seed.as_str(), i);
        }
        let found: Vec<Option<usize>> = seeds.par_iter().map(|seed| index.get(seed).copied()).collect();
        drop(index);
        let mut slots: Vec<Option<Entry>> = std::mem::take(&mut self.entries).into_iter().map(Some).collect();
        let taken = found.into_iter().map(|at| at.and_then(|i| slots[i].take())).collect();
        self.entries = slots.into_iter().flatten().collect();
        taken
    }
}

/// What is saved of one article: its cleaning, the hashes of its seed and of its lines'
/// repetition counts, and its blocks' topics.
pub type Saved<'a> = (&'a CleanedArticle, u64, u64, &'a [Option<usize>]);

/// Writes the shards whose content differs from what `previous` says they held, each
/// atomically; failures are not errors (the cache is an optimisation).
pub fn save(root: &Path, keys: &Keys, entries: &[Saved], previous: &Shards) {
    save_later(root, keys, entries, previous).write();
}

/// Shards encoded and not yet written (`write`), so that writing them can go on a thread of
/// its own.
pub struct PendingShards {
    dir: PathBuf,
    files: Vec<(String, Vec<u8>)>,
    names: Vec<String>,
}

impl PendingShards {
    pub fn write(self) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        for (name, bytes) in &self.files {
            write_atomically(&self.dir, name, bytes);
        }
        ARTICLES.remove_others(&self.dir, &self.names);
    }
}

/// `save`, encoding the shards that changed now and writing them later.
pub fn save_later(root: &Path, keys: &Keys, entries: &[Saved], previous: &Shards) -> PendingShards {
    let count = Family::count_for(entries.len());
    let mut shards: Vec<Vec<&Saved>> = vec![Vec::new(); count];
    for entry in entries {
        shards[shard_of(hash_bytes(entry.0.seed.as_bytes()), count)].push(entry);
    }
    let names: Vec<String> = (0..count).map(|n| ARTICLES.name(n, count)).collect();
    let changed: Vec<(Vec<&Saved>, String)> = shards
        .into_par_iter()
        .zip(&names)
        .filter_map(|(mut shard, name)| {
            shard.sort_by(|a, b| a.0.seed.cmp(&b.0.seed));
            let signature = shard_signature(
                keys,
                shard.iter().map(|(a, raw, repeats, _)| (a.seed.as_str(), *raw, *repeats)),
            );
            (previous.0.get(name) != Some(&signature)).then(|| (shard, name.clone()))
        })
        .collect();
    let pending = PendingShards { dir: root.join(DIR), files: Vec::new(), names };
    // A few shards (an edit) are held for later; many (a first build) are written now, each
    // as soon as it is encoded, rather than all held at once (hundreds of megabytes at scale).
    if changed.len() > DEFERRED_SHARDS {
        if std::fs::create_dir_all(&pending.dir).is_ok() {
            changed.par_iter().for_each(|(shard, name)| write_shard(&pending.dir, name, keys, shard));
        }
        return pending;
    }
    let files = changed.into_par_iter().map(|(shard, name)| (name, encode(keys, &shard))).collect();
    PendingShards { files, ..pending }
}

/// How many changed article shards `save_later` holds for later at most.
const DEFERRED_SHARDS: usize = 2;

const FACTS_MAGIC: &str = "brief-facts 3";

/// What assemble read out of the articles: each article's facts and each topic's drafted
/// summary, by key (`facts_key`, `summary_key`).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub facts: HashMap<u64, Facts>,
    pub summaries: HashMap<u64, Vec<SummaryPoint>>,
    /// How each day and topic of the timeline merged, by `timeline_group_key`.
    pub timeline: HashMap<u64, GroupEvents>,
    /// Signatures of the files as read: the facts shards, then the summaries.
    files: Shards,
}

impl Known {
    pub fn new(
        facts: HashMap<u64, Facts>,
        summaries: HashMap<u64, Vec<SummaryPoint>>,
        timeline: HashMap<u64, GroupEvents>,
    ) -> Known {
        Known { facts, summaries, timeline, files: Shards::default() }
    }
}

/// The key of a topic's drafted summary: the topic and the facts keys of the articles with a
/// paragraph on it, in order (a facts key covers the outlet, every paragraph's text, topic
/// and anchor: all the summary reads).
pub fn summary_key(topic: Option<&str>, article_keys: impl Iterator<Item = u64>) -> u64 {
    let mut h = Hash::new();
    h.opt_str(topic);
    for key in article_keys {
        h.u64(key);
    }
    h.finish()
}

/// The key of one day and topic's dated sentences in the timeline: each one's article (what
/// merging reads of it, `merge_input_key`), which of its dated sentences, and the date it was
/// read against, in order (how they merge into events follows from these).
pub fn timeline_group_key(members: impl Iterator<Item = (u64, usize, Option<NaiveDate>)>) -> u64 {
    let mut h = Hash::new();
    for (merge_input, item, reference) in members {
        h.u64(merge_input);
        h.u64(item as u64);
        h.u64(date_word(reference));
    }
    h.finish()
}

/// The key of an article's dated sentences' text, in order (`ArticleDates::texts`).
pub fn dated_texts_key<'a>(texts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h = Hash::new();
    for text in texts {
        h.str(text);
    }
    h.finish()
}

/// What merging an article's dated sentences into events reads of it: its outlet, and the
/// sentences' text (`dated_texts_key`).
pub fn merge_input_key(outlet: &str, dated_texts: u64) -> u64 {
    let mut h = Hash::new();
    h.str(outlet);
    h.u64(dated_texts);
    h.finish()
}

/// The key of an article's facts: everything the extraction reads (the outlet and the entry
/// but the page it is on, which its content hash covers).
pub fn facts_key(source: &SourceEntry, article: &ArticleEntry) -> u64 {
    let mut h = Hash::new();
    h.str(&source.slug);
    h.bytes(&article.content_hash);
    h.finish()
}

/// The digest of a cleaned article that this cache would hold for the seed: the cleaning is
/// decided by the binary, the `[clean]` patterns, the seed's text (`raw_hash`) and how often
/// its lines recur (`repeat_hashes`), so these stand for it without its text being read.
pub fn cleaned_digest(keys: &Keys, raw: u64, repeats: u64) -> Digest {
    crate::chunks::chunk_key("cleaned article, from the cache key", |h| {
        for word in [keys.binary, keys.clean, raw, repeats] {
            h.bytes(&word.to_le_bytes());
        }
    })
}

/// The digest of a cleaned article from all of its text: for articles the cache key does not
/// decide (cleaned again with an outlet's own patterns, or built without the cache).
pub fn content_digest(article: &CleanedArticle) -> Digest {
    crate::chunks::chunk_key("cleaned article, from its content", |h| {
        std::hash::Hash::hash(article, &mut crate::fingerprint::Hashing(h))
    })
}

/// A facts file's signature: the binary and its sorted keys (what is stored under a key
/// follows from the key and the binary).
fn keys_signature(keys: &Keys, sorted: &[u64]) -> u64 {
    let mut h = Hash::new();
    h.u64(keys.binary);
    for key in sorted {
        h.u64(*key);
    }
    h.finish()
}

/// Reads one facts file: its entries and signature, `None` when it is missing, from another
/// brief, or damaged.
fn read_facts_file<V: serde::de::DeserializeOwned>(file: &Path, keys: &Keys) -> Option<(Vec<(u64, V)>, u64)> {
    let text = std::fs::read_to_string(file).ok()?;
    // Three header lines: magic, binary fingerprint, checksum of the rest.
    let mut parts = text.splitn(4, '\n');
    let (magic, binary, sum, body) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if magic != FACTS_MAGIC
        || binary != format!("{:016x}", keys.binary)
        || sum != format!("{:016x}", hash_bytes(body.as_bytes()))
    {
        return None;
    }
    let entries: Vec<(u64, V)> = serde_json::from_str(body).ok()?;
    let sorted: Vec<u64> = entries.iter().map(|(k, _)| *k).collect();
    sorted.is_sorted().then(|| (entries, keys_signature(keys, &sorted)))
}

/// A keyed file's entries sorted by key, unless the file's signature (`keys_signature`) is
/// `previous`: the file holds them already.
fn changed_entries<'a, V>(
    keys: &Keys,
    map: &'a HashMap<u64, V>,
    previous: Option<&u64>,
) -> Option<Vec<(&'a u64, &'a V)>> {
    let mut entries: Vec<(&u64, &V)> = map.iter().collect();
    entries.sort_by_key(|(key, _)| **key);
    let sorted: Vec<u64> = entries.iter().map(|(k, _)| **k).collect();
    (previous != Some(&keys_signature(keys, &sorted))).then_some(entries)
}

/// Writes one facts file atomically, sorted by key, unless its signature is `previous`.
fn write_facts_file<V: serde::Serialize>(
    dir: &Path,
    name: &str,
    keys: &Keys,
    map: &HashMap<u64, V>,
    previous: Option<&u64>,
) {
    let Some(entries) = changed_entries(keys, map, previous) else { return };
    let Ok(body) = serde_json::to_string(&entries) else {
        return;
    };
    let text = format!("{FACTS_MAGIC}\n{:016x}\n{:016x}\n{body}", keys.binary, hash_bytes(body.as_bytes()));
    write_atomically(dir, name, text.as_bytes());
}

const SUMMARIES_FILE: &str = "summaries.json";
const TIMELINE_FILE: &str = "timeline.bin";
const CLUES_FILE: &str = "outlets.json";

/// The outlet clues read from articles before (`outlet::identify_reusing`), and the file's
/// signature; none when the file is missing, from another brief, or damaged.
pub fn load_clues(root: &Path, keys: &Keys) -> (crate::outlet::KnownClues, Option<u64>) {
    match read_facts_file(&root.join(DIR).join(CLUES_FILE), keys) {
        Some((entries, signature)) => (entries.into_iter().collect(), Some(signature)),
        None => Default::default(),
    }
}

/// Writes the outlet clues unless they are the ones read (`previous`, the file's signature).
pub fn save_clues(root: &Path, keys: &Keys, clues: &crate::outlet::KnownClues, previous: Option<u64>) {
    let dir = root.join(DIR);
    if std::fs::create_dir_all(&dir).is_ok() {
        write_facts_file(&dir, CLUES_FILE, keys, clues, previous.as_ref());
    }
}

/// The cached facts and summaries, read side by side; a file that is missing, from another
/// brief, or damaged adds nothing.
pub fn load_facts(root: &Path, keys: &Keys) -> Known {
    let dir = root.join(DIR);
    let names = FACTS.present(&dir);
    type Read = Option<(Vec<(u64, Facts)>, u64)>;
    let (read, (summaries, timeline)): (Vec<Read>, _) = rayon::join(
        || {
            names
                .par_iter()
                .map(|name| {
                    KEPT_FILES.read(&dir.join(name), keys, |path| read_facts_bin(path, keys).ok_or(())).ok()
                })
                .collect()
        },
        || {
            (
                read_facts_file::<Vec<SummaryPoint>>(&dir.join(SUMMARIES_FILE), keys),
                read_timeline_bin(&dir.join(TIMELINE_FILE), keys),
            )
        },
    );
    let mut known = Known::default();
    for (name, file) in names.into_iter().zip(read) {
        if let Some((entries, signature)) = file {
            known.facts.extend(entries);
            known.files.0.insert(name, signature);
        }
    }
    if let Some((entries, signature)) = summaries {
        known.summaries.extend(entries);
        known.files.0.insert(SUMMARIES_FILE.to_string(), signature);
    }
    if let Some((entries, signature)) = timeline {
        known.timeline.extend(entries);
        known.files.0.insert(TIMELINE_FILE.to_string(), signature);
    }
    known
}

/// Writes the facts and summaries that differ from what `previous` read; failures are not
/// errors.
pub fn save_facts(root: &Path, keys: &Keys, known: &Known, previous: &Known) {
    let dir = root.join(DIR);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let count = Family::count_for(known.facts.len());
    let mut shards: Vec<HashMap<u64, &Facts>> = vec![HashMap::new(); count];
    for (key, facts) in &known.facts {
        shards[shard_of(*key, count)].insert(*key, facts);
    }
    let names: Vec<String> = (0..count).map(|n| FACTS.name(n, count)).collect();
    rayon::join(
        || {
            shards.par_iter().zip(&names).for_each(|(shard, name)| {
                write_facts_bin(&dir, name, keys, shard, previous.files.0.get(name));
            })
        },
        || {
            let before = previous.files.0.get(SUMMARIES_FILE);
            write_facts_file(&dir, SUMMARIES_FILE, keys, &known.summaries, before);
            let before = previous.files.0.get(TIMELINE_FILE);
            write_timeline_bin(&dir, TIMELINE_FILE, keys, &known.timeline, before);
        },
    );
    FACTS.remove_others(&dir, &names);
    // Facts and the timeline's mergings were JSON before.
    Family { stem: "facts", ext: "json" }.remove_others(&dir, &[]);
    let _ = std::fs::remove_file(dir.join("timeline.json"));
}

/// Facts point into their articles' paragraphs (`assemble::facts::Span`) since format 2, hold
/// their dated sentences since format 3, and those sentences' key (`ArticleDates::texts`)
/// since format 4.
const FACTS_MAGIC_BIN: &[u8] = b"brief-facts 4\n";

/// Reads one binary facts file (a header as the article shards have, then the entries in key
/// order): its entries and signature, `None` when it is missing, from another brief, or
/// damaged. Binary rather than JSON: every article's facts are read on every rebuild.
fn read_facts_bin(file: &Path, keys: &Keys) -> Option<(Vec<(u64, Facts)>, u64)> {
    // Figures' and quotes' text is shared with the file's bytes, not copied out of them.
    let bytes = Bytes::from(std::fs::read(file).ok()?);
    let mut r = Reader { bytes: bytes.strip_prefix(FACTS_MAGIC_BIN)? };
    let format = r.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))?;
    let (binary, len, checksum) = (r.u64()?, r.u64()?, r.u64()?);
    if format != FORMAT
        || binary != keys.binary
        || r.bytes.len() as u64 != len
        || hash_bytes(r.bytes) != checksum
    {
        return None;
    }
    let count = r.len()?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let key = r.u64()?;
        let figures = r.list(|r| {
            Some(ArticleFigure {
                span: r.span()?,
                label: interned(r.str::<&str>()?),
                value: r.u64()?,
                attributed_to: r.opt_str()?,
                qualifier: r.opt_str::<&str>()?.map(interned),
                attribution_inferred: r.u64()? == 1,
            })
        })?;
        let quotes = r.list(|r| Some(ArticleQuote { span: r.span()?, speaker: r.opt_str()? }))?;
        let reference = match r.u64()? {
            NO_DATE => None,
            days => Some(NaiveDate::from_num_days_from_ce_opt(i32::try_from(days as i64).ok()?)?),
        };
        let items = r.list(|r| {
            let sentence = r.span()?;
            let phrase = r.u64()?;
            let date = EventDate(u32::try_from(r.u64()?).ok()?);
            Some(ArticleDate { sentence, phrase: (phrase as u32, (phrase >> 32) as u32), date })
        })?;
        let texts = r.u64()?;
        entries.push((key, Facts { figures, quotes, dates: ArticleDates { reference, items, texts } }));
    }
    let sorted = entries.iter().map(|(k, _)| *k).is_sorted();
    (r.bytes.is_empty() && sorted).then(|| {
        let signature = facts_signature(keys, entries.iter().map(|(k, f)| (*k, f)));
        (entries, signature)
    })
}

/// What a facts file's reference date is written as when there is none.
const NO_DATE: u64 = u64::MAX;

/// A date as one word (its day number), for keys and the facts files.
pub(crate) fn date_word(date: Option<NaiveDate>) -> u64 {
    date.map_or(NO_DATE, |d| i64::from(d.num_days_from_ce()) as u64)
}

/// A binary facts file's signature: the binary, its keys in order and, with each, the date its
/// article's sentences were read against (an undated article's moves with the briefing's date,
/// its key does not).
fn facts_signature<'a>(keys: &Keys, entries: impl Iterator<Item = (u64, &'a Facts)>) -> u64 {
    let mut h = Hash::new();
    h.u64(keys.binary);
    for (key, facts) in entries {
        h.u64(key);
        h.u64(date_word(facts.dates.reference));
    }
    h.finish()
}

/// Writes one binary facts file atomically, sorted by key, unless its signature is `previous`.
fn write_facts_bin(dir: &Path, name: &str, keys: &Keys, map: &HashMap<u64, &Facts>, previous: Option<&u64>) {
    let mut entries: Vec<(&u64, &&Facts)> = map.iter().collect();
    entries.sort_by_key(|(key, _)| **key);
    if previous == Some(&facts_signature(keys, entries.iter().map(|(k, f)| (**k, **f)))) {
        return;
    }
    // Written as it is encoded (`Writer::to_file`).
    let Some(mut w) = Writer::to_file(dir, name, FACTS_MAGIC_BIN.len() + 4 + 3 * 8) else { return };
    w.u64(entries.len() as u64);
    for (key, facts) in entries {
        w.u64(*key);
        w.u64(facts.figures.len() as u64);
        for f in &facts.figures {
            w.span(f.span);
            w.str(&f.label);
            w.u64(f.value);
            w.opt_str(f.attributed_to.as_deref());
            w.opt_str(f.qualifier.as_deref());
            w.u64(u64::from(f.attribution_inferred));
        }
        w.u64(facts.quotes.len() as u64);
        for q in &facts.quotes {
            w.span(q.span);
            w.opt_str(q.speaker.as_deref());
        }
        w.u64(date_word(facts.dates.reference));
        w.u64(facts.dates.items.len() as u64);
        for d in &facts.dates.items {
            w.span(d.sentence);
            w.u64(u64::from(d.phrase.0) | u64::from(d.phrase.1) << 32);
            w.u64(u64::from(d.date.0));
        }
        w.u64(facts.dates.texts);
        w.spill();
    }
    w.finish_file(dir, name, |len, checksum| {
        header_bytes(&[FACTS_MAGIC_BIN, &FORMAT.to_le_bytes()], &[keys.binary, len, checksum])
    });
}

/// Format 2: the days' keys are made from what merging reads (`timeline_group_key`), not from
/// the articles' facts keys.
const TIMELINE_MAGIC: &[u8] = b"brief-timeline 2\n";
/// Magic, the binary's key, the payload's length and checksum.
const TIMELINE_HEADER: usize = TIMELINE_MAGIC.len() + 3 * 8;

/// How each day and topic of the timeline was merged (`timeline::events`), by key, and the
/// file's signature; `None` when the file is missing, from another brief, or damaged. Binary:
/// as JSON, tens of thousands of short lists took 2 % of a dated one-seed rebuild to read and
/// write again.
fn read_timeline_bin(file: &Path, keys: &Keys) -> Option<(Vec<(u64, GroupEvents)>, u64)> {
    let bytes = std::fs::read(file).ok()?;
    let mut r = checked_payload(&bytes, TIMELINE_MAGIC, &[keys.binary])?;
    let entries = r.list(|r| {
        let key = r.u64()?;
        let merging = r.list(|r| {
            let first = r.u32()?;
            // Each at least 4 bytes: a corrupt count cannot ask for a huge allocation.
            let others = usize::try_from(r.u32()?).ok().filter(|n| *n <= r.bytes.len() / 4)?;
            Some((first, counted(others, || r.u32())?))
        })?;
        Some((key, merging))
    })?;
    let sorted: Vec<u64> = entries.iter().map(|(k, _)| *k).collect();
    (r.bytes.is_empty() && sorted.is_sorted()).then(|| (entries, keys_signature(keys, &sorted)))
}

/// Writes the timeline's mergings atomically, sorted by key, unless its signature is `previous`.
fn write_timeline_bin(
    dir: &Path,
    name: &str,
    keys: &Keys,
    map: &HashMap<u64, GroupEvents>,
    previous: Option<&u64>,
) {
    let Some(entries) = changed_entries(keys, map, previous) else { return };
    let Some(mut w) = Writer::to_file(dir, name, TIMELINE_HEADER) else { return };
    w.u64(entries.len() as u64);
    for (key, merging) in entries {
        w.u64(*key);
        // Each event at least 8 bytes (its first sentence and how many others), as `len` asks.
        w.u64(merging.len() as u64);
        for (first, others) in merging {
            w.u32(*first);
            w.u32(others.len() as u32);
            others.iter().for_each(|other| w.u32(*other));
        }
        w.spill();
    }
    w.finish_file(dir, name, |len, checksum| header_bytes(&[TIMELINE_MAGIC], &[keys.binary, len, checksum]));
}

/// A hash of everything ingest read from a seed: the input of cleaning.
pub fn raw_hash(article: &RawArticle) -> u64 {
    let mut h = Hash::new();
    h.str(&article.seed);
    h.opt_str(article.headline.as_deref());
    h.u64(article.date.map_or(u64::MAX, |d| i64::from(d.num_days_from_ce()) as u64));
    h.u64(article.lines.len() as u64);
    for line in &article.lines {
        h.u64(line.number as u64);
        h.str(&line.text);
    }
    h.finish()
}

/// For each article, a hash of how many seeds (up to a cap) hold each of its lines, compared
/// as the cleaner compares repeated lines (lower-cased words, punctuation ignored).
pub fn repeat_hashes(repeats: &Repeats) -> Vec<u64> {
    repeats
        .lines
        .par_iter()
        .map(|lines| {
            let mut h = Hash::new();
            for key in lines {
                let count = key.map_or(u64::MAX, |(key, _)| repeats.seeds_with(key).min(REPEAT_CAP) as u64);
                h.u64(count);
            }
            h.finish()
        })
        .collect()
}

/// The version and the executable's size and modification time: a rebuilt brief (new rules)
/// does not trust what an older one cached.
pub fn binary_fingerprint() -> u64 {
    static FINGERPRINT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *FINGERPRINT.get_or_init(binary_fingerprint_now)
}

fn binary_fingerprint_now() -> u64 {
    let mut h = Hash::new();
    h.str(env!("CARGO_PKG_VERSION"));
    if let Some(meta) = std::env::current_exe().ok().and_then(|exe| std::fs::metadata(exe).ok()) {
        h.u64(meta.len());
        if let Some(since) = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()) {
            h.u64(since.as_secs());
            h.u64(u64::from(since.subsec_nanos()));
        }
    }
    h.finish()
}

fn encode(keys: &Keys, entries: &[&Saved]) -> Vec<u8> {
    // Sized up front: growing by doubling would briefly hold two copies.
    let size: usize = entries
        .iter()
        .map(|(a, _, _, assignment)| {
            let blocks: usize = a.blocks.iter().map(|b| b.text.len() + 24).sum();
            let removed: usize = a.removed.iter().map(|r| r.text.len() + r.reason.len() + 24).sum();
            a.seed.len()
                + a.headline.as_ref().map_or(0, String::len)
                + blocks
                + removed
                + assignment.len() * 8
                + 80
        })
        .sum();
    let mut w = Writer::with_room(SHARD_HEADER, SHARD_HEADER + 8 + size);
    encode_entries(&mut w, entries);
    w.into_bytes(|len, checksum| shard_header(keys, len, checksum))
}

/// Writes a shard file as it is encoded, replacing the one there: a first build's shards are
/// tens of megabytes each at scale, written side by side.
fn write_shard(dir: &Path, name: &str, keys: &Keys, entries: &[&Saved]) {
    if let Some(mut w) = Writer::to_file(dir, name, SHARD_HEADER) {
        encode_entries(&mut w, entries);
        w.finish_file(dir, name, |len, checksum| shard_header(keys, len, checksum));
    }
}

/// A shard file's header: magic, format, the keys, the payload's length and checksum.
const SHARD_HEADER: usize = MAGIC.len() + 4 + 5 * 8;

fn shard_header(keys: &Keys, len: u64, checksum: u64) -> Vec<u8> {
    header_bytes(&[MAGIC, &FORMAT.to_le_bytes()], &[keys.binary, keys.clean, keys.topics, len, checksum])
}

/// A shard's payload.
fn encode_entries(w: &mut Writer, entries: &[&Saved]) {
    w.u64(entries.len() as u64);
    for (article, raw, repeats, assignment) in entries {
        w.u64(*raw);
        w.u64(*repeats);
        w.str(&article.seed);
        w.opt_str(article.headline.as_deref());
        w.u64(article.date.map_or(u64::MAX, |d| i64::from(d.num_days_from_ce()) as u64));
        w.u64(article.blocks.len() as u64);
        for block in &article.blocks {
            // The kind in the low bits, the anchor hash in the high ones.
            let kind: u64 = match block.kind {
                BlockKind::Paragraph => 0,
                BlockKind::Heading => 1,
            };
            w.u64(kind | u64::from(block.anchor) << 32);
            w.str(&block.text);
            w.u64(block.line as u64);
        }
        w.u64(article.removed.len() as u64);
        for removed in &article.removed {
            w.str(&removed.text);
            w.str(&removed.reason);
            w.u64(removed.line as u64);
        }
        w.u64(assignment.len() as u64);
        for topic in assignment.iter() {
            w.u64(topic.map_or(u64::MAX, |t| t as u64));
        }
        w.spill();
    }
}

/// A shard's entries and signature. The blocks' text is shared with `file`, not copied: a
/// rebuild reads every cached article and renders the text of few.
fn decode(file: Bytes, keys: &Keys) -> Result<(Vec<Entry>, u64), Unusable> {
    let bytes = &file[..];
    let corrupt = |what: &str| Unusable::Corrupt(what.to_string());
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Err(corrupt("not a brief cache file"));
    };
    let mut r = Reader { bytes: rest };
    let format = r.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])));
    if format != Some(FORMAT) {
        return Err(Unusable::Stale);
    }
    let header = (r.u64(), r.u64(), r.u64(), r.u64(), r.u64());
    let (Some(binary), Some(clean), Some(topics), Some(len), Some(checksum)) = header else {
        return Err(corrupt("truncated header"));
    };
    if binary != keys.binary || clean != keys.clean {
        return Err(Unusable::Stale);
    }
    if r.bytes.len() as u64 != len {
        return Err(corrupt("truncated or padded"));
    }
    if hash_bytes(r.bytes) != checksum {
        return Err(corrupt("checksum mismatch"));
    }
    let topics_ok = topics == keys.topics;
    let entries = decode_entries(&mut r, &file, topics_ok).ok_or_else(|| corrupt("unreadable entry"))?;
    let file_keys = Keys { topics, ..*keys };
    let signature =
        shard_signature(&file_keys, entries.iter().map(|e| (e.cleaned.seed.as_str(), e.raw, e.repeats)));
    Ok((entries, signature))
}

/// The payload of a cache file whose header is `magic`, then `words` (the keys it was made
/// under), then the payload's length and checksum (`header_bytes`); `None` unless all of them
/// are as they should be.
fn checked_payload<'a>(bytes: &'a [u8], magic: &[u8], words: &[u64]) -> Option<Reader<'a>> {
    let mut r = Reader { bytes: bytes.strip_prefix(magic)? };
    for word in words {
        if r.u64()? != *word {
            return None;
        }
    }
    let (len, checksum) = (r.u64()?, r.u64()?);
    (r.bytes.len() as u64 == len && hash_bytes(r.bytes) == checksum).then_some(r)
}

/// `count` items read by `item`, in a list made at its full size (collecting into an `Option`
/// grows the list from nothing: hundreds of thousands of times over a rebuild's cache).
fn counted<T>(count: usize, mut item: impl FnMut() -> Option<T>) -> Option<Vec<T>> {
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        items.push(item()?);
    }
    Some(items)
}

fn decode_entries(r: &mut Reader, file: &Bytes, topics_ok: bool) -> Option<Vec<Entry>> {
    let count = r.len()?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let raw = r.u64()?;
        let repeats = r.u64()?;
        let seed = r.str()?;
        let headline = r.opt_str()?;
        let date = match r.u64()? {
            u64::MAX => None,
            days => Some(NaiveDate::from_num_days_from_ce_opt(i32::try_from(days as i64).ok()?)?),
        };
        let blocks = r.list(|r| {
            let word = r.u64()?;
            let kind = match word & 0xffff_ffff {
                0 => BlockKind::Paragraph,
                1 => BlockKind::Heading,
                _ => return None,
            };
            Some(Block { kind, text: r.shared_str(file)?, line: r.usize()?, anchor: (word >> 32) as u32 })
        })?;
        let removed =
            r.list(|r| Some(RemovedLine { text: r.shared_str(file)?, reason: r.str()?, line: r.usize()? }))?;
        let assignment = r.list(|r| {
            r.u64().map(|t| match t {
                u64::MAX => None,
                t => Some(t as usize),
            })
        })?;
        if assignment.len() != blocks.len() {
            return None;
        }
        let cleaned = CleanedArticle { seed, headline, date, blocks, removed };
        entries.push(Entry { raw, repeats, cleaned, assignment: topics_ok.then_some(assignment) });
    }
    r.bytes.is_empty().then_some(entries)
}

/// Encodes a cache file: into memory (`with_room`), or into the file itself as it goes
/// (`to_file`), so that a file of tens of megabytes is never held whole. Either way room is
/// kept in front for the header, which is filled in last, once the payload's length and
/// checksum are known.
#[derive(Default)]
struct Writer {
    bytes: Vec<u8>,
    /// The header's room at the start of `bytes` (in memory) or of the file.
    room: usize,
    file: Option<Streamed>,
}

/// A cache file being written as it is encoded: a temporary file beside the target, and the
/// checksum of the payload written to it so far.
struct Streamed {
    file: std::fs::File,
    temp: PathBuf,
    hash: BytesHash,
    failed: bool,
}

/// What is encoded is handed to the file in pieces of about this many bytes.
const PIECE: usize = 1 << 18;

impl Writer {
    /// A writer into memory, with `room` bytes for the header and `capacity` for all.
    fn with_room(room: usize, capacity: usize) -> Writer {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.resize(room, 0);
        Writer { bytes, room, file: None }
    }

    /// A writer into a new temporary file in `dir` named for `name`, after `room` bytes for the
    /// header; `None` when the file cannot be made (a cache write failing is not an error).
    fn to_file(dir: &Path, name: &str, room: usize) -> Option<Writer> {
        use std::io::Write;
        let temp = temp_path(dir, name);
        let mut file = std::fs::File::create(&temp).ok()?;
        let failed = file.write_all(&vec![0; room]).is_err();
        let file = Some(Streamed { file, temp, hash: BytesHash::new(), failed });
        Some(Writer { bytes: Vec::with_capacity(PIECE + (PIECE >> 2)), room, file })
    }

    /// Hands what was encoded to the file once it makes a piece (a no-op in memory): called
    /// between entries.
    fn spill(&mut self) {
        use std::io::Write;
        if let Some(out) = &mut self.file
            && self.bytes.len() >= PIECE
        {
            out.hash.update(&self.bytes);
            out.failed |= out.file.write_all(&self.bytes).is_err();
            self.bytes.clear();
        }
    }

    /// The encoded file in memory, its header (`header(payload length, checksum)`, `room`
    /// bytes) filled in.
    fn into_bytes(self, header: impl FnOnce(u64, u64) -> Vec<u8>) -> Vec<u8> {
        let mut out = self.bytes;
        let (room, payload) = out.split_at_mut(self.room);
        room.copy_from_slice(&header(payload.len() as u64, hash_bytes(payload)));
        out
    }

    /// Ends a file written as it was encoded: the rest of the payload, the header over its
    /// room, then the file renamed to `name` in `dir` (replacing what was there).
    fn finish_file(mut self, dir: &Path, name: &str, header: impl FnOnce(u64, u64) -> Vec<u8>) {
        use std::io::{Seek, Write};
        let Some(mut out) = self.file.take() else { return };
        out.hash.update(&self.bytes);
        let header = header(out.hash.len, out.hash.finish());
        let written = !out.failed
            && header.len() == self.room
            && out.file.write_all(&self.bytes).is_ok()
            && out.file.seek(std::io::SeekFrom::Start(0)).is_ok()
            && out.file.write_all(&header).is_ok();
        drop(out.file);
        put_in_place(&out.temp, dir, name, written);
    }

    fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }
    /// Bytes of a length the reader knows.
    fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u64(u64::MAX),
            Some(s) => self.str(s),
        }
    }
    fn span(&mut self, span: Span) {
        for n in [span.paragraph, span.start, span.end] {
            self.bytes.extend_from_slice(&n.to_le_bytes());
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }
    fn span(&mut self) -> Option<Span> {
        Some(Span { paragraph: self.u32()?, start: self.u32()?, end: self.u32()? })
    }
    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
    /// A count of items, each at least 8 bytes: a corrupt count cannot ask for a huge allocation.
    fn len(&mut self) -> Option<usize> {
        self.usize().filter(|n| *n <= self.bytes.len() / 8)
    }
    /// A count (`len`), then that many items, each read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let count = self.len()?;
        counted(count, || item(self))
    }
    /// A string that shares `file`'s bytes (those `self` reads).
    fn shared_str(&mut self, file: &Bytes) -> Option<ByteString> {
        let n = self.usize()?;
        ByteString::try_from(file.slice_ref(self.take(n)?)).ok()
    }
    /// A string, as a `String` or (for short fields) a `CompactString`.
    fn str<S: From<&'a str>>(&mut self) -> Option<S> {
        let n = self.usize()?;
        std::str::from_utf8(self.take(n)?).ok().map(S::from)
    }
    fn opt_str<S: From<&'a str>>(&mut self) -> Option<Option<S>> {
        let n = self.u64()?;
        if n == u64::MAX {
            return Some(None);
        }
        let n = usize::try_from(n).ok()?;
        std::str::from_utf8(self.take(n)?).ok().map(|s| Some(S::from(s)))
    }
}

/// A 64-bit hash, eight bytes a step; stable across platforms and releases. For cache keys and
/// checksums, not for security.
struct Hash(u64);

impl Hash {
    fn new() -> Hash {
        Hash(0x243f_6a88_85a3_08d3)
    }
    fn word(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    fn u64(&mut self, v: u64) {
        self.word(v);
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.word(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.word(u64::from_le_bytes(last));
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u64(u64::MAX),
            Some(s) => self.str(s),
        }
    }
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// A hash of `bytes` (checksums of whole cache files, tens of megabytes): four lanes side by
/// side, since one chain of multiplications waits on itself at every word.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = BytesHash::new();
    h.update(bytes);
    h.finish()
}

/// `hash_bytes`, fed in pieces: the same hash, for a file hashed as it is written.
struct BytesHash {
    lanes: [Hash; 4],
    /// The bytes of an unfinished 32-byte block.
    block: [u8; 32],
    filled: usize,
    len: u64,
}

impl BytesHash {
    fn new() -> BytesHash {
        let lanes =
            [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];
        BytesHash { lanes: lanes.map(Hash), block: [0; 32], filled: 0, len: 0 }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.filled > 0 {
            let take = (32 - self.filled).min(bytes.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 32 {
                return;
            }
            let block = self.block;
            self.eat(&block);
            self.filled = 0;
        }
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            self.eat(block);
        }
        let rest = blocks.remainder();
        self.block[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn eat(&mut self, block: &[u8]) {
        for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
            lane.word(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        }
    }

    fn finish(&self) -> u64 {
        let mut h = Hash::new();
        h.u64(self.len);
        h.bytes(&self.block[..self.filled]);
        for lane in &self.lanes {
            h.u64(lane.0);
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::parse_seed;

    fn keys() -> Keys {
        Keys { binary: 1, clean: 2, topics: 3 }
    }

    fn sample() -> CleanedArticle {
        CleanedArticle {
            seed: "seeds/a.txt".into(),
            headline: Some("Headline".into()),
            date: NaiveDate::from_ymd_opt(2024, 11, 30),
            blocks: vec![
                Block::new(BlockKind::Heading, "Sub", 3),
                Block::new(BlockKind::Paragraph, "Body é.", 4),
            ],
            removed: vec![RemovedLine {
                text: "Subscribe".into(),
                reason: "newsletter-promo".into(),
                line: 5,
            }],
        }
    }

    #[test]
    fn a_hash_fed_in_pieces_is_the_hash_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for len in [0, 1, 31, 32, 33, 64, 999, 1000] {
            let whole = hash_bytes(&bytes[..len]);
            for piece in [1, 3, 31, 32, 33, 100] {
                let mut h = BytesHash::new();
                bytes[..len].chunks(piece).for_each(|chunk| h.update(chunk));
                assert_eq!(h.finish(), whole, "{len} bytes in pieces of {piece}");
            }
        }
        assert_ne!(hash_bytes(&bytes[..32]), hash_bytes(&bytes[..33]));
    }

    #[test]
    fn a_shard_written_as_it_is_encoded_is_the_shard_encoded_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        // More than a piece of payload, so that it is handed to the file in several.
        let text = "A paragraph of the article, long enough to count. ".repeat(400);
        let articles: Vec<CleanedArticle> = (0..40)
            .map(|i| CleanedArticle {
                seed: format!("seeds/{i:03}.txt"),
                blocks: vec![Block::new(BlockKind::Paragraph, format!("{i} {text}"), 1)],
                ..sample()
            })
            .collect();
        let saved: Vec<Saved> = articles.iter().map(|a| (a, 7, 8, &[None][..])).collect();
        let entries: Vec<&Saved> = saved.iter().collect();
        write_shard(dir.path(), "shard.bin", &keys(), &entries);
        let written = std::fs::read(dir.path().join("shard.bin")).unwrap();
        assert!(written.len() > 2 * PIECE);
        assert_eq!(written, encode(&keys(), &entries));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names, ["shard.bin"], "no temporary file is left");
        let (decoded, _) = decode(Bytes::from(written), &keys()).unwrap();
        assert_eq!(decoded.len(), 40);
        assert_eq!(decoded[39].cleaned.blocks[0].text, format!("39 {text}"));
    }

    #[test]
    fn a_decoded_block_shares_the_file_bytes() {
        let article = sample();
        let file = Bytes::from(encode(&keys(), &[&(&article, 7, 8, &[None, None][..])]));
        let (entries, _) = decode(file.clone(), &keys()).unwrap();
        let within = |text: &str| {
            let (start, at) = (file.as_ptr() as usize, text.as_ptr() as usize);
            at >= start && at + text.len() <= start + file.len()
        };
        for block in &entries[0].cleaned.blocks {
            assert!(within(&block.text), "{:?} was copied out of the file", block.text);
        }
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let article = sample();
        let assignment = [None, Some(2)];
        let bytes = encode(&keys(), &[&(&article, 7, 8, &assignment[..])]);
        let (entries, _) = decode(bytes.clone().into(), &keys()).unwrap();
        let entry = &entries[0];
        assert_eq!(entry.cleaned.seed, "seeds/a.txt");
        assert_eq!((entry.raw, entry.repeats), (7, 8));
        assert_eq!(entry.cleaned.blocks, article.blocks);
        assert_eq!(entry.cleaned.removed, article.removed);
        assert_eq!(entry.cleaned.date, article.date);
        assert_eq!(entry.assignment.as_deref(), Some(&assignment[..]));

        // Other topics: the cleaning stays, the assignments go.
        let other_topics = Keys { topics: 4, ..keys() };
        assert!(decode(bytes.clone().into(), &other_topics).unwrap().0[0].assignment.is_none());
        // Another binary or other clean patterns: stale, silently.
        assert_eq!(decode(bytes.clone().into(), &Keys { binary: 9, ..keys() }).err(), Some(Unusable::Stale));
        assert_eq!(decode(bytes.clone().into(), &Keys { clean: 9, ..keys() }).err(), Some(Unusable::Stale));
        // A flipped byte, a cut file, garbage: corrupt.
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert!(matches!(decode(flipped.into(), &keys()), Err(Unusable::Corrupt(_))));
        assert!(matches!(
            decode(Bytes::copy_from_slice(&bytes[..bytes.len() - 1]), &keys()),
            Err(Unusable::Corrupt(_))
        ));
        assert!(matches!(decode(Bytes::from_static(b"hello"), &keys()), Err(Unusable::Corrupt(_))));
    }

    #[test]
    fn facts_round_trip_and_damage_or_another_binary_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let source = crate::assemble::test_source(
            "wire",
            "war",
            Some("2024-11-30"),
            &["At least 40 people were killed on Friday."],
        );
        let article = &source.articles[0];
        let key = facts_key(&source, article);
        let reference = crate::assemble::timeline::reference_of(article, None);
        let facts = Facts {
            figures: crate::assemble::figures::article_figures(
                article,
                &crate::assemble::LazyNames::new(article),
            ),
            quotes: vec![],
            dates: crate::assemble::timeline::article_dates(article, reference),
        };
        assert_eq!(facts.figures[0].value, 40);
        assert_eq!(facts.dates.items[0].date.to_string(), "2024-11-29");
        let point = SummaryPoint {
            text: "At least 40 people were killed.".into(),
            sources: vec!["wire".into()],
            anchor: "p-0".into(),
        };
        let summary = summary_key(Some("war"), [key].into_iter());
        let known = Known::new(
            [(key, facts.clone())].into_iter().collect(),
            [(summary, vec![point])].into_iter().collect(),
            [(7, vec![(0, vec![1, 2]), (3, vec![])]), (9, vec![(0, vec![])])].into_iter().collect(),
        );
        std::fs::create_dir_all(dir.path().join(DIR)).unwrap();
        std::fs::write(dir.path().join(DIR).join("timeline.json"), "[]").unwrap();
        save_facts(dir.path(), &keys(), &known, &Known::default());
        assert!(!dir.path().join(DIR).join("timeline.json").exists(), "the JSON timeline of before is left");
        let loaded = load_facts(dir.path(), &keys());
        assert_eq!(loaded.facts[&key], facts);
        assert_eq!(loaded.summaries[&summary][0].anchor, "p-0");
        assert_eq!(loaded.timeline, known.timeline);
        // A damaged timeline file is not used, whatever byte is damaged.
        let timeline = dir.path().join(DIR).join(TIMELINE_FILE);
        let intact = std::fs::read(&timeline).unwrap();
        for at in [0, TIMELINE_HEADER - 1, TIMELINE_HEADER + 9, intact.len() - 1] {
            let mut damaged = intact.clone();
            damaged[at] ^= 4;
            std::fs::write(&timeline, &damaged).unwrap();
            assert!(load_facts(dir.path(), &keys()).timeline.is_empty(), "byte {at}");
        }
        std::fs::write(&timeline, &intact).unwrap();
        // Saving what was read writes nothing.
        let file = dir.path().join(DIR).join(FACTS.name(0, 1));
        let written = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        save_facts(dir.path(), &keys(), &loaded, &loaded);
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), written);
        // Dates read against another day are written, under the same key.
        let mut redated = loaded.clone();
        redated.facts.get_mut(&key).unwrap().dates.reference = None;
        save_facts(dir.path(), &keys(), &redated, &loaded);
        assert_ne!(std::fs::metadata(&file).unwrap().modified().unwrap(), written);
        assert_eq!(load_facts(dir.path(), &keys()).facts[&key].dates.reference, None);
        // A summary's key follows its topic and its articles.
        assert_ne!(summary_key(Some("peace"), [key].into_iter()), summary);
        assert_ne!(summary_key(Some("war"), [key, key].into_iter()), summary);
        assert_ne!(summary_key(None, [key].into_iter()), summary);

        // The key follows the outlet and the article's content hash (which covers every
        // paragraph's text, topic and anchor: `assemble::content_hash`), not the page.
        let mut edited = source.clone();
        edited.articles[0].content_hash[0] ^= 1;
        assert_ne!(facts_key(&edited, &edited.articles[0]), key);
        let mut paged = source.clone();
        paged.articles[0].hash[0] ^= 1;
        assert_eq!(facts_key(&paged, &paged.articles[0]), key);
        let mut moved = source.clone();
        moved.slug = "other".into();
        assert_ne!(facts_key(&moved, &moved.articles[0]), key);

        // A flipped digit in the body fails the checksum; another binary's file is not used.
        let mut bytes = std::fs::read(&file).unwrap();
        let forty = 40u64.to_le_bytes();
        let at = bytes.windows(8).position(|w| w == forty).unwrap();
        bytes[at] = 90;
        std::fs::write(&file, bytes).unwrap();
        assert!(load_facts(dir.path(), &keys()).facts.is_empty());
        save_facts(dir.path(), &keys(), &known, &Known::default());
        let other = Keys { binary: keys().binary + 1, ..keys() };
        let stale = load_facts(dir.path(), &other);
        assert!(stale.facts.is_empty() && stale.summaries.is_empty());
        assert_eq!(load_facts(dir.path(), &keys()).facts.len(), 1);
    }

    #[test]
    fn save_and_load_in_a_project() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join(DIR);
        let articles: Vec<CleanedArticle> =
            (0..FEW + 50).map(|i| CleanedArticle { seed: format!("seeds/{i:05}.txt"), ..sample() }).collect();
        let entries = |n: usize, raw_of_first: u64| -> Vec<Saved> {
            articles[..n]
                .iter()
                .enumerate()
                .map(|(i, a)| (a, if i == 0 { raw_of_first } else { 1 }, 2, &[None, None][..]))
                .collect()
        };
        let files = || ARTICLES.present(&cache_dir);

        // A small cache is one file.
        save(dir.path(), &keys(), &entries(3, 1), &Shards::default());
        assert_eq!(files(), vec!["articles-00-of-01.bin".to_string()]);
        let cache = load(dir.path(), &keys());
        assert_eq!(cache.entries.len(), 3);
        assert!(cache.damaged.is_empty());

        // A large one is spread over many, and the single file goes.
        save(dir.path(), &keys(), &entries(FEW + 50, 1), &cache.shards);
        assert_eq!(files().len(), MANY);
        let cache = load(dir.path(), &keys());
        assert_eq!(cache.entries.len(), FEW + 50);

        // Saving what was loaded writes nothing; a changed entry rewrites its file only.
        let written = || -> Vec<std::time::SystemTime> {
            files()
                .iter()
                .map(|n| std::fs::metadata(cache_dir.join(n)).unwrap().modified().unwrap())
                .collect()
        };
        let before = written();
        std::thread::sleep(std::time::Duration::from_millis(20));
        save(dir.path(), &keys(), &entries(FEW + 50, 1), &cache.shards);
        assert_eq!(written(), before);
        save(dir.path(), &keys(), &entries(FEW + 50, 9), &cache.shards);
        let reloaded = load(dir.path(), &keys()).entries;
        assert_eq!(reloaded.iter().find(|e| e.cleaned.seed == "seeds/00000.txt").unwrap().raw, 9);
        let after = written();
        assert_eq!(before.iter().zip(&after).filter(|(b, a)| b != a).count(), 1);

        // A damaged file is noted and left out; the others are used. (Replaced, not cut short
        // in place: what was loaded above may still map it.)
        drop((cache, reloaded));
        let first = cache_dir.join(&files()[0]);
        let bytes = std::fs::read(&first).unwrap();
        let damaged = cache_dir.join("damaged");
        std::fs::write(&damaged, &bytes[..bytes.len() - 5]).unwrap();
        std::fs::rename(&damaged, &first).unwrap();
        let cache = load(dir.path(), &keys());
        assert_eq!(cache.damaged.len(), 1);
        assert!(cache.entries.len() > FEW / 2 && cache.entries.len() < FEW + 50);
        assert!(load(tempfile::tempdir().unwrap().path(), &keys()).entries.is_empty());
    }

    #[test]
    fn kept_shards_stand_in_for_their_files_only_while_the_files_are_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let article = CleanedArticle { seed: "seeds/kept.txt".into(), ..sample() };
        save(dir.path(), &keys(), &[(&article, 7, 2, &[None, None][..])], &Shards::default());
        let file = dir.path().join(DIR).join(&ARTICLES.present(&dir.path().join(DIR))[0]);
        keep_decoded_files();
        assert_eq!(load(dir.path(), &keys()).entries[0].raw, 7);

        // Garbage after the header, the length and modification time as they were: the file
        // looks as it was, so the kept entries stand in for it (it is not read).
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let garble = |bytes: &mut Vec<u8>, from: usize| bytes[from..].iter_mut().for_each(|b| *b = b'x');
        garble(&mut bytes, 64);
        let put_back = |bytes: &[u8], modified| {
            std::fs::write(&file, bytes).unwrap();
            std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
        };
        put_back(&bytes, modified);
        let cache = load(dir.path(), &keys());
        assert!(cache.damaged.is_empty());
        assert_eq!(cache.entries[0].cleaned.seed, "seeds/kept.txt");

        // Another modification time: read again, and found damaged.
        put_back(&bytes, modified + std::time::Duration::from_secs(5));
        assert_eq!(load(dir.path(), &keys()).damaged.len(), 1);
        // A header changed, all else as it was: read again too.
        let mut fresh = Vec::new();
        save(dir.path(), &keys(), &[(&article, 7, 2, &[None, None][..])], &Shards::default());
        fresh.extend(std::fs::read(&file).unwrap());
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        assert_eq!(load(dir.path(), &keys()).entries[0].raw, 7);
        garble(&mut fresh, 40);
        put_back(&fresh, modified);
        let cache = load(dir.path(), &keys());
        assert_eq!(cache.damaged.len(), 1);
        assert!(cache.entries.is_empty());

        // Other keys (another topic list): not the kept entries.
        save(dir.path(), &keys(), &[(&article, 7, 2, &[None, None][..])], &Shards::default());
        assert!(load(dir.path(), &keys()).entries[0].assignment.is_some());
        let other_topics = Keys { topics: keys().topics + 1, ..keys() };
        assert!(load(dir.path(), &other_topics).entries[0].assignment.is_none());
    }

    #[test]
    fn kept_facts_stand_in_for_their_file_while_it_is_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let source = crate::assemble::test_source("wire", "war", None, &["At least 40 people were killed."]);
        let article = &source.articles[0];
        let key = facts_key(&source, article);
        let names = crate::assemble::LazyNames::new(article);
        let figures = crate::assemble::figures::article_figures(article, &names);
        let known = Known::new(
            [(key, Facts { figures, ..Facts::default() })].into_iter().collect(),
            HashMap::new(),
            HashMap::new(),
        );
        save_facts(dir.path(), &keys(), &known, &Known::default());
        keep_decoded_files();
        assert_eq!(load_facts(dir.path(), &keys()).facts[&key].figures[0].value, 40);

        // The body garbled behind the same header, length and modification time: kept.
        let file = dir.path().join(DIR).join(FACTS.name(0, 1));
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        bytes[64..].iter_mut().for_each(|b| *b = b'x');
        let put_back = |modified| {
            std::fs::write(&file, &bytes).unwrap();
            std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
        };
        put_back(modified);
        assert_eq!(load_facts(dir.path(), &keys()).facts[&key].figures[0].value, 40);
        // Touched: read again, and the damage found.
        put_back(modified + std::time::Duration::from_secs(5));
        assert!(load_facts(dir.path(), &keys()).facts.is_empty());
    }

    #[test]
    fn each_seed_takes_its_own_entry_and_gone_seeds_stay() {
        let entry = |seed: &str, raw: u64| Entry {
            raw,
            repeats: 0,
            cleaned: CleanedArticle {
                seed: seed.to_string(),
                headline: None,
                date: None,
                blocks: Vec::new(),
                removed: Vec::new(),
            },
            assignment: None,
        };
        let mut cache = Cache {
            entries: vec![entry("seeds/a.txt", 1), entry("seeds/b.txt", 2), entry("seeds/c.txt", 3)],
            ..Cache::default()
        };
        let taken = cache.take_each(&["seeds/c.txt", "seeds/new.txt", "seeds/a.txt"]);
        let raws: Vec<Option<u64>> = taken.iter().map(|e| e.as_ref().map(|e| e.raw)).collect();
        assert_eq!(raws, vec![Some(3), None, Some(1)]);
        let left: Vec<&str> = cache.entries.iter().map(|e| e.cleaned.seed.as_str()).collect();
        assert_eq!(left, vec!["seeds/b.txt"]);
        assert!(cache.take_each(&["seeds/a.txt"])[0].is_none(), "an entry is taken once");
    }

    #[test]
    fn hashes_follow_the_seed_and_its_repeated_lines() {
        let a = parse_seed("seeds/a.txt", "Title\n\nOne line.\nShared promo!\n").unwrap();
        let b = parse_seed("seeds/b.txt", "Other\n\nTwo lines.\nshared PROMO\n").unwrap();
        let c = parse_seed("seeds/c.txt", "Third\n\nThree.\n").unwrap();
        assert_ne!(
            raw_hash(&a),
            raw_hash(&parse_seed("seeds/a.txt", "Title\n\nOne line!\nShared promo!\n").unwrap())
        );
        let with_b = repeat_hashes(&Repeats::count(&[a.clone(), b.clone(), c.clone()]));
        let without_b = repeat_hashes(&Repeats::count(&[a.clone(), c.clone()]));
        // Removing b changes how often a's promo line repeats, not c's lines.
        assert_ne!(with_b[0], without_b[0]);
        assert_eq!(with_b[2], without_b[1]);
        // Once a line is in as many seeds as make it boilerplate, more seeds with it change
        // nothing the cleaner does, nor the key.
        let promo = |n: usize| {
            parse_seed(&format!("seeds/p{n}.txt"), &format!("Title {n}\n\nLine {n}.\nShared promo!\n"))
        };
        let seeds: Vec<_> = (0..6).map(|n| promo(n).unwrap()).collect();
        let hashes = |n: usize| repeat_hashes(&Repeats::count(&seeds[..n]))[0];
        assert_ne!(hashes(2), hashes(REPEAT_CAP));
        assert_eq!(hashes(REPEAT_CAP), hashes(REPEAT_CAP + 1));
        assert_eq!(hashes(REPEAT_CAP), hashes(6));
    }
}
