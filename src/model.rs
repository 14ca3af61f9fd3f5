//! The data passed from stage to stage: `RawArticle` (ingest) → `CleanedArticle` (clean)
//! → `Briefing` (assemble) → pages (render). `briefing.json` is `Briefing` serialised, so
//! the types here are the JSON contract of DESIGN.md; fields may be added, never renamed.

use bytestring::ByteString;
use chrono::NaiveDate;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// One line of a seed file, with its 1-based line number in that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub number: usize,
    pub text: String,
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
    pub fn new(kind: BlockKind, text: String, line: usize) -> Block {
        // Boxed first: a `String` with spare capacity would cost a shared header besides.
        let text = ByteString::from(text.into_boxed_str());
        let anchor = crate::assemble::anchor_hash(&text);
        Block { kind, text, line, anchor }
    }
}

/// A line the cleaner removed, with the name of the rule that removed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RemovedLine {
    pub text: String,
    pub reason: String,
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
    pub timeline: Vec<TimelineEvent>,
    pub quotes: Vec<Quote>,
    /// Where each paragraph is, for links to it (`assemble::Links`). Not written out.
    #[serde(skip)]
    pub links: crate::assemble::LinkIndex,
    /// `figures` in runs, each the figures kept from one article, with a chunk key made from
    /// that article's facts key (`briefing_json::figures_chunk_key`): `briefing.json` copies
    /// an unchanged run instead of writing it again. Empty when not known. Not written out.
    #[serde(skip)]
    pub figure_runs: Vec<(usize, Digest)>,
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
}

/// A 16-byte BLAKE3 hash standing for what it was made from.
pub type Digest = [u8; 16];

#[derive(Debug, Clone, Hash, Serialize)]
pub struct Paragraph {
    pub kind: BlockKind,
    /// The block's text, moved (or shared) from the cleaned article.
    pub text: ByteString,
    /// A topic slug and an anchor are short: held inline, not one allocation each for
    /// every paragraph of the archive.
    pub topic: Option<CompactString>,
    /// Stable anchor derived from the text (`p-…`), unique within the source page.
    pub id: CompactString,
}

/// A figure or a quote is read out of every article of the archive: its short fields (slugs,
/// labels, anchors, names) are held inline rather than allocated one by one.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    /// `YYYY-MM-DD`, or `YYYY-MM` for a month ("March 2020").
    pub date: String,
    pub topic: Option<String>,
    pub source: String,
    pub text: String,
    /// The words that dated it ("late on Friday") and the date they were read against.
    pub phrase: String,
    pub reference_date: String,
    /// Every outlet reporting the same event that day, `source` first.
    pub sources: Vec<String>,
    /// Anchor of the paragraph on `source`'s page.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quote {
    pub speaker: Option<CompactString>,
    /// The words quoted, sharing their paragraph's text.
    pub text: ByteString,
    pub source: CompactString,
    pub topic: Option<CompactString>,
    /// Anchor of the paragraph on the source's page.
    pub anchor: CompactString,
}
