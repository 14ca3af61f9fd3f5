//! Small text utilities shared by the stages: word splitting, function words, sentences.

use std::hash::Hasher;

use unicode_segmentation::UnicodeSegmentation;

/// Runs of letters and digits (`Syria's` gives `Syria`, `s`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// The runs of ASCII letters and digits in `text`: for ASCII text, what splitting on every
/// character that is not alphanumeric leaves.
pub fn ascii_words(text: &str) -> impl Iterator<Item = &str> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes[at..].iter().position(u8::is_ascii_alphanumeric)?;
        let end =
            bytes[start..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |n| start + n);
        at = end;
        Some(&text[start..end])
    })
}

/// How many `words` there are: for ASCII text, the starts of runs of letters and digits,
/// counted byte by byte (summaries and quotes count the words of every sentence they weigh;
/// counting `ascii_words` took 71 M more instructions on a cold 1,000-seed build).
pub fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return words(text).count();
    }
    let mut count = 0;
    let mut in_word = false;
    for byte in text.bytes() {
        let letter = byte.is_ascii_alphanumeric();
        count += usize::from(letter && !in_word);
        in_word = letter;
    }
    count
}

/// English function words, sorted; a line of prose is full of them, a menu or a credit is not.
pub const ENGLISH_STOPWORDS: &[&str] = &[
    "a", "about", "after", "against", "all", "also", "an", "and", "are", "as", "at", "be", "been", "before",
    "but", "by", "can", "could", "did", "do", "for", "from", "had", "has", "have", "he", "her", "his", "how",
    "if", "in", "into", "is", "it", "its", "more", "no", "not", "of", "on", "or", "our", "over", "said",
    "she", "so", "than", "that", "the", "their", "them", "there", "they", "this", "those", "to", "up", "was",
    "we", "were", "what", "when", "which", "while", "who", "will", "with", "would", "you",
];

/// `ENGLISH_STOPWORDS` as integers of their bytes (zero-padded), in an open-addressed table
/// of `STOPWORD_SLOTS` (zero: empty): looking a word up is a multiply and a compare or two,
/// and this runs on every word of a build.
fn stopword_table() -> &'static [u64; STOPWORD_SLOTS] {
    static TABLE: std::sync::OnceLock<[u64; STOPWORD_SLOTS]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u64; STOPWORD_SLOTS];
        for word in ENGLISH_STOPWORDS {
            let key = pack_word(word.as_bytes());
            let mut slot = stopword_slot(key);
            while table[slot] != 0 {
                slot = (slot + 1) % STOPWORD_SLOTS;
            }
            table[slot] = key;
        }
        table
    })
}

/// Slots of `stopword_table`: a power of two, over three times the words.
const STOPWORD_SLOTS: usize = 256;
const _: () = assert!(STOPWORD_SLOTS.is_power_of_two());

/// The top bits of a multiplicative hash, as many as index `STOPWORD_SLOTS`.
fn stopword_slot(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - STOPWORD_SLOTS.trailing_zeros())) as usize
}

/// Up to eight bytes, lower-cased, as an integer (zero-padded).
fn pack_word(word: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..word.len()].copy_from_slice(word);
    buf.make_ascii_lowercase();
    u64::from_le_bytes(buf)
}

/// Whether a word is one of `ENGLISH_STOPWORDS`, in any case.
pub fn is_stopword(word: &str) -> bool {
    if word.is_ascii() {
        // No stop word is longer than 7 letters; lowercase on the stack.
        if word.len() > 7 {
            return false;
        }
        if word.is_empty() {
            return false;
        }
        let key = pack_word(word.as_bytes());
        let table = stopword_table();
        let mut slot = stopword_slot(key);
        loop {
            match table[slot] {
                0 => return false,
                found if found == key => return true,
                _ => slot = (slot + 1) % STOPWORD_SLOTS,
            }
        }
    }
    if word.chars().any(|c| c.is_uppercase()) {
        ENGLISH_STOPWORDS.binary_search(&word.to_lowercase().as_str()).is_ok()
    } else {
        ENGLISH_STOPWORDS.binary_search(&word).is_ok()
    }
}

