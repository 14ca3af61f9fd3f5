//! Key figures: counted facts in the articles ("at least 242 people have been killed",
//! "the displacement of more than 14,000 people") with what is counted, the number, the
//! outlet, and whom the outlet attributes the number to.
//!
//! A figure is a number (digits or words), an optional qualifier ("at least"), a counted noun
//! from the tables below, and the nearest keyword of a category (killed, wounded, displaced,
//! captured, destroyed) in the same clause. A number in a breakdown ("311 – 100 soldiers … as
//! well as 28 civilians") takes the category of the number it breaks down. Vague amounts
//! ("dozens", "hundreds") are not figures. Attribution comes from the sentence, else from the
//! neighbouring sentence (`attribution_inferred`).

use std::sync::OnceLock;

use compact_str::CompactString;
use regex::Regex;

use super::facts::{ArticleFigure, Span};
use super::names::{LazyNames, Who, is_plural};
use crate::model::{ArticleEntry, BlockKind, interned};
use crate::text::sentences;

/// People counted in general: the label is just the category ("killed").
const PEOPLE: &[&str] = &[
    "people",
    "persons",
    "person",
    "individuals",
    "others",
    "victims",
    "bodies",
    "residents",
    "Palestinians",
    "Syrians",
    "Israelis",
    "Lebanese",
    "Ukrainians",
    "Sudanese",
    "Iraqis",
    "Afghans",
];
/// Groups of people counted separately: the label names them ("civilians killed").
const GROUPS: &[(&str, &str)] = &[
    ("civilians", "civilians"),
    ("civilian", "civilians"),
    ("children", "children"),
    ("child", "children"),
    ("women", "women"),
    ("soldiers", "soldiers"),
    ("soldier", "soldiers"),
    ("troops", "soldiers"),
    ("fighters", "fighters"),
    ("combatants", "fighters"),
    ("militants", "fighters"),
    ("rebels", "fighters"),
    ("journalists", "journalists"),
    ("medics", "medics"),
    ("students", "students"),
    ("police officers", "police officers"),
    ("policemen", "police officers"),
    ("aid workers", "aid workers"),
];
/// Places counted.
const PLACES: &[(&str, &str)] = &[
    ("towns and villages", "towns and villages"),
    ("villages and towns", "towns and villages"),
    ("cities and towns", "towns and villages"),
    ("towns", "towns and villages"),
    ("villages", "towns and villages"),
    ("localities", "towns and villages"),
    ("settlements", "towns and villages"),
    ("neighbourhoods", "neighbourhoods"),
    ("neighborhoods", "neighbourhoods"),
    ("districts", "neighbourhoods"),
    ("cities", "cities"),
];
/// Other things counted.
const THINGS: &[&str] = &[
    "drones",
    "tanks",
    "aircraft",
    "helicopters",
    "vehicles",
    "homes",
    "houses",
    "buildings",
    "schools",
    "hospitals",
    "missiles",
    "rockets",
    "bridges",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    Killed,
    Wounded,
    Displaced,
    Captured,
    Destroyed,
}

impl Category {
    fn word(self) -> &'static str {
        match self {
            Category::Killed => "killed",
            Category::Wounded => "wounded",
            Category::Displaced => "displaced",
            Category::Captured => "captured",
            Category::Destroyed => "destroyed",
        }
    }
}

