//! The seed index, `.brief-cache/seeds.bin`: what the last build made of each seed file (the
//! hash of its content as read, its lines' repeat keys, its warning), under the file's identity
//! (size, modification and change times, inode). A seed whose file has the same identity is
//! not read again: its entry stands in for it until its cleaning is wanted (see `site`).
//!
//! As in git's index, a file changed within the same instant as its entry was made could keep
//! its identity, so entries are not made for files changed in the last few seconds; those are
//! read again next time. The change time (which no tool can set back) is part of the identity,
//! so a file restored with its old modification time is read again too.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{DIR, Keys, Writer};
use crate::clean::SeedLineKeys;

const FILE: &str = "seeds.bin";
const MAGIC: &[u8] = b"brief-seeds 1\n";
/// Files changed more recently than this before the index is made get no entry.
const SETTLE_NS: u128 = 3_000_000_000;

/// A file's identity: size, modification and change times (nanoseconds), inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    len: u64,
    modified_ns: u64,
    changed_ns: u64,
    inode: u64,
}

impl FileId {
    /// The identity of a file, if this platform gives one that can be trusted.
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        let ns = |secs: i64, nanos: i64| {
            u64::try_from(secs).ok()?.checked_mul(1_000_000_000)?.checked_add(u64::try_from(nanos).ok()?)
        };
        Some(FileId {
            len: meta.len(),
            modified_ns: ns(meta.mtime(), meta.mtime_nsec())?,
            changed_ns: ns(meta.ctime(), meta.ctime_nsec())?,
            inode: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_: &std::fs::Metadata) -> Option<FileId> {
        None
    }

    /// Whether the file last changed at least `SETTLE_NS` before `now_ns`.
    pub fn settled(&self, now_ns: u128) -> bool {
        u128::from(self.modified_ns.max(self.changed_ns)) + SETTLE_NS <= now_ns
    }
}

/// What the index knows of a seed that gave an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownArticle {
    /// `cache::raw_hash` of the article as read.
    pub raw: u64,
    /// Per line: its repeat key and word count (`clean::Repeats`), `None` for a line without words.
    pub keys: SeedLineKeys,
}

/// One seed file's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSeed {
    pub id: FileId,
    /// `None` when the seed gave no article (empty, binary: skipped with a warning).
    pub article: Option<KnownArticle>,
    pub warning: Option<String>,
}

impl KnownSeed {
    /// Whether `other` is this entry: the same identity, warning and content hash. The line
    /// keys are not compared: an entry of the same identity was taken from the index, keys and
    /// all, and keys made anew are made from the lines, which the content hash covers.
    pub fn same_as(&self, other: &KnownSeed) -> bool {
        let content = |seed: &KnownSeed| seed.article.as_ref().map(|a| (a.raw, a.keys.len()));
        self.id == other.id && self.warning == other.warning && content(self) == content(other)
    }
}

/// The entries by project-relative path (`seeds/…`).
pub type SeedIndex = HashMap<String, KnownSeed>;

/// Whether `index` holds exactly `entries` (then it need not be written again).
///
/// When the same seed is changed again within seconds, it has no entry either time, and every
/// other entry is compared: on every core, by `KnownSeed::same_as` rather than line key by line
/// key (which took 3.5 ms of a rebuild at 10,000 seeds, the other core busy).
pub fn holds(index: &SeedIndex, entries: &[(String, KnownSeed)]) -> bool {
    entries.len() == index.len()
        && entries
            .par_iter()
            .all(|(path, seed)| index.get(path.as_str()).is_some_and(|known| known.same_as(seed)))
}

/// Reads the index; empty when it is missing, from another brief, or damaged.
///
/// A process that keeps what it decodes (`brief serve`, see `cache::keep_decoded_files`) hands
/// out the index it read last while the file is as it was (15 ms of a rebuild at 10,000 seeds).
pub fn load_seeds(root: &Path, keys: &Keys) -> Arc<SeedIndex> {
    let read = |path: &Path| -> Result<Arc<SeedIndex>, std::convert::Infallible> {
        Ok(Arc::new(super::read_shared(path).ok().and_then(|bytes| decode(&bytes, keys)).unwrap_or_default()))
    };
    match super::KEPT_FILES.read(&root.join(DIR).join(FILE), keys, read) {
        Ok(index) => index,
    }
}

/// Writes the index atomically; failures are not errors.
pub fn save_seeds(root: &Path, keys: &Keys, index: &[(&str, &KnownSeed)]) {
    let dir = root.join(DIR);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    // Written as it is encoded: the index is tens of megabytes at scale, written while the
    // stages after cleaning run.
    if let Some(mut w) = Writer::to_file(&dir, FILE, HEADER) {
        encode_entries(&mut w, index);
        w.finish_file(&dir, FILE, |len, checksum| header(keys, len, checksum));
    }
}

#[cfg(test)]
fn encode(keys: &Keys, index: &[(&str, &KnownSeed)]) -> Vec<u8> {
    let mut w = Writer::with_room(HEADER, 0);
    encode_entries(&mut w, index);
    w.into_bytes(|len, checksum| header(keys, len, checksum))
}

/// The index file's header: magic, the binary's key, the payload's length and checksum.
const HEADER: usize = MAGIC.len() + 3 * 8;

fn header(keys: &Keys, len: u64, checksum: u64) -> Vec<u8> {
    super::header_bytes(&[MAGIC], &[keys.binary, len, checksum])
}

