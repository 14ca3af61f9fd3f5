//! Assemble: cleaned articles, their outlets and topics, and the editor's content become one
//! `Briefing`: sources with their articles, topics with summaries (the editor's, else a
//! drafted one), and the briefing's title, lead and date.

pub mod facts;
pub mod figures;
mod names;
pub mod quotes;
mod speech;
mod summary;
pub mod timeline;
pub mod views;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::cache::{self, Known};
use crate::config::Config;
use crate::content::Content;
use crate::model::{
    AnchorId, ArticleEntry, BlockKind, Briefing, CleanedArticle, Digest, Interned, Paragraph, SourceEntry,
    SummaryPoint, TopicEntry, interned,
};
use crate::outlet::Attribution;
use crate::topics::{OTHER_SLUG, Topic};
pub use facts::Facts;

pub use names::LazyNames;
pub use summary::draft_summary;

/// Everything assemble reads: the outputs of the earlier stages.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    /// Taken apart into the briefing: their text moves, it is not copied.
    pub articles: Vec<CleanedArticle>,
    pub attribution: &'a Attribution,
    pub topics: &'a [Topic],
    /// Per article, per block: index into `topics`, or `None` for "Other". Freed article by
    /// article once each paragraph holds its topic.
    pub assignments: Vec<Vec<Option<usize>>>,
    /// Per article, the digest of the cleaned article (`cache::cleaned_digest` or
    /// `cache::content_digest`), from which each entry's hash is made.
    pub digests: Vec<Digest>,
    /// `SOURCE_DATE_EPOCH`, when set: the build's timestamp.
    pub source_date_epoch: Option<i64>,
}

/// Compiles the patterns of figures, quotes, dates and attributions side by side on every
/// core: on a small site compiling them is most of assembling, and inside the parallel
/// passes the first thread to need a pattern compiles it while the others wait.
fn prepare() {
    rayon::join(
        || rayon::join(figures::prepare, quotes::prepare),
        || rayon::join(timeline::prepare, names::prepare),
    );
}

pub fn assemble(inputs: Inputs) -> Briefing {
    let (mut briefing, facts, figures) = assemble_with_facts(inputs, &mut Known::default());
    drop(facts);
    figures.resolve_into(&mut briefing);
    briefing
}

/// `assemble`, reusing what was already read out of unchanged articles (figures, quotes) and
/// drafted for unchanged topics (summaries); returns all of it with its keys, for the cache.
/// The facts reused are taken out of `known`, not copied. The briefing's figures are made from
/// the `KeptFigures` once the facts are let go of: they are most of what assemble holds.
pub fn assemble_with_facts(inputs: Inputs, known: &mut Known) -> (Briefing, Known, KeptFigures) {
    let Inputs { config, content, topics, .. } = inputs;
    // Whether the catch-all topic is wanted, known before the assignments are taken apart.
    let unassigned = inputs.assignments.iter().flatten().any(Option::is_none);
    let index = content.index.as_ref();
    let newest = inputs.articles.iter().filter_map(|a| a.date).max();
    let date = config.date.or(index.and_then(|i| i.meta.date)).or(newest);
    let source_date_epoch = inputs.source_date_epoch;
    // Facts to read (not all cached): their patterns are wanted, compiled up front.
    if known.facts.len() < inputs.articles.len() {
        prepare();
    }

    let sources = source_entries(inputs);
    let articles = every_article(&sources);
    let article_keys: Vec<u64> = articles.par_iter().map(|(s, a)| cache::facts_key(s, a)).collect();

    // Three branches that need only the sources, side by side: the topics with their summaries
    // (after the link index: its sorting of the largest outlet's paragraphs goes on one core,
    // and here the other branches keep the other cores busy), the figures and quotes, and the
    // timeline.
    let drafting = Drafting {
        sources: &sources,
        articles: &articles,
        article_keys: &article_keys,
        summaries: &known.summaries,
    };
    let (known_facts, known_timeline) = (&mut known.facts, &known.timeline);
    let ((link_index, (topic_entries, summaries)), found) = rayon::join(
        || {
            let link_index = LinkIndex::new(&sources);
            let entries = topic_entries(&drafting, &link_index, topics, unassigned, content);
            (link_index, entries)
        },
        || found_facts(&sources, &articles, &article_keys, (known_facts, known_timeline), date),
    );
    let FoundFacts { facts, figure_runs, figures, quotes, timeline: (timeline, timeline_keys, merged) } =
        found;

    let generated = source_date_epoch
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .or(date)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();

    drop(articles);
    let briefing = Briefing {
        title: index.and_then(|i| i.meta.title.clone()).unwrap_or_else(|| config.title.clone()),
        date: date.map(format_date),
        description: index.and_then(|i| i.meta.dek.clone()).or_else(|| config.description.clone()),
        lead_html: index.filter(|i| i.has_body()).map(|i| i.rendered.html.clone()),
        generated,
        topics: topic_entries,
        sources,
        figures: Vec::new(),
        timeline: crate::model::Timeline::Placed(timeline),
        quotes,
        links: link_index,
        figure_runs,
        timeline_keys,
    };
    let learned = Known::new(
        article_keys.into_iter().zip(facts).collect(),
        summaries.into_iter().flatten().collect(),
        merged,
    );
    (briefing, learned, figures)
}

