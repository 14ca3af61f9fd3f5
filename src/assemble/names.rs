//! Names in an article and whom a sentence attributes its content to: "according to X",
//! "X said", "said X". Short forms are resolved against the same article: an acronym defined
//! there ("… for Human Rights (SOHR)"), a shortened name ("the Observatory"), a surname.
//!
//! Shared by `figures` (whom a number is attributed to) and `quotes` (who said it). Not a
//! named-entity recogniser: capitalised runs and a few word lists, kept as data below.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::model::{ArticleEntry, BlockKind};
use crate::text::WordMap;

use super::speech;

use regex::Regex;

/// Words that make a capitalised run an organisation or a place rather than a person.
const ORG_WORDS: &[&str] = &[
    "Affairs",
    "Agency",
    "Agreement",
    "Airport",
    "Army",
    "Authority",
    "Bank",
    "Brigade",
    "Broadcaster",
    "Camp",
    "Centre",
    "Center",
    "City",
    "Coalition",
    "Command",
    "Committee",
    "Council",
    "Court",
    "Defence",
    "Defense",
    "Department",
    "Emergency",
    "Force",
    "Forces",
    "Front",
    "Government",
    "Group",
    "Hospital",
    "Kitchen",
    "Media",
    "Ministry",
    "Movement",
    "Nations",
    "Network",
    "News",
    "Observatory",
    "Office",
    "Organisation",
    "Organization",
    "Party",
    "Press",
    "Province",
    "Rights",
    "Service",
    "Square",
    "State",
    "Strip",
    "Television",
    "Union",
    "Unit",
    "University",
];

/// Lowercase nouns that end an organisation's description ("Al Jazeera media network").
const ORG_TAILS: &[&str] = &[
    "network",
    "agency",
    "ministry",
    "media",
    "channel",
    "television",
    "newspaper",
    "group",
    "army",
    "military",
    "forces",
    "service",
    "office",
    "monitor",
    "broadcaster",
    "outlet",
];

/// Titles and roles that precede a name and are not part of it.
const TITLES: &[&str] = &[
    "President",
    "Prime",
    "Minister",
    "Foreign",
    "Defence",
    "Chief",
    "Director",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "General",
    "Gen",
    "Colonel",
    "Commander",
    "King",
    "Queen",
    "Sheikh",
    "Senator",
    "Secretary",
    "Ambassador",
    "Envoy",
    "Correspondent",
    "Reporter",
];

/// Day and month names: capitalised, but never a person's name.
fn is_calendar_word(word: &str) -> bool {
    super::timeline::WEEKDAYS.iter().any(|(day, _)| *day == word) || super::timeline::MONTHS.contains(&word)
}

/// Verbs that introduce what someone said or reported.
pub const SPEECH_VERBS: &str = "said|says|say|added|adding|told|tells|reported|reports|report|announced|announces|stated|states|indicated|estimated|confirmed|asked|explained|explaining|warned|wrote|noted|claimed|put|promised|vowed|pledged|accused|urged|insisted|stressed|declared";

/// Words that start what follows a verb when it is not the verb's subject ("said that …").
pub const NOT_A_SUBJECT: &[&str] = &[
    "that", "on", "in", "at", "it", "they", "he", "she", "to", "by", "for", "with", "from", "after",
    "before", "when", "while", "this", "its", "their", "his", "her", "there", "was", "were", "is",
];

/// Subjects that point back to an earlier name.
const PRONOUNS: &[&str] = &["he", "she", "it", "they", "we", "i"];

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

/// Words that may join the capitalised words of one name: `Bank of the Republic`.
const RUN_JOINERS: &[&str] = &["for", "of", "the", "and", "de", "bin", "al", "el"];
/// The joiners an acronym's definition may have: `Observatory for Human Rights (SOHR)`.
const DEFINITION_JOINERS: &[&str] = &["for", "of", "the", "and"];

/// A capitalised word at `at`, and where it ends: an upper-case letter and the letters, digits,
/// apostrophes and hyphens after it, or `al-` and a letter (`al-Assad`, `al-Qaeda`).
fn name_token(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let first = rest.chars().next()?;
    let (body, digits) = if first.is_uppercase() {
        (first.len_utf8(), true)
    } else if let Some(after) = rest.strip_prefix("al-")
        && after.chars().next().is_some_and(char::is_alphabetic)
    {
        (3, false)
    } else {
        return None;
    };
    let more = rest[body..]
        .find(|c: char| !(c.is_alphabetic() || (digits && c.is_numeric()) || matches!(c, '’' | '\'' | '-')))
        .unwrap_or(rest.len() - body);
    Some(at + body + more)
}

