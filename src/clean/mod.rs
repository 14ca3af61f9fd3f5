//! Clean: classify every line of a `RawArticle` as body paragraph, subheading, caption or
//! boilerplate, and keep each removed line with the name of the rule that removed it.
//!
//! How a line is decided, in order:
//! 1. the editor's patterns (`brief.toml` and the outlet's `content/sources/<slug>.md`
//!    `[clean] drop/keep`), then the vocabulary table in `rules.rs` (promos, bylines,
//!    captions, share prompts, …), then repetition across articles;
//! 2. a quality from its measures (`features.rs`), jusText-style: `good` (long, full of the
//!    language's function words), `near-good`, `short`, `bad` (long but not prose: lists of
//!    names, menus run together, tables), with thresholds relative to the article's own prose;
//! 3. the article's main run of text: the stretch of lines with the best balance of good
//!    over bad (lines outside it are page furniture around the article), ended early by a
//!    comment section;
//! 4. context: short and near-good lines take the quality of their nearest decided
//!    neighbours, so a one-line paragraph or a list between paragraphs stays and a menu
//!    entry beside a menu goes; a short line shaped like a title before body text is a
//!    subheading.
//!
//! Every step is linear in the number of lines. What it is not: a reader of markup; it sees
//! only the lines.

mod explain;
mod features;
mod rules;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;

use crate::config::CleanOverrides;
use crate::content::Content;
use crate::model::{Block, BlockKind, CleanedArticle, RawArticle, RemovedLine};
use crate::text::{WordMap, words};
use bytestring::ByteString;

pub use explain::{explain, explain_in_project};
pub use features::{Features, detect_language, measure};
pub use rules::RULES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineClass {
    Paragraph,
    Heading,
    Caption,
    Boilerplate,
}

impl LineClass {
    /// The lower-case name `brief explain` and `briefing.json` use.
    pub fn name(self) -> &'static str {
        match self {
            LineClass::Paragraph => "paragraph",
            LineClass::Heading => "heading",
            LineClass::Caption => "caption",
            LineClass::Boilerplate => "boilerplate",
        }
    }
}

/// A line's quality from its own measures, before its neighbours are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quality {
    Good,
    NearGood,
    Short,
    Bad,
}

impl Quality {
    pub fn name(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::NearGood => "near-good",
            Quality::Short => "short",
            Quality::Bad => "bad",
        }
    }
}

/// The cleaner's verdict on one line.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub line: usize,
    /// The line, less any part cut out of it (`cuts`): the seed line's text, shared, when
    /// nothing was.
    pub text: ByteString,
    /// Parts cut out of the line before it was judged (a name's pop-up card run into the
    /// text), each with its rule; they are removed whatever the line's class.
    pub cuts: Vec<RemovedLine>,
    pub class: LineClass,
    /// The rule that decided; for kept paragraphs, `body`.
    pub reason: String,
    pub features: Features,
    /// The article's language (ISO 639-1), the same for every line.
    pub language: &'static str,
    /// The line's quality from its own measures.
    pub quality: Quality,
    /// Whether the line lies in the article's main run of text.
    pub in_main: bool,
}

/// Lines seen in this many different seeds are boilerplate whatever their shape (and how much
/// more often they recur makes no difference, to the cleaner or to the cache's keys).
pub(crate) const REPEATED_IN_SEEDS: usize = 3;
/// Short or unfinished lines need only appear in two seeds.
const REPEATED_SHORT_WORDS: usize = 15;
/// The last lines of an article, where bios and credits sit.
const TAIL_LINES: usize = 3;
/// Below this weight (characters, CJK counted thrice) a line is short.
const LENGTH_LOW: usize = 70;
/// Above it, a prose line is good on its own.
const LENGTH_HIGH: usize = 150;
/// Function-word share of ordinary prose when an article has too little prose to measure.
const DEFAULT_PROSE_STOP: f32 = 0.42;

#[derive(Clone)]
pub struct Cleaner {
    drop: Vec<(String, Regex)>,
    keep: Vec<(String, Regex)>,
    /// Keys (`repeat_key`) of lines that repeat across seeds.
    repeated: HashSet<u64>,
}

fn compile(rules: &[crate::config::PatternRule], what: &str, origin: &str) -> Result<Vec<(String, Regex)>> {
    rules
        .iter()
        .map(|rule| {
            Regex::new(&rule.pattern)
                .map(|re| (rule.name.clone(), re))
                .with_context(|| format!("{origin}: [clean] {what} rule `{}` has a bad pattern", rule.name))
        })
        .collect()
}

impl Cleaner {
    /// A cleaner with the editor's patterns from `brief.toml`.
    pub fn new(overrides: &CleanOverrides) -> Result<Cleaner> {
        Ok(Cleaner {
            drop: compile(&overrides.drop, "drop", "brief.toml")?,
            keep: compile(&overrides.keep, "keep", "brief.toml")?,
            repeated: HashSet::new(),
        })
    }

    /// Compiles the rule table now: from inside the parallel clean, one thread would compile
    /// it while the others wait; from here the rules compile on every core.
    pub fn prepare(&self) {
        rules::prepare();
    }

    /// `prepare`, before any cleaner is made, on the calling thread alone (a thread of its
    /// own, which a pool thread may wait for).
    pub fn prepare_rules_here() {
        rules::prepare_here();
    }

    /// This cleaner with more patterns (an outlet's, from `origin`), tried before its own.
    pub fn with_overrides(&self, extra: &CleanOverrides, origin: &str) -> Result<Cleaner> {
        let mut drop = compile(&extra.drop, "drop", origin)?;
        let mut keep = compile(&extra.keep, "keep", origin)?;
        drop.extend(self.drop.iter().cloned());
        keep.extend(self.keep.iter().cloned());
        Ok(Cleaner { drop, keep, repeated: self.repeated.clone() })
    }

    /// Learns which lines repeat across seeds (site furniture, house promos).
    pub fn learn_repeats(&mut self, articles: &[RawArticle]) {
        self.use_repeats(&Repeats::count(articles));
    }

    /// Takes the lines that repeat across seeds from counts already made.
    pub fn use_repeats(&mut self, repeats: &Repeats) {
        self.repeated = repeats
            .seeds_with
            .iter()
            .filter(|(_, (count, words))| {
                *count as usize >= REPEATED_IN_SEEDS
                    || (*count >= 2 && *words as usize <= REPEATED_SHORT_WORDS)
            })
            .map(|(key, _)| *key)
            .collect();
    }

    /// Classifies every line of an article.
    pub fn classify(&self, article: &RawArticle) -> Vec<Decision> {
        self.classify_with_keys(article, None)
    }

    /// `classify`, given the repeat key of each of the article's lines (`Repeats::lines`, one
    /// per line) where they were counted: a line's key is then not made again.
    pub fn classify_with_keys(
        &self,
        article: &RawArticle,
        keys: Option<&[Option<LineKey>]>,
    ) -> Vec<Decision> {
        let keys = keys.filter(|keys| keys.len() == article.lines.len());
        // A pop-up card run into a line is cut out before the line is measured.
        let mut cuts: Vec<Option<String>> = vec![None; article.lines.len()];
        let stripped: Vec<Cow<str>> = article
            .lines
            .iter()
            .zip(cuts.iter_mut())
            .map(|(l, cut)| match strip_hover_card(&l.text) {
                Some((kept, card)) => {
                    *cut = Some(card);
                    Cow::Owned(kept)
                }
                None => Cow::Borrowed(&*l.text),
            })
            .collect();
        let texts: Vec<&str> = stripped.iter().map(|t| t.as_ref()).collect();
        let language = detect_language(&texts);
        let features: Vec<Features> = texts.iter().map(|t| measure(t, language)).collect();
        let prose_stop = prose_stop_level(&features);
        // An article without a line of prose (results tables, listings) is measured on a
        // looser scale, and at last by length alone, rather than thrown away whole.
        let tiers = [Some(prose_stop), Some(prose_stop * 0.5), None];
        let strictness = tiers
            .iter()
            .copied()
            .find(|level| features.iter().any(|f| quality(f, *level) == Quality::Good))
            .unwrap_or(None);
        let count = texts.len();
        let mut buf = String::new();
        let mut decisions: Vec<Decision> = article
            .lines
            .iter()
            .zip(features)
            .enumerate()
            .map(|(i, (line, features))| {
                let quality = quality(&features, strictness);
                // A line with a card cut out of it is not the line that was counted.
                let key = keys.filter(|_| cuts[i].is_none()).map(|keys| keys[i].map(|(key, _)| key));
                let (class, reason) =
                    match self.rule_for(texts[i], key, &features, count - i <= TAIL_LINES, &mut buf) {
                        Some((class, reason)) => (class, reason),
                        None => (LineClass::Paragraph, String::new()),
                    };
                Decision {
                    line: line.number,
                    text: match &stripped[i] {
                        Cow::Borrowed(_) => line.text.clone(),
                        Cow::Owned(kept) => crate::model::packed_text(kept),
                    },
                    cuts: cuts[i]
                        .take()
                        .map(|text| RemovedLine {
                            text: text.into(),
                            reason: "hover-card".into(),
                            line: line.number,
                        })
                        .into_iter()
                        .collect(),
                    class,
                    reason,
                    features,
                    language,
                    quality,
                    in_main: true,
                }
            })
            .collect();
        mark_author_notes(&mut decisions);
        mark_nearby_repeats(&mut decisions, &mut buf);
        promote_sentences_of_short_articles(&mut decisions);
        mark_main_run(&mut decisions, strictness == Some(prose_stop));
        context_pass(&mut decisions);
        mark_teaser_runs(&mut decisions, prose_stop);
        mark_captions_before_credits(&mut decisions);
        mark_story_cards(&mut decisions);
        decisions
    }