const KEYWORDS: &[(Category, &str)] = &[
    (Category::Killed, r"killed|killing|kills|dead|deaths?|died|die|lives|death toll|toll|fatalities"),
    (Category::Wounded, r"wounded|wounding|injured|injuring|injuries|hurt"),
    (Category::Displaced, r"displaced|displacement|displacing|fled|fleeing|uprooted|homeless|evacuated"),
    (
        Category::Captured,
        r"captured|capturing|capture|seized|seizing|seizure|took control|taken control|control over|control of|taken|took|overran|overrun",
    ),
    (Category::Destroyed, r"destroyed|destruction|downed|downing|shot down"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    People,
    Group(&'static str),
    Place(&'static str),
    Thing(&'static str),
    /// No noun: only accepted after "toll … to".
    Nothing,
}

/// Label for a counted thing in a category: "killed", "civilians killed", "towns and villages
/// captured"; `None` when the pair makes no sense (a town is not "wounded").
fn label(category: Category, counted: Counted) -> Option<String> {
    match (category, counted) {
        (Category::Killed | Category::Wounded | Category::Displaced, Counted::People | Counted::Nothing) => {
            Some(category.word().to_string())
        }
        (_, Counted::Group(g)) => Some(format!("{g} {}", category.word())),
        (Category::Captured, Counted::People) => Some("people captured".to_string()),
        (Category::Captured, Counted::Place(p)) => Some(format!("{p} captured")),
        (Category::Destroyed, Counted::Thing(t) | Counted::Place(t)) => Some(format!("{t} destroyed")),
        _ => None,
    }
}

/// Orders labels in a table: deaths first, then injuries, displacement, territory, the rest.
pub fn label_rank(label: &str) -> (u8, String) {
    let rank = match label {
        "killed" => 0,
        l if l.ends_with(" killed") && l.starts_with("civilians") => 1,
        l if l.ends_with(" killed") => 2,
        "wounded" => 3,
        l if l.ends_with(" wounded") => 4,
        l if l.ends_with("displaced") => 5,
        l if l.ends_with(" captured") => 6,
        _ => 7,
    };
    (rank, label.to_string())
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

const UNITS: &[(&str, u64)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
];

/// Compiles the patterns now (see `assemble::prepare`).
pub(super) fn prepare() {
    rayon::join(
        || {
            number_regex();
            clause_break();
            new_statement();
        },
        || {
            keyword_regexes();
        },
    );
}

/// Words before a number that say how exact it is.
const QUALIFIERS: &[&str] = &[
    "at least",
    "more than",
    "over",
    "nearly",
    "almost",
    "around",
    "about",
    "some",
    "up to",
    "fewer than",
    "less than",
    "roughly",
    "approximately",
    "an estimated",
];

/// A number: its qualifier (group 1), digits or words (group 2), scale (group 3).
fn number_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        let words: Vec<&str> = UNITS.iter().map(|(w, _)| *w).collect();
        let word = format!("(?:{})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?", words.join("|"));
        re(&format!(
            r"(?i)\b(?:({})\s+)?(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{word})(?:\s+(hundred|thousand|million))?\b",
            QUALIFIERS.join("|")
        ))
    })
}

/// A number's match (ASCII) as qualifier, number and scale: the groups of `number_regex`, read
/// by hand. The number has no space in it, and a qualifier is never a number.
fn number_parts(found: &str) -> (Option<&str>, &str, Option<&str>) {
    let is_space = |b: u8| char::from(b).is_whitespace();
    let qualifier = QUALIFIERS
        .iter()
        .find(|q| {
            found.get(..q.len()).is_some_and(|head| head.eq_ignore_ascii_case(q))
                && found.as_bytes().get(q.len()).copied().is_some_and(is_space)
        })
        .map(|q| q.len());
    let rest = qualifier.map_or(found, |len| found[len..].trim_start());
    let (number, scale) = match rest.find(char::is_whitespace) {
        Some(space) => (&rest[..space], Some(rest[space..].trim_start())),
        None => (rest, None),
    };
    (qualifier.map(|len| &found[..len]), number, scale)
}

fn parse_number(digits: &str, scale: Option<&str>) -> Option<u64> {
    let lower = digits.to_lowercase();
    let base: f64 = if lower.chars().next()?.is_ascii_digit() {
        lower.replace(',', "").parse().ok()?
    } else {
        let mut total = 0u64;
        for part in lower.split('-') {
            total += UNITS.iter().find(|(w, _)| *w == part)?.1;
        }
        total as f64
    };
    let factor = match scale.map(str::to_lowercase).as_deref() {
        Some("hundred") => 100.0,
        Some("thousand") => 1_000.0,
        Some("million") => 1_000_000.0,
        _ => 1.0,
    };
    let value = base * factor;
    (value.fract() == 0.0 && value >= 1.0).then_some(value as u64)
}

/// The counted noun right after a number (at most two modifiers in between), and where it ends.
fn counted_after(rest: &str) -> (Counted, usize) {
    let mut offset = 0;
    for _skipped in 0..3 {
        let trimmed = rest[offset..].trim_start();
        let start = rest.len() - trimmed.len();
        // The nouns are ASCII: compare bytes without case, no lowercased copy of the text; only
        // nouns with the text's first letter.
        let first = trimmed.as_bytes().first().map(u8::to_ascii_lowercase);
        let starts = |noun: &str| {
            noun.as_bytes().first().map(u8::to_ascii_lowercase) == first
                && trimmed.get(..noun.len()).is_some_and(|head| head.eq_ignore_ascii_case(noun))
                && !trimmed[noun.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
        };
        for (noun, group) in PLACES {
            if starts(noun) {
                return (Counted::Place(group), start + noun.len());
            }
        }
        for (noun, group) in GROUPS {
            if starts(noun) {
                return (Counted::Group(group), start + noun.len());
            }
        }
        if let Some(noun) = PEOPLE.iter().find(|n| starts(n)) {
            return (Counted::People, start + noun.len());
        }
        if let Some(noun) = THINGS.iter().find(|n| starts(n)) {
            return (Counted::Thing(noun), start + noun.len());
        }
        // Skip one modifier ("more", "Israeli", "displaced") unless it is a function word.
        let word_len = trimmed
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '’' || c == '\''))
            .unwrap_or(trimmed.len());
        // Lowercased on its own: lowercasing may change a character's length ("Ⱥ", "ⱥ").
        let word_lower = trimmed[..word_len].to_lowercase();
        let word = word_lower.as_str();
        if word_len == 0 || crate::text::is_stopword(word) || ["of", "in", "from", "people"].contains(&word) {
            break;
        }
        offset = start + word_len;
    }
    (Counted::Nothing, 0)
}

/// Text that ends a clause: a keyword past it belongs to another statement.
fn clause_break() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)[;:()]|\s[-–—]\s|\b(?:when|while|but|after|before|because|which|who|whom|that)\b")
    })
}