/// Every article of `sources` with its source, in order: what the facts of assemble are
/// numbered by.
fn every_article(sources: &[SourceEntry]) -> Vec<(&SourceEntry, &ArticleEntry)> {
    sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect()
}

/// The figures the briefing keeps, each with its article (index into `every_article` of the
/// briefing's sources): what they point into is the briefing's.
pub struct KeptFigures(Vec<(u32, facts::ArticleFigure)>);

impl KeptFigures {
    /// Makes the briefing's figures. Every span was checked against its article
    /// (`Facts::fit`): each resolves.
    pub fn resolve_into(self, briefing: &mut Briefing) {
        let articles = every_article(&briefing.sources);
        // Made in place, not gathered in pieces and then copied (a hundred thousand figures
        // at scale); in place again without any that did not resolve.
        let figures: Vec<Option<crate::model::Figure>> = self
            .0
            .par_iter()
            .map(|(a, figure)| {
                let (source, article) = articles.get(*a as usize)?;
                figure.resolve(&source.slug, article)
            })
            .collect();
        drop(articles);
        #[allow(clippy::filter_map_identity)] // `flatten` would copy into a new vector
        let figures = figures.into_iter().filter_map(|figure| figure).collect();
        briefing.figures = figures;
    }
}

/// Every topic's entry, with its summary (the editor's, the one drafted last time for the same
/// articles, or one drafted now); and the drafted summaries with their keys, for the cache.
fn topic_entries(
    drafting: &Drafting,
    link_index: &LinkIndex,
    topics: &[Topic],
    unassigned: bool,
    content: &Content,
) -> (Vec<TopicEntry>, Vec<Option<Drafted>>) {
    let links = Links::with(link_index, drafting.sources);
    let mut wanted: Vec<(&str, &str, bool)> = topics.iter().map(|t| (&*t.slug, &*t.title, true)).collect();
    if unassigned {
        wanted.push((OTHER_SLUG, "Other", false));
    }
    let members = topic_members(&wanted, drafting.articles);
    wanted
        .par_iter()
        .zip(members)
        .map(|((slug, title, configured), members)| {
            topic_entry(slug, title, *configured, members, drafting, &links, content)
        })
        .unzip()
}

/// Every article's figures and quotes (in `articles` order), and the briefing's lists of them.
struct FoundFacts {
    facts: Vec<Facts>,
    figure_runs: Vec<(usize, Digest)>,
    figures: KeptFigures,
    quotes: Vec<crate::model::Quote>,
    /// The events, their chunk keys, and how each day and topic merged.
    timeline: (Vec<crate::model::PlacedEvent>, Vec<Digest>, HashMap<u64, timeline::GroupEvents>),
}

/// Reads the figures, quotes and dated sentences out of every article not in `known` (those are
/// taken out of it, not copied; an undated article's sentences are dated again when the
/// briefing's date moved), then keeps the first of each figure and quote for the briefing,
/// beside the timeline made of the dated sentences (with the days and topics merged before,
/// `known_timeline`).
fn found_facts(
    sources: &[SourceEntry],
    articles: &[(&SourceEntry, &ArticleEntry)],
    article_keys: &[u64],
    (known, known_timeline): (&mut HashMap<u64, Facts>, &HashMap<u64, timeline::GroupEvents>),
    briefing_date: Option<NaiveDate>,
) -> FoundFacts {
    let reused: Vec<Option<Facts>> = article_keys.iter().map(|key| known.remove(key)).collect();
    let facts: Vec<Facts> = articles
        .par_iter()
        .zip(reused)
        .map(|((_, article), reused)| {
            let reference = timeline::reference_of(article, briefing_date);
            match reused.filter(|facts| facts.fit(article)) {
                Some(mut facts) => {
                    // An undated article's sentences are read against the briefing's date,
                    // which a newer article moves.
                    if facts.dates.reference != reference {
                        facts.dates = timeline::article_dates(article, reference);
                    }
                    facts
                }
                None => {
                    let names = names::LazyNames::new(article);
                    let sentences = figures::article_sentences(article);
                    Facts {
                        figures: figures::figures_of(&sentences, &names),
                        quotes: quotes::article_quotes(article, &names),
                        dates: timeline::dates_of(&sentences, reference),
                    }
                }
            }
        })
        .collect();
    let (((figure_runs, figures), quotes), timeline) = rayon::join(
        || {
            // The figures kept from one article make a run with a key (`Briefing::figure_runs`).
            let kept = facts::first_figures(articles, &facts);
            let figure_runs: Vec<(usize, Digest)> = kept
                .chunk_by(|x, y| x.0 == y.0)
                .collect::<Vec<_>>()
                .par_iter()
                .map(|run| {
                    (
                        run.len(),
                        crate::briefing_json::figures_chunk_key(
                            article_keys[run[0].0 as usize],
                            run.iter().map(|k| k.1 as usize),
                        ),
                    )
                })
                .collect();
            // Every span was checked against its article (`Facts::fit`): each resolves.
            let figures = KeptFigures(
                kept.iter().map(|&(a, i)| (a, facts[a as usize].figures[i as usize].clone())).collect(),
            );
            let quotes: Vec<crate::model::Quote> = facts::first_quotes(articles, &facts)
                .par_iter()
                .filter_map(|&at| facts::quote_at(articles, &facts, at))
                .collect();
            ((figure_runs, figures), quotes)
        },
        || timeline::events(sources, articles, &facts, article_keys, known_timeline),
    );
    FoundFacts { facts, figure_runs, figures, quotes, timeline }
}

