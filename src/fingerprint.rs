//! Fingerprints of what a page is made from: its template context, serialised (`Binary`) into
//! BLAKE3 (a seed is untrusted text, so two different pages must not be made to share a
//! fingerprint). The same fingerprint as the previous build's means the same page, so the page
//! is not rendered again (see `write::Staging`).

/// A BLAKE3 hash, shown as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

/// Bytes as lower-case hex digits.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(2 * bytes.len());
    push_hex(&mut hex, bytes);
    hex
}

/// `to_hex`, onto the end of `hex`.
pub fn push_hex(hex: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        hex.push(DIGITS[usize::from(b >> 4)] as char);
        hex.push(DIGITS[usize::from(b & 0xf)] as char);
    }
}

/// Hashes values in a form that cannot be confused: every value is tagged with its kind, and
/// every string and list with its length. Pieces are gathered into a buffer and hashed in
/// large blocks, where BLAKE3 is fastest (a page is thousands of short strings).
pub struct Fingerprinter {
    /// Made once the buffer first fills: most fingerprints (chunk keys, tens of thousands a
    /// build) are of a few dozen bytes, hashed whole at the end, and a hasher is 2 KB to set up.
    hasher: Option<blake3::Hasher>,
    buffer: Vec<u8>,
    /// BLAKE3's key, for a keyed hash (`keyed`).
    key: Option<[u8; 32]>,
}

const BUFFER: usize = 1 << 16;

thread_local! {
    /// The buffer of the last fingerprint finished on this thread, emptied, for the next: a
    /// build makes tens of thousands of fingerprints, each growing a buffer from nothing.
    static SPARE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter { hasher: None, buffer: SPARE_BUFFER.take(), key: None }
    }
}

impl Fingerprinter {
    /// A fingerprint by BLAKE3's keyed hash, under `key`: what the key stands for (a kind of
    /// chunk, `chunks::chunk_key`) is not hashed again with each fingerprint.
    pub fn keyed(key: &[u8; 32]) -> Fingerprinter {
        Fingerprinter { key: Some(*key), ..Fingerprinter::default() }
    }

    fn new_hasher(key: Option<&[u8; 32]>) -> blake3::Hasher {
        key.map_or_else(blake3::Hasher::new, blake3::Hasher::new_keyed)
    }

    /// The digest of `bytes` alone, keyed or not as this fingerprint is.
    fn hash_whole(key: Option<&[u8; 32]>, bytes: &[u8]) -> blake3::Hash {
        match key {
            Some(key) => blake3::keyed_hash(key, bytes),
            None => blake3::hash(bytes),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        if self.buffer.len() + bytes.len() > BUFFER {
            let key = self.key.as_ref();
            self.hasher.get_or_insert_with(|| Self::new_hasher(key)).update(&self.buffer);
            self.buffer.clear();
        }
        if bytes.len() >= BUFFER {
            let key = self.key.as_ref();
            self.hasher.get_or_insert_with(|| Self::new_hasher(key)).update(bytes);
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
        let mut rest = std::mem::take(&mut self.buffer);
        let digest = match &mut self.hasher {
            // The same digest as a hasher fed the same bytes.
            None => Self::hash_whole(self.key.as_ref(), &rest),
            Some(hasher) => hasher.update(&rest).finalize(),
        };
        rest.clear();
        SPARE_BUFFER.set(rest);
        Fingerprint(*digest.as_bytes())
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
        let digest = match &self.0.hasher {
            None => Fingerprinter::hash_whole(self.0.key.as_ref(), &self.0.buffer),
            Some(hasher) => hasher.clone().update(&self.0.buffer).finalize(),
        };
        u64::from_le_bytes(digest.as_bytes()[..8].try_into().unwrap_or([0; 8]))
    }
}

/// A value whose hash is already known (an article's, made once per build for the data
/// files): in a fingerprint (`Binary`) it stands as that hash, so a page of a thousand
/// articles is fingerprinted from a thousand hashes, not from all their text; anywhere else
/// (the template's values) it is the value itself. The hash must cover all of the value.
pub struct Hashed<'a, T: ?Sized> {
    pub value: &'a T,
    pub hash: [u8; 16],
}

impl<T: serde::Serialize + ?Sized> serde::Serialize for Hashed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            self.value.serialize(serializer)
        } else {
            serializer.serialize_bytes(&self.hash)
        }
    }
}

/// Feeds a serialisable value into a fingerprint as tagged binary: every value starts with a
/// tag naming its kind, strings and bytes carry their length, and lists, maps and structs are
/// closed by an end tag, so two different values never give the same bytes. Faster than JSON
/// (nothing is escaped or formatted), and it is only ever hashed, never read back.
pub struct Binary<'a>(pub &'a mut Fingerprinter);

/// The one error of `Binary`: a value's own `Serialize` failed.
#[derive(Debug)]
pub struct BinaryError(String);

