//! Drafted summaries: the most central sentences of a topic across all its sources, each
//! linked to the paragraph it came from.
//!
//! Sentences are TF-IDF vectors; the best candidates by closeness to the topic's centroid are
//! ranked by LexRank (PageRank over the graph of similar sentences), so a claim many sentences
//! echo rises. Sentences from different outlets that make the same claim (most of their
//! content words shared) are merged into one point and counted as corroboration.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::markdown::escape_html;
use crate::model::{ArticleEntry, BlockKind, SourceEntry, SummaryPoint};
use crate::text::{is_stopword, sentences, word_count, words};

/// Sentences a drafted summary holds.
const POINTS: usize = 4;
/// Candidates ranked by LexRank (pairwise work); the rest only meet the centroid.
const MAX_CANDIDATES: usize = 300;
/// Cosine similarity above which two sentences say the same thing.
const SAME_CLAIM: f32 = 0.55;
/// Share (by IDF weight) of the shorter sentence's content words the other must share to make
/// the same claim, and of the longer's: paraphrases share their rare words (names, places,
/// "troop withdrawal"), sentences that merely share a topic share common ones.
const SAME_CLAIM_OF_SHORTER: f32 = 0.45;
const SAME_CLAIM_OF_LONGER: f32 = 0.25;
/// …and at least this many words.
const SAME_CLAIM_MIN_WORDS: usize = 4;
/// Similarity below which two sentences are not linked in the LexRank graph.
const LINK: f32 = 0.1;
const DAMPING: f32 = 0.85;
const ITERATIONS: usize = 30;

struct Candidate<'a> {
    text: &'a str,
    source: &'a str,
    anchor: crate::model::AnchorId,
    vector: TermVector,
    /// Content words, crudely stemmed, for claim matching: ids in the stems' sorted order.
    stems: Vec<u32>,
    /// The sum of `stems`' IDF weights, in that order.
    stem_weight: f32,
    lead: bool,
}

/// The most articles a summary is drafted from: the topic's newest. A briefing's summary says
/// where a story stands now, and drafting it does not grow with the archive.
pub const RECENT_ARTICLES: usize = 400;

/// Which of `articles` a topic's summary is drafted from: those with a paragraph on `topic`
/// (`None`: unassigned paragraphs), the newest `RECENT_ARTICLES` of them (by date, undated
/// last, then by outlet and seed), as indices in their order in `articles`.
#[cfg(test)]
pub fn recent_articles(topic: Option<&str>, articles: &[(&SourceEntry, &ArticleEntry)]) -> Vec<usize> {
    let on_topic = |a: &ArticleEntry| {
        a.paragraphs.iter().any(|p| p.kind == BlockKind::Paragraph && p.topic.as_deref() == topic)
    };
    newest((0..articles.len()).filter(|&i| on_topic(articles[i].1)).collect(), articles)
}

/// The newest `RECENT_ARTICLES` of `chosen` (indices into `articles`, in order), in order.
pub fn newest(mut chosen: Vec<usize>, articles: &[(&SourceEntry, &ArticleEntry)]) -> Vec<usize> {
    if chosen.len() > RECENT_ARTICLES {
        chosen.sort_by(|&a, &b| {
            let ((source_a, a), (source_b, b)) = (articles[a], articles[b]);
            // Descending dates put `None` last.
            b.date
                .cmp(&a.date)
                .then_with(|| source_a.slug.cmp(&source_b.slug))
                .then_with(|| a.seed.cmp(&b.seed))
        });
        chosen.truncate(RECENT_ARTICLES);
        chosen.sort_unstable();
    }
    chosen
}

