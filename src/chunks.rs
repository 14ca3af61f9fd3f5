//! The large data files (`briefing.json`, the search index parts `search/*.js`) are written in chunks, one per
//! article, each under a key: a hash of everything the chunk is made from. A chunk the
//! previous build wrote under the same key is copied out of the previous file instead of being
//! serialised again, so a rebuild after one article changed serialises one article.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;

use crate::file_bytes::{FileBytes, PartsWriter};
use crate::fingerprint::{Fingerprint, Fingerprinter};

/// A chunk's key: the first 16 bytes of a BLAKE3 hash.
pub type ChunkKey = [u8; 16];

/// A chunk's key, its place in its file (offset and length), and a hash of the bytes between
/// the chunk before it and this one (`lead_hash`).
pub type Placed = (ChunkKey, u64, u64, u64);

/// A hash of the bytes written between two chunks (a separator, most often); `0`, which no
/// hash is, when there were too many to keep.
fn lead_hash(bytes: &[u8], overflowed: bool) -> u64 {
    if overflowed {
        return 0;
    }
    let key = chunk_key("lead", |h| h.bytes(bytes));
    u64::from_le_bytes(key[..8].try_into().unwrap_or([0; 8])) | 1
}

/// A previous file's bytes and its chunks (for tests and for files kept in memory).
pub type InMemory = (Vec<u8>, Vec<Placed>);

/// Makes a chunk key: what `feed` hashes, under the key of a tag naming the file and the
/// chunk's layout (`tag_key`).
pub fn chunk_key(tag: &'static str, feed: impl FnOnce(&mut Fingerprinter)) -> ChunkKey {
    let mut hash = Fingerprinter::keyed(&tag_key(tag));
    feed(&mut hash);
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.finish().0[..16]);
    key
}

/// The BLAKE3 key of a tag's chunk keys, derived from the binary (a chunk is made by this
/// binary: another may lay it out differently) and the tag; made once per tag on each thread.
/// Keyed rather than hashed in front of each key: most keys are of a few dozen bytes, and the
/// binary and the tag were one more 64-byte block to compress for each of tens of thousands
/// (chunk keys were 6 % of a one-seed rebuild's processor time).
fn tag_key(tag: &'static str) -> [u8; 32] {
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<(&'static str, [u8; 32])>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    KEYS.with_borrow_mut(|keys| {
        if let Some((_, key)) = keys.iter().find(|(known, _)| *known == tag) {
            return *key;
        }
        // The binary's fingerprint is eight bytes: the tag after it cannot be confused.
        let mut derive = blake3::Hasher::new_derive_key("brief 2026-11 chunk keys, by binary and tag");
        derive.update(&crate::cache::binary_fingerprint().to_le_bytes());
        derive.update(tag.as_bytes());
        let key = *derive.finalize().as_bytes();
        keys.push((tag, key));
        key
    })
}

/// Writes a data file, chunk by chunk, and notes where each chunk went. Chunks copied from
/// the previous file are gathered into runs: consecutive chunks that were consecutive before,
/// with the same bytes between them, are copied in one piece.
pub struct ChunkWriter<'a> {
    out: Out<'a>,
    /// The file `out` writes to, when it is one: runs are then copied by the kernel.
    file: Option<std::fs::File>,
    written: u64,
    previous: Option<Previous<'a>>,
    /// The run being gathered (offset and end in the previous file), and what was written
    /// after it since (held back: it may be the same as what follows the run there).
    run: Option<(u64, u64)>,
    after_run: Vec<u8>,
    /// The bytes written since the last chunk (up to `HELD_BACK`), for the next one's
    /// `lead_hash`; and whether there were more.
    lead: Vec<u8>,
    lead_overflowed: bool,
    /// The last lead hashed and its hash: nearly every chunk's lead is the same separator, and
    /// a data file has tens of thousands of chunks.
    last_lead: Option<(Vec<u8>, u64)>,
    /// Inside a chunk being made: its bytes are not a lead.
    filling: bool,
    chunks: Vec<Placed>,
    /// How many chunks were copied from the previous file.
    pub reused: usize,
    /// The file's outline, as it is written (see `Outline`).
    outline: Outline,
    /// Only outlining the file (`outline`): nothing is written and no chunk is made; with
    /// `has`, outlining stops (`NewChunk`) at the first chunk for which it is false.
    only_outline: bool,
    has: Option<&'a dyn Fn(&ChunkKey) -> bool>,
}