fn source_entries(inputs: Inputs) -> Vec<SourceEntry> {
    let Inputs { config, content, articles, attribution, topics, assignments, digests, .. } = inputs;
    let binary = cache::binary_fingerprint();
    let slugs: Vec<Interned> = topics.iter().map(|t| interned(&t.slug)).collect();
    // Each outlet's articles, moved out of the list (with their assignments and digests), so
    // the outlets can be put together side by side.
    type Member = ((CleanedArticle, Digest), Vec<Option<usize>>);
    let mut members: Vec<Vec<Member>> = attribution.outlets.iter().map(|_| Vec::new()).collect();
    for ((article, outlet), assignment) in
        articles.into_iter().zip(digests).zip(&attribution.of_article).zip(assignments)
    {
        members[*outlet].push((article, assignment));
    }
    // Largest outlet first: its sorting and the counting of its anchors go one by one, and the
    // smaller outlets are put together on the other cores meanwhile. (Put back in order after.)
    let mut jobs: Vec<(usize, Vec<Member>)> = members.into_iter().enumerate().collect();
    jobs.sort_unstable_by_key(|(at, members)| (std::cmp::Reverse(members.len()), *at));
    let mut made: Vec<(usize, SourceEntry)> = jobs
        .into_par_iter()
        .map(|(at, members)| {
            let outlet = &attribution.outlets[at];
            // Newest first, then by file name.
            let members = sorted_moving_once(members, |((a, _), _), ((b, _), _)| {
                b.date.cmp(&a.date).then_with(|| a.seed.cmp(&b.seed))
            });
            let page = content.sources.get(&outlet.slug);
            // Anchors: each paragraph's text hash (made with the block), counted in order, since
            // a repeated text gets `-2`, `-3`, …. Each article's counts are a slice of them, from
            // where its paragraphs start.
            let anchors: Vec<u32> = members
                .par_iter()
                .flat_map_iter(|((article, _), _)| article.blocks.iter().map(|b| b.anchor))
                .collect();
            let counts = occurrence_counts(&anchors);
            drop(anchors);
            let starts: Vec<usize> = members
                .iter()
                .scan(0, |next, ((article, _), _)| {
                    let start = *next;
                    *next += article.blocks.len();
                    Some(start)
                })
                .collect();
            let count = members.len();
            let entries = members
                .into_par_iter()
                .zip(starts)
                .enumerate()
                .map(|(n, (((article, digest), assignment), start))| {
                    // Within: the starts add up the same articles' paragraphs, in order.
                    let counts = &counts[start..start + article.blocks.len()];
                    let date = article.date.or(page.and_then(|p| p.meta.date));
                    let mut entry = ArticleEntry {
                        seed: article.seed,
                        headline: article.headline,
                        date: date.map(format_date),
                        url: page_url(
                            &format!("sources/{}/", outlet.slug),
                            page_from_oldest(n, count, config.paginate_by),
                        ),
                        paragraphs: article
                            .blocks
                            .into_iter()
                            .zip(assignment)
                            .zip(counts.iter().copied())
                            .map(|((block, topic), count)| Paragraph {
                                kind: block.kind,
                                id: AnchorId { hash: block.anchor, count },
                                text: block.text,
                                topic: topic.and_then(|t| slugs.get(t).copied()),
                            })
                            .collect(),
                        removed: article.removed,
                        hash: Digest::default(),
                        content_hash: Digest::default(),
                    };
                    entry.content_hash = content_hash(binary, &digest, &entry);
                    entry.hash = entry_hash(&entry.content_hash, &entry.url);
                    entry
                })
                .collect();
            let source = SourceEntry {
                slug: outlet.slug.clone(),
                name: outlet.name.clone(),
                url: format!("sources/{}/", outlet.slug),
                homepage: outlet.homepage.clone(),
                notes_html: page.filter(|p| p.has_body()).map(|p| p.rendered.html.clone()),
                identified_by: outlet.identified_by.clone(),
                syndicated_by: outlet.syndicated_by.iter().cloned().collect(),
                articles: entries,
            };
            (at, source)
        })
        .collect();
    made.sort_unstable_by_key(|(at, _)| *at);
    made.into_iter().map(|(_, source)| source).collect()
}

