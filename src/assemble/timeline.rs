//! The timeline: sentences that say when something happened ("late on Friday", "since
//! Wednesday", "yesterday", "October 5"), dated against their article's date (or the
//! briefing's date for an undated article), with the same event from several outlets merged.
//!
//! A weekday is the most recent such day on or before the reference date; "yesterday",
//! "overnight" and "last night" the day before it; a month and day without a year the most
//! recent one. "since" with an explicit date ("since October 5", "since March 2020") dates a
//! state of affairs, not an event, and is left out, as is anything after the reference date.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rayon::prelude::*;
use regex::Regex;

use super::facts::{ArticleDate, ArticleDates, EventDate, Facts, Span};
use super::figures::{Sentence, article_sentences};
use super::summary::{TermVector, cosine, term_counts};
use crate::model::{ArticleEntry, PlacedEvent, SourceEntry};

/// Cosine similarity above which two dated sentences report the same event.
const SAME_EVENT: f32 = 0.45;
/// Events of one day and topic compared with each new one; beyond it, no merging.
const MAX_COMPARED: usize = 200;

pub(super) const WEEKDAYS: &[(&str, Weekday)] = &[
    ("Monday", Weekday::Mon),
    ("Tuesday", Weekday::Tue),
    ("Wednesday", Weekday::Wed),
    ("Thursday", Weekday::Thu),
    ("Friday", Weekday::Fri),
    ("Saturday", Weekday::Sat),
    ("Sunday", Weekday::Sun),
];

pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

struct Patterns {
    weekday: Regex,
    relative: Regex,
    month_day: Regex,
    day_month: Regex,
    month_year: Regex,
}

/// Compiles the patterns now (see `assemble::prepare`).
pub(super) fn prepare() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let weekdays = WEEKDAYS.iter().map(|(w, _)| *w).collect::<Vec<_>>().join("|");
        let months = MONTHS.join("|");
        let prefix = r"(?:(?i:late|early)\s+on\s+|(?i:late|early|on|since|by|until|from|last|next|this)\s+)?";
        Patterns {
            weekday: re(&format!(r"\b{prefix}({weekdays})\b")),
            relative: re(r"(?i)\b(yesterday|overnight|last night|today|this morning)\b"),
            month_day: re(&format!(
                r"\b{prefix}({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b"
            )),
            day_month: re(&format!(
                r"\b{prefix}(\d{{1,2}})(?:st|nd|rd|th)?\s+({months})(?:,?\s+(\d{{4}}))?\b"
            )),
            month_year: re(&format!(r"\b{prefix}({months})\s+(\d{{4}})\b")),
        }
    })
}

/// A date found in a sentence: where it starts, the words, and the date (`None` when the
/// words name no event date: "since October 5", "next Monday").
#[derive(Debug, PartialEq, Eq)]
struct Found<'a> {
    start: usize,
    phrase: &'a str,
    date: Option<EventDate>,
}

fn month_number(name: &str) -> u32 {
    MONTHS.iter().position(|m| *m == name).map_or(1, |i| i as u32 + 1)
}

/// Which kinds of date words a sentence holds: a weekday's name, a month's, a relative word
/// ("yesterday"). A pattern is searched for only in a sentence with its words: most sentences
/// name no day at all, and searching every sentence of every article with the five patterns
/// (their captures) took a second of a 10,000-article build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct DateWords {
    weekday: bool,
    month: bool,
    relative: bool,
}

/// The relative words of `Patterns::relative`, which finds them in any case.
const RELATIVE_WORDS: &[&str] = &["yesterday", "overnight", "last night", "today", "this morning"];

