//! Where a sentence says who spoke: its speech verbs as whole words, and the `, said Jane Roe`
//! and `, Jane Roe said` clauses around them, as byte ranges.
//!
//! Scanned by hand, once per sentence. The two regular expressions these scanners replace
//! (kept in the tests as their reference) ran a lazy subject from every clause opening of
//! every sentence with a verb: the largest cost of reading figures' sources.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::is_word_character;

use super::names::{CLAUSE_MARKS, SPEECH_VERBS};

/// Characters after which `said X` may stand.
const AFTER_MARKS: &[char] = &[',', '"', '”', '’'];
/// Characters that end the subject of `said X`.
const SUBJECT_ENDS: &[char] = &[',', ';', '.', ':', '"', '“', '”'];

/// A speech verb standing as a whole word (no word character either side), as its range.
pub type Verb = Range<usize>;

/// The speech verbs of `sentence` standing as whole words, left to right.
pub fn verbs(sentence: &str) -> Vec<Verb> {
    static VERBS: OnceLock<AhoCorasick> = OnceLock::new();
    // Longest first at a place: `reported`, not `report` and then a word character. A
    // shorter verb inside a longer match is never a whole word.
    let verbs = VERBS.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(SPEECH_VERBS.split('|'))
            .expect("speech verbs")
    });
    let whole = |m: &aho_corasick::Match| {
        let before = sentence[..m.start()].chars().next_back();
        let after = sentence[m.end()..].chars().next();
        !before.is_some_and(is_word_character) && !after.is_some_and(is_word_character)
    };
    verbs.find_iter(sentence).filter(whole).map(|m| m.range()).collect()
}

/// `, said Jane Roe`: a mark (`,` `"` `”` `’`), spaces, a verb, spaces, then the subject up
/// to the next `,` `;` `.` `:` or double quote. Non-overlapping, left to right.
pub fn said_after(sentence: &str, verbs: &[Verb]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    for verb in verbs {
        let before = sentence[..verb.start].trim_end();
        let Some(mark) = before.chars().next_back().filter(|c| AFTER_MARKS.contains(c)) else {
            continue;
        };
        let open = before.len() - mark.len_utf8();
        let after = &sentence[verb.end..];
        let spaces = after.len() - after.trim_start().len();
        if open < from || spaces == 0 {
            continue;
        }
        let subject = verb.end + spaces;
        let end = sentence[subject..].find(SUBJECT_ENDS).map_or(sentence.len(), |i| subject + i);
        // The subject needs a character: the last of several spaces will do.
        if end == subject && after[..spaces].chars().nth(1).is_none() {
            continue;
        }
        found.push(open..end);
        from = end;
    }
    found
}

/// `, Jane Roe said`: a clause's opening (the sentence's start, a clause mark and spaces, or
/// `that` and spaces), the subject (no clause mark), spaces and a verb. Non-overlapping, left
/// to right: the match from a clause's opening ends at its first verb, and a later `that` in
/// the same clause opens another.
///
/// As the expression reads it, an opening's spaces are all taken before the subject starts, so
/// a verb right after them ends the match only when no later verb of the clause can: in
/// `, says the envoy said` the subject is `says the envoy`.
pub fn said_before(sentence: &str, verbs: &[Verb]) -> Vec<Range<usize>> {
    // Verbs with a space right before them, and where that space starts.
    let spaced: Vec<(usize, &Verb)> = verbs
        .iter()
        .filter_map(|v| {
            let space = sentence[..v.start].chars().next_back().filter(|c| c.is_whitespace())?;
            Some((v.start - space.len_utf8(), v))
        })
        .collect();
    let mut found = Vec::new();
    let (mut open, mut body) = (0, 0);
    loop {
        let clause_end = sentence[body..].find(CLAUSE_MARKS).map_or(sentence.len(), |i| body + i);
        // Where the match from an opening ends: at the first verb of the clause whose space
        // starts at `subject` or later; else, if the opening's spaces can give one back, at a
        // verb right after them.
        let verb_after = |subject: usize, give_back: bool| {
            let in_clause = |v: &&(usize, &Verb)| v.1.end <= clause_end;
            let later = spaced.iter().filter(in_clause).find(|(space, _)| *space >= subject);
            let next = || spaced.iter().filter(in_clause).find(|(_, v)| v.start == subject);
            later.or_else(|| next().filter(|_| give_back)).map(|(_, v)| v.end)
        };
        let opening = if open == 0 && body == 0 {
            verb_after(0, false)
        } else {
            let (subject, spaces) = spaces_from(sentence, body);
            verb_after(subject, spaces > 0)
        };
        if let Some(mut end) = opening {
            found.push(open..end);
            while let Some(that) = next_that(sentence, end, clause_end) {
                let (subject, spaces) = spaces_from(sentence, that + "that".len());
                let Some(verb_end) = verb_after(subject, spaces > 1) else { break };
                found.push(that..verb_end);
                end = verb_end;
            }
        }
        if clause_end == sentence.len() {
            return found;
        }
        let mark = sentence[clause_end..].chars().next().map_or(1, char::len_utf8);
        (open, body) = (clause_end, clause_end + mark);
    }
}