    /// Editor, vocabulary and repetition rules; `None` means "decide by quality and context".
    fn rule_for(
        &self,
        text: &str,
        // The line's repeat key when it was counted (`Some(None)`: a line without words);
        // `None` when it is to be made here.
        known_key: Option<Option<u64>>,
        features: &Features,
        in_tail: bool,
        buf: &mut String,
    ) -> Option<(LineClass, String)> {
        if let Some((name, _)) = self.drop.iter().find(|(_, re)| re.is_match(text)) {
            return Some((LineClass::Boilerplate, name.clone()));
        }
        if let Some((name, _)) = self.keep.iter().find(|(_, re)| re.is_match(text)) {
            return Some((LineClass::Paragraph, name.clone()));
        }
        // The line folded, for the rules' words. (`buf` is free until the repeat key.)
        let folded = rules::folded_lower(text, buf);
        for rule in rules::rules() {
            if features.words > rule.max_words || features.words < rule.min_words {
                continue;
            }
            match rule.position {
                rules::Position::Tail if !in_tail => continue,
                rules::Position::Unquoted if rules::opens_quoted(text) => continue,
                _ => {}
            }
            if !rule.may_match(folded) {
                continue;
            }
            if rule.is_match(text) {
                return Some((rule.class, rule.name.to_string()));
            }
        }
        if !self.repeated.is_empty()
            && known_key
                .unwrap_or_else(|| repeat_key(text, buf).map(|(key, _)| key))
                .is_some_and(|key| self.repeated.contains(&key))
        {
            return Some((LineClass::Boilerplate, "repeated-line".to_string()));
        }
        None
    }
}

/// A line with a name's pop-up card cut out (`rules::hover_card`), and the card; a space
/// takes the card's place before a word or bracket.
fn strip_hover_card(text: &str) -> Option<(String, String)> {
    let range = rules::hover_card(text)?;
    let (before, after) = (&text[..range.start], &text[range.end..]);
    let space = after.starts_with(|c: char| c.is_alphanumeric() || c == '(');
    let kept = format!("{before}{}{after}", if space { " " } else { "" });
    Some((kept, text[range].trim_end().to_string()))
}

/// A line repeated within this many lines of itself is a story card's title (the image's
/// text and the link's, one after the other), not the article's.
const NEARBY_REPEAT_LINES: usize = 3;
/// Most words of such a title; a longer repeated line is left to quality and context.
const NEARBY_REPEAT_WORDS: usize = 25;

/// Title-shaped lines (at least three words, no closing full stop) that come again within
/// `NEARBY_REPEAT_LINES` lines (the same words, case and punctuation aside): both copies are
/// a teaser for another story. A sentence said twice is left alone.
/// Linear: each line is compared with the few after it.
fn mark_nearby_repeats(decisions: &mut [Decision], buf: &mut String) {
    let keys: Vec<Option<u64>> = decisions
        .iter()
        .map(|d| {
            let eligible = open(d)
                && !d.features.sentence_end
                && d.features.words >= 3
                && d.features.words <= NEARBY_REPEAT_WORDS;
            eligible.then(|| repeat_key(&d.text, buf).map(|(key, _)| key)).flatten()
        })
        .collect();
    for i in 0..keys.len() {
        let Some(key) = keys[i] else { continue };
        let end = (i + NEARBY_REPEAT_LINES).min(keys.len() - 1);
        if let Some(j) = (i + 1..=end).find(|&j| keys[j] == Some(key)) {
            for at in [i, j] {
                decisions[at].class = LineClass::Boilerplate;
                decisions[at].reason = "repeated-teaser".to_string();
            }
        }
    }
}

/// Most words of a header line over a note about the author.
const AUTHOR_HEADER_WORDS: usize = 6;

/// A note about the author: a bare header ("About the author", "About Jane Roe") and the
/// paragraph under it. Linear.
fn mark_author_notes(decisions: &mut [Decision]) {
    for i in 0..decisions.len() {
        let d = &decisions[i];
        if !open(d) || d.features.words > AUTHOR_HEADER_WORDS || !rules::author_header(&d.text) {
            continue;
        }
        let note = decisions.get(i + 1).is_some_and(|n| open(n) && n.quality != Quality::Short);
        for d in &mut decisions[i..=if note { i + 1 } else { i }] {
            d.class = LineClass::Boilerplate;
            d.reason = "author-bio".to_string();
        }
    }
}

/// The function-word share of this article's own prose: the median over its sentence-shaped
/// lines, so thresholds follow the language and the stop-word list in use.
fn prose_stop_level(features: &[Features]) -> f32 {
    let mut ratios: Vec<f32> = features
        .iter()
        .filter(|f| f.weight >= 100 && (f.sentence_end || f.sentences > 0))
        .map(|f| f.stopword_ratio)
        .collect();
    if ratios.len() < 3 {
        return DEFAULT_PROSE_STOP;
    }
    ratios.sort_by(f32::total_cmp);
    // Upper median: articles with long lists still have prose that sets the level.
    let level = ratios[ratios.len() * 2 / 3];
    level.clamp(0.2, 0.6)
}

/// A line's quality against the article's prose level; with no level, by length alone.
fn quality(f: &Features, prose_stop: Option<f32>) -> Quality {
    let Some(prose_stop) = prose_stop else {
        return if f.weight >= LENGTH_LOW {
            Quality::Good
        } else if f.sentence_end && f.words >= 4 {
            Quality::NearGood
        } else {
            Quality::Short
        };
    };
    let high = prose_stop * 0.7;
    let low = prose_stop * 0.5;
    if f.weight < LENGTH_LOW {
        if f.sentence_end && f.words >= 3 && f.stopword_ratio >= low {
            return Quality::NearGood;
        }
        return Quality::Short;
    }
    if f.stopword_ratio >= high {
        if f.weight >= LENGTH_HIGH || f.sentences >= 2 || (f.sentence_end && f.weight >= 80) {
            return Quality::Good;
        }
        return Quality::NearGood;
    }
    // A whole sentence is prose even when terse ("Crews found two breaches on Friday."):
    // it needs a good neighbour, though.
    if f.stopword_ratio >= low || (f.sentence_end && f.starts_upper && f.words >= 6) {
        return Quality::NearGood;
    }
    Quality::Bad
}

/// A seed is an article. When none of its lines is prose by length (a short article: a
/// headline and two sentences, or paragraphs of one short sentence each), its sentences are
/// its prose: whole sentences with a function word count as good lines, so a short article
/// is kept rather than taken for page furniture.
fn promote_sentences_of_short_articles(decisions: &mut [Decision]) {
    if decisions.iter().any(|d| open(d) && d.quality == Quality::Good) {
        return;
    }
    for d in decisions.iter_mut().filter(|d| open(d)) {
        if is_sentence(&d.features, &d.text) {
            d.quality = Quality::Good;
        }
    }
}

/// A whole sentence: starts with a capital (or a quote), ends with a full stop, and has at
/// least two words, one of them a function word ("Traffic was light.").
fn is_sentence(f: &Features, text: &str) -> bool {
    f.sentence_end
        && f.words >= 2
        && f.stopword_ratio > 0.0
        && (f.starts_upper || text.trim_start().starts_with(['"', '\'', '‘', '“', '«']))
}

/// Whether a line is still undecided by rules (quality and context decide it).
fn open(d: &Decision) -> bool {
    d.reason.is_empty()
}

/// Marks the article's main run of text: the stretch of lines whose summed score is highest
/// (good lines count for their length, bad and short lines against), as in body-text
/// extraction. Lines before and after it are page furniture. A comment section ends it.
fn mark_main_run(decisions: &mut [Decision], has_prose: bool) {
    let score = |d: &Decision| -> f32 {
        if !open(d) {
            return if d.class == LineClass::Paragraph { 1.0 } else { -0.3 };
        }
        // A row of a table or list (digits, separators, five words or more, not a sentence)
        // neither makes nor breaks the article: results and schedules beside the prose are
        // not cut away.
        if is_list_item(d) && d.features.words >= 5 && !is_sentence(&d.features, &d.text) {
            return 0.0;
        }
        match d.quality {
            Quality::Good => (d.features.weight as f32 / 100.0).clamp(1.0, 5.0),
            Quality::NearGood => 0.6,
            Quality::Short => -0.25,
            Quality::Bad => -0.6,
        }
    };
    let mut best = (f32::MIN, 0, 0);
    let mut sum = 0.0;
    let mut start = 0;
    for (i, d) in decisions.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += score(d);
        if sum > best.0 {
            best = (sum, start, i);
        }
    }
    if best.0 <= 0.0 {
        return;
    }
    let (_, mut first, mut last) = best;
    let mut seen_good = false;
    let mut ended_by_section = false;
    for (i, d) in decisions.iter().enumerate().take(last + 1).skip(first) {
        if seen_good && rules::comment_section_start(&d.text) {
            last = i.saturating_sub(1);
            ended_by_section = true;
            break;
        }
        seen_good |= open(d) && d.quality == Quality::Good;
    }
    // A list of other stories: a bare header ("Related", "More in World", "You may also
    // like"; or "Sources:") and the links under it, up to where paragraphs resume; when they do not, it ends
    // the article, provided less text follows it than precedes it (a box of links near the
    // top leaves the article whole).
    let (mut from, mut before) = (first, 0);
    while let Some((at, resume, reason, good_before)) = related_section(decisions, before, from, last) {
        // The section's lines no longer count; the text before it does.
        before = good_before;
        let end = resume.map_or(last, |r| r - 1);
        for d in decisions[at..=end].iter_mut().filter(|d| open(d) || d.reason == "read-more") {
            d.class = LineClass::Boilerplate;
            d.reason = reason.to_string();
        }
        match resume {
            Some(r) => from = r,
            None => {
                last = at.saturating_sub(1).max(first);
                ended_by_section = true;
                break;
            }
        }
    }
    // Lists and tables that open or close the article (results, tour dates, a recipe's
    // ingredients, an event's details) are short, data-like lines the score counts against;
    // take in such a block beside the run, with the titles among its rows.
    if !ended_by_section && let Some(end) = list_block_from(decisions, last + 1, true) {
        last = end;
    }
    // A post the article quotes (its text, then "— Jane Roe (@janeroe) March 3, 2021") just
    // after the run is the article's last word, not furniture.
    if !ended_by_section
        && let Some(end) = (last + 1..decisions.len().min(last + 1 + EMBED_LINES))
            .take_while(|&j| open(&decisions[j]))
            .find(|&j| {
                decisions[j].features.words <= EMBED_ATTRIBUTION_WORDS
                    && rules::post_attribution(&decisions[j].text)
            })
    {
        last = end;
    }
    // In an article without prose (results, listings), rows before the first long one are
    // its rows too; before prose, such lines are more often furniture (dates, counts).
    if !has_prose && let Some(start) = first.checked_sub(1).and_then(|i| list_block_from(decisions, i, false))
    {
        first = start;
        // With the title above the rows.
        if start > 0 && is_list_title(&decisions[start - 1]) {
            first = start - 1;
        }
    }
    for (i, d) in decisions.iter_mut().enumerate() {
        d.in_main = i >= first && i <= last;
    }
    // A section header just after the article names what follows it.
    if let Some(d) = decisions.get_mut(last + 1).filter(|d| open(d))
        && let Some(reason) = section_header(d)
    {
        d.class = LineClass::Boilerplate;
        d.reason = reason.to_string();
    }
}