fn date_words(sentence: &str) -> DateWords {
    // One search for every word in any case (the weekdays, the months, then the relative
    // words), each name then held to the case the patterns spell it in.
    static WORDS: OnceLock<AhoCorasick> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let names = WEEKDAYS.iter().map(|(w, _)| *w).chain(MONTHS.iter().copied());
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(names.chain(RELATIVE_WORDS.iter().copied()))
            .expect("date words")
    });
    let names = WEEKDAYS.len() + MONTHS.len();
    let mut found = DateWords::default();
    for m in words.find_iter(sentence) {
        let word = m.pattern().as_usize();
        let as_spelled = || {
            let name = WEEKDAYS.get(word).map_or_else(|| MONTHS[word - WEEKDAYS.len()], |(w, _)| *w);
            &sentence[m.range()] == name
        };
        if word >= names {
            found.relative = true;
        } else if word < WEEKDAYS.len() {
            found.weekday |= as_spelled();
        } else {
            found.month |= as_spelled();
        }
    }
    // A case-blind `s` also matches `ſ`, and `k` the Kelvin sign: a sentence with either is
    // searched whatever its words.
    found.relative |= !sentence.is_ascii() && sentence.contains(['ſ', 'K']);
    found
}

/// The first date expression in `sentence`, resolved against `reference`.
fn find_date<'a>(sentence: &'a str, reference: NaiveDate) -> Option<Found<'a>> {
    let words = date_words(sentence);
    if words == DateWords::default() {
        return None;
    }
    let p = patterns();
    // A pattern's matches, where the sentence has its words.
    let search = |has_words: bool, pattern: &'static Regex| {
        has_words.then(|| pattern.captures_iter(sentence)).into_iter().flatten()
    };
    let mut found: Vec<Found> = Vec::new();
    let prefix_of = |m: &str| m.split_whitespace().next().unwrap_or("").to_lowercase();
    let day = |d: NaiveDate| (d <= reference).then(|| EventDate::day(d)).flatten();

    for caps in search(words.weekday, &p.weekday) {
        let whole = caps.get(0).expect("match");
        let weekday = WEEKDAYS.iter().find(|(w, _)| *w == &caps[1]).map(|(_, d)| *d)?;
        let back = (reference.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
        let mut date = reference - Duration::days(i64::from(back));
        let prefix = prefix_of(whole.as_str());
        if prefix == "last" && back == 0 {
            date -= Duration::days(7);
        }
        let date = if prefix == "next" { None } else { day(date) };
        found.push(Found { start: whole.start(), phrase: whole.as_str(), date });
    }
    for caps in search(words.relative, &p.relative) {
        let whole = caps.get(0).expect("match");
        let back = match caps[1].to_lowercase().as_str() {
            "today" | "this morning" => 0,
            _ => 1,
        };
        found.push(Found {
            start: whole.start(),
            phrase: whole.as_str(),
            date: day(reference - Duration::days(back)),
        });
    }
    let explicit =
        |whole: regex::Match<'a>, month: &str, dom: &str, year: Option<&str>| -> Option<Found<'a>> {
            let dom: u32 = dom.parse().ok()?;
            let month = month_number(month);
            let date = match year.and_then(|y| y.parse::<i32>().ok()) {
                Some(year) => NaiveDate::from_ymd_opt(year, month, dom)?,
                None => {
                    let this_year = NaiveDate::from_ymd_opt(reference.year(), month, dom)?;
                    if this_year <= reference {
                        this_year
                    } else {
                        NaiveDate::from_ymd_opt(reference.year() - 1, month, dom)?
                    }
                }
            };
            let background = prefix_of(whole.as_str()) == "since";
            Some(Found {
                start: whole.start(),
                phrase: whole.as_str(),
                date: if background { None } else { day(date) },
            })
        };
    for caps in search(words.month, &p.month_day) {
        found.extend(explicit(
            caps.get(0).expect("match"),
            &caps[1],
            &caps[2],
            caps.get(3).map(|m| m.as_str()),
        ));
    }
    for caps in search(words.month, &p.day_month) {
        found.extend(explicit(
            caps.get(0).expect("match"),
            &caps[2],
            &caps[1],
            caps.get(3).map(|m| m.as_str()),
        ));
    }
    for caps in search(words.month, &p.month_year) {
        let whole = caps.get(0).expect("match");
        let year: i32 = caps[2].parse().ok()?;
        let month = month_number(&caps[1]);
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let background = prefix_of(whole.as_str()) == "since";
        let date = (!background && first <= reference).then(|| EventDate::month(year, month)).flatten();
        found.push(Found { start: whole.start(), phrase: whole.as_str(), date });
    }
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.phrase.len())));
    found.into_iter().next()
}

