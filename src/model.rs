//! The data passed from stage to stage: `RawArticle` (ingest) → `CleanedArticle` (clean)
//! → `Briefing` (assemble) → pages (render). `briefing.json` is `Briefing` as serde would
//! serialise it (written by `briefing_json::write`, which makes the timeline's placed events
//! from the sources), so the types here are the JSON contract of DESIGN.md; fields may be
//! added, never renamed.

use std::borrow::Cow;

use bytestring::ByteString;
use chrono::NaiveDate;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// One line of a seed file, with its 1-based line number in that file. Its text is packed
/// (`packed_text`), and a block the cleaner keeps of it shares it rather than copying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub number: usize,
    pub text: ByteString,
}

/// A seed as read from disk: header fields split off, one entry per non-blank line.
#[derive(Debug, Clone)]
pub struct RawArticle {
    /// Path relative to the project root, with `/` separators (`seeds/001_x.txt`).
    pub seed: String,
    pub headline: Option<String>,
    pub date: Option<NaiveDate>,
    pub lines: Vec<SourceLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Paragraph,
    Heading,
}

/// A line the cleaner kept: body text or a subheading. Its text is shared, not copied, when it
/// comes from a build cache file read whole (a rebuild reads every cached article and renders
/// the text of few).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    pub kind: BlockKind,
    pub text: ByteString,
    pub line: usize,
    /// A hash of the text, from which the paragraph's anchor is made (`assemble`): made once
    /// with the block and kept with it in the cache, not hashed again on every build.
    pub anchor: u32,
}

impl Block {
    pub fn new(kind: BlockKind, text: impl Into<BlockText>, line: usize) -> Block {
        let text = text.into().0;
        let anchor = crate::assemble::anchor_hash(&text);
        Block { kind, text, line, anchor }
    }
}

/// A block's text: shared as it is (a seed line's), or packed from a string (`packed_text`).
pub struct BlockText(ByteString);

impl From<ByteString> for BlockText {
    fn from(text: ByteString) -> BlockText {
        BlockText(text)
    }
}

impl From<&str> for BlockText {
    fn from(text: &str) -> BlockText {
        BlockText(packed_text(text))
    }
}

impl From<String> for BlockText {
    fn from(text: String) -> BlockText {
        BlockText(packed_text(&text))
    }
}

/// `text`, copied into a chunk of text shared with the lines packed before it on this thread.
/// Seed lines are packed as they are read, and the blocks the cleaner keeps share them until
/// the build ends: held one allocation each, the allocator's rounding up to its size classes
/// cost a tenth of the archive's text besides, and cleaning copied every line it kept.
pub fn packed_text(text: &str) -> ByteString {
    use std::cell::RefCell;
    thread_local! {
        static CHUNK: RefCell<bytes::BytesMut> = RefCell::new(bytes::BytesMut::new());
    }
    /// A chunk's size: its unused tail, at most a block's length, is little beside it.
    const CHUNK_BYTES: usize = 1 << 18;
    CHUNK.with_borrow_mut(|chunk| {
        if chunk.capacity() - chunk.len() < text.len() {
            *chunk = bytes::BytesMut::with_capacity(CHUNK_BYTES.max(text.len()));
        }
        chunk.extend_from_slice(text.as_bytes());
        // The bytes are a `str`'s, so this holds.
        ByteString::try_from(chunk.split().freeze()).unwrap_or_else(|_| ByteString::from(text))
    })
}

/// A line the cleaner removed, with the name of the rule that removed it. Boilerplate recurs
/// across an archive: the same line's text is shared (`clean::share_removed`), and a rule's
/// name is held inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RemovedLine {
    pub text: ByteString,
    pub reason: CompactString,
    pub line: usize,
}

/// An article after cleaning. `source_line` is the outlet a `Source: X` line named, if any.
#[derive(Debug, Clone, Hash)]
pub struct CleanedArticle {
    pub seed: String,
    pub headline: Option<String>,
    pub date: Option<NaiveDate>,
    pub blocks: Vec<Block>,
    pub removed: Vec<RemovedLine>,
}

