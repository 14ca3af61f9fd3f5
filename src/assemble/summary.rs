//! Drafted summaries: the most central sentences of a topic across all its sources
//! (centroid of TF-IDF vectors), near-duplicates from different outlets merged and counted as
//! corroboration, each sentence linked to the paragraph it came from.

use std::collections::{BTreeMap, BTreeSet};

use crate::markdown::escape_html;
use crate::model::{BlockKind, SourceEntry, SummaryPoint};
use crate::text::{is_stopword, sentences, words};

/// Sentences a drafted summary holds.
const POINTS: usize = 4;
/// Candidates compared pairwise; the rest are ranked against the centroid only.
const MAX_CANDIDATES: usize = 300;
/// Cosine similarity above which two sentences say the same thing.
const SAME_CLAIM: f32 = 0.55;

struct Candidate {
    text: String,
    source: String,
    anchor: String,
    vector: BTreeMap<String, f32>,
    lead: bool,
}

/// Drafts a summary of the paragraphs whose topic is `topic` (`None`: unassigned ones).
pub fn draft_summary(topic: Option<&str>, sources: &[SourceEntry]) -> Vec<SummaryPoint> {
    let mut candidates = Vec::new();
    for source in sources {
        for article in &source.articles {
            let mut seen_in_article = 0;
            for p in article
                .paragraphs
                .iter()
                .filter(|p| p.kind == BlockKind::Paragraph && p.topic.as_deref() == topic)
            {
                for sentence in sentences(&p.text) {
                    let count = words(sentence).count();
                    if !(8..=60).contains(&count) || sentence.starts_with(['“', '"']) {
                        continue;
                    }
                    candidates.push(Candidate {
                        text: sentence.to_string(),
                        source: source.slug.clone(),
                        anchor: p.id.clone(),
                        vector: term_counts(sentence),
                        lead: seen_in_article < 2,
                    });
                }
                seen_in_article += 1;
            }
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    weigh_by_idf(&mut candidates);
    let mut centroid: BTreeMap<String, f32> = BTreeMap::new();
    for c in &candidates {
        for (term, weight) in &c.vector {
            *centroid.entry(term.clone()).or_default() += weight;
        }
    }
    let mut ranked: Vec<(usize, f32)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (i, cosine(&c.vector, &centroid) * if c.lead { 1.3 } else { 1.0 }))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(MAX_CANDIDATES);

    // Corroboration: outlets that carry the same claim.
    let outlets_of = |i: usize| -> BTreeSet<String> {
        ranked
            .iter()
            .filter(|(j, _)| cosine(&candidates[i].vector, &candidates[*j].vector) >= SAME_CLAIM)
            .map(|(j, _)| candidates[*j].source.clone())
            .chain(std::iter::once(candidates[i].source.clone()))
            .collect()
    };
    let mut rescored: Vec<(usize, f32, BTreeSet<String>)> = ranked
        .iter()
        .map(|(i, score)| {
            let outlets = outlets_of(*i);
            (*i, score * (1.0 + 0.2 * (outlets.len() as f32 - 1.0)), outlets)
        })
        .collect();
    rescored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

    let mut chosen: Vec<(usize, BTreeSet<String>)> = Vec::new();
    for (i, _, outlets) in rescored {
        if chosen.len() == POINTS {
            break;
        }
        let repeats = chosen
            .iter()
            .any(|(j, _)| cosine(&candidates[i].vector, &candidates[*j].vector) >= SAME_CLAIM * 0.8);
        if !repeats {
            chosen.push((i, outlets));
        }
    }
    chosen
        .into_iter()
        .map(|(i, outlets)| {
            let c = &candidates[i];
            let mut sources: Vec<String> = vec![c.source.clone()];
            sources.extend(outlets.into_iter().filter(|s| s != &c.source));
            SummaryPoint { text: c.text.clone(), sources, anchor: c.anchor.clone() }
        })
        .collect()
}

pub(super) fn term_counts(sentence: &str) -> BTreeMap<String, f32> {
    let mut counts = BTreeMap::new();
    for word in words(sentence) {
        if word.chars().count() < 3 || is_stopword(word) {
            continue;
        }
        *counts.entry(word.to_lowercase()).or_default() += 1.0;
    }
    counts
}

fn weigh_by_idf(candidates: &mut [Candidate]) {
    let mut df: BTreeMap<String, f32> = BTreeMap::new();
    for c in candidates.iter() {
        for term in c.vector.keys() {
            *df.entry(term.clone()).or_default() += 1.0;
        }
    }
    let n = candidates.len() as f32;
    for c in candidates.iter_mut() {
        for (term, weight) in c.vector.iter_mut() {
            *weight *= (1.0 + n / df[term]).ln();
        }
    }
}

pub(super) fn cosine(a: &BTreeMap<String, f32>, b: &BTreeMap<String, f32>) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dot: f32 = small.iter().filter_map(|(t, w)| large.get(t).map(|v| w * v)).sum();
    let norm = |v: &BTreeMap<String, f32>| v.values().map(|w| w * w).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 { 0.0 } else { dot / denominator }
}