/// Every dated event of `sources`, oldest first (`events`, with each article's sentences
/// dated now).
#[cfg(test)]
pub fn extract(
    sources: &[SourceEntry],
    briefing_date: Option<NaiveDate>,
) -> Vec<crate::model::TimelineEvent> {
    let (articles, facts) = dated_now(sources, briefing_date);
    let placed = events(sources, &articles, &facts, &vec![0; articles.len()], &HashMap::new()).0;
    placed.iter().map(|p| p.event(sources)).collect()
}

/// Every article of `sources`, and facts holding only its dated sentences, dated now.
#[cfg(test)]
fn dated_now(
    sources: &[SourceEntry],
    briefing_date: Option<NaiveDate>,
) -> (Vec<(&SourceEntry, &ArticleEntry)>, Vec<Facts>) {
    let articles: Vec<(&SourceEntry, &ArticleEntry)> =
        sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect();
    let facts = articles
        .iter()
        .map(|(_, a)| Facts { dates: article_dates(a, reference_of(a, briefing_date)), ..Facts::default() })
        .collect();
    (articles, facts)
}

/// The date an article's sentences are read against: its own, else the briefing's.
pub fn reference_of(article: &ArticleEntry, briefing_date: Option<NaiveDate>) -> Option<NaiveDate> {
    let article_date = article.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    article_date.or(briefing_date)
}

/// The sentences of `article` that say when something happened, read against `reference`.
pub fn article_dates(article: &ArticleEntry, reference: Option<NaiveDate>) -> ArticleDates {
    if reference.is_none() {
        return ArticleDates::default();
    }
    dates_of(&article_sentences(article), reference)
}

/// `article_dates`, of the article's sentences (`article_sentences`).
pub(super) fn dates_of(list: &[Sentence], reference: Option<NaiveDate>) -> ArticleDates {
    let Some(on) = reference else { return ArticleDates::default() };
    let mut items = Vec::new();
    let mut texts = Vec::new();
    for &Sentence { text, paragraph: (i, paragraph), .. } in list {
        let Some(Found { phrase, date: Some(date), .. }) = find_date(text, on) else {
            continue;
        };
        // A sentence and its words are slices of the paragraph: each has its span.
        let (Some(sentence), Some(phrase)) =
            (Span::within(i, paragraph, text), Span::within(i, paragraph, phrase))
        else {
            continue;
        };
        items.push(ArticleDate { sentence, phrase: (phrase.start, phrase.end), date });
        texts.push(text);
    }
    ArticleDates { reference, items, texts: crate::cache::dated_texts_key(texts) }
}

