//! Small text utilities shared by the stages: word splitting, function words, sentences.

use unicode_segmentation::UnicodeSegmentation;

/// Runs of letters and digits (`Syria's` gives `Syria`, `s`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// English function words, sorted; a line of prose is full of them, a menu or a credit is not.
pub const ENGLISH_STOPWORDS: &[&str] = &[
    "a", "about", "after", "against", "all", "also", "an", "and", "are", "as", "at", "be", "been", "before",
    "but", "by", "can", "could", "did", "do", "for", "from", "had", "has", "have", "he", "her", "his", "how",
    "if", "in", "into", "is", "it", "its", "more", "no", "not", "of", "on", "or", "our", "over", "said",
    "she", "so", "than", "that", "the", "their", "them", "there", "they", "this", "those", "to", "up", "was",
    "we", "were", "what", "when", "which", "while", "who", "will", "with", "would", "you",
];

/// Whether a word is one of `ENGLISH_STOPWORDS`, in any case.
pub fn is_stopword(word: &str) -> bool {
    if word.chars().any(|c| c.is_uppercase()) {
        ENGLISH_STOPWORDS.binary_search(&word.to_lowercase().as_str()).is_ok()
    } else {
        ENGLISH_STOPWORDS.binary_search(&word).is_ok()
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
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_sentences().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(ENGLISH_STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stopword("The") && is_stopword("said") && !is_stopword("bridge"));
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
}