/// Text between two numbers that starts another statement; a dash or a comma does not
/// ("311 – 100 soldiers, as well as 28 civilians" is one breakdown).
fn new_statement() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"(?i)[;:()]|\b(?:when|while|but|after|before|because|which|who|whom|that)\b"))
}

/// Every category's keywords in one pattern (in `KEYWORDS` order), and one anchored pattern
/// per category to tell which category a match belongs to.
fn keyword_regexes() -> &'static (Regex, Vec<(Category, Regex)>) {
    static R: OnceLock<(Regex, Vec<(Category, Regex)>)> = OnceLock::new();
    R.get_or_init(|| {
        let all: Vec<&str> = KEYWORDS.iter().map(|(_, p)| *p).collect();
        let any = re(&format!(r"(?i)\b(?:{})\b", all.join("|")));
        let each = KEYWORDS.iter().map(|(c, p)| (*c, re(&format!(r"(?i)^(?:{p})$")))).collect();
        (any, each)
    })
}

/// A category keyword in a sentence: where it is, its category, and whether it is a "toll".
struct Keyword {
    start: usize,
    end: usize,
    category: Category,
    toll: bool,
}

/// The category keywords of a sentence, in order: one scan, shared by all its numbers.
fn keywords_in(sentence: &str) -> Vec<Keyword> {
    let (any, each) = keyword_regexes();
    any.find_iter(sentence)
        .filter_map(|m| {
            let category = each.iter().find(|(_, r)| r.is_match(m.as_str()))?.0;
            let toll = m.as_str().to_lowercase().ends_with("toll");
            Some(Keyword { start: m.start(), end: m.end(), category, toll })
        })
        .collect()
}

