//! Clean: classify every line of a `RawArticle` as body paragraph, subheading, caption or
//! boilerplate, and keep each removed line with the name of the rule that removed it.
//!
//! Rules are general: the shape of a line (length, closing punctuation, capitals), its
//! vocabulary (the table in `rules.rs`), its position, and repetition across articles.
//! Editors add patterns of their own in `brief.toml` (`[clean] drop/keep`).

mod rules;

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use regex::Regex;
use serde::Serialize;

use crate::config::CleanOverrides;
use crate::model::{Block, BlockKind, CleanedArticle, RawArticle, RemovedLine};
use crate::text::{is_stopword, words};

pub use rules::RULES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineClass {
    Paragraph,
    Heading,
    Caption,
    Boilerplate,
}

/// What the cleaner measured on a line; `brief explain` prints it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Features {
    pub words: usize,
    pub chars: usize,
    /// Share of words that are common function words ("the", "of", "said").
    pub stopword_ratio: f32,
    /// Ends like a sentence: `.`, `!`, `?` (before closing quotes or brackets).
    pub sentence_end: bool,
    pub starts_upper: bool,
}

/// The cleaner's verdict on one line.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub line: usize,
    pub text: String,
    pub class: LineClass,
    /// The rule that decided; for kept paragraphs, `body`.
    pub reason: String,
    pub features: Features,
}

/// Lines seen in this many different seeds are boilerplate whatever their shape.
const REPEATED_IN_SEEDS: usize = 3;
/// Short or unfinished lines need only appear in two seeds.
const REPEATED_SHORT_WORDS: usize = 15;
/// The last lines of an article, where bios and credits sit.
const TAIL_LINES: usize = 3;

pub struct Cleaner {
    drop: Vec<(String, Regex)>,
    keep: Vec<(String, Regex)>,
    repeated: HashSet<String>,
}

impl Cleaner {
    /// A cleaner with the editor's patterns from `brief.toml`.
    pub fn new(overrides: &CleanOverrides) -> Result<Cleaner> {
        let compile = |rules: &[crate::config::PatternRule], what: &str| -> Result<Vec<(String, Regex)>> {
            rules
                .iter()
                .map(|rule| {
                    Regex::new(&rule.pattern).map(|re| (rule.name.clone(), re)).with_context(|| {
                        format!("brief.toml: [clean] {what} rule `{}` has a bad pattern", rule.name)
                    })
                })
                .collect()
        };
        Ok(Cleaner {
            drop: compile(&overrides.drop, "drop")?,
            keep: compile(&overrides.keep, "keep")?,
            repeated: HashSet::new(),
        })
    }

    /// Learns which lines repeat across seeds (site furniture, house promos).
    pub fn learn_repeats(&mut self, articles: &[RawArticle]) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for article in articles {
            let mut in_this: HashSet<String> = HashSet::new();
            for line in &article.lines {
                in_this.insert(repeat_key(&line.text));
            }
            for key in in_this {
                *seen.entry(key).or_default() += 1;
            }
        }
        self.repeated = seen
            .into_iter()
            .filter(|(key, count)| {
                let words = key.split(' ').count();
                *count >= REPEATED_IN_SEEDS || (*count >= 2 && words <= REPEATED_SHORT_WORDS)
            })
            .map(|(key, _)| key)
            .collect();
    }

    /// Classifies every line of an article.
    pub fn classify(&self, article: &RawArticle) -> Vec<Decision> {
        let features: Vec<Features> = article.lines.iter().map(|l| measure(&l.text)).collect();
        let count = article.lines.len();
        let mut decisions: Vec<Decision> = article
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let (class, reason) = self.rule_for(&line.text, &features[i], count - i <= TAIL_LINES);
                Decision {
                    line: line.number,
                    text: line.text.clone(),
                    class,
                    reason,
                    features: features[i].clone(),
                }
            })
            .collect();
        self.shape_pass(&mut decisions);
        decisions
    }

    /// Vocabulary and editor rules; `None` means "decide by shape".
    fn rule_for(&self, text: &str, features: &Features, in_tail: bool) -> (LineClass, String) {
        if let Some((name, _)) = self.drop.iter().find(|(_, re)| re.is_match(text)) {
            return (LineClass::Boilerplate, name.clone());
        }
        if let Some((name, _)) = self.keep.iter().find(|(_, re)| re.is_match(text)) {
            return (LineClass::Paragraph, name.clone());
        }
        for rule in rules::rules() {
            if features.words > rule.max_words {
                continue;
            }
            if rule.position == rules::Position::Tail && !in_tail {
                continue;
            }
            if rule.regex.is_match(text) {
                return (rule.class, rule.name.to_string());
            }
        }
        if self.repeated.contains(&repeat_key(text)) {
            return (LineClass::Boilerplate, "repeated-line".to_string());
        }
        (LineClass::Paragraph, String::new())
    }

    /// Lines no rule named: subheadings, stray fragments, body text.
    fn shape_pass(&self, decisions: &mut [Decision]) {
        let count = decisions.len();
        for i in 0..count {
            if decisions[i].class != LineClass::Paragraph || !decisions[i].reason.is_empty() {
                continue;
            }
            let f = &decisions[i].features;
            let next_is_body = decisions[i + 1..]
                .iter()
                .find(|d| d.class == LineClass::Paragraph)
                .is_some_and(|d| is_body_shaped(&d.features));
            let (class, reason) = if is_body_shaped(f) {
                (LineClass::Paragraph, "body")
            } else if is_heading_shaped(f, &decisions[i].text) && next_is_body {
                (LineClass::Heading, "subheading")
            } else if f.words >= 8 && f.stopword_ratio >= 0.25 {
                // An unfinished sentence, still prose ("… the city said"): keep it.
                (LineClass::Paragraph, "body")
            } else {
                (LineClass::Boilerplate, "short-fragment")
            };
            decisions[i].class = class;
            decisions[i].reason = reason.to_string();
        }
    }
}

