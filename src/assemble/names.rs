//! Names in an article and whom a sentence attributes its content to: "according to X",
//! "X said", "said X". Short forms are resolved against the same article: an acronym defined
//! there ("… for Human Rights (SOHR)"), a shortened name ("the Observatory"), a surname.
//!
//! Shared by `figures` (whom a number is attributed to) and `quotes` (who said it). Not a
//! named-entity recogniser: capitalised runs and a few word lists, kept as data below.

use std::collections::BTreeMap;
use std::sync::OnceLock;

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

/// A capitalised run: `Syrian Observatory for Human Rights`, `Hay'at Tahrir al-Sham`.
fn caps_run() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        let token = r"(?:\p{Lu}[\p{L}\p{N}’'\-]*|al-\p{L}[\p{L}’'\-]*)";
        re(&format!(r"{token}(?:\s+(?:(?:for|of|the|and|de|bin|al|el)\s+)*{token})*"))
    })
}

fn acronym_definition() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        let token = r"(?:\p{Lu}[\p{L}\p{N}’'\-]*|al-\p{L}[\p{L}’'\-]*)";
        re(&format!(r"({token}(?:\s+(?:(?:for|of|the|and)\s+)*{token})*)\s*\((\p{{Lu}}{{2,8}})\)"))
    })
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
            for caps in acronym_definition().captures_iter(text) {
                let (name, acronym) = (&caps[1], &caps[2]);
                if let Some(full) = match_initials(name, acronym) {
                    names.acronyms.entry(acronym.to_string()).or_insert(full);
                }
            }
            for run in caps_run().find_iter(text) {
                for part in split_possessive(run.as_str()) {
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
    let Some(first) = short.chars().next() else {
        return name.is_empty() || name.contains("  ") || name.starts_with(' ') || name.ends_with(' ');
    };
    let mut from = 0;
    while let Some(i) = name[from..].find(short).map(|i| from + i) {
        let end = i + short.len();
        if (i == 0 || name[..i].ends_with(' ')) && (end == name.len() || name[end..].starts_with(' ')) {
            return true;
        }
        from = i + first.len_utf8();
    }
    false
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
    for run in caps_run().find_iter(phrase) {
        // A possessive ends a run: `Al Jazeera’s Resul Serdar`.
        for part in split_possessive(run.as_str()) {
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
    while let Some(i) = rest.find("’s ").or_else(|| rest.find("'s ")) {
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

impl ArticleNames {
    /// `None` for `it`/`they` when `last_thing` is unknown, and for `he`/`she` without a person.
    pub fn who(&self, phrase: &str, last_person: Option<&str>, last_thing: Option<&str>) -> Option<Who> {
        let cleaned = clean_phrase(phrase);
        match cleaned.to_lowercase().as_str() {
            "he" | "she" => return last_person.map(|p| Who::Person(p.to_string())),
            "it" => return last_thing.map(|t| Who::Other(t.to_string())),
            p if is_pronoun(p) => return None,
            _ => {}
        }
        let last_word = cleaned.split_whitespace().last().unwrap_or("").to_lowercase();
        if ORG_TAILS.contains(&last_word.as_str()) {
            return Some(Who::Other(self.resolve(&cleaned)));
        }
        if let Some(person) = person_in(&cleaned) {
            return Some(Who::Person(person));
        }
        // `Al Jazeera’s Serdar`, `Serdar`: a surname alone.
        let last = split_possessive(&cleaned).last().map(|s| s.to_string()).unwrap_or_default();
        if !last.contains(' ') && last.chars().next().is_some_and(char::is_uppercase) {
            let full = self.resolve(&last);
            if let Some(person) = person_in(&full) {
                return Some(Who::Person(person));
            }
        }
        Some(Who::Other(self.resolve(&cleaned)))
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

/// Whom a sentence attributes its content to, as written (unresolved): the sources named by
/// "according to X", "said X" and "X said", in that order of preference.
pub fn attributions(sentence: &str) -> Vec<String> {
    static ACCORDING: OnceLock<Regex> = OnceLock::new();
    static AFTER: OnceLock<Regex> = OnceLock::new();
    static BEFORE: OnceLock<Regex> = OnceLock::new();
    let according = ACCORDING.get_or_init(|| {
        re(r"(?i)\baccording to\s+(?:what\s+)?((?:[^,;.()]|\.\.\.)+?)\s*(?:\(|[,;]|\.\s|\.?$)")
    });
    let after = AFTER.get_or_init(|| re(&format!(r#"[,"”’]\s*(?:{SPEECH_VERBS})\s+([^,;.:"“”]+)"#)));
    let before = BEFORE.get_or_init(|| {
        re(&format!(r"(?:^|[,:;“”\x22]\s*|\bthat\s+)([^,:;“”\x22]*?)\s+(?:{SPEECH_VERBS})\b"))
    });

    // "said X" and "X said" both need a speech verb: most sentences have none.
    static VERB: OnceLock<Regex> = OnceLock::new();
    let has_verb = VERB.get_or_init(|| re(&format!("(?:{SPEECH_VERBS})"))).is_match(sentence);

    let mut out = Vec::new();
    for caps in according.captures_iter(sentence) {
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
    if !has_verb {
        out.retain(|s| !s.is_empty() && s.split_whitespace().count() <= 12 && !s.contains("QUOTE"));
        return out;
    }
    for caps in after.captures_iter(sentence) {
        let subject = caps[1].trim();
        let first = subject.split_whitespace().next().unwrap_or("").to_lowercase();
        if !NOT_A_SUBJECT.contains(&first.as_str()) {
            out.push(subject.to_string());
        }
    }
    for caps in before.captures_iter(sentence) {
        let subject = caps[1].trim();
        let words = subject.split_whitespace().count();
        if (1..=8).contains(&words) {
            out.push(subject.to_string());
        } else if words == 0 && !sentence[..caps.get(0).expect("match").start()].trim().is_empty() {
            // "David Carden, the UN's coordinator, said:": the name is in an earlier chunk.
            let chunks: Vec<&str> = sentence[..caps.get(0).expect("match").start()]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