/// Where the spaces from `at` end, and how many there are.
fn spaces_from(text: &str, at: usize) -> (usize, usize) {
    let spaces = text[at..].chars().take_while(|c| c.is_whitespace());
    spaces.fold((at, 0), |(end, count), c| (end + c.len_utf8(), count + 1))
}

/// The first `that` from `from` to `end` that starts a word and has a space after it.
fn next_that(sentence: &str, from: usize, end: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = sentence[at..end].find("that") {
        let that = at + i;
        let word_start = sentence[..that].chars().next_back().is_none_or(|c| !is_word_character(c));
        let spaced = sentence[that + 4..end].starts_with(char::is_whitespace);
        if word_start && spaced {
            return Some(that);
        }
        at = that + 1;
    }
    None
}

/// The regular expressions the scanners replaced: `, said Jane Roe` (the subject is the group).
#[cfg(test)]
pub(super) fn reference_after() -> regex::Regex {
    regex::Regex::new(&format!(r#"[,"”’]\s*(?:{SPEECH_VERBS})\s+([^,;.:"“”]+)"#)).expect("regex")
}

/// `, Jane Roe said` (the subject is the group).
#[cfg(test)]
pub(super) fn reference_before() -> regex::Regex {
    regex::Regex::new(&format!(r"(?:^|[,:;“”\x22]\s*|\bthat\s+)([^,:;“”\x22]*?)\s+(?:{SPEECH_VERBS})\b"))
        .expect("regex")
}

/// Sentences of speech, and edge cases of marks, spaces and `that`, for the tests here and of
/// the subject readers.
#[cfg(test)]
pub(super) const SPEECH_SENTENCES: &[&str] = &[
    "The rebels advanced, said Jane Roe, a spokeswoman.",
    "“We will stay,” Jane Roe said on Monday.",
    "He said that the Syrian Observatory said 12 people died, and officials  said so.",
    "Officials told reporters that  the   mayor   told them nothing.",
    ",  said the minister",
    ", said ,",
    ",said  ,",
    "“It is over”, says the UN’s envoy: “we leave”, the envoy says",
    "that said, the port said",
    "that  said, the port said that they said",
    "said the minister",
    " the army said",
    "The ministry’s statement, which was released late, said 40 people were hurt.",
    "“Stay,”\u{a0}said\u{a0}the officer.",
    "Jane Roe sayings said nothing",
    "",
];

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn ranges(re: &Regex, text: &str) -> Vec<Range<usize>> {
        re.find_iter(text).map(|m| m.range()).collect()
    }

    fn agree(text: &str) {
        let verbs = verbs(text);
        assert_eq!(said_after(text, &verbs), ranges(&reference_after(), text), "said X in {text:?}");
        assert_eq!(said_before(text, &verbs), ranges(&reference_before(), text), "X said in {text:?}");
    }

    #[test]
    fn verbs_are_whole_words() {
        let text = "He said, unsaid, said_ and saidé, “says” reported: reporter";
        let words: Vec<&str> = verbs(text).into_iter().map(|v| &text[v]).collect();
        assert_eq!(words, ["said", "says", "reported"]);
    }

    #[test]
    fn scanners_agree_with_the_expressions_on_news_sentences() {
        for text in SPEECH_SENTENCES {
            agree(text);
        }
    }

    const PIECES: &[&str] = &[
        "said", "says", "say", "saying", "reported", "told", "that", "That", "athat", "the", "Jane", "é",
        "_", ",", ":", ";", "“", "”", "\"", "’", ".", "(", " ", " ", "  ", "\u{a0}", "\t",
    ];

    proptest::proptest! {
        #[test]
        fn scanners_agree_with_the_expressions_on_any_text(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..16)
        ) {
            agree(&pieces.concat());
        }
    }
}