/// A running fingerprint of a data file's outline: the bytes between its chunks, each chunk's
/// key, and a value written through `ChunkWriter::value` as the value rather than its bytes.
/// The same file made from the same chunks and values has the same outline.
#[derive(Default)]
struct Outline {
    hash: Fingerprinter,
    between: Vec<u8>,
    in_value: bool,
}

impl Outline {
    fn bytes(&mut self, bytes: &[u8]) {
        if !self.in_value {
            self.between.extend_from_slice(bytes);
        }
    }

    fn chunk(&mut self, key: &ChunkKey) {
        self.hash.bytes(&self.between);
        self.between.clear();
        self.hash.bytes(key);
    }

    fn value<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.hash.bytes(&self.between);
        self.between.clear();
        self.hash.str("value");
        value.serialize(crate::fingerprint::Binary(&mut self.hash)).map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn finish(mut self) -> Fingerprint {
        self.hash.bytes(&self.between);
        self.hash.finish()
    }
}

/// Outlining stopped: the file has a chunk the previous one does not (see `ChunkWriter::outline`).
#[derive(Debug, thiserror::Error)]
#[error("a chunk the previous file does not have")]
pub struct NewChunk;

/// Where a chunk writer's bytes go.
enum Out<'a> {
    Stream(&'a mut dyn Write),
    /// Into parts in memory: a run of unchanged chunks is then a slice of the previous file
    /// (`ChunkSource::share`), not a copy of it.
    Parts(&'a mut PartsWriter),
}

impl Out<'_> {
    fn stream(&mut self) -> &mut dyn Write {
        match self {
            Out::Stream(out) => &mut **out,
            Out::Parts(parts) => &mut **parts,
        }
    }
}

/// Bytes written after a run are held back up to this much (a separator between articles is a
/// few bytes; anything longer ends the run).
const HELD_BACK: usize = 256;

