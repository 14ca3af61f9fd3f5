//! What the theme shows of the figures, timeline and quotes: the `Briefing`'s flat lists
//! regrouped for templates (a table per topic with one column per outlet, days of events,
//! quotes by speaker). Plain data; links are built by the templates with `root`.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytestring::ByteString;
use compact_str::CompactString;
use rayon::prelude::*;
use serde::Serialize;

use super::Links;
use super::figures::{display_value, label_rank};
use crate::model::{Briefing, EventDay, Figure};
use crate::topics::OTHER_SLUG;

#[derive(Debug, Serialize)]
pub struct Outlet {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct FigureTable {
    pub topic: String,
    pub outlets: Vec<Outlet>,
    pub rows: Vec<FigureRow>,
}

#[derive(Debug, Serialize)]
pub struct FigureRow {
    pub label: String,
    /// More than one outlet, and they give different numbers.
    pub disputed: bool,
    /// Worth a place in the briefing's overview: the main tolls, or what several outlets count.
    pub headline: bool,
    /// One cell per outlet of the table, in the same order; an empty cell reports nothing.
    /// A cell shows at most `CELL_LIMIT` numbers, the highest first.
    pub cells: Vec<Vec<FigureCell>>,
    /// Per cell, how many more numbers the outlet reports than the cell shows.
    pub more: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct FigureCell {
    /// The outlet's slug, for the link to the paragraph.
    pub source: CompactString,
    pub value: String,
    pub attributed_to: Option<CompactString>,
    pub inferred: bool,
    pub anchor: CompactString,
    /// The link to the paragraph, relative to the site root.
    pub href: String,
    pub text: ByteString,
}

fn topic_key(topic: Option<&str>) -> &str {
    topic.unwrap_or(OTHER_SLUG)
}

fn name_of<'a>(briefing: &'a Briefing, slug: &'a str) -> &'a str {
    briefing.sources.iter().find(|s| s.slug == slug).map_or(slug, |s| s.name.as_str())
}

/// Keeps the `limit` items with the largest `size` (the earlier on a tie), in their order;
/// returns how many were dropped.
fn keep_largest<T>(items: &mut Vec<T>, limit: usize, size: impl Fn(&T) -> usize) -> usize {
    let dropped = items.len().saturating_sub(limit);
    if dropped > 0 {
        let mut by_size: Vec<usize> = (0..items.len()).collect();
        by_size.sort_by_key(|&i| (std::cmp::Reverse(size(&items[i])), i));
        let mut keep = vec![false; items.len()];
        for &i in &by_size[..limit] {
            keep[i] = true;
        }
        let mut flags = keep.into_iter();
        items.retain(|_| flags.next().unwrap_or(false));
    }
    dropped
}

/// Numbers shown per outlet and row: an archive of hundreds of articles reports a toll many
/// times over, and a reader needs the highest few, not a wall of numbers.
pub const CELL_LIMIT: usize = 3;

/// One table per topic that has figures, in topic order. Each topic's figures are grouped by
/// label and outlet in one pass (an archive has tens of thousands of figures), and the topics
/// are tabled side by side.
pub fn figure_tables(briefing: &Briefing, links: &Links) -> Vec<FigureTable> {
    let slot: HashMap<&str, usize> =
        briefing.topics.iter().enumerate().map(|(i, t)| (t.slug.as_str(), i)).collect();
    let mut by_topic: Vec<Vec<&Figure>> = vec![Vec::new(); briefing.topics.len()];
    for figure in &briefing.figures {
        if let Some(&i) = slot.get(topic_key(figure.topic.as_deref())) {
            by_topic[i].push(figure);
        }
    }
    let tables: Vec<Option<FigureTable>> = briefing
        .topics
        .par_iter()
        .zip(by_topic)
        .map(|(topic, figures)| figure_table(briefing, links, &topic.slug, &figures))
        .collect();
    tables.into_iter().flatten().collect()
}

/// The table of one topic's `figures` (in the briefing's order); `None` when it has none.
fn figure_table(briefing: &Briefing, links: &Links, topic: &str, figures: &[&Figure]) -> Option<FigureTable> {
    if figures.is_empty() {
        return None;
    }
    // Per label and outlet, the figures in order; per label, every value.
    type Fast = foldhash::fast::RandomState;
    let mut cells_of: HashMap<(&str, &str), Vec<&Figure>, Fast> = HashMap::default();
    let mut values_of: HashMap<&str, Vec<u64>, Fast> = HashMap::default();
    for &figure in figures {
        cells_of.entry((figure.label.as_str(), figure.source.as_str())).or_default().push(figure);
        values_of.entry(figure.label.as_str()).or_default().push(figure.value);
    }
    // Outlets in source order, as the rest of the site lists them.
    let reporting: HashSet<&str, Fast> = figures.iter().map(|f| f.source.as_str()).collect();
    let outlets: Vec<Outlet> = briefing
        .sources
        .iter()
        .filter(|s| reporting.contains(s.slug.as_str()))
        .map(|s| Outlet { slug: s.slug.clone(), name: s.name.clone() })
        .collect();
    // Each label once, ranked (its rank made once: a topic has thousands of figures).
    let mut labels: Vec<(u8, &str)> = values_of.keys().map(|l| (label_rank(l).0, *l)).collect();
    labels.sort_unstable();
    let rows = labels
        .into_iter()
        .map(|(rank, label)| {
            let mut more = Vec::with_capacity(outlets.len());
            let cells: Vec<Vec<FigureCell>> = outlets
                .iter()
                .map(|o| {
                    // Each label and outlet is one cell: its figures are taken, not copied.
                    let mut here: Vec<&Figure> =
                        cells_of.remove(&(label, o.slug.as_str())).unwrap_or_default();
                    here.sort_by_key(|f| std::cmp::Reverse(f.value));
                    more.push(here.len().saturating_sub(CELL_LIMIT));
                    here.truncate(CELL_LIMIT);
                    here.into_iter()
                        .map(|f| FigureCell {
                            source: f.source.clone(),
                            value: display_value(f.value, f.qualifier.as_deref()),
                            attributed_to: f.attributed_to.clone(),
                            inferred: f.attribution_inferred,
                            anchor: f.anchor.clone(),
                            href: links.paragraph(&f.source, &f.anchor),
                            text: f.text.clone(),
                        })
                        .collect()
                })
                .collect();
            let reporting = cells.iter().filter(|c| !c.is_empty()).count();
            let mut values = values_of.remove(label).unwrap_or_default();
            values.sort_unstable();
            values.dedup();
            let headline = reporting > 1 || rank <= 1 || label == "displaced";
            FigureRow {
                label: label.to_string(),
                disputed: reporting > 1 && values.len() > 1,
                headline,
                cells,
                more,
            }
        })
        .collect();
    Some(FigureTable { topic: topic.to_string(), outlets, rows })
}

#[derive(Debug, Serialize)]
pub struct TimelineDay {
    pub date: String,
    pub events: Vec<EventView>,
    /// Events of the day left out by the page's limit.
    pub more: usize,
}

/// Events a day shows on the briefing (the overview) and on a topic's page: an archive of
/// thousands of articles dates hundreds of sentences a day.
pub const DAY_LIMIT_OVERVIEW: usize = 12;
pub const DAY_LIMIT_TOPIC: usize = 40;

/// Days the briefing and a topic's page show, the latest: an archive of years dates thousands
/// of days, and a front page that lists them all is tens of megabytes no reader gets through.
/// Every event stays in `briefing.json`.
pub const DAYS_OVERVIEW: usize = 14;
pub const DAYS_TOPIC: usize = 60;

#[derive(Debug, Serialize)]
pub struct EventView {
    pub text: ByteString,
    pub phrase: ByteString,
    pub topic: String,
    pub topic_title: String,
    pub outlets: Vec<Outlet>,
    pub anchor: CompactString,
    /// The link to the first outlet's paragraph, relative to the site root.
    pub href: String,
}

/// The latest `latest` days' events, grouped by day, oldest first, and how many earlier days
/// are left out; `topic` keeps one topic's events only. A day over `limit` keeps the events
/// the most outlets report (the earliest on a tie), in their order. Only those kept are made
/// into views (with their links): an archive of dated articles has tens of thousands of
/// events, and each of the index and topic pages reads them. The briefing's timeline is
/// oldest first, so the latest days are read from its end, and the earlier are only counted.
pub fn timeline_days(
    briefing: &Briefing,
    topic: Option<&str>,
    links: &Links,
    limit: usize,
    latest: usize,
) -> (Vec<TimelineDay>, usize) {
    // Newest first while they are read, each day's events too (by index, with their topic
    // and how many outlets report them): only those kept are made.
    let timeline = &briefing.timeline;
    let mut days: Vec<(EventDay, Vec<ShownEvent>)> = Vec::new();
    let mut earlier = 0;
    let mut last_date: Option<EventDay> = None;
    for i in (0..timeline.len()).rev() {
        let Some((date, event_topic, outlets)) = timeline.outline(i) else {
            continue;
        };
        let key = topic_key(event_topic);
        if topic.is_some_and(|t| t != key) {
            continue;
        }
        if last_date != Some(date) {
            debug_assert!(last_date.is_none_or(|later| later > date), "the timeline is oldest first");
            last_date = Some(date);
            if days.len() < latest {
                days.push((date, Vec::new()));
            } else {
                earlier += 1;
            }
        }
        if earlier == 0
            && let Some((_, events)) = days.last_mut()
        {
            events.push((i, key, outlets));
        }
    }
    let view = |(i, key, _): ShownEvent| {
        let event = timeline.event(i, &briefing.sources).unwrap_or_default();
        let topic_title = briefing.topics.iter().find(|t| t.slug == key).map_or(key, |t| t.title.as_str());
        EventView {
            text: event.text.clone(),
            phrase: event.phrase.clone(),
            topic: key.to_string(),
            topic_title: topic_title.to_string(),
            outlets: event
                .sources
                .iter()
                .map(|s| Outlet { slug: s.to_string(), name: name_of(briefing, s).to_string() })
                .collect(),
            anchor: event.anchor.clone(),
            href: event.sources.first().map(|s| links.paragraph(s, &event.anchor)).unwrap_or_default(),
        }
    };
    let days = days
        .into_iter()
        .rev()
        .map(|(date, mut events)| {
            events.reverse();
            let more = keep_largest(&mut events, limit, |(_, _, outlets)| *outlets);
            TimelineDay {
                date: date.spelled().to_string(),
                events: events.into_iter().map(view).collect(),
                more,
            }
        })
        .collect();
    (days, earlier)
}

/// An event a page may show: its index in the timeline, its topic's key and how many outlets
/// report it.
type ShownEvent<'a> = (usize, &'a str, usize);

#[derive(Debug, Serialize)]
pub struct SpeakerView {
    /// `None`: quotes whose speaker brief could not tell.
    pub speaker: Option<CompactString>,
    pub quotes: Vec<QuoteView>,
    /// The speaker's quotes left out by `QUOTES_PER_SPEAKER`.
    pub more: usize,
}

/// Quotes shown per speaker, and speakers per topic page: at scale a topic has hundreds.
pub const QUOTES_PER_SPEAKER: usize = 5;
pub const SPEAKER_LIMIT: usize = 30;

#[derive(Debug, Serialize)]
pub struct QuoteView {
    pub text: ByteString,
    pub outlet: Outlet,
    pub anchor: CompactString,
    /// The link to the quote's paragraph, relative to the site root.
    pub href: String,
}

/// A topic's quotes grouped by speaker, in order of first appearance; unattributed last.
/// Returns the speakers shown (those quoted most when there are more than `SPEAKER_LIMIT`,
/// in order of first appearance, unattributed last) and how many were left out.
pub fn speakers(briefing: &Briefing, topic: &str, links: &Links) -> (Vec<SpeakerView>, usize) {
    let mut groups: Vec<SpeakerView> = Vec::new();
    let mut index: BTreeMap<Option<CompactString>, usize> = BTreeMap::new();
    for quote in briefing.quotes.iter().filter(|q| topic_key(q.topic.as_deref()) == topic) {
        let view = QuoteView {
            text: quote.text.clone(),
            outlet: Outlet {
                slug: quote.source.to_string(),
                name: name_of(briefing, &quote.source).to_string(),
            },
            anchor: quote.anchor.clone(),
            href: links.paragraph(&quote.source, &quote.anchor),
        };
        match index.get(&quote.speaker) {
            Some(&i) => groups[i].quotes.push(view),
            None => {
                index.insert(quote.speaker.clone(), groups.len());
                groups.push(SpeakerView { speaker: quote.speaker.clone(), quotes: vec![view], more: 0 });
            }
        }
    }
    let left_out = keep_largest(&mut groups, SPEAKER_LIMIT, |g| g.quotes.len());
    for group in &mut groups {
        group.more = group.quotes.len().saturating_sub(QUOTES_PER_SPEAKER);
        group.quotes.truncate(QUOTES_PER_SPEAKER);
    }
    groups.sort_by_key(|g| g.speaker.is_none());
    (groups, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TimelineEvent;

    fn briefing(events: &[(&str, &[&str])]) -> Briefing {
        Briefing {
            title: "T".into(),
            date: None,
            description: None,
            lead_html: None,
            generated: String::new(),
            topics: vec![],
            sources: vec![],
            figures: vec![],
            timeline: events
                .iter()
                .map(|(text, outlets)| TimelineEvent {
                    date: "2024-11-29".into(),
                    topic: None,
                    source: outlets[0].into(),
                    text: (*text).into(),
                    phrase: "on Friday".into(),
                    reference_date: "2024-11-30".into(),
                    sources: outlets.iter().map(|s| (*s).into()).collect(),
                    anchor: "p-0".into(),
                })
                .collect(),
            quotes: vec![],
            links: Default::default(),
            figure_runs: Vec::new(),
            timeline_keys: Vec::new(),
        }
    }

    #[test]
    fn a_crowded_day_keeps_what_most_outlets_report_in_order() {
        let b = briefing(&[
            ("first", &["a"]),
            ("second", &["a", "b"]),
            ("third", &["c"]),
            ("fourth", &["b", "c"]),
        ]);
        let links = Links::new(&b.sources);
        let (days, earlier) = timeline_days(&b, None, &links, 3, 10);
        let texts: Vec<&str> = days[0].events.iter().map(|e| &*e.text).collect();
        assert_eq!(texts, ["first", "second", "fourth"]);
        assert_eq!((days[0].more, earlier), (1, 0));
        let (all, _) = timeline_days(&b, None, &links, 10, 10);
        assert_eq!((all[0].events.len(), all[0].more), (4, 0));
    }

    #[test]
    fn a_placed_timeline_shows_what_its_events_made_in_full_show() {
        use crate::assemble::facts::EventDate;
        use crate::model::{PlacedEvent, Timeline};
        let mut b = briefing(&[]);
        let texts = ["Shelling began on Friday.", "Aid arrived on Saturday.", "Talks resumed on Saturday."];
        b.sources = vec![
            crate::assemble::test_source("wire", "war", Some("2024-11-30"), &texts),
            crate::assemble::test_source("daily", "war", Some("2024-11-30"), &texts[2..]),
        ];
        let place = |day: u32, paragraph: u32, others: &[u32]| PlacedEvent {
            date: EventDate::day(chrono::NaiveDate::from_ymd_opt(2024, 11, day).unwrap()).unwrap(),
            reference: chrono::NaiveDate::from_ymd_opt(2024, 11, 30),
            topic: Some(crate::model::interned("war")),
            source: 0,
            article: 0,
            paragraph,
            sentence: (0, texts[paragraph as usize].len() as u32),
            phrase: (0, 5),
            others: others.into(),
        };
        b.timeline = Timeline::Placed(vec![place(29, 0, &[]), place(30, 1, &[]), place(30, 2, &[1])]);
        let mut made = b.clone();
        made.timeline = b.timeline.events(&b.sources).map(std::borrow::Cow::into_owned).collect();
        let links = Links::new(&b.sources);
        for (topic, limit, latest) in
            [(None, 1, 1), (None, 10, 10), (Some("war"), 1, 2), (Some("other"), 5, 5)]
        {
            let placed = timeline_days(&b, topic, &links, limit, latest);
            let full = timeline_days(&made, topic, &links, limit, latest);
            assert_eq!(format!("{placed:?}"), format!("{full:?}"), "{topic:?} {limit} {latest}");
        }
        // The day keeps what most outlets report.
        let (days, earlier) = timeline_days(&b, None, &links, 1, 1);
        assert_eq!((days[0].events[0].text.as_ref(), days[0].more, earlier), (texts[2], 1, 1));
    }

    #[test]
    fn a_page_shows_the_latest_days_and_counts_the_earlier() {
        let mut b = briefing(&[("first", &["a"]), ("second", &["b"])]);
        let dates = ["2024-11", "2024-11-28", "2024-11-30"];
        let first = b.timeline.events(&b.sources).next().unwrap().into_owned();
        b.timeline = dates
            .iter()
            .map(|date| crate::model::TimelineEvent { date: (*date).into(), ..first.clone() })
            .collect();
        let links = Links::new(&b.sources);
        let (days, earlier) = timeline_days(&b, None, &links, 10, 2);
        let shown: Vec<&str> = days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!((shown, earlier), (vec!["2024-11-28", "2024-11-30"], 1));
        let (days, earlier) = timeline_days(&b, None, &links, 10, 5);
        assert_eq!((days.len(), earlier), (3, 0));
    }

    #[test]
    fn a_cell_shows_the_highest_numbers_and_counts_the_rest() {
        let mut b = briefing(&[]);
        b.sources = vec![crate::assemble::test_source("wire", "war", None, &["One.", "Two."])];
        b.topics = vec![crate::model::TopicEntry {
            slug: "war".into(),
            title: "War".into(),
            url: "topics/war/".into(),
            summary_html: String::new(),
            editor_summary: false,
            summary_points: vec![],
            paragraph_count: 2,
            source_slugs: vec!["wire".into()],
            configured: true,
        }];
        b.figures = [12, 40, 7, 3, 25]
            .iter()
            .map(|&value| crate::model::Figure {
                topic: Some("war".into()),
                label: "killed".into(),
                value,
                source: "wire".into(),
                attributed_to: None,
                text: format!("{value} people were killed.").into(),
                qualifier: None,
                anchor: "p-1".into(),
                attribution_inferred: false,
            })
            .collect();
        let tables = figure_tables(&b, &Links::new(&b.sources));
        let row = &tables[0].rows[0];
        let shown: Vec<&str> = row.cells[0].iter().map(|c| c.value.as_str()).collect();
        assert_eq!(shown, ["40", "25", "12"]);
        assert_eq!(row.more, [2]);
        assert_eq!(row.cells[0][0].href, "sources/wire/index.html#p-1");
    }

    #[test]
    fn each_topic_tables_its_own_figures_by_label_and_outlet_in_source_order() {
        let mut b = briefing(&[]);
        b.sources = vec![
            crate::assemble::test_source("wire", "war", None, &["One."]),
            crate::assemble::test_source("daily", "war", None, &["Two."]),
        ];
        let topic = |slug: &str| crate::model::TopicEntry {
            slug: slug.into(),
            title: slug.into(),
            url: format!("topics/{slug}/"),
            summary_html: String::new(),
            editor_summary: false,
            summary_points: vec![],
            paragraph_count: 1,
            source_slugs: vec![],
            configured: true,
        };
        b.topics = vec![topic("war"), topic("aid")];
        let figure = |topic: Option<&str>, label: &str, value: u64, source: &str| crate::model::Figure {
            topic: topic.map(Into::into),
            label: label.into(),
            value,
            source: source.into(),
            attributed_to: None,
            text: format!("{value} {label}.").into(),
            qualifier: None,
            anchor: "p-1".into(),
            attribution_inferred: false,
        };
        b.figures = vec![
            figure(Some("war"), "injured", 5, "daily"),
            figure(Some("war"), "killed", 10, "daily"),
            figure(Some("aid"), "displaced", 900, "wire"),
            figure(Some("war"), "killed", 12, "wire"),
            figure(None, "killed", 99, "wire"),
        ];
        let tables = figure_tables(&b, &Links::new(&b.sources));
        let topics: Vec<&str> = tables.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(topics, ["war", "aid"]);
        let war = &tables[0];
        let outlets: Vec<&str> = war.outlets.iter().map(|o| o.slug.as_str()).collect();
        assert_eq!(outlets, ["wire", "daily"]);
        let cells = |row: &FigureRow| -> Vec<Vec<String>> {
            row.cells.iter().map(|c| c.iter().map(|f| f.value.clone()).collect()).collect()
        };
        let killed = war.rows.iter().find(|r| r.label == "killed").unwrap();
        assert_eq!(cells(killed), [vec!["12".to_string()], vec!["10".to_string()]]);
        assert!(killed.disputed);
        let injured = war.rows.iter().find(|r| r.label == "injured").unwrap();
        assert_eq!(cells(injured), [vec![], vec!["5".to_string()]]);
        assert!(!injured.disputed);
        let aid = &tables[1];
        assert_eq!(aid.outlets.len(), 1);
        assert_eq!(cells(&aid.rows[0]), [vec!["900".to_string()]]);
    }

    #[test]
    fn who_said_what_keeps_the_most_quoted_speakers_and_counts_the_rest() {
        let mut b = briefing(&[]);
        let quote = |speaker: &str, n: usize| crate::model::Quote {
            speaker: Some(speaker.into()),
            text: format!("Quote {n} of {speaker}, long enough to count.").into(),
            source: "wire".into(),
            topic: Some("war".into()),
            anchor: "p-0".into(),
        };
        // One speaker with seven quotes, then 31 quoted once, the last of them twice.
        b.quotes = (0..7).map(|n| quote("Ana", n)).collect();
        b.quotes.extend((0..31).map(|n| quote(&format!("Speaker {n}"), 0)));
        b.quotes.push(quote("Speaker 30", 1));
        let (shown, left_out) = speakers(&b, "war", &Links::new(&b.sources));
        assert_eq!(shown.len(), SPEAKER_LIMIT);
        assert_eq!(left_out, 2);
        assert_eq!(shown[0].speaker.as_deref(), Some("Ana"));
        assert_eq!((shown[0].quotes.len(), shown[0].more), (QUOTES_PER_SPEAKER, 2));
        assert!(shown.iter().any(|s| s.speaker.as_deref() == Some("Speaker 30")));
        assert!(!shown.iter().any(|s| s.speaker.as_deref() == Some("Speaker 29")));
    }
}
