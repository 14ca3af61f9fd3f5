//! Topics: which topic each paragraph belongs to.
//!
//! Topics come from `brief.toml` and `content/topics/*.md` (title, keywords, order). Assignment
//! is per paragraph but reads the article's structure: a subheading opens a section whose
//! topic is what the section as a whole is about; a lone paragraph that mentions another
//! place stays with its story; only a run of paragraphs clearly about another topic moves.
//! Keywords match whole words, case-insensitively; a trailing `*` matches a prefix
//! (`Leban*` finds Lebanon and Lebanese).

use std::borrow::Cow;
use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::config::Config;
use crate::content::Content;
use crate::model::{Block, BlockKind};
use crate::text::{WordMap, ascii_words};

#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub keywords: Vec<String>,
    pub order: i64,
}

/// The slug of the page that collects paragraphs no topic claimed.
pub const OTHER_SLUG: &str = "other";

/// Topics from config, then from `content/topics/*.md` (which may add topics, retitle them or
/// add keywords), sorted by `order` and then by where they were declared.
pub fn topics_from(config: &Config, content: &Content) -> anyhow::Result<Vec<Topic>> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for topic in &config.topics {
        if let Some(problem) = slug_problem(&topic.slug) {
            problems.push(format!("brief.toml: topic slug `{}` {problem}", topic.slug));
        } else if !seen.insert(topic.slug.as_str()) {
            problems.push(format!(
                "brief.toml: topic slug `{}` is used twice; slugs name pages and must differ",
                topic.slug
            ));
        }
    }
    for (slug, page) in &content.topics {
        if let Some(problem) = slug_problem(slug) {
            problems.push(format!("{}: the file name gives topic slug `{slug}`, which {problem}", page.path));
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("\n"));
    }
    Ok(merge(config, content))
}

/// Why a slug cannot name a page folder, if it cannot.
fn slug_problem(slug: &str) -> Option<&'static str> {
    if slug.is_empty() {
        Some("is empty")
    } else if !slug.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        Some("may hold only letters, digits, `-` and `_`")
    } else if slug == OTHER_SLUG {
        Some("is reserved for the page of unassigned paragraphs")
    } else {
        None
    }
}

fn merge(config: &Config, content: &Content) -> Vec<Topic> {
    let mut topics: Vec<Topic> = config
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| Topic {
            slug: t.slug.clone(),
            title: t.title.clone(),
            keywords: t.keywords.clone(),
            order: t.order.unwrap_or(i as i64),
        })
        .collect();
    for (slug, page) in &content.topics {
        let declared = topics.len() as i64;
        let topic = match topics.iter_mut().find(|t| &t.slug == slug) {
            Some(topic) => topic,
            None => {
                topics.push(Topic {
                    slug: slug.clone(),
                    title: slug.clone(),
                    keywords: Vec::new(),
                    order: declared,
                });
                topics.last_mut().expect("just pushed")
            }
        };
        if let Some(title) = &page.meta.title {
            topic.title = title.clone();
        }
        for keyword in &page.meta.keywords {
            if !topic.keywords.contains(keyword) {
                topic.keywords.push(keyword.clone());
            }
        }
        if let Some(order) = page.meta.order {
            topic.order = order;
        }
    }
    topics.sort_by_key(|t| t.order);
    topics
}

/// Keyword phrases tokenised once, indexed by their first word.
pub struct Matcher {
    topic_count: usize,
    by_first: WordMap<String, Phrases>,
    /// Prefix keywords (`Leban*`) of one word, checked against every word.
    prefixes: Vec<(usize, String)>,
    /// For ASCII text (most paragraphs): every first word and prefix found in one scan, rather
    /// than every word of the text looked up (half the topic stage's time was hashing words
    /// that are no keyword). `None` when no keyword word is ASCII (or the search could not be
    /// built): ASCII text is then read word by word.
    ascii: Option<AsciiFirsts>,
}