/// `items` sorted by `compare`, stably, each moved once: the places are sorted, then the items
/// put in their order by following its cycles. Sorting an outlet's members themselves moved
/// each cleaned article a dozen times, on one core (the outlet of no known name holds most of
/// the articles), and putting them in order into a second list held both at once.
fn sorted_moving_once<T>(mut items: Vec<T>, compare: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Ties kept in the order they came, as a stable sort keeps them.
    order.sort_unstable_by(|&a, &b| compare(&items[a], &items[b]).then(a.cmp(&b)));
    // Place `k` takes the item at `order[k]`: each cycle of the order is followed once.
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
    items
}

/// For each of `hashes`, how many times it has come so far, this one included (stopping at
/// `u16::MAX`, see `AnchorId::count`). The hashes are sorted with their places rather than
/// counted in a map one by one: the largest outlet has a hundred thousand paragraphs at
/// 10,000 articles, and a map took 5 ms of a rebuild, one core idle.
fn occurrence_counts(hashes: &[u32]) -> Vec<u16> {
    debug_assert!(u32::try_from(hashes.len()).is_ok(), "a place is 32 bits");
    let mut keyed: Vec<u64> =
        hashes.iter().enumerate().map(|(at, &hash)| (u64::from(hash) << 32) | at as u64).collect();
    // By the hash alone: a radix sort is stable, so the places of a hash stay in order, and it
    // takes half the passes of sorting by hash and place (the place's bytes vary too).
    radsort::sort_by_key(&mut keyed, |k| (k >> 32) as u32);
    let mut counts = vec![1u16; hashes.len()];
    let mut run = 1u16;
    for pair in keyed.windows(2) {
        run = if pair[0] >> 32 == pair[1] >> 32 { run.saturating_add(1) } else { 1 };
        // Most hashes come once: their count is the 1 already there.
        if run > 1 {
            counts[(pair[1] & u64::from(u32::MAX)) as usize] = run;
        }
    }
    counts
}

/// An entry's hash: its content hash (`content_hash`) and the page it is on. Hashing these
/// rather than the text lets a rebuild key every unchanged article's pages and data-file
/// chunks without reading its text again.
pub fn entry_hash(content: &Digest, url: &str) -> Digest {
    crate::chunks::chunk_key("article entry", |h| {
        h.bytes(content);
        h.str(url);
    })
}

/// An entry's content hash: the digest of the cleaned article it is made from (seed, headline,
/// date, blocks, removed lines), then what assemble adds to it but the page (the date shown,
/// each paragraph's topic and anchor), and the binary that lays it out.
pub fn content_hash(binary: u64, digest: &Digest, entry: &ArticleEntry) -> Digest {
    crate::chunks::chunk_key("article content", |h| {
        h.bytes(&binary.to_le_bytes());
        h.bytes(digest);
        h.str(&entry.seed);
        match &entry.date {
            Some(date) => h.str(date),
            None => h.bytes(&[0xff]),
        }
        // The paragraphs' topics and anchors, packed (lengths as LEB128, a topic behind a tag
        // byte) into one piece, half the bytes of one length-prefixed piece each: this is hashed
        // for every article of every build.
        let mut packed = Vec::with_capacity(entry.paragraphs.len() * 24);
        for p in &entry.paragraphs {
            match &p.topic {
                Some(topic) => {
                    packed.push(1);
                    push_sized(&mut packed, topic.as_bytes());
                }
                None => packed.push(0),
            }
            push_sized(&mut packed, p.id.text().as_bytes());
        }
        h.bytes(&packed);
    })
}

/// `bytes` after their length as LEB128: no two sequences of them pack the same.
fn push_sized(packed: &mut Vec<u8>, bytes: &[u8]) {
    let mut len = bytes.len();
    while len >= 0x80 {
        packed.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    packed.push(len as u8);
    packed.extend_from_slice(bytes);
}

/// A drafted summary with its key (`cache::summary_key`).
type Drafted = (u64, Vec<SummaryPoint>);

/// What drafting a topic's summary reads: the articles, their facts keys (in the same order)
/// and the summaries already drafted.
struct Drafting<'a> {
    sources: &'a [SourceEntry],
    articles: &'a [(&'a SourceEntry, &'a ArticleEntry)],
    article_keys: &'a [u64],
    summaries: &'a HashMap<u64, Vec<SummaryPoint>>,
}

/// Per topic of `wanted`: the articles with a paragraph on it (indices into `articles`, in
/// order) and how many such paragraphs there are. One pass over every paragraph serves all
/// the topics.
fn topic_members(
    wanted: &[(&str, &str, bool)],
    articles: &[(&SourceEntry, &ArticleEntry)],
) -> Vec<(Vec<usize>, usize)> {
    let filters: Vec<Option<&str>> =
        wanted.iter().map(|(slug, _, _)| (*slug != OTHER_SLUG).then_some(*slug)).collect();
    let counts: Vec<Vec<u32>> = articles
        .par_iter()
        .map(|(_, article)| {
            let mut counts = vec![0u32; filters.len()];
            for p in article.paragraphs.iter().filter(|p| p.kind == BlockKind::Paragraph) {
                for (count, filter) in counts.iter_mut().zip(&filters) {
                    if p.topic.as_deref() == *filter {
                        *count += 1;
                    }
                }
            }
            counts
        })
        .collect();
    (0..filters.len())
        .map(|slot| {
            let members: Vec<usize> = (0..articles.len()).filter(|&i| counts[i][slot] > 0).collect();
            let paragraphs = members.iter().map(|&i| counts[i][slot] as usize).sum();
            (members, paragraphs)
        })
        .collect()
}