impl<'a> ChunkWriter<'a> {
    pub fn new(out: &'a mut dyn Write, previous: Option<Previous<'a>>) -> ChunkWriter<'a> {
        ChunkWriter::with_out(Out::Stream(out), previous)
    }

    /// A writer into parts in memory, which shares the runs of unchanged chunks with
    /// `previous` where its source can (`ChunkSource::share`).
    pub fn in_parts(out: &'a mut PartsWriter, previous: Option<Previous<'a>>) -> ChunkWriter<'a> {
        ChunkWriter::with_out(Out::Parts(out), previous)
    }

    fn with_out(out: Out<'a>, previous: Option<Previous<'a>>) -> ChunkWriter<'a> {
        ChunkWriter {
            out,
            file: None,
            written: 0,
            previous,
            run: None,
            after_run: Vec::new(),
            lead: Vec::new(),
            lead_overflowed: false,
            last_lead: None,
            filling: false,
            chunks: Vec::new(),
            reused: 0,
            outline: Outline::default(),
            only_outline: false,
            has: None,
        }
    }

    /// A writer that only outlines the file: `outline_finish` then gives a fingerprint of
    /// what the file would be (the bytes between chunks and the chunks' keys), so that a
    /// file that would come out the same can be kept without being written. With `has`, the
    /// chunks the previous file holds: outlining fails with `NewChunk` at the first other.
    pub fn outline(out: &'a mut dyn Write, has: Option<&'a dyn Fn(&ChunkKey) -> bool>) -> ChunkWriter<'a> {
        ChunkWriter { only_outline: true, has, ..ChunkWriter::new(out, None) }
    }

    /// Writes `value` with `write`; in the outline the value stands for the bytes it is
    /// written as (which follow from it), and when only outlining it is hashed, not written.
    pub fn value<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
        write: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        self.outline.value(value)?;
        if self.only_outline {
            return Ok(());
        }
        self.outline.in_value = true;
        let written = write(self);
        self.outline.in_value = false;
        written
    }

    /// The fingerprint of the file outlined (see `outline`).
    pub fn outline_finish(self) -> Fingerprint {
        self.outline.finish()
    }

    /// `out` writes to `file` (a handle on the same open file, so they share its offset).
    pub fn into_file(mut self, file: std::fs::File) -> ChunkWriter<'a> {
        self.file = Some(file);
        self
    }

    /// Writes the chunk under `key`: copied from the previous file when it has it, else made
    /// by `fill`.
    pub fn chunk(&mut self, key: ChunkKey, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        if self.only_outline {
            if self.has.is_some_and(|has| !has(&key)) {
                return Err(NewChunk.into());
            }
            self.outline.chunk(&key);
            return Ok(());
        }
        self.outline.chunk(&key);
        let start = self.written;
        let lead = match &self.last_lead {
            Some((bytes, hash)) if !self.lead_overflowed && *bytes == self.lead => *hash,
            _ => {
                let hash = lead_hash(&self.lead, self.lead_overflowed);
                if !self.lead_overflowed {
                    self.last_lead = Some((self.lead.clone(), hash));
                }
                hash
            }
        };
        self.lead.clear();
        self.lead_overflowed = false;
        match self.previous.as_ref().and_then(|p| p.locate(&key)) {
            Some((at, len, previous_lead)) => {
                // The run goes on when this chunk followed the run's last one in the previous
                // file, with the same bytes between them as now.
                let continues = match self.run {
                    Some((_, end)) => at == end + self.after_run.len() as u64 && previous_lead == lead,
                    None => false,
                };
                if continues {
                    if let Some(run) = self.run.as_mut() {
                        run.1 = at + len;
                    }
                    self.after_run.clear();
                } else {
                    self.end_run()?;
                    self.run = Some((at, at + len));
                }
                self.written += len;
                self.reused += 1;
            }
            None => {
                self.end_run()?;
                self.filling = true;
                let filled = fill(self);
                self.filling = false;
                filled?;
            }
        }
        self.chunks.push((key, start, self.written - start, lead));
        Ok(())
    }

    /// Copies the run gathered so far, then what was written after it.
    fn end_run(&mut self) -> std::io::Result<()> {
        if let (Some((at, end)), Some(previous)) = (self.run.take(), self.previous.as_mut()) {
            if let Out::Parts(parts) = &mut self.out
                && let Some(shared) = previous.source.share(at, end - at)
            {
                parts.share(shared);
            } else {
                if self.file.is_some() {
                    self.out.stream().flush()?;
                }
                previous.source.copy(at, end - at, self.out.stream(), self.file.as_ref())?;
            }
        }
        let held = std::mem::take(&mut self.after_run);
        self.out.stream().write_all(&held)
    }

    /// Each chunk's key, offset and length in the file written; the file is complete once
    /// this returns.
    pub fn finish(self) -> Result<Vec<Placed>> {
        Ok(self.finish_with_outline()?.0)
    }

    /// `finish`, with the file's outline (see `outline`).
    pub fn finish_with_outline(mut self) -> Result<(Vec<Placed>, Fingerprint)> {
        self.end_run()?;
        self.out.stream().flush()?;
        Ok((std::mem::take(&mut self.chunks), std::mem::take(&mut self.outline).finish()))
    }
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if !self.filling {
            self.outline.bytes(bytes);
        }
        if self.only_outline {
            return Ok(bytes.len());
        }
        if !self.filling {
            if self.lead.len() + bytes.len() <= HELD_BACK {
                self.lead.extend_from_slice(bytes);
            } else {
                self.lead_overflowed = true;
            }
        }
        if self.run.is_some() {
            if self.after_run.len() + bytes.len() <= HELD_BACK {
                self.after_run.extend_from_slice(bytes);
                self.written += bytes.len() as u64;
                return Ok(bytes.len());
            }
            self.end_run()?;
        }
        // All of it, so that the lead kept above is what was written.
        self.out.stream().write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.stream().flush()
    }
}

/// The chunks of a previous file: its bytes (`ChunkSource`) and where each chunk lies in them.
/// In memory for `brief serve` (`ChunksIn::new(bytes, …)`), else the file on disk.
pub struct ChunksIn<S> {
    source: S,
    /// Keys are hashes already: foldhash, not SipHash, and made at full size (`briefing.json`
    /// at 10,000 dated articles has 65,000 chunks, and a rebuild looks up every one).
    index: HashMap<ChunkKey, (u64, u64, u64), foldhash::fast::FixedState>,
}

/// The bytes of a previous data file.
pub trait ChunkSource: Send {
    fn size(&self) -> u64;
    /// Writes `len` bytes from `at` to `out`, or to `file` (the file under `out`, flushed).
    fn copy(
        &mut self,
        at: u64,
        len: u64,
        out: &mut dyn Write,
        file: Option<&std::fs::File>,
    ) -> std::io::Result<()>;