impl std::fmt::Display for BinaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BinaryError {}

impl serde::ser::Error for BinaryError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        BinaryError(msg.to_string())
    }
}

const END: &[u8] = b")";

impl Binary<'_> {
    fn tag(&mut self, tag: &[u8]) {
        self.0.update(tag);
    }
    fn number(&mut self, tag: &[u8], bytes: &[u8]) {
        self.0.update(tag);
        self.0.update(bytes);
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl serde::ser::$trait for Binary<'_> {
            type Ok = ();
            type Error = BinaryError;
            fn $method<T: serde::Serialize + ?Sized>(&mut self, $($key: &'static str,)? value: &T) -> Result<(), BinaryError> {
                $(
                    self.0.update(b"k");
                    self.0.str($key);
                )?
                value.serialize(Binary(&mut *self.0))
            }
            fn end(self) -> Result<(), BinaryError> {
                self.0.update(END);
                Ok(())
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);
compound!(SerializeStruct, serialize_field, key);
compound!(SerializeStructVariant, serialize_field, key);

impl serde::ser::SerializeMap for Binary<'_> {
    type Ok = ();
    type Error = BinaryError;
    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), BinaryError> {
        key.serialize(Binary(&mut *self.0))
    }
    fn serialize_value<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BinaryError> {
        value.serialize(Binary(&mut *self.0))
    }
    fn end(self) -> Result<(), BinaryError> {
        self.0.update(END);
        Ok(())
    }
}

/// Narrow numbers are fingerprinted as their widest kind (`3u8` and `3u64` are the same value).
macro_rules! widen {
    ($($method:ident($narrow:ty)),+ => $wide_method:ident($wide:ty)) => {
        $(
            fn $method(self, v: $narrow) -> Result<(), BinaryError> {
                self.$wide_method(<$wide>::from(v))
            }
        )+
    };
}

impl<'a> serde::Serializer for Binary<'a> {
    /// Not human-readable: a value with a hash of its own (`Hashed`) stands here as the hash.
    fn is_human_readable(&self) -> bool {
        false
    }

    type Ok = ();
    type Error = BinaryError;
    type SerializeSeq = Binary<'a>;
    type SerializeTuple = Binary<'a>;
    type SerializeTupleStruct = Binary<'a>;
    type SerializeTupleVariant = Binary<'a>;
    type SerializeMap = Binary<'a>;
    type SerializeStruct = Binary<'a>;
    type SerializeStructVariant = Binary<'a>;