/// A topic with its summary; and the drafted summary with its key, for the cache.
fn topic_entry(
    slug: &str,
    title: &str,
    configured: bool,
    (members, paragraph_count): (Vec<usize>, usize),
    drafting: &Drafting,
    links: &Links,
    content: &Content,
) -> (TopicEntry, Option<Drafted>) {
    let wanted = (slug != OTHER_SLUG).then_some(slug);
    let source_slugs: BTreeSet<String> =
        members.iter().map(|&i| drafting.articles[i].0.slug.clone()).collect();
    let editor = content.topics.get(slug).filter(|page| page.has_body() && !page.meta.draft);
    let (summary_html, summary_points, drafted) = match editor {
        Some(page) => (page.rendered.html.clone(), Vec::new(), None),
        None => {
            let recent = summary::newest(members, drafting.articles);
            let key = cache::summary_key(wanted, recent.iter().map(|&i| drafting.article_keys[i]));
            let points = match drafting.summaries.get(&key) {
                Some(points) => points.clone(),
                None => {
                    let recent: Vec<_> = recent.iter().map(|&i| drafting.articles[i]).collect();
                    draft_summary(wanted, &recent)
                }
            };
            (summary::points_html(&points, drafting.sources, links), points.clone(), Some((key, points)))
        }
    };
    let entry = TopicEntry {
        slug: slug.to_string(),
        title: title.to_string(),
        url: format!("topics/{slug}/"),
        summary_html,
        editor_summary: editor.is_some(),
        summary_points,
        paragraph_count,
        source_slugs: source_slugs.into_iter().collect(),
        configured,
    };
    (entry, drafted)
}

/// The first of each group of items with the same `key`, in order. Items are indices (into the
/// facts of every article: a million of them at scale) and are taken a block at a time, nothing
/// held for each beyond its block. Keys are seed text, so they are hashed with a keyed hash
/// (foldhash's, seeded afresh each time); the result does not depend on it.
fn first_of_each<T: Copy + Send + Sync, K: std::hash::Hash + Eq>(
    items: impl Iterator<Item = T>,
    key: impl Fn(T) -> K + Sync,
) -> Vec<T> {
    use std::collections::hash_map::Entry;
    use std::hash::BuildHasher;
    let state = foldhash::fast::RandomState::default();
    // The first item with each hash; an item after it with the same hash is compared key to
    // key, and the firsts among those (hashes met, keys differ: rare) are kept aside.
    let mut seen: crate::text::WordMap<u64, T> = Default::default();
    let mut met: Vec<(u64, T)> = Vec::new();
    let mut firsts = Vec::new();
    let mut items = items.peekable();
    let mut block: Vec<T> = Vec::new();
    let mut hashes: Vec<u64> = Vec::new();
    while items.peek().is_some() {
        // Each key is found (in its article's text) and hashed on every core, a block at a
        // time; only the lookups go one by one. One by one, the hashing of a rebuild's
        // quotes at 10,000 articles took 18 ms.
        block.clear();
        block.extend(items.by_ref().take(FIRST_OF_EACH_BLOCK));
        block.par_iter().map(|&item| state.hash_one(key(item))).collect_into_vec(&mut hashes);
        for (&item, &hash) in block.iter().zip(&hashes) {
            match seen.entry(hash) {
                Entry::Vacant(entry) => {
                    entry.insert(item);
                    firsts.push(item);
                }
                Entry::Occupied(entry) => {
                    let k = key(item);
                    let same_key = |other: T| key(other) == k;
                    if !same_key(*entry.get()) && !met.iter().any(|&(h, other)| h == hash && same_key(other))
                    {
                        met.push((hash, item));
                        firsts.push(item);
                    }
                }
            }
        }
    }
    firsts
}

/// How many items `first_of_each` hashes at once.
const FIRST_OF_EACH_BLOCK: usize = 1 << 14;

/// The page (1 for the first) of the `index`th of `count` items listed newest first (an
/// outlet's articles, a topic's), `per_page` a page. The pages are counted off from the oldest
/// item and the first page takes the rest, between `per_page` and twice as many less one: an
/// item added in front then changes the first page only (and every other page keeps its items,
/// their links and its file), until `per_page` more have come and each page moves back by one.
pub fn page_from_oldest(index: usize, count: usize, per_page: usize) -> usize {
    let per_page = per_page.max(1);
    let first = first_page_len(count, per_page);
    if index < first { 1 } else { 2 + (index - first) / per_page }
}