/// The category whose keyword is nearest the number in its clause: forward up to 12 words
/// (to a clause break), backward to the previous comma or clause break, up to 8 words.
fn nearest_category(
    sentence: &str,
    keywords: &[Keyword],
    start: usize,
    end: usize,
) -> Option<(Category, bool)> {
    let forward_end = clause_break().find(&sentence[end..]).map_or(sentence.len(), |m| end + m.start());
    let back_start = sentence[..start]
        .char_indices()
        .rev()
        .find(|(i, c)| {
            // A comma between digits ("44,382") is part of a number.
            let in_number = *c == ',' && sentence[i + 1..].starts_with(|d: char| d.is_ascii_digit());
            [',', ';', ':', '(', '“', '"'].contains(c) && !in_number
        })
        .map_or(0, |(i, c)| i + c.len_utf8())
        .max(clause_break().find_iter(&sentence[..start]).last().map_or(0, |m| m.end()));
    // (distance in words, backward?, category, a "toll"): the nearest wins, forward on a tie
    // ("killed and another 12 people were wounded").
    let mut candidates: Vec<(usize, bool, Category, bool)> = Vec::new();
    for (category, _) in KEYWORDS {
        let of = |k: &&Keyword| k.category == *category;
        if let Some(k) = keywords.iter().filter(of).find(|k| k.start >= end && k.end <= forward_end) {
            let distance = sentence[end..k.start].split_whitespace().count();
            if distance <= 12 {
                candidates.push((distance, false, *category, false));
            }
        }
        if let Some(k) = keywords.iter().filter(of).rfind(|k| k.start >= back_start && k.end <= start) {
            let distance = sentence[k.end..start].split_whitespace().count();
            if distance <= 8 {
                candidates.push((distance, true, *category, k.toll));
            }
        }
    }
    candidates.into_iter().min_by_key(|c| (c.0, c.1)).map(|(_, _, c, toll)| (c, toll))
}

/// A sentence of an article's paragraph: what figures and dates are read from, split once for
/// both.
pub(super) struct Sentence<'a> {
    pub(super) text: &'a str,
    /// The paragraph `text` is a sentence of, and its index in the article.
    pub(super) paragraph: (usize, &'a str),
    pub(super) topic: Option<&'a str>,
}

/// The sentences of an article's paragraphs (not its headings), in order.
pub(super) fn article_sentences(article: &ArticleEntry) -> Vec<Sentence<'_>> {
    let paragraphs = article.paragraphs.iter().enumerate().filter(|(_, p)| p.kind == BlockKind::Paragraph);
    paragraphs
        .flat_map(|(i, p)| {
            sentences(&p.text).map(move |s| Sentence {
                text: s,
                paragraph: (i, &p.text),
                topic: p.topic.as_deref(),
            })
        })
        .collect()
}

/// The figures of one article, duplicates included (assemble splits the sentences once for
/// figures and dates, `figures_of`).
#[cfg(test)]
pub fn article_figures(article: &ArticleEntry, names: &LazyNames) -> Vec<ArticleFigure> {
    figures_of(&article_sentences(article), names)
}