/// Drafts a summary of the paragraphs of `articles` whose topic is `topic` (`None`:
/// unassigned ones); `articles` are those `recent_articles` chose.
pub fn draft_summary(topic: Option<&str>, articles: &[(&SourceEntry, &ArticleEntry)]) -> Vec<SummaryPoint> {
    let mut candidates: Vec<Candidate> = articles
        .par_iter()
        .map(|(source, article)| {
            let mut found = Vec::new();
            let mut seen_in_article = 0;
            for p in article
                .paragraphs
                .iter()
                .filter(|p| p.kind == BlockKind::Paragraph && p.topic.as_deref() == topic)
            {
                for sentence in sentences(&p.text) {
                    let count = word_count(sentence);
                    if !(8..=60).contains(&count) || sentence.starts_with(['“', '"']) {
                        continue;
                    }
                    found.push(Candidate {
                        text: sentence,
                        source: &source.slug,
                        anchor: p.id,
                        vector: term_counts(sentence),
                        stems: Vec::new(),
                        stem_weight: 0.0,
                        lead: seen_in_article < 2,
                    });
                }
                seen_in_article += 1;
            }
            found
        })
        .flatten_iter()
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    weigh_by_idf(&mut candidates);
    let mut centroid: TermMap<f32> = TermMap::default();
    for c in &candidates {
        for (term, weight) in &c.vector.terms {
            *centroid.entry(*term).or_default() += weight;
        }
    }
    let mut ranked: Vec<usize> = (0..candidates.len()).collect();
    // The centroid's norm once, not once per candidate (it has every term of the topic).
    let centroid_norm = centroid.values().map(|w| w * w).sum::<f32>().sqrt();
    let closeness: Vec<f32> = candidates
        .par_iter()
        .map(|c| {
            let dot: f32 = c.vector.terms.iter().filter_map(|(t, w)| centroid.get(t).map(|v| w * v)).sum();
            let denominator = c.vector.norm * centroid_norm;
            if denominator == 0.0 { 0.0 } else { dot / denominator }
        })
        .collect();
    ranked.sort_by(|a, b| closeness[*b].total_cmp(&closeness[*a]).then(a.cmp(b)));
    ranked.truncate(MAX_CANDIDATES);
    // Stems only for the candidates that are compared claim by claim.
    let stemmed = stems_of(ranked.iter().map(|&i| candidates[i].text));
    let stem_idf = stem_idf(stemmed.iter());
    // Stems as ids in sorted order (so sets meet in the same order as the strings would) and
    // their weights as a table: comparing claims pairwise is then integer work.
    let ids: BTreeMap<&str, u32> =
        stem_idf.keys().enumerate().map(|(id, s)| (s.as_str(), id as u32)).collect();
    let stem_idf: Vec<f32> = stem_idf.values().copied().collect();
    for (&i, stems) in ranked.iter().zip(&stemmed) {
        let stems: Vec<u32> = stems.iter().map(|s| ids[s.as_str()]).collect();
        candidates[i].stem_weight = stems.iter().map(|&t| stem_idf[t as usize]).sum();
        candidates[i].stems = stems;
    }
    let same_claim = |a: &Candidate, b: &Candidate, cosine: f32| same_claim(a, b, cosine, &stem_idf);

    let k = ranked.len();
    // Pairwise work, row by row on every core (a rebuild drafts the changed topic again).
    let upper: Vec<Vec<f32>> = (0..k)
        .into_par_iter()
        .map(|a| {
            (a + 1..k).map(|b| cosine(&candidates[ranked[a]].vector, &candidates[ranked[b]].vector)).collect()
        })
        .collect();
    let mut similarity = vec![0f32; k * k];
    for (a, row) in upper.into_iter().enumerate() {
        for (b, sim) in (a + 1..k).zip(row) {
            similarity[a * k + b] = sim;
            similarity[b * k + a] = sim;
        }
    }
    let centrality = lexrank(&similarity, k);

    // Corroboration: the outlets that carry the same claim.
    let outlets: Vec<BTreeSet<&str>> = (0..k)
        .into_par_iter()
        .map(|a| {
            (0..k)
                .filter(|&b| {
                    b == a
                        || same_claim(&candidates[ranked[a]], &candidates[ranked[b]], similarity[a * k + b])
                })
                .map(|b| candidates[ranked[b]].source)
                .collect()
        })
        .collect();
    let score = |a: usize| -> f32 {
        let c = &candidates[ranked[a]];
        centrality[a]
            * (1.0 + closeness[ranked[a]])
            * if c.lead { 1.3 } else { 1.0 }
            * (1.0 + 0.25 * (outlets[a].len() as f32 - 1.0))
    };
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|a, b| score(*b).total_cmp(&score(*a)).then(a.cmp(b)));

    let mut chosen: Vec<usize> = Vec::new();
    for a in order {
        if chosen.len() == POINTS {
            break;
        }
        if !stands_alone(candidates[ranked[a]].text) {
            continue;
        }
        let repeats = chosen.iter().any(|&b| {
            similarity[a * k + b] >= SAME_CLAIM * 0.8
                || same_claim(&candidates[ranked[a]], &candidates[ranked[b]], 0.0)
        });
        if !repeats {
            chosen.push(a);
        }
    }
    chosen
        .into_iter()
        .map(|a| {
            let c = &candidates[ranked[a]];
            let mut sources: Vec<String> = vec![c.source.to_string()];
            sources.extend(outlets[a].iter().filter(|s| **s != c.source).map(|s| s.to_string()));
            SummaryPoint { text: c.text.to_string(), sources, anchor: c.anchor.to_string() }
        })
        .collect()
}