/// Runs the classifier and splits its verdicts into kept blocks and removed lines.
pub fn clean(article: &RawArticle, cleaner: &Cleaner) -> CleanedArticle {
    let mut blocks = Vec::new();
    let mut removed = Vec::new();
    for decision in cleaner.classify(article) {
        match decision.class {
            LineClass::Paragraph | LineClass::Heading => blocks.push(Block {
                kind: if decision.class == LineClass::Heading {
                    BlockKind::Heading
                } else {
                    BlockKind::Paragraph
                },
                text: decision.text,
                line: decision.line,
            }),
            LineClass::Caption | LineClass::Boilerplate => removed.push(RemovedLine {
                text: decision.text,
                reason: decision.reason,
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

fn is_body_shaped(f: &Features) -> bool {
    f.sentence_end && f.words >= 4
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

/// Lower-cased letters and digits, single-spaced: two lines that differ only in punctuation
/// or case repeat.
fn repeat_key(text: &str) -> String {
    words(text).map(|w| w.to_lowercase()).collect::<Vec<_>>().join(" ")
}

pub fn measure(text: &str) -> Features {
    let mut word_count = 0;
    let mut stop = 0;
    for word in words(text) {
        word_count += 1;
        if is_stopword(word) {
            stop += 1;
        }
    }
    let trimmed = text.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»', ' ']);
    let sentence_end = trimmed.ends_with(['.', '!', '?', '…', '。', '！', '？']);
    Features {
        words: word_count,
        chars: text.chars().count(),
        stopword_ratio: if word_count == 0 { 0.0 } else { stop as f32 / word_count as f32 },
        sentence_end,
        starts_upper: text
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(|c| c.is_uppercase() || c.is_numeric()),
    }
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
    fn bylines_but_not_sentences_starting_with_by() {
        let text = format!(
            "By Jane Roe, Staff Writer\n{BODY}\nBy Friday, the factions had extended their control over fifty towns."
        );
        let got = classes(&text);
        assert_eq!(got[0].1, "byline");
        assert_eq!(got[2].0, LineClass::Paragraph);
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
    fn repeated_lines_across_seeds_are_boilerplate() {
        let a = parse_seed("a.txt", &format!("{BODY}\nValley Gazette local desk")).unwrap();
        let b = parse_seed(
            "b.txt",
            "The mayor said the rail line will close for a week in June.\nValley Gazette local desk",
        )
        .unwrap();
        let mut cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        cleaner.learn_repeats(&[a.clone(), b]);
        let got = cleaner.classify(&a);
        assert_eq!(got[1].reason, "repeated-line");
        assert_eq!(got[0].class, LineClass::Paragraph);
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