/// Every dated event, oldest first, placed in `sources` (`PlacedEvent`), with its chunk key
/// (`briefing_json::timeline_chunk_key`); the same event reported by several outlets once.
/// `articles` are every article of `sources`, in order (`every_article`); `facts` and
/// `article_keys` (their facts keys) are theirs, one each; merging the same event is in their
/// order. Returns too how each day and topic was merged, by key (`cache::timeline_group_key`),
/// as `known` holds the last build's.
pub fn events(
    sources: &[SourceEntry],
    articles: &[(&SourceEntry, &ArticleEntry)],
    facts: &[Facts],
    article_keys: &[u64],
    known: &HashMap<u64, GroupEvents>,
) -> (Vec<PlacedEvent>, Vec<crate::model::Digest>, HashMap<u64, GroupEvents>) {
    let sentences = Sentences { articles, facts };
    // Each article's place: its source and its index there.
    let places: Vec<(u32, u32)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, source)| (0..source.articles.len()).map(move |a| (s as u32, a as u32)))
        .collect();
    debug_assert_eq!(places.len(), articles.len(), "articles are every article of sources");
    let dated: Vec<Dated> = articles
        .par_iter()
        .zip(facts)
        .enumerate()
        .flat_map_iter(|(a, ((_, article), facts))| dated_sentences(a, article, &facts.dates))
        .collect();
    // The same event is looked for among those of its day and topic only: each day and topic
    // is merged on its own, all side by side, each in the sentences' order.
    let mut days: HashMap<(EventDate, Option<&str>), Vec<u32>, foldhash::fast::RandomState> =
        HashMap::default();
    for (at, d) in dated.iter().enumerate() {
        days.entry((d.date, d.topic)).or_default().push(at as u32);
    }
    let days: Vec<Vec<u32>> = days.into_values().collect();
    // What merging reads of each article: its outlet and its dated sentences' text. Not its
    // facts key, which changes with any edit to the article: a paragraph added to an undated
    // article (whose days are the briefing's, hundreds of sentences each) merged those days
    // again, 7 ms of a one-seed rebuild.
    let merge_inputs: Vec<u64> = articles
        .par_iter()
        .zip(facts)
        .map(|((source, _), facts)| crate::cache::merge_input_key(&source.slug, facts.dates.texts))
        .collect();
    // A day and topic is merged again only when its sentences are not those of a day and
    // topic merged before (`known`, by `cache::timeline_group_key`); otherwise its events are
    // made from how they were merged then. Either way the merging is kept, for the next build.
    let groups: Vec<(u64, Cow<GroupEvents>)> = days
        .par_iter()
        .map(|same_day| {
            let members = same_day.iter().map(|&at| {
                let d = &dated[at as usize];
                (merge_inputs[d.article as usize], d.item as usize, facts[d.article as usize].dates.reference)
            });
            let key = crate::cache::timeline_group_key(members);
            match known.get(&key).filter(|m| fits(m, same_day.len())) {
                Some(merging) => (key, Cow::Borrowed(merging)),
                None => (key, Cow::Owned(merge(same_day, &dated, &sentences))),
            }
        })
        .collect();
    // Oldest first; on a day, the most widely reported first, then in source order. Only the
    // events' places are sorted; the events are then made in that order.
    let mut order: Vec<EventAt> = groups
        .iter()
        .enumerate()
        .flat_map(|(group, (_, merging))| {
            let (same_day, dated) = (&days[group], &dated);
            merging.iter().enumerate().map(move |(event, (first, others))| {
                let at = same_day[*first as usize];
                EventAt {
                    date: dated[at as usize].date,
                    outlets: 1 + others.len() as u32,
                    at,
                    group: group as u32,
                    event: event as u32,
                }
            })
        })
        .collect();
    order.par_sort_unstable_by_key(|e| (e.date.0, std::cmp::Reverse(e.outlets), e.at));
    let (events, keys): (Vec<PlacedEvent>, Vec<crate::model::Digest>) = order
        .par_iter()
        .map(|e| {
            let same_day = &days[e.group as usize];
            let (first, others) = &groups[e.group as usize].1[e.event as usize];
            let d = &dated[same_day[*first as usize] as usize];
            let other = |o: &u32| &dated[same_day[*o as usize] as usize];
            let reporting = std::iter::once(d).chain(others.iter().map(other)).map(|d| sentences.source(d));
            let reference = facts[d.article as usize].dates.reference;
            let key = crate::briefing_json::timeline_chunk_key(
                article_keys[d.article as usize],
                d.item as usize,
                reference,
                reporting,
            );
            let (paragraph, date) = sentences.parts(d);
            let (source, article) = places[d.article as usize];
            let event = PlacedEvent {
                date: d.date,
                reference,
                topic: paragraph.topic,
                source,
                article,
                paragraph: date.sentence.paragraph,
                sentence: (date.sentence.start, date.sentence.end),
                phrase: date.phrase,
                others: others.iter().map(|o| places[other(o).article as usize].0).collect(),
            };
            (event, key)
        })
        .unzip();
    let merged = groups.into_iter().map(|(key, merging)| (key, merging.into_owned())).collect();
    (events, keys, merged)
}