/// The whole briefing, as rendered and as written to `briefing.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Briefing {
    pub title: String,
    /// The briefing's date: configured, or the newest article date.
    pub date: Option<String>,
    pub description: Option<String>,
    pub lead_html: Option<String>,
    pub generated: String,
    pub topics: Vec<TopicEntry>,
    pub sources: Vec<SourceEntry>,
    pub figures: Vec<Figure>,
    pub timeline: Timeline,
    pub quotes: Vec<Quote>,
    /// Where each paragraph is, for links to it (`assemble::Links`). Not written out.
    #[serde(skip)]
    pub links: crate::assemble::LinkIndex,
    /// `figures` in runs, each the figures kept from one article, with a chunk key made from
    /// that article's facts key (`briefing_json::figures_chunk_key`): `briefing.json` copies
    /// an unchanged run instead of writing it again. Empty when not known. Not written out.
    #[serde(skip)]
    pub figure_runs: Vec<(usize, Digest)>,
    /// A chunk key for each event of `timeline` (`briefing_json::timeline_chunk_key`), made
    /// from what the event is read from: `briefing.json` copies an unchanged event instead of
    /// writing it again. Empty when not known. Not written out.
    #[serde(skip)]
    pub timeline_keys: Vec<Digest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicEntry {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub summary_html: String,
    pub editor_summary: bool,
    /// The drafted summary's points (empty when an editor wrote the summary).
    pub summary_points: Vec<SummaryPoint>,
    /// How many paragraphs and outlets the topic has.
    pub paragraph_count: usize,
    pub source_slugs: Vec<String>,
    /// `false` for the catch-all "Other" topic that collects unassigned paragraphs.
    pub configured: bool,
}

/// One sentence of a drafted summary and the outlets that carry it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryPoint {
    pub text: String,
    pub sources: Vec<String>,
    /// Anchor of the paragraph the sentence came from, on the first source's page.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceEntry {
    pub slug: String,
    pub name: String,
    pub url: String,
    /// The outlet's own website, from `content/sources/<slug>.md`.
    pub homepage: Option<String>,
    pub notes_html: Option<String>,
    /// How the outlet was identified (`content`, `source-line`, `promo`, …).
    pub identified_by: String,
    pub syndicated_by: Vec<String>,
    pub articles: Vec<ArticleEntry>,
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct ArticleEntry {
    pub seed: String,
    pub headline: Option<String>,
    pub date: Option<String>,
    /// The folder of the source page the article is on (`sources/afp/`, `sources/afp/page/2/`).
    pub url: String,
    pub paragraphs: Vec<Paragraph>,
    pub removed: Vec<RemovedLine>,
    /// A hash of all of the above (`assemble::entry_hash`), made from the cleaned article's
    /// digest rather than its text: the data files and pages are keyed on it. Not written out.
    #[serde(skip)]
    pub hash: Digest,
    /// The same without the page the article is on (`assemble::content_hash`): what its facts
    /// and its topics' summaries read, which do not change when a newer article moves it to the
    /// next page. Not written out.
    #[serde(skip)]
    pub content_hash: Digest,
}

/// A 16-byte BLAKE3 hash standing for what it was made from.
pub type Digest = [u8; 16];

/// One of every paragraph of the archive, held until the build ends: 48 bytes besides its
/// text, which it shares; the size of a `Block`, so that assemble makes an article's
/// paragraphs in the memory of its blocks.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct Paragraph {
    pub kind: BlockKind,
    /// The block's text, moved (or shared) from the cleaned article.
    pub text: ByteString,
    pub topic: Option<Interned>,
    /// Stable anchor derived from the text (`p-…`), unique within the source page.
    pub id: AnchorId,
}

/// A short string of a small vocabulary (a topic's slug, a figure's label or qualifier), kept
/// for the life of the process and shared (`interned`): what holds it points to it in one
/// word rather than holding a copy, a million times over at scale.
#[derive(Clone, Copy)]
pub struct Interned(&'static &'static str);

/// `text` as an `Interned`, the same one each time. Only for words of a small vocabulary (the
/// configured topics, the labels and qualifiers figures are read with): what is kept is never
/// given back.
pub fn interned(text: &str) -> Interned {
    type Kept = std::collections::BTreeMap<&'static str, &'static &'static str>;
    static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Kept::new());
    let mut kept = KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(word) = kept.get(text) {
        return Interned(word);
    }
    let text: &'static str = Box::leak(text.into());
    let word: &'static &'static str = Box::leak(Box::new(text));
    kept.insert(text, word);
    Interned(word)
}