/// Lines of an embedded post (its text, a link, the attribution) taken in after the run.
const EMBED_LINES: usize = 3;
/// Most words of a post's attribution line.
const EMBED_ATTRIBUTION_WORDS: usize = 15;

/// The reason for removing the section a line heads, if it is a bare header of other stories
/// or of the article's sources.
fn section_header(d: &Decision) -> Option<&'static str> {
    if d.features.words > rules::RELATED_HEADER_WORDS {
        None
    } else if rules::related_section_start(&d.text) {
        Some("related-section")
    } else if rules::sources_section_start(&d.text) {
        Some("source-list")
    } else {
        None
    }
}

/// A section that runs to the article's end has at least this many lines under its header
/// (a box with a single link before the last paragraph is not a list of stories).
const MIN_SECTION_LINES: usize = 3;

/// A good line this long (characters) is a paragraph of the article, not a story's blurb.
const RESUME_WEIGHT: usize = 300;

/// Where a list of other stories (or of the article's sources) starts in `from..=last`, with
/// the reason its lines are removed for, and where the article's paragraphs resume after it
/// (a long good line, or two lines of prose in a row), if they do. A header with no paragraphs after it
/// counts only when less good text follows it than the run's good text before it (`before`
/// at `from`, plus what lies between). Returns the latter with the header. Linear: the lines
/// after a header are read once.
fn related_section(
    decisions: &[Decision],
    mut before: usize,
    from: usize,
    last: usize,
) -> Option<(usize, Option<usize>, &'static str, usize)> {
    let good = |d: &Decision| if open(d) && d.quality == Quality::Good { d.features.weight } else { 0 };
    // Once a header was found with no paragraphs after it: the good text after the line, and
    // how many lines follow the first such header.
    let mut after: Option<usize> = None;
    let mut links = 0usize;
    for i in from..=last {
        let d = &decisions[i];
        if let Some(rest) = after.as_mut() {
            *rest -= good(d);
        }
        let header = if before == 0 { None } else { section_header(d) };
        if let Some(reason) = header {
            if after.is_none() {
                // Paragraphs resume: a long good line, or two lines of prose in a row (lines
                // removed by rules between them aside). A story's blurb under its title is one.
                let mut previous_prose = None;
                let mut rest = 0;
                links = 0;
                for (j, e) in decisions.iter().enumerate().take(last + 1).skip(i + 1) {
                    if !open(e) {
                        continue;
                    }
                    let prose = e.quality == Quality::Good
                        || (e.quality == Quality::NearGood && e.features.sentence_end);
                    if e.quality == Quality::Good && e.features.weight >= RESUME_WEIGHT {
                        return Some((i, Some(previous_prose.unwrap_or(j)), reason, before));
                    }
                    if prose && let Some(p) = previous_prose {
                        return Some((i, Some(p), reason, before));
                    }
                    previous_prose = prose.then_some(j);
                    rest += good(e);
                    links += 1;
                }
                after = Some(rest);
            }
            if links >= MIN_SECTION_LINES && after.is_some_and(|rest| rest * 2 < before) {
                return Some((i, None, reason, before));
            }
        }
        before += good(d);
    }
    None
}

/// A list needs this many items.
const MIN_LIST_ITEMS: usize = 3;
/// Titles (or repeated lines) in a row inside a list: group names between its rows
/// ("Boys soccer", "Meal 2"); more than this and the list has ended.
const MAX_LIST_GAP: usize = 4;

/// A short data-like line: several words with digits or list separators, not prose.
fn is_list_item(d: &Decision) -> bool {
    open(d)
        && d.quality != Quality::Good
        && d.features.words >= 3
        && d.features.words <= 30
        && (d.features.digit_ratio > 0.0 || d.text.contains([':', '–', '—', '@', '|', ';']))
}

/// What a line can be in a list or table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ListRole {
    /// A row: a list item, or a longer run of data with digits (an ingredient list).
    Item,
    /// A short line between rows: a group title, a label.
    Title,
    /// A line a rule removed that does not end a list (a repeated label, a date).
    Skip,
    /// Prose, or a rule's boilerplate: the list has ended.
    Stop,
}

/// Longer rows need digits throughout (quantities, scores), not a caption with a year.
const LONG_ITEM_WORDS: usize = 80;
const LONG_ITEM_DIGITS: f32 = 0.02;
/// A title between rows is at most this many words.
const LIST_TITLE_WORDS: usize = 10;

fn list_role(d: &Decision) -> ListRole {
    if !open(d) {
        let skip =
            d.class == LineClass::Boilerplate && matches!(d.reason.as_str(), "repeated-line" | "dateline");
        return if skip { ListRole::Skip } else { ListRole::Stop };
    }
    let row = is_list_item(d)
        || (d.quality != Quality::Good
            && d.features.words <= LONG_ITEM_WORDS
            && d.features.digit_ratio >= LONG_ITEM_DIGITS);
    if row && !is_headline_like(&d.text) {
        return ListRole::Item;
    }
    if d.quality == Quality::Short && d.features.words <= LIST_TITLE_WORDS && section_header(d).is_none() {
        return ListRole::Title;
    }
    ListRole::Stop
}

/// A headline rather than a row: its longer words capitalised, at most one number and no
/// separators between fields ("11 Facts About Our Galaxy"), as in lists of other stories;
/// "June 9 – Tampa, FL" is a row.
fn is_headline_like(text: &str) -> bool {
    if text.contains([',', '–', '—', '@', '|', ';']) || text.contains(" - ") || text.contains("--") {
        return false;
    }
    let (mut long, mut capital, mut numbers) = (0usize, 0usize, 0usize);
    for word in words(text) {
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            numbers += 1;
        } else if word.chars().count() >= 4 {
            long += 1;
            capital += usize::from(word.starts_with(char::is_uppercase));
        }
    }
    numbers <= 1 && long >= 2 && capital * 10 >= long * 7
}

/// Titles in a row a list may hold: more in a list that has already run long.
fn list_gap_allowed(items: usize) -> usize {
    MAX_LIST_GAP + items / 10
}

/// A list's rows counted as its lines are read: titles and skipped lines may stand between
/// rows, up to `list_gap_allowed` in a row; a stop line or a longer gap ends the list.
#[derive(Default)]
struct ListCount {
    items: usize,
    gap: usize,
}

impl ListCount {
    /// Reads the next line's role; false when the list ended before that line.
    fn read(&mut self, role: ListRole) -> bool {
        match role {
            ListRole::Item => {
                self.items += 1;
                self.gap = 0;
                true
            }
            ListRole::Title | ListRole::Skip => {
                self.gap += 1;
                self.gap <= list_gap_allowed(self.items)
            }
            ListRole::Stop => false,
        }
    }
}

/// From line `from`, going forward or backward: the far end of a list block that starts
/// there (after at most `MAX_LIST_GAP` titles), when it has at least `MIN_LIST_ITEMS` rows
/// and rows make at least half of its lines. Linear in the block's length.
fn list_block_from(decisions: &[Decision], from: usize, forward: bool) -> Option<usize> {
    let mut count = ListCount::default();
    let mut lines = 0usize;
    let mut end = None;
    let mut counted = 0usize;
    let mut i = from;
    while i < decisions.len() {
        let role = list_role(&decisions[i]);
        if !count.read(role) {
            break;
        }
        if role == ListRole::Item {
            end = Some(i);
            counted = lines + 1;
        }
        lines += 1;
        if forward {
            i += 1;
        } else if let Some(prev) = i.checked_sub(1) {
            i = prev;
        } else {
            break;
        }
    }
    (count.items >= MIN_LIST_ITEMS && count.items * 2 >= counted).then_some(end).flatten()
}

/// A title line that may introduce a list ("Tour dates:", "The results").
fn is_list_title(d: &Decision) -> bool {
    open(d) && d.quality == Quality::Short && d.features.words <= 12 && d.features.starts_upper
}