    /// `len` bytes from `at` as shared buffers, for a source held in memory that can give
    /// them without a copy.
    fn share(&self, _at: u64, _len: u64) -> Option<FileBytes> {
        None
    }
}

impl<S: ChunkSource> ChunksIn<S> {
    /// Keeps the chunks that lie within the source.
    pub fn new(source: S, chunks: &[Placed]) -> ChunksIn<S> {
        let len = source.size();
        let mut index = HashMap::with_capacity_and_hasher(chunks.len(), Default::default());
        index.extend(
            chunks
                .iter()
                .filter(|(_, at, n, _)| at.checked_add(*n).is_some_and(|end| end <= len))
                .map(|(key, at, n, lead)| (*key, (*at, *n, *lead))),
        );
        ChunksIn { source, index }
    }
}

impl<S: ChunkSource> ChunksIn<S> {
    /// Where the chunk under `key` is (offset, length, `lead_hash`), if the previous file has it.
    pub fn locate(&self, key: &ChunkKey) -> Option<(u64, u64, u64)> {
        self.index.get(key).copied()
    }
}

/// The previous file a `ChunkWriter` copies from, whatever holds it.
pub type Previous<'a> = ChunksIn<Box<dyn ChunkSource + 'a>>;

impl<S: ChunkSource + ?Sized> ChunkSource for Box<S> {
    fn size(&self) -> u64 {
        (**self).size()
    }

    fn copy(
        &mut self,
        at: u64,
        len: u64,
        out: &mut dyn Write,
        file: Option<&std::fs::File>,
    ) -> std::io::Result<()> {
        (**self).copy(at, len, out, file)
    }

    fn share(&self, at: u64, len: u64) -> Option<FileBytes> {
        (**self).share(at, len)
    }
}

/// A previous file held in memory (`brief serve`): its runs are shared.
impl ChunkSource for FileBytes {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn copy(
        &mut self,
        at: u64,
        len: u64,
        out: &mut dyn Write,
        _: Option<&std::fs::File>,
    ) -> std::io::Result<()> {
        let run = self
            .share(at, len)
            .ok_or_else(|| std::io::Error::other("a chunk lies outside the previous file"))?;
        for part in run.parts() {
            out.write_all(part)?;
        }
        Ok(())
    }

    fn share(&self, at: u64, len: u64) -> Option<FileBytes> {
        self.slice(usize::try_from(at).ok()?, usize::try_from(len).ok()?)
    }
}

impl ChunkSource for std::fs::File {
    fn size(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }

    fn copy(
        &mut self,
        at: u64,
        len: u64,
        out: &mut dyn Write,
        file: Option<&std::fs::File>,
    ) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        if let Some(copied) =
            file.filter(|_| len >= SPLIT_COPY).and_then(|file| copy_in_halves(self, at, len, file))
        {
            return copied;
        }
        let mut source = &*self;
        source.seek(std::io::SeekFrom::Start(at))?;
        // File to file, std copies with `copy_file_range`: the bytes do not pass through here.
        let copied = match file {
            Some(mut file) => std::io::copy(&mut source.take(len), &mut file)?,
            None => std::io::copy(&mut source.take(len), out)?,
        };
        if copied != len {
            return Err(std::io::Error::other("the previous file is shorter than its record"));
        }
        Ok(())
    }
}

/// Runs at least this long are copied in two halves side by side (`copy_in_halves`).
const SPLIT_COPY: u64 = 8 << 20;

