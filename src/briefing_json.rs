//! `briefing.json`: the `Briefing` serialised, byte for byte as `serde_json::to_writer`
//! writes it with its timeline's events made (a placed timeline cannot be serialised on its
//! own), but with each article as a chunk (`chunks`) so that an unchanged article is
//! copied from the previous file rather than serialised again.
//!
//! Compact, not indented: the file is for programs (and `jq` indents it for a reader), and
//! indentation was a fifth of its bytes (116 MB → 91 MB at 10,000 articles), every byte of
//! which a one-seed rebuild copies and a cold build writes.
//!
//! The outer layers (the briefing's and each source's fields) are written here field by field
//! in the order of `model`; a test checks the result against serde's own on a briefing with
//! every field set, so a field added to the model and not here fails it.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::chunks::{ChunkKey, ChunkWriter, chunk_key};
use crate::model::{Briefing, Figure, SourceEntry, Timeline};

/// The key of an article's chunk, from its hash (`ArticleEntry::hash`).
pub fn article_chunk_key(article_hash: &ChunkKey) -> ChunkKey {
    chunk_key("briefing.json article, compact", |h| h.bytes(article_hash))
}

/// The key of a run of figures kept from one article (`Briefing::figure_runs`): the
/// article's facts key and which of its figures were kept.
pub fn figures_chunk_key(facts_key: u64, kept: impl Iterator<Item = usize>) -> ChunkKey {
    chunk_key("briefing.json figures of an article, compact", |h| {
        h.bytes(&facts_key.to_le_bytes());
        for i in kept {
            h.bytes(&(i as u64).to_le_bytes());
        }
    })
}

/// The key of a timeline event (`Briefing::timeline_keys`): the facts key of the article
/// whose sentence it is, which of its dated sentences, the date that sentence was read against,
/// and the outlets that report the event.
pub fn timeline_chunk_key<'a>(
    facts_key: u64,
    item: usize,
    reference: Option<chrono::NaiveDate>,
    sources: impl Iterator<Item = &'a str>,
) -> ChunkKey {
    chunk_key("briefing.json timeline event, compact", |h| {
        h.bytes(&facts_key.to_le_bytes());
        h.bytes(&(item as u64).to_le_bytes());
        // A day number, as the facts files keep it: no string made for each of tens of thousands.
        h.bytes(&crate::cache::date_word(reference).to_le_bytes());
        for source in sources {
            h.str(source);
        }
    })
}

/// A timeline with the sources its events are read from: it is written as its events.
struct TimelineJson<'a> {
    timeline: &'a Timeline,
    sources: &'a [SourceEntry],
}

impl Serialize for TimelineJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.timeline.events(self.sources))
    }
}

/// Writes `briefing`, each article a chunk under a key made from its hash.
pub fn write(briefing: &Briefing, w: &mut ChunkWriter) -> Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    field(w, &mut first, "title", &briefing.title)?;
    field(w, &mut first, "date", &briefing.date)?;
    field(w, &mut first, "description", &briefing.description)?;
    field(w, &mut first, "lead_html", &briefing.lead_html)?;
    field(w, &mut first, "generated", &briefing.generated)?;
    field(w, &mut first, "topics", &briefing.topics)?;
    key(w, &mut first, "sources")?;
    list(w, &briefing.sources, write_source)?;
    let runs_cover_figures = !briefing.figure_runs.is_empty()
        && briefing.figure_runs.iter().map(|(len, _)| len).sum::<usize>() == briefing.figures.len();
    if runs_cover_figures {
        key(w, &mut first, "figures")?;
        write_figure_runs(w, briefing)?;
    } else {
        field(w, &mut first, "figures", &briefing.figures)?;
    }
    // An event is made only for a chunk the previous file does not have.
    let timeline = &briefing.timeline;
    if !timeline.is_empty() && briefing.timeline_keys.len() == timeline.len() {
        key(w, &mut first, "timeline")?;
        list(w, briefing.timeline_keys.iter().enumerate(), |w, (i, key)| {
            w.chunk(*key, |out| json(out, &timeline.event(i, &briefing.sources).unwrap_or_default()))
        })?;
    } else {
        // Without keys (an empty timeline, or events made in full): the timeline as one value,
        // which `value` makes twice (to fingerprint it, then to write it).
        field(w, &mut first, "timeline", &TimelineJson { timeline, sources: &briefing.sources })?;
    }
    field(w, &mut first, "quotes", &briefing.quotes)?;
    w.write_all(b"}")?;
    Ok(())
}

