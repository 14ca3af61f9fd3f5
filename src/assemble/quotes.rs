//! Quotes and who said them: text between straight or curly double quotes (four words or
//! more: "combing" or “temporary troop withdrawal” are scare quotes, not statements), with the
//! speaker taken from the sentence around it.
//!
//! Where the speaker is looked for, in order: right after the quote ("…,” said X", "…,” he
//! said"); the sentence before the quote ("X said that “…”"); the rest of the sentence ("…”
//! to the area, the Observatory added"); the previous quote in the same sentence; a person
//! named before the quote. A paragraph that is nothing but a quote continues the previous
//! quote's speaker. `he`/`she` is the last person named as a source in the article, `it` the
//! last organisation.

use std::sync::OnceLock;

use regex::Regex;

use super::facts::{ArticleQuote, Span};
use super::figures::Last;
use super::names::{LazyNames, NOT_A_SUBJECT, SPEECH_VERBS, Who, is_plural, is_pronoun, person_in};
use crate::model::{ArticleEntry, BlockKind};
use crate::text::{word_count, words};

/// Words a quote needs to count as a statement.
const MIN_WORDS: usize = 4;

/// Quoted spans of a paragraph: (start of the opening mark, inner start, inner end, end after
/// the closing mark). An unclosed quote ends the search.
fn spans(text: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut rest = 0;
    let bytes = text.as_bytes();
    // The next `"` or `“`: candidates found with `memchr` (a `“` starts with 0xE2).
    let next_open = |from: usize| {
        memchr::memchr2_iter(b'"', 0xE2, &bytes[from..])
            .map(|i| i + from)
            .find(|&i| bytes[i] == b'"' || bytes[i..].starts_with("“".as_bytes()))
    };
    while let Some(open) = next_open(rest) {
        let mark = text[open..].chars().next().expect("char");
        let close = if mark == '“' { '”' } else { '"' };
        let inner = open + mark.len_utf8();
        let Some(end) = text[inner..].find(close).map(|i| i + inner) else { break };
        out.push((open, inner, end, end + close.len_utf8()));
        rest = end + close.len_utf8();
    }
    out
}

/// Where sentences start, outside quotes: after `.`, `?`, `!` followed by a space.
fn sentence_starts(text: &str, spans: &[(usize, usize, usize, usize)]) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'?' | b'!')
            && bytes.get(i + 1) == Some(&b' ')
            && !spans.iter().any(|(open, _, _, end)| (*open..*end).contains(&i))
        {
            starts.push(i + 2);
        }
    }
    starts
}

/// Compiles the patterns now (see `assemble::prepare`).
pub(super) fn prepare() {
    right_after();
}

