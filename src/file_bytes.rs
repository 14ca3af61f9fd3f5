//! A built file's bytes held in memory (`brief serve`, `check`, tests) as shared buffers.
//!
//! Most files are one buffer. A data file rebuilt in memory from the previous build's
//! (`chunks`) is several: the runs of unchanged chunks are slices of the previous file's own
//! buffers, and only what changed is new. So a rebuild after one seed changed neither copies
//! `briefing.json` (a hundred megabytes at 10,000 articles) nor faults in fresh memory for it.

use bytes::Bytes;

/// A file of more parts than this is joined into one buffer. A rebuild in memory adds a part
/// or two for each changed chunk (`briefing.json` at 10,000 articles starts at about 30), so
/// a long `brief serve` session would otherwise fragment its files without end; joining costs
/// one copy every few hundred rebuilds.
const MOST_PARTS: usize = 1024;

/// The bytes of a file, in order, as shared buffers.
#[derive(Clone, Debug, Default)]
pub struct FileBytes {
    parts: Vec<Bytes>,
    len: usize,
}

impl FileBytes {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffers, in order; none is empty.
    pub fn parts(&self) -> &[Bytes] {
        &self.parts
    }

    /// One buffer: the only part itself (shared), or the parts joined (a copy).
    pub fn contiguous(&self) -> Bytes {
        match self.parts.as_slice() {
            [] => Bytes::new(),
            [one] => one.clone(),
            parts => Bytes::from(parts.concat()),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.parts.concat()
    }

    /// `len` bytes from `at`, as slices of the parts (shared, not copied); `None` when they
    /// lie outside the file.
    pub fn slice(&self, at: usize, len: usize) -> Option<FileBytes> {
        let end = at.checked_add(len).filter(|end| *end <= self.len)?;
        let mut out = FileBytes::default();
        let mut start = 0;
        for part in &self.parts {
            let part_end = start + part.len();
            if part_end > at && start < end {
                out.push(part.slice(at.max(start) - start..end.min(part_end) - start));
            }
            if part_end >= end {
                break;
            }
            start = part_end;
        }
        Some(out)
    }

    /// Appends `part` (an empty one is dropped).
    pub fn push(&mut self, part: Bytes) {
        if !part.is_empty() {
            self.len += part.len();
            self.parts.push(part);
        }
    }

    /// Appends the parts of `other`.
    pub fn extend(&mut self, other: FileBytes) {
        for part in other.parts {
            self.push(part);
        }
    }

    /// Joined into one buffer when it has grown to very many parts.
    pub fn settled(self) -> FileBytes {
        if self.parts.len() > MOST_PARTS { FileBytes::from(self.contiguous()) } else { self }
    }
}

impl From<Bytes> for FileBytes {
    fn from(bytes: Bytes) -> FileBytes {
        let mut file = FileBytes::default();
        file.push(bytes);
        file
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes::from(Bytes::from(bytes))
    }
}

/// Equal when the bytes are, however they are split into parts.
impl PartialEq for FileBytes {
    fn eq(&self, other: &FileBytes) -> bool {
        self.len == other.len
            && self.parts.iter().flat_map(|p| p.iter()).eq(other.parts.iter().flat_map(|p| p.iter()))
    }
}

impl Eq for FileBytes {}

/// Writes a file as parts: what is written goes into a buffer of its own, and runs of another
/// file are appended as its slices (`share`).
#[derive(Default)]
pub struct PartsWriter {
    done: FileBytes,
    current: Vec<u8>,
}

impl PartsWriter {
    /// Appends `shared` as it is, after what was written so far.
    pub fn share(&mut self, shared: FileBytes) {
        self.seal();
        self.done.extend(shared);
    }

    fn seal(&mut self) {
        if !self.current.is_empty() {
            self.done.push(Bytes::from(std::mem::take(&mut self.current)));
        }
    }

    pub fn finish(mut self) -> FileBytes {
        self.seal();
        self.done.settled()
    }
}

impl std::io::Write for PartsWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.current.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    fn parts_of(text: &[u8], cuts: &[usize]) -> FileBytes {
        let mut file = FileBytes::default();
        let mut at = 0;
        for &cut in cuts.iter().chain([&text.len()]) {
            let cut = cut.clamp(at, text.len());
            file.push(Bytes::copy_from_slice(&text[at..cut]));
            at = cut;
        }
        file
    }

    proptest! {
        /// A slice of a file in parts holds the same bytes as the slice of the whole.
        #[test]
        fn slices_hold_the_bytes_of_the_whole(
            text in proptest::collection::vec(any::<u8>(), 0..200),
            mut cuts in proptest::collection::vec(0usize..200, 0..8),
            at in 0usize..220,
            len in 0usize..220,
        ) {
            cuts.sort();
            let file = parts_of(&text, &cuts);
            prop_assert_eq!(file.to_vec(), text.clone());
            prop_assert_eq!(file.len(), text.len());
            match file.slice(at, len) {
                Some(slice) => {
                    prop_assert_eq!(slice.to_vec(), text[at..at + len].to_vec());
                    prop_assert_eq!(slice.len(), len);
                }
                None => prop_assert!(at + len > text.len()),
            }
        }
    }

    #[test]
    fn shared_runs_are_the_same_buffers_and_writes_go_between_them() {
        let previous = FileBytes::from(Bytes::from_static(b"[one,two,three]"));
        let mut out = PartsWriter::default();
        out.write_all(b"{").unwrap();
        out.share(previous.slice(0, 5).unwrap());
        out.write_all(b"2,").unwrap();
        out.share(previous.slice(9, 6).unwrap());
        let file = out.finish();
        assert_eq!(file.to_vec(), b"{[one,2,three]");
        assert_eq!(file.parts().len(), 4);
        // The runs point into the previous file's buffer: nothing was copied.
        assert_eq!(file.parts()[1].as_ptr(), previous.parts()[0].as_ptr());
        assert_eq!(file, FileBytes::from(b"{[one,2,three]".to_vec()), "equal whatever the parts");
    }

    #[test]
    fn a_file_of_very_many_parts_is_joined() {
        let mut out = PartsWriter::default();
        let piece = FileBytes::from(Bytes::from_static(b"ab"));
        for _ in 0..=MOST_PARTS {
            out.share(piece.clone());
        }
        let file = out.finish();
        assert_eq!(file.parts().len(), 1);
        assert_eq!(file.to_vec(), b"ab".repeat(MOST_PARTS + 1));
    }
}