fn write_source(w: &mut ChunkWriter, source: &SourceEntry) -> Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    field(w, &mut first, "slug", &source.slug)?;
    field(w, &mut first, "name", &source.name)?;
    field(w, &mut first, "url", &source.url)?;
    field(w, &mut first, "homepage", &source.homepage)?;
    field(w, &mut first, "notes_html", &source.notes_html)?;
    field(w, &mut first, "identified_by", &source.identified_by)?;
    field(w, &mut first, "syndicated_by", &source.syndicated_by)?;
    key(w, &mut first, "articles")?;
    list(w, &source.articles, |w, article| {
        w.chunk(article_chunk_key(&article.hash), |out| json(out, article))
    })?;
    w.write_all(b"}")?;
    Ok(())
}

/// The figures as `list` writes them, each run of them (`Briefing::figure_runs`) a chunk: a
/// run is a list item whose chunk holds its figures and the separators between them.
fn write_figure_runs(w: &mut ChunkWriter, briefing: &Briefing) -> Result<()> {
    let mut at = 0;
    let runs = briefing.figure_runs.iter().map(|(len, key)| {
        at += len;
        (&briefing.figures[at - len..at], *key)
    });
    list(w, runs, |w, (figures, key): (&[Figure], ChunkKey)| {
        w.chunk(key, |out| {
            for (i, figure) in figures.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                json(out, figure)?;
            }
            Ok(())
        })
    })
}

/// `,` (none before the first), then `"name":`.
fn key(w: &mut ChunkWriter, first: &mut bool, name: &str) -> Result<()> {
    if !std::mem::replace(first, false) {
        w.write_all(b",")?;
    }
    serde_json::to_writer(&mut *w, name)?;
    w.write_all(b":")?;
    Ok(())
}

fn field<T: Serialize + ?Sized>(w: &mut ChunkWriter, first: &mut bool, name: &str, value: &T) -> Result<()> {
    key(w, first, name)?;
    w.value(value, |w| json(w, value))
}

/// `value` serialised whole, then written at once: the chunk writer looks at every write it
/// is given, and serde writes token by token.
fn json<T: Serialize + ?Sized>(w: &mut dyn Write, value: &T) -> Result<()> {
    w.write_all(&serde_json::to_vec(value)?)?;
    Ok(())
}