fn right_after() -> &'static (Regex, Regex) {
    static R: OnceLock<(Regex, Regex)> = OnceLock::new();
    R.get_or_init(|| {
        (
            Regex::new(&format!(r#"^\s*[,.]?\s*(?:{SPEECH_VERBS})\s+([^,.;:"“”(]+)"#)).expect("regex"),
            Regex::new(&format!(r#"^\s*[,.]?\s*([^,.;:"“”]{{1,60}}?)\s+(?:{SPEECH_VERBS})\b"#))
                .expect("regex"),
        )
    })
}

/// A name in quotes ("named “Response to the Aggression”"): short, every word capitalised
/// but the small ones.
fn is_title(text: &str) -> bool {
    let all: Vec<&str> = words(text).collect();
    all.len() <= 6
        && all.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                || ["a", "an", "the", "of", "to", "for", "and", "in", "on", "at"].contains(w)
        })
}

/// Replaces quoted text by a placeholder so attribution patterns see only the frame.
fn mask(text: &str, spans: &[(usize, usize, usize, usize)], from: usize, to: usize) -> String {
    let mut out = String::new();
    let mut at = from;
    for (open, _, _, end) in spans.iter().filter(|(o, _, _, e)| *o >= from && *e <= to) {
        out.push_str(&text[at..*open]);
        out.push_str("QUOTE");
        at = *end;
    }
    out.push_str(&text[at..to]);
    out
}

/// The quotes of one article, repeats included.
pub fn article_quotes(article: &ArticleEntry, names: &LazyNames) -> Vec<ArticleQuote> {
    let mut quotes = Vec::new();
    let mut paragraphs: Vec<_> =
        article.paragraphs.iter().enumerate().filter(|(_, p)| p.kind == BlockKind::Paragraph).collect();
    // Quotes come only from paragraphs with a quoted span; who `he` and `it` are is tracked in
    // order, so the paragraphs after the last quoted one change nothing.
    let Some(last_quoted) = paragraphs.iter().rposition(|(_, p)| !spans(&p.text).is_empty()) else {
        return quotes;
    };
    // Names are gathered from every paragraph (a later one may define an acronym), when first
    // needed.
    paragraphs.truncate(last_quoted + 1);
    let mut last = Last::default();
    let mut previous_speaker: Option<Who> = None;
    for (index, p) in paragraphs {
        let text = &*p.text;
        let spans = spans(text);
        let starts = sentence_starts(text, &spans);
        let sentence_of = |at: usize| {
            let start = starts.iter().copied().filter(|s| *s <= at).max().unwrap_or(0);
            let end = starts.iter().copied().find(|s| *s > at).unwrap_or(text.len());
            (start, end)
        };
        let mut speaker_in_sentence: Option<(usize, Who)> = None;
        for &(open, inner, close, end) in &spans {
            let quoted = text[inner..close].trim().trim_end_matches(',').trim();
            let (s_start, s_end) = sentence_of(open);
            let standalone = text[..open].trim().is_empty() && text[end..].trim().is_empty();
            let mut who = None;
            // Right after the quote.
            let after = mask(text, &spans, end, s_end.max(end));
            let (verb_first, subject_first) = right_after();
            let usable = |c: &regex::Captures| {
                let subject = c[1].trim();
                let first = subject.split_whitespace().next().unwrap_or("").to_lowercase();
                !subject.contains("QUOTE") && !NOT_A_SUBJECT.contains(&first.as_str()) || is_pronoun(subject)
            };
            let verb = verb_first.captures(&after).filter(|c| usable(c) && !is_pronoun(&c[1]));
            if let Some(c) = verb.or_else(|| subject_first.captures(&after).filter(usable)) {
                who = names.who(&c[1], last.person.as_deref(), last.thing.as_deref());
            }
            // The frame before the quote, then the rest of the sentence.
            for frame in [mask(text, &spans, s_start, open), after.clone()] {
                if who.is_some() {
                    break;
                }
                who = names
                    .attributions(&frame)
                    .iter()
                    .find_map(|a| names.who(a, last.person.as_deref(), last.thing.as_deref()));
            }
            if who.is_none() {
                who = speaker_in_sentence.as_ref().filter(|(s, _)| *s == s_start).map(|(_, w)| w.clone());
            }
            if who.is_none() {
                who = person_in(&mask(text, &spans, s_start, open)).map(Who::Person);
            }
            if who.is_none() && standalone {
                who = previous_speaker.clone();
            }
            if let Some(w) = &who {
                match w {
                    Who::Person(p) => last.person = Some(p.clone()),
                    Who::Other(o) if !is_plural(o) => last.thing = Some(o.clone()),
                    Who::Other(_) => {}
                }
                speaker_in_sentence = Some((s_start, w.clone()));
                previous_speaker = Some(w.clone());
            }
            if word_count(quoted) < MIN_WORDS || is_title(quoted) {
                continue;
            }
            // The words quoted are a slice of the paragraph, always within it.
            let Some(span) = Span::within(index, text, quoted) else { continue };
            quotes.push(ArticleQuote { span, speaker: who.map(|w| w.name().into()) });
        }
        // Sources named outside quotes also set who `he` and `it` are.
        let frame = mask(text, &spans, 0, text.len());
        for sentence in crate::text::sentences(&frame) {
            if let Some(w) = names
                .attributions(sentence)
                .iter()
                .find_map(|a| names.who(a, last.person.as_deref(), last.thing.as_deref()))
            {
                match w {
                    Who::Person(p) => last.person = Some(p),
                    Who::Other(o) if !is_plural(&o) => last.thing = Some(o),
                    Who::Other(_) => {}
                }
            }
        }
    }
    // Held for every article until the build ends: no spare capacity.
    quotes.shrink_to_fit();
    quotes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assemble::Facts;
    use crate::model::{Quote, SourceEntry};

    /// Every article's quotes, duplicates dropped: what assemble does, without the cache.
    fn extract(sources: &[SourceEntry]) -> Vec<Quote> {
        let articles: Vec<_> = sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect();
        let facts: Vec<Facts> = articles
            .iter()
            .map(|(_, a)| Facts { quotes: article_quotes(a, &LazyNames::new(a)), ..Facts::default() })
            .collect();
        let kept = crate::assemble::facts::first_quotes(&articles, &facts);
        let at = |&k: &(u32, u32)| crate::assemble::facts::quote_at(&articles, &facts, k);
        kept.iter().map(|k| at(k).expect("a quote lies within its article")).collect()
    }

    fn source(paragraphs: &[&str]) -> Vec<SourceEntry> {
        vec![crate::assemble::test_source("harbour-times", "storm", None, paragraphs)]
    }

    fn speakers(paragraphs: &[&str]) -> Vec<(Option<String>, String)> {
        extract(&source(paragraphs))
            .into_iter()
            .map(|q| (q.speaker.map(String::from), q.text.to_string()))
            .collect()
    }

    #[test]
    fn quoted_spans_straight_and_curly() {
        let text = "He said “one thing” — then \"another\" and “a third”, ‘not this’ or “unclosed";
        let got: Vec<&str> = spans(text).iter().map(|&(_, inner, close, _)| &text[inner..close]).collect();
        assert_eq!(got, ["one thing", "another", "a third"]);
        let (open, _, _, end) = spans(text)[0];
        assert_eq!(&text[open..end], "“one thing”");
        assert!(spans("No quotes — at all… ’").is_empty());
        assert_eq!(spans("\"a\"\"b\"").len(), 2);
    }

    #[test]
    fn speakers_after_before_and_by_pronoun() {
        let got = speakers(&[
            "“The sea wall held for six hours and then it simply gave way,” said port engineer Lucia Ferrante.",
            "Radio Costa’s Pablo Ibarra said the ferries were cancelled.",
            "\"Nobody here has seen water this high before,\" he said.",
            "The Coastal Safety Board (CSB) said that “every household in the low town must leave now.”",
            "“Is there any plan for the fishermen at all?” asked Ibarra.",
        ]);
        assert_eq!(
            got,
            [
                (
                    Some("Lucia Ferrante".into()),
                    "The sea wall held for six hours and then it simply gave way".into()
                ),
                (Some("Pablo Ibarra".into()), "Nobody here has seen water this high before".into()),
                (
                    Some("Coastal Safety Board".into()),
                    "every household in the low town must leave now.".into()
                ),
                (Some("Pablo Ibarra".into()), "Is there any plan for the fishermen at all?".into()),
            ]
        );
    }

    #[test]
    fn scare_quotes_skipped_and_continuations_inherit() {
        let got = speakers(&[
            "Rescuers were “overwhelmed” by calls, the mayor, Ana Silva, said: “We need boats, not promises.”",
            "“And we need them tonight, before the tide turns again.”",
            "An unclosed \"quote runs to the end of this line",
            "The plan, called “Operation Dry Feet for the Valley”, began at noon.",
        ]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0.as_deref(), Some("Ana Silva"));
        assert_eq!(got[1].0.as_deref(), Some("Ana Silva"));
    }
}