/// Decides the lines no rule named, from their quality and their neighbours'.
fn context_pass(decisions: &mut [Decision]) {
    let count = decisions.len();
    // The nearest decided (good or bad) open neighbour on each side, within the main run;
    // lines decided by rules (captions, promos) are skipped over.
    let verdict = |d: &Decision| -> Option<bool> {
        if !open(d) || !d.in_main {
            return if d.in_main { None } else { Some(false) };
        }
        match d.quality {
            Quality::Good => Some(true),
            Quality::Bad => Some(false),
            _ => None,
        }
    };
    let mut prev: Vec<Option<bool>> = vec![None; count];
    let mut last = None;
    for i in 0..count {
        prev[i] = last;
        if let Some(v) = verdict(&decisions[i]) {
            last = Some(v);
        }
    }
    let mut next: Vec<Option<bool>> = vec![None; count];
    let mut following = None;
    for i in (0..count).rev() {
        next[i] = following;
        if let Some(v) = verdict(&decisions[i]) {
            following = Some(v);
        }
    }
    // The same, with near-good lines as a third answer (`None` here): as in jusText, a short
    // line between a good side and a bad one stays when a near-good line on the bad side is
    // nearer than the bad one (an item of a list that runs on past the paragraphs).
    let near = |d: &Decision| -> Option<Option<bool>> {
        if open(d) && d.in_main && d.quality == Quality::NearGood { Some(None) } else { verdict(d).map(Some) }
    };
    let mut prev_near: Vec<Option<Option<bool>>> = vec![None; count];
    let mut last_near = None;
    for i in 0..count {
        prev_near[i] = last_near;
        if let Some(v) = near(&decisions[i]) {
            last_near = Some(v);
        }
    }
    let mut next_near: Vec<Option<Option<bool>>> = vec![None; count];
    let mut following_near = None;
    for i in (0..count).rev() {
        next_near[i] = following_near;
        if let Some(v) = near(&decisions[i]) {
            following_near = Some(v);
        }
    }
    let roles: Vec<ListRole> = decisions.iter().map(list_role).collect();
    let blocks = list_blocks(decisions, &roles);
    for i in 0..count {
        let d = &decisions[i];
        if !open(d) {
            continue;
        }
        let (mut before, mut after) = (prev[i].unwrap_or(false), next[i].unwrap_or(false));
        if d.quality == Quality::Short && before != after {
            before |= prev_near[i] == Some(None);
            after |= next_near[i] == Some(None);
        }
        let (class, reason) = if !d.in_main {
            (LineClass::Boilerplate, "outside-article")
        } else if d.features.words <= EMBED_ATTRIBUTION_WORDS && rules::post_attribution(&d.text) {
            (LineClass::Paragraph, "embedded-post")
        } else if blocks[i] {
            if roles[i] == ListRole::Title && is_heading_shaped(&d.features, &d.text) {
                (LineClass::Heading, "list-title")
            } else {
                (LineClass::Paragraph, "list-in-body")
            }
        } else if d.quality == Quality::Short && is_list_title(d) && blocks.get(i + 1).is_some_and(|b| *b) {
            (LineClass::Heading, "list-title")
        } else {
            match d.quality {
                Quality::Good => (LineClass::Paragraph, "body"),
                Quality::NearGood if before || after => (LineClass::Paragraph, "body"),
                Quality::NearGood => (LineClass::Boilerplate, "not-prose"),
                Quality::Short if before && after => {
                    if is_heading_shaped(&d.features, &d.text) && next_is_body(decisions, i) {
                        (LineClass::Heading, "subheading")
                    } else {
                        (LineClass::Paragraph, "short-in-body")
                    }
                }
                Quality::Short
                    if after && is_heading_shaped(&d.features, &d.text) && next_is_body(decisions, i) =>
                {
                    (LineClass::Heading, "subheading")
                }
                Quality::Short => (LineClass::Boilerplate, "short-fragment"),
                Quality::Bad if before && after => (LineClass::Paragraph, "list-in-body"),
                Quality::Bad => (LineClass::Boilerplate, "not-prose"),
            }
        };
        let d = &mut decisions[i];
        d.class = class;
        d.reason = reason.to_string();
    }
}

/// Most words of a story card's blurb.
const CARD_BLURB_WORDS: usize = 40;

/// A story card: a title, a one-line blurb and the story's age ("32M ago"). The blurb is the
/// kept line just above the age, under a title-shaped line (kept or already removed, as a
/// repeated title is); both go. An article's paragraph is not followed by an age. Linear.
fn mark_story_cards(decisions: &mut [Decision]) {
    for i in 1..decisions.len().saturating_sub(1) {
        let (title, blurb) = (&decisions[i - 1], &decisions[i]);
        let card = blurb.class == LineClass::Paragraph
            && blurb.features.words <= CARD_BLURB_WORDS
            && is_heading_shaped(&title.features, &title.text)
            && title.class != LineClass::Caption
            && decisions[i + 1].reason == "dateline"
            && rules::relative_age(&decisions[i + 1].text);
        if card {
            for at in [i - 1, i] {
                if matches!(decisions[at].class, LineClass::Paragraph | LineClass::Heading) {
                    decisions[at].class = LineClass::Boilerplate;
                    decisions[at].reason = "story-card".to_string();
                }
            }
        }
    }
}

/// Most words of a line that is only a photo credit.
const CREDIT_ONLY_WORDS: usize = 8;

/// A line that is only a photo's credit ("Photo: Jane Roe", "(Image: © Agency)", "Jane Roe |
/// Agency | Getty Images"), which the caption rule removed: the photo's caption, if any, is
/// the line before it. "Image copyright Agency" heads a photo whose caption follows.
fn is_credit_only(d: &Decision) -> bool {
    d.reason == "photo-caption" && d.features.words <= CREDIT_ONLY_WORDS && rules::credit_only(&d.text)
}

/// A kept line just before a credit-only line is the photo's caption, when the article has
/// kept text before it (the first lines of an article are its own, even beside a photo).
/// Linear.
fn mark_captions_before_credits(decisions: &mut [Decision]) {
    let mut kept_before = false;
    for i in 0..decisions.len().saturating_sub(1) {
        let d = &decisions[i];
        let kept = d.class == LineClass::Paragraph;
        let caption = kept
            && kept_before
            && matches!(d.reason.as_str(), "body" | "short-in-body" | "list-in-body")
            && d.features.words >= 5
            && !d.text.trim_end().ends_with(':')
            && is_credit_only(&decisions[i + 1]);
        kept_before |= kept;
        if caption {
            decisions[i].class = LineClass::Caption;
            decisions[i].reason = "caption-before-credit".to_string();
        }
    }
}

/// Headlines in a row that make a box of links to other stories.
const TEASER_RUN_LINES: usize = 3;
/// A headline's function words, against the article's prose: headlines are terse.
const TEASER_STOP_SHARE: f32 = 0.75;

/// Whether a kept line may be one headline in a box of links to other stories: title-shaped
/// (no closing full stop, at most 14 words), at least three words, kept as a short line, a
/// subheading or a terse paragraph (rows of a list or table are not, nor lines with prices).
fn teaser_candidate(d: &Decision) -> bool {
    matches!(d.reason.as_str(), "short-in-body" | "subheading" | "body")
        && d.features.words >= 3
        && is_heading_shaped(&d.features, &d.text)
        && !is_data_row(d)
}

/// Prices, shares and figures: a row of a table or a shopping list, not a headline.
fn is_data_row(d: &Decision) -> bool {
    d.features.digit_ratio >= 0.1 || d.text.contains(['$', '€', '£', '¥', '%'])
}

/// A box of links to other stories without a header, between paragraphs: three or more
/// title-shaped lines in a row (lines rules removed between them aside), nearly all terse as
/// headlines are (few function words against the article's prose), and not introduced by a
/// line ending in a colon (a list the article announces: "What is new:"). A subheading is one
/// such line, and a list of the article's points reads as prose. Linear.
fn mark_teaser_runs(decisions: &mut [Decision], prose_stop: f32) {
    let terse = |d: &Decision| d.features.stopword_ratio < prose_stop * TEASER_STOP_SHARE;
    let mut i = 0;
    while i < decisions.len() {
        if !teaser_candidate(&decisions[i]) {
            i += 1;
            continue;
        }
        // The run: candidates, with removed lines between them skipped over.
        let (mut members, mut last) = (Vec::new(), i);
        let mut j = i;
        while j < decisions.len() {
            let d = &decisions[j];
            if teaser_candidate(d) {
                members.push(j);
                last = j;
            } else if matches!(d.class, LineClass::Paragraph | LineClass::Heading) {
                break;
            }
            j += 1;
        }
        let introduced = decisions[..i]
            .iter()
            .rev()
            .find(|d| matches!(d.class, LineClass::Paragraph | LineClass::Heading))
            .is_some_and(|d| d.text.trim_end().ends_with(':'));
        let wordy = members.iter().filter(|&&m| !terse(&decisions[m])).count();
        if members.len() >= TEASER_RUN_LINES && wordy <= 1 && !introduced {
            for &m in &members {
                decisions[m].class = LineClass::Boilerplate;
                decisions[m].reason = "teaser-run".to_string();
            }
        }
        i = last + 1;
    }
}

/// For each line, whether it lies in a list block of the main run (rows with titles
/// between them, as `list_block_from` reads them); linear: each line is read at most twice.
fn list_blocks(decisions: &[Decision], roles: &[ListRole]) -> Vec<bool> {
    let mut in_block = vec![false; decisions.len()];
    let mut i = 0;
    while i < decisions.len() {
        if !decisions[i].in_main || roles[i] != ListRole::Item {
            i += 1;
            continue;
        }
        let mut count = ListCount::default();
        let mut last = i;
        let mut j = i;
        while j < decisions.len() && decisions[j].in_main && count.read(roles[j]) {
            if roles[j] == ListRole::Item {
                last = j;
            }
            j += 1;
        }
        let items = count.items;
        if items >= MIN_LIST_ITEMS && items * 2 > last - i {
            in_block[i..=last].fill(true);
        }
        i = last + 1;
    }
    in_block
}

/// The next line that is not a heading candidate reads as body text.
fn next_is_body(decisions: &[Decision], i: usize) -> bool {
    decisions[i + 1..].iter().find(|d| open(d) || d.class == LineClass::Paragraph).is_some_and(|d| {
        matches!(d.quality, Quality::Good | Quality::NearGood) || d.class == LineClass::Paragraph && !open(d)
    })
}

/// Cleans again, with the outlet's own `[clean]` patterns from `content/sources/<slug>.md`,
/// the articles whose outlet (`outlet_of[i]`, a source slug) has any. Returns how many.
pub fn reclean_for_outlets(
    articles: &[RawArticle],
    cleaned: &mut [CleanedArticle],
    outlet_of: &[&str],
    cleaner: &Cleaner,
    content: &Content,
) -> Result<usize> {
    let mut cleaners: HashMap<&str, Cleaner> = HashMap::new();
    let mut count = 0;
    for (i, article) in articles.iter().enumerate() {
        let Some(slug) = outlet_of.get(i).copied() else { continue };
        let Some(page) = content.sources.get(slug) else { continue };
        if page.meta.clean.drop.is_empty() && page.meta.clean.keep.is_empty() {
            continue;
        }
        if !cleaners.contains_key(slug) {
            cleaners.insert(slug, cleaner.with_overrides(&page.meta.clean, &page.path)?);
        }
        cleaned[i] = clean(article, &cleaners[slug]);
        count += 1;
    }
    Ok(count)
}

/// Runs the classifier and splits its verdicts into kept blocks and removed lines; a part
/// cut out of a kept line is a removed line of its own, with the same line number.
pub fn clean(article: &RawArticle, cleaner: &Cleaner) -> CleanedArticle {
    clean_with_keys(article, cleaner, None)
}