/// The distinct ASCII first words and prefixes of the keywords, each a pattern of `searcher`.
struct AsciiFirsts {
    searcher: AhoCorasick,
    /// Per pattern: the phrases it is the first word of (`by_first`'s), and the topics of the
    /// prefixes it is.
    patterns: Vec<(Phrases, Vec<usize>)>,
}

/// Keyword phrases, tokenised, with their topics.
type Phrases = Vec<(usize, Vec<Token>)>;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Prefix(String),
}

impl Matcher {
    pub fn new(topics: &[Topic]) -> Matcher {
        let mut by_first: WordMap<String, Phrases> = WordMap::default();
        let mut prefixes = Vec::new();
        for (index, topic) in topics.iter().enumerate() {
            for keyword in &topic.keywords {
                let mut tokens: Vec<Token> = words(keyword).map(Token::Word).collect();
                if keyword.trim_end().ends_with('*')
                    && let Some(Token::Word(last)) = tokens.pop()
                {
                    tokens.push(Token::Prefix(last));
                }
                match tokens.first() {
                    Some(Token::Word(first)) => {
                        by_first.entry(first.clone()).or_default().push((index, tokens))
                    }
                    Some(Token::Prefix(prefix)) if tokens.len() == 1 => {
                        prefixes.push((index, prefix.clone()))
                    }
                    _ => {}
                }
            }
        }
        let ascii = AsciiFirsts::new(&by_first, &prefixes);
        Matcher { topic_count: topics.len(), by_first, prefixes, ascii }
    }

    /// Keyword hits per topic in a text.
    pub fn hits(&self, text: &str) -> Vec<u32> {
        let mut hits = vec![0; self.topic_count];
        // ASCII text (most paragraphs) is lower-cased whole, once, and searched for the
        // keywords' first words (or, without that search, cut into words byte by byte); other
        // text word by word, where lower-casing may change a word's length.
        let lowered;
        let tokens: Vec<Cow<str>> = if text.is_ascii() {
            lowered = text.to_ascii_lowercase();
            if let Some(firsts) = &self.ascii {
                self.ascii_hits(firsts, &lowered, &mut hits);
                return hits;
            }
            ascii_words(&lowered).map(Cow::Borrowed).collect()
        } else {
            // Most words are lower-case already: those are borrowed, not copied.
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| {
                    if w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                        Cow::Borrowed(w)
                    } else {
                        Cow::Owned(w.to_lowercase())
                    }
                })
                .collect()
        };
        for (i, word) in tokens.iter().enumerate() {
            if let Some(candidates) = self.by_first.get(word.as_ref()) {
                for (topic, phrase) in candidates {
                    if phrase_matches(phrase, &tokens[i..]) {
                        hits[*topic] += 1;
                    }
                }
            }
            for (topic, prefix) in &self.prefixes {
                if word.starts_with(prefix.as_str()) {
                    hits[*topic] += 1;
                }
            }
        }
        hits
    }

    /// `hits` of lower-cased ASCII text: where a first word or prefix is found at the start of
    /// a word (and, for a word, to its end), its phrases are compared with the words after it.
    fn ascii_hits(&self, firsts: &AsciiFirsts, lowered: &str, hits: &mut [u32]) {
        let bytes = lowered.as_bytes();
        let is_word_byte = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_alphanumeric);
        for found in firsts.searcher.find_overlapping_iter(lowered) {
            if found.start() > 0 && is_word_byte(found.start() - 1) {
                continue;
            }
            let (candidates, prefix_topics) = &firsts.patterns[found.pattern().as_usize()];
            for &topic in prefix_topics {
                hits[topic] += 1;
            }
            if candidates.is_empty() || is_word_byte(found.end()) {
                continue;
            }
            for (topic, phrase) in candidates {
                let mut rest = ascii_words(&lowered[found.end()..]);
                let matches = phrase[1..].iter().all(|token| {
                    rest.next().is_some_and(|word| match token {
                        Token::Word(w) => w == word,
                        Token::Prefix(prefix) => word.starts_with(prefix.as_str()),
                    })
                });
                if matches {
                    hits[*topic] += 1;
                }
            }
        }
    }
}