/// A run of capitalised words starting at `at` (joined by whitespace and `joiners`), and
/// where it ends.
fn name_run(text: &str, at: usize, joiners: &[&str]) -> Option<usize> {
    let mut end = name_token(text, at)?;
    loop {
        // Whitespace, any joiners each followed by whitespace, then another capitalised word.
        let mut next = end + leading_space(&text[end..]);
        if next == end {
            return Some(end);
        }
        loop {
            let word = text[next..].split(char::is_whitespace).next().unwrap_or("");
            let space = leading_space(&text[next + word.len()..]);
            if space > 0 && joiners.contains(&word) {
                next += word.len() + space;
            } else {
                break;
            }
        }
        match name_token(text, next) {
            Some(token_end) => end = token_end,
            None => return Some(end),
        }
    }
}

fn leading_space(text: &str) -> usize {
    text.find(|c: char| !c.is_whitespace()).unwrap_or(text.len())
}

/// Every capitalised run in `text`, left to right: `Syrian Observatory for Human Rights`,
/// `Hay'at Tahrir al-Sham`. Written out rather than as a regular expression: its Unicode
/// classes made the expression slow to start on every thread, and it runs on every sentence.
fn caps_runs(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            at = next_candidate(text, at);
            if at >= text.len() {
                return None;
            }
            let start = at;
            if let Some(end) = name_run(text, start, RUN_JOINERS) {
                at = end;
                return Some(&text[start..end]);
            }
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    })
}

/// The first place from `at` where a capitalised word may start: ASCII other than capitals and
/// `al-` is skipped a byte at a time.
fn next_candidate(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let from = at.min(bytes.len());
    let skip = (from..bytes.len())
        .position(|i| {
            let b = bytes[i];
            !b.is_ascii() || b.is_ascii_uppercase() || (b == b'a' && bytes[i + 1..].starts_with(b"l-"))
        })
        .unwrap_or(bytes.len() - from);
    at + skip
}