/// Where an event is: its date and how many outlets report it (what events are ordered by),
/// its first sentence (`dated[at]`), and which event of which day and topic it is.
struct EventAt {
    date: EventDate,
    outlets: u32,
    at: u32,
    group: u32,
    event: u32,
}

/// How one day and topic's sentences were merged into events: for each event, which of the
/// sentences (in order) it is, and which later ones each add an outlet to it.
pub type GroupEvents = Vec<(u32, Vec<u32>)>;

/// Whether a merging read from the cache can be that of `count` sentences: every index within,
/// the events' sentences in order.
fn fits(merging: &GroupEvents, count: usize) -> bool {
    let within = |i: &u32| (*i as usize) < count;
    merging.iter().all(|(first, others)| within(first) && others.iter().all(within))
        && merging.windows(2).all(|w| w[0].0 < w[1].0)
}

/// Merges one day and topic's sentences (`same_day`, positions in `dated`, in order): a
/// sentence close enough to one of the latest events of the day is that event, reported by
/// one more outlet; otherwise it is a new event.
fn merge(same_day: &[u32], dated: &[Dated], sentences: &Sentences) -> GroupEvents {
    struct Merging<'a> {
        first: u32,
        /// The sentences that add an outlet to it.
        others: Vec<u32>,
        outlets: Vec<&'a str>,
        terms: Option<TermVector>,
    }
    let mut found: Vec<Merging> = Vec::new();
    // A day with one sentence compares nothing.
    let alone = same_day.len() == 1;
    for (member, &at) in same_day.iter().enumerate() {
        let d = &dated[at as usize];
        let source = sentences.source(d);
        let vector = (!alone).then(|| term_counts(sentences.sentence(d)));
        let twin =
            vector.as_ref().and_then(|vector| {
                found.iter_mut().rev().take(MAX_COMPARED).find(|event| {
                    event.terms.as_ref().is_some_and(|terms| cosine(terms, vector) >= SAME_EVENT)
                })
            });
        match twin {
            Some(event) => {
                if !event.outlets.contains(&source) {
                    event.outlets.push(source);
                    event.others.push(member as u32);
                }
            }
            None => found.push(Merging {
                first: member as u32,
                others: Vec::new(),
                outlets: vec![source],
                terms: vector,
            }),
        }
    }
    found.into_iter().map(|event| (event.first, event.others)).collect()
}

/// A sentence of an article that says when something happened: the `item`th dated sentence
/// of article `article`. Small (tens of thousands are grouped on every build); its text is
/// read from the article where it is needed (`Sentences`).
struct Dated<'a> {
    article: u32,
    item: u32,
    date: EventDate,
    topic: Option<&'a str>,
}

/// The dated sentences of `article` (the `at`th): their spans lie within it (`Facts::fit`).
fn dated_sentences<'a>(
    at: usize,
    article: &'a ArticleEntry,
    dates: &'a ArticleDates,
) -> impl Iterator<Item = Dated<'a>> + 'a {
    let items = if dates.reference.is_some() { &dates.items[..] } else { &[] };
    items.iter().enumerate().filter_map(move |(item, date)| {
        let paragraph = article.paragraphs.get(date.sentence.paragraph as usize)?;
        Some(Dated {
            article: at as u32,
            item: item as u32,
            date: date.date,
            topic: paragraph.topic.as_deref(),
        })
    })
}