/// A map keyed by words, hashed with `WordHasher`.
pub type WordMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;

/// A small, fast hash for short keys (words): FxHash's mixing step. Only for maps that are
/// looked up, never iterated into output.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Ideographs, kana and hangul syllables: scripts written without spaces between words (or,
/// for hangul, with long syllable blocks), measured by characters rather than words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width katakana
        | 0x20000..=0x2FA1F) // extensions B and on
}

/// Unicode sentence boundaries (UAX #29), trimmed, empty ones dropped.
///
/// ASCII text (most paragraphs) takes a byte-level port of `unicode_segmentation`'s rules with
/// the categories of ASCII as a table: the same boundaries, without a table search per character.
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let bounds = if text.is_ascii() {
        Bounds::Ascii(AsciiSentenceBounds::new(text))
    } else {
        Bounds::Unicode(text.unicode_sentences())
    };
    bounds.map(str::trim).filter(|s| !s.is_empty())
}

enum Bounds<'a> {
    Ascii(AsciiSentenceBounds<'a>),
    Unicode(unicode_segmentation::UnicodeSentences<'a>),
}

impl<'a> Iterator for Bounds<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Bounds::Ascii(b) => b.next(),
            Bounds::Unicode(u) => u.next(),
        }
    }
}

/// Sentence-break categories of UAX #29 that occur in ASCII.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cat {
    Cr,
    Lf,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

fn ascii_cat(b: u8) -> Cat {
    match b {
        b'\r' => Cat::Cr,
        b'\n' => Cat::Lf,
        b'\t' | 0x0b | 0x0c | b' ' => Cat::Sp,
        b'a'..=b'z' => Cat::Lower,
        b'A'..=b'Z' => Cat::Upper,
        b'0'..=b'9' => Cat::Numeric,
        b'.' => Cat::ATerm,
        b'!' | b'?' => Cat::STerm,
        b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
        b',' | b'-' | b':' | b';' => Cat::SContinue,
        _ => Cat::Other,
    }
}

/// The parts of the break state, as `unicode_segmentation` keeps them (runs of Close and of Sp
/// collapsed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Sot,
    Eot,
    Other,
    Cr,
    Lf,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

#[derive(Clone, Copy)]
struct State([Part; 4]);

impl State {
    fn next(self, cat: Cat) -> State {
        let p = self.0;
        match (p[3], cat) {
            (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => self,
            _ => State([
                p[1],
                p[2],
                p[3],
                match cat {
                    Cat::Cr => Part::Cr,
                    Cat::Lf => Part::Lf,
                    Cat::ATerm => Part::ATerm,
                    Cat::Upper | Cat::Lower => Part::UpperLower,
                    Cat::Close => Part::ClosePlus,
                    Cat::Sp => Part::SpPlus,
                    Cat::STerm => Part::STerm,
                    _ => Part::Other,
                },
            ]),
        }
    }

    /// The part before `Close* Sp*` at the head (`skip_sp`) or before `Close*`.
    fn before_close(self, skip_sp: bool) -> Part {
        let p = self.0;
        let mut idx = if skip_sp && p[3] == Part::SpPlus { 2 } else { 3 };
        if p[idx] == Part::ClosePlus {
            idx -= 1;
        }
        p[idx]
    }

    fn sb8(self, ahead: &[u8]) -> bool {
        if self.before_close(true) != Part::ATerm {
            return false;
        }
        for &b in ahead {
            match ascii_cat(b) {
                Cat::Lower => return true,
                Cat::Upper | Cat::Cr | Cat::Lf | Cat::STerm | Cat::ATerm => return false,
                _ => {}
            }
        }
        false
    }

    fn sb8a(self) -> bool {
        matches!(self.before_close(true), Part::STerm | Part::ATerm)
    }

    fn sb9(self) -> bool {
        let p = self.0;
        let idx = if p[3] == Part::ClosePlus { 2 } else { 3 };
        matches!(p[idx], Part::STerm | Part::ATerm)
    }

    fn sb11(self) -> bool {
        let p = self.0;
        let mut idx = if matches!(p[3], Part::Cr | Part::Lf) { 2 } else { 3 };
        if p[idx] == Part::SpPlus {
            idx -= 1;
        }
        if p[idx] == Part::ClosePlus {
            idx -= 1;
        }
        matches!(p[idx], Part::STerm | Part::ATerm)
    }
}

/// `unicode_sentences` for ASCII text: the pieces between UAX #29 sentence breaks that hold a
/// letter or digit.
struct AsciiSentenceBounds<'a> {
    text: &'a str,
    pos: usize,
    state: State,
    start: Option<usize>,
    /// Where the next terminator or line break is (or the end), once looked up from `pos`.
    next_stop: usize,
    /// Where the next line break is (or the end): paragraphs seldom have one, so it is looked
    /// up apart from the terminators, and again only once passed.
    next_line: usize,
}

