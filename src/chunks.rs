//! The large data files (`briefing.json`, `search-index.js`) are written in chunks, one per
//! article, each under a key: a hash of everything the chunk is made from. A chunk the
//! previous build wrote under the same key is copied out of the previous file instead of being
//! serialised again, so a rebuild after one article changed serialises one article.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;

use crate::fingerprint::Fingerprinter;

/// A chunk's key: the first 16 bytes of a BLAKE3 hash.
pub type ChunkKey = [u8; 16];

/// A chunk's key and its place in its file: offset and length.
pub type Placed = (ChunkKey, u64, u64);

/// A previous file's bytes and its chunks (for tests and for files kept in memory).
pub type InMemory = (Vec<u8>, Vec<Placed>);

/// Makes a chunk key: a tag naming the file and the chunk's layout, then what `feed` hashes.
pub fn chunk_key(tag: &str, feed: impl FnOnce(&mut Fingerprinter)) -> ChunkKey {
    let mut hash = Fingerprinter::default();
    hash.str(tag);
    feed(&mut hash);
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash.finish().0[..16]);
    key
}

/// Where the chunks of the previous build's file can be read: by key, its place in the file.
pub trait PreviousChunks: Send {
    fn read(&mut self, key: &ChunkKey) -> Option<Vec<u8>>;
}

/// Writes a data file, chunk by chunk, and notes where each chunk went.
pub struct ChunkWriter<'a> {
    out: &'a mut dyn Write,
    written: u64,
    previous: Option<Box<dyn PreviousChunks + 'a>>,
    chunks: Vec<Placed>,
    /// How many chunks were copied from the previous file.
    pub reused: usize,
}

impl<'a> ChunkWriter<'a> {
    pub fn new(out: &'a mut dyn Write, previous: Option<Box<dyn PreviousChunks + 'a>>) -> ChunkWriter<'a> {
        ChunkWriter { out, written: 0, previous, chunks: Vec::new(), reused: 0 }
    }

    /// Writes the chunk under `key`: copied from the previous file when it has it, else made
    /// by `fill`.
    pub fn chunk(&mut self, key: ChunkKey, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let start = self.written;
        match self.previous.as_mut().and_then(|p| p.read(&key)) {
            Some(bytes) => {
                self.write_all(&bytes)?;
                self.reused += 1;
            }
            None => fill(self)?,
        }
        self.chunks.push((key, start, self.written - start));
        Ok(())
    }

    /// Each chunk's key, offset and length in the file written.
    pub fn into_chunks(self) -> Vec<Placed> {
        self.chunks
    }
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The chunks of a previous file kept in memory (`brief serve`), or read from a file on disk.
pub struct ChunksIn<R> {
    source: R,
    index: HashMap<ChunkKey, (u64, u64)>,
}

impl<R> ChunksIn<R> {
    pub fn new(source: R, chunks: &[Placed]) -> ChunksIn<R> {
        ChunksIn { source, index: index(chunks) }
    }
}

/// Where each chunk is, by key.
fn index(chunks: &[Placed]) -> HashMap<ChunkKey, (u64, u64)> {
    chunks.iter().map(|(key, at, len)| (*key, (*at, *len))).collect()
}

impl<R: AsRef<[u8]> + Send> PreviousChunks for ChunksIn<R> {
    fn read(&mut self, key: &ChunkKey) -> Option<Vec<u8>> {
        let (at, len) = *self.index.get(key)?;
        let bytes = self.source.as_ref();
        let end = usize::try_from(at.checked_add(len)?).ok()?;
        bytes.get(usize::try_from(at).ok()?..end).map(<[u8]>::to_vec)
    }
}

/// The chunks of a file on disk, read where they are.
#[cfg(unix)]
pub struct ChunksInFile {
    file: std::fs::File,
    index: HashMap<ChunkKey, (u64, u64)>,
}

#[cfg(unix)]
impl ChunksInFile {
    pub fn new(file: std::fs::File, chunks: &[Placed]) -> ChunksInFile {
        ChunksInFile { file, index: index(chunks) }
    }
}

#[cfg(unix)]
impl PreviousChunks for ChunksInFile {
    fn read(&mut self, key: &ChunkKey) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let (at, len) = *self.index.get(key)?;
        let mut bytes = vec![0u8; usize::try_from(len).ok()?];
        self.file.read_exact_at(&mut bytes, at).ok()?;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{from_hex, to_hex};

    fn write(previous: Option<InMemory>, parts: &[(&str, &str)]) -> (Vec<u8>, Vec<Placed>, usize) {
        let mut out = Vec::new();
        let previous = previous
            .map(|(bytes, chunks)| Box::new(ChunksIn::new(bytes, &chunks)) as Box<dyn PreviousChunks>);
        let mut writer = ChunkWriter::new(&mut out, previous);
        writer.write_all(b"[").unwrap();
        for (key, text) in parts {
            let key = chunk_key("test", |h| h.str(key));
            writer.chunk(key, |w| Ok(w.write_all(text.as_bytes())?)).unwrap();
            writer.write_all(b",").unwrap();
        }
        let reused = writer.reused;
        let chunks = writer.into_chunks();
        (out, chunks, reused)
    }

    #[test]
    fn chunks_with_the_same_key_are_copied_from_the_previous_file() {
        let (first, chunks, reused) = write(None, &[("a", "alpha"), ("b", "beta")]);
        assert_eq!(first, b"[alpha,beta,");
        assert_eq!(reused, 0);
        // The same key copies the previous bytes (here deliberately unlike what fill would
        // write, to show which was used); a new key is filled.
        let (second, _, reused) =
            write(Some((first.clone(), chunks.clone())), &[("b", "BETA"), ("c", "gamma")]);
        assert_eq!(second, b"[beta,gamma,");
        assert_eq!(reused, 1);
        // A record that points outside the file is not trusted.
        let bad = vec![(chunk_key("test", |h| h.str("a")), 100, 5)];
        let (third, _, reused) = write(Some((first, bad)), &[("a", "alpha")]);
        assert_eq!((third.as_slice(), reused), (&b"[alpha,"[..], 0));
    }

    #[test]
    fn keys_round_trip_through_hex() {
        let key = chunk_key("t", |h| h.str("x"));
        assert_eq!(from_hex(&to_hex(&key)), Some(key));
        assert_ne!(chunk_key("t", |h| h.str("x")), chunk_key("u", |h| h.str("x")));
        assert_eq!(from_hex::<16>("zz"), None);
    }
}