/// What a dated sentence says and where: read from its article and its facts.
struct Sentences<'a> {
    articles: &'a [(&'a SourceEntry, &'a ArticleEntry)],
    facts: &'a [Facts],
}

impl<'a> Sentences<'a> {
    fn source(&self, d: &Dated) -> &'a str {
        &self.articles[d.article as usize].0.slug
    }

    /// The sentence's paragraph and its date (`dated_sentences` kept only those whose
    /// paragraph there is).
    fn parts(&self, d: &Dated) -> (&'a crate::model::Paragraph, &'a ArticleDate) {
        let article = self.articles[d.article as usize].1;
        let date = &self.facts[d.article as usize].dates.items[d.item as usize];
        (&article.paragraphs[date.sentence.paragraph as usize], date)
    }

    /// The text of `span` in `paragraph`. Every span of the facts was checked against its
    /// article (`Facts::fit`), so it is never the empty fallback.
    fn text(paragraph: &'a crate::model::Paragraph, (start, end): (u32, u32)) -> &'a str {
        paragraph.text.get(start as usize..end as usize).unwrap_or_default()
    }

    fn sentence(&self, d: &Dated) -> &'a str {
        let (paragraph, date) = self.parts(d);
        Self::text(paragraph, (date.sentence.start, date.sentence.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn date_of(sentence: &str, reference: NaiveDate) -> Option<String> {
        find_date(sentence, reference).and_then(|f| f.date).map(|d| d.to_string())
    }

    #[test]
    fn resolves_relative_and_explicit_dates() {
        // 2023-03-15 is a Wednesday.
        let wed = day(2023, 3, 15);
        assert_eq!(date_of("The dam gave way early on Monday.", wed).as_deref(), Some("2023-03-13"));
        assert_eq!(date_of("Crews have searched since Sunday.", wed).as_deref(), Some("2023-03-12"));
        assert_eq!(date_of("On Wednesday the mayor resigned.", wed).as_deref(), Some("2023-03-15"));
        assert_eq!(date_of("Late Thursday, ferries stopped.", wed).as_deref(), Some("2023-03-09"));
        assert_eq!(date_of("Power failed overnight.", wed).as_deref(), Some("2023-03-14"));
        assert_eq!(date_of("Yesterday two roads reopened.", wed).as_deref(), Some("2023-03-14"));
        assert_eq!(date_of("The levee was inspected on February 2.", wed).as_deref(), Some("2023-02-02"));
        assert_eq!(date_of("Rains began on 20 December.", wed).as_deref(), Some("2022-12-20"));
        assert_eq!(date_of("The plan was drafted in June 2021.", wed).as_deref(), Some("2021-06"));
        // A state of affairs, a future plan, a later date: no event.
        assert_eq!(date_of("The road has been shut since January 4.", wed), None);
        assert_eq!(date_of("It is the worst flood since May 2011.", wed), None);
        assert_eq!(date_of("Talks resume next Monday.", wed), None);
        assert_eq!(date_of("Nothing here.", wed), None);
    }

    #[test]
    fn only_the_patterns_whose_words_a_sentence_holds_are_searched() {
        let words = |s: &str| {
            let w = date_words(s);
            (w.weekday, w.month, w.relative)
        };
        assert_eq!(words("Talks resumed on Monday in May."), (true, true, false));
        // Names count as the patterns spell them; relative words in any case.
        assert_eq!(words("It may rain on monday."), (false, false, false));
        assert_eq!(words("TODAY the MARCH went ahead."), (false, false, true));
        assert_eq!(words("Nothing here."), (false, false, false));
        // A case-blind pattern matches `ſ` for `s`: such a sentence is searched.
        assert_eq!(words("Laſt night the lights went out."), (false, false, true));
        let wed = day(2023, 3, 15);
        assert_eq!(date_of("Laſt night the lights went out.", wed).as_deref(), Some("2023-03-14"));
        assert_eq!(date_of("It may rain on monday.", wed), None);
    }

    #[test]
    fn the_first_date_in_a_sentence_wins() {
        let sat = day(2023, 3, 18);
        let found = find_date("Late on Friday officials said buses would run on Saturday.", sat).unwrap();
        assert_eq!(found.date.map(|d| d.to_string()).as_deref(), Some("2023-03-17"));
        assert_eq!(found.phrase, "Late on Friday");
    }

    fn source(slug: &str, date: Option<&str>, paragraphs: &[&str]) -> SourceEntry {
        crate::assemble::test_source(slug, "flood", date, paragraphs)
    }

    #[test]
    fn events_merged_across_outlets_and_undated_articles_take_the_briefing_date() {
        let sources = [
            source(
                "a",
                Some("2023-03-15"),
                &["The river burst its banks on Monday and flooded the old town."],
            ),
            source(
                "b",
                None,
                &[
                    "On Monday the river burst its banks, flooding the old town.",
                    "Schools reopened on Wednesday.",
                ],
            ),
        ];
        let events = extract(&sources, Some(day(2023, 3, 16)));
        assert_eq!(events.len(), 2, "{events:#?}");
        assert_eq!(events[0].date, "2023-03-13");
        assert_eq!(events[0].sources, ["a", "b"]);
        assert_eq!(events[1].date, "2023-03-15");
        assert_eq!(events[1].reference_date, "2023-03-16");
        assert!(extract(&sources[1..], None).is_empty());
    }

    #[test]
    fn a_day_merged_before_is_made_from_its_merging_unless_it_does_not_fit() {
        let sources = [
            source(
                "a",
                Some("2023-03-15"),
                &["The river burst its banks on Monday and flooded the old town."],
            ),
            source("b", Some("2023-03-15"), &["On Monday the river burst its banks, flooding the old town."]),
        ];
        let (articles, facts) = dated_now(&sources, None);
        let keys = [1, 2];
        let (events, chunk_keys, merged) = events(&sources, &articles, &facts, &keys, &HashMap::new());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event(&sources).sources, ["a", "b"]);
        assert_eq!(merged.len(), 1);
        // Given how it merged, the day is made the same.
        let again = super::events(&sources, &articles, &facts, &keys, &merged);
        assert_eq!(format!("{:?}", again.0), format!("{events:?}"));
        assert_eq!(again.1, chunk_keys);
        // A merging is taken as it is, for the same sentences only, whatever else changed in
        // their articles (their facts keys)...
        let apart: HashMap<u64, GroupEvents> =
            merged.keys().map(|k| (*k, vec![(0, vec![]), (1, vec![])])).collect();
        assert_eq!(super::events(&sources, &articles, &facts, &keys, &apart).0.len(), 2);
        assert_eq!(super::events(&sources, &articles, &facts, &[1, 3], &apart).0.len(), 2);
        // ...not for a sentence reworded, nor for the same sentence from another outlet...
        let reworded = [
            sources[0].clone(),
            source(
                "b",
                Some("2023-03-15"),
                &["On Monday the river burst its banks, flooding the lower town."],
            ),
        ];
        let moved = [
            sources[0].clone(),
            source("c", Some("2023-03-15"), &["On Monday the river burst its banks, flooding the old town."]),
        ];
        for other in [reworded, moved] {
            let (articles, facts) = dated_now(&other, None);
            assert_eq!(super::events(&other, &articles, &facts, &keys, &apart).0.len(), 1);
        }
        // ...and one that cannot be theirs is merged again.
        let broken: HashMap<u64, GroupEvents> = merged.keys().map(|k| (*k, vec![(0, vec![5])])).collect();
        let remade = super::events(&sources, &articles, &facts, &keys, &broken).0;
        assert_eq!(format!("{remade:?}"), format!("{events:?}"));
    }
}