/// How many items the first page of a list of `count` shows (`page_from_oldest`).
pub fn first_page_len(count: usize, per_page: usize) -> usize {
    let per_page = per_page.max(1);
    count - (count / per_page).saturating_sub(1) * per_page
}

/// The folder of page `number` of a paged list whose first page is `first` (`topics/gaza/`):
/// the first page itself, then `page/2/`, `page/3/`, ….
pub fn page_url(first: &str, number: usize) -> String {
    if number <= 1 { first.to_string() } else { format!("{first}page/{number}/") }
}

/// Where each paragraph is: per source (in the briefing's order), the article (index into its
/// articles) each anchor is in. Made once per build, in assemble, and kept in the `Briefing`
/// for render: links to a paragraph go through it, since a long source's articles are spread
/// over several pages. An anchor is unique within its source, so a lookup is exact.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    /// Per source: (anchor hash, article) of the anchors without a count (nearly all), sorted;
    /// eight bytes a paragraph, for every paragraph of the archive.
    firsts: Vec<Vec<(u32, u32)>>,
    /// Per source: (anchor hash, count, article) of the repeats (`p-…-2`, …), sorted.
    repeats: Vec<Vec<(u32, u16, u32)>>,
    /// The sources' slugs with their places, sorted by slug.
    slugs: Vec<(String, usize)>,
}

impl LinkIndex {
    pub fn new(sources: &[SourceEntry]) -> LinkIndex {
        // On every core: a quarter of a million paragraphs at scale.
        let (firsts, repeats) = sources
            .par_iter()
            .map(|source| {
                let paragraphs = source.articles.iter().map(|a| a.paragraphs.len()).sum();
                let mut firsts = Vec::with_capacity(paragraphs);
                let mut repeats = Vec::new();
                for (a, article) in source.articles.iter().enumerate() {
                    for p in &article.paragraphs {
                        let AnchorId { hash, count } = p.id;
                        match count {
                            1 => firsts.push((hash, a as u32)),
                            _ => repeats.push((hash, count, a as u32)),
                        }
                    }
                }
                // By radix: the hashes are spread evenly, and a comparison sort of a quarter of a
                // million pairs was 3 % of a one-seed rebuild.
                radsort::sort_by_key(&mut firsts, |&(hash, article)| (hash, article));
                repeats.sort_unstable();
                (firsts, repeats)
            })
            .unzip();
        let mut slugs: Vec<(String, usize)> =
            sources.iter().enumerate().map(|(s, source)| (source.slug.clone(), s)).collect();
        slugs.sort_unstable();
        LinkIndex { firsts, repeats, slugs }
    }

    /// The place of the source `slug` among the sources.
    fn source(&self, slug: &str) -> Option<usize> {
        let at = self.slugs.binary_search_by(|(s, _)| s.as_str().cmp(slug)).ok()?;
        Some(self.slugs[at].1)
    }

    /// The article of source `s` (its index) that anchor `id` is in.
    fn get(&self, s: usize, id: AnchorId) -> Option<u32> {
        let AnchorId { hash, count } = id;
        if count == 1 {
            let firsts = self.firsts.get(s)?;
            let at = firsts.binary_search_by_key(&hash, |place| place.0).ok()?;
            return Some(firsts[at].1);
        }
        let repeats = self.repeats.get(s)?;
        let at = repeats.binary_search_by_key(&(hash, count), |place| (place.0, place.1)).ok()?;
        Some(repeats[at].2)
    }

    fn is_empty(&self) -> bool {
        self.firsts.is_empty()
    }
}

/// Links to paragraphs of `sources`, through their `LinkIndex`.
pub struct Links<'a> {
    index: std::borrow::Cow<'a, LinkIndex>,
    sources: &'a [SourceEntry],
}

impl<'a> Links<'a> {
    /// Makes the index of `sources`.
    pub fn new(sources: &'a [SourceEntry]) -> Links<'a> {
        Links { index: std::borrow::Cow::Owned(LinkIndex::new(sources)), sources }
    }

    /// The links of a briefing, through the index assemble made (or a new one, for a briefing
    /// put together otherwise).
    pub fn of(briefing: &'a Briefing) -> Links<'a> {
        if briefing.links.is_empty() {
            return Links::new(&briefing.sources);
        }
        Links::with(&briefing.links, &briefing.sources)
    }

    /// Links to paragraphs of `sources` through their index, made before.
    pub fn with(index: &'a LinkIndex, sources: &'a [SourceEntry]) -> Links<'a> {
        Links { index: std::borrow::Cow::Borrowed(index), sources }
    }

    /// The link to a paragraph relative to the site root (`sources/afp/page/2/index.html#p-…`);
    /// an unknown paragraph links to the source's first page.
    pub fn paragraph(&self, source: &str, id: &str) -> String {
        match self.article_of(source, id) {
            Some(article) => format!("{}index.html#{id}", article.url),
            None => format!("sources/{source}/index.html#{id}"),
        }
    }

    fn article_of(&self, source: &str, id: &str) -> Option<&'a ArticleEntry> {
        let s = self.index.source(source)?;
        let a = self.index.get(s, AnchorId::parse(id)?)?;
        self.sources[s].articles.get(a as usize)
    }
}

fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The base of a paragraph's anchor: the top half of its text's FNV-1a hash.
pub fn anchor_hash(text: &str) -> u32 {
    (fnv1a(text.as_bytes()) >> 32) as u32
}

/// FNV-1a, 64 bit: tiny, stable across platforms and releases (unlike `DefaultHasher`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A one-article outlet for the stages' unit tests: paragraphs `p-0`, `p-1`, … on `topic`.
#[cfg(test)]
pub(crate) fn test_source(slug: &str, topic: &str, date: Option<&str>, paragraphs: &[&str]) -> SourceEntry {
    let mut article = ArticleEntry {
        seed: format!("seeds/{slug}.txt"),
        headline: None,
        date: date.map(str::to_string),
        url: format!("sources/{slug}/"),
        paragraphs: paragraphs
            .iter()
            .enumerate()
            .map(|(i, t)| Paragraph {
                kind: BlockKind::Paragraph,
                text: (*t).into(),
                topic: Some(interned(topic)),
                id: AnchorId { hash: i as u32, count: 1 },
            })
            .collect(),
        removed: vec![],
        hash: Digest::default(),
        content_hash: Digest::default(),
    };
    // The digest stands for the cleaned text, as the cache's would.
    let digest = crate::chunks::chunk_key("test article", |h| paragraphs.iter().for_each(|p| h.str(p)));
    article.content_hash = content_hash(0, &digest, &article);
    article.hash = entry_hash(&article.content_hash, &article.url);
    SourceEntry {
        slug: slug.into(),
        name: slug.into(),
        url: format!("sources/{slug}/"),
        homepage: None,
        notes_html: None,
        identified_by: "content".into(),
        syndicated_by: vec![],
        articles: vec![article],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_find_a_paragraph_on_its_page() {
        let mut source = test_source("afp", "gaza", None, &["One.", "Two."]);
        let mut second = source.articles[0].clone();
        second.url = "sources/afp/page/2/".into();
        second.paragraphs[0].id = AnchorId { hash: 9, count: 1 };
        second.paragraphs[1].id = AnchorId { hash: 1, count: 2 };
        source.articles.push(second);
        let sources = vec![test_source("bbc", "gaza", None, &["Other."]), source];
        let links = Links::new(&sources);
        let page_two = "sources/afp/page/2/index.html";
        assert_eq!(links.paragraph("afp", "p-00000009"), format!("{page_two}#p-00000009"));
        assert_eq!(links.paragraph("afp", "p-00000001"), "sources/afp/index.html#p-00000001");
        assert_eq!(links.paragraph("afp", "p-00000001-2"), format!("{page_two}#p-00000001-2"));
        assert_eq!(links.paragraph("bbc", "p-00000000"), "sources/bbc/index.html#p-00000000");
        // Unknown anchors, sources or spellings link to the source's first page.
        let unknown = [("afp", "p-00000404"), ("afp", "p-00000001-3"), ("afp", "p-9"), ("cnn", "p-00000009")];
        for (source, id) in unknown {
            assert_eq!(links.paragraph(source, id), format!("sources/{source}/index.html#{id}"));
        }
    }

    #[test]
    fn an_outlets_pages_are_counted_off_from_its_oldest_article() {
        let pages = |count: usize| (0..count).map(|i| page_from_oldest(i, count, 3)).collect::<Vec<_>>();
        assert_eq!(pages(0), Vec::<usize>::new());
        assert_eq!(pages(2), [1, 1]);
        assert_eq!(pages(5), [1, 1, 1, 1, 1]);
        assert_eq!(pages(6), [1, 1, 1, 2, 2, 2]);
        assert_eq!(pages(8), [1, 1, 1, 1, 1, 2, 2, 2]);
        assert_eq!(pages(9), [1, 1, 1, 2, 2, 2, 3, 3, 3]);
        // An article added in front leaves the older pages' articles where they were.
        for count in 6..40 {
            let before = pages(count);
            let after = pages(count + 1);
            if (count + 1) % 3 != 0 {
                assert_eq!(&after[1..], &before[..], "{count}");
            }
            assert!((3..6).contains(&first_page_len(count, 3)), "{count}");
        }
        assert_eq!(page_from_oldest(0, 4, 0), 1);
    }

    #[test]
    fn the_first_of_each_key_is_kept_in_order() {
        let items = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5), ("a", 6)];
        assert_eq!(first_of_each(items.into_iter(), |(k, _)| k), [("a", 1), ("b", 2), ("c", 4)]);
        assert_eq!(first_of_each(items.into_iter(), |(_, n)| n % 2), [("a", 1), ("b", 2)]);
        assert!(first_of_each(std::iter::empty::<(u8, u8)>(), |x| x.0).is_empty());
        // Across blocks: the firsts are those of the whole list.
        let many = 0..(2 * FIRST_OF_EACH_BLOCK + 5);
        let firsts = first_of_each(many.clone().rev(), |n| n % 1000);
        assert_eq!(firsts, many.rev().take(1000).collect::<Vec<_>>());
    }

    #[test]
    fn an_entry_hash_changes_with_everything_assemble_adds_to_the_cleaned_article() {
        let entry = test_source("a", "gaza", Some("2024-11-30"), &["One.", "Two."]).articles.remove(0);
        let digest = [7u8; 16];
        let hash = |e: &ArticleEntry| entry_hash(&content_hash(1, &digest, e), &e.url);
        let mut changes: Vec<ArticleEntry> = Vec::new();
        let mut edit = |f: &dyn Fn(&mut ArticleEntry)| {
            let mut e = entry.clone();
            f(&mut e);
            changes.push(e);
        };
        edit(&|e| e.date = None);
        edit(&|e| e.date = Some("2024-12-01".into()));
        edit(&|e| e.url = "sources/a/page/2/".into());
        edit(&|e| e.paragraphs[1].topic = None);
        edit(&|e| e.paragraphs[1].topic = Some(interned("lebanon")));
        edit(&|e| e.paragraphs[0].id.count = 2);
        edit(&|e| e.seed = "seeds/b.txt".into());
        for changed in &changes {
            assert_ne!(hash(changed), hash(&entry), "{changed:?}");
        }
        // Bytes moved from one paragraph's topic to the next one's.
        let with = |first: &str, second: &str| {
            let mut e = entry.clone();
            e.paragraphs[0].topic = Some(interned(first));
            e.paragraphs[1].topic = Some(interned(second));
            hash(&e)
        };
        assert_ne!(with("ab", "c"), with("a", "bc"));
        // The cleaned article (its digest) and the binary count too.
        assert_ne!(entry_hash(&content_hash(1, &[8u8; 16], &entry), &entry.url), hash(&entry));
        assert_ne!(entry_hash(&content_hash(2, &digest, &entry), &entry.url), hash(&entry));
        assert_eq!(hash(&entry.clone()), hash(&entry));
        // The content hash is all of it but the page.
        let content = |e: &ArticleEntry| content_hash(1, &digest, e);
        let (page, others) = changes.split_at(3);
        assert_eq!(content(&page[2]), content(&entry), "the page moved");
        for changed in page[..2].iter().chain(others) {
            assert_ne!(content(changed), content(&entry), "{changed:?}");
        }
    }

    #[test]
    fn anchors_are_stable_and_unique() {
        let texts = ["Same text.", "Same text.", "Other text.", "Same text."];
        let hashes: Vec<u32> = texts.iter().map(|t| anchor_hash(t)).collect();
        let ids: Vec<String> = hashes
            .iter()
            .zip(occurrence_counts(&hashes))
            .map(|(&hash, count)| AnchorId { hash, count }.to_string())
            .collect();
        let a = &ids[0];
        assert!(a.starts_with("p-") && a.len() == 10);
        assert_eq!((&ids[1], &ids[3]), (&format!("{a}-2"), &format!("{a}-3")));
        assert_ne!(a, &ids[2]);
        assert!(!ids[2].contains("-2"));
    }

    /// Moved into order once, as a stable sort orders them: ties (many) keep their order.
    #[test]
    fn sorting_by_moving_once_is_a_stable_sort() {
        for n in [0usize, 1, 2, 7, 20, 21, 300] {
            let items: Vec<(Option<u8>, usize)> =
                (0..n).map(|i| (((i * 7919) % 11 != 0).then_some(((i * 31) % 5) as u8), i)).collect();
            let newest_first = |a: &(Option<u8>, usize), b: &(Option<u8>, usize)| b.0.cmp(&a.0);
            let mut expected = items.clone();
            expected.sort_by(newest_first);
            assert_eq!(sorted_moving_once(items, newest_first), expected, "{n} items");
        }
    }

    /// Counted by sorting, as a map counts them one by one.
    #[test]
    fn occurrences_are_counted_in_order_and_stop_at_the_most_a_count_holds() {
        let hashes: Vec<u32> = (0..5000u32).map(|i| i.wrapping_mul(2_654_435_761) % 97).collect();
        let mut seen = std::collections::HashMap::new();
        let expected: Vec<u16> = hashes
            .iter()
            .map(|h| {
                let n = seen.entry(*h).or_insert(0u16);
                *n += 1;
                *n
            })
            .collect();
        assert_eq!(occurrence_counts(&hashes), expected);
        // The same, with every byte of the hashes varying: the counting sorts in several
        // passes, each of which must keep a hash's places in order.
        let spread: Vec<u32> = hashes.iter().map(|h| h.wrapping_mul(0x9e37_79b9)).collect();
        assert_eq!(occurrence_counts(&spread), expected);
        let same = vec![7u32; usize::from(u16::MAX) + 3];
        let counts = occurrence_counts(&same);
        assert_eq!((counts[0], counts[1], counts[usize::from(u16::MAX) - 1]), (1, 2, u16::MAX));
        assert_eq!(counts[counts.len() - 1], u16::MAX);
    }
}