/// A summary sentence is read out of context: one that opens with a pronoun ("It said…") or
/// reports that nothing happened ("There was no comment") says little on its own, so it is
/// never chosen (it still counts toward what others echo).
fn stands_alone(sentence: &str) -> bool {
    const LEANING: &[&str] =
        &["it", "he", "she", "they", "this", "these", "those", "we", "i", "his", "her", "their", "its"];
    let mut opening = words(sentence).map(str::to_lowercase);
    let first = opening.next().unwrap_or_default();
    let second = opening.next().unwrap_or_default();
    let third = opening.next().unwrap_or_default();
    !(LEANING.contains(&first.as_str())
        || (first == "there"
            && matches!(second.as_str(), "was" | "is" | "were" | "has" | "have")
            && matches!(third.as_str(), "no" | "not")))
}

/// Two sentences make the same claim when their vectors are close, or when they share enough
/// of each other's content words, weighted by rarity.
fn same_claim(a: &Candidate, b: &Candidate, cosine: f32, idf: &[f32]) -> bool {
    if cosine >= SAME_CLAIM {
        return true;
    }
    let shared_count = intersection(&a.stems, &b.stems).count();
    if shared_count < SAME_CLAIM_MIN_WORDS {
        return false;
    }
    let shared: f32 = intersection(&a.stems, &b.stems).map(|t| idf[t as usize]).sum();
    let (wa, wb) = (a.stem_weight, b.stem_weight);
    let (shorter, longer) = if wa <= wb { (wa, wb) } else { (wb, wa) };
    shorter > 0.0 && shared / shorter >= SAME_CLAIM_OF_SHORTER && shared / longer >= SAME_CLAIM_OF_LONGER
}

/// The ids two sorted id lists share, in order.
fn intersection<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}

/// Inverse document frequency of each stem over the topic's sentences.
fn stem_idf<'a>(candidates: impl Iterator<Item = &'a BTreeSet<String>>) -> BTreeMap<String, f32> {
    let mut df: BTreeMap<String, f32> = BTreeMap::new();
    let mut n = 0.0;
    for stems in candidates {
        n += 1.0;
        for stem in stems {
            *df.entry(stem.clone()).or_default() += 1.0;
        }
    }
    df.into_iter().map(|(stem, count)| (stem, (1.0 + n / count).ln())).collect()
}

/// LexRank: PageRank over sentences linked by similarity, edges weighted by it.
fn lexrank(similarity: &[f32], k: usize) -> Vec<f32> {
    let weight = |a: usize, b: usize| {
        let s = similarity[a * k + b];
        if s >= LINK { s } else { 0.0 }
    };
    let out_weight: Vec<f32> = (0..k).map(|a| (0..k).map(|b| weight(a, b)).sum()).collect();
    // Most pairs are below `LINK`: each sentence's incoming links, with the share of the
    // linking sentence's weight they carry, are listed once instead of scanned every round.
    let incoming: Vec<Vec<(usize, f32)>> = (0..k)
        .map(|b| {
            (0..k)
                .filter(|&a| out_weight[a] > 0.0 && weight(a, b) > 0.0)
                .map(|a| (a, weight(a, b) / out_weight[a]))
                .collect()
        })
        .collect();
    let mut rank = vec![1.0 / k as f32; k];
    for _ in 0..ITERATIONS {
        let next: Vec<f32> = incoming
            .iter()
            .map(|links| {
                let inflow: f32 = links.iter().map(|&(a, share)| share * rank[a]).sum();
                (1.0 - DAMPING) / k as f32 + DAMPING * inflow
            })
            .collect();
        rank = next;
    }
    rank
}

