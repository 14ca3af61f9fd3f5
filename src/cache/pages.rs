//! The record of an output's pages, `.brief-cache/pages.bin` (`write::Staging::reusing_pages`):
//! for each file of the output, the fingerprint it was made from and the file as the build left
//! it (size, modification time, inode), and for a data file written in chunks where each chunk
//! lies.
//!
//! Binary, as the other cache files: a dated archive of 10,000 articles records 65,000 chunks,
//! and the record is read at the start of every build and written at its end. As JSON with the
//! chunks in hex it took 8 % of a one-seed rebuild's instructions (hex, escaping, parsing).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Writer;
use crate::chunks::Placed;
use crate::fingerprint::Fingerprint;

/// The record's file name in the cache folder.
pub const FILE: &str = "pages.bin";
/// What the record was called when it was JSON; removed when the record is written.
const OLD_FILE: &str = "pages.json";
const MAGIC: &[u8] = b"brief-pages 4\n";
/// Magic, the payload's length and checksum.
const HEADER: usize = MAGIC.len() + 2 * 8;

/// A file of the output as a build left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRecord {
    pub fingerprint: Fingerprint,
    pub len: u64,
    pub modified_ns: u128,
    pub inode: u64,
    /// For a data file written in chunks: each chunk's key, offset, length and lead hash.
    /// Shared: a data file taken over keeps its record, tens of thousands of chunks.
    pub chunks: Arc<[Placed]>,
}

/// Which output the record describes, and its files by path.
#[derive(Debug, PartialEq, Eq)]
pub struct PageRecords {
    pub output: PathBuf,
    pub pages: Vec<(String, PageRecord)>,
}

/// The record at `file`; `None` if there is none, or it is damaged or of another format.
pub fn read_records(file: &Path) -> Option<PageRecords> {
    decode(&super::read_shared(file).ok()?)
}

/// Writes `records` to `name` in `dir` atomically, as they are encoded; failures are not
/// errors (the record only saves work). An output whose path is not UTF-8 is not recorded.
pub fn write_records(dir: &Path, name: &str, records: &PageRecords) {
    let Some(output) = records.output.to_str() else { return };
    if let Some(mut w) = Writer::to_file(dir, name, HEADER) {
        encode(&mut w, output, &records.pages);
        w.finish_file(dir, name, header);
    }
    let _ = std::fs::remove_file(dir.join(OLD_FILE));
}

fn header(len: u64, checksum: u64) -> Vec<u8> {
    super::header_bytes(&[MAGIC], &[len, checksum])
}

fn encode(w: &mut Writer, output: &str, pages: &[(String, PageRecord)]) {
    w.str(output);
    w.u64(pages.len() as u64);
    for (path, record) in pages {
        w.str(path);
        w.raw(&record.fingerprint.0);
        w.u64(record.len);
        w.u64(record.modified_ns as u64);
        w.u64((record.modified_ns >> 64) as u64);
        w.u64(record.inode);
        w.u64(record.chunks.len() as u64);
        for (key, at, len, lead) in record.chunks.iter() {
            w.raw(key);
            w.u64(*at);
            w.u64(*len);
            w.u64(*lead);
        }
        w.spill();
    }
}

fn decode(bytes: &[u8]) -> Option<PageRecords> {
    let mut r = super::checked_payload(bytes, MAGIC, &[])?;
    let output = PathBuf::from(r.str::<&str>()?);
    let pages = r.list(|r| {
        let path = r.str()?;
        let fingerprint = Fingerprint(r.take(32)?.try_into().ok()?);
        let (len, low, high, inode) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
        let chunks = r.list(|r| Some((r.take(16)?.try_into().ok()?, r.u64()?, r.u64()?, r.u64()?)))?;
        let modified_ns = u128::from(high) << 64 | u128::from(low);
        Some((path, PageRecord { fingerprint, len, modified_ns, inode, chunks: chunks.into() }))
    })?;
    r.bytes.is_empty().then_some(PageRecords { output, pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PageRecords {
        let page = PageRecord {
            fingerprint: Fingerprint([3; 32]),
            len: 120,
            modified_ns: 1_700_000_000_123_456_789 + (7u128 << 64),
            inode: 42,
            chunks: Arc::from([]),
        };
        let data = PageRecord {
            chunks: vec![([7; 16], 0, 12, 0), ([0xab; 16], 12, u64::MAX, 1 << 60)].into(),
            ..page.clone()
        };
        PageRecords {
            output: PathBuf::from("/site/public"),
            pages: vec![("briefing.json".into(), data), ("index.html".into(), page)],
        }
    }

    #[test]
    fn records_round_trip_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(OLD_FILE), "{}").unwrap();
        write_records(dir.path(), FILE, &sample());
        let file = dir.path().join(FILE);
        assert_eq!(read_records(&file), Some(sample()));
        assert!(!dir.path().join(OLD_FILE).exists(), "the JSON record of before is left");

        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None, "truncated");
        for at in [3, HEADER - 1, HEADER + 5, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert_eq!(decode(&damaged), None, "byte {at} flipped");
        }
        // A payload that its header vouches for but that does not end where it should.
        let mut w = Writer::with_room(HEADER, 0);
        encode(&mut w, "/site/public", &sample().pages);
        w.u64(0);
        assert_eq!(decode(&w.into_bytes(header)), None);
        assert_eq!(read_records(&dir.path().join("missing.bin")), None);
    }
}