impl<'a> AsciiSentenceBounds<'a> {
    fn new(text: &'a str) -> Self {
        AsciiSentenceBounds {
            text,
            pos: 0,
            state: State([Part::Sot; 4]),
            start: None,
            next_stop: 0,
            next_line: 0,
        }
    }

    /// The next break position.
    fn next_break(&mut self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            // With no terminator, line break or start in the state, only a terminator or a line
            // break can lead to a break, and no rule reads further back than the part before a
            // terminator: skip to a few bytes before the next one, from a neutral state.
            if self
                .state
                .0
                .iter()
                .all(|p| matches!(p, Part::Other | Part::UpperLower | Part::ClosePlus | Part::SpPlus))
            {
                if self.next_stop < self.pos {
                    let from = self.pos;
                    let find = |found: Option<usize>| found.map_or(bytes.len(), |i| from + i);
                    if self.next_line < from {
                        self.next_line = find(memchr::memchr2(b'\r', b'\n', &bytes[from..]));
                    }
                    let terminator = find(memchr::memchr3(b'.', b'!', b'?', &bytes[from..]));
                    self.next_stop = terminator.min(self.next_line);
                }
                if self.next_stop - self.pos > 4 {
                    self.pos = self.next_stop - 4;
                    self.state = State([Part::Other; 4]);
                }
            }
            let before_pos = self.pos;
            let before = self.state;
            let cat = ascii_cat(bytes[before_pos]);
            self.pos += 1;
            self.state = before.next(cat);
            let head = before.0[3];
            if head == Part::Sot {
                return Some(before_pos);
            }
            if cat == Cat::Lf && head == Part::Cr {
                continue;
            }
            if matches!(head, Part::Cr | Part::Lf) {
                return Some(before_pos);
            }
            if cat == Cat::Numeric && head == Part::ATerm {
                continue;
            }
            if cat == Cat::Upper && before.0[2] == Part::UpperLower && head == Part::ATerm {
                continue;
            }
            if before.sb8(&bytes[before_pos..]) {
                continue;
            }
            if matches!(cat, Cat::SContinue | Cat::STerm | Cat::ATerm) && before.sb8a() {
                continue;
            }
            if matches!(cat, Cat::Close | Cat::Sp | Cat::Cr | Cat::Lf) && before.sb9() {
                continue;
            }
            if matches!(cat, Cat::Sp | Cat::Cr | Cat::Lf) && before.sb8a() {
                continue;
            }
            if before.sb11() {
                return Some(before_pos);
            }
        }
        let head = self.state.0[3];
        if head == Part::Sot || head == Part::Eot {
            None
        } else {
            let p = self.state.0;
            self.state = State([p[1], p[2], p[3], Part::Eot]);
            Some(self.pos)
        }
    }
}