fn encode_entries(w: &mut Writer, index: &[(&str, &KnownSeed)]) {
    w.u64(index.len() as u64);
    for (path, seed) in index {
        w.str(path);
        for v in [seed.id.len, seed.id.modified_ns, seed.id.changed_ns, seed.id.inode] {
            w.u64(v);
        }
        w.opt_str(seed.warning.as_deref());
        match &seed.article {
            None => w.u64(u64::MAX),
            Some(article) => {
                w.u64(article.keys.len() as u64);
                w.u64(article.raw);
                for key in &article.keys {
                    match key {
                        None => w.u64(u64::MAX),
                        Some((key, words)) => {
                            w.u64(u64::from(words.get()));
                            w.u64(*key);
                        }
                    }
                }
            }
        }
        w.spill();
    }
}

fn decode(bytes: &[u8], keys: &Keys) -> Option<SeedIndex> {
    let mut r = super::checked_payload(bytes, MAGIC, &[keys.binary])?;
    let count = r.len()?;
    let mut index = SeedIndex::with_capacity(count);
    for _ in 0..count {
        let path = r.str()?;
        let id = FileId { len: r.u64()?, modified_ns: r.u64()?, changed_ns: r.u64()?, inode: r.u64()? };
        let warning = r.opt_str()?;
        let article = match r.u64()? {
            u64::MAX => None,
            lines => {
                let raw = r.u64()?;
                let lines = usize::try_from(lines).ok().filter(|n| *n <= r.bytes.len() / 8)?;
                let keys = super::counted(lines, || match r.u64()? {
                    u64::MAX => Some(None),
                    words => {
                        let words = std::num::NonZeroU32::new(u32::try_from(words).ok()?)?;
                        Some(Some((r.u64()?, words)))
                    }
                })?;
                Some(KnownArticle { raw, keys })
            }
        };
        index.insert(path, KnownSeed { id, article, warning });
    }
    r.bytes.is_empty().then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: u32) -> std::num::NonZeroU32 {
        std::num::NonZeroU32::new(n).unwrap()
    }

    fn keys() -> Keys {
        Keys { binary: 1, clean: 2, topics: 3 }
    }

    #[test]
    fn round_trips_and_rejects_damage_or_another_binary() {
        let id = FileId { len: 10, modified_ns: 20, changed_ns: 30, inode: 40 };
        let with_article = KnownSeed {
            id,
            article: Some(KnownArticle {
                raw: 7,
                keys: vec![Some((5, words(2))), None, Some((u64::MAX - 1, words(1)))],
            }),
            warning: Some("not valid UTF-8".into()),
        };
        let skipped = KnownSeed { id, article: None, warning: Some("empty seed skipped".into()) };
        let entries = [("seeds/a.txt", &with_article), ("seeds/b.txt", &skipped)];
        let bytes = encode(&keys(), &entries);
        let index = decode(&bytes, &keys()).unwrap();
        assert_eq!(index["seeds/a.txt"], with_article);
        assert_eq!(index["seeds/b.txt"], skipped);
        assert!(decode(&bytes, &Keys { binary: 2, ..keys() }).is_none());
        let mut flipped = bytes.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        assert!(decode(&flipped, &keys()).is_none());
        assert!(decode(&bytes[..bytes.len() - 1], &keys()).is_none());
    }

    #[test]
    fn a_kept_index_is_handed_out_again_until_its_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let id = FileId { len: 10, modified_ns: 20, changed_ns: 30, inode: 40 };
        let seed = KnownSeed { id, article: None, warning: None };
        save_seeds(dir.path(), &keys(), &[("seeds/a.txt", &seed)]);
        crate::cache::keep_decoded_files();
        let first = load_seeds(dir.path(), &keys());
        assert!(first.contains_key("seeds/a.txt"));
        assert!(Arc::ptr_eq(&first, &load_seeds(dir.path(), &keys())), "read again though unchanged");
        // Rewritten: read again.
        save_seeds(dir.path(), &keys(), &[("seeds/b.txt", &seed)]);
        let second = load_seeds(dir.path(), &keys());
        assert!(second.contains_key("seeds/b.txt") && !second.contains_key("seeds/a.txt"));
        // Another binary: not the kept index.
        assert!(load_seeds(dir.path(), &Keys { binary: 9, ..keys() }).is_empty());
    }

    #[test]
    fn an_entry_is_the_same_by_identity_warning_and_content_hash() {
        let id = FileId { len: 10, modified_ns: 20, changed_ns: 30, inode: 40 };
        let article = |raw: u64, keys: SeedLineKeys| Some(KnownArticle { raw, keys });
        let entry = KnownSeed { id, article: article(7, vec![Some((5, words(2))), None]), warning: None };
        assert!(entry.same_as(&entry.clone()));
        let touched = KnownSeed { id: FileId { modified_ns: 21, ..id }, ..entry.clone() };
        assert!(!entry.same_as(&touched));
        let edited = KnownSeed { article: article(8, vec![Some((5, words(2))), None]), ..entry.clone() };
        assert!(!entry.same_as(&edited));
        let shorter = KnownSeed { article: article(7, vec![None]), ..entry.clone() };
        assert!(!entry.same_as(&shorter));
        // The keys follow from the content hash: they are not compared.
        let rekeyed = KnownSeed { article: article(7, vec![Some((6, words(2))), None]), ..entry.clone() };
        assert!(entry.same_as(&rekeyed));
        let warned = KnownSeed { warning: Some("empty seed skipped".into()), ..entry.clone() };
        assert!(!entry.same_as(&warned));
        let skipped = KnownSeed { article: None, ..entry.clone() };
        assert!(!entry.same_as(&skipped) && skipped.same_as(&skipped.clone()));
    }

    #[test]
    fn recently_changed_files_are_not_settled() {
        let id = FileId { len: 1, modified_ns: 10_000_000_000, changed_ns: 10_000_000_000, inode: 1 };
        assert!(!id.settled(11_000_000_000));
        assert!(id.settled(13_000_000_000));
    }
}