/// The drafted summary as HTML with links relative to the site root (as `briefing.json`
/// gives them); the theme renders the points itself with page-relative links.
pub fn points_html<'a>(points: &'a [SummaryPoint], sources: &'a [SourceEntry]) -> String {
    let name = |slug: &'a str| -> &'a str {
        sources.iter().find(|s| s.slug == slug).map(|s| s.name.as_str()).unwrap_or(slug)
    };
    let mut html = String::from("<ul class=\"summary-points\">");
    for point in points {
        html.push_str("<li>");
        html.push_str(&escape_html(&point.text));
        for (n, source) in point.sources.iter().enumerate() {
            let anchor = if n == 0 { format!("#{}", point.anchor) } else { String::new() };
            html.push_str(&format!(
                " <a class=\"cite\" href=\"sources/{}/index.html{}\">{}</a>",
                escape_html(source),
                anchor,
                escape_html(name(source))
            ));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArticleEntry, Paragraph};

    fn source(slug: &str, paragraphs: &[&str]) -> SourceEntry {
        SourceEntry {
            slug: slug.into(),
            name: slug.to_uppercase(),
            url: format!("sources/{slug}/"),
            homepage: None,
            notes_html: None,
            identified_by: "content".into(),
            syndicated_by: vec![],
            articles: vec![ArticleEntry {
                seed: format!("seeds/{slug}.txt"),
                headline: None,
                date: None,
                paragraphs: paragraphs
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Paragraph {
                        kind: BlockKind::Paragraph,
                        text: t.to_string(),
                        topic: Some("t".into()),
                        id: format!("p-{i}"),
                    })
                    .collect(),
                removed: vec![],
            }],
        }
    }

    #[test]
    fn central_sentence_corroborated_by_two_outlets() {
        let sources = vec![
            source(
                "a",
                &[
                    "Floodwater covered the lower town after the river burst its banks on Monday night.",
                    "A bakery on the corner sold out of bread by noon as shoppers stocked up.",
                ],
            ),
            source(
                "b",
                &[
                    "The river burst its banks on Monday night and floodwater covered the lower town.",
                    "The mayor asked residents of the lower town to move to higher ground before the river rises again.",
                ],
            ),
        ];
        let points = draft_summary(Some("t"), &sources);
        assert!(!points.is_empty());
        assert!(points[0].text.contains("burst its banks"), "{points:?}");
        assert_eq!(points[0].sources.len(), 2, "{points:?}");
        // The merged duplicate is not repeated as a separate point.
        assert_eq!(points.iter().filter(|p| p.text.contains("burst its banks")).count(), 1);
        let html = points_html(&points, &sources);
        assert!(html.contains("href=\"sources/"), "{html}");
    }

    #[test]
    fn nothing_to_summarise() {
        assert!(draft_summary(Some("t"), &[]).is_empty());
    }
}