/// Each sentence's content words reduced to their Snowball stems, so "collapsed" meets
/// "collapse"; each distinct word stemmed once (the sentences of a topic share most of their
/// words, and stemming is the cost here).
fn stems_of<'a>(sentences: impl Iterator<Item = &'a str>) -> Vec<BTreeSet<String>> {
    static STEMMER: std::sync::OnceLock<rust_stemmers::Stemmer> = std::sync::OnceLock::new();
    let stemmer = STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
    let lowered: Vec<Vec<String>> = sentences
        .map(|sentence| {
            words(sentence)
                .filter(|w| w.chars().count() >= 3 && !is_stopword(w))
                .map(str::to_lowercase)
                .collect()
        })
        .collect();
    let distinct: Vec<&str> =
        lowered.iter().flatten().map(String::as_str).collect::<BTreeSet<&str>>().into_iter().collect();
    let stemmed: Vec<String> = distinct.par_iter().map(|w| stemmer.stem(w).into_owned()).collect();
    let stem_of: BTreeMap<&str, &str> =
        distinct.iter().copied().zip(stemmed.iter().map(String::as_str)).collect();
    lowered.iter().map(|words| words.iter().map(|w| stem_of[w.as_str()].to_string()).collect()).collect()
}

/// A term: a content word, lower-cased, as a 64-bit hash. Integer keys keep the maps cheap
/// (string keys made comparing them the largest cost of a build); a collision between two
/// words of one topic would only blur their vectors a little.
pub(super) type Term = u64;

/// A sentence's content words with their weights, sorted by term, and the vector's norm:
/// sorted pairs compare by a merge, with no map to build per sentence.
#[derive(Debug, Clone)]
pub(super) struct TermVector {
    terms: Vec<(Term, f32)>,
    norm: f32,
}

impl TermVector {
    fn update_norm(&mut self) {
        self.norm = self.terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    }
}

/// Maps keyed by `Term`, which is a hash already: hashing it again would be wasted work.
type TermMap<V> = std::collections::HashMap<Term, V, std::hash::BuildHasherDefault<TermHasher>>;

#[derive(Default)]
struct TermHasher(u64);

impl std::hash::Hasher for TermHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Counts of the content words of a sentence.
pub(super) fn term_counts(sentence: &str) -> TermVector {
    let mut terms = if sentence.is_ascii() { ascii_terms(sentence) } else { content_terms(words(sentence)) };
    terms.sort_unstable_by_key(|(t, _)| *t);
    terms.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += 1.0;
        }
        same
    });
    let mut vector = TermVector { terms, norm: 0.0 };
    vector.update_norm();
    vector
}

/// The words of three letters or more that are not function words, each as its term.
fn content_terms<'a>(words: impl Iterator<Item = &'a str>) -> Vec<(Term, f32)> {
    words
        .filter(|word| word.chars().count() >= 3 && !is_stopword(word))
        .map(|word| (term(word), 1.0))
        .collect()
}

/// `content_terms` of an ASCII sentence's words, in one pass over its bytes: each word (a run
/// of letters and digits, as `words` cuts ASCII) hashed as it is read, as `term` hashes it.
/// Summaries and the timeline make a vector of every candidate sentence; cutting the words
/// first (as `ascii_words` does) and hashing them after took 100 M more instructions
/// on a cold 1,000-seed build.
fn ascii_terms(sentence: &str) -> Vec<(Term, f32)> {
    let bytes = sentence.as_bytes();
    let mut terms = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_alphanumeric() {
            at += 1;
            continue;
        }
        let start = at;
        let mut hash = TERM_BASIS;
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            hash = (hash ^ u64::from(bytes[at].to_ascii_lowercase())).wrapping_mul(TERM_PRIME);
            at += 1;
        }
        if at - start >= 3 && !is_stopword(&sentence[start..at]) {
            terms.push((hash, 1.0));
        }
    }
    terms
}

/// FNV-1a's basis and prime, with which `term` hashes a word.
const TERM_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const TERM_PRIME: u64 = 0x0100_0000_01b3;