/// Copies `len` bytes from `at` in `source` to where `target` stands, the second half on a
/// thread of its own through second handles on both files (their own offsets), then leaves
/// `target` after the copy. A rebuild copies most of `briefing.json` (91 MB at 10,000
/// articles) in one run: the kernel's copy of it, on one core, was most of rendering.
/// `None` where the files cannot be opened again (Linux's `/proc/self/fd` only).
fn copy_in_halves(
    source: &std::fs::File,
    at: u64,
    len: u64,
    target: &std::fs::File,
) -> Option<std::io::Result<()>> {
    use std::io::{Read, Seek, SeekFrom};
    #[cfg(target_os = "linux")]
    let again = |file: &std::fs::File, write: bool| {
        use std::os::fd::AsRawFd;
        std::fs::OpenOptions::new()
            .read(!write)
            .write(write)
            .open(format!("/proc/self/fd/{}", file.as_raw_fd()))
    };
    #[cfg(not(target_os = "linux"))]
    let again = |_: &std::fs::File, _: bool| Err::<std::fs::File, _>(std::io::Error::other("not here"));
    let (mut second_source, mut second_target) = (again(source, false).ok()?, again(target, true).ok()?);
    let copy = || -> std::io::Result<()> {
        let start = (&*target).stream_position()?;
        let half = len / 2;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(move || -> std::io::Result<u64> {
                second_source.seek(SeekFrom::Start(at + half))?;
                second_target.seek(SeekFrom::Start(start + half))?;
                std::io::copy(&mut (&second_source).take(len - half), &mut second_target)
            });
            let first = (|| {
                let mut source = source;
                source.seek(SeekFrom::Start(at))?;
                std::io::copy(&mut source.take(half), &mut &*target)
            })();
            (first, second.join().unwrap_or_else(|_| Err(std::io::Error::other("the copy's thread failed"))))
        });
        if first? + second? != len {
            return Err(std::io::Error::other("the previous file is shorter than its record"));
        }
        (&*target).seek(SeekFrom::Start(start + len)).map(|_| ())
    };
    Some(copy())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `parts` (key, text) with `separator` between them, copying from `previous`.
    fn write(
        previous: Option<InMemory>,
        parts: &[(&str, &str)],
        separator: &str,
    ) -> (Vec<u8>, Vec<Placed>, usize) {
        let mut out = Vec::new();
        let previous = previous.map(|(bytes, chunks)| {
            ChunksIn::new(Box::new(FileBytes::from(bytes)) as Box<dyn ChunkSource>, &chunks)
        });
        let mut writer = ChunkWriter::new(&mut out, previous);
        writer.write_all(b"[").unwrap();
        for (i, (key, text)) in parts.iter().enumerate() {
            if i > 0 {
                writer.write_all(separator.as_bytes()).unwrap();
            }
            writer.chunk(chunk_key("test", |h| h.str(key)), |w| Ok(w.write_all(text.as_bytes())?)).unwrap();
        }
        writer.write_all(b"]").unwrap();
        let reused = writer.reused;
        let chunks = writer.finish().unwrap();
        (out, chunks, reused)
    }

    #[test]
    fn chunks_with_the_same_key_are_copied_from_the_previous_file() {
        let (first, chunks, reused) = write(None, &[("a", "alpha"), ("b", "beta")], ",");
        assert_eq!(first, b"[alpha,beta]");
        assert_eq!(reused, 0);
        // The same key copies the previous bytes (here deliberately unlike what fill would
        // write, to show which was used); a new key is filled.
        let (second, _, reused) =
            write(Some((first.clone(), chunks.clone())), &[("b", "BETA"), ("c", "gamma")], ",");
        assert_eq!(second, b"[beta,gamma]");
        assert_eq!(reused, 1);
        // A record that points outside the file is not trusted.
        let bad = vec![(chunk_key("test", |h| h.str("a")), 100, 5, 0)];
        let (third, _, reused) = write(Some((first, bad)), &[("a", "alpha")], ",");
        assert_eq!((third.as_slice(), reused), (&b"[alpha]"[..], 0));
    }

    #[test]
    fn runs_of_chunks_are_copied_only_with_the_same_bytes_between_them() {
        let parts = [("a", "alpha"), ("b", "beta"), ("c", "gamma"), ("d", "delta")];
        let (first, chunks, _) = write(None, &parts, ",");
        assert_eq!(first, b"[alpha,beta,gamma,delta]");
        // The same separators: one run, byte for byte the same.
        let (same, _, reused) = write(Some((first.clone(), chunks.clone())), &parts, ",");
        assert_eq!((same.as_slice(), reused), (first.as_slice(), 4));
        // Another separator of the same length: the chunks are copied, the separators are not.
        let (other, _, reused) = write(Some((first.clone(), chunks.clone())), &parts, ";");
        assert_eq!((other.as_slice(), reused), (&b"[alpha;beta;gamma;delta]"[..], 4));
        // A chunk left out, one changed, one moved: each is where and what it should be.
        let edited = [("d", "delta"), ("a", "alpha"), ("c", "GAMMA")];
        let (moved, _, reused) = write(Some((first, chunks)), &edited, ",");
        assert_eq!((moved.as_slice(), reused), (&b"[delta,alpha,gamma]"[..], 3));
    }

    #[test]
    fn keys_follow_their_tag_and_content() {
        let key = chunk_key("t", |h| h.str("x"));
        assert_eq!(chunk_key("t", |h| h.str("x")), key);
        assert_ne!(chunk_key("u", |h| h.str("x")), key);
        assert_ne!(chunk_key("t", |h| h.str("y")), key);
    }

    #[test]
    fn an_outline_tells_files_apart_by_their_keys_and_the_bytes_between() {
        let outline = |parts: &[(&str, &str)], separator: &str| {
            let mut nowhere = std::io::sink();
            let mut writer = ChunkWriter::outline(&mut nowhere, None);
            writer.write_all(b"[").unwrap();
            for (i, (key, _)) in parts.iter().enumerate() {
                if i > 0 {
                    writer.write_all(separator.as_bytes()).unwrap();
                }
                // An outline never makes a chunk.
                writer.chunk(chunk_key("test", |h| h.str(key)), |_| panic!("chunk made")).unwrap();
            }
            writer.write_all(b"]").unwrap();
            writer.outline_finish()
        };
        let parts = [("a", "alpha"), ("b", "beta")];
        assert_eq!(outline(&parts, ","), outline(&parts, ","));
        assert_ne!(outline(&parts, ","), outline(&parts, ";"));
        assert_ne!(outline(&parts, ","), outline(&[("b", "beta"), ("a", "alpha")], ","));
        assert_ne!(outline(&parts, ","), outline(&parts[..1], ","));
    }

    #[test]
    fn a_written_file_has_the_outline_of_its_outline_pass_which_stops_at_a_new_chunk() {
        let figures = vec![("a", 1), ("b", 2)];
        let parts = [("a", "alpha"), ("b", "beta")];
        let fill = |w: &mut ChunkWriter| -> Result<()> {
            w.write_all(b"{\"figures\": ")?;
            w.value(&figures, |w| Ok(serde_json::to_writer(&mut *w, &figures)?))?;
            w.write_all(b", \"items\": [")?;
            for (i, (key, text)) in parts.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                w.chunk(chunk_key("test", |h| h.str(key)), |out| Ok(out.write_all(text.as_bytes())?))?;
            }
            Ok(w.write_all(b"]}")?)
        };
        let mut out = Vec::new();
        let mut writer = ChunkWriter::new(&mut out, None);
        fill(&mut writer).unwrap();
        let (_, written) = writer.finish_with_outline().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"figures": [["a",1],["b",2]], "items": [alpha,beta]}"#
        );

        let mut nowhere = std::io::sink();
        let mut outline = ChunkWriter::outline(&mut nowhere, None);
        fill(&mut outline).unwrap();
        assert_eq!(outline.outline_finish(), written);

        // Against a previous file without the second chunk, outlining stops there.
        let first = chunk_key("test", |h| h.str("a"));
        let has = |key: &ChunkKey| *key == first;
        let mut outline = ChunkWriter::outline(&mut nowhere, Some(&has));
        let stopped = fill(&mut outline).unwrap_err();
        assert!(stopped.downcast_ref::<NewChunk>().is_some());
    }

    #[test]
    fn a_long_run_copied_in_halves_lands_where_the_file_stood() {
        use std::io::{Read, Seek, Write};
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..3_000_017u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(dir.path().join("old"), &bytes).unwrap();
        let source = std::fs::File::open(dir.path().join("old")).unwrap();
        let mut target = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.path().join("new"))
            .unwrap();
        target.write_all(b"head").unwrap();
        let (at, len) = (1_001, 1_999_999);
        // On Linux the files open again (elsewhere the copy is left to `ChunkSource::copy`).
        let halves = copy_in_halves(&source, at, len, &target);
        assert_eq!(halves.is_some(), cfg!(target_os = "linux"));
        if let Some(copied) = halves {
            copied.unwrap();
            target.write_all(b"tail").unwrap();
            let mut written = Vec::new();
            target.rewind().unwrap();
            target.read_to_end(&mut written).unwrap();
            let mut expected = b"head".to_vec();
            expected.extend_from_slice(&bytes[at as usize..(at + len) as usize]);
            expected.extend_from_slice(b"tail");
            assert!(written == expected, "{} bytes written, {} expected", written.len(), expected.len());
            // A run past the end of the previous file is an error, not a short file.
            assert!(copy_in_halves(&source, 2_000_000, 1_500_000, &target).unwrap().is_err());
        }
    }
}