impl AsciiFirsts {
    fn new(by_first: &WordMap<String, Phrases>, prefixes: &[(usize, String)]) -> Option<Self> {
        // One pattern per distinct string: a word that is both a first word and a prefix is
        // found once, and counted as both.
        let mut patterns: BTreeMap<&str, (Phrases, Vec<usize>)> = BTreeMap::new();
        for (first, phrases) in by_first {
            patterns.entry(first).or_default().0 = phrases.clone();
        }
        for (topic, prefix) in prefixes {
            patterns.entry(prefix).or_default().1.push(*topic);
        }
        // A keyword word with a character outside ASCII never matches ASCII text. (Keyword
        // words are never empty: `words` leaves none.)
        patterns.retain(|pattern, _| pattern.is_ascii());
        if patterns.is_empty() {
            return None;
        }
        let searcher = AhoCorasick::builder().match_kind(MatchKind::Standard).build(patterns.keys()).ok()?;
        Some(AsciiFirsts { searcher, patterns: patterns.into_values().collect() })
    }
}

fn phrase_matches(phrase: &[Token], tokens: &[Cow<str>]) -> bool {
    phrase.len() <= tokens.len()
        && phrase.iter().zip(tokens).all(|(p, t)| match p {
            Token::Word(w) => w == t.as_ref(),
            Token::Prefix(prefix) => t.starts_with(prefix.as_str()),
        })
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase())
}

/// A heading's words count this many times toward its section's topic.
const HEADING_WEIGHT: u32 = 3;
/// Hits a paragraph needs on another topic to start a move out of its section.
const MOVE_MIN_HITS: u32 = 2;

/// The topic (index into `topics`) of every block of one article.
pub fn assign(headline: Option<&str>, blocks: &[Block], matcher: &Matcher) -> Vec<Option<usize>> {
    let hits: Vec<Vec<u32>> = blocks.iter().map(|b| matcher.hits(&b.text)).collect();
    let zero = vec![0; matcher.topic_count];

    // The story's topic: the whole text, with the headline and lead counted twice.
    let mut article_hits = headline.map(|h| scale(&matcher.hits(h), 2)).unwrap_or_else(|| zero.clone());
    for (i, h) in hits.iter().enumerate() {
        add(&mut article_hits, &if i < 2 { scale(h, 2) } else { h.clone() });
    }
    let article_topic = leader(&article_hits, 2);

    // Sections open at each heading.
    let mut starts: Vec<usize> =
        blocks.iter().enumerate().filter(|(_, b)| b.kind == BlockKind::Heading).map(|(i, _)| i).collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut topics = vec![None; blocks.len()];
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(blocks.len());
        let mut section_hits = zero.clone();
        for i in start..end {
            let weight = if blocks[i].kind == BlockKind::Heading { HEADING_WEIGHT } else { 1 };
            add(&mut section_hits, &scale(&hits[i], weight));
        }
        let section_topic = leader(&section_hits, 2).or(article_topic);
        for slot in &mut topics[start..end] {
            *slot = section_topic;
        }
        move_clear_runs(&hits[start..end], &mut topics[start..end], section_topic);
    }
    topics
}

/// Two or more consecutive paragraphs clearly about another topic move to it.
fn move_clear_runs(hits: &[Vec<u32>], topics: &mut [Option<usize>], section: Option<usize>) {
    let clearly = |h: &Vec<u32>| -> Option<usize> {
        let current = section.map(|s| h[s]).unwrap_or(0);
        let best = leader(h, MOVE_MIN_HITS)?;
        (Some(best) != section && h[best] > current * 2).then_some(best)
    };
    let mut i = 0;
    while i < hits.len() {
        let Some(topic) = clearly(&hits[i]) else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while end < hits.len() && clearly(&hits[end]) == Some(topic) {
            end += 1;
        }
        if end - i >= 2 {
            for slot in &mut topics[i..end] {
                *slot = Some(topic);
            }
        }
        i = end;
    }
}