/// The figures of one article, duplicates included, read from its sentences
/// (`article_sentences`).
pub(super) fn figures_of(list: &[Sentence], names: &LazyNames) -> Vec<ArticleFigure> {
    let mut figures = Vec::new();
    let found: Vec<_> = list.iter().map(|s| figures_in(s.text)).collect();
    // Attribution is read for a figure's sentence and its neighbours; it runs in order (a
    // pronoun points back), so it stops after the last figure's next sentence.
    let Some(last_figure) = found.iter().rposition(|f| !f.is_empty()) else {
        return figures;
    };
    let mut last = Last::default();
    let attributed: Vec<Option<String>> =
        list.iter().take(last_figure + 2).map(|s| attribution_of(s.text, names, &mut last)).collect();
    for ((i, s), found) in list.iter().enumerate().zip(found) {
        for (value, qualifier, label) in found {
            let (attributed_to, inferred) = match &attributed[i] {
                Some(who) => (Some(who.clone()), false),
                None => {
                    // A neighbour on the same topic only: a heading between them
                    // usually changes the story.
                    let near = |j: usize| {
                        list.get(j).filter(|n| n.topic == s.topic).and_then(|_| attributed[j].clone())
                    };
                    let before = i.checked_sub(1).and_then(near);
                    let after = near(i + 1);
                    let near = before.or(after);
                    (near.clone(), near.is_some())
                }
            };
            // A sentence of the paragraph always lies within it.
            let Some(span) = Span::within(s.paragraph.0, s.paragraph.1, s.text) else { continue };
            figures.push(ArticleFigure {
                span,
                label: interned(&label),
                value,
                attributed_to: attributed_to.map(CompactString::from),
                qualifier: qualifier.as_deref().map(interned),
                attribution_inferred: inferred,
            });
        }
    }
    // Held for every article until the build ends: no spare capacity (most have one or two).
    figures.shrink_to_fit();
    figures
}

/// Whom a sentence attributes its content to, resolved.
fn attribution_of(sentence: &str, names: &LazyNames, last: &mut Last) -> Option<String> {
    for phrase in names.attributions(sentence).iter() {
        match names.who(phrase, last.person.as_deref(), last.thing.as_deref()) {
            Some(Who::Person(p)) => {
                last.person = Some(p.clone());
                return Some(p);
            }
            Some(Who::Other(o)) => {
                if !is_plural(&o) {
                    last.thing = Some(o.clone());
                }
                return Some(o);
            }
            None => continue,
        }
    }
    None
}

/// The last person and the last organisation named as a source, for `he` and `it`.
#[derive(Default)]
pub(super) struct Last {
    pub person: Option<String>,
    pub thing: Option<String>,
}

/// The figures of one sentence: value, qualifier, label.
fn figures_in(sentence: &str) -> Vec<(u64, Option<String>, String)> {
    let mut out = Vec::new();
    // The category of the previous number, for breakdowns; and where that number ended.
    let mut previous: Option<(Category, usize)> = None;
    let mut keywords: Option<Vec<Keyword>> = None;
    for whole in number_regex().find_iter(sentence) {
        // "seven-year-old", "2,000-strong", "40%": a modifier or a share, not a count.
        if sentence[whole.end()..].starts_with(['-', '%']) {
            continue;
        }
        // The groups by hand: asked of the expression, they took a slower engine. Not ASCII
        // (where case folds beyond ASCII, `ſome`), the expression is asked.
        let (qualifier, number, scale) = if whole.as_str().is_ascii() {
            number_parts(whole.as_str())
        } else {
            let Some(caps) = number_regex().captures_at(sentence, whole.start()) else { continue };
            let group = |i: usize| caps.get(i).map(|m| &sentence[m.range()]);
            (group(1), group(2).unwrap_or_default(), group(3))
        };
        let Some(value) = parse_number(number, scale) else {
            continue;
        };
        let (counted, noun_len) = counted_after(&sentence[whole.end()..]);
        let noun_end = whole.end() + noun_len;
        let keywords = keywords.get_or_insert_with(|| keywords_in(sentence));
        let own = nearest_category(sentence, keywords, whole.start(), noun_end.max(whole.end()));
        // The words between the previous number's noun and this number; none when that noun
        // ran past it ("seven seven people": the first number's noun is the second's too).
        let between = |end: usize| sentence.get(end..whole.start()).unwrap_or_default();
        let inherited = previous.filter(|(_, end)| !new_statement().is_match(between(*end)));
        let category = match (own, counted) {
            (Some((c, true)), Counted::Nothing) => Some(c),
            (_, Counted::Nothing) => inherited.map(|(c, _)| c),
            (Some((c, _)), _) => Some(c),
            (None, _) => inherited.map(|(c, _)| c),
        };
        previous = category.map(|c| (c, noun_end.max(whole.end())));
        let toll = matches!(own, Some((_, true)));
        let Some(category) = category else { continue };
        if counted == Counted::Nothing && !toll {
            continue;
        }
        // Years and ages are not counts.
        if counted == Counted::Nothing && (1900..=2100).contains(&value) {
            continue;
        }
        if let Some(label) = label(category, counted) {
            out.push((value, qualifier.map(str::to_lowercase), label));
        }
    }
    out
}