fn term(word: &str) -> Term {
    let mut hash: u64 = TERM_BASIS;
    if word.is_ascii() {
        // The same bytes as the general path below gives ASCII.
        for byte in word.bytes() {
            hash ^= u64::from(byte.to_ascii_lowercase());
            hash = hash.wrapping_mul(TERM_PRIME);
        }
        return hash;
    }
    for c in word.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        for byte in c.encode_utf8(&mut buf).bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(TERM_PRIME);
        }
    }
    hash
}

fn weigh_by_idf(candidates: &mut [Candidate]) {
    let mut df: TermMap<f32> = TermMap::default();
    for c in candidates.iter() {
        for (term, _) in &c.vector.terms {
            *df.entry(*term).or_default() += 1.0;
        }
    }
    let n = candidates.len() as f32;
    let idf: TermMap<f32> = df.into_iter().map(|(term, count)| (term, (1.0 + n / count).ln())).collect();
    candidates.par_iter_mut().for_each(|c| {
        for (term, weight) in c.vector.terms.iter_mut() {
            *weight *= idf[term];
        }
        c.vector.update_norm();
    });
}

/// Cosine similarity of two sentences' vectors.
pub(super) fn cosine(a: &TermVector, b: &TermVector) -> f32 {
    let denominator = a.norm * b.norm;
    if denominator == 0.0 {
        return 0.0;
    }
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.terms.len() && j < b.terms.len() {
        match a.terms[i].0.cmp(&b.terms[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a.terms[i].1 * b.terms[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot / denominator
}

/// The drafted summary as HTML with links relative to the site root (as `briefing.json`
/// gives them); the theme renders the points itself with page-relative links.
pub fn points_html<'a>(
    points: &'a [SummaryPoint],
    sources: &'a [SourceEntry],
    links: &super::Links,
) -> String {
    let name = |slug: &'a str| -> &'a str {
        sources.iter().find(|s| s.slug == slug).map(|s| s.name.as_str()).unwrap_or(slug)
    };
    let mut html = String::from("<ul class=\"summary-points\">");
    for point in points {
        html.push_str("<li>");
        html.push_str(&escape_html(&point.text));
        for (n, source) in point.sources.iter().enumerate() {
            let href = if n == 0 {
                links.paragraph(source, &point.anchor)
            } else {
                format!("sources/{source}/index.html")
            };
            html.push_str(&format!(
                " <a class=\"cite\" href=\"{}\">{}</a>",
                escape_html(&href),
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

    #[test]
    fn stems_are_each_sentences_words_stemmed() {
        let sentences = [
            "The bridges collapsed after the flooding, officials said.",
            "Flooding collapses a bridge; Officials SAID so.",
            "",
            "Ümlaut Straßen collapsed",
        ];
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let each = |s: &str| -> BTreeSet<String> {
            words(s)
                .filter(|w| w.chars().count() >= 3 && !is_stopword(w))
                .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
                .collect()
        };
        let got = stems_of(sentences.iter().copied());
        assert_eq!(got, sentences.iter().map(|s| each(s)).collect::<Vec<_>>());
        assert!(got[0].contains("collaps") && got[1].contains("collaps") && got[2].is_empty());
    }

    fn source(slug: &str, paragraphs: &[&str]) -> SourceEntry {
        crate::assemble::test_source(slug, "t", None, paragraphs)
    }

    /// Drafts topic `t` from the articles `recent_articles` picks, as assemble does.
    fn draft(sources: &[SourceEntry]) -> Vec<SummaryPoint> {
        let articles: Vec<(&SourceEntry, &ArticleEntry)> =
            sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect();
        let recent: Vec<_> = recent_articles(Some("t"), &articles).into_iter().map(|i| articles[i]).collect();
        draft_summary(Some("t"), &recent)
    }

    #[test]
    fn summaries_are_drafted_from_the_newest_articles() {
        let dated =
            |slug: &str, date: Option<&str>| crate::assemble::test_source(slug, "t", date, &["Text."]);
        let mut sources: Vec<SourceEntry> = (0..RECENT_ARTICLES + 2)
            .map(|i| {
                let day = 1 + i % 28;
                let month = 1 + (i / 28) % 12;
                dated(&format!("s{i:04}"), Some(&format!("20{:02}-{month:02}-{day:02}", 10 + i / 336)))
            })
            .collect();
        sources.push(dated("undated", None));
        sources.push(crate::assemble::test_source("elsewhere", "other", Some("2099-01-01"), &["Text."]));
        let articles: Vec<(&SourceEntry, &ArticleEntry)> =
            sources.iter().flat_map(|s| s.articles.iter().map(move |a| (s, a))).collect();
        let chosen = recent_articles(Some("t"), &articles);
        assert_eq!(chosen.len(), RECENT_ARTICLES);
        assert!(chosen.is_sorted());
        let slugs: Vec<&str> = chosen.iter().map(|&i| articles[i].0.slug.as_str()).collect();
        // Of the topic's RECENT_ARTICLES + 3, the undated one and the two oldest are left out,
        // and the other topic's article is never in.
        for left_out in ["s0000", "s0001", "undated", "elsewhere"] {
            assert!(!slugs.contains(&left_out), "{left_out}");
        }
        assert!(slugs.contains(&"s0002") && slugs.contains(&format!("s{:04}", RECENT_ARTICLES + 1).as_str()));
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
        let points = draft(&sources);
        assert!(!points.is_empty());
        assert!(points[0].text.contains("burst its banks"), "{points:?}");
        assert_eq!(points[0].sources.len(), 2, "{points:?}");
        // The merged duplicate is not repeated as a separate point.
        assert_eq!(points.iter().filter(|p| p.text.contains("burst its banks")).count(), 1);
        let html = points_html(&points, &sources, &crate::assemble::Links::new(&sources));
        assert!(html.contains("href=\"sources/"), "{html}");
    }

    #[test]
    fn paraphrases_from_different_outlets_count_as_one_claim() {
        let sources = vec![
            source(
                "a",
                &[
                    "The harbour authority announced a temporary closure of the northern docks on Tuesday after a crane collapsed.",
                    "Fishermen said the closure would cost them a week of catches at the busiest time of the year.",
                ],
            ),
            source(
                "b",
                &[
                    "Officials declared the northern docks closed for now following the collapse of a crane, the harbour authority said.",
                    "A spokesman for the shipping firm said two vessels had been diverted to the southern terminal overnight.",
                ],
            ),
            source(
                "c",
                &[
                    "Local schools will stay open and buses will run as usual during the closure, the council said on Wednesday.",
                ],
            ),
        ];
        let points = draft(&sources);
        let docks: Vec<_> = points.iter().filter(|p| p.text.contains("northern docks")).collect();
        assert_eq!(docks.len(), 1, "{points:?}");
        assert_eq!(docks[0].sources.len(), 2, "{points:?}");
        assert!(points.len() >= 3, "{points:?}");
    }

    #[test]
    fn lexrank_favours_the_sentence_others_echo() {
        // Three sentences linked to the middle one, none to each other.
        let k = 3;
        let similarity = vec![0.0, 0.5, 0.0, 0.5, 0.0, 0.5, 0.0, 0.5, 0.0];
        let rank = lexrank(&similarity, k);
        assert!(rank[1] > rank[0] && rank[1] > rank[2], "{rank:?}");
        assert!((rank.iter().sum::<f32>() - 1.0).abs() < 1e-3);
    }

    #[test]
    fn sentences_that_lean_on_context_are_avoided() {
        assert!(!stands_alone("It said the road would stay closed until further notice."));
        assert!(!stands_alone("There was no immediate comment from the port authority."));
        assert!(stands_alone("The port authority said the road would stay closed."));
        assert!(stands_alone("Therefore the docks closed."));
    }

    #[test]
    fn terms_hash_ascii_and_unicode_alike() {
        assert_eq!(term("Aleppo"), term("aleppo"));
        assert_eq!(term("ÉTÉ"), term("été"));
        let general = |w: &str| {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in w.to_lowercase().bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash
        };
        assert_eq!(term("Khan-Younis2"), general("Khan-Younis2"));
    }

    #[test]
    fn nothing_to_summarise() {
        assert!(draft(&[]).is_empty());
    }

    proptest::proptest! {
        /// An ASCII sentence's terms, read byte by byte, are those of its words.
        #[test]
        fn ascii_terms_are_the_terms_of_the_words(
            sentence in "((The|THE|and|Said|of|With|Aleppo|x9|[a-zA-Z0-9]{1,6})( |, |-|'|\\.){1,2}){0,12}"
        ) {
            proptest::prop_assert_eq!(ascii_terms(&sentence), content_terms(words(&sentence)));
        }
    }
}