impl std::ops::Deref for Interned {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for Interned {
    fn eq(&self, other: &Interned) -> bool {
        **self == **other
    }
}

impl Eq for Interned {}

impl std::hash::Hash for Interned {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl std::fmt::Debug for Interned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for Interned {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// A paragraph's anchor: `p-` and the hash of its text in eight hex digits, then `-2`, `-3`, …
/// for a text repeated on the same outlet. Held as the two numbers and spelled out when
/// written (`text`), not as a string for every paragraph of the archive.
// Six bytes (aligned to two), so that a `Paragraph` is the size of a `Block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, packed(2))]
pub struct AnchorId {
    pub hash: u32,
    /// How many times the text has come on the outlet, this one included. It stops at 65,535
    /// (the same paragraph kept that often on one outlet is beyond any archive the cleaner
    /// leaves it in): repeats after that share an anchor, and links go to the first of them.
    pub count: u16,
}

impl AnchorId {
    /// The anchor spelled `text`, if `text` is one as `text()` spells it.
    pub fn parse(text: &str) -> Option<AnchorId> {
        let rest = text.strip_prefix("p-")?;
        let (digits, count) = match rest.split_once('-') {
            Some((digits, count)) => (digits, count.parse().ok()?),
            None => (rest, 1),
        };
        if digits.len() != 8 {
            return None;
        }
        let id = AnchorId { hash: u32::from_str_radix(digits, 16).ok()?, count };
        (*id.text() == *text).then_some(id)
    }