/// Every acronym defined in `text`, as `(name, acronym)`: `Syrian Observatory for Human
/// Rights (SOHR)`. The name is the leftmost capitalised run that the bracket follows.
fn acronym_definitions(text: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    if !text.contains('(') {
        return found;
    }
    let mut at = 0;
    loop {
        at = next_candidate(text, at);
        if at >= text.len() {
            break;
        }
        if let Some(end) = name_run(text, at, DEFINITION_JOINERS) {
            let after = end + leading_space(&text[end..]);
            if let Some(acronym) = bracketed_acronym(&text[after..]) {
                found.push((&text[at..end], acronym));
                at = after + acronym.len() + 2;
                continue;
            }
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// `(SOHR)` at the start of `text`: two to eight upper-case letters in brackets.
fn bracketed_acronym(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('(')?;
    let close = inner.find(')')?;
    let acronym = &inner[..close];
    let letters = acronym.chars().count();
    ((2..=8).contains(&letters) && acronym.chars().all(char::is_uppercase)).then_some(acronym)
}

/// An article's names, gathered from its paragraphs the first time figures or quotes need
/// them (both read the same article; many articles need neither); and the sources its
/// sentences name, read once for both.
pub struct LazyNames<'a> {
    article: &'a ArticleEntry,
    names: OnceCell<ArticleNames>,
    said: RefCell<WordMap<Box<str>, Rc<[String]>>>,
    named: RefCell<WordMap<Box<str>, Named>>,
}

impl<'a> LazyNames<'a> {
    pub fn new(article: &'a ArticleEntry) -> LazyNames<'a> {
        LazyNames { article, names: OnceCell::new(), said: RefCell::default(), named: RefCell::default() }
    }

    /// `ArticleNames::who`, what each phrase names remembered: figures and quotes resolve
    /// the same sources, and an article quotes its sources again and again.
    pub fn who(&self, phrase: &str, last_person: Option<&str>, last_thing: Option<&str>) -> Option<Who> {
        remembered(&self.named, phrase, || self.get().named(phrase)).who(last_person, last_thing)
    }

    /// `attributions(sentence)`, remembered: figures and quotes read the sources of most of the
    /// same sentences (a sentence outside quotes is the same text to both).
    pub fn attributions(&self, sentence: &str) -> Rc<[String]> {
        remembered(&self.said, sentence, || attributions(sentence).into())
    }

    pub fn get(&self) -> &ArticleNames {
        self.names.get_or_init(|| {
            let paragraphs = self.article.paragraphs.iter().filter(|p| p.kind == BlockKind::Paragraph);
            ArticleNames::new(paragraphs.map(|p| &*p.text))
        })
    }
}

/// What `memo` holds for `key`, else `make()`, kept there for the next time.
fn remembered<V: Clone>(memo: &RefCell<WordMap<Box<str>, V>>, key: &str, make: impl FnOnce() -> V) -> V {
    if let Some(known) = memo.borrow().get(key) {
        return known.clone();
    }
    let made = make();
    memo.borrow_mut().insert(key.into(), made.clone());
    made
}

/// What an article calls people and organisations, for resolving short forms.
#[derive(Debug, Default, Clone)]
pub struct ArticleNames {
    /// Acronym → full name, as defined in the article.
    acronyms: BTreeMap<String, String>,
    /// Capitalised runs of two or more words, longest first.
    long_names: Vec<String>,
}

impl ArticleNames {
    pub fn new<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> ArticleNames {
        let mut names = ArticleNames::default();
        for text in paragraphs {
            for (name, acronym) in acronym_definitions(text) {
                if let Some(full) = match_initials(name, acronym) {
                    names.acronyms.entry(acronym.to_string()).or_insert(full);
                }
            }
            // A one-word run can give no name of two words: most runs are one word.
            for run in caps_runs(text).filter(|run| run.contains(char::is_whitespace)) {
                for part in split_possessive(run) {
                    let part = clean_phrase(part);
                    if part.split_whitespace().count() >= 2 && !names.long_names.contains(&part) {
                        names.long_names.push(part);
                    }
                }
            }
        }
        names.long_names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names
    }

    /// The full form of a short name: `SOHR`, `the UK-based Observatory`, `Serdar`.
    pub fn resolve(&self, phrase: &str) -> String {
        let short = clean_phrase(phrase);
        if let Some(full) = self.acronyms.get(&short) {
            return full.clone();
        }
        let starts_upper = short.chars().next().is_some_and(char::is_uppercase);
        let words = short.split_whitespace().count();
        let full = (starts_upper && (1..=3).contains(&words))
            .then(|| {
                self.long_names.iter().find(|n| {
                    n.len() > short.len()
                        && contains_words(n, &short)
                        && !n.contains(" and ")
                        && !n.split_whitespace().any(is_calendar_word)
                })
            })
            .flatten();
        full.cloned().unwrap_or(short)
    }
}

/// Whether `" {short} "` occurs in `" {name} "` (without building either).
fn contains_words(name: &str, short: &str) -> bool {
    if short.is_empty() {
        return name.is_empty() || name.contains("  ") || name.starts_with(' ') || name.ends_with(' ');
    }
    // Only where a word starts: `short` there, then the end or a space. (This runs for every
    // name of an article against every phrase resolved; a substring search set up each time
    // cost more than these few comparisons.)
    let bytes = name.as_bytes();
    let at_word_start = |i: usize| i == 0 || bytes[i - 1] == b' ';
    (0..name.len()).filter(|&i| at_word_start(i)).any(|i| {
        let end = i + short.len();
        bytes[i..].starts_with(short.as_bytes()) && (end == name.len() || bytes[end] == b' ')
    })
}

/// `Hay'at Tahrir al-Sham` for `HTS`: the shortest tail of `name` whose initials spell the
/// acronym, else the whole name when its initials contain the acronym's letters in order.
fn match_initials(name: &str, acronym: &str) -> Option<String> {
    let name = strip_leading_article(name);
    let words: Vec<(usize, &str)> = name
        .split_whitespace()
        .scan(0usize, |pos, w| {
            let start = name[*pos..].find(w).map(|i| i + *pos).unwrap_or(*pos);
            *pos = start + w.len();
            Some((start, w))
        })
        .filter(|(_, w)| !["for", "of", "the", "and"].contains(w))
        .collect();
    let initial = |w: &str| {
        let w = w.strip_prefix("al-").unwrap_or(w);
        w.chars().next().map(|c| c.to_ascii_uppercase())
    };
    let letters: Vec<char> = acronym.chars().collect();
    for start in 0..words.len() {
        let tail = &words[start..];
        if tail.len() == letters.len() && tail.iter().zip(&letters).all(|((_, w), l)| initial(w) == Some(*l))
        {
            return Some(name[tail[0].0..].to_string());
        }
    }
    None
}

fn strip_leading_article(text: &str) -> &str {
    for article in ["The ", "the ", "A ", "a ", "An ", "an "] {
        if let Some(rest) = text.strip_prefix(article) {
            return rest;
        }
    }
    text
}

/// `the UK-based Observatory` → `Observatory`; `the group's` → `the group`.
pub fn clean_phrase(phrase: &str) -> String {
    let phrase = phrase.trim().trim_matches(|c: char| c.is_ascii_punctuation() || "“”‘’".contains(c));
    let mut words: Vec<&str> = phrase.split_whitespace().collect();
    // "the the Observatory": a doubled word is a typo.
    words.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    while let Some(first) = words.first() {
        let lower = first.to_lowercase();
        let next_capital = words.get(1).and_then(|w| w.chars().next()).is_some_and(char::is_uppercase);
        let drop = (next_capital && ["the", "a", "an"].contains(&lower.as_str()))
            || lower.ends_with("-based")
            || ["both", "but", "and", "however", "then"].contains(&lower.as_str());
        if drop && words.len() > 1 {
            words.remove(0);
        } else {
            break;
        }
    }
    if let Some(first) = words.first_mut()
        && ["The", "A", "An"].contains(first)
    {
        *first = if *first == "The" {
            "the"
        } else if *first == "A" {
            "a"
        } else {
            "an"
        };
    }
    let mut text = words.join(" ");
    for suffix in ["’s", "'s"] {
        if let Some(stripped) = text.strip_suffix(suffix) {
            text = stripped.to_string();
        }
    }
    text
}

/// The last person-like name in a phrase: `SOHR chief Rami Abdel Rahman` → `Rami Abdel Rahman`.
pub fn person_in(phrase: &str) -> Option<String> {
    let mut found = None;
    // A person's name has two words at least.
    for run in caps_runs(phrase).filter(|run| run.contains(char::is_whitespace)) {
        // A possessive ends a run: `Al Jazeera’s Resul Serdar`.
        for part in split_possessive(run) {
            if let Some(name) = person_name(part) {
                found = Some(name);
            }
        }
    }
    found
}

/// `Al Jazeera’s Resul Serdar` → `Al Jazeera`, `Resul Serdar`.
fn split_possessive(run: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = run;
    // Searchers made once: this runs for every name run of every article.
    static CURLY: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    static STRAIGHT: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let curly = CURLY.get_or_init(|| memchr::memmem::Finder::new("’s "));
    let straight = STRAIGHT.get_or_init(|| memchr::memmem::Finder::new("'s "));
    while let Some(i) = curly.find(rest.as_bytes()).or_else(|| straight.find(rest.as_bytes())) {
        let mark = if rest[i..].starts_with('’') { '’'.len_utf8() } else { 1 };
        parts.push(rest[..i].trim());
        rest = &rest[i + mark + 2..];
    }
    parts.push(rest.trim());
    parts.retain(|p| !p.is_empty());
    parts
}

fn person_name(run: &str) -> Option<String> {
    let mut tokens: Vec<&str> = run.split_whitespace().collect();
    // "Palestinian President Mahmoud Abbas": the name follows the last title.
    if let Some(last_title) = tokens.iter().rposition(|t| TITLES.contains(t)) {
        tokens.drain(..=last_title);
    }
    let ok = (2..=4).contains(&tokens.len())
        && !["The", "A", "An", "In", "On", "At", "But", "And"].contains(&tokens[0])
        && tokens.iter().all(|t| {
            !["for", "of", "the", "and"].contains(t)
                && !ORG_WORDS.contains(t)
                && !is_calendar_word(t)
                && !TITLES.contains(t)
                && !t.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
        });
    ok.then(|| tokens.join(" "))
}

/// Who a speaker phrase names, resolved in the article: a person (with `he`/`she` resolved
/// to `last_person`), else an organisation or a description ("the witness").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Person(String),
    Other(String),
}

impl Who {
    pub fn name(&self) -> &str {
        match self {
            Who::Person(n) | Who::Other(n) => n,
        }
    }
}

/// Who a speaker phrase names, before a pronoun is pointed back (`Named::who`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// `he`, `she`: the last person named.
    LastPerson,
    /// `it`: the last organisation named.
    LastThing,
    /// Another pronoun (`they`, `we`): no one.
    Nobody,
    Is(Who),
}

impl Named {
    /// `None` for `it` when `last_thing` is unknown, for `he`/`she` without a person, and
    /// for other pronouns.
    pub fn who(self, last_person: Option<&str>, last_thing: Option<&str>) -> Option<Who> {
        match self {
            Named::LastPerson => last_person.map(|p| Who::Person(p.to_string())),
            Named::LastThing => last_thing.map(|t| Who::Other(t.to_string())),
            Named::Nobody => None,
            Named::Is(who) => Some(who),
        }
    }
}

impl ArticleNames {
    /// `None` for `it`/`they` when `last_thing` is unknown, and for `he`/`she` without a person.
    pub fn who(&self, phrase: &str, last_person: Option<&str>, last_thing: Option<&str>) -> Option<Who> {
        self.named(phrase).who(last_person, last_thing)
    }

    /// Who `phrase` names in this article, a pronoun left unresolved.
    pub fn named(&self, phrase: &str) -> Named {
        let cleaned = clean_phrase(phrase);
        match cleaned.to_lowercase().as_str() {
            "he" | "she" => return Named::LastPerson,
            "it" => return Named::LastThing,
            p if is_pronoun(p) => return Named::Nobody,
            _ => {}
        }
        let last_word = cleaned.split_whitespace().last().unwrap_or("").to_lowercase();
        if ORG_TAILS.contains(&last_word.as_str()) {
            return Named::Is(Who::Other(self.resolve(&cleaned)));
        }
        if let Some(person) = person_in(&cleaned) {
            return Named::Is(Who::Person(person));
        }
        // `Al Jazeera’s Serdar`, `Serdar`: a surname alone.
        let last = split_possessive(&cleaned).last().map(|s| s.to_string()).unwrap_or_default();
        if !last.contains(' ') && last.chars().next().is_some_and(char::is_uppercase) {
            let full = self.resolve(&last);
            if let Some(person) = person_in(&full) {
                return Named::Is(Who::Person(person));
            }
        }
        Named::Is(Who::Other(self.resolve(&cleaned)))
    }
}

/// True for a plural description ("medics", "residents"): `it` does not point back to it.
pub fn is_plural(phrase: &str) -> bool {
    let last = phrase.split_whitespace().last().unwrap_or("");
    last.ends_with('s') && !last.ends_with("ss") && !["news", "Observatory"].contains(&last)
}

/// True for `he`, `they`, … (a subject that names no one).
pub fn is_pronoun(phrase: &str) -> bool {
    PRONOUNS.contains(&phrase.trim().to_lowercase().as_str())
}

/// Compiles the patterns now (see `assemble::prepare`): an empty sentence reaches them all.
pub(super) fn prepare() {
    attributions("");
}

/// Whom a sentence attributes its content to, as written (unresolved): the sources named by
/// "according to X", "said X" and "X said", in that order of preference.
pub fn attributions(sentence: &str) -> Vec<String> {
    static ACCORDING: OnceLock<Regex> = OnceLock::new();
    let according = ACCORDING.get_or_init(|| {
        re(r"(?i)\baccording to\s+(?:what\s+)?((?:[^,;.()]|\.\.\.)+?)\s*(?:\(|[,;]|\.\s|\.?$)")
    });
    // "said X" and "X said" both need a speech verb: most sentences have none.
    let verbs = speech::verbs(sentence);

    let mut out = Vec::new();
    // The expression has no literal to look for first (case-insensitive); most sentences
    // have no "according" at all.
    let has_according = contains_ignoring_ascii_case(sentence, b"according");
    for caps in has_according.then(|| according.captures_iter(sentence)).into_iter().flatten() {
        let phrase = caps[1].trim();
        // "state news and the Syrian Observatory": names over generic nouns.
        let parts: Vec<&str> = phrase.split(" and ").map(str::trim).collect();
        let mut named: Vec<&str> =
            parts.iter().copied().filter(|p| p.chars().any(char::is_uppercase)).collect();
        if named.is_empty() || parts.len() == 1 {
            named = vec![phrase];
        }
        out.extend(named.into_iter().map(str::to_string));
    }
    if verbs.is_empty() {
        out.retain(|s| !s.is_empty() && s.split_whitespace().count() <= 12 && !s.contains("QUOTE"));
        return out;
    }
    for found in speech::said_after(sentence, &verbs) {
        let subject = subject_after_verb(&sentence[found]).trim();
        let first = subject.split_whitespace().next().unwrap_or("").to_lowercase();
        if !NOT_A_SUBJECT.contains(&first.as_str()) {
            out.push(subject.to_string());
        }
    }
    for found in speech::said_before(sentence, &verbs) {
        let subject = subject_before_verb(&sentence[found.clone()], found.start == 0).trim();
        let words = subject.split_whitespace().count();
        if (1..=8).contains(&words) {
            out.push(subject.to_string());
        } else if words == 0 && !sentence[..found.start].trim().is_empty() {
            // "David Carden, the UN's coordinator, said:": the name is in an earlier chunk.
            let chunks: Vec<&str> = sentence[..found.start]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && !c.contains(['"', '“', '”']) && !c.contains("QUOTE"))
                .collect();
            let named = chunks.iter().rev().find(|c| person_in(c).is_some()).or(chunks.first());
            if let Some(chunk) = named.filter(|c| c.split_whitespace().count() <= 8) {
                out.push(chunk.to_string());
            }
        }
    }
    out.retain(|s| !s.is_empty() && s.split_whitespace().count() <= 12 && !s.contains("QUOTE"));
    out
}

