//! Fingerprints of what a page is made from: its template context, serialised into BLAKE3 (a seed
//! is untrusted text, so two different pages must not be made to share a fingerprint). The
//! same fingerprint as the previous build's means the same page, so the page is not rendered
//! again (see `write::Staging`).

/// A BLAKE3 hash, shown as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(hex: &str) -> Option<Fingerprint> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(bytes))
    }
}

/// Hashes values in a form that cannot be confused: every value is tagged with its kind, and
/// every string and list with its length. Pieces are gathered into a buffer and hashed in
/// large blocks, where BLAKE3 is fastest (a page is thousands of short strings).
pub struct Fingerprinter {
    hasher: blake3::Hasher,
    buffer: Vec<u8>,
}

const BUFFER: usize = 1 << 16;

impl Default for Fingerprinter {
    fn default() -> Self {
        // The buffer grows as needed: most fingerprints are of a few kilobytes or less.
        Fingerprinter { hasher: blake3::Hasher::new(), buffer: Vec::new() }
    }
}

impl Fingerprinter {
    fn update(&mut self, bytes: &[u8]) {
        if self.buffer.len() + bytes.len() > BUFFER {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
        if bytes.len() >= BUFFER {
            self.hasher.update(bytes);
        } else {
            self.buffer.extend_from_slice(bytes);
        }
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        self.update(&(bytes.len() as u64).to_le_bytes());
        self.update(bytes);
    }

    pub fn finish(mut self) -> Fingerprint {
        let rest = std::mem::take(&mut self.buffer);
        self.hasher.update(&rest);
        Fingerprint(*self.hasher.finalize().as_bytes())
    }
}

/// Lets `#[derive(Hash)]` types feed a fingerprint (`value.hash(&mut Hashing(&mut f))`): every
/// field goes in, so a field added later is covered without anyone remembering to.
pub struct Hashing<'a>(pub &'a mut Fingerprinter);

impl std::hash::Hasher for Hashing<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// A 64-bit digest of what was fed so far (the fingerprint itself is `Fingerprinter::finish`).
    fn finish(&self) -> u64 {
        let mut hasher = self.0.hasher.clone();
        hasher.update(&self.0.buffer);
        let digest = hasher.finalize();
        u64::from_le_bytes(digest.as_bytes()[..8].try_into().unwrap_or([0; 8]))
    }
}

/// Serialised values (`serde_json::to_writer`) go straight into the hash.
impl std::io::Write for Fingerprinter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn of(value: &Value) -> Fingerprint {
        let mut f = Fingerprinter::default();
        serde_json::to_writer(&mut f, value).unwrap();
        f.finish()
    }

    #[test]
    fn buffering_does_not_change_the_hash() {
        // Strings on either side of the buffer's size, whole or in pieces.
        let long = "a".repeat(BUFFER + 5);
        let mut pieces = Fingerprinter::default();
        pieces.str("short");
        pieces.str(&long);
        pieces.str("tail");
        let mut plain = blake3::Hasher::new();
        for s in ["short", long.as_str(), "tail"] {
            plain.update(&(s.len() as u64).to_le_bytes());
            plain.update(s.as_bytes());
        }
        assert_eq!(pieces.finish(), Fingerprint(*plain.finalize().as_bytes()));
    }

    #[test]
    fn different_values_differ_and_equal_ones_agree() {
        let page = json!({"title": "Gaza", "paragraphs": ["One.", "Two."], "count": 2, "draft": false});
        assert_eq!(of(&page), of(&page.clone()));
        let others = [
            json!({"title": "Gaza", "paragraphs": ["One.", "Two!"], "count": 2, "draft": false}),
            json!({"title": "Gaza", "paragraphs": ["One.Two."], "count": 2, "draft": false}),
            json!({"title": "Gaza", "paragraphs": ["One.", "Two."], "count": 3, "draft": false}),
            json!({"title": "Gaza", "paragraphs": ["One.", "Two."], "count": "2", "draft": false}),
            json!({"title": "Gaza", "paragraphs": ["One.", "Two."], "count": 2, "draft": null}),
            json!({"titl": "eGaza", "paragraphs": ["One.", "Two."], "count": 2, "draft": false}),
        ];
        for other in &others {
            assert_ne!(of(other), of(&page), "{other}");
        }
    }

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let f = of(&json!("x"));
        assert_eq!(Fingerprint::from_hex(&f.to_hex()), Some(f));
        assert_eq!(Fingerprint::from_hex("zz"), None);
        assert_eq!(Fingerprint::from_hex(&"g".repeat(64)), None);
    }
}