/// How a figure reads: "at least 242", "14,000".
pub fn display_value(value: u64, qualifier: Option<&str>) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match qualifier {
        Some(q) => format!("{q} {grouped}"),
        None => grouped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number's noun can run past the next number: reading what lies between them panicked.
    #[test]
    fn a_number_inside_the_last_ones_noun_is_read() {
        let found = figures_in("Shelling killed seven seven people in the town.");
        assert!(!found.is_empty(), "no figure read");
        assert!(found.iter().all(|(value, _, label)| *value == 7 && label == "killed"), "{found:?}");
        assert!(figures_in("The blast wounded nine 12 people.").iter().any(|(value, _, _)| *value == 12));
    }

    proptest::proptest! {
        /// Numbers and number words in any order, next to one another or not, are read
        /// without a panic, each figure a count of one or more.
        #[test]
        fn numbers_in_any_order_are_read(
            pieces in proptest::collection::vec(proptest::sample::select(&[
                "12", "1,200", "3.5", "٣", "१२", "seven", "SEVEN", "Seven", "ſeven", "ſix", "twenty-one",
                "hundred", "thousand", "million", "at least", "about", "killed", "people", "were",
                "wounded", "displaced", "often", "the", "İ", "families", ",", ".", "—", "“",
            ][..]), 1..12)
        ) {
            let sentence = pieces.join(" ");
            for (value, _, label) in figures_in(&sentence) {
                proptest::prop_assert!(value >= 1 && !label.is_empty(), "{}", sentence);
            }
        }
    }

    use crate::assemble::Facts;

    /// `number_parts` reads what the expression's groups hold, in every ASCII match.
    fn parts_agree(text: &str) {
        for found in number_regex().find_iter(text).filter(|m| m.as_str().is_ascii()) {
            let caps = number_regex().captures_at(text, found.start()).expect("the same match");
            let group = |i: usize| caps.get(i).map(|m| m.as_str());
            let expected = (group(1), group(2).expect("a number"), group(3));
            assert_eq!(number_parts(found.as_str()), expected, "{text:?}");
        }
    }

    #[test]
    fn number_parts_are_the_groups() {
        for text in [
            "At least 242 people were killed and more than 14,000 displaced.",
            "Some two hundred thousand fled; an estimated 3.5 million remain, up to\tfifty",
            "Nearly\u{b}forty-one rockets, over  Hundred, roughly 7 Million, about twenty-nine.",
            "The 1990s, 2,000-strong, 40%, at leastone 5",
        ] {
            parts_agree(text);
        }
    }

    const NUMBER_PIECES: &[&str] = &[
        "at least",
        "At Least",
        "over",
        "some",
        "an estimated",
        "up to",
        "40",
        "2,000",
        "3.5",
        "twenty-one",
        "two",
        "hundred",
        "thousand",
        "Million",
        " ",
        "  ",
        "\t",
        "\u{b}",
        "people",
        "-",
        "%",
        ",",
        "x",
    ];

    proptest::proptest! {
        #[test]
        fn number_parts_are_the_groups_of_any_text(
            pieces in proptest::collection::vec(proptest::sample::select(NUMBER_PIECES), 0..12)
        ) {
            parts_agree(&pieces.concat());
        }
    }
    use crate::model::{Figure, SourceEntry};

    /// Every article's figures, duplicates dropped: what assemble does, without the cache.
    fn extract(sources: &[SourceEntry]) -> Vec<Figure> {
        let articles: Vec<_> = sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect();
        let facts: Vec<Facts> = articles
            .iter()
            .map(|(_, a)| Facts { figures: article_figures(a, &LazyNames::new(a)), ..Facts::default() })
            .collect();
        let kept = crate::assemble::facts::first_figures(&articles, &facts);
        let at = |(a, i): (u32, u32)| {
            facts[a as usize].figures[i as usize]
                .resolve(&articles[a as usize].0.slug, articles[a as usize].1)
        };
        kept.into_iter().map(|k| at(k).expect("a figure lies within its article")).collect()
    }

    fn got(sentence: &str) -> Vec<(u64, Option<String>, String)> {
        figures_in(sentence)
    }

    fn one(value: u64, qualifier: Option<&str>, label: &str) -> (u64, Option<String>, String) {
        (value, qualifier.map(str::to_string), label.to_string())
    }

    #[test]
    fn counts_with_category_and_qualifier() {
        assert_eq!(
            got("Floods have killed at least 1,204 people across the delta."),
            [one(1204, Some("at least"), "killed")]
        );
        assert_eq!(
            got("Some 3,100 residents have been injured and another 12 children were killed."),
            [one(3100, Some("some"), "wounded"), one(12, None, "children killed")]
        );
        assert_eq!(
            got("The storm forced the evacuation of nearly twenty-five thousand people."),
            Vec::<(u64, Option<String>, String)>::new(),
            "evacuation is not a keyword form"
        );
        assert_eq!(
            got("It left more than 9,000 people displaced."),
            [one(9000, Some("more than"), "displaced")]
        );
        assert_eq!(
            got("Militia fighters seized around forty villages and towns in the valley."),
            [one(40, Some("around"), "towns and villages captured")]
        );
    }

    #[test]
    fn breakdowns_inherit_the_category_and_vague_amounts_are_skipped() {
        assert_eq!(
            got(
                "Officials raised the toll from the blast to 87 - 60 workers, 20 guards, as well as 7 passers-by."
            ),
            [one(87, None, "killed")]
        );
        assert_eq!(
            got("The quake's toll rose to 415, including 96 children."),
            [one(415, None, "killed"), one(96, None, "children killed")]
        );
        assert!(got("Dozens of people were killed and hundreds wounded.").is_empty());
        assert!(got("Two people died when the bus hit a wall in a town of 40,000 people.").len() == 1);
        assert!(got("The 12km road was closed in 2019 for 3 months.").is_empty());
        assert!(got("A six-year-old girl was among those hurt.").is_empty());
    }

    fn source(slug: &str, paragraphs: &[&str]) -> SourceEntry {
        crate::assemble::test_source(slug, "quake", None, paragraphs)
    }

    #[test]
    fn attribution_from_sentence_acronym_pronoun_and_neighbour() {
        let sources = vec![source(
            "river-news",
            &[
                "The National Disaster Agency (NDA) opened shelters on the coast.",
                "The NDA said 640 people were injured in the first hours.",
                "At least 52 people were killed in the province. Figures came from the regional Health Office, officials said.",
                "Relief chief Marta Olsen said the roads were cut. Since then 2,300 people have fled the valley, she said.",
            ],
        )];
        let figures = extract(&sources);
        let find = |label: &str| {
            figures.iter().find(|f| f.label == label).unwrap_or_else(|| panic!("{label}: {figures:#?}"))
        };
        assert_eq!(find("wounded").attributed_to.as_deref(), Some("National Disaster Agency"));
        assert_eq!(find("wounded").value, 640);
        let killed = find("killed");
        assert_eq!(killed.value, 52);
        assert_eq!(killed.qualifier.as_deref(), Some("at least"));
        assert!(killed.attribution_inferred);
        assert_eq!(find("displaced").attributed_to.as_deref(), Some("Marta Olsen"));
        assert_eq!(find("displaced").anchor, "p-00000003");
    }

    #[test]
    fn a_word_whose_lowercase_is_longer_after_a_number() {
        assert!(got("The 5'ڊȺ. were counted.").is_empty());
    }

    #[test]
    fn values_display_with_grouping() {
        assert_eq!(display_value(105142, None), "105,142");
        assert_eq!(display_value(242, Some("at least")), "at least 242");
    }
}