/// A list, each item written by `item`.
fn list<I: IntoIterator>(
    w: &mut ChunkWriter,
    items: I,
    mut item: impl FnMut(&mut ChunkWriter, I::Item) -> Result<()>,
) -> Result<()> {
    w.write_all(b"[")?;
    for (i, value) in items.into_iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        item(w, value)?;
    }
    w.write_all(b"]")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunks::{ChunkSource, ChunksIn, InMemory, Placed};
    use crate::file_bytes::FileBytes;
    use crate::model::*;

    /// A briefing with every field of every type set, and lists of none, one and two.
    fn full() -> Briefing {
        let article = |seed: &str| ArticleEntry {
            seed: seed.into(),
            headline: Some("Head \"line\"\n".into()),
            date: Some("2024-11-30".into()),
            url: "sources/a/".into(),
            paragraphs: vec![
                Paragraph {
                    kind: BlockKind::Paragraph,
                    text: "One <b>.".into(),
                    topic: Some(crate::model::interned("t")),
                    id: crate::model::AnchorId { hash: 1, count: 1 },
                },
                Paragraph {
                    kind: BlockKind::Heading,
                    text: "Two".into(),
                    topic: None,
                    id: crate::model::AnchorId { hash: 2, count: 1 },
                },
            ],
            removed: vec![RemovedLine { text: "Promo".into(), reason: "newsletter-promo".into(), line: 3 }],
            hash: chunk_key("test article", |h| h.str(seed)),
            content_hash: chunk_key("test article content", |h| h.str(seed)),
        };
        let source = |slug: &str, articles: Vec<ArticleEntry>| SourceEntry {
            slug: slug.into(),
            name: "Name é".into(),
            url: format!("sources/{slug}/"),
            homepage: Some("https://example.org".into()),
            notes_html: None,
            identified_by: "content".into(),
            syndicated_by: vec!["x".into()],
            articles,
        };
        Briefing {
            title: "T".into(),
            date: Some("2024-11-30".into()),
            description: None,
            lead_html: Some("<p>Lead</p>".into()),
            generated: "2024-12-01".into(),
            topics: vec![TopicEntry {
                slug: "t".into(),
                title: "Topic".into(),
                url: "topics/t/".into(),
                summary_html: "<ul></ul>".into(),
                editor_summary: false,
                summary_points: vec![SummaryPoint {
                    text: "S".into(),
                    sources: vec!["a".into()],
                    anchor: "p-1".into(),
                }],
                paragraph_count: 1,
                source_slugs: vec![],
                configured: true,
            }],
            sources: vec![
                source("a", vec![article("seeds/1.txt"), article("seeds/2.txt")]),
                source("b", vec![]),
                source("c", vec![article("seeds/3.txt")]),
            ],
            figures: vec![Figure {
                topic: None,
                label: "killed".into(),
                value: 4,
                source: "a".into(),
                attributed_to: Some("officials".into()),
                text: "At least 4".into(),
                qualifier: Some("at least".into()),
                anchor: "p-1".into(),
                attribution_inferred: false,
            }],
            timeline: vec![TimelineEvent {
                date: "2024-11-29".into(),
                topic: Some("t".into()),
                source: "a".into(),
                text: "Yesterday".into(),
                phrase: "yesterday".into(),
                reference_date: "2024-11-30".into(),
                sources: vec!["a".into(), "c".into()],
                anchor: "p-1".into(),
            }]
            .into(),
            quotes: vec![],
            links: Default::default(),
            figure_runs: Vec::new(),
            timeline_keys: Vec::new(),
        }
    }

    fn write_with(briefing: &Briefing, previous: Option<InMemory>) -> (Vec<u8>, Vec<Placed>, usize) {
        let mut out = Vec::new();
        let previous = previous.map(|(bytes, chunks)| {
            ChunksIn::new(Box::new(FileBytes::from(bytes)) as Box<dyn ChunkSource>, &chunks)
        });
        let mut writer = ChunkWriter::new(&mut out, previous);
        write(briefing, &mut writer).unwrap();
        let reused = writer.reused;
        let chunks = writer.finish().unwrap();
        (out, chunks, reused)
    }

    #[test]
    fn same_bytes_as_serde() {
        let briefing = full();
        let (ours, _, _) = write_with(&briefing, None);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&briefing).unwrap());
        let empty = Briefing {
            sources: vec![],
            topics: vec![],
            figures: vec![],
            timeline: Timeline::default(),
            ..full()
        };
        let (ours, _, _) = write_with(&empty, None);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&empty).unwrap());
    }

    #[test]
    fn unchanged_articles_are_copied_and_changed_ones_written() {
        let briefing = full();
        let (first, chunks, reused) = write_with(&briefing, None);
        assert_eq!(reused, 0);
        let mut edited = briefing.clone();
        let changed = &mut edited.sources[2].articles[0];
        changed.paragraphs[0].text = "Changed.".into();
        changed.hash = chunk_key("test article", |h| h.str("changed"));
        let (second, _, reused) = write_with(&edited, Some((first, chunks)));
        // Articles 1 and 2 are byte for byte the same as before; article 3 changed.
        assert_eq!(reused, 2);
        assert_eq!(String::from_utf8(second).unwrap(), serde_json::to_string(&edited).unwrap());
    }

    #[test]
    fn timeline_events_as_chunks_are_the_same_bytes_and_an_unchanged_one_is_copied() {
        let mut briefing = full();
        let event = briefing.timeline.events(&briefing.sources).next().unwrap().into_owned();
        briefing.timeline = vec![event.clone(), TimelineEvent { text: "Today".into(), ..event }].into();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 11, 30);
        let key = |facts: u64, sources: &[&str]| timeline_chunk_key(facts, 0, day, sources.iter().copied());
        briefing.timeline_keys = vec![key(1, &["a", "c"]), key(2, &["a", "c"])];
        let (first, chunks, _) = write_with(&briefing, None);
        assert_eq!(String::from_utf8(first.clone()).unwrap(), serde_json::to_string(&briefing).unwrap());
        // The second event gains an outlet: the first is copied, the second written.
        let mut edited = briefing.clone();
        let Timeline::Events(events) = &mut edited.timeline else { unreachable!("made in full above") };
        events[1].sources.push("d".into());
        edited.timeline_keys[1] = key(2, &["a", "c", "d"]);
        assert_ne!(edited.timeline_keys[1], briefing.timeline_keys[1]);
        let (second, _, reused) = write_with(&edited, Some((first, chunks)));
        assert_eq!(reused, 3 + 1);
        assert_eq!(String::from_utf8(second).unwrap(), serde_json::to_string(&edited).unwrap());
        // Another reading date or dated sentence is another key.
        assert_ne!(timeline_chunk_key(1, 0, None, ["a"].into_iter()), key(1, &["a"]));
        assert_ne!(timeline_chunk_key(1, 1, day, ["a"].into_iter()), key(1, &["a"]));
    }

    #[test]
    fn a_placed_timeline_is_written_as_its_events_made_in_full() {
        use crate::assemble::facts::EventDate;
        let mut briefing = full();
        let text = "Shelling began late on Friday in the north, residents said.";
        briefing.sources = vec![
            crate::assemble::test_source("wire", "war", Some("2024-11-30"), &["Calm.", text]),
            crate::assemble::test_source("daily", "war", Some("2024-11-30"), &[text]),
        ];
        let day = |d| chrono::NaiveDate::from_ymd_opt(2024, 11, d).unwrap();
        let phrase = (text.find("late").unwrap() as u32, text.find(" in").unwrap() as u32);
        let placed = PlacedEvent {
            date: EventDate::day(day(29)).unwrap(),
            reference: Some(day(30)),
            topic: Some(interned("war")),
            source: 0,
            article: 0,
            paragraph: 1,
            sentence: (0, text.find(" residents").unwrap() as u32),
            phrase,
            others: vec![1].into(),
        };
        briefing.timeline =
            Timeline::Placed(vec![placed.clone(), PlacedEvent { others: [].into(), ..placed }]);
        let made: Timeline =
            briefing.timeline.events(&briefing.sources).map(std::borrow::Cow::into_owned).collect();
        let Timeline::Events(events) = &made else { unreachable!("collected in full") };
        assert_eq!(&*events[0].text, "Shelling began late on Friday in the north,");
        assert_eq!(
            (&*events[0].phrase, &*events[0].date, &*events[0].reference_date),
            ("late on Friday", "2024-11-29", "2024-11-30")
        );
        assert_eq!(events[0].sources, ["wire", "daily"]);
        assert_eq!(events[1].sources, ["wire"]);
        assert_eq!((events[0].topic.as_deref(), &*events[0].anchor), (Some("war"), "p-00000001"));
        let as_made = Briefing { timeline: made.clone(), ..briefing.clone() };
        // Whole, and in chunks.
        let (whole, _, _) = write_with(&briefing, None);
        assert_eq!(String::from_utf8(whole).unwrap(), serde_json::to_string(&as_made).unwrap());
        let key = |facts: u64| timeline_chunk_key(facts, 0, Some(day(30)), ["wire"].into_iter());
        briefing.timeline_keys = vec![key(1), key(2)];
        let (chunked, _, _) = write_with(&briefing, None);
        assert_eq!(String::from_utf8(chunked).unwrap(), serde_json::to_string(&as_made).unwrap());
        // A placed timeline alone cannot be written: it has no sources to read.
        assert!(serde_json::to_string(&briefing.timeline).is_err());
    }

    #[test]
    fn figures_in_runs_are_the_same_bytes_and_an_unchanged_run_is_copied() {
        let mut briefing = full();
        let figure = briefing.figures[0].clone();
        briefing.figures =
            vec![figure.clone(), Figure { value: 5, ..figure.clone() }, Figure { value: 6, ..figure }];
        briefing.figure_runs =
            vec![(2, figures_chunk_key(1, [0, 2].into_iter())), (1, figures_chunk_key(2, [0].into_iter()))];
        let (first, chunks, _) = write_with(&briefing, None);
        assert_eq!(String::from_utf8(first.clone()).unwrap(), serde_json::to_string(&briefing).unwrap());
        // The second run changes: the first is copied, the second written.
        let mut edited = briefing.clone();
        edited.figures[2].value = 7;
        edited.figure_runs[1].1 = figures_chunk_key(3, [0].into_iter());
        let (second, _, reused) = write_with(&edited, Some((first, chunks)));
        assert_eq!(reused, 3 + 1);
        assert_eq!(String::from_utf8(second).unwrap(), serde_json::to_string(&edited).unwrap());
    }
}