/// Whether `text` holds `word` (lower-case ASCII) in any ASCII case: compared only where its
/// first letter is (in either case), found with `memchr`.
fn contains_ignoring_ascii_case(text: &str, word: &[u8]) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = word.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes)
        .any(|at| bytes.get(at..at + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word)))
}

/// Characters that end a clause for attribution: the subject of "X said" never crosses them.
pub(super) const CLAUSE_MARKS: &[char] = &[',', ':', ';', '“', '”', '"'];

/// The subject in a match of `, said Jane Roe`: what follows the verb and the spaces after it.
fn subject_after_verb(found: &str) -> &str {
    // A mark, spaces, the verb (one word), spaces, the subject.
    let verb_start =
        found.char_indices().skip(1).find(|(_, c)| !c.is_whitespace()).map_or(found.len(), |(i, _)| i);
    let verb_end = found[verb_start..].find(char::is_whitespace).map_or(found.len(), |i| verb_start + i);
    found[verb_end..].trim_start()
}

/// The subject in a match of `, Jane Roe said`: between the opening (a clause mark and spaces,
/// `that` and spaces, or nothing at the sentence's start) and the spaces before the verb.
fn subject_before_verb(found: &str, at_start: bool) -> &str {
    let opens_with_mark = found.starts_with(CLAUSE_MARKS);
    let open = if opens_with_mark {
        found.chars().next().map_or(0, char::len_utf8)
    } else if at_start {
        0
    } else {
        "that".len()
    };
    let open_end = found.len() - found[open..].trim_start().len();
    // The verb is the match's last word; the spaces before it are not the subject's.
    let verb_start = found
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + found[i..].chars().next().map_or(1, char::len_utf8));
    let subject_end = found[..verb_start].trim_end().len();
    if open_end < subject_end { &found[open_end..subject_end] } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The capture groups the hand-written subject readers replaced.
    fn reference_subjects(sentence: &str) -> (Vec<String>, Vec<(String, usize)>) {
        let (after, before) = (speech::reference_after(), speech::reference_before());
        (
            after.captures_iter(sentence).map(|c| c[1].trim().to_string()).collect(),
            before
                .captures_iter(sentence)
                .map(|c| (c[1].trim().to_string(), c.get(0).unwrap().start()))
                .collect(),
        )
    }

    fn hand_subjects(sentence: &str) -> (Vec<String>, Vec<(String, usize)>) {
        let verbs = speech::verbs(sentence);
        (
            speech::said_after(sentence, &verbs)
                .into_iter()
                .map(|m| subject_after_verb(&sentence[m]).trim().to_string())
                .collect(),
            speech::said_before(sentence, &verbs)
                .into_iter()
                .map(|m| {
                    (subject_before_verb(&sentence[m.clone()], m.start == 0).trim().to_string(), m.start)
                })
                .collect(),
        )
    }

    #[test]
    fn subject_readers_agree_with_the_capture_groups_they_replaced() {
        for sentence in speech::SPEECH_SENTENCES {
            assert_eq!(hand_subjects(sentence), reference_subjects(sentence), "{sentence}");
        }
    }

    /// The regular expressions the scanners replaced, as the reference they must agree with.
    fn reference_runs(text: &str) -> Vec<&str> {
        let token = r"(?:\p{Lu}[\p{L}\p{N}’'\-]*|al-\p{L}[\p{L}’'\-]*)";
        let run = re(&format!(r"{token}(?:\s+(?:(?:for|of|the|and|de|bin|al|el)\s+)*{token})*"));
        run.find_iter(text).map(|m| m.as_str()).collect()
    }

    fn reference_definitions(text: &str) -> Vec<(&str, &str)> {
        let token = r"(?:\p{Lu}[\p{L}\p{N}’'\-]*|al-\p{L}[\p{L}’'\-]*)";
        let definition =
            re(&format!(r"({token}(?:\s+(?:(?:for|of|the|and)\s+)*{token})*)\s*\((\p{{Lu}}{{2,8}})\)"));
        definition
            .captures_iter(text)
            .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
            .collect()
    }

    const TRICKY: &[&str] = &[
        "The Syrian Observatory for Human Rights (SOHR) said on Tuesday that 12 people died.",
        "President Bashar al-Assad met the Bank of the Republic and the al-Qaeda leader.",
        "Hay’at Tahrir al-Sham (HTS) and Hay'at Tahrir al-Sham;  Jabhat  al  Nusra (JN)",
        "iPhone makers in real-Madrid, McDonald's Corp (MDC) and Ms. O'Neill-Smith",
        "Foo Bar said Baz (BZ) that Bank al Foo (BF) and Qux of (QX) and Long Name (TOOLONGACRONYM)",
        "Ärzte ohne Grenzen (MSF), Société Générale (SG), Ελληνική Δημοκρατία (ΕΔ)",
        "A2 Road 3M Company Unit 731 and the U.N. Security Council (UNSC) of (the) UN",
        "trailing joiner Fund for  ",
        "Al Jazeera’s Resul Serdar, de Gaulle and Osama bin Laden (OBL) and el Mundo",
        "CAPS ONLY LINE WITH WORDS (CAPS) and (AB) alone",
        "",
    ];

    #[test]
    fn scanners_agree_with_the_regular_expressions_they_replaced() {
        for text in TRICKY {
            assert_eq!(caps_runs(text).collect::<Vec<_>>(), reference_runs(text), "{text}");
            assert_eq!(acronym_definitions(text), reference_definitions(text), "{text}");
        }
    }

    #[test]
    fn words_within_a_name() {
        for (name, short) in [
            ("Syrian Observatory for Human Rights", "Observatory"),
            ("Syrian Observatory", "Syrian"),
            ("Rami Abdel Rahman", "Rahman"),
            ("xa a a", "a a"),
            ("Abdel Rahmani", "Rahman"),
            ("Rahman", "Rahman"),
            ("Al Jazeera", "Jazeer"),
            ("a  b", "b"),
            ("a  b", " b"),
            (" x", "x"),
            ("x ", "x"),
            ("Évian Émile", "Émile"),
            ("aÉmile", "Émile"),
            ("Ali Ali", "Ali Ali"),
            ("Ali", "Ali Ali"),
        ] {
            assert_eq!(
                contains_words(name, short),
                format!(" {name} ").contains(&format!(" {short} ")),
                "{name} / {short}"
            );
        }
    }

    #[test]
    fn resolves_acronyms_short_names_and_surnames() {
        let names = ArticleNames::new([
            "Figures came from the Global Flood Monitoring Centre (GFMC) on Monday.",
            "Weather Desk's Anna Maria Kovacs said the river kept rising.",
        ]);
        assert_eq!(names.resolve("the GFMC"), "Global Flood Monitoring Centre");
        assert_eq!(names.resolve("the Copenhagen-based Centre"), "Global Flood Monitoring Centre");
        assert_eq!(names.resolve("Kovacs"), "Anna Maria Kovacs");
        assert_eq!(names.resolve("the fire brigade"), "the fire brigade");
    }

    #[test]
    fn finds_people_in_phrases() {
        assert_eq!(person_in("GFMC head Jonas Berg").as_deref(), Some("Jonas Berg"));
        assert_eq!(person_in("Radio Norte’s Ines Duarte").as_deref(), Some("Ines Duarte"));
        assert_eq!(person_in("the Regional Health Ministry"), None);
        assert_eq!(person_in("President Lena Marsh").as_deref(), Some("Lena Marsh"));
    }

    #[test]
    fn attributions_in_order_of_preference() {
        assert_eq!(
            attributions("Nine bridges collapsed, according to the Port Authority, in the worst storm."),
            ["the Port Authority"]
        );
        assert_eq!(
            attributions("Roads were shut, according to local radio and the Port Authority (PA)."),
            ["the Port Authority"]
        );
        assert_eq!(attributions("The harbour master said 40 boats sank."), ["The harbour master"]);
        assert_eq!(
            attributions("\"We lost everything,\" said fisherman Tom Reyes, who is 60."),
            ["fisherman Tom Reyes"]
        );
        assert!(attributions("Boats sank in the night.").is_empty());
    }

    #[test]
    fn possessives_split_a_run() {
        assert_eq!(split_possessive("Al Jazeera’s Serdar Aydin"), ["Al Jazeera", "Serdar Aydin"]);
        assert_eq!(split_possessive("the UN's OCHA"), ["the UN", "OCHA"]);
        // A curly possessive is taken first, wherever it is.
        assert_eq!(split_possessive("A's B’s C"), ["A's B", "C"]);
        assert_eq!(split_possessive("Reuters’s"), ["Reuters’s"]);
        assert!(split_possessive(" ’s ").is_empty());
    }

    #[test]
    fn a_word_is_found_in_any_ascii_case() {
        for (text, found) in [
            ("According to them", true),
            ("it was, ACCORDING to them", true),
            ("accordin", false),
            ("AccordinG", true),
            ("a a a according", true),
            ("", false),
            ("accordéon according", true),
            ("accordéon", false),
        ] {
            assert_eq!(contains_ignoring_ascii_case(text, b"according"), found, "{text}");
            let windows = text.as_bytes().windows(9).any(|w| w.eq_ignore_ascii_case(b"according"));
            assert_eq!(windows, found, "{text}");
        }
    }

    #[test]
    fn the_sources_of_a_sentence_are_read_once_per_article() {
        let source =
            crate::assemble::test_source("a", "storm", None, &["The harbour master said 40 boats sank."]);
        let lazy = LazyNames::new(&source.articles[0]);
        let sentences = [
            "The harbour master said 40 boats sank.",
            "Roads were shut, according to local radio and the Port Authority (PA).",
            "Boats sank in the night.",
        ];
        for sentence in sentences {
            let first = lazy.attributions(sentence);
            assert_eq!(*first, *attributions(sentence), "{sentence}");
            // The second time, the same list, not a new reading.
            assert!(Rc::ptr_eq(&first, &lazy.attributions(sentence)), "{sentence}");
        }
        // What a phrase names is remembered; what a pronoun points back to is not.
        let names = lazy.get().clone();
        for phrase in ["he", "it", "they", "The harbour master", "the harbour master", "Reyes", "he"] {
            for (person, thing) in
                [(None, None), (Some("Tom Reyes"), Some("the Port Authority")), (None, Some("GFMC"))]
            {
                assert_eq!(lazy.who(phrase, person, thing), names.who(phrase, person, thing), "{phrase}");
            }
        }
        assert_eq!(lazy.who("he", Some("Ana Silva"), None), Some(Who::Person("Ana Silva".into())));
        assert_eq!(lazy.who("he", None, None), None);
        // A different text is read on its own, not taken for a remembered one.
        assert_eq!(*lazy.attributions("The harbour master said 40 boats sank"), ["The harbour master"]);
        assert!(lazy.attributions("The harbour master").is_empty());
    }
}