    /// The anchor, spelled out on the stack.
    pub fn text(&self) -> AnchorText {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bytes = [0u8; ANCHOR_MAX];
        bytes[..2].copy_from_slice(b"p-");
        for (i, digit) in bytes[2..10].iter_mut().enumerate() {
            *digit = HEX[(self.hash >> (28 - 4 * i)) as usize & 0xf];
        }
        let mut len = 10;
        if self.count != 1 {
            bytes[len] = b'-';
            len += 1;
            let digits = self.count.to_string();
            bytes[len..len + digits.len()].copy_from_slice(digits.as_bytes());
            len += digits.len();
        }
        AnchorText { bytes, len: len as u8 }
    }
}

/// The longest anchor: `p-`, eight digits, `-` and a count of up to five digits.
const ANCHOR_MAX: usize = 16;

/// An anchor spelled out (`AnchorId::text`).
pub struct AnchorText {
    bytes: [u8; ANCHOR_MAX],
    len: u8,
}

impl std::ops::Deref for AnchorText {
    type Target = str;
    fn deref(&self) -> &str {
        // Only ASCII is written into it.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }
}

impl std::fmt::Display for AnchorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl PartialEq<&str> for AnchorId {
    fn eq(&self, other: &&str) -> bool {
        *self.text() == **other
    }
}

impl Serialize for AnchorId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

impl From<AnchorId> for CompactString {
    fn from(id: AnchorId) -> CompactString {
        CompactString::from(&*id.text())
    }
}

/// A figure the briefing keeps (`assemble::facts::ArticleFigure` is what every article's facts
/// hold): its short fields (slugs, labels, anchors, names) are held inline.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub topic: Option<CompactString>,
    pub label: CompactString,
    pub value: u64,
    pub source: CompactString,
    pub attributed_to: Option<CompactString>,
    /// The sentence, sharing its paragraph's text.
    pub text: ByteString,
    /// "at least", "more than", "around", … as written before the number.
    pub qualifier: Option<CompactString>,
    /// Anchor of the paragraph on the source's page.
    pub anchor: CompactString,
    /// `true` when the sentence names no source and `attributed_to` comes from the sentence
    /// next to it.
    pub attribution_inferred: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TimelineEvent {
    /// `YYYY-MM-DD`, or `YYYY-MM` for a month ("March 2020").
    pub date: CompactString,
    pub topic: Option<CompactString>,
    pub source: CompactString,
    /// The sentence, sharing its paragraph's text: an archive has tens of thousands of events,
    /// made on every build.
    pub text: ByteString,
    /// The words that dated it ("late on Friday") and the date they were read against.
    pub phrase: ByteString,
    pub reference_date: CompactString,
    /// Every outlet reporting the same event that day, `source` first.
    pub sources: Vec<CompactString>,
    /// Anchor of the paragraph on `source`'s page.
    pub anchor: CompactString,
}

/// The briefing's timeline, oldest first. A dated archive has tens of thousands of events;
/// a rebuild writes few of them anew (`briefing.json` copies the rest) and its pages show
/// fewer still. So assemble places each event in the briefing's sources (`PlacedEvent`), and
/// an event is made only when it is read (`Timeline::event`).
#[derive(Debug, Clone)]
pub enum Timeline {
    /// Events made in full.
    Events(Vec<TimelineEvent>),
    /// Events as places in the briefing's sources, made when read.
    Placed(Vec<PlacedEvent>),
}

/// Where an event of the timeline is read from: its first outlet's paragraph, the sentence
/// and the words that date it there, and the other outlets reporting it.
#[derive(Debug, Clone)]
pub struct PlacedEvent {
    pub date: crate::assemble::facts::EventDate,
    /// The date the sentence was read against.
    pub reference: Option<NaiveDate>,
    /// The paragraph's topic, kept here: every page's timeline reads every event's topic
    /// (`Timeline::outline`), and would otherwise look up each event's paragraph.
    pub topic: Option<Interned>,
    /// Indices into the briefing's sources, that source's articles, and that article's
    /// paragraphs.
    pub source: u32,
    pub article: u32,
    pub paragraph: u32,
    /// Byte ranges in the paragraph's text.
    pub sentence: (u32, u32),
    pub phrase: (u32, u32),
    /// The other outlets reporting the event that day (indices into the sources), in order.
    pub others: Box<[u32]>,
}

/// An event's day as a timeline holds it: spelled (a made event's) or packed (a placed one's).
/// Two days of one timeline are compared without spelling either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd)]
pub enum EventDay<'a> {
    Spelled(&'a str),
    Packed(crate::assemble::facts::EventDate),
}

impl EventDay<'_> {
    pub fn spelled(&self) -> CompactString {
        match self {
            EventDay::Spelled(day) => CompactString::from(*day),
            EventDay::Packed(day) => day.spelled(),
        }
    }
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline::Events(Vec::new())
    }
}

impl From<Vec<TimelineEvent>> for Timeline {
    fn from(events: Vec<TimelineEvent>) -> Timeline {
        Timeline::Events(events)
    }
}

impl FromIterator<TimelineEvent> for Timeline {
    fn from_iter<I: IntoIterator<Item = TimelineEvent>>(events: I) -> Timeline {
        Timeline::Events(events.into_iter().collect())
    }
}

impl Timeline {
    pub fn len(&self) -> usize {
        match self {
            Timeline::Events(events) => events.len(),
            Timeline::Placed(placed) => placed.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th event's day, topic and how many outlets report it, without making it.
    pub fn outline(&self, i: usize) -> Option<(EventDay<'_>, Option<&str>, usize)> {
        match self {
            Timeline::Events(events) => {
                let event = events.get(i)?;
                Some((EventDay::Spelled(&event.date), event.topic.as_deref(), event.sources.len()))
            }
            Timeline::Placed(placed) => {
                let event = placed.get(i)?;
                Some((EventDay::Packed(event.date), event.topic.as_deref(), 1 + event.others.len()))
            }
        }
    }

    /// The `i`th event, made from `sources` (the briefing's) when it is placed.
    pub fn event<'a>(&'a self, i: usize, sources: &[SourceEntry]) -> Option<Cow<'a, TimelineEvent>> {
        match self {
            Timeline::Events(events) => events.get(i).map(Cow::Borrowed),
            Timeline::Placed(placed) => placed.get(i).map(|p| Cow::Owned(p.event(sources))),
        }
    }