/// The topic with most hits, if it has at least `min` and no other ties it.
fn leader(hits: &[u32], min: u32) -> Option<usize> {
    let (best, &max) = hits.iter().enumerate().max_by_key(|(i, h)| (**h, std::cmp::Reverse(*i)))?;
    let tied = hits.iter().filter(|h| **h == max).count() > 1;
    (max >= min && !tied).then_some(best)
}

fn add(total: &mut [u32], hits: &[u32]) {
    for (t, h) in total.iter_mut().zip(hits) {
        *t += h;
    }
}

fn scale(hits: &[u32], by: u32) -> Vec<u32> {
    hits.iter().map(|h| h * by).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics() -> Vec<Topic> {
        let t = |slug: &str, keywords: &[&str]| Topic {
            slug: slug.into(),
            title: slug.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            order: 0,
        };
        vec![
            t("harbour", &["harbour", "docks", "port authority"]),
            t("river", &["river", "flood*", "bridge"]),
        ]
    }

    fn blocks(lines: &[&str]) -> Vec<Block> {
        lines
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let heading = text.starts_with('#');
                Block::new(
                    if heading { BlockKind::Heading } else { BlockKind::Paragraph },
                    text.trim_start_matches('#').to_string(),
                    i + 1,
                )
            })
            .collect()
    }

    proptest::proptest! {
        /// ASCII text cut byte by byte gives the words of the general path, lower-cased.
        #[test]
        fn ascii_words_are_the_lowercased_words(text in "[ -~]{0,60}") {
            let lowered = text.to_ascii_lowercase();
            let fast: Vec<&str> = ascii_words(&lowered).collect();
            let general: Vec<String> = words(&text).collect();
            proptest::prop_assert_eq!(fast, general);
        }
    }

    proptest::proptest! {
        /// The one-scan search of ASCII text counts what the word-by-word path counts, on text
        /// of keyword pieces in any case and order: words that share a start, prefixes inside
        /// words, phrases cut short, repeated and overlapping keywords.
        #[test]
        fn ascii_scan_counts_what_words_count(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "port", "Port", "PORT", "authority", "Authority", "portal", "ports", "a", "A",
                    "al", "al-", "flood", "Flooding", "flo", "river", "rivers", "bridge-2",
                    "gaza", "Gaza", "city", "City", "2", "x9", "docks", "dock",
                ]),
                0..14,
            ),
            separators in proptest::collection::vec(
                proptest::sample::select(vec![" ", "  ", "-", ", ", "'", ".", "", "_", "\t"]),
                14,
            ),
        ) {
            let topics = vec![
                Topic { slug: "a".into(), title: "a".into(), order: 0, keywords: vec![
                    "port authority".into(), "port".into(), "a".into(), "flood*".into(), "gaza city".into(),
                ] },
                Topic { slug: "b".into(), title: "b".into(), order: 0, keywords: vec![
                    "port*".into(), "flo*".into(), "Gaza".into(), "al*".into(), "city 2".into(), "river x*".into(),
                ] },
                Topic { slug: "c".into(), title: "c".into(), order: 0, keywords: vec![
                    "docks".into(), "port authority".into(), "é*".into(), "Flood".into(), "flo*".into(),
                ] },
            ];
            let matcher = Matcher::new(&topics);
            let text: String = pieces.iter().zip(&separators).map(|(p, s)| format!("{p}{s}")).collect();
            // A character outside ASCII sends the text down the word-by-word path.
            let other = format!("{text} \u{2014}");
            proptest::prop_assert_eq!(matcher.hits(&text), matcher.hits(&other));
        }
    }

    #[test]
    fn ascii_and_other_text_hit_the_same_keywords() {
        let matcher = Matcher::new(&topics());
        // The same words; the second has a character outside ASCII, so takes the general path.
        let ascii =
            "PORT Authority staff said the Flooding near the bridge-2 docks was 'Port authority' work.";
        let other = format!("{ascii} \u{2014}");
        assert_eq!(matcher.hits(ascii), vec![3, 2]);
        assert_eq!(matcher.hits(&other), matcher.hits(ascii));
        assert_eq!(ascii_words("  a1 ,,b--c9z ").collect::<Vec<_>>(), ["a1", "b", "c9z"]);
        assert_eq!(ascii_words("").count(), 0);
    }

    #[test]
    fn phrases_and_prefixes() {
        let matcher = Matcher::new(&topics());
        assert_eq!(matcher.hits("The Port Authority closed the docks."), vec![2, 0]);
        assert_eq!(matcher.hits("Flooding hit the river's banks."), vec![0, 2]);
        assert_eq!(matcher.hits("Nothing here."), vec![0, 0]);
    }

    #[test]
    fn passing_mention_stays_with_the_story() {
        let matcher = Matcher::new(&topics());
        let b = blocks(&[
            "Ships left the harbour as the docks closed.",
            "The harbour master said work stopped at the docks.",
            "Some linked it to the flooding at the river bridge.",
            "The docks reopen on Monday.",
        ]);
        assert_eq!(assign(None, &b, &matcher), vec![Some(0); 4]);
    }

    #[test]
    fn a_section_goes_to_what_it_is_about() {
        let matcher = Matcher::new(&topics());
        let b = blocks(&[
            "Ships left the harbour as the docks closed.",
            "The harbour master said work stopped.",
            "#Water rises downstream",
            "The river burst its banks near the bridge.",
            "Officials at the harbour watched the flood.",
            "Residents were told to leave.",
        ]);
        let got = assign(None, &b, &matcher);
        assert_eq!(got, vec![Some(0), Some(0), Some(1), Some(1), Some(1), Some(1)]);
    }

    #[test]
    fn a_run_without_heading_moves() {
        let matcher = Matcher::new(&topics());
        let b = blocks(&[
            "Ships left the harbour as the docks closed.",
            "The harbour master said the docks stopped work.",
            "Upstream, the river flooded the bridge road.",
            "The river bridge was closed as floods rose.",
        ]);
        assert_eq!(assign(None, &b, &matcher), vec![Some(0), Some(0), Some(1), Some(1)]);
    }

    #[test]
    fn nothing_matches_means_other() {
        let matcher = Matcher::new(&topics());
        let b = blocks(&["A story about bakeries.", "Bread prices rose."]);
        assert_eq!(assign(None, &b, &matcher), vec![None, None]);
    }

    #[test]
    fn content_adds_and_orders_topics() {
        let config = Config {
            topics: vec![crate::config::TopicConfig {
                slug: "a".into(),
                title: "A".into(),
                keywords: vec!["x".into()],
                order: None,
            }],
            ..Config::default()
        };
        let mut content = Content::default();
        content.topics.insert(
            "b".into(),
            crate::content::Page {
                path: "content/topics/b.md".into(),
                meta: crate::content::TopicMeta {
                    title: Some("Bee".into()),
                    order: Some(-1),
                    keywords: vec!["y".into()],
                    ..Default::default()
                },
                body: String::new(),
                rendered: crate::markdown::render(""),
            },
        );
        let got = topics_from(&config, &content).unwrap();
        assert_eq!(got.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Bee", "A"]);
    }

    #[test]
    fn slugs_that_cannot_name_a_page_are_errors() {
        let topic = |slug: &str| crate::config::TopicConfig {
            slug: slug.into(),
            title: "T".into(),
            keywords: vec![],
            order: None,
        };
        for bad in ["../escape", "a/b", "", "other"] {
            let config = Config { topics: vec![topic(bad)], ..Config::default() };
            let err = topics_from(&config, &Content::default()).unwrap_err().to_string();
            assert!(err.starts_with("brief.toml: topic slug"), "{bad}: {err}");
        }
        let config = Config { topics: vec![topic("gaza"), topic("gaza")], ..Config::default() };
        let err = topics_from(&config, &Content::default()).unwrap_err().to_string();
        assert!(err.contains("used twice"), "{err}");
    }
}