/// `clean`, given the article's line keys where they were counted (`Cleaner::classify_with_keys`).
pub fn clean_with_keys(
    article: &RawArticle,
    cleaner: &Cleaner,
    keys: Option<&[Option<LineKey>]>,
) -> CleanedArticle {
    let decisions = cleaner.classify_with_keys(article, keys);
    // Sized to fit: every cleaned article is held until assemble.
    let kept =
        decisions.iter().filter(|d| matches!(d.class, LineClass::Paragraph | LineClass::Heading)).count();
    let mut blocks = Vec::with_capacity(kept);
    let mut removed = Vec::new();
    for mut decision in decisions {
        removed.append(&mut decision.cuts);
        match decision.class {
            LineClass::Paragraph | LineClass::Heading => blocks.push(Block::new(
                if decision.class == LineClass::Heading { BlockKind::Heading } else { BlockKind::Paragraph },
                decision.text,
                decision.line,
            )),
            LineClass::Caption | LineClass::Boilerplate => removed.push(RemovedLine {
                text: decision.text,
                reason: decision.reason.into(),
                line: decision.line,
            }),
        }
    }
    CleanedArticle {
        seed: article.seed.clone(),
        headline: article.headline.clone(),
        date: article.date,
        blocks,
        removed,
    }
}

/// Makes every removed line with the same text share one copy of it: boilerplate recurs across
/// thousands of seeds, and each seed's cleaning made a copy of its own. (Seed text, so it is
/// hashed with a keyed hash.)
pub fn share_removed<'a>(articles: impl Iterator<Item = &'a mut CleanedArticle>) {
    let mut kept: HashSet<ByteString, foldhash::fast::RandomState> = Default::default();
    for line in articles.flat_map(|a| a.removed.iter_mut()) {
        match kept.get(&*line.text) {
            Some(first) => line.text = first.clone(),
            None => {
                kept.insert(line.text.clone());
            }
        }
    }
}

fn is_heading_shaped(f: &Features, text: &str) -> bool {
    let last = text.trim_end().chars().last().unwrap_or(' ');
    f.words >= 1
        && f.words <= 14
        && f.chars <= 110
        && !f.sentence_end
        && !matches!(last, ',' | ';' | ':' | '-' | '–' | '—')
        && (f.starts_upper || text.starts_with(['"', '\'', '‘', '“', '«']))
}

/// How lines recur across seeds: each seed's line keys (`repeat_key`) and, per key, how many
/// seeds have it. Counted once per build and read both by the cleaner (which lines are site
/// furniture) and by the cache (a seed's cleaning depends on how often its lines recur).
pub struct Repeats {
    /// Per seed, per line: its key and word count, `None` for a line without words.
    pub lines: Vec<SeedLineKeys>,
    /// Per key in more than one seed: the seeds it is in, and its word count.
    seeds_with: WordMap<u64, (u32, u32)>,
}

impl Repeats {
    pub fn count(articles: &[RawArticle]) -> Repeats {
        Repeats::count_known(articles, Vec::new())
    }

    /// `count`, with the line keys of the seeds that were not read (by index; `None` for a
    /// seed that was): taken over, not copied.
    pub fn count_known(articles: &[RawArticle], mut known_keys: Vec<Option<SeedLineKeys>>) -> Repeats {
        known_keys.resize_with(articles.len(), || None);
        let lines: Vec<SeedLineKeys> = articles
            .par_iter()
            .zip(known_keys)
            .map(|(article, known)| match known {
                Some(keys) => keys,
                None => {
                    let mut buf = String::new();
                    article.lines.iter().map(|line| repeat_key(&line.text, &mut buf)).collect()
                }
            })
            .collect();
        // Each seed's distinct keys, all in one list, sorted on every core: a key's run is the
        // seeds that have it. Only keys in two seeds or more are kept (most lines are in one):
        // counting with a map per thread held every key of every seed several times over.
        let mut keys: Vec<(u64, u32)> = lines
            .par_iter()
            .flat_map_iter(|lines| {
                let mut distinct: Vec<(u64, u32)> =
                    lines.iter().flatten().map(|&(key, words)| (key, words.get())).collect();
                distinct.sort_unstable();
                distinct.dedup_by_key(|k| k.0);
                distinct
            })
            .collect();
        // By radix (the keys are hashes): a fraction of a comparison sort's work, but it sorts
        // into a copy of the list. A long list is sorted in place: at 100,000 articles the copy
        // was 26 MB more at the build's peak of memory, held beside every seed's text. (Either
        // way the same: a key's runs have one word count.)
        if keys.len() <= RADIX_SORTED_KEYS {
            sort_by_hash(&mut keys);
        } else {
            keys.par_sort_unstable_by_key(|k| k.0);
        }
        let mut seeds_with = WordMap::default();
        for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            seeds_with.insert(run[0].0, (run.len() as u32, run[0].1));
        }
        Repeats { lines, seeds_with }
    }

    /// Each seed's line keys, the counts let go.
    pub fn into_lines(self) -> Vec<SeedLineKeys> {
        self.lines
    }

    /// In how many seeds the line with this key is: the key of one of the lines counted (a
    /// key in none of them would count 1).
    pub fn seeds_with(&self, key: u64) -> usize {
        self.seeds_with.get(&key).map_or(1, |(count, _)| *count as usize)
    }
}

/// Up to how many keys of repeated lines are sorted by radix (`Repeats::count_known`): a
/// million take a 16 MB copy (10,000 generated articles have about 260,000); more are sorted
/// in place.
const RADIX_SORTED_KEYS: usize = 1 << 20;

/// A line's repeat key and its word count (never 0): 16 bytes with the `Option` around it, for
/// every line of every seed, held from the counting of repeated lines to the seed index.
pub type LineKey = (u64, std::num::NonZeroU32);

/// A seed's line keys, one per line (`None` for a line without words).
pub type SeedLineKeys = Vec<Option<LineKey>>;

/// A line's identity for repetition: its lower-cased letters and digits, single-spaced (two
/// lines that differ only in punctuation or case repeat), hashed; with its word count.
/// `None` for a line without words. `buf` is scratch space.
fn repeat_key(text: &str, buf: &mut String) -> Option<LineKey> {
    // One pass over the characters (this runs on every line of every seed): the words of
    // `words`, each lower-cased, joined by single spaces.
    buf.clear();
    let mut words = WordJoin::default();
    if text.is_ascii() {
        // Most lines: byte by byte, without decoding characters. (One loop for both, over
        // `bytes().map(char::from)`, ran more instructions than the loop over chars alone;
        // copying each word whole and lower-casing the line after took longer.)
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() {
                words.letter(buf);
                buf.push(char::from(b.to_ascii_lowercase()));
            } else {
                words.gap();
            }
        }
        return hashed_key(buf, words.count);
    }
    for c in text.chars() {
        let alphanumeric = if c.is_ascii() { c.is_ascii_alphanumeric() } else { c.is_alphanumeric() };
        if !alphanumeric {
            words.gap();
            continue;
        }
        words.letter(buf);
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    hashed_key(buf, words.count)
}

/// Sorts `keys` by hash, as a stable sort would: by radix on the upper half of the hash alone
/// (where the hash's last multiplication mixes best), half the passes of sorting on all of it,
/// then the few runs whose upper halves are equal but not their hashes sorted whole (stably).
fn sort_by_hash(keys: &mut [(u64, u32)]) {
    radsort::sort_by_key(keys, |k| (k.0 >> 32) as u32);
    for run in keys.chunk_by_mut(|a, b| a.0 >> 32 == b.0 >> 32) {
        if !run.is_sorted_by_key(|k| k.0) {
            run.sort_by_key(|k| k.0);
        }
    }
}

/// Where `repeat_key` is among the words it joins: a space goes before each word but the first.
#[derive(Default)]
struct WordJoin {
    count: usize,
    in_word: bool,
}

impl WordJoin {
    /// A letter or digit comes next: a new word starts here unless one is under way.
    #[inline]
    fn letter(&mut self, buf: &mut String) {
        if !self.in_word {
            if self.count > 0 {
                buf.push(' ');
            }
            self.count += 1;
            self.in_word = true;
        }
    }

    #[inline]
    fn gap(&mut self) {
        self.in_word = false;
    }
}