    /// Every event, in order, made from `sources` (the briefing's) when placed.
    pub fn events<'a>(
        &'a self,
        sources: &'a [SourceEntry],
    ) -> impl DoubleEndedIterator<Item = Cow<'a, TimelineEvent>> + ExactSizeIterator + 'a {
        (0..self.len()).map(move |i| self.event(i, sources).unwrap_or_default())
    }
}

impl PlacedEvent {
    /// The event, read from `sources`. Assemble places every event within them; a place that
    /// is not (a bug) makes an empty event rather than a panic.
    pub fn event(&self, sources: &[SourceEntry]) -> TimelineEvent {
        let source = sources.get(self.source as usize);
        let Some(paragraph) = source
            .and_then(|s| s.articles.get(self.article as usize))
            .and_then(|a| a.paragraphs.get(self.paragraph as usize))
        else {
            return TimelineEvent::default();
        };
        let text = &paragraph.text;
        let part = |(start, end): (u32, u32)| text.get(start as usize..end as usize).unwrap_or_default();
        let slug = |s: u32| {
            sources.get(s as usize).map(|s| CompactString::from(s.slug.as_str())).unwrap_or_default()
        };
        // Spelled as a day is (no year past 9999 is ever read), without a formatter.
        let reference = self.reference.map(|r| match crate::assemble::facts::EventDate::day(r) {
            Some(day) => day.spelled(),
            None => compact_str::ToCompactString::to_compact_string(&r.format("%Y-%m-%d")),
        });
        TimelineEvent {
            date: self.date.spelled(),
            topic: self.topic.map(|t| CompactString::from(&*t)),
            source: slug(self.source),
            text: text.slice_ref(part(self.sentence)),
            phrase: text.slice_ref(part(self.phrase).trim()),
            reference_date: reference.unwrap_or_default(),
            sources: std::iter::once(self.source).chain(self.others.iter().copied()).map(slug).collect(),
            anchor: CompactString::from(&*paragraph.id.text()),
        }
    }
}

/// A placed timeline is written through `briefing_json` (or `Timeline::events`), which has the
/// sources it is read from; serialising it alone is a bug, reported as an error.
impl Serialize for Timeline {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Timeline::Events(events) => events.serialize(serializer),
            Timeline::Placed(_) => Err(serde::ser::Error::custom(
                "a placed timeline is written with its sources (Timeline::events)",
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub speaker: Option<CompactString>,
    /// The words quoted, sharing their paragraph's text.
    pub text: ByteString,
    pub source: CompactString,
    pub topic: Option<CompactString>,
    /// Anchor of the paragraph on the source's page.
    pub anchor: CompactString,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_the_hash_in_eight_hex_digits_and_a_count_after_the_first() {
        let id = |hash, count| AnchorId { hash, count }.to_string();
        assert_eq!(id(0x00ab_12ef, 1), "p-00ab12ef");
        assert_eq!(id(u32::MAX, 3), "p-ffffffff-3");
        assert_eq!(id(0, u16::MAX), "p-00000000-65535");
        assert!(AnchorId { hash: 0x10, count: 2 } == "p-00000010-2");
        for (hash, count) in [(0, 1), (0x00ab_12ef, 1), (u32::MAX, 2), (7, u16::MAX)] {
            let id = AnchorId { hash, count };
            assert_eq!(AnchorId::parse(&id.text()), Some(id));
        }
        let others = ["p-1", "p-0000000A", "p-00000001-1", "p-00000001-02", "p-00000001-", "x-00000001"];
        for other in others.into_iter().chain(["p-00000001-65536", "p-+0000001", "p-0000000g"]) {
            assert_eq!(AnchorId::parse(other), None, "{other}");
        }
        assert_eq!(serde_json::to_string(&AnchorId { hash: 1, count: 1 }).unwrap(), "\"p-00000001\"");
    }

    #[test]
    fn a_interned_is_kept_once() {
        let slug = String::from("harbour-storm");
        let kept = interned(&slug);
        assert_eq!(&*kept, "harbour-storm");
        assert_eq!(interned("harbour-storm").as_ptr(), kept.as_ptr());
        assert_ne!(interned("harbour").as_ptr(), kept.as_ptr());
        assert_eq!(serde_json::to_string(&Some(kept)).unwrap(), "\"harbour-storm\"");
    }

    #[test]
    fn packed_texts_share_a_chunk_and_keep_their_own_bytes() {
        let first = packed_text("First paragraph.");
        let second = packed_text("Second, é and “quoted”.");
        assert_eq!((&*first, &*second), ("First paragraph.", "Second, é and “quoted”."));
        // One after the other in the same chunk (this test's thread packed nothing between).
        assert_eq!(first.as_ptr() as usize + first.len(), second.as_ptr() as usize);
        let long = "x".repeat(1 << 19);
        assert_eq!(*packed_text(&long), *long, "a text longer than a chunk gets one of its own");
        drop(first);
        assert_eq!(&*second, "Second, é and “quoted”.");
        assert_eq!(&*packed_text(""), "");
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_paragraph_is_the_size_of_a_block() {
        // Assemble turns an article's blocks into its paragraphs in place only while they are.
        assert_eq!(std::mem::size_of::<Paragraph>(), std::mem::size_of::<Block>());
        assert_eq!(std::mem::align_of::<Paragraph>(), std::mem::align_of::<Block>());
        assert_eq!(std::mem::size_of::<Paragraph>(), 48);
    }
}