    fn serialize_bool(mut self, v: bool) -> Result<(), BinaryError> {
        self.tag(if v { b"T" } else { b"F" });
        Ok(())
    }
    widen!(serialize_i8(i8), serialize_i16(i16), serialize_i32(i32) => serialize_i64(i64));
    fn serialize_i64(mut self, v: i64) -> Result<(), BinaryError> {
        self.number(b"i", &v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(mut self, v: i128) -> Result<(), BinaryError> {
        self.number(b"I", &v.to_le_bytes());
        Ok(())
    }
    widen!(serialize_u8(u8), serialize_u16(u16), serialize_u32(u32) => serialize_u64(u64));
    fn serialize_u64(mut self, v: u64) -> Result<(), BinaryError> {
        self.number(b"u", &v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(mut self, v: u128) -> Result<(), BinaryError> {
        self.number(b"U", &v.to_le_bytes());
        Ok(())
    }
    widen!(serialize_f32(f32) => serialize_f64(f64));
    fn serialize_f64(mut self, v: f64) -> Result<(), BinaryError> {
        self.number(b"f", &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(mut self, v: char) -> Result<(), BinaryError> {
        self.number(b"c", &u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(mut self, v: &str) -> Result<(), BinaryError> {
        self.tag(b"s");
        self.0.str(v);
        Ok(())
    }
    fn serialize_bytes(mut self, v: &[u8]) -> Result<(), BinaryError> {
        self.tag(b"B");
        self.0.bytes(v);
        Ok(())
    }
    fn serialize_none(mut self) -> Result<(), BinaryError> {
        self.tag(b"N");
        Ok(())
    }
    fn serialize_some<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Result<(), BinaryError> {
        self.tag(b"S");
        value.serialize(self)
    }
    fn serialize_unit(mut self) -> Result<(), BinaryError> {
        self.tag(b"0");
        Ok(())
    }
    fn serialize_unit_struct(mut self, name: &'static str) -> Result<(), BinaryError> {
        self.tag(b"1");
        self.0.str(name);
        Ok(())
    }
    fn serialize_unit_variant(
        mut self,
        _: &'static str,
        index: u32,
        _: &'static str,
    ) -> Result<(), BinaryError> {
        self.number(b"v", &index.to_le_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        mut self,
        _: &'static str,
        value: &T,
    ) -> Result<(), BinaryError> {
        self.tag(b"w");
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        mut self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), BinaryError> {
        self.number(b"W", &index.to_le_bytes());
        value.serialize(self)
    }
    fn serialize_seq(mut self, _: Option<usize>) -> Result<Binary<'a>, BinaryError> {
        self.tag(b"[");
        Ok(self)
    }
    fn serialize_tuple(mut self, _: usize) -> Result<Binary<'a>, BinaryError> {
        self.tag(b"(");
        Ok(self)
    }
    fn serialize_tuple_struct(mut self, _: &'static str, _: usize) -> Result<Binary<'a>, BinaryError> {
        self.tag(b"(");
        Ok(self)
    }
    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Binary<'a>, BinaryError> {
        self.number(b"<", &index.to_le_bytes());
        Ok(self)
    }
    fn serialize_map(mut self, _: Option<usize>) -> Result<Binary<'a>, BinaryError> {
        self.tag(b"{");
        Ok(self)
    }
    fn serialize_struct(mut self, _: &'static str, _: usize) -> Result<Binary<'a>, BinaryError> {
        self.tag(b"{");
        Ok(self)
    }
    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Binary<'a>, BinaryError> {
        self.number(b"}", &index.to_le_bytes());
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn of(value: &Value) -> Fingerprint {
        let mut f = Fingerprinter::default();
        serde::Serialize::serialize(value, Binary(&mut f)).unwrap();
        f.finish()
    }

    fn of_hashed(text: &str, hash: [u8; 16]) -> Fingerprint {
        let mut f = Fingerprinter::default();
        serde::Serialize::serialize(&Hashed { value: text, hash }, Binary(&mut f)).unwrap();
        f.finish()
    }

    #[test]
    fn a_hashed_value_is_its_hash_in_a_fingerprint_and_itself_elsewhere() {
        // In a fingerprint only the hash counts: the text is not read again.
        assert_eq!(of_hashed("one text", [1; 16]), of_hashed("another text", [1; 16]));
        assert_ne!(of_hashed("one text", [1; 16]), of_hashed("one text", [2; 16]));
        // The template sees the value.
        let shown = serde_json::to_value(Hashed { value: "one text", hash: [1; 16] }).unwrap();
        assert_eq!(shown, json!("one text"));
    }

    #[test]
    fn structs_options_and_lists_are_told_apart() {
        #[derive(serde::Serialize)]
        struct Page<'a> {
            title: &'a str,
            tags: Vec<&'a str>,
            note: Option<&'a str>,
            count: usize,
        }
        let of = |page: &Page| {
            let mut f = Fingerprinter::default();
            serde::Serialize::serialize(page, Binary(&mut f)).unwrap();
            f.finish()
        };
        let page = Page { title: "a", tags: vec!["b", "c"], note: None, count: 1 };
        let same = Page { title: "a", tags: vec!["b", "c"], note: None, count: 1 };
        assert_eq!(of(&page), of(&same));
        for other in [
            Page { title: "ab", tags: vec!["c"], note: None, count: 1 },
            Page { title: "a", tags: vec!["bc"], note: None, count: 1 },
            Page { title: "a", tags: vec!["b", "c"], note: Some(""), count: 1 },
            Page { title: "a", tags: vec!["b", "c"], note: None, count: 2 },
            Page { title: "a", tags: vec![], note: None, count: 1 },
        ] {
            assert_ne!(of(&other), of(&page));
        }
    }

    #[test]
    fn buffering_does_not_change_the_hash() {
        // Strings on either side of the buffer's size, whole or in pieces; short enough to be
        // hashed in one go at the end, or not; keyed or not.
        let long = "a".repeat(BUFFER + 5);
        let key = [7u8; 32];
        let strings = [vec!["short"], vec!["short", long.as_str(), "tail"], vec![long.as_str()]];
        for (strings, keyed) in strings.iter().flat_map(|s| [(s, false), (s, true)]) {
            let (mut pieces, mut plain) = if keyed {
                (Fingerprinter::keyed(&key), blake3::Hasher::new_keyed(&key))
            } else {
                (Fingerprinter::default(), blake3::Hasher::new())
            };
            for s in strings.iter() {
                pieces.str(s);
                plain.update(&(s.len() as u64).to_le_bytes());
                plain.update(s.as_bytes());
            }
            let plain = *plain.finalize().as_bytes();
            let digest = std::hash::Hasher::finish(&Hashing(&mut pieces));
            assert_eq!(digest.to_le_bytes(), plain[..8], "{}", strings.len());
            assert_eq!(pieces.finish(), Fingerprint(plain), "{}", strings.len());
        }
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
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(to_hex(&[0x0f, 0xa0, 0x5c]), "0fa05c");
        assert_eq!(of(&json!("x")).to_hex().len(), 64);
    }
}