/// `repeat_key`'s result for the joined words in `buf`, `count` of them.
fn hashed_key(buf: &str, count: usize) -> Option<LineKey> {
    let mut hasher = crate::text::WordHasher::default();
    std::hash::Hash::hash(buf, &mut hasher);
    let count = std::num::NonZeroU32::new(u32::try_from(count).ok()?)?;
    Some((std::hash::Hasher::finish(&hasher), count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::parse_seed;

    fn classes(text: &str) -> Vec<(LineClass, String)> {
        let article = parse_seed("t.txt", text).unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        cleaner.classify(&article).into_iter().map(|d| (d.class, d.reason)).collect()
    }

    const BODY: &str = "The council said on Monday that the bridge would reopen after repairs were finished.";

    #[test]
    fn the_same_removed_line_is_shared_across_articles() {
        let removed =
            |text: &str| RemovedLine { text: text.to_string().into(), reason: "promo".into(), line: 1 };
        let article = |lines: &[&str]| CleanedArticle {
            seed: "seeds/x.txt".into(),
            headline: None,
            date: None,
            blocks: vec![],
            removed: lines.iter().map(|t| removed(t)).collect(),
        };
        let mut articles = [article(&["Subscribe now", "Photo: AP"]), article(&["Subscribe now", "Other"])];
        let before: Vec<Vec<String>> =
            articles.iter().map(|a| a.removed.iter().map(|r| r.text.to_string()).collect()).collect();
        assert_ne!(articles[0].removed[0].text.as_ptr(), articles[1].removed[0].text.as_ptr());
        share_removed(articles.iter_mut());
        let after: Vec<Vec<String>> =
            articles.iter().map(|a| a.removed.iter().map(|r| r.text.to_string()).collect()).collect();
        assert_eq!(after, before, "only where the text is held changes");
        assert_eq!(articles[0].removed[0].text.as_ptr(), articles[1].removed[0].text.as_ptr());
        assert_ne!(articles[0].removed[1].text.as_ptr(), articles[1].removed[1].text.as_ptr());
    }

    #[test]
    fn caption_with_slash_credit() {
        let text = format!(
            "{BODY}\nResidents walk past a ruined market in the old town. /Jane Roe/Agency Press\n{BODY}"
        );
        assert_eq!(classes(&text)[1], (LineClass::Caption, "photo-caption".into()));
    }

    #[test]
    fn promo_source_line_and_syndication() {
        let text = format!(
            "{BODY}\nGet our weekly briefing: sign up for the Morning Wire newsletter\n{BODY}\nSource: Daily Planet\n(This story was auto-generated from a syndicated feed.)"
        );
        let got = classes(&text);
        assert_eq!(got[1].1, "newsletter-promo");
        assert_eq!(got[3].1, "source-line");
        assert_eq!(got[4].1, "syndication-note");
    }

    #[test]
    fn long_paragraph_mentioning_a_newsletter_stays() {
        let long = "The minister told reporters that the government would publish a newsletter for farmers every month, explaining subsidies, weather forecasts, prices at regional markets and the new rules on exports that come into force next year, and that the first issue would go out in March.";
        assert_eq!(classes(long)[0].0, LineClass::Paragraph);
    }

    #[test]
    fn a_promo_asks_the_reader_to_sign_up() {
        let quoted = "“After a year of cuts,” the analyst asks, “which of the island papers will readers still think is worth a digital subscription, and what is left to sell them?”";
        let plain = "The harbour weekly lost a third of its readers last year, and fewer than a thousand people now pay for a digital subscription to it, its owner said.";
        let ask = "Get the harbour's news delivered to your inbox every morning: subscribe to our free daily newsletter for the ferry times and more.";
        let text = format!("{BODY}\n{quoted}\n{plain}\nManage Subscription\n{ask}\n{BODY}");
        let got = classes(&text);
        assert_eq!(got[1].0, LineClass::Paragraph, "{got:?}");
        assert_eq!(got[2].0, LineClass::Paragraph, "{got:?}");
        assert_eq!(got[3].1, "newsletter-promo");
        assert_eq!(got[4].1, "newsletter-promo");
    }

    #[test]
    fn bylines_but_not_sentences_starting_with_by() {
        let text = format!(
            "By Jane Roe, Staff Writer\n{BODY}\nBy Friday, the factions had extended their control over fifty towns."
        );
        let got = classes(&text);
        assert_eq!(got[0].1, "byline");
        assert_eq!(got[2].0, LineClass::Paragraph);
    }

    #[test]
    fn titles_repeated_nearby_are_teasers() {
        let title = "Harbour council approves new ferry timetable";
        let text = format!("{BODY}\n{title}\nPhoto gallery\n{title}:\n{BODY}\n{BODY}");
        let got = classes(&text);
        assert_eq!(got[1], (LineClass::Boilerplate, "repeated-teaser".into()));
        assert_eq!(got[3], (LineClass::Boilerplate, "repeated-teaser".into()));
        // Far apart, a repeated line is left to quality and context.
        let text = format!("{title}\n{BODY}\n{BODY}\n{BODY}\n{title}\n{BODY}");
        assert!(classes(&text).iter().all(|(_, reason)| reason != "repeated-teaser"));
    }

    #[test]
    fn subheading_between_paragraphs() {
        let text = format!("{BODY}\nThe army responds\n{BODY}");
        assert_eq!(classes(&text)[1], (LineClass::Heading, "subheading".into()));
    }

    #[test]
    fn trailing_fragment_is_not_a_heading() {
        let text = format!("{BODY}\nMore stories");
        assert_eq!(classes(&text)[1].0, LineClass::Boilerplate);
    }

    #[test]
    fn author_bio_at_the_end_only() {
        let bio = "Sam Lee is a Metro Daily film critic known for sharp reviews of new releases.";
        let text = format!("{BODY}\n{BODY}\n{bio}");
        assert_eq!(classes(&text)[2].1, "author-bio");
    }

    #[test]
    fn quoted_question_is_body() {
        let text = format!("{BODY}\n“Were the soldiers told to leave before the storm?”\n{BODY}");
        assert_eq!(classes(&text)[1].0, LineClass::Paragraph);
    }

    #[test]
    fn editor_rules_win() {
        let overrides = CleanOverrides {
            drop: vec![crate::config::PatternRule {
                name: "house-ad".into(),
                pattern: "(?i)buy tickets".into(),
            }],
            keep: vec![crate::config::PatternRule { name: "keep-bios".into(), pattern: "^Sam Lee".into() }],
        };
        let cleaner = Cleaner::new(&overrides).unwrap();
        let article = parse_seed(
            "t.txt",
            &format!("{BODY}\nBuy tickets now for the show.\nSam Lee is a Metro Daily writer."),
        )
        .unwrap();
        let got: Vec<_> = cleaner.classify(&article).into_iter().map(|d| (d.class, d.reason)).collect();
        assert_eq!(got[1], (LineClass::Boilerplate, "house-ad".into()));
        assert_eq!(got[2], (LineClass::Paragraph, "keep-bios".into()));
        let bad = CleanOverrides {
            drop: vec![crate::config::PatternRule { name: "broken".into(), pattern: "(".into() }],
            keep: vec![],
        };
        let err = Cleaner::new(&bad).err().unwrap().to_string();
        assert!(err.contains("broken"), "{err}");
    }

    #[test]
    fn keys_sorted_by_half_their_hash_are_in_hash_order() {
        // Upper halves shared by hashes whose lower halves differ, out of order, among others;
        // the word counts say where each came from.
        let mut keys: Vec<(u64, u32)> = (0..3000u64)
            .map(|i| {
                let upper = (i * 7919) % 61;
                let lower = (i * 104_729) % 13;
                ((upper << 32) | lower, i as u32)
            })
            .collect();
        keys.extend((0..500u64).map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15), 7)));
        let mut by_hash = keys.clone();
        by_hash.sort_by_key(|k| k.0);
        sort_by_hash(&mut keys);
        // Pairs of equal hashes (the word counts differ) in the order they came in, as a
        // stable sort leaves them.
        assert_eq!(keys, by_hash);
    }

    #[test]
    fn repeat_keys_are_the_lower_cased_words() {
        // The reference: `words`, lower-cased, joined by single spaces.
        let reference = |text: &str| {
            let joined = lower_cased_words(text);
            (!joined.is_empty()).then(|| joined.join(" "))
        };
        let mut buf = String::new();
        for text in [
            "Sign up for our NEWSLETTER!",
            "  Breaking:  3 dead -- AP/Reuters, 2024 ",
            "  --  Émile Zola's café, ÉTÉ 2024 —   Straße  ",
            "İstanbul ΣΟΦΙΑ 東京 123abc",
            "...",
            "",
        ] {
            let key = repeat_key(text, &mut buf).map(|(_, words)| (buf.clone(), words.get() as usize));
            let want = reference(text).map(|joined| {
                let count = words(text).count();
                (joined, count)
            });
            assert_eq!(key, want, "{text:?}");
        }
    }

    /// A line's `words`, each lower-cased: what its repeat key joins.
    fn lower_cased_words(text: &str) -> Vec<String> {
        words(text).map(|w| w.chars().flat_map(char::to_lowercase).collect()).collect()
    }

    proptest::proptest! {
        /// Any line's key is the hash of its words lower-cased and joined by single spaces,
        /// with their count: ASCII lines take their own path.
        #[test]
        fn repeat_keys_are_the_joined_lower_cased_words(text in "[aZ9 .,'_\t-]{0,16}|[aZ9 .é\u{130}\u{2014}\u{a0}-]{0,16}") {
            let mut buf = String::new();
            let key = repeat_key(&text, &mut buf);
            let joined = lower_cased_words(&text);
            match key {
                None => proptest::prop_assert!(joined.is_empty()),
                Some((hash, count)) => {
                    proptest::prop_assert_eq!(&buf, &joined.join(" "));
                    proptest::prop_assert_eq!(count.get() as usize, joined.len());
                    // The key is the hash of those joined words (the hash itself is `hashed_key`'s).
                    proptest::prop_assert_eq!(hashed_key(&joined.join(" "), joined.len()), Some((hash, count)));
                }
            }
        }
    }

    /// Two seeds whose last line is the same desk credit.
    fn two_seeds_sharing_a_line() -> (RawArticle, RawArticle) {
        let a = parse_seed("a.txt", &format!("{BODY}\nValley Gazette local desk")).unwrap();
        let b = parse_seed(
            "b.txt",
            "The mayor said the rail line will close for a week in June.\nValley Gazette local desk",
        )
        .unwrap();
        (a, b)
    }

    #[test]
    fn repeated_lines_across_seeds_are_boilerplate() {
        let (a, b) = two_seeds_sharing_a_line();
        let mut cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        cleaner.learn_repeats(&[a.clone(), b]);
        let got = cleaner.classify(&a);
        assert_eq!(got[1].reason, "repeated-line");
        assert_eq!(got[0].class, LineClass::Paragraph);
    }

    #[test]
    fn counted_line_keys_stand_in_for_making_them_again() {
        let (a, b) = two_seeds_sharing_a_line();
        let articles = [a.clone(), b];
        let repeats = Repeats::count(&articles);
        let mut cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        cleaner.use_repeats(&repeats);
        let reasons = |decisions: Vec<Decision>| decisions.into_iter().map(|d| d.reason).collect::<Vec<_>>();
        let made = reasons(cleaner.classify(&a));
        assert_eq!(made[1], "repeated-line");
        assert_eq!(reasons(cleaner.classify_with_keys(&a, Some(&repeats.lines[0]))), made);
        // The keys given are the ones used: without them, no line is known to repeat.
        let none = vec![None; a.lines.len()];
        assert_ne!(reasons(cleaner.classify_with_keys(&a, Some(&none)))[1], "repeated-line");
        // Keys that are not one per line are not used.
        assert_eq!(reasons(cleaner.classify_with_keys(&a, Some(&none[..1]))), made);
    }

    // Fixtures below are written for these tests: a made-up town, its ferry and its library.
    const P1: &str = "The ferry between the island and the harbour town will run twice a day from next month, the operator said on Tuesday, after a winter of repairs to the landing stage.";
    const P2: &str = "Residents had asked for an earlier morning crossing so that children could reach the secondary school on time, and the council agreed to pay for the extra fuel.";
    const P3: &str = "The operator said that it would review the timetable again in the autumn, when the number of visitors usually falls and the weather makes crossings harder.";

    fn kept(text: &str) -> Vec<String> {
        let article = parse_seed("t.txt", text).unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        clean(&article, &cleaner).blocks.into_iter().map(|b| b.text.to_string()).collect()
    }

    #[test]
    fn menus_around_the_article_are_outside_it() {
        let menu = "Home\nNews\nSport\nWeather\nOpinion\nCulture\nTravel\nPodcasts";
        let footer = "About us\nContact\nJobs\nTerms of use\nPrivacy";
        let text = format!("{menu}\n{P1}\n{P2}\n{P3}\n{footer}");
        assert_eq!(kept(&text), [P1, P2, P3]);
        let got = classes(&text);
        assert_eq!(got[0], (LineClass::Boilerplate, "outside-article".into()));
        assert_eq!(got.last().unwrap().1, "outside-article");
    }

    #[test]
    fn short_lines_between_paragraphs_stay() {
        let text = format!("{P1}\nTwo crossings a day.\n{P2}\nmorning boat, 7 am\nevening boat, 6 pm\n{P3}");
        let got = kept(&text);
        assert_eq!(got.len(), 6, "{got:?}");
    }

    #[test]
    fn a_list_closing_the_article_stays() {
        let text = format!(
            "{P1}\n{P2}\nFerry times\nMonday – 7:10 from the quay, 18:00 back\nWednesday – 7:10 from the quay, 18:30 back\nFriday – 6:50 from the quay, 19:00 back\nHome\nContact"
        );
        let got = classes(&text);
        assert_eq!(got[2], (LineClass::Heading, "list-title".into()));
        assert!(got[3..6].iter().all(|(c, r)| *c == LineClass::Paragraph && r == "list-in-body"), "{got:?}");
        assert_eq!(got[6].0, LineClass::Boilerplate);
    }

    #[test]
    fn a_list_with_group_titles_closing_the_article_stays() {
        let plan = [
            "Breakfast",
            "Eat by 8 am",
            "2 eggs, 1 slice of toast, 1 cup of tea",
            "Lunch",
            "Eat by 1 pm",
            "1 bowl of fish soup, 2 crackers, 1 apple",
            "Dinner",
            "Eat by 7 pm",
            "3 oz. of grilled fish, 1 cup of rice, ½ cup of peas",
        ];
        let text = format!("{P1}\n{P2}\n{}\nHome\nContact", plan.join("\n"));
        let got = classes(&text);
        assert!(
            got[2..11].iter().all(|(c, _)| matches!(c, LineClass::Paragraph | LineClass::Heading)),
            "{got:?}"
        );
        assert_eq!(got[2], (LineClass::Heading, "list-title".into()));
        assert_eq!(got[4], (LineClass::Paragraph, "list-in-body".into()));
        assert_eq!(got[11].1, "outside-article");
        assert_eq!(got[12].1, "outside-article");
    }

    #[test]
    fn headlines_of_other_stories_are_not_a_list() {
        let text = format!(
            "{P1}\n{P2}\n{P3}\n10 Secrets Of The Island Ferry Crew\nHarbour Library Opens 3 New Rooms\nThe 5 Best Walks Around The Old Quay"
        );
        assert_eq!(kept(&text), [P1, P2, P3]);
    }

    #[test]
    fn a_list_of_other_stories_ends_the_article() {
        let text = format!(
            "{P1}\n{P2}\n{P3}\nYou may also like\nFerry fares to rise in spring\nThe operator will raise fares by a tenth from April, it said.\nIsland school gets a new roof\nBuilders finished the work on the school a week early."
        );
        assert_eq!(kept(&text), [P1, P2, P3]);
        let got = classes(&text);
        assert!(got[3..].iter().all(|(_, r)| r == "related-section"), "{got:?}");
    }

    #[test]
    fn the_list_of_sources_after_the_article_goes() {
        let text = format!(
            "{P1}\n{P2}\n{P3}\nSources:\nHarbour Authority, \"Annual report on crossings,\" accessed March 3\nInterview with the ferry operator's spokeswoman, who answered our questions by email, March 4\nIsland Council, minutes of the transport committee meeting, Feb. 12"
        );
        assert_eq!(kept(&text), [P1, P2, P3]);
        let got = classes(&text);
        assert_eq!(got[3].1, "source-list");
        assert!(got[4..].iter().all(|(c, _)| *c == LineClass::Boilerplate), "{got:?}");
    }

    #[test]
    fn a_note_about_the_author_goes_with_its_header() {
        let bio = "Jane Roe has written about the island, its ferries and its harbour for many years, and she lives in a cottage above the quay with two cats.";
        let text = format!("{P1}\n{P2}\nAbout Jane Roe\n{bio}\n{P3}");
        let got = classes(&text);
        assert_eq!(got[2], (LineClass::Boilerplate, "author-bio".into()));
        assert_eq!(got[3], (LineClass::Boilerplate, "author-bio".into()));
        assert_eq!(got[4].0, LineClass::Paragraph);
    }

    #[test]
    fn a_single_link_before_the_last_paragraph_does_not_end_the_article() {
        let text = format!("{P1}\n{P2}\nRelated links\nHarbour authority website\n{P3}");
        assert!(kept(&text).contains(&P3.to_string()), "{:?}", classes(&text));
    }

    #[test]
    fn a_box_of_links_inside_the_article_leaves_the_rest() {
        let text = format!(
            "{P1}\nDon't miss\nFerry fares to rise in spring\nIsland school gets a new roof\n{P2}\n{P3}\nMore in Harbour News\nQuay works delayed again"
        );
        assert_eq!(kept(&text), [P1, P2, P3]);
        let got = classes(&text);
        assert_eq!(got[1].1, "related-section");
        assert_eq!(got[3].1, "related-section");
        assert_eq!(got[6].0, LineClass::Boilerplate);
    }

    #[test]
    fn short_items_before_a_closing_sentence_stay() {
        let items = [
            "More crossings on weekdays for workers",
            "A later boat on Friday nights",
            "Children under five will travel for free on every boat.",
        ];
        let text = format!("{P1}\n{P2}\n{}", items.join("\n"));
        assert_eq!(kept(&text).len(), 5, "{:?}", classes(&text));
    }

    #[test]
    fn a_table_between_paragraphs_does_not_split_the_article() {
        let rows: Vec<String> = (1..=8)
            .map(|i| format!("Crossing {i}: left the quay at {}:10, arrived {}:40", 6 + i, 6 + i))
            .collect();
        let text = format!("Home\nNews\n{P1}\n{}\n{P2}\n{P3}\nContact", rows.join("\n"));
        let got = kept(&text);
        assert_eq!(got.len(), 11, "{got:?}");
        assert_eq!(got[0], P1);
        assert_eq!(got[10], P3);
    }

    #[test]
    fn headlines_in_a_row_between_paragraphs_are_teasers() {
        let box_ = "Island Ferry Operator Names New Chief Executive\nPhotos: Storm Damage Along the Old Quay\nHarbour Library Reopens After Roof Repairs";
        let text = format!("{P1}\n{P2}\n{box_}\n{P3}");
        assert_eq!(kept(&text), [P1, P2, P3]);
        assert!(classes(&text)[2..5].iter().all(|(_, r)| r == "teaser-run"), "{:?}", classes(&text));
    }

    #[test]
    fn a_list_the_article_announces_is_not_a_teaser_box() {
        let intro = "The operator listed what changes on the island boats from next month:";
        let items = "Earlier crossings on weekday mornings\nA later boat home on Friday nights\nCheaper tickets for island pupils";
        let text = format!("{P1}\n{intro}\n{items}\n{P3}");
        assert_eq!(kept(&text).len(), 6, "{:?}", classes(&text));
        // Items that read as prose (full of function words) stay without an introduction too.
        let items = "You will get to the quay before the school bell\nYour ticket is good for the whole of the day\nThere is a later boat for those who work in town";
        let text = format!("{P1}\n{P2}\n{items}\n{P3}");
        assert_eq!(kept(&text).len(), 6, "{:?}", classes(&text));
    }

    #[test]
    fn the_line_before_a_bare_credit_is_the_photos_caption() {
        let caption =
            "The new ferry, left, and the old one, right, moored side by side at the quay on Tuesday morning";
        for credit in
            ["Jane Roe | Harbour Press | Getty Images", "(Image: © Harbour Press)", "Photo: Jane Roe"]
        {
            let text = format!("{P1}\n{caption}\n{credit}\n{P2}");
            assert_eq!(kept(&text), [P1, P2], "{credit}");
            assert_eq!(classes(&text)[1], (LineClass::Caption, "caption-before-credit".into()));
        }
    }

    #[test]
    fn a_paragraph_before_a_described_photo_or_first_in_the_article_stays() {
        // The credit belongs to a caption of its own ("Jo Bell (Credit: …)"), or heads the
        // photo ("Image copyright …"): the line before is body.
        for credit in ["Ferry captain Jo Bell (Credit: Harbour Press)", "Image copyright Harbour Press"] {
            let text = format!("{P1}\n{P2}\n{credit}\n{P3}");
            assert!(kept(&text).contains(&P2.to_string()), "{credit}: {:?}", classes(&text));
        }
        // The article's first line beside its lead photo is the article's.
        let text = format!("{P1}\nPhoto: Jane Roe\n{P2}");
        assert_eq!(kept(&text), [P1, P2]);
    }

    #[test]
    fn a_long_caption_ending_with_a_credit_is_a_caption() {
        let caption = format!(
            "Plan of the new ferry: {} Credit: Harbour Board",
            "(1) the passenger deck, (2) the car deck, (3) the bridge, (4) the engine room, (5) the cafe. "
                .repeat(5)
        );
        let text = format!("{P1}\n{caption}\n{P2}");
        assert_eq!(classes(&text)[1], (LineClass::Caption, "photo-caption".into()));
    }

    #[test]
    fn a_title_and_blurb_over_an_age_are_a_story_card() {
        let card = "Island school gets a new roof\nBuilders finished the work on the island school a week early, the council said.\n2H ago";
        let text = format!("{P1}\n{P2}\n{card}\n{P3}");
        assert_eq!(kept(&text), [P1, P2, P3], "{:?}", classes(&text));
        let got = classes(&text);
        assert_eq!(got[2].1, "story-card");
        assert_eq!(got[3].1, "story-card");
        assert_eq!(got[4].1, "dateline");
        // A subheading and its paragraph with a date under them (not an age) stay.
        let text = format!("{P1}\nThe new timetable\n{P2}\nUpdated March 3\n{P3}");
        assert_eq!(kept(&text).len(), 4, "{:?}", classes(&text));
    }

    #[test]
    fn a_post_quoted_at_the_end_of_the_article_stays() {
        let post = "The first boat of the new timetable is leaving the quay now! pic.example/abc123";
        let by = "— Harbour Ferries (@harbourferries) March 3, 2021";
        let text = format!("Home\nNews\n{P1}\n{P2}\n{post}\n{by}\nMost popular\nContact");
        assert_eq!(kept(&text), [P1, P2, post, by], "{:?}", classes(&text));
        assert_eq!(classes(&text)[5], (LineClass::Paragraph, "embedded-post".into()));
        // Without the attribution, a short line after the article is not taken in.
        let text = format!("Home\nNews\n{P1}\n{P2}\nFerry photos of the week\nMost popular\nContact");
        assert_eq!(kept(&text), [P1, P2], "{:?}", classes(&text));
    }

    #[test]
    fn a_pop_up_card_run_into_a_paragraph_is_cut_out_and_kept_as_removed() {
        let line = "The ferry bill was backed by Rep. Jane RoeJane RoeFerry vote delayed | Quay works stall again MORE (D-Isle.), who said the island had waited long enough for a better crossing.";
        let article = parse_seed("t.txt", &format!("{P1}\n{line}\n{P2}")).unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        let cleaned = clean(&article, &cleaner);
        assert_eq!(
            cleaned.blocks[1].text,
            "The ferry bill was backed by Rep. Jane Roe (D-Isle.), who said the island had waited long enough for a better crossing."
        );
        assert_eq!(cleaned.removed.len(), 1);
        assert_eq!(cleaned.removed[0].reason, "hover-card");
        assert_eq!(cleaned.removed[0].text, "Jane RoeFerry vote delayed | Quay works stall again MORE");
        assert_eq!(cleaned.removed[0].line, 2);
        assert!(explain(&article, &cleaner).contains("cut         hover-card"));
    }

    #[test]
    fn one_line_quote_paragraph_stays() {
        let text = format!("{P1}\n“It is about time we had it,” she said.\n{P2}");
        assert_eq!(kept(&text).len(), 3);
    }

    #[test]
    fn comment_section_ends_the_article() {
        let text = format!(
            "{P1}\n{P2}\n3 Comments\nharbourfan says:\nThis is the best news the island has had in years and I hope it lasts for good.\nWe will see whether the operator keeps its promise this time, since it did not last year."
        );
        assert_eq!(kept(&text), [P1, P2]);
    }

    #[test]
    fn an_article_without_prose_is_kept_by_length() {
        let text = "North Harbour 3, Quay Rovers 1 (Tamsin Lee 2, Owen Park 1; Rovers: Ada Quin 1)\nQuay Rovers (2-1): Ada Quin 4 saves. Owen Park 2 tackles. Bea Ross 1 assist.\nIsland Athletic 0, Ferry Town 0 (no goals; 3 yellow cards, 1 red card issued)";
        assert_eq!(kept(text).len(), 3);
    }

    #[test]
    fn rows_before_the_first_long_row_of_an_article_without_prose_stay() {
        let text = "Boys football\nNorth Harbour d. Quay Rovers 3-1\nQuay Rovers 1 0 – 1\nNorth Harbour 2 1 – 3\nNorth Harbour (2-1): Tamsin Lee 2 goals, Owen Park 1 goal, Ada Quin 4 saves, Bea Ross 1 assist.\nQuay Rovers (1-2): Cal Moss 1 goal. Bea Ross 6 saves. Dee Hart 2 tackles. Eli Dunn 1 assist.";
        let got = classes(text);
        assert_eq!(got[0], (LineClass::Heading, "list-title".into()));
        assert!(got.iter().all(|(c, _)| matches!(c, LineClass::Paragraph | LineClass::Heading)), "{got:?}");
    }

    #[test]
    fn german_prose_is_measured_with_german_function_words() {
        let de1 = "Die Fähre zwischen der Insel und dem Hafen soll ab dem nächsten Monat zweimal am Tag fahren, teilte der Betreiber am Dienstag mit.";
        let de2 = "Die Bewohner hatten sich eine frühere Verbindung am Morgen gewünscht, damit die Kinder pünktlich in der Schule sein können.";
        let text = format!("Startseite\nPolitik\nWirtschaft\n{de1}\n{de2}\nImpressum");
        let article = parse_seed("t.txt", &text).unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        let got = cleaner.classify(&article);
        assert_eq!(got[3].language, "de");
        assert!(got[3].features.stopword_ratio > 0.3, "{:?}", got[3].features);
        assert_eq!(kept(&text), [de1, de2]);
    }

    #[test]
    fn japanese_sentences_are_prose() {
        let ja1 = "島と港町を結ぶフェリーは来月から一日二便になると、運航会社が火曜日に発表した。冬の間に桟橋の修理が行われていた。";
        let ja2 = "住民は子どもたちが時間通りに学校へ着けるように朝の便を早めてほしいと求めており、町は燃料費を負担することに同意した。";
        let text = format!("ホーム\nニュース\nスポーツ\n{ja1}\n{ja2}\nお問い合わせ");
        assert_eq!(kept(&text), [ja1, ja2]);
    }

    #[test]
    fn outlet_patterns_come_first() {
        let site = CleanOverrides {
            drop: vec![],
            keep: vec![crate::config::PatternRule { name: "keep-notes".into(), pattern: "^Note:".into() }],
        };
        let outlet = CleanOverrides {
            drop: vec![crate::config::PatternRule {
                name: "harbour-ad".into(),
                pattern: "^Note: ferry".into(),
            }],
            keep: vec![],
        };
        let base = Cleaner::new(&site).unwrap();
        let cleaner = base.with_overrides(&outlet, "content/sources/x.md").unwrap();
        let article =
            parse_seed("t.txt", &format!("{P1}\nNote: ferry tickets on sale now\nNote: times may change"))
                .unwrap();
        let got: Vec<_> = cleaner.classify(&article).into_iter().map(|d| d.reason).collect();
        assert_eq!(got[1], "harbour-ad");
        assert_eq!(got[2], "keep-notes");
        let bad = CleanOverrides {
            drop: vec![crate::config::PatternRule { name: "broken".into(), pattern: "[".into() }],
            keep: vec![],
        };
        let err = base.with_overrides(&bad, "content/sources/x.md").err().unwrap().to_string();
        assert!(err.contains("content/sources/x.md") && err.contains("broken"), "{err}");
    }

    #[test]
    fn reclean_applies_only_to_outlets_with_patterns() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/sources")).unwrap();
        std::fs::write(
            dir.path().join("content/sources/harbour-news.md"),
            "+++\nname = \"Harbour News\"\n[[clean.drop]]\nname = \"house-ad\"\npattern = \"^The operator\"\n+++\n",
        )
        .unwrap();
        let content = Content::load(dir.path()).unwrap();
        let a = parse_seed("a.txt", &format!("{P1}\n{P2}\n{P3}")).unwrap();
        let b = a.clone();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        let articles = [a, b];
        let mut cleaned: Vec<_> = articles.iter().map(|x| clean(x, &cleaner)).collect();
        let n = reclean_for_outlets(&articles, &mut cleaned, &["harbour-news", "other"], &cleaner, &content)
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(cleaned[0].removed[0].reason, "house-ad");
        assert_eq!(cleaned[0].blocks.len() + cleaned[0].removed.len(), 3);
        assert!(cleaned[1].removed.is_empty());
    }

    fn headline_and(paragraphs: &[&str]) -> String {
        format!("Harbour ferry back\n\n{}\n", paragraphs.join("\n"))
    }

    #[test]
    fn a_one_paragraph_article_is_kept() {
        for p in [P1, "The ferry to the island ran again on Monday, the operator said."] {
            assert_eq!(kept(&headline_and(&[p])), [p]);
        }
    }

    #[test]
    fn a_two_paragraph_article_is_kept() {
        let short =
            ["The ferry to the island ran again on Monday, the operator said.", "Few people were aboard."];
        assert_eq!(kept(&headline_and(&short)), short);
        for last in ["Few people were aboard.", "Nobody was hurt."] {
            let mixed = [P1, last];
            assert_eq!(kept(&headline_and(&mixed)), mixed);
        }
        let long = [P1, P2];
        assert_eq!(kept(&headline_and(&long)), long);
        let with_a_number = ["The gale sank at least 7 boats in the harbour on Sunday, the port said.", P2];
        assert_eq!(kept(&headline_and(&with_a_number)), with_a_number);
    }

    #[test]
    fn a_three_paragraph_article_is_kept() {
        let short = [
            "The ferry to the island ran again on Monday.",
            "It had been stopped by storms for a week.",
            "Tickets cost the same as before, the operator said.",
        ];
        assert_eq!(kept(&headline_and(&short)), short);
        let mixed = ["The ferry to the island ran again on Monday.", P2, "The first crossing left at seven."];
        assert_eq!(kept(&headline_and(&mixed)), mixed);
    }

    #[test]
    fn an_article_of_short_paragraphs_is_kept_and_its_junk_still_goes() {
        let body = [
            "The library on Quay Street opened its doors again.",
            "The roof had leaked since March.",
            "Volunteers moved the books upstairs.",
            "“We lost almost nothing,” the librarian said.",
            "Opening hours are unchanged.",
        ];
        let mut lines: Vec<&str> = body.to_vec();
        lines.insert(2, "Share this article");
        lines.push("More stories");
        let text = headline_and(&lines);
        assert_eq!(kept(&text), body);
        let got = classes(&text);
        assert_eq!(got[2].1, "share-prompt");
        assert_eq!(got.last().unwrap().0, LineClass::Boilerplate);
    }

    #[test]
    fn clean_keeps_every_line_somewhere() {
        let article =
            parse_seed("t.txt", &format!("{BODY}\nShare this article\nThe army responds\n{BODY}")).unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        let cleaned = clean(&article, &cleaner);
        assert_eq!(cleaned.blocks.len() + cleaned.removed.len(), article.lines.len());
        assert_eq!(cleaned.removed[0].reason, "share-prompt");
        assert_eq!(cleaned.blocks[1].kind, BlockKind::Heading);
    }
}