impl<'a> Iterator for AsciiSentenceBounds<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            let start = match self.start {
                Some(start) => start,
                None => {
                    let start = self.next_break()?;
                    self.start = Some(start);
                    start
                }
            };
            let end = self.next_break()?;
            self.start = Some(end);
            let piece = &self.text[start..end];
            if piece.bytes().any(|b| b.is_ascii_alphanumeric()) {
                return Some(piece);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Counting words byte by byte gives what counting `words` does.
        #[test]
        fn word_count_is_the_count_of_words(text in "[a-zA-Z0-9 ,.'\"-]{0,40}|[a-z é’—]{0,20}") {
            proptest::prop_assert_eq!(word_count(&text), words(&text).count());
        }
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(ENGLISH_STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stopword("The") && is_stopword("said") && !is_stopword("bridge"));
        assert!(is_stopword("AGAINST") && !is_stopword("Againsts") && !is_stopword(""));
        assert!(ENGLISH_STOPWORDS.iter().all(|w| w.len() <= 7));
        // Every stop word in any case, and its prefixes and extensions only when listed.
        for word in ENGLISH_STOPWORDS {
            assert!(is_stopword(word) && is_stopword(&word.to_uppercase()), "{word}");
            for cut in 1..word.len() {
                assert_eq!(is_stopword(&word[..cut]), ENGLISH_STOPWORDS.contains(&&word[..cut]), "{word}");
            }
            assert!(!is_stopword(&format!("{word}z")) && !is_stopword(&format!("z{word}")), "{word}");
        }
    }

    #[test]
    fn cjk_characters() {
        assert!(is_cjk('東') && is_cjk('の') && is_cjk('カ') && is_cjk('한'));
        assert!(!is_cjk('a') && !is_cjk('。') && !is_cjk('é'));
    }

    #[test]
    fn splits_words_and_sentences() {
        assert_eq!(words("Syria's army, 2024.").collect::<Vec<_>>(), ["Syria", "s", "army", "2024"]);
        let got: Vec<_> = sentences("One thing happened. Then “another?” Yes.").collect();
        assert_eq!(got, ["One thing happened.", "Then “another?”", "Yes."]);
    }

    /// The ASCII path gives exactly `unicode_segmentation`'s boundaries.
    #[test]
    fn ascii_sentences_match_unicode_segmentation() {
        const ALPHABET: &[u8] = b"aAbZ09. .!?,;:-\"'()[]{}\r\n\t\x0b\x0c#/&   ..";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let mut x = seed;
            let text: String = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ALPHABET[((x >> 33) % ALPHABET.len() as u64) as usize] as char
                })
                .collect();
            let fast: Vec<&str> = AsciiSentenceBounds::new(&text).collect();
            let slow: Vec<&str> = text.unicode_sentences().collect();
            assert_eq!(fast, slow, "{text:?}");
        }
        // Long runs without terminators, where the scan skips ahead.
        const SPARSE: &[u8] = b"aaaaaaaaaaAAAAAA0000   \"\"''))[,,--..!?\r\n";
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 80) as usize;
            let mut x = seed;
            let text: String = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    SPARSE[((x >> 33) % SPARSE.len() as u64) as usize] as char
                })
                .collect();
            let fast: Vec<&str> = AsciiSentenceBounds::new(&text).collect();
            let slow: Vec<&str> = text.unicode_sentences().collect();
            assert_eq!(fast, slow, "{text:?}");
        }
        let prose = "Mr. Smith said 3.5 million (U.S.) people left. \"Why?\" he asked! e.g. this. And 'that.' Then...\r\nNext.";
        assert_eq!(
            AsciiSentenceBounds::new(prose).collect::<Vec<_>>(),
            prose.unicode_sentences().collect::<Vec<_>>()
        );
    }
}
